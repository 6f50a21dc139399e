//! localStorage persistence of the unsent queue and the marketing id.
//!
//! Why localStorage and not IndexedDB: it is synchronous, so an event is on disk before the
//! `pagehide` handler returns (IndexedDB transactions may not commit on a closing tab), and it
//! costs no extra glue. Writes are incremental: one key per event, written once when queued and
//! removed once acknowledged — never the whole queue re-serialised.
//! Every call may throw (quota, disabled storage, private mode): then we degrade to memory only.
//!
//! Keys (all start with `tp:`, so a withdrawal can remove every one of them):
//! - `tp:q:<tab>:<messageId>`: an unsent event, owned by tab `<tab>`;
//! - `tp:tab:<tab>`: that tab's heartbeat (ms); removed on `pagehide`, so its events can be
//!   adopted by the next page at once;
//! - `tp:lease`: `<tab>:<expiry ms>`, held while a tab adopts orphaned events, so two tabs never
//!   adopt (and send) the same event; only where the browser lacks Web Locks (the adoption
//!   then runs under the `tp:adopt` lock instead, which leaves nothing in storage);
//! - `tp:aid`: the anonymous id, only with marketing consent.

use web_sys::Storage;

use crate::core::config::parse_u64;
use crate::core::event::Encoded;
use crate::core::json::cat;

pub const PREFIX: &str = "tp:";
const QUEUE: &str = "tp:q:";
const TAB: &str = "tp:tab:";
const LEASE: &str = "tp:lease";
pub const IDENTITY: &str = "tp:aid";
/// A tab that has not written its heartbeat for this long is presumed gone (crashed).
const TAB_STALE_MS: u64 = 10 * 60 * 1000;
const LEASE_MS: u64 = 5_000;

pub struct Store {
    storage: Option<Storage>,
    tab: String,
}

impl Store {
    /// A handle that touches nothing until consent allows it (`open`).
    pub fn closed(tab: String) -> Store {
        Store { storage: None, tab }
    }

    pub fn open(&mut self) {
        if self.storage.is_none() {
            self.storage = super::window().and_then(|w| w.local_storage().ok().flatten());
        }
    }

    fn key(&self, message_id: &str) -> String {
        cat(&[QUEUE, &self.tab, ":", message_id])
    }

    /// Whether storage is usable (opened, and no write has failed).
    pub fn is_open(&self) -> bool {
        self.storage.is_some()
    }

    /// Whether this tab's copy of the event is still in storage.
    pub fn holds(&self, message_id: &str) -> bool {
        self.get(&self.key(message_id)).is_some()
    }

    pub fn persist(&mut self, event: &Encoded) {
        let key = self.key(&event.message_id);
        self.set(&key, &event.json);
    }

    pub fn remove(&self, message_id: &str) {
        self.delete(&self.key(message_id));
    }

    pub fn heartbeat(&mut self, now: u64) {
        let mut v = String::new();
        crate::core::json::push_u64(&mut v, now);
        let key = cat(&[TAB, &self.tab]);
        self.set(&key, &v);
    }

    /// This tab is going away: its remaining events become adoptable right now.
    pub fn leave(&self) {
        self.delete(&cat(&[TAB, &self.tab]));
    }

    /// Takes over the unsent events of tabs that are gone. `locked`: the caller holds the
    /// adoption's Web Lock, so no other tab can be adopting; otherwise the `tp:lease` key stands
    /// in for it. Returns None if another tab holds the lease (try again later).
    pub fn adopt_orphans(&mut self, locked: bool, now: u64) -> Option<Vec<Encoded>> {
        if !self.is_open() {
            // Unusable storage: there is nothing we could adopt, now or later.
            return Some(Vec::new());
        }
        if !locked && !self.lease(now) {
            return None;
        }
        let mut adopted = Vec::new();
        for key in self.keys() {
            let Some((owner, id)) = key.strip_prefix(QUEUE).and_then(split_colon) else { continue };
            if owner == self.tab || self.alive(owner, now) {
                continue;
            }
            let Some(json) = self.get(&key) else { continue };
            let event = Encoded { message_id: id.into(), json };
            self.persist(&event);
            self.delete(&key);
            adopted.push(event);
        }
        for key in self.keys() {
            if let Some(owner) = key.strip_prefix(TAB) {
                if !self.alive(owner, now) {
                    self.delete(&key);
                }
            }
        }
        if !locked {
            self.delete(LEASE);
        }
        // Not sorted: order does not matter to the collector (each event carries its capture
        // timestamp), and a sort costs about 3 KB of wasm.
        Some(adopted)
    }

    /// The fallback where the browser has no Web Locks: takes the `tp:lease` key unless another
    /// tab holds an unexpired one. Best effort: two tabs can both read it free before either
    /// writes, and the read-back below narrows that window without closing it.
    fn lease(&mut self, now: u64) -> bool {
        if let Some(lease) = self.get(LEASE) {
            let (holder, expiry) = split_colon(&lease).unwrap_or(("", "0"));
            if holder != self.tab && parse_u64(expiry).unwrap_or(0) > now {
                return false;
            }
        }
        let mut mine = cat(&[&self.tab, ":"]);
        crate::core::json::push_u64(&mut mine, now + LEASE_MS);
        self.set(LEASE, &mine);
        // Read back: if another tab wrote in between, it won; leave the orphans to it.
        self.get(LEASE).as_deref() == Some(mine.as_str())
    }

    fn alive(&self, tab: &str, now: u64) -> bool {
        self.get(&cat(&[TAB, tab]))
            .and_then(|v| parse_u64(&v))
            .is_some_and(|beat| now.saturating_sub(beat) < TAB_STALE_MS)
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.storage.as_ref()?.get_item(key).ok()?
    }

    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(s) = &self.storage {
            if s.set_item(key, value).is_err() {
                self.storage = None; // throwing storage: stop trying, keep working from memory
            }
        }
    }

    pub fn delete(&self, key: &str) {
        if let Some(s) = &self.storage {
            let _ = s.remove_item(key);
        }
    }

    /// Removes every key Touchpoint ever wrote (consent withdrawn), opening storage only for
    /// that: removal is always allowed.
    /// Afterwards the store is closed again: nothing more is written until consent returns.
    pub fn purge(&mut self, only: Option<&str>) {
        self.open();
        match only {
            // Only if present: a needless removeItem is still a storage write.
            Some(key) => {
                if self.get(key).is_some() {
                    self.delete(key);
                }
            }
            None => {
                for k in self.keys() {
                    self.delete(&k);
                }
                self.storage = None;
            }
        }
    }

    fn keys(&self) -> Vec<String> {
        let Some(s) = &self.storage else { return Vec::new() };
        let n = s.length().unwrap_or(0);
        let mut keys = Vec::new();
        for i in 0..n {
            if let Ok(Some(k)) = s.key(i) {
                if k.starts_with(PREFIX) {
                    keys.push(k);
                }
            }
        }
        keys
    }
}

/// `s.split_once(':')` by hand: the `char` pattern brings a memchr searcher (size).
fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}
