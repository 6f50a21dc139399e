//! The HTTP API through the axum Router, in-process (no sockets).

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use touchpoint_collector::Store;

#[tokio::test]
async fn valid_batch_is_stored_and_readable() {
    let t = memory_app();
    let a = post(&t.app, batch(vec![event("m1", "shop"), event("m2", "shop")])).await;
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.bytes));
    assert_eq!(a.json(), json!({"accepted": 2, "duplicates": 0, "rejected": []}));
    assert_eq!(t.state.store.count().unwrap(), 2);

    let list = get(&t.app, "/api/events").await;
    assert_eq!(list.status, StatusCode::OK);
    let events = list.json();
    let ids: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["m2", "m1"], "newest first");
    // Stored as received: unknown fields survive.
    assert_eq!(events[0]["someFutureField"], json!({"kept": true}));
    assert_eq!(events[0], event("m2", "shop"));

    let stats = get(&t.app, "/api/stats").await.json();
    assert_eq!(stats, json!({"events": 2, "bySite": {"shop": 2}}));
}

#[tokio::test]
async fn read_api_filters_and_limits() {
    let t = memory_app();
    let mut page = event("p1", "blog");
    page["type"] = json!("page");
    page["event"] = json!("page_view");
    post(&t.app, batch(vec![event("a", "shop"), event("b", "shop"), page])).await;

    let ids = |v: Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(get(&t.app, "/api/events?limit=1").await.json()), ["p1"]);
    assert_eq!(ids(get(&t.app, "/api/events?site=shop").await.json()), ["b", "a"]);
    assert_eq!(ids(get(&t.app, "/api/events?event=page_view").await.json()), ["p1"]);
    assert_eq!(ids(get(&t.app, "/api/events?site=blog&event=button_click").await.json()), Vec::<String>::new());
    assert_eq!(ids(get(&t.app, "/api/events?limit=5000").await.json()).len(), 3, "limit is clamped, not refused");
    // (Past i64 too: a security review's.)
    assert_eq!(ids(get(&t.app, "/api/events?limit=99999999999999999999").await.json()).len(), 3);
    let bad = get(&t.app, "/api/events?limit=lots").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error().contains("limit"));
    // No stored event has a name out of the rules: such a filter is a mistake, said so.
    for q in ["event=BAD", "event=%20", "event=a%00b"] {
        let bad = get(&t.app, &format!("/api/events?{q}")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(bad.error().contains("event: expected an event name"), "{q}: {}", bad.error());
    }
    // A day the month does not have, an offset past 23:59: refused, as ingestion refuses them.
    for q in ["from=2026-11-31T00:00:00Z", "from=2026-12-01T00:00:00%2B99:99"] {
        let bad = get(&t.app, &format!("/api/overview?{q}&to=2026-12-02T00:00:00Z")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(bad.error().starts_with("from:"), "{q}: {}", bad.error());
    }
    assert_eq!(get(&t.app, "/api/stats").await.json(), json!({"events": 3, "bySite": {"shop": 2, "blog": 1}}));
}

#[tokio::test]
async fn duplicates_across_and_within_batches() {
    let t = memory_app();
    let body = batch(vec![event("d1", "shop"), event("d2", "shop"), event("d3", "shop")]);
    assert_eq!(post(&t.app, body.clone()).await.json(), json!({"accepted": 3, "duplicates": 0, "rejected": []}));
    let again = post(&t.app, body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), json!({"accepted": 0, "duplicates": 3, "rejected": []}));
    assert_eq!(t.state.store.count().unwrap(), 3);

    let within = post(&t.app, batch(vec![event("w1", "shop"), event("w1", "shop"), event("d1", "shop")])).await;
    assert_eq!(within.json(), json!({"accepted": 1, "duplicates": 2, "rejected": []}));
    assert_eq!(t.state.store.count().unwrap(), 4);
}

/// A batch may ask about ids it sent by a beacon (`confirm`): the answer lists those not stored
/// in `missing`, also for a batch that only asks (its `batch` empty). Without `confirm` the
/// answer has no `missing`.
#[tokio::test]
async fn confirm_asks_which_ids_are_stored() {
    let t = memory_app();
    post(&t.app, batch(vec![event("b1", "shop"), event("b2", "shop")])).await;
    let mut body: Value = serde_json::from_slice(&batch(vec![event("n1", "shop")])).unwrap();
    body["confirm"] = json!(["b1", "lost", "b2", "n1"]);
    let a = post(&t.app, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.bytes));
    assert_eq!(a.json(), json!({"accepted": 1, "duplicates": 0, "rejected": [], "missing": ["lost"]}));
    body["batch"] = json!([]);
    body["confirm"] = json!(["b2", "gone"]);
    let only = post(&t.app, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(only.status, StatusCode::OK, "{}", String::from_utf8_lossy(&only.bytes));
    assert_eq!(only.json(), json!({"accepted": 0, "duplicates": 0, "rejected": [], "missing": ["gone"]}));
    body["confirm"] = json!([1, 2]);
    let bad = post(&t.app, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error().contains("confirm"), "{}", bad.error());
    assert_eq!(t.state.store.count().unwrap(), 3);
}

#[tokio::test]
async fn bodies_that_are_not_batches_are_400() {
    let t = memory_app();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{not json".to_vec(), "invalid JSON"),
        (b"".to_vec(), "invalid JSON"),
        (b"[]".to_vec(), "body"),
        (br#"{"sentAt":"2024-05-01T12:00:01Z","batch":[]}"#.to_vec(), "batch: must not be empty"),
        (br#"{"sentAt":"2024-05-01T12:00:01Z","batch":"x"}"#.to_vec(), "batch: expected array"),
        (br#"{"batch":[]}"#.to_vec(), "sentAt: missing"),
    ];
    for (body, needle) in cases {
        let a = post(&t.app, body.clone()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{needle}");
        let reason = a.error();
        assert!(reason.contains(needle), "expected {needle:?} in {reason:?}");
    }
    let many = batch((0..501).map(|i| event(&format!("m{i}"), "shop")).collect());
    let a = post(&t.app, many).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error().contains("at most 500"));
    assert_eq!(t.state.store.count().unwrap(), 0);
}

#[tokio::test]
async fn invalid_events_are_refused_one_by_one() {
    let t = memory_app();
    let with = |id: &str, f: &dyn Fn(&mut Value)| {
        let mut e = event(id, "shop");
        f(&mut e);
        e
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with("x1", &|e| {
                e.as_object_mut().unwrap().remove("messageId");
            }),
            "messageId: missing",
        ),
        (with("x2", &|e| e["messageId"] = json!(42)), "messageId: expected string"),
        (with("x3", &|e| e["messageId"] = json!("has space")), "messageId"),
        (with("x4", &|e| e["event"] = json!("Button Click")), "event"),
        (with("x5", &|e| e["type"] = json!("alias")), "type"),
        (with("x6", &|e| e["timestamp"] = json!("yesterday")), "timestamp"),
        (with("x7", &|e| e["site"] = json!("")), "site"),
        (with("x8", &|e| e["site"] = json!("shop\u{0}<script>")), "site"),
        (with("x9", &|e| e["properties"] = json!([1])), "properties: expected object"),
        (
            with("x10", &|e| {
                e["context"].as_object_mut().unwrap().remove("library");
            }),
            "context.library: missing",
        ),
        (with("x11", &|e| e["context"]["page"]["url"] = json!(null)), "context.page.url: expected string"),
        (with("x12", &|e| e["userId"] = json!("")), "userId: expected a string of 1..=128 characters"),
    ];
    for (i, (bad, needle)) in cases.into_iter().enumerate() {
        let good = event(&format!("ok{i}"), "shop");
        let a = post(&t.app, batch(vec![good, bad])).await;
        assert_eq!(a.status, StatusCode::OK, "{needle}");
        let v = a.json();
        assert_eq!(v["accepted"], 1, "{v}");
        assert_eq!(v["rejected"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["rejected"][0]["index"], 1, "{v}");
        let reason = v["rejected"][0]["reason"].as_str().unwrap();
        assert!(reason.contains(needle), "expected {needle:?} in {reason:?}");
    }
    // Only the good events were stored, and a refused event's site never reached the store.
    assert_eq!(t.state.store.count().unwrap(), 12);
    assert_eq!(get(&t.app, "/api/stats").await.json()["bySite"], json!({"shop": 12}));
}

/// A number no double holds is refused, one event at a time, as written on the wire (serde_json
/// cannot write it), the batch's others stored. A key given twice inside `properties` is stored
/// as received: the SDK writes one (an attribute over the same key of `data-tp-props`), meaning
/// the last, as JSON.parse reads it.
#[tokio::test]
async fn ambiguous_numbers_are_refused_one_by_one_and_repeated_property_keys_stored() {
    let t = memory_app();
    let good = serde_json::to_string(&event("amb0", "shop")).unwrap();
    let props = r#""properties":{"label":"Buy now"}"#;
    assert!(good.contains(props));
    let bad = |id: &str, p: &str| {
        serde_json::to_string(&event(id, "shop")).unwrap().replacen(props, &format!(r#""properties":{p}"#), 1)
    };
    let body = format!(
        r#"{{"sentAt":"2024-05-01T12:00:01.000Z","batch":[{good},{},{},{}]}}"#,
        bad("amb1", r#"{"dupkey":1,"dupkey":"one"}"#),
        bad("amb2", r#"{"big":1E400}"#),
        bad("amb3", r#"{"items":[{"sku":"a","qty":1,"qty":2}]}"#),
    );
    let a = post(&t.app, body.into_bytes()).await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["accepted"], 3, "{v}");
    assert_eq!(
        v["rejected"],
        json!([
            {"index": 2, "reason": "properties.big: 1E400 is not a finite number (outside a double's range)"},
        ])
    );
    assert_eq!(t.state.store.count().unwrap(), 3);
}

/// Issue 11: one poisoned event (a lone surrogate, nesting past the limit, a hostile site, not
/// an object) among good ones must not cost the good ones.
#[tokio::test]
async fn one_poisoned_event_does_not_sink_the_batch() {
    let t = memory_app();
    let good: Vec<Value> = (0..9).map(|i| event(&format!("good{i}"), "shop")).collect();
    let mut events = good.clone();
    let mut deep = json!("bottom");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let mut too_deep = event("deep", "shop");
    too_deep["properties"]["nested"] = deep;
    events.insert(3, too_deep);
    let mut bad_site = event("badsite", "shop");
    bad_site["site"] = json!("shop\u{1b}]0;pwned\u{7}");
    events.insert(6, bad_site);
    events.push(json!("not an event"));
    let mut text = String::from_utf8(batch(events)).unwrap();
    // The lone surrogate: 'Buy now 🛒'.slice(0, 9) in the page, escaped by JSON.stringify.
    text = text.replacen(r#""messageId":"good4","#, r#""messageId":"good4","cut":"Buy now \ud83d","#, 1);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "serde_json alone would refuse the whole body");

    let a = post(&t.app, text.into_bytes()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.bytes));
    let v = a.json();
    assert_eq!(v["accepted"], 9, "{v}");
    assert_eq!(v["duplicates"], 0);
    let rejected: Vec<(u64, String)> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 6, 11], "{v}");
    assert!(rejected[0].1.starts_with("nested deeper than"), "{rejected:?}");
    assert!(rejected[1].1.starts_with("site:"), "{rejected:?}");
    assert_eq!(rejected[2].1, "expected object");

    // Every good event is stored, the one with the half emoji with U+FFFD in its place.
    let stored = get(&t.app, "/api/events?limit=100").await.json();
    let mut ids: Vec<&str> = stored.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (0..9).map(|i| format!("good{i}")).collect::<Vec<_>>());
    let g4 = stored.as_array().unwrap().iter().find(|e| e["messageId"] == "good4").unwrap();
    assert_eq!(g4["cut"], "Buy now \u{fffd}");
    assert_eq!(g4["properties"], good[4]["properties"]);
}

#[tokio::test]
async fn gzip_is_sniffed_and_honoured() {
    let t = memory_app();
    // sendBeacon: no Content-Encoding, only the magic bytes say gzip.
    let a = post(&t.app, gzip(&batch(vec![event("g1", "shop")]))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.bytes));
    assert_eq!(a.json(), json!({"accepted": 1, "duplicates": 0, "rejected": []}));
    // fetch: declared.
    let req = post_req()
        .header("content-encoding", "gzip")
        .body(Body::from(gzip(&batch(vec![event("g2", "shop")]))))
        .unwrap();
    assert_eq!(send(&t.app, req).await.json(), json!({"accepted": 1, "duplicates": 0, "rejected": []}));
    let req = post_req().header("content-encoding", "br").body(Body::from(batch(vec![event("g3", "shop")]))).unwrap();
    assert_eq!(send(&t.app, req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // One gzip member, nothing after it: a second member or trailing bytes are refused, not
    // silently dropped.
    let mut two = gzip(&batch(vec![event("g4", "shop")]));
    two.extend_from_slice(&gzip(&batch(vec![event("g5", "shop")])));
    let a = post(&t.app, two).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error().contains("second gzip member"), "{}", a.error());
    let mut trailing = gzip(&batch(vec![event("g6", "shop")]));
    trailing.extend_from_slice(b"\n\0\0junk");
    let a = post(&t.app, trailing).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error().contains("trailing bytes"), "{}", a.error());
    assert_eq!(t.state.store.count().unwrap(), 2);
}

#[tokio::test]
async fn size_limits_are_413() {
    let t = memory_app();
    // 50 MiB of zeros compresses to ~50 KiB: must be refused without inflating it all.
    let bomb = gzip(&vec![0u8; 50 * 1024 * 1024]);
    assert!(bomb.len() < 512 * 1024);
    let start = Instant::now();
    let a = post(&t.app, bomb).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.error().contains("decompressed"));
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());

    // Plain body over 512 KiB (valid JSON, so only the size is wrong).
    let mut big = batch(vec![event("b1", "shop")]);
    big.splice(1..1, std::iter::repeat_n(b' ', 512 * 1024));
    let a = post(&t.app, big).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.error().starts_with("body"));

    // One event over 32 KiB, the batch well under 512 KiB: that event alone is refused.
    let mut fat = event("f1", "shop");
    fat["properties"]["blob"] = json!("x".repeat(33 * 1024));
    let a = post(&t.app, batch(vec![event("ok", "shop"), fat])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["accepted"], 1);
    assert_eq!(a.json()["rejected"][0]["index"], 1);
    assert!(a.json()["rejected"][0]["reason"].as_str().unwrap().starts_with("event is "), "{}", a.json());

    // Just under the per-event limit is fine.
    let mut fits = event("f2", "shop");
    fits["properties"]["blob"] = json!("x".repeat(30 * 1024));
    assert_eq!(post(&t.app, batch(vec![fits])).await.status, StatusCode::OK);
    assert_eq!(t.state.store.count().unwrap(), 2);
}

#[tokio::test]
async fn oversized_content_length_is_413_before_the_body() {
    let t = memory_app();
    // A body that never sends a byte: the answer can only come from the Content-Length.
    let never = Body::from_stream(futures_pending());
    let req = post_req().header("content-length", "100000000000").body(never).unwrap();
    let a = tokio::time::timeout(Duration::from_secs(2), send(&t.app, req)).await.expect("answered early");
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.error().contains("Content-Length"), "{}", a.error());
    assert_eq!(a.header("content-type"), Some("application/json"));
}

/// The two refusals tower-http's layers answer themselves, a `Content-Length` over the limit
/// (413) and a request past `--request-timeout` (408), are counted in `/metrics` like the
/// handler's own (they were not: an SRE's `curl --data-binary @600KB.body` left too_large at 0).
#[tokio::test]
async fn refusals_answered_by_the_http_layers_are_counted_in_metrics() {
    let state = touchpoint_collector::AppState::new(
        Store::open(":memory:").unwrap(),
        touchpoint_collector::origin::OriginPolicy::new(Default::default()),
        None,
    )
    .with_http_limits(touchpoint_collector::HttpLimits {
        request_timeout: Duration::from_millis(200),
        ..Default::default()
    });
    let app = touchpoint_collector::router(state, Path::new("/nonexistent"), Path::new("/nonexistent"));
    let big = vec![b' '; 600 * 1024];
    let req = post_req().header("content-length", big.len().to_string()).body(Body::from(big)).unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let req = post_req().body(Body::from_stream(futures_pending())).unwrap();
    let a = tokio::time::timeout(Duration::from_secs(5), send(&app, req)).await.expect("answered");
    assert_eq!(a.status, StatusCode::REQUEST_TIMEOUT);
    assert!(a.error().contains("request timeout"), "{}", a.error());
    // A preflight is no batch: not counted.
    let pre = Request::options("/v1/batch").header("host", HOST).header("content-length", "999999999");
    send(&app, pre.body(Body::empty()).unwrap()).await;
    let text = String::from_utf8(get(&app, "/metrics").await.bytes).unwrap();
    for line in ["touchpoint_batches_total{outcome=\"too_large\"} 1", "touchpoint_batches_total{outcome=\"timeout\"} 1"]
    {
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
}

/// A body stream that never yields.
fn futures_pending() -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    struct Never;
    impl futures_core::Stream for Never {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Pending
        }
    }
    Never
}

#[tokio::test]
async fn store_failure_is_503_and_nothing_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let path = path.to_str().unwrap();
    let t = app_with(Store::open(path).unwrap(), &[], None, Path::new("/x"), Path::new("/x"));
    assert_eq!(post(&t.app, batch(vec![event("pre", "shop")])).await.status, StatusCode::OK);

    // Simulate a write failing half-way through a batch (disk full, I/O error).
    let side = rusqlite::Connection::open(path).unwrap();
    side.execute_batch(
        "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.message_id = 'bad'
         BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;",
    )
    .unwrap();
    let a = post(&t.app, batch(vec![event("ok1", "shop"), event("bad", "shop"), event("ok2", "shop")])).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.header("retry-after"), Some("1"));
    assert!(a.error().contains("simulated disk failure"), "{}", a.error());
    assert!(a.json().get("accepted").is_none());
    // The transaction rolled back: ok1, inserted before the failure, is gone.
    assert_eq!(t.state.store.count().unwrap(), 1);
    // The health check says so (a process that answers is not a collector that stores).
    let h = get(&t.app, "/healthz").await;
    assert_eq!(h.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(h.error().contains("simulated disk failure"), "{}", h.error());

    // Once the fault is gone the retry is stored in full, and the collector is healthy again.
    side.execute_batch("DROP TRIGGER boom").unwrap();
    let a = post(&t.app, batch(vec![event("ok1", "shop"), event("bad", "shop"), event("ok2", "shop")])).await;
    assert_eq!(a.json(), json!({"accepted": 3, "duplicates": 0, "rejected": []}));
    let h = get(&t.app, "/healthz").await;
    assert_eq!((h.status, h.bytes.as_slice()), (StatusCode::OK, &b"ok"[..]));

    // A read-only database (e.g. a full or remounted disk) also answers 503.
    let ro = app_with(Store::open_read_only(path).unwrap(), &[], None, Path::new("/x"), Path::new("/x"));
    let a = post(&ro.app, batch(vec![event("ro1", "shop")])).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&ro.app, "/healthz").await.status, StatusCode::SERVICE_UNAVAILABLE);
    // A minute with no batch stored after the failure: `ok` again, so that a balancer sends
    // batches again to find out whether the disk has room now.
    *ro.state.storage_failed.lock().unwrap() =
        Some((std::time::Instant::now() - std::time::Duration::from_secs(61), "old".into()));
    assert_eq!(get(&ro.app, "/healthz").await.status, StatusCode::OK);
    assert_eq!(t.state.store.count().unwrap(), 4);
}

#[tokio::test]
async fn origins() {
    let t = app_with(
        Store::open(":memory:").unwrap(),
        &[("shop", "https://shop.example"), ("blog", "https://blog.example")],
        None,
        Path::new("/x"),
        Path::new("/x"),
    );
    let with_origin =
        |origin: &str, events: Vec<Value>| post_req().header("origin", origin).body(Body::from(batch(events))).unwrap();

    // No Origin: not a browser.
    let a = post(&t.app, batch(vec![event("n1", "shop")])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("access-control-allow-origin"), None);

    // Own origin, any site.
    let a = send(&t.app, with_origin(OWN_ORIGIN, vec![event("o1", "anything")])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("access-control-allow-origin"), Some(OWN_ORIGIN));

    // Allowed via --allow.
    let a = send(&t.app, with_origin("https://shop.example", vec![event("s1", "shop")])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("access-control-allow-origin"), Some("https://shop.example"));
    assert_eq!(a.header("vary"), Some("Origin"));

    // Disallowed origin.
    let a = send(&t.app, with_origin("https://evil.example", vec![event("e1", "shop")])).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.error(), "origin not allowed for site shop");
    assert_eq!(a.header("access-control-allow-origin"), None);

    // Allowed for one site of the batch but not for the other: the other's events are refused
    // one by one (at their index, after an invalid event), the rest stored.
    let a = send(
        &t.app,
        with_origin(
            "https://shop.example",
            vec![event("s2", "shop"), json!({"nope": 1}), event("b1", "blog"), event("s3", "shop")],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("access-control-allow-origin"), Some("https://shop.example"));
    assert_eq!(a.json()["accepted"], 2);
    let rejected: Vec<(u64, String)> = a.json()["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert_eq!(rejected[1], (2, "origin not allowed for site blog".to_string()));
    assert_eq!(rejected[0].0, 1);
    // None of the batch's sites writable: refused whole.
    let a = send(&t.app, with_origin("https://shop.example", vec![event("b2", "blog"), event("b3", "blog")])).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.error(), "origin not allowed for site blog");

    // Opaque origin of a sandboxed frame.
    let a = send(&t.app, with_origin("null", vec![event("z1", "shop")])).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // DNS rebinding: a page on another name that resolves to this collector sends that name as
    // its Origin and its Host. Not the collector's own origin (a security review's forged
    // purchase): refused, its preflight too. The same name through a proxy in front (the
    // first-party setup keeps the shop's Host and adds X-Forwarded-For), or an IP address, is.
    let rebound = |host: &str, more: Option<(&str, &str)>| {
        let id = format!("r{}", host.len() + more.map_or(0, |_| 100));
        let mut r = Request::post("/v1/batch").header("host", host).header("origin", format!("http://{host}"));
        if let Some((k, v)) = more {
            r = r.header(k, v);
        }
        r.body(Body::from(batch(vec![event(&id, "shop")]))).unwrap()
    };
    let a = send(&t.app, rebound("evil.example:8080", None)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.error(), "origin not allowed for site shop");
    let pre = Request::options("/v1/batch")
        .header("host", "evil.example:8080")
        .header("origin", "http://evil.example:8080")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&t.app, pre).await.status, StatusCode::FORBIDDEN);
    for (host, more) in [
        ("shop.example:8080", Some(("x-forwarded-for", "203.0.113.9"))),
        ("10.0.0.5:8080", None),
        ("[fd00::5]:8080", None),
        ("shop.localhost:8080", None),
    ] {
        let a = send(&t.app, rebound(host, more)).await;
        assert_eq!((a.status, a.json()["accepted"].as_u64()), (StatusCode::OK, Some(1)), "{host}: {}", a.json());
    }

    assert_eq!(t.state.store.count().unwrap(), 9);
}

#[tokio::test]
async fn preflight() {
    let t = app_with(
        Store::open(":memory:").unwrap(),
        &[("shop", "https://shop.example")],
        None,
        Path::new("/x"),
        Path::new("/x"),
    );
    let pre = |origin: &str| {
        Request::options("/v1/batch")
            .header("host", HOST)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let a = send(&t.app, pre("https://shop.example")).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.header("access-control-allow-origin"), Some("https://shop.example"));
    assert!(a.header("access-control-allow-methods").unwrap().contains("POST"));
    assert!(a.header("access-control-allow-headers").unwrap().to_ascii_lowercase().contains("content-type"));
    assert_eq!(a.header("vary"), Some("Origin"));

    let a = send(&t.app, pre("https://evil.example")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn rate_limit_is_429_with_retry_after() {
    let t = app_with(Store::open(":memory:").unwrap(), &[], Some(2), Path::new("/x"), Path::new("/x"));
    let from = |ip: &str, id: &str| {
        let addr: SocketAddr = format!("{ip}:5000").parse().unwrap();
        post_req().extension(ConnectInfo(addr)).body(Body::from(batch(vec![event(id, "shop")]))).unwrap()
    };
    assert_eq!(send(&t.app, from("10.0.0.1", "r1")).await.status, StatusCode::OK);
    assert_eq!(send(&t.app, from("10.0.0.1", "r2")).await.status, StatusCode::OK);
    let a = send(&t.app, from("10.0.0.1", "r3")).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.header("retry-after"), Some("1"));
    // Its body unread, the connection is not reused: said, so that a client does not send its
    // next request on it.
    assert_eq!(a.header("connection"), Some("close"));
    assert!(a.error().contains("rate limit"));
    // Other clients are not affected; reads are not limited.
    assert_eq!(send(&t.app, from("10.0.0.2", "r4")).await.status, StatusCode::OK);
    assert_eq!(get(&t.app, "/api/stats").await.status, StatusCode::OK);
    assert_eq!(t.state.store.count().unwrap(), 3);
}

/// Behind a `--trusted-proxy`, the batch and read rate limits count each client the proxy names
/// in `X-Forwarded-For` (its rightmost address not a trusted proxy) apart; they counted every
/// client as the proxy's one address. The header of a peer not trusted is ignored.
#[tokio::test]
async fn rate_limits_behind_a_trusted_proxy_count_each_forwarded_client() {
    let trusted =
        touchpoint_collector::proxy::TrustedProxies::new(vec![
            touchpoint_collector::proxy::Net::parse("10.0.0.0/8").unwrap()
        ]);
    let state = touchpoint_collector::AppState::new(
        Store::open(":memory:").unwrap(),
        touchpoint_collector::origin::OriginPolicy::new(Default::default()),
        Some(1),
    )
    .with_access(touchpoint_collector::api::Access::new(None, Vec::new(), 1))
    .with_trusted_proxies(trusted);
    let app = touchpoint_collector::router(state, Path::new("/x"), Path::new("/x"));
    let peer = |ip: &str| ConnectInfo::<SocketAddr>(format!("{ip}:5000").parse().unwrap());
    let post_from = |ip: &str, xff: &str, id: &str| {
        post_req().extension(peer(ip)).header("x-forwarded-for", xff).body(Body::from(batch(vec![event(id, "shop")])))
    };
    // Two clients through one trusted proxy: one request each, both in.
    assert_eq!(send(&app, post_from("10.0.0.2", "203.0.113.1", "a1").unwrap()).await.status, StatusCode::OK);
    assert_eq!(send(&app, post_from("10.0.0.2", "203.0.113.2", "b1").unwrap()).await.status, StatusCode::OK);
    // The same client again within the second, whatever it wrote on the left: limited.
    let again = post_from("10.0.0.2", "198.51.100.9, 203.0.113.1", "a2").unwrap();
    assert_eq!(send(&app, again).await.status, StatusCode::TOO_MANY_REQUESTS);
    // From a peer not trusted, the header names nobody: the peer is the client.
    assert_eq!(send(&app, post_from("192.0.2.1", "203.0.113.3", "c1").unwrap()).await.status, StatusCode::OK);
    let spoof = post_from("192.0.2.1", "203.0.113.4", "c2").unwrap();
    assert_eq!(send(&app, spoof).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Reads: with a read token, the read rate is per forwarded client too.
    let state = touchpoint_collector::AppState::new(
        Store::open(":memory:").unwrap(),
        touchpoint_collector::origin::OriginPolicy::new(Default::default()),
        None,
    )
    .with_access(touchpoint_collector::api::Access::new(Some("s3cret-token-123".into()), Vec::new(), 1))
    .with_trusted_proxies(touchpoint_collector::proxy::TrustedProxies::new(vec![
        touchpoint_collector::proxy::Net::parse("10.0.0.2").unwrap(),
    ]));
    let app = touchpoint_collector::router(state, Path::new("/x"), Path::new("/x"));
    let read_from = |xff: &str| {
        Request::get("/api/stats")
            .header("host", HOST)
            .header("authorization", "Bearer s3cret-token-123")
            .header("x-forwarded-for", xff)
            .extension(peer("10.0.0.2"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, read_from("203.0.113.1")).await.status, StatusCode::OK);
    assert_eq!(send(&app, read_from("203.0.113.2")).await.status, StatusCode::OK);
    assert_eq!(send(&app, read_from("203.0.113.1")).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn health_and_static_files() {
    let dir = tempfile::tempdir().unwrap();
    let (www, sdk) = (dir.path().join("www"), dir.path().join("dist"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(sdk.join("touchpoint.js"), "export default 1;").unwrap();
    std::fs::write(sdk.join("touchpoint_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let t = app_with(Store::open(":memory:").unwrap(), &[], None, &www, &sdk);

    let a = get(&t.app, "/healthz").await;
    assert_eq!((a.status, a.bytes.as_slice()), (StatusCode::OK, &b"ok"[..]));

    let a = get(&t.app, "/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.bytes, b"<h1>demo</h1>");
    assert!(a.header("content-type").unwrap().starts_with("text/html"));
    // Checked again at each use (a collector's upgrade is seen at once).
    assert_eq!(a.header("cache-control"), Some("no-cache"));

    let a = get(&t.app, "/touchpoint/touchpoint_bg.wasm").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("application/wasm"));
    let a = get(&t.app, "/touchpoint/touchpoint.js").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.header("content-type").unwrap().contains("javascript"));

    assert_eq!(get(&t.app, "/nope.html").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&t.app, "/touchpoint/../www/index.html").await.status, StatusCode::NOT_FOUND);
    // A directory of the SDK's (the npm package's files) is no page: 404, not a redirect that
    // lost the /touchpoint/ prefix (to /npm/).
    std::fs::create_dir_all(sdk.join("npm")).unwrap();
    assert_eq!(get(&t.app, "/touchpoint/npm").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&t.app, "/touchpoint/npm/").await.status, StatusCode::NOT_FOUND);
}

/// The SDK as a shop on another origin loads it from the collector: compressed when the browser
/// accepts it, readable in CORS mode (the loader fetches the wasm so, for its integrity), cached
/// for good under a content-hashed name and checked again under a stable one.
#[tokio::test]
async fn sdk_files_compressed_cached_and_loadable_from_any_origin() {
    let dir = tempfile::tempdir().unwrap();
    let (www, sdk) = (dir.path().join("www"), dir.path().join("dist"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&sdk).unwrap();
    let wasm = b"\0asm\x01\0\0\0 the wasm";
    for name in ["touchpoint_bg.wasm", "touchpoint_bg.0123456789ab.wasm"] {
        std::fs::write(sdk.join(name), wasm).unwrap();
        std::fs::write(sdk.join(format!("{name}.br")), b"brotli bytes").unwrap();
        std::fs::write(sdk.join(format!("{name}.gz")), b"gzip bytes").unwrap();
    }
    std::fs::write(sdk.join("touchpoint.js"), "1;").unwrap(); // (no compressed copies)
    let t = app_with(Store::open(":memory:").unwrap(), &[], None, &www, &sdk);
    let fetch = |uri: &str, accept: &str| {
        let req = Request::get(uri)
            .header("host", HOST)
            .header("origin", "https://shop.example")
            .header("accept-encoding", accept);
        send(&t.app, req.body(Body::empty()).unwrap())
    };

    let a = fetch("/touchpoint/touchpoint_bg.wasm", "gzip, deflate, br, zstd").await;
    assert_eq!((a.status, a.bytes.as_slice()), (StatusCode::OK, &b"brotli bytes"[..]));
    assert_eq!(a.header("content-encoding"), Some("br"));
    assert_eq!(a.header("content-type"), Some("application/wasm"));
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    assert_eq!(a.header("cross-origin-resource-policy"), Some("cross-origin"));
    assert_eq!(a.header("vary"), Some("accept-encoding"));
    assert_eq!(a.header("cache-control"), Some("no-cache"));
    let a = fetch("/touchpoint/touchpoint_bg.wasm", "gzip").await;
    assert_eq!((a.bytes.as_slice(), a.header("content-encoding")), (&b"gzip bytes"[..], Some("gzip")));
    let a = fetch("/touchpoint/touchpoint_bg.wasm", "identity").await;
    assert_eq!((a.bytes.as_slice(), a.header("content-encoding")), (&wasm[..], None));

    let a = fetch("/touchpoint/touchpoint_bg.0123456789ab.wasm", "br").await;
    assert_eq!(a.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(a.header("content-encoding"), Some("br"));
    // The stable loader's `touchpoint_bg.wasm?v=<hash>`: the hashed copy, cached as it is (it
    // was no-cache: a second revalidation before every page's start, ~800 ms on a slow
    // network). A hash with no copy here is the stable file, checked again.
    std::fs::write(sdk.join("touchpoint_bg.0123456789ab.wasm.br"), b"the build's brotli").unwrap();
    let a = fetch("/touchpoint/touchpoint_bg.wasm?v=0123456789ab", "br").await;
    assert_eq!((a.status, a.bytes.as_slice()), (StatusCode::OK, &b"the build's brotli"[..]));
    assert_eq!(a.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(
        (a.header("content-type"), a.header("access-control-allow-origin")),
        (Some("application/wasm"), Some("*"))
    );
    let a = fetch("/touchpoint/touchpoint_bg.wasm?v=ffffffffffff", "br").await;
    assert_eq!((a.bytes.as_slice(), a.header("cache-control")), (&b"brotli bytes"[..], Some("no-cache")));
    let a = fetch("/touchpoint/touchpoint_bg.wasm?v=../../x", "br").await;
    assert_eq!(a.header("cache-control"), Some("no-cache"));
    // A stable name is checked again: unchanged, a 304, still with the headers.
    let a = fetch("/touchpoint/touchpoint.js", "br").await;
    assert_eq!((a.status, a.header("content-encoding")), (StatusCode::OK, None));
    let tag = a.header("etag").unwrap().to_string();
    let req = Request::get("/touchpoint/touchpoint.js").header("host", HOST).header("if-none-match", &tag);
    let a = send(&t.app, req.body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::NOT_MODIFIED);
    assert_eq!((a.header("cache-control"), a.header("access-control-allow-origin")), (Some("no-cache"), Some("*")));
    assert_eq!((a.header("etag"), a.bytes.len()), (Some(tag.as_str()), 0));
    // Not found: no caching said.
    let a = fetch("/touchpoint/nope.0123456789ab.js", "br").await;
    assert_eq!((a.status, a.header("cache-control")), (StatusCode::NOT_FOUND, None));
    // The site's own pages are not the SDK's: no CORS for them.
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    assert_eq!(fetch("/index.html", "br").await.header("access-control-allow-origin"), None);
}

/// The SDK's stable names are validated by their bytes (a strong ETag per file and encoding),
/// not by their modification time: a rollback to an older build copied with its times kept
/// (`cp -a`) reaches a browser holding the newer loader, whose `If-Modified-Since` is later than
/// the older file's time (it was answered 304, and a loader and a wasm of two builds refuse
/// each other).
#[tokio::test]
async fn sdk_stable_names_are_validated_by_content_not_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let sdk = dir.path().join("dist");
    std::fs::create_dir_all(&sdk).unwrap();
    let old_time = std::time::SystemTime::now() - Duration::from_secs(86_400);
    let write = |name: &str, bytes: &[u8], at: std::time::SystemTime| {
        std::fs::write(sdk.join(name), bytes).unwrap();
        std::fs::File::options().write(true).open(sdk.join(name)).unwrap().set_modified(at).unwrap();
    };
    write("touchpoint.js", b"/* build 2 */", std::time::SystemTime::now());
    for (name, bytes) in
        [("touchpoint_bg.wasm", &b"wasm 2"[..]), ("touchpoint_bg.wasm.br", b"br 2"), ("touchpoint_bg.wasm.gz", b"gz 2")]
    {
        write(name, bytes, std::time::SystemTime::now());
    }
    let t = app_with(Store::open(":memory:").unwrap(), &[], None, Path::new("/nonexistent"), &sdk);
    let fetch = |uri: &str, headers: &[(&str, &str)]| {
        let mut req = Request::get(uri).header("host", HOST);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        send(&t.app, req.body(Body::empty()).unwrap())
    };
    let newer = fetch("/touchpoint/touchpoint.js", &[]).await;
    assert_eq!(newer.status, StatusCode::OK);
    let newer_tag = newer.header("etag").expect("an ETag").to_string();
    assert!(newer_tag.starts_with('"') && newer_tag.ends_with('"'), "strong: {newer_tag}");
    assert_eq!(newer.header("last-modified"), None, "the time is not a validator here");
    let later = "Sun, 01 Jan 2034 00:00:00 GMT";
    let again =
        fetch("/touchpoint/touchpoint.js", &[("if-none-match", &newer_tag), ("if-modified-since", later)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // (A list, and a weak form of the same tag, match too.)
    let weak = format!("\"x\", W/{newer_tag}");
    assert_eq!(fetch("/touchpoint/touchpoint.js", &[("if-none-match", &weak)]).await.status, StatusCode::NOT_MODIFIED);

    // Rolled back to build 1, its file's older time kept.
    write("touchpoint.js", b"/* build 1, older */", old_time);
    let back = fetch("/touchpoint/touchpoint.js", &[("if-none-match", &newer_tag), ("if-modified-since", later)]).await;
    assert_eq!((back.status, back.bytes.as_slice()), (StatusCode::OK, &b"/* build 1, older */"[..]));
    assert_ne!(back.header("etag"), Some(newer_tag.as_str()));
    // A cache that kept an answer with no ETag (an older collector) asks by time alone: the
    // time cannot be trusted, the whole file is sent.
    let by_time = fetch("/touchpoint/touchpoint.js", &[("if-modified-since", later)]).await;
    assert_eq!((by_time.status, by_time.bytes.as_slice()), (StatusCode::OK, &b"/* build 1, older */"[..]));
    // No range of a stable name (one build's bytes completed by another's): the whole file.
    let ranged = fetch("/touchpoint/touchpoint.js", &[("range", "bytes=0-3")]).await;
    assert_eq!((ranged.status, ranged.bytes.len()), (StatusCode::OK, 20));

    // Each encoding of the wasm has its own tag; one's tag does not validate another.
    let mut tags = Vec::new();
    for (accept, bytes) in [("br", &b"br 2"[..]), ("gzip", b"gz 2"), ("identity", b"wasm 2")] {
        let a = fetch("/touchpoint/touchpoint_bg.wasm", &[("accept-encoding", accept)]).await;
        assert_eq!((a.status, a.bytes.as_slice()), (StatusCode::OK, bytes), "{accept}");
        assert_eq!(a.header("vary"), Some("accept-encoding"));
        tags.push(a.header("etag").unwrap().to_string());
        let same = fetch(
            "/touchpoint/touchpoint_bg.wasm",
            &[("accept-encoding", accept), ("if-none-match", &tags[tags.len() - 1])],
        )
        .await;
        assert_eq!(same.status, StatusCode::NOT_MODIFIED, "{accept}");
    }
    assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2], "{tags:?}");
    let other =
        fetch("/touchpoint/touchpoint_bg.wasm", &[("accept-encoding", "gzip"), ("if-none-match", &tags[0])]).await;
    assert_eq!((other.status, other.bytes.as_slice()), (StatusCode::OK, &b"gz 2"[..]));
}

#[tokio::test]
async fn no_dotfiles_and_no_symlinks_out_of_the_served_directories() {
    let dir = tempfile::tempdir().unwrap();
    let (www, sdk, outside) = (dir.path().join("www"), dir.path().join("dist"), dir.path().join("secret"));
    for d in [&www, &sdk, &outside, &www.join(".git"), &www.join("sub")] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(www.join("sub/page.html"), "inside").unwrap();
    std::fs::write(www.join(".env"), "SECRET=1").unwrap();
    std::fs::write(www.join(".git/config"), "[core]").unwrap();
    std::fs::write(sdk.join(".hidden.js"), "x").unwrap();
    std::fs::write(outside.join("passwd"), "root:x:0:0").unwrap();
    std::fs::write(outside.join("index.html"), "outside index").unwrap();
    std::os::unix::fs::symlink(outside.join("passwd"), www.join("passwd")).unwrap();
    std::os::unix::fs::symlink(&outside, www.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(outside.join("passwd"), sdk.join("touchpoint.js")).unwrap();
    // A compressed copy the collector would serve in a file's place is checked as the file is.
    std::fs::write(sdk.join("touchpoint_bg.wasm"), "wasm").unwrap();
    std::os::unix::fs::symlink(outside.join("passwd"), sdk.join("touchpoint_bg.wasm.gz")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", www.join("etc-passwd")).unwrap();
    // A link that stays inside the directory is fine.
    std::os::unix::fs::symlink(www.join("sub/page.html"), www.join("alias.html")).unwrap();
    let t = app_with(Store::open(":memory:").unwrap(), &[], None, &www, &sdk);

    for path in [
        "/.env",
        "/.git/config",
        "/%2eenv",
        "/%2Egit/config",
        "/sub/../.env",
        "/touchpoint/.hidden.js",
        "/passwd",
        "/etc-passwd",
        "/linked-dir/passwd",
        "/linked-dir/",
        "/linked-dir",
        "/touchpoint/touchpoint.js",
        "/touchpoint/touchpoint_bg.wasm",
    ] {
        let a = get(&t.app, path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {:?}", String::from_utf8_lossy(&a.bytes));
        assert!(!String::from_utf8_lossy(&a.bytes).contains("root:"), "{path}");
    }
    assert_eq!(get(&t.app, "/alias.html").await.bytes, b"inside");
    assert_eq!(get(&t.app, "/sub/page.html").await.bytes, b"inside");
    assert_eq!(get(&t.app, "/").await.bytes, b"<h1>demo</h1>");
}

/// An unknown read endpoint is a 404 in the API's error format, with the headers of its other
/// errors (it was an empty 404 from the static files); other unknown paths stay the static 404.
#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let t = memory_app();
    // A known endpoint's error, for its headers.
    let bad = get(&t.app, "/api/stats?bogus=1").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    for path in ["/api/nosuch", "/api/nosuch?site=shop", "/api/sessions/s1/more", "/api/", "/api"] {
        let a = get(&t.app, path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert!(a.error().contains("no such read endpoint"), "{path}: {}", a.error());
        for h in
            ["content-type", "cache-control", "content-security-policy", "x-frame-options", "x-content-type-options"]
        {
            assert_eq!(a.header(h), bad.header(h), "{path}: {h}");
        }
    }
    let post = send(&t.app, Request::post("/api/nosuch").header("host", HOST).body(Body::empty()).unwrap()).await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    assert!(post.error().contains("no such read endpoint"));
    // Behind the read guard like the others: without the token, a 401, not a map of the API.
    let state = touchpoint_collector::AppState::new(
        Store::open(":memory:").unwrap(),
        touchpoint_collector::origin::OriginPolicy::new(Default::default()),
        None,
    )
    .with_access(touchpoint_collector::api::Access::new(Some("s3cret-token-123".into()), Vec::new(), 1000));
    let guarded = touchpoint_collector::router(state, Path::new("/nonexistent"), Path::new("/nonexistent"));
    assert_eq!(get(&guarded, "/api/nosuch").await.status, StatusCode::UNAUTHORIZED);
    // Not under /api/: the static files' 404, as before.
    let a = get(&t.app, "/apinosuch").await;
    assert_eq!((a.status, a.bytes.len(), a.header("content-type")), (StatusCode::NOT_FOUND, 0, None));
    // Every answer says no type sniffing, the static files' 404 too (security QA).
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
}

/// A method a read endpoint does not take is a 405 in the API's error format (its body was
/// empty), with the Allow header and the read answers' headers.
#[tokio::test]
async fn a_wrong_method_on_a_read_endpoint_is_a_json_405() {
    let t = memory_app();
    let bad = get(&t.app, "/api/stats?bogus=1").await;
    for path in ["/api/events", "/api/sessions/s1", "/api/pages"] {
        let a = send(&t.app, Request::post(path).header("host", HOST).body(Body::empty()).unwrap()).await;
        assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert!(a.error().contains("reads are GET"), "{path}: {}", a.error());
        assert!(a.header("allow").is_some_and(|v| v.contains("GET")), "{path}");
        for h in
            ["content-type", "cache-control", "content-security-policy", "x-frame-options", "x-content-type-options"]
        {
            assert_eq!(a.header(h), bad.header(h), "{path}: {h}");
        }
    }
}

/// `GET /metrics`: batches by outcome, events accepted, duplicated and refused, storage health and
/// the events stored, in Prometheus' text format; a read behind the read guard like the others.
#[tokio::test]
async fn metrics_count_batches_by_outcome_and_events() {
    let t = memory_app();
    let events = vec![event("m1", "shop"), event("m2", "shop")];
    assert_eq!(post(&t.app, batch(events.clone())).await.status, StatusCode::OK);
    // Again (both duplicates), one refused event beside a new one, and a body that is no batch.
    assert_eq!(post(&t.app, batch(events)).await.status, StatusCode::OK);
    let mut bad = event("m3", "shop");
    bad["timestamp"] = serde_json::json!("yesterday");
    assert_eq!(post(&t.app, batch(vec![bad, event("m4", "shop")])).await.status, StatusCode::OK);
    assert_eq!(post(&t.app, b"not json".to_vec()).await.status, StatusCode::BAD_REQUEST);
    let m = get(&t.app, "/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.header("cache-control"), Some("no-store"));
    assert!(m.header("content-type").is_some_and(|c| c.starts_with("text/plain; version=0.0.4")));
    let text = String::from_utf8(m.bytes).unwrap();
    for line in [
        "touchpoint_batches_total{outcome=\"stored\"} 3",
        "touchpoint_batches_total{outcome=\"invalid\"} 1",
        "touchpoint_batches_total{outcome=\"unavailable\"} 0",
        "touchpoint_events_accepted_total 3",
        "touchpoint_events_duplicate_total 2",
        "touchpoint_events_rejected_total 1",
        "touchpoint_storage_failing 0",
        "touchpoint_events_stored 3",
        "# TYPE touchpoint_batches_total counter",
        &format!(
            "touchpoint_build_info{{version=\"{}\",schema=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            touchpoint_collector::store::SCHEMA_VERSION
        ),
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
    let state = touchpoint_collector::AppState::new(
        Store::open(":memory:").unwrap(),
        touchpoint_collector::origin::OriginPolicy::new(Default::default()),
        None,
    )
    .with_access(touchpoint_collector::api::Access::new(Some("s3cret-token-123".into()), Vec::new(), 1000));
    let guarded = touchpoint_collector::router(state, Path::new("/nonexistent"), Path::new("/nonexistent"));
    assert_eq!(get(&guarded, "/metrics").await.status, StatusCode::UNAUTHORIZED);
    let with_token = Request::get("/metrics")
        .header("host", HOST)
        .header("authorization", "Bearer s3cret-token-123")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&guarded, with_token).await.status, StatusCode::OK);
}
