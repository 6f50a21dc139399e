//! The read side over HTTP: who may read (token, Host, rate limit) and the query endpoints.
//!
//! Every read (`/api/*` and `/inspector`) passes [`guard_read`]:
//! 1. the `Host` header must name this collector: a loopback name (`localhost`, `*.localhost`,
//!    `127.0.0.1`, `[::1]`) or a `--public-name`. A page on another
//!    name that resolves to this machine (DNS rebinding) is refused with `403`;
//! 2. at most `--read-rate-limit` reads per client IP per second (`429`);
//! 3. with a read token, the request must carry it: `Authorization: Bearer <token>`, the
//!    `tp_read` cookie, or `?token=<token>` (which sets the cookie; on `/inspector` it then
//!    redirects to the same address without the token, so shared links do not carry it).

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::facts::now_ms;
use crate::limits::RateLimiter;
use crate::query::{self, Above, BadParam, Params};
use crate::reads::ReadError;
use crate::routes::AppState;
use crate::window::Narrow;

/// Name of the cookie holding the read token.
pub const TOKEN_COOKIE: &str = "tp_read";

/// Who may read.
#[derive(Debug)]
pub struct Access {
    /// None: reads are open (only allowed on a loopback address, see `config`).
    pub token: Option<String>,
    /// Host names (lowercase, without port) besides the loopback names.
    pub public_names: HashSet<String>,
    pub limiter: RateLimiter,
    /// The reads refused for their token have a bucket of their own: requests without one
    /// must not use up the readers' (behind a proxy, every client is the proxy's address).
    pub refused: RateLimiter,
}

impl Access {
    pub fn new(token: Option<String>, public_names: impl IntoIterator<Item = String>, per_second: u32) -> Access {
        Access {
            token,
            public_names: public_names.into_iter().map(|n| n.to_ascii_lowercase()).collect(),
            limiter: RateLimiter::new(per_second),
            refused: RateLimiter::new(per_second),
        }
    }

    /// Whether a `Host` header value names this collector.
    pub fn host_allowed(&self, host: &str) -> bool {
        let Some(name) = host_name(host) else { return false };
        name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            || self.public_names.contains(&name)
    }
}

/// The name a `Host` header value gives, lower case, without its port, an IPv6 address's
/// brackets or a final dot; None for one that is malformed (a bad port, nothing left).
fn host_name(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || is_port(port) => ip,
            _ => return None,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return None,
            None => &host,
        }
    };
    let name = name.trim_end_matches('.');
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether a `Host` header value is an IP address, with or without a port.
pub fn is_ip_host(host: &str) -> bool {
    host_name(host).is_some_and(|name| name.parse::<IpAddr>().is_ok())
}

/// Whether a request came through a proxy in front: it names the client it forwards.
pub fn proxied(headers: &HeaderMap) -> bool {
    ["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|h| headers.contains_key(*h))
}

fn is_port(p: &str) -> bool {
    p.strip_prefix(':').is_some_and(|d| !d.is_empty() && d.len() <= 5 && d.bytes().all(|b| b.is_ascii_digit()))
        || (!p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A read that failed: status and reason, `{"error": reason}`.
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response();
        if matches!(self.0, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        no_store(resp)
    }
}

impl From<BadParam> for ApiError {
    fn from(e: BadParam) -> Self {
        ApiError(StatusCode::BAD_REQUEST, e.0)
    }
}

impl From<ReadError> for ApiError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Busy => ApiError(StatusCode::SERVICE_UNAVAILABLE, "too many reads waiting, retry later".into()),
            ReadError::TooSlow => ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("query took longer than {:?}: narrow the range or add a site", crate::reads::QUERY_TIME_LIMIT),
            ),
            ReadError::Counting => ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "counting this range for the first time: it goes on in the background, ask again in a few seconds"
                    .into(),
            ),
            ReadError::NotFound(r) => ApiError(StatusCode::NOT_FOUND, r),
            ReadError::Failed(r) => ApiError(StatusCode::SERVICE_UNAVAILABLE, format!("storage unavailable: {r}")),
        }
    }
}

pub fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

pub(crate) fn token_matches(given: &str, token: &str) -> bool {
    // Constant time in the token's length.
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn query_token(req: &Request) -> Option<String> {
    let q = req.uri().query()?;
    url_pairs(q).into_iter().find(|(k, _)| k == "token").map(|(_, v)| v)
}

fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec =
                |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect()
}

/// The token of an `Authorization: Bearer <token>` header; the scheme's name in any case (RFC
/// 9110: `bearer` is as good as `Bearer`).
pub fn bearer_token(v: &str) -> Option<&str> {
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// Whether a reverse proxy says the request reached it over HTTPS: `X-Forwarded-Proto: https`
/// (the de facto header) or `Forwarded: ...proto=https` (RFC 7239).
fn forwarded_https(h: &HeaderMap) -> bool {
    let said = |name: &str, f: &dyn Fn(&str) -> bool| h.get_all(name).iter().filter_map(|v| v.to_str().ok()).any(f);
    said("x-forwarded-proto", &|v| v.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
        || said("forwarded", &|v| {
            v.split([',', ';']).filter_map(|kv| kv.trim().split_once('=')).any(|(k, p)| {
                k.trim().eq_ignore_ascii_case("proto") && p.trim().trim_matches('"').eq_ignore_ascii_case("https")
            })
        })
}

/// The guard in front of every read (see the module documentation).
pub async fn guard_read(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let access = &st.access;
    let host = req.headers().get(header::HOST).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    match host {
        Some(h) if access.host_allowed(&h) => {}
        Some(h) => {
            return ApiError(StatusCode::FORBIDDEN, format!("host: {h:?} is not a name of this collector"))
                .into_response()
        }
        None => return ApiError(StatusCode::FORBIDDEN, "host: missing".into()).into_response(),
    }
    let ip = st.trusted.client_of(req.extensions(), req.headers());
    let too_many = || ApiError(StatusCode::TOO_MANY_REQUESTS, "read rate limit exceeded, retry later".into());
    let Some(token) = &access.token else {
        // Open reads are for the machine itself. A request a proxy forwarded came from
        // elsewhere (a proxy that writes Host as the loopback address it reaches would make
        // every event anyone's to read).
        if proxied(req.headers()) {
            return ApiError(
                StatusCode::FORBIDDEN,
                "reads through a proxy need a read token: start the collector with --read-token".into(),
            )
            .into_response();
        }
        if !access.limiter.check(ip) {
            return too_many().into_response();
        }
        return next.run(req).await;
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .is_some_and(|t| token_matches(t.trim(), token));
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(k, v)| k == TOKEN_COOKIE && token_matches(v, token));
    let by_query = !(bearer || cookie) && query_token(&req).is_some_and(|t| token_matches(&t, token));
    if !(if bearer || cookie || by_query { &access.limiter } else { &access.refused }).check(ip) {
        return too_many().into_response();
    }
    if bearer || cookie {
        return next.run(req).await;
    }
    if by_query {
        // `Secure` when the reader came over TLS to the proxy in front (which then speaks plain
        // HTTP to us): the token is never sent again over plain HTTP. (A forged header only
        // makes the cookie stricter.)
        let secure = if forwarded_https(req.headers()) { "; Secure" } else { "" };
        let set_cookie =
            HeaderValue::from_str(&format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"));
        let path = req.uri().path().to_string();
        let mut resp = if path == "/inspector" || path.starts_with("/inspector/") {
            // Same address without the token (the other parameters exactly as they were).
            let rest: Vec<&str> = req
                .uri()
                .query()
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty() && url_pairs(p).first().is_none_or(|(k, _)| k != "token"))
                .collect();
            let to = if rest.is_empty() { path } else { format!("{path}?{}", rest.join("&")) };
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        } else {
            next.run(req).await
        };
        if let Ok(v) = set_cookie {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        return resp;
    }
    let inspector = req.uri().path().starts_with("/inspector");
    let mut resp = ApiError(
        StatusCode::UNAUTHORIZED,
        if inspector {
            "read token required: open the inspector address the collector printed at start (…/inspector?token=…)"
                .into()
        } else {
            "read token required: Authorization: Bearer <token>".into()
        },
    )
    .into_response();
    resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

type Pairs = Query<Vec<(String, String)>>;

fn json_answer(v: Value) -> Response {
    no_store(Json(v).into_response())
}

pub async fn friction(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to", "type", "path", "tag", "device", "during", "limit"])?;
    let (from, to) = p.range(now_ms())?;
    let f = query::FrictionQ {
        site: p.site()?,
        from,
        to,
        kind: p.name("type")?,
        path: p.path()?,
        tag: p.tag()?,
        device: p.device()?,
        during: p.name("during")?,
        limit: p.limit(50)?,
    };
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("friction", (from, to)));
    Ok(json_answer(st.store.reads.run_kept(key, move |c| query::friction(c, &kept, &f)).await?))
}

pub async fn sessions(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(
        q,
        &[
            "site", "from", "to", "friction", "type", "path", "selector", "channel", "device", "campaign", "source",
            "browser", "os", "user", "tag", "during", "limit",
        ],
    )?;
    let (from, to) = p.range(now_ms())?;
    let s = query::SessionsQ {
        site: p.site()?,
        from,
        to,
        friction_only: p.flag("friction")?,
        kind: p.name("type")?,
        path: p.path()?,
        selector: p.selector()?,
        channel: p.channel("channel")?,
        device: p.channel("device")?,
        campaign: p.channel("campaign")?,
        source: p.source()?,
        browser: p.channel("browser")?,
        os: p.channel("os")?,
        user: p.user()?,
        tag: p.tag()?,
        during: p.name("during")?,
        limit: p.limit(50)?,
    };
    // A friction element's sessions come from its friction rows, not from the sessions' own.
    // (A device narrows both: the friction rows carry the device they were captured on.)
    for (name, given) in [
        ("channel", s.channel.is_some()),
        ("campaign", s.campaign.is_some()),
        ("source", s.source.is_some()),
        ("browser", s.browser.is_some()),
        ("os", s.os.is_some()),
        ("user", s.user.is_some()),
    ] {
        if given && s.by_friction() {
            return Err(BadParam(format!("{name}: not with type, path, selector or during")).into());
        }
    }
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("sessions", (from, to)));
    Ok(json_answer(st.store.reads.run_kept(key, move |c| query::sessions(c, &kept, &s)).await?))
}

pub async fn session(
    State(st): State<AppState>,
    UrlPath(id): UrlPath<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "automated"])?;
    let site = p.site()?;
    // A session of automated traffic (in no figure) only when asked for: a QA engineer checking
    // a test's journey; otherwise a 404 that says so (it was `no session`, as for a mistyped id).
    let automated = p.flag("automated")?;
    if !(1..=128).contains(&id.chars().count()) {
        return Err(BadParam("id: expected a session id of 1-128 characters".into()).into());
    }
    let key = id.clone();
    match st.store.reads.run(move |c| query::session(c, &id, &site, automated)).await? {
        query::SessionView::Found(v) => Ok(json_answer(v)),
        query::SessionView::Automated(site) => Ok(no_store(
            (
                StatusCode::NOT_FOUND,
                Json(serde_json::json!({
                    "error": AUTOMATED_SESSION,
                    "automated": true, "sessionId": key, "site": site,
                })),
            )
                .into_response(),
        )),
    }
}

/// `/api/sessions/{id}`'s `error` for a session of automated traffic not asked for.
pub const AUTOMATED_SESSION: &str =
    "automated traffic: not kept in the figures (its events said context.automated); ask with automated=1 to see its journey";

pub async fn timeseries(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to", "metric", "bucket", "tag", "device", "path", "during"])?;
    let (from, to) = p.range(now_ms())?;
    let metric = p.one_of("metric", &["friction", "events", "sessions", "vitals"], "friction")?.to_string();
    let bucket = p.one_of("bucket", &["auto", "minute", "5m", "15m", "hour", "day"], "auto")?;
    let (device, tag, path, during) = (p.device()?, p.tag()?, p.path()?, p.name("during")?);
    if during.is_some() && metric != "friction" {
        return Err(BadParam("during: only with metric=friction".into()).into());
    }
    // The vitals come from the page tables (per page and device class), or with a tag from the
    // tag page tables (per tag, page and device class too); friction of one page from the
    // friction rows; the events and sessions are not counted per page.
    if path.is_some() && metric != "vitals" && metric != "friction" {
        return Err(BadParam(
            "path: only with metric=friction or vitals (the events and sessions are not counted per page)".into(),
        )
        .into());
    }
    if device.is_some() && tag.is_some() && metric == "sessions" {
        return Err(BadParam(
            "device: with a tag, only with metric=friction, events or vitals (sessions are not counted per tag and device)"
                .into(),
        )
        .into());
    }
    let s = query::SeriesQ {
        site: p.site()?,
        from,
        to,
        metric,
        bucket_min: query::bucket_minutes(bucket, from, to)?,
        tag,
        device,
        path,
        during,
    };
    let kept = st.store.reads.kept.clone();
    Ok(json_answer(st.store.reads.run(move |c| query::timeseries(c, &kept, &s)).await?))
}

/// Most tag values `/api/tags` lists.
const TAGS_LIMIT: usize = 50;

/// The page tags (`context.tags`) seen in the range: each key and value with its events,
/// friction events and sessions, most events first (what the inspector's Tag filter offers).
pub async fn tags(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to"])?;
    let (from, to) = p.range(now_ms())?;
    let site = p.site()?;
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("tags", (from, to)));
    Ok(json_answer(st.store.reads.run_kept(key, move |c| query::tags(c, &kept, &site, from, to, TAGS_LIMIT)).await?))
}

pub async fn funnel(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to", "steps", "tag", "device"])?;
    let (from, to) = p.range(now_ms())?;
    let (site, steps, tag, device) = (p.site()?, p.steps()?, p.tag()?, p.device()?);
    let defaults = p.default_steps();
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("funnel", (from, to)));
    Ok(json_answer(
        st.store
            .reads
            .run_kept(key, move |c| {
                let n = Narrow { tag: tag.as_ref(), device: device.as_deref(), moment: None };
                // The default steps no session reached are left out, and said (`skipped`).
                let (steps, skipped) = if defaults {
                    query::reached_steps(c, &kept, &site, from, to, steps, n)?
                } else {
                    (steps, Vec::new())
                };
                let mut f = query::funnel(c, &kept, &site, from, to, &steps, n)?;
                f["skipped"] = serde_json::json!(skipped);
                Ok(f)
            })
            .await?,
    ))
}

/// Sessions by attribution channel (or device class, campaign, source / medium, browser, OS, or
/// the values of a page tag, `by=tag:KEY`: `by`), with `revenue=1` their purchases and revenue;
/// `goal`:
/// the moment of truth that counts as a conversion (default: the last of the default moments,
/// `purchase`).
pub async fn channels(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to", "goal", "tag", "by", "device", "revenue"])?;
    let (from, to) = p.range(now_ms())?;
    let (site, tag, device, revenue) = (p.site()?, p.tag()?, p.device()?, p.flag("revenue")?);
    let last = crate::facts::DEFAULT_MOMENTS[crate::facts::DEFAULT_MOMENTS.len() - 1];
    let goal = p.name("goal")?.unwrap_or_else(|| last.to_string());
    use crate::window::Segment;
    let by = match p.by_tag()? {
        // The values of a tag key: an experiment's variants side by side.
        Some(key) => query::Grouping::Tag(key),
        None => query::Grouping::Segment(
            match p.one_of("by", &["channel", "device", "campaign", "source", "browser", "os"], "channel").map_err(
                |_| BadParam("by: expected one of channel, device, campaign, source, browser, os, tag:KEY".into()),
            )? {
                "device" => Segment::Device,
                "campaign" => Segment::Campaign,
                "source" => Segment::Source,
                "browser" => Segment::Browser,
                "os" => Segment::Os,
                _ => Segment::Channel,
            },
        ),
    };
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("channels", (from, to)));
    Ok(json_answer(
        st.store
            .reads
            .run_kept(key, move |c| {
                let n = Narrow { tag: tag.as_ref(), device: device.as_deref(), moment: None };
                query::channels(c, &kept, &site, (from, to), &goal, n, (&by, revenue))
            })
            .await?,
    ))
}

/// Default and largest `limit` of `/api/pages`.
const PAGES_DEFAULT_LIMIT: i64 = 50;
const PAGES_MAX_LIMIT: i64 = 500;

/// `GET /api/pages?site&from&to&sort&limit&device&tag`: the pages of a range by friction (or
/// `sort=views`, `sort=vitals`), with their views, engaged time and scroll depth; with `tag`, of
/// the events carrying it (`query::pages`).
pub async fn pages(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to", "sort", "limit", "device", "tag"])?;
    let (from, to) = p.range(now_ms())?;
    let site = p.site()?;
    let sort = p.one_of("sort", &["friction", "views", "vitals"], "friction")?;
    let limit = p.limit_upto(PAGES_DEFAULT_LIMIT, PAGES_MAX_LIMIT)?;
    let (device, tag) = (p.device()?, p.tag()?);
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("pages", (from, to)));
    Ok(json_answer(
        st.store
            .reads
            .run_kept(key, move |c| {
                query::pages(c, &kept, &site, (from, to), sort, limit, device.as_deref(), tag.as_ref())
            })
            .await?,
    ))
}

pub async fn overview(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "from", "to", "tag", "device"])?;
    let (from, to) = p.range(now_ms())?;
    let (site, tag, device) = (p.site()?, p.tag()?, p.device()?);
    let (kept, key) = (st.store.reads.kept.clone(), p.kept_key("overview", (from, to)));
    Ok(json_answer(
        st.store
            .reads
            .run_kept(key, move |c| {
                let n = Narrow { tag: tag.as_ref(), device: device.as_deref(), moment: None };
                query::overview(c, &kept, &site, from, to, n)
            })
            .await?,
    ))
}

/// Default and largest `limit` of `/api/events`.
const EVENTS_DEFAULT_LIMIT: i64 = 100;
const EVENTS_MAX_LIMIT: i64 = 1000;

/// Events per page of `/api/export` by default, and at most.
pub const EXPORT_DEFAULT_LIMIT: i64 = 1000;
pub const EXPORT_MAX_LIMIT: i64 = 10_000;

/// `GET /api/export?after&site&limit&envelope`: every stored event, page by page, for a
/// warehouse or a backup: the events after id `after` (default 0), oldest first, as received,
/// one per line (`application/x-ndjson`; `envelope=1`: each in `{id, receivedAt, timestampUtc,
/// browser, os, event}`);
/// `X-Last-Id` is the `after` of the next page. An empty page: none stored after it (yet).
pub async fn export(State(st): State<AppState>, headers: HeaderMap, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "after", "limit", "envelope"])?;
    // (`limit` from 1: an empty page says that nothing is stored after `after`, and a reader's
    // loop stops there.)
    let after = p.int("after", 0, 0, i64::MAX, Above::Refused)?;
    let limit = p.limit_upto(EXPORT_DEFAULT_LIMIT, EXPORT_MAX_LIMIT)?;
    let (site, envelope) = (p.site()?, p.flag("envelope")?);
    let gzip = accepts_gzip(&headers);
    let (lines, last) = st
        .store
        .reads
        .run(move |c| {
            let (lines, last) = query::export_page(c, &site, after, limit, envelope)?;
            Ok((maybe_gzip(lines, gzip), last))
        })
        .await?;
    Ok(ndjson_page(lines, last))
}

/// An NDJSON page of the export: its lines (gzip-compressed when [`maybe_gzip`] said so) and
/// `X-Last-Id`.
fn ndjson_page((lines, gzipped): (Vec<u8>, bool), last: i64) -> Response {
    let mut resp = no_store(([(header::CONTENT_TYPE, "application/x-ndjson")], lines).into_response());
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&last.to_string()) {
        h.insert("x-last-id", v);
    }
    if gzipped {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    resp
}

/// Whether `Accept-Encoding` takes gzip (`gzip`, `x-gzip` or `*`, with a `q` above 0; `gzip;q=0`
/// refuses it even after `*`).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let (mut gzip, mut any) = (None, None);
    for v in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(v) = v.to_str() else { continue };
        for item in v.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
                .next()
                .unwrap_or(1.0);
            match name.as_str() {
                "gzip" | "x-gzip" => gzip = Some(q > 0.0),
                "*" => any = Some(q > 0.0),
                _ => {}
            }
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// Answers of at least this many bytes are compressed for a reader that takes gzip.
pub const GZIP_MIN_BYTES: usize = 1024;

/// `body` gzip-compressed (flate2's fastest level: an 8 MiB page of events in tens of
/// milliseconds, on the read thread) when `gzip` and it is worth it; and whether it was.
pub fn maybe_gzip(body: Vec<u8>, gzip: bool) -> (Vec<u8>, bool) {
    if !gzip || body.len() < GZIP_MIN_BYTES {
        return (body, false);
    }
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 6), flate2::Compression::fast());
    match e.write_all(&body).and_then(|_| e.finish()) {
        Ok(z) => (z, true),
        Err(_) => (body, false),
    }
}

/// `GET /api/export/deletions?after&site&limit`: the sessions deleted (erased on request or past
/// the retention) after the log's id `after`, oldest first, one per line (NDJSON), for a
/// warehouse copying `/api/export` to delete them too; paged as `/api/export` (`X-Last-Id`).
pub async fn export_deletions(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "after", "limit"])?;
    let after = p.int("after", 0, 0, i64::MAX, Above::Refused)?;
    let limit = p.limit_upto(EXPORT_DEFAULT_LIMIT, EXPORT_MAX_LIMIT)?;
    let site = p.site()?;
    let gzip = accepts_gzip(&headers);
    let (lines, last) = st
        .store
        .reads
        .run(move |c| {
            let (lines, last) = query::deletions_page(c, &site, after, limit)?;
            Ok((maybe_gzip(lines, gzip), last))
        })
        .await?;
    Ok(ndjson_page(lines, last))
}

pub async fn events(State(st): State<AppState>, headers: HeaderMap, Query(q): Pairs) -> Result<Response, ApiError> {
    let p = Params::new(q, &["site", "event", "limit", "order", "envelope"])?;
    let limit = p.limit_upto(EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT)?;
    let site = p.site()?;
    // (Every stored event has such a name: ingestion refuses others.)
    let event = p.name("event")?;
    // `order`: the purchase of that order (`transaction_id`), whatever `event` and `limit` say.
    let order = p.order()?;
    // `envelope=1`: each event in `{id, receivedAt, timestampUtc, browser, os, event}`, as the
    // export's envelope (what the collector knows of it beside its body).
    let envelope = p.flag("envelope")?;
    let gzip = accepts_gzip(&headers);
    let ((body, gzipped), truncated) = st
        .store
        .reads
        .run(move |c| {
            let (stored, truncated) = match &order {
                Some(o) => (query::order_events(c, &site, o)?, false),
                None => query::events(c, &site, &event, limit)?,
            };
            // Bodies were validated JSON when stored; a row edited by hand into something else
            // is skipped rather than breaking the whole answer.
            let events: Vec<Box<RawValue>> = stored
                .into_iter()
                .filter_map(|e| RawValue::from_string(if envelope { e.envelope() } else { e.body }).ok())
                .collect();
            let body = serde_json::to_vec(&events).map_err(|e| ReadError::Failed(e.to_string()))?;
            Ok((maybe_gzip(body, gzip), truncated))
        })
        .await?;
    let mut resp = no_store(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    let h = resp.headers_mut();
    if truncated {
        h.insert("x-truncated", HeaderValue::from_static("bytes"));
    }
    if gzipped {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(resp)
}

pub async fn stats(State(st): State<AppState>, Query(q): Pairs) -> Result<Response, ApiError> {
    Params::new(q, &[])?;
    Ok(json_answer(st.store.reads.run(query::stats).await?))
}

/// An `/api/...` path that is no endpoint.
pub async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such read endpoint (see the collector's README for /api/*)".into())
}

/// The shared state's read access, for callers building an [`AppState`].
pub fn open_access() -> Arc<Access> {
    Arc::new(Access::new(None, Vec::new(), DEFAULT_READ_RATE))
}

/// Reads per client IP per second by default.
pub const DEFAULT_READ_RATE: u32 = 50;
