//! JS built-ins called on values the page gave us, declared with `catch`.
//!
//! js-sys declares `Array.isArray`, `Object.keys` and `Array.from` as never throwing, but a page
//! can pass a revoked Proxy or a Proxy whose traps throw, and a throw through wasm would reach
//! the loader's guard and switch Touchpoint off for one bad argument. Declared with `catch`, it
//! is an `Err` and becomes a console warning instead.

use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_js(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn keys_js(v: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn from_js(v: &JsValue) -> Result<Array, JsValue>;
}

/// `Array.isArray(v)`, or None if asking throws.
pub fn is_array(v: &JsValue) -> Option<bool> {
    is_array_js(v).ok()
}

/// `Object.keys(v)`, or None if enumerating throws.
pub fn keys(v: &JsValue) -> Option<Array> {
    keys_js(v).ok()
}

/// `Array.from(v)` (for `arguments` objects), or None if iterating throws.
pub fn to_array(v: &JsValue) -> Option<Array> {
    from_js(v).ok()
}
