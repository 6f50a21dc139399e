//! Sessions: one visit, across the pages and routes of a tab. A session ends after
//! `IDLE_MS` without an event or `MAX_MS` after it began; the next event then starts a new one.
//!
//! The session is kept in the tab's `sessionStorage` (key `tp:session`) only while analytics
//! consent allows storage; otherwise it lives as long as the page. The same is written to
//! `localStorage`, for a new tab opened from the site (see `input::Boot::session`). Stored: the
//! id, when it began, its last event, its channel and campaign, the last page's path (the next
//! page's `previous_path`), the path before it, when the last page view began and ended and
//! whether the visitor did anything there (so that coming straight back to the page before by a
//! full reload is a `quick_back`), and the signed-in customer (`identity`).

use super::super::json::{push_u64, split_byte};

pub const KEY: &str = "tp:session";
pub const IDLE_MS: u64 = 30 * 60 * 1000;
pub const MAX_MS: u64 = 24 * 60 * 60 * 1000;
/// How often a page in use writes its session again (see `Engine::capture`).
pub const REFRESH_MS: u64 = 5 * 60 * 1000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    pub id: String,
    pub start: u64,
    pub last: u64,
    pub channel: String,
    /// `attribution::campaign`'s JSON members ("" for none).
    pub campaign: String,
    pub last_path: String,
    /// The page view before the last one.
    pub prev_path: String,
    /// When the last page view began and ended, and whether the visitor interacted with it.
    pub arrived: u64,
    pub left: u64,
    pub used: bool,
    /// The signed-in customer (`identity`), "" for none.
    pub user_id: String,
    /// When this tab or another named that customer (`identify`), 0 for never: of two tabs of
    /// the session naming different customers (another one signed in without a sign-out
    /// between), the later name wins (`engine::other_tab_session`).
    pub user_at: u64,
    /// The session a sign-out (`reset`) ended to begin this one, "" for none: the visit's other
    /// open tabs, still in that one, then follow (`engine::other_tab_session`).
    pub replaced: String,
}

impl Session {
    pub fn new(id: String, now: u64) -> Session {
        Session { id, start: now, last: now, ..Session::default() }
    }

    /// Reads what `store` wrote; None if it is malformed or the session is over at `now`.
    pub fn restore(stored: &str, now: u64) -> Option<Session> {
        let f: Vec<&str> = split_byte(stored, 0x1f).collect();
        let num = super::super::config::parse_u64;
        // Each format is the one before with fields added at the end: 5 fields, then the page
        // view before (9), the campaign (10), the customer (11), the session it replaced (12),
        // when the customer was named (13).
        if !matches!(f.len(), 5 | 9..=13) {
            return None;
        }
        let field = |i: usize| f.get(i).copied().unwrap_or_default();
        let mut s = Session {
            id: field(0).into(),
            start: num(field(1))?,
            last: num(field(2))?,
            channel: field(3).into(),
            last_path: field(4).into(),
            campaign: field(9).into(),
            user_id: field(10).into(),
            replaced: field(11).into(),
            user_at: num(field(12)).unwrap_or_default(),
            ..Session::default()
        };
        if f.len() > 5 {
            s.prev_path = field(5).into();
            s.arrived = num(field(6))?;
            s.left = num(field(7))?;
            s.used = field(8) == "1";
        }
        (s.id.len() == 36 && !s.over(now)).then_some(s)
    }

    pub fn store(&self) -> String {
        self.store_with_view(self)
    }

    /// As `store`, with the last page view (its path and the one before, when it began and
    /// ended, whether it was used) as `view` has it: another tab of the visit whose view began
    /// later (`Engine::save_session`).
    pub fn store_with_view(&self, view: &Session) -> String {
        let mut v = String::new();
        v.push_str(&self.id);
        v.push('\x1f');
        push_u64(&mut v, self.start);
        v.push('\x1f');
        push_u64(&mut v, self.last);
        for s in ["\x1f", &self.channel, "\x1f", &view.last_path, "\x1f", &view.prev_path, "\x1f"] {
            v.push_str(s);
        }
        push_u64(&mut v, view.arrived);
        v.push('\x1f');
        push_u64(&mut v, view.left);
        v.push_str(if view.used { "\x1f1\x1f" } else { "\x1f0\x1f" });
        // JSON escapes control characters: the campaign never holds the separator.
        v.push_str(&self.campaign);
        // (`identity::check` refuses control characters: never the separator.)
        // (A customer is named at a time: `user_at` is never set without `user_id`.)
        if !self.user_id.is_empty() || !self.replaced.is_empty() {
            for s in ["\x1f", &self.user_id, "\x1f", &self.replaced, "\x1f"] {
                v.push_str(s);
            }
            push_u64(&mut v, self.user_at);
        }
        v
    }

    /// Whether this session is among the `percent` in a hundred that are kept
    /// (`data-sample-rate`). Decided by its id, which is random: every page and tab of the
    /// session decides alike without storing the decision, and a new session decides again. An
    /// id that is not one of ours (no 8 hex digits first) is kept.
    pub fn sampled_in(&self, percent: u8) -> bool {
        sampled_in(&self.id, percent)
    }

    /// Whether an event at `now` belongs to a new session. (A clock that went backwards keeps
    /// the session.)
    pub fn over(&self, now: u64) -> bool {
        now > self.last.saturating_add(IDLE_MS) || now > self.start.saturating_add(MAX_MS)
    }
}

/// Whether the session of this id is among the `percent` in a hundred kept (see
/// [`Session::sampled_in`]); also asked of the id the next session will have (`Engine::ids`).
pub fn sampled_in(id: &str, percent: u8) -> bool {
    let mut x = 0u64;
    // (By hand: `u32::from_str_radix` cost ~0.2 KB of wasm.)
    for b in id.bytes().take(8) {
        match super::url::hex(b) {
            Some(d) => x = x << 4 | u64::from(d),
            None => return true,
        }
    }
    x * 100 < u64::from(percent) << 32
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn survives_a_round_trip_and_ends_by_the_rules() {
        let mut s = Session::new(ID.into(), 1_000);
        s.channel = "email".into();
        s.campaign = r#""source":"news\u001fletter","campaign":"spring""#.into();
        s.last_path = "/cart".into();
        s.prev_path = "/".into();
        s.arrived = 4_000;
        s.left = 4_500;
        s.used = true;
        s.last = 5_000;
        assert_eq!(Session::restore(&s.store(), 6_000), Some(s.clone()));
        s.user_id = "c-1042".into();
        assert_eq!(Session::restore(&s.store(), 6_000), Some(s.clone()), "with the customer");
        s.user_at = 4_200;
        assert_eq!(Session::restore(&s.store(), 6_000), Some(s.clone()), "when the customer was named");
        s.replaced = ID.into();
        assert_eq!(Session::restore(&s.store(), 6_000), Some(s.clone()), "begun by a sign-out");
        s.user_at = 0;
        assert_eq!(Session::restore(&s.store(), 6_000), Some(s.clone()), "before it was said when");
        s.user_id.clear();
        assert_eq!(Session::restore(&s.store(), 6_000), Some(s.clone()), "without a customer");
        let short = [ID, "\x1f1000\x1f5000\x1femail\x1f/cart"].concat();
        assert_eq!(Session::restore(&short, 6_000).map(|s| s.last_path), Some("/cart".into()), "the earlier format");
        let nine = [ID, "\x1f1000\x1f5000\x1femail\x1f/cart\x1f/\x1f4000\x1f4500\x1f1"].concat();
        assert_eq!(
            Session::restore(&nine, 6_000).map(|s| (s.campaign, s.used)),
            Some((String::new(), true)),
            "before campaigns"
        );
        assert!(!s.over(5_000 + IDLE_MS), "30 minutes exactly is still the session");
        assert!(s.over(5_001 + IDLE_MS), "idle for more than 30 minutes");
        assert_eq!(Session::restore(&s.store(), 5_001 + IDLE_MS), None);
        s.last = 1_000 + MAX_MS;
        assert!(s.over(1_001 + MAX_MS), "24 hours even when active");
        assert!(!s.over(0), "a clock that went back keeps the session");
    }

    #[test]
    fn the_sample_is_decided_by_the_id_alike_everywhere() {
        let with = |id: &str| Session::new(id.into(), 0);
        let low = with("00000000-d9cb-469f-a165-70867728950e");
        let high = with("ffffffff-d9cb-469f-a165-70867728950e");
        assert!(low.sampled_in(1) && !low.sampled_in(0), "the lowest id is in every sample but none");
        assert!(high.sampled_in(100) && !high.sampled_in(99), "the highest only when all are kept");
        assert!(with("7fffffff-0000-4000-8000-000000000000").sampled_in(50));
        assert!(!with("80000000-0000-4000-8000-000000000000").sampled_in(50));
        assert!(with("not an id").sampled_in(1), "not one of ours: kept");
        // Random ids: the share kept is the rate (10,000 ids, within 2 points).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for rate in [1u8, 10, 25, 50, 90] {
            let kept = (0..10_000)
                .filter(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    with(&format!("{:08x}-0000-4000-8000-000000000000", x as u32)).sampled_in(rate)
                })
                .count();
            assert!((kept as i64 - i64::from(rate) * 100).abs() < 200, "rate {rate}: {kept} of 10,000");
        }
    }

    proptest::proptest! {
        /// Whatever the session holds (text without control characters, as URLs, channels and a
        /// checked user id are), the next page reads back what this one stored.
        #[test]
        fn what_is_stored_is_read_back(
            channel in "[a-z_]{0,12}", path in "/[^\\x00-\\x1f]{0,16}", prev in "(/[^\\x00-\\x1f]{0,8})?",
            campaign in "(\"source\":\"[^\\x00-\\x1f\"]{1,8}\")?", user_id in "([^\\x00-\\x1f\\x7f]{1,20})?",
            start in 0u64..1_000_000, used: bool, replaced: bool, user_at in proptest::option::of(1u64..1_000_000_000_000_000),
        ) {
            proptest::prop_assume!(user_id.is_empty() || super::super::identity::check(&user_id, false).is_ok());
            let user_at = if user_id.is_empty() { 0 } else { user_at.unwrap_or_default() };
            let s = Session {
                id: ID.into(), start, last: start + 10, channel, campaign, last_path: path, prev_path: prev,
                arrived: start + 1, left: start + 2, used, user_id,
                user_at,
                replaced: if replaced { ID.into() } else { String::new() },
            };
            proptest::prop_assert_eq!(Session::restore(&s.store(), start + 20), Some(s));
        }
    }

    #[test]
    fn junk_is_refused() {
        for junk in [
            "",
            "x",
            "a\x1f1\x1f2\x1f\x1f",
            &[ID, "\x1fz\x1f2\x1f\x1f"].concat(),
            &[ID, "\x1f1\x1f2\x1f\x1f\x1f"].concat(),
        ] {
            assert_eq!(Session::restore(junk, 3), None, "{junk:?}");
        }
    }
}
