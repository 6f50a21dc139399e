//! Friction: where customers struggle, detected in the page. Each detector is a small pure state
//! machine in its own file: facts and time in, findings out, its deadline in the engine's timer
//! table. The web layer's sensors only report facts (a click and its target, "something
//! responded", a scroll position, an error, a request, an Event Timing entry...). One place lists
//! the defaults: `Settings::default()`, documented in the README's friction table.

mod capped;
mod dead;
mod error_click;
pub mod failed_request;
pub mod field_error;
pub mod form_abandon;
pub mod js_error;
pub mod poor_vital;
mod quick_back;
mod rage;
mod scroll_thrash;
pub mod slow;

#[cfg(test)]
mod tests;

use super::json::Obj;

/// The friction signals, in the order of the README's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Rage,
    Dead,
    ErrorClick,
    Slow,
    QuickBack,
    ScrollThrash,
    FieldError,
    FormAbandon,
    JsError,
    FailedRequest,
    PoorVital,
}

pub const ALL: [Signal; 11] = [
    Signal::Rage,
    Signal::Dead,
    Signal::ErrorClick,
    Signal::Slow,
    Signal::QuickBack,
    Signal::ScrollThrash,
    Signal::FieldError,
    Signal::FormAbandon,
    Signal::JsError,
    Signal::FailedRequest,
    Signal::PoorVital,
];

impl Signal {
    /// The event name.
    pub fn event(self) -> &'static str {
        match self {
            Signal::Rage => "rage_click",
            Signal::Dead => "dead_click",
            Signal::ErrorClick => "error_click",
            Signal::Slow => "slow_interaction",
            Signal::QuickBack => "quick_back",
            Signal::ScrollThrash => "scroll_thrash",
            Signal::FieldError => "field_error",
            Signal::FormAbandon => "form_abandon",
            Signal::JsError => "js_error",
            Signal::FailedRequest => "failed_request",
            Signal::PoorVital => "poor_vital",
        }
    }

    /// The short name in `data-tp-no-<name>` and `data-friction-off="<name>,..."`.
    pub fn short(self) -> &'static str {
        match self {
            Signal::Rage => "rage",
            Signal::Dead => "dead",
            Signal::ErrorClick => "error",
            Signal::Slow => "slow",
            Signal::QuickBack => "quick-back",
            Signal::ScrollThrash => "thrash",
            Signal::FieldError => "field",
            Signal::FormAbandon => "abandon",
            Signal::JsError => "js-error",
            Signal::FailedRequest => "request",
            Signal::PoorVital => "vital",
        }
    }

    pub fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// Every threshold, with its default. Configurable with `data-*` attributes (config.rs).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Signals switched off for the whole page (bits of `Signal::bit`).
    pub off: u16,
    /// rage_click: this many clicks or more...
    pub rage_clicks: u32,
    /// ...each at most this long after the previous one...
    pub rage_window_ms: u64,
    /// ...on the same target or within this distance (px), and no response to them.
    pub rage_radius_px: i32,
    /// dead_click: no response for this long after a click on something that looks interactive...
    pub dead_ms: u64,
    /// ...or this long while a request the click started is pending.
    pub dead_max_ms: u64,
    /// error_click: an uncaught error this long after a click.
    pub error_window_ms: u64,
    /// slow_interaction: an interaction longer than this (the INP "good" bound).
    pub slow_ms: u64,
    /// quick_back: back on the previous page within this long, with no interaction.
    pub quick_back_ms: u64,
    /// scroll_thrash: this many direction reversals (legs of half a viewport or more)...
    pub thrash_reversals: usize,
    /// ...within this long.
    pub thrash_window_ms: u64,
    /// js_error: events per distinct message per page view; repeats are counted.
    pub js_error_max: u32,
    /// poor_vital thresholds: LCP (ms), CLS (thousandths), INP (ms).
    pub lcp_ms: u64,
    pub cls_milli: u64,
    pub inp_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            off: 0,
            rage_clicks: 3,
            rage_window_ms: 1_000,
            rage_radius_px: 30,
            dead_ms: 1_000,
            dead_max_ms: 7_000,
            error_window_ms: 1_000,
            slow_ms: 200,
            quick_back_ms: 10_000,
            thrash_reversals: 4,
            thrash_window_ms: 3_000,
            js_error_max: 5,
            lcp_ms: 4_000,
            cls_milli: 250,
            inp_ms: 500,
        }
    }
}

/// A visitor's primary click, where and when it was.
#[derive(Clone, Copy, Debug)]
pub struct Press {
    pub at: u64,
    pub x: i32,
    pub y: i32,
    /// `UIEvent.detail`: 2 and 3 are the second and third clicks of a double or triple click
    /// (a selection answers the clicks of its own gesture, see `rage`).
    pub detail: u32,
}

/// The element a fact is about, as the sensor saw it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Target {
    /// Identity of the DOM element within the page (the sensor numbers elements it sees).
    pub key: u32,
    /// The element descriptor `{selector, tag, id?, text?}` (JSON).
    pub descriptor: String,
    /// A link, a button or an element with a click role.
    pub interactive: bool,
    /// Looks clickable: interactive, `cursor: pointer`, or an `onclick` attribute.
    pub looks_interactive: bool,
    /// A text field, textarea, select or contenteditable (clicks there place the caret), or a
    /// canvas (its answers are drawn, not put in the DOM): not judged by rage and dead clicks.
    pub editable: bool,
    /// A download link, a link to another window, a file input, or the element already is the
    /// current one (the tab shown): "nothing happened in the page" is the expected outcome.
    pub elsewhere: bool,
    /// A disabled control's press (`input::SENSED_DISABLED`); also `elsewhere`.
    pub disabled: bool,
    /// Signals silenced on this element or an ancestor (`data-tp-no-<short>`).
    pub silenced: u16,
}

impl Target {
    fn allows(&self, signal: Signal) -> bool {
        self.silenced & signal.bit() == 0
    }
}

/// What the detectors found: (signal, properties JSON, when what was found began: the first
/// click of a dead or rage click, decided a second or more later; 0: when it was found). A
/// moment of truth tracked in between is not the one it happened during (see
/// `Journey::moment_for`).
pub type Findings = Vec<(Signal, String, u64)>;

/// The start of a finding's properties: category and element.
fn finding(element: Option<&str>) -> Obj {
    let o = Obj::new().str("category", "friction");
    match element {
        Some(e) if !e.is_empty() => o.raw("element", e),
        _ => o,
    }
}

/// Detectors compiled out, for measuring what each costs in bytes (scripts/size-families.mjs):
/// a bitmask of `Signal::bit`s in the environment variable `TP_SIZE_PROBE_OFF` at build time, so
/// that the optimiser drops the code behind `on()`. Never set for a build that ships.
const SIZE_PROBE_OFF: u16 = match option_env!("TP_SIZE_PROBE_OFF") {
    Some(s) => parse_mask(s.as_bytes()),
    None => 0,
};

const fn parse_mask(b: &[u8]) -> u16 {
    let (mut i, mut n) = (0, 0u16);
    while i < b.len() {
        n = n.wrapping_mul(10).wrapping_add((b[i].wrapping_sub(b'0')) as u16);
        i += 1;
    }
    n
}

/// All detectors of a page view.
#[derive(Debug, Default)]
pub struct Friction {
    pub settings: Settings,
    rage: rage::Rage,
    dead: dead::Dead,
    error_click: error_click::ErrorClick,
    slow: slow::Slow,
    quick_back: quick_back::QuickBack,
    thrash: scroll_thrash::ScrollThrash,
    field: field_error::FieldError,
    abandon: form_abandon::FormAbandon,
    js: js_error::JsError,
    failed: failed_request::FailedRequest,
    vital: poor_vital::PoorVital,
    /// The key of the last click's target (see press_answer).
    last_clicked: u32,
}

impl Friction {
    pub fn new(settings: Settings) -> Friction {
        Friction { settings, ..Friction::default() }
    }

    // (clippy: the probe mask is 0 in every build but the size probes', by design.)
    #[allow(clippy::bad_bit_mask)]
    fn on(&self, signal: Signal) -> bool {
        SIZE_PROBE_OFF & signal.bit() == 0 && self.settings.off & signal.bit() == 0
    }

    /// A trusted, primary, unmodified click.
    pub fn click(&mut self, press: Press, target: &Target, out: &mut Findings) {
        let (s, at) = (&self.settings, press.at);
        self.last_clicked = target.key;
        if self.on(Signal::Rage) {
            self.rage.click(s, press, target, out);
        }
        // (An error its press threw is why nothing happened: an error click, not also a dead one.)
        let thrown = self.on(Signal::ErrorClick) && self.error_click.click(at, target, out);
        if self.on(Signal::Dead) && !thrown {
            self.dead.click(s, at, target);
        }
        // (Not a click into a field: the requests its typing starts, a postcode or a search
        // looked up, answer 404 for "not found", which the page shows as such.)
        if !target.editable {
            self.failed.click(at);
        }
        self.quick_back.interaction();
        self.vital.interacted();
    }

    /// Something in the page responded (a DOM change, a URL change, a scroll, a selection or
    /// focus change, the tab hidden, a dialog, a new window, a request, media playing).
    pub fn response(&mut self, at: u64) {
        self.rage.response(at);
        self.dead.response(at);
    }

    /// The last click's own press changed the page: that answers it (and the burst it ends, the
    /// rage detector's only one), not the other elements' clicks still waiting (a dead "Share"
    /// tapped, then a stepper that acts on touchend tapped: its count changing is no answer to
    /// "Share").
    pub fn press_answer(&mut self, at: u64) {
        self.rage.response(at);
        self.dead.forget(self.last_clicked);
    }

    /// Text got selected: answers a double or triple click (rage), and any click (dead).
    pub fn selection(&mut self, at: u64) {
        self.rage.selection(at);
        self.dead.response(at);
    }

    /// `id` 0: a script the page put in while a click waited (the loader's `loads`), or a request
    /// to another origin than the page's (an analytics tag's hit, a chat's poll): waited for by
    /// dead clicks, no answer to a rage burst (a tag manager's tag at every click).
    pub fn request_start(&mut self, at: u64, id: u32) {
        if id != 0 {
            self.rage.response(at);
        }
        self.dead.request_start(&self.settings, at);
        self.failed.start(at, id);
    }

    pub fn request_end(&mut self, at: u64, end: &failed_request::RequestEnd, out: &mut Findings) {
        self.dead.request_end(&self.settings, at);
        if self.on(Signal::FailedRequest) {
            // (A failure past the cap, counted and not reported, explains the silence too.)
            if self.failed.end(at, end, out) {
                self.dead.request_failed();
            }
        } else {
            self.failed.forget(end.id);
        }
    }

    pub fn error(&mut self, at: u64, e: &js_error::ErrorFact, out: &mut Findings) {
        if self.on(Signal::ErrorClick) && !e.foreign {
            // The error is why nothing happened: an error click, not also a dead one.
            let awaited = self.dead.awaited();
            if let Some(key) = self.error_click.error(&self.settings, at, &e.message, e.in_press, awaited, out) {
                self.dead.forget(key);
            }
        }
        if self.on(Signal::JsError) {
            self.js.error(&self.settings, e, out);
        }
    }

    /// An interaction told at `at`, begun at `began` (its friction is during the moment under
    /// way then: a slow click, then Add to cart, was during add_to_cart, a Shopify theme's QA).
    pub fn interaction(&mut self, at: u64, began: u64, i: &slow::Interaction, out: &mut Findings) {
        self.vital.interaction(i.duration, i.target.as_ref(), began);
        if self.on(Signal::Slow) {
            self.slow.interaction(&self.settings, at, began, i, out);
        }
    }

    /// The visitor scrolled or typed on this view themselves (not in a form's field: see
    /// `form_input`): going back from it is no quick back.
    pub fn used(&mut self) {
        self.quick_back.interaction();
    }

    /// The last click was the page's own Back (see `QuickBack::back_click`).
    pub fn back_click(&mut self) {
        self.quick_back.back_click();
    }

    /// The visitor's scrolling turned around after a leg of `leg` px.
    pub fn scroll(&mut self, at: u64, leg: i32, viewport: i32, user: bool, out: &mut Findings) {
        if user {
            self.quick_back.interaction();
        }
        if self.on(Signal::ScrollThrash) {
            self.thrash.turn(&self.settings, at, leg, viewport, user, out);
        }
    }

    /// A field became invalid (see `field_error` for the three ways it is seen).
    pub fn invalid(
        &mut self,
        at: u64,
        field: &Target,
        form: &str,
        reason: field_error::Reason,
        message: &str,
        out: &mut Findings,
    ) {
        // The browser's validation bubble or the page's error message answers the click that
        // submitted (Enter in the invalid field itself moves no focus and may change no DOM).
        self.response(at);
        if self.on(Signal::FieldError) {
            self.field.invalid(at, field, form, reason, message, out);
        }
    }

    pub fn form_input(&mut self, at: u64, input: &form_abandon::FormInput) {
        self.quick_back.interaction();
        self.vital.interacted();
        self.abandon.input(at, input);
    }

    pub fn form_submit(&mut self, form: u32) {
        self.abandon.submit(form);
    }

    pub fn form_press(&mut self, form: u32) {
        self.abandon.press(form);
    }

    /// A moment of truth tracked (see `FormAbandon::moment`).
    pub fn moment(&mut self, at: u64) {
        self.abandon.moment(at);
    }

    /// A single-page-app route change (`back`: by the history's back/forward) or a restore from
    /// the back/forward cache (`path` empty). The old view ends first.
    pub fn route(&mut self, at: u64, path: &str, back: bool, kept: &str, out: &mut Findings) {
        self.leave(at, kept, out);
        if self.on(Signal::QuickBack) {
            self.quick_back.route(&self.settings, at, path, back, out);
        }
    }

    /// The page view starts (load) on `path`.
    pub fn start(&mut self, at: u64, path: &str) {
        self.quick_back.start(at, path);
    }

    /// The current view for the session record: path, start, used.
    pub fn view(&self) -> Option<(&str, u64, bool)> {
        self.quick_back.view()
    }

    /// Back on this page by the back button (`via` `reload`: loaded again; `bfcache`: restored);
    /// the session says what the tab saw meanwhile.
    pub fn back(&mut self, path: &str, session: &crate::journey::session::Session, via: &str, out: &mut Findings) {
        if self.on(Signal::QuickBack) {
            self.quick_back.back(&self.settings, path, session, via, out);
        }
    }

    /// Back from the back/forward cache `away_ms` after `pagehide`.
    pub fn restored(&mut self, away_ms: u64, path: &str, out: &mut Findings) {
        if self.on(Signal::QuickBack) {
            self.quick_back.restored(&self.settings, away_ms, path, out);
        }
    }

    /// A vital's fact, or a long task of `ms` ended at `at` (see [`dead::Dead::busy`]).
    pub fn vital(&mut self, at: u64, v: &poor_vital::VitalFact) {
        match v {
            poor_vital::VitalFact::Busy(ms) => self.dead.busy(&self.settings, at, *ms),
            _ => self.vital.fact(v),
        }
    }

    /// The view's vitals as measured so far (its `page_leave` carries them).
    pub fn vitals(&self) -> &poor_vital::PoorVital {
        &self.vital
    }

    /// A view the page reports the end of itself (a manual page view): only its vitals are
    /// judged (the other detectors' ends are a route change's or the page's).
    pub fn vitals_judged(&mut self, out: &mut Findings) {
        if self.on(Signal::PoorVital) {
            self.vital.leave(&self.settings, out);
        }
    }

    /// After the view's end ([`Self::leave`]) and its `page_leave`: the next view's vitals start.
    pub fn next_view(&mut self) {
        self.vital.next_view();
    }

    /// The view that begins is the page restored from the back/forward cache.
    pub fn restored_view(&mut self, at: u64, path: &str) {
        self.vital.restored();
        // A view of its own for quick_back, begun now and not used yet: the tab's session this
        // page writes when left says so, and the page gone Forward to from it, itself restored,
        // reads it (it kept the view's first start, older than that page's: read as no
        // session of the visit's, the time away alone made a quick_back of a Forward after
        // the list was scrolled: a mobile QA, 3 of 3).
        self.quick_back.start(at, path);
    }

    /// The page is being left (`pagehide`), before its view ends (see `FailedRequest::cut_off`).
    pub fn cut_off(&mut self) {
        self.failed.cut_off();
    }

    /// The page view ends (pagehide, a route change): what is only known at the end. `kept`: the
    /// forms still shown in the next view (see `Input::Route::kept`).
    pub fn leave(&mut self, at: u64, kept: &str, out: &mut Findings) {
        if self.on(Signal::FormAbandon) {
            self.abandon.leave(at, kept, out);
        }
        if self.on(Signal::PoorVital) {
            self.vital.leave(&self.settings, out);
        }
        if self.on(Signal::JsError) {
            self.js.leave(&self.settings, out);
        }
        if self.on(Signal::FailedRequest) {
            self.failed.leave(out);
        }
    }

    /// The earliest deadline of any detector.
    pub fn deadline(&self) -> Option<u64> {
        let s = &self.settings;
        [self.rage.deadline(s), self.dead.deadline(), self.failed.deadline()].into_iter().flatten().min()
    }

    pub fn timeout(&mut self, now: u64, out: &mut Findings) {
        self.failed.timeout(now, out);
        let s = &self.settings;
        // Rage first: a burst it reports is not also reported as dead clicks.
        self.rage.timeout(s, now, out);
        // (A burst reported here or at the click that ended it.)
        if let Some(burst) = self.rage.reported.take() {
            self.dead.forget_burst(burst);
        }
        let rage_on = self.on(Signal::Rage);
        let burst = self.rage.running(s);
        self.dead.timeout(&self.settings, now, rage_on, burst, out);
    }

    /// Whether a click still waits for a response: the sensor observes DOM changes only then.
    /// (Not for error_click's window: errors are reported whether or not anything watches, so
    /// with rage and dead clicks switched off a click costs no MutationObserver.)
    pub fn watching(&self) -> bool {
        self.rage.deadline(&self.settings).is_some() || self.dead.deadline().is_some()
    }
}
