//! slow_interaction: an interaction (Event Timing entries grouped by `interactionId` in the
//! sensor) longer than 200 ms, the INP "good" bound: duration, target, and the input delay /
//! processing / presentation split. Once per burst on an element: the keystrokes typed into a
//! field during one stall of the page (a slow phone) are each slow, one slow field.

use super::{finding, Findings, Settings, Signal, Target};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interaction {
    pub duration: u64,
    pub input_delay: u64,
    pub processing: u64,
    pub presentation: u64,
    /// The event type of the entry whose handlers ran longest (`click`, `keydown`...), among
    /// those painted with the longest one (the loader's `interactionSplit`).
    pub kind: String,
    /// `interactionId`: entries of one interaction reported in two parts are one interaction.
    pub id: u64,
    pub target: Option<Target>,
}

/// A slow interaction on the element of the last one reported, less than this after the one
/// before it, is of the same burst (one stall of the page, typing that stays slow): not reported.
pub const BURST_GAP_MS: u64 = 1_000;

#[derive(Debug, Default)]
pub struct Slow {
    reported: Vec<u64>,
    /// The element of the burst under way (its key; 0: none known) and when it ends.
    burst: (u32, u64),
}

impl Slow {
    pub fn interaction(&mut self, s: &Settings, at: u64, began: u64, i: &Interaction, out: &mut Findings) {
        // any(), not contains(): <[u32]>::contains is an unrolled 0.17 KB function in the wasm (size).
        if i.duration <= s.slow_ms
            || i.target.as_ref().is_some_and(|t| !t.allows(Signal::Slow))
            || self.reported.iter().any(|&r| r == i.id)
        {
            return;
        }
        let key = i.target.as_ref().map_or(0, |t| t.key);
        let (last, until) = std::mem::replace(&mut self.burst, (key, at + BURST_GAP_MS));
        if last == key && at < until {
            return;
        }
        if self.reported.len() == 16 {
            self.reported.remove(0);
        }
        self.reported.push(i.id);
        let props = finding(i.target.as_ref().map(|t| t.descriptor.as_str()))
            .int("duration_ms", i.duration as i64)
            .int("input_delay_ms", i.input_delay as i64)
            .int("processing_ms", i.processing as i64)
            .int("presentation_ms", i.presentation as i64)
            .str("interaction", &i.kind)
            .finish();
        out.push((Signal::Slow, props, began));
    }
}
