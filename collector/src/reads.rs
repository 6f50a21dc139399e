//! The read side: a small pool of read-only SQLite connections, each on its own thread, for the
//! read API. They never touch the writer's connection (WAL: a reader works on a snapshot and
//! neither waits for nor holds up the writer), their threads run at a lower CPU priority than
//! the writer (nice +10), at most [`MAX_QUEUED`] reads wait at once (more get `503` at once),
//! and a query running longer than [`QUERY_TIME_LIMIT`] is interrupted.
//!
//! An in-memory database (`:memory:`, tests) has one connection only: there the pool's single
//! thread borrows the writer's connection, so reads and writes take turns.

use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{oneshot, Semaphore};

/// Threads (and connections) of a file database's pool.
pub const READ_THREADS: usize = 2;
/// Reads running or waiting at most; more are refused with `503`.
pub const MAX_QUEUED: usize = 32;
/// A query is interrupted after this long (`503`, "narrow the range"). Long enough for the
/// first build of a kept window over a long range (the leaderboard reads every friction row of
/// its range once, ~2.5 us a row here: 10 s is ~4 million rows, 90 days of a shop with ~25,000
/// friction events a day), after which polls only read what changed; 2 s (~800,000 rows) refused
/// the 90-day leaderboard of a shop with ~9,000 a day, at every poll, since nothing was kept. A read
/// holds only its snapshot meanwhile (the writer goes on; the WAL cannot be checkpointed past it).
pub const QUERY_TIME_LIMIT: Duration = Duration::from_secs(10);
/// Nice value of the read threads (the writer keeps 0).
const READ_NICE: i32 = 10;

/// Why a read failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Too many reads waiting.
    Busy,
    /// Interrupted after [`QUERY_TIME_LIMIT`].
    TooSlow,
    NotFound(String),
    Failed(String),
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::OperationInterrupted) => ReadError::TooSlow,
            _ => ReadError::Failed(e.to_string()),
        }
    }
}

type Job = Box<dyn FnOnce(&Connection) + Send>;

enum Source {
    Own(Connection),
    Shared(Arc<Mutex<Connection>>),
}

pub struct ReadPool {
    /// What the read side keeps between polls (see [`crate::window`]).
    pub kept: Arc<crate::window::Kept>,
    jobs: Option<mpsc::Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
    slots: Arc<Semaphore>,
}

impl ReadPool {
    /// `READ_THREADS` read-only connections to the database file at `path`.
    pub fn open(path: &str, feed: Arc<crate::window::Feed>) -> rusqlite::Result<ReadPool> {
        let mut sources = Vec::new();
        for _ in 0..READ_THREADS {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
            )?;
            conn.busy_timeout(Duration::from_secs(2))?;
            conn.pragma_update(None, "query_only", true)?;
            conn.pragma_update(None, "cache_size", -8_192)?;
            sources.push(Source::Own(conn));
        }
        Ok(Self::start(sources, feed))
    }

    /// One thread borrowing `conn` (for `:memory:`).
    pub fn shared(conn: Arc<Mutex<Connection>>, feed: Arc<crate::window::Feed>) -> ReadPool {
        Self::start(vec![Source::Shared(conn)], feed)
    }

    /// `feed`: the writer's log of touched sessions (see [`crate::window::Feed`]).
    fn start(sources: Vec<Source>, feed: Arc<crate::window::Feed>) -> ReadPool {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = sources
            .into_iter()
            .enumerate()
            .filter_map(|(i, source)| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name(format!("tp-sqlite-read-{i}"))
                    .spawn(move || {
                        lower_priority();
                        loop {
                            let job = match rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                                Ok(job) => job,
                                Err(_) => return,
                            };
                            match &source {
                                Source::Own(c) => run_limited(c, job),
                                Source::Shared(c) => run_limited(&c.lock().unwrap_or_else(|e| e.into_inner()), job),
                            }
                        }
                    })
                    .ok()
            })
            .collect();
        ReadPool {
            kept: Arc::new(crate::window::Kept::with_feed(feed)),
            jobs: Some(tx),
            threads,
            slots: Arc::new(Semaphore::new(MAX_QUEUED)),
        }
    }

    /// Runs `f` on a read connection and returns its result.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ReadError> + Send + 'static,
    ) -> Result<T, ReadError> {
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            return Err(ReadError::Busy);
        };
        let (reply, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _permit = permit;
            let _ = reply.send(f(conn));
        });
        let Some(jobs) = &self.jobs else { return Err(ReadError::Failed("read pool stopped".into())) };
        jobs.send(job).map_err(|_| ReadError::Failed("read pool stopped".into()))?;
        rx.await.map_err(|_| ReadError::Failed("read thread stopped".into()))?
    }
}

impl Drop for ReadPool {
    fn drop(&mut self) {
        self.jobs.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn run_limited(conn: &Connection, job: Job) {
    let deadline = Instant::now() + QUERY_TIME_LIMIT;
    conn.progress_handler(4_000, Some(move || Instant::now() > deadline));
    // A panicking query must not take the thread (and its connection) down.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn)));
    conn.progress_handler(0, None::<fn() -> bool>);
}

fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority have no memory-safety preconditions; on Linux
    // PRIO_PROCESS with a thread id sets that thread's nice value only.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, READ_NICE);
    }
}
