//! Settings: schedules, the data folder, the theme, and about.

use egui::Ui;

use crate::ui::About;
use crate::ui::command::Commands;
use crate::ui::model::Model;
use crate::ui::prefs::Prefs;
use crate::ui::widgets;

pub fn show(ui: &mut Ui, _prefs: &Prefs, _about: &About, _model: &Model, _commands: &mut Commands) {
    widgets::page_header(ui, "Settings", None);
}
