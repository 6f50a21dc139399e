//! RAII event listeners, in the spirit of gloo-events: dropping a `Listener` removes it.
//!
//! Why not gloo-events itself: the callbacks are the loader's sensor functions (plain JS, so an
//! input handler never enters wasm), already guarded, and every listener must carry the loader's
//! AbortSignal so that one `abort()` removes them all after an internal error.

use web_sys::{AddEventListenerOptions, EventListenerOptions, EventTarget};

use super::host::Host;

pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: js_sys::Function,
}

impl Listener {
    /// A passive listener (it never calls preventDefault, so it never delays scrolling), or None
    /// if the loader has no sensor for `kind`.
    pub fn new(host: &Host, target: &EventTarget, kind: &'static str, capture: bool) -> Option<Listener> {
        let callback = host.sensor(kind)?;
        let options = AddEventListenerOptions::new();
        options.set_passive(true);
        options.set_capture(capture);
        if let Some(signal) = host.signal() {
            options.set_signal(&signal);
        }
        // Cannot fail for a valid event name and options object.
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(kind, &callback, &options);
        Some(Listener { target: target.clone(), kind, capture, callback })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let options = EventListenerOptions::new();
        options.set_capture(self.capture);
        let _ = self.target.remove_event_listener_with_callback_and_event_listener_options(
            self.kind,
            &self.callback,
            &options,
        );
    }
}
