//! field_error: a field became invalid on the visitor's action. Three ways to see it, all
//! reported by the sensor only after a visitor's action and never while they type in that field:
//! - `invalid`: the browser's own validation, fired for each invalid control when a form is
//!   submitted or checked;
//! - `aria`: `aria-invalid="true"` set by the page's script within a moment of a submit (on any
//!   field) or of a changed value (on that field);
//! - `alert`: an alert text (`role=alert`, an assertive `aria-live` region, a field's
//!   `aria-errormessage`)
//!   appearing within a moment of a submit; `message` carries it, scrubbed.
//!
//! Field descriptor and form; never a value. A page that both fails the browser's validation and
//! sets `aria-invalid` (or shows the field's error message) reports the field once.

use super::{finding, Findings, Signal, Target};

/// The same field reported again within this long is the same error seen two ways, unless the
/// page said something else after 500 ms (a moment is one check: a field's hint and its error
/// text): a field left marked invalid whose message changes ("Enter a postcode like 1234 AB",
/// then "Sorry, we don't deliver to 9999 yet") is a second error (a grocery shop's QA). (The browser's own check names a constraint, no text of the page's: the
/// page's own message for it is the same error.)
const SAME_ERROR_MS: u64 = 2_000;

#[derive(Debug, Default)]
pub struct FieldError {
    /// The last few fields reported, when, and the page's message (a page shows a handful of
    /// errors at a time).
    recent: Vec<(u32, u64, String)>,
}

/// How the error was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Invalid,
    Aria,
    Alert,
}

impl Reason {
    /// The sensor's code (core::input's `x` record): "" `invalid`, "a" aria-invalid, "t" alert.
    pub fn parse(s: &str) -> Reason {
        match s.as_bytes() {
            b"a" => Reason::Aria,
            b"t" => Reason::Alert,
            _ => Reason::Invalid,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Reason::Invalid => "invalid",
            Reason::Aria => "aria_invalid",
            Reason::Alert => "alert",
        }
    }
}

impl FieldError {
    /// `message`: the alert's text, already scrubbed (empty for the other reasons).
    pub fn invalid(&mut self, at: u64, field: &Target, form: &str, reason: Reason, message: &str, out: &mut Findings) {
        if !field.allows(Signal::FieldError) {
            return;
        }
        self.recent.retain(|(_, t, _)| at.saturating_sub(*t) < SAME_ERROR_MS);
        let said = if reason == Reason::Invalid { "" } else { message };
        if self
            .recent
            .iter()
            .any(|(k, t, m)| *k == field.key && (at - t < 500 || m.is_empty() || said.is_empty() || m == said))
        {
            return;
        }
        if self.recent.len() < 16 {
            self.recent.push((field.key, at, said.into()));
        }
        let mut props = finding(Some(&field.descriptor)).str("reason", reason.name()).str("form", form);
        if !message.is_empty() {
            props = props.str("message", message);
        }
        out.push((Signal::FieldError, props.finish(), 0));
    }
}
