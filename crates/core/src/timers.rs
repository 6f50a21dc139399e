//! The engine's one timer table: every deadline it has, by name. `Engine::poll_timeout` is the
//! earliest of them; the web layer keeps a single browser timer armed at that instant and re-arms
//! it only when the earliest deadline changes. Later detectors add their own entries here.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The outbox's next send (batch age, retry backoff).
    Flush = 0,
    /// This tab's next heartbeat in storage.
    Heartbeat = 1,
    /// The next try at adopting closed tabs' events (another tab held the lock).
    Adoption = 2,
    /// Writing the events captured since the last write to storage, as one group.
    Persist = 3,
    /// The earliest friction detector deadline (a rage burst ends, a dead click's wait is over).
    Friction = 4,
    /// The journey's next deadline (an element in view long enough for `element_view`).
    Journey = 5,
}

const COUNT: usize = 6;
const ALL: [Timer; COUNT] =
    [Timer::Flush, Timer::Heartbeat, Timer::Adoption, Timer::Persist, Timer::Friction, Timer::Journey];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timers {
    at: [Option<u64>; COUNT],
}

impl Timers {
    pub fn set(&mut self, timer: Timer, at: Option<u64>) {
        self.at[timer as usize] = at;
    }

    pub fn get(&self, timer: Timer) -> Option<u64> {
        self.at[timer as usize]
    }

    /// The earliest deadline, if any.
    pub fn next(&self) -> Option<u64> {
        self.at.iter().flatten().min().copied()
    }

    /// Timers due at `now`, cleared as they are returned.
    pub fn expired(&mut self, now: u64) -> Vec<Timer> {
        let mut due = Vec::new();
        for t in ALL {
            if self.at[t as usize].is_some_and(|at| at <= now) {
                self.at[t as usize] = None;
                due.push(t);
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_the_earliest_and_expired_clears_only_what_is_due() {
        let mut t = Timers::default();
        assert_eq!(t.next(), None);
        t.set(Timer::Heartbeat, Some(30));
        t.set(Timer::Flush, Some(50));
        t.set(Timer::Adoption, Some(10));
        assert_eq!(t.next(), Some(10));
        assert_eq!(t.expired(30), [Timer::Heartbeat, Timer::Adoption]);
        assert_eq!(t.next(), Some(50));
        assert_eq!(t.expired(49), []);
        t.set(Timer::Flush, None);
        assert_eq!(t.next(), None);
    }
}
