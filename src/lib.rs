//! Touchpoint: an in-browser customer-experience tracker.
//!
//! - `core`: pure logic (event model, consent, batching, retry, scrubbing, wire encoding),
//!   compiled and tested everywhere.
//! - `web`: the browser adapters and the `#[wasm_bindgen]` entry points, wasm32 only.
pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;
