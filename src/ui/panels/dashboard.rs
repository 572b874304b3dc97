//! The dashboard: one card per link, and the 30-day chart.

use egui::Ui;

use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::widgets;

pub fn show(ui: &mut Ui, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Dashboard", None);
}
