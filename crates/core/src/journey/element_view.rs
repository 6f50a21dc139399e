//! `element_view`: an element marked `data-tp-view="name"` was at least half visible for
//! `VIEW_MS` without a break, reported once per name per page view (promo banners,
//! recommendations, trust badges). The sensor (an IntersectionObserver at 50 %) reports when
//! each element enters and leaves; the timing is decided here.

pub const VIEW_MS: u64 = 1_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElementViews {
    /// Elements in view: key, name, since (for those already in view when the page view began,
    /// its start).
    visible: Vec<(u32, String, u64)>,
    /// The names reported in this page view.
    seen: Vec<String>,
}

impl ElementViews {
    pub fn enter(&mut self, key: u32, name: &str, now: u64) {
        if !self.visible.iter().any(|(k, ..)| *k == key) {
            self.visible.push((key, name.into(), now));
        }
    }

    pub fn leave(&mut self, key: u32) {
        self.visible.retain(|(k, ..)| *k != key);
    }

    /// The next page view begins (a route, a page restored from the back/forward cache): the
    /// elements still in view are in view of it from `now`, and every name may be reported
    /// again. (The observer reports changes only: a banner in the header, in view across a
    /// route change, or where a restored page comes back scrolled to, sends nothing more.)
    pub fn next_view(&self, now: u64) -> ElementViews {
        ElementViews { visible: self.visible.iter().map(|(k, n, _)| (*k, n.clone(), now)).collect(), seen: Vec::new() }
    }

    fn waiting(&self) -> impl Iterator<Item = &(u32, String, u64)> {
        self.visible.iter().filter(|(_, n, _)| !self.seen.contains(n))
    }

    pub fn deadline(&self) -> Option<u64> {
        self.waiting().map(|(.., since)| since + VIEW_MS).min()
    }

    /// The names seen long enough by `now`, each once.
    pub fn timeout(&mut self, now: u64, mut seen: impl FnMut(&str)) {
        for (_, name, since) in &self.visible {
            if since + VIEW_MS <= now && !self.seen.contains(name) {
                seen(name);
                self.seen.push(name.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fire(v: &mut ElementViews, now: u64) -> Vec<String> {
        let mut out = Vec::new();
        v.timeout(now, |n| out.push(n.to_string()));
        out
    }

    #[test]
    fn one_second_in_view_once_per_name() {
        let mut v = ElementViews::default();
        v.enter(1, "promo", 0);
        v.enter(2, "promo", 100);
        v.enter(3, "badge", 200);
        assert_eq!(v.deadline(), Some(1_000));
        v.leave(3);
        assert_eq!(fire(&mut v, 999), [] as [String; 0]);
        assert_eq!(fire(&mut v, 1_000), ["promo"]);
        assert_eq!(v.deadline(), None, "the other promo element is the same name");
        v.enter(3, "badge", 2_000);
        v.enter(1, "promo", 2_000);
        assert_eq!(fire(&mut v, 3_500), ["badge"], "promo was reported already");
    }

    /// A banner in view across a route change (or where a restored page comes back scrolled
    /// to) is viewed in the next page view too, from its start; one that left before is not.
    #[test]
    fn elements_still_in_view_are_in_the_next_view() {
        let mut v = ElementViews::default();
        v.enter(1, "promo", 0);
        v.enter(2, "badge", 0);
        assert_eq!(fire(&mut v, 1_000), ["promo", "badge"]);
        v.leave(2);
        let mut next = v.next_view(5_000);
        assert_eq!(next.deadline(), Some(6_000));
        assert_eq!(fire(&mut next, 5_999), [] as [String; 0]);
        assert_eq!(fire(&mut next, 6_000), ["promo"]);
        next.leave(1);
        next.enter(1, "promo", 7_000);
        assert_eq!(fire(&mut next, 9_000), [] as [String; 0], "once per page view");
    }

    #[test]
    fn a_glimpse_is_not_a_view() {
        let mut v = ElementViews::default();
        v.enter(1, "promo", 0);
        v.leave(1);
        v.enter(1, "promo", 900);
        assert_eq!(fire(&mut v, 1_500), [] as [String; 0]);
        assert_eq!(fire(&mut v, 1_900), ["promo"]);
    }
}
