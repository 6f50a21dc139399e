//! The batch pipeline, independent of HTTP plumbing: decode -> validate ->
//! origin check -> store. Synchronous on purpose: it decompresses, parses and
//! writes to SQLite, all blocking work, so the router runs it on the blocking
//! pool, and tests (including the property test) can call it directly.

use crate::decode::decode_body;
use crate::error::IngestError;
use crate::origin::{OriginDecision, OriginPolicy};
use crate::store::{InsertOutcome, Store};
use crate::validate::parse_batch;

/// What the pipeline needs from an HTTP request, owned so it can move to a
/// blocking thread.
#[derive(Debug, Clone, Default)]
pub struct IngestRequest {
    pub body: Vec<u8>,
    pub content_encoding: Option<String>,
    pub origin: Option<String>,
    pub host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub outcome: InsertOutcome,
    /// The origin to reflect in `Access-Control-Allow-Origin`, if any.
    pub cors_origin: Option<String>,
}

pub fn ingest(store: &Store, policy: &OriginPolicy, req: &IngestRequest) -> Result<Ingested, IngestError> {
    let json = decode_body(&req.body, req.content_encoding.as_deref())?;
    let batch = parse_batch(&json)?;
    // The origin check needs the sites, so it runs after parsing; parsing is
    // bounded by the size limits, so this costs an attacker nothing extra.
    let sites = batch.events.iter().map(|e| e.site.as_str());
    let cors_origin = match policy.decide(req.origin.as_deref(), req.host.as_deref(), sites) {
        OriginDecision::NoOrigin => None,
        OriginDecision::Allowed(o) => Some(o),
        OriginDecision::Denied { site } => return Err(IngestError::OriginNotAllowed { site }),
    };
    let outcome = store.insert_batch(&batch.events)?;
    Ok(Ingested { outcome, cors_origin })
}
