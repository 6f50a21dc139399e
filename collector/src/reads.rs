//! The read side: a small pool of read-only SQLite connections, each on its own thread, for the
//! read API. They never touch the writer's connection (WAL: a reader works on a snapshot and
//! neither waits for nor holds up the writer), their threads run at a lower CPU priority than
//! the writer (nice +10), at most [`MAX_QUEUED`] reads wait at once (more get `503` at once),
//! and a query running longer than [`QUERY_TIME_LIMIT`] is interrupted.
//!
//! Except the first read of a long range by a query whose work is kept between polls
//! ([`ReadPool::run_kept`]: the leaderboard, the overview, the tags, ...). Past
//! [`QUERY_TIME_LIMIT`] its request is answered `503` ("still counting"), but the read goes on in
//! the background, up to [`BUILD_TIME_LIMIT`], and what it builds is kept: the next poll of the
//! same query moves it and answers in milliseconds. Interrupted at 10 s instead, a 90-day range
//! of a large shop was counted again from nothing at every poll, and never shown.
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
/// How long a kept query's read may go on in the background once its request was answered
/// (see [`ReadPool::run_kept`]): ~50 million friction rows at the rate above. Its snapshot holds
/// the write-ahead log back meanwhile (it cannot be checkpointed past it), so not for ever.
pub const BUILD_TIME_LIMIT: Duration = Duration::from_secs(180);
/// After a kept query's background read hit [`BUILD_TIME_LIMIT`], the same query is refused at
/// once (`503`, "narrow the range") for this long, rather than started again by the next poll.
pub const GAVE_UP_FOR: Duration = Duration::from_secs(600);
/// Nice value of the read threads (the writer keeps 0).
const READ_NICE: i32 = 10;

/// Why a read failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Too many reads waiting.
    Busy,
    /// Interrupted after [`QUERY_TIME_LIMIT`] (or a kept query, after [`BUILD_TIME_LIMIT`]).
    TooSlow,
    /// A kept query's first read of its range goes on in the background (see
    /// [`ReadPool::run_kept`]): ask again in a few seconds.
    Counting,
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

/// A read: what to run, and how long it may run. `run` is given the feed's interrupt count as
/// its read's progress handler took it, to tell an interrupt by the writer from its time limit
/// ([`settled`]).
struct Job {
    run: JobFn,
    limit: Duration,
}

type JobFn = Box<dyn FnOnce(&Connection, u64) + Send>;

/// How long reads may take (the constants above; tests make them short).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub query: Duration,
    pub build: Duration,
    pub gave_up_for: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { query: QUERY_TIME_LIMIT, build: BUILD_TIME_LIMIT, gave_up_for: GAVE_UP_FOR }
    }
}

/// A kept query whose read outlived its request.
enum Behind {
    /// Still reading.
    Running,
    /// Stopped at [`Limits::build`], at this time.
    GaveUp(Instant),
}

/// A kept query's read as its request sees it; both sides change it under its lock, so that a
/// read ending just as its request stops waiting is either answered or marked behind, never lost.
#[derive(PartialEq, Eq)]
enum Waited {
    Waiting,
    /// The request was answered "counting": the read's end is written in `behind`.
    Left,
    Done,
}

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
    pub limits: Limits,
    /// Kept queries (by [`ReadPool::run_kept`]'s key) whose read outlived its request.
    behind: Arc<Mutex<std::collections::HashMap<String, Behind>>>,
    /// The writer's feed: its [`crate::window::Feed::interrupt_reads`] interrupts every read.
    feed: Arc<crate::window::Feed>,
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
                let (rx, feed) = (rx.clone(), feed.clone());
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
                                Source::Own(c) => run_limited(c, job, &feed),
                                Source::Shared(c) => {
                                    run_limited(&c.lock().unwrap_or_else(|e| e.into_inner()), job, &feed)
                                }
                            }
                        }
                    })
                    .ok()
            })
            .collect();
        ReadPool {
            kept: Arc::new(crate::window::Kept::with_feed(feed.clone())),
            feed,
            jobs: Some(tx),
            threads,
            slots: Arc::new(Semaphore::new(MAX_QUEUED)),
            limits: Limits::default(),
            behind: Arc::default(),
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
        let feed = self.feed.clone();
        let run = Box::new(move |conn: &Connection, at| {
            let _permit = permit;
            let _ = reply.send(settled(f(conn), &feed, at));
        });
        self.submit(Job { run, limit: self.limits.query })?;
        rx.await.map_err(|_| ReadError::Failed("read thread stopped".into()))?
    }

    /// Runs `f`, a query whose work is kept between polls (in [`ReadPool::kept`]), under `key`
    /// (the query and its range's length: what a poll asks again). Answered within
    /// [`Limits::query`] like [`ReadPool::run`]; past it the request gets
    /// [`ReadError::Counting`] while `f` goes on, up to [`Limits::build`], so that what it keeps
    /// is there for the next poll. Meanwhile the same key is answered `Counting` at once (one
    /// read per query, not one per poll); once it gave up, `TooSlow` at once for
    /// [`Limits::gave_up_for`].
    pub async fn run_kept<T: Send + 'static>(
        &self,
        key: String,
        f: impl FnOnce(&Connection) -> Result<T, ReadError> + Send + 'static,
    ) -> Result<T, ReadError> {
        {
            let mut behind = self.behind.lock().unwrap_or_else(|e| e.into_inner());
            match behind.get(&key) {
                Some(Behind::Running) => return Err(ReadError::Counting),
                Some(Behind::GaveUp(at)) if at.elapsed() < self.limits.gave_up_for => return Err(ReadError::TooSlow),
                Some(Behind::GaveUp(_)) => {
                    behind.remove(&key);
                }
                None => {}
            }
        }
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            return Err(ReadError::Busy);
        };
        let waited = Arc::new(Mutex::new(Waited::Waiting));
        let (reply, mut rx) = oneshot::channel();
        let (job_waited, behind, job_key, feed) = (waited.clone(), self.behind.clone(), key.clone(), self.feed.clone());
        let run = Box::new(move |conn: &Connection, at| {
            let _permit = permit;
            // (Caught here too: a read that panicked must still be written off below, or its
            // query would be answered "counting" for ever.)
            let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)))
                .unwrap_or_else(|_| Err(ReadError::Failed("the read failed".into())));
            // Interrupted for the writer, not given up: the next poll starts it again.
            let answer = settled(answer, &feed, at);
            let mut w = job_waited.lock().unwrap_or_else(|e| e.into_inner());
            if *w == Waited::Left {
                let mut behind = behind.lock().unwrap_or_else(|e| e.into_inner());
                if matches!(answer, Err(ReadError::TooSlow)) {
                    behind.insert(job_key, Behind::GaveUp(Instant::now()));
                } else {
                    behind.remove(&job_key);
                }
            }
            *w = Waited::Done;
            let _ = reply.send(answer);
        });
        self.submit(Job { run, limit: self.limits.build })?;
        match tokio::time::timeout(self.limits.query, &mut rx).await {
            Ok(answer) => answer.map_err(|_| ReadError::Failed("read thread stopped".into()))?,
            Err(_) => {
                let ended = {
                    let mut w = waited.lock().unwrap_or_else(|e| e.into_inner());
                    if *w != Waited::Done {
                        *w = Waited::Left;
                        self.behind.lock().unwrap_or_else(|e| e.into_inner()).insert(key, Behind::Running);
                    }
                    *w == Waited::Done
                };
                if !ended {
                    return Err(ReadError::Counting);
                }
                // Ended just now: its answer is in the channel.
                rx.await.map_err(|_| ReadError::Failed("read thread stopped".into()))?
            }
        }
    }

    fn submit(&self, job: Job) -> Result<(), ReadError> {
        let Some(jobs) = &self.jobs else { return Err(ReadError::Failed("read pool stopped".into())) };
        jobs.send(job).map_err(|_| ReadError::Failed("read pool stopped".into()))
    }
}

impl ReadPool {
    /// Ends the reads under way (a background read may have minutes to go), then closes the
    /// connections: the store's stop waits for that, and for the file's last connection not to
    /// be a read-only one, which cannot delete the write-ahead log (see `Store`'s `Drop`).
    pub fn close(&mut self) {
        self.jobs.take();
        if !self.threads.is_empty() {
            self.feed.interrupt_reads();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for ReadPool {
    fn drop(&mut self) {
        self.close();
    }
}

/// A read's answer, unless the writer interrupted it meanwhile ([`crate::window::Feed::interrupt_reads`]):
/// then not "too slow" but a failure to ask again.
fn settled<T>(answer: Result<T, ReadError>, feed: &crate::window::Feed, at: u64) -> Result<T, ReadError> {
    match answer {
        Err(ReadError::TooSlow) if feed.interrupts() != at => {
            Err(ReadError::Failed("interrupted for an erasure: ask again".into()))
        }
        other => other,
    }
}

fn run_limited(conn: &Connection, job: Job, feed: &Arc<crate::window::Feed>) {
    let deadline = Instant::now() + job.limit;
    // Read once, for the handler and the job alike: an interrupt between two reads would stop
    // the query and yet pass for its time limit.
    let at = feed.interrupts();
    let watched = feed.clone();
    conn.progress_handler(4_000, Some(move || Instant::now() > deadline || watched.interrupts() != at));
    // A panicking query must not take the thread (and its connection) down.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(conn, at)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn pool(query_ms: u64, build_ms: u64) -> ReadPool {
        let conn = Arc::new(Mutex::new(Connection::open_in_memory().unwrap()));
        let mut pool = ReadPool::shared(conn, Arc::default());
        pool.limits = Limits {
            query: Duration::from_millis(query_ms),
            build: Duration::from_millis(build_ms),
            gave_up_for: Duration::from_secs(60),
        };
        pool
    }

    /// Busy SQLite work, interruptible by the progress handler: counts to `n`.
    fn count_to(conn: &Connection, n: i64) -> Result<i64, ReadError> {
        let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?1) SELECT count(*) FROM c";
        Ok(conn.query_row(sql, [n], |r| r.get(0))?)
    }

    /// Asks until the answer is not "counting", as the inspector's polls do (for at most a
    /// minute: a background read on a slow machine).
    async fn until_counted<T, F: std::future::Future<Output = Result<T, ReadError>>>(
        mut ask: impl FnMut() -> F,
    ) -> Result<T, ReadError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match ask().await {
                Err(ReadError::Counting) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                other => return other,
            }
        }
    }

    /// A kept query as the inspector's polls meet it: the first read outlives its request
    /// (Counting), goes on, keeps what it built, and the next poll answers from it.
    #[tokio::test]
    async fn a_first_read_past_the_limit_goes_on_and_its_work_is_kept() {
        let pool = pool(20, 60_000);
        let kept: Arc<Mutex<Option<i64>>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = || {
            let (kept, runs) = (kept.clone(), runs.clone());
            pool.run_kept("leaderboard 90d".into(), move |c| {
                runs.fetch_add(1, Ordering::SeqCst);
                if let Some(n) = *kept.lock().unwrap() {
                    return Ok(n);
                }
                // Longer than the 20 ms limit on any machine (a slow one only makes it longer).
                std::thread::sleep(Duration::from_millis(300));
                let n = count_to(c, 1000)?;
                *kept.lock().unwrap() = Some(n);
                Ok(n)
            })
        };
        assert_eq!(ask().await, Err(ReadError::Counting));
        // Asked again while it counts: answered at once, no second read (the first may not have
        // started yet on a busy machine).
        assert_eq!(ask().await, Err(ReadError::Counting));
        assert!(runs.load(Ordering::SeqCst) <= 1);
        let answer = until_counted(&ask).await;
        // (A later read: the one that counted slept, the others found what it kept. On a busy
        // machine a later one may itself outlive its 20 ms and answer the poll after it.)
        assert_eq!(answer, Ok(1000));
        assert!(runs.load(Ordering::SeqCst) >= 2);
        // Another query (another key) is not held up by the first one's entry.
        assert_eq!(until_counted(|| pool.run_kept("tags 90d".into(), |c| count_to(c, 10))).await, Ok(10));
    }

    /// A read that outlives even the background limit is given up, and the same query is then
    /// refused at once (not started again by every poll); a plain read keeps the short limit.
    #[tokio::test]
    async fn a_read_past_the_background_limit_is_given_up_and_not_started_again() {
        let pool = pool(20, 200);
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = || {
            let runs = runs.clone();
            pool.run_kept("overview 90d".into(), move |c| {
                runs.fetch_add(1, Ordering::SeqCst);
                count_to(c, i64::MAX)
            })
        };
        assert_eq!(ask().await, Err(ReadError::Counting));
        let answer = until_counted(&ask).await;
        assert_eq!(answer, Err(ReadError::TooSlow));
        assert_eq!(ask().await, Err(ReadError::TooSlow));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(pool.run(|c| count_to(c, i64::MAX)).await, Err(ReadError::TooSlow));
    }

    /// The writer interrupting every read (to truncate the write-ahead log after an erasure)
    /// ends a background read too, which the next poll then starts again: not given up.
    #[tokio::test]
    async fn a_background_read_interrupted_for_the_writer_is_started_again() {
        let reads = pool(20, 60_000);
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = || {
            let runs = runs.clone();
            reads.run_kept("pages 90d".into(), move |c| match runs.fetch_add(1, Ordering::SeqCst) {
                0 => count_to(c, i64::MAX),
                _ => Ok(7),
            })
        };
        assert_eq!(ask().await, Err(ReadError::Counting));
        // (Once it runs: a read started after the interrupt is not interrupted by it.)
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        reads.feed.interrupt_reads();
        // Started again (not given up: that would answer TooSlow).
        assert_eq!(until_counted(&ask).await, Ok(7));
        assert!(runs.load(Ordering::SeqCst) >= 2);

        // A plain read under way is interrupted as well, and says why.
        let plain = pool(60_000, 60_000);
        let (feed, started) = (plain.feed.clone(), Arc::new(std::sync::atomic::AtomicBool::new(false)));
        let running = started.clone();
        let interrupter = std::thread::spawn(move || {
            while !running.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            feed.interrupt_reads();
        });
        let answer = plain
            .run(move |c| {
                started.store(true, Ordering::SeqCst);
                count_to(c, i64::MAX)
            })
            .await;
        interrupter.join().unwrap();
        assert!(matches!(answer, Err(ReadError::Failed(ref m)) if m.contains("erasure")), "{answer:?}");
    }

    /// A read that panics in the background does not leave its query "counting" for ever.
    #[tokio::test]
    async fn a_background_read_that_panics_is_written_off() {
        let pool = pool(20, 60_000);
        let first = pool.run_kept("funnel 90d".into(), |_| -> Result<i64, ReadError> {
            std::thread::sleep(Duration::from_millis(200));
            panic!("a bug in a query")
        });
        assert_eq!(first.await, Err(ReadError::Counting));
        let answer = until_counted(|| pool.run_kept("funnel 90d".into(), |c| count_to(c, 3))).await;
        assert_eq!(answer, Ok(3));
    }
}
