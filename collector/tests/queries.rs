//! The read API against a seeded database: the answers of each query, bad parameters (400 with
//! a reason), the token and Host checks, and every SQL shape's plan (an index, never a scan).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use touchpoint_collector::api::Access;
use touchpoint_collector::privacy::Subject;
use touchpoint_collector::store::SCHEMA_VERSION;
use touchpoint_collector::Store;

/// Minutes after 2026-11-20T10:00:00Z.
fn at(min: u32, sec: u32) -> String {
    format!("2026-11-20T{:02}:{:02}:{:02}.000Z", 10 + min / 60, min % 60, sec)
}

const FROM: &str = "2026-11-20T10:00:00Z";
const TO: &str = "2026-11-20T12:00:00Z";

fn ev(id: &str, site: &str, session: &str, name: &str, time: &str, path: &str, props: Value) -> Value {
    json!({
        "type": if name == "page_view" { "page" } else { "track" },
        "event": name, "messageId": id, "timestamp": time, "sessionId": session, "site": site,
        "properties": props,
        "context": {"page": {"url": format!("http://127.0.0.1:8080{path}"), "path": path, "title": "T", "referrer": ""},
                    "library": {"name": "touchpoint", "version": "0.1.0"}}
    })
}

fn friction(
    id: &str,
    session: &str,
    name: &str,
    time: &str,
    path: &str,
    selector: &str,
    during: Option<&str>,
) -> Value {
    let mut p = json!({"category": "friction", "element": {"selector": selector, "tag": "button"}});
    if let Some(d) = during {
        p["during"] = json!(d);
    }
    ev(id, "shop", session, name, time, path, p)
}

/// Three sessions on `shop` and one on `blog`:
/// - s1: views, add_to_cart, begin_checkout, purchase; one dead click on the grind chip;
/// - s2: views, add_to_cart; a rage click and a dead click on the grind chip, a js_error on
///   /cart during begin_checkout... (begin_checkout reached first);
/// - s3: a view only, no friction;
/// - b1 (blog): a view and a dead click on a link.
///
/// Customers (the SDK's `userId` on every event once the page called identify): s1 from its
/// add to cart on and b1 are customer c-1042, s2 is c-7, s3 stays anonymous.
fn seed() -> Vec<Value> {
    let chip = "#grind > button.chip";
    // The SDK carries the session's attribution on every event's context: s1 came from a
    // newsletter, s2 from a search ad, b1 from a social post (tagged with a source only); s3 has
    // none (direct, with an SDK before attribution, or another sender).
    let attribution = |session: &str| match session {
        "s1" => Some(("email", "spring_sale", "newsletter", "email")),
        "s2" => Some(("paid_search", "grinders", "google", "cpc")),
        "b1" => Some(("social", "", "facebook", "")),
        _ => None,
    };
    let mut events = vec![
        ev("1", "shop", "s1", "page_view", &at(0, 0), "/", json!({"category": "touchpoint"})),
        friction("2", "s1", "dead_click", &at(0, 10), "/p/mug", chip, None),
        ev("3", "shop", "s1", "add_to_cart", &at(1, 0), "/p/mug", json!({"category": "touchpoint", "moment": true})),
        ev("4", "shop", "s1", "begin_checkout", &at(2, 0), "/cart", json!({"moment": true})),
        ev("5", "shop", "s1", "purchase", &at(3, 0), "/done", json!({"moment": true})),
        ev("6", "shop", "s2", "page_view", &at(30, 0), "/p/mug", json!({})),
        friction("7", "s2", "rage_click", &at(30, 5), "/p/mug", chip, None),
        friction("8", "s2", "dead_click", &at(30, 9), "/p/mug", chip, None),
        ev("9", "shop", "s2", "add_to_cart", &at(31, 0), "/p/mug", json!({"moment": true})),
        ev("10", "shop", "s2", "begin_checkout", &at(32, 0), "/cart", json!({"moment": true})),
        friction("11", "s2", "js_error", &at(32, 30), "/cart", "", Some("begin_checkout")),
        ev("12", "shop", "s3", "page_view", &at(61, 0), "/", json!({})),
        ev("13", "blog", "b1", "page_view", &at(5, 0), "/post", json!({})),
        {
            let mut f = friction("14", "b1", "dead_click", &at(5, 30), "/post", "a.more", None);
            f["site"] = json!("blog");
            f
        },
    ];
    let customer = |session: &str, id: &str| match (session, id) {
        ("s1", "1" | "2") | ("s3", _) => None,
        ("s1", _) | ("b1", _) => Some("c-1042"),
        _ => Some("c-7"),
    };
    for e in &mut events {
        if let Some(user) = customer(e["sessionId"].as_str().unwrap(), e["messageId"].as_str().unwrap()) {
            e["userId"] = json!(user);
        }
        // s2's customer is abroad: their events say their own time zone.
        if e["sessionId"] == "s2" {
            e["context"]["timezone"] = json!("Europe/London");
        }
        if let Some((channel, campaign, source, medium)) = attribution(e["sessionId"].as_str().unwrap()) {
            e["context"]["channel"] = json!(channel);
            for (k, v) in [("campaign", campaign), ("source", source), ("medium", medium)] {
                if !v.is_empty() {
                    e["context"][k] = json!(v);
                }
            }
        }
    }
    events
}

async fn seeded(access: Access) -> TestApp {
    let t = read_app(Store::open(":memory:").unwrap(), access);
    let a = post(&t.app, batch(seed())).await;
    assert_eq!(a.json()["accepted"], json!(14), "{}", a.json());
    t
}

fn open() -> Access {
    Access::new(None, Vec::new(), 1000)
}

/// `common::api`, and the answer is not to be cached (every read answer says so).
async fn api(t: &TestApp, path_and_query: &str) -> Value {
    let a = get_ok(t, path_and_query).await;
    assert_eq!(a.header("cache-control"), Some("no-store"));
    a.json()
}

fn range() -> String {
    format!("from={FROM}&to={TO}")
}

#[tokio::test]
async fn friction_leaderboard() {
    let t = seeded(open()).await;
    let all = api(&t, &format!("/api/friction?{}", range())).await;
    assert_eq!(all["sessions"], json!(4));
    let rows = all["rows"].as_array().unwrap();
    let key = |r: &Value| format!("{} {} {} {} {}", r["type"], r["path"], r["selector"], r["count"], r["sessions"]);
    let keys: Vec<String> = rows.iter().map(key).collect();
    assert_eq!(
        keys,
        [
            r##""dead_click" "/p/mug" "#grind > button.chip" 2 2"##,
            r#""dead_click" "/post" "a.more" 1 1"#,
            r#""js_error" "/cart" "" 1 1"#,
            r##""rage_click" "/p/mug" "#grind > button.chip" 1 1"##,
        ]
    );
    assert_eq!(rows[0]["share"], json!(0.5));
    assert_eq!(rows[0]["trend"], json!(2), "nothing in the previous period");

    let shop = api(&t, &format!("/api/friction?{}&site=shop&type=dead_click", range())).await;
    assert_eq!(shop["sessions"], json!(3));
    assert_eq!(shop["rows"].as_array().unwrap().len(), 1);
    assert_eq!(shop["rows"][0]["count"], json!(2));
    let cart = api(&t, &format!("/api/friction?{}&site=shop&path=/cart", range())).await;
    assert_eq!(cart["rows"][0]["type"], json!("js_error"));
    // The range filters: only s2's friction after 10:30.
    let late = api(&t, "/api/friction?from=2026-11-20T10:30:00Z&to=2026-11-20T11:00:00Z&site=shop").await;
    let n: i64 = late["rows"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap()).sum();
    assert_eq!(n, 3);
    let limited = api(&t, &format!("/api/friction?{}&limit=1", range())).await;
    assert_eq!(limited["rows"].as_array().unwrap().len(), 1);
}

/// "Friction during checkout": the leaderboard of the friction captured while a moment of truth
/// was under way (`during`), a share of the sessions that reached that moment, and its
/// click-through to those sessions.
#[tokio::test]
async fn friction_during_a_moment_of_truth() {
    let t = seeded(open()).await;
    let during = api(&t, &format!("/api/friction?{}&during=begin_checkout", range())).await;
    // s1 and s2 began a checkout; only s2 met friction (a js_error on /cart) during it.
    assert_eq!(during["sessions"], json!(2));
    let rows = during["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{during}");
    assert_eq!(
        (&rows[0]["type"], &rows[0]["path"], &rows[0]["count"]),
        (&json!("js_error"), &json!("/cart"), &json!(1))
    );
    assert_eq!(rows[0]["share"], json!(0.5));
    // With the other filters, and a moment no friction happened during.
    let shop = api(&t, &format!("/api/friction?{}&during=begin_checkout&site=shop&type=js_error", range())).await;
    assert_eq!(shop["rows"].as_array().unwrap().len(), 1);
    let none = api(&t, &format!("/api/friction?{}&during=purchase", range())).await;
    assert_eq!((&none["sessions"], none["rows"].as_array().unwrap().len()), (&json!(1), 0));
    // The sessions with friction during checkout, and of one element.
    let sessions = api(&t, &format!("/api/sessions?{}&during=begin_checkout", range())).await;
    assert_eq!(ids(&sessions), ["s2"]);
    let element = api(&t, &format!("/api/sessions?{}&during=begin_checkout&type=dead_click", range())).await;
    assert_eq!(ids(&element), [] as [&str; 0]);
    // The friction chart of the same: one series, js_error, of one event.
    let chart = api(&t, &format!("/api/timeseries?{}&metric=friction&during=begin_checkout", range())).await;
    let series = chart["series"].as_object().unwrap();
    assert_eq!(series.keys().collect::<Vec<_>>(), ["js_error"], "{chart}");
    assert_eq!(series["js_error"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).sum::<i64>(), 1);
    let events = get(&t.app, &format!("/api/timeseries?{}&metric=events&during=begin_checkout", range())).await;
    assert_eq!(events.status, StatusCode::BAD_REQUEST);
    // A moment's name is an event name.
    let bad = get(&t.app, &format!("/api/friction?{}&during=Begin%20Checkout", range())).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error().contains("during"), "{}", bad.error());
}

#[tokio::test]
async fn sessions_list_and_journey() {
    let t = seeded(open()).await;
    let all = api(&t, &format!("/api/sessions?{}&site=shop", range())).await;
    let ids: Vec<&str> = all["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["s3", "s2", "s1"], "most recent first");
    let s2 = &all["sessions"][1];
    assert_eq!(s2["events"], json!(6));
    assert_eq!(s2["friction"], json!(3));
    assert_eq!(s2["touchpoints"], json!(3));
    assert_eq!(s2["moments"], json!(["add_to_cart", "begin_checkout"]));
    assert_eq!(s2["frictionByType"], json!({"dead_click": 1, "js_error": 1, "rage_click": 1}));
    assert_eq!((&s2["channel"], &s2["campaign"]), (&json!("paid_search"), &json!("grinders")));
    assert_eq!((&all["sessions"][0]["channel"], &all["sessions"][0]["campaign"]), (&json!(""), &json!("")));
    assert_eq!(all["sessions"][0]["score"], json!(80), "no friction, no moment");
    assert_eq!(all["sessions"][2]["score"].as_i64().unwrap(), {
        use touchpoint_core::score::*;
        let f = [FrictionCount { kind: "dead_click", count: 1, during_moment: 0 }];
        i64::from(experience_score(&SessionFacts { friction: &f, moments_reached: 3, moments_total: 3 }))
    });
    assert!(s2["score"].as_i64().unwrap() < all["sessions"][2]["score"].as_i64().unwrap());

    let with = api(&t, &format!("/api/sessions?{}&friction=1", range())).await;
    let ids: Vec<&str> =
        with["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["s2", "b1", "s1"]);
    // The leaderboard's click-through: sessions where this element caused friction.
    let chip = "%23grind%20%3E%20button.chip";
    let by_el =
        api(&t, &format!("/api/sessions?{}&site=shop&type=dead_click&path=/p/mug&selector={chip}", range())).await;
    let ids: Vec<&str> =
        by_el["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["s2", "s1"]);
    let rage = api(&t, &format!("/api/sessions?{}&type=rage_click", range())).await;
    assert_eq!(rage["sessions"].as_array().unwrap().len(), 1);

    let j = api(&t, "/api/sessions/s2").await;
    assert_eq!(j["session"]["sessionId"], json!("s2"));
    assert_eq!(j["session"]["channel"], json!("paid_search"));
    let steps: Vec<String> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}:{}", e["event"].as_str().unwrap(), e["category"].as_str().unwrap(), e["moment"]))
        .collect();
    assert_eq!(
        steps,
        [
            "page_view:touchpoint:false",
            "rage_click:friction:false",
            "dead_click:friction:false",
            "add_to_cart:touchpoint:true",
            "begin_checkout:touchpoint:true",
            "js_error:friction:false"
        ]
    );
    assert_eq!(j["events"][5]["during"], json!("begin_checkout"));
    // The customer's own time zone on each step (a support lead converted "3 pm" by hand).
    assert_eq!((&j["events"][0]["timezone"], &j["events"][0]["framed"]), (&json!("Europe/London"), &json!(false)));
    assert_eq!(api(&t, "/api/sessions/s3").await["events"][0]["timezone"], json!(null));
    assert_eq!(j["events"][1]["element"]["selector"], json!("#grind > button.chip"));
    let missing = get(&t.app, "/api/sessions/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.error().contains("nope"));
}

/// The shop's server sends the order it confirmed (a payment provider's webhook: the thanks page
/// may never load) as an event of the visit, with the `sessionId` the page's `getIds` gave and
/// stored with the order: no Origin header (not a browser), its own library, no page. It joins
/// that session's journey, in capture order, as a moment of truth reached.
#[tokio::test]
async fn an_event_the_shops_server_sends_with_the_visits_session_id_joins_its_journey() {
    let t = seeded(open()).await;
    let order = json!({
        "type": "track", "event": "purchase", "messageId": "srv-order-5521", "timestamp": at(62, 0),
        "sessionId": "s3", "site": "shop",
        "properties": {"transaction_id": "5521", "value": 24, "currency": "EUR"},
        "context": {"page": {"url": "", "path": "", "title": "", "referrer": ""},
                    "library": {"name": "shop-server", "version": "2.1"}}
    });
    let a = post(&t.app, batch(vec![order.clone()])).await;
    assert_eq!(a.json()["accepted"], json!(1), "{}", a.json());
    // The webhook delivered again: its messageId, made from the order, stores it once.
    let again = post(&t.app, batch(vec![order])).await;
    assert_eq!((again.json()["accepted"].clone(), again.json()["duplicates"].clone()), (json!(0), json!(1)));
    let j = api(&t, "/api/sessions/s3").await;
    let steps: Vec<String> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["event"].as_str().unwrap(), e["moment"]))
        .collect();
    assert_eq!(steps, ["page_view:false", "purchase:true"]);
    assert_eq!(j["session"]["moments"], json!(["purchase"]));
    // A "charged twice" ticket names the order: its purchase, and so its session, by the order id.
    let by_order = api(&t, "/api/events?order=5521").await;
    let found: Vec<(&str, &str)> = by_order
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["sessionId"].as_str().unwrap(), e["properties"]["transaction_id"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("s3", "5521")]);
    assert_eq!(api(&t, "/api/events?order=5521&site=shop").await.as_array().unwrap().len(), 1);
    assert_eq!(api(&t, "/api/events?order=5521&site=blog").await, json!([]));
    assert_eq!(api(&t, "/api/events?order=9999").await, json!([]));
    let long = get(&t.app, &format!("/api/events?order={}", "9".repeat(257))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn timeseries_funnel_overview_stats() {
    let t = seeded(open()).await;
    let ts = api(&t, &format!("/api/timeseries?{}&metric=friction&bucket=hour&site=shop", range())).await;
    assert_eq!(ts["bucketMs"], json!(3_600_000));
    assert_eq!(ts["buckets"].as_array().unwrap().len(), 2);
    assert_eq!(ts["series"], json!({"dead_click": [2, 0], "js_error": [1, 0], "rage_click": [1, 0]}));
    // One page's friction (the inspector's Page filter), from the friction rows: of one site, and
    // of every site (friction is the default metric).
    let mug = api(&t, &format!("/api/timeseries?{}&bucket=hour&site=shop&path=/p/mug", range())).await;
    assert_eq!(mug["series"], json!({"dead_click": [2, 0], "rage_click": [1, 0]}));
    let post = api(&t, &format!("/api/timeseries?{}&metric=friction&bucket=hour&path=/post", range())).await;
    assert_eq!(post["series"], json!({"dead_click": [1, 0]}));
    let none = api(&t, &format!("/api/timeseries?{}&bucket=hour&path=/nowhere", range())).await;
    assert_eq!(none["series"], json!({}));
    let ev = api(&t, &format!("/api/timeseries?{}&metric=events&bucket=hour", range())).await;
    assert_eq!(ev["series"], json!({"events": [13, 1]}));
    let se = api(&t, &format!("/api/timeseries?{}&metric=sessions&bucket=minute", range())).await;
    assert_eq!(se["buckets"].as_array().unwrap().len(), 120);
    assert_eq!(se["series"]["sessions"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).sum::<i64>(), 4);

    let f = api(&t, &format!("/api/funnel?{}&site=shop", range())).await;
    let counts: Vec<(String, i64)> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_string(), s["sessions"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        counts,
        [("sessions".into(), 3), ("add_to_cart".into(), 2), ("begin_checkout".into(), 2), ("purchase".into(), 1)]
    );
    assert_eq!(f["steps"][3]["dropoff"], json!(0.5));
    // Steps in another order: begin_checkout never came before add_to_cart.
    let g = api(&t, &format!("/api/funnel?{}&steps=begin_checkout,add_to_cart,purchase", range())).await;
    assert_eq!(g["steps"][1]["sessions"], json!(2));
    assert_eq!(g["steps"][2]["sessions"], json!(0));
    assert_eq!(g["steps"][2]["dropoff"], json!(1.0));
    // Nobody reached add_to_cart after begin_checkout: nobody could drop off before purchase.
    assert_eq!(g["steps"][3]["dropoff"], json!(null));

    let o = api(&t, &format!("/api/overview?{}&site=shop", range())).await;
    assert_eq!((o["events"].clone(), o["friction"].clone(), o["sessions"].clone()), (json!(12), json!(4), json!(3)));
    assert_eq!(o["sessionsWithFriction"], json!(2));
    assert_eq!(api(&t, "/api/stats").await, json!({"events": 14, "bySite": {"shop": 12, "blog": 2}}));
}

/// Two batches: session `late`'s purchase first, its add to cart and checkout (which came before
/// it) in the second; session `odd`'s purchase, then its checkout (before it) and add to cart
/// (after it).
/// The first bucket of a series begins on a multiple of the bucket, before the range's start:
/// it holds the range's minutes only, as the overview's totals do (an analyst's audit: dead
/// clicks at 10:02 and 10:04, a range from 10:03: the hour's bucket said 2, the card 1), by
/// every way a series is read (the counts, a page's friction rows, a moment's, the vitals).
#[tokio::test]
async fn the_first_bucket_holds_the_ranges_minutes_only() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let mut leave = ev("v1", "shop", "s1", "page_leave", &at(2, 0), "/p", json!({"lcp_ms": 1000}));
    leave["properties"]["engaged_ms"] = json!(1000);
    let events = vec![
        friction("f1", "s1", "dead_click", &at(2, 0), "/p", "#a", Some("begin_checkout")),
        friction("f2", "s1", "dead_click", &at(4, 0), "/p", "#a", Some("begin_checkout")),
        leave,
        ev("v2", "shop", "s1", "page_leave", &at(4, 30), "/p", json!({"lcp_ms": 1000})),
    ];
    assert_eq!(post(&t.app, batch(events)).await.json()["accepted"], json!(4));
    let from = "2026-11-20T10:03:00Z";
    let to = "2026-11-20T11:03:00Z";
    for bucket in ["5m", "hour", "day"] {
        for extra in ["", "&path=/p", "&during=begin_checkout"] {
            let q = format!("/api/timeseries?from={from}&to={to}&site=shop&bucket={bucket}{extra}");
            let v = api(&t, &q).await;
            assert_eq!(v["series"]["dead_click"][0], json!(1), "{q}: {v}");
        }
        let q = format!("/api/timeseries?from={from}&to={to}&site=shop&bucket={bucket}&metric=vitals");
        let v = api(&t, &q).await;
        assert_eq!(v["series"]["lcp_n"][0], json!(1), "{q}: {v}");
    }
    let o = api(&t, &format!("/api/overview?from={from}&to={to}&site=shop")).await;
    assert_eq!(o["friction"], json!(1), "{o}");
}

/// A session across the range's end (its first event in the range, its last after `to`: a visit
/// across midnight, for a day) is one of the range's sessions in the overview's card and in the
/// list alike (an analyst's audit: the card counted it, the list, which took the sessions whose
/// last event is in the range, did not); one over before the range is in neither.
#[tokio::test]
async fn the_sessions_list_and_the_overview_count_the_same_sessions() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let before = "2026-11-20T09:50:00.000Z";
    let events = vec![
        ev("a1", "shop", "across", "page_view", &at(119, 0), "/", json!({})),
        ev("a2", "shop", "across", "page_leave", &at(121, 0), "/", json!({})),
        ev("b1", "shop", "earlier", "page_view", before, "/", json!({})),
        ev("c1", "shop", "inside", "page_view", &at(30, 0), "/", json!({})),
    ];
    assert_eq!(post(&t.app, batch(events)).await.json()["accepted"], json!(4));
    let o = api(&t, &format!("/api/overview?{}&site=shop", range())).await;
    let l = api(&t, &format!("/api/sessions?{}&site=shop", range())).await;
    let listed: Vec<&str> =
        l["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    assert_eq!(listed, ["across", "inside"]);
    assert_eq!(o["sessions"], json!(2), "{o}");
}

fn moments_out_of_order() -> [Vec<Value>; 2] {
    let m = |id: &str, s: &str, name: &str, time: &str| ev(id, "shop", s, name, time, "/p", json!({}));
    [
        vec![m("l1", "late", "purchase", "2026-11-20T10:03:00Z"), m("o1", "odd", "purchase", "2026-11-20T10:01:00Z")],
        vec![
            m("l2", "late", "add_to_cart", "2026-11-20T10:01:00Z"),
            m("l3", "late", "begin_checkout", "2026-11-20T10:02:00Z"),
            m("o2", "odd", "begin_checkout", "2026-11-20T10:00:30Z"),
            m("o3", "odd", "add_to_cart", "2026-11-20T10:02:00Z"),
        ],
    ]
}

/// The funnel counts steps in the order they happened, not the order their events arrived: a
/// session whose purchase is received first (its add to cart and checkout in a batch retried
/// later) reached every step; one whose add to cart really came after its purchase did not.
#[tokio::test]
async fn funnel_steps_in_the_order_they_happened() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let [first, then] = moments_out_of_order();
    assert_eq!(post(&t.app, batch(first)).await.json()["accepted"], json!(2));
    assert_eq!(post(&t.app, batch(then)).await.json()["accepted"], json!(4));
    let f = api(&t, &format!("/api/funnel?{}", range())).await;
    let counts: Vec<i64> = f["steps"].as_array().unwrap().iter().map(|s| s["sessions"].as_i64().unwrap()).collect();
    // sessions, add_to_cart, begin_checkout, purchase.
    assert_eq!(counts, [2, 2, 1, 1], "{f}");
}

/// A site whose visitors book with no add to cart (a travel site): the default funnel leaves out
/// a default step no session of the range reached before one that sessions reached, and says so
/// (`skipped`); a step after the last one reached stays at 0 (nobody got that far); steps asked
/// for are kept as asked, reached or not.
#[tokio::test]
async fn the_default_funnel_leaves_out_steps_no_session_reached() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let m = |id: &str, s: &str, name: &str, time: &str| ev(id, "travel", s, name, time, "/book", json!({}));
    let events = vec![
        m("a1", "booked", "begin_checkout", "2026-11-20T10:01:00Z"),
        m("a2", "booked", "purchase", "2026-11-20T10:03:00Z"),
        m("b1", "left", "begin_checkout", "2026-11-20T10:02:00Z"),
        ev("c1", "flights", "c", "begin_checkout", "2026-11-20T10:02:00Z", "/book", json!({})),
    ];
    assert_eq!(post(&t.app, batch(events)).await.json()["accepted"], json!(4));
    let steps = |f: &Value| -> Vec<String> {
        f["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| format!("{} {}", s["step"].as_str().unwrap(), s["sessions"]))
            .collect()
    };
    let f = api(&t, &format!("/api/funnel?{}&site=travel", range())).await;
    assert_eq!(steps(&f), ["sessions 2", "begin_checkout 2", "purchase 1"], "{f}");
    assert_eq!(f["skipped"], json!(["add_to_cart"]));
    // Nobody paid on this one: its purchase step stays, at 0.
    let f = api(&t, &format!("/api/funnel?{}&site=flights", range())).await;
    assert_eq!(steps(&f), ["sessions 1", "begin_checkout 1", "purchase 0"], "{f}");
    let asked = api(&t, &format!("/api/funnel?{}&site=travel&steps=add_to_cart,purchase", range())).await;
    assert_eq!(steps(&asked), ["sessions 2", "add_to_cart 0", "purchase 0"], "{asked}");
    assert_eq!(asked["skipped"], json!([]));
    // A range with no session: every default step, at 0.
    let none = api(&t, "/api/funnel?from=2026-11-19T10:00:00Z&to=2026-11-19T11:00:00Z").await;
    assert_eq!(steps(&none), ["sessions 0", "add_to_cart 0", "begin_checkout 0", "purchase 0"], "{none}");
}

/// Sessions by channel: each channel's sessions, how many had friction, friction per session,
/// average score and conversions (sessions that reached `goal`, `purchase` by default).
#[tokio::test]
async fn sessions_by_channel() {
    let t = seeded(open()).await;
    let c = api(&t, &format!("/api/channels?{}", range())).await;
    assert_eq!(c["goal"], json!("purchase"));
    let rows = c["channels"].as_array().unwrap();
    let key = |r: &Value| {
        format!(
            "{} {} {} {} {}",
            r["channel"], r["sessions"], r["sessionsWithFriction"], r["frictionPerSession"], r["converted"]
        )
    };
    // One session each: by name.
    assert_eq!(
        rows.iter().map(key).collect::<Vec<_>>(),
        [r#""" 1 0 0.0 0"#, r#""email" 1 1 1.0 1"#, r#""paid_search" 1 1 3.0 0"#, r#""social" 1 1 1.0 0"#]
    );
    let sessions = api(&t, &format!("/api/sessions?{}", range())).await;
    for r in rows {
        let s = sessions["sessions"].as_array().unwrap().iter().find(|s| s["channel"] == r["channel"]).unwrap();
        assert_eq!(r["averageScore"].as_f64().unwrap(), s["score"].as_f64().unwrap(), "{r}");
    }
    assert_eq!(rows[1]["conversionRate"], json!(1.0));
    // One site; another goal; a range with s2 alone.
    let shop = api(&t, &format!("/api/channels?{}&site=shop&goal=add_to_cart", range())).await;
    let conv: Vec<(String, i64)> = shop["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["channel"].as_str().unwrap().to_string(), r["converted"].as_i64().unwrap()))
        .collect();
    assert_eq!(conv, [("".into(), 0), ("email".into(), 1), ("paid_search".into(), 1)]);
    let late = api(&t, "/api/channels?from=2026-11-20T10:30:00Z&to=2026-11-20T10:45:00Z&site=shop").await;
    assert_eq!(late["channels"].as_array().unwrap().len(), 1);
    assert_eq!(late["channels"][0]["channel"], json!("paid_search"));
    // Sessions arriving later are counted (the window kept between polls moves).
    let mut more = ev("15", "shop", "s4", "page_view", &at(40, 0), "/", json!({}));
    more["context"]["channel"] = json!("email");
    post(&t.app, batch(vec![more])).await;
    let again = api(&t, &format!("/api/channels?{}&site=shop", range())).await;
    assert_eq!(again["channels"][0]["channel"], json!("email"), "{again}");
    assert_eq!(again["channels"][0]["sessions"], json!(2));
    let bad = get(&t.app, &format!("/api/channels?{}&goal=Not%20a%20name", range())).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // A channel's sessions (the inspector's click on a channel): empty names the unattributed.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&channel=email", range())).await), ["s4", "s1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&channel=", range())).await), ["s3"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&channel=email&friction=1", range())).await), ["s1"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&channel=email&site=blog", range())).await).is_empty());
    let both = get(&t.app, &format!("/api/sessions?{}&channel=email&type=dead_click", range())).await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);
    assert!(both.error().contains("channel"), "{}", both.error());
}

/// The seed with device classes: s1 on a phone (its last event from a window made wider: the
/// session keeps its first), s2 on a phone from its second event on, b1 on a desktop, s3 none.
fn seed_with_devices() -> Vec<Value> {
    let mut events = seed();
    for e in &mut events {
        let device = match (e["sessionId"].as_str().unwrap(), e["messageId"].as_str().unwrap()) {
            ("s1", "5") => Some("desktop"),
            ("s1", _) | ("s2", "7" | "8" | "9" | "10" | "11") => Some("mobile"),
            ("b1", _) => Some("desktop"),
            _ => None,
        };
        if let Some(d) = device {
            e["context"]["device"] = json!(d);
        }
    }
    events
}

/// Sessions by device class (`by=device`): as by channel, each session under the device of its
/// first event that has one; a device's sessions (the inspector's click on a device).
#[tokio::test]
async fn sessions_by_device() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(seed_with_devices())).await.json()["accepted"], json!(14));
    let d = api(&t, &format!("/api/channels?{}&by=device", range())).await;
    assert_eq!(d["by"], json!("device"));
    let key = |r: &Value| {
        format!(
            "{} {} {} {} {}",
            r["device"], r["sessions"], r["sessionsWithFriction"], r["frictionPerSession"], r["converted"]
        )
    };
    let rows: Vec<String> = d["channels"].as_array().unwrap().iter().map(key).collect();
    assert_eq!(rows, [r#""mobile" 2 2 2.0 1"#, r#""" 1 0 0.0 0"#, r#""desktop" 1 1 1.0 0"#]);
    let by_channel = api(&t, &format!("/api/channels?{}", range())).await;
    assert_eq!(by_channel["by"], json!("channel"));
    assert_eq!(by_channel["channels"].as_array().unwrap().len(), 4);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&device=mobile", range())).await), ["s2", "s1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&device=", range())).await), ["s3"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&device=mobile&channel=email", range())).await), ["s1"]);
    let listed = api(&t, &format!("/api/sessions?{}&site=blog", range())).await;
    assert_eq!(listed["sessions"][0]["device"], json!("desktop"));
    // With a friction filter: the sessions where that friction was captured on the device.
    let dead = |device: &str| format!("/api/sessions?{}&type=dead_click&device={device}", range());
    assert_eq!(ids(&api(&t, &dead("mobile")).await), ["s2", "s1"]);
    assert_eq!(ids(&api(&t, &dead("desktop")).await), ["b1"]);
    assert!(ids(&api(&t, &dead("tablet")).await).is_empty());
    let bad = get(&t.app, &format!("/api/channels?{}&by=screen", range())).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // A device class the SDK never sends is no class: its session is one without (each class
    // keeps counts and page rows of its own; security QA).
    let mut tv = ev("90", "shop", "s90", "page_view", &at(70, 0), "/", json!({}));
    tv["context"]["device"] = json!("smart-fridge-1");
    assert_eq!(post(&t.app, batch(vec![tv])).await.json()["accepted"], json!(1));
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&device=", range())).await), ["s90", "s3"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&device=smart-fridge-1", range())).await).is_empty());
}

/// A device class (`device=`) narrows every panel: events, friction and page views to what was
/// captured on it, sessions to those whose first device it is.
#[tokio::test]
async fn the_device_filter_narrows_every_panel() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(seed_with_devices())).await.json()["accepted"], json!(14));
    let q = |path: &str, rest: &str| format!("/api/{path}?{}&{rest}", range());
    // s1 and s2 began on a phone: nine of their events (1-4, 7-11) were captured there, their
    // friction (2, 7, 8, 11) among them.
    let o = api(&t, &q("overview", "device=mobile")).await;
    assert_eq!((&o["sessions"], &o["friction"], &o["events"]), (&json!(2), &json!(4), &json!(9)));
    assert_eq!((&o["sessionsWithFriction"], &o["frictionPerSession"]), (&json!(2), &json!(2.0)));
    let o = api(&t, &q("overview", "device=desktop&site=blog")).await;
    assert_eq!((&o["sessions"], &o["friction"], &o["events"]), (&json!(1), &json!(1), &json!(2)));
    // A device class is needed (those without one have no counts of their own).
    assert_eq!(get(&t.app, &q("overview", "device=")).await.status, StatusCode::BAD_REQUEST);

    let f = api(&t, &q("friction", "device=mobile")).await;
    let rows: Vec<String> = f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {} {}", r["type"], r["selector"], r["count"], r["sessions"]))
        .collect();
    assert_eq!(
        rows,
        [
            r##""dead_click" "#grind > button.chip" 2 2"##,
            r#""js_error" "" 1 1"#,
            r##""rage_click" "#grind > button.chip" 1 1"##
        ]
    );
    assert_eq!(f["sessions"], json!(2), "the share is of the phone's sessions");
    let f = api(&t, &q("friction", "device=desktop")).await;
    assert_eq!((f["rows"].as_array().unwrap().len(), &f["sessions"]), (1, &json!(1)));

    let ts = api(&t, &q("timeseries", "device=mobile&bucket=hour")).await;
    assert_eq!(ts["series"], json!({"dead_click": [2, 0], "js_error": [1, 0], "rage_click": [1, 0]}));
    let ts = api(&t, &q("timeseries", "device=mobile&bucket=hour&metric=events")).await;
    assert_eq!(ts["series"], json!({"events": [9, 0]}));
    let ts = api(&t, &q("timeseries", "device=mobile&bucket=hour&metric=sessions")).await;
    assert_eq!(ts["series"], json!({"sessions": [2, 0]}));
    // With a tag too: the friction and the events, not the sessions.
    let refused = get(&t.app, &q("timeseries", "device=mobile&tag=a:b&metric=sessions")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.error().contains("device"), "{}", refused.error());

    let funnel = api(&t, &q("funnel", "device=mobile")).await;
    let reached: Vec<&Value> = funnel["steps"].as_array().unwrap().iter().map(|s| &s["sessions"]).collect();
    assert_eq!(reached, [&json!(2), &json!(2), &json!(2), &json!(1)]);
    let ch = api(&t, &q("channels", "device=mobile")).await;
    let names: Vec<&Value> = ch["channels"].as_array().unwrap().iter().map(|c| &c["channel"]).collect();
    assert_eq!(names, [&json!("email"), &json!("paid_search")]);
    // The pages of one device class: views where the page_view was captured on it, friction
    // where the friction was (s2's page view has no device class, its friction has).
    let pages = api(&t, &q("pages", "device=mobile")).await;
    let rows: Vec<String> = pages["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {} {} {}", p["path"], p["views"], p["friction"], p["frictionByType"]))
        .collect();
    assert_eq!(
        rows,
        [r#""/p/mug" 0 3 {"dead_click":2,"rage_click":1}"#, r#""/cart" 0 1 {"js_error":1}"#, r#""/" 1 0 {}"#]
    );
    assert_eq!(pages["device"], json!("mobile"));
    let desktop = api(&t, &q("pages", "device=desktop")).await;
    // (s1's purchase on /done, on a desktop, is no page view.)
    assert_eq!(desktop["pages"][0]["path"], json!("/post"), "{desktop}");
    assert_eq!(desktop["pages"].as_array().unwrap().len(), 1, "{desktop}");
    assert_eq!(get(&t.app, &q("pages", "device=")).await.status, StatusCode::BAD_REQUEST);
}

/// A version 14 database kept no counts per device class: counted from its events when the
/// database is opened, each event under its device class and each session under the one it
/// began on.
#[tokio::test]
async fn counts_per_device_are_filled_for_a_version_14_database() {
    let queries = [
        format!("/api/overview?{}&device=mobile", range()),
        format!("/api/overview?{}&device=desktop&site=blog", range()),
        format!("/api/timeseries?{}&device=mobile&metric=sessions", range()),
        format!("/api/timeseries?{}&device=mobile&metric=friction", range()),
    ];
    // (In two batches: s2's first group has no device class, its second has.)
    let (a, b): (Vec<Value>, Vec<Value>) =
        seed_with_devices().into_iter().partition(|e| e["messageId"] != json!("7") && e["messageId"] != json!("8"));
    let before = same_answers_after_migration(vec![batch(a), batch(b)], &queries, "PRAGMA user_version = 14;").await;
    assert_eq!(before[0]["events"], json!(9), "{}", before[0]);
    assert_eq!(before[1]["events"], json!(2), "{}", before[1]);
}

/// Every row of the tables a backfill chosen by version writes, sorted, as text.
fn aggregate_rows(path: &str) -> Vec<String> {
    table_rows(
        path,
        &["minute_counts", "hour_counts", "sessions", "friction", "site_totals", "page_minutes", "page_hours"],
    )
}

/// A database the current version kept its counts in, then stamped with an older version (an
/// older collector opened it, or a backup's version was edited): the backfills that version
/// would get run again, and must not count what is already counted a second time (the device
/// counts of a version 14 database were added to the existing rows: twice the events).
#[tokio::test]
async fn backfills_run_again_on_a_current_database_do_not_count_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v19.sqlite");
    let path = path.to_str().unwrap().to_string();
    let queries = [
        format!("/api/overview?{}&device=mobile", range()),
        format!("/api/overview?{}&device=desktop&site=blog", range()),
        format!("/api/overview?{}", range()),
        format!("/api/timeseries?{}&device=mobile&metric=sessions", range()),
    ];
    // (Two batches, as in the version 14 test; s1 sampled, for the `sampled:` counts.)
    let mut events = seed_with_devices();
    for e in &mut events {
        if e["sessionId"] == json!("s1") {
            e["context"]["sampleRate"] = json!(50);
        }
    }
    let (a, b): (Vec<Value>, Vec<Value>) =
        events.into_iter().partition(|e| e["messageId"] != json!("7") && e["messageId"] != json!("8"));
    let t = read_app(Store::open(&path).unwrap(), open());
    for body in [batch(a), batch(b)] {
        assert_eq!(post(&t.app, body).await.json()["rejected"], json!([]));
    }
    let mut want = Vec::new();
    for q in &queries {
        want.push(api(&t, q).await);
    }
    drop(t);
    assert_eq!(want[0]["events"], json!(9), "{}", want[0]);
    let rows = aggregate_rows(&path);
    assert!(rows.iter().any(|r| r.contains("sampled:50")), "{rows:#?}");
    // 14: the device counts; 7: the sampled counts too; 3: the hours from the minutes; 0: every
    // aggregate made again from the events.
    for version in [14, 7, 3, 0] {
        rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", version).unwrap();
        let t = read_app(Store::open(&path).unwrap(), open());
        for (q, want) in queries.iter().zip(&want) {
            assert_eq!(&api(&t, q).await, want, "stamped {version}: {q}");
        }
        drop(t);
        assert_eq!(aggregate_rows(&path), rows, "stamped {version}");
    }
}

/// A version 13 database kept no page rows per device class: counted again, with them, when
/// the database is opened.
#[tokio::test]
async fn page_rows_per_device_are_filled_for_a_version_13_database() {
    let queries = [
        format!("/api/pages?{}&device=mobile", range()),
        format!("/api/pages?{}&device=desktop&site=blog", range()),
        format!("/api/pages?{}", range()),
    ];
    let before = same_answers_after_migration(
        vec![batch(seed_with_devices())],
        &queries,
        "DELETE FROM page_minutes WHERE instr(site, char(1)) > 0; DELETE FROM page_hours WHERE instr(site, char(1)) > 0;
         DELETE FROM page_days WHERE instr(site, char(1)) > 0; PRAGMA user_version = 13;",
    )
    .await;
    assert_eq!(before[0]["pages"].as_array().unwrap().len(), 3, "{}", before[0]);
    assert_eq!(before[1]["pages"].as_array().unwrap().len(), 1, "{}", before[1]);
}

/// A version 12 database's friction rows lack their device class: filled from their events
/// when the database is opened, and the friction indexes made again with it.
#[tokio::test]
async fn friction_devices_are_filled_for_a_version_12_database() {
    let queries = [
        format!("/api/friction?{}&device=mobile", range()),
        format!("/api/overview?{}&device=mobile&site=shop", range()),
        format!("/api/sessions?{}&type=dead_click&device=desktop", range()),
    ];
    let before = same_answers_after_migration(
        vec![batch(seed_with_devices())],
        &queries,
        // (The table made again: DROP COLUMN trips over the comment after its last column.)
        "DROP INDEX friction_site_ts; DROP INDEX friction_ts;
         CREATE TABLE f12 AS SELECT id, site, ts, session_id, event, path, selector, during FROM friction;
         DROP TABLE friction;
         CREATE TABLE friction (id INTEGER PRIMARY KEY, site TEXT NOT NULL, ts INTEGER NOT NULL,
           session_id TEXT NOT NULL, event TEXT NOT NULL, path TEXT NOT NULL, selector TEXT NOT NULL,
           during TEXT NOT NULL);
         INSERT INTO friction SELECT * FROM f12; DROP TABLE f12;
         CREATE INDEX friction_site_ts ON friction(site, ts, event, path, selector, session_id);
         CREATE INDEX friction_ts ON friction(ts, event, path, selector, session_id, site);
         PRAGMA user_version = 12;",
    )
    .await;
    assert_eq!(before[0]["rows"].as_array().unwrap().len(), 3, "{}", before[0]);
    assert_eq!(ids(&before[2]), ["b1"]);
}

/// Two product cards' Save buttons share a selector: the leaderboard keeps them one row (texts
/// like "Cart (3)" would split an element's rows), named by its latest event's text, with how many
/// distinct texts its events carry and the first few of them (most events first).
fn seed_with_texts() -> Vec<Value> {
    let save = "#grid > li.card > span.save";
    let with_text = |mut e: Value, text: &str| {
        e["properties"]["element"]["text"] = json!(text);
        e
    };
    let long = "é".repeat(70);
    vec![
        with_text(friction("t1", "s1", "dead_click", &at(0, 10), "/", save, None), "Save Burr Grinder"),
        with_text(friction("t2", "s2", "dead_click", &at(0, 20), "/", save, None), "Save Burr Grinder"),
        with_text(friction("t3", "s2", "dead_click", &at(0, 30), "/", save, None), "Save Stoneware Mug"),
        // (Another element, of no text, and one of a text longer than the SDK sends: cut.)
        friction("t4", "s1", "rage_click", &at(0, 40), "/", "#pay", None),
        with_text(friction("t5", "s1", "rage_click", &at(0, 50), "/", "#long", None), &long),
    ]
}

#[tokio::test]
async fn friction_rows_are_named_by_their_element_text() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let a = post(&t.app, batch(seed_with_texts())).await;
    assert_eq!(a.json()["accepted"], json!(5), "{}", a.json());
    let board = api(&t, &format!("/api/friction?{}", range())).await;
    let rows = board["rows"].as_array().unwrap();
    let row = |selector: &str| rows.iter().find(|r| r["selector"] == selector).unwrap_or_else(|| panic!("{board}"));
    let save = row("#grid > li.card > span.save");
    assert_eq!(save["count"], json!(3), "one row for both cards: {board}");
    assert_eq!(save["text"], json!("Save Stoneware Mug"), "its latest event's text");
    assert_eq!(save["texts"], json!(2));
    assert_eq!(
        save["topTexts"],
        json!([{"text": "Save Burr Grinder", "count": 2}, {"text": "Save Stoneware Mug", "count": 1}])
    );
    let pay = row("#pay");
    assert_eq!((&pay["text"], &pay["texts"], &pay["topTexts"]), (&json!(""), &json!(0), &json!([])));
    assert_eq!(row("#long")["text"], json!("é".repeat(64)), "cut to the SDK's 64 characters");
    // A range holding only the first card's events: one text.
    let early = api(&t, "/api/friction?from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:25Z").await;
    assert_eq!((&early["rows"][0]["text"], &early["rows"][0]["texts"]), (&json!("Save Burr Grinder"), &json!(1)));
}

/// A version 32 database's friction rows have no text: filled from their events when it is
/// opened, and the friction indexes made again with it (the leaderboard reads it from them).
#[tokio::test]
async fn friction_texts_are_filled_for_a_version_32_database() {
    let queries = [format!("/api/friction?{}", range()), format!("/api/friction?{}&during=begin_checkout", range())];
    let mut events = seed_with_texts();
    events.push({
        let mut e = friction("t6", "s3", "dead_click", &at(1, 0), "/cart", "#pay", Some("begin_checkout"));
        e["properties"]["element"]["text"] = json!("Pay now");
        e
    });
    let before = same_answers_after_migration(
        vec![batch(events)],
        &queries,
        // (The table made again: DROP COLUMN trips over the comment after its last column.)
        "CREATE TABLE f32 AS SELECT id, site, ts, session_id, event, path, selector, during, device FROM friction;
         DROP TABLE friction;
         CREATE TABLE friction (id INTEGER PRIMARY KEY, site TEXT NOT NULL, ts INTEGER NOT NULL,
           session_id TEXT NOT NULL, event TEXT NOT NULL, path TEXT NOT NULL, selector TEXT NOT NULL,
           during TEXT NOT NULL, device TEXT NOT NULL DEFAULT '');
         INSERT INTO friction SELECT * FROM f32; DROP TABLE f32;
         CREATE INDEX friction_site_ts ON friction(site, ts, event, path, selector, session_id, device);
         CREATE INDEX friction_ts ON friction(ts, event, path, selector, session_id, site, device);
         CREATE INDEX friction_during ON friction(during, ts, site, event, path, selector, session_id, device)
           WHERE during <> '';
         PRAGMA user_version = 32;",
    )
    .await;
    assert_eq!(before[0]["rows"][0]["texts"], json!(2), "{}", before[0]);
    assert_eq!(before[1]["rows"][0]["text"], json!("Pay now"), "{}", before[1]);
    assert!(before[0]["rows"].as_array().unwrap().iter().any(|r| r["text"] == "é".repeat(64)), "{}", before[0]);
}

/// Sessions by campaign (`by=campaign`): each session under the campaign its attribution came
/// with (`context.campaign`), those without one under `""`; a campaign's sessions.
#[tokio::test]
async fn sessions_by_campaign() {
    let t = seeded(open()).await;
    let d = api(&t, &format!("/api/channels?{}&by=campaign", range())).await;
    assert_eq!((&d["by"], &d["others"]), (&json!("campaign"), &Value::Null));
    let rows: Vec<String> = d["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {} {}", r["campaign"], r["sessions"], r["sessionsWithFriction"], r["converted"]))
        .collect();
    assert_eq!(rows, [r#""" 2 1 0"#, r#""grinders" 1 1 0"#, r#""spring_sale" 1 1 1"#]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&campaign=grinders", range())).await), ["s2"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&campaign=", range())).await), ["s3", "b1"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&campaign=grinders&channel=email", range())).await).is_empty());
    let both = get(&t.app, &format!("/api/sessions?{}&campaign=grinders&path=/", range())).await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);
    assert!(both.error().contains("campaign"), "{}", both.error());
}

/// Sessions by source / medium (`by=source`, GA4's "Session source / medium"): each session under
/// the `utm_source` and `utm_medium` its attribution came with (`context.source`,
/// `context.medium`), written `source / medium`, a missing one `(not set)`, those with neither
/// under `""` (as `by=campaign`); a source / medium's sessions; unknown groupings refused.
#[tokio::test]
async fn sessions_by_source_medium() {
    let t = seeded(open()).await;
    let d = api(&t, &format!("/api/channels?{}&by=source", range())).await;
    assert_eq!((&d["by"], &d["others"]), (&json!("source"), &Value::Null));
    let rows: Vec<String> = d["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {} {}", r["source"], r["sessions"], r["sessionsWithFriction"], r["converted"]))
        .collect();
    assert_eq!(
        rows,
        [r#""" 1 0 0"#, r#""facebook / (not set)" 1 1 0"#, r#""google / cpc" 1 1 0"#, r#""newsletter / email" 1 1 1"#]
    );
    // The same figures as the other groupings (vitals included), and narrowed as they are.
    let by_channel = api(&t, &format!("/api/channels?{}", range())).await;
    let keys =
        |v: &Value| v["channels"][0].as_object().unwrap().keys().filter(|k| *k != "channel" && *k != "source").count();
    assert_eq!(keys(&d), keys(&by_channel));
    let shop = api(&t, &format!("/api/channels?{}&by=source&site=shop", range())).await;
    assert_eq!(shop["channels"].as_array().unwrap().len(), 3, "{shop}");
    // Its click-through: the sessions of one source / medium, or of none.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&source=google%20%2F%20cpc", range())).await), ["s2"]);
    let not_set = api(&t, &format!("/api/sessions?{}&source=facebook%20%2F%20(not%20set)", range())).await;
    assert_eq!(ids(&not_set), ["b1"]);
    assert_eq!(not_set["sessions"][0]["source"], json!("facebook / (not set)"));
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&source=", range())).await), ["s3"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&source=google", range())).await).is_empty(), "the pair only");
    assert!(
        ids(&api(&t, &format!("/api/sessions?{}&source=google%20%2F%20cpc&channel=email", range())).await).is_empty()
    );
    let both = get(&t.app, &format!("/api/sessions?{}&source=google%20%2F%20cpc&path=/", range())).await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);
    assert!(both.error().contains("source"), "{}", both.error());
    let long = get(&t.app, &format!("/api/sessions?{}&source={}", range(), "a".repeat(516))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(long.error().contains("source"), "{}", long.error());
    // Groupings it does not know: refused, naming the ones it does.
    for by in ["medium", "source_medium", "Source", ""] {
        let bad = get(&t.app, &format!("/api/channels?{}&by={by}", range())).await;
        if by.is_empty() {
            assert_eq!(bad.status, StatusCode::OK, "empty: the default");
            continue;
        }
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{by}");
        assert!(bad.error().contains("channel, device, campaign, source"), "{}", bad.error());
    }
}

/// A version 26 database's sessions lack their source and medium: the columns are added, the two
/// session indexes made again with them, and each session's filled from its stored events (as
/// the channel and campaign were, version 4) when it is opened: every `sessions` row as ingestion
/// made it, the channels by source / medium and a source / medium's sessions answered as before.
#[tokio::test]
async fn sources_are_filled_for_a_version_26_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v26.sqlite");
    let path = path.to_str().unwrap();
    let t = read_app(Store::open(path).unwrap(), open());
    // With one whose key is escaped (SQLite's JSON functions read it as the validator does), and
    // one that says its source on a later event only: the first with a channel counts, as ingested.
    let mut late = ev("20", "shop", "s4", "page_view", &at(70, 0), "/", json!({}));
    late["context"]["channel"] = json!("referral");
    let mut later = ev("21", "shop", "s4", "click", &at(70, 5), "/", json!({}));
    later["context"]["channel"] = json!("referral");
    later["context"]["source"] = json!("partner");
    let mut escaped = ev("22", "blog", "b2", "page_view", &at(71, 0), "/post", json!({}));
    escaped["context"]["channel"] = json!("email");
    escaped["context"]["medium"] = json!("email");
    let escaped = String::from_utf8(batch(vec![escaped])).unwrap().replace(r#""medium""#, r#""m\u0065dium""#);
    for b in [batch(seed()), batch(vec![late, later]), escaped.into_bytes()] {
        assert_eq!(post(&t.app, b).await.json()["rejected"], json!([]));
    }
    let queries = [
        format!("/api/channels?{}&by=source", range()),
        format!("/api/channels?{}&by=source&site=shop", range()),
        format!("/api/sessions?{}&source=newsletter%20%2F%20email", range()),
        format!("/api/sessions?{}&source=", range()),
        format!("/api/sessions?{}", range()),
    ];
    let mut before = Vec::new();
    for q in &queries {
        before.push(api(&t, q).await);
    }
    drop(t);
    let rows = |v: &Value| v["channels"].as_array().unwrap().iter().map(|r| r["source"].clone()).collect::<Vec<_>>();
    assert_eq!(
        rows(&before[0]),
        [
            json!(""),
            json!("(not set) / email"),
            json!("facebook / (not set)"),
            json!("google / cpc"),
            json!("newsletter / email")
        ],
        "{}",
        before[0]
    );
    assert_eq!(ids(&before[3]), ["s4", "s3"]);
    let kept = table_rows(path, &["sessions"]);
    assert_eq!(kept.len(), 6);
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(&format!("{WITHOUT_SOURCES} PRAGMA user_version = 26;"))
        .unwrap();
    assert_ne!(table_rows(path, &["sessions"]), kept);
    let t = read_app(Store::open(path).unwrap(), open());
    for (q, want) in queries.iter().zip(&before) {
        assert_eq!(&api(&t, q).await, want, "{q}");
    }
    drop(t);
    assert_eq!(table_rows(path, &["sessions"]), kept);
    let c = rusqlite::Connection::open(path).unwrap();
    assert_eq!(user_version(&c), SCHEMA_VERSION);
    let indexes: String = c
        .query_row(
            "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name IN ('sessions_last', 'sessions_site_last')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((indexes.matches("source").count(), indexes.matches("medium").count()), (2, 2), "{indexes}");
}

/// SQL turning a database's `sessions` back into version 26's: without the source and medium
/// (nor the browser and OS of `sessions` and `events`, from version 28), its two indexes as that
/// version made them.
const WITHOUT_SOURCES: &str = "
DROP INDEX sessions_site_last; DROP INDEX sessions_last;
ALTER TABLE sessions DROP COLUMN source; ALTER TABLE sessions DROP COLUMN medium;
ALTER TABLE sessions DROP COLUMN browser; ALTER TABLE sessions DROP COLUMN os;
ALTER TABLE events DROP COLUMN os; ALTER TABLE events DROP COLUMN browser;
CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel, device, campaign,
    lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor, anonymous_id);
CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel, device, campaign,
    lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor, anonymous_id);";

/// Campaign names come from the pages' URLs, so there may be any number of them: the answer
/// holds the 100 with the most sessions, and the rest summed in `others`.
#[tokio::test]
async fn campaigns_past_the_hundredth_are_summed() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    // Campaign k has 1 session for k < 100, and c000 has 3 (the most): 103 sessions, 102 campaigns.
    // The sessions of c100 and c101 leave their page with a good and a poor LCP.
    let mut events = Vec::new();
    for k in 0..102u32 {
        for n in 0..if k == 0 { 3 } else { 1 } {
            let session = format!("s{k}-{n}");
            let mut e = ev(&format!("m{k}-{n}"), "shop", &session, "page_view", &at(1, k % 60), "/", json!({}));
            e["context"]["channel"] = json!("email");
            e["context"]["campaign"] = json!(format!("c{k:03}"));
            events.push(e);
            if k >= 100 {
                let lcp = if k == 100 { 1000 } else { 5000 };
                let props = json!({"category": "touchpoint", "path": "/", "lcp_ms": lcp});
                events.push(ev(&format!("l{k}"), "shop", &session, "page_leave", &at(2, k % 60), "/", props));
            }
        }
    }
    assert_eq!(post(&t.app, batch(events)).await.json()["accepted"], json!(106));
    let d = api(&t, &format!("/api/channels?{}&by=campaign", range())).await;
    let rows = d["channels"].as_array().unwrap();
    assert_eq!(rows.len(), 100);
    assert_eq!((&rows[0]["campaign"], &rows[0]["sessions"]), (&json!("c000"), &json!(3)));
    // Then by name: c001..c099 kept, c100 and c101 summed.
    assert_eq!(rows[99]["campaign"], json!("c099"));
    assert_eq!((&d["others"]["count"], &d["others"]["sessions"]), (&json!(2), &json!(2)));
    assert!(d["others"].get("campaign").is_none());
    // Their vitals summed too.
    assert_eq!(d["others"]["vitals"]["lcp"], json!({"n": 2, "good": 1, "poor": 1}), "{}", d["others"]);
    assert_eq!(d["others"]["vitals"]["cls"], json!({"n": 0, "good": 0, "poor": 0}));
}

/// A version 11 database's two session indexes lack the campaign: made again with it when the
/// database is opened, with the same answers.
#[tokio::test]
async fn session_indexes_gain_the_campaign_in_a_version_11_database() {
    let queries = [
        format!("/api/channels?{}&by=campaign", range()),
        format!("/api/channels?{}&by=campaign&site=shop", range()),
        format!("/api/sessions?{}&campaign=grinders", range()),
    ];
    let before = same_answers_after_migration(
        vec![batch(seed())],
        &queries,
        "DROP INDEX sessions_site_last; DROP INDEX sessions_last;
         CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel, device);
         CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel, device);
         PRAGMA user_version = 11;",
    )
    .await;
    assert_eq!(before[0]["channels"].as_array().unwrap().len(), 3, "{}", before[0]);
}

/// A version 9 database (sessions without their device class) gets `device` added and filled
/// from each session's events when it is opened, and its session indexes made again with it.
#[tokio::test]
async fn devices_are_filled_for_a_version_9_database() {
    let queries = [
        format!("/api/channels?{}&by=device", range()),
        format!("/api/sessions?{}&device=mobile", range()),
        format!("/api/sessions?{}&site=shop", range()),
    ];
    let before = same_answers_after_migration(
        vec![batch(seed_with_devices())],
        &queries,
        "DROP INDEX sessions_site_last; DROP INDEX sessions_last; ALTER TABLE sessions DROP COLUMN device;
         CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel);
         CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel);
         PRAGMA user_version = 9;",
    )
    .await;
    assert_eq!(before[0]["channels"].as_array().unwrap().len(), 3, "{}", before[0]);
    assert_eq!(ids(&before[1]), ["s2", "s1"]);
}

/// A page row for all sites (site `''`), as versions 9 and 10 kept them, is gone once opened.
#[tokio::test]
async fn page_rows_for_all_sites_are_dropped_from_a_version_10_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v10.sqlite").to_str().unwrap().to_string();
    drop(Store::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "INSERT INTO page_minutes (site, minute, path, views, leaves, engaged_ms, scroll_pct, friction) VALUES ('', 1, '/', 1, 0, 0, 0, 0);
         INSERT INTO page_hours (site, hour, path, views, leaves, engaged_ms, scroll_pct, friction) VALUES ('', 0, '/', 1, 0, 0, 0, 0);
         INSERT INTO page_days (site, day, path, views, leaves, engaged_ms, scroll_pct, friction) VALUES ('', 0, '/', 1, 0, 0, 0, 0);
         PRAGMA user_version = 10;",
    )
    .unwrap();
    drop(c);
    drop(Store::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    for t in ["page_minutes", "page_hours", "page_days"] {
        let n: i64 = c.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "{t}");
    }
}

/// The session ids of a sessions list.
fn ids(v: &Value) -> Vec<String> {
    v["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap().to_string()).collect()
}

/// An identify event (the page named its customer), as the SDK sends it.
fn identify(id: &str, session: &str, user: &str, time: &str) -> Value {
    let mut e = ev(id, "shop", session, "identify", time, "/account", json!({"plan": "pro"}));
    e["type"] = json!("identify");
    e["userId"] = json!(user);
    e
}

/// Each session's customer (the userId of its latest event that has one), and a customer's
/// sessions (the inspector's customer filter).
#[tokio::test]
async fn sessions_by_customer() {
    let t = seeded(open()).await;
    let all = api(&t, &format!("/api/sessions?{}", range())).await;
    let users: Vec<(String, Value)> = all["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["sessionId"].as_str().unwrap().to_string(), s["userId"].clone()))
        .collect();
    let want = [("s3", json!(null)), ("s2", json!("c-7")), ("b1", json!("c-1042")), ("s1", json!("c-1042"))];
    assert_eq!(users, want.map(|(s, u)| (s.to_string(), u)), "null when anonymous");
    assert_eq!(api(&t, "/api/sessions/s1").await["session"]["userId"], json!("c-1042"));
    assert_eq!(api(&t, "/api/sessions/s3").await["session"]["userId"], json!(null));

    // A customer's sessions, on every site, most recent first; with the other filters.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=c-1042", range())).await), ["b1", "s1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=c-1042&site=shop", range())).await), ["s1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=c-1042&channel=email", range())).await), ["s1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=c-7&friction=1&limit=1", range())).await), ["s2"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&user=c-104", range())).await).is_empty(), "exact");
    assert!(
        ids(&api(&t, "/api/sessions?from=2026-11-20T10:04:00Z&to=2026-11-20T10:05:00Z&user=c-1042").await).is_empty()
    );
    // Empty: no filter, like the other parameters.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=", range())).await).len(), 4);

    // An identify names another customer: the latest event that names one wins, also when an
    // earlier one arrives after it (a retry).
    let a = post(&t.app, batch(vec![identify("15", "s1", "c-2000", &at(3, 30))])).await;
    assert_eq!(a.json()["accepted"], json!(1), "{}", a.json());
    post(&t.app, batch(vec![identify("16", "s1", "c-old", &at(1, 30))])).await;
    assert_eq!(api(&t, "/api/sessions/s1").await["session"]["userId"], json!("c-2000"));
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=c-1042", range())).await), ["b1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user=c-2000", range())).await), ["s1"]);
    // The identify events are steps of the journey, in capture order.
    let j = api(&t, "/api/sessions/s1").await;
    let steps: Vec<(&str, &str, &str)> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["event"].as_str().unwrap(), e["category"].as_str().unwrap()))
        .collect();
    assert_eq!(steps[3], ("identify", "identify", "touchpoint"));
    assert_eq!(steps[6], ("identify", "identify", "touchpoint"));
    assert_eq!(j["events"][6]["properties"], json!({"plan": "pro"}));
    assert_eq!((&j["events"][6]["userId"], &j["events"][0]["userId"]), (&json!("c-2000"), &json!(null)));

    // Bad customer ids, and a customer with a friction element (that list comes from friction).
    for (q, needle) in [
        (format!("user={}", "u".repeat(129)), "user: expected a customer id"),
        ("user=c%071".to_string(), "user: expected a customer id"),
        ("user=c-7&type=dead_click".to_string(), "user: not with type, path, selector or during"),
        ("user=c-7&user=c-8".to_string(), "user: given more than once"),
    ] {
        let a = get(&t.app, &format!("/api/sessions?{}&{q}", range())).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(a.error().contains(needle), "{q}: {}", a.error());
    }
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&user={}", range(), "%C3%BC".repeat(128))).await).len(), 0);
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_reason() {
    let t = seeded(open()).await;
    for (q, needle) in [
        ("/api/friction?site=sh%20op", "site"),
        ("/api/friction?from=yesterday", "from"),
        ("/api/friction?to=2026-13-01T00:00:00Z", "to"),
        ("/api/friction?from=2026-11-20T12:00:00Z&to=2026-11-20T10:00:00Z", "from"),
        ("/api/friction?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "days"),
        ("/api/friction?limit=0", "limit"),
        ("/api/events?limit=0", "limit"),
        ("/api/friction?limit=ten", "limit"),
        ("/api/friction?type=Rage-Click", "type"),
        ("/api/friction?path=cart", "path"),
        ("/api/friction?colour=red", "colour"),
        ("/api/friction?site=a&site=b", "site"),
        ("/api/sessions?friction=maybe", "friction"),
        ("/api/sessions?selector=".to_string().leak(), ""),
        ("/api/timeseries?metric=revenue", "metric"),
        ("/api/timeseries?bucket=week", "bucket"),
        ("/api/pages?tag=a", "tag"),
        ("/api/timeseries?metric=vitals&tag=a:b&device=", "device"),
        ("/api/timeseries?metric=events&path=/cart", "path"),
        ("/api/timeseries?bucket=minute&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", "bucket"),
        ("/api/funnel?steps=a,B", "steps"),
        ("/api/funnel?steps=a,b,c,d,e,f,g,h,i", "steps"),
        ("/api/events?limit=lots", "limit"),
        ("/api/stats?x=1", "x"),
        ("/api/sessions/s1?limit=3", "limit"),
    ] {
        if needle.is_empty() {
            // An empty value is the same as absent.
            assert_eq!(get(&t.app, q).await.status, StatusCode::OK, "{q}");
            continue;
        }
        let a = get(&t.app, q).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}: {}", String::from_utf8_lossy(&a.bytes));
        assert!(a.error().contains(needle), "{q}: {}", a.error());
    }
    // Limits are capped rather than refused.
    let many = api(&t, &format!("/api/sessions?{}&limit=100000", range())).await;
    assert_eq!(many["sessions"].as_array().unwrap().len(), 4);
}

async fn get_with(t: &TestApp, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(&t.app, req.body(Body::empty()).unwrap()).await
}

/// From a security review. Requests without the token have a rate bucket of their own: one
/// client sending them (behind a proxy, every client is the proxy's address) locked the product
/// team's inspector out with 429s. And open reads (no token) are for the machine itself: a read
/// a proxy forwarded is refused, or a proxy that writes Host as the loopback address it reaches
/// made every event anyone's to read.
#[tokio::test]
async fn refused_reads_spend_no_readers_budget_and_open_reads_are_not_proxied() {
    let token = "s3cret-token-123";
    let t = seeded(Access::new(Some(token.into()), Vec::new(), 5)).await;
    let host = ("host", HOST);
    let bearer = format!("Bearer {token}");
    for _ in 0..20 {
        let a = get_with(&t, "/api/stats", &[host]).await;
        assert!(a.status == StatusCode::UNAUTHORIZED || a.status == StatusCode::TOO_MANY_REQUESTS, "{}", a.status);
    }
    assert_eq!(get_with(&t, "/api/stats", &[host]).await.status, StatusCode::TOO_MANY_REQUESTS, "they are limited too");
    assert_eq!(get_with(&t, "/api/stats", &[host, ("authorization", &bearer)]).await.status, StatusCode::OK);

    let open = seeded(Access::new(None, Vec::new(), 1000)).await;
    assert_eq!(get_with(&open, "/api/stats", &[host]).await.status, StatusCode::OK);
    for proxy in [("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=203.0.113.9"), ("x-real-ip", "203.0.113.9")] {
        let a = get_with(&open, "/api/stats", &[host, proxy]).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{proxy:?}");
        assert!(a.error().contains("--read-token"), "{}", a.error());
    }
}

#[tokio::test]
async fn token_and_host_checks() {
    let token = "s3cret-token-123";
    let t = seeded(Access::new(Some(token.into()), vec!["insights.shop.example".into()], 1000)).await;
    let host = ("host", HOST);
    for uri in [
        "/api/events",
        "/api/stats",
        "/api/friction",
        "/api/sessions",
        "/api/sessions/s1",
        "/api/timeseries",
        "/api/funnel",
        "/api/overview",
        "/inspector",
    ] {
        let a = get_with(&t, uri, &[host]).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(a.error().contains("token"), "{uri}");
        let wrong = get_with(&t, uri, &[host, ("authorization", "Bearer s3cret-token-124")]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    let bearer = format!("Bearer {token}");
    let ok = get_with(&t, "/api/stats", &[host, ("authorization", &bearer)]).await;
    assert_eq!(ok.status, StatusCode::OK);
    // Never framed by another page, no sniffing, no referrer; on refusals too.
    for a in [&ok, &get_with(&t, "/inspector", &[host]).await] {
        assert!(a.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(
            (a.header("x-frame-options"), a.header("x-content-type-options"), a.header("referrer-policy")),
            (Some("DENY"), Some("nosniff"), Some("no-referrer"))
        );
    }
    // The scheme's name in any case (RFC 9110).
    let lower = format!("bearer {token}");
    assert_eq!(get_with(&t, "/api/stats", &[host, ("authorization", &lower)]).await.status, StatusCode::OK);
    let cookie = format!("a=b; tp_read={token}");
    assert_eq!(get_with(&t, "/api/stats", &[host, ("cookie", &cookie)]).await.status, StatusCode::OK);
    // ?token= answers and sets the cookie; on the inspector it redirects to the address without it.
    let q = get_with(&t, &format!("/api/stats?token={token}"), &[host]).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q
        .header("set-cookie")
        .unwrap()
        .starts_with(&format!("tp_read={token}; Path=/; HttpOnly; SameSite=Strict")));
    assert!(!q.header("set-cookie").unwrap().contains("Secure"), "plain HTTP: a Secure cookie would not be kept");
    // Behind a TLS proxy, the cookie is never sent over plain HTTP again.
    for proxy in
        [("x-forwarded-proto", "https"), ("x-forwarded-proto", "HTTPS, http"), ("forwarded", "for=1.2.3.4;proto=https")]
    {
        let q = get_with(&t, &format!("/api/stats?token={token}"), &[host, proxy]).await;
        assert!(q.header("set-cookie").unwrap().ends_with("; Secure"), "{proxy:?}");
    }
    let q = get_with(&t, &format!("/api/stats?token={token}"), &[host, ("x-forwarded-proto", "http")]).await;
    assert!(!q.header("set-cookie").unwrap().contains("Secure"));
    let r = get_with(&t, &format!("/inspector?site=shop&token={token}&type=dead_click"), &[host]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/inspector?site=shop&type=dead_click"));
    assert!(r.header("set-cookie").is_some());
    // Ingestion needs no token.
    assert_eq!(post(&t.app, batch(vec![event("x1", "shop")])).await.status, StatusCode::OK);

    // Host: loopback names and the public names only (DNS rebinding is refused even with the token).
    for (h, ok) in [
        ("127.0.0.1:8080", true),
        ("localhost:3000", true),
        ("LOCALHOST", true),
        ("app.localhost:1", true),
        ("[::1]:8080", true),
        ("127.0.0.2", true),
        ("insights.shop.example", true),
        ("insights.shop.example:443", true),
        ("evil.example", false),
        ("evil.example:8080", false),
        ("localhost.evil.example", false),
        ("127.0.0.1.nip.io", false),
        ("", false),
        ("[::1", false),
    ] {
        let a = get_with(&t, "/api/stats", &[("host", h), ("authorization", &bearer)]).await;
        assert_eq!(a.status == StatusCode::OK, ok, "{h}: {}", a.status);
        if !ok {
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{h}");
            assert!(a.error().contains("host"));
        }
    }
}

#[tokio::test]
async fn reads_are_rate_limited() {
    let t = seeded(Access::new(None, Vec::new(), 3)).await;
    let statuses: Vec<StatusCode> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(get(&t.app, "/api/stats").await.status);
        }
        v
    };
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 3, "{statuses:?}");
    let limited = get(&t.app, "/api/stats").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("1"));
    // Ingestion has its own limiter (off here).
    assert_eq!(post(&t.app, batch(vec![event("y1", "shop")])).await.status, StatusCode::OK);
}

/// Every query shape uses an index: no plan step scans `events`, `friction` or `sessions`
/// (the one exception is `/api/events` without filters, which reads the table newest rowid
/// first and stops at its limit; it is not in `all_shapes`).
#[test]
fn every_query_shape_uses_an_index() {
    let shapes = touchpoint_collector::query::all_shapes();
    assert!(shapes.len() > 50, "{}", shapes.len());
    check_plans(shapes, false);
}

/// The shapes with a tag filter too: the same indexes, and the tags read from `event_tags`
/// (named `t`) through one of its indexes, never from an event's body (no `json_each`). With
/// several tags (`tag=` repeated, up to `MAX_TAGS`), the same shapes, each further tag looked up
/// by the whole key of `event_tags` (`t1`, `t2`, ...) or of `session_tags`.
#[test]
fn every_tag_query_shape_uses_an_index() {
    let shapes = touchpoint_collector::query::tag_shapes();
    assert!(shapes.len() > 120, "{}", shapes.len());
    let several: Vec<&(String, usize)> = shapes.iter().filter(|(sql, _)| sql.contains("event_tags AS t3")).collect();
    assert!(several.len() > 20, "{}", several.len());
    assert!(shapes.iter().filter(|(sql, _)| sql.matches("FROM session_tags AS t").count() == 4).count() > 20);
    check_plans(shapes, true);
}

/// The leaderboard window's scans of a range read the friction index alone (no row lookups),
/// each row's element text included: with a site, without, and during a moment of truth.
#[test]
fn friction_range_scans_are_index_only() {
    use touchpoint_collector::window::{range_sql, Filters};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.sqlite");
    let path = path.to_str().unwrap();
    drop(Store::open(path).unwrap());
    let c = rusqlite::Connection::open(path).unwrap();
    let none = Filters { site: None, kind: None, path: None, selector: None, tag: None, device: None, during: None };
    let some = |s: &str| Some(s.to_string());
    for (f, index) in [
        (none.clone(), "friction_ts"),
        (Filters { site: some("shop"), device: some("mobile"), ..none.clone() }, "friction_site_ts"),
        (Filters { during: some("begin_checkout"), kind: some("dead_click"), ..none.clone() }, "friction_during"),
    ] {
        let (sql, args) = range_sql(&f);
        assert!(sql.contains(", text FROM"), "{sql}");
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(plan.iter().any(|s| s.contains(&format!("COVERING INDEX {index} "))), "{sql}\n{plan:#?}");
    }
}

fn check_plans(shapes: Vec<(String, usize)>, tags: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.sqlite");
    let path = path.to_str().unwrap();
    drop(Store::open(path).unwrap());
    let c = rusqlite::Connection::open(path).unwrap();
    for (sql, n) in shapes {
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap_or_else(|e| panic!("{e}: {sql}"));
        let args = vec![rusqlite::types::Value::Null; n];
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if std::env::var_os("PRINT_PLANS").is_some() {
            eprintln!("{sql}\n  {plan:?}");
        }
        if tags {
            assert!(!sql.contains("json_each") && !sql.contains("body"), "{sql}");
            assert!(
                plan.iter().any(|step| step.starts_with("SEARCH t USING")
                    && (step.contains("INDEX event_tags_")
                        || step.contains("PRIMARY KEY (key=? AND value=?")
                        || step.contains("PRIMARY KEY (session_id=? AND site=? AND key=? AND value=?)")
                        || step.contains("PRIMARY KEY (session_id=? AND site=?)"))),
                "no index of event_tags:\n{sql}\n{plan:#?}"
            );
        }
        for step in &plan {
            assert!(!step.contains("VIRTUAL TABLE"), "{sql}\n{plan:#?}");
            let scan = step.starts_with("SCAN ") && !step.contains("USING");
            let bad_scan = scan && !step.starts_with("SCAN f") || step.contains("SCAN s ") && !step.contains("INDEX");
            // `SCAN f` is the grouped subquery's result, not a table.
            assert!(!bad_scan, "a scan without an index:\n{sql}\n{plan:#?}");
            // With several tags, each tag after the first is looked up by the whole primary key
            // of `event_tags` (`t1`, `t2`, ...): one row per event of the first tag, never a range.
            let alias = step.split_whitespace().nth(1).unwrap_or("");
            if alias.len() > 1 && alias.starts_with('t') && alias[1..].bytes().all(|b| b.is_ascii_digit()) {
                assert!(
                    step.starts_with("SEARCH ")
                        && step.ends_with("PRIMARY KEY (key=? AND value=? AND friction=? AND ts=? AND event_id=?)"),
                    "{sql}\n{plan:#?}"
                );
            }
            if step.starts_with("SCAN ") || step.starts_with("SEARCH ") {
                let table = step.split_whitespace().nth(1).unwrap();
                if [
                    "events",
                    "friction",
                    "sessions",
                    "s",
                    "t",
                    "event_tags",
                    "session_tags",
                    "minute_counts",
                    "hour_counts",
                    "page_minutes",
                    "page_hours",
                    "page_days",
                    "tag_page_minutes",
                    "tag_page_hours",
                    "tag_page_days",
                    "tag_count_minutes",
                    "tag_count_hours",
                    "tag_count_days",
                ]
                .contains(&table)
                {
                    assert!(step.contains("INDEX") || step.contains("PRIMARY KEY"), "{sql}\n{plan:#?}");
                }
            }
        }
    }
}

/// A quick back counts on the page the visitor left (`from_path`): in the leaderboard and the
/// pages. One after a restore from the back/forward cache is the page returned to's event (its
/// `context.page.path`); it was counted there, so no page showed where customers turned back. A
/// version 23 database (counted so) is built again when opened.
#[tokio::test]
async fn a_quick_back_counts_on_the_page_left() {
    let back = |id: &str, session: &str, time: &str| {
        let mut e = friction(id, session, "quick_back", time, "/list", "", None);
        e["properties"] = json!({"category": "friction", "from_path": "/p/mug", "to_path": "/list", "dwell_ms": 1800, "via": "bfcache"});
        e
    };
    let events = vec![
        ev("q1", "shop", "qa", "page_view", "2026-11-20T10:10:00Z", "/list", json!({})),
        ev("q2", "shop", "qa", "page_view", "2026-11-20T10:10:05Z", "/p/mug", json!({})),
        back("q3", "qa", "2026-11-20T10:10:07Z"),
        ev("q4", "shop", "qa", "page_view", "2026-11-20T10:10:07Z", "/list", json!({"navigation": "restore"})),
        ev("q5", "shop", "qb", "page_view", "2026-11-20T10:20:00Z", "/list", json!({})),
        back("q6", "qb", "2026-11-20T10:20:09Z"),
    ];
    let queries =
        [format!("/api/friction?{}&site=shop", range()), format!("/api/pages?{}&site=shop&sort=friction", range())];
    let downgrade = "UPDATE friction SET path = '/list' WHERE event = 'quick_back'; PRAGMA user_version = 23;";
    let before = same_answers_after_migration(vec![batch(events)], &queries, downgrade).await;
    let rows = before[0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", before[0]);
    assert_eq!(
        (&rows[0]["type"], &rows[0]["path"], &rows[0]["count"]),
        (&json!("quick_back"), &json!("/p/mug"), &json!(2))
    );
    let pages = before[1]["pages"].as_array().unwrap();
    let friction_of = |path: &str| pages.iter().find(|p| p["path"] == json!(path)).map(|p| p["friction"].clone());
    assert_eq!(friction_of("/p/mug"), Some(json!(2)), "{}", before[1]);
    assert_eq!(friction_of("/list"), Some(json!(0)), "{}", before[1]);
}

/// A friction event of no element is a leaderboard row per thing that failed: a lookup's 500 and
/// another path's 404 on one page were one row of `failed_request` (help center QA), errors of
/// different messages one row of `js_error`. A version 31 database (grouped so) is built again
/// when opened, and the row's click-through finds its sessions.
#[tokio::test]
async fn friction_of_no_element_is_grouped_by_what_failed() {
    let failed = |id: &str, session: &str, path: &str, status: u16| {
        let mut e = friction(id, session, "failed_request", "2026-11-20T10:10:02Z", "/help", "", None);
        e["properties"] =
            json!({"category": "friction", "method": "GET", "path": path, "status": status, "duration_ms": 80});
        e
    };
    let error = |id: &str, session: &str, message: &str| {
        let mut e = friction(id, session, "js_error", "2026-11-20T10:10:03Z", "/help", "", None);
        e["properties"] = json!({"category": "friction", "message": message, "file": "/app.js", "line": 3});
        e
    };
    let events = vec![
        failed("f1", "sa", "/api/orders", 500),
        failed("f2", "sb", "/api/orders", 500),
        failed("f3", "sa", "/faq.json", 404),
        error("f4", "sa", "TypeError: a is undefined"),
        error("f5", "sb", "RangeError: bad length"),
    ];
    let queries = [
        format!("/api/friction?{}&site=shop", range()),
        format!(
            "/api/sessions?{}&site=shop&type=failed_request&path=%2Fhelp&selector=GET%20%2Fapi%2Forders%20500",
            range()
        ),
    ];
    let downgrade = "UPDATE friction SET selector = ''; PRAGMA user_version = 31;";
    let before = same_answers_after_migration(vec![batch(events)], &queries, downgrade).await;
    let rows: Vec<(String, String, i64)> = before[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["type"].as_str().unwrap().into(), r["selector"].as_str().unwrap().into(), r["count"].as_i64().unwrap())
        })
        .collect();
    let row = |t: &str, s: &str, n: i64| (t.to_string(), s.to_string(), n);
    assert_eq!(
        rows,
        vec![
            row("failed_request", "GET /api/orders 500", 2),
            row("failed_request", "GET /faq.json 404", 1),
            row("js_error", "RangeError: bad length", 1),
            row("js_error", "TypeError: a is undefined", 1),
        ],
        "{}",
        before[0]
    );
    let mut sessions: Vec<&str> =
        before[1]["sessions"].as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    sessions.sort_unstable();
    assert_eq!(sessions, ["sa", "sb"], "{}", before[1]);
}

/// The answers to `queries` of a database file holding `batches` (request bodies), and then of
/// the same file turned into an older version by `downgrade` (SQL) and opened again, which must
/// be equal: what a migration makes of an older database answers as if it had been kept at
/// ingest. Returns the answers.
async fn same_answers_after_migration(batches: Vec<Vec<u8>>, queries: &[String], downgrade: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let path = path.to_str().unwrap().to_string();
    let t = read_app(Store::open(&path).unwrap(), open());
    for b in batches {
        let a = post(&t.app, b).await;
        assert_eq!(a.json()["rejected"], json!([]), "{}", a.json());
    }
    let mut before = Vec::new();
    for q in queries {
        before.push(api(&t, q).await);
    }
    drop(t);
    // (No version before 15 kept counts per device class, none before 18 the tag count tables,
    // none before 19 the sessions' vitals, none before 20 the times of their moments, none before
    // 23 their visitors, none before 27 their source and medium.)
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "DELETE FROM minute_counts WHERE instr(site, char(1)) > 0; DELETE FROM hour_counts WHERE instr(site, char(1)) > 0;
         DROP TABLE IF EXISTS tag_count_minutes; DROP TABLE IF EXISTS tag_count_hours; DROP TABLE IF EXISTS tag_count_days;",
    )
    .unwrap();
    c.execute_batch(WITHOUT_VISITORS).unwrap();
    c.execute_batch(&without_session_vitals()).unwrap();
    c.execute_batch("ALTER TABLE sessions DROP COLUMN moment_ts;").unwrap();
    c.execute_batch(downgrade).unwrap();
    drop(c);
    let t = read_app(Store::open(&path).unwrap(), open());
    for (q, want) in queries.iter().zip(&before) {
        assert_eq!(&api(&t, q).await, want, "{q}");
    }
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(user_version(&c), SCHEMA_VERSION);
    // The session indexes as the current schema makes them.
    let indexes: String = c
        .query_row(
            "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name IN ('sessions_last', 'sessions_site_last')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes.matches("campaign").count(), 2, "{indexes}");
    assert_eq!(indexes.matches("inp_poor").count(), 2, "{indexes}");
    assert_eq!(indexes.matches("anonymous_id").count(), 2, "{indexes}");
    assert_eq!(indexes.matches("medium").count(), 2, "{indexes}");
    // The friction indexes likewise, with each row's element text (version 33) at their end.
    let friction: String = c
        .query_row(
            "SELECT group_concat(sql, ';') FROM sqlite_master
              WHERE name IN ('friction_ts', 'friction_site_ts', 'friction_during')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(friction.matches("device, text)").count(), 3, "{friction}");
    let visitor_index: bool = c
        .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sessions_visitor')", [], |r| r.get(0))
        .unwrap();
    assert!(visitor_index);
    let indexes: String = c
        .query_row(
            "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name IN ('friction_ts', 'friction_site_ts')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes.matches("device").count(), 2, "{indexes}");
    before
}

/// SQL turning a database's `sessions` back into version 22's: without the visitor (nor the
/// source and medium, from version 27, nor the browser and OS, from version 28), its two indexes as that version made them (and no
/// `sessions_visitor`).
const WITHOUT_VISITORS: &str = "
DROP INDEX sessions_visitor; DROP INDEX sessions_site_last; DROP INDEX sessions_last;
ALTER TABLE sessions DROP COLUMN source; ALTER TABLE sessions DROP COLUMN medium;
ALTER TABLE sessions DROP COLUMN browser; ALTER TABLE sessions DROP COLUMN os;
ALTER TABLE events DROP COLUMN os; ALTER TABLE events DROP COLUMN browser;
ALTER TABLE sessions DROP COLUMN anonymous_id;
CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel, device, campaign,
    lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor);
CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel, device, campaign,
    lcp_measured, lcp_good, lcp_poor, cls_measured, cls_good, cls_poor, inp_measured, inp_good, inp_poor);";

/// SQL turning a database's `sessions` back into version 18's: without the Core Web Vitals'
/// counts, its two indexes as that version made them.
fn without_session_vitals() -> String {
    let mut sql = "DROP INDEX sessions_site_last; DROP INDEX sessions_last;\n".to_string();
    for column in touchpoint_collector::aggregate::VITAL_COLUMNS {
        sql += &format!("ALTER TABLE sessions DROP COLUMN {column};\n");
    }
    sql + "CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments, channel, device, campaign);
           CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments, channel, device, campaign);"
}

/// A version 18 database's sessions lack the Core Web Vitals' counts: the columns are added, the
/// two session indexes made again with them, and each session's counts filled from its stored
/// page_leave events when it is opened: every `sessions` row as ingestion made it, the channels
/// (by channel, device class and campaign) answered as before. (`same_answers_after_migration`
/// takes them out for every older version too.)
#[tokio::test]
async fn session_vitals_are_counted_for_a_version_18_database() {
    let queries = [
        format!("/api/channels?{}", range()),
        format!("/api/channels?{}&by=device&site=shop", range()),
        format!("/api/channels?{}&by=campaign", range()),
    ];
    let batches = || vec![batch(seed()), batch(vital_leaves())];
    let before = same_answers_after_migration(batches(), &queries, "PRAGMA user_version = 18;").await;
    assert_eq!(channel_vitals(&before[0], "channel")[2], "paid_search lcp 1/0/1 cls 2/1/0 inp 1/0/0", "{}", before[0]);

    // The rows themselves: as ingestion made them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v18.sqlite");
    let path = path.to_str().unwrap();
    let t = read_app(Store::open(path).unwrap(), open());
    for b in batches() {
        assert_eq!(post(&t.app, b).await.json()["rejected"], json!([]));
    }
    drop(t);
    let kept = table_rows(path, &["sessions"]);
    assert_eq!(kept.len(), 4);
    // (Nor the times of its moments, from version 20, nor its visitor, from 23.)
    let downgrade =
        WITHOUT_VISITORS.to_string() + &without_session_vitals() + "ALTER TABLE sessions DROP COLUMN moment_ts;";
    rusqlite::Connection::open(path).unwrap().execute_batch(&downgrade).unwrap();
    assert_ne!(table_rows(path, &["sessions"]), kept);
    rusqlite::Connection::open(path).unwrap().execute_batch("PRAGMA user_version = 18;").unwrap();
    drop(Store::open(path).unwrap());
    assert_eq!(table_rows(path, &["sessions"]), kept);
}

/// A version 19 database's sessions kept their moments of truth in the order received, without
/// times: the column is added, and each session's moments put in the order they happened from
/// its stored events when it is opened: every `sessions` row as ingestion makes it now, the
/// funnel answered as now (with `same_answers_after_migration`, for every older version too).
#[tokio::test]
async fn moment_times_are_filled_for_a_version_19_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v19.sqlite");
    let path = path.to_str().unwrap();
    let t = read_app(Store::open(path).unwrap(), open());
    let [first, then] = moments_out_of_order();
    for b in [batch(seed()), batch(first), batch(then)] {
        assert_eq!(post(&t.app, b).await.json()["rejected"], json!([]));
    }
    let q = format!("/api/funnel?{}", range());
    let before = api(&t, &q).await;
    drop(t);
    let kept = table_rows(path, &["sessions"]);
    assert_eq!(kept.len(), 6);
    // (Nor its visitor, from version 23: the columns come back in the order they were added.)
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(&format!(
            r#"{WITHOUT_VISITORS}
               ALTER TABLE sessions DROP COLUMN moment_ts;
               UPDATE sessions SET moments = '["purchase","add_to_cart","begin_checkout"]' WHERE session_id = 'late';
               PRAGMA user_version = 19;"#
        ))
        .unwrap();
    let t = read_app(Store::open(path).unwrap(), open());
    assert_eq!(api(&t, &q).await, before);
    drop(t);
    assert_eq!(table_rows(path, &["sessions"]), kept);
}

/// Visits of a shop and a blog, around the range 10:00-12:00 of 2026-11-20 (`range()`), each
/// session's events as (message id, session, site, time, anonymousId, device):
/// - `A`: `y1` the day before (desktop), `s1` in the range (mobile);
/// - `B`: `s2` (mobile) and `s3` (desktop), both in the range;
/// - `C`: `s4` in the range, `s10` after it (12:30);
/// - `D`: `s7` on the shop in the range, `y2` on the blog the day before;
/// - `E`: `s8` on the blog in the range;
/// - `F`: `y3` the day before, then `s9`, whose first event has no id (marketing consent given
///   during it), its second `F`;
/// - `s5` and `s6`: no anonymousId at all (no marketing consent).
fn visits() -> Vec<Value> {
    type Visit<'a> = (&'a str, &'a str, &'a str, String, Option<&'a str>, &'a str);
    let day_before = |min: u32| format!("2026-11-19T{:02}:{:02}:00.000Z", 9 + min / 60, min % 60);
    let rows: [Visit; 15] = [
        ("v1", "y1", "shop", day_before(0), Some("A"), "desktop"),
        ("v2", "s1", "shop", at(5, 0), Some("A"), "mobile"),
        ("v3", "s2", "shop", at(10, 0), Some("B"), "mobile"),
        ("v4", "s3", "shop", at(60, 0), Some("B"), "desktop"),
        ("v5", "s4", "shop", at(20, 0), Some("C"), "desktop"),
        ("v6", "s10", "shop", at(150, 0), Some("C"), "desktop"),
        ("v7", "s5", "shop", at(30, 0), None, "desktop"),
        ("v8", "s6", "shop", at(40, 0), None, "mobile"),
        ("v9", "s7", "shop", at(90, 0), Some("D"), "desktop"),
        ("v10", "y2", "blog", day_before(30), Some("D"), "desktop"),
        ("v11", "s8", "blog", at(50, 0), Some("E"), "mobile"),
        ("v12", "s9", "shop", at(55, 0), None, "desktop"),
        ("v13", "s9", "shop", at(56, 0), Some("F"), "desktop"),
        ("v14", "s1", "shop", at(6, 0), Some("A"), "mobile"),
        ("v15", "y3", "shop", day_before(60), Some("F"), "desktop"),
    ];
    rows.into_iter()
        .map(|(id, session, site, time, anonymous, device)| {
            let mut e = ev(id, site, session, "page_view", &time, "/", json!({}));
            e["context"]["device"] = json!(device);
            if let Some(a) = anonymous {
                e["anonymousId"] = json!(a);
            }
            e
        })
        .collect()
}

/// `e` as the SDK sends it from a browser driven by a program (`context.automated`).
fn automated(mut e: Value) -> Value {
    e["context"]["automated"] = json!(true);
    e
}

/// (sessions, visitors, returning visitors) of an overview answer.
fn visitor_figures(o: &Value) -> (i64, i64, i64) {
    let n = |k: &str| o[k].as_i64().unwrap_or_else(|| panic!("{k}: {o}"));
    (n("sessions"), n("visitors"), n("returningVisitors"))
}

/// "How many visitors, and how many came back?": the overview counts the distinct visitors of its
/// sessions (by `anonymousId`; a session without one is a visitor of its own) and those of them
/// whose id has more than one session begun before the range's end (of the site asked for, any
/// device): a second one in the range, or one before it. A visit after the range does not make
/// one returning; erasing a person takes their visits out of both counts.
#[tokio::test]
async fn the_overview_counts_visitors_and_returning_visitors() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(visits())).await.json()["rejected"], json!([]));
    let overview = |q: String| {
        let app = &t;
        async move { visitor_figures(&api(app, &format!("/api/overview?{q}")).await) }
    };
    // Shop: s1 s2 s3 s4 s5 s6 s7 s9; visitors A B C D F and two without an id; A and F came the
    // day before, B twice in the range; D only on the blog before, C only after.
    assert_eq!(overview(format!("{}&site=shop", range())).await, (8, 7, 3));
    // All sites: s8 (E) too, and D's blog visit the day before counts.
    assert_eq!(overview(range()).await, (9, 8, 4));
    // Until 13:00: s10 is in the range, C came twice.
    assert_eq!(overview(format!("from={FROM}&to=2026-11-20T13:00:00Z&site=shop")).await, (9, 7, 4));
    // Mobile sessions of the shop: s1 (A) and s2 (B), both returning by visits on a desktop; s6.
    assert_eq!(overview(format!("{}&site=shop&device=mobile", range())).await, (3, 3, 2));
    // The day before: y1, y2 and y3, nobody before them.
    assert_eq!(overview("from=2026-11-19T00:00:00Z&to=2026-11-20T00:00:00Z".into()).await, (3, 3, 0));
    // The same answers from a kept window moved on by a poll, with the newest events: C back.
    let mut later = ev("v16", "shop", "s11", "page_view", &at(100, 0), "/", json!({}));
    later["anonymousId"] = json!("C");
    assert_eq!(post(&t.app, batch(vec![later])).await.json()["rejected"], json!([]));
    assert_eq!(overview(format!("{}&site=shop", range())).await, (9, 7, 4));
}

/// Erasing a person (by `anonymousId`, as `POST /admin/erase` does) takes their visits out of the
/// visitors and the returning visitors at once (the kept window included); nobody else's change.
#[tokio::test]
async fn erased_visitors_are_not_counted() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(visits())).await.json()["rejected"], json!([]));
    let q = format!("/api/overview?{}&site=shop", range());
    assert_eq!(visitor_figures(&api(&t, &q).await), (8, 7, 3));
    // (The store's calls block: not on the test's runtime thread.)
    let erase = |id: &str| {
        let (store, who) = (t.state.store.clone(), Subject { anonymous_id: Some(id.into()), ..Default::default() });
        tokio::task::spawn_blocking(move || store.erase(store.find_subject(&who).unwrap()).unwrap().sessions)
    };
    assert_eq!(erase("A").await.unwrap(), 2);
    // s1 gone with A; B and F still returning.
    assert_eq!(visitor_figures(&api(&t, &q).await), (7, 6, 2));
    // D's visits (s7, and the blog's the day before) erased too.
    assert_eq!(erase("D").await.unwrap(), 2);
    assert_eq!(visitor_figures(&api(&t, &format!("/api/overview?{}", range())).await), (7, 6, 2));
}

/// A version 22 database's sessions kept no visitor: the column is added, the session indexes
/// made again with it and `sessions_visitor` made, and each session's visitor filled from its
/// stored events when it is opened: every `sessions` row as ingestion made it, the overview's
/// visitors answered as before (with `same_answers_after_migration`, for every older version too).
#[tokio::test]
async fn visitors_are_filled_for_a_version_22_database() {
    // (No device class: `same_answers_after_migration` takes out the counts per device class no
    // version before 15 kept, which a version 22 database does not count again.)
    let queries = [
        format!("/api/overview?{}&site=shop", range()),
        format!("/api/overview?{}", range()),
        format!("/api/overview?from={FROM}&to=2026-11-20T13:00:00Z&site=shop"),
    ];
    let before = same_answers_after_migration(vec![batch(visits())], &queries, "PRAGMA user_version = 22;").await;
    assert_eq!(visitor_figures(&before[0]), (8, 7, 3));
    assert_eq!(visitor_figures(&before[1]), (9, 8, 4));

    // The rows themselves: as ingestion made them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v22.sqlite");
    let path = path.to_str().unwrap();
    let t = read_app(Store::open(path).unwrap(), open());
    assert_eq!(post(&t.app, batch(visits())).await.json()["rejected"], json!([]));
    // An event with another visitor, by a browser driven by a program: in no session (a session
    // of automated traffic is in no figure, whole: see `automated_sessions.rs`).
    let mut bot = automated(ev("v16", "shop", "s9-bot", "page_view", &at(54, 0), "/", json!({})));
    bot["anonymousId"] = json!("Z");
    assert_eq!(post(&t.app, batch(vec![bot])).await.json()["rejected"], json!([]));
    drop(t);
    let kept = table_rows(path, &["sessions"]);
    assert_eq!(kept.len(), 13);
    rusqlite::Connection::open(path).unwrap().execute_batch(WITHOUT_VISITORS).unwrap();
    assert_ne!(table_rows(path, &["sessions"]), kept);
    rusqlite::Connection::open(path).unwrap().execute_batch("PRAGMA user_version = 22;").unwrap();
    drop(Store::open(path).unwrap());
    assert_eq!(table_rows(path, &["sessions"]), kept);
}

/// A database from before the aggregates (schema version 2) gets them built from `events` when
/// it is opened, with the same answers as if they had been kept at ingest.
#[tokio::test]
async fn aggregates_are_built_for_an_older_database() {
    let queries = [format!("/api/friction?{}", range()), format!("/api/sessions?{}", range()), "/api/stats".into()];
    let before = same_answers_after_migration(
        vec![batch(seed())],
        &queries,
        "DROP TABLE friction; DROP TABLE sessions; DROP TABLE minute_counts; DROP TABLE hour_counts; DROP TABLE site_totals;
         DROP INDEX events_session; PRAGMA user_version = 2;",
    )
    .await;
    assert_eq!(before[2]["events"], json!(14));
}

/// A version 3 database (before `hour_counts`) gets the hourly counts summed from its minutes
/// when it is opened: the charts and totals answer as before.
#[tokio::test]
async fn hourly_counts_are_built_for_a_version_3_database() {
    let queries = [
        format!("/api/timeseries?{}&metric=friction&bucket=hour", range()),
        format!("/api/timeseries?{}&metric=events&bucket=hour&site=shop", range()),
        format!("/api/overview?{}", range()),
        "/api/overview?from=2026-11-20T10:04:00Z&to=2026-11-20T11:30:00Z".to_string(),
    ];
    let before =
        same_answers_after_migration(vec![batch(seed())], &queries, "DROP TABLE hour_counts; PRAGMA user_version = 3;")
            .await;
    assert_eq!(before[2]["events"], json!(14), "{}", before[2]);
}

/// A version 4 database (sessions without their attribution, nor their customer) gets `channel`
/// and `campaign` (and `user_id`) added and filled from each session's events when it is
/// opened: the sessions and the channels answer as if they had been kept at ingest.
#[tokio::test]
async fn channels_are_filled_for_a_version_4_database() {
    let queries = [
        format!("/api/sessions?{}", range()),
        format!("/api/channels?{}", range()),
        format!("/api/sessions?{}&user=c-1042", range()),
    ];
    // The version 4 table and indexes.
    let before = same_answers_after_migration(
        vec![batch(seed())],
        &queries,
        "DROP INDEX sessions_site_last; DROP INDEX sessions_last; DROP INDEX sessions_user;
         ALTER TABLE sessions DROP COLUMN channel; ALTER TABLE sessions DROP COLUMN campaign;
         ALTER TABLE sessions DROP COLUMN user_id; ALTER TABLE sessions DROP COLUMN user_ts;
         CREATE INDEX sessions_site_last ON sessions(site, last_ts, first_ts, score, friction, moments);
         CREATE INDEX sessions_last ON sessions(last_ts, first_ts, score, friction, moments);
         PRAGMA user_version = 4;",
    )
    .await;
    assert_eq!(before[1]["channels"].as_array().unwrap().len(), 4, "{}", before[1]);
    assert_eq!(ids(&before[2]), ["b1", "s1"]);
}

/// A version 5 database (sessions without their customer) gets `user_id` added and filled from
/// each session's events when it is opened: the latest event that names a customer, whatever
/// order the events arrived in, also when the key is written with an escape. The sessions, a
/// customer's sessions and a session answer as if it had been kept at ingest.
#[tokio::test]
async fn customers_are_filled_for_a_version_5_database() {
    let queries = [
        format!("/api/sessions?{}", range()),
        format!("/api/sessions?{}&user=c-1042", range()),
        format!("/api/sessions?{}&user=c-2000&site=shop", range()),
        format!("/api/sessions?{}&user=c-esc", range()),
        format!("/api/sessions?{}&user=c-bot", range()),
        "/api/sessions/s1".to_string(),
        "/api/sessions/s2".to_string(),
    ];
    // s1 becomes c-2000; a retried earlier identify (c-old) arrives after; s2's older event
    // names another customer (c-early) and s3 one with its key escaped.
    let escaped = String::from_utf8(batch(vec![identify("18", "s3", "c-esc", &at(61, 5))])).unwrap();
    assert!(escaped.contains(r#""userId""#));
    let batches = vec![
        batch(seed()),
        batch(vec![identify("15", "s1", "c-2000", &at(3, 30))]),
        batch(vec![identify("16", "s1", "c-old", &at(1, 30)), identify("17", "s2", "c-early", &at(30, 1))]),
        escaped.replace(r#""userId""#, r#""\u0075serId""#).into_bytes(),
        // A later identify by a browser driven by a program: in no session (as ingested; its
        // session is automated traffic, in no figure).
        batch(vec![automated(identify("19", "s1-bot", "c-bot", &at(90, 0)))]),
    ];
    // The version 5 table and indexes.
    let before = same_answers_after_migration(
        batches,
        &queries,
        "DROP INDEX sessions_user;
         ALTER TABLE sessions DROP COLUMN user_id; ALTER TABLE sessions DROP COLUMN user_ts;
         PRAGMA user_version = 5;",
    )
    .await;
    let users: Vec<&Value> = before[0]["sessions"].as_array().unwrap().iter().map(|s| &s["userId"]).collect();
    assert_eq!(users, [&json!("c-esc"), &json!("c-7"), &json!("c-1042"), &json!("c-2000")]);
    assert_eq!(ids(&before[1]), ["b1"]);
    assert_eq!(ids(&before[3]), ["s3"]);
    assert_eq!(ids(&before[4]), [] as [&str; 0]);
}

/// `ev` with the page's tags (`touchpoint('set', ...)`) as `context.tags`.
fn tagged(mut e: Value, tags: &Value) -> Value {
    e["context"]["tags"] = tags.clone();
    e
}

/// An experiment on the checkout: variant A in a1 (1 friction), variant B in b1 and b2 (3
/// friction; b2's first page view came before the page set its tags), an untagged-by-variant
/// session n1 with friction on the same button, and a B friction in the period before.
/// `tier` is the number 2 in a1 and the string "2" in b1.
fn experiment() -> Vec<Value> {
    let pay = "#pay";
    let a = json!({"experiment": "checkout_v2", "variant": "A", "tier": 2});
    let b1 = json!({"experiment": "checkout_v2", "variant": "B", "tier": "2"});
    let b2 = json!({"experiment": "checkout_v2", "variant": "B", "tier": 3, "beta": true});
    let n1 = json!({"store.region": "eu"});
    vec![
        tagged(ev("1", "shop", "b0", "page_view", "2026-11-20T09:30:00.000Z", "/cart", json!({})), &b1),
        tagged(friction("2", "b0", "dead_click", "2026-11-20T09:30:05.000Z", "/cart", pay, None), &b1),
        tagged(ev("3", "shop", "a1", "page_view", &at(10, 0), "/cart", json!({})), &a),
        tagged(friction("4", "a1", "dead_click", &at(10, 5), "/cart", pay, None), &a),
        tagged(ev("5", "shop", "b1", "page_view", &at(20, 0), "/cart", json!({})), &b1),
        tagged(friction("6", "b1", "rage_click", &at(20, 5), "/cart", pay, None), &b1),
        tagged(friction("7", "b1", "dead_click", &at(20, 9), "/cart", pay, None), &b1),
        ev("8", "shop", "b2", "page_view", &at(40, 0), "/", json!({})),
        tagged(ev("9", "shop", "b2", "add_to_cart", &at(41, 0), "/p/mug", json!({"moment": true})), &b2),
        tagged(friction("10", "b2", "js_error", &at(42, 0), "/cart", "", None), &b2),
        tagged(ev("11", "shop", "n1", "page_view", &at(50, 0), "/cart", json!({})), &n1),
        tagged(friction("12", "n1", "dead_click", &at(50, 5), "/cart", pay, None), &n1),
    ]
}

/// Tags past the SDK's own bound are not counted in the aggregates (each is ~8 rows): a client
/// posting 1,700 tiny tags an event grew the database by 41 MB a request and held the writer up
/// for seconds. The first 32 of an event count; a tags object over 4 KiB none; both events are
/// stored whole.
#[tokio::test]
async fn tags_past_the_sdks_bound_are_not_counted() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let many: serde_json::Map<String, Value> = (0..40).map(|i| (format!("k{i:02}"), json!("v"))).collect();
    let huge = json!({"big": "x".repeat(5000)});
    let events = vec![
        tagged(ev("1", "shop", "m1", "page_view", &at(10, 0), "/", json!({})), &Value::Object(many)),
        tagged(ev("2", "shop", "h1", "page_view", &at(11, 0), "/", json!({})), &huge),
    ];
    assert_eq!(post(&t.app, batch(events)).await.json()["accepted"], json!(2));
    let tags = api(&t, &format!("/api/tags?{}", range())).await;
    let keys: Vec<&str> = tags["tags"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 32, "{tags}");
    assert!(keys.contains(&"k31") && !keys.contains(&"k32") && !keys.contains(&"big"), "{keys:?}");
    assert_eq!(t.state.store.count().unwrap(), 2);
}

/// A page tag whose key or value has a control character (`{"variant": "\t=1+1"}`) is not
/// counted at ingest (the event is stored whole, its journey shows it): counted, `/api/tags`
/// listed it, the inspector's Tag filter offered it, and choosing it was a `400` ("no control
/// characters"). Tags counted that `tag=` cannot name (a value over 64 characters, an empty one,
/// a key with a colon) are not listed either: every tag listed is one the filter takes.
#[tokio::test]
async fn a_tag_the_filter_refuses_is_never_offered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let t = read_app(Store::open(path.to_str().unwrap()).unwrap(), open());
    let odd = json!({
        "variant": "\t=1+1", "k\u{7}ey": "v", "line": "a\nb", "c1": "x\u{85}", "del": "\u{7f}",
        "ok": "B", "tier": 2, "long": "v".repeat(65), "a:b": "c", "empty": "", "": "no key",
    });
    let events = vec![
        tagged(ev("1", "shop", "o1", "page_view", &at(10, 0), "/cart", json!({})), &odd),
        tagged(friction("2", "o1", "dead_click", &at(10, 5), "/cart", "#pay", None), &odd),
    ];
    let a = post(&t.app, batch(events)).await;
    assert_eq!((&a.json()["accepted"], &a.json()["rejected"]), (&json!(2), &json!([])), "{}", a.json());
    let tags = api(&t, &format!("/api/tags?{}", range())).await;
    let listed: Vec<(&str, &str)> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["key"].as_str().unwrap(), t["value"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [("ok", "B"), ("tier", "2")], "{tags}");
    for (k, v) in &listed {
        for endpoint in ["overview", "friction", "sessions", "timeseries", "pages", "funnel", "channels"] {
            let q = format!("/api/{endpoint}?{}&tag={k}:{v}", range());
            assert_eq!(get(&t.app, &q).await.status, StatusCode::OK, "{q}");
        }
    }
    assert_eq!(api(&t, &format!("/api/overview?{}&tag=ok:B", range())).await["events"], json!(2));
    // The journey shows the event's tags as sent.
    assert_eq!(api(&t, "/api/sessions/o1").await["events"][0]["tags"], odd);
    // Not counted at all (no row), where the others are.
    let c = rusqlite::Connection::open(&path).unwrap();
    let keys = texts(&c, "SELECT DISTINCT key FROM event_tags ORDER BY key");
    assert_eq!(keys, ["", "a:b", "empty", "long", "ok", "tier"]);
}

/// A database of a collector that counted tags with a control character (schema version 24 or
/// older) has its aggregates built again without them when opened: none is left in `event_tags`,
/// `session_tags` or the tag count tables (an erasure, which reads an event's tags again from its
/// body, would leave those rows behind), and every answer is as before.
#[tokio::test]
async fn tags_with_control_characters_are_taken_out_of_an_older_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let path = path.to_str().unwrap().to_string();
    let queries = [
        format!("/api/tags?{}", range()),
        format!("/api/overview?{}&tag=ok:B", range()),
        format!("/api/pages?{}&tag=ok:B", range()),
        format!("/api/friction?{}&tag=ok:B", range()),
    ];
    let t = read_app(Store::open(&path).unwrap(), open());
    let ok = json!({"ok": "B"});
    let events = vec![
        tagged(ev("1", "shop", "o1", "page_view", &at(10, 0), "/cart", json!({})), &ok),
        tagged(friction("2", "o1", "dead_click", &at(10, 5), "/cart", "#pay", None), &ok),
    ];
    assert_eq!(post(&t.app, batch(events)).await.json()["rejected"], json!([]));
    let mut before = Vec::new();
    for q in &queries {
        before.push(api(&t, q).await);
    }
    drop(t);
    // As a collector before version 25 counted `{"variant": "\t=1+1"}` beside `ok`.
    let c = rusqlite::Connection::open(&path).unwrap();
    let odd = "'variant', char(9) || '=1+1'";
    let mut sql = format!(
        "INSERT INTO event_tags (key, value, friction, ts, event_id, site, session_id)
           SELECT {odd}, friction, ts, event_id, site, session_id FROM event_tags WHERE key = 'ok';"
    );
    for (table, column) in [("tag_count_minutes", "minute"), ("tag_count_hours", "hour"), ("tag_count_days", "day")] {
        sql += &format!(
            "INSERT INTO {table} (site, {column}, key, value, events, friction)
               SELECT site, {column}, {odd}, events, friction FROM {table} WHERE key = 'ok';"
        );
    }
    sql += "PRAGMA user_version = 24;";
    c.execute_batch(&sql).unwrap();
    let control_rows = |c: &rusqlite::Connection| -> i64 {
        ["event_tags", "session_tags", "tag_count_minutes", "tag_count_hours", "tag_count_days"]
            .iter()
            .map(|t| {
                c.query_row(&format!("SELECT count(*) FROM {t} WHERE key = 'variant'"), [], |r| r.get::<_, i64>(0))
                    .unwrap()
            })
            .sum()
    };
    assert!(control_rows(&c) >= 6);
    drop(c);
    let t = read_app(Store::open(&path).unwrap(), open());
    for (q, want) in queries.iter().zip(&before) {
        assert_eq!(&api(&t, q).await, want, "{q}");
    }
    drop(t);
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(control_rows(&c), 0);
    assert_eq!(user_version(&c), SCHEMA_VERSION);
}

/// A version 6 database (no `event_tags`) gets its events' tags indexed from their bodies when
/// it is opened (also a `tags` key written with an escape, an array `tags`, which made
/// `/api/tags` fail when it parsed the bodies, and events stored before the aggregates, version
/// 2): every tag filter and `/api/tags` answer as if the index had been kept at ingest.
#[tokio::test]
async fn tags_are_indexed_for_a_version_6_database() {
    let mut queries = vec![
        "/api/tags?from=2026-11-20T09:00:00Z&to=2026-11-20T10:00:00Z".to_string(),
        format!("/api/tags?{}", range()),
        format!("/api/tags?{}&site=shop", range()),
        format!("/api/sessions?{}&type=dead_click&path=/cart&selector=%23pay&tag=variant:B", range()),
        format!("/api/sessions?{}&tag=variant:A&friction=1", range()),
    ];
    for tag in ["variant:B", "variant:A", "tier:2", "beta:true", "store.region:eu", "esc:1", "list:x"] {
        queries.push(format!("/api/friction?{}&tag={tag}", range()));
        queries.push(format!("/api/friction?{}&tag={tag}&site=shop&type=dead_click", range()));
        queries.push(format!("/api/sessions?{}&tag={tag}", range()));
        for metric in ["friction", "events", "sessions"] {
            queries.push(format!("/api/timeseries?{}&bucket=minute&metric={metric}&tag={tag}", range()));
        }
    }
    let mut events = experiment();
    events.push(tagged(friction("13", "e1", "dead_click", &at(55, 0), "/cart", "#pay", None), &json!({"esc": 1})));
    events.push(tagged(ev("14", "shop", "l1", "page_view", &at(56, 0), "/", json!({})), &json!(["x"])));
    let text = String::from_utf8(batch(events)).unwrap();
    let escaped = text.replace(r#""tags":{"esc""#, r#""t\u0061gs":{"esc""#);
    assert_ne!(escaped, text);
    let downgrade = "DROP TABLE event_tags; DROP TABLE session_tags; PRAGMA user_version = 6;";
    let before = same_answers_after_migration(vec![escaped.clone().into_bytes()], &queries, downgrade).await;
    assert_eq!(before[0]["tags"].as_array().unwrap().len(), 3, "{}", before[0]);
    assert_eq!(before[1]["tags"].as_array().unwrap().len(), 8, "{}", before[1]);
    assert_eq!(ids(&before[3]), ["b1"]);
    let esc = queries.iter().position(|q| q.contains("tag=esc:1")).unwrap();
    assert_eq!(before[esc]["rows"].as_array().unwrap().len(), 1, "{}", before[esc]);
    // From version 2: the aggregates rebuilt, then the tags indexed.
    same_answers_after_migration(
        vec![escaped.into_bytes()],
        &queries,
        "DROP TABLE friction; DROP TABLE sessions; DROP TABLE minute_counts; DROP TABLE hour_counts;
         DROP TABLE site_totals; DROP TABLE event_tags; DROP TABLE session_tags; DROP INDEX events_session;
         PRAGMA user_version = 2;",
    )
    .await;
}

/// "Does variant B of the new checkout cause more friction than A?": `tag=key:value` narrows the
/// leaderboard, the sessions and the time series to the events carrying the tag (compared as
/// text), `/api/tags` lists what was seen, and a session's steps carry their tags.
#[tokio::test]
async fn tags_filter_friction_sessions_and_series() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(experiment())).await.json()["accepted"], json!(12));
    let board = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {} {} {} {}", r["type"], r["selector"], r["count"], r["sessions"], r["previous"]))
            .collect()
    };
    // Without a tag: every session's friction (b0's is the period before).
    let all = api(&t, &format!("/api/friction?{}", range())).await;
    assert_eq!(
        board(&all),
        [r##""dead_click" "#pay" 3 3 1"##, r#""js_error" "" 1 1 0"#, r##""rage_click" "#pay" 1 1 0"##]
    );
    assert_eq!(all["sessions"], json!(4));
    // Variant B: its 3 friction events in 2 sessions, of the 2 sessions carrying it; the
    // previous period's B friction for the trend.
    let b = api(&t, &format!("/api/friction?{}&tag=variant:B", range())).await;
    assert_eq!(
        board(&b),
        [r##""dead_click" "#pay" 1 1 1"##, r#""js_error" "" 1 1 0"#, r##""rage_click" "#pay" 1 1 0"##]
    );
    assert_eq!(b["sessions"], json!(2));
    assert_eq!(b["rows"][0]["share"], json!(0.5));
    assert_eq!(b["rows"][0]["trend"], json!(0));
    let a = api(&t, &format!("/api/friction?{}&tag=variant:A", range())).await;
    assert_eq!(board(&a), [r##""dead_click" "#pay" 1 1 0"##]);
    assert_eq!((&a["sessions"], &a["rows"][0]["share"]), (&json!(1), &json!(1.0)));
    // With the other filters and a limit.
    let b_dead = api(&t, &format!("/api/friction?{}&tag=variant:B&type=dead_click&site=shop", range())).await;
    assert_eq!(board(&b_dead), [r##""dead_click" "#pay" 1 1 1"##]);
    assert_eq!(
        api(&t, &format!("/api/friction?{}&tag=variant:B&limit=1", range())).await["rows"].as_array().unwrap().len(),
        1
    );
    assert!(board(&api(&t, &format!("/api/friction?{}&tag=variant:B&site=blog", range())).await).is_empty());
    // Compared as text: tier 2 is the number in a1 and the string in b1; true is the boolean.
    let tier = api(&t, &format!("/api/friction?{}&tag=tier:2", range())).await;
    assert_eq!(board(&tier), [r##""dead_click" "#pay" 2 2 1"##, r##""rage_click" "#pay" 1 1 0"##]);
    assert_eq!(tier["sessions"], json!(2));
    assert_eq!(board(&api(&t, &format!("/api/friction?{}&tag=beta:true", range())).await), [r#""js_error" "" 1 1 0"#]);
    assert!(board(&api(&t, &format!("/api/friction?{}&tag=beta:1", range())).await).is_empty());
    assert!(board(&api(&t, &format!("/api/friction?{}&tag=variant:b", range())).await).is_empty(), "exact");

    // Sessions: those where an event carried the tag (b2's untagged first view does not matter).
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=variant:B", range())).await), ["b2", "b1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=variant:A&friction=1", range())).await), ["a1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=tier:2", range())).await), ["b1", "a1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=variant:B&limit=1", range())).await), ["b2"]);
    // The leaderboard's click-through with a tag: where that friction's event carried it.
    let el = format!("/api/sessions?{}&type=dead_click&path=/cart&selector=%23pay", range());
    assert_eq!(ids(&api(&t, &el).await), ["n1", "b1", "a1"]);
    assert_eq!(ids(&api(&t, &format!("{el}&tag=variant:B")).await), ["b1"]);
    assert!(ids(&api(&t, &format!("/api/sessions?{}&type=rage_click&tag=variant:A", range())).await).is_empty());
    assert!(ids(&api(&t, &format!("/api/sessions?{}&tag=variant:B&channel=email", range())).await).is_empty());

    // The time series: B's friction per type, events and sessions (at their first time).
    let app = &t;
    let series = |q: &str| {
        let q = format!("/api/timeseries?{}&bucket=hour&{q}", range());
        async move { api(app, &q).await["series"].clone() }
    };
    assert_eq!(
        series("metric=friction&tag=variant:B").await,
        json!({"dead_click": [1, 0], "js_error": [1, 0], "rage_click": [1, 0]})
    );
    assert_eq!(series("metric=friction&tag=variant:A").await, json!({"dead_click": [1, 0]}));
    assert_eq!(
        series("metric=friction").await,
        json!({"dead_click": [3, 0], "js_error": [1, 0], "rage_click": [1, 0]})
    );
    assert_eq!(series("metric=events&tag=variant:B").await, json!({"events": [5, 0]}));
    assert_eq!(series("metric=events").await, json!({"events": [10, 0]}));
    assert_eq!(series("metric=sessions&tag=variant:B").await, json!({"sessions": [2, 0]}));
    assert_eq!(series("metric=sessions&tag=tier:2&site=shop").await, json!({"sessions": [2, 0]}));
    let minutes = api(&t, &format!("/api/timeseries?{}&bucket=minute&metric=friction&tag=variant:B", range())).await;
    let rage = minutes["series"]["rage_click"].as_array().unwrap();
    assert_eq!((rage.len(), &rage[20]), (120, &json!(1)), "at 10:20");

    // The tags seen in the range, most events first: events, friction and sessions per value.
    let tags = api(&t, &format!("/api/tags?{}", range())).await;
    let listed: Vec<String> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{}={} {} {} {}",
                v["key"].as_str().unwrap(),
                v["value"].as_str().unwrap(),
                v["events"],
                v["friction"],
                v["sessions"]
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            "experiment=checkout_v2 7 4 3",
            "tier=2 5 3 2",
            "variant=B 5 3 2",
            "beta=true 2 1 1",
            "store.region=eu 2 1 1",
            "tier=3 2 1 1",
            "variant=A 2 1 1",
        ]
    );
    let before = api(&t, "/api/tags?from=2026-11-20T09:00:00Z&to=2026-11-20T10:00:00Z").await;
    assert_eq!(before["tags"].as_array().unwrap().len(), 3, "b0's: {before}");
    assert_eq!(api(&t, &format!("/api/tags?{}&site=blog", range())).await["tags"], json!([]));

    // A key is a name, never SQL nor a JSON path: dots name a key with dots, quotes match nothing.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=store.region:eu", range())).await), ["n1"]);
    for key in ["store", "$.store", "variant'%20OR%20'1'='1", "a%22b", "x')%20OR%201=1%20--", "tags.variant", "*"] {
        for endpoint in ["friction", "sessions", "timeseries"] {
            let v = api(&t, &format!("/api/{endpoint}?{}&tag={key}:B", range())).await;
            let empty = match endpoint {
                "friction" => v["rows"] == json!([]),
                "sessions" => v["sessions"] == json!([]),
                _ => v["series"] == json!({}),
            };
            assert!(empty, "{endpoint} {key}: {v}");
        }
    }

    // A session's steps carry their tags (null before the page set them).
    let j = api(&t, "/api/sessions/b2").await;
    let steps: Vec<&Value> = j["events"].as_array().unwrap().iter().map(|e| &e["tags"]).collect();
    assert_eq!(steps[0], &json!(null));
    assert_eq!(steps[1], &json!({"experiment": "checkout_v2", "variant": "B", "tier": 3, "beta": true}));

    // Bad tags: a 400 naming the parameter.
    for q in [
        "tag=variant",
        "tag=:B",
        "tag=variant:",
        &format!("tag={}:B", "k".repeat(65)),
        &format!("tag=variant:{}", "v".repeat(65)),
        "tag=vari%0Aant:B",
        // Repeated (all must match), each checked; at most four.
        "tag=a:b&tag=c",
        "tag=a:1&tag=b:1&tag=c:1&tag=d:1&tag=e:1",
    ] {
        for endpoint in ["friction", "sessions", "timeseries"] {
            let a = get(&t.app, &format!("/api/{endpoint}?{}&{q}", range())).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{endpoint} {q}");
            assert!(a.error().starts_with("tag: "), "{endpoint} {q}: {}", a.error());
        }
    }
    // Longest allowed; a value may hold a colon; empty is no filter; /api/tags takes no tag.
    assert_eq!(
        get(&t.app, &format!("/api/friction?tag={}:{}", "k".repeat(64), "é".repeat(64))).await.status,
        StatusCode::OK
    );
    assert_eq!(get(&t.app, "/api/sessions?tag=url:http://x").await.status, StatusCode::OK);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=", range())).await).len(), 4);
    assert_eq!(get(&t.app, "/api/tags?tag=variant:B").await.status, StatusCode::BAD_REQUEST);
}

/// "Does variant B convert worse than A?": `tag=key:value` narrows the overview, the funnel and
/// the channels to the sessions carrying the tag (an event of theirs did), and the overview's
/// event and friction counts to the events carrying it; a bad tag is a 400 there too.
#[tokio::test]
async fn tags_filter_overview_funnel_and_channels() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    // The experiment, with b1 arriving by email and a1 by paid search (b2 and n1 unattributed).
    let events: Vec<Value> = experiment()
        .into_iter()
        .map(|mut e| {
            let channel = match e["sessionId"].as_str().unwrap() {
                "b1" => "email",
                "a1" => "paid_search",
                _ => return e,
            };
            e["context"]["channel"] = json!(channel);
            e
        })
        .collect();
    assert_eq!(post(&t.app, batch(events)).await.json()["accepted"], json!(12));
    let overview = |q: String| {
        let app = &t;
        async move {
            let v = api(app, &format!("/api/overview?{}{q}", range())).await;
            format!("{} {} {} {}", v["events"], v["friction"], v["sessions"], v["sessionsWithFriction"])
        }
    };
    // Without a tag: the range's 10 events, 5 friction, 4 sessions (b0's are before it).
    assert_eq!(overview(String::new()).await, "10 5 4 4");
    // B: b1's 3 events and b2's 2 tagged ones (not its first page view), 3 of them friction;
    // its 2 sessions, both with friction.
    assert_eq!(overview("&tag=variant:B".into()).await, "5 3 2 2");
    assert_eq!(overview("&tag=variant:A".into()).await, "2 1 1 1");
    assert_eq!(overview("&tag=tier:2".into()).await, "5 3 2 2");
    assert_eq!(overview("&tag=variant:B&site=blog".into()).await, "0 0 0 0");
    assert_eq!(overview("&tag=variant:C".into()).await, "0 0 0 0");
    // Its average score is that of its sessions.
    let b = api(&t, &format!("/api/overview?{}&tag=variant:B", range())).await;
    let listed = api(&t, &format!("/api/sessions?{}&tag=variant:B", range())).await;
    let scores: Vec<f64> =
        listed["sessions"].as_array().unwrap().iter().map(|s| s["score"].as_f64().unwrap()).collect();
    assert_eq!(b["averageScore"].as_f64().unwrap(), scores.iter().sum::<f64>() / scores.len() as f64);
    assert!(api(&t, &format!("/api/overview?{}&tag=variant:C", range())).await["averageScore"].is_null());

    // The funnel of B's sessions: b2 added to cart, neither went further.
    let steps = |v: &Value| -> Vec<i64> {
        v["steps"].as_array().unwrap().iter().map(|s| s["sessions"].as_i64().unwrap()).collect()
    };
    assert_eq!(steps(&api(&t, &format!("/api/funnel?{}&tag=variant:B", range())).await), [2, 1, 0, 0]);
    assert_eq!(steps(&api(&t, &format!("/api/funnel?{}&tag=variant:A", range())).await), [1, 0, 0, 0]);
    assert_eq!(steps(&api(&t, &format!("/api/funnel?{}", range())).await), [4, 1, 0, 0]);

    // The channels of B's sessions: b1 by email, b2 unattributed; A's a1 by paid search.
    let channels = |v: &Value| -> Vec<String> {
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{}={} {}", c["channel"].as_str().unwrap(), c["sessions"], c["sessionsWithFriction"]))
            .collect()
    };
    assert_eq!(channels(&api(&t, &format!("/api/channels?{}&tag=variant:B", range())).await), ["=1 1", "email=1 1"]);
    assert_eq!(channels(&api(&t, &format!("/api/channels?{}&tag=variant:A", range())).await), ["paid_search=1 1"]);
    assert_eq!(
        channels(&api(&t, &format!("/api/channels?{}", range())).await),
        ["=2 2", "email=1 1", "paid_search=1 1"]
    );

    // Bad tags: a 400 naming the parameter, as for the other endpoints.
    for q in [
        "tag=variant",
        "tag=:B",
        &format!("tag={}:B", "k".repeat(65)),
        "tag=a:b&tag=:d",
        "tag=a:1&tag=b:1&tag=c:1&tag=d:1&tag=e:1",
    ] {
        for endpoint in ["overview", "funnel", "channels"] {
            let a = get(&t.app, &format!("/api/{endpoint}?{}&{q}", range())).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{endpoint} {q}");
            assert!(a.error().starts_with("tag: "), "{endpoint} {q}: {}", a.error());
        }
    }
}

/// Several experiments at once, tagged the older way (one `experiment` key and one `variant` key)
/// and one key per experiment. `cohort:pb` marks exactly the events carrying both
/// `experiment:pdp_cta` and `variant:B` (the answers of the two tags together must be those of
/// it, which the per-tag counts kept at ingest answer):
/// - pb1 (mobile, by email): a view, a dead click, an add to cart, a page_leave with its vitals and
///   a purchase (59.90 EUR) of pdp_cta B;
/// - pb2 (desktop): a view, a rage click, a slow page_leave of pdp_cta B, then a view of /cart
///   without tags (the next page set none);
/// - pa1 (mobile): pdp_cta A, with a dead click, an add to cart and a purchase (20 "eur");
/// - cb1: checkout_v2 B (variant:B, another experiment), a js_error and a purchase (5, no currency);
/// - pn1: experiment pdp_cta before its variant was known (no variant), a dead click;
/// - both1: pdp_cta A on one view, pdp_cta B on the next (a visitor who saw both);
/// - two1: one key per experiment, `pdp_cta:B` on /p/mug and `checkout_v2:A` on /cart (never
///   on the same event).
fn two_experiments() -> Vec<Value> {
    let pb = json!({"experiment": "pdp_cta", "variant": "B", "cohort": "pb"});
    let pa = json!({"experiment": "pdp_cta", "variant": "A"});
    let cb = json!({"experiment": "checkout_v2", "variant": "B"});
    let pn = json!({"experiment": "pdp_cta"});
    let leave = |id: &str, session: &str, time: &str, vitals: Value| {
        let mut props = json!({"path": "/p/mug", "engaged_ms": 30_000, "max_scroll_pct": 80});
        props.as_object_mut().unwrap().extend(vitals.as_object().unwrap().clone());
        ev(id, "shop", session, "page_leave", time, "/p/mug", props)
    };
    let moment = json!({"moment": true});
    let mut events = vec![
        tagged(ev("1", "shop", "pb1", "page_view", &at(1, 0), "/p/mug", json!({})), &pb),
        tagged(friction("2", "pb1", "dead_click", &at(1, 10), "/p/mug", "#cta", None), &pb),
        tagged(ev("3", "shop", "pb1", "add_to_cart", &at(2, 0), "/p/mug", moment.clone()), &pb),
        tagged(leave("4", "pb1", &at(2, 30), json!({"lcp_ms": 1800, "cls_milli": 50, "inp_ms": 600})), &pb),
        tagged(ev("5", "shop", "pb1", "purchase", &at(3, 0), "/done", json!({"value": 59.9, "currency": "EUR"})), &pb),
        tagged(ev("6", "shop", "pb2", "page_view", &at(5, 0), "/p/mug", json!({})), &pb),
        tagged(friction("7", "pb2", "rage_click", &at(5, 5), "/p/mug", "#cta", None), &pb),
        tagged(leave("8", "pb2", &at(6, 0), json!({"lcp_ms": 5000, "cls_milli": 0})), &pb),
        ev("9", "shop", "pb2", "page_view", &at(7, 0), "/cart", json!({})),
        tagged(ev("10", "shop", "pa1", "page_view", &at(10, 0), "/p/mug", json!({})), &pa),
        tagged(friction("11", "pa1", "dead_click", &at(10, 5), "/p/mug", "#cta", None), &pa),
        tagged(ev("12", "shop", "pa1", "add_to_cart", &at(11, 0), "/p/mug", moment.clone()), &pa),
        tagged(ev("13", "shop", "pa1", "purchase", &at(12, 0), "/done", json!({"value": 20, "currency": "eur"})), &pa),
        tagged(ev("14", "shop", "cb1", "page_view", &at(20, 0), "/cart", json!({})), &cb),
        tagged(friction("15", "cb1", "js_error", &at(20, 30), "/cart", "", None), &cb),
        tagged(ev("16", "shop", "cb1", "purchase", &at(21, 0), "/done", json!({"value": 5})), &cb),
        tagged(ev("17", "shop", "pn1", "page_view", &at(30, 0), "/p/mug", json!({})), &pn),
        tagged(friction("18", "pn1", "dead_click", &at(30, 5), "/p/mug", "#cta", None), &pn),
        tagged(ev("19", "shop", "both1", "page_view", &at(50, 0), "/p/mug", json!({})), &pa),
        tagged(ev("20", "shop", "both1", "page_view", &at(51, 0), "/p/mug", json!({})), &pb),
        tagged(ev("21", "shop", "two1", "page_view", &at(60, 0), "/p/mug", json!({})), &json!({"pdp_cta": "B"})),
        tagged(ev("22", "shop", "two1", "page_view", &at(61, 0), "/cart", json!({})), &json!({"checkout_v2": "A"})),
        tagged(friction("23", "two1", "dead_click", &at(61, 5), "/cart", "#pay", None), &json!({"checkout_v2": "A"})),
    ];
    for e in &mut events {
        let (device, channel) = match e["sessionId"].as_str().unwrap() {
            "pb1" => ("mobile", "email"),
            "pa1" => ("mobile", "paid_search"),
            "pb2" | "both1" => ("desktop", "email"),
            _ => ("desktop", "direct"),
        };
        e["context"]["device"] = json!(device);
        e["context"]["channel"] = json!(channel);
    }
    events
}

/// "Experiment X, variant B" while several experiments run: `tag` repeated narrows every panel to
/// the events carrying all the tags and to the sessions that carried each of them; a session that
/// carried only one of them is not counted; the order and repeats of the tags do not matter; at
/// most four. Two tags read from the events one by one give what one tag gives from the counts
/// kept per tag at ingest: every panel's answer for `experiment:pdp_cta` and `variant:B` is the
/// one for `cohort:pb`, which marks exactly those events.
#[tokio::test]
async fn several_tags_narrow_every_panel_to_what_carries_them_all() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(two_experiments())).await.json()["accepted"], json!(23));
    let both = "tag=experiment:pdp_cta&tag=variant:B";
    let overview = |q: &str| {
        let q = format!("/api/overview?{}&{q}", range());
        let app = &t;
        async move {
            let v = api(app, &q).await;
            format!("{} {} {} {}", v["events"], v["friction"], v["sessions"], v["sessionsWithFriction"])
        }
    };
    // pdp_cta B: pb1's 5 events, pb2's 3 tagged ones and both1's B view; 2 friction; their 3
    // sessions. Not cb1 (variant B of checkout_v2), pa1 (A), pn1 (no variant), two1 (other keys).
    assert_eq!(overview(both).await, "9 2 3 2");
    assert_eq!(overview("tag=variant:B").await, "12 3 4 3");
    assert_eq!(overview("tag=experiment:pdp_cta").await, "16 4 5 4");
    assert_eq!(overview("tag=variant:B&tag=experiment:pdp_cta").await, "9 2 3 2", "in any order");
    assert_eq!(overview("tag=variant:B&tag=variant:B").await, overview("tag=variant:B").await, "repeats");
    assert_eq!(overview(&format!("{both}&tag=experiment:pdp_cta")).await, "9 2 3 2");
    assert_eq!(overview(&format!("{both}&device=mobile")).await, "5 1 1 1");
    assert_eq!(overview(&format!("{both}&site=blog")).await, "0 0 0 0");
    // A session carrying both tags on different events counts (as one tag's sessions are those
    // with an event carrying it); no event carries both. A visitor who saw A then B is in both.
    assert_eq!(overview("tag=pdp_cta:B&tag=checkout_v2:A").await, "0 0 1 1");
    assert_eq!(overview("tag=variant:A&tag=variant:B").await, "0 0 1 0");
    // Sessions: those that carried both.
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&{both}", range())).await), ["both1", "pb2", "pb1"]);
    assert_eq!(
        ids(&api(&t, &format!("/api/sessions?{}&tag=variant:B", range())).await),
        ["both1", "cb1", "pb2", "pb1"]
    );
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&{both}&friction=1", range())).await), ["pb2", "pb1"]);
    assert_eq!(ids(&api(&t, &format!("/api/sessions?{}&tag=pdp_cta:B&tag=checkout_v2:A", range())).await), ["two1"]);
    // The leaderboard's click-through: where that friction's event carried both.
    let el = format!("/api/sessions?{}&type=dead_click&path=/p/mug&selector=%23cta", range());
    assert_eq!(ids(&api(&t, &el).await), ["pn1", "pa1", "pb1"]);
    assert_eq!(ids(&api(&t, &format!("{el}&{both}")).await), ["pb1"]);
    assert!(ids(&api(&t, &format!("{el}&tag=experiment:pdp_cta&tag=variant:C")).await).is_empty());
    // The friction leaderboard: B's two friction events, a share of its three sessions.
    let board = api(&t, &format!("/api/friction?{}&{both}", range())).await;
    let rows: Vec<String> = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {}", r["type"].as_str().unwrap(), r["count"], r["sessions"]))
        .collect();
    assert_eq!((rows, &board["sessions"]), (vec!["dead_click 1 1".to_string(), "rage_click 1 1".into()], &json!(3)));
    assert!(api(&t, &format!("/api/friction?{}&tag=pdp_cta:B&tag=checkout_v2:A", range())).await["rows"]
        .as_array()
        .unwrap()
        .is_empty());
    // The funnel and the channels of B's sessions.
    let steps = |v: &Value| -> Vec<i64> {
        v["steps"].as_array().unwrap().iter().map(|s| s["sessions"].as_i64().unwrap()).collect()
    };
    // (No session of theirs began a checkout, one purchased: begin_checkout is left out, as a
    // step the site evidently does not send.)
    let funnel = api(&t, &format!("/api/funnel?{}&{both}", range())).await;
    assert_eq!((steps(&funnel), &funnel["skipped"]), (vec![3, 1, 1], &json!(["begin_checkout"])));
    let pages = api(&t, &format!("/api/pages?{}&{both}&sort=views", range())).await;
    let listed: Vec<String> = pages["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {} {} {}", p["path"].as_str().unwrap(), p["views"], p["leaves"], p["friction"]))
        .collect();
    assert_eq!(listed, ["/p/mug 3 2 2"], "not pb2's untagged /cart");
    assert_eq!(pages["vitals"]["lcp"], json!({"n": 2, "good": 1, "poor": 1}));

    // Every panel, two tags against the one tag marking the same events.
    let mut compared = 0;
    for q in [
        "/api/overview?",
        "/api/overview?device=mobile&",
        "/api/overview?site=shop&",
        "/api/funnel?",
        "/api/funnel?steps=add_to_cart,purchase&device=desktop&",
        "/api/channels?",
        "/api/channels?by=device&goal=add_to_cart&",
        "/api/channels?by=tag:experiment&",
        "/api/friction?",
        "/api/friction?type=dead_click&site=shop&",
        "/api/friction?device=mobile&",
        "/api/sessions?",
        "/api/sessions?friction=1&",
        "/api/sessions?type=rage_click&",
        "/api/pages?",
        "/api/pages?sort=views&",
        "/api/pages?sort=vitals&device=mobile&",
        "/api/pages?site=shop&limit=1&",
        "/api/timeseries?metric=friction&bucket=minute&",
        "/api/timeseries?metric=friction&device=desktop&",
        "/api/timeseries?metric=events&bucket=5m&",
        "/api/timeseries?metric=events&device=mobile&bucket=hour&",
        "/api/timeseries?metric=sessions&",
        "/api/timeseries?metric=vitals&bucket=minute&",
        "/api/timeseries?metric=vitals&path=/p/mug&bucket=hour&",
        "/api/timeseries?metric=vitals&device=desktop&",
    ] {
        for r in [range(), "from=2026-11-20T10:01:30Z&to=2026-11-20T10:50:30Z".to_string()] {
            let two = api(&t, &format!("{q}{r}&{both}")).await;
            let one = api(&t, &format!("{q}{r}&tag=cohort:pb")).await;
            assert_eq!(two, one, "{q}{r}");
            compared += 1;
        }
    }
    assert_eq!(compared, 52);

    // The figures of whole hours are kept between polls: asked again, none is read again; an
    // event stored late into a kept hour has its hour read again, and counts.
    let hours_read = || t.state.store.reads.kept.tag_hours.hours_read.load(std::sync::atomic::Ordering::Relaxed);
    let pages_q = format!("/api/pages?{}&{both}&sort=views", range());
    let before = hours_read();
    assert_eq!(api(&t, &pages_q).await, pages);
    assert_eq!(overview(both).await, "9 2 3 2");
    assert_eq!(hours_read(), before, "kept");
    let late = tagged(
        ev("24", "shop", "pb1", "page_view", &at(2, 40), "/p/mug", json!({})),
        &json!({"experiment": "pdp_cta", "variant": "B", "cohort": "pb"}),
    );
    assert_eq!(post(&t.app, batch(vec![late])).await.json()["accepted"], json!(1));
    assert_eq!(overview(both).await, "10 2 3 2");
    assert_eq!(api(&t, &pages_q).await["pages"][0]["views"], json!(4));
    assert_eq!(api(&t, &pages_q).await, api(&t, &format!("/api/pages?{}&tag=cohort:pb&sort=views", range())).await);
    assert_eq!(hours_read(), before + 2, "the 10:00 hour, once for the overview, once for the pages");

    // At most four tags; each checked.
    let four = "tag=experiment:pdp_cta&tag=variant:B&tag=cohort:pb&tag=x:y";
    assert_eq!(overview(four).await, "0 0 0 0");
    assert_eq!(overview(&four.replace("&tag=x:y", "&tag=cohort:pb")).await, "10 2 3 2");
    for endpoint in ["overview", "funnel", "channels", "friction", "sessions", "pages", "timeseries"] {
        let a = get(&t.app, &format!("/api/{endpoint}?{}&{four}&tag=a:b", range())).await;
        assert_eq!((a.status, a.error()), (StatusCode::BAD_REQUEST, "tag: at most 4 (all must match)".into()));
        let a = get(&t.app, &format!("/api/{endpoint}?{}&{both}&tag=variant", range())).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{endpoint}");
        assert!(a.error().starts_with("tag: expected key:value"), "{endpoint}: {}", a.error());
        // An empty one is no filter, as alone.
        assert_eq!(get(&t.app, &format!("/api/{endpoint}?{}&{both}&tag=", range())).await.status, StatusCode::OK);
    }
    assert_eq!(overview(&format!("{both}&tag=")).await, "10 2 3 2");
}

/// "A against B in one request": `/api/channels?by=tag:KEY` gives the sessions by the values of a
/// tag key, each value's figures those of `tag=KEY:VALUE` (a session under each value it
/// carried, `""` for those that carried none), with the purchases and their revenue per currency
/// (every grouping has them); with `tag`, of the sessions carrying it too.
#[tokio::test]
async fn channels_by_the_values_of_a_tag_compare_variants() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(two_experiments())).await.json()["accepted"], json!(23));
    let rows = |v: &Value| -> Vec<String> {
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}|{} {} {} {} {} {}",
                    c["value"].as_str().unwrap(),
                    c["tag"].as_str().unwrap(),
                    c["sessions"],
                    c["sessionsWithFriction"],
                    c["converted"],
                    c["purchases"],
                    c["revenue"]
                )
            })
            .collect()
    };
    let pdp = api(&t, &format!("/api/channels?{}&by=tag:variant&tag=experiment:pdp_cta&revenue=1", range())).await;
    assert_eq!((&pdp["by"], &pdp["key"], &pdp["goal"]), (&json!("tag"), &json!("variant"), &json!("purchase")));
    // pdp_cta's sessions: B pb1, pb2 and both1 (who saw A too), A pa1 and both1, none pn1.
    assert_eq!(
        rows(&pdp),
        [r#"B|variant:B 3 2 1 1 {"EUR":59.9}"#, r#"A|variant:A 2 1 1 1 {"EUR":20.0}"#, r#"| 1 1 0 0 {}"#,]
    );
    // Every session: cb1 is B of the other experiment (a purchase without a currency: not in
    // `revenue`, under "" in `unknownCurrency`).
    let all = api(&t, &format!("/api/channels?{}&by=tag:variant&revenue=1", range())).await;
    assert_eq!(
        rows(&all),
        [r#"B|variant:B 4 3 2 2 {"EUR":59.9}"#, r#"| 2 2 0 0 {}"#, r#"A|variant:A 2 1 1 1 {"EUR":20.0}"#,]
    );
    assert_eq!(all["channels"][0]["unknownCurrency"], json!({"": 5.0}));
    // Each value's figures are those of the sessions of `tag=variant:VALUE` (by channel, summed).
    for (i, row) in pdp["channels"].as_array().unwrap().iter().enumerate() {
        let value = row["value"].as_str().unwrap();
        if value.is_empty() {
            continue;
        }
        let q = format!("/api/channels?{}&tag=experiment:pdp_cta&tag=variant:{value}&revenue=1", range());
        let by_channel = api(&t, &q).await;
        let sum = |k: &str| -> i64 {
            by_channel["channels"].as_array().unwrap().iter().map(|c| c[k].as_i64().unwrap()).sum()
        };
        for k in ["sessions", "sessionsWithFriction", "converted", "purchases"] {
            assert_eq!(row[k].as_i64().unwrap(), sum(k), "{value} {k}");
        }
        let o = api(&t, &format!("/api/overview?{}&tag=experiment:pdp_cta&tag=variant:{value}", range())).await;
        assert_eq!((&row["sessions"], &row["averageScore"]), (&o["sessions"], &o["averageScore"]), "{i}");
        let vitals: Vec<Value> =
            by_channel["channels"].as_array().unwrap().iter().map(|c| c["vitals"].clone()).collect();
        if vitals.len() == 1 {
            assert_eq!(row["vitals"], vitals[0]);
        }
    }
    assert_eq!(pdp["channels"][0]["vitals"]["lcp"], json!({"n": 2, "good": 1, "poor": 1}));
    // With a device, a goal; the revenue in the other groupings too.
    let mobile =
        api(&t, &format!("/api/channels?{}&by=tag:variant&device=mobile&goal=add_to_cart&revenue=1", range())).await;
    assert_eq!(rows(&mobile), [r#"A|variant:A 1 1 1 1 {"EUR":20.0}"#, r#"B|variant:B 1 1 1 1 {"EUR":59.9}"#]);
    let by_channel = api(&t, &format!("/api/channels?{}&revenue=1", range())).await;
    let email = &by_channel["channels"].as_array().unwrap().iter().find(|c| c["channel"] == "email").unwrap();
    assert_eq!((&email["purchases"], &email["revenue"]), (&json!(1), &json!({"EUR": 59.9})));
    // Only when asked (it reads each purchasing session's events once).
    let plain = api(&t, &format!("/api/channels?{}&by=tag:variant", range())).await;
    assert!(plain["channels"][0].get("revenue").is_none() && plain["channels"][0].get("purchases").is_none());
    let a = get(&t.app, &format!("/api/channels?{}&revenue=yes", range())).await;
    assert_eq!((a.status, a.error()), (StatusCode::BAD_REQUEST, "revenue: expected 1 or 0".to_string()));
    // One key per experiment: its values, and the sessions without it.
    let two = api(&t, &format!("/api/channels?{}&by=tag:checkout_v2&revenue=1", range())).await;
    assert_eq!(rows(&two)[1], r#"A|checkout_v2:A 1 1 0 0 {}"#);
    assert_eq!(api(&t, &format!("/api/channels?{}&by=tag:nope", range())).await["channels"][0]["sessions"], json!(7));
    // A key `tag=` could not name is a 400 naming `by`.
    for by in ["tag:", "tag:a:b", "tag:a%0Ab", &format!("tag:{}", "k".repeat(65)), "tags:variant", "tag"] {
        let a = get(&t.app, &format!("/api/channels?{}&by={by}", range())).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{by}");
        assert!(a.error().starts_with("by: expected"), "{by}: {}", a.error());
    }
}

/// Sessions kept by a sample (`context.sampleRate`, the SDK's `data-sample-rate`): the overview
/// counts those begun in its range by rate, so the inspector can say its counts are a share of
/// the visits; a rate that is not a whole percentage under 100 is no sample. A version 7
/// database gets the counts from its stored events.
#[tokio::test]
async fn sampled_sessions_are_counted_by_rate_and_filled_for_a_version_7_database() {
    let sampled = |id: &str, session: &str, time: &str, rate: Value| {
        let mut e = ev(id, "shop", session, "page_view", time, "/", json!({}));
        e["context"]["sampleRate"] = rate;
        e
    };
    let mut events = seed();
    events.extend([
        sampled("20", "k1", &at(10, 0), json!(20)),
        sampled("21", "k1", &at(12, 0), json!(20)),
        sampled("22", "k2", &at(70, 0), json!(20)),
        sampled("23", "k3", &at(20, 0), json!(50)),
        sampled("24", "k4", &at(21, 0), json!(100)),
        sampled("25", "k5", &at(22, 0), json!(20.5)),
        sampled("26", "k6", &at(23, 0), json!("20")),
    ]);
    // k7: its first event was not sampled (a page at 100 %), the next one was: not counted.
    events.push(ev("27", "shop", "k7", "page_view", &at(24, 0), "/", json!({})));
    let later = vec![sampled("28", "k7", &at(25, 0), json!(20))];
    let text = String::from_utf8(batch(events)).unwrap();
    let escaped = text.replacen(r#""sampleRate":50"#, r#""s\u0061mpleRate":50"#, 1);
    assert_ne!(escaped, text);
    let queries = [
        format!("/api/overview?{}", range()),
        format!("/api/overview?{}&site=shop", range()),
        "/api/overview?from=2026-11-20T10:00:00Z&to=2026-11-20T10:30:00Z".to_string(),
        format!("/api/overview?{}&site=blog", range()),
    ];
    let downgrade = "DELETE FROM minute_counts WHERE metric LIKE 'sampled:%';
                     DELETE FROM hour_counts WHERE metric LIKE 'sampled:%'; PRAGMA user_version = 7;";
    let before = same_answers_after_migration(vec![escaped.into_bytes(), batch(later)], &queries, downgrade).await;
    let rates: Vec<&Value> = before.iter().map(|o| &o["sampled"]).collect();
    assert_eq!(rates, [&json!({"20": 2, "50": 1}), &json!({"20": 2, "50": 1}), &json!({"20": 1, "50": 1}), &json!({})]);
    // Every session begun in the range (sampled or not), for an estimate of the visits; only
    // asked for when a sample kept some.
    let begun: Vec<&Value> = before.iter().map(|o| &o["sessionsBegun"]).collect();
    assert_eq!(begun, [&json!(11), &json!(10), &json!(8), &json!(0)]);
}

/// `/api/export`: every stored event page by page (oldest first, as received, one per line), the
/// next page from `X-Last-Id`; by site; an empty page at the end; new events on the next page.
#[tokio::test]
async fn export_pages_through_every_event_once() {
    let t = seeded(open()).await;
    let page = |q: String| {
        let app = t.app.clone();
        async move {
            let a = get(&app, &format!("/api/export?{q}")).await;
            assert_eq!(a.status, StatusCode::OK, "{q}: {}", String::from_utf8_lossy(&a.bytes));
            assert_eq!(a.header("content-type"), Some("application/x-ndjson"));
            let last: i64 = a.header("x-last-id").unwrap().parse().unwrap();
            let ids: Vec<String> = String::from_utf8(a.bytes)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap()["messageId"].as_str().unwrap().to_string())
                .collect();
            (ids, last)
        }
    };
    let all: Vec<String> = seed().iter().map(|e| e["messageId"].as_str().unwrap().to_string()).collect();
    let (mut got, mut after, mut pages) = (Vec::new(), 0, 0);
    loop {
        let (ids, last) = page(format!("after={after}&limit=5")).await;
        if ids.is_empty() {
            assert_eq!(last, after, "an empty page leaves the cursor where it was");
            break;
        }
        got.extend(ids);
        after = last;
        pages += 1;
    }
    assert_eq!((got, pages), (all.clone(), 3));
    let (blog, _) = page("site=blog".into()).await;
    assert_eq!(blog, ["13", "14"]);
    // What is stored later comes on the next page.
    let a = post(&t.app, batch(vec![ev("15", "shop", "s3", "click", &at(62, 0), "/", json!({}))])).await;
    assert_eq!(a.json()["accepted"], json!(1));
    assert_eq!(page(format!("after={after}")).await.0, ["15"]);
    // A limit above the largest is the largest, as everywhere (a reader's loop goes on by pages).
    assert_eq!(get(&t.app, "/api/export?limit=10001").await.status, StatusCode::OK);
    for bad in ["after=-1", "after=x", "limit=0", "site=a%20b", "other=1"] {
        assert_eq!(get(&t.app, &format!("/api/export?{bad}")).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// A client that posts its batch pretty-printed (line breaks between tokens, kept as received)
/// still gets one line per event from `/api/export`: NDJSON readers split at every line break.
#[tokio::test]
async fn export_keeps_one_event_per_line_for_pretty_printed_batches() {
    let t = seeded(open()).await;
    let last: i64 = get(&t.app, "/api/export?limit=10000").await.header("x-last-id").unwrap().parse().unwrap();
    let events = vec![
        ev("p1", "shop", "s9", "click", &at(62, 1), "/", json!({"note": "two\nlines"})),
        ev("p2", "shop", "s9", "click", &at(62, 2), "/", json!({})),
    ];
    let pretty = serde_json::to_string_pretty(&json!({"sentAt": "2024-05-01T12:00:01.000Z", "batch": events}))
        .unwrap()
        .replace('\n', "\r\n");
    assert_eq!(post(&t.app, pretty.into_bytes()).await.json()["accepted"], json!(2));
    let a = get(&t.app, &format!("/api/export?after={last}")).await;
    let text = String::from_utf8(a.bytes).unwrap();
    let lines: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"))).collect();
    assert_eq!(lines.iter().map(|e| e["messageId"].as_str().unwrap()).collect::<Vec<_>>(), ["p1", "p2"]);
    assert_eq!(lines[0]["properties"]["note"], "two\nlines", "a line break inside a string is its escape, kept");
    // With envelope=1: each event inside the collector's own facts, its id and time of arrival.
    let a = get(&t.app, &format!("/api/export?after={last}&envelope=1")).await;
    assert_eq!(a.status, StatusCode::OK);
    let text = String::from_utf8(a.bytes).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], json!(last + 1));
    assert_eq!(lines[1]["id"], json!(last + 2));
    assert_eq!(lines[1]["event"]["messageId"], "p2");
    let received = lines[0]["receivedAt"].as_str().unwrap();
    assert!(received.len() == 24 && received.ends_with('Z'), "{received}");
    assert_eq!(get(&t.app, "/api/export?envelope=yes").await.status, StatusCode::BAD_REQUEST);
}

/// An event's `timestamp` is RFC 3339 with a zone (one without is refused, it was read as UTC
/// unsaid); the envelope gives the instant the collector parsed, one way: `timestampUtc`, UTC,
/// milliseconds, `Z`, whatever form the device wrote it in (the event itself as received).
#[tokio::test]
async fn export_envelope_gives_the_timestamp_in_utc_and_zoneless_ones_are_refused() {
    let t = seeded(open()).await;
    let last: i64 = get(&t.app, "/api/export?limit=10000").await.header("x-last-id").unwrap().parse().unwrap();
    let forms = [
        ("2024-05-01t13:00:01.123456789+01:00", "2024-05-01T12:00:01.123Z"),
        ("2024-05-01T12:00:02-00:00", "2024-05-01T12:00:02.000Z"),
        ("2024-05-01T23:59:60z", "2024-05-02T00:00:00.000Z"),
        ("2024-05-01T12:00:03.4Z", "2024-05-01T12:00:03.400Z"),
    ];
    let mut events: Vec<Value> = forms
        .iter()
        .enumerate()
        .map(|(i, (ts, _))| ev(&format!("tz{i}"), "shop", "s9", "click", ts, "/", json!({})))
        .collect();
    events.push(ev("tz-none", "shop", "s9", "click", "2026-12-06T05:40:00", "/", json!({})));
    let a = post(&t.app, batch(events)).await.json();
    assert_eq!(a["accepted"], json!(4), "{a}");
    assert_eq!(
        a["rejected"],
        json!([{"index": 4, "reason": "timestamp: no time zone (RFC 3339 needs Z or ±HH:MM: 2026-12-06T05:40:00Z)"}])
    );
    let a = get(&t.app, &format!("/api/export?after={last}&envelope=1")).await;
    let lines: Vec<Value> =
        String::from_utf8(a.bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    for (line, (ts, utc)) in lines.iter().zip(forms) {
        assert_eq!(line["timestampUtc"], json!(utc), "{ts}");
        assert_eq!(line["event"]["timestamp"], json!(ts), "the event as received");
        let keys: Vec<&str> = line.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["browser", "countedAt", "event", "id", "os", "receivedAt", "sentAt", "timestampUtc"]);
    }
}

/// The read API's large answers (`/api/export`, `/api/export/deletions`, `/api/events`) are
/// gzip-compressed for a reader that takes it (`Accept-Encoding`), with `Vary: Accept-Encoding`;
/// the same bytes once decompressed, the same headers; not for one that does not, nor when
/// small.
#[tokio::test]
async fn large_read_answers_are_gzipped_for_a_reader_that_takes_it() {
    let t = seeded(open()).await;
    let many: Vec<Value> =
        (0..40).map(|i| ev(&format!("gz{i}"), "shop", "s9", "click", &at(62, i % 50), "/", json!({}))).collect();
    assert_eq!(post(&t.app, batch(many)).await.json()["accepted"], json!(40));
    let with = |uri: &str, enc: Option<&str>| {
        let mut r = Request::get(uri).header("host", HOST);
        if let Some(e) = enc {
            r = r.header("accept-encoding", e);
        }
        send(&t.app, r.body(Body::empty()).unwrap())
    };
    let gunzip = |b: &[u8]| {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(b).read_to_end(&mut out).unwrap();
        out
    };
    for uri in ["/api/export?envelope=1", "/api/export?site=shop", "/api/events?limit=1000"] {
        let plain = with(uri, None).await;
        assert_eq!(plain.status, StatusCode::OK);
        assert_eq!(plain.header("content-encoding"), None, "{uri}");
        assert_eq!(plain.header("vary"), Some("accept-encoding"), "{uri}");
        for enc in ["gzip", "br, gzip;q=0.5, deflate", "*", "GZIP", "x-gzip"] {
            let z = with(uri, Some(enc)).await;
            assert_eq!(z.status, StatusCode::OK);
            assert_eq!(z.header("content-encoding"), Some("gzip"), "{uri} {enc}");
            assert_eq!(z.header("content-type"), plain.header("content-type"));
            assert_eq!(z.header("x-last-id"), plain.header("x-last-id"));
            assert!(z.bytes.len() * 3 < plain.bytes.len(), "{uri}: {} of {}", z.bytes.len(), plain.bytes.len());
            assert_eq!(gunzip(&z.bytes), plain.bytes, "{uri} {enc}");
        }
        for enc in ["br", "gzip;q=0", "identity", "*;q=0", "gzip;q=0, *"] {
            assert_eq!(with(uri, Some(enc)).await.header("content-encoding"), None, "{uri} {enc}");
        }
    }
    // A small answer (under 1 KiB) is sent as it is.
    let small = with("/api/export?site=blog", Some("gzip")).await;
    assert!(small.bytes.len() < 1024);
    assert_eq!(small.header("content-encoding"), None);
    let deletions = with("/api/export/deletions", Some("gzip")).await;
    assert_eq!((deletions.status, deletions.header("vary")), (StatusCode::OK, Some("accept-encoding")));
}

/// U+2028, U+2029 and U+0085 are valid raw inside a JSON string, but Python's
/// `str.splitlines()` splits at them: the export writes them as escapes (the same strings to a
/// JSON reader), in and out of the envelope, and changes nothing else.
#[tokio::test]
async fn export_escapes_the_line_separators_a_line_splitter_may_split_at() {
    let t = seeded(open()).await;
    let last: i64 = get(&t.app, "/api/export?limit=10000").await.header("x-last-id").unwrap().parse().unwrap();
    let note = "a\u{2028}b\u{2029}c\u{85}d é \u{2027}\u{86}";
    let e = ev("ls1", "shop", "s9", "click", &at(62, 1), "/", json!({"note": note}));
    // (serde_json writes the three raw.)
    let body = batch(vec![e.clone()]);
    assert!(String::from_utf8(body.clone()).unwrap().contains('\u{2028}'));
    assert_eq!(post(&t.app, body).await.json()["accepted"], json!(1));
    for q in ["", "&envelope=1"] {
        let a = get(&t.app, &format!("/api/export?after={last}{q}")).await;
        let text = String::from_utf8(a.bytes).unwrap();
        for c in ['\u{2028}', '\u{2029}', '\u{85}'] {
            assert!(!text.contains(c), "{q}: {c:?} in {text:?}");
        }
        // (U+2027 and U+0086 are kept raw: only the three are escaped.)
        let want = format!("{}{}{}", r"a\u2028b\u2029c\u0085d é ", '\u{2027}', '\u{86}');
        assert!(text.contains(&want), "{text:?}");
        // What Python's splitlines() splits at: one line per event.
        let lines: Vec<&str> = text
            .split(['\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}'])
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "{q}: {text:?}");
        let v: Value = serde_json::from_str(lines[0]).unwrap();
        let got = if q.is_empty() { v } else { v["event"].clone() };
        assert_eq!(got, e, "{q}: the same event to a JSON reader");
    }
}

/// The seed's pages, with page_leave events: s1 and s3 left `/` (4 s engaged, scrolled 50 %;
/// 2 s, 100 %), s2 left `/p/mug` (9 s, 30 %).
fn page_leaves() -> Vec<Value> {
    let leave = |id: &str, session: &str, time: &str, path: &str, ms: i64, pct: i64| {
        ev(
            id,
            "shop",
            session,
            "page_leave",
            time,
            path,
            json!({"category": "touchpoint", "path": path, "engaged_ms": ms, "max_scroll_pct": pct}),
        )
    };
    vec![
        leave("20", "s1", &at(0, 50), "/", 4000, 50),
        leave("21", "s2", &at(30, 59), "/p/mug", 9000, 30),
        leave("22", "s3", &at(61, 30), "/", 2000, 100),
    ]
}

/// `/api/pages`: each page's views, leaves, engaged time per view, average deepest scroll and
/// friction (friction events on a page without a view of it in the range count too), by
/// friction or by views, for all sites or one, over whole hours and over minutes at a range's
/// ends; junk figures in a page_leave count as 0.
#[tokio::test]
async fn pages_by_friction_and_by_views() {
    let t = seeded(open()).await;
    let mut extra = page_leaves();
    // Not a figure the SDK could send: counted as a leave with 0 ms and 0 %.
    let mut junk =
        ev("23", "blog", "b1", "page_leave", &at(6, 0), "/post", json!({"engaged_ms": -5, "max_scroll_pct": 250}));
    junk["site"] = json!("blog");
    extra.push(junk);
    assert_eq!(post(&t.app, batch(extra)).await.json()["accepted"], json!(4));
    let row = |p: &Value| {
        format!(
            "{} v{} l{} f{} e{} s{} fpv{}",
            p["path"].as_str().unwrap(),
            p["views"],
            p["leaves"],
            p["friction"],
            p["engagedMsPerView"],
            p["averageScrollPct"],
            p["frictionPerView"]
        )
    };
    let rows = |v: &Value| v["pages"].as_array().unwrap().iter().map(row).collect::<Vec<_>>();
    let all = api(&t, &format!("/api/pages?{}", range())).await;
    assert_eq!(
        rows(&all),
        [
            "/p/mug v1 l1 f3 e9000.0 s30.0 fpv3.0",
            "/post v1 l1 f1 e0.0 s0.0 fpv1.0",
            "/cart v0 l0 f1 enull snull fpvnull",
            "/ v2 l2 f0 e3000.0 s75.0 fpv0.0",
        ],
        "{all}"
    );
    assert_eq!(all["totalPages"], json!(4));
    // Each page's friction by type (a page without friction: none).
    let types: Vec<&Value> = all["pages"].as_array().unwrap().iter().map(|p| &p["frictionByType"]).collect();
    assert_eq!(
        types,
        [&json!({"dead_click": 2, "rage_click": 1}), &json!({"dead_click": 1}), &json!({"js_error": 1}), &json!({})]
    );
    let shop = api(&t, &format!("/api/pages?{}&site=shop&sort=views", range())).await;
    assert_eq!(
        rows(&shop),
        [
            "/ v2 l2 f0 e3000.0 s75.0 fpv0.0",
            "/p/mug v1 l1 f3 e9000.0 s30.0 fpv3.0",
            "/cart v0 l0 f1 enull snull fpvnull"
        ]
    );
    // From 10:01: minutes to 11:00, then the hour 11:00-12:00; s1's view, leave and dead click
    // (10:00) are out.
    let later = api(&t, &format!("/api/pages?from={}&to={TO}&site=shop&limit=2", at(1, 0))).await;
    assert_eq!(rows(&later), ["/p/mug v1 l1 f2 e9000.0 s30.0 fpv2.0", "/cart v0 l0 f1 enull snull fpvnull"]);
    assert_eq!(later["totalPages"], json!(3));
    assert_eq!(later["pages"][0]["frictionByType"], json!({"dead_click": 1, "rage_click": 1}));
    // Days apart: the whole days from `page_days`, the hours and minutes at the ends.
    let wide = api(&t, "/api/pages?from=2026-11-18T07:13:00Z&to=2026-11-22T00:05:00Z").await;
    assert_eq!(rows(&wide), rows(&all));
    let cut = api(&t, "/api/pages?from=2026-11-20T10:01:00Z&to=2026-11-23T00:00:00Z&site=shop&limit=2").await;
    assert_eq!(rows(&cut), rows(&later));
    let bad = get(&t.app, &format!("/api/pages?{}&sort=engaged", range())).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// page_leave events with Core Web Vitals, after the seed's views: on `/`, s1's on a phone (all
/// good) and s3's on a desktop (LCP needing improvement, CLS poor, INP poor by its `inp_ms`
/// alone); on `/p/mug`, s2's (LCP poor, CLS good, INP as the SDK rated it: needing improvement)
/// and the stretch after its tab came back (`resumed`: CLS only, needing improvement); on the
/// blog's `/post`, two with figures the SDK never sends (accepted, no vital counted).
fn vital_leaves() -> Vec<Value> {
    // (id, session, time, page, device class, vitals); b1 is the blog's.
    let leaves = [
        ("30", "s1", at(0, 50), "/", "mobile", json!({"lcp_ms": 1200, "cls_milli": 40, "inp": "good"})),
        ("31", "s2", at(30, 59), "/p/mug", "", json!({"lcp_ms": 4500, "cls_milli": 0, "inp": "needs-improvement"})),
        ("32", "s2", at(31, 20), "/p/mug", "", json!({"resumed": true, "cls_milli": 120})),
        ("33", "s3", at(61, 30), "/", "desktop", json!({"lcp_ms": 3000, "cls_milli": 300, "inp_ms": 650})),
        (
            "34",
            "b1",
            at(6, 0),
            "/post",
            "desktop",
            json!({"lcp_ms": "900", "cls_milli": -3, "inp": "fast", "inp_ms": 700_000}),
        ),
        (
            "35",
            "b1",
            at(6, 10),
            "/post",
            "desktop",
            json!({"lcp_ms": 600_001, "cls_milli": 0.05, "inp": 2, "inp_ms": "250"}),
        ),
    ];
    leaves
        .into_iter()
        .map(|(id, session, time, path, device, vitals)| {
            let mut props = json!({"category": "touchpoint", "path": path, "engaged_ms": 1000, "max_scroll_pct": 50});
            props.as_object_mut().unwrap().extend(vitals.as_object().unwrap().clone());
            let site = if session == "b1" { "blog" } else { "shop" };
            let mut e = ev(id, site, session, "page_leave", &time, path, props);
            if !device.is_empty() {
                e["context"]["device"] = json!(device);
            }
            e
        })
        .collect()
}

/// A page row's Core Web Vitals: "path lcp n/good/poor cls n/good/poor inp n/good/poor".
fn vitals_row(p: &Value) -> String {
    let v = &p["vitals"];
    let one = |k: &str| format!("{k} {}/{}/{}", v[k]["n"], v[k]["good"], v[k]["poor"]);
    format!("{} {} {} {}", p["path"].as_str().unwrap(), one("lcp"), one("cls"), one("inp"))
}

fn vitals_rows(v: &Value) -> Vec<String> {
    v["pages"].as_array().unwrap().iter().map(vitals_row).collect()
}

/// `/api/pages`: each page's Core Web Vitals, the page_leave events that measured each and how
/// many were good and poor (counted by hand from `vital_leaves`): summed over the range (its
/// minutes, hours and days), per site and per device class; junk figures count as not measured.
#[tokio::test]
async fn pages_count_core_web_vitals() {
    let t = seeded(open()).await;
    let a = post(&t.app, batch(vital_leaves())).await;
    assert_eq!((a.json()["accepted"].clone(), a.json()["rejected"].clone()), (json!(6), json!([])), "{}", a.json());
    let all = api(&t, &format!("/api/pages?{}", range())).await;
    assert_eq!(
        vitals_rows(&all),
        [
            "/p/mug lcp 1/0/1 cls 2/1/0 inp 1/0/0",
            "/post lcp 0/0/0 cls 0/0/0 inp 0/0/0",
            "/cart lcp 0/0/0 cls 0/0/0 inp 0/0/0",
            "/ lcp 2/1/0 cls 2/1/1 inp 2/1/1",
        ],
        "{all}"
    );
    // The junk page_leave events are leaves all the same.
    assert_eq!(all["pages"][1]["leaves"], json!(2), "{all}");
    // The whole range's, every page together (also past `limit`).
    let site_wide = json!({"lcp": {"n": 3, "good": 1, "poor": 1}, "cls": {"n": 4, "good": 2, "poor": 1}, "inp": {"n": 3, "good": 1, "poor": 1}});
    assert_eq!(all["vitals"], site_wide, "{all}");
    let one = api(&t, &format!("/api/pages?{}&limit=1", range())).await;
    assert_eq!(one["vitals"], site_wide, "{one}");
    // By poor vitals: / has two poor ratings (CLS, INP), /p/mug one (LCP); then by views.
    let by_vitals = api(&t, &format!("/api/pages?{}&sort=vitals", range())).await;
    let order: Vec<&str> = by_vitals["pages"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    let rest_by_views = |a: &str, b: &str| {
        let views =
            |p: &str| all["pages"].as_array().unwrap().iter().find(|r| r["path"] == p).unwrap()["views"].as_i64();
        views(a) >= views(b)
    };
    assert_eq!(order[..2], ["/", "/p/mug"], "{by_vitals}");
    assert!(rest_by_views(order[2], order[3]), "{by_vitals}");
    // Per device class: each page_leave under its own.
    let mobile = api(&t, &format!("/api/pages?{}&device=mobile", range())).await;
    assert_eq!(vitals_rows(&mobile), ["/ lcp 1/1/0 cls 1/1/0 inp 1/1/0"]);
    let desktop = api(&t, &format!("/api/pages?{}&device=desktop", range())).await;
    assert_eq!(vitals_rows(&desktop), ["/ lcp 1/0/0 cls 1/0/1 inp 1/0/1", "/post lcp 0/0/0 cls 0/0/0 inp 0/0/0"]);
    // From 10:01 (minutes to 11:00, then the hour): s1's leave at 10:00:50 is out.
    let later = api(&t, &format!("/api/pages?from={}&to={TO}&site=shop", at(1, 0))).await;
    assert_eq!(
        vitals_rows(&later),
        [
            "/p/mug lcp 1/0/1 cls 2/1/0 inp 1/0/0",
            "/cart lcp 0/0/0 cls 0/0/0 inp 0/0/0",
            "/ lcp 1/0/0 cls 1/0/1 inp 1/0/1"
        ]
    );
    // Days apart: the whole days from `page_days`, the hours and minutes at the ends.
    let wide = api(&t, "/api/pages?from=2026-11-18T07:13:00Z&to=2026-11-22T00:05:00Z").await;
    assert_eq!(vitals_rows(&wide), vitals_rows(&all));
}

/// Each row of a `/api/channels` answer grouped `by`: "name lcp n/good/poor cls n/good/poor inp
/// n/good/poor".
fn channel_vitals(v: &Value, by: &str) -> Vec<String> {
    let row = |r: &Value| {
        let one =
            |k: &str| format!("{k} {}/{}/{}", r["vitals"][k]["n"], r["vitals"][k]["good"], r["vitals"][k]["poor"]);
        format!("{} {} {} {}", r[by].as_str().unwrap(), one("lcp"), one("cls"), one("inp"))
    };
    v["channels"].as_array().unwrap().iter().map(row).collect()
}

/// `/api/channels`: the Core Web Vitals of each channel's (device class's, campaign's) sessions,
/// their page_leave events counted as the pages count them (by hand from `vital_leaves`: junk
/// figures are not measured), under the session's channel, device class or campaign whatever
/// the leave's own; `{n, good, poor}` per vital, as `/api/pages` gives them. Counted as sessions
/// are stored to (the kept session window moved), and in a window built afresh; narrowed by the
/// device filter as the sessions are.
#[tokio::test]
async fn channels_count_core_web_vitals() {
    let t = seeded(open()).await;
    let channels = |by: &str| format!("/api/channels?{}&by={by}", range());
    // No page_leave yet: nothing measured.
    let none = api(&t, &channels("channel")).await;
    assert!(channel_vitals(&none, "channel").iter().all(|r| r.ends_with(" lcp 0/0/0 cls 0/0/0 inp 0/0/0")), "{none}");
    let a = post(&t.app, batch(vital_leaves())).await;
    assert_eq!(a.json()["rejected"], json!([]), "{}", a.json());
    let by_channel = api(&t, &channels("channel")).await;
    assert_eq!(
        channel_vitals(&by_channel, "channel"),
        [
            " lcp 1/0/0 cls 1/0/1 inp 1/0/1",
            "email lcp 1/1/0 cls 1/1/0 inp 1/1/0",
            "paid_search lcp 1/0/1 cls 2/1/0 inp 1/0/0",
            "social lcp 0/0/0 cls 0/0/0 inp 0/0/0",
        ],
        "{by_channel}"
    );
    assert_eq!(
        by_channel["channels"][1]["vitals"],
        json!({"lcp": {"n": 1, "good": 1, "poor": 0}, "cls": {"n": 1, "good": 1, "poor": 0}, "inp": {"n": 1, "good": 1, "poor": 0}})
    );
    // Every channel's together: the range's page_leave events, as the pages count them.
    let pages = api(&t, &format!("/api/pages?{}", range())).await;
    let mut sum = json!({});
    for k in ["lcp", "cls", "inp"] {
        for c in ["n", "good", "poor"] {
            let n: i64 =
                by_channel["channels"].as_array().unwrap().iter().map(|r| r["vitals"][k][c].as_i64().unwrap()).sum();
            sum[k][c] = json!(n);
        }
    }
    assert_eq!(sum, pages["vitals"]);
    // By the session's device class (s1's from its leave, s3's and b1's desktop, s2 none) and
    // by campaign (s3 and b1 without one).
    assert_eq!(
        channel_vitals(&api(&t, &channels("device")).await, "device"),
        [
            "desktop lcp 1/0/0 cls 1/0/1 inp 1/0/1",
            " lcp 1/0/1 cls 2/1/0 inp 1/0/0",
            "mobile lcp 1/1/0 cls 1/1/0 inp 1/1/0",
        ]
    );
    assert_eq!(
        channel_vitals(&api(&t, &channels("campaign")).await, "campaign"),
        [
            " lcp 1/0/0 cls 1/0/1 inp 1/0/1",
            "grinders lcp 1/0/1 cls 2/1/0 inp 1/0/0",
            "spring_sale lcp 1/1/0 cls 1/1/0 inp 1/1/0",
        ]
    );
    // One site (a window built afresh), one device class's sessions.
    let shop = api(&t, &format!("/api/channels?{}&site=shop", range())).await;
    assert_eq!(channel_vitals(&shop, "channel"), channel_vitals(&by_channel, "channel")[..3]);
    let desktop = api(&t, &format!("/api/channels?{}&device=desktop", range())).await;
    assert_eq!(
        channel_vitals(&desktop, "channel"),
        [" lcp 1/0/0 cls 1/0/1 inp 1/0/1", "social lcp 0/0/0 cls 0/0/0 inp 0/0/0"]
    );
}

/// A page_leave with Core Web Vitals (`vitals`: its properties) on `site`, captured on `device`.
fn vital_leave(id: &str, site: &str, time: &str, path: &str, device: &str, vitals: Value) -> Value {
    let mut props = json!({"category": "touchpoint", "path": path, "engaged_ms": 1000, "max_scroll_pct": 50});
    props.as_object_mut().unwrap().extend(vitals.as_object().unwrap().clone());
    let mut e = ev(id, site, &format!("v{id}"), "page_leave", time, path, props);
    e["context"]["device"] = json!(device);
    e
}

/// page_leave events with Core Web Vitals at known times: on 2026-11-20 (FROM..TO) six on the
/// shop, over two hours, two pages and two device classes, and one on the blog; on the shop the
/// 18th, and the 21st at 03:15, 12:10 and 12:40 (for a range of days ending at 12:30 on the 21st:
/// its whole days, then its hours, then its minutes). Ratings (good/needs improvement/poor):
///
/// | id | time | page | device | LCP | INP | CLS |
/// |---|---|---|---|---|---|---|
/// | 40 | 10:05:00 | / | mobile | good | good | good |
/// | 41 | 10:05:30 | /p/mug | desktop | poor | ni | good |
/// | 42 | 10:40:10 | / | desktop | ni | poor (by `inp_ms`) | poor |
/// | 43 | 11:20:00 | /p/mug | mobile | good | – | ni |
/// | 44 | 11:20:40 | /p/mug | mobile | – | – | poor (`resumed`) |
/// | 45 | 11:59:59 | / | desktop | poor | poor | good |
/// | 46 (blog) | 10:05:10 | /post | desktop | good | good | good |
/// | 47 | 18th 08:00 | / | mobile | good | good | good |
/// | 48 | 21st 03:15 | /p/mug | desktop | poor | ni (by `inp_ms`) | good |
/// | 49 | 21st 12:10 | / | mobile | ni | good | poor |
/// | 50 | 21st 12:40 | / | mobile | good | – | – |
fn vitals_over_time() -> Vec<Value> {
    let (day18, day21) = (|hm: &str| format!("2026-11-18T{hm}.000Z"), |hm: &str| format!("2026-11-21T{hm}.000Z"));
    let leaves = [
        ("40", "shop", at(5, 0), "/", "mobile", json!({"lcp_ms": 1200, "cls_milli": 40, "inp": "good"})),
        (
            "41",
            "shop",
            at(5, 30),
            "/p/mug",
            "desktop",
            json!({"lcp_ms": 4500, "cls_milli": 0, "inp": "needs-improvement"}),
        ),
        ("42", "shop", at(40, 10), "/", "desktop", json!({"lcp_ms": 3000, "cls_milli": 300, "inp_ms": 650})),
        ("43", "shop", at(80, 0), "/p/mug", "mobile", json!({"lcp_ms": 2000, "cls_milli": 120})),
        ("44", "shop", at(80, 40), "/p/mug", "mobile", json!({"resumed": true, "cls_milli": 260})),
        ("45", "shop", at(119, 59), "/", "desktop", json!({"lcp_ms": 5000, "cls_milli": 50, "inp": "poor"})),
        ("46", "blog", at(5, 10), "/post", "desktop", json!({"lcp_ms": 800, "cls_milli": 10, "inp": "good"})),
        ("47", "shop", day18("08:00:00"), "/", "mobile", json!({"lcp_ms": 1000, "cls_milli": 0, "inp": "good"})),
        ("48", "shop", day21("03:15:00"), "/p/mug", "desktop", json!({"lcp_ms": 4100, "cls_milli": 90, "inp_ms": 300})),
        ("49", "shop", day21("12:10:00"), "/", "mobile", json!({"lcp_ms": 2600, "cls_milli": 251, "inp": "good"})),
        ("50", "shop", day21("12:40:00"), "/", "mobile", json!({"lcp_ms": 100})),
    ];
    leaves
        .into_iter()
        .map(|(id, site, time, path, device, vitals)| vital_leave(id, site, &time, path, device, vitals))
        .collect()
}

/// The nine series of `metric=vitals`.
const VITAL_SERIES: [&str; 9] =
    ["cls_good", "cls_n", "cls_poor", "inp_good", "inp_n", "inp_poor", "lcp_good", "lcp_n", "lcp_poor"];

/// A `metric=vitals` answer's buckets with anything measured: "bucket: lcp n/good/poor inp
/// n/good/poor cls n/good/poor" (after checking that the nine series are there, one count per
/// bucket each).
fn vital_buckets(ts: &Value) -> Vec<String> {
    assert_eq!(ts["metric"], json!("vitals"), "{ts}");
    let series = ts["series"].as_object().unwrap();
    assert_eq!(series.keys().collect::<Vec<_>>(), VITAL_SERIES, "{ts}");
    let n = ts["buckets"].as_array().unwrap().len();
    assert!(series.values().all(|v| v.as_array().unwrap().len() == n), "{ts}");
    let v = |name: &str, i: usize| series[name][i].as_i64().unwrap();
    (0..n)
        .filter(|&i| VITAL_SERIES.iter().any(|s| v(s, i) != 0))
        .map(|i| {
            let one = |k: &str| {
                format!("{k} {}/{}/{}", v(&format!("{k}_n"), i), v(&format!("{k}_good"), i), v(&format!("{k}_poor"), i))
            };
            format!("{i}: {} {} {}", one("lcp"), one("inp"), one("cls"))
        })
        .collect()
}

/// A `metric=vitals` answer's series summed, as `/api/pages` gives `vitals`.
fn vital_sums(ts: &Value) -> Value {
    let sum = |name: String| ts["series"][&name].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).sum::<i64>();
    let one = |k: &str| json!({"n": sum(format!("{k}_n")), "good": sum(format!("{k}_good")), "poor": sum(format!("{k}_poor"))});
    json!({"lcp": one("lcp"), "cls": one("cls"), "inp": one("inp")})
}

/// `/api/timeseries?metric=vitals`: per bucket, the page_leave events that measured each Core
/// Web Vital and the good and poor ones (from `vitals_over_time`, counted by hand), by the
/// minute (`page_minutes`), 15 minutes, the hour (`page_hours`, and the minutes at a range's
/// end), and the day (`page_days`, then the hours and minutes of the last day); for one site and
/// all (the sites' rows summed); the nine series always there. Each series sums to what
/// `/api/pages` gives for the same range.
#[tokio::test]
async fn vitals_over_time_by_minute_hour_and_day() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let a = post(&t.app, batch(vitals_over_time())).await;
    assert_eq!((a.json()["accepted"].clone(), a.json()["rejected"].clone()), (json!(11), json!([])), "{}", a.json());
    let series = |rest: &str| format!("/api/timeseries?metric=vitals&{rest}");

    let by_minute = api(&t, &series(&format!("{}&site=shop&bucket=minute", range()))).await;
    assert_eq!((&by_minute["bucketMs"], by_minute["buckets"].as_array().unwrap().len()), (&json!(60_000), 120));
    assert_eq!(by_minute["buckets"][5], json!(1_795_169_100_000i64), "10:05");
    assert_eq!(
        vital_buckets(&by_minute),
        [
            "5: lcp 2/1/1 inp 2/1/0 cls 2/2/0",
            "40: lcp 1/0/0 inp 1/0/1 cls 1/0/1",
            "80: lcp 1/1/0 inp 0/0/0 cls 2/0/1",
            "119: lcp 1/0/1 inp 1/0/1 cls 1/1/0",
        ]
    );
    let by_15 = api(&t, &series(&format!("{}&site=shop&bucket=15m", range()))).await;
    assert_eq!(
        vital_buckets(&by_15),
        [
            "0: lcp 2/1/1 inp 2/1/0 cls 2/2/0",
            "2: lcp 1/0/0 inp 1/0/1 cls 1/0/1",
            "5: lcp 1/1/0 inp 0/0/0 cls 2/0/1",
            "7: lcp 1/0/1 inp 1/0/1 cls 1/1/0",
        ]
    );
    let by_hour = api(&t, &series(&format!("{}&site=shop&bucket=hour", range()))).await;
    assert_eq!(by_hour["bucketMs"], json!(3_600_000));
    assert_eq!(vital_buckets(&by_hour), ["0: lcp 3/1/1 inp 3/1/1 cls 3/2/1", "1: lcp 2/1/1 inp 1/0/1 cls 3/1/1"]);
    // All sites: the blog's view (10:05) too.
    let all = api(&t, &series(&format!("{}&bucket=hour", range()))).await;
    assert_eq!(all["site"], json!(null));
    assert_eq!(vital_buckets(&all), ["0: lcp 4/2/1 inp 4/2/1 cls 4/3/1", "1: lcp 2/1/1 inp 1/0/1 cls 3/1/1"]);
    // To 11:30: the hour 10:00 from `page_hours`, then the minutes to 11:30 (45 at 11:59 is out).
    let half = api(&t, &series(&format!("from={FROM}&to={}&site=shop&bucket=hour", at(90, 0)))).await;
    assert_eq!(vital_buckets(&half), ["0: lcp 3/1/1 inp 3/1/1 cls 3/2/1", "1: lcp 1/1/0 inp 0/0/0 cls 2/0/1"]);

    // Days: the 18th, 19th and 20th from `page_days`, the 21st's hours to 12:00 from `page_hours`
    // and its minutes to 12:30 from `page_minutes` (50, at 12:40, is out).
    let days = "from=2026-11-18T00:00:00Z&to=2026-11-21T12:30:00Z";
    let by_day = api(&t, &series(&format!("{days}&site=shop&bucket=day"))).await;
    assert_eq!((&by_day["bucketMs"], by_day["buckets"].as_array().unwrap().len()), (&json!(86_400_000), 4));
    assert_eq!(by_day["buckets"][0], json!(1_794_960_000_000i64), "2026-11-18T00:00Z");
    assert_eq!(
        vital_buckets(&by_day),
        ["0: lcp 1/1/0 inp 1/1/0 cls 1/1/0", "2: lcp 5/2/2 inp 4/1/2 cls 6/3/2", "3: lcp 2/0/1 inp 2/1/0 cls 2/1/1"]
    );
    // The same range by the hour (`page_hours` and the minutes at its end, never a day).
    let days_by_hour = api(&t, &series(&format!("{days}&site=shop&bucket=hour"))).await;
    assert_eq!(
        vital_buckets(&days_by_hour),
        [
            "8: lcp 1/1/0 inp 1/1/0 cls 1/1/0",
            "58: lcp 3/1/1 inp 3/1/1 cls 3/2/1",
            "59: lcp 2/1/1 inp 1/0/1 cls 3/1/1",
            "75: lcp 1/0/1 inp 1/0/0 cls 1/1/0",
            "84: lcp 1/0/0 inp 1/1/0 cls 1/0/1",
        ]
    );

    // Each series sums to the pages' vitals of the same range (every page, all sites or one).
    for (ts, pages) in [
        (&by_minute, format!("{}&site=shop", range())),
        (&by_15, format!("{}&site=shop", range())),
        (&by_hour, format!("{}&site=shop", range())),
        (&all, range()),
        (&half, format!("from={FROM}&to={}&site=shop", at(90, 0))),
        (&by_day, format!("{days}&site=shop")),
        (&days_by_hour, format!("{days}&site=shop")),
    ] {
        let pages = api(&t, &format!("/api/pages?{pages}&limit=1")).await;
        assert_eq!(vital_sums(ts), pages["vitals"], "{pages}");
    }
    let all_days = api(&t, &series(&format!("{days}&bucket=day"))).await;
    assert_eq!(vital_sums(&all_days), api(&t, &format!("/api/pages?{days}")).await["vitals"]);
    assert_eq!(vital_sums(&all_days)["lcp"], json!({"n": 9, "good": 4, "poor": 3}));
}

/// `metric=vitals` of one page (`path`, exactly as stored) and of one device class (`device`,
/// the rows kept under the site and the class), and both; the nine series, zeros, when nothing
/// was measured. `path` with another metric is refused; a tag is not (none of these events
/// carries one: nothing measured, see `tagged_pages_and_vitals_are_those_of_the_tags_events_alone`).
#[tokio::test]
async fn vitals_over_time_of_one_page_and_device() {
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(vitals_over_time())).await.json()["accepted"], json!(11));
    let hourly = |rest: &str| format!("/api/timeseries?metric=vitals&{}&bucket=hour&{rest}", range());
    let mug = api(&t, &hourly("site=shop&path=/p/mug")).await;
    assert_eq!(vital_buckets(&mug), ["0: lcp 1/0/1 inp 1/0/0 cls 1/1/0", "1: lcp 1/1/0 inp 0/0/0 cls 2/0/1"]);
    let home = api(&t, &hourly("path=/")).await;
    assert_eq!(vital_buckets(&home), ["0: lcp 2/1/0 inp 2/1/1 cls 2/1/1", "1: lcp 1/0/1 inp 1/0/1 cls 1/1/0"]);
    // A page's series sum to its row of the pages.
    let pages = api(&t, &format!("/api/pages?{}", range())).await;
    for (ts, path) in [(&mug, "/p/mug"), (&home, "/")] {
        let row = pages["pages"].as_array().unwrap().iter().find(|p| p["path"] == path).unwrap();
        assert_eq!(vital_sums(ts), row["vitals"], "{path}");
    }
    // Not a prefix: `/p` is no page here.
    assert!(vital_buckets(&api(&t, &hourly("path=/p")).await).is_empty());

    let mobile = api(&t, &hourly("site=shop&device=mobile")).await;
    assert_eq!(vital_buckets(&mobile), ["0: lcp 1/1/0 inp 1/1/0 cls 1/1/0", "1: lcp 1/1/0 inp 0/0/0 cls 2/0/1"]);
    let desktop = api(&t, &hourly("device=desktop")).await;
    assert_eq!(vital_buckets(&desktop), ["0: lcp 3/1/1 inp 3/1/1 cls 3/2/1", "1: lcp 1/0/1 inp 1/0/1 cls 1/1/0"]);
    for (ts, device) in [(&mobile, "site=shop&device=mobile"), (&desktop, "device=desktop")] {
        let pages = api(&t, &format!("/api/pages?{}&{device}", range())).await;
        assert_eq!(vital_sums(ts), pages["vitals"], "{device}");
    }
    let both = api(&t, &hourly("device=mobile&path=/p/mug")).await;
    assert_eq!(vital_buckets(&both), ["1: lcp 1/1/0 inp 0/0/0 cls 2/0/1"]);
    // By the day, over days: one page's rows of a device class in the three tables.
    let days = "from=2026-11-18T00:00:00Z&to=2026-11-21T12:30:00Z&bucket=day";
    let mobile_days = api(&t, &format!("/api/timeseries?metric=vitals&{days}&device=mobile&path=/")).await;
    assert_eq!(
        vital_buckets(&mobile_days),
        ["0: lcp 1/1/0 inp 1/1/0 cls 1/1/0", "2: lcp 1/1/0 inp 1/1/0 cls 1/1/0", "3: lcp 1/0/0 inp 1/1/0 cls 1/0/1"]
    );
    // Nothing measured: the nine series all the same, zeros.
    let tablet = api(&t, &hourly("device=tablet")).await;
    assert!(vital_buckets(&tablet).is_empty());
    assert_eq!(tablet["series"]["lcp_n"], json!([0, 0]));

    // A tag (with a device, a page): the vitals of the events carrying it, here none.
    for q in [hourly("tag=variant:B"), hourly("tag=variant:B&device=mobile&path=/p/mug")] {
        let tagged = api(&t, &q).await;
        assert!(vital_buckets(&tagged).is_empty(), "{q}: {tagged}");
        assert_eq!(tagged["series"]["lcp_n"], json!([0, 0]), "{q}");
    }
    // Refused: a page with the events or sessions (not counted per page).
    for (q, needle) in [
        (format!("/api/timeseries?{}&metric=sessions&path=/p/mug", range()), "path"),
        (format!("/api/timeseries?{}&metric=events&path=/p/mug", range()), "path"),
        (hourly("path=cart"), "path"),
    ] {
        let a = get(&t.app, &q).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}: {}", String::from_utf8_lossy(&a.bytes));
        assert!(a.error().contains(needle), "{q}: {}", a.error());
    }
}

/// The variant-B tag of the experiment's events.
fn variant_b() -> Value {
    json!({"experiment": "checkout_v2", "variant": "B"})
}

/// Events of every kind the pages count (page views, page leaves with Core Web Vitals, some with
/// junk figures, friction of three types) and of kinds they do not (add_to_cart, click), on two
/// sites, three pages and two device classes (and none), from the 18th to the 21st (most on the
/// 20th between 10:00 and 12:00, as `at` gives, some in the minutes a range below starts or ends
/// in), a third carrying variant B, a third variant A, the rest no tag; and a B page_leave dated a
/// year ahead (not believed: it counts at its receive time).
fn mixed_pages_events() -> Vec<Value> {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let a = json!({"experiment": "checkout_v2", "variant": "A"});
    let mut out = Vec::new();
    for i in 0..240 {
        let site = if next(4) == 0 { "blog" } else { "shop" };
        let path = ["/", "/p/mug", "/cart"][next(3) as usize];
        let device = ["", "mobile", "desktop"][next(3) as usize];
        let time = match next(8) {
            0 | 1 => format!(
                "2026-11-{}T{:02}:{:02}:{:02}.000Z",
                18 + next(4),
                [3, 8, 12, 12, 23][next(5) as usize],
                next(60),
                next(60)
            ),
            // (In the minutes 10:01 and 11:40, where the ranges below start and end.)
            2 => at([1, 100][next(2) as usize], next(60) as u32),
            _ => at(next(120) as u32, next(60) as u32),
        };
        let (id, session) = (format!("m{i}"), format!("s{}", next(16)));
        let mut e = match next(8) {
            0 | 1 => ev(&id, site, &session, "page_view", &time, path, json!({})),
            2 | 3 => {
                let lcp = [json!(900), json!(3000), json!(4500), json!("1200")][next(4) as usize].clone();
                let cls = [json!(20), json!(180), json!(400), json!(-3)][next(4) as usize].clone();
                let mut props = json!({"category": "touchpoint", "path": path, "engaged_ms": 1000 * next(30),
                                       "max_scroll_pct": next(101), "lcp_ms": lcp, "cls_milli": cls});
                match next(4) {
                    0 => props["inp"] = json!(["good", "needs-improvement", "poor"][next(3) as usize]),
                    1 => props["inp_ms"] = json!(next(800)),
                    _ => {}
                }
                ev(&id, site, &session, "page_leave", &time, path, props)
            }
            4 | 5 => {
                let kind = ["dead_click", "rage_click", "js_error"][next(3) as usize];
                let mut f = friction(&id, &session, kind, &time, path, "#pay", None);
                f["site"] = json!(site);
                f
            }
            6 => ev(&id, site, &session, "add_to_cart", &time, path, json!({"moment": true})),
            _ => ev(&id, site, &session, "click", &time, path, json!({})),
        };
        if !device.is_empty() {
            e["context"]["device"] = json!(device);
        }
        out.push(match i % 3 {
            0 => tagged(e, &variant_b()),
            1 => tagged(e, &a),
            _ => e,
        });
    }
    let ahead = vital_leave("ahead", "shop", "2027-12-01T00:00:00.000Z", "/cart", "mobile", json!({"lcp_ms": 5000}));
    out.push(tagged(ahead, &variant_b()));
    out
}

/// With `tag`, `/api/pages` and `/api/timeseries?metric=vitals` give what they give without it on
/// a store holding only the events carrying the tag: for every page, site, device class (a device
/// and the tag together), page path and order, over ranges of minutes, hours and days (whole
/// days, hours and minutes at the ends, ends inside a minute) and buckets of a minute, 15
/// minutes, an hour and a day, and for an event counted at its receive time. (The untagged
/// answers come from the page tables, the tagged ones from the tag page tables, kept at ingest
/// with them: the same rows were the tag's events the only ones.) And so do the overview's events
/// and friction (from the tag count tables), with a device class too. Checked by hand too:
/// variant B's pages of `experiment`.
#[tokio::test]
async fn tagged_pages_and_vitals_are_those_of_the_tags_events_alone() {
    let events = mixed_pages_events();
    let only_b: Vec<Value> = events.iter().filter(|e| e["context"]["tags"] == variant_b()).cloned().collect();
    assert_eq!(only_b.len(), 81);
    let (all, b) =
        (read_app(Store::open(":memory:").unwrap(), open()), read_app(Store::open(":memory:").unwrap(), open()));
    for (t, events) in [(&all, events), (&b, only_b)] {
        let n = events.len();
        let a = post(&t.app, batch(events)).await;
        assert_eq!(
            (a.json()["accepted"].as_u64(), &a.json()["rejected"]),
            (Some(n as u64), &json!([])),
            "{}",
            a.json()
        );
    }
    let now = touchpoint_collector::facts::now_ms();
    let ranges = [
        (range(), true),
        (format!("from={}&to={}", at(1, 30), at(100, 20)), true),
        ("from=2026-11-18T00:00:00Z&to=2026-11-21T12:30:00Z".to_string(), false),
        ("from=2026-11-17T07:13:00Z&to=2026-11-22T00:05:00Z".to_string(), false),
        // (The event dated ahead, at its receive time.)
        (format!("from={}&to={}", now - 86_400_000, now + 3_600_000), false),
    ];
    let (mut measured, mut differs) = (0, 0);
    for (range, short) in &ranges {
        for filter in
            ["", "&site=shop", "&device=mobile", "&site=blog&device=desktop", "&sort=views", "&sort=vitals&limit=2"]
        {
            let q = format!("/api/pages?{range}{filter}");
            let tagged = api(&all, &format!("{q}&tag=variant:B")).await;
            assert_eq!(tagged, api(&b, &q).await, "{q}");
            differs += usize::from(tagged != api(&all, &q).await);
            measured += usize::from(tagged["vitals"]["lcp"]["n"].as_i64() > Some(0));
        }
        let buckets: &[&str] = if *short { &["minute", "15m", "hour", "day"] } else { &["hour", "day"] };
        for bucket in buckets {
            for filter in ["", "&site=shop", "&device=desktop", "&path=/p/mug", "&site=shop&device=mobile&path=/cart"] {
                let q = format!("/api/timeseries?metric=vitals&{range}&bucket={bucket}{filter}");
                let tagged = api(&all, &format!("{q}&tag=variant:B")).await;
                assert_eq!(tagged, api(&b, &q).await, "{q}");
                differs += usize::from(tagged != api(&all, &q).await);
                measured += usize::from(!vital_buckets(&tagged).is_empty());
            }
        }
    }
    // The overview's events and friction of the tag (and of a device class with it): those of
    // the store holding only its events, over the ranges whose ends are whole minutes (without a
    // tag the overview counts whole minutes; with one, to the millisecond).
    for (range, _) in ranges.iter().filter(|(r, _)| r.starts_with("from=2026") && !r.contains(&at(1, 30))) {
        for filter in ["", "&site=shop", "&device=mobile", "&site=blog&device=desktop", "&device=tablet"] {
            let q = format!("/api/overview?{range}{filter}");
            let (tagged, alone) = (api(&all, &format!("{q}&tag=variant:B")).await, api(&b, &q).await);
            assert_eq!((&tagged["events"], &tagged["friction"]), (&alone["events"], &alone["friction"]), "{q}");
            assert!(tagged["events"].is_i64(), "{q}: {tagged}");
        }
    }
    // (What the comparison stands for: answers with vitals measured, not those of every event.)
    assert!(measured > 60 && differs > 60, "{measured} {differs}");
    let recent = format!("/api/pages?from={}&to={}&tag=variant:B", now - 86_400_000, now + 3_600_000);
    assert_eq!(vitals_rows(&api(&all, &recent).await), ["/cart lcp 1/0/1 cls 0/0/0 inp 0/0/0"]);

    // By hand: variant B's events of the range are b1's view of /cart and its two friction
    // events there, b2's add to cart (no page count) and its js_error on /cart (b0's, at 09:30,
    // are before the range).
    let t = read_app(Store::open(":memory:").unwrap(), open());
    assert_eq!(post(&t.app, batch(experiment())).await.json()["accepted"], json!(12));
    let pages = api(&t, &format!("/api/pages?{}&tag=variant:B", range())).await;
    let rows: Vec<String> = pages["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} v{} l{} f{} {}",
                p["path"].as_str().unwrap(),
                p["views"],
                p["leaves"],
                p["friction"],
                p["frictionByType"]
            )
        })
        .collect();
    assert_eq!(rows, [r#"/cart v1 l0 f3 {"dead_click":1,"js_error":1,"rage_click":1}"#], "{pages}");
    let all_pages = api(&t, &format!("/api/pages?{}", range())).await;
    assert_eq!(all_pages["pages"][0]["views"], json!(3), "a1's, b1's and n1's: {all_pages}");
    assert!(api(&t, &format!("/api/pages?{}&tag=variant:B&site=blog", range())).await["pages"] == json!([]));
    // A bad tag is a 400 here too.
    for endpoint in ["pages", "timeseries?metric=vitals"] {
        let a =
            get(&t.app, &format!("/api/{endpoint}{}tag=variant", if endpoint == "pages" { "?" } else { "&" })).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{endpoint}");
        assert!(a.error().starts_with("tag: "), "{endpoint}: {}", a.error());
    }
}

/// An event of a test as the collector counts it: (time, site, session, device class, friction,
/// its tags as (key, value) texts); events dated more than an hour ahead count at `received`.
type Counted = (i64, String, String, String, bool, Vec<(String, String)>);

fn counted(events: &[Value], received: i64) -> Vec<Counted> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) if n.is_i64() => Some(n.to_string()),
        _ => None,
    };
    events
        .iter()
        .map(|e| {
            let ts = touchpoint_collector::facts::parse_iso_millis(e["timestamp"].as_str().unwrap()).unwrap();
            let tags = e["context"]["tags"].as_object().into_iter().flatten();
            (
                if ts > received + 3_600_000 { received } else { ts },
                e["site"].as_str().unwrap().to_string(),
                e["sessionId"].as_str().unwrap().to_string(),
                e["context"]["device"].as_str().unwrap_or("").to_string(),
                e["properties"]["category"] == "friction",
                tags.filter_map(|(k, v)| Some((k.clone(), text(v)?))).collect(),
            )
        })
        .collect()
}

/// `/api/tags` and the overview's events and friction with a tag (and a device class) count the
/// events carrying the tag whose time is in the range, to the millisecond: over ranges of
/// minutes, hours and days whose ends fall inside a minute (whole days, hours and minutes from
/// the tag count tables, the milliseconds at the ends from the tag rows), one holding an event
/// dated far ahead (counted at its receive time), per site and for all; with a device class, of
/// the events captured on it (the count tables' rows of the device class, no longer `null`). The
/// sessions of `/api/tags`: those with an event carrying the tag in the range.
#[tokio::test]
async fn tag_counts_are_those_of_the_tagged_events() {
    let mut events = mixed_pages_events();
    events.extend(experiment());
    let t = read_app(Store::open(":memory:").unwrap(), open());
    let received = touchpoint_collector::facts::now_ms();
    let n = events.len();
    let a = post(&t.app, batch(events.clone())).await;
    assert_eq!((a.json()["accepted"].as_u64(), &a.json()["rejected"]), (Some(n as u64), &json!([])), "{}", a.json());
    let later = touchpoint_collector::facts::now_ms();
    let events = counted(&events, received);
    let iso = |ms: i64| touchpoint_collector::facts::format_iso_millis(ms);
    let ms = |s: &str| touchpoint_collector::facts::parse_iso_millis(s).unwrap();
    let ranges = [
        (ms(FROM), ms(TO)),
        (ms("2026-11-20T10:01:30.250Z"), ms("2026-11-20T11:40:12.999Z")),
        (ms("2026-11-20T10:01:00.001Z"), ms("2026-11-20T10:01:59.999Z")),
        (ms("2026-11-18T00:00:00.000Z"), ms("2026-11-21T12:30:00.000Z")),
        (ms("2026-11-17T07:13:00.123Z"), ms("2026-11-22T00:05:00.456Z")),
        (ms("2026-11-18T03:00:00.500Z"), ms("2026-11-20T10:01:30.000Z")),
        // (The event dated ahead, at its receive time.)
        (received - 2 * 86_400_000 + 123, later + 3_600_000 - 7),
    ];
    let (mut compared, mut devices_seen) = (0, 0);
    for (from, to) in ranges {
        let r = format!("from={}&to={}", iso(from), iso(to));
        for site in [None, Some("shop"), Some("blog")] {
            let of = |e: &&Counted| (from..to).contains(&e.0) && site.is_none_or(|s| e.1 == s);
            // Per tag: events, friction, sessions.
            let mut want: std::collections::BTreeMap<(String, String), (i64, i64, std::collections::BTreeSet<String>)> =
                Default::default();
            for e in events.iter().filter(of) {
                for tag in &e.5 {
                    let c = want.entry(tag.clone()).or_default();
                    c.0 += 1;
                    c.1 += i64::from(e.4);
                    c.2.insert(format!("{} {}", e.2, e.1));
                }
            }
            let mut want: Vec<_> = want.into_iter().collect();
            want.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
            let want: Vec<Value> = want
                .into_iter()
                .map(|((k, v), (events, friction, sessions))| {
                    json!({"key": k, "value": v, "events": events, "friction": friction, "sessions": sessions.len()})
                })
                .collect();
            let site_q = site.map(|s| format!("&site={s}")).unwrap_or_default();
            let got = api(&t, &format!("/api/tags?{r}{site_q}")).await;
            assert_eq!(got["tags"], json!(want), "{r}{site_q}");
            compared += usize::from(want.len() > 2);
            for (key, value) in [("variant", "B"), ("variant", "A"), ("tier", "2"), ("experiment", "checkout_v2")] {
                for device in [None, Some("mobile"), Some("desktop")] {
                    let tagged: Vec<&Counted> = events
                        .iter()
                        .filter(of)
                        .filter(|e| device.is_none_or(|d| e.3 == d))
                        .filter(|e| e.5.iter().any(|(k, v)| k == key && v == value))
                        .collect();
                    let want = (tagged.len() as i64, tagged.iter().filter(|e| e.4).count() as i64);
                    let device_q = device.map(|d| format!("&device={d}")).unwrap_or_default();
                    let q = format!("/api/overview?{r}{site_q}&tag={key}:{value}{device_q}");
                    let v = api(&t, &q).await;
                    assert_eq!((v["events"].as_i64(), v["friction"].as_i64()), (Some(want.0), Some(want.1)), "{q}");
                    devices_seen += usize::from(device.is_some() && want.0 > 0);
                    // The events series, in hours (whole hours from the hour rows, the minutes at
                    // the ends from the minute rows): each event in the hour of its minute, from
                    // the range's first minute (the first bucket begins on the hour before it,
                    // and holds only the range's minutes: it held the whole hour's).
                    let series =
                        format!("/api/timeseries?{r}{site_q}&tag={key}:{value}{device_q}&metric=events&bucket=hour");
                    let got = api(&t, &series).await;
                    let (first, end) = (from.div_euclid(3_600_000) * 60, (to - 1).div_euclid(60_000) + 1);
                    let mut want = vec![0i64; ((end - first + 59) / 60) as usize];
                    for e in events
                        .iter()
                        .filter(|e| site.is_none_or(|s| e.1 == s) && device.is_none_or(|d| e.3 == d))
                        .filter(|e| e.5.iter().any(|(k, v)| k == key && v == value))
                    {
                        let minute = e.0.div_euclid(60_000);
                        if (from.div_euclid(60_000)..end).contains(&minute) {
                            want[((minute - first) / 60) as usize] += 1;
                        }
                    }
                    let want = if want.iter().all(|&n| n == 0) { json!({}) } else { json!({"events": want}) };
                    assert_eq!(got["series"], want, "{series}");
                }
            }
        }
    }
    // (What the comparisons stand for: several tags per answer, counts per device class.)
    assert!(compared > 10 && devices_seen > 40, "{compared} {devices_seen}");
}

/// A version 17 database (before the tag count tables) gets them made and filled from its events'
/// tag rows when it is opened (each of those events read through the same checks as at ingest,
/// for its device class): they hold the very rows ingestion would have made (every tag, site,
/// device class, minute, hour and day), and `/api/tags` and the overview of a tag answer as before.
#[tokio::test]
async fn tag_counts_are_counted_for_a_version_17_database() {
    let batches = || vec![batch(mixed_pages_events()), batch(experiment())];
    // (`same_answers_after_migration` drops them for every older version.)
    let downgrade = "DROP TABLE IF EXISTS tag_count_minutes; DROP TABLE IF EXISTS tag_count_hours;
                     DROP TABLE IF EXISTS tag_count_days; PRAGMA user_version = 17;";
    let days = "from=2026-11-17T07:13:00.123Z&to=2026-11-22T00:05:00.456Z";
    let queries = [
        format!("/api/tags?{}", range()),
        format!("/api/tags?{days}&site=shop"),
        format!("/api/overview?{}&tag=variant:B", range()),
        format!("/api/overview?{days}&tag=variant:A&device=mobile"),
        format!("/api/overview?{days}&tag=tier:2&site=shop"),
    ];
    let before = same_answers_after_migration(batches(), &queries, downgrade).await;
    // (Answers that count something.)
    assert!(before[1]["tags"].as_array().unwrap().len() >= 3, "{}", before[1]);
    assert!(before[3]["events"].as_i64() > Some(0), "{}", before[3]);

    // The rows themselves: as ingestion made them.
    let tables = ["tag_count_minutes", "tag_count_hours", "tag_count_days"];
    migration_makes_the_rows_ingestion_made(batches(), &tables, downgrade).await;
}

/// Stores `batches` in a database file, reads back every row of `tables`, turns the file into an
/// older version with `downgrade` and opens it again (which migrates it): the migration must make
/// the very rows ingestion made, not only the same answers (`same_answers_after_migration`). Also
/// checks that there are enough rows (more than 500, some of a device class) for the comparison
/// to mean something.
async fn migration_makes_the_rows_ingestion_made(batches: Vec<Vec<u8>>, tables: &[&str], downgrade: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let path = path.to_str().unwrap();
    let t = read_app(Store::open(path).unwrap(), open());
    for b in batches {
        assert_eq!(post(&t.app, b).await.json()["rejected"], json!([]));
    }
    drop(t);
    let kept = table_rows(path, tables);
    assert!(kept.len() > 500, "{}", kept.len());
    assert!(kept.iter().any(|r| r.contains("\\u{1}mobile")), "device classes' rows: {kept:#?}");
    rusqlite::Connection::open(path).unwrap().execute_batch(downgrade).unwrap();
    drop(Store::open(path).unwrap());
    assert_eq!(table_rows(path, tables), kept);
}

/// Every row of `tables` of the database file at `path`, as text, sorted.
fn table_rows(path: &str, tables: &[&str]) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut out: Vec<String> =
        tables.iter().flat_map(|t| rows(&c, t).into_iter().map(move |r| format!("{t} {r}"))).collect();
    out.sort();
    out
}

/// A version 16 database (before the tag page tables) gets them made and filled from its events'
/// tag rows when it is opened (each of those events read through the same checks as at ingest):
/// they hold the very rows ingestion would have made (every tag, site, device class, minute, hour
/// and day), and a tag's pages and vitals answer as before.
#[tokio::test]
async fn tag_pages_are_counted_for_a_version_16_database() {
    let batches = || vec![batch(mixed_pages_events()), batch(experiment())];
    let downgrade =
        "DROP TABLE tag_page_minutes; DROP TABLE tag_page_hours; DROP TABLE tag_page_days; PRAGMA user_version = 16;";
    let days = "from=2026-11-17T07:13:00Z&to=2026-11-22T00:05:00Z";
    let queries = [
        format!("/api/pages?{}&tag=variant:B", range()),
        format!("/api/pages?{days}&tag=variant:A&device=mobile&sort=vitals"),
        format!("/api/pages?{}&tag=experiment:checkout_v2&site=shop&sort=views", range()),
        format!("/api/pages?{}&tag=tier:2", range()),
        format!("/api/timeseries?metric=vitals&{}&bucket=15m&tag=variant:B", range()),
        format!("/api/timeseries?metric=vitals&{days}&bucket=day&tag=variant:A&path=/p/mug"),
        format!("/api/timeseries?metric=vitals&{}&bucket=hour&tag=variant:B&device=desktop&site=shop", range()),
    ];
    let before = same_answers_after_migration(batches(), &queries, downgrade).await;
    // (Answers that count something: pages of the tag, vitals measured.)
    assert!(before[0]["pages"].as_array().unwrap().len() >= 3, "{}", before[0]);
    assert!(before[1]["vitals"]["lcp"]["n"].as_i64() > Some(0), "{}", before[1]);
    assert_eq!((&before[3]["pages"][0]["path"], &before[3]["pages"][0]["views"]), (&json!("/cart"), &json!(2)));
    for i in [4, 5, 6] {
        assert!(!vital_buckets(&before[i]).is_empty(), "{}", before[i]);
    }

    // The rows themselves: as ingestion made them.
    let tables = ["tag_page_minutes", "tag_page_hours", "tag_page_days"];
    migration_makes_the_rows_ingestion_made(batches(), &tables, downgrade).await;
}

/// A version 15 database's page tables lack the Core Web Vitals: the columns are added and the
/// page tables counted again from the stored events when the database is opened.
#[tokio::test]
async fn vitals_are_counted_for_a_version_15_database() {
    let queries = [
        format!("/api/pages?{}", range()),
        format!("/api/pages?{}&device=desktop", range()),
        format!("/api/pages?from={}&to={TO}&site=shop", at(1, 0)),
    ];
    let vitals = ["lcp", "cls", "inp"].map(|v| ["measured", "good", "poor"].map(|c| format!("{v}_{c}")));
    let mut downgrade = String::new();
    for table in ["page_minutes", "page_hours", "page_days"] {
        for column in vitals.iter().flatten() {
            downgrade += &format!("ALTER TABLE {table} DROP COLUMN {column};\n");
        }
    }
    downgrade += "PRAGMA user_version = 15;";
    let before = same_answers_after_migration(vec![batch(seed()), batch(vital_leaves())], &queries, &downgrade).await;
    assert_eq!(vitals_rows(&before[1])[0], "/ lcp 1/0/0 cls 1/0/1 inp 1/0/1", "{}", before[1]);
    assert_eq!(vitals_rows(&before[0])[3], "/ lcp 2/1/0 cls 2/1/1 inp 2/1/1", "{}", before[0]);
}

/// A version 8 database (before the pages) gets `page_minutes` and `page_hours` filled from its
/// events when it is opened: the pages answer as if they had been kept at ingest.
#[tokio::test]
async fn pages_are_filled_for_a_version_8_database() {
    let queries =
        [format!("/api/pages?{}", range()), format!("/api/pages?from={}&to={TO}&site=shop&sort=views", at(1, 0))];
    let before = same_answers_after_migration(
        vec![batch(seed()), batch(page_leaves())],
        &queries,
        "DROP TABLE page_minutes; DROP TABLE page_hours; DROP TABLE page_days; PRAGMA user_version = 8;",
    )
    .await;
    assert_eq!(before[0]["pages"].as_array().unwrap().len(), 4, "{}", before[0]);
}
