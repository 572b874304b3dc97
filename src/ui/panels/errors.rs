//! The Errors page.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

/// Intents of the Errors page.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorsCommand {}

#[derive(Default)]
pub struct ErrorsState {}

impl ErrorsState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: ErrorsCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut ErrorsState, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Errors", None);
}
