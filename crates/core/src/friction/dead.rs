//! dead_click: a click on something that looks interactive (a link, a button, a click role,
//! `cursor: pointer`, an `onclick` attribute) with no response for 1 s. A request started while the
//! click waits is no answer by itself: the click waits for the page's requests to end (up to 7 s
//! after it), then 1 s more for the page to show their result, so a "Save" whose request hangs,
//! or whose answer changes nothing on screen, is dead. A request that failed explains the silence:
//! that is a failed_request, not also a dead click (as an error is an error click). Not for
//! editable targets, download links, links to another window or file inputs. Repeated clicks on
//! the same target count as one wait; a burst long enough to be a rage click is reported as that
//! instead (the rage detector takes a request start as an answer, so only the clicks after the
//! last one count for that).

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
    /// Clicks since the last request started (a rage burst is counted from there).
    unanswered: u32,
    /// A request started while this click waited.
    requested: bool,
    target: Target,
}

impl Dead {
    pub fn click(&mut self, s: &Settings, at: u64, t: &Target) {
        if !t.looks_interactive || t.editable || t.elsewhere || !t.allows(Signal::Dead) {
            return;
        }
        let deadline = at + if self.requests > 0 { s.dead_max_ms } else { s.dead_ms };
        if let Some(p) = self.pending.iter_mut().find(|p| p.target.key == t.key) {
            p.clicks += 1;
            p.unanswered += 1;
            p.deadline = p.deadline.max(deadline);
            return;
        }
        if self.pending.len() < 8 {
            self.pending.push(Pending {
                first: at,
                deadline,
                clicks: 1,
                unanswered: 1,
                requested: false,
                target: t.clone(),
            });
        }
    }

    pub fn response(&mut self, at: u64) {
        self.pending.retain(|p| at < p.first);
    }

    /// A request started: the clicks waiting now wait for it (up to `dead_max_ms` after each).
    pub fn request_start(&mut self, s: &Settings, at: u64) {
        self.requests += 1;
        for p in self.pending.iter_mut().filter(|p| p.first <= at) {
            p.requested = true;
            p.unanswered = 0;
            p.deadline = p.deadline.max(p.first + s.dead_max_ms);
        }
    }

    /// A request failed (a failed_request was reported): the clicks that started requests are
    /// explained by it.
    pub fn request_failed(&mut self) {
        self.pending.retain(|p| !p.requested);
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

    /// The page was busy for `ms` up to `at` (a long task: its script, a render split into
    /// tasks of its own): that time does not count as the page's silence. A click waiting then
    /// gets it back, up to `dead_max_ms` after it. On a phone with a slow CPU, an "Add to cart"
    /// whose mini cart is drawn in five 300 ms tasks after its answer was a dead click (QA).
    pub fn busy(&mut self, s: &Settings, at: u64, ms: u64) {
        for p in self.pending.iter_mut().filter(|p| p.first < at) {
            let spent = ms.min(at - p.first);
            p.deadline = (p.deadline + spent).min(p.first + s.dead_max_ms).max(p.deadline);
        }
    }

    /// The latest click still waiting for its verdict after starting a request.
    pub fn awaited(&self) -> Option<&Target> {
        self.pending.iter().rev().find(|p| p.requested).map(|p| &p.target)
    }

    pub fn deadline(&self) -> Option<u64> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    pub fn forget(&mut self, key: u32) {
        // (No time: an empty span. One retain for both: each is its own function in the wasm.)
        self.forget_burst((key, 1, 0));
    }

    /// A rage burst was reported: its target's clicks, and those of the elements clicked first
    /// during it (the swatches of a row within its radius), are that burst, not dead clicks.
    pub fn forget_burst(&mut self, (key, first, last): super::rage::Reported) {
        self.pending.retain(|p| p.target.key != key && !(first..=last).contains(&p.first));
    }

    /// `rage_on`: a burst long enough to be a rage click is left to the rage detector.
    /// `burst`: the rage burst under way (its first click, its end at the earliest): a click of
    /// it waits for its verdict, as one of a burst on several elements (a row of small swatches)
    /// is the rage click if the burst is one.
    pub fn timeout(&mut self, s: &Settings, now: u64, rage_on: bool, burst: Option<(u64, u64)>, out: &mut Findings) {
        if let Some((first, ends)) = burst {
            for p in self.pending.iter_mut().filter(|p| p.first >= first) {
                p.deadline = p.deadline.max(ends);
            }
        }
        self.pending.retain(|p| {
            if p.deadline > now {
                return true;
            }
            // Left to the rage detector only when it reports bursts on this element: silenced
            // there (data-tp-no-rage) or switched off, the clicks are still dead.
            if p.unanswered < s.rage_clicks || !rage_on || !p.target.allows(Signal::Rage) {
                let mut props = finding(Some(&p.target.descriptor))
                    .int("waited_ms", (now - p.first) as i64)
                    .int("clicks", i64::from(p.clicks));
                if p.requested {
                    // Still in flight (it hung) or ended with nothing shown: either way the
                    // product team wants to know a request was involved.
                    props = props.int("pending_requests", i64::from(self.requests));
                }
                let props = props.finish();
                out.push((Signal::Dead, props, p.first));
            }
            false
        });
    }
}
