//! Touchpoint collector: receives event batches from the in-browser SDK,
//! validates them, and stores each event exactly once (by messageId) in SQLite.
//!
//! Layout, one job per module:
//! - `config`: command line
//! - `decode`: gzip / plain body, with a decompression cap
//! - `validate`: the wire contract
//! - `origin`: which origins may write for which site
//! - `limits`: size limits and the per-IP rate limiter
//! - `store`: SQLite
//! - `ingest`: the batch pipeline tying the above together
//! - `routes`: HTTP

pub mod config;
pub mod decode;
pub mod error;
pub mod ingest;
pub mod limits;
pub mod origin;
pub mod routes;
pub mod store;
pub mod validate;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
pub use error::IngestError;
pub use routes::{router, AppState};
pub use store::{Store, StoreError};

/// Builds the app described by `cfg`: opens the store, sets up the policies.
pub fn build_app(cfg: &Config) -> Result<Router, StoreError> {
    let store = Store::open(&cfg.db)?;
    let state = AppState::new(store, origin::OriginPolicy::new(cfg.allow.clone()), cfg.rate_limit);
    Ok(router(state, &cfg.www, &cfg.sdk))
}

/// Serves `app` on `listener` until `shutdown` resolves. Connection info is
/// attached so the rate limiter can key on the client IP.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
