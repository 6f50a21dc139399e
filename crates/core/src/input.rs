//! What the engine is told: plain values, one per thing that happened. The web layer's sensors
//! translate DOM facts into these and nothing else; every decision is the engine's.
//!
//! Later work extends `Input` (mutations, scrolls, errors, Event Timing entries, intersections,
//! history changes); each new sensor adds a variant here and a record code in `parse_record`.

use super::consent::{from_tcf, Update};
use super::element::RawElement;
use super::event::PageContext;
use super::json::{cat, split_byte};

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
    PageShow {
        persisted: bool,
    },
    /// `visibilitychange`.
    Visibility {
        hidden: bool,
    },
    /// `online` / `offline` (and `navigator.onLine` at start).
    Online(bool),
    /// The answer to `Output::Send`: status 0 when there was none (network error).
    HttpAnswer {
        request: u64,
        status: u16,
        retry_after: Option<String>,
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
}

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
/// | `c` click | x, y, button, modifiers, detail, trusted, then (if on an element) tag, id, type, autocomplete, name, masked, aria-label, value, text, and per path level tag, id, class |
/// | `h` pagehide | — |
/// | `s` pageshow | persisted |
/// | `v` visibilitychange | hidden |
/// | `o` online/offline | online |
/// | `a` fetch answer | request, status, Retry-After |
/// | `l` lock answer | `1` held, `0` busy, empty failed |
/// | `p` TCF consent | gdprApplies, then purposes 1, 2, 7, 8 (`1` consented) |
/// | `t` timer fired, `k` scheduled task | — |
pub fn parse_record(record: &str) -> Option<(Record, u64)> {
    // Collected once and indexed: smaller in the wasm than an iterator threaded through closures.
    let f: Vec<&str> = split_byte(record, 0x1f).collect();
    let field = |i: usize| f.get(i).copied().unwrap_or_default();
    let flag = |i: usize| field(i) == "1";
    let time = num(f.get(1)?)?;
    let rec = match *f.first()? {
        "c" => {
            let mut n = [0u64; 5];
            for (i, slot) in n.iter_mut().enumerate() {
                *slot = num(f.get(2 + i)?)?;
            }
            let element = f.get(8).filter(|t| !t.is_empty()).map(|tag| {
                let s = |i: usize| field(i).to_string();
                let mut path = Vec::new();
                let mut i = 17;
                while i + 2 < f.len() {
                    path.push((s(i), s(i + 1), s(i + 2)));
                    i += 3;
                }
                RawElement {
                    tag: tag.to_string(),
                    id: s(9),
                    input_type: s(10),
                    autocomplete: s(11),
                    name: s(12),
                    masked: flag(13),
                    aria_label: s(14),
                    value: s(15),
                    text: s(16),
                    path,
                }
            });
            let [x, y, button, modifiers, detail] = n;
            Record::Input(Input::Click(Click {
                element,
                x: x as i32,
                y: y as i32,
                button: button as u8,
                modifiers: modifiers as u8,
                detail: detail as u32,
                trusted: flag(7),
            }))
        }
        "h" => Record::Input(Input::PageHide),
        "s" => Record::Input(Input::PageShow { persisted: flag(2) }),
        "v" => Record::Input(Input::Visibility { hidden: flag(2) }),
        "o" => Record::Input(Input::Online(flag(2))),
        "a" => Record::Input(Input::HttpAnswer {
            request: num(f.get(2)?)?,
            status: num(f.get(3)?)?.min(999) as u16,
            retry_after: Some(field(4)).filter(|v| !v.is_empty()).map(String::from),
        }),
        "l" => Record::Input(Input::LockAnswer(match field(2) {
            "1" => LockAnswer::Held,
            "0" => LockAnswer::Busy,
            _ => LockAnswer::Failed,
        })),
        "p" => {
            // The CMP's answer: gdprApplies, then consent for purposes 1, 2, 7 and 8.
            let update = from_tcf(flag(2), |p| match p {
                1 => flag(3),
                2 => flag(4),
                7 => flag(5),
                8 => flag(6),
                _ => false,
            });
            Record::Input(Input::Command(Command::Consent { update, source: ConsentSource::Tcf }))
        }
        "t" => Record::Timer,
        "k" => Record::Tick,
        _ => return None,
    };
    Some((rec, time))
}

/// A non-negative integer field; fractions are cut (times may come as `performance` doubles).
fn num(v: &str) -> Option<u64> {
    let digits = split_byte(v, b'.').next()?;
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
        let tcf = |s: &str| match p(s) {
            Some(Record::Input(Input::Command(Command::Consent { update, source: ConsentSource::Tcf }))) => update,
            other => panic!("{other:?}"),
        };
        let all = tcf("p\u{1f}1\u{1f}1\u{1f}1\u{1f}1\u{1f}1\u{1f}1");
        assert_eq!((all.analytics, all.marketing), (Some(true), Some(true)));
        let no_ads = tcf("p\u{1f}1\u{1f}1\u{1f}1\u{1f}0\u{1f}0\u{1f}1");
        assert_eq!((no_ads.analytics, no_ads.marketing), (Some(true), Some(false)));
        let no_gdpr = tcf("p\u{1f}1\u{1f}0\u{1f}0\u{1f}0\u{1f}0\u{1f}0");
        assert_eq!((no_gdpr.analytics, no_gdpr.marketing), (Some(true), Some(true)), "gdprApplies false");
        assert_eq!(p("k\u{1f}1"), Some(Record::Tick));
    }

    #[test]
    fn malformed_records_are_refused_not_guessed() {
        for bad in ["", "x\u{1f}1", "c\u{1f}1\u{1f}a", "c", "a\u{1f}1\u{1f}x\u{1f}200", "h"] {
            assert_eq!(parse_record(bad), None, "{bad:?}");
        }
    }
}
