//! Step 2, Map: what the proposal says, the two columns and their pairs, then the key,
//! constants and how cells are read, with "Save as template" and "Check rows" always in view.

use egui::{RichText, Ui};

use super::draft::{Draft, Edit};
use super::pairs::named_text;
use super::{Check, ImportCommand, MapStep, columns, pairs};
use crate::import::parse::{ALL_DATE_FORMATS, BlankMeans, NumberLocale};
use crate::ui::command::{Command, Commands};
use crate::ui::theme::{self, GRID};
use crate::ui::widgets;

fn edit(commands: &mut Commands, edit: Edit) {
    commands.push(Command::Import(ImportCommand::Edit(edit)));
}

pub(super) fn show_map_step(ui: &mut Ui, step: &mut MapStep, commands: &mut Commands) {
    super::with_actions(ui, step, commands, map_body, actions);
}

fn map_body(ui: &mut Ui, step: &mut MapStep, commands: &mut Commands) {
    let proposal = &step.mapped.proposal;
    let draft = &mut step.mapped.draft;
    egui::ScrollArea::vertical()
        .id_salt("import_map")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            notes(ui, &proposal.notes, proposal.template.as_deref());
            columns::show(ui, draft, commands);
            ui.add_space(2.0 * GRID);
            pairs::show(ui, draft, commands);
            ui.add_space(2.0 * GRID);
            key(ui, draft, commands);
            ui.add_space(2.0 * GRID);
            constants(ui, draft, commands);
            ui.add_space(2.0 * GRID);
            formats(ui, draft, commands);
        });
}

/// What the proposal decided and what the person should check.
fn notes(ui: &mut Ui, notes: &[String], template: Option<&str>) {
    if notes.is_empty() && template.is_none() {
        return;
    }
    widgets::card(ui, |ui| {
        ui.set_width(ui.available_width());
        if let Some(name) = template {
            ui.label(
                RichText::new(format!(
                    "ℹ Using the template “{name}” saved for these headers"
                ))
                .strong(),
            );
        }
        for note in notes {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("ℹ").color(theme::ACCENT));
                ui.label(sentence(note));
            });
        }
    });
    ui.add_space(GRID);
}

/// Notes are written as clauses with `code` quotes; shown alone, they start with a capital
/// and quote names as prose does.
fn sentence(note: &str) -> String {
    let mut open = true;
    let quoted: String = note
        .chars()
        .map(|c| match c {
            '`' => {
                open = !open;
                if open { '”' } else { '“' }
            }
            other => other,
        })
        .collect();
    let mut chars = quoted.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn actions(ui: &mut Ui, step: &mut MapStep, commands: &mut Commands) {
    let checking = matches!(step.check, Some(Check::Running));
    let mapped = &mut step.mapped;
    ui.horizontal(|ui| {
        if ui.button("Back").clicked() {
            commands.push(Command::Import(ImportCommand::GoTo(super::Step::File)));
        }
        match &mut mapped.template_name {
            Some(name) => {
                let label = ui.label(RichText::new("Template name").weak());
                let response = ui
                    .add(egui::TextEdit::singleline(name).desired_width(200.0))
                    .labelled_by(label.id);
                let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let ready = !name.trim().is_empty();
                if (ui
                    .add_enabled(ready, egui::Button::new("Save template"))
                    .clicked()
                    || enter)
                    && ready
                {
                    commands.push(Command::Import(ImportCommand::SaveTemplate(
                        name.trim().to_string(),
                    )));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Import(ImportCommand::CloseTemplateForm));
                }
            }
            None => {
                if ui
                    .button("Save as template…")
                    .on_hover_text("Offer this mapping again for the next sheet with these headers")
                    .clicked()
                {
                    commands.push(Command::Import(ImportCommand::NameTemplate));
                }
                if let Some(saved) = &mapped.template_saved {
                    ui.label(RichText::new(format!("✔ Saved as “{saved}”")).color(theme::SUCCESS));
                }
            }
        }
        widgets::right_aligned(ui, |ui| {
            let ready = !checking;
            if widgets::primary_button(ui, "Check rows", ready)
                .on_hover_text("Checks every row against the org; nothing is sent")
                .clicked()
            {
                commands.push(Command::Import(ImportCommand::Check));
            }
        });
    });
}

/// The column and external-id field rows are upserted on.
fn key(ui: &mut Ui, draft: &Draft, commands: &mut Commands) {
    ui.label(RichText::new("Key").strong());
    let key = draft.current().key.clone();
    let externals: Vec<(String, String)> = draft
        .external_ids()
        .iter()
        .map(|f| (f.name.clone(), f.label.clone()))
        .collect();
    ui.horizontal(|ui| {
        let column = key.as_ref().map(|k| k.column.clone());
        let shown = column.clone().unwrap_or_else(|| "No key".to_string());
        widgets::combo(ui, "Key column", shown, |ui| {
            if ui.selectable_label(column.is_none(), "No key").clicked() {
                edit(
                    commands,
                    Edit::SetKey {
                        column: None,
                        field: None,
                    },
                );
            }
            for header in &draft.headers {
                if ui
                    .selectable_label(column.as_ref() == Some(header), header)
                    .clicked()
                {
                    edit(
                        commands,
                        Edit::SetKey {
                            column: Some(header.clone()),
                            field: key.as_ref().map(|k| k.field.clone()),
                        },
                    );
                }
            }
        });
        ui.add_space(GRID);
        let field = key.as_ref().map(|k| k.field.clone());
        ui.add_enabled_ui(column.is_some() && !externals.is_empty(), |ui| {
            let shown = field
                .as_ref()
                .map(|f| draft.label_of(f))
                .unwrap_or_else(|| "Choose a field".to_string());
            widgets::combo(ui, "External ID field", shown, |ui| {
                for (name, label) in &externals {
                    let text = format!("{label} ({name})");
                    if ui
                        .selectable_label(field.as_ref() == Some(name), text)
                        .clicked()
                    {
                        edit(
                            commands,
                            Edit::SetKey {
                                column: column.clone(),
                                field: Some(name.clone()),
                            },
                        );
                    }
                }
            });
        });
    });
    let explanation = match (&key, externals.is_empty()) {
        (Some(k), _) => format!(
            "Rows are upserted on {} from {}: importing the sheet again updates them instead of creating them twice",
            draft.label_of(&k.field),
            k.column
        ),
        (None, true) => format!(
            "{} has no external-id field, so every import creates new records",
            draft.current().object
        ),
        (None, false) => "Without a key every import creates new records; choose the column that names each record once".to_string(),
    };
    let color = if key.is_some() {
        ui.visuals().weak_text_color()
    } else {
        theme::WARNING
    };
    ui.label(RichText::new(explanation).small().color(color));
}

/// Field → value given to every row.
fn constants(ui: &mut Ui, draft: &Draft, commands: &mut Commands) {
    let constants = draft.current().constants.clone();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Constants").strong());
        let free: Vec<(String, String)> = draft
            .fields
            .iter()
            .filter(|f| {
                !f.read_only
                    && f.field_type != "id"
                    && draft.filler(&f.name).is_none()
                    && !constants.contains_key(&f.name)
            })
            .map(|f| (f.name.clone(), f.label.clone()))
            .collect();
        ui.add_enabled_ui(!free.is_empty(), |ui| {
            ui.menu_button("Add constant…", |ui| {
                egui::ScrollArea::vertical()
                    .max_height(280.0)
                    .show(ui, |ui| {
                        for (name, label) in &free {
                            if ui.button(format!("{label} ({name})")).clicked() {
                                edit(
                                    commands,
                                    Edit::AddConstant {
                                        field: name.clone(),
                                    },
                                );
                                ui.close();
                            }
                        }
                    });
            });
        });
    });
    if constants.is_empty() {
        ui.label(
            RichText::new("Give every row the same value, e.g. a Lead Source of “Spreadsheet”")
                .weak(),
        );
        return;
    }
    egui::Grid::new("import_constants")
        .num_columns(3)
        .spacing([GRID, GRID / 2.0])
        .show(ui, |ui| {
            for (field, value) in &constants {
                let label = draft.label_of(field);
                ui.label(&label);
                let mut typed = value.clone();
                let response = ui.add(
                    egui::TextEdit::singleline(&mut typed)
                        .desired_width(240.0)
                        .hint_text("Value for every row"),
                );
                named_text(&response, &format!("Constant for {label}"), &typed);
                if response.changed() {
                    edit(
                        commands,
                        Edit::SetConstant {
                            field: field.clone(),
                            value: typed,
                        },
                    );
                }
                let remove = ui.small_button("✖");
                remove.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::Button,
                        true,
                        format!("Remove constant of {label}"),
                    )
                });
                if remove.clicked() {
                    edit(
                        commands,
                        Edit::RemoveConstant {
                            field: field.clone(),
                        },
                    );
                }
                ui.end_row();
            }
        });
}

/// How dates, numbers, blank checkboxes and times without an offset are read.
fn formats(ui: &mut Ui, draft: &Draft, commands: &mut Commands) {
    let formats = draft.current().formats.clone();
    ui.label(RichText::new("How cells are read").strong());
    ui.horizontal_wrapped(|ui| {
        let date = formats.date;
        widgets::combo(ui, "Date format", date.label(), |ui| {
            for format in ALL_DATE_FORMATS {
                let text = format!("{} (e.g. {})", format.label(), format.example());
                if ui.selectable_label(format == date, text).clicked() {
                    edit(commands, Edit::SetDateFormat(format));
                }
            }
        });
        ui.add_space(GRID);
        let number = formats.number;
        let shown = format!("{} ({})", number.name(), number.example());
        widgets::combo(ui, "Number format", shown, |ui| {
            for locale in NumberLocale::ALL {
                let text = format!("{} ({})", locale.name(), locale.example());
                if ui.selectable_label(locale == number, text).clicked() {
                    edit(commands, Edit::SetNumberFormat(locale));
                }
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        let blank = formats.blank_checkbox;
        widgets::combo(ui, "Blank checkbox cells", blank_words(blank), |ui| {
            for choice in [
                BlankMeans::NoValue,
                BlankMeans::False,
                BlankMeans::True,
                BlankMeans::Refuse,
            ] {
                if ui
                    .selectable_label(choice == blank, blank_words(choice))
                    .clicked()
                {
                    edit(commands, Edit::SetBlank(choice));
                }
            }
        });
        ui.add_space(GRID);
        let label = ui.label(RichText::new("Time zone").weak());
        let mut zone = formats.time_zone.clone();
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut zone)
                    .desired_width(90.0)
                    .hint_text("Z or +01:00"),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "The offset of dates and times written without one: Z for UTC, or like +01:00",
            );
        if response.changed() {
            edit(commands, Edit::SetTimeZone(zone));
        }
    });
    let mut round = formats.round_numbers;
    let response = ui
        .checkbox(&mut round, "Round numbers with more decimals than their field keeps")
        .on_hover_text(
            "Otherwise a number like 10.005 in a field with two decimal places makes its row invalid",
        );
    if response.changed() {
        edit(commands, Edit::SetRoundNumbers(round));
    }
}

/// What a blank checkbox cell becomes, in words.
fn blank_words(blank: BlankMeans) -> &'static str {
    match blank {
        BlankMeans::NoValue => "Leave the field empty",
        BlankMeans::False => "Read as false",
        BlankMeans::True => "Read as true",
        BlankMeans::Refuse => "Make the row invalid",
    }
}
