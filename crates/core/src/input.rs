//! What the engine is told: plain values, one per thing that happened. The web layer's sensors
//! translate DOM facts into these and nothing else; every decision is the engine's.
//!
//! Later work extends `Input` (mutations, scrolls, errors, Event Timing entries, intersections,
//! history changes); each new sensor adds a variant here and a record code in `parse_record`.

use super::consent::{from_tcf, Update};
use super::element::RawElement;
use super::event::PageContext;
use super::friction::field_error::Reason;
use super::json::{cat, split_byte};

/// Modifier keys held during a click, as a bit set (`Click::modifiers`).
pub const MOD_CTRL: u8 = 1;
pub const MOD_META: u8 = 2;
pub const MOD_SHIFT: u8 = 4;
pub const MOD_ALT: u8 = 8;

/// An element as a sensor saw it: its identity in the page, what it looks like, and its raw facts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sensed {
    /// The sensor numbers the elements it reports, so that "the same target" can be told.
    pub key: u32,
    /// `SENSED_*` bits.
    pub flags: u8,
    /// Friction signals silenced here (`data-tp-no-<signal>`), as `friction::Signal::bit`s.
    pub silenced: u16,
    pub element: RawElement,
}

/// A link, a button or an element with a click role (a `click` touchpoint).
pub const SENSED_INTERACTIVE: u8 = 1;
/// Looks clickable: interactive, `cursor: pointer` or an `onclick` attribute.
pub const SENSED_LOOKS_INTERACTIVE: u8 = 2;
/// A text field, textarea, select or contenteditable, or a canvas: clicks whose answer cannot be
/// seen in the DOM (they place the caret; a canvas draws its answer).
pub const SENSED_EDITABLE: u8 = 4;
/// Nothing happening in the page is the expected outcome: a download link, a link to another
/// window or to the phone or mail app (`tel:`, `mailto:`, `sms:`), a file input, or the element already is the current one (`aria-selected="true"`,
/// `aria-current`).
pub const SENSED_ELSEWHERE: u8 = 8;
/// A disabled control (button, input, select, textarea) pressed, or an element marked
/// `aria-disabled="true"` clicked. The browser gives a disabled control no click event, so the
/// sensor reports its press as the click. Nothing happening is then the expected
/// outcome (no dead click), but a visitor pressing it again and again is raging (the "Add to
/// cart" kept disabled until a size is chosen). It is no `click` touchpoint: nothing was clicked.
pub const SENSED_DISABLED: u8 = 16;

impl Sensed {
    pub fn is(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Click {
    /// The clicked element (its closest interactive ancestor, else the element itself), or None
    /// inside `data-tp-ignore`.
    pub element: Option<Sensed>,
    pub x: i32,
    pub y: i32,
    /// `MouseEvent.button`: 0 primary, 1 middle, 2 secondary.
    pub button: u8,
    pub modifiers: u8,
    /// `UIEvent.detail`: 1 single, 2 double, 3 triple click.
    pub detail: u32,
    /// `Event.isTrusted`: false for `element.click()` and synthetic events.
    pub trusted: bool,
    /// A link's absolute URL (`a.href`), "" for anything else.
    pub href: String,
    /// The link's `download` attribute: None without one, else the file name it gives ("" for
    /// none). Only its extension is ever sent: the name may be the customer's ("invoice-jane.pdf").
    pub download: Option<String>,
}

/// How a single-page app changed its URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    Push,
    Replace,
    /// `popstate`: the history's back or forward button.
    Back,
    Hash,
}

impl Nav {
    pub fn as_str(self) -> &'static str {
        match self {
            Nav::Push => "push",
            Nav::Replace => "replace",
            Nav::Back => "back_forward",
            Nav::Hash => "hash",
        }
    }
}

/// What the page is when Touchpoint starts (the loader's `facts()`, parsed by `Boot::parse`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Boot {
    pub page: PageContext,
    pub width: u32,
    pub height: u32,
    /// `navigator.language`.
    pub language: String,
    /// The IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
    pub timezone: String,
    pub visible: bool,
    /// `document.hasFocus()`.
    pub focused: bool,
    /// How much of the page the first screen shows (percent).
    pub depth: u8,
    /// The page was loaded by the back or forward button (Navigation Timing `back_forward`).
    pub back: bool,
    /// The remembered consent decision (`remembered::KEY` in localStorage), "" if none.
    pub remembered: String,
    /// The browser is driven by a program (`navigator.webdriver`: Playwright, Puppeteer,
    /// Selenium; a site's own end-to-end tests and monitoring) or names itself a crawler or a
    /// headless browser: its events carry `context.automated`.
    pub automated: bool,
    /// The page is in a frame (its flags' bit 2, beside `automated`'s bit 1): the page around it
    /// owns the tab's last page view (see `Engine::save_session`).
    pub framed: bool,
    /// The tab's session (`journey::session::KEY` in sessionStorage), "" if none. A new tab has
    /// none (a product opened with ctrl-click or `target=_blank` gets an empty sessionStorage):
    /// when it was opened from this site (its referrer is), the visit's session instead, which
    /// every tab also writes to localStorage; so one visit in several tabs is one session, with
    /// its channel. Not for a tab that comes from elsewhere (a campaign, a search): its own.
    pub session: String,
}

impl Boot {
    /// Fields joined by U+001F: href, path, title, referrer, width, height, language, time zone,
    /// visible, focused, depth, back/forward, remembered consent, flags (1 automated, 2 framed), session (which contains U+001F
    /// itself, so it comes last and takes the rest).
    pub fn parse(facts: &str) -> Boot {
        let f: Vec<&str> = split_byte(facts, 0x1f).collect();
        let f = &f[..];
        let n = |i: usize| num(field(f, i)).unwrap_or(0);
        Boot {
            page: PageContext { url: text(f, 0), path: text(f, 1), title: text(f, 2), referrer: text(f, 3) },
            width: n(4) as u32,
            height: n(5) as u32,
            language: text(f, 6),
            timezone: text(f, 7),
            visible: field(f, 8) == "1",
            focused: field(f, 9) == "1",
            depth: n(10).min(100) as u8,
            back: field(f, 11) == "1",
            remembered: text(f, 12),
            automated: n(13) & 1 != 0,
            framed: n(13) & 2 != 0,
            session: rest(facts, f, 14),
        }
    }
}

/// The answer to `Output::RequestLock`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockAnswer {
    /// We hold the lock for the duration of this input's handling (and its outputs).
    Held,
    /// Another tab holds it.
    Busy,
    /// The request failed.
    Failed,
    /// The browser has no Web Locks (Safari before 15.4): fall back to the storage lease.
    Unsupported,
}

/// Who changed consent (`consent_change.source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentSource {
    Api,
    Tcf,
    /// Google Consent Mode, as the page's consent platform gave it to `gtag` (`z` records): an
    /// `update`, the visitor's choice.
    ConsentMode,
    /// A Consent Mode `default`: the site's setting before the visitor chose, which grants only
    /// what is still pending (never what the visitor decided: their word through the API, or
    /// remembered from an earlier page).
    ConsentModeDefault,
    /// The TCF CMP says GDPR does not apply (a US visitor): a default as above. It granted
    /// both categories over a "Do Not Sell or Share" given through the API (a US privacy
    /// counsel's QA).
    TcfNotApplicable,
    /// The page's GPP consent platform: a US opt-out of sale, sharing or targeted advertising
    /// (`Input::UsOptOut`).
    Gpp,
    /// The visitor's decision remembered by another page of the site (`data-remember-consent`):
    /// made in another tab, or on the page the visitor went to before coming back to this one
    /// from the back/forward cache.
    Remembered,
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::Api => "api",
            ConsentSource::Tcf | ConsentSource::TcfNotApplicable => "tcf",
            ConsentSource::Gpp => "gpp",
            ConsentSource::ConsentMode | ConsentSource::ConsentModeDefault => "consent_mode",
            ConsentSource::Remembered => "remembered",
        }
    }
}

/// A call of `touchpoint(command, ...)`, already validated by the web layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `properties` is the text of a JSON object; `name` is snake_case already.
    Track {
        name: String,
        properties: String,
    },
    /// A page view; `page` is the page as it is now (SPA route changes update it).
    Page {
        properties: String,
        page: PageContext,
    },
    Consent {
        update: Update,
        source: ConsentSource,
    },
    Flush,
    /// The signed-in customer: `user_id` as the page gave it (`journey::identity` checks it),
    /// `properties` the traits' JSON object.
    Identify {
        user_id: String,
        properties: String,
    },
    /// The customer signed out: no user id, a new session and anonymous id.
    Reset,
    /// Friction the page reports itself; `name` is snake_case already.
    Friction {
        name: String,
        properties: String,
    },
    /// The page's tags (`touchpoint('set', {variant: 'B'})`): the text of the JSON object of all
    /// of them, the call's keys already merged by the loader (`host.js` `tags`).
    Set {
        tags: String,
    },
}

/// Why a command was ignored: the page-facing boundary's one error type. Each becomes one
/// console warning (never an exception: the caller is the shop's page).
#[derive(Clone, Debug, PartialEq)]
pub enum CommandError {
    Unknown(String),
    ConsentShape,
    EventName,
    PropertiesShape,
    PropertiesJson,
    /// `set` with something else than a plain object of strings, numbers and booleans.
    TagsShape,
    CallbackMissing,
    UserIdShape,
}

impl CommandError {
    pub fn message(&self) -> String {
        match self {
            CommandError::Unknown(name) => cat(&["touchpoint: unknown command \"", truncate(name, 40), "\""]),
            CommandError::ConsentShape => {
                "touchpoint: consent expects an object like {analytics: true, marketing: false}".into()
            }
            CommandError::EventName => {
                "touchpoint: track and friction expect a name of ASCII letters or digits (a-z, 0-9, _)".into()
            }
            CommandError::PropertiesShape => "touchpoint: properties must be a plain object".into(),
            CommandError::PropertiesJson => "touchpoint: properties could not be serialised (cycle or BigInt?)".into(),
            CommandError::TagsShape => "touchpoint: set expects an object of strings, numbers or booleans".into(),
            CommandError::CallbackMissing => "touchpoint: getConsent, getIds and beforeSend expect a function".into(),
            CommandError::UserIdShape => "touchpoint: identify expects a user id (a string)".into(),
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Click(Click),
    /// `pagehide`: the page is leaving (it may come back from the back/forward cache); the tab's
    /// session as stored at that moment (as at [`Boot`]; "" for none). Chromium runs this after
    /// the `pageshow` of the page the tab goes back or forward to from the cache, which may have
    /// written it already (see `Engine::save_session`).
    PageHide {
        session: String,
    },
    /// `pageshow`; `persisted`: restored from the back/forward cache. Then the depth the
    /// restored page shows (percent: it comes back where it was scrolled to), and, as stored when
    /// it comes back (the page the visitor went to may have written them), the anonymous id
    /// (`storage::IDENTITY`) and the tab's session (as at [`Boot`]); "" for none.
    PageShow {
        persisted: bool,
        depth: u8,
        anonymous_id: String,
        session: String,
    },
    /// Another tab of the shop wrote the anonymous id or the visit's session (a `storage` event):
    /// both as stored now, "" for none.
    OtherTab {
        anonymous_id: String,
        session: String,
    },
    /// Another tab of the shop left (its heartbeat key removed at its `pagehide`, a `storage`
    /// event): what it could not send may be adopted now, by this tab (`adoption`).
    TabGone,
    /// `visibilitychange`.
    Visibility {
        hidden: bool,
    },
    /// `online` / `offline` (and `navigator.onLine` at start).
    Online(bool),
    /// The page's IAB GPP consent platform (`__gpp`) answered: whether a US section says the
    /// visitor opted out of sale, sharing or targeted advertising (`consent::Signals::us_opt_out`).
    UsOptOut(bool),
    /// The answer to `Output::Send`: status 0 when there was none (network error).
    HttpAnswer {
        request: u64,
        status: u16,
        retry_after: Option<String>,
        /// The answer's `missing`: the probes it asked about that the collector does not hold,
        /// as the answer has them (quoted, comma-separated; None: the answer had no such list;
        /// see `outbox::is_probe`).
        missing: Option<String>,
    },
    /// The answer to `Output::Beacon`: whether the browser took the body.
    BeaconAnswer {
        chunk: usize,
        accepted: bool,
    },
    LockAnswer(LockAnswer),
    /// The answer to `Output::ReadStorage`: every `tp:` key with its value (empty when storage
    /// cannot be read).
    StorageSnapshot(Vec<(String, String)>),
    /// A storage write threw (quota, private mode): carry on from memory.
    StorageFailed,
    Command(Command),
    /// A command the web layer could not accept.
    Rejected(CommandError),
    /// Something in the page responded to the visitor (a DOM change, a URL change, a scroll, a
    /// selection or focus change, blur, a dialog or popover, `window.open`, a control changing state,
    /// media playing).
    /// Reported only while the engine watches (`Output::Watch`).
    Response,
    /// What the last click's own press did (its pointerdown, touchstart, mousedown, touchend or
    /// mouseup handlers changed the page): an answer to that click only, not to the clicks
    /// before it on other elements, which still wait. Reported only while the engine watches.
    PressAnswer,
    /// Text got selected after a click (a double or triple click selects a word or a paragraph).
    /// Reported only while the engine watches.
    Selection,
    /// A fetch or XHR of the page started (`end`: None) or ended.
    Request {
        id: u32,
        end: Option<RequestEnd>,
    },
    /// An uncaught error or unhandled rejection (raw: the engine scrubs it).
    Error(ErrorFact),
    /// An Event Timing interaction (the sensor groups entries by interactionId).
    Interaction {
        duration: u64,
        input_delay: u64,
        processing: u64,
        presentation: u64,
        kind: String,
        id: u64,
        /// How long before the record it began (ms).
        age: u64,
        target: Option<Sensed>,
    },
    /// The page's scrolling turned around at `y` after a leg of `leg` px (`user`: wheel, touch or
    /// key input just before). The sensor reports turning points only, not every scroll event.
    Scroll {
        y: i32,
        viewport: i32,
        user: bool,
        leg: i32,
    },
    /// A field became invalid: it fired `invalid`, `aria-invalid="true"` was set after a submit or
    /// a changed value, or an alert text appeared after a submit (`message`, raw; `field` is the
    /// field it belongs to, or the alert itself). `form` names the form.
    Invalid {
        field: Sensed,
        form: String,
        reason: Reason,
        message: String,
    },
    /// Trusted input into a form field.
    FormInput {
        form: u32,
        form_name: String,
        /// `form_name` is the form's id (else its name).
        by_id: bool,
        fields: u32,
        /// Typed into a data-entry form (see friction::form_abandon::FormInput::entry).
        entry: bool,
        field: Sensed,
        /// Not an input: a form the server drew again with its errors, found at load (the
        /// visitor's form of the page before). No new `form_start` and no sign of the visitor's
        /// activity, but given up unsent, a `form_abandon` (every customer who left after a
        /// server's errors looked like one who sent the form: a legacy storefront's QA).
        again: bool,
        /// The field is a choice (a checkbox, a radio, a slider, a select): no `form_start`.
        choice: bool,
        /// The form goes on from the view before (see `Route::kept`): started there, no
        /// `form_start` again.
        went_on: bool,
    },
    /// A button of form `form` pressed, or Enter in one of its fields (its send, as far as the
    /// page can tell: see `friction::form_abandon::FormAbandon::moment`).
    FormPress {
        form: u32,
    },
    /// A form was submitted: its key, name, and the focus time per field ("name:ms,...").
    FormSubmit {
        form: u32,
        name: String,
        focus: String,
    },
    /// A single-page-app route change to `url` (`path` its path, `title` the document's title
    /// right after the change, `depth` what the first screen of the new view shows).
    Route {
        how: Nav,
        path: String,
        url: String,
        title: String,
        depth: u8,
        /// The forms still in the page and shown once the route settled (their keys): a wizard
        /// in one form with an address per step goes on in the next view (no form_abandon of
        /// the view left, no second form_start).
        kept: String,
    },
    /// The visitor did something (pointer, key, wheel, touch, scroll): at most one per 5 s.
    /// `used`: their own scrolling or typing (wheel, touch, keys), once per view: the view was
    /// used, so going back from it is no quick back.
    Activity {
        used: bool,
    },
    /// The page's own Back: `history.back()` (or `go` back) called right after the visitor's
    /// click, in its handler or its `javascript:` link. That click was their Back, no use of
    /// the view (quick_back).
    BackClick,
    /// The window gained or lost focus.
    Focus(bool),
    /// The visitor scrolled: how much of the page has been in view (percent). `first`: what the
    /// first screen of a view the page reported itself (`touchpoint('page')`) shows, no scroll.
    Depth {
        percent: u8,
        first: bool,
    },
    /// An element marked `data-tp-view` came half into view (`name`) or left it (`None`).
    ElementView {
        key: u32,
        name: Option<String>,
    },
    /// A declarative event: `data-tp-event`, its `data-tp-props` text and `data-tp-prop-*` pairs.
    Declared {
        name: String,
        json: String,
        props: Vec<(String, String)>,
    },
    /// `kind` `l`: a largest-contentful-paint candidate (`value`: its time, ms); `r`: the LCP
    /// of the page restored from the back/forward cache (`value`: ms from `pageshow` to the
    /// second frame after it); `s`: a layout shift (`value`: thousandths; `recent_input`); `n`:
    /// the page's interaction count; `u`: what the browser measures (`value`: 1 layout shifts,
    /// 2 interactions); `b`: a long task of the page's while a click waited (`value`: its ms).
    Vital {
        kind: u8,
        value: u64,
        recent_input: bool,
        element: Option<Sensed>,
    },
}

pub use super::friction::failed_request::RequestEnd;
pub use super::friction::js_error::ErrorFact;

/// One record of the loader's sensor stream (see `parse_record`).
// Not boxed: a record lives only from parsing to handling, and a Box per click costs an
// allocation and code for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Input(Input),
    /// The engine's timer fired.
    Timer,
    /// The scheduled task ran: the end of a burst of inputs.
    Tick,
}

/// The loader hands inputs over as text, one crossing per batch: records separated by U+001E,
/// fields by U+001F, the first field a code and the second `Date.now()` at capture (the one
/// clock read per capture). Returns the record and its time; None for a malformed record.
///
/// | code | fields after the time |
/// |---|---|
/// | `c` click | x, y, button, modifiers, detail, trusted, link href, `/` and the `download` attribute's value (empty: none), element group (see `sensed`) |
/// | `h` pagehide | — |
/// | `s` pageshow | persisted, depth, anonymous id, session (the rest, as in [`Boot`]) |
/// | `R` the remembered consent, as another page stored it (a `storage` event, a restore) | its value |
/// | `T` another tab wrote the anonymous id or the session (a `storage` event) | anonymous id, session (the rest) |
/// | `G` another tab left: its heartbeat removed (a `storage` event) | — |
/// | `v` visibilitychange | hidden |
/// | `o` online/offline | online |
/// | `a` fetch answer | request, status, Retry-After |
/// | `l` lock answer | `1` held, `0` busy, empty failed |
/// | `p` TCF consent | gdprApplies, then purposes 1, 2, 7, 8 (`1` consented) |
/// | `r` response | kind (for debugging only) |
/// | `q` request | id, `s` start or `e` end, method, path, status, duration, first party |
/// | `e` error | message, source, line, rejection, during a press (1) |
/// | `i` interaction | duration, input delay, processing, presentation, event type, interactionId, element group |
/// | `y` scroll turning point | y, viewport height, user-driven, length of the leg that ended |
/// | `x` invalid field | form name, element group |
/// | `g` form input | form key, form name, field count, bits (1: typed into a data-entry form, 2: the form name is its id), element group |
/// | `u` form submit | form key, form name, focus ms per field (`name:ms,...`) |
/// | `n` route change | `p` push, `r` replace, `b` back/forward, `h` hash; path, href, title, depth |
/// | `j` activity, `f` focus (1) or blur (0), `d` scroll depth (percent) | — / flag / percent |
/// | `b` element view | key, name (empty: left the view) |
/// | `m` declarative event | name, `data-tp-props`, then name/value pairs of `data-tp-prop-*` |
/// | `w` web vital | `l` LCP, `r` restored LCP, `s` layout shift, `n` interactions, `u` measured or `b` long task, value, recent input, element group |
/// | `t` timer fired, `k` scheduled task | — |
pub fn parse_record(record: &str) -> Option<(Record, u64)> {
    // Collected once and indexed: smaller in the wasm than an iterator threaded through closures.
    let f: Vec<&str> = split_byte(record, 0x1f).collect();
    let f = &f[..];
    let field = |i: usize| field(f, i);
    let flag = |i: usize| field(i) == "1";
    let n = |i: usize| num(field(i));
    let text = |i: usize| text(f, i);
    let time = num(f.get(1)?)?;
    let input = match *f.first()? {
        "c" => {
            let mut v = [0u64; 5];
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = n(2 + i)?;
            }
            let [x, y, button, modifiers, detail] = v;
            Input::Click(Click {
                element: sensed(f, 10),
                href: text(8),
                // ("" without the attribute, else "/" and its value: a name may be empty.)
                download: field(9).strip_prefix('/').map(String::from),
                x: x as i32,
                y: y as i32,
                button: button as u8,
                modifiers: modifiers as u8,
                detail: detail as u32,
                trusted: flag(7),
            })
        }
        "h" => Input::PageHide { session: rest(record, f, 2) },
        "s" => Input::PageShow {
            persisted: flag(2),
            depth: n(3).unwrap_or(0).min(100) as u8,
            anonymous_id: text(4),
            session: rest(record, f, 5),
        },
        "T" => Input::OtherTab { anonymous_id: text(2), session: rest(record, f, 3) },
        "G" => Input::TabGone,
        // (Expired or malformed: ignored.)
        "R" => Input::Command(Command::Consent {
            update: super::remembered::update(field(2), time)?,
            source: ConsentSource::Remembered,
        }),
        "v" => Input::Visibility { hidden: flag(2) },
        "o" => Input::Online(flag(2)),
        "a" => Input::HttpAnswer {
            request: n(2)?,
            status: n(3)?.min(999) as u16,
            retry_after: Some(text(4)).filter(|v| !v.is_empty()),
            // ("[" and the ids when the answer has the list; "" when not.)
            missing: text(5).strip_prefix('[').map(String::from),
        },
        "l" => Input::LockAnswer(match field(2) {
            "1" => LockAnswer::Held,
            "0" => LockAnswer::Busy,
            _ => LockAnswer::Failed,
        }),
        "p" => {
            // The CMP's answer: gdprApplies, then consent for purposes 1, 2, 7 and 8.
            let update = from_tcf(flag(2), |p| match p {
                1 => flag(3),
                2 => flag(4),
                7 => flag(5),
                8 => flag(6),
                _ => false,
            });
            let source = if flag(2) { ConsentSource::Tcf } else { ConsentSource::TcfNotApplicable };
            Input::Command(Command::Consent { update, source })
        }
        // The GPP CMP's answer: "1" when a US section says the visitor opted out.
        "U" => Input::UsOptOut(flag(2)),
        "z" => {
            // Google Consent Mode: analytics_storage, then ad_storage ("1" granted, "0" denied,
            // "" not given: that category is left as it is), then "d" for a default.
            let state = |i: usize| match field(i) {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            };
            let update = Update { analytics: state(2), marketing: state(3) };
            let source = if field(4) == "d" { ConsentSource::ConsentModeDefault } else { ConsentSource::ConsentMode };
            Input::Command(Command::Consent { update, source })
        }
        "r" if field(2) == "l" => Input::Selection,
        "r" if field(2) == "P" => Input::PressAnswer,
        "r" => Input::Response,
        "q" => Input::Request {
            id: n(2)? as u32,
            end: (field(3) == "e").then(|| RequestEnd {
                id: n(2).unwrap_or(0) as u32,
                method: text(4),
                path: text(5),
                status: n(6).unwrap_or(0).min(999) as u16,
                duration: n(7).unwrap_or(0),
                first_party: flag(8),
                offline: false, // (the engine's to say)
            }),
        },
        "e" => Input::Error(ErrorFact {
            message: text(2),
            source: text(3),
            line: n(4).unwrap_or(0) as u32,
            rejection: flag(5),
            in_press: flag(6),
            column: n(7).unwrap_or(0) as u32,
            foreign: flag(8),
        }),
        "i" => Input::Interaction {
            duration: n(2)?,
            input_delay: n(3).unwrap_or(0),
            processing: n(4).unwrap_or(0),
            presentation: n(5).unwrap_or(0),
            kind: text(6),
            id: n(7).unwrap_or(0),
            age: n(8).unwrap_or(0),
            target: sensed(f, 9),
        },
        "y" => Input::Scroll { y: n(2)? as i32, viewport: n(3)? as i32, user: flag(4), leg: n(5).unwrap_or(0) as i32 },
        "x" => {
            Input::Invalid { form: text(2), reason: Reason::parse(field(3)), message: text(4), field: sensed(f, 5)? }
        }
        // (Field 5: 1 a data-entry form, + 2 when the name given is its id.)
        "g" => {
            // Field 5's bits: 1 the field is entered anew, 2 the form's name is its id, 4 the
            // form was drawn again with its errors.
            let bits = n(5).unwrap_or(0);
            Input::FormInput {
                form: n(2)? as u32,
                form_name: text(3),
                by_id: bits & 2 != 0,
                fields: n(4).unwrap_or(0) as u32,
                entry: bits & 1 != 0,
                field: sensed(f, 6)?,
                again: bits & 4 != 0,
                choice: bits & 8 != 0,
                went_on: bits & 16 != 0,
            }
        }
        "u" => Input::FormSubmit { form: n(2)? as u32, name: text(3), focus: text(4) },
        "P" => Input::FormPress { form: n(2)? as u32 },
        "n" => Input::Route {
            how: match field(2) {
                "b" => Nav::Back,
                "r" => Nav::Replace,
                "h" => Nav::Hash,
                _ => Nav::Push,
            },
            path: text(3),
            url: text(4),
            title: text(5),
            depth: n(6).unwrap_or(0).min(100) as u8,
            kept: text(7),
        },
        "j" => Input::Activity { used: flag(2) },
        "B" => Input::BackClick,
        "f" => Input::Focus(flag(2)),
        "d" => Input::Depth { percent: n(2)?.min(100) as u8, first: flag(3) },
        "b" => Input::ElementView { key: n(2)? as u32, name: Some(text(3)).filter(|n| !n.is_empty()) },
        "m" => Input::Declared {
            name: text(2),
            json: text(3),
            props: f.get(4..).unwrap_or_default().chunks_exact(2).map(|p| (p[0].into(), p[1].into())).collect(),
        },
        "w" => Input::Vital {
            kind: field(2).bytes().next().unwrap_or(0),
            value: n(3)?,
            recent_input: flag(4),
            element: sensed(f, 5),
        },
        "t" => return Some((Record::Timer, time)),
        "k" => return Some((Record::Tick, time)),
        _ => return None,
    };
    Some((Record::Input(input), time))
}

/// An element group starting at field `at`: key, flags, silenced, then tag, id, type,
/// autocomplete, name, masked, aria-label, value, text, and per path level tag, id, class.
/// None when absent (an empty key).
fn sensed(f: &[&str], at: usize) -> Option<Sensed> {
    let field = |i: usize| field(f, at + i);
    let key = num(field(0)).filter(|k| *k > 0)? as u32;
    let s = |i: usize| text(f, at + i);
    let mut path = Vec::new();
    let mut i = 12;
    while at + i + 2 < f.len() {
        path.push((s(i), s(i + 1), s(i + 2)));
        i += 3;
    }
    Some(Sensed {
        key,
        flags: num(field(1)).unwrap_or(0) as u8,
        silenced: num(field(2)).unwrap_or(0) as u16,
        element: RawElement {
            tag: s(3),
            id: s(4),
            input_type: s(5),
            autocomplete: s(6),
            name: s(7),
            masked: field(8) == "1",
            aria_label: s(9),
            value: s(10),
            text: s(11),
            path,
        },
    })
}

// Not inlined: one copy for the many fields of the many record kinds (size).
#[inline(never)]
fn field<'a>(f: &[&'a str], i: usize) -> &'a str {
    f.get(i).copied().unwrap_or_default()
}

#[inline(never)]
fn text(f: &[&str], i: usize) -> String {
    field(f, i).into()
}

/// Everything of `joined` from its field `i` on, separators included (the session, whose own
/// fields are joined by the same separator, comes last in a record).
fn rest(joined: &str, f: &[&str], i: usize) -> String {
    joined.get(f.iter().take(i).map(|x| x.len() + 1).sum::<usize>()..).unwrap_or("").into()
}

/// A non-negative integer field; fractions are cut (times may come as `performance` doubles).
/// Whether form `key` is in a route's `kept` list ("7,12": see `Input::Route::kept`).
pub fn is_kept(kept: &str, key: u32) -> bool {
    split_byte(kept, b',').any(|k| num(k) == Some(u64::from(key)))
}

fn num(v: &str) -> Option<u64> {
    let digits = split_byte(v, b'.').next()?;
    super::config::parse_u64(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_click_with_its_element() {
        let rec = "c\u{1f}1700000000123\u{1f}10\u{1f}20\u{1f}0\u{1f}5\u{1f}1\u{1f}1\u{1f}\u{1f}0\u{1f}7\u{1f}3\u{1f}0\u{1f}button\u{1f}buy\u{1f}\u{1f}\u{1f}\u{1f}0\u{1f}\u{1f}\u{1f}Buy\u{1f}button\u{1f}buy\u{1f}btn";
        let (r, t) = parse_record(rec).unwrap();
        assert_eq!(t, 1_700_000_000_123);
        let Record::Input(Input::Click(c)) = r else { panic!("{r:?}") };
        assert_eq!((c.x, c.y, c.button, c.modifiers, c.detail, c.trusted), (10, 20, 0, MOD_CTRL | MOD_SHIFT, 1, true));
        let sensed = c.element.unwrap();
        assert_eq!((sensed.key, sensed.is(SENSED_INTERACTIVE), sensed.is(SENSED_EDITABLE)), (7, true, false));
        let e = sensed.element;
        assert_eq!((e.tag.as_str(), e.id.as_str(), e.text.as_str()), ("button", "buy", "Buy"));
        assert_eq!(e.path, vec![("button".into(), "buy".into(), "btn".into())]);
    }

    #[test]
    fn a_click_on_nothing_interactive_has_no_element() {
        let (r, _) = parse_record("c\u{1f}5\u{1f}1\u{1f}2\u{1f}0\u{1f}0\u{1f}1\u{1f}0\u{1f}").unwrap();
        assert!(matches!(r, Record::Input(Input::Click(Click { element: None, trusted: false, .. }))));
    }

    #[test]
    fn parses_lifecycle_answers_and_ticks() {
        let p = |s: &str| parse_record(s).map(|(r, _)| r);
        assert_eq!(p("h\u{1f}1"), Some(Record::Input(Input::PageHide { session: String::new() })));
        let show = |persisted, depth, anonymous_id: &str, session: &str| {
            Some(Record::Input(Input::PageShow {
                persisted,
                depth,
                anonymous_id: anonymous_id.into(),
                session: session.into(),
            }))
        };
        assert_eq!(p("s\u{1f}1\u{1f}0"), show(false, 0, "", ""), "a page load's pageshow (nothing read)");
        assert_eq!(
            p("s\u{1f}1\u{1f}1\u{1f}70\u{1f}a-1\u{1f}id\u{1f}1\u{1f}2\u{1f}email\u{1f}/p"),
            show(true, 70, "a-1", "id\u{1f}1\u{1f}2\u{1f}email\u{1f}/p"),
            "the session takes the rest"
        );
        let update = crate::consent::Update { analytics: Some(true), marketing: Some(false) };
        assert_eq!(
            p("R\u{1f}9\u{1f}granted|denied|5"),
            Some(Record::Input(Input::Command(Command::Consent { update, source: ConsentSource::Remembered })))
        );
        assert_eq!(p("R\u{1f}9\u{1f}junk"), None);
        assert_eq!(
            p("T\u{1f}9\u{1f}a-2\u{1f}id\u{1f}1\u{1f}2"),
            Some(Record::Input(Input::OtherTab { anonymous_id: "a-2".into(), session: "id\u{1f}1\u{1f}2".into() }))
        );
        assert_eq!(p("v\u{1f}1\u{1f}0"), Some(Record::Input(Input::Visibility { hidden: false })));
        assert_eq!(p("o\u{1f}1\u{1f}0"), Some(Record::Input(Input::Online(false))));
        assert_eq!(
            p("a\u{1f}1\u{1f}7\u{1f}503\u{1f}30"),
            Some(Record::Input(Input::HttpAnswer {
                request: 7,
                status: 503,
                retry_after: Some("30".into()),
                missing: None
            }))
        );
        assert_eq!(
            p("a\u{1f}1\u{1f}7\u{1f}200\u{1f}"),
            Some(Record::Input(Input::HttpAnswer { request: 7, status: 200, retry_after: None, missing: None }))
        );
        assert_eq!(
            p("a\u{1f}1\u{1f}7\u{1f}200\u{1f}\u{1f}[m1,m2"),
            Some(Record::Input(Input::HttpAnswer {
                request: 7,
                status: 200,
                retry_after: None,
                missing: Some("m1,m2".into())
            }))
        );
        assert_eq!(p("l\u{1f}1\u{1f}1"), Some(Record::Input(Input::LockAnswer(LockAnswer::Held))));
        assert_eq!(p("l\u{1f}1\u{1f}"), Some(Record::Input(Input::LockAnswer(LockAnswer::Failed))));
        assert_eq!(p("t\u{1f}12.5"), Some(Record::Timer));
        let tcf = |s: &str| match p(s) {
            Some(Record::Input(Input::Command(Command::Consent {
                update,
                source: ConsentSource::Tcf | ConsentSource::TcfNotApplicable,
            }))) => update,
            other => panic!("{other:?}"),
        };
        let all = tcf("p\u{1f}1\u{1f}1\u{1f}1\u{1f}1\u{1f}1\u{1f}1");
        assert_eq!((all.analytics, all.marketing), (Some(true), Some(true)));
        let no_ads = tcf("p\u{1f}1\u{1f}1\u{1f}1\u{1f}0\u{1f}0\u{1f}1");
        assert_eq!((no_ads.analytics, no_ads.marketing), (Some(true), Some(false)));
        let no_gdpr = tcf("p\u{1f}1\u{1f}0\u{1f}0\u{1f}0\u{1f}0\u{1f}0");
        assert_eq!((no_gdpr.analytics, no_gdpr.marketing), (Some(true), Some(true)), "gdprApplies false");
        assert!(matches!(
            p("p\u{1f}1\u{1f}0\u{1f}0\u{1f}0\u{1f}0\u{1f}0"),
            Some(Record::Input(Input::Command(Command::Consent { source: ConsentSource::TcfNotApplicable, .. })))
        ));
        assert_eq!(p("U\u{1f}1\u{1f}1"), Some(Record::Input(Input::UsOptOut(true))));
        assert_eq!(p("U\u{1f}1\u{1f}0"), Some(Record::Input(Input::UsOptOut(false))));
        let mode = |s: &str| match p(s) {
            Some(Record::Input(Input::Command(Command::Consent { update, source: ConsentSource::ConsentMode }))) => {
                (update.analytics, update.marketing)
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(mode("z\u{1f}1\u{1f}1\u{1f}0"), (Some(true), Some(false)));
        assert_eq!(mode("z\u{1f}1\u{1f}0\u{1f}"), (Some(false), None), "ad_storage not given: marketing left as it is");
        assert_eq!(mode("z\u{1f}1\u{1f}\u{1f}1"), (None, Some(true)));
        assert!(matches!(
            p("z\u{1f}1\u{1f}1\u{1f}\u{1f}d"),
            Some(Record::Input(Input::Command(Command::Consent {
                update: Update { analytics: Some(true), marketing: None },
                source: ConsentSource::ConsentModeDefault
            })))
        ));
        assert_eq!(p("k\u{1f}1"), Some(Record::Tick));
    }

    #[test]
    fn parses_friction_records() {
        let p = |s: &str| parse_record(&s.replace('|', "\u{1f}")).map(|(r, _)| r);
        assert_eq!(p("r|5|m"), Some(Record::Input(Input::Response)));
        assert_eq!(p("r|5|P"), Some(Record::Input(Input::PressAnswer)));
        assert_eq!(p("r|5|l"), Some(Record::Input(Input::Selection)));
        assert_eq!(p("q|5|3|s"), Some(Record::Input(Input::Request { id: 3, end: None })));
        let Some(Record::Input(Input::Request { end: Some(end), .. })) = p("q|5|3|e|POST|/api/cart|503|120|1") else {
            panic!()
        };
        assert_eq!(
            (end.method.as_str(), end.path.as_str(), end.status, end.duration, end.first_party),
            ("POST", "/api/cart", 503, 120, true)
        );
        let Some(Record::Input(Input::Error(e))) = p("e|5|boom|https://shop.test/app.js|12|0|1|4817") else { panic!() };
        assert_eq!((e.message.as_str(), e.line, e.rejection, e.in_press, e.column), ("boom", 12, false, true, 4817));
        assert!(!e.foreign);
        let Some(Record::Input(Input::Error(e))) = p("e|5|boom|https://widgets.test/w.js|2|0|0|9|1") else { panic!() };
        assert!(e.foreign, "another origin's, outside a press or click");
        assert_eq!(
            p("y|5|800|600|1|750"),
            Some(Record::Input(Input::Scroll { y: 800, viewport: 600, user: true, leg: 750 }))
        );
        assert_eq!(p("P|5|9"), Some(Record::Input(Input::FormPress { form: 9 })));
        assert_eq!(
            p("u|5|9|checkout|email:300"),
            Some(Record::Input(Input::FormSubmit { form: 9, name: "checkout".into(), focus: "email:300".into() }))
        );
        assert_eq!(
            p("n|5|b|/cart|https://s.test/cart|Cart|40|7,12"),
            Some(Record::Input(Input::Route {
                how: Nav::Back,
                path: "/cart".into(),
                url: "https://s.test/cart".into(),
                title: "Cart".into(),
                depth: 40,
                kept: "7,12".into()
            }))
        );
        let Some(Record::Input(Input::Invalid { field, form, .. })) =
            p("x|5|checkout|||4|4|0|input|email|email|||0||||")
        else {
            panic!()
        };
        assert_eq!(
            (field.key, field.is(SENSED_EDITABLE), form.as_str(), field.element.id.as_str()),
            (4, true, "checkout", "email")
        );
        let Some(Record::Input(Input::Interaction { duration, age, target, .. })) =
            p("i|5|420|10|400|10|click|77|30|2|1|0|button|b||||0||||Go")
        else {
            panic!()
        };
        assert_eq!((duration, age, target.map(|t| t.key)), (420, 30, Some(2)));
        assert_eq!(p("x|5|f"), None, "an invalid field needs its element");
        let Some(Record::Input(Input::Invalid { reason, message, field, .. })) =
            p("x|5|checkout|t|Enter a valid email|9|0|0|div|email-error||||0||||")
        else {
            panic!()
        };
        assert_eq!((reason, message.as_str(), field.key), (Reason::Alert, "Enter a valid email", 9));
    }

    #[test]
    fn parses_journey_records_and_boot_facts() {
        let p = |s: &str| parse_record(&s.replace('|', "\u{1f}")).map(|(r, _)| r);
        assert_eq!(p("j|5"), Some(Record::Input(Input::Activity { used: false })));
        assert_eq!(p("j|5|1"), Some(Record::Input(Input::Activity { used: true })));
        assert_eq!(p("B|5"), Some(Record::Input(Input::BackClick)));
        assert_eq!(p("f|5|0"), Some(Record::Input(Input::Focus(false))));
        assert_eq!(p("d|5|180"), Some(Record::Input(Input::Depth { percent: 100, first: false })));
        assert_eq!(p("d|5|40|1"), Some(Record::Input(Input::Depth { percent: 40, first: true })));
        assert_eq!(p("b|5|3|promo"), Some(Record::Input(Input::ElementView { key: 3, name: Some("promo".into()) })));
        assert_eq!(p("b|5|3|"), Some(Record::Input(Input::ElementView { key: 3, name: None })));
        assert_eq!(
            p("m|5|add_to_cart|{}|sku|A1|price"),
            Some(Record::Input(Input::Declared {
                name: "add_to_cart".into(),
                json: "{}".into(),
                props: vec![("sku".into(), "A1".into())]
            }))
        );
        let Some(Record::Input(Input::Click(c))) = p("c|5|1|2|0|0|1|1|https://x.test/a.pdf|/|") else { panic!() };
        assert_eq!((c.href.as_str(), c.download.as_deref(), c.element), ("https://x.test/a.pdf", Some(""), None));
        let Some(Record::Input(Input::Click(c))) = p("c|5|1|2|0|0|1|1|blob:https://x.test/1|/Bill.PDF|") else {
            panic!()
        };
        assert_eq!(c.download.as_deref(), Some("Bill.PDF"));
        let Some(Record::Input(Input::Click(c))) = p("c|5|1|2|0|0|1|1|https://x.test/a|||") else { panic!() };
        assert_eq!(c.download, None);
        let facts = [
            "https://s.test/?q=1",
            "/",
            "Home",
            "https://r.test/",
            "390",
            "844",
            "de-DE",
            "Europe/Berlin",
            "1",
            "0",
            "55",
            "1",
            "granted|denied|9",
            "1",
            "id",
            "1",
            "2",
            "email",
            "/p",
        ]
        .join("\u{1f}");
        let b = Boot::parse(&facts);
        assert_eq!((b.page.path.as_str(), b.width, b.height, b.language.as_str()), ("/", 390, 844, "de-DE"));
        assert_eq!(
            (b.visible, b.focused, b.depth, b.back, b.remembered.as_str(), b.automated),
            (true, false, 55, true, "granted|denied|9", true)
        );
        assert_eq!(b.session, "id\u{1f}1\u{1f}2\u{1f}email\u{1f}/p");
        assert_eq!(Boot::parse(""), Boot::default());
    }

    #[test]
    fn malformed_records_are_refused_not_guessed() {
        for bad in ["", "x\u{1f}1", "c\u{1f}1\u{1f}a", "c", "a\u{1f}1\u{1f}x\u{1f}200", "h"] {
            assert_eq!(parse_record(bad), None, "{bad:?}");
        }
    }
}
