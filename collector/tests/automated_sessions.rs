//! Automated traffic is left out per session, not per event: a session one of whose events says
//! `context.automated` (a browser a program drives: the shop's own end-to-end test) is in no
//! figure of the inspector, whole, its events without the flag included (the order its test
//! placed, confirmed by the shop's server through the server-side event API, which says nothing of
//! a browser), whatever order they arrive in; and its session view answers a distinct `404`, or
//! its journey when asked for with `automated=1`.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::{json, Value};
use touchpoint_collector::Store;

/// Minutes after 2026-11-20T10:00:00Z.
fn at(min: u32, sec: u32) -> String {
    format!("2026-11-20T{:02}:{:02}:{:02}.000Z", 10 + min / 60, min % 60, sec)
}

const RANGE: &str = "from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z";

fn ev(id: &str, session: &str, name: &str, min: u32, path: &str, props: Value) -> Value {
    json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": at(min, 0), "sessionId": session, "site": "shop",
        "properties": props, "anonymousId": format!("visitor-{session}"),
        "context": {"page": {"url": format!("http://127.0.0.1:8080{path}"), "path": path, "title": "T", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}, "device": "desktop",
                    "channel": "email", "tags": {"ab": "B"}}
    })
}

/// A visit of `session`: a page view, a dead click, the three moments of truth (its purchase of
/// order `order`) and a page leave. `automated`: as the SDK sends it from a browser a program
/// drives.
fn visit(session: &str, order: &str, automated: bool) -> Vec<Value> {
    let dead = json!({"category": "friction", "element": {"selector": "#plus", "tag": "button"}});
    let mut events = vec![
        ev(&format!("{session}-1"), session, "page_view", 1, "/shop", json!({"navigation": "load"})),
        ev(&format!("{session}-2"), session, "dead_click", 2, "/shop", dead),
        ev(&format!("{session}-3"), session, "add_to_cart", 3, "/shop", json!({})),
        ev(&format!("{session}-4"), session, "begin_checkout", 4, "/shop", json!({})),
        ev(
            &format!("{session}-5"),
            session,
            "purchase",
            5,
            "/shop",
            json!({"transaction_id": order, "currency": "EUR", "value": 12}),
        ),
        ev(
            &format!("{session}-6"),
            session,
            "page_leave",
            6,
            "/shop",
            json!({"category": "touchpoint", "path": "/shop", "engaged_ms": 30000, "max_scroll_pct": 80}),
        ),
    ];
    if automated {
        for e in &mut events {
            e["context"]["automated"] = json!(true);
        }
    }
    events
}

/// The shop's server confirming order `order` of `session` through the server-side event API, as
/// the collector's README shows it: no page, no browser, no `context.automated`.
fn confirmation(session: &str, order: &str) -> Value {
    json!({
        "type": "track", "event": "purchase", "messageId": format!("order-{order}"), "timestamp": at(7, 0),
        "sessionId": session, "site": "shop",
        "properties": {"transaction_id": order, "value": 24, "currency": "EUR"},
        "context": {"page": {"url": "", "path": "", "title": "", "referrer": ""},
                    "library": {"name": "shop-server", "version": "1"}}
    })
}

/// Every figure of the inspector's refresh, as one line each: what the human's session alone
/// must give, with or without the test's session stored.
async fn figures(t: &TestApp) -> Vec<String> {
    let o = api(t, &format!("/api/overview?{RANGE}&site=shop")).await;
    let sessions = api(t, &format!("/api/sessions?{RANGE}&site=shop")).await;
    let funnel = api(t, &format!("/api/funnel?{RANGE}&site=shop")).await;
    let channels = api(t, &format!("/api/channels?{RANGE}&site=shop&revenue=1")).await;
    let pages = api(t, &format!("/api/pages?{RANGE}&site=shop")).await;
    let tags = api(t, &format!("/api/tags?{RANGE}&site=shop")).await;
    let board = api(t, &format!("/api/friction?{RANGE}&site=shop")).await;
    let series = api(t, &format!("/api/timeseries?{RANGE}&site=shop&metric=sessions&bucket=hour")).await;
    let by_tag = api(t, &format!("/api/overview?{RANGE}&site=shop&tag=ab:B")).await;
    let by_device = api(t, &format!("/api/overview?{RANGE}&site=shop&device=desktop")).await;
    let ids: Vec<&str> =
        sessions["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    let channel = &channels["channels"];
    vec![
        format!(
            "overview sessions {} visitors {} events {} friction {} withFriction {}",
            o["sessions"], o["visitors"], o["events"], o["friction"], o["sessionsWithFriction"]
        ),
        format!("by tag sessions {} events {}", by_tag["sessions"], by_tag["events"]),
        format!("by device sessions {} events {}", by_device["sessions"], by_device["events"]),
        format!("sessions {ids:?}"),
        format!("funnel {}", funnel["steps"]),
        format!(
            "channels {}",
            channel
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("{} {} {} {}", c["channel"], c["sessions"], c["purchases"], c["revenue"]))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!(
            "pages {}",
            pages["pages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| format!("{} v{} l{} f{}", p["path"], p["views"], p["leaves"], p["friction"]))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!("tags {}", tags["tags"]),
        format!(
            "leaderboard {}",
            board["rows"]
                .as_array()
                .or(board["friction"].as_array())
                .map(|r| r
                    .iter()
                    .map(|r| format!("{} {} {}", r["type"], r["count"], r["sessions"]))
                    .collect::<Vec<_>>())
                .unwrap_or_default()
                .join(", ")
        ),
        format!("series {}", series["series"]),
    ]
}

/// The QA engineer's case: their end-to-end test placed an order (every browser event says
/// `context.automated`), then their shop's server confirmed it into the same session without the
/// flag. That one event brought the whole test session into the overview, the sessions and the
/// channels' revenue (its browser purchase too), while the funnel still said 0. Now the session
/// is out of every figure, and the events arriving after it stay out.
#[tokio::test]
async fn a_session_with_one_automated_event_is_in_no_figure_whatever_comes_after() {
    let dir = tempfile::tempdir().unwrap();
    let t = app_on(Store::open(dir.path().join("t.sqlite").to_str().unwrap()).unwrap());
    ingest(&t, visit("human", "T-1", false)).await;
    let human_only = figures(&t).await;
    assert_eq!(
        human_only[0], "overview sessions 1 visitors 1 events 6 friction 1 withFriction 1",
        "the human's visit is counted: {human_only:?}"
    );
    assert!(human_only[5].contains("1 1 {\"EUR\":12.0}"), "{human_only:?}");

    let test_session = "d1e74965-51cf-46b8-8602-1055d140a106";
    ingest(&t, visit(test_session, "T1765034905000", true)).await;
    assert_eq!(figures(&t).await, human_only, "the test's browser events: in no figure");
    // The shop's server confirms the test's order, without the flag (webhook.sh).
    ingest(&t, vec![confirmation(test_session, "qa-5521")]).await;
    assert_eq!(figures(&t).await, human_only, "nor once its server posted into the same session");
    // Later events of it without the flag stay out too (an event the SDK sent unflagged).
    let mut later = visit(test_session, "T-later", false);
    for e in &mut later {
        e["messageId"] = json!(format!("later-{}", e["messageId"].as_str().unwrap()));
    }
    ingest(&t, later).await;
    assert_eq!(figures(&t).await, human_only);
    // Stored all the same, and counted among the site's events.
    let stats = api(&t, "/api/stats").await;
    assert_eq!(stats["bySite"]["shop"], json!(6 + 6 + 1 + 6), "{stats}");
}

/// The other order: the server's event first (a session counted), then the test's browser
/// events saying `context.automated` (their batch delayed): the session is taken out of every
/// figure it was counted in, the kept windows of a poll before included, and the aggregates are
/// what a rebuild of the stored events makes.
#[tokio::test]
async fn a_session_counted_before_its_first_automated_event_is_taken_out_of_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    ingest(&t, visit("human", "T-1", false)).await;
    let human_only = figures(&t).await;
    let test_session = "qa-run-7";
    // Its server's confirmation and a first page view without the flag (an SDK that could not
    // tell yet), counted as a customer's...
    let mut early = vec![confirmation(test_session, "qa-5521")];
    let mut first = visit(test_session, "T-2", false).remove(0);
    first["messageId"] = json!("early-view");
    early.push(first);
    ingest(&t, early).await;
    let counted = figures(&t).await;
    assert_ne!(counted, human_only, "counted while nothing said it was automated");
    assert_eq!(counted[0], "overview sessions 2 visitors 2 events 8 friction 1 withFriction 1");
    // ... until its browser events, flagged, arrive.
    ingest(&t, visit(test_session, "T-2", true)).await;
    assert_eq!(figures(&t).await, human_only, "taken out of every figure, the windows kept by the polls too");
    let conn = Connection::open(&path).unwrap();
    let marked: i64 = conn.query_row("SELECT COUNT(*) FROM automated_sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(marked, 1);
    drop(conn);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
    // A person's export with what the collector holds beside the events says it was taken for
    // automated traffic (it has no session row to give).
    let keys = vec![(test_session.to_string(), "shop".to_string())];
    let lines = t.state.store.export_with(&keys, usize::MAX, true).unwrap().unwrap();
    let lines: Vec<Value> =
        String::from_utf8(lines).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let held: Vec<&Value> = lines.iter().filter(|l| l["collected"].is_string() && l["collected"] != "event").collect();
    assert_eq!(held, [&json!({"collected": "automated", "sessionId": test_session, "site": "shop"})]);
    // Erased, it leaves no mark.
    let store = t.state.store.clone();
    let key = (test_session.to_string(), "shop".to_string());
    let done = tokio::task::spawn_blocking(move || store.erase(vec![key])).await.unwrap().unwrap();
    assert_eq!(done.events, 8);
    let conn = Connection::open(&path).unwrap();
    let marked: i64 = conn.query_row("SELECT COUNT(*) FROM automated_sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(marked, 0);
    drop(conn);
    assert_eq!(figures(&t).await, human_only);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// A session of automated traffic's own view: `404` with a reason of its own (it said `no
/// session`, as for a mistyped id, and a QA engineer checking a staging journey thought it lost),
/// and its journey with `automated=1`: its summary as it would have been counted, all its events
/// (the server's too), `automated: true`. A customer's session says `automated: false`.
#[tokio::test]
async fn the_view_of_an_automated_session_says_so_and_shows_it_when_asked() {
    let t = app_on(Store::open(":memory:").unwrap());
    let test_session = "d1e74965-51cf-46b8-8602-1055d140a106";
    ingest(&t, visit(test_session, "T1765034905000", true)).await;
    ingest(&t, vec![confirmation(test_session, "qa-5521")]).await;
    ingest(&t, visit("human", "T-1", false)).await;

    let a = get(&t.app, &format!("/api/sessions/{test_session}")).await;
    assert_eq!(a.status.as_u16(), 404);
    assert_eq!(a.header("cache-control"), Some("no-store"));
    let said = a.json();
    assert_eq!(said["automated"], json!(true), "{said}");
    assert_eq!((said["sessionId"].as_str(), said["site"].as_str()), (Some(test_session), Some("shop")));
    assert!(said["error"].as_str().unwrap().starts_with("automated traffic: not kept in the figures"), "{said}");
    assert!(said["error"].as_str().unwrap().contains("automated=1"), "{said}");
    // Of another site: none.
    let a = get(&t.app, &format!("/api/sessions/{test_session}?site=blog")).await;
    assert_eq!((a.status.as_u16(), a.json()["error"].clone()), (404, json!(format!("no session {test_session:?}"))));
    assert_eq!(a.json().get("automated"), None);
    // A mistyped id: as before.
    let a = get(&t.app, "/api/sessions/nope").await;
    assert_eq!((a.status.as_u16(), a.json()), (404, json!({"error": "no session \"nope\""})));

    for q in ["automated=1", "automated=1&site=shop"] {
        let j = api(&t, &format!("/api/sessions/{test_session}?{q}")).await;
        assert_eq!(j["automated"], json!(true));
        let s = &j["session"];
        assert_eq!(
            (s["sessionId"].as_str(), s["site"].as_str(), s["events"].as_i64(), s["friction"].as_i64()),
            (Some(test_session), Some("shop"), Some(7), Some(1)),
            "{j}"
        );
        assert_eq!(s["moments"], json!(["add_to_cart", "begin_checkout", "purchase"]));
        assert_eq!(
            (s["start"].as_str(), s["end"].as_str()),
            (Some("2026-11-20T10:01:00.000Z"), Some("2026-11-20T10:07:00.000Z"))
        );
        assert_eq!(
            (s["channel"].as_str(), s["device"].as_str(), s["entryPath"].as_str()),
            (Some("email"), Some("desktop"), Some("/shop"))
        );
        let names: Vec<&str> = j["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["page_view", "dead_click", "add_to_cart", "begin_checkout", "purchase", "page_leave", "purchase"]
        );
    }
    // The same summary as a customer's identical session gets from ingestion.
    let human = api(&t, "/api/sessions/human").await;
    assert_eq!(human["automated"], json!(false));
    let replayed = api(&t, &format!("/api/sessions/{test_session}?automated=1")).await;
    let mut want = human["session"].clone();
    let mut got = replayed["session"].clone();
    for v in [&mut want, &mut got] {
        for k in ["sessionId", "events", "touchpoints", "end", "lastPath", "browser", "os"] {
            v.as_object_mut().unwrap().remove(k);
        }
    }
    assert_eq!(got, want);
    // Asked for, a customer's session is as before.
    assert_eq!(api(&t, "/api/sessions/human?automated=1").await, human);
    let a = get(&t.app, &format!("/api/sessions/{test_session}?automated=yes")).await;
    assert_eq!((a.status.as_u16(), a.error()), (400, "automated: expected 1 or 0".to_string()));
}

/// A database of schema version 29 (automated traffic left out per event) holding a session
/// with events with and without the flag, counted, gets its aggregates built again when opened:
/// the session is marked and in no figure.
#[tokio::test]
async fn a_version_29_database_with_a_counted_automated_session_is_built_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let test_session = "qa-old";
    {
        let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
        ingest(&t, visit("human", "T-1", false)).await;
        ingest(&t, visit(test_session, "T-2", true)).await;
    }
    let human_only = {
        let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
        figures(&t).await
    };
    // What a collector of version 29 made of the server's confirmation: the session counted
    // with it alone (its browser events left out one by one), and no mark.
    {
        let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
        ingest(&t, vec![confirmation("not-yet", "qa-5521")]).await;
    }
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "UPDATE events SET session_id = '{test_session}' WHERE session_id = 'not-yet';
         UPDATE sessions SET session_id = '{test_session}' WHERE session_id = 'not-yet';
         DELETE FROM automated_sessions; PRAGMA user_version = 29;"
    ))
    .unwrap();
    drop(conn);
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    assert_eq!(figures(&t).await, human_only);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(texts(&conn, "SELECT session_id FROM automated_sessions"), [test_session]);
    assert_eq!(user_version(&conn), touchpoint_collector::store::SCHEMA_VERSION);
    drop(conn);
    drop(t);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}
