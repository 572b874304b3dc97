//! How many Collections calls a push keeps in flight. Calls go out as soon as one returns
//! (a sliding window, not waves that wait for their slowest call), about ten at once; the
//! window halves when the org answers that records were locked by concurrent saves or that
//! too many requests run at once, and widens again by one with each clean answer.

use super::push::Outcome;

/// Calls in flight at most, and at first.
pub const MAX_IN_FLIGHT: usize = 10;

/// Record-level answers that say the org is saving too much at once.
const CONCURRENCY_CODES: &[&str] = &[
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "CONCURRENT_REQUESTS_LIMIT_EXCEEDED",
    "SERVER_UNAVAILABLE",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    size: usize,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            size: MAX_IN_FLIGHT,
        }
    }
}

impl Window {
    pub fn size(&self) -> usize {
        self.size
    }

    /// Adapts the window to one call's answers.
    pub fn answered(&mut self, outcomes: &[(usize, Outcome)]) {
        let crowded = outcomes.iter().any(|(_, outcome)| {
            matches!(outcome, Outcome::Failed(e) if CONCURRENCY_CODES.contains(&e.status_code.as_str()))
        });
        self.size = if crowded {
            (self.size / 2).max(1)
        } else {
            (self.size + 1).min(MAX_IN_FLIGHT)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::RecordError;

    fn written() -> (usize, Outcome) {
        (
            0,
            Outcome::Written {
                id: "001000000000001AAA".into(),
                created: false,
            },
        )
    }

    fn refused(code: &str) -> (usize, Outcome) {
        (
            1,
            Outcome::Failed(RecordError {
                status_code: code.into(),
                message: String::new(),
                fields: Vec::new(),
            }),
        )
    }

    #[test]
    fn locks_halve_the_window_and_clean_answers_widen_it_back() {
        let mut window = Window::default();
        assert_eq!(window.size(), 10);
        window.answered(&[written(), refused("UNABLE_TO_LOCK_ROW")]);
        assert_eq!(window.size(), 5);
        for _ in 0..4 {
            window.answered(&[refused("UNABLE_TO_LOCK_ROW")]);
        }
        assert_eq!(window.size(), 1, "never below one call");
        window.answered(&[written()]);
        assert_eq!(window.size(), 2);
        for _ in 0..20 {
            window.answered(&[written()]);
        }
        assert_eq!(window.size(), MAX_IN_FLIGHT);
    }

    #[test]
    fn a_record_refused_on_its_own_merits_leaves_the_window_alone() {
        let mut window = Window::default();
        window.answered(&[refused("FIELD_CUSTOM_VALIDATION_EXCEPTION")]);
        assert_eq!(window.size(), MAX_IN_FLIGHT);
    }
}
