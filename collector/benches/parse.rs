//! Micro-benchmark of the request workers' share of ingest: `validate::parse_batch` on batches of
//! 20 of the load bench's events (~800-byte clicks), single-threaded.
//!
//! ```sh
//! cargo bench -p touchpoint-collector --bench parse            # 9 rounds of 50,000 batches
//! cargo bench -p touchpoint-collector --bench parse -- 10000   # batches per round
//! ```
//!
//! Prints per round the wall time and the thread's CPU time per event, and the allocations per
//! event (a counting global allocator); then the best CPU time. On a shared machine compare the
//! best CPU time of alternating runs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.realloc(p, l, n)
    }
}

#[global_allocator]
static A: Counting = Counting;

/// The load bench's event (`benches/load.rs`), split around its messageId.
const EVENT_HEAD: &str = r##"{"type":"track","event":"click","messageId":""##;
const EVENT_TAIL: &str = r##"","timestamp":"2026-11-22T14:24:25.010Z","sessionId":"c9799fd3-5a1e-4c1b-9a0e-0a4c3f2b7d11","site":"demo-shop","properties":{"element":{"selector":"#product-grid > li.product-card > div.buy > button.btn.btn-primary","tag":"button","text":"Add Stoneware Mug to cart"}},"context":{"page":{"url":"http://127.0.0.1:8080/products?category=kitchen","path":"/products","title":"Demo Shop - Kitchen","referrer":"http://127.0.0.1:8080/"},"library":{"name":"touchpoint","version":"0.1.0"},"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"}}"##;

fn thread_cpu_ns() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid clock id and a valid out pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

fn main() {
    let batch = 20;
    let bodies: Vec<Vec<u8>> = (0..64)
        .map(|k| {
            let mut b = br#"{"sentAt":"2026-11-22T14:24:26.123Z","batch":["#.to_vec();
            for i in 0..batch {
                if i > 0 {
                    b.push(b',');
                }
                b.extend_from_slice(EVENT_HEAD.as_bytes());
                b.extend_from_slice(format!("{k:08x}-aaaa-4bbb-8ccc-{i:012x}").as_bytes());
                b.extend_from_slice(EVENT_TAIL.as_bytes());
            }
            b.extend_from_slice(b"]}");
            b
        })
        .collect();
    // `cargo bench` passes --bench: take the first number.
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let mut best = f64::MAX;
    for round in 0..9 {
        let a0 = ALLOCS.load(Ordering::Relaxed);
        let (t, c0) = (Instant::now(), thread_cpu_ns());
        let mut events = 0;
        for r in 0..n {
            let b = touchpoint_collector::validate::parse_batch(&bodies[r % bodies.len()]).unwrap();
            assert_eq!(b.events.len(), batch);
            events += b.events.len();
        }
        let wall = t.elapsed().as_nanos() as f64 / events as f64;
        let cpu = (thread_cpu_ns() - c0) / events as f64;
        best = best.min(cpu);
        let allocs = (ALLOCS.load(Ordering::Relaxed) - a0) as f64 / events as f64;
        println!("round {round}: {wall:.0} ns/event wall, {cpu:.0} ns/event CPU, {allocs:.1} allocations/event");
    }
    println!("best: {best:.0} ns/event CPU");
}
