//! What the loader (www/touchpoint.js) hands to the SDK at boot, as typed Rust values.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

/// The loader's helpers. All optional, so the SDK also runs without the loader (browser tests).
#[derive(Clone, Default)]
pub struct Host {
    /// `guard(f)` returns a function that calls `f` inside try/catch and, on an exception,
    /// disables Touchpoint once instead of letting it reach the page.
    guard: Option<Function>,
    /// `post(url, body, id, keepalive, done, gzip)`: a fetch whose answer is reported as
    /// `done(id, status, retryAfter)`; status 0 for a network error. Never throws. With `gzip`
    /// the loader compresses the body with CompressionStream where the browser has it.
    post: Option<Function>,
    /// `lock(name, f)`: Web Locks. Calls `f(true)` while holding the lock `name` if no other tab
    /// of the site holds it, `f(false)` if one does, `f(undefined)` if the request failed.
    /// Returns false where the browser has no `navigator.locks`.
    lock: Option<Function>,
    /// Aborting it removes every listener at once.
    pub signal: Option<AbortSignal>,
}

/// `obj[name]` if it is a `T`; None if missing, of another type, or if reading it throws.
pub(super) fn field<T: JsCast>(obj: &JsValue, name: &str) -> Option<T> {
    Reflect::get(obj, &JsValue::from_str(name)).ok()?.dyn_into::<T>().ok()
}

impl Host {
    pub fn from_js(obj: &JsValue) -> Host {
        if !obj.is_object() {
            return Host::default();
        }
        Host {
            guard: field(obj, "guard"),
            post: field(obj, "post"),
            lock: field(obj, "lock"),
            signal: field(obj, "signal"),
        }
    }

    /// Wraps a callback the browser will invoke.
    pub fn guard(&self, f: &Function) -> Function {
        self.guard
            .as_ref()
            .and_then(|g| g.call1(&JsValue::NULL, f).ok())
            .and_then(|w| w.dyn_into().ok())
            .unwrap_or_else(|| f.clone())
    }

    /// Starts a POST; returns false if there is no transport (then nothing was sent).
    pub fn post(&self, url: &str, body: &str, request: u64, keepalive: bool, gzip: bool, done: &Function) -> bool {
        let Some(post) = &self.post else { return false };
        let args = js_sys::Array::of5(
            &JsValue::from_str(url),
            &JsValue::from_str(body),
            &JsValue::from_f64(request as f64),
            &JsValue::from_bool(keepalive),
            done,
        );
        args.push(&JsValue::from_bool(gzip));
        post.apply(&JsValue::NULL, &args).is_ok()
    }

    /// Asks for the Web Lock `name`; `f` gets the answer later (see the field). Returns false
    /// if that cannot happen here (no loader, or no Web Locks): then `f` is never called.
    pub fn lock(&self, name: &str, f: &Function) -> bool {
        let Some(lock) = &self.lock else { return false };
        lock.call2(&JsValue::NULL, &JsValue::from_str(name), f).ok() == Some(JsValue::TRUE)
    }
}
