//! The integration tests: one binary, a module per area, one `support` module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analytics;
mod architecture;
mod browse;
mod cli;
mod client;
mod connect;
mod desktop;
mod import;
mod link_schema;
mod readme_commands;
mod recorded_shapes;
mod records;
mod roles;
mod sandbox;
mod support;
mod sync;
