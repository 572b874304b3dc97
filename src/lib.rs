//! Tether keeps a team's own data and Salesforce in sync.

pub mod bench;
pub mod emulator;
