//! What Touchpoint keeps in `localStorage`, decided here and written by the web layer.
//!
//! Keys (all start with `tp:`, so a withdrawal can remove every one of them):
//! - `tp:q:<tab>:<n>`: a group of unsent events of tab `<tab>`, one JSON event per line (a line
//!   beginning with a space: an event sent by a beacon, not yet confirmed; `outbox::is_probe`). A group
//!   is written once per scheduled task (a burst of clicks, a loop of `track` calls), not once
//!   per event, and removed when all its events are acknowledged (rewritten smaller, in the next
//!   task, when only some are);
//! - `tp:tab:<tab>`: that tab's heartbeat (ms); removed on `pagehide`, so its events can be
//!   adopted by the next page at once;
//! - `tp:lease`: `<tab>:<expiry ms>`, only where the browser lacks Web Locks;
//! - `tp:aid`: the anonymous id, only with marketing consent;
//! - `tp:aid:user`: the signed-in customer's id (`identify`), beside the anonymous id and under
//!   its rule: kept across visits only with marketing consent, removed at `reset`. Its name
//!   starts with `tp:aid` so that removing the identity (`Output::StoragePurge` with
//!   `IDENTITY`, a prefix) removes both;
//! - `tp:session`: the visit's session, also kept in each tab's sessionStorage
//!   (`journey::session`); read at start, and by the visit's other open tabs when one writes it
//!   (`Input::OtherTab`: a sign-in, a later one of another customer, or a sign-out there); never
//!   part of a snapshot (its fields are joined by U+001F, as a snapshot's keys and values are).

use super::event::Encoded;
use super::json::{cat, push_u64, split_byte};
use super::outbox::Outbox;
use super::output::Output;

pub const PREFIX: &str = "tp:";
pub const QUEUE: &str = "tp:q:";
pub const TAB: &str = "tp:tab:";
pub const LEASE: &str = "tp:lease";
pub const IDENTITY: &str = "tp:aid";
pub const CUSTOMER: &str = "tp:aid:user";
/// A tab that has not written its heartbeat for this long is presumed gone (crashed).
pub const TAB_STALE_MS: u64 = 10 * 60 * 1000;
/// How often a live tab writes its heartbeat.
pub const HEARTBEAT_MS: u64 = 30_000;
/// How long a lease (the fallback without Web Locks) is good for.
pub const LEASE_MS: u64 = 5_000;

/// `tp:` keys and values as read from storage.
pub type Snapshot = [(String, String)];

pub fn get<'a>(snapshot: &'a Snapshot, key: &str) -> Option<&'a str> {
    snapshot.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

pub fn heartbeat_key(tab: &str) -> String {
    cat(&[TAB, tab])
}

/// Whether tab `tab`'s heartbeat is fresh in `snapshot`.
pub fn alive(snapshot: &Snapshot, tab: &str, now: u64) -> bool {
    get(snapshot, &heartbeat_key(tab))
        .and_then(super::config::parse_u64)
        .is_some_and(|beat| now.saturating_sub(beat) < TAB_STALE_MS)
}

/// `s.split_once(':')` by hand: the `char` pattern brings a memchr searcher (size).
pub fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The events of one stored group. Each line is one event's JSON; its messageId is read from the
/// JSON (`fallback_id`, the key's last part, serves an older one-event-per-key entry without it).
pub fn parse_group(value: &str, fallback_id: &str) -> Vec<Encoded> {
    let mut events = Vec::new();
    for line in split_byte(value, b'\n') {
        if line.is_empty() {
            continue;
        }
        let id = message_id(line).unwrap_or(fallback_id);
        if !id.is_empty() {
            events.push(Encoded { message_id: id.into(), json: line.into() });
        }
    }
    events
}

fn message_id(json: &str) -> Option<&str> {
    const FIELD: &str = "\"messageId\":\"";
    let start = super::json::find(json, FIELD)? + FIELD.len();
    let len = json[start..].bytes().position(|b| b == b'"')?;
    Some(&json[start..start + len])
}

/// What adopting the orphans in `snapshot` means for tab `tab`: the events of tabs that are gone
/// (no fresh heartbeat), and the keys to remove (their groups and their stale heartbeats).
pub fn orphans(snapshot: &Snapshot, tab: &str, now: u64) -> (Vec<Encoded>, Vec<String>) {
    let mut events = Vec::new();
    let mut remove = Vec::new();
    for (key, value) in snapshot {
        if let Some((owner, rest)) = key.strip_prefix(QUEUE).and_then(split_colon) {
            if owner != tab && !alive(snapshot, owner, now) {
                events.extend(parse_group(value, rest));
                remove.push(key.clone());
            }
        } else if let Some(owner) = key.strip_prefix(TAB) {
            if owner != tab && !alive(snapshot, owner, now) {
                remove.push(key.clone());
            }
        }
    }
    // Not sorted: order does not matter to the collector (each event carries its capture
    // timestamp), and a sort costs about 3 KB of wasm.
    (events, remove)
}

/// This tab's groups of persisted events, and the events queued but not yet written.
#[derive(Debug)]
pub struct Journal {
    tab: String,
    next_group: u64,
    groups: Vec<Group>,
    unsaved: Vec<String>,
}

#[derive(Debug)]
struct Group {
    key: String,
    ids: Vec<String>,
    /// Some of its events left: rewrite it smaller at the next commit.
    dirty: bool,
}

impl Journal {
    pub fn new(tab: String) -> Journal {
        Journal { tab, next_group: 1, groups: Vec::new(), unsaved: Vec::new() }
    }

    pub fn tab(&self) -> &str {
        &self.tab
    }

    /// An event entered the outbox: it goes to storage at the next commit.
    pub fn queued(&mut self, message_id: &str) {
        self.unsaved.push(message_id.into());
    }

    /// Whether `commit` has anything to write.
    pub fn pending(&self) -> bool {
        !self.unsaved.is_empty() || self.groups.iter().any(|g| g.dirty)
    }

    /// Events left the outbox (acknowledged, rejected, beaconed, evicted): a group with none
    /// left is removed now (one `removeItem` per group, not per event).
    pub fn left(&mut self, ids: &[String], out: &mut Vec<Output>) {
        if ids.is_empty() {
            return;
        }
        self.unsaved.retain(|id| !ids.contains(id));
        self.groups.retain_mut(|g| {
            let before = g.ids.len();
            g.ids.retain(|id| !ids.contains(id));
            if g.ids.is_empty() {
                out.push(Output::StorageRemove { key: std::mem::take(&mut g.key) });
                return false;
            }
            g.dirty |= g.ids.len() != before;
            true
        });
    }

    /// Writes what is unsaved as one new group, and rewrites groups that shrank.
    pub fn commit(&mut self, outbox: &Outbox, out: &mut Vec<Output>) {
        for g in self.groups.iter_mut().filter(|g| g.dirty) {
            g.dirty = false;
            out.push(Output::StorageSet { key: g.key.clone(), value: lines(outbox, &g.ids) });
        }
        let ids = std::mem::take(&mut self.unsaved);
        if !ids.is_empty() {
            let value = lines(outbox, &ids);
            self.add_group(ids, value, out);
        }
    }

    /// Writes events taken over from closed tabs as one group of ours.
    pub fn adopt(&mut self, events: &[Encoded], out: &mut Vec<Output>) {
        if events.is_empty() {
            return;
        }
        let mut ids = Vec::new();
        let mut value = String::new();
        for e in events {
            push_line(&mut value, &e.json);
            ids.push(e.message_id.clone());
        }
        self.add_group(ids, value, out);
    }

    fn add_group(&mut self, ids: Vec<String>, value: String, out: &mut Vec<Output>) {
        let mut key = cat(&[QUEUE, &self.tab, ":"]);
        push_u64(&mut key, self.next_group);
        self.next_group += 1;
        out.push(Output::StorageSet { key: key.clone(), value });
        self.groups.push(Group { key, ids, dirty: false });
    }

    /// Every group is written again at the next commit (its events were rewritten).
    pub fn rewrite_all(&mut self) {
        for g in &mut self.groups {
            g.dirty = true;
        }
    }

    /// Back from the back/forward cache: groups whose key is gone were adopted by another page
    /// while this one was frozen. Returns their events' ids, for the caller to drop.
    pub fn taken_over(&mut self, snapshot: &Snapshot) -> Vec<String> {
        let mut taken = Vec::new();
        self.groups.retain_mut(|g| {
            let present = get(snapshot, &g.key).is_some();
            if !present {
                taken.append(&mut g.ids);
            }
            present
        });
        taken
    }

    /// Storage was purged or cannot be used: forget what we thought was there.
    pub fn clear(&mut self) {
        self.groups.clear();
        self.unsaved.clear();
    }
}

fn lines(outbox: &Outbox, ids: &[String]) -> String {
    let mut value = String::new();
    for e in outbox.events() {
        if ids.contains(&e.message_id) {
            push_line(&mut value, &e.json);
        }
    }
    value
}

fn push_line(value: &mut String, json: &str) {
    if !value.is_empty() {
        value.push('\n');
    }
    value.push_str(json);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::Policy;

    fn ev(id: &str) -> Encoded {
        Encoded { message_id: id.into(), json: cat(&["{\"messageId\":\"", id, "\",\"x\":\"a\\nb\"}"]) }
    }
    fn kv(k: &str, v: &str) -> (String, String) {
        (k.into(), v.into())
    }

    #[test]
    fn groups_round_trip_through_their_text() {
        let mut outbox = Outbox::new(Policy::default());
        let mut j = Journal::new("t1".into());
        for id in ["a", "b"] {
            outbox.push(ev(id), 0).unwrap();
            j.queued(id);
        }
        let mut out = Vec::new();
        j.commit(&outbox, &mut out);
        let [Output::StorageSet { key, value }] = &out[..] else { panic!("{out:?}") };
        assert_eq!(key, "tp:q:t1:1");
        assert_eq!(parse_group(value, "1"), vec![ev("a"), ev("b")]);
        assert!(!j.pending());
    }

    #[test]
    fn a_group_is_removed_once_when_all_its_events_left_and_rewritten_when_some_did() {
        let mut outbox = Outbox::new(Policy::default());
        let mut j = Journal::new("t".into());
        for id in ["a", "b", "c"] {
            outbox.push(ev(id), 0).unwrap();
            j.queued(id);
        }
        let mut out = Vec::new();
        j.commit(&outbox, &mut out);
        out.clear();
        outbox.forget(&["a".into()]);
        j.left(&["a".into()], &mut out);
        assert!(out.is_empty() && j.pending(), "shrunk: rewritten at the next commit, not now");
        j.commit(&outbox, &mut out);
        assert_eq!(
            out,
            vec![Output::StorageSet { key: "tp:q:t:1".into(), value: cat(&[&ev("b").json, "\n", &ev("c").json]) }]
        );
        out.clear();
        j.left(&["b".into(), "c".into()], &mut out);
        assert_eq!(out, vec![Output::StorageRemove { key: "tp:q:t:1".into() }]);
    }

    #[test]
    fn orphans_are_the_groups_of_tabs_without_a_fresh_heartbeat() {
        let now = TAB_STALE_MS * 3;
        let snap = vec![
            kv("tp:q:me:1", &ev("mine").json),
            kv("tp:tab:me", "0"),
            kv("tp:q:live:1", &ev("live").json),
            kv("tp:tab:live", &(now - 1000).to_string()),
            kv("tp:q:crashed:4", &cat(&[&ev("c1").json, "\n", &ev("c2").json])),
            kv("tp:tab:crashed", &(now - TAB_STALE_MS).to_string()),
            kv("tp:q:closed:old-id", "{\"event\":\"legacy\"}"),
            kv("tp:aid", "x"),
        ];
        let (events, remove) = orphans(&snap, "me", now);
        let ids: Vec<_> = events.iter().map(|e| e.message_id.as_str()).collect();
        assert_eq!(ids, ["c1", "c2", "old-id"]);
        assert_eq!(remove, ["tp:q:crashed:4", "tp:tab:crashed", "tp:q:closed:old-id"]);
    }

    #[test]
    fn taken_over_groups_are_the_ones_whose_keys_are_gone() {
        let mut outbox = Outbox::new(Policy::default());
        let mut j = Journal::new("t".into());
        let mut out = Vec::new();
        for id in ["a", "b"] {
            outbox.push(ev(id), 0).unwrap();
            j.queued(id);
            j.commit(&outbox, &mut out);
        }
        let snap = vec![kv("tp:q:t:2", "…")];
        assert_eq!(j.taken_over(&snap), ["a"]);
        assert_eq!(j.taken_over(&snap), Vec::<String>::new());
    }
}
