//! What the engine asks the web layer to do. The driver executes each output after the engine's
//! borrow is released; outputs marked "answer with" must be answered with that input before the
//! driver polls the next output (they are synchronous in the browser).

use super::consent::Consent;

#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// POST `body` to the collector; answer (later) with `Input::HttpAnswer { request, .. }`.
    /// `keepalive`: the page is leaving (request 0 is never in flight: its answer is ignored).
    Send {
        request: u64,
        body: String,
        keepalive: bool,
    },
    /// `navigator.sendBeacon(collector, body)`; answer with `Input::BeaconAnswer { chunk, .. }`.
    Beacon {
        chunk: usize,
        body: String,
    },
    StorageSet {
        key: String,
        value: String,
    },
    StorageRemove {
        key: String,
    },
    /// Remove every `tp:` key of localStorage and sessionStorage (consent withdrawn), or only
    /// the keys that start with `only` (`storage::IDENTITY`: the anonymous id and the
    /// customer's); then stop writing until the engine asks again.
    StoragePurge {
        only: Option<&'static str>,
    },
    /// A key kept apart from the event queue: the tab's session in `sessionStorage`
    /// (`session`), or the remembered consent in `localStorage`. A failure is ignored (the
    /// session then lasts as long as the page; the visitor is asked again).
    Remember {
        key: &'static str,
        value: String,
        session: bool,
    },
    /// Answer with `Input::StorageSnapshot` (every `tp:` key and value).
    ReadStorage,
    /// Ask for the `tp:adopt` Web Lock; answer with `Input::LockAnswer` (possibly later).
    RequestLock,
    /// The consent state changed (or was set at start): tell the page (`touchpoint:consent`).
    ConsentChanged(Consent),
    /// One console warning.
    Warn(String),
    /// For the debug overlay (only when it is on): `c<event JSON>` an event was captured,
    /// `s<id>,<id>...` events left the queue (acknowledged by the collector or taken by a beacon).
    Debug(String),
    /// Whether a click waits for a response: the sensors report DOM changes and other responses
    /// (`Input::Response`) only while this is on, so an idle page pays no MutationObserver.
    Watch(bool),
    /// Whether the sensors should report at all. Off while no event could be kept (analytics
    /// denied, or pending with the buffer full): a click would then cost the page its element
    /// group, a response watch and the engine's work, a scroll or a keystroke its record and a
    /// hand-over, all for events dropped on capture. Only what keeps the engine's picture of
    /// the page right goes on (lifecycle, route changes, window focus, consent). On again when
    /// consent allows keeping events. (The sensors start on.)
    Sensing(bool),
}
