//! The loader's helpers (www/host.js), as a typed interface: the one place where the driver
//! calls loose JavaScript. The loader builds the object with `makeHost` and hands it to `boot`;
//! the browser tests import the same file as a module.
//!
//! The contract, both ways:
//! - JS -> wasm: `boot(attrs, queue, host)`, `command(args)` for `touchpoint(...)`, and
//!   `input(records)` for everything the browser reports (sensor records, timer, scheduled task,
//!   fetch and lock answers; the format is `core::input::parse_record`'s).
//! - wasm -> JS: the methods below. None of them throws: each catches what the browser throws
//!   and reports it as a return value or a record.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The object `makeHost(input, guard, signal)` returns.
    #[derive(Clone)]
    pub type Host;

    /// What the page is at start, as one text (`core::input::Boot::parse`). `remembered`: read
    /// the remembered consent decision (only with `data-remember-consent`: storage is not even
    /// read for a feature the site did not turn on).
    #[wasm_bindgen(method, structural)]
    pub fn facts(this: &Host, remembered: bool) -> String;
    /// After the landing's page view: hands over, as the next view, a route the app took
    /// before `facts` (a late-loaded SDK).
    #[wasm_bindgen(method, structural)]
    pub fn routed(this: &Host);
    /// The loader's clock (`Date.now()`, but never going back), which also times its records.
    #[wasm_bindgen(method, structural)]
    pub fn now(this: &Host) -> f64;
    /// Schedules the task that hands queued records over (one per burst).
    #[wasm_bindgen(method, structural)]
    pub fn later(this: &Host);
    /// Hands queued records over now (tests; the loader does it itself on urgent events).
    #[wasm_bindgen(method, structural)]
    pub fn drain(this: &Host);
    /// Arms the engine's one timer `ms` from now (a `t` record when it fires); `ms < 0` clears it.
    #[wasm_bindgen(method, structural)]
    pub fn timer(this: &Host, ms: f64);
    /// A fetch; its answer comes back as an `a` record (status 0 when it failed, or got no
    /// answer within `timeout` ms and was aborted).
    #[wasm_bindgen(method, structural)]
    pub fn post(this: &Host, url: &str, body: &str, request: f64, keepalive: bool, gzip: bool, timeout: f64);
    /// `JSON.stringify(v)` as if the page had not given arrays a `toJSON` (Prototype.js does);
    /// None where it throws (a cycle, a BigInt).
    #[wasm_bindgen(method, structural)]
    pub fn json(this: &Host, v: &JsValue) -> Option<String>;
    /// Merges `v`'s keys into the page's tags (a null value removes its key) and returns all of
    /// them as JSON; undefined if `v` is not a plain object or they cannot be serialised.
    #[wasm_bindgen(method, structural)]
    pub fn tags(this: &Host, v: &JsValue) -> Option<String>;
    /// `navigator.sendBeacon`; false when refused or missing.
    #[wasm_bindgen(method, structural)]
    pub fn beacon(this: &Host, url: &str, body: &str) -> bool;
    /// Asks for a Web Lock (the answer comes as an `l` record); false without `navigator.locks`.
    #[wasm_bindgen(method, structural)]
    pub fn lock(this: &Host, name: &str) -> bool;
    /// localStorage: `s` set (false if it threw), `r` remove, `p` purge (every `tp:` key of
    /// localStorage and sessionStorage, or only `key`), `g` every `tp:` key and value joined by
    /// U+001F ("" if storage cannot be read); `k` set in localStorage and `S` set in
    /// sessionStorage, for keys kept apart from the queue (`Output::Remember`).
    #[wasm_bindgen(method, structural)]
    pub fn store(this: &Host, op: &str, key: &str, value: &str) -> JsValue;
    /// The listener function for a DOM event name (None if the loader has no sensor for it).
    #[wasm_bindgen(method, structural)]
    pub fn sensor(this: &Host, name: &str) -> Option<js_sys::Function>;
    /// Sets the page's `beforeSend` hook (null removes it); false if `hook` is neither.
    #[wasm_bindgen(method, structural, js_name = beforeSend)]
    pub fn before_send(this: &Host, hook: &JsValue) -> bool;
    /// Dispatches the `touchpoint:consent` window event.
    #[wasm_bindgen(method, structural)]
    pub fn consent(this: &Host, analytics: &str, marketing: &str);
    /// `{analytics, marketing}` for `getConsent` callbacks, or with `ids`, `{sessionId,
    /// anonymousId, userId}` (null for "") for `getIds` callbacks.
    #[wasm_bindgen(method, structural)]
    pub fn state(this: &Host, a: &str, b: &str, c: &str, ids: bool) -> JsValue;
    /// Hands a message to the debug overlay, loading it (`touchpoint-overlay.js`, next to the
    /// SDK) on the first one. Only called when the overlay is on.
    #[wasm_bindgen(method, structural)]
    pub fn debug(this: &Host, msg: &str);
    /// Whether a click waits for a response (DOM changes and other responses are reported).
    #[wasm_bindgen(method, structural)]
    pub fn watch(this: &Host, on: bool);
    /// Whether the sensors report (`Output::Sensing`); lifecycle, route and window focus
    /// sensors always do.
    #[wasm_bindgen(method, structural)]
    pub fn sensing(this: &Host, on: bool);
    /// Starts the PerformanceObservers and the request/history wrappers (once); Event Timing
    /// entries shorter than `slow_ms` are not reported; `hash_views`: a change of the URL's
    /// fragment can be a new page view (otherwise the loader hands such jumps over as no route).
    #[wasm_bindgen(method, structural)]
    pub fn observe(this: &Host, slow_ms: f64, hash_views: bool);
    /// Disconnects the observers (the wrappers stay, as pass-throughs).
    #[wasm_bindgen(method, structural)]
    pub fn unobserve(this: &Host);
    /// Follows the page's IAB TCF CMP (`p` records), once its `__tcfapi` is there (looked for
    /// during 30 s, then a console warning).
    #[wasm_bindgen(method, structural)]
    pub fn tcf(this: &Host);
    /// Follows the page's IAB GPP consent platform (`U` records: a US opt-out), once its `__gpp`
    /// is there (looked for during 10 s).
    #[wasm_bindgen(method, structural)]
    pub fn gpp(this: &Host);
    /// Follows Google Consent Mode on `window.dataLayer` (`z` records); false if the page's
    /// `dataLayer` cannot be followed (not an array, or frozen).
    #[wasm_bindgen(method, structural, js_name = consentMode)]
    pub fn consent_mode(this: &Host) -> bool;
    /// Aborting it removes every listener at once (the loader's kill switch).
    #[wasm_bindgen(method, structural, getter)]
    pub fn signal(this: &Host) -> Option<web_sys::AbortSignal>;
}
