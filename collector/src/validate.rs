//! Checks a batch body against the wire contract and extracts what the store
//! indexes. Each event keeps its JSON text exactly as received (unknown
//! fields included), so nothing the SDK sends is lost or reordered.
//!
//! Error reasons name the field and index (`batch[3].messageId: missing`):
//! they are read by people debugging an SDK, not by code.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::IngestError;
use crate::limits::{MAX_BATCH_EVENTS, MAX_EVENT_BYTES};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub sent_at: String,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub message_id: String,
    pub site: String,
    /// `"page"` or `"track"` (`type` on the wire).
    pub kind: String,
    pub event: String,
    pub session_id: String,
    pub timestamp: String,
    /// The event's JSON text as received.
    pub body: String,
}

/// Only the envelope is parsed here; events stay raw until checked one by one,
/// so an oversized event is measured on its original text.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "sentAt", borrow)]
    sent_at: Option<&'a RawValue>,
    #[serde(borrow)]
    batch: Option<&'a RawValue>,
}

pub fn parse_batch(json: &[u8]) -> Result<Batch, IngestError> {
    let text = std::str::from_utf8(json).map_err(|e| invalid(format!("body: not valid UTF-8: {e}")))?;
    let env: Envelope = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            invalid(format!("body: expected an object with sentAt and batch ({e})"))
        } else {
            invalid(format!("body: invalid JSON: {e}"))
        }
    })?;

    let sent_at: String = match env.sent_at {
        None => return Err(invalid("sentAt: missing")),
        Some(raw) => serde_json::from_str(raw.get()).map_err(|_| invalid("sentAt: expected string"))?,
    };
    if !is_iso8601(&sent_at) {
        return Err(invalid("sentAt: expected an ISO-8601 timestamp"));
    }

    let raw_events: Vec<&RawValue> = match env.batch {
        None => return Err(invalid("batch: missing")),
        Some(raw) => serde_json::from_str(raw.get()).map_err(|_| invalid("batch: expected array"))?,
    };
    if raw_events.is_empty() {
        return Err(invalid("batch: must not be empty"));
    }
    if raw_events.len() > MAX_BATCH_EVENTS {
        return Err(invalid(format!("batch: {} events, at most {MAX_BATCH_EVENTS} allowed", raw_events.len())));
    }

    let events = raw_events.iter().enumerate().map(|(i, raw)| parse_event(i, raw)).collect::<Result<Vec<_>, _>>()?;
    Ok(Batch { sent_at, events })
}

fn parse_event(i: usize, raw: &RawValue) -> Result<Event, IngestError> {
    let text = raw.get();
    if text.len() > MAX_EVENT_BYTES {
        return Err(IngestError::TooLarge(format!(
            "batch[{i}]: event is {} bytes, limit {MAX_EVENT_BYTES}",
            text.len()
        )));
    }
    let obj: Map<String, Value> =
        serde_json::from_str(text).map_err(|_| invalid(format!("batch[{i}]: expected object")))?;
    let at = |field: &str| format!("batch[{i}].{field}");

    let kind = req_str(&obj, "type", &at)?;
    if kind != "page" && kind != "track" {
        return Err(invalid(format!("{}: must be \"page\" or \"track\"", at("type"))));
    }
    let event = req_str(&obj, "event", &at)?;
    if !is_event_name(event) {
        return Err(invalid(format!("{}: must match ^[a-z][a-z0-9_]{{0,63}}$", at("event"))));
    }
    let message_id = req_str(&obj, "messageId", &at)?;
    if !is_message_id(message_id) {
        return Err(invalid(format!("{}: must be 1..=64 characters of [A-Za-z0-9_-]", at("messageId"))));
    }
    let timestamp = req_str(&obj, "timestamp", &at)?;
    if !is_iso8601(timestamp) {
        return Err(invalid(format!("{}: expected an ISO-8601 timestamp", at("timestamp"))));
    }
    let session_id = req_str(&obj, "sessionId", &at)?;
    if !(1..=128).contains(&session_id.chars().count()) {
        return Err(invalid(format!("{}: must be 1..=128 characters", at("sessionId"))));
    }
    let site = req_str(&obj, "site", &at)?;
    if !(1..=64).contains(&site.chars().count()) {
        return Err(invalid(format!("{}: must be 1..=64 characters", at("site"))));
    }
    req_obj(&obj, "properties", &at)?;
    let context = req_obj(&obj, "context", &at)?;
    let page = req_obj(context, "page", &|f| at(&format!("context.{f}")))?;
    for f in ["url", "path", "title", "referrer"] {
        req_str(page, f, &|f| at(&format!("context.page.{f}")))?;
    }
    let library = req_obj(context, "library", &|f| at(&format!("context.{f}")))?;
    for f in ["name", "version"] {
        req_str(library, f, &|f| at(&format!("context.library.{f}")))?;
    }
    // Optional; null is taken as absent since some serializers emit it for None.
    match obj.get("anonymousId") {
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(_) => return Err(invalid(format!("{}: expected string", at("anonymousId")))),
    }

    Ok(Event {
        message_id: message_id.to_string(),
        site: site.to_string(),
        kind: kind.to_string(),
        event: event.to_string(),
        session_id: session_id.to_string(),
        timestamp: timestamp.to_string(),
        body: text.to_string(),
    })
}

fn req_str<'a>(obj: &'a Map<String, Value>, f: &str, at: &dyn Fn(&str) -> String) -> Result<&'a str, IngestError> {
    match obj.get(f) {
        None => Err(invalid(format!("{}: missing", at(f)))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid(format!("{}: expected string", at(f)))),
    }
}

fn req_obj<'a>(
    obj: &'a Map<String, Value>,
    f: &str,
    at: &dyn Fn(&str) -> String,
) -> Result<&'a Map<String, Value>, IngestError> {
    match obj.get(f) {
        None => Err(invalid(format!("{}: missing", at(f)))),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(invalid(format!("{}: expected object", at(f)))),
    }
}

fn invalid(reason: impl Into<String>) -> IngestError {
    IngestError::Invalid(reason.into())
}

/// `^[a-z][a-z0-9_]{0,63}$`: the rule the SDK normalises names to (`touchpoint_core::name`).
pub fn is_event_name(s: &str) -> bool {
    touchpoint_core::name::is_valid_name(s)
}

/// 1..=64 of `[A-Za-z0-9_-]`: safe to log, index and put in a URL.
pub fn is_message_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// ISO-8601 / RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`, as
/// `Date.prototype.toISOString` produces. The zone is optional (ISO allows
/// local times); field ranges are checked, calendar details are not.
pub fn is_iso8601(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 19 || b.len() > 40 {
        return false;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let date_time_ok = (|| {
        let (_y, mo, d, h, mi, sec) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?, num(17, 2)?);
        let seps = b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b't') && b[13] == b':' && b[16] == b':';
        Some(seps && (1..=12).contains(&mo) && (1..=31).contains(&d) && h <= 23 && mi <= 59 && sec <= 60)
    })()
    .unwrap_or(false);
    if !date_time_ok {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return false;
        }
        rest = &frac[digits..];
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') <= 23
                && (*m1 - b'0') * 10 + (*m2 - b'0') <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn event(i: usize) -> Value {
        json!({
            "type": "track", "event": "button_click", "messageId": format!("m-{i}"),
            "timestamp": "2024-05-01T12:00:00.000Z", "sessionId": "s1", "site": "shop",
            "properties": {"label": "Buy"},
            "context": {"page": {"url": "http://x/", "path": "/", "title": "T", "referrer": ""},
                        "library": {"name": "touchpoint", "version": "0.1.0"}},
            "anonymousId": "a1", "extra": [1, 2]
        })
    }

    fn body(events: Vec<Value>) -> Vec<u8> {
        serde_json::to_vec(&json!({"sentAt": "2024-05-01T12:00:01Z", "batch": events})).unwrap()
    }

    fn reason(b: &[u8]) -> String {
        match parse_batch(b).unwrap_err() {
            IngestError::Invalid(r) | IngestError::TooLarge(r) => r,
            e => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn valid_batch_keeps_raw_text() {
        let raw = br#"{"sentAt":"2024-05-01T12:00:01Z","batch":[ {"type":"page","event":"page_view","messageId":"abc","timestamp":"2024-05-01T12:00:00Z","sessionId":"s","site":"shop","properties":{},"context":{"page":{"url":"u","path":"/","title":"","referrer":""},"library":{"name":"touchpoint","version":"1"}},"zzz":1,"aaa":2} ]}"#;
        let b = parse_batch(raw).unwrap();
        assert_eq!(b.events.len(), 1);
        let e = &b.events[0];
        assert_eq!((e.kind.as_str(), e.event.as_str(), e.message_id.as_str()), ("page", "page_view", "abc"));
        assert!(e.body.starts_with(r#"{"type":"page""#) && e.body.ends_with(r#""zzz":1,"aaa":2}"#), "{}", e.body);
    }

    #[test]
    fn reasons_name_field_and_index() {
        let mut e = event(1);
        e.as_object_mut().unwrap().remove("messageId");
        assert_eq!(reason(&body(vec![event(0), e])), "batch[1].messageId: missing");

        let mut e = event(0);
        e["event"] = json!("Bad-Name");
        assert!(reason(&body(vec![e])).starts_with("batch[0].event: must match"));

        let mut e = event(0);
        e["sessionId"] = json!(5);
        assert_eq!(reason(&body(vec![e])), "batch[0].sessionId: expected string");

        let mut e = event(0);
        e["context"]["page"].as_object_mut().unwrap().remove("referrer");
        assert_eq!(reason(&body(vec![e])), "batch[0].context.page.referrer: missing");

        let mut e = event(0);
        e["context"]["library"] = json!("x");
        assert_eq!(reason(&body(vec![e])), "batch[0].context.library: expected object");

        let mut e = event(0);
        e["type"] = json!("identify");
        assert!(reason(&body(vec![e])).starts_with("batch[0].type"));

        let mut e = event(0);
        e["anonymousId"] = json!(1);
        assert_eq!(reason(&body(vec![e])), "batch[0].anonymousId: expected string");

        let mut e = event(0);
        e["messageId"] = json!("a".repeat(65));
        assert!(reason(&body(vec![e])).starts_with("batch[0].messageId"));

        assert_eq!(reason(&body(vec![json!(3)])), "batch[0]: expected object");
        assert_eq!(reason(&body(vec![])), "batch: must not be empty");
        assert!(reason(&body((0..501).map(event).collect())).starts_with("batch: 501 events"));
        assert_eq!(reason(br#"{"sentAt":"2024-05-01T12:00:01Z"}"#), "batch: missing");
        assert_eq!(reason(br#"{"sentAt":"2024-05-01T12:00:01Z","batch":{}}"#), "batch: expected array");
        assert_eq!(reason(br#"{"batch":[]}"#), "sentAt: missing");
        assert_eq!(reason(br#"{"sentAt":1,"batch":[]}"#), "sentAt: expected string");
        assert!(reason(b"{").starts_with("body: invalid JSON"));
        assert!(reason(b"[1]").starts_with("body: expected an object"));
        assert!(reason(b"\xff\xfe").starts_with("body: not valid UTF-8"));
    }

    #[test]
    fn oversized_event_is_too_large() {
        let mut e = event(0);
        e["properties"]["blob"] = json!("x".repeat(MAX_EVENT_BYTES));
        assert!(matches!(parse_batch(&body(vec![e])), Err(IngestError::TooLarge(r)) if r.starts_with("batch[0]")));
    }

    #[test]
    fn names_and_ids() {
        assert!(is_event_name("a") && is_event_name("page_view2") && is_event_name(&"a".repeat(64)));
        assert!(!is_event_name("") && !is_event_name("1a") && !is_event_name("_a") && !is_event_name("aB"));
        assert!(!is_event_name(&"a".repeat(65)) && !is_event_name("a-b") && !is_event_name("é"));
        assert!(is_message_id("A-z_09") && !is_message_id("") && !is_message_id("a b") && !is_message_id("é"));
    }

    #[test]
    fn timestamps() {
        for ok in [
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00.123Z",
            "2024-05-01T12:00:00",
            "2024-05-01T23:59:60+05:30",
            "2024-05-01t12:00:00.123456789-08:00",
        ] {
            assert!(is_iso8601(ok), "{ok}");
        }
        for bad in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2024-05-01 12:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00+5:30",
            "2024-05-01T12:00:00ZZ",
            "yesterday at noon!!",
        ] {
            assert!(!is_iso8601(bad), "{bad}");
        }
    }
}
