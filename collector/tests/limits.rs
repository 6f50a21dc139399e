//! Hostile and slow clients against the real binary (127.0.0.1, port 0): idle sockets, headers
//! and bodies that never finish, a 100 GB Content-Length, more connections than file
//! descriptors, and memory after slow clients leave. Every test is bounded in count and time.

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{batch, event};

const BIN: &str = env!("CARGO_BIN_EXE_touchpoint-collector");

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

fn start_with(args: &[&str], fd_limit: Option<u64>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let mut cmd = Command::new(BIN);
    cmd.args(["--host", "127.0.0.1", "--port", "0", "--db", db.to_str().unwrap()])
        .args(["--www", "/nonexistent", "--sdk", "/nonexistent"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(n) = fd_limit {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let rl = libc::rlimit { rlim_cur: n, rlim_max: n };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &rl) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim_end().strip_prefix("touchpoint-collector listening on http://").unwrap().to_string();
    Server { child, addr, _dir: dir }
}

fn start(args: &[&str]) -> Server {
    start_with(args, None)
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads until the server closes the connection (or 10 s pass); returns what it sent and when
/// it closed.
fn read_until_closed(s: &mut TcpStream, since: Instant) -> (String, Duration) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("connection still open after {:?}: {e}", since.elapsed()),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), since.elapsed())
}

fn status_of(answer: &str) -> u16 {
    answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn post_head(addr: &str, len: u64) -> String {
    format!("POST /v1/batch HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain\r\nContent-Length: {len}\r\n\r\n")
}

#[test]
fn idle_and_half_sent_connections_are_closed() {
    let server = start(&["--header-timeout", "0.5"]);
    let t0 = Instant::now();
    // Connected, sends nothing.
    let mut idle = connect(&server.addr);
    // Half a request head, then silence.
    let mut half = connect(&server.addr);
    half.write_all(b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Le").unwrap();
    // One request answered, then the keep-alive connection idles.
    let mut kept = connect(&server.addr);
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).as_bytes()).unwrap();
    let mut first = [0u8; 17];
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200 OK\r\n");

    for (name, s) in [("idle", &mut idle), ("half head", &mut half), ("keep-alive", &mut kept)] {
        let (_, after) = read_until_closed(s, t0);
        assert!(after < Duration::from_secs(3), "{name}: closed after {after:?}");
        assert!(after >= Duration::from_millis(400), "{name}: closed too early, after {after:?}");
    }
}

#[test]
fn bodies_that_never_end_get_408() {
    let server = start(&["--body-timeout", "0.5", "--request-timeout", "1.5"]);
    // Stops sending half-way: the body timeout (no data for 0.5 s) answers.
    let t0 = Instant::now();
    let mut stalled = connect(&server.addr);
    stalled.write_all(post_head(&server.addr, 1000).as_bytes()).unwrap();
    stalled.write_all(b"{\"sentAt\":").unwrap();
    let (answer, after) = read_until_closed(&mut stalled, t0);
    assert_eq!(status_of(&answer), 408, "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    assert!(after < Duration::from_secs(3), "{after:?}");

    // Drips a byte every 0.2 s, never tripping the body timeout: the request timeout answers.
    let t0 = Instant::now();
    let mut drip = connect(&server.addr);
    drip.write_all(post_head(&server.addr, 100_000).as_bytes()).unwrap();
    drip.set_nonblocking(true).unwrap();
    let mut answer = Vec::new();
    while t0.elapsed() < Duration::from_secs(5) {
        let _ = drip.write(b" ");
        let mut buf = [0u8; 1024];
        match drip.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
        if answer.ends_with(b"}") {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert_eq!(status_of(&answer), 408, "{answer}");
    let after = t0.elapsed();
    assert!(after >= Duration::from_millis(1400) && after < Duration::from_secs(4), "{after:?}");
}

#[test]
fn huge_content_length_is_413_at_once() {
    let server = start(&[]);
    let t0 = Instant::now();
    let mut s = connect(&server.addr);
    s.write_all(post_head(&server.addr, 100_000_000_000).as_bytes()).unwrap();
    s.write_all(b"0123456789").unwrap();
    let (answer, after) = read_until_closed(&mut s, t0);
    assert_eq!(status_of(&answer), 413, "{answer}");
    assert!(answer.contains("Content-Length exceeds"), "{answer}");
    assert!(after < Duration::from_secs(2), "{after:?}");
}

#[test]
fn more_idle_clients_than_descriptors_do_not_silence_healthz() {
    // 64 descriptors, as in issue 11: the collector keeps 32 for itself and serves at most 32
    // connections; 80 idle sockets wait their turn and are closed by the header timeout.
    let server = start_with(&["--header-timeout", "0.5"], Some(64));
    let idle: Vec<TcpStream> = (0..80).map(|_| connect(&server.addr)).collect();
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    let mut s = connect(&server.addr);
    s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).as_bytes())
        .unwrap();
    let (answer, after) = read_until_closed(&mut s, t0);
    assert_eq!(status_of(&answer), 200, "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    // Three rounds of 32 connections, 0.5 s each, at most.
    assert!(after < Duration::from_secs(4), "{after:?}");
    drop(idle);
    // And it still stores batches.
    let mut s = connect(&server.addr);
    let body = batch(vec![event("fd1", "shop")]);
    s.write_all(
        post_head(&server.addr, body.len() as u64).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    s.write_all(&body).unwrap();
    let (answer, _) = read_until_closed(&mut s, Instant::now());
    assert_eq!(status_of(&answer), 200, "{answer}");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn memory_returns_after_slow_clients_leave() {
    let server = start(&["--body-timeout", "5", "--request-timeout", "10"]);
    let pid = server.child.id();
    // Warm up: one real batch.
    let mut s = connect(&server.addr);
    let body = batch(vec![event("warm", "shop")]);
    s.write_all(post_head(&server.addr, body.len() as u64).as_bytes()).unwrap();
    s.write_all(&body).unwrap();
    let mut buf = [0u8; 512];
    let _ = s.read(&mut buf).unwrap();
    drop(s);
    std::thread::sleep(Duration::from_millis(200));
    let before = rss_kib(pid);

    // Two waves of 100 clients, each sending 400 KiB of a 510 KiB body, then leaving.
    // (Waves matter: glibc raises its mmap threshold when a big block is freed, so from the
    // second wave on the bodies would land in the heap and stay there.)
    let chunk = vec![b' '; 400 * 1024];
    let mut peak = before;
    let mut after = before;
    for wave in 0..2 {
        let slow: Vec<TcpStream> = (0..100)
            .map(|_| {
                let mut s = connect(&server.addr);
                s.write_all(post_head(&server.addr, 510 * 1024).as_bytes()).unwrap();
                s.write_all(&chunk).unwrap();
                s
            })
            .collect();
        let t0 = Instant::now();
        let mut wave_peak = 0;
        while t0.elapsed() < Duration::from_secs(3) {
            wave_peak = wave_peak.max(rss_kib(pid));
            if wave_peak > before + 30 * 1024 {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            wave_peak > before + 30 * 1024,
            "wave {wave}: the bodies were buffered: {before} KiB -> {wave_peak} KiB"
        );
        peak = peak.max(wave_peak);
        drop(slow);
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            after = rss_kib(pid);
            if after < before + 5 * 1024 {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("wave {wave}: RSS {before} KiB -> peak {wave_peak} KiB -> {after} KiB after the clients left");
        assert!(after < before + 5 * 1024, "wave {wave}: RSS {before} KiB -> {wave_peak} KiB -> {after} KiB after");
    }
    let _ = (peak, after);
}

#[test]
fn a_client_that_stops_reading_its_answer_is_disconnected() {
    // A static file far larger than the socket buffers, asked for and then not read.
    let www = tempfile::tempdir().unwrap();
    let size = 48 << 20;
    std::fs::write(www.path().join("big.bin"), vec![7u8; size]).unwrap();
    let server = start(&["--www", www.path().to_str().unwrap(), "--write-timeout", "0.5"]);
    let mut s = connect(&server.addr);
    s.write_all(format!("GET /big.bin HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).as_bytes())
        .unwrap();
    // The stalled client: six times the write timeout without reading a byte. (Without the
    // timeout the server waits, and reading on then gets the whole file.)
    std::thread::sleep(Duration::from_secs(3));
    let t0 = Instant::now();
    let mut got = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("connection still open after {:?}: {e}", t0.elapsed()),
        }
    }
    assert!(got < size / 2, "the server gave up on the stalled client: {got} of {size} bytes sent");
    // The server is unharmed.
    let mut h = connect(&server.addr);
    h.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).as_bytes())
        .unwrap();
    let (answer, _) = read_until_closed(&mut h, Instant::now());
    assert_eq!(status_of(&answer), 200);
}

#[test]
fn one_client_address_holds_at_most_its_share_of_connections() {
    let server = start(&["--max-connections-per-ip", "2"]);
    // Two idle connections from 127.0.0.1: its share.
    let idle: Vec<TcpStream> = (0..2).map(|_| connect(&server.addr)).collect();
    // A third is closed at once, long before the 10 s header timeout would close an idle one.
    let t0 = Instant::now();
    let mut third = connect(&server.addr);
    let _ = third.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).as_bytes());
    let (answer, after) = read_until_closed(&mut third, t0);
    assert_eq!(answer, "", "refused, not answered");
    assert!(after < Duration::from_secs(5), "closed after {after:?}");
    // One of the two leaves: the address may connect again, and is answered.
    drop(idle);
    let mut h = None;
    for _ in 0..200 {
        let mut s = connect(&server.addr);
        s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).as_bytes())
            .unwrap();
        let (answer, _) = read_until_closed(&mut s, Instant::now());
        if status_of(&answer) == 200 {
            h = Some(answer);
            break;
        }
        // (The server learns of the closed sockets when it reads them: a moment.)
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(h.is_some(), "answered once the idle connections closed");
}

/// A trusted proxy's connections are not counted under `--max-connections-per-ip`: they carry
/// many clients, whom a connection cannot tell apart (it closed the proxy's third connection).
#[test]
fn a_trusted_proxy_is_not_held_to_the_per_address_cap() {
    let server = start(&["--max-connections-per-ip", "1", "--trusted-proxy", "127.0.0.0/8"]);
    let idle: Vec<TcpStream> = (0..2).map(|_| connect(&server.addr)).collect();
    let mut third = connect(&server.addr);
    third
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).as_bytes())
        .unwrap();
    let (answer, _) = read_until_closed(&mut third, Instant::now());
    assert_eq!(status_of(&answer), 200, "{answer:?}");
    drop(idle);
}
