//! Drawing the open record: a header with its actions, Salesforce's answer to the last write,
//! the layout's sections (read or edited), and the related lists.

use egui::{RichText, Ui};

use super::RecordsCommand;
use super::record::{Answer, Mode, RecordCommand, RecordView};
use crate::access::Action;
use crate::records_write::read::{FieldShown, RelatedList};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::{theme, widgets};

fn record(command: RecordCommand) -> Command {
    Command::Records(RecordsCommand::Record(command))
}

/// The list header's "New" button: a new record of `object` on `connection`.
pub fn new_record_button(
    ui: &mut Ui,
    model: &Model,
    connection: &str,
    object: &str,
    commands: &mut Commands,
) {
    let refusal = model.refusal(connection, Action::WriteRecords, Some(object));
    let button = egui::Button::new(format!("New {object}"));
    if widgets::permitted(ui, true, refusal.as_deref(), button)
        .on_hover_text("Create a record; required fields come first")
        .clicked()
    {
        commands.push(Command::Records(RecordsCommand::New {
            connection: connection.to_string(),
            object: object.to_string(),
        }));
    }
}

pub fn show(ui: &mut Ui, view: &mut RecordView, model: &Model, commands: &mut Commands) {
    if view.stale {
        commands.push(record(RecordCommand::Reload));
    }
    ui.horizontal(|ui| {
        if ui.button("← Records").clicked() {
            commands.push(Command::Records(RecordsCommand::CloseRecord));
        }
        let title = match (&view.mode, &view.page) {
            (Mode::Creating { .. }, _) => format!("New {}", view.object),
            (_, Some(page)) => format!("{} · {}", page.object, page.name),
            (_, None) => format!("{} {}", view.object, view.id.as_deref().unwrap_or("")),
        };
        ui.heading(title);
    });
    ui.add_space(theme::GRID);
    let refusal = model.refusal(&view.connection, Action::WriteRecords, Some(&view.object));
    actions(ui, view, refusal.as_deref(), commands);
    widgets::failure_banner(ui, view.failure.as_ref());
    answer(ui, view);
    // A problem is shown under its field; those of fields the form does not show, here.
    let shown: Vec<&str> = match &view.mode {
        Mode::Creating {
            fields: Some(fields),
            ..
        } => fields.iter().map(|f| f.name.as_str()).collect(),
        _ => view
            .page
            .iter()
            .flat_map(|p| p.fields())
            .map(|f| f.name.as_str())
            .collect(),
    };
    let elsewhere: Vec<String> = view
        .problems
        .iter()
        .filter(|p| !shown.contains(&p.field()))
        .map(ToString::to_string)
        .collect();
    if !elsewhere.is_empty() {
        for problem in elsewhere {
            ui.label(RichText::new(problem).color(theme::DANGER));
        }
        ui.add_space(theme::GRID);
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match &view.mode {
            Mode::Deleted => {
                ui.label("This record was deleted. Undo the run in History to create it again.");
            }
            Mode::Creating { fields, .. } => match fields {
                Some(fields) => {
                    let fields = fields.clone();
                    form(ui, view, &fields, commands);
                }
                None => {
                    ui.spinner();
                }
            },
            _ => match &view.page {
                Some(page) => {
                    let page = page.clone();
                    for section in &page.sections {
                        ui.label(RichText::new(&section.heading).strong());
                        form(ui, view, &section.fields, commands);
                        ui.add_space(theme::GRID);
                    }
                    for list in &page.related {
                        related(ui, list, &view.connection, commands);
                    }
                }
                None => {
                    ui.spinner();
                }
            },
        });
}

fn actions(ui: &mut Ui, view: &RecordView, refusal: Option<&str>, commands: &mut Commands) {
    ui.horizontal(|ui| {
        let idle = !view.sending;
        match &view.mode {
            Mode::Viewing if view.page.is_some() => {
                let button = |text| egui::Button::new(text);
                if widgets::permitted(ui, idle, refusal, button("Edit")).clicked() {
                    commands.push(record(RecordCommand::Edit));
                }
                if widgets::permitted(ui, idle, refusal, button("Clone")).clicked() {
                    commands.push(record(RecordCommand::Clone));
                }
                if widgets::permitted(ui, idle, refusal, button("Delete…")).clicked() {
                    commands.push(record(RecordCommand::Delete));
                }
            }
            Mode::Editing(_) | Mode::Creating { .. } => {
                if widgets::primary_permitted(ui, "Save", idle, refusal).clicked() {
                    commands.push(record(RecordCommand::Save));
                }
                if ui.add_enabled(idle, egui::Button::new("Cancel")).clicked() {
                    let cancel = match view.mode {
                        Mode::Creating { .. } => Command::Records(RecordsCommand::CloseRecord),
                        _ => record(RecordCommand::CancelEdit),
                    };
                    commands.push(cancel);
                }
            }
            _ => {}
        }
        if view.sending {
            ui.spinner();
            ui.label("Sending to Salesforce…");
        }
    });
    if view.asking_delete {
        let name = view
            .page
            .as_ref()
            .map_or("this record", |p| p.name.as_str());
        widgets::card(ui, |ui| {
            ui.label(format!(
                "Delete {} {name} in Salesforce? You can undo it from History.",
                view.object
            ));
            ui.horizontal(|ui| {
                if ui
                    .button(RichText::new(format!("Delete {name}")).color(theme::DANGER))
                    .clicked()
                {
                    commands.push(record(RecordCommand::ConfirmDelete));
                }
                if ui.button("Keep it").clicked() {
                    commands.push(record(RecordCommand::KeepRecord));
                }
            });
        });
    }
    ui.add_space(theme::GRID);
}

fn answer(ui: &mut Ui, view: &RecordView) {
    match &view.answer {
        Some(Answer::Saved(text)) => {
            ui.label(RichText::new(format!("✔ {text}")).color(theme::SUCCESS));
        }
        Some(Answer::Refused(text)) => {
            widgets::failure_banner(ui, Some(text));
        }
        None => {}
    }
}

/// Fields as label and value, two to a row; edit boxes where the mode allows.
fn form(ui: &mut Ui, view: &RecordView, fields: &[FieldShown], commands: &mut Commands) {
    let editing = match view.mode {
        Mode::Editing(_) => Some(false),
        Mode::Creating { .. } => Some(true),
        _ => None,
    };
    egui::Grid::new(ui.next_auto_id())
        .num_columns(2)
        .spacing([theme::GRID * 2.0, theme::GRID])
        .show(ui, |ui| {
            for field in fields {
                let mark = if editing.is_some() && field.required {
                    " *"
                } else {
                    ""
                };
                let label = ui.label(format!("{}{mark}", field.label));
                let editable = match editing {
                    Some(true) => field.createable,
                    Some(false) => field.updateable,
                    None => false,
                };
                if editable {
                    edit_box(ui, view, field, label.id, commands);
                } else {
                    value(ui, view, field, commands);
                }
                ui.end_row();
                if let Some(problem) = view.problem(&field.name) {
                    ui.label("");
                    ui.label(RichText::new(problem.to_string()).color(theme::DANGER));
                    ui.end_row();
                }
            }
        });
}

fn value(ui: &mut Ui, view: &RecordView, field: &FieldShown, commands: &mut Commands) {
    match &field.parent {
        Some(parent) => {
            if ui
                .link(&parent.name)
                .on_hover_text(format!("Open {} {}", parent.object, parent.name))
                .clicked()
            {
                commands.push(Command::Records(RecordsCommand::Open {
                    connection: view.connection.clone(),
                    object: parent.object.clone(),
                    id: parent.id.clone(),
                }));
            }
        }
        None => {
            ui.label(&field.text);
        }
    }
}

fn edit_box(
    ui: &mut Ui,
    view: &RecordView,
    field: &FieldShown,
    label: egui::Id,
    commands: &mut Commands,
) {
    let current = view.draft(field).to_string();
    let set = |text: String| {
        record(RecordCommand::SetDraft {
            field: field.name.clone(),
            text,
        })
    };
    if !field.picklist.is_empty() && field.field_type == "picklist" {
        let mut chosen = current.clone();
        egui::ComboBox::from_id_salt(("picklist", &field.name))
            .selected_text(if chosen.is_empty() { "—" } else { &chosen })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, String::new(), "—");
                for option in &field.picklist {
                    ui.selectable_value(&mut chosen, option.clone(), option);
                }
            });
        if chosen != current {
            commands.push(set(chosen));
        }
        return;
    }
    let mut text = current.clone();
    ui.add(egui::TextEdit::singleline(&mut text).desired_width(320.0))
        .labelled_by(label);
    if text != current {
        commands.push(set(text));
    }
}

fn related(ui: &mut Ui, list: &RelatedList, connection: &str, commands: &mut Commands) {
    ui.label(RichText::new(format!("{} ({})", list.label, list.rows.len())).strong());
    if list.rows.is_empty() {
        ui.label(RichText::new("None").weak());
        ui.add_space(theme::GRID);
        return;
    }
    egui::Grid::new(("related", &list.label))
        .striped(true)
        .num_columns(list.columns.len().max(1))
        .show(ui, |ui| {
            for column in &list.columns {
                ui.label(RichText::new(column).weak());
            }
            ui.end_row();
            for row in &list.rows {
                for (i, cell) in row.cells.iter().enumerate() {
                    let shown = if cell.is_empty() {
                        "—"
                    } else {
                        cell.as_str()
                    };
                    if i == 0 {
                        if ui.link(shown).clicked() {
                            commands.push(Command::Records(RecordsCommand::Open {
                                connection: connection.to_string(),
                                object: list.object.clone(),
                                id: row.id.clone(),
                            }));
                        }
                    } else {
                        ui.label(cell);
                    }
                }
                ui.end_row();
            }
        });
    ui.add_space(theme::GRID);
}
