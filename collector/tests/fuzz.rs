//! Property tests: whatever bytes arrive, the collector never panics, and it
//! answers either 200 with consistent counts (every event accepted, duplicate or
//! rejected) or a 4xx with a JSON `error`.

mod common;

use axum::body::Body;
use axum::http::StatusCode;
use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use touchpoint_collector::decode::decode_body;
use touchpoint_collector::ingest::{ingest, IngestRequest};
use touchpoint_collector::origin::OriginPolicy;
use touchpoint_collector::validate::parse_batch;
use touchpoint_collector::Store;

fn valid_body() -> Vec<u8> {
    batch(vec![event("p1", "shop"), event("p2", "shop"), event("p1", "blog")])
}

/// Byte-level damage to a valid body: the kind of thing a proxy, a truncated
/// beacon or an attacker produces.
#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut body: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = body.len().max(1);
        match m {
            Mutation::Set(i, b) => {
                if !body.is_empty() {
                    body[i % len] = *b;
                }
            }
            Mutation::Delete(i, n) => {
                let start = (i % len).min(body.len());
                let end = (start + n).min(body.len());
                body.drain(start..end);
            }
            Mutation::Insert(i, v) => {
                let at = (i % len).min(body.len());
                body.splice(at..at, v.iter().copied());
            }
            Mutation::Truncate(i) => body.truncate(i % len),
        }
    }
    body
}

/// Arbitrary JSON values, to put where a field should be.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        "[a-z_]{0,70}".prop_map(Value::from),
        Just(json!("2024-05-01T12:00:00Z")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{0,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: &[&str] = &[
    "type",
    "event",
    "messageId",
    "timestamp",
    "sessionId",
    "site",
    "properties",
    "context",
    "anonymousId",
    "userId",
    "sentAt",
    "batch",
];

/// A valid body with one field (of the envelope or of one event) replaced or removed.
fn field_mutated_body() -> impl Strategy<Value = Vec<u8>> {
    (0usize..3, 0usize..FIELDS.len(), proptest::option::of(json_value())).prop_map(|(idx, f, v)| {
        let mut root: Value = serde_json::from_slice(&valid_body()).unwrap();
        let field = FIELDS[f];
        let target = if field == "sentAt" || field == "batch" { &mut root } else { &mut root["batch"][idx] };
        match v {
            Some(v) => target[field] = v,
            None => {
                target.as_object_mut().unwrap().remove(field);
            }
        }
        serde_json::to_vec(&root).unwrap()
    })
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(mutation(), 1..6).prop_map(|m| apply(valid_body(), &m)),
        proptest::collection::vec(mutation(), 1..4).prop_map(|m| apply(gzip(&valid_body()), &m)),
        field_mutated_body(),
        field_mutated_body().prop_map(|b| gzip(&b)),
    ]
}

/// (events that pass, events refused) if the body is a batch, to check the counts against.
fn expected_events(body: &[u8]) -> Option<(usize, usize)> {
    let json = decode_body(body, None).ok()?;
    parse_batch(&json).ok().map(|b| (b.events.len(), b.rejected.len()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// The pipeline itself: never panics; Ok exactly when the body is a batch, and then
    /// every event is counted once: accepted, duplicate or rejected.
    #[test]
    fn ingest_never_panics(body in any_body()) {
        let store = Store::open(":memory:").unwrap();
        let req = IngestRequest { body: body.clone(), ..Default::default() };
        match ingest(&store, &OriginPolicy::default(), &req) {
            Ok(done) => {
                let (ok, refused) = expected_events(&body).expect("accepted a body that is not a batch");
                let a = &done.answer;
                prop_assert_eq!(a.accepted + a.duplicates, ok);
                prop_assert_eq!(a.rejected.len(), refused);
                prop_assert!(a.rejected.windows(2).all(|w| w[0].index < w[1].index));
                prop_assert!(a.rejected.iter().all(|r| !r.reason.is_empty()));
                prop_assert_eq!(store.count().unwrap() as usize, a.accepted);
            }
            Err(e) => {
                prop_assert!(e.status().is_client_error(), "{:?}", e);
                prop_assert!(!e.reason().is_empty());
                prop_assert!(expected_events(&body).is_none(), "refused a valid body: {:?}", e);
                prop_assert_eq!(store.count().unwrap(), 0);
            }
        }
    }

    /// Through HTTP: 200 with counts, or 4xx with a JSON `error`.
    #[test]
    fn http_answers_200_or_4xx_json(body in any_body()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let t = memory_app();
        let a = rt.block_on(send(&t.app, post_req().body(Body::from(body.clone())).unwrap()));
        let v: Value = serde_json::from_slice(&a.bytes).expect("answer is JSON");
        if a.status == StatusCode::OK {
            prop_assert!(v["accepted"].is_u64() && v["duplicates"].is_u64(), "{}", v);
            prop_assert!(v["rejected"].is_array(), "{}", v);
        } else {
            prop_assert!(a.status.is_client_error(), "{}: {}", a.status, v);
            prop_assert!(v["error"].as_str().is_some_and(|s| !s.is_empty()), "{}", v);
        }
    }
}

#[test]
fn valid_body_is_valid() {
    // Guards the generators: the unmutated body must be accepted.
    assert_eq!(expected_events(&valid_body()), Some((3, 0)));
    assert_eq!(expected_events(&gzip(&valid_body())), Some((3, 0)));
}
