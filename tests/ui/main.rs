//! The window's tests: the real window driven through its accessibility tree with
//! egui_kittest, a module per page or flow, one `support` module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analytics;
mod app;
mod arrows;
mod card_title;
mod chart;
mod compact;
mod create_fields;
mod e2e;
mod errors_words;
mod history_undo;
mod import;
mod layout;
mod local_tables;
mod lock;
mod mapping;
mod progress;
mod record_edit;
mod record_runs;
mod record_scripted;
mod records_list;
mod roles;
mod soql;
mod stale;
mod support;
mod tables;
mod words;
