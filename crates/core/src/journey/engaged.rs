//! Engaged time: how long the visitor was actually with the page. A moment counts when the page
//! is visible, the window has focus, and the visitor did something (a click, a key, a scroll,
//! a pointer move, a touch) in the last `IDLE_MS`: reading without moving counts for 30 s, a tab
//! left open does not count at all.

pub const IDLE_MS: u64 = 30_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Engaged {
    /// Engaged ms in stretches already closed.
    total: u64,
    /// The start of the open stretch, if the visitor is engaged now.
    since: Option<u64>,
    last_input: u64,
    visible: bool,
    focused: bool,
}

impl Engaged {
    pub fn new(now: u64, visible: bool, focused: bool) -> Engaged {
        let mut e = Engaged { visible, focused, ..Engaged::default() };
        e.input(now);
        e
    }

    /// The open stretch ends at `now`, or when the visitor went idle if that was earlier.
    fn close(&mut self, now: u64) {
        if let Some(since) = self.since.take() {
            self.total += now.min(self.last_input + IDLE_MS).saturating_sub(since);
        }
    }

    /// The visitor did something.
    pub fn input(&mut self, now: u64) {
        if self.since.is_some() && now > self.last_input + IDLE_MS {
            self.close(now);
        }
        self.last_input = self.last_input.max(now);
        if self.since.is_none() && self.visible && self.focused {
            self.since = Some(now);
        }
    }

    pub fn visible(&mut self, now: u64, visible: bool) {
        self.change(now, |e| e.visible = visible);
    }

    pub fn focused(&mut self, now: u64, focused: bool) {
        self.change(now, |e| e.focused = focused);
    }

    /// Hiding or blurring closes the stretch; coming back counts as an input.
    fn change(&mut self, now: u64, f: impl FnOnce(&mut Engaged)) {
        self.close(now);
        f(self);
        if self.visible && self.focused {
            self.input(now);
        }
    }

    /// Engaged ms so far.
    pub fn total(&self, now: u64) -> u64 {
        let open = self.since.map_or(0, |since| now.min(self.last_input + IDLE_MS).saturating_sub(since));
        self.total + open
    }

    /// Starts counting again from zero (a new page view, or the page shown again after a
    /// `page_leave`), keeping what is known of visibility and focus.
    pub fn restart(&mut self, now: u64) {
        *self = Engaged::new(now, self.visible, self.focused);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_visible_focused_and_active_time_only() {
        let mut e = Engaged::new(0, true, true);
        assert_eq!(e.total(10_000), 10_000, "reading right after load");
        assert_eq!(e.total(60_000), IDLE_MS, "idle after 30 s");
        e.input(60_000);
        assert_eq!(e.total(65_000), IDLE_MS + 5_000, "back to it");
        e.visible(65_000, false);
        assert_eq!(e.total(200_000), IDLE_MS + 5_000, "a hidden tab does not count");
        e.visible(200_000, true);
        e.focused(201_000, false);
        assert_eq!(e.total(300_000), IDLE_MS + 6_000, "a blurred window does not count");
        e.focused(300_000, true);
        assert_eq!(e.total(301_000), IDLE_MS + 7_000);
        e.restart(301_000);
        assert_eq!(e.total(302_000), 1_000);
    }

    #[test]
    fn starts_unengaged_when_hidden_or_unfocused() {
        let mut e = Engaged::new(0, false, true);
        assert_eq!(e.total(5_000), 0);
        e.visible(5_000, true);
        assert_eq!(e.total(7_000), 2_000);
        let e = Engaged::new(0, true, false);
        assert_eq!(e.total(5_000), 0);
    }

    proptest::proptest! {
        #[test]
        fn never_more_than_wall_time_and_never_decreasing(
            steps in proptest::collection::vec((0u64..40_000, 0u8..5), 0..40)
        ) {
            let mut e = Engaged::new(0, true, true);
            let (mut now, mut before) = (0u64, 0u64);
            for (dt, what) in steps {
                now += dt;
                match what {
                    0 => e.input(now),
                    1 => e.visible(now, false),
                    2 => e.visible(now, true),
                    3 => e.focused(now, false),
                    _ => e.focused(now, true),
                }
                let t = e.total(now);
                proptest::prop_assert!(t <= now && t >= before);
                before = t;
            }
        }
    }
}
