//! error_click: an uncaught error or unhandled rejection during a click's handler or within its
//! response window (1 s). Carries the scrubbed message. One per click. An error the page also
//! throws while no click waits (a widget failing every second) is background noise: it explains
//! no click, so the clicks it happens to follow are judged as if it had not happened.

use super::{finding, Findings, Settings, Signal, Target};

#[derive(Debug, Default)]
pub struct ErrorClick {
    last: Option<(u64, Target, bool)>,
    /// Messages seen while no click's window was open (at most `BACKGROUND` of them).
    background: Vec<String>,
}

const BACKGROUND: usize = 8;

impl ErrorClick {
    pub fn click(&mut self, at: u64, t: &Target) {
        self.last = Some((at, t.clone(), false));
    }

    /// Returns the clicked target's key if the error was reported as its error click.
    pub fn error(&mut self, s: &Settings, at: u64, message: &str, out: &mut Findings) -> Option<u32> {
        let open = self.last.as_ref().is_some_and(|(clicked, ..)| at >= *clicked && at <= *clicked + s.error_window_ms);
        if !open {
            if self.background.len() < BACKGROUND && !self.background.iter().any(|m| m == message) {
                self.background.push(message.into());
            }
            return None;
        }
        let (_, t, reported) = self.last.as_mut()?;
        if *reported || !t.allows(Signal::ErrorClick) || self.background.iter().any(|m| m == message) {
            return None;
        }
        *reported = true;
        out.push((Signal::ErrorClick, finding(Some(&t.descriptor)).str("message", message).finish()));
        Some(t.key)
    }
}
