//! Each detector against hand-written timelines, what it must catch and what it must not, and
//! property tests of the rules that product teams rely on.

use proptest::prelude::*;

use super::failed_request::RequestEnd;
use super::field_error::Reason;
use super::form_abandon::FormInput;
use super::js_error::ErrorFact;
use super::poor_vital::VitalFact;
use super::slow::Interaction;
use super::*;

fn target(key: u32) -> Target {
    Target {
        key,
        descriptor: format!("{{\"selector\":\"#t{key}\",\"tag\":\"button\"}}"),
        interactive: true,
        looks_interactive: true,
        ..Target::default()
    }
}

/// A single click (no double or triple click) at `at`, (`x`, `y`).
fn press(at: u64, x: i32, y: i32) -> Press {
    Press { at, x, y, detail: 1 }
}

fn names(out: &Findings) -> Vec<&'static str> {
    out.iter().map(|(s, _, _)| s.event()).collect()
}

/// Clicks `key` at each time, then lets every deadline pass.
fn clicks(f: &mut Friction, key: u32, times: &[u64]) -> Findings {
    let mut out = Vec::new();
    for &at in times {
        f.click(press(at, 10, 10), &target(key), &mut out);
    }
    let end = times.last().copied().unwrap_or(0) + 60_000;
    while let Some(at) = f.deadline().filter(|at| *at <= end) {
        f.timeout(at, &mut out);
    }
    out
}

#[test]
fn rage_three_unanswered_clicks_within_a_second_each() {
    let mut f = Friction::default();
    let out = clicks(&mut f, 1, &[0, 300, 600, 900]);
    assert_eq!(names(&out), ["rage_click"], "a rage burst is not also dead clicks");
    assert!(out[0].1.contains("\"count\":4") && out[0].1.contains("\"duration_ms\":900"), "{}", out[0].1);
    assert!(out[0].1.contains("\"category\":\"friction\""));
}

#[test]
fn presses_on_a_disabled_control_are_rage_when_repeated_and_never_dead() {
    let disabled = Target { disabled: true, elsewhere: true, ..target(1) };
    let presses = |times: &[u64]| {
        let mut f = Friction::default();
        let mut out = Vec::new();
        for &at in times {
            f.click(press(at, 10, 10), &disabled, &mut out);
        }
        f.timeout(60_000, &mut out);
        out
    };
    assert!(presses(&[0]).is_empty(), "one press: a disabled button is expected to do nothing");
    assert!(presses(&[0, 400]).is_empty());
    let out = presses(&[0, 300, 600, 900]);
    assert_eq!(names(&out), ["rage_click"]);
    assert!(out[0].1.contains("\"count\":4") && out[0].1.ends_with("\"disabled\":true}"), "{}", out[0].1);
    let out = clicks(&mut Friction::default(), 1, &[0, 300, 600]);
    assert!(!out[0].1.contains("disabled"), "only a disabled control's says so: {}", out[0].1);
    // "Load more" (or "Pay") clicked, disabled by the page while it works, and pressed again
    // meanwhile: the page says it works, no rage. Pressed again 30 s and more after the press
    // that worked, still disabled: stuck, rage again.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 10, 10), &target(1), &mut out);
    f.response(50);
    for at in [120, 240, 360, 480] {
        f.click(press(at, 10, 10), &disabled, &mut out);
    }
    for at in [31_000, 31_300, 31_600] {
        f.click(press(at, 10, 10), &disabled, &mut out);
    }
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["rage_click"], "{out:?}");
    assert!(out[0].1.contains("\"count\":3"), "the presses 30 s on only: {}", out[0].1);
}

/// The option already chosen (aria-checked, aria-pressed, a checked radio's label), the tab
/// shown, a download: nothing happening is what the visitor should expect, so tapping it again
/// and again is no rage either (a disabled control's presses are, see above).
#[test]
fn no_rage_on_an_element_expected_to_do_nothing() {
    let chosen = Target { elsewhere: true, ..target(1) };
    let mut f = Friction::default();
    let mut out = Vec::new();
    for at in [0, 200, 400, 600] {
        f.click(press(at, 10, 10), &chosen, &mut out);
    }
    f.timeout(60_000, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn rage_not_for_two_clicks_nor_for_a_stepper_that_answers() {
    let mut f = Friction::default();
    assert_eq!(
        names(&clicks(&mut f, 1, &[0, 200])),
        ["dead_click"],
        "a double click on a dead button is one dead click"
    );
    let mut f = Friction::default();
    let mut out = Vec::new();
    for at in [0, 150, 300, 450, 600, 750] {
        f.click(press(at, 10, 10), &target(2), &mut out);
        f.response(at + 5); // the quantity changes
    }
    f.timeout(10_000, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn a_selection_answers_a_double_or_triple_click_but_not_a_longer_burst() {
    // Triple click on a paragraph: the second and third clicks select a word, then the paragraph.
    let mut f = Friction::default();
    let mut out = Vec::new();
    for (i, at) in [0u64, 120, 240].iter().enumerate() {
        f.click(Press { detail: i as u32 + 1, ..press(*at, 10, 10) }, &target(1), &mut out);
        if i > 0 {
            f.selection(at + 2);
        }
    }
    f.timeout(10_000, &mut out);
    assert!(out.is_empty(), "a triple click that selects text is no friction: {out:?}");
    // Five clicks on a label whose text gets selected along the way (one gesture, the browser's
    // click count going up to 5): still rage.
    let mut f = Friction::default();
    let mut out = Vec::new();
    for (i, at) in [0u64, 200, 400, 600, 800].iter().enumerate() {
        f.click(Press { detail: i as u32 + 1, ..press(*at, 10, 10) }, &target(2), &mut out);
        if i > 0 {
            f.selection(at + 2);
        }
    }
    f.timeout(10_000, &mut out);
    assert_eq!(names(&out), ["rage_click"]);
    assert!(out[0].1.contains("\"count\":5"), "{}", out[0].1);
    // A reader double-clicks a word, then another 800 ms later, then triple-clicks the
    // paragraph and narrows it to a word: each gesture answered by its selection, no rage (it
    // was a rage_click of 4, then of 5: a publisher's QA). Without selections, still rage.
    for selects in [true, false] {
        let mut f = Friction::default();
        let mut out = Vec::new();
        for (at, detail) in
            [(0u64, 1), (30, 2), (830, 1), (860, 2), (1500, 1), (1530, 2), (1560, 3), (2100, 1), (2130, 2)]
        {
            f.click(Press { detail, ..press(at, 10, 10) }, &target(4), &mut out);
            if selects && detail > 1 {
                f.selection(at + 2);
            }
        }
        f.timeout(10_000, &mut out);
        assert_eq!(names(&out), if selects { vec![] } else { vec!["rage_click"] }, "selects: {selects}");
    }
    // Any other response still answers the longer burst.
    let mut f = Friction::default();
    let mut out = Vec::new();
    for at in [0u64, 200, 400, 600, 800] {
        f.click(press(at, 10, 10), &target(3), &mut out);
        f.selection(at + 2);
    }
    f.response(500);
    f.timeout(10_000, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn rage_counts_nearby_targets_and_not_editable_ones() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    for (i, at) in [0u64, 200, 400].iter().enumerate() {
        f.click(press(*at, 100 + i as i32 * 10, 100), &target(10 + i as u32), &mut out);
        // three cells, 10 px apart
    }
    f.timeout(5_000, &mut out);
    assert_eq!(names(&out), ["rage_click"]);
    let mut f = Friction::default();
    let field = Target { editable: true, ..target(3) };
    let mut out = Vec::new();
    for at in [0, 100, 200, 300] {
        f.click(press(at, 1, 1), &field, &mut out);
    }
    f.timeout(5_000, &mut out);
    assert!(out.is_empty(), "caret clicks in a field: {out:?}");
}

/// Four clicks along a row of small swatches (each its own element, 8 px apart): one rage
/// click, and none of them also a dead click, as for four clicks on one element, with the
/// detectors' deadlines met one by one as the engine meets them (the first swatch's dead click
/// is due before the burst ends: QA found it and the three others reported besides the rage).
/// Clicks of a burst that turns out no rage click (two clicks) are still dead.
#[test]
fn a_rage_burst_over_several_small_elements_is_no_dead_click_too() {
    let run = |times: &[u64]| {
        let mut f = Friction::default();
        let mut out = Vec::new();
        for (i, &at) in times.iter().enumerate() {
            while let Some(due) = f.deadline().filter(|d| *d <= at) {
                f.timeout(due, &mut out);
            }
            f.click(press(at, 100 + 8 * i as i32, 100), &target(20 + i as u32), &mut out);
        }
        while let Some(due) = f.deadline() {
            f.timeout(due, &mut out);
        }
        names(&out)
    };
    assert_eq!(run(&[0, 400, 800, 1_200]), ["rage_click"]);
    assert_eq!(run(&[0, 300]), ["dead_click", "dead_click"]);
}

/// A script the page puts in while a click waits (id 0: a lazy modal's, a code-split chunk) is
/// waited for as a request is, and what shows after it answers the click (on a slow network it
/// comes after the click's second); a script that shows nothing (a tag manager's tag) leaves the
/// click dead, and its insertion is no answer to a rage burst. Its end is no failure.
#[test]
fn dead_clicks_wait_for_scripts_the_page_loads_and_rage_is_not_answered_by_them() {
    let loaded = RequestEnd { id: 0, status: 1, ..RequestEnd::default() };
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(30, 0);
    f.timeout(1_000, &mut out);
    f.request_end(2_000, &loaded, &mut out);
    f.response(2_050);
    f.timeout(9_000, &mut out);
    assert!(out.is_empty(), "the modal its script opened 2 s later: {out:?}");

    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(10, 0);
    f.request_end(60, &loaded, &mut out);
    f.timeout(1_059, &mut out);
    assert!(out.is_empty());
    f.timeout(1_060, &mut out);
    assert_eq!(names(&out), ["dead_click"], "a tag's script, nothing shown");

    let mut f = Friction::default();
    let mut out = Vec::new();
    for at in [0, 300, 600] {
        f.click(press(at, 1, 1), &target(1), &mut out);
        f.request_start(at + 5, 0);
        f.request_end(at + 40, &loaded, &mut out);
    }
    f.timeout(9_000, &mut out);
    assert_eq!(names(&out), ["rage_click"], "a tag's script at each click answers no burst");
}

#[test]
fn dead_click_waits_for_responses_and_for_requests_already_in_flight() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.timeout(999, &mut out);
    assert!(out.is_empty());
    f.timeout(1_000, &mut out);
    assert_eq!(names(&out), ["dead_click"]);

    // A request the click started is waited for, not taken as the answer: the page has 1 s
    // after it ends to show something.
    let ok = |id| RequestEnd { id, status: 200, first_party: true, ..RequestEnd::default() };
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(200, 1);
    f.request_end(400, &ok(1), &mut out);
    f.response(450);
    f.timeout(9_000, &mut out);
    assert!(out.is_empty(), "the page showed the request's result: {out:?}");

    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(200, 1);
    f.request_end(400, &ok(1), &mut out);
    f.timeout(1_399, &mut out);
    assert!(out.is_empty());
    f.timeout(1_400, &mut out);
    assert_eq!(names(&out), ["dead_click"], "answered 200, nothing shown");
    assert!(out[0].1.contains("\"pending_requests\":0"), "{}", out[0].1);

    // A request that hangs: dead once the click has waited 7 s, with the request still pending.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(150, 1);
    f.timeout(6_999, &mut out);
    assert!(out.is_empty(), "waits up to 7 s: {out:?}");
    f.timeout(7_000, &mut out);
    assert_eq!(names(&out), ["dead_click"], "the request hung");
    assert!(out[0].1.contains("\"waited_ms\":7000"), "{}", out[0].1);
    assert!(out[0].1.contains("\"pending_requests\":1"), "the request hung: {}", out[0].1);

    // A request that failed explains the silence: a failed_request, not also a dead click.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(100, 1);
    f.request_end(300, &RequestEnd { status: 503, ..ok(1) }, &mut out);
    f.timeout(9_000, &mut out);
    assert_eq!(names(&out), ["failed_request"]);

    // But not the page's own poll that failed meanwhile (id 0 at its start: no action's): the
    // click is still dead (a background stock poll's 503 hid a dead Buy: a drop day's QA).
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(400, 0);
    f.request_end(450, &RequestEnd { status: 503, ..ok(7) }, &mut out);
    f.timeout(9_000, &mut out);
    assert_eq!(names(&out), ["failed_request", "dead_click"]);

    // Each click of a burst starting its own request answers the rage detector, so the burst is
    // no rage click; if the requests end and nothing shows, it is one dead click.
    let mut f = Friction::default();
    let mut out = Vec::new();
    for (i, at) in [0u64, 300, 600, 900].into_iter().enumerate() {
        f.click(press(at, 1, 1), &target(1), &mut out);
        f.request_start(at + 20, i as u32);
        f.request_end(at + 120, &ok(i as u32), &mut out);
    }
    f.timeout(9_000, &mut out);
    assert_eq!(names(&out), ["dead_click"]);
    assert!(out[0].1.contains("\"clicks\":4"), "{}", out[0].1);

    let mut f = Friction::default();
    let mut out = Vec::new();
    f.request_start(0, 7); // a slow request already in flight
    f.click(press(100, 1, 1), &target(1), &mut out);
    f.timeout(5_000, &mut out);
    assert!(out.is_empty(), "waits up to 7 s for the request: {out:?}");
    let end = RequestEnd { id: 7, status: 200, first_party: true, ..RequestEnd::default() };
    f.request_end(5_500, &end, &mut out);
    f.timeout(6_499, &mut out);
    assert!(out.is_empty(), "then 1 s for the page to show the result");
    f.timeout(6_500, &mut out);
    assert_eq!(names(&out), ["dead_click"], "nothing showed it");
}

/// What a press's own handlers did (a stepper acting on touchend, a menu opening at mousedown)
/// answers that press's click, not a dead "Share" clicked just before it elsewhere; a response
/// seen in the page answers both.
#[test]
fn a_press_answers_its_own_click_not_the_ones_before_it() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 10, 10), &target(1), &mut out);
    f.click(press(100, 300, 300), &target(2), &mut out);
    f.press_answer(100);
    f.timeout(5_000, &mut out);
    assert_eq!(names(&out), ["dead_click"]);
    assert!(out[0].1.contains("#t1"), "{out:?}");

    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 10, 10), &target(1), &mut out);
    f.click(press(100, 300, 300), &target(2), &mut out);
    f.response(100);
    f.timeout(5_000, &mut out);
    assert!(out.is_empty(), "{out:?}");

    // A burst answered at each press is no rage.
    let mut f = Friction::default();
    let mut out = Vec::new();
    for at in [0, 100, 200, 300] {
        f.click(press(at, 10, 10), &target(3), &mut out);
        f.press_answer(at);
    }
    f.timeout(5_000, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

/// The page's long tasks while a click waits are no silence of its own: a slow phone drawing an
/// answer in several long tasks after its request (QA: a dead click at 6x CPU throttling).
#[test]
fn dead_click_does_not_count_the_time_the_page_was_busy() {
    let ok = RequestEnd { id: 1, status: 200, first_party: true, ..RequestEnd::default() };
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(100, 1);
    f.request_end(900, &ok, &mut out);
    // Three 360 ms tasks drawing the cart: 1,080 ms of the page's own work after the answer.
    for end in [1_260, 1_620, 1_980] {
        f.vital(end, &VitalFact::Busy(360));
    }
    f.timeout(2_979, &mut out);
    assert!(out.is_empty(), "{out:?}");
    f.response(2_700);
    f.timeout(9_000, &mut out);
    assert!(out.is_empty(), "answered once the page had worked: {out:?}");

    // A click made during a long task gets only the part after it; never past 7 s.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.vital(300, &VitalFact::Busy(500));
    f.timeout(1_299, &mut out);
    assert!(out.is_empty());
    f.timeout(1_300, &mut out);
    assert_eq!(names(&out), ["dead_click"], "1 s and the 300 ms the page was busy after the click");
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    for end in (1..=40).map(|i| i * 400) {
        f.vital(end, &VitalFact::Busy(400));
    }
    f.timeout(7_000, &mut out);
    assert_eq!(names(&out), ["dead_click"], "a page busy all the time: dead at 7 s");
}

#[test]
fn dead_click_not_for_plain_text_downloads_fields_or_silenced_elements() {
    for t in [
        Target { interactive: false, looks_interactive: false, ..target(1) },
        Target { elsewhere: true, ..target(1) },
        Target { editable: true, ..target(1) },
        Target { silenced: Signal::Dead.bit(), ..target(1) },
    ] {
        let mut f = Friction::default();
        let mut out = Vec::new();
        f.click(press(0, 1, 1), &t, &mut out);
        f.timeout(60_000, &mut out);
        assert!(out.is_empty(), "{t:?}: {out:?}");
    }
}

#[test]
fn an_error_after_a_click_is_an_error_click_not_a_dead_one() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    let e = ErrorFact {
        message: "x is null".into(),
        source: "https://shop.test/app.js".into(),
        line: 3,
        ..ErrorFact::default()
    };
    f.error(10, &e, &mut out);
    f.error(20, &e, &mut out);
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["error_click", "js_error", "js_error"]);
    assert!(out[1].1.contains(r#""source":"https://shop.test/app.js","line":3,"column":0"#), "{}", out[1].1);
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &Target { looks_interactive: false, interactive: false, ..target(1) }, &mut out);
    f.error(1_001, &e, &mut out);
    assert_eq!(names(&out), ["js_error"], "after the window: an error, not an error click");
}

/// A widget of another origin failing on its own timer as the visitor clicks a working button:
/// a js_error, not that click's error (a third-party widgets QA).
#[test]
fn another_origins_error_outside_the_click_is_no_error_click() {
    for (foreign, want) in [(true, vec!["js_error"]), (false, vec!["error_click", "js_error"])] {
        let e = ErrorFact { message: "rating is undefined".into(), foreign, ..ErrorFact::default() };
        let mut f = Friction::default();
        let mut out = Vec::new();
        f.click(press(0, 1, 1), &target(1), &mut out);
        f.response(30);
        f.error(300, &e, &mut out);
        f.timeout(60_000, &mut out);
        assert_eq!(names(&out), want, "foreign: {foreign}");
    }
}

/// "Await the API, then crash": the click's handler awaits its request (2.5 s on a slow API),
/// then throws on the answer. The click waited for that request, so the error is its error
/// click, not a dead click (a QA of framework storefronts: dead_click + js_error, 3 of 3). A
/// request the click did not wait for (it started none) leaves the 1 s window as it was.
#[test]
fn an_error_after_the_request_a_click_waits_for_is_its_error_click() {
    let e = ErrorFact { message: "j.cart is undefined".into(), ..ErrorFact::default() };
    let ok = RequestEnd { id: 1, status: 200, first_party: true, ..RequestEnd::default() };
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(20, 1);
    f.request_end(2_500, &ok, &mut out);
    f.error(2_505, &e, &mut out);
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["error_click", "js_error"], "{out:?}");
    // Something else clicked while it waits (a dead element, clicked 0.3 s later): the error is
    // still the waiting click's, and the other click is dead.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(20, 1);
    f.click(press(300, 400, 400), &target(2), &mut out);
    f.request_end(2_500, &ok, &mut out);
    f.error(2_505, &e, &mut out);
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["error_click", "js_error", "dead_click"], "{out:?}");
    assert!(out[0].1.contains("\"selector\":\"#t1\""), "{}", out[0].1);
    // After its verdict (dead at 3.5 s), an error explains it no more.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 1, 1), &target(1), &mut out);
    f.request_start(20, 1);
    f.request_end(2_500, &ok, &mut out);
    f.timeout(3_600, &mut out);
    f.error(3_700, &e, &mut out);
    assert_eq!(names(&out), ["dead_click", "js_error"], "{out:?}");
}

/// A widget failing every 300 ms: its error is seen again and again while no click waits, so it
/// explains no click. The dead button clicked meanwhile is a dead click; a button that throws its
/// own error is still an error click.
#[test]
fn an_error_the_page_keeps_throwing_without_clicks_explains_no_click() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let e = |m: &str| ErrorFact {
        message: m.into(),
        source: "https://shop.test/widget.js".into(),
        line: 1,
        ..ErrorFact::default()
    };
    let tick = e("widget: feed unavailable");
    f.error(100, &tick, &mut out);
    f.error(400, &tick, &mut out);
    f.click(press(550, 1, 1), &target(1), &mut out);
    f.error(700, &tick, &mut out);
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["js_error", "js_error", "js_error", "dead_click"], "{out:?}");
    let mut out = Vec::new();
    f.click(press(70_000, 500, 500), &target(2), &mut out);
    f.error(70_010, &e("cart is undefined"), &mut out);
    f.timeout(140_000, &mut out);
    assert_eq!(names(&out), ["error_click", "js_error"], "its own error: {out:?}");
}

/// An error seen once while no click waits (a script that failed at load) and again when the
/// visitor clicks the button that runs it is that click's error; so is a repeated one that has
/// not been seen for over a minute.
#[test]
fn an_error_seen_once_before_the_click_or_long_ago_is_the_clicks_error() {
    let e = ErrorFact {
        message: "cart is undefined".into(),
        source: "https://shop.test/app.js".into(),
        line: 7,
        ..ErrorFact::default()
    };
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.error(100, &e, &mut out);
    f.click(press(5_000, 1, 1), &target(1), &mut out);
    f.error(5_010, &e, &mut out);
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["js_error", "error_click", "js_error"], "thrown at load, then by the click: {out:?}");
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.error(100, &e, &mut out);
    f.error(400, &e, &mut out);
    f.click(press(60_401, 1, 1), &target(1), &mut out);
    f.error(60_410, &e, &mut out);
    f.timeout(200_000, &mut out);
    assert_eq!(
        names(&out),
        ["js_error", "js_error", "error_click", "js_error"],
        "repeated, but over a minute ago: {out:?}"
    );
}

/// A tap's handlers run before its click: a touchstart or pointerdown handler that throws (a
/// swipe library's) leaves the button doing nothing. That is the tap's error click, not a dead
/// one. An error from a press that made no click (a drag) explains no later click.
#[test]
fn an_error_thrown_during_the_press_is_its_clicks_error() {
    let e = ErrorFact { message: "swipe is undefined".into(), in_press: true, ..ErrorFact::default() };
    // The error at 1 s, the click at `clicked`.
    let tap = |clicked| {
        let mut f = Friction::default();
        let mut out = Vec::new();
        f.error(1_000, &e, &mut out);
        f.click(press(clicked, 1, 1), &target(1), &mut out);
        f.timeout(60_000, &mut out);
        out
    };
    let out = tap(1_120);
    assert_eq!(names(&out), ["js_error", "error_click"], "{out:?}");
    assert!(out[1].1.contains("\"message\":\"swipe is undefined\""), "{}", out[1].1);
    let out = tap(2_500);
    assert_eq!(names(&out), ["js_error", "dead_click"], "a press long before: {out:?}");
    // A tap soon after a tap: its press's error is its own click's, not the one before's.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(1_000, 1, 1), &target(1), &mut out);
    f.error(1_300, &e, &mut out);
    f.click(press(1_400, 1, 1), &target(2), &mut out);
    f.response(1_500);
    f.timeout(60_000, &mut out);
    assert_eq!(names(&out), ["js_error", "error_click"], "{out:?}");
    assert!(out[1].1.contains("#t2"), "{}", out[1].1);
    // The press's error is kept once: the next click is judged on its own.
    let mut out = Vec::new();
    f.error(70_000, &e, &mut out);
    f.click(press(70_100, 1, 1), &target(2), &mut out);
    f.click(press(71_500, 1, 1), &target(3), &mut out);
    f.timeout(140_000, &mut out);
    assert_eq!(names(&out), ["js_error", "error_click", "dead_click"], "{out:?}");
}

#[test]
fn js_errors_are_capped_per_message_and_noise_is_ignored() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let e = |m: &str, src: &str| ErrorFact { message: m.into(), source: src.into(), line: 1, ..ErrorFact::default() };
    for _ in 0..8 {
        f.error(0, &e("boom", ""), &mut out);
    }
    f.error(0, &e("Script error.", ""), &mut out);
    f.error(0, &e("ResizeObserver loop completed with undelivered notifications.", ""), &mut out);
    f.error(0, &e("ext", "chrome-extension://abc/x.js"), &mut out);
    assert_eq!(out.len(), 5);
    f.leave(1, "", &mut out);
    assert_eq!(out.len(), 6);
    assert!(out[5].1.contains("\"repeats\":3"), "{}", out[5].1);
}

#[test]
fn js_errors_with_ever_new_messages_stop_at_twenty_messages_and_are_counted() {
    use super::capped::{MAX_KEYS as MAX_MESSAGES, OTHERS};
    let mut f = Friction::default();
    let mut out = Vec::new();
    let e = |m: String| ErrorFact { message: m, source: String::new(), line: 1, ..ErrorFact::default() };
    // A timer's error that names a new request each time, 1,000 times; and a repeated one.
    for i in 0..1000 {
        f.error(i, &e(format!("request {i} failed")), &mut out);
        f.error(i, &e("boom".into()), &mut out);
    }
    assert_eq!(out.len(), MAX_MESSAGES + 5 - 1, "the first 19 request messages (and boom) once, boom 5 times");
    f.leave(2000, "", &mut out);
    let tail: Vec<&str> = out[MAX_MESSAGES + 4..].iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(tail.len(), 2, "{tail:?}");
    assert!(tail[0].contains("\"message\":\"boom\"") && tail[0].contains("\"repeats\":995"), "{tail:?}");
    assert!(tail[1].contains(&format!("\"message\":\"{OTHERS}\"")) && tail[1].contains("\"repeats\":981"), "{tail:?}");
    // The next page view starts again.
    let mut next = Vec::new();
    f.error(3000, &e("request 5000 failed".into()), &mut next);
    assert_eq!(next.len(), 1);
    f.leave(4000, "", &mut next);
    assert_eq!(next.len(), 1, "nothing over the caps: no report");
}

#[test]
fn slow_interactions_above_200_ms_once_per_interaction() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let i = |d: u64, id: u64| Interaction {
        duration: d,
        id,
        kind: "click".into(),
        target: Some(target(1)),
        ..Interaction::default()
    };
    f.interaction(0, 0, &i(200, 1), &mut out);
    f.interaction(0, 0, &i(416, 2), &mut out);
    f.interaction(0, 0, &i(420, 2), &mut out);
    assert_eq!(names(&out), ["slow_interaction"]);
    f.leave(0, "", &mut out);
    assert_eq!(names(&out), ["slow_interaction"], "INP 420 is not poor (> 500)");
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.interaction(0, 0, &i(600, 3), &mut out);
    f.leave(0, "", &mut out);
    assert_eq!(names(&out), ["slow_interaction", "poor_vital"]);
}

/// The keystrokes typed into a field while the page is stalled (a slow phone: each queued key
/// an interaction of 200-1000 ms) are one slow field, not one finding per key (the slow-phone
/// QA saw 12-15 per card number); a burst on another element, or the same element after a
/// pause, is another.
#[test]
fn slow_interactions_once_per_burst_on_an_element() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let key = |id: u64, el: u32| Interaction {
        duration: 400,
        id,
        kind: "keydown".into(),
        target: Some(target(el)),
        ..Interaction::default()
    };
    // Card number: 8 slow keys 150-900 ms apart (one burst, however long it lasts).
    let mut at = 1_000;
    for (n, gap) in [150, 300, 900, 150, 150, 600, 150, 150].into_iter().enumerate() {
        at += gap;
        f.interaction(at, at, &key(n as u64 + 1, 1), &mut out);
    }
    assert_eq!(names(&out), ["slow_interaction"]);
    // The expiry field right after: its own.
    f.interaction(at + 100, at + 100, &key(20, 2), &mut out);
    f.interaction(at + 250, at + 250, &key(21, 2), &mut out);
    assert_eq!(names(&out), ["slow_interaction"; 2]);
    // The card number again (the visitor went back to it): a new burst.
    f.interaction(at + 400, at + 400, &key(22, 1), &mut out);
    assert_eq!(names(&out), ["slow_interaction"; 3]);
    // A fast key in between does not end a burst; a pause of more than a second does.
    f.interaction(at + 500, at + 500, &Interaction { duration: 40, ..key(23, 1) }, &mut out);
    f.interaction(at + 1_300, at + 1_300, &key(24, 1), &mut out);
    assert_eq!(names(&out), ["slow_interaction"; 3]);
    f.interaction(at + 2_301, at + 2_301, &key(25, 1), &mut out);
    assert_eq!(names(&out), ["slow_interaction"; 4]);
}

#[test]
fn quick_back_only_without_interaction_and_within_ten_seconds() {
    let run = |dwell: u64, interact: bool| {
        let mut f = Friction::default();
        let mut out = Vec::new();
        f.start(0, "/list");
        f.route(1_000, "/product", false, "", &mut out);
        if interact {
            f.scroll(1_500, 400, 800, true, &mut out);
        }
        f.route(1_000 + dwell, "/list", true, "", &mut out);
        names(&out)
    };
    assert_eq!(run(3_000, false), ["quick_back"]);
    assert!(run(3_000, true).is_empty());
    assert!(run(10_001, false).is_empty());
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.start(0, "/a");
    f.route(1_000, "/b", false, "", &mut out);
    f.route(2_000, "/c", false, "", &mut out);
    assert!(out.is_empty(), "a forward route to a new page is no return");
    // An app routed by its query string alone: one path for every view, back and forward.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.start(0, "/list");
    f.route(1_000, "/list", false, "", &mut out);
    f.route(2_000, "/list", true, "", &mut out);
    f.route(3_000, "/list", true, "", &mut out);
    assert!(out.is_empty(), "views of one path are not told apart: {out:?}");
}

#[test]
fn scroll_thrash_needs_long_user_legs_and_fires_once_per_burst() {
    // Turning points, as the sensor reports them: seven legs of `leg` px, 300 ms each.
    let legs = |f: &mut Friction, user: bool, leg: i32, start: u64, out: &mut Findings| {
        for i in 0..7u64 {
            f.scroll(start + (i + 1) * 300, leg, 800, user, out);
        }
    };
    let mut f = Friction::default();
    let mut out = Vec::new();
    legs(&mut f, true, 900, 0, &mut out);
    assert_eq!(names(&out), ["scroll_thrash"], "once for the burst");
    // A second burst, after a pause longer than the window: a second scroll_thrash.
    legs(&mut f, true, 900, 10_000, &mut out);
    assert_eq!(names(&out), ["scroll_thrash", "scroll_thrash"], "once per burst: {out:?}");
    let mut f = Friction::default();
    let mut out = Vec::new();
    legs(&mut f, true, 200, 0, &mut out);
    assert!(out.is_empty(), "short legs: reading, not hunting");
    let mut f = Friction::default();
    let mut out = Vec::new();
    legs(&mut f, false, 900, 0, &mut out);
    assert!(out.is_empty(), "scripted scrolling is not the visitor's");
}

#[test]
fn field_errors_seen_two_ways_are_one_and_alerts_carry_their_message() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let email = Target { editable: true, ..target(5) };
    let name = Target { editable: true, ..target(6) };
    // The browser's validation and the page's aria-invalid on the same field at the same submit.
    f.invalid(100, &email, "signup", Reason::Invalid, "", &mut out);
    f.invalid(140, &email, "signup", Reason::Aria, "", &mut out);
    f.invalid(150, &name, "signup", Reason::Aria, "", &mut out);
    assert_eq!(names(&out), ["field_error", "field_error"], "{out:?}");
    assert!(out[1].1.contains("\"reason\":\"aria_invalid\"") && out[1].1.contains("#t6"), "{}", out[1].1);
    // The next submit, seconds later, with the same error: reported again.
    f.invalid(5_000, &email, "signup", Reason::Alert, "Enter a valid email", &mut out);
    assert_eq!(out.len(), 3);
    // Its error text seen again (its alert, its description) is the same error; another text
    // of the page's within 2 s is another (the field left marked, its message changed); the
    // browser's constraint is no text of the page's.
    f.invalid(5_100, &email, "signup", Reason::Aria, "Enter a valid email", &mut out);
    f.invalid(5_200, &email, "signup", Reason::Invalid, "typeMismatch", &mut out);
    f.invalid(5_300, &email, "signup", Reason::Aria, "We never share it", &mut out);
    assert_eq!(out.len(), 3);
    f.invalid(6_000, &email, "signup", Reason::Alert, "This email has an account already", &mut out);
    assert_eq!(out.len(), 4);
    out.pop();
    assert!(out[2].1.contains("\"reason\":\"alert\"") && out[2].1.contains("\"message\":\"Enter a valid email\""));
    // Silenced fields and the detector switched off find nothing.
    let quiet = Target { silenced: Signal::FieldError.bit(), ..target(7) };
    f.invalid(9_000, &quiet, "signup", Reason::Aria, "", &mut out);
    assert_eq!(out.len(), 3);
    let mut off = Friction::new(Settings { off: Signal::FieldError.bit(), ..Settings::default() });
    off.invalid(0, &email, "signup", Reason::Aria, "", &mut out);
    assert_eq!(out.len(), 3);
    // Enter in the invalid field: the browser clicks the submit button and shows its bubble,
    // with no focus move or DOM change. The error answers the click: no dead click too.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 0, 0), &target(8), &mut out);
    f.invalid(2, &email, "signup", Reason::Invalid, "", &mut out);
    f.timeout(10_000, &mut out);
    assert_eq!(names(&out), ["field_error"], "{out:?}");
}

#[test]
fn field_errors_and_abandoned_forms() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let field = Target { editable: true, ..target(5) };
    f.invalid(0, &field, "signup", Reason::Invalid, "", &mut out);
    assert_eq!(names(&out), ["field_error"]);
    assert!(out[0].1.contains("\"reason\":\"invalid\"") && !out[0].1.contains("message"), "{}", out[0].1);
    let input = |form: u32, key: u32, entry: bool| FormInput {
        form,
        form_descriptor: "{\"tag\":\"form\"}".into(),
        field: Target { key, ..field.clone() },
        fields: 3,
        entry,
    };
    f.form_input(10, &input(1, 5, true));
    f.form_input(20, &input(2, 5, true));
    f.form_submit(2);
    // A search form, or choices only (a size, a filter's boxes): no entry, no abandonment.
    f.form_input(30, &input(3, 5, false));
    f.form_input(40, &input(3, 6, false));
    // Choices first, then typing: an entry from then on, both fields completed.
    f.form_input(50, &input(4, 5, false));
    f.form_input(60, &input(4, 6, true));
    f.leave(5_010, "", &mut out);
    assert_eq!(
        names(&out),
        ["field_error", "form_abandon", "form_abandon"],
        "submitted forms, search forms and choices are not abandoned"
    );
    assert!(out[1].1.contains("\"time_ms\":5000") && out[1].1.contains("\"fields_completed\":1"), "{}", out[1].1);
    assert!(out[2].1.contains("\"time_ms\":4960") && out[2].1.contains("\"fields_completed\":2"), "{}", out[2].1);
    // A form sent, then used again and given up (a newsletter modal opened again, typed in,
    // cancelled): that second use is abandoned, counted from its own start.
    let mut out = Vec::new();
    f.form_input(6_000, &input(7, 5, true));
    f.form_submit(7);
    f.form_input(8_000, &input(7, 6, true));
    f.leave(9_000, "", &mut out);
    assert_eq!(names(&out), ["form_abandon"]);
    assert!(out[0].1.contains("\"time_ms\":1000") && out[0].1.contains("\"fields_completed\":1"), "{}", out[0].1);
    // A moment of truth (a quick-order grid's "Add lines to cart", a purchase after an upsell)
    // within a minute of a form's last input, the form pressed: it was what the form was for,
    // not abandoned. A form used before that minute still is, and so is one never pressed (a
    // financing application given up, then Add to basket in the buy box).
    let mut out = Vec::new();
    f.form_input(10_000, &input(8, 5, true));
    f.form_press(8);
    f.form_input(40_000, &input(9, 5, true));
    f.form_press(9);
    f.form_input(50_000, &input(11, 5, true));
    f.moment(100_000);
    f.form_input(100_500, &input(10, 5, true));
    f.leave(101_000, "", &mut out);
    assert_eq!(names(&out), ["form_abandon", "form_abandon", "form_abandon"]);
    assert!(out[0].1.contains("\"time_ms\":91000"), "{}", out[0].1);
    assert!(out[1].1.contains("\"time_ms\":51000"), "never pressed: {}", out[1].1);
    assert!(out[2].1.contains("\"time_ms\":500"), "{}", out[2].1);
}

#[test]
fn failed_requests_first_party_5xx_network_errors_and_4xx_after_a_click() {
    let end = |id: u32, status: u16, first_party: bool| RequestEnd {
        id,
        method: "POST".into(),
        path: "/api/cart".into(),
        status,
        duration: 80,
        first_party,
        offline: false,
    };
    let mut f = Friction::default();
    let mut out = Vec::new();
    // (6: cancelled by the page, status 1.)
    for (id, status, fp) in
        [(1, 503, true), (2, 0, true), (3, 404, true), (4, 500, false), (5, 200, true), (6, 1, true)]
    {
        f.request_start(0, id);
        f.request_end(100, &end(id, status, fp), &mut out);
    }
    assert_eq!(out.len(), 1, "the 503; the failure with no answer held 1 s: {out:?}");
    f.timeout(1_100, &mut out);
    assert_eq!(out.len(), 2, "{out:?}");
    f.click(press(1_000, 1, 1), &target(1), &mut out);
    f.request_start(1_100, 9);
    f.request_end(1_200, &end(9, 404, true), &mut out);
    assert_eq!(out.len(), 3, "a 4xx the click caused");
    f.click(press(2_000, 1, 1), &target(1), &mut out);
    f.request_start(2_100, 10);
    f.request_end(2_200, &end(10, 1, true), &mut out);
    assert_eq!(out.len(), 3, "a request the page cancelled after a click is no failure either");
    // A click into a text field, then typing that looks the postcode up: the page's lookup
    // answering 404 ("not found", shown to the visitor) was no click's request.
    let field = Target { editable: true, ..target(2) };
    f.click(press(3_000, 1, 1), &field, &mut out);
    f.request_start(3_400, 11);
    f.request_end(3_500, &end(11, 404, true), &mut out);
    assert_eq!(out.len(), 3, "a 4xx after a click into a field: {out:?}");
    f.request_start(3_600, 12);
    f.request_end(3_700, &end(12, 500, true), &mut out);
    assert_eq!(out.len(), 4, "a 5xx is a failure whoever started it");
    // So are 413 and 415 (an upload the server refuses, started when a file was chosen or dropped,
    // seconds after any click: a print shop's QA); not another 4xx of no click's.
    for (id, status) in [(30, 413), (31, 415), (32, 404)] {
        f.request_start(6_000, id);
        f.request_end(6_100, &RequestEnd { path: "/api/upload".into(), ..end(id, status, true) }, &mut out);
    }
    let statuses: Vec<_> =
        out[4..].iter().map(|o| o.1.contains("\"status\":413") || o.1.contains("\"status\":415")).collect();
    assert_eq!(statuses, [true, true], "{out:?}");
    out.truncate(4);
    // 422: the server found the form's fields invalid (a Turbo or Rails form drawn again with its
    // errors, a JSON API's validation): what the page shows of it is a field_error, and one
    // mistake was two friction events (a Turbo storefront's QA).
    f.click(press(10_000, 1, 1), &target(1), &mut out);
    f.request_start(10_100, 13);
    f.request_end(10_200, &end(13, 422, true), &mut out);
    assert_eq!(out.len(), 4, "a 422 after a click is no failed_request");
    // 401: a guard's "not signed in" (its sign-in follows), no failure either.
    f.click(press(11_000, 1, 1), &target(1), &mut out);
    f.request_start(11_100, 14);
    f.request_end(11_200, &end(14, 401, true), &mut out);
    assert_eq!(out.len(), 4, "a 401 after a click is no failed_request");
    // 409: outbid, the seat taken: the page says so (an auction's QA).
    f.click(press(11_500, 1, 1), &target(1), &mut out);
    f.request_start(11_600, 24);
    f.request_end(11_700, &end(24, 409, true), &mut out);
    assert_eq!(out.len(), 4, "a 409 after a click is no failed_request");
    // 402: a card declined, which the payment form shows (its field_error, the page's own event).
    f.click(press(12_000, 1, 1), &target(1), &mut out);
    f.request_start(12_100, 15);
    f.request_end(12_200, &end(15, 402, true), &mut out);
    assert_eq!(out.len(), 4, "a 402 after a click is no failed_request");
    // Requests of no click's (id 0: another origin's, a lookup's) after clicks, many: a later
    // click's 4xx is still seen (they filled the list of the clicks' requests, never emptied).
    for i in 0..40u64 {
        f.click(press(20_000 + i * 100, 1, 1), &target(1), &mut out);
        f.request_start(20_000 + i * 100 + 10, 0);
    }
    f.click(press(30_000, 1, 1), &target(1), &mut out);
    let before = out.len(); // (the rage burst of those clicks told)
    f.request_start(30_100, 20);
    f.request_end(30_200, &end(20, 404, true), &mut out);
    assert_eq!(
        names(&out.split_off(before)),
        ["failed_request"],
        "a 4xx a click caused, after 40 requests of no click's"
    );
}

#[test]
fn poor_vitals_lcp_and_cls_session_windows() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.vital(0, &VitalFact::Lcp { at_ms: 4_500, element: Some(target(1)) });
    for (v, at) in [(100, 1_000), (100, 1_500), (100, 2_000), (200, 9_000)] {
        f.vital(0, &VitalFact::Shift { value_milli: v, at_ms: at, recent_input: false });
    }
    f.vital(0, &VitalFact::Shift { value_milli: 900, at_ms: 3_000, recent_input: true });
    f.leave(10_000, "", &mut out);
    assert_eq!(names(&out), ["poor_vital", "poor_vital"]);
    assert!(out[1].1.contains("\"value_milli\":300"), "the largest window: {}", out[1].1);
    // (The engine starts the next view after the page_leave, which carries the same measures.)
    f.next_view();
    f.leave(11_000, "", &mut out);
    assert_eq!(out.len(), 2, "once per page view");
}

#[test]
fn poor_vitals_are_judged_again_for_each_single_page_app_view() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.vital(0, &VitalFact::Lcp { at_ms: 4_500, element: None });
    f.route(5_000, "/a", false, "", &mut out);
    f.next_view();
    assert_eq!(names(&out), ["poor_vital"], "LCP, at the first view's end");
    // The second view: a slow interaction and shifts of its own.
    let slow = Interaction { duration: 900, id: 7, target: Some(target(4)), ..Interaction::default() };
    f.interaction(0, 0, &slow, &mut out);
    for at in [6_000, 6_500] {
        f.vital(0, &VitalFact::Shift { value_milli: 300, at_ms: at, recent_input: false });
    }
    out.clear();
    f.route(9_000, "/b", false, "", &mut out);
    f.next_view();
    let vitals: Vec<_> = out.iter().filter(|(s, _, _)| *s == Signal::PoorVital).map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(vitals.len(), 2, "CLS and INP of the second view: {out:?}");
    assert!(vitals[0].contains("\"metric\":\"CLS\"") && vitals[0].contains("\"value_milli\":600"), "{}", vitals[0]);
    assert!(
        vitals[1].contains("\"metric\":\"INP\"") && vitals[1].contains("#t4"),
        "INP names its element: {}",
        vitals[1]
    );
    // The third view had neither: nothing, and LCP is not reported twice.
    out.clear();
    f.route(12_000, "/c", false, "", &mut out);
    f.next_view();
    f.leave(13_000, "", &mut out);
    assert!(out.is_empty(), "{out:?}");
}

/// What each view's `page_leave` carries: only what the browser measures, LCP once for the page
/// load, INP only for a view with interactions, rated as web-vitals rates it.
#[test]
fn page_leave_carries_the_views_vitals() {
    let put = |f: &mut Friction| f.vitals().put(crate::json::Obj::new()).finish();
    let mut f = Friction::default();
    f.vital(0, &VitalFact::Lcp { at_ms: 1_800, element: None });
    f.vital(0, &VitalFact::Shift { value_milli: 40, at_ms: 500, recent_input: false });
    f.click(press(900, 1, 1), &target(1), &mut Vec::new());
    assert_eq!(put(&mut f), r#"{"lcp_ms":1800}"#, "a browser measuring LCP only (Safari 26 and older: none at all)");
    f.vital(0, &VitalFact::Measured { shifts: true, interactions: true });
    assert_eq!(
        put(&mut f),
        r#"{"lcp_ms":1800,"cls_milli":40,"inp":"good"}"#,
        "no interaction long enough to be seen: good"
    );
    let long = |ms| Interaction { duration: ms, id: ms, ..Interaction::default() };
    f.interaction(0, 0, &long(320), &mut Vec::new());
    assert_eq!(put(&mut f), r#"{"lcp_ms":1800,"cls_milli":40,"inp":"needs-improvement","inp_ms":320}"#);
    f.interaction(0, 0, &long(520), &mut Vec::new());
    assert!(put(&mut f).ends_with(r#""inp":"poor","inp_ms":520}"#));
    // The next view: its own shifts, and no INP without an interaction; the load's LCP reported
    // late (after a quick route change) is not this view's.
    f.next_view();
    f.vital(0, &VitalFact::Lcp { at_ms: 2_400, element: None });
    assert_eq!(put(&mut f), r#"{"cls_milli":0}"#);
    f.form_input(20_000, &crate::friction::form_abandon::FormInput::default());
    assert_eq!(put(&mut f), r#"{"cls_milli":0,"inp":"good"}"#, "typing is an interaction too");
}

/// INP as web-vitals estimates the 98th percentile: the longest interaction once one per 50 of
/// the view's interactions (the browser's count) is left out; only the browser's long ones are
/// known, so a percentile below them is good. Each view counts its own interactions. The
/// interaction that is the INP names its element, whichever of the ten it is.
#[test]
fn inp_leaves_out_one_interaction_per_fifty() {
    let mut f = Friction::default();
    f.vital(0, &VitalFact::Measured { shifts: false, interactions: true });
    let long = |ms, t| Interaction { duration: ms, id: ms, target: Some(target(t)), ..Interaction::default() };
    // Twelve reported, 210 to 320 ms, then 900 and 700 on elements 9 and 8.
    for ms in (210..=320).step_by(10) {
        f.interaction(0, 0, &long(ms, 1), &mut Vec::new());
    }
    f.interaction(0, 0, &long(900, 9), &mut Vec::new());
    f.interaction(0, 0, &long(700, 8), &mut Vec::new());
    let inp = |f: &mut Friction, count: u64| {
        f.vital(0, &VitalFact::Count(count));
        let mut out = Vec::new();
        f.leave(0, "", &mut out);
        let poor = out.iter().find(|(s, p, _)| *s == Signal::PoorVital && p.contains("INP")).map(|(_, p, _)| p.clone());
        (f.vitals().put(crate::json::Obj::new()).finish(), poor)
    };
    let (put, poor) = inp(&mut f, 49);
    assert_eq!(put, r#"{"inp":"poor","inp_ms":900}"#, "fewer than 50: the longest");
    assert!(poor.is_some_and(|p| p.contains("#t9") && p.contains("\"value\":900")));
    let (put, poor) = inp(&mut f, 60);
    assert_eq!(put, r#"{"inp":"poor","inp_ms":700}"#, "60: the longest left out");
    assert!(
        poor.is_some_and(|p| p.contains("#t8") && p.contains("\"value\":700")),
        "the second longest names its own element"
    );
    assert_eq!(inp(&mut f, 149).0, r#"{"inp":"needs-improvement","inp_ms":320}"#);
    assert_eq!(
        inp(&mut f, 499).0,
        r#"{"inp":"needs-improvement","inp_ms":250}"#,
        "the tenth kept (220 and 210 fell off)"
    );
    assert_eq!(inp(&mut f, 500).0, r#"{"inp":"good"}"#, "past the ten kept: below what the browser reports");
    // The next view counts from where this one ended.
    f.next_view();
    f.interaction(0, 0, &long(600, 3), &mut Vec::new());
    let (put, poor) = inp(&mut f, 540);
    assert_eq!(put, r#"{"inp":"poor","inp_ms":600}"#);
    assert!(poor.is_some_and(|p| p.contains("#t3")));
}

#[test]
fn unanswered_clicks_after_a_response_are_still_friction() {
    // The button worked once, then hangs: the five clicks after its answer are a rage click.
    let mut f = Friction::default();
    let mut out = Vec::new();
    f.click(press(0, 10, 10), &target(1), &mut out);
    f.response(5);
    for at in [400, 700, 1_000, 1_300, 1_600] {
        f.click(press(at, 10, 10), &target(1), &mut out);
    }
    f.timeout(10_000, &mut out);
    assert_eq!(names(&out), ["rage_click"], "{out:?}");
    assert!(out[0].1.contains("\"count\":5"), "{}", out[0].1);
    // A burst on an element silenced for rage only is still dead (once, for the burst).
    let quiet = Target { silenced: Signal::Rage.bit(), ..target(2) };
    let mut f = Friction::default();
    let mut out = Vec::new();
    for at in [0, 200, 400, 600] {
        f.click(press(at, 10, 10), &quiet, &mut out);
    }
    f.timeout(10_000, &mut out);
    assert_eq!(names(&out), ["dead_click"], "{out:?}");
    assert!(out[0].1.contains("\"clicks\":4"), "{}", out[0].1);
}

/// `data-tp-no-<signal>` on an element (or an ancestor) silences that signal there, and only
/// that one: each element-bound signal is made once on a plain target and not on a silenced one.
#[test]
fn each_element_signal_is_silenced_by_its_own_attribute() {
    let quiet = |key: u32, s: Signal| Target { silenced: s.bit(), ..target(key) };
    // Each scenario on `t`: what it finds.
    type Scenario = fn(&mut Friction, &Target, &mut Findings);
    let scenarios: [(Signal, Scenario); 7] = [
        (Signal::Rage, |f, t, out| {
            for at in [0, 100, 200, 300] {
                f.click(press(at, 1, 1), t, out);
            }
            f.timeout(10_000, out);
        }),
        (Signal::Dead, |f, t, out| {
            f.click(press(0, 1, 1), t, out);
            f.timeout(10_000, out);
        }),
        (Signal::ErrorClick, |f, t, out| {
            f.click(press(0, 1, 1), t, out);
            let e = ErrorFact { message: "boom".into(), ..ErrorFact::default() };
            f.error(10, &e, out);
            out.retain(|(s, _, _)| *s == Signal::ErrorClick);
        }),
        (Signal::Slow, |f, t, out| {
            f.interaction(
                0,
                0,
                &Interaction { duration: 400, id: 1, target: Some(t.clone()), ..Interaction::default() },
                out,
            );
        }),
        (Signal::FieldError, |f, t, out| f.invalid(0, t, "form", Reason::Invalid, "", out)),
        (Signal::FormAbandon, |f, t, out| {
            let i = FormInput { form: 1, form_descriptor: "{}".into(), field: t.clone(), fields: 3, entry: true };
            f.form_input(0, &i);
            f.leave(5_000, "", out);
            out.retain(|(s, _, _)| *s == Signal::FormAbandon);
        }),
        (Signal::PoorVital, |f, t, out| {
            f.vital(0, &VitalFact::Lcp { at_ms: 9_000, element: Some(t.clone()) });
            f.leave(10_000, "", out);
        }),
    ];
    for (signal, run) in scenarios {
        let mut out = Vec::new();
        run(&mut Friction::default(), &target(1), &mut out);
        assert_eq!(names(&out), [signal.event()], "{} on a plain target", signal.event());
        let mut out = Vec::new();
        run(&mut Friction::default(), &quiet(1, signal), &mut out);
        let found: Vec<_> = names(&out).into_iter().filter(|n| *n == signal.event()).collect();
        assert!(found.is_empty(), "{} silenced: {out:?}", signal.event());
    }
}

#[test]
fn switched_off_signals_find_nothing() {
    let mut f = Friction::new(Settings { off: u16::MAX, ..Settings::default() });
    let out = clicks(&mut f, 1, &[0, 100, 200, 300]);
    assert!(out.is_empty());
    // Switched off, nothing waits for a click's response: the sensor connects no
    // MutationObserver for it. On, a click is watched until its windows close.
    let mut off = Friction::new(Settings { off: u16::MAX, ..Settings::default() });
    off.click(press(0, 1, 1), &target(1), &mut Vec::new());
    assert!(!off.watching());
    let mut on = Friction::default();
    on.click(press(0, 1, 1), &target(1), &mut Vec::new());
    assert!(on.watching());
    on.timeout(5_000, &mut Vec::new());
    assert!(!on.watching());
}

proptest! {
    /// Clicks further apart than the window never make a rage click.
    #[test]
    fn clicks_further_apart_than_the_window_never_rage(gaps in proptest::collection::vec(1_001u64..5_000, 1..12)) {
        let mut f = Friction::default();
        let mut at = 0;
        let mut times = vec![0];
        for g in gaps { at += g; times.push(at); }
        let out = clicks(&mut f, 1, &times);
        prop_assert!(!names(&out).contains(&"rage_click"));
    }

    /// A qualifying unanswered burst makes exactly one rage click, whatever its length.
    #[test]
    fn a_qualifying_burst_makes_exactly_one(gaps in proptest::collection::vec(0u64..=1_000, 2..15)) {
        let mut f = Friction::default();
        let mut at = 0;
        let mut times = vec![0];
        for g in gaps { at += g; times.push(at); }
        let out = clicks(&mut f, 1, &times);
        prop_assert_eq!(names(&out).iter().filter(|n| **n == "rage_click").count(), 1);
    }

    /// A response within the window after the last click cancels dead and rage; with clicks
    /// after it, only those (fewer than three: no rage; any: one dead click at most) count.
    #[test]
    fn a_response_answers_the_clicks_before_it(
        gaps in proptest::collection::vec(2u64..=900, 2..8),
        after in 0u64..900,
        answered in 0usize..8,
    ) {
        let mut f = Friction::default();
        let mut out = Vec::new();
        let mut times = vec![0u64];
        for g in gaps { let at = times[times.len() - 1] + g; times.push(at); }
        let answered = answered.min(times.len() - 1); // the response comes after this click
        // Strictly between this click and the next (records are in time order).
        let room = times.get(answered + 1).map_or(900, |n| n - times[answered] - 1);
        let respond_at = times[answered] + 1 + after % room;
        for (i, &at) in times.iter().enumerate() {
            f.click(press(at, 1, 1), &target(1), &mut out);
            if i == answered { f.response(respond_at); }
        }
        f.timeout(times[times.len() - 1] + 60_000, &mut out);
        let unanswered = times.iter().filter(|&&t| t > respond_at).count();
        let rage = names(&out).iter().filter(|n| **n == "rage_click").count();
        let dead = names(&out).iter().filter(|n| **n == "dead_click").count();
        prop_assert_eq!(rage, usize::from(unanswered >= 3), "{:?}", out);
        prop_assert_eq!(dead, usize::from((1..3).contains(&unanswered)), "{:?}", out);
    }

    /// The same facts give the same findings.
    #[test]
    fn findings_are_deterministic(times in proptest::collection::vec(0u64..3_000, 1..20)) {
        let mut sorted = times.clone();
        sorted.sort();
        let a = clicks(&mut Friction::default(), 1, &sorted);
        let b = clicks(&mut Friction::default(), 1, &sorted);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn failed_requests_are_capped_per_method_and_path_and_counted() {
    let mut f = Friction::default();
    let mut out = Vec::new();
    let fail = |id: u32, path: &str, status: u16| RequestEnd {
        id,
        method: "GET".into(),
        path: path.into(),
        status,
        first_party: true,
        ..RequestEnd::default()
    };
    // A cart poll failing every 5 s for 10 minutes (503, then offline), and one other failure.
    for i in 0..120u32 {
        f.request_start(u64::from(i) * 5_000, i);
        f.request_end(u64::from(i) * 5_000 + 30, &fail(i, "/api/cart", if i < 60 { 503 } else { 0 }), &mut out);
    }
    f.request_end(700_000, &fail(500, "/api/stock", 500), &mut out);
    assert_eq!(names(&out), ["failed_request"; 6], "5 of the poll, then the other path");
    f.leave(800_000, "", &mut out);
    assert_eq!(out.len(), 7);
    let last = &out[6].1;
    assert!(last.contains(r#""path":"/api/cart","repeats":115"#), "{last}");

    // A click whose request fails past the cap: the failure still explains the silence (no
    // dead_click), although it is only counted.
    let mut out = Vec::new();
    for i in 0..5u32 {
        f.request_end(850_000, &fail(600 + i, "/api/save", 503), &mut out);
    }
    assert_eq!(out.len(), 5);
    f.click(press(900_000, 1, 1), &target(1), &mut out);
    f.request_start(900_010, 700);
    f.request_end(900_100, &fail(700, "/api/save", 503), &mut out);
    f.timeout(920_000, &mut out);
    assert_eq!(names(&out), ["failed_request"; 5], "counted, and no dead_click: {out:?}");
}
