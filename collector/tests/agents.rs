//! The browser and OS of each event, derived at ingest from its request's `User-Agent` (two
//! coarse values, never the header): stored per event, given by `/api/events` and the export in
//! their envelope, grouped by `/api/channels?by=browser|os`, filtered by `/api/sessions?browser=
//! &os=`, named in a session's summary; and a database from before them (version 27) migrated.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use touchpoint_collector::store::SCHEMA_VERSION;
use touchpoint_collector::Store;

const SAFARI_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1";
const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) \
     Chrome/131.0.6778.81 Mobile Safari/537.36";
const EDGE_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
     Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86";
const INSTAGRAM_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Mobile/15E148 Instagram 356.0.3.27.92 (iPhone14,5; iOS 17_6_1; en_US; en; scale=3.00; \
     1170x2532; 653203452; IABMV/1)";

/// Minutes after 2026-11-20T10:00:00Z.
fn at(min: u32) -> String {
    format!("2026-11-20T{:02}:{:02}:00.000Z", 10 + min / 60, min % 60)
}

fn range() -> &'static str {
    "from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z"
}

fn ev(id: &str, session: &str, name: &str, min: u32, props: Value) -> Value {
    json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": at(min), "sessionId": session, "site": "shop",
        "properties": props,
        "context": {"page": {"url": "http://127.0.0.1:8080/", "path": "/", "title": "T", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}}
    })
}

/// [`post_as`], every event new (accepted).
async fn post_new_as(t: &TestApp, ua: Option<&str>, events: Vec<Value>) {
    let n = events.len() as i64;
    assert_eq!(post_as(t, ua, events).await, (n, 0));
}

fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        v["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

/// Four sessions from four browsers, one from a sender without a `User-Agent`, and one whose
/// later batch came from another browser (a session keeps its earliest's). sa (Safari on an
/// iPhone) raged and bought; ig (Instagram's in-app browser) raged at checkout and left.
async fn seed(t: &TestApp) {
    let rage = json!({"category": "friction", "element": {"selector": "#pay", "tag": "button"}});
    post_new_as(
        t,
        Some(SAFARI_IOS),
        vec![
            ev("1", "sa", "page_view", 1, json!({})),
            ev("2", "sa", "rage_click", 2, rage.clone()),
            ev("3", "sa", "purchase", 3, json!({"transaction_id": "T-1"})),
        ],
    )
    .await;
    post_new_as(t, Some(CHROME_ANDROID), vec![ev("4", "ch", "page_view", 4, json!({}))]).await;
    post_new_as(t, Some(EDGE_WINDOWS), vec![ev("5", "ed", "page_view", 5, json!({}))]).await;
    post_new_as(
        t,
        Some(INSTAGRAM_IOS),
        vec![ev("6", "ig", "page_view", 6, json!({})), ev("7", "ig", "rage_click", 7, rage)],
    )
    .await;
    post_new_as(t, None, vec![ev("8", "no", "page_view", 8, json!({}))]).await;
    // mx: Chrome on Android first (captured earlier, received later), Edge's batch first.
    post_new_as(t, Some(EDGE_WINDOWS), vec![ev("9", "mx", "click", 10, json!({}))]).await;
    post_new_as(t, Some(CHROME_ANDROID), vec![ev("10", "mx", "page_view", 9, json!({}))]).await;
}

#[tokio::test]
async fn each_event_keeps_two_coarse_values_and_never_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.sqlite");
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    seed(&t).await;

    // /api/events: the bodies as received, unchanged; with envelope=1, each beside what the
    // collector derived (null: a request without the header).
    let plain = api(&t, "/api/events?limit=100").await;
    assert_eq!(plain.as_array().unwrap().len(), 10);
    assert_eq!(plain[0]["messageId"], "10");
    assert!(plain[0].get("browser").is_none() && plain[0]["context"].get("browser").is_none(), "{}", plain[0]);
    let enveloped = api(&t, "/api/events?limit=100&envelope=1").await;
    let agents: Vec<(String, Value, Value)> = enveloped
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"]["messageId"].as_str().unwrap().to_string(), e["browser"].clone(), e["os"].clone()))
        .collect();
    let want = |id: &str, b: Option<&str>, o: Option<&str>| (id.to_string(), json!(b), json!(o));
    assert_eq!(
        agents,
        [
            want("10", Some("Chrome 131"), Some("Android")),
            want("9", Some("Edge 131"), Some("Windows")),
            want("8", None, None),
            want("7", Some("Instagram"), Some("iOS")),
            want("6", Some("Instagram"), Some("iOS")),
            want("5", Some("Edge 131"), Some("Windows")),
            want("4", Some("Chrome 131"), Some("Android")),
            want("3", Some("Safari 17"), Some("iOS")),
            want("2", Some("Safari 17"), Some("iOS")),
            want("1", Some("Safari 17"), Some("iOS")),
        ]
    );
    let e = &enveloped[0];
    assert!(e["id"].is_i64() && e["receivedAt"].is_string() && e["timestampUtc"] == json!(at(9)), "{e}");
    assert_eq!(e["event"], plain[0]);
    // And by order (the support lead's lookup), and filtered by site and event, alike.
    let order = api(&t, "/api/events?order=T-1&envelope=1").await;
    assert_eq!((&order[0]["browser"], &order[0]["os"]), (&json!("Safari 17"), &json!("iOS")));
    assert_eq!(api(&t, "/api/events?order=T-1").await[0]["messageId"], "3");
    let views = api(&t, "/api/events?site=shop&event=page_view&envelope=1").await;
    assert_eq!(views.as_array().unwrap().len(), 6);
    assert_eq!(get(&t.app, "/api/events?envelope=yes").await.status, StatusCode::BAD_REQUEST);

    // The export's envelope too.
    let a = get(&t.app, "/api/export?envelope=1").await;
    let lines: Vec<Value> =
        String::from_utf8(a.bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 10);
    assert_eq!((&lines[0]["browser"], &lines[0]["os"]), (&json!("Safari 17"), &json!("iOS")));
    assert_eq!((&lines[7]["browser"], &lines[7]["os"]), (&Value::Null, &Value::Null));
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["browser", "countedAt", "event", "id", "os", "receivedAt", "sentAt", "timestampUtc"]);

    // Never the header: not a byte of it in the database or its log.
    drop(t);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(dir.path().join("agents.sqlite-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    for part in ["SM-S918B", "Mobile/15E148", "6778", "AppleWebKit", "653203452"] {
        assert!(!text.contains(part), "{part} stored");
    }
    assert!(text.contains("Safari 17"));
}

#[tokio::test]
async fn sessions_by_browser_and_os() {
    let t = app_on(Store::open(":memory:").unwrap());
    seed(&t).await;
    // Each session under the browser of its earliest event that has one ("" none known).
    let d = api(&t, &format!("/api/channels?{}&by=browser", range())).await;
    assert_eq!((&d["by"], &d["others"]), (&json!("browser"), &Value::Null));
    let rows: Vec<String> = d["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {} {}", r["browser"], r["sessions"], r["sessionsWithFriction"], r["converted"]))
        .collect();
    assert_eq!(
        rows,
        [r#""Chrome 131" 2 0 0"#, r#""" 1 0 0"#, r#""Edge 131" 1 0 0"#, r#""Instagram" 1 1 0"#, r#""Safari 17" 1 1 1"#]
    );
    // The same figures as the other groupings.
    let by_channel = api(&t, &format!("/api/channels?{}", range())).await;
    let keys =
        |v: &Value| v["channels"][0].as_object().unwrap().keys().filter(|k| *k != "channel" && *k != "browser").count();
    assert_eq!(keys(&d), keys(&by_channel));
    let d = api(&t, &format!("/api/channels?{}&by=os", range())).await;
    let rows: Vec<String> =
        d["channels"].as_array().unwrap().iter().map(|r| format!("{} {}", r["os"], r["sessions"])).collect();
    assert_eq!(rows, [r#""Android" 2"#, r#""iOS" 2"#, r#""" 1"#, r#""Windows" 1"#]);
    // Narrowed as the others are (a device class nobody had: none).
    let d = api(&t, &format!("/api/channels?{}&by=os&device=mobile", range())).await;
    assert_eq!(d["channels"], json!([]));

    // Their click-through: a browser's or an OS's sessions, or those of none known.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&browser=Safari%2017", range())).await), ["sa"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&browser=Chrome%20131", range())).await), ["ch", "mx"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&os=iOS", range())).await), ["ig", "sa"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&os=", range())).await), ["no"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&browser=", range())).await), ["no"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&os=iOS&friction=1", range())).await), ["ig", "sa"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&os=iOS&browser=Edge%20131", range())).await).is_empty());
    let s = api(&t, &format!("/api/sessions?{}&browser=Instagram", range())).await;
    assert_eq!((&s["sessions"][0]["browser"], &s["sessions"][0]["os"]), (&json!("Instagram"), &json!("iOS")));
    for (name, q) in [("browser", "browser=Safari%2017"), ("os", "os=iOS")] {
        let both = get(&t.app, &format!("/api/sessions?{}&{q}&type=rage_click", range())).await;
        assert_eq!(both.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(both.error().starts_with(name), "{}", both.error());
    }
    let long = get(&t.app, &format!("/api/sessions?{}&browser={}", range(), "a".repeat(257))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    for by in ["Browser", "ua", "user_agent"] {
        let bad = get(&t.app, &format!("/api/channels?{}&by={by}", range())).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{by}");
        assert!(bad.error().contains("source, browser, os"), "{}", bad.error());
    }

    // A session's summary names them: the earliest event's (mx began on Chrome, on Android).
    let mx = api(&t, "/api/sessions/mx?site=shop").await;
    assert_eq!((&mx["session"]["browser"], &mx["session"]["os"]), (&json!("Chrome 131"), &json!("Android")));
    let no = api(&t, "/api/sessions/no?site=shop").await;
    assert_eq!((&no["session"]["browser"], &no["session"]["os"]), (&json!(""), &json!("")));
}

/// Automated traffic is handled as before: stored with its browser, in no grouping.
#[tokio::test]
async fn automated_traffic_is_in_no_grouping_still() {
    let t = app_on(Store::open(":memory:").unwrap());
    seed(&t).await;
    let before = api(&t, &format!("/api/channels?{}&by=browser", range())).await;
    let mut bot = ev("20", "bot", "page_view", 20, json!({}));
    bot["context"]["automated"] = json!(true);
    let headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    HeadlessChrome/131.0.6778.33 Safari/537.36";
    post_new_as(&t, Some(headless), vec![bot]).await;
    assert_eq!(api(&t, &format!("/api/channels?{}&by=browser", range())).await, before);
    let stored = api(&t, "/api/events?limit=1&envelope=1").await;
    assert_eq!((&stored[0]["browser"], &stored[0]["os"]), (&json!("Chrome 131"), &json!("Linux")));
    assert_eq!(api(&t, "/api/stats").await["events"], json!(11));
}

/// A version 27 database (no browser or OS anywhere) gets the columns when opened: the events
/// stored before are of no known browser (NULL: their header was never kept), their sessions
/// too (''), and the events stored since carry theirs; the sessions' two indexes are made again
/// with them. Nothing else changes.
#[tokio::test]
async fn a_version_27_database_gets_browsers_and_oses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v27.sqlite");
    let path = path.to_str().unwrap();
    let t = app_on(Store::open(path).unwrap());
    seed(&t).await;
    let sessions = api(&t, &format!("/api/sessions?{}", range())).await;
    drop(t);
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(
            "DROP INDEX sessions_site_last; DROP INDEX sessions_last;
             ALTER TABLE sessions DROP COLUMN browser; ALTER TABLE sessions DROP COLUMN os;
             ALTER TABLE events DROP COLUMN os; ALTER TABLE events DROP COLUMN browser;
             CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel,
                 device, campaign, source, medium, lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor,
                 inp_measured, inp_good, inp_poor, anonymous_id);
             CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel, device,
                 campaign, source, medium, lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor,
                 inp_measured, inp_good, inp_poor, anonymous_id);
             PRAGMA user_version = 27;",
        )
        .unwrap();
    let t = app_on(Store::open(path).unwrap());
    // Unknown, for what came before.
    let d = api(&t, &format!("/api/channels?{}&by=browser", range())).await;
    assert_eq!(d["channels"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!((&d["channels"][0]["browser"], &d["channels"][0]["sessions"]), (&json!(""), &json!(6)));
    let old = api(&t, "/api/events?limit=100&envelope=1").await;
    assert!(old.as_array().unwrap().iter().all(|e| e["browser"].is_null() && e["os"].is_null()), "{old}");
    // Everything else as it was.
    let mut again = api(&t, &format!("/api/sessions?{}", range())).await;
    let mut was = sessions.clone();
    for s in again["sessions"].as_array_mut().unwrap().iter_mut().chain(was["sessions"].as_array_mut().unwrap()) {
        let o = s.as_object_mut().unwrap();
        o.remove("browser");
        o.remove("os");
    }
    assert_eq!(again, was);
    // A new session is of its browser; an old one, of the browser of its first event that has
    // one (sa's new click: Edge on Windows, the first known).
    post_new_as(&t, Some(SAFARI_IOS), vec![ev("30", "new", "page_view", 30, json!({}))]).await;
    post_new_as(&t, Some(EDGE_WINDOWS), vec![ev("31", "sa", "click", 31, json!({}))]).await;
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&browser=Safari%2017", range())).await), ["new"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&os=Windows", range())).await), ["sa"]);
    drop(t);
    let c = rusqlite::Connection::open(path).unwrap();
    assert_eq!(user_version(&c), SCHEMA_VERSION);
    let indexes: String = c
        .query_row(
            "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name IN ('sessions_last', 'sessions_site_last')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((indexes.matches("browser").count(), indexes.matches(" os").count()), (2, 2), "{indexes}");
}

/// The header is read as bytes: one that is not UTF-8 (a client's own) is no failure.
#[tokio::test]
async fn a_header_that_is_not_utf8_is_read_lossily() {
    let t = app_on(Store::open(":memory:").unwrap());
    let req = Request::post("/v1/batch")
        .header("host", HOST)
        .header(
            "user-agent",
            axum::http::HeaderValue::from_bytes(b"Mozilla/5.0 (Windows NT 10.0) \xff Firefox/133.0").unwrap(),
        )
        .body(Body::from(batch(vec![ev("1", "s", "page_view", 1, json!({}))])))
        .unwrap();
    assert_eq!(send(&t.app, req).await.json()["accepted"], json!(1));
    let e = api(&t, "/api/events?envelope=1").await;
    assert_eq!((&e[0]["browser"], &e[0]["os"]), (&json!("Firefox 133"), &json!("Windows")));
}
