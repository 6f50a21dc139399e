//! Load benchmark for the collector: starts the release binary on 127.0.0.1 (port 0, a fresh
//! SQLite file in a temporary directory), posts batches from C concurrent keep-alive clients for
//! a fixed time, and prints events/s, latency percentiles, the collector's CPU and memory.
//!
//! ```sh
//! cargo bench -p touchpoint-collector --bench load                      # batches of 20 and 500, 8 clients, 10 s each
//! cargo bench -p touchpoint-collector --bench load -- --batch 20 --clients 8 --secs 5
//! cargo bench -p touchpoint-collector --bench load -- --bin /path/to/other/touchpoint-collector --sync ''
//! cargo bench -p touchpoint-collector --bench load -- --sync normal --db-dir /dev/shm
//! cargo bench -p touchpoint-collector --bench load -- --tags    # each event with two page tags
//! ```
//!
//! Each event is a realistic ~800-byte click event with a random UUID as messageId, as the SDK
//! makes them, so every event is new (no duplicates). A request counts only when the answer is `200` and says that all of its
//! events were accepted; at the end the collector is stopped with SIGTERM and the number of rows
//! in its database is checked against the number of acknowledged events.
//!
//! Traffic goes to 127.0.0.1 only, and the run stops by itself after `--secs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEFAULT_BIN: &str = env!("CARGO_BIN_EXE_touchpoint-collector");

struct Opts {
    batches: Vec<usize>,
    clients: Vec<usize>,
    secs: f64,
    warmup: f64,
    bin: String,
    /// Where the temporary database directory goes (default: the system temp dir).
    db_dir: Option<String>,
    /// Passed to the collector as `--sync` (unless empty: for collectors without the option).
    sync: String,
    /// messageIds: random UUIDs like the SDK's (default), or sequential (`--ids seq`), which
    /// flatter an index on them.
    sequential_ids: bool,
    /// Events carry the page's tags (`--tags`: two, as an A/B test sets them), which the
    /// collector keeps a row per tag for; untagged by default.
    tags: bool,
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        batches: vec![20, 500],
        clients: vec![8],
        secs: 10.0,
        warmup: 1.0,
        bin: DEFAULT_BIN.to_string(),
        db_dir: None,
        sync: "full".into(),
        sequential_ids: false,
        tags: false,
    };
    let mut args = std::env::args().skip(1);
    let list = |v: String| -> Vec<usize> { v.split(',').map(|x| x.trim().parse().expect("a number")).collect() };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--batch" => o.batches = list(args.next().expect("--batch N[,N]")),
            "--clients" => o.clients = list(args.next().expect("--clients N[,N]")),
            "--secs" => o.secs = args.next().expect("--secs S").parse().expect("seconds"),
            "--warmup" => o.warmup = args.next().expect("--warmup S").parse().expect("seconds"),
            "--bin" => o.bin = args.next().expect("--bin PATH"),
            "--db-dir" => o.db_dir = Some(args.next().expect("--db-dir DIR")),
            "--sync" => o.sync = args.next().expect("--sync full|normal|''"),
            "--ids" => o.sequential_ids = args.next().expect("--ids random|seq") == "seq",
            "--tags" => o.tags = true,
            // `cargo bench` passes --bench; ignore it and anything libtest-like.
            "--bench" => {}
            other => {
                panic!(
                "unknown option {other} (--batch, --clients, --secs, --warmup, --bin, --db-dir, --sync, --ids, --tags)"
            )
            }
        }
    }
    o
}

/// The collector under test; killed if the bench panics half-way.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
    db: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &str, db_dir: Option<&str>, sync: &str) -> Server {
    let dir = match db_dir {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let db = dir.path().join("load.sqlite").to_str().unwrap().to_string();
    let mut child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", "0", "--db", &db, "--www", "/nonexistent", "--sdk", "/nonexistent"])
        .args(if sync.is_empty() { vec![] } else { vec!["--sync", sync] })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim_end().strip_prefix("touchpoint-collector listening on http://").expect("listening line");
    Server { addr: addr.to_string(), child, _dir: dir, db }
}

/// A realistic SDK click event of a signed-in customer (`userId`: the sessions aggregate keeps
/// it), split around its messageId and where the page's tags go in its context.
const EVENT_HEAD: &str = r##"{"type":"track","event":"click","messageId":""##;
const EVENT_TAIL: &str = r##"","timestamp":"2026-11-22T14:24:25.010Z","sessionId":"c9799fd3-5a1e-4c1b-9a0e-0a4c3f2b7d11","userId":"c-1042","site":"demo-shop","properties":{"element":{"selector":"#product-grid > li.product-card > div.buy > button.btn.btn-primary","tag":"button","text":"Add Stoneware Mug to cart"}},"context":{"##;
/// The rest of its context (after the tags, if any).
const EVENT_CONTEXT: &str = r##""page":{"url":"http://127.0.0.1:8080/products?category=kitchen","path":"/products","title":"Demo Shop - Kitchen","referrer":"http://127.0.0.1:8080/"},"library":{"name":"touchpoint","version":"0.1.0"},"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"}}"##;
/// The page's tags (`touchpoint('set', ...)`) of a tagged event (`--tags`), as the inspector bench's
/// shop sessions carry them.
const EVENT_TAGS: &str = r#""tags":{"experiment":"checkout_v2","variant":"B"},"#;

/// xorshift64*: fast, and good enough to make messageIds look like the SDK's random UUIDs
/// (random ids are what the UNIQUE index sees in production, and cost more than sequential ones).
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

fn fill_body(buf: &mut Vec<u8>, batch: usize, rng: &mut u64, mut sequential: Option<(usize, &mut u64)>, tags: bool) {
    buf.clear();
    buf.extend_from_slice(br#"{"sentAt":"2026-11-22T14:24:26.123Z","batch":["#);
    for i in 0..batch {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(EVENT_HEAD.as_bytes());
        let (a, b) = match &sequential {
            // Client number, then a counter: each client appends at its own place in an index.
            Some((client, n)) => ((*client as u64) << 32 | (**n >> 48), **n & 0xffff_ffff_ffff),
            None => (next_random(rng), next_random(rng)),
        };
        if let Some((_, n)) = &mut sequential {
            **n += 1;
        }
        // UUID v4 layout: 8-4-4-4-12 hex digits.
        write!(
            buf,
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
        .unwrap();
        buf.extend_from_slice(EVENT_TAIL.as_bytes());
        if tags {
            buf.extend_from_slice(EVENT_TAGS.as_bytes());
        }
        buf.extend_from_slice(EVENT_CONTEXT.as_bytes());
    }
    buf.extend_from_slice(b"]}");
}

/// What the events a client sends look like (see [`Opts`]).
#[derive(Clone, Copy)]
struct Shape {
    sequential_ids: bool,
    tags: bool,
}

struct ClientResult {
    latencies_us: Vec<u32>,
    /// Events acknowledged inside the measured window.
    events: u64,
    /// Events acknowledged at any time (warm-up and the last request included).
    acked: u64,
    errors: u64,
    /// One example answer per non-200 status (or "io: ..." for a broken connection).
    error_kinds: std::collections::BTreeMap<String, u64>,
}

/// One keep-alive connection posting batches back to back until `stop`.
fn client(
    addr: String,
    batch: usize,
    run: u64,
    id: usize,
    shape: Shape,
    stop: Arc<AtomicBool>,
    measure: Arc<AtomicBool>,
) -> ClientResult {
    let mut out = ClientResult {
        latencies_us: Vec::with_capacity(1 << 16),
        events: 0,
        acked: 0,
        errors: 0,
        error_kinds: Default::default(),
    };
    let mut rng = run ^ ((id as u64 + 1) * 0x9e37_79b9_7f4a_7c15) | 1;
    let mut seq = run & 0xffff_ffff;
    let mut body = Vec::with_capacity(batch * 800);
    let mut req = Vec::with_capacity(batch * 800 + 256);
    let mut conn: Option<(TcpStream, BufReader<TcpStream>)> = None;
    let mut head = String::new();
    let mut answer = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        if conn.is_none() {
            let s = TcpStream::connect(&addr).expect("connect");
            s.set_nodelay(true).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let r = BufReader::with_capacity(16 * 1024, s.try_clone().unwrap());
            conn = Some((s, r));
        }
        let (s, r) = conn.as_mut().unwrap();
        fill_body(&mut body, batch, &mut rng, shape.sequential_ids.then_some((id, &mut seq)), shape.tags);
        req.clear();
        write!(
            req,
            "POST /v1/batch HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        req.extend_from_slice(&body);
        let t0 = Instant::now();
        let ok = (|| -> std::io::Result<bool> {
            s.write_all(&req)?;
            let mut status = 0u16;
            let mut len = 0usize;
            let mut close = false;
            loop {
                head.clear();
                if r.read_line(&mut head)? == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                let line = head.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(rest) = line.strip_prefix("HTTP/1.1 ") {
                    status = rest[..3].parse().unwrap_or(0);
                } else if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap_or(0);
                    } else if k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close") {
                        close = true;
                    }
                }
            }
            answer.resize(len, 0);
            r.read_exact(&mut answer)?;
            if close {
                return Err(std::io::ErrorKind::ConnectionAborted.into());
            }
            let want = format!("\"accepted\":{batch},");
            if status == 200 && answer.windows(want.len()).any(|w| w == want.as_bytes()) {
                return Ok(true);
            }
            *out.error_kinds.entry(format!("{status} {}", String::from_utf8_lossy(&answer))).or_default() += 1;
            Ok(false)
        })();
        let us = t0.elapsed().as_micros().min(u32::MAX as u128) as u32;
        let measuring = measure.load(Ordering::Relaxed);
        match ok {
            Ok(true) => {
                out.acked += batch as u64;
                if measuring {
                    out.latencies_us.push(us);
                    out.events += batch as u64;
                }
            }
            Ok(false) => out.errors += 1,
            Err(e) => {
                out.errors += 1;
                *out.error_kinds.entry(format!("io: {e}")).or_default() += 1;
                conn = None;
            }
        }
    }
    out
}

/// utime + stime of a process, in seconds.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of /proc/pid/stat, i.e. 11 and 12 after the name.
    (ticks(11) + ticks(12)) / clock_ticks()
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// (VmRSS, VmHWM) in MiB.
fn memory_mib(pid: &str) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn run_one(o: &Opts, batch: usize, clients: usize) {
    let server = start(&o.bin, o.db_dir.as_deref(), &o.sync);
    let pid = server.child.id().to_string();
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let stop = Arc::new(AtomicBool::new(false));
    let measure = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..clients)
        .map(|id| {
            let (addr, stop, measure) = (server.addr.clone(), stop.clone(), measure.clone());
            let shape = Shape { sequential_ids: o.sequential_ids, tags: o.tags };
            std::thread::spawn(move || client(addr, batch, run, id, shape, stop, measure))
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(o.warmup));
    let (cpu0, self0) = (cpu_secs(&pid), cpu_secs("self"));
    measure.store(true, Ordering::Relaxed);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(o.secs));
    measure.store(false, Ordering::Relaxed);
    let wall = t0.elapsed().as_secs_f64();
    let (cpu1, self1) = (cpu_secs(&pid), cpu_secs("self"));
    let (_rss_loaded, _) = memory_mib(&pid);
    stop.store(true, Ordering::Relaxed);
    let results: Vec<ClientResult> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // The collector gives memory back within a second of connections closing.
    std::thread::sleep(Duration::from_millis(1500));
    let (rss_after, hwm) = memory_mib(&pid);

    let mut lat: Vec<u32> = results.iter().flat_map(|r| r.latencies_us.iter().copied()).collect();
    lat.sort_unstable();
    let events: u64 = results.iter().map(|r| r.events).sum();
    let errors: u64 = results.iter().map(|r| r.errors).sum();
    let acked: u64 = results.iter().map(|r| r.acked).sum();
    let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
    for r in &results {
        for (k, n) in &r.error_kinds {
            *kinds.entry(k.chars().take(160).collect()).or_default() += n;
        }
    }

    // Stop the collector gracefully and check the acknowledged events are all in the database.
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let mut server = server;
    let _ = server.child.wait();
    let stored: i64 = rusqlite::Connection::open(&server.db)
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)))
        .unwrap_or(-1);
    // Every event has a unique messageId, so with no errors the rows are exactly the acknowledged events.
    let check = if stored == acked as i64 { "ok".to_string() } else { format!("{stored} rows != {acked} acked") };
    println!(
        "| {batch:>5} | {clients:>7} | {:>9.0} | {:>8} | {:>6.2} | {:>6.2} | {:>8.2} | {:>9.0}% | {:>9.0}% | {:>12.1} | {:>13.1} | {:>6} | {:>7} |",
        events as f64 / wall,
        lat.len(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        100.0 * (cpu1 - cpu0) / wall,
        100.0 * (self1 - self0) / wall,
        hwm,
        rss_after,
        errors,
        check,
    );
    for (k, n) in kinds {
        eprintln!("    {n} x {k}");
    }
}

fn main() {
    let o = parse_opts();
    println!(
        "collector: {} (--sync {}), {} messageIds, {}",
        o.bin,
        if o.sync.is_empty() { "not passed" } else { &o.sync },
        if o.sequential_ids { "sequential" } else { "random" },
        if o.tags { "events with two tags" } else { "events without tags" }
    );
    println!(
        "{} s per run after {} s warm-up; CPU = share of one core over the measured window (2 cores = 200%); RSS after = 1.5 s after the clients closed",
        o.secs, o.warmup
    );
    println!(
        "| batch | clients |  events/s | requests | p50 ms | p99 ms | p99.9 ms | server CPU | client CPU | peak RSS MiB | RSS after MiB | errors | stored |"
    );
    println!("|------:|--------:|----------:|---------:|-------:|-------:|---------:|-----------:|-----------:|-------------:|--------------:|-------:|-------:|");
    for &b in &o.batches {
        for &c in &o.clients {
            run_one(&o, b, c);
        }
    }
}
