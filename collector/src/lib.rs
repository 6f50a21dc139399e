//! Touchpoint collector: receives event batches from the in-browser SDK,
//! validates them, and stores each event exactly once (by messageId) in SQLite.
//!
//! Layout, one job per module:
//! - `config`: command line
//! - `decode`: gzip / plain body, with a decompression cap
//! - `json`: a non-recursive JSON grammar check, to split a batch into events
//! - `validate`: the wire contract
//! - `money`: purchases' and refunds' values as revenue counts them
//! - `origin`: which origins may write for which site
//! - `agent`: a request's browser family and OS, two coarse values from its `User-Agent`
//! - `limits`: size limits, HTTP timeouts and the per-IP rate limiter
//! - `store`: SQLite, with a writer thread that commits in groups
//! - `idfilter`: the writer's in-memory Bloom filter of stored message ids
//! - `walbuf`: the writer's VFS, one write of WAL frames per commit
//! - `ingest`: the batch pipeline tying the above together
//! - `proxy`: `--trusted-proxy`, the client address behind a reverse proxy
//! - `routes`: HTTP

pub mod agent;
pub mod aggregate;
pub mod api;
pub mod config;
pub mod decode;
pub mod error;
pub mod facts;
pub mod idfilter;
pub mod ingest;
pub mod json;
pub mod limits;
pub mod log;
pub mod metrics;
pub mod money;
pub mod origin;
pub mod privacy;
pub mod proxy;
pub mod query;
pub mod reads;
pub mod routes;
pub mod store;
pub mod tagsets;
pub mod validate;
pub mod walbuf;
pub mod window;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

pub use config::Config;
pub use error::IngestError;
pub use limits::HttpLimits;
pub use routes::{router, AppState};
pub use store::{Store, StoreError};

/// Builds the app described by `cfg`: opens the store, sets up the policies. `read_token`: the
/// token reads need (see [`Config::resolve_read_token`]), None for open reads.
/// With `--retention-days`, the hourly erasure of old sessions starts too (inside a tokio
/// runtime).
pub fn build_app(cfg: &Config, read_token: Option<String>) -> Result<Router, StoreError> {
    let tuning = store::Tuning { merge_at: cfg.merge_at, sync: cfg.sync, ..store::Tuning::default() };
    let store = Store::open_tuned(&cfg.db, tuning)?;
    let state = AppState::new(store, origin::OriginPolicy::new(cfg.allow.clone()), cfg.rate_limit)
        .with_http_limits(cfg.http)
        .with_access(api::Access::new(read_token.clone(), cfg.public_names.clone(), cfg.read_rate_limit))
        .with_inspector(&cfg.inspector, &cfg.uplot)
        .with_admin_token(cfg.admin_token.clone())
        .with_retention(cfg.retention_days)
        .with_trusted_proxies(proxy::TrustedProxies::new(cfg.trusted_proxies.clone()));
    if cfg.retention_days > 0 {
        privacy::keep_for(state.store.clone(), cfg.retention_days);
    }
    Ok(router(state, &cfg.www, &cfg.sdk))
}

/// Serves `app` on `listener` until `shutdown` resolves, with hyper's HTTP/1.1 server:
/// - at most `limits.max_connections` connections are open at once (callers should pass
///   [`limits::connection_cap`] of the wanted number); more wait in the listen backlog;
/// - hyper's header read timeout closes a connection that has not sent a complete request
///   head within `limits.header_timeout` of being accepted or of its previous answer (so it
///   is also the idle keep-alive timeout);
/// - request heads over [`limits::MAX_HEAD_BYTES`] are refused with 431;
/// - a connection whose answer waits more than `limits.write_timeout` for the client to read on
///   is closed;
/// - with `limits.max_per_ip`, a client address with that many connections open has its next
///   one closed at once.
///
/// Connection info is attached so the rate limiter can key on the client IP. On shutdown it
/// stops accepting, lets requests in flight finish (at most 10 s) and closes idle connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_trusting(listener, app, limits, proxy::TrustedProxies::default(), shutdown).await
}

/// [`serve`], with `trusted` proxies (`--trusted-proxy`) whose connections are not counted under
/// `limits.max_per_ip`: a proxy's connection carries many clients' requests, and which client a
/// connection is for cannot be told (the requests' own client addresses, `X-Forwarded-For`,
/// are for the rate limits, see [`proxy`]).
pub async fn serve_trusting(
    listener: TcpListener,
    app: Router,
    limits: HttpLimits,
    trusted: proxy::TrustedProxies,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_buf_size(limits::MAX_HEAD_BYTES);
    // Connections closed since the memory was last trimmed; a ticker trims when there were.
    let closed = Arc::new(AtomicUsize::new(0));
    // Open connections per client address, for `max_per_ip` (not kept when it is 0).
    let per_ip: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>> = Arc::default();
    let trimmer = tokio::spawn({
        let closed = closed.clone();
        async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if closed.swap(0, Ordering::Relaxed) > 0 {
                    let _ = tokio::task::spawn_blocking(limits::release_free_memory).await;
                }
            }
        }
    });
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(conn) => conn,
                // Out of descriptors (another part of the process used them) or a connection
                // reset before it was accepted: wait a little and go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // One address with as many connections open as it may have: this one is closed at
        // once (a client holding idle sockets cannot take every slot of the global cap).
        let capped = limits.max_per_ip > 0 && !trusted.trusts(peer.ip());
        if capped {
            let mut open = per_ip.lock().unwrap_or_else(|e| e.into_inner());
            let n = open.entry(peer.ip()).or_insert(0);
            if *n >= limits.max_per_ip {
                continue;
            }
            *n += 1;
        }
        let _ = stream.set_nodelay(true);
        // hyper has a read timeout for request heads but none for writing: a client that stops
        // reading its answer would hold the connection for ever. tokio-io-timeout fails a write
        // that has made no progress for `write_timeout`, which ends the connection.
        let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.write_timeout));
        let stream = Box::pin(stream);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            async move { app.call(req.map(Body::new)).await }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let closed = closed.clone();
        let per_ip = capped.then(|| (per_ip.clone(), peer.ip()));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
            if let Some((per_ip, ip)) = per_ip {
                let mut open = per_ip.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(n) = open.get_mut(&ip) {
                    *n -= 1;
                    if *n == 0 {
                        open.remove(&ip);
                    }
                }
            }
            closed.fetch_add(1, Ordering::Relaxed);
        });
    }
    drop(listener);
    trimmer.abort();
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}
