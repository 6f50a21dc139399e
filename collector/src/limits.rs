//! Size limits and the optional per-IP rate limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Largest batch body, after decompression. The SDK flushes far smaller
/// batches; this only bounds what a hostile client can make us parse.
pub const MAX_BATCH_BYTES: usize = 512 * 1024;
/// Largest single event (its JSON text as received): the SDK's own bound.
pub const MAX_EVENT_BYTES: usize = touchpoint_core::outbox::MAX_EVENT_BYTES;
/// Most events in one batch.
pub const MAX_BATCH_EVENTS: usize = 500;
/// Largest body on the wire. Compressed JSON is always smaller than the JSON,
/// so the decompressed cap is also a fine cap for what we read off the socket.
pub const MAX_WIRE_BYTES: usize = MAX_BATCH_BYTES;

/// Fixed one-second windows per client IP. Coarse, but it needs no timer
/// task and its memory is bounded by pruning stale windows.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Above this many tracked IPs, windows that have ended are dropped.
const PRUNE_ABOVE: usize = 10_000;
const WINDOW: Duration = Duration::from_secs(1);

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        RateLimiter { per_second, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one request from `ip`; false if it is over the limit.
    pub fn check(&self, ip: IpAddr) -> bool {
        self.check_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> bool {
        // A panic while holding this lock cannot leave the map inconsistent
        // in a way that matters, so recover from poisoning instead of failing.
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = map.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_second {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_reset_and_ips_are_separate() {
        let rl = RateLimiter::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(rl.check_at(a, t0));
        assert!(rl.check_at(a, t0));
        assert!(!rl.check_at(a, t0 + Duration::from_millis(500)));
        assert!(rl.check_at(b, t0 + Duration::from_millis(500)));
        assert!(rl.check_at(a, t0 + Duration::from_millis(1000)));
    }

    #[test]
    fn prunes_stale_windows() {
        let rl = RateLimiter::new(1);
        let t0 = Instant::now();
        for i in 0..=PRUNE_ABOVE as u32 {
            rl.check_at(IpAddr::from(i.to_be_bytes()), t0);
        }
        rl.check_at("1.2.3.4".parse().unwrap(), t0 + Duration::from_secs(2));
        assert_eq!(rl.windows.lock().unwrap().len(), 1);
    }
}
