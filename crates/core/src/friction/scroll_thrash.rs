//! scroll_thrash: 4 or more user-driven scroll direction reversals within 3 s, each leg at least
//! half a viewport: the visitor is hunting for something. Once per burst: a new burst starts
//! after the window passes without reversals. Programmatic scrolling (no wheel, touch or key
//! input just before) is not the visitor's and resets the legs.

use super::{finding, Findings, Settings, Signal};

#[derive(Debug, Default)]
pub struct ScrollThrash {
    last_y: Option<i32>,
    /// Direction of the current leg (-1 up, 1 down) and where it started.
    dir: i32,
    leg_start: i32,
    reversals: Vec<u64>,
    reported: bool,
}

impl ScrollThrash {
    pub fn scroll(&mut self, s: &Settings, at: u64, y: i32, viewport: i32, user: bool, out: &mut Findings) {
        let Some(last) = self.last_y.replace(y) else {
            self.leg_start = y;
            return;
        };
        if !user {
            (self.dir, self.leg_start) = (0, y);
            return;
        }
        let dir = (y - last).signum();
        if dir == 0 {
            return;
        }
        if self.dir != 0 && dir != self.dir {
            // The leg that just ended ran from leg_start to last.
            if (last - self.leg_start).abs() * 2 >= viewport.max(1) {
                self.reversals.push(at);
            }
            self.leg_start = last;
        }
        self.dir = dir;
        self.reversals.retain(|t| at.saturating_sub(*t) <= s.thrash_window_ms);
        if self.reversals.is_empty() {
            self.reported = false;
        }
        if self.reversals.len() >= s.thrash_reversals && !self.reported {
            self.reported = true;
            let first = self.reversals[0];
            let props = finding(None)
                .int("reversals", self.reversals.len() as i64)
                .int("duration_ms", (at - first) as i64)
                .finish();
            out.push((Signal::ScrollThrash, props));
        }
    }
}
