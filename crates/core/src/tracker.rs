//! Consent gating in front of the outbox: what happens to a captured event depends on the
//! analytics state, and what happens to queued events when that state changes.
//!
//! pending  → kept in a bounded memory-only buffer (never stored: storage needs consent);
//! granted  → queued for sending (and may be persisted by the web layer);
//! denied   → discarded.
//! Granting releases the buffer in capture order with the original timestamps; denying drops it;
//! revoking after a grant purges the queue and asks the web layer to wipe its storage.

use super::consent::{Consent, Signals, State, Update};
use super::event::Encoded;
use super::outbox::{Outbox, Policy};

/// Default size of the memory-only buffer used while consent is pending.
pub const PENDING_LIMIT: usize = 100;

/// Storage work the web layer must do after a decision. The core never touches storage itself.
#[derive(Debug, Default, PartialEq)]
pub struct Effects {
    /// Ids of the events that entered the outbox and may be persisted.
    pub persist: Vec<String>,
    /// Events that left the outbox (evicted) and must be removed from storage.
    pub unpersist: Vec<String>,
    /// Consent was withdrawn: remove every key Touchpoint wrote.
    pub purge_storage: bool,
    /// Consent to the cross-visit id was withdrawn (or never given): remove it.
    pub forget_identity: bool,
}

#[derive(Debug)]
pub struct Tracker {
    consent: Consent,
    signals: Signals,
    pending: Vec<(Encoded, u64)>,
    pending_limit: usize,
    /// Events dropped because the pending buffer was full.
    pub pending_overflow: u64,
    pub outbox: Outbox,
}

impl Tracker {
    pub fn new(initial: Consent, signals: Signals, policy: Policy, pending_limit: usize) -> Self {
        Tracker {
            consent: initial.enforce(signals),
            signals,
            pending: Vec::new(),
            pending_limit,
            pending_overflow: 0,
            outbox: Outbox::new(policy),
        }
    }

    pub fn consent(&self) -> Consent {
        self.consent
    }

    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Takes a newly captured event.
    /// Whether a capture now would be kept at all: not while denied, not into a full pending
    /// buffer (counted as overflow). Lets the caller skip encoding what would be dropped.
    pub fn would_keep(&mut self) -> bool {
        let keep = self.has_room();
        if !keep && self.consent.analytics == State::Pending {
            self.pending_overflow += 1;
        }
        keep
    }

    /// Whether an event captured now could be kept: consent granted, or pending with room left
    /// in the buffer (counts nothing).
    pub fn has_room(&self) -> bool {
        match self.consent.analytics {
            State::Granted => true,
            State::Denied => false,
            State::Pending => self.pending.len() < self.pending_limit,
        }
    }

    pub fn capture(&mut self, event: Encoded, now: u64) -> Effects {
        let mut fx = Effects::default();
        match self.consent.analytics {
            State::Granted => self.enqueue(event, now, &mut fx),
            State::Pending => {
                // Keep the oldest: the page view that starts the visit matters more than the
                // hundred-and-first scroll event.
                if self.pending.len() < self.pending_limit {
                    self.pending.push((event, now));
                } else {
                    self.pending_overflow += 1;
                }
            }
            State::Denied => {}
        }
        fx
    }

    fn enqueue(&mut self, event: Encoded, now: u64, fx: &mut Effects) {
        // A refused (oversized) event is counted in the outbox stats; nothing to persist.
        let id = event.message_id.clone();
        if let Ok(evicted) = self.outbox.push(event, now) {
            for e in evicted {
                fx.unpersist.push(e.message_id);
            }
            if self.outbox.contains(&id) {
                fx.persist.push(id);
            }
        }
    }

    /// Applies a consent change and moves queued events accordingly.
    /// `consent::Signals::us_opt_out`, as the page's GPP consent platform says it now.
    pub fn set_us_opt_out(&mut self, out: bool) {
        self.signals.us_opt_out = out;
    }

    pub fn set_consent(&mut self, update: Update, now: u64) -> (Consent, Effects) {
        let before = self.consent;
        let after = before.apply(update, self.signals);
        self.consent = after;
        let mut fx = Effects::default();
        match (before.analytics, after.analytics) {
            (State::Pending, State::Granted) | (State::Denied, State::Granted) => {
                for (event, at) in std::mem::take(&mut self.pending) {
                    // Queue time is the capture time, so the age trigger still fires on time.
                    self.enqueue(event, at.min(now), &mut fx);
                }
            }
            // A denial purges storage even when this page stored nothing: an earlier page of
            // the visit, granted, may have left its queue's unconfirmed lines (with the
            // anonymousId) and the session behind, and a banner asking again on every page
            // made "Accept" then "Reject" a withdrawal that kept them (a DPO's QA).
            (before_analytics, State::Denied) => {
                self.pending.clear();
                self.outbox.purge();
                fx.purge_storage = before_analytics != State::Denied;
            }
            _ => {}
        }
        // (From pending too: a visitor who granted it on an earlier visit and denies it now
        // leaves no id of that visit behind, although this page never read it.)
        if before.marketing != after.marketing && after.marketing != State::Granted {
            fx.forget_identity = true;
        }
        (before, fx)
    }

    /// The JSON of every event not yet sent, buffered ones first (debugging and tests).
    pub fn debug_events(&self) -> Vec<String> {
        self.pending.iter().map(|(e, _)| e.json.clone()).chain(self.outbox.events().map(|e| e.json.clone())).collect()
    }

    /// Events restored from storage at start-up (a previous page's unsent queue). Only legal
    /// once analytics is granted, since reading them back is what they were stored for.
    pub fn restore(&mut self, events: Vec<Encoded>, now: u64) -> Effects {
        let mut fx = Effects::default();
        if self.consent.may_store_queue() {
            for e in events {
                self.enqueue(e, now, &mut fx);
            }
            fx.persist.clear(); // they are in storage already
        }
        fx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str) -> Encoded {
        Encoded { message_id: id.into(), json: crate::json::cat(&["{\"id\":\"", id, "\"}"]) }
    }
    fn grant() -> Update {
        Update { analytics: Some(true), marketing: None }
    }
    fn deny() -> Update {
        Update { analytics: Some(false), marketing: None }
    }
    fn tracker(c: Consent) -> Tracker {
        Tracker::new(c, Signals::default(), Policy::default(), 3)
    }

    #[test]
    fn pending_buffers_in_memory_then_releases_in_order_on_grant() {
        let mut t = tracker(Consent::PENDING);
        for id in ["a", "b"] {
            assert_eq!(t.capture(ev(id), 10), Effects::default(), "nothing to persist while pending");
        }
        assert!(t.outbox.is_empty());
        assert_eq!(t.outbox.poll_transmit(1_000_000), None, "nothing is sent while pending");
        let (_, fx) = t.set_consent(grant(), 20);
        assert_eq!(fx.persist, ["a", "b"]);
        t.outbox.request_flush();
        let sent = t.outbox.poll_transmit(21).unwrap();
        assert_eq!(sent.message_ids, ["a", "b"]);
    }

    #[test]
    fn would_keep_counts_what_a_full_buffer_drops() {
        let mut t = tracker(Consent::PENDING);
        for id in ["a", "b", "c"] {
            assert!(t.would_keep());
            t.capture(ev(id), 0);
        }
        assert!(!t.would_keep());
        assert_eq!(t.pending_overflow, 1);
        let mut denied = tracker(Consent { analytics: State::Denied, marketing: State::Denied });
        assert!(!denied.would_keep());
        assert_eq!(denied.pending_overflow, 0, "a denial is not an overflow");
    }

    #[test]
    fn pending_buffer_is_bounded_and_counts_overflow() {
        let mut t = tracker(Consent::PENDING);
        for id in ["a", "b", "c", "d", "e"] {
            t.capture(ev(id), 0);
        }
        assert_eq!(t.pending_len(), 3);
        assert_eq!(t.pending_overflow, 2);
        t.set_consent(grant(), 1);
        assert!(t.outbox.contains("a") && !t.outbox.contains("e"));
    }

    #[test]
    fn denial_discards_the_buffer() {
        let mut t = tracker(Consent::PENDING);
        t.capture(ev("a"), 0);
        let (_, fx) = t.set_consent(deny(), 1);
        assert!(fx.purge_storage, "what an earlier page of the visit stored goes too");
        assert_eq!(t.pending_len(), 0);
        t.capture(ev("b"), 2);
        t.set_consent(grant(), 3);
        assert!(t.outbox.is_empty(), "events captured while denied are gone for good");
    }

    #[test]
    fn revoke_after_grant_purges_queue_and_storage() {
        let mut t = tracker(Consent::PENDING);
        t.set_consent(grant(), 0);
        let fx = t.capture(ev("a"), 1);
        assert_eq!(fx.persist.len(), 1);
        t.outbox.request_flush();
        let in_flight = t.outbox.poll_transmit(2).unwrap();
        t.capture(ev("b"), 3);
        let (_, fx) = t.set_consent(deny(), 4);
        assert!(fx.purge_storage);
        assert!(t.outbox.is_empty());
        assert!(t.outbox.on_result(in_flight.request, super::super::outbox::Outcome::Delivered, 5, 0, None).is_empty());
        t.outbox.request_flush();
        assert_eq!(t.outbox.poll_transmit(1_000_000), None, "nothing queued is sent after a revoke");
    }

    #[test]
    fn withdrawing_marketing_forgets_the_identity() {
        let mut t = tracker(Consent { analytics: State::Granted, marketing: State::Granted });
        let (_, fx) = t.set_consent(Update { analytics: None, marketing: Some(false) }, 0);
        assert!(fx.forget_identity && !fx.purge_storage);
        let mut t = tracker(Consent { analytics: State::Granted, marketing: State::Pending });
        let (_, fx) = t.set_consent(Update { analytics: None, marketing: Some(false) }, 0);
        assert!(fx.forget_identity, "denied after pending: what an earlier visit kept goes too");
        let (_, fx) = t.set_consent(Update { analytics: None, marketing: Some(false) }, 0);
        assert!(!fx.forget_identity, "denied again: nothing to do");
    }

    #[test]
    fn restore_only_with_consent() {
        let mut t = tracker(Consent::PENDING);
        t.restore(vec![ev("old")], 0);
        assert!(t.outbox.is_empty());
        t.set_consent(grant(), 0);
        let fx = t.restore(vec![ev("old")], 0);
        assert!(fx.persist.is_empty());
        assert!(t.outbox.contains("old"));
    }
}
