mod history;
mod link;
mod query;
mod smoke;
mod sync_guard;
mod sync_records;
mod undo;
