//! A purchase of an order already stored (its thanks page reloaded, or opened again) is dropped
//! from every count (GA4 counts an order once), but recorded: "was order X charged twice?" reads
//! how many times it came again, when the last came and from which session, in `GET
//! /api/events?order=X&envelope=1`. An erasure takes the repeats with the order or the session;
//! a database from before (version 28) gets the table.

mod common;

use common::*;
use serde_json::{json, Value};
use touchpoint_collector::store::SCHEMA_VERSION;
use touchpoint_collector::Store;

/// Minutes after 2026-11-20T10:00:00Z.
fn at(min: u32) -> String {
    format!("2026-11-20T{:02}:{:02}:00.000Z", 10 + min / 60, min % 60)
}

fn ev(id: &str, site: &str, session: &str, name: &str, min: u32, props: Value) -> Value {
    json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": at(min), "sessionId": session, "site": site,
        "properties": props,
        "context": {"page": {"url": "http://127.0.0.1:8080/thanks", "path": "/thanks", "title": "T", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}}
    })
}

fn purchase(id: &str, site: &str, session: &str, min: u32, order: &str) -> Value {
    ev(
        id,
        site,
        session,
        "purchase",
        min,
        json!({"transaction_id": order, "value": 30, "currency": "EUR", "moment": true}),
    )
}

fn repeats(answer: &Value) -> Vec<Value> {
    answer.as_array().unwrap().iter().map(|e| e["repeats"].clone()).collect()
}

/// T-9 bought in s1; its thanks page reloaded in s1 (once with the purchase's own batch, once
/// after), opened again from an email in s2, whose batch was retried (the same messageId: one
/// repeat), and a repeat captured earlier but received last (a tab's leftovers): not the last.
async fn seed(t: &TestApp) {
    assert_eq!(
        ingest(
            t,
            vec![
                ev("v1", "shop", "s1", "page_view", 1, json!({})),
                purchase("p1", "shop", "s1", 2, "T-9"),
                purchase("p1-reload", "shop", "s1", 3, "T-9")
            ]
        )
        .await,
        (2, 1)
    );
    assert_eq!(ingest(t, vec![purchase("p1-reload-2", "shop", "s1", 4, "T-9")]).await, (0, 1));
    let later = vec![ev("v2", "shop", "s2", "page_view", 30, json!({})), purchase("p2-email", "shop", "s2", 31, "T-9")];
    assert_eq!(ingest(t, later.clone()).await, (1, 1));
    assert_eq!(ingest(t, later).await, (0, 2), "the batch retried: its events duplicates, its repeat one");
    assert_eq!(ingest(t, vec![purchase("p3-leftover", "shop", "s3", 5, "T-9")]).await, (0, 1));
    // Another order with none; the same order id on another site: its own order.
    assert_eq!(ingest(t, vec![purchase("q1", "shop", "s4", 40, "T-10")]).await, (1, 0));
    assert_eq!(
        ingest(t, vec![purchase("b1", "blog", "b1", 41, "T-9"), purchase("b1-again", "blog", "b1", 42, "T-9")]).await,
        (1, 1)
    );
}

#[tokio::test]
async fn a_repeated_purchase_is_not_counted_but_recorded_with_its_order() {
    let t = app_on(Store::open(":memory:").unwrap());
    seed(&t).await;
    // Counted once: one purchase of T-9 per site stored, one conversion.
    let purchases = api(&t, "/api/events?event=purchase").await;
    let ids: Vec<&str> = purchases.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b1", "q1", "p1"]);
    let funnel =
        api(&t, "/api/funnel?site=shop&from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z&steps=purchase").await;
    assert_eq!(funnel["steps"][1]["sessions"], json!(2), "{funnel}");

    // The order's purchase, with its repeats: four came again (p1-reload, p1-reload-2, p2-email,
    // p3-leftover), the last (by time) at 10:31 in s2.
    let by_order = api(&t, "/api/events?order=T-9&site=shop&envelope=1").await;
    assert_eq!(by_order.as_array().unwrap().len(), 1);
    assert_eq!(by_order[0]["event"]["messageId"], "p1");
    assert_eq!(repeats(&by_order), [json!({"count": 4, "lastAt": at(31), "lastSessionId": "s2"})]);
    // Of every site: each site's order on its own.
    let every = api(&t, "/api/events?order=T-9&envelope=1").await;
    let both: Vec<(String, Value)> = every
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"]["site"].as_str().unwrap().to_string(), e["repeats"]["count"].clone()))
        .collect();
    assert_eq!(both, [("blog".to_string(), json!(1)), ("shop".to_string(), json!(4))]);
    assert_eq!(
        repeats(&api(&t, "/api/events?order=T-10&envelope=1").await),
        [json!({"count": 0, "lastAt": null, "lastSessionId": null})]
    );
    // Without the envelope: the purchases as received, as before.
    let plain = api(&t, "/api/events?order=T-9&site=shop").await;
    assert_eq!(plain[0]["messageId"], "p1");
    assert!(plain[0].get("repeats").is_none());
    // Other lookups carry no repeats.
    assert!(api(&t, "/api/events?event=purchase&envelope=1").await[0].get("repeats").is_none());
    assert_eq!(api(&t, "/api/events?order=T-11&envelope=1").await, json!([]));
    // The stats count stored events only.
    assert_eq!(api(&t, "/api/stats").await["events"], json!(5));
}

/// Order numbers are easy to guess: a purchase posted first by anyone else under the next one
/// (a security review: sequential ids, 0.01 EUR) made the customer's own a repeat, lost from the
/// events, the funnel and revenue. A purchase of a stored order repeats its first purchase when
/// it is the same visitor's (session, anonymousId or userId) or of the same amount; another's is
/// stored.
#[tokio::test]
async fn a_purchase_posted_first_by_someone_else_does_not_take_the_customers_place() {
    let t = app_on(Store::open(":memory:").unwrap());
    let buy = |id: &str, session: &str, order: &str, value: Value, more: Value| {
        let props = json!({"transaction_id": order, "value": value, "currency": "EUR"});
        let mut e = ev(id, "shop", session, "purchase", 1, props);
        for (k, v) in more.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    };
    let none = || json!({});
    assert_eq!(
        ingest(&t, vec![buy("x1", "attacker", "100501", json!(0.01), json!({"anonymousId": "a-x"}))]).await,
        (1, 0)
    );
    let customer = json!({"anonymousId": "a-1", "userId": "c-1042"});
    assert_eq!(
        ingest(&t, vec![buy("c1", "customer", "100501", json!(249), customer)]).await,
        (1, 0),
        "the customer's purchase stored"
    );
    // The first's repeats: its session, its browser, its amount from anywhere.
    let repeats = vec![
        buy("x2", "attacker", "100501", json!(1), none()),
        buy("x3", "later", "100501", json!(2), json!({"anonymousId": "a-x"})),
        buy("x4", "elsewhere", "100501", json!(0.01), none()),
    ];
    assert_eq!(ingest(&t, repeats).await, (0, 3));
    let ids = |v: Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(api(&t, "/api/events?event=purchase").await), ["c1", "x1"]);
    // The order's purchase is still its first (order=, the inspector's lookup).
    assert_eq!(ids(api(&t, "/api/events?order=100501&site=shop").await), ["x1"]);
    // In one batch: another visitor's of another amount stored, the first's reload not.
    let batch = vec![
        buy("y1", "s-y", "200", json!(5), none()),
        buy("y2", "s-z", "200", json!(6), none()),
        buy("y3", "s-y", "200", json!(7), none()),
    ];
    assert_eq!(ingest(&t, batch).await, (2, 1));
}

/// Erases a session of the shop (as `POST /admin/erase` does), off the async runtime.
async fn erase(t: &TestApp, session: &str) {
    let (store, key) = (t.state.store.clone(), (session.to_string(), "shop".to_string()));
    tokio::task::spawn_blocking(move || store.erase(vec![key])).await.unwrap().unwrap();
}

/// An erasure takes the repeats a session sent, and every repeat of an order whose purchase goes
/// (they name the order, which the shop's records link to the person).
#[tokio::test]
async fn an_erasure_takes_the_repeats_with_the_session_or_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.sqlite");
    let path = path.to_str().unwrap();
    let t = app_on(Store::open(path).unwrap());
    seed(&t).await;
    let count = |v: &Value| v[0]["repeats"]["count"].clone();
    // s2's own repeat goes with it; T-9's purchase (in s1) stays, with its other repeats.
    erase(&t, "s2").await;
    let by_order = api(&t, "/api/events?order=T-9&site=shop&envelope=1").await;
    assert_eq!(count(&by_order), json!(3));
    assert_eq!(by_order[0]["repeats"]["lastAt"], json!(at(5)), "p3-leftover, s3's, the last left");
    // s1 holds the purchase: the order goes, and every repeat of it (s3's too).
    erase(&t, "s1").await;
    assert_eq!(api(&t, "/api/events?order=T-9&site=shop&envelope=1").await, json!([]));
    drop(t);
    let c = rusqlite::Connection::open(path).unwrap();
    let left = texts(&c, "SELECT site || ' ' || transaction_id || ' ' || message_id FROM order_repeats ORDER BY 1");
    assert_eq!(left, ["blog T-9 b1-again"]);
}

/// A version 28 database had no `order_repeats`: it is made when the collector opens it (empty:
/// the repeats dropped before left no trace), and the repeats received since are recorded.
#[tokio::test]
async fn a_version_28_database_gets_the_repeats_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v28.sqlite");
    let path = path.to_str().unwrap();
    let t = app_on(Store::open(path).unwrap());
    assert_eq!(ingest(&t, vec![purchase("p1", "shop", "s1", 2, "T-9")]).await, (1, 0));
    drop(t);
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch("DROP TABLE order_repeats; PRAGMA user_version = 28;")
        .unwrap();
    let t = app_on(Store::open(path).unwrap());
    assert_eq!(
        repeats(&api(&t, "/api/events?order=T-9&envelope=1").await),
        [json!({"count": 0, "lastAt": null, "lastSessionId": null})]
    );
    assert_eq!(ingest(&t, vec![purchase("p1-again", "shop", "s1", 3, "T-9")]).await, (0, 1));
    assert_eq!(api(&t, "/api/events?order=T-9&envelope=1").await[0]["repeats"]["count"], json!(1));
    drop(t);
    let c = rusqlite::Connection::open(path).unwrap();
    assert_eq!(user_version(&c), SCHEMA_VERSION);
}
