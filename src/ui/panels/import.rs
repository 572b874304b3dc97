//! The Import page.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

/// Intents of the Import page.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportCommand {
    /// A CSV or XLSX file chosen or dropped on the window.
    Open(std::path::PathBuf),
}

#[derive(Default)]
pub struct ImportState {
    pub file: Option<std::path::PathBuf>,
}

impl ImportState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: ImportCommand, _out: &mut Vec<Request>) {
        match command {
            ImportCommand::Open(path) => self.file = Some(path),
        }
    }
}

pub fn show(ui: &mut Ui, _state: &mut ImportState, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Import", None);
}
