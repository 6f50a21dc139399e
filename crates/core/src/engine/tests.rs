//! Host tests of the engine: single tabs, and two or three simulated tabs sharing a fake
//! `localStorage`, a fake Web Lock and a fake collector on a fake clock (as quinn-proto's tests
//! drive a pair of endpoints). Each tab has a tiny driver that executes the engine's outputs the
//! way `src/web` does: synchronous answers (snapshots, beacons, failed writes) are fed back before
//! the next output is polled; requests and lock answers are delivered when the test says so.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::config::InitialConsent;
use crate::consent::Update;
use crate::input::CommandError;
use crate::storage::{CUSTOMER, LEASE, TAB_STALE_MS};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Locks {
    /// Web Locks exist; the lock answer comes when the test delivers it.
    Web,
    /// No Web Locks (old Safari): the storage lease stands in.
    None,
}

#[derive(Default)]
struct Collector {
    /// Every messageId in every body received, duplicates included.
    received: Vec<String>,
}

impl Collector {
    fn stored(&self) -> BTreeSet<String> {
        self.received.iter().cloned().collect()
    }
}

struct World {
    storage: BTreeMap<String, String>,
    /// localStorage throws on every write (quota, private mode).
    storage_throws: bool,
    locks: Locks,
    /// Which tab holds the Web Lock right now (only during a synchronous lock callback).
    lock_holder: Option<usize>,
    /// Another process holds the lock (a tab we do not simulate).
    lock_held_elsewhere: bool,
    beacons_accepted: bool,
    /// Beacons the browser accepts never arrive (the collector down while pages are left).
    beacons_lost: bool,
    collector: Collector,
    now: u64,
    /// Each remembered consent decision written (data-remember-consent), with what another tab
    /// reading `localStorage` when its `storage` event for it fires sees: every write made up to
    /// that one (a browser hands another tab a page's writes in the order it made them).
    remembered: Vec<(String, BTreeMap<String, String>)>,
    /// What `ReadStorage` answers instead of `storage` (a tab handling such an event).
    view: Option<BTreeMap<String, String>>,
}

struct Tab {
    engine: Engine,
    /// Requests sent and not yet answered: (request, ids, the probes it asks about).
    in_flight: Vec<(u64, Vec<String>, Vec<String>)>,
    lock_requested: bool,
    consent_events: usize,
    warnings: Vec<String>,
    captured: Vec<String>,
    /// Every capture with its time (to bound what a crash may lose).
    captured_at: Vec<(String, u64)>,
    alive: bool,
    /// The click sensor's state, as the engine last set it (it starts on).
    sensing: bool,
}

/// The ids a request body asks the collector about (`"confirm":[...]`, at its end).
fn confirm_in(body: &str) -> Vec<String> {
    body.split_once("\"confirm\":[").map_or(Vec::new(), |(_, rest)| {
        rest.trim_end_matches("]}").split(',').map(|id| id.trim_matches('"').to_string()).collect()
    })
}

fn ids_in(body: &str) -> Vec<String> {
    const F: &str = "\"messageId\":\"";
    let mut ids = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(F) {
        rest = &rest[i + F.len()..];
        let end = rest.find('"').unwrap();
        ids.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    ids
}

fn config(consent: InitialConsent) -> Config {
    Config { site: "shop".into(), consent, ..Config::default() }
}

fn page() -> PageContext {
    PageContext {
        url: "https://shop.test/?email=a@b.co".into(),
        path: "/".into(),
        title: "Shop".into(),
        referrer: String::new(),
    }
}

impl World {
    fn new(locks: Locks) -> World {
        World {
            storage: BTreeMap::new(),
            storage_throws: false,
            locks,
            lock_holder: None,
            lock_held_elsewhere: false,
            beacons_accepted: true,
            beacons_lost: false,
            collector: Collector::default(),
            now: 1_000_000,
            remembered: Vec::new(),
            view: None,
        }
    }

    fn open(&mut self, consent: InitialConsent, seed: u8) -> Tab {
        self.open_with(config(consent), seed)
    }

    fn open_with(&mut self, config: Config, seed: u8) -> Tab {
        let entropy: Vec<u8> = (0..=255u8).map(|i| i.wrapping_mul(31).wrapping_add(seed.wrapping_mul(97))).collect();
        let boot = crate::input::Boot { page: page(), visible: true, focused: true, ..Default::default() };
        let engine = Engine::new(config, Signals::default(), boot, true, &entropy, self.now);
        let mut tab = Tab {
            engine,
            in_flight: Vec::new(),
            lock_requested: false,
            consent_events: 0,
            warnings: Vec::new(),
            captured: Vec::new(),
            captured_at: Vec::new(),
            alive: true,
            sensing: true,
        };
        self.drive(&mut tab, usize::MAX);
        tab
    }

    /// Executes the tab's outputs until there are none (the driver loop).
    fn drive(&mut self, tab: &mut Tab, me: usize) {
        while let Some(o) = tab.engine.poll_output() {
            match o {
                Output::Send { request, body, keepalive } => {
                    if keepalive {
                        self.collector.received.extend(ids_in(&body));
                    } else {
                        tab.in_flight.push((request, ids_in(&body), confirm_in(&body)));
                    }
                }
                Output::Beacon { chunk, body } => {
                    let accepted = self.beacons_accepted;
                    if accepted && !self.beacons_lost {
                        self.collector.received.extend(ids_in(&body));
                    }
                    tab.engine.handle(Input::BeaconAnswer { chunk, accepted }, self.now);
                }
                Output::StorageSet { key, value } => {
                    if self.storage_throws {
                        tab.engine.handle(Input::StorageFailed, self.now);
                    } else {
                        self.storage.insert(key, value);
                    }
                }
                Output::StorageRemove { key } => {
                    self.storage.remove(&key);
                }
                Output::StoragePurge { only } => {
                    let prefix = only.unwrap_or(STORAGE_PREFIX);
                    self.storage.retain(|k, _| !k.starts_with(prefix));
                }
                Output::ReadStorage => {
                    let storage = self.view.as_ref().unwrap_or(&self.storage);
                    let snap = storage.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    tab.engine.handle(Input::StorageSnapshot(snap), self.now);
                }
                Output::RequestLock => match self.locks {
                    Locks::Web => tab.lock_requested = true,
                    Locks::None => tab.engine.handle(Input::LockAnswer(LockAnswer::Unsupported), self.now),
                },
                Output::ConsentChanged(_) => tab.consent_events += 1,
                Output::Warn(w) => tab.warnings.push(w),
                Output::Sensing(on) => tab.sensing = on,
                Output::Remember { key, value, session: false } => {
                    self.storage.insert(key.into(), value.clone());
                    self.remembered.push((value, self.storage.clone()));
                }
                Output::Watch(_) | Output::Remember { .. } | Output::Debug(_) => {}
            }
        }
        let _ = me;
    }

    fn handle(&mut self, tab: &mut Tab, input: Input) {
        tab.engine.handle(input, self.now);
        self.drive(tab, 0);
    }

    fn track(&mut self, tab: &mut Tab, name: &str) {
        self.handle(tab, Input::Command(Command::Track { name: name.into(), properties: "{}".into() }));
        // The id of the event just captured: the last one queued.
        let last = tab.engine.queued_events().last().cloned().unwrap_or_default();
        tab.captured.extend(ids_in(&last));
        for id in ids_in(&last) {
            tab.captured_at.push((id, self.now));
        }
    }

    fn tick(&mut self, tab: &mut Tab) {
        tab.engine.tick(self.now);
        self.drive(tab, 0);
    }

    /// Fires the tab's timer if it is due.
    fn timers(&mut self, tab: &mut Tab) {
        if tab.engine.poll_timeout().is_some_and(|at| at <= self.now) {
            tab.engine.handle_timeout(self.now);
            self.drive(tab, 0);
        }
    }

    /// Delivers the tab's pending lock answer, holding the lock while it is handled.
    fn answer_lock(&mut self, tab: &mut Tab, me: usize) {
        if !std::mem::take(&mut tab.lock_requested) {
            return;
        }
        if self.lock_held_elsewhere || self.lock_holder.is_some() {
            self.handle(tab, Input::LockAnswer(LockAnswer::Busy));
            return;
        }
        self.lock_holder = Some(me);
        tab.engine.handle(Input::LockAnswer(LockAnswer::Held), self.now);
        self.drive(tab, me);
        self.lock_holder = None;
    }

    /// Answers every request in flight: the collector stores it and says `status`.
    fn answer_all(&mut self, tab: &mut Tab, status: u16) {
        for (request, ids, confirm) in std::mem::take(&mut tab.in_flight) {
            let mut missing = None;
            if (200..300).contains(&status) {
                self.collector.received.extend(ids);
                let stored = self.collector.stored();
                let absent: Vec<String> = confirm.into_iter().filter(|id| !stored.contains(id)).collect();
                missing = Some(absent.iter().map(|id| format!("\"{id}\"")).collect::<Vec<_>>().join(","));
            }
            self.handle(tab, Input::HttpAnswer { request, status, retry_after: None, missing });
        }
    }

    /// Lets the tab run until it has nothing to send: ticks, timers, answers.
    /// `tab` captures `n` events (`a0`, `a1`, ...) and leaves (`pagehide`) with none of them
    /// delivered: its beacons refused and its keepalive fallback lost (closed offline); the
    /// browser takes beacons again afterwards.
    fn leave_unsent(&mut self, tab: &mut Tab, n: usize) {
        self.beacons_accepted = false;
        for i in 0..n {
            self.track(tab, &format!("a{i}"));
        }
        self.handle(tab, Input::PageHide { session: String::new() });
        self.collector.received.clear();
        self.beacons_accepted = true;
    }

    fn settle(&mut self, tab: &mut Tab, me: usize) {
        for _ in 0..50 {
            self.answer_lock(tab, me);
            self.tick(tab);
            self.answer_all(tab, 200);
            self.now += 6_000;
            self.timers(tab);
            self.answer_all(tab, 200);
            if tab.engine.queued_events().is_empty() && tab.in_flight.is_empty() && !tab.lock_requested {
                return;
            }
        }
        panic!("tab did not settle: {:?}", tab.engine.queued_events());
    }

    fn queue_keys(&self) -> Vec<&String> {
        self.storage.keys().filter(|k| k.starts_with("tp:q:")).collect()
    }
}

fn granted() -> InitialConsent {
    InitialConsent::Granted
}

// ---- one tab ------------------------------------------------------------------------------------

#[test]
fn a_burst_of_events_is_written_as_one_group_within_persist_ms_and_sent_by_its_timer() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    let writes_before = w.storage.len();
    for i in 0..5 {
        w.track(&mut t, &format!("e{i}"));
        w.now += 100;
        w.tick(&mut t);
    }
    assert_eq!(w.storage.len(), writes_before, "nothing is written while handling inputs and ticks");
    w.now += PERSIST_MS;
    w.timers(&mut t);
    assert_eq!(w.queue_keys().len(), 1, "one group for the burst: {:?}", w.queue_keys());
    assert!(t.in_flight.is_empty(), "five events are not a batch yet");
    // The batch age fires the flush timer.
    w.now += 5_000;
    w.timers(&mut t);
    assert_eq!(t.in_flight.len(), 1);
    w.answer_all(&mut t, 200);
    assert!(w.queue_keys().is_empty(), "acknowledged: the group is removed");
    assert_eq!(w.collector.stored().len(), 5);
}

#[test]
fn events_are_written_before_the_request_that_carries_them_leaves() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    for i in 0..crate::outbox::Policy::default().max_batch_events {
        w.track(&mut t, &format!("e{i}"));
    }
    w.tick(&mut t);
    assert_eq!(t.in_flight.len(), 1);
    assert_eq!(w.queue_keys().len(), 1, "a crash while it is in flight loses nothing");
}

#[test]
fn a_full_batch_is_sent_at_the_next_tick_not_inside_the_call() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    for i in 0..crate::outbox::Policy::default().max_batch_events {
        w.track(&mut t, &format!("e{i}"));
    }
    assert!(t.in_flight.is_empty(), "no request starts inside a capture");
    w.tick(&mut t);
    assert_eq!(t.in_flight.len(), 1);
    assert_eq!(t.in_flight[0].1.len(), crate::outbox::Policy::default().max_batch_events);
}

#[test]
fn timers_are_one_table_and_poll_timeout_is_its_earliest_deadline() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    w.answer_lock(&mut t, 0);
    // Heartbeat written at start: next one in 30 s.
    assert_eq!(t.engine.poll_timeout(), Some(w.now + HEARTBEAT_MS));
    w.track(&mut t, "a");
    w.tick(&mut t);
    assert_eq!(t.engine.poll_timeout(), Some(w.now + PERSIST_MS), "the write comes first");
    let before = t.engine.poll_timeout();
    w.now += 10;
    w.track(&mut t, "b");
    w.tick(&mut t);
    assert_eq!(t.engine.poll_timeout(), before, "a later event does not move the deadline");
    w.now += PERSIST_MS;
    w.timers(&mut t);
    assert_eq!(t.engine.poll_timeout(), Some(w.now - PERSIST_MS - 10 + 5_000), "then the batch age");
}

#[test]
fn pending_consent_buffers_in_memory_writes_and_sends_nothing() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(InitialConsent::Pending, 1);
    for i in 0..30 {
        w.track(&mut t, &format!("e{i}"));
    }
    assert!(!t.engine.wants_tick(), "pending: no task to schedule");
    w.tick(&mut t);
    w.now += 60_000;
    w.timers(&mut t);
    assert!(w.storage.is_empty(), "nothing stored: {:?}", w.storage);
    assert!(t.in_flight.is_empty() && w.collector.received.is_empty());
    assert_eq!(t.engine.poll_timeout(), None, "no timer either");
    w.handle(
        &mut t,
        Input::Command(Command::Consent {
            update: Update { analytics: Some(true), marketing: None },
            source: ConsentSource::Api,
        }),
    );
    w.settle(&mut t, 0);
    let stored = w.collector.stored();
    assert!(t.captured.iter().all(|id| stored.contains(id)), "the buffer is delivered on grant");
    assert_eq!(t.consent_events, 2, "one at start, one on the change");
}

#[test]
fn revoking_purges_storage_and_the_queue() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    w.storage.insert("shop:cart".into(), "mug".into());
    w.track(&mut t, "a");
    w.now += PERSIST_MS;
    w.timers(&mut t);
    assert!(!w.queue_keys().is_empty());
    w.handle(
        &mut t,
        Input::Command(Command::Consent {
            update: Update { analytics: Some(false), marketing: None },
            source: ConsentSource::Api,
        }),
    );
    assert_eq!(w.storage.keys().collect::<Vec<_>>(), ["shop:cart"], "every tp: key removed, the shop's kept");
    w.now += 60_000;
    w.tick(&mut t);
    w.timers(&mut t);
    assert!(t.in_flight.is_empty() && w.collector.received.is_empty(), "nothing queued is sent");
    assert!(w.storage.keys().all(|k| !k.starts_with("tp:")), "and nothing is written again");
}

#[test]
fn marketing_identity_is_read_or_made_and_stamped_on_the_consent_event() {
    let mut w = World::new(Locks::Web);
    w.storage.insert(IDENTITY.into(), "visitor-1".into());
    let mut t = w.open(granted(), 1);
    w.handle(
        &mut t,
        Input::Command(Command::Consent {
            update: Update { analytics: None, marketing: Some(true) },
            source: ConsentSource::Api,
        }),
    );
    let last = t.engine.queued_events().last().cloned().unwrap();
    assert!(last.contains("\"event\":\"consent_change\"") && last.contains("\"anonymousId\":\"visitor-1\""), "{last}");
    w.handle(
        &mut t,
        Input::Command(Command::Consent {
            update: Update { analytics: None, marketing: Some(false) },
            source: ConsentSource::Api,
        }),
    );
    assert!(!w.storage.contains_key(IDENTITY), "withdrawing marketing removes the id");
    let last = t.engine.queued_events().last().cloned().unwrap();
    assert!(!last.contains("anonymousId"), "{last}");
}

/// Marketing withdrawn: the events captured while it was granted and still waiting (and their
/// stored copies) lose the id, and a tab's events adopted later, under no marketing consent,
/// too. The id was sent with them after the withdrawal, and stayed in storage with them.
#[test]
fn withdrawing_marketing_takes_the_id_out_of_waiting_and_stored_events_and_adopted_ones() {
    let mut w = World::new(Locks::Web);
    w.storage.insert(IDENTITY.into(), "visitor-1".into());
    let mut a = w.open(granted(), 1);
    marketing(&mut a, &mut w, true);
    w.track(&mut a, "with_id");
    w.now += PERSIST_MS;
    w.timers(&mut a);
    let stored = |w: &World| {
        w.storage.iter().filter(|(k, _)| k.starts_with("tp:q:")).map(|(_, v)| v.clone()).collect::<String>()
    };
    assert!(stored(&w).contains("visitor-1"), "written with its id while marketing allowed it");
    marketing(&mut a, &mut w, false);
    assert!(a.engine.queued_events().iter().all(|e| !e.contains("anonymousId")), "{:?}", a.engine.queued_events());
    assert!(a.engine.queued_events().iter().any(|e| e.contains("\"event\":\"with_id\"")));
    assert!(!stored(&w).contains("visitor-1"), "{}", stored(&w));
    assert!(!w.storage.values().any(|v| v.contains("visitor-1")), "{:?}", w.storage);

    // A tab that closed holding events with the id (marketing granted there), adopted by a page
    // whose visitor has not granted marketing: sent and stored without it.
    let mut w = World::new(Locks::Web);
    w.storage.insert(IDENTITY.into(), "visitor-2".into());
    let mut c = w.open(granted(), 3);
    w.answer_lock(&mut c, 0);
    marketing(&mut c, &mut w, true);
    w.track(&mut c, "closed_with_id");
    w.now += PERSIST_MS;
    w.timers(&mut c);
    c.alive = false; // crashed: its group stays
    w.now += TAB_STALE_MS;
    let mut d = w.open(granted(), 4);
    w.answer_lock(&mut d, 1);
    let adopted = d.engine.queued_events();
    assert!(adopted.iter().any(|e| e.contains("closed_with_id")), "{adopted:?}");
    assert!(adopted.iter().all(|e| !e.contains("visitor-2")), "{adopted:?}");
    assert!(!w.storage.iter().any(|(k, v)| k.starts_with("tp:q:") && v.contains("visitor-2")), "{:?}", w.storage);
}

/// Withdrawing analytics purges every key of ours, the id too, while marketing stays granted;
/// granted again, the id in use is stored again (it lasts across visits, as marketing allows).
#[test]
fn analytics_denied_then_granted_again_stores_the_marketing_id_again() {
    let mut w = World::new(Locks::Web);
    w.storage.insert(IDENTITY.into(), "visitor-1".into());
    let mut t = w.open(granted(), 1);
    let consent = |analytics, marketing| {
        Input::Command(Command::Consent { update: Update { analytics, marketing }, source: ConsentSource::Api })
    };
    w.handle(&mut t, consent(None, Some(true)));
    w.handle(&mut t, consent(Some(false), None));
    assert!(!w.storage.contains_key(IDENTITY), "withdrawal leaves nothing of ours: {:?}", w.storage);
    w.handle(&mut t, consent(Some(true), None));
    assert_eq!(w.storage.get(IDENTITY).map(String::as_str), Some("visitor-1"), "{:?}", w.storage);
    w.handle(&mut t, Input::Command(Command::Track { name: "after".into(), properties: "{}".into() }));
    let last = t.engine.queued_events().last().cloned().unwrap();
    assert!(last.contains("\"anonymousId\":\"visitor-1\""), "{last}");
}

/// Marketing granted while analytics is denied (a banner's "ads only"): nothing is written, the
/// id and the customer neither (a denial removes every key of ours, and the README's table says
/// so); they are kept in memory and stored once analytics is granted.
#[test]
fn marketing_granted_while_analytics_is_denied_writes_nothing() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(InitialConsent::Denied, 1);
    marketing(&mut t, &mut w, true);
    identify(&mut w, &mut t, "c-1042");
    w.handle(&mut t, Input::Command(Command::Reset));
    identify(&mut w, &mut t, "c-2001");
    assert!(w.storage.is_empty(), "{:?}", w.storage);
    let update = Update { analytics: Some(true), marketing: None };
    w.handle(&mut t, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    assert!(w.storage.get(IDENTITY).is_some_and(|id| !id.is_empty()), "{:?}", w.storage);
    assert_eq!(w.storage.get(CUSTOMER).map(String::as_str), Some("c-2001"), "{:?}", w.storage);
    w.track(&mut t, "after");
    let last = t.engine.queued_events().last().cloned().unwrap();
    assert!(last.contains(&format!("\"anonymousId\":\"{}\"", w.storage[IDENTITY])), "{last}");
}

/// A Consent Mode default (the site's setting before the visitor chose) changes no category the
/// visitor decided: a "no" remembered from an earlier page, given through the API, or remembered
/// in another tab; it still grants an undecided one.
#[test]
fn a_consent_mode_default_changes_no_decision_of_the_visitor() {
    let default_grant = Input::Command(Command::Consent {
        update: Update { analytics: Some(true), marketing: Some(true) },
        source: ConsentSource::ConsentModeDefault,
    });
    let remember = Config { remember_consent: true, ..config(InitialConsent::ConsentMode) };
    // Remembered from an earlier page (read at boot).
    let no = crate::consent::Consent { analytics: State::Denied, marketing: State::Denied };
    let boot = crate::input::Boot {
        page: page(),
        visible: true,
        remembered: crate::remembered::store(no, 1_000_000),
        ..Default::default()
    };
    let mut e = Engine::new(remember.clone(), Signals::default(), boot, true, &[7; 64], 1_000_000);
    assert_eq!(e.consent(), no);
    e.handle(default_grant.clone(), 1_000_010);
    assert_eq!(e.consent(), no, "remembered at boot");
    // Given through the API on this page (analytics only): marketing, undecided, is granted.
    let mut w = World::new(Locks::Web);
    let mut t = w.open_with(config(InitialConsent::ConsentMode), 1);
    let update = Update { analytics: Some(false), marketing: None };
    w.handle(&mut t, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    w.handle(&mut t, default_grant.clone());
    let c = t.engine.consent();
    assert_eq!((c.analytics, c.marketing), (State::Denied, State::Granted), "through the API");
    // Remembered in another tab, after this page started.
    let mut t = w.open_with(remember, 2);
    let update = crate::remembered::update(&crate::remembered::store(no, w.now), w.now).unwrap();
    w.handle(&mut t, Input::Command(Command::Consent { update, source: ConsentSource::Remembered }));
    w.handle(&mut t, default_grant.clone());
    assert_eq!(t.engine.consent(), no, "remembered in another tab");
    // Undecided: the default grants, as before.
    let mut t = w.open_with(config(InitialConsent::ConsentMode), 3);
    w.handle(&mut t, default_grant);
    let c = t.engine.consent();
    assert_eq!((c.analytics, c.marketing), (State::Granted, State::Granted), "undecided");
}

/// A US visitor's opt-out of sale, sharing or targeted advertising (the consent platform's GPP
/// US section) denies marketing as GPC does, for as long as the platform says so: a grant
/// after it (the page's own, TCF's "GDPR does not apply") takes nothing back. Opted in again
/// in the platform, the next grant counts (the platform itself grants nothing).
#[test]
fn a_us_opt_out_through_gpp_denies_marketing_while_it_lasts() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open_with(config(InitialConsent::Granted), 1);
    marketing(&mut t, &mut w, true);
    assert_eq!(t.engine.consent().marketing, State::Granted);
    w.handle(&mut t, Input::UsOptOut(true));
    assert_eq!(t.engine.consent(), crate::consent::Consent { analytics: State::Granted, marketing: State::Denied });
    let change = t.engine.queued_events().into_iter().rev().find(|e| e.contains("consent_change")).unwrap();
    assert!(change.contains(r#""marketing":"denied""#) && change.contains(r#""source":"gpp""#), "{change}");
    marketing(&mut t, &mut w, true);
    let not_applicable = Update { analytics: Some(true), marketing: Some(true) };
    w.handle(
        &mut t,
        Input::Command(Command::Consent { update: not_applicable, source: ConsentSource::TcfNotApplicable }),
    );
    assert_eq!(t.engine.consent().marketing, State::Denied, "no grant while opted out");
    w.handle(&mut t, Input::UsOptOut(false));
    assert_eq!(t.engine.consent().marketing, State::Denied, "the platform grants nothing");
    marketing(&mut t, &mut w, true);
    assert_eq!(t.engine.consent().marketing, State::Granted, "opted in again, then granted");
}

/// TCF's "GDPR does not apply" (a US visitor) is a default: it grants what is undecided, not
/// what the visitor refused through the page's "Do Not Sell or Share" link (it granted both
/// over it, whichever answered last: a US privacy counsel's QA).
#[test]
fn tcf_outside_the_gdpr_grants_no_category_the_visitor_refused() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open_with(config(InitialConsent::Tcf), 1);
    marketing(&mut t, &mut w, false);
    let not_applicable = Update { analytics: Some(true), marketing: Some(true) };
    w.handle(
        &mut t,
        Input::Command(Command::Consent { update: not_applicable, source: ConsentSource::TcfNotApplicable }),
    );
    let c = t.engine.consent();
    assert_eq!((c.analytics, c.marketing), (State::Granted, State::Denied));
}

/// data-remember-consent: a "Do Not Sell or Share" clicked while analytics is still undecided
/// (a consent platform that has not answered yet) is remembered, and the next page, whose
/// default grants analytics, starts with marketing denied (it was not remembered: the next
/// page forgot the opt-out).
#[test]
fn a_marketing_opt_out_before_any_analytics_decision_is_remembered() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open_with(Config { remember_consent: true, ..config(InitialConsent::Pending) }, 1);
    marketing(&mut t, &mut w, false);
    let (value, _) = w.remembered.pop().expect("the opt-out is remembered");
    assert!(value.starts_with("pending|denied|"), "{value}");
    let boot = crate::input::Boot { page: page(), visible: true, remembered: value, ..Default::default() };
    let next = Config { remember_consent: true, ..config(InitialConsent::Granted) };
    let e = Engine::new(next, Signals::default(), boot, true, &[7; 64], w.now + 1_000);
    assert_eq!(e.consent(), crate::consent::Consent { analytics: State::Granted, marketing: State::Denied });
}

/// data-remember-consent, two tabs of the shop open and undecided: the visitor accepts in one,
/// the other applies the decision when it sees it written, and both name the visitor with one
/// anonymous id. (The decision was written before the id: the other tab, reading storage then,
/// found no id and made a second one.)
#[test]
fn a_decision_remembered_in_one_tab_gives_the_other_the_same_anonymous_id() {
    let mut w = World::new(Locks::Web);
    let remember = Config { remember_consent: true, ..config(InitialConsent::Pending) };
    let mut a = w.open_with(remember.clone(), 1);
    let mut b = w.open_with(remember, 2);
    let all = Update { analytics: Some(true), marketing: Some(true) };
    w.handle(&mut a, Input::Command(Command::Consent { update: all, source: ConsentSource::Api }));
    let (value, seen) = w.remembered.pop().expect("the decision is remembered");
    assert!(value.starts_with("granted|granted|"), "{value}");
    // The other tab's `storage` event for the decision: it reads storage as it was then.
    w.view = Some(seen);
    let update = crate::remembered::update(&value, w.now).unwrap();
    w.handle(&mut b, Input::Command(Command::Consent { update, source: ConsentSource::Remembered }));
    w.view = None;
    let id = |w: &mut World, t: &mut Tab| {
        w.track(t, "after");
        let last = t.engine.queued_events().last().cloned().unwrap();
        let at = last.find("\"anonymousId\":\"").expect(&last) + 15;
        last[at..at + last[at..].find('"').unwrap()].to_string()
    };
    let (ida, idb) = (id(&mut w, &mut a), id(&mut w, &mut b));
    assert_eq!(ida, idb);
    assert_eq!(w.storage.get(IDENTITY), Some(&ida));
}

fn marketing(tab: &mut Tab, w: &mut World, granted: bool) {
    let update = Update { analytics: None, marketing: Some(granted) };
    w.handle(tab, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
}

fn identify(w: &mut World, tab: &mut Tab, id: &str) {
    w.handle(tab, Input::Command(Command::Identify { user_id: id.into(), properties: "{}".into() }));
}

/// The `userId` of the tab's last queued event ("" without one).
fn last_user(tab: &Tab) -> String {
    let last = tab.engine.queued_events().last().cloned().unwrap_or_default();
    last.split("\"userId\":\"").nth(1).map_or(String::new(), |r| r[..r.find('"').unwrap()].to_string())
}

#[test]
fn with_marketing_consent_the_customer_is_known_on_the_next_visit_until_sign_out() {
    let mut w = World::new(Locks::Web);
    // A first visit: marketing granted, the customer signs in.
    let mut a = w.open(granted(), 1);
    marketing(&mut a, &mut w, true);
    identify(&mut w, &mut a, "c-1042");
    assert_eq!(w.storage.get(CUSTOMER).map(String::as_str), Some("c-1042"));
    // A later visit (a new session): the customer is on its events from the first one.
    let mut b = w.open(granted(), 2);
    marketing(&mut b, &mut w, true);
    w.track(&mut b, "view_item");
    assert_eq!(last_user(&b), "c-1042");
    // The same id again (a page that identifies on every load): nothing new.
    let before = b.engine.queued_events().len();
    identify(&mut w, &mut b, "c-1042");
    assert_eq!(b.engine.queued_events().len(), before);
    // Sign-out: gone from storage, so the visit after it is anonymous.
    w.handle(&mut b, Input::Command(Command::Reset));
    assert!(!w.storage.contains_key(CUSTOMER));
    w.track(&mut b, "view_item");
    assert_eq!(last_user(&b), "");
    let mut c = w.open(granted(), 3);
    marketing(&mut c, &mut w, true);
    w.track(&mut c, "view_item");
    assert_eq!(last_user(&c), "");
}

#[test]
fn without_marketing_consent_the_customer_is_never_kept_beyond_the_visit() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    identify(&mut w, &mut a, "c-1042");
    w.track(&mut a, "add_to_cart");
    assert_eq!(last_user(&a), "c-1042", "the visit has it");
    assert!(!w.storage.contains_key(CUSTOMER), "marketing pending: not kept");
    // Granted later in the visit: kept from then on, like the anonymous id.
    marketing(&mut a, &mut w, true);
    assert_eq!(w.storage.get(CUSTOMER).map(String::as_str), Some("c-1042"));
    // Withdrawn: removed with the anonymous id; the visit itself keeps its customer.
    marketing(&mut a, &mut w, false);
    assert!(!w.storage.contains_key(CUSTOMER) && !w.storage.contains_key(IDENTITY), "{:?}", w.storage);
    w.track(&mut a, "add_to_cart");
    assert_eq!(last_user(&a), "c-1042");
    // A later visit with marketing pending reads nothing, even if a key were there.
    w.storage.insert(CUSTOMER.into(), "c-7".into());
    let mut b = w.open(granted(), 2);
    w.track(&mut b, "view_item");
    assert_eq!(last_user(&b), "");
    // A denial up front removes it.
    let _ = w.open(InitialConsent::Denied, 3);
    assert!(!w.storage.contains_key(CUSTOMER));
}

#[test]
fn a_stored_customer_that_breaks_the_id_rule_is_not_taken() {
    let mut w = World::new(Locks::Web);
    w.storage.insert(CUSTOMER.into(), "c\u{1f}1".into());
    let mut a = w.open(granted(), 1);
    marketing(&mut a, &mut w, true);
    w.track(&mut a, "view_item");
    assert_eq!(last_user(&a), "");
}

#[test]
fn sensors_stand_down_while_no_event_could_be_kept() {
    let consent = |analytics: bool| {
        Input::Command(Command::Consent {
            update: Update { analytics: Some(analytics), marketing: None },
            source: ConsentSource::Api,
        })
    };
    let mut w = World::new(Locks::Web);
    let mut t = w.open(InitialConsent::Pending, 1);
    assert!(t.sensing, "pending with room: the sensors report");
    let limit = Config::default().pending_limit;
    for i in 0..limit {
        assert!(t.sensing, "room for event {i}");
        w.track(&mut t, &format!("e{i}"));
    }
    assert!(!t.sensing, "the pending buffer is full: nothing reported could be kept");
    w.handle(&mut t, consent(true));
    assert!(t.sensing, "granted: the sensors report again");
    w.handle(&mut t, consent(false));
    assert!(!t.sensing, "denied");
    let t = w.open(InitialConsent::Denied, 2);
    assert!(!t.sensing, "denied from the start");
}

#[test]
fn a_denial_up_front_purges_what_earlier_visits_left() {
    let mut w = World::new(Locks::Web);
    w.storage.insert("tp:q:old:1".into(), "{}".into());
    w.storage.insert(IDENTITY.into(), "x".into());
    w.storage.insert("shop".into(), "1".into());
    let mut t = w.open(InitialConsent::Denied, 1);
    w.track(&mut t, "a");
    w.tick(&mut t);
    assert_eq!(w.storage.keys().collect::<Vec<_>>(), ["shop"]);
}

/// A page with three events queued (e0, e1, e2), then left: its pagehide beacons them.
fn three_events_then_left(w: &mut World) -> Tab {
    let mut t = w.open(granted(), 1);
    for i in 0..3 {
        w.track(&mut t, &format!("e{i}"));
    }
    w.handle(&mut t, Input::PageHide { session: String::new() });
    t
}

#[test]
fn pagehide_beacons_everything_and_removes_the_heartbeat() {
    let mut w = World::new(Locks::Web);
    three_events_then_left(&mut w);
    assert_eq!(w.collector.stored().len(), 3);
    assert!(w.storage.keys().all(|k| !k.starts_with("tp:tab:")), "{:?}", w.storage);
    // Accepted is not arrived: the events stay stored, marked as probes (a leading space).
    let stored: Vec<&String> = w.storage.iter().filter(|(k, _)| k.starts_with("tp:q:")).map(|(_, v)| v).collect();
    assert_eq!(stored.len(), 1, "{:?}", w.storage);
    assert_eq!(stored[0].lines().filter(|l| l.starts_with(" {")).count(), 3, "{}", stored[0]);
}

/// The collector was down while a page was left: the browser accepted its beacon, which never
/// arrived (found by QA: those events were lost). The next page adopts them as probes, asks the
/// collector about them once the beacon had time to arrive, and sends the missing ones whole.
#[test]
fn a_beacon_accepted_but_lost_is_asked_about_by_the_next_page_and_sent_again() {
    let mut w = World::new(Locks::Web);
    w.beacons_lost = true;
    let captured = three_events_then_left(&mut w).captured;
    assert!(w.collector.received.is_empty(), "the beacon was lost");
    w.beacons_lost = false;
    let mut b = w.open(granted(), 2);
    w.answer_lock(&mut b, 1);
    w.tick(&mut b);
    // Nothing asked about before PROBE_RIDE_MS (the beacon may still be on its way).
    assert!(b.in_flight.iter().all(|(_, _, confirm)| confirm.is_empty()), "{:?}", b.in_flight);
    w.settle(&mut b, 1);
    let stored = w.collector.stored();
    for id in &captured {
        assert!(stored.contains(id), "lost {id}");
        assert_eq!(w.collector.received.iter().filter(|r| *r == id).count(), 1, "{id} sent whole once");
    }
    assert!(w.queue_keys().is_empty(), "{:?}", w.queue_keys());
}

/// The beacon arrived: the next page asks about its events (their ids, ~40 bytes each), and
/// sends none of them again; they leave storage.
#[test]
fn a_beacon_that_arrived_is_confirmed_by_id_not_sent_again() {
    let mut w = World::new(Locks::Web);
    three_events_then_left(&mut w);
    assert_eq!(w.collector.received.len(), 3);
    let mut b = w.open(granted(), 2);
    w.answer_lock(&mut b, 1);
    w.settle(&mut b, 1);
    assert_eq!(w.collector.received.len(), 3, "none sent twice: {:?}", w.collector.received);
    assert!(w.queue_keys().is_empty(), "{:?}", w.queue_keys());
}

/// An answer without the list (an older collector) or a refused request: the probes it asked
/// about are sent whole.
#[test]
fn without_an_answer_about_them_probes_are_sent_whole() {
    use crate::outbox::{Outbox, Outcome, Policy};
    for (outcome, missing) in [(Outcome::Delivered, None), (Outcome::Rejected, Some(""))] {
        let mut o = Outbox::new(Policy::default());
        let ev =
            |id: &str| crate::event::Encoded { message_id: id.into(), json: format!("{{\"messageId\":\"{id}\"}}") };
        o.push(ev("p"), 0).unwrap();
        o.probe(&["p".into()], 0);
        assert_eq!(o.poll_transmit(20_000), None, "not on its own before PROBE_ALONE_MS");
        o.push(ev("n"), 20_000).unwrap();
        o.request_flush();
        let t = o.poll_transmit(20_000).unwrap();
        assert!(t.body.ends_with(r#"],"confirm":["p"]}"#) && !t.body.contains(r#"{"messageId":"p"}"#), "{}", t.body);
        o.on_result(t.request, outcome, 20_100, 0, missing);
        o.request_flush();
        let again = o.poll_transmit(20_200).unwrap();
        assert!(again.body.contains(r#"[{"messageId":"p"}]"#), "{outcome:?}: {}", again.body);
    }
}

/// Firefox may stop a closing tab's pagehide handler at any point (tests/xbrowser): the beacon
/// is the first thing it does, and the tab's session is still written after it.
#[test]
fn pagehide_sends_the_beacon_before_writing_anything() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    w.track(&mut t, "a");
    t.engine.handle(Input::PageHide { session: String::new() }, w.now);
    let first = t.engine.poll_output();
    assert!(matches!(first, Some(Output::Beacon { .. })), "first output: {first:?}");
    t.engine.handle(Input::BeaconAnswer { chunk: 0, accepted: true }, w.now);
    let mut session = false;
    while let Some(o) = t.engine.poll_output() {
        session |= matches!(o, Output::Remember { session: true, .. });
    }
    assert!(session, "the session written after the beacon");
}

#[test]
fn refused_beacons_leave_the_events_stored_and_fall_back_to_keepalive() {
    let mut w = World::new(Locks::Web);
    w.beacons_accepted = false;
    let mut t = w.open(granted(), 1);
    w.track(&mut t, "a");
    // Not ticked: the event was never written before the page left.
    w.handle(&mut t, Input::PageHide { session: String::new() });
    assert_eq!(w.queue_keys().len(), 1, "written synchronously on pagehide");
    assert_eq!(w.collector.received.len(), 1, "the keepalive fallback carried it");
    assert!(!w.storage.keys().any(|k| k.starts_with("tp:tab:")), "heartbeat removed: adoptable at once");
}

#[test]
fn a_throwing_storage_degrades_to_memory_and_still_delivers() {
    let mut w = World::new(Locks::Web);
    w.storage_throws = true;
    let mut t = w.open(granted(), 1);
    for i in 0..3 {
        w.track(&mut t, &format!("e{i}"));
    }
    w.settle(&mut t, 0);
    assert_eq!(w.collector.stored().len(), 3);
    assert!(!t.lock_requested, "nothing to adopt from unusable storage");
    let said: Vec<_> = t.warnings.iter().filter(|w| w.contains("localStorage full or blocked")).collect();
    assert_eq!(said.len(), 1, "said once: {:?}", t.warnings);
}

#[test]
fn warnings_are_capped() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    for _ in 0..50 {
        w.handle(&mut t, Input::Rejected(CommandError::EventName));
    }
    assert_eq!(t.warnings.len(), 21);
    assert!(t.warnings[20].contains("suppressed"));
}

#[test]
fn an_event_with_oversized_properties_is_kept_without_them_and_said() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    let huge = format!("{{\"note\":\"{}\",\"sku\":\"A1\"}}", "x".repeat(40 * 1024));
    let many = format!("{{{}}}", (0..5_000).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>().join(","));
    for (name, props) in [("huge", huge), ("many", many)] {
        w.handle(&mut t, Input::Command(Command::Track { name: name.into(), properties: props }));
        let e = t.engine.queued_events().pop().unwrap_or_default();
        assert!(
            e.contains(&format!("\"event\":\"{name}\"")) && e.contains("\"properties\":{}"),
            "{}",
            &e[..e.len().min(300)]
        );
    }
    assert_eq!(t.warnings.iter().filter(|m| m.contains("larger than 16 KiB")).count(), 2, "{:?}", t.warnings);
    w.settle(&mut t, 0);
    let stored = w.collector.stored();
    assert_eq!(stored.len(), 2, "both events reached the collector: {stored:?}");
}

#[test]
fn page_urls_are_scrubbed_in_the_core() {
    let mut w = World::new(Locks::Web);
    let mut t = w.open(granted(), 1);
    w.track(&mut t, "a");
    let e = t.engine.queued_events().pop().unwrap();
    assert!(!e.contains("a@b.co"), "{e}");
}

// ---- several tabs -------------------------------------------------------------------------------

#[test]
fn a_closed_tabs_events_are_adopted_by_the_next_page_under_the_lock() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    w.answer_lock(&mut a, 0);
    w.leave_unsent(&mut a, 4);
    a.alive = false;
    let mut b = w.open(granted(), 2);
    assert!(b.lock_requested);
    w.settle(&mut b, 1);
    let stored = w.collector.stored();
    assert!(a.captured.iter().all(|id| stored.contains(id)), "adopted and delivered");
    assert!(w.queue_keys().is_empty(), "{:?}", w.queue_keys());
}

#[test]
fn a_tab_kept_open_adopts_what_a_closed_one_left_when_its_heartbeat_goes() {
    let mut w = World::new(Locks::Web);
    let mut b = w.open(granted(), 2);
    w.answer_lock(&mut b, 1);
    assert!(!b.lock_requested, "adopted once at start, nothing to adopt");
    let mut a = w.open(granted(), 1);
    w.answer_lock(&mut a, 0);
    w.leave_unsent(&mut a, 3); // closed offline: nothing reached the collector
    a.alive = false;
    // The storage event of its heartbeat's removal, in the tab the shopper goes on using.
    w.handle(&mut b, Input::TabGone);
    w.timers(&mut b);
    assert!(b.lock_requested, "adopts again, with no page load");
    // While that attempt is under way, another tab leaving starts no second one.
    b.lock_requested = false;
    w.handle(&mut b, Input::TabGone);
    w.timers(&mut b);
    assert!(!b.lock_requested, "one attempt at a time");
    b.lock_requested = true;
    w.settle(&mut b, 1);
    let stored = w.collector.stored();
    assert!(a.captured.iter().all(|id| stored.contains(id)), "adopted and delivered");
    assert!(w.queue_keys().is_empty(), "{:?}", w.queue_keys());
}

#[test]
fn a_live_tab_keeps_its_events_and_a_busy_lock_is_retried_on_a_timer() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    w.track(&mut a, "a0");
    w.now += PERSIST_MS;
    w.timers(&mut a);
    let mut b = w.open(granted(), 2);
    w.lock_held_elsewhere = true;
    w.answer_lock(&mut b, 1);
    assert!(!b.lock_requested);
    let retry = b.engine.poll_timeout().unwrap();
    assert!(retry <= w.now + crate::adoption::RETRY_MS, "retried on its own timer");
    w.lock_held_elsewhere = false;
    w.now = retry;
    w.timers(&mut b);
    assert!(b.lock_requested);
    w.answer_lock(&mut b, 1);
    assert!(b.engine.queued_events().is_empty(), "a's heartbeat is fresh: nothing adopted");
    assert_eq!(w.queue_keys().len(), 1, "a's group is untouched");
}

#[test]
fn a_crashed_tab_is_adopted_once_its_heartbeat_is_stale() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    w.answer_lock(&mut a, 0);
    w.track(&mut a, "a0");
    w.now += PERSIST_MS;
    w.timers(&mut a);
    a.alive = false; // crashed: no pagehide, its heartbeat stays
    let mut b = w.open(granted(), 2);
    w.answer_lock(&mut b, 1);
    assert!(b.engine.queued_events().is_empty(), "too early: it might be alive");
    w.now += TAB_STALE_MS;
    let mut c = w.open(granted(), 3);
    w.settle(&mut c, 2);
    assert!(w.collector.stored().contains(&a.captured[0]));
}

#[test]
fn two_tabs_racing_for_the_same_orphans_send_them_once() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    w.leave_unsent(&mut a, 3);
    // Both new pages ask for the lock before either answer arrives.
    let mut b = w.open(granted(), 2);
    let mut c = w.open(granted(), 3);
    assert!(b.lock_requested && c.lock_requested);
    w.answer_lock(&mut c, 2);
    w.answer_lock(&mut b, 1);
    w.settle(&mut b, 1);
    w.settle(&mut c, 2);
    let mut received = w.collector.received.clone();
    received.sort();
    assert_eq!(received, {
        let mut v = a.captured.clone();
        v.sort();
        v
    });
}

#[test]
fn without_web_locks_the_lease_lets_one_tab_adopt() {
    let mut w = World::new(Locks::None);
    let mut a = w.open(granted(), 1);
    w.leave_unsent(&mut a, 1);
    let mut b = w.open(granted(), 2);
    assert!(!w.storage.contains_key(LEASE), "the lease is removed right after the adoption");
    assert_eq!(b.engine.queued_events().len(), 1, "a0 adopted");
    w.settle(&mut b, 1);
    assert_eq!(w.collector.received, a.captured);
}

#[test]
fn an_unexpired_lease_of_another_tab_is_respected() {
    let mut w = World::new(Locks::None);
    w.storage.insert(LEASE.into(), format!("other:{}", w.now + 3_000));
    w.storage.insert("tp:q:gone:1".into(), "{\"messageId\":\"m1\"}".into());
    let mut b = w.open(granted(), 2);
    assert!(b.engine.queued_events().is_empty(), "not adopted while the lease is held");
    w.now += 3_001;
    w.timers(&mut b);
    assert_eq!(b.engine.queued_events().len(), 1, "adopted once it expired");
}

#[test]
fn a_page_back_from_the_bfcache_drops_what_another_page_adopted_meanwhile() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    w.answer_lock(&mut a, 0);
    w.leave_unsent(&mut a, 1); // frozen in the bfcache, its events stored
    let mut b = w.open(granted(), 2);
    w.settle(&mut b, 1);
    assert_eq!(w.collector.received, a.captured, "b adopted and sent a0");
    w.handle(
        &mut a,
        Input::PageShow { persisted: true, depth: 0, anonymous_id: String::new(), session: String::new() },
    );
    w.settle(&mut a, 0);
    // (A quick return from the bfcache is itself a friction event: only a's own captures count.)
    let mine: Vec<_> = w.collector.received.iter().filter(|id| a.captured.contains(id)).cloned().collect();
    assert_eq!(mine, a.captured, "a does not send a0 a second time");
}

#[test]
fn a_page_back_from_the_bfcache_with_nothing_adopted_sends_its_events() {
    let mut w = World::new(Locks::Web);
    let mut a = w.open(granted(), 1);
    w.leave_unsent(&mut a, 1);
    w.handle(
        &mut a,
        Input::PageShow { persisted: true, depth: 0, anonymous_id: String::new(), session: String::new() },
    );
    w.settle(&mut a, 0);
    let mine: Vec<_> = w.collector.received.iter().filter(|id| a.captured.contains(id)).cloned().collect();
    assert_eq!(mine, a.captured);
}

#[test]
fn outputs_and_timeouts_are_deterministic() {
    let run = || {
        let mut w = World::new(Locks::Web);
        let mut t = w.open(granted(), 7);
        let mut trace = Vec::new();
        for i in 0..30 {
            t.engine.handle(Input::Command(Command::Track { name: format!("e{i}"), properties: "{}".into() }), w.now);
            t.engine.tick(w.now);
            while let Some(o) = t.engine.poll_output() {
                trace.push(format!("{o:?}"));
            }
            trace.push(format!("{:?}", t.engine.poll_timeout()));
            w.now += 700;
        }
        trace
    };
    assert_eq!(run(), run());
}

// ---- properties ---------------------------------------------------------------------------------

mod properties {
    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Step {
        Track(usize),
        Tick(usize),
        Wait(u64),
        AnswerOk(usize),
        AnswerFail(usize),
        Lock(usize),
        Hide(usize),
        Crash(usize),
        Open,
        BeaconsRefused(bool),
        BeaconsLost(bool),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..3usize).prop_map(Step::Track),
            2 => (0..3usize).prop_map(Step::Tick),
            2 => (0..8_000u64).prop_map(Step::Wait),
            2 => (0..3usize).prop_map(Step::AnswerOk),
            1 => (0..3usize).prop_map(Step::AnswerFail),
            2 => (0..3usize).prop_map(Step::Lock),
            1 => (0..3usize).prop_map(Step::Hide),
            1 => (0..3usize).prop_map(Step::Crash),
            1 => Just(Step::Open),
            1 => any::<bool>().prop_map(Step::BeaconsRefused),
            1 => any::<bool>().prop_map(Step::BeaconsLost),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Whatever the interleaving of captures, ticks, answers, lock answers, closes and
        /// crashes among several tabs, no event is lost: once a last page has waited out the
        /// stale heartbeats and settled, everything captured reached the collector. The one
        /// exception is by design and bounded: a tab that crashes (no pagehide) loses only what it
        /// captured in the last PERSIST_MS, which was not written yet.
        #[test]
        fn no_event_is_lost_across_tabs(steps in proptest::collection::vec(step(), 1..60)) {
            let mut w = World::new(Locks::Web);
            let mut tabs: Vec<Tab> = vec![w.open(granted(), 1)];
            let mut seed = 2u8;
            for s in steps {
                let pick = |i: usize, n: usize| i % n;
                let n = tabs.len();
                match s {
                    Step::Track(i) => { let t = &mut tabs[pick(i, n)]; if t.alive { w.track(t, "e"); } }
                    Step::Tick(i) => { let t = &mut tabs[pick(i, n)]; if t.alive { w.tick(t); } }
                    Step::Wait(ms) => { w.now += ms; for t in tabs.iter_mut().filter(|t| t.alive) { w.timers(t); } }
                    Step::AnswerOk(i) => { let t = &mut tabs[pick(i, n)]; if t.alive { w.answer_all(t, 200); } }
                    Step::AnswerFail(i) => { let t = &mut tabs[pick(i, n)]; if t.alive { w.answer_all(t, 503); } }
                    Step::Lock(i) => { let k = pick(i, n); let t = &mut tabs[k]; if t.alive { w.answer_lock(t, k); } }
                    Step::Hide(i) => { let t = &mut tabs[pick(i, n)]; if t.alive { w.handle(t, Input::PageHide { session: String::new() }); t.alive = false; } }
                    Step::Crash(i) => {
                        let t = &mut tabs[pick(i, n)];
                        if t.alive {
                            t.alive = false;
                            let stored: String = w.storage.values().cloned().collect();
                            let sent = w.collector.stored();
                            for (id, at) in &t.captured_at {
                                let safe = stored.contains(id.as_str()) || sent.contains(id)
                                    || t.in_flight.iter().any(|(_, ids, _)| ids.contains(id));
                                if !safe {
                                    prop_assert!(w.now < at + PERSIST_MS, "{id} captured at {at} still unwritten at {}", w.now);
                                    t.captured.retain(|c| c != id);
                                }
                            }
                        }
                    }
                    Step::Open => { if n < 6 { seed += 1; let t = w.open(granted(), seed); tabs.push(t); } }
                    Step::BeaconsRefused(r) => w.beacons_accepted = !r,
                    Step::BeaconsLost(l) => w.beacons_lost = l,
                }
            }
            // Every live tab delivers what it has; then a last page, after the crashed tabs'
            // heartbeats went stale, adopts and delivers the rest.
            w.beacons_accepted = true;
            w.beacons_lost = false;
            for (k, t) in tabs.iter_mut().enumerate() {
                if t.alive { w.settle(t, k); }
            }
            w.now += TAB_STALE_MS;
            let mut last = w.open(granted(), 200);
            w.settle(&mut last, 99);
            let stored = w.collector.stored();
            for t in &tabs {
                for id in &t.captured {
                    prop_assert!(stored.contains(id), "lost {id}");
                }
            }
            prop_assert!(w.queue_keys().is_empty(), "left in storage: {:?}", w.queue_keys());
        }

        /// Clicks and commands in any order produce byte-identical outputs from the same seed.
        #[test]
        fn engine_is_deterministic(names in proptest::collection::vec("[a-z]{1,8}", 1..30)) {
            let run = || {
                let mut w = World::new(Locks::Web);
                let mut t = w.open(granted(), 9);
                let mut trace = Vec::new();
                for n in &names {
                    t.engine.handle(Input::Command(Command::Track { name: n.clone(), properties: "{}".into() }), w.now);
                    t.engine.tick(w.now);
                    while let Some(o) = t.engine.poll_output() { trace.push(format!("{o:?}")); }
                    w.now += 333;
                }
                trace
            };
            prop_assert_eq!(run(), run());
        }
    }
}

/// A browser a program drives (a site's own end-to-end tests, its monitoring) or a crawler is
/// said on every event, and nothing is said for a visitor's.
#[test]
fn an_automated_browser_is_said_in_the_context() {
    let context = |automated| device_context(&Boot { width: 390, height: 844, automated, ..Boot::default() }, 100);
    assert!(context(true).ends_with(r#","automated":true"#), "{}", context(true));
    assert!(!context(false).contains("automated"), "{}", context(false));
}

#[test]
fn device_class_by_width_and_a_phone_held_sideways() {
    let class = |w, h| {
        let c = device_context(&Boot { width: w, height: h, ..Boot::default() }, 100);
        c.split_once("\"device\":\"").map(|(_, r)| r.split('"').next().unwrap_or_default().to_string())
    };
    assert_eq!(class(390, 844).as_deref(), Some("mobile"));
    assert_eq!(class(844, 390).as_deref(), Some("mobile"), "a phone held sideways");
    assert_eq!(class(820, 1180).as_deref(), Some("tablet"));
    assert_eq!(class(1000, 700).as_deref(), Some("tablet"));
    assert_eq!(class(1180, 820).as_deref(), Some("desktop"));
    assert_eq!(class(1280, 400).as_deref(), Some("desktop"), "a short desktop window");
    assert_eq!(class(0, 0), None);
}
