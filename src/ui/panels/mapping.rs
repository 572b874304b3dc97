//! The Mapping page.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

/// Intents of the Mapping page.
#[derive(Debug, Clone, PartialEq)]
pub enum MappingCommand {}

#[derive(Default)]
pub struct MappingState {}

impl MappingState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: MappingCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut MappingState, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Mapping", None);
}
