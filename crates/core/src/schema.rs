//! The event vocabulary Touchpoint emits by itself: names and built-in properties, in one place.
//! (Page code adds its own `track` events; their names are normalised by `name::snake_case`.)

use super::consent::Consent;
use super::input::ConsentSource;
use super::json::Obj;

/// `type: "page"`: a page view, sent on load and by `touchpoint('page')`.
pub const PAGE_VIEW: &str = "page_view";
/// A click on a link, a button or an element with a click role: `{element}`.
pub const CLICK: &str = "click";
/// Any change of consent: `{analytics, marketing, source}`.
pub const CONSENT_CHANGE: &str = "consent_change";
/// `type: "identify"`: the page's `identify` call, its traits as properties.
pub const IDENTIFY: &str = "identify";
/// Events lost to the queue bounds: `{dropped}`, once per run of losses.
pub const QUEUE_OVERFLOW: &str = "queue_overflow";

/// `click`: the element descriptor (`element::RawElement::describe`).
pub fn click(element: &str) -> String {
    Obj::new().raw("element", element).finish()
}

pub fn consent_change(c: Consent, source: ConsentSource) -> String {
    Obj::new()
        .str("analytics", c.analytics.as_str())
        .str("marketing", c.marketing.as_str())
        .str("source", source.as_str())
        .finish()
}

pub fn queue_overflow(dropped: u64) -> String {
    Obj::new().int("dropped", dropped as i64).finish()
}
