//! Tether keeps a team's own data and Salesforce in sync.

pub mod bench;
pub mod cli;
pub mod connect;
pub mod emulator;
pub mod import;
pub mod salesforce;
pub mod sync;
pub mod ui;
