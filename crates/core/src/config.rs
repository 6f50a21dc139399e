//! Configuration from the script tag's `data-*` attributes (or the npm `init` options, which use
//! the same names). A malformed value never stops the SDK: it produces a warning naming the
//! attribute and the safe default is used.

use super::json::{cat, push_u64};
use super::outbox::Policy;
use super::tracker::PENDING_LIMIT;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialConsent {
    Pending,
    Granted,
    Denied,
    /// Read consent from an IAB TCF v2.2 CMP (`window.__tcfapi`).
    Tcf,
    /// Follow Google Consent Mode: `gtag('consent', ...)` on `window.dataLayer`, which most
    /// consent platforms feed (`input::ConsentSource::ConsentMode`).
    ConsentMode,
    /// An opt-out regime (US state laws): analytics and marketing granted until the visitor
    /// opts out (the API, a remembered decision, GPC, the consent platform's GPP US section),
    /// which this default never overrides. A page calling `consent` with both granted on every
    /// load to get the same overwrote the visitor's remembered opt-out (a US privacy counsel's QA).
    OptOut,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub collector: String,
    pub site: String,
    pub consent: InitialConsent,
    pub policy: Policy,
    pub pending_limit: usize,
    pub honor_dnt: bool,
    /// Extra URL query parameter names to mask.
    pub mask_params: Vec<String>,
    /// `data-cross-domain`: the shop's other domains (the loader carries the visit to them).
    /// Here: a page of theirs is the shop's own, as a referrer (`internal`, no referral) and as
    /// a link's target (no `outbound_click`).
    pub domains: Vec<String>,
    /// Compress fetch bodies with CompressionStream (beacons stay plain: compression is async).
    pub gzip: bool,
    /// `data-request-timeout`: ms a batch's request may go unanswered before it is abandoned
    /// (aborted) and retried. Without it a request that hangs (a proxy that never answers, a
    /// phone's connection gone dead) held every later send of the tab until the page was left.
    pub request_timeout_ms: u64,
    /// Friction detection thresholds and the signals switched off.
    pub friction: super::friction::Settings,
    /// Journey tracking: SPA page views, moments of truth, site search, downloads.
    pub journey: super::journey::Settings,
    /// `data-remember-consent`: keep the visitor's decision for the next pages (remembered.rs).
    pub remember_consent: bool,
    /// `data-debug`: the in-page debug overlay on or off; not given, `?touchpoint_debug=1` in
    /// the page URL opens it. (Off, no link can load the overlay's script, which no SRI hash
    /// pins: a security review. The loader sets it off when its own tag is pinned.)
    pub debug: Option<bool>,
    /// `data-scrub-properties`: mask emails, cards and IBANs in custom properties and drop
    /// secret-named keys (properties.rs). On by default.
    pub scrub_properties: bool,
    /// `data-track-limit="<burst>,<per second>"` or `off`: the rate limit on `track` calls.
    pub track_limit: (u64, u64),
    /// `data-clicks="off"`: no `click` events (friction and the journey's link touchpoints stay).
    pub clicks: bool,
    /// `data-sample-rate`: the percentage of sessions kept (`Session::sampled_in`); 100 keeps all.
    pub sample_rate: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            collector: "/v1/batch".into(),
            site: "default".into(),
            consent: InitialConsent::Pending,
            policy: Policy::default(),
            pending_limit: PENDING_LIMIT,
            honor_dnt: false,
            mask_params: Vec::new(),
            domains: Vec::new(),
            gzip: false,
            request_timeout_ms: 30_000,
            friction: super::friction::Settings::default(),
            journey: super::journey::Settings::default(),
            remember_consent: false,
            debug: None,
            scrub_properties: true,
            track_limit: (super::rate_limit::BURST, super::rate_limit::PER_SECOND),
            clicks: true,
            sample_rate: 100,
        }
    }
}

impl Config {
    /// The consent state at start. `data-consent="granted"` speaks for analytics; marketing
    /// always needs an explicit grant (and a denial of analytics denies it too).
    pub fn initial_consent(&self) -> super::consent::Consent {
        use super::consent::{Consent, State};
        let s = match self.consent {
            InitialConsent::Granted => State::Granted,
            InitialConsent::OptOut => return Consent { analytics: State::Granted, marketing: State::Granted },
            InitialConsent::Denied => State::Denied,
            InitialConsent::Pending | InitialConsent::Tcf | InitialConsent::ConsentMode => State::Pending,
        };
        Consent { analytics: s, marketing: if s == State::Denied { State::Denied } else { State::Pending } }
    }
}

/// Parses attributes given by name without the `data-` prefix (e.g. "batch-size").
/// Returns the config and one human-readable warning per bad attribute.
// Values are trimmed with `trim_ascii`: attributes are typed by developers, and `trim` would
// bring Unicode's whitespace table into the wasm (measured 0.1 KB gzip).
pub fn parse(get: impl Fn(&str) -> Option<String>) -> (Config, Vec<String>) {
    let mut c = Config::default();
    let mut warnings = Vec::new();
    let w = &mut warnings;

    if let Some(v) = get("collector") {
        let v = v.trim_ascii();
        if v.is_empty() || v.bytes().any(|b| b.is_ascii_whitespace()) {
            warn(w, "collector", v, "a URL");
        } else {
            c.collector = v.into();
        }
    }
    match get("site") {
        Some(v) if is_site_id(v.trim_ascii()) => c.site = v.trim_ascii().into(),
        Some(v) => warn(w, "site", &v, "1-64 letters, digits, '-', '_' or '.'"),
        None => w.push("touchpoint: data-site is missing; using \"default\"".into()),
    }
    if let Some(v) = get("consent") {
        c.consent = match v.trim_ascii().to_ascii_lowercase().as_str() {
            "pending" | "" => InitialConsent::Pending,
            "granted" => InitialConsent::Granted,
            "denied" => InitialConsent::Denied,
            "tcf" => InitialConsent::Tcf,
            "consent-mode" => InitialConsent::ConsentMode,
            "opt-out" => InitialConsent::OptOut,
            _ => {
                warn(w, "consent", &v, "pending, granted, denied, tcf, consent-mode or opt-out");
                InitialConsent::Pending
            }
        };
    }
    let mut number = |attr: &str, min: u64, max: u64, slot: &mut u64| {
        if let Some(v) = get(attr) {
            match parse_u64(&v).filter(|n| (min..=max).contains(n)) {
                Some(n) => *slot = n,
                None => {
                    let mut range = String::new();
                    push_u64(&mut range, min);
                    range.push_str("..");
                    push_u64(&mut range, max);
                    warn(w, attr, &v, &cat(&["an integer in ", &range]));
                }
            }
        }
    };
    number("request-timeout", 1_000, 600_000, &mut c.request_timeout_ms);
    let p = &mut c.policy;
    let mut batch = p.max_batch_events as u64;
    number("batch-size", 1, 500, &mut batch);
    p.max_batch_events = batch as usize;
    number("flush-interval", 100, 600_000, &mut p.flush_interval_ms);
    let mut max_queue = p.max_queue_events as u64;
    number("max-queue", 10, 10_000, &mut max_queue);
    p.max_queue_events = max_queue as usize;
    number("retry-base", 10, 600_000, &mut p.backoff_base_ms);
    number("retry-cap", 10, 3_600_000, &mut p.backoff_cap_ms);
    if p.backoff_cap_ms < p.backoff_base_ms {
        p.backoff_cap_ms = p.backoff_base_ms;
    }
    let fr = &mut c.friction;
    let mut rage = u64::from(fr.rage_clicks);
    number("rage-clicks", 2, 20, &mut rage);
    fr.rage_clicks = rage as u32;
    number("dead-click-ms", 100, 10_000, &mut fr.dead_ms);
    number("slow-interaction-ms", 50, 10_000, &mut fr.slow_ms);
    number("quick-back-ms", 1_000, 60_000, &mut fr.quick_back_ms);
    // The other thresholds of the README's friction table (each detector's defaults are in
    // friction::Settings). Kept as u64 where the detector's type differs: converted once here.
    number("rage-window-ms", 100, 10_000, &mut fr.rage_window_ms);
    number("dead-click-max-ms", 1_000, 60_000, &mut fr.dead_max_ms);
    number("error-click-ms", 100, 10_000, &mut fr.error_window_ms);
    number("thrash-window-ms", 500, 30_000, &mut fr.thrash_window_ms);
    number("poor-lcp-ms", 500, 60_000, &mut fr.lcp_ms);
    number("poor-inp-ms", 50, 10_000, &mut fr.inp_ms);
    number("poor-cls-milli", 1, 10_000, &mut fr.cls_milli);
    let mut radius = fr.rage_radius_px as u64;
    number("rage-radius-px", 0, 500, &mut radius);
    fr.rage_radius_px = radius as i32;
    let mut turns = fr.thrash_reversals as u64;
    number("thrash-turns", 2, 20, &mut turns);
    fr.thrash_reversals = turns as usize;
    let mut js = u64::from(fr.js_error_max);
    number("js-error-max", 1, 100, &mut js);
    fr.js_error_max = js as u32;
    let mut pending = c.pending_limit as u64;
    number("pending-limit", 0, 1_000, &mut pending);
    c.pending_limit = pending as usize;
    let mut sample = u64::from(c.sample_rate);
    number("sample-rate", 0, 100, &mut sample);
    c.sample_rate = sample as u8;

    for (attr, slot) in [
        ("honor-dnt", &mut c.honor_dnt),
        ("gzip", &mut c.gzip),
        ("remember-consent", &mut c.remember_consent),
        ("scrub-properties", &mut c.scrub_properties),
    ] {
        if let Some(v) = get(attr) {
            match parse_bool(&v) {
                Some(b) => *slot = b,
                None => warn(w, attr, &v, "true or false"),
            }
        }
    }
    if let Some(v) = get("debug") {
        c.debug = parse_bool(&v);
        if c.debug.is_none() {
            warn(w, "debug", &v, "true or false");
        }
    }
    // `data-friction="off"` switches every detector off; `data-friction-off="rage,dead"` some.
    // (`data-journey` and `data-clicks` too.) `on` and `off`, or what the other switches take
    // (`false`: a developer tries it here too); anything else is said, and the default (on) kept.
    // (A closure called three times: `[..; 3].map` of it was ~0.4 KB of wasm.)
    let mut switch = |name| {
        let Some(v) = get(name) else { return true };
        let t = v.trim_ascii();
        let on = if t.eq_ignore_ascii_case("off") {
            Some(false)
        } else {
            parse_bool(t).or(t.eq_ignore_ascii_case("on").then_some(true))
        };
        on.unwrap_or_else(|| {
            warn(w, name, &v, "on or off");
            true
        })
    };
    let (friction, clicks, journey) = (switch("friction"), switch("clicks"), switch("journey"));
    if !friction {
        c.friction.off = u16::MAX;
    }
    c.clicks = clicks;
    if let Some(v) = get("friction-off") {
        for name in super::json::split_byte(&v, b',') {
            let name = name.trim_ascii();
            match super::friction::ALL.iter().find(|s| s.short() == name) {
                Some(s) => c.friction.off |= s.bit(),
                None if name.is_empty() => {}
                None => warn(w, "friction-off", name, "names from the README's friction table"),
            }
        }
    }
    if let Some(v) = get("track-limit") {
        // Exactly two numbers: read off the split, not collected into a Vec (size).
        let mut parts = super::json::split_byte(&v, b',');
        let (burst, rate) = (parts.next().and_then(parse_u64), parts.next().and_then(parse_u64));
        match (burst, rate, parts.next()) {
            _ if v.trim_ascii().eq_ignore_ascii_case("off") => c.track_limit = (0, 0),
            (Some(burst), Some(rate), None) if (1..=100_000).contains(&burst) && rate <= 100_000 => {
                c.track_limit = (burst, rate)
            }
            _ => warn(w, "track-limit", &v, "<burst>,<per second> such as 500,50, or off"),
        }
    }
    let j = &mut c.journey;
    j.on = journey;
    if let Some(v) = get("spa") {
        for word in list(&v) {
            match word.as_str() {
                "off" => j.spa = false,
                "replace" => j.replace_state = true,
                "hash" => j.hash = true,
                "on" => {}
                _ => warn(w, "spa", &word, "off, or a list of replace and hash"),
            }
        }
    }
    // The lists are built by plain loops: each iterator chain collected into a Vec was its
    // own specialised collect in the wasm (size).
    if let Some(v) = get("moments") {
        j.moments = Vec::new();
        // Split, not list(): its lowercasing first would make "SignUp" `signup`, where the
        // event `SignUp` is named `sign_up` (snake_case trims what surrounds each name).
        for n in super::json::split_byte(&v, b',') {
            if let Some(n) = super::name::snake_case(n) {
                j.moments.push(n);
            }
        }
    }
    if let Some(v) = get("search-params") {
        j.search_params = list(&v);
    }
    // Added to the defaults, not in their place: a fonts store that listed `otf,ttf,woff2` lost
    // every zip and PDF download (its QA).
    if let Some(v) = get("download-extensions") {
        for e in list(&v) {
            // Leading dots off by a byte count: `trim_start_matches` brings a char searcher (size).
            j.downloads.push(e[e.bytes().take_while(|&b| b == b'.').count()..].into());
        }
    }
    if let Some(v) = get("cross-domain") {
        c.domains = list(&v);
    }
    if let Some(v) = get("mask-params") {
        // Split by hand on the ASCII comma: `str::split` brings a memchr searcher (size).
        let mut rest = v.as_str();
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b',').unwrap_or(rest.len());
            let name = rest.get(..end).unwrap_or("").trim_ascii();
            if !name.is_empty() {
                c.mask_params.push(name.to_ascii_lowercase());
            }
            rest = rest.get(end + 1..).unwrap_or("");
        }
    }
    (c, warnings)
}

/// Every `data-*` attribute the script tag understands (without the prefix). Anything else gets
/// a warning naming it: a typo like `data-concent` would otherwise fail silently.
/// (A comma-ended word list: see json::words.)
pub const KNOWN: &str = concat!(
    "collector,",
    "site,",
    "consent,",
    "batch-size,",
    "flush-interval,",
    "max-queue,",
    "retry-base,",
    "retry-cap,",
    "request-timeout,",
    "pending-limit,",
    "honor-dnt,",
    "gzip,",
    "mask-params,",
    "friction,",
    "friction-off,",
    "rage-clicks,",
    "dead-click-ms,",
    "slow-interaction-ms,",
    "quick-back-ms,",
    "rage-window-ms,",
    "rage-radius-px,",
    "dead-click-max-ms,",
    "error-click-ms,",
    "thrash-turns,",
    "thrash-window-ms,",
    "js-error-max,",
    "poor-lcp-ms,",
    "poor-inp-ms,",
    "poor-cls-milli,",
    "journey,",
    "clicks,",
    "spa,",
    "moments,",
    "search-params,",
    "download-extensions,",
    "remember-consent,",
    "debug,",
    "scrub-properties,",
    "track-limit,",
    "sample-rate,",
    // The shop's other domains, which the loader's links carry the visit's session to.
    "cross-domain,",
    // Read by the loader (www/host.js), not the engine: CSS selectors of elements that change on
    // their own; CSS selectors of elements treated as marked data-tp-ignore.
    "ambient,",
    "ignore,",
);

/// Attributes other tools put on script tags, never a typo of ours: Next.js's `next/script`
/// (`data-nscript`, on every page that loads the tag with it: a warning on each, a Next.js
/// developer's QA), Cloudflare's Rocket Loader, consent platforms' blocking (Cookiebot,
/// Usercentrics, OneTrust, cookieconsent), WordPress optimisers.
const FOREIGN: &str = "nscript,cfasync,cookieconsent,usercentrics,ot-ignore,cookiecategory,category,no-optimize";

/// The warning for a `data-*` attribute of the script tag that is not in `KNOWN`, if it is not.
pub fn unknown(attr: &str) -> Option<String> {
    let listed = |list| super::json::words(list).any(|w| w == attr.as_bytes());
    (!listed(KNOWN) && !listed(FOREIGN))
        .then(|| cat(&["touchpoint: unknown attribute data-", attr, " (ignored; see the README)"]))
}

/// A comma-separated list, trimmed and lowercased, empty items left out.
pub(crate) fn list(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in super::json::split_byte(v, b',') {
        let s = s.trim_ascii();
        if !s.is_empty() {
            out.push(s.to_ascii_lowercase());
        }
    }
    out
}

fn warn(w: &mut Vec<String>, attr: &str, value: &str, expected: &str) {
    w.push(cat(&[
        "touchpoint: data-",
        attr,
        "=\"",
        value,
        "\" is invalid (expected ",
        expected,
        "); using the default",
    ]));
}

fn is_site_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub fn parse_u64(v: &str) -> Option<u64> {
    let v = v.trim_ascii();
    if v.is_empty() || v.len() > 15 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0')))
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim_ascii().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_attrs(attrs: &[(&str, &str)]) -> (Config, Vec<String>) {
        parse(|k| attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn defaults_match_the_contract() {
        let (c, w) = parse_attrs(&[("site", "demo-shop")]);
        assert!(w.is_empty());
        assert_eq!(c.collector, "/v1/batch");
        assert_eq!(c.consent, InitialConsent::Pending);
        assert_eq!(c.policy.max_batch_events, 50);
        assert_eq!(c.policy.flush_interval_ms, 5_000);
        assert_eq!(c.pending_limit, 100);
        assert_eq!(c.sample_rate, 100, "every session is kept");
    }

    #[test]
    fn the_sample_rate_is_a_whole_percentage() {
        for (v, want, warned) in [
            ("25", 25, false),
            (" 0 ", 0, false),
            ("100", 100, false),
            ("101", 100, true),
            ("0.5", 100, true),
            ("10%", 100, true),
        ] {
            let (c, w) = parse_attrs(&[("site", "s"), ("sample-rate", v)]);
            assert_eq!((c.sample_rate, !w.is_empty()), (want, warned), "{v:?}: {w:?}");
        }
        assert_eq!(unknown("sample-rate"), None);
    }

    #[test]
    fn reads_every_attribute() {
        let (c, w) = parse_attrs(&[
            ("collector", "https://c.example/v1/batch"),
            ("site", "shop.eu"),
            ("consent", "Granted"),
            ("batch-size", "5"),
            ("flush-interval", "1000"),
            ("max-queue", "50"),
            ("retry-base", "100"),
            ("retry-cap", "2000"),
            ("pending-limit", "7"),
            ("honor-dnt", "true"),
            ("mask-params", "Coupon, ref ,,"),
            ("gzip", "1"),
            ("request-timeout", "2500"),
        ]);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.collector, "https://c.example/v1/batch");
        assert_eq!(c.site, "shop.eu");
        assert_eq!(c.consent, InitialConsent::Granted);
        for (v, want) in [("tcf", InitialConsent::Tcf), (" Consent-Mode ", InitialConsent::ConsentMode)] {
            assert_eq!(parse_attrs(&[("consent", v)]).0.consent, want, "{v}");
        }
        let both = parse_attrs(&[("consent", "opt-out")]).0.initial_consent();
        assert_eq!((both.analytics, both.marketing), (crate::consent::State::Granted, crate::consent::State::Granted));
        assert_eq!(
            Config { consent: InitialConsent::ConsentMode, ..Config::default() }.initial_consent(),
            Config::default().initial_consent(),
            "pending until the page's consent platform says"
        );
        assert_eq!(c.policy.max_batch_events, 5);
        assert_eq!(c.policy.flush_interval_ms, 1_000);
        assert_eq!(c.policy.max_queue_events, 50);
        assert_eq!((c.policy.backoff_base_ms, c.policy.backoff_cap_ms), (100, 2_000));
        assert_eq!(c.pending_limit, 7);
        assert!(c.honor_dnt);
        assert_eq!(c.mask_params, ["coupon", "ref"]);
        assert!(c.gzip);
        assert_eq!(c.request_timeout_ms, 2_500);
        assert_eq!(Config::default().request_timeout_ms, 30_000);
        let (c, w) = parse_attrs(&[("request-timeout", "10")]);
        assert_eq!(c.request_timeout_ms, 30_000, "below 1 s: the default");
        assert!(w.iter().any(|w| w.contains("data-request-timeout")), "and a warning naming it: {w:?}");
    }

    #[test]
    fn every_friction_threshold_is_an_attribute() {
        let attrs = [
            ("site", "s"),
            ("rage-clicks", "4"),
            ("rage-window-ms", "800"),
            ("rage-radius-px", "12"),
            ("dead-click-ms", "1500"),
            ("dead-click-max-ms", "9000"),
            ("error-click-ms", "2000"),
            ("slow-interaction-ms", "300"),
            ("quick-back-ms", "5000"),
            ("thrash-turns", "6"),
            ("thrash-window-ms", "4000"),
            ("js-error-max", "2"),
            ("poor-lcp-ms", "2500"),
            ("poor-inp-ms", "200"),
            ("poor-cls-milli", "100"),
        ];
        let (c, w) = parse_attrs(&attrs);
        assert!(w.is_empty(), "{w:?}");
        assert!(attrs.iter().all(|(a, _)| unknown(a).is_none()), "every one is known");
        let f = &c.friction;
        assert_eq!((f.rage_clicks, f.rage_window_ms, f.rage_radius_px), (4, 800, 12));
        assert_eq!(
            (f.dead_ms, f.dead_max_ms, f.error_window_ms, f.slow_ms, f.quick_back_ms),
            (1_500, 9_000, 2_000, 300, 5_000)
        );
        assert_eq!((f.thrash_reversals, f.thrash_window_ms, f.js_error_max), (6, 4_000, 2));
        assert_eq!((f.lcp_ms, f.inp_ms, f.cls_milli), (2_500, 200, 100));
        // Out of range: a warning naming it, the default kept.
        let (c, w) = parse_attrs(&[("site", "s"), ("thrash-turns", "1"), ("rage-radius-px", "-3")]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!((c.friction.thrash_reversals, c.friction.rage_radius_px), (4, 30));
    }

    #[test]
    fn journey_attributes() {
        let (c, w) = parse_attrs(&[
            ("site", "s"),
            ("spa", "replace, hash"),
            ("moments", "Add To Cart,purchase,, SignUp "),
            ("search-params", "Q,term"),
            ("download-extensions", ".pdf, zip"),
            ("remember-consent", ""),
        ]);
        assert!(w.is_empty(), "{w:?}");
        let j = &c.journey;
        assert!(j.on && j.spa && j.replace_state && j.hash);
        assert_eq!(j.moments, ["add_to_cart", "purchase", "sign_up"]);
        assert_eq!(j.search_params, ["q", "term"]);
        assert!(
            j.downloads.ends_with(&["pdf".to_string(), "zip".to_string()]) && j.downloads.contains(&"epub".to_string()),
            "added to the defaults"
        );
        assert!(c.remember_consent);
        let (c, w) = parse_attrs(&[("site", "s"), ("spa", "off,sometimes"), ("journey", "off"), ("clicks", " OFF")]);
        assert!(!c.journey.spa && !c.journey.on && !c.clicks);
        assert!(parse_attrs(&[("site", "s")]).0.clicks, "click events by default");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("data-spa=\"sometimes\""), "{w:?}");
        // `false` as the other switches take it; a value that is neither is said, and on kept.
        let (c, w) = parse_attrs(&[("site", "s"), ("journey", "false"), ("clicks", "0"), ("friction", "no")]);
        assert!(!c.journey.on && !c.clicks && c.friction.off == u16::MAX && w.is_empty(), "{w:?}");
        let (c, w) = parse_attrs(&[("site", "s"), ("journey", "on"), ("clicks", "disabled"), ("friction", "TRUE")]);
        assert!(c.journey.on && c.clicks && c.friction.off == 0, "{w:?}");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("data-clicks=\"disabled\" is invalid (expected on or off)"), "{w:?}");
    }

    #[test]
    fn track_limit_is_two_numbers_or_off() {
        let limit = |v: &str| {
            let (c, w) = parse_attrs(&[("site", "s"), ("track-limit", v)]);
            (c.track_limit, w.len())
        };
        let default = (super::super::rate_limit::BURST, super::super::rate_limit::PER_SECOND);
        assert_eq!(limit("500,50"), ((500, 50), 0));
        assert_eq!(limit(" 10 , 0 "), ((10, 0), 0));
        assert_eq!(limit(" OFF "), ((0, 0), 0));
        for bad in ["", "5", "5,", ",5", "0,5", "5,5,5", "5,5,", "100001,1", "1,100001", "a,b"] {
            assert_eq!(limit(bad), (default, 1), "{bad:?}");
        }
    }

    #[test]
    fn unknown_attributes_are_named() {
        assert_eq!(unknown("site"), None);
        assert_eq!(unknown("ambient"), None, "the loader's: no warning from the engine");
        assert_eq!(unknown("nscript"), None, "next/script's own");
        assert_eq!(unknown("concent").unwrap(), "touchpoint: unknown attribute data-concent (ignored; see the README)");
    }

    #[test]
    fn bad_values_warn_by_name_and_fall_back() {
        let (c, w) = parse_attrs(&[
            ("site", "my shop!"),
            ("consent", "maybe"),
            ("batch-size", "lots"),
            ("flush-interval", "5"),
            ("honor-dnt", "perhaps"),
        ]);
        assert_eq!(c, Config::default());
        assert_eq!(w.len(), 5, "{w:?}");
        assert!(
            w[1].contains("data-consent=\"maybe\"")
                && w[1].contains("pending, granted, denied, tcf, consent-mode or opt-out")
        );
        assert!(w[2].contains("data-batch-size") && w[2].contains("1..500"));
        assert!(w[3].contains("data-flush-interval"));
        let (_, w) = parse_attrs(&[]);
        assert_eq!(w, ["touchpoint: data-site is missing; using \"default\""]);
    }
}
