//! RAII event listeners, in the spirit of gloo-events: dropping a `Listener` removes it.
//!
//! Why not gloo-events itself: every callback the browser invokes must go through the loader's
//! guard (a JS try/catch that disables Touchpoint on an internal error instead of letting an
//! exception escape into the shop's page), and listeners must carry the loader's AbortSignal so
//! that one `abort()` removes them all. gloo's options have neither.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AddEventListenerOptions, Event, EventListenerOptions, EventTarget};

use super::host::Host;

pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: js_sys::Function,
    // Kept alive for as long as the listener is registered; freed on drop.
    _closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// A passive listener (it never calls preventDefault, so it never delays scrolling).
    pub fn new(
        host: &Host,
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        // Boxed, not generic: one copy of this function instead of one per listener (size).
        handler: Box<dyn FnMut(Event)>,
    ) -> Listener {
        let closure = Closure::wrap(handler);
        let callback = host.guard(closure.as_ref().unchecked_ref());
        let options = AddEventListenerOptions::new();
        options.set_passive(true);
        options.set_capture(capture);
        if let Some(signal) = &host.signal {
            options.set_signal(signal);
        }
        // Cannot fail for a valid event name and options object.
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(kind, &callback, &options);
        Listener { target: target.clone(), kind, capture, callback, _closure: closure }
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
