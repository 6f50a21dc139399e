//! `touchpoint(command, ...args)`: validates loose JS arguments into typed calls. Bad arguments
//! produce one console warning and are ignored; they never throw into the page.

use js_sys::{Array, Function, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{with_runtime, Runtime};
use crate::core::consent::{category, Update};
use crate::core::event::Kind;
use crate::core::json::cat;
use crate::core::name::snake_case;

/// Runs one command. Returns false if Touchpoint is not running.
pub fn run(args: &Array) -> bool {
    with_runtime(|rt| dispatch(rt, args)).is_some()
}

/// Why a command was ignored: the boundary's one error type. Each becomes one console warning
/// (never an exception: the caller is the shop's page).
#[derive(Debug, PartialEq)]
pub enum CommandError {
    Unknown(String),
    ConsentShape,
    EventName,
    PropertiesShape,
    PropertiesJson,
    CallbackMissing,
}

impl CommandError {
    pub fn message(&self) -> String {
        match self {
            CommandError::Unknown(name) => cat(&["touchpoint: unknown command \"", truncate(name, 40), "\""]),
            CommandError::ConsentShape => {
                "touchpoint: consent expects an object like {analytics: true, marketing: false}".into()
            }
            CommandError::EventName => "touchpoint: track expects an event name (a non-empty string)".into(),
            CommandError::PropertiesShape => "touchpoint: properties must be a plain object".into(),
            CommandError::PropertiesJson => "touchpoint: properties could not be serialised (cycle or BigInt?)".into(),
            CommandError::CallbackMissing => "touchpoint: getConsent expects a callback".into(),
        }
    }
}

fn dispatch(rt: &mut Runtime, args: &Array) {
    if let Err(e) = execute(rt, args) {
        rt.warn(&e.message());
    }
}

fn execute(rt: &mut Runtime, args: &Array) -> Result<(), CommandError> {
    let name = args.get(0).as_string().unwrap_or_default();
    match name.as_str() {
        "consent" => rt.set_consent(consent_update(&args.get(1)).ok_or(CommandError::ConsentShape)?, "api"),
        "track" => {
            let event = args.get(1).as_string().as_deref().and_then(snake_case).ok_or(CommandError::EventName)?;
            let props = properties(&args.get(2))?;
            rt.capture(Kind::Track, &event, props);
        }
        "page" => rt.page_view(properties(&args.get(1))?),
        "flush" => rt.flush(),
        // The kill switch's self-test: a deliberate internal error. The loader must disable
        // Touchpoint and keep the page unharmed (tests/e2e/robustness.test.mjs).
        "debug:panic" => panic!(),
        "getConsent" => {
            let cb = args.get(1).dyn_into::<Function>().map_err(|_| CommandError::CallbackMissing)?;
            // Synchronous; `call1` catches, so a callback that throws is ignored, not fatal.
            let _ = cb.call1(&JsValue::NULL, &rt.consent_object());
        }
        _ => return Err(CommandError::Unknown(name)),
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Properties must be a plain object (or absent). They are stringified by the browser's own
/// `JSON.stringify`, which handles nesting and escaping for free; cycles and BigInts throw
/// there, and we turn that into a warning.
fn properties(v: &JsValue) -> Result<String, CommandError> {
    if v.is_undefined() || v.is_null() {
        return Ok("{}".into());
    }
    if !v.is_object() || v.is_function() || super::safe::is_array(v) != Some(false) {
        return Err(CommandError::PropertiesShape);
    }
    match JSON::stringify(v).ok().and_then(|s| s.as_string()) {
        Some(json) if json.as_bytes().first() == Some(&b'{') => Ok(json),
        _ => Err(CommandError::PropertiesJson),
    }
}

/// `{analytics: true, marketing: false}`; Consent Mode names (`analytics_storage: "granted"`)
/// are aliases. Unknown keys are ignored; at least one known key is required.
pub fn consent_update(v: &JsValue) -> Option<Update> {
    if !v.is_object() || super::safe::is_array(v) != Some(false) {
        return None;
    }
    let mut update = Update::default();
    let mut any = false;
    for key in super::safe::keys(v)?.iter() {
        let Some(k) = key.as_string() else { continue };
        let Some(cat) = category(&k) else { continue };
        let value = Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
        let granted = match (value.as_bool(), value.as_string().as_deref()) {
            (Some(b), _) => b,
            (_, Some("granted")) => true,
            (_, Some("denied")) => false,
            _ => continue,
        };
        update.set(cat, granted);
        any = true;
    }
    any.then_some(update)
}
