//! Backoff with jitter for transient failures, and a circuit breaker so that a failing org is
//! given a rest instead of a stream of retries.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often and how patiently transient failures are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (1-based): exponential, capped, with "full
    /// jitter" so that many clients failing together do not come back together.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_delay);
        let half = ceiling / 2;
        half + ceiling.mul_f64(rand::random::<f64>() * 0.5)
    }
}

#[derive(Debug, Clone)]
pub struct BreakerConfig {
    /// Consecutive transient failures that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit refuses calls before letting one trial call through.
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 10,
            cool_down: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    consecutive_failures: u32,
    opened_at: Option<Instant>,
    trial_in_flight: bool,
}

#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            inner: Mutex::new(Inner {
                consecutive_failures: 0,
                opened_at: None,
                trial_in_flight: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn state(&self, now: Instant) -> BreakerState {
        let inner = self.lock();
        match inner.opened_at {
            None => BreakerState::Closed,
            Some(at) if now.duration_since(at) >= self.config.cool_down => BreakerState::HalfOpen,
            Some(_) => BreakerState::Open,
        }
    }

    /// Whether a call may go out now; when refused, the count of failures that opened it.
    pub fn admit(&self, now: Instant) -> Result<(), u32> {
        let mut inner = self.lock();
        match inner.opened_at {
            None => Ok(()),
            Some(at)
                if now.duration_since(at) >= self.config.cool_down && !inner.trial_in_flight =>
            {
                inner.trial_in_flight = true;
                Ok(())
            }
            Some(_) => Err(inner.consecutive_failures),
        }
    }

    pub fn record_success(&self) {
        let mut inner = self.lock();
        inner.consecutive_failures = 0;
        inner.opened_at = None;
        inner.trial_in_flight = false;
    }

    pub fn record_failure(&self, now: Instant) {
        let mut inner = self.lock();
        inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
        let failed_trial = inner.trial_in_flight;
        inner.trial_in_flight = false;
        if failed_trial || inner.consecutive_failures >= self.config.failure_threshold {
            if inner.opened_at.is_none() || failed_trial {
                tracing::warn!(
                    failures = inner.consecutive_failures,
                    "circuit opened: pausing calls to the org"
                );
            }
            inner.opened_at = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig {
            failure_threshold: 3,
            cool_down: Duration::from_secs(10),
        })
    }

    #[test]
    fn opens_after_threshold_and_half_opens_after_cool_down() {
        let b = breaker();
        let t0 = Instant::now();
        for _ in 0..2 {
            b.record_failure(t0);
        }
        assert_eq!(b.state(t0), BreakerState::Closed);
        b.record_failure(t0);
        assert_eq!(b.admit(t0 + Duration::from_secs(1)), Err(3));
        let later = t0 + Duration::from_secs(10);
        assert_eq!(b.state(later), BreakerState::HalfOpen);
        assert_eq!(b.admit(later), Ok(()), "one trial call goes through");
        assert!(b.admit(later).is_err(), "only one trial at a time");
        b.record_success();
        assert_eq!(b.state(later), BreakerState::Closed);
        assert_eq!(b.admit(later), Ok(()));
    }

    #[test]
    fn a_failed_trial_opens_again_for_a_full_cool_down() {
        let b = breaker();
        let t0 = Instant::now();
        (0..3).for_each(|_| b.record_failure(t0));
        let trial = t0 + Duration::from_secs(11);
        assert_eq!(b.admit(trial), Ok(()));
        b.record_failure(trial);
        assert!(b.admit(trial + Duration::from_secs(9)).is_err());
        assert_eq!(b.admit(trial + Duration::from_secs(10)), Ok(()));
    }

    #[test]
    fn success_resets_the_count() {
        let b = breaker();
        let t0 = Instant::now();
        (0..2).for_each(|_| b.record_failure(t0));
        b.record_success();
        (0..2).for_each(|_| b.record_failure(t0));
        assert_eq!(b.state(t0), BreakerState::Closed);
    }

    #[test]
    fn delays_grow_and_stay_capped() {
        let p = RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for (retry, low, high) in [(1, 50, 100), (2, 100, 200), (3, 200, 400), (7, 500, 1000)] {
            let d = p.delay(retry).as_millis();
            assert!((low..=high).contains(&d), "retry {retry}: {d} ms");
        }
    }
}
