//! The batch pipeline, independent of HTTP plumbing: decode -> validate (per event) -> origin
//! check -> store. [`prepare`] is the CPU part (synchronous, bounded by the size limits); the
//! store part waits for the writer thread's group commit. Tests (the property test included)
//! call [`ingest`], which runs both and blocks.

use crate::decode::decode_body;
use crate::error::IngestError;
use crate::origin::{OriginDecision, OriginPolicy};
use crate::store::{InsertOutcome, Store};
use crate::validate::{parse_batch, Event, Rejected};

/// What the pipeline needs from an HTTP request, owned so it can move to a
/// blocking thread.
#[derive(Debug, Clone, Default)]
pub struct IngestRequest {
    pub body: Vec<u8>,
    pub content_encoding: Option<String>,
    pub origin: Option<String>,
    pub host: Option<String>,
    /// With a retention (`--retention-days`): the oldest time an event may count at (unix ms).
    /// An older one is refused, as the retention would erase it at once; and an event erased for
    /// its age has left the deduplication table, so its retry must not be stored again.
    pub not_before: Option<i64>,
    /// The browser and OS of the request (from its `User-Agent` header, which is not kept): every
    /// event of the batch is stored with them. None: no header.
    pub agent: Option<crate::agent::Agent>,
}

/// A batch that may be stored: its valid events, and the refused ones.
#[derive(Debug)]
pub struct Prepared {
    pub events: Vec<Event>,
    pub rejected: Vec<Rejected>,
    /// The origin to reflect in `Access-Control-Allow-Origin`, if any.
    pub cors_origin: Option<String>,
    /// The ids the batch asks about (`Batch::confirm`).
    pub confirm: Vec<String>,
}

/// The answer to a stored batch: `{"accepted": n, "duplicates": m, "rejected": [...]}`, and
/// `"missing": [...]` when the batch asked about ids (`confirm`): those not stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Answer {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub answer: Answer,
    pub cors_origin: Option<String>,
}

/// Decodes and checks a request. An error refuses the whole request; refused events are
/// listed in `Prepared::rejected`.
pub fn prepare(policy: &OriginPolicy, req: &IngestRequest) -> Result<Prepared, IngestError> {
    let json = decode_body(&req.body, req.content_encoding.as_deref())?;
    let batch = parse_batch(&json)?;
    // The origin check needs the sites, so it runs after parsing; parsing is
    // bounded by the size limits, so this costs an attacker nothing extra.
    // Only the events that passed count: a refused event's site is not trusted.
    if batch.events.is_empty() {
        let cors_origin = match req.origin.as_deref() {
            None => None,
            Some(o) if policy.is_known(o, req.host.as_deref()) => Some(o.to_string()),
            Some(_) => return Err(IngestError::OriginNotAllowed { site: String::new() }),
        };
        return Ok(Prepared { events: batch.events, rejected: batch.rejected, cors_origin, confirm: batch.confirm });
    }
    // Per event, like every other check: an event of a site this origin may not write (a tab
    // that adopted the leftovers of another site's tab on the same origin) must not cost the
    // batch's other events. Only a batch with no writable event is refused whole, so that a
    // misconfigured origin still gets a clear 403. Decided once per site.
    let mut decided: Vec<(String, OriginDecision)> = Vec::new();
    let mut events = Vec::with_capacity(batch.events.len());
    // (The index in the batch of each of `events`.)
    let mut kept_at = Vec::with_capacity(batch.events.len());
    let mut refused = Vec::new();
    // The events that passed validation, with their index in the batch.
    let mut invalid = batch.rejected.iter().map(|r| r.index).peekable();
    let mut index = 0;
    for e in batch.events {
        while invalid.next_if_eq(&index).is_some() {
            index += 1;
        }
        let at = match decided.iter().position(|(site, _)| site == e.site()) {
            Some(at) => at,
            None => {
                let d = policy.decide(req.origin.as_deref(), req.host.as_deref(), e.site());
                decided.push((e.site().to_string(), d));
                decided.len() - 1
            }
        };
        match decided[at].1 {
            OriginDecision::Denied => refused.push((index, e.site().to_string())),
            _ => {
                events.push(e);
                kept_at.push(index);
            }
        }
        index += 1;
    }
    if events.is_empty() {
        let site = refused.into_iter().next().map(|(_, site)| site).unwrap_or_default();
        return Err(IngestError::OriginNotAllowed { site });
    }
    let mut rejected = batch.rejected;
    for (index, site) in refused {
        rejected.push(Rejected { index, reason: format!("origin not allowed for site {site}") });
    }
    if let Some(not_before) = req.not_before {
        let now = crate::facts::now_ms();
        let mut i = 0;
        events.retain(|e| {
            let keep = crate::aggregate::event_ts(e, now) >= not_before;
            if !keep {
                rejected.push(Rejected {
                    index: kept_at[i],
                    reason: "older than the collector's retention (--retention-days)".into(),
                });
            }
            i += 1;
            keep
        });
    }
    rejected.sort_by_key(|r| r.index);
    if let Some(a) = &req.agent {
        for e in &mut events {
            e.facts.browser = a.browser.clone();
            e.facts.os = a.os.to_string();
        }
    }
    let cors_origin = decided.into_iter().find_map(|(_, d)| match d {
        OriginDecision::Allowed(o) => Some(o),
        _ => None,
    });
    Ok(Prepared { events, rejected, cors_origin, confirm: batch.confirm })
}

fn answer(outcome: InsertOutcome, rejected: Vec<Rejected>) -> Answer {
    Answer { accepted: outcome.accepted, duplicates: outcome.duplicates, rejected, missing: None }
}

/// The ids of `confirm` that `known` says are not stored.
fn missing(confirm: Vec<String>, known: Vec<bool>) -> Vec<String> {
    confirm.into_iter().zip(known).filter(|(_, k)| !k).map(|(id, _)| id).collect()
}

/// Stores a prepared batch; returns after the commit (and, for a batch that asks about ids,
/// after the writer said which are stored).
pub async fn store(store: &Store, p: Prepared) -> Result<Ingested, IngestError> {
    let outcome = store.insert(p.events).await?;
    let mut a = answer(outcome, p.rejected);
    // (Asked once the batch is committed: an id of the batch itself is then stored.)
    if !p.confirm.is_empty() {
        let known = store
            .known(p.confirm.clone())
            .await
            .map_err(|_| crate::store::StoreError::Task("writer gone".into()))??;
        a.missing = Some(missing(p.confirm, known));
    }
    Ok(Ingested { answer: a, cors_origin: p.cors_origin })
}

/// The whole pipeline, blocking (not for use inside the async runtime).
pub fn ingest(store: &Store, policy: &OriginPolicy, req: &IngestRequest) -> Result<Ingested, IngestError> {
    let p = prepare(policy, req)?;
    let outcome = store.insert_batch(p.events)?;
    let mut a = answer(outcome, p.rejected);
    if !p.confirm.is_empty() {
        let known = store
            .known(p.confirm.clone())
            .blocking_recv()
            .map_err(|_| crate::store::StoreError::Task("writer gone".into()))??;
        a.missing = Some(missing(p.confirm, known));
    }
    Ok(Ingested { answer: a, cors_origin: p.cors_origin })
}
