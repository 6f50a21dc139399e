//! A cap on the events one signal sends per page view, for signals a page can repeat without
//! end: a timer that throws (js_error), a poll that fails while the shop's API is down or the
//! visitor is offline (failed_request). At most `max` events per key (an error's message, a
//! request's path) and [`MAX_KEYS`] keys per page view; the rest is counted and
//! reported once when the page view ends, so the count is not lost and the queue is not flooded.

use super::{finding, Findings, Signal};

/// Keys kept (and reported) per page view.
pub const MAX_KEYS: usize = 20;
/// The key under which events past the first [`MAX_KEYS`] keys are counted.
pub const OTHERS: &str = "(others)";

#[derive(Debug, Default)]
pub struct Capped {
    seen: Vec<(String, u32)>,
    /// Events whose key came after [`MAX_KEYS`] others.
    others: u32,
}

impl Capped {
    /// Counts one event for `key`; whether it is sent (its key's first `max`).
    pub fn admit(&mut self, key: &str, max: u32) -> bool {
        let full = self.seen.len() >= MAX_KEYS;
        match self.seen.iter_mut().find(|(k, _)| k == key) {
            Some((_, n)) => {
                *n = n.saturating_add(1);
                *n <= max
            }
            None if !full => {
                self.seen.push((key.into(), 1));
                1 <= max
            }
            None => {
                self.others = self.others.saturating_add(1);
                false
            }
        }
    }

    /// The page view ends: one `signal` event per key with events past `max`, the key as its
    /// `field` and how many as `repeats`; then one for the keys past [`MAX_KEYS`] (key
    /// [`OTHERS`]). Then it starts again.
    pub fn leave(&mut self, max: u32, signal: Signal, field: &str, out: &mut Findings) {
        let others = std::mem::take(&mut self.others);
        if others > 0 {
            self.seen.push((OTHERS.into(), max.saturating_add(others)));
        }
        for (k, n) in self.seen.drain(..) {
            if n > max {
                out.push((signal, finding(None).str(field, &k).int("repeats", i64::from(n - max)).finish(), 0));
            }
        }
    }
}
