//! Checks a batch body against the wire contract and extracts what the store
//! indexes. Each event keeps its JSON text exactly as received (unknown
//! fields included), so nothing the SDK sends is lost or reordered.
//!
//! Error reasons name the field and index (`batch[3].messageId: missing`):
//! they are read by people debugging an SDK, not by code.

use std::borrow::Cow;

use crate::error::IngestError;
use crate::facts::{Category, Facts, Tag, DEFAULT_MOMENTS};
use crate::json::{self, object_tree, replace_lone_surrogates, skip_ws, Element, Node, NONE};
use crate::limits::{MAX_BATCH_EVENTS, MAX_EVENT_BYTES, MAX_EVENT_DEPTH};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub sent_at: String,
    /// The events that passed, in batch order.
    pub events: Vec<Event>,
    /// The events that did not, with their index in the batch.
    pub rejected: Vec<Rejected>,
    /// The messageIds the SDK asks about (`confirm`): events it handed to a beacon, whose
    /// answer it never saw. The answer lists in `missing` those not stored.
    pub confirm: Vec<String>,
}

/// How many ids a batch may ask about (the SDK asks about 200 at most).
pub const MAX_CONFIRM: usize = 1_000;

/// An accepted event. Its strings share one allocation (one to make on the request's worker and
/// one to free on the writer thread, instead of seven).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// The strings of [`EventText`], one after the other, the body last.
    text: String,
    /// Where each string but the body ends in `text`.
    ends: [u32; 6],
    /// What the inspector's aggregates need from it.
    pub facts: crate::facts::Facts,
}

/// The strings of an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventText<'a> {
    pub message_id: &'a str,
    pub site: &'a str,
    /// One of [`EVENT_TYPES`] (`type` on the wire).
    pub kind: &'a str,
    pub event: &'a str,
    pub session_id: &'a str,
    pub timestamp: &'a str,
    /// The event's JSON text as received (lone surrogate escapes replaced by `\ufffd`).
    pub body: &'a str,
}

impl Event {
    pub fn new(t: EventText<'_>, facts: crate::facts::Facts) -> Event {
        let parts = [t.message_id, t.site, t.kind, t.event, t.session_id, t.timestamp];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + t.body.len());
        let mut ends = [0; 6];
        for (end, part) in ends.iter_mut().zip(parts) {
            text.push_str(part);
            // Parts and bodies are bounded by the batch size limit, far below 4 GiB.
            *end = u32::try_from(text.len()).expect("an event under 4 GiB");
        }
        text.push_str(t.body);
        Event { text, ends, facts }
    }

    fn part(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn message_id(&self) -> &str {
        self.part(0)
    }
    pub fn site(&self) -> &str {
        self.part(1)
    }
    /// One of [`EVENT_TYPES`] (`type` on the wire).
    pub fn kind(&self) -> &str {
        self.part(2)
    }
    pub fn event(&self) -> &str {
        self.part(3)
    }
    pub fn session_id(&self) -> &str {
        self.part(4)
    }
    pub fn timestamp(&self) -> &str {
        self.part(5)
    }
    /// The event's JSON text as received (lone surrogate escapes replaced by `\ufffd`).
    pub fn body(&self) -> &str {
        &self.text[self.ends[5] as usize..]
    }

    /// All of its strings.
    pub fn text(&self) -> EventText<'_> {
        EventText {
            message_id: self.message_id(),
            site: self.site(),
            kind: self.kind(),
            event: self.event(),
            session_id: self.session_id(),
            timestamp: self.timestamp(),
            body: self.body(),
        }
    }
}

/// One refused event of an otherwise well-formed batch. Final: resending it will not help.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejected {
    pub index: usize,
    pub reason: String,
}

/// Splits a batch body into events and checks each on its own. Only a body that is not a batch
/// at all (not JSON, no `sentAt`/`batch`, no events, too many events) is an error; an event that
/// breaks the contract lands in `rejected` and the others go on.
pub fn parse_batch(body: &[u8]) -> Result<Batch, IngestError> {
    let start = skip_ws(body, 0);
    // One pass over the body: the events' members, and those of the objects in them, are
    // recorded in `nodes` (about one per 32 bytes of a typical event).
    let mut nodes = Vec::with_capacity(body.len() / 32);
    let is_batch = |k: &[u8]| std::str::from_utf8(k).is_ok_and(|k| key_is(k, 0..k.len(), "batch"));
    let members = match json::envelope(body, start, is_batch, &mut nodes) {
        Ok((m, scan)) if skip_ws(body, scan.end) == body.len() => m,
        _ if body.get(start) != Some(&b'{')
            && json::value(body, start).is_ok_and(|v| skip_ws(body, v.end) == body.len()) =>
        {
            return Err(invalid("body: expected an object with sentAt and batch"))
        }
        _ => return Err(invalid(format!("body: invalid JSON{}", syntax_hint(body)))),
    };
    // A member given twice is refused, as in an event: a proxy or a filter in front that reads
    // the first `batch` would see other events than the ones stored (JSON.parse takes the last:
    // security QA).
    let mut sent_at = None;
    let mut batch = None;
    let mut confirm = Vec::new();
    let mut seen = [false; 3];
    for (key, value, elements) in members {
        let Ok(key) = std::str::from_utf8(&body[key]) else { continue };
        if let Some(i) = ["confirm", "sentAt", "batch"].iter().position(|n| key_is(key, 0..key.len(), n)) {
            if std::mem::replace(&mut seen[i], true) {
                return Err(invalid(format!("{}: given twice", ["confirm", "sentAt", "batch"][i])));
            }
        }
        if key_is(key, 0..key.len(), "confirm") {
            confirm = serde_json::from_slice::<Vec<String>>(&body[value])
                .map_err(|_| invalid("confirm: expected an array of strings"))?;
            if confirm.len() > MAX_CONFIRM {
                return Err(invalid(format!("confirm: {} ids, at most {MAX_CONFIRM} allowed", confirm.len())));
            }
        } else if key_is(key, 0..key.len(), "sentAt") {
            sent_at = Some(value);
        } else if key_is(key, 0..key.len(), "batch") {
            // Split on the way if it is an array.
            batch = Some(elements);
        }
    }
    let sent_at = match sent_at {
        None => return Err(invalid("sentAt: missing")),
        Some(r) => std::str::from_utf8(&body[r])
            .ok()
            .and_then(json_string)
            .ok_or_else(|| invalid("sentAt: expected string"))?,
    };
    if !is_iso8601(&sent_at) {
        return Err(invalid("sentAt: expected an ISO-8601 timestamp"));
    }
    let Some(batch) = batch else {
        return Err(invalid("batch: missing"));
    };
    let elements = batch.ok_or_else(|| invalid("batch: expected array"))?;
    // (Empty when it only asks about its probes.)
    if elements.is_empty() && confirm.is_empty() {
        return Err(invalid("batch: must not be empty"));
    }
    if elements.len() > MAX_BATCH_EVENTS {
        return Err(invalid(format!("batch: {} events, at most {MAX_BATCH_EVENTS} allowed", elements.len())));
    }

    // The device's clock when the batch left, for correcting a wrong one (`aggregate::counts_at`);
    // only with a zone (one without may be the device's local time, hours off: not used).
    let sent_ms = if has_zone(&sent_at) { crate::facts::parse_iso_millis(&sent_at) } else { None };
    let mut events = Vec::with_capacity(elements.len());
    let mut rejected = Vec::new();
    for (index, element) in elements.iter().enumerate() {
        match parse_event(body, element, &nodes) {
            Ok(mut e) => {
                e.facts.sent_at = sent_ms;
                events.push(e)
            }
            Err(reason) => rejected.push(Rejected { index, reason }),
        }
    }
    Ok(Batch { sent_at: sent_at.into_owned(), events, rejected, confirm })
}

fn syntax_hint(body: &[u8]) -> String {
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Err(e) if e.is_syntax() || e.is_eof() => format!(": {e}"),
        _ => String::new(),
    }
}

/// Checks one event (`element` of the batch array in `body`, its members recorded in `nodes`)
/// against the wire contract. The reason names the field.
fn parse_event(body: &[u8], element: &Element, nodes: &[Node]) -> Result<Event, String> {
    let raw = &body[element.range.clone()];
    if raw.len() > MAX_EVENT_BYTES {
        return Err(format!("event is {} bytes, limit {MAX_EVENT_BYTES}", raw.len()));
    }
    let text = std::str::from_utf8(raw).map_err(|e| format!("not valid UTF-8: {e}"))?;
    let Some(first) = element.first else {
        return Err("expected object".into());
    };
    if element.scan.depth > MAX_EVENT_DEPTH {
        return Err(format!("nested deeper than {MAX_EVENT_DEPTH} levels"));
    }
    // A lone surrogate (a string cut in the middle of an emoji) is replaced, as the browser's
    // toWellFormed() would: the event is kept, with U+FFFD where the half character was. The
    // repaired text is scanned again (rare).
    let repaired;
    let mut own = Vec::new();
    let fields = if element.scan.lone_surrogates {
        repaired = replace_lone_surrogates(text);
        Fields::of(&repaired, 0, &mut own).ok_or("expected object")?
    } else {
        Fields { text, nodes, first, offset: element.range.start }
    };

    // Every member looked up in one pass over the event's members (and one per nested object);
    // the checks and their reasons come in the order below.
    const NAMES: [&str; 10] = [
        "type",
        "event",
        "messageId",
        "timestamp",
        "sessionId",
        "site",
        "properties",
        "context",
        "anonymousId",
        "userId",
    ];
    let [kind, event, message_id, timestamp, session_id, site, properties, context, anonymous_id, user_id] =
        fields.find_unique("", NAMES)?;
    let kind = fields.string_of(kind, "type", "")?;
    if !EVENT_TYPES.contains(&kind.as_ref()) {
        return Err("type: must be \"page\", \"track\" or \"identify\"".into());
    }
    let event = fields.string_of(event, "event", "")?;
    if !is_event_name(&event) {
        return Err("event: must match ^[a-z][a-z0-9_]{0,63}$".into());
    }
    let message_id = fields.string_of(message_id, "messageId", "")?;
    if !is_message_id(&message_id) {
        return Err("messageId: must be 1..=64 characters of [A-Za-z0-9_-]".into());
    }
    let timestamp = fields.string_of(timestamp, "timestamp", "")?;
    if !is_iso8601(&timestamp) {
        return Err("timestamp: expected an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.fff]Z or ±HH:MM)".into());
    }
    if !has_zone(&timestamp) {
        // (Once read as UTC, unsaid: a device's local time would be hours off, and a warehouse
        // reading the text as its own local time another instant again.)
        return Err("timestamp: no time zone (RFC 3339 needs Z or ±HH:MM: 2026-12-06T05:40:00Z)".into());
    }
    let session_id = fields.string_of(session_id, "sessionId", "")?;
    if !(1..=128).contains(&session_id.chars().count()) {
        return Err("sessionId: must be 1..=128 characters".into());
    }
    let site = fields.string_of(site, "site", "")?;
    if !is_site_id(&site) {
        return Err("site: must be 1..=64 characters of [A-Za-z0-9._-]".into());
    }
    let properties = fields.object_of(properties, "properties", "")?;
    let context = fields.object_of(context, "context", "")?;
    let [page, library, ..] = context.find_unique("context.", CONTEXT_MEMBERS)?;
    let page = context.object_of(page, "page", "context.")?;
    let names = ["url", "path", "title", "referrer"];
    for (n, f) in page.find_unique("context.page.", names)?.into_iter().zip(names) {
        page.string_of(n, f, "context.page.")?;
    }
    let library = context.object_of(library, "library", "context.")?;
    let names = ["name", "version"];
    for (n, f) in library.find_unique("context.library.", names)?.into_iter().zip(names) {
        library.string_of(n, f, "context.library.")?;
    }
    // Optional; null is taken as absent since some serializers emit it for None.
    match anonymous_id.map(|n| fields.value(n).as_bytes()) {
        None | Some(b"null") => {}
        Some(v) if v.first() == Some(&b'"') => {}
        Some(_) => return Err("anonymousId: expected string".into()),
    }
    let user_id = user_id_of(&fields, user_id)?;
    let anonymous_id = anonymous_id_of(&fields, anonymous_id);
    // Last, over the whole event: a number no double holds (`1E400`, Infinity to a reader) or a
    // key given twice anywhere (`properties` inside: readers disagree on which one counts).
    json::check_unambiguous(fields.text.as_bytes())?;

    // From the members scanned above: no second parse of the body.
    let facts = Facts { user_id, anonymous_id, ..facts_of(&event, &timestamp, &properties, &context, &page) };
    let text = EventText {
        message_id: &message_id,
        site: &site,
        kind: &kind,
        event: &event,
        session_id: &session_id,
        timestamp: &timestamp,
        body: fields.text,
    };
    Ok(Event::new(text, facts))
}

/// The members of `context` the collector reads: each may be given once (a second one would
/// leave which of them counts to the parser).
const CONTEXT_MEMBERS: [&str; 10] =
    ["page", "library", "channel", "campaign", "source", "medium", "tags", "sampleRate", "device", "automated"];

/// `type` on the wire: `identify` is sent when the page names its customer (`userId`), with the
/// customer's traits as `properties`.
pub const EVENT_TYPES: [&str; 3] = ["page", "track", "identify"];

/// The event's customer id, `userId` (member `n`): optional, `null` taken as absent like
/// `anonymousId`; else a string of 1..=128 characters without control characters.
fn user_id_of(fields: &Fields<'_>, n: Option<&Node>) -> Result<String, String> {
    match n.map(|n| fields.value(n)) {
        None | Some("null") => Ok(String::new()),
        Some(v) => json_string(v)
            .filter(|u| is_user_id(u))
            .map(Cow::into_owned)
            .ok_or_else(|| "userId: expected a string of 1..=128 characters without control characters".into()),
    }
}

/// The event's `anonymousId` (member `n`, already checked to be a string or `null`) as the
/// visitors are counted by it: kept when it passes [`is_user_id`], else empty (the event is
/// accepted either way, as before; see `Facts::anonymous_id`).
fn anonymous_id_of(fields: &Fields<'_>, n: Option<&Node>) -> String {
    n.map(|n| fields.value(n)).and_then(json_string).filter(|a| is_user_id(a)).map(Cow::into_owned).unwrap_or_default()
}

/// A customer id as the wire contract allows it (and `/api/sessions?user=` asks for one): the
/// SDK's own rule (`touchpoint_core::journey::identity`), so that no id it sends is refused here.
pub fn is_user_id(s: &str) -> bool {
    touchpoint_core::journey::identity::is_user_id(s)
}

/// What the inspector's aggregates need from an event (see `facts.rs`), read from its
/// `properties` and `context.page` objects (its customer, `userId`, is read by the caller). A
/// missing or oddly typed field gives the default.
fn facts_of(event: &str, timestamp: &str, properties: &Fields<'_>, context: &Fields<'_>, page: &Fields<'_>) -> Facts {
    let text = |f: &Fields<'_>, n: Option<&Node>| -> Option<String> {
        let v = json_string(f.value(n?))?;
        Some(crate::facts::cut(&v).to_string())
    };
    let mut f = Facts { ts_ms: crate::facts::parse_iso_millis(timestamp).unwrap_or(0), ..Facts::default() };
    f.path = page
        .find_node("path")
        .and_then(|n| json_string(page.value(n)))
        .map(|v| crate::facts::path_key(&v))
        .unwrap_or_default();
    let [channel, campaign, source, medium, tags, rate, device, automated] =
        context.find_all(["channel", "campaign", "source", "medium", "tags", "sampleRate", "device", "automated"]);
    // The SDK's three classes only: any other value stays in the event but is no device class,
    // as each class keeps counts, page rows and tag rows of its own (a client posting a new
    // "class" with each event doubled what every event added to the database: security QA).
    f.device =
        text(context, device).filter(|d| matches!(d.as_str(), "mobile" | "tablet" | "desktop")).unwrap_or_default();
    f.automated = automated.is_some_and(|n| context.value(n) == "true");
    f.sample_rate =
        rate.and_then(|n| context.value(n).parse::<u8>().ok()).filter(|r| (1..=99).contains(r)).unwrap_or(0);
    // (Tags over the SDK's own bound are not counted: each becomes ~8 aggregate rows, and a
    // client posting 1,700 tiny tags per event grew the database by 41 MB a request.)
    if tags.is_some_and(|n| context.value(n).len() <= MAX_TAGS_BYTES) {
        f.tags = context.object_of(tags, "tags", "").map(|t| tags_of(&t)).unwrap_or_default();
    }
    f.channel = text(context, channel).unwrap_or_default();
    f.campaign = text(context, campaign).unwrap_or_default();
    f.source = text(context, source).unwrap_or_default();
    f.medium = text(context, medium).unwrap_or_default();
    let [category, moment, during, element] = properties.find_all(["category", "moment", "during", "element"]);
    if text(properties, category).as_deref() == Some("friction") {
        f.category = Category::Friction;
    }
    // A quick back counts on the page the visitor fled (its `from_path`), as Clarity counts it:
    // a single-page app's is captured as that view ends (on that page), but one after a restore
    // from the back/forward cache or a reload on the page returned to, so the leaderboard and the
    // pages could not answer "which page do customers leave at once?" (analyst QA).
    if event == "quick_back" && f.category == Category::Friction {
        if let Some(from) = properties.find_node("from_path").and_then(|n| json_string(properties.value(n))) {
            f.path = crate::facts::path_key(&from);
        }
    }
    f.moment = moment.is_some_and(|n| properties.value(n) == "true");
    f.during = text(properties, during).unwrap_or_default();
    if let Ok(el) = properties.object_of(element, "element", "") {
        f.selector = text(&el, el.find_node("selector")).unwrap_or_default();
        // (Friction only: the leaderboard names its rows by it, and a click's text would be an
        // allocation per event for nothing.)
        if f.category == Category::Friction {
            f.text = el
                .find_node("text")
                .and_then(|n| json_string(el.value(n)))
                .map(|t| crate::facts::cut_text(&t).to_string())
                .unwrap_or_default();
        }
    }
    // A friction event of no element is grouped by what failed, in the selector's place: a
    // failed request by its method, path and status, an error by its message. Else every
    // failed_request of a page was one leaderboard row, a lookup's 500 beside another path's
    // 404, and the status was only in the events (help center QA).
    if f.category == Category::Friction && f.selector.is_empty() {
        let [method, path, status, message] = properties.find_all(["method", "path", "status", "message"]);
        let raw = |n: Option<&Node>| n.map_or("", |n| properties.value(n));
        f.selector = match event {
            "failed_request" => crate::facts::cut(&format!(
                "{} {} {}",
                text(properties, method).unwrap_or_default(),
                text(properties, path).unwrap_or_default(),
                raw(status)
            ))
            .trim()
            .to_string(),
            "js_error" | "error_click" => text(properties, message).unwrap_or_default(),
            _ => String::new(),
        };
    }
    f.moment = f.moment || (f.category != Category::Friction && DEFAULT_MOMENTS.contains(&event));
    if event == "purchase" {
        f.order = order_of(properties);
    }
    // A refund is no moment of truth, whatever it says: it is no step of a purchase, and a
    // session whose goal it reached would count it as a conversion.
    if event == "refund" {
        f.moment = false;
    }
    if event == "page_leave" {
        let [engaged, scroll, lcp, cls, inp, inp_ms, resumed] =
            properties.find_all(["engaged_ms", "max_scroll_pct", "lcp_ms", "cls_milli", "inp", "inp_ms", "resumed"]);
        let int = |n: Option<&Node>| n.and_then(|n| properties.value(n).parse::<i64>().ok());
        f.resumed = resumed.is_some_and(|n| properties.value(n) == "true");
        f.engaged_ms = int(engaged).filter(|ms| (0..=crate::facts::MAX_ENGAGED_MS).contains(ms)).unwrap_or(0);
        f.scroll_pct = int(scroll).filter(|p| (0..=100).contains(p)).unwrap_or(0) as u8;
        let inp = inp.and_then(|n| json_string(properties.value(n)));
        f.vitals = crate::facts::Vitals::rate(int(lcp), int(cls), inp.as_deref(), int(inp_ms));
    }
    f
}

/// A purchase's or refund's order, `properties.transaction_id`: a number as written (its
/// digits), a string unescaped, as SQLite's CAST of json_extract gives them (the migration fills
/// `orders` so); empty for none, and for an id the SDK's masking made (`***`: see
/// [`crate::money::is_masked`]), which names no order.
fn order_of(properties: &Fields<'_>) -> String {
    let order = properties.find_node("transaction_id").map_or_else(String::new, |n| {
        let v = properties.value(n);
        match json_string(v) {
            Some(s) => s.into_owned(),
            None if v.bytes().all(|c| c.is_ascii_digit() || c == b'-') => v.to_string(),
            None => String::new(),
        }
    });
    if crate::money::is_masked(&order) {
        return String::new();
    }
    order
}

/// What revenue reads of a stored purchase or refund (`/api/channels?revenue=1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Commerce {
    /// Its order, as [`Facts::order`] reads it (empty: none, or masked).
    pub order: String,
    /// `properties.value`'s JSON text (`None`: absent or `null`).
    pub value: Option<String>,
    /// `properties.currency`: a string's text, another value's JSON text (`None`: absent or
    /// `null`).
    pub currency: Option<String>,
}

/// [`Commerce`] of a stored event's text, read as at ingest (a key given twice: its last value);
/// all `None` for a text that does not parse.
pub(crate) fn commerce_of_text(text: &str) -> Commerce {
    let mut nodes = Vec::new();
    let Some(fields) = Fields::of(text, crate::json::skip_ws(text.as_bytes(), 0), &mut nodes) else {
        return Commerce::default();
    };
    let Ok(properties) = fields.object("properties", "") else { return Commerce::default() };
    let [value, currency] = properties.find_all(["value", "currency"]);
    let raw = |n: Option<&Node>| n.map(|n| properties.value(n)).filter(|v| *v != "null");
    Commerce {
        order: order_of(&properties),
        value: raw(value).map(str::to_string),
        currency: raw(currency).map(|v| json_string(v).map_or_else(|| v.to_string(), Cow::into_owned)),
    }
}

/// An event's `context.tags` counted in the aggregates: at most this much JSON (the SDK sends at
/// most 2 KB, in UTF-16 units, before escaping) and this many tags; the event is stored whole
/// either way.
pub const MAX_TAGS_BYTES: usize = 4096;
pub const MAX_TAGS: usize = 32;

/// The members of a `context.tags` object whose value is a string, number or boolean, each
/// distinct (key, value) once (see [`Tag`]), among the first [`MAX_TAGS`]; `null`, objects and
/// arrays are not kept (no filter matches them), nor a member whose key or value has a control
/// character ([`crate::facts::is_tag_text`]: the filter refuses it).
fn tags_of(tags: &Fields<'_>) -> Vec<Tag> {
    let mut out: Vec<Tag> = tags
        .members()
        .take(MAX_TAGS)
        .filter_map(|n| {
            let raw = tags.value(n);
            let (value, real) = match raw.as_bytes().first()? {
                b'"' => (json_string(raw)?.into_owned(), false),
                // `true` or `false` (the grammar was checked).
                b't' | b'f' => (raw.to_string(), false),
                b'n' | b'{' | b'[' => return None,
                // A number: JSON's integers (no fraction, no exponent) are SQLite's integers
                // while they fit in 64 bits, its reals beyond.
                _ if raw.contains(['.', 'e', 'E']) => (raw.to_string(), true),
                _ => match raw.parse::<i64>() {
                    Ok(i) => (i.to_string(), false),
                    Err(_) => (raw.to_string(), true),
                },
            };
            let key = json_string(tags.key_text(n))?.into_owned();
            if !crate::facts::is_tag_text(&key) || !crate::facts::is_tag_text(&value) {
                return None;
            }
            Some(Tag { key, value, real })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The facts of a stored event's text (an event already accepted, re-read when the aggregates
/// are rebuilt): as at ingest, default facts for whatever does not parse.
pub(crate) fn facts_of_text(event: &str, timestamp: &str, text: &str) -> Facts {
    let ts_only = || Facts { ts_ms: crate::facts::parse_iso_millis(timestamp).unwrap_or(0), ..Facts::default() };
    let mut nodes = Vec::new();
    let Some(fields) = Fields::of(text, crate::json::skip_ws(text.as_bytes(), 0), &mut nodes) else { return ts_only() };
    let empty = Fields { text, nodes: &[], first: NONE, offset: 0 };
    let properties = fields.object("properties", "").ok();
    let context = fields.object("context", "").ok();
    let page = context.as_ref().and_then(|c| c.object("page", "").ok());
    let facts = facts_of(
        event,
        timestamp,
        properties.as_ref().unwrap_or(&empty),
        context.as_ref().unwrap_or(&empty),
        page.as_ref().unwrap_or(&empty),
    );
    Facts {
        user_id: user_id_of(&fields, fields.find_node("userId")).unwrap_or_default(),
        anonymous_id: anonymous_id_of(&fields, fields.find_node("anonymousId")),
        ..facts
    }
}

/// The members of one object of an event's text (checked JSON, no lone surrogates), as recorded
/// by [`object_tree`]: nested objects are read from the same nodes, not scanned again.
struct Fields<'a> {
    text: &'a str,
    nodes: &'a [Node],
    /// The object's first member in `nodes` ([`NONE`] if it has none).
    first: u32,
    /// Where `text` starts in the text the nodes' ranges refer to.
    offset: usize,
}

impl<'a> Fields<'a> {
    /// The object at `text[start]`, its members recorded in `nodes` (cleared first).
    fn of(text: &'a str, start: usize, nodes: &'a mut Vec<Node>) -> Option<Fields<'a>> {
        nodes.clear();
        object_tree(text.as_bytes(), start, nodes).ok()?;
        let first = if nodes.is_empty() { NONE } else { 0 };
        Some(Fields { text, nodes, first, offset: 0 })
    }

    /// The object's members, in order.
    fn members(&self) -> impl Iterator<Item = &'a Node> + '_ {
        let nodes = self.nodes;
        std::iter::successors(nodes.get(self.first as usize), move |n| nodes.get(n.next as usize))
    }

    /// A member's key without its quotes.
    fn key(&self, n: &Node) -> &'a [u8] {
        &self.text.as_bytes()[n.key.start - self.offset + 1..n.key.end - self.offset - 1]
    }

    /// A member's key as written, quotes included.
    fn key_text(&self, n: &Node) -> &'a str {
        &self.text[n.key.start - self.offset..n.key.end - self.offset]
    }

    /// Member `name` (the last one if the key repeats, as in JSON.parse, a key written with
    /// escapes (`"s\u0069te"`) counting as the key it spells).
    fn find_node(&self, name: &str) -> Option<&'a Node> {
        let [found] = self.find_all([name]);
        found
    }

    /// [`Self::find_node`] for each of `names`, in one pass over the members.
    fn find_all<const N: usize>(&self, names: [&str; N]) -> [Option<&'a Node>; N] {
        self.find_counted(names).0
    }

    /// [`Self::find_all`], refusing a name given twice (`at`: the object's path, for the
    /// reason). JSON.parse takes a repeated key's last value and SQLite's `json_extract`
    /// (the README's way to query bodies) its first: `"site":"other","site":"shop"` was stored
    /// as shop's (the origin check read the last) and read as other's in SQL, and an erasure by
    /// one `userId` of `"userId":"a","userId":"b"` left `a` in the database (the operator's QA).
    fn find_unique<const N: usize>(&self, at: &str, names: [&str; N]) -> Result<[Option<&'a Node>; N], String> {
        match self.find_counted(names) {
            (found, None) => Ok(found),
            (_, Some(twice)) => Err(format!("{at}{twice}: given twice")),
        }
    }

    /// The members found, and a name of `names` given more than once, if any.
    fn find_counted<'n, const N: usize>(&self, names: [&'n str; N]) -> ([Option<&'a Node>; N], Option<&'n str>) {
        let mut found = [None; N];
        let mut twice = None;
        let mut escaped = false;
        for n in self.members() {
            let k = self.key(n);
            match names.iter().position(|name| name.as_bytes() == k) {
                Some(i) => {
                    if found[i].replace(n).is_some() {
                        twice = Some(names[i]);
                    }
                }
                None => escaped |= k.contains(&b'\\'),
            }
        }
        // (Rare: only then is every key compared decoded. A plain key first and an escaped
        // one after it must give the escaped one's value, or the origin check, the duplicate
        // check and an erasure would read another value than the warehouse that parses it.)
        if escaped {
            for (f, name) in found.iter_mut().zip(names) {
                let (last, count) = self.find_decoded(name);
                *f = last;
                if count > 1 {
                    twice = Some(name);
                }
            }
        }
        (found, twice)
    }

    /// The last member whose key, escapes decoded, is `name`, and how many there are.
    fn find_decoded(&self, name: &str) -> (Option<&'a Node>, usize) {
        self.members()
            .filter(|n| {
                let k = self.key(n);
                k == name.as_bytes()
                    || k.contains(&b'\\')
                        && std::str::from_utf8(k)
                            .ok()
                            .and_then(|k| serde_json::from_str::<String>(&format!("\"{k}\"")).ok())
                            .is_some_and(|k| k == name)
            })
            .fold((None, 0), |(_, count), n| (Some(n), count + 1))
    }

    /// The raw text of a member's value.
    fn value(&self, n: &Node) -> &'a str {
        &self.text[n.value.start - self.offset..n.value.end - self.offset]
    }

    /// Member `n` (found as `name`) as a string.
    fn string_of(&self, n: Option<&Node>, name: &str, at: &str) -> Result<Cow<'a, str>, String> {
        match n {
            None => Err(format!("{at}{name}: missing")),
            Some(n) => json_string(self.value(n)).ok_or_else(|| format!("{at}{name}: expected string")),
        }
    }

    fn object(&self, name: &str, at: &str) -> Result<Fields<'a>, String> {
        self.object_of(self.find_node(name), name, at)
    }

    /// Member `n` (found as `name`) as an object.
    fn object_of(&self, n: Option<&Node>, name: &str, at: &str) -> Result<Fields<'a>, String> {
        match n {
            None => Err(format!("{at}{name}: missing")),
            Some(n) if self.text.as_bytes()[n.value.start - self.offset] == b'{' => {
                Ok(Fields { text: self.text, nodes: self.nodes, first: n.first, offset: self.offset })
            }
            Some(_) => Err(format!("{at}{name}: expected object")),
        }
    }
}

/// True if the JSON string at `text[range]` (quotes included) denotes `name`.
fn key_is(text: &str, range: std::ops::Range<usize>, name: &str) -> bool {
    let raw = &text[range];
    if raw.len() == name.len() + 2 && &raw[1..raw.len() - 1] == name {
        return true;
    }
    raw.contains('\\') && json_string(raw).is_some_and(|k| k == name)
}

/// The value of a JSON string literal (quotes included); None if `raw` is not a string.
fn json_string(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
}

fn invalid(reason: impl Into<String>) -> IngestError {
    IngestError::Invalid(reason.into())
}

/// 1..=64 of `[A-Za-z0-9._-]`: the SDK's rule for `data-site` (`touchpoint_core::config`, where
/// it is private; keep the two in step).
pub fn is_site_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
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
/// local times); field ranges are checked, and the day against its month's length (the
/// Gregorian calendar's leap years: `2024-02-29` is a date, `2023-02-29` and `2024-02-30` are not;
/// a warehouse loading an export would refuse them).
/// Whether a timestamp [`is_iso8601`] accepts ends with a zone (`Z`, `z` or `±HH:MM`): the
/// RFC 3339 form an event's `timestamp` must have.
pub fn has_zone(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.last(), Some(b'Z' | b'z')) || (b.len() >= 25 && matches!(b[b.len() - 6], b'+' | b'-'))
}

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
        let (y, mo, d, h, mi, sec) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?, num(17, 2)?);
        let seps = b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b't') && b[13] == b':' && b[16] == b':';
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let days = match mo {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        Some(seps && (1..=12).contains(&mo) && (1..=days).contains(&d) && h <= 23 && mi <= 59 && sec <= 60)
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
    use serde_json::{json, Value};

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

    /// Why the whole body was refused.
    fn reason(b: &[u8]) -> String {
        match parse_batch(b).unwrap_err() {
            IngestError::Invalid(r) | IngestError::TooLarge(r) => r,
            e => panic!("unexpected {e:?}"),
        }
    }

    /// The refusals of a well-formed batch: (index, reason).
    fn refused(b: &[u8]) -> Vec<(usize, String)> {
        parse_batch(b).unwrap().rejected.into_iter().map(|r| (r.index, r.reason)).collect()
    }

    /// The reason the only event (index 1, between two good ones) was refused.
    fn why(e: Value) -> String {
        let b = parse_batch(&body(vec![event(0), e, event(2)])).unwrap();
        assert_eq!(b.events.iter().map(|e| e.message_id()).collect::<Vec<_>>(), ["m-0", "m-2"]);
        assert_eq!(b.rejected.len(), 1);
        assert_eq!(b.rejected[0].index, 1);
        b.rejected[0].reason.clone()
    }

    #[test]
    fn valid_batch_keeps_raw_text() {
        let raw = br#"{"sentAt":"2024-05-01T12:00:01Z","batch":[ {"type":"page","event":"page_view","messageId":"abc","timestamp":"2024-05-01T12:00:00Z","sessionId":"s","site":"shop","properties":{},"context":{"page":{"url":"u","path":"/","title":"","referrer":""},"library":{"name":"touchpoint","version":"1"}},"zzz":1,"aaa":2} ]}"#;
        let b = parse_batch(raw).unwrap();
        assert_eq!(b.events.len(), 1);
        assert!(b.rejected.is_empty());
        let e = &b.events[0];
        assert_eq!((e.kind(), e.event(), e.message_id()), ("page", "page_view", "abc"));
        assert!(e.body().starts_with(r#"{"type":"page""#) && e.body().ends_with(r#""zzz":1,"aaa":2}"#), "{}", e.body());
    }

    #[test]
    fn refused_events_are_listed_and_the_others_kept() {
        let mut e = event(1);
        e.as_object_mut().unwrap().remove("messageId");
        assert_eq!(why(e), "messageId: missing");

        let mut e = event(1);
        e["event"] = json!("Bad-Name");
        assert!(why(e).starts_with("event: must match"));

        let mut e = event(1);
        e["sessionId"] = json!(5);
        assert_eq!(why(e), "sessionId: expected string");

        let mut e = event(1);
        e["context"]["page"].as_object_mut().unwrap().remove("referrer");
        assert_eq!(why(e), "context.page.referrer: missing");

        let mut e = event(1);
        e["context"]["library"] = json!("x");
        assert_eq!(why(e), "context.library: expected object");

        let mut e = event(1);
        e["type"] = json!("alias");
        assert_eq!(why(e), "type: must be \"page\", \"track\" or \"identify\"");

        let mut e = event(1);
        e["anonymousId"] = json!(1);
        assert_eq!(why(e), "anonymousId: expected string");

        let mut e = event(1);
        e["messageId"] = json!("a".repeat(65));
        assert!(why(e).starts_with("messageId"));

        for bad_site in ["", "shop\u{0}", "shop\u{1b}[31m", "<b>shop</b>", "shop site", "ünï", &"s".repeat(65)] {
            let mut e = event(1);
            e["site"] = json!(bad_site);
            assert!(why(e).starts_with("site: must be 1..=64 characters of [A-Za-z0-9._-]"), "{bad_site:?}");
        }
        let mut e = event(1);
        e["site"] = json!("Demo-shop_2.example");
        assert!(parse_batch(&body(vec![e])).unwrap().rejected.is_empty());

        assert_eq!(why(json!(3)), "expected object");
        assert_eq!(why(json!([event(1)])), "expected object");

        let mut e = event(1);
        e["properties"]["blob"] = json!("x".repeat(MAX_EVENT_BYTES));
        assert!(why(e).starts_with("event is "));

        // Every event refused: still a batch, nothing to store.
        let b = parse_batch(&body(vec![json!(1), json!(null)])).unwrap();
        assert!(b.events.is_empty());
        assert_eq!(refused(&body(vec![json!(1), json!(null)])).len(), 2);
    }

    #[test]
    fn anonymous_id_as_the_visitors_count_it() {
        // The browser's id (marketing consent): kept as sent, its escapes read (the quote is sent
        // as `\"`); one the `userId` rule refuses is accepted but not counted (empty), as are null
        // and none.
        let ids = [json!("5f0c\"7a1d"), json!("a".repeat(129)), json!("a\u{1}b"), json!("  "), Value::Null];
        let mut events: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut e = event(i);
                e["anonymousId"] = a.clone();
                e
            })
            .collect();
        let mut none = event(ids.len());
        none.as_object_mut().unwrap().remove("anonymousId");
        events.push(none);
        let b = parse_batch(&body(events)).unwrap();
        assert!(b.rejected.is_empty(), "{:?}", b.rejected);
        let got: Vec<&str> = b.events.iter().map(|e| e.facts.anonymous_id.as_str()).collect();
        assert_eq!(got, ["5f0c\"7a1d", "", "", "", "", ""]);
        // Read back from the stored text (the migration's fill), the same.
        for e in &b.events {
            assert_eq!(crate::facts::extract(e.event(), e.timestamp(), e.body()).anonymous_id, e.facts.anonymous_id);
        }
    }

    #[test]
    fn identify_and_user_id() {
        // The page names its customer: an identify event (traits as properties), then userId on
        // every event.
        let mut id = event(0);
        id["type"] = json!("identify");
        id["event"] = json!("identify");
        id["userId"] = json!("c-1042");
        id["properties"] = json!({"plan": "pro"});
        let mut after = event(1);
        after["userId"] = json!("ünï 😀 ".repeat(30).chars().take(128).collect::<String>());
        let mut null = event(2);
        null["userId"] = Value::Null;
        let b = parse_batch(&body(vec![id, after, null, event(3)])).unwrap();
        assert!(b.rejected.is_empty(), "{:?}", b.rejected);
        let users: Vec<&str> = b.events.iter().map(|e| e.facts.user_id.as_str()).collect();
        assert_eq!(users[0], "c-1042");
        assert_eq!(users[1].chars().count(), 128);
        assert_eq!(users[2..], ["", ""], "null and absent: no customer");
        assert_eq!((b.events[0].kind(), b.events[0].event()), ("identify", "identify"));
        // Read back from the stored text, the same.
        for e in &b.events {
            assert_eq!(crate::facts::extract(e.event(), e.timestamp(), e.body()).user_id, e.facts.user_id);
        }

        let bad_user = "userId: expected a string of 1..=128 characters without control characters";
        let too_long = "u".repeat(129);
        for bad in [
            json!(""),
            json!("  "),
            json!(too_long),
            json!("c\u{0}1"),
            json!("c\n1"),
            json!("\u{7f}"),
            json!("c\u{85}"),
            json!(7),
            json!({}),
        ] {
            let mut e = event(1);
            e["userId"] = bad.clone();
            assert_eq!(why(e), bad_user, "{bad}");
        }
        // An escape that decodes to a control character counts as one.
        let raw = br#"{"sentAt":"2024-05-01T12:00:01Z","batch":[{"type":"identify","event":"identify","userId":"a\u0007b","messageId":"m","timestamp":"2024-05-01T12:00:00Z","sessionId":"s","site":"x","properties":{},"context":{"page":{"url":"u","path":"/","title":"","referrer":""},"library":{"name":"n","version":"1"}}}]}"#;
        assert_eq!(refused(raw), [(0, bad_user.to_string())]);
        // identify still needs a valid event name.
        let mut e = event(1);
        e["type"] = json!("identify");
        e["event"] = json!("Identify");
        assert!(why(e).starts_with("event: must match"));
    }

    #[test]
    fn escaped_keys_and_repeated_keys() {
        // "\u0074ype" is "type".
        let raw = br#"{"sentAt":"2024-05-01T12:00:01Z","batch":[{"\u0074ype":"track","event":"b","messageId":"m","timestamp":"2024-05-01T12:00:00Z","sessionId":"s","site":"x","properties":{},"context":{"page":{"url":"u","path":"/","title":"","referrer":""},"library":{"name":"n","version":"1"}}}]}"#;
        let b = parse_batch(raw).unwrap();
        assert!(b.rejected.is_empty(), "{:?}", b.rejected);
        assert_eq!(b.events[0].event(), "b");
        // A member given twice, as written or escaped, is refused: JSON.parse reads the last,
        // SQLite's json_extract the first (the operator's QA). A member the collector reads is
        // named as before; any other, at any depth, by its path (a data engineer's QA:
        // `{"dupkey":1,"dupkey":"one"}` in properties was stored, and read two ways).
        let twice = |text: &str| {
            let raw = format!(r#"{{"sentAt":"2024-05-01T12:00:01Z","batch":[{text}]}}"#);
            refused(raw.as_bytes()).into_iter().map(|(_, r)| r).collect::<Vec<_>>()
        };
        let e = |extra: &str, page_extra: &str| {
            format!(
                r#"{{"type":"track","event":"b","messageId":"m","timestamp":"2024-05-01T12:00:00Z","sessionId":"s","site":"shop"{extra},"properties":{{"a":1,"b":{{"a":2}}}},"x":1,"context":{{"page":{{"url":"u","path":"/","title":"","referrer":""{page_extra}}},"library":{{"name":"n","version":"1"}}}}}}"#
            )
        };
        assert_eq!(twice(&e("", "")), [] as [String; 0]);
        assert_eq!(twice(&e(r#","site":"other""#, "")), ["site: given twice"]);
        assert_eq!(twice(&e(r#","s\u0069te":"other""#, "")), ["site: given twice"]);
        assert_eq!(twice(&e(r#","userId":"dana-1","userId":"dana-2""#, "")), ["userId: given twice"]);
        assert_eq!(twice(&e("", r#","path":"/x""#)), ["context.page.path: given twice"]);
        let props =
            |p: &str| e("", "").replacen(r#""properties":{"a":1,"b":{"a":2}}"#, &format!(r#""properties":{p}"#), 1);
        // Inside `properties` a repeat is stored as received: the SDK writes one, the key meant
        // last (an attribute over `data-tp-props`, a page's `category` before the SDK's).
        assert_eq!(twice(&props(r#"{"category":"x","sku":"A1","category":"touchpoint"}"#)), [] as [String; 0]);
        assert_eq!(twice(&props(r#"{"a":[{"k":1},{"x":{"k":1,"y":[],"k":2}}]}"#)), [] as [String; 0]);
        // Elsewhere, at any depth, it is refused.
        assert_eq!(twice(&e(r#","extra":{"k":1,"k\u0020":2,"k":3}"#, "")), ["extra.k: given twice"]);
        assert_eq!(twice(&e(r#","extra":[{"a":{"k":1,"k":2}}]"#, "")), ["extra[0].a.k: given twice"]);
        assert_eq!(twice(&e(r#","extra":{},"extra":{}"#, "")), ["extra: given twice"]);
        assert_eq!(twice(&e("", r#","extra":1,"extra":1"#)), ["context.page.extra: given twice"]);
        // Distinct keys that look alike are not repeats; nor are the same keys in two objects.
        assert_eq!(
            twice(&props(r#"{"k":1,"K":2,"k ":3,"k\"":4,"o":{"k":1},"p":{"k":1},"l":[{"k":1},{"k":1}]}"#)),
            [] as [String; 0]
        );
    }

    /// A number no double holds (Infinity to JavaScript and Python, which they cannot write back
    /// as JSON) is refused wherever it is; one that only loses precision or underflows to 0 is not.
    #[test]
    fn numbers_outside_a_double_are_refused() {
        let with = |v: &str| {
            let mut e = serde_json::to_string(&event(1)).unwrap();
            e = e.replacen(r#""properties":{"label":"Buy"}"#, &format!(r#""properties":{{"label":"Buy","n":{v}}}"#), 1);
            let raw = format!(r#"{{"sentAt":"2024-05-01T12:00:01Z","batch":[{e}]}}"#);
            refused(raw.as_bytes()).into_iter().map(|(_, r)| r).collect::<Vec<_>>()
        };
        for bad in ["1E400", "-1e309", "1.5E+400", "[0,{\"x\":1e999}]"] {
            let why = with(bad);
            assert_eq!(why.len(), 1, "{bad}");
            assert!(why[0].contains("is not a finite number"), "{bad}: {why:?}");
        }
        assert_eq!(with("1E400"), ["properties.n: 1E400 is not a finite number (outside a double's range)"]);
        assert_eq!(
            with("[0,{\"x\":1e999}]"),
            ["properties.n[1].x: 1e999 is not a finite number (outside a double's range)"]
        );
        let digits = "9".repeat(400);
        assert_eq!(with(&digits).len(), 1);
        for ok in
            ["1E300", "1e-400", "-0", "0.1", "123456789012345678901234567890", "1.7976931348623157e308", "1e-9999"]
        {
            assert_eq!(with(ok), [] as [String; 0], "{ok}");
        }
        // Anywhere in the event, an unknown member too.
        let e = serde_json::to_string(&event(1)).unwrap().replacen(r#""extra":[1,2]"#, r#""extra":[1,2E500]"#, 1);
        let raw = format!(r#"{{"sentAt":"2024-05-01T12:00:01Z","batch":[{e}]}}"#);
        assert_eq!(
            refused(raw.as_bytes()),
            [(0, "extra[1]: 2E500 is not a finite number (outside a double's range)".to_string())]
        );
    }

    #[test]
    fn event_strings_round_trip() {
        let t = EventText {
            message_id: "m-1",
            site: "",
            kind: "track",
            event: "é",
            session_id: "s\u{0}😀",
            timestamp: "2024-05-01T12:00:00Z",
            body: r#"{"a":"😀"}"#,
        };
        let e = Event::new(t, Facts::default());
        assert_eq!(e.text(), t);
        assert_eq!((e.message_id(), e.site(), e.kind(), e.event()), ("m-1", "", "track", "é"));
        assert_eq!((e.session_id(), e.timestamp(), e.body()), ("s\u{0}😀", "2024-05-01T12:00:00Z", r#"{"a":"😀"}"#));
        assert_eq!(Event::new(EventText::default(), Facts::default()).text(), EventText::default());
        assert_eq!(Event::default().text(), EventText::default());
    }

    #[test]
    fn find_all_is_find_node_for_each_name() {
        let text = r#"{"a":1,"\u0062":2,"b":3,"c":{"d":4},"a":5,"\u0065":6,"\u0065":7,"x\"":8}"#;
        let mut nodes = Vec::new();
        let f = Fields::of(text, 0, &mut nodes).unwrap();
        let names = ["a", "b", "c", "e", "x\"", "zz", "d"];
        let all = f.find_all(names);
        for (n, name) in all.into_iter().zip(names) {
            assert_eq!(n.map(|n| f.value(n)), f.find_node(name).map(|n| f.value(n)), "{name}");
        }
        // The last repeat; a key as written before an escaped one; escaped keys decoded.
        assert_eq!(
            all.map(|n| n.map(|n| f.value(n))),
            [Some("5"), Some("3"), Some(r#"{"d":4}"#), Some("7"), Some("8"), None, None]
        );
        assert_eq!(f.object("c", "").unwrap().find_node("d").map(|n| f.value(n)), Some("4"));
        // An escaped key after a plain one is the last: JSON.parse (a warehouse) reads "shopb".
        let text = r#"{"site":"shopa","s\u0069te":"shopb","x":1}"#;
        let mut nodes = Vec::new();
        let f = Fields::of(text, 0, &mut nodes).unwrap();
        assert_eq!(f.find_node("site").map(|n| f.value(n)), Some(r#""shopb""#));
        assert_eq!(f.find_all(["x", "site"]).map(|n| n.map(|n| f.value(n))), [Some("1"), Some(r#""shopb""#)]);
    }

    #[test]
    fn lone_surrogates_are_replaced_not_fatal() {
        // 'Buy now 🛒'.slice(0, 9) then JSON.stringify: a lone high surrogate.
        let good = String::from_utf8(body(vec![event(0)])).unwrap();
        let poisoned = good.replacen("\"label\":\"Buy\"", "\"label\":\"Buy now \\ud83d\"", 1);
        assert_ne!(good, poisoned);
        assert!(serde_json::from_str::<Value>(&poisoned).is_err(), "serde_json refuses it");
        let b = parse_batch(poisoned.as_bytes()).unwrap();
        assert!(b.rejected.is_empty(), "{:?}", b.rejected);
        assert!(b.events[0].body().contains("\"Buy now \\ufffd\""), "{}", b.events[0].body());
        let stored: Value = serde_json::from_str(b.events[0].body()).unwrap();
        assert_eq!(stored["properties"]["label"], "Buy now \u{fffd}");
        // A surrogate pair is left alone.
        let pair = good.replacen("\"label\":\"Buy\"", "\"label\":\"Buy \\ud83d\\uded2\"", 1);
        assert!(parse_batch(pair.as_bytes()).unwrap().events[0].body().contains("\\ud83d\\uded2"));
    }

    #[test]
    fn depth_is_capped_per_event() {
        let nest = |levels: usize| -> Value {
            // The event is level 1 and properties level 2: `levels` counts from the event.
            let mut v = json!({});
            for _ in 0..levels - 2 {
                v = json!({ "d": v });
            }
            let mut e = event(1);
            e["properties"] = v;
            e
        };
        let ok = nest(MAX_EVENT_DEPTH);
        let raw = body(vec![event(0), ok, event(2)]);
        let b = parse_batch(&raw).unwrap();
        assert!(b.rejected.is_empty(), "{:?}", b.rejected);
        // What is accepted can be read back by serde_json (the read API parses stored bodies).
        serde_json::from_str::<serde::de::IgnoredAny>(b.events[1].body()).unwrap();
        // One level more is refused.
        let too_deep = format!(
            r#"{{"sentAt":"2024-05-01T12:00:01Z","batch":[{},{}]}}"#,
            serde_json::to_string(&event(0)).unwrap(),
            serde_json::to_string(&event(1)).unwrap().replacen(
                "\"properties\":{\"label\":\"Buy\"}",
                &format!("\"properties\":{}1{}", "[".repeat(MAX_EVENT_DEPTH), "]".repeat(MAX_EVENT_DEPTH)),
                1
            )
        );
        assert_eq!(refused(too_deep.as_bytes()), [(1, format!("nested deeper than {MAX_EVENT_DEPTH} levels"))]);
        // Far deeper than any recursive parser could take: refused alone, no stack overflow.
        let abyss = format!(
            r#"{{"sentAt":"2024-05-01T12:00:01Z","batch":[{},{}1{}]}}"#,
            serde_json::to_string(&event(0)).unwrap(),
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let b = parse_batch(abyss.as_bytes()).unwrap();
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.rejected[0].index, 1);
    }

    #[test]
    fn invalid_utf8_is_refused_per_event() {
        let mut raw = body(vec![event(0), event(1)]);
        let at = raw.windows(3).position(|w| w == b"Buy").unwrap();
        raw[at] = 0xff;
        let b = parse_batch(&raw).unwrap();
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.rejected[0].index, 0);
        assert!(b.rejected[0].reason.starts_with("not valid UTF-8"));
    }

    #[test]
    fn bodies_that_are_not_batches() {
        assert_eq!(reason(&body(vec![])), "batch: must not be empty");
        assert!(reason(&body((0..501).map(event).collect())).starts_with("batch: 501 events"));
        assert_eq!(reason(br#"{"sentAt":"2024-05-01T12:00:01Z"}"#), "batch: missing");
        assert_eq!(reason(br#"{"sentAt":"2024-05-01T12:00:01Z","batch":{}}"#), "batch: expected array");
        // A member given twice (a filter in front reading the first would see other events).
        let twice =
            String::from_utf8(body(vec![event(0)])).unwrap().replacen("\"batch\":", "\"batch\":[],\"batch\":", 1);
        assert_eq!(reason(twice.as_bytes()), "batch: given twice");
        assert_eq!(
            reason(br#"{"sentAt":"2024-05-01T12:00:01Z","sentAt":"2024-05-01T12:00:02Z","batch":[]}"#),
            "sentAt: given twice"
        );
        assert_eq!(reason(br#"{"batch":[]}"#), "sentAt: missing");
        assert_eq!(reason(br#"{"sentAt":1,"batch":[]}"#), "sentAt: expected string");
        assert!(reason(br#"{"sentAt":"yesterday","batch":[]}"#).starts_with("sentAt: expected an ISO"));
        assert!(reason(b"{").starts_with("body: invalid JSON"));
        assert!(reason(b"").starts_with("body: invalid JSON"));
        assert!(reason(b"[1]").starts_with("body: expected an object"));
        assert!(reason(b"\xff\xfe").starts_with("body: invalid JSON"));
        // A body broken inside one event is not a batch: its events cannot be told apart.
        let mut cut = body(vec![event(0), event(1)]);
        cut.truncate(cut.len() - 40);
        assert!(reason(&cut).starts_with("body: invalid JSON"));
        let mut trailing = body(vec![event(0)]);
        trailing.extend_from_slice(b" {}");
        assert!(reason(&trailing).starts_with("body: invalid JSON"));
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
            "2024-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2023-04-30T00:00:00Z",
            "2023-12-31T23:59:59Z",
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
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-01-00T00:00:00Z",
        ] {
            assert!(!is_iso8601(bad), "{bad}");
        }
    }

    /// An event's `timestamp` is RFC 3339: a zone is required (it was read as UTC, unsaid);
    /// `sentAt` and the read API's ranges keep taking a time without one.
    #[test]
    fn an_event_timestamp_needs_a_zone() {
        for zoned in [
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00.123z",
            "2024-05-01T23:59:60+05:30",
            "2024-05-01t12:00:00.123456789-08:00",
            "2024-05-01T12:00:00-00:00",
        ] {
            assert!(has_zone(zoned), "{zoned}");
            let mut e = event(1);
            e["timestamp"] = json!(zoned);
            assert!(parse_batch(&body(vec![e])).unwrap().rejected.is_empty(), "{zoned}");
        }
        for zoneless in ["2024-05-01T12:00:00", "2024-05-01T12:00:00.5", "2024-05-01T12:00:00.123456789"] {
            assert!(is_iso8601(zoneless) && !has_zone(zoneless), "{zoneless}");
            let mut e = event(1);
            e["timestamp"] = json!(zoneless);
            assert_eq!(why(e), "timestamp: no time zone (RFC 3339 needs Z or ±HH:MM: 2026-12-06T05:40:00Z)");
        }
        let mut e = event(1);
        e["timestamp"] = json!("2024-05-01 12:00:00Z");
        assert!(why(e).starts_with("timestamp: expected an RFC 3339 timestamp"));
        // sentAt is the batch's, and only checked for its form.
        let raw =
            String::from_utf8(body(vec![event(0)])).unwrap().replacen("2024-05-01T12:00:01Z", "2024-05-01T12:00:01", 1);
        assert!(parse_batch(raw.as_bytes()).unwrap().rejected.is_empty());
    }
}
