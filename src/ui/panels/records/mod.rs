//! The Records page: an org's records listed, searched and opened, read and edited in the
//! window. The list ([`list`]) and the open record ([`record`]) keep their own state; a
//! record opened from elsewhere (Errors, Conflicts) arrives as [`RecordsCommand::Open`].

pub mod list;
mod list_view;
pub mod record;

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;

/// Intents of the Records page.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsCommand {
    /// Opens one record of a connection's object.
    Open {
        connection: String,
        object: String,
        id: String,
    },
    /// Goes back from the open record to the list.
    CloseRecord,
    List(list::ListCommand),
    Record(record::RecordCommand),
}

#[derive(Default)]
pub struct RecordsState {
    pub list: list::ListState,
    /// The record open over the list, if any.
    pub record: Option<record::RecordView>,
}

impl RecordsState {
    pub fn on_event(&mut self, event: &Event) {
        self.list.on_event(event);
        if let Some(record) = &mut self.record {
            record.on_event(event);
        }
    }

    pub fn apply(&mut self, command: RecordsCommand, out: &mut Vec<Request>) {
        match command {
            RecordsCommand::Open {
                connection,
                object,
                id,
            } => {
                let view = record::RecordView::open(connection, object, id, out);
                self.record = Some(view);
            }
            RecordsCommand::CloseRecord => self.record = None,
            RecordsCommand::List(c) => self.list.apply(c, out),
            RecordsCommand::Record(c) => {
                if let Some(record) = &mut self.record {
                    record.apply(c, out);
                }
            }
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut RecordsState, model: &Model, commands: &mut Commands) {
    match &mut state.record {
        Some(record) => record::show(ui, record, model, commands),
        None => list::show(ui, &mut state.list, model, commands),
    }
}
