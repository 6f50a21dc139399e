//! The pure core of Touchpoint.
//!
//! Nothing in here touches a clock, the DOM, storage or the network: time, randomness and
//! browser facts come in as arguments, and decisions come out as return values. That keeps the
//! logic deterministic and testable on the host with plain `cargo test`, and lets the collector
//! reuse the same rules.

// Membership tests are written `iter().any(|x| *x == y)`, not `contains`: `<[T]>::contains` is
// specialised per element type (for bytes it brings memchr), measured larger in the shipped wasm
// (the size-core commits: -67 B gzip for four u32 tests, and the memchr searchers out).
#![allow(clippy::manual_contains)]
pub mod adoption;
pub mod config;
pub mod consent;
pub mod element;
pub mod engine;
pub mod event;
pub mod friction;
pub mod input;
pub mod journey;
pub mod json;
pub mod name;
pub mod outbox;
pub mod output;
pub mod properties;
pub mod rate_limit;
pub mod remembered;
pub mod schema;
pub mod score;
pub mod scrub;
pub mod storage;
pub mod time;
pub mod timers;
pub mod tracker;
