//! `--timeout`: the time bound of a whole run, after which gathering stops and what was gathered is written.

use std::time::{Duration, Instant};

/// When gathering must stop; `None` without `--timeout`.
#[derive(Clone, Copy, Default)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// The deadline `timeout` after `start`, or none.
    pub fn new(start: Instant, timeout: Option<Duration>) -> Deadline {
        Deadline(timeout.map(|t| {
            start
                .checked_add(t)
                .unwrap_or(start + Duration::from_secs(86_400))
        }))
    }

    /// Whether the time is up.
    pub fn passed(&self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    /// The time left, if there is a deadline.
    pub fn remaining(&self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_never_passes() {
        let d = Deadline::default();
        assert!(!d.passed());
        assert!(d.remaining().is_none());
        let d = Deadline::new(Instant::now(), None);
        assert!(!d.passed());
    }

    #[test]
    fn zero_passes_at_once() {
        let d = Deadline::new(Instant::now(), Some(Duration::ZERO));
        assert!(d.passed());
        assert_eq!(d.remaining(), Some(Duration::ZERO));
        let d = Deadline::new(Instant::now(), Some(Duration::from_secs(60)));
        assert!(!d.passed());
        assert!(d.remaining().is_some_and(|r| r > Duration::from_secs(59)));
    }
}
