//! Batching, retry and unload policy: when to send, what to send, what to do with the answer.
//!
//! Like quinn-proto, this is a state machine without IO: the web layer asks `poll_transmit`,
//! performs the request, and reports the outcome with `on_result`. Time and randomness are
//! arguments, so every decision is reproducible in tests.
//!
//! Guarantee: an event leaves the queue only when a request carrying it was acknowledged (2xx),
//! when the collector rejected it for good (non-retryable 4xx, counted), when the collector said
//! it holds it (see below), or when the bounded queue overflowed (oldest first, counted).
//! Everything else is retried with the same messageId.
//!
//! A beacon the browser accepted may still fail (the collector down while the page is hidden or
//! closed), and its answer is never seen. So its events are not dropped: they stay queued (and
//! stored) as *probes*, their JSON marked by a leading space (` {...}`: still JSON, so an older
//! SDK that adopts them sends them whole, and the collector stores them once). A probe is not sent
//! again; its messageId rides along with the next request, in `confirm`, and the collector's
//! answer lists in `missing` those it does not hold: they are sent whole, the others leave.

use super::event::{batch_body, Encoded, BODY_OVERHEAD};

/// The largest single event either side accepts (its JSON text). The collector answers 413
/// beyond it, so the SDK refuses such an event at capture instead of retrying it forever.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Send as soon as this many events are queued.
    pub max_batch_events: usize,
    /// A single request body never exceeds this (keepalive fetches are limited to 64 KiB).
    pub max_batch_bytes: usize,
    /// Send this long after the oldest queued event was captured.
    pub flush_interval_ms: u64,
    /// Bounds on what is kept waiting; overflow drops the oldest.
    pub max_queue_events: usize,
    pub max_queue_bytes: usize,
    /// A single event larger than this is refused (the collector's per-event limit).
    pub max_event_bytes: usize,
    /// Exponential backoff with full jitter: delay = random(0 ..= min(cap, base * 2^failures)).
    pub backoff_base_ms: u64,
    pub backoff_cap_ms: u64,
    /// Size of one unload chunk: beacons and keepalive fetches share a 64 KiB in-flight budget.
    pub unload_chunk_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            // Each upload costs the page's main thread ~1.5-2.5 ms (fetch, and the gzip stream
            // before it) whatever its size: measured under the trusted bench, 50 instead of 20
            // sent 6 requests instead of 16 and saved ~23 ms of script time (BENCHMARKS.md).
            max_batch_events: 50,
            max_batch_bytes: 60 * 1024,
            flush_interval_ms: 5_000,
            max_queue_events: 1_000,
            max_queue_bytes: 1024 * 1024,
            max_event_bytes: MAX_EVENT_BYTES,
            backoff_base_ms: 1_000,
            backoff_cap_ms: 60_000,
            unload_chunk_bytes: 60 * 1024,
        }
    }
}

/// Whether `e` waits for the collector to confirm it got it by a beacon (see the module doc).
pub fn is_probe(e: &Encoded) -> bool {
    e.json.as_bytes().first() == Some(&b' ')
}

/// How many probes one request asks about at most.
const MAX_CONFIRM: usize = 200;
/// A probe is asked about no sooner than this after it became one (or was adopted): its beacon
/// may still be on its way, and a collector that has not stored it yet would say it is missing.
pub const PROBE_RIDE_MS: u64 = 10_000;
/// Probes with nothing to ride along with are asked about on their own after this.
pub const PROBE_ALONE_MS: u64 = 60_000;

/// What the answer to a request means for its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Keep the events and try again later; `after_ms` is the server's Retry-After.
    Retry {
        after_ms: Option<u64>,
    },
    /// The collector will never accept these events (e.g. 400, 422): drop and count them.
    Rejected,
    /// 413, the body too large for the collector or a proxy before it (a WAF's or nginx's body
    /// limit): the batch is sent again in halves; a single event is retried later as after a
    /// 5xx (no event is ever larger than the collector takes: see `push`). It was a rejection:
    /// a proxy's passing limit dropped a batch, a purchase in it, without a trace (QA).
    TooLarge,
}

/// Longest Retry-After we honour, so a misconfigured server cannot park events for days.
const MAX_RETRY_AFTER_MS: u64 = 10 * 60 * 1000;

/// Classifies an HTTP answer. `status` 0 means the request never got an answer (network error,
/// aborted, CORS failure). `retry_after` is the raw header value.
pub fn classify(status: u16, retry_after: Option<&str>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        // (403: the collector refusing the origin for the batch's site, a configuration the
        // shop fixes, after which the events must arrive. A storefront allowed for another site
        // id gets it with CORS headers, which made it a refusal for good: an operator's QA lost
        // every event of a site forgotten in --allow.)
        0 | 403 | 408 | 429 | 500..=599 => Outcome::Retry { after_ms: retry_after.and_then(parse_retry_after) },
        413 => Outcome::TooLarge,
        _ => Outcome::Rejected,
    }
}

/// Retry-After in delta-seconds form. (The HTTP-date form is ignored: it needs a clock and a
/// date parser, and collectors here send seconds.)
pub fn parse_retry_after(v: &str) -> Option<u64> {
    let v = v.trim_ascii();
    if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = v.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    Some((secs * 1000).min(MAX_RETRY_AFTER_MS))
}

/// A request the web layer should perform now.
#[derive(Clone, Debug, PartialEq)]
pub struct Transmit {
    pub request: u64,
    pub body: String,
    pub message_ids: Vec<String>,
}

/// One unload chunk: a body under the beacon budget and the ids it carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    pub body: String,
    pub message_ids: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub delivered: u64,
    pub dropped_overflow: u64,
    pub dropped_rejected: u64,
    pub dropped_too_large: u64,
}

#[derive(Clone, Debug)]
struct Queued {
    event: Encoded,
    queued_at: u64,
}

#[derive(Debug)]
pub struct Outbox {
    policy: Policy,
    // A Vec, not a VecDeque: removal from the front is O(n) with n <= 1,000, and VecDeque
    // costs about 1.5 KB of wasm.
    queue: Vec<Queued>,
    queued_bytes: usize,
    /// The request in flight: its events, and the probes it asks about (their ids, quoted).
    in_flight: Option<(u64, Vec<String>, String)>,
    next_request: u64,
    failures: u32,
    retry_at: Option<u64>,
    flush_requested: bool,
    online: bool,
    /// At most this many events a request, after a 413 (halved at each, doubled back at each
    /// success).
    batch_cap: usize,
    pub stats: Stats,
}

/// Why `push` refused or evicted events.
#[derive(Clone, Debug, PartialEq)]
pub enum PushError {
    TooLarge,
}

impl Outbox {
    pub fn new(policy: Policy) -> Self {
        Outbox {
            policy,
            queue: Vec::new(),
            queued_bytes: 0,
            in_flight: None,
            next_request: 1,
            failures: 0,
            retry_at: None,
            flush_requested: false,
            online: true,
            batch_cap: usize::MAX,
            stats: Stats::default(),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn events(&self) -> impl Iterator<Item = &Encoded> {
        self.queue.iter().map(|q| &q.event)
    }

    /// Rewrites every queued event with `f` (see `event::without_anonymous_id`).
    pub fn rewrite(&mut self, f: impl Fn(&mut String)) {
        for q in &mut self.queue {
            self.queued_bytes -= q.event.bytes();
            f(&mut q.event.json);
            self.queued_bytes += q.event.bytes();
        }
    }

    pub fn contains(&self, message_id: &str) -> bool {
        self.queue.iter().any(|q| q.event.message_id == message_id)
    }

    /// Queues an event. Returns the events evicted to stay within bounds (oldest first, never
    /// one that is in flight), so the caller can drop them from storage too.
    pub fn push(&mut self, event: Encoded, now: u64) -> Result<Vec<Encoded>, PushError> {
        if event.bytes() > self.policy.max_event_bytes {
            self.stats.dropped_too_large += 1;
            return Err(PushError::TooLarge);
        }
        if self.contains(&event.message_id) {
            return Ok(Vec::new()); // already queued (e.g. restored from storage twice)
        }
        self.queued_bytes += event.bytes();
        self.queue.push(Queued { event, queued_at: now });
        let mut evicted = Vec::new();
        while self.queue.len() > self.policy.max_queue_events || self.queued_bytes > self.policy.max_queue_bytes {
            let in_flight = &self.in_flight;
            let victim = self
                .queue
                .iter()
                .position(|q| !in_flight.as_ref().is_some_and(|(_, ids, _)| ids.contains(&q.event.message_id)));
            let Some(i) = victim else { break };
            let q = self.queue.remove(i);
            self.queued_bytes -= q.event.bytes();
            self.stats.dropped_overflow += 1;
            evicted.push(q.event);
        }
        Ok(evicted)
    }

    /// Asks for everything queued to be sent as soon as possible (the `flush` command).
    pub fn request_flush(&mut self) {
        if !self.queue.is_empty() {
            self.flush_requested = true;
        }
    }

    pub fn set_online(&mut self, online: bool) {
        self.online = online;
    }

    /// `navigator.onLine` as last told.
    pub fn online(&self) -> bool {
        self.online
    }

    /// When a request is due: for the oldest event to send whole, at the flush interval (at
    /// once when the batch is full or a flush was asked for); for probes alone, `PROBE_ALONE_MS`
    /// after the oldest; after a failure, not before the retry time. None: nothing to send, a
    /// request in flight, or offline.
    fn due_at(&self) -> Option<u64> {
        if self.in_flight.is_some() || !self.online {
            return None;
        }
        let full = self.flush_requested
            || self.queue.len() >= self.policy.max_batch_events
            || self.queued_bytes >= self.policy.max_batch_bytes;
        let mut at = u64::MAX;
        for q in &self.queue {
            let t = if !is_probe(&q.event) {
                if full {
                    0
                } else {
                    q.queued_at.saturating_add(self.policy.flush_interval_ms)
                }
            } else {
                q.queued_at.saturating_add(PROBE_ALONE_MS)
            };
            at = at.min(t);
        }
        (at != u64::MAX).then(|| at.max(self.retry_at.unwrap_or(0)))
    }

    fn due(&self, now: u64) -> bool {
        self.due_at().is_some_and(|at| now >= at)
    }

    /// When the web layer should call `poll_transmit` again, if ever (nothing queued, offline or
    /// a request in flight: it is woken by `push`, `set_online` or `on_result` instead).
    pub fn next_wakeup(&self, now: u64) -> Option<u64> {
        self.due_at().map(|at| at.max(now))
    }

    /// The next request to perform, if one is due. At most one request is in flight at a time,
    /// which keeps events in order and the collector's load bounded.
    pub fn poll_transmit(&mut self, now: u64) -> Option<Transmit> {
        if !self.due(now) {
            return None;
        }
        // One pass: the events sent whole, and the ripe probes asked about (their ids count
        // against the body's budget too; one loop, not two filtered ones: smaller in the wasm).
        let mut confirm = String::new();
        let mut probes = 0;
        let mut bytes = BODY_OVERHEAD + 13;
        let mut taken: Vec<&Encoded> = Vec::new();
        let mut full = false;
        for q in &self.queue {
            let e = &q.event;
            if is_probe(e) {
                if now >= q.queued_at.saturating_add(PROBE_RIDE_MS) && probes < MAX_CONFIRM {
                    // (Quoted, not escaped: an id read from storage ends at a quote. One that
                    // breaks the JSON, from a tampered key, gets the batch refused, and the
                    // probes of a refused batch are sent whole.)
                    confirm.push_str(if probes == 0 { "[\"" } else { ",\"" });
                    confirm.push_str(&e.message_id);
                    confirm.push('"');
                    bytes += e.message_id.len() + 3;
                    probes += 1;
                }
                continue;
            }
            let extra = e.bytes() + usize::from(!taken.is_empty());
            full |= taken.len() == self.policy.max_batch_events.min(self.batch_cap)
                || (!taken.is_empty() && bytes + extra > self.policy.max_batch_bytes);
            if !full {
                bytes += extra;
                taken.push(e);
            }
        }
        if taken.is_empty() && probes == 0 {
            return None;
        }
        let Chunk { mut body, message_ids } = chunk(now, &taken);
        if probes > 0 {
            body.pop(); // (its closing brace)
            body.push_str(",\"confirm\":");
            body.push_str(&confirm);
            body.push_str("]}");
        }
        let request = self.next_request;
        self.next_request += 1;
        self.in_flight = Some((request, message_ids.clone(), confirm));
        Some(Transmit { request, body, message_ids })
    }

    /// Reports the answer to request `request`. Returns the message ids that left the queue
    /// (delivered, rejected, or probes the collector holds), for the caller to remove from
    /// storage. `missing`: the answer's list of the probes the collector does not hold (None if
    /// it had none: an older collector, or an answer not read; then every probe asked about is
    /// sent whole). `random` is any random number, used for the backoff jitter.
    pub fn on_result(
        &mut self,
        request: u64,
        outcome: Outcome,
        now: u64,
        random: u32,
        missing: Option<&str>,
    ) -> Vec<String> {
        let (mut ids, probes) = match &self.in_flight {
            Some((r, ..)) if *r == request => self.in_flight.take().map(|(_, ids, p)| (ids, p)).unwrap_or_default(),
            _ => return Vec::new(), // stale answer (e.g. the queue was purged meanwhile)
        };
        match outcome {
            Outcome::Delivered | Outcome::Rejected => {
                self.failures = 0;
                self.retry_at = None;
                let ok = matches!(outcome, Outcome::Delivered);
                // (`probes` and `missing` are lists of quoted ids: an id is found in them by a
                // plain search for it quoted.)
                let found =
                    |list: &str, id: &str| super::json::find(list, &super::json::cat(&["\"", id, "\""])).is_some();
                for q in &mut self.queue {
                    if is_probe(&q.event) && found(&probes, &q.event.message_id) {
                        let Encoded { message_id: id, json } = &mut q.event;
                        if ok && missing.is_some_and(|m| !found(m, id)) {
                            ids.push(id.clone()); // held by the collector: leaves with the rest
                        } else {
                            // Not held, or not known: sent whole from now on.
                            json.remove(0);
                        }
                    }
                }
                let removed = self.forget(&ids);
                if ok {
                    self.batch_cap = self.batch_cap.saturating_mul(2);
                    self.stats.delivered += removed.len() as u64;
                } else {
                    self.stats.dropped_rejected += removed.len() as u64;
                }
                removed
            }
            Outcome::TooLarge if ids.len() > 1 => {
                self.batch_cap = ids.len() / 2;
                Vec::new()
            }
            Outcome::TooLarge | Outcome::Retry { .. } => {
                let after_ms = if let Outcome::Retry { after_ms } = outcome { after_ms } else { None };
                self.failures = self.failures.saturating_add(1);
                let ceiling = self
                    .policy
                    .backoff_base_ms
                    .saturating_mul(1u64 << self.failures.min(20))
                    .min(self.policy.backoff_cap_ms);
                let jitter = u64::from(random) % (ceiling + 1);
                self.retry_at = Some(now + jitter.max(after_ms.unwrap_or(0)));
                Vec::new()
            }
        }
    }

    /// Removes events that no longer need sending (acknowledged, or handed to the browser by a
    /// beacon). Returns the ids that were actually removed.
    pub fn forget(&mut self, ids: &[String]) -> Vec<String> {
        let mut removed = Vec::new();
        self.queue.retain(|q| {
            let gone = ids.contains(&q.event.message_id);
            if gone {
                removed.push(q.event.message_id.clone());
            }
            !gone
        });
        self.queued_bytes = self.queue.iter().map(|q| q.event.bytes()).sum();
        // Done once nothing but probes is left (a page before's beacon, not confirmed yet: the
        // flush does not hurry them). While they waited, the flush stayed asked for, and every
        // later event of the page was sent on its own at once, after a moment of truth.
        if self.queue.iter().all(|q| is_probe(&q.event)) {
            self.flush_requested = false;
        }
        removed
    }

    /// The events of a beacon the browser accepted: kept as probes (see the module doc).
    /// (`queued_bytes` does not count the mark's byte: it is recounted at the next `forget`.)
    pub fn probe(&mut self, ids: &[String], now: u64) {
        for q in &mut self.queue {
            if ids.contains(&q.event.message_id) && !is_probe(&q.event) {
                q.event.json.insert(0, ' ');
                q.queued_at = now;
            }
        }
    }

    /// Everything still queued (in flight included: the page is going away and that answer may
    /// never come; probes not: they went by a beacon already) split into bodies under the unload
    /// budget. Nothing is removed: the caller
    /// `forget`s the chunks the browser accepted; the rest stays queued (and persisted).
    pub fn unload_chunks(&self, now: u64) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        let mut current: Vec<&Encoded> = Vec::new();
        let mut bytes = BODY_OVERHEAD;
        for q in self.queue.iter().filter(|q| !is_probe(&q.event)) {
            let extra = q.event.bytes() + usize::from(!current.is_empty());
            if !current.is_empty() && bytes + extra > self.policy.unload_chunk_bytes {
                chunks.push(chunk(now, &current));
                current.clear();
                bytes = BODY_OVERHEAD;
            }
            bytes += q.event.bytes() + usize::from(!current.is_empty());
            current.push(&q.event);
        }
        if !current.is_empty() {
            chunks.push(chunk(now, &current));
        }
        chunks
    }

    /// Drops everything (consent withdrawn). A request already in flight cannot be recalled, but
    /// its answer is ignored and nothing queued is sent again.
    /// Whether event `message_id` is queued and not on its way (a purge would lose it).
    pub fn waiting(&self, message_id: &str) -> bool {
        self.queue.iter().any(|q| q.event.message_id == message_id)
            && !self.in_flight.as_ref().is_some_and(|(_, ids, _)| ids.iter().any(|i| i == message_id))
    }

    pub fn purge(&mut self) {
        self.in_flight = None;
        self.retry_at = None;
        self.failures = 0;
        self.flush_requested = false;
        self.queued_bytes = 0;
        self.queue.clear();
    }
}

/// A batch body and the ids it carries (for a request or an unload chunk).
fn chunk(now: u64, events: &[&Encoded]) -> Chunk {
    let mut message_ids = Vec::with_capacity(events.len());
    for e in events {
        message_ids.push(e.message_id.clone());
    }
    Chunk { body: batch_body(now, events.iter().copied()), message_ids }
}

#[cfg(test)]
mod tests;
