//! HTTP routes: the batch endpoint, the read API, health, static files.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::value::RawValue;
use tower_http::services::ServeDir;

use crate::error::IngestError;
use crate::ingest::{ingest, IngestRequest};
use crate::limits::{RateLimiter, MAX_WIRE_BYTES};
use crate::origin::OriginPolicy;
use crate::store::{Query as EventQuery, Store, StoreError};

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub policy: Arc<OriginPolicy>,
    pub limiter: Option<Arc<RateLimiter>>,
}

impl AppState {
    pub fn new(store: Store, policy: OriginPolicy, rate_limit: Option<u32>) -> Self {
        AppState {
            store: Arc::new(store),
            policy: Arc::new(policy),
            limiter: rate_limit.map(|n| Arc::new(RateLimiter::new(n))),
        }
    }
}

/// The whole app. `www` is served at `/`, `sdk` at `/touchpoint/`.
pub fn router(state: AppState, www: &Path, sdk: &Path) -> Router {
    Router::new()
        .route("/v1/batch", post(post_batch).options(preflight))
        .route("/api/events", get(list_events))
        .route("/api/stats", get(stats))
        .route("/healthz", get(|| async { "ok" }))
        .nest_service("/touchpoint", ServeDir::new(sdk))
        .fallback_service(ServeDir::new(www))
        .with_state(state)
}

async fn post_batch(State(st): State<AppState>, req: Request) -> Response {
    let origin = header_string(req.headers(), header::ORIGIN);
    let host = header_string(req.headers(), header::HOST).or_else(|| req.uri().authority().map(|a| a.to_string()));
    // Reflect CORS on failures too when the origin could post at all, so a
    // fetch-based sender can read why its batch was refused.
    let known = origin.as_deref().filter(|o| st.policy.is_known(o, host.as_deref())).map(str::to_string);

    let result = async {
        if let Some(limiter) = &st.limiter {
            // Without ConnectInfo (router used in-process) all callers share one bucket.
            let ip = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            if !limiter.check(ip) {
                return Err(IngestError::RateLimited);
            }
        }
        let content_encoding = header_string(req.headers(), header::CONTENT_ENCODING);
        let body = read_body_capped(req.into_body(), MAX_WIRE_BYTES).await?;
        let ireq = IngestRequest { body, content_encoding, origin, host };
        let (store, policy) = (st.store.clone(), st.policy.clone());
        tokio::task::spawn_blocking(move || ingest(&store, &policy, &ireq))
            .await
            .map_err(|e| IngestError::from(StoreError::Task(e.to_string())))?
    }
    .await;

    let (mut resp, cors) = match result {
        Ok(done) => (Json(done.outcome).into_response(), done.cors_origin),
        Err(e) => (e.into_response(), known),
    };
    let h = resp.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(v) = cors.and_then(|o| HeaderValue::from_str(&o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    resp
}

/// Reads at most `limit` bytes of body; more is a 413 without reading the rest.
async fn read_body_capped(body: Body, limit: usize) -> Result<Vec<u8>, IngestError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.is::<LengthLimitError>() => {
            Err(IngestError::TooLarge(format!("body: exceeds the {limit} byte limit")))
        }
        Err(e) => Err(IngestError::Invalid(format!("body: could not be read: {e}"))),
    }
}

/// Preflight for fetch-based senders. Beacons never preflight (text/plain is
/// a "simple" content type), which is why the real check is in `ingest`.
async fn preflight(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let origin = header_string(&headers, header::ORIGIN);
    let host = header_string(&headers, header::HOST);
    let mut resp = match &origin {
        Some(o) if !st.policy.is_known(o, host.as_deref()) => {
            return (
                StatusCode::FORBIDDEN,
                [(header::VARY, "Origin")],
                Json(serde_json::json!({ "error": format!("origin {o} is not allowed") })),
            )
                .into_response()
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    };
    let h = resp.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type, Content-Encoding"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    if let Some(v) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    resp
}

async fn list_events(State(st): State<AppState>, Query(params): Query<HashMap<String, String>>) -> Response {
    let limit = match params.get("limit").map(|s| s.parse::<u32>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) => n.min(MAX_LIMIT),
        Some(Err(_)) => {
            return IngestError::Invalid(format!("limit: expected an integer 0..={MAX_LIMIT}")).into_response()
        }
    };
    let q = EventQuery { limit, site: params.get("site").cloned(), event: params.get("event").cloned() };
    let store = st.store.clone();
    match blocking(move || store.recent(&q)).await {
        // Bodies were validated JSON when stored; a row edited by hand into
        // something else is skipped rather than breaking the whole answer.
        Ok(bodies) => {
            let events: Vec<Box<RawValue>> = bodies.into_iter().filter_map(|b| RawValue::from_string(b).ok()).collect();
            no_store(Json(events).into_response())
        }
        Err(e) => IngestError::from(e).into_response(),
    }
}

async fn stats(State(st): State<AppState>) -> Response {
    let store = st.store.clone();
    match blocking(move || store.stats()).await {
        Ok(s) => no_store(Json(s).into_response()),
        Err(e) => IngestError::from(e).into_response(),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Task(e.to_string()))?
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    // Non-UTF-8 header values are kept (lossily) rather than dropped: an
    // unreadable Origin must still count as "a browser sent an Origin".
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}
