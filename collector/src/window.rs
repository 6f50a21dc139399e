//! The friction leaderboard over a sliding window, kept from one poll to the next instead of
//! regrouped from every friction row of its range each time.
//!
//! An inspector asks for the same leaderboard every second with `[now - range, now)`: the range
//! moved by a second and a second's rows were added, but a plain query regroups the whole range
//! (tens of thousands of rows for a day, the most expensive read of a refresh). A [`Window`]
//! keeps, for one filter combination and range length, the groups of the rows with
//! `id <= upto` and `ts` in `[from, to)`: per (type, page, selector) the count, the latest time
//! and how many rows each session has there (so distinct sessions stay exact when rows leave).
//! Friction rows are only ever appended, with increasing ids, so moving it to `[from', to')`
//! (both no earlier) and `upto'` is exact:
//! - rows with `id <= upto` and `ts` in `[from, from')` leave (a range of the time index);
//! - rows with `id <= upto` and `ts` in `[to, to')` join (a range of the time index);
//! - rows with `id` in `(upto, upto']` and `ts` in `[from', to')` join (a range of the rowid).
//!
//! Rows leave only at the lower end, so a group's latest time stays right while it has rows (and
//! so does its latest row's element text: the leaderboard's window also keeps how many rows each
//! distinct text has in each group, read from the same covering index, so that a row says its
//! element's label and how many others its rows carry, exactly, without reading event bodies).
//! Answers are the same as regrouping (`query::tests` compares them on random rows and windows).
//! A window that cannot be moved (an earlier range, a jump longer than the range, another
//! database state) is rebuilt from its range. At most [`MAX_WINDOWS`] are kept.

use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::types::ValueRef;
use rusqlite::{params_from_iter, Connection};

use crate::aggregate::{add_vital_counts, VitalCounts};
use crate::reads::ReadError;

/// Windows kept at once (filter combinations × range lengths), least recently used dropped.
pub const MAX_WINDOWS: usize = 16;

/// The filters of a leaderboard query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filters {
    pub site: Option<String>,
    pub kind: Option<String>,
    pub path: Option<String>,
    /// (The element click-through only; the leaderboard groups by selector.)
    pub selector: Option<String>,
    /// Only the friction events carrying every one of these page tags (their rows of
    /// `event_tags`).
    pub tag: Option<crate::query::Tags>,
    /// Only the friction events captured on this device class (`context.device`; '' none).
    pub device: Option<String>,
    /// Only the friction events captured while this moment of truth was under way (`during`):
    /// "friction during checkout".
    pub during: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    filters: Filters,
    len: i64,
    sessions: bool,
}

/// (type, path, selector, count, sessions, last time) of one leaderboard row.
pub type Group = (String, String, String, i64, i64, i64);

/// Friction counts by (page path, type).
pub type PathTypeCounts = HashMap<(Vec<u8>, Vec<u8>), i64>;

struct Counting {
    key: [Vec<u8>; 3],
    n: i64,
    last: i64,
    sessions: i64,
    /// (time, id, text) of its latest row (by time, then id), kept with distinct sessions only:
    /// its text is the row's label.
    latest: (i64, i64, u32),
    /// Text (its number in `Window::text_ids`) -> its rows in the group; empty texts are not
    /// in it. Kept with distinct sessions only (the leaderboard's own window). (A map per group:
    /// a row's few texts are read without going through every group's.)
    texts: HashMap<u32, u32>,
}

/// The number of no text (an element without one, a failed request, an error).
const NO_TEXT: u32 = u32::MAX;

/// Distinct texts a leaderboard row lists at most (its label's hover and screen reader text).
pub const FEW_TEXTS: usize = 5;

/// A leaderboard row's element texts (`properties.element.text`, as `facts::cut_text` keeps
/// them): its latest row's (empty: none), how many distinct ones its rows carry, and the first
/// [`FEW_TEXTS`] of them by rows (then by bytes), each with its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    pub text: String,
    pub texts: i64,
    pub top: Vec<(String, i64)>,
}

/// The groups of the friction rows with `id <= upto` and `ts` in `[from, to)`.
struct Window {
    from: i64,
    to: i64,
    upto: i64,
    /// Group keys (the three texts, each preceded by its length) -> index in `groups`.
    index: HashMap<Vec<u8>, u32>,
    groups: Vec<Counting>,
    /// Whether distinct sessions are counted.
    sessions: bool,
    session_ids: HashMap<Vec<u8>, u32>,
    /// (group, session) -> its rows in the window.
    pairs: HashMap<(u32, u32), u32>,
    /// Element texts -> their numbers (with distinct sessions only), and back.
    text_ids: HashMap<Vec<u8>, u32>,
    text_names: Vec<Vec<u8>>,
    /// Groups with rows.
    live: usize,
}

/// One friction row as read.
struct Row<'a> {
    /// event, path, selector
    parts: [&'a [u8]; 3],
    session: &'a [u8],
    site: &'a [u8],
    device: &'a [u8],
    during: &'a [u8],
    text: &'a [u8],
    ts: i64,
    id: i64,
}

impl<'a> Row<'a> {
    /// A row of [`range_sql`]'s or [`NEW_ROWS_SQL`]'s columns: event, path, selector, session_id, ts,
    /// id, site, device, during, text.
    fn read(r: &'a rusqlite::Row<'_>) -> rusqlite::Result<Row<'a>> {
        Ok(Row {
            parts: [bytes(r.get_ref(0)?), bytes(r.get_ref(1)?), bytes(r.get_ref(2)?)],
            session: bytes(r.get_ref(3)?),
            site: bytes(r.get_ref(6)?),
            device: bytes(r.get_ref(7)?),
            during: bytes(r.get_ref(8)?),
            text: bytes(r.get_ref(9)?),
            ts: r.get(4)?,
            id: r.get(5)?,
        })
    }
}

fn bytes(v: ValueRef<'_>) -> &[u8] {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
        _ => b"",
    }
}

impl Window {
    fn new(from: i64, to: i64, upto: i64, sessions: bool) -> Window {
        Window {
            from,
            to,
            upto,
            index: HashMap::new(),
            groups: Vec::new(),
            sessions,
            session_ids: HashMap::new(),
            pairs: HashMap::new(),
            text_ids: HashMap::new(),
            text_names: Vec::new(),
            live: 0,
        }
    }

    fn group(&mut self, parts: [&[u8]; 3], key: &mut Vec<u8>) -> u32 {
        key.clear();
        for p in parts {
            key.extend_from_slice(&(p.len() as u32).to_le_bytes());
            key.extend_from_slice(p);
        }
        match self.index.get(key.as_slice()) {
            Some(&g) => g,
            None => {
                self.groups.push(Counting {
                    key: parts.map(<[u8]>::to_vec),
                    n: 0,
                    last: 0,
                    sessions: 0,
                    latest: (0, 0, NO_TEXT),
                    texts: HashMap::new(),
                });
                let g = (self.groups.len() - 1) as u32;
                self.index.insert(key.clone(), g);
                g
            }
        }
    }

    /// The number of a row's text ([`NO_TEXT`] for none), given one if it is new.
    fn text_id(&mut self, text: &[u8]) -> u32 {
        if text.is_empty() {
            return NO_TEXT;
        }
        match self.text_ids.get(text) {
            Some(&t) => t,
            None => {
                let t = self.text_names.len() as u32;
                self.text_names.push(text.to_vec());
                self.text_ids.insert(text.to_vec(), t);
                t
            }
        }
    }

    fn add(&mut self, r: &Row<'_>, key: &mut Vec<u8>) {
        let g = self.group(r.parts, key);
        let text = if self.sessions { self.text_id(r.text) } else { NO_TEXT };
        let c = &mut self.groups[g as usize];
        if c.n == 0 {
            c.last = r.ts;
            c.latest = (r.ts, r.id, text);
            self.live += 1;
        } else {
            c.last = c.last.max(r.ts);
            if (r.ts, r.id) > (c.latest.0, c.latest.1) {
                c.latest = (r.ts, r.id, text);
            }
        }
        c.n += 1;
        if text != NO_TEXT {
            *c.texts.entry(text).or_insert(0) += 1;
        }
        if self.sessions {
            let next = self.session_ids.len() as u32;
            let s = match self.session_ids.get(r.session) {
                Some(&s) => s,
                None => *self.session_ids.entry(r.session.to_vec()).or_insert(next),
            };
            let rows = self.pairs.entry((g, s)).or_insert(0);
            *rows += 1;
            if *rows == 1 {
                self.groups[g as usize].sessions += 1;
            }
        }
    }

    /// Takes out a row that was added (rows leave at the lower end of the range only).
    fn remove(&mut self, r: &Row<'_>, key: &mut Vec<u8>) {
        let g = self.group(r.parts, key);
        let c = &mut self.groups[g as usize];
        c.n -= 1;
        if c.n == 0 {
            self.live -= 1;
        }
        // (Its latest row leaves only with every other: rows leave at the lower end of the range.)
        if let Some(&t) = self.text_ids.get(r.text) {
            if let Some(rows) = c.texts.get_mut(&t) {
                *rows -= 1;
                if *rows == 0 {
                    c.texts.remove(&t);
                }
            }
        }
        if self.sessions {
            let Some(&s) = self.session_ids.get(r.session) else { return };
            if let Some(rows) = self.pairs.get_mut(&(g, s)) {
                *rows -= 1;
                if *rows == 0 {
                    self.pairs.remove(&(g, s));
                    self.groups[g as usize].sessions -= 1;
                }
            }
        }
    }

    /// Whether the interned groups and sessions have grown well past what is live (then a
    /// rebuild gives the memory back).
    fn bloated(&self) -> bool {
        self.groups.len() > 2 * self.live + 10_000
            || self.session_ids.len() > 2 * self.pairs.len() + 100_000
            || self.text_names.len() > 2 * self.groups.iter().map(|c| c.texts.len()).sum::<usize>() + 100_000
    }

    /// See [`Windows::counts_in_top`].
    fn counts_in_top(&self, limit: i64, keys: &[[&[u8]; 3]]) -> Vec<i64> {
        let rank = |a: &Counting, b: &Counting| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key));
        let limit = limit.max(0) as usize;
        // The last group that makes the top, if not every group does.
        let mut live: Vec<&Counting> = self.groups.iter().filter(|c| c.n > 0).collect();
        let last = if live.len() > limit && limit > 0 {
            Some(*live.select_nth_unstable_by(limit - 1, |a, b| rank(a, b)).1)
        } else {
            None
        };
        let mut k = Vec::new();
        keys.iter()
            .map(|parts| {
                k.clear();
                for p in parts {
                    k.extend_from_slice(&(p.len() as u32).to_le_bytes());
                    k.extend_from_slice(p);
                }
                let Some(&g) = self.index.get(k.as_slice()) else { return 0 };
                let c = &self.groups[g as usize];
                let in_top = limit > 0 && last.is_none_or(|l| rank(c, l) != std::cmp::Ordering::Greater);
                if c.n > 0 && in_top {
                    c.n
                } else {
                    0
                }
            })
            .collect()
    }

    /// The window's friction counts per page path and type, for the paths in `paths`.
    fn by_path_and_type(&self, paths: &std::collections::HashSet<&[u8]>) -> PathTypeCounts {
        let mut out = PathTypeCounts::new();
        for c in self.groups.iter().filter(|c| c.n > 0 && paths.contains(c.key[1].as_slice())) {
            *out.entry((c.key[1].clone(), c.key[0].clone())).or_default() += c.n;
        }
        out
    }

    /// The first `limit` groups by count (descending), then type, path and selector (bytes).
    fn top(&self, limit: i64) -> Vec<Group> {
        self.top_labelled(limit).into_iter().map(|(g, _)| g).collect()
    }

    /// [`Window::top`], each group with its texts (empty unless distinct sessions are counted).
    fn top_labelled(&self, limit: i64) -> Vec<(Group, Label)> {
        let mut live: Vec<&Counting> = self.groups.iter().filter(|c| c.n > 0).collect();
        live.sort_unstable_by(|a, b| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key)));
        live.truncate(limit.max(0) as usize);
        let string = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let name = |t: u32| self.text_names.get(t as usize).map_or(&[][..], Vec::as_slice);
        live.into_iter()
            .map(|c| {
                let [e, p, s] = &c.key;
                let mut few: Vec<(&[u8], u32)> = c.texts.iter().map(|(&t, &n)| (name(t), n)).collect();
                let by_rows = |a: &(&[u8], u32), b: &(&[u8], u32)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
                if few.len() > FEW_TEXTS {
                    few.select_nth_unstable_by(FEW_TEXTS - 1, by_rows);
                    few.truncate(FEW_TEXTS);
                }
                few.sort_unstable_by(by_rows);
                let label = Label {
                    text: string(name(c.latest.2)),
                    texts: c.texts.len() as i64,
                    top: few.into_iter().map(|(t, n)| (string(t), i64::from(n))).collect(),
                };
                let sessions = if self.sessions { c.sessions } else { 0 };
                ((string(e), string(p), string(s), c.n, sessions, c.last), label)
            })
            .collect()
    }
}

/// The index of `friction` a read of a range takes: by site and time, or by time; for a moment's
/// friction (`during`), the partial index of the rows that have one (with [`DURING_SQL`]). One
/// place for [`range_sql`] and the reads of `query.rs`.
pub fn friction_index(site: bool, during: bool) -> &'static str {
    match (during, site) {
        (true, _) => "friction_during",
        (false, true) => "friction_site_ts",
        (false, false) => "friction_ts",
    }
}

/// The condition on `during` (its value the next argument), with the partial index's own
/// `during <> ''`, written as the index says it, so that SQLite may use it.
pub const DURING_SQL: &str = "during <> '' AND during = ? AND ";

/// SQL over the time index: the rows of `[from, to)` that match `f`. The `NULL` arguments are
/// the time bounds, `from` then `to` (twice with a tag: the tag's friction events of the same
/// range, looked up once, as the leaderboard without a window did).
pub fn range_sql(f: &Filters) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as Sql;
    let index = friction_index(f.site.is_some(), f.during.is_some());
    // (`during` is not read back: the filter is on it here, and the two time indexes do not hold
    // it, so reading it took a row lookup per row of the range. Without it, each scan is of the
    // index alone, the element texts included.)
    let mut sql = format!(
        "SELECT event, path, selector, session_id, ts, id, site, device, '' AS during, text FROM friction INDEXED BY {index} WHERE "
    );
    let mut args = Vec::new();
    if let Some(d) = &f.during {
        sql.push_str(DURING_SQL);
        args.push(Sql::Text(d.clone()));
    }
    if let Some(site) = &f.site {
        sql.push_str("site = ? AND ");
        args.push(Sql::Text(site.clone()));
    }
    sql.push_str("ts >= ? AND ts < ?");
    args.extend([Sql::Null, Sql::Null]);
    if let Some(k) = &f.kind {
        sql.push_str(" AND event = ?");
        args.push(Sql::Text(k.clone()));
    }
    if let Some(p) = &f.path {
        sql.push_str(" AND path = ?");
        args.push(Sql::Text(p.clone()));
    }
    if let Some(sel) = &f.selector {
        sql.push_str(" AND selector = ?");
        args.push(Sql::Text(sel.clone()));
    }
    if let Some(d) = &f.device {
        sql.push_str(" AND device = ?");
        args.push(Sql::Text(d.clone()));
    }
    if let Some(tags) = &f.tag {
        // The first tag's friction events of the range, each checked for the others.
        let (first, rest) = tags.all().split_first().expect("Tags is never empty");
        sql.push_str(
            " AND id IN (SELECT t.event_id FROM event_tags AS t
                          WHERE t.key = ? AND t.value = ? AND t.friction = 1 AND t.ts >= ? AND t.ts < ?",
        );
        args.extend([Sql::Text(first.key.clone()), Sql::Text(first.value.clone()), Sql::Null, Sql::Null]);
        let (also, also_args) = crate::query::also_tagged_sql(rest);
        sql.push_str(&also);
        sql.push(')');
        args.extend(also_args);
    }
    (sql, args)
}

/// Whether the friction row `id` (at `ts`) is of an event carrying a tag: its row of
/// `event_tags` looked up by the whole key (a friction row's event has the same time there).
/// (With several tags, once per tag.)
pub const FRICTION_TAGGED_SQL: &str = "SELECT 1 FROM event_tags AS t
   WHERE t.key = ?1 AND t.value = ?2 AND t.friction = 1 AND t.ts = ?3 AND t.event_id = ?4";

/// SQL over the rowid: the rows with `id` in `(?1, ?2]`, every column the filters need.
pub const NEW_ROWS_SQL: &str =
    "SELECT event, path, selector, session_id, ts, id, site, device, during, text FROM friction WHERE id > ?1 AND id <= ?2";

/// Runs `sql` over `[from, to)` and hands every row with `id <= upto` to `each`.
fn scan_range(
    conn: &Connection,
    f: &Filters,
    from: i64,
    to: i64,
    upto: i64,
    mut each: impl FnMut(&Row<'_>),
) -> Result<(), ReadError> {
    if from >= to {
        return Ok(());
    }
    let (sql, mut args) = range_sql(f);
    for (i, arg) in args.iter_mut().filter(|a| **a == rusqlite::types::Value::Null).enumerate() {
        *arg = rusqlite::types::Value::Integer(if i % 2 == 0 { from } else { to });
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    while let Some(r) = rows.next()? {
        if r.get::<_, i64>(5)? > upto {
            continue;
        }
        each(&Row::read(r)?);
    }
    Ok(())
}

/// Hands every row with `id` in `(after, upto]`, `ts` in `[from, to)` and matching `f` to `each`.
fn scan_new(
    conn: &Connection,
    f: &Filters,
    from: i64,
    to: i64,
    after: i64,
    upto: i64,
    mut each: impl FnMut(&Row<'_>),
) -> Result<(), ReadError> {
    if after >= upto {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(NEW_ROWS_SQL)?;
    let mut tagged = match &f.tag {
        Some(_) => Some(conn.prepare_cached(FRICTION_TAGGED_SQL)?),
        None => None,
    };
    let mut rows = stmt.query([after, upto])?;
    let is = |want: &Option<String>, got: &[u8]| want.as_ref().is_none_or(|w| w.as_bytes() == got);
    while let Some(r) = rows.next()? {
        let row = Row::read(r)?;
        let [event, path, selector] = row.parts;
        if row.ts < from
            || row.ts >= to
            || !is(&f.site, row.site)
            || !is(&f.kind, event)
            || !is(&f.path, path)
            || !is(&f.selector, selector)
            || !is(&f.device, row.device)
            || !is(&f.during, row.during)
        {
            continue;
        }
        if let (Some(tags), Some(stmt)) = (&f.tag, &mut tagged) {
            let id: i64 = r.get(5)?;
            let mut all = true;
            for tag in tags.all() {
                if !stmt.exists(rusqlite::params![tag.key, tag.value, row.ts, id])? {
                    all = false;
                    break;
                }
            }
            if !all {
                continue;
            }
        }
        each(&row);
    }
    Ok(())
}

thread_local! {
    /// The number of erasures (`meta.erasures`, see `privacy.rs`) as of this thread's read
    /// snapshot, set by [`snapshot_ids`]. Windows are moved on by the rows added since, which
    /// cannot tell rows taken out: so a shelf hands a window only to a read at the erasure count
    /// it was made at. A read still on a snapshot from before an erasure then neither takes the
    /// windows made after it nor spoils them with its own. (A thread-local, not an argument of
    /// every window call: each read runs on one thread, from its snapshot to its answer.)
    static ERASURES: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// The states kept between polls for one kind of answer, most recently used last: taken out
/// while a read moves one (the lock is not held during the read), put back after it. Each is
/// kept with the erasure count of the snapshot it was made at (see [`ERASURES`]).
pub struct Shelf<K, W>(Mutex<Vec<(K, i64, W)>>);

impl<K, W> Default for Shelf<K, W> {
    fn default() -> Self {
        Shelf(Mutex::new(Vec::new()))
    }
}

impl<K: PartialEq, W> Shelf<K, W> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(K, i64, W)>> {
        // A read that panicked left nothing half-done in the Vec itself.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state kept for `key`, if any (it leaves the shelf).
    pub(crate) fn take(&self, key: &K) -> Option<W> {
        let erasures = ERASURES.get();
        let mut kept = self.lock();
        kept.iter().position(|(k, e, _)| k == key && *e == erasures).map(|i| kept.remove(i).2)
    }

    /// Puts `w` back for `key`, unless another read put back one `newer` than it meanwhile; at
    /// most [`MAX_WINDOWS`], the least recently used dropped.
    pub(crate) fn put(&self, key: K, w: W, newer: impl Fn(&W, &W) -> bool) {
        let erasures = ERASURES.get();
        let mut kept = self.lock();
        if let Some(i) = kept.iter().position(|(k, e, _)| *k == key && *e == erasures) {
            if newer(&kept[i].2, &w) {
                return;
            }
            kept.remove(i);
        }
        // (Those of an earlier count are never asked for again.)
        kept.retain(|(_, e, _)| *e >= erasures);
        if kept.len() >= MAX_WINDOWS {
            kept.remove(0);
        }
        kept.push((key, erasures, w));
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

/// The leaderboard windows of one store.
#[derive(Default)]
pub struct Windows {
    kept: Shelf<Key, Window>,
}

impl Windows {
    pub fn new() -> Windows {
        Windows::default()
    }

    /// How many friction rows of `[from, to)` match `f` (the overview's friction on one device):
    /// from the window the leaderboard with the same filters keeps (sessions counted).
    pub fn total(&self, conn: &Connection, f: &Filters, from: i64, to: i64, upto: i64) -> Result<i64, ReadError> {
        self.with_window(conn, f, from, to, upto, true, |w| w.groups.iter().map(|c| c.n).sum())
    }

    /// The leaderboard groups of the rows matching `f` with `ts` in `[from, to)`, as of a read
    /// transaction in which the largest friction id is `upto` (the caller holds it open), the
    /// first `limit` by count. `sessions`: whether to count distinct sessions (0 otherwise).
    #[allow(clippy::too_many_arguments)]
    pub fn groups(
        &self,
        conn: &Connection,
        f: &Filters,
        from: i64,
        to: i64,
        upto: i64,
        limit: i64,
        sessions: bool,
    ) -> Result<Vec<Group>, ReadError> {
        self.with_window(conn, f, from, to, upto, sessions, |w| w.top(limit))
    }

    /// [`Windows::groups`] with distinct sessions, each group with its element texts ([`Label`]):
    /// the leaderboard's rows, from the same window (its texts are kept with it).
    #[allow(clippy::too_many_arguments)]
    pub fn labelled(
        &self,
        conn: &Connection,
        f: &Filters,
        from: i64,
        to: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<(Group, Label)>, ReadError> {
        self.with_window(conn, f, from, to, upto, true, |w| w.top_labelled(limit))
    }

    /// The friction counts per (page path, type) of the rows matching `f` in `[from, to)`, for the
    /// paths in `paths`: from the leaderboard's own window (the same key when it has no type nor
    /// page filter), so an inspector polling both builds it once.
    #[allow(clippy::too_many_arguments)]
    pub fn by_path_and_type(
        &self,
        conn: &Connection,
        f: &Filters,
        from: i64,
        to: i64,
        upto: i64,
        paths: &std::collections::HashSet<&[u8]>,
    ) -> Result<PathTypeCounts, ReadError> {
        self.with_window(conn, f, from, to, upto, true, |w| w.by_path_and_type(paths))
    }

    /// For each of `keys` (type, path, selector), its count if it is among the first `limit`
    /// groups of the rows matching `f` in `[from, to)` (as [`Windows::groups`] ranks them), else
    /// 0: the leaderboard's previous period, without making the thousands of rows of its top.
    #[allow(clippy::too_many_arguments)]
    pub fn counts_in_top(
        &self,
        conn: &Connection,
        f: &Filters,
        from: i64,
        to: i64,
        upto: i64,
        limit: i64,
        keys: &[[&[u8]; 3]],
    ) -> Result<Vec<i64>, ReadError> {
        self.with_window(conn, f, from, to, upto, false, |w| w.counts_in_top(limit, keys))
    }

    #[allow(clippy::too_many_arguments)]
    fn with_window<T>(
        &self,
        conn: &Connection,
        f: &Filters,
        from: i64,
        to: i64,
        upto: i64,
        sessions: bool,
        answer: impl FnOnce(&Window) -> T,
    ) -> Result<T, ReadError> {
        let key = Key { filters: f.clone(), len: to - from, sessions };
        let kept = self.kept.take(&key);
        let mut k = Vec::new();
        let w = match kept {
            Some(mut w) if movable((w.from, w.to, w.upto), (from, to), upto) && !w.bloated() => {
                let (old_from, old_to, old_upto) = (w.from, w.to, w.upto);
                scan_range(conn, f, old_from, from, old_upto, |r| w.remove(r, &mut k))?;
                scan_range(conn, f, old_to, to, old_upto, |r| w.add(r, &mut k))?;
                scan_new(conn, f, from, to, old_upto, upto, |r| w.add(r, &mut k))?;
                w.from = from;
                w.to = to;
                w.upto = upto;
                w
            }
            _ => {
                let mut w = Window::new(from, to, upto, sessions);
                scan_range(conn, f, from, to, upto, |r| w.add(r, &mut k))?;
                w
            }
        };
        let out = answer(&w);
        // Another read may have put one back meanwhile: keep the newer.
        self.kept.put(key, w, |old, w| old.upto > w.upto || old.to > w.to);
        Ok(out)
    }

    /// Forgets every window (tests).
    pub fn clear(&self) {
        self.kept.clear();
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions of a sliding window

/// What the overview, the funnel and the leaderboard read of one session.
#[derive(Debug, Clone)]
struct Summary {
    first_ts: i64,
    last_ts: i64,
    friction: i64,
    score: i64,
    /// The moments of truth reached (None: none).
    moments: Option<Vec<String>>,
    /// Its attribution channel ('' unknown).
    channel: String,
    /// Its device class ('' unknown).
    device: String,
    /// Its campaign (`context.campaign` with its channel; '' none).
    campaign: String,
    /// Its source / medium as the read API names it (`aggregate::source_medium`; '' neither).
    source_medium: String,
    /// Its browser (family and major version) and OS ('' unknown).
    browser: String,
    os: String,
    /// The Core Web Vitals' counts of its page_leave events (the channels' vitals).
    vitals: VitalCounts,
    /// Its visitor's `anonymousId` (empty: none, no marketing consent): the overview's visitors.
    anonymous_id: Box<[u8]>,
    /// That visitor's number in the window ([`NO_VISITOR`]: none), set when it is put in.
    visitor: u32,
    /// Whether it carries each page tag asked about so far (as `session_tags` says), remembered
    /// until one of its events is stored (its summary is then read again, without them).
    tags: std::cell::RefCell<Vec<(crate::query::Tag, bool)>>,
    /// Every page tag it carried (`session_tags`), once read (see
    /// [`SessionWindows::tag_sessions`]), by its number in the window, remembered as `tags` is.
    all_tags: std::cell::RefCell<Option<Box<[u32]>>>,
    /// Its rows of `event_tags` (key, value, time), once read (the same), remembered as `tags` is.
    tag_times: std::cell::RefCell<Option<TagTimes>>,
    /// Its purchases and refunds, once read (read only for a session that reached `purchase` or
    /// has a refund, empty for the others: see [`SessionWindows::channels`]), remembered as
    /// `tags` is.
    revenue: std::cell::RefCell<Option<Box<[Money]>>>,
}

use crate::money::Amount;
pub use crate::money::Revenue;

/// One purchase or refund of a session: its time (as its events count: see
/// `aggregate::counts_at`), and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Money {
    ts: i64,
    refund: bool,
    amount: Amount,
}

/// The stored purchases and refunds of a session (its events by the session index, their bodies
/// and times).
const SESSION_PURCHASES_SQL: &str =
    "SELECT event, timestamp, received_at, body, sent_at FROM events INDEXED BY events_session
  WHERE session_id = ?1 AND site = ?2 AND event IN ('purchase', 'refund')";

/// The stored purchase of an order (a full refund's amount).
const ORDER_BODY_SQL: &str =
    "SELECT e.body FROM orders AS o JOIN events AS e ON e.id = o.event_id WHERE o.site = ?1 AND o.transaction_id = ?2";

/// The sessions with a refund among the events `(?1, ?2]`.
const REFUND_SESSIONS_SQL: &str =
    "SELECT session_id, site FROM events INDEXED BY events_event_id WHERE event = 'refund' AND id > ?1 AND id <= ?2";

/// The statements [`revenue_of`] reads with.
struct MoneyReads<'c> {
    purchases: rusqlite::CachedStatement<'c>,
    order: rusqlite::CachedStatement<'c>,
}

impl<'c> MoneyReads<'c> {
    fn new(conn: &'c Connection) -> Result<MoneyReads<'c>, ReadError> {
        Ok(MoneyReads {
            purchases: conn.prepare_cached(SESSION_PURCHASES_SQL)?,
            order: conn.prepare_cached(ORDER_BODY_SQL)?,
        })
    }
}

/// The session `key`'s purchases and refunds (`s`'s: none unless it reached `purchase` or is one
/// of `refunded`), read once with `reads` and kept with its summary.
fn revenue_of(
    reads: &mut MoneyReads<'_>,
    refunded: &std::collections::HashSet<SessionKey>,
    key: &SessionKey,
    s: &Summary,
) -> Result<(), ReadError> {
    if s.revenue.borrow().is_some() {
        return Ok(());
    }
    if !(s.moments.as_ref().is_some_and(|m| m.iter().any(|m| m == "purchase")) || refunded.contains(key)) {
        // None, remembered (no allocation): a purchase or refund stored later in it is one of its
        // events, and its summary is read again then, without it. (Looked up at each poll, the
        // 36,000 sessions of a week that bought nothing cost 5 ms.)
        *s.revenue.borrow_mut() = Some(Box::default());
        return Ok(());
    }
    let mut out = Vec::new();
    let mut rows = reads.purchases.query([as_text(&key.0), as_text(&key.1)])?;
    while let Some(row) = rows.next()? {
        let refund = row.get_ref(0)?.as_str().unwrap_or("") == "refund";
        let ts = crate::facts::parse_iso_millis(row.get_ref(1)?.as_str().unwrap_or("")).unwrap_or(0);
        let ts = crate::aggregate::counts_at(ts, row.get(2)?, row.get(4)?);
        let c = crate::validate::commerce_of_text(row.get_ref(3)?.as_str().unwrap_or(""));
        let amount = if refund {
            refund_amount(&mut reads.order, &key.1, c)?
        } else {
            Amount::of(c.value.as_deref(), c.currency.as_deref())
        };
        out.push(Money { ts, refund, amount });
    }
    *s.revenue.borrow_mut() = Some(out.into());
    Ok(())
}

/// A refund's amount: its `value` (a JSON number; none given: the whole order's, its stored
/// purchase's value) in its `currency` (none given: the order's).
fn refund_amount(
    order: &mut rusqlite::CachedStatement<'_>,
    site: &[u8],
    c: crate::validate::Commerce,
) -> Result<Amount, ReadError> {
    if (c.value.is_none() || c.currency.is_none()) && !c.order.is_empty() {
        let mut rows = order.query(rusqlite::params![as_text(site), c.order])?;
        if let Some(row) = rows.next()? {
            let o = crate::validate::commerce_of_text(row.get_ref(0)?.as_str().unwrap_or(""));
            let value = c.value.or(o.value);
            let currency = c.currency.or(o.currency);
            return Ok(Amount::of(value.as_deref(), currency.as_deref()));
        }
    }
    // (A full refund of an order not stored has no amount: not a zero one.)
    Ok(match c.value {
        None => Amount::Unvalued,
        Some(v) => Amount::of(Some(&v), c.currency.as_deref()),
    })
}

/// A session's rows of `event_tags`: (its tag's number in the window, time).
type TagTimes = Vec<(u32, i64)>;

type SessionKey = (Vec<u8>, Vec<u8>);

/// Every session with `last_ts >= from` as of the read snapshot whose largest `events.id` is
/// `upto` (optionally of one site). Sessions rows change only when one of their events is
/// stored (in the same transaction), so moving it to `(from', upto')` is exact: re-read the
/// rows of the sessions with an event in `(upto, upto']`, drop those whose `last_ts` is now
/// before `from'`. A query for `[from, to)` then takes those with `first_ts < to`, as
/// `last_ts >= from AND first_ts < to` does.
struct SessionWindow {
    from: i64,
    upto: i64,
    by_key: HashMap<SessionKey, Summary>,
    /// (last_ts, key) of every session in `by_key`, to drop those the range leaves behind.
    by_last: std::collections::BTreeSet<(i64, SessionKey)>,
    /// The page tags its summaries hold (see [`Summary::all_tags`]), numbered: key and value,
    /// each preceded by its length -> number.
    tag_ids: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
    /// Every `anonymousId` of its sessions, numbered (see [`Visitor`]): id -> number, and each
    /// number's visitor. Numbered once while the window is kept (like `tag_ids`), so that the
    /// overview counts a poll's visitors in an array, not by hashing each session's id again
    /// (that cost a week's overview ~5 ms a poll instead of ~0.7 at 12,000 sessions).
    visitor_ids: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
    visitors: Vec<Visitor>,
    /// The sessions (of its site) with a refund among the events up to `refunds_upto`, once the
    /// channels' revenue is asked for (see [`SessionWindow::read_refunds`]): a refund sent in a
    /// session that made no purchase is read too.
    refunded: std::collections::HashSet<SessionKey>,
    refunds_upto: i64,
}

/// A session's [`Summary::visitor`] when it has no `anonymousId`.
const NO_VISITOR: u32 = u32::MAX;

/// One visitor (`anonymousId`) of a [`SessionWindow`]'s sessions: how many of them it has there,
/// and whether it has a session that ended before the window's `from` (of the window's site),
/// once known. Known by one probe of `sessions_visitor` ([`visitor_before_sql`]) the first time an
/// overview asks, then kept as the window moves: a session that leaves the window (or is stored
/// ended before it) ended before `from`, and `from` only moves on (an erasure drops the window);
/// only a session begun before `from` that comes back into the window (a late event) may undo
/// it: its visitor is probed again. So a poll probes only the visitors new to the window.
#[derive(Debug, Clone)]
struct Visitor {
    id: Box<[u8]>,
    sessions: u32,
    before: Option<bool>,
}

/// Most page tags a kept session window numbers (more: it is used once and dropped, so that
/// numbers of tags its sessions no longer carry do not pile up).
const MAX_WINDOW_TAGS: usize = 100_000;
/// Most visitors a kept session window numbers beyond twice its sessions (the same, for the
/// visitors whose sessions all left it).
const MAX_WINDOW_VISITORS: usize = 100_000;

/// Most sessions a kept session window holds (a larger one is used once and dropped).
const MAX_WINDOW_SESSIONS: usize = 300_000;
/// Most new events folded into a session window at once (more: it is rebuilt).
const MAX_NEW_EVENTS: i64 = 500_000;

/// Whether a window kept for `[kept.0, kept.1)` as of `events.id` `kept.2` can be moved to
/// `[from, to)` as of `upto` instead of being built again: the range only moves forward and still
/// overlaps the kept one, the snapshot is not older, and it moved by at most the range's length
/// (beyond that, a move reads about as much as a build). Each kind of window adds its own bounds.
fn movable(kept: (i64, i64, i64), (from, to): (i64, i64), upto: i64) -> bool {
    let (w_from, w_to, w_upto) = kept;
    w_from <= from && w_to <= to && from < w_to && w_upto <= upto && from - w_from <= to - from
}

/// (The columns [`Summary::read`] reads, after the key, all in both indexes: a scan reads the
/// index alone.)
fn session_scan_sql(site: bool) -> &'static str {
    if site {
        "SELECT session_id, site, first_ts, last_ts, friction, score, moments, channel, device, campaign, source, medium,
                browser, os, lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good,
                inp_poor, anonymous_id
           FROM sessions INDEXED BY sessions_site_last WHERE site = ?1 AND last_ts >= ?2"
    } else {
        "SELECT session_id, site, first_ts, last_ts, friction, score, moments, channel, device, campaign, source, medium,
                browser, os, lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good,
                inp_poor, anonymous_id
           FROM sessions INDEXED BY sessions_last WHERE last_ts >= ?1"
    }
}

/// The sessions with an event in `(?, ?]` (of one site).
fn touched_sql(site: bool) -> &'static str {
    if site {
        "SELECT DISTINCT session_id, site FROM events INDEXED BY events_site_id WHERE site = ?1 AND id > ?2 AND id <= ?3"
    } else {
        "SELECT DISTINCT session_id, site FROM events WHERE id > ?1 AND id <= ?2"
    }
}

const SESSION_ROW_SQL: &str =
    "SELECT first_ts, last_ts, friction, score, moments, channel, device, campaign, source, medium, browser, os,
        lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor, anonymous_id
   FROM sessions WHERE session_id = ?1 AND site = ?2";

/// Whether the visitor `?1` has a session (of site `?3`) that ended before `?2` (see [`Visitor`]).
/// (`anonymous_id <> ''` spelt out: the partial index is used only when the query says so.)
fn visitor_before_sql(site: bool) -> &'static str {
    if site {
        "SELECT 1 FROM sessions INDEXED BY sessions_visitor
          WHERE anonymous_id = ?1 AND anonymous_id <> '' AND last_ts < ?2 AND site = ?3"
    } else {
        "SELECT 1 FROM sessions INDEXED BY sessions_visitor WHERE anonymous_id = ?1 AND anonymous_id <> '' AND last_ts < ?2"
    }
}

/// The SQL shapes of the session windows (for `EXPLAIN QUERY PLAN` in the tests): (sql, arguments).
pub fn session_shapes() -> Vec<(String, usize)> {
    vec![
        (session_scan_sql(true).into(), 2),
        (session_scan_sql(false).into(), 1),
        (touched_sql(true).into(), 3),
        (touched_sql(false).into(), 2),
        (SESSION_ROW_SQL.into(), 2),
        (visitor_before_sql(true).into(), 3),
        (visitor_before_sql(false).into(), 2),
    ]
}

fn as_text(b: &[u8]) -> rusqlite::types::ToSqlOutput<'_> {
    rusqlite::types::ToSqlOutput::Borrowed(ValueRef::Text(b))
}

fn moments_of(v: ValueRef<'_>) -> Option<Vec<String>> {
    let text = bytes(v);
    if text == b"[]" {
        return None;
    }
    let m: Vec<String> = serde_json::from_slice(text).unwrap_or_default();
    Some(m)
}

impl Summary {
    /// A session's summary from its row of [`session_scan_sql`] or [`SESSION_ROW_SQL`], whose
    /// columns from `at` on are first_ts, last_ts, friction, score, moments, channel, device,
    /// campaign, source, medium, browser, os, the vitals' counts and anonymous_id.
    fn read(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Summary> {
        Ok(Summary {
            first_ts: r.get(at)?,
            last_ts: r.get(at + 1)?,
            friction: r.get(at + 2)?,
            score: r.get(at + 3)?,
            moments: moments_of(r.get_ref(at + 4)?),
            channel: r.get(at + 5)?,
            device: r.get(at + 6)?,
            campaign: r.get(at + 7)?,
            source_medium: crate::aggregate::source_medium(
                &String::from_utf8_lossy(bytes(r.get_ref(at + 8)?)),
                &String::from_utf8_lossy(bytes(r.get_ref(at + 9)?)),
            ),
            browser: r.get(at + 10)?,
            os: r.get(at + 11)?,
            vitals: crate::aggregate::read_vital_counts(r, at + 12)?,
            anonymous_id: bytes(r.get_ref(at + 12 + crate::aggregate::VITAL_COLUMNS.len())?).into(),
            visitor: NO_VISITOR,
            tags: Default::default(),
            all_tags: Default::default(),
            tag_times: Default::default(),
            revenue: Default::default(),
        })
    }
}

impl SessionWindow {
    fn build(conn: &Connection, site: &Option<String>, from: i64, upto: i64) -> Result<SessionWindow, ReadError> {
        let mut w = SessionWindow {
            from,
            upto,
            by_key: HashMap::new(),
            by_last: Default::default(),
            tag_ids: Default::default(),
            visitor_ids: Default::default(),
            visitors: Vec::new(),
            refunded: Default::default(),
            refunds_upto: 0,
        };
        let mut stmt = conn.prepare_cached(session_scan_sql(site.is_some()))?;
        let mut rows = match site {
            Some(s) => stmt.query(rusqlite::params![s, from])?,
            None => stmt.query([from])?,
        };
        while let Some(r) = rows.next()? {
            let key = (bytes(r.get_ref(0)?).to_vec(), bytes(r.get_ref(1)?).to_vec());
            let s = Summary::read(r, 2)?;
            w.insert(key, s);
        }
        Ok(w)
    }

    /// Puts a session in the window (it was not there), its visitor numbered; that number.
    fn insert(&mut self, key: SessionKey, mut s: Summary) -> u32 {
        if !s.anonymous_id.is_empty() {
            let v = match self.visitor_ids.get(&s.anonymous_id) {
                Some(&v) => v,
                None => {
                    let v = self.visitors.len() as u32;
                    self.visitors.push(Visitor { id: s.anonymous_id.clone(), sessions: 0, before: None });
                    self.visitor_ids.insert(s.anonymous_id.clone(), v);
                    v
                }
            };
            self.visitors[v as usize].sessions += 1;
            s.visitor = v;
        }
        let v = s.visitor;
        self.by_last.insert((s.last_ts, key.clone()));
        self.by_key.insert(key, s);
        v
    }

    /// Takes out a session that ended before the window's `from`: its visitor came before.
    fn leave(&mut self, key: &SessionKey) {
        if let Some(s) = self.by_key.remove(key) {
            self.by_last.remove(&(s.last_ts, key.clone()));
            self.forget_visit(s.visitor, true);
        }
    }

    /// One session of the visitor numbered `v` ([`NO_VISITOR`]: none) is no longer in the window;
    /// `ended_before`: it ended before the window's `from` (see [`Self::leave`]).
    fn forget_visit(&mut self, v: u32, ended_before: bool) {
        if let Some(visitor) = self.visitors.get_mut(v as usize) {
            visitor.sessions = visitor.sessions.saturating_sub(1);
            if ended_before {
                visitor.before = Some(true);
            }
        }
    }

    /// A session of the visitor `id` was stored ended before the window's `from` (it never
    /// entered the window): the visitor, if numbered, came before.
    fn visited_before(&mut self, id: &[u8]) {
        if let Some(&v) = self.visitor_ids.get(id) {
            self.visitors[v as usize].before = Some(true);
        }
    }

    fn advance(
        &mut self,
        conn: &Connection,
        feed: &Feed,
        site: &Option<String>,
        from: i64,
        upto: i64,
    ) -> Result<(), ReadError> {
        if upto > self.upto {
            let mut touched: Vec<SessionKey> = Vec::new();
            if let Some(mut keys) = feed.since(self.upto, upto, site) {
                keys.sort_unstable();
                keys.dedup();
                touched = keys;
            } else {
                let mut stmt = conn.prepare_cached(touched_sql(site.is_some()))?;
                let mut rows = match site {
                    Some(s) => stmt.query(rusqlite::params![s, self.upto, upto])?,
                    None => stmt.query([self.upto, upto])?,
                };
                while let Some(r) = rows.next()? {
                    touched.push((bytes(r.get_ref(0)?).to_vec(), bytes(r.get_ref(1)?).to_vec()));
                }
            }
            let mut stmt = conn.prepare_cached(SESSION_ROW_SQL)?;
            for key in touched {
                let old = self.by_key.remove(&key).map(|old| {
                    self.by_last.remove(&(old.last_ts, key.clone()));
                    old.visitor
                });
                // Bound as text (as stored): bytes would bind as a blob, which equals no text.
                let mut rows = stmt.query([as_text(&key.0), as_text(&key.1)])?;
                if let Some(r) = rows.next()? {
                    let s = Summary::read(r, 0)?;
                    if s.last_ts >= from {
                        // Begun before `from` and not in the window: back in it, or stored late.
                        // If it is the session that made its visitor one who came before, that no
                        // longer holds (it ends in the window now): asked again.
                        let back = old.is_none() && s.first_ts < from;
                        let v = self.insert(key, s);
                        if let Some(visitor) = self.visitors.get_mut(v as usize).filter(|_| back) {
                            visitor.before = None;
                        }
                    } else {
                        self.visited_before(&s.anonymous_id);
                    }
                }
                if let Some(v) = old {
                    self.forget_visit(v, false);
                }
            }
        }
        while let Some(first) = self.by_last.first() {
            if first.0 >= from {
                break;
            }
            let key = first.1.clone();
            self.leave(&key);
        }
        self.from = from;
        self.upto = upto;
        Ok(())
    }

    /// Brings [`Self::refunded`] up to the events `..=upto`: the refunds stored since, by the
    /// index of events by name (refunds are few; each read once while the window is kept).
    fn read_refunds(&mut self, conn: &Connection, site: &Option<String>, upto: i64) -> Result<(), ReadError> {
        if self.refunds_upto >= upto {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(REFUND_SESSIONS_SQL)?;
        let mut rows = stmt.query([self.refunds_upto, upto])?;
        while let Some(r) = rows.next()? {
            let (session, of) = (bytes(r.get_ref(0)?), bytes(r.get_ref(1)?));
            if site.as_ref().is_none_or(|s| s.as_bytes() == of) {
                self.refunded.insert((session.to_vec(), of.to_vec()));
            }
        }
        self.refunds_upto = upto;
        Ok(())
    }

    fn in_range(&self, to: i64) -> impl Iterator<Item = (&SessionKey, &Summary)> {
        self.by_key.iter().filter(move |(_, s)| s.first_ts < to)
    }
}

/// What the session answers are narrowed to besides the site and the range.
#[derive(Debug, Clone, Copy, Default)]
pub struct Narrow<'a> {
    /// The sessions carrying every one of these page tags (an event of theirs did, each).
    pub tag: Option<&'a crate::query::Tags>,
    /// The sessions of this device class (`context.device` of their first event that has one;
    /// '': none).
    pub device: Option<&'a str>,
    /// The sessions that reached this moment of truth.
    pub moment: Option<&'a str>,
}

/// Sessions in `[from, to)` (`last_ts >= from AND first_ts < to`): how many, how many with
/// friction, and their average score (as SQL's `AVG` of the integer scores gives it); and their
/// visitors (see [`SessionWindows::totals`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionTotals {
    pub sessions: i64,
    pub with_friction: i64,
    pub average_score: Option<f64>,
    pub visitors: i64,
    pub returning_visitors: i64,
}

/// What [`SessionWindows::channels`] groups sessions by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The attribution channel (`context.channel`).
    Channel,
    /// The device class (`context.device`).
    Device,
    /// The campaign (`context.campaign`: `utm_campaign`, kept with the channel).
    Campaign,
    /// The source / medium (`context.source` and `context.medium`: `utm_source` and
    /// `utm_medium`, kept with the channel), as `aggregate::source_medium` names them.
    Source,
    /// The browser family and major version (`agent::derive`, from the `User-Agent` of the
    /// session's earliest request that had one).
    Browser,
    /// The OS family (the same).
    Os,
}

/// One channel's (or device class's) sessions of a range (see [`SessionWindows::channels`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelTotals {
    /// The channel or device class ('' for sessions without one).
    pub channel: String,
    pub sessions: i64,
    pub with_friction: i64,
    /// Friction events of those sessions.
    pub friction: i64,
    pub score_sum: i64,
    /// Sessions that reached the goal.
    pub converted: i64,
    /// The Core Web Vitals' counts of those sessions' page_leave events, in the order of
    /// `aggregate::VITAL_COLUMNS`.
    pub vitals: VitalCounts,
    /// Those sessions' purchases and refunds in the range, and their values per currency.
    pub revenue: Revenue,
}

impl ChannelTotals {
    /// Counts one session in these figures; `goal`: the moment of truth that is a conversion;
    /// `revenue`: its purchases and refunds of that range too (read before: see
    /// [`SessionWindows::channels`]), those whose time is in it.
    fn count(&mut self, s: &Summary, goal: &str, revenue: Option<(i64, i64)>) {
        self.sessions += 1;
        self.with_friction += i64::from(s.friction > 0);
        self.friction += s.friction;
        self.score_sum += s.score;
        self.converted += i64::from(s.moments.as_ref().is_some_and(|m| m.iter().any(|m| m == goal)));
        add_vital_counts(&mut self.vitals, &s.vitals);
        if let (Some((from, to)), Some(money)) = (revenue, &*s.revenue.borrow()) {
            for m in money.iter().filter(|m| from <= m.ts && m.ts < to) {
                if m.refund {
                    self.revenue.add_refund(&m.amount);
                } else {
                    self.revenue.add_purchase(&m.amount);
                }
            }
        }
    }

    /// Adds `other`'s figures (not its name) to these.
    pub fn add(&mut self, other: &ChannelTotals) {
        self.sessions += other.sessions;
        self.with_friction += other.with_friction;
        self.friction += other.friction;
        self.score_sum += other.score_sum;
        self.converted += other.converted;
        add_vital_counts(&mut self.vitals, &other.vitals);
        self.revenue.add(&other.revenue);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SessionWindowKey {
    site: Option<String>,
    len: i64,
}

/// The sessions each recent commit touched, from the writer (in memory): a session window
/// moved by a poll reads them here instead of scanning the new rows of `events` (wide rows:
/// most of what moving it cost). A commit is pushed just after it is committed, so a snapshot
/// can be newer than the log; [`Feed::since`] then says so and the window reads `events`.
#[derive(Default)]
pub struct Feed {
    /// (first id, last id, sessions) per commit, oldest first; and how many sessions in all.
    log: Mutex<(std::collections::VecDeque<FeedEntry>, usize)>,
    /// Bumped by the writer when every read must let go of its snapshot now (see
    /// [`Feed::interrupt_reads`]); the read threads' progress handlers watch it.
    interrupts: std::sync::atomic::AtomicU64,
}

type FeedEntry = (i64, i64, Vec<SessionKey>);

/// Session keys the feed holds at most (older commits are forgotten).
const FEED_MAX_KEYS: usize = 200_000;

impl Feed {
    /// The writer committed the events `first..=last`, of these sessions (session id, site).
    pub fn push(&self, first: i64, last: i64, sessions: Vec<(String, String)>) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let (entries, keys) = &mut *log;
        *keys += sessions.len();
        entries.push_back((
            first,
            last,
            sessions.into_iter().map(|(s, site)| (s.into_bytes(), site.into_bytes())).collect(),
        ));
        while *keys > FEED_MAX_KEYS {
            let Some(e) = entries.pop_front() else { break };
            *keys -= e.2.len();
        }
    }

    /// Interrupts every read under way (they answer `503`; a kept query's background read is
    /// started again by its next poll), so that the writer can truncate the write-ahead log,
    /// which a read's snapshot holds back: after an erasure, the log still holds the erased
    /// events' pages, and a background read may hold its snapshot for minutes
    /// ([`crate::reads::BUILD_TIME_LIMIT`]).
    pub fn interrupt_reads(&self) {
        self.interrupts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many times [`Feed::interrupt_reads`] was called.
    pub fn interrupts(&self) -> u64 {
        self.interrupts.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Forgets every commit (an erasure took rows out: see `privacy.rs`).
    pub fn clear(&self) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        *log = Default::default();
    }

    /// The sessions with an event in `(after, upto]` (of `site`), if the log holds every commit
    /// of that range.
    fn since(&self, after: i64, upto: i64, site: &Option<String>) -> Option<Vec<SessionKey>> {
        if after >= upto {
            return Some(Vec::new());
        }
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let entries = &log.0;
        let start = entries.partition_point(|e| e.1 <= after);
        let mut covered = after;
        let mut out = Vec::new();
        for e in entries.range(start..) {
            if e.0 > upto {
                break;
            }
            // Commits' ids follow each other; a gap or an overlap: not this way.
            if e.0 != covered + 1 || e.1 > upto {
                return None;
            }
            let want = site.as_ref().map(|s| s.as_bytes());
            out.extend(e.2.iter().filter(|k| want.is_none_or(|w| k.1 == w)).cloned());
            covered = e.1;
        }
        (covered == upto).then_some(out)
    }
}

/// The session windows of one store, kept between polls like [`Windows`].
#[derive(Default)]
pub struct SessionWindows {
    kept: Shelf<SessionWindowKey, SessionWindow>,
    /// The writer's log of touched sessions (empty for a store without one: then `events` is read).
    pub feed: std::sync::Arc<Feed>,
}

impl SessionWindows {
    pub fn new() -> SessionWindows {
        SessionWindows::default()
    }

    /// Runs `f` on the sessions of `site` in `[from, to)` as of the caller's read transaction,
    /// in which the largest `events.id` is `upto`.
    fn with<T>(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        f: impl FnOnce(&mut dyn Iterator<Item = (&SessionKey, &Summary)>) -> T,
    ) -> Result<T, ReadError> {
        self.with_window(conn, site, from, to, upto, |w| f(&mut w.in_range(to)))
    }

    /// [`Self::with`], `f` given the window itself (the sessions of `[from, to)`: its sessions
    /// with `first_ts < to`).
    fn with_window<T>(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        f: impl FnOnce(&mut SessionWindow) -> T,
    ) -> Result<T, ReadError> {
        let key = SessionWindowKey { site: site.clone(), len: to - from };
        let kept = self.kept.take(&key);
        let w = match kept {
            Some(mut w) if w.from <= from && w.upto <= upto && upto - w.upto <= MAX_NEW_EVENTS => {
                w.advance(conn, &self.feed, site, from, upto)?;
                w
            }
            _ => SessionWindow::build(conn, site, from, upto)?,
        };
        let mut w = w;
        let out = f(&mut w);
        if w.by_key.len() > MAX_WINDOW_SESSIONS
            || w.tag_ids.len() > MAX_WINDOW_TAGS
            || w.visitors.len() > 2 * w.by_key.len() + MAX_WINDOW_VISITORS
        {
            return Ok(out);
        }
        self.kept.put(key, w, |old, w| old.upto > w.upto || old.from > w.from);
        Ok(out)
    }

    /// See [`SessionTotals`]; `n`: of the sessions carrying its tag and of its device class only.
    ///
    /// Visitors: the distinct visitors of those sessions, a session with an `anonymousId` by that
    /// id (across sites when `site` is None), one without (no marketing consent) as a visitor of
    /// its own. Returning visitors: those of them with an `anonymousId` that has more than one
    /// session (of `site`; of any device class and tag) begun before `to`: two or more in
    /// `[from, to)`, or one there and one that ended before `from`.
    #[allow(clippy::too_many_arguments)]
    pub fn totals(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        n: Narrow<'_>,
    ) -> Result<SessionTotals, ReadError> {
        let mut carries = match n.tag {
            Some(_) => Some(conn.prepare_cached(SESSION_TAG_SQL)?),
            None => None,
        };
        let mut probe = conn.prepare_cached(visitor_before_sql(site.is_some()))?;
        self.with_window(conn, site, from, to, upto, |w| {
            let SessionWindow { by_key, visitors: known, .. } = w;
            let in_range = || by_key.iter().filter(|(_, s)| s.first_ts < to);
            // Each visitor's sessions in the range, whatever their device class or tags, by its
            // number; `COUNTED` marks those already counted among the sessions asked for.
            const COUNTED: u32 = 1 << 31;
            let mut visits = vec![0u32; known.len()];
            for (_, s) in in_range().filter(|(_, s)| s.visitor != NO_VISITOR) {
                visits[s.visitor as usize] += 1;
            }
            let (mut sessions, mut with_friction, mut scores) = (0i64, 0i64, 0i64);
            let (mut anonymous, mut distinct, mut returning) = (0i64, 0i64, 0i64);
            // The visitors counted with one session in the range: whether they came before is
            // known, or probed below.
            let mut once: Vec<u32> = Vec::new();
            for (key, s) in in_range() {
                if n.device.is_some_and(|d| s.device != d)
                    || n.moment.is_some_and(|m| !s.moments.as_ref().is_some_and(|r| r.iter().any(|x| x == m)))
                {
                    continue;
                }
                if let (Some(tags), Some(stmt)) = (n.tag, &mut carries) {
                    if !carries_tags(stmt, key, s, tags)? {
                        continue;
                    }
                }
                sessions += 1;
                with_friction += i64::from(s.friction > 0);
                scores += s.score;
                if s.visitor == NO_VISITOR {
                    anonymous += 1;
                    continue;
                }
                let c = &mut visits[s.visitor as usize];
                if *c & COUNTED == 0 {
                    *c |= COUNTED;
                    distinct += 1;
                    if *c & !COUNTED >= 2 {
                        returning += 1;
                    } else {
                        once.push(s.visitor);
                    }
                }
            }
            for v in once {
                let v = &mut known[v as usize];
                let before = match v.before {
                    Some(b) => b,
                    None => {
                        let b = match site {
                            Some(site) => probe.exists(rusqlite::params![as_text(&v.id), from, site])?,
                            None => probe.exists(rusqlite::params![as_text(&v.id), from])?,
                        };
                        v.before = Some(b);
                        b
                    }
                };
                returning += i64::from(before);
            }
            Ok::<_, ReadError>(SessionTotals {
                sessions,
                with_friction,
                average_score: (sessions > 0).then(|| scores as f64 / sessions as f64),
                visitors: distinct + anonymous,
                returning_visitors: returning,
            })
        })?
    }

    /// How many sessions in `[from, to)` reached each of `steps`, in any order, each step on its
    /// own (one pass, for [`crate::query::reached_steps`]); `n` as for [`Self::funnel`].
    #[allow(clippy::too_many_arguments)]
    pub fn each_reached(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        steps: &[String],
        n: Narrow<'_>,
    ) -> Result<Vec<i64>, ReadError> {
        self.with_narrow(conn, site, from, to, upto, n, |sessions| {
            let mut reached = vec![0i64; steps.len()];
            for (_, s) in sessions {
                let Some(moments) = &s.moments else { continue };
                for (slot, step) in reached.iter_mut().zip(steps) {
                    if moments.contains(step) {
                        *slot += 1;
                    }
                }
            }
            reached
        })
    }

    /// (sessions in `[from, to)`, how many reached each of `steps` in order); `n`: of the
    /// sessions carrying its tag and of its device class only.
    #[allow(clippy::too_many_arguments)]
    pub fn funnel(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        steps: &[String],
        n: Narrow<'_>,
    ) -> Result<(i64, Vec<i64>), ReadError> {
        self.with_narrow(conn, site, from, to, upto, n, |sessions| {
            let mut reached = vec![0i64; steps.len()];
            let mut n = 0i64;
            for (_, s) in sessions {
                n += 1;
                let Some(moments) = &s.moments else { continue };
                let mut k = 0;
                for m in moments {
                    if k < steps.len() && *m == steps[k] {
                        k += 1;
                    }
                }
                for slot in reached.iter_mut().take(k) {
                    *slot += 1;
                }
            }
            (n, reached)
        })
    }

    /// Sessions in `[from, to)` per attribution channel, device class, campaign, source / medium,
    /// browser or OS (`by`; '' for sessions without one), in name order. `goal`: the moment of truth counted as a
    /// conversion; `n`: of the sessions carrying its tag and of its device class only; `revenue`:
    /// with their purchases and revenue (each session's read once, only of a session that reached
    /// `purchase`, and kept with its summary: about 0.3 ms a session at the first read, so only
    /// when asked).
    #[allow(clippy::too_many_arguments)]
    pub fn channels(
        &self,
        conn: &Connection,
        site: &Option<String>,
        (from, to): (i64, i64),
        upto: i64,
        goal: &str,
        n: Narrow<'_>,
        (by_what, revenue): (Segment, bool),
    ) -> Result<Vec<ChannelTotals>, ReadError> {
        let mut reads = if revenue { Some(MoneyReads::new(conn)?) } else { None };
        let mut carries = match n.tag {
            Some(_) => Some(conn.prepare_cached(SESSION_TAG_SQL)?),
            None => None,
        };
        self.with_window(conn, site, from, to, upto, |w| {
            if revenue {
                w.read_refunds(conn, site, upto)?;
            }
            let SessionWindow { by_key, refunded, .. } = w;
            // (Campaigns may be hundreds: an index by name.)
            let mut by: Vec<ChannelTotals> = Vec::new();
            let mut index: HashMap<&str, usize> = HashMap::new();
            // (As `with_narrow`: of its device class and tags only.)
            for (key, s) in by_key.iter().filter(|(_, s)| s.first_ts < to) {
                if n.device.is_some_and(|d| s.device != d) {
                    continue;
                }
                if let (Some(tags), Some(stmt)) = (n.tag, &mut carries) {
                    if !carries_tags(stmt, key, s, tags)? {
                        continue;
                    }
                }
                if let Some(reads) = &mut reads {
                    revenue_of(reads, refunded, key, s)?;
                }
                let name = match by_what {
                    Segment::Channel => &s.channel,
                    Segment::Device => &s.device,
                    Segment::Campaign => &s.campaign,
                    Segment::Source => &s.source_medium,
                    Segment::Browser => &s.browser,
                    Segment::Os => &s.os,
                };
                let i = *index.entry(name.as_str()).or_insert_with(|| {
                    by.push(ChannelTotals { channel: name.clone(), ..Default::default() });
                    by.len() - 1
                });
                by[i].count(s, goal, revenue.then_some((from, to)));
            }
            by.sort_by(|a, b| a.channel.cmp(&b.channel));
            Ok::<_, ReadError>(by)
        })?
    }

    /// [`Self::channels`] by the values of the page tag `key` instead (an experiment's variants:
    /// `pdp_cta` -> `A`, `B`): a session under each value of it that it carried (as
    /// `session_tags` says, on any of its events: so a value's figures are those of `tag=key:value`,
    /// and a session that saw both variants counts under both), '' for sessions that carried
    /// none. Each session's tags are read once and kept with its summary (see
    /// [`Summary::all_tags`]), as [`Self::tag_sessions`] reads them, so a poll reads only those of
    /// the sessions stored to since.
    #[allow(clippy::too_many_arguments)]
    pub fn channels_by_tag(
        &self,
        conn: &Connection,
        site: &Option<String>,
        (from, to): (i64, i64),
        upto: i64,
        goal: &str,
        n: Narrow<'_>,
        (key, revenue): (&str, bool),
    ) -> Result<Vec<ChannelTotals>, ReadError> {
        let mut carries = conn.prepare_cached(SESSION_TAG_SQL)?;
        let mut of_session = conn.prepare_cached(SESSION_TAGS_SQL)?;
        let mut reads = if revenue { Some(MoneyReads::new(conn)?) } else { None };
        self.with_window(conn, site, from, to, upto, |w| {
            if revenue {
                w.read_refunds(conn, site, upto)?;
            }
            let SessionWindow { by_key, tag_ids, refunded, .. } = w;
            let mut buf = Vec::new();
            let mut chosen: Vec<&Summary> = Vec::new();
            for (k, s) in by_key.iter().filter(|(_, s)| s.first_ts < to) {
                if n.device.is_some_and(|d| s.device != d) {
                    continue;
                }
                if let Some(tags) = n.tag {
                    if !carries_tags(&mut carries, k, s, tags)? {
                        continue;
                    }
                }
                if s.all_tags.borrow().is_none() {
                    let mut ids = Vec::new();
                    let mut rows = of_session.query([as_text(&k.0), as_text(&k.1)])?;
                    while let Some(r) = rows.next()? {
                        ids.push(tag_id(tag_ids, &mut buf, [bytes(r.get_ref(0)?), bytes(r.get_ref(1)?)]));
                    }
                    *s.all_tags.borrow_mut() = Some(ids.into());
                }
                if let Some(reads) = &mut reads {
                    revenue_of(reads, refunded, k, s)?;
                }
                chosen.push(s);
            }
            // The numbered tags of `key`: number -> value.
            let mut value_of: HashMap<u32, String> = HashMap::new();
            for (joined, &id) in tag_ids.iter() {
                if let Some([k, v]) = split_key(joined) {
                    if k == key.as_bytes() {
                        value_of.insert(id, String::from_utf8_lossy(v).into_owned());
                    }
                }
            }
            let mut by: Vec<ChannelTotals> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            let mut values: Vec<&str> = Vec::new();
            for s in chosen {
                values.clear();
                values.extend(
                    s.all_tags
                        .borrow()
                        .iter()
                        .flat_map(|ids| ids.iter())
                        .filter_map(|id| value_of.get(id))
                        .map(String::as_str),
                );
                if values.is_empty() {
                    values.push("");
                }
                for v in &values {
                    let i = match index.get(*v) {
                        Some(&i) => i,
                        None => {
                            by.push(ChannelTotals { channel: v.to_string(), ..Default::default() });
                            index.insert(v.to_string(), by.len() - 1);
                            by.len() - 1
                        }
                    };
                    by[i].count(s, goal, revenue.then_some((from, to)));
                }
            }
            by.sort_by(|a, b| a.channel.cmp(&b.channel));
            Ok::<_, ReadError>(by)
        })?
    }

    /// [`Self::with_tag`], and of `n.device` only, if given (the session's device class).
    #[allow(clippy::too_many_arguments)]
    fn with_narrow<T>(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        n: Narrow<'_>,
        f: impl FnOnce(&mut dyn Iterator<Item = (&SessionKey, &Summary)>) -> T,
    ) -> Result<T, ReadError> {
        match n.device {
            None => self.with_tag(conn, site, from, to, upto, n.tag, f),
            Some(d) => self.with_tag(conn, site, from, to, upto, n.tag, |sessions| {
                f(&mut sessions.filter(|(_, s)| s.device == d))
            }),
        }
    }

    /// [`Self::with`] the sessions carrying every one of `tag` only, if given (an event of theirs
    /// did, each, at any time, as `session_tags` says): each session looked up there once per
    /// tag and the answer remembered with its summary, so a poll looks up only the sessions
    /// stored to since.
    #[allow(clippy::too_many_arguments)]
    fn with_tag<T>(
        &self,
        conn: &Connection,
        site: &Option<String>,
        from: i64,
        to: i64,
        upto: i64,
        tag: Option<&crate::query::Tags>,
        f: impl FnOnce(&mut dyn Iterator<Item = (&SessionKey, &Summary)>) -> T,
    ) -> Result<T, ReadError> {
        let Some(tag) = tag else { return self.with(conn, site, from, to, upto, f) };
        let mut carries = conn.prepare_cached(SESSION_TAG_SQL)?;
        self.with(conn, site, from, to, upto, |sessions| {
            let mut tagged = Vec::new();
            for (key, s) in sessions {
                if carries_tags(&mut carries, key, s, tag)? {
                    tagged.push((key, s));
                }
            }
            Ok(f(&mut tagged.into_iter()))
        })?
    }

    /// How many sessions in `[from, to)` carry every one of `tag` (see [`Self::with_tag`]).
    pub fn tagged(
        &self,
        conn: &Connection,
        site: &Option<String>,
        (from, to): (i64, i64),
        upto: i64,
        tag: &crate::query::Tags,
    ) -> Result<i64, ReadError> {
        self.with_tag(conn, site, from, to, upto, Some(tag), |sessions| sessions.count() as i64)
    }

    /// Forgets every window (tests).
    pub fn clear(&self) {
        self.kept.clear();
    }
}

/// Whether the session `key` (summary `s`) carried every one of `tags` (see [`carries_tag`]).
fn carries_tags(
    stmt: &mut rusqlite::CachedStatement<'_>,
    key: &SessionKey,
    s: &Summary,
    tags: &crate::query::Tags,
) -> Result<bool, ReadError> {
    for tag in tags.all() {
        if !carries_tag(stmt, key, s, tag)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the session `key` (summary `s`) carries `tag`: as remembered with its summary, else
/// looked up with `stmt` ([`SESSION_TAG_SQL`]) and remembered (see [`SessionWindows::with_tag`]).
fn carries_tag(
    stmt: &mut rusqlite::CachedStatement<'_>,
    key: &SessionKey,
    s: &Summary,
    tag: &crate::query::Tag,
) -> Result<bool, ReadError> {
    let mut known = s.tags.borrow_mut();
    if let Some(&(_, has)) = known.iter().find(|(t, _)| t == tag) {
        return Ok(has);
    }
    let has = stmt.exists(rusqlite::params![as_text(&key.0), as_text(&key.1), tag.key, tag.value])?;
    // A few tags per session at most: an inspector asks about one at a time, a read of several
    // tags about each.
    if known.len() < MAX_TAGS_KNOWN {
        known.push((tag.clone(), has));
    }
    Ok(has)
}

/// Whether a session carried a tag (its row of `session_tags`).
const SESSION_TAG_SQL: &str =
    "SELECT 1 FROM session_tags AS t WHERE t.session_id = ?1 AND t.site = ?2 AND t.key = ?3 AND t.value = ?4";

/// The tags whose answer a session's summary remembers at most (two reads of the most tags a
/// read takes, `query::MAX_TAGS`).
const MAX_TAGS_KNOWN: usize = 2 * crate::query::MAX_TAGS;

// ---------------------------------------------------------------------------------------------
// The sessions where a friction happened (the leaderboard's click-through)

/// Per (session, site) with friction rows matching the filters in `[from, to)` (ids up to
/// `upto`): how many, and the latest time. Moved like [`Window`].
struct ElementWindow {
    from: i64,
    to: i64,
    upto: i64,
    sessions: HashMap<SessionKey, (u32, i64)>,
}

impl ElementWindow {
    fn add(&mut self, r: &Row<'_>) {
        let e = self.sessions.entry((r.session.to_vec(), r.site.to_vec())).or_insert((0, r.ts));
        e.0 += 1;
        e.1 = e.1.max(r.ts);
    }

    fn remove(&mut self, r: &Row<'_>) {
        let key = (r.session.to_vec(), r.site.to_vec());
        if let Some(e) = self.sessions.get_mut(&key) {
            e.0 -= 1;
            if e.0 == 0 {
                self.sessions.remove(&key);
            }
        }
    }

    /// The first `limit` (session, site, latest time) by latest time, newest first; ties by
    /// session id and site (bytes), as SQLite's `GROUP BY session_id, site ORDER BY at DESC`
    /// gives them (its sort keeps the grouped order for equal times).
    fn top(&self, limit: i64) -> Vec<(&[u8], &[u8], i64)> {
        let mut all: Vec<(&[u8], &[u8], i64)> =
            self.sessions.iter().map(|((s, site), &(_, at))| (s.as_slice(), site.as_slice(), at)).collect();
        all.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(b.0)).then_with(|| a.1.cmp(b.1)));
        all.truncate(limit.max(0) as usize);
        all
    }
}

#[derive(Default)]
pub struct ElementWindows {
    kept: Shelf<(Filters, i64), ElementWindow>,
}

impl ElementWindows {
    /// The sessions with friction rows matching `f` in `[from, to)`, as of the caller's read
    /// transaction in which the largest friction id is `upto`: (session, site, latest time) of
    /// the first `limit` by latest time (see [`ElementWindow::top`]), passed to `each`.
    #[allow(clippy::too_many_arguments)]
    pub fn top<T>(
        &self,
        conn: &Connection,
        f: &Filters,
        from: i64,
        to: i64,
        upto: i64,
        limit: i64,
        each: impl FnOnce(Vec<(&[u8], &[u8], i64)>) -> T,
    ) -> Result<T, ReadError> {
        let key = (f.clone(), to - from);
        let kept = self.kept.take(&key);
        let w = match kept {
            Some(mut w)
                if movable((w.from, w.to, w.upto), (from, to), upto) && w.sessions.len() <= MAX_WINDOW_SESSIONS =>
            {
                let (old_from, old_to, old_upto) = (w.from, w.to, w.upto);
                scan_range(conn, f, old_from, from, old_upto, |r| w.remove(r))?;
                scan_range(conn, f, old_to, to, old_upto, |r| w.add(r))?;
                scan_new(conn, f, from, to, old_upto, upto, |r| w.add(r))?;
                w.from = from;
                w.to = to;
                w.upto = upto;
                w
            }
            _ => {
                let mut w = ElementWindow { from, to, upto, sessions: HashMap::new() };
                scan_range(conn, f, from, to, upto, |r| w.add(r))?;
                w
            }
        };
        let out = each(w.top(limit));
        self.kept.put(key, w, |old, w| old.upto > w.upto || old.to > w.to);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// The sessions of the page tags (`/api/tags`)

/// Every page tag a session carried (its rows of `session_tags`).
const SESSION_TAGS_SQL: &str = "SELECT t.key, t.value FROM session_tags AS t WHERE t.session_id = ?1 AND t.site = ?2";

/// A session's events, with what their time is made of (each event's rows of `event_tags` are
/// at that time: see [`EVENT_TAG_ROWS_SQL`]).
const SESSION_EVENTS_SQL: &str =
    "SELECT timestamp, received_at, sent_at FROM events INDEXED BY events_session WHERE session_id = ?1 AND site = ?2";

/// The rows of `event_tags` of one session at one time: those at its time, site and session in
/// the time index.
const EVENT_TAG_ROWS_SQL: &str =
    "SELECT t.key, t.value FROM event_tags AS t INDEXED BY event_tags_ts WHERE t.ts = ?1 AND t.site = ?2 AND t.session_id = ?3";

/// The SQL shapes the tags' sessions read `event_tags` and `session_tags` with (for `EXPLAIN
/// QUERY PLAN` in the tests): (sql, arguments).
pub fn tags_shapes() -> Vec<(String, usize)> {
    vec![(EVENT_TAG_ROWS_SQL.into(), 3), (SESSION_TAG_SQL.into(), 4), (SESSION_TAGS_SQL.into(), 2)]
}

/// Those that read `events` (a session's events, its purchases).
pub fn session_events_shapes() -> Vec<(String, usize)> {
    vec![
        (SESSION_EVENTS_SQL.into(), 2),
        (SESSION_PURCHASES_SQL.into(), 2),
        (ORDER_BODY_SQL.into(), 2),
        (REFUND_SESSIONS_SQL.into(), 2),
    ]
}

/// The number of a tag (its key and value) in a session window's `tag_ids`, made on first sight
/// (`buf`: scratch space, so that a tag seen before allocates nothing).
fn tag_id(ids: &mut HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>, buf: &mut Vec<u8>, tag: [&[u8]; 2]) -> u32 {
    joined_key(buf, tag);
    if let Some(&id) = ids.get(buf.as_slice()) {
        return id;
    }
    let id = ids.len() as u32;
    ids.insert(buf.as_slice().into(), id);
    id
}

/// The two parts of a key [`joined_key`] made (None: not one).
fn split_key(key: &[u8]) -> Option<[&[u8]; 2]> {
    let part = |rest: &[u8]| -> Option<(usize, usize)> {
        let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        (rest.len() >= 4 + len).then_some((4, 4 + len))
    };
    let (a0, a1) = part(key)?;
    let rest = &key[a1..];
    let (b0, b1) = part(rest)?;
    (b1 == rest.len()).then_some([&key[a0..a1], &rest[b0..b1]])
}

/// `parts`, each preceded by its length (so that no two run together), into `key`.
fn joined_key(key: &mut Vec<u8>, parts: [&[u8]; 2]) {
    key.clear();
    for p in parts {
        key.extend_from_slice(&(p.len() as u32).to_le_bytes());
        key.extend_from_slice(p);
    }
}

impl SessionWindows {
    /// How many sessions of `site` have an event carrying each of `tags` (key, value) with its
    /// time in `[from, to)`, as counting the distinct sessions of the tags' rows of `event_tags`
    /// in the range gives, as of the caller's read transaction in which the largest `events.id`
    /// is `upto`. From the session window of the range (every such session is in it: its events'
    /// times are between its first and last): a session inside the range counts under every tag
    /// it carried (`session_tags`); one that begins before the range or ends after it, under the
    /// tags of its rows in the range (its rows of `event_tags`, found from its own events). Both
    /// are read once per session and kept with its summary (until one of its events is stored),
    /// the tags by their number in the window, so that a poll reads only those of the sessions
    /// stored to since and of those the range's ends newly cross, and counts the others'.
    pub fn tag_sessions(
        &self,
        conn: &Connection,
        site: &Option<String>,
        (from, to): (i64, i64),
        upto: i64,
        tags: &[(&str, &str)],
    ) -> Result<Vec<i64>, ReadError> {
        let mut counts = vec![0i64; tags.len()];
        if tags.is_empty() {
            return Ok(counts);
        }
        let mut of_session = conn.prepare_cached(SESSION_TAGS_SQL)?;
        let mut events = conn.prepare_cached(SESSION_EVENTS_SQL)?;
        let mut rows_at = conn.prepare_cached(EVENT_TAG_ROWS_SQL)?;
        self.with_window(conn, site, from, to, upto, |w| {
            let SessionWindow { by_key, tag_ids, .. } = w;
            let mut buf = Vec::new();
            // Each tag number's place in `tags` (none: not asked for); the tags asked for are
            // numbered first, so that those numbered while sessions are read are none of them.
            let mut slot: Vec<usize> = Vec::new();
            for (i, (k, v)) in tags.iter().enumerate() {
                let id = tag_id(tag_ids, &mut buf, [k.as_bytes(), v.as_bytes()]) as usize;
                if slot.len() <= id {
                    slot.resize(id + 1, usize::MAX);
                }
                slot[id] = i;
            }
            let place = |id: u32| slot.get(id as usize).copied().filter(|&i| i < tags.len());
            // The last session counted under each tag (its number), so that one counts once.
            let mut last = vec![usize::MAX; tags.len()];
            for (n, (key, s)) in by_key.iter().filter(|(_, s)| s.first_ts < to).enumerate() {
                if s.first_ts >= from && s.last_ts < to {
                    // Inside the range: every tag it carried, read once.
                    if s.all_tags.borrow().is_none() {
                        let mut ids = Vec::new();
                        let mut rows = of_session.query([as_text(&key.0), as_text(&key.1)])?;
                        while let Some(r) = rows.next()? {
                            ids.push(tag_id(tag_ids, &mut buf, [bytes(r.get_ref(0)?), bytes(r.get_ref(1)?)]));
                        }
                        *s.all_tags.borrow_mut() = Some(ids.into());
                    }
                    for &id in s.all_tags.borrow().iter().flat_map(|ids| ids.iter()) {
                        if let Some(i) = place(id) {
                            counts[i] += 1;
                        }
                    }
                    continue;
                }
                // Crossing an end: its rows in time, read once: its events' times (from
                // `events`, as the writer made them), then its rows of `event_tags` at each.
                if s.tag_times.borrow().is_none() {
                    let mut at = Vec::new();
                    let mut rows = events.query([as_text(&key.0), as_text(&key.1)])?;
                    while let Some(r) = rows.next()? {
                        let captured =
                            crate::facts::parse_iso_millis(r.get_ref(0)?.as_str().unwrap_or("")).unwrap_or(0);
                        at.push(crate::aggregate::counts_at(captured, r.get(1)?, r.get(2)?));
                    }
                    at.sort_unstable();
                    at.dedup();
                    let mut times = Vec::new();
                    for ts in at {
                        let mut rows = rows_at.query(rusqlite::params![ts, as_text(&key.1), as_text(&key.0)])?;
                        while let Some(r) = rows.next()? {
                            times.push((tag_id(tag_ids, &mut buf, [bytes(r.get_ref(0)?), bytes(r.get_ref(1)?)]), ts));
                        }
                    }
                    *s.tag_times.borrow_mut() = Some(times);
                }
                for &(id, ts) in s.tag_times.borrow().iter().flatten() {
                    if let Some(i) = place(id).filter(|_| (from..to).contains(&ts)) {
                        if last[i] != n {
                            last[i] = n;
                            counts[i] += 1;
                        }
                    }
                }
            }
            Ok::<_, ReadError>(())
        })??;
        Ok(counts)
    }
}

/// Everything the read side keeps between polls, per store.
#[derive(Default)]
pub struct Kept {
    pub friction: Windows,
    pub sessions: SessionWindows,
    pub elements: ElementWindows,
    /// The figures of several tags at once, per hour (see [`crate::tagsets`]).
    pub tag_hours: crate::tagsets::HourShelf,
}

impl Kept {
    pub fn new() -> Kept {
        Kept::default()
    }

    /// With the writer's log of touched sessions.
    pub fn with_feed(feed: std::sync::Arc<Feed>) -> Kept {
        Kept { sessions: SessionWindows { feed, ..Default::default() }, ..Default::default() }
    }
}

/// The largest `events.id` and `friction.id` of the caller's read transaction. Called by every
/// read before it uses a kept window: it also notes the snapshot's erasure count (see
/// [`ERASURES`]).
pub fn snapshot_ids(conn: &Connection) -> Result<(i64, i64), ReadError> {
    // (A database from before erasures has no such row, the tests' tables no `meta`: 0.)
    let erasures: i64 = conn
        .prepare_cached("SELECT COALESCE((SELECT value FROM meta WHERE key = 'erasures'), 0)")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .unwrap_or(0);
    ERASURES.set(erasures);
    let events: i64 = conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM events")?.query_row([], |r| r.get(0))?;
    let friction: i64 =
        conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM friction")?.query_row([], |r| r.get(0))?;
    Ok((events, friction))
}
