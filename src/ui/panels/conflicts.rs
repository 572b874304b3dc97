//! The Conflicts page.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

/// Intents of the Conflicts page.
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictsCommand {}

#[derive(Default)]
pub struct ConflictsState {}

impl ConflictsState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: ConflictsCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut ConflictsState, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Conflicts", None);
}
