//! The repository contract on SQLite: in memory, and in a file (WAL, pooled connections).

mod in_memory {
    incident_store_contract::contract_tests!(|| {
        incident_store_sqlite::SqliteRepository::open_in_memory().expect("opens")
    });
}

mod in_a_file {
    use std::sync::OnceLock;

    fn dir() -> &'static tempfile::TempDir {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
    }

    fn fresh() -> incident_store_sqlite::SqliteRepository {
        let path = tempfile::Builder::new()
            .suffix(".db")
            .tempfile_in(dir().path())
            .expect("a temporary file")
            .into_temp_path()
            .keep()
            .expect("kept");
        incident_store_sqlite::SqliteRepository::open(path).expect("opens")
    }

    incident_store_contract::contract_tests!(fresh);
}
