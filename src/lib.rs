//! Tether keeps a team's own data and Salesforce in sync.

pub mod access;
pub mod analytics;
pub mod browse;
pub mod cli;
pub mod connect;
pub mod desktop;
pub mod explore;
pub mod import;
pub mod numbers;
pub mod records_write;
pub mod run;
pub mod salesforce;
pub mod setup;
pub mod sync;
#[cfg(feature = "gui")]
pub mod ui;
pub mod workspace;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Marks the moment the process started; `main` calls it first thing.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(Instant::now);
}

/// Time since [`mark_process_start`] (or since the first call, when it was never marked).
pub fn process_age() -> Duration {
    PROCESS_START.get_or_init(Instant::now).elapsed()
}
