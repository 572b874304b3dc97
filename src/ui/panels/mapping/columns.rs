//! The studio's two columns: Salesforce fields on the left, local columns on the right.
//! Drag one onto the other to map them; or, from the keyboard, pick one (Enter) and then the
//! other. While something is dragged, valid targets are outlined and invalid ones dimmed.

use std::collections::HashMap;

use egui::{Rect, RichText, Ui, Vec2};

use super::draft::{self, local_text};
use super::{MappingCommand, MappingState};
use crate::desktop::{FieldInfo, LocalColumn};
use crate::sync::link::{FieldMapping, Link};
use crate::ui::command::{Command, Commands};
use crate::ui::panels::two_columns::{self, Target, row};
use crate::ui::{theme, widgets};

/// What is being dragged (or was picked from the keyboard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dragged {
    Field(String),
    Column(String),
}

/// A column's heading and search box, on one line.
const HEADING: f32 = 32.0;

/// What one frame drew: visible rows, and why the row under a drag refuses it.
#[derive(Default)]
struct Drawn {
    hint: Option<String>,
    fields: HashMap<String, Rect>,
    columns: HashMap<String, Rect>,
}

/// A curve from each visible mapped field to its visible column, across the gap.
fn mapping_lines(ui: &Ui, link: &Link, drawn: &Drawn) {
    for mapping in &link.fields {
        if let (Some(field), Some(column)) = (
            drawn.fields.get(&mapping.remote),
            mapping.local_column().and_then(|c| drawn.columns.get(c)),
        ) {
            two_columns::curve(ui, *field, *column);
        }
    }
}

/// The lists' height when the studio has `height` in all.
pub(super) fn list_height(height: f32) -> f32 {
    height - HEADING - 2.0 * theme::GRID
}

pub(super) fn show(
    ui: &mut Ui,
    state: &mut MappingState,
    link: &Link,
    list_height: f32,
    commands: &mut Commands,
) -> Option<(String, egui::Color32)> {
    let fields = state.catalog.fields_of(link).cloned();
    let columns = state.catalog.table(&link.table).map(|t| t.columns.clone());
    if state.picked.is_some() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        state.picked = None;
    }
    let dragging = two_columns::dragging::<Dragged>(ui);
    let active = dragging.clone().or_else(|| state.picked.clone());
    let mut drawn = Drawn::default();
    let (side, gap) = two_columns::widths(ui);
    ui.horizontal_top(|ui| {
        ui.allocate_ui(Vec2::new(side, list_height + HEADING + theme::GRID), |ui| {
            ui.set_width(side);
            ui.vertical(|ui| {
                fields_column(
                    ui,
                    state,
                    link,
                    fields.as_deref(),
                    columns.as_deref(),
                    &active,
                    list_height,
                    &mut drawn,
                    commands,
                );
            });
        });
        ui.add_space(gap);
        ui.allocate_ui(Vec2::new(side, list_height + HEADING + theme::GRID), |ui| {
            ui.set_width(side);
            ui.vertical(|ui| {
                columns_column(
                    ui,
                    state,
                    link,
                    fields.as_deref(),
                    columns.as_deref(),
                    &active,
                    list_height,
                    &mut drawn,
                    commands,
                );
            });
        });
    });
    mapping_lines(ui, link, &drawn);
    let hint = drawn.hint.take();
    // What a drag or a pick will do: shown on the pairs' heading line, which is there anyway,
    // so nothing below moves when it appears.
    match (&dragging, &hint, &state.picked, &state.refused) {
        (Some(_), Some(why), _, _) => Some((format!("Cannot drop here: {why}"), theme::DANGER)),
        (Some(_), None, _, _) => Some((
            "Drop onto a highlighted row to map it".to_string(),
            theme::ACCENT,
        )),
        (None, _, Some(Dragged::Field(f)), _) => {
            Some((format!("Now choose the column for {f}"), theme::ACCENT))
        }
        (None, _, Some(Dragged::Column(c)), _) => {
            Some((format!("Now choose the field for {c}"), theme::ACCENT))
        }
        (None, _, None, Some(why)) => Some((format!("Not mapped: {why}"), theme::DANGER)),
        _ => None,
    }
}

/// A column's heading with its search box beside it; the heading names the box.
fn heading(ui: &mut Ui, text: String, search: &mut String, hint: &str) {
    ui.horizontal(|ui| {
        let width = (ui.available_width() * 0.5).max(120.0);
        let heading = ui
            .allocate_ui(Vec2::new(width, HEADING), |ui| {
                ui.add(egui::Label::new(RichText::new(&text).strong()).truncate())
                    .on_hover_text(&text)
            })
            .inner;
        ui.add(
            egui::TextEdit::singleline(search)
                .hint_text(hint)
                .desired_width(ui.available_width()),
        )
        .labelled_by(heading.id);
    });
}

#[allow(clippy::too_many_arguments)]
fn fields_column(
    ui: &mut Ui,
    state: &mut MappingState,
    link: &Link,
    fields: Option<&[FieldInfo]>,
    columns: Option<&[LocalColumn]>,
    active: &Option<Dragged>,
    list_height: f32,
    drawn: &mut Drawn,
    commands: &mut Commands,
) {
    heading(
        ui,
        format!("Salesforce fields · {}", link.object),
        &mut state.field_search,
        "Search fields",
    );
    let Some(fields) = fields else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new(format!("Reading the fields of {}…", link.object)).weak());
        });
        return;
    };
    let needle = state.field_search.trim().to_lowercase();
    let shown: Vec<&FieldInfo> = fields
        .iter()
        .filter(|f| {
            needle.is_empty()
                || f.label.to_lowercase().contains(&needle)
                || f.name.to_lowercase().contains(&needle)
                || f.field_type.to_lowercase().contains(&needle)
        })
        .collect();
    egui::ScrollArea::vertical()
        .id_salt("sf_fields")
        .max_height(list_height)
        .show(ui, |ui| {
            // One-line rows, as low as their text, so more of them fit.
            ui.spacing_mut().item_spacing.y = 4.0;
            ui.spacing_mut().interact_size.y = 20.0;
            if shown.is_empty() {
                ui.label(
                    RichText::new(format!(
                        "No field matches “{}”. Clear the search to see all {} fields",
                        state.field_search.trim(),
                        fields.len()
                    ))
                    .weak(),
                );
            }
            for field in shown {
                let target = match active {
                    Some(Dragged::Column(c)) => {
                        match columns.and_then(|cs| cs.iter().find(|x| &x.name == c)) {
                            Some(column) => match draft::refusal(link, field, column) {
                                Some(why) => Target::Invalid(why),
                                None => Target::Valid,
                            },
                            None => Target::Idle,
                        }
                    }
                    _ => Target::Idle,
                };
                let mapped = link.fields.iter().find(|m| m.remote == field.name);
                let problem = state
                    .problems
                    .iter()
                    .flatten()
                    .any(|p| p.field.as_deref() == Some(&field.name));
                let picked = state.picked == Some(Dragged::Field(field.name.clone()));
                let name = format!("Salesforce field {}", field.label);
                // Labels repeat in some objects; API names never do.
                let response = row(ui, &field.name, &name, &target, picked, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing.x = 6.0;
                        ui.label(RichText::new(&field.label).strong());
                        if field.required {
                            widgets::badge(ui, "Required", theme::WARNING);
                        }
                        if field.external_id {
                            widgets::badge(ui, "External ID", theme::ACCENT);
                        }
                        if field.read_only {
                            widgets::badge(ui, "Read-only", ui.visuals().weak_text_color())
                                .on_hover_text("You cannot edit this field: it is a formula or system field, or field-level security grants you read only. It can only be pulled");
                        }
                        if problem {
                            ui.label(RichText::new("⚠").color(theme::DANGER));
                        }
                        field_detail(ui, field, mapped);
                    });
                });
                handle(
                    ui,
                    &response,
                    Dragged::Field(field.name.clone()),
                    &target,
                    state,
                    drawn,
                    commands,
                );
            }
        });
}

/// A field's API name, type and what it is mapped to, muted, after its label.
fn field_detail(ui: &mut Ui, field: &FieldInfo, mapped: Option<&FieldMapping>) {
    let length = field.length.map(|l| format!("({l})")).unwrap_or_default();
    let mut detail = format!("{} · {}{}", field.name, field.field_type, length);
    if let Some(m) = mapped {
        detail.push_str(&format!(
            " · {} {}",
            crate::sync::arrows::labelled(m.direction),
            local_text(m)
        ));
    }
    ui.label(RichText::new(detail).small().weak());
}

#[allow(clippy::too_many_arguments)]
fn columns_column(
    ui: &mut Ui,
    state: &mut MappingState,
    link: &Link,
    fields: Option<&[FieldInfo]>,
    columns: Option<&[LocalColumn]>,
    active: &Option<Dragged>,
    list_height: f32,
    drawn: &mut Drawn,
    commands: &mut Commands,
) {
    heading(
        ui,
        format!("Local columns · {}", link.table),
        &mut state.column_search,
        "Search columns",
    );
    let Some(columns) = columns else {
        if state.catalog.tables.is_some() {
            ui.label(
                RichText::new(format!(
                    "The table {} is not in the workspace. Create it, or choose another link",
                    link.table
                ))
                .color(theme::DANGER),
            );
        } else {
            ui.spinner();
        }
        return;
    };
    let needle = state.column_search.trim().to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt("local_columns")
        .max_height(list_height)
        .show(ui, |ui| {
            // One-line rows, as low as their text, so more of them fit.
            ui.spacing_mut().item_spacing.y = 4.0;
            ui.spacing_mut().interact_size.y = 20.0;
            for column in columns
                .iter()
                .filter(|c| needle.is_empty() || c.name.to_lowercase().contains(&needle))
            {
                let target = match active {
                    Some(Dragged::Field(f)) => {
                        match fields.and_then(|fs| fs.iter().find(|x| &x.name == f)) {
                            Some(field) => match draft::refusal(link, field, column) {
                                Some(why) => Target::Invalid(why),
                                None => Target::Valid,
                            },
                            None => Target::Idle,
                        }
                    }
                    _ => Target::Idle,
                };
                let mapped = link
                    .fields
                    .iter()
                    .find(|m| m.local_column() == Some(column.name.as_str()));
                let picked = state.picked == Some(Dragged::Column(column.name.clone()));
                let name = format!("Local column {}", column.name);
                let response = row(ui, &column.name, &name, &target, picked, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing.x = 6.0;
                        ui.label(RichText::new(&column.name).strong());
                        if column.name == link.key {
                            widgets::badge(ui, "Key", theme::ACCENT);
                        }
                        if column.name == link.id_column {
                            widgets::badge(ui, "Salesforce Id", ui.visuals().weak_text_color());
                        }
                        let declared = if column.declared_type.is_empty() {
                            "any type"
                        } else {
                            &column.declared_type
                        };
                        let mut detail = declared.to_string();
                        if let Some(m) = mapped {
                            detail.push_str(&format!(
                                " · {} {}",
                                m.remote,
                                crate::sync::arrows::labelled(m.direction)
                            ));
                        }
                        ui.label(RichText::new(detail).small().weak());
                    });
                });
                handle(
                    ui,
                    &response,
                    Dragged::Column(column.name.clone()),
                    &target,
                    state,
                    drawn,
                    commands,
                );
            }
        });
}

/// Drag, drop and pick on one row.
fn handle(
    ui: &Ui,
    response: &egui::Response,
    me: Dragged,
    target: &Target,
    state: &mut MappingState,
    drawn: &mut Drawn,
    commands: &mut Commands,
) {
    if ui.clip_rect().contains(response.rect.center()) {
        match &me {
            Dragged::Field(f) => drawn.fields.insert(f.clone(), response.rect),
            Dragged::Column(c) => drawn.columns.insert(c.clone(), response.rect),
        };
    }
    let hover = if matches!(me, Dragged::Field(_)) {
        "Drag onto a local column to map it, or press Enter and then choose the column"
    } else {
        ""
    };
    let pairs = |a: &Dragged, b: &Dragged| pair(a, b).is_some();
    let handled = two_columns::handle(ui, response, me, target, &mut state.picked, pairs, hover);
    if handled.refusing.is_some() {
        drawn.hint = handled.refusing;
    }
    if let Some(command) = handled.paired.and_then(|(a, b)| pair(&a, &b)) {
        commands.push(Command::Mapping(command));
    }
}

/// The mapping a field and a column make, whichever was dragged.
fn pair(a: &Dragged, b: &Dragged) -> Option<MappingCommand> {
    match (a, b) {
        (Dragged::Field(field), Dragged::Column(column))
        | (Dragged::Column(column), Dragged::Field(field)) => Some(MappingCommand::Map {
            field: field.clone(),
            column: column.clone(),
        }),
        _ => None,
    }
}
