//! The journey through the engine, on the host: a scripted visit with a fake clock, and the
//! session, attribution, consent memory and moment rules seen on the encoded events.

use super::*;
use crate::config::parse;
use crate::input::{Boot, Command, Input, Nav};
use crate::journey::session::Session;
use crate::remembered;

const T0: u64 = 1_764_300_000_000;

struct Visit {
    engine: Engine,
    now: u64,
    /// Every event captured, as encoded JSON, in capture order (sent or not).
    sent: Vec<String>,
    remembered: Vec<(&'static str, String, bool)>,
    /// The keys written to localStorage (the visit's session, the anonymous id ...), in order.
    writes: Vec<String>,
    warnings: Vec<String>,
}

impl Visit {
    fn new(attrs: &[(&str, &str)], boot: Boot) -> Visit {
        Visit::new_at(attrs, boot, 0)
    }

    /// A page booted `at` ms after `T0`.
    fn new_at(attrs: &[(&str, &str)], boot: Boot, at: u64) -> Visit {
        let (config, _) = parse(|k| attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()));
        let entropy: Vec<u8> = (0..=255).collect();
        let engine = Engine::new(config, Signals::default(), boot, true, &entropy, T0 + at);
        let mut v = Visit {
            engine,
            now: T0 + at,
            sent: Vec::new(),
            remembered: Vec::new(),
            writes: Vec::new(),
            warnings: Vec::new(),
        };
        v.drive();
        v
    }

    fn granted(url: &str, referrer: &str) -> Visit {
        Visit::new(&[("site", "shop"), ("consent", "granted")], boot(url, referrer))
    }

    fn drive(&mut self) {
        while let Some(o) = self.engine.poll_output() {
            match o {
                Output::Send { request, body, .. } => {
                    self.sent.extend(events_of(&body));
                    // (Its beacons arrive: the collector holds every probe asked about.)
                    let missing = Some(String::new());
                    self.engine
                        .handle(Input::HttpAnswer { request, status: 200, retry_after: None, missing }, self.now);
                }
                Output::Beacon { chunk, body } => {
                    self.sent.extend(events_of(&body));
                    self.engine.handle(Input::BeaconAnswer { chunk, accepted: true }, self.now);
                }
                Output::Remember { key, value, session } => {
                    if !session {
                        self.writes.push(key.into());
                    }
                    self.remembered.push((key, value, session));
                }
                Output::StorageSet { key, .. } => self.writes.push(key),
                Output::Warn(w) => self.warnings.push(w),
                _ => {}
            }
        }
    }

    fn at(&mut self, ms: u64, input: Input) {
        self.now = T0 + ms;
        self.engine.handle(input, self.now);
        self.drive();
    }

    fn page(&mut self, url: &str) {
        let page = PageContext { url: url.into(), path: path_of(url), ..PageContext::default() };
        self.at(self.now - T0, Input::Command(Command::Page { properties: "{}".into(), page }));
    }

    /// Everything captured so far, sent by a flush.
    fn events(&mut self) -> Vec<String> {
        self.engine.handle(Input::Command(Command::Flush), self.now);
        self.drive();
        self.sent.clone()
    }

    fn names(&mut self) -> Vec<String> {
        self.events().iter().map(|e| field(e, "\"event\":\"")).collect()
    }
}

fn boot(url: &str, referrer: &str) -> Boot {
    Boot {
        page: PageContext { url: url.into(), path: path_of(url), title: "Shop".into(), referrer: referrer.into() },
        width: 390,
        height: 800,
        language: "de-DE".into(),
        timezone: "Europe/Berlin".into(),
        visible: true,
        focused: true,
        depth: 40,
        ..Boot::default()
    }
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("/").to_string()
}

/// The events of a batch body, each as its JSON text (the engine's own encoding: no nesting of
/// `{"type":` inside an event).
fn events_of(body: &str) -> Vec<String> {
    body.split("{\"type\":").skip(1).map(|e| ["{\"type\":", e.trim_end_matches([']', '}', ','])].concat()).collect()
}

/// The text after `prefix` up to the next quote.
fn field(event: &str, prefix: &str) -> String {
    event.split_once(prefix).map(|(_, r)| r.split('"').next().unwrap_or("").to_string()).unwrap_or_default()
}

fn route(how: Nav, url: &str) -> Input {
    Input::Route { how, path: path_of(url), url: url.into(), title: String::new(), depth: 30, kept: String::new() }
}

// What the loader found as it started, handed over after the landing's view but stamped a
// moment before it: dated at the view, never before (the inspector orders by time).
#[test]
fn an_event_of_a_page_view_is_never_dated_before_it() {
    let mut v = Visit::granted("https://shop.test/delivery", "https://shop.test/delivery");
    v.at(
        1_000,
        Input::Command(Command::Page {
            properties: "{}".into(),
            page: PageContext {
                url: "https://shop.test/delivery".into(),
                path: "/delivery".into(),
                ..PageContext::default()
            },
        }),
    );
    v.at(999, Input::Command(Command::Track { name: "found_at_start".into(), properties: "{}".into() }));
    v.at(1_500, Input::Command(Command::Track { name: "later".into(), properties: "{}".into() }));
    let events = v.events();
    let at = |name: &str| {
        let e = events.iter().find(|e| field(e, "\"event\":\"") == name).unwrap();
        field(e, "\"timestamp\":\"")
    };
    assert_eq!(at("found_at_start"), at("page_view"));
    assert!(at("later") > at("page_view"));
}

#[test]
fn a_campaign_visit_across_spa_routes_is_one_session_with_its_touchpoints() {
    let mut v = Visit::granted("https://shop.test/?utm_source=spring&utm_medium=email&utm_campaign=sale", "");
    v.page("https://shop.test/?utm_source=spring&utm_medium=email&utm_campaign=sale");
    v.at(4_000, route(Nav::Push, "https://shop.test/list"));
    v.at(4_100, route(Nav::Replace, "https://shop.test/list?sort=price"));
    v.at(4_200, route(Nav::Push, "https://shop.test/list#filters"));
    v.at(5_000, Input::Depth { percent: 80, first: false });
    let add = Input::Declared { name: "add_to_cart".into(), json: r#"{"sku":"A1"}"#.into(), props: vec![] };
    v.at(6_000, add);
    v.at(6_100, Input::Error(crate::input::ErrorFact { message: "boom".into(), ..Default::default() }));
    v.at(9_000, Input::PageHide { session: String::new() });
    let events = v.events();
    let names: Vec<String> = events.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(
        names,
        [
            "page_view",
            "page_leave",
            "page_view",
            "scroll_depth",
            "scroll_depth",
            "scroll_depth",
            "add_to_cart",
            "js_error",
            "page_leave"
        ]
    );
    let sessions: Vec<String> = events.iter().map(|e| field(e, "\"sessionId\":\"")).collect();
    assert!(sessions.iter().all(|s| *s == sessions[0] && s.len() == 36), "one session: {sessions:?}");
    let landing = &events[0];
    for want in [
        r#""navigation":"load""#,
        r#""channel":"email","source":"spring","medium":"email","campaign":"sale""#,
        r#""locale":"de-DE","timezone":"Europe/Berlin","device":"mobile","viewport":{"width":390,"height":800},"channel":"email""#,
    ] {
        assert!(landing.contains(want), "{want} in {landing}");
    }
    assert!(events[1].contains(r#""path":"/","engaged_ms":4000,"max_scroll_pct":40"#), "{}", events[1]);
    assert!(events[2].contains(r#""navigation":"push","previous_path":"/""#), "{}", events[2]);
    // The attribution properties are on the session's first page view only; the channel and
    // the campaign are in every event's context.
    let props = events[2].split_once("\"context\":").unwrap().0;
    assert!(!props.contains("\"source\""), "attribution only on the session's first page view: {props}");
    for e in &events {
        let context = e.split_once("\"context\":").unwrap().1;
        assert!(context.contains(r#""channel":"email","source":"spring","medium":"email","campaign":"sale""#), "{e}");
    }
    assert!(events[6].contains(r#""moment":true,"sku":"A1""#), "{}", events[6]);
    assert!(events[7].contains(r#""during":"add_to_cart""#), "{}", events[7]);
    assert!(events[8].contains(r#""path":"/list","engaged_ms":5000,"max_scroll_pct":80"#), "{}", events[8]);
    // The session is kept for the tab's next page, with this page's path; the same in
    // localStorage, for a tab opened from this one.
    let (key, stored, session) = v.remembered.last().unwrap().clone();
    assert_eq!((key, session), (session::KEY, true));
    let shared = &v.remembered[v.remembered.len() - 2];
    assert_eq!((shared.0, &shared.1, shared.2), (session::KEY, &stored, false));
    let kept = Session::restore(&stored, v.now).expect(&stored);
    assert_eq!(
        (kept.id.as_str(), kept.channel.as_str(), kept.campaign.as_str(), kept.last_path.as_str()),
        (sessions[0].as_str(), "email", r#""source":"spring","medium":"email","campaign":"sale""#, "/list")
    );
    // Arrived at the push (4,000): the untracked replaceState and the fragment change after it
    // are no new view.
    assert_eq!((kept.prev_path.as_str(), kept.arrived, kept.left), ("/", T0 + 4_000, T0 + 9_000));
}

/// A replaceState to another path is a route by default (a router's redirect after signing in,
/// `navigate(to, { replace: true })`); one of the query or fragment only (a theme's variant,
/// filters) is not, unless `data-spa="replace"`.
#[test]
fn a_replace_to_another_path_is_a_view_a_replace_of_the_query_is_not() {
    let mut v = Visit::granted("https://shop.test/login", "");
    v.page("https://shop.test/login");
    v.at(1_000, route(Nav::Replace, "https://shop.test/login?next=%2Faccount"));
    v.at(2_000, route(Nav::Replace, "https://shop.test/login?next=%2Faccount#form"));
    v.at(3_000, route(Nav::Replace, "https://shop.test/account"));
    v.at(4_000, route(Nav::Replace, "https://shop.test/account?tab=orders"));
    let views: Vec<(String, String)> = v
        .events()
        .iter()
        .filter(|e| e.contains("\"event\":\"page_view\""))
        .map(|e| (field(e, "\"navigation\":\""), field(e, "\"path\":\"")))
        .collect();
    assert_eq!(views, [("load".into(), "/login".into()), ("replace".into(), "/account".into())]);
}

/// A trusted click on an element that looks interactive (key `key`).
fn interactive_click(key: u32) -> Input {
    Input::Click(crate::input::Click {
        element: Some(crate::input::Sensed { key, flags: crate::input::SENSED_INTERACTIVE, ..Default::default() }),
        trusted: true,
        ..Default::default()
    })
}

/// Time goes on to `ms` after T0, with no input: the engine's timers run (a dead click's verdict).
fn tick_to(v: &mut Visit, ms: u64) {
    v.now = T0 + ms;
    v.engine.handle_timeout(v.now);
    v.drive();
}

/// A dead click is judged a second after it: a moment of truth tracked in that second (a dead
/// "Apply coupon", then "Add to cart") is not the one it happened during; one clicked after the
/// moment is (a data engineer's QA: the coupon's dead_click said "during add_to_cart").
#[test]
fn a_dead_click_is_during_the_moment_under_way_at_its_click_not_at_its_verdict() {
    let mut v = Visit::granted("https://shop.test/product", "");
    v.page("https://shop.test/product");
    v.at(1_000, Input::Command(Command::Track { name: "view_item".into(), properties: "{}".into() }));
    v.at(2_000, interactive_click(4));
    v.at(2_050, Input::Command(Command::Track { name: "add_to_cart".into(), properties: "{}".into() }));
    tick_to(&mut v, 3_500);
    v.at(5_000, interactive_click(5));
    tick_to(&mut v, 6_500);
    let dead: Vec<String> = v.events().into_iter().filter(|e| e.contains("\"event\":\"dead_click\"")).collect();
    assert_eq!(dead.len(), 2, "{dead:#?}");
    assert!(!dead[0].contains("\"during\""), "clicked before the moment: {}", dead[0]);
    assert!(dead[1].contains(r#""during":"add_to_cart""#), "{}", dead[1]);
}

/// A click that is itself a moment (`data-tp-event="place_bid"` on the Bid button: the click is
/// captured a millisecond before its event) is during it; and a burst of such clicks, each its
/// own moment, is during the moment under way at its first (an auction's QA: a stuck Bid's
/// dead_click said no `during` when clicked once first, nor after five clicks, only the last
/// moment but one being kept).
#[test]
fn a_click_that_is_a_moment_and_a_burst_of_them_are_during_it() {
    let mut v = Visit::granted("https://shop.test/lot/5", "");
    v.page("https://shop.test/lot/5");
    let bid = || Input::Command(Command::Track { name: "add_to_cart".into(), properties: "{}".into() });
    v.at(2_000, interactive_click(4));
    v.at(2_001, bid());
    tick_to(&mut v, 3_500);
    for i in 0..5 {
        v.at(5_000 + i * 200, interactive_click(7));
        v.at(5_001 + i * 200, bid());
    }
    tick_to(&mut v, 8_000);
    let found: Vec<String> = v
        .events()
        .into_iter()
        .filter(|e| e.contains("\"event\":\"dead_click\"") || e.contains("\"event\":\"rage_click\""))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        assert!(f.contains(r#""during":"add_to_cart""#), "{f}");
    }
}

/// A slow interaction and the view's INP are during the moment under way when the interaction
/// began, not when its Event Timing entry was told (after its paint, with the next hand-over):
/// a slow click, then Add to cart, was `during: add_to_cart` (a Shopify theme's QA).
#[test]
fn a_slow_interaction_and_its_inp_are_during_the_moment_under_way_when_it_began() {
    let mut v = Visit::granted("https://shop.test/product", "");
    v.page("https://shop.test/product");
    let slow = |duration: u64, id: u64, age: u64| Input::Interaction {
        duration,
        input_delay: 0,
        processing: duration,
        presentation: 0,
        kind: "click".into(),
        id,
        age,
        target: None,
    };
    v.at(2_500, Input::Command(Command::Track { name: "add_to_cart".into(), properties: "{}".into() }));
    v.at(3_000, slow(700, 1, 1_000));
    v.at(4_600, slow(600, 2, 50));
    v.at(9_000, Input::PageHide { session: String::new() });
    let mut during = |name: &str| -> Vec<bool> {
        let key = format!("\"event\":\"{name}\"");
        v.events().iter().filter(|e| e.contains(&key)).map(|e| e.contains(r#""during":"add_to_cart""#)).collect()
    };
    assert_eq!(during("slow_interaction"), [false, true], "{:#?}", v.events());
    assert_eq!(during("poor_vital"), [false], "the INP, 700 ms, began before the moment");
}

/// Friction carries the moment of truth under way in its page view only: a checkout error
/// says `during: begin_checkout`; after the route to the next view, the same error says nothing.
#[test]
fn friction_carries_the_moment_of_its_own_page_view_only() {
    let mut v = Visit::granted("https://shop.test/cart", "");
    v.page("https://shop.test/cart");
    let error = |m: &str| Input::Error(crate::input::ErrorFact { message: m.into(), ..Default::default() });
    v.at(1_000, error("before"));
    v.at(2_000, Input::Command(Command::Track { name: "begin_checkout".into(), properties: "{}".into() }));
    v.at(3_000, error("during"));
    v.at(4_000, route(Nav::Push, "https://shop.test/help"));
    v.at(5_000, error("after"));
    let errors: Vec<String> = v.events().into_iter().filter(|e| e.contains("\"event\":\"js_error\"")).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(!errors[0].contains("\"during\""), "before the moment: {}", errors[0]);
    assert!(errors[1].contains(r#""during":"begin_checkout""#), "{}", errors[1]);
    assert!(!errors[2].contains("\"during\""), "the next view: {}", errors[2]);
}

/// A moment tracked just before the route it leads to (the Checkout click's `begin_checkout`,
/// then the app's push to /checkout) is the new view's: its friction says `during` (a food
/// ordering QA: none did). One tracked longer before is the old view's only.
#[test]
fn a_moment_tracked_just_before_its_route_is_the_new_views() {
    for (gap, carried) in [(300, true), (1_000, true), (1_500, false)] {
        let mut v = Visit::granted("https://shop.test/menu", "");
        v.page("https://shop.test/menu");
        let error = |m: &str| Input::Error(crate::input::ErrorFact { message: m.into(), ..Default::default() });
        v.at(2_000, Input::Command(Command::Track { name: "begin_checkout".into(), properties: "{}".into() }));
        v.at(2_000 + gap, route(Nav::Push, "https://shop.test/checkout"));
        v.at(4_000, error("in the checkout"));
        v.at(5_000, route(Nav::Push, "https://shop.test/menu"));
        v.at(6_000, error("back on the menu"));
        let errors: Vec<String> = v.events().into_iter().filter(|e| e.contains("\"event\":\"js_error\"")).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].contains(r#""during":"begin_checkout""#), carried, "{gap} ms: {}", errors[0]);
        assert!(!errors[1].contains("\"during\""), "the view after: {}", errors[1]);
    }
}

/// An error's message that names a URL (a failed call's address) has its tokens masked as the
/// page's URL would, the rest of it kept.
#[test]
fn an_error_message_keeps_no_token_of_the_urls_it_names() {
    let mut v = Visit::granted("https://shop.test/account", "");
    v.page("https://shop.test/account");
    let message = "Uncaught Error: GET https://api.shop.test/v1/reset?token=SECRET123&lang=de failed";
    v.at(1_000, Input::Error(crate::input::ErrorFact { message: message.into(), ..Default::default() }));
    let e = v.events().into_iter().find(|e| e.contains("\"event\":\"js_error\"")).expect("a js_error");
    assert!(e.contains("reset?token=***&lang=de failed"), "{e}");
    assert!(!e.contains("SECRET123"), "{e}");
    // Messages without a URL, a '?' or an address among them, are as they were.
    for (i, m) in
        ["Unexpected token '?'", "Cannot read properties of null (reading 'x')", "user jane@example.org not found"]
            .into_iter()
            .enumerate()
    {
        v.at(2_000 + i as u64, Input::Error(crate::input::ErrorFact { message: m.into(), ..Default::default() }));
    }
    let messages: Vec<String> = v
        .events()
        .into_iter()
        .filter(|e| e.contains("\"event\":\"js_error\""))
        .map(|e| e.split("\"message\":\"").nth(1).unwrap().split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(
        messages[1..],
        ["Unexpected token '?'", "Cannot read properties of null (reading 'x')", "user *** not found"],
        "{messages:?}"
    );
}

/// The tab's session as `v` last stored it.
fn stored_session(v: &Visit) -> String {
    v.remembered.iter().rev().find(|(k, ..)| *k == session::KEY).unwrap().1.clone()
}

/// The tab's next page: booted with the session the previous page stored.
fn next_page(prev: &Visit, url: &str, back: bool, at: u64) -> Visit {
    let mut b = boot(url, "");
    b.session = stored_session(prev);
    b.back = back;
    Visit::new_at(&[("site", "shop"), ("consent", "granted")], b, at)
}

#[test]
fn a_tab_opened_after_half_an_hour_of_use_without_a_route_change_joins_the_visit() {
    let mut a = Visit::granted("https://shop.test/app", "");
    a.page("https://shop.test/app");
    // 40 minutes of steady use of one view (a long form, a configurator): no page view, no hide.
    for minute in 1..=40 {
        a.at(minute * 60_000, track("configured"));
    }
    let writes = a.remembered.iter().filter(|(k, _, local)| *k == session::KEY && !local).count();
    assert!((8..=10).contains(&writes), "written every 5 minutes of use, not per event: {writes}");
    let first = field(&a.events()[0], "\"sessionId\":\"");
    let mut b = next_page(&a, "https://shop.test/app/item", false, 40 * 60_000 + 30_000);
    b.page("https://shop.test/app/item");
    let ev = b.events();
    assert_eq!(field(&ev[0], "\"sessionId\":\""), first, "{}", ev[0]);
}

/// The session as `v` last wrote it to localStorage, for the visit's next tab.
fn visit_session(v: &Visit) -> String {
    v.remembered.iter().rev().find(|(k, _, in_tab)| *k == session::KEY && !in_tab).unwrap().1.clone()
}

/// Two tabs of one visit, one used every 10 minutes for two hours, the other left alone: the
/// visit is never idle, so a click in the quiet tab then is the same session, not a new one
/// running beside the other's (QA: two parallel sessions of one visit). The busy tab's writes of
/// the session (heard as `Input::OtherTab`) keep it alive in the quiet one.
#[test]
fn a_tab_left_alone_while_another_tab_of_the_visit_is_used_keeps_the_session() {
    let mut a = Visit::granted("https://shop.test/list", "");
    a.page("https://shop.test/list");
    let mut b = boot("https://shop.test/p1", "https://shop.test/list");
    b.session = visit_session(&a);
    let mut quiet = Visit::new_at(&[("site", "shop"), ("consent", "granted")], b, 1_000);
    quiet.page("https://shop.test/p1");
    for minute in (10..=120).step_by(10) {
        a.at(minute * 60_000, track("browse"));
        quiet.at(minute * 60_000 + 10, Input::OtherTab { anonymous_id: String::new(), session: visit_session(&a) });
    }
    quiet.at(121 * 60_000, a_click());
    let ev = quiet.events();
    let first = session_of(&ev[0]);
    assert!(ev.iter().all(|e| session_of(e) == first), "{ev:#?}");
    assert!(!ev.iter().any(|e| e.contains(r#""navigation":"resume""#)), "{ev:#?}");
    assert_eq!(session_of(&a.events()[0]), first);
}

/// A list, a product opened from it in a new tab, then another product from the list in a new
/// tab: the list's tab writes the session when it is hidden, after the first product's tab did,
/// and the visit's last page is still that product (the page view that began last), not the
/// list; the list's own tab keeps its own path for its next page.
#[test]
fn a_tab_left_behind_does_not_name_its_older_page_as_the_visits_last() {
    let new_tab = |from: &Visit, url: &str, at: u64| {
        let mut b = boot(url, "https://shop.test/list");
        b.session = visit_session(from);
        let mut v = Visit::new_at(&[("site", "shop"), ("consent", "granted")], b, at);
        v.page(url);
        v
    };
    let mut list = Visit::granted("https://shop.test/list", "");
    list.page("https://shop.test/list");
    let p1 = new_tab(&list, "https://shop.test/p1", 1_000);
    list.at(1_100, Input::OtherTab { anonymous_id: String::new(), session: visit_session(&p1) });
    list.at(2_000, Input::Visibility { hidden: true }); // (the second product's tab in front)
    let mut p2 = new_tab(&list, "https://shop.test/p2", 2_100);
    let ev = p2.events();
    assert!(ev[0].contains(r#""previous_path":"/p1""#), "{}", ev[0]);
    assert!(stored_session(&list).contains("\u{1f}/list\u{1f}"), "the list's tab: its own page");
}

/// A shop's card form in a same-origin frame whose page runs the tag too (the frames QA): the
/// frame is a page view of its own, in the tab's session, but the tab's last page view stays the
/// checkout around it, so the thanks page's `previous_path` is the checkout, not the frame.
#[test]
fn a_frame_running_the_tag_leaves_the_tabs_last_page_to_the_page_around_it() {
    let mut checkout = Visit::granted("https://shop.test/checkout", "");
    checkout.page("https://shop.test/checkout");
    let mut b = boot("https://shop.test/card-frame", "https://shop.test/checkout");
    b.session = stored_session(&checkout);
    b.framed = true;
    let mut frame = Visit::new_at(&[("site", "shop"), ("consent", "granted")], b, 1_000);
    frame.page("https://shop.test/card-frame");
    frame.at(2_000, a_click());
    frame.at(3_000, Input::Visibility { hidden: true });
    let fe = frame.events();
    assert_eq!(session_of(&fe[0]), session_of(&checkout.events()[0]), "one session");
    // Every event of the frame says so (its page views and engaged time are the checkout's too).
    assert!(fe.iter().all(|e| e.contains(r#""framed":true"#)), "{fe:#?}");
    assert!(!checkout.events().iter().any(|e| e.contains("framed")));
    let mut thanks = next_page(&frame, "https://shop.test/thanks", false, 4_000);
    thanks.page("https://shop.test/thanks");
    let ev = thanks.events();
    assert!(ev[0].contains(r#""previous_path":"/checkout""#), "{}", ev[0]);
}

/// A trusted click of the visitor's on an interactive element: the view is used.
fn visitors_click() -> Input {
    Input::Click(crate::input::Click {
        element: Some(crate::input::Sensed { key: 1, flags: 1, ..Default::default() }),
        trusted: true,
        ..Default::default()
    })
}

/// /a viewed for 2 s, then /b (where the customer `c-7` signs in) for 2 s, clicked in (`used`)
/// or not; both left.
fn a_then_b(used: bool) -> (Visit, Visit) {
    let mut a = Visit::granted("https://shop.test/a", "");
    a.page("https://shop.test/a");
    a.at(2_000, Input::PageHide { session: String::new() });
    let mut b = next_page(&a, "https://shop.test/b", false, 3_000);
    b.page("https://shop.test/b");
    b.at(3_200, identify("c-7", "{}"));
    if used {
        b.at(3_500, visitors_click());
    }
    b.at(5_000, Input::PageHide { session: String::new() });
    (a, b)
}

#[test]
fn straight_back_to_the_previous_page_by_a_full_reload_is_a_quick_back() {
    for (used, want) in [(false, true), (true, false)] {
        let (_, b) = a_then_b(used);
        let mut back = next_page(&b, "https://shop.test/a", true, 6_000);
        back.page("https://shop.test/a");
        let ev = back.events();
        // (Its page view says how the visitor came: by the back button, not a link.)
        assert!(ev[0].contains(r#""navigation":"back_forward","previous_path":"/b""#), "{}", ev[0]);
        let quick: Vec<&String> = ev.iter().filter(|e| e.contains("\"quick_back\"")).collect();
        assert_eq!(!quick.is_empty(), want, "used {used}: {ev:#?}");
        if want {
            assert!(
                quick[0].contains(r#""from_path":"/b","to_path":"/a","dwell_ms":2000,"via":"reload""#),
                "{}",
                quick[0]
            );
        }
        // Forward to a page that is not the one before: no quick_back.
        let mut other = next_page(&b, "https://shop.test/c", true, 6_000);
        other.page("https://shop.test/c");
        assert!(!other.events().iter().any(|e| e.contains("quick_back")));
    }
}

/// /b left by its own Back link (`history.back()` in the click's handler, `BackClick`): that click
/// was the visitor's Back, no use of /b: back on /a, a quick_back; a click before it on /b still
/// uses /b. (Stored used at the click, /b's session is stored again, unused.)
#[test]
fn the_pages_own_back_link_is_the_visitors_back_not_a_use() {
    for (clicks, want) in [(1, true), (2, false)] {
        let mut a = Visit::granted("https://shop.test/a", "");
        a.page("https://shop.test/a");
        a.at(2_000, Input::PageHide { session: String::new() });
        let mut b = next_page(&a, "https://shop.test/b", false, 3_000);
        b.page("https://shop.test/b");
        for i in 0..clicks {
            b.at(4_000 + i * 300, visitors_click());
        }
        b.at(4_000 + clicks * 300, Input::BackClick);
        b.at(5_000, Input::PageHide { session: String::new() });
        let mut back = next_page(&b, "https://shop.test/a", true, 6_000);
        back.page("https://shop.test/a");
        let quick = back.events().iter().any(|e| e.contains("\"quick_back\""));
        assert_eq!(quick, want, "{clicks} click(s) on /b, the last its Back link");
    }
}

/// The page of a tab's session restored from the back/forward cache: what its tab stored as
/// the visitor left the page they had gone to.
fn restore_with(prev: &Visit) -> Input {
    Input::PageShow { persisted: true, depth: 0, anonymous_id: String::new(), session: stored_session(prev) }
}

/// Back to /a from the back/forward cache, then Forward to /b. Chromium runs /b's pagehide after
/// /a's pageshow, whose restored view has written the tab's session already: /b writes nothing
/// over it, and Forward on /b comes from /a. (Written over, /b's older view hid it: a web
/// performance QA.) A page hidden with its own view the latest writes as ever.
#[test]
fn a_page_left_after_the_one_restored_from_the_bfcache_keeps_its_session() {
    let mut a = Visit::granted("https://shop.test/a", "");
    a.page("https://shop.test/a");
    a.at(2_000, Input::PageHide { session: String::new() });
    let mut b = next_page(&a, "https://shop.test/b", false, 3_000);
    b.page("https://shop.test/b");
    let mut c = next_page(&a, "https://shop.test/b", false, 3_000);
    c.page("https://shop.test/b");
    a.at(5_000, restore_with(&b));
    let restored = stored_session(&a);
    let written = |v: &Visit, from: usize| v.remembered[from..].iter().filter(|(k, ..)| *k == session::KEY).count();
    let (before_b, before_c) = (b.remembered.len(), c.remembered.len());
    b.at(5_010, Input::PageHide { session: restored.clone() });
    assert_eq!(written(&b, before_b), 0, "the restored page's session kept");
    c.at(5_010, Input::PageHide { session: stored_session(&c) });
    assert_eq!(written(&c, before_c), 2, "its own view the latest: written (tab and visit)");
    let before = b.events().len();
    b.at(7_000, restore_with(&a));
    let ev = b.events().split_off(before);
    assert!(ev[0].contains(r#""navigation":"restore","previous_path":"/a""#), "{}", ev[0]);
}

/// Back on /a from the back/forward cache after /b: /a continues the session /b kept (a
/// customer who signed in there included), and knows from it where the visitor had been and
/// whether /b was used, as for a page loaded again by the back button.
#[test]
fn back_from_the_bfcache_continues_the_session_the_next_page_kept() {
    for (used, want) in [(false, true), (true, false)] {
        let (mut a, mut b) = a_then_b(used);
        let before = a.events().len();
        a.at(5_000, restore_with(&b)); // (as /b is left: a restore is at once)
        let ev = a.events().split_off(before);
        let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
        assert_eq!(names, if want { vec!["page_view", "quick_back"] } else { vec!["page_view"] }, "used {used}");
        assert!(ev[0].contains(r#""navigation":"restore""#), "{}", ev[0]);
        assert!(ev[0].contains(r#""previous_path":"/b""#), "the page the visitor came back from: {}", ev[0]);
        let session = field(&b.events()[0], "\"sessionId\":\"");
        for e in &ev {
            assert_eq!(field(e, "\"sessionId\":\""), session, "{e}");
            assert!(e.contains(r#""userId":"c-7""#), "the customer who signed in on /b: {e}");
        }
        if want {
            assert!(ev[1].contains(r#""from_path":"/b","to_path":"/a","dwell_ms":2000,"via":"bfcache""#), "{}", ev[1]);
        }
    }
}

/// Back from /b to /a (both in the bfcache), /a used or not, then Forward to /b within 10 s:
/// /b, restored, reads the session /a wrote as its restored view, begun at the restore. Used,
/// no quick_back; not used, a quick back from /a to /b. Before, /a wrote its first view's start
/// (older than /b's), read as no session of the visit's, and the time away alone made a
/// quick_back with no from_path of every such Forward (a mobile QA, 3 of 3).
#[test]
fn forward_to_a_page_restored_from_the_bfcache_reads_the_restored_views_use() {
    for used in [true, false] {
        let (mut a, mut b) = a_then_b(false);
        a.at(5_000, restore_with(&b));
        assert!(a.events().iter().any(|e| e.contains("quick_back")), "the Back to /a is one");
        if used {
            a.at(6_000, visitors_click());
        }
        a.at(9_000, Input::PageHide { session: String::new() });
        let before = b.events().len();
        b.at(9_000, restore_with(&a));
        let quick: Vec<String> =
            b.events().split_off(before).into_iter().filter(|e| e.contains("quick_back")).collect();
        if used {
            assert!(quick.is_empty(), "/a was used: {quick:?}");
        } else {
            assert_eq!(quick.len(), 1, "{quick:?}");
            assert!(
                quick[0].contains(r#""from_path":"/a","to_path":"/b","dwell_ms":4000,"via":"bfcache""#),
                "{}",
                quick[0]
            );
        }
    }
}

/// Chromium runs /b's pagehide after /a's pageshow: /a, restored, reads the session as /b
/// stored it before it was left. /b used: stored at its first use, so no quick_back. /b not
/// used: its view lasted until the restore, not until its last write (at its load).
#[test]
fn back_from_the_bfcache_before_the_next_pages_pagehide_reads_its_use_and_its_time() {
    for (used, back_at, want) in [(true, 6_000, None), (false, 15_000, None), (false, 6_000, Some(3_000))] {
        let mut a = Visit::granted("https://shop.test/a", "");
        a.page("https://shop.test/a");
        a.at(2_000, Input::PageHide { session: String::new() });
        let mut b = next_page(&a, "https://shop.test/b", false, 3_000);
        b.page("https://shop.test/b");
        if used {
            b.at(3_500, Input::Activity { used: true });
        }
        let before = a.events().len();
        a.at(back_at, restore_with(&b)); // (b's pagehide not yet)
        let ev = a.events().split_off(before);
        let quick: Vec<&String> = ev.iter().filter(|e| e.contains("\"quick_back\"")).collect();
        match want {
            None => assert!(quick.is_empty(), "used {used}, back at {back_at}: {quick:?}"),
            Some(dwell) => assert!(
                quick.len() == 1 && quick[0].contains(&format!(r#""dwell_ms":{dwell},"via":"bfcache""#)),
                "{quick:?}"
            ),
        }
    }
}

/// /b used for 40 minutes kept the session alive; /a, restored after it, continues it instead
/// of taking its own last event (40 minutes old) for the end of the session. A restore after a
/// page without Touchpoint (nothing newer stored) is judged on the time away alone, as before.
#[test]
fn back_from_the_bfcache_after_a_long_visit_elsewhere_is_the_same_session() {
    let mut a = Visit::granted("https://shop.test/a", "");
    a.page("https://shop.test/a");
    a.at(2_000, Input::PageHide { session: String::new() });
    let mut b = next_page(&a, "https://shop.test/b", false, 3_000);
    b.page("https://shop.test/b");
    for minute in 1..=40 {
        b.at(minute * 60_000, track("configured"));
    }
    b.at(40 * 60_000 + 1_000, Input::PageHide { session: String::new() });
    let session = field(&b.events()[0], "\"sessionId\":\"");
    a.at(40 * 60_000 + 2_000, restore_with(&b));
    let ev = a.events();
    let restore = ev.iter().find(|e| e.contains(r#""navigation":"restore""#)).unwrap();
    assert_eq!(field(restore, "\"sessionId\":\""), session, "{restore}");

    // A page of another site in between: the session stored is /a's own.
    let mut c = Visit::granted("https://shop.test/c", "");
    c.page("https://shop.test/c");
    c.at(2_000, Input::PageHide { session: String::new() });
    c.at(5_000, restore_with(&c));
    let ev = c.events();
    let quick = ev.iter().find(|e| e.contains("\"quick_back\"")).expect("back within 10 s: a quick back");
    assert!(quick.contains(r#""to_path":"/c","dwell_ms":3000,"via":"bfcache""#), "{quick}");
}

/// The loader's record of the remembered decision another page stored (`R`), `ms` after `T0`.
fn from_elsewhere(v: &mut Visit, ms: u64, stored: &str) {
    if let Some((crate::input::Record::Input(input), _)) =
        crate::input::parse_record(&format!("R\u{1f}{}\u{1f}{stored}", T0 + ms))
    {
        v.at(ms, input);
    }
}

/// A customer signed out on /b (`reset`: a new session, and with marketing consent a new
/// anonymous id), then went back to /a, restored from the back/forward cache: /a's events are the
/// next person's, never linked to the customer by the ids /a held in memory.
#[test]
fn back_from_the_bfcache_after_a_sign_out_elsewhere_is_the_next_persons() {
    let mut a = Visit::granted("https://shop.test/a", "");
    let update = crate::consent::Update { analytics: None, marketing: Some(true) };
    a.at(100, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    a.at(200, Input::StorageSnapshot(vec![(crate::storage::IDENTITY.into(), "aid-old".into())]));
    a.page("https://shop.test/a");
    a.at(300, identify("c-1042", "{}"));
    a.at(2_000, Input::PageHide { session: String::new() });
    let mut b = next_page(&a, "https://shop.test/b", false, 3_000);
    b.page("https://shop.test/b");
    b.at(3_500, Input::Command(Command::Reset));
    b.at(4_000, track("signed_out"));
    b.at(5_000, Input::PageHide { session: String::new() });
    let signed_out = b.events().into_iter().find(|e| e.contains("signed_out")).unwrap();
    let next_session = field(&signed_out, "\"sessionId\":\"");
    let before = a.events().len();
    assert!(a.events()[before - 1].contains(r#""anonymousId":"aid-old""#), "{}", a.events()[before - 1]);
    a.at(
        6_000,
        Input::PageShow { persisted: true, depth: 0, anonymous_id: "aid-new".into(), session: stored_session(&b) },
    );
    a.at(6_500, track("after_restore"));
    let ev = a.events().split_off(before);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    for e in &ev {
        assert!(e.contains(r#""anonymousId":"aid-new""#) && !e.contains("userId"), "{e}");
        assert_eq!(field(e, "\"sessionId\":\""), next_session, "{e}");
    }
}

/// Marketing consent granted on `v`, the stored anonymous id read (`aid`).
fn with_marketing(v: &mut Visit, ms: u64, aid: &str) {
    let update = crate::consent::Update { analytics: None, marketing: Some(true) };
    v.at(ms, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    v.at(ms + 10, Input::StorageSnapshot(vec![(crate::storage::IDENTITY.into(), aid.into())]));
}

/// The last event's session, anonymous and customer ids after `name` was tracked on `v`.
fn ids_after(v: &mut Visit, ms: u64, name: &str) -> [String; 3] {
    v.at(ms, track(name));
    let e = v.events().pop().unwrap();
    assert!(e.contains(name), "{e}");
    ["\"sessionId\":\"", "\"anonymousId\":\"", "\"userId\":\""].map(|f| field(&e, f))
}

/// Two tabs of one visit: a customer who signs in in one is named by the other's events from
/// then on; one who signs out (`reset`) in one is no longer named by the other's, which takes
/// the new session and anonymous id. Each tab hears of the other's writes (`Input::OtherTab`, a
/// `storage` event), in any order: a write of an older state changes nothing.
#[test]
fn a_sign_in_and_a_sign_out_in_one_tab_apply_to_the_visits_other_tabs() {
    let mut a = Visit::granted("https://shop.test/a", "");
    a.page("https://shop.test/a");
    with_marketing(&mut a, 100, "aid-1");
    a.at(200, Input::Visibility { hidden: true }); // (the session is written)
    let mut b = next_page(&a, "https://shop.test/b", false, 300);
    b.page("https://shop.test/b");
    with_marketing(&mut b, 400, "aid-1");
    let tell = |to: &mut Visit, ms: u64, aid: &str, from: &Visit| {
        to.at(ms, Input::OtherTab { anonymous_id: aid.into(), session: stored_session(from) });
    };
    let [session, aid, user] = ids_after(&mut b, 500, "browse");
    assert_eq!((aid.as_str(), user.as_str()), ("aid-1", ""));

    // Signed in on b; a hears of it, and of b's older write (before the sign-in) afterwards.
    let stale = stored_session(&b);
    b.at(1_000, identify("c-7", "{}"));
    tell(&mut a, 1_100, "aid-1", &b);
    a.at(1_150, Input::OtherTab { anonymous_id: "aid-1".into(), session: stale });
    assert_eq!(ids_after(&mut a, 1_200, "add_to_cart"), [session.clone(), aid.clone(), "c-7".into()]);

    // A tab of another session (opened from elsewhere, a visit of its own), the customer's too.
    a.at(1_300, Input::Visibility { hidden: true });
    let own = "11111111-1111-4111-8111-111111111111";
    let mut cb = boot("https://shop.test/c", "");
    cb.session = stored_session(&a).replacen(&session, own, 1);
    let mut c = Visit::new_at(&[("site", "shop"), ("consent", "granted")], cb, 1_400);
    c.page("https://shop.test/c");

    // Signed out on a: b is the next person's, whatever b wrote before; c's visit is its own.
    a.at(2_000, Input::Command(Command::Reset));
    let [next, next_aid, user] = ids_after(&mut a, 2_100, "signed_out");
    assert!(next != session && next_aid != aid && user.is_empty(), "{next} {next_aid} {user}");
    let before_reset = stored_session(&b);
    tell(&mut b, 2_200, &next_aid, &a);
    assert_eq!(ids_after(&mut b, 2_300, "browse"), [next.clone(), next_aid.clone(), String::new()]);
    a.at(2_400, Input::OtherTab { anonymous_id: next_aid.clone(), session: before_reset });
    assert_eq!(ids_after(&mut a, 2_500, "browse"), [next, next_aid, String::new()]);
    tell(&mut c, 2_600, "", &a);
    assert_eq!(ids_after(&mut c, 2_700, "browse"), [own.into(), String::new(), "c-7".into()]);
    // b's own page view is still its own: its page_leave names its path.
    b.at(3_000, Input::PageHide { session: String::new() });
    let leave = b.events().pop().unwrap();
    assert!(leave.contains("page_leave") && leave.contains(r#""path":"/b""#), "{leave}");
}

/// A sign-out in another tab ends this tab's view in the customer's session (its page_leave, the
/// customer's) and goes on in the next one as a view of its own (`reset`), as in the tab that
/// signed out. (The view's clicks, friction and page_leave went to the next person's session,
/// which had no page_view of it: a SaaS developer's QA.)
#[test]
fn a_sign_out_in_another_tab_ends_this_tabs_view_in_the_customers_session() {
    let mut a = Visit::granted("https://app.test/dashboard", "");
    a.page("https://app.test/dashboard");
    a.at(100, identify("c-7", "{}"));
    a.at(200, Input::Visibility { hidden: true }); // (the session is written)
    let mut b = next_page(&a, "https://app.test/reports", false, 300);
    b.page("https://app.test/reports");
    let [session, _, user] = ids_after(&mut b, 500, "browse");
    assert_eq!(user, "c-7");
    a.at(1_000, Input::Command(Command::Reset));
    let next = ids_after(&mut a, 1_050, "signed_out")[0].clone();
    let before = b.events().len();
    b.at(1_100, Input::OtherTab { anonymous_id: String::new(), session: stored_session(&a) });
    let ev = b.events().split_off(before);
    let names: Vec<_> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_leave", "page_view"], "{ev:#?}");
    assert!(ev[0].contains(r#""path":"/reports""#) && ev[0].contains(r#""userId":"c-7""#), "{}", ev[0]);
    assert_eq!(session_of(&ev[0]), session);
    assert!(ev[1].contains(r#""navigation":"reset""#) && !ev[1].contains("userId"), "{}", ev[1]);
    assert_eq!(session_of(&ev[1]), next);
    assert_eq!(ids_after(&mut b, 1_200, "export"), [next, String::new(), String::new()]);
    // Heard again (a later write of the same session): no second view.
    let before = b.events().len();
    b.at(1_300, Input::OtherTab { anonymous_id: String::new(), session: stored_session(&a) });
    assert_eq!(b.events().len(), before);
}

/// `getIds` answers the ids the next event carries, and none while nothing of the visit is sent.
#[test]
fn get_ids_answers_the_ids_of_the_next_event_and_none_without_analytics_or_out_of_the_sample() {
    let mut v = Visit::new(&[("site", "shop"), ("consent", "pending")], boot("https://shop.test/a", ""));
    v.page("https://shop.test/a");
    assert_eq!(v.engine.ids(T0), [""; 3], "pending");
    let update = crate::consent::Update { analytics: Some(true), marketing: None };
    v.at(100, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    let now = |v: &mut Visit| v.engine.ids(T0 + 900).map(String::from);
    let ids = ids_after(&mut v, 200, "browse");
    assert!(!ids[0].is_empty() && ids[1..] == [String::new(), String::new()], "{ids:?}");
    assert_eq!(now(&mut v), ids, "analytics only");
    with_marketing(&mut v, 300, "aid-1");
    v.at(400, identify("c-7", "{}"));
    let ids = ids_after(&mut v, 500, "add_to_cart");
    assert_eq!((ids[1].as_str(), ids[2].as_str()), ("aid-1", "c-7"));
    assert_eq!(now(&mut v), ids, "marketing, signed in");
    v.at(600, Input::Command(Command::Reset));
    let next = ids_after(&mut v, 700, "signed_out");
    assert!(next[0] != ids[0] && next[1] != ids[1] && next[2].is_empty(), "{next:?}");
    assert_eq!(now(&mut v), next, "after a sign-out");
    let update = crate::consent::Update { analytics: Some(false), marketing: None };
    v.at(800, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    assert_eq!(v.engine.ids(T0 + 900), [""; 3], "denied");
    // (Session ids in and out of a 90 % sample: see the sampling test.)
    let (inside, outside) = ("00000000-d9cb-469f-a165-70867728950e", "ffffffff-d9cb-469f-a165-70867728950e");
    assert_eq!(sampled_visit("90", outside).engine.ids(T0), [""; 3], "out of the sample");
    assert_eq!(sampled_visit("90", inside).engine.ids(T0)[0], inside, "in the sample");
}

/// Asked after the session's idle minutes, `getIds` answers the id of the session the next
/// event begins (it gave the expired one, and the next event carried another: QA).
#[test]
fn get_ids_after_idle_minutes_answers_the_next_sessions_id() {
    let mut v = Visit::granted("https://shop.test/a", "");
    v.page("https://shop.test/a");
    let old = ids_after(&mut v, 1_000, "browse");
    assert_eq!(v.engine.ids(T0 + 2_000)[0], old[0]);
    let later = 1_000 + 31 * 60_000;
    let next = v.engine.ids(T0 + later).map(String::from);
    assert!(!next[0].is_empty() && next[0] != old[0], "{next:?}");
    assert_eq!(v.engine.ids(T0 + later + 5)[0], next[0], "asked again: the same");
    let ev = {
        v.at(later + 10, a_click());
        v.events()
    };
    let resumed = ev.iter().find(|e| e.contains(r#""navigation":"resume""#)).expect("a resumed view");
    assert_eq!(session_of(resumed), next[0]);
    assert_eq!(session_of(ev.last().unwrap()), next[0]);
}

/// Another customer signed in in one tab without a sign-out between (a shared computer, a
/// "switch account"): the visit's other tabs name the later one; a write naming the earlier one,
/// heard afterwards, changes nothing.
#[test]
fn another_customer_signed_in_in_one_tab_without_a_sign_out_is_named_by_the_other_tabs() {
    let mut a = Visit::granted("https://shop.test/a", "");
    a.page("https://shop.test/a");
    a.at(100, identify("c-1", "{}"));
    a.at(200, Input::Visibility { hidden: true }); // (the session is written)
    let earlier = stored_session(&a);
    let mut b = next_page(&a, "https://shop.test/b", false, 300);
    b.page("https://shop.test/b");
    assert_eq!(ids_after(&mut b, 400, "browse")[2], "c-1");
    b.at(1_000, identify("c-2", "{}"));
    b.at(1_050, Input::Visibility { hidden: true });
    a.at(1_100, Input::OtherTab { anonymous_id: String::new(), session: stored_session(&b) });
    assert_eq!(ids_after(&mut a, 1_200, "add_to_cart")[2], "c-2");
    b.at(1_300, Input::OtherTab { anonymous_id: String::new(), session: earlier });
    assert_eq!(ids_after(&mut b, 1_400, "browse")[2], "c-2");
}

/// Without analytics consent a tab keeps no session, and takes none from another tab's write.
#[test]
fn another_tabs_session_is_not_taken_without_analytics_consent() {
    let mut a = Visit::granted("https://shop.test/a", "");
    a.page("https://shop.test/a");
    a.at(100, identify("c-7", "{}"));
    let mut b = Visit::new(&[("site", "shop"), ("consent", "pending")], boot("https://shop.test/b", ""));
    b.page("https://shop.test/b");
    b.at(200, Input::OtherTab { anonymous_id: String::new(), session: stored_session(&a) });
    let update = crate::consent::Update { analytics: Some(true), marketing: None };
    b.at(300, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    // (Both pages draw the same ids from the tests' entropy: the customer tells.)
    let [_, _, user] = ids_after(&mut b, 400, "browse");
    assert!(user.is_empty(), "{user}");
}

/// data-remember-consent: the visitor's decision made on another page of the site (another tab,
/// or the page they went to before coming back from the back/forward cache) applies to this one
/// at once: a "no" stops it, a "yes" starts it. Not remembered again; nothing without the option.
#[test]
fn a_decision_remembered_elsewhere_applies_to_this_page() {
    let attrs = [("site", "shop"), ("consent", "granted"), ("remember-consent", "")];
    let mut a = Visit::new(&attrs, boot("https://shop.test/a", ""));
    a.page("https://shop.test/a");
    a.at(2_000, Input::PageHide { session: String::new() });
    let writes = a.remembered.len();
    let denied = remembered::store(Consent { analytics: State::Denied, marketing: State::Denied }, T0 + 3_000);
    // (The loader reads the remembered decision again at a restore, before the pageshow.)
    from_elsewhere(&mut a, 6_000, &denied);
    a.at(6_000, Input::PageShow { persisted: true, depth: 0, anonymous_id: String::new(), session: String::new() });
    a.at(6_500, track("after_restore"));
    assert_eq!(a.engine.consent().analytics, State::Denied);
    assert_eq!(a.names(), ["page_view", "page_leave"], "nothing after the restore");
    assert!(!a.remembered[writes..].iter().any(|(k, ..)| *k == remembered::KEY), "not stored again");

    // Another tab: pending, then the visitor accepts in the first tab.
    let pending = [("site", "shop"), ("remember-consent", "")];
    let mut t = Visit::new(&pending, boot("https://shop.test/", ""));
    t.page("https://shop.test/");
    from_elsewhere(&mut t, 500, "junk");
    let expired = remembered::store(
        Consent { analytics: State::Granted, marketing: State::Pending },
        T0 - remembered::LIFETIME_MS,
    );
    from_elsewhere(&mut t, 600, &expired);
    assert_eq!(t.engine.consent().analytics, State::Pending, "junk and an expired decision are ignored");
    let granted = remembered::store(Consent { analytics: State::Granted, marketing: State::Denied }, T0 + 900);
    from_elsewhere(&mut t, 1_000, &granted);
    let ev = t.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "consent_change"]);
    assert!(ev[1].contains(r#""source":"remembered""#), "{}", ev[1]);
    from_elsewhere(&mut t, 2_000, &denied);
    t.at(2_500, track("after_denial"));
    assert_eq!(t.engine.consent().analytics, State::Denied);
    assert!(!t.names().contains(&"after_denial".to_string()));

    let mut off = Visit::new(&[("site", "shop")], boot("https://shop.test/", ""));
    from_elsewhere(&mut off, 1_000, &granted);
    assert_eq!(off.engine.consent().analytics, State::Pending, "without data-remember-consent nothing is applied");
}

#[test]
fn the_next_page_continues_the_session_without_new_attribution() {
    let mut first = Visit::granted("https://shop.test/?gclid=x", "https://www.google.com/");
    first.page("https://shop.test/?gclid=x");
    first.at(1_000, Input::PageHide { session: String::new() });
    let id = field(&first.events()[0], "\"sessionId\":\"");
    let stored = first.remembered.last().unwrap().1.clone();
    let mut b = boot("https://shop.test/cart", "https://shop.test/?gclid=x");
    b.session = stored;
    let mut next = Visit::new(&[("site", "shop"), ("consent", "granted")], b);
    next.now = T0 + 2_000;
    next.page("https://shop.test/cart");
    let ev = next.events();
    assert_eq!(field(&ev[0], "\"sessionId\":\""), id);
    assert!(ev[0].contains(r#""navigation":"load","previous_path":"/""#), "{}", ev[0]);
    assert!(ev[0].contains(r#""channel":"paid_search""#) && !ev[0].contains("click_id"), "{}", ev[0]);
}

/// A moment of truth is sent at the next scheduled task, with what was queued before it, not at
/// the flush interval: a visitor closing an in-app browser with its X a second after "Add to
/// bag" (no pagehide) lost it (an in-app browser QA). Other events wait for the interval.
#[test]
fn a_moment_of_truth_is_sent_at_once() {
    let mut v = Visit::granted("https://shop.test/p/mug", "");
    v.page("https://shop.test/p/mug");
    v.at(1_000, track("viewed_reviews"));
    v.engine.tick(v.now);
    v.drive();
    assert!(v.sent.is_empty(), "an ordinary event waits for the flush interval: {:?}", v.sent);
    v.at(1_200, track("add_to_cart"));
    assert!(v.engine.wants_tick());
    v.engine.tick(v.now);
    v.drive();
    let names: Vec<String> = v.sent.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "viewed_reviews", "add_to_cart"]);
}

/// A second campaign link followed during a session (the visitor came from an ad, then opened
/// the newsletter in the same tab): the session keeps its channel, and the view the link led
/// to says which campaign brought the visitor there (it left no trace: a marketer's QA). Not a
/// reload of it, not going back to it, not the session's own landing again.
#[test]
fn a_campaign_link_followed_mid_session_is_on_its_page_view() {
    let mut first = Visit::granted("https://shop.test/?gclid=x", "https://www.google.com/");
    first.page("https://shop.test/?gclid=x");
    first.at(1_000, Input::PageHide { session: String::new() });
    let mail = "https://shop.test/sale?utm_source=news&utm_medium=email&utm_campaign=winter&utm_id=991";
    let mut next = next_page(&first, mail, false, 60_000);
    next.page(mail);
    next.at(61_000, route(Nav::Push, "https://shop.test/p/mug"));
    next.at(62_000, route(Nav::Push, "https://shop.test/p/cup?utm_source=shop&utm_medium=banner"));
    next.at(63_000, route(Nav::Back, "https://shop.test/p/mug"));
    next.at(64_000, Input::PageHide { session: String::new() });
    let ev = next.events();
    let views: Vec<&String> = ev.iter().filter(|e| e.contains(r#""event":"page_view""#)).collect();
    assert_eq!(views.len(), 4, "{ev:#?}");
    assert!(
        views[0].contains(
            r#""mid_session":true,"channel":"email","source":"news","medium":"email","campaign":"winter","campaign_id":"991""#
        ),
        "{}",
        views[0]
    );
    assert!(views[1].contains(r#""navigation":"push","previous_path":"/sale"}"#), "{}", views[1]);
    assert!(views[2].contains(r#""mid_session":true,"channel":"display","source":"shop""#), "{}", views[2]);
    assert!(!views[3].contains("mid_session"), "going back is no new touch: {}", views[3]);
    for e in &ev {
        assert!(e.contains(r#""context":{"#) && e.contains(r#""channel":"paid_search""#), "the session's: {e}");
    }
    // A reload of the page (the same path as the view before) is no new touch.
    let mut mailed = next_page(&first, mail, false, 60_000);
    mailed.page(mail);
    mailed.at(61_000, Input::PageHide { session: String::new() });
    let mut again = next_page(&mailed, mail, false, 70_000);
    again.page(mail);
    let ev = again.events();
    assert!(ev[0].contains(r#""event":"page_view""#) && !ev[0].contains("mid_session"), "{}", ev[0]);
    // A landing's own campaign: `campaign_id` with the others.
    let mut land = Visit::granted(mail, "");
    land.page(mail);
    assert!(land.events()[0].contains(r#""campaign":"winter","campaign_id":"991""#));
}

#[test]
fn a_campaign_landing_accepted_on_the_next_page_is_still_the_campaigns() {
    // Consent pending on the landing: its session lasted that page only. Accepted on the next,
    // whose referrer is the landing.
    let landing = "https://shop.test/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=G1";
    let mut v = Visit::new(&[("site", "shop")], boot("https://shop.test/p/mug", landing));
    let page =
        PageContext { url: "https://shop.test/p/mug".into(), referrer: landing.into(), ..PageContext::default() };
    v.at(0, Input::Command(Command::Page { properties: "{}".into(), page }));
    let update = crate::consent::Update { analytics: Some(true), marketing: None };
    v.at(1_000, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    let ev = v.events();
    let pv = ev.iter().find(|e| e.contains(r#""event":"page_view""#)).expect("the page view");
    assert!(
        pv.contains(
            r#""channel":"paid_search","source":"google","medium":"cpc","campaign":"brand","click_id":"gclid""#
        ),
        "{pv}"
    );
    assert!(!pv.contains("referrer_host"), "the landing's own referrer is not known: {pv}");
    assert!(!pv.contains("G1"), "a click id's value is never sent, in no URL: {pv}");
    // A landing with campaign parameters of its own is its own, whatever page of the site led to it.
    let url = "https://shop.test/?utm_source=mail&utm_medium=email";
    let mut own = Visit::granted(url, landing);
    let page = PageContext { url: url.into(), referrer: landing.into(), ..PageContext::default() };
    own.at(0, Input::Command(Command::Page { properties: "{}".into(), page }));
    let ev = own.events();
    assert!(ev[0].contains(r#""channel":"email","source":"mail""#), "{}", ev[0]);
}

/// An `identify` queued before the SDK loaded comes before the page view: the session's first
/// event carries its channel and campaign too (a warehouse counting purchases by campaign per
/// event lost it).
#[test]
fn the_sessions_first_event_before_its_page_view_carries_the_attribution() {
    let url = "https://shop.test/?utm_source=google&utm_medium=cpc&utm_campaign=xmas";
    let mut v = Visit::granted(url, "https://www.google.com/");
    v.at(0, identify("c-77", "{}"));
    v.page(url);
    let ev = v.events();
    assert_eq!(field(&ev[0], "\"event\":\""), "identify");
    for e in &ev[..2] {
        assert!(e.contains(r#""channel":"paid_search","source":"google","medium":"cpc","campaign":"xmas""#), "{e}");
    }
}

#[test]
fn a_session_ends_after_thirty_idle_minutes() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    v.at(session::IDLE_MS + 1_000, route(Nav::Push, "https://shop.test/later"));
    let ev = v.events();
    let ids: Vec<String> = ev.iter().map(|e| field(e, "\"sessionId\":\"")).collect();
    assert_eq!(ev.len(), 3);
    assert_eq!(ids[0], ids[1], "the page_leave closes the old session's page view");
    assert_ne!(ids[1], ids[2], "{ids:?}");
    assert!(ev[2].contains(r#""channel":"direct""#), "a new session's first page view is attributed: {}", ev[2]);
}

#[test]
fn nothing_is_kept_for_the_next_page_without_consent_and_a_remembered_choice_applies_first() {
    let mut pending = Visit::new(&[("site", "shop")], boot("https://shop.test/", ""));
    pending.page("https://shop.test/");
    pending.at(1_000, Input::PageHide { session: String::new() });
    assert!(pending.remembered.is_empty(), "no session stored while consent is pending");

    let mut b = boot("https://shop.test/", "");
    b.remembered = remembered::store(Consent { analytics: State::Granted, marketing: State::Denied }, T0 - 1_000);
    let mut v = Visit::new(&[("site", "shop"), ("remember-consent", "")], b.clone());
    assert_eq!(v.engine.consent().analytics, State::Granted, "the visitor's earlier grant");
    v.page("https://shop.test/");
    assert_eq!(v.names(), ["page_view"]);
    let update = crate::consent::Update { analytics: Some(false), marketing: None };
    v.at(2_000, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    assert!(v.remembered.iter().any(|(k, val, s)| *k == remembered::KEY && val.starts_with("denied|") && !s));
    let ignored = Visit::new(&[("site", "shop")], b);
    assert_eq!(ignored.engine.consent().analytics, State::Pending, "without data-remember-consent nothing is read");
}

/// Two searches whose terms the address masks alike (phone numbers; a parameter listed in
/// data-mask-params): two views and two site_search events, not one (a property portal's QA).
/// The same search pushed again is still no second view, and a filter added to it, or the same
/// search at another address, no search.
#[test]
fn searches_masked_alike_are_two_views_and_two_searches() {
    for (attrs, a, b) in [
        (&[("site", "shop"), ("consent", "granted")][..], "07700+900123", "07700+900456"),
        (&[("site", "shop"), ("consent", "granted"), ("mask-params", "q")][..], "Camden", "Islington"),
    ] {
        let mut v = Visit::new(attrs, boot("https://shop.test/", ""));
        v.page("https://shop.test/");
        v.at(1_000, route(Nav::Push, &format!("https://shop.test/search?q={a}")));
        v.at(2_000, route(Nav::Push, &format!("https://shop.test/search?q={b}")));
        v.at(3_000, route(Nav::Push, &format!("https://shop.test/search?q={b}")));
        v.at(4_000, route(Nav::Push, &format!("https://shop.test/search?q={b}&beds=2")));
        // (The same search written at another address: a map's centre in its path.)
        v.at(5_000, route(Nav::Replace, &format!("https://shop.test/@51.5,-0.12,13z?q={b}")));
        let ev = v.events();
        let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).filter(|n| n != "page_leave").collect();
        assert_eq!(
            names,
            ["page_view", "page_view", "site_search", "page_view", "site_search", "page_view", "page_view"],
            "{attrs:?}: {ev:#?}"
        );
        assert!(!ev.iter().any(|e| e.contains(a) || e.contains(b)), "{attrs:?}: the terms are masked: {ev:#?}");
    }
}

#[test]
fn site_search_links_and_malformed_declarative_props() {
    let mut v = Visit::granted("https://shop.test/search?q=red+shoes", "");
    v.page("https://shop.test/search?q=red+shoes");
    let link = |href: &str| {
        Input::Click(crate::input::Click {
            element: Some(crate::input::Sensed { key: 1, flags: 1, ..Default::default() }),
            href: href.into(),
            ..Default::default()
        })
    };
    v.at(100, link("https://partner.test/"));
    v.at(200, link("https://shop.test/files/size-chart.pdf"));
    v.at(300, link("https://shop.test/cart"));
    v.at(
        400,
        Input::Declared {
            name: "Add To Cart".into(),
            json: "{sku:1}".into(),
            props: vec![("sku".into(), "A1".into())],
        },
    );
    v.at(500, Input::Declared { name: "view_item".into(), json: "[".into(), props: vec![] });
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(
        names,
        [
            "page_view",
            "site_search",
            "click",
            "outbound_click",
            "click",
            "file_download",
            "click",
            "add_to_cart",
            "view_item"
        ]
    );
    assert!(ev[1].contains(r#""term":"red shoes","param":"q""#), "{}", ev[1]);
    assert!(ev[7].contains(r#"{"moment":true,"sku":"A1","category":"touchpoint"}"#), "{}", ev[7]);
    assert_eq!(v.warnings.len(), 1, "one warning per page for malformed props: {:?}", v.warnings);
}

#[test]
fn a_latin1_pages_search_is_counted_with_its_term() {
    let mut v = Visit::granted("https://shop.test/s?q=cr%E8me+br%FBl%E9e", "");
    v.page("https://shop.test/s?q=cr%E8me+br%FBl%E9e");
    let ev = v.events();
    assert!(ev[1].contains(r#""event":"site_search""#) && ev[1].contains(r#""term":"crème brûlée""#), "{ev:?}");
}

#[test]
fn a_declarative_event_named_without_ascii_letters_is_not_sent_and_said() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    v.at(100, Input::Declared { name: "お気に入り".into(), json: String::new(), props: vec![] });
    assert_eq!(v.names(), ["page_view"]);
    assert!(v.warnings.iter().any(|w| w.contains("data-tp-event=\"お気に入り\": no ASCII letter")), "{:?}", v.warnings);
}

#[test]
fn a_phone_number_searched_for_is_masked_in_the_page_url_as_in_its_term() {
    let url = "https://shop.test/search?q=%2B44+20+7946+0958&page=2";
    let mut v = Visit::granted(url, "");
    v.page(url);
    let ev = v.events();
    assert!(ev[0].contains(r#""url":"https://shop.test/search?q=***&page=2""#), "{}", ev[0]);
    assert!(ev[1].contains(r#""term":"***","param":"q""#), "{}", ev[1]);
    assert!(!ev.iter().any(|e| e.contains("7946")), "{ev:#?}");
}

#[test]
fn a_disabled_buttons_presses_are_no_click_touchpoints_and_rage_when_repeated() {
    let mut v = Visit::granted("https://shop.test/p/mug", "");
    v.page("https://shop.test/p/mug");
    let flags = crate::input::SENSED_INTERACTIVE | crate::input::SENSED_DISABLED;
    let press = Input::Click(crate::input::Click {
        element: Some(crate::input::Sensed { key: 4, flags, ..Default::default() }),
        trusted: true,
        ..Default::default()
    });
    for at in [100, 400, 700] {
        v.at(at, press.clone());
    }
    v.engine.handle_timeout(T0 + 5_000);
    v.drive();
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "rage_click"], "no click, no dead_click: {ev:#?}");
    assert!(ev[1].contains("\"disabled\":true"), "{}", ev[1]);
}

#[test]
fn element_views_forms_and_focus() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    v.at(0, Input::ElementView { key: 5, name: Some("spring_banner".into()) });
    v.engine.handle_timeout(T0 + 999);
    v.at(1_000, Input::Focus(false));
    v.engine.handle_timeout(T0 + 1_000);
    v.drive();
    let field = |name: &str| crate::input::Sensed {
        key: 9,
        element: crate::element::RawElement { name: name.into(), ..Default::default() },
        ..Default::default()
    };
    let typed = |name: &str| Input::FormInput {
        form: 3,
        form_name: "checkout".into(),
        by_id: true,
        fields: 4,
        entry: true,
        field: field(name),
        again: false,
        choice: false,
        went_on: false,
    };
    v.at(2_000, typed("email"));
    v.at(2_100, typed("zip"));
    v.at(3_000, Input::FormSubmit { form: 3, name: "checkout".into(), focus: "email:800,zip:200".into() });
    v.at(20_000, Input::PageHide { session: String::new() });
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| self::field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "element_view", "form_start", "form_submit", "page_leave"]);
    assert!(ev[3].contains(r#""field_ms":{"email":800,"zip":200}"#), "{}", ev[3]);
    assert!(ev[4].contains(r#""engaged_ms":1000,"#), "blurred at 1 s: {}", ev[4]);
}

/// A form the server drew again with its errors (found at load: `again`): no second form_start,
/// and given up unsent, a form_abandon; sent after its fix, a form_submit. It is no activity of
/// the visitor's (a Back within 10 s is still a quick_back).
#[test]
fn a_form_drawn_again_with_its_errors_is_abandoned_unsent_and_starts_nothing() {
    let again = |form: u32| Input::FormInput {
        form,
        form_name: "delivery".into(),
        by_id: true,
        fields: 3,
        entry: true,
        field: crate::input::Sensed { key: 4, ..Default::default() },
        again: true,
        choice: false,
        went_on: false,
    };
    let mut given_up = Visit::granted("https://shop.test/delivery", "https://shop.test/delivery");
    given_up.page("https://shop.test/delivery");
    given_up.at(100, again(3));
    given_up.at(20_000, Input::PageHide { session: String::new() });
    let names = given_up.names();
    assert_eq!(names, ["page_view", "form_abandon", "page_leave"]);
    let mut fixed = Visit::granted("https://shop.test/delivery", "https://shop.test/delivery");
    fixed.page("https://shop.test/delivery");
    fixed.at(100, again(3));
    fixed.at(9_000, Input::FormSubmit { form: 3, name: "delivery".into(), focus: String::new() });
    fixed.at(9_500, Input::PageHide { session: String::new() });
    assert_eq!(fixed.names(), ["page_view", "form_submit", "page_leave"]);
}

/// A choice (a filter's box, a configurator's colour, a size's radio, a select, a slider) starts
/// no form: every visit "started" a filter form never ended (travel, mobile and configurator
/// QAs). Typing into it starts it; a form of choices sent starts at its send.
#[test]
fn a_choice_starts_no_form_typing_or_a_send_does() {
    let input = |form: u32, tag: &str, input_type: &str| Input::FormInput {
        form,
        form_name: format!("f{form}"),
        by_id: true,
        fields: 3,
        entry: false,
        field: crate::input::Sensed {
            key: 2,
            element: crate::element::RawElement {
                tag: tag.into(),
                input_type: input_type.into(),
                ..Default::default()
            },
            ..Default::default()
        },
        again: false,
        choice: tag == "select" || ["checkbox", "radio", "range"].contains(&input_type.to_ascii_lowercase().as_str()),
        went_on: false,
    };
    let mut v = Visit::granted("https://shop.test/list", "");
    v.page("https://shop.test/list");
    v.at(1_000, input(1, "input", "checkbox"));
    v.at(1_100, input(1, "select", ""));
    v.at(1_200, input(1, "input", "Range"));
    v.at(1_300, input(2, "input", "radio"));
    v.at(2_000, input(1, "input", "number"));
    v.at(3_000, Input::FormSubmit { form: 2, name: "f2".into(), focus: String::new() });
    v.at(4_000, input(3, "input", "radio"));
    let ev = v.events();
    let forms: Vec<(String, String)> = ev
        .iter()
        .filter(|e| e.contains("\"event\":\"form_"))
        .map(|e| (self::field(e, "\"event\":\""), self::field(e, "\"form\":\"")))
        .collect();
    let f = |e: &str, form: &str| (e.to_string(), form.to_string());
    assert_eq!(forms, [f("form_start", "f1"), f("form_start", "f2"), f("form_submit", "f2")]);
}

/// A form the page filled in (a saved traveller) and the visitor sent, with no input of theirs:
/// its form_start is the send, so that a funnel's starts are never fewer than its submits.
#[test]
fn a_form_sent_without_input_starts_at_its_send() {
    let mut v = Visit::granted("https://shop.test/book", "");
    v.page("https://shop.test/book");
    v.at(1_000, Input::FormSubmit { form: 5, name: "travellers".into(), focus: String::new() });
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| self::field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "form_start", "form_submit"]);
    assert!(ev[1].contains(r#""form":"travellers""#), "{}", ev[1]);
}

#[test]
fn a_jump_to_an_anchor_of_the_same_page_abandons_no_form_and_is_no_view_for_quick_back() {
    let mut v = Visit::granted("https://shop.test/checkout", "");
    v.page("https://shop.test/checkout");
    let input = crate::input::Sensed { key: 2, ..Default::default() };
    v.at(
        1_000,
        Input::FormInput {
            form: 7,
            form_name: "checkout".into(),
            by_id: true,
            fields: 4,
            entry: true,
            field: input,
            again: false,
            choice: false,
            went_on: false,
        },
    );
    v.at(2_000, route(Nav::Hash, "https://shop.test/checkout#terms"));
    v.at(2_100, route(Nav::Back, "https://shop.test/checkout"));
    v.at(3_000, route(Nav::Push, "https://shop.test/help"));
    v.at(4_000, route(Nav::Back, "https://shop.test/checkout"));
    let events = v.events();
    let names: Vec<String> = events.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert!(events[2].contains("\"time_ms\":2000"), "abandoned at 3,000: {}", events[2]);
    assert_eq!(
        names,
        ["page_view", "form_start", "form_abandon", "page_leave", "page_view", "quick_back", "page_leave", "page_view"],
        "the form is abandoned when its view is left (3,000), not at the anchor jump; back from /help is a quick back"
    );
}

/// The address changed before the SDK started (a "clean URL" script took the campaign's
/// parameters out, the app routed on): the first page view is the landing's, as the document
/// had it when it loaded (the boot's), with its attribution; the page's own address comes next.
#[test]
fn the_first_page_view_is_the_landings_address_with_its_attribution() {
    let mut v = Visit::new(
        &[("site", "shop"), ("consent", "granted")],
        boot("https://shop.test/?utm_source=spring&utm_medium=email&utm_campaign=sale", ""),
    );
    v.page("https://shop.test/list");
    let ev = v.events();
    assert!(ev[0].contains(r#""navigation":"load""#), "{}", ev[0]);
    assert!(ev[0].contains(r#""campaign":"sale""#), "{}", ev[0]);
    assert!(
        ev[0].contains(r#""url":"https://shop.test/?utm_source=spring&utm_medium=email&utm_campaign=sale","path":"/""#),
        "{}",
        ev[0]
    );
    // Its title is the boot's, not the document's when the view is taken (the route's): the
    // loader gives none when the app routed on.
    assert!(ev[0].contains(r#""title":"Shop""#), "{}", ev[0]);
}

/// A site that starts with analytics denied (or a "no" remembered from an earlier page): the
/// page view is not kept; granted on that page, it is taken then, with the landing's attribution,
/// before the consent_change. The session began with the consent_change on a page it had never
/// viewed (migration QA).
#[test]
fn a_view_not_kept_while_denied_is_taken_when_analytics_is_granted() {
    let mut v = Visit::new(
        &[("site", "shop"), ("consent", "denied")],
        boot("https://shop.test/?utm_source=news&utm_medium=email&utm_campaign=winter", "https://mail.example/"),
    );
    v.page("https://shop.test/?utm_source=news&utm_medium=email&utm_campaign=winter");
    v.at(500, track("not_kept"));
    let update = crate::consent::Update { analytics: Some(true), marketing: None };
    v.at(2_000, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    v.at(2_500, track("kept"));
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "consent_change", "kept"], "{ev:#?}");
    assert!(ev[0].contains(r#""navigation":"load""#) && ev[0].contains(r#""campaign":"winter""#), "{}", ev[0]);
    assert!(ev[0].contains(r#""channel":"email""#), "{}", ev[0]);
    // Granted again later on the same view: no second one.
    v.at(
        3_000,
        Input::Command(Command::Consent {
            update: crate::consent::Update { analytics: Some(false), marketing: None },
            source: ConsentSource::Api,
        }),
    );
    v.at(3_500, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    let views = v.events().iter().filter(|e| e.contains(r#""event":"page_view""#)).count();
    assert_eq!(views, 1);
}

/// Pending, then denied (the visitor's Reject: the buffer is discarded, the page view with it),
/// then granted on the same page: the view is taken at the grant, once (a security review saw
/// clicks and no page_view).
#[test]
fn a_view_discarded_by_a_denial_while_pending_is_taken_when_analytics_is_granted() {
    let mut v = Visit::new(&[("site", "shop"), ("consent", "pending")], boot("https://shop.test/p/1", ""));
    v.page("https://shop.test/p/1");
    v.at(500, track("discarded"));
    let consent = |analytics: bool| {
        Input::Command(Command::Consent {
            update: crate::consent::Update { analytics: Some(analytics), marketing: None },
            source: ConsentSource::Api,
        })
    };
    v.at(1_000, consent(false));
    v.at(2_000, consent(true));
    v.at(2_500, track("kept"));
    let names: Vec<String> = v.events().iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "consent_change", "kept"]);
}

/// A hash-routed app (data-spa="hash"): each view's path goes on with its route (`/#/product/12`),
/// without the route's own query; an anchor (`#reviews`) is no route; back from a view left at
/// once is a quick_back (all were one path `/` before, so never one).
#[test]
fn a_hash_routed_apps_views_are_pages_of_their_own() {
    let mut v =
        Visit::new(&[("site", "shop"), ("consent", "granted"), ("spa", "hash")], boot("https://shop.test/#/list", ""));
    v.page("https://shop.test/#/list");
    v.at(1_000, route(Nav::Hash, "https://shop.test/#/product/12?tab=specs"));
    v.at(3_000, route(Nav::Back, "https://shop.test/#/list"));
    v.at(4_000, route(Nav::Hash, "https://shop.test/#!/cart"));
    v.at(5_000, route(Nav::Hash, "https://shop.test/#reviews"));
    v.at(6_000, route(Nav::Hash, "https://shop.test/#/customer/jane@example.org/orders"));
    let ev = v.events();
    let views: Vec<String> =
        ev.iter().filter(|e| e.contains(r#""event":"page_view""#)).map(|e| field(e, r#""path":""#)).collect();
    // (An email in the route is masked there as in the URL.)
    assert_eq!(views, ["/#/list", "/#/product/12", "/#/list", "/#!/cart", "/", "/#/customer/***/orders"]);
    let back: Vec<&String> = ev.iter().filter(|e| e.contains(r#""event":"quick_back""#)).collect();
    assert_eq!(back.len(), 1, "{ev:#?}");
    assert!(back[0].contains(r#""from_path":"/#/product/12""#), "{}", back[0]);
}

fn identify(id: &str, traits: &str) -> Input {
    Input::Command(Command::Identify { user_id: id.into(), properties: traits.into() })
}

fn track(name: &str) -> Input {
    Input::Command(Command::Track { name: name.into(), properties: "{}".into() })
}

#[test]
fn a_signed_in_customer_is_on_every_event_of_the_visit_until_sign_out() {
    let mut a = Visit::granted("https://shop.test/login", "");
    a.page("https://shop.test/login");
    a.at(1_000, identify("c-1042", r#"{"plan":"gold"}"#));
    a.at(1_500, identify("c-1042", "{}")); // the same customer again: no news
    a.at(2_000, track("add_to_cart"));
    a.at(3_000, Input::PageHide { session: String::new() });
    let ev = a.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "identify", "add_to_cart", "page_leave"], "{ev:#?}");
    assert!(!ev[0].contains("userId"), "not before identify: {}", ev[0]);
    assert!(ev[1].starts_with(r#"{"type":"identify","event":"identify""#), "{}", ev[1]);
    assert!(ev[1].contains(r#""userId":"c-1042""#) && ev[1].contains(r#""properties":{"plan":"gold"}"#), "{}", ev[1]);
    assert!(ev[2..].iter().all(|e| e.contains(r#""userId":"c-1042""#)), "{ev:#?}");

    // The next page of the visit, and a session that ends by idling: still the same customer.
    let mut b = next_page(&a, "https://shop.test/cart", false, 4_000);
    b.page("https://shop.test/cart");
    b.at(5_000 + session::IDLE_MS, route(Nav::Push, "https://shop.test/later"));
    let ev = b.events();
    assert!(ev.iter().all(|e| e.contains(r#""userId":"c-1042""#)), "{ev:#?}");
    let first = field(&ev[0], "\"sessionId\":\"");
    assert_eq!(first, field(&a.sent[0], "\"sessionId\":\""), "one session across the two pages");
    assert_ne!(field(ev.last().unwrap(), "\"sessionId\":\""), first, "a new session after 30 idle minutes");

    // Sign-out: another visit, without the customer, from here and on the next page. The view
    // under way ends in the customer's session; the new one begins with the page as its landing
    // page (navigation "reset"), with a channel.
    let before = b.sent.len();
    let idle_session = field(ev.last().unwrap(), "\"sessionId\":\"");
    b.at(6_000 + session::IDLE_MS, Input::Command(Command::Reset));
    b.at(7_000 + session::IDLE_MS, track("view_item"));
    b.at(8_000 + session::IDLE_MS, Input::PageHide { session: String::new() });
    let mut ev = b.events()[before..].to_vec();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_leave", "page_view", "view_item", "page_leave"], "{ev:#?}");
    let left = ev.remove(0);
    assert!(left.contains(r#""userId":"c-1042""#) && field(&left, "\"sessionId\":\"") == idle_session, "{left}");
    assert!(ev[0].contains(r#""navigation":"reset""#) && ev[0].contains(r#""channel":""#), "{}", ev[0]);
    assert!(ev.iter().all(|e| !e.contains("userId")), "{ev:#?}");
    assert!(ev.iter().all(|e| field(e, "\"sessionId\":\"") != idle_session), "{ev:#?}");
    let mut c = next_page(&b, "https://shop.test/", false, 9_000 + session::IDLE_MS);
    c.page("https://shop.test/");
    assert!(!c.events()[0].contains("userId"), "{}", c.sent[0]);
}

#[test]
fn an_id_that_is_personal_data_or_junk_is_refused_with_a_warning() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    for id in ["jane@example.org", "", "a\u{1f}b"] {
        v.at(1_000, identify(id, "{}"));
    }
    v.at(2_000, track("add_to_cart"));
    assert_eq!(v.names(), ["page_view", "add_to_cart"]);
    assert!(v.sent.iter().all(|e| !e.contains("userId")));
    assert_eq!(v.warnings.len(), 3, "{:?}", v.warnings);
    assert!(v.warnings[0].contains("email"), "{:?}", v.warnings);
    // The site vouches for its ids with data-scrub-properties="false".
    let mut v = Visit::new(
        &[("site", "shop"), ("consent", "granted"), ("scrub-properties", "false")],
        boot("https://shop.test/", ""),
    );
    v.at(1_000, identify("jane@example.org", "{}"));
    assert!(v.events()[0].contains(r#""userId":"jane@example.org""#));
}

#[test]
fn sign_out_gives_the_next_person_a_new_anonymous_id() {
    let mut v = Visit::granted("https://shop.test/", "");
    let update = crate::consent::Update { analytics: None, marketing: Some(true) };
    v.at(500, Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    v.at(600, Input::StorageSnapshot(vec![])); // (the stored id is read: there is none yet)
    v.at(1_000, identify("c-1042", "{}"));
    v.at(2_000, Input::Command(Command::Reset));
    v.at(3_000, track("view_item"));
    let ev = v.events();
    let ids: Vec<String> = ev.iter().map(|e| field(e, "\"anonymousId\":\"")).collect();
    let n = ids.len();
    assert!(!ids[n - 2].is_empty() && !ids[n - 1].is_empty(), "{ev:#?}");
    assert_ne!(ids[n - 2], ids[n - 1], "identify, then after reset: {ev:#?}");
    // The next person's session is written before their anonymous id: another tab reads both
    // at the first one's storage event, and a new id with the customer's session still there
    // was taken before the sign-out was seen, on the customer's last page_leave (an account
    // area's QA: the next person's id joined to the customer).
    let at = |k: &str| v.writes.iter().rposition(|w| w == k).unwrap_or_else(|| panic!("{k} in {:?}", v.writes));
    assert!(at(crate::journey::session::KEY) < at(crate::storage::IDENTITY), "{:?}", v.writes);
}

fn set(tags: &str) -> Input {
    Input::Command(Command::Set { tags: tags.into() })
}

#[test]
fn the_pages_tags_are_on_every_later_event_cleaned_and_bounded() {
    let mut v = Visit::granted("https://shop.test/checkout", "");
    v.page("https://shop.test/checkout");
    // (The loader merges each call's keys into the page's object: the engine gets all of them.)
    v.at(1_000, set(r#"{"experiment":"checkout_v2","variant":"C","contact":"jane@example.org","tier":2}"#));
    v.at(1_500, set(&format!(r#"{{"huge":"{}"}}"#, "x".repeat(3000)))); // over 2 KB: not taken
    v.at(2_000, track("begin_checkout"));
    v.at(3_000, route(Nav::Push, "https://shop.test/checkout/pay"));
    v.at(4_000, set("{}")); // all removed
    v.at(5_000, track("add_payment_info"));
    let ev = v.events();
    let tags =
        |e: &str| e.split("\"tags\":").nth(1).map(|r| r.chars().take_while(|c| *c != '}').collect::<String>() + "}");
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names[..4], ["page_view", "begin_checkout", "page_leave", "page_view"], "{ev:#?}");
    assert_eq!(tags(&ev[0]), None, "not before set");
    let want = r#"{"experiment":"checkout_v2","variant":"C","contact":"***","tier":2}"#;
    for e in &ev[1..4] {
        assert_eq!(tags(e).as_deref(), Some(want), "{e}");
    }
    assert_eq!(tags(ev.last().unwrap()), None, "{:?}", ev.last());
    assert!(v.warnings.iter().any(|w| w.contains("\"set\" were cleaned")), "{:?}", v.warnings);
    assert!(v.warnings.iter().any(|w| w.contains("over 2 KB")), "{:?}", v.warnings);
}

/// An SPA whose A/B tool sets a route's variant as the route renders: the loader hands the
/// `set` over just before the route, at its time. The tags are the new view's, on its page
/// view; the view left keeps its own on its page_leave (its engagement went to the next view's
/// variant: an experimentation team's QA). A set made earlier tags the leave, as always.
#[test]
fn tags_set_for_a_route_are_not_on_the_page_leave_of_the_view_left() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    v.at(1_000, set(r#"{"home_test":"A"}"#));
    v.at(3_000, set(r#"{"home_test":"A","pdp":"B"}"#));
    v.at(3_000, route(Nav::Push, "https://shop.test/p/mug"));
    v.at(6_000, route(Nav::Push, "https://shop.test/cart"));
    let ev = v.events();
    let of = |name: &str, n: usize| {
        ev.iter().filter(|e| e.contains(&format!(r#""event":"{name}""#))).nth(n).unwrap().clone()
    };
    // (The tags are the context's last member: up to their closing brace.)
    let tags = |e: String| e.split("\"tags\":").nth(1).map(|r| r.chars().take_while(|c| *c != '}').collect::<String>());
    assert_eq!(tags(of("page_leave", 0)).as_deref(), Some(r#"{"home_test":"A""#));
    assert_eq!(tags(of("page_view", 1)).as_deref(), Some(r#"{"home_test":"A","pdp":"B""#));
    assert_eq!(tags(of("page_leave", 1)).as_deref(), Some(r#"{"home_test":"A","pdp":"B""#));
}

/// The 2 KB are the loader's measure (JavaScript's `length`, UTF-16 units), which it checks
/// before keeping a merge: 1,500 accented letters (3,000 bytes of UTF-8) are taken.
#[test]
fn the_tags_limit_is_counted_as_the_loader_counts_it() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    v.at(1_000, set(&format!(r#"{{"store":"{}"}}"#, "é".repeat(1_500))));
    v.at(2_000, track("view_item"));
    let ev = v.events();
    assert!(ev.last().unwrap().contains(&"é".repeat(1_500)), "{:?}", ev.last());
    assert!(!v.warnings.iter().any(|w| w.contains("over 2 KB")), "{:?}", v.warnings);
}

#[test]
fn the_pages_own_friction_is_friction_with_the_moment_under_way_never_a_detectors_name() {
    let mut v = Visit::granted("https://shop.test/checkout", "");
    v.page("https://shop.test/checkout");
    let friction =
        |name: &str, props: &str| Input::Command(Command::Friction { name: name.into(), properties: props.into() });
    v.at(1_000, friction("search_no_results", r#"{"term":"mug"}"#));
    v.at(2_000, track("begin_checkout"));
    v.at(
        3_000,
        friction("payment_declined", r#"{"reason":"card_expired","category":"mine","email":"jane@example.org"}"#),
    );
    v.at(4_000, friction("rage_click", "{}"));
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "search_no_results", "begin_checkout", "payment_declined"], "{ev:#?}");
    assert!(ev[1].contains(r#""properties":{"category":"friction","term":"mug"}"#), "{}", ev[1]);
    // The moment under way, the page's category replaced (the key once: a data engineer's QA),
    // its properties cleaned like any.
    assert!(ev[3].contains(r#""reason":"card_expired""#) && !ev[3].contains("jane@"), "{}", ev[3]);
    assert!(
        ev[3].contains(
            r#""properties":{"during":"begin_checkout","category":"friction","reason":"card_expired","email":"***"}"#
        ),
        "{}",
        ev[3]
    );
    assert!(v.warnings.iter().any(|w| w.contains("rage_click")), "{:?}", v.warnings);
}

#[test]
fn with_click_events_off_friction_still_watches_the_clicks() {
    let click = Input::Click(crate::input::Click {
        element: Some(crate::input::Sensed { key: 4, flags: crate::input::SENSED_INTERACTIVE, ..Default::default() }),
        trusted: true,
        ..Default::default()
    });
    for (clicks, want) in
        [("on", &["page_view", "click", "click", "click", "rage_click"][..]), ("off", &["page_view", "rage_click"][..])]
    {
        let attrs = [("site", "shop"), ("consent", "granted"), ("clicks", clicks)];
        let mut v = Visit::new(&attrs, boot("https://shop.test/p/mug", ""));
        v.page("https://shop.test/p/mug");
        for at in [100, 400, 700] {
            v.at(at, click.clone());
        }
        v.engine.handle_timeout(T0 + 5_000);
        v.drive();
        assert_eq!(v.names(), want, "data-clicks={clicks}");
    }
}

/// A visit of a site sampled at `rate` percent, whose tab's stored session has the id `id`.
fn sampled_visit(rate: &str, id: &str) -> Visit {
    let mut s = Session::new(id.into(), T0 - 60_000);
    s.last_path = "/".into();
    let mut b = boot("https://shop.test/p", "https://shop.test/");
    b.session = s.store();
    let mut v = Visit::new(&[("site", "shop"), ("consent", "granted"), ("sample-rate", rate)], b);
    v.page("https://shop.test/p");
    v
}

#[test]
fn a_session_out_of_the_sample_keeps_nothing_until_a_new_session_is_in_it() {
    const IN: &str = "00000000-d9cb-469f-a165-70867728950e";
    const OUT: &str = "ffffffff-d9cb-469f-a165-70867728950e";
    // In the sample: every event, saying at which rate.
    let mut kept = sampled_visit("50", IN);
    kept.at(1_000, track("configured"));
    let ev = kept.events();
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert!(ev.iter().all(|e| e.contains(IN) && e.contains(r#""sampleRate":50"#)), "{ev:#?}");
    let all = sampled_visit("100", OUT).events();
    assert!(!all.is_empty() && !all.iter().any(|e| e.contains("sampleRate")), "all kept, unmarked: {all:#?}");

    // Out of it: nothing captured or sent, the sensors told to stop, and the session still
    // stored (the next page must decide alike).
    let mut out = sampled_visit("90", OUT);
    out.at(1_000, track("configured"));
    assert!(out.events().is_empty());
    assert!(!out.engine.sensing, "the sensors are off");
    let stored = out.remembered.iter().rev().find(|(k, ..)| *k == session::KEY).expect("the session is stored");
    assert!(stored.1.starts_with(OUT), "{}", stored.1);

    // 30 idle minutes later a new session decides again: this one (its id from the test's
    // entropy begins e0e1e2e3, 87.8 % of the way) is in the 90 %.
    out.at(2_000 + session::IDLE_MS + 1, route(Nav::Push, "https://shop.test/later"));
    let ev = out.events();
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert!(ev[0].contains("\"page_view\"") && !ev[0].contains(OUT), "{}", ev[0]);
    assert!(out.engine.sensing, "the sensors are on again");

    // Nobody is kept at 0 %.
    let mut none = sampled_visit("0", IN);
    none.at(1_000, track("configured"));
    assert!(none.events().is_empty());
}

/// Each view's page_leave carries its web vitals once: the page load's LCP on the first view,
/// each view's own CLS and INP, nothing on a stretch resumed after the tab was hidden.
#[test]
fn page_leaves_carry_each_views_vitals_once() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    let vital = |kind: u8, value: u64| Input::Vital { kind, value, recent_input: false, element: None };
    v.at(100, vital(b'u', 3));
    v.at(1_200, vital(b'l', 1_150));
    v.at(1_500, vital(b's', 120));
    let slow = |duration| Input::Interaction {
        duration,
        input_delay: 0,
        processing: duration,
        presentation: 0,
        kind: "click".into(),
        id: duration,
        age: 0,
        target: None,
    };
    v.at(2_000, slow(260));
    v.at(2_100, slow(520));
    // 50 interactions: the longest (520) is left out of INP (friction::poor_vital).
    v.at(2_200, vital(b'n', 50));
    v.at(4_000, route(Nav::Push, "https://shop.test/list"));
    v.at(4_500, vital(b's', 30));
    v.at(6_000, Input::Visibility { hidden: true });
    v.at(7_000, Input::Visibility { hidden: false });
    v.at(8_000, slow(700));
    v.at(9_000, Input::PageHide { session: String::new() });
    let leaves: Vec<String> = v
        .events()
        .into_iter()
        .filter(|e| e.contains("\"event\":\"page_leave\""))
        .map(|e| e.split_once("\"max_scroll_pct\":").unwrap().1.split_once('}').unwrap().0.to_string())
        .collect();
    assert_eq!(
        leaves,
        [
            r#"40,"lcp_ms":1150,"cls_milli":120,"inp":"needs-improvement","inp_ms":260"#,
            // (The second view: no interaction before it was hidden; the slow one after it is
            // the resumed stretch's, which carries no vitals: the view counted once.)
            r#"30,"cls_milli":30"#,
            r#"30,"resumed":true"#,
        ]
    );
}

/// A page restored from the back/forward cache is a view of its own with an LCP of its own (the
/// time to its second frame, as web-vitals measures it); that figure is only ever the restored
/// view's: none before a restore, none taken by the view after it when it comes late.
#[test]
fn a_page_restored_from_the_bfcache_has_its_own_lcp() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    let vital = |kind: u8, value: u64| Input::Vital { kind, value, recent_input: false, element: None };
    v.at(100, vital(b'u', 1));
    v.at(1_200, vital(b'l', 1_150));
    v.at(1_300, vital(b'r', 5)); // (not a restored view: ignored)
    v.at(3_000, Input::PageHide { session: String::new() });
    // (It comes back scrolled to 65 %: its view begins there.)
    v.at(60_000, Input::PageShow { persisted: true, depth: 65, anonymous_id: String::new(), session: String::new() });
    v.at(60_040, vital(b'r', 38));
    v.at(61_000, vital(b'l', 900)); // (a late report of the load's: not this view's)
    v.at(64_000, route(Nav::Push, "https://shop.test/list"));
    v.at(64_010, vital(b'r', 20)); // (the restore's, after its view ended: not the route's)
    v.at(66_000, Input::PageHide { session: String::new() });
    let events = v.events();
    let views: Vec<&str> = events
        .iter()
        .filter(|e| e.contains("\"event\":\"page_view\""))
        .map(|e| e.split_once("\"navigation\":\"").unwrap().1.split_once('"').unwrap().0)
        .collect();
    assert_eq!(views, ["load", "restore", "push"]);
    let leaves: Vec<String> = events
        .iter()
        .filter(|e| e.contains("\"event\":\"page_leave\""))
        .map(|e| e.split_once("\"max_scroll_pct\":").unwrap().1.split_once('}').unwrap().0.to_string())
        .collect();
    assert_eq!(leaves, [r#"40,"lcp_ms":1150,"cls_milli":0"#, r#"65,"lcp_ms":38,"cls_milli":0"#, r#"30,"cls_milli":0"#]);
}

/// A page that reports its own page views (data-spa="off", a router without the history API):
/// each manual view ends the one before with its own vitals, as a route change does, and a poor
/// one is judged then, not summed into the next view.
#[test]
fn a_manual_page_view_ends_the_views_vitals_too() {
    let mut v = Visit::new(&[("site", "shop"), ("consent", "granted"), ("spa", "off")], boot("https://shop.test/", ""));
    v.page("https://shop.test/");
    let vital = |kind: u8, value: u64| Input::Vital { kind, value, recent_input: false, element: None };
    v.at(100, vital(b'u', 1));
    for at in [1_000, 1_200] {
        v.at(at, vital(b's', 200));
    }
    v.now = T0 + 4_000;
    v.page("https://shop.test/list");
    v.at(5_000, vital(b's', 10));
    v.at(9_000, Input::PageHide { session: String::new() });
    let events = v.events();
    let leaves: Vec<&String> = events.iter().filter(|e| e.contains("\"event\":\"page_leave\"")).collect();
    assert_eq!(leaves.len(), 2, "{events:#?}");
    assert!(leaves[0].contains(r#""cls_milli":400"#), "{}", leaves[0]);
    assert!(leaves[1].contains(r#""cls_milli":10"#), "the second view's own: {}", leaves[1]);
    let poor: Vec<&String> = events.iter().filter(|e| e.contains("\"event\":\"poor_vital\"")).collect();
    assert_eq!(poor.len(), 1, "the first view's CLS, judged when it ended: {poor:#?}");
    assert!(poor[0].contains(r#""value_milli":400"#) && poor[0].contains(r#""path":"/""#), "{}", poor[0]);
}

#[test]
fn a_forms_id_is_scrubbed_in_its_friction_as_in_its_touchpoints() {
    let mut v = Visit::granted("https://shop.test/checkout", "");
    v.page("https://shop.test/checkout");
    let input = crate::input::Sensed { key: 2, ..Default::default() };
    let form_name = "jane.doe@example.com";
    v.at(
        1_000,
        Input::FormInput {
            form: 7,
            form_name: form_name.into(),
            by_id: true,
            fields: 4,
            entry: true,
            field: input.clone(),
            again: false,
            choice: false,
            went_on: false,
        },
    );
    let reason = crate::friction::field_error::Reason::Aria;
    v.at(1_500, Input::Invalid { form: form_name.into(), reason, message: String::new(), field: input });
    v.at(3_000, route(Nav::Push, "https://shop.test/help"));
    let events = v.events();
    let names: Vec<String> = events.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names[..4], ["page_view", "form_start", "field_error", "form_abandon"]);
    for e in &events {
        assert!(!e.contains("jane"), "{e}");
    }
}

/// Two forms of a page left typed in are two rows of the leaderboard: form_abandon's element has
/// a selector, by the form's id, else its name, as a click's element has one.
#[test]
fn form_abandon_names_its_form_by_a_selector() {
    let mut v = Visit::granted("https://shop.test/checkout", "");
    v.page("https://shop.test/checkout");
    let input = |key| crate::input::Sensed { key, ..Default::default() };
    v.at(
        1_000,
        Input::FormInput {
            form: 7,
            form_name: "checkout".into(),
            by_id: true,
            fields: 4,
            entry: true,
            field: input(2),
            again: false,
            choice: false,
            went_on: false,
        },
    );
    v.at(
        1_100,
        Input::FormInput {
            form: 8,
            form_name: "signin".into(),
            by_id: false,
            fields: 2,
            entry: true,
            field: input(3),
            again: false,
            choice: false,
            went_on: false,
        },
    );
    v.at(
        1_200,
        Input::FormInput {
            form: 9,
            form_name: String::new(),
            by_id: false,
            fields: 2,
            entry: true,
            field: input(4),
            again: false,
            choice: false,
            went_on: false,
        },
    );
    v.at(3_000, route(Nav::Push, "https://shop.test/help"));
    let mut selectors: Vec<String> = v
        .events()
        .iter()
        .filter(|e| e.contains("\"event\":\"form_abandon\""))
        .map(|e| field(e, "\"selector\":\""))
        .collect();
    selectors.sort();
    assert_eq!(selectors, ["#checkout", "form", "form[name=signin]"]);
}

#[test]
fn a_view_scrolled_or_typed_in_outside_a_form_is_no_quick_back() {
    for used in [false, true] {
        let mut v = Visit::granted("https://shop.test/list", "");
        v.page("https://shop.test/list");
        v.at(1_000, route(Nav::Push, "https://shop.test/item"));
        // (A pointer's activity alone is not use: only the first, `used`, of wheel, touch or keys.)
        v.at(1_500, Input::Activity { used: false });
        if used {
            v.at(2_000, Input::Activity { used: true });
        }
        v.at(3_000, route(Nav::Back, "https://shop.test/list"));
        let quick = v.events().iter().any(|e| e.contains("\"event\":\"quick_back\""));
        assert_eq!(quick, !used, "used: {used}");
    }
}

fn session_of(event: &str) -> String {
    field(event, "\"sessionId\":\"")
}

fn a_click() -> Input {
    Input::Click(crate::input::Click {
        element: Some(crate::input::Sensed { key: 1, flags: crate::input::SENSED_INTERACTIVE, ..Default::default() }),
        trusted: true,
        ..Default::default()
    })
}

/// Back at the page after 31 idle minutes: the old view ends in the old session, and the new
/// session begins with the page as its landing page (attributed like any first view), then the
/// click. (Before: the new session began with the click, on a page it never viewed.)
#[test]
fn a_visitor_back_after_half_an_hour_idle_begins_a_session_with_a_page_view_of_the_page() {
    let url = "https://shop.test/p/mug?utm_source=news&utm_medium=email&utm_campaign=winter";
    let mut v = Visit::granted(url, "");
    v.page(url);
    v.at(1_000, a_click());
    v.at(31 * 60_000 + 2_000, a_click());
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "click", "page_leave", "page_view", "click"], "{ev:#?}");
    let (s1, s2) = (session_of(&ev[0]), session_of(&ev[3]));
    assert_ne!(s1, s2);
    assert_eq!([&session_of(&ev[1]), &session_of(&ev[2])], [&s1, &s1], "the old view ends in the old session");
    assert_eq!(session_of(&ev[4]), s2);
    assert!(ev[3].contains(r#""navigation":"resume""#) && ev[3].contains(r#""campaign":"winter""#), "{}", ev[3]);
    assert!(ev[3].contains(r#""path":"/p/mug""#), "{}", ev[3]);
}

/// A view ended by 31 idle minutes ends as a route change ends one: its vitals judged, a poor one
/// reported in its own session, and the resumed view measured afresh (QA: the resumed view's
/// page_leave repeated the old view's LCP and CLS, counting one page load twice in the
/// inspector's pages, and the old view's poor_vital was filed in the new session).
#[test]
fn a_view_ended_by_idle_minutes_has_its_vitals_judged_in_its_own_session() {
    let mut v = Visit::granted("https://shop.test/a", "");
    v.page("https://shop.test/a");
    let vital = |kind: u8, value: u64| Input::Vital { kind, value, recent_input: false, element: None };
    v.at(100, vital(b'u', 1));
    v.at(1_900, vital(b'l', 4_800));
    v.at(2_000, vital(b's', 390));
    v.at(3_000, a_click());
    v.at(31 * 60_000 + 4_000, a_click());
    v.at(31 * 60_000 + 9_000, Input::PageHide { session: String::new() });
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(
        names,
        ["page_view", "click", "poor_vital", "poor_vital", "page_leave", "page_view", "click", "page_leave"],
        "{ev:#?}"
    );
    let old = session_of(&ev[0]);
    assert!(ev[..5].iter().all(|e| session_of(e) == old), "the old view's end in its session: {ev:#?}");
    assert!(ev[4].contains(r#""lcp_ms":4800,"cls_milli":390"#), "{}", ev[4]);
    assert!(!ev[7].contains("lcp_ms") && ev[7].contains(r#""cls_milli":0"#), "the resumed view's own: {}", ev[7]);
}

/// A tab closed 40 minutes after the visitor typed in a form: its form_abandon, like its
/// page_leave, ends the view in the view's session (it began a session of its own, with no page
/// view, while the page_leave stayed in the old one).
#[test]
fn a_view_left_after_idle_minutes_ends_in_its_own_session() {
    let mut v = Visit::granted("https://shop.test/checkout", "");
    v.page("https://shop.test/checkout");
    let typed = crate::input::Sensed { key: 2, ..Default::default() };
    v.at(
        1_000,
        Input::FormInput {
            form: 7,
            form_name: "checkout".into(),
            by_id: true,
            fields: 4,
            entry: true,
            field: typed,
            again: false,
            choice: false,
            went_on: false,
        },
    );
    v.at(40 * 60_000, Input::PageHide { session: String::new() });
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "form_start", "form_abandon", "page_leave"], "{ev:#?}");
    assert!(ev.iter().all(|e| session_of(e) == session_of(&ev[0])), "{ev:#?}");
}

/// A tab shown for a moment every 3 h over a night (QA: one 27 h session of page_leave events):
/// each return is a session of its own, beginning with a page view.
#[test]
fn a_tab_shown_again_hours_later_is_a_new_session_each_time() {
    let mut v = Visit::granted("https://shop.test/a", "");
    v.page("https://shop.test/a");
    v.at(500, Input::Visibility { hidden: true });
    let hour = 3_600_000;
    for i in 1..=3u64 {
        v.at(i * 3 * hour, Input::Visibility { hidden: false });
        v.at(i * 3 * hour + 400, Input::Visibility { hidden: true });
    }
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "page_leave"].repeat(4), "{ev:#?}");
    let sessions: Vec<String> = ev.iter().map(|e| session_of(e)).collect();
    for pair in sessions.chunks(2) {
        assert_eq!(pair[0], pair[1], "a view and its end in one session");
    }
    let distinct: std::collections::BTreeSet<&String> = sessions.iter().collect();
    assert_eq!(distinct.len(), 4, "{sessions:?}");
    assert!(ev.iter().skip(2).step_by(2).all(|e| e.contains(r#""navigation":"resume""#)), "{ev:#?}");
    assert!(!ev.iter().any(|e| e.contains("\"resumed\"")), "each stretch is its session's view: {ev:#?}");
    assert!(ev[7].contains(r#""max_scroll_pct":40"#), "the depth the page had reached: {}", ev[7]);
}

/// Reading and scrolling for 50 minutes without a captured event is no inactivity; hidden for
/// 10 minutes and shown again is the same visit.
#[test]
fn use_that_captures_nothing_keeps_the_session_alive() {
    let mut v = Visit::granted("https://shop.test/guide", "");
    v.page("https://shop.test/guide");
    for minute in [10, 20, 30, 40, 50] {
        v.at(minute * 60_000, Input::Activity { used: true });
    }
    v.at(52 * 60_000, Input::Visibility { hidden: true });
    v.at(62 * 60_000, Input::Visibility { hidden: false });
    v.at(63 * 60_000, a_click());
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "page_leave", "click"], "{ev:#?}");
    assert!(ev.iter().all(|e| session_of(e) == session_of(&ev[0])), "{ev:#?}");
}

/// A search results page the visitor comes back to is no new search.
#[test]
fn a_search_page_resumed_is_no_second_site_search() {
    let url = "https://shop.test/search?q=mug";
    let mut v = Visit::granted(url, "");
    v.page(url);
    v.at(40 * 60_000, a_click());
    let names = v.names();
    assert_eq!(names, ["page_view", "site_search", "page_leave", "page_view", "click"]);
}

/// Nor one gone back to from a result (SPA history), nor loaded again by Back.
#[test]
fn a_search_page_gone_back_to_is_no_second_site_search() {
    let url = "https://shop.test/search?q=mug";
    let mut v = Visit::granted(url, "");
    v.page(url);
    v.at(2_000, route(Nav::Push, "https://shop.test/flight/7"));
    v.at(15_000, route(Nav::Back, url));
    let names = v.names();
    assert_eq!(names, ["page_view", "site_search", "page_leave", "page_view", "page_leave", "page_view"]);
    let mut back = Visit::new(&[("site", "shop"), ("consent", "granted")], Boot { back: true, ..boot(url, "") });
    back.page(url);
    assert_eq!(back.names(), ["page_view"]);
}

/// Nor a refinement on the same results page (a filter, a sort, the next page, pushed or
/// replaced): one search and its filters were as many site_search events (a marketplace's QA).
/// Another term, or the same term searched on another page, is a search.
#[test]
fn a_search_refined_on_its_results_page_is_no_second_site_search() {
    let url = "https://shop.test/search?q=lamp";
    let mut v = Visit::new(&[("site", "shop"), ("consent", "granted"), ("spa", "replace")], boot(url, ""));
    v.page(url);
    v.at(2_000, route(Nav::Push, "https://shop.test/search?q=lamp&brand=acme"));
    v.at(4_000, route(Nav::Replace, "https://shop.test/search?q=lamp&brand=acme&sort=price"));
    v.at(6_000, route(Nav::Push, "https://shop.test/search?q=desk+lamp"));
    v.at(8_000, route(Nav::Push, "https://shop.test/outlet?q=desk+lamp"));
    let searches: Vec<String> =
        v.events().iter().filter(|e| e.contains(r#""event":"site_search""#)).map(|e| field(e, "\"term\":\"")).collect();
    assert_eq!(searches, ["lamp", "desk lamp", "desk lamp"]);
}

/// A page restored from the bfcache is in front: its `visibilitychange` came while it was frozen
/// (before its `pageshow`), and its view's engaged time counted 0 (found by QA).
#[test]
fn a_view_restored_from_the_bfcache_counts_its_engaged_time() {
    let (mut a, b) = a_then_b(false);
    a.at(1_900, Input::Visibility { hidden: true });
    a.at(4_900, Input::Visibility { hidden: false }); // frozen still: before its pageshow
    a.at(5_000, restore_with(&b));
    a.at(6_000, Input::Activity { used: true });
    a.at(8_000, Input::PageHide { session: String::new() });
    let ev = a.events();
    let leave = ev.iter().rev().find(|e| e.contains("\"event\":\"page_leave\"")).unwrap();
    assert!(leave.contains(r#""engaged_ms":3000"#), "{leave}");
}

/// A PWA offline: its fetches fail for want of a connection, the visitor's and not the site's
/// failure: no failed_request (each of them was one: a PWA developer's QA). The same failure
/// online is one.
#[test]
fn a_request_failing_while_offline_is_no_failed_request() {
    use crate::friction::failed_request::RequestEnd;
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    let fail = |id| {
        let end = RequestEnd {
            id,
            method: "GET".into(),
            path: "/api/stock".into(),
            first_party: true,
            ..RequestEnd::default()
        };
        Input::Request { id, end: Some(end) }
    };
    v.at(1_000, Input::Online(false));
    v.at(1_000, Input::Request { id: 1, end: None });
    v.at(1_010, fail(1));
    v.at(2_000, Input::Online(true));
    v.at(2_000, Input::Request { id: 2, end: None });
    v.at(2_010, fail(2));
    v.engine.handle_timeout(T0 + 3_010); // (a failure with no answer is held 1 s: see below)
    let failed: Vec<String> = v.events().into_iter().filter(|e| e.contains(r#""event":"failed_request""#)).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(failed[0].contains(r#""status":0"#), "{}", failed[0]);
}

/// Chromium rejects the fetches of a page being left before its pagehide: a request a followed
/// link cut off (a slow add to cart on its way) is no failed_request (it was: a React Router
/// QA). The same request with no answer while the page stays is one, a second later. And a
/// click's request answered 401 (a guard's "not signed in", which leads to the sign-in) is none;
/// one answered 400, one.
#[test]
fn a_request_cut_off_by_leaving_and_a_guards_401_are_no_failed_request() {
    use crate::friction::failed_request::RequestEnd;
    let end = |id, status| {
        let end = RequestEnd {
            id,
            method: "POST".into(),
            path: "/api/cart".into(),
            status,
            first_party: true,
            ..RequestEnd::default()
        };
        Input::Request { id, end: Some(end) }
    };
    let failed = |v: &mut Visit| -> Vec<String> {
        v.events()
            .into_iter()
            .filter(|e| e.contains(r#""event":"failed_request""#))
            .map(|e| field(&e, r#""status":"#))
            .collect()
    };
    // Left: the fetch rejected 25 ms after the link's click, pagehide 1 ms later.
    let mut v = Visit::granted("https://shop.test/p/4", "");
    v.page("https://shop.test/p/4");
    v.at(1_000, Input::Request { id: 1, end: None });
    v.at(1_100, Input::Request { id: 2, end: None });
    v.at(5_000, visitors_click());
    v.at(5_025, end(1, 0));
    v.at(5_025, end(2, 0));
    v.at(5_026, Input::PageHide { session: String::new() });
    assert_eq!(failed(&mut v), Vec::<String>::new());
    // Stayed: one, a second after.
    let mut v = Visit::granted("https://shop.test/p/4", "");
    v.page("https://shop.test/p/4");
    v.at(1_000, Input::Request { id: 1, end: None });
    v.at(5_025, end(1, 0));
    v.engine.handle_timeout(T0 + 6_024);
    assert_eq!(failed(&mut v), Vec::<String>::new(), "held 1 s");
    v.engine.handle_timeout(T0 + 6_025);
    assert_eq!(failed(&mut v), ["0,"]);
    // A click's 401, then a click's 400.
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    for (at, id, status) in [(1_000, 1, 401), (5_000, 2, 400)] {
        v.at(at, visitors_click());
        v.at(at + 10, Input::Request { id, end: None });
        v.at(at + 300, end(id, status));
    }
    assert_eq!(failed(&mut v), ["400,"]);
}

/// A site that carries its landing's campaign parameters on in its links, or an A/B test that
/// redirects to the variant's address with them: no second campaign touch (every page was one:
/// an experimentation team's QA). Another campaign after it still is one.
#[test]
fn the_same_campaign_carried_on_to_the_next_page_is_no_new_touch() {
    let q = "?utm_source=google&utm_medium=cpc&utm_campaign=mugs&gclid=x";
    let a = format!("https://shop.test/p/mug{q}");
    let mut first = Visit::granted(&a, "https://www.google.com/");
    first.page(&a);
    first.at(1_000, Input::PageHide { session: String::new() });
    let b = format!("https://shop.test/p/mug-b{q}");
    let mut boot_b = boot(&b, &a);
    boot_b.session = stored_session(&first);
    let mut next = Visit::new_at(&[("site", "shop"), ("consent", "granted")], boot_b, 2_000);
    next.page(&b);
    next.at(3_000, route(Nav::Push, &format!("https://shop.test/cart{q}")));
    next.at(4_000, route(Nav::Push, "https://shop.test/sale?utm_source=news&utm_medium=email"));
    let ev = next.events();
    let views: Vec<&String> = ev.iter().filter(|e| e.contains(r#""event":"page_view""#)).collect();
    assert_eq!(views.len(), 3, "{ev:#?}");
    assert!(!views[0].contains("mid_session") && !views[1].contains("mid_session"), "{views:#?}");
    assert!(views[2].contains(r#""mid_session":true,"channel":"email""#), "{}", views[2]);
}

/// The names the collector counts by themselves are Touchpoint's: a page's own `page_view`
/// (GA4's habit) was a second view of the page, its `rage_click` a detector's. Refused, with a
/// warning saying what to call instead; a commerce step is the page's to track.
#[test]
fn a_track_call_with_touchpoints_own_event_name_is_refused() {
    let mut v = Visit::granted("https://shop.test/", "");
    v.page("https://shop.test/");
    for name in ["page_view", "page_leave", "rage_click", "add_to_cart"] {
        v.at(1_000, track(name));
    }
    assert_eq!(v.names(), ["page_view", "add_to_cart"]);
    assert_eq!(v.warnings.iter().filter(|w| w.contains("is Touchpoint's own signal")).count(), 3, "{:?}", v.warnings);
}

/// A purchase's value read from the page as text ("19,99") is sent as given, and the page's
/// developer is told that revenue leaves it out (it was silent: a marketplace analyst's QA);
/// another event's text `value` (a filter's) is no concern of revenue.
#[test]
fn a_purchase_whose_value_is_text_is_said_in_the_console() {
    let mut v = Visit::granted("https://shop.test/merci", "");
    v.page("https://shop.test/merci");
    let with = |name: &str, props: &str| Input::Command(Command::Track { name: name.into(), properties: props.into() });
    v.at(1_000, with("filter_change", r#"{"value":"size 42"}"#));
    v.at(1_100, with("purchase", r#"{"transaction_id":"F-1","value":39.98,"currency":"EUR"}"#));
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    v.at(1_200, with("purchase", r#"{"transaction_id":"F-2","value":"39,98","currency":"EUR"}"#));
    assert_eq!(v.warnings, ["touchpoint: purchase: value is text, not a number: revenue counts numbers only"]);
    let ev = v.events();
    assert!(ev.iter().any(|e| e.contains(r#""value":"39,98""#)), "sent as given: {ev:#?}");
}

/// A kiosk: one shopper after another, `reset` after each (their view ends in their session).
/// The next shopper's session begins with their first event or the route the app takes, with
/// no view of the last shopper's page, no search of theirs again and no previous_path to it; a
/// reset nobody follows (an hour on the attract screen) leaves no session at all. (Each reset
/// opened a session at once with a view of the last shopper's search page, its search again,
/// then the app's route to its start screen: kiosk QA.)
#[test]
fn after_reset_the_next_persons_session_begins_with_their_first_event_or_the_apps_route() {
    let mut v = Visit::granted("https://kiosk.test/search?q=decaf", "");
    v.page("https://kiosk.test/search?q=decaf");
    v.at(1_000, visitors_click());
    v.engine.handle_timeout(T0 + 9_000); // (its dead_click: a click the test's page does not answer)
    let first = session_of(&v.events()[0]);
    let before = v.events().len();
    // The idle reset, then the app's route back to its start screen.
    v.at(60_000, Input::Command(Command::Reset));
    v.at(60_001, route(Nav::Replace, "https://kiosk.test/"));
    let ev = v.events().split_off(before);
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_leave", "page_view"], "{ev:#?}");
    assert_eq!(session_of(&ev[0]), first);
    let second = session_of(&ev[1]);
    assert_ne!(second, first);
    assert!(ev[1].contains(r#""path":"/""#) && ev[1].contains(r#""navigation":"reset""#), "{}", ev[1]);
    assert!(!ev[1].contains("previous_path"), "{}", ev[1]);
    // The next shopper taps: in that session. Then the next reset, and an hour of nobody.
    v.at(70_000, visitors_click());
    v.engine.handle_timeout(T0 + 79_000);
    let before = v.events().len();
    v.at(130_000, Input::Command(Command::Reset));
    v.engine.handle_timeout(T0 + 130_000 + 3_600_000);
    let ev = v.events().split_off(before);
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_leave"], "the second shopper's view ends; then nothing: {ev:#?}");
    assert_eq!(session_of(&ev[0]), second);
    // The third shopper's first tap: their session's view of the page, then the click.
    v.at(130_000 + 3_700_000, visitors_click());
    let ev = v.events().split_off(before + 1);
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "click"], "{ev:#?}");
    assert!(ev[0].contains(r#""navigation":"reset""#) && !ev[0].contains("site_search"), "{}", ev[0]);
    assert_eq!(session_of(&ev[0]), session_of(&ev[1]));
    assert!(![first, second].contains(&session_of(&ev[0])));
    // A search page left as it was: the next shopper's view of it is no search of theirs.
    let mut v = Visit::granted("https://kiosk.test/search?q=decaf", "");
    v.page("https://kiosk.test/search?q=decaf");
    v.at(60_000, Input::Command(Command::Reset));
    v.at(70_000, visitors_click());
    let names: Vec<String> = v.events().iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "site_search", "page_leave", "page_view", "click"]);
}

/// The shop's other domains (data-cross-domain) are its own: a checkout reached without the
/// visit carried (through a redirect of the shop's server, consent given on the checkout only)
/// began a `referral` session from the shop, its sale the referral's; and a link to the
/// checkout was an outbound_click (a marketer's QA).
#[test]
fn the_shops_other_domains_are_no_referral_and_no_outbound_link() {
    for (domains, channel, outbound) in [("", "referral", true), ("shop.test, other.test", "internal", false)] {
        let attrs = [("site", "shop"), ("consent", "granted"), ("cross-domain", domains)];
        let (url, referrer) = ("https://pay.shop.test/checkout", "https://www.shop.test/cart");
        let mut v = Visit::new(&attrs, boot(url, referrer));
        let page = PageContext {
            url: url.into(),
            path: "/checkout".into(),
            referrer: referrer.into(),
            ..PageContext::default()
        };
        v.at(0, Input::Command(Command::Page { properties: "{}".into(), page }));
        v.at(
            100,
            Input::Click(crate::input::Click {
                element: Some(crate::input::Sensed { key: 1, flags: 1, ..Default::default() }),
                href: "https://eu.other.test/help?_tp=1~2".into(),
                ..Default::default()
            }),
        );
        let ev = v.events();
        assert!(ev[0].contains(&format!(r#""channel":"{channel}","referrer_host":"www.shop.test""#)), "{}", ev[0]);
        assert_eq!(ev.iter().any(|e| e.contains(r#""event":"outbound_click""#)), outbound, "{ev:?}");
    }
}

/// "Accept", "Reject", "Accept" in quick succession: the view the first grant took was still
/// waiting to be sent when the withdrawal purged it; the second grant takes it again, once, as
/// the session's landing (a data engineer's QA: the session had clicks and no page_view).
#[test]
fn a_view_purged_unsent_by_a_withdrawal_is_taken_again_at_the_next_grant() {
    let mut v = Visit::new(&[("site", "shop"), ("consent", "pending")], boot("https://shop.test/short", ""));
    v.page("https://shop.test/short");
    for (i, yes) in [true, false, true].iter().enumerate() {
        let update = crate::consent::Update { analytics: Some(*yes), marketing: Some(false) };
        v.at(100 * (i as u64 + 1), Input::Command(Command::Consent { update, source: ConsentSource::Api }));
    }
    v.at(500, track("view_item"));
    let ev = v.events();
    let names: Vec<String> = ev.iter().map(|e| field(e, "\"event\":\"")).collect();
    assert_eq!(names, ["page_view", "consent_change", "view_item"], "{ev:#?}");
    assert!(ev[0].contains(r#""navigation":"load","channel":"direct""#), "{}", ev[0]);
}

/// A banner answered "Reject", then "Accept" (or "Accept", "Reject", "Accept") on a short page
/// the visitor never scrolled: the view taken at the grant is the session's landing, with its
/// channel like a plain "Accept"'s, and no scroll_depth marks (a React developer's QA: the view
/// had no channel, and 25 to 100 % were sent at the grant).
#[test]
fn a_view_taken_at_a_grant_after_a_denial_has_its_channel_and_no_unscrolled_depth() {
    for answers in [&[true][..], &[false, true], &[true, false, true]] {
        let mut v = Visit::new(&[("site", "shop"), ("consent", "pending")], boot("https://shop.test/short", ""));
        v.engine.handle(Input::Depth { percent: 100, first: true }, T0);
        v.page("https://shop.test/short");
        for (i, yes) in answers.iter().enumerate() {
            let update = crate::consent::Update { analytics: Some(*yes), marketing: Some(false) };
            v.at(100 * (i as u64 + 1), Input::Command(Command::Consent { update, source: ConsentSource::Api }));
            v.events(); // (each answer a while after the last: what it granted was sent)
        }
        let ev = v.events();
        let views: Vec<&String> = ev.iter().filter(|e| e.contains(r#""event":"page_view""#)).collect();
        assert_eq!(views.len(), 1, "{answers:?}: {ev:#?}");
        assert!(views[0].contains(r#""navigation":"load","channel":"direct""#), "{answers:?}: {}", views[0]);
        assert!(!ev.iter().any(|e| e.contains("scroll_depth")), "{answers:?}: {ev:#?}");
    }
}
