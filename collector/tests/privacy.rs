//! Erasure (a person's sessions, `POST /admin/erase`) and retention (`Store::expire`): what goes,
//! what stays, and that every aggregate is then what a rebuild from the remaining events gives.

mod common;

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use rusqlite::Connection;
use serde_json::{json, Value};
use touchpoint_collector::privacy::Subject;
use touchpoint_collector::Store;

/// 2026-11-20T10:00:00Z plus `sec` seconds.
fn at(sec: u32) -> String {
    let (h, m, s) = (10 + sec / 3600, sec / 60 % 60, sec % 60);
    format!("2026-11-20T{h:02}:{m:02}:{s:02}.000Z")
}

/// Session `i` (of 12): 3-8 events over a few minutes, starting `i` * 20 minutes after 10:00,
/// on shop or blog; friction in some (during a moment in some), page tags in some, a customer
/// (userId c-1) in sessions 0, 3 and 7 from their third event on, anonymous id a-<i % 4>,
/// sessions 1, 5 and 9 sampled.
fn session(i: u32) -> Vec<Value> {
    let site = if i % 3 == 2 { "blog" } else { "shop" };
    let start = i * 1200;
    (0..3 + i % 6)
        .map(|k| {
            let (name, props) = match k % 4 {
                0 => ("page_view", json!({})),
                1 => ("add_to_cart", json!({"moment": true, "sku": "A1"})),
                2 if i.is_multiple_of(2) => (
                    "rage_click",
                    json!({"category": "friction", "element": {"selector": "#size", "tag": "div"}, "during": "add_to_cart"}),
                ),
                2 => ("dead_click", json!({"category": "friction", "element": {"selector": "a.more", "tag": "a"}})),
                _ => ("page_leave", leave(i, k)),
            };
            let mut e = json!({
                "type": if name == "page_view" { "page" } else { "track" },
                "event": name, "messageId": format!("m-{i}-{k}"), "timestamp": at(start + k * 50),
                "sessionId": format!("s{i}"), "site": site, "properties": props,
                "anonymousId": format!("a-{}", i % 4),
                "context": {"page": {"url": "http://127.0.0.1/p", "path": format!("/p{}", k % 3), "title": "T", "referrer": ""},
                            "library": {"name": "touchpoint", "version": "0.1.0"}, "channel": "email",
                            "device": (["mobile", "desktop", "tablet"][i as usize % 3])}
            });
            if i.is_multiple_of(3) {
                // (A number with a fraction too: its value is the text SQLite prints for it.)
                e["context"]["tags"] = json!({"ab": format!("v{}", i % 2), "build": 7, "weight": 1.5});
            }
            // Sessions 1, 5 and 9 were kept by a 20 % sample (what they added to its counts
            // goes with them too).
            if i % 4 == 1 {
                e["context"]["sampleRate"] = json!(20);
            }
            if [0, 3, 7].contains(&i) && k >= 2 {
                e["userId"] = json!("c-1");
            }
            e
        })
        .collect()
}

/// The properties of session `i`'s page_leave event `k`: its figures, and Core Web Vitals that
/// differ from session to session: an LCP on the first leave of all but every fourth session
/// (good, needing improvement, poor), a CLS on each (the same three), an INP rated by the SDK
/// (good, needing improvement, poor with its `inp_ms`) or, in every fourth, none.
fn leave(i: u32, k: u32) -> Value {
    let mut p = json!({"engaged_ms": 1000 * k, "max_scroll_pct": 25 * (k % 5)});
    if k == 3 && i % 4 != 3 {
        p["lcp_ms"] = json!([1800, 3200, 4800][i as usize % 3]);
    }
    p["cls_milli"] = json!([30, 180, 260][(i + k) as usize % 3]);
    match i % 4 {
        0 => p["inp"] = json!("good"),
        1 => p["inp"] = json!("needs-improvement"),
        2 => {
            p["inp"] = json!("poor");
            p["inp_ms"] = json!(720);
        }
        _ => {}
    }
    p
}

/// The page rows' Core Web Vitals counts of the sites (not of their device classes), summed:
/// per vital (LCP, CLS, INP), the page_leave events that measured it, the good and the poor.
fn vitals_kept(conn: &Connection) -> Vec<i64> {
    let columns = ["lcp", "cls", "inp"].map(|v| format!("SUM({v}_measured), SUM({v}_good), SUM({v}_poor)")).join(", ");
    let sql = format!("SELECT {columns} FROM page_days WHERE instr(site, char(1)) = 0");
    conn.query_row(&sql, [], |r| (0..9).map(|i| Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0))).collect()).unwrap()
}

/// The same counted from the sessions' page_leave events as `leave` makes them (thresholds of
/// web-vitals: LCP good up to 2500 ms, poor over 4000; CLS good up to 100 thousandths, poor over
/// 250; INP as rated).
fn vitals_of(sessions: &[u32]) -> Vec<i64> {
    let mut sums = vec![0; 9];
    for p in sessions.iter().flat_map(|&i| session(i)).map(|e| e["properties"].clone()) {
        let rated = [
            p["lcp_ms"].as_i64().map(|ms| (ms <= 2500, ms > 4000)),
            p["cls_milli"].as_i64().map(|c| (c <= 100, c > 250)),
            p["inp"].as_str().map(|r| (r == "good", r == "poor")),
        ];
        for (at, (good, poor)) in rated.into_iter().enumerate().filter_map(|(i, r)| Some((3 * i, r?))) {
            sums[at] += 1;
            sums[at + 1] += i64::from(good);
            sums[at + 2] += i64::from(poor);
        }
    }
    sums
}

/// The page views of a tag in the tag page tables (of the sites, not of their device classes).
fn tag_views(conn: &Connection, key: &str, value: &str) -> i64 {
    conn.query_row(
        "SELECT COALESCE(SUM(views), 0) FROM tag_page_days WHERE key = ?1 AND value = ?2 AND instr(site, char(1)) = 0",
        [key, value],
        |r| r.get(0),
    )
    .unwrap()
}

/// The events and friction events of a tag in the tag count tables (of the sites, not of their
/// device classes; `device`: of that device class's rows only).
fn tag_events(conn: &Connection, key: &str, value: &str, device: Option<&str>) -> (i64, i64) {
    let of = match device {
        None => "instr(site, char(1)) = 0".to_string(),
        Some(d) => format!("site LIKE '%' || char(1) || '{d}'"),
    };
    conn.query_row(
        &format!(
            "SELECT COALESCE(SUM(events), 0), COALESCE(SUM(friction), 0) FROM tag_count_days
              WHERE key = ?1 AND value = ?2 AND {of}"
        ),
        [key, value],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// The events and friction events of these sessions (of one device class).
fn events_of(sessions: &[u32], device: Option<&str>) -> (i64, i64) {
    let events: Vec<Value> = sessions
        .iter()
        .flat_map(|&i| session(i))
        .filter(|e| device.is_none_or(|d| e["context"]["device"] == d))
        .collect();
    let friction = events.iter().filter(|e| e["properties"]["category"] == "friction").count();
    (events.len() as i64, friction as i64)
}

/// The page views of these sessions.
fn views_of(sessions: &[u32]) -> i64 {
    sessions.iter().flat_map(|&i| session(i)).filter(|e| e["event"] == "page_view").count() as i64
}

/// The sessions' events in four batches, each mixing sessions.
fn seed(store: &Store) -> Vec<Vec<Value>> {
    let all: Vec<Value> = (0..12).flat_map(session).collect();
    let batches: Vec<Vec<Value>> = (0..4).map(|b| all.iter().skip(b).step_by(4).cloned().collect()).collect();
    for b in &batches {
        let out = store.insert_batch(parse_events(b.clone())).unwrap();
        assert_eq!(out.duplicates, 0);
    }
    batches
}

fn sessions_left(conn: &Connection) -> Vec<String> {
    texts(conn, "SELECT DISTINCT session_id FROM events ORDER BY 1")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn key(i: u32) -> (String, String) {
    (format!("s{i}"), if i % 3 == 2 { "blog" } else { "shop" }.to_string())
}

#[test]
fn a_customer_is_erased_whole_and_the_aggregates_are_what_the_rest_gives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let batches = seed(&store);
    let total: u64 = (0..12).map(|i| session(i).len() as u64).sum();
    let customer = Subject { user_id: Some("c-1".into()), ..Default::default() };
    let theirs = store.find_subject(&customer).unwrap();
    assert_eq!(theirs, vec![key(0), key(3), key(7)]);
    let their_events: u64 = [0, 3, 7].iter().map(|&i| session(i).len() as u64).sum();
    assert_eq!(store.count_sessions(&theirs).unwrap().events, their_events);
    // An export past its bound is refused whole, not cut.
    let all = store.export(&theirs, usize::MAX).unwrap().unwrap();
    assert_eq!(all.iter().filter(|&&b| b == b'\n').count() as u64, their_events);
    assert_eq!(store.export(&theirs, all.len() - 1).unwrap(), None);
    assert_eq!(store.export(&theirs, all.len()).unwrap(), Some(all));

    // The tag page tables: ab=v1 is sessions 3 and 9 (3 is theirs).
    assert_eq!(tag_views(&Connection::open(&path).unwrap(), "ab", "v1"), views_of(&[3, 9]));
    assert_eq!(tag_views(&Connection::open(&path).unwrap(), "weight", "1.5"), views_of(&[0, 3, 6, 9]));
    // The tag count tables: the same sessions' events, per device class too (sessions 0, 3, 6
    // and 9 are on mobile).
    for device in [None, Some("mobile"), Some("desktop")] {
        let conn = Connection::open(&path).unwrap();
        assert_eq!(tag_events(&conn, "ab", "v1", device), events_of(&[3, 9], device), "{device:?}");
        assert_eq!(tag_events(&conn, "weight", "1.5", device), events_of(&[0, 3, 6, 9], device), "{device:?}");
    }
    assert!(tag_events(&Connection::open(&path).unwrap(), "ab", "v1", None).1 > 0);
    let every_session: Vec<u32> = (0..12).collect();
    let all_vitals = vitals_of(&every_session);
    // Some of each: good, needing improvement and poor, per vital.
    assert!(all_vitals.chunks(3).all(|v| v[1] > 0 && v[2] > 0 && v[0] > v[1] + v[2]), "{all_vitals:?}");
    assert_eq!(vitals_kept(&Connection::open(&path).unwrap()), all_vitals);
    let erased = store.erase(theirs).unwrap();
    assert_eq!((erased.sessions, erased.events), (3, their_events));
    assert!(store.find_subject(&customer).unwrap().is_empty());
    assert_eq!(store.count().unwrap(), total - their_events);
    // Their events sent again (a retry whose answer was lost) do not come back, also after a
    // restart (the ids of the events after the last merge are read again from `events` then).
    drop(store);
    let store = Store::open(path.to_str().unwrap()).unwrap();
    for b in &batches {
        assert_eq!(store.insert_batch(parse_events(b.clone())).unwrap().accepted, 0);
    }
    // By anonymous id: a-1 is sessions 1, 5 and 9; by session id, one session.
    let anon = Subject { anonymous_id: Some("a-1".into()), ..Default::default() };
    assert_eq!(store.find_subject(&anon).unwrap(), vec![key(1), key(5), key(9)]);
    let one = Subject { session_id: Some("s2".into()), ..Default::default() };
    assert_eq!(store.erase(store.find_subject(&one).unwrap()).unwrap().sessions, 1);
    drop(store);

    let conn = Connection::open(&path).unwrap();
    assert_eq!(sessions_left(&conn), ["s1", "s10", "s11", "s4", "s5", "s6", "s8", "s9"]);
    for (table, column) in [
        ("friction", "session_id"),
        ("event_tags", "session_id"),
        ("session_tags", "session_id"),
        ("sessions", "session_id"),
    ] {
        let n = count(&conn, &format!("SELECT COUNT(*) FROM {table} WHERE {column} IN ('s0', 's2', 's3', 's7')"));
        assert_eq!(n, 0, "{table}");
    }
    // What was left is not nothing (the check above could pass on empty tables).
    assert!(count(&conn, "SELECT COUNT(*) FROM event_tags") > 0);
    assert!(count(&conn, "SELECT COUNT(*) FROM friction") > 0);
    // The page rows' vitals are those of the sessions left, and so are a tag's page rows.
    assert_eq!(vitals_kept(&conn), vitals_of(&[1, 4, 5, 6, 8, 9, 10, 11]));
    assert_eq!(tag_views(&conn, "ab", "v1"), views_of(&[9]));
    assert_eq!(tag_views(&conn, "weight", "1.5"), views_of(&[6, 9]));
    assert_eq!(tag_events(&conn, "ab", "v1", None), events_of(&[9], None));
    assert_eq!(tag_events(&conn, "weight", "1.5", Some("mobile")), events_of(&[6, 9], Some("mobile")));
    assert_eq!(views_of(&[6, 9]), 3);
    assert!(count(&conn, "SELECT SUM(inp_poor) FROM page_days WHERE instr(site, char(1)) > 0") > 0, "per device too");
    drop(conn);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// The erasure's scan runs while batches are still stored (it reads every event, on the read
/// connection); what is stored meanwhile is looked at again by the writer before it erases.
#[test]
fn a_person_still_browsing_while_their_erasure_runs_is_erased_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    seed(&store);
    let customer = Subject { user_id: Some("c-1".into()), ..Default::default() };
    let found = store.scan_subject(&customer).unwrap();
    assert_eq!(found.sessions, vec![key(0), key(3), key(7)]);

    // Stored after the scan, before the erasure: a new session of theirs, signed in from its
    // first event; session 4, where they sign in only now; and someone else's new session.
    let like = |i: u32, k: usize, sid: &str, id: &str, user: Option<&str>| {
        let mut e = session(i)[k].clone();
        e["sessionId"] = json!(sid);
        e["messageId"] = json!(id);
        match user {
            Some(u) => e["userId"] = json!(u),
            None => _ = e.as_object_mut().unwrap().remove("userId"),
        }
        e
    };
    let meanwhile = vec![
        like(0, 0, "s20", "late-1", Some("c-1")),
        like(0, 2, "s20", "late-2", Some("c-1")),
        like(4, 1, "s4", "late-3", Some("c-1")),
        like(1, 0, "s21", "late-4", None),
    ];
    assert_eq!(store.insert_batch(parse_events(meanwhile)).unwrap().accepted, 4);

    let erased = store.erase_subject(&customer, found).unwrap();
    let theirs: u64 = [0, 3, 7, 4].iter().map(|&i| session(i).len() as u64).sum::<u64>() + 3;
    assert_eq!((erased.sessions, erased.events), (5, theirs));
    assert!(store.find_subject(&customer).unwrap().is_empty());
    drop(store);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(sessions_left(&conn), ["s1", "s10", "s11", "s2", "s21", "s5", "s6", "s8", "s9"]);
    drop(conn);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// A visit carried across two sites (`data-cross-domain`: the shop, then the checkout's domain)
/// is one session id under two sites; the customer signs in on the checkout only. Their
/// export and erasure take the shop's part of the visit too (a DPO's audit: it was left).
#[test]
fn a_visit_across_two_sites_is_exported_and_erased_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    seed(&store);
    let on = |k: usize, site: &str, id: &str, user: Option<&str>| {
        let mut e = session(1)[k].clone();
        e["sessionId"] = json!("visit-x");
        e["site"] = json!(site);
        e["messageId"] = json!(id);
        if let Some(u) = user {
            e["userId"] = json!(u);
        }
        e
    };
    let visit = vec![
        on(0, "shop", "x-1", None),
        on(1, "shop", "x-2", None),
        on(0, "checkout", "x-3", Some("c-9")),
        on(2, "checkout", "x-4", Some("c-9")),
    ];
    assert_eq!(store.insert_batch(parse_events(visit)).unwrap().accepted, 4);
    let customer = Subject { user_id: Some("c-9".into()), ..Default::default() };
    let found = store.scan_subject(&customer).unwrap();
    let both = vec![("visit-x".to_string(), "checkout".to_string()), ("visit-x".to_string(), "shop".to_string())];
    assert_eq!(found.sessions, both);
    let erased = store.erase_subject(&customer, found).unwrap();
    assert_eq!((erased.sessions, erased.events), (2, 4));
    drop(store);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM events WHERE session_id = 'visit-x'"), 0);
    assert!(!sessions_left(&conn).contains(&"visit-x".to_string()));
    drop(conn);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

#[test]
fn sessions_past_the_retention_go_whole_and_ids_keep_growing_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    seed(&store);
    store.merge_all().unwrap();
    // Session 5 starts at 11:40:00 and ends at 11:43:20: a cutoff of 11:42 keeps it, whole.
    let cutoff = touchpoint_collector::facts::parse_iso_millis(&at(5 * 1200 + 120)).unwrap();
    let gone: u64 = (0..5).map(|i| session(i).len() as u64).sum();
    let out = store.expire(cutoff).unwrap();
    assert_eq!((out.sessions, out.events), (5, gone));
    assert_eq!(store.expire(cutoff).unwrap(), Default::default());
    let max_before = {
        let conn = Connection::open(&path).unwrap();
        assert_eq!(sessions_left(&conn), ["s10", "s11", "s5", "s6", "s7", "s8", "s9"]);
        assert_eq!(vitals_kept(&conn), vitals_of(&[5, 6, 7, 8, 9, 10, 11]));
        // Their message ids left the deduplication table (a retry is refused as too old at
        // ingestion: see the test below); the others' are there.
        let seen = |like: &str| count(&conn, &format!("SELECT COUNT(*) FROM seen WHERE message_id LIKE '{like}'"));
        assert_eq!((0..5).map(|i| seen(&format!("m-{i}-%"))).sum::<i64>(), 0);
        assert_eq!(seen("m-5-%"), session(5).len() as i64);
        assert_eq!(
            count(&conn, "SELECT MAX(id) FROM events WHERE session_id = 's11'"),
            count(&conn, "SELECT MAX(id) FROM events")
        );
        count(&conn, "SELECT MAX(id) FROM events")
    };
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
    // Every blog session erased: no blog totals left (as a rebuild has none).
    store.erase(vec![key(5), key(8), key(11)]).unwrap();
    assert_eq!(store.stats().unwrap().by_site.get("blog"), None);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);

    // The newest session (11: it holds the largest id) was erased; after a restart a new event
    // still gets an id above every id given before (and above the restart's time floor).
    drop(store);
    let store = Store::open(path.to_str().unwrap()).unwrap();
    store.insert_batch(parse_events(vec![event("new-1", "shop")])).unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    assert!(count(&conn, "SELECT id FROM events WHERE message_id = 'new-1'") > max_before);
    drop(conn);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

const ADMIN: &str = "admin-token-0123456789";

fn erase_req(token: Option<&str>, body: Value) -> Request<Body> {
    admin_req("/admin/erase", token, body)
}

fn admin_req(path: &str, token: Option<&str>, body: Value) -> Request<Body> {
    let mut r = Request::post(path).header("host", HOST).header("content-type", "application/json");
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// Over HTTP: the token, the export, a dry run, the erasure, and the inspector's answers (kept
/// windows included) without the erased sessions at once.
#[tokio::test]
async fn erasure_and_export_over_http_need_the_admin_token_and_the_inspector_forgets_at_once() {
    let state = state_on(Store::open(":memory:").unwrap()).with_admin_token(Some(ADMIN.into()));
    let app = router_of(state);
    let all: Vec<Value> = (0..12).flat_map(session).collect();
    assert_eq!(post(&app, batch(all)).await.status, StatusCode::OK);
    let overview = "/api/overview?from=2026-11-20T10:00:00Z&to=2026-11-20T15:00:00Z&site=shop";
    let friction = "/api/friction?from=2026-11-20T10:00:00Z&to=2026-11-20T15:00:00Z";
    let before = get(&app, overview).await.json();
    assert_eq!(before["sessions"], json!(8));
    let rage_before = get(&app, friction).await.json();

    let who = json!({"userId": "c-1"});
    assert_eq!(send(&app, erase_req(None, who.clone())).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(&app, erase_req(Some("admin-token-wrong-6789"), who.clone())).await.status,
        StatusCode::UNAUTHORIZED
    );
    for bad in [json!({}), json!({"userId": ""}), json!({"email": "x@y"}), json!({"userId": 1})] {
        assert_eq!(send(&app, erase_req(Some(ADMIN), bad.clone())).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let their_events: usize = [0, 3, 7].iter().map(|&i| session(i).len()).sum();
    // Their data, as the shop gives it to them: every event of their three sessions, as sent
    // (the events before they signed in included), each session's in order.
    assert_eq!(send(&app, admin_req("/admin/export", None, who.clone())).await.status, StatusCode::UNAUTHORIZED);
    let export = send(&app, admin_req("/admin/export", Some(ADMIN), who.clone())).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(export.header("x-sessions"), Some("3"));
    let lines: Vec<Value> =
        String::from_utf8(export.bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = lines.iter().map(|e| e["messageId"].as_str().unwrap()).collect();
    let want: Vec<String> =
        [0, 3, 7].iter().flat_map(|&i| session(i)).map(|e| e["messageId"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, want);
    // (Signed in from their third event on: 1 of session 0's 3 events, 4 of 3's 6, 2 of 7's 4.)
    assert_eq!(lines.iter().filter(|e| e["userId"] == "c-1").count(), 7);
    let dry = send(&app, erase_req(Some(ADMIN), json!({"userId": "c-1", "dryRun": true}))).await;
    assert_eq!(dry.json(), json!({"sessions": 3, "events": their_events, "dryRun": true}));
    assert_eq!(get(&app, overview).await.json(), before);

    let done = send(&app, erase_req(Some(ADMIN), who.clone())).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.json(), json!({"sessions": 3, "events": their_events, "dryRun": false}));
    // (Sessions 0, 3 and 7 are all on shop.)
    let after = get(&app, overview).await.json();
    assert_eq!(after["sessions"], json!(5));
    let rage_after = get(&app, friction).await.json();
    let export = send(&app, admin_req("/admin/export", Some(ADMIN), who.clone())).await;
    assert_eq!((export.status, export.bytes.len(), export.header("x-sessions")), (StatusCode::OK, 0, Some("0")));
    assert_ne!(rage_after, rage_before);
    let count_of = |v: &Value, kind: &str| -> i64 {
        v["rows"].as_array().unwrap().iter().filter(|r| r["type"] == kind).map(|r| r["count"].as_i64().unwrap()).sum()
    };
    // Rage clicks are in the even sessions with 3+ events: 0, 2, 4, 6, 8, 10; 0 is erased.
    assert_eq!(count_of(&rage_before, "rage_click") - count_of(&rage_after, "rage_click"), 1);

    // A line separator inside a string is sent escaped, as by /api/export: one line per event
    // to Python's splitlines() too.
    let sep = json!({"userId": "c-sep"});
    let mut e = session(0)[0].clone();
    e["messageId"] = json!("sep-1");
    e["sessionId"] = json!("sess-sep");
    e["userId"] = json!("c-sep");
    e["properties"] = json!({"note": "a\u{2028}b\u{2029}c\u{85}d"});
    assert_eq!(post(&app, batch(vec![e.clone()])).await.json()["accepted"], json!(1));
    let export = send(&app, admin_req("/admin/export", Some(ADMIN), sep.clone())).await;
    let text = String::from_utf8(export.bytes).unwrap();
    assert!(text.contains(r"a\u2028b\u2029c\u0085d") && text.lines().count() == 1, "{text:?}");
    assert_eq!(serde_json::from_str::<Value>(text.trim_end()).unwrap(), e);

    // Without an admin token, erasure over HTTP is off.
    let closed = router_of(state_on(Store::open(":memory:").unwrap()));
    let a = send(&closed, erase_req(Some(ADMIN), json!({"userId": "c-1"}))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.error().contains("--admin-token"), "{}", a.error());
}

/// With a retention, ingestion refuses an event older than it (the hourly pass would erase it at
/// once, and its id may have left the deduplication table): the batch's other events are stored.
#[tokio::test]
async fn events_older_than_the_retention_are_refused_at_ingestion() {
    let state = state_on(Store::open(":memory:").unwrap()).with_retention(30);
    let app = router_of(state);
    let iso = |days_ago: i64| {
        touchpoint_collector::facts::format_iso_millis(touchpoint_collector::facts::now_ms() - days_ago * 86_400_000)
    };
    let mut old = event("old-1", "shop");
    old["timestamp"] = json!(iso(31));
    let mut recent = event("recent-1", "shop");
    recent["timestamp"] = json!(iso(29));
    let a = post(&app, batch(vec![old, recent])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.json(),
        json!({"accepted": 1, "duplicates": 0,
               "rejected": [{"index": 0, "reason": "older than the collector's retention (--retention-days)"}]})
    );
}

/// Events dated at or before 1970 (a zero or negative time: a device clock that is not set, or
/// wrong) count at their arrival, as one more than an hour ahead does: a retention takes them
/// as it takes an event received then, never keeps them for good. One dated just after 1970
/// counts at that time, and a retention refuses it at ingestion as older than itself.
#[tokio::test]
async fn events_dated_at_or_before_1970_go_with_the_retention() {
    let state = state_on(Store::open(":memory:").unwrap()).with_retention(30);
    let store = state.store.clone();
    let app = router_of(state);
    let received = touchpoint_collector::facts::now_ms();
    let dated = |id: &str, session: &str, ts: &str| {
        let mut e = event(id, "shop");
        e["sessionId"] = json!(session);
        e["timestamp"] = json!(ts);
        e
    };
    let a = post(
        &app,
        batch(vec![
            dated("zero", "s-zero", "1970-01-01T00:00:00.000Z"),
            dated("before", "s-before", "1969-12-31T23:59:59.999Z"),
            dated("year-1", "s-year-1", "0001-01-01T00:00:00Z"),
            dated("after", "s-after", "1970-01-01T00:00:00.001Z"),
        ]),
    )
    .await;
    assert_eq!(
        a.json(),
        json!({"accepted": 3, "duplicates": 0,
               "rejected": [{"index": 3, "reason": "older than the collector's retention (--retention-days)"}]})
    );
    tokio::task::spawn_blocking(move || {
        // Not before the retention has run its course since they arrived...
        assert_eq!(store.expire(received - 86_400_000).unwrap(), Default::default());
        assert_eq!(store.count().unwrap(), 3);
        // ...and then like any event received at that time.
        let out = store.expire(touchpoint_collector::facts::now_ms() + 1).unwrap();
        assert_eq!((out.sessions, out.events), (3, 3));
        assert_eq!(store.count().unwrap(), 0);
    })
    .await
    .unwrap();
}

/// `POST /admin/erase` and `/admin/export` over their body limit: a 413 in the format of their
/// other errors (it was tower-http's or axum's plain text), by its Content-Length or streamed.
#[tokio::test]
async fn an_admin_body_over_its_limit_is_a_json_413() {
    let state = state_on(Store::open(":memory:").unwrap()).with_admin_token(Some(ADMIN.into()));
    let app = router_of(state);
    let big = json!({"userId": "x".repeat(5000)}).to_string();
    for path in ["/admin/erase", "/admin/export"] {
        for with_length in [true, false] {
            let mut r = Request::post(path)
                .header("host", HOST)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {ADMIN}"));
            if with_length {
                r = r.header("content-length", big.len());
            }
            let a = send(&app, r.body(Body::from(big.clone())).unwrap()).await;
            assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{path} {with_length}");
            assert_eq!(a.header("content-type"), Some("application/json"), "{path} {with_length}");
            assert_eq!(a.header("cache-control"), Some("no-store"), "{path} {with_length}");
            assert!(a.error().contains("4096 byte"), "{path} {with_length}: {}", a.error());
        }
    }
}

/// One step of [`kept_answers_are_fresh_ones_through_inserts_erasures_and_expiry`].
#[derive(Debug, Clone)]
enum Step {
    /// Store these sessions' events (those not stored yet), as one batch.
    Insert(Vec<u32>),
    /// Erase these sessions (on request).
    Erase(Vec<u32>),
    /// Expire the sessions whose last event is before session `k`'s start.
    Expire(u32),
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let some = || proptest::collection::vec(0u32..12, 1..5);
    prop_oneof![
        3 => some().prop_map(Step::Insert),
        2 => some().prop_map(Step::Erase),
        1 => (0u32..12).prop_map(Step::Expire),
    ]
}

/// The inspector's answers from windows kept across every step (an inspector polling all along)
/// are those of windows made afresh, after each insert, erasure and expiry; and the aggregates
/// at the end are what a rebuild from the remaining events gives.
#[test]
fn kept_answers_are_fresh_ones_through_inserts_erasures_and_expiry() {
    use proptest::prelude::*;
    use touchpoint_collector::query::{self, FrictionQ};
    use touchpoint_collector::window::{Kept, Narrow, Segment};
    let config = ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(steps in proptest::collection::vec(step(), 1..12))| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let store = Store::open(path.to_str().unwrap()).unwrap();
        let conn = Connection::open(&path).unwrap();
        let kept = Kept::new();
        let ms = |s: &str| touchpoint_collector::facts::parse_iso_millis(s).unwrap();
        let ranges = [(ms("2026-11-20T09:00:00Z"), ms("2026-11-20T15:00:00Z")), (ms("2026-11-20T10:30:00Z"), ms("2026-11-20T11:30:00Z"))];
        let answers = |kept: &Kept| -> Vec<Value> {
            let mut out = Vec::new();
            for &(from, to) in &ranges {
                for site in [None, Some("shop".to_string())] {
                    // Every device, and one.
                    for device in [None, Some("mobile")] {
                        let n = Narrow { tag: None, device, moment: None };
                        out.push(query::overview(&conn, kept, &site, from, to, n).unwrap());
                        let device = device.map(String::from);
                        let f = FrictionQ { site: site.clone(), from, to, kind: None, path: None, tag: None, device, during: None, limit: 50 };
                        out.push(query::friction(&conn, kept, &f).unwrap());
                        let steps = ["add_to_cart".to_string()];
                        out.push(query::funnel(&conn, kept, &site, from, to, &steps, n).unwrap());
                        for by in [Segment::Channel, Segment::Device, Segment::Campaign] {
                            let by = query::Grouping::Segment(by);
                            out.push(query::channels(&conn, kept, &site, (from, to), "add_to_cart", n, (&by, true)).unwrap());
                        }
                        out.push(query::pages(&conn, kept, &site, (from, to), "friction", 50, n.device, None).unwrap());
                    }
                }
            }
            out
        };
        let mut stored = std::collections::BTreeSet::new();
        for s in &steps {
            match s {
                Step::Insert(ids) => {
                    let values: Vec<Value> =
                        ids.iter().filter(|i| stored.insert(**i)).flat_map(|&i| session(i)).collect();
                    if !values.is_empty() {
                        store.insert_batch(parse_events(values)).unwrap();
                    }
                }
                Step::Erase(ids) => {
                    store.erase(ids.iter().map(|&i| key(i)).collect()).unwrap();
                }
                Step::Expire(k) => {
                    store.expire(ms(&at(k * 1200))).unwrap();
                }
            }
            prop_assert_eq!(answers(&kept), answers(&Kept::new()), "after {:?}", s);
        }
        drop(conn);
        drop(store);
        assert_aggregates_are_rebuilt(&path, &AGGREGATES);
    });
}

/// An erasure the database refuses (here: opened read-only) is an error for the caller, nothing
/// is taken out, and the store goes on answering.
#[test]
fn a_refused_erasure_is_an_error_and_takes_nothing_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    seed(&store);
    let total = store.count().unwrap();
    drop(store);
    let store = Store::open_read_only(path.to_str().unwrap()).unwrap();
    let customer = Subject { user_id: Some("c-1".into()), ..Default::default() };
    let theirs = store.find_subject(&customer).unwrap();
    assert_eq!(theirs.len(), 3);
    assert!(store.erase(theirs.clone()).is_err());
    assert!(store.expire(i64::MAX).is_err());
    assert_eq!(store.count().unwrap(), total);
    assert_eq!(store.find_subject(&customer).unwrap(), theirs);
}

/// Erased events are not left readable in the database file's free space (SQLite
/// `secure_delete`) nor in its write-ahead log (truncated after a person's erasure, and after a
/// retention pass that erased): neither file holds a trace of what only the erased events
/// carried once the erasure has answered. The other sessions' events are still there.
fn erased_events_leave_no_trace(erase: impl FnOnce(&Store) -> u64, erased: &[u32]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let values: Vec<Value> = (0..12u32)
        .flat_map(|i| {
            session(i).into_iter().map(move |mut e| {
                let mark = if erased.contains(&i) { "ERASE-ME-7f3a" } else { "KEEP-ME-91c2" };
                e["properties"]["note"] = json!(format!("{mark} {}", "x".repeat(1500)));
                e
            })
        })
        .collect();
    store.insert_batch(parse_events(values)).unwrap();
    store.merge_all().unwrap();
    assert_eq!(erase(&store), erased.len() as u64);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(dir.path().join("t.sqlite-wal")).unwrap_or_default());
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(holds(b"KEEP-ME-91c2"), "the other sessions' events are in the file");
    assert!(!holds(b"ERASE-ME-7f3a"), "an erased event's text is still in the file");
}

#[test]
fn an_erased_customers_events_leave_no_trace_in_the_file() {
    // (The customer c-1 is in sessions 0, 3 and 7.)
    erased_events_leave_no_trace(
        |store| {
            let customer = Subject { user_id: Some("c-1".into()), ..Default::default() };
            store.erase(store.find_subject(&customer).unwrap()).unwrap().sessions
        },
        &[0, 3, 7],
    );
}

#[test]
fn expired_events_leave_no_trace_in_the_file() {
    // (Sessions 0-4 end before 11:42, see the retention test above.)
    let cutoff = touchpoint_collector::facts::parse_iso_millis(&at(5 * 1200 + 120)).unwrap();
    erased_events_leave_no_trace(|store| store.expire(cutoff).unwrap().sessions, &[0, 1, 2, 3, 4]);
}

/// The same while a read of the inspector holds its snapshot of the database (a long range's
/// first read goes on in the background for minutes, see `reads.rs`): the erasure interrupts it,
/// so that the write-ahead log is truncated at once and holds no trace either.
#[test]
fn an_erasure_during_a_long_background_read_leaves_no_trace_in_the_log() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_time().build().unwrap();
    erased_events_leave_no_trace(
        |store| {
            let started = Arc::new(AtomicBool::new(false));
            let running = started.clone();
            // Counts for ever (until interrupted): holds a snapshot all along.
            let read = store.reads.run_kept("overview 90d".into(), move |c| {
                running.store(true, Ordering::SeqCst);
                let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
                Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)
            });
            std::thread::scope(|s| {
                let read = s.spawn(|| rt.block_on(read));
                while !started.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                let t = std::time::Instant::now();
                let customer = Subject { user_id: Some("c-1".into()), ..Default::default() };
                let erased = store.erase(store.find_subject(&customer).unwrap()).unwrap().sessions;
                let waited = t.elapsed();
                assert!(waited < std::time::Duration::from_secs(20), "the erasure waited {waited:?} for the read");
                // The read was interrupted and says so (or, on a machine so busy that the
                // erasure took over 10 s, its request had been answered "counting" before).
                use touchpoint_collector::reads::ReadError;
                let answer = read.join().unwrap();
                assert!(
                    matches!(&answer, Err(ReadError::Failed(m)) if m.contains("erasure"))
                        || answer == Err(ReadError::Counting),
                    "{answer:?}"
                );
                erased
            })
        },
        &[0, 3, 7],
    );
}

/// A clean stop leaves no write-ahead log: the last connection to close copies it into the file
/// and deletes it (what an erasure could not truncate at once goes then, as the README says).
#[test]
fn a_stopped_store_leaves_no_write_ahead_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    seed(&store);
    let wal = dir.path().join("t.sqlite-wal");
    assert!(wal.exists());
    drop(store);
    assert!(!wal.exists(), "{} bytes of log left", std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
}

/// Automated traffic (`context.automated: true`: a shop's own end-to-end tests, uptime checks,
/// crawlers) is stored and counted among the site's events, but in no figure of the inspector:
/// no session, friction row, page or count. Erasing it leaves the aggregates as a rebuild makes
/// them, and a database of version 20 (which counted it everywhere) is built again without it.
#[test]
fn automated_traffic_is_stored_but_in_no_figure_of_the_inspector() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let human = session(0);
    // Session 4's events (shop, friction, a moment, page leaves) from a browser a program drives.
    let bot = |tag: &str| -> Vec<Value> {
        session(4)
            .into_iter()
            .map(|mut e| {
                e["sessionId"] = json!(format!("bot{tag}"));
                e["messageId"] = json!(format!("{}-bot{tag}", e["messageId"].as_str().unwrap()));
                e["context"]["automated"] = json!(true);
                e
            })
            .collect()
    };
    let mut all = human.clone();
    all.extend(bot("1"));
    assert_eq!(store.insert_batch(parse_events(all.clone())).unwrap().accepted as usize, all.len());
    let conn = Connection::open(&path).unwrap();
    let shop =
        |conn: &Connection, column: &str| count(conn, &format!("SELECT {column} FROM site_totals WHERE site = 'shop'"));
    assert_eq!(shop(&conn, "events") as usize, all.len(), "stored, and counted among the site's events");
    assert_eq!(shop(&conn, "sessions"), 1);
    assert!(session(4).iter().any(|e| e["properties"]["category"] == "friction"));
    assert_eq!(
        shop(&conn, "friction") as usize,
        human.iter().filter(|e| e["properties"]["category"] == "friction").count()
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM sessions WHERE session_id LIKE 'bot%'"), 0);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM friction WHERE session_id LIKE 'bot%'"), 0);
    let minute_events = "SELECT SUM(n) FROM minute_counts WHERE site = 'shop' AND metric = 'events'";
    assert_eq!(count(&conn, minute_events) as usize, human.len());
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM events WHERE session_id LIKE 'bot%'") as usize,
        all.len() - human.len()
    );
    drop(conn);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);

    // Erased: the site's events are the visitor's again.
    let erased = store.erase(vec![("bot1".to_string(), "shop".to_string())]).unwrap();
    assert_eq!(erased.events as usize, all.len() - human.len());
    assert_eq!(shop(&Connection::open(&path).unwrap(), "events") as usize, human.len());
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);

    // Stored by a collector of version 20, which counted it: built again without it when opened.
    assert!(store.insert_batch(parse_events(bot("2"))).unwrap().accepted > 0);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE site_totals SET friction = friction + 2, sessions = sessions + 1;
         UPDATE minute_counts SET n = n + 7 WHERE metric = 'events'; PRAGMA user_version = 20;",
    )
    .unwrap();
    drop(conn);
    drop(Store::open(path.to_str().unwrap()).unwrap());
    assert_eq!(count(&Connection::open(&path).unwrap(), minute_events) as usize, human.len());
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// A purchase with its order's `transaction_id`, in session `session` of `site`.
fn purchase(msg: &str, site: &str, session: &str, order: Value) -> Value {
    let mut e = event(msg, site);
    e["event"] = json!("purchase");
    e["sessionId"] = json!(session);
    e["properties"] = json!({"transaction_id": order, "currency": "EUR", "value": 24, "items": [{"item_id": "mug"}]});
    e
}

/// One purchase per order and site (as GA4 counts an order once): the thanks page reloaded, or
/// opened again the next day, sends the order's purchase again, a duplicate; another site's order
/// of the same number, a purchase without an order, are stored. An erased purchase's order goes
/// with it. A database of version 21 gets the orders of its stored purchases when opened.
#[test]
fn a_purchase_is_stored_once_per_order_and_site() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let first = vec![purchase("p1", "shop", "s1", json!("T-1001")), purchase("p2", "shop", "s1", json!("T-1001"))];
    let out = store.insert_batch(parse_events(first)).unwrap();
    assert_eq!((out.accepted, out.duplicates), (1, 1), "twice in one batch");
    let again = vec![
        purchase("p3", "shop", "s2", json!("T-1001")),
        purchase("p4", "blog", "s3", json!("T-1001")),
        purchase("p5", "shop", "s2", json!(5521)),
        purchase("p6", "shop", "s2", json!("5521")),
        purchase("p7", "shop", "s2", json!(null)),
        purchase("p8", "shop", "s2", json!(null)),
    ];
    let out = store.insert_batch(parse_events(again)).unwrap();
    assert_eq!((out.accepted, out.duplicates), (4, 2), "another site's, an order by number, none");
    let conn = Connection::open(&path).unwrap();
    let stored = |conn: &Connection| texts(conn, "SELECT message_id FROM events ORDER BY id");
    assert_eq!(stored(&conn), ["p1", "p4", "p5", "p7", "p8"]);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM orders"), 3);
    // Erased: its order too, and the order may be stored again.
    assert_eq!(store.erase(vec![("s1".into(), "shop".into())]).unwrap().events, 1);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM orders WHERE transaction_id = 'T-1001'"), 1, "blog's");
    assert_eq!(
        store.insert_batch(parse_events(vec![purchase("p9", "shop", "s4", json!("T-1001"))])).unwrap().accepted,
        1
    );
    drop(store);
    // Version 21: no orders kept; filled from the stored purchases when opened.
    conn.execute_batch("DELETE FROM orders; PRAGMA user_version = 21;").unwrap();
    drop(conn);
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let conn = Connection::open(&path).unwrap();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM orders"), 3);
    assert_eq!(
        store.insert_batch(parse_events(vec![purchase("p10", "shop", "s5", json!(5521))])).unwrap().duplicates,
        1
    );
}

/// A warehouse copying `/api/export` by id learns of every deletion from
/// `/api/export/deletions` (an erasure on request and the retention, each session with its site,
/// why, and the largest event id deleted with it), paged the same way (`X-Last-Id`), and mirrors
/// them: its copy is then exactly what is stored, events of an erased session stored after the
/// erasure (above its `lastEventId`) included.
#[tokio::test]
async fn a_warehouse_mirrors_erasures_and_the_retention_from_the_deletion_log() {
    let state = state_on(Store::open(":memory:").unwrap()).with_admin_token(Some(ADMIN.into()));
    let app = router_of(state.clone());
    let all: Vec<Value> = (0..12).flat_map(session).collect();
    let n = all.len();
    assert_eq!(post(&app, batch(all)).await.json()["accepted"], json!(n));
    // The warehouse: (id, sessionId, site, messageId) of each event copied.
    let mut copy: Vec<(i64, String, String, String)> = Vec::new();
    let (mut after, mut deletions_after) = (0i64, 0i64);
    async fn pull(app: &axum::Router, uri: String) -> (Vec<Value>, i64) {
        let a = get(app, &uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert_eq!(a.header("content-type"), Some("application/x-ndjson"));
        let last = a.header("x-last-id").unwrap().parse().unwrap();
        let lines = String::from_utf8(a.bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        (lines, last)
    }
    let mut sync = async |copy: &mut Vec<(i64, String, String, String)>| {
        loop {
            let (lines, last) = pull(&app, format!("/api/export?after={after}&limit=7&envelope=1")).await;
            if lines.is_empty() {
                break;
            }
            for l in lines {
                let e = &l["event"];
                let s = |k: &str| e[k].as_str().unwrap().to_string();
                copy.push((l["id"].as_i64().unwrap(), s("sessionId"), s("site"), s("messageId")));
            }
            after = last;
        }
        let mut seen = Vec::new();
        loop {
            let (lines, last) = pull(&app, format!("/api/export/deletions?after={deletions_after}&limit=2")).await;
            if lines.is_empty() {
                assert_eq!(last, deletions_after);
                break;
            }
            for d in lines {
                let (sid, site, upto) =
                    (d["sessionId"].as_str().unwrap(), d["site"].as_str().unwrap(), d["lastEventId"].as_i64().unwrap());
                copy.retain(|(id, s, si, _)| !(s == sid && si == site && *id <= upto));
                seen.push(d);
            }
            deletions_after = last;
        }
        seen
    };
    assert_eq!(sync(&mut copy).await, [] as [Value; 0]);
    assert_eq!(copy.len(), n);
    // c-1's sessions erased on request; then they go on browsing in session 3.
    let done = send(&app, erase_req(Some(ADMIN), json!({"userId": "c-1"}))).await;
    assert_eq!(done.json()["sessions"], json!(3));
    let mut later = session(3)[0].clone();
    later["messageId"] = json!("m-3-later");
    // (After the retention's cutoff below: the session's new row is not past it.)
    later["timestamp"] = json!(at(5 * 1200 + 600));
    later.as_object_mut().unwrap().remove("userId");
    assert_eq!(post(&app, batch(vec![later])).await.json()["accepted"], json!(1));
    // The retention takes sessions 0 to 4 (0 and 3 already gone: logged once, by the erasure).
    let cutoff = touchpoint_collector::facts::parse_iso_millis(&at(5 * 1200 + 120)).unwrap();
    let store = state.store.clone();
    assert_eq!(tokio::task::spawn_blocking(move || store.expire(cutoff)).await.unwrap().unwrap().sessions, 3);
    let seen = sync(&mut copy).await;
    let what: Vec<(&str, &str, &str)> = seen
        .iter()
        .map(|d| (d["sessionId"].as_str().unwrap(), d["site"].as_str().unwrap(), d["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        what,
        [
            ("s0", "shop", "erase"),
            ("s3", "shop", "erase"),
            ("s7", "shop", "erase"),
            ("s1", "shop", "retention"),
            ("s2", "blog", "retention"),
            ("s4", "shop", "retention"),
        ]
    );
    let ids: Vec<i64> = seen.iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    for d in &seen {
        let t = d["deletedAt"].as_str().unwrap();
        assert!(t.len() == 24 && t.ends_with('Z'), "{t}");
    }
    // The largest id of each session's events: s0's 3 events are the first ids, 1-3.
    assert_eq!(seen[0]["lastEventId"], json!(3));
    // The copy is what is stored, the event of s3 stored after its erasure included.
    let (stored, _) = pull(&app, "/api/export?limit=10000&envelope=1".into()).await;
    let stored: Vec<(i64, String)> =
        stored.iter().map(|l| (l["id"].as_i64().unwrap(), l["event"]["messageId"].as_str().unwrap().into())).collect();
    let copied: Vec<(i64, String)> = copy.iter().map(|(id, _, _, m)| (*id, m.clone())).collect();
    assert_eq!(copied, stored);
    assert!(copied.iter().any(|(_, m)| m == "m-3-later"));
    // By site, and the parameters checked as /api/export's.
    let (blog, _) = pull(&app, "/api/export/deletions?site=blog".into()).await;
    assert_eq!(blog.len(), 1);
    assert_eq!(blog[0]["sessionId"], "s2");
    for bad in ["after=-1", "limit=0", "site=a%20b", "envelope=1"] {
        assert_eq!(get(&app, &format!("/api/export/deletions?{bad}")).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// A database from before the deletion log (schema version 25) gets it when opened, empty, and
/// logs the deletions from then on.
#[test]
fn a_database_from_before_the_deletion_log_gets_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    seed(&store);
    drop(store);
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP TABLE deletions; DELETE FROM sqlite_sequence WHERE name = 'deletions'; PRAGMA user_version = 25;",
        )
        .unwrap();
    let store = Store::open(path.to_str().unwrap()).unwrap();
    store.erase(vec![key(1)]).unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(count(&conn, "PRAGMA user_version"), touchpoint_collector::store::SCHEMA_VERSION);
    let row: (i64, String, String, String) = conn
        .query_row("SELECT id, session_id, site, reason FROM deletions", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!(row, (1, "s1".into(), "shop".into(), "erase".into()));
}

/// A database restored from a backup (as the README advises before an upgrade) does not give
/// ids again: a collector numbers events above a floor of its start's time (`IDS_PER_MS` per
/// millisecond), so a warehouse's export cursor taken before the restore is below every event
/// stored after it, and no id names two events.
#[tokio::test]
async fn ids_are_not_given_again_after_a_restore_from_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let backup = dir.path().join("backup.sqlite");
    let run = |path: &Path| {
        let state = state_on(Store::open(path.to_str().unwrap()).unwrap());
        router_of(state)
    };
    let export = async |app: &axum::Router, after: i64| -> (Vec<(i64, String)>, i64) {
        let a = get(app, &format!("/api/export?after={after}&envelope=1")).await;
        let last = a.header("x-last-id").unwrap().parse().unwrap();
        let lines = String::from_utf8(a.bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .map(|l| (l["id"].as_i64().unwrap(), l["event"]["messageId"].as_str().unwrap().to_string()))
            .collect();
        (lines, last)
    };
    let app = run(&path);
    assert_eq!(post(&app, batch(session(0))).await.json()["accepted"], json!(3));
    drop(app);
    std::fs::copy(&path, &backup).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let app = run(&path);
    assert_eq!(post(&app, batch(session(1))).await.json()["accepted"], json!(4));
    // The warehouse copied everything so far.
    let (copied, cursor) = export(&app, 0).await;
    assert_eq!(copied.len(), 7);
    drop(app);
    // Restored: session 1's events are gone from the file.
    std::fs::copy(&backup, &path).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    std::thread::sleep(std::time::Duration::from_millis(5));
    let app = run(&path);
    assert_eq!(post(&app, batch(session(2))).await.json()["accepted"], json!(5));
    let (new, last) = export(&app, cursor).await;
    let ids: Vec<&str> = new.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(ids, ["m-2-0", "m-2-1", "m-2-2", "m-2-3", "m-2-4"], "the next page after the old cursor");
    assert!(new.iter().all(|(id, _)| copied.iter().all(|(old, _)| id > old)));
    assert!(last < 1 << 53, "{last}");
    let floor = touchpoint_collector::store::id_floor_at(touchpoint_collector::facts::now_ms());
    assert!(new[0].0 <= floor && new[0].0 > floor - 60_000 * touchpoint_collector::store::IDS_PER_MS, "{new:?}");
}
