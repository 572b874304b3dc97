//! Tether keeps a team's own data and Salesforce in sync.

pub mod emulator;
