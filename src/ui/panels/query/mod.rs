//! The SOQL explorer: an editor with completion from describe, results in a table, the
//! query's plan, history and saved queries, and export to CSV or XLSX.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;

/// Intents of the SOQL explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryCommand {}

#[derive(Default)]
pub struct QueryState {}

impl QueryState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: QueryCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut QueryState, _model: &Model, _commands: &mut Commands) {
    ui.heading("SOQL");
}
