//! Browser tests of the web layer (wasm-bindgen-test in headless Chromium): real DOM events in,
//! real events out. Run with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use touchpoint::core::config;
use touchpoint::web::{self, host::Host};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

// The loader's real helpers, the same file the build bundles into dist/touchpoint.js.
#[wasm_bindgen(module = "/www/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeHost)]
    fn make_host(input: &js_sys::Function, guard: &js_sys::Function, signal: &JsValue) -> JsValue;
}

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
}

/// A host like the loader's, feeding this test build's `web::input`.
fn host() -> Host {
    let input = Closure::<dyn FnMut(String)>::new(|records: String| web::input(&records)).into_js_value();
    let guard = js_sys::Function::new_with_args("f", "return f");
    let h: Host = make_host(input.unchecked_ref(), &guard, &JsValue::UNDEFINED).unchecked_into();
    HOST.with(|c| *c.borrow_mut() = Some(h.clone()));
    h
}

fn start(consent: &'static str) {
    web::stop();
    // A granted runtime persists its queue and the next one restores it: start clean.
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let (cfg, warnings) = config::parse(|k| {
        match k {
            "site" => Some("test-shop"),
            "consent" => Some(consent),
            // Long enough that nothing leaves the queue while a test inspects it.
            "flush-interval" => Some("600000"),
            "batch-size" => Some("500"),
            _ => None,
        }
        .map(String::from)
    });
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(web::start(cfg, host()));
}

/// Replaces the test fixture. (Not the whole body: the test runner reports through it.)
fn page(html: &str) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = match doc.get_element_by_id("fixture") {
        Some(el) => el,
        None => {
            let el = doc.create_element("div").unwrap();
            el.set_id("fixture");
            doc.body().unwrap().append_child(&el).unwrap();
            el
        }
    };
    root.set_inner_html(html);
}

fn click(selector: &str) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlElement = doc.query_selector(selector).unwrap().expect(selector).dyn_into().unwrap();
    el.click();
}

/// The click events queued so far (the sensors' records handed over first, as the scheduled
/// task would).
fn clicks() -> Vec<String> {
    HOST.with(|h| h.borrow().as_ref().map(|h| h.drain()));
    web::queued_events().expect("running").into_iter().filter(|e| e.contains("\"event\":\"click\"")).collect()
}

#[wasm_bindgen_test]
fn a_click_inside_a_button_becomes_a_click_event_with_its_selector() {
    start("granted");
    page(
        r#"<div class="card"><button class="add-to-cart primary" data-sku="mug"><span>Add   to
        cart</span></button></div>"#,
    );
    click("button span");
    let events = clicks();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert!(e.contains(r#""type":"track""#), "{e}");
    assert!(
        e.contains(r##""element":{"selector":"#fixture > div.card > button.add-to-cart.primary","tag":"button","text":"Add to cart"}"##),
        "{e}"
    );
    assert!(e.contains(r#""site":"test-shop""#), "{e}");
    web::stop();
}

#[wasm_bindgen_test]
fn the_selector_stops_at_the_nearest_id() {
    start("granted");
    page(
        r##"<main id="shop"><ul><li><a class="product-link" href="#mug">Mug</a></li></ul></main>
        <button id="buy-now">Buy now</button>"##,
    );
    click("a.product-link");
    click("#buy-now");
    let events = clicks();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0].contains(r##""selector":"#shop > ul > li > a.product-link","tag":"a","text":"Mug""##),
        "{}",
        events[0]
    );
    assert!(
        events[1].contains(r##""selector":"#buy-now","tag":"button","id":"buy-now","text":"Buy now""##),
        "{}",
        events[1]
    );
    web::stop();
}

/// The label is the text a visitor reads: not the code of a <style> (CSS-in-JS puts it inside
/// components), of a <script> (a product card's JSON) or of a <noscript>.
#[wasm_bindgen_test]
fn a_label_leaves_out_the_code_of_style_script_and_noscript_elements() {
    start("granted");
    page(
        r##"<a id="card" href="#mug"><style>.c1 { color: red }</style><span>Stoneware</span>
        <script type="application/json">{"sku":"A1"}</script><noscript><img src="x.png"></noscript><b>Mug</b></a>"##,
    );
    click("#card b");
    let events = clicks();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0].contains(r##""selector":"#card","tag":"a","id":"card","text":"Stoneware Mug""##),
        "{}",
        events[0]
    );
    web::stop();
}

#[wasm_bindgen_test]
fn clicks_on_plain_elements_and_ignored_regions_are_not_touchpoints() {
    start("granted");
    page(
        r#"<div id="plain">Just text</div>
        <section data-tp-ignore><button id="secret">Hidden</button></section>
        <div data-tp-mask><button id="masked">jane@example.com</button></div>"#,
    );
    click("#plain");
    click("#secret");
    assert!(clicks().is_empty());
    click("#masked");
    let events = clicks();
    assert_eq!(events.len(), 1);
    assert!(!events[0].contains("example.com"), "{}", events[0]);
    assert!(!events[0].contains("\"text\""), "{}", events[0]);
    web::stop();
}

#[wasm_bindgen_test]
fn labels_are_scrubbed_and_field_values_never_read() {
    start("granted");
    page(
        r#"<button id="mail">Email jane.doe@example.com now</button>
        <input type="submit" id="pay" name="cardnumber" value="4111 1111 1111 1111">
        <input type="button" id="go" value="Continue">"#,
    );
    click("#mail");
    click("#pay");
    click("#go");
    let events = clicks().join("\n");
    assert!(!events.contains("jane.doe@example.com"), "{events}");
    // (Not just "4111": a random messageId such as ...-06d4411182a8 contains it.)
    assert!(!events.contains("4111 1111") && !events.contains("41111111"), "{events}");
    assert!(events.contains(r#""text":"Continue""#), "{events}");
    web::stop();
}

#[wasm_bindgen_test]
fn stop_removes_the_listeners() {
    start("pending");
    page(r#"<button id="b">B</button>"#);
    click("#b");
    assert_eq!(clicks().len(), 1, "captured into the memory buffer while pending");
    web::stop();
    click("#b");
    assert!(web::queued_events().is_none());
    start("pending");
    click("#b");
    assert_eq!(clicks().len(), 1, "a fresh start sees only its own click");
    web::stop();
}
