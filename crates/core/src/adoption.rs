//! Adopting the unsent events of tabs that are gone (closed, crashed), one tab at a time.
//!
//! The protocol, with the engine doing the storage reads and writes it asks for:
//! 1. ask for the `tp:adopt` Web Lock (`Output::RequestLock`);
//! 2. held: read storage, take every group whose owner has no fresh heartbeat, write it as one
//!    group of ours and remove the originals, all while the lock is held (the answer's handling
//!    and its outputs run inside the lock callback);
//!    busy: another tab is adopting, try again in `RETRY_MS`;
//!    no Web Locks or the request failed: the `tp:lease` key stands in for the lock: read it,
//!    write ours if it is free or expired, read it back, adopt only if ours is still there.
//!    (Best effort: localStorage has no compare-and-set, so two tabs can both win a race.)
//! 3. done for this page; a withdrawal of consent starts it over once consent returns, and
//!    another tab leaving (its heartbeat removed at its pagehide) starts it again.

use super::event::Encoded;
use super::input::LockAnswer;
use super::json::{cat, push_u64};
use super::output::Output;
use super::storage::{get, orphans, split_colon, Snapshot, LEASE, LEASE_MS};

/// How long to wait before trying again when another tab is adopting.
pub const RETRY_MS: u64 = 1_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Adoption {
    /// Try at this time (0: as soon as storage may be used).
    Waiting {
        at: u64,
    },
    /// The lock request is out.
    Locking,
    /// The lock is held; waiting for the storage snapshot.
    Reading,
    /// No lock: waiting for the snapshot that shows the lease.
    CheckingLease,
    /// Our lease is written; waiting for the snapshot that reads it back.
    ConfirmingLease {
        mine: String,
    },
    Done,
}

/// What a snapshot meant for the adoption.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    /// Events taken over, to queue and to write as one group of ours.
    pub adopted: Vec<Encoded>,
    /// Keys to remove after our copy is written: the orphans' groups, stale heartbeats, the lease.
    pub remove: Vec<String>,
    /// Writes to do before the next snapshot (our lease).
    pub write: Option<(String, String)>,
    /// The protocol needs another storage snapshot.
    pub read_again: bool,
}

#[derive(Debug)]
pub struct Adopter {
    pub state: Adoption,
}

impl Default for Adopter {
    fn default() -> Self {
        Adopter { state: Adoption::Waiting { at: 0 } }
    }
}

impl Adopter {
    /// When to try next, if waiting.
    pub fn deadline(&self) -> Option<u64> {
        match self.state {
            Adoption::Waiting { at } => Some(at),
            _ => None,
        }
    }

    /// Starts an attempt if one is due.
    pub fn poll(&mut self, now: u64, out: &mut Vec<Output>) {
        if self.deadline().is_some_and(|at| now >= at) {
            self.state = Adoption::Locking;
            out.push(Output::RequestLock);
        }
    }

    /// Returns true if a storage snapshot is now needed.
    pub fn on_lock(&mut self, answer: LockAnswer, now: u64) -> bool {
        if self.state != Adoption::Locking {
            return false; // a late answer after a purge or a restart
        }
        self.state = match answer {
            LockAnswer::Held => Adoption::Reading,
            LockAnswer::Busy => Adoption::Waiting { at: now + RETRY_MS },
            LockAnswer::Failed | LockAnswer::Unsupported => Adoption::CheckingLease,
        };
        matches!(self.state, Adoption::Reading | Adoption::CheckingLease)
    }

    pub fn on_snapshot(&mut self, snapshot: &Snapshot, tab: &str, now: u64) -> Step {
        let mut step = Step::default();
        match std::mem::replace(&mut self.state, Adoption::Done) {
            Adoption::Reading => (step.adopted, step.remove) = orphans(snapshot, tab, now),
            Adoption::CheckingLease => {
                if let Some((holder, expiry)) = get(snapshot, LEASE).and_then(split_colon) {
                    if holder != tab && super::config::parse_u64(expiry).unwrap_or(0) > now {
                        self.state = Adoption::Waiting { at: now + RETRY_MS };
                        return step;
                    }
                }
                let mut mine = cat(&[tab, ":"]);
                push_u64(&mut mine, now + LEASE_MS);
                step.write = Some((LEASE.into(), mine.clone()));
                step.read_again = true;
                self.state = Adoption::ConfirmingLease { mine };
            }
            Adoption::ConfirmingLease { mine } => {
                if get(snapshot, LEASE) == Some(mine.as_str()) {
                    (step.adopted, step.remove) = orphans(snapshot, tab, now);
                    step.remove.push(LEASE.into());
                } else {
                    // Another tab wrote in between: it won; leave the orphans to it.
                    self.state = Adoption::Waiting { at: now + RETRY_MS };
                }
            }
            other => self.state = other, // not waiting for a snapshot
        }
        step
    }

    /// Consent withdrawn (storage purged): adopt again once it returns.
    pub fn restart(&mut self) {
        self.state = Adoption::Waiting { at: 0 };
    }

    /// Another tab left while this one goes on (a shopper who closed one tab and keeps using
    /// another, with no page load to adopt at): adopt again, unless an attempt is under way.
    pub fn again(&mut self) {
        if self.state == Adoption::Done {
            self.restart();
        }
    }

    /// Storage cannot be used: there is nothing we could adopt, now or later.
    pub fn abandon(&mut self) {
        self.state = Adoption::Done;
    }
}
