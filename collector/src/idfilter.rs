//! An in-memory Bloom filter of every stored message id, so that the writer asks SQLite's `seen`
//! table only about ids that may be in it: a new random id is almost always answered "surely
//! not" here (one cache line read), where a look-up in `seen` descended a b-tree of text keys
//! (about a fifth of the writer thread's time in the load benchmark's profile).
//!
//! False positives only cost a look-up in `seen`; there are no false negatives, as long as every
//! id in `seen` or `events` was added (the writer adds the ids of `seen` when it starts, and
//! every id it accepts).
//!
//! Generations instead of rebuilds: when the newest generation holds its capacity, a new one
//! twice as big is added (a look-up reads one cache line per generation), so the filter never
//! stops the writer to be rebuilt. About 12 bits per id (~1 % false positives per generation),
//! [`MAX_BYTES`] at most: past that the last generation keeps filling up and gets less precise,
//! which only sends more look-ups to `seen`.
//!
//! Hand-written (one small file with its tests) rather than a crate: the growth by generations
//! and the one-cache-line blocks are what the measurement above needed. A growable Bloom filter
//! crate (e.g. `growable-bloom-filter`) was not tried against it; if this file has to change,
//! try that first.

use std::hash::BuildHasher;

/// Bits per id a generation is sized for.
const BITS_PER_ID: usize = 12;
/// Bits set per id, all in one 512-bit block (one cache line).
const K: u32 = 7;
/// The smallest generation, in ids.
pub const MIN_CAPACITY: usize = 1 << 20;
/// Memory for all generations together at most.
pub const MAX_BYTES: usize = 256 << 20;

type Block = [u64; 8];

struct Generation {
    blocks: Vec<Block>,
    len: usize,
    capacity: usize,
}

impl Generation {
    fn new(capacity: usize) -> Generation {
        let blocks = (capacity * BITS_PER_ID).div_ceil(512).max(1);
        Generation { blocks: vec![[0; 8]; blocks], len: 0, capacity }
    }

    fn bytes(&self) -> usize {
        self.blocks.len() * 64
    }

    fn block(&self, a: u64) -> usize {
        ((u128::from(a) * self.blocks.len() as u128) >> 64) as usize
    }

    fn insert(&mut self, (a, b): (u64, u64)) {
        let i = self.block(a);
        let block = &mut self.blocks[i];
        for j in 0..K {
            let bit = (b >> (9 * j)) & 511;
            block[(bit >> 6) as usize] |= 1 << (bit & 63);
        }
        self.len += 1;
    }

    fn may_contain(&self, (a, b): (u64, u64)) -> bool {
        let block = &self.blocks[self.block(a)];
        (0..K).all(|j| {
            let bit = (b >> (9 * j)) & 511;
            block[(bit >> 6) as usize] & (1 << (bit & 63)) != 0
        })
    }
}

pub struct IdFilter {
    generations: Vec<Generation>,
    /// Two independent hashers (seeded per process): the block, and the bits in it.
    hashers: (foldhash::fast::RandomState, foldhash::fast::RandomState),
}

impl IdFilter {
    /// A filter for `expected` ids to begin with (it grows past that).
    pub fn with_capacity(expected: usize) -> IdFilter {
        let capacity = expected.clamp(MIN_CAPACITY, MAX_BYTES * 8 / BITS_PER_ID);
        IdFilter { generations: vec![Generation::new(capacity)], hashers: Default::default() }
    }

    fn keys(&self, id: &str) -> (u64, u64) {
        (self.hashers.0.hash_one(id), self.hashers.1.hash_one(id))
    }

    pub fn insert(&mut self, id: &str) {
        let keys = self.keys(id);
        let last = self.generations.last().expect("one generation at least");
        if last.len >= last.capacity {
            let used: usize = self.generations.iter().map(Generation::bytes).sum();
            let next = last.capacity * 2;
            if used + next * BITS_PER_ID / 8 <= MAX_BYTES {
                self.generations.push(Generation::new(next));
            }
        }
        self.generations.last_mut().expect("one generation at least").insert(keys);
    }

    /// False: `id` was surely never inserted. True: it may have been.
    pub fn may_contain(&self, id: &str) -> bool {
        let keys = self.keys(id);
        self.generations.iter().any(|g| g.may_contain(keys))
    }

    /// Bytes of memory held.
    pub fn bytes(&self) -> usize {
        self.generations.iter().map(Generation::bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_few_false_positives_and_it_grows() {
        let mut f = IdFilter::with_capacity(0);
        let n = MIN_CAPACITY + MIN_CAPACITY / 2;
        for i in 0..n {
            f.insert(&format!("in-{i}"));
        }
        assert_eq!(f.generations.len(), 2, "a second generation once the first is full");
        assert!((0..n).all(|i| f.may_contain(&format!("in-{i}"))));
        let fp = (0..100_000).filter(|i| f.may_contain(&format!("out-{i}"))).count();
        assert!(fp < 3_000, "{fp} false positives in 100,000");
        assert!(f.bytes() < 6 << 20);
    }
}
