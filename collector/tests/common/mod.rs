//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use flate2::write::GzEncoder;
use flate2::Compression;
use http_body_util::BodyExt;
use rusqlite::Connection;
use serde_json::{json, Value};
use touchpoint_collector::api::Access;
use touchpoint_collector::origin::OriginPolicy;
use touchpoint_collector::validate::{parse_batch, Event};
use touchpoint_collector::{router, AppState, Store};
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:8080";
pub const OWN_ORIGIN: &str = "http://127.0.0.1:8080";

/// A valid event as the SDK would send it.
pub fn event(id: &str, site: &str) -> Value {
    json!({
        "type": "track",
        "event": "button_click",
        "messageId": id,
        "timestamp": "2024-05-01T12:00:00.000Z",
        "sessionId": "sess-1",
        "site": site,
        "properties": {"label": "Buy now"},
        "context": {
            "page": {"url": "http://127.0.0.1:8080/", "path": "/", "title": "Demo", "referrer": ""},
            "library": {"name": "touchpoint", "version": "0.1.0"}
        },
        "anonymousId": "anon-1",
        "someFutureField": {"kept": true}
    })
}

/// A batch of `events` sent now by a device whose clock is right (its `sentAt` is the collector's
/// time: no clock to correct, each event counts at its own `timestamp`).
pub fn batch(events: Vec<Value>) -> Vec<u8> {
    batch_sent_at(&now_iso(), events)
}

/// A batch of `events` whose `sentAt` is `sent_at` (the device's clock when it left).
pub fn batch_sent_at(sent_at: &str, events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"sentAt": sent_at, "batch": events})).unwrap()
}

/// The collector's clock now, as the SDK writes a time (`2026-12-06T05:40:00.000Z`).
pub fn now_iso() -> String {
    iso_at(touchpoint_collector::facts::now_ms())
}

/// Unix milliseconds `ms` as the SDK writes a time.
pub fn iso_at(ms: i64) -> String {
    touchpoint_collector::facts::format_iso_millis(ms)
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub struct TestApp {
    pub app: Router,
    pub state: AppState,
}

pub fn app_with(store: Store, allow: &[(&str, &str)], rate_limit: Option<u32>, www: &Path, sdk: &Path) -> TestApp {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (site, origin) in allow {
        map.entry(site.to_string()).or_default().push(origin.to_string());
    }
    let state = AppState::new(store, OriginPolicy::new(map), rate_limit);
    TestApp { app: router(state.clone(), www, sdk), state }
}

/// The state of a collector on `store` that allows no origin and limits no rate.
pub fn state_on(store: Store) -> AppState {
    AppState::new(store, OriginPolicy::new(Default::default()), None)
}

/// The routes of `state`, without static files.
pub fn router_of(state: AppState) -> Router {
    router(state, Path::new("/nonexistent"), Path::new("/nonexistent"))
}

/// [`router_of`] `state`, the state kept beside it.
pub fn app_of(state: AppState) -> TestApp {
    TestApp { app: router_of(state.clone()), state }
}

/// The read API over `store`, read with `access`; without static files.
pub fn read_app(store: Store, access: Access) -> TestApp {
    app_of(state_on(store).with_access(access))
}

/// [`read_app`], open (no token: the tests read from the loopback address), at most 1000 reads a
/// second.
pub fn app_on(store: Store) -> TestApp {
    read_app(store, Access::new(None, Vec::new(), 1000))
}

pub fn memory_app() -> TestApp {
    app_with(Store::open(":memory:").unwrap(), &[], None, Path::new("/nonexistent"), Path::new("/nonexistent"))
}

/// A POST to /v1/batch the way sendBeacon sends it: text/plain, Host set.
pub fn post_req() -> axum::http::request::Builder {
    Request::post("/v1/batch").header("content-type", "text/plain;charset=UTF-8").header("host", HOST)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.bytes)))
    }
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_else(|| panic!("no error field: {}", self.json())).to_string()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, headers, bytes }
}

pub async fn post(app: &Router, body: Vec<u8>) -> Answer {
    send(app, post_req().body(Body::from(body)).unwrap()).await
}

pub async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).header("host", HOST).body(Body::empty()).unwrap()).await
}

/// GET `uri`: its answer, which must be a `200`.
pub async fn get_ok(t: &TestApp, uri: &str) -> Answer {
    let a = get(&t.app, uri).await;
    assert_eq!(a.status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&a.bytes));
    a
}

/// The JSON a read of the API answers with (`200`).
pub async fn api(t: &TestApp, uri: &str) -> Value {
    get_ok(t, uri).await.json()
}

/// Posts `events` in one batch as a browser with `ua` would (None: a request without the
/// header), none refused: (accepted, duplicates).
pub async fn post_as(t: &TestApp, ua: Option<&str>, events: Vec<Value>) -> (i64, i64) {
    let mut req = post_req();
    if let Some(ua) = ua {
        req = req.header("user-agent", ua);
    }
    let a = send(&t.app, req.body(Body::from(batch(events))).unwrap()).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = a.json();
    assert_eq!(a["rejected"], json!([]), "{a}");
    (a["accepted"].as_i64().unwrap(), a["duplicates"].as_i64().unwrap())
}

/// [`post_as`] without a `User-Agent`: (accepted, duplicates).
pub async fn ingest(t: &TestApp, events: Vec<Value>) -> (i64, i64) {
    post_as(t, None, events).await
}

/// `values` as the collector takes them in a batch (for `Store::insert_batch`).
pub fn parse_events(values: Vec<Value>) -> Vec<Event> {
    parse_batch(&batch(values)).unwrap().events
}

/// The first column of every row `sql` selects, as text.
pub fn texts(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// The database's schema version.
pub fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

/// Every table the store counts into from the events (all of them rebuilt from the events by
/// `aggregate::rebuild`).
pub const AGGREGATES: [&str; 17] = [
    "automated_sessions",
    "sessions",
    "friction",
    "minute_counts",
    "hour_counts",
    "site_totals",
    "event_tags",
    "session_tags",
    "page_minutes",
    "page_hours",
    "page_days",
    "tag_page_minutes",
    "tag_page_hours",
    "tag_page_days",
    "tag_count_minutes",
    "tag_count_hours",
    "tag_count_days",
];

/// Every row of `table`, as text, sorted.
pub fn rows(conn: &Connection, table: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
    let n = stmt.column_count();
    let mut out: Vec<String> = stmt
        .query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    out.sort();
    out
}

/// The `tables` (of [`AGGREGATES`]) of the database at `path` as stored, and as a rebuild from
/// the stored events makes them (from nothing: `aggregate::rebuild` empties them first): equal.
pub fn assert_aggregates_are_rebuilt(path: &Path, tables: &[&str]) {
    let mut conn = Connection::open(path).unwrap();
    let kept: Vec<Vec<String>> = tables.iter().map(|t| rows(&conn, t)).collect();
    let tx = conn.transaction().unwrap();
    touchpoint_collector::aggregate::rebuild(&tx).unwrap();
    for (t, kept) in tables.iter().zip(kept) {
        assert_eq!(kept, rows(&tx, t), "{t}: as kept (left) and rebuilt (right)");
    }
    // (Rolled back: the database stays as the store left it.)
}
