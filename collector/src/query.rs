//! The read API's queries: parameters checked (a bad one is a `400` naming it), one SQL shape per
//! combination of filters (each names its index with `INDEXED BY`, so a plan that cannot use it
//! fails to prepare instead of scanning; `tests/queries.rs` also checks every shape with
//! `EXPLAIN QUERY PLAN`), time ranges and limits capped, answers bounded in bytes.
//!
//! Everything here runs on a read connection of [`crate::reads::ReadPool`].

use std::collections::HashMap;

use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use crate::facts::{format_iso_millis, parse_iso_millis, DEFAULT_MOMENTS};
use crate::reads::ReadError;
use crate::validate::{is_site_id, is_user_id};
use crate::window::{snapshot_ids, ChannelTotals, Filters, Kept, Narrow, Segment};

/// Longest time range a query may cover.
pub const MAX_RANGE_MS: i64 = 92 * 86_400_000;
/// Range when `from` is not given: the last day before `to`.
pub const DEFAULT_RANGE_MS: i64 = 86_400_000;
/// Most buckets a time series may have.
pub const MAX_BUCKETS: i64 = 1_500;
/// Most bytes of event bodies in one answer (`/api/events`, a session's journey).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Most events in a session's journey.
pub const MAX_JOURNEY_EVENTS: usize = 1_000;
/// Most rows of a leaderboard or session list.
pub const MAX_ROWS: i64 = 200;
/// Most funnel steps.
pub const MAX_STEPS: usize = 8;
/// Leaderboard groups compared for the trend (the previous period).
const MAX_TREND_GROUPS: i64 = 5_000;

/// A `400`: the reason names the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam(pub String);

/// Most `tag` parameters of one read (all must match: see [`Tags`]).
pub const MAX_TAGS: usize = 4;

/// The query string of a read request, checked. Every parameter may appear once but `tag`
/// (up to [`MAX_TAGS`] times); names not listed for the endpoint are refused.
pub struct Params {
    map: HashMap<String, String>,
    /// Every non-empty `tag` given, in order.
    tags: Vec<String>,
}

/// What an integer parameter above its largest value is ([`Params::int`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Above {
    /// Taken as the largest (a `limit`: "as many as you give").
    Capped,
    /// A `400`.
    Refused,
}

impl Params {
    pub fn new(pairs: Vec<(String, String)>, allowed: &[&str]) -> Result<Params, BadParam> {
        let mut map = HashMap::new();
        let mut tags = Vec::new();
        for (k, v) in pairs {
            // The read token may ride in the query string of any read.
            if k == "token" {
                continue;
            }
            if !allowed.contains(&k.as_str()) {
                return Err(BadParam(format!("{k}: unknown parameter (expected one of: {})", allowed.join(", "))));
            }
            // `tag` may be repeated: the events (and sessions) carrying every one of them.
            if k == "tag" {
                if !v.is_empty() {
                    if tags.len() == MAX_TAGS {
                        return Err(BadParam(format!("tag: at most {MAX_TAGS} (all must match)")));
                    }
                    tags.push(v.clone());
                }
                map.insert(k, v);
                continue;
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(BadParam(format!("{k}: given more than once")));
            }
        }
        Ok(Params { map, tags })
    }

    /// What a poll asks again, for [`crate::reads::ReadPool::run_kept`]: `endpoint`, the
    /// range's length (polls move `from` and `to` together) and every other parameter given.
    pub fn kept_key(&self, endpoint: &str, (from, to): (i64, i64)) -> String {
        let mut given: Vec<(&String, &String)> =
            self.map.iter().filter(|(k, v)| !["from", "to", "tag"].contains(&k.as_str()) && !v.is_empty()).collect();
        // Every tag, in one order (the same tags asked in another order are the same query).
        let tag = "tag".to_string();
        let mut tags: Vec<&String> = self.tags.iter().collect();
        tags.sort();
        tags.dedup();
        given.extend(tags.into_iter().map(|v| (&tag, v)));
        given.sort();
        let mut key = format!("{endpoint} {}", to - from);
        for (k, v) in given {
            key.push_str(&format!(" {k}={v:?}"));
        }
        key
    }

    /// A parameter's value as given (None when absent or empty).
    pub fn get_raw(&self, k: &str) -> Option<&str> {
        self.get(k)
    }

    fn get(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn site(&self) -> Result<Option<String>, BadParam> {
        match self.get("site") {
            None => Ok(None),
            Some(s) if is_site_id(s) => Ok(Some(s.to_string())),
            Some(_) => Err(BadParam("site: expected 1-64 characters of A-Za-z0-9._-".into())),
        }
    }

    /// `[from, to)` in unix ms: ISO-8601 or unix milliseconds; `to` defaults to `now`, `from` to a
    /// day before `to`; at most [`MAX_RANGE_MS`].
    pub fn range(&self, now: i64) -> Result<(i64, i64), BadParam> {
        let time = |k: &str| -> Result<Option<i64>, BadParam> {
            let Some(v) = self.get(k) else { return Ok(None) };
            let ms = if v.bytes().all(|b| b.is_ascii_digit()) && v.len() <= 15 {
                v.parse::<i64>().ok()
            } else {
                parse_iso_millis(v)
            };
            ms.filter(|ms| (0..=253_402_300_799_999).contains(ms))
                .map(Some)
                .ok_or_else(|| BadParam(format!("{k}: expected an ISO-8601 time or unix milliseconds")))
        };
        let to = time("to")?.unwrap_or(now);
        let from = time("from")?.unwrap_or(to - DEFAULT_RANGE_MS).max(0);
        if from >= to {
            return Err(BadParam("from: must be before to".into()));
        }
        if to - from > MAX_RANGE_MS {
            return Err(BadParam(format!("from: the range may cover at most {} days", MAX_RANGE_MS / 86_400_000)));
        }
        Ok((from, to))
    }

    pub fn limit(&self, default: i64) -> Result<i64, BadParam> {
        self.limit_upto(default, MAX_ROWS)
    }

    /// `limit`, 1 or more; above `max` it is `max`.
    pub fn limit_upto(&self, default: i64, max: i64) -> Result<i64, BadParam> {
        self.int("limit", default, 1, max, Above::Capped)
    }

    /// The integer parameter `k` (absent: `default`), at least `min`; above `max` it is `max`
    /// or refused, as `above` says.
    pub fn int(&self, k: &str, default: i64, min: i64, max: i64, above: Above) -> Result<i64, BadParam> {
        let Some(v) = self.get(k) else { return Ok(default) };
        match v.parse::<i64>() {
            Ok(n) if n >= min && (n <= max || above == Above::Capped) => Ok(n.min(max)),
            // Digits past i64 are above any bound: capped as any larger number is (a security
            // review's `limit=99999999999999999999` was a 400 where `limit=5000` was capped).
            Err(_) if above == Above::Capped && v.len() > 18 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(max),
            _ => Err(BadParam(format!("{k}: expected an integer {min}..={max}"))),
        }
    }

    /// An event name (friction type, funnel step): 1-64 of `a-z0-9_`.
    pub fn name(&self, k: &str) -> Result<Option<String>, BadParam> {
        match self.get(k) {
            None => Ok(None),
            Some(v) if is_name(v) => Ok(Some(v.to_string())),
            Some(_) => Err(BadParam(format!("{k}: expected an event name (1-64 of a-z0-9_)"))),
        }
    }

    pub fn path(&self) -> Result<Option<String>, BadParam> {
        match self.get("path") {
            None => Ok(None),
            // (As the aggregates key it: a path typed with lower-case escapes finds its rows.)
            Some(v) if v.starts_with('/') && v.chars().count() <= crate::facts::MAX_PATH_CHARS => {
                Ok(Some(crate::facts::path_key(v)))
            }
            Some(_) => Err(BadParam("path: expected a page path starting with / (at most 1024 characters)".into())),
        }
    }

    pub fn selector(&self) -> Result<Option<String>, BadParam> {
        match self.get("selector") {
            None => Ok(None),
            Some(v) if v.chars().count() <= 256 => Ok(Some(v.to_string())),
            Some(_) => Err(BadParam("selector: at most 256 characters".into())),
        }
    }

    /// `device`, as every panel but the sessions list takes it: a device class (the events and
    /// sessions without one have no counts of their own), at most 64 characters.
    pub fn device(&self) -> Result<Option<String>, BadParam> {
        match self.map.get("device") {
            None => Ok(None),
            Some(v) if !v.is_empty() && v.chars().count() <= 64 && !v.chars().any(char::is_control) => {
                Ok(Some(v.clone()))
            }
            Some(_) => Err(BadParam("device: a device class (mobile, tablet, desktop; 1-64 characters)".into())),
        }
    }

    /// `channel` (or `device`: `k`), as the sessions list filters by it: Some("") when given
    /// empty (the sessions without one), None when absent.
    pub fn channel(&self, k: &str) -> Result<Option<String>, BadParam> {
        match self.map.get(k) {
            None => Ok(None),
            Some(v) if v.chars().count() <= crate::facts::MAX_KEY_CHARS => Ok(Some(v.clone())),
            Some(_) => Err(BadParam(format!("{k}: at most {} characters", crate::facts::MAX_KEY_CHARS))),
        }
    }

    /// `source`, as the sessions list filters by it: a source / medium as `by=source` names it
    /// (`google / cpc`, each part at most [`crate::facts::MAX_KEY_CHARS`]); Some("") when given
    /// empty (the sessions with neither), None when absent.
    pub fn source(&self) -> Result<Option<String>, BadParam> {
        let most = 2 * crate::facts::MAX_KEY_CHARS + " / ".len();
        match self.map.get("source") {
            None => Ok(None),
            Some(v) if v.chars().count() <= most => Ok(Some(v.clone())),
            Some(_) => Err(BadParam(format!("source: at most {most} characters (source / medium)"))),
        }
    }

    /// `user`: a customer id, as the SDK sends it as `userId` (empty: absent).
    pub fn user(&self) -> Result<Option<String>, BadParam> {
        match self.get("user") {
            None => Ok(None),
            Some(v) if is_user_id(v) => Ok(Some(v.to_string())),
            Some(_) => Err(BadParam("user: expected a customer id (1..=128 characters, no control characters)".into())),
        }
    }

    /// `order`: a purchase's `transaction_id` as stored (1..=256 characters, empty: absent).
    pub fn order(&self) -> Result<Option<String>, BadParam> {
        match self.get("order") {
            None => Ok(None),
            Some(v) if v.chars().count() <= 256 && !v.chars().any(char::is_control) => Ok(Some(v.to_string())),
            Some(_) => Err(BadParam("order: expected an order id (1..=256 characters, no control characters)".into())),
        }
    }

    /// `tag`: `key:value` (split at the first `:`), each 1-64 characters without control
    /// characters (empty: absent); given up to [`MAX_TAGS`] times, all of them (see [`Tags`]).
    pub fn tag(&self) -> Result<Option<Tags>, BadParam> {
        let mut tags = Vec::with_capacity(self.tags.len());
        for v in &self.tags {
            match v.split_once(':') {
                Some((key, value)) if crate::facts::is_filterable_tag(key, value) => {
                    tags.push(Tag { key: key.into(), value: value.into() })
                }
                _ => {
                    return Err(BadParam(
                        "tag: expected key:value (each 1-64 characters, no control characters)".into(),
                    ))
                }
            }
        }
        Ok(Tags::new(tags))
    }

    /// `by=tag:KEY` of `/api/channels`: the tag key whose values group the sessions (a key `tag=`
    /// can name: 1-64 characters, no control character nor `:`); None for another `by`.
    pub fn by_tag(&self) -> Result<Option<String>, BadParam> {
        let Some(key) = self.get("by").and_then(|v| v.strip_prefix("tag:")) else { return Ok(None) };
        if !crate::facts::is_filterable_tag(key, "x") {
            return Err(BadParam(
                "by: expected tag:KEY (a tag key of 1-64 characters, no control characters nor :)".into(),
            ));
        }
        Ok(Some(key.to_string()))
    }

    pub fn flag(&self, k: &str) -> Result<bool, BadParam> {
        match self.get(k) {
            None | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(_) => Err(BadParam(format!("{k}: expected 1 or 0"))),
        }
    }

    pub fn one_of<'a>(&self, k: &str, options: &[&'a str], default: &'a str) -> Result<&'a str, BadParam> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => options
                .iter()
                .find(|o| **o == v)
                .copied()
                .ok_or_else(|| BadParam(format!("{k}: expected one of {}", options.join(", ")))),
        }
    }

    /// Whether the funnel's steps are the default moments (no `steps` asked for).
    pub fn default_steps(&self) -> bool {
        self.get("steps").is_none()
    }

    pub fn steps(&self) -> Result<Vec<String>, BadParam> {
        let Some(v) = self.get("steps") else {
            return Ok(DEFAULT_MOMENTS.iter().map(|s| s.to_string()).collect());
        };
        let steps: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
        if steps.len() > MAX_STEPS || steps.iter().any(|s| !is_name(s)) {
            return Err(BadParam(format!("steps: expected 1-{MAX_STEPS} comma-separated event names (a-z0-9_)")));
        }
        Ok(steps)
    }
}

fn is_name(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// SQL built from the filters that are present (no `?1 IS NULL OR ...`).
struct Q {
    sql: String,
    args: Vec<Sql>,
}

impl Q {
    fn new(head: &str) -> Q {
        Q { sql: head.to_string(), args: Vec::new() }
    }
    fn push(&mut self, text: &str, arg: impl Into<Sql>) -> &mut Q {
        self.sql.push_str(text);
        self.args.push(arg.into());
        self
    }
    fn text(&mut self, text: &str) -> &mut Q {
        self.sql.push_str(text);
        self
    }
}

fn text(v: &Option<String>) -> Sql {
    v.clone().map(Sql::Text).unwrap_or(Sql::Null)
}

// ---------------------------------------------------------------------------------------------
// Tags (`tag=key:value`)

/// One of the page's tags (`context.tags`, set with `touchpoint('set', ...)`): the events that
/// carry `key` with this value, compared as text (`2` matches the number 2 and the string "2";
/// `true` the boolean).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// The tags a read is narrowed to (`tag=` given once or more, at most [`MAX_TAGS`]), all of
/// them: the events carrying every one (`experiment:pdp_cta` and `variant:B` on the same
/// event), and the sessions that carried every one (each on any of their events, as one tag's
/// sessions are those with an event carrying it: two experiments on different pages of one
/// visit). Sorted, without repeats, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tags(Vec<Tag>);

impl Tags {
    /// None when `tags` is empty.
    pub fn new(tags: impl IntoIterator<Item = Tag>) -> Option<Tags> {
        let mut tags: Vec<Tag> = tags.into_iter().collect();
        tags.sort();
        tags.dedup();
        (!tags.is_empty()).then_some(Tags(tags))
    }

    pub fn all(&self) -> &[Tag] {
        &self.0
    }

    /// The tag, when there is one only (the per-tag counts kept at ingest answer it).
    pub fn single(&self) -> Option<&Tag> {
        match self.0.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

impl From<Tag> for Tags {
    fn from(tag: Tag) -> Tags {
        Tags(vec![tag])
    }
}

impl Q {
    /// ` AND` the session row `s` carried every tag (each on one of its events: `session_tags`,
    /// kept at ingest with `event_tags`, see [`crate::aggregate::apply`]; one lookup of its
    /// primary key per tag). The keys and values are arguments, never SQL text.
    fn session_tag(&mut self, tags: &Tags) -> &mut Q {
        for tag in tags.all() {
            self.text(
                " AND EXISTS (SELECT 1 FROM session_tags AS t \
                   WHERE t.session_id = s.session_id AND t.site = s.site",
            );
            self.push(" AND t.key = ?", tag.key.clone()).push(" AND t.value = ?", tag.value.clone()).text(")");
        }
        self
    }

    /// ` AND` the friction row `friction`, of `[from, to)`, is of an event that carries every
    /// tag (the first tag's friction events in that range, looked up once, each checked for the
    /// others by the whole key of `event_tags`: an event's row there has the time of its
    /// `friction` row).
    fn friction_tag(&mut self, tags: &Tags, from: i64, to: i64) -> &mut Q {
        let (first, rest) = tags.all().split_first().expect("Tags is never empty");
        self.text(" AND friction.id IN (SELECT t.event_id FROM event_tags AS t WHERE ")
            .push("t.key = ?", first.key.clone())
            .push(" AND t.value = ?", first.value.clone())
            .text(" AND t.friction = 1")
            .push(" AND t.ts >= ?", from)
            .push(" AND t.ts < ?", to);
        self.also_tagged(rest).text(")")
    }

    /// ` AND` the row `t` of `event_tags` is of an event that also carries each of `rest`.
    fn also_tagged(&mut self, rest: &[Tag]) -> &mut Q {
        let (sql, args) = also_tagged_sql(rest);
        self.sql.push_str(&sql);
        self.args.extend(args);
        self
    }
}

/// ` AND` the row `t` of `event_tags` is of an event that also carries each of `rest`: for each,
/// its own row looked up by the whole primary key (key, value, friction, time, event id: the
/// event's rows all have its time and friction), under the alias `t1`, `t2`, ... (SQL, and its
/// arguments: the keys and values).
pub(crate) fn also_tagged_sql(rest: &[Tag]) -> (String, Vec<Sql>) {
    let mut sql = String::new();
    let mut args = Vec::with_capacity(2 * rest.len());
    for (i, tag) in rest.iter().enumerate() {
        let a = format!("t{}", i + 1);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM event_tags AS {a} WHERE {a}.key = ? AND {a}.value = ? \
               AND {a}.friction = t.friction AND {a}.ts = t.ts AND {a}.event_id = t.event_id)"
        ));
        args.extend([Sql::Text(tag.key.clone()), Sql::Text(tag.value.clone())]);
    }
    (sql, args)
}

/// The sessions seen in `[from, to)` (last seen at or after `from`, started before `to`) that
/// carried every tag (see [`Q::session_tag`]).
fn tagged_sessions_sql(site: &Option<String>, tag: &Tags, columns: &str) -> Q {
    let index = if site.is_some() { "sessions_site_last" } else { "sessions_last" };
    let mut q = Q::new(&format!("SELECT {columns} FROM sessions AS s INDEXED BY {index} WHERE "));
    if let Some(site) = site {
        q.push("s.site = ? AND ", site.clone());
    }
    q.push("s.last_ts >= ?", Sql::Null).push(" AND s.first_ts < ?", Sql::Null);
    q.session_tag(tag);
    q
}

/// Sets the range arguments (`s.last_ts >= ?`, `s.first_ts < ?`) of [`tagged_sessions_sql`].
fn set_session_range(q: &mut Q, site: &Option<String>, from: i64, to: i64) {
    let i = usize::from(site.is_some());
    q.args[i] = Sql::Integer(from);
    q.args[i + 1] = Sql::Integer(to);
}

/// The times of the events of `[from, to)` carrying the tag (the time each counts at, as in the
/// aggregates: so every event that counts in the range).
fn tagged_events_sql(site: &Option<String>, tag: &Tag, from: i64, to: i64) -> Q {
    tagged_events_sql_of("t.ts", site, tag, from, to)
}

/// How many events of `[from, to)` carry the tag, and how many of those are friction (counted
/// again; the reference [`tag_totals`]'s tests compare with).
#[cfg(test)]
fn tagged_totals_sql(site: &Option<String>, tag: &Tag, from: i64, to: i64) -> Q {
    tagged_events_sql_of("COUNT(*), COALESCE(SUM(t.friction), 0)", site, tag, from, to)
}

/// `columns` of the rows of `event_tags` of `[from, to)` for the tag.
fn tagged_events_sql_of(columns: &str, site: &Option<String>, tag: &Tag, from: i64, to: i64) -> Q {
    let mut q = Q::new(&format!("SELECT {columns} FROM event_tags AS t WHERE "));
    q.push("t.key = ?", tag.key.clone())
        .push(" AND t.value = ?", tag.value.clone())
        .text(" AND t.friction IN (0, 1)")
        .push(" AND t.ts >= ?", from)
        .push(" AND t.ts < ?", to);
    if let Some(site) = site {
        q.push(" AND t.site = ?", site.clone());
    }
    q
}

/// `columns` of the rows of `event_tags` of `[from, to)` of the events carrying every one of
/// `tags`: the first tag's rows (one range of the primary key; give the rarest first, see
/// [`rarest_first`]), each checked for the others by their whole key ([`Q::also_tagged`]).
pub(crate) fn all_tagged_events_sql(
    columns: &str,
    site: &Option<String>,
    tags: &[Tag],
    from: i64,
    to: i64,
) -> (String, Vec<Sql>) {
    let (first, rest) = tags.split_first().expect("at least one tag");
    let mut q = tagged_events_sql_of(columns, site, first, from, to);
    q.also_tagged(rest);
    (q.sql, q.args)
}

/// `tags` with the one carried by the fewest events of `[from, to)` first (as the tag count
/// tables count them, [`tag_totals`]: a read of days, not of events), so that a read of the
/// events carrying them all reads the fewest rows: `experiment:pdp_cta` before `variant:B`,
/// which every experiment's B carries.
fn rarest_first(
    conn: &Connection,
    site: &Option<String>,
    tags: &Tags,
    range: (i64, i64),
) -> Result<Vec<Tag>, ReadError> {
    let mut counted = Vec::with_capacity(tags.all().len());
    for tag in tags.all() {
        let totals = tag_totals(conn, site, None, Some(tag), range)?;
        counted.push((totals.get(&(tag.key.clone(), tag.value.clone())).map_or(0, |c| c.0), tag.clone()));
    }
    counted.sort();
    Ok(counted.into_iter().map(|(_, t)| t).collect())
}

/// The tags of the events of `[from, to)`: (key, value, friction, session, site, event id), one
/// row per event and tag.
fn tags_sql(site: &Option<String>, from: i64, to: i64) -> Q {
    let mut q = Q::new(
        "SELECT t.key, t.value, t.friction, t.session_id, t.site, t.event_id
           FROM event_tags AS t INDEXED BY event_tags_ts WHERE ",
    );
    q.push("t.ts >= ?", from).push(" AND t.ts < ?", to);
    if let Some(site) = site {
        q.push(" AND t.site = ?", site.clone());
    }
    q
}

/// Counts of `[from, to)` per tag key and value: events, friction events and sessions, the
/// `limit` values with the most events first (then by key and value). The events and friction
/// events from the tag count tables ([`tag_totals`]), the sessions of the values shown from the
/// kept session window (see [`crate::window::SessionWindows::tag_sessions`]).
pub fn tags(
    conn: &Connection,
    kept: &Kept,
    site: &Option<String>,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Value, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let (upto, _) = snapshot_ids(conn)?;
    // Only the tags `tag=` can name: the list is what the inspector's Tag filter offers, and a
    // tag counted by an older collector (a control character in it) or too long for the filter
    // was offered there and refused (`400`) once chosen.
    let mut top: Vec<((String, String), (i64, i64))> = tag_totals(conn, site, None, None, (from, to))?
        .into_iter()
        .filter(|((k, v), c)| c.0 > 0 && crate::facts::is_filterable_tag(k, v))
        .collect();
    top.sort_unstable_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    top.truncate(limit);
    let shown: Vec<(&str, &str)> = top.iter().map(|((k, v), _)| (k.as_str(), v.as_str())).collect();
    let sessions = kept.sessions.tag_sessions(conn, site, (from, to), upto, &shown)?;
    let tags: Vec<Value> = top
        .iter()
        .zip(sessions)
        .map(|(((key, value), (events, friction)), sessions)| {
            json!({"key": key, "value": value, "events": events, "friction": friction, "sessions": sessions})
        })
        .collect();
    Ok(json!({"from": format_iso_millis(from), "to": format_iso_millis(to), "site": site, "tags": tags}))
}

/// Rows of one of the tag count tables, of one site or device key in `[lo, hi)` (its unit): key,
/// value, events, friction; `tagged`: of one tag only.
fn tag_counts_sql(grain: Grain, tagged: bool) -> Q {
    let (table, column) = crate::aggregate::TAG_COUNT_TABLES[grain as usize];
    let tag = if tagged { " AND key = ? AND value = ?" } else { "" };
    let mut q = Q::new(&format!(
        "SELECT key, value, events, friction FROM {table} WHERE site = ? AND {column} >= ? AND {column} < ?{tag}"
    ));
    q.args.extend(vec![Sql::Null; if tagged { 5 } else { 3 }]);
    q
}

/// (events, friction events) per tag (key, value).
type TagTotals = HashMap<(String, String), (i64, i64)>;

/// The device class of the stored event `id`, as ingestion read it.
const EVENT_DEVICE_SQL: &str = "SELECT event, timestamp, body FROM events WHERE id = ?1";

/// Per tag (key, value) of the events of `site` (None: every site) whose time is in `[from,
/// to)` (unix ms): how many carry it, and how many of those are friction events; of those
/// captured on `device` only, if given; of `tag` only, if given. The same as counting the rows of
/// `event_tags` of the range: its whole minutes from the tag count tables (the whole days inside
/// them, then the whole hours and the minutes left at the ends, see [`range_parts`]), each site's
/// (or its device class's) rows; the milliseconds before its first whole minute and after its
/// last from the rows of `event_tags` (their events' device class read from the events, when
/// asked: `event_tags` does not keep it). So what it reads grows with the days of the range, not
/// with its events.
fn tag_totals(
    conn: &Connection,
    site: &Option<String>,
    device: Option<&str>,
    tag: Option<&Tag>,
    (from, to): (i64, i64),
) -> Result<TagTotals, ReadError> {
    let mut sums = TagTotals::new();
    if from >= to {
        return Ok(sums);
    }
    // (A few hundred rows per read: a key made per row will do.)
    let mut add = |k: &str, v: &str, events: i64, friction: i64| {
        let c = sums.entry((k.to_string(), v.to_string())).or_default();
        c.0 += events;
        c.1 += friction;
    };
    fn text(v: rusqlite::types::ValueRef<'_>) -> &str {
        match v {
            rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
            _ => "",
        }
    }
    // The whole minutes `[m0, m1)`, and the milliseconds outside them.
    let (m0, m1) = ((from + 59_999).div_euclid(60_000), to.div_euclid(60_000));
    let ends = if m0 < m1 {
        let mut args = Vec::with_capacity(5);
        for key in page_keys(conn, site, device)? {
            for (grain, lo, hi) in range_parts(m0, m1, Grain::Days) {
                let q = tag_counts_sql(grain, tag.is_some());
                args.clear();
                args.extend([Sql::Text(key.clone()), Sql::Integer(lo), Sql::Integer(hi)]);
                if let Some(t) = tag {
                    args.extend([Sql::Text(t.key.clone()), Sql::Text(t.value.clone())]);
                }
                let mut stmt = conn.prepare_cached(&q.sql)?;
                let mut rows = stmt.query(params_from_iter(args.iter()))?;
                while let Some(r) = rows.next()? {
                    add(text(r.get_ref(0)?), text(r.get_ref(1)?), r.get(2)?, r.get(3)?);
                }
            }
        }
        vec![(from, m0 * 60_000), (m1 * 60_000, to)]
    } else {
        vec![(from, to)]
    };
    let mut device_of = match device {
        Some(_) => Some(conn.prepare_cached(EVENT_DEVICE_SQL)?),
        None => None,
    };
    for (lo, hi) in ends {
        if lo >= hi {
            continue;
        }
        let q = match tag {
            Some(t) => tagged_events_sql_of("t.key, t.value, t.friction, t.event_id", site, t, lo, hi),
            None => tags_sql(site, lo, hi),
        };
        let id_at = if tag.is_some() { 3 } else { 5 };
        let mut stmt = conn.prepare_cached(&q.sql)?;
        let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
        while let Some(r) = rows.next()? {
            if let (Some(d), Some(device_of)) = (device, device_of.as_mut()) {
                let id: i64 = r.get(id_at)?;
                let captured_on = device_of
                    .query_row([id], |e| {
                        let [event, timestamp, body]: [String; 3] = [e.get(0)?, e.get(1)?, e.get(2)?];
                        Ok(crate::facts::extract(&event, &timestamp, &body).device)
                    })
                    .optional()?;
                if captured_on.as_deref() != Some(d) {
                    continue;
                }
            }
            add(text(r.get_ref(0)?), text(r.get_ref(1)?), 1, i64::from(r.get::<_, bool>(2)?));
        }
    }
    Ok(sums)
}

/// [`tags`] counted over the whole range's rows of `event_tags` (before the kept windows, and
/// then the tag count tables; now the reference their tests compare with).
#[cfg(test)]
fn tags_regrouped(
    conn: &Connection,
    site: &Option<String>,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Value, ReadError> {
    let q = tags_sql(site, from, to);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
    // (key, value) -> events, friction, and its sessions as numbers (of `sessions`, by session id
    // and site): no string made per row.
    type Pair = (Vec<u8>, Vec<u8>);
    let mut counts: HashMap<Pair, (i64, i64, Vec<u32>)> = HashMap::new();
    let mut sessions: HashMap<Pair, u32> = HashMap::new();
    let bytes = |v: rusqlite::types::ValueRef<'_>| -> Vec<u8> { v.as_bytes().map(<[u8]>::to_vec).unwrap_or_default() };
    let mut key: Pair = Default::default();
    while let Some(r) = rows.next()? {
        key.0.clear();
        key.0.extend_from_slice(r.get_ref(3)?.as_bytes().unwrap_or_default());
        key.1.clear();
        key.1.extend_from_slice(r.get_ref(4)?.as_bytes().unwrap_or_default());
        let next = sessions.len() as u32;
        let session = match sessions.get(&key) {
            Some(&n) => n,
            None => *sessions.entry(key.clone()).or_insert(next),
        };
        key.0.clear();
        key.0.extend_from_slice(r.get_ref(0)?.as_bytes().unwrap_or_default());
        key.1.clear();
        key.1.extend_from_slice(r.get_ref(1)?.as_bytes().unwrap_or_default());
        let c = match counts.get_mut(&key) {
            Some(c) => c,
            None => counts.entry((bytes(r.get_ref(0)?), bytes(r.get_ref(1)?))).or_default(),
        };
        c.0 += 1;
        c.1 += i64::from(r.get::<_, bool>(2)?);
        c.2.push(session);
    }
    let string =
        |b: Vec<u8>| String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let counts: HashMap<(String, String), (i64, i64, usize)> = counts
        .into_iter()
        .map(|((k, v), (events, friction, mut s))| {
            s.sort_unstable();
            s.dedup();
            ((string(k), string(v)), (events, friction, s.len()))
        })
        .collect();
    let mut out: Vec<_> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    out.truncate(limit);
    let tags: Vec<Value> = out
        .into_iter()
        .map(|((key, value), (events, friction, sessions))| {
            json!({"key": key, "value": value, "events": events, "friction": friction, "sessions": sessions})
        })
        .collect();
    Ok(json!({"from": format_iso_millis(from), "to": format_iso_millis(to), "site": site, "tags": tags}))
}

/// How many sessions seen in `[from, to)` carry the tags (counted again; the reference
/// [`crate::window::SessionWindows::tagged`]'s tests compare with).
#[cfg(test)]
fn tagged_session_count(
    conn: &Connection,
    site: &Option<String>,
    tag: &Tags,
    from: i64,
    to: i64,
) -> Result<i64, ReadError> {
    let mut q = tagged_sessions_sql(site, tag, "COUNT(*)");
    set_session_range(&mut q, site, from, to);
    Ok(conn.prepare_cached(&q.sql)?.query_row(params_from_iter(q.args.iter()), |r| r.get(0))?)
}

// ---------------------------------------------------------------------------------------------
// /api/friction

#[derive(Clone)]
pub struct FrictionQ {
    pub site: Option<String>,
    pub from: i64,
    pub to: i64,
    pub kind: Option<String>,
    pub path: Option<String>,
    /// Only the friction of events carrying this tag (kept between polls like the others).
    pub tag: Option<Tags>,
    /// Only the friction captured on this device class (`context.device`; "": none); the
    /// sessions it is a share of: those of this device class.
    pub device: Option<String>,
    /// Only the friction captured while this moment of truth was under way (its `during`); the
    /// sessions it is a share of: those that reached that moment.
    pub during: Option<String>,
    pub limit: i64,
}

/// The friction rows of the leaderboard over `[from, to)`: (type, path, selector, session, time),
/// read from the covering index alone; with a tag, only those of the tag's friction events
/// (from `event_tags`). (Before [`crate::window`] every leaderboard; now the tag's friction
/// series, and the reference the window's tests compare with.) They are grouped in
/// `friction_groups` (tests), not by SQL: a
/// `GROUP BY` with `COUNT(DISTINCT session_id)` sorted every row by three text columns (about
/// 0.3 s for a week of 1,000,000 events); a hash table takes a few times less.
fn friction_rows(f: &FrictionQ, from: i64, to: i64) -> Q {
    let index = crate::window::friction_index(f.site.is_some(), f.during.is_some());
    let mut q =
        Q::new(&format!("SELECT event, path, selector, session_id, ts FROM friction INDEXED BY {index} WHERE "));
    if let Some(d) = &f.during {
        q.push(crate::window::DURING_SQL, d.clone());
    }
    if let Some(site) = &f.site {
        q.push("site = ? AND ", site.clone());
    }
    q.push("ts >= ?", from).push(" AND ts < ?", to);
    if let Some(k) = &f.kind {
        q.push(" AND event = ?", k.clone());
    }
    if let Some(p) = &f.path {
        q.push(" AND path = ?", p.clone());
    }
    if let Some(d) = &f.device {
        q.push(" AND device = ?", d.clone());
    }
    if let Some(tag) = &f.tag {
        q.friction_tag(tag, from, to);
    }
    q
}

/// One leaderboard group while counting: its key parts and figures.
#[cfg(test)]
struct Counting {
    key: [Vec<u8>; 3],
    n: i64,
    last: i64,
    sessions: i64,
}

/// The leaderboard's groups over `[from, to)`, as
/// `SELECT event, path, selector, COUNT(*), COUNT(DISTINCT session_id), MAX(ts) ... GROUP BY
/// event, path, selector ORDER BY COUNT(*) DESC, event, path, selector LIMIT limit` would give
/// them (text compared byte by byte, as SQLite's BINARY collation does). `sessions`: whether to
/// count the distinct sessions (0 otherwise).
#[cfg(test)]
fn friction_groups(
    conn: &Connection,
    f: &FrictionQ,
    from: i64,
    to: i64,
    limit: i64,
    sessions: bool,
) -> Result<Vec<Group>, ReadError> {
    use rusqlite::types::ValueRef;
    fn text<'a>(v: ValueRef<'a>) -> &'a [u8] {
        match v {
            ValueRef::Text(t) | ValueRef::Blob(t) => t,
            _ => b"",
        }
    }
    let q = friction_rows(f, from, to);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
    // Keys are the three texts, each preceded by its length (so no two keys run together).
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut groups: Vec<Counting> = Vec::new();
    let mut session_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut key = Vec::new();
    while let Some(r) = rows.next()? {
        let parts = [text(r.get_ref(0)?), text(r.get_ref(1)?), text(r.get_ref(2)?)];
        let ts = r.get::<_, i64>(4)?;
        key.clear();
        for p in parts {
            key.extend_from_slice(&(p.len() as u32).to_le_bytes());
            key.extend_from_slice(p);
        }
        let g = match index.get(key.as_slice()) {
            Some(&g) => g,
            None => {
                groups.push(Counting { key: parts.map(<[u8]>::to_vec), n: 0, last: ts, sessions: 0 });
                index.insert(key.clone(), groups.len() - 1);
                groups.len() - 1
            }
        };
        let c = &mut groups[g];
        c.n += 1;
        c.last = c.last.max(ts);
        if sessions {
            let s = text(r.get_ref(3)?);
            let next = session_ids.len() as u32;
            let id = match session_ids.get(s) {
                Some(&id) => id,
                None => *session_ids.entry(s.to_vec()).or_insert(next),
            };
            pairs.push((g as u32, id));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for (g, _) in pairs {
        groups[g as usize].sessions += 1;
    }
    groups.sort_unstable_by(|a, b| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key)));
    groups.truncate(limit.max(0) as usize);
    let string =
        |b: Vec<u8>| String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(groups
        .into_iter()
        .map(|c| {
            let [event, path, selector] = c.key;
            (string(event), string(path), string(selector), c.n, c.sessions, c.last)
        })
        .collect())
}

/// Sessions seen in `[from, to)` (last seen at or after `from`, started before `to`). (Before
/// [`crate::window::SessionWindows`]; now the reference its tests compare with.)
#[cfg(test)]
fn sessions_in_range(site: &Option<String>, from: i64, to: i64, with_friction: bool) -> Q {
    let index = match (site.is_some(), with_friction) {
        (true, false) => "sessions_site_last",
        (false, false) => "sessions_last",
        (true, true) => "sessions_site_last",
        (false, true) => "sessions_last",
    };
    let mut q = Q::new(&format!("SELECT COUNT(*) FROM sessions INDEXED BY {index} WHERE "));
    if let Some(site) = site {
        q.push("site = ? AND ", site.clone());
    }
    q.push("last_ts >= ?", from).push(" AND first_ts < ?", to);
    if with_friction {
        q.text(" AND friction > 0");
    }
    q
}

#[cfg(test)]
fn count(conn: &Connection, q: &Q) -> Result<i64, ReadError> {
    Ok(conn.prepare_cached(&q.sql)?.query_row(params_from_iter(q.args.iter()), |r| r.get(0))?)
}

/// (type, path, selector, count, sessions, last time) of one leaderboard row.
type Group = crate::window::Group;
use crate::window::Label;

/// The leaderboard. Its groups and the sessions count come from what `kept` holds (see
/// [`crate::window`]): kept from the previous poll and moved, not regrouped from the whole
/// range. One read transaction, so the sessions count and both periods see the same rows.
pub fn friction(conn: &Connection, kept: &Kept, f: &FrictionQ) -> Result<Value, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let (events_upto, upto) = snapshot_ids(conn)?;
    let narrow = Narrow { tag: f.tag.as_ref(), device: f.device.as_deref(), moment: f.during.as_deref() };
    let sessions = match (&f.tag, &f.device, &f.during) {
        (Some(tag), None, None) => kept.sessions.tagged(conn, &f.site, (f.from, f.to), events_upto, tag)?,
        _ => kept.sessions.totals(conn, &f.site, f.from, f.to, events_upto, narrow)?.sessions,
    };
    let filters = Filters {
        site: f.site.clone(),
        kind: f.kind.clone(),
        path: f.path.clone(),
        selector: None,
        tag: f.tag.clone(),
        device: f.device.clone(),
        during: f.during.clone(),
    };
    let now = kept.friction.labelled(conn, &filters, f.from, f.to, upto, f.limit)?;
    let len = f.to - f.from;
    // The count of each row's group in the period before, if that group is in its top
    // MAX_TREND_GROUPS (else 0).
    let keys: Vec<[&[u8]; 3]> = now.iter().map(|(g, _)| [g.0.as_bytes(), g.1.as_bytes(), g.2.as_bytes()]).collect();
    let previous =
        kept.friction.counts_in_top(conn, &filters, (f.from - len).max(0), f.from, upto, MAX_TREND_GROUPS, &keys)?;
    Ok(leaderboard(f, sessions, now, previous))
}

fn leaderboard(f: &FrictionQ, sessions: i64, now: Vec<(Group, Label)>, previous: Vec<i64>) -> Value {
    let rows: Vec<Value> = now
        .into_iter()
        .zip(previous)
        .map(|(((event, path, selector, n, s, last), label), previous)| {
            // The element's label: its latest event's text, how many distinct texts its events
            // carry (one row per selector: "Save Burr Grinder and 1 other"), and the first few.
            let top: Vec<Value> = label.top.into_iter().map(|(t, n)| json!({"text": t, "count": n})).collect();
            json!({
                "type": event, "path": path, "selector": selector, "count": n, "sessions": s,
                "share": if sessions > 0 { s as f64 / sessions as f64 } else { 0.0 },
                "previous": previous, "trend": n - previous, "last": format_iso_millis(last),
                "text": label.text, "texts": label.texts, "topTexts": top,
            })
        })
        .collect();
    json!({
        "from": format_iso_millis(f.from), "to": format_iso_millis(f.to), "site": f.site,
        "sessions": sessions, "rows": rows,
    })
}

// ---------------------------------------------------------------------------------------------
// /api/sessions

#[derive(Clone)]
pub struct SessionsQ {
    pub site: Option<String>,
    pub from: i64,
    pub to: i64,
    pub friction_only: bool,
    /// Sessions where this friction happened (the leaderboard's click-through).
    pub kind: Option<String>,
    pub path: Option<String>,
    pub selector: Option<String>,
    /// Sessions of this attribution channel ("": those without one; not with a friction filter).
    pub channel: Option<String>,
    /// Sessions of this device class ("": those without one); with a friction filter, the
    /// sessions where that friction was captured on it.
    pub device: Option<String>,
    /// Sessions of this campaign ("": those without one; not with a friction filter).
    pub campaign: Option<String>,
    /// Sessions of this source / medium (`aggregate::source_medium`: "google / cpc"; "": those
    /// with neither; not with a friction filter).
    pub source: Option<String>,
    /// Sessions of this browser (family and major version, as `by=browser` names it: "Safari
    /// 17"; "": those whose browser is unknown; not with a friction filter).
    pub browser: Option<String>,
    /// Sessions of this OS family ("iOS"; "": unknown; not with a friction filter).
    pub os: Option<String>,
    /// Sessions of this customer (`userId`; not with a friction filter).
    pub user: Option<String>,
    /// Sessions where an event carried this tag (with a friction filter: where that friction's
    /// event carried it).
    pub tag: Option<Tags>,
    /// Sessions with friction during this moment of truth (a friction filter).
    pub during: Option<String>,
    pub limit: i64,
}

impl SessionsQ {
    /// Whether it asks for the sessions where a friction happened (type, path, selector or the
    /// moment it happened during: the leaderboard's click-through), read from the friction rows
    /// rather than the sessions.
    pub fn by_friction(&self) -> bool {
        self.kind.is_some() || self.path.is_some() || self.selector.is_some() || self.during.is_some()
    }
}

/// The columns [`session_row`] reads (a macro, for [`SESSION_BY_KEY_SQL`]'s `concat!`).
macro_rules! session_columns {
    () => {
        "s.session_id, s.site, s.first_ts, s.last_ts, s.events, s.touchpoints, s.friction, s.moments, s.by_type, \
         s.score, s.entry_path, s.last_path, s.channel, s.campaign, s.user_id, s.device, s.source, s.medium, \
         s.browser, s.os"
    };
}
const SESSION_COLUMNS: &str = session_columns!();

/// The longest a session of the SDK's lasts from its first event to its last (a new one begins
/// after 24 h; an hour more for a clock's drift).
const SESSION_SPAN_MS: i64 = 25 * 3_600_000;

fn sessions_sql(q: &SessionsQ) -> Q {
    if !q.by_friction() {
        // A customer's sessions are few: their own index, the other filters on their rows.
        let index = match (&q.user, &q.site) {
            (Some(_), _) => "sessions_user",
            (None, Some(_)) => "sessions_site_last",
            (None, None) => "sessions_last",
        };
        let mut s = Q::new(&format!("SELECT {SESSION_COLUMNS} FROM sessions AS s INDEXED BY {index} WHERE "));
        if let Some(u) = &q.user {
            s.push("s.user_id = ? AND s.user_id <> '' AND ", u.clone());
        }
        if let Some(site) = &q.site {
            s.push("s.site = ? AND ", site.clone());
        }
        // The sessions active in the range, as the overview counts them (`last_ts >= from AND
        // first_ts < to`): the list took those whose last event is in it, so a session across
        // the range's end (a visit across midnight, for a day) was a session of the card and not
        // of the list (an analyst's audit).
        // Its last event is at most a session's longest span after `to` (the SDK begins a new one
        // after 24 h): a bound for the index's range, not only a filter on its rows.
        s.push("s.last_ts >= ?", q.from)
            .push(" AND s.last_ts < ?", q.to.saturating_add(SESSION_SPAN_MS))
            .push(" AND s.first_ts < ?", q.to);
        if q.friction_only {
            s.text(" AND s.friction > 0");
        }
        if let Some(c) = &q.channel {
            s.push(" AND s.channel = ?", c.clone());
        }
        if let Some(d) = &q.device {
            s.push(" AND s.device = ?", d.clone());
        }
        if let Some(c) = &q.campaign {
            s.push(" AND s.campaign = ?", c.clone());
        }
        if let Some(c) = &q.source {
            s.push(&format!(" AND {} = ?", crate::aggregate::SOURCE_MEDIUM_SQL), c.clone());
        }
        if let Some(b) = &q.browser {
            s.push(" AND s.browser = ?", b.clone());
        }
        if let Some(o) = &q.os {
            s.push(" AND s.os = ?", o.clone());
        }
        if let Some(tag) = &q.tag {
            s.session_tag(tag);
        }
        s.push(" ORDER BY s.last_ts DESC LIMIT ?", q.limit);
        return s;
    }
    let index = crate::window::friction_index(q.site.is_some(), q.during.is_some());
    let mut s = Q::new(&format!(
        "SELECT {SESSION_COLUMNS} FROM (SELECT session_id, site, MAX(ts) AS at FROM friction INDEXED BY {index} WHERE "
    ));
    if let Some(d) = &q.during {
        s.push(crate::window::DURING_SQL, d.clone());
    }
    if let Some(site) = &q.site {
        s.push("site = ? AND ", site.clone());
    }
    s.push("ts >= ?", q.from).push(" AND ts < ?", q.to);
    if let Some(sel) = &q.selector {
        s.push(" AND selector = ?", sel.clone());
    }
    if let Some(k) = &q.kind {
        s.push(" AND event = ?", k.clone());
    }
    if let Some(p) = &q.path {
        s.push(" AND path = ?", p.clone());
    }
    if let Some(d) = &q.device {
        s.push(" AND device = ?", d.clone());
    }
    if let Some(tag) = &q.tag {
        s.friction_tag(tag, q.from, q.to);
    }
    s.push(" GROUP BY session_id, site ORDER BY at DESC LIMIT ?", q.limit);
    s.text(") AS f JOIN sessions AS s ON s.session_id = f.session_id AND s.site = f.site ORDER BY f.at DESC");
    s
}

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let moments: Value = serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or(json!([]));
    let by_type: Value = serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or(json!({}));
    let by_type: Map<String, Value> = by_type
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.get(0).cloned().unwrap_or(json!(0)))).collect())
        .unwrap_or_default();
    Ok(json!({
        "sessionId": r.get::<_, String>(0)?, "site": r.get::<_, String>(1)?,
        "start": format_iso_millis(r.get(2)?), "end": format_iso_millis(r.get(3)?),
        "events": r.get::<_, i64>(4)?, "touchpoints": r.get::<_, i64>(5)?, "friction": r.get::<_, i64>(6)?,
        "moments": moments, "frictionByType": by_type, "score": r.get::<_, i64>(9)?,
        "entryPath": r.get::<_, String>(10)?, "lastPath": r.get::<_, String>(11)?,
        "channel": r.get::<_, String>(12)?, "campaign": r.get::<_, String>(13)?,
        "userId": Some(r.get::<_, String>(14)?).filter(|u| !u.is_empty()),
        "device": r.get::<_, String>(15)?,
        "source": crate::aggregate::source_medium(&r.get::<_, String>(16)?, &r.get::<_, String>(17)?),
        "browser": r.get::<_, String>(18)?, "os": r.get::<_, String>(19)?,
    }))
}

/// A session's row by its key.
const SESSION_BY_KEY_SQL: &str =
    concat!("SELECT ", session_columns!(), " FROM sessions AS s WHERE s.session_id = ?1 AND s.site = ?2");

/// Recent sessions of a range; with a friction filter (the leaderboard's click-through), the
/// sessions where that friction happened, from the element window `kept` holds (one read
/// transaction), as [`sessions_sql`]'s join gives them; with a tag, from that join.
pub fn sessions(conn: &Connection, kept: &Kept, q: &SessionsQ) -> Result<Value, ReadError> {
    if q.by_friction() {
        let _snapshot = conn.unchecked_transaction()?;
        let (_, upto) = snapshot_ids(conn)?;
        let f = Filters {
            site: q.site.clone(),
            kind: q.kind.clone(),
            path: q.path.clone(),
            selector: q.selector.clone(),
            tag: q.tag.clone(),
            device: q.device.clone(),
            during: q.during.clone(),
        };
        let rows =
            kept.elements.top(conn, &f, q.from, q.to, upto, q.limit, |top| -> Result<Vec<Value>, ReadError> {
                let mut stmt = conn.prepare_cached(SESSION_BY_KEY_SQL)?;
                let mut out = Vec::with_capacity(top.len());
                for (session, site, _) in top {
                    let text = |b| rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(b));
                    if let Some(r) = stmt.query_map([text(session), text(site)], session_row)?.next() {
                        out.push(r?);
                    }
                }
                Ok(out)
            })??;
        return Ok(json!({
            "from": format_iso_millis(q.from), "to": format_iso_millis(q.to), "site": q.site, "sessions": rows,
        }));
    }
    let s = sessions_sql(q);
    let mut stmt = conn.prepare_cached(&s.sql)?;
    let rows = stmt.query_map(params_from_iter(s.args.iter()), session_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "from": format_iso_millis(q.from), "to": format_iso_millis(q.to), "site": q.site, "sessions": rows,
    }))
}

// ---------------------------------------------------------------------------------------------
// /api/sessions/{id}

fn session_by_id_sql(site: &Option<String>) -> Q {
    let mut q = Q::new(&format!("SELECT {SESSION_COLUMNS} FROM sessions AS s WHERE s.session_id = ?"));
    q.args.push(Sql::Null);
    if let Some(site) = site {
        q.push(" AND s.site = ?", site.clone());
    }
    q.text(" ORDER BY s.last_ts DESC LIMIT 1");
    q
}

fn journey_sql(site: &Option<String>) -> Q {
    let mut q = Q::new("SELECT id, site, body FROM events INDEXED BY events_session WHERE session_id = ?");
    q.args.push(Sql::Null);
    if let Some(site) = site {
        q.push(" AND site = ?", site.clone());
    }
    q.push(" ORDER BY id LIMIT ?", MAX_JOURNEY_EVENTS as i64 + 1);
    q
}

/// A session of automated traffic by its id (of `site`, or of the site it has the latest event
/// on): its site (`automated_sessions`, whose key it leads).
const AUTOMATED_SESSION_SQL: &str = "SELECT a.site FROM automated_sessions AS a WHERE a.session_id = ?1
  AND (?2 IS NULL OR a.site = ?2)
  ORDER BY (SELECT MAX(e.id) FROM events AS e INDEXED BY events_session
             WHERE e.session_id = a.session_id AND e.site = a.site) DESC LIMIT 1";

/// What `/api/sessions/{id}` answers.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionView {
    /// `{"session", "events", "truncated", "automated"}`.
    Found(Value),
    /// A session of automated traffic, not asked for (`automated=1`): its site.
    Automated(String),
}

/// `/api/sessions/{id}`: the session's summary and journey. A session of automated traffic
/// (`automated_sessions`: in no figure, no row) only with `automated`, its summary then made of
/// its events as ingestion would have kept it (`aggregate::replay_session`).
pub fn session(conn: &Connection, id: &str, site: &Option<String>, automated: bool) -> Result<SessionView, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let mut q = session_by_id_sql(site);
    q.args[0] = Sql::Text(id.to_string());
    let found = {
        let mut stmt = conn.prepare_cached(&q.sql)?;
        let mut rows = stmt.query_map(params_from_iter(q.args.iter()), session_row)?;
        rows.next().transpose()?
    };
    let (summary, is_automated) = match found {
        Some(summary) => (summary, false),
        None => {
            let mut stmt = conn.prepare_cached(AUTOMATED_SESSION_SQL)?;
            let the_site: Option<String> = stmt.query_row(rusqlite::params![id, site], |r| r.get(0)).optional()?;
            match the_site {
                None => return Err(ReadError::NotFound(format!("no session {id:?}"))),
                Some(s) if !automated => return Ok(SessionView::Automated(s)),
                Some(s) => match crate::aggregate::replay_session(conn, id, &s)? {
                    Some(summary) => (summary, true),
                    None => return Err(ReadError::NotFound(format!("no session {id:?}"))),
                },
            }
        }
    };
    let the_site = summary["site"].as_str().map(str::to_string);
    let mut j = journey_sql(&the_site);
    j.args[0] = Sql::Text(id.to_string());
    let mut stmt = conn.prepare_cached(&j.sql)?;
    let mut rows = stmt.query(params_from_iter(j.args.iter()))?;
    let mut events = Vec::new();
    let mut bytes = 0;
    let mut truncated = false;
    while let Some(r) = rows.next()? {
        let body: String = r.get(2)?;
        if events.len() == MAX_JOURNEY_EVENTS || bytes + body.len() > MAX_BODY_BYTES {
            truncated = true;
            break;
        }
        bytes += body.len();
        let Ok(v) = serde_json::from_str::<Value>(&body) else { continue };
        events.push(journey_step(r.get(0)?, v));
    }
    // In capture order (events can arrive out of order: retries, adopted tabs).
    events.sort_by(|a, b| {
        (a["timestamp"].as_str().unwrap_or(""), a["id"].as_i64())
            .cmp(&(b["timestamp"].as_str().unwrap_or(""), b["id"].as_i64()))
    });
    Ok(SessionView::Found(
        json!({ "session": summary, "events": events, "truncated": truncated, "automated": is_automated }),
    ))
}

/// One step of a journey: the fields the timeline shows, and the event's properties.
fn journey_step(id: i64, v: Value) -> Value {
    let props = v.get("properties").cloned().unwrap_or(json!({}));
    let event = v.get("event").and_then(Value::as_str).unwrap_or("");
    let category = match props.get("category").and_then(Value::as_str) {
        Some("friction") => "friction",
        _ => "touchpoint",
    };
    let moment = props.get("moment").and_then(Value::as_bool).unwrap_or(false)
        || (category != "friction" && DEFAULT_MOMENTS.contains(&event));
    let page = v.get("context").and_then(|c| c.get("page"));
    json!({
        "id": id,
        "timestamp": v.get("timestamp").cloned().unwrap_or(Value::Null),
        "type": v.get("type").cloned().unwrap_or(Value::Null),
        "event": event,
        "category": category,
        "moment": moment,
        "during": props.get("during").cloned().unwrap_or(Value::Null),
        "path": page.and_then(|p| p.get("path")).cloned().unwrap_or(Value::Null),
        "title": page.and_then(|p| p.get("title")).cloned().unwrap_or(Value::Null),
        "element": props.get("element").cloned().unwrap_or(Value::Null),
        // The customer it carries (an identify names them; null when none, as in the summary).
        "userId": v.get("userId").and_then(Value::as_str).filter(|u| is_user_id(u)),
        // The page's tags when it was captured (`touchpoint('set', ...)`; null when none).
        "tags": v.get("context").and_then(|c| c.get("tags")).filter(|t| t.is_object()).cloned().unwrap_or(Value::Null),
        // The customer's own time zone (a support lead reading "around 3 pm" of a customer
        // abroad converted it by hand: QA), and whether the page ran in a frame; null when none.
        "timezone": v.get("context").and_then(|c| c.get("timezone")).and_then(Value::as_str).filter(|z| z.len() <= 64),
        "framed": v.get("context").and_then(|c| c.get("framed")).and_then(Value::as_bool).unwrap_or(false),
        "properties": props,
    })
}

// ---------------------------------------------------------------------------------------------
// /api/timeseries

pub struct SeriesQ {
    pub site: Option<String>,
    pub from: i64,
    pub to: i64,
    /// `friction` (one series per type), `events` or `sessions`.
    pub metric: String,
    pub bucket_min: i64,
    /// Only the events carrying this tag (`events` from the tag count tables, `friction` and
    /// `sessions` from the friction rows and `session_tags`, not the minute counts; `vitals` from
    /// the tag page tables, see [`vitals_series`]).
    pub tag: Option<Tags>,
    /// Only the events, friction and new sessions of this device class (from their own counts;
    /// with a tag, `metric` `friction` from the friction rows, `events` from the tag count
    /// tables, or `vitals`).
    pub device: Option<String>,
    /// `metric` `vitals`: the page views of this page path (as stored) alone; `friction`: the
    /// friction captured on it.
    pub path: Option<String>,
    /// `metric` `friction` only: the friction captured while this moment of truth was under way.
    pub during: Option<String>,
}

/// Which rows of `minute_counts` / `hour_counts` a read wants.
#[derive(Clone, Copy)]
enum Metrics<'a> {
    /// `friction:<type>`, every type.
    FrictionTypes,
    One(&'a str),
    /// `events` and `friction` (the overview's totals).
    Totals,
    /// `sampled:<rate>`, every rate.
    Sampled,
}

/// Rows of `minute_counts` (`hours`: of `hour_counts`, with the hour's first minute) of one site
/// in `[lo, hi)` (minutes or hours).
fn counts_sql(metrics: Metrics<'_>, hours: bool) -> Q {
    let mut q = Q::new(if hours {
        "SELECT hour * 60, metric, n FROM hour_counts WHERE site = ? AND hour >= ? AND hour < ?"
    } else {
        "SELECT minute, metric, n FROM minute_counts WHERE site = ? AND minute >= ? AND minute < ?"
    });
    q.args.extend([Sql::Null, Sql::Null, Sql::Null]);
    match metrics {
        Metrics::FrictionTypes => q.text(" AND metric >= 'friction:' AND metric < 'friction;'"),
        Metrics::One(m) => q.push(" AND metric = ?", m.to_string()),
        Metrics::Totals => q.text(" AND metric IN ('events', 'friction')"),
        Metrics::Sampled => q.text(" AND metric >= 'sampled:' AND metric < 'sampled;'"),
    };
    q
}

/// The key of the counts of `site` (None: all sites), or of its events on `device` (kept under
/// their own key, see [`crate::aggregate::device_site`]).
fn counts_key(site: &Option<String>, device: Option<&str>) -> Option<String> {
    match device {
        None => site.clone(),
        Some(d) => Some(crate::aggregate::device_site(site.as_deref().unwrap_or(""), d)),
    }
}

/// Hands every count of `site` in the minutes `[m0, m1)` to `each` (minute, metric, n). With
/// `use_hours`, the whole hours inside come from `hour_counts` as one count at the hour's first
/// minute (the same sums; callers that bucket by less than an hour must not ask for that), the
/// minutes at the ends from `minute_counts` (see [`range_parts`]).
fn counts(
    conn: &Connection,
    site: &Option<String>,
    metrics: Metrics<'_>,
    m0: i64,
    m1: i64,
    use_hours: bool,
    mut each: impl FnMut(i64, &str, i64),
) -> Result<(), ReadError> {
    // (No days: the counts are kept per minute and per hour only.)
    for (grain, lo, hi) in range_parts(m0, m1, if use_hours { Grain::Hours } else { Grain::Minutes }) {
        let mut q = counts_sql(metrics, grain == Grain::Hours);
        q.args[0] = Sql::Text(site.clone().unwrap_or_default());
        q.args[1] = Sql::Integer(lo);
        q.args[2] = Sql::Integer(hi);
        let mut stmt = conn.prepare_cached(&q.sql)?;
        let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
        while let Some(r) = rows.next()? {
            let metric = match r.get_ref(1)? {
                rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
                _ => "",
            };
            each(r.get(0)?, metric, r.get(2)?);
        }
    }
    Ok(())
}

pub fn timeseries(conn: &Connection, kept: &Kept, s: &SeriesQ) -> Result<Value, ReadError> {
    let b = s.bucket_min;
    let first = s.from.div_euclid(60_000).div_euclid(b) * b;
    let end = (s.to - 1).div_euclid(60_000) + 1;
    let n = ((end - first) + b - 1) / b;
    // The first bucket begins on a multiple of the bucket, before `from`: it counts from
    // `from`'s minute only, as the overview's totals do (it counted the events of the whole
    // bucket, up to 6 h before the range: the chart above the totals said more than they did,
    // an analyst's audit).
    let start = s.from.div_euclid(60_000);
    let series = if s.metric == "vitals" {
        let _snapshot = conn.unchecked_transaction()?;
        let sums = match s.tag.as_ref().map(|t| (t.single(), t)) {
            // Several tags: from their events, one by one (the tag page tables are per tag).
            Some((None, tags)) => {
                let mut series: [Vec<i64>; 9] = std::array::from_fn(|_| vec![0; n as usize]);
                let mut add = |minute: i64, path: &str, c: &Counts| {
                    if s.path.as_deref().is_some_and(|p| p != path) {
                        return;
                    }
                    let i = ((minute - first) / b) as usize;
                    for (slots, count) in series.iter_mut().zip(&c[VITALS_AT..]) {
                        if let Some(slot) = slots.get_mut(i) {
                            *slot += count;
                        }
                    }
                };
                several_tags(conn, kept, s, tags, (start, end), true, |minute, f| {
                    for (path, c) in &f.pages {
                        add(minute, path, c);
                    }
                })?;
                series
            }
            single => {
                let keys = page_keys(conn, &s.site, s.device.as_deref())?;
                let tag = single.and_then(|(t, _)| t);
                vitals_series(conn, &keys, tag, s.path.as_deref(), (first, start, end), b)?
            }
        };
        let series: Map<String, Value> =
            VITAL_SERIES.iter().zip(sums).map(|(name, counts)| (name.to_string(), json!(counts))).collect();
        Value::Object(series)
    } else {
        json!(counted_series(conn, kept, s, (first, start, end), b, n)?)
    };
    let buckets: Vec<i64> = (0..n).map(|i| (first + i * b) * 60_000).collect();
    Ok(json!({
        "from": format_iso_millis(s.from), "to": format_iso_millis(s.to), "site": s.site,
        "metric": s.metric, "bucketMs": b * 60_000, "buckets": buckets, "series": series,
    }))
}

/// The series of `metric` `friction` (one per type), `events` or `sessions`: per bucket of `b`
/// minutes from `first` (`n` buckets to `end`), of the minutes from `start` (`from`'s), from
/// the minute and hour counts, or with a page, a tag or both a tag and a device, from the
/// friction rows or the tag rows.
fn counted_series(
    conn: &Connection,
    kept: &Kept,
    s: &SeriesQ,
    (first, start, end): (i64, i64, i64),
    b: i64,
    n: i64,
) -> Result<std::collections::BTreeMap<String, Vec<i64>>, ReadError> {
    let metrics = if s.metric == "friction" { Metrics::FrictionTypes } else { Metrics::One(&s.metric) };
    let mut series: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    let mut add = |minute: i64, metric: &str, count: i64| {
        let name = metric.strip_prefix("friction:").unwrap_or(metric);
        let i = ((minute - first) / b) as usize;
        let v = match series.get_mut(name) {
            Some(v) => v,
            None => series.entry(name.to_string()).or_insert_with(|| vec![0; n as usize]),
        };
        if let Some(slot) = v.get_mut(i) {
            *slot += count;
        }
    };
    match (&s.tag, &s.device) {
        // A tag's events (also of one device class): from the tag count tables, whose minutes
        // are those of the tag's rows of `event_tags`.
        (Some(tags), device) if s.path.is_none() && s.metric == "events" => {
            let _snapshot = conn.unchecked_transaction()?;
            match tags.single() {
                Some(tag) => {
                    let keys = page_keys(conn, &s.site, device.as_deref())?;
                    tag_event_counts(conn, &keys, tag, (start, end), b % 60 == 0, |minute, n| {
                        add(minute, "events", n)
                    })?;
                }
                // Several tags: their events one by one, in the same minutes.
                None => {
                    several_tags(conn, kept, s, tags, (start, end), false, |minute, f| add(minute, "events", f.events))?
                }
            }
        }
        // One page, or a tag and a device (`metric` `friction` only, see api.rs): the friction
        // rows of those (the counts are kept per site and device, not per page or per tag and
        // device).
        (tag, device) if s.path.is_some() || s.during.is_some() || (tag.is_some() && device.is_some()) => {
            let f = FrictionQ {
                site: s.site.clone(),
                from: start * 60_000,
                to: end * 60_000,
                kind: None,
                path: s.path.clone(),
                tag: tag.clone(),
                device: device.clone(),
                during: s.during.clone(),
                limit: 0,
            };
            friction_series(conn, &f, |ts, name| add(ts.div_euclid(60_000), name, 1))?;
        }
        // Whole hours (of whole-hour buckets) lie inside one bucket (`first` is a multiple of
        // the bucket); the minutes from `start` to the first whole hour are read as minutes.
        (None, device) => counts(conn, &counts_key(&s.site, device.as_deref()), metrics, start, end, b % 60 == 0, add)?,
        (Some(tag), _) => tagged_counts(conn, &s.site, tag, &s.metric, start * 60_000, end * 60_000, |ts, name| {
            add(ts.div_euclid(60_000), name, 1)
        })?,
    }
    Ok(series)
}

/// The figures of the events of the minutes `[m0, m1)` carrying every one of `tags` (of the
/// series' site and device class; `bodies`: with their pages, see [`crate::tagsets::scan`]), for
/// the series' buckets: `each(minute, figures)`, the figures of a span of minutes that lies in
/// the bucket of `minute`. For buckets of whole hours, each whole hour kept between polls
/// ([`crate::tagsets::HourShelf`]) and the minutes at the ends; else each event's own.
fn several_tags(
    conn: &Connection,
    kept: &Kept,
    s: &SeriesQ,
    tags: &Tags,
    (m0, m1): (i64, i64),
    bodies: bool,
    mut each: impl FnMut(i64, &crate::tagsets::Figures),
) -> Result<(), ReadError> {
    // (In the caller's read transaction.)
    let (upto, _) = snapshot_ids(conn)?;
    let range = (m0 * 60_000, m1 * 60_000);
    let rarest = rarest_first(conn, &s.site, tags, range)?;
    let device = s.device.as_deref();
    if s.bucket_min % 60 == 0 {
        return kept.tag_hours.spans(conn, &s.site, device, (tags, &rarest), range, bodies, upto, |at, f| {
            each(at.div_euclid(60_000), f)
        });
    }
    let mut one = crate::tagsets::Figures::default();
    crate::tagsets::scan(conn, &s.site, device, &rarest, range, bodies, |ts, friction, page| {
        one.events = 1;
        one.friction = i64::from(friction);
        one.pages.clear();
        if let Some((path, c)) = page {
            one.pages.insert(path.to_string(), *c);
        }
        each(ts.div_euclid(60_000), &one);
    })
}

/// The events carrying `tag` per minute of `[m0, m1)` (unix minutes), `each(minute, events)`, under
/// the site or device class `keys` (see [`page_keys`]): from `tag_count_minutes`, and with
/// `use_hours` (whole-hour buckets) the whole hours from `tag_count_hours` (each at its first
/// minute), as [`counts`] reads the untagged counts.
fn tag_event_counts(
    conn: &Connection,
    keys: &[String],
    tag: &Tag,
    (m0, m1): (i64, i64),
    use_hours: bool,
    mut each: impl FnMut(i64, i64),
) -> Result<(), ReadError> {
    // (Hours at most: `use_hours` only says the buckets are whole hours, which a day row may
    // straddle.)
    let parts = range_parts(m0, m1, if use_hours { Grain::Hours } else { Grain::Minutes });
    for key in keys {
        for &(grain, lo, hi) in &parts {
            let (table, column) = crate::aggregate::TAG_COUNT_TABLES[grain as usize];
            let sql = format!(
                "SELECT {column}, events FROM {table} WHERE site = ?1 AND {column} >= ?2 AND {column} < ?3 AND key = ?4 AND value = ?5"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params![key, lo, hi, tag.key, tag.value])?;
            while let Some(r) = rows.next()? {
                each(r.get::<_, i64>(0)? * grain.minutes(), r.get(1)?);
            }
        }
    }
    Ok(())
}

/// The friction events and sessions of `[lo, hi)` carrying the tags as [`counts`] would count
/// them, one by one (time, metric): each friction event under `friction:<type>` (`metric`
/// `friction`), each session at its first time (`sessions`). (The events: [`tag_event_counts`].)
fn tagged_counts(
    conn: &Connection,
    site: &Option<String>,
    tag: &Tags,
    metric: &str,
    lo: i64,
    hi: i64,
    mut each: impl FnMut(i64, &str),
) -> Result<(), ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    match metric {
        "friction" => {
            let f = FrictionQ {
                site: site.clone(),
                from: lo,
                to: hi,
                kind: None,
                path: None,
                tag: Some(tag.clone()),
                device: None,
                during: None,
                limit: 0,
            };
            friction_series(conn, &f, each)?;
        }
        _ => {
            let mut q = tagged_sessions_sql(site, tag, "s.first_ts");
            set_session_range(&mut q, site, lo, hi);
            let mut stmt = conn.prepare_cached(&q.sql)?;
            let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
            while let Some(r) = rows.next()? {
                let ts: i64 = r.get(0)?;
                if (lo..hi).contains(&ts) {
                    each(ts, "sessions");
                }
            }
        }
    }
    Ok(())
}

/// The friction rows of `f` (its range), one by one: (time, `friction:<type>`).
fn friction_series(conn: &Connection, f: &FrictionQ, mut each: impl FnMut(i64, &str)) -> Result<(), ReadError> {
    let q = friction_rows(f, f.from, f.to);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
    let mut name = String::new();
    while let Some(r) = rows.next()? {
        name.clear();
        name.push_str("friction:");
        name.push_str(r.get_ref(0)?.as_str().unwrap_or(""));
        each(r.get(4)?, &name);
    }
    Ok(())
}

/// The series of `metric=vitals`, in the order of [`crate::aggregate::VITAL_COLUMNS`] (LCP, CLS,
/// INP; measured, good, poor): `n` for the page_leave events that measured the vital.
const VITAL_SERIES: [&str; 9] =
    ["lcp_n", "lcp_good", "lcp_poor", "cls_n", "cls_good", "cls_poor", "inp_n", "inp_good", "inp_poor"];

/// Per time unit of one of the page tables (`tagged`: of the tag page tables, of one tag), of one
/// key (site, or site and device) in `[lo, hi)` (its unit), and with `path` of that page only:
/// the sums of the vitals' counts over the pages, with the unit's first minute. (The rows of a
/// key come in time order from the primary key, so the grouping needs no sort; `path`, last in
/// the key, is a filter of that range, as without a tag.)
fn vitals_sql(grain: Grain, path: bool, tagged: bool) -> Q {
    let (table, column) = page_tables(tagged)[grain as usize];
    let sums: Vec<String> = crate::aggregate::VITAL_COLUMNS.iter().map(|c| format!("SUM({c})")).collect();
    let minute = match grain {
        Grain::Minutes => column.to_string(),
        _ => format!("{column} * {}", grain.minutes()),
    };
    let mut q = Q::new(&format!(
        "SELECT {minute}, {sums} FROM {table} WHERE {tag}site = ? AND {column} >= ? AND {column} < ?",
        sums = sums.join(", "),
        tag = if tagged { "key = ? AND value = ? AND " } else { "" }
    ));
    q.args.extend(vec![Sql::Null; if tagged { 5 } else { 3 }]);
    if path {
        q.push(" AND path = ?", Sql::Null);
    }
    q.text(&format!(" GROUP BY {column}"));
    q
}

/// The vitals' counts of the page views of `keys` (see [`page_keys`]; with `tag`, of the events
/// carrying it, from the tag page tables; with `path`, of that page only) in the minutes
/// `[start, end)`, summed per bucket of `b` minutes from `first` (a multiple of `b`, at or
/// before `start`): nine series as [`VITAL_SERIES`] names them. Each part of the range is read
/// from the coarsest page table whose unit divides the bucket (days for buckets of whole days,
/// hours for whole hours, else minutes): a row of it then lies inside one bucket.
fn vitals_series(
    conn: &Connection,
    keys: &[String],
    tag: Option<&Tag>,
    path: Option<&str>,
    (first, start, end): (i64, i64, i64),
    b: i64,
) -> Result<[Vec<i64>; 9], ReadError> {
    let n = ((end - first) + b - 1) / b;
    let mut series: [Vec<i64>; 9] = std::array::from_fn(|_| vec![0; n as usize]);
    let coarsest = if b % Grain::Days.minutes() == 0 {
        Grain::Days
    } else if b % Grain::Hours.minutes() == 0 {
        Grain::Hours
    } else {
        Grain::Minutes
    };
    for key in keys {
        for (grain, lo, hi) in range_parts(start, end, coarsest) {
            let mut q = vitals_sql(grain, path.is_some(), tag.is_some());
            q.args.clear();
            page_args(&mut q.args, tag, key, lo, hi);
            if let Some(p) = path {
                q.args.push(Sql::Text(p.to_string()));
            }
            let mut stmt = conn.prepare_cached(&q.sql)?;
            let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
            while let Some(r) = rows.next()? {
                let i = ((r.get::<_, i64>(0)? - first) / b) as usize;
                for (j, s) in series.iter_mut().enumerate() {
                    if let Some(slot) = s.get_mut(i) {
                        *slot += r.get::<_, i64>(j + 1)?;
                    }
                }
            }
        }
    }
    Ok(series)
}

/// Minutes per bucket for `bucket` (`minute`, `5m`, `15m`, `hour`, `day`, or `auto`: the
/// smallest of 1, 5, 15, 60, 360 and 1440 minutes giving fewer than 60 buckets, else a day);
/// checked against [`MAX_BUCKETS`].
pub fn bucket_minutes(bucket: &str, from: i64, to: i64) -> Result<i64, BadParam> {
    let minutes = (to - from + 59_999) / 60_000;
    let b = match bucket {
        "minute" => 1,
        "5m" => 5,
        "15m" => 15,
        "hour" => 60,
        "day" => 1440,
        _ => [1, 5, 15, 60, 360, 1440].into_iter().find(|b| minutes / b < 60).unwrap_or(1440),
    };
    // The buckets `timeseries` makes: from the one holding `from` to the one holding `to - 1`
    // (`minutes / b + 1` counted one too many for a range on bucket boundaries).
    let first = from.div_euclid(60_000).div_euclid(b) * b;
    let end = (to - 1).div_euclid(60_000) + 1;
    if (end - first + b - 1) / b > MAX_BUCKETS {
        return Err(BadParam(format!("bucket: {bucket} gives more than {MAX_BUCKETS} buckets for this range")));
    }
    Ok(b)
}

// ---------------------------------------------------------------------------------------------
// /api/overview

/// Totals of a range: events and friction from the hourly and minute counts, sessions from the
/// session window `kept` holds (one read transaction). `n.tag`: of the sessions carrying it
/// (kept with the session window) and the events carrying it (from the tag count tables, see
/// [`tag_totals`]; with several tags, of the sessions that carried each and the events carrying
/// all, read one by one: [`all_tagged_events`]). `n.device`: of the sessions of that device class, and the events and
/// friction captured on it (their own counts; with a tag, the tag count tables' rows of the
/// device class). Visitors and returning visitors: of those sessions (see
/// [`crate::window::SessionWindows::totals`]).
pub fn overview(
    conn: &Connection,
    kept: &Kept,
    site: &Option<String>,
    from: i64,
    to: i64,
    n: Narrow<'_>,
) -> Result<Value, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let (events_upto, _) = snapshot_ids(conn)?;
    let t = kept.sessions.totals(conn, site, from, to, events_upto, n)?;
    let (sessions, with_friction, score) = (t.sessions, t.with_friction, t.average_score);
    let mut friction = 0i64;
    let (m0, m1) = (from.div_euclid(60_000), (to - 1).div_euclid(60_000) + 1);
    // The counts of the site, or of its device class (kept under their own key).
    let key = counts_key(site, n.device);
    let events = match n.tag {
        // The tag's (and device class's) events of exactly `[from, to)`, as the tag filters
        // take them.
        Some(tags) => match tags.single() {
            Some(tag) => {
                let totals = tag_totals(conn, site, n.device, Some(tag), (from, to))?;
                let (e, f) = totals.get(&(tag.key.clone(), tag.value.clone())).copied().unwrap_or_default();
                friction = f;
                e
            }
            // Several tags: their events one by one (the tag count tables are per tag), each
            // whole hour's kept between polls.
            None => {
                let rarest = rarest_first(conn, site, tags, (from, to))?;
                let mut e = 0;
                let range = (from, to);
                kept.tag_hours.spans(conn, site, n.device, (tags, &rarest), range, false, events_upto, |_, f| {
                    e += f.events;
                    friction += f.friction;
                })?;
                e
            }
        },
        None => {
            let mut e = 0;
            counts(conn, &key, Metrics::Totals, m0, m1, true, |_, metric, n| match metric {
                "events" => e += n,
                "friction" => friction += n,
                _ => {}
            })?;
            e
        }
    };
    // The sessions begun in the range that a sample kept, by rate (the site's or the device's,
    // also under a tag): the inspector says its counts are then a share of the visits.
    let mut sampled: std::collections::BTreeMap<String, i64> = Default::default();
    counts(conn, &key, Metrics::Sampled, m0, m1, true, |_, metric, n| {
        if let Some(rate) = metric.strip_prefix("sampled:") {
            *sampled.entry(rate.to_string()).or_default() += n;
        }
    })?;
    // And all the sessions begun in the range (the same), so that the inspector can estimate
    // the visits a sample stands for.
    let mut begun = 0i64;
    if !sampled.is_empty() {
        counts(conn, &key, Metrics::One("sessions"), m0, m1, true, |_, _, n| begun += n)?;
    }
    Ok(json!({
        "from": format_iso_millis(from), "to": format_iso_millis(to), "site": site, "sampled": sampled,
        "sessionsBegun": begun,
        "events": events, "friction": friction,
        "sessions": sessions, "sessionsWithFriction": with_friction,
        "visitors": t.visitors, "returningVisitors": t.returning_visitors,
        "frictionPerSession": if sessions > 0 { friction as f64 / sessions as f64 } else { 0.0 },
        "sessionsWithFrictionShare": if sessions > 0 { with_friction as f64 / sessions as f64 } else { 0.0 },
        "averageScore": score,
    }))
}

/// Sessions in `[from, to)` as [`sessions_in_range`] counts them: how many, how many with
/// friction, and their average score; then [`visitor_columns`]. (Before
/// [`crate::window::SessionWindows`]; now the reference its tests compare with.)
#[cfg(test)]
fn session_totals_sql(site: &Option<String>, from: i64, to: i64) -> Q {
    let index = if site.is_some() { "sessions_site_last" } else { "sessions_last" };
    let mut a = Q::new(&format!(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE friction > 0), AVG(score), {} FROM sessions AS s INDEXED BY {index} WHERE ",
        visitor_columns(site, to)
    ));
    if let Some(s) = site {
        a.push("site = ? AND ", s.clone());
    }
    a.push("last_ts >= ?", from).push(" AND first_ts < ?", to);
    a
}

/// The visitors and returning visitors of the sessions `s` selected (the reference the session
/// window's are compared with), as the overview defines them, counted again from `sessions`:
/// visitors, the distinct non-empty `anonymous_id`s plus the sessions without one; returning, the
/// distinct ids with two or more sessions (of `site`, any device class or tag) begun before `to`.
/// (Literals: the columns come before the arguments of the callers' `WHERE`; a site id is
/// `[A-Za-z0-9._-]`.)
#[cfg(test)]
fn visitor_columns(site: &Option<String>, to: i64) -> String {
    let of_site = site.as_ref().map(|s| format!(" AND o.site = '{s}'")).unwrap_or_default();
    format!(
        "COUNT(DISTINCT NULLIF(s.anonymous_id, '')) + COUNT(*) FILTER (WHERE s.anonymous_id = ''),
         COUNT(DISTINCT CASE WHEN (SELECT COUNT(*) FROM sessions AS o
                                    WHERE o.anonymous_id = s.anonymous_id AND o.first_ts < {to}{of_site}) >= 2
                             AND s.anonymous_id <> '' THEN s.anonymous_id END)"
    )
}

// ---------------------------------------------------------------------------------------------
// /api/funnel

/// (Before [`crate::window::SessionWindows`]; now the reference its tests compare with.)
#[cfg(test)]
fn funnel_sql(site: &Option<String>) -> Q {
    let index = if site.is_some() { "sessions_site_last" } else { "sessions_last" };
    let mut q = Q::new(&format!("SELECT moments FROM sessions INDEXED BY {index} WHERE "));
    if let Some(site) = site {
        q.push("site = ? AND ", site.clone());
    }
    q.push("last_ts >= ?", 0).push(" AND first_ts < ?", 0);
    q
}

/// Sessions reaching each step in order (a session counts for step k if its moments of truth
/// include steps 1..=k in that order), with the drop-off from the step before. From the session
/// window `kept` holds (one read transaction).
pub fn funnel(
    conn: &Connection,
    kept: &Kept,
    site: &Option<String>,
    from: i64,
    to: i64,
    steps: &[String],
    n: Narrow<'_>,
) -> Result<Value, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let (events_upto, _) = snapshot_ids(conn)?;
    let (sessions, reached) = kept.sessions.funnel(conn, site, from, to, events_upto, steps, n)?;
    let mut prev = sessions;
    let mut out = vec![json!({"step": "sessions", "sessions": sessions, "dropoff": 0.0})];
    for (step, n) in steps.iter().zip(reached) {
        // Nobody reached the step before: nobody could drop off (null, not a misleading 0 %).
        let dropoff = (prev > 0).then(|| (prev - n) as f64 / prev as f64);
        out.push(json!({"step": step, "sessions": n, "dropoff": dropoff}));
        prev = n;
    }
    Ok(json!({"from": format_iso_millis(from), "to": format_iso_millis(to), "site": site, "steps": out}))
}

/// The default steps without those the site evidently does not have: a step no session of the
/// range reached, before one that sessions reached (a site whose visitors book with no
/// `add_to_cart`, a travel site, a service booked straight from its page, read 0 at every step,
/// its purchases counted in the channels beside it: a travel site's QA). A step after the last
/// one reached stays, at 0: nobody got that far (a checkout that fails) is what a funnel shows.
/// Returns the steps and those left out.
pub fn reached_steps(
    conn: &Connection,
    kept: &Kept,
    site: &Option<String>,
    from: i64,
    to: i64,
    steps: Vec<String>,
    n: Narrow<'_>,
) -> Result<(Vec<String>, Vec<String>), ReadError> {
    let (events_upto, _) = snapshot_ids(conn)?;
    let alone = kept.sessions.each_reached(conn, site, from, to, events_upto, &steps, n)?;
    let last = alone.iter().rposition(|&k| k > 0).unwrap_or(0);
    let (mut kept_steps, mut skipped) = (Vec::new(), Vec::new());
    for (i, step) in steps.into_iter().enumerate() {
        if i < last && alone[i] == 0 {
            skipped.push(step);
        } else {
            kept_steps.push(step);
        }
    }
    Ok((kept_steps, skipped))
}

// ---------------------------------------------------------------------------------------------
// /api/channels

/// Sessions of a range by attribution channel (the SDK's `context.channel` of the session; those
/// without one under `""`), or by device class, campaign, source / medium, browser or OS (`by`:
/// `context.device`, `context.campaign`, `context.source` and `context.medium` as
/// [`crate::aggregate::source_medium`] names them, the browser and OS the collector derived from
/// the session's `User-Agent`), most sessions first:
/// how many had friction, friction per session, average score, how many reached `goal` (the
/// last moment of truth, by default), and the Core Web Vitals of their page_leave events (each
/// session's counts, kept on its row by the writer, summed); `n`: of the sessions carrying its tag and of its device class only. From the session
/// window `kept` holds (one read transaction).
pub fn channels(
    conn: &Connection,
    kept: &Kept,
    site: &Option<String>,
    (from, to): (i64, i64),
    goal: &str,
    n: Narrow<'_>,
    (by, revenue): (&Grouping, bool),
) -> Result<Value, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let (events_upto, _) = snapshot_ids(conn)?;
    let (mut rows, name) = match by {
        Grouping::Segment(segment) => {
            let rows = kept.sessions.channels(conn, site, (from, to), events_upto, goal, n, (*segment, revenue))?;
            let name = match segment {
                Segment::Channel => "channel",
                Segment::Device => "device",
                Segment::Campaign => "campaign",
                Segment::Source => "source",
                Segment::Browser => "browser",
                Segment::Os => "os",
            };
            (rows, name)
        }
        Grouping::Tag(key) => {
            (kept.sessions.channels_by_tag(conn, site, (from, to), events_upto, goal, n, (key, revenue))?, "value")
        }
    };
    rows.sort_by(|a, b| b.sessions.cmp(&a.sessions).then_with(|| a.channel.cmp(&b.channel)));
    let ratio = |n: i64, d: i64| if d > 0 { n as f64 / d as f64 } else { 0.0 };
    // (Campaign names come from the pages' URLs: any number of them. The rest is summed.)
    let total = rows.len();
    let rest = rows.split_off(total.min(MAX_SEGMENT_ROWS));
    let mut others = ChannelTotals::default();
    for c in &rest {
        others.add(c);
    }
    let figures = |c: &ChannelTotals| {
        json!({
            name: c.channel, "sessions": c.sessions, "sessionsWithFriction": c.with_friction,
            "sessionsWithFrictionShare": ratio(c.with_friction, c.sessions),
            "frictionPerSession": ratio(c.friction, c.sessions),
            "averageScore": ratio(c.score_sum, c.sessions),
            "converted": c.converted, "conversionRate": ratio(c.converted, c.sessions),
            // (As the pages': the page_leave events of those sessions, wherever they were.)
            "vitals": vitals_json(&c.vitals),
        })
    };
    // With `revenue=1`: their stored purchases and refunds of the range, and their values per
    // currency (see `money.rs`).
    let figures = |c: &ChannelTotals| {
        let mut v = figures(c);
        if let (true, Some(o)) = (revenue, v.as_object_mut()) {
            let sums = |m: &std::collections::BTreeMap<String, i128>| -> Value {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), json!(crate::money::json_number(*v)))).collect())
            };
            let r = &c.revenue;
            o.insert("purchases".into(), json!(r.purchases));
            o.insert("revenue".into(), sums(&r.by_currency));
            o.insert("unvalued".into(), json!(r.unvalued));
            o.insert("unknownCurrency".into(), sums(&r.unknown_currency));
            o.insert("refunds".into(), json!(r.refunds));
            o.insert("refunded".into(), sums(&r.refunded));
            o.insert("refundsUnvalued".into(), json!(r.refunds_unvalued));
            o.insert("netRevenue".into(), sums(&r.net()));
        }
        v
    };
    let out: Vec<Value> = rows
        .iter()
        .map(|c| {
            let mut v = figures(c);
            // A tag's value, and the tag as `tag=` takes it (to narrow the other panels to it).
            if let (Grouping::Tag(key), Some(o)) = (by, v.as_object_mut()) {
                let tag = if c.channel.is_empty() { String::new() } else { format!("{key}:{}", c.channel) };
                o.insert("tag".into(), json!(tag));
            }
            v
        })
        .collect();
    // The rows past the first MAX_SEGMENT_ROWS, summed, and how many they are.
    let others = (!rest.is_empty()).then(|| {
        let mut v = figures(&others);
        if let Some(o) = v.as_object_mut() {
            o.remove(name);
            o.insert("count".into(), json!(rest.len()));
        }
        v
    });
    let mut answer = json!({
        "from": format_iso_millis(from), "to": format_iso_millis(to), "site": site, "goal": goal,
        "by": if let Grouping::Tag(_) = by { "tag" } else { name },
        "channels": out, "others": others,
    });
    if let (Grouping::Tag(key), Some(o)) = (by, answer.as_object_mut()) {
        o.insert("key".into(), json!(key));
    }
    Ok(answer)
}

/// What `/api/channels` groups the sessions by: one of their own figures, or the values of a
/// page tag (`by=tag:KEY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    Segment(Segment),
    /// The values of this tag key (an experiment's variants).
    Tag(String),
}

/// Most rows of `/api/channels`; the rest are summed in its `others`.
pub const MAX_SEGMENT_ROWS: usize = 100;

// ---------------------------------------------------------------------------------------------
// /api/pages

/// The sites with stored events (`site_totals` has a row per site, and `''` for all).
const SITES_SQL: &str = "SELECT site FROM site_totals WHERE site > ''";

/// How finely a part of a range is read: `page_minutes`, `page_hours` or `page_days` (its index
/// in [`crate::aggregate::PAGE_TABLES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grain {
    Minutes = 0,
    Hours = 1,
    Days = 2,
}

impl Grain {
    /// Minutes per row of its table.
    fn minutes(self) -> i64 {
        match self {
            Grain::Minutes => 1,
            Grain::Hours => 60,
            Grain::Days => 1440,
        }
    }
}

/// A page's counts as the page tables keep them (see `aggregate::PAGE_COLUMNS`).
type Counts = crate::aggregate::PageCounts;

/// Where the Core Web Vitals' nine counts begin in [`Counts`] (after views, leaves, engaged ms,
/// scroll % and friction).
const VITALS_AT: usize = crate::aggregate::PAGE_COLUMNS.len() - crate::aggregate::VITAL_COLUMNS.len();

/// The page tables, or (`tagged`) the tag page tables, by [`Grain`].
fn page_tables(tagged: bool) -> [(&'static str, &'static str); 3] {
    if tagged {
        crate::aggregate::TAG_PAGE_TABLES
    } else {
        crate::aggregate::PAGE_TABLES
    }
}

/// Rows of one of the page tables, of one site in `[lo, hi)` (its unit); `tagged`: of the tag
/// page tables, of one tag and site (one range of their primary key).
fn pages_sql(grain: Grain, tagged: bool) -> Q {
    let (table, column) = page_tables(tagged)[grain as usize];
    let columns = crate::aggregate::PAGE_COLUMNS.join(", ");
    let tag = if tagged { "key = ? AND value = ? AND " } else { "" };
    let mut q = Q::new(&format!(
        "SELECT path, {columns} FROM {table}
          WHERE {tag}site = ? AND {column} >= ? AND {column} < ?"
    ));
    q.args.extend(vec![Sql::Null; if tagged { 5 } else { 3 }]);
    q
}

/// The arguments of [`pages_sql`] and [`vitals_sql`] (before `path`): the tag's key and value
/// (with a tag), the site or device key, the range in the table's unit.
fn page_args(args: &mut Vec<Sql>, tag: Option<&Tag>, key: &str, lo: i64, hi: i64) {
    if let Some(t) = tag {
        args.extend([Sql::Text(t.key.clone()), Sql::Text(t.value.clone())]);
    }
    args.extend([Sql::Text(key.to_string()), Sql::Integer(lo), Sql::Integer(hi)]);
}

/// The minutes `[m0, m1)` as the whole UTC days inside them, the whole hours left at either
/// end, and the minutes left then (each `[lo, hi)` in its own unit; empty parts left out), no
/// part of a unit coarser than `coarsest` (a time series by the hour must not read days).
fn range_parts(m0: i64, m1: i64, coarsest: Grain) -> Vec<(Grain, i64, i64)> {
    let up = |n: i64, d: i64| (n + d - 1).div_euclid(d);
    let (h0, h1) = (up(m0, 60), m1.div_euclid(60));
    if h0 >= h1 || coarsest == Grain::Minutes {
        return if m0 < m1 { vec![(Grain::Minutes, m0, m1)] } else { Vec::new() };
    }
    let (d0, d1) = (up(h0, 24), h1.div_euclid(24));
    let mut parts = vec![(Grain::Minutes, m0, h0 * 60), (Grain::Minutes, h1 * 60, m1)];
    if d0 < d1 && coarsest == Grain::Days {
        parts.extend([(Grain::Hours, h0, d0 * 24), (Grain::Hours, d1 * 24, h1), (Grain::Days, d0, d1)]);
    } else {
        parts.push((Grain::Hours, h0, h1));
    }
    parts.retain(|&(_, lo, hi)| lo < hi);
    parts
}

/// The keys of the page tables' rows to read for `site` (None: each site's, as the sites are
/// few and the writer keeps no rows for all) and `device` (each site's rows of that class).
fn page_keys(conn: &Connection, site: &Option<String>, device: Option<&str>) -> Result<Vec<String>, ReadError> {
    let sites: Vec<String> = match site {
        Some(s) => vec![s.clone()],
        None => conn.prepare_cached(SITES_SQL)?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?,
    };
    Ok(match device {
        Some(d) => sites.iter().map(|s| crate::aggregate::device_site(s, d)).collect(),
        None => sites,
    })
}

/// The pages of a range by what customers met there: page views, engaged time per view, the
/// average deepest scroll of a page view, friction events and friction per view, and how many
/// page views rated good and poor on each Core Web Vital; `sort`
/// `friction` (most first, then views), `views`, or `vitals` (most poor ratings, then views); at most `limit` pages. From `page_days`,
/// `page_hours` and `page_minutes` (see [`range_parts`]); each page's friction by type from the
/// leaderboard's window `kept` holds (the friction rows of exactly `[from, to)`). With `tag`, of
/// the events carrying it alone: the same counts from the tag page tables (kept at ingest per
/// tag as the page tables are, see [`crate::aggregate::page_schema`]; read the same way), each
/// page's friction by type from the tag's leaderboard window.
#[allow(clippy::too_many_arguments)]
pub fn pages(
    conn: &Connection,
    kept: &Kept,
    site: &Option<String>,
    (from, to): (i64, i64),
    sort: &str,
    limit: i64,
    device: Option<&str>,
    tags: Option<&Tags>,
) -> Result<Value, ReadError> {
    let _snapshot = conn.unchecked_transaction()?;
    let (events_upto, friction_upto) = snapshot_ids(conn)?;
    let (m0, m1) = (from.div_euclid(60_000), (to - 1).div_euclid(60_000) + 1);
    let mut sums: std::collections::HashMap<String, Counts> = Default::default();
    let tag = tags.and_then(Tags::single);
    // Several tags: their events one by one, in the same whole minutes (the tag page tables are
    // per tag), each whole hour's kept between polls.
    let several = match tags {
        Some(t) if tag.is_none() => Some((t, rarest_first(conn, site, t, (m0 * 60_000, m1 * 60_000))?)),
        _ => None,
    };
    if let Some((t, rarest)) = &several {
        let range = (m0 * 60_000, m1 * 60_000);
        kept.tag_hours.spans(conn, site, device, (t, rarest), range, true, events_upto, |_, f| {
            for (path, c) in &f.pages {
                let row = match sums.get_mut(path) {
                    Some(row) => row,
                    None => sums.entry(path.to_string()).or_default(),
                };
                for (sum, n) in row.iter_mut().zip(c) {
                    *sum += n;
                }
            }
        })?;
    }
    let sites = if several.is_some() { Vec::new() } else { page_keys(conn, site, device)? };
    let mut args = Vec::with_capacity(5);
    for (site, (grain, lo, hi)) in
        sites.iter().flat_map(|s| range_parts(m0, m1, Grain::Days).into_iter().map(move |p| (s, p)))
    {
        let q = pages_sql(grain, tag.is_some());
        args.clear();
        page_args(&mut args, tag, site, lo, hi);
        let mut stmt = conn.prepare_cached(&q.sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let path = match r.get_ref(0)? {
                rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
                _ => "",
            };
            let row = match sums.get_mut(path) {
                Some(row) => row,
                None => sums.entry(path.to_string()).or_default(),
            };
            for (i, sum) in row.iter_mut().enumerate() {
                *sum += r.get::<_, i64>(i + 1)?;
            }
        }
    }
    let mut rows: Vec<(String, Counts)> = sums.into_iter().collect();
    // `vitals`: the views rated poor on any Core Web Vital (LCP, CLS and INP poor counts summed),
    // the pages where most customers waited or saw the page jump, then views. Counts, not shares:
    // a page seen once, slowly, is not the slowest page of the shop.
    let poor = |c: &Counts| {
        // (After the five counts, three per vital: measured, good, poor.)
        let v = &c[VITALS_AT..];
        v[2] + v[5] + v[8]
    };
    let key = |c: &Counts| match sort {
        "views" => (c[0], c[4]),
        "vitals" => (poor(c), c[0]),
        _ => (c[4], c[0]),
    };
    rows.sort_by(|a, b| key(&b.1).cmp(&key(&a.1)).then_with(|| a.0.cmp(&b.0)));
    let total = rows.len();
    // Every page's vitals together (also those past `limit`): the site's share of good views.
    let mut all_vitals = [0i64; 9];
    for (_, c) in &rows {
        for (sum, n) in all_vitals.iter_mut().zip(&c[VITALS_AT..]) {
            *sum += n;
        }
    }
    rows.truncate(limit.max(0) as usize);
    let shown: std::collections::HashSet<&[u8]> = rows.iter().filter(|r| r.1[4] > 0).map(|r| r.0.as_bytes()).collect();
    let by_type = if shown.is_empty() {
        Default::default()
    } else {
        let device = device.map(String::from);
        let f = Filters {
            site: site.clone(),
            kind: None,
            path: None,
            selector: None,
            tag: tags.cloned(),
            device,
            during: None,
        };
        kept.friction.by_path_and_type(conn, &f, from, to, friction_upto, &shown)?
    };
    let ratio = |n: i64, d: i64| if d > 0 { json!(n as f64 / d as f64) } else { Value::Null };
    let out: Vec<Value> = rows
        .iter()
        .map(|(path, [views, leaves, engaged, scroll, friction, vitals @ ..])| {
            let types: Map<String, Value> = by_type
                .iter()
                .filter(|((p, _), _)| p.as_slice() == path.as_bytes())
                .map(|((_, t), n)| (String::from_utf8_lossy(t).into_owned(), json!(n)))
                .collect();
            json!({
                "path": path, "views": views, "leaves": leaves, "friction": friction, "frictionByType": types,
                "frictionPerView": ratio(*friction, *views),
                // Engaged time over the views (a view's time may come in several page_leave
                // events: a tab hidden and shown again), unknown without any page_leave (the
                // journey trackers off, or the views still open); the deepest scroll of each view
                // left, averaged over those views: `leaves` counts a view once, and `scroll` its
                // deepest point, however many page_leave events it sent (see
                // `aggregate::view_page_counts`).
                "engagedMsPerView": if *leaves > 0 { ratio(*engaged, *views) } else { Value::Null },
                "averageScrollPct": ratio(*scroll, *leaves),
                "vitals": vitals_json(vitals),
            })
        })
        .collect();
    Ok(json!({
        "from": format_iso_millis(from), "to": format_iso_millis(to), "site": site, "sort": sort,
        "device": device, "pages": out, "totalPages": total, "vitals": vitals_json(&all_vitals),
    }))
}

/// Per Core Web Vital, the page_leave events that measured it and how many of those were good
/// and poor (needs improvement: the rest), from nine counts in the order of
/// [`crate::aggregate::VITAL_COLUMNS`] (a page's, or a channel's sessions').
fn vitals_json(v: &[i64]) -> Value {
    json!({
        "lcp": {"n": v[0], "good": v[1], "poor": v[2]},
        "cls": {"n": v[3], "good": v[4], "poor": v[5]},
        "inp": {"n": v[6], "good": v[7], "poor": v[8]},
    })
}

// ---------------------------------------------------------------------------------------------
// /api/events and /api/stats

/// The columns of `events` a [`Stored`] is read from.
const STORED_COLUMNS: &str = "id, body, received_at, timestamp, browser, os, sent_at";

/// With no filter: the table itself, newest rowid first, stopping at `limit`.
fn events_sql(site: bool, event: bool) -> Q {
    let mut q = match (site, event) {
        (true, _) => Q::new(&format!("SELECT {STORED_COLUMNS} FROM events INDEXED BY events_site_id WHERE ")),
        (false, true) => Q::new(&format!("SELECT {STORED_COLUMNS} FROM events INDEXED BY events_event_id WHERE ")),
        (false, false) => Q::new(&format!("SELECT {STORED_COLUMNS} FROM events")),
    };
    if site {
        q.push("site = ?", Sql::Null);
    }
    if event {
        q.push(if site { " AND event = ?" } else { "event = ?" }, Sql::Null);
    }
    q.push(" ORDER BY id DESC LIMIT ?", Sql::Null);
    q
}

/// A stored event as `/api/events` gives it: its body, and with `envelope=1` what the collector
/// knows of it beside (as the export's envelope: [`envelope_head`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub body: String,
    pub received_at: i64,
    pub timestamp: String,
    /// The browser and OS derived from its request's `User-Agent` (None: unknown).
    pub browser: Option<String>,
    pub os: Option<String>,
    /// Its batch's `sentAt` (unix ms, the device's clock; None: not given or unusable).
    pub sent_at: Option<i64>,
    /// A purchase looked up by its order (`order=`): the purchases of that order that came after
    /// it and were not counted (`order_repeats`).
    pub repeats: Option<Repeats>,
}

/// The repeats of an order's purchase: how many, and the last one's time (as it counts, unix
/// ms) and session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeats {
    pub count: i64,
    pub last: Option<(i64, String)>,
}

impl Stored {
    /// From a row of [`STORED_COLUMNS`].
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            id: r.get(0)?,
            body: r.get(1)?,
            received_at: r.get(2)?,
            timestamp: r.get(3)?,
            browser: r.get(4)?,
            os: r.get(5)?,
            sent_at: r.get(6)?,
            repeats: None,
        })
    }

    /// Its envelope ([`envelope_head`] and the body), and for a purchase looked up by its order
    /// `"repeats": {"count", "lastAt", "lastSessionId"}`.
    pub fn envelope(&self) -> String {
        let times = Times { received_at: self.received_at, sent_at: self.sent_at, timestamp: &self.timestamp };
        let mut out = envelope_head(self.id, times, self.browser.as_deref(), self.os.as_deref());
        out.push_str(&self.body);
        if let Some(r) = &self.repeats {
            let (at, session) = match &r.last {
                Some((ts, session)) => (Some(format_iso_millis(*ts)), Some(session.as_str())),
                None => (None, None),
            };
            let repeats = json!({"count": r.count, "lastAt": at, "lastSessionId": session});
            out.push_str(&format!(r#","repeats":{repeats}"#));
        }
        out.push('}');
        out
    }
}

/// A stored event's three clocks: the collector's arrival (unix ms), its batch's `sentAt` (unix
/// ms by the device's clock; None: not given or unusable) and its `timestamp` as received.
pub struct Times<'a> {
    pub received_at: i64,
    pub sent_at: Option<i64>,
    pub timestamp: &'a str,
}

/// An envelope's members before its event, up to `"event":` (the export's and `/api/events`'):
/// the collector's id and time of arrival; the batch's `sentAt` and the event's `timestamp` as
/// [`timestamp_utc`] writes them (`null`: none, or out of range); `countedAt`, the time the
/// inspector and the query API count it at (`aggregate::counts_at`: the device's time
/// corrected by the batch's clock skew, or the arrival), so that a warehouse gets the
/// inspector's figures without the rules; and the browser and OS of the request that carried
/// it (`null`: unknown).
pub fn envelope_head(id: i64, times: Times<'_>, browser: Option<&str>, os: Option<&str>) -> String {
    let received = format_iso_millis(times.received_at);
    let quoted = |t: Option<String>| t.map_or_else(|| "null".to_string(), |t| format!("\"{t}\""));
    // (The timestamp parsed once, for `timestampUtc` and for `countedAt`: 0, as at ingestion,
    // when it does not parse.)
    let ts = parse_iso_millis(times.timestamp);
    let at = quoted(ts.and_then(utc_millis));
    let sent = quoted(times.sent_at.and_then(utc_millis));
    let ts = ts.unwrap_or(0);
    let counted = format_iso_millis(crate::aggregate::counts_at(ts, times.received_at, times.sent_at));
    let text = |v: Option<&str>| serde_json::to_string(&v).unwrap_or_else(|_| "null".into());
    format!(
        r#"{{"id":{id},"receivedAt":"{received}","sentAt":{sent},"timestampUtc":{at},"countedAt":"{counted}","browser":{},"os":{},"event":"#,
        text(browser),
        text(os)
    )
}

/// The stored purchase of order `order` (one per site: "One purchase per order"), of `site` or of
/// every site: a "charged twice" ticket names the order, not the visit (a support lead's report);
/// with the purchases of that order that came again and were not counted (its `repeats`: how
/// many, and the last one's time and session), which the ticket asks about.
pub fn order_events(conn: &Connection, site: &Option<String>, order: &str) -> Result<Vec<Stored>, ReadError> {
    let mut q = Q::new(
        "SELECT e.id, e.body, e.received_at, e.timestamp, e.browser, e.os, e.sent_at,
                (SELECT COUNT(*) FROM order_repeats AS r WHERE r.site = o.site AND r.transaction_id = o.transaction_id),
                l.ts, l.session_id
           FROM orders AS o JOIN events AS e ON e.id = o.event_id
           LEFT JOIN order_repeats AS l ON l.site = o.site AND l.transaction_id = o.transaction_id
                AND l.message_id = (SELECT r.message_id FROM order_repeats AS r
                                     WHERE r.site = o.site AND r.transaction_id = o.transaction_id
                                     ORDER BY r.ts DESC, r.received_at DESC LIMIT 1)
          WHERE o.transaction_id = ?",
    );
    q.args.push(Sql::Text(order.to_string()));
    if let Some(site) = site {
        q.push(" AND o.site = ?", site.clone());
    }
    q.text(" ORDER BY e.id DESC LIMIT 100");
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let rows = stmt.query_map(params_from_iter(q.args.iter()), |r| {
        let mut e = Stored::read(r)?;
        let last = match (r.get::<_, Option<i64>>(8)?, r.get::<_, Option<String>>(9)?) {
            (Some(ts), Some(session)) => Some((ts, session)),
            _ => None,
        };
        e.repeats = Some(Repeats { count: r.get(7)?, last });
        Ok(e)
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Newest first, at most `limit` events and [`MAX_BODY_BYTES`] of bodies: (events, truncated).
pub fn events(
    conn: &Connection,
    site: &Option<String>,
    event: &Option<String>,
    limit: i64,
) -> Result<(Vec<Stored>, bool), ReadError> {
    let mut q = events_sql(site.is_some(), event.is_some());
    let mut args = Vec::new();
    if site.is_some() {
        args.push(text(site));
    }
    if event.is_some() {
        args.push(text(event));
    }
    args.push(Sql::Integer(limit));
    q.args = args;
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
    let (mut out, mut bytes) = (Vec::new(), 0);
    while let Some(r) = rows.next()? {
        let e = Stored::read(r)?;
        if bytes + e.body.len() > MAX_BODY_BYTES {
            return Ok((out, true));
        }
        bytes += e.body.len();
        out.push(e);
    }
    Ok((out, false))
}

/// `/api/export`'s page: the events after `after` (an `events.id`), oldest first.
fn export_sql(site: bool) -> Q {
    if site {
        let mut q = Q::new(
            "SELECT id, body, received_at, timestamp, browser, os, sent_at FROM events INDEXED BY events_site_id
              WHERE site = ? AND id > ?",
        );
        q.args.extend([Sql::Null, Sql::Null]);
        q.push(" ORDER BY id LIMIT ?", Sql::Null);
        q
    } else {
        let mut q = Q::new("SELECT id, body, received_at, timestamp, browser, os, sent_at FROM events WHERE id > ?");
        q.args.push(Sql::Null);
        q.push(" ORDER BY id LIMIT ?", Sql::Null);
        q
    }
}

/// Most bytes of bodies in one page of `/api/export` (then fewer events: the next page goes on).
pub const EXPORT_PAGE_BYTES: usize = 8 << 20;

/// The stored events after `after` (an `events.id`; of `site` only, when given), oldest first:
/// at most `limit` of them and [`EXPORT_PAGE_BYTES`] of bodies (at least one), one body per line
/// (with `envelope`, one `{"id", "receivedAt", "timestampUtc", "browser", "os", "event"}` per
/// line, [`envelope_head`]: the collector's own facts, which a warehouse needs for a cursor of
/// its own and for clocks that are wrong, the event's `timestamp` written one way,
/// [`timestamp_utc`], and the browser and OS derived from the request's `User-Agent`); and the id of
/// the last (`after` when there is none), from which the next page goes on. Ids only grow (rows
/// leave only by an erasure), so copying a store page by page misses nothing stored since and
/// gives nothing twice.
pub fn export_page(
    conn: &Connection,
    site: &Option<String>,
    after: i64,
    limit: i64,
    envelope: bool,
) -> Result<(Vec<u8>, i64), ReadError> {
    let mut q = export_sql(site.is_some());
    q.args = cursor_args(site, after, limit);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
    let (mut out, mut last) = (Vec::new(), after);
    while let Some(r) = rows.next()? {
        let body = r.get_ref(1)?.as_bytes().map_err(|e| ReadError::Failed(e.to_string()))?;
        // (A line is written, then taken back if it went past the page's bytes: the escapes of
        // U+2028 and the like make it longer than the body.)
        let before = out.len();
        let id: i64 = r.get(0)?;
        if envelope {
            let text = |i: usize| r.get_ref(i).map(|v| v.as_str().ok());
            let times = Times { received_at: r.get(2)?, sent_at: r.get(6)?, timestamp: text(3)?.unwrap_or("") };
            let head = envelope_head(id, times, text(4)?, text(5)?);
            out.extend_from_slice(head.as_bytes());
            push_one_line(&mut out, body);
            out.extend_from_slice(b"}\n");
        } else {
            push_ndjson_line(&mut out, body);
        }
        if before > 0 && out.len() > EXPORT_PAGE_BYTES {
            out.truncate(before);
            break;
        }
        last = id;
    }
    Ok((out, last))
}

/// The arguments of [`export_sql`]'s and [`deletions_sql`]'s pages, in their placeholders'
/// order: the site when given, the id after which the page begins, the page's length.
fn cursor_args(site: &Option<String>, after: i64, limit: i64) -> Vec<Sql> {
    let mut args = Vec::new();
    if site.is_some() {
        args.push(text(site));
    }
    args.push(Sql::Integer(after));
    args.push(Sql::Integer(limit));
    args
}

fn deletions_sql(site: bool) -> Q {
    let mut q = if site {
        let mut q = Q::new(
            "SELECT id, deleted_at, session_id, site, reason, last_event_id FROM deletions \
             INDEXED BY deletions_site_id WHERE site = ? AND id > ?",
        );
        q.args.extend([Sql::Null, Sql::Null]);
        q
    } else {
        let mut q =
            Q::new("SELECT id, deleted_at, session_id, site, reason, last_event_id FROM deletions WHERE id > ?");
        q.args.push(Sql::Null);
        q
    };
    q.push(" ORDER BY id LIMIT ?", Sql::Null);
    q
}

/// The sessions deleted after `after` (a `deletions.id`; of `site` only, when given), oldest
/// first, at most `limit`: one `{"id", "deletedAt", "sessionId", "site", "reason",
/// "lastEventId"}` per line (NDJSON, escaped as [`push_ndjson_line`] escapes); and the id of the
/// last (`after` when there is none).
pub fn deletions_page(
    conn: &Connection,
    site: &Option<String>,
    after: i64,
    limit: i64,
) -> Result<(Vec<u8>, i64), ReadError> {
    let mut q = deletions_sql(site.is_some());
    q.args = cursor_args(site, after, limit);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params_from_iter(q.args.iter()))?;
    let (mut out, mut last) = (Vec::new(), after);
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let line = json!({
            "id": id,
            "deletedAt": format_iso_millis(r.get(1)?),
            "sessionId": r.get::<_, String>(2)?,
            "site": r.get::<_, String>(3)?,
            "reason": r.get::<_, String>(4)?,
            "lastEventId": r.get::<_, i64>(5)?,
        });
        let text = serde_json::to_vec(&line).map_err(|e| ReadError::Failed(e.to_string()))?;
        push_ndjson_line(&mut out, &text);
        last = id;
    }
    Ok((out, last))
}

/// An event's `timestamp` as the collector parsed it (the instant its aggregates count it at,
/// unless that clock was wrong: see `aggregate::counts_at`), written one way: UTC, milliseconds
/// (a longer fraction cut, not rounded), `Z` (`2026-12-06T06:40:00.123456+01:00` is
/// `2026-12-06T05:40:00.123Z`, a leap second `23:59:60` the next day's `00:00:00.000Z`). None when
/// it does not parse or falls outside the years 0000-9999 (`0000-01-01T00:30:00+01:00`).
pub fn timestamp_utc(timestamp: &str) -> Option<String> {
    utc_millis(parse_iso_millis(timestamp)?)
}

/// Unix milliseconds `ms` written as [`timestamp_utc`] writes a time; None outside the years
/// 0000-9999.
fn utc_millis(ms: i64) -> Option<String> {
    // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
    (-62_167_219_200_000..=253_402_300_799_999).contains(&ms).then(|| format_iso_millis(ms))
}

/// Appends a stored body as one NDJSON line. A body is kept as received, and a client may post
/// its batch pretty-printed: its line breaks, which valid JSON has only between tokens (never
/// raw inside a string), become spaces, so that a reader splitting at line breaks gets whole
/// events. U+2028, U+2029 and U+0085, which valid JSON may hold raw inside a string but
/// Python's `str.splitlines()` (among others) splits at, are written as their escapes
/// (`\u2028`, `\u2029`, `\u0085`): the same strings to a JSON reader, and every line one whole
/// event to any line splitter.
pub fn push_ndjson_line(out: &mut Vec<u8>, body: &[u8]) {
    push_one_line(out, body);
    out.push(b'\n');
}

/// Appends a body with no byte a line splitter may split at (see [`push_ndjson_line`]).
pub(crate) fn push_one_line(out: &mut Vec<u8>, body: &[u8]) {
    out.reserve(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        match b {
            b'\n' | b'\r' => out.push(b' '),
            // U+2028 and U+2029: E2 80 A8, E2 80 A9. (Outside a string valid JSON has only
            // ASCII, so these bytes are inside one, where an escape stands for the same
            // character.)
            0xE2 if body.get(i + 1) == Some(&0x80) && matches!(body.get(i + 2), Some(0xA8 | 0xA9)) => {
                out.extend_from_slice(if body[i + 2] == 0xA8 { b"\\u2028" } else { b"\\u2029" });
                i += 3;
                continue;
            }
            // U+0085 (NEL): C2 85.
            0xC2 if body.get(i + 1) == Some(&0x85) => {
                out.extend_from_slice(b"\\u0085");
                i += 2;
                continue;
            }
            _ => out.push(b),
        }
        i += 1;
    }
}

pub fn stats(conn: &Connection) -> Result<Value, ReadError> {
    let mut stmt = conn.prepare_cached("SELECT site, events FROM site_totals")?;
    let mut rows = stmt.query([])?;
    let (mut total, mut by_site) = (0i64, Map::new());
    while let Some(r) = rows.next()? {
        let (site, n): (String, i64) = (r.get(0)?, r.get(1)?);
        if site.is_empty() {
            total = n;
        } else {
            by_site.insert(site, json!(n));
        }
    }
    Ok(json!({"events": total, "bySite": by_site}))
}

/// Every SQL shape the read API can run, with placeholder arguments: for `EXPLAIN QUERY PLAN`
/// in the tests.
pub fn all_shapes() -> Vec<(String, usize)> {
    let opt = |b: bool| if b { Some("x".to_string()) } else { None };
    let mut out = Vec::new();
    let mut add = |q: Q| out.push((q.sql, q.args.len()));
    for bits in 0..8u8 {
        let (a, b, c) = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
        for d in [false, true] {
            for (device, during) in [(false, false), (true, false), (false, true), (true, true)] {
                let f = Filters {
                    site: opt(a),
                    kind: opt(b),
                    path: opt(c),
                    selector: opt(d),
                    tag: None,
                    device: opt(device),
                    during: opt(during),
                };
                let (sql, args) = crate::window::range_sql(&f);
                add(Q { sql, args });
            }
        }
        // The friction series of one device, of one page, or both (and during a moment).
        for (device, during) in [(false, false), (true, false), (false, true), (true, true)] {
            let f = FrictionQ {
                site: opt(a),
                from: 0,
                to: 1,
                kind: opt(b),
                path: opt(c),
                tag: None,
                device: opt(device),
                during: opt(during),
                limit: 1,
            };
            add(friction_rows(&f, 0, 1));
        }
    }
    add(Q { sql: SESSION_BY_KEY_SQL.to_string(), args: vec![Sql::Null; 2] });
    add(Q { sql: crate::window::NEW_ROWS_SQL.to_string(), args: vec![Sql::Null; 2] });
    for q in sessions_shapes(None) {
        add(q);
    }
    for site in [false, true] {
        add(session_by_id_sql(&opt(site)));
        add(journey_sql(&opt(site)));

        add(export_sql(site));
        add(deletions_sql(site));
        // (No filter at all reads the table newest rowid first, stopping at the limit.)
        for event in [false, true] {
            if site || event {
                add(events_sql(site, event));
            }
        }
    }
    for (sql, n) in crate::window::session_shapes().into_iter().chain(crate::window::session_events_shapes()) {
        add(Q { sql, args: vec![Sql::Null; n] });
    }
    for hours in [false, true] {
        for metrics in [Metrics::FrictionTypes, Metrics::One("events"), Metrics::Totals, Metrics::Sampled] {
            add(counts_sql(metrics, hours));
        }
    }
    for grain in [Grain::Minutes, Grain::Hours, Grain::Days] {
        // The pages and the vitals over time, of every page and of one; of a tag too.
        for tagged in [false, true] {
            add(pages_sql(grain, tagged));
            for path in [false, true] {
                add(vitals_sql(grain, path, tagged));
            }
        }
    }
    for grain in [Grain::Minutes, Grain::Hours, Grain::Days] {
        for tagged in [false, true] {
            add(tag_counts_sql(grain, tagged));
        }
    }
    add(Q { sql: SITES_SQL.to_string(), args: vec![] });
    add(Q { sql: EVENT_DEVICE_SQL.to_string(), args: vec![Sql::Null] });
    // A session of automated traffic by its id; a resumed page_leave's earlier ones (ingestion's,
    // and the several tags' pages).
    add(Q { sql: AUTOMATED_SESSION_SQL.to_string(), args: vec![Sql::Null; 2] });
    add(Q { sql: crate::aggregate::EARLIER_LEAVES_SQL.to_string(), args: vec![Sql::Null; 4] });
    for (sql, n) in crate::tagsets::shapes() {
        add(Q { sql, args: vec![Sql::Null; n] });
    }
    out
}

/// Every `/api/sessions` filter combination, with the tag filter `tag` or without: for
/// `all_shapes` and `tag_shapes`.
fn sessions_shapes(tag: Option<Tags>) -> Vec<Q> {
    let opt = |b: bool| if b { Some("x".to_string()) } else { None };
    let mut out = Vec::new();
    for bits in 0..32u8 {
        let q = SessionsQ {
            site: opt(bits & 1 != 0),
            from: 0,
            to: 1,
            friction_only: bits & 2 != 0,
            kind: opt(bits & 4 != 0),
            path: opt(bits & 8 != 0),
            selector: opt(bits & 16 != 0),
            channel: None,
            device: None,
            campaign: None,
            source: None,
            browser: None,
            os: None,
            user: None,
            tag: tag.clone(),
            during: None,
            limit: 1,
        };
        out.push(sessions_sql(&q));
        // (During a moment: the friction rows' partial index, with a device or not.)
        out.push(sessions_sql(&SessionsQ { during: opt(true), ..q.clone() }));
        out.push(sessions_sql(&SessionsQ { during: opt(true), device: opt(true), ..q.clone() }));
        if bits & 28 == 0 {
            for more in 1..128u8 {
                let (channel, device, user) = (opt(more & 1 != 0), opt(more & 2 != 0), opt(more & 4 != 0));
                let (campaign, source) = (opt(more & 8 != 0), opt(more & 16 != 0));
                let (browser, os) = (opt(more & 32 != 0), opt(more & 64 != 0));
                out.push(sessions_sql(&SessionsQ {
                    channel,
                    device,
                    campaign,
                    source,
                    browser,
                    os,
                    user,
                    ..q.clone()
                }));
            }
        }
    }
    out
}

/// Every SQL shape with a tag filter (`tag=`, `/api/tags`), with placeholder arguments: for
/// `EXPLAIN QUERY PLAN` in the tests. Each reads `event_tags` (named `t`) through one of its
/// indexes, never an event's body.
pub fn tag_shapes() -> Vec<(String, usize)> {
    let opt = |b: bool| if b { Some("x".to_string()) } else { None };
    let tag = |k: &str| Tag { key: k.into(), value: "v".into() };
    let mut out = Vec::new();
    let mut add = |q: Q| out.push((q.sql, q.args.len()));
    // One tag, two, and the most a read takes (all must match: the others are looked up by
    // `event_tags`' whole primary key, or `session_tags`').
    let sets: Vec<Tags> =
        [1, 2, MAX_TAGS].iter().filter_map(|&n| Tags::new((0..n).map(|i| tag(&format!("k{i}"))))).collect();
    for tags in &sets {
        for bits in 0..8u8 {
            let site = opt(bits & 1 != 0);
            let f = FrictionQ {
                site: site.clone(),
                from: 0,
                to: 1,
                kind: opt(bits & 2 != 0),
                path: opt(bits & 4 != 0),
                tag: Some(tags.clone()),
                device: None,
                during: None,
                limit: 1,
            };
            add(friction_rows(&f, 0, 1));
            add(friction_rows(&FrictionQ { device: opt(true), ..f.clone() }, 0, 1));
            for selector in [None, opt(true)] {
                for device in [None, opt(true)] {
                    let w = Filters {
                        site: f.site.clone(),
                        kind: f.kind.clone(),
                        path: f.path.clone(),
                        selector: selector.clone(),
                        tag: f.tag.clone(),
                        device,
                        during: None,
                    };
                    let (sql, args) = crate::window::range_sql(&w);
                    add(Q { sql, args });
                }
            }
            if bits < 2 {
                add(tagged_sessions_sql(&site, tags, "COUNT(*)"));
                let (sql, args) = all_tagged_events_sql("t.ts, t.friction, t.event_id", &site, tags.all(), 0, 1);
                add(Q { sql, args });
                if let Some(one) = tags.single() {
                    add(tagged_events_sql(&site, one, 0, 1));
                    add(tags_sql(&site, 0, 1));
                }
            }
        }
        for q in sessions_shapes(Some(tags.clone())) {
            add(q);
        }
    }
    add(Q { sql: crate::window::FRICTION_TAGGED_SQL.to_string(), args: vec![Sql::Null; 4] });
    for (sql, n) in crate::window::tags_shapes() {
        add(Q { sql, args: vec![Sql::Null; n] });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event with only what the aggregates read.
    fn test_event(site: &str, event: &str, session_id: &str, facts: crate::facts::Facts) -> crate::validate::Event {
        let text = crate::validate::EventText { site, event, session_id, ..Default::default() };
        crate::validate::Event::new(text, facts)
    }

    #[test]
    fn timestamps_in_utc_to_the_millisecond() {
        for (given, utc) in [
            ("2026-12-06T05:40:00Z", "2026-12-06T05:40:00.000Z"),
            ("2026-12-06t06:40:00.123456789+01:00", "2026-12-06T05:40:00.123Z"),
            ("2026-12-06T05:40:00.5z", "2026-12-06T05:40:00.500Z"),
            ("2026-12-06T05:40:00-00:00", "2026-12-06T05:40:00.000Z"),
            ("2026-12-31T23:59:60Z", "2027-01-01T00:00:00.000Z"),
            ("2026-12-06T00:10:00+23:59", "2026-12-05T00:11:00.000Z"),
            // A time stored before zones were required was read as UTC.
            ("2026-12-06T05:40:00", "2026-12-06T05:40:00.000Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"),
        ] {
            assert_eq!(timestamp_utc(given).as_deref(), Some(utc), "{given}");
        }
        for none in ["0000-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "yesterday", ""] {
            assert_eq!(timestamp_utc(none), None, "{none}");
        }
    }

    /// An NDJSON line: line breaks between tokens become spaces, U+2028, U+2029 and U+0085
    /// their escapes; every other byte is kept.
    #[test]
    fn an_ndjson_line_has_nothing_a_line_splitter_splits_at() {
        let body = "{\"a\":\"x\u{2028}y\u{2029}z\u{85}w\u{2027}\u{86}\u{c2}\",\r\n\"b\":1}";
        let mut out = Vec::new();
        push_ndjson_line(&mut out, body.as_bytes());
        let want = "{\"a\":\"x\\u2028y\\u2029z\\u0085w\u{2027}\u{86}\u{c2}\",  \"b\":1}\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let (a, b): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(body).unwrap(), serde_json::from_str(want).unwrap());
        assert_eq!(a, b);
        // Cut short at the end: kept as it was.
        let mut out = Vec::new();
        push_one_line(&mut out, b"x\xe2\x80");
        assert_eq!(out, b"x\xe2\x80");
    }

    /// An in-memory store: the `events` table as `events_sql` makes it, and the aggregates.
    fn store(events_sql: &str) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(events_sql).unwrap();
        c.execute_batch(crate::aggregate::SCHEMA).unwrap();
        c.execute_batch(&crate::aggregate::page_schema()).unwrap();
        c
    }

    /// The `events` columns the session and element windows read.
    const EVENTS_WITH_SITE: &str =
        "CREATE TABLE events (id INTEGER PRIMARY KEY, site TEXT, event TEXT, session_id TEXT, body TEXT NOT NULL DEFAULT '{}',
                              timestamp TEXT NOT NULL DEFAULT '', received_at INTEGER NOT NULL DEFAULT 0,
                              sent_at INTEGER);
         CREATE INDEX events_site_id ON events(site, id);
         CREATE INDEX events_session ON events(session_id, id);
         CREATE INDEX events_event_id ON events(event, id);
         CREATE TABLE orders (site TEXT NOT NULL, transaction_id TEXT NOT NULL, event_id INTEGER NOT NULL,
                              PRIMARY KEY (site, transaction_id)) WITHOUT ROWID;";

    /// The second tag of the tests' events that carry two (`exp:x`).
    fn exp() -> Tag {
        Tag { key: "exp".into(), value: "x".into() }
    }

    /// A small deterministic generator (xorshift64): `next(n)` is in `0..n`.
    fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        }
    }

    /// The texts of each of `groups`' rows in `[from, to)` matching `f`, as
    /// [`crate::window::Label`] gives them, from the rows read again.
    fn labels_by_sql(c: &Connection, f: &FrictionQ, from: i64, to: i64, groups: &[Group]) -> Vec<Label> {
        let q = friction_rows(f, from, to);
        let sql = q.sql.replacen(
            "SELECT event, path, selector, session_id, ts",
            "SELECT event, path, selector, id, ts, text",
            1,
        );
        let mut stmt = c.prepare(&sql).unwrap();
        let rows: Vec<(String, String, String, i64, i64, String)> = stmt
            .query_map(params_from_iter(q.args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        groups
            .iter()
            .map(|g| {
                let mine: Vec<_> = rows.iter().filter(|r| (&r.0, &r.1, &r.2) == (&g.0, &g.1, &g.2)).collect();
                let latest = mine.iter().max_by_key(|r| (r.4, r.3)).unwrap();
                let mut counts: HashMap<&str, i64> = HashMap::new();
                for r in mine.iter().filter(|r| !r.5.is_empty()) {
                    *counts.entry(r.5.as_str()).or_default() += 1;
                }
                let mut top: Vec<(String, i64)> = counts.iter().map(|(t, n)| (t.to_string(), *n)).collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.as_bytes().cmp(b.0.as_bytes())));
                top.truncate(crate::window::FEW_TEXTS);
                Label { text: latest.5.clone(), texts: counts.len() as i64, top }
            })
            .collect()
    }

    /// The leaderboard's windows, moved from poll to poll while rows arrive (with times in the
    /// past, the present and the near future), give what regrouping the whole range gives:
    /// counts, distinct sessions, latest times, order and limit, for every filter combination.
    #[test]
    fn windows_match_regrouping_as_rows_arrive_and_ranges_move() {
        let c = store("CREATE TABLE events (id INTEGER PRIMARY KEY, session_id TEXT);");
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        let texts = ["", "a", "ab", "a\u{0}b", "B", "é"];
        let variant = |v: &str| Tags::from(Tag { key: "variant".into(), value: v.into() });
        // A variant and an experiment: the friction events carrying both.
        let both = |v: &str| Tags::new([Tag { key: "variant".into(), value: v.into() }, exp()]);
        // Every filter unset, and each combination below set on it.
        let all = FrictionQ {
            site: None,
            from: 0,
            to: 0,
            kind: None,
            path: None,
            tag: None,
            device: None,
            during: None,
            limit: 0,
        };
        let text = |t: &str| Some(t.to_string());
        let filters = [
            all.clone(),
            FrictionQ { site: text("s1"), ..all.clone() },
            FrictionQ { kind: text("dead_click"), path: text("a"), ..all.clone() },
            // The friction of the events carrying a page tag (their rows of `event_tags`).
            FrictionQ { tag: Some(variant("A")), ..all.clone() },
            FrictionQ { site: text("s1"), kind: text("dead_click"), tag: Some(variant("B")), ..all.clone() },
            // The friction captured on one device class (and without one).
            FrictionQ { device: text("mobile"), ..all.clone() },
            FrictionQ { site: text("s2"), tag: Some(variant("A")), device: text(""), ..all.clone() },
            // The friction events carrying two tags (all of them), and with other filters.
            FrictionQ { tag: both("A"), ..all.clone() },
            FrictionQ { site: text("s1"), kind: text("dead_click"), tag: both("B"), ..all.clone() },
            // The friction during a moment of truth (the partial index), and with other filters.
            FrictionQ { during: text("begin_checkout"), ..all.clone() },
            FrictionQ {
                site: text("s1"),
                kind: text("rage_click"),
                tag: Some(variant("B")),
                device: text("mobile"),
                during: text("purchase"),
                ..all.clone()
            },
        ];
        // One store's windows per filter: more than `MAX_WINDOWS` in one would be rebuilt at
        // every poll, and their moves not tested.
        let kept: Vec<crate::window::Windows> = filters.iter().map(|_| crate::window::Windows::new()).collect();
        let (mut id, mut now, mut compared) = (0i64, 10_000i64, 0);
        for step in 0..300 {
            // A few new rows, mostly around `now`, some older, some a little ahead.
            for _ in 0..next(30) {
                id += 1;
                let ts = match next(10) {
                    0 => now - next(5_000) as i64,
                    1 => now + next(300) as i64,
                    _ => now - next(200) as i64,
                };
                let (site, session) = (["s1", "s2"][next(2) as usize], format!("sess{}", next(25)));
                c.execute(
                    "INSERT INTO friction (id, site, ts, session_id, event, path, selector, during, device, text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?8, ?10)",
                    rusqlite::params![
                        id,
                        site,
                        ts,
                        session,
                        ["rage_click", "dead_click"][next(2) as usize],
                        texts[next(6) as usize],
                        texts[next(3) as usize],
                        ["", "mobile", "desktop"][next(3) as usize],
                        ["", "", "begin_checkout", "purchase"][next(4) as usize],
                        // Element texts: none, or one of a few (rows of one selector with several).
                        ["", "Save A", "Save B", "a", "ab", "a\u{0}b", "B", "é"][next(8) as usize],
                    ],
                )
                .unwrap();
                // A variant on two thirds of them, as an A/B test's pages set it; an experiment
                // on half of them, with it or not.
                let variant = ["A", "B"].get(next(3) as usize).map(|v| ("variant", *v));
                let experiment = (next(2) == 0).then_some(("exp", "x"));
                for (k, v) in variant.into_iter().chain(experiment) {
                    c.execute(
                        "INSERT INTO event_tags (key, value, friction, ts, event_id, site, session_id)
                         VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)",
                        rusqlite::params![k, v, ts, id, site, session],
                    )
                    .unwrap();
                }
            }
            // Time moves on, usually a little; now and then a jump, or a poll with an older `to`.
            now += match next(20) {
                0 => 3_000,
                1 => -50,
                _ => next(60) as i64,
            };
            for (f, windows) in filters.iter().zip(&kept) {
                for (len, limit) in [(1_000i64, 200i64), (1_000, 3), (2_500, 5_000)] {
                    let (from, to) = (now - len, now);
                    let _snapshot = c.unchecked_transaction().unwrap();
                    let upto: i64 = c.query_row("SELECT COALESCE(MAX(id), 0) FROM friction", [], |r| r.get(0)).unwrap();
                    let filters = Filters {
                        site: f.site.clone(),
                        kind: f.kind.clone(),
                        path: f.path.clone(),
                        selector: None,
                        tag: f.tag.clone(),
                        device: f.device.clone(),
                        during: f.during.clone(),
                    };
                    for sessions in [true, false] {
                        let ours = windows.groups(&c, &filters, from, to, upto, limit, sessions).unwrap();
                        let mut want = friction_groups(&c, f, from, to, limit, sessions).unwrap();
                        if !sessions {
                            want.iter_mut().for_each(|g| g.4 = 0);
                        }
                        assert_eq!(ours, want, "step {step}, {from}..{to}, limit {limit}, {:?}", f.site);
                        compared += usize::from(!want.is_empty());
                        if sessions && step % 2 == 0 {
                            // Their texts, as the rows of the range say them (every other poll:
                            // the window keeps them between polls, so a drift shows at the next).
                            let labelled = windows.labelled(&c, &filters, from, to, upto, limit).unwrap();
                            assert_eq!(labelled.iter().map(|(g, _)| g.clone()).collect::<Vec<_>>(), want);
                            let labels: Vec<_> = labelled.into_iter().map(|(_, l)| l).collect();
                            assert_eq!(labels, labels_by_sql(&c, f, from, to, &want), "texts, step {step}");
                        }
                        if !sessions {
                            // The previous period's lookup: every group of the range (and one
                            // that is not there) against the top `limit`.
                            let all = friction_groups(&c, f, from, to, 100_000, false).unwrap();
                            let mut keys: Vec<[&[u8]; 3]> =
                                all.iter().map(|g| [g.0.as_bytes(), g.1.as_bytes(), g.2.as_bytes()]).collect();
                            keys.push([b"nope", b"", b""]);
                            let top: HashMap<(&str, &str, &str), i64> =
                                want.iter().map(|g| ((g.0.as_str(), g.1.as_str(), g.2.as_str()), g.3)).collect();
                            let expected: Vec<i64> = keys
                                .iter()
                                .map(|k| {
                                    let s = |b: &[u8]| std::str::from_utf8(b).unwrap().to_string();
                                    top.get(&(s(k[0]).as_str(), s(k[1]).as_str(), s(k[2]).as_str()))
                                        .copied()
                                        .unwrap_or(0)
                                })
                                .collect();
                            let got = windows.counts_in_top(&c, &filters, from, to, upto, limit, &keys).unwrap();
                            assert_eq!(got, expected, "previous counts, step {step}, limit {limit}");
                        }
                    }
                }
            }
        }
        assert!(compared > 1_000, "{compared}");
    }

    /// `hour_counts`, kept by the writer, holds the sums of `minute_counts` per hour; and the
    /// counts read through whole hours are those read minute by minute, for ranges that start
    /// and end anywhere, per bucket of an hour or more and in total.
    #[test]
    fn hours_are_the_sums_of_minutes_for_charts_and_totals() {
        use crate::facts::{Category, Facts};
        use crate::validate::Event;
        let c = store("CREATE TABLE events (id INTEGER PRIMARY KEY, session_id TEXT);");
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let base = 1_700_000_000_000i64;
        let mut id = 0;
        for _ in 0..40 {
            let events: Vec<Event> = (0..50)
                .map(|_| {
                    test_event(
                        ["s1", "s2"][next(2) as usize],
                        ["click", "rage_click", "dead_click"][next(3) as usize],
                        &format!("sess{}", next(30)),
                        Facts {
                            ts_ms: base + next(3 * 86_400_000) as i64,
                            category: if next(3) == 0 { Category::Friction } else { Category::Touchpoint },
                            ..Default::default()
                        },
                    )
                })
                .collect();
            let rows: Vec<(i64, &Event)> = events
                .iter()
                .map(|e| {
                    id += 1;
                    (id, e)
                })
                .collect();
            crate::aggregate::apply(&c, &rows, base + 4 * 86_400_000).unwrap();
        }
        let table = |sql: &str| -> Vec<(String, i64, String, i64)> {
            let mut stmt = c.prepare(sql).unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let kept = table("SELECT site, hour, metric, n FROM hour_counts ORDER BY 1, 2, 3");
        assert!(kept.len() > 100, "{}", kept.len());
        assert_eq!(
            kept,
            table("SELECT site, minute / 60, metric, SUM(n) FROM minute_counts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
        );
        let m = base / 60_000;
        for _ in 0..300 {
            let m0 = m - 100 + next(3 * 1440) as i64;
            let m1 = m0 + 1 + next(1500) as i64;
            let b = [60, 360, 1440][next(3) as usize];
            let site = [None, Some("s1".to_string())][next(2) as usize].clone();
            for metrics in [Metrics::FrictionTypes, Metrics::One("events"), Metrics::Totals] {
                let first = m0.div_euclid(b) * b;
                let read = |hours: bool| {
                    let mut sums: std::collections::BTreeMap<(i64, String), i64> = Default::default();
                    counts(&c, &site, metrics, first, m1, hours, |minute, metric, n| {
                        *sums.entry(((minute - first) / b, metric.to_string())).or_default() += n;
                    })
                    .unwrap();
                    sums
                };
                assert_eq!(read(true), read(false), "{m0}..{m1} by {b}");
            }
        }
    }

    /// The session windows, moved from poll to poll while events arrive (sessions growing at
    /// both ends, out of order, new ones, old ones coming back), count what the SQL over the
    /// `sessions` table counts: sessions, with friction, average score, and the funnel.
    /// Stores `events` as rows of `events` with the next ids (only the columns the windows
    /// read back), for `aggregate::apply`.
    fn insert_events<'e>(
        c: &Connection,
        events: &'e [crate::validate::Event],
        id: &mut i64,
    ) -> Vec<(i64, &'e crate::validate::Event)> {
        events
            .iter()
            .map(|e| {
                *id += 1;
                // A purchase's value and currency (one in five without a value, some in a currency
                // that is no code), for the channels' revenue; its order.
                let order = format!("T{}", *id);
                let (name, body) = match (e.event(), *id % 5) {
                    ("purchase", 0) => {
                        ("purchase", json!({"properties": {"currency": "EUR", "transaction_id": order}}))
                    }
                    ("purchase", n) => {
                        let currency = ["EUR", "usd", "€"][*id as usize % 3];
                        let p = json!({"value": n as f64 * 10.1, "currency": currency, "transaction_id": order});
                        ("purchase", json!({ "properties": p }))
                    }
                    // A quarter of the clicks stored as refunds (neither counts in the sessions'
                    // figures): of an amount, of a whole order (a purchase's, or none), of text.
                    ("click", _) if *id % 4 == 0 => {
                        let p = match *id % 3 {
                            0 => json!({"value": 5.5, "currency": "EUR"}),
                            1 => json!({"transaction_id": format!("T{}", *id - 1 - *id % 7)}),
                            _ => json!({"value": "3,00", "currency": "EUR"}),
                        };
                        ("refund", json!({ "properties": p }))
                    }
                    (name, _) => (name, json!({})),
                };
                let ts = e.facts.ts_ms;
                c.execute(
                    "INSERT INTO events (id, site, event, session_id, body, timestamp, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    rusqlite::params![*id, e.site(), name, e.session_id(), body.to_string(), format_iso_millis(ts), ts],
                )
                .unwrap();
                if name == "purchase" {
                    c.execute(
                        "INSERT INTO orders (site, transaction_id, event_id) VALUES (?1, ?2, ?3)",
                        rusqlite::params![e.site(), order, *id],
                    )
                    .unwrap();
                }
                (*id, e)
            })
            .collect()
    }

    #[test]
    fn session_windows_match_sql_as_events_arrive_and_ranges_move() {
        use crate::facts::{Category, Facts};
        use crate::validate::Event;
        let c = store(EVENTS_WITH_SITE);
        let mut next = xorshift(0x51_7cc1_b727_220au64);
        // With the writer's log of touched sessions, as the store keeps it; now and then a
        // commit is missing from it (as when a poll's snapshot is newer than the log), so both
        // ways of finding the touched sessions are compared.
        let feed = std::sync::Arc::new(crate::window::Feed::default());
        let kept = Kept::with_feed(feed.clone());
        let steps_sets: [Vec<String>; 2] =
            [DEFAULT_MOMENTS.iter().map(|s| s.to_string()).collect(), vec!["begin_checkout".into(), "purchase".into()]];
        let (mut id, mut now, mut compared, mut channels_seen, mut tagged_seen) = (0i64, 1_000_000i64, 0, 0, 0);
        let (mut device_seen, mut vitals_seen, mut visitors_seen, mut revenue_seen, mut by_tag_seen) = (0, 0, 0, 0, 0);
        for step in 0..250 {
            let events: Vec<Event> = (0..next(25))
                .map(|_| {
                    let ts = match next(10) {
                        0 => now - next(20_000) as i64,
                        1 => now + next(500) as i64,
                        _ => now - next(300) as i64,
                    };
                    let friction = next(4) == 0;
                    let name = if friction {
                        "rage_click"
                    } else {
                        ["click", "add_to_cart", "begin_checkout", "purchase", "page_leave"][next(5) as usize]
                    };
                    // Half the events of 60 sessions that last the whole test, half of sessions
                    // that follow each other (10 at a time, for about 50 steps each).
                    let sliding = next(2) == 0;
                    let session = if sliding { 100 + step as u64 / 5 + next(10) } else { next(60) };
                    // The browser's id: 25 visitors across the 60 long sessions of each site, 13
                    // across the others (each back some 65 steps later, after its session before
                    // left the shorter range); a fifth of the sessions without (no marketing
                    // consent), and some events of the others without one or with another's
                    // (consent given, or withdrawn and given again, during the session).
                    let anonymous_id = match (session % 5, next(10)) {
                        (0, _) | (_, 0) => String::new(),
                        (_, 1) => format!("v{}", next(25)),
                        _ if sliding => format!("w{}", session % 13),
                        _ => format!("v{}", session % 25),
                    };
                    // Any rating of each vital (page_leave events count them; other events
                    // carrying them, none).
                    let mut rating = || {
                        use crate::facts::Rating::*;
                        [NotMeasured, Good, NeedsImprovement, Poor][next(4) as usize]
                    };
                    let vitals = crate::facts::Vitals { lcp: rating(), cls: rating(), inp: rating() };
                    test_event(
                        ["s1", "s2"][next(2) as usize],
                        name,
                        &format!("sess{session}"),
                        Facts {
                            ts_ms: ts,
                            anonymous_id,
                            category: if friction { Category::Friction } else { Category::Touchpoint },
                            moment: !friction && name != "click" && name != "page_leave",
                            vitals,
                            // Some events without attribution, as from another sender.
                            channel: ["", "email", "paid_search", "direct"][next(4) as usize].into(),
                            device: ["", "mobile", "desktop"][next(3) as usize].into(),
                            // (Kept with the channel, as the SDK sends them together.)
                            campaign: ["", "spring", "brand"][next(3) as usize].into(),
                            source: ["", "google", "news"][next(3) as usize].into(),
                            medium: ["", "cpc", "email"][next(3) as usize].into(),
                            // Some events of no known browser (no header, or stored before them).
                            browser: ["", "Chrome 131", "Safari 17"][next(3) as usize].into(),
                            os: ["", "Android", "iOS"][next(3) as usize].into(),
                            // A variant on a few events (a session carries it from its first),
                            // and an experiment on a few others, with it or not.
                            tags: ["A", "B"]
                                .get(next(12) as usize)
                                .map(|v| crate::facts::Tag { key: "variant".into(), value: v.to_string(), real: false })
                                .into_iter()
                                .chain((next(8) == 0).then(|| crate::facts::Tag {
                                    key: "exp".into(),
                                    value: "x".into(),
                                    real: false,
                                }))
                                .collect(),
                            ..Default::default()
                        },
                    )
                })
                .collect();
            let rows = insert_events(&c, &events, &mut id);
            crate::aggregate::apply(&c, &rows, now).unwrap();
            if !rows.is_empty() && step % 7 != 3 {
                let mut keys: Vec<(String, String)> =
                    events.iter().map(|e| (e.session_id().to_string(), e.site().to_string())).collect();
                keys.sort();
                keys.dedup();
                feed.push(rows[0].0, id, keys);
            }
            now += match next(20) {
                0 => 10_000,
                1 => -100,
                _ => next(200) as i64,
            };
            // What the SQL says the session totals are (the kept windows must agree).
            let totals_of = |q: &Q| {
                c.query_row(&q.sql, params_from_iter(q.args.iter()), |r| {
                    Ok(crate::window::SessionTotals {
                        sessions: r.get(0)?,
                        with_friction: r.get(1)?,
                        average_score: r.get(2)?,
                        visitors: r.get(3)?,
                        returning_visitors: r.get(4)?,
                    })
                })
                .unwrap()
            };
            for site in [None, Some("s1".to_string())] {
                for len in [2_000i64, 15_000] {
                    let (from, to) = (now - len, now);
                    let _snapshot = c.unchecked_transaction().unwrap();
                    let (upto, _) = snapshot_ids(&c).unwrap();
                    let ours = kept.sessions.totals(&c, &site, from, to, upto, Narrow::default()).unwrap();
                    let want = totals_of(&session_totals_sql(&site, from, to));
                    assert_eq!(ours, want, "step {step}, {from}..{to}, {site:?}");
                    // Some visitors returning and some not, some sessions without an id.
                    visitors_seen += usize::from(
                        0 < want.returning_visitors
                            && want.returning_visitors < want.visitors
                            && want.visitors < want.sessions,
                    );
                    // The sessions of one device class (and those without one), alone and with a tag.
                    for device in ["mobile", ""] {
                        let mut q = session_totals_sql(&site, from, to);
                        q.push(" AND device = ?", device.to_string());
                        let want = totals_of(&q);
                        let n = Narrow { tag: None, device: Some(device), moment: None };
                        assert_eq!(kept.sessions.totals(&c, &site, from, to, upto, n).unwrap(), want, "{device}");
                        let tag = Tags::from(Tag { key: "variant".into(), value: "A".into() });
                        let columns = format!(
                            "COUNT(*), COUNT(*) FILTER (WHERE s.friction > 0), AVG(s.score), {}",
                            visitor_columns(&site, to)
                        );
                        let mut q = tagged_sessions_sql(&site, &tag, &columns);
                        set_session_range(&mut q, &site, from, to);
                        q.push(" AND s.device = ?", device.to_string());
                        let n = Narrow { tag: Some(&tag), device: Some(device), moment: None };
                        assert_eq!(kept.sessions.totals(&c, &site, from, to, upto, n).unwrap(), totals_of(&q));
                        device_seen += usize::from(want.sessions > 0 && want.sessions < ours.sessions);
                    }
                    assert_eq!(ours.sessions, count(&c, &sessions_in_range(&site, from, to, false)).unwrap());
                    // The sessions carrying a tag (the tag leaderboard's share), remembered per
                    // session until it is stored to.
                    // (And the sessions that carried both a variant and the experiment, each
                    // on any of their events.)
                    let sets = ["A", "B", "C"].into_iter().flat_map(|value| {
                        let tag = Tag { key: "variant".into(), value: value.into() };
                        [Tags::from(tag.clone()), Tags::new([tag, exp()]).unwrap()]
                    });
                    for tag in sets {
                        let value = format!("{tag:?}");
                        let tagged = kept.sessions.tagged(&c, &site, (from, to), upto, &tag).unwrap();
                        let want = tagged_session_count(&c, &site, &tag, from, to).unwrap();
                        assert_eq!(tagged, want, "tagged {value}, step {step}, {from}..{to}, {site:?}");
                        tagged_seen += usize::from(want > 0 && want < ours.sessions);
                        // The overview's and the channels' figures of those sessions.
                        let columns = format!(
                            "COUNT(*), COUNT(*) FILTER (WHERE s.friction > 0), AVG(s.score), {}",
                            visitor_columns(&site, to)
                        );
                        let mut q = tagged_sessions_sql(&site, &tag, &columns);
                        set_session_range(&mut q, &site, from, to);
                        let want = totals_of(&q);
                        let n = Narrow { tag: Some(&tag), device: None, moment: None };
                        assert_eq!(kept.sessions.totals(&c, &site, from, to, upto, n).unwrap(), want);
                        let channels = kept
                            .sessions
                            .channels(&c, &site, (from, to), upto, "purchase", n, (Segment::Channel, false))
                            .unwrap();
                        let mut q = tagged_sessions_sql(&site, &tag, "s.channel, COUNT(*), SUM(s.friction)");
                        set_session_range(&mut q, &site, from, to);
                        q.text(" GROUP BY s.channel ORDER BY s.channel");
                        let mut stmt = c.prepare(&q.sql).unwrap();
                        let want: Vec<(String, i64, i64)> = stmt
                            .query_map(params_from_iter(q.args.iter()), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                            .unwrap()
                            .collect::<Result<_, _>>()
                            .unwrap();
                        let ours: Vec<(String, i64, i64)> =
                            channels.into_iter().map(|c| (c.channel, c.sessions, c.friction)).collect();
                        assert_eq!(ours, want, "tagged channels {value}, step {step}");
                    }
                    // The sessions by the values of a tag key: each session under each value it
                    // carried, '' when none (also of the sessions carrying another tag).
                    for (key, narrow) in [("variant", None), ("exp", None), ("variant", Some(exp()))] {
                        let narrow = narrow.map(Tags::from);
                        let n = Narrow { tag: narrow.as_ref(), device: None, moment: None };
                        let ours: Vec<(String, i64, i64, i64, i64)> = kept
                            .sessions
                            .channels_by_tag(&c, &site, (from, to), upto, "purchase", n, (key, false))
                            .unwrap()
                            .into_iter()
                            .map(|c| (c.channel, c.sessions, c.with_friction, c.score_sum, c.converted))
                            .collect();
                        let mut q = Q::new(
                            "SELECT COALESCE(v.value, ''), COUNT(*), COUNT(*) FILTER (WHERE s.friction > 0), SUM(s.score),
                                    COUNT(*) FILTER (WHERE instr(s.moments, '\"purchase\"') > 0)
                               FROM sessions AS s LEFT JOIN session_tags AS v
                                 ON v.session_id = s.session_id AND v.site = s.site AND v.key = ?
                              WHERE ",
                        );
                        q.args.push(Sql::Text(key.into()));
                        if let Some(s) = &site {
                            q.push("s.site = ? AND ", s.clone());
                        }
                        q.push("s.last_ts >= ?", from).push(" AND s.first_ts < ?", to);
                        if let Some(t) = &narrow {
                            q.session_tag(t);
                        }
                        q.text(" GROUP BY 1 ORDER BY 1");
                        let mut stmt = c.prepare(&q.sql).unwrap();
                        let want: Vec<(String, i64, i64, i64, i64)> = stmt
                            .query_map(params_from_iter(q.args.iter()), |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                            })
                            .unwrap()
                            .collect::<Result<_, _>>()
                            .unwrap();
                        assert_eq!(ours, want, "by tag {key} {narrow:?}, step {step}, {from}..{to}, {site:?}");
                        by_tag_seen += usize::from(want.len() > 2);
                    }
                    for steps in &steps_sets {
                        let ours = kept.sessions.funnel(&c, &site, from, to, upto, steps, Narrow::default()).unwrap();
                        let mut q = funnel_sql(&site);
                        let n = q.args.len();
                        q.args[n - 2] = Sql::Integer(from);
                        q.args[n - 1] = Sql::Integer(to);
                        let mut stmt = c.prepare(&q.sql).unwrap();
                        let mut rows = stmt.query(params_from_iter(q.args.iter())).unwrap();
                        let (mut sessions, mut reached) = (0i64, vec![0i64; steps.len()]);
                        while let Some(r) = rows.next().unwrap() {
                            sessions += 1;
                            let moments: Vec<String> = serde_json::from_str(&r.get::<_, String>(0).unwrap()).unwrap();
                            let mut k = 0;
                            for m in &moments {
                                if k < steps.len() && *m == steps[k] {
                                    k += 1;
                                }
                            }
                            reached.iter_mut().take(k).for_each(|x| *x += 1);
                        }
                        assert_eq!(ours, (sessions, reached), "funnel, step {step}, {from}..{to}, {site:?}");
                    }
                    // Channels and devices: the kept window against a GROUP BY of the sessions table.
                    for (by, column) in [
                        (Segment::Channel, "channel"),
                        (Segment::Device, "device"),
                        (Segment::Campaign, "campaign"),
                        (Segment::Source, crate::aggregate::SOURCE_MEDIUM_SQL),
                        (Segment::Browser, "browser"),
                        (Segment::Os, "os"),
                    ] {
                        let ours_ch = kept
                            .sessions
                            .channels(&c, &site, (from, to), upto, "purchase", Narrow::default(), (by, true))
                            .unwrap();
                        let vitals: Vec<String> =
                            crate::aggregate::VITAL_COLUMNS.iter().map(|c| format!("SUM({c})")).collect();
                        let mut q = Q::new(&format!(
                        "SELECT {column}, COUNT(*), COUNT(*) FILTER (WHERE friction > 0), SUM(friction), SUM(score),
                                COUNT(*) FILTER (WHERE instr(moments, '\"purchase\"') > 0), {}
                           FROM sessions AS s WHERE ",
                        vitals.join(", ")
                    ));
                        if let Some(s) = &site {
                            q.push("site = ? AND ", s.clone());
                        }
                        q.push("last_ts >= ?", from)
                            .push(" AND first_ts < ?", to)
                            .text(&format!(" GROUP BY {column} ORDER BY {column}"));
                        let mut stmt = c.prepare(&q.sql).unwrap();
                        let want_ch: Vec<crate::window::ChannelTotals> = stmt
                            .query_map(params_from_iter(q.args.iter()), |r| {
                                Ok(crate::window::ChannelTotals {
                                    channel: r.get(0)?,
                                    sessions: r.get(1)?,
                                    with_friction: r.get(2)?,
                                    friction: r.get(3)?,
                                    score_sum: r.get(4)?,
                                    converted: r.get(5)?,
                                    vitals: crate::aggregate::read_vital_counts(r, 6)?,
                                    revenue: Default::default(),
                                })
                            })
                            .unwrap()
                            .collect::<Result<_, _>>()
                            .unwrap();
                        // Their purchases and refunds whose time is in the range, from the bodies:
                        // values as doubles, the currency as given, a full refund's amount from its
                        // order's purchase.
                        let mut want_ch = want_ch;
                        let mut q = Q::new(&format!(
                            "SELECT {column}, e.event, e.body,
                                    (SELECT p.body FROM orders AS o JOIN events AS p ON p.id = o.event_id
                                      WHERE o.site = e.site
                                        AND o.transaction_id = json_extract(e.body, '$.properties.transaction_id'))
                               FROM sessions AS s JOIN events AS e ON e.session_id = s.session_id AND e.site = s.site
                              WHERE e.event IN ('purchase', 'refund') AND "
                        ));
                        if let Some(s) = &site {
                            q.push("s.site = ? AND ", s.clone());
                        }
                        q.push("s.last_ts >= ?", from)
                            .push(" AND s.first_ts < ?", to)
                            .push(" AND e.received_at >= ?", from)
                            .push(" AND e.received_at < ?", to);
                        let mut stmt = c.prepare(&q.sql).unwrap();
                        let mut rows = stmt.query(params_from_iter(q.args.iter())).unwrap();
                        let amount = |body: &Value| -> Option<(String, i128)> {
                            let p = &body["properties"];
                            let v = p["value"].as_f64()?;
                            Some((p["currency"].as_str().unwrap().to_uppercase(), (v * 1e6).round() as i128))
                        };
                        while let Some(r) = rows.next().unwrap() {
                            let name: String = r.get(0).unwrap();
                            let row = &mut want_ch.iter_mut().find(|c| c.channel == name).unwrap().revenue;
                            let body: Value = serde_json::from_str(&r.get::<_, String>(2).unwrap()).unwrap();
                            if r.get::<_, String>(1).unwrap() == "purchase" {
                                row.purchases += 1;
                                match amount(&body) {
                                    None => row.unvalued += 1,
                                    Some((c, v)) if c != "€" => *row.by_currency.entry(c).or_default() += v,
                                    Some((c, v)) => *row.unknown_currency.entry(c).or_default() += v,
                                }
                            } else {
                                row.refunds += 1;
                                let order = r.get::<_, Option<String>>(3).unwrap();
                                let order = order.map(|o| serde_json::from_str::<Value>(&o).unwrap());
                                let full = body["properties"].get("value").is_none();
                                match (full, order) {
                                    (true, Some(o)) => match amount(&o) {
                                        Some((c, v)) if c != "€" => *row.refunded.entry(c).or_default() += v,
                                        _ => row.refunds_unvalued += 1,
                                    },
                                    (true, None) => row.refunds_unvalued += 1,
                                    (false, _) => match amount(&body) {
                                        Some((c, v)) => *row.refunded.entry(c).or_default() += v,
                                        None => row.refunds_unvalued += 1,
                                    },
                                }
                            }
                            revenue_seen += 1;
                        }
                        assert_eq!(ours_ch, want_ch, "{column}, step {step}, {from}..{to}, {site:?}");
                        channels_seen += usize::from(want_ch.len() > 1);
                        // (Rows with every kind of count: a vital measured, good and poor.)
                        vitals_seen += usize::from(want_ch.iter().any(|c| c.vitals.iter().all(|&n| n > 0)));
                    }
                    compared += usize::from(want.sessions > 0);
                }
            }
        }
        assert!(compared > 500, "{compared}");
        assert!(channels_seen > 600, "{channels_seen}");
        assert!(tagged_seen > 300, "{tagged_seen}");
        assert!(device_seen > 300, "{device_seen}");
        assert!(visitors_seen > 300, "{visitors_seen}");
        assert!(vitals_seen > 1000, "{vitals_seen}");
        assert!(revenue_seen > 1000, "{revenue_seen}");
        assert!(by_tag_seen > 300, "{by_tag_seen}");
    }

    /// The leaderboard's click-through (sessions where a friction happened), kept from poll to
    /// poll, lists what the SQL join lists, in the same order, ties of the latest time included.
    #[test]
    fn element_windows_match_sql_as_events_arrive_and_ranges_move() {
        use crate::facts::{Category, Facts};
        use crate::validate::Event;
        let c = store(EVENTS_WITH_SITE);
        let mut next = xorshift(0x1234_5678_9abc_def1u64);
        let kept = Kept::new();
        let (mut id, mut now, mut compared) = (0i64, 1_000_000i64, 0);
        for step in 0..250 {
            let events: Vec<Event> = (0..next(30))
                .map(|_| {
                    // Coarse times: many sessions share their latest time.
                    let ts = (match next(10) {
                        0 => now - next(20_000) as i64,
                        1 => now + next(500) as i64,
                        _ => now - next(300) as i64,
                    }) / 50
                        * 50;
                    let friction = next(2) == 0;
                    test_event(
                        ["s1", "s2"][next(2) as usize],
                        if friction { ["rage_click", "dead_click"][next(2) as usize] } else { "click" },
                        &format!("sess{}", next(80)),
                        Facts {
                            ts_ms: ts,
                            category: if friction { Category::Friction } else { Category::Touchpoint },
                            path: ["/a", "/b"][next(2) as usize].into(),
                            selector: ["#x", "#y", ""][next(3) as usize].into(),
                            during: ["", "begin_checkout"][next(2) as usize].into(),
                            // A variant on two thirds of them, as an A/B test's pages set it;
                            // an experiment on half, with it or not.
                            tags: ["A", "B"]
                                .get(next(3) as usize)
                                .map(|v| crate::facts::Tag { key: "variant".into(), value: v.to_string(), real: false })
                                .into_iter()
                                .chain((next(2) == 0).then(|| crate::facts::Tag {
                                    key: "exp".into(),
                                    value: "x".into(),
                                    real: false,
                                }))
                                .collect(),
                            ..Default::default()
                        },
                    )
                })
                .collect();
            let rows = insert_events(&c, &events, &mut id);
            crate::aggregate::apply(&c, &rows, now).unwrap();
            now += match next(20) {
                0 => 10_000,
                1 => -100,
                _ => next(200) as i64,
            };
            let opt = |s: &str| Some(s.to_string());
            let variant = |v: &str| Some(Tags::from(Tag { key: "variant".into(), value: v.into() }));
            let both = |v: &str| Tags::new([Tag { key: "variant".into(), value: v.into() }, exp()]);
            for (site, kind, path, selector, limit, tag, during) in [
                (None, opt("rage_click"), None, opt("#x"), 50, None, None),
                (None, None, None, opt("#y"), 5, None, None),
                (opt("s1"), opt("dead_click"), opt("/a"), opt(""), 50, None, None),
                (None, None, opt("/b"), None, 3, None, None),
                (None, opt("rage_click"), None, opt("#x"), 50, variant("A"), None),
                (opt("s2"), None, opt("/a"), None, 4, variant("B"), None),
                (None, opt("rage_click"), None, opt("#x"), 50, both("A"), None),
                (opt("s2"), None, None, None, 4, both("B"), None),
                // Sessions with friction during checkout (of one element, or any).
                (None, None, None, None, 50, None, opt("begin_checkout")),
                (opt("s1"), opt("rage_click"), None, opt("#x"), 4, None, opt("begin_checkout")),
            ] {
                for len in [2_000i64, 15_000] {
                    let q = SessionsQ {
                        site: site.clone(),
                        from: now - len,
                        to: now,
                        friction_only: false,
                        kind: kind.clone(),
                        path: path.clone(),
                        selector: selector.clone(),
                        channel: None,
                        device: None,
                        campaign: None,
                        source: None,
                        browser: None,
                        os: None,
                        user: None,
                        tag: tag.clone(),
                        during: during.clone(),
                        limit,
                    };
                    let ours = sessions(&c, &kept, &q).unwrap();
                    let s = sessions_sql(&q);
                    let mut stmt = c.prepare(&s.sql).unwrap();
                    let want: Vec<Value> = stmt
                        .query_map(params_from_iter(s.args.iter()), session_row)
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    assert_eq!(ours["sessions"], json!(want), "step {step}, {q:?}", q = (&q.site, &q.kind, q.from));
                    compared += usize::from(want.len() > 1);
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    /// `/api/tags` (the tag count tables, and the sessions from the session window kept from poll
    /// to poll) gives what counting the whole range's tag rows gives (events, friction, distinct
    /// sessions, order, limit), per site and for all, as events arrive (in the past, the present,
    /// the near future, without a time) and the range moves; and so do one tag's totals.
    #[test]
    fn tags_match_counting_as_events_arrive_and_ranges_move() {
        use crate::facts::{Category, Facts, Tag as PageTag};
        use crate::validate::{Event, EventText};
        let c = store(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, site TEXT, event TEXT, session_id TEXT,
                                  timestamp TEXT, received_at INTEGER, sent_at INTEGER);
             CREATE INDEX events_site_id ON events(site, id);",
        );
        let mut next = xorshift(0x0bad_5eed_1234_5678u64);
        let kept = Kept::new();
        let tag = |key: &str, value: &str| PageTag { key: key.into(), value: value.into(), real: false };
        let (mut id, mut now, mut compared) = (0i64, 1_700_000_000_000i64, 0);
        for step in 0..250 {
            let stamps: Vec<(String, i64)> = (0..next(30))
                .map(|_| {
                    let ts = match next(12) {
                        0 => now - next(20_000) as i64,
                        1 => now + next(500) as i64,
                        2 => 0,
                        _ => now - next(300) as i64,
                    };
                    (if ts == 0 { "unknown".to_string() } else { format_iso_millis(ts) }, ts)
                })
                .collect();
            let events: Vec<Event> = stamps
                .iter()
                .map(|(timestamp, ts)| {
                    let friction = next(3) == 0;
                    let mut tags: Vec<PageTag> = Vec::new();
                    if let Some(v) = ["A", "B"].get(next(3) as usize) {
                        tags.push(tag("variant", v));
                    }
                    if next(2) == 0 {
                        tags.push(tag("tier", &next(4).to_string()));
                    }
                    let (site, session) = (["s1", "s2"][next(2) as usize], format!("sess{}", next(60)));
                    let text = EventText {
                        site,
                        event: if friction { "rage_click" } else { "click" },
                        session_id: &session,
                        timestamp,
                        ..Default::default()
                    };
                    let facts = Facts {
                        ts_ms: *ts,
                        category: if friction { Category::Friction } else { Category::Touchpoint },
                        tags,
                        ..Default::default()
                    };
                    Event::new(text, facts)
                })
                .collect();
            let rows: Vec<(i64, &Event)> = events
                .iter()
                .map(|e| {
                    id += 1;
                    c.execute(
                        "INSERT INTO events (id, site, event, session_id, timestamp, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        rusqlite::params![id, e.site(), e.event(), e.session_id(), e.timestamp(), now],
                    )
                    .unwrap();
                    (id, e)
                })
                .collect();
            crate::aggregate::apply(&c, &rows, now).unwrap();
            now += match next(20) {
                0 => 10_000,
                1 => -100,
                _ => next(200) as i64,
            };
            for site in [None, Some("s2".to_string())] {
                // Ranges inside a minute or two, of many minutes and of days (whole days, hours
                // and minutes from the tag count tables, the milliseconds at the ends from the
                // tag rows), some ending before `now` (sessions crossing their end).
                for (len, end, limit) in [
                    (2_000i64, 0i64, 50usize),
                    (15_000, 0, 3),
                    (5_400_123, 0, 50),
                    (2 * 86_400_000 + 61_001, 7_777, 50),
                ] {
                    let (from, to) = (now - end - len, now - end);
                    let ours = tags(&c, &kept, &site, from, to, limit).unwrap();
                    let want = tags_regrouped(&c, &site, from, to, limit).unwrap();
                    assert_eq!(ours, want, "step {step}, {site:?}, {len}");
                    // One tag's events and friction events (the overview's with `tag`).
                    for (key, value) in [("variant", "A"), ("tier", "2")] {
                        let tag = Tag { key: key.into(), value: value.into() };
                        let ours = tag_totals(&c, &site, None, Some(&tag), (from, to)).unwrap();
                        let ours = ours.get(&(tag.key.clone(), tag.value.clone())).copied().unwrap_or_default();
                        let q = tagged_totals_sql(&site, &tag, from, to);
                        let want: (i64, i64) = c
                            .query_row(&q.sql, params_from_iter(q.args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))
                            .unwrap();
                        assert_eq!(ours, want, "{key}:{value}, step {step}, {site:?}, {len}");
                    }
                    compared += usize::from(want["tags"].as_array().unwrap().len() > 1);
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    /// The parts of a range cover each of its minutes once, whole days and hours where they fit,
    /// never coarser than asked.
    #[test]
    fn bucket_counts_are_those_timeseries_makes() {
        // 1,500 minutes on minute boundaries: 1,500 buckets, allowed (it was refused as 1,501).
        assert_eq!(bucket_minutes("minute", 0, 89_940_001).ok(), Some(1));
        assert_eq!(bucket_minutes("minute", 0, 90_000_000).ok(), Some(1));
        assert!(bucket_minutes("minute", 0, 90_000_001).is_err());
        // Off the boundaries: one bucket more for the same length.
        assert!(bucket_minutes("minute", 30_000, 90_000_001).is_err());
        assert_eq!(bucket_minutes("hour", 0, 1_500 * 3_600_000).ok(), Some(60));
        assert!(bucket_minutes("hour", 1, 1_500 * 3_600_000 + 1).is_err());
    }

    #[test]
    fn range_parts_tile_the_range() {
        let mut next = xorshift(7);
        for case in 0..3000 {
            let m0 = (next(10_000) as i64) - 3_000;
            let m1 = m0 + 1 + next(if case % 2 == 0 { 200 } else { 12_000 }) as i64;
            let coarsest = [Grain::Days, Grain::Hours, Grain::Minutes][case % 3];
            let parts = range_parts(m0, m1, coarsest);
            let mut minutes: Vec<i64> = Vec::new();
            for &(grain, lo, hi) in &parts {
                assert!(lo < hi, "{m0} {m1}: an empty part");
                assert!(grain as usize <= coarsest as usize, "{m0}..{m1}: {parts:?} coarser than {coarsest:?}");
                minutes.extend(lo * grain.minutes()..hi * grain.minutes());
            }
            minutes.sort_unstable();
            assert_eq!(minutes, (m0..m1).collect::<Vec<_>>(), "{m0}..{m1}: {parts:?}");
            let minute_parts = parts.iter().filter(|p| p.0 == Grain::Minutes).map(|p| p.2 - p.1).sum::<i64>();
            if coarsest != Grain::Minutes {
                assert!(minute_parts < 120, "{m0}..{m1}: at most 59 minutes at either end");
            }
        }
        assert_eq!(range_parts(0, 2880, Grain::Days), [(Grain::Days, 0, 2)]);
        assert_eq!(range_parts(0, 2880, Grain::Hours), [(Grain::Hours, 0, 48)]);
        assert_eq!(range_parts(0, 2880, Grain::Minutes), [(Grain::Minutes, 0, 2880)]);
        assert_eq!(range_parts(5, 5, Grain::Hours), []);
    }

    /// The vitals over time, read through days and hours where the bucket allows, are the sums
    /// of `page_minutes` per bucket: for every bucket size, ranges that start and end anywhere
    /// (the first bucket from a multiple of the bucket, as the series starts, holding the
    /// minutes from the range's start only), one key or two,
    /// every page or one; and of a tag, those of `tag_page_minutes` (written by the same
    /// `write_pages`, with two tags and the untagged rows around).
    #[test]
    fn vitals_series_are_the_sums_of_minutes_per_bucket() {
        let c = store("CREATE TABLE events (id INTEGER PRIMARY KEY, session_id TEXT);");
        let mut next = xorshift(0x51ed_2701_a3c4_9b1fu64);
        let base = 1_700_000_000_000i64 / 60_000;
        let keys = ["s1".to_string(), crate::aggregate::device_site("s1", "mobile"), "s2".to_string()];
        let paths = ["/", "/cart", "/p/mug"];
        let mut rows = Vec::new();
        for _ in 0..4000 {
            let mut counts = crate::aggregate::PageCounts::default();
            counts[1] = 1;
            for v in 0..3 {
                let at = 5 + 3 * v;
                match next(4) {
                    0 => {}
                    rating => {
                        counts[at] = 1;
                        counts[at + 1] = i64::from(rating == 1);
                        counts[at + 2] = i64::from(rating == 3);
                    }
                }
            }
            let key = &keys[next(3) as usize];
            let tag = [None, Some(("k", "v")), Some(("k", "w"))][next(3) as usize];
            rows.push(((tag, key.as_str(), base + next(5 * 1440) as i64, paths[next(3) as usize]), counts));
        }
        crate::aggregate::write_pages(&c, rows, 1).unwrap();
        let columns = crate::aggregate::VITAL_COLUMNS.iter().map(|c| format!("SUM({c})")).collect::<Vec<_>>();
        let mut compared = 0;
        for case in 0..400 {
            let b = [1, 5, 15, 60, 360, 1440][case % 6];
            let m0 = base - 100 + next(5 * 1440) as i64;
            let m1 = m0 + 1 + next(if case % 2 == 0 { 300 } else { 4 * 1440 }) as i64;
            let first = m0.div_euclid(b) * b;
            let n = ((m1 - first) + b - 1) / b;
            let picked: Vec<String> = keys[..1 + next(2) as usize].to_vec();
            let path = [None, Some("/cart")][next(2) as usize];
            let tag = (next(2) == 1).then(|| Tag { key: "k".into(), value: "v".into() });
            let ours = vitals_series(&c, &picked, tag.as_ref(), path, (first, m0, m1), b).unwrap();
            let mut want: [Vec<i64>; 9] = std::array::from_fn(|_| vec![0; n as usize]);
            for key in &picked {
                let sql = format!(
                    "SELECT (minute - ?2) / ?3, {} FROM {}
                      WHERE site = ?1 AND minute >= ?6 AND minute < ?4 AND (?5 IS NULL OR path = ?5) {}
                      GROUP BY 1",
                    columns.join(", "),
                    if tag.is_some() { "tag_page_minutes" } else { "page_minutes" },
                    if tag.is_some() { "AND key = 'k' AND value = 'v'" } else { "" },
                );
                let mut stmt = c.prepare(&sql).unwrap();
                let mut r = stmt.query(rusqlite::params![key, first, b, m1, path, m0]).unwrap();
                while let Some(r) = r.next().unwrap() {
                    let i: usize = r.get::<_, i64>(0).unwrap() as usize;
                    for (j, s) in want.iter_mut().enumerate() {
                        s[i] += r.get::<_, i64>(j + 1).unwrap();
                    }
                }
            }
            assert_eq!(ours, want, "{m0}..{m1} by {b}, {picked:?}, {path:?}, {tag:?}");
            compared += usize::from(want[0].iter().filter(|n| **n > 0).count() > 1);
        }
        assert!(compared > 200, "{compared}");
    }

    /// The leaderboard's grouping gives what SQL's GROUP BY gave (the query it replaced), ties,
    /// the limit, filters and odd texts included.
    #[test]
    fn friction_groups_match_sql_group_by() {
        let c = store("CREATE TABLE events (id INTEGER PRIMARY KEY, session_id TEXT);");
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let texts = ["", "a", "ab", "a\u{0}b", "B", "é", "/p", "#x > y"];
        for id in 0..3_000 {
            c.execute(
                "INSERT INTO friction (id, site, ts, session_id, event, path, selector, during)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '')",
                rusqlite::params![
                    id,
                    ["s1", "s2"][next(2) as usize],
                    next(1_000) as i64,
                    format!("sess{}", next(40)),
                    ["rage_click", "dead_click", "js_error"][next(3) as usize],
                    texts[next(8) as usize],
                    texts[next(8) as usize],
                ],
            )
            .unwrap();
        }
        let sql = |f: &FrictionQ, from: i64, to: i64, limit: i64| -> Vec<Group> {
            let mut q = Q::new(
                "SELECT event, path, selector, COUNT(*) AS n, COUNT(DISTINCT session_id), MAX(ts) FROM friction WHERE ",
            );
            if let Some(site) = &f.site {
                q.push("site = ? AND ", site.clone());
            }
            q.push("ts >= ?", from).push(" AND ts < ?", to);
            if let Some(k) = &f.kind {
                q.push(" AND event = ?", k.clone());
            }
            if let Some(p) = &f.path {
                q.push(" AND path = ?", p.clone());
            }
            q.push(" GROUP BY event, path, selector ORDER BY n DESC, event, path, selector LIMIT ?", limit);
            let mut stmt = c.prepare(&q.sql).unwrap();
            let rows = stmt
                .query_map(params_from_iter(q.args.iter()), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })
                .unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        for (site, kind, path) in [
            (None, None, None),
            (Some("s1"), None, None),
            (None, Some("dead_click"), None),
            (Some("s2"), Some("js_error"), Some("a")),
        ] {
            let f = FrictionQ {
                site: site.map(String::from),
                from: 0,
                to: 0,
                kind: kind.map(String::from),
                path: path.map(String::from),
                tag: None,
                device: None,
                during: None,
                limit: 0,
            };
            for (from, to, limit) in [(0, 1_000, 200), (100, 900, 7), (0, 1_000, 5_000), (500, 501, 3), (5, 5, 1)] {
                let ours = friction_groups(&c, &f, from, to, limit, true).unwrap();
                assert_eq!(ours, sql(&f, from, to, limit), "{site:?} {kind:?} {path:?} {from}..{to} limit {limit}");
            }
        }
    }
}
