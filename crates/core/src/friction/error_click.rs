//! error_click: an uncaught error or unhandled rejection during a click's handler or within its
//! response window (1 s). Carries the scrubbed message. One per click.

use super::{finding, Findings, Settings, Signal, Target};

#[derive(Debug, Default)]
pub struct ErrorClick {
    last: Option<(u64, Target, bool)>,
}

impl ErrorClick {
    pub fn click(&mut self, at: u64, t: &Target) {
        self.last = Some((at, t.clone(), false));
    }

    /// Returns the clicked target's key if the error was reported as its error click.
    pub fn error(&mut self, s: &Settings, at: u64, message: &str, out: &mut Findings) -> Option<u32> {
        let (clicked, t, reported) = self.last.as_mut()?;
        if *reported || at < *clicked || at > *clicked + s.error_window_ms || !t.allows(Signal::ErrorClick) {
            return None;
        }
        *reported = true;
        out.push((Signal::ErrorClick, finding(Some(&t.descriptor)).str("message", message).finish()));
        Some(t.key)
    }
}
