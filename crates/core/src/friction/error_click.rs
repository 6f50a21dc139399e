//! error_click: an uncaught error or unhandled rejection during a click's handler or within its
//! response window (1 s), or while it still waits for the requests it started. Carries the
//! scrubbed message. One per click.
//!
//! An error the page keeps throwing while no click waits (a widget failing every second) is
//! background noise: it explains no click, so the clicks it happens to follow are judged as if
//! it had not happened. "Keeps throwing" means seen outside any click's window at least twice,
//! the last time within the last minute. Once is not enough: a script that failed at load and
//! fails again when the visitor clicks the button that runs it is the click's error.
//!
//! An error thrown while the visitor's press was under way (a pointerdown, touchstart or
//! mousedown handler: a tap's handlers run before its click) is the error of the click that
//! press makes, when it comes.

use super::{finding, Findings, Settings, Signal, Target};

#[derive(Debug, Default)]
pub struct ErrorClick {
    last: Option<(u64, Target, bool)>,
    /// Messages seen while no click's window was open (at most `BACKGROUND` of them): the
    /// message, and when it was last seen there if it was seen there more than once.
    background: Vec<(String, Option<u64>)>,
    /// An error thrown during a press that no click's window explained yet: when, and its message.
    in_press: Option<(u64, String)>,
}

const BACKGROUND: usize = 8;
/// How long a repeated message stays background after it was last seen outside a click.
const BACKGROUND_MS: u64 = 60_000;

impl ErrorClick {
    /// True if an error its press threw is reported as its error click.
    pub fn click(&mut self, at: u64, t: &Target, out: &mut Findings) -> bool {
        // (A press is short: an error left by a press that made no click, a drag, is forgotten.)
        let thrown = self.in_press.take().filter(|(thrown, _)| at <= thrown + 1_000 && t.allows(Signal::ErrorClick));
        if let Some((_, message)) = &thrown {
            report(t, message, out);
        }
        self.last = Some((at, t.clone(), thrown.is_some()));
        thrown.is_some()
    }

    /// Returns the clicked target's key if the error was reported as its error click.
    /// `in_press`: thrown while the visitor's press was under way, before its click.
    /// `awaited`: the latest click still waiting for the requests it started (see
    /// `Dead::awaited`), whose window stays open until its verdict: "await the API, then crash"
    /// (`await fetch(...)`, then a TypeError on the answer) threw 1.2-2.5 s after the click,
    /// past the 1 s window, and was a dead click (a QA of framework storefronts, 3 of 3), also
    /// when the visitor clicked something else meanwhile.
    pub fn error(
        &mut self,
        s: &Settings,
        at: u64,
        message: &str,
        in_press: bool,
        awaited: Option<&Target>,
        out: &mut Findings,
    ) -> Option<u32> {
        let open = self.last.as_ref().is_some_and(|(clicked, ..)| at >= *clicked && at <= *clicked + s.error_window_ms);
        let seen = self.background.iter().position(|(m, _)| m == message);
        let noise = seen.and_then(|i| self.background[i].1).is_some_and(|last| at <= last + BACKGROUND_MS);
        // (Thrown during a press, it is the error of the click that press makes, not of a click
        // before whose window is still open.)
        if in_press && !noise {
            self.in_press = Some((at, message.into()));
            return None;
        }
        if !open {
            // (Its click's verdict is still to come, so it is reported once: `Dead::forget`.)
            if let Some(t) = awaited.filter(|t| t.allows(Signal::ErrorClick) && !noise) {
                report(t, message, out);
                return Some(t.key);
            }
            match seen {
                Some(i) => self.background[i].1 = Some(at),
                None if self.background.len() < BACKGROUND => self.background.push((message.into(), None)),
                None => {}
            }
            return None;
        }
        let (_, t, reported) = self.last.as_mut()?;
        if *reported || !t.allows(Signal::ErrorClick) || noise {
            return None;
        }
        *reported = true;
        report(t, message, out);
        Some(t.key)
    }
}

fn report(t: &Target, message: &str, out: &mut Findings) {
    out.push((Signal::ErrorClick, finding(Some(&t.descriptor)).str("message", message).finish(), 0));
}
