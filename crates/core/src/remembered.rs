//! `data-remember-consent`: for shops without a consent platform, the visitor's decision is kept
//! so that the next page applies it before anything is captured. Only the decision is stored
//! (strictly necessary storage: it is how "no" stays "no"), in `localStorage` under `KEY`, for
//! `LIFETIME_MS` (a decision with a denial in it: `DENIAL_LIFETIME_MS`), after which the
//! visitor is asked again. A denial is remembered too, also of marketing alone while analytics
//! is still undecided (a "Do Not Sell or Share" clicked before any banner was answered). The key
//! is outside the `tp:` prefix on purpose: withdrawing consent purges every `tp:` key, but the
//! withdrawal itself must survive.

use super::consent::{Consent, State, Update};
use super::json::{push_u64, split_byte};

pub const KEY: &str = "tp_consent";
/// About six months, what European regulators suggest before asking again.
pub const LIFETIME_MS: u64 = 180 * 24 * 60 * 60 * 1000;
/// Thirteen months for a decision that denies something: the CCPA's regulations ask a business
/// to wait at least twelve months before asking a visitor who opted out to opt in again (where
/// a site asks nothing, an opt-out that expired was a silent opt-in: a US privacy counsel's QA).
/// Longer than Europe's six months, which only bound how long a choice may be relied on.
pub const DENIAL_LIFETIME_MS: u64 = 395 * 24 * 60 * 60 * 1000;

/// How far ahead of this page's clock a stored decision's time may be (clocks differ a little).
const FUTURE_SLACK_MS: u64 = 24 * 60 * 60 * 1000;

/// `analytics|marketing|when`, e.g. `granted|denied|1764300000000`.
pub fn store(c: Consent, now: u64) -> String {
    let mut v = String::new();
    for s in [c.analytics.as_str(), "|", c.marketing.as_str(), "|"] {
        v.push_str(s);
    }
    push_u64(&mut v, now);
    v
}

/// The remembered decision, if there is one, well-formed and younger than its lifetime, and
/// deciding something.
pub fn restore(stored: &str, now: u64) -> Option<Consent> {
    let f: Vec<&str> = split_byte(stored, b'|').collect();
    let [a, m, at] = f[..] else { return None };
    let state = |s: &str| match s {
        "granted" => Some(State::Granted),
        "denied" => Some(State::Denied),
        "pending" => Some(State::Pending),
        _ => None,
    };
    let at = super::config::parse_u64(at)?;
    let c = Consent { analytics: state(a)?, marketing: state(m)? };
    let life =
        if c.analytics == State::Denied || c.marketing == State::Denied { DENIAL_LIFETIME_MS } else { LIFETIME_MS };
    // A decision dated more than a day ahead (a clock that was wrong when it was made, or a
    // value written by hand) has no age that can be trusted: it would never expire.
    (at <= now.saturating_add(FUTURE_SLACK_MS) && now.saturating_sub(at) < life && c != Consent::PENDING).then_some(c)
}

/// The remembered decision as a consent update (another page's, applied to this one).
pub fn update(stored: &str, now: u64) -> Option<Update> {
    let c = restore(stored, now)?;
    let state = |s| match s {
        State::Granted => Some(true),
        State::Denied => Some(false),
        State::Pending => None,
    };
    Some(Update { analytics: state(c.analytics), marketing: state(c.marketing) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_expiry_and_junk() {
        let c = Consent { analytics: State::Granted, marketing: State::Denied };
        assert_eq!(store(c, 5), "granted|denied|5");
        assert_eq!(restore(&store(c, 5), 5 + LIFETIME_MS), Some(c), "an opt-out outlives six months");
        assert_eq!(restore(&store(c, 5), 5 + DENIAL_LIFETIME_MS - 1), Some(c));
        assert_eq!(restore(&store(c, 5), 5 + DENIAL_LIFETIME_MS), None, "asked again after thirteen months");
        let yes = Consent { analytics: State::Granted, marketing: State::Granted };
        assert_eq!(restore(&store(yes, 5), 5 + LIFETIME_MS - 1), Some(yes));
        assert_eq!(restore(&store(yes, 5), 5 + LIFETIME_MS), None, "a grant: asked again after six months");
        let m = Consent { analytics: State::Granted, marketing: State::Pending };
        assert_eq!(restore(&store(m, 5), 6), Some(m), "marketing may still be undecided");
        // A "Do Not Sell or Share" before any banner was answered: marketing alone.
        let dns = Consent { analytics: State::Pending, marketing: State::Denied };
        assert_eq!(restore(&store(dns, 5), 6), Some(dns));
        assert_eq!(update(&store(dns, 5), 6), Some(Update { analytics: None, marketing: Some(false) }));
        let later = 1_000 + FUTURE_SLACK_MS;
        assert_eq!(restore(&store(c, later), 1_000), Some(c), "a clock a little behind");
        assert_eq!(restore(&store(c, later + 1), 1_000), None, "from the future: would never expire");
        for junk in [
            "",
            "granted",
            "granted|denied",
            "pending|pending|1",
            "granted|maybe|1",
            "granted|denied|x",
            "granted|denied|1|2",
        ] {
            assert_eq!(restore(junk, 10), None, "{junk}");
        }
    }
}
