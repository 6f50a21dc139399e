//! Reading the page: where we are, and what was clicked. Everything captured here passes through
//! the core's scrubbers; form field values are never read.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Window};

use crate::core::event::PageContext;
use crate::core::json::cat;
use crate::core::json::Obj;
use crate::core::scrub::{clean_label, is_sensitive_field, scrub_text, scrub_url};

/// Elements whose click is a touchpoint.
const CLICKABLE: &str = "a,button,input[type=button],input[type=submit],input[type=reset],input[type=image],\
[role=button],[role=link],[role=menuitem],[role=tab],[role=checkbox],[role=switch],[role=option]";
const MAX_TEXT: usize = 64;
const MAX_DEPTH: usize = 4;

/// `mask_params`: the site's extra query parameter names to mask (`data-mask-params`).
pub fn page_context(window: &Window, document: &Document, mask_params: &[String]) -> PageContext {
    let loc = window.location();
    PageContext {
        url: scrub_url(&loc.href().unwrap_or_default(), mask_params).into_owned(),
        path: scrub_url(&loc.pathname().unwrap_or_default(), mask_params).into_owned(),
        title: clean_label(&document.title(), 256),
        referrer: scrub_url(&document.referrer(), mask_params).into_owned(),
    }
}

/// The clickable element a click landed on (the target or an ancestor), unless capture is
/// switched off there with `data-tp-ignore`.
pub fn clicked_element(target: &Element) -> Option<Element> {
    if target.closest("[data-tp-ignore]").ok().flatten().is_some() {
        return None;
    }
    target.closest(CLICKABLE).ok().flatten()
}

/// `{selector, tag, id?, text?}`. Text is the visible label, trimmed to 64 characters and
/// scrubbed; it is dropped under `data-tp-mask` and for sensitive fields. Never a field value.
pub fn describe(el: &Element) -> String {
    let tag = el.tag_name().to_ascii_lowercase();
    let mut out = Obj::new().str("selector", &selector(el)).str("tag", &tag);
    let id = el.id();
    let sensitive =
        tag == "input" && is_sensitive_field(&input_type(el), &attr(el, "autocomplete"), &attr(el, "name"), &id);
    if sensitive {
        return out.finish(); // tag and selector only
    }
    if !id.is_empty() {
        out = out.str("id", &scrub_text(&id));
    }
    if let Some(text) = label(el, &tag) {
        out = out.str("text", &text);
    }
    out.finish()
}

fn label(el: &Element, tag: &str) -> Option<String> {
    if el.closest("[data-tp-mask]").ok().flatten().is_some() {
        return None;
    }
    let raw = if tag == "input" {
        // A button-like input's `value` is its printed label, not something the visitor typed.
        match input_type(el).as_str() {
            "submit" | "button" | "reset" => attr(el, "value"),
            _ => attr(el, "aria-label"),
        }
    } else {
        let aria = attr(el, "aria-label");
        if aria.is_empty() {
            el.text_content().unwrap_or_default()
        } else {
            aria
        }
    };
    let text = clean_label(&raw, MAX_TEXT);
    (!text.is_empty()).then_some(text)
}

fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

fn input_type(el: &Element) -> String {
    attr(el, "type").to_ascii_lowercase()
}

/// A short CSS path: up to four levels of `tag.class.class`, stopping at the nearest id.
pub fn selector(el: &Element) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(el.clone());
    while let Some(e) = current {
        let tag = e.tag_name().to_ascii_lowercase();
        if parts.len() == MAX_DEPTH || tag == "body" || tag == "html" {
            break;
        }
        let id = e.id();
        if is_ident(&id) {
            parts.push(cat(&["#", &id]));
            break;
        }
        let mut part = tag;
        for class in e.class_name().split_ascii_whitespace().filter(|c| is_ident(c)).take(2) {
            part.push('.');
            part.push_str(class);
        }
        parts.push(part);
        current = e.parent_element();
    }
    let mut selector = String::new();
    for part in parts.iter().rev() {
        if !selector.is_empty() {
            selector.push_str(" > ");
        }
        selector.push_str(part);
    }
    selector
}

/// Only plain identifiers go into selectors, so they never need CSS escaping and generated
/// ids full of digits (often per-user) stay out.
fn is_ident(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 48
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        && b.iter().filter(|c| c.is_ascii_digit()).count() < 4
}

pub fn as_element(target: Option<web_sys::EventTarget>) -> Option<Element> {
    target?.dyn_into::<Element>().ok()
}
