//! The event model and its wire encoding (the Segment/RudderStack batch shape).

use super::json::{push_str, Obj};
use super::time::iso8601;

pub const LIBRARY_NAME: &str = "touchpoint";
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Page,
    Track,
    /// `touchpoint('identify', userId, traits)`: event `identify`, the traits as properties.
    Identify,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Track => "track",
            Kind::Identify => "identify",
        }
    }
}

/// Where the event happened. Strings are already scrubbed by the web layer's caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageContext {
    pub url: String,
    pub path: String,
    pub title: String,
    pub referrer: String,
}

/// One captured touchpoint, before it is encoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: Kind,
    /// snake_case, see `name::snake_case`.
    pub name: String,
    pub message_id: String,
    pub timestamp_ms: u64,
    /// The text of a JSON object (built with `json::Obj`, or the browser's `JSON.stringify`).
    pub properties: String,
}

/// Facts shared by every event of a page: who and where.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Envelope {
    pub site: String,
    pub session_id: String,
    /// The page's own id of the signed-in customer (`identify`), for the rest of the session;
    /// "" for none.
    pub user_id: String,
    /// Only with marketing consent: an id that survives across visits.
    pub anonymous_id: Option<String>,
    pub page: PageContext,
    /// More members of `context`, already JSON (`"locale":"de-DE","device":"mobile",...`), or "".
    pub context: String,
    /// The messageId of the page view under way's `page_view`, as `context.pageViewId`: what a
    /// warehouse joins an event to its view by (two tabs of one page in one session, a view's
    /// end and the next's begun in one millisecond, told apart by nothing else: a data
    /// engineer's QA). "" before the first.
    pub page_view_id: String,
}

/// An event encoded once, at capture time. Its JSON never changes afterwards, so retries,
/// beacons and reloads all send byte-identical events with the same messageId.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    pub message_id: String,
    pub json: String,
}

impl Encoded {
    pub fn bytes(&self) -> usize {
        self.json.len()
    }
}

pub fn encode(event: &Event, env: &Envelope) -> Encoded {
    let mut out = String::with_capacity(384);
    out.push_str("{\"type\":");
    push_str(&mut out, event.kind.as_str());
    out.push_str(",\"event\":");
    push_str(&mut out, &event.name);
    out.push_str(",\"messageId\":");
    push_str(&mut out, &event.message_id);
    out.push_str(",\"timestamp\":");
    push_str(&mut out, &iso8601(event.timestamp_ms));
    out.push_str(",\"sessionId\":");
    push_str(&mut out, &env.session_id);
    if !env.user_id.is_empty() {
        out.push_str(",\"userId\":");
        push_str(&mut out, &env.user_id);
    }
    if let Some(aid) = &env.anonymous_id {
        out.push_str(",\"anonymousId\":");
        push_str(&mut out, aid);
    }
    out.push_str(",\"site\":");
    push_str(&mut out, &env.site);
    out.push_str(",\"properties\":");
    // Anything but an object would break the documented shape.
    let p = event.properties.as_bytes();
    if p.first() == Some(&b'{') && p.last() == Some(&b'}') {
        out.push_str(&event.properties);
    } else {
        out.push_str("{}");
    }
    out.push_str(",\"context\":");
    let p = &env.page;
    let page =
        Obj::new().str("url", &p.url).str("path", &p.path).str("title", &p.title).str("referrer", &p.referrer).finish();
    let library = Obj::new().str("name", LIBRARY_NAME).str("version", LIBRARY_VERSION).finish();
    let mut context = Obj::new().raw("page", &page).raw("library", &library);
    if !env.page_view_id.is_empty() {
        context = context.str("pageViewId", &env.page_view_id);
    }
    out.push_str(&context.finish());
    if !env.context.is_empty() {
        // Off with the '}' just written (truncate, not pop: pop decodes a char backwards).
        out.truncate(out.len() - 1);
        out.push(',');
        out.push_str(&env.context);
        out.push('}');
    }
    out.push('}');
    Encoded { message_id: event.message_id.clone(), json: out }
}

/// Takes the envelope's `anonymousId` out of an encoded event (marketing withdrawn while it
/// waited to be sent, or adopted from another tab without marketing consent): the id may no
/// longer leave the browser nor stay stored. Only the member `encode` writes, before
/// `properties`: a property of that name is the page's own.
pub fn without_anonymous_id(json: &mut String) {
    const MEMBER: &str = ",\"anonymousId\":\"";
    let end = super::json::find(json, ",\"properties\":").unwrap_or(0);
    let Some(at) = json.get(..end).and_then(|head| super::json::find(head, MEMBER)) else { return };
    let rest = at + MEMBER.len();
    // (`get`, not indexing: no panic path. Not replace_range: its splice measured ~800 B of wasm.)
    let close = json.as_bytes()[rest..end].iter().position(|b| *b == b'"');
    if let (Some(head), Some(tail)) = (json.get(..at), close.and_then(|n| json.get(rest + n + 1..))) {
        *json = super::json::cat(&[head, tail]);
    }
}

/// The request body for a batch: `{"sentAt": ..., "batch": [...]}`.
pub fn batch_body<'a>(sent_at_ms: u64, events: impl IntoIterator<Item = &'a Encoded>) -> String {
    let mut out = String::from("{\"sentAt\":");
    push_str(&mut out, &iso8601(sent_at_ms));
    out.push_str(",\"batch\":[");
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&e.json);
    }
    out.push_str("]}");
    out
}

/// Bytes `batch_body` adds around the events: prefix, suffix and one comma per extra event.
pub const BODY_OVERHEAD: usize = "{\"sentAt\":\"2026-01-01T00:00:00.000Z\",\"batch\":[]}".len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelopes_anonymous_id_is_taken_out_not_a_property_of_that_name() {
        let mut j = r#"{"type":"track","sessionId":"s","anonymousId":"a-1","site":"x","properties":{"p":1,"anonymousId":"mine"}}"#.to_string();
        without_anonymous_id(&mut j);
        assert_eq!(j, r#"{"type":"track","sessionId":"s","site":"x","properties":{"p":1,"anonymousId":"mine"}}"#);
        let before = j.clone();
        without_anonymous_id(&mut j);
        assert_eq!(j, before, "none left: nothing else changes");
    }

    pub(crate) fn sample(id: &str, ts: u64) -> Event {
        Event {
            kind: Kind::Track,
            name: "click".into(),
            message_id: id.into(),
            timestamp_ms: ts,
            properties: Obj::new().raw("element", &Obj::new().str("tag", "a").finish()).finish(),
        }
    }

    fn env() -> Envelope {
        Envelope {
            site: "demo-shop".into(),
            session_id: "s1".into(),
            user_id: String::new(),
            anonymous_id: None,
            context: String::new(),
            page_view_id: String::new(),
            page: PageContext {
                url: "http://127.0.0.1/p?x=\"1\"".into(),
                path: "/p".into(),
                title: "Shop".into(),
                referrer: String::new(),
            },
        }
    }

    #[test]
    fn encodes_the_documented_shape() {
        let e = encode(&sample("m1", 0), &env());
        assert_eq!(e.message_id, "m1");
        assert_eq!(
            e.json,
            concat!(
                r#"{"type":"track","event":"click","messageId":"m1","timestamp":"1970-01-01T00:00:00.000Z","#,
                r#""sessionId":"s1","site":"demo-shop","properties":{"element":{"tag":"a"}},"#,
                r#""context":{"page":{"url":"http://127.0.0.1/p?x=\"1\"","path":"/p","title":"Shop","referrer":""},"#,
                r#""library":{"name":"touchpoint","version":""#,
                env!("CARGO_PKG_VERSION"),
                r#""}}}"#
            )
        );
    }

    #[test]
    fn the_customer_and_the_visitor_follow_the_session() {
        let mut env = env();
        env.user_id = "c-1042".into();
        env.anonymous_id = Some("a1".into());
        let mut ev = sample("m", 0);
        ev.kind = Kind::Identify;
        let json = encode(&ev, &env).json;
        assert!(json.starts_with(r#"{"type":"identify","#), "{json}");
        assert!(json.contains(r#""sessionId":"s1","userId":"c-1042","anonymousId":"a1","site":"#), "{json}");
    }

    #[test]
    fn non_object_properties_become_empty_object() {
        let mut ev = sample("m", 0);
        ev.properties = "3".into();
        assert!(encode(&ev, &env()).json.contains(r#""properties":{}"#));
    }

    #[test]
    fn body_wraps_events() {
        let a = encode(&sample("a", 0), &env());
        let b = encode(&sample("b", 0), &env());
        let body = batch_body(1000, [&a, &b]);
        assert!(body.starts_with(r#"{"sentAt":"1970-01-01T00:00:01.000Z","batch":[{"#));
        assert_eq!(body.len(), BODY_OVERHEAD + a.bytes() + b.bytes() + 1);
    }
}
