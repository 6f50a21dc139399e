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
/// Deepest nesting of one event, the event object itself being level 1: what `serde_json` (and
/// so the read API and most consumers) parses with its default recursion limit.
pub const MAX_EVENT_DEPTH: usize = 128;
/// Largest body on the wire. Compressed JSON is always smaller than the JSON,
/// so the decompressed cap is also a fine cap for what we read off the socket.
pub const MAX_WIRE_BYTES: usize = MAX_BATCH_BYTES;

/// Batch requests handled at once (tower's concurrency limit on `/v1/batch`); more wait for
/// their turn before their body is read. Bounds the memory held by bodies in flight to
/// `MAX_INFLIGHT_BATCHES * MAX_WIRE_BYTES` (64 MiB).
pub const MAX_INFLIGHT_BATCHES: usize = 128;
/// Largest request head (request line and headers) hyper buffers: 431 above it.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// File descriptors kept free of connections: SQLite's files, static files, the runtime.
pub const FD_RESERVE: u64 = 32;

/// Per-connection and per-request bounds of the HTTP server (`--header-timeout` and co).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// hyper's header read timeout: from the moment a connection is accepted, or has answered
    /// its previous request (keep-alive), until the next request head is complete. So it is
    /// also the idle keep-alive timeout.
    pub header_timeout: Duration,
    /// tower-http's request body timeout: the longest wait for the next piece of a body.
    pub body_timeout: Duration,
    /// tower-http's timeout on a whole batch request, from its head to the answer: 408.
    pub request_timeout: Duration,
    /// Open connections at most; more wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// The longest an answer may wait for the client to take its next bytes: a client that
    /// stops reading (a large static file asked for and never read) is disconnected then,
    /// instead of holding its connection and buffers for ever.
    pub write_timeout: Duration,
    /// Open connections from one client address at most (0: no such cap). Off by default:
    /// behind a reverse proxy every client has the proxy's address.
    pub max_per_ip: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            write_timeout: Duration::from_secs(30),
            max_per_ip: 0,
        }
    }
}

/// `requested` lowered so that connections cannot use up the process's open file limit
/// (`ulimit -n`), leaving `FD_RESERVE` descriptors for everything else. Returns the cap and
/// the soft limit when it had to be lowered.
pub fn connection_cap(requested: usize) -> (usize, Option<u64>) {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we pass and has no other preconditions.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) } != 0 || rl.rlim_cur == libc::RLIM_INFINITY {
        return (requested.max(1), None);
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
    cap_for_fd_limit(requested, rl.rlim_cur as u64)
}

fn cap_for_fd_limit(requested: usize, soft: u64) -> (usize, Option<u64>) {
    let room = soft.saturating_sub(FD_RESERVE).max(1);
    if (requested as u64) <= room {
        (requested.max(1), None)
    } else {
        (room as usize, Some(soft))
    }
}

/// Makes the allocator give memory back when slow clients leave (glibc only; elsewhere a no-op).
///
/// A request body is one buffer of up to 512 KiB. glibc serves blocks of 128 KiB and more with
/// `mmap` and unmaps them when freed, but raises that threshold each time such a block is
/// freed: from the second wave of big bodies on they come from the heap, and a heap full of
/// holes is kept. Setting the thresholds explicitly turns that adaptation off: big blocks are
/// always mapped and unmapped, and free memory at the top of the heap is returned above 1 MiB.
/// At most 4 heaps (arenas) are used.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before other threads
    // allocate (from main, first thing).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1024 * 1024);
        // One heap per thread that ever allocated (runtime workers, the blocking pool, SQLite
        // threads) multiplies the holes; a few shared heaps are plenty for two cores.
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

/// Returns the free memory inside the allocator's heaps to the system (glibc's
/// `malloc_trim`): what connections leave behind in blocks below the mmap threshold (hyper's
/// read buffers, the runtime's tasks). Takes a few milliseconds; called after connections close.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

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
    fn connection_cap_leaves_descriptors_free() {
        assert_eq!(cap_for_fd_limit(1024, 20_000), (1024, None));
        assert_eq!(cap_for_fd_limit(1024, 64), (32, Some(64)));
        assert_eq!(cap_for_fd_limit(1024, 10), (1, Some(10)));
        assert_eq!(cap_for_fd_limit(0, 64), (1, None));
        assert!(connection_cap(8).0 <= 8);
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
