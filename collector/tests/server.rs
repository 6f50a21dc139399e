//! The real binary on a real socket (127.0.0.1, port 0), as the end-to-end
//! tests use it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{batch, event, gzip, user_version};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_touchpoint-collector");

/// Kills the server if a test fails half-way, so no process outlives the test.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    start_with(args, Stdio::inherit())
}

fn start_with(args: &[&str], stderr: Stdio) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["--host", "127.0.0.1", "--port", "0"]).args(args).stderr(stderr);
    start_cmd(cmd)
}

/// Starts `cmd` (the binary with its arguments, environment, stderr) and waits for its first
/// line, the address it listens on. (The server is killed if that line is not it.)
fn start_cmd(mut cmd: Command) -> Server {
    let mut server = Server { child: cmd.stdout(Stdio::piped()).spawn().unwrap(), addr: String::new() };
    let mut line = String::new();
    BufReader::new(server.child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    server.addr = line
        .trim_end()
        .strip_prefix("touchpoint-collector listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    server
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

/// A minimal HTTP/1.1 client: one request per connection, `Connection: close`.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("no header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply { status, head, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
}

fn json_of(r: &Reply) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn binary_serves_ingests_and_shuts_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/nested/t.sqlite");
    let (www, sdk) = (dir.path().join("www"), dir.path().join("dist"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(www.join("index.html"), "<title>demo</title>").unwrap();
    std::fs::write(sdk.join("touchpoint_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();

    let mut server = start(&[
        "--db",
        db.to_str().unwrap(),
        "--www",
        www.to_str().unwrap(),
        "--sdk",
        sdk.to_str().unwrap(),
        "--allow",
        "shop=https://shop.example",
        "--rate-limit",
        "50",
    ]);
    let addr = server.addr.clone();
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{addr}");

    let r = http(&addr, "GET", "/healthz", &[], b"");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));

    // A beacon: text/plain, gzip without a header, from the collector's own origin.
    let own = format!("http://{addr}");
    let body = gzip(&batch(vec![event("e1", "shop"), event("e2", "shop")]));
    let hdrs = [("Content-Type", "text/plain;charset=UTF-8"), ("Origin", own.as_str())];
    let r = http(&addr, "POST", "/v1/batch", &hdrs, &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(json_of(&r), json!({"accepted": 2, "duplicates": 0, "rejected": []}));
    assert!(r.head.to_ascii_lowercase().contains(&format!("access-control-allow-origin: {own}")));

    let r = http(&addr, "POST", "/v1/batch", &[("Origin", "https://evil.example")], &batch(vec![event("e3", "shop")]));
    assert_eq!(r.status, 403);

    // One poisoned batch, written by hand as a careless client would send it: good events
    // around a lone surrogate (kept, repaired), nesting deeper than 127 (refused), an event that
    // is not an object (refused) and an event of a site this origin may not write (refused). The
    // good events are stored; each refused one is named by its index.
    let text = |v: Value| serde_json::to_string(&v).unwrap();
    let surrogate = text(event("p2", "shop")).replace("Buy now", "Buy now \\ud83d");
    let mut deep_event = event("p3", "shop");
    deep_event["properties"] = json!({});
    let deep = text(deep_event)
        .replace("\"properties\":{}", &format!("\"properties\":{{\"d\":{}1{}}}", "[".repeat(130), "]".repeat(130)));
    let body = format!(
        "{{\"sentAt\":\"2024-05-01T12:00:01.000Z\",\"batch\":[{},{},{},\"p4\",{},{}]}}",
        text(event("p1", "shop")),
        surrogate,
        deep,
        text(event("p5", "blog")),
        text(event("p6", "shop"))
    );
    let r = http(&addr, "POST", "/v1/batch", &[("Origin", "https://shop.example")], body.as_bytes());
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let answer = json_of(&r);
    assert_eq!(answer["accepted"], 3, "{answer}");
    let refused: Vec<u64> =
        answer["rejected"].as_array().unwrap().iter().map(|x| x["index"].as_u64().unwrap()).collect();
    assert_eq!(refused, [2, 3, 4], "{answer}");

    let r = http(&addr, "GET", "/api/events?site=shop", &[], b"");
    let stored = json_of(&r);
    let ids: Vec<String> =
        stored.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, ["p6", "p2", "p1", "e2", "e1"]);
    assert_eq!(stored[1]["properties"]["label"], "Buy now \u{fffd}", "the half emoji repaired");

    let r = http(&addr, "GET", "/", &[], b"");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"<title>demo</title>"[..]));
    let r = http(&addr, "GET", "/touchpoint/touchpoint_bg.wasm", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.head.to_ascii_lowercase().contains("content-type: application/wasm"), "{}", r.head);

    // SIGTERM: graceful exit, and what was acknowledged is on disk.
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let store = touchpoint_collector::Store::open(db.to_str().unwrap()).unwrap();
    assert_eq!(store.count().unwrap(), 5);
}

/// `cmd` run to its end, or killed after 10 s (an argument taken that should have been refused
/// starts a collector, which would hold the test up for ever).
fn exit_of(cmd: &mut Command) -> std::process::Output {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait_with_output().unwrap()
}

#[test]
fn bad_arguments_exit_2_naming_the_option() {
    for (args, needle) in [
        (&["--port", "nope"][..], "--port"),
        (&["--allow", "shop"][..], "--allow"),
        (&["--allow", "shop=https://shop.example:99999"][..], "--allow"),
        // (An origin no browser sends, with a shell command in it.)
        (&["--allow", "shop=https://x.example;id>pwned;"][..], "--allow"),
        (&["--rate-limit", "0"][..], "--rate-limit"),
        (&["--frobnicate"][..], "--frobnicate"),
        // (The same token for reads and for erasure: every reader could erase data.)
        (&["--read-token", "same-token-0123456789", "--admin-token", "same-token-0123456789"][..], "--admin-token"),
    ] {
        let out = exit_of(Command::new(BIN).args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--rate-limit"));
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("touchpoint-collector {}\n", env!("CARGO_PKG_VERSION")));
}

/// One collector per database file: a second one on it stops at once with exit code 1 and says
/// why (it used to start, and the first then answered every batch 503 on `events.id`). A killed
/// collector leaves no lock behind. A database of a newer version is refused the same way.
#[test]
fn a_second_collector_on_the_same_database_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let db = db.to_str().unwrap();
    let server = start(&["--db", db]);
    let out = Command::new(BIN).args(["--host", "127.0.0.1", "--port", "0", "--db", db]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another touchpoint-collector") && err.contains(db), "{err}");
    assert!(out.stdout.is_empty(), "it never listened");
    let r = http(&server.addr, "POST", "/v1/batch", &[], &batch(vec![event("e1", "shop")]));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(json_of(&r)["accepted"], 1);
    drop(server); // SIGKILL: the kernel lets go of the lock

    rusqlite::Connection::open(db).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let out = Command::new(BIN).args(["--host", "127.0.0.1", "--port", "0", "--db", db]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let ours = touchpoint_collector::store::SCHEMA_VERSION;
    assert!(err.contains(&format!("schema version 99, newer than this collector's ({ours})")), "{err}");
    let c = rusqlite::Connection::open(db).unwrap();
    assert_eq!(user_version(&c), 99);
}

/// A batch that storage fails is said on stderr: one line when it starts failing, with SQLite's
/// error, one when a batch is stored again; failures again within the minute are not said one by
/// one. Nothing of the batches or the client is written.
#[test]
fn storage_failures_are_logged_once_and_their_end_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let mut server = start_with(&["--db", db.to_str().unwrap()], Stdio::piped());
    let addr = server.addr.clone();
    let send = |id: &str| http(&addr, "POST", "/v1/batch", &[], &batch(vec![event(id, "shop")])).status;
    assert_eq!(send("ok-1"), 200);
    // Storage fails for some batches (as a full disk would: SQLite refuses the transaction).
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.message_id LIKE 'bad%'
             BEGIN SELECT RAISE(FAIL, 'simulated storage failure'); END;",
        )
        .unwrap();
    assert_eq!(send("bad-1"), 503);
    assert_eq!(send("bad-2"), 503);
    assert_eq!(send("ok-2"), 200);
    for id in ["bad-3", "bad-4", "bad-5"] {
        assert_eq!(send(id), 503);
    }
    assert_eq!(send("ok-3"), 200);
    let _ = server.child.kill();
    let _ = server.child.wait();
    let mut err = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("storage")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    // Each line begins with the UTC time it was written (a plain log file has no other).
    let (at, first) = lines[0].split_once(' ').unwrap();
    assert!(at.len() == 24 && at.starts_with("20") && at.ends_with('Z') && at.as_bytes()[10] == b'T', "{err}");
    assert!(
        first.starts_with("touchpoint-collector: storage failing") && first.contains("simulated storage failure"),
        "{err}"
    );
    let second = lines[1].split_once(' ').unwrap().1;
    assert!(second.starts_with("touchpoint-collector: storage works again") && second.contains("2 refused"), "{err}");
    // (The start's line names the address listened on; no other names an address.)
    let mut others = err.lines().filter(|l| !l.contains(", listening on http://"));
    assert!(!err.contains("bad-") && !others.any(|l| l.contains("127.0.0.1")), "{err}");
}

/// A refused origin is said in the log with an `--allow` hint to paste into a shell: given only
/// for an origin written as a browser writes one, and single-quoted; a backtick or a bidi control
/// of the `Origin` header is never written raw. (The hint copied the header as it came:
/// `--allow shop=https://x.example;id>pwned;` ran `id` in the operator's shell.)
#[test]
fn a_refused_origin_is_logged_shell_safe() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let mut server =
        start_with(&["--db", db.to_str().unwrap(), "--allow", "shop=https://shop.example"], Stdio::piped());
    let addr = server.addr.clone();
    for (i, origin) in [
        "https://x.example;id>pwned;",
        "https://y.example`id`",
        "https://z\u{202e}elpmaxe.example",
        "https://w.example\u{2066}",
        "https://new.example",
    ]
    .into_iter()
    .enumerate()
    {
        let body = batch(vec![event(&format!("e{i}"), "shop")]);
        let r = http(&addr, "POST", "/v1/batch", &[("Origin", origin)], &body);
        assert_eq!(r.status, 403, "{origin}");
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    let mut err = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("refused (403)")).collect();
    assert_eq!(lines.len(), 5, "{err}");
    for line in &lines[..4] {
        assert!(!line.contains("start the collector") && line.contains("no --allow can list it"), "{line}");
        for raw in ['`', '\u{202e}', '\u{2066}'] {
            assert!(!line.contains(raw), "{raw:?} raw in {line}");
        }
    }
    assert!(lines[0].contains(r#"origin "https://x.example;id>pwned;" refused"#), "{}", lines[0]);
    assert!(lines[1].contains(r"https://y.example\u{60}id\u{60}"), "{}", lines[1]);
    assert!(lines[2].contains(r"https://z\u{202e}elpmaxe.example"), "{}", lines[2]);
    assert!(
        lines[4]
            .ends_with("start the collector with --allow 'shop=https://new.example' (said once per origin and site)"),
        "{}",
        lines[4]
    );
}

/// A request with two `Host` header lines is a `400` on every path, and its connection closed
/// (RFC 9112, 3.2); it was answered `200`, the read guard and the origin check taking the first.
#[test]
fn two_host_headers_are_a_400() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let server = start(&["--db", db.to_str().unwrap()]);
    let body = batch(vec![event("h1", "shop")]);
    for (method, path, body) in
        [("GET", "/healthz", &b""[..]), ("GET", "/api/stats", b""), ("POST", "/v1/batch", &body), ("GET", "/", b"")]
    {
        // (`http` sends the first Host line itself.)
        for second in [server.addr.as_str(), "evil.example"] {
            let r = http(&server.addr, method, path, &[("Host", second)], body);
            assert_eq!(r.status, 400, "{method} {path} {second}: {}", String::from_utf8_lossy(&r.body));
            assert_eq!(json_of(&r)["error"], "Host: given more than once");
            assert!(r.head.to_ascii_lowercase().contains("connection: close"), "{}", r.head);
        }
        assert_ne!(http(&server.addr, method, path, &[], body).status, 400, "{method} {path}: one Host");
    }
    let r = http(&server.addr, "GET", "/api/stats", &[], b"");
    assert_eq!(json_of(&r)["events"], 1, "only the batch with one Host stored");
}

/// `--host [::1]`, an IPv6 address written as in a URL, is listened on (its brackets were taken
/// for part of a host name to resolve, and the collector stopped).
#[test]
fn a_bracketed_ipv6_host_is_listened_on() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback here: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let server = start(&["--host", "[::1]", "--db", db.to_str().unwrap()]);
    assert!(server.addr.starts_with("[::1]:"), "{}", server.addr);
    let r = http(&server.addr, "GET", "/healthz", &[], b"");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
}

/// Runs the binary with `args` until it exits (killed after 30 s: a collector that started
/// serving would otherwise hold the test for ever).
fn run_to_exit(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(BIN).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait_with_output().unwrap()
}

/// The port is taken before the database is opened: a port in use stops the collector with
/// exit code 1 before it creates (or migrates, or locks) anything.
#[test]
fn a_port_in_use_leaves_no_database_behind() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/t.sqlite");
    let out = run_to_exit(&["--host", "127.0.0.1", "--port", &port, "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on --host 127.0.0.1 --port"), "{err}");
    assert!(out.stdout.is_empty(), "it never listened");
    assert!(!dir.path().join("data").exists(), "nothing created: {err}");
}

/// An SQLite file of another application given as `--db` is refused, not converted.
#[test]
fn a_database_of_another_application_exits_1_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);",
        )
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = run_to_exit(&["--host", "127.0.0.1", "--port", "0", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Touchpoint database"), "{err}");
    assert!(out.stdout.is_empty(), "it never listened");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is left as it was");
    assert!(!dir.path().join("other.sqlite-wal").exists());
}

/// `TOUCHPOINT_READ_TOKEN=""` (a deployment's `=$SECRET` with the secret missing) is taken as
/// unset, as before, but said on stderr: reads were left open on a loopback address silently.
#[test]
fn an_empty_token_variable_is_said() {
    let mut cmd = Command::new(BIN);
    cmd.args(["--host", "127.0.0.1", "--port", "0", "--db", ":memory:"])
        .env("TOUCHPOINT_READ_TOKEN", "")
        .env("TOUCHPOINT_ADMIN_TOKEN", "")
        .stderr(Stdio::piped());
    let mut server = start_cmd(cmd);
    let _ = server.child.kill();
    let _ = server.child.wait();
    let mut err = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    for var in ["TOUCHPOINT_READ_TOKEN", "TOUCHPOINT_ADMIN_TOKEN"] {
        assert!(err.contains(&format!("{var} is set but empty: taken as unset")), "{err}");
    }
}

/// A migration is said before it starts (it can take minutes, the port opening only after it)
/// and when it is done, with how long it took; a database already at the current schema says
/// neither. (It ran silently: a collector migrating 100,000 events looked hung.)
#[test]
fn a_migration_is_logged_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let db_arg = db.to_str().unwrap();
    let stderr_of = |mut server: Server| {
        let addr = server.addr.clone();
        assert_eq!(http(&addr, "POST", "/v1/batch", &[], &batch(vec![event(&addr, "shop")])).status, 200);
        let _ = server.child.kill();
        let _ = server.child.wait();
        let mut err = String::new();
        server.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        err
    };
    let err = stderr_of(start_with(&["--db", db_arg], Stdio::piped()));
    assert!(!err.contains("migrat"), "a new database is created, not migrated: {err}");
    let current: i64 =
        rusqlite::Connection::open(&db).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", current - 1).unwrap();
    let err = stderr_of(start_with(&["--db", db_arg], Stdio::piped()));
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("migrat")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    let before = format!(
        "touchpoint-collector: migrating the database from schema {} to {current}: this can take minutes on a large \
         database; the port opens when it is done",
        current - 1
    );
    assert!(lines[0].ends_with(&before) && lines[0].starts_with("20"), "{err}");
    let after = lines[1].split_once(' ').unwrap().1;
    assert!(
        after.starts_with(&format!("touchpoint-collector: migrated the database to schema {current} in ")),
        "{err}"
    );
    assert!(after.ends_with(" s"), "{err}");
    let err = stderr_of(start_with(&["--db", db_arg], Stdio::piped()));
    assert!(!err.contains("migrat"), "at the current schema: {err}");
}

/// The log says the version and schema at start, with the time, and the stop; SIGHUP (a closed
/// terminal or SSH session) stops the collector as SIGTERM does, gracefully with code 0 (it ended
/// it at once, code 129).
#[test]
fn sighup_stops_gracefully_and_the_log_says_the_version_and_the_stop() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let mut server = start_with(&["--db", db.to_str().unwrap()], Stdio::piped());
    let addr = server.addr.clone();
    assert_eq!(http(&addr, "POST", "/v1/batch", &[], &batch(vec![event("h1", "shop")])).status, 200);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let mut err = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let started = format!(
        " touchpoint-collector: touchpoint-collector {}, schema {}, listening on http://{addr}",
        env!("CARGO_PKG_VERSION"),
        touchpoint_collector::store::SCHEMA_VERSION
    );
    let line = err.lines().find(|l| l.ends_with(&started)).unwrap_or_else(|| panic!("{started:?} in {err}"));
    assert!(line.starts_with("20") && line.split_once(' ').unwrap().0.ends_with('Z'), "{line}");
    let stopping = err.lines().position(|l| l.contains("touchpoint-collector: stopping (SIGHUP)"));
    let stopped = err.lines().position(|l| l.ends_with(" touchpoint-collector: stopped"));
    assert!(stopping.is_some() && stopped > stopping, "{err}");
    assert_eq!(touchpoint_collector::Store::open(db.to_str().unwrap()).unwrap().count().unwrap(), 1);
}
