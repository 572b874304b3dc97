//! The Connections page: connected orgs and the connect wizard.

use egui::Ui;

use crate::desktop::Event;
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

#[derive(Default)]
pub struct ConnectionsState {
    pub wizard_open: bool,
}

impl ConnectionsState {
    pub fn on_event(&mut self, event: &Event) {
        if matches!(event, Event::Connected(_)) {
            self.wizard_open = false;
        }
    }

    pub fn open_wizard(&mut self) {
        self.wizard_open = true;
    }

    pub fn close_wizard(&mut self) {
        self.wizard_open = false;
    }
}

pub fn show(ui: &mut Ui, _state: &mut ConnectionsState, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Connections", None);
}
