//! quick_back: the visitor goes from view A to view B and is back on A within 10 s with no trusted
//! interaction on B (a click, a user scroll, typing); reported on A. Seen for single-page-app
//! history (a back/forward `popstate` onto the previous path) and for a page restored from the
//! back/forward cache. Across full page loads (the back button reloading A) and restores it is
//! seen through the tab's session (journey/session.rs), which remembers B's path, the path before
//! it, B's time and whether B was used: so only while analytics consent allows storage. A restore
//! without it (B has no Touchpoint, or nothing could be stored) counts as a quick back on the time
//! away alone, within 10 s of leaving A.

use super::{finding, Findings, Settings, Signal};
use crate::journey::session::Session;

#[derive(Debug, Default)]
pub struct QuickBack {
    /// The previous view's path, and the current view's path, start and how many times the
    /// visitor used it (a click, a scroll, a key, input).
    previous: Option<String>,
    current: Option<(String, u64, u8)>,
}

impl QuickBack {
    pub fn interaction(&mut self) {
        if let Some((_, _, uses)) = &mut self.current {
            *uses = uses.saturating_add(1);
        }
    }

    /// The click just counted was the page's own Back (its link or button calling
    /// `history.back()`): the visitor going back, not using the view (a legacy shop's "« Back"
    /// link, its usual way back, never made a quick_back: QA).
    pub fn back_click(&mut self) {
        if let Some((_, _, uses)) = &mut self.current {
            *uses = uses.saturating_sub(1);
        }
    }

    /// A route change to `path` (empty: back from the bfcache after `at - since` ms away).
    pub fn route(&mut self, s: &Settings, at: u64, path: &str, back: bool, out: &mut Findings) {
        if let Some((b, since, uses)) = self.current.take() {
            let dwell = at.saturating_sub(since);
            // (Not between two views of one path: an app routed by its query string alone
            // (`/list?item=2`) has the same path before and after, forward as well as back.)
            let returning = back && self.previous.as_deref() == Some(path) && b != path;
            if returning && uses == 0 && dwell <= s.quick_back_ms {
                let props =
                    finding(None).str("from_path", &b).str("to_path", path).int("dwell_ms", dwell as i64).finish();
                out.push((Signal::QuickBack, props, 0));
            }
            self.previous = Some(b);
        }
        self.current = Some((path.into(), at, 0));
    }

    /// The first view (page load).
    pub fn start(&mut self, at: u64, path: &str) {
        self.current = Some((path.into(), at, 0));
    }

    /// The current view: its path, when it began, and whether the visitor used it.
    pub fn view(&self) -> Option<(&str, u64, bool)> {
        self.current.as_ref().map(|(p, at, uses)| (p.as_str(), *at, *uses > 0))
    }

    /// Back on `path` by the back button, with the tab's session as the page the visitor had
    /// gone to left it (its path, begun at `arrived`, left at `left`, `used` or not; the view
    /// before it `prev_path`): a page loaded again (`via` `reload`), or restored from the
    /// back/forward cache (`bfcache`).
    pub fn back(&mut self, s: &Settings, path: &str, session: &Session, via: &str, out: &mut Findings) {
        let Session { last_path: from, prev_path: before, arrived, left, used, .. } = session;
        let dwell = left.saturating_sub(*arrived);
        if !used && before == path && from != path && left >= arrived && dwell <= s.quick_back_ms {
            let props = finding(None)
                .str("from_path", from)
                .str("to_path", path)
                .int("dwell_ms", dwell as i64)
                .str("via", via)
                .finish();
            out.push((Signal::QuickBack, props, 0));
        }
    }

    /// Back from the bfcache `away_ms` after `pagehide`.
    pub fn restored(&mut self, s: &Settings, away_ms: u64, path: &str, out: &mut Findings) {
        if away_ms <= s.quick_back_ms {
            let props =
                finding(None).str("to_path", path).int("dwell_ms", away_ms as i64).str("via", "bfcache").finish();
            out.push((Signal::QuickBack, props, 0));
        }
    }
}
