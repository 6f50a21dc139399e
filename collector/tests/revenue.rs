//! Revenue as `/api/channels?revenue=1` counts it (a marketplace analyst's QA): an order id the
//! SDK masked (`***`) is no order key; only the purchases and refunds whose time is in the range
//! count; refunds (GA4's `refund`, a full one without a value taking its order's) are given
//! apart and netted; purchases without a usable value and values in no currency code are said,
//! not left out silently; large values are summed exactly.

mod common;

use common::*;
use serde_json::{json, Value};
use touchpoint_collector::store::SCHEMA_VERSION;
use touchpoint_collector::validate::parse_batch;
use touchpoint_collector::Store;

fn ev(id: &str, session: &str, name: &str, at: &str, channel: &str, props: Value) -> Value {
    json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": at, "sessionId": session, "site": "shop",
        "properties": props,
        "context": {"page": {"url": "http://127.0.0.1:8080/thanks", "path": "/thanks", "title": "T", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}, "channel": channel}
    })
}

/// A purchase of `order` (`null`: none) of `value` in `currency` (`null`: left out).
fn purchase(id: &str, session: &str, at: &str, channel: &str, order: Value, value: Value, currency: Value) -> Value {
    let mut p = json!({"transaction_id": order, "items": [{"item_id": "x"}]});
    if !value.is_null() {
        p["value"] = value;
    }
    if !currency.is_null() {
        p["currency"] = currency;
    }
    ev(id, session, "purchase", at, channel, p)
}

/// The channels of `[from, to)` with their revenue, by channel.
async fn channels(t: &TestApp, from: &str, to: &str, extra: &str) -> Value {
    let a = api(t, &format!("/api/channels?site=shop&from={from}&to={to}&revenue=1{extra}")).await;
    let mut by = serde_json::Map::new();
    for c in a["channels"].as_array().unwrap() {
        by.insert(c["channel"].as_str().unwrap().to_string(), c.clone());
    }
    Value::Object(by)
}

/// The revenue figures of a row.
fn money(row: &Value) -> Value {
    let keys =
        ["purchases", "revenue", "unvalued", "unknownCurrency", "refunds", "refunded", "refundsUnvalued", "netRevenue"];
    Value::Object(keys.iter().map(|k| (k.to_string(), row[*k].clone())).collect())
}

const DAY: (&str, &str) = ("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z");

/// Three masked purchases (`***`, as an SDK masked an order number that passed Luhn's check, and
/// `ORD-***`) in three sessions are three orders: stored, in the journeys and in revenue, none a
/// repeat of another. A real order's repeat is still one; a masked id finds no order.
#[tokio::test]
async fn a_masked_order_id_is_no_order_key() {
    let t = app_on(Store::open(":memory:").unwrap());
    let at = "2026-11-20T10:00:00.000Z";
    let sent = vec![
        purchase("m1", "s1", at, "email", json!("***"), json!(50), json!("EUR")),
        purchase("m2", "s2", at, "email", json!("***"), json!(30), json!("EUR")),
        purchase("m3", "s3", at, "email", json!("ORD-***"), json!(20), json!("EUR")),
        purchase("t1", "s1", at, "email", json!("T-1"), json!(10), json!("EUR")),
        purchase("t1-reload", "s1", at, "email", json!("T-1"), json!(10), json!("EUR")),
    ];
    assert_eq!(ingest(&t, sent).await, (4, 1));
    assert_eq!(ingest(&t, vec![purchase("m4", "s4", at, "email", json!("***"), json!(5), json!("EUR"))]).await, (1, 0));
    let stored = api(&t, "/api/events?event=purchase").await;
    let ids: Vec<&str> = stored.as_array().unwrap().iter().map(|e| e["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["m4", "t1", "m3", "m2", "m1"]);
    let journey = api(&t, "/api/sessions/s2?site=shop").await;
    assert_eq!(journey["events"][0]["event"], "purchase", "{journey}");
    let row = &channels(&t, DAY.0, DAY.1, "").await["email"];
    assert_eq!((&row["purchases"], &row["revenue"], &row["converted"]), (&json!(5), &json!({"EUR": 115.0}), &json!(4)));
    // No order by a masked id; the real one with its repeat.
    assert_eq!(api(&t, "/api/events?order=***&site=shop").await, json!([]));
    let t1 = api(&t, "/api/events?order=T-1&site=shop&envelope=1").await;
    assert_eq!(t1[0]["repeats"]["count"], json!(1));
}

/// A database from before the orders (version 21) gets them from its stored purchases: not one
/// for a masked id (its purchases stored, each its own).
#[test]
fn a_version_21_database_gets_no_order_for_a_masked_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let at = "2026-11-20T10:00:00.000Z";
    let sent = vec![
        purchase("m1", "s1", at, "", json!("***"), json!(50), json!("EUR")),
        purchase("m2", "s2", at, "", json!("***"), json!(30), json!("EUR")),
        purchase("t1", "s1", at, "", json!("T-1"), json!(10), json!("EUR")),
    ];
    assert_eq!(store.insert_batch(parse_batch(&batch(sent)).unwrap().events).unwrap().accepted, 3);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DELETE FROM orders; PRAGMA user_version = 21;").unwrap();
    drop(conn);
    let store = Store::open(path.to_str().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let orders = texts(&conn, "SELECT transaction_id FROM orders");
    assert_eq!(orders, ["T-1"]);
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    let more = vec![purchase("m3", "s3", at, "", json!("***"), json!(5), json!("EUR"))];
    assert_eq!(store.insert_batch(parse_batch(&batch(more)).unwrap().events).unwrap().accepted, 1);
}

/// A session across midnight: each day counts the purchases made that day (by the time they
/// count at, as every range of the API: their capture time), not every purchase of a session
/// that touches it.
#[tokio::test]
async fn a_purchase_counts_in_the_range_of_its_time_only() {
    let t = app_on(Store::open(":memory:").unwrap());
    let sent = vec![
        ev("v1", "night", "page_view", "2026-11-20T23:40:00.000Z", "email", json!({})),
        purchase("p1", "night", "2026-11-20T23:50:00.000Z", "email", json!("N-1"), json!(10), json!("EUR")),
        purchase("p2", "night", "2026-11-21T00:10:00.000Z", "email", json!("N-2"), json!(20), json!("EUR")),
        // Its refund of the first order, the next day.
        ev("r1", "night", "refund", "2026-11-21T00:20:00.000Z", "email", json!({"transaction_id": "N-1"})),
    ];
    assert_eq!(ingest(&t, sent).await, (4, 0));
    let day1 = &channels(&t, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", "").await["email"];
    assert_eq!((&day1["purchases"], &day1["revenue"], &day1["refunds"]), (&json!(1), &json!({"EUR": 10.0}), &json!(0)));
    let day2 = &channels(&t, "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z", "").await["email"];
    assert_eq!((&day2["purchases"], &day2["revenue"]), (&json!(1), &json!({"EUR": 20.0})));
    assert_eq!((&day2["refunded"], &day2["netRevenue"]), (&json!({"EUR": 10.0}), &json!({"EUR": 10.0})));
    // Both days: each once. (The session is in both days' sessions, as every session is.)
    let both = &channels(&t, "2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z", "").await["email"];
    assert_eq!(
        (&both["purchases"], &both["revenue"], &both["sessions"]),
        (&json!(2), &json!({"EUR": 30.0}), &json!(1))
    );
    assert_eq!((&day1["sessions"], &day2["sessions"]), (&json!(1), &json!(1)));
    // By a tag's values, the same.
    let by_tag =
        api(&t, "/api/channels?site=shop&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z&revenue=1&by=tag:variant")
            .await;
    assert_eq!(money(&by_tag["channels"][0]), money(day2));
}

/// Refunds: a full one (no value) takes its order's stored value, a part its own; given per
/// currency and netted from the gross revenue. A refund sent in a session that bought nothing
/// counts in that session's row; one of an order not stored, or of text, counts without an
/// amount. No refund is a purchase, a moment of truth or a conversion.
#[tokio::test]
async fn refunds_are_given_apart_and_netted() {
    let t = app_on(Store::open(":memory:").unwrap());
    let at = |hm: &str| format!("2026-11-20T{hm}:00.000Z");
    let sent = vec![
        purchase("gb1", "s-gb", &at("10:00"), "email", json!("GB-1"), json!(62.1), json!("GBP")),
        purchase("gb2", "s-gb", &at("10:05"), "email", json!("GB-2"), json!(10.8), json!("GBP")),
        // The back office, later, in the visit's session: GB-1 whole, 5 of GB-2.
        ev("r-gb1", "s-gb", "refund", &at("12:00"), "email", json!({"transaction_id": "GB-1"})),
        ev(
            "r-gb2",
            "s-gb",
            "refund",
            &at("12:05"),
            "email",
            json!({"transaction_id": "GB-2", "value": 5, "currency": "GBP"}),
        ),
        // Refunds in a session of their own: an order not stored (whole), a value as text, an
        // amount in EUR that says it is a moment (it is none), a part without a currency (its
        // order's).
        ev("r-x", "s-bo", "refund", &at("12:10"), "direct", json!({"transaction_id": "X-404"})),
        ev(
            "r-t",
            "s-bo",
            "refund",
            &at("12:11"),
            "direct",
            json!({"transaction_id": "GB-2", "value": "3,00", "currency": "GBP"}),
        ),
        ev(
            "r-e",
            "s-bo",
            "refund",
            &at("12:12"),
            "direct",
            json!({"transaction_id": "E-1", "value": 4, "currency": "EUR", "moment": true}),
        ),
        ev("r-p", "s-bo", "refund", &at("12:13"), "direct", json!({"transaction_id": "GB-2", "value": 1.5})),
    ];
    assert_eq!(ingest(&t, sent).await, (8, 0));
    let rows = channels(&t, DAY.0, DAY.1, "").await;
    assert_eq!(
        money(&rows["email"]),
        json!({"purchases": 2, "revenue": {"GBP": 72.9}, "unvalued": 0, "unknownCurrency": {},
               "refunds": 2, "refunded": {"GBP": 67.1}, "refundsUnvalued": 0, "netRevenue": {"GBP": 5.8}})
    );
    assert_eq!(
        money(&rows["direct"]),
        json!({"purchases": 0, "revenue": {}, "unvalued": 0, "unknownCurrency": {},
               "refunds": 4, "refunded": {"EUR": 4.0, "GBP": 1.5}, "refundsUnvalued": 2,
               "netRevenue": {"EUR": -4.0, "GBP": -1.5}})
    );
    assert_eq!((&rows["email"]["converted"], &rows["direct"]["converted"]), (&json!(1), &json!(0)));
    // No refund is a conversion, whatever the goal.
    let goal = channels(&t, DAY.0, DAY.1, "&goal=refund").await;
    assert_eq!((&goal["email"]["converted"], &goal["direct"]["converted"]), (&json!(0), &json!(0)));
    let s = api(&t, "/api/sessions/s-bo?site=shop").await;
    assert_eq!(s["session"]["moments"], json!([]), "{s}");
    // The refunds' hours alone: the refunds, no purchase.
    let later = &channels(&t, "2026-11-20T11:00:00Z", "2026-11-20T13:00:00Z", "").await["email"];
    assert_eq!((&later["purchases"], &later["netRevenue"]), (&json!(0), &json!({"GBP": -67.1})));
    // The same once the window is kept and moved by a poll, a refund arriving meanwhile.
    assert_eq!(
        ingest(
            &t,
            vec![ev("r-late", "s-late", "refund", &at("12:30"), "paid_search", json!({"transaction_id": "GB-1"}))]
        )
        .await,
        (1, 0)
    );
    let rows = channels(&t, DAY.0, DAY.1, "").await;
    assert_eq!(money(&rows["paid_search"])["refunded"], json!({"GBP": 62.1}));
    assert_eq!(money(&rows["email"])["refunded"], json!({"GBP": 67.1}));
    // Without revenue=1: none of it.
    let plain = api(&t, &format!("/api/channels?site=shop&from={}&to={}", DAY.0, DAY.1)).await;
    assert!(plain["channels"][0].get("refunds").is_none() && plain["channels"][0].get("unvalued").is_none());
}

/// A purchase whose value is text (`"19,99"`, `"59.90"`) or missing is counted in `purchases`
/// and said in `unvalued`; a currency that is not three letters (`€`, none) is summed under
/// `unknownCurrency` as given, not in `revenue`; a currency is trimmed and upper-cased.
#[tokio::test]
async fn purchases_without_a_usable_value_or_currency_are_said() {
    let t = app_on(Store::open(":memory:").unwrap());
    let at = "2026-11-20T10:00:00.000Z";
    let p = |id: &str, channel: &str, value: Value, currency: Value| {
        purchase(id, &format!("s-{channel}"), at, channel, json!(id), value, currency)
    };
    let sent = vec![
        p("fr1", "email", json!("19,99"), json!("EUR")),
        p("fr2", "email", json!("59.90"), json!("EUR")),
        p("fr3", "email", Value::Null, json!("EUR")),
        p("fr4", "email", json!(10), json!("EUR")),
        p("mx1", "direct", json!(12), json!("€")),
        p("mx2", "direct", json!(5), Value::Null),
        p("mx3", "direct", json!(0.3), json!(" eur ")),
        p("mx4", "direct", json!(1), json!("EURO")),
        p("mx5", "direct", json!(2), json!("€")),
    ];
    assert_eq!(ingest(&t, sent).await, (9, 0));
    let rows = channels(&t, DAY.0, DAY.1, "").await;
    assert_eq!(
        money(&rows["email"]),
        json!({"purchases": 4, "revenue": {"EUR": 10.0}, "unvalued": 3, "unknownCurrency": {},
               "refunds": 0, "refunded": {}, "refundsUnvalued": 0, "netRevenue": {"EUR": 10.0}})
    );
    assert_eq!(
        money(&rows["direct"]),
        json!({"purchases": 5, "revenue": {"EUR": 0.3}, "unvalued": 0, "unknownCurrency": {"": 5.0, "EURO": 1.0, "€": 14.0},
               "refunds": 0, "refunded": {}, "refundsUnvalued": 0, "netRevenue": {"EUR": 0.3}})
    );
}

/// Large values in currencies of many units (IDR, VND, KRW) are summed exactly: an IDR
/// 1,500,000,000 car was counted 1,000,000,000. One over 10^15 units is no usable value.
#[tokio::test]
async fn large_values_are_summed_exactly() {
    let t = app_on(Store::open(":memory:").unwrap());
    let at = "2026-11-20T10:00:00.000Z";
    let p =
        |id: &str, value: Value, currency: &str| purchase(id, "s-big", at, "email", json!(id), value, json!(currency));
    let sent = vec![
        p("car", json!(1_500_000_000u64), "IDR"),
        p("car2", json!(1_500_000_000u64), "IDR"),
        p("flat1", json!(999_999_999_999_999u64), "VND"),
        p("flat2", json!(999_999_999_999_999u64), "VND"),
        p("pay", json!(1_234_567_890_123u64), "KRW"),
        p("pay2", json!(0.5), "KRW"),
        p("absurd", json!(1e16), "VND"),
    ];
    assert_eq!(ingest(&t, sent).await, (7, 0));
    let row = &channels(&t, DAY.0, DAY.1, "").await["email"];
    assert_eq!(
        row["revenue"],
        json!({"IDR": 3_000_000_000.0, "KRW": 1_234_567_890_123.5, "VND": 1_999_999_999_999_998.0})
    );
    assert_eq!((&row["purchases"], &row["unvalued"]), (&json!(7), &json!(1)));
}
