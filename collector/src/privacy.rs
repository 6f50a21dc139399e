//! A person's data, and how long anyone's is kept: a person's sessions given to them
//! (`POST /admin/export`: the right of access and to portability, GDPR Art. 15 and 20) or erased
//! on request (`POST /admin/erase`: the right to erasure, Art. 17), and sessions past the
//! retention period erased (`--retention-days`, storage limitation, Art. 5(1)(e)).
//!
//! The unit is the **session**, whole: a session that holds one event naming the person (by
//! `userId` or `anonymousId`) holds their journey, the events before they signed in included.
//! For retention, a session goes when its last event is older than the cutoff, so a journey is
//! never cut in two; a session without a row in `sessions` (automated traffic) too
//! ([`expired_without_row`]).
//!
//! An export gives the events as received; asked for (`"collected": true`), also what the
//! collector holds of those sessions that no event body holds ([`export`]): each event's arrival,
//! browser and OS, each session's row, and the repeats of orders that an erasure deletes with
//! them.
//!
//! Erasing a session, in the writer's transaction ([`erase_sessions`]):
//! - its events are read once, and what they added to `minute_counts`, `hour_counts`,
//!   `site_totals`, the page tables, the tag page tables and the tag count tables is subtracted,
//!   computed as [`crate::aggregate::apply`] added it (rows that reach 0 are deleted): the charts,
//!   totals and pages stay what a rebuild from the remaining events would give (`tests` compares
//!   them);
//! - erased on request, their message ids go into `seen`, so that a batch the SDK sends again (a
//!   retry whose answer was lost) is still a duplicate and does not bring them back. Past the
//!   retention they leave `seen` instead, which the retention thus bounds too: a retry of such an
//!   event is older than the retention, which ingestion refuses (`ingest::prepare`);
//! - its rows of `events`, `friction`, `event_tags`, `session_tags` and `sessions` are deleted,
//!   and its rows of `orders` with the repeats of those orders (`order_repeats`: they name the
//!   order) and the repeats it sent of any other order;
//! - it is written to `deletions` (session, site, why, and the largest event id deleted), which
//!   `/api/export/deletions` gives to a warehouse that copies events by id.
//!
//! The writer then keeps event ids above every id ever given (`meta.id_floor`: the kept windows
//! and the dedup log rely on ids only growing) and counts the erasure in `meta.erasures`, which
//! tells the read side that its kept windows are of another state ([`crate::window`]).

use std::collections::{HashMap, HashSet};

use axum::response::IntoResponse;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;

use crate::aggregate::{counts_at, Metric};
use crate::facts::{format_iso_millis, Category};

/// A person: every session with an event carrying one of these ids (at least one given) is
/// theirs. The body of `POST /admin/export` and `POST /admin/erase`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subject {
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub anonymous_id: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    /// Erase: only count what would be erased (what the store holds about them). Export: unused.
    #[serde(default)]
    pub dry_run: bool,
    /// Export: also give what the collector holds about them beside the events as sent
    /// ([`export`]'s `collected` lines). Erase: unused (an erasure takes all of it).
    #[serde(default)]
    pub collected: bool,
}

impl Subject {
    /// Whether it names anyone: at least one id, none empty.
    pub fn valid(&self) -> bool {
        let ids = [&self.user_id, &self.anonymous_id, &self.session_id];
        ids.iter().any(|i| i.is_some())
            && ids.iter().all(|i| i.as_ref().is_none_or(|s| !s.is_empty() && s.len() <= 256))
    }
}

/// Why sessions are erased: what becomes of their message ids (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A person asked: the ids stay in `seen` (a retry stays a duplicate).
    Request,
    /// Past the retention: the ids leave `seen` (a retry is refused at ingestion as too old).
    Retention,
}

impl Why {
    /// Its name in `deletions.reason` and `/api/export/deletions`.
    pub fn log_name(self) -> &'static str {
        match self {
            Why::Request => "erase",
            Why::Retention => "retention",
        }
    }
}

/// A session of the store: (session id, site).
pub type SessionKey = (String, String);

/// What an erasure took out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    pub sessions: u64,
    pub events: u64,
}

/// A person's sessions as a scan found them, and where the scan began.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub sessions: Vec<SessionKey>,
    /// The newest event id before the scan began: every event up to it was looked at; those
    /// stored since are looked at again by the writer, just before it erases ([`find_after`]).
    pub upto: i64,
}

/// The sessions with an event that names `who`. Reads every stored event whose text could hold
/// one of its ids (the ids as they are, or an escape that could spell them), and parses those:
/// a full scan, run on the read connection so that ingestion goes on meanwhile.
pub fn find(conn: &Connection, who: &Subject) -> rusqlite::Result<Found> {
    // Read before the scan: whatever is stored meanwhile has a greater id (the writer's ids
    // only grow), so `id > upto` is all the scan may have missed.
    let upto = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?;
    Ok(Found { sessions: find_after(conn, who, i64::MIN)?, upto })
}

/// [`find`] over the events after `after` only (an event id), and the sessions named by
/// `who.session_id` (read from `sessions`, whatever `after`). The writer runs it in its
/// erasure's transaction for the events stored during the scan: a person still browsing while
/// their erasure was asked for (a new session, or an older one where they sign in only now)
/// is erased too, and nothing of theirs stored before the answer stays.
pub fn find_after(conn: &Connection, who: &Subject, after: i64) -> rusqlite::Result<Vec<SessionKey>> {
    let mut keys: Vec<SessionKey> = Vec::new();
    let ids: Vec<(&str, &String)> = [("userId", &who.user_id), ("anonymousId", &who.anonymous_id)]
        .into_iter()
        .filter_map(|(field, v)| v.as_ref().map(|v| (field, v)))
        .collect();
    if !ids.is_empty() {
        let mut stmt = conn.prepare(
            "SELECT session_id, site, body FROM events
              WHERE id > ?3 AND (instr(body, ?1) > 0 OR instr(body, ?2) > 0 OR instr(body, '\\') > 0)",
        )?;
        // (With a single id, the same one twice.)
        let (a, b) = (ids[0].1, ids.get(1).map_or(ids[0].1, |i| i.1));
        let mut rows = stmt.query(params![a, b, after])?;
        while let Some(r) = rows.next()? {
            let body: String = r.get(2)?;
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) else { continue };
            if ids.iter().any(|(field, id)| v.get(field).and_then(|x| x.as_str()) == Some(id.as_str())) {
                keys.push((r.get(0)?, r.get(1)?));
            }
        }
    }
    // A session whole, on every site it reached: a visit carried from the shop to the checkout's
    // domain (`data-cross-domain`) is one session id under two sites, and the customer who signs
    // in on the checkout only is named by its events alone (a DPO's audit: the shop's part of the
    // same visit was neither exported nor erased). Read from `events` (its session index), not
    // `sessions`: a session of automated traffic has events but no row there.
    let mut ids: Vec<String> = keys.iter().map(|k| k.0.clone()).chain(who.session_id.clone()).collect();
    ids.sort();
    ids.dedup();
    // (And from the repeats: a session that sent nothing but a purchase of an order already
    // stored has no event, and no row in `sessions`; its repeats are all it left.)
    let mut sites = conn.prepare_cached(
        "SELECT site FROM events INDEXED BY events_session WHERE session_id = ?1
         UNION SELECT site FROM order_repeats INDEXED BY order_repeats_session WHERE session_id = ?1",
    )?;
    for id in ids {
        for site in sites.query_map([&id], |r| r.get::<_, String>(0))? {
            keys.push((id.clone(), site?));
        }
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// What erasing `keys` would take out (nothing is changed).
pub fn count(conn: &Connection, keys: &[SessionKey]) -> rusqlite::Result<Erased> {
    let mut stmt = conn.prepare_cached("SELECT COUNT(*) FROM events WHERE session_id = ?1 AND site = ?2")?;
    let mut out = Erased { sessions: keys.len() as u64, events: 0 };
    for (session_id, site) in keys {
        out.events += stmt.query_row(params![session_id, site], |r| r.get::<_, i64>(0))?.max(0) as u64;
    }
    Ok(out)
}

/// The events of `keys` as received, one per line, each session's in the order they were
/// received; None once they pass `max_bytes`.
///
/// With `collected`, each session's events are followed by what the collector holds of that
/// session beside them (GDPR Art. 15: the personal data held, not only what was provided), one
/// line each, told apart from the events by a `collected` member naming what it is and by having
/// no `type` (which every event has):
/// - `{"collected":"event","messageId","sessionId","site","receivedAt","browser","os"}` per event:
///   when it arrived, and the browser and OS derived from its request's `User-Agent` (`null`:
///   unknown), which are in no body;
/// - `{"collected":"session",...}`: the session's row as the collector computed it ([`session_line`]);
///   for a session of automated traffic, which has none, `{"collected":"automated","sessionId","site"}`:
///   that it was taken for one (`automated_sessions`);
/// - `{"collected":"orderRepeat","site","transactionId","messageId","sessionId","at","receivedAt"}`
///   per repeat of an order (`order_repeats`) the session sent, and per repeat of an order whose
///   stored purchase is among its events: what [`erase_sessions`] deletes with it. Each once,
///   in the session where it is first met.
///
/// One read transaction: the lines are of one state of the store.
pub fn export(
    conn: &Connection,
    keys: &[SessionKey],
    max_bytes: usize,
    collected: bool,
) -> rusqlite::Result<Option<Vec<u8>>> {
    let _snapshot = conn.unchecked_transaction()?;
    let mut stmt = conn.prepare_cached(
        "SELECT body, message_id, received_at, browser, os, id, event, timestamp
           FROM events INDEXED BY events_session WHERE session_id = ?1 AND site = ?2 ORDER BY id",
    )?;
    let mut order =
        conn.prepare_cached("SELECT 1 FROM orders WHERE site = ?1 AND transaction_id = ?2 AND event_id = ?3")?;
    let mut automated = conn.prepare_cached("SELECT 1 FROM automated_sessions WHERE session_id = ?1 AND site = ?2")?;
    let mut session_repeats = conn.prepare_cached(&format!(
        "SELECT {REPEAT_COLUMNS} FROM order_repeats INDEXED BY order_repeats_session
          WHERE session_id = ?1 AND site = ?2 ORDER BY ts, received_at, message_id"
    ))?;
    let mut order_repeats = conn.prepare_cached(&format!(
        "SELECT {REPEAT_COLUMNS} FROM order_repeats WHERE site = ?1 AND transaction_id = ?2
          ORDER BY ts, received_at, message_id"
    ))?;
    let mut out = Vec::new();
    // The repeats given so far: (site, order, messageId).
    let mut given: HashSet<(String, String, String)> = HashSet::new();
    for (session_id, site) in keys {
        let mut kept = Vec::new();
        let mut orders = Vec::new();
        let mut rows = stmt.query(params![session_id, site])?;
        while let Some(r) = rows.next()? {
            let body = r.get_ref(0)?.as_bytes()?;
            if out.len() + body.len() + 1 > max_bytes {
                return Ok(None);
            }
            crate::query::push_ndjson_line(&mut out, body);
            if !collected {
                continue;
            }
            let (message_id, received_at): (String, i64) = (r.get(1)?, r.get(2)?);
            let (browser, os): (Option<String>, Option<String>) = (r.get(3)?, r.get(4)?);
            collected_line(
                &mut kept,
                "event",
                &serde_json::json!({
                    "messageId": message_id, "sessionId": session_id, "site": site,
                    "receivedAt": format_iso_millis(received_at), "browser": browser, "os": os,
                }),
            );
            // A purchase: is it its order's stored one (whose repeats go with it)?
            let (id, event): (i64, String) = (r.get(5)?, r.get(6)?);
            if event == "purchase" {
                let timestamp: String = r.get(7)?;
                let facts = crate::facts::extract(&event, &timestamp, std::str::from_utf8(body).unwrap_or(""));
                if !facts.order.is_empty() && order.exists(params![site, facts.order, id])? {
                    orders.push(facts.order);
                }
            }
        }
        drop(rows);
        if !collected {
            continue;
        }
        if let Some(line) = session_line(conn, session_id, site)? {
            collected_line(&mut kept, "session", &line);
        } else if automated.exists(params![session_id, site])? {
            collected_line(&mut kept, "automated", &serde_json::json!({"sessionId": session_id, "site": site}));
        }
        let mut repeats = Vec::new();
        for r in session_repeats.query_map(params![session_id, site], repeat_of)? {
            repeats.push(r?);
        }
        for o in &orders {
            for r in order_repeats.query_map(params![site, o], repeat_of)? {
                repeats.push(r?);
            }
        }
        for (key, line) in repeats {
            if given.insert(key) {
                collected_line(&mut kept, "orderRepeat", &line);
            }
        }
        if out.len() + kept.len() > max_bytes {
            return Ok(None);
        }
        out.extend_from_slice(&kept);
    }
    Ok(Some(out))
}

/// The columns of `order_repeats` that [`repeat_of`] reads.
const REPEAT_COLUMNS: &str = "site, transaction_id, message_id, session_id, ts, received_at";

/// A repeat's key (site, order, messageId) and its `collected` line's members.
fn repeat_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<((String, String, String), serde_json::Value)> {
    let [site, order, message_id, session_id]: [String; 4] = [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?];
    let line = serde_json::json!({
        "site": site, "transactionId": order, "messageId": message_id, "sessionId": session_id,
        "at": format_iso_millis(r.get(4)?), "receivedAt": format_iso_millis(r.get(5)?),
    });
    Ok(((site, order, message_id), line))
}

/// A session's row (`sessions`) as a `collected` line's members, None when it has none (a
/// session of automated traffic, or of nothing but repeats): what `/api/sessions` gives of it
/// (`start`, `end`, `events`, `touchpoints`, `friction`, `moments`, `frictionByType`, `score`,
/// `entryPath`, `lastPath`, `channel`, `campaign`, `userId`, `device`, `browser`, `os`), with
/// its `anonymousId` and the landing's `source` and `medium` as kept (`""`: none; `userId` and
/// `anonymousId` `null`).
fn session_line(conn: &Connection, session_id: &str, site: &str) -> rusqlite::Result<Option<serde_json::Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT first_ts, last_ts, events, touchpoints, friction, moments, by_type, score, entry_path, last_path,
                channel, campaign, source, medium, user_id, anonymous_id, device, browser, os
           FROM sessions WHERE session_id = ?1 AND site = ?2",
    )?;
    stmt.query_row(params![session_id, site], |r| {
        let text = |i: usize| r.get::<_, String>(i);
        let id = |i: usize| r.get::<_, String>(i).map(|s| Some(s).filter(|s| !s.is_empty()));
        let moments: serde_json::Value =
            serde_json::from_str(&text(5)?).unwrap_or_else(|_| serde_json::Value::Array(Vec::new()));
        // (Kept as type -> [count, during a moment]; given as `/api/sessions` gives it.)
        let by_type: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text(6)?)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.get(0).cloned().unwrap_or(serde_json::Value::from(0))))
                .collect();
        Ok(serde_json::json!({
            "sessionId": session_id, "site": site,
            "start": format_iso_millis(r.get(0)?), "end": format_iso_millis(r.get(1)?),
            "events": r.get::<_, i64>(2)?, "touchpoints": r.get::<_, i64>(3)?, "friction": r.get::<_, i64>(4)?,
            "moments": moments, "frictionByType": by_type, "score": r.get::<_, i64>(7)?,
            "entryPath": text(8)?, "lastPath": text(9)?, "channel": text(10)?, "campaign": text(11)?,
            "source": text(12)?, "medium": text(13)?, "userId": id(14)?, "anonymousId": id(15)?,
            "device": text(16)?, "browser": text(17)?, "os": text(18)?,
        }))
    })
    .optional()
}

/// Appends one `collected` line: `{"collected":"<kind>", ...members}`, its kind first.
fn collected_line(out: &mut Vec<u8>, kind: &str, members: &serde_json::Value) {
    let text = members.to_string();
    let mut line = format!(r#"{{"collected":"{kind}""#);
    match text.strip_prefix('{') {
        Some(rest) if rest != "}" => {
            line.push(',');
            line.push_str(rest);
        }
        _ => line.push('}'),
    }
    crate::query::push_ndjson_line(out, line.as_bytes());
}

/// The sessions whose last event counts before `before` (unix ms), at most `limit`, oldest first.
pub fn expired(conn: &Connection, before: i64, limit: usize) -> rusqlite::Result<Vec<SessionKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT session_id, site FROM sessions INDEXED BY sessions_last WHERE last_ts < ?1 ORDER BY last_ts LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![before, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// How much later than its arrival an event may count (its capture time believed up to an hour
/// ahead of the collector's clock: `aggregate::counts_at`).
const AHEAD_MS: i64 = 3_600_000;

/// The sessions past the retention that have no row in `sessions`, so that [`expired`] does not
/// find them: those of automated traffic (`context.automated`: in no figure, so no row), whose
/// events may still name a person (a shop's test account, a real browser a program drives). At
/// most `limit`, each a session every event of which counts before `before`.
///
/// Read from the oldest events (by id, the order they were received in) up to the first one
/// received less than an hour before `before` (an event counts at most an hour after it arrived):
/// once the retention has run, those are the few events of sessions spanning the cutoff and of
/// such sessions, not the whole table. (A clock set back meanwhile only delays a session until a
/// later pass.)
pub fn expired_without_row(conn: &Connection, before: i64, limit: usize) -> rusqlite::Result<Vec<SessionKey>> {
    let _snapshot = conn.unchecked_transaction()?;
    let mut oldest = conn.prepare_cached("SELECT session_id, site, received_at FROM events ORDER BY id")?;
    let mut has_row = conn.prepare_cached("SELECT 1 FROM sessions WHERE session_id = ?1 AND site = ?2")?;
    let mut times = conn.prepare_cached(
        "SELECT timestamp, received_at, sent_at FROM events INDEXED BY events_session
          WHERE session_id = ?1 AND site = ?2",
    )?;
    let mut looked: HashSet<SessionKey> = HashSet::new();
    let mut keys = Vec::new();
    let mut rows = oldest.query([])?;
    while let Some(r) = rows.next()? {
        if r.get::<_, i64>(2)? >= before.saturating_sub(AHEAD_MS) || keys.len() >= limit {
            break;
        }
        let key: SessionKey = (r.get(0)?, r.get(1)?);
        if looked.contains(&key) {
            continue;
        }
        looked.insert(key.clone());
        if has_row.exists(params![key.0, key.1])? {
            continue;
        }
        let mut all_before = true;
        let mut events = times.query(params![key.0, key.1])?;
        while let Some(e) = events.next()? {
            let ts = crate::facts::parse_iso_millis(e.get_ref(0)?.as_str()?).unwrap_or(0);
            if counts_at(ts, e.get(1)?, e.get(2)?) >= before {
                all_before = false;
                break;
            }
        }
        if all_before {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// One row of `minute_counts` or `hour_counts`: (site, minute or hour, metric).
type Bucket = (String, i64, String);

/// What sessions' events added to the aggregates, summed to be taken out again, computed as
/// [`crate::aggregate::apply`] added it: the counts per minute and hour, `site_totals`, the
/// page tables, the tag page tables and the tag count tables (rows that reach 0 are deleted).
#[derive(Default)]
struct Counted {
    minutes: HashMap<Bucket, i64>,
    name: String, // (for `Metric::spell`)
    totals: HashMap<String, (i64, i64, i64)>,
    /// Each event's page counts (summed by `write_pages`): (tag, site or device key, minute,
    /// path), as `apply` added them, also under each of its tags.
    pages: Vec<(PageRow, crate::aggregate::PageCounts)>,
    /// Each tagged event's (events, friction) under each of its tags: (site or device key,
    /// minute, tag key, tag value), as `apply` added them.
    tag_counts: Vec<(TagRow, (i64, i64))>,
}

type PageRow = (Option<(String, String)>, String, i64, String);
type TagRow = (String, i64, String, String);

impl Counted {
    /// The stored event `id` of the session (`session_id`, `site`), counted (not automated
    /// traffic) at `minute`: its counts per minute, its tags' and its page's.
    fn event(
        &mut self,
        tx: &Connection,
        (id, session_id, site): (i64, &str, &str),
        event: &str,
        facts: &crate::facts::Facts,
        minute: i64,
    ) -> rusqlite::Result<()> {
        let is_friction = facts.category == Category::Friction;
        // (And under the event's device class, as `apply` counted it.)
        for s in counted_under(site, &facts.device) {
            let name = &mut self.name;
            *self.minutes.entry((s.clone(), minute, Metric::Events.spell(name).into())).or_default() += 1;
            if is_friction {
                *self.minutes.entry((s.clone(), minute, Metric::Friction.spell(name).into())).or_default() += 1;
                *self.minutes.entry((s, minute, Metric::Type(event).spell(name).into())).or_default() += 1;
            }
        }
        let tags = crate::aggregate::tag_values(tx, &facts.tags)?;
        let device_key = (!facts.device.is_empty()).then(|| crate::aggregate::device_site(site, &facts.device));
        for key in [site].into_iter().chain(device_key.as_deref()) {
            for (k, v) in &tags {
                let row = (key.to_string(), minute, k.to_string(), v.to_string());
                self.tag_counts.push((row, (1, i64::from(is_friction))));
            }
        }
        let page = crate::aggregate::view_page_counts(tx, id, session_id, site, event, facts)?;
        if page.iter().any(|&n| n != 0) {
            for key in [site.to_string()].into_iter().chain(device_key) {
                for (k, v) in &tags {
                    let tag = Some((k.to_string(), v.to_string()));
                    self.pages.push(((tag, key.clone(), minute, facts.path.clone()), page));
                }
                self.pages.push(((None, key, minute, facts.path.clone()), page));
            }
        }
        Ok(())
    }

    /// A session of `site` that `apply` counted as new where `first` says.
    fn new_session(&mut self, site: &str, first: &crate::aggregate::FirstGroup) {
        let Some((minute, rate)) = first.counted() else { return };
        for s in counted_under(site, first.device()) {
            let name = &mut self.name;
            *self.minutes.entry((s.clone(), minute, Metric::Sessions.spell(name).into())).or_default() += 1;
            if rate > 0 {
                *self.minutes.entry((s, minute, Metric::Sampled(rate).spell(name).into())).or_default() += 1;
            }
        }
        for s in [site, ""] {
            self.totals.entry(s.to_string()).or_default().1 += 1;
        }
    }

    /// Takes it all out.
    fn take_out(self, tx: &Connection) -> rusqlite::Result<()> {
        let mut hours: HashMap<Bucket, i64> = HashMap::new();
        for ((site, minute, metric), n) in &self.minutes {
            *hours.entry((site.clone(), minute.div_euclid(60), metric.clone())).or_default() += n;
        }
        for (table, column, rows) in [("minute_counts", "minute", &self.minutes), ("hour_counts", "hour", &hours)] {
            let mut less = tx.prepare_cached(&format!(
                "UPDATE {table} SET n = n - ?4 WHERE site = ?1 AND {column} = ?2 AND metric = ?3 RETURNING n"
            ))?;
            let mut gone =
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE site = ?1 AND {column} = ?2 AND metric = ?3"))?;
            for ((site, at, metric), n) in rows {
                let left: Option<i64> = less.query_row(params![site, at, metric, n], |r| r.get(0)).optional()?;
                if left.is_some_and(|left| left <= 0) {
                    gone.execute(params![site, at, metric])?;
                }
            }
        }
        let keys = self.pages.iter().map(|((tag, s, m, p), c)| {
            let tag = tag.as_ref().map(|(k, v)| (k.as_str(), v.as_str()));
            ((tag, s.as_str(), *m, p.as_str()), *c)
        });
        crate::aggregate::write_pages(tx, keys, -1)?;
        let keys = self.tag_counts.iter().map(|((s, m, k, v), c)| ((s.as_str(), *m, k.as_str(), v.as_str()), *c));
        crate::aggregate::write_tag_counts(tx, keys, -1)?;
        let mut less = tx.prepare_cached(
            "UPDATE site_totals SET events = max(events - ?2, 0), sessions = max(sessions - ?3, 0),
               friction = max(friction - ?4, 0) WHERE site = ?1",
        )?;
        // (A site with nothing left has no row, as in a rebuild.)
        let mut gone = tx.prepare_cached("DELETE FROM site_totals WHERE site = ?1 AND events <= 0")?;
        for (site, (events, sessions, friction)) in &self.totals {
            less.execute(params![site, events, sessions, friction])?;
            gone.execute([site])?;
        }
        Ok(())
    }
}

/// Erases `keys`, whole, inside the caller's (the writer's) transaction. See the module
/// documentation.
pub fn erase_sessions(tx: &Connection, keys: &[SessionKey], why: Why) -> rusqlite::Result<Erased> {
    let mut taking = TakingOut::new(tx)?;
    let mut out = Erased::default();
    let mut events = tx.prepare_cached(
        "SELECT id, event, timestamp, received_at, body, sent_at, message_id FROM events INDEXED BY events_session
          WHERE session_id = ?1 AND site = ?2 ORDER BY id",
    )?;
    let mut seen = tx.prepare_cached(match why {
        Why::Request => "INSERT OR IGNORE INTO seen (message_id) VALUES (?1)",
        Why::Retention => "DELETE FROM seen WHERE message_id = ?1",
    })?;
    let mut order =
        tx.prepare_cached("DELETE FROM orders WHERE site = ?1 AND transaction_id = ?2 AND event_id = ?3")?;
    // The repeats of an order whose purchase goes (they name it: the shop's records link it to
    // the person), and those the session sent of any order.
    let mut order_repeats = tx.prepare_cached("DELETE FROM order_repeats WHERE site = ?1 AND transaction_id = ?2")?;
    let mut session_repeats = tx.prepare_cached(
        "DELETE FROM order_repeats INDEXED BY order_repeats_session WHERE session_id = ?1 AND site = ?2",
    )?;
    // A session of automated traffic: none of its events was counted but among the site's.
    let mut automated = tx.prepare_cached("DELETE FROM automated_sessions WHERE session_id = ?1 AND site = ?2")?;
    let mut log = tx.prepare_cached(
        "INSERT INTO deletions (deleted_at, session_id, site, reason, last_event_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let now = crate::facts::now_ms();
    for (session_id, site) in keys {
        let mut n = 0;
        let mut last_event_id = 0i64;
        let repeats = session_repeats.execute(params![session_id, site])?;
        let automated_session = automated.execute(params![session_id, site])? > 0;
        let rows = events.query(params![session_id, site])?;
        let had_row = taking.session((session_id, site), rows, automated_session, |counted, r, id, facts| {
            last_event_id = last_event_id.max(id);
            // (Every event was counted among the site's, automated traffic too.)
            for s in [site.as_str(), ""] {
                counted.totals.entry(s.to_string()).or_default().0 += 1;
            }
            seen.execute([r.get::<_, String>(6)?])?;
            n += 1;
            // Its order goes with it (the stored purchase of that order: see `store::SCHEMA`).
            if !facts.order.is_empty() && order.execute(params![site, facts.order, id])? > 0 {
                order_repeats.execute(params![site, facts.order])?;
            }
            Ok(())
        })?;
        tx.execute("DELETE FROM events WHERE session_id = ?1 AND site = ?2", params![session_id, site])?;
        out.events += n;
        // (A session of nothing but repeats is one too: it had no event and no row.)
        out.sessions += u64::from(had_row || n > 0 || repeats > 0);
        if had_row || n > 0 {
            log.execute(params![now, session_id, site, why.log_name(), last_event_id])?;
        }
    }
    taking.finish()?;
    Ok(out)
}

/// Takes the sessions `keys`, counted so far, out of every figure (the events stay stored, and
/// counted among the site's events, `site_totals.events`), inside the caller's (the writer's)
/// transaction: they turned out to be automated traffic (`aggregate::apply`). What their events
/// stored before the event `before` (an id) added is subtracted as [`erase_sessions`] subtracts
/// it, and their rows of `friction`, `event_tags`, `session_tags` and `sessions` are deleted.
/// Answers how many of them had a row (were in the figures).
pub fn uncount_sessions(tx: &Connection, keys: &[SessionKey], before: i64) -> rusqlite::Result<usize> {
    if keys.is_empty() {
        return Ok(0);
    }
    let mut taking = TakingOut::new(tx)?;
    let mut events = tx.prepare_cached(
        "SELECT id, event, timestamp, received_at, body, sent_at FROM events INDEXED BY events_session
          WHERE session_id = ?1 AND id < ?3 AND site = ?2 ORDER BY id",
    )?;
    let mut out = 0;
    for (session_id, site) in keys {
        let rows = events.query(params![session_id, site, before])?;
        // (Only an event that said so was never counted: the session was not marked before, so
        // it has none.)
        if taking.session((session_id, site), rows, false, |_, _, _, _| Ok(()))? {
            out += 1;
        }
    }
    taking.finish()?;
    Ok(out)
}

/// Sessions being taken out of every figure, one by one, what [`erase_sessions`] and
/// [`uncount_sessions`] share: what each session's counted events added is summed in a
/// [`Counted`] (taken out once, by [`TakingOut::finish`]), and the session's rows of `friction`,
/// `event_tags`, `session_tags` and `sessions` are deleted.
struct TakingOut<'c> {
    tx: &'c Connection,
    counted: Counted,
    friction: rusqlite::CachedStatement<'c>,
    tags: rusqlite::CachedStatement<'c>,
}

impl<'c> TakingOut<'c> {
    fn new(tx: &'c Connection) -> rusqlite::Result<Self> {
        Ok(TakingOut {
            tx,
            counted: Counted::default(),
            friction: tx.prepare_cached("DELETE FROM friction WHERE id = ?1")?,
            // (`event_tags` is keyed by tag first; its time index also holds the session.)
            tags: tx.prepare_cached(
                "DELETE FROM event_tags INDEXED BY event_tags_ts WHERE ts = ?1 AND site = ?2 AND session_id = ?3",
            )?,
        })
    }

    /// The session (`session_id`, `site`) whose events `rows` reads in the order they were
    /// stored (its first columns `id, event, timestamp, received_at, body, sent_at`). `each` is
    /// given every one of them first (the counts so far, the row, its id and its facts); those counted (not
    /// automated traffic, by their own word or, `automated`, the session's) are then counted out.
    /// Then its rows of `session_tags` and `sessions` go. Answers whether it had a row there (was
    /// counted as a session).
    fn session(
        &mut self,
        (session_id, site): (&str, &str),
        mut rows: rusqlite::Rows<'_>,
        automated: bool,
        mut each: impl FnMut(&mut Counted, &rusqlite::Row<'_>, i64, &crate::facts::Facts) -> rusqlite::Result<()>,
    ) -> rusqlite::Result<bool> {
        let mut first = crate::aggregate::FirstGroup::default();
        let mut tag_times = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, received_at): (i64, i64) = (r.get(0)?, r.get(3)?);
            let [event, timestamp, body]: [String; 3] = [r.get(1)?, r.get(2)?, r.get(4)?];
            let facts = crate::facts::extract(&event, &timestamp, &body);
            each(&mut self.counted, r, id, &facts)?;
            // (Counted only among the site's events, as `aggregate::apply` counts it.)
            if facts.automated || automated {
                continue;
            }
            let ts = counts_at(facts.ts_ms, received_at, r.get(5)?);
            let is_friction = facts.category == Category::Friction;
            for s in [site, ""] {
                self.counted.totals.entry(s.to_string()).or_default().2 += i64::from(is_friction);
            }
            self.counted.event(self.tx, (id, session_id, site), &event, &facts, ts.div_euclid(60_000))?;
            // Where the session was counted as new (and whether as sampled).
            first.add(received_at, ts, facts.sample_rate, &facts.device);
            if is_friction {
                self.friction.execute([id])?;
            }
            if !facts.tags.is_empty() {
                tag_times.push(ts);
            }
        }
        drop(rows);
        tag_times.sort_unstable();
        tag_times.dedup();
        for ts in tag_times {
            self.tags.execute(params![ts, site, session_id])?;
        }
        self.tx.execute("DELETE FROM session_tags WHERE session_id = ?1 AND site = ?2", params![session_id, site])?;
        let had_row =
            self.tx.execute("DELETE FROM sessions WHERE session_id = ?1 AND site = ?2", params![session_id, site])? > 0;
        if had_row {
            self.counted.new_session(site, &first);
        }
        Ok(had_row)
    }

    /// Takes what was summed out of the aggregates.
    fn finish(self) -> rusqlite::Result<()> {
        self.counted.take_out(self.tx)
    }
}

/// The keys of `minute_counts` an event or a new session of `site` on `device` was counted
/// under: the site, all sites, and with a device class, both again for it (see
/// [`crate::aggregate::device_site`]).
fn counted_under(site: &str, device: &str) -> Vec<String> {
    let mut keys = vec![site.to_string(), String::new()];
    keys.extend(crate::aggregate::device_count_keys(site, device));
    keys
}

/// The admin token's check and the body's person, for both admin endpoints. Without
/// `--admin-token` they are off (`403`). A browser cannot send the `Authorization` header to
/// another origin without a preflight, which the collector does not grant, so a page cannot make
/// a visitor's browser call them.
fn subject_of(
    st: &crate::routes::AppState,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<Subject, crate::api::ApiError> {
    use crate::api::ApiError;
    use axum::http::StatusCode;
    let Some(token) = st.admin_token.as_deref() else {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "the admin endpoints are off: start the collector with --admin-token (or TOUCHPOINT_ADMIN_TOKEN)".into(),
        ));
    };
    let given =
        headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(crate::api::bearer_token);
    if !given.is_some_and(|g| crate::api::token_matches(g.trim(), token)) {
        return Err(ApiError(StatusCode::UNAUTHORIZED, "admin token required: Authorization: Bearer <token>".into()));
    }
    let who: Subject = serde_json::from_slice(body).map_err(|e| {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("body: expected {{\"userId\"|\"anonymousId\"|\"sessionId\": \"...\"}}: {e}"),
        )
    })?;
    if !who.valid() {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "body: name someone with userId, anonymousId or sessionId (1..=256 characters)".into(),
        ));
    }
    Ok(who)
}

fn storage_error<E: std::fmt::Display>(e: E) -> crate::api::ApiError {
    crate::api::ApiError(axum::http::StatusCode::SERVICE_UNAVAILABLE, format!("storage unavailable: {e}"))
}

/// `POST /admin/erase`: erases (or with `dryRun`, counts) the sessions of a person, named by
/// `userId`, `anonymousId` or `sessionId` (JSON body), with the admin token (see [`subject_of`]).
/// Answers `{"sessions": n, "events": n, "dryRun": bool}` once it is committed. Sessions that
/// start while it runs are not covered: ask again.
pub async fn post_erase(
    axum::extract::State(st): axum::extract::State<crate::routes::AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, crate::api::ApiError> {
    let who = subject_of(&st, &headers, &body)?;
    let (store, dry_run) = (st.store.clone(), who.dry_run);
    // Named in the operator's log by kind of id only: the id itself is what was erased.
    let by: Vec<&str> = [("userId", &who.user_id), ("anonymousId", &who.anonymous_id), ("sessionId", &who.session_id)]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|_| k))
        .collect();
    let by = by.join(", ");
    let done = tokio::task::spawn_blocking(move || {
        let found = store.scan_subject(&who)?;
        if dry_run {
            store.count_sessions(&found.sessions)
        } else {
            store.erase_subject(&who, found)
        }
    })
    .await
    .map_err(storage_error)?
    .map_err(storage_error)?;
    if !dry_run {
        crate::log::log_line!("erasure by {by}: {} sessions, {} events", done.sessions, done.events);
    }
    Ok(crate::api::no_store(
        axum::Json(serde_json::json!({ "sessions": done.sessions, "events": done.events, "dryRun": dry_run }))
            .into_response(),
    ))
}

/// Most bytes an export answers with (a person with more: export by `sessionId`).
pub const MAX_EXPORT_BYTES: usize = 64 << 20;

/// `POST /admin/export`: the stored events of a person's sessions (named as for the erasure),
/// as received, one JSON event per line (`application/x-ndjson`), session by session in the
/// order they were received; an empty body when none. `X-Sessions` says how many sessions.
/// Over [`MAX_EXPORT_BYTES`]: `413`.
pub async fn post_export(
    axum::extract::State(st): axum::extract::State<crate::routes::AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, crate::api::ApiError> {
    use axum::http::{header, StatusCode};
    let who = subject_of(&st, &headers, &body)?;
    let store = st.store.clone();
    let (sessions, lines) = tokio::task::spawn_blocking(move || {
        let keys = store.find_subject(&who)?;
        Ok::<_, crate::store::StoreError>((keys.len(), store.export_with(&keys, MAX_EXPORT_BYTES, who.collected)?))
    })
    .await
    .map_err(storage_error)?
    .map_err(storage_error)?;
    let Some(lines) = lines else {
        return Err(crate::api::ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("more than {MAX_EXPORT_BYTES} bytes: export their sessions one by one (sessionId)"),
        ));
    };
    Ok(crate::api::no_store(
        (
            [
                (header::CONTENT_TYPE, "application/x-ndjson".to_string()),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"touchpoint-export.ndjson\"".to_string()),
                (header::HeaderName::from_static("x-sessions"), sessions.to_string()),
            ],
            lines,
        )
            .into_response(),
    ))
}

/// Erases the sessions past `days` (see [`crate::store::Store::expire`]) now and every hour,
/// on the blocking pool; says on stderr what it took out.
pub fn keep_for(store: std::sync::Arc<crate::store::Store>, days: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let store = store.clone();
            let before = crate::facts::now_ms() - i64::from(days) * 86_400_000;
            match tokio::task::spawn_blocking(move || store.expire(before)).await {
                Ok(Ok(e)) if e.sessions > 0 => crate::log::log_line!(
                    "retention ({days} days): erased {} sessions, {} events",
                    e.sessions,
                    e.events
                ),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => crate::log::log_line!("retention ({days} days): {e} (next try in an hour)"),
                Err(e) => crate::log::log_line!("retention ({days} days): {e}"),
            }
        }
    })
}
