//! The History page.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

/// Intents of the History page.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryCommand {}

#[derive(Default)]
pub struct HistoryState {}

impl HistoryState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: HistoryCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut HistoryState, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "History", None);
}
