//! The browser edge: turns DOM events into core calls and core decisions into requests, timers
//! and storage writes. No policy lives here; it all sits in `crate::core`.

mod command;
pub mod dom;
pub mod host;
mod listen;
pub mod safe;
mod storage;
mod tcf;

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Event, Window};

use crate::core::config::Config;
use crate::core::consent::{Consent, Signals, State, Update};
use crate::core::event::{encode, Envelope, Event as TpEvent, Kind};
use crate::core::json::Obj;
use crate::core::name::uuid_v4;
use crate::core::outbox::classify;
use crate::core::tracker::{Effects, Tracker};

use host::Host;
use listen::Listener;
use storage::Store;

pub use command::run as command;

/// The Web Lock held while a page adopts the unsent events of closed tabs.
const ADOPTION_LOCK: &str = "tp:adopt";
/// How long to wait before trying again when another tab is adopting.
const ADOPTION_RETRY_MS: u64 = 1_000;

/// Everything alive for the page. One per page: `boot` refuses a second start.
pub struct Runtime {
    config: Config,
    env: Envelope,
    tracker: Tracker,
    host: Host,
    store: Store,
    window: Window,
    document: Document,
    timer: Option<i32>,
    tick: Function,
    done: Function,
    /// Whether this page has taken over the unsent events of closed tabs yet.
    adopted: bool,
    /// A Web Lock request for the adoption is outstanding (its answer comes back in `on_lock`).
    adopting: bool,
    on_lock: Function,
    next_adoption_try: u64,
    last_heartbeat: u64,
    /// Between `pagehide` and a `pageshow` (bfcache): the page is leaving, so it must not
    /// write a heartbeat again (that would hide its unsent events from the next page) nor start
    /// new requests.
    gone: bool,
    /// Overflow drops already reported as `queue_overflow` events.
    reported_overflow: u64,
    warnings: u32,
    /// Kept alive for as long as the browser may call them: timer tick, fetch answer, lock answer.
    _closures: Callbacks,
    tcf: Option<Closure<dyn FnMut(JsValue, JsValue)>>,
    listeners: Vec<Listener>,
}

type Callbacks = (Closure<dyn FnMut()>, Closure<dyn FnMut(f64, f64, JsValue)>, Closure<dyn FnMut(JsValue)>);

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Runs `f` on the runtime, if Touchpoint is running.
pub fn with_runtime<R>(f: impl FnOnce(&mut Runtime) -> R) -> Option<R> {
    RUNTIME.with(|rt| rt.try_borrow_mut().ok()?.as_mut().map(f))
}

#[wasm_bindgen]
extern "C" {
    /// The global `window`, bound directly: `web_sys::window()` probes four globals
    /// (globalThis, self, window, global) through four imports, and we only ever run in a page.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: JsValue;
}

/// The page's window, if this is a page.
pub fn window() -> Option<Window> {
    WINDOW.with(|w| w.clone().dyn_into::<Window>().ok())
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

pub fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    let filled =
        window().and_then(|w| w.crypto().ok()).is_some_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok());
    if !filled {
        for x in b.iter_mut() {
            *x = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b
}

fn random_u32() -> u32 {
    let b = random_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

pub fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

fn signals(window: &Window, config: &Config) -> Signals {
    // Read loosely: either may be missing, and Chromium's doNotTrack is null, not a string.
    let nav = window.navigator();
    let read = |name: &str| js_sys::Reflect::get(&nav, &JsValue::from_str(name)).unwrap_or(JsValue::NULL);
    let gpc = read("globalPrivacyControl") == JsValue::TRUE;
    let dnt = read("doNotTrack").as_string().as_deref() == Some("1");
    Signals { gpc, dnt, honor_dnt: config.honor_dnt }
}

fn initial_consent(config: &Config) -> Consent {
    use crate::core::config::InitialConsent as I;
    let s = match config.consent {
        I::Granted => State::Granted,
        I::Denied => State::Denied,
        I::Pending | I::Tcf => State::Pending,
    };
    // `data-consent="granted"` speaks for analytics; marketing always needs an explicit grant.
    Consent { analytics: s, marketing: if s == State::Denied { State::Denied } else { State::Pending } }
}

/// Starts Touchpoint on this page. Returns false if it was already running or there is no DOM.
pub fn start(config: Config, host: Host) -> bool {
    if RUNTIME.with(|rt| rt.borrow().is_some()) {
        return false;
    }
    let Some(window) = window() else { return false };
    let Some(document) = window.document() else { return false };
    let signals = signals(&window, &config);
    let tracker = Tracker::new(initial_consent(&config), signals, config.policy.clone(), config.pending_limit);
    let env = Envelope {
        site: config.site.clone(),
        session_id: uuid_v4(random_bytes()),
        anonymous_id: None,
        page: dom::page_context(&window, &document, &config.mask_params),
    };
    let tick = Closure::<dyn FnMut()>::new(|| {
        with_runtime(|rt| {
            rt.timer = None;
            rt.pump();
        });
    });
    let done = Closure::<dyn FnMut(f64, f64, JsValue)>::new(|request: f64, status: f64, retry: JsValue| {
        with_runtime(|rt| rt.on_answer(request as u64, status as u16, retry.as_string()));
    });
    let on_lock = Closure::<dyn FnMut(JsValue)>::new(|held: JsValue| {
        with_runtime(|rt| rt.on_lock(held.as_bool()));
    });
    let on_lock_fn = host.guard(on_lock.as_ref().unchecked_ref());
    let tick_fn = host.guard(tick.as_ref().unchecked_ref());
    let done_fn = host.guard(done.as_ref().unchecked_ref());
    let tab = uuid_v4(random_bytes())[..8].to_string();
    let use_tcf = config.consent == crate::core::config::InitialConsent::Tcf;
    let mut rt = Runtime {
        config,
        env,
        tracker,
        host: host.clone(),
        store: Store::closed(tab),
        window,
        document,
        timer: None,
        tick: tick_fn,
        done: done_fn,
        adopted: false,
        adopting: false,
        on_lock: on_lock_fn,
        next_adoption_try: 0,
        last_heartbeat: 0,
        gone: false,
        reported_overflow: 0,
        warnings: 0,
        _closures: (tick, done, on_lock),
        tcf: None,
        listeners: Vec::new(),
    };
    // A denial given up front means nothing of ours may remain from earlier visits either.
    // (Removal only: nothing is written, and with nothing of ours stored nothing is touched.)
    let consent = rt.tracker.consent();
    if consent.analytics == State::Denied {
        Store::closed(String::new()).purge(None);
    } else if consent.marketing == State::Denied {
        Store::closed(String::new()).purge(Some(storage::IDENTITY));
    }
    rt.listen();
    rt.tracker.outbox.set_online(rt.window.navigator().on_line());
    rt.after_consent_change();
    RUNTIME.with(|cell| *cell.borrow_mut() = Some(rt));
    if use_tcf {
        // Outside the borrow above: the CMP may call back synchronously.
        let closure = tcf::listen(&host);
        with_runtime(|rt| rt.tcf = closure);
    }
    true
}

impl Runtime {
    fn listen(&mut self) {
        let doc: &web_sys::EventTarget = self.document.as_ref();
        let win: &web_sys::EventTarget = self.window.as_ref();
        let host = self.host.clone();
        self.listeners = vec![
            // Capture phase: we see the click even if the page stops its propagation.
            Listener::new(
                &host,
                doc,
                "click",
                true,
                Box::new(|e: Event| {
                    with_runtime(|rt| rt.on_click(&e));
                }),
            ),
            Listener::new(
                &host,
                win,
                "pagehide",
                false,
                Box::new(|_| {
                    with_runtime(|rt| {
                        rt.on_hide();
                        // What is left stays persisted, and the next page may adopt it right away.
                        // (Only on pagehide: a merely hidden tab is still alive and will send it.)
                        rt.store.leave();
                        rt.gone = true;
                    });
                }),
            ),
            Listener::new(
                &host,
                win,
                "pageshow",
                false,
                Box::new(|_| {
                    with_runtime(|rt| {
                        if rt.gone {
                            // Back from the bfcache: announce ourselves again and resume.
                            rt.gone = false;
                            rt.last_heartbeat = 0;
                            rt.drop_adopted();
                            rt.pump();
                        }
                    });
                }),
            ),
            Listener::new(
                &host,
                doc,
                "visibilitychange",
                false,
                Box::new(|_| {
                    with_runtime(|rt| {
                        if rt.document.visibility_state() == web_sys::VisibilityState::Hidden {
                            rt.on_hide();
                        }
                    });
                }),
            ),
            Listener::new(
                &host,
                win,
                "online",
                false,
                Box::new(|_| {
                    with_runtime(|rt| rt.set_online(true));
                }),
            ),
            Listener::new(
                &host,
                win,
                "offline",
                false,
                Box::new(|_| {
                    with_runtime(|rt| rt.set_online(false));
                }),
            ),
        ];
    }

    pub fn warn(&mut self, msg: &str) {
        // One warning per bad call, but a runaway loop of bad calls must not flood the console.
        const MAX_WARNINGS: u32 = 20;
        self.warnings += 1;
        if self.warnings <= MAX_WARNINGS {
            warn(msg);
        }
        if self.warnings == MAX_WARNINGS {
            warn("touchpoint: further warnings are suppressed");
        }
    }

    /// Builds, encodes and hands an event to the tracker.
    pub fn capture(&mut self, kind: Kind, name: &str, properties: String) {
        let now = now_ms();
        let event =
            TpEvent { kind, name: name.into(), message_id: uuid_v4(random_bytes()), timestamp_ms: now, properties };
        let encoded = encode(&event, &self.env);
        let fx = self.tracker.capture(encoded, now);
        self.apply(fx);
        self.pump();
    }

    pub fn page_view(&mut self, properties: String) {
        self.env.page = dom::page_context(&self.window, &self.document, &self.config.mask_params);
        self.capture(Kind::Page, "page_view", properties);
    }

    fn on_click(&mut self, e: &Event) {
        let Some(el) = dom::as_element(e.target()).and_then(|t| dom::clicked_element(&t)) else { return };
        self.capture(Kind::Track, "click", Obj::new().raw("element", &dom::describe(&el)).finish());
    }

    pub fn set_consent(&mut self, update: Update, source: &str) {
        let (before, fx) = self.tracker.set_consent(update, now_ms());
        let after = self.tracker.consent();
        if before != after {
            // First, so that storage is open before the released events are persisted.
            self.after_consent_change();
        }
        self.apply(fx);
        if before != after {
            let props = Obj::new()
                .str("analytics", after.analytics.as_str())
                .str("marketing", after.marketing.as_str())
                .str("source", source)
                .finish();
            self.capture(Kind::Track, "consent_change", props);
        }
        self.pump();
    }

    /// Storage and identity follow consent: open storage and take over closed tabs' unsent
    /// events once analytics allows storage; keep the cross-visit id only while marketing is
    /// granted.
    fn after_consent_change(&mut self) {
        let consent = self.tracker.consent();
        if consent.may_store_queue() || consent.may_store_identity() {
            self.store.open();
        }
        if consent.may_store_queue() {
            self.last_heartbeat = 0;
            self.maintain_storage(now_ms());
        }
        if consent.may_store_identity() && self.env.anonymous_id.is_none() {
            let id = self.store.get(storage::IDENTITY).unwrap_or_else(|| uuid_v4(random_bytes()));
            self.store.set(storage::IDENTITY, &id);
            self.env.anonymous_id = Some(id);
        }
        if !consent.may_store_identity() {
            self.env.anonymous_id = None;
        }
        self.dispatch_consent();
    }

    /// Heartbeat (so other tabs know we are alive) and adoption of orphaned events, both only
    /// while analytics consent allows storage.
    fn maintain_storage(&mut self, now: u64) {
        if self.gone || !self.tracker.consent().may_store_queue() {
            return;
        }
        if now.saturating_sub(self.last_heartbeat) >= 30_000 {
            self.last_heartbeat = now;
            self.store.heartbeat(now);
        }
        if self.next_adoption().is_some_and(|at| now >= at) {
            // One tab at a time: under a Web Lock where the browser has them, else under the
            // store's localStorage lease (best effort: localStorage has no compare-and-set).
            self.adopting = self.host.lock(ADOPTION_LOCK, &self.on_lock);
            if !self.adopting {
                self.adopt(false, now);
            }
        }
    }

    /// When this page should next try to take over closed tabs' events: None once it has, while
    /// its lock request is out, or while analytics consent does not allow storage.
    fn next_adoption(&self) -> Option<u64> {
        let pending = !self.adopted && !self.adopting && self.tracker.consent().may_store_queue();
        pending.then_some(self.next_adoption_try)
    }

    /// The answer to the adoption's lock request: `Some(true)` held (by us, for this call
    /// only), `Some(false)` another tab holds it, `None` the request failed.
    fn on_lock(&mut self, held: Option<bool>) {
        self.adopting = false;
        // The answer is asynchronous: consent may have been withdrawn or the page left since.
        if self.adopted || self.gone || !self.tracker.consent().may_store_queue() {
            return;
        }
        let now = now_ms();
        match held {
            Some(true) => self.adopt(true, now),
            Some(false) => self.next_adoption_try = now + ADOPTION_RETRY_MS,
            None => self.adopt(false, now),
        }
        self.pump();
    }

    fn adopt(&mut self, locked: bool, now: u64) {
        match self.store.adopt_orphans(locked, now) {
            Some(events) => {
                self.adopted = true;
                let fx = self.tracker.restore(events, now);
                self.apply(fx);
            }
            None => self.next_adoption_try = now + ADOPTION_RETRY_MS,
        }
    }

    /// Back from the bfcache: while this page was frozen (its heartbeat removed on `pagehide`),
    /// another page may have adopted its persisted events and sent them. Their keys are gone
    /// then; sending our in-memory copies too would make two senders of one event.
    fn drop_adopted(&mut self) {
        if !self.tracker.consent().may_store_queue() || !self.store.is_open() {
            return;
        }
        let mut adopted = Vec::new();
        for e in self.tracker.outbox.events() {
            if !self.store.holds(&e.message_id) {
                adopted.push(e.message_id.clone());
            }
        }
        self.tracker.outbox.forget(&adopted);
    }

    /// Lets the page follow the state: `window.addEventListener('touchpoint:consent', …)`.
    fn dispatch_consent(&self) {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&self.consent_object());
        if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict("touchpoint:consent", &init) {
            let _ = self.window.dispatch_event(&ev);
        }
    }

    pub fn consent_object(&self) -> JsValue {
        let c = self.tracker.consent();
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &"analytics".into(), &c.analytics.as_str().into());
        let _ = js_sys::Reflect::set(&obj, &"marketing".into(), &c.marketing.as_str().into());
        obj.into()
    }

    fn apply(&mut self, fx: Effects) {
        // Even if this page never opened storage: withdrawal must leave no trace of ours.
        if fx.purge_storage {
            self.store.purge(None);
            self.adopted = false;
        } else if fx.forget_identity {
            self.store.purge(Some(storage::IDENTITY));
        }
        if self.tracker.consent().may_store_queue() {
            for e in &fx.persist {
                self.store.persist(e);
            }
        }
        for id in &fx.unpersist {
            self.store.remove(id);
        }
    }

    pub fn flush(&mut self) {
        self.tracker.outbox.request_flush();
        self.pump();
    }

    fn set_online(&mut self, online: bool) {
        self.tracker.outbox.set_online(online);
        self.pump();
    }

    /// Sends what is due and arms the timer for the next decision.
    fn pump(&mut self) {
        if self.gone {
            return;
        }
        let now = now_ms();
        self.maintain_storage(now);
        self.report_overflow();
        if self.tracker.consent().may_send() {
            if let Some(t) = self.tracker.outbox.poll_transmit(now) {
                if !self.host.post(&self.config.collector, &t.body, t.request, false, self.config.gzip, &self.done) {
                    self.on_answer(t.request, 0, None);
                    return;
                }
            }
        }
        if let Some(id) = self.timer.take() {
            self.window.clear_timeout_with_handle(id);
        }
        let mut wakeup = self.tracker.outbox.next_wakeup(now);
        if let Some(adoption) = self.next_adoption() {
            // Another tab was adopting: try again when it should be done, not on the next event.
            wakeup = Some(wakeup.map_or(adoption, |at| at.min(adoption)));
        }
        if let Some(at) = wakeup {
            let delay = at.saturating_sub(now).min(i32::MAX as u64) as i32;
            self.timer = self.window.set_timeout_with_callback_and_timeout_and_arguments_0(&self.tick, delay).ok();
        }
    }

    /// Events lost to the queue bounds are themselves reported, as one `queue_overflow` event
    /// per run of losses, once the queue has room again: reporting into a full queue would
    /// evict another event, whose loss would be reported, and so on.
    fn report_overflow(&mut self) {
        let dropped = self.tracker.outbox.stats.dropped_overflow + self.tracker.pending_overflow;
        let room = self.tracker.outbox.len() < self.tracker.outbox.policy().max_queue_events;
        if dropped > self.reported_overflow && room && self.tracker.consent().may_send() {
            let delta = dropped - self.reported_overflow;
            self.reported_overflow = dropped;
            self.capture(Kind::Track, "queue_overflow", Obj::new().int("dropped", delta as i64).finish());
        }
    }

    fn on_answer(&mut self, request: u64, status: u16, retry_after: Option<String>) {
        let outcome = classify(status, retry_after.as_deref());
        for id in self.tracker.outbox.on_result(request, outcome, now_ms(), random_u32()) {
            self.store.remove(&id);
        }
        self.pump();
    }

    /// The page is being hidden or closed: hand everything queued to the browser in chunks
    /// under the beacon budget. A refused beacon falls back to a keepalive fetch; what is not
    /// acknowledged stays persisted for the next page.
    fn on_hide(&mut self) {
        if !self.tracker.consent().may_send() {
            return;
        }
        let nav = self.window.navigator();
        for chunk in self.tracker.outbox.unload_chunks(now_ms()) {
            let accepted = nav.send_beacon_with_opt_str(&self.config.collector, Some(&chunk.body)).unwrap_or(false);
            if accepted {
                for id in self.tracker.outbox.forget(&chunk.message_ids) {
                    self.store.remove(&id);
                }
            } else {
                // Request id 0 is never in flight, so its answer only matters to the collector.
                self.host.post(&self.config.collector, &chunk.body, 0, true, false, &self.done);
            }
        }
    }

    /// For tests and debugging: the JSON of every event not yet sent, pending ones included.
    pub fn queued_events(&self) -> Vec<String> {
        self.tracker.debug_events()
    }
}

/// Stops Touchpoint: listeners removed, timer cleared, nothing else sent.
pub fn stop() {
    let rt = RUNTIME.with(|cell| cell.try_borrow_mut().ok().and_then(|mut c| c.take()));
    if let Some(mut rt) = rt {
        if let Some(id) = rt.timer.take() {
            rt.window.clear_timeout_with_handle(id);
        }
    }
}
