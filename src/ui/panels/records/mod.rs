//! The Records page: an org's records listed, searched and opened, read and edited in the
//! window. The list ([`list`]) and the open record ([`record`]) keep their own state; a
//! record opened from elsewhere (Errors, Conflicts) arrives as [`RecordsCommand::Open`].

pub mod list;
mod list_view;
pub mod record;
#[cfg(test)]
mod record_tests;
mod record_view;

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::{Command, Commands};
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
    /// Opens a new record of a connection's object, its required fields first.
    New {
        connection: String,
        object: String,
    },
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
            RecordsCommand::New { connection, object } => {
                self.record = Some(record::RecordView::new_record(connection, object, out));
            }
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

/// The command that opens record `sf_id` here, from a row of Errors or Conflicts: on the org
/// of the link that wrote it, or on the one connection when there is only one.
pub fn open_command(model: &Model, link: &str, object: &str, sf_id: &str) -> Option<Command> {
    if sf_id.is_empty() {
        return None;
    }
    let connection = model
        .links
        .iter()
        .find(|card| card.link.name == link)
        .map(|card| card.link.connection.clone())
        .or_else(|| match model.connections.as_slice() {
            [only] => Some(only.name.clone()),
            _ => None,
        })?;
    Some(Command::Records(RecordsCommand::Open {
        connection,
        object: object.to_string(),
        id: sf_id.to_string(),
    }))
}
