//! What the inspector's aggregates need from one event, read once at ingest (on the request's
//! worker, not the writer thread): its time, whether it is friction, a touchpoint or a moment of
//! truth, its page path and element selector. Every field is optional on the wire; a missing or
//! oddly typed one gives the default, never an error (the event itself was already accepted).

/// Moments of truth known without `properties.moment = true` (the SDK's default names).
pub const DEFAULT_MOMENTS: [&str; 3] = ["add_to_cart", "begin_checkout", "purchase"];

/// Longest selector (and device class, channel, ...) kept in the aggregates (longer ones are
/// cut at a char boundary).
pub const MAX_KEY_CHARS: usize = 256;
/// Longest page path kept in the aggregates: a path is percent-encoded, 9 characters for each
/// CJK character (`%E5%95%86`), so 256 kept only ~28 of a Japanese product's slug and merged
/// the products that began alike.
pub const MAX_PATH_CHARS: usize = 1024;
/// Longest element text kept in the aggregates: the SDK's own bound on a label (64 characters,
/// `touchpoint_core::element`), so a raw client cannot make friction rows larger than it would.
pub const MAX_TEXT_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Category {
    #[default]
    Touchpoint,
    Friction,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Capture time, unix milliseconds (0 = unknown: the store uses the receive time).
    pub ts_ms: i64,
    pub category: Category,
    pub moment: bool,
    /// `properties.during` of a friction event: the moment of truth under way.
    pub during: String,
    pub path: String,
    pub selector: String,
    /// A friction event's `properties.element.text` (its label, scrubbed by the SDK), cut by
    /// [`cut_text`]; empty for another event: the leaderboard names an element by it.
    pub text: String,
    /// The session's attribution as the SDK carries it on every event (`context.channel`,
    /// `context.campaign`; empty when absent): the inspector's sessions by channel.
    pub channel: String,
    pub campaign: String,
    /// The landing's `utm_source` and `utm_medium` as the SDK carries them with the channel
    /// (`context.source`, `context.medium`; empty when absent): the sessions by source / medium.
    pub source: String,
    pub medium: String,
    /// `context.device`, the SDK's device class by viewport width (`mobile`, `tablet`,
    /// `desktop`; empty when absent): the inspector's sessions by device.
    pub device: String,
    /// `context.sampleRate`: the percentage of sessions the site keeps (`data-sample-rate`),
    /// 1..=99; 0 when it keeps all (absent, or not a whole number in that range).
    pub sample_rate: u8,
    /// The customer the page named (`userId`, checked by the validator; empty when absent).
    pub user_id: String,
    /// The browser's `anonymousId` (sent only under marketing consent): the inspector's visitors.
    /// Empty when absent, or when it breaks the `userId` rule (1..=128 characters, no control
    /// character): the validator accepts any string there, and the SDK only ever sends a UUID, so
    /// such an id is not counted as a visitor's rather than stored cut or refused.
    pub anonymous_id: String,
    /// The page's tags (`context.tags`, when it is an object) as `event_tags` keeps them: each
    /// distinct (key, value) whose value is a string, number or boolean. Read here, from the
    /// members the validator has already scanned, so that the writer inserts them as they are
    /// (SQLite reading them from the body again made storing a tagged event 2.3x slower, in the
    /// load bench with two tags).
    pub tags: Vec<Tag>,
    /// A `page_leave`'s figures (`properties.engaged_ms`, `properties.max_scroll_pct`), for the
    /// inspector's pages; 0 for other events, or when absent or not a whole number in range.
    pub engaged_ms: i64,
    pub scroll_pct: u8,
    /// A `page_leave`'s Core Web Vitals, rated (none for other events, or when absent or not a
    /// figure the SDK could send), for the inspector's pages.
    pub vitals: Vitals,
    /// A `page_leave`'s `properties.resumed: true`: a later stretch of a page view already left
    /// once (its tab hidden, then shown again). Its `max_scroll_pct` is the view's deepest point
    /// so far, its `engaged_ms` the stretch's own: the pages count each view once
    /// ([`crate::aggregate::view_page_counts`]).
    pub resumed: bool,
    /// `context.automated: true`: the SDK saw a browser driven by a program (WebDriver, a
    /// headless browser, a crawler). Stored and counted in `/api/stats`, but left out of every
    /// figure of the inspector: a shop's own end-to-end tests and uptime checks are no customers.
    pub automated: bool,
    /// A `purchase`'s `properties.transaction_id` (a string's text, a number's digits; empty for
    /// other events or without one): the collector stores one purchase per order and site.
    pub order: String,
    /// The browser family with its major version and the OS family of the request that carried
    /// the event (`agent::derive`, from its `User-Agent` header; not in the event's body: set by
    /// `ingest::prepare`, read back from the `events` row's columns by a rebuild). Empty when
    /// unknown (no header, or stored before schema version 28).
    pub browser: String,
    pub os: String,
    /// The batch's `sentAt` (the device's clock when the batch left it), unix ms: with the time
    /// the batch arrived, it corrects a device clock that is wrong (`aggregate::counts_at`). Not
    /// in the event's body: set by `validate::parse_batch`, read back from the `events` row's
    /// `sent_at` by a rebuild. None for a `sentAt` without a time zone, and for events stored
    /// before schema version 31.
    pub sent_at: Option<i64>,
}

/// How one page view did on a Core Web Vital, by the thresholds of Google's web-vitals library
/// (and CrUX): each page's share of good and poor views is what the inspector shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rating {
    /// Not measured: the browser lacks the API, a resumed stretch of the view, no interaction.
    #[default]
    NotMeasured,
    Good,
    NeedsImprovement,
    Poor,
}

impl Rating {
    /// `value` rated good up to `good`, poor above `poor`, needs improvement between.
    fn by_thresholds(value: i64, good: i64, poor: i64) -> Rating {
        if value <= good {
            Rating::Good
        } else if value > poor {
            Rating::Poor
        } else {
            Rating::NeedsImprovement
        }
    }

    /// The rating the SDK spells (`properties.inp`: web-vitals' own words); none for another.
    pub fn from_name(name: &str) -> Rating {
        match name {
            "good" => Rating::Good,
            "needs-improvement" => Rating::NeedsImprovement,
            "poor" => Rating::Poor,
            _ => Rating::NotMeasured,
        }
    }
}

/// The Core Web Vitals a `page_leave` carries, rated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Vitals {
    /// Largest Contentful Paint of the page load (`properties.lcp_ms`).
    pub lcp: Rating,
    /// Cumulative Layout Shift of the view (`properties.cls_milli`: CLS times 1000).
    pub cls: Rating,
    /// Interaction to Next Paint of the view (`properties.inp`, else `properties.inp_ms`).
    pub inp: Rating,
}

/// The largest figures believed (10 minutes; a CLS of 100): beyond them a value is a wrong clock
/// or a bug, and counts as not measured rather than as a poor view.
pub const MAX_VITAL_MS: i64 = 600_000;
pub const MAX_CLS_MILLI: i64 = 100_000;

impl Vitals {
    /// Rates the figures of a `page_leave` (each `None` when absent or not a whole number; `inp`
    /// the rating's name when it is a string). The SDK rates INP itself (it sends `inp_ms` only
    /// for an interaction of 200 ms or more), so its rating wins; `inp_ms` alone is rated here.
    pub fn rate(lcp_ms: Option<i64>, cls_milli: Option<i64>, inp: Option<&str>, inp_ms: Option<i64>) -> Vitals {
        let within = |v: Option<i64>, max: i64| v.filter(|v| (0..=max).contains(v));
        let inp_by_ms =
            || within(inp_ms, MAX_VITAL_MS).map_or(Rating::NotMeasured, |ms| Rating::by_thresholds(ms, 200, 500));
        Vitals {
            lcp: within(lcp_ms, MAX_VITAL_MS).map_or(Rating::NotMeasured, |ms| Rating::by_thresholds(ms, 2500, 4000)),
            cls: within(cls_milli, MAX_CLS_MILLI).map_or(Rating::NotMeasured, |c| Rating::by_thresholds(c, 100, 250)),
            inp: match inp.map(Rating::from_name) {
                Some(Rating::NotMeasured) | None => inp_by_ms(),
                Some(rated) => rated,
            },
        }
    }
}

/// The most engaged time one `page_leave` counts for (a day): a wrong figure cannot swamp a
/// page's average.
pub const MAX_ENGAGED_MS: i64 = 86_400_000;

/// Most characters of a tag's key, and of its value, that the `tag` filter takes.
pub const MAX_TAG_CHARS: usize = 64;

/// Whether a tag's key or value is counted at ingest: one with a control character (C0, DEL,
/// C1: `{"variant": "\t=1+1"}`) is not, as the `tag` filter refuses it (the event is stored
/// whole either way). Counted, it was listed by `/api/tags` and offered by the inspector's Tag
/// filter, and choosing it was a `400`.
pub fn is_tag_text(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// Whether `tag=key:value` can name this tag, as the read API's `tag` parameter takes it: key
/// and value each 1-64 characters without a control character, the key without a `:` (the
/// parameter is split at the first). `/api/tags` lists no other tag (one counted but not
/// filterable: a value over 64 characters, an empty one, a key with a colon).
pub fn is_filterable_tag(key: &str, value: &str) -> bool {
    let part = |s: &str| (1..=MAX_TAG_CHARS).contains(&s.chars().count()) && is_tag_text(s);
    part(key) && part(value) && !key.contains(':')
}

/// One of the page's tags (a member of `context.tags`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    /// The member's key, unescaped.
    pub key: String,
    /// The value as the tag filters compare it: a string as it is, `true` or `false`, an
    /// integer's digits; a number with a fraction or an exponent (or too large for 64 bits) as
    /// its JSON text, with `real` set: the writer stores the text SQLite prints for it (as
    /// `CAST(x AS TEXT)` of SQLite's JSON functions did), so that `1e2` is `100.0` as before.
    pub value: String,
    pub real: bool,
}

/// `s` cut to [`MAX_KEY_CHARS`] characters (at a char boundary), and never inside a `%XX`
/// escape nor inside the escapes of one UTF-8 character (`%E5%95%86`): a path is percent-encoded
/// (`location.pathname`), and one cut there read as a broken escape, or could not be decoded at
/// all (the inspector then showed it encoded). A cut path is then up to 11 characters shorter.
pub fn cut(s: &str) -> &str {
    cut_to(s, MAX_KEY_CHARS)
}

/// An element's text cut to [`MAX_TEXT_CHARS`] characters (at a char boundary, as SQLite's
/// `substr` cuts text, which the migration fills the older rows with).
pub fn cut_text(s: &str) -> &str {
    s.char_indices().nth(MAX_TEXT_CHARS).map_or(s, |(end, _)| &s[..end])
}

/// A page path cut as [`cut`] does, to [`MAX_PATH_CHARS`].
pub fn cut_path(s: &str) -> &str {
    cut_to(s, MAX_PATH_CHARS)
}

/// A page path as the aggregates key it: its escapes written one way (RFC 3986's normal form:
/// hex digits upper case, `%41` as `A` for the letters, digits and `-._~` that need none; a
/// space and what is not ASCII escaped), then
/// cut by [`cut_path`]. `location.pathname` keeps a URL's escapes as the link wrote them, so
/// `/%e5%95%86` and `/%E5%95%86`, one page, were two rows, shown alike by the inspector.
pub fn path_key(s: &str) -> String {
    use std::fmt::Write;
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).and_then(|c| (*c as char).to_digit(16));
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if let (b'%', Some(h), Some(l)) = (b[i], hex(i + 1), hex(i + 2)) {
            let byte = (h * 16 + l) as u8;
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(byte as char);
            } else {
                out.push('%');
                out.push_str(&s[i + 1..i + 3].to_ascii_uppercase());
            }
            i += 3;
        } else {
            // (A char boundary: `%` and hex digits are ASCII.)
            let c = s[i..].chars().next().unwrap_or('\0');
            // Escaped as the browser's `location.pathname` writes it: a path typed as read into
            // the API (`path=/商品/靴.html`) found nothing, silently (an international shop's QA).
            if c == ' ' || !c.is_ascii() {
                for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                    let _ = write!(out, "%{byte:02X}");
                }
            } else {
                out.push(c);
            }
            i += c.len_utf8();
        }
    }
    let kept = cut_path(&out).len();
    out.truncate(kept);
    out
}

fn cut_to(s: &str, max_chars: usize) -> &str {
    let Some((mut end, _)) = s.char_indices().nth(max_chars) else { return s };
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    let escape_at = |i: usize| b.get(i) == Some(&b'%') && hex(i + 1) && hex(i + 2);
    // Half-way through an escape: before it. (Its bytes are ASCII: `end` stays a char boundary.)
    if let Some(at) = (end.saturating_sub(2)..end).find(|&i| escape_at(i)) {
        end = at;
    }
    // The escapes just before the cut: continuation bytes (10xxxxxx) after the lead byte of a
    // character that needs more of them than are kept are cut with it.
    let mut at = end;
    let mut continuations = 0;
    while at >= 3 && escape_at(at - 3) {
        at -= 3;
        let byte = u8::from_str_radix(&s[at + 1..at + 3], 16).unwrap_or(0);
        if byte & 0xC0 == 0x80 && continuations < 3 {
            continuations += 1;
            continue;
        }
        let len = match byte {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        if len > 1 + continuations {
            end = at;
        }
        break;
    }
    &s[..end]
}

/// Reads the facts of an accepted event from its text. At ingest the validator reads them from
/// the members it has already scanned (`validate::facts_of`); this is the same code, for events
/// read back from the database.
pub fn extract(event: &str, timestamp: &str, body: &str) -> Facts {
    crate::validate::facts_of_text(event, timestamp, body)
}

/// The system clock, unix milliseconds (0 if it is before 1970): events' receive time, the read
/// API's ranges, the retention's cutoff.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` to unix milliseconds (no zone = UTC).
pub fn parse_iso_millis(s: &str) -> Option<i64> {
    // The rules ingestion checks (a day its month has, an offset of at most 23:59): a read API
    // range of `2026-11-31` or `+99:99` was a day or days away from what was asked, unsaid.
    // Every field's range is checked there; what follows only reads them.
    if !crate::validate::is_iso8601(s) {
        return None;
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (y, mo, d, h, mi, sec) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in frac[..digits].iter().take(3).enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1][i];
        }
        rest = &frac[digits..];
    }
    let offset_min = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) => {
            let v = i64::from((h1 - b'0') * 10 + (h2 - b'0')) * 60 + i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if *sign == b'+' {
                v
            } else {
                -v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    Some((((days * 24 + h) * 60 + mi - offset_min) * 60 + sec) * 1000 + millis)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix milliseconds to `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_iso_millis(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_iso_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso_millis("2026-11-22T14:24:25.010Z"), Some(1_795_357_465_010));
        assert_eq!(parse_iso_millis("2026-11-22T15:24:25.010+01:00"), Some(1_795_357_465_010));
        assert_eq!(parse_iso_millis("2024-02-29T00:00:00.5Z"), Some(1_709_164_800_500));
        assert_eq!(parse_iso_millis("2024-02-29"), None);
        assert_eq!(parse_iso_millis("2024-13-01T00:00:00Z"), None);
        // What ingestion refuses: a day its month does not have, an offset past 23:59.
        for bad in
            ["2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z", "2026-12-01T00:00:00+99:99", "2026-12-01T00:00:00+24:00"]
        {
            assert_eq!(parse_iso_millis(bad), None, "{bad}");
        }
        assert_eq!(parse_iso_millis("2026-12-01T00:00:00+23:59"), Some(1_796_083_200_000 - 1_439 * 60_000));
        assert_eq!(format_iso_millis(1_795_357_465_010), "2026-11-22T14:24:25.010Z");
        assert_eq!(format_iso_millis(1_709_164_800_500), "2024-02-29T00:00:00.500Z");
        for ms in [0, 951_782_400_000, 4_102_444_800_123] {
            assert_eq!(parse_iso_millis(&format_iso_millis(ms)), Some(ms));
        }
    }

    #[test]
    fn friction_moment_and_missing_fields() {
        let f = extract(
            "rage_click",
            "2026-11-22T14:24:25.010Z",
            r##"{"properties":{"category":"friction","during":"begin_checkout","element":{"selector":"#a > b","tag":"b"}},
                "context":{"page":{"path":"/cart"}}}"##,
        );
        assert_eq!(f.category, Category::Friction);
        assert_eq!((f.path.as_str(), f.selector.as_str(), f.during.as_str()), ("/cart", "#a > b", "begin_checkout"));
        assert!(!f.moment);
        let m = extract("signup", "x", r#"{"properties":{"category":"touchpoint","moment":true}}"#);
        assert!(m.moment && m.category == Category::Touchpoint && m.ts_ms == 0);
        assert!(extract("purchase", "x", "{}").moment, "a default moment name");
        // Odd types are ignored, not errors.
        let odd = extract("x", "x", r#"{"properties":{"category":7,"moment":"yes","element":"b"},"context":[]}"#);
        assert_eq!(odd, Facts::default());
        let c = extract(
            "page_view",
            "x",
            r#"{"context":{"channel":"paid_search","campaign":"grinders","source":"google","page":{"path":"/"}}}"#,
        );
        assert_eq!((c.channel.as_str(), c.campaign.as_str(), c.path.as_str()), ("paid_search", "grinders", "/"));
        assert_eq!((c.source.as_str(), c.medium.as_str()), ("google", ""), "no medium: none");
        assert_eq!(extract("x", "x", r#"{"context":{"channel":3}}"#).channel, "", "not a string: none");
        let long = "a".repeat(2000);
        let l = extract("x", "x", &format!(r#"{{"context":{{"page":{{"path":"{long}"}}}}}}"#));
        assert_eq!(l.path.len(), MAX_PATH_CHARS);
        let l = extract("x", "x", &format!(r#"{{"properties":{{"element":{{"selector":"{long}"}}}}}}"#));
        assert_eq!(l.selector.len(), MAX_KEY_CHARS);
    }

    /// A friction event of no element is grouped by what failed: a failed request by method, path
    /// and status (a lookup's 500 and another path's 404 on one page were one leaderboard row),
    /// an error by its message. One with an element keeps its element; a touchpoint stays none.
    #[test]
    fn friction_of_no_element_is_grouped_by_what_failed() {
        let fr = |event: &str, props: &str| {
            extract(event, "x", &format!(r#"{{"properties":{{"category":"friction",{props}}}}}"#)).selector
        };
        assert_eq!(
            fr("failed_request", r#""method":"POST","path":"/api/lookup","status":500"#),
            "POST /api/lookup 500"
        );
        assert_eq!(fr("failed_request", r#""method":"GET","path":"/faq.json","status":404"#), "GET /faq.json 404");
        assert_eq!(fr("failed_request", r#""status":0"#), "0", "what there is of it");
        assert_eq!(fr("js_error", r#""message":"TypeError: x is undefined","line":3"#), "TypeError: x is undefined");
        assert_eq!(fr("scroll_thrash", r#""reversals":4"#), "");
        assert_eq!(fr("error_click", r##""message":"m","element":{"selector":"#pay"}"##), "#pay");
        let long = "e".repeat(2000);
        assert_eq!(fr("js_error", &format!(r#""message":"{long}""#)).len(), MAX_KEY_CHARS);
        let t = extract("failed_request", "x", r#"{"properties":{"method":"GET","path":"/a","status":500}}"#);
        assert_eq!(t.selector, "", "not friction: no group");
    }

    /// A percent-encoded path (`location.pathname`) longer than the bound is cut at an escape's
    /// start, and before the escapes of a character it would split; anything else is cut as
    /// before, at the bound. Every cut path can be decoded.
    #[test]
    fn cut_keeps_escapes_whole() {
        let decodes = |s: &str| {
            let mut bytes = Vec::new();
            let mut i = 0;
            while i < s.len() {
                if s.as_bytes()[i] == b'%' {
                    bytes.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("a whole escape"));
                    i += 3;
                } else {
                    bytes.push(s.as_bytes()[i]);
                    i += 1;
                }
            }
            String::from_utf8(bytes).is_ok()
        };
        // `/商品…`, each character three escapes (9 characters): the cut at every offset.
        let cjk = "%E5%95%86%E5%93%81".repeat(100);
        for lead in 0..9 {
            let path = format!("/{}{cjk}", "a".repeat(lead));
            let kept = cut(&path);
            assert!(path.starts_with(kept) && decodes(kept), "lead {lead}: {kept}");
            let whole = (MAX_KEY_CHARS - 1 - lead) / 9 * 9 + 1 + lead;
            assert_eq!(kept.len(), whole, "lead {lead}: up to the last whole character");
        }
        // ASCII escapes (`%41`: A): cut only before an escape, at most 2 characters short.
        for lead in 0..3 {
            let path = format!("/{}{}", "a".repeat(lead), "%41".repeat(200));
            let kept = cut(&path);
            assert!(kept.len() > MAX_KEY_CHARS - 3 && decodes(kept), "lead {lead}: {kept}");
            assert!(!kept.ends_with('%') && !kept[kept.len() - 2..].starts_with('%'), "lead {lead}: {kept}");
        }
        // A 4-byte character (an emoji), its lead escape and one continuation kept: both go.
        let path = format!("/{}%F0%9F%98%80", "a".repeat(MAX_KEY_CHARS - 7));
        assert_eq!(cut(&path), &path[..MAX_KEY_CHARS - 6]);
        // No escape at the cut, or a `%` that is none: cut at the bound, as before.
        for path in [format!("/{}", "a".repeat(999)), format!("/{}%zz%", "a".repeat(MAX_KEY_CHARS - 3))] {
            assert_eq!(cut(&path).len(), MAX_KEY_CHARS, "{path}");
        }
        assert_eq!(cut("/%E5%95%86"), "/%E5%95%86", "a short path is whole");
        let long = format!("/{}", "商".repeat(300));
        assert_eq!(cut(&long).chars().count(), MAX_KEY_CHARS, "characters, not bytes");
        // Through ingest's reading of an event: a path is kept up to 1024 characters (a
        // 100-character Japanese slug whole), cut at a whole character past it.
        let slug = "%E5%95%86".repeat(100);
        let f = extract("x", "x", &format!(r#"{{"context":{{"page":{{"path":"/{slug}"}}}}}}"#));
        assert_eq!(f.path.len(), 1 + 900);
        let f = extract("x", "x", &format!(r#"{{"context":{{"page":{{"path":"/{cjk}{cjk}"}}}}}}"#));
        assert_eq!(f.path.len(), 1 + (MAX_PATH_CHARS - 1) / 9 * 9);
        assert_eq!(cut_path(&format!("/{cjk}{cjk}")), f.path);
    }

    /// One page's path written with other escapes is one key: hex digits upper case, unreserved
    /// characters unescaped; the rest as it was.
    #[test]
    fn path_keys_write_escapes_one_way() {
        assert_eq!(path_key("/%e5%95%86/%7e%41b%2F%2f"), "/%E5%95%86/~Ab%2F%2F");
        assert_eq!(path_key("/%E5%95%86"), "/%E5%95%86");
        assert_eq!(path_key("/a%zz%4"), "/a%zz%4", "no escape: as it is");
        assert_eq!(path_key("/商品/%20x y"), "/%E5%95%86%E5%93%81/%20x%20y", "as the browser writes it");
        assert_eq!(path_key(&"/%61".repeat(600)), "/a".repeat(512), "cut after it is written one way");
        let f = extract("x", "x", r#"{"context":{"page":{"path":"/%e5%95%86/%41"}}}"#);
        assert_eq!(f.path, "/%E5%95%86/A");
    }

    /// A page_leave's Core Web Vitals, rated by web-vitals' thresholds at both sides of each;
    /// the SDK's INP rating wins over `inp_ms`, which is rated only without one; figures of the
    /// wrong type, negative or absurd count as not measured, and only a page_leave has them.
    #[test]
    fn vitals_of_a_page_leave() {
        use Rating::{Good, NeedsImprovement as Ni, NotMeasured, Poor};
        let rated =
            |event: &str, properties: &str| extract(event, "x", &format!(r#"{{"properties":{properties}}}"#)).vitals;
        let leave = |properties: &str| rated("page_leave", properties);
        let v = leave(r#"{"path":"/","engaged_ms":900,"lcp_ms":2500,"cls_milli":101,"inp":"poor","inp_ms":520}"#);
        assert_eq!(v, Vitals { lcp: Good, cls: Ni, inp: Poor });
        // LCP: good up to 2500 ms, poor over 4000.
        for (ms, want) in [(0, Good), (2501, Ni), (4000, Ni), (4001, Poor), (600_000, Poor)] {
            assert_eq!(leave(&format!(r#"{{"lcp_ms":{ms}}}"#)).lcp, want, "lcp_ms {ms}");
        }
        // CLS (times 1000): good up to 0.1, poor over 0.25.
        for (milli, want) in [(0, Good), (100, Good), (250, Ni), (251, Poor)] {
            assert_eq!(leave(&format!(r#"{{"cls_milli":{milli}}}"#)).cls, want, "cls_milli {milli}");
        }
        // INP: the SDK's rating, else `inp_ms` (good up to 200, poor over 500).
        assert_eq!(leave(r#"{"inp":"needs-improvement"}"#).inp, Ni);
        assert_eq!(leave(r#"{"inp":"good","inp_ms":900}"#).inp, Good, "the rating wins");
        for (ms, want) in [(200, Good), (201, Ni), (500, Ni), (501, Poor)] {
            assert_eq!(leave(&format!(r#"{{"inp_ms":{ms}}}"#)).inp, want, "inp_ms {ms}");
            assert_eq!(
                leave(&format!(r#"{{"inp":"slow","inp_ms":{ms}}}"#)).inp,
                want,
                "an unknown rating, inp_ms {ms}"
            );
        }
        // None measured: absent, or not a figure the SDK sends.
        assert_eq!(leave(r#"{"path":"/","resumed":true}"#), Vitals::default());
        for junk in [
            r#"{"lcp_ms":"1200","cls_milli":"5","inp":3,"inp_ms":"250"}"#,
            r#"{"lcp_ms":-1,"cls_milli":-5,"inp":null,"inp_ms":-300}"#,
            r#"{"lcp_ms":600001,"cls_milli":100001,"inp":"Good","inp_ms":600001}"#,
            r#"{"lcp_ms":1.5e3,"cls_milli":0.05,"inp":["good"],"inp_ms":250.5}"#,
            r#"{"lcp_ms":99999999999999999999,"cls_milli":{},"inp":"","inp_ms":true}"#,
        ] {
            assert_eq!(leave(junk), Vitals { lcp: NotMeasured, cls: NotMeasured, inp: NotMeasured }, "{junk}");
        }
        assert_eq!(rated("page_view", r#"{"lcp_ms":1000,"cls_milli":0,"inp":"good"}"#), Vitals::default());
    }
}
