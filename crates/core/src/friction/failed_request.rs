//! failed_request: a first-party fetch or XHR that failed at the network (status 0) or answered
//! 5xx, 413 or 415 (the server refusing what the page sent: an upload too large, of a type it
//! takes not); other 4xx only when a click started it (within 1 s after a trusted click), but
//! 422, a form's fields found invalid by the server. Method, path without
//! query, status, duration. A request the page cancels itself (search-as-you-type aborting the
//! previous keystroke's) is not a failure. Observed by wrapping `fetch` and `XMLHttpRequest` in the loader:
//! Resource Timing's `responseStatus` is Chromium-only and reports network failures not at all,
//! and dead-click detection needs to know that a request is still pending, which only the
//! wrappers can tell. Touchpoint's own requests are not observed. At most 5 events per path and
//! 20 paths per page view (see [`super::capped`]: a poll that fails every few
//! seconds while the API is down or the visitor offline sent an event each time); the rest is
//! counted and reported once when the page view ends (`repeats`). A request with no answer while
//! the browser is offline is the visitor's connection, not the site's failure: not reported.
//!
//! A request with no answer waits [`HOLD_MS`] before it is reported: Chromium rejects the
//! fetches of a page being left before its `pagehide`, and a request a followed link cut off is
//! no failure (it was one: a React Router QA); those still held at `pagehide` are dropped. 401,
//! 402, 409 and 422 never count: a guard's "not signed in" leads to the sign-in, 402 is a card
//! declined (Stripe's answer), which the payment form shows (a subscription portal's QA),
//! 409 is "someone got there first" (outbid, the seat taken, the email already registered),
//! which the page shows (an auction's QA: every outbid was a failed_request), and 422 is the
//! server's "these fields are invalid", which the page shows. (A lookup, a GET of
//! what the visitor typed that a form sends, whose 404 is "not found", starts as no click's: the
//! loader sends its id as 0.)

use super::capped::Capped;
use super::{finding, Findings, Signal};

/// Events per path per page view.
const MAX_PER_PATH: u32 = 5;
/// How long a failure with no answer waits to be reported (see above).
pub const HOLD_MS: u64 = 1_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestEnd {
    pub id: u32,
    pub method: String,
    /// Path without query (scrubbed by the engine).
    pub path: String,
    /// The HTTP status; 0: no answer (a network failure, a timeout); 1: cancelled by the page
    /// (an AbortController, `xhr.abort()`), which is no failure.
    pub status: u16,
    pub duration: u64,
    /// Same origin as the page.
    pub first_party: bool,
    /// No answer while the browser was offline (the engine sets it from `navigator.onLine`):
    /// the visitor's connection, not the site, failed. Not reported (a PWA that handles being
    /// offline had each of its fetches as friction: its developer's QA), but it still explains
    /// a click's silence, as any failure does.
    pub offline: bool,
}

#[derive(Debug, Default)]
pub struct FailedRequest {
    last_click: Option<u64>,
    /// Requests in flight that a click started.
    by_click: Vec<u32>,
    /// Failures per path.
    seen: Capped,
    /// Failures with no answer waiting to be reported, all at `held_until` (the last one's time
    /// to be). (Findings, whose Vec methods the wasm has already: a Vec of a type of its own
    /// cost 0.45 KB.)
    held: Findings,
    held_until: u64,
}

const CLICK_STARTS_MS: u64 = 1_000;

impl FailedRequest {
    pub fn click(&mut self, at: u64) {
        self.last_click = Some(at);
    }

    /// (`id` 0: no click's, see `Friction::request_start`. Kept, it was never forgotten, its end
    /// carrying its real id: 32 of them, a tag's hits after clicks, and no later click's 4xx was
    /// seen for the rest of the page view.)
    pub fn start(&mut self, at: u64, id: u32) {
        if id != 0 && self.last_click.is_some_and(|c| at >= c && at - c <= CLICK_STARTS_MS) && self.by_click.len() < 32
        {
            self.by_click.push(id);
        }
    }

    pub fn forget(&mut self, id: u32) {
        self.by_click.retain(|i| *i != id);
    }

    /// Whether the request failed (reported or counted) and a click started it: only then does it
    /// explain a click's silence (a background poll's 503 while a dead Buy waited hid it: a drop
    /// day's QA).
    pub fn end(&mut self, at: u64, r: &RequestEnd, out: &mut Findings) -> bool {
        // any(), not contains(): <[u32]>::contains is an unrolled 0.17 KB function in the wasm (size).
        let clicked = self.by_click.iter().any(|&c| c == r.id);
        self.forget(r.id);
        // 413 and 415 whatever started them: the server refusing what the page sent it (an upload
        // too large for its limit, of a type it takes not), no "not found"; an upload starts when
        // the file is chosen or dropped, seconds after any click (a print shop's QA).
        let failed = r.first_party
            && (r.status == 0
                || r.status >= 500
                || r.status == 413
                || r.status == 415
                || (clicked && r.status >= 400 && !matches!(r.status, 401 | 402 | 409 | 422)));
        if failed && !r.offline && self.seen.admit(&r.path, MAX_PER_PATH) {
            let props = finding(None)
                .str("method", &r.method)
                .str("path", &r.path)
                .int("status", i64::from(r.status))
                .int("duration_ms", r.duration as i64)
                .finish();
            if r.status == 0 && self.held.len() < 8 {
                self.held.push((Signal::FailedRequest, props, 0));
                self.held_until = at + HOLD_MS;
            } else {
                out.push((Signal::FailedRequest, props, 0));
            }
        }
        failed && clicked
    }

    /// When the held failures are to be reported.
    pub fn deadline(&self) -> Option<u64> {
        (!self.held.is_empty()).then_some(self.held_until)
    }

    /// Reports the held failures if they are due by `now` (at any time: `u64::MAX`).
    pub fn timeout(&mut self, now: u64, out: &mut Findings) {
        if now >= self.held_until {
            out.extend(std::mem::take(&mut self.held));
        }
    }

    /// The page is being left (`pagehide`): the requests with no answer held were cut off by it.
    pub fn cut_off(&mut self) {
        self.held.clear();
    }

    /// The page view ends: the failures held, then those past the cap, one event per path.
    pub fn leave(&mut self, out: &mut Findings) {
        self.timeout(u64::MAX, out);
        self.seen.leave(MAX_PER_PATH, Signal::FailedRequest, "path", out);
    }
}
