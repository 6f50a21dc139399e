//! A person's data, all of it (GDPR Art. 15): `POST /admin/export` with `"collected": true`
//! gives, beside their events as sent (unchanged, as the export without it gives them), what the
//! collector derived or kept about them that is in no event: each event's arrival, browser and
//! OS, each session's row, and the repeats of their orders (`order_repeats`). And what an
//! erasure or the retention deletes is all of it: every table holding a session id is looked at,
//! a session that sent nothing but a repeated purchase included, and automated traffic (which has
//! no session row) past the retention too.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use rusqlite::Connection;
use serde_json::{json, Value};
use touchpoint_collector::facts::{format_iso_millis, now_ms, parse_iso_millis};
use touchpoint_collector::Store;

const ADMIN: &str = "admin-token-0123456789";
const SAFARI_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1";
const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) \
     Chrome/131.0.6778.81 Mobile Safari/537.36";

/// Minutes after 2026-11-20T10:00:00Z.
fn at(min: u32) -> String {
    format!("2026-11-20T{:02}:{:02}:00.000Z", 10 + min / 60, min % 60)
}

/// An event of `session` on the shop, by customer `user` when given.
fn ev(id: &str, session: &str, name: &str, min: u32, user: Option<&str>, props: Value) -> Value {
    let mut e = json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": at(min), "sessionId": session, "site": "shop",
        "properties": props, "anonymousId": format!("a-{session}"),
        "context": {"page": {"url": "http://127.0.0.1:8080/thanks", "path": "/thanks", "title": "T", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}, "device": "mobile"}
    });
    if let Some(u) = user {
        e["userId"] = json!(u);
    }
    e
}

fn purchase(id: &str, session: &str, min: u32, user: Option<&str>, order: &str) -> Value {
    ev(id, session, "purchase", min, user, json!({"transaction_id": order, "value": 30, "currency": "EUR"}))
}

fn app(store: Store) -> TestApp {
    app_of(state_on(store).with_admin_token(Some(ADMIN.into())))
}

async fn admin(t: &TestApp, path: &str, body: Value) -> Answer {
    let req = Request::post(path)
        .header("host", HOST)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    send(&t.app, req).await
}

fn lines(a: &Answer) -> Vec<String> {
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.bytes));
    String::from_utf8(a.bytes.clone()).unwrap().lines().map(str::to_string).collect()
}

fn parsed(lines: &[String]) -> Vec<Value> {
    lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Customer c-7 bought order T-9 in s1 (Chrome on Android), whose thanks page was reloaded
/// there; opened it again the next hour in s2 (Safari on an iPhone), signed in; and a tab
/// restored later sent T-9's purchase once more, alone, in s3 (a session of nothing but that
/// repeat: no event stored). Another customer, c-8, in s9, with a repeat of their own order.
async fn seed(t: &TestApp) {
    let s1 = vec![
        ev("s1-1", "s1", "page_view", 1, None, json!({})),
        purchase("s1-2", "s1", 2, Some("c-7"), "T-9"),
        purchase("s1-3", "s1", 3, Some("c-7"), "T-9"),
    ];
    assert_eq!(post_as(t, Some(CHROME_ANDROID), s1).await, (2, 1));
    let s2 = vec![ev("s2-1", "s2", "page_view", 60, Some("c-7"), json!({})), purchase("s2-2", "s2", 61, None, "T-9")];
    assert_eq!(post_as(t, Some(SAFARI_IOS), s2).await, (1, 1));
    assert_eq!(post_as(t, Some(SAFARI_IOS), vec![purchase("s3-1", "s3", 90, None, "T-9")]).await, (0, 1));
    let s9 = vec![purchase("s9-1", "s9", 5, Some("c-8"), "T-50"), purchase("s9-2", "s9", 6, Some("c-8"), "T-50")];
    assert_eq!(post_as(t, Some(CHROME_ANDROID), s9).await, (1, 1));
}

/// Without `collected`, the export is what it was: one event per line, each as sent. With it, the
/// same lines, then lines of another shape (a `collected` member and no `type`, which every event
/// has) with what the collector holds beside: each event's arrival, browser and OS, each session's
/// row, and the repeats of the person's orders and those their sessions sent, each once.
#[tokio::test]
async fn an_export_with_collected_gives_what_the_collector_kept_beside_the_events() {
    let t = app(Store::open(":memory:").unwrap());
    let before = now_ms();
    seed(&t).await;
    let after = now_ms();
    let who = json!({"userId": "c-7"});

    let plain = lines(&admin(&t, "/admin/export", who.clone()).await);
    let sent = vec![
        ev("s1-1", "s1", "page_view", 1, None, json!({})),
        purchase("s1-2", "s1", 2, Some("c-7"), "T-9"),
        ev("s2-1", "s2", "page_view", 60, Some("c-7"), json!({})),
    ];
    assert_eq!(parsed(&plain), sent, "each line the event as sent, and nothing else");

    let full = admin(&t, "/admin/export", json!({"userId": "c-7", "collected": true})).await;
    assert_eq!(full.header("x-sessions"), Some("2"));
    assert_eq!(full.header("content-type"), Some("application/x-ndjson"));
    let full = lines(&full);
    // The events' lines: byte for byte those of the plain export, in the same order.
    let events: Vec<String> =
        full.iter().filter(|l| serde_json::from_str::<Value>(l).unwrap().get("type").is_some()).cloned().collect();
    assert_eq!(events, plain);
    let kept: Vec<Value> = parsed(&full).into_iter().filter(|v| v.get("type").is_none()).collect();
    for v in &kept {
        assert!(v["collected"].is_string(), "{v}");
    }
    // Each session's events first, then what was kept of that session.
    let kinds: Vec<String> = parsed(&full)
        .iter()
        .map(|v| match v.get("type") {
            Some(_) => format!("{} sent", v["sessionId"].as_str().unwrap()),
            None => format!("{} {}", v["sessionId"].as_str().unwrap_or("-"), v["collected"].as_str().unwrap()),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "s1 sent",
            "s1 sent",
            "s1 event",
            "s1 event",
            "s1 session",
            "s1 orderRepeat",
            "s2 orderRepeat",
            "s3 orderRepeat",
            "s2 sent",
            "s2 event",
            "s2 session",
        ]
    );

    // Each event's: its arrival, and the browser and OS of its request.
    let of_event = |id: &str| kept.iter().find(|v| v["collected"] == "event" && v["messageId"] == id).unwrap().clone();
    let s1 = of_event("s1-2");
    let received = parse_iso_millis(s1["receivedAt"].as_str().unwrap()).unwrap();
    assert!((before..=after).contains(&received), "{s1}");
    assert_eq!(
        (s1["sessionId"].clone(), s1["site"].clone(), s1["browser"].clone(), s1["os"].clone()),
        (json!("s1"), json!("shop"), json!("Chrome 131"), json!("Android"))
    );
    assert_eq!(
        (of_event("s2-1")["browser"].clone(), of_event("s2-1")["os"].clone()),
        (json!("Safari 17"), json!("iOS"))
    );
    assert_eq!(kept.iter().filter(|v| v["collected"] == "event").count(), 3);

    // Each session's row: what the collector computed of it (its score among them).
    let session = |id: &str| kept.iter().find(|v| v["collected"] == "session" && v["sessionId"] == id).unwrap().clone();
    let s1 = session("s1");
    assert_eq!(s1["start"], json!(at(1)));
    assert_eq!(s1["end"], json!(at(2)));
    assert_eq!(s1["events"], json!(2));
    assert_eq!(s1["userId"], json!("c-7"));
    assert_eq!(s1["anonymousId"], json!("a-s1"));
    assert_eq!(
        (s1["browser"].clone(), s1["os"].clone(), s1["device"].clone()),
        (json!("Chrome 131"), json!("Android"), json!("mobile"))
    );
    assert!(s1["score"].as_i64().is_some_and(|s| (0..=100).contains(&s)), "{s1}");
    assert_eq!(s1["moments"], json!(["purchase"]));
    assert_eq!(session("s2")["browser"], json!("Safari 17"));

    // The repeats: s1's own reload, s2's, and s3's (a session of c-7's? unknown: the order is
    // theirs), each once; not c-8's.
    let repeats: Vec<Value> = kept.iter().filter(|v| v["collected"] == "orderRepeat").cloned().collect();
    let ids: Vec<&str> = repeats.iter().map(|r| r["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["s1-3", "s2-2", "s3-1"]);
    let r = &repeats[1];
    assert_eq!(
        (r["site"].clone(), r["transactionId"].clone(), r["at"].clone()),
        (json!("shop"), json!("T-9"), json!(at(61)))
    );
    assert!(parse_iso_millis(r["receivedAt"].as_str().unwrap()).is_some_and(|t| (before..=after).contains(&t)), "{r}");

    // An unknown member is still refused; `collected` of an erasure is let be (it erases all).
    assert_eq!(admin(&t, "/admin/export", json!({"userId": "c-7", "all": true})).await.status, StatusCode::BAD_REQUEST);
}

/// A session that sent nothing but a repeated purchase (no event stored, no session row): found
/// by its id, exported and erased (before, `{"sessionId": "s3"}` found nothing and its repeat
/// stayed).
#[tokio::test]
async fn a_session_of_nothing_but_a_repeat_is_exported_and_erased_by_its_id() {
    let t = app(Store::open(":memory:").unwrap());
    seed(&t).await;
    let who = json!({"sessionId": "s3", "collected": true});
    let a = admin(&t, "/admin/export", who.clone()).await;
    assert_eq!(a.header("x-sessions"), Some("1"));
    let got = parsed(&lines(&a));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0]["collected"].clone(), got[0]["messageId"].clone()), (json!("orderRepeat"), json!("s3-1")));
    let dry = admin(&t, "/admin/erase", json!({"sessionId": "s3", "dryRun": true})).await;
    assert_eq!(dry.json(), json!({"sessions": 1, "events": 0, "dryRun": true}));
    let done = admin(&t, "/admin/erase", json!({"sessionId": "s3"})).await;
    assert_eq!(done.json(), json!({"sessions": 1, "events": 0, "dryRun": false}));
    let a = admin(&t, "/admin/export", who).await;
    assert_eq!((a.header("x-sessions"), a.bytes.len()), (Some("0"), 0));
    // T-9's other repeats stay (its purchase, in s1, stays).
    let full = parsed(&lines(&admin(&t, "/admin/export", json!({"sessionId": "s1", "collected": true})).await));
    let ids: Vec<&str> =
        full.iter().filter(|v| v["collected"] == "orderRepeat").map(|v| v["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["s1-3", "s2-2"]);
}

/// Every table with a `session_id` column, and the sessions each holds.
fn sessions_by_table(conn: &Connection) -> Vec<(String, BTreeSet<String>)> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT m.name FROM sqlite_master AS m WHERE m.type = 'table'
               AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'session_id') ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let ids = conn
                .prepare(&format!("SELECT DISTINCT session_id FROM {t}"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (t, ids)
        })
        .collect()
}

/// After a person's erasure, no table holds a session of theirs but the deletion log (which says
/// what was deleted, for a warehouse: the session id, its site, when and why); the repeats of
/// their order went, those of another customer's order stayed. A table added later with a
/// `session_id` column is looked at too.
#[tokio::test]
async fn an_erasure_leaves_no_session_of_theirs_in_any_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.sqlite");
    let t = app(Store::open(path.to_str().unwrap()).unwrap());
    seed(&t).await;
    // Friction and a page tag in s1 too (rows of `friction`, `event_tags`, `session_tags`).
    let mut rage = ev(
        "s1-4",
        "s1",
        "rage_click",
        3,
        Some("c-7"),
        json!({"category": "friction", "element": {"selector": "#pay", "tag": "button"}}),
    );
    rage["context"]["tags"] = json!({"ab": "v1"});
    assert_eq!(post_as(&t, Some(CHROME_ANDROID), vec![rage]).await, (1, 0));
    // And a run of the shop's end-to-end test signed in as them (`automated_sessions`).
    let mut bot = ev("s4-1", "s4", "page_view", 4, Some("c-7"), json!({}));
    bot["context"]["automated"] = json!(true);
    assert_eq!(post_as(&t, Some(CHROME_ANDROID), vec![bot]).await, (1, 0));
    let conn = Connection::open(&path).unwrap();
    let tables = sessions_by_table(&conn);
    let names: Vec<&str> = tables.iter().map(|(t, _)| t.as_str()).collect();
    for t in [
        "events",
        "friction",
        "sessions",
        "event_tags",
        "session_tags",
        "order_repeats",
        "deletions",
        "automated_sessions",
    ] {
        assert!(names.contains(&t), "{t} in {names:?}");
    }
    for (t, ids) in &tables {
        let session = if t == "automated_sessions" { "s4" } else { "s1" };
        if !["deletions", "order_repeats"].contains(&t.as_str()) {
            assert!(ids.contains(session), "{t}: {ids:?}");
        }
    }
    let done = admin(&t, "/admin/erase", json!({"userId": "c-7"})).await;
    assert_eq!(done.json(), json!({"sessions": 3, "events": 5, "dryRun": false}));
    for (t, ids) in sessions_by_table(&conn) {
        let theirs: Vec<&String> = ids.iter().filter(|s| ["s1", "s2", "s3", "s4"].contains(&s.as_str())).collect();
        if t == "deletions" {
            assert_eq!(theirs, ["s1", "s2", "s4"], "the log of what was deleted");
        } else {
            assert!(theirs.is_empty(), "{t} still holds {theirs:?}");
        }
    }
    let repeats = texts(&conn, "SELECT message_id FROM order_repeats ORDER BY 1");
    assert_eq!(repeats, ["s9-2"], "s3's went with T-9, c-8's stayed");
}

/// The retention erases automated traffic too: a session whose events all say
/// `context.automated` has no session row (it is in no figure), and the retention, which found
/// the sessions past it by their rows, kept its events for ever (its events may name a customer:
/// a shop's test account, a real browser a program drives). And with a session past it, the
/// repeats it sent go; a session with an event newer than the cutoff stays whole.
#[test]
fn the_retention_erases_automated_sessions_and_the_repeats_of_those_it_erases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("retention.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let day = 86_400_000;
    let now = now_ms();
    let ago = |days: i64| format_iso_millis(now - days * day);
    let timed = |mut e: Value, when: String| {
        e["timestamp"] = json!(when);
        e
    };
    let bot = |id: &str, session: &str, days: i64| {
        let mut e = timed(ev(id, session, "page_view", 0, Some("qa-account"), json!({})), ago(days));
        e["context"]["automated"] = json!(true);
        e
    };
    let batch = vec![
        // Past a 30-day retention: a customer's session (a purchase, and a repeat of an order
        // bought in a kept session), a bot's.
        timed(purchase("old-1", "old", 0, Some("c-1"), "T-1"), ago(40)),
        bot("bot-1", "bot-old", 40),
        bot("bot-2", "bot-old", 39),
        // Kept: a bot's session with one event inside the retention, and a customer's.
        bot("bot-3", "bot-mixed", 40),
        bot("bot-4", "bot-mixed", 2),
        timed(purchase("new-1", "new", 0, Some("c-2"), "T-2"), ago(2)),
    ];
    assert_eq!(store.insert_batch(parse_events(batch)).unwrap().accepted, 6);
    let repeat = timed(purchase("old-2", "old", 0, Some("c-1"), "T-2"), ago(40));
    assert_eq!(store.insert_batch(parse_events(vec![repeat])).unwrap().duplicates, 1);
    // (Received when they were captured, as a collector running then would have.)
    let conn = Connection::open(&path).unwrap();
    let mut set = conn.prepare("UPDATE events SET received_at = ?1 WHERE message_id = ?2").unwrap();
    for (id, days) in [("old-1", 40), ("bot-1", 40), ("bot-2", 39), ("bot-3", 40), ("bot-4", 2), ("new-1", 2)] {
        set.execute(rusqlite::params![now - days * day + 500, id]).unwrap();
    }
    conn.execute("UPDATE order_repeats SET received_at = ?1", [now - 40 * day + 500]).unwrap();
    drop(set);

    let out = store.expire(now - 30 * day).unwrap();
    assert_eq!((out.sessions, out.events), (2, 3));
    let left = texts(&conn, "SELECT message_id FROM events ORDER BY 1");
    assert_eq!(left, ["bot-3", "bot-4", "new-1"]);
    let repeats: i64 = conn.query_row("SELECT COUNT(*) FROM order_repeats", [], |r| r.get(0)).unwrap();
    assert_eq!(repeats, 0, "old's repeat of T-2 went with old");
    let reasons = texts(&conn, "SELECT session_id || ' ' || reason FROM deletions ORDER BY 1");
    assert_eq!(reasons, ["bot-old retention", "old retention"]);
    // Nothing more the next hour.
    assert_eq!(store.expire(now - 30 * day).unwrap(), Default::default());
}
