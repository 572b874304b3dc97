//! Step 1, File: how Tether reads the sheet (format, sheet, first rows), and where its rows
//! go (connection and object).

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::{ImportCommand, ImportState, PathEntry, Read, Wizard};
use crate::desktop::FilePreview;
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::{FileFor, PathField};
use crate::ui::model::Model;
use crate::ui::theme::GRID;
use crate::ui::{Page, widgets};

pub(super) fn show(ui: &mut Ui, state: &mut ImportState, model: &Model, commands: &mut Commands) {
    let proposing = match &mut state.wizard {
        Wizard::NoFile(entry) => {
            let busy = model.dialog_open(Page::Import);
            let no_dialog = state.no_dialog;
            widgets::empty_state(
                ui,
                "No file yet",
                "Drop a CSV or XLSX file on this window, or choose one. Tether shows how it reads the file before anything is sent.",
                |ui| {
                    if widgets::primary_button(ui, "Choose a file…", !busy).clicked() {
                        commands.push(Command::AskFile(FileFor::Spreadsheet));
                    }
                    ui.add_space(2.0 * GRID);
                    typed_path(ui, entry, no_dialog, commands);
                },
            );
            return;
        }
        Wizard::File(step) => {
            ui.label(RichText::new(step.file.display().to_string()).strong());
            match &step.read {
                Read::Reading { .. } => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(RichText::new("Reading the file…").weak());
                    });
                    return;
                }
                Read::Unread => return,
                Read::Read { proposing, .. } => *proposing,
            }
        }
        _ => return,
    };
    destination(ui, state, proposing, model, commands);
    ui.add_space(GRID);
    let Wizard::File(step) = &state.wizard else {
        return;
    };
    let Read::Read { preview, .. } = &step.read else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(&preview.format).weak());
        if preview.sheets.len() > 1 {
            let current = preview.sheet.clone().unwrap_or_default();
            widgets::combo(ui, "Sheet", current.clone(), |ui| {
                for sheet in &preview.sheets {
                    if ui.selectable_label(sheet == &current, sheet).clicked() && sheet != &current
                    {
                        commands.push(Command::Import(ImportCommand::SelectSheet(sheet.clone())));
                    }
                }
            });
        }
    });
    let shown = preview.rows.len();
    let more = if preview.more {
        " (the file has more)"
    } else {
        ""
    };
    ui.label(
        RichText::new(format!(
            "The first {shown} rows{more}. Cells are shown as text, exactly as read; formulas are never run."
        ))
        .small()
        .weak(),
    );
    preview_table(ui, preview);
}

/// A path typed or pasted: the way in where the system offers no file dialog (a desktop
/// without a portal, a remote session).
fn typed_path(ui: &mut Ui, entry: &mut PathEntry, no_dialog: bool, commands: &mut Commands) {
    if no_dialog {
        ui.label(
            RichText::new(
                "No file dialog can open on this desktop (it needs a desktop portal or zenity). Type or paste the file's path, or drop the file on the window.",
            )
            .color(ui.visuals().warn_fg_color),
        );
    }
    let label = ui.label(RichText::new("Or type the path of a file").small().weak());
    let field = PathField {
        label: label.id,
        hint: "/home/me/deals.csv",
        action: "Open this file",
    };
    if let Some(path) = field.show(ui, &mut entry.typed, &mut entry.focus) {
        commands.push(Command::Import(ImportCommand::Open(path)));
    }
}

/// Where the rows go: the connection and the object, then "Map columns".
fn destination(
    ui: &mut Ui,
    state: &mut ImportState,
    proposing: bool,
    model: &Model,
    commands: &mut Commands,
) {
    widgets::card(ui, |ui| {
        ui.set_width(ui.available_width());
        if model.connections.is_empty() {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("No connection yet. Connect an org, or explore the sandbox org, to import into it.")
                        .weak(),
                );
                if ui.button("Connect org…").clicked() {
                    commands.push(Command::OpenConnectWizard);
                }
            });
            return;
        }
        ui.horizontal(|ui| {
            widgets::combo(ui, "Connection", state.connection.clone(), |ui| {
                for connection in &model.connections {
                    let selected = connection.name == state.connection;
                    if ui.selectable_label(selected, &connection.name).clicked() && !selected {
                        commands.push(Command::Import(ImportCommand::SetConnection(
                            connection.name.clone(),
                        )));
                    }
                }
            });
            ui.add_space(GRID);
            let label = ui.label(RichText::new("Object").weak());
            ui.add(
                egui::TextEdit::singleline(&mut state.object)
                    .desired_width(180.0)
                    .hint_text(super::DEFAULT_OBJECT),
            )
            .labelled_by(label.id);
            object_menu(ui, state, commands);
            widgets::right_aligned(ui, |ui| {
                let ready = !state.connection.is_empty() && !proposing;
                if widgets::primary_button(ui, "Map columns", ready)
                    .on_hover_text(
                        "Tether proposes a mapping from the column names; you edit it next",
                    )
                    .clicked()
                {
                    commands.push(Command::Import(ImportCommand::Propose));
                }
                if proposing {
                    ui.spinner();
                }
            });
        });
    });
}

/// The objects of the connection, narrowed by what is typed in the object box.
///
/// The button is drawn, disabled, before the list arrives: a widget that appeared only then
/// would shift the ids of the widgets after it, and a click pressed on "Map columns" in one
/// frame and released in the next would be lost.
fn object_menu(ui: &mut Ui, state: &ImportState, commands: &mut Commands) {
    let objects = state.objects.get(&state.connection);
    let exact = objects.is_some_and(|objects| {
        objects
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(state.object.trim()))
    });
    // A name already chosen lists everything; a part of one narrows the list.
    let typed = if exact {
        String::new()
    } else {
        state.object.trim().to_lowercase()
    };
    let response = ui.add_enabled_ui(objects.is_some(), |ui| {
        ui.menu_button("⏷", |ui| {
            let Some(objects) = objects else { return };
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    let mut shown = 0;
                    for object in objects.iter().filter(|o| {
                        typed.is_empty()
                            || o.name.to_lowercase().contains(&typed)
                            || o.label.to_lowercase().contains(&typed)
                    }) {
                        shown += 1;
                        if ui
                            .button(format!("{} ({})", object.label, object.name))
                            .clicked()
                        {
                            commands.push(Command::Import(ImportCommand::SetObject(
                                object.name.clone(),
                            )));
                            ui.close();
                        }
                    }
                    if shown == 0 {
                        ui.label(RichText::new("No object matches what is typed").weak());
                    }
                });
        })
        .response
    });
    let response = if objects.is_some() {
        response.inner
    } else {
        response
            .inner
            .on_disabled_hover_text("Tether is still listing the objects of this connection")
    };
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, objects.is_some(), "Choose object")
    });
}

fn preview_table(ui: &mut Ui, preview: &FilePreview) {
    let width = preview.headers.len().max(
        preview
            .rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0),
    );
    if width == 0 {
        ui.label(RichText::new("The file has no cells.").weak());
        return;
    }
    egui::ScrollArea::horizontal().show(ui, |ui| {
        let height = ui.available_height() - 3.0 * GRID;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(48.0))
            .columns(Column::auto().at_least(90.0).clip(true), width)
            .max_scroll_height(height)
            .header(24.0, |mut header| {
                header.col(|ui| {
                    crate::ui::fit::column_header(ui, "Row");
                });
                for i in 0..width {
                    header.col(|ui| {
                        let name = preview.headers.get(i).map(String::as_str).unwrap_or("");
                        crate::ui::fit::column_header(ui, name);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, preview.rows.len(), |mut row| {
                    let data = &preview.rows[row.index()];
                    row.col(|ui| {
                        ui.label(RichText::new(data.number.to_string()).weak());
                    });
                    for i in 0..width {
                        row.col(|ui| {
                            ui.label(data.cells.get(i).map(String::as_str).unwrap_or(""));
                        });
                    }
                });
            });
    });
}
