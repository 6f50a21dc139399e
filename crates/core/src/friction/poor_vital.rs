//! poor_vital: LCP > 4 s, CLS > 0.25 or INP > 500 ms for a page view, with the value and the
//! element where the browser tells it (LCP's element, the INP interaction's target);
//! reported when the page view ends: LCP once for the page load (and for a page restored from
//! the back/forward cache, the restore's), CLS and INP for each view. CLS is the largest
//! session window of layout shifts without recent input (gaps under 1 s, at most 5 s), as
//! web-vitals computes it; INP is the 98th percentile of the view's interactions as web-vitals
//! estimates it: the longest, leaving out one per 50 interactions (the browser's count,
//! `performance.interactionCount`; where there is none, the longest).
//!
//! The same measures go on each view's `page_leave` (see [`PoorVital::put`]) whether or not this
//! detector is on, so that the inspector can show how many views of a page were good, not only
//! the poor ones.

use super::{finding, Findings, Settings, Signal, Target};
use crate::json::Obj;

#[derive(Clone, Debug, PartialEq)]
pub enum VitalFact {
    /// A largest-contentful-paint candidate: its time (ms) and element.
    Lcp { at_ms: u64, element: Option<Target> },
    /// The LCP of a view restored from the back/forward cache: nothing is painted anew, so, as
    /// web-vitals (and so CrUX) measures it, the time from `pageshow` to the second frame after
    /// it (ms). No element: the browser reports no entry.
    RestoredLcp(u64),
    /// A layout shift: value in thousandths, at (ms since navigation), after recent input.
    Shift { value_milli: u64, at_ms: u64, recent_input: bool },
    /// What this browser measures (the loader asks its PerformanceObserver at start): layout
    /// shifts, and interactions (Event Timing with interactionId). Without them a view's CLS or
    /// INP is unknown, not 0 or good: Safari measures neither, Firefox no layout shifts.
    Measured { shifts: bool, interactions: bool },
    /// The page's interactions so far (`performance.interactionCount`), told at each hand-over
    /// when it changed.
    Count(u64),
    /// A long task of the page's, its ms: for dead clicks (`Friction::vital`), no vital.
    Busy(u64),
}

#[derive(Debug, Default)]
pub struct PoorVital {
    /// LCP belongs to the page load: reported at the first view's end, then gone.
    lcp: Option<(u64, Option<Target>)>,
    cls: u64,
    window: (u64, u64, u64),
    /// The view's ten longest interactions (of those the browser reported) and their elements,
    /// longest first, as web-vitals keeps ten: one per 50 interactions is left out, so they
    /// cover 500, and the one that is the view's INP names its element.
    /// (With when each began.)
    longest: Vec<(u64, Option<Target>, u64)>,
    /// The page's interaction count as last told, and when the view began.
    count: u64,
    count_at_start: u64,
    /// The visitor clicked or typed in this view (a view without interactions has no INP).
    interacted: bool,
    shifts: bool,
    interactions: bool,
    /// The page load's view has ended: no LCP any more.
    later_view: bool,
    /// This view is a page restored from the back/forward cache: its LCP is the restore's
    /// ([`VitalFact::RestoredLcp`]), which a later view must not take if it comes late.
    restored: bool,
}

impl PoorVital {
    pub fn fact(&mut self, v: &VitalFact) {
        match v {
            // A report after the load's view ended (a route taken within its first second) is
            // the load's, which is no longer the view being measured: not given to the next view.
            VitalFact::Lcp { at_ms, element } if !self.later_view => self.lcp = Some((*at_ms, element.clone())),
            VitalFact::Lcp { .. } => {}
            VitalFact::RestoredLcp(ms) if self.restored => self.lcp = Some((*ms, None)),
            VitalFact::RestoredLcp(_) => {}
            VitalFact::Shift { value_milli, at_ms, recent_input } => {
                if *recent_input {
                    return;
                }
                let (start, last, sum) = self.window;
                self.window = if sum > 0 && at_ms.saturating_sub(last) < 1_000 && at_ms.saturating_sub(start) < 5_000 {
                    (start, *at_ms, sum + value_milli)
                } else {
                    (*at_ms, *at_ms, *value_milli)
                };
                self.cls = self.cls.max(self.window.2);
            }
            VitalFact::Measured { shifts, interactions } => (self.shifts, self.interactions) = (*shifts, *interactions),
            VitalFact::Count(n) => self.count = *n,
            VitalFact::Busy(_) => {}
        }
    }

    /// A trusted click or input in this view.
    pub fn interacted(&mut self) {
        self.interacted = true;
    }

    pub fn interaction(&mut self, duration: u64, target: Option<&Target>, began: u64) {
        self.interacted = true;
        // Into its place in the sorted ten (the shortest falls off the end).
        let at = self.longest.iter().take_while(|l| l.0 >= duration).count();
        if at < 10 {
            self.longest.insert(at, (duration, target.cloned(), began));
            self.longest.truncate(10);
        }
    }

    /// The view's INP: the longest interaction once one per 50 is left out, and its element;
    /// 0 when that one was too short for the browser to report it (good).
    fn inp(&self) -> (u64, Option<&Target>, u64) {
        let skip = self.count.saturating_sub(self.count_at_start) / 50;
        self.longest.get(skip as usize).map_or((0, None, 0), |(ms, t, began)| (*ms, t.as_ref(), *began))
    }

    /// The view ends (a route change, pagehide): its poor vitals are reported. (The measures
    /// start again at [`Self::next_view`], after its `page_leave` has taken them too.)
    pub fn leave(&self, s: &Settings, out: &mut Findings) {
        if let Some((lcp, element)) = &self.lcp {
            if *lcp > s.lcp_ms && element.as_ref().is_none_or(|t| t.allows(Signal::PoorVital)) {
                let el = element.as_ref().map(|t| t.descriptor.as_str());
                out.push((Signal::PoorVital, finding(el).str("metric", "LCP").int("value", *lcp as i64).finish(), 0));
            }
        }
        if self.cls > s.cls_milli {
            // CLS is unitless: reported in thousandths to stay an integer (0.25 = 250).
            out.push((
                Signal::PoorVital,
                finding(None).str("metric", "CLS").int("value_milli", self.cls as i64).finish(),
                0,
            ));
        }
        let (inp, target, began) = self.inp();
        if inp > s.inp_ms && target.is_none_or(|t| t.allows(Signal::PoorVital)) {
            let el = target.map(|t| t.descriptor.as_str());
            out.push((Signal::PoorVital, finding(el).str("metric", "INP").int("value", inp as i64).finish(), began));
        }
    }

    /// The next view begins (a single-page app's route, or the page restored from the
    /// back/forward cache): LCP belonged to the page load and is gone; CLS and INP start again,
    /// so each view is judged on its own shifts and interactions.
    pub fn next_view(&mut self) {
        *self = PoorVital {
            shifts: self.shifts,
            interactions: self.interactions,
            count: self.count,
            count_at_start: self.count,
            later_view: true,
            ..PoorVital::default()
        };
    }

    /// The view that begins is the page restored from the back/forward cache (after
    /// [`Self::next_view`], which the page's hiding called): its LCP is to come.
    pub fn restored(&mut self) {
        self.restored = true;
    }

    /// The view's measures on its `page_leave`: `lcp_ms` (the page load's, once), `cls_milli`,
    /// and INP as web-vitals rates it (`inp`: good up to 200 ms, poor over 500) with `inp_ms`
    /// when one was long enough for the browser to report it (the slow_interaction threshold, at
    /// most 200 ms: below that a view is good whatever its exact figure). Only what this browser
    /// measures; no INP for a view without interactions.
    /// (Once per view: a view's later stretches carry none, and every view's end calls
    /// [`Self::next_view`], which drops the LCP.)
    pub fn put(&self, mut o: Obj) -> Obj {
        if let Some((lcp, _)) = &self.lcp {
            o = o.int("lcp_ms", *lcp as i64);
        }
        if self.shifts {
            o = o.int("cls_milli", self.cls as i64);
        }
        if self.interactions && self.interacted {
            let inp = self.inp().0;
            o = o.str(
                "inp",
                match inp {
                    0..=200 => "good",
                    201..=500 => "needs-improvement",
                    _ => "poor",
                },
            );
            if inp > 0 {
                o = o.int("inp_ms", inp as i64);
            }
        }
        o
    }
}
