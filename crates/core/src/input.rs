//! What the engine is told: plain values, one per thing that happened. The web layer's sensors
//! translate DOM facts into these and nothing else; every decision is the engine's.
//!
//! Later work extends `Input` (mutations, scrolls, errors, Event Timing entries, intersections,
//! history changes); each new sensor adds a variant here and a record code in `parse_record`.

use super::consent::Update;
use super::element::RawElement;
use super::event::PageContext;
use super::json::cat;

/// Modifier keys held during a click, as a bit set (`Click::modifiers`).
pub const MOD_CTRL: u8 = 1;
pub const MOD_META: u8 = 2;
pub const MOD_SHIFT: u8 = 4;
pub const MOD_ALT: u8 = 8;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Click {
    /// The clicked element's facts, or None when the click landed on nothing interactive
    /// (friction detectors still want those) or inside `data-tp-ignore`.
    pub element: Option<RawElement>,
    pub x: i32,
    pub y: i32,
    /// `MouseEvent.button`: 0 primary, 1 middle, 2 secondary.
    pub button: u8,
    pub modifiers: u8,
    /// `UIEvent.detail`: 1 single, 2 double, 3 triple click.
    pub detail: u32,
    /// `Event.isTrusted`: false for `element.click()` and synthetic events.
    pub trusted: bool,
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
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::Api => "api",
            ConsentSource::Tcf => "tcf",
        }
    }
}

/// A call of `touchpoint(command, ...)`, already validated by the web layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `properties` is the text of a JSON object; `name` is snake_case already.
    Track { name: String, properties: String },
    /// A page view; `page` is the page as it is now (SPA route changes update it).
    Page { properties: String, page: PageContext },
    Consent { update: Update, source: ConsentSource },
    Flush,
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
    CallbackMissing,
}

impl CommandError {
    pub fn message(&self) -> String {
        match self {
            CommandError::Unknown(name) => cat(&["touchpoint: unknown command \"", truncate(name, 40), "\""]),
            CommandError::ConsentShape => {
                "touchpoint: consent expects an object like {analytics: true, marketing: false}".into()
            }
            CommandError::EventName => "touchpoint: track expects an event name (a non-empty string)".into(),
            CommandError::PropertiesShape => "touchpoint: properties must be a plain object".into(),
            CommandError::PropertiesJson => "touchpoint: properties could not be serialised (cycle or BigInt?)".into(),
            CommandError::CallbackMissing => "touchpoint: getConsent expects a callback".into(),
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
    /// `pagehide`: the page is leaving (it may come back from the back/forward cache).
    PageHide,
    /// `pageshow`; `persisted`: restored from the back/forward cache.
    PageShow { persisted: bool },
    /// `visibilitychange`.
    Visibility { hidden: bool },
    /// `online` / `offline` (and `navigator.onLine` at start).
    Online(bool),
    /// The answer to `Output::Send`: status 0 when there was none (network error).
    HttpAnswer { request: u64, status: u16, retry_after: Option<String> },
    /// The answer to `Output::Beacon`: whether the browser took the body.
    BeaconAnswer { chunk: usize, accepted: bool },
    LockAnswer(LockAnswer),
    /// The answer to `Output::ReadStorage`: every `tp:` key with its value (empty when storage
    /// cannot be read).
    StorageSnapshot(Vec<(String, String)>),
    /// A storage write threw (quota, private mode): carry on from memory.
    StorageFailed,
    Command(Command),
    /// A command the web layer could not accept.
    Rejected(CommandError),
}

/// One record of the loader's sensor stream (see `parse_record`).
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
/// | `c` click | x, y, button, modifiers, detail, trusted, then (if on an element) tag, id, type, autocomplete, name, masked, aria-label, value, text, and per path level tag, id, class |
/// | `h` pagehide | — |
/// | `s` pageshow | persisted |
/// | `v` visibilitychange | hidden |
/// | `o` online/offline | online |
/// | `a` fetch answer | request, status, Retry-After |
/// | `l` lock answer | `1` held, `0` busy, empty failed |
/// | `t` timer fired, `k` scheduled task | — |
pub fn parse_record(record: &str) -> Option<(Record, u64)> {
    let mut f = record.split('\u{1f}');
    let code = f.next()?;
    let time = num(f.next()?)?;
    let flag = |v: Option<&str>| v == Some("1");
    let rec = match code {
        "c" => {
            let mut n = || f.next().and_then(num);
            let x = n()? as i32;
            let y = n()? as i32;
            let button = n()? as u8;
            let modifiers = n()? as u8;
            let detail = n()? as u32;
            let trusted = flag(f.next());
            let element = element(&mut f);
            Record::Input(Input::Click(Click { element, x, y, button, modifiers, detail, trusted }))
        }
        "h" => Record::Input(Input::PageHide),
        "s" => Record::Input(Input::PageShow { persisted: flag(f.next()) }),
        "v" => Record::Input(Input::Visibility { hidden: flag(f.next()) }),
        "o" => Record::Input(Input::Online(flag(f.next()))),
        "a" => {
            let request = num(f.next()?)?;
            let status = num(f.next()?)?.min(999) as u16;
            let retry_after = f.next().filter(|v| !v.is_empty()).map(String::from);
            Record::Input(Input::HttpAnswer { request, status, retry_after })
        }
        "l" => Record::Input(Input::LockAnswer(match f.next() {
            Some("1") => LockAnswer::Held,
            Some("0") => LockAnswer::Busy,
            _ => LockAnswer::Failed,
        })),
        "t" => Record::Timer,
        "k" => Record::Tick,
        _ => return None,
    };
    Some((rec, time))
}

fn element<'a>(f: &mut impl Iterator<Item = &'a str>) -> Option<RawElement> {
    let tag = f.next().filter(|t| !t.is_empty())?;
    let mut s = || f.next().unwrap_or_default().to_string();
    let mut e = RawElement {
        tag: tag.to_string(),
        id: s(),
        input_type: s(),
        autocomplete: s(),
        name: s(),
        masked: s() == "1",
        aria_label: s(),
        value: s(),
        text: s(),
        path: Vec::new(),
    };
    while let (Some(tag), Some(id), Some(class)) = (f.next(), f.next(), f.next()) {
        e.path.push((tag.into(), id.into(), class.into()));
    }
    Some(e)
}

/// A non-negative integer field; fractions are cut (times may come as `performance` doubles).
fn num(v: &str) -> Option<u64> {
    let digits = v.split('.').next()?;
    super::config::parse_u64(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_click_with_its_element() {
        let rec = "c\u{1f}1700000000123\u{1f}10\u{1f}20\u{1f}0\u{1f}5\u{1f}1\u{1f}1\u{1f}button\u{1f}buy\u{1f}\u{1f}\u{1f}\u{1f}0\u{1f}\u{1f}\u{1f}Buy\u{1f}button\u{1f}buy\u{1f}btn";
        let (r, t) = parse_record(rec).unwrap();
        assert_eq!(t, 1_700_000_000_123);
        let Record::Input(Input::Click(c)) = r else { panic!("{r:?}") };
        assert_eq!((c.x, c.y, c.button, c.modifiers, c.detail, c.trusted), (10, 20, 0, MOD_CTRL | MOD_SHIFT, 1, true));
        let e = c.element.unwrap();
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
        assert_eq!(p("h\u{1f}1"), Some(Record::Input(Input::PageHide)));
        assert_eq!(p("s\u{1f}1\u{1f}1"), Some(Record::Input(Input::PageShow { persisted: true })));
        assert_eq!(p("v\u{1f}1\u{1f}0"), Some(Record::Input(Input::Visibility { hidden: false })));
        assert_eq!(p("o\u{1f}1\u{1f}0"), Some(Record::Input(Input::Online(false))));
        assert_eq!(
            p("a\u{1f}1\u{1f}7\u{1f}503\u{1f}30"),
            Some(Record::Input(Input::HttpAnswer { request: 7, status: 503, retry_after: Some("30".into()) }))
        );
        assert_eq!(
            p("a\u{1f}1\u{1f}7\u{1f}200\u{1f}"),
            Some(Record::Input(Input::HttpAnswer { request: 7, status: 200, retry_after: None }))
        );
        assert_eq!(p("l\u{1f}1\u{1f}1"), Some(Record::Input(Input::LockAnswer(LockAnswer::Held))));
        assert_eq!(p("l\u{1f}1\u{1f}"), Some(Record::Input(Input::LockAnswer(LockAnswer::Failed))));
        assert_eq!(p("t\u{1f}12.5"), Some(Record::Timer));
        assert_eq!(p("k\u{1f}1"), Some(Record::Tick));
    }

    #[test]
    fn malformed_records_are_refused_not_guessed() {
        for bad in ["", "x\u{1f}1", "c\u{1f}1\u{1f}a", "c", "a\u{1f}1\u{1f}x\u{1f}200", "h"] {
            assert_eq!(parse_record(bad), None, "{bad:?}");
        }
    }
}
