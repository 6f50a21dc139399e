//! A token bucket for the page's own `track` calls: a runaway loop (100,000 calls in a row) must
//! neither block the page while each call is serialised nor flood the queue and the collector.
//! Calls beyond the bucket are dropped before any work is done on them, counted, and reported
//! as one `rate_limited` event once calls are admitted again.

/// Calls admitted in a burst...
pub const BURST: u64 = 500;
/// ...and per second after it (both configurable: `data-track-limit="500,50"`, or `off`).
pub const PER_SECOND: u64 = 50;
/// During a long flood, dropped calls are reported at most this often.
pub const REPORT_MS: u64 = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub struct RateLimit {
    /// Thousandths of a call: `per_second` calls per second is `per_second` units per ms.
    units: u64,
    burst: u64,
    per_second: u64,
    at: Option<u64>,
    /// Calls dropped and not yet reported.
    pub dropped: u64,
    /// When drops were last reported.
    pub reported_at: Option<u64>,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::new(BURST, PER_SECOND)
    }
}

impl RateLimit {
    /// A bucket of `burst` calls refilled at `per_second`; a burst of 0 admits everything.
    pub fn new(burst: u64, per_second: u64) -> RateLimit {
        RateLimit { units: burst * 1000, burst, per_second, at: None, dropped: 0, reported_at: None }
    }

    /// Whether drops are waiting to be reported and the last report is old enough.
    pub fn report_due(&self, now: u64) -> bool {
        self.dropped > 0 && self.reported_at.is_none_or(|at| now.saturating_sub(at) >= REPORT_MS)
    }

    /// Whether a call at `now` may go on.
    pub fn admit(&mut self, now: u64) -> bool {
        if self.burst == 0 {
            return true;
        }
        let elapsed = self.at.map_or(0, |at| now.saturating_sub(at));
        self.at = Some(now);
        self.units = (self.units + elapsed * self.per_second).min(self.burst * 1000);
        if self.units >= 1000 {
            self.units -= 1000;
            true
        } else {
            self.dropped += 1;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let mut r = RateLimit::default();
        assert_eq!((0..100_000).filter(|_| r.admit(0)).count() as u64, BURST, "a loop in one task");
        assert_eq!(r.dropped, 100_000 - BURST);
        assert!(!r.admit(19), "a fiftieth of a second later: not yet one call's worth");
        assert!(r.admit(20));
        let admitted = (1..=10_000u64).filter(|t| r.admit(20 + t * 10)).count();
        assert_eq!(admitted, 5_000, "one call every 10 ms for 100 s: half of them at 50 per second");
    }

    #[test]
    fn configurable_and_off() {
        let mut r = RateLimit::new(2, 1);
        assert_eq!((0..10).filter(|_| r.admit(0)).count(), 2);
        assert!(r.admit(1_000));
        let mut off = RateLimit::new(0, 0);
        assert!((0..100_000).all(|_| off.admit(0)));
    }

    #[test]
    fn a_normal_page_never_hits_it() {
        let mut r = RateLimit::default();
        assert!((0..3_600u64).all(|s| (0..10).all(|i| r.admit(s * 1000 + i))), "10 calls a second for an hour");
        assert_eq!(r.dropped, 0);
    }
}
