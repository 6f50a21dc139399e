//! Touchpoint: an in-browser customer-experience tracker.
//!
//! - `core`: the `touchpoint-core` crate (crates/core): pure logic (event schema, consent,
//!   batching, retry, adoption, scrubbing, wire encoding), compiled and tested everywhere.
//! - `web`: the browser driver and the `#[wasm_bindgen]` entry points, wasm32 only.
pub use touchpoint_core as core;

#[cfg(target_arch = "wasm32")]
pub mod web;

// Why not the default dlmalloc: measured 2.2 KB gzip more, a tenth of our size budget. The SDK
// holds at most a few thousand small strings, so a free list (address-sorted, coalescing) is
// plenty. The page's wasm runs on one thread, which is what AssumeSingleThreaded relies on.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has a single thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// The JS-facing entry points (the loader's contract: src/web/host.rs). Each is called by the
/// loader inside its guard; none of them returns an error to the page: bad input is a console
/// warning.
#[cfg(target_arch = "wasm32")]
mod api {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::core::config;
    use crate::web;

    /// Starts Touchpoint. `attrs`: the script tag's data-* attributes (without the `data-`
    /// prefix); `queue`: the stub's queued `arguments`, replayed in order; `host`: the loader's
    /// helpers (www/host.js).
    #[wasm_bindgen]
    pub fn boot(attrs: JsValue, queue: JsValue, host: JsValue) {
        let get = |name: &str| js_sys::Reflect::get(&attrs, &JsValue::from_str(name)).ok()?.as_string();
        let (cfg, warnings) = config::parse(get);
        for w in &warnings {
            web::warn(w);
        }
        for name in js_sys::Object::keys(attrs.unchecked_ref::<js_sys::Object>()).iter() {
            if let Some(w) = name.as_string().and_then(|n| config::unknown(&n)) {
                web::warn(&w);
            }
        }
        if !host.is_object() || !web::start(cfg, host.unchecked_into()) {
            return;
        }
        // The page's tags set before Touchpoint loaded (an A/B testing tool's variant, queued by
        // the stub) and the signed-in customer identified then are the page's from its start:
        // its page view carries them.
        replay(&queue, 0);
        // The page view comes first, as the page's first event; a `page` call in the stub's
        // queue stands in for it (as in Segment's snippet), with the page's own properties.
        if !replay(&queue, 1) {
            web::command(&js_sys::Array::of1(&JsValue::from_str("page")));
        }
        // A route the app took before Touchpoint started follows the landing's view, before the
        // page's other queued calls (made on that route, most likely).
        web::routed();
        replay(&queue, 2);
    }

    /// Replays the stub's calls: the calls that change what the next event carries or whether
    /// it is kept (`set`, `identify`, `reset`, `consent`, `beforeSend`; questions) queued before
    /// any `page` or `track` (`pass` 0), then of the others only the `page` calls (1) or every
    /// other call (2). Returns whether there was a `page` call. (A consent platform's stored
    /// choice, queued first, ended the leading calls: the customer identified and the page's
    /// tags then missed the page view, and with `data-consent="denied"` the page view was
    /// dropped before the grant that followed it: QA.)
    fn replay(queue: &JsValue, pass: u8) -> bool {
        let (mut page, mut leading) = (false, true);
        // The queue is the page's array: read it defensively (see web::safe).
        if web::safe::is_array(queue) == Some(true) {
            for call in web::safe::to_array(queue).unwrap_or_default().iter() {
                let Some(args) = web::safe::to_array(&call) else { continue };
                let name = args.get(0).as_string();
                // (The npm package's init queues the page's beforeSend hook first: no event.)
                leading &= !matches!(name.as_deref(), Some("page" | "track" | "friction"));
                let is_page = name.as_deref() == Some("page");
                page |= is_page;
                let of = if leading { 0 } else { 2 - is_page as u8 };
                if of == pass {
                    web::command(&args);
                }
            }
        }
        page
    }

    /// `touchpoint(command, ...args)`.
    #[wasm_bindgen]
    pub fn command(args: js_sys::Array) {
        web::command(&args);
    }

    /// What the browser reported: the loader's records (see `core::input::parse_record`).
    #[wasm_bindgen]
    pub fn input(records: String) {
        web::input(&records);
    }
}
