//! poor_vital: LCP > 4 s, CLS > 0.25 or INP > 500 ms for a page view, with the value and the
//! element where the browser tells it (LCP's element, the longest interaction's target);
//! reported when the page view ends: LCP once for the page load, CLS and INP for each view. CLS is the largest
//! session window of layout shifts without recent input (gaps under 1 s, at most 5 s), as
//! web-vitals computes it; INP here is the longest interaction (exact for pages with fewer than
//! 50 interactions, an upper bound beyond).

use super::{finding, Findings, Settings, Signal, Target};

#[derive(Clone, Debug, PartialEq)]
pub enum VitalFact {
    /// A largest-contentful-paint candidate: its time (ms) and element.
    Lcp { at_ms: u64, element: Option<Target> },
    /// A layout shift: value in thousandths, at (ms since navigation), after recent input.
    Shift { value_milli: u64, at_ms: u64, recent_input: bool },
}

#[derive(Debug, Default)]
pub struct PoorVital {
    /// LCP belongs to the page load: reported at the first view's end, then gone.
    lcp: Option<(u64, Option<Target>)>,
    cls: u64,
    window: (u64, u64, u64),
    /// The longest interaction of the view, and its element.
    inp: u64,
    inp_target: Option<Target>,
}

impl PoorVital {
    pub fn fact(&mut self, v: &VitalFact) {
        match v {
            VitalFact::Lcp { at_ms, element } => self.lcp = Some((*at_ms, element.clone())),
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
        }
    }

    pub fn interaction(&mut self, duration: u64, target: Option<&Target>) {
        if duration > self.inp {
            self.inp = duration;
            self.inp_target = target.cloned();
        }
    }

    /// The view ends (a route change, pagehide): its poor vitals are reported, and CLS and INP
    /// start again for the next view (a single-page app's route, or the page restored from the
    /// back/forward cache), so each view is judged on its own shifts and interactions.
    pub fn leave(&mut self, s: &Settings, out: &mut Findings) {
        if let Some((lcp, element)) = self.lcp.take() {
            if lcp > s.lcp_ms && element.as_ref().is_none_or(|t| t.allows(Signal::PoorVital)) {
                let el = element.as_ref().map(|t| t.descriptor.as_str());
                out.push((Signal::PoorVital, finding(el).str("metric", "LCP").int("value", lcp as i64).finish()));
            }
        }
        if self.cls > s.cls_milli {
            // CLS is unitless: reported in thousandths to stay an integer (0.25 = 250).
            out.push((
                Signal::PoorVital,
                finding(None).str("metric", "CLS").int("value_milli", self.cls as i64).finish(),
            ));
        }
        let inp = std::mem::take(&mut self.inp_target);
        if self.inp > s.inp_ms && inp.as_ref().is_none_or(|t| t.allows(Signal::PoorVital)) {
            let el = inp.as_ref().map(|t| t.descriptor.as_str());
            out.push((Signal::PoorVital, finding(el).str("metric", "INP").int("value", self.inp as i64).finish()));
        }
        (self.cls, self.window, self.inp) = (0, (0, 0, 0), 0);
    }
}
