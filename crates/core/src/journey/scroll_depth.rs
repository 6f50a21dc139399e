//! How far down the page the visitor got: `scroll_depth` at each of `MARKS` once per page view,
//! and the maximum for `page_leave`. Depth is the share of the page's height that has been in
//! the viewport (its bottom edge), in percent. What the first screen shows counts for the
//! maximum, but marks are only reported once the visitor scrolls: a short page that fits on
//! one screen is not "read to 100 %" by loading it.

pub const MARKS: [u8; 5] = [25, 50, 75, 90, 100];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScrollDepth {
    max: u8,
    /// How many of `MARKS` have been reported.
    reported: usize,
    /// The visitor scrolled this view: the first screen is read no more.
    scrolled: bool,
}

impl ScrollDepth {
    /// At the start of a page view, with what the first screen shows.
    pub fn new(initial: u8) -> ScrollDepth {
        ScrollDepth { max: initial.min(100), reported: 0, scrolled: false }
    }

    /// `percent` is in view without scrolling (a view's first screen, read again after it
    /// began: a view the page reported itself, or content that arrived after the view began,
    /// a client-rendered page, a route whose data is fetched): until the visitor scrolls, the
    /// maximum, lower or higher than before (the loading screen of a page was 100 % of it), its
    /// marks reported at the first scroll as at [`ScrollDepth::new`].
    pub fn seen(&mut self, percent: u8) {
        if !self.scrolled {
            self.max = percent.min(100);
        }
    }

    /// The visitor scrolled to `percent`: the marks reached, in order, each once.
    pub fn scrolled(&mut self, percent: u8, mut mark: impl FnMut(u8)) {
        self.scrolled = true;
        self.max = self.max.max(percent.min(100));
        while let Some(&m) = MARKS.get(self.reported).filter(|m| **m <= self.max) {
            mark(m);
            self.reported += 1;
        }
    }

    pub fn max(&self) -> u8 {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(d: &mut ScrollDepth, pct: u8) -> Vec<u8> {
        let mut v = Vec::new();
        d.scrolled(pct, |m| v.push(m));
        v
    }

    #[test]
    fn each_mark_once_in_order_and_only_after_scrolling() {
        let mut d = ScrollDepth::new(60);
        assert_eq!(d.max(), 60);
        assert_eq!(marks(&mut d, 40), [25, 50], "the first scroll reports what the first screen showed");
        assert_eq!(marks(&mut d, 80), [75]);
        assert_eq!(marks(&mut d, 70), [] as [u8; 0], "scrolling back up reports nothing");
        assert_eq!(marks(&mut d, 255), [90, 100]);
        assert_eq!(marks(&mut d, 100), [] as [u8; 0]);
        assert_eq!(d.max(), 100);
    }

    #[test]
    fn a_first_screen_read_later_counts_as_at_the_start() {
        let mut d = ScrollDepth::new(0);
        d.seen(60);
        assert_eq!(d.max(), 60);
        assert_eq!(marks(&mut d, 40), [25, 50], "reported at the first scroll, not lost");
    }

    #[test]
    fn a_loading_screen_read_first_is_replaced_until_the_visitor_scrolls() {
        let mut d = ScrollDepth::new(100);
        d.seen(15); // (the content arrived)
        assert_eq!(d.max(), 15);
        assert_eq!(marks(&mut d, 30), [25]);
        d.seen(5); // (more content, after the visitor scrolled: their depth stands)
        assert_eq!(d.max(), 30);
    }
}
