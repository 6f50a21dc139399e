//! Reading the page: where we are and what the browser says about privacy. Raw facts only: the
//! engine scrubs them (`core::scrub`) before anything is encoded.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::Window;

use crate::core::config::Config;
use crate::core::consent::Signals;
use crate::core::event::PageContext;

pub fn page_context(window: &Window) -> PageContext {
    let loc = window.location();
    let doc = window.document();
    PageContext {
        url: loc.href().unwrap_or_default(),
        path: loc.pathname().unwrap_or_default(),
        title: doc.as_ref().map(|d| d.title()).unwrap_or_default(),
        referrer: doc.as_ref().map(|d| d.referrer()).unwrap_or_default(),
    }
}

pub fn signals(window: &Window, config: &Config) -> Signals {
    // Read loosely: either may be missing, and Chromium's doNotTrack is null, not a string.
    let nav = window.navigator();
    let read = |name: &str| Reflect::get(&nav, &JsValue::from_str(name)).unwrap_or(JsValue::NULL);
    let gpc = read("globalPrivacyControl") == JsValue::TRUE;
    let dnt = read("doNotTrack").as_string().as_deref() == Some("1");
    Signals { gpc, dnt, honor_dnt: config.honor_dnt, us_opt_out: false }
}
