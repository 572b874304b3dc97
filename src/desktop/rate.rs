//! Records per second and time left of a running sync, from how far it got and when. Pure:
//! the caller passes the elapsed time, so tests need no clock.

use std::collections::VecDeque;

/// The rate is measured over this many recent seconds, so that a slow start or a pause does
/// not weigh on the estimate for long.
const WINDOW_SECONDS: f64 = 10.0;

#[derive(Debug, Clone, Default)]
pub struct RateMeter {
    /// (seconds since the phase started, records done), oldest first.
    samples: VecDeque<(f64, u64)>,
}

impl RateMeter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything, for a new phase whose counts start again from zero.
    pub fn reset(&mut self) {
        self.samples.clear();
    }

    /// Notes that `done` records were done `at` seconds after the start.
    pub fn record(&mut self, at: f64, done: u64) {
        if let Some(&(last_at, last_done)) = self.samples.back()
            && (at < last_at || done < last_done)
        {
            // Counts went backwards: a new phase. Start over rather than report nonsense.
            self.samples.clear();
        }
        self.samples.push_back((at, done));
        while self.samples.len() > 2
            && self
                .samples
                .front()
                .is_some_and(|&(first, _)| at - first > WINDOW_SECONDS)
        {
            self.samples.pop_front();
        }
    }

    /// Records per second over the recent window; 0 until two samples a moment apart.
    pub fn per_second(&self) -> f64 {
        let (Some(&(first_at, first_done)), Some(&(last_at, last_done))) =
            (self.samples.front(), self.samples.back())
        else {
            return 0.0;
        };
        let seconds = last_at - first_at;
        if seconds <= 0.0 {
            return 0.0;
        }
        last_done.saturating_sub(first_done) as f64 / seconds
    }

    /// Seconds until `total` at the current rate; `None` while the rate is unknown.
    pub fn eta_seconds(&self, total: u64) -> Option<f64> {
        let done = self.samples.back().map(|&(_, done)| done)?;
        if done >= total {
            return Some(0.0);
        }
        let rate = self.per_second();
        (rate > 0.0).then(|| (total - done) as f64 / rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(samples: &[(f64, u64)]) -> RateMeter {
        let mut meter = RateMeter::new();
        for &(at, done) in samples {
            meter.record(at, done);
        }
        meter
    }

    #[test]
    fn rate_and_eta() {
        // (samples as (seconds, done), total, records per second, eta)
        type Case<'a> = (&'a [(f64, u64)], u64, f64, Option<f64>);
        let cases: &[Case] = &[
            (&[], 100, 0.0, None),
            (&[(1.0, 10)], 100, 0.0, None),
            (&[(0.0, 0), (2.0, 100)], 300, 50.0, Some(4.0)),
            (&[(0.0, 0), (1.0, 10), (2.0, 20)], 20, 10.0, Some(0.0)),
            // A stall: no progress, no estimate.
            (&[(0.0, 50), (3.0, 50)], 100, 0.0, None),
            // Only the last ten seconds count: the slow start is forgotten.
            (
                &[(0.0, 0), (10.0, 10), (15.0, 510), (20.0, 1010)],
                2010,
                100.0,
                Some(10.0),
            ),
            // Counts going back start a new measure.
            (
                &[(0.0, 0), (1.0, 500), (2.0, 10), (3.0, 30)],
                50,
                20.0,
                Some(1.0),
            ),
        ];
        for (samples, total, rate, eta) in cases {
            let m = meter(samples);
            assert!(
                (m.per_second() - rate).abs() < 1e-9,
                "{samples:?}: rate {} want {rate}",
                m.per_second()
            );
            match (m.eta_seconds(*total), eta) {
                (Some(got), Some(want)) => {
                    assert!(
                        (got - want).abs() < 1e-9,
                        "{samples:?}: eta {got} want {want}"
                    )
                }
                (got, want) => assert_eq!(got, *want, "{samples:?}"),
            }
        }
    }

    #[test]
    fn reset_forgets_the_old_phase() {
        let mut m = meter(&[(0.0, 0), (1.0, 100)]);
        m.reset();
        assert_eq!(m.per_second(), 0.0);
        assert_eq!(m.eta_seconds(10), None);
    }
}
