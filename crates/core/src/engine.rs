//! The engine: everything Touchpoint decides, in one deterministic state machine (quinn-proto
//! style). The web layer feeds it inputs with the time they happened (`handle`), tells it when
//! its timer fired (`handle_timeout`) and when a scheduled task runs (`tick`), and executes what
//! `poll_output` returns. It never reads a clock, the DOM, storage or the network; randomness
//! comes from a pool the web layer fills (`add_entropy`).
//!
//! Work is shaped for the page's main thread: an input only updates state; storage writes are
//! grouped into one write per `PERSIST_MS` (and done at once before a send, on `flush` and when
//! the page is hidden or left); requests start from `tick`, timers and answers, never from inside
//! an input handler.
//!
//! The price of grouping writes, stated: a tab that crashes (no `pagehide`, no
//! `visibilitychange`) within `PERSIST_MS` of a capture loses what it captured in that window.
//! Everything written before is adopted by the next page of the site.

use super::adoption::Adopter;
use super::config::Config;
use super::consent::{Consent, Signals, State};
use super::event::{encode, Envelope, Event, Kind, PageContext};
use super::friction::{self, Findings, Friction};
use super::input::{
    Boot, Click, Command, ConsentSource, Input, LockAnswer, Nav, Sensed, SENSED_DISABLED, SENSED_EDITABLE,
    SENSED_ELSEWHERE,
};
use super::input::{SENSED_INTERACTIVE, SENSED_LOOKS_INTERACTIVE};
use super::journey::session::{self, Session};
use super::journey::{self, attribution, with_member, Journey, Touchpoints};
use super::name::uuid_v4;
use super::outbox::{classify, Chunk};
use super::output::Output;
use super::schema;
use super::scrub::{clean_label, scrub_message, scrub_page_url, scrub_text, scrub_url};
use super::storage::{self, get, heartbeat_key, Journal, Snapshot, CUSTOMER, HEARTBEAT_MS, IDENTITY};
use super::timers::{Timer, Timers};
use super::tracker::{Effects, Tracker};

/// Console warnings per page: one per bad call, but a runaway loop must not flood the console.
const MAX_WARNINGS: u32 = 20;
/// Entropy the engine likes to have at hand (a UUID takes 16 bytes).
const ENTROPY_LOW: usize = 64;
/// Events captured are written to storage at most this long after capture, as one group.
pub const PERSIST_MS: u64 = 1_000;

pub struct Engine {
    /// The page's configuration (its `journey` part moved into `journey`).
    config: Config,
    env: Envelope,
    tracker: Tracker,
    journal: Journal,
    adopter: Adopter,
    timers: Timers,
    out: Vec<Output>,
    /// Index of the next output `poll_output` returns.
    next_out: usize,
    entropy: Vec<u8>,
    /// Bytes handed out since the pool was last refilled (the fallback mixes it in).
    drawn: u64,
    /// A storage write failed: carry on from memory.
    storage_failed: bool,
    /// Between `pagehide` and a `pageshow` (bfcache): the page is leaving, so it must not write a
    /// heartbeat again (that would hide its unsent events from the next page) nor start requests.
    gone: bool,
    last_heartbeat: Option<u64>,
    /// Overflow drops already reported as `queue_overflow` events.
    reported_overflow: u64,
    warnings: u32,
    /// A `ReadStorage` is out; its snapshot serves every reader below.
    reading: bool,
    /// Marketing was granted and the cross-visit id is still to be read or made.
    want_identity: bool,
    /// The `consent_change` event waits for the identity, so it carries it.
    consent_event: Option<String>,
    /// The page view under way was not kept (analytics denied): its navigation, to take it when
    /// analytics is granted on this page (see `view_again`).
    lost_view: Option<&'static str>,
    /// The navigation of the page view under way (its `lost_view` when analytics is denied while
    /// it waits in the pending buffer).
    view_nav: &'static str,
    /// The page view under way is its session's first, which carries its attribution (taken
    /// again as the first when a denial discards it: see `set_consent`).
    view_landed: bool,
    /// The site search terms in the view under way's address, as the visitor wrote them (see
    /// `terms`); `terms_new`: for a route's view, whether its terms differ from the view's
    /// before (None: a view no route made).
    view_terms: String,
    terms_new: Option<bool>,
    /// The visitor's decision to remember (data-remember-consent) waits for the identity too: it
    /// is written once the id is, so that another tab, which applies the decision when it sees
    /// it written, reads this id rather than making a second one.
    remember_later: Option<String>,
    /// Back from the bfcache: drop the groups another page adopted meanwhile.
    check_taken_over: bool,
    /// Unload chunks handed to `sendBeacon`, and how many answers are still due.
    unload: Vec<Chunk>,
    beacons_due: usize,
    leaving: bool,
    /// A batch is due: `tick` should send it.
    tick_wanted: bool,
    /// When the events not yet written must be (the `Persist` timer).
    persist_due: Option<u64>,
    friction: Friction,
    /// The sensors report responses (the last `Output::Watch`).
    watching: bool,
    /// The sensors report (the last `Output::Sensing`; they start on).
    sensing: bool,
    /// When the page was last hidden by `pagehide` (quick back from the bfcache).
    left_at: Option<u64>,
    journey: Journey,
    session: Session,
    /// The session began on this page and its first page view (with attribution) is still due.
    session_fresh: bool,
    /// A `reset` ended the view under way: the next person's view of the page is captured with
    /// their first event or route (see `reset`).
    reset_owed: bool,
    /// What is captured now ends a view (its page_leave, its vitals judged, a form abandoned at
    /// pagehide): it belongs to the session the view began in, however long ago its last event.
    ending_view: bool,
    /// The id of the session the next event begins, when `getIds` was asked for it after the
    /// session's idle minutes (see `ids`): made then, taken by `new_session`.
    next_session_id: Option<String>,
    /// The session's `last` as it was last written (`save_session`).
    session_saved: u64,
    /// The session as another tab of the visit last wrote it (`Input::OtherTab`): when its page
    /// view began after this tab's, the copy for the visit's next tab names that view as the
    /// visit's last page (`save_session`).
    elsewhere: Session,
    /// In a frame (`Boot::framed`): the page around it keeps the tab's last page view, the
    /// session's path and view times as the frame's page found them (see `save_session`).
    framed: bool,
    /// The page's tags (`set_tags`), a cleaned JSON object ("" or "{}" for none).
    tags: String,
    /// The tags before the first `set` made at `tags_at`: a route change at that time ends the
    /// view left with them (see `route`).
    tags_before: String,
    tags_at: u64,
    /// `context` members of this page (locale, time zone, viewport, device class), without the
    /// session's channel.
    device: String,
    /// Page views captured on this page (the first one is the load's).
    page_views: u32,
    /// The first screen's depth, for the first page view.
    first_depth: u8,
    /// A malformed `data-tp-props` was already reported (one warning per page).
    warned_props: bool,
    /// The debug overlay is on (`data-debug` or `?touchpoint_debug=1`).
    debug: bool,
    /// A quick_back found at start (this page loaded by the back button), captured right after
    /// the page view.
    reload_findings: Findings,
    /// This page was loaded by the back or forward button (not restored from the back/forward
    /// cache): its page view's navigation is `back_forward`, as a single-page app's Back is.
    landed_back: bool,
    /// The page's own `track` calls, rate-limited.
    rate: super::rate_limit::RateLimit,
}

impl Engine {
    /// `boot`: the page as the web layer read it (scrubbed here), the device facts, the
    /// remembered consent and the tab's session; `online`: `navigator.onLine`; `entropy`: at
    /// least 32 random bytes (session and tab ids).
    pub fn new(mut config: Config, signals: Signals, boot: Boot, online: bool, entropy: &[u8], now: u64) -> Engine {
        // A remembered decision is the visitor's own: it comes before the page's default, for
        // each category it decided (a marketing opt-out alone leaves analytics to the default).
        // (`remembered::update` leaves out what it did not decide; the tracker enforces the signals.)
        let remembered =
            Some(&boot.remembered).filter(|_| config.remember_consent).and_then(|r| super::remembered::update(r, now));
        let initial = config.initial_consent().apply(remembered.unwrap_or_default(), Signals::default());
        let tracker = Tracker::new(initial, signals, config.policy.clone(), config.pending_limit);
        let friction = Friction::new(config.friction.clone());
        let device = device_context(&boot, config.sample_rate);
        // Moved, not cloned (three lists of strings): the journey keeps its settings, and the
        // engine's copy of the config is never asked for them.
        let journey = Journey::new(std::mem::take(&mut config.journey), now, boot.visible, boot.focused);
        let debug = config
            .debug
            .unwrap_or_else(|| journey::url::param(&boot.page.url, "touchpoint_debug").as_deref() == Some("1"));
        let page = boot.page;
        let track_limit = config.track_limit;
        let mut e = Engine {
            env: Envelope { site: config.site.clone(), ..Envelope::default() },
            config,
            tracker,
            journal: Journal::new(String::new()),
            adopter: Adopter::default(),
            timers: Timers::default(),
            out: Vec::new(),
            next_out: 0,
            entropy: Vec::new(),
            drawn: 0,
            storage_failed: false,
            gone: false,
            last_heartbeat: None,
            reported_overflow: 0,
            warnings: 0,
            reading: false,
            want_identity: false,
            consent_event: None,
            lost_view: None,
            view_landed: false,
            view_terms: String::new(),
            terms_new: None,
            view_nav: "load",
            remember_later: None,
            check_taken_over: false,
            unload: Vec::new(),
            beacons_due: 0,
            leaving: false,
            tick_wanted: false,
            persist_due: None,
            friction: Friction::default(),
            watching: false,
            sensing: true,
            left_at: None,
            journey,
            session: Session::default(),
            session_fresh: false,
            reset_owed: false,
            ending_view: false,
            next_session_id: None,
            session_saved: 0,
            elsewhere: Session::default(),
            framed: boot.framed,
            tags: String::new(),
            tags_before: String::new(),
            tags_at: 0,
            device,
            page_views: 0,
            first_depth: boot.depth,
            warned_props: false,
            debug,
            rate: super::rate_limit::RateLimit::new(track_limit.0, track_limit.1),
            reload_findings: Findings::new(),
            landed_back: boot.back,
        };
        e.friction = friction;
        // (Scrubbed and with a hash route's view, as every later page is: a reload's quick_back
        // compares it with the tab's last page, kept so.)
        e.view_terms = e.terms(&page.url);
        let page = e.scrub_page(page);
        e.friction.start(now, &page.path);
        e.add_entropy(entropy);
        // (The tab's session, or for a new tab opened from this site the visit's: see
        // `input::Boot::session`.)
        match Session::restore(&boot.session, now) {
            Some(s) => {
                if boot.back {
                    let mut found = Findings::new();
                    e.friction.back(&page.path, &s, "reload", &mut found);
                    e.reload_findings = found;
                }
                e.session = s;
            }
            None => e.new_session(now),
        }
        e.set_context();
        e.journal = Journal::new(e.uuid()[..8].into());
        e.env.page = page;
        // A denial given up front means nothing of ours may remain from earlier visits either.
        // (Removal only: nothing is written, and with nothing of ours stored nothing is touched.)
        let consent = e.tracker.consent();
        if consent.analytics == State::Denied {
            e.out.push(Output::StoragePurge { only: None });
        } else if consent.marketing == State::Denied {
            e.out.push(Output::StoragePurge { only: Some(IDENTITY) });
        }
        e.tracker.outbox.set_online(online);
        e.after_consent_change();
        e.pump(now);
        e.refresh_timers(now);
        e.update_sensing();
        // (A developer trying the overlay on a sampled site would otherwise see nothing, and
        // wonder why.)
        if e.debug && !e.sampled_in() {
            e.warn("touchpoint: this session is outside data-sample-rate: nothing of it is kept".into());
        }
        e
    }

    // ---- the driver's interface ---------------------------------------------------------------

    pub fn handle(&mut self, input: Input, now: u64) {
        let mut found = Findings::new();
        let input_kind = if matches!(input, Input::Click(_)) { InputKind::Click } else { InputKind::Other };
        if matches!(
            input,
            Input::Click(_)
                | Input::Activity { .. }
                | Input::Depth { first: false, .. }
                | Input::FormInput { again: false, .. }
                | Input::Visibility { hidden: false }
                | Input::Focus(true)
        ) {
            self.visitor_acted(now);
        }
        let f = &mut self.friction;
        match input {
            Input::Click(click) => self.on_click(click, now, &mut found),
            Input::PageHide { session } => {
                f.response(now);
                f.cut_off();
                f.leave(now, "", &mut found);
                self.left_at = Some(now);
                // The page view's findings and end go out with the unload beacons: captured
                // before hide() sends them.
                self.capture_view_end(std::mem::take(&mut found), now);
                self.report_rate_limited(now);
                self.leave_view(now);
                self.friction.next_view();
                // The beacons before the session is written: Firefox stops a closing tab's
                // script that is still running (dom.abort_script_on_child_shutdown), and on a
                // loaded machine it stopped this handler in that write, before the beacon
                // (tests/xbrowser, "events queued at tab close"). The session only matters to
                // the tab's next page.
                self.hide(now, true);
                // Back then Forward through the back/forward cache: the page shown again wrote
                // the tab's session first (see `Input::PageHide`), with its view, begun later
                // than this page's. Written again, this page's older view hid it, and a Forward
                // after it read no previous page (no previous_path, a quick_back with no
                // from_path, charged to the wrong page: a web performance QA).
                let later = Session::restore(&session, now)
                    .is_some_and(|s| s.id == self.session.id && s.arrived > self.friction.view().map_or(0, |v| v.1));
                // (Gone, `save_session` keeps this view's times in memory and writes nothing.)
                self.gone |= later;
                self.save_session();
                self.gone = true;
            }
            Input::Visibility { hidden: true } => {
                f.response(now);
                self.journey.hidden(now);
                self.leave_view(now);
                self.save_session();
                self.hide(now, false);
            }
            Input::Visibility { hidden: false } => {
                if !self.gone && !self.reset_owed {
                    self.journey.shown(now);
                }
            }
            Input::PageShow { persisted, depth, anonymous_id, session } => {
                if persisted && self.gone {
                    self.back_from_cache(&session, now, &mut found);
                    self.take_anonymous_id(anonymous_id);
                }
                let restored = self.gone;
                self.on_show(now);
                if restored {
                    // Back from the bfcache: the page is viewed again, coming from the page the
                    // tab showed last (as the session the tab kept says; else not known).
                    self.friction.restored_view(now, &self.env.page.path);
                    let from = &self.session.last_path;
                    let from = if *from == self.env.page.path { String::new() } else { from.clone() };
                    self.page_view(now, "restore", "{}", from, depth);
                    // It is in front: the `visibilitychange` that said so came while it was
                    // still frozen, before this `pageshow` (its engaged time counted 0).
                    self.journey.shown(now);
                }
            }
            Input::TabGone => self.adopter.again(),
            Input::OtherTab { anonymous_id, session } => {
                if !self.gone {
                    self.other_tab_session(&session, anonymous_id, now);
                }
            }
            Input::Online(online) => {
                self.tracker.outbox.set_online(online);
                self.pump(now);
            }
            // As GPC while it lasts: marketing denied, and no grant takes it back until the
            // visitor opts in again through the consent platform (which grants nothing itself).
            Input::UsOptOut(out) => {
                self.tracker.set_us_opt_out(out);
                if out && self.tracker.consent().marketing != State::Denied {
                    let update = super::consent::Update { analytics: None, marketing: Some(false) };
                    self.set_consent(update, ConsentSource::Gpp, now);
                }
            }
            Input::HttpAnswer { request, status, retry_after, missing } => {
                let outcome = classify(status, retry_after.as_deref());
                let random = self.random_u32();
                let left = self.tracker.outbox.on_result(request, outcome, now, random, missing.as_deref());
                self.debug_left(&left);
                self.journal.left(&left, &mut self.out);
                self.pump(now);
            }
            Input::BeaconAnswer { chunk, accepted } => self.on_beacon(chunk, accepted, now),
            Input::LockAnswer(answer) => self.on_lock(answer, now),
            Input::StorageSnapshot(snapshot) => self.on_snapshot(&snapshot, now),
            Input::StorageFailed => {
                // Said once: a developer looking for lost events finds why (the QA found it
                // silent). Nothing is written after the first failure, so it comes once.
                if !std::mem::replace(&mut self.storage_failed, true) {
                    self.warn("touchpoint: localStorage full or blocked: events kept in memory only".into());
                }
                self.journal.clear();
                self.adopter.abandon();
            }
            Input::Command(command) => self.command(command, now),
            Input::Rejected(error) => self.warn(error.message()),
            Input::Response => f.response(now),
            Input::PressAnswer => f.press_answer(now),
            Input::Selection => f.selection(now),
            Input::Request { id, end: None } => f.request_start(now, id),
            Input::Request { end: Some(mut end), .. } => {
                end.path = scrub_url(&end.path, &self.config.mask_params).into_owned();
                end.offline = end.status == 0 && !self.tracker.outbox.online();
                f.request_end(now, &end, &mut found);
            }
            Input::Error(mut e) => {
                // Its URLs and name=value pairs too, once its text is scrubbed (no address left
                // to mask a segment for): a failed call's message names its address, and a token
                // in its query.
                e.message = clean_label(&scrub_message(&scrub_text(&e.message), &self.config.mask_params), 200);
                e.source = scrub_url(&e.source, &self.config.mask_params).into_owned();
                f.error(now, &e, &mut found);
            }
            Input::Interaction { duration, input_delay, processing, presentation, kind, id, age, target } => {
                let target = target.as_ref().map(friction_target);
                let i =
                    friction::slow::Interaction { duration, input_delay, processing, presentation, kind, id, target };
                f.interaction(now, now.saturating_sub(age), &i, &mut found);
            }
            Input::Scroll { viewport, user, leg, .. } => f.scroll(now, leg, viewport, user, &mut found),
            Input::Invalid { field, form, reason, message } => {
                let message = clean_label(&scrub_text(&message), 200);
                f.invalid(
                    now,
                    &friction_target(&field),
                    &journey::forms::form_label(&form),
                    reason,
                    &message,
                    &mut found,
                );
            }
            Input::FormInput { form, form_name, by_id, fields, entry, field, again, choice, went_on } => {
                let mut out = Touchpoints::new();
                // A choice (a box, a radio, a slider, a select) starts no form: a filter's boxes,
                // a configurator's colours, a product's size are browsing, and every visit
                // "started" a form never ended (three QAs). Typing into it does; sent, it is
                // started then (see FormSubmit).
                if !choice {
                    self.journey.form_input(form, &form_name, &mut out);
                }
                // (Drawn again, or going on from the view before: started, its start told on the
                // page or view before.)
                if !again && !went_on {
                    self.capture_touchpoints(out, now);
                }
                let f = &mut self.friction;
                // A selector as a click's element has one (the leaderboard groups by it, and two
                // forms of a page must not be one row): by the form's id, else its name.
                let label = journey::forms::form_label(&form_name);
                let selector = match (super::element::is_ident(&label), by_id) {
                    (false, _) => "form".into(),
                    (true, true) => super::json::cat(&["#", &label]),
                    (true, false) => super::json::cat(&["form[name=", &label, "]"]),
                };
                let form_descriptor =
                    super::json::Obj::new().str("selector", &selector).str("tag", "form").str("id", &label).finish();
                let input = friction::form_abandon::FormInput {
                    form,
                    form_descriptor,
                    field: friction_target(&field),
                    fields,
                    entry,
                };
                f.form_input(now, &input);
            }
            Input::FormPress { form } => f.form_press(form),
            Input::FormSubmit { form, name, focus } => {
                f.form_submit(form);
                // A form the page filled in (a saved traveller, an address book's entry) and the
                // visitor sent: its start is the send (a funnel counted more submits than starts:
                // a booking wizard's QA).
                let mut out = Touchpoints::new();
                self.journey.form_input(form, &name, &mut out);
                self.capture_touchpoints(out, now);
                self.journey.form_submit(form);
                if self.journey.settings.on {
                    self.capture(Kind::Track, "form_submit", journey::forms::properties(&name, &focus), now);
                }
            }
            Input::Route { how, path, url, title, depth, kept } => {
                f.response(now);
                self.route(how, PageContext { url, path, title, referrer: String::new() }, depth, &kept, now);
            }
            Input::Activity { used } => {
                self.journey.activity(now);
                if used {
                    f.used();
                }
            }
            Input::BackClick => {
                f.back_click();
                // (The view as written at its use: unused again for the page gone back to.)
                if self.friction.view().is_some_and(|(_, _, used)| !used) && self.session.used {
                    self.save_session();
                }
            }
            Input::Focus(focused) => self.journey.focused(now, focused),
            Input::Depth { percent, first: true } => self.journey.first_screen(percent),
            Input::Depth { percent, .. } => {
                self.journey.activity(now);
                let mut out = Touchpoints::new();
                self.journey.scrolled(percent, &mut out);
                self.capture_touchpoints(out, now);
            }
            Input::ElementView { key, name: Some(name) } => self.journey.view_enter(key, &name, now),
            Input::ElementView { key, name: None } => self.journey.view_leave(key),
            Input::Declared { name, json, props } => self.declared(&name, &json, &props, now),
            Input::Vital { kind, value, recent_input, element } => {
                use friction::poor_vital::VitalFact;
                f.vital(
                    now,
                    &match kind {
                        // A long task (PerformanceObserver `longtask`): its duration.
                        b'b' => VitalFact::Busy(value),
                        b'l' => VitalFact::Lcp { at_ms: value, element: element.as_ref().map(friction_target) },
                        b's' => VitalFact::Shift { value_milli: value, at_ms: now, recent_input },
                        b'n' => VitalFact::Count(value),
                        b'r' => VitalFact::RestoredLcp(value),
                        _ => VitalFact::Measured { shifts: value & 1 != 0, interactions: value & 2 != 0 },
                    },
                );
            }
        }
        // The view just used (a click, a key, a wheel, a scroll of the visitor's): written at
        // once, not only when the page is hidden or left. A page restored from the back/forward
        // cache reads the session as this page left it, and Chromium runs this page's pagehide
        // after that page's pageshow: it read the view as written at load, unused, and every
        // return by Back was a quick_back, whatever the visitor did here.
        if self.friction.view().is_some_and(|(_, _, used)| used) && !self.session.used {
            self.save_session();
        }
        let clicked = matches!(input_kind, InputKind::Click);
        self.capture_findings(found, now);
        self.refresh_timers(now);
        self.update_watch_after(clicked);
        self.update_sensing();
    }

    /// Whether this session is in the sample (`data-sample-rate`, `Session::sampled_in`).
    fn sampled_in(&self) -> bool {
        self.session.sampled_in(self.config.sample_rate)
    }

    /// Tells the sensors whether what they report could make anything that is kept. (A session
    /// out of the sample keeps nothing: the page then pays for the lifecycle and route listeners
    /// only, as with consent denied.)
    fn update_sensing(&mut self) {
        let on = self.tracker.has_room() && self.sampled_in();
        if on != self.sensing {
            self.sensing = on;
            self.out.push(Output::Sensing(on));
        }
    }

    fn capture_findings(&mut self, found: Findings, now: u64) {
        for (signal, props, began) in found {
            self.capture_friction(signal.event(), props, now, began);
        }
    }

    /// A friction event: after a moment of truth in the same page view it says which one: the
    /// one under way when it `began` (0: now).
    fn capture_friction(&mut self, name: &str, props: String, now: u64, began: u64) {
        let props = match self.journey.moment_for(began) {
            Some(m) => {
                let mut v = String::new();
                super::json::push_str(&mut v, m);
                with_member(&props, "during", &v)
            }
            None => props,
        };
        self.capture(Kind::Track, name, props, now);
    }

    /// `touchpoint('friction', name, properties)`: the friction only the page knows of (a
    /// payment declined, a coupon refused, a search without results, an item out of stock), in
    /// the friction category like the detectors' findings. Never a detector's name: the page's
    /// own would blur that signal's figures.
    fn page_friction(&mut self, name: String, properties: String, now: u64) {
        if is_detector(&name) {
            return self.refuse_own("friction", &name);
        }
        // (Last, so that it wins over a `category` of the page's: JSON readers take the last.)
        let props = with_member(&self.clean_properties(&name, properties), "category", "\"friction\"");
        self.capture_friction(&name, props, now, 0);
    }

    fn capture_touchpoints(&mut self, found: Touchpoints, now: u64) {
        for (name, props) in found {
            self.capture(Kind::Track, name, props, now);
        }
    }

    /// Custom properties, made safe before capture (properties.rs); anything changed is said in
    /// one console warning.
    fn clean_properties(&mut self, event: &str, properties: String) -> String {
        match super::properties::clean(&properties, self.config.scrub_properties) {
            Some(c) => {
                let text_value = super::properties::TEXT_VALUE;
                if c.changed & !text_value != 0 {
                    self.warn(super::properties::warning(event, c.changed));
                }
                // The collector sums numbers only: a purchase's "19,99" read from the page was
                // left out of revenue without a word (a marketplace analyst's QA).
                if c.changed & text_value != 0 && matches!(event, "purchase" | "refund") {
                    self.warn(super::json::cat(&[
                        "touchpoint: ",
                        event,
                        ": value is text, not a number: revenue counts numbers only",
                    ]));
                }
                c.json
            }
            None => "{}".into(),
        }
    }

    /// Whether a `track` call from the page may go on (rate_limit.rs). Asked by the web layer
    /// before it serialises the call's properties, so a dropped call costs next to nothing.
    pub fn admit_track(&mut self, now: u64) -> bool {
        if !self.rate.admit(now) {
            return false;
        }
        if self.rate.report_due(now) {
            self.report_rate_limited(now);
        }
        true
    }

    /// Calls dropped by the rate limit, as one `rate_limited` event (during a long flood, one
    /// every `rate_limit::REPORT_MS`; the rest when the page is left).
    fn report_rate_limited(&mut self, now: u64) {
        let dropped = std::mem::take(&mut self.rate.dropped);
        if dropped > 0 {
            self.rate.reported_at = Some(now);
            self.warn(
                "touchpoint: too many track calls in a row; some were dropped (see the rate_limited event)".into(),
            );
            self.capture(
                Kind::Track,
                "rate_limited",
                super::json::Obj::new().int("dropped", dropped as i64).finish(),
                now,
            );
        }
    }

    fn debug_left(&mut self, ids: &[String]) {
        if self.debug && !ids.is_empty() {
            // By hand: std's join/concat is a generic copy loop per element type (size).
            let mut s = String::from("s");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(id);
            }
            self.out.push(Output::Debug(s));
        }
    }

    // ---- the journey --------------------------------------------------------------------------

    /// (The customer stays signed in: a session that ended by idling keeps its user id; `reset`
    /// clears it first.)
    fn new_session(&mut self, now: u64) {
        let user_id = std::mem::take(&mut self.session.user_id);
        let id = self.next_session_id.take().unwrap_or_else(|| self.uuid());
        self.session = Session::new(id, now);
        self.session.user_id = user_id;
        self.session_fresh = true;
    }

    /// `identify`: the signed-in customer, for the rest of the session (`journey::identity`).
    fn identify(&mut self, user_id: String, properties: String, now: u64) {
        if let Err(why) = journey::identity::check(&user_id, self.config.scrub_properties) {
            return self.warn(why.into());
        }
        let properties = self.clean_properties(schema::IDENTIFY, properties);
        // The same customer again, without traits (a page that identifies on every load): no news.
        if user_id == self.session.user_id && properties == "{}" {
            return;
        }
        self.session.user_id = user_id;
        self.session.user_at = now;
        self.remember_customer();
        self.set_context();
        self.capture(Kind::Identify, schema::IDENTIFY, properties, now);
        self.save_session();
    }

    /// The customer across visits, beside the anonymous id and under its rule (marketing).
    fn remember_customer(&mut self) {
        if self.tracker.consent().may_write_identity() {
            let out = match self.session.user_id.as_str() {
                "" => Output::StorageRemove { key: CUSTOMER.into() },
                id => Output::StorageSet { key: CUSTOMER.into(), value: id.into() },
            };
            self.out.push(out);
        }
    }

    /// `reset`: the customer signed out, and what follows may be another person at the same
    /// computer: a new session without the user id, and a new anonymous id. (Not when the stored
    /// anonymous id is still being read, right after marketing consent: that one is kept.)
    /// The view under way ends in the customer's session, and the new session begins with the
    /// page as its landing page (`navigation: "reset"`), as after 30 idle minutes: its
    /// page_leave went into the new session, which had no page view and no channel until the
    /// next one (migration QA). That view is captured with the next person's first event, or
    /// is the view of the route the app takes next (previous_path none: the page before was
    /// the last person's): a kiosk resetting, then routing to its start screen, began each
    /// shopper's session on the last shopper's page, its search again, and a session opened at
    /// each reset held no one when nobody came for an hour (kiosk QA).
    fn reset(&mut self, now: u64) {
        let viewing = self.page_views > 0 && !self.gone;
        if viewing {
            self.end_view(now);
        }
        self.session.user_id.clear();
        self.remember_customer();
        let ended = std::mem::take(&mut self.session.id);
        self.new_session(now);
        self.session.replaced = ended;
        self.set_context();
        // The next person's session written before their anonymous id: another tab reads both
        // at the first one's storage event, and a new id beside the customer's session, taken
        // before it saw the sign-out, went on the customer's last page_leave there (an account
        // area's QA: the next person's id joined to the customer).
        self.save_session();
        if self.env.anonymous_id.is_some() {
            let id = self.uuid();
            if self.tracker.consent().may_write_identity() {
                self.out.push(Output::StorageSet { key: IDENTITY.into(), value: id.clone() });
            }
            self.env.anonymous_id = Some(id);
        }
        self.reset_owed = viewing;
    }

    /// `set`: the page's tags (an experiment's variant, the store, the customer's tier), on every
    /// event captured afterwards as `context.tags`, so that friction can be told apart by them.
    /// Kept for the page (its routes too), never stored: the page sets them on each load, as it
    /// knows them. The loader merges each call's keys into the page's object (`host.js` `tags`:
    /// merging JSON members here cost ~0.6 KB of wasm); they are cleaned here like properties (a
    /// value that looks like personal data is scrubbed), and at most 2 KB of them are kept.
    /// The 2 KB are of the loader's JSON before cleaning, in UTF-16 units (its `length`): the
    /// loader keeps a merge only when it is taken, by the same measure (a refused one would
    /// otherwise stay in its object and get every later call refused with it).
    fn set_tags(&mut self, tags: String, now: u64) {
        // UTF-16 units from the UTF-8 bytes: each char's first byte, and one more for a 4-byte
        // char (a surrogate pair). (`encode_utf16().count()` was ~0.1 KB more of wasm.)
        let mut units = 0;
        for b in tags.bytes() {
            units += usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0);
        }
        if units > 2048 {
            return self.warn("touchpoint: set: tags over 2 KB were not taken".into());
        }
        let tags = self.clean_properties("set", tags);
        let before = std::mem::replace(&mut self.tags, tags);
        if self.tags_at != now {
            (self.tags_before, self.tags_at) = (before, now);
        }
        self.set_context();
    }

    /// `context` of every event: the page's device facts and the session's channel and campaign;
    /// the session's id and customer; the page's tags.
    fn set_context(&mut self) {
        self.env.session_id = self.session.id.clone();
        self.env.user_id.clone_from(&self.session.user_id);
        let mut c = self.device.clone();
        if !self.session.channel.is_empty() {
            let mut v = String::new();
            super::json::push_str(&mut v, &self.session.channel);
            c = super::json::cat(&[&c, if c.is_empty() { "" } else { "," }, "\"channel\":", &v]);
        }
        if !self.session.campaign.is_empty() {
            c = super::json::cat(&[&c, if c.is_empty() { "" } else { "," }, &self.session.campaign]);
        }
        if self.tags.len() > 2 {
            c = super::json::cat(&[&c, if c.is_empty() { "" } else { "," }, "\"tags\":", &self.tags]);
        }
        self.env.context = c;
    }

    /// Where a new session came from (see `landing`), for the context of its every event: at its
    /// first event, which may come before its page view (an `identify` queued before the SDK
    /// loaded).
    fn attribute(&mut self) {
        if self.session_fresh && self.session.channel.is_empty() {
            let (url, mut referrer) = landing(&self.env.page, self.page_views);
            // A page of one of the shop's other domains is the shop's own (data-cross-domain):
            // a checkout reached without the visit carried (a redirect through the shop's
            // server, consent given on the checkout only) was a `referral` from the shop, its
            // sale the referral's (a marketer's QA). (The view's referrer_host stays the one.)
            if journey::url::listed(&journey::url::host(referrer), &self.config.domains) {
                referrer = url;
            }
            self.session.channel = attribution::channel(url, referrer).into();
            self.session.campaign = attribution::campaign(url);
            self.set_context();
        }
    }

    /// The visitor did something (a click, a key, a scroll, a field, the tab or window back in
    /// front). After 30 minutes without (or a day long) this is a new visit to the page still
    /// open: the old view ends in the old session, and the new session begins with the page as
    /// its landing page (`navigation: "resume"`). Otherwise a session begun by a click an hour
    /// later had no page view at all, and a tab shown now and then over a night kept one
    /// session for 27 h (found by QA). Use that captures nothing (reading and scrolling, typing
    /// a long review) is activity too: it keeps the session alive.
    fn visitor_acted(&mut self, now: u64) {
        if self.gone || self.page_views == 0 {
            return;
        }
        if self.session.over(now) {
            // The view ends as at a route change: its vitals judged in its own session, then
            // the resumed view's measured afresh (they were the old view's again: one page
            // load counted twice, its poor_vital filed in the new session: QA).
            self.end_view(now);
            self.new_session(now);
            self.set_context();
            // (Where the visitor is now is not known: the depth the page had reached stands
            // for its first screen.)
            let depth = self.journey.depth();
            self.page_view(now, "resume", "{}", String::new(), depth);
        }
        self.session.last = now;
    }

    /// Analytics granted on a page whose view was not kept (denied when it began: a site that
    /// starts denied, a "no" remembered from an earlier page): the view is taken now, as the
    /// session's landing page when it is the first, with its attribution. The session began
    /// with the consent_change on a page it had never viewed, its channel "internal" (migration
    /// QA). Its engaged time and depth count from now, as nothing could be measured before.
    fn view_again(&mut self, now: u64) {
        if !self.tracker.has_room() {
            return;
        }
        if let Some(how) = self.lost_view.take() {
            // (Counted once: the view not kept was counted, and the first view's attribution reads
            // the referrer only while none is.)
            self.page_views -= 1;
            let depth = self.journey.depth();
            self.page_view(now, how, "{}", String::new(), depth);
        }
    }

    /// Captures a page view of `self.env.page` and starts its journey state.
    fn page_view(&mut self, now: u64, mut how: &'static str, extra: &str, mut previous_path: String, depth: u8) {
        if std::mem::take(&mut self.reset_owed) {
            (how, previous_path) = ("reset", String::new());
        }
        let kept = self.tracker.has_room();
        self.lost_view = (!kept).then_some(how);
        self.view_nav = how;
        let page = self.env.page.clone();
        if self.session.over(now) {
            self.new_session(now);
        }
        self.attribute();
        let mut o = journey::touchpoint().str("navigation", how);
        if !previous_path.is_empty() {
            o = o.str("previous_path", &previous_path);
        }
        self.view_landed = kept && std::mem::take(&mut self.session_fresh);
        if self.view_landed {
            let (url, referrer) = landing(&page, self.page_views);
            o = attribution::properties(o, url, referrer, &self.session.channel);
        } else if kept && !matches!(how, "back_forward" | "restore") && page.path != previous_path {
            // A campaign link followed during the session (an email opened in the same tab half
            // an hour into a visit from an ad, a promotion's tagged link): the session keeps
            // the channel it began with, and this view says which campaign brought the visitor
            // here, by its address only. Not for going back, nor a reload (the same path as the
            // view before): both came before (the second campaign left no trace: QA). Nor the
            // same campaign as the view before (this page load's referrer, or the route left):
            // a site that carries its landing's parameters on from page to page, or an A/B
            // test's redirect to the variant's address, is no second touch (it was one at
            // every page: an experimentation team's QA).
            let before = if self.page_views == 0 { &page.referrer } else { &self.journey.url };
            let channel = attribution::channel(&page.url, "");
            if channel != "direct" && !attribution::same_campaign(&page.url, before) {
                o = attribution::properties(o.raw("mid_session", "true"), &page.url, "", channel);
            }
        }
        // (The view before's address: this page load's referrer, or the route left.)
        let before = if self.page_views == 0 { page.referrer.clone() } else { self.journey.url.clone() };
        self.page_views += 1;
        self.capture(Kind::Page, schema::PAGE_VIEW, journey::merge(o.finish(), extra), now);
        self.journey.begin(now, page.url.clone(), page.path.clone(), depth);
        // (A search results page the visitor comes back to is no new search, nor the next
        // person's view of the page the last one searched on: resumed, or gone back to from a
        // result, the commonest path of a travel site, whose searches were counted twice: QA.)
        let fresh = self.terms_new.take();
        if self.journey.settings.on && !matches!(how, "resume" | "reset" | "back_forward" | "restore") {
            // The found name is cloned, not the list (a Vec<String> clone is its own function).
            let params = &self.journey.settings.search_params;
            // Nor a refinement of the search before, on the same results page: a filter, a
            // sort, its next page, pushed or replaced to the address (one search and five
            // filters were six site_search events: a marketplace's QA).
            // (A byte loop: a `split` by a pattern of two chars was more wasm.)
            let base = |u: &str| u.bytes().take_while(|&c| c != b'?' && c != b'#').count();
            let (a, b) = (base(&before), base(&page.url));
            let same_page = before.get(..a) == page.url.get(..b);
            if let Some((param, term)) = params
                .iter()
                .find_map(|p| {
                    journey::url::param(&page.url, p).filter(|t| !t.trim_ascii().is_empty()).map(|t| (p.clone(), t))
                })
                // (Terms changed, the address masking them alike or not: a search. The same
                // terms replaced to another address are the same search: a map page writing its
                // centre in the path at start, `/@51.5,-0.12,13z?q=Camden`, counted the
                // landing's search twice: a property portal's QA.)
                .filter(|(p, t)| match fresh {
                    Some(changed) if changed || how == "replace" => changed,
                    _ => !(same_page && journey::url::param(&before, p).as_ref() == Some(t)),
                })
            {
                let term = clean_label(&scrub_text(&term), 100);
                self.capture(
                    Kind::Track,
                    "site_search",
                    journey::touchpoint().str("term", &term).str("param", &param).finish(),
                    now,
                );
            }
        }
        if !self.framed {
            self.session.prev_path = std::mem::replace(&mut self.session.last_path, page.path);
        }
        self.save_session();
    }

    /// The page view ends: its `page_leave`.
    fn leave_view(&mut self, now: u64) {
        let mut out = Touchpoints::new();
        self.journey.leave(now, self.friction.vitals(), &mut out);
        self.ending_view = true;
        self.capture_touchpoints(out, now);
        self.ending_view = false;
    }

    /// The view ends before its session does (idle minutes, a sign-out here or in another tab):
    /// its vitals judged and its page_leave captured in its own session, and friction ready for
    /// the next view.
    #[inline(always)] // (three calls; as a call of its own it was 15 B more of gzip)
    fn end_view(&mut self, now: u64) {
        let mut found = Findings::new();
        self.friction.vitals_judged(&mut found);
        self.capture_view_end(found, now);
        self.leave_view(now);
        self.friction.next_view();
    }

    /// Findings only known at a view's end, captured in its session (see `ending_view`).
    fn capture_view_end(&mut self, found: Findings, now: u64) {
        self.ending_view = true;
        self.capture_findings(found, now);
        self.ending_view = false;
    }

    /// A single-page app changed its URL: a new page view unless the URL is the same one (or
    /// this kind of change is not tracked). Only a new view ends the previous one for friction
    /// too: a jump to an anchor of the same page (`#reviews`) must not abandon the form being
    /// filled in, nor count as a view for quick_back.
    fn route(&mut self, how: Nav, page: PageContext, depth: u8, kept: &str, now: u64) {
        let previous = self.env.page.clone();
        let terms = self.terms(&page.url);
        let mut page = self.scrub_page(page);
        let j = &self.journey.settings;
        let tracked = j.spa
            && match how {
                Nav::Push | Nav::Back => true,
                // A router's replace to another path is a route (a redirect after signing in,
                // React Router's `navigate(to, { replace: true })`), as PostHog counts it; one
                // of the query or fragment only (a theme writing the variant chosen, filters)
                // is not, unless `data-spa="replace"` asks for every one.
                Nav::Replace => j.replace_state || page.path != previous.path,
                Nav::Hash => j.hash,
            };
        // (Another search is another view, although its term is masked alike: a phone number
        // searched for, then another, was one view and one site_search: a property portal's QA.)
        if !tracked || self.journey.same(&page.url) && terms == self.view_terms {
            return;
        }
        self.terms_new = Some(terms != self.view_terms);
        self.view_terms = terms;
        // Tags set at the route's own time are the new view's: the loader hands over a `set`
        // the route's render made while it settled just before the route, stamped with its
        // time (as a set just before pushState is). The view left keeps its own on its
        // page_leave and last findings (its engagement and vitals went to the next view's
        // variant: an experimentation team's QA).
        let own = self.tags_at == now;
        if own {
            std::mem::swap(&mut self.tags, &mut self.tags_before);
            self.set_context();
        }
        let mut found = Findings::new();
        self.friction.route(now, &page.path, how == Nav::Back, kept, &mut found);
        self.capture_view_end(found, now);
        self.leave_view(now);
        if own {
            std::mem::swap(&mut self.tags, &mut self.tags_before);
            self.set_context();
        }
        self.friction.next_view();
        page.referrer = previous.url;
        self.env.page = page;
        self.page_view(now, how.as_str(), "{}", previous.path, depth);
    }

    /// The tab's session, kept for its next page while analytics consent allows storage.
    fn save_session(&mut self) {
        // In a frame, the page around it keeps the tab's last page view: a shop's card form in a
        // same-origin frame running the tag was the thanks page's previous_path (a frames QA).
        if !self.framed {
            if let Some((_, arrived, used)) = self.friction.view() {
                self.session.arrived = arrived;
                self.session.used = used;
            }
            self.session.left = self.left_at.unwrap_or(self.session.last);
        }
        if self.may_store() && !self.gone {
            self.session_saved = self.session.last;
            let value = self.session.store();
            // Also where the visit's next tab finds it (see `input::Boot::session`), with the
            // visit's last page view: a tab left behind (the list a product was opened from in a
            // new tab) writes when it is hidden, and must not name its older page as the one
            // the visit's next tab comes from.
            let (s, o) = (&self.session, &self.elsewhere);
            let visit = s.store_with_view(if o.id == s.id && o.arrived > s.arrived { o } else { s });
            self.out.push(Output::Remember { key: session::KEY, value: visit, session: false });
            self.out.push(Output::Remember { key: session::KEY, value, session: true });
        }
    }

    /// A `data-tp-event` click or form submit.
    fn declared(&mut self, name: &str, json: &str, props: &[(String, String)], now: u64) {
        let Some(name) = super::name::snake_case(name) else {
            // (`お気に入り`: event names are ASCII; nothing sent, and the marketer is told.)
            return self.warn(super::json::cat(&[
                "touchpoint: data-tp-event=\"",
                name,
                "\": no ASCII letter or digit, not sent",
            ]));
        };
        let (properties, malformed) = journey::declarative::properties(json, props);
        let properties = self.clean_properties(&name, properties);
        if malformed && !std::mem::replace(&mut self.warned_props, true) {
            self.warn(super::json::cat(&[
                "touchpoint: data-tp-props of \"",
                &name,
                "\" is not a JSON object; sent without it",
            ]));
        }
        self.capture(Kind::Track, &name, properties, now);
    }

    /// `clicked`: the sensor started watching on its own at the click (before the page's
    /// handlers ran), so the engine's answer is sent even if its own state did not change.
    fn update_watch_after(&mut self, clicked: bool) {
        let watch = self.friction.watching();
        if watch != self.watching || clicked {
            self.watching = watch;
            self.out.push(Output::Watch(watch));
        }
    }

    /// The engine's timer fired (at or after `poll_timeout`).
    pub fn handle_timeout(&mut self, now: u64) {
        let expired = self.timers.expired(now);
        if expired.contains(&Timer::Friction) {
            let mut found = Findings::new();
            self.friction.timeout(now, &mut found);
            self.capture_findings(found, now);
        }
        if expired.contains(&Timer::Journey) {
            let mut out = Touchpoints::new();
            self.journey.timeout(now, &mut out);
            self.capture_touchpoints(out, now);
        }
        if expired.contains(&Timer::Persist) {
            self.commit();
        }
        // The other entries' work is done by `pump`: heartbeat and adoption in
        // `maintain_storage`, the send in `poll_transmit`. The table says when; `pump` checks.
        if !expired.is_empty() {
            self.pump(now);
        }
        self.refresh_timers(now);
        self.update_watch_after(false);
        self.update_sensing();
    }

    /// A scheduled task runs (once per burst of inputs): send a batch that became due.
    pub fn tick(&mut self, now: u64) {
        self.tick_wanted = false;
        self.pump(now);
        self.refresh_timers(now);
    }

    /// Whether the driver should schedule a `tick`.
    pub fn wants_tick(&self) -> bool {
        self.tick_wanted
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        if self.next_out == self.out.len() {
            self.out.clear();
            self.next_out = 0;
            return None;
        }
        // Taken by index and replaced with a cheap placeholder: a Vec used as a queue without
        // VecDeque's code (size), cleared once drained.
        let o = std::mem::replace(&mut self.out[self.next_out], Output::ReadStorage);
        self.next_out += 1;
        Some(o)
    }

    /// When `handle_timeout` should be called next.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.timers.next()
    }

    pub fn needs_entropy(&self) -> bool {
        self.entropy.len() < ENTROPY_LOW
    }

    pub fn add_entropy(&mut self, bytes: &[u8]) {
        self.entropy.extend_from_slice(bytes);
    }

    pub fn consent(&self) -> Consent {
        self.tracker.consent()
    }

    /// `getIds`: the session, anonymous and customer ids the next event would carry ("" for
    /// none), for the page to hand its own server (an order joined to the visit that placed it).
    /// None while analytics is not granted or the session is out of the sample: nothing of the
    /// visit is sent then, and the page is not given an id to link it with.
    pub fn ids(&mut self, now: u64) -> [&str; 3] {
        // After the session's idle minutes the next event begins a new one: its id, made now and
        // kept for it, is the one that event carries (a page polling getIds was given the old).
        let next = self.session.over(now);
        if next && self.next_session_id.is_none() {
            self.next_session_id = Some(self.uuid());
        }
        let e = &self.env;
        let session = match &self.next_session_id {
            Some(id) if next => id,
            _ => &e.session_id,
        };
        if self.consent().analytics != State::Granted || !session::sampled_in(session, self.config.sample_rate) {
            return [""; 3];
        }
        [session, e.anonymous_id.as_deref().unwrap_or_default(), &e.user_id]
    }

    /// For tests and debugging: the JSON of every event not yet sent, pending ones included.
    pub fn queued_events(&self) -> Vec<String> {
        self.tracker.debug_events()
    }

    /// This page's tab id (the `<tab>` of its storage keys).
    pub fn tab(&self) -> &str {
        self.journal.tab()
    }

    // ---- inputs -------------------------------------------------------------------------------

    fn on_click(&mut self, click: Click, now: u64, found: &mut Findings) {
        // None inside data-tp-ignore: nothing at all is captured there.
        let Some(sensed) = &click.element else { return };
        self.journey.activity(now);
        let target = friction_target(sensed);
        // A click is a touchpoint on an interactive element (a disabled one's press is not one),
        // not a script's click on a link to a Blob or data (the usual download of a Blob, a link
        // made and clicked by the page, was a click with no text nobody made: a downloads
        // store's QA). (Other scripted clicks stay: a custom control's keyboard handler clicks
        // it, and a page may click for the visitor.)
        let scripted_file = !click.trusted && (click.href.starts_with("blob:") || click.href.starts_with("data:"));
        if sensed.is(SENSED_INTERACTIVE) && !target.disabled && self.config.clicks && !scripted_file {
            self.capture(Kind::Track, schema::CLICK, schema::click(&target.descriptor), now);
        }
        if !click.href.is_empty() && self.journey.settings.on {
            let j = &self.journey.settings;
            let link = journey::links::touchpoint(
                &click.href,
                click.download.as_deref(),
                &self.env.page.url,
                &j.downloads,
                &self.config.mask_params,
                &self.config.domains,
            );
            if let Some((name, props)) = link {
                self.capture(Kind::Track, name, props, now);
            }
        }
        // Friction looks at the visitor's own primary clicks only: not at element.click() or
        // synthetic events, not at middle/right clicks, not at ctrl/cmd/shift/alt clicks.
        if click.trusted && click.button == 0 && click.modifiers == 0 {
            let press = friction::Press { at: now, x: click.x, y: click.y, detail: click.detail };
            self.friction.click(press, &target, found);
        }
    }

    /// One warning for a page's event that takes the name of one of Touchpoint's own.
    fn refuse_own(&mut self, command: &str, name: &str) {
        self.warn(super::json::cat(&["touchpoint: ", command, ": ", name, " is Touchpoint's own signal"]))
    }

    fn command(&mut self, command: Command, now: u64) {
        match command {
            Command::Track { name, properties } => {
                // Names the collector counts by themselves: a page's own `page_view` (GA4's
                // habit, `gtag('event', 'page_view')` ported) was a second view of the page, a
                // `rage_click` a detector's (the types refused them; the runtime took them: a
                // TypeScript developer's QA).
                if name == schema::PAGE_VIEW || name == "page_leave" || is_detector(&name) {
                    return self.refuse_own("track", &name);
                }
                let properties = self.clean_properties(&name, properties);
                self.capture(Kind::Track, &name, properties, now)
            }
            Command::Page { properties, page } => {
                let previous =
                    if self.page_views == 0 { self.session.last_path.clone() } else { self.env.page.path.clone() };
                // A page view the page reports itself (a router without the history API, or
                // data-spa="off"): the view before it ends, its vitals judged and put on its
                // page_leave, then the next view's start again, as at a route change.
                let ends_a_view = self.page_views > 0;
                if ends_a_view {
                    let mut found = Findings::new();
                    self.friction.vitals_judged(&mut found);
                    self.capture_view_end(found, now);
                }
                self.leave_view(now);
                if ends_a_view {
                    self.friction.next_view();
                }
                // The first view is the landing's: its address as the document had it when it
                // loaded (the boot's, already scrubbed), not as it is when the view is taken: a
                // "clean URL" script took the campaign's parameters out, or the app routed on,
                // while the SDK loaded (the route taken then follows as its own view). Its title
                // too: the loader gives none when the app routed on (the document's is the
                // route's).
                self.env.page =
                    if self.page_views == 0 { std::mem::take(&mut self.env.page) } else { self.scrub_page(page) };
                // (A Back to a page the browser loads again, out of the back/forward cache, was
                // a `load`: a multi-page shop's Backs were never told, and a campaign landing
                // gone back to was a second campaign touch: an Astro storefront's QA.)
                let how = match (self.page_views, self.landed_back) {
                    (0, false) => "load",
                    (0, true) => "back_forward",
                    _ => "manual",
                };
                let depth = if self.page_views == 0 { self.first_depth } else { 0 };
                let properties = self.clean_properties(schema::PAGE_VIEW, properties);
                self.page_view(now, how, &properties, previous, depth);
                let found = std::mem::take(&mut self.reload_findings);
                self.capture_findings(found, now);
            }
            Command::Consent { update, source } => self.set_consent(update, source, now),
            Command::Identify { user_id, properties } => self.identify(user_id, properties, now),
            Command::Reset => self.reset(now),
            Command::Set { tags } => self.set_tags(tags, now),
            Command::Friction { name, properties } => self.page_friction(name, properties, now),
            Command::Flush => {
                // An explicit request: write and send now rather than at the next tick.
                self.tracker.outbox.request_flush();
                self.commit();
                self.pump(now);
            }
        }
    }

    fn set_consent(&mut self, mut update: super::consent::Update, source: ConsentSource, now: u64) {
        // The visitor's decision as another page of the site remembered it (data-remember-consent):
        // made in another tab, or on the page they went to before coming back to this one from
        // the back/forward cache. Their latest word, so that a "no" given there stops this page;
        // not remembered again (it is what is stored).
        if source == ConsentSource::Remembered && !self.config.remember_consent {
            return;
        }
        // A Consent Mode default is the site's setting before the visitor chose: it grants only
        // what is still pending, never what the visitor decided (a "no" remembered from an
        // earlier page was a "yes" again on every page whose consent platform pushed a default
        // grant). (A default denial is no decision: the loader sends none.)
        if matches!(source, ConsentSource::ConsentModeDefault | ConsentSource::TcfNotApplicable) {
            let c = self.tracker.consent();
            if c.analytics != State::Pending {
                update.analytics = None;
            }
            if c.marketing != State::Pending {
                update.marketing = None;
            }
        }
        // The view's page_view still waiting to be sent (a grant, then a withdrawal a moment
        // later, which purges it; a request on its way is not recalled): lost like a view denied
        // while pending.
        let unsent_view = self.tracker.outbox.waiting(&self.env.page_view_id);
        let (before, fx) = self.tracker.set_consent(update, now);
        let after = self.tracker.consent();
        if before != after {
            // First, so that the identity is known before the consent event is encoded.
            self.after_consent_change();
        }
        // The visitor's own decision (not a CMP's, which keeps its own record); after the id
        // when one is being read or made (`on_snapshot`).
        // (Also an opt-out of marketing alone, analytics still undecided: a "Do Not Sell or
        // Share" before any banner was answered. Not a grant GPC turned into a denial.)
        if self.config.remember_consent
            && source == ConsentSource::Api
            && (after.analytics != State::Pending || update.marketing == Some(false))
        {
            let value = super::remembered::store(after, now);
            if self.want_identity {
                self.remember_later = Some(value);
            } else {
                self.remember_later = None;
                self.out.push(Output::Remember { key: super::remembered::KEY, value, session: false });
            }
        }
        // Marketing withdrawn: the id leaves neither the browser nor storage any more, with the
        // events captured while it was allowed and still waiting (and their stored copies).
        if before.may_store_identity() && !after.may_store_identity() {
            self.tracker.outbox.rewrite(super::event::without_anonymous_id);
            self.journal.rewrite_all();
            self.commit();
        }
        self.apply(fx);
        // Denied while pending: the buffer went, and the page view with it. Granted later on this
        // page, the view is taken then, as one denied when it began (a security review's pending,
        // Reject, then a grant: clicks and no page_view).
        // (With its attribution when it was the session's landing: it had none, "Reject" then
        // "Accept" on a landing page lost its channel and campaign: a React developer's QA.)
        // (Or granted, the view's page_view still queued: "Accept", "Reject", "Accept" in quick
        // succession sent the session's clicks and no page_view: a data engineer's QA.)
        if (before.analytics == State::Pending || unsent_view)
            && after.analytics == State::Denied
            && self.lost_view.is_none()
        {
            self.lost_view = Some(self.view_nav);
            self.session_fresh |= self.view_landed;
        }
        // Analytics granted again after a denial, which purged our storage, the id included,
        // while marketing stayed granted: the id in use is stored again, to last across visits
        // as marketing allows (else it would quietly end with the page).
        if before.analytics == State::Denied && after.may_send() && after.may_store_identity() {
            if let Some(id) = &self.env.anonymous_id {
                self.out.push(Output::StorageSet { key: IDENTITY.into(), value: id.clone() });
            }
            self.remember_customer(); // (and the customer beside it)
        }
        if before != after {
            let props = schema::consent_change(after, source);
            if self.want_identity {
                self.consent_event = Some(props); // captured once the id is read (`on_snapshot`)
            } else {
                self.view_again(now);
                self.capture(Kind::Track, schema::CONSENT_CHANGE, props, now);
            }
        }
        self.tick_wanted = true;
    }

    /// Storage and identity follow consent: heartbeat and adoption once analytics allows storage;
    /// the cross-visit id only while marketing is granted.
    fn after_consent_change(&mut self) {
        let consent = self.tracker.consent();
        if consent.may_store_queue() {
            self.last_heartbeat = None;
        }
        if consent.may_store_queue() {
            self.save_session();
        }
        if consent.may_store_identity() && self.env.anonymous_id.is_none() {
            self.want_identity = true;
            self.read_storage();
        }
        if !consent.may_store_identity() {
            self.env.anonymous_id = None;
        }
        self.out.push(Output::ConsentChanged(consent));
    }

    /// Back from the back/forward cache, with the tab's session as stored now. When the page
    /// the visitor went to wrote it (its view began after this one's: analytics consent let it),
    /// that session is the tab's latest (its last event, a customer who signed in there, a new
    /// session begun there): this page continues it, and knows that page's path and whether it
    /// was used, for `quick_back`. Otherwise (a page without Touchpoint, nothing stored) only
    /// the time away since `pagehide` is known.
    fn back_from_cache(&mut self, session: &str, now: u64, found: &mut Findings) {
        let path = &self.env.page.path;
        match Session::restore(session, now) {
            Some(mut s) if s.arrived > self.session.arrived => {
                // That page is being left now: its view lasted until now, whatever it wrote (its
                // pagehide may come after this pageshow, see `handle`).
                s.left = s.left.max(now);
                self.friction.back(path, &s, "bfcache", found);
                self.session = s;
                self.set_context();
            }
            _ => self.friction.restored(now.saturating_sub(self.left_at.unwrap_or(now)), path, found),
        }
    }

    /// The visitor's id as another page left it (a tab of the shop, or the pages visited before a
    /// restore): a `reset` there (a sign-out on a shared computer) gave a new one, which must not
    /// be linked to the old. Only while this page holds one (marketing consent, already read).
    fn take_anonymous_id(&mut self, stored: String) {
        if self.env.anonymous_id.is_some() && !stored.is_empty() {
            self.env.anonymous_id = Some(stored);
        }
    }

    /// The visit's session as another of its tabs just wrote it (while analytics consent lets
    /// the session be kept): a customer who signed in there is this tab's customer too, and the
    /// session a sign-out there began (`reset`, which ended this one) is this tab's from now on.
    /// Otherwise a customer who signed out in one tab went on being named by the other's events.
    /// The tab's own page views (paths, times) stay its own. A write of an older state (the other
    /// tab had not yet heard of this one's) changes nothing: a customer is only ever cleared by
    /// the session that replaced theirs. A tab of another session (opened from elsewhere: a visit
    /// of its own) is left alone.
    fn other_tab_session(&mut self, stored: &str, anonymous_id: String, now: u64) {
        let s = Session::restore(stored, now).filter(|_| self.may_store());
        // A sign-out there: this tab's view ends in the customer's session and goes on in the
        // new one, as in the tab that signed out (`reset`). (Swapped without, the view's clicks,
        // friction and page_leave went to the next customer's session, with no page_view there:
        // a SaaS developer's QA.)
        let signed_out = s.as_ref().is_some_and(|s| s.id != self.session.id && s.replaced == self.session.id);
        let viewing = signed_out && self.page_views > 0;
        if viewing {
            self.end_view(now);
        }
        self.take_anonymous_id(anonymous_id);
        let Some(s) = s else { return };
        if s.id == self.session.id {
            // The visit used there is not idle here: a tab left alone while another of the visit
            // is used keeps its session (it began one of its own beside the other's: QA).
            self.session.last = self.session.last.max(s.last);
            // A customer named there and none here, or named there later than here (another
            // one signed in without a sign-out between): theirs. A write of an older state
            // changes nothing.
            let named = !s.user_id.is_empty() && (self.session.user_id.is_empty() || s.user_at > self.session.user_at);
            if named {
                self.session.user_id = s.user_id.clone();
                self.session.user_at = s.user_at;
            }
            // (Its view, if it began later than any other tab's: see `save_session`.)
            if s.id != self.elsewhere.id || s.arrived > self.elsewhere.arrived {
                self.elsewhere = s;
            }
            if !named {
                return;
            }
        } else if s.replaced == self.session.id {
            // (The view's times and use are taken from this page's view when the session is saved.)
            let (mut s, ours) = (s, &mut self.session);
            std::mem::swap(&mut s.last_path, &mut ours.last_path);
            std::mem::swap(&mut s.prev_path, &mut ours.prev_path);
            s.last = s.last.max(ours.last);
            *ours = s;
        } else {
            return;
        }
        self.set_context();
        if viewing {
            let depth = self.journey.depth();
            self.page_view(now, "reset", "{}", String::new(), depth);
        }
    }

    fn on_show(&mut self, now: u64) {
        if !self.gone {
            return;
        }
        // Back from the bfcache: announce ourselves again, drop what was adopted meanwhile, resume.
        self.gone = false;
        self.last_heartbeat = None;
        if self.may_store() {
            // Nothing is sent before the snapshot says what is still ours (`on_snapshot`).
            self.check_taken_over = true;
            self.read_storage();
        } else {
            self.pump(now);
        }
    }

    fn on_lock(&mut self, answer: LockAnswer, now: u64) {
        // The answer is asynchronous: consent may have been withdrawn or the page left since.
        if self.gone || !self.may_store() {
            self.adopter.restart();
            return;
        }
        if self.adopter.on_lock(answer, now) {
            self.read_storage();
        }
    }

    fn on_snapshot(&mut self, snapshot: &Snapshot, now: u64) {
        self.reading = false;
        if self.want_identity {
            self.want_identity = false;
            if self.tracker.consent().may_store_identity() {
                let id = get(snapshot, IDENTITY).map_or_else(|| self.uuid(), String::from);
                if self.tracker.consent().may_write_identity() {
                    self.out.push(Output::StorageSet { key: IDENTITY.into(), value: id.clone() });
                }
                self.env.anonymous_id = Some(id);
                // The customer of an earlier visit, still signed in (no `reset` since); or this
                // visit's, identified before marketing consent, kept from now on.
                match (get(snapshot, CUSTOMER), self.session.user_id.as_str()) {
                    (Some(stored), "") if journey::identity::is_user_id(stored) => {
                        self.session.user_id = stored.into();
                        self.set_context();
                        self.save_session();
                    }
                    (stored, id) if !id.is_empty() && stored != Some(id) => self.remember_customer(),
                    _ => {}
                }
            }
            if let Some(value) = self.remember_later.take() {
                self.out.push(Output::Remember { key: super::remembered::KEY, value, session: false });
            }
            if let Some(props) = self.consent_event.take() {
                self.view_again(now);
                self.capture(Kind::Track, schema::CONSENT_CHANGE, props, now);
            }
        }
        if std::mem::take(&mut self.check_taken_over) {
            // Their keys are gone: another page took them over and sends them; sending our
            // in-memory copies too would make two senders of one event.
            let taken = self.journal.taken_over(snapshot);
            self.tracker.outbox.forget(&taken);
            self.pump(now);
        }
        if self.gone || !self.may_store() {
            return;
        }
        let step = self.adopter.on_snapshot(snapshot, self.journal.tab(), now);
        if let Some((key, value)) = step.write {
            self.out.push(Output::StorageSet { key, value });
        }
        // Events of a tab that closed with marketing granted: without it now, not its id.
        let mut adopted = step.adopted;
        if !self.tracker.consent().may_store_identity() {
            for e in &mut adopted {
                super::event::without_anonymous_id(&mut e.json);
            }
        }
        // Our copy first, then the originals go: a crash in between duplicates, never loses.
        self.journal.adopt(&adopted, &mut self.out);
        for key in step.remove {
            self.out.push(Output::StorageRemove { key });
        }
        if !adopted.is_empty() {
            let fx = self.tracker.restore(adopted, now);
            self.apply(fx);
            self.tick_wanted = true;
        }
        if step.read_again {
            self.read_storage();
        }
    }

    /// The page is being hidden or closed: hand everything queued to the browser in chunks under
    /// the beacon budget, then write what the browser refused, so the next page can send it.
    fn hide(&mut self, now: u64, leaving: bool) {
        // (`gone` is set by the caller, once the session is written.)
        if leaving {
            self.leaving = true;
        }
        self.unload.clear();
        if self.tracker.consent().may_send() {
            self.unload = self.tracker.outbox.unload_chunks(now);
        }
        self.beacons_due = self.unload.len();
        for (chunk, c) in self.unload.iter().enumerate() {
            self.out.push(Output::Beacon { chunk, body: c.body.clone() });
        }
        if self.beacons_due == 0 {
            self.finish_hide();
        }
    }

    fn on_beacon(&mut self, chunk: usize, accepted: bool, now: u64) {
        let Some(c) = self.unload.get(chunk) else { return };
        if accepted {
            // Accepted is not arrived (the collector may be down): kept, stored, as probes that
            // a later request asks the collector about (`outbox::is_probe`).
            self.tracker.outbox.probe(&c.message_ids, now);
            self.journal.rewrite_all();
        } else {
            // A refused beacon falls back to a keepalive fetch; request 0 is never in flight, so
            // its answer only matters to the collector. The events stay queued (and stored).
            self.out.push(Output::Send { request: 0, body: c.body.clone(), keepalive: true });
        }
        self.beacons_due = self.beacons_due.saturating_sub(1);
        if self.beacons_due == 0 {
            self.finish_hide();
        }
    }

    fn finish_hide(&mut self) {
        self.unload.clear();
        self.commit();
        if std::mem::take(&mut self.leaving) && self.last_heartbeat.take().is_some() {
            // What is left stays stored, and the next page may adopt it right away. (Only on
            // pagehide: a merely hidden tab is still alive and will send it.)
            self.out.push(Output::StorageRemove { key: heartbeat_key(self.journal.tab()) });
        }
    }

    // ---- decisions ----------------------------------------------------------------------------

    fn capture(&mut self, kind: Kind, name: &str, properties: String, now: u64) {
        // An event of the page view is never dated before it: what the loader found as it
        // started (a form the server drew again with its errors, an error thrown at load) was
        // stamped a moment before the landing's page_view, made next, and the inspector's
        // journey showed it on the page before (a legacy storefront's QA). (Not a page_leave,
        // which ends the view before: `ending_view`.)
        let now = if kind == Kind::Page || self.ending_view { now } else { now.max(self.journey.began) };
        // The next person's first event: their view of the page first (see `reset`).
        if self.reset_owed && kind != Kind::Page && !self.ending_view {
            let depth = self.journey.depth();
            self.page_view(now, "reset", "{}", String::new(), depth);
        }
        // Nothing to encode for an event that would be dropped (denied, or the pending buffer
        // full): with consent pending, a long visit would otherwise pay for every click twice.
        if !self.tracker.would_keep() {
            return;
        }
        // Idle for 30 minutes (or a day long) while the page stayed open: a new session. (Not
        // for a page view's end: it belongs to the session the page view began in.)
        if !self.ending_view {
            if self.session.over(now) {
                self.new_session(now);
                self.set_context();
            }
            self.attribute();
            self.session.last = now;
            // Written again every few minutes of activity, not only at page views and hides: a
            // tab opened from a single-page app used for half an hour without a route change
            // would find the visit's session expired in storage, and start one of its own.
            if now.saturating_sub(self.session_saved) >= session::REFRESH_MS {
                self.save_session();
            }
        }
        // A session out of the sample keeps nothing, but is kept and timed like any other (above):
        // its next pages and tabs must decide alike, and only a new session decides again.
        if !self.sampled_in() {
            return;
        }
        let mut properties = properties;
        let moment = kind == Kind::Track && self.journey.is_moment(name);
        if moment {
            properties = with_member(&properties, "moment", "true");
            self.journey.moment_tracked(name, now);
            self.friction.moment(now);
        }
        let message_id = self.uuid();
        // (Its id is the view's, on every event until the next: `context.pageViewId`.)
        if kind == Kind::Page {
            self.env.page_view_id.clone_from(&message_id);
        }
        let event = Event { kind, name: name.into(), message_id, timestamp_ms: now, properties };
        let encoded = encode(&event, &self.env);
        if self.debug {
            self.out.push(Output::Debug(super::json::cat(&["c", &encoded.json])));
        }
        let fx = self.tracker.capture(encoded, now);
        self.apply(fx);
        // A moment of truth (add_to_cart, begin_checkout, purchase) is sent at once, with what
        // is queued before it, in the scheduled task: a visitor from an ad who closes the in-app
        // browser with its X (no pagehide) a second after "Add to bag" lost it, or it waited in
        // storage for their next visit (an in-app browser QA). A few requests a session.
        if moment {
            self.tracker.outbox.request_flush();
        }
        // Only a full batch needs the scheduled task; a young one waits for its timer.
        if self.tracker.consent().may_send() && self.tracker.outbox.next_wakeup(now).is_some_and(|at| at <= now) {
            self.tick_wanted = true;
        }
    }

    fn apply(&mut self, fx: Effects) {
        // Even if this page never wrote anything: withdrawal must leave no trace of ours.
        if fx.purge_storage {
            self.out.push(Output::StoragePurge { only: None });
            self.journal.clear();
            self.adopter.restart();
            self.last_heartbeat = None;
        } else if fx.forget_identity {
            self.out.push(Output::StoragePurge { only: Some(IDENTITY) });
        }
        if self.may_store() {
            for id in &fx.persist {
                self.journal.queued(id);
            }
        }
        self.journal.left(&fx.unpersist, &mut self.out);
    }

    /// Writes the events queued since the last commit, as one storage group.
    fn commit(&mut self) {
        if self.may_store() {
            self.journal.commit(&self.tracker.outbox, &mut self.out);
        }
    }

    fn may_store(&self) -> bool {
        self.tracker.consent().may_store_queue() && !self.storage_failed
    }

    fn read_storage(&mut self) {
        if !self.reading {
            self.reading = true;
            self.out.push(Output::ReadStorage);
        }
    }

    /// Sends what is due, keeps the heartbeat, starts an adoption that is due.
    fn pump(&mut self, now: u64) {
        if self.gone {
            return;
        }
        self.maintain_storage(now);
        self.report_overflow(now);
        if self.tracker.consent().may_send() {
            if let Some(t) = self.tracker.outbox.poll_transmit(now) {
                // Written before it leaves: a crash while it is in flight loses nothing.
                self.commit();
                self.out.push(Output::Send { request: t.request, body: t.body, keepalive: false });
            }
        }
    }

    /// Heartbeat (so other tabs know we are alive) and adoption of orphaned events, both only
    /// while analytics consent allows storage.
    fn maintain_storage(&mut self, now: u64) {
        if self.gone || !self.may_store() {
            return;
        }
        if self.last_heartbeat.is_none_or(|at| now.saturating_sub(at) >= HEARTBEAT_MS) {
            self.last_heartbeat = Some(now);
            let mut v = String::new();
            super::json::push_u64(&mut v, now);
            self.out.push(Output::StorageSet { key: heartbeat_key(self.journal.tab()), value: v });
        }
        self.adopter.poll(now, &mut self.out);
    }

    /// Events lost to the queue bounds are themselves reported, as one `queue_overflow` event
    /// per run of losses, once the queue has room again: reporting into a full queue would
    /// evict another event, whose loss would be reported, and so on.
    fn report_overflow(&mut self, now: u64) {
        let dropped = self.tracker.outbox.stats.dropped_overflow + self.tracker.pending_overflow;
        let room = self.tracker.outbox.len() < self.tracker.outbox.policy().max_queue_events;
        if dropped > self.reported_overflow && room && self.tracker.consent().may_send() {
            let delta = dropped - self.reported_overflow;
            self.reported_overflow = dropped;
            self.capture(Kind::Track, schema::QUEUE_OVERFLOW, schema::queue_overflow(delta), now);
        }
    }

    fn refresh_timers(&mut self, now: u64) {
        let live = !self.gone && self.tracker.consent().may_send();
        self.timers.set(Timer::Flush, self.tracker.outbox.next_wakeup(now).filter(|_| live));
        let storing = !self.gone && self.may_store();
        self.timers.set(Timer::Heartbeat, self.last_heartbeat.map(|at| at + HEARTBEAT_MS).filter(|_| storing));
        self.timers.set(Timer::Adoption, self.adopter.deadline().filter(|_| storing));
        self.timers.set(Timer::Friction, self.friction.deadline());
        self.timers.set(Timer::Journey, self.journey.deadline());
        let due = if self.journal.pending() && self.may_store() {
            Some(*self.persist_due.get_or_insert(now + PERSIST_MS))
        } else {
            None
        };
        self.persist_due = due;
        self.timers.set(Timer::Persist, due);
    }

    fn warn(&mut self, msg: String) {
        self.warnings += 1;
        if self.warnings <= MAX_WARNINGS {
            self.out.push(Output::Warn(msg));
        }
        if self.warnings == MAX_WARNINGS {
            self.out.push(Output::Warn("touchpoint: further warnings are suppressed".into()));
        }
    }

    /// The values of the site search parameters in `url`, as written (never sent: they tell one
    /// search from another where the address masks both alike).
    fn terms(&self, url: &str) -> String {
        let mut out = String::new();
        for p in &self.journey.settings.search_params {
            out.push_str(&journey::url::param(url, p).unwrap_or_default());
            out.push('\x1f');
        }
        out
    }

    fn scrub_page(&self, p: PageContext) -> PageContext {
        // (The journey keys page views by the scrubbed URL: a masked token is not a new page.)
        // (The site search's term masked in the URL as in its `site_search`: a phone number
        // searched for is not sent in the page's URL either.)
        let (mask, typed) = (&self.config.mask_params, &self.journey.settings.search_params);
        let url = scrub_page_url(&p.url, mask, typed).into_owned();
        let mut path = scrub_page_url(&p.path, mask, typed).into_owned();
        // A hash-routed app's view is in its fragment (`/#/product/12`): with data-spa="hash"
        // the path goes on with it, so that its views are pages of their own (not one `/`).
        if self.journey.settings.hash {
            path.push_str(journey::url::hash_route(&url));
        }
        PageContext {
            url,
            path,
            title: clean_label(&p.title, 256),
            referrer: scrub_page_url(&p.referrer, mask, typed).into_owned(),
        }
    }

    // ---- randomness from the pool -------------------------------------------------------------

    fn random16(&mut self) -> [u8; 16] {
        let mut b = [0u8; 16];
        if self.entropy.len() >= 16 {
            let at = self.entropy.len() - 16;
            b.copy_from_slice(&self.entropy[at..]);
            self.entropy.truncate(at);
        } else {
            // Only if the driver failed to refill: still unique per page (a counter through
            // splitmix64), never a panic.
            self.drawn += 1;
            let mut x = self.drawn.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for chunk in b.chunks_mut(8) {
                x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                chunk.copy_from_slice(&(x ^ (x >> 31)).to_le_bytes());
            }
        }
        b
    }

    fn uuid(&mut self) -> String {
        uuid_v4(self.random16())
    }

    fn random_u32(&mut self) -> u32 {
        let b = self.random16();
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

enum InputKind {
    Click,
    Other,
}

/// The URL that says where a session beginning on `page` came from, and its referrer
/// (`attribution::landing`): the page's referrer only for the page's first view; a session that
/// began on a later route of the page (after 30 idle minutes) has nothing but the URL.
/// A detector's event name: the collector counts those by themselves, so a page may not send one.
fn is_detector(name: &str) -> bool {
    friction::ALL.iter().any(|s| s.event() == name)
}

fn landing(page: &PageContext, page_views: u32) -> (&str, &str) {
    attribution::landing(&page.url, if page_views == 0 { &page.referrer } else { "" })
}

/// `context` members of the page's device: locale, time zone, viewport and a device class by
/// viewport width (mobile below 768 px, tablet below 1024 px, but mobile when under 500 px tall). Nothing finer: no screen size, no
/// user agent details, nothing that helps fingerprinting. Also the site's `sampleRate` when it
/// keeps only some sessions (`data-sample-rate`), for whoever counts its events, and
/// `automated` for a browser a program drives or a crawler (`Boot::automated`), so that a
/// site's own end-to-end tests and monitoring can be told from its customers.
fn device_context(boot: &Boot, sample_rate: u8) -> String {
    let (width, height) = (boot.width, boot.height);
    let class = match width {
        0 => "",
        1..768 => "mobile",
        // A phone held sideways (932 x 430) is as wide as a tablet, and as short as a phone.
        768..1024 if height < 500 => "mobile",
        768..1024 => "tablet",
        _ => "desktop",
    };
    let viewport = super::json::Obj::new().int("width", width.into()).int("height", height.into()).finish();
    let mut o = super::json::Obj::new();
    for (k, v) in [("locale", &*boot.language), ("timezone", &boot.timezone), ("device", class)] {
        if !v.is_empty() {
            o = o.str(k, &clean_label(v, 64));
        }
    }
    if width > 0 {
        o = o.raw("viewport", &viewport);
    }
    if sample_rate < 100 {
        o = o.int("sampleRate", sample_rate.into());
    }
    if boot.automated {
        o = o.raw("automated", "true");
    }
    // A page running in a frame (a card form in a same-site iframe): its page views and engaged
    // time are the page around it's too, so whoever counts a session's page views or sums its
    // engaged time leaves these out (there was no way to tell them apart: a frames QA).
    if boot.framed {
        o = o.raw("framed", "true");
    }
    let o = o.finish();
    o[1..o.len() - 1].to_string()
}

/// What the friction detectors know of an element the sensors saw.
fn friction_target(s: &Sensed) -> friction::Target {
    friction::Target {
        key: s.key,
        descriptor: s.element.describe(),
        interactive: s.is(SENSED_INTERACTIVE),
        looks_interactive: s.is(SENSED_LOOKS_INTERACTIVE) || s.is(SENSED_INTERACTIVE),
        editable: s.is(SENSED_EDITABLE),
        elsewhere: s.is(SENSED_ELSEWHERE) || s.is(SENSED_DISABLED),
        disabled: s.is(SENSED_DISABLED),
        silenced: s.silenced,
    }
}

/// Storage keys of this module, for the web layer's purge (`tp:` prefix) and for tests.
pub use storage::PREFIX as STORAGE_PREFIX;

#[cfg(test)]
mod journey_tests;
#[cfg(test)]
mod tests;
