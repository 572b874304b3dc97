mod history;
mod link;
mod query;
mod query_aggregates;
mod smoke;
mod sync_guard;
mod sync_records;
mod undo;
