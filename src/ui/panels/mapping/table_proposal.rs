//! "Create table from <Object>" in the New link form: the service proposes a local table from
//! the object's fields, the person checks and names it, and the service creates it.

use egui::{RichText, Ui};

use super::picker::NewLinkForm;
use crate::desktop::Request;
use crate::ui::command::Commands;
use crate::ui::{theme, widgets};

pub(super) fn create_table_from_object(
    ui: &mut Ui,
    form: &mut NewLinkForm,
    commands: &mut Commands,
) {
    if form.object.is_empty() || form.connection.is_empty() {
        return;
    }
    let Some(proposal) = &mut form.proposal else {
        ui.add_space(theme::GRID);
        if ui
            .button(format!("Create table from {}", form.object))
            .on_hover_text("Propose a local table with a column for each of the object's fields")
            .clicked()
        {
            commands.send(Request::ProposeTable {
                connection: form.connection.clone(),
                object: form.object.clone(),
            });
        }
        return;
    };
    let mut create = false;
    let mut cancel = false;
    ui.add_space(theme::GRID);
    widgets::card(ui, |ui| {
        ui.label(RichText::new(format!("New table for {}", form.object)).strong());
        ui.horizontal(|ui| {
            let label = ui.label("Table name");
            ui.text_edit_singleline(&mut proposal.table)
                .labelled_by(label.id);
        });
        egui::ScrollArea::vertical()
            .max_height(160.0)
            .show(ui, |ui| {
                egui::Grid::new("proposed_columns")
                    .striped(true)
                    .show(ui, |ui| {
                        for column in &proposal.columns {
                            ui.monospace(&column.name);
                            ui.monospace(&column.declared_type);
                            let from = match (&column.field, column.name == proposal.key) {
                                (_, true) => "the table's key".to_string(),
                                (Some(field), _) => format!("from {field}"),
                                (None, _) => String::new(),
                            };
                            ui.weak(from);
                            ui.end_row();
                        }
                    });
            });
        ui.horizontal(|ui| {
            create = widgets::primary_button(ui, "Create table", !proposal.table.trim().is_empty())
                .clicked();
            cancel = ui.button("Don't create").clicked();
        });
    });
    if create {
        proposal.table = proposal.table.trim().to_string();
        commands.send(Request::CreateTable {
            proposal: proposal.clone(),
        });
    }
    if cancel {
        form.proposal = None;
    }
}
