//! Inspector benchmark: the read API on a database of realistic events, and ingestion with and
//! without an inspector polling.
//!
//! ```sh
//! cargo bench -p touchpoint-collector --bench inspector                 # 1,000,000 events
//! cargo bench -p touchpoint-collector --bench inspector -- --events 200000 --secs 5 --rounds 1
//! cargo bench -p touchpoint-collector --bench inspector -- --events 0 --ingest-only --bin OTHER
//! ```
//!
//! 1. Starts the release collector on 127.0.0.1 with a fresh database and stores `--events`
//!    events (default 1,000,000) over its batch endpoint: sessions of 25 events spread over the
//!    last 7 days, two sites, 10 % friction of every type on 40 elements and 12 pages, moments of
//!    truth (add_to_cart in 40 % of sessions, begin_checkout in 20 %, purchase in 10 %, a tenth
//!    of the purchases refunded, whole or in part), an
//!    `anonymousId` in 60 % of sessions (up to three sessions per visitor).
//! 2. Times each query of the read API (`--runs` times each, after 3 warm-up runs): p50, p95, max.
//! 3. Measures ingestion (`--clients` keep-alive clients posting batches of `--batch` new events
//!    of the same mix for `--secs`) alone, then while an inspector polls every second (the 9
//!    requests one inspector refresh makes, over the last 24 hours), `--rounds` times each,
//!    alternating, and prints the ratio.
//!
//! Traffic goes to 127.0.0.1 only; the collector is killed when the bench ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DEFAULT_BIN: &str = env!("CARGO_BIN_EXE_touchpoint-collector");

struct Opts {
    events: u64,
    secs: f64,
    rounds: usize,
    clients: usize,
    batch: usize,
    runs: usize,
    /// Only ingestion alone (no queries, no polling): to compare with a collector without the
    /// read API (`--bin`).
    ingest_only: bool,
    bin: String,
    db_dir: Option<String>,
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        events: 1_000_000,
        secs: 10.0,
        rounds: 2,
        clients: 8,
        batch: 20,
        runs: 30,
        ingest_only: false,
        bin: DEFAULT_BIN.into(),
        db_dir: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut v = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--events" => o.events = v().parse().expect("--events N"),
            "--secs" => o.secs = v().parse().expect("--secs S"),
            "--rounds" => o.rounds = v().parse().expect("--rounds N"),
            "--clients" => o.clients = v().parse().expect("--clients N"),
            "--batch" => o.batch = v().parse().expect("--batch N"),
            "--runs" => o.runs = v().parse().expect("--runs N"),
            "--bin" => o.bin = v(),
            "--ingest-only" => o.ingest_only = true,
            "--db-dir" => o.db_dir = Some(v()),
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(o: &Opts) -> Server {
    let dir = match &o.db_dir {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let db = dir.path().join("inspector.sqlite");
    let mut child = Command::new(&o.bin)
        .args(["--host", "127.0.0.1", "--port", "0", "--db", db.to_str().unwrap()])
        .args(["--www", "/nonexistent", "--sdk", "/nonexistent"])
        // (A collector from before the read API has no such option; it is not read then.)
        .args(if o.ingest_only { vec![] } else { vec!["--read-rate-limit", "100000"] })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", o.bin));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim_end().strip_prefix("touchpoint-collector listening on http://").expect("listening line");
    Server { addr: addr.to_string(), child, _dir: dir }
}

fn next_random(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

const FRICTION: [&str; 11] = [
    "rage_click",
    "dead_click",
    "error_click",
    "slow_interaction",
    "quick_back",
    "scroll_thrash",
    "field_error",
    "form_abandon",
    "js_error",
    "failed_request",
    "poor_vital",
];
/// Sessions' attribution (channel, campaign), one per session in turn.
const CHANNELS: [(&str, &str); 6] = [
    ("direct", ""),
    ("organic_search", ""),
    ("paid_search", "grinders"),
    ("email", "spring_sale"),
    ("social", "latte_art"),
    ("internal", ""),
];

const PATHS: [&str; 12] = [
    "/",
    "/product.html",
    "/cart.html",
    "/checkout.html",
    "/thanks.html",
    "/search",
    "/c/kitchen",
    "/c/coffee",
    "/c/tea",
    "/account",
    "/help",
    "/blog/brewing",
];

fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem / 60 % 60, rem % 60, ms.rem_euclid(1000))
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Appends one session's `n` events (from event `from` of its 25) to `buf` (comma separated).
fn session_events(buf: &mut String, rng: &mut u64, session: u64, start_ms: i64, from: usize, n: usize) {
    let site = if session.is_multiple_of(5) { "blog" } else { "demo-shop" };
    let cart = session % 10 < 4;
    let checkout = session % 10 < 2;
    let purchase = session % 10 < 1;
    for i in from..from + n {
        let r = next_random(rng);
        let (kind, name, props): (&str, String, String) = if i == 0 {
            ("page", "page_view".into(), r#"{"category":"touchpoint"}"#.into())
        } else if i == 10 && cart {
            ("track", "add_to_cart".into(), r#"{"category":"touchpoint","moment":true,"sku":"mug","price":12}"#.into())
        } else if i == 15 && checkout {
            ("track", "begin_checkout".into(), r#"{"category":"touchpoint","moment":true}"#.into())
        } else if i == 20 && purchase {
            let order = format!(
                r#"{{"category":"touchpoint","moment":true,"transaction_id":"T-{session}","value":36,"currency":"EUR"}}"#
            );
            ("track", "purchase".into(), order)
        } else if i == 22 && purchase && session % 200 < 20 {
            // A tenth of the orders refunded, later in the visit: half whole (the order's value),
            // half in part.
            let refund = if session.is_multiple_of(200) {
                format!(r#"{{"transaction_id":"T-{session}"}}"#)
            } else {
                format!(r#"{{"transaction_id":"T-{session}","value":12,"currency":"EUR"}}"#)
            };
            ("track", "refund".into(), refund)
        } else if r.is_multiple_of(10) {
            let kind = FRICTION[(r >> 8) as usize % FRICTION.len()];
            let el = (r >> 16) % 40;
            let during = if checkout && i > 15 { r#","during":"begin_checkout""# } else { "" };
            (
                "track",
                kind.into(),
                format!(
                    r##"{{"category":"friction","element":{{"selector":"#main > div.block-{el} > button.action","tag":"button","text":"Action {el}"}},"count":3{during}}}"##
                ),
            )
        } else if r.is_multiple_of(3) {
            ("page", "page_view".into(), r#"{"category":"touchpoint"}"#.into())
        } else if r.is_multiple_of(7) {
            // A view ends: its engaged time, depth and web vitals (the inspector's pages).
            let path = PATHS[(session as usize + i) % PATHS.len()];
            let inp = ["good", "good", "good", "needs-improvement", "poor"][(r >> 8) as usize % 5];
            let inp_ms = if inp == "good" { String::new() } else { format!(r#","inp_ms":{}"#, 200 + (r >> 12) % 600) };
            (
                "track",
                "page_leave".into(),
                format!(
                    r#"{{"category":"touchpoint","path":"{path}","engaged_ms":{},"max_scroll_pct":{},"lcp_ms":{},"cls_milli":{},"inp":"{inp}"{inp_ms}}}"#,
                    (r >> 20) % 120_000,
                    (r >> 40) % 101,
                    800 + (r >> 24) % 5_000,
                    (r >> 32) % 400
                ),
            )
        } else {
            (
                "track",
                "click".into(),
                r##"{"element":{"selector":"#product-grid > li.product-card > div.buy > button.btn.btn-primary","tag":"button","text":"Add Stoneware Mug to cart"}}"##.into(),
            )
        };
        let path = PATHS[(session as usize + i) % PATHS.len()];
        // The session's attribution, on every event's context as the SDK sends it.
        let (channel, campaign) = CHANNELS[session as usize % CHANNELS.len()];
        // And its device class (the SDK's, by the window's width).
        let device = ["mobile", "desktop", "tablet"][session as usize % 3];
        if !buf.ends_with('[') {
            buf.push(',');
        }
        let (a, b) = (next_random(rng), next_random(rng));
        // The browser's anonymousId (the SDK's, under marketing consent): 3 sessions in 5 carry
        // one, a visitor's (up to three) sessions in a row (the overview's visitors and returning
        // visitors, and the index they probe, `sessions_visitor`, have rows to count).
        let visitor = session / 3;
        let anonymous = if session % 5 < 3 {
            format!(r#","anonymousId":"{:08x}-7a1d-4c0e-9f00-{:012x}""#, visitor >> 48, visitor & 0xffff_ffff_ffff)
        } else {
            String::new()
        };
        // The page's tags (`touchpoint('set', ...)`): an A/B test's variant on the shop's sessions.
        let tags = if site == "demo-shop" {
            if session.is_multiple_of(2) {
                r#","tags":{"experiment":"checkout_v2","variant":"A"}"#
            } else {
                r#","tags":{"experiment":"checkout_v2","variant":"B"}"#
            }
        } else {
            ""
        };
        buf.push_str(&format!(
            r#"{{"type":"{kind}","event":"{name}","messageId":"{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}","timestamp":"{}","sessionId":"sess-{session:016x}"{anonymous},"site":"{site}","properties":{props},"context":{{"page":{{"url":"https://shop.example{path}","path":"{path}","title":"Demo Shop","referrer":""}},"library":{{"name":"touchpoint","version":"0.1.0"}},"channel":"{channel}","campaign":"{campaign}","device":"{device}"{tags}}}}}"#,
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff,
            iso(start_ms + i as i64 * 10_000),
        ));
    }
}

/// A keep-alive HTTP/1.1 connection: (status, body) of each request.
struct Conn {
    addr: String,
    s: Option<(TcpStream, BufReader<TcpStream>)>,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        Conn { addr: addr.into(), s: None }
    }

    fn request(&mut self, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        if self.s.is_none() {
            let s = TcpStream::connect(&self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(60)))?;
            let r = BufReader::with_capacity(64 * 1024, s.try_clone()?);
            self.s = Some((s, r));
        }
        let result = (|| {
            let (s, r) = self.s.as_mut().unwrap();
            let head = format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
                self.addr,
                body.len()
            );
            let mut req = head.into_bytes();
            req.extend_from_slice(body);
            s.write_all(&req)?;
            let (mut status, mut len, mut line) = (0u16, 0usize, String::new());
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some(rest) = l.strip_prefix("HTTP/1.1 ") {
                    status = rest[..3].parse().unwrap_or(0);
                } else if let Some((k, v)) = l.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut answer = vec![0; len];
            r.read_exact(&mut answer)?;
            Ok((status, answer))
        })();
        if result.is_err() {
            self.s = None;
        }
        result
    }
}

/// Stores `total` events: sessions of 25 spread over the last 7 days, 10 sessions per batch.
fn seed(addr: &str, total: u64, clients: usize) -> f64 {
    let next = Arc::new(AtomicU64::new(0));
    let sessions = total.div_ceil(25);
    let now = now_ms();
    let t0 = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (addr, next) = (addr.to_string(), next.clone());
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr);
                let mut rng = (c as u64 + 1) * 0x9e37_79b9_7f4a_7c15;
                loop {
                    let first = next.fetch_add(10, Ordering::Relaxed);
                    if first >= sessions {
                        return;
                    }
                    // (Sent now: a fixed `sentAt` 15 days back is a device clock that wrong, and since the
                    // collector corrects events by it (dba0751) every event counted "now".)
                    let mut body = format!(r#"{{"sentAt":"{}","batch":["#, iso(now_ms()));
                    for s in first..(first + 10).min(sessions) {
                        let start = now - 7 * 86_400_000 + (next_random(&mut rng) % (7 * 86_400_000 - 600_000)) as i64;
                        let n = (total - s * 25).min(25) as usize;
                        session_events(&mut body, &mut rng, s, start, 0, n);
                    }
                    body.push_str("]}");
                    let (status, answer) = conn.request("POST", "/v1/batch", body.as_bytes()).expect("seed post");
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total as f64 / t0.elapsed().as_secs_f64()
}

fn get(conn: &mut Conn, path: &str) -> (u16, usize, f64) {
    let t = Instant::now();
    let (status, body) = conn.request("GET", path, b"").expect("read");
    (status, body.len(), t.elapsed().as_secs_f64() * 1000.0)
}

/// The first call of `path`; when the collector answers that it counts the range in the
/// background (`503` "counting this range"), polls every 100 ms until another answer (at most 5
/// minutes). The time to that answer, and whether it came from the background.
fn first_answer(conn: &mut Conn, path: &str) -> (f64, bool) {
    let t = Instant::now();
    let mut background = false;
    loop {
        let (status, body) = conn.request("GET", path, b"").expect("read");
        let counting = status == 503 && String::from_utf8_lossy(&body).contains("counting this range");
        if !counting || t.elapsed() > Duration::from_secs(300) {
            return (t.elapsed().as_secs_f64() * 1000.0, background);
        }
        background = true;
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The requests one inspector refresh makes (range: the last day), plus a session's journey.
/// One inspector refresh: each request with the name its p50 is printed under.
fn inspector_requests(session: &str) -> Vec<(&'static str, String)> {
    let to = now_ms();
    let from = to - 86_400_000;
    let r = format!("from={from}&to={to}");
    vec![
        ("overview", format!("/api/overview?{r}")),
        ("timeseries", format!("/api/timeseries?{r}&metric=friction")),
        ("funnel", format!("/api/funnel?{r}")),
        // (The inspector asks for the channels' revenue.)
        ("channels", format!("/api/channels?{r}&revenue=1")),
        ("pages", format!("/api/pages?{r}&limit=50")),
        ("vitals", format!("/api/timeseries?{r}&metric=vitals")),
        ("leaderboard", format!("/api/friction?{r}&limit=50")),
        ("sessions", format!("/api/sessions?{r}&limit=50")),
        (
            "element",
            format!("/api/sessions?{r}&type=dead_click&path=/cart.html&selector=%23main%20%3E%20div.block-7%20%3E%20button.action&limit=50"),
        ),
        ("journey", format!("/api/sessions/{session}")),
        ("stats", "/api/stats".into()),
    ]
}

fn query_latencies(addr: &str, runs: usize) {
    let mut conn = Conn::new(addr);
    let to = now_ms();
    let day = format!("from={}&to={to}", to - 86_400_000);
    let week = format!("from={}&to={to}", to - 7 * 86_400_000);
    // (The stored events span the last 7 days: a longer range reads the same rows, and shows
    // what a read costs that does not scale with the range's rows, or does.)
    let month = format!("from={}&to={to}", to - 30 * 86_400_000);
    let sel = "%23main%20%3E%20div.block-7%20%3E%20button.action";
    let queries: Vec<(String, String)> = vec![
        ("overview, 24 h".into(), format!("/api/overview?{day}")),
        ("overview, 7 d".into(), format!("/api/overview?{week}")),
        ("friction leaderboard, 24 h".into(), format!("/api/friction?{day}")),
        ("friction leaderboard, 7 d".into(), format!("/api/friction?{week}")),
        (
            "friction leaderboard, 7 d, site + type".into(),
            format!("/api/friction?{week}&site=demo-shop&type=dead_click"),
        ),
        ("timeseries friction, 24 h (hourly)".into(), format!("/api/timeseries?{day}&metric=friction")),
        ("timeseries events, 7 d (15 min)".into(), format!("/api/timeseries?{week}&metric=events&bucket=15m")),
        // The web vitals over time, from the page tables (hours by the hour, 6 hours for a week).
        ("timeseries vitals 24 h".into(), format!("/api/timeseries?{day}&metric=vitals")),
        ("timeseries vitals 7 d".into(), format!("/api/timeseries?{week}&metric=vitals")),
        (
            "timeseries vitals 7 d, page, device".into(),
            format!("/api/timeseries?{week}&metric=vitals&path=/cart.html&device=mobile"),
        ),
        ("funnel, 24 h".into(), format!("/api/funnel?{day}")),
        ("funnel, 7 d".into(), format!("/api/funnel?{week}")),
        ("channels, 24 h".into(), format!("/api/channels?{day}")),
        ("channels, 7 d".into(), format!("/api/channels?{week}")),
        // With their purchases, refunds and revenue (each purchasing or refunding session's
        // events read once, then kept with it; the refunds' sessions by the events' name index).
        ("channels, 24 h, revenue".into(), format!("/api/channels?{day}&revenue=1")),
        ("channels, 7 d, revenue".into(), format!("/api/channels?{week}&revenue=1")),
        ("pages, 24 h".into(), format!("/api/pages?{day}")),
        ("pages, 7 d".into(), format!("/api/pages?{week}")),
        ("pages, 7 d, site, by views".into(), format!("/api/pages?{week}&site=demo-shop&sort=views")),
        ("sessions of a channel, 7 d".into(), format!("/api/sessions?{week}&channel=paid_search")),
        ("sessions, 24 h".into(), format!("/api/sessions?{day}")),
        ("sessions with friction, 7 d, site".into(), format!("/api/sessions?{week}&site=demo-shop&friction=1")),
        ("sessions of an element, 7 d".into(), format!("/api/sessions?{week}&type=dead_click&selector={sel}")),
        ("one session's journey".into(), "/api/sessions/sess-0000000000000007".into()),
        ("events, newest 100".into(), "/api/events".into()),
        ("events, site=nope (none match)".into(), "/api/events?site=nope".into()),
        ("stats".into(), "/api/stats".into()),
        // A tag filter is answered from `event_tags` (kept at ingest); the tag leaderboard is
        // kept between polls (the first call builds it). `/api/tags`: its events and friction
        // from the tag count tables (kept at ingest per tag, minute, hour and day), its sessions
        // from the kept session window (each session's tags read once).
        ("friction leaderboard, 24 h, tag".into(), format!("/api/friction?{day}&tag=variant:B")),
        ("friction leaderboard, 7 d, tag".into(), format!("/api/friction?{week}&tag=variant:B")),
        ("timeseries friction, 24 h, tag".into(), format!("/api/timeseries?{day}&metric=friction&tag=variant:B")),
        ("sessions, 24 h, tag".into(), format!("/api/sessions?{day}&tag=variant:B")),
        ("tags, 24 h".into(), format!("/api/tags?{day}")),
        ("tags, 7 d".into(), format!("/api/tags?{week}")),
        ("tags, 30 d (7 d of events)".into(), format!("/api/tags?{month}")),
        // The sessions carrying the tag from the kept session window; the overview's event counts
        // from the tag count tables (with a device: those of the device class).
        ("overview, 24 h, tag".into(), format!("/api/overview?{day}&tag=variant:B")),
        ("overview, 7 d, tag".into(), format!("/api/overview?{week}&tag=variant:B")),
        ("overview, 30 d (7 d of events), tag".into(), format!("/api/overview?{month}&tag=variant:B")),
        ("overview, 7 d, tag + device".into(), format!("/api/overview?{week}&tag=variant:B&device=mobile")),
        ("funnel, 7 d, tag".into(), format!("/api/funnel?{week}&tag=variant:B")),
        ("channels, 7 d, tag".into(), format!("/api/channels?{week}&tag=variant:B")),
        // The pages and the vitals over time of a tag: from the tag page tables (the page
        // tables' counts kept per tag at ingest), read as the pages without a tag.
        ("pages, 24 h, tag".into(), format!("/api/pages?{day}&tag=variant:B")),
        ("pages, 7 d, tag".into(), format!("/api/pages?{week}&tag=variant:B")),
        ("timeseries vitals 24 h, tag".into(), format!("/api/timeseries?{day}&metric=vitals&tag=variant:B")),
        ("timeseries vitals 7 d, tag".into(), format!("/api/timeseries?{week}&metric=vitals&tag=variant:B")),
        // One device class: the leaderboard's window of its friction rows (the device is in
        // their index), the sessions' from the kept session window.
        ("overview, 7 d, device".into(), format!("/api/overview?{week}&device=mobile")),
        ("friction leaderboard, 24 h, device".into(), format!("/api/friction?{day}&device=mobile")),
        ("friction leaderboard, 7 d, device".into(), format!("/api/friction?{week}&device=mobile")),
        ("timeseries friction, 24 h, device".into(), format!("/api/timeseries?{day}&metric=friction&device=mobile")),
        ("funnel, 7 d, device".into(), format!("/api/funnel?{week}&device=mobile")),
        ("channels by campaign, 7 d".into(), format!("/api/channels?{week}&by=campaign")),
        // Friction during a moment of truth: the friction rows' partial index (during <> ''),
        // the sessions that reached it from the kept session window.
        ("friction leaderboard, 24 h, during".into(), format!("/api/friction?{day}&during=begin_checkout")),
        ("friction leaderboard, 7 d, during".into(), format!("/api/friction?{week}&during=begin_checkout")),
        ("sessions, 7 d, during".into(), format!("/api/sessions?{week}&during=begin_checkout")),
    ];
    // `first`: the first call of a query (the collector keeps some answers' state between polls
    // of the same range, see collector/src/window.rs; the first call builds it). Marked "bg"
    // when the collector answered it "counting" (past its 10 s limit) and counted on in the
    // background: then the time until a poll every 100 ms got the answer.
    println!("\n| query | first ms | p50 ms | p95 ms | max ms | answer bytes | not 200 |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, path) in queries {
        let (first, background) = first_answer(&mut conn, &path);
        let first = format!("{first:.1}{}", if background { " bg" } else { "" });
        for _ in 0..2 {
            get(&mut conn, &path);
        }
        let mut ms = Vec::with_capacity(runs);
        let (mut bytes, mut failed) = (0, std::collections::BTreeMap::<u16, usize>::new());
        for _ in 0..runs {
            let (status, n, t) = get(&mut conn, &path);
            if status == 200 {
                bytes = n;
            } else {
                // 503: interrupted after the query limit (or the read queue was full).
                *failed.entry(status).or_default() += 1;
            }
            ms.push(t);
        }
        ms.sort_by(f64::total_cmp);
        let failed: Vec<String> = failed.iter().map(|(s, n)| format!("{n} x {s}")).collect();
        println!(
            "| {name} | {first} | {:.1} | {:.1} | {:.1} | {bytes} | {} |",
            pct(&ms, 0.5),
            pct(&ms, 0.95),
            ms[ms.len() - 1],
            failed.join(", ")
        );
    }
}

/// Ingestion for `secs` with `clients` clients, with or without an inspector polling.
fn ingest(o: &Opts, addr: &str, pid: u32, poll: bool, round: u64) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..o.clients)
        .map(|c| {
            let (addr, stop, acked) = (addr.to_string(), stop.clone(), acked.clone());
            let batch = o.batch;
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr);
                let mut rng = (round * 1000 + c as u64 + 7) * 0x9e37_79b9_7f4a_7c15;
                let mut lat = Vec::new();
                let mut session = (1u64 << 40) + (round << 32) + ((c as u64) << 24);
                while !stop.load(Ordering::Relaxed) {
                    // (Sent now: a fixed `sentAt` 15 days back is a device clock that wrong, and since the
                    // collector corrects events by it (dba0751) every event counted "now".)
                    let mut body = format!(r#"{{"sentAt":"{}","batch":["#, iso(now_ms()));
                    let mut left = batch;
                    while left > 0 {
                        let n = left.min(25);
                        session_events(&mut body, &mut rng, session, now_ms() - 60_000, 0, n);
                        session += 1;
                        left -= n;
                    }
                    body.push_str("]}");
                    let t = Instant::now();
                    if let Ok((200, _)) = conn.request("POST", "/v1/batch", body.as_bytes()) {
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        acked.fetch_add(batch as u64, Ordering::Relaxed);
                    }
                }
                lat
            })
        })
        .collect();
    let poller = poll.then(|| {
        let (addr, stop) = (addr.to_string(), stop.clone());
        std::thread::spawn(move || {
            let mut conn = Conn::new(&addr);
            let mut times = Vec::new();
            let mut starts = Vec::new();
            let mut parts: Vec<Vec<f64>> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                starts.push(t);
                for (i, (_, path)) in inspector_requests("sess-0000000000000007").into_iter().enumerate() {
                    let (status, _, ms) = get(&mut conn, &path);
                    if status != 200 {
                        eprintln!("inspector poll: {status} for {path}");
                    }
                    if parts.len() <= i {
                        parts.push(Vec::new());
                    }
                    parts[i].push(ms);
                }
                let took = t.elapsed();
                times.push(took.as_secs_f64() * 1000.0);
                if let Some(rest) = Duration::from_secs(1).checked_sub(took) {
                    std::thread::sleep(rest);
                }
            }
            (times, parts, starts)
        })
    });
    std::thread::sleep(Duration::from_secs(1));
    let a0 = acked.load(Ordering::Relaxed);
    let (cpu0, reads0) = (cpu_secs(&format!("/proc/{pid}/stat")), read_threads_cpu(pid));
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(o.secs));
    let events = acked.load(Ordering::Relaxed) - a0;
    let wall = t0.elapsed().as_secs_f64();
    let (cpu1, reads1) = (cpu_secs(&format!("/proc/{pid}/stat")), read_threads_cpu(pid));
    stop.store(true, Ordering::Relaxed);
    let mut lat: Vec<f64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    lat.sort_by(f64::total_cmp);
    let t1 = t0 + Duration::from_secs_f64(wall);
    let (mut polls, mut parts, starts) = poller.map(|p| p.join().unwrap()).unwrap_or_default();
    // Refreshes begun in the measured window (the read threads' CPU is measured over it).
    let in_window = starts.iter().filter(|s| **s >= t0 && **s < t1).count();
    polls.sort_by(f64::total_cmp);
    let (n, p50, max) =
        if polls.is_empty() { (0, 0.0, 0.0) } else { (polls.len(), pct(&polls, 0.5), polls[polls.len() - 1]) };
    let parts = parts
        .iter_mut()
        .map(|v| {
            v.sort_by(f64::total_cmp);
            pct(v, 0.5)
        })
        .collect();
    Run {
        eps: events as f64 / wall,
        p99: pct(&lat, 0.99),
        refreshes: n,
        refresh_p50: p50,
        refresh_max: max,
        cpu: 100.0 * (cpu1 - cpu0) / wall,
        read_cpu: 100.0 * (reads1 - reads0) / wall,
        read_ms_per_refresh: if in_window > 0 { 1000.0 * (reads1 - reads0) / in_window as f64 } else { 0.0 },
        parts,
    }
}

/// One ingestion run's figures.
struct Run {
    eps: f64,
    p99: f64,
    refreshes: usize,
    refresh_p50: f64,
    refresh_max: f64,
    /// The collector's CPU over the run, % of one core.
    cpu: f64,
    /// Its read threads' share of that.
    read_cpu: f64,
    /// The read threads' CPU ms per inspector refresh.
    read_ms_per_refresh: f64,
    /// p50 ms of each of the refresh's requests (in `inspector_requests` order).
    parts: Vec<f64>,
}

/// utime + stime in seconds from a `/proc/.../stat` file.
fn cpu_secs(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of /proc/pid/stat, i.e. 11 and 12 after the name.
    // (Linux's USER_HZ is 100 on every configuration this runs on.)
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of the collector's read threads (named `tp-sqlite-read-*`).
fn read_threads_cpu(pid: u32) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0.0 };
    tasks
        .filter_map(|t| t.ok())
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with("tp-sqlite-read")))
        .map(|t| cpu_secs(&t.path().join("stat").to_string_lossy()))
        .sum()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let o = parse_opts();
    let server = start(&o);
    println!("collector: {}; {} events to store", o.bin, o.events);
    let rate = seed(&server.addr, o.events, 4);
    println!("stored {} events at {rate:.0} events/s (4 clients, batches of 250)", o.events);
    let db_mib = std::fs::read_dir(server._dir.path())
        .map(|d| d.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum::<u64>() as f64 / 1048576.0)
        .unwrap_or(0.0);
    println!("database + WAL: {db_mib:.0} MiB");
    if !o.ingest_only {
        println!("load average before the queries: {}", load_average());
        query_latencies(&server.addr, o.runs);
        println!("load average after the queries: {}", load_average());
    }

    println!(
        "\ningestion: {} clients, batches of {}, {} s per run; the inspector polls every second (9 requests, last 24 h)",
        o.clients, o.batch, o.secs
    );
    println!(
        "\n| run | events/s | batch p99 ms | inspector refreshes | refresh p50 ms | refresh max ms | collector CPU | read threads CPU | read CPU ms / refresh |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut alone, mut with) = (Vec::new(), Vec::new());
    let mut read_ms = Vec::new();
    for round in 0..o.rounds as u64 {
        for poll in [false, true] {
            if poll && o.ingest_only {
                continue;
            }
            let r = ingest(&o, &server.addr, server.child.id(), poll, round * 2 + u64::from(poll));
            let eps = r.eps;
            let name = if poll { "with inspector" } else { "alone" };
            println!(
                "| {name} | {eps:.0} | {:.1} | {} | {:.1} | {:.1} | {:.0} % | {:.1} % | {:.1} |",
                r.p99, r.refreshes, r.refresh_p50, r.refresh_max, r.cpu, r.read_cpu, r.read_ms_per_refresh
            );
            if poll {
                let names = inspector_requests("").into_iter().map(|(n, _)| n);
                let parts: Vec<String> = names.zip(&r.parts).map(|(n, ms)| format!("{n} {ms:.1}")).collect();
                println!("|   (request p50 ms: {}) |", parts.join(", "));
            }
            if poll {
                read_ms.push(r.read_ms_per_refresh);
                with.push(eps)
            } else {
                alone.push(eps)
            }
        }
    }
    println!("load average: {}", load_average());
    if o.ingest_only {
        return;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "\ningestion with an inspector polling: {:.1} % of ingestion alone (mean of {} runs each)",
        100.0 * mean(&with) / mean(&alone),
        o.rounds
    );
    println!("read threads' CPU per inspector refresh: {:.1} ms (mean of {} runs)", mean(&read_ms), o.rounds);
}
