//! A device whose clock is wrong (QA: a visitor's clock two years behind): its events count at
//! their capture time corrected by the batch's `sentAt`, `timestamp + (received_at - sentAt)` (as
//! Segment and RudderStack do), in every figure, at ingestion's retention check, and in a rebuild
//! from the stored events. The bodies are stored as received. A batch whose `sentAt` has no time
//! zone, or that differs from the arrival by less than a minute, keeps the device's times.

mod common;

use axum::http::StatusCode;
use common::*;
use rusqlite::Connection;
use serde_json::{json, Value};
use touchpoint_collector::facts::{now_ms, parse_iso_millis};
use touchpoint_collector::Store;

const DAY_MS: i64 = 86_400_000;
/// Two years (of 365 days).
const TWO_YEARS_MS: i64 = 730 * DAY_MS;

/// The events of one visit of `session` as a device whose clock reads `device_now` sends them:
/// a page view, a click and a purchase captured 30, 20 and 10 seconds before the batch leaves.
fn visit(session: &str, device_now: i64) -> Vec<Value> {
    ["page_view", "button_click", "purchase"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut e = event(&format!("{session}-{i}"), "shop");
            e["event"] = json!(name);
            e["type"] = json!(if *name == "page_view" { "page" } else { "track" });
            e["sessionId"] = json!(session);
            e["timestamp"] = json!(iso_at(device_now - 30_000 + i as i64 * 10_000));
            if *name == "purchase" {
                e["properties"] = json!({"transaction_id": format!("T-{session}"), "value": 12.5, "currency": "EUR"});
            }
            e
        })
        .collect()
}

/// Posts `events` in a batch whose `sentAt` is `sent_at`: the answer (which must be a `200`), and
/// the collector's clock before and after it.
async fn post_sent(t: &TestApp, sent_at: &str, events: Vec<Value>) -> (Value, i64, i64) {
    let before = now_ms();
    let a = post(&t.app, batch_sent_at(sent_at, events)).await;
    let after = now_ms();
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.bytes));
    (a.json(), before, after)
}

/// The overview of the 24 hours before now (to an hour after: a range ending now).
async fn last_day(t: &TestApp) -> Value {
    let now = now_ms();
    api(t, &format!("/api/overview?site=shop&from={}&to={}", iso_at(now - DAY_MS), iso_at(now + 3_600_000))).await
}

/// The session `id`'s summary (`/api/sessions/{id}`): its start and end as unix ms.
async fn span(t: &TestApp, id: &str) -> (i64, i64) {
    let s = api(t, &format!("/api/sessions/{id}")).await;
    let ms = |k: &str| parse_iso_millis(s["session"][k].as_str().unwrap()).unwrap();
    (ms("start"), ms("end"))
}

fn accepted(n: i64) -> Value {
    json!({"accepted": n, "duplicates": 0, "rejected": []})
}

/// QA's case: a clock two years behind, with `--retention-days 365`. Its events were refused as
/// older than the retention (and the SDK drops a refused event for good: a purchase lost); they
/// are stored, counted now (in the last 24 hours' overview), kept by the retention's pass, and a
/// rebuild from the stored events counts them alike.
#[tokio::test]
async fn a_clock_two_years_behind_is_counted_now_and_kept_by_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clocks.sqlite");
    let state = state_on(Store::open(path.to_str().unwrap()).unwrap()).with_retention(365);
    let store = state.store.clone();
    let t = app_of(state);
    let device_now = now_ms() - TWO_YEARS_MS;
    let events = visit("behind", device_now);
    let (answer, before, after) = post_sent(&t, &iso_at(device_now), events.clone()).await;
    assert_eq!(answer, accepted(3));

    let o = last_day(&t).await;
    assert_eq!((&o["sessions"], &o["events"]), (&json!(1), &json!(3)), "{o}");
    // At the capture times, corrected: 30 s to 10 s before the arrival.
    let (start, end) = span(&t, "behind").await;
    assert!((before - 30_000..=after - 30_000).contains(&start), "start {start} arrival {before}..{after}");
    assert_eq!(end - start, 20_000);
    // Stored as received (the device's own `timestamp`).
    let stored = api(&t, "/api/events?site=shop&limit=10").await;
    let mut bodies: Vec<Value> = stored.as_array().unwrap().clone();
    bodies.reverse();
    assert_eq!(bodies, events);
    // A warehouse gets the batch's clock and the time the inspector counts each event at, beside
    // the device's time and the arrival: in the export's envelope and in `/api/events`'.
    let page = get(&t.app, "/api/export?envelope=1").await;
    let lines: Vec<Value> =
        String::from_utf8(page.bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let listed = api(&t, "/api/events?site=shop&limit=10&envelope=1").await;
    let mut listed: Vec<Value> = listed.as_array().unwrap().clone();
    listed.reverse();
    assert_eq!(lines, listed);
    for (i, line) in lines.iter().enumerate() {
        let ms = |k: &str| parse_iso_millis(line[k].as_str().unwrap()).unwrap();
        assert_eq!(line["sentAt"], json!(iso_at(device_now)), "{line}");
        assert_eq!(ms("timestampUtc"), device_now - 30_000 + i as i64 * 10_000, "{line}");
        assert_eq!(ms("countedAt"), ms("receivedAt") - 30_000 + i as i64 * 10_000, "{line}");
    }

    // The retention's pass keeps them (they count now), and a rebuild counts them alike.
    let cutoff = now_ms() - 365 * DAY_MS;
    let erased = tokio::task::spawn_blocking(move || store.expire(cutoff).unwrap()).await.unwrap();
    assert_eq!(erased, Default::default());
    let o = last_day(&t).await;
    assert_eq!((&o["sessions"], &o["events"]), (&json!(1), &json!(3)), "{o}");
    drop(t);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// A clock two years ahead (counted at its arrival before, every event at the same instant): at
/// the capture times, corrected, so the visit keeps its length and order.
#[tokio::test]
async fn a_clock_two_years_ahead_is_counted_now_at_its_capture_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clocks.sqlite");
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    let device_now = now_ms() + TWO_YEARS_MS;
    let (answer, before, after) = post_sent(&t, &iso_at(device_now), visit("ahead", device_now)).await;
    assert_eq!(answer, accepted(3));
    let o = last_day(&t).await;
    assert_eq!((&o["sessions"], &o["events"]), (&json!(1), &json!(3)), "{o}");
    let (start, end) = span(&t, "ahead").await;
    assert!((before - 30_000..=after - 30_000).contains(&start), "start {start} arrival {before}..{after}");
    assert_eq!(end - start, 20_000);
    drop(t);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// What keeps the device's times, as before: a batch without `sentAt` (refused whole, `400`), one
/// whose `sentAt` has no time zone (it may be the device's local time: hours off), and one whose
/// `sentAt` is less than a minute from the arrival (the request's way, or a clock seconds off).
/// Beside each, the same clock with a usable `sentAt`, corrected.
#[tokio::test]
async fn without_a_usable_sent_at_or_under_a_minute_off_the_device_time_stands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clocks.sqlite");
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());

    // No sentAt: refused as before, nothing stored.
    let body = serde_json::to_vec(&json!({"batch": visit("none", now_ms() - TWO_YEARS_MS)})).unwrap();
    let a = post(&t.app, body).await;
    assert_eq!((a.status, a.error()), (StatusCode::BAD_REQUEST, "sentAt: missing".to_string()));

    // Two years behind, its sentAt without a zone: at the device's times (two years ago).
    let device_now = now_ms() - TWO_YEARS_MS;
    let zoneless = iso_at(device_now).trim_end_matches('Z').to_string();
    assert_eq!(post_sent(&t, &zoneless, visit("zoneless", device_now)).await.0, accepted(3));
    assert_eq!(span(&t, "zoneless").await, (device_now - 30_000, device_now - 10_000));
    // (Its envelope: no usable sentAt, and counted at the device's time.)
    let page = get(&t.app, "/api/export?envelope=1").await;
    for line in String::from_utf8(page.bytes).unwrap().lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        assert_eq!((&line["sentAt"], &line["countedAt"]), (&Value::Null, &line["timestampUtc"]), "{line}");
    }
    let then = api(
        &t,
        &format!("/api/overview?site=shop&from={}&to={}", iso_at(device_now - DAY_MS), iso_at(device_now + DAY_MS)),
    )
    .await;
    assert_eq!((&then["sessions"], &then["events"]), (&json!(1), &json!(3)), "{then}");
    // The same clock with a zoned sentAt: now.
    let (_, before, _) = post_sent(&t, &iso_at(device_now), visit("zoned", device_now)).await;
    assert!(span(&t, "zoned").await.0 >= before - 30_000);

    // 30 s behind: at the device's times, not moved by 30 s.
    let device_now = now_ms() - 30_000;
    assert_eq!(post_sent(&t, &iso_at(device_now), visit("seconds", device_now)).await.0, accepted(3));
    assert_eq!(span(&t, "seconds").await, (device_now - 30_000, device_now - 10_000));
    // 5 minutes behind: corrected.
    let device_now = now_ms() - 300_000;
    let (_, before, after) = post_sent(&t, &iso_at(device_now), visit("minutes", device_now)).await;
    let (start, _) = span(&t, "minutes").await;
    assert!((before - 30_000..=after - 30_000).contains(&start), "start {start} arrival {before}..{after}");

    // Only the zoneless session is outside the last 24 hours.
    let o = last_day(&t).await;
    assert_eq!((&o["sessions"], &o["events"]), (&json!(3), &json!(9)), "{o}");
    drop(t);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}

/// A database from before the correction (schema version 30, no `events.sent_at`): opened, it
/// gains the column, NULL for what it held, whose events count at the device's times as they did
/// (a rebuild included); events stored after count corrected.
#[tokio::test]
async fn events_stored_before_the_column_keep_their_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clocks.sqlite");
    let device_now = now_ms() - TWO_YEARS_MS;
    {
        let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
        assert_eq!(post_sent(&t, &iso_at(device_now), visit("old", device_now)).await.0, accepted(3));
    }
    // As a version-30 collector left it (no column), opened by this one: the column is added, and
    // a rebuild counts what it held at the device's times.
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("ALTER TABLE events DROP COLUMN sent_at; PRAGMA user_version = 30;").unwrap();
    }
    drop(Store::open(path.to_str().unwrap()).unwrap());
    {
        let mut c = Connection::open(&path).unwrap();
        assert_eq!(user_version(&c), touchpoint_collector::store::SCHEMA_VERSION);
        assert_eq!(texts(&c, "SELECT quote(sent_at) FROM events"), ["NULL", "NULL", "NULL"]);
        let tx = c.transaction().unwrap();
        touchpoint_collector::aggregate::rebuild(&tx).unwrap();
        tx.commit().unwrap();
    }
    let t = app_on(Store::open(path.to_str().unwrap()).unwrap());
    assert_eq!(span(&t, "old").await, (device_now - 30_000, device_now - 10_000));
    let (_, before, _) = post_sent(&t, &iso_at(device_now), visit("new", device_now)).await;
    assert!(span(&t, "new").await.0 >= before - 30_000);
    let o = last_day(&t).await;
    assert_eq!((&o["sessions"], &o["events"]), (&json!(1), &json!(3)), "{o}");
    drop(t);
    assert_aggregates_are_rebuilt(&path, &AGGREGATES);
}
