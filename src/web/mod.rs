//! The browser edge: a thin driver around the core's `Engine`. It feeds the engine what the
//! loader's sensors report and executes what the engine asks for. No policy lives here.
//!
//! Re-entrancy: executing an output can run page code synchronously (the `touchpoint:consent`
//! event, a CMP callback), and that code may call `touchpoint(...)` again. The engine is borrowed
//! only while it handles one input or hands out one output, never while JavaScript runs; an
//! input that arrives while the driver is busy waits in `INBOX` and is handled right after the
//! current one, in order. Nothing is dropped.

mod command;
pub mod dom;
pub mod host;
mod listen;
pub mod safe;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Window;

use crate::core::config::{Config, InitialConsent};
use crate::core::engine::Engine;
use crate::core::event::PageContext;
use crate::core::input::{parse_record, Boot, Input, LockAnswer, Record};
use crate::core::json::split_byte;
use crate::core::output::Output;

use host::Host;
use listen::Listener;

pub use command::run as command;

/// The Web Lock held while a page adopts the unsent events of closed tabs.
const ADOPTION_LOCK: &str = "tp:adopt";
/// Random bytes fetched per `crypto.getRandomValues` call (16 per UUID).
const ENTROPY_REFILL: usize = 256;

/// The IO side: what executes outputs. Dropping it removes every listener and the timer.
struct Io {
    host: Host,
    window: Window,
    collector: String,
    gzip: bool,
    /// `data-request-timeout`, ms: a batch's request unanswered for this long is aborted.
    timeout: f64,
    /// The deadline the browser timer is armed for: re-armed only when the engine's changes.
    armed: Cell<Option<u64>>,
    /// The engine's last `Output::Watch` of this run, told the loader once at its end: the
    /// outputs run after each input, and a burst handed over at once (a page's `track()` in a
    /// click's handler hands over the clicks before it too) turned the observer off at an
    /// earlier click's response and on again at the last click; off drops the DOM changes not
    /// yet delivered, that click handler's own: a dead_click (a test automation QA).
    watch: Cell<Option<bool>>,
    /// Lifecycle, route and window focus: always on.
    listeners: RefCell<Vec<Listener>>,
    /// The sensors that only feed events: removed while none could be kept (`Output::Sensing`),
    /// so that a visitor who denied, or whose pending buffer is full, is not observed and the
    /// page does not pay for their dispatch (measured: ~35 ms of the trusted bench's workload
    /// for the listeners alone, doing nothing).
    sensors: RefCell<Vec<Listener>>,
}

impl Drop for Io {
    fn drop(&mut self) {
        self.host.timer(-1.0);
        self.host.unobserve();
    }
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static IO: RefCell<Option<Rc<Io>>> = const { RefCell::new(None) };
    /// Inputs waiting for the driver, with the time they happened.
    static INBOX: RefCell<Vec<(Record, u64)>> = const { RefCell::new(Vec::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

#[wasm_bindgen]
extern "C" {
    /// The global `window`, bound directly: `web_sys::window()` probes four globals
    /// (globalThis, self, window, global) through four imports, and we only ever run in a page.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: JsValue;
    /// `console.warn`, declared with `catch`: a page may replace it with a function that throws.
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(msg: &str) -> Result<(), JsValue>;
    /// `reportError`: an error of the page's own callback reported as if uncaught (its
    /// `onerror` sees it), not thrown into our call; `catch`: browsers before 2022 lack it.
    #[wasm_bindgen(catch, js_name = reportError)]
    fn report_error(e: &JsValue) -> Result<(), JsValue>;
}

/// The page's window, if this is a page.
pub fn window() -> Option<Window> {
    WINDOW.with(|w| w.clone().dyn_into::<Window>().ok())
}

pub fn warn(msg: &str) {
    let _ = console_warn(msg);
}

/// See `Host::routed`.
pub fn routed() {
    if let Some(io) = io() {
        io.host.routed();
    }
}

/// The loader's clock, which never goes back (see `now` in www/host.js); the records it times
/// and the driver's own inputs must agree.
fn now_ms(io: &Io) -> u64 {
    io.host.now() as u64
}

/// `crypto.getRandomValues` (every browser since 2014). Where it fails, nothing: the engine's
/// fallback then still makes ids unique within the page.
fn random_bytes(window: &Window, n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    if !window.crypto().is_ok_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok()) {
        b.clear();
    }
    b
}

/// Randomness from a pool: one `crypto.getRandomValues` call per 16 UUIDs.
fn refill(io: &Io, e: &mut Engine) {
    if e.needs_entropy() {
        e.add_entropy(&random_bytes(&io.window, ENTROPY_REFILL));
    }
}

fn io() -> Option<Rc<Io>> {
    IO.with(|io| io.borrow().clone())
}

/// Runs `f` on the engine, if Touchpoint is running. The borrow ends with `f`.
fn with_engine<R>(f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
    let mut f = Some(f);
    let mut out = None;
    engine_call(&mut |e| out = f.take().map(|f| f(e)));
    out
}

/// Not generic: one copy of the thread-local access and borrow check for every caller (size).
fn engine_call(f: &mut dyn FnMut(&mut Engine)) {
    ENGINE.with(|e| {
        if let Some(engine) = e.borrow_mut().as_mut() {
            f(engine);
        }
    });
}

/// The page as it is now (raw; the engine scrubs it).
fn page_context() -> PageContext {
    io().map(|io| dom::page_context(&io.window)).unwrap_or_default()
}

/// Starts Touchpoint on this page. Returns false if it was already running or there is no DOM.
pub fn start(config: Config, host: Host) -> bool {
    if io().is_some() {
        return false;
    }
    let Some(window) = window() else { return false };
    let (use_tcf, use_consent_mode) =
        (config.consent == InitialConsent::Tcf, config.consent == InitialConsent::ConsentMode);
    let (collector, gzip, timeout) = (config.collector.clone(), config.gzip, config.request_timeout_ms as f64);
    let signals = dom::signals(&window, &config);
    let (slow_ms, hash_views) = (config.friction.slow_ms, config.journey.spa && config.journey.hash);
    let facts = host.facts(config.remember_consent);
    let engine = Engine::new(
        config,
        signals,
        Boot::parse(&facts),
        window.navigator().on_line(),
        &random_bytes(&window, ENTROPY_REFILL),
        host.now() as u64,
    );
    let io = Rc::new(Io {
        host,
        window,
        collector,
        gzip,
        timeout,
        armed: Cell::new(None),
        watch: Cell::new(None),
        listeners: RefCell::new(Vec::new()),
        sensors: RefCell::new(Vec::new()),
    });
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
    IO.with(|cell| *cell.borrow_mut() = Some(io.clone()));
    listen(&io, slow_ms, hash_views);
    run();
    // After the engine is in place: the CMP usually calls back synchronously with the stored choice.
    // (A CMP not there yet is looked for during 30 s by the loader, which then warns.)
    if use_tcf {
        io.host.tcf();
    }
    io.host.gpp();
    if use_consent_mode && !io.host.consent_mode() {
        warn("touchpoint: data-consent=\"consent-mode\" but window.dataLayer cannot be followed (not an array, or frozen); consent stays pending");
    }
    true
}

/// The sensors: the loader's listener functions, registered here so that they are removed when
/// Touchpoint stops (RAII) or is disabled (the loader's AbortSignal).
fn listen(io: &Io, slow_ms: u64, hash_views: bool) {
    add_listeners(io, true);
    add_listeners(io, false);
    io.host.observe(slow_ms as f64, hash_views);
}

/// Every listener: (on the window rather than the document, event, capture phase, always on).
/// Always on: lifecycle, route changes and window focus (`Io::listeners`); the others only feed
/// events (`Io::sensors`).
/// Capture phase for clicks, on the window: we see the click even if the page stops its
/// propagation (also from its own capture listener on the window: the other listeners of the
/// window still run), and before the page's own handlers change the DOM under it (but those the
/// page put on the window's capture phase before Touchpoint's: see the loader's `respond`). On
/// the document, a shop's "tap outside to close the menu" listener on the window that stopped
/// the click hid it from Touchpoint altogether (a mobile shop's QA). Capture phase on the document for
/// events that do not bubble (scroll of any element, invalid, toggle, close, play) and for the
/// form events (seen before the page stops them: input, change, submit, reset).
/// (pointermove, pointerdown and touchstart, signs of activity, and wheel, touchmove and
/// keydown, signs of the visitor's own scrolling, are the loader's own: it takes them off while
/// they could not make a record. `host.observe` adds them. So is focusout, on the focused form
/// field only.)
const LISTENERS: [(bool, &str, bool, bool); 30] = [
    (true, "pagehide", false, true),
    (true, "pageshow", false, true),
    (false, "visibilitychange", false, true),
    // A background tab frozen (Chromium: to be discarded, maybe, without a pagehide).
    (false, "freeze", false, true),
    (true, "online", false, true),
    (true, "offline", false, true),
    (true, "blur", false, true),
    (true, "focus", false, true),
    (true, "hashchange", false, true),
    (true, "popstate", false, true),
    (true, "click", true, false),
    (true, "auxclick", true, false),
    (false, "pointerdown", true, false),
    // Bubble phase on the window: after the pressed element's own mousedown handlers.
    (true, "mousedown", false, false),
    // A touch the page captures is its drag: its scrolling is the page's (see the loader's user()).
    (false, "gotpointercapture", true, false),
    (false, "lostpointercapture", true, false),
    (false, "pointerup", true, false),
    (false, "focusin", true, false),
    (false, "toggle", true, false),
    (false, "close", true, false),
    (false, "play", true, false),
    (false, "scroll", true, false),
    (true, "error", false, false),
    (true, "unhandledrejection", false, false),
    (false, "invalid", true, false),
    (false, "input", true, false),
    (false, "change", true, false),
    (false, "submit", true, false),
    // A form reset (its reset button) clears the fields with no property set and no event but this.
    (false, "reset", true, false),
    // Files dropped on a drop zone (their names masked, the errors found in them told).
    (false, "drop", true, false),
];

/// Adds the always-on listeners, or the sensors that only feed events (see `Io::sensors`).
fn add_listeners(io: &Io, always: bool) {
    let Some(doc) = io.window.document() else { return };
    let doc: &web_sys::EventTarget = doc.as_ref();
    let win: &web_sys::EventTarget = io.window.as_ref();
    let mut added = if always { io.listeners.borrow_mut() } else { io.sensors.borrow_mut() };
    for &(on_window, kind, capture, group) in &LISTENERS {
        if group == always {
            added.extend(Listener::new(&io.host, if on_window { win } else { doc }, kind, capture));
        }
    }
}

/// Stops Touchpoint: listeners removed, timer cleared, nothing else sent.
pub fn stop() {
    let io = IO.with(|cell| cell.borrow_mut().take());
    ENGINE.with(|e| e.borrow_mut().take());
    INBOX.with(|i| i.borrow_mut().clear());
    drop(io);
}

/// The loader's records (see `host.rs`).
pub fn input(records: &str) {
    for record in split_byte(records, 0x1e) {
        if let Some(item) = parse_record(record) {
            INBOX.with(|i| i.borrow_mut().push(item));
        }
    }
    run();
}

/// One input from page code (a command, a TCF callback). Returns false if not running.
pub fn feed_input(input: Input) -> bool {
    let Some(io) = io() else { return false };
    INBOX.with(|i| i.borrow_mut().push((Record::Input(input), now_ms(&io))));
    run();
    true
}

/// `getConsent(cb)`, or `getIds(cb)` (`ids`): the state right now, passed to the callback
/// synchronously.
fn answer(cb: &js_sys::Function, ids: bool) -> bool {
    let Some(io) = io() else { return false };
    // (The loader makes the object while the engine is borrowed; the page's callback is called
    // after.)
    let now = now_ms(&io);
    let Some(state) = with_engine(|e| {
        refill(&io, e); // (the next session's id may be made: see Engine::ids)
        if ids {
            let [s, a, u] = e.ids(now);
            return io.host.state(s, a, u, true);
        }
        let c = e.consent();
        let [a, b, u] = [c.analytics.as_str(), c.marketing.as_str(), ""];
        io.host.state(a, b, u, ids)
    }) else {
        return false;
    };
    // `call1` catches: a callback that throws is the page's error, reported as such, not ours.
    if let Err(e) = cb.call1(&JsValue::NULL, &state) {
        let _ = report_error(&e);
    }
    true
}

/// The driver loop: handles queued inputs one at a time, executing each one's outputs before the
/// next, then arms the timer and asks for a scheduled task if the engine wants one. A call made
/// while the loop runs (page code reacting to an output) only queues its input.
fn run() {
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    let Some(io) = io() else {
        BUSY.with(|b| b.set(false));
        return;
    };
    let now = now_ms(&io);
    execute_all(&io, now);
    loop {
        let next = INBOX.with(|i| {
            let mut i = i.borrow_mut();
            (!i.is_empty()).then(|| i.remove(0))
        });
        let Some((record, at)) = next else { break };
        if matches!(record, Record::Timer) {
            io.armed.set(None); // it fired: whatever the engine says next must be armed anew
        }
        with_engine(|e| {
            refill(&io, e);
            match record {
                Record::Input(input) => e.handle(input, at),
                Record::Timer => e.handle_timeout(at),
                Record::Tick => e.tick(at),
            }
        });
        execute_all(&io, at);
    }
    // Re-armed only when the engine's deadline comes earlier than the armed one: a later or
    // vanished deadline lets the armed timer fire early once (handle_timeout then finds nothing
    // due and the timer is armed for the real deadline), which is cheaper than clearing and
    // setting a browser timer on every click. And when the armed deadline is already past by the
    // clock while its timer has not fired: the wall clock jumped forward (a laptop waking, an NTP
    // step), and that timer, set in the old time, fires only when its delay has run out (up to
    // the 30 s heartbeat): every write to storage, send and verdict due meanwhile waited for it
    // (QA: nothing stored for 17-30 s after a wake, and lost with the tab if it crashed).
    let (deadline, tick) = with_engine(|e| (e.poll_timeout(), e.wants_tick())).unwrap_or_default();
    if let Some(at) = deadline.filter(|at| io.armed.get().is_none_or(|armed| *at < armed || armed <= now)) {
        io.armed.set(Some(at));
        io.host.timer(at.saturating_sub(now) as f64);
    }
    if tick {
        io.host.later();
    }
    if let Some(on) = io.watch.take() {
        io.host.watch(on);
    }
    BUSY.with(|b| b.set(false));
}

/// Executes the engine's outputs until it has none. Answers that the browser gives at once
/// (a beacon taken or not, a storage snapshot, a failed write) go back to the engine before the
/// next output is polled.
fn execute_all(io: &Io, now: u64) {
    while let Some(output) = with_engine(|e| e.poll_output()).flatten() {
        let answer = execute(io, output);
        if let Some(input) = answer {
            with_engine(|e| {
                refill(io, e);
                e.handle(input, now)
            });
        }
    }
}

fn execute(io: &Io, output: Output) -> Option<Input> {
    let host = &io.host;
    match output {
        Output::Send { request, body, keepalive } => {
            // Compression is asynchronous: not for a keepalive request from a leaving page.
            host.post(&io.collector, &body, request as f64, keepalive, io.gzip && !keepalive, io.timeout);
        }
        Output::Beacon { chunk, body } => {
            return Some(Input::BeaconAnswer { chunk, accepted: host.beacon(&io.collector, &body) });
        }
        Output::StorageSet { key, value } => {
            if !host.store("s", &key, &value).is_truthy() {
                return Some(Input::StorageFailed);
            }
        }
        Output::Debug(msg) => host.debug(&msg),
        Output::Remember { key, value, session } => {
            host.store(if session { "S" } else { "k" }, key, &value);
        }
        Output::StorageRemove { key } => {
            host.store("r", &key, "");
        }
        Output::StoragePurge { only } => {
            host.store("p", only.unwrap_or(""), "");
        }
        Output::ReadStorage => {
            let flat = host.store("g", "", "").as_string().unwrap_or_default();
            let mut snapshot = Vec::new();
            let mut fields = split_byte(&flat, 0x1f);
            while let (Some(k), Some(v)) = (fields.next(), fields.next()) {
                snapshot.push((k.to_string(), v.to_string()));
            }
            return Some(Input::StorageSnapshot(snapshot));
        }
        Output::RequestLock => {
            if !host.lock(ADOPTION_LOCK) {
                return Some(Input::LockAnswer(LockAnswer::Unsupported));
            }
        }
        Output::ConsentChanged(c) => host.consent(c.analytics.as_str(), c.marketing.as_str()),
        Output::Warn(msg) => warn(&msg),
        Output::Watch(on) => io.watch.set(Some(on)),
        Output::Sensing(on) => {
            host.sensing(on);
            if !on {
                io.sensors.borrow_mut().clear();
            } else if io.sensors.borrow().is_empty() {
                add_listeners(io, false);
            }
        }
    }
    None
}

/// For tests and debugging: the JSON of every event not yet sent, pending ones included.
pub fn queued_events() -> Option<Vec<String>> {
    with_engine(|e| e.queued_events())
}
