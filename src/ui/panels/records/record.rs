//! One open record: its fields by label in the layout's sections, related lists, and edit,
//! create, clone and delete.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;

use super::RecordsCommand;

/// Intents of the open record.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordCommand {}

pub struct RecordView {
    pub connection: String,
    pub object: String,
    pub id: String,
}

impl RecordView {
    pub fn open(connection: String, object: String, id: String, _out: &mut Vec<Request>) -> Self {
        RecordView {
            connection,
            object,
            id,
        }
    }

    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: RecordCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, view: &mut RecordView, _model: &Model, commands: &mut Commands) {
    if ui.button("← Records").clicked() {
        commands.push(Command::Records(RecordsCommand::CloseRecord));
    }
    ui.heading(format!("{} {}", view.object, view.id));
}
