//! The pairs of the Map step: each column → field with a remove button, lookups with how
//! their parent is found, and the value map of a pair.

use egui::{RichText, Role, Ui, WidgetInfo};

use super::ImportCommand;
use super::draft::{Draft, Edit, match_choices};
use crate::import::mapping::{ColumnMapping, LookupMapping};
use crate::import::parse::{ALL_DATE_FORMATS, NumberLocale};
use crate::ui::command::{Command, Commands};
use crate::ui::{theme, widgets};

fn edit(commands: &mut Commands, edit: Edit) {
    commands.push(Command::Import(ImportCommand::Edit(edit)));
}

fn named(response: &egui::Response, role: Role, name: &str) {
    response.widget_info(|| WidgetInfo::labeled(role, response.enabled(), name));
}

/// A text box known by `name`, keeping its text for screen readers.
pub(super) fn named_text(response: &egui::Response, name: &str, text: &str) {
    response.widget_info(|| {
        let mut info = WidgetInfo::text_edit(response.enabled(), text, text, "");
        info.label = Some(name.to_string());
        info
    });
}

/// A checkbox known by `name`, keeping its state for screen readers.
pub(super) fn named_check(response: &egui::Response, name: &str, checked: bool) {
    response
        .widget_info(|| WidgetInfo::selected(Role::CheckBox, response.enabled(), checked, name));
}

pub(super) fn show(ui: &mut Ui, draft: &Draft, commands: &mut Commands) {
    let mapping = draft.current();
    let count = mapping.columns.len() + mapping.lookups.len();
    ui.label(RichText::new(format!("Paired columns ({count})")).strong());
    if count == 0 {
        ui.label(
            RichText::new("Nothing paired yet. Drag a sheet column onto a Salesforce field").weak(),
        );
    }
    for column in &mapping.columns {
        ui.push_id(("pair", &column.field), |ui| {
            widgets::card(ui, |ui| {
                ui.set_width(ui.available_width());
                pair_row(ui, draft, column, commands);
                if draft.open_values.as_ref() == Some(&column.field) {
                    column_values(ui, draft, column, commands);
                }
            });
        });
    }
    for lookup in &mapping.lookups {
        ui.push_id(("lookup", &lookup.field), |ui| {
            widgets::card(ui, |ui| {
                ui.set_width(ui.available_width());
                lookup_row(ui, draft, lookup, commands);
                if draft.open_values.as_ref() == Some(&lookup.field) {
                    lookup_spellings(ui, draft, lookup, commands);
                }
            });
        });
    }
}

fn remove_button(ui: &mut Ui, label: &str, field: &str, commands: &mut Commands) {
    widgets::right_aligned(ui, |ui| {
        let remove = ui.small_button("✖").on_hover_text("Remove this pair");
        named(&remove, Role::Button, &format!("Remove pair of {label}"));
        if remove.clicked() {
            edit(
                commands,
                Edit::Unmap {
                    field: field.to_string(),
                },
            );
        }
    });
}

fn pair_row(ui: &mut Ui, draft: &Draft, column: &ColumnMapping, commands: &mut Commands) {
    let label = draft.label_of(&column.field);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&column.column).strong());
        ui.label(RichText::new("→").color(theme::ACCENT));
        ui.label(RichText::new(&label).strong());
        let field_type = draft
            .field(&column.field)
            .map(|f| f.field_type.clone())
            .unwrap_or_default();
        ui.label(
            RichText::new(format!("{} · {field_type}", column.field))
                .small()
                .weak(),
        );
        let mapped = draft.mapped_values(&column.field);
        let open = draft.open_values.as_ref() == Some(&column.field);
        // Value maps turn people's words into a field's values: text, picklists, checkboxes.
        let worded = matches!(
            field_type.as_str(),
            "picklist" | "multipicklist" | "combobox" | "string" | "textarea" | "boolean"
        );
        column_format(ui, draft, column, &label, &field_type, commands);
        blank_default(ui, column, &label, commands);
        if !worded && !open && mapped == 0 {
            remove_button(ui, &label, &column.field, commands);
            return;
        }
        let text = match (open, mapped) {
            (true, _) => "Hide value map".to_string(),
            (false, 0) => "Map values…".to_string(),
            (false, n) => format!("Edit value map ({})…", crate::ui::group_thousands(n as u64)),
        };
        let toggle = ui.small_button(text);
        named(&toggle, Role::Button, &format!("Value map of {label}"));
        if toggle.clicked() {
            edit(
                commands,
                Edit::ToggleValues {
                    field: column.field.clone(),
                },
            );
        }
        remove_button(ui, &label, &column.field, commands);
    });
}

/// What the column's blank cells become, read like any other cell of it.
fn blank_default(ui: &mut Ui, column: &ColumnMapping, label: &str, commands: &mut Commands) {
    let mut text = column.default.clone().unwrap_or_default();
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(110.0)
                .hint_text("if blank…"),
        )
        .on_hover_text("What blank cells of this column become; left empty, they stay empty");
    named_text(&response, &format!("Blank cells of {label}"), &text);
    if response.changed() {
        edit(
            commands,
            Edit::SetDefault {
                field: column.field.clone(),
                default: text,
            },
        );
    }
}

/// A date or number column read in its own format, when it differs from the rest of the sheet.
fn column_format(
    ui: &mut Ui,
    draft: &Draft,
    column: &ColumnMapping,
    label: &str,
    field_type: &str,
    commands: &mut Commands,
) {
    let sheet = &draft.current().formats;
    let field = column.field.clone();
    match field_type {
        "date" | "datetime" => format_menu(
            ui,
            &format!("Date format of {label}"),
            ("Dates", sheet.date.label()),
            column.date_format,
            ALL_DATE_FORMATS.map(|f| (f, f.label(), f.example())),
            |format| Edit::SetColumnDateFormat { field, format },
            commands,
        ),
        "currency" | "double" | "percent" | "int" | "long" => format_menu(
            ui,
            &format!("Number format of {label}"),
            ("Numbers", sheet.number.name().to_string()),
            column.number_format,
            NumberLocale::ALL.map(|l| (l, l.name().to_string(), l.example().to_string())),
            |locale| Edit::SetColumnNumberFormat { field, locale },
            commands,
        ),
        _ => {}
    }
}

/// A small menu: "as the sheet" (`None`), then each format with an example.
fn format_menu<F: Copy + PartialEq, const N: usize>(
    ui: &mut Ui,
    name: &str,
    (what, sheet): (&str, String),
    current: Option<F>,
    choices: [(F, String, String); N],
    to_edit: impl FnOnce(Option<F>) -> Edit,
    commands: &mut Commands,
) {
    let shown = match choices.iter().find(|(f, _, _)| Some(*f) == current) {
        Some((_, label, _)) => format!("{what}: {label}"),
        None => format!("{what} as the sheet ({sheet})"),
    };
    let mut chosen = None;
    let response = ui
        .menu_button(RichText::new(shown).small(), |ui| {
            if ui
                .selectable_label(current.is_none(), format!("As the sheet ({sheet})"))
                .clicked()
            {
                chosen = Some(None);
            }
            for (format, label, example) in &choices {
                if ui
                    .selectable_label(
                        current == Some(*format),
                        format!("{label} (e.g. {example})"),
                    )
                    .clicked()
                {
                    chosen = Some(Some(*format));
                }
            }
            if chosen.is_some() {
                ui.close();
            }
        })
        .response;
    named(&response, Role::Button, name);
    if let Some(choice) = chosen {
        edit(commands, to_edit(choice));
    }
}

/// A column's value map: cells as people write them → the field's values.
fn column_values(ui: &mut Ui, draft: &Draft, column: &ColumnMapping, commands: &mut Commands) {
    let label = draft.label_of(&column.field);
    let words = ValueMapWords {
        explained: format!(
            "Cells of {} written as on the left are stored as on the right; case and surrounding spaces are ignored",
            column.column
        ),
        to_header: format!("{label} value"),
        noun: "value",
    };
    value_map(ui, draft, &column.field, &words, commands);
    keep_unlisted(ui, draft, column, &label, commands);
}

/// A lookup's spellings: cells as people write them → the text the parent is found by.
fn lookup_spellings(ui: &mut Ui, draft: &Draft, lookup: &LookupMapping, commands: &mut Commands) {
    let words = ValueMapWords {
        explained: format!(
            "Cells of {} written as on the left are looked up as on the right, for spellings no rule can guess; case and surrounding spaces are ignored",
            lookup.column
        ),
        to_header: format!("{} {}", lookup.object, lookup.match_on.join(" or ")),
        noun: "spelling",
    };
    value_map(ui, draft, &lookup.field, &words, commands);
}

/// What a value map's grid says: above it, over its right column, and what a row is.
struct ValueMapWords {
    explained: String,
    to_header: String,
    noun: &'static str,
}

/// Cell text → what `field` gets from it: a picklist offers its values, anything else takes
/// text.
fn value_map(
    ui: &mut Ui,
    draft: &Draft,
    field: &str,
    words: &ValueMapWords,
    commands: &mut Commands,
) {
    let ValueMapWords {
        explained,
        to_header,
        noun,
    } = words;
    let label = draft.label_of(field);
    let picklist = draft
        .field(field)
        .map(|f| f.picklist_values.clone())
        .unwrap_or_default();
    let rows = draft.values.get(field).cloned().unwrap_or_default();
    ui.add_space(theme::GRID / 2.0);
    ui.label(RichText::new(explained.as_str()).small().weak());
    egui::Grid::new(("values", field))
        .num_columns(4)
        .spacing([theme::GRID, theme::GRID / 2.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Cell text").small().strong());
            ui.label("");
            ui.label(RichText::new(to_header.as_str()).small().strong());
            ui.end_row();
            for (index, (from, to)) in rows.iter().enumerate() {
                let mut typed = from.clone();
                let from_edit = ui.add_sized([180.0, 26.0], egui::TextEdit::singleline(&mut typed));
                named_text(
                    &from_edit,
                    &format!("Cell text {} of {label}", index + 1),
                    &typed,
                );
                if from_edit.changed() {
                    set_value(commands, field, index, typed, to.clone());
                }
                ui.label("→");
                let value_name = format!("Value for {from} in {label}");
                if picklist.is_empty() {
                    ui.horizontal(|ui| {
                        let mut value = to.clone();
                        let to_edit =
                            ui.add_sized([180.0, 26.0], egui::TextEdit::singleline(&mut value));
                        named_text(&to_edit, &value_name, &value);
                        if to_edit.changed() {
                            set_value(commands, field, index, from.clone(), value);
                        }
                        let near = draft.near(field, from);
                        if !near.is_empty() {
                            let menu = egui::ComboBox::from_id_salt(("near", field, index))
                                .selected_text("Similar")
                                .width(90.0)
                                .show_ui(ui, |ui| {
                                    for name in near {
                                        if ui.selectable_label(to == name, name).clicked() {
                                            set_value(
                                                commands,
                                                field,
                                                index,
                                                from.clone(),
                                                name.clone(),
                                            );
                                        }
                                    }
                                });
                            named(
                                &menu.response,
                                Role::ComboBox,
                                &format!("Records like {from} for {label}"),
                            );
                        }
                    });
                } else {
                    let shown = if to.is_empty() {
                        "Choose a value"
                    } else {
                        to.as_str()
                    };
                    let combo = egui::ComboBox::from_id_salt(("value", field, index))
                        .selected_text(shown)
                        .width(180.0)
                        .show_ui(ui, |ui| {
                            for allowed in &picklist {
                                if ui.selectable_label(allowed == to, allowed).clicked() {
                                    set_value(
                                        commands,
                                        field,
                                        index,
                                        from.clone(),
                                        allowed.clone(),
                                    );
                                }
                            }
                        });
                    named(&combo.response, Role::ComboBox, &value_name);
                }
                let remove = ui.small_button("✖");
                named(
                    &remove,
                    Role::Button,
                    &format!("Remove {noun} {} of {label}", index + 1),
                );
                if remove.clicked() {
                    edit(
                        commands,
                        Edit::RemoveValue {
                            field: field.to_string(),
                            index,
                        },
                    );
                }
                ui.end_row();
            }
        });
    let add = ui.small_button(format!("Add {noun}"));
    named(&add, Role::Button, &format!("Add {noun} to {label}"));
    if add.clicked() {
        edit(
            commands,
            Edit::AddValue {
                field: field.to_string(),
            },
        );
    }
}

/// An unrestricted picklist may keep values its list does not have: Salesforce stores them as
/// inactive values. A restricted one refuses them, so the choice is not offered.
fn keep_unlisted(
    ui: &mut Ui,
    draft: &Draft,
    column: &ColumnMapping,
    label: &str,
    commands: &mut Commands,
) {
    let Some(field) = draft.field(&column.field) else {
        return;
    };
    if !matches!(field.field_type.as_str(), "picklist" | "multipicklist")
        || field.restricted_picklist
    {
        return;
    }
    let mut keep = column.keep_unlisted;
    let response = ui
        .checkbox(&mut keep, "Keep values the list does not have")
        .on_hover_text(
            "Unmapped values are sent as written, and Salesforce keeps them as inactive values of the picklist. Otherwise their rows are reported as invalid",
        );
    named_check(&response, &format!("Keep unlisted values of {label}"), keep);
    if response.changed() {
        edit(
            commands,
            Edit::SetKeepUnlisted {
                field: column.field.clone(),
                keep,
            },
        );
    }
}

fn set_value(commands: &mut Commands, field: &str, index: usize, from: String, to: String) {
    edit(
        commands,
        Edit::SetValue {
            field: field.to_string(),
            index,
            from,
            to,
        },
    );
}

fn lookup_row(ui: &mut Ui, draft: &Draft, lookup: &LookupMapping, commands: &mut Commands) {
    let label = draft.label_of(&lookup.field);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&lookup.column).strong());
        ui.label(RichText::new("→").color(theme::ACCENT));
        ui.label(RichText::new(&label).strong());
        widgets::badge(ui, "Lookup", theme::ACCENT);
        let open = draft.open_values.as_ref() == Some(&lookup.field);
        let unfound = draft.unfound.get(&lookup.field).map_or(0, |texts| texts.len());
        if unfound > 0 {
            let noun = if unfound == 1 { "name" } else { "names" };
            ui.label(
                RichText::new(format!(
                    "{} {noun} not found by the last check",
                    crate::ui::group_thousands(unfound as u64)
                ))
                .color(ui.visuals().warn_fg_color),
            );
        }
        let text = match (open, draft.mapped_values(&lookup.field)) {
            (true, _) => "Hide spellings".to_string(),
            (false, 0) => "Map spellings…".to_string(),
            (false, n) => format!("Edit spellings ({})…", crate::ui::group_thousands(n as u64)),
        };
        let toggle = ui.small_button(text).on_hover_text(format!(
            "Say which {} a cell means when no rule finds it (\"Acme Crop\" → \"Acme Corporation\")",
            lookup.object
        ));
        named(&toggle, Role::Button, &format!("Spellings of {label}"));
        if toggle.clicked() {
            edit(
                commands,
                Edit::ToggleValues {
                    field: lookup.field.clone(),
                },
            );
        }
        remove_button(ui, &label, &lookup.field, commands);
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Finds the").weak());
        let mut object = lookup.object.clone();
        let object_edit = ui.add(egui::TextEdit::singleline(&mut object).desired_width(120.0));
        named_text(&object_edit, &format!("Parent object of {label}"), &object);
        if object_edit.changed() {
            edit(
                commands,
                Edit::SetLookupObject {
                    field: lookup.field.clone(),
                    object,
                },
            );
        }
        ui.label(RichText::new("by").weak());
        let mut choices = match_choices(&lookup.object);
        if !choices.iter().any(|(_, fields)| fields == &lookup.match_on) {
            // A mapping from a file may match on fields the menu does not offer.
            choices.insert(0, ("", lookup.match_on.clone()));
        }
        let current = lookup.match_on.join(" or ");
        let combo = egui::ComboBox::from_id_salt(("match_on", &lookup.field))
            .selected_text(&current)
            .show_ui(ui, |ui| {
                for (text, fields) in &choices {
                    let text = if text.is_empty() {
                        fields.join(" or ")
                    } else {
                        text.to_string()
                    };
                    if ui
                        .selectable_label(fields == &lookup.match_on, text)
                        .clicked()
                    {
                        edit(
                            commands,
                            Edit::SetMatchOn {
                                field: lookup.field.clone(),
                                match_on: fields.clone(),
                            },
                        );
                    }
                }
            });
        named(
            &combo.response,
            Role::ComboBox,
            &format!("Match {label} on"),
        );
        ui.add_space(theme::GRID);
        let mut create = lookup.create_missing;
        let create_box = ui
            .checkbox(&mut create, "Create missing")
            .on_hover_text(format!(
                "A {} no record matches is created first, named as in the cell",
                lookup.object
            ));
        named_check(
            &create_box,
            &format!("Create missing {} for {label}", lookup.object),
            create,
        );
        if create_box.changed() {
            edit(
                commands,
                Edit::SetCreateMissing {
                    field: lookup.field.clone(),
                    create,
                },
            );
        }
        let mut required = lookup.required;
        let required_box = ui
            .checkbox(&mut required, "Required")
            .on_hover_text("A blank cell makes the row invalid");
        named_check(&required_box, &format!("{label} required"), required);
        if required_box.changed() {
            edit(
                commands,
                Edit::SetLookupRequired {
                    field: lookup.field.clone(),
                    required,
                },
            );
        }
    });
}
