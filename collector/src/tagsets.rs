//! Reads narrowed to several page tags at once (`tag=` repeated): the events carrying every one
//! of them.
//!
//! The per-tag counts kept at ingest (the tag count tables, the tag page tables) cannot answer
//! them: an event is counted under each of its tags alone. So these figures are read from
//! `event_tags`: the rarest tag's rows of a range (one range of its primary key), each checked
//! for the others by their whole key, and for the pages, the vitals and a device class each
//! event's own row (its body read through the same checks as at ingest, `facts::extract`, as the
//! version 17 migration counted the tag page tables). That costs per event of the rarest tag, not
//! per day, so the figures of each whole hour of a range are kept between polls ([`HourShelf`]):
//! a poll reads again only the partial hours at the range's ends and the hours that events
//! stored since fell in (an event may arrive late, with an old time), not the whole range.

use std::collections::HashMap;

use rusqlite::{params_from_iter, Connection, OptionalExtension};

use crate::query::{Tag, Tags};
use crate::reads::ReadError;

/// A page's counts as the page tables keep them (see `aggregate::PAGE_COLUMNS`).
pub type Counts = crate::aggregate::PageCounts;

/// What the events of a span carrying the tags add up to: how many, how many of them are
/// friction, and (when read with their bodies) their page counts per page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub events: i64,
    pub friction: i64,
    pub pages: HashMap<String, Counts>,
}

impl Figures {
    fn add_page(&mut self, path: &str, counts: &Counts) {
        let row = match self.pages.get_mut(path) {
            Some(row) => row,
            None => self.pages.entry(path.to_string()).or_default(),
        };
        for (sum, n) in row.iter_mut().zip(counts) {
            *sum += n;
        }
    }
}

/// The event's kind, time and body, by its id (the device class and page counts come from its
/// body, as at ingest).
pub const EVENT_SQL: &str = "SELECT event, timestamp, body, session_id, site FROM events WHERE id = ?1";

/// Hands each event of `[from, to)` (`site`'s, or every site's) carrying every one of `tags`
/// (rarest first: the first tag's rows are read) to `each`: its time, whether it is friction,
/// and with `bodies` its page and page counts when it counts on a page (a page view, a page
/// leave, a friction event: [`crate::aggregate::page_counts`]); of those captured on `device`
/// only, if given (each event read by its id for it: `event_tags` does not keep it).
pub fn scan(
    conn: &Connection,
    site: &Option<String>,
    device: Option<&str>,
    tags: &[Tag],
    (from, to): (i64, i64),
    bodies: bool,
    mut each: impl FnMut(i64, bool, Option<(&str, &Counts)>),
) -> Result<(), ReadError> {
    if from >= to {
        return Ok(());
    }
    let q = crate::query::all_tagged_events_sql("t.ts, t.friction, t.event_id", site, tags, from, to);
    let mut stmt = conn.prepare_cached(&q.0)?;
    let mut event_of = conn.prepare_cached(EVENT_SQL)?;
    let mut rows = stmt.query(params_from_iter(q.1.iter()))?;
    while let Some(r) = rows.next()? {
        let (ts, friction, id): (i64, bool, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if device.is_none() && !bodies {
            each(ts, friction, None);
            continue;
        }
        let Some((event, timestamp, body, session_id, event_site)) = event_of
            .query_row([id], |e| {
                let [event, timestamp, body, session_id, site]: [String; 5] =
                    [e.get(0)?, e.get(1)?, e.get(2)?, e.get(3)?, e.get(4)?];
                Ok((event, timestamp, body, session_id, site))
            })
            .optional()?
        else {
            continue;
        };
        // (Only what a device class or a page needs is read through.)
        let on_page = friction || event == "page_view" || event == "page_leave";
        if device.is_none() && !on_page {
            each(ts, friction, None);
            continue;
        }
        let facts = crate::facts::extract(&event, &timestamp, &body);
        if device.is_some_and(|d| d != facts.device) {
            continue;
        }
        // (Each page view once, as the tag page tables count it.)
        let counts = crate::aggregate::view_page_counts(conn, id, &session_id, &event_site, &event, &facts)?;
        let page = (bodies && counts.iter().any(|&n| n != 0)).then_some((facts.path.as_str(), &counts));
        each(ts, friction, page);
    }
    Ok(())
}

/// The figures of `[from, to)` in one span (see [`scan`]).
fn figures(
    conn: &Connection,
    site: &Option<String>,
    device: Option<&str>,
    tags: &[Tag],
    range: (i64, i64),
    bodies: bool,
) -> Result<Figures, ReadError> {
    let mut f = Figures::default();
    scan(conn, site, device, tags, range, bodies, |_, friction, page| {
        f.events += 1;
        f.friction += i64::from(friction);
        if let Some((path, counts)) = page {
            f.add_page(path, counts);
        }
    })?;
    Ok(f)
}

const HOUR_MS: i64 = 3_600_000;

/// What the figures of a set of tags are kept for: the site, the device class, the tags,
/// whether with their pages (bodies read), and the range's length (a poll moves its range: the
/// pages of the last day and of the last week are kept apart, each with its own hours).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    site: Option<String>,
    device: Option<String>,
    tags: Tags,
    bodies: bool,
    len: i64,
}

/// The figures of whole hours (by the hour's number, unix ms / 3,600,000) as of the read
/// snapshot whose largest `events.id` is `upto`.
struct Hours {
    upto: i64,
    hours: HashMap<i64, Figures>,
}

impl Hours {
    /// Page rows and hours held (the memory it takes, about 200 bytes each).
    fn size(&self) -> usize {
        self.hours.values().map(|f| 1 + f.pages.len()).sum()
    }
}

/// Most page rows and hours one kept [`Hours`] holds (a larger one is used once and dropped):
/// some 40 MB.
const MAX_KEPT_ROWS: usize = 200_000;
/// Most new events an [`Hours`] is moved by (more: it is built again).
const MAX_NEW_EVENTS: i64 = 500_000;

/// The times of the events stored in `(?, ?]` (of one site), as they count.
fn new_events_sql(site: bool) -> &'static str {
    if site {
        "SELECT timestamp, received_at, sent_at FROM events INDEXED BY events_site_id
          WHERE site = ?1 AND id > ?2 AND id <= ?3"
    } else {
        "SELECT timestamp, received_at, sent_at FROM events WHERE id > ?1 AND id <= ?2"
    }
}

/// The SQL shapes of this module that read `events` (for `EXPLAIN QUERY PLAN` in the tests).
pub fn shapes() -> Vec<(String, usize)> {
    vec![(new_events_sql(true).into(), 3), (new_events_sql(false).into(), 2), (EVENT_SQL.into(), 1)]
}

/// The figures of several tags kept per whole hour between polls, per [`Key`] (at most
/// [`crate::window::MAX_WINDOWS`], as the other kept windows).
#[derive(Default)]
pub struct HourShelf {
    kept: crate::window::Shelf<Key, Hours>,
    /// How many hours were read from `event_tags` (not taken from what was kept): tests.
    pub hours_read: std::sync::atomic::AtomicU64,
}

impl HourShelf {
    /// Hands the figures of the events of `[from, to)` carrying every one of `tags` (`site`'s,
    /// `device`'s; with `bodies`, with their pages) to `each`, span by span: each whole hour
    /// inside the range (kept), and the milliseconds before the first and after the last (read
    /// at each call), each with the time it begins. `rarest`: the tags, rarest first (the order
    /// they are read in). As of the caller's read transaction, whose largest `events.id` is
    /// `upto`.
    #[allow(clippy::too_many_arguments)]
    pub fn spans(
        &self,
        conn: &Connection,
        site: &Option<String>,
        device: Option<&str>,
        (tags, rarest): (&Tags, &[Tag]),
        (from, to): (i64, i64),
        bodies: bool,
        upto: i64,
        mut each: impl FnMut(i64, &Figures),
    ) -> Result<(), ReadError> {
        let (h0, h1) = ((from + HOUR_MS - 1).div_euclid(HOUR_MS), to.div_euclid(HOUR_MS));
        if h0 >= h1 {
            each(from, &figures(conn, site, device, rarest, (from, to), bodies)?);
            return Ok(());
        }
        let key =
            Key { site: site.clone(), device: device.map(String::from), tags: tags.clone(), bodies, len: to - from };
        let mut kept = match self.kept.take(&key) {
            Some(h) if h.upto <= upto && upto - h.upto <= MAX_NEW_EVENTS => h,
            _ => Hours { upto, hours: HashMap::new() },
        };
        if kept.upto < upto {
            // The hours the events stored since fell in are read again.
            let mut stmt = conn.prepare_cached(new_events_sql(site.is_some()))?;
            let mut rows = match site {
                Some(s) => stmt.query(rusqlite::params![s, kept.upto, upto])?,
                None => stmt.query([kept.upto, upto])?,
            };
            while let Some(r) = rows.next()? {
                let captured = crate::facts::parse_iso_millis(r.get_ref(0)?.as_str().unwrap_or("")).unwrap_or(0);
                let ts = crate::aggregate::counts_at(captured, r.get(1)?, r.get(2)?);
                kept.hours.remove(&ts.div_euclid(HOUR_MS));
            }
            kept.upto = upto;
        }
        // Only the hours of this range are kept.
        kept.hours.retain(|h, _| (h0..h1).contains(h));
        each(from, &figures(conn, site, device, rarest, (from, h0 * HOUR_MS), bodies)?);
        for h in h0..h1 {
            let f = match kept.hours.entry(h) {
                std::collections::hash_map::Entry::Occupied(f) => f.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    self.hours_read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    v.insert(figures(conn, site, device, rarest, (h * HOUR_MS, (h + 1) * HOUR_MS), bodies)?)
                }
            };
            each(h * HOUR_MS, f);
        }
        each(h1 * HOUR_MS, &figures(conn, site, device, rarest, (h1 * HOUR_MS, to), bodies)?);
        if kept.size() <= MAX_KEPT_ROWS {
            self.kept.put(key, kept, |old, new| old.upto > new.upto);
        }
        Ok(())
    }

    /// Forgets everything kept (tests).
    pub fn clear(&self) {
        self.kept.clear();
    }
}
