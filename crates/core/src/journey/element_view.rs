//! `element_view`: an element marked `data-tp-view="name"` was at least half visible for
//! `VIEW_MS` without a break, reported once per name per page view (promo banners,
//! recommendations, trust badges). The sensor (an IntersectionObserver at 50 %) reports when
//! each element enters and leaves; the timing is decided here.

pub const VIEW_MS: u64 = 1_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElementViews {
    /// Elements in view: key, name, since.
    visible: Vec<(u32, String, u64)>,
    seen: Vec<String>,
}

impl ElementViews {
    pub fn enter(&mut self, key: u32, name: &str, now: u64) {
        if !self.seen.iter().any(|s| s == name) && !self.visible.iter().any(|(k, ..)| *k == key) {
            self.visible.push((key, name.into(), now));
        }
    }

    pub fn leave(&mut self, key: u32) {
        self.visible.retain(|(k, ..)| *k != key);
    }

    pub fn deadline(&self) -> Option<u64> {
        self.visible.iter().map(|(.., since)| since + VIEW_MS).min()
    }

    /// The names seen long enough by `now`, each once.
    pub fn timeout(&mut self, now: u64, mut seen: impl FnMut(&str)) {
        while let Some(i) = self.visible.iter().position(|(.., since)| since + VIEW_MS <= now) {
            let name = self.visible.remove(i).1;
            seen(&name);
            self.visible.retain(|(_, n, _)| *n != name);
            self.seen.push(name);
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
