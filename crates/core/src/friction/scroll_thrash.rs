//! scroll_thrash: 4 or more user-driven scroll direction reversals within 3 s, each leg at least
//! half a viewport: the visitor is hunting for something. Once per burst: a new burst starts
//! after the window passes without reversals. Programmatic scrolling (no wheel, touch or key
//! input just before) is not the visitor's and resets the legs.

use super::{finding, Findings, Settings, Signal};

#[derive(Debug, Default)]
pub struct ScrollThrash {
    reversals: Vec<u64>,
    reported: bool,
}

impl ScrollThrash {
    /// The scrolling turned around at `at` after a leg of `leg` px (the sensor reports turning
    /// points only).
    pub fn turn(&mut self, s: &Settings, at: u64, leg: i32, viewport: i32, user: bool, out: &mut Findings) {
        self.reversals.retain(|t| at.saturating_sub(*t) <= s.thrash_window_ms);
        if self.reversals.is_empty() {
            self.reported = false;
        }
        if !user || leg * 2 < viewport.max(1) {
            return;
        }
        self.reversals.push(at);
        if self.reversals.len() >= s.thrash_reversals && !self.reported {
            self.reported = true;
            let first = self.reversals[0];
            let props = finding(None)
                .int("reversals", self.reversals.len() as i64)
                .int("duration_ms", (at - first) as i64)
                .finish();
            out.push((Signal::ScrollThrash, props, 0));
        }
    }
}
