//! The SQLite store and the replay of ServiceNow exports, run on libuv's thread pool.

use std::sync::Arc;

use incident_core::{self as core, Repository};
use incident_import::{Export, Mode, ReplayOptions};
use incident_store_sqlite::SqliteRepository;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::desk::Store;
use crate::error::{Failure, Fallible, guard, invalid, run, to_napi};
use crate::objects::small;

#[napi]
impl Store {
    /// Opens (or creates) a SQLite store in a file, on the thread pool. `":memory:"` gives a
    /// private in-memory SQLite database.
    ///
    /// # Errors
    /// `ERR_CORRUPT` for a file that is not an incident store, `ERR_INCOMPATIBLE_SCHEMA`
    /// for a newer schema, `ERR_STORAGE` when the file cannot be opened,
    /// `ERR_UNAVAILABLE` when another process holds the write lock too long.
    #[napi(ts_return_type = "Promise<Store>")]
    pub fn open_sqlite(path: String) -> AsyncTask<OpenSqlite> {
        AsyncTask::new(OpenSqlite { path: Some(path) })
    }

    /// Checks the store's integrity (SQLite stores); resolves when it is sound.
    ///
    /// # Errors
    /// `ERR_CORRUPT` with SQLite's findings.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn integrity_check(&self) -> AsyncTask<IntegrityCheck> {
        AsyncTask::new(IntegrityCheck {
            repository: self.repository.clone(),
            sqlite: self.sqlite.clone(),
        })
    }

    /// Replays a ServiceNow incident export (gzip or CSV) into this store, on the thread
    /// pool, and resolves to the importer's report (camelCase keys; the maps `anomalies`,
    /// `repairs` and `groups` keep their keys).
    ///
    /// # Errors
    /// `ERR_IMPORT_IO` when the file cannot be read, `ERR_IMPORT_HEADER` for a missing
    /// column; in strict mode `ERR_IMPORT_UNREADABLE` / `ERR_IMPORT_REFUSED` at the first
    /// bad row; store failures.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub fn replay_service_now(
        &self,
        env: Env,
        path: String,
        options: Option<ReplayServiceNowOptions>,
    ) -> napi::Result<AsyncTask<ReplayExport>> {
        let options = run(&env, || options.unwrap_or_default().into_core())?;
        Ok(AsyncTask::new(ReplayExport {
            repository: self.repository.clone(),
            path,
            options,
        }))
    }
}

/// How to replay an export.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ReplayServiceNowOptions {
    /// Stop at the first unreadable row or refused transition (default: lenient).
    pub strict: Option<bool>,
    /// The instance's impact x urgency matrix; default: derived from the export.
    pub priority_matrix: Option<Vec<Vec<f64>>>,
    /// Days after which the instance auto-closes resolved incidents (default 5).
    pub auto_close_after_days: Option<f64>,
}

impl ReplayServiceNowOptions {
    fn into_core(self) -> Fallible<ReplayOptions> {
        let mut options = ReplayOptions::default();
        if self.strict == Some(true) {
            options.mode = Mode::Strict;
        }
        if let Some(rows) = self.priority_matrix {
            let rows = rows
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|p| small("priorityMatrix", p))
                        .collect()
                })
                .collect::<Fallible<Vec<Vec<u8>>>>()?;
            options.priority_matrix = Some(core::PriorityMatrix::new(rows)?);
        }
        if let Some(days) =
            crate::error::whole_opt("autoCloseAfterDays", self.auto_close_after_days)?
        {
            options.auto_close_after_days = Some(days);
        }
        Ok(options)
    }
}

/// Opening a SQLite store.
#[derive(Debug)]
pub struct OpenSqlite {
    path: Option<String>,
}

#[napi]
impl Task for OpenSqlite {
    type Output = Fallible<Arc<SqliteRepository>>;
    type JsValue = Store;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let path = self.path.take().unwrap_or_default();
        Ok(guard(move || {
            let store = if path == ":memory:" {
                SqliteRepository::open_in_memory()?
            } else if path.trim().is_empty() {
                return Err(invalid("path", "must not be blank"));
            } else {
                SqliteRepository::open(&path)?
            };
            Ok(Arc::new(store))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Store> {
        let sqlite = output.map_err(|f| to_napi(&env, f))?;
        Ok(Store {
            repository: sqlite.clone(),
            sqlite: Some(sqlite),
        })
    }
}

/// An integrity check.
pub struct IntegrityCheck {
    repository: Arc<dyn Repository>,
    sqlite: Option<Arc<SqliteRepository>>,
}

impl std::fmt::Debug for IntegrityCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IntegrityCheck")
    }
}

#[napi]
impl Task for IntegrityCheck {
    type Output = Fallible<()>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let sqlite = self.sqlite.clone();
        let _ = &self.repository;
        Ok(guard(move || match sqlite {
            Some(store) => Ok(store.integrity_check()?),
            None => Ok(()),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<()> {
        output.map_err(|f| to_napi(&env, f))
    }
}

/// A replay of an export.
pub struct ReplayExport {
    repository: Arc<dyn Repository>,
    path: String,
    options: ReplayOptions,
}

impl std::fmt::Debug for ReplayExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayExport")
            .field("path", &self.path)
            .finish()
    }
}

/// The importer's errors keep the importer's stable codes; store errors are the core's.
fn import_failure(error: incident_import::Error) -> Failure {
    match error {
        incident_import::Error::Store(core) => Failure::Core(core),
        other => Failure::Other {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

#[napi]
impl Task for ReplayExport {
    type Output = Fallible<serde_json::Value>;
    type JsValue = crate::objects::Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (repository, path, options) = (
            self.repository.clone(),
            self.path.clone(),
            self.options.clone(),
        );
        Ok(guard(move || {
            let export = Export::open(&path, options.mode).map_err(import_failure)?;
            let report = incident_import::replay(&export, repository.as_ref(), &options)
                .map_err(import_failure)?;
            let value =
                serde_json::to_value(&report).map_err(|e| invalid("report", e.to_string()))?;
            Ok(crate::objects::camel_keys_except(
                value,
                &["anomalies", "repairs", "groups"],
            ))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<crate::objects::Json> {
        output
            .map(crate::objects::Json)
            .map_err(|f| to_napi(&env, f))
    }
}
