// Included by every target: on stable (no `fuzzing` cfg) the binary replays the corpus
// files or directories given as arguments through the same `check` function libFuzzer
// would call, so CI exercises every target without nightly tools.

#[cfg(not(fuzzing))]
fn main() {
    let mut count = 0;
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        let files: Vec<std::path::PathBuf> = if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .expect("readable corpus directory")
                .map(|e| e.expect("directory entry").path())
                .collect();
            entries.sort();
            entries
        } else {
            vec![path.to_path_buf()]
        };
        for file in files {
            let data = std::fs::read(&file).expect("readable corpus file");
            check(&data);
            count += 1;
        }
    }
    println!("replayed {count} inputs");
}
