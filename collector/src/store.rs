//! Durable, deduplicated event storage in SQLite.
//!
//! One connection behind a mutex: SQLite serialises writers anyway, and a
//! single connection keeps "200 only after commit" easy to reason about.
//! Every method blocks; async callers go through `spawn_blocking`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags};

use crate::validate::Event;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- receive order for the read API
    message_id  TEXT NOT NULL UNIQUE,              -- the dedup key
    site        TEXT NOT NULL,
    type        TEXT NOT NULL,
    event       TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    timestamp   TEXT NOT NULL,
    received_at INTEGER NOT NULL,                  -- unix milliseconds
    body        TEXT NOT NULL                      -- the event JSON as received
);
CREATE INDEX IF NOT EXISTS events_site_id ON events(site, id);
CREATE INDEX IF NOT EXISTS events_event_id ON events(event, id);
";

#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Io(std::io::Error),
    /// The blocking task running a store call panicked or was cancelled.
    Task(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            StoreError::Io(e) => write!(f, "io: {e}"),
            StoreError::Task(e) => write!(f, "store task failed: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

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

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one
    /// for `:memory:`. Parent directories are created.
    pub fn open(path: &str) -> Result<Store, StoreError> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(StoreError::Io)?;
            }
            Connection::open(path)?
        };
        Self::init(conn)
    }

    /// Opens an existing database read-only: every write fails. Lets tests
    /// (and operators inspecting a live file) exercise the failure path.
    pub fn open_read_only(path: &str) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(Duration::from_secs(2))?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn init(conn: Connection) -> Result<Store, StoreError> {
        // WAL + synchronous=FULL: a commit is on disk (fsynced) before we
        // answer 200, so an acknowledged batch survives a power cut.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Another process holding the lock briefly (a backup, sqlite3 shell)
        // should delay us, not fail the batch; past 2 s the client retries.
        conn.busy_timeout(Duration::from_secs(2))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic mid-call drops its Transaction, which rolls back, so the
        // connection is still consistent: recover from poisoning.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a batch atomically. Events whose messageId is already stored
    /// (or appears earlier in the same batch) count as duplicates. Returns
    /// only after the transaction committed; on error nothing was stored.
    pub fn insert_batch(&self, events: &[Event]) -> Result<InsertOutcome, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let received_at = now_millis();
        let mut accepted = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO events
                   (message_id, site, type, event, session_id, timestamp, received_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in events {
                accepted += stmt.execute(params![
                    e.message_id,
                    e.site,
                    e.kind,
                    e.event,
                    e.session_id,
                    e.timestamp,
                    received_at,
                    e.body
                ])?;
            }
        }
        tx.commit()?;
        Ok(InsertOutcome { accepted, duplicates: events.len() - accepted })
    }

    /// Stored event bodies, newest first.
    pub fn recent(&self, q: &Query) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT body FROM events
              WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR event = ?2)
              ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![q.site, q.event, q.limit], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn stats(&self) -> Result<Stats, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT site, COUNT(*) FROM events GROUP BY site")?;
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

fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, site: &str) -> Event {
        Event {
            message_id: id.into(),
            site: site.into(),
            kind: "track".into(),
            event: "click".into(),
            session_id: "s".into(),
            timestamp: "2024-01-01T00:00:00Z".into(),
            body: format!(r#"{{"messageId":"{id}"}}"#),
        }
    }

    #[test]
    fn dedup_within_and_across_batches() {
        let s = Store::open(":memory:").unwrap();
        let out = s.insert_batch(&[ev("a", "x"), ev("b", "x"), ev("a", "x")]).unwrap();
        assert_eq!(out, InsertOutcome { accepted: 2, duplicates: 1 });
        let out = s.insert_batch(&[ev("a", "x"), ev("c", "y")]).unwrap();
        assert_eq!(out, InsertOutcome { accepted: 1, duplicates: 1 });
        assert_eq!(s.count().unwrap(), 3);
        let st = s.stats().unwrap();
        assert_eq!(st.events, 3);
        assert_eq!(st.by_site, BTreeMap::from([("x".to_string(), 2), ("y".to_string(), 1)]));
    }

    #[test]
    fn recent_is_newest_first_and_filters() {
        let s = Store::open(":memory:").unwrap();
        s.insert_batch(&[ev("a", "x"), ev("b", "y"), ev("c", "x")]).unwrap();
        let all = s.recent(&Query { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(all, vec![r#"{"messageId":"c"}"#, r#"{"messageId":"b"}"#, r#"{"messageId":"a"}"#]);
        let x = s.recent(&Query { limit: 1, site: Some("x".into()), event: None }).unwrap();
        assert_eq!(x, vec![r#"{"messageId":"c"}"#]);
        let none = s.recent(&Query { limit: 10, site: None, event: Some("nope".into()) }).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn file_db_creates_parent_dirs_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/t.sqlite");
        let path = path.to_str().unwrap();
        Store::open(path).unwrap().insert_batch(&[ev("a", "x")]).unwrap();
        assert_eq!(Store::open(path).unwrap().count().unwrap(), 1);
        let ro = Store::open_read_only(path).unwrap();
        assert!(matches!(ro.insert_batch(&[ev("b", "x")]), Err(StoreError::Sqlite(_))));
        assert_eq!(ro.count().unwrap(), 1);
    }
}
