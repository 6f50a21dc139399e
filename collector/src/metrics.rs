//! `GET /metrics`: the collector's counters in Prometheus' text exposition format, for an
//! operator's monitoring (Prometheus, VictoriaMetrics, Grafana Agent, or `curl` in a cron job):
//! batches by outcome, events accepted, duplicated and refused, whether storage is failing, the
//! events stored and how long the collector has run. Counters since the start, kept in atomics
//! (one relaxed add per batch): no dependency (the `prometheus` crate would bring its registry
//! and protobuf for five numbers).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::error::IngestError;
use crate::ingest::Ingested;

/// A batch's outcome, as the `outcome` label says it: stored, or why it was refused.
const OUTCOMES: [&str; 8] =
    ["stored", "invalid", "timeout", "too_large", "unsupported_encoding", "forbidden", "rate_limited", "unavailable"];

#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    batches: [AtomicU64; OUTCOMES.len()],
    accepted: AtomicU64,
    duplicates: AtomicU64,
    rejected: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            batches: Default::default(),
            accepted: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts one `POST /v1/batch` by its outcome.
    pub fn batch(&self, result: &Result<Ingested, IngestError>) {
        let outcome = match result {
            Ok(done) => {
                let a = &done.answer;
                self.accepted.fetch_add(a.accepted as u64, Ordering::Relaxed);
                self.duplicates.fetch_add(a.duplicates as u64, Ordering::Relaxed);
                self.rejected.fetch_add(a.rejected.len() as u64, Ordering::Relaxed);
                0
            }
            Err(IngestError::Invalid(_)) => 1,
            Err(IngestError::Timeout(_)) => 2,
            Err(IngestError::TooLarge(_)) => 3,
            Err(IngestError::UnsupportedEncoding(_)) => 4,
            Err(IngestError::OriginNotAllowed { .. }) => 5,
            Err(IngestError::RateLimited) => 6,
            Err(IngestError::Unavailable(_)) => 7,
        };
        self.batches[outcome].fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text: `storage_failing` as `/healthz` tells it, `stored` the events in
    /// the database (`/api/stats`' total).
    pub fn render(&self, storage_failing: bool, stored: i64) -> String {
        let mut out = String::new();
        head(&mut out, "batches_total", "counter", "Batch requests (POST /v1/batch) since the start, by outcome.");
        for (outcome, n) in OUTCOMES.iter().zip(&self.batches) {
            let _ = writeln!(out, "touchpoint_batches_total{{outcome=\"{outcome}\"}} {}", n.load(Ordering::Relaxed));
        }
        for (name, help, n) in [
            ("events_accepted_total", "Events stored since the start.", &self.accepted),
            ("events_duplicate_total", "Events received again (already stored) since the start.", &self.duplicates),
            (
                "events_rejected_total",
                "Events refused one by one (a batch answer's rejected) since the start.",
                &self.rejected,
            ),
        ] {
            head(&mut out, name, "counter", help);
            let _ = writeln!(out, "touchpoint_{name} {}", n.load(Ordering::Relaxed));
        }
        head(&mut out, "storage_failing", "gauge", "1 while batches cannot be stored (as /healthz answers 503).");
        let _ = writeln!(out, "touchpoint_storage_failing {}", u8::from(storage_failing));
        head(&mut out, "events_stored", "gauge", "Events in the database, all sites.");
        let _ = writeln!(out, "touchpoint_events_stored {stored}");
        head(&mut out, "build_info", "gauge", "The collector's version and its database schema version (always 1).");
        let _ = writeln!(
            out,
            "touchpoint_build_info{{version=\"{}\",schema=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            crate::store::SCHEMA_VERSION
        );
        head(&mut out, "uptime_seconds", "gauge", "Seconds since the collector started.");
        let _ = writeln!(out, "touchpoint_uptime_seconds {}", self.started.elapsed().as_secs());
        out
    }
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP touchpoint_{name} {help}\n# TYPE touchpoint_{name} {kind}");
}
