//! The command palette (Ctrl+K): every action, and plain phrases.

use crate::ui::command::Commands;
use crate::ui::model::Model;

pub struct PaletteState {
    pub query: String,
    pub history: Vec<String>,
}

impl PaletteState {
    pub fn new(history: &[String]) -> PaletteState {
        PaletteState {
            query: String::new(),
            history: history.to_vec(),
        }
    }
}

pub fn show(
    _ctx: &egui::Context,
    _state: &mut PaletteState,
    _model: &Model,
    _commands: &mut Commands,
) {
}
