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
use serde_json::{json, Value};
use touchpoint_collector::origin::OriginPolicy;
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

pub fn batch(events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"sentAt": "2024-05-01T12:00:01.000Z", "batch": events})).unwrap()
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
