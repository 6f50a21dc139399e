//! dead_click: a click on something that looks interactive (a link, a button, a click role,
//! `cursor: pointer`, an `onclick` attribute) with no response for 1 s. A request the click starts
//! is a response; a click made while requests are already in flight waits for them (up to 7 s),
//! then 1 s more for the page to show their result. Not for editable targets, download links,
//! links to another window or file inputs. Repeated clicks on the same target count as one wait;
//! a burst long enough to be a rage click is reported as that instead.

use super::{finding, Findings, Settings, Signal, Target};

#[derive(Debug, Default)]
pub struct Dead {
    pending: Vec<Pending>,
    /// Requests in flight (started by anything).
    requests: u32,
}

#[derive(Debug)]
struct Pending {
    first: u64,
    deadline: u64,
    clicks: u32,
    target: Target,
}

impl Dead {
    pub fn click(&mut self, s: &Settings, at: u64, t: &Target) {
        if !t.looks_interactive || t.editable || t.elsewhere || !t.allows(Signal::Dead) {
            return;
        }
        if let Some(p) = self.pending.iter_mut().find(|p| p.target.key == t.key) {
            p.clicks += 1;
            p.deadline = p.deadline.max(at + s.dead_ms);
            return;
        }
        let wait = if self.requests > 0 { s.dead_max_ms } else { s.dead_ms };
        if self.pending.len() < 8 {
            self.pending.push(Pending { first: at, deadline: at + wait, clicks: 1, target: t.clone() });
        }
    }

    pub fn response(&mut self, at: u64) {
        self.pending.retain(|p| at < p.first);
    }

    /// A request started: a response to the clicks before it.
    pub fn request_start(&mut self, at: u64) {
        self.requests += 1;
        self.response(at);
    }

    /// The last request ended: its clicks get `dead_ms` more for the page to show the result.
    pub fn request_end(&mut self, s: &Settings, at: u64) {
        self.requests = self.requests.saturating_sub(1);
        if self.requests == 0 {
            for p in &mut self.pending {
                p.deadline = p.deadline.min(at + s.dead_ms).max(p.first + s.dead_ms);
            }
        }
    }

    pub fn deadline(&self) -> Option<u64> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    pub fn forget(&mut self, key: u32) {
        self.pending.retain(|p| p.target.key != key);
    }

    /// `rage_on`: a burst long enough to be a rage click is left to the rage detector.
    pub fn timeout(&mut self, s: &Settings, now: u64, rage_on: bool, out: &mut Findings) {
        self.pending.retain(|p| {
            if p.deadline > now {
                return true;
            }
            // Left to the rage detector only when it reports bursts on this element: silenced
            // there (data-tp-no-rage) or switched off, the clicks are still dead.
            if p.clicks < s.rage_clicks || !rage_on || !p.target.allows(Signal::Rage) {
                let props = finding(Some(&p.target.descriptor))
                    .int("waited_ms", (now - p.first) as i64)
                    .int("clicks", i64::from(p.clicks))
                    .finish();
                out.push((Signal::Dead, props));
            }
            false
        });
    }
}
