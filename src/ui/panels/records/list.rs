//! The list of an object's records: columns from describe, sort, filters, search, paging.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;

/// Intents of the record list.
#[derive(Debug, Clone, PartialEq)]
pub enum ListCommand {}

#[derive(Default)]
pub struct ListState {}

impl ListState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: ListCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut ListState, _model: &Model, _commands: &mut Commands) {
    ui.heading("Records");
}
