//! `tether records`: the window's Records page from a terminal, through the same library code.
//! `list` and `columns` browse an object's records ([`list`]); `get`, `update`, `create` and
//! `delete` read and write one record, each write a run (trigger `records`) that
//! `tether undo RUN` takes back ([`record`]).

mod list;
mod record;

use clap::{Args, Subcommand};

use super::CliError;

pub use list::{ColumnsArgs, ListArgs};
pub use record::RecordArgs;

#[derive(Debug, Clone, Args)]
pub struct RecordsArgs {
    #[command(subcommand)]
    pub action: RecordsAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum RecordsAction {
    /// List an object's records, as the Records page does: chosen columns, filters, sort,
    /// search, a page at a time by keyset.
    List(ListArgs),
    /// The columns an object's list can show, with their types.
    Columns(ColumnsArgs),
    /// Shows a record's fields by label in its layout's sections, its parents by name and its
    /// related lists.
    Get(RecordArgs),
    /// Edits fields of a record: `--set Field=Value` for each (an empty value empties it).
    Update(RecordArgs),
    /// Creates a record from `--set Field=Value` (every required field included).
    Create(RecordArgs),
    /// Deletes a record; `tether undo RUN` creates it again.
    Delete(RecordArgs),
}

pub fn records(args: RecordsArgs) -> Result<(), CliError> {
    match args.action {
        RecordsAction::List(args) => list::list(args),
        RecordsAction::Columns(args) => list::columns(args),
        RecordsAction::Get(a) => record::one_record("get", &a),
        RecordsAction::Update(a) => record::one_record("update", &a),
        RecordsAction::Create(a) => record::one_record("create", &a),
        RecordsAction::Delete(a) => record::one_record("delete", &a),
    }
}
