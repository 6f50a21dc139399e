//! The customer journey: the touchpoints of a visit (`properties.category = "touchpoint"`)
//! besides the page view itself, and the state of the page view they belong to. One small file
//! per tracker; this one holds the settings and what a page view knows. The engine decides when
//! a page view begins and ends (load, SPA route, restore, leave) and owns the session.

pub mod attribution;
pub mod declarative;
mod element_view;
mod engaged;
pub mod forms;
pub mod identity;
pub mod links;
mod scroll_depth;
pub mod session;
pub mod url;

use super::friction::poor_vital::PoorVital;
use super::json::Obj;
use element_view::ElementViews;
use engaged::Engaged;
use scroll_depth::ScrollDepth;

/// The journey's settings, from `data-*` attributes (config.rs; defaults in the README).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `data-journey="off"`: no touchpoints besides page views, clicks and custom events.
    pub on: bool,
    /// `data-spa="off"`: no page views from history changes (the page calls `page` itself).
    pub spa: bool,
    /// `data-spa="...replace..."`: every `history.replaceState` makes a page view, one of the
    /// query or fragment only too (one to another path always does: `Engine::route`).
    pub replace_state: bool,
    /// `data-spa="...hash..."`: a change of the URL's fragment makes a page view.
    pub hash: bool,
    /// `data-moments`: event names that are moments of truth.
    pub moments: Vec<String>,
    /// `data-search-params`: query parameters that carry a site search's term.
    pub search_params: Vec<String>,
    /// `data-download-extensions`.
    pub downloads: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        // The same parser as the data-* lists (the defaults are already trimmed and lowercase).
        let list = super::config::list;
        Settings {
            on: true,
            spa: true,
            replace_state: false,
            hash: false,
            moments: list("add_to_cart,begin_checkout,purchase"),
            search_params: list("q,s,query,search,keyword"),
            downloads: list(links::DOWNLOADS),
        }
    }
}

/// Touchpoints found: (event name, properties).
pub type Touchpoints = Vec<(&'static str, String)>;

/// The start of a touchpoint's properties.
pub fn touchpoint() -> Obj {
    Obj::new().str("category", "touchpoint")
}

/// One page view's journey state.
#[derive(Debug, Default)]
pub struct Journey {
    pub settings: Settings,
    /// The URL that identifies the page view (scrubbed; without the fragment unless
    /// `settings.hash`): a history change to the same URL is no new page view.
    pub url: String,
    pub path: String,
    /// A `page_view` has been captured and its `page_leave` not yet.
    open: bool,
    /// The page was shown again after a `page_leave` (the next one says so).
    resumed: bool,
    engaged: Engaged,
    depth: ScrollDepth,
    forms: forms::Forms,
    views: ElementViews,
    /// The last moments of truth tracked, and when, oldest first (friction after one carries its
    /// name, see `moment` and `moment_for`); at most [`MOMENTS_KEPT`].
    moments: Vec<(u64, String)>,
    /// When the page view began: no event of it is dated before (see `Engine::capture`).
    pub began: u64,
}

/// How long before a view begins a moment of truth tracked is that view's (see `Journey::begin`).
pub const MOMENT_CARRY_MS: u64 = 1_000;
/// Moments kept to tell which was under way at a click (see `moment_for`): a burst of clicks
/// that are each a moment (a Bid button's) reaches back this far.
const MOMENTS_KEPT: usize = 8;
/// A moment tracked this soon after a click is the click's own (`data-tp-event` on it: the loader
/// captures the click first, in the same handler); no visitor clicks something else that fast.
const OWN_MOMENT_MS: u64 = 20;

impl Journey {
    pub fn new(settings: Settings, now: u64, visible: bool, focused: bool) -> Journey {
        Journey { settings, engaged: Engaged::new(now, visible, focused), ..Journey::default() }
    }

    /// A page view begins at `url`/`path`; `depth`: what its first screen shows (percent).
    pub fn begin(&mut self, now: u64, url: String, path: String, depth: u8) {
        let key = if self.settings.hash { url } else { url::without_hash(&url).to_string() };
        let (settings, engaged) = (std::mem::take(&mut self.settings), std::mem::take(&mut self.engaged));
        // (The last moment is kept: the view's own, or one tracked just before it, see
        // `Journey::moment`.)
        *self = Journey {
            moments: std::mem::take(&mut self.moments),
            settings,
            url: key,
            path,
            open: true,
            engaged,
            depth: ScrollDepth::new(depth),
            views: self.views.next_view(now),
            began: now,
            ..Journey::default()
        };
        self.engaged.restart(now);
    }

    /// Whether a history change to `url` is the page view already open.
    pub fn same(&self, url: &str) -> bool {
        let key = if self.settings.hash { url } else { url::without_hash(url) };
        key == self.url
    }

    /// The page view ends (or is hidden): `page_leave` with its engaged time and depth, once per
    /// stretch of visibility.
    /// The first stretch's also carries the view's web vitals (a view counts once for them).
    pub fn leave(&mut self, now: u64, vitals: &PoorVital, out: &mut Touchpoints) {
        if !std::mem::take(&mut self.open) || !self.settings.on {
            return;
        }
        let mut o = touchpoint()
            .str("path", &self.path)
            .int("engaged_ms", self.engaged.total(now) as i64)
            .int("max_scroll_pct", i64::from(self.depth.max()));
        o = if self.resumed { o.raw("resumed", "true") } else { vitals.put(o) };
        out.push(("page_leave", o.finish()));
    }

    /// Shown again after a `page_leave` caused by hiding: a new stretch of the same page view.
    pub fn shown(&mut self, now: u64) {
        self.engaged.visible(now, true);
        if !self.open && !self.url.is_empty() {
            self.open = true;
            self.resumed = true;
            self.engaged.restart(now);
        }
    }

    pub fn hidden(&mut self, now: u64) {
        self.engaged.visible(now, false);
    }

    pub fn focused(&mut self, now: u64, focused: bool) {
        self.engaged.focused(now, focused);
    }

    /// The visitor did something (click, key, scroll, pointer, touch).
    pub fn activity(&mut self, now: u64) {
        self.engaged.input(now);
    }

    /// The deepest point of the view seen so far (percent).
    pub fn depth(&self) -> u8 {
        self.depth.max()
    }

    /// What the first screen of a view the page reported itself shows (no marks: not scrolled).
    pub fn first_screen(&mut self, percent: u8) {
        self.depth.seen(percent);
    }

    pub fn scrolled(&mut self, percent: u8, out: &mut Touchpoints) {
        let on = self.settings.on;
        self.depth.scrolled(percent, |m| {
            if on {
                out.push(("scroll_depth", touchpoint().int("percent", i64::from(m)).finish()));
            }
        });
    }

    pub fn form_input(&mut self, form: u32, name: &str, out: &mut Touchpoints) {
        if self.forms.input(form) && self.settings.on {
            out.push(("form_start", forms::properties(name, "")));
        }
    }

    pub fn form_submit(&mut self, form: u32) {
        self.forms.submit(form);
    }

    pub fn view_enter(&mut self, key: u32, name: &str, now: u64) {
        if self.settings.on && !name.is_empty() {
            self.views.enter(key, &super::scrub::clean_label(name, 64), now);
        }
    }

    pub fn view_leave(&mut self, key: u32) {
        self.views.leave(key);
    }

    pub fn deadline(&self) -> Option<u64> {
        self.views.deadline()
    }

    pub fn timeout(&mut self, now: u64, out: &mut Touchpoints) {
        self.views.timeout(now, |name| out.push(("element_view", touchpoint().str("name", name).finish())));
    }

    /// The moment of truth under way in this page view: its last, or one tracked at most
    /// [`MOMENT_CARRY_MS`] before it began. A moment tracked just before the route it leads to
    /// (`begin_checkout` at the Checkout click, then the app's push to /checkout: the order every
    /// analytics guide teaches) is the new view's: else no friction of the checkout was "during
    /// begin_checkout" (a food ordering QA).
    pub fn moment(&self) -> Option<&String> {
        self.moment_for(0)
    }

    /// The moment of truth under way at `at` (0: now): friction found a second or more after
    /// the click it is about (a dead click's verdict) is not during a moment tracked after that
    /// click (a dead "Apply coupon", then "Add to cart" within the second, was "during
    /// add_to_cart": a data engineer's QA).
    /// A moment tracked within [`OWN_MOMENT_MS`] after `at` is the click's own (an auction's QA).
    pub fn moment_for(&self, at: u64) -> Option<&String> {
        let m = self.moments.iter().rev().find(|(t, _)| at == 0 || *t <= at + OWN_MOMENT_MS)?;
        (m.0 + MOMENT_CARRY_MS >= self.began).then_some(&m.1)
    }

    /// `name`, a moment of truth, tracked at `now`.
    pub fn moment_tracked(&mut self, name: &str, now: u64) {
        if self.moments.len() == MOMENTS_KEPT {
            self.moments.remove(0);
        }
        self.moments.push((now, name.into()));
    }

    pub fn is_moment(&self, name: &str) -> bool {
        self.settings.moments.iter().any(|m| m == name)
    }
}

pub use super::properties::with_member;

/// Members of `extra` (an object's JSON text) appended to `base` (another's).
pub fn merge(base: String, extra: &str) -> String {
    let inner = extra.trim_ascii().strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or("").trim_ascii();
    if inner.is_empty() {
        return base;
    }
    let mut out = base;
    // Off with base's closing '}' (truncate, not pop: pop decodes a char backwards, size).
    out.truncate(out.len().saturating_sub(1));
    if out.len() > 1 {
        out.push(',');
    }
    out.push_str(inner);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_added_to_object_text() {
        assert_eq!(merge(r#"{"a":1}"#.into(), r#" {"b":2} "#), r#"{"a":1,"b":2}"#);
        assert_eq!(merge(r#"{"a":1}"#.into(), "{}"), r#"{"a":1}"#);
        assert_eq!(merge("{}".into(), r#"{"b":2}"#), r#"{"b":2}"#);
    }

    #[test]
    fn page_views_dedupe_by_url_without_fragment_and_leave_once() {
        let mut j = Journey::new(Settings::default(), 0, true, true);
        j.begin(0, "https://s.test/a?x=1#top".into(), "/a".into(), 40);
        assert!(j.same("https://s.test/a?x=1#reviews"));
        assert!(!j.same("https://s.test/a?x=2"));
        let mut out = Touchpoints::new();
        j.scrolled(80, &mut out);
        j.leave(5_000, &PoorVital::default(), &mut out);
        j.leave(6_000, &PoorVital::default(), &mut out);
        assert_eq!(out.len(), 4, "{out:?}");
        assert_eq!(
            out[3],
            ("page_leave", r#"{"category":"touchpoint","path":"/a","engaged_ms":5000,"max_scroll_pct":80}"#.into())
        );
        j.shown(10_000);
        j.leave(12_000, &PoorVital::default(), &mut out);
        assert!(out[4].1.contains(r#""engaged_ms":2000,"max_scroll_pct":80,"resumed":true"#), "{:?}", out[4]);
        let mut hash = Journey::new(Settings { hash: true, ..Settings::default() }, 0, true, true);
        hash.begin(0, "https://s.test/#/a".into(), "/".into(), 0);
        assert!(!hash.same("https://s.test/#/b"));
    }

    #[test]
    fn off_means_no_touchpoints() {
        let mut j = Journey::new(Settings { on: false, ..Settings::default() }, 0, true, true);
        j.begin(0, "https://s.test/".into(), "/".into(), 0);
        let mut out = Touchpoints::new();
        j.scrolled(100, &mut out);
        j.form_input(1, "f", &mut out);
        j.view_enter(1, "promo", 0);
        j.timeout(5_000, &mut out);
        j.leave(5_000, &PoorVital::default(), &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
