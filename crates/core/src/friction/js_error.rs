//! js_error: uncaught errors and unhandled rejections: scrubbed message, file (without query),
//! line. Browser-extension sources and well-known noise (`Script error.`, the ResizeObserver loop
//! message) are ignored. At most 5 events per distinct message and 20 distinct messages per page
//! view (see [`super::capped`]: a page whose errors each name something new, an id or a URL,
//! thrown by a timer, sent an event per error for as long as it stayed open); the rest is
//! counted and reported once when the page view ends (`repeats`; `(others)` for the messages
//! past the first 20).

use super::capped::Capped;
use super::{finding, Findings, Settings, Signal};

/// An error as the sensor reported it (message and source already scrubbed by the engine).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorFact {
    pub message: String,
    pub source: String,
    pub line: u32,
    /// The column: with the file and line, what a source map needs (a minified bundle is all
    /// line 1: its errors were unplaceable, a TypeScript developer's QA).
    pub column: u32,
    /// An unhandled promise rejection rather than an uncaught exception.
    pub rejection: bool,
    /// Thrown while the visitor's press was under way (before its click: see error_click).
    pub in_press: bool,
    /// Thrown by a script of another origin outside the visitor's press or click (a widget's
    /// timer): a js_error, never a click's error.
    pub foreign: bool,
}

#[derive(Debug, Default)]
pub struct JsError {
    seen: Capped,
}

// (A comma-ended word list: see json::words.)
const EXTENSIONS: &str = "chrome-extension:,moz-extension:,safari-extension:,safari-web-extension:";

pub fn is_noise(e: &ErrorFact) -> bool {
    e.message.is_empty()
        || e.message == "Script error."
        || crate::json::find(&e.message, "ResizeObserver loop").is_some()
        || crate::json::words(EXTENSIONS).any(|p| e.source.as_bytes().starts_with(p))
}

impl JsError {
    pub fn error(&mut self, s: &Settings, e: &ErrorFact, out: &mut Findings) {
        if is_noise(e) {
            return;
        }
        if self.seen.admit(&e.message, s.js_error_max) {
            let props = finding(None)
                .str("message", &e.message)
                .str("source", &e.source)
                .int("line", i64::from(e.line))
                .int("column", i64::from(e.column))
                .str("kind", if e.rejection { "unhandledrejection" } else { "error" })
                .finish();
            out.push((Signal::JsError, props, 0));
        }
    }

    /// The page view ends: the repeats beyond the cap, one event per message.
    pub fn leave(&mut self, s: &Settings, out: &mut Findings) {
        self.seen.leave(s.js_error_max, Signal::JsError, "message", out);
    }
}
