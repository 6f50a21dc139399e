//! rage_click: 3 or more clicks on the same target (or within 30 px), each at most 1 s after the
//! previous, and no response to any of them (a response answers the clicks before it; the clicks
//! after it may still be a burst). Steppers, carousels and repeated add-to-cart answer each
//! click, so they are not rage; clicks in editable fields place the caret and are ignored.
//! A text selection answers a double or triple click (selecting a word or a paragraph) but not
//! a fourth click and more: no selection gesture needs them, and a visitor hammering a label or a
//! photo whose text gets selected along the way is still raging. A gesture is the browser's
//! multi-click (`UIEvent.detail` counting up): a word double-clicked, then another, are two
//! gestures each answered by its selection (a reader's two words were a rage_click of 4: a
//! publisher's QA).
//! A disabled control gets no click: its presses count (`disabled: true` on the event). Other
//! elements whose expected outcome is that nothing happens in the page (the option already
//! chosen, the tab already shown, a download or a `tel:` link: `elsewhere`) begin no burst: the
//! chosen size tapped again and again is no sign that the page fails.

use super::{finding, Findings, Press, Settings, Signal, Target};

/// The longest click gesture that selects text: a triple click selects a paragraph.
const SELECTION_CLICKS: u32 = 3;

/// How long a control the visitor pressed, then disabled by the page, is taken as working (a
/// payment's answer: the 30 s a form's send is waited for too).
const WORKING_MS: u64 = 30_000;

/// A reported burst: its target's key, the times of its first and last click.
pub type Reported = (u32, u64, u64);

#[derive(Debug, Default)]
pub struct Rage {
    burst: Option<Burst>,
    /// The last press on a control that was not disabled: its key and time. The same control
    /// disabled since ("Loading…", a "Pay" the page guards against a second charge while the
    /// payment provider works) and pressed again within `WORKING_MS` is the page saying it
    /// works: no rage (a "Load more" disabled for its 1.5 s request, a Pay for its provider's
    /// answer, were rage_clicks: a Vue developer's and a checkout's QA).
    enabled: (u32, u64),
    /// The last burst reported, for the dead click detector to take (see [`Rage::finish`]).
    pub reported: Option<Reported>,
}

#[derive(Debug)]
struct Burst {
    key: u32,
    x: i32,
    y: i32,
    first: u64,
    last: u64,
    count: u32,
    /// Text got selected during the burst (answers up to `SELECTION_CLICKS` clicks).
    selected: bool,
    /// The clicks of the burst's last gesture, and whether text got selected during it.
    gesture: u32,
    gesture_selected: bool,
    target: Target,
}

impl Rage {
    pub fn click(&mut self, s: &Settings, p: Press, t: &Target, out: &mut Findings) {
        // Above 1, the click continues a double or triple click; else it begins a gesture.
        let (at, x, y, multi) = (p.at, p.x, p.y, p.detail > 1);
        if !t.disabled {
            self.enabled = (t.key, at);
        } else if self.enabled.0 == t.key && at.saturating_sub(self.enabled.1) <= WORKING_MS {
            return;
        }
        if let Some(b) = &mut self.burst {
            let r = s.rage_radius_px;
            let near = b.key == t.key || ((x - b.x).abs() <= r && (y - b.y).abs() <= r);
            // A new gesture after one its selection answered: that answered the burst so far.
            let answered = !multi && b.gesture_selected && b.gesture <= SELECTION_CLICKS;
            if near && at.saturating_sub(b.last) <= s.rage_window_ms && !answered {
                b.count += 1;
                b.gesture = if multi { b.gesture + 1 } else { 1 };
                b.gesture_selected &= multi;
                (b.last, b.x, b.y) = (at, x, y);
                return;
            }
            if answered {
                self.burst = None;
            } else {
                self.finish(s, out);
            }
        }
        if !t.editable && (t.disabled || !t.elsewhere) {
            let target = t.clone();
            self.burst = Some(Burst {
                key: t.key,
                x,
                y,
                first: at,
                last: at,
                count: 1,
                selected: false,
                gesture: 1,
                gesture_selected: false,
                target,
            });
        }
    }

    /// A response answers every click before it, and only those: the burst ends, and clicks
    /// after it start a new one (a stepper that stops at its maximum, a button that worked once
    /// and then hangs: the unanswered clicks after the last response are still rage).
    pub fn response(&mut self, at: u64) {
        if self.burst.as_ref().is_some_and(|b| at >= b.first) {
            self.burst = None;
        }
    }

    /// Text got selected: the answer to a double or triple click, not to a longer burst.
    pub fn selection(&mut self, at: u64) {
        if let Some(b) = &mut self.burst {
            b.selected |= at >= b.first;
            b.gesture_selected |= at >= b.first;
        }
    }

    pub fn deadline(&self, s: &Settings) -> Option<u64> {
        self.burst.as_ref().map(|b| b.last + s.rage_window_ms)
    }

    /// The burst under way, of two clicks or more: when its first click was, and when it ends
    /// at the earliest.
    pub fn running(&self, s: &Settings) -> Option<(u64, u64)> {
        self.burst.as_ref().filter(|b| b.count > 1).map(|b| (b.first, b.last + s.rage_window_ms))
    }

    /// Ends a burst whose window passed.
    pub fn timeout(&mut self, s: &Settings, now: u64, out: &mut Findings) {
        if self.deadline(s).is_some_and(|at| at <= now) {
            self.finish(s, out);
        }
    }

    /// Ends the burst; if it is reported, `reported` says its target's key and the time of its
    /// first and last click (its clicks on other elements within the radius, a row of small
    /// swatches, are the burst's too: none of them is also a dead click).
    fn finish(&mut self, s: &Settings, out: &mut Findings) {
        let Some(b) = self.burst.take() else { return };
        let selection_answers = b.selected && b.count <= SELECTION_CLICKS;
        if b.count < s.rage_clicks || selection_answers || !b.target.allows(Signal::Rage) {
            return;
        }
        let mut props = finding(Some(&b.target.descriptor))
            .int("count", i64::from(b.count))
            .int("duration_ms", (b.last - b.first) as i64);
        if b.target.disabled {
            props = props.raw("disabled", "true");
        }
        let props = props.finish();
        out.push((Signal::Rage, props, b.first));
        self.reported = Some((b.key, b.first, b.last));
    }
}
