mod api_usage;
mod delete_conflicts;
mod delete_guard;
mod explorer;
mod history;
mod mapping;
mod record_runs;
mod service;
