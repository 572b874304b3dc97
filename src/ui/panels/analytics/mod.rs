//! The Analytics page: pipeline, leads and accounts charted from aggregate SOQL, filtered by
//! date range, owner and record type.

use egui::Ui;

use crate::desktop::{Event, Request};
use crate::ui::command::Commands;
use crate::ui::model::Model;

/// Intents of the Analytics page.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsCommand {}

#[derive(Default)]
pub struct AnalyticsState {}

impl AnalyticsState {
    pub fn on_event(&mut self, _event: &Event) {}

    pub fn apply(&mut self, command: AnalyticsCommand, _out: &mut Vec<Request>) {
        match command {}
    }
}

pub fn show(ui: &mut Ui, _state: &mut AnalyticsState, _model: &Model, _commands: &mut Commands) {
    ui.heading("Analytics");
}
