//! IAB TCF v2.2: follow a consent platform through `window.__tcfapi('addEventListener', 2, cb)`.
//! The purpose → category mapping is pure and lives in `core::consent::from_tcf`.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{warn, with_runtime, Runtime};
use crate::core::consent::from_tcf;

/// Registers with the CMP. Must be called outside any borrow of the runtime: CMPs usually call
/// back synchronously from inside `addEventListener` with the stored choice.
pub fn listen(host: &super::host::Host) -> Option<Closure<dyn FnMut(JsValue, JsValue)>> {
    let window = super::window()?;
    let Some(api) = super::host::field::<Function>(&window, "__tcfapi") else {
        warn("touchpoint: data-consent=\"tcf\" but window.__tcfapi is missing; consent stays pending");
        return None;
    };
    let callback = Closure::<dyn FnMut(JsValue, JsValue)>::new(|data: JsValue, success: JsValue| {
        if success.is_falsy() || !data.is_object() {
            return;
        }
        let get = |obj: &JsValue, key: &str| Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
        // Only a loaded or just-confirmed choice counts; 'cmpuishown' means the visitor is
        // still deciding.
        let status = get(&data, "eventStatus").as_string().unwrap_or_default();
        if status != "tcloaded" && status != "useractioncomplete" {
            return;
        }
        // gdprApplies undefined is treated as applying: the strict reading.
        let applies = get(&data, "gdprApplies") != JsValue::FALSE;
        let consents = get(&get(&data, "purpose"), "consents");
        let update = from_tcf(applies, |p| consents.is_object() && get(&consents, &purpose_key(p)).is_truthy());
        with_runtime(|rt: &mut Runtime| rt.set_consent(update, "tcf"));
    });
    let guarded = host.guard(callback.as_ref().unchecked_ref());
    let _ = api.call3(&JsValue::NULL, &"addEventListener".into(), &JsValue::from_f64(2.0), &guarded);
    Some(callback)
}

fn purpose_key(p: u8) -> String {
    let mut s = String::new();
    crate::core::json::push_u64(&mut s, u64::from(p));
    s
}
