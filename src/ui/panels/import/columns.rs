//! The two columns of the Map step: the sheet's columns on the left (with a sample value),
//! the object's fields on the right. Drag one onto the other to pair them, or pick one with
//! Enter and then the other.

use std::collections::HashMap;

use egui::{Rect, RichText, Ui, Vec2};

use super::ImportCommand;
use super::draft::{Draft, Dragged, Edit};
use crate::desktop::FieldInfo;
use crate::ui::command::{Command, Commands};
use crate::ui::panels::two_columns::{self, Target, row};
use crate::ui::{theme, widgets};

const LIST_HEIGHT: f32 = 360.0;

/// What one frame drew: visible rows, and why the row under a drag refuses it.
#[derive(Default)]
struct Drawn {
    hint: Option<String>,
    columns: HashMap<String, Rect>,
    fields: HashMap<String, Rect>,
}

pub(super) fn show(ui: &mut Ui, draft: &mut Draft, commands: &mut Commands) {
    if draft.picked.is_some() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        draft.picked = None;
    }
    let dragging = two_columns::dragging::<Dragged>(ui);
    let active = dragging.clone().or_else(|| draft.picked.clone());
    let mut drawn = Drawn::default();
    let (side, gap) = two_columns::widths(ui);
    let height = LIST_HEIGHT + 8.0 * theme::GRID;
    ui.horizontal_top(|ui| {
        ui.allocate_ui(Vec2::new(side, height), |ui| {
            ui.set_width(side);
            ui.vertical(|ui| sheet_column(ui, draft, &active, &mut drawn, commands));
        });
        ui.add_space(gap);
        ui.allocate_ui(Vec2::new(side, height), |ui| {
            ui.set_width(side);
            ui.vertical(|ui| fields_column(ui, draft, &active, &mut drawn, commands));
        });
    });
    lines(ui, draft, &drawn);
    let line = match (&dragging, &drawn.hint, &draft.picked, &draft.refused) {
        (Some(_), Some(why), _, _) => Some((format!("Cannot drop here: {why}"), theme::DANGER)),
        (Some(_), None, _, _) => Some((
            "Drop onto a highlighted row to pair it".to_string(),
            theme::ACCENT,
        )),
        (None, _, Some(Dragged::Column(c)), _) => {
            Some((format!("Now choose the field for {c}"), theme::ACCENT))
        }
        (None, _, Some(Dragged::Field(f)), _) => Some((
            format!("Now choose the column for {}", draft.label_of(f)),
            theme::ACCENT,
        )),
        (None, _, None, Some(why)) => Some((format!("Not paired: {why}"), theme::DANGER)),
        _ => None,
    };
    if let Some((text, color)) = line {
        ui.label(RichText::new(text).color(color));
    }
}

/// A curve from each visible column to the visible field it fills.
fn lines(ui: &Ui, draft: &Draft, drawn: &Drawn) {
    let mapping = draft.current();
    let pairs = mapping
        .columns
        .iter()
        .map(|c| (&c.column, &c.field))
        .chain(mapping.lookups.iter().map(|l| (&l.column, &l.field)))
        .chain(mapping.key.iter().map(|k| (&k.column, &k.field)));
    for (column, field) in pairs {
        if let (Some(from), Some(to)) = (drawn.columns.get(column), drawn.fields.get(field)) {
            two_columns::curve(ui, *from, *to);
        }
    }
}

fn search(ui: &mut Ui, heading: &str, text: &mut String, hint: &str) {
    let label = ui.label(RichText::new(heading).strong());
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
}

fn sheet_column(
    ui: &mut Ui,
    draft: &mut Draft,
    active: &Option<Dragged>,
    drawn: &mut Drawn,
    commands: &mut Commands,
) {
    let heading = format!("Sheet columns ({})", draft.headers.len());
    search(ui, &heading, &mut draft.column_search, "Search columns");
    let needle = draft.column_search.trim().to_lowercase();
    let headers: Vec<String> = draft
        .headers
        .iter()
        .filter(|h| needle.is_empty() || h.to_lowercase().contains(&needle))
        .cloned()
        .collect();
    egui::ScrollArea::vertical()
        .id_salt("import_sheet_columns")
        .max_height(LIST_HEIGHT)
        .show(ui, |ui| {
            if headers.is_empty() {
                ui.label(RichText::new("No column matches the search").weak());
            }
            for header in headers {
                let target = match active {
                    Some(Dragged::Field(f)) => match draft.field(f) {
                        Some(field) => Target::from_refusal(draft.refusal(&header, field)),
                        None => Target::Idle,
                    },
                    _ => Target::Idle,
                };
                let picked = draft.picked == Some(Dragged::Column(header.clone()));
                let name = format!("Sheet column {header}");
                let fills = draft.fills(&header);
                let key = draft.current().key.as_ref().map(|k| k.column.clone());
                let response = row(ui, &header, &name, &target, picked, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(&header).strong());
                        if key.as_deref() == Some(header.as_str()) {
                            widgets::badge(ui, "Key", theme::ACCENT);
                        }
                    });
                    let mut detail = match draft.sample(&header) {
                        Some(sample) => format!("e.g. {}", shorten(sample)),
                        None => "blank in the preview".to_string(),
                    };
                    if let Some(field) = &fills {
                        detail.push_str(&format!(" · → {}", draft.label_of(field)));
                    }
                    ui.label(RichText::new(detail).small().weak());
                });
                handle(
                    ui,
                    &response,
                    Dragged::Column(header),
                    &target,
                    draft,
                    drawn,
                    commands,
                );
            }
        });
}

fn fields_column(
    ui: &mut Ui,
    draft: &mut Draft,
    active: &Option<Dragged>,
    drawn: &mut Drawn,
    commands: &mut Commands,
) {
    let heading = format!("Salesforce fields · {}", draft.current().object);
    search(ui, &heading, &mut draft.field_search, "Search fields");
    let needle = draft.field_search.trim().to_lowercase();
    let fields: Vec<FieldInfo> = draft
        .fields
        .iter()
        .filter(|f| {
            needle.is_empty()
                || f.label.to_lowercase().contains(&needle)
                || f.name.to_lowercase().contains(&needle)
                || f.field_type.to_lowercase().contains(&needle)
        })
        .cloned()
        .collect();
    let mut fields = fields;
    // Filled fields first, in the sheet's order (so their curves stay short), then what
    // must be filled, then the rest; read-only fields last, since an import cannot fill them.
    fields.sort_by_key(|f| {
        let position = draft
            .filler(&f.name)
            .and_then(|(column, _)| draft.headers.iter().position(|h| *h == column));
        match position {
            Some(at) => (0, at),
            None if f.read_only => (3, 0),
            None if f.required => (1, 0),
            None => (2, 0),
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("import_fields")
        .max_height(LIST_HEIGHT)
        .show(ui, |ui| {
            if fields.is_empty() {
                ui.label(
                    RichText::new(format!(
                        "No field matches the search. Clear it to see all {} fields",
                        draft.fields.len()
                    ))
                    .weak(),
                );
            }
            for field in fields {
                let target = match active {
                    Some(Dragged::Column(c)) => Target::from_refusal(draft.refusal(c, &field)),
                    _ => Target::Idle,
                };
                let picked = draft.picked == Some(Dragged::Field(field.name.clone()));
                let name = format!("Salesforce field {}", field.label);
                let filler = draft.filler(&field.name);
                let constant = draft.current().constants.contains_key(&field.name);
                let response = row(ui, &field.name, &name, &target, picked, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(&field.label).strong());
                        if field.required {
                            widgets::badge(ui, "Required", theme::WARNING);
                        }
                        if field.external_id {
                            widgets::badge(ui, "External ID", theme::ACCENT);
                        }
                        if field.read_only {
                            widgets::badge(ui, "Read-only", ui.visuals().weak_text_color());
                        }
                    });
                    let length = field.length.map(|l| format!("({l})")).unwrap_or_default();
                    let mut detail = format!("{} · {}{}", field.name, field.field_type, length);
                    if let Some((column, _)) = &filler {
                        detail.push_str(&format!(" · ← {column}"));
                    } else if constant {
                        detail.push_str(" · constant");
                    }
                    ui.label(RichText::new(detail).small().weak());
                });
                handle(
                    ui,
                    &response,
                    Dragged::Field(field.name.clone()),
                    &target,
                    draft,
                    drawn,
                    commands,
                );
            }
        });
}

fn handle(
    ui: &Ui,
    response: &egui::Response,
    me: Dragged,
    target: &Target,
    draft: &mut Draft,
    drawn: &mut Drawn,
    commands: &mut Commands,
) {
    if ui.clip_rect().contains(response.rect.center()) {
        match &me {
            Dragged::Column(c) => drawn.columns.insert(c.clone(), response.rect),
            Dragged::Field(f) => drawn.fields.insert(f.clone(), response.rect),
        };
    }
    let hover = match me {
        Dragged::Column(_) => {
            "Drag onto a field to pair them, or press Enter and then choose the field"
        }
        Dragged::Field(_) => "Drag onto a sheet column to pair them",
    };
    let pairs = |a: &Dragged, b: &Dragged| pair(a, b).is_some();
    let handled = two_columns::handle(ui, response, me, target, &mut draft.picked, pairs, hover);
    if handled.refusing.is_some() {
        drawn.hint = handled.refusing;
    }
    if let Some(edit) = handled.paired.and_then(|(a, b)| pair(&a, &b)) {
        commands.push(Command::Import(ImportCommand::Edit(edit)));
    }
}

/// The pair a column and a field make, whichever was dragged.
fn pair(a: &Dragged, b: &Dragged) -> Option<Edit> {
    match (a, b) {
        (Dragged::Column(column), Dragged::Field(field))
        | (Dragged::Field(field), Dragged::Column(column)) => Some(Edit::Map {
            column: column.clone(),
            field: field.clone(),
        }),
        _ => None,
    }
}

/// A long cell cut to fit a row.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}
