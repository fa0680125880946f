//! A small pool of connections to one database.
//!
//! A `rusqlite::Connection` may move between threads but not be shared by them. Rather than
//! one connection behind a mutex (which would serialise readers too), each caller borrows a
//! connection of its own: in WAL mode readers then run beside the one writer, and writers
//! queue in SQLite itself (`BEGIN IMMEDIATE` + busy timeout), exactly as writers of other
//! processes do, so threads and processes go through one tested path. Idle connections are
//! kept (their prepared statements stay cached); at most `max` exist at once.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use incident_core::Result;
use rusqlite::Connection;

type Opener = Box<dyn Fn() -> Result<Connection> + Send + Sync>;

pub(crate) struct Pool {
    state: Mutex<State>,
    returned: Condvar,
    max: usize,
    open: Opener,
}

struct State {
    idle: Vec<Connection>,
    /// Connections in existence, idle or borrowed.
    count: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Pool")
            .field("idle", &state.idle.len())
            .field("count", &state.count)
            .field("max", &self.max)
            .finish()
    }
}

impl Pool {
    /// A pool holding `first`, which may open up to `max` connections with `open`.
    pub(crate) fn new(first: Connection, max: usize, open: Opener) -> Self {
        Pool {
            state: Mutex::new(State {
                idle: vec![first],
                count: 1,
            }),
            returned: Condvar::new(),
            max: max.max(1),
            open,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Borrows a connection: an idle one, a new one while under `max`, or the next one
    /// returned.
    pub(crate) fn get(&self) -> Result<Pooled<'_>> {
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if state.count < self.max {
                state.count += 1;
                drop(state);
                return match (self.open)() {
                    Ok(conn) => Ok(Pooled {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.lock().count -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A borrowed connection, returned to the pool when dropped.
pub(crate) struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Connection>,
}

impl Deref for Pooled<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.lock().idle.push(conn);
            self.pool.returned.notify_one();
        }
    }
}
