//! One module per page of the navigation rail, plus the command palette.
//!
//! Each page has a state struct that learns from service events (`on_event`) and applies its
//! own commands (`apply`, which may queue requests for the service), and a `show` function
//! that draws it and returns intents as [`Command`](super::Command)s. Text being typed and
//! the selected row are the page's own state; anything beyond the page goes through commands.

pub mod analytics;
pub mod conflicts;
pub mod connections;
pub mod dashboard;
pub mod errors;
pub mod fields;
pub mod history;
pub mod import;
pub mod mapping;
pub mod palette;
pub mod query;
pub mod records;
pub mod settings;
pub mod two_columns;
