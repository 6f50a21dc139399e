//! `touchpoint(command, ...args)`: validates loose JS arguments into the core's typed
//! `Command`, or its `CommandError` (one console warning; never an exception into the page).

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::consent::{category, Update};
use crate::core::input::{Command, CommandError, ConsentSource, Input};
use crate::core::name::snake_case;

/// Runs one command. Returns false if Touchpoint is not running.
pub fn run(args: &Array) -> bool {
    let name = args.get(0).as_string().unwrap_or_default();
    if name == "getConsent" || name == "getIds" {
        // Answered at once from the engine's state: the callback may call touchpoint() again,
        // which is queued if the driver is busy and never lost.
        return match args.get(1).dyn_into::<Function>() {
            Ok(cb) => super::answer(&cb, name == "getIds"),
            Err(_) => super::feed_input(Input::Rejected(CommandError::CallbackMissing)),
        };
    }
    // The page's hook on each event about to be sent: kept by the loader, which applies it to
    // each batch's body (`hooked` in www/host.js); the engine never calls page code.
    if name == "beforeSend" {
        return super::io().is_some_and(|io| io.host.before_send(&args.get(1)))
            || super::feed_input(Input::Rejected(CommandError::CallbackMissing));
    }
    // A runaway loop of `track` (or `identify`, `friction`) calls is dropped here, before its
    // properties are serialised (the engine counts and reports them: core::rate_limit).
    if matches!(name.as_str(), "track" | "identify" | "friction")
        && !super::io().and_then(|io| super::with_engine(|e| e.admit_track(super::now_ms(&io)))).unwrap_or(true)
    {
        return true;
    }
    let input = match parse(&name, args) {
        Ok(command) => Input::Command(command),
        Err(e) => Input::Rejected(e),
    };
    super::feed_input(input)
}

fn parse(name: &str, args: &Array) -> Result<Command, CommandError> {
    Ok(match name {
        "consent" => Command::Consent {
            update: consent_update(&args.get(1)).ok_or(CommandError::ConsentShape)?,
            source: ConsentSource::Api,
        },
        // A string, then properties. (A user id is a string, as in Segment's and PostHog's
        // APIs: `String(user.id)` for a number.)
        "track" | "identify" | "friction" => {
            let first = args.get(1).as_string();
            if name == "identify" {
                let Some(user_id) = first else { return Err(CommandError::UserIdShape) };
                return Ok(Command::Identify { user_id, properties: properties(&args.get(2))? });
            }
            let event = first.as_deref().and_then(snake_case).ok_or(CommandError::EventName)?;
            let properties = properties(&args.get(2))?;
            if name == "track" {
                Command::Track { name: event, properties }
            } else {
                Command::Friction { name: event, properties }
            }
        }
        "page" => Command::Page { properties: properties(&args.get(1))?, page: super::page_context() },
        // Merged into the page's tags by the loader, cleaned by the engine (`Engine::set_tags`).
        "set" => {
            Command::Set { tags: super::io().and_then(|io| io.host.tags(&args.get(1))).ok_or(CommandError::TagsShape)? }
        }
        "flush" => Command::Flush,
        "reset" => Command::Reset,
        // The kill switch's self-test: a deliberate internal error. The loader must disable
        // Touchpoint and keep the page unharmed (tests/e2e/robustness.test.mjs).
        "debug:panic" => panic!(),
        _ => return Err(CommandError::Unknown(name.into())),
    })
}

/// Properties must be a plain object (or absent). They are stringified by the browser's own
/// `JSON.stringify` (through the loader's `json`, which sees that a page's `Array.prototype.toJSON`
/// does not make arrays strings), which handles nesting and escaping for free; cycles and BigInts
/// throw there, and we turn that into a warning.
fn properties(v: &JsValue) -> Result<String, CommandError> {
    if v.is_undefined() || v.is_null() {
        return Ok("{}".into());
    }
    if !v.is_object() || v.is_function() || super::safe::is_array(v) != Some(false) {
        return Err(CommandError::PropertiesShape);
    }
    match super::io().and_then(|io| io.host.json(v)) {
        Some(json) if json.as_bytes().first() == Some(&b'{') => Ok(json),
        // An object that is not plain: a Date, a URL (their toJSON makes a string).
        Some(_) => Err(CommandError::PropertiesShape),
        None => Err(CommandError::PropertiesJson),
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
