//! The inspector's aggregates, kept up to date by the writer inside each group's transaction
//! (so they are exactly as durable and as current as the events), instead of being rescanned
//! from `events` by every read:
//! - `friction`: one narrow row per friction event (time, session, type, page, selector), indexed
//!   by time: the leaderboard groups these instead of parsing event bodies;
//! - `sessions`: one row per session (first and last time, counts, moments of truth reached,
//!   friction per type, experience score), rewritten once per group it appears in;
//! - `minute_counts`: events, friction per type and new sessions per minute, per site and for
//!   all sites (site `''`): the time chart and the totals read a few hundred rows;
//! - `hour_counts`: the same per hour (sums of `minute_counts`), so that a day's chart and totals
//!   read 24 rows per metric and the minutes of the partial hours at the ends, not 1,440;
//! - `site_totals`: all-time counts per site (and `''`), for `/api/stats`;
//! - `event_tags`: one row per tag (`context.tags` member) of each event that has tags, keyed by
//!   tag and time, indexed by time, and `session_tags` (the tags each session carried): the `tag=`
//!   filters and `/api/tags` read these instead of parsing event bodies. Events without tags cost
//!   nothing here.
//!
//! The writer calls [`apply`] once per group with that group's new events, so a session seen in
//! twenty events of a group costs one read and one write of its row, not twenty.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use touchpoint_core::score::{experience_score, FrictionCount, SessionFacts};

use crate::facts::{Category, Rating, Tag, DEFAULT_MOMENTS};
use crate::validate::{Event, EventText};

pub const SCHEMA: &str = "
CREATE INDEX IF NOT EXISTS events_session ON events(session_id, id);
CREATE TABLE IF NOT EXISTS friction (
    id          INTEGER PRIMARY KEY,   -- the event's events.id
    site        TEXT NOT NULL,
    ts          INTEGER NOT NULL,      -- capture time, unix ms
    session_id  TEXT NOT NULL,
    event       TEXT NOT NULL,
    path        TEXT NOT NULL,
    selector    TEXT NOT NULL,
    during      TEXT NOT NULL,         -- the moment of truth under way, or ''
    device      TEXT NOT NULL DEFAULT '', -- the event's device class (context.device), or ''
    text        TEXT NOT NULL DEFAULT ''  -- its element's text (facts::cut_text), or ''
);
-- Covering the leaderboard's grouping, its device filter, its rows' texts and the element
-- click-through (no row lookups while scanning a range). Both grow at their end (time order); an
-- index by selector would take a random page write per friction event, measured as a large share
-- of the cost at ingest. (One without `device` is from before version 13, one without `text`
-- from before version 33: the store makes it again.)
CREATE INDEX IF NOT EXISTS friction_site_ts ON friction(site, ts, event, path, selector, session_id, device, text);
CREATE INDEX IF NOT EXISTS friction_ts ON friction(ts, event, path, selector, session_id, site, device, text);
-- The friction of a moment of truth under way (friction during checkout), covering the same
-- reads. Partial: only the rows captured during a moment take a write in it.
CREATE INDEX IF NOT EXISTS friction_during ON friction(during, ts, site, event, path, selector, session_id, device, text)
    WHERE during <> '';
CREATE TABLE IF NOT EXISTS sessions (
    session_id  TEXT NOT NULL,
    site        TEXT NOT NULL,
    first_ts    INTEGER NOT NULL,
    last_ts     INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    touchpoints INTEGER NOT NULL,
    friction    INTEGER NOT NULL,
    moments     TEXT NOT NULL,         -- JSON array: moments of truth reached, in the order they happened
    by_type     TEXT NOT NULL,         -- JSON object: friction type -> [count, during a moment]
    score       INTEGER NOT NULL,
    entry_path  TEXT NOT NULL,
    last_path   TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',  -- attribution (context.channel of its first event that has one)
    campaign    TEXT NOT NULL DEFAULT '',
    user_id     TEXT NOT NULL DEFAULT '',  -- the customer (userId of its latest event that has one)
    user_ts     INTEGER NOT NULL DEFAULT 0,  -- that event's time
    device      TEXT NOT NULL DEFAULT '',  -- device class (context.device of its first event that has one)
    -- Per Core Web Vital (LCP, CLS, INP) its page_leave events that measured it, and of those the
    -- good and the poor ones, as the page tables count them (`VITAL_COLUMNS`; version 19).
    lcp_measured INTEGER NOT NULL DEFAULT 0, lcp_good INTEGER NOT NULL DEFAULT 0, lcp_poor INTEGER NOT NULL DEFAULT 0,
    cls_measured INTEGER NOT NULL DEFAULT 0, cls_good INTEGER NOT NULL DEFAULT 0, cls_poor INTEGER NOT NULL DEFAULT 0,
    inp_measured INTEGER NOT NULL DEFAULT 0, inp_good INTEGER NOT NULL DEFAULT 0, inp_poor INTEGER NOT NULL DEFAULT 0,
    -- JSON array: when each of `moments` happened (unix ms, as its event counts; version 20).
    -- The writer alone reads it, to put a moment that arrives late (a retried batch, an adopted
    -- tab's events) in its place: the funnel counts steps in the order they happened.
    moment_ts   TEXT NOT NULL DEFAULT '[]',
    -- The browser's anonymousId (marketing consent; that of its earliest event that has one), ''
    -- without: the overview's visitors (version 23).
    anonymous_id TEXT NOT NULL DEFAULT '',
    -- The landing's `utm_source` and `utm_medium` (`context.source`, `context.medium` of the event
    -- its channel came from, as `campaign`; '' without): the sessions by source / medium (version 27).
    source      TEXT NOT NULL DEFAULT '',
    medium      TEXT NOT NULL DEFAULT '',
    -- The browser family with its major version and the OS family (`events.browser` and
    -- `events.os` of its earliest event that has them as for the device class; '' when unknown):
    -- the sessions by browser and by OS (version 28). (No comma in this comment: see `events`.)
    browser     TEXT NOT NULL DEFAULT '',
    os          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, site)
) WITHOUT ROWID;
-- Two indexes only (each session row is rewritten once per group it appears in, and every
-- index costs a b-tree write then). They carry what the counts, the average score, the
-- friction filter, the funnel and the channels, devices, campaigns, sources / mediums, browsers
-- and OSes (with their vitals) read, so those read the index alone. (One without `campaign` is
-- from before version 12, one without the vitals from before version 19, one without
-- `anonymous_id` from before version 23, one without `source` and `medium` from before version
-- 27, one without `browser` and `os` from before version 28: the store makes it again.) The visitors' `anonymous_id` rides along at the end: both entries of a session
-- are written again anyway whenever its row is (`last_ts` moves), so it costs bytes (a UUID, 37
-- per entry with an id, 1 without), not another b-tree write.
CREATE INDEX IF NOT EXISTS sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel, device, campaign,
    source, medium, browser, os, lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor,
    anonymous_id);
CREATE INDEX IF NOT EXISTS sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel, device, campaign,
    source, medium, browser, os, lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor,
    anonymous_id);
-- A customer's sessions, most recent first. Partial: a session without a customer costs it no
-- write (a query must say `user_id <> ''` to use it).
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id, last_ts) WHERE user_id <> '';
-- A visitor's sessions by when they ended: whether a visitor of the overview's period came before
-- it (`window::VISITOR_BEFORE_SQL`), one probe per visitor the overview's window meets. Partial,
-- as `sessions_user`: a session without an anonymousId (no marketing consent) costs it no write;
-- one with an id, one more index entry written with its row (version 23).
CREATE INDEX IF NOT EXISTS sessions_visitor ON sessions(anonymous_id, last_ts, site) WHERE anonymous_id <> '';
CREATE TABLE IF NOT EXISTS minute_counts (
    site    TEXT NOT NULL,             -- '' = all sites
    minute  INTEGER NOT NULL,          -- unix ms / 60000
    metric  TEXT NOT NULL,             -- events | sessions | friction | friction:<type>
    n       INTEGER NOT NULL,
    PRIMARY KEY (site, minute, metric)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hour_counts (
    site    TEXT NOT NULL,
    hour    INTEGER NOT NULL,          -- unix ms / 3600000 (minute / 60)
    metric  TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (site, hour, metric)
) WITHOUT ROWID;
-- One row per distinct (key, value) of an event's `context.tags` object (values as text, as
-- `facts::Tag` reads them: strings as they are, numbers as SQLite prints them, `true`/`false`;
-- null, object and array values are not kept: no filter matches them).
-- Keyed by tag, then friction and time: a tag's events (or friction events) over a range are one
-- range of the table itself (no separate index to keep, nor row to look up).
CREATE TABLE IF NOT EXISTS event_tags (
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    friction    INTEGER NOT NULL,      -- 1 if the event has a `friction` row
    ts          INTEGER NOT NULL,      -- the time it counts at, as in `friction` and `sessions`
    event_id    INTEGER NOT NULL,      -- the event's events.id
    site        TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    PRIMARY KEY (key, value, friction, ts, event_id)
) WITHOUT ROWID;
-- Also holding the primary key's columns: the tags of a time range (`/api/tags`) read from the
-- index alone.
CREATE INDEX IF NOT EXISTS event_tags_ts ON event_tags(ts, site, session_id);
-- The tags each session carried (one row per session and tag, written by its first event with
-- it: an index of `event_tags` by session would take a random page write per event and tag).
CREATE TABLE IF NOT EXISTS session_tags (
    session_id  TEXT NOT NULL,
    site        TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (session_id, site, key, value)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS event_tags_session AFTER INSERT ON event_tags BEGIN
  INSERT OR IGNORE INTO session_tags (session_id, site, key, value)
    VALUES (NEW.session_id, NEW.site, NEW.key, NEW.value);
END;
CREATE TABLE IF NOT EXISTS site_totals (
    site     TEXT PRIMARY KEY,         -- '' = all sites
    events   INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    friction INTEGER NOT NULL
) WITHOUT ROWID;
-- The sessions of automated traffic (version 30): each session one of whose events says
-- `context.automated` (a browser a program drives). None of its events counts in any figure but
-- `site_totals.events`, also those that come without the flag, before or after (its shop's
-- server posting the order the test placed): a session is a customer's or a test's, whole.
-- Such a session has no row in `sessions`; a session has a row here or there, never both.
CREATE TABLE IF NOT EXISTS automated_sessions (
    session_id  TEXT NOT NULL,
    site        TEXT NOT NULL,
    PRIMARY KEY (session_id, site)
) WITHOUT ROWID;
";

/// The page tables, `page_minutes`, `page_hours` and `page_days`, alike but for their time
/// column: per site and page path (`context.page.path`), per minute, hour and UTC day (sums of the
/// minutes): page views, their page_leave figures and friction: the inspector's pages. A range
/// reads the days inside it, then the hours and the minutes at its ends: a shop with a thousand
/// product pages has up to a thousand rows per hour, so a month read by the hour would be some
/// 700,000 rows per poll (by the day ~30,000, plus the ends). No rows for all sites (site `''`,
/// as the counts above keep): a read for all sites reads each site's, which halves the writes
/// (~17 % of the inspector bench's ingestion with both).
///
/// Then the tag page tables, `tag_page_minutes`, `tag_page_hours` and `tag_page_days`: the same
/// counts again per page tag (`event_tags`' key and value) of the events that carry it, for the
/// pages and vitals of a tag (an experiment's variant). Keyed by tag first, so that a tag's rows
/// of a site over a range are one range of the primary key (no other index to keep), however
/// many other tags there are; `site` as in the page tables (the site, and its device class's
/// key). Written with the page tables, the same way ([`write_pages`]): per tag (each row of
/// `event_tags`) of each event that counts on a page. Keyed by site and time first instead (a
/// group's rows of every tag together, fewer pages written per commit), ingestion was no faster
/// in the inspector bench (4 runs each), while a tag's read would have read every tag's rows of
/// its range: their cost is per row. Version 17.
///
/// And the tag count tables ([`tag_count_schema`]).
pub fn page_schema() -> String {
    let mut sql = tag_count_schema();
    for ((table, column), tag) in
        PAGE_TABLES.iter().map(|t| (t, false)).chain(TAG_PAGE_TABLES.iter().map(|t| (t, true)))
    {
        let (tag_columns, tag_key) = if tag {
            (
                "key TEXT NOT NULL,             -- the tag, as `event_tags` keeps it
                value TEXT NOT NULL,",
                "key, value, ",
            )
        } else {
            ("", "")
        };
        sql += &format!(
            "CREATE TABLE IF NOT EXISTS {table} (
                {tag_columns}
                site        TEXT NOT NULL,
                {column:<11} INTEGER NOT NULL,  -- unix ms / 60000, 3600000 or 86400000
                path        TEXT NOT NULL,
                views       INTEGER NOT NULL,   -- page_view events
                leaves      INTEGER NOT NULL,   -- page_leave events
                engaged_ms  INTEGER NOT NULL,   -- the sum of their engaged_ms
                scroll_pct  INTEGER NOT NULL,   -- the sum of their max_scroll_pct
                friction    INTEGER NOT NULL,   -- friction events
                -- Per Core Web Vital (LCP, CLS, INP): the page_leave events that measured it, and
                -- of those the good and the poor ones (the rest need improvement).
                {vitals}
                PRIMARY KEY ({tag_key}site, {column}, path)
            ) WITHOUT ROWID;\n",
            vitals =
                VITAL_COLUMNS.iter().map(|c| format!("{c} INTEGER NOT NULL DEFAULT 0,")).collect::<Vec<_>>().join(" ")
        );
    }
    sql
}

/// The tag count tables, `tag_count_minutes`, `tag_count_hours` and `tag_count_days` (alike but
/// for their time column): per site (and per site's device class key, as the page tables keep
/// them: [`device_site`]), per minute, hour and UTC day (sums of the minutes), and per page tag
/// (`event_tags`' key and value), the events carrying it and how many of those are friction
/// events: `/api/tags` and the overview's totals of a tag read the days inside a range, then the
/// hours and minutes at its ends, instead of every row of `event_tags` of the range. Written with
/// the other counts, summed per group ([`write_tag_counts`]): one upsert per (tag, key, minute)
/// and group, not per event. Keyed by site and time first: `/api/tags` wants every tag of a
/// range (one range of the key per site and grain); a tag's read takes the other tags' rows of
/// its range along (a day's rows are one per tag value). No rows for all sites: a read for all
/// reads each site's, as the page tables. Version 18.
///
/// One statement per table of [`TAG_COUNT_TABLES`], so that the tables cannot drift apart and
/// the writer and readers name them from the same list.
pub fn tag_count_schema() -> String {
    TAG_COUNT_TABLES
        .iter()
        .map(|(table, column)| {
            format!(
                "CREATE TABLE IF NOT EXISTS {table} (
                    site     TEXT NOT NULL,     -- the site, or its device class key
                    {column:<8} INTEGER NOT NULL,  -- unix ms / 60000, 3600000 or 86400000
                    key      TEXT NOT NULL,     -- the tag, as `event_tags` keeps it
                    value    TEXT NOT NULL,
                    events   INTEGER NOT NULL,
                    friction INTEGER NOT NULL,
                    PRIMARY KEY (site, {column}, key, value)
                ) WITHOUT ROWID;\n"
            )
        })
        .collect()
}

/// The tag count tables and their time column, finest first (as [`PAGE_TABLES`]).
pub const TAG_COUNT_TABLES: [(&str, &str); 3] =
    [("tag_count_minutes", "minute"), ("tag_count_hours", "hour"), ("tag_count_days", "day")];

/// A row of the tag count tables: (site or device key, minute, tag key, tag value).
pub(crate) type TagCountKey<'a> = (&'a str, i64, &'a str, &'a str);

/// Adds (`sign` 1) or takes out (`sign` -1) (events, friction events), keyed by [`TagCountKey`],
/// in `tag_count_minutes` and, summed per hour and per day, in `tag_count_hours` and
/// `tag_count_days` (the same key may come many times: one item per event and tag will do). A
/// row taken down to no events is removed, as a rebuild would not make it.
pub(crate) fn write_tag_counts<'a>(
    conn: &Connection,
    minutes: impl IntoIterator<Item = (TagCountKey<'a>, (i64, i64))>,
    sign: i64,
) -> rusqlite::Result<()> {
    let mut grains: [Map<TagCountKey<'_>, (i64, i64)>; 3] = Default::default();
    for ((site, minute, key, value), (events, friction)) in minutes {
        for (grain, at) in [minute, minute.div_euclid(60), minute.div_euclid(1440)].into_iter().enumerate() {
            let row = grains[grain].entry((site, at, key, value)).or_default();
            row.0 += events;
            row.1 += friction;
        }
    }
    for ((table, column), rows) in TAG_COUNT_TABLES.iter().zip(&grains) {
        if rows.is_empty() {
            continue;
        }
        // (Sorted: neighbouring rows of the table one after the other.)
        let mut rows: Vec<_> = rows.iter().filter(|(_, c)| c.0 != 0).collect();
        rows.sort_unstable_by_key(|r| r.0);
        if sign > 0 {
            let mut add = conn.prepare_cached(&format!(
                "INSERT INTO {table} (site, {column}, key, value, events, friction) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (site, {column}, key, value) DO UPDATE
                   SET events = events + excluded.events, friction = friction + excluded.friction"
            ))?;
            for ((site, at, key, value), (events, friction)) in rows {
                add.execute(params![site, at, key, value, events, friction])?;
            }
            continue;
        }
        let mut less = conn.prepare_cached(&format!(
            "UPDATE {table} SET events = events - ?5, friction = friction - ?6
              WHERE site = ?1 AND {column} = ?2 AND key = ?3 AND value = ?4 RETURNING events"
        ))?;
        let mut gone = conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE site = ?1 AND {column} = ?2 AND key = ?3 AND value = ?4"
        ))?;
        for ((site, at, key, value), (events, friction)) in rows {
            let left: Option<i64> =
                less.query_row(params![site, at, key, value, events, friction], |r| r.get(0)).optional()?;
            if left.is_some_and(|left| left <= 0) {
                gone.execute(params![site, at, key, value])?;
            }
        }
    }
    Ok(())
}

/// Version 17 -> 18: the tag count tables (made by [`page_schema`]) filled as [`apply`] fills
/// them, from every row of `event_tags` (whose values are the ones [`tag_values`] gives, each
/// (key, value) once per event; its `friction` says which are friction events), at the minute of
/// the row's time, under its site, and under its device class's key if it has one: the event read
/// by its id, through the same checks as at ingest (`facts::extract`), for its device class (an
/// event is read once per tag it carries). The sums are written every `FLUSH` rows, so the memory
/// stays bounded on a large database.
pub fn fill_tag_counts(conn: &Connection) -> rusqlite::Result<()> {
    const FLUSH: usize = 200_000;
    // (CROSS JOIN: `event_tags` first, the whole table in its order, each event by rowid.)
    let mut stmt = conn.prepare(
        "SELECT t.key, t.value, t.site, t.ts, t.friction, e.event, e.timestamp, e.body
           FROM event_tags AS t CROSS JOIN events AS e ON e.id = t.event_id",
    )?;
    let mut rows = stmt.query([])?;
    type Row = (String, i64, String, String);
    let mut counts: Map<Row, (i64, i64)> = Map::default();
    let write = |counts: &mut Map<Row, (i64, i64)>| {
        let items = counts.iter().map(|((site, m, k, v), c)| ((site.as_str(), *m, k.as_str(), v.as_str()), *c));
        write_tag_counts(conn, items, 1)?;
        counts.clear();
        Ok::<_, rusqlite::Error>(())
    };
    let mut seen = 0usize;
    while let Some(r) = rows.next()? {
        let [key, value, site, event, timestamp, body]: [String; 6] =
            [r.get(0)?, r.get(1)?, r.get(2)?, r.get(5)?, r.get(6)?, r.get(7)?];
        let friction = i64::from(r.get::<_, bool>(4)?);
        let minute = r.get::<_, i64>(3)?.div_euclid(60_000);
        let device = crate::facts::extract(&event, &timestamp, &body).device;
        let device_key = (!device.is_empty()).then(|| device_site(&site, &device));
        for s in device_key.into_iter().chain([site]) {
            let row = counts.entry((s, minute, key.clone(), value.clone())).or_default();
            row.0 += 1;
            row.1 += friction;
        }
        seen += 1;
        if seen.is_multiple_of(FLUSH) {
            write(&mut counts)?;
        }
    }
    write(&mut counts)
}

/// The page tables' counts (and [`PageCounts`]'s order): page_view events, page_leave events,
/// the sums of their engaged ms and deepest scroll %, friction events, then [`VITAL_COLUMNS`].
pub const PAGE_COLUMNS: [&str; 14] = [
    "views",
    "leaves",
    "engaged_ms",
    "scroll_pct",
    "friction",
    "lcp_measured",
    "lcp_good",
    "lcp_poor",
    "cls_measured",
    "cls_good",
    "cls_poor",
    "inp_measured",
    "inp_good",
    "inp_poor",
];

/// Where the Core Web Vitals' counts begin in [`PAGE_COLUMNS`]: three per vital (LCP, CLS, INP),
/// measured, good and poor. Added by version 16 (`NOT NULL DEFAULT 0` for that).
const VITALS_AT: usize = 5;
pub const VITAL_COLUMNS: &[&str] = PAGE_COLUMNS.split_at(VITALS_AT).1;

/// The Core Web Vitals' counts of a page row or of a session, in the order of [`VITAL_COLUMNS`].
pub type VitalCounts = [i64; VITAL_COLUMNS.len()];

/// The Core Web Vitals' counts in `page` (a page_leave's; all 0 for any other event).
pub(crate) fn vital_counts(page: &PageCounts) -> VitalCounts {
    let mut v = VitalCounts::default();
    v.copy_from_slice(&page[VITALS_AT..]);
    v
}

/// Adds the Core Web Vitals' counts `v` to `sum` (a session's, a channel's).
pub(crate) fn add_vital_counts(sum: &mut VitalCounts, v: &VitalCounts) {
    for (sum, n) in sum.iter_mut().zip(v) {
        *sum += n;
    }
}

/// The Core Web Vitals' counts of a row read with [`VITAL_COLUMNS`] from its column `at` on.
pub(crate) fn read_vital_counts(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<VitalCounts> {
    let mut v = VitalCounts::default();
    for (i, n) in v.iter_mut().enumerate() {
        *n = r.get(at + i)?;
    }
    Ok(v)
}

/// `ALTER TABLE` adding [`VITAL_COLUMNS`] (0 in every row) to `table`.
fn add_vital_columns(table: &str) -> String {
    VITAL_COLUMNS.iter().map(|c| format!("ALTER TABLE {table} ADD COLUMN {c} INTEGER NOT NULL DEFAULT 0;\n")).collect()
}

/// Version 15 -> 16: the page tables gain the Core Web Vitals' counts (filled by [`fill_pages`]).
pub fn add_vitals() -> String {
    PAGE_TABLES.iter().map(|(table, _)| add_vital_columns(table)).collect()
}

/// Version 18 -> 19: `sessions` gains the Core Web Vitals' counts of its page_leave events (for
/// the channels, devices and campaigns); the indexes that cover them are made again (by
/// [`SCHEMA`], run next; then [`fill_session_vitals`]).
pub fn add_session_vitals() -> String {
    add_vital_columns("sessions") + "DROP INDEX IF EXISTS sessions_site_last;\nDROP INDEX IF EXISTS sessions_last;\n"
}

/// Then each session's counts from its stored page_leave events, as [`apply`] counts them
/// ([`page_counts`], each event read through the same checks as at ingest). Added to the rows
/// (0 after [`add_session_vitals`]) every `FLUSH` events, so the memory stays bounded on a large
/// database.
pub fn fill_session_vitals(conn: &Connection) -> rusqlite::Result<()> {
    const FLUSH: usize = 200_000;
    let mut stmt = conn.prepare(
        "SELECT session_id, site, event, timestamp, body FROM events INDEXED BY events_event_id
          WHERE event = 'page_leave'",
    )?;
    let sums: Vec<String> = VITAL_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = {c} + ?{}", i + 3)).collect();
    let mut add =
        conn.prepare(&format!("UPDATE sessions SET {} WHERE session_id = ?1 AND site = ?2", sums.join(", ")))?;
    let mut sessions: Map<(String, String), VitalCounts> = Map::default();
    let mut write = |sessions: &mut Map<(String, String), VitalCounts>| -> rusqlite::Result<()> {
        for ((session_id, site), v) in sessions.drain() {
            let mut args: Vec<&dyn rusqlite::ToSql> = vec![&session_id, &site];
            args.extend(v.iter().map(|n| n as &dyn rusqlite::ToSql));
            add.execute(args.as_slice())?;
        }
        Ok(())
    };
    let mut rows = stmt.query([])?;
    let mut seen = 0usize;
    while let Some(r) = rows.next()? {
        let [session_id, site, event, timestamp, body]: [String; 5] =
            [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?];
        let facts = crate::facts::extract(&event, &timestamp, &body);
        add_vital_counts(sessions.entry((session_id, site)).or_default(), &vital_counts(&page_counts(&event, &facts)));
        seen += 1;
        if seen.is_multiple_of(FLUSH) {
            write(&mut sessions)?;
        }
    }
    write(&mut sessions)
}

/// The key under which the page tables keep a site's rows of one device class (`context.device`
/// of the events, the friction rows' device): the site, U+0001 (which no site id has), the
/// class. The inspector's pages of one device read them; a site's own rows are all devices.
pub fn device_site(site: &str, device: &str) -> String {
    let mut key = String::with_capacity(site.len() + 1 + device.len());
    key.push_str(site);
    key.push('\u{1}');
    key.push_str(device);
    key
}

/// The keys of `minute_counts` and `hour_counts` an event (or a new session) of `site` captured
/// on `device` is counted under besides the site's and all sites': its device class's, for the
/// site and for all sites; none without a device class.
pub(crate) fn device_count_keys(site: &str, device: &str) -> Vec<String> {
    if device.is_empty() {
        return Vec::new();
    }
    vec![device_site(site, device), device_site("", device)]
}

/// The page tables and their time column, finest first.
pub const PAGE_TABLES: [(&str, &str); 3] = [("page_minutes", "minute"), ("page_hours", "hour"), ("page_days", "day")];

/// The tag page tables (see [`page_schema`]), as [`PAGE_TABLES`].
pub const TAG_PAGE_TABLES: [(&str, &str); 3] =
    [("tag_page_minutes", "minute"), ("tag_page_hours", "hour"), ("tag_page_days", "day")];

/// Fills `hour_counts` from `minute_counts` (a version 3 database; minutes are never negative).
/// Made again from nothing: a database stamped 3 by an older collector after a newer one kept
/// hours already would otherwise fail on their keys.
pub const HOURS_FROM_MINUTES: &str = "
DELETE FROM hour_counts;
INSERT INTO hour_counts (site, hour, metric, n)
  SELECT site, minute / 60, metric, SUM(n) FROM minute_counts GROUP BY site, minute / 60, metric;
";

/// Version 4 -> 5: `sessions` gains its attribution; the indexes that cover it are made again
/// (by [`SCHEMA`], run next).
pub const ADD_CHANNELS: &str = "
ALTER TABLE sessions ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS sessions_site_last;
DROP INDEX IF EXISTS sessions_last;
";

/// Then each session's attribution from its first stored event that has one (as [`Session::add`]
/// would have kept it, up to events received out of order).
pub const FILL_CHANNELS: &str = "
UPDATE sessions SET (channel, campaign) = (
  SELECT substr(json_extract(e.body, '$.context.channel'), 1, 256),
         substr(COALESCE(json_extract(e.body, '$.context.campaign'), ''), 1, 256)
    FROM events AS e INDEXED BY events_session
   WHERE e.session_id = sessions.session_id AND e.site = sessions.site
     AND json_type(e.body, '$.context.channel') = 'text'
     AND (json_type(e.body, '$.context.campaign') IS NULL OR json_type(e.body, '$.context.campaign') = 'text')
   ORDER BY e.id LIMIT 1)
WHERE EXISTS (
  SELECT 1 FROM events AS e INDEXED BY events_session
   WHERE e.session_id = sessions.session_id AND e.site = sessions.site
     AND json_type(e.body, '$.context.channel') = 'text'
     AND (json_type(e.body, '$.context.campaign') IS NULL OR json_type(e.body, '$.context.campaign') = 'text'));
";

/// Version 26 -> 27: `sessions` gains its source and medium (the landing's `utm_source` and
/// `utm_medium`); the indexes that cover them are made again (by [`SCHEMA`], run next; then
/// [`FILL_SOURCES`]).
pub const ADD_SOURCES: &str = "
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN medium TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS sessions_site_last;
DROP INDEX IF EXISTS sessions_last;
";

/// Version 27 -> 28: `sessions` gains its browser and OS; the indexes that cover them are made
/// again (by [`SCHEMA`], run next). Nothing to fill them from: the events stored before have none
/// (the `User-Agent` they came with was never kept), so those sessions' stay unknown ('').
pub const ADD_AGENTS: &str = "
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN os TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS sessions_site_last;
DROP INDEX IF EXISTS sessions_last;
";

/// Then each session's source and medium from its first stored event that has a channel, as
/// [`FILL_CHANNELS`] takes the campaign (and [`Session::add`] keeps them with the channel, up to
/// events received out of order).
pub const FILL_SOURCES: &str = "
UPDATE sessions SET (source, medium) = (
  SELECT substr(COALESCE(json_extract(e.body, '$.context.source'), ''), 1, 256),
         substr(COALESCE(json_extract(e.body, '$.context.medium'), ''), 1, 256)
    FROM events AS e INDEXED BY events_session
   WHERE e.session_id = sessions.session_id AND e.site = sessions.site
     AND json_type(e.body, '$.context.channel') = 'text'
     AND (json_type(e.body, '$.context.source') IS NULL OR json_type(e.body, '$.context.source') = 'text')
     AND (json_type(e.body, '$.context.medium') IS NULL OR json_type(e.body, '$.context.medium') = 'text')
   ORDER BY e.id LIMIT 1)
WHERE EXISTS (
  SELECT 1 FROM events AS e INDEXED BY events_session
   WHERE e.session_id = sessions.session_id AND e.site = sessions.site
     AND json_type(e.body, '$.context.channel') = 'text'
     AND (json_type(e.body, '$.context.source') IS NULL OR json_type(e.body, '$.context.source') = 'text')
     AND (json_type(e.body, '$.context.medium') IS NULL OR json_type(e.body, '$.context.medium') = 'text'));
";

/// A session's source and medium as the read API names them (`by=source`, `source=`): GA4's
/// "source / medium", a missing one written `(not set)` as GA4 writes it (`google / (not set)`),
/// and `""` for a session with neither (as `by=campaign` names the sessions without a campaign).
/// [`SOURCE_MEDIUM_SQL`] spells the same in SQL.
pub fn source_medium(source: &str, medium: &str) -> String {
    if source.is_empty() && medium.is_empty() {
        return String::new();
    }
    fn or_not_set(v: &str) -> &str {
        if v.is_empty() {
            NOT_SET
        } else {
            v
        }
    }
    format!("{} / {}", or_not_set(source), or_not_set(medium))
}

/// What [`source_medium`] writes for a missing source or medium.
const NOT_SET: &str = "(not set)";

/// [`source_medium`] of a `sessions` row `s`, in SQL.
pub const SOURCE_MEDIUM_SQL: &str = "(CASE WHEN s.source = '' AND s.medium = '' THEN ''
  ELSE (CASE s.source WHEN '' THEN '(not set)' ELSE s.source END) || ' / '
    || (CASE s.medium WHEN '' THEN '(not set)' ELSE s.medium END) END)";

/// Version 9 -> 10: `sessions` gains its device class; the indexes that cover it are made again
/// (by [`SCHEMA`], run next; then [`FILL_DEVICES`]).
pub const ADD_DEVICES: &str = "
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS sessions_site_last;
DROP INDEX IF EXISTS sessions_last;
";

/// Then each session's device class from its first stored event that has one (as
/// [`Session::add`] keeps it, up to events received out of order).
pub const FILL_DEVICES: &str = "
UPDATE sessions SET device = (
  SELECT substr(json_extract(e.body, '$.context.device'), 1, 256)
    FROM events AS e INDEXED BY events_session
   WHERE e.session_id = sessions.session_id AND e.site = sessions.site
     AND json_type(e.body, '$.context.device') = 'text'
   ORDER BY e.id LIMIT 1)
WHERE EXISTS (
  SELECT 1 FROM events AS e INDEXED BY events_session
   WHERE e.session_id = sessions.session_id AND e.site = sessions.site
     AND json_type(e.body, '$.context.device') = 'text');
";

/// Version 12 -> 13: `friction` gains each event's device class (its indexes are made again by
/// [`SCHEMA`], run next; then [`FILL_FRICTION_DEVICES`]).
pub const ADD_FRICTION_DEVICES: &str = "
ALTER TABLE friction ADD COLUMN device TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS friction_site_ts;
DROP INDEX IF EXISTS friction_ts;
";

/// Then each friction row's device class from its event, as ingestion reads it.
pub const FILL_FRICTION_DEVICES: &str = "
UPDATE friction SET device = (
  SELECT substr(json_extract(e.body, '$.context.device'), 1, 256) FROM events AS e
   WHERE e.id = friction.id AND json_type(e.body, '$.context.device') = 'text')
WHERE EXISTS (
  SELECT 1 FROM events AS e WHERE e.id = friction.id AND json_type(e.body, '$.context.device') = 'text');
";

/// Version 32 -> 33: `friction` gains each event's element text, at the end of its three
/// indexes (made again by [`SCHEMA`], run next; then [`FILL_FRICTION_TEXTS`]).
pub const ADD_FRICTION_TEXTS: &str = "
ALTER TABLE friction ADD COLUMN text TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS friction_site_ts;
DROP INDEX IF EXISTS friction_ts;
DROP INDEX IF EXISTS friction_during;
";

/// Then each friction row's text from its event, cut as ingestion cuts it (`substr` counts
/// characters, as `facts::cut_text` does).
pub const FILL_FRICTION_TEXTS: &str = "
UPDATE friction SET text = (
  SELECT substr(json_extract(e.body, '$.properties.element.text'), 1, 64) FROM events AS e
   WHERE e.id = friction.id AND json_type(e.body, '$.properties.element.text') = 'text')
WHERE EXISTS (
  SELECT 1 FROM events AS e
   WHERE e.id = friction.id AND json_type(e.body, '$.properties.element.text') = 'text');
";

/// Version 5 -> 6: `sessions` gains its customer (the index on it is made by [`SCHEMA`], run
/// next; then [`fill_users`]).
pub const ADD_USERS: &str = "
ALTER TABLE sessions ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_ts INTEGER NOT NULL DEFAULT 0;
";

/// Version 22 -> 23: `sessions` gains its visitor (`anonymous_id`); the indexes that cover it are
/// made again with it, and `sessions_visitor` made (by [`SCHEMA`], run next; then
/// [`fill_visitors`]).
pub const ADD_VISITORS: &str = "
ALTER TABLE sessions ADD COLUMN anonymous_id TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS sessions_site_last;
DROP INDEX IF EXISTS sessions_last;
";

/// Then each session's visitor from its stored events, as [`Session::add`] keeps it (up to events
/// received out of order, as [`FILL_DEVICES`]): the `anonymousId` of its earliest event that has
/// one (of two at the same time, the one stored first).
pub fn fill_visitors(conn: &Connection) -> rusqlite::Result<()> {
    let earliest = one_id_per_session(conn, "anonymousId", false, |f| f.anonymous_id)?;
    let mut set = conn.prepare("UPDATE sessions SET anonymous_id = ?1 WHERE session_id = ?2 AND site = ?3")?;
    for ((session_id, site), (_, id)) in &earliest {
        set.execute(params![id, session_id, site])?;
    }
    Ok(())
}

/// Per session (id, site), one id of its stored events and the time it counts at: of the events
/// whose text holds `needle` (or an escape, which could spell it), read through the same checks as
/// at ingest, those `id_of` gives a non-empty id; the earliest's, or the `latest`'s (of two at the
/// same time, the one stored first, or last). Automated events are left out, as [`apply`] leaves
/// them out of sessions. [`fill_visitors`] and [`fill_users`] differ only in these.
fn one_id_per_session(
    conn: &Connection,
    needle: &str,
    latest: bool,
    id_of: impl Fn(crate::facts::Facts) -> String,
) -> rusqlite::Result<Map<(String, String), (i64, String)>> {
    let mut kept: Map<(String, String), (i64, String)> = Map::default();
    let mut stmt = conn.prepare(
        "SELECT session_id, site, event, timestamp, received_at, body, sent_at FROM events
          WHERE instr(body, ?1) > 0 OR instr(body, '\\') > 0 ORDER BY id",
    )?;
    let mut rows = stmt.query([needle])?;
    while let Some(r) = rows.next()? {
        let [event, timestamp, body]: [String; 3] = [r.get(2)?, r.get(3)?, r.get(5)?];
        let facts = crate::facts::extract(&event, &timestamp, &body);
        if facts.automated {
            continue;
        }
        let ts = counts_at(facts.ts_ms, r.get(4)?, r.get(6)?);
        let id = id_of(facts);
        if id.is_empty() {
            continue;
        }
        let k = kept.entry((r.get(0)?, r.get(1)?)).or_insert((ts, String::new()));
        if k.1.is_empty() || if latest { ts >= k.0 } else { ts < k.0 } {
            *k = (ts, id);
        }
    }
    Ok(kept)
}

/// Version 19 -> 20: `sessions` gains the times of its moments of truth (then
/// [`fill_moment_times`]).
pub const ADD_MOMENT_TIMES: &str = "
ALTER TABLE sessions ADD COLUMN moment_ts TEXT NOT NULL DEFAULT '[]';
";

/// Each session's moments of truth from its stored events, as [`Session::add`] keeps them: in the
/// order they happened (by the time each counts at; the first time of each name), with their
/// times. Before version 20 they were kept in the order they arrived. Only the events of a
/// default moment's name and those whose text holds `moment` (or an escape, which could spell
/// it) are parsed.
pub fn fill_moment_times(conn: &Connection) -> rusqlite::Result<()> {
    let mut sessions: Map<(String, String), Session> = Map::default();
    let names = DEFAULT_MOMENTS.map(|m| format!("'{m}'")).join(", ");
    let mut stmt = conn.prepare(&format!(
        "SELECT session_id, site, event, timestamp, received_at, body, sent_at FROM events
          WHERE event IN ({names}) OR instr(body, 'moment') > 0 OR instr(body, '\\') > 0 ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let [event, timestamp, body]: [String; 3] = [r.get(2)?, r.get(3)?, r.get(5)?];
        let facts = crate::facts::extract(&event, &timestamp, &body);
        if facts.moment {
            let ts = counts_at(facts.ts_ms, r.get(4)?, r.get(6)?);
            sessions.entry((r.get(0)?, r.get(1)?)).or_default().add_moment(&event, ts);
        }
    }
    let mut set =
        conn.prepare("UPDATE sessions SET moments = ?1, moment_ts = ?2 WHERE session_id = ?3 AND site = ?4")?;
    for ((session_id, site), s) in &sessions {
        set.execute(params![json_text(&s.moments, "[]"), json_text(&s.moment_ts, "[]"), session_id, site])?;
    }
    Ok(())
}

fn json_text<T: serde::Serialize + ?Sized>(v: &T, empty: &str) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| empty.into())
}

/// Each session's customer from its stored events, as [`Session::add`] keeps it: the `userId` of
/// its latest event that has one (of two at the same time, the one stored last).
pub fn fill_users(conn: &Connection) -> rusqlite::Result<()> {
    let latest = one_id_per_session(conn, "userId", true, |f| f.user_id)?;
    let mut set = conn.prepare("UPDATE sessions SET user_id = ?1, user_ts = ?2 WHERE session_id = ?3 AND site = ?4")?;
    for ((session_id, site), (ts, user)) in &latest {
        set.execute(params![user, ts, session_id, site])?;
    }
    Ok(())
}

/// One row of `event_tags` (a [`Tag`] of an event): its value as the tag filters compare it,
/// the text of a real number made by SQLite itself (`CAST`), as its JSON functions made it
/// when they read the tags from the body. Ignored when the event already has it.
const TAG_ROW: &str = "
INSERT OR IGNORE INTO event_tags (event_id, ts, site, session_id, friction, key, value)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?8 THEN CAST(CAST(?7 AS REAL) AS TEXT) ELSE ?7 END)";

/// The rows of `event_tags` of one event (`friction`: whether it has a `friction` row), with the
/// writer's cached statement for [`TAG_ROW`].
fn put_tags(
    stmt: &mut rusqlite::CachedStatement<'_>,
    id: i64,
    ts: i64,
    site: &str,
    session_id: &str,
    friction: bool,
    tags: &[Tag],
) -> rusqlite::Result<()> {
    for t in tags {
        stmt.execute(params![id, ts, site, session_id, friction, t.key, t.value, t.real])?;
    }
    Ok(())
}

/// Version 6 -> 7: `event_tags` (made by [`SCHEMA`]) filled from the stored events, as [`apply`]
/// fills it: the events whose text holds `tags` (or an escape, which could spell it), read
/// through the same checks as at ingest, each at the time it counts at, friction as its
/// `friction` row says.
pub fn fill_tags(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT e.id, e.site, e.session_id, e.event, e.timestamp, e.received_at, e.body, f.id IS NOT NULL, e.sent_at
           FROM events AS e LEFT JOIN friction AS f ON f.id = e.id
          WHERE instr(e.body, 'tags') > 0 OR instr(e.body, '\\') > 0 ORDER BY e.id",
    )?;
    let mut put = conn.prepare_cached(TAG_ROW)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let [site, session_id, event, timestamp, body]: [String; 5] =
            [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(6)?];
        let facts = crate::facts::extract(&event, &timestamp, &body);
        let ts = counts_at(facts.ts_ms, r.get(5)?, r.get(8)?);
        put_tags(&mut put, r.get(0)?, ts, &site, &session_id, r.get(7)?, &facts.tags)?;
    }
    Ok(())
}

/// Adds `n` to a count of `minute_counts`, and of `hour_counts`.
const BUMP_MINUTE: &str = "INSERT INTO minute_counts (site, minute, metric, n) VALUES (?1, ?2, ?3, ?4)
  ON CONFLICT (site, minute, metric) DO UPDATE SET n = n + excluded.n";
const BUMP_HOUR: &str = "INSERT INTO hour_counts (site, hour, metric, n) VALUES (?1, ?2, ?3, ?4)
  ON CONFLICT (site, hour, metric) DO UPDATE SET n = n + excluded.n";

/// Where [`apply`] counted a session as new, read back from its stored events in the order they
/// were stored: the least time of the events stored with its first one (one group of the writer:
/// one receive time), and the sample rate of the first of them that has one. For taking the count
/// out again (`privacy.rs`) and for filling a count added later ([`fill_sampled`]).
#[derive(Debug, Clone, Default)]
pub struct FirstGroup {
    /// (receive time, least time, sample rate) once an event was added.
    seen: Option<(i64, i64, u8)>,
    /// The device class the session had after that group, as [`Session::add`] keeps it.
    device: String,
}

impl FirstGroup {
    pub fn add(&mut self, received_at: i64, ts: i64, sample_rate: u8, device: &str) {
        let least = match self.seen {
            None => None,
            Some((at, least, _)) if at == received_at => Some(least),
            Some(_) => return, // a later group
        };
        // (Session::add's rule, before its first time takes this event's.)
        if !device.is_empty() && (self.device.is_empty() || least.is_some_and(|l| ts < l)) {
            self.device = device.to_string();
        }
        self.seen = match self.seen {
            None => Some((received_at, ts, sample_rate)),
            Some((at, least, rate)) => Some((at, least.min(ts), if rate == 0 { sample_rate } else { rate })),
        };
    }

    /// The minute it was counted at, and its sample rate (0: none).
    pub fn counted(&self) -> Option<(i64, u8)> {
        self.seen.map(|(_, least, rate)| (least.div_euclid(60_000), rate))
    }

    /// Its device class then ('' none).
    pub fn device(&self) -> &str {
        &self.device
    }
}

/// Version 7 -> 8: the `sampled:<rate>` counts ([`Metric::Sampled`]) of the stored sessions that
/// were sampled, where [`apply`] counts them (see [`FirstGroup`]). Only the sessions with an event
/// whose text holds `sampleRate` (or an escape, which could spell it) are read.
pub fn fill_sampled(conn: &Connection) -> rusqlite::Result<()> {
    // Counted again from nothing, not added to what is there: a database a newer collector kept
    // these counts in, then stamped with an older version, runs this again (and added, they
    // counted twice). The device classes' own `sampled:` rows are `fill_device_counts`' to make.
    conn.execute_batch(
        "DELETE FROM minute_counts WHERE metric LIKE 'sampled:%' AND instr(site, char(1)) = 0;
         DELETE FROM hour_counts WHERE metric LIKE 'sampled:%' AND instr(site, char(1)) = 0;",
    )?;
    let keys: Vec<(String, String)> = conn
        .prepare(
            "SELECT DISTINCT e.session_id, e.site FROM events AS e
              WHERE (instr(e.body, 'sampleRate') > 0 OR instr(e.body, '\\') > 0)
                AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.session_id = e.session_id AND s.site = e.site)",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT event, timestamp, received_at, body, sent_at FROM events INDEXED BY events_session
          WHERE session_id = ?1 AND site = ?2 ORDER BY id",
    )?;
    let mut minutes: Map<(String, i64, u8), i64> = Map::default();
    for (session_id, site) in keys {
        let mut first = FirstGroup::default();
        let mut rows = stmt.query(params![session_id, site])?;
        while let Some(r) = rows.next()? {
            let [event, timestamp, body]: [String; 3] = [r.get(0)?, r.get(1)?, r.get(3)?];
            let facts = crate::facts::extract(&event, &timestamp, &body);
            first.add(r.get(2)?, counts_at(facts.ts_ms, r.get(2)?, r.get(4)?), facts.sample_rate, "");
        }
        if let Some((minute, rate)) = first.counted().filter(|c| c.1 > 0) {
            for s in [site.as_str(), ""] {
                *minutes.entry((s.to_string(), minute, rate)).or_default() += 1;
            }
        }
    }
    let mut bump = conn.prepare_cached(BUMP_MINUTE)?;
    let mut bump_hour = conn.prepare_cached(BUMP_HOUR)?;
    let mut name = String::new();
    for ((site, minute, rate), n) in minutes {
        let metric = Metric::Sampled(rate).spell(&mut name);
        bump.execute(params![site, minute, metric, n])?;
        bump_hour.execute(params![site, minute.div_euclid(60), metric, n])?;
    }
    Ok(())
}

/// Version 14 -> 15: the counts of each device class (`minute_counts` and `hour_counts` under the
/// [`device_site`] keys) from the stored events, as [`apply`] counts them: each event under its
/// own device class, each session at its first group under the class it had after it. The
/// events are read session by session; the counts are written every `FLUSH` events, so the
/// memory stays bounded on a large database.
pub fn fill_device_counts(conn: &Connection) -> rusqlite::Result<()> {
    const FLUSH: usize = 200_000;
    // Every count under a device class key is made here again from nothing (see `fill_sampled`:
    // run again on a database that had them, adding doubled them).
    conn.execute_batch(
        "DELETE FROM minute_counts WHERE instr(site, char(1)) > 0;
         DELETE FROM hour_counts WHERE instr(site, char(1)) > 0;",
    )?;
    let mut stmt = conn.prepare(
        "SELECT session_id, site, event, timestamp, received_at, body, sent_at FROM events INDEXED BY events_session
          ORDER BY session_id, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut counts: Map<(String, i64, String), i64> = Map::default();
    let mut name = String::new();
    // The first groups of the sessions of the current session id (one per site).
    let mut current = String::new();
    let mut firsts: Vec<(String, FirstGroup)> = Vec::new();
    let mut seen = 0usize;
    let flush_sessions = |firsts: &mut Vec<(String, FirstGroup)>, counts: &mut Map<(String, i64, String), i64>| {
        let mut name = String::new();
        for (site, first) in firsts.drain(..) {
            let Some((minute, rate)) = first.counted() else { continue };
            for key in device_count_keys(&site, first.device()) {
                *counts.entry((key.clone(), minute, Metric::Sessions.spell(&mut name).into())).or_default() += 1;
                if rate > 0 {
                    *counts.entry((key, minute, Metric::Sampled(rate).spell(&mut name).into())).or_default() += 1;
                }
            }
        }
    };
    let write = |counts: &mut Map<(String, i64, String), i64>| -> rusqlite::Result<()> {
        let mut hours: Map<(String, i64, String), i64> = Map::default();
        let mut bump = conn.prepare_cached(BUMP_MINUTE)?;
        for ((key, minute, metric), n) in counts.drain() {
            bump.execute(params![key, minute, metric, n])?;
            *hours.entry((key, minute.div_euclid(60), metric)).or_default() += n;
        }
        let mut bump_hour = conn.prepare_cached(BUMP_HOUR)?;
        for ((key, hour, metric), n) in hours {
            bump_hour.execute(params![key, hour, metric, n])?;
        }
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let session_id: String = r.get(0)?;
        if session_id != current {
            flush_sessions(&mut firsts, &mut counts);
            current = session_id;
        }
        let [site, event, timestamp, body]: [String; 4] = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?];
        let received_at: i64 = r.get(4)?;
        let facts = crate::facts::extract(&event, &timestamp, &body);
        let ts = counts_at(facts.ts_ms, received_at, r.get(6)?);
        let i = match firsts.iter().position(|(s, _)| *s == site) {
            Some(i) => i,
            None => {
                firsts.push((site.clone(), FirstGroup::default()));
                firsts.len() - 1
            }
        };
        firsts[i].1.add(received_at, ts, facts.sample_rate, &facts.device);
        let (minute, friction) = (ts.div_euclid(60_000), facts.category == Category::Friction);
        for key in device_count_keys(&site, &facts.device) {
            *counts.entry((key.clone(), minute, Metric::Events.spell(&mut name).into())).or_default() += 1;
            if friction {
                *counts.entry((key.clone(), minute, Metric::Friction.spell(&mut name).into())).or_default() += 1;
                *counts.entry((key, minute, Metric::Type(&event).spell(&mut name).into())).or_default() += 1;
            }
        }
        seen += 1;
        if seen.is_multiple_of(FLUSH) {
            write(&mut counts)?;
        }
    }
    flush_sessions(&mut firsts, &mut counts);
    write(&mut counts)
}

/// The writer's own maps: foldhash (already in use for the id sets) rather than SipHash.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A row of `minute_counts`, by its `metric` (also for taking counts out again: `privacy.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Metric<'a> {
    Events,
    Sessions,
    Friction,
    /// `friction:<type>`
    Type(&'a str),
    /// `sampled:<rate>`: new sessions kept by a sample of that percentage (`context.sampleRate`),
    /// so that the inspector can say its counts are a share of the visits.
    Sampled(u8),
}

impl Metric<'_> {
    /// The `metric` column's text (`name`: room for the ones made of parts, no string made for
    /// the others).
    pub(crate) fn spell<'n>(&self, name: &'n mut String) -> &'n str {
        let (head, tail) = match self {
            Metric::Events => return "events",
            Metric::Sessions => return "sessions",
            Metric::Friction => return "friction",
            Metric::Type(t) => ("friction:", *t),
            Metric::Sampled(rate) => {
                name.clear();
                name.push_str("sampled:");
                name.push_str(&rate.to_string());
                return name;
            }
        };
        name.clear();
        name.push_str(head);
        name.push_str(tail);
        name
    }
}

/// What one event adds to its page's row of the page tables, in the order of [`PAGE_COLUMNS`]
/// (all 0 for an event that is no page view, page leave nor friction).
pub(crate) type PageCounts = [i64; PAGE_COLUMNS.len()];

/// Where [`PageCounts`] holds each count but the vitals (see [`PAGE_COLUMNS`]).
const VIEWS: usize = 0;
const LEAVES: usize = 1;
const ENGAGED_MS: usize = 2;
const SCROLL_PCT: usize = 3;
const FRICTION: usize = 4;

/// The page counts of an event named `event` with these facts.
pub(crate) fn page_counts(event: &str, f: &crate::facts::Facts) -> PageCounts {
    let mut c = PageCounts::default();
    c[FRICTION] = i64::from(f.category == Category::Friction);
    match event {
        "page_view" => c[VIEWS] = 1,
        "page_leave" => {
            c[LEAVES] = 1;
            c[ENGAGED_MS] = f.engaged_ms;
            c[SCROLL_PCT] = i64::from(f.scroll_pct);
            let v = &f.vitals;
            for (i, rating) in [v.lcp, v.cls, v.inp].into_iter().enumerate() {
                let at = VITALS_AT + 3 * i;
                c[at] = i64::from(rating != Rating::NotMeasured);
                c[at + 1] = i64::from(rating == Rating::Good);
                c[at + 2] = i64::from(rating == Rating::Poor);
            }
        }
        _ => {}
    }
    c
}

/// The page_leave events of a session stored before an event (by id), the latest first, at most
/// [`MAX_EARLIER_LEAVES`]: where the view a resumed page_leave goes on was left before.
pub(crate) const EARLIER_LEAVES_SQL: &str = "SELECT timestamp, body FROM events INDEXED BY events_session
  WHERE session_id = ?1 AND id < ?3 AND site = ?2 AND event = 'page_leave' ORDER BY id DESC LIMIT ?4";

/// How many of a session's latest page_leave events a resumed one is looked up among.
pub const MAX_EARLIER_LEAVES: i64 = 64;

/// [`page_counts`] of the stored event `id` of the session (`session_id`, `site`), counting each
/// page view once. A view whose tab was hidden and shown again sends a `page_leave` per stretch:
/// the first, then each later one with `resumed: true`, carrying the stretch's own engaged time
/// and the view's deepest scroll so far (its running maximum). So a resumed page_leave that goes
/// on a view left before (the session's latest earlier-stored page_leave of the same page, among
/// its last [`MAX_EARLIER_LEAVES`]) adds no leave, its engaged time, and to the scroll only how
/// much deeper it reached than that one (never less than 0): the page's `leaves` are its views
/// left and `scroll_pct` the sum of each view's deepest point. One without such an earlier leave
/// (the first one lost, or not yet arrived) counts as a view of its own. Every path that counts
/// or takes out page counts (ingest, rebuild, erasure, the several-tags reads) reads them here,
/// the event's earlier ones still stored: they give the same counts.
pub(crate) fn view_page_counts(
    conn: &Connection,
    id: i64,
    session_id: &str,
    site: &str,
    event: &str,
    f: &crate::facts::Facts,
) -> rusqlite::Result<PageCounts> {
    let mut c = page_counts(event, f);
    if event != "page_leave" || !f.resumed {
        return Ok(c);
    }
    let mut stmt = conn.prepare_cached(EARLIER_LEAVES_SQL)?;
    let mut rows = stmt.query(params![session_id, site, id, MAX_EARLIER_LEAVES])?;
    while let Some(r) = rows.next()? {
        let (timestamp, body) = (r.get_ref(0)?.as_str().unwrap_or(""), r.get_ref(1)?.as_str().unwrap_or(""));
        let before = crate::facts::extract("page_leave", timestamp, body);
        if before.path == f.path {
            c[LEAVES] = 0;
            c[SCROLL_PCT] = (i64::from(f.scroll_pct) - i64::from(before.scroll_pct)).max(0);
            break;
        }
    }
    Ok(c)
}

/// A row of the page tables (tag `None`) or of the tag page tables (the tag's key and value, as
/// [`tag_values`] gives them): (tag, site or device key, minute, path).
pub(crate) type PageKey<'a> = (Option<(&'a str, &'a str)>, &'a str, i64, &'a str);

/// Adds (`sign` 1) or takes out (`sign` -1) page counts, keyed by [`PageKey`], in
/// `page_minutes` and, summed per hour and per day, in `page_hours` and `page_days`, or for the
/// keys with a tag in the tag page tables (the same key may come many times: one item per event
/// will do). A row taken down to nothing is removed, as a rebuild would not make it.
pub(crate) fn write_pages<'a>(
    conn: &Connection,
    minutes: impl IntoIterator<Item = (PageKey<'a>, PageCounts)>,
    sign: i64,
) -> rusqlite::Result<()> {
    // (Sorted: the untagged rows first, then each tag's, each in key order.)
    let mut by_minute: BTreeMap<PageKey<'_>, PageCounts> = BTreeMap::new();
    let mut by_hour: BTreeMap<PageKey<'_>, PageCounts> = BTreeMap::new();
    let mut by_day: BTreeMap<PageKey<'_>, PageCounts> = BTreeMap::new();
    for ((tag, site, minute, path), c) in minutes {
        let at =
            [(&mut by_minute, minute), (&mut by_hour, minute.div_euclid(60)), (&mut by_day, minute.div_euclid(1440))];
        for (map, at) in at {
            let row = map.entry((tag, site, at, path)).or_default();
            for (sum, n) in row.iter_mut().zip(c) {
                *sum += n;
            }
        }
    }
    for (grain, rows) in [&by_minute, &by_hour, &by_day].into_iter().enumerate() {
        // The page table (`[0]`) and the tag page table (`[1]`) of the grain (the untagged rows
        // come first in `rows`, then the tagged ones); a statement prepared only for rows.
        let mut bump = [None, None];
        for (&(tag, site, at, path), c) in rows {
            if c.iter().all(|&n| n == 0) {
                continue;
            }
            let i = usize::from(tag.is_some());
            let sql = &PAGE_SQL[grain][i];
            let counts = c.map(|n| n * sign);
            let (key, value) = tag.unwrap_or_default();
            let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(5 + PAGE_COLUMNS.len());
            if tag.is_some() {
                args.extend([&key as &dyn rusqlite::ToSql, &value]);
            }
            args.extend([&site as &dyn rusqlite::ToSql, &at, &path]);
            args.extend(counts.iter().map(|n| n as &dyn rusqlite::ToSql));
            // (What is left is read back only when taking out: ingestion adds without it.)
            let stmt = match &mut bump[i] {
                Some(stmt) => stmt,
                None => bump[i].insert(conn.prepare_cached(if sign > 0 { &sql.add } else { &sql.less })?),
            };
            if sign > 0 {
                stmt.execute(args.as_slice())?;
                continue;
            }
            // (Every other count comes with a view, a leave or a friction event.)
            let left: (i64, i64, i64) = stmt.query_row(args.as_slice(), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            if left.0 <= 0 && left.1 <= 0 && left.2 <= 0 {
                let args = params![site, at, path, key, value];
                conn.prepare_cached(&sql.gone)?.execute(&args[..if tag.is_some() { 5 } else { 3 }])?;
            }
        }
    }
    Ok(())
}

/// The statements of one page table (or tag page table): the upsert of a row's counts, the same
/// reading back what is left (taking out), and the delete of a row.
struct PageSql {
    add: String,
    less: String,
    gone: String,
}

/// [`PageSql`] of the page tables (`[grain][0]`) and of the tag page tables (`[grain][1]`), the
/// grains as in [`PAGE_TABLES`].
static PAGE_SQL: std::sync::LazyLock<[[PageSql; 2]; 3]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|grain| {
        std::array::from_fn(|tagged| {
            let (table, column) = [PAGE_TABLES, TAG_PAGE_TABLES][tagged][grain];
            let (key, tag_where) = match tagged {
                0 => (format!("site, {column}, path"), ""),
                _ => (format!("key, value, site, {column}, path"), "key = ?4 AND value = ?5 AND "),
            };
            let values: Vec<String> =
                (1..=key.split(',').count() + PAGE_COLUMNS.len()).map(|i| format!("?{i}")).collect();
            let sums: Vec<String> = PAGE_COLUMNS.iter().map(|c| format!("{c} = {c} + excluded.{c}")).collect();
            let add = format!(
                "INSERT INTO {table} ({key}, {columns}) VALUES ({values})
                 ON CONFLICT ({key}) DO UPDATE SET {sums}",
                columns = PAGE_COLUMNS.join(", "),
                values = values.join(", "),
                sums = sums.join(", ")
            );
            PageSql {
                less: add.clone() + " RETURNING views, leaves, friction",
                add,
                gone: format!("DELETE FROM {table} WHERE {tag_where}site = ?1 AND {column} = ?2 AND path = ?3"),
            }
        })
    })
});

/// The rows `event_tags` holds for the tags of one event (see [`TAG_ROW`]), as (key, value):
/// the value of a real number as SQLite prints it, made by SQLite itself (the same `CAST`, a
/// cached statement, run for real numbers only: they are rare), each row once (`1.0` and
/// `1.00`, or the number `1e2` and the string `"100.0"`, are one row there, as `INSERT OR
/// IGNORE` keeps them). The tag page tables count an event under each of these.
pub(crate) fn tag_values<'t>(conn: &Connection, tags: &'t [Tag]) -> rusqlite::Result<Vec<(&'t str, Cow<'t, str>)>> {
    let mut out: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(tags.len());
    for t in tags {
        let value = if t.real {
            let mut cast = conn.prepare_cached("SELECT CAST(CAST(?1 AS REAL) AS TEXT)")?;
            Cow::Owned(cast.query_row([&t.value], |r| r.get(0))?)
        } else {
            Cow::Borrowed(t.value.as_str())
        };
        if !out.iter().any(|(k, v)| *k == t.key && *v == value) {
            out.push((&t.key, value));
        }
    }
    Ok(out)
}

/// Version 8 -> 9: `page_minutes`, `page_hours` and `page_days` (made by [`page_schema`]) filled as [`apply`]
/// fills them: page views and leaves (with their figures and Core Web Vitals) read from their
/// events, friction from `friction` (which holds each friction event's time and page). Also
/// versions 9 to 15, whose rows are deleted first: they lacked the device classes' rows (before
/// 14) or the vitals (before 16).
pub fn fill_pages(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT site, event, timestamp, received_at, body, id, session_id, sent_at FROM events INDEXED BY events_event_id
          WHERE event IN ('page_view', 'page_leave')",
    )?;
    let mut rows = stmt.query([])?;
    let mut pages: Map<(String, i64, String), PageCounts> = Map::default();
    // (Under the site, and under its device class if any, as `apply` adds them.)
    let mut add = |site: String, device: &str, minute: i64, path: String, c: PageCounts| {
        let device_key = (!device.is_empty()).then(|| device_site(&site, device));
        for key in device_key.into_iter().chain([site]) {
            let row = pages.entry((key, minute, path.clone())).or_default();
            for (sum, n) in row.iter_mut().zip(c) {
                *sum += n;
            }
        }
    };
    while let Some(r) = rows.next()? {
        let [site, event, timestamp, body]: [String; 4] = [r.get(0)?, r.get(1)?, r.get(2)?, r.get(4)?];
        let facts = crate::facts::extract(&event, &timestamp, &body);
        let minute = counts_at(facts.ts_ms, r.get(3)?, r.get(7)?).div_euclid(60_000);
        // (Friction comes from `friction` below.)
        let mut counts = view_page_counts(conn, r.get(5)?, &r.get::<_, String>(6)?, &site, &event, &facts)?;
        counts[FRICTION] = 0;
        add(site, &facts.device, minute, facts.path, counts);
    }
    drop(rows);
    let mut stmt = conn.prepare("SELECT site, ts, path, device FROM friction")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let device: String = r.get(3)?;
        let mut counts = PageCounts::default();
        counts[FRICTION] = 1;
        add(r.get(0)?, &device, r.get::<_, i64>(1)?.div_euclid(60_000), r.get(2)?, counts);
    }
    write_pages(conn, pages.iter().map(|((site, m, path), c)| ((None, site.as_str(), *m, path.as_str()), *c)), 1)
}

/// Version 16 -> 17: the tag page tables (made by [`page_schema`]) filled as [`apply`] fills
/// them, from the tag rows of the events that count on a page (`event_tags`, whose values are
/// the ones [`tag_values`] gives, each (key, value) once per event; its `friction` says which
/// are friction events): each such row's event read by its id, through the same checks as at
/// ingest (`facts::extract`), counted by [`page_counts`] at the minute of the row's time (the
/// time the event counts at) under its site, and its device class's key if it has one. An event
/// is read once per tag it carries. The sums are written every `FLUSH` rows, so the memory stays
/// bounded on a large database.
pub fn fill_tag_pages(conn: &Connection) -> rusqlite::Result<()> {
    const FLUSH: usize = 200_000;
    // (CROSS JOIN: `event_tags` first, the whole table in its order, each event by rowid.)
    let mut stmt = conn.prepare(
        "SELECT t.key, t.value, t.site, t.ts, e.event, e.timestamp, e.body, t.event_id, t.session_id
           FROM event_tags AS t CROSS JOIN events AS e ON e.id = t.event_id
          WHERE t.friction = 1 OR e.event IN ('page_view', 'page_leave')",
    )?;
    let mut rows = stmt.query([])?;
    type Row = (String, String, String, i64, String);
    let mut pages: Map<Row, PageCounts> = Map::default();
    let write = |pages: &mut Map<Row, PageCounts>| {
        let items = pages
            .iter()
            .map(|((k, v, site, m, path), c)| ((Some((k.as_str(), v.as_str())), site.as_str(), *m, path.as_str()), *c));
        write_pages(conn, items, 1)?;
        pages.clear();
        Ok::<_, rusqlite::Error>(())
    };
    let mut seen = 0usize;
    while let Some(r) = rows.next()? {
        let [key, value, site, event, timestamp, body]: [String; 6] =
            [r.get(0)?, r.get(1)?, r.get(2)?, r.get(4)?, r.get(5)?, r.get(6)?];
        let facts = crate::facts::extract(&event, &timestamp, &body);
        let counts = view_page_counts(conn, r.get(7)?, &r.get::<_, String>(8)?, &site, &event, &facts)?;
        if counts.iter().all(|&n| n == 0) {
            continue;
        }
        let minute = r.get::<_, i64>(3)?.div_euclid(60_000);
        let device_key = (!facts.device.is_empty()).then(|| device_site(&site, &facts.device));
        for s in device_key.into_iter().chain([site]) {
            let row = pages.entry((key.clone(), value.clone(), s, minute, facts.path.clone())).or_default();
            for (sum, n) in row.iter_mut().zip(counts) {
                *sum += n;
            }
        }
        seen += 1;
        if seen.is_multiple_of(FLUSH) {
            write(&mut pages)?;
        }
    }
    write(&mut pages)
}

/// Most distinct moments of truth a session keeps.
const MAX_MOMENTS: usize = 32;

/// Moments of truth in the funnel the score measures progress through.
pub const MOMENTS_TOTAL: u32 = DEFAULT_MOMENTS.len() as u32;

/// Capture times later than this after receipt are not believed (a wrong clock): the receive
/// time is used instead.
const MAX_FUTURE_MS: i64 = 3_600_000;

/// Below this, a batch's `sentAt` and its arrival differ by the request's way (a slow mobile
/// upload, a beacon the browser sent a little later, retries inside one request) or by a clock a
/// few seconds off, not by a wrong clock worth correcting: its events count at their own
/// `timestamp`. Correcting those would move a right clock's events by the request's time, batch
/// by batch (so a session's events of two batches could swap places), for an error under a
/// minute (the inspector's finest bucket).
pub const MIN_SKEW_MS: i64 = 60_000;

/// The time an event counts at.
pub fn event_ts(e: &Event, received_at: i64) -> i64 {
    counts_at(e.facts.ts_ms, received_at, e.facts.sent_at)
}

/// How far the device's clock was behind the collector's (negative: ahead) when a batch sent at
/// `sent_at` (its `sentAt`, the device's clock; None: unknown) arrived at `received_at` (the
/// collector's): their difference, the request's way included; 0 when under [`MIN_SKEW_MS`] either
/// way, or unknown.
pub fn clock_skew(received_at: i64, sent_at: Option<i64>) -> i64 {
    match sent_at {
        Some(sent) if received_at.saturating_sub(sent).saturating_abs() >= MIN_SKEW_MS => {
            received_at.saturating_sub(sent)
        }
        _ => 0,
    }
}

/// The time an event captured at `ts` (unix ms, 0 unknown, the device's clock) and received at
/// `received_at` (the collector's) in a batch sent at `sent_at` (its `sentAt`, the device's clock)
/// counts at: its capture time corrected by the device clock's error, `ts + (received_at -
/// sent_at)` (as Segment and RudderStack do; [`clock_skew`]: none under a minute, nor without a
/// `sentAt`); the arrival instead when that is more than an hour ahead of the arrival, or at or
/// before 1970 (a clock still wrong: a batch without a usable `sentAt`, or a clock changed
/// between the capture and the send).
pub(crate) fn counts_at(ts: i64, received_at: i64, sent_at: Option<i64>) -> i64 {
    let at = ts.saturating_add(clock_skew(received_at, sent_at));
    if ts == 0 || at <= 0 || at > received_at + MAX_FUTURE_MS {
        received_at
    } else {
        at
    }
}

/// One session's row, as stored.
#[derive(Debug, Clone, Default)]
struct Session {
    first_ts: i64,
    last_ts: i64,
    events: i64,
    touchpoints: i64,
    friction: i64,
    /// The moments of truth reached, in the order they happened (at most [`MAX_MOMENTS`]).
    moments: Vec<String>,
    /// When each of `moments` happened (the same length; `i64::MIN` for those of a row written
    /// before version 20 whose times are unknown: they stay first, in the order they arrived).
    moment_ts: Vec<i64>,
    by_type: BTreeMap<String, (u32, u32)>,
    entry_path: String,
    last_path: String,
    channel: String,
    campaign: String,
    /// The landing's `utm_source` and `utm_medium`, kept with the channel as `campaign` is.
    source: String,
    medium: String,
    device: String,
    /// The browser (family and major version) and OS of its earliest event that has them.
    browser: String,
    os: String,
    /// The customer: the `userId` of its latest event that has one, and that event's time.
    user_id: String,
    user_ts: i64,
    /// The visitor: the `anonymousId` of its earliest event that has one ('' none).
    anonymous_id: String,
    /// The Core Web Vitals' counts of its page_leave events, as the page tables count them.
    vitals: VitalCounts,
    /// The sample rate of the first event added that has one (not stored: read for a new
    /// session only, see [`Metric::Sampled`]).
    sample_rate: u8,
}

impl Session {
    /// Adds the event `e`, counting at `ts`, whose page counts are `page` ([`page_counts`]).
    fn add(&mut self, e: &Event, ts: i64, page: &PageCounts) {
        let f = &e.facts;
        // Every event of a session carries the same attribution; an earlier one that has it
        // wins, so that events arriving out of order (retries, adopted tabs) give the same row.
        if !f.channel.is_empty() && (self.channel.is_empty() || ts < self.first_ts) {
            self.channel = f.channel.clone();
            self.campaign = f.campaign.clone();
            self.source = f.source.clone();
            self.medium = f.medium.clone();
        }
        // The same for the device class (a session may span a resized window or a second tab).
        if !f.device.is_empty() && (self.device.is_empty() || ts < self.first_ts) {
            self.device = f.device.clone();
        }
        // And for the browser and OS (a session carried to a second tab, or cross-domain, by
        // another browser's request: rare), together.
        if !f.browser.is_empty() && (self.browser.is_empty() || ts < self.first_ts) {
            self.browser = f.browser.clone();
            self.os = f.os.clone();
        }
        // The page may name another customer (or the SDK resend an earlier event): the latest
        // event that names one wins, whatever order they arrive in (at the same time, the later).
        if !f.user_id.is_empty() && (self.user_id.is_empty() || ts >= self.user_ts) {
            self.user_id = f.user_id.clone();
            self.user_ts = ts;
        }
        // The browser's id, as the device class: the earliest event that has one wins, whatever
        // order they arrive in. A session has two only when marketing was withdrawn and granted
        // again in it (a new id); the first links it to the visits before it.
        if !f.anonymous_id.is_empty() && (self.anonymous_id.is_empty() || ts < self.first_ts) {
            self.anonymous_id = f.anonymous_id.clone();
        }
        if self.sample_rate == 0 {
            self.sample_rate = f.sample_rate;
        }
        if self.events == 0 || ts < self.first_ts {
            self.first_ts = ts;
            self.entry_path = f.path.clone();
        }
        if self.events == 0 || ts >= self.last_ts {
            self.last_ts = ts;
            self.last_path = f.path.clone();
        }
        self.events += 1;
        if f.category == Category::Friction {
            self.friction += 1;
            let c = self.by_type.entry(e.event().to_string()).or_default();
            c.0 = c.0.saturating_add(1);
            if !f.during.is_empty() {
                c.1 = c.1.saturating_add(1);
            }
        } else {
            self.touchpoints += 1;
        }
        if f.moment {
            self.add_moment(e.event(), ts);
        }
        add_vital_counts(&mut self.vitals, &vital_counts(page));
    }

    /// Adds the moment of truth `name` reached at `ts`, in its place by time (after those at the
    /// same time: of two at once, the one received first stays first). Events arrive out of
    /// order (a batch retried after a later one, a crashed tab's events sent by another tab): a
    /// purchase received before its add_to_cart still follows it in the funnel. A moment reached
    /// again keeps its first time.
    fn add_moment(&mut self, name: &str, ts: i64) {
        let at = |times: &[i64]| times.partition_point(|&t| t <= ts);
        match self.moments.iter().position(|m| m == name) {
            Some(i) if ts < self.moment_ts[i] => {
                let m = self.moments.remove(i);
                self.moment_ts.remove(i);
                let j = at(&self.moment_ts);
                self.moments.insert(j, m);
                self.moment_ts.insert(j, ts);
            }
            Some(_) => {}
            None if self.moments.len() < MAX_MOMENTS => {
                let j = at(&self.moment_ts);
                self.moments.insert(j, name.to_string());
                self.moment_ts.insert(j, ts);
            }
            None => {}
        }
    }

    fn score(&self) -> u8 {
        let counts: Vec<FrictionCount<'_>> = self
            .by_type
            .iter()
            .map(|(k, &(count, during_moment))| FrictionCount { kind: k, count, during_moment })
            .collect();
        experience_score(&SessionFacts {
            friction: &counts,
            moments_reached: self.moments.len() as u32,
            moments_total: MOMENTS_TOTAL,
        })
    }
}

/// Updates every aggregate for `rows` (new events with their `events.id`, stored), inside the
/// caller's transaction. Answers how many sessions counted so far it took out of every figure:
/// sessions that turned out to be automated traffic (`automated_sessions`), whose rows of
/// `friction`, `event_tags` and `sessions` it deleted (the read side's kept windows, which only
/// see rows added, must then be made again: the writer counts it as an erasure).
pub fn apply(conn: &Connection, rows: &[(i64, &Event)], received_at: i64) -> rusqlite::Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    // Automated traffic (a shop's own tests, uptime checks, crawlers) is stored and counted among
    // the site's events (`/api/stats`), but in no figure of the inspector, per session: a session
    // one of whose events says `context.automated` is automated whole, its events without the
    // flag too (the test's order confirmed by the shop's server, which says nothing of a
    // browser), those stored before included: counted until now, they are taken out first
    // (`privacy::uncount_sessions`, as an erasure takes them out, the events kept).
    let mut flagged: Vec<(&str, &str)> = Vec::new();
    for &(_, e) in rows {
        let key = (e.session_id(), e.site());
        if e.facts.automated && !flagged.contains(&key) {
            flagged.push(key);
        }
    }
    let mut taken_out = 0;
    if !flagged.is_empty() {
        let mut mark =
            conn.prepare_cached("INSERT OR IGNORE INTO automated_sessions (session_id, site) VALUES (?1, ?2)")?;
        let mut newly: Vec<crate::privacy::SessionKey> = Vec::new();
        for (session_id, site) in flagged {
            if mark.execute(params![session_id, site])? > 0 {
                newly.push((session_id.to_string(), site.to_string()));
            }
        }
        let first_id = rows.iter().map(|r| r.0).min().unwrap_or(i64::MAX);
        taken_out = crate::privacy::uncount_sessions(conn, &newly, first_id)?;
    }
    // Keyed by (site, minute, metric); `friction:<type>` is Metric::Type(type), spelt out only
    // when written (no string made per event).
    let mut minutes: Map<(&str, i64, Metric<'_>), i64> = Map::default();
    let mut totals: Map<&str, (i64, i64, i64)> = Map::default();
    // Each event's page counts, summed per minute, hour and day by `write_pages` (and under each
    // of its tags).
    let mut pages: Vec<(PageKey<'_>, PageCounts)> = Vec::new();
    // (key, row, whether new, whether automated: in no figure).
    let mut sessions: Vec<((&str, &str), Session, bool, bool)> = Vec::new();
    let mut index: Map<(&str, &str), usize> = Map::default();
    // The counts of each device class, per site and for all sites, under their `device_site`
    // keys (made once per group: the rows above borrow them).
    let mut device_keys: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for &(_, e) in rows {
        let (site, device) = (e.site(), e.facts.device.as_str());
        if !device.is_empty() && !device_keys.iter().any(|k| k.0 == site && k.1 == device) {
            device_keys.push((site, device, device_count_keys(site, device)));
        }
    }
    // The tags each event counts under in the tag count tables and (if it counts on a page) the
    // tag page tables (as `event_tags` keeps them: see `tag_values`), made first for the rows
    // below borrow them too.
    let mut tags_of: Vec<Vec<(&str, Cow<'_, str>)>> = Vec::with_capacity(rows.len());
    for &(_, e) in rows {
        tags_of.push(if e.facts.tags.is_empty() { Vec::new() } else { tag_values(conn, &e.facts.tags)? });
    }
    // (events, friction events) per tag count row, summed over the group.
    let mut tag_counts: Map<TagCountKey<'_>, (i64, i64)> = Map::default();
    let keys_of = |site: &str, device: &str| {
        let keys = device_keys.iter().find(|k| k.0 == site && k.1 == device).map(|k| k.2.as_slice());
        keys.unwrap_or_default().iter().map(String::as_str)
    };
    {
        let mut put = conn.prepare_cached(
            "INSERT INTO friction (id, site, ts, session_id, event, path, selector, during, device, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let mut put_tag = conn.prepare_cached(TAG_ROW)?;
        let mut load = conn.prepare_cached(
            "SELECT first_ts, last_ts, events, touchpoints, friction, moments, by_type, entry_path, last_path,
                    channel, campaign, user_id, user_ts, device, lcp_measured, lcp_good, lcp_poor, cls_measured,
                    cls_good, cls_poor, inp_measured, inp_good, inp_poor, moment_ts, anonymous_id, source, medium,
                    browser, os
               FROM sessions WHERE session_id = ?1 AND site = ?2",
        )?;
        let mut marked = conn.prepare_cached("SELECT 1 FROM automated_sessions WHERE session_id = ?1 AND site = ?2")?;
        for (&(id, e), tags) in rows.iter().zip(&tags_of) {
            let ts = event_ts(e, received_at);
            let minute = ts.div_euclid(60_000);
            let friction = e.facts.category == Category::Friction;
            let key = (e.session_id(), e.site());
            let i = match index.get(&key) {
                Some(&i) => i,
                None => {
                    let stored = load
                        .query_row(params![key.0, key.1], |r| {
                            let moments: Vec<String> =
                                serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default();
                            // (Unknown times, or a row an older collector changed: its order kept.)
                            let moment_ts = serde_json::from_str::<Vec<i64>>(&r.get::<_, String>(23)?)
                                .ok()
                                .filter(|t| t.len() == moments.len())
                                .unwrap_or_else(|| vec![i64::MIN; moments.len()]);
                            Ok(Session {
                                first_ts: r.get(0)?,
                                last_ts: r.get(1)?,
                                events: r.get(2)?,
                                touchpoints: r.get(3)?,
                                friction: r.get(4)?,
                                moments,
                                moment_ts,
                                by_type: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                                entry_path: r.get(7)?,
                                last_path: r.get(8)?,
                                channel: r.get(9)?,
                                campaign: r.get(10)?,
                                user_id: r.get(11)?,
                                user_ts: r.get(12)?,
                                device: r.get(13)?,
                                vitals: read_vital_counts(r, 14)?,
                                anonymous_id: r.get(24)?,
                                source: r.get(25)?,
                                medium: r.get(26)?,
                                browser: r.get(27)?,
                                os: r.get(28)?,
                                sample_rate: 0,
                            })
                        })
                        .optional()?;
                    let is_new = stored.is_none();
                    // (A session automated has no row; one without a row is new, or automated.)
                    let automated = is_new && marked.exists(params![key.0, key.1])?;
                    sessions.push((key, stored.unwrap_or_default(), is_new, automated));
                    index.insert(key, sessions.len() - 1);
                    sessions.len() - 1
                }
            };
            let automated = sessions[i].3;
            for site in [e.site(), ""] {
                let t = totals.entry(site).or_default();
                t.0 += 1;
                t.2 += i64::from(friction && !automated);
            }
            // Automated traffic is counted among the site's events alone: not a session, a
            // friction row, a page view or a tag's count. `privacy::erase_sessions` takes out
            // what this adds, so it skips them alike.
            if automated {
                continue;
            }
            for site in [e.site(), ""].into_iter().chain(keys_of(e.site(), &e.facts.device)) {
                *minutes.entry((site, minute, Metric::Events)).or_default() += 1;
                if friction {
                    *minutes.entry((site, minute, Metric::Friction)).or_default() += 1;
                    *minutes.entry((site, minute, Metric::Type(e.event()))).or_default() += 1;
                }
            }
            // (And under the site's device class: the first of its count keys.)
            let device_key = keys_of(e.site(), &e.facts.device).next();
            for site in [e.site()].into_iter().chain(device_key) {
                for (key, value) in tags {
                    let c = tag_counts.entry((site, minute, *key, value.as_ref())).or_default();
                    c.0 += 1;
                    c.1 += i64::from(friction);
                }
            }
            let page = view_page_counts(conn, id, e.session_id(), e.site(), e.event(), &e.facts)?;
            if page.iter().any(|&n| n != 0) {
                let path = e.facts.path.as_str();
                for site in [e.site()].into_iter().chain(device_key) {
                    pages.push(((None, site, minute, path), page));
                    for (key, value) in tags {
                        pages.push(((Some((key, value.as_ref())), site, minute, path), page));
                    }
                }
            }
            put_tags(&mut put_tag, id, ts, e.site(), e.session_id(), friction, &e.facts.tags)?;
            if friction {
                put.execute(params![
                    id,
                    e.site(),
                    ts,
                    e.session_id(),
                    e.event(),
                    e.facts.path,
                    e.facts.selector,
                    e.facts.during,
                    e.facts.device,
                    e.facts.text
                ])?;
            }
            sessions[i].1.add(e, ts, &page);
        }
    }
    // An upsert, not INSERT OR REPLACE (a delete and an insert: every index written twice).
    let mut save = conn.prepare_cached(
        "INSERT INTO sessions
           (session_id, site, first_ts, last_ts, events, touchpoints, friction, moments, by_type, score,
            entry_path, last_path, channel, campaign, user_id, user_ts, device, lcp_measured, lcp_good, lcp_poor,
            cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor, moment_ts, anonymous_id, source,
            medium, browser, os)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)
         ON CONFLICT (session_id, site) DO UPDATE SET first_ts = excluded.first_ts, last_ts = excluded.last_ts,
           events = excluded.events, touchpoints = excluded.touchpoints, friction = excluded.friction,
           moments = excluded.moments, by_type = excluded.by_type, score = excluded.score,
           entry_path = excluded.entry_path, last_path = excluded.last_path, channel = excluded.channel,
           campaign = excluded.campaign, user_id = excluded.user_id, user_ts = excluded.user_ts,
           device = excluded.device, lcp_measured = excluded.lcp_measured, lcp_good = excluded.lcp_good,
           lcp_poor = excluded.lcp_poor, cls_measured = excluded.cls_measured, cls_good = excluded.cls_good,
           cls_poor = excluded.cls_poor, inp_measured = excluded.inp_measured, inp_good = excluded.inp_good,
           inp_poor = excluded.inp_poor, moment_ts = excluded.moment_ts, anonymous_id = excluded.anonymous_id,
           source = excluded.source, medium = excluded.medium, browser = excluded.browser, os = excluded.os",
    )?;
    for ((session_id, site), s, is_new, _) in sessions.iter().filter(|s| !s.3) {
        save.execute(params![
            session_id,
            site,
            s.first_ts,
            s.last_ts,
            s.events,
            s.touchpoints,
            s.friction,
            json_text(&s.moments, "[]"),
            json_text(&s.by_type, "{}"),
            s.score(),
            s.entry_path,
            s.last_path,
            s.channel,
            s.campaign,
            s.user_id,
            s.user_ts,
            s.device,
            s.vitals[0],
            s.vitals[1],
            s.vitals[2],
            s.vitals[3],
            s.vitals[4],
            s.vitals[5],
            s.vitals[6],
            s.vitals[7],
            s.vitals[8],
            json_text(&s.moment_ts, "[]"),
            s.anonymous_id,
            s.source,
            s.medium,
            s.browser,
            s.os,
        ])?;
        if *is_new {
            let minute = s.first_ts.div_euclid(60_000);
            for key in [*site, ""].into_iter().chain(keys_of(site, &s.device)) {
                *minutes.entry((key, minute, Metric::Sessions)).or_default() += 1;
                if s.sample_rate > 0 {
                    *minutes.entry((key, minute, Metric::Sampled(s.sample_rate))).or_default() += 1;
                }
            }
            for key in [*site, ""] {
                totals.entry(key).or_default().1 += 1;
            }
        }
    }
    let mut hours: Map<(&str, i64, Metric<'_>), i64> = Map::default();
    for ((site, minute, metric), n) in &minutes {
        *hours.entry((site, minute.div_euclid(60), *metric)).or_default() += n;
    }
    let mut bump = conn.prepare_cached(BUMP_MINUTE)?;
    let mut bump_hour = conn.prepare_cached(BUMP_HOUR)?;
    let mut name = String::new();
    for (rows, stmt) in [(&minutes, &mut bump), (&hours, &mut bump_hour)] {
        for ((site, minute, metric), n) in rows {
            stmt.execute(params![site, minute, metric.spell(&mut name), n])?;
        }
    }
    let mut total = conn.prepare_cached(
        "INSERT INTO site_totals (site, events, sessions, friction) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (site) DO UPDATE SET events = events + excluded.events,
           sessions = sessions + excluded.sessions, friction = friction + excluded.friction",
    )?;
    for (site, (events, sessions, friction)) in &totals {
        total.execute(params![site, events, sessions, friction])?;
    }
    write_tag_counts(conn, tag_counts, 1)?;
    write_pages(conn, pages, 1)?;
    Ok(taken_out)
}

/// Marks the sessions of automated traffic (`automated_sessions`) from the stored events: every
/// session with an event saying `context.automated`, read through the same checks as at ingest
/// (only the events whose text holds `automated`, or an escape, which could spell it, are
/// parsed). Answers how many it marked. Version 29 -> 30, and [`rebuild`].
pub fn fill_automated(conn: &Connection) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare(
        "SELECT session_id, site, event, timestamp, body FROM events
          WHERE instr(body, 'automated') > 0 OR instr(body, '\\') > 0",
    )?;
    let mut mark = conn.prepare("INSERT OR IGNORE INTO automated_sessions (session_id, site) VALUES (?1, ?2)")?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let [event, timestamp, body]: [String; 3] = [r.get(2)?, r.get(3)?, r.get(4)?];
        if crate::facts::extract(&event, &timestamp, &body).automated {
            n += mark.execute(params![r.get::<_, String>(0)?, r.get::<_, String>(1)?])?;
        }
    }
    Ok(n)
}

/// A session's summary as [`apply`] would keep it of its stored events, every one of them
/// counted (in the order they were stored, each at the time it counts at), in the shape of
/// `/api/sessions`' rows: the session view of a session of automated traffic
/// (`/api/sessions/{id}?automated=1`), which has no row. None without events.
pub(crate) fn replay_session(
    conn: &Connection,
    session_id: &str,
    site: &str,
) -> rusqlite::Result<Option<serde_json::Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, type, event, timestamp, received_at, body, browser, os, sent_at FROM events INDEXED BY events_session
          WHERE session_id = ?1 AND site = ?2 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![session_id, site])?;
    let mut s = Session::default();
    while let Some(r) = rows.next()? {
        let [kind, event, timestamp, body]: [String; 4] = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?];
        let mut facts = crate::facts::extract(&event, &timestamp, &body);
        facts.browser = r.get::<_, Option<String>>(6)?.unwrap_or_default();
        facts.os = r.get::<_, Option<String>>(7)?.unwrap_or_default();
        let ts = counts_at(facts.ts_ms, r.get(4)?, r.get(8)?);
        let page = page_counts(&event, &facts);
        let text =
            EventText { site, kind: &kind, event: &event, session_id, timestamp: &timestamp, ..Default::default() };
        s.add(&Event::new(text, facts), ts, &page);
    }
    if s.events == 0 {
        return Ok(None);
    }
    let by_type: serde_json::Map<String, serde_json::Value> =
        s.by_type.iter().map(|(k, v)| (k.clone(), serde_json::json!(v.0))).collect();
    Ok(Some(serde_json::json!({
        "sessionId": session_id, "site": site,
        "start": crate::facts::format_iso_millis(s.first_ts), "end": crate::facts::format_iso_millis(s.last_ts),
        "events": s.events, "touchpoints": s.touchpoints, "friction": s.friction,
        "moments": s.moments, "frictionByType": by_type, "score": s.score(),
        "entryPath": s.entry_path, "lastPath": s.last_path, "channel": s.channel, "campaign": s.campaign,
        "userId": Some(&s.user_id).filter(|u| !u.is_empty()), "device": s.device,
        "source": source_medium(&s.source, &s.medium), "browser": s.browser, "os": s.os,
    })))
}

/// Builds the aggregates from `events` (a database from before they existed), a chunk of events
/// per step, inside the caller's transaction. Events are re-read through the same checks as at
/// ingest; rows whose body no longer parses are counted with default facts.
pub fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    // From nothing: [`apply`] adds to what is there, and a database stamped with a version from
    // before the aggregates may have them (a newer collector kept them, an older one stamped it).
    let mut tables = vec![
        "friction",
        "sessions",
        "minute_counts",
        "hour_counts",
        "event_tags",
        "session_tags",
        "site_totals",
        "automated_sessions",
    ];
    tables.extend(PAGE_TABLES.iter().chain(&TAG_PAGE_TABLES).chain(&TAG_COUNT_TABLES).map(|(t, _)| *t));
    for t in tables {
        conn.execute(&format!("DELETE FROM {t}"), [])?;
    }
    // The sessions of automated traffic first: their events stored before the first that says
    // so are then left out as they come, not counted and taken out again.
    fill_automated(conn)?;
    let mut after = 0i64;
    loop {
        let chunk: Vec<(i64, Event, i64)> = {
            let mut stmt = conn.prepare(
                "SELECT id, site, type, event, session_id, timestamp, received_at, body, browser, os, sent_at FROM events
                  WHERE id > ?1 ORDER BY id LIMIT 10000",
            )?;
            let rows = stmt.query_map([after], |r| {
                let [site, kind, event, session_id, timestamp, body]: [String; 6] =
                    [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(7)?];
                let mut facts = crate::facts::extract(&event, &timestamp, &body);
                // (Not in the body: the request's, kept beside it.)
                facts.browser = r.get::<_, Option<String>>(8)?.unwrap_or_default();
                facts.os = r.get::<_, Option<String>>(9)?.unwrap_or_default();
                facts.sent_at = r.get(10)?;
                // Without its body: not needed by the aggregates.
                let text = EventText {
                    site: &site,
                    kind: &kind,
                    event: &event,
                    session_id: &session_id,
                    timestamp: &timestamp,
                    ..Default::default()
                };
                let e = Event::new(text, facts);
                Ok((r.get::<_, i64>(0)?, e, r.get::<_, i64>(6)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let Some(last) = chunk.last() else { return Ok(()) };
        after = last.0;
        // Grouped by receive time, as the writer would have seen them.
        let mut start = 0;
        while start < chunk.len() {
            let at = chunk[start].2;
            let end = chunk[start..].iter().position(|c| c.2 != at).map_or(chunk.len(), |p| start + p);
            let rows: Vec<(i64, &Event)> = chunk[start..end].iter().map(|(id, e, _)| (*id, e)).collect();
            apply(conn, &rows, at)?;
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The read API's name of a session's source and medium, in Rust (the channels by source /
    /// medium) and in SQL (the sessions list's `source` filter), alike.
    #[test]
    fn source_medium_is_the_same_in_rust_and_sql() {
        let conn = Connection::open_in_memory().unwrap();
        let pairs = [("", ""), ("google", "cpc"), ("google", ""), ("", "email"), ("a / b", "c"), ("(not set)", "")];
        let named: Vec<String> = pairs.iter().map(|(s, m)| source_medium(s, m)).collect();
        assert_eq!(
            named,
            ["", "google / cpc", "google / (not set)", "(not set) / email", "a / b / c", "(not set) / (not set)"]
        );
        for ((source, medium), want) in pairs.iter().zip(&named) {
            let sql = format!("SELECT {SOURCE_MEDIUM_SQL} FROM (SELECT ?1 AS source, ?2 AS medium) AS s");
            let got: String = conn.query_row(&sql, [source, medium], |r| r.get(0)).unwrap();
            assert_eq!(&got, want, "{source:?} {medium:?}");
        }
    }

    /// How the rows of `event_tags` were made before the validator read the tags: SQLite's JSON
    /// functions over the stored body. The reference the rows made from [`Tag`]s must equal.
    const TAG_ROWS_FROM_JSON: &str = "
    INSERT OR IGNORE INTO event_tags (event_id, ts, site, session_id, key, value, friction)
      SELECT DISTINCT ?1, ?2, ?3, ?4, tag.key,
             CASE tag.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(tag.atom AS TEXT) END, ?5
        FROM json_each(CASE json_type(?6, '$.context.tags') WHEN 'object' THEN ?6 END, '$.context.tags') AS tag
       WHERE tag.type IN ('text', 'integer', 'real', 'true', 'false')";

    fn tag_tables() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        // `SCHEMA` indexes `events`, which the store makes.
        conn.execute_batch("CREATE TABLE events (id INTEGER PRIMARY KEY, site TEXT, session_id TEXT);").unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn
    }

    /// Every row of `event_tags` and `session_tags`, with the type of the value.
    fn tag_rows(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT event_id || ' ' || friction || ' ' || ts || ' ' || key || '=' || value || ' ' || typeof(value)
                   FROM event_tags
                 UNION ALL
                 SELECT 'session ' || session_id || ' ' || key || '=' || value FROM session_tags ORDER BY 1",
            )
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    /// The tags read by the validator give the rows SQLite's JSON functions gave: strings
    /// unescaped, numbers as SQLite prints them (integers, reals, integers too large for 64
    /// bits), booleans, no nulls, objects nor arrays, each (key, value) once per event; nothing
    /// for `tags` that is not an object; a `tags` key written with an escape.
    #[test]
    fn tag_rows_are_those_sqlite_json_made() {
        let contexts = [
            r#"{"tags":{"s":"x","i":2,"t":true,"f":false,"n":null,"o":{"g":1},"a":[1],"e":{}}}"#,
            r#"{"tags":{"r":1.5,"x":1e2,"y":1E-7,"z":-0,"w":-0.0,"v":0.1,"u":3.141592653589793,"p":2.5e-300}}"#,
            r#"{"tags":{"big":99999999999999999999,"min":-9223372036854775808,"below":-9223372036854775809}}"#,
            r#"{"tags":{"max":9223372036854775807,"huge":1e400,"long":123456789012345678901234567890.5}}"#,
            r#"{"tags":{"q\"k":"c\\d","\u00e9":"\ud83d\ude00 é","":"","sp ace":" "}}"#,
            r#"{"tags":{"a":"1","a":"1","a":"2","b":1,"b":"1","c":1.0,"c":1.00}}"#,
            r#"{"page":{"path":"/"},"t\u0061gs":{"esc":"yes"}}"#,
            r#"{"tags":["x"]}"#,
            r#"{"tags":"x"}"#,
            r#"{"tags":{}}"#,
            r#"{"tags":null}"#,
            r#"{"channel":"email"}"#,
        ];
        let (json, tags) = (tag_tables(), tag_tables());
        let mut from_json = json.prepare(TAG_ROWS_FROM_JSON).unwrap();
        let mut put = tags.prepare_cached(TAG_ROW).unwrap();
        for (id, context) in contexts.iter().enumerate() {
            let body = format!(r#"{{"event":"click","context":{context}}}"#);
            let (id, ts, friction) = (id as i64 + 1, 1_000 + id as i64, id % 2 == 0);
            from_json.execute(params![id, ts, "shop", format!("s{}", id % 3), friction, body]).unwrap();
            let facts = crate::facts::extract("click", "2026-11-30T19:00:00Z", &body);
            put_tags(&mut put, id, ts, "shop", &format!("s{}", id % 3), friction, &facts.tags).unwrap();
        }
        let expected = tag_rows(&json);
        assert_eq!(tag_rows(&tags), expected);
        // What the cases above stand for (a reference that made no rows would prove nothing).
        for row in ["1 1 1000 s=x text", "2 0 1001 x=100.0 text", "3 1 1002 big=1.0e+20 text", "7 1 1006 esc=yes text"]
        {
            assert!(expected.iter().any(|r| r == row), "{row} in {expected:#?}");
        }
        // The one difference: a `tags` key given twice is read as the last one, like every
        // other member the validator reads (and a session step's `tags`, and `JSON.parse`);
        // SQLite's path read the first.
        let twice = crate::facts::extract("click", "x", r#"{"context":{"tags":{"a":"first"},"tags":{"b":"last"}}}"#);
        assert_eq!(twice.tags, [Tag { key: "b".into(), value: "last".into(), real: false }]);
        // The other: a key or value with a control character (C0, DEL, C1), which the `tag`
        // filter refuses, makes no row (SQLite's made one).
        let control = crate::facts::extract(
            "click",
            "x",
            r#"{"context":{"tags":{"nul":"a\u0000b","v":"\t=1+1","k\u0007":"x","d":"\u007f","c1":"\u0085","ok":"1"}}}"#,
        );
        assert_eq!(control.tags, [Tag { key: "ok".into(), value: "1".into(), real: false }]);
    }

    /// Every row of `table`, as text, sorted.
    fn all_rows(conn: &Connection, table: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let n = stmt.column_count();
        let rows = stmt.query_map([], |r| {
            Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
        });
        let mut out: Vec<String> = rows.unwrap().collect::<Result<_, _>>().unwrap();
        out.sort();
        out
    }

    /// A database with the store's `events` table (the columns the migrations read) and the
    /// aggregates' tables, empty.
    fn stored_events_tables() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, message_id TEXT, site TEXT, type TEXT, event TEXT,
                                  session_id TEXT, timestamp TEXT, received_at INTEGER, body TEXT, browser TEXT,
                                  os TEXT, sent_at INTEGER);
             CREATE INDEX events_event_id ON events(event, id);",
        )
        .unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute_batch(&page_schema()).unwrap();
        conn
    }

    /// Stores a track event as ingestion does (its message id: its id).
    #[allow(clippy::too_many_arguments)]
    fn store_event(
        conn: &Connection,
        id: i64,
        site: &str,
        event: &str,
        session: &str,
        timestamp: &str,
        received_at: i64,
        body: &str,
    ) {
        conn.execute(
            "INSERT INTO events (id, message_id, site, type, event, session_id, timestamp, received_at, body)
             VALUES (?1, ?1, ?2, 'track', ?3, ?4, ?5, ?6, ?7)",
            params![id, site, event, session, timestamp, received_at, body],
        )
        .unwrap();
    }

    /// The tag page tables count each event that counts on a page under each row `event_tags`
    /// has for it, and nothing else: real numbers by the text SQLite prints (`1e2` is `100.0`),
    /// two texts of one row once (`1.0` and `1.00`; the number `1e2` and the string `"100.0"`),
    /// under the site and its device class, as the page tables; clicks and untagged events not
    /// at all. `apply` (through `rebuild`) and the migration's `fill_tag_pages` (from
    /// `event_tags`) make the same rows.
    #[test]
    fn tag_pages_are_counted_under_the_event_tags_rows() {
        let conn = stored_events_tables();
        let tags = [
            r#"{"v":"B","x":1e2,"x":"100.0","c":1.0,"c":1.00,"i":2,"i":"2","t":true,"n":null}"#,
            r#"{"v":"A","r":2.5e-3,"big":99999999999999999999}"#,
            r#"{"v":"B"}"#,
            r#"[]"#,
        ];
        let kinds = [
            ("page_view", r#"{}"#),
            ("page_leave", r#"{"engaged_ms":4000,"max_scroll_pct":60,"lcp_ms":3000,"cls_milli":20,"inp":"poor"}"#),
            ("dead_click", r#"{"category":"friction"}"#),
            ("click", r#"{}"#),
        ];
        let mut id = 0;
        for (t, tags) in tags.iter().enumerate() {
            for (k, (event, props)) in kinds.iter().enumerate() {
                for device in ["", "mobile"] {
                    id += 1;
                    let timestamp = format!("2026-11-20T10:{:02}:{:02}.000Z", (id * 7) % 60, id % 60);
                    let device = if device.is_empty() { String::new() } else { format!(r#","device":"{device}""#) };
                    let body = format!(
                        r#"{{"type":"track","event":"{event}","timestamp":"{timestamp}","properties":{props},
                            "context":{{"page":{{"path":"/p{}"}},"tags":{tags}{device}}}}}"#,
                        k % 2
                    );
                    let at = 1_795_000_000_000i64 + id;
                    store_event(&conn, id, ["shop", "blog"][t % 2], event, &format!("s{t}"), &timestamp, at, &body);
                }
            }
        }
        rebuild(&conn).unwrap();
        let tables = TAG_PAGE_TABLES.map(|(t, _)| t);
        let kept: Vec<Vec<String>> = tables.iter().map(|t| all_rows(&conn, t)).collect();
        // Each tag's page views, leaves and friction are its rows of `event_tags` of those events.
        let sums = |sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "{}={} {} {} {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?
                ))
            });
            rows.unwrap().collect::<Result<_, _>>().unwrap()
        };
        let counted = sums(
            "SELECT key, value, SUM(views), SUM(leaves), SUM(friction) FROM tag_page_days
              WHERE instr(site, char(1)) = 0 GROUP BY 1, 2 ORDER BY 1, 2",
        );
        let want = sums(
            "SELECT t.key, t.value, SUM(e.event = 'page_view'), SUM(e.event = 'page_leave'), SUM(t.friction)
               FROM event_tags AS t JOIN events AS e ON e.id = t.event_id
              WHERE e.event <> 'click' GROUP BY 1, 2 ORDER BY 1, 2",
        );
        assert_eq!(counted, want);
        for row in [
            "x=100.0 2 2 2",
            "c=1.0 2 2 2",
            "i=2 2 2 2",
            "t=true 2 2 2",
            "v=B 4 4 4",
            "big=1.0e+20 2 2 2",
            "r=0.0025 2 2 2",
        ] {
            assert!(counted.iter().any(|r| r == row), "{row} in {counted:#?}");
        }
        // Under the device class: half of them.
        let mobile: i64 = conn
            .query_row(
                "SELECT SUM(views) FROM tag_page_days WHERE site = 'shop' || char(1) || 'mobile' AND key = 'v'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(mobile, 2);
        for t in tables {
            conn.execute(&format!("DELETE FROM {t}"), []).unwrap();
        }
        fill_tag_pages(&conn).unwrap();
        for (t, kept) in tables.iter().zip(kept) {
            assert_eq!(all_rows(&conn, t), kept, "{t}: by apply (right) and by fill_tag_pages (left)");
        }

        // The tag count tables: every event under each of its rows of `event_tags` (clicks too),
        // under its site and its device class's key; the same rows by the migration's
        // `fill_tag_counts` (from `event_tags`, each event read for its device class).
        let counted = sums(
            "SELECT key, value, SUM(events), SUM(friction), COUNT(DISTINCT day) FROM tag_count_days
              WHERE instr(site, char(1)) = 0 GROUP BY 1, 2 ORDER BY 1, 2",
        );
        let want = sums("SELECT key, value, COUNT(*), SUM(friction), 1 FROM event_tags GROUP BY 1, 2 ORDER BY 1, 2");
        assert_eq!(counted, want);
        for row in ["x=100.0 8 2 1", "c=1.0 8 2 1", "v=B 16 4 1", "big=1.0e+20 8 2 1"] {
            assert!(counted.iter().any(|r| r == row), "{row} in {counted:#?}");
        }
        let mobile: (i64, i64) = conn
            .query_row(
                "SELECT SUM(events), SUM(friction) FROM tag_count_minutes
                  WHERE site = 'shop' || char(1) || 'mobile' AND key = 'v' AND value = 'B'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(mobile, (8, 2));
        let tables = TAG_COUNT_TABLES.map(|(t, _)| t);
        let kept: Vec<Vec<String>> = tables.iter().map(|t| all_rows(&conn, t)).collect();
        assert!(kept.iter().all(|rows| rows.len() >= 10), "{kept:#?}");
        for t in tables {
            conn.execute(&format!("DELETE FROM {t}"), []).unwrap();
        }
        fill_tag_counts(&conn).unwrap();
        for (t, kept) in tables.iter().zip(kept) {
            assert_eq!(all_rows(&conn, t), kept, "{t}: by apply (right) and by fill_tag_counts (left)");
        }
    }

    /// Each session's Core Web Vitals' counts (`sessions`' vitals columns, what the channels
    /// sum): those of its page_leave events alone, rated as the page tables rate them (junk
    /// figures not measured), added up over the groups it appears in, per site; a page view or a
    /// click carrying the same figures counts nothing. The migration's `fill_session_vitals`
    /// (from the stored events, onto rows whose counts are 0) makes the same rows.
    #[test]
    fn session_vitals_are_its_page_leaves() {
        let conn = stored_events_tables();
        // (site, session, event, properties, receive time: a later one is another group).
        let events = [
            ("shop", "s1", "page_leave", r#"{"lcp_ms":1200,"cls_milli":40,"inp":"good"}"#, 1),
            ("shop", "s1", "page_leave", r#"{"lcp_ms":4500,"cls_milli":120,"inp_ms":650}"#, 1),
            ("shop", "s1", "page_view", r#"{"lcp_ms":1000,"cls_milli":10,"inp":"good"}"#, 1),
            ("shop", "s1", "click", r#"{"lcp_ms":1000,"cls_milli":10,"inp":"poor"}"#, 1),
            ("shop", "s2", "page_leave", r#"{"lcp_ms":"900","cls_milli":-3,"inp":"fast","inp_ms":700000}"#, 1),
            ("shop", "s2", "page_view", r#"{}"#, 1),
            ("shop", "s2", "page_leave", r#"{"lcp_ms":3000,"resumed":true}"#, 2),
            ("shop", "s1", "page_leave", r#"{"cls_milli":300,"inp":"needs-improvement"}"#, 2),
            ("blog", "s1", "page_leave", r#"{"lcp_ms":5000}"#, 2),
        ];
        for (id, (site, session, event, props, group)) in events.iter().enumerate() {
            let timestamp = format!("2026-11-20T10:00:{:02}.000Z", id);
            let body =
                format!(r#"{{"type":"track","event":"{event}","timestamp":"{timestamp}","properties":{props}}}"#);
            store_event(&conn, id as i64 + 1, site, event, session, &timestamp, 1_795_000_000_000i64 + group, &body);
        }
        rebuild(&conn).unwrap();
        let columns = VITAL_COLUMNS.join(" || '/' || ");
        let counts = || -> Vec<String> {
            let sql =
                format!("SELECT site || ' ' || session_id || ' ' || {columns} FROM sessions ORDER BY site, session_id");
            let mut stmt = conn.prepare(&sql).unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        // lcp, cls, inp: measured/good/poor.
        let want = ["blog s1 1/0/1/0/0/0/0/0/0", "shop s1 2/1/1/3/1/1/3/1/1", "shop s2 1/0/0/0/0/0/0/0/0"];
        assert_eq!(counts(), want);
        // The page tables counted the same page_leave events (every page's together).
        let sums = VITAL_COLUMNS.iter().map(|c| format!("SUM({c})")).collect::<Vec<_>>().join(" || '/' || ");
        let pages: String = conn
            .query_row(&format!("SELECT {sums} FROM page_days WHERE instr(site, char(1)) = 0"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(pages, "4/1/2/3/1/1/3/1/1");
        // The migration: the columns added (0), then filled from the stored events.
        let zero = VITAL_COLUMNS.iter().map(|c| format!("{c} = 0")).collect::<Vec<_>>().join(", ");
        conn.execute(&format!("UPDATE sessions SET {zero}"), []).unwrap();
        assert!(counts().iter().all(|r| r.ends_with(" 0/0/0/0/0/0/0/0/0")));
        fill_session_vitals(&conn).unwrap();
        assert_eq!(counts(), want);
    }

    /// A session's moments of truth in the order they happened, whatever order their events were
    /// received in (here: a purchase in the first group, the add to cart before it in a second):
    /// as `apply` keeps them, and as the migration's `fill_moment_times` makes them again from
    /// the stored events for a row from before version 20 (its moments in the order received).
    #[test]
    fn moments_are_in_the_order_they_happened() {
        let conn = stored_events_tables();
        // (session, event, second it happened, properties, group received in).
        let events = [
            ("s1", "purchase", 30, r#"{}"#, 1),
            ("s1", "click", 31, r#"{}"#, 1),
            ("s2", "add_to_cart", 10, r#"{}"#, 1),
            ("s1", "add_to_cart", 10, r#"{}"#, 2),
            ("s1", "begin_checkout", 20, r#"{}"#, 2),
            ("s1", "add_to_cart", 40, r#"{}"#, 2),
            ("s1", "signup", 5, r#"{"moment":true}"#, 3),
            ("s1", "page_view", 1, r#"{"moment":false}"#, 3),
        ];
        // (Received a minute later, group after group.)
        let t0 = 1_795_168_800_000i64; // 2026-11-20T10:00:00Z
        let received = |group: i64| t0 + 60_000 + group;
        let mut rows = Vec::new();
        for (id, (session, event, second, props, group)) in events.iter().enumerate() {
            let timestamp = format!("2026-11-20T10:00:{second:02}.000Z");
            let body =
                format!(r#"{{"type":"track","event":"{event}","timestamp":"{timestamp}","properties":{props}}}"#);
            store_event(&conn, id as i64 + 1, "shop", event, session, &timestamp, received(*group), &body);
            rows.push((id as i64 + 1, *group, crate::facts::extract(event, &timestamp, &body), *session, *event));
        }
        let stored = || -> Vec<String> {
            let mut stmt = conn
                .prepare("SELECT session_id || ' ' || moments || ' ' || moment_ts FROM sessions ORDER BY 1")
                .unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let want = [
            format!(
                r#"s1 ["signup","add_to_cart","begin_checkout","purchase"] [{},{},{},{}]"#,
                t0 + 5_000,
                t0 + 10_000,
                t0 + 20_000,
                t0 + 30_000
            ),
            format!(r#"s2 ["add_to_cart"] [{}]"#, t0 + 10_000),
        ];
        // Received group by group, as the writer does.
        for group in 1..=3 {
            let group_rows: Vec<(i64, Event)> = rows
                .iter()
                .filter(|r| r.1 == group)
                .map(|(id, _, facts, session, event)| {
                    let text = EventText { site: "shop", event, session_id: session, ..Default::default() };
                    (*id, Event::new(text, facts.clone()))
                })
                .collect();
            let refs: Vec<(i64, &Event)> = group_rows.iter().map(|(id, e)| (*id, e)).collect();
            apply(&conn, &refs, received(group)).unwrap();
        }
        assert_eq!(stored(), want);
        // The migration: a row as an older collector left it (moments in the order received,
        // no times), put in order from the stored events.
        conn.execute(
            r#"UPDATE sessions SET moments = '["purchase","add_to_cart","begin_checkout","signup"]', moment_ts = '[]'
                WHERE session_id = 's1'"#,
            [],
        )
        .unwrap();
        fill_moment_times(&conn).unwrap();
        assert_eq!(stored(), want);
        // A row without times met by a later moment: the unknown ones stay first.
        conn.execute("UPDATE sessions SET moment_ts = '[]' WHERE session_id = 's2'", []).unwrap();
        let facts = crate::facts::extract("purchase", "2026-11-20T10:00:01.000Z", "{}");
        let text = EventText { site: "shop", event: "purchase", session_id: "s2", ..Default::default() };
        apply(&conn, &[(99, &Event::new(text, facts))], received(9)).unwrap();
        assert_eq!(stored()[1], format!(r#"s2 ["add_to_cart","purchase"] [{},{}]"#, i64::MIN, t0 + 1_000));
    }

    proptest::proptest! {
        /// Moments received in any order: each name once, at the first time it was reached, in
        /// time order.
        #[test]
        fn moments_follow_their_times(
            events in proptest::collection::vec((0usize..5, 0i64..1_000), 1..16)
        ) {
            let names = ["a", "b", "c", "d", "e"];
            let mut session = Session::default();
            let mut first: BTreeMap<&str, i64> = BTreeMap::new();
            for (i, &(n, t)) in events.iter().enumerate() {
                // (Distinct times: ties have no order to check.)
                let ts = t * 100 + i as i64;
                session.add_moment(names[n], ts);
                let f = first.entry(names[n]).or_insert(ts);
                *f = (*f).min(ts);
            }
            let mut want: Vec<(i64, &str)> = first.iter().map(|(&n, &t)| (t, n)).collect();
            want.sort();
            proptest::prop_assert_eq!(&session.moments, &want.iter().map(|w| w.1.to_string()).collect::<Vec<_>>());
            proptest::prop_assert_eq!(&session.moment_ts, &want.iter().map(|w| w.0).collect::<Vec<_>>());
        }
    }

    proptest::proptest! {
        /// The device class `FirstGroup` reads back from a session's first group (to take its
        /// count out again, or to fill it) is the one `Session::add` kept when `apply` counted
        /// the session: events in any time order, with and without a device class, and a later
        /// group that changes nothing.
        #[test]
        fn first_group_device_is_the_sessions(
            events in proptest::collection::vec((0i64..50, 0usize..3, proptest::bool::ANY), 1..12)
        ) {
            let devices = ["", "mobile", "desktop"];
            let mut session = Session::default();
            let mut first = FirstGroup::default();
            let mut counted = None;
            let mut received_at = 1_000;
            for (i, &(ts, d, new_group)) in events.iter().enumerate() {
                // (A later group: the session was counted after the first.)
                if new_group && i > 0 {
                    counted.get_or_insert_with(|| session.device.clone());
                    received_at += 1;
                }
                let facts = crate::facts::Facts { ts_ms: ts, device: devices[d].into(), ..Default::default() };
                let text = EventText { site: "shop", event: "click", session_id: "s", ..Default::default() };
                session.add(&Event::new(text, facts), ts, &PageCounts::default());
                first.add(received_at, ts, 0, devices[d]);
            }
            let counted = counted.unwrap_or_else(|| session.device.clone());
            proptest::prop_assert_eq!(first.device(), counted.as_str());
        }
    }
}
