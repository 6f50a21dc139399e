//! HTTP routes: the batch endpoint, the read API, health, static files.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, map_response, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use percent_encoding::percent_decode_str;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::api::{self, Access};
use crate::error::IngestError;
use crate::ingest::{prepare, IngestRequest};
use crate::limits::{HttpLimits, RateLimiter, MAX_INFLIGHT_BATCHES, MAX_WIRE_BYTES};
use crate::origin::OriginPolicy;
use crate::store::{Store, StoreError};

/// Bodies up to this size are checked on the async worker (tens of microseconds); larger
/// ones, and gzip, on the blocking pool.
const INLINE_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub policy: Arc<OriginPolicy>,
    pub limiter: Option<Arc<RateLimiter>>,
    pub http: HttpLimits,
    /// Who may read (`/api/*`, `/inspector`).
    pub access: Arc<Access>,
    /// The inspector's static files, and uPlot's `dist` directory (served at `/inspector/vendor/`).
    pub inspector_dir: PathBuf,
    pub uplot_dir: PathBuf,
    /// The token `POST /admin/erase` and `/admin/export` need; None: they are off.
    pub admin_token: Option<Arc<str>>,
    /// `--retention-days` (0: none): older events are refused at ingestion.
    pub retention_days: u32,
    /// The last batch that storage failed (a full disk, a read-only file), and why; cleared by
    /// the next batch stored. `/healthz` answers 503 while it is recent.
    pub storage_failed: Arc<Mutex<Option<(std::time::Instant, String)>>>,
    /// What stderr was told about storage failing (see [`StorageLog`]).
    pub storage_log: Arc<Mutex<StorageLog>>,
    /// The counters `GET /metrics` shows.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// `--trusted-proxy`: whose `X-Forwarded-For` names the client for the rate limits.
    pub trusted: crate::proxy::TrustedProxies,
}

/// At most one line a minute saying that storage started failing, however often it flaps.
const STORAGE_LOG_EVERY: Duration = Duration::from_secs(60);
/// While it goes on failing, a reminder this often.
const STILL_FAILING_EVERY: Duration = Duration::from_secs(600);

/// Storage failures, as the operator's log tells them: a batch answered 503 because SQLite failed
/// (a full disk, a read-only file, a broken constraint) said nothing on stderr, only to the
/// client and `/healthz`. Now a line when storage starts failing (with SQLite's error), a reminder
/// every [`STILL_FAILING_EVERY`] while it goes on, and a line when a batch is stored again; never
/// a line per batch, nor anything of a batch or its client (SQLite's errors name tables and
/// columns, not values).
#[derive(Debug, Default)]
pub struct StorageLog {
    /// Since when batches fail, and how many did; None while they are stored.
    failing: Option<(Instant, u64)>,
    /// Whether this failure was said (then its end is said too).
    said: bool,
    /// When the last line about a failure was said.
    said_at: Option<Instant>,
    /// Failures that began and ended unsaid (within a minute of a line), for the next line.
    unsaid: u64,
}

impl StorageLog {
    /// Takes a batch's storage outcome at `now` (`failed`: storage's error, None: stored), and
    /// gives the line to write to stderr, if one is due.
    pub fn note(&mut self, failed: Option<&str>, now: Instant) -> Option<String> {
        let Some(why) = failed else {
            if let Some((since, n)) = self.failing.take() {
                if std::mem::take(&mut self.said) {
                    let secs = now.saturating_duration_since(since).as_secs();
                    return Some(format!(
                        "storage works again: batches are stored ({n} refused with 503 over {secs} s)"
                    ));
                }
                self.unsaid += 1;
            }
            // Failures unsaid and over, and a minute since the last line: said now, at a batch
            // stored. (Else they waited for the next failure long enough to be said, maybe for
            // ever, and the log's last word was that storage works: an operator's QA.)
            if self.unsaid == 0 || self.said_at.is_some_and(|t| now.saturating_duration_since(t) < STORAGE_LOG_EVERY) {
                return None;
            }
            self.said_at = Some(now);
            let k = std::mem::take(&mut self.unsaid);
            return Some(format!(
                "storage failed {k} more times since the last line, each for less than a minute; it works now"
            ));
        };
        let (since, n) = self.failing.get_or_insert((now, 0));
        *n += 1;
        let quiet_for = self.said_at.map(|t| now.saturating_duration_since(t));
        let why: String = why.chars().take(300).map(|c| if c.is_control() { ' ' } else { c }).collect();
        let line = if !self.said && quiet_for.is_none_or(|q| q >= STORAGE_LOG_EVERY) {
            self.said = true;
            let earlier = match std::mem::take(&mut self.unsaid) {
                0 => String::new(),
                k => format!(" ({k} shorter failures in the last minutes not logged)"),
            };
            format!("storage failing: batches are answered 503 until it works again{earlier}: {why}")
        } else if self.said && quiet_for.is_some_and(|q| q >= STILL_FAILING_EVERY) {
            let secs = now.saturating_duration_since(*since).as_secs();
            format!("storage still failing: {n} batches refused with 503 over {secs} s: {why}")
        } else {
            return None;
        };
        self.said_at = Some(now);
        Some(line)
    }
}

/// How long a batch storage failed makes `/healthz` answer 503 when no batch is stored after it.
/// Past that the check says `ok` again: a balancer that took the collector out of rotation must
/// let batches reach it again to see whether the disk has room now (the SDK keeps its events
/// and sends them again, so a failed try loses nothing).
const UNHEALTHY_FOR: std::time::Duration = std::time::Duration::from_secs(60);

impl AppState {
    pub fn new(store: Store, policy: OriginPolicy, rate_limit: Option<u32>) -> Self {
        AppState {
            store: Arc::new(store),
            policy: Arc::new(policy),
            limiter: rate_limit.map(|n| Arc::new(RateLimiter::new(n))),
            http: HttpLimits::default(),
            access: crate::api::open_access(),
            inspector_dir: PathBuf::from(crate::config::DEFAULT_INSPECTOR_DIR),
            uplot_dir: PathBuf::from(crate::config::DEFAULT_UPLOT_DIR),
            admin_token: None,
            retention_days: 0,
            storage_failed: Arc::default(),
            storage_log: Arc::default(),
            metrics: Arc::default(),
            trusted: Default::default(),
        }
    }

    /// Refuses events older than `days` at ingestion (the hourly erasure is started apart:
    /// `privacy::keep_for`).
    pub fn with_retention(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
    }

    /// The proxies whose `X-Forwarded-For` is believed (see `proxy.rs`).
    pub fn with_trusted_proxies(mut self, trusted: crate::proxy::TrustedProxies) -> Self {
        self.trusted = trusted;
        self
    }

    pub fn with_admin_token(mut self, token: Option<String>) -> Self {
        self.admin_token = token.map(Arc::from);
        self
    }

    pub fn with_access(mut self, access: Access) -> Self {
        self.access = Arc::new(access);
        self
    }

    pub fn with_inspector(mut self, inspector_dir: &Path, uplot_dir: &Path) -> Self {
        self.inspector_dir = inspector_dir.to_path_buf();
        self.uplot_dir = uplot_dir.to_path_buf();
        self
    }

    pub fn with_http_limits(mut self, http: HttpLimits) -> Self {
        self.http = http;
        self
    }
}

/// The whole app. `www` is served at `/`, `sdk` at `/touchpoint/`.
pub fn router(state: AppState, www: &Path, sdk: &Path) -> Router {
    let http = state.http;
    // Innermost first: the body timeout wraps the body the handler reads; the concurrency
    // limit makes extra batches wait before any of their body is read; the body limit answers
    // 413 from the Content-Length alone; the request timeout bounds all of it (408).
    let batch = post(post_batch)
        .options(preflight)
        .layer::<_, Infallible>(RequestBodyTimeoutLayer::new(http.body_timeout))
        .layer::<_, Infallible>(ConcurrencyLimitLayer::new(MAX_INFLIGHT_BATCHES))
        .layer::<_, Infallible>(RequestBodyLimitLayer::new(MAX_WIRE_BYTES))
        .layer::<_, Infallible>(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, http.request_timeout))
        .layer::<_, Infallible>(from_fn_with_state(state.clone(), json_error_body));
    // Reads: each behind the guard (Host, rate limit, token), see `api.rs`.
    let reads = Router::new()
        .route("/api/events", get(api::events))
        .route("/api/export", get(api::export))
        .route("/api/export/deletions", get(api::export_deletions))
        .route("/api/stats", get(api::stats))
        .route("/api/overview", get(api::overview))
        .route("/api/friction", get(api::friction))
        .route("/api/sessions", get(api::sessions))
        .route("/api/sessions/{id}", get(api::session))
        .route("/api/timeseries", get(api::timeseries))
        .route("/api/funnel", get(api::funnel))
        .route("/api/channels", get(api::channels))
        .route("/api/tags", get(api::tags))
        .route("/api/pages", get(api::pages))
        .route("/metrics", get(metrics))
        // Any other path under /api/: a 404 in the API's format (it was the static files' empty
        // one), behind the guard like the rest.
        .route("/api", any(api::not_found))
        .route("/api/", any(api::not_found))
        .route("/api/{*rest}", any(api::not_found))
        .route("/inspector", get(inspector_index))
        .nest_service("/inspector/vendor", static_dir(&state.uplot_dir))
        .nest_service("/inspector/", static_dir(&state.inspector_dir))
        .layer(from_fn_with_state(state.clone(), api::guard_read))
        .layer(map_response(read_headers));
    Router::new()
        .route("/v1/batch", batch)
        .merge(reads)
        // (A small body: whom. Not behind the read guard: their own token, see privacy.rs.)
        .route(
            "/admin/erase",
            post(crate::privacy::post_erase)
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(ADMIN_BODY_BYTES))
                .layer::<_, Infallible>(map_response(admin_error_body)),
        )
        .route(
            "/admin/export",
            post(crate::privacy::post_export)
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(ADMIN_BODY_BYTES))
                .layer::<_, Infallible>(map_response(admin_error_body)),
        )
        .route("/healthz", get(health))
        .nest_service("/touchpoint", sdk_dir(sdk))
        .fallback_service(static_dir(www))
        .layer(from_fn(one_host))
        .layer(map_response(nosniff))
        .with_state(state)
}

/// A request with more than one `Host` header line is a `400` (RFC 9112, 3.2: a server MUST
/// answer so), on every path, before anything else reads it, and its connection is closed (its
/// body left unread). It was answered as any other: the read guard and the origin check took
/// the first `Host`, and a proxy in front may route by another (the last, or both joined).
async fn one_host(req: Request, next: Next) -> Response {
    if req.headers().get_all(header::HOST).iter().nth(1).is_none() {
        return next.run(req).await;
    }
    let mut resp =
        (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": "Host: given more than once"}))).into_response();
    resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// Every answer, the static files' and their 404s too: no type sniffing (a file of `--www` read
/// as a script or a page by its content: security QA).
async fn nosniff(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

/// The counters in Prometheus' text format (`metrics.rs`); a read like the others (behind the
/// read guard: a scraper sends the read token as `Authorization: Bearer`).
async fn metrics(State(st): State<AppState>) -> Response {
    let failing = st
        .storage_failed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|(at, _)| at.elapsed() < UNHEALTHY_FOR);
    let stored = match st.store.reads.run(crate::query::stats).await {
        Ok(v) => v["events"].as_i64().unwrap_or(0),
        Err(e) => return api::ApiError::from(e).into_response(),
    };
    // (Never kept by a cache between the scraper and the collector: they change at every batch.)
    api::no_store(
        ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], st.metrics.render(failing, stored))
            .into_response(),
    )
}

/// `ok`, or `503` with the reason while batches cannot be stored (a monitor or a balancer's
/// health check sees a full disk, not only a process that answers).
async fn health(State(st): State<AppState>) -> Response {
    let failed = st.storage_failed.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match failed {
        Some((at, why)) if at.elapsed() < UNHEALTHY_FOR => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "10")],
            Json(serde_json::json!({ "error": format!("storage: the last batch could not be stored: {why}") })),
        )
            .into_response(),
        _ => "ok".into_response(),
    }
}

/// Every read's answer (the inspector's files and the API's JSON): its own scripts and styles
/// only, never framed by another page (clickjacking a reader's inspector), no type sniffing, no
/// referrer (the address may hold the read token until its redirect).
async fn read_headers(resp: Response) -> Response {
    // A method a read does not take (`POST /api/events`): axum's 405 has an empty body; the
    // API's error format instead, its Allow header kept.
    let mut resp =
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED && !resp.headers().contains_key(header::CONTENT_TYPE) {
            let allow = resp.headers().get(header::ALLOW).cloned();
            let mut out =
                api::ApiError(StatusCode::METHOD_NOT_ALLOWED, "method: reads are GET (see the Allow header)".into())
                    .into_response();
            if let Some(a) = allow {
                out.headers_mut().insert(header::ALLOW, a);
            }
            out
        } else {
            resp
        };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

/// `/inspector` itself: its `index.html` (links inside it are absolute, so no redirect to `/inspector/`).
async fn inspector_index(State(st): State<AppState>) -> Response {
    let path = st.inspector_dir.join("index.html");
    match tokio::fs::read(&path).await {
        Ok(html) => api::no_store(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()),
        Err(_) => (StatusCode::NOT_FOUND, "inspector files not found (--inspector)").into_response(),
    }
}

/// The answers tower-http's layers make themselves (408, 413) in the collector's error format,
/// counted in `/metrics` as the handler counts its own (`timeout`, `too_large`): a body over the
/// limit with a `Content-Length`, or a request past `--request-timeout`, never reaches the
/// handler, and were missing from `touchpoint_batches_total`. (A preflight is no batch: not
/// counted.)
async fn json_error_body(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let batch = req.method() == axum::http::Method::POST;
    let resp = next.run(req).await;
    let err = match resp.status() {
        _ if is_json(&resp) => return resp,
        StatusCode::REQUEST_TIMEOUT => IngestError::Timeout("request: not complete within the request timeout".into()),
        StatusCode::PAYLOAD_TOO_LARGE => {
            IngestError::TooLarge(format!("body: Content-Length exceeds the {MAX_WIRE_BYTES} byte limit"))
        }
        _ => return resp,
    };
    if batch {
        st.metrics.batch(&Err(err.clone()));
    }
    let mut out = err.into_response();
    out.headers_mut().insert(header::VARY, HeaderValue::from_static("Origin"));
    out
}

/// An answer that already has a JSON body (the handler's own error), left as it is.
fn is_json(resp: &Response) -> bool {
    resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

/// Most bytes of a `POST /admin/erase` or `/admin/export` body (a person's ids).
const ADMIN_BODY_BYTES: usize = 4096;

/// A body over [`ADMIN_BODY_BYTES`] (tower-http's 413 from the Content-Length, or axum's while
/// reading it, both plain text) in the admin endpoints' other errors' format.
async fn admin_error_body(resp: Response) -> Response {
    if is_json(&resp) || resp.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return resp;
    }
    let mut out = api::ApiError(StatusCode::PAYLOAD_TOO_LARGE, format!("body: over the {ADMIN_BODY_BYTES} byte limit"))
        .into_response();
    // (The rest of the body is left unread: the connection is closed, as for a batch.)
    out.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    out
}

/// `ServeDir` for `root`, minus dotfiles (any path segment starting with `.`) and anything a
/// symlink would reach outside `root`: both are 404. Checked again at each use (`no-cache`,
/// answered 304 while unchanged): without a Cache-Control a browser may keep the inspector's
/// script by its own heuristics past an upgrade of the collector, next to a newer API.
fn static_dir(root: &Path) -> axum::routing::Router {
    Router::new()
        .fallback_service(ServeDir::new(root))
        .layer(from_fn(revalidated))
        .layer(from_fn_with_state(Arc::new(Guarded { root: root.to_path_buf(), precompressed: false }), guard_static))
}

async fn revalidated(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if matches!(resp.status(), StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED) {
        resp.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-cache"));
    }
    resp
}

/// The SDK's files (`dist/`), as pages on any origin load them:
/// - compressed: the build writes each one's `.br` and `.gz` beside it, served to a browser that
///   accepts them (61 KB of loader and wasm with brotli instead of 159 KB);
/// - `Access-Control-Allow-Origin: *`: the loader fetches the wasm in CORS mode (its `integrity`
///   needs it), so a shop on another origin than the collector's could not load it, and a script
///   tag with `crossorigin` (SRI) needs it for the loader too. They are public files, read with
///   no credentials; `Cross-Origin-Resource-Policy: cross-origin` for pages that require it;
/// - cached: a content-hashed name (`touchpoint.<hash>.js`) for good; a stable name
///   (`touchpoint.js`) checked again at each use (`no-cache`, answered 304 while unchanged),
///   since a loader and a wasm of two builds refuse each other (the loader pins the wasm's hash)
///   and a browser's own guess of freshness could keep one and not the other after a deploy.
///   "Unchanged" is told by the bytes (a strong `ETag`, see [`SdkEtags`]), not by the file's
///   modification time: a rollback to an older build copied with its times kept (`cp -a`,
///   `rsync -a`, tar) was answered 304 to every browser holding the newer loader.
fn sdk_dir(root: &Path) -> axum::routing::Router {
    let etags = Arc::new(SdkEtags { root: root.to_path_buf(), known: Mutex::default() });
    Router::new()
        // (No directory listing or index, so no redirect for a directory either: nested under
        // /touchpoint/, ServeDir's redirect of `/touchpoint/npm` went to `/npm/`.)
        .fallback_service(
            ServeDir::new(root).precompressed_br().precompressed_gzip().append_index_html_on_directories(false),
        )
        .layer(from_fn_with_state(etags, sdk_headers))
        .layer(from_fn_with_state(Arc::new(Guarded { root: root.to_path_buf(), precompressed: true }), guard_static))
}

/// The `ETag`s of the SDK's stably named files: a hash of each file's bytes, computed when it is
/// first served and again when the file changes (its size, modification or change time, or
/// inode: a file copied over with its old modification time kept still has a new change time).
/// Each compressed copy has its own bytes, so its own tag.
struct SdkEtags {
    root: PathBuf,
    known: Mutex<std::collections::HashMap<PathBuf, (FileStamp, HeaderValue)>>,
}

/// What tells that a file changed without reading it.
#[derive(Clone, PartialEq, Eq, Debug)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            changed: (m.ctime(), m.ctime_nsec()),
            #[cfg(unix)]
            inode: (m.dev(), m.ino()),
        })
    }
}

impl SdkEtags {
    /// The tag of `path`'s current bytes (None: not a file, or it changed while being read).
    fn tag(&self, path: &Path) -> Option<HeaderValue> {
        let stamp = FileStamp::of(path)?;
        if let Some((known, tag)) = self.known.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            if *known == stamp {
                return Some(tag.clone());
            }
        }
        let bytes = std::fs::read(path).ok()?;
        if FileStamp::of(path).as_ref() != Some(&stamp) {
            return None;
        }
        let tag = HeaderValue::from_str(&content_etag(&bytes)).ok()?;
        self.known.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_path_buf(), (stamp, tag.clone()));
        Some(tag)
    }
}

/// A strong entity tag for `bytes`: SipHash-2-4 (std's, keys 0: the same in every process) and CRC-32 of the
/// bytes, and their length (96 bits of hash: two builds of a file never share one in practice).
pub fn content_etag(bytes: &[u8]) -> String {
    use std::hash::Hasher;
    #[allow(deprecated)]
    let mut sip = std::hash::SipHasher::new();
    sip.write(bytes);
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    format!("\"{:016x}{:08x}-{:x}\"", sip.finish(), crc.sum(), bytes.len())
}

/// Whether an `If-None-Match` value lists `tag` (weak comparison, as RFC 9110 13.1.2 has it for
/// this header), or is `*`.
fn none_match_lists(if_none_match: &[u8], tag: &HeaderValue) -> bool {
    let tag = tag.as_bytes();
    let strip = |t: &[u8]| -> Vec<u8> {
        let t = t.trim_ascii();
        t.strip_prefix(b"W/").unwrap_or(t).to_vec()
    };
    if_none_match.split(|&b| b == b',').map(strip).any(|t| t == b"*" || t == strip(tag))
}

async fn sdk_headers(State(etags): State<Arc<SdkEtags>>, mut req: Request, next: Next) -> Response {
    // A stable name asked for with its build's hash (the stable loader's
    // `touchpoint_bg.wasm?v=<hash>`) is served from the build's hashed copy, when it is here,
    // and cached for good as that copy is: the bytes that loader pinned, whatever was deployed
    // since. It was `no-cache`: every page on a slow network waited for a second revalidation
    // (~800 ms at 800 ms latency) before Touchpoint could start, and what the visitor did
    // meanwhile was lost if they left (a reliability QA).
    if let Some(hashed_uri) = hashed_copy(&etags.root, req.uri()) {
        *req.uri_mut() = hashed_uri;
    }
    let hashed = is_content_hashed(req.uri().path());
    // A stable name is validated by its ETag alone: `If-Modified-Since` (RFC 9110 13.1.3: to be
    // ignored when `If-None-Match` is there; without it, it comes from a cache that kept an
    // answer of before this collector had ETags, whose time is what cannot be trusted) is not
    // left to ServeDir, nor a range (a file of one build completed by another's bytes); the
    // files are small, a whole 200 costs little.
    let validated = !hashed && matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let mut if_none_match = None;
    let mut rel = None;
    if validated {
        let h = req.headers_mut();
        if_none_match = h.remove(header::IF_NONE_MATCH);
        for name in [header::IF_MODIFIED_SINCE, header::IF_UNMODIFIED_SINCE, header::IF_RANGE, header::RANGE] {
            h.remove(name);
        }
        // (Decoded and checked for dot segments by `guard_static` already.)
        rel = percent_decode_str(req.uri().path())
            .decode_utf8()
            .ok()
            .map(|p| p.split('/').filter(|s| !s.is_empty()).collect::<PathBuf>());
    }
    let mut resp = next.run(req).await;
    if let (true, StatusCode::OK, Some(rel)) = (validated, resp.status(), rel) {
        let mut file = etags.root.join(rel).into_os_string();
        match resp.headers().get(header::CONTENT_ENCODING).map(HeaderValue::as_bytes) {
            Some(b"br") => file.push(".br"),
            Some(b"gzip") => file.push(".gz"),
            _ => {}
        }
        let file = PathBuf::from(file);
        let tag = {
            let etags = etags.clone();
            tokio::task::spawn_blocking(move || etags.tag(&file)).await.ok().flatten()
        };
        if let Some(tag) = tag {
            let h = resp.headers_mut();
            h.remove(header::LAST_MODIFIED);
            h.insert(header::ETAG, tag.clone());
            if if_none_match.is_some_and(|inm| none_match_lists(inm.as_bytes(), &tag)) {
                let (mut parts, _) = resp.into_parts();
                parts.status = StatusCode::NOT_MODIFIED;
                parts.headers.remove(header::CONTENT_LENGTH);
                resp = Response::from_parts(parts, Body::empty());
            }
        }
    }
    let cache = match resp.status() {
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED if hashed => {
            Some("public, max-age=31536000, immutable")
        }
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED => Some("no-cache"),
        _ => None,
    };
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("cross-origin"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(c) = cache {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(c));
    }
    resp
}

/// A name the build made from the file's content (`touchpoint_bg.<12 hex digits>.wasm`): the
/// bytes it names never change.
/// `NAME.EXT?v=TAG` -> `NAME.TAG.EXT`, when that file is in `root` (TAG: 12 hex digits).
fn hashed_copy(root: &Path, uri: &axum::http::Uri) -> Option<axum::http::Uri> {
    let tag = uri.query()?.split('&').find_map(|kv| kv.strip_prefix("v="))?;
    if tag.len() != 12 || !tag.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let path = uri.path();
    let (dir, name) = path.rsplit_once('/')?;
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || name.contains(['%', '\\']) || is_content_hashed(path) {
        return None;
    }
    let copy = format!("{stem}.{tag}.{ext}");
    root.join(&copy).is_file().then(|| format!("{dir}/{copy}").parse().ok()).flatten()
}

fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    name.split('.').any(|s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A served directory, for [`guard_static`].
struct Guarded {
    root: PathBuf,
    /// ServeDir may serve a file's `.gz` or `.br` copy in its place (the SDK's directory).
    precompressed: bool,
}

async fn guard_static(State(dir): State<Arc<Guarded>>, req: Request, next: Next) -> Response {
    let Ok(path) = percent_decode_str(req.uri().path()).decode_utf8() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut rel = PathBuf::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        if seg.starts_with('.') || seg.contains('\\') {
            return StatusCode::NOT_FOUND.into_response();
        }
        rel.push(seg);
    }
    // (And the precompressed copies ServeDir may serve in its place, where it looks for them.)
    let inside = tokio::task::spawn_blocking(move || {
        let sibling = |ext: &str| {
            let mut p = rel.clone().into_os_string();
            p.push(ext);
            PathBuf::from(p)
        };
        let root = &dir.root;
        resolves_inside(root, &rel)
            && (!dir.precompressed || resolves_inside(root, &sibling(".gz")) && resolves_inside(root, &sibling(".br")))
    })
    .await
    .unwrap_or(false);
    if !inside {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

/// False if `root/rel` (or, for a directory, its `index.html`) exists but, symlinks
/// followed, lies outside `root`. What does not exist is left to `ServeDir` (a 404).
fn resolves_inside(root: &Path, rel: &Path) -> bool {
    let Ok(root) = root.canonicalize() else { return true };
    let Ok(real) = root.join(rel).canonicalize() else { return true };
    if !real.starts_with(&root) {
        return false;
    }
    if real.is_dir() {
        if let Ok(index) = real.join("index.html").canonicalize() {
            return index.starts_with(&root);
        }
    }
    true
}

/// The refused origin/site pairs already named in the operator's log. A shop on another domain
/// than the collector's, not listed with `--allow`, has every batch refused with a 403 the
/// browser hides from the page (no CORS header for an origin that may write nothing), and
/// Touchpoint keeps its events and tries again: without a word here, the operator would not
/// know why nothing arrives.
static TOLD: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
/// At most this many pairs are named: a client posting from ever new origins cannot fill the log.
const TOLD_MAX: usize = 32;

/// Whether a refusal of `site`'s events from `origin` is the first of that pair (then recorded),
/// while fewer than [`TOLD_MAX`] were.
fn first_refusal(told: &Mutex<Vec<(String, String)>>, origin: &str, site: &str) -> bool {
    let mut told = told.lock().unwrap_or_else(|e| e.into_inner());
    if told.len() >= TOLD_MAX || told.iter().any(|(o, s)| o == origin && s == site) {
        return false;
    }
    told.push((origin.to_string(), site.to_string()));
    true
}

/// The log's line for a batch from `origin` refused (403) for `site` (`""`: no valid event).
///
/// The `Origin` header is the client's: it is quoted with `{:?}` (its characters escaped, then
/// the whole line by `log_line!`), and the `--allow` hint, which an operator may paste into a
/// shell, is given only for an origin written as a browser writes one
/// ([`crate::origin::is_web_origin`]: no `;`, `$`, quote, backtick or space can be in it), and
/// single-quoted whole all the same. (Such a header with a shell command in it
/// (`https://x.example;id>pwned;`) was copied into the hint as it came.)
fn refusal_line(origin: &str, site: &str) -> String {
    let quoted: String = origin.chars().take(200).collect();
    let site_ok = !site.is_empty() && site.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    let why = match (crate::origin::normalize_origin(origin), crate::origin::is_web_origin(origin)) {
        (None, _) => "not an http(s) origin (a sandboxed frame's is \"null\"): no --allow can list it".to_string(),
        (Some(_), false) => {
            "not an origin as a browser writes one (http(s)://host[:port]): no --allow can list it".to_string()
        }
        (Some(n), true) if site.is_empty() => {
            format!("it may write events of no site; if it is a site's, start the collector with --allow 'SITE={n}'")
        }
        (Some(n), true) if site_ok => format!(
            "it may not write events of site {site}; if it is that site's, start the collector with --allow '{site}={n}'"
        ),
        (Some(_), true) => "it may not write events of that site".to_string(),
    };
    format!("a batch from origin {quoted:?} refused (403): {why} (said once per origin and site)")
}

/// The `Host` a browser's batch may be of the collector's own origin by (`http(s)://` + it), or
/// None. A page on another name that resolves to this machine (DNS rebinding: `evil.example`
/// made 127.0.0.1) sends its own name as both `Origin` and `Host`, so that rule let any page the
/// machine's user opened write a loopback or intranet collector (a security review: a forged
/// purchase, its order then a repeat, took the real one's place). So, as for reads, the name
/// must be this collector's (a loopback name or a `--public-name`), or an IP address (a rebinding
/// page's host is always a DNS name), or the request came through a proxy in front (a forwarding
/// header, which a page cannot add to a beacon, nor to a fetch without a preflight, which has
/// none): the first-party setup's shop name, kept by its proxy (docs/first-party-collector.md).
fn own_host(st: &AppState, headers: &HeaderMap, host: Option<String>) -> Option<String> {
    let proxied = crate::api::proxied(headers);
    host.filter(|h| proxied || st.access.host_allowed(h) || crate::api::is_ip_host(h))
}

async fn post_batch(State(st): State<AppState>, req: Request) -> Response {
    let origin = header_string(req.headers(), header::ORIGIN);
    let host = own_host(
        &st,
        req.headers(),
        header_string(req.headers(), header::HOST).or_else(|| req.uri().authority().map(|a| a.to_string())),
    );
    // Reflect CORS on failures too when the origin could post at all, so a
    // fetch-based sender can read why its batch was refused.
    let known = origin.as_deref().filter(|o| st.policy.is_known(o, host.as_deref())).map(str::to_string);
    // (For the log line of a refusal, below: the request takes `origin`.)
    let from = origin.clone();

    // The browser family and OS, two coarse values: the header itself goes no further.
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| crate::agent::derive(&String::from_utf8_lossy(v.as_bytes())));

    let result = async {
        if let Some(limiter) = &st.limiter {
            // Without ConnectInfo (router used in-process) all callers share one bucket; behind
            // a trusted proxy, the client it names.
            let ip = st.trusted.client_of(req.extensions(), req.headers());
            if !limiter.check(ip) {
                return Err(IngestError::RateLimited);
            }
        }
        let content_encoding = header_string(req.headers(), header::CONTENT_ENCODING);
        let size_hint = header_string(req.headers(), header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
        let body = read_body_capped(req.into_body(), MAX_WIRE_BYTES, size_hint).await?;
        let not_before =
            (st.retention_days > 0).then(|| crate::facts::now_ms() - i64::from(st.retention_days) * 86_400_000);
        let ireq = IngestRequest { body, content_encoding, origin, host, not_before, agent };
        let inline =
            ireq.body.len() <= INLINE_BYTES && ireq.content_encoding.is_none() && ireq.body.first() != Some(&0x1f);
        let prepared = if inline {
            prepare(&st.policy, &ireq)?
        } else {
            let policy = st.policy.clone();
            tokio::task::spawn_blocking(move || prepare(&policy, &ireq))
                .await
                .map_err(|e| IngestError::from(StoreError::Task(e.to_string())))??
        };
        crate::ingest::store(&st.store, prepared).await
    }
    .await;

    if let (Err(IngestError::OriginNotAllowed { site }), Some(o)) = (&result, &from) {
        if first_refusal(&TOLD, o, site) {
            crate::log::log_line!("{}", refusal_line(o, site));
        }
    }
    st.metrics.batch(&result);
    let stored = match &result {
        Ok(_) => Some(None),
        Err(IngestError::Unavailable(why)) => Some(Some(why.as_str())),
        Err(_) => None,
    };
    if let Some(failed) = stored {
        let now = Instant::now();
        *st.storage_failed.lock().unwrap_or_else(|e| e.into_inner()) = failed.map(|why| (now, why.to_string()));
        let line = st.storage_log.lock().unwrap_or_else(|e| e.into_inner()).note(failed, now);
        if let Some(line) = line {
            crate::log::log_line!("{line}");
        }
    }
    let (mut resp, cors) = match result {
        Ok(done) => (Json(done.answer).into_response(), done.cors_origin),
        Err(e) => (e.into_response(), known),
    };
    let h = resp.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(v) = cors.and_then(|o| HeaderValue::from_str(&o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    resp
}

/// Reads at most `limit` bytes of body into one buffer (sized from Content-Length when given,
/// so a body costs one allocation of its own size); more is a 413 without reading the rest.
async fn read_body_capped(mut body: Body, limit: usize, size_hint: Option<usize>) -> Result<Vec<u8>, IngestError> {
    let mut buf = Vec::with_capacity(size_hint.unwrap_or(0).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            if caused_by::<tower_http::timeout::TimeoutError>(&e) {
                IngestError::Timeout("body: no data within the body timeout".into())
            } else if caused_by::<http_body_util::LengthLimitError>(&e) {
                IngestError::TooLarge(format!("body: exceeds the {limit} byte limit"))
            } else {
                IngestError::Invalid(format!("body: could not be read: {e}"))
            }
        })?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(IngestError::TooLarge(format!("body: exceeds the {limit} byte limit")));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf)
}

fn caused_by<E: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<E>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Preflight for fetch-based senders. Beacons never preflight (text/plain is
/// a "simple" content type), which is why the real check is in `ingest`.
async fn preflight(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let origin = header_string(&headers, header::ORIGIN);
    let host = own_host(&st, &headers, header_string(&headers, header::HOST));
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

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    // Non-UTF-8 header values are kept (lossily) rather than dropped: an
    // unreadable Origin must still count as "a browser sent an Origin".
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_origin_is_named_once_per_site_and_at_most_told_max_pairs() {
        let told = Mutex::new(Vec::new());
        assert!(first_refusal(&told, "https://shop.example", "shop"));
        assert!(!first_refusal(&told, "https://shop.example", "shop"), "once");
        assert!(first_refusal(&told, "https://shop.example", "blog"), "another site");
        assert!(first_refusal(&told, "null", ""), "a sandboxed frame, no valid site");
        for i in 0..100 {
            first_refusal(&told, &format!("https://x{i}.example"), "shop");
        }
        assert_eq!(told.lock().unwrap().len(), TOLD_MAX);
        assert!(!first_refusal(&told, "https://late.example", "shop"), "bounded");
    }

    /// The `--allow` hint names only an origin written as browsers write one, single-quoted, and
    /// the line, once escaped as `log_line!` escapes it, has no backtick or bidi control raw.
    #[test]
    fn a_refusal_line_hints_only_at_a_browser_origin_shell_quoted() {
        let line = refusal_line("https://New.Example:8443", "shop");
        assert!(
            line.ends_with(
                "start the collector with --allow 'shop=https://new.example:8443' (said once per origin and site)"
            ),
            "{line}"
        );
        let line = refusal_line("http://[::1]:3000", "");
        assert!(line.contains("--allow 'SITE=http://[::1]:3000'"), "{line}");
        for hostile in [
            "https://x.example;id>pwned;",
            "https://x.example$(id)",
            "https://x.example|id",
            "https://x`id`.example",
            "https://x.example'&id&'",
            "https://x\u{202e}elpmaxe.example",
            "https://x.example/`id`",
        ] {
            let line = crate::log::escape(&refusal_line(hostile, "shop"));
            assert!(!line.contains("start the collector") && !line.contains("--allow '"), "{hostile}: {line}");
            assert!(line.contains("no --allow can list it"), "{hostile}: {line}");
            assert!(!line.contains('`') && !line.contains('\u{202e}'), "{hostile}: {line}");
        }
        let line = refusal_line("null", "");
        assert!(line.contains("a sandboxed frame's is \"null\"): no --allow can list it"), "{line}");
    }

    #[test]
    fn storage_failures_are_said_when_they_start_and_end_at_most_once_a_minute() {
        let mut log = StorageLog::default();
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        assert_eq!(log.note(None, at(0)), None, "stored, nothing to say");
        let line = log.note(Some("sqlite: database or disk is full"), at(1)).unwrap();
        assert!(line.starts_with("storage failing") && line.ends_with("database or disk is full"), "{line}");
        for s in 2..30 {
            assert_eq!(log.note(Some("sqlite: database or disk is full"), at(s)), None, "once, not per batch");
        }
        let line = log.note(None, at(31)).unwrap();
        assert!(line.contains("29 refused") && line.contains("over 30 s"), "{line}");
        // Flapping within the minute: unsaid, and counted in the next line.
        assert_eq!(log.note(Some("e"), at(40)), None);
        assert_eq!(log.note(None, at(41)), None);
        assert_eq!(log.note(Some("e"), at(50)), None);
        // Still failing past the minute: said then.
        let line = log.note(Some("e\nx"), at(61)).unwrap();
        assert!(line.contains("1 shorter failures") && line.ends_with("e x"), "{line}");
        // A reminder every ten minutes while it goes on.
        assert_eq!(log.note(Some("e"), at(600)), None);
        let line = log.note(Some("e"), at(661)).unwrap();
        assert!(line.starts_with("storage still failing: 4 batches refused"), "{line}");
        assert!(log.note(None, at(662)).unwrap().starts_with("storage works again"));
        // A short failure within the minute after a line, and none after: said at the first
        // batch stored once the minute is over.
        assert_eq!(log.note(Some("e"), at(700)), None);
        assert_eq!(log.note(Some("e"), at(701)), None);
        assert_eq!(log.note(None, at(702)), None);
        assert_eq!(log.note(None, at(720)), None, "within the minute of the last line");
        let line = log.note(None, at(722)).unwrap();
        assert_eq!(line, "storage failed 1 more times since the last line, each for less than a minute; it works now");
        assert_eq!(log.note(None, at(900)), None, "said once");
    }
}
