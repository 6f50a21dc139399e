//! localStorage persistence of the unsent queue and the marketing id.
//!
//! Why localStorage and not IndexedDB: it is synchronous, so an event is on disk before the
//! `pagehide` handler returns (IndexedDB transactions may not commit on a closing tab), and it
//! costs no extra glue. Writes are incremental: one key per event (`tp:q:<messageId>`), written
//! once when queued and removed once acknowledged — never the whole queue re-serialised.
//! Every call may throw (quota, disabled storage, private mode): then we degrade to memory only.

use web_sys::Storage;

use crate::core::event::Encoded;

pub const PREFIX: &str = "tp:";
const QUEUE: &str = "tp:q:";
pub const IDENTITY: &str = "tp:aid";

#[derive(Default)]
pub struct Store {
    storage: Option<Storage>,
}

impl Store {
    pub fn open() -> Store {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Store { storage }
    }

    pub fn persist(&mut self, event: &Encoded) {
        let ok = self
            .storage
            .as_ref()
            .map(|s| s.set_item(&[QUEUE, &event.message_id].concat(), &event.json).is_ok());
        if ok == Some(false) {
            self.storage = None; // throwing storage: stop trying, keep working from memory
        }
    }

    pub fn remove(&self, message_id: &str) {
        if let Some(s) = &self.storage {
            let _ = s.remove_item(&[QUEUE, message_id].concat());
        }
    }

    /// The previous pages' unsent events, oldest first.
    pub fn load_queue(&self) -> Vec<Encoded> {
        let mut out: Vec<Encoded> = self
            .keys()
            .into_iter()
            .filter_map(|k| {
                let id = k.strip_prefix(QUEUE)?.to_string();
                let json = self.storage.as_ref()?.get_item(&k).ok()??;
                Some(Encoded { message_id: id, json })
            })
            .collect();
        // ISO-8601 timestamps sort as text.
        out.sort_by(|a, b| timestamp(&a.json).cmp(timestamp(&b.json)));
        out
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.storage.as_ref()?.get_item(key).ok()?
    }

    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(s) = &self.storage {
            if s.set_item(key, value).is_err() {
                self.storage = None;
            }
        }
    }

    pub fn delete(&self, key: &str) {
        if let Some(s) = &self.storage {
            let _ = s.remove_item(key);
        }
    }

    /// Removes every key Touchpoint ever wrote (consent withdrawn).
    pub fn purge(&self) {
        for k in self.keys() {
            self.delete(&k);
        }
    }

    fn keys(&self) -> Vec<String> {
        let Some(s) = &self.storage else { return Vec::new() };
        let n = s.length().unwrap_or(0);
        (0..n).filter_map(|i| s.key(i).ok().flatten()).filter(|k| k.starts_with(PREFIX)).collect()
    }
}

fn timestamp(json: &str) -> &str {
    const KEY: &str = "\"timestamp\":\"";
    json.find(KEY).and_then(|i| json.get(i + KEY.len()..i + KEY.len() + 24)).unwrap_or("")
}
