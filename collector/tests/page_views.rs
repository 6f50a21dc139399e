//! The pages count each page view once: a view whose tab was hidden and shown again sends a
//! `page_leave` per stretch (the later ones with `resumed: true`, carrying the stretch's engaged
//! time and the view's deepest scroll so far), and was averaged as several leaves: a view left at
//! 10 % (hidden), then read to 100 %, counted as two leaves averaging 55 % instead of one view at
//! 100 % (`/tmp/qa15/news/avg-repro.sh`). Now `leaves` are the views left and
//! `averageScrollPct` averages each view's deepest point, alike without a tag, with one, with
//! several, per device class, after an erasure and in a database counted before.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::{json, Value};
use touchpoint_collector::Store;

/// Minutes after 2026-11-20T10:00:00Z.
fn at(min: u32) -> String {
    format!("2026-11-20T{:02}:{:02}:00.000Z", 10 + min / 60, min % 60)
}

const RANGE: &str = "from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z";

/// An event of `session` on `path` (site qa-news-avg, on a desktop, tagged `ab=B` and `lang=en`).
fn ev(id: &str, session: &str, name: &str, min: u32, path: &str, props: Value) -> Value {
    json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": at(min), "sessionId": session, "site": "news",
        "properties": props,
        "context": {"page": {"url": format!("http://127.0.0.1:19220{path}"), "path": path, "title": "t", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}, "device": "desktop",
                    "tags": {"ab": "B", "lang": "en"}}
    })
}

fn view(id: &str, session: &str, min: u32, path: &str) -> Value {
    ev(id, session, "page_view", min, path, json!({"navigation": "load"}))
}

/// A `page_leave` as the SDK sends it: `resumed` for a later stretch of the same view.
fn leave(id: &str, session: &str, min: u32, path: &str, engaged_ms: i64, scroll: i64, resumed: bool) -> Value {
    let mut p = json!({"category": "touchpoint", "path": path, "engaged_ms": engaged_ms, "max_scroll_pct": scroll});
    if resumed {
        p["resumed"] = json!(true);
    }
    ev(id, session, "page_leave", min, path, p)
}

/// The QA reproduction and more:
/// - s-one reads /avg.html to 100 % in one go (60 s);
/// - s-two leaves it at 10 % (hidden: another tab), then comes back and reads to 100 % (55 s);
/// - s-three hides it three times: 20 %, 40 %, 70 % (10 s each);
/// - s-four views /avg.html twice (two views: 30 %, then 90 %), with /other.html hidden and
///   resumed in between, and a resumed leave of /avg.html's second view after /other.html's;
/// - s-five's only leave is a resumed one (its first lost): a view of its own, at 50 %.
fn reading() -> Vec<Vec<Value>> {
    let p = "/avg.html";
    vec![
        vec![view("1", "s-one", 0, p), leave("2", "s-one", 1, p, 60_000, 100, false)],
        vec![view("3", "s-two", 0, p), leave("4", "s-two", 1, p, 5_000, 10, false)],
        vec![leave("5", "s-two", 3, p, 55_000, 100, true)],
        vec![
            view("6", "s-three", 2, p),
            leave("7", "s-three", 3, p, 10_000, 20, false),
            leave("8", "s-three", 4, p, 10_000, 40, true),
        ],
        vec![leave("9", "s-three", 70, p, 10_000, 70, true)],
        vec![
            view("10", "s-four", 5, p),
            leave("11", "s-four", 6, p, 1_000, 30, false),
            view("12", "s-four", 7, p),
            leave("13", "s-four", 8, p, 2_000, 60, false),
            view("14", "s-four", 9, "/other.html"),
            leave("15", "s-four", 10, "/other.html", 4_000, 50, false),
            leave("16", "s-four", 11, p, 3_000, 90, true),
            leave("17", "s-four", 12, "/other.html", 4_000, 40, true),
        ],
        vec![view("18", "s-five", 13, p), leave("19", "s-five", 14, p, 7_000, 50, true)],
    ]
}

/// Each view's deepest point on /avg.html: 100, 100, 70, 30, 90, 50 (six views, six left);
/// engaged time 60 + (5 + 55) + 3 × 10 + (1 + 2 + 3) + 7 s over them; /other.html one view at 50
/// (its resumed leave, at 40, no deeper).
const AVG: &str = "\"/avg.html\" v6 l6 e27166.666666666668 s73.33333333333333";
const OTHER: &str = "\"/other.html\" v1 l1 e8000.0 s50.0";

/// `/api/pages` of the range with `extra` parameters, a line per page:
/// `path vVIEWS lLEAVES eENGAGED_PER_VIEW sAVERAGE_SCROLL`, by path.
async fn pages(t: &TestApp, extra: &str) -> Vec<String> {
    let mut rows: Vec<String> = api(t, &format!("/api/pages?{RANGE}&site=news&sort=views{extra}")).await["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} v{} l{} e{} s{}",
                p["path"], p["views"], p["leaves"], p["engagedMsPerView"], p["averageScrollPct"]
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Every way the pages are read: the page tables, per device class, the tag page tables (one
/// tag), the events of several tags (read one by one).
async fn every_reading(t: &TestApp) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for extra in ["", "&device=desktop", "&tag=ab:B", "&tag=ab:B&tag=lang:en", "&tag=ab:B&tag=lang:en&device=desktop"] {
        out.push(pages(t, extra).await);
    }
    out
}

#[tokio::test]
async fn a_view_counts_once_at_its_deepest_point_however_many_page_leaves_it_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    // The QA reproduction alone first: one view at 100 %, one left at 10 % then read to 100 %.
    let batches = reading();
    for b in &batches[..3] {
        ingest(&t, b.clone()).await;
    }
    assert_eq!(pages(&t, "").await, ["\"/avg.html\" v2 l2 e60000.0 s100.0"], "avg-repro.sh: 100, not 55 + 100 / 2");
    for b in &batches[3..] {
        ingest(&t, b.clone()).await;
    }
    for (i, rows) in every_reading(&t).await.into_iter().enumerate() {
        assert_eq!(rows, [AVG, OTHER], "reading {i}");
    }
    // A range that holds the views' first leaves but not s-three's last (at 11:10): its views
    // as far as the range saw them (s-three at 40 %).
    let a = get(&t.app, "/api/pages?from=2026-11-20T10:00:00Z&to=2026-11-20T11:00:00Z&site=news").await;
    let avg = a.json()["pages"].as_array().unwrap().iter().find(|p| p["path"] == "/avg.html").unwrap().clone();
    assert_eq!((avg["leaves"].clone(), avg["averageScrollPct"].clone()), (json!(6), json!(410.0 / 6.0)), "{avg}");
    assert_aggregates_are_rebuilt(&path, &PAGE_TABLES);
    // Erased, a session takes out what it added, per view.
    let store = t.state.store.clone();
    let gone = tokio::task::spawn_blocking(move || store.erase(vec![("s-four".into(), "news".into())])).await.unwrap();
    assert_eq!(gone.unwrap().events, 8);
    assert_eq!(pages(&t, "").await, ["\"/avg.html\" v4 l4 e39250.0 s80.0"]);
    assert_eq!(pages(&t, "&tag=ab:B&tag=lang:en").await, ["\"/avg.html\" v4 l4 e39250.0 s80.0"]);
    assert_aggregates_are_rebuilt(&path, &PAGE_TABLES);
}

/// A database of schema version 29, which counted every page_leave, gets its pages counted again
/// per view when it holds a resumed one.
#[tokio::test]
async fn a_version_29_database_gets_its_pages_counted_again_per_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    {
        let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
        for b in reading() {
            ingest(&t, b).await;
        }
    }
    // As version 29 counted them: every page_leave a leave, with its whole scroll.
    let conn = Connection::open(&path).unwrap();
    for table in ["page_minutes", "page_hours", "page_days", "tag_page_minutes", "tag_page_hours", "tag_page_days"] {
        conn.execute_batch(&format!("UPDATE {table} SET leaves = leaves + 1, scroll_pct = scroll_pct + 45;")).unwrap();
    }
    conn.execute_batch("PRAGMA user_version = 29;").unwrap();
    drop(conn);
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    for (i, rows) in every_reading(&t).await.into_iter().enumerate() {
        assert_eq!(rows, [AVG, OTHER], "reading {i}");
    }
    drop(t);
    assert_aggregates_are_rebuilt(&path, &PAGE_TABLES);
}

/// The tables checked against a rebuild: the page tables, the tag page tables and `sessions`.
const PAGE_TABLES: [&str; 7] =
    ["page_minutes", "page_hours", "page_days", "tag_page_minutes", "tag_page_hours", "tag_page_days", "sessions"];
