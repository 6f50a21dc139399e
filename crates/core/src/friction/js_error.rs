//! js_error: uncaught errors and unhandled rejections: scrubbed message, file (without query),
//! line. Browser-extension sources and well-known noise (`Script error.`, the ResizeObserver loop
//! message) are ignored. At most 5 events per distinct message per page view; further repeats
//! are counted and reported once when the page view ends (`repeats`). At most [`MAX_MESSAGES`]
//! distinct messages per page view: a page whose errors each say something new (an id, a
//! counter, a URL in the message, thrown by a timer) would otherwise send an event per error for
//! as long as the page stays open, and keep every message it ever saw. The errors beyond are
//! counted, and reported once at the end under the message [`OTHERS`].

use super::{finding, Findings, Settings, Signal};

/// An error as the sensor reported it (message and source already scrubbed by the engine).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorFact {
    pub message: String,
    pub source: String,
    pub line: u32,
    /// An unhandled promise rejection rather than an uncaught exception.
    pub rejection: bool,
}

/// Distinct messages kept (and reported) per page view.
pub const MAX_MESSAGES: usize = 20;
/// The message of the report of the errors whose message came after [`MAX_MESSAGES`] others.
pub const OTHERS: &str = "(other messages)";

#[derive(Debug, Default)]
pub struct JsError {
    seen: Vec<(String, u32)>,
    /// Errors with a message not among the first [`MAX_MESSAGES`].
    others: u32,
}

const EXTENSIONS: [&str; 4] = ["chrome-extension:", "moz-extension:", "safari-extension:", "safari-web-extension:"];

pub fn is_noise(e: &ErrorFact) -> bool {
    e.message.is_empty()
        || e.message == "Script error."
        || crate::json::find(&e.message, "ResizeObserver loop").is_some()
        || EXTENSIONS.iter().any(|p| e.source.starts_with(p))
}

impl JsError {
    pub fn error(&mut self, s: &Settings, e: &ErrorFact, out: &mut Findings) {
        if is_noise(e) {
            return;
        }
        let full = self.seen.len() >= MAX_MESSAGES;
        let n = match self.seen.iter_mut().find(|(m, _)| *m == e.message) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None if !full => {
                self.seen.push((e.message.clone(), 1));
                1
            }
            None => {
                self.others = self.others.saturating_add(1);
                return;
            }
        };
        if n <= s.js_error_max {
            let props = finding(None)
                .str("message", &e.message)
                .str("source", &e.source)
                .int("line", i64::from(e.line))
                .str("kind", if e.rejection { "unhandledrejection" } else { "error" })
                .finish();
            out.push((Signal::JsError, props));
        }
    }

    /// The page view ends: the repeats beyond the cap, one event per message.
    pub fn leave(&mut self, s: &Settings, out: &mut Findings) {
        // (The errors past the distinct messages: reported by the loop below as repeats.)
        if self.others > 0 {
            self.seen.push((OTHERS.into(), s.js_error_max.saturating_add(std::mem::take(&mut self.others))));
        }
        for (message, n) in self.seen.drain(..) {
            if n > s.js_error_max {
                let repeats = i64::from(n - s.js_error_max);
                let props = finding(None).str("message", &message).int("repeats", repeats).finish();
                out.push((Signal::JsError, props));
            }
        }
    }
}
