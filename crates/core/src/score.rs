//! The experience score: one number from 0 (painful) to 100 (smooth) per session.
//!
//! A session starts with [`SMOOTHNESS_POINTS`] points of smoothness and loses half of what is
//! left for every [`HALF_LIFE`] points of friction weight it collects (so the score never goes
//! below zero and the first rage clicks cost more than the twentieth). Each friction type has a
//! weight ([`weight`]); friction that happened while a moment of truth was under way (adding to
//! cart, checking out, paying) counts twice. The remaining [`PROGRESS_POINTS`] reward progress
//! through the moments of truth: a share of them for each moment reached. Without moments of truth
//! defined (`moments_total == 0`) the whole 100 points are smoothness.
//!
//! Pure and deterministic; monotone by construction (tested in `tests` below): more friction, or
//! friction moved into a moment of truth, never raises the score; reaching another moment never
//! lowers it.

/// Points for a session without friction.
pub const SMOOTHNESS_POINTS: f64 = 80.0;
/// Points for reaching every moment of truth.
pub const PROGRESS_POINTS: f64 = 20.0;
/// Friction weight that halves the smoothness points.
pub const HALF_LIFE: f64 = 25.0;

/// How much one friction event of `kind` weighs. The signals that mean "the page failed the
/// customer" (errors, rage) weigh most; the ones that may be the customer's own hesitation
/// (a quick back, scroll thrash) or a slow device least. Unknown kinds weigh 4.
pub fn weight(kind: &str) -> u32 {
    match kind {
        "rage_click" | "error_click" => 10,
        "form_abandon" => 8,
        "dead_click" | "js_error" | "failed_request" => 6,
        "field_error" | "quick_back" => 4,
        "slow_interaction" | "scroll_thrash" => 3,
        "poor_vital" => 2,
        _ => 4,
    }
}

/// Friction of one kind in a session: `count` events, of which `during_moment` happened while a
/// moment of truth was under way (`during_moment <= count`; larger values are capped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrictionCount<'a> {
    pub kind: &'a str,
    pub count: u32,
    pub during_moment: u32,
}

/// What the score is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts<'a> {
    pub friction: &'a [FrictionCount<'a>],
    /// Distinct moments of truth the session reached (capped at `moments_total`).
    pub moments_reached: u32,
    /// Moments of truth there are (the funnel's length); 0 = none defined.
    pub moments_total: u32,
}

/// The total friction weight: each event's [`weight`], twice for those during a moment of truth.
pub fn friction_weight(friction: &[FrictionCount<'_>]) -> u64 {
    friction
        .iter()
        .map(|f| {
            let w = u64::from(weight(f.kind));
            w * (u64::from(f.count) + u64::from(f.during_moment.min(f.count)))
        })
        .fold(0u64, u64::saturating_add)
}

/// The experience score, 0..=100.
pub fn experience_score(s: &SessionFacts<'_>) -> u8 {
    let penalty = friction_weight(s.friction) as f64;
    let smooth = 0.5f64.powf(penalty / HALF_LIFE);
    let score = if s.moments_total == 0 {
        (SMOOTHNESS_POINTS + PROGRESS_POINTS) * smooth
    } else {
        let progress = f64::from(s.moments_reached.min(s.moments_total)) / f64::from(s.moments_total);
        SMOOTHNESS_POINTS * smooth + PROGRESS_POINTS * progress
    };
    score.round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn score(friction: &[FrictionCount<'_>], reached: u32, total: u32) -> u8 {
        experience_score(&SessionFacts { friction, moments_reached: reached, moments_total: total })
    }

    fn f(kind: &str, count: u32, during_moment: u32) -> FrictionCount<'_> {
        FrictionCount { kind, count, during_moment }
    }

    #[test]
    fn examples() {
        // A smooth purchase is 100, a smooth visit that bought nothing 80.
        assert_eq!(score(&[], 3, 3), 100);
        assert_eq!(score(&[], 0, 3), 80);
        assert_eq!(score(&[], 0, 0), 100);
        // One rage click while browsing: 80 * 0.5^(10/25) = 60.6.
        assert_eq!(score(&[f("rage_click", 1, 0)], 0, 3), 61);
        // The same rage click during checkout weighs twice: 80 * 0.5^(20/25) = 45.9, +20 bought.
        assert_eq!(score(&[f("rage_click", 1, 1)], 3, 3), 66);
        // A slow click costs less than an error.
        assert!(score(&[f("slow_interaction", 1, 0)], 0, 3) > score(&[f("error_click", 1, 0)], 0, 3));
        // Lots of friction approaches 0 and never goes below.
        assert_eq!(score(&[f("js_error", 1000, 1000)], 0, 3), 0);
        assert_eq!(score(&[f("js_error", u32::MAX, u32::MAX)], 3, 3), 20);
        // `during_moment` above `count` is capped.
        assert_eq!(score(&[f("dead_click", 1, 9)], 0, 3), score(&[f("dead_click", 1, 1)], 0, 3));
        assert_eq!(weight("something_new"), 4);
    }

    const KINDS: &[&str] = &[
        "rage_click",
        "dead_click",
        "error_click",
        "slow_interaction",
        "quick_back",
        "scroll_thrash",
        "field_error",
        "form_abandon",
        "js_error",
        "failed_request",
        "poor_vital",
        "other",
    ];

    fn friction_list() -> impl Strategy<Value = Vec<(usize, u32, u32)>> {
        prop::collection::vec((0..KINDS.len(), 0u32..50, 0u32..50), 0..8)
    }

    fn as_counts(v: &[(usize, u32, u32)]) -> Vec<FrictionCount<'static>> {
        v.iter().map(|&(k, c, d)| FrictionCount { kind: KINDS[k], count: c, during_moment: d.min(c) }).collect()
    }

    proptest! {
        #[test]
        fn in_range(v in friction_list(), reached in 0u32..10, total in 0u32..10) {
            let s = score(&as_counts(&v), reached, total);
            prop_assert!(s <= 100);
        }

        /// More friction of any kind, during a moment or not, never raises the score.
        #[test]
        fn more_friction_never_raises_it(
            v in friction_list(), extra in 0..KINDS.len(), n in 1u32..20, during in any::<bool>(),
            reached in 0u32..5, total in 0u32..5,
        ) {
            let before = as_counts(&v);
            let mut after = before.clone();
            after.push(FrictionCount { kind: KINDS[extra], count: n, during_moment: if during { n } else { 0 } });
            prop_assert!(score(&after, reached, total) <= score(&before, reached, total));
            // Also when the extra friction is added to an existing entry.
            if let Some(first) = before.first() {
                let mut grown = before.clone();
                grown[0] = FrictionCount { count: first.count + n, ..*first };
                prop_assert!(score(&grown, reached, total) <= score(&before, reached, total));
            }
        }

        /// Friction moved into a moment of truth never raises the score.
        #[test]
        fn during_a_moment_weighs_at_least_as_much(v in friction_list(), i in 0usize..8, reached in 0u32..5) {
            let before = as_counts(&v);
            if let Some(f) = before.get(i).copied() {
                let mut after = before.clone();
                after[i] = FrictionCount { during_moment: f.count, ..f };
                prop_assert!(score(&after, reached, 3) <= score(&before, reached, 3));
            }
        }

        /// Reaching another moment of truth never lowers the score.
        #[test]
        fn progress_never_lowers_it(v in friction_list(), reached in 0u32..6, total in 1u32..6) {
            let c = as_counts(&v);
            prop_assert!(score(&c, reached + 1, total) >= score(&c, reached, total));
        }
    }
}
