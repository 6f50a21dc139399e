use super::*;

fn ev(id: &str, bytes: usize) -> Encoded {
    let pad = "x".repeat(bytes.saturating_sub(10));
    Encoded { message_id: id.into(), json: ["{\"p\":\"", &pad, "\"}"].concat() }
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| ["e", &i.to_string()].concat()).collect()
}

fn filled(policy: Policy, n: usize, now: u64) -> Outbox {
    let mut o = Outbox::new(policy);
    for id in ids(n) {
        o.push(ev(&id, 100), now).unwrap();
    }
    o
}

#[test]
fn sends_when_batch_is_full() {
    let full = Policy::default().max_batch_events;
    let mut o = filled(Policy::default(), full - 1, 0);
    assert_eq!(o.poll_transmit(1), None, "one short of a batch and young: wait");
    o.push(ev(&ids(full)[full - 1], 100), 2).unwrap();
    let t = o.poll_transmit(2).expect("a full batch: send");
    assert_eq!(t.message_ids, ids(full));
    assert!(t.body.starts_with("{\"sentAt\":\"1970-01-01T00:00:00.002Z\",\"batch\":[{"));
}

#[test]
fn sends_when_oldest_event_is_old_enough() {
    let mut o = filled(Policy::default(), 1, 1_000);
    assert_eq!(o.next_wakeup(1_000), Some(6_000));
    assert_eq!(o.poll_transmit(5_999), None);
    assert!(o.poll_transmit(6_000).is_some());
}

#[test]
fn flush_sends_everything_now_even_across_batches() {
    let full = Policy::default().max_batch_events;
    let mut o = filled(Policy::default(), full + 5, 0);
    o.request_flush();
    let t = o.poll_transmit(1).unwrap();
    assert_eq!(t.message_ids.len(), full);
    assert_eq!(o.on_result(t.request, Outcome::Delivered, 2, 0, None).len(), full);
    let t = o.poll_transmit(3).expect("flush keeps going until empty");
    assert_eq!(t.message_ids, ids(full + 5)[full..].to_vec());
    o.on_result(t.request, Outcome::Delivered, 4, 0, None);
    assert!(o.is_empty());
    assert_eq!(o.stats.delivered, full as u64 + 5);
}

/// A flush asks for what is queued then: once only probes are left (a page before's beacon, not
/// confirmed yet), a later event waits for its interval again. (The flush stayed asked for
/// while they waited: after a moment of truth every event of the page was sent on its own at
/// once, a withdrawal's own click among them, ahead of the withdrawal: a DPO's QA.)
#[test]
fn a_flush_ends_when_only_probes_are_left() {
    let mut o = filled(Policy::default(), 2, 0);
    o.probe(&ids(1), 0);
    o.request_flush();
    let t = o.poll_transmit(1).unwrap();
    assert_eq!(t.message_ids, ["e1"]);
    o.on_result(t.request, Outcome::Delivered, 2, 0, None);
    o.push(ev("late", 100), 3).unwrap();
    assert_eq!(o.poll_transmit(4), None, "the flush is over: the new event waits for its interval");
    assert_eq!(o.next_wakeup(4), Some(3 + Policy::default().flush_interval_ms));
}

/// A 413 (a proxy's body limit before the collector) sends the batch again in halves, at once,
/// down to one event, which is then retried later as after a 5xx: nothing is dropped. (It was
/// a rejection: the batch, a purchase in it, was lost without a trace: a reliability QA.)
/// Each success doubles the size allowed again.
#[test]
fn a_413_sends_the_batch_again_in_halves() {
    let mut o = filled(Policy::default(), 8, 0);
    o.request_flush();
    let t = o.poll_transmit(1).unwrap();
    assert_eq!(t.message_ids.len(), 8);
    assert!(o.on_result(t.request, Outcome::TooLarge, 2, 0, None).is_empty(), "nothing dropped");
    let t = o.poll_transmit(2).expect("again at once, halved");
    assert_eq!(t.message_ids, ids(4));
    o.on_result(t.request, Outcome::TooLarge, 3, 0, None);
    let t = o.poll_transmit(3).unwrap();
    assert_eq!(t.message_ids, ids(2));
    o.on_result(t.request, Outcome::TooLarge, 4, 0, None);
    let t = o.poll_transmit(4).unwrap();
    assert_eq!(t.message_ids, ids(1));
    o.on_result(t.request, Outcome::TooLarge, 5, 7, None);
    assert_eq!(o.poll_transmit(5), None, "one event refused: retried later, as after a 5xx");
    let at = o.next_wakeup(5).unwrap();
    let t = o.poll_transmit(at).unwrap();
    assert_eq!(t.message_ids, ids(1));
    assert_eq!(o.on_result(t.request, Outcome::Delivered, at, 0, None), ids(1));
    let t = o.poll_transmit(at).unwrap();
    assert_eq!(t.message_ids.len(), 2, "a success doubles the size allowed");
    assert_eq!(o.stats.dropped_rejected, 0);
}

#[test]
fn one_request_in_flight_at_a_time() {
    let mut o = filled(Policy::default(), 2 * Policy::default().max_batch_events + 5, 0);
    let t = o.poll_transmit(0).unwrap();
    assert_eq!(o.poll_transmit(0), None);
    assert_eq!(o.next_wakeup(0), None);
    o.on_result(t.request, Outcome::Delivered, 1, 0, None);
    assert!(o.poll_transmit(1).is_some());
}

#[test]
fn batches_respect_the_byte_limit() {
    let policy = Policy { max_batch_bytes: 1_000, ..Policy::default() };
    let mut o = Outbox::new(policy);
    for id in ids(5) {
        o.push(ev(&id, 400), 0).unwrap();
    }
    o.request_flush();
    let t = o.poll_transmit(0).unwrap();
    assert_eq!(t.message_ids.len(), 2);
    assert!(t.body.len() <= 1_000);
}

#[test]
fn an_oversized_event_is_refused_and_counted() {
    let mut o = Outbox::new(Policy::default());
    assert_eq!(o.push(ev("big", 40 * 1024), 0), Err(PushError::TooLarge));
    assert_eq!(o.stats.dropped_too_large, 1);
    assert!(o.is_empty());
}

#[test]
fn classify_statuses() {
    assert_eq!(classify(200, None), Outcome::Delivered);
    assert_eq!(classify(204, None), Outcome::Delivered);
    for s in [0, 403, 408, 429, 500, 502, 503, 599] {
        assert!(matches!(classify(s, None), Outcome::Retry { after_ms: None }), "{s}");
    }
    for s in [400, 401, 404, 422] {
        assert_eq!(classify(s, Some("3")), Outcome::Rejected, "{s}");
    }
    assert_eq!(classify(413, None), Outcome::TooLarge);
    assert_eq!(classify(429, Some("3")), Outcome::Retry { after_ms: Some(3_000) });
    assert_eq!(classify(503, Some(" 120 ")), Outcome::Retry { after_ms: Some(120_000) });
    assert_eq!(classify(503, Some("Wed, 21 Oct 2015 07:28:00 GMT")), Outcome::Retry { after_ms: None });
    assert_eq!(parse_retry_after("99999999"), Some(MAX_RETRY_AFTER_MS));
    assert_eq!(parse_retry_after("-1"), None);
}

#[test]
fn retries_back_off_exponentially_with_full_jitter() {
    let mut o = filled(Policy::default(), 1, 0);
    o.request_flush();
    let mut now = 0;
    let mut ceilings = Vec::new();
    for _ in 0..8 {
        let t = o.poll_transmit(now).expect("due");
        // The largest random number gives the ceiling of the jitter window.
        assert!(o.on_result(t.request, Outcome::Retry { after_ms: None }, now, u32::MAX - 1, None).is_empty());
        let wake = o.next_wakeup(now).unwrap();
        ceilings.push(wake - now);
        assert_eq!(o.poll_transmit(wake - 1), None, "not before the backoff ends");
        now = wake;
    }
    for w in ceilings.windows(2) {
        assert!(w[1] >= w[0], "backoff never shrinks: {ceilings:?}");
        assert!(w[1] <= 60_000, "capped: {ceilings:?}");
    }
    assert!(ceilings[0] <= 2_000);
    // Nothing was lost while retrying, and success resets the backoff.
    let t = o.poll_transmit(now).unwrap();
    assert_eq!(t.message_ids, ids(1));
    o.on_result(t.request, Outcome::Delivered, now, 0, None);
    assert!(o.is_empty());
}

#[test]
fn retry_after_is_honoured_even_when_jitter_is_small() {
    let mut o = filled(Policy::default(), 1, 0);
    o.request_flush();
    let t = o.poll_transmit(0).unwrap();
    o.on_result(t.request, Outcome::Retry { after_ms: Some(3_000) }, 10, 0, None);
    assert_eq!(o.poll_transmit(3_009), None);
    assert!(o.poll_transmit(3_010).is_some());
}

#[test]
fn rejected_batches_are_dropped_and_counted() {
    let mut o = filled(Policy::default(), 3, 0);
    o.request_flush();
    let t = o.poll_transmit(0).unwrap();
    assert_eq!(o.on_result(t.request, Outcome::Rejected, 1, 0, None), ids(3));
    assert!(o.is_empty());
    assert_eq!(o.stats.dropped_rejected, 3);
}

#[test]
fn stale_answers_are_ignored() {
    let mut o = filled(Policy::default(), 3, 0);
    o.request_flush();
    let t = o.poll_transmit(0).unwrap();
    o.purge();
    o.push(ev("new", 100), 1).unwrap();
    assert!(o.on_result(t.request, Outcome::Delivered, 2, 0, None).is_empty());
    assert!(o.contains("new"));
}

#[test]
fn overflow_drops_oldest_but_never_what_is_in_flight() {
    let policy = Policy { max_queue_events: 5, ..Policy::default() };
    let mut o = filled(policy, 5, 0);
    o.request_flush();
    let t = o.poll_transmit(0).unwrap();
    assert_eq!(t.message_ids.len(), 5);
    let evicted = o.push(ev("late", 100), 1).unwrap();
    assert_eq!(evicted.len(), 1, "the bound holds even while a batch is in flight");
    assert_eq!(evicted[0].message_id, "late", "in-flight events are never the ones evicted");
    assert_eq!(o.on_result(t.request, Outcome::Delivered, 2, 0, None).len(), 5);
    let mut o = filled(Policy { max_queue_events: 5, ..Policy::default() }, 5, 0);
    let evicted = o.push(ev("late", 100), 1).unwrap();
    assert_eq!(evicted.iter().map(|e| e.message_id.as_str()).collect::<Vec<_>>(), ["e0"]);
    assert_eq!(o.stats.dropped_overflow, 1);
    assert_eq!(o.len(), 5);
}

#[test]
fn byte_bound_also_evicts() {
    let policy = Policy { max_queue_bytes: 1_000, ..Policy::default() };
    let mut o = Outbox::new(policy);
    for id in ids(4) {
        o.push(ev(&id, 300), 0).unwrap();
    }
    assert_eq!(o.len(), 3);
    assert!(!o.contains("e0"));
}

#[test]
fn duplicate_pushes_are_ignored() {
    let mut o = Outbox::new(Policy::default());
    o.push(ev("a", 100), 0).unwrap();
    o.push(ev("a", 100), 0).unwrap();
    assert_eq!(o.len(), 1);
}

#[test]
fn offline_stops_sending_and_online_resumes() {
    let mut o = filled(Policy::default(), 30, 0);
    o.set_online(false);
    assert_eq!(o.poll_transmit(10_000), None);
    assert_eq!(o.next_wakeup(10_000), None);
    o.set_online(true);
    assert!(o.poll_transmit(10_000).is_some());
}

#[test]
fn unload_chunks_cover_everything_under_the_budget() {
    let policy = Policy { unload_chunk_bytes: 2_000, ..Policy::default() };
    let mut o = Outbox::new(policy);
    for id in ids(23) {
        o.push(ev(&id, 300), 0).unwrap();
    }
    o.request_flush();
    let _in_flight = o.poll_transmit(0).unwrap();
    let chunks = o.unload_chunks(5);
    assert!(chunks.len() > 1);
    let mut all = Vec::new();
    for c in &chunks {
        assert!(c.body.len() <= 2_000, "chunk of {} bytes", c.body.len());
        all.extend(c.message_ids.iter().cloned());
    }
    assert_eq!(all, ids(23), "in-flight events are included: their answer may never come");
    // Accepting the first chunk removes exactly its events.
    o.forget(&chunks[0].message_ids);
    assert_eq!(o.len(), 23 - chunks[0].message_ids.len());
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Clone, Debug)]
    enum Op {
        Push(usize),
        Tick(u64),
        Answer(u16, Option<u8>),
        Flush,
        Online(bool),
        Unload(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (10usize..3_000).prop_map(Op::Push),
            3 => (0u64..20_000).prop_map(Op::Tick),
            3 => (prop::sample::select(vec![0u16, 200, 202, 400, 408, 413, 429, 500, 503]), proptest::option::of(0u8..5))
                .prop_map(|(s, r)| Op::Answer(s, r)),
            1 => Just(Op::Flush),
            1 => any::<bool>().prop_map(Op::Online),
            1 => (0usize..3).prop_map(Op::Unload),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        /// Whatever happens, every event pushed is accounted for exactly once: still queued,
        /// delivered, rejected, handed to a beacon, or evicted by the bound. Nothing is
        /// acknowledged twice and the queue stays within its bounds.
        #[test]
        fn every_event_is_accounted_for(ops in prop::collection::vec(op(), 1..200), seed in any::<u32>()) {
            let policy = Policy { max_queue_events: 50, max_queue_bytes: 40_000, unload_chunk_bytes: 8_000, ..Policy::default() };
            let mut o = Outbox::new(policy.clone());
            let mut now = 0u64;
            let mut pushed = BTreeSet::new();
            let mut gone = BTreeSet::new();
            let mut in_flight: Option<Transmit> = None;
            let mut rng = seed;
            for (n, op) in ops.into_iter().enumerate() {
                rng = rng.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                match op {
                    Op::Push(bytes) => {
                        let id = ["m", &n.to_string()].concat();
                        pushed.insert(id.clone());
                        for e in o.push(ev(&id, bytes), now).unwrap() {
                            prop_assert!(gone.insert(e.message_id));
                        }
                    }
                    Op::Tick(dt) => now += dt,
                    Op::Answer(status, ra) => {
                        if let Some(t) = in_flight.take() {
                            let ra = ra.map(|r| r.to_string());
                            for id in o.on_result(t.request, classify(status, ra.as_deref()), now, rng, None) {
                                prop_assert!(t.message_ids.contains(&id));
                                prop_assert!(gone.insert(id), "acknowledged twice");
                            }
                        }
                    }
                    Op::Flush => o.request_flush(),
                    Op::Online(on) => o.set_online(on),
                    Op::Unload(k) => {
                        for c in o.unload_chunks(now).into_iter().take(k) {
                            prop_assert!(c.body.len() <= policy.unload_chunk_bytes);
                            for id in o.forget(&c.message_ids) {
                                prop_assert!(gone.insert(id));
                            }
                        }
                    }
                }
                if in_flight.is_none() {
                    let wake = o.next_wakeup(now);
                    let t = o.poll_transmit(now);
                    prop_assert_eq!(t.is_some(), wake.is_some_and(|w| w <= now), "next_wakeup agrees with poll_transmit");
                    if let Some(t) = t {
                        prop_assert!(!t.message_ids.is_empty());
                        prop_assert!(t.message_ids.len() <= policy.max_batch_events);
                        prop_assert!(t.body.len() <= policy.max_batch_bytes);
                        in_flight = Some(t);
                    }
                }
                prop_assert!(o.len() <= policy.max_queue_events);
            }
            // Conservation: queued + gone == pushed, with no overlap.
            let mut queued = BTreeSet::new();
            for id in &pushed {
                if o.contains(id) {
                    prop_assert!(!gone.contains(id));
                    queued.insert(id.clone());
                }
            }
            prop_assert_eq!(queued.len() + gone.len(), pushed.len());
        }
    }
}
