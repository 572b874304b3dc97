//! Faults a real org and the network between inflict on a client, on purpose and reproducibly.
//!
//! Every API request rolls the same four dice in the same order (jitter, unavailable, dropped
//! connection, lock error), whatever the rates, so the n-th request of a run meets the same
//! fate for a given [`FaultConfig::seed`]. Replacing the configuration (admin endpoint)
//! re-seeds the dice.
//!
//! What each fault does:
//! - **latency**: `latency_ms` plus up to `jitter_ms` (uniform) before the request runs.
//! - **unavailable**: 503 `SERVER_UNAVAILABLE`; the request does not run nor count.
//! - **dropped connection**: the request runs (and counts), then the connection is closed
//!   before any byte of the answer is sent: the client sees a transport error and cannot
//!   know whether its write happened, like a reset after the commit.
//! - **lock error** (`UNABLE_TO_LOCK_ROW`, writes only; the request does not run):
//!   - single-record sObject writes: 400 with the REST error array;
//!   - sObject Collections writes: 200 with every record failed with `UNABLE_TO_LOCK_ROW`
//!     (keyed `statusCode`), as when all rows of the call wait on one locked parent;
//!   - Composite: 200 with every subrequest failed with a 400 lock error, only when all
//!     subrequests are writes (a call that also reads runs normally);
//!   - Bulk API: never on the HTTP calls; the job processor asks
//!     [`Faults::roll_row_lock_error`] per row and reports the row failed, as Bulk does.
//! - **session expiry**: [`Faults::session_expiry`] is read by the auth module.

mod layer;
mod lock;
mod outer;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::FaultConfig;

pub use layer::wrap;
pub use outer::outer_layers;

/// Longest latency (fixed plus jitter) the org accepts: longer would only hang tests.
pub const MAX_LATENCY_MS: u64 = 120_000;

/// Mixed into the seed of the per-row dice so that they differ from the request dice.
const ROW_DICE_SALT: u64 = 0x005e_ed0f_b01c_u64;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FaultConfigError {
    #[error("{field} is {value}, but it is a share of requests: give a number from 0 to 1")]
    Rate { field: &'static str, value: f64 },
    #[error("latency_ms + jitter_ms is {0} ms: keep it at most {MAX_LATENCY_MS} ms")]
    Latency(u64),
}

/// What the dice decided for one API request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fate {
    pub latency: Duration,
    pub unavailable: bool,
    pub drop_connection: bool,
    pub lock_error: bool,
}

struct Dice {
    config: FaultConfig,
    requests: StdRng,
    rows: StdRng,
}

impl Dice {
    fn new(config: FaultConfig) -> Dice {
        Dice {
            requests: StdRng::seed_from_u64(config.seed),
            rows: StdRng::seed_from_u64(config.seed ^ ROW_DICE_SALT),
            config,
        }
    }
}

/// The org's fault settings and dice, held by [`super::Org`].
pub struct Faults {
    dice: Mutex<Dice>,
}

impl Faults {
    /// Rates outside 0..=1 are clamped and an excessive latency is capped: a start-up
    /// configuration is never refused (the admin endpoint does refuse them, see [`Faults::set`]).
    pub fn new(config: FaultConfig) -> Faults {
        Faults {
            dice: Mutex::new(Dice::new(sanitized(config))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Dice> {
        // The dice hold no invariant a panic could break.
        self.dice
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Replaces the configuration and re-seeds the dice.
    pub fn set(&self, config: FaultConfig) -> Result<(), FaultConfigError> {
        validate(&config)?;
        *self.lock() = Dice::new(config);
        Ok(())
    }

    /// Early session expiry: sessions die this long after they were issued.
    pub fn session_expiry(&self) -> Option<Duration> {
        self.lock()
            .config
            .session_expiry_secs
            .map(Duration::from_secs)
    }

    /// Rolls the dice for one API request.
    pub fn roll(&self) -> Fate {
        let mut dice = self.lock();
        let Dice {
            config, requests, ..
        } = &mut *dice;
        let jitter = requests.random::<f64>();
        let unavailable = requests.random::<f64>();
        let drop_connection = requests.random::<f64>();
        let lock_error = requests.random::<f64>();
        let jitter_ms = (config.jitter_ms as f64 * jitter).round() as u64;
        Fate {
            latency: Duration::from_millis(config.latency_ms + jitter_ms),
            unavailable: unavailable < config.server_unavailable_rate,
            drop_connection: drop_connection < config.drop_connection_rate,
            lock_error: lock_error < config.lock_error_rate,
        }
    }

    /// Whether one row of a Bulk job fails with `UNABLE_TO_LOCK_ROW`, at the lock error rate
    /// (dice of their own, so background jobs do not shift the request dice).
    pub fn roll_row_lock_error(&self) -> bool {
        let mut dice = self.lock();
        let rate = dice.config.lock_error_rate;
        dice.rows.random::<f64>() < rate
    }
}

fn rates(config: &FaultConfig) -> [(&'static str, f64); 3] {
    [
        ("server_unavailable_rate", config.server_unavailable_rate),
        ("lock_error_rate", config.lock_error_rate),
        ("drop_connection_rate", config.drop_connection_rate),
    ]
}

fn validate(config: &FaultConfig) -> Result<(), FaultConfigError> {
    for (field, value) in rates(config) {
        if !(0.0..=1.0).contains(&value) {
            return Err(FaultConfigError::Rate { field, value });
        }
    }
    let latency = config.latency_ms.saturating_add(config.jitter_ms);
    if latency > MAX_LATENCY_MS {
        return Err(FaultConfigError::Latency(latency));
    }
    Ok(())
}

fn sanitized(mut config: FaultConfig) -> FaultConfig {
    for rate in [
        &mut config.server_unavailable_rate,
        &mut config.lock_error_rate,
        &mut config.drop_connection_rate,
    ] {
        *rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
    }
    config.latency_ms = config.latency_ms.min(MAX_LATENCY_MS);
    config.jitter_ms = config.jitter_ms.min(MAX_LATENCY_MS - config.latency_ms);
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fates(config: &FaultConfig, n: usize) -> Vec<Fate> {
        let faults = Faults::new(config.clone());
        (0..n).map(|_| faults.roll()).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_fates() {
        let config = FaultConfig {
            jitter_ms: 50,
            server_unavailable_rate: 0.3,
            lock_error_rate: 0.3,
            drop_connection_rate: 0.3,
            seed: 7,
            ..Default::default()
        };
        assert_eq!(fates(&config, 200), fates(&config, 200));
        assert_ne!(
            fates(&config, 200),
            fates(
                &FaultConfig {
                    seed: 8,
                    ..config.clone()
                },
                200
            )
        );
    }

    #[test]
    fn rates_are_honoured_over_many_rolls() {
        let config = FaultConfig {
            server_unavailable_rate: 0.25,
            seed: 42,
            ..Default::default()
        };
        let hits = fates(&config, 4_000)
            .iter()
            .filter(|f| f.unavailable)
            .count();
        assert!((800..=1_200).contains(&hits), "{hits} of 4000 at 25%");
        let never = fates(
            &FaultConfig {
                seed: 42,
                ..Default::default()
            },
            500,
        );
        assert!(
            never
                .iter()
                .all(|f| !f.unavailable && !f.drop_connection && !f.lock_error)
        );
        let always = FaultConfig {
            drop_connection_rate: 1.0,
            ..Default::default()
        };
        assert!(fates(&always, 500).iter().all(|f| f.drop_connection));
    }

    #[test]
    fn latency_stays_within_fixed_plus_jitter() {
        let config = FaultConfig {
            latency_ms: 100,
            jitter_ms: 20,
            seed: 3,
            ..Default::default()
        };
        let latencies: Vec<u128> = fates(&config, 500)
            .iter()
            .map(|f| f.latency.as_millis())
            .collect();
        assert!(latencies.iter().all(|ms| (100..=120).contains(ms)));
        assert!(latencies.iter().any(|ms| *ms < 105) && latencies.iter().any(|ms| *ms > 115));
    }

    #[test]
    fn bad_settings_are_refused_at_run_time_and_tamed_at_start() {
        let cases = [
            (
                FaultConfig {
                    lock_error_rate: 1.5,
                    ..Default::default()
                },
                "lock_error_rate",
            ),
            (
                FaultConfig {
                    server_unavailable_rate: -0.1,
                    ..Default::default()
                },
                "server_unavailable_rate",
            ),
            (
                FaultConfig {
                    drop_connection_rate: f64::NAN,
                    ..Default::default()
                },
                "drop_connection_rate",
            ),
            (
                FaultConfig {
                    latency_ms: MAX_LATENCY_MS,
                    jitter_ms: 1,
                    ..Default::default()
                },
                "latency_ms",
            ),
        ];
        for (config, field) in cases {
            let faults = Faults::new(config.clone());
            let started = faults.config();
            assert!(validate(&started).is_ok(), "{started:?}");
            let err = faults.set(config).unwrap_err();
            assert!(err.to_string().contains(field), "{err}");
        }
    }

    #[test]
    fn session_expiry_follows_the_configuration() {
        let faults = Faults::new(FaultConfig::default());
        assert_eq!(faults.session_expiry(), None);
        faults
            .set(FaultConfig {
                session_expiry_secs: Some(30),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(faults.session_expiry(), Some(Duration::from_secs(30)));
    }
}
