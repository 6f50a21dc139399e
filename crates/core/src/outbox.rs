//! Batching, retry and unload policy: when to send, what to send, what to do with the answer.
//!
//! Like quinn-proto, this is a state machine without IO: the web layer asks `poll_transmit`,
//! performs the request, and reports the outcome with `on_result`. Time and randomness are
//! arguments, so every decision is reproducible in tests.
//!
//! Guarantee: an event leaves the queue only when a request carrying it was acknowledged (2xx),
//! when the collector rejected it for good (non-retryable 4xx, counted), when the browser accepted
//! it for background delivery on unload (`forget`), or when the bounded queue overflowed (oldest
//! first, counted). Everything else is retried with the same messageId.

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

/// What the answer to a request means for its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Keep the events and try again later; `after_ms` is the server's Retry-After.
    Retry {
        after_ms: Option<u64>,
    },
    /// The collector will never accept these events (e.g. 400, 413): drop and count them.
    Rejected,
}

/// Longest Retry-After we honour, so a misconfigured server cannot park events for days.
const MAX_RETRY_AFTER_MS: u64 = 10 * 60 * 1000;

/// Classifies an HTTP answer. `status` 0 means the request never got an answer (network error,
/// aborted, CORS failure). `retry_after` is the raw header value.
pub fn classify(status: u16, retry_after: Option<&str>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        0 | 408 | 429 | 500..=599 => Outcome::Retry { after_ms: retry_after.and_then(parse_retry_after) },
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
    in_flight: Option<(u64, Vec<String>)>,
    next_request: u64,
    failures: u32,
    retry_at: Option<u64>,
    flush_requested: bool,
    online: bool,
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
                .position(|q| !in_flight.as_ref().is_some_and(|(_, ids)| ids.contains(&q.event.message_id)));
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

    fn due(&self, now: u64) -> bool {
        let Some(front) = self.queue.first() else { return false };
        if self.in_flight.is_some() || !self.online {
            return false;
        }
        if let Some(at) = self.retry_at {
            return now >= at;
        }
        self.flush_requested
            || self.queue.len() >= self.policy.max_batch_events
            || self.queued_bytes >= self.policy.max_batch_bytes
            || now >= front.queued_at.saturating_add(self.policy.flush_interval_ms)
    }

    /// When the web layer should call `poll_transmit` again, if ever (nothing queued, offline or
    /// a request in flight: it is woken by `push`, `set_online` or `on_result` instead).
    pub fn next_wakeup(&self, now: u64) -> Option<u64> {
        let front = self.queue.first()?;
        if self.in_flight.is_some() || !self.online {
            return None;
        }
        if self.due(now) {
            return Some(now);
        }
        Some(self.retry_at.unwrap_or(front.queued_at + self.policy.flush_interval_ms))
    }

    /// The next request to perform, if one is due. At most one request is in flight at a time,
    /// which keeps events in order and the collector's load bounded.
    pub fn poll_transmit(&mut self, now: u64) -> Option<Transmit> {
        if !self.due(now) {
            return None;
        }
        let mut bytes = BODY_OVERHEAD;
        let mut taken: Vec<&Encoded> = Vec::new();
        for q in &self.queue {
            let extra = q.event.bytes() + usize::from(!taken.is_empty());
            if taken.len() == self.policy.max_batch_events
                || (!taken.is_empty() && bytes + extra > self.policy.max_batch_bytes)
            {
                break;
            }
            bytes += extra;
            taken.push(&q.event);
        }
        let Chunk { body, message_ids } = chunk(now, &taken);
        let request = self.next_request;
        self.next_request += 1;
        self.in_flight = Some((request, message_ids.clone()));
        Some(Transmit { request, body, message_ids })
    }

    /// Reports the answer to request `request`. Returns the message ids that left the queue
    /// (delivered or rejected), for the caller to remove from storage. `random` is any random
    /// number, used for the backoff jitter.
    pub fn on_result(&mut self, request: u64, outcome: Outcome, now: u64, random: u32) -> Vec<String> {
        let ids = match &self.in_flight {
            Some((r, _)) if *r == request => self.in_flight.take().map(|(_, ids)| ids).unwrap_or_default(),
            _ => return Vec::new(), // stale answer (e.g. the queue was purged meanwhile)
        };
        match outcome {
            Outcome::Delivered | Outcome::Rejected => {
                self.failures = 0;
                self.retry_at = None;
                let removed = self.forget(&ids);
                if outcome == Outcome::Delivered {
                    self.stats.delivered += removed.len() as u64;
                } else {
                    self.stats.dropped_rejected += removed.len() as u64;
                }
                removed
            }
            Outcome::Retry { after_ms } => {
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
        if self.queue.is_empty() {
            self.flush_requested = false;
        }
        removed
    }

    /// Everything still queued (in flight included: the page is going away and that answer may
    /// never come) split into bodies under the unload budget. Nothing is removed: the caller
    /// `forget`s the chunks the browser accepted; the rest stays queued (and persisted).
    pub fn unload_chunks(&self, now: u64) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        let mut current: Vec<&Encoded> = Vec::new();
        let mut bytes = BODY_OVERHEAD;
        for q in &self.queue {
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
    /// its answer is ignored and nothing queued is sent again. Returns whether anything was
    /// queued (a bool, not the dropped events: the caller needs no more, and collecting them
    /// was its own drain-map-collect in the wasm).
    pub fn purge(&mut self) -> bool {
        self.in_flight = None;
        self.retry_at = None;
        self.failures = 0;
        self.flush_requested = false;
        self.queued_bytes = 0;
        let any = !self.queue.is_empty();
        self.queue.clear();
        any
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
