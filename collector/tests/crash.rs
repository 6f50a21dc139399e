//! `kill -9` in the middle of a load run: every acknowledged event is stored exactly once, the
//! database passes `PRAGMA integrity_check`, and a restarted collector still knows every id.
//! Loopback only, a few seconds.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{batch, event};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_touchpoint-collector");

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

fn start(db: &str) -> Server {
    // A small --merge-at so that merges into the dedup table are in progress when it dies.
    let mut child = Command::new(BIN)
        .args(["--host", "127.0.0.1", "--port", "0", "--db", db, "--merge-at", "300"])
        .args(["--www", "/nonexistent", "--sdk", "/nonexistent"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim_end().strip_prefix("touchpoint-collector listening on http://").unwrap().to_string();
    Server { child, addr }
}

/// POSTs `body` on a keep-alive connection; the answer's JSON if it was a 200.
fn post(conn: &mut BufReader<TcpStream>, addr: &str, body: &[u8]) -> std::io::Result<Option<Value>> {
    let head = format!("POST /v1/batch HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n", body.len());
    conn.get_mut().write_all(head.as_bytes())?;
    conn.get_mut().write_all(body)?;
    let mut status = String::new();
    if conn.read_line(&mut status)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let mut len = 0;
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut answer = vec![0; len];
    conn.read_exact(&mut answer)?;
    Ok(status.starts_with("HTTP/1.1 200").then(|| serde_json::from_slice(&answer).unwrap()))
}

fn connect(addr: &str) -> BufReader<TcpStream> {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    BufReader::new(s)
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_event_and_stores_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite");
    let db = db.to_str().unwrap().to_string();
    let mut server = start(&db);
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (addr, stop) = (server.addr.clone(), stop.clone());
            std::thread::spawn(move || {
                // Acknowledged ids, and every batch sent (to resend after the restart).
                let mut acked: Vec<String> = Vec::new();
                let mut known = std::collections::HashSet::new();
                let mut conn = connect(&addr);
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let ids: Vec<String> = (0..20).map(|i| format!("c{c}-{n}-{i}")).collect();
                    n += 1;
                    // Every fifth batch repeats half of the previous one: duplicates under load.
                    let mut events: Vec<Value> = ids.iter().map(|id| event(id, "shop")).collect();
                    if n % 5 == 0 && acked.len() >= 10 {
                        events.truncate(10);
                        events.extend(acked[acked.len() - 10..].iter().map(|id| event(id, "shop")));
                    }
                    let sent: Vec<String> =
                        events.iter().map(|e| e["messageId"].as_str().unwrap().to_string()).collect();
                    match post(&mut conn, &addr, &batch(events)) {
                        Ok(Some(v)) => {
                            let a = v["accepted"].as_u64().unwrap() + v["duplicates"].as_u64().unwrap();
                            assert_eq!(a, 20, "{v}");
                            for id in sent {
                                if known.insert(id.clone()) {
                                    acked.push(id);
                                }
                            }
                        }
                        Ok(None) => panic!("a non-200 answer under plain load"),
                        // The collector died: nothing more is acknowledged.
                        Err(_) => break,
                    }
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    // SIGKILL: no shutdown code runs.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<String> = clients.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert!(acked.len() >= 400, "the load ran: {} events acknowledged", acked.len());

    let c = rusqlite::Connection::open(&db).unwrap();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let twice: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM (SELECT message_id FROM events GROUP BY message_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "no event is stored twice");
    let mut stmt = c.prepare("SELECT COUNT(*) FROM events WHERE message_id = ?1").unwrap();
    for id in &acked {
        let n: i64 = stmt.query_row([id], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "acknowledged {id} stored {n} times");
    }
    let stored: i64 = c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    let merged: i64 = c.query_row("SELECT COUNT(*) FROM seen", [], |r| r.get(0)).unwrap();
    eprintln!("{} events acknowledged, {stored} stored ({merged} of them merged into `seen`)", acked.len());
    drop(stmt);
    drop(c);

    // Restarted on the same file, it still knows every stored id (merged or not) as a duplicate.
    let server = start(&db);
    let mut conn = connect(&server.addr);
    for chunk in acked.chunks(100) {
        let events = chunk.iter().map(|id| event(id, "shop")).collect();
        let v = post(&mut conn, &server.addr, &batch(events)).unwrap().expect("200");
        assert_eq!(v["accepted"], 0, "{v}");
        assert_eq!(v["duplicates"].as_u64().unwrap() as usize, chunk.len());
    }
    let v = post(&mut conn, &server.addr, &batch(vec![event("after-restart", "shop")])).unwrap().expect("200");
    assert_eq!(v["accepted"], 1);
    drop(conn);
    drop(server);
    let c = rusqlite::Connection::open(&db).unwrap();
    let after: i64 = c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(after, stored + 1);
}
