//! Durable, deduplicated event storage in SQLite.
//!
//! **Group commit.** Writes go through one writer thread that owns the write connection: it
//! takes every batch that is waiting, inserts them all in one transaction, commits once
//! (`synchronous=FULL`: one fsync for the group), and only then answers each batch. While a
//! commit runs the next batches queue up, so the busier the collector the bigger the groups; an
//! idle collector commits a lone batch at once.
//!
//! **Deduplication without a random write per event.** Message ids are random UUIDs. A
//! `UNIQUE` index on them makes every insert dirty a random index page, and every commit then
//! writes one 4 KiB page per event to the WAL: that, not the event data, limited ingestion to
//! ~8,000-30,000 events/s. So `events` is an append-only log, and uniqueness is kept by the
//! writer:
//! - `seen` holds the message ids of every event up to `meta.seen_upto` (an `events.id`);
//! - the writer keeps the ids of the events after it in memory (`recent`), and rebuilds that
//!   set from `events` when it starts;
//! - an event is new if its id is in neither; new events are appended to `events`;
//! - when `recent` holds `merge_at` ids, the set is handed to a merge and a fresh one takes the
//!   new ids; the merge's ids are sorted on a thread of their own, then merged into `seen` a
//!   chunk per commit, riding along with the batches' transactions; sorted chunks touch each
//!   page of `seen` about once per merge instead of once per event. The last chunk moves
//!   `seen_upto`. Until then the merge's set is looked up like `recent`.
//!
//! Every step is a transaction, so a crash at any point leaves `seen` + `events > seen_upto`
//! describing exactly the stored events (a chunk merged twice is `INSERT OR IGNORE`d).
//!
//! Reads use their own connection (WAL readers do not wait for the writer). Every method but
//! [`Store::insert`] blocks; async callers go through `spawn_blocking`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use tokio::sync::oneshot;

use crate::idfilter::IdFilter;
use crate::privacy::{Erased, Found, SessionKey, Subject, Why};
use crate::validate::Event;
#[cfg(test)]
use crate::validate::EventText;

/// Most events committed in one transaction (the batches of a group are never split).
pub const MAX_GROUP_EVENTS: usize = 10_000;

/// `user_version` of the current schema. Version 0 (before) had `message_id UNIQUE` in
/// `events`; such a database is migrated when opened. Version 2 had no inspector aggregates
/// (`aggregate.rs`): they are built from `events` when it is first opened. Version 3 had no
/// `hour_counts`: it is summed from `minute_counts`. Version 4 had no `channel` and `campaign`
/// in `sessions`: they are added, and filled from each session's events. Version 5 had no
/// customer (`user_id`) in `sessions`: it is added, and filled from each session's events.
/// Version 6 had no `event_tags` (the page's tags of each event, for the tag filters): it is
/// made, and filled from the stored events. Version 7 had no `sampled:<rate>` counts (sessions
/// kept by a sample): they are counted from the stored events. Version 8 had no `page_minutes`
/// and `page_hours` (the inspector's pages): they are made, and filled from the stored events.
/// Version 9 had no `device` in `sessions`: it is added, and filled from each session's events.
/// Versions 9 and 10 also kept page rows for all sites (site `''`), which nothing reads now:
/// they are deleted. Versions before 16 had no Core Web Vitals in the page tables: their columns
/// are added, and the page tables counted again from the stored events. Versions before 17 had no
/// tag page tables (`tag_page_minutes`, `tag_page_hours`, `tag_page_days`: the pages of a tag):
/// they are made, and filled from the stored events' tag rows. Versions before 18 had no tag
/// count tables (`tag_count_minutes`, `tag_count_hours`, `tag_count_days`: the events and friction
/// events of a tag): they are made, and filled from the stored events' tag rows. Versions before
/// 19 had no Core Web Vitals' counts in `sessions` (the channels' vitals): their columns are
/// added, the sessions' two indexes made again with them, and filled from each session's stored
/// page_leave events. Versions before 20 kept no times of the moments of truth in `sessions`
/// (a moment received late was put last, so the funnel missed sessions whose events arrived out of
/// order): the column is added, and each session's moments put in time order from its events.
/// Versions before 21 counted automated traffic (`context.automated`) in the aggregates: they are
/// built again without it when such an event is stored. Versions before 22 stored every
/// `purchase` of an order: `orders` is filled from the stored ones (the first of each order and
/// site; the repeats stay stored). Versions before 23 kept no visitor (`anonymous_id`) in
/// `sessions`: it is added, the sessions' two indexes made again with it and `sessions_visitor`
/// made, and it is filled from each session's events. Versions before 25 counted a page tag whose
/// key or value has a control character (which the `tag` filter refuses, see
/// `facts::is_tag_text`): the aggregates are built again without it when such a tag is counted.
/// Versions before 26 kept no log of deleted sessions (`deletions`, for `/api/export/deletions`):
/// it is made, empty (what was deleted before is not in it). Versions before 27 kept no `source`
/// and `medium` in `sessions` (the landing's `utm_source` and `utm_medium`, for the channels by
/// source / medium): they are added, the sessions' two indexes made again with them, and they are
/// filled from each session's events as the channel and campaign were (version 4). Versions
/// before 28 kept no browser and OS (`events.browser` and `events.os`, derived from the request's
/// `User-Agent` at ingest, and the session's in `sessions`): the columns are added, the sessions'
/// two indexes made again with them, and they stay unknown (NULL in `events`, '' in `sessions`)
/// for what was stored before, whose header was never kept. Versions before 29 kept no trace of
/// a purchase of an order already stored (`order_repeats`): the table is made, empty (the
/// repeats dropped before left none). Versions before 30 left automated traffic out of the
/// figures per event, not per session (a test's session was counted once its shop's server
/// posted an event into it without `context.automated`), and counted every `page_leave` of a
/// page view in the pages' leaves and scroll depth (a tab hidden and shown again sends one per
/// stretch): `automated_sessions` is made and filled from the stored events, and the aggregates
/// are built again when a session of automated traffic was counted, or a resumed page_leave is
/// stored. Versions before 31 kept no batch's `sentAt` (`events.sent_at`, which corrects a
/// device's wrong clock: `aggregate::counts_at`): the column is added, NULL for what was stored
/// before (those events count at their own `timestamp`, as they did). Versions before 32 kept a
/// friction event of no element (a failed request, an error) under an empty selector, one
/// leaderboard row per page for all of them: the aggregates are built again, grouping them by
/// what failed (`validate::facts_of`), when one is counted.
///
/// A database of a later version is refused (see [`Store::init`]), and the backfills chosen by
/// version count from nothing rather than add (`aggregate::fill_device_counts` and the others):
/// a database stamped with an older version by an older collector runs them again.
pub const SCHEMA_VERSION: i64 = 33;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY,   -- receive order; only grows (rows leave only by privacy.rs)
    message_id  TEXT NOT NULL,         -- unique: see `seen` and the module documentation
    site        TEXT NOT NULL,
    type        TEXT NOT NULL,
    event       TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    timestamp   TEXT NOT NULL,
    received_at INTEGER NOT NULL,      -- unix milliseconds
    body        TEXT NOT NULL,         -- the event JSON as received
    -- The browser family with its major version ('Chrome 131') and the OS family ('Android') of
    -- the request that carried it (agent.rs derives them from its User-Agent header and keeps
    -- nothing else of it); NULL when unknown (no header; stored before version 28). No comma in
    -- this comment: SQLite's DROP COLUMN of a last column cuts back to the comma before it.
    browser     TEXT,
    os          TEXT,
    -- The `sentAt` of its batch (the device's clock when the batch left it) as unix milliseconds:
    -- an event counts at `timestamp + (received_at - sent_at)` (aggregate.rs: `counts_at`). NULL
    -- for a `sentAt` without a time zone and for events stored before version 31.
    sent_at     INTEGER
);
CREATE INDEX IF NOT EXISTS events_site_id ON events(site, id);
CREATE INDEX IF NOT EXISTS events_event_id ON events(event, id);
-- The message ids of events.id <= meta('seen_upto').
CREATE TABLE IF NOT EXISTS seen (message_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('seen_upto', 0);
-- Each session deleted, by an erasure or the retention (privacy.rs), in the transaction that
-- deleted it: for a warehouse copying `events` by id (`/api/export/deletions`). Its events of
-- `site` with `session_id` and an id up to `last_event_id` were deleted (later ones, stored after
-- the deletion, were not). AUTOINCREMENT: ids only grow, never reused.
CREATE TABLE IF NOT EXISTS deletions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deleted_at    INTEGER NOT NULL,    -- unix milliseconds
    session_id    TEXT NOT NULL,
    site          TEXT NOT NULL,
    reason        TEXT NOT NULL,       -- 'erase' (a person's, on request) or 'retention'
    last_event_id INTEGER NOT NULL     -- the largest events.id deleted with it
);
CREATE INDEX IF NOT EXISTS deletions_site_id ON deletions(site, id);
-- One purchase per order and site: the stored purchase of each transaction_id.
CREATE TABLE IF NOT EXISTS orders (
    site           TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    event_id       INTEGER NOT NULL,
    PRIMARY KEY (site, transaction_id)
) WITHOUT ROWID;
-- Each purchase of an order already stored (a thanks page reloaded, restored or opened again):
-- not stored as an event and in no count (GA4 counts an order once), but recorded, so that 'was
-- order X charged twice?' sees that its purchase came again, when, and from which session
-- (version 29). One row per repeat: a retried batch's repeat (the same messageId) is one.
CREATE TABLE IF NOT EXISTS order_repeats (
    site           TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    session_id     TEXT NOT NULL,
    ts             INTEGER NOT NULL,   -- unix ms, as the event counts (its capture time)
    received_at    INTEGER NOT NULL,   -- unix ms
    PRIMARY KEY (site, transaction_id, message_id)
) WITHOUT ROWID;
-- A session's repeats, for its erasure (privacy.rs).
CREATE INDEX IF NOT EXISTS order_repeats_session ON order_repeats(session_id, site);
";

/// The stored purchases' orders (schema version 22): the first purchase of each order and site,
/// read from the bodies as `Facts::order` reads them (a string's text, an integer's digits; none
/// for an id the SDK's masking made, `***`: `money::is_masked`).
const FILL_ORDERS: &str = "
INSERT OR IGNORE INTO orders (site, transaction_id, event_id)
  SELECT site, CAST(json_extract(body, '$.properties.transaction_id') AS TEXT), id FROM events
   WHERE event = 'purchase'
     AND CASE WHEN json_valid(body) THEN json_type(body, '$.properties.transaction_id') END IN ('text', 'integer')
     AND json_extract(body, '$.properties.transaction_id') <> ''
     AND instr(json_extract(body, '$.properties.transaction_id'), '***') = 0
   ORDER BY id;
";

/// Version 27 -> 28: each event's browser and OS (unknown, NULL, for those stored before: the
/// header they came with was never kept).
const ADD_EVENT_AGENTS: &str = "
ALTER TABLE events ADD COLUMN browser TEXT;
ALTER TABLE events ADD COLUMN os TEXT;
";

/// Version 30 -> 31: each event's batch's `sentAt` (unknown, NULL, for those stored before: they
/// count at their own `timestamp`, as they did).
const ADD_EVENT_SENT_AT: &str = "
ALTER TABLE events ADD COLUMN sent_at INTEGER;
";

/// Version 0 -> 2: `events` loses its UNIQUE constraint (and AUTOINCREMENT), `seen` gets
/// every stored id. One transaction; runs once, when an old database is opened.
const MIGRATE_FROM_V0: &str = "
ALTER TABLE events RENAME TO events_v0;
DROP INDEX IF EXISTS events_site_id;
DROP INDEX IF EXISTS events_event_id;
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL,
    site        TEXT NOT NULL,
    type        TEXT NOT NULL,
    event       TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    timestamp   TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    body        TEXT NOT NULL
);
INSERT INTO events SELECT id, message_id, site, type, event, session_id, timestamp, received_at, body
  FROM events_v0 ORDER BY id;
DROP TABLE events_v0;
";

#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Io(std::io::Error),
    /// The blocking task running a store call, or the writer thread, panicked or stopped.
    Task(String),
    /// The database is not ours to open: another collector has it, or a newer version wrote it.
    Refused(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            StoreError::Io(e) => write!(f, "io: {e}"),
            StoreError::Task(e) => write!(f, "store task failed: {e}"),
            StoreError::Refused(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for StoreError {}

/// Below this many free bytes, the device holding the database is taken as full.
const FULL_BELOW: u64 = 4 << 20;

impl StoreError {
    /// The message for the collector failing to open `db` (`--db`): the error, and for SQLite's
    /// `SQLITE_FULL`, an `ENOSPC`, or an I/O error (SQLite says `disk I/O error` for a write that
    /// failed with `ENOSPC`, as on a full disk at start) while the database's directory has no
    /// room, that there is no space left. For another I/O error, the room there is. (A full disk
    /// at start was told `sqlite: disk I/O error` alone.)
    pub fn opening(&self, db: &str) -> String {
        let dir = match Path::new(db).parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        self.opening_with_free(free_bytes(dir))
    }

    fn opening_with_free(&self, free: Option<u64>) -> String {
        const NO_SPACE: &str = "no space left on the device holding --db";
        let (full, io) = match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                (e.code == rusqlite::ErrorCode::DiskFull, e.code == rusqlite::ErrorCode::SystemIoFailure)
            }
            StoreError::Io(e) => (e.raw_os_error() == Some(libc::ENOSPC), true),
            _ => (false, false),
        };
        match free {
            _ if full => format!("{self} ({NO_SPACE}: free some, or give --db another device)"),
            Some(n) if io && n < FULL_BELOW => {
                format!("{self} ({NO_SPACE}: {n} bytes free there; free some, or give --db another device)")
            }
            Some(n) if io => format!("{self} (the device holding --db has {} MB free)", n >> 20),
            _ => self.to_string(),
        }
    }
}

/// The bytes this process may still write on the file system holding `dir` (statvfs; root may
/// use the blocks kept for it too).
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated path, `st` a statvfs the call fills.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    // SAFETY: geteuid cannot fail.
    let blocks = if unsafe { libc::geteuid() } == 0 { st.f_bfree } else { st.f_bavail };
    Some((blocks as u64).saturating_mul(st.f_frsize as u64))
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct InsertOutcome {
    pub accepted: usize,
    pub duplicates: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub events: u64,
    #[serde(rename = "bySite")]
    pub by_site: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Query {
    pub limit: u32,
    pub site: Option<String>,
    pub event: Option<String>,
}

/// How the writer merges ids into `seen`. The defaults suit production; tests make them tiny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Start a merge when this many ids are waiting in memory (about 80 bytes each).
    pub merge_at: usize,
    /// Ids merged per commit while a merge is in progress.
    pub merge_chunk: usize,
    /// With no batch for this long, merge what is waiting (memory goes back to the minimum).
    pub idle_merge_after: Duration,
    /// When a commit counts as done (`--sync`).
    pub sync: Sync,
}

/// SQLite's `synchronous` setting, i.e. what "committed" means when a batch is answered 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    /// fsync of the WAL in every commit: an acknowledged batch survives a power cut.
    Full,
    /// No fsync in the commit (the WAL is synced at checkpoints): an acknowledged batch survives
    /// the collector crashing or being killed, but the last second or so may be lost if the
    /// machine itself loses power or crashes.
    Normal,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning { merge_at: 100_000, merge_chunk: 500, idle_merge_after: Duration::from_secs(1), sync: Sync::Full }
    }
}

pub struct Store {
    /// The read API's connections (see `reads.rs`).
    pub reads: crate::reads::ReadPool,
    /// For a file database its own connection; for `:memory:` the writer's (a second
    /// connection would open a second, empty database).
    reader: Arc<Mutex<Connection>>,
    jobs: Option<mpsc::Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    checkpointer: Option<Checkpointer>,
    /// Set by the checkpointer when the writer should finish a checkpoint (see [`Checkpointer`]).
    wal_restart: Arc<AtomicBool>,
    /// The locks on `<db>.lock` and on the database file (see [`lock_database`]). Last, so that
    /// they are let go of only after every connection above is closed.
    _lock: Option<[std::fs::File; 2]>,
}

/// Where the outcome of one batch goes once it is committed (or failed).
type Reply = oneshot::Sender<Result<InsertOutcome, StoreError>>;

/// Work for the writer thread.
enum Job {
    /// One batch, and where to send its outcome once committed.
    Insert { events: Vec<Event>, reply: Reply },
    /// Merge every waiting id into `seen` now (tests, and operators before a backup).
    MergeAll { reply: oneshot::Sender<Result<(), StoreError>> },
    /// Take these sessions out, whole (see `privacy.rs`).
    /// `also`: a person, and an event id: their sessions among the events after it go too.
    Erase {
        sessions: Vec<SessionKey>,
        why: Why,
        also: Option<(Subject, i64)>,
        reply: oneshot::Sender<Result<Erased, StoreError>>,
    },
    /// Copy the write-ahead log into the file and truncate it (after the retention erased).
    TruncateLog { reply: oneshot::Sender<()> },
    /// Which of these message ids are stored (a batch's `confirm`).
    Known { ids: Vec<String>, reply: oneshot::Sender<Result<Vec<bool>, StoreError>> },
}

impl Store {
    /// Opens (creating or migrating if needed) the database at `path`, or an in-memory one
    /// for `:memory:`. Parent directories are created.
    pub fn open(path: &str) -> Result<Store, StoreError> {
        Self::open_tuned(path, Tuning::default())
    }

    pub fn open_tuned(path: &str, tuning: Tuning) -> Result<Store, StoreError> {
        if path == ":memory:" {
            let conn = Arc::new(Mutex::new(Self::init(Connection::open_in_memory()?, tuning.sync)?));
            return Self::start(conn.clone(), conn, tuning, None);
        }
        if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(StoreError::Io)?;
        }
        // Before anything is read or migrated: a second collector stops here.
        let lock = lock_database(path)?;
        // The writer's WAL frames go out in one write per commit (see `walbuf.rs`).
        let writer = match crate::walbuf::register() {
            Some(vfs) => Connection::open_with_flags_and_vfs(path, OpenFlags::default(), vfs)?,
            None => Connection::open(path)?,
        };
        let writer = Self::init(writer, tuning.sync)?;
        // Checkpoints run on their own thread (below), not inside a batch's commit.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        let reader = Connection::open(path)?;
        reader.busy_timeout(Duration::from_secs(2))?;
        let mut store = Self::start(Arc::new(Mutex::new(writer)), Arc::new(Mutex::new(reader)), tuning, Some(path))?;
        store.checkpointer = Some(Checkpointer::start(path, store.wal_restart.clone())?);
        store._lock = Some(lock);
        Ok(store)
    }

    /// Opens an existing database read-only: every write fails. Lets tests
    /// (and operators inspecting a live file) exercise the failure path.
    pub fn open_read_only(path: &str) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(Duration::from_secs(2))?;
        let conn = Arc::new(Mutex::new(conn));
        Self::start(conn.clone(), conn, Tuning::default(), None)
    }

    fn init(mut conn: Connection, sync: Sync) -> Result<Connection, StoreError> {
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        // A newer collector's database: its schema may hold what this version neither knows nor
        // keeps up to date, and stamping it with our version would make the newer one run its
        // migrations again over data they already converted. Refused before anything is written.
        if version > SCHEMA_VERSION {
            return Err(StoreError::Refused(format!(
                "the database is at schema version {version}, newer than this collector's ({SCHEMA_VERSION}): \
                 a newer touchpoint-collector wrote it. Run that version or a later one, or restore the \
                 backup made before upgrading; this one does not open it"
            )));
        }
        // Another application's database given as --db: the collector's tables were added to it
        // (and its journal made WAL). Ours, of every version (0 included), has `events` with its
        // `message_id`; a new or empty file has nothing but SQLite's own tables. Refused before
        // anything is written.
        let ours: bool = conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\')
                 OR EXISTS (SELECT 1 FROM pragma_table_info('events') WHERE name = 'message_id')",
            [],
            |r| r.get(0),
        )?;
        if !ours {
            return Err(StoreError::Refused(
                "not a Touchpoint database: it holds another application's tables, none of the collector's \
                 (no `events`); it is left as it is. Give --db a new file, or a touchpoint-collector's database"
                    .into(),
            ));
        }
        // WAL + synchronous=FULL (the default): a commit is on disk (fsynced) before we
        // answer 200, so an acknowledged batch survives a power cut.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Each time the WAL starts over (its first commit after a checkpoint copied all of it),
        // SQLite cuts the file back to this size; without a limit the file kept the size of the
        // largest it ever was (up to `WAL_MAX_FRAMES`), idle or not. The checkpointer truncates
        // it to nothing once the collector is idle (see `Checkpointer`).
        conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)?;
        // What an erasure or the retention deletes is overwritten with zeros, free pages
        // included: a person's erased events must not stay readable in the file's free space.
        // Rows are deleted only there (ingestion inserts and updates), so that is where it costs.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "synchronous", if sync == Sync::Full { "FULL" } else { "NORMAL" })?;
        // Another process holding the lock briefly (a backup, sqlite3 shell, a checkpoint)
        // should delay us, not fail the batch; past 2 s the client retries. Retry every
        // millisecond: SQLite's own busy timeout sleeps up to 100 ms between attempts, which
        // held every batch back for that long after a checkpoint let go of the lock.
        conn.busy_handler(Some(|attempt| {
            std::thread::sleep(Duration::from_millis(1));
            attempt < 2_000
        }))?;
        // `seen` is read at random: keep its hot pages in SQLite's cache (16 MiB at most), not
        // behind a system call per page.
        conn.pragma_update(None, "cache_size", -16_384)?;
        // Every statement a group runs stays prepared: with the tag page tables' upserts, a group
        // that also merges ids into `seen` and stores a tag with a real number runs 17 cached
        // statements, more than rusqlite's default cache holds (16), and an LRU cycled through
        // by more statements than it holds prepares every one of them again.
        conn.set_prepared_statement_cache_capacity(64);
        let has_events: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events')",
            [],
            |r| r.get(0),
        )?;
        // A migration rewrites tables in one transaction: on a large database it takes a while
        // (11.8 s for 100,000 events in a debug build), said before and after (it was silent,
        // and looked like a collector that hung).
        let migrating = (has_events && version < SCHEMA_VERSION).then(|| {
            crate::log::log_line!(
                "migrating the database from schema {version} to {SCHEMA_VERSION}: this can take minutes on a \
                 large database; the port opens when it is done"
            );
            Instant::now()
        });
        let tx = conn.transaction()?;
        if has_events && version < 3 {
            tx.execute_batch(MIGRATE_FROM_V0)?;
            tx.execute_batch(SCHEMA)?;
            tx.execute_batch(
                "INSERT OR IGNORE INTO seen (message_id) SELECT message_id FROM events;
                 UPDATE meta SET value = (SELECT COALESCE(MAX(id), 0) FROM events) WHERE key = 'seen_upto';",
            )?;
        } else {
            tx.execute_batch(SCHEMA)?;
        }
        // A `sessions` table from before version 5 (no channel), 6 (no customer) or 10 (no
        // device class), a `friction` table from before version 13 (no device class): their new
        // columns, and their indexes made again with them (by the schema below), then filled.
        let lacks = |table: &str, column: &str| -> rusqlite::Result<bool> {
            tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)
                    AND NOT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
                [table, column],
                |r| r.get(0),
            )
        };
        // `events` from before version 28 (no browser and OS): first, as a rebuild below reads them.
        if lacks("events", "browser")? {
            tx.execute_batch(ADD_EVENT_AGENTS)?;
        }
        // `events` from before version 31 (no batch's `sentAt`): likewise.
        if lacks("events", "sent_at")? {
            tx.execute_batch(ADD_EVENT_SENT_AT)?;
        }
        let (no_channels, no_users, no_devices) =
            (lacks("sessions", "channel")?, lacks("sessions", "user_id")?, lacks("sessions", "device")?);
        let no_friction_devices = lacks("friction", "device")?;
        // A `friction` table from before version 33 (no element text).
        let no_friction_texts = lacks("friction", "text")?;
        // A `sessions` table from before version 19 (no Core Web Vitals' counts).
        let no_session_vitals = lacks("sessions", crate::aggregate::VITAL_COLUMNS[0])?;
        // A `sessions` table from before version 20 (no times of its moments of truth).
        let no_moment_times = lacks("sessions", "moment_ts")?;
        // A `sessions` table from before version 23 (no visitor).
        let no_visitors = lacks("sessions", "anonymous_id")?;
        // A `sessions` table from before version 27 (no source and medium).
        let no_sources = lacks("sessions", "source")?;
        // A `sessions` table from before version 28 (no browser and OS).
        let no_agents = lacks("sessions", "browser")?;
        // Page tables from before version 16 (no Core Web Vitals): their new columns (all three
        // tables were made together), counted below.
        let no_vitals = lacks("page_minutes", crate::aggregate::VITAL_COLUMNS[0])?;
        // Events stored before version 7: their tags are indexed from their bodies (below).
        let no_tags = has_events
            && tx.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_tags')",
                [],
                |r| r.get::<_, bool>(0),
            )?;
        // Events stored before version 9: their pages are counted (below).
        let no_pages = has_events
            && tx.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'page_minutes')",
                [],
                |r| r.get::<_, bool>(0),
            )?;
        // Events stored before version 17: the pages of their tags are counted (below, once their
        // tags are indexed).
        let no_tag_pages = has_events
            && tx.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tag_page_minutes')",
                [],
                |r| r.get::<_, bool>(0),
            )?;
        // Events stored before version 18: the events of their tags are counted (below, once
        // their tags are indexed).
        let no_tag_counts = has_events
            && tx.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tag_count_minutes')",
                [],
                |r| r.get::<_, bool>(0),
            )?;
        if no_channels {
            tx.execute_batch(crate::aggregate::ADD_CHANNELS)?;
        }
        if no_users {
            tx.execute_batch(crate::aggregate::ADD_USERS)?;
        }
        if no_devices {
            tx.execute_batch(crate::aggregate::ADD_DEVICES)?;
        }
        if no_friction_devices {
            tx.execute_batch(crate::aggregate::ADD_FRICTION_DEVICES)?;
        }
        if no_friction_texts {
            tx.execute_batch(crate::aggregate::ADD_FRICTION_TEXTS)?;
        }
        if no_vitals {
            tx.execute_batch(&crate::aggregate::add_vitals())?;
        }
        if no_session_vitals {
            tx.execute_batch(&crate::aggregate::add_session_vitals())?;
        }
        if no_moment_times {
            tx.execute_batch(crate::aggregate::ADD_MOMENT_TIMES)?;
        }
        if no_visitors {
            tx.execute_batch(crate::aggregate::ADD_VISITORS)?;
        }
        if no_sources {
            tx.execute_batch(crate::aggregate::ADD_SOURCES)?;
        }
        if no_agents {
            tx.execute_batch(crate::aggregate::ADD_AGENTS)?;
        }
        // The sessions' two indexes from before version 12 lack the campaign (the campaigns
        // grouping reads it from them): made again by the schema below.
        let stale = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name IN ('sessions_last', 'sessions_site_last')
                              AND instr(sql, 'campaign') = 0)",
            [],
            |r| r.get::<_, bool>(0),
        )?;
        if stale {
            tx.execute_batch("DROP INDEX IF EXISTS sessions_site_last; DROP INDEX IF EXISTS sessions_last;")?;
        }
        tx.execute_batch(crate::aggregate::SCHEMA)?;
        tx.execute_batch(&crate::aggregate::page_schema())?;
        if no_channels {
            tx.execute_batch(crate::aggregate::FILL_CHANNELS)?;
        }
        if no_users {
            crate::aggregate::fill_users(&tx)?;
        }
        if no_devices {
            tx.execute_batch(crate::aggregate::FILL_DEVICES)?;
        }
        if no_friction_devices {
            tx.execute_batch(crate::aggregate::FILL_FRICTION_DEVICES)?;
        }
        if no_friction_texts {
            tx.execute_batch(crate::aggregate::FILL_FRICTION_TEXTS)?;
        }
        if no_session_vitals {
            crate::aggregate::fill_session_vitals(&tx)?;
        }
        if no_moment_times {
            crate::aggregate::fill_moment_times(&tx)?;
        }
        if no_visitors {
            crate::aggregate::fill_visitors(&tx)?;
        }
        if no_sources {
            tx.execute_batch(crate::aggregate::FILL_SOURCES)?;
        }
        let rebuilt = has_events && version < 3;
        if rebuilt {
            // Tags included: each event's facts are read from its body, tags with them.
            crate::aggregate::rebuild(&tx)?;
        } else if has_events && version == 3 {
            tx.execute_batch(crate::aggregate::HOURS_FROM_MINUTES)?;
        }
        if no_tags && !rebuilt {
            crate::aggregate::fill_tags(&tx)?;
        }
        if has_events && (3..8).contains(&version) {
            crate::aggregate::fill_sampled(&tx)?;
        }
        if no_pages && !rebuilt {
            crate::aggregate::fill_pages(&tx)?;
        }
        if (9..11).contains(&version) {
            tx.execute_batch(
                "DELETE FROM page_minutes WHERE site = ''; DELETE FROM page_hours WHERE site = '';
                 DELETE FROM page_days WHERE site = '';",
            )?;
        }
        // Versions 3 to 14 kept no counts per device class (version 2 and older: rebuilt above).
        if has_events && (3..15).contains(&version) {
            crate::aggregate::fill_device_counts(&tx)?;
        }
        // Versions 9 to 13 kept no page rows per device class, 9 to 15 no Core Web Vitals:
        // counted again, with them.
        if has_events && (9..16).contains(&version) {
            tx.execute_batch("DELETE FROM page_minutes; DELETE FROM page_hours; DELETE FROM page_days;")?;
            crate::aggregate::fill_pages(&tx)?;
        }
        // (Version 2 and older: rebuilt above, tag page tables with the rest.)
        if no_tag_pages && !rebuilt {
            crate::aggregate::fill_tag_pages(&tx)?;
        }
        if no_tag_counts && !rebuilt {
            crate::aggregate::fill_tag_counts(&tx)?;
        }
        // Versions before 21 counted automated traffic (`context.automated`) in the aggregates,
        // and so did the backfills above: if an event may be such (its text names the member;
        // another that does costs a rebuild for nothing), they are built again, last, without it.
        let automated = || -> rusqlite::Result<bool> {
            tx.query_row("SELECT EXISTS (SELECT 1 FROM events WHERE instr(body, '\"automated\"') > 0)", [], |r| {
                r.get(0)
            })
        };
        // Versions before 24 counted a quick back (after a restore or a reload) on the page
        // returned to, not on the page left (`from_path`, see validate::facts_of): built again
        // when there is one (the event index answers).
        let quick_backs = || -> rusqlite::Result<bool> {
            tx.query_row("SELECT EXISTS (SELECT 1 FROM events WHERE event = 'quick_back')", [], |r| r.get(0))
        };
        // Versions before 25 counted a tag with a control character in its key or value, which
        // ingestion now leaves out (see facts::is_tag_text): built again without it when one is
        // counted (an erasure, which reads an event's tags again from its body, would leave its
        // rows behind). (One pass over the tags' distinct keys and values, in `event_tags`' own
        // order.)
        let control_tags = || -> rusqlite::Result<bool> {
            let mut stmt = tx.prepare("SELECT DISTINCT key, value FROM event_tags")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let text = |i: usize| r.get_ref(i).map(|v| v.as_str().unwrap_or("").to_string());
                if !crate::facts::is_tag_text(&text(0)?) || !crate::facts::is_tag_text(&text(1)?) {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let built_again = has_events
            && !rebuilt
            && (version < 21 && automated()? || version < 24 && quick_backs()? || version < 25 && control_tags()?);
        if built_again {
            crate::aggregate::rebuild(&tx)?;
        }
        let mut rebuilt = rebuilt || built_again;
        // Versions before 30 left automated traffic out per event (a session with events with and
        // without `context.automated` was counted), and counted each page_leave of a view, a
        // resumed one (a tab shown again) too: the sessions of automated traffic are marked, and
        // the aggregates built again if one was counted (it has a row) or a resumed page_leave
        // is stored (the events index answers; those that name `resumed` are read).
        if has_events && version < 30 && !rebuilt {
            crate::aggregate::fill_automated(&tx)?;
            let counted = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM automated_sessions AS a
                                  JOIN sessions AS s ON s.session_id = a.session_id AND s.site = a.site)",
                [],
                |r| r.get::<_, bool>(0),
            )?;
            let resumed = || -> rusqlite::Result<bool> {
                tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_event_id
                                     WHERE event = 'page_leave' AND instr(body, 'resumed') > 0)",
                    [],
                    |r| r.get(0),
                )
            };
            if counted || resumed()? {
                crate::aggregate::rebuild(&tx)?;
                rebuilt = true;
            }
        }
        // Versions before 32 grouped a friction event of no element (a failed request, an error)
        // under an empty selector: built again, now grouped by what failed, if one is counted.
        if has_events && version < 32 && !rebuilt {
            let ungrouped = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM friction
                                 WHERE event IN ('failed_request', 'js_error', 'error_click') AND selector = '')",
                [],
                |r| r.get::<_, bool>(0),
            )?;
            if ungrouped {
                crate::aggregate::rebuild(&tx)?;
            }
        }
        if has_events && version < 22 {
            tx.execute_batch(FILL_ORDERS)?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        if let Some(t0) = migrating {
            crate::log::log_line!(
                "migrated the database to schema {SCHEMA_VERSION} in {:.1} s",
                t0.elapsed().as_secs_f64()
            );
        }
        Ok(conn)
    }

    /// `path`: the database file, for the read pool's own connections (None: share `reader`).
    fn start(
        writer: Arc<Mutex<Connection>>,
        reader: Arc<Mutex<Connection>>,
        tuning: Tuning,
        path: Option<&str>,
    ) -> Result<Store, StoreError> {
        let wal_restart = Arc::new(AtomicBool::new(false));
        let feed = Arc::new(crate::window::Feed::default());
        // (A file only: one in memory cannot be restored from a backup, and a read-only one is
        // never written.)
        let time_floor = path.is_some();
        let state = Writer::load(writer, tuning, wal_restart.clone(), feed.clone(), time_floor)?;
        let (jobs, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("tp-sqlite-writer".into())
            .spawn(move || state.run(rx))
            .map_err(StoreError::Io)?;
        let reads = match &path {
            Some(p) => crate::reads::ReadPool::open(p, feed)?,
            None => crate::reads::ReadPool::shared(reader.clone(), feed),
        };
        Ok(Store {
            reads,
            reader,
            jobs: Some(jobs),
            writer: Some(handle),
            checkpointer: None,
            wal_restart,
            _lock: None,
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.reader)
    }

    /// Queues a batch for the writer. The receiver yields once the batch is committed (or
    /// failed: then nothing of it was stored). Events whose messageId is already stored, or
    /// appears earlier in the same batch or group, count as duplicates.
    pub fn submit(&self, events: Vec<Event>) -> oneshot::Receiver<Result<InsertOutcome, StoreError>> {
        let (reply, rx) = oneshot::channel();
        if events.is_empty() {
            let _ = reply.send(Ok(InsertOutcome { accepted: 0, duplicates: 0 }));
        } else if let Some(jobs) = &self.jobs {
            // If the writer is gone the job (and its reply sender) is dropped: the caller sees
            // a closed channel, which `insert` turns into an error.
            let _ = jobs.send(Job::Insert { events, reply });
        }
        rx
    }

    /// Stores a batch atomically and returns after the commit. On error nothing of it was stored.
    pub async fn insert(&self, events: Vec<Event>) -> Result<InsertOutcome, StoreError> {
        self.submit(events).await.map_err(|_| writer_gone())?
    }

    /// Blocking [`Store::insert`], for code outside the async runtime.
    pub fn insert_batch(&self, events: Vec<Event>) -> Result<InsertOutcome, StoreError> {
        self.submit(events).blocking_recv().map_err(|_| writer_gone())?
    }

    /// Which of `ids` are stored, each in order: asked of the writer, which knows the ids not
    /// yet merged into `seen` (answered after the batches queued before it are committed).
    pub fn known(&self, ids: Vec<String>) -> oneshot::Receiver<Result<Vec<bool>, StoreError>> {
        let (reply, rx) = oneshot::channel();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job::Known { ids, reply });
        }
        rx
    }

    /// Merges every id waiting in memory into `seen`, and waits for it. Blocking.
    pub fn merge_all(&self) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job::MergeAll { reply });
        }
        rx.blocking_recv().map_err(|_| writer_gone())?
    }

    /// The sessions with an event naming `who` (see [`crate::privacy::find`]): a scan of the
    /// stored events on the read connection. Blocking.
    pub fn find_subject(&self, who: &Subject) -> Result<Vec<SessionKey>, StoreError> {
        Ok(self.scan_subject(who)?.sessions)
    }

    /// [`Store::find_subject`], and where its scan began, for [`Store::erase_subject`]. Blocking.
    pub fn scan_subject(&self, who: &Subject) -> Result<Found, StoreError> {
        Ok(crate::privacy::find(&self.conn(), who)?)
    }

    /// Erases a person's sessions: those `found` (by [`Store::scan_subject`]), and those that
    /// name them among the events stored since its scan began, looked for in the writer's
    /// transaction (see [`crate::privacy::find_after`]). Blocking.
    pub fn erase_subject(&self, who: &Subject, found: Found) -> Result<Erased, StoreError> {
        self.send_erase(found.sessions, Why::Request, Some((who.clone(), found.upto)))
    }

    /// The stored events of `sessions` (see [`crate::privacy::export`]). Blocking.
    pub fn export(&self, sessions: &[SessionKey], max_bytes: usize) -> Result<Option<Vec<u8>>, StoreError> {
        self.export_with(sessions, max_bytes, false)
    }

    /// [`Store::export`], and with `collected` what the collector holds of those sessions beside
    /// their events (see [`crate::privacy::export`]). Blocking.
    pub fn export_with(
        &self,
        sessions: &[SessionKey],
        max_bytes: usize,
        collected: bool,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(crate::privacy::export(&self.conn(), sessions, max_bytes, collected)?)
    }

    /// What erasing `sessions` would take out. Blocking.
    pub fn count_sessions(&self, sessions: &[SessionKey]) -> Result<Erased, StoreError> {
        Ok(crate::privacy::count(&self.conn(), sessions)?)
    }

    /// Erases `sessions`, whole, in one transaction of the writer, and waits for it. Blocking.
    pub fn erase(&self, sessions: Vec<SessionKey>) -> Result<Erased, StoreError> {
        self.erase_for(sessions, Why::Request)
    }

    fn erase_for(&self, sessions: Vec<SessionKey>, why: Why) -> Result<Erased, StoreError> {
        if sessions.is_empty() {
            return Ok(Erased::default());
        }
        self.send_erase(sessions, why, None)
    }

    fn send_erase(
        &self,
        sessions: Vec<SessionKey>,
        why: Why,
        also: Option<(Subject, i64)>,
    ) -> Result<Erased, StoreError> {
        let (reply, rx) = oneshot::channel();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job::Erase { sessions, why, also, reply });
        }
        rx.blocking_recv().map_err(|_| writer_gone())?
    }

    /// Erases every session whose last event counts before `before` (unix ms), a few hundred
    /// per transaction so that batches are stored in between; their message ids leave the
    /// deduplication table (see [`Why::Retention`]). Those with a row in `sessions` first, then
    /// those without (automated traffic: [`crate::privacy::expired_without_row`]). Blocking.
    pub fn expire(&self, before: i64) -> Result<Erased, StoreError> {
        let mut all = Erased::default();
        loop {
            let mut keys = crate::privacy::expired(&self.conn(), before, EXPIRE_CHUNK)?;
            if keys.is_empty() {
                keys = crate::privacy::expired_without_row(&self.conn(), before, EXPIRE_CHUNK)?;
            }
            let done = self.erase_for(keys, Why::Retention)?;
            all.sessions += done.sessions;
            all.events += done.events;
            if done.sessions == 0 {
                if all.sessions > 0 {
                    self.truncate_log();
                }
                return Ok(all);
            }
        }
    }

    /// The retention's last step, in the writer (see [`truncate_log`]). Blocking.
    fn truncate_log(&self) {
        let (reply, rx) = oneshot::channel();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job::TruncateLog { reply });
        }
        let _ = rx.blocking_recv();
    }

    /// Stored event bodies, newest first (the read API's query, on this blocking connection).
    pub fn recent(&self, q: &Query) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        crate::query::events(&conn, &q.site, &q.event, i64::from(q.limit))
            .map(|(events, _)| events.into_iter().map(|e| e.body).collect())
            .map_err(|e| StoreError::Task(format!("{e:?}")))
    }

    /// Events per site, from the totals the writer keeps.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT site, events FROM site_totals WHERE site <> ''")?;
        let by_site = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        Ok(Stats { events: by_site.values().sum(), by_site })
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

impl Drop for Store {
    /// Lets the writer finish what is queued, then waits for it. The reads are closed first, so
    /// that the last connection to close is `reader`, a writable one: it copies the write-ahead
    /// log into the file and deletes it. A read-only connection cannot, and the log was left
    /// behind at every stop, with whatever an erasure could not truncate at once.
    fn drop(&mut self) {
        self.reads.close();
        self.jobs.take();
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
        self.checkpointer.take();
    }
}

/// Copies the WAL back into the database file from its own thread and connection, so that a
/// batch's commit never waits for a checkpoint (SQLite's automatic checkpoint runs inside the
/// commit that crosses the threshold, and fsyncs the database file there).
///
/// A PASSIVE checkpoint runs alongside the writer but cannot make the WAL start over while
/// batches keep coming (the writer appends while it copies), so the WAL file grows. Once it
/// holds `WAL_RESTART_FRAMES` and the passive checkpoints have caught up with all but
/// `WAL_RESTART_BACKLOG` frames, the checkpointer asks the writer thread to run one more
/// PASSIVE checkpoint itself, between two groups: with no writer alongside, that one copies
/// the small rest, and the writer's next transaction starts the WAL over. (A RESTART
/// checkpoint from this thread would do the same, but hold the writer off longer, and its
/// busy handler after that: measured 130-650 ms, against 100-250 ms.) If the disk cannot keep up and the
/// WAL reaches `WAL_MAX_FRAMES`, a RESTART runs from here anyway: batches wait (past the
/// writer's busy timeout they get `503`: back-pressure).
struct Checkpointer {
    stop: Arc<(Mutex<bool>, std::sync::Condvar)>,
    thread: Option<JoinHandle<()>>,
}

/// Check the WAL this often.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// WAL frames (pages of 4 KiB) from which the WAL should start over: 256 MiB. Each start-over
/// holds the writer up for a checkpoint's fsyncs (100-250 ms on this machine's disk), so not
/// too often.
const WAL_RESTART_FRAMES: i64 = 65_536;
/// Frames not yet copied below which the writer finishes the checkpoint quickly: 4 MiB.
const WAL_RESTART_BACKLOG: i64 = 1_024;
/// Flush the database file after the checkpoints have copied this many frames (8 MiB) into it.
/// SQLite flushes it only after a checkpoint that copied the whole WAL, which under steady load
/// is the one the writer runs to start the WAL over: that one then flushed up to 256 MiB of
/// pages and held every batch up for ~400 ms. Flushed a little at a time from this thread, which
/// holds no lock meanwhile, the writer's checkpoint finds less left to flush (55-135 ms measured).
const SYNC_EVERY_FRAMES: i64 = 2_048;
/// Before asking the writer to start the WAL over, at most this many rounds of checkpoint and
/// flush, stopping at the first that takes less than `RESTART_ROUND_QUICK`.
const RESTART_ROUNDS: usize = 8;
const RESTART_ROUND_QUICK: Duration = Duration::from_millis(10);
/// Frames at which the WAL starts over whatever it costs: 1 GiB.
const WAL_MAX_FRAMES: i64 = 262_144;
/// With no new frame for this long and all of them copied, the WAL file is truncated to nothing.
/// Truncating costs the next commit a file that grows again, so not between two close batches.
const IDLE_TRUNCATE_AFTER: Duration = Duration::from_secs(1);

impl Checkpointer {
    fn start(path: &str, wal_restart: Arc<AtomicBool>) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(2))?;
        let stop = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let flag = stop.clone();
        // The database file, to be flushed from here (see `SYNC_EVERY_FRAMES`).
        let db_file = std::fs::File::open(path).map_err(StoreError::Io)?;
        let mut synced_upto = 0i64;
        // The WAL as the last checkpoint found it, and since when it has been so (see
        // `IDLE_TRUNCATE_AFTER`).
        let mut last = (0i64, 0i64);
        let mut idle_since = Instant::now();
        let thread = std::thread::Builder::new()
            .name("tp-sqlite-checkpoint".into())
            .spawn(move || {
                let (lock, cv) = &*flag;
                let mut stopped = lock.lock().unwrap_or_else(|e| e.into_inner());
                while !*stopped {
                    stopped = cv.wait_timeout(stopped, CHECKPOINT_EVERY).unwrap_or_else(|e| e.into_inner()).0;
                    if *stopped {
                        break;
                    }
                    // (busy, frames in the WAL, frames checkpointed); errors are retried later.
                    let frames = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                        Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                    });
                    if let Ok((log, copied)) = frames {
                        // `copied` goes back to 0 when the WAL starts over.
                        if copied < synced_upto || copied - synced_upto >= SYNC_EVERY_FRAMES {
                            let _ = db_file.sync_data();
                            synced_upto = copied;
                        }
                        if log >= WAL_MAX_FRAMES {
                            let _ = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
                        } else if log >= WAL_RESTART_FRAMES && log - copied <= WAL_RESTART_BACKLOG {
                            // The writer's checkpoint flushes the WAL and the database file
                            // (synchronous=NORMAL) while every batch waits: the WAL written since
                            // this thread's last checkpoint began (up to 100 ms of it) and the
                            // pages copied since the last `sync_data`, 70-250 ms on this disk.
                            // Catch up from here first, back to back (each checkpoint flushes
                            // the WAL written while the previous round ran), until a round is
                            // quick: then the writer finds only that round's worth of each.
                            for _ in 0..RESTART_ROUNDS {
                                let t = Instant::now();
                                let copied =
                                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(2));
                                let _ = db_file.sync_data();
                                synced_upto = copied.unwrap_or(synced_upto);
                                if t.elapsed() < RESTART_ROUND_QUICK {
                                    break;
                                }
                            }
                            wal_restart.store(true, Ordering::Relaxed);
                        }
                        // Idle, and every frame copied: the file is truncated, or it would keep
                        // its size (up to `WAL_MAX_FRAMES`) for as long as no batch comes. Without
                        // a busy handler: a read holding a snapshot (or a batch starting) makes it
                        // give up at once rather than hold the writer's lock while it waits; it
                        // is tried again after the next idle stretch.
                        if (log, copied) != last || log != copied || log <= 0 {
                            idle_since = Instant::now();
                        } else if idle_since.elapsed() >= IDLE_TRUNCATE_AFTER {
                            let _ = conn.busy_timeout(Duration::ZERO);
                            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                            let _ = conn.busy_timeout(Duration::from_secs(2));
                            idle_since = Instant::now();
                        }
                        last = (log, copied);
                    }
                }
            })
            .map_err(StoreError::Io)?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, cv) = &*self.stop;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Bytes the WAL file is cut back to when it starts over (see `journal_size_limit` in
/// [`Store::init`]): 64 MiB.
const JOURNAL_SIZE_LIMIT: i64 = 64 << 20;

/// Takes the locks that make a collector the only one on the database at `path`: an exclusive
/// `flock` on `<path>.lock`, and one on the database file itself, held until the store is dropped
/// (or the process ends).
///
/// Why one collector per file: the writer loads the last `events.id` once and gives the next ids
/// from memory (and keeps the recent message ids in memory too); a second writer on the same file
/// gives the same ids, and the first then failed every batch on `events.id` for ever. Why this
/// lock:
/// - not SQLite's `locking_mode=EXCLUSIVE`: in WAL mode it keeps every other connection out,
///   this process's own read pool and checkpointer too;
/// - an OS lock, not a file holding a PID: the kernel lets go of it when the process ends, even
///   killed or crashed, so no stale lock is ever left to remove by hand;
/// - on a file of its own, not the database: SQLite's POSIX locks on the database file are let go
///   of whenever any descriptor of it in the process is closed. The file stays (removing it would
///   let a collector starting meanwhile lock a file the next one no longer sees).
/// - and on the database file too: someone who deleted `<path>.lock` anyway (cleaning up what
///   looks like a stale file) let a second collector make a new one and lock that; the database
///   file is the one file nobody deletes while its collector runs. On Linux a `flock` and SQLite's
///   POSIX (`fcntl`) locks are independent, so SQLite's own locking and WAL work as before. Its
///   descriptor is opened before SQLite's connections and closed after them; only a refused
///   second store in the same process closes one meanwhile (that drops this process's POSIX locks
///   on the file: why `<path>.lock` is taken first, which refuses that store in every other case).
fn lock_database(path: &str) -> Result<[std::fs::File; 2], StoreError> {
    // The lock beside the file itself, wherever links lead: a second collector given a symlink to
    // the same database (or another spelling of its directory) took a lock of its own, and both
    // stored the same messageIds.
    let real = real_path(path);
    let lock_path = format!("{}.lock", real.display());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(StoreError::Io)?;
    try_lock(&file, &lock_path)?;
    // (Read-only is enough for a flock. Made here when new, with SQLite's permissions; an empty
    // file is an empty database to SQLite.)
    let db = match std::fs::File::open(&real) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o644).open(&real)
        }
        other => other,
    }
    .map_err(|e| StoreError::Io(std::io::Error::new(e.kind(), format!("cannot open {}: {e}", real.display()))))?;
    try_lock(&db, &real.display().to_string())?;
    Ok([file, db])
}

fn try_lock(file: &std::fs::File, name: &str) -> Result<(), StoreError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Refused(format!(
            "in use by another touchpoint-collector (it holds a lock on {name}): one collector per database \
             file; stop the other one, or give this one another --db"
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StoreError::Io(std::io::Error::new(e.kind(), format!("cannot lock {name}: {e}"))))
        }
    }
}

/// `path` with every symlink resolved: the file's, or (not made yet) its directory's.
fn real_path(path: &str) -> std::path::PathBuf {
    let p = Path::new(path);
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        match (std::fs::canonicalize(dir), p.file_name()) {
            (Ok(d), Some(name)) => d.join(name),
            _ => p.to_path_buf(),
        }
    })
}

fn writer_gone() -> StoreError {
    StoreError::Task("the SQLite writer thread stopped".into())
}

/// After an erasure the write-ahead log still holds the pages the erased events were written
/// in (until later writes overwrite its frames); copied into the file, whose deleted content
/// `secure_delete` zeroed, and truncated, they are gone. It waits for readers to let go (the
/// busy handler, 2 s at most); batches wait meanwhile. Erasures are rare, and the retention runs
/// once an hour; a log that could not be truncated now is at the collector's next stop.
fn truncate_log(conn: &Connection, after: &str) {
    // The checkpointer's own PASSIVE checkpoint (every 100 ms) holds the checkpoint lock while it
    // copies, and a TRUNCATE then answers busy at once (no busy handler for that lock): seen as
    // an erased event left in the log, 1 run in ~10 on a loaded machine. Tried again meanwhile.
    let mut truncated = Ok(1);
    for _ in 0..40 {
        truncated = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        if matches!(truncated, Ok(0) | Err(_)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    if !matches!(truncated, Ok(0)) {
        crate::log::log_line!("{after}: the write-ahead log could not be truncated now ({truncated:?})");
    }
}

fn lock(conn: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    // A panic mid-call drops its Transaction, which rolls back, so the
    // connection is still consistent: recover from poisoning.
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

// OR FAIL rather than the default ABORT: a failing statement fails the whole group's transaction
// anyway, so SQLite need not keep a statement journal to undo just the statement (a multi-row
// INSERT kept one, about 6 % of the writer's time).
// The id is given, not left to SQLite (the largest id + 1): after an erasure took the newest
// rows, SQLite would give their ids again, and the kept windows and `seen_upto` rely on ids only
// growing (see `privacy.rs`).
const INSERT: &str = "INSERT OR FAIL INTO events
   (id, message_id, site, type, event, session_id, timestamp, received_at, body, browser, os, sent_at)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// Parameters of a row of [`INSERT`] and [`INSERT_MANY`].
const PARAMS_PER_ROW: usize = 12;

/// Rows per multi-row INSERT ([`PARAMS_PER_ROW`] parameters each; SQLite allows 32766).
const ROWS_PER_INSERT: usize = 16;

static INSERT_MANY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    format!(
        "INSERT OR FAIL INTO events (id, message_id, site, type, event, session_id, timestamp, received_at, body,
           browser, os, sent_at) VALUES {}",
        vec![row; ROWS_PER_INSERT].join(", ")
    )
});

/// An `INSERT` into `events` of `rows` rows whose text is bound without a copy (`SQLITE_STATIC`).
/// rusqlite binds every string with `SQLITE_TRANSIENT`, which makes SQLite allocate and copy each
/// one (about 9 % of the writer's time); SQLite copies the text into the record anyway. Used by
/// the writer only, while it holds the connection's lock; every binding is cleared after the
/// statement ran, so SQLite keeps no pointer into the events.
struct RawInsert {
    stmt: *mut rusqlite::ffi::sqlite3_stmt,
    rows: usize,
    /// Keeps the connection open until the statement is finalized.
    conn: Arc<Mutex<Connection>>,
}

// The statement is used only under the lock of the connection it belongs to (as the connection
// itself, which is Send).
unsafe impl Send for RawInsert {}

impl RawInsert {
    /// `conn` is the locked connection of `shared`.
    fn prepare(conn: &Connection, shared: &Arc<Mutex<Connection>>, sql: &str, rows: usize) -> rusqlite::Result<Self> {
        use rusqlite::ffi;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: the handle is valid while `conn` is; the SQL is passed with its length.
        let rc = unsafe {
            let db = conn.handle();
            ffi::sqlite3_prepare_v3(
                db,
                sql.as_ptr().cast(),
                sql.len() as std::ffi::c_int,
                ffi::SQLITE_PREPARE_PERSISTENT as std::ffi::c_uint,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            return Err(raw_error(conn, rc));
        }
        Ok(RawInsert { stmt, rows, conn: shared.clone() })
    }

    /// Inserts `events` (exactly `rows` of them) through `conn`, the locked connection, with the
    /// ids `first_id..`.
    fn run(&mut self, conn: &Connection, events: &[&Event], received_at: i64, first_id: i64) -> rusqlite::Result<()> {
        use rusqlite::ffi;
        assert_eq!(events.len(), self.rows);
        let stmt = self.stmt;
        let mut rc = ffi::SQLITE_OK;
        'bind: for (i, e) in events.iter().enumerate() {
            let at = (i * PARAMS_PER_ROW) as std::ffi::c_int;
            // SAFETY: a valid statement and parameter index.
            rc = unsafe { ffi::sqlite3_bind_int64(stmt, at + 1, first_id + i as i64) };
            if rc != ffi::SQLITE_OK {
                break;
            }
            let t = e.text();
            let (browser, os) = (e.facts.browser.as_str(), e.facts.os.as_str());
            let texts = [t.message_id, t.site, t.kind, t.event, t.session_id, t.timestamp, t.body, browser, os];
            for (k, t) in texts.into_iter().enumerate() {
                let Ok(len) = std::ffi::c_int::try_from(t.len()) else {
                    rc = ffi::SQLITE_TOOBIG;
                    break 'bind;
                };
                // (id, the six texts, received_at, body, browser, os.)
                let index = at + if k < 6 { k as std::ffi::c_int + 2 } else { k as std::ffi::c_int + 3 };
                rc = if k >= 7 && t.is_empty() {
                    // An unknown browser or OS: NULL, as the rows stored before they were kept.
                    // SAFETY: a valid statement and parameter index.
                    unsafe { ffi::sqlite3_bind_null(stmt, index) }
                } else {
                    // SAFETY: `t` outlives the statement's use of it: the step below, after which
                    // the bindings are cleared.
                    unsafe { ffi::sqlite3_bind_text(stmt, index, t.as_ptr().cast(), len, ffi::SQLITE_STATIC()) }
                };
                if rc != ffi::SQLITE_OK {
                    break 'bind;
                }
            }
            // SAFETY: a valid statement and parameter index.
            rc = unsafe { ffi::sqlite3_bind_int64(stmt, at + 8, received_at) };
            if rc != ffi::SQLITE_OK {
                break;
            }
            // SAFETY: a valid statement and parameter index.
            rc = unsafe {
                match e.facts.sent_at {
                    Some(sent) => ffi::sqlite3_bind_int64(stmt, at + 12, sent),
                    None => ffi::sqlite3_bind_null(stmt, at + 12),
                }
            };
            if rc != ffi::SQLITE_OK {
                break;
            }
        }
        if rc == ffi::SQLITE_OK {
            // SAFETY: a valid statement, every parameter bound.
            rc = unsafe { ffi::sqlite3_step(stmt) };
        }
        let result = if rc == ffi::SQLITE_DONE { Ok(()) } else { Err(raw_error(conn, rc)) };
        // SAFETY: a valid statement. Clearing the bindings drops SQLite's pointers into `events`.
        unsafe {
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
        }
        result
    }
}

impl Drop for RawInsert {
    fn drop(&mut self) {
        let _conn = lock(&self.conn);
        // SAFETY: the statement is valid and no longer used; its connection is open (`conn`).
        unsafe { rusqlite::ffi::sqlite3_finalize(self.stmt) };
    }
}

/// The error of a call that returned `rc` on `conn`, as rusqlite reports one.
fn raw_error(conn: &Connection, rc: std::ffi::c_int) -> rusqlite::Error {
    // SAFETY: the handle is valid while `conn` is; sqlite3_errmsg returns a NUL-terminated string.
    let msg = unsafe { std::ffi::CStr::from_ptr(rusqlite::ffi::sqlite3_errmsg(conn.handle())) };
    let rc = if rc == rusqlite::ffi::SQLITE_OK { rusqlite::ffi::SQLITE_ERROR } else { rc };
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rc), Some(msg.to_string_lossy().into_owned()))
}

/// Event ids a collector can give per millisecond of wall clock between two starts, at most,
/// for [`id_floor_at`] to hold: 1,000,000 events a second on average, ten times what it stores.
pub const IDS_PER_MS: i64 = 1000;

/// The id after which a writer started at `now_ms` numbers events (when the file's own last id
/// is lower): the start's time in milliseconds times [`IDS_PER_MS`]. A writer started later
/// starts above every id an earlier one gave (unless it gave more than `IDS_PER_MS` per
/// millisecond since its own start, or the clock went back), even when the file was meanwhile
/// restored from a backup that holds fewer ids: an export cursor (`after=`) is then never
/// above new events, and no id is given twice. At most half of 2^53 (ids stay exact in a
/// JavaScript number, with room above) until the year 2112; past that, no floor.
pub fn id_floor_at(now_ms: i64) -> i64 {
    const MAX_SAFE: i64 = (1 << 53) - 1;
    match now_ms.checked_mul(IDS_PER_MS) {
        Some(f) if f > 0 && f < MAX_SAFE / 2 => f,
        _ => 0,
    }
}

/// The last `events.id` ever given: above every stored id, also those of erased rows (see
/// `privacy.rs`). (A read-only database of an older version has no `meta`.)
fn last_given_id(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT max(COALESCE((SELECT MAX(id) FROM events), 0),
                    COALESCE((SELECT value FROM meta WHERE key = 'id_floor'), 0))",
        [],
        |r| r.get(0),
    )
    .or_else(|_| c.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0)))
}

/// Whether an insert failed because an `events.id` it gave is already in the file.
fn id_taken(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, Some(msg)))
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY && msg.ends_with("events.id"))
}

/// How often the writer looks whether a merge's ids are sorted, when no batch comes.
const MERGE_POLL: Duration = Duration::from_millis(2);
/// After a merge chunk failed, try again after this.
const MERGE_BACKOFF: Duration = Duration::from_secs(5);

/// Sessions per transaction of [`Store::expire`].
const EXPIRE_CHUNK: usize = 500;

/// Ids per multi-row INSERT into `seen` during a merge.
const IDS_PER_INSERT: usize = 50;

static SEEN_INSERT_MANY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("INSERT OR IGNORE INTO seen (message_id) VALUES {}", vec!["(?)"; IDS_PER_INSERT].join(", "))
});

/// The hasher of the id sets: foldhash, seeded per process (ids come from clients).
type RandomState = foldhash::fast::RandomState;

type IdSet = HashSet<Arc<str>, RandomState>;

/// A merge into `seen` in progress: the ids that were `recent` when it started.
///
/// Why the set is handed over whole rather than emptied id by id: the writer answers no batch
/// while it works, and the load benchmark showed that removing 100,000 ids from `recent` once
/// the merge was done, sorting them, and the rehashing that the removals' tombstones caused
/// later each held every client up for 15-50 ms, every 100,000 events. Now starting a merge
/// swaps in an empty set, the ids are sorted on a thread of their own while batches go on, and
/// a finished merge is freed on a thread of its own.
struct Merge {
    /// The ids, still looked up for duplicates until the last chunk is committed.
    set: Arc<IdSet>,
    /// The thread sorting them, until it is done.
    sorting: Option<JoinHandle<Vec<Arc<str>>>>,
    /// The ids sorted (so each chunk covers one stretch of `seen`); empty while sorting.
    ids: Vec<Arc<str>>,
    done: usize,
    /// The last `events.id` whose message id is in `ids`.
    upto: i64,
}

impl Merge {
    fn start(set: IdSet, upto: i64) -> Merge {
        let set = Arc::new(set);
        let shared = set.clone();
        // If no thread can be made, sort here.
        let (sorting, ids) = match std::thread::Builder::new().name("tp-id-sort".into()).spawn(move || sorted(&shared))
        {
            Ok(h) => (Some(h), Vec::new()),
            Err(_) => (None, sorted(&set)),
        };
        Merge { set, sorting, ids, done: 0, upto }
    }

    /// Whether the ids are sorted (waiting for the sorting thread if `wait`).
    fn ready(&mut self, wait: bool) -> bool {
        match &self.sorting {
            Some(h) if !wait && !h.is_finished() => false,
            Some(_) => {
                let h = self.sorting.take().expect("checked");
                self.ids = h.join().unwrap_or_else(|_| sorted(&self.set));
                true
            }
            None => true,
        }
    }
}

/// The ids sorted as SQLite compares text (bytes), by an 8-byte prefix first: a few
/// milliseconds for 100,000 ids where comparing the strings themselves took 20-50.
fn sorted(set: &IdSet) -> Vec<Arc<str>> {
    let prefix = |id: &str| {
        let mut p = [0u8; 8];
        let n = id.len().min(8);
        p[..n].copy_from_slice(&id.as_bytes()[..n]);
        u64::from_be_bytes(p)
    };
    let mut keyed: Vec<(u64, Arc<str>)> = set.iter().map(|id| (prefix(id), id.clone())).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// The writer thread's state.
struct Writer {
    conn: Arc<Mutex<Connection>>,
    tuning: Tuning,
    /// The message ids of events after `seen_upto` that are not in `merge`.
    recent: IdSet,
    /// Every stored message id, approximately: `seen` is asked only about ids it may hold.
    filter: IdFilter,
    merge: Option<Merge>,
    /// The last `events.id` written.
    last_id: i64,
    /// A merge chunk failed (read-only or broken database): do not retry before this.
    merge_backoff: Option<Instant>,
    /// The checkpointer asks for a checkpoint from this thread (see [`Checkpointer`]).
    wal_restart: Arc<AtomicBool>,
    /// Where each commit's sessions go for the read side (see [`crate::window::Feed`]).
    feed: Arc<crate::window::Feed>,
    /// The INSERTs of `ROWS_PER_INSERT` rows and of one row, prepared at the first commit.
    inserts: Option<(RawInsert, RawInsert)>,
}

/// What one transaction did for the batches of a group.
struct Committed {
    outcomes: Vec<InsertOutcome>,
    last_id: i64,
    merged: usize,
    /// The sessions (id, site) of the new events `last_id - n + 1 ..= last_id`, and n.
    sessions: Vec<(String, String)>,
    new: usize,
}

impl Writer {
    fn load(
        conn: Arc<Mutex<Connection>>,
        tuning: Tuning,
        wal_restart: Arc<AtomicBool>,
        feed: Arc<crate::window::Feed>,
        time_floor: bool,
    ) -> Result<Writer, StoreError> {
        let loaded = {
            let c = lock(&conn);
            // A read-only database of an older version has no `meta`: then nothing is in `seen`.
            let upto: i64 = c
                .query_row("SELECT value FROM meta WHERE key = 'seen_upto'", [], |r| r.get(0))
                .optional()
                .ok()
                .flatten()
                .unwrap_or(0);
            let mut stmt = c.prepare("SELECT message_id FROM events WHERE id > ?1")?;
            let recent = stmt
                .query_map([upto], |r| r.get::<_, String>(0))?
                .map(|r| r.map(Arc::from))
                .collect::<Result<HashSet<Arc<str>, RandomState>, _>>()?;
            let last_id = last_given_id(&c)?;
            // Every id of `seen` into the filter (a read-only database of an older version has
            // no `seen`: then every id is in `recent`).
            let seen: i64 = c.query_row("SELECT COUNT(*) FROM seen", [], |r| r.get(0)).unwrap_or(0);
            // Room to grow to twice the stored ids before a second generation.
            let mut filter = IdFilter::with_capacity(2 * (seen.max(0) as usize + recent.len()));
            if seen > 0 {
                let mut stmt = c.prepare("SELECT message_id FROM seen")?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    if let rusqlite::types::ValueRef::Text(t) = r.get_ref(0)? {
                        filter.insert(std::str::from_utf8(t).unwrap_or_default());
                    }
                }
            }
            for id in &recent {
                filter.insert(id);
            }
            (recent, last_id, filter)
        };
        let (mut recent, mut last_id, filter) = loaded;
        if time_floor {
            last_id = last_id.max(id_floor_at(crate::facts::now_ms()));
        }
        recent.reserve(tuning.merge_at.saturating_sub(recent.len()).min(1 << 20));
        Ok(Writer {
            conn,
            tuning,
            recent,
            filter,
            merge: None,
            last_id,
            merge_backoff: None,
            wal_restart,
            feed,
            inserts: None,
        })
    }

    fn run(mut self, jobs: mpsc::Receiver<Job>) {
        loop {
            if self.wal_restart.swap(false, Ordering::Relaxed) {
                // Errors (a reader holding an old snapshot, say) only mean: not this time.
                let _ = lock(&self.conn).query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
            let first = if self.chunk_due() {
                // Merging: take a batch if one is waiting, else go on merging.
                match jobs.try_recv() {
                    Ok(job) => Some(job),
                    Err(mpsc::TryRecvError::Empty) => None,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            } else if self.merge.is_some() {
                // Sorting, or backing off after a failed chunk: look again soon.
                let until_retry = self.merge_backoff.map(|t| t.saturating_duration_since(Instant::now()));
                match jobs.recv_timeout(until_retry.unwrap_or_default().max(MERGE_POLL)) {
                    Ok(job) => Some(job),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            } else if !self.recent.is_empty() && self.merge_backoff.is_none_or(|t| Instant::now() >= t) {
                match jobs.recv_timeout(self.tuning.idle_merge_after) {
                    Ok(job) => Some(job),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        self.start_merge();
                        None
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match jobs.recv() {
                    Ok(job) => Some(job),
                    Err(_) => return,
                }
            };
            let mut group = Vec::new();
            let mut merge_all = Vec::new();
            let mut erase = Vec::new();
            let mut truncate = Vec::new();
            let mut known = Vec::new();
            let mut n = 0;
            let mut next = first;
            while let Some(job) = next {
                match job {
                    Job::Insert { events, reply } => {
                        n += events.len();
                        group.push((events, reply));
                    }
                    Job::MergeAll { reply } => merge_all.push(reply),
                    Job::Erase { sessions, why, also, reply } => erase.push((sessions, why, also, reply)),
                    Job::TruncateLog { reply } => truncate.push(reply),
                    Job::Known { ids, reply } => known.push((ids, reply)),
                }
                next = if n < MAX_GROUP_EVENTS { jobs.try_recv().ok() } else { None };
            }
            if !group.is_empty() || self.chunk_due() {
                self.commit_group(group);
            }
            for (ids, reply) in known {
                let _ = reply.send(self.known(&ids));
            }
            for (sessions, why, also, reply) in erase {
                let _ = reply.send(self.erase(sessions, why, also));
            }
            if !truncate.is_empty() {
                self.feed.interrupt_reads();
                truncate_log(&lock(&self.conn), "retention");
                for reply in truncate {
                    let _ = reply.send(());
                }
            }
            if !merge_all.is_empty() {
                let result = self.finish_merges();
                for reply in merge_all {
                    let _ = reply.send(match &result {
                        Ok(()) => Ok(()),
                        Err(e) => Err(StoreError::Task(e.to_string())),
                    });
                }
            }
        }
    }

    /// Which of `ids` are stored: as the commit tells a duplicate (`recent`, the merge under
    /// way, then `seen` for the ids the filter may hold).
    fn known(&mut self, ids: &[String]) -> Result<Vec<bool>, StoreError> {
        let conn = self.conn.clone();
        let conn = lock(&conn);
        let mut seen = conn.prepare_cached("SELECT 1 FROM seen WHERE message_id = ?1")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let id = id.as_str();
            out.push(
                self.recent.contains(id)
                    || self.merge.as_ref().is_some_and(|m| m.set.contains(id))
                    || (self.filter.may_contain(id) && seen.exists([id])?),
            );
        }
        Ok(out)
    }

    /// Commits the batches of `group` together (with the next merge chunk, if any) and answers
    /// them. If the group fails, each batch is retried alone so only failing ones are refused.
    fn commit_group(&mut self, group: Vec<(Vec<Event>, Reply)>) {
        let batches: Vec<&[Event]> = group.iter().map(|(e, _)| e.as_slice()).collect();
        let with_chunk = self.chunk_due();
        let result = self.commit(&batches, with_chunk);
        if result.is_err() && with_chunk {
            // The merge chunk may be the cause: try it again later.
            self.merge_backoff = Some(Instant::now() + MERGE_BACKOFF);
        }
        match result {
            Ok(outcomes) => {
                // Every batch is answered before any of them is freed (tens of allocations per
                // event): the answers go out first.
                let mut done = Vec::with_capacity(group.len());
                for ((events, reply), outcome) in group.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                    done.push(events);
                }
                drop(done);
            }
            Err(e) if group.len() <= 1 => {
                if let Some((_, reply)) = group.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            // The group was rolled back. One batch may be the cause (a constraint, a trigger):
            // commit each on its own so that only the failing ones are refused.
            Err(_) => {
                for (events, reply) in group {
                    let one = self.commit(&[&events], false).map(|o| o[0]);
                    let _ = reply.send(one);
                }
            }
        }
    }

    /// [`Writer::commit_once`], once more if the ids it gave were taken already.
    ///
    /// `last_id` is loaded when the writer starts and then only kept in memory, so rows another
    /// process added since (a second collector on the file, which the lock keeps out, or a hand
    /// edit) took the ids it gives: without this every later batch failed on `events.id` for
    /// ever. The ids go on after the largest one in the file. (That process's message ids are not
    /// in `recent`: their events are not known as duplicates until the collector restarts.)
    fn commit(&mut self, batches: &[&[Event]], with_merge: bool) -> Result<Vec<InsertOutcome>, StoreError> {
        match self.commit_once(batches, with_merge) {
            Err(e) if id_taken(&e) => {
                let reloaded = last_given_id(&lock(&self.conn))?;
                if reloaded <= self.last_id {
                    return Err(e);
                }
                crate::log::log_line!(
                    "events.id {} was already taken: another process writes to this \
                     database; ids go on after {reloaded}",
                    self.last_id + 1
                );
                self.last_id = reloaded;
                self.commit_once(batches, with_merge)
            }
            other => other,
        }
    }

    /// One transaction: the batches, plus a merge chunk if `with_merge`. Memory state changes
    /// only once the commit succeeded.
    fn commit_once(&mut self, batches: &[&[Event]], with_merge: bool) -> Result<Vec<InsertOutcome>, StoreError> {
        let conn = self.conn.clone();
        let mut conn = lock(&conn);
        let merge_chunk = self.tuning.merge_chunk;
        let chunk = self
            .merge
            .as_mut()
            .filter(|_| with_merge)
            .and_then(|m| m.ready(false).then(|| (m.done, (m.done + merge_chunk).min(m.ids.len()))));
        let merging = self.merge.as_ref().map(|m| m.set.clone());
        let recent = &mut self.recent;
        let filter = &mut self.filter;
        let merge = &self.merge;
        let inserts = &mut self.inserts;
        let shared = &self.conn;
        let base_id = self.last_id;
        // The ids added to `recent` by this transaction: taken out again if it fails.
        let mut new_ids: Vec<Arc<str>> = Vec::new();
        // A panic in here (there is no known one) drops the Transaction, which rolls back;
        // turn it into an error so the writer thread, and the collector, go on.
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<Committed, StoreError> {
            // IMMEDIATE: take the write lock first (waiting for a checkpoint that holds it, up to
            // the busy timeout). A deferred transaction would read `seen` first and could then be
            // refused the upgrade to writing (SQLITE_BUSY_SNAPSHOT) when the checkpointer has
            // restarted the WAL in between.
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let received_at = crate::facts::now_ms();
            let mut outcomes = Vec::with_capacity(batches.len());
            let mut new_events: Vec<&Event> = Vec::new();
            let mut last_id = 0;
            let mut sessions = Vec::new();
            {
                let mut seen = tx.prepare_cached("SELECT 1 FROM seen WHERE message_id = ?1")?;
                // The body of an order's stored purchase.
                let mut ordered = tx.prepare_cached(
                    "SELECT e.body FROM orders o JOIN events e ON e.id = o.event_id WHERE o.site = ?1 AND o.transaction_id = ?2",
                )?;
                // Whether purchase ?2 repeats ?1 (see below): the same visitor (session,
                // anonymousId or userId), or the same amount.
                let mut repeats_it = tx.prepare_cached(
                    "SELECT json_extract(?1, '$.sessionId') IS json_extract(?2, '$.sessionId')
                         OR coalesce(json_extract(?1, '$.anonymousId') = json_extract(?2, '$.anonymousId'), 0)
                         OR coalesce(json_extract(?1, '$.userId') = json_extract(?2, '$.userId'), 0)
                         OR (json_extract(?1, '$.properties.value') IS json_extract(?2, '$.properties.value')
                             AND json_extract(?1, '$.properties.currency') IS json_extract(?2, '$.properties.currency'))",
                )?;
                // The orders of this group's purchases so far.
                let mut orders: Vec<((&str, &str), &Event)> = Vec::new();
                // The purchases of orders already stored (or stored earlier in this group).
                let mut repeats: Vec<&Event> = Vec::new();
                for events in batches {
                    let mut accepted = 0;
                    for e in events.iter() {
                        let id = e.message_id();
                        // `recent` also holds the ids accepted earlier in this group.
                        if recent.contains(id)
                            || merging.as_ref().is_some_and(|m| m.contains(id))
                            || (filter.may_contain(id) && seen.exists([id])?)
                        {
                            continue;
                        }
                        // A purchase of an order already stored (its thanks page reloaded, or
                        // opened again): a duplicate, as GA4 counts an order once, recorded as a
                        // repeat of the order (`order_repeats`). (Its id is not kept in `seen`:
                        // sent again, it is that order's repeat again, recorded once by its id.)
                        // Only the same visitor's (its session, anonymousId or userId), or one of
                        // the same amount (value and currency: the thanks page opened again from
                        // the order's email, in a new session without an anonymousId): a shop's
                        // order numbers are easy to guess, and a purchase anyone posted first
                        // under the next one made the customer's own its repeat, lost from the
                        // events, the journeys and revenue (a security review). Another's
                        // purchase of a stored order is stored (the order's stays the first).
                        let order = (e.site(), e.facts.order.as_str());
                        if !order.1.is_empty() {
                            let first = match orders.iter().find(|(o, _)| *o == order) {
                                Some((_, first)) => Some(first.body().to_string()),
                                None => ordered.query_row(order, |r| r.get::<_, String>(0)).optional()?,
                            };
                            match first {
                                Some(first) => {
                                    if repeats_it.query_row([first.as_str(), e.body()], |r| r.get::<_, bool>(0))? {
                                        repeats.push(e);
                                        continue;
                                    }
                                }
                                None => orders.push((order, e)),
                            }
                        }
                        // Kept if the transaction fails: a false positive, harmless.
                        filter.insert(id);
                        let id: Arc<str> = Arc::from(id);
                        recent.insert(id.clone());
                        new_ids.push(id);
                        new_events.push(e);
                        accepted += 1;
                    }
                    outcomes.push(InsertOutcome { accepted, duplicates: events.len() - accepted });
                }
                if !repeats.is_empty() {
                    let mut put = tx.prepare_cached(
                        "INSERT OR IGNORE INTO order_repeats (site, transaction_id, message_id, session_id, ts, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?;
                    for e in repeats {
                        let ts = crate::aggregate::event_ts(e, received_at);
                        put.execute(rusqlite::params![
                            e.site(),
                            e.facts.order,
                            e.message_id(),
                            e.session_id(),
                            ts,
                            received_at
                        ])?;
                    }
                }
                // Several rows per INSERT statement: a statement's setup costs about as much as
                // a row.
                if inserts.is_none() {
                    let many = RawInsert::prepare(&tx, shared, &INSERT_MANY, ROWS_PER_INSERT)?;
                    *inserts = Some((many, RawInsert::prepare(&tx, shared, INSERT, 1)?));
                }
                let (many, one) = inserts.as_mut().expect("prepared above");
                // The rows get consecutive ids after the last one ever given.
                let mut next = base_id + 1;
                let mut rows = new_events.chunks_exact(ROWS_PER_INSERT);
                for chunk in &mut rows {
                    many.run(&tx, chunk, received_at, next)?;
                    next += ROWS_PER_INSERT as i64;
                }
                for e in rows.remainder() {
                    one.run(&tx, &[e], received_at, next)?;
                    next += 1;
                }
                if !new_events.is_empty() {
                    last_id = next - 1;
                    let first = base_id + 1;
                    if !orders.is_empty() {
                        // (OR IGNORE: another visitor's purchase of the order, later, is not it.)
                        let mut put = tx.prepare_cached(
                            "INSERT OR IGNORE INTO orders (site, transaction_id, event_id) VALUES (?1, ?2, ?3)",
                        )?;
                        for (i, e) in new_events.iter().enumerate().filter(|(_, e)| !e.facts.order.is_empty()) {
                            put.execute(rusqlite::params![e.site(), e.facts.order, first + i as i64])?;
                        }
                    }
                    let rows: Vec<(i64, &Event)> =
                        new_events.iter().enumerate().map(|(i, e)| (first + i as i64, *e)).collect();
                    // Sessions counted until now that turned out to be automated traffic were
                    // taken out (their rows deleted): the read side's kept windows, which only
                    // see rows added, are made again, as after an erasure.
                    if crate::aggregate::apply(&tx, &rows, received_at)? > 0 {
                        tx.execute(
                            "INSERT INTO meta (key, value) VALUES ('erasures', 1)
                             ON CONFLICT (key) DO UPDATE SET value = value + 1",
                            [],
                        )?;
                    }
                    let mut keys: HashSet<(&str, &str), RandomState> = HashSet::default();
                    for e in &new_events {
                        if keys.insert((e.session_id(), e.site())) {
                            sessions.push((e.session_id().to_string(), e.site().to_string()));
                        }
                    }
                }
            }
            let mut merged = 0;
            if let (Some((from, to)), Some(m)) = (chunk, merge) {
                let mut put_many = tx.prepare_cached(&SEEN_INSERT_MANY)?;
                let mut put = tx.prepare_cached("INSERT OR IGNORE INTO seen (message_id) VALUES (?1)")?;
                let mut ids = m.ids[from..to].chunks_exact(IDS_PER_INSERT);
                for chunk in &mut ids {
                    put_many.execute(rusqlite::params_from_iter(chunk.iter().map(|id| &**id)))?;
                }
                for id in ids.remainder() {
                    put.execute([&**id])?;
                }
                if to == m.ids.len() {
                    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'seen_upto'", [m.upto])?;
                }
                merged = to - from;
            }
            tx.commit()?;
            let new = new_events.len();
            Ok(Committed { outcomes, last_id, merged, sessions, new })
        }))
        .unwrap_or_else(|_| Err(StoreError::Task("panic while committing".into())));
        drop(conn);
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                for id in &new_ids {
                    self.recent.remove(id);
                }
                return Err(e);
            }
        };
        if done.last_id != 0 {
            self.last_id = done.last_id;
            self.feed.push(done.last_id - done.new as i64 + 1, done.last_id, done.sessions);
        }
        if let Some(m) = &mut self.merge {
            m.done += done.merged;
            if done.merged > 0 && m.done == m.ids.len() {
                // Freeing 100,000 ids takes milliseconds: not on the writer's time.
                if let Some(m) = self.merge.take() {
                    let _ = std::thread::Builder::new().name("tp-id-free".into()).spawn(move || drop(m));
                }
            }
        }
        if self.merge.is_none() && self.recent.len() >= self.tuning.merge_at {
            self.start_merge();
        }
        Ok(done.outcomes)
    }

    /// Erases `sessions` in a transaction of its own; then ids stay above every id given so far
    /// (`id_floor`, for a restart after the newest rows were erased), the read side's kept
    /// windows are known to be of another state (`erasures`), and the log of touched sessions
    /// starts over.
    fn erase(
        &mut self,
        mut sessions: Vec<SessionKey>,
        why: Why,
        also: Option<(Subject, i64)>,
    ) -> Result<Erased, StoreError> {
        let conn = self.conn.clone();
        let mut conn = lock(&conn);
        let last_id = self.last_id;
        // As in `commit`: a panic (there is no known one) rolls the transaction back and is an
        // error, and the writer thread goes on.
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<Erased, StoreError> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if let Some((who, after)) = &also {
                sessions.extend(crate::privacy::find_after(&tx, who, *after)?);
                sessions.sort();
                sessions.dedup();
            }
            let out = crate::privacy::erase_sessions(&tx, &sessions, why)?;
            if out == Erased::default() {
                return Ok(out);
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('id_floor', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                [last_id],
            )?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('erasures', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1",
                [],
            )?;
            tx.commit()?;
            Ok(out)
        }))
        .unwrap_or_else(|_| Err(StoreError::Task("panic while erasing".into())))?;
        if result != Erased::default() {
            self.feed.clear();
            // A person's erasure: at once (the retention: once its pass is over, see
            // `Store::expire`).
            if why == Why::Request {
                self.feed.interrupt_reads();
                truncate_log(&conn, "erasure");
            }
        }
        Ok(result)
    }

    /// Whether the next transaction should carry a merge chunk: a merge is sorted and not
    /// backing off after a failure.
    fn chunk_due(&mut self) -> bool {
        let backing_off = self.merge_backoff.is_some_and(|t| Instant::now() < t);
        !backing_off && self.merge.as_mut().is_some_and(|m| m.ready(false))
    }

    fn start_merge(&mut self) {
        if self.merge.is_some() || self.recent.is_empty() {
            return;
        }
        let fresh = IdSet::with_capacity_and_hasher(self.tuning.merge_at.min(1 << 20), RandomState::default());
        self.merge = Some(Merge::start(std::mem::replace(&mut self.recent, fresh), self.last_id));
    }

    /// Runs merge chunks (alone, no batches) until nothing waits in memory.
    fn finish_merges(&mut self) -> Result<(), StoreError> {
        self.start_merge();
        while let Some(m) = &mut self.merge {
            m.ready(true);
            if let Err(e) = self.commit(&[], true) {
                self.merge_backoff = Some(Instant::now() + MERGE_BACKOFF);
                return Err(e);
            }
        }
        self.merge_backoff = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, site: &str) -> Event {
        let text = EventText {
            message_id: id,
            site,
            kind: "track",
            event: "click",
            session_id: "s",
            timestamp: "2024-01-01T00:00:00Z",
            body: &format!(r#"{{"messageId":"{id}"}}"#),
        };
        Event::new(text, Default::default())
    }

    fn tiny() -> Tuning {
        Tuning { merge_at: 3, merge_chunk: 2, idle_merge_after: Duration::from_secs(3600), sync: Sync::Full }
    }

    #[test]
    fn dedup_within_and_across_batches() {
        let s = Store::open(":memory:").unwrap();
        let out = s.insert_batch(vec![ev("a", "x"), ev("b", "x"), ev("a", "x")]).unwrap();
        assert_eq!(out, InsertOutcome { accepted: 2, duplicates: 1 });
        let out = s.insert_batch(vec![ev("a", "x"), ev("c", "y")]).unwrap();
        assert_eq!(out, InsertOutcome { accepted: 1, duplicates: 1 });
        assert_eq!(s.count().unwrap(), 3);
        let st = s.stats().unwrap();
        assert_eq!(st.events, 3);
        assert_eq!(st.by_site, BTreeMap::from([("x".to_string(), 2), ("y".to_string(), 1)]));
    }

    #[test]
    fn rows_are_stored_as_given_by_both_inserts() {
        // 16 + 3 rows: one multi-row INSERT and three single ones; text with NUL, non-ASCII and
        // quotes, bound without a copy, must come back byte for byte.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let s = Store::open(path.to_str().unwrap()).unwrap();
        let strings: Vec<[String; 7]> = (0..19)
            .map(|i| {
                [
                    format!("m{i}"),
                    format!("site-{}", i % 3),
                    ["page", "track"][i % 2].into(),
                    format!("e_{i}"),
                    format!("s\u{0}\u{e9}{i}"),
                    format!("2024-01-01T00:00:{i:02}Z"),
                    format!(r#"{{"messageId":"m{i}","x":"😀 \\\" {}"}}"#, "b".repeat(i * 97)),
                ]
            })
            .collect();
        let event = |p: &[String; 7], suffix: &str| {
            let id = format!("{}{suffix}", p[0]);
            let text = EventText {
                message_id: &id,
                site: &p[1],
                kind: &p[2],
                event: &p[3],
                session_id: &p[4],
                timestamp: &p[5],
                body: &p[6],
            };
            Event::new(text, Default::default())
        };
        let events: Vec<Event> = strings.iter().map(|p| event(p, "")).collect();
        assert_eq!(s.insert_batch(events.clone()).unwrap().accepted, 19);
        // A second group reuses the prepared statements.
        let more: Vec<Event> = strings.iter().map(|p| event(p, "x")).collect();
        assert_eq!(s.insert_batch(more.clone()).unwrap().accepted, 19);
        drop(s);
        let c = Connection::open(&path).unwrap();
        let mut q = c
            .prepare("SELECT message_id, site, type, event, session_id, timestamp, body FROM events ORDER BY id")
            .unwrap();
        let rows: Vec<[String; 7]> = q
            .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?]))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want: Vec<[String; 7]> = events
            .iter()
            .chain(&more)
            .map(|e| {
                let t = e.text();
                [t.message_id, t.site, t.kind, t.event, t.session_id, t.timestamp, t.body].map(String::from)
            })
            .collect();
        assert_eq!(rows, want);
        let typed: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM events WHERE typeof(received_at) = 'integer' AND typeof(body) = 'text'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(typed, 38);
    }

    #[test]
    fn a_failing_insert_is_an_error_and_the_next_group_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.sqlite");
        let s = Store::open(path.to_str().unwrap()).unwrap();
        let batch =
            |prefix: &str, n: usize| -> Vec<Event> { (0..n).map(|i| ev(&format!("{prefix}{i}"), "x")).collect() };
        assert_eq!(s.insert_batch(batch("a", 17)).unwrap().accepted, 17);
        // Made after the statements were prepared: SQLite prepares them again.
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.message_id LIKE 'bad%'
                 BEGIN SELECT RAISE(FAIL, 'boom'); END;",
            )
            .unwrap();
        // In a multi-row INSERT, then in a single one.
        let mut many = batch("b", 16);
        many[7] = ev("bad1", "x");
        let err = s.insert_batch(many).unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
        let mut one = batch("c", 3);
        one[2] = ev("bad2", "x");
        assert!(s.insert_batch(one).unwrap_err().to_string().contains("boom"));
        // Nothing of the failed groups is stored or remembered as seen.
        assert_eq!(s.insert_batch(batch("b", 17)).unwrap().accepted, 17);
        assert_eq!(s.insert_batch(batch("c", 2)).unwrap().accepted, 2);
        assert_eq!(s.count().unwrap(), 36);
    }

    #[test]
    fn dedup_holds_before_during_and_after_merges_and_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let path = path.to_str().unwrap();
        let ids: Vec<String> = (0..40).map(|i| format!("id{:02}", (i * 17) % 40)).collect();
        {
            let s = Store::open_tuned(path, tiny()).unwrap();
            for (k, chunk) in ids.chunks(3).enumerate() {
                let batch: Vec<Event> = chunk.iter().map(|i| ev(i, "x")).collect();
                assert_eq!(s.insert_batch(batch).unwrap().accepted, chunk.len());
                // Every id stored so far is a duplicate, whether merged, being merged or waiting.
                let stored = &ids[..k * 3 + chunk.len()];
                let again: Vec<Event> = stored.iter().map(|i| ev(i, "x")).collect();
                assert_eq!(s.insert_batch(again).unwrap(), InsertOutcome { accepted: 0, duplicates: stored.len() });
            }
            assert_eq!(s.count().unwrap(), 40);
        }
        // Reopened: the ids not merged yet are reloaded from `events`.
        let s = Store::open_tuned(path, tiny()).unwrap();
        let all: Vec<Event> = ids.iter().map(|i| ev(i, "x")).collect();
        assert_eq!(s.insert_batch(all.clone()).unwrap(), InsertOutcome { accepted: 0, duplicates: 40 });
        s.merge_all().unwrap();
        assert_eq!(s.insert_batch(all).unwrap(), InsertOutcome { accepted: 0, duplicates: 40 });
        let c = Connection::open(path).unwrap();
        let seen: i64 = c.query_row("SELECT COUNT(*) FROM seen", [], |r| r.get(0)).unwrap();
        let upto: i64 = c.query_row("SELECT value FROM meta WHERE key='seen_upto'", [], |r| r.get(0)).unwrap();
        let max: i64 = c.query_row("SELECT MAX(id) FROM events", [], |r| r.get(0)).unwrap();
        // (`seen_upto` is the writer's last id, which a restart raises to its time floor: above
        // the stored ones.)
        assert_eq!(seen, 40);
        assert!(upto >= max, "{upto} {max}");
        let dups: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM (SELECT message_id FROM events GROUP BY message_id HAVING COUNT(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(dups, 0);
    }

    #[test]
    fn ids_waiting_to_be_sorted_or_merged_are_duplicates() {
        let conn = Store::init(Connection::open_in_memory().unwrap(), Sync::Full).unwrap();
        let conn = Arc::new(Mutex::new(conn));
        let mut w = Writer::load(conn.clone(), tiny(), Arc::default(), Arc::default(), false).unwrap();
        let seen = || -> i64 { lock(&conn).query_row("SELECT COUNT(*) FROM seen", [], |r| r.get(0)).unwrap() };
        w.commit(&[&[ev("a", "x"), ev("b", "x"), ev("c", "x")]], true).unwrap();
        // merge_at 3: the three ids were handed to a merge, and `recent` starts empty.
        assert!(w.recent.is_empty());
        assert_eq!(w.merge.as_ref().unwrap().set.len(), 3);
        // Hold the merge in its sorting state until `release`.
        let (release, wait) = mpsc::channel::<()>();
        let m = w.merge.as_mut().unwrap();
        m.ready(true);
        let ids = std::mem::take(&mut m.ids);
        m.sorting = Some(std::thread::spawn(move || {
            let _ = wait.recv();
            ids
        }));
        assert!(!w.chunk_due());
        let out = w.commit(&[&[ev("a", "x"), ev("d", "x")]], true).unwrap();
        assert_eq!(out, [InsertOutcome { accepted: 1, duplicates: 1 }]);
        assert_eq!(seen(), 0, "no chunk before the ids are sorted");
        release.send(()).unwrap();
        w.merge.as_mut().unwrap().ready(true);
        assert!(w.chunk_due());
        w.commit(&[], true).unwrap();
        assert_eq!(seen(), 2);
        let out = w.commit(&[&[ev("b", "x"), ev("c", "x"), ev("d", "x")]], true).unwrap();
        assert_eq!(out, [InsertOutcome { accepted: 0, duplicates: 3 }], "merged, being merged, recent");
        assert!(w.merge.is_none(), "the last chunk rode along");
        assert_eq!(seen(), 3);
        let out = w.commit(&[&[ev("a", "x"), ev("b", "x"), ev("c", "x"), ev("d", "x")]], true).unwrap();
        assert_eq!(out, [InsertOutcome { accepted: 0, duplicates: 4 }]);
    }

    /// The time floor of ids: above every id a collector started earlier gave (up to
    /// `IDS_PER_MS` a millisecond), below 2^53 with room to spare, none past the year 2112.
    #[test]
    fn ids_start_above_a_floor_of_the_start_time() {
        let now = crate::facts::now_ms();
        let floor = id_floor_at(now);
        assert_eq!(floor, now * IDS_PER_MS);
        assert!(floor < (1 << 52), "{floor}");
        assert!(id_floor_at(now + 1) > floor + IDS_PER_MS - 1);
        // 2112-01-01 still has one, 2113 none; nor a clock before 1970.
        assert!(id_floor_at(4_481_049_600_000) > 0);
        assert_eq!(id_floor_at(4_512_585_600_000), 0);
        assert_eq!(id_floor_at(-1), 0);
        assert_eq!(id_floor_at(i64::MAX), 0);
    }

    #[test]
    fn a_full_disk_at_start_is_said_so() {
        let sqlite =
            |code: i32| StoreError::Sqlite(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None));
        let full = sqlite(rusqlite::ffi::SQLITE_FULL).opening_with_free(Some(1 << 30));
        assert!(full.contains("no space left on the device holding --db"), "{full}");
        // SQLite's "disk I/O error" for a write that failed with ENOSPC: told by the free space.
        let io = sqlite(rusqlite::ffi::SQLITE_IOERR_WRITE);
        let msg = io.opening_with_free(Some(0));
        assert!(
            msg.starts_with("sqlite: ") && msg.contains("no space left on the device holding --db: 0 bytes free"),
            "{msg}"
        );
        let msg = io.opening_with_free(Some(500 << 20));
        assert!(msg.contains("has 500 MB free") && !msg.contains("no space"), "{msg}");
        let enospc = StoreError::Io(std::io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(enospc.opening_with_free(None).contains("no space left on the device holding --db"));
        // Anything else is left as it was.
        let refused = StoreError::Refused("not ours".into());
        assert_eq!(refused.opening_with_free(Some(0)), "not ours");
        assert!(free_bytes(Path::new(".")).is_some());
        assert_eq!(
            sqlite(rusqlite::ffi::SQLITE_CORRUPT).opening_with_free(Some(0)),
            sqlite(rusqlite::ffi::SQLITE_CORRUPT).to_string()
        );
    }

    #[test]
    fn migrates_a_version_0_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let path = path.to_str().unwrap();
        {
            let c = Connection::open(path).unwrap();
            c.execute_batch(
                "CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, site TEXT NOT NULL,
                    type TEXT NOT NULL, event TEXT NOT NULL, session_id TEXT NOT NULL, timestamp TEXT NOT NULL,
                    received_at INTEGER NOT NULL, body TEXT NOT NULL);
                 CREATE INDEX events_site_id ON events(site, id);
                 CREATE INDEX events_event_id ON events(event, id);
                 INSERT INTO events (message_id, site, type, event, session_id, timestamp, received_at, body)
                   VALUES ('old1', 'x', 'track', 'click', 's', 't', 1, '{\"messageId\":\"old1\"}'),
                          ('old2', 'y', 'track', 'click', 's', 't', 2, '{\"messageId\":\"old2\"}');",
            )
            .unwrap();
        }
        let s = Store::open(path).unwrap();
        assert_eq!(s.count().unwrap(), 2);
        let o = s.insert_batch(vec![ev("old1", "x"), ev("new1", "x")]).unwrap();
        assert_eq!(o, InsertOutcome { accepted: 1, duplicates: 1 });
        assert_eq!(s.recent(&Query { limit: 1, ..Default::default() }).unwrap(), [r#"{"messageId":"new1"}"#]);
        drop(s);
        let s = Store::open(path).unwrap();
        assert_eq!(s.count().unwrap(), 3);
    }

    #[test]
    fn recent_is_newest_first_and_filters() {
        let s = Store::open(":memory:").unwrap();
        s.insert_batch(vec![ev("a", "x"), ev("b", "y"), ev("c", "x")]).unwrap();
        let all = s.recent(&Query { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(all, vec![r#"{"messageId":"c"}"#, r#"{"messageId":"b"}"#, r#"{"messageId":"a"}"#]);
        let x = s.recent(&Query { limit: 1, site: Some("x".into()), event: None }).unwrap();
        assert_eq!(x, vec![r#"{"messageId":"c"}"#]);
        let none = s.recent(&Query { limit: 10, site: None, event: Some("nope".into()) }).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn a_second_store_on_the_same_file_is_refused_until_the_first_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.sqlite");
        let path = path.to_str().unwrap();
        let first = Store::open(path).unwrap();
        first.insert_batch(vec![ev("a", "x")]).unwrap();
        let err = Store::open(path).err().expect("a second store on the same file");
        assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
        assert!(err.to_string().contains("in use by another touchpoint-collector"), "{err}");
        // Refused before it wrote anything: the first goes on storing.
        assert_eq!(first.insert_batch(vec![ev("b", "x")]).unwrap().accepted, 1);
        // Inspecting a live file read-only takes no lock.
        assert_eq!(Store::open_read_only(path).unwrap().count().unwrap(), 2);
        drop(first);
        assert_eq!(Store::open(path).unwrap().count().unwrap(), 2);
    }

    /// A symlink to the file, or to its directory, is the same database: one lock.
    #[test]
    fn a_second_store_through_a_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.sqlite");
        let first = Store::open(path.to_str().unwrap()).unwrap();
        let file_link = dir.path().join("link.sqlite");
        std::os::unix::fs::symlink(&path, &file_link).unwrap();
        let dir_link = dir.path().join("linked-dir");
        std::os::unix::fs::symlink(dir.path(), &dir_link).unwrap();
        for other in [file_link, dir_link.join("one.sqlite")] {
            let err = Store::open(other.to_str().unwrap()).err().expect("a second store through a link");
            assert!(matches!(err, StoreError::Refused(_)), "{other:?}: {err:?}");
        }
        assert_eq!(first.insert_batch(vec![ev("a", "x")]).unwrap().accepted, 1);
    }

    #[test]
    fn ids_taken_by_another_process_are_skipped_not_failed_on_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ids.sqlite");
        let s = Store::open(path.to_str().unwrap()).unwrap();
        assert_eq!(s.insert_batch(vec![ev("a", "x")]).unwrap().accepted, 1);
        let id_of = |m: &str| -> i64 {
            Connection::open(&path)
                .unwrap()
                .query_row("SELECT id FROM events WHERE message_id = ?1", [m], |r| r.get(0))
                .unwrap()
        };
        let a = id_of("a");
        // Another writer (by hand: the lock keeps a second collector out) takes the next ids.
        Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO events (id, message_id, site, type, event, session_id, timestamp, received_at, body)
                 VALUES (?1 + 1, 'o1', 'x', 'track', 'click', 's', 't', 1, '{}'), (?1 + 2, 'o2', 'x', 'track', 'click', 's', 't', 1, '{}');",
                [a],
            )
            .unwrap();
        // Alone (group of one) and as a group of 17 (the multi-row INSERT).
        assert_eq!(s.insert_batch(vec![ev("b", "x")]).unwrap().accepted, 1);
        let many: Vec<Event> = (0..17).map(|i| ev(&format!("c{i}"), "x")).collect();
        assert_eq!(s.insert_batch(many).unwrap().accepted, 17);
        assert_eq!(s.count().unwrap(), 21);
        assert_eq!(id_of("b"), a + 3);
    }

    #[test]
    fn a_database_of_a_newer_version_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite");
        let path = path.to_str().unwrap();
        Store::open(path).unwrap().insert_batch(vec![ev("a", "x")]).unwrap();
        let newer = SCHEMA_VERSION + 1;
        Connection::open(path).unwrap().pragma_update(None, "user_version", newer).unwrap();
        let err = Store::open(path).err().expect("a newer database");
        assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("version {newer}")) && msg.contains(&format!("({SCHEMA_VERSION})")), "{msg}");
        let c = Connection::open(path).unwrap();
        assert_eq!(c.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), newer);
        // The current version still opens.
        c.pragma_update(None, "user_version", SCHEMA_VERSION).unwrap();
        assert_eq!(Store::open(path).unwrap().count().unwrap(), 1);
    }

    #[test]
    fn the_wal_is_cut_back_when_it_starts_over_and_truncated_when_idle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.sqlite");
        let conn = Store::init(Connection::open(&path).unwrap(), Sync::Full).unwrap();
        let limit: i64 = conn.pragma_query_value(None, "journal_size_limit", |r| r.get(0)).unwrap();
        assert_eq!(limit, JOURNAL_SIZE_LIMIT);
        drop(conn);
        let s = Store::open(path.to_str().unwrap()).unwrap();
        let wal = dir.path().join("wal.sqlite-wal");
        for b in 0..20 {
            let batch: Vec<Event> = (0..50).map(|i| ev(&format!("{b}-{i}"), "x")).collect();
            s.insert_batch(batch).unwrap();
        }
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        // Idle: truncated by the checkpointer (IDLE_TRUNCATE_AFTER), the store still open.
        let deadline = Instant::now() + IDLE_TRUNCATE_AFTER + Duration::from_secs(5);
        while std::fs::metadata(&wal).unwrap().len() > 0 {
            assert!(Instant::now() < deadline, "the WAL was left at {} bytes", std::fs::metadata(&wal).unwrap().len());
            std::thread::sleep(Duration::from_millis(50));
        }
        // And the next batch starts it again.
        assert_eq!(s.insert_batch(vec![ev("after", "x")]).unwrap().accepted, 1);
        assert_eq!(s.count().unwrap(), 1001);
    }

    /// Someone deleted `<db>.lock` while a collector ran: a second one made a new lock file,
    /// locked it and stored beside the first. The database file's own lock refuses it.
    #[test]
    fn a_second_store_is_refused_even_when_the_lock_file_was_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.sqlite");
        let path = path.to_str().unwrap();
        let first = Store::open(path).unwrap();
        first.insert_batch(vec![ev("a", "x")]).unwrap();
        std::fs::remove_file(format!("{path}.lock")).unwrap();
        let err = Store::open(path).err().expect("a second store on the same file");
        assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
        assert!(err.to_string().contains("in use by another touchpoint-collector"), "{err}");
        assert_eq!(first.insert_batch(vec![ev("b", "x")]).unwrap().accepted, 1);
        drop(first);
        // Its lock let go of with it: the next one opens (and the WAL was folded in at close).
        let s = Store::open(path).unwrap();
        assert_eq!(s.count().unwrap(), 2);
        assert_eq!(s.insert_batch(vec![ev("c", "x")]).unwrap().accepted, 1);
    }

    /// A file of another application is refused before anything is written to it; an empty
    /// file (made by hand, `touch`) and a database with only SQLite's own tables open.
    #[test]
    fn a_database_of_another_application_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO customers VALUES (1, 'a@b');",
        )
        .unwrap();
        drop(c);
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(path.to_str().unwrap()).err().expect("another application's file");
        assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
        assert!(err.to_string().contains("not a Touchpoint database"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // (A table named `events` of another shape is not ours either.)
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT);").unwrap();
        drop(c);
        let before = std::fs::read(&path).unwrap();
        assert!(Store::open(path.to_str().unwrap()).err().unwrap().to_string().contains("not a Touchpoint database"));
        assert_eq!(std::fs::read(&path).unwrap(), before);

        let empty = dir.path().join("empty.sqlite");
        std::fs::write(&empty, b"").unwrap();
        Store::open(empty.to_str().unwrap()).unwrap().insert_batch(vec![ev("a", "x")]).unwrap();
        assert_eq!(Store::open(empty.to_str().unwrap()).unwrap().count().unwrap(), 1);
        let analyzed = dir.path().join("analyzed.sqlite");
        Connection::open(&analyzed).unwrap().execute_batch("ANALYZE;").unwrap();
        Store::open(analyzed.to_str().unwrap()).unwrap();
    }

    #[test]
    fn file_db_creates_parent_dirs_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/t.sqlite");
        let path = path.to_str().unwrap();
        Store::open(path).unwrap().insert_batch(vec![ev("a", "x")]).unwrap();
        assert_eq!(Store::open(path).unwrap().count().unwrap(), 1);
        let ro = Store::open_read_only(path).unwrap();
        assert!(matches!(ro.insert_batch(vec![ev("b", "x")]), Err(StoreError::Sqlite(_))));
        assert_eq!(ro.count().unwrap(), 1);
    }
}
