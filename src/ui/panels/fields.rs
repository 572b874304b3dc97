//! The field explorer: every field of an object with its facts and the user's field-level
//! access, searchable, in a window over the mapping studio or the Records page.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::desktop::{Event, ExploredField, FieldAccess, Request, Topic};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::theme::{self, GRID};

/// What the field explorer shows.
#[derive(Debug, Default)]
pub struct FieldsState {
    /// The connection and object shown, while the explorer is open.
    pub open: Option<(String, String)>,
    pub fields: Option<Vec<ExploredField>>,
    pub search: String,
    pub failure: Option<String>,
}

/// An intent of the field explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldsCommand {
    Open { connection: String, object: String },
    Close,
}

/// The command that opens the explorer on `object`.
pub fn open(connection: &str, object: &str) -> Command {
    Command::Fields(FieldsCommand::Open {
        connection: connection.to_string(),
        object: object.to_string(),
    })
}

impl FieldsState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::FieldCatalog {
                connection,
                object,
                fields,
            } if self.open.as_ref() == Some(&(connection.clone(), object.clone())) => {
                self.fields = Some(fields.clone());
                self.failure = None;
            }
            Event::Failed {
                topic: Topic::Mapping,
                message,
            } if self.open.is_some() && self.fields.is_none() => {
                self.failure = Some(message.clone());
            }
            _ => {}
        }
    }

    pub fn apply(&mut self, command: FieldsCommand, out: &mut Vec<Request>) {
        match command {
            FieldsCommand::Open { connection, object } => {
                self.open = Some((connection.clone(), object.clone()));
                self.fields = None;
                self.failure = None;
                self.search.clear();
                out.push(Request::ExploreFields { connection, object });
            }
            FieldsCommand::Close => {
                self.open = None;
                self.fields = None;
            }
        }
    }

    /// The fields the search keeps, in the explorer's order.
    pub fn shown(&self) -> Vec<&ExploredField> {
        self.fields
            .iter()
            .flatten()
            .filter(|f| f.matches(&self.search))
            .collect()
    }
}

/// Draws the explorer when open.
pub fn show(ctx: &egui::Context, state: &mut FieldsState, _model: &Model, commands: &mut Commands) {
    let Some((_, object)) = state.open.clone() else {
        return;
    };
    let mut open = true;
    egui::Window::new(format!("Fields of {object}"))
        .open(&mut open)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .default_size(explorer_size(ctx.content_rect().size()))
        .resizable(true)
        .show(ctx, |ui| body(ui, state));
    if !open {
        commands.push(Command::Fields(FieldsCommand::Close));
    }
}

/// Most of the window, so that a long field list reads without scrolling in a small box.
fn explorer_size(window: egui::Vec2) -> egui::Vec2 {
    egui::vec2((window.x * 0.8).max(640.0), (window.y * 0.75).max(400.0))
}

fn body(ui: &mut Ui, state: &mut FieldsState) {
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(&mut state.search)
                .hint_text("name, label, type, picklist value, “hidden”…")
                .desired_width(320.0),
        )
        .labelled_by(label.id);
        if let Some(fields) = &state.fields {
            let shown = fields.iter().filter(|f| f.matches(&state.search)).count();
            ui.label(RichText::new(format!("{shown} of {} fields", fields.len())).weak());
        }
    });
    ui.add_space(GRID / 2.0);
    if let Some(failure) = &state.failure {
        ui.label(RichText::new(failure).color(theme::DANGER));
        return;
    }
    if state.fields.is_none() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Reading the fields…").weak());
        });
        return;
    }
    let shown = state.shown();
    let row_height = 2.5 * GRID;
    TableBuilder::new(ui)
        .id_salt("field_explorer_table")
        .striped(true)
        .resizable(true)
        .column(Column::initial(150.0).clip(true))
        .column(Column::initial(150.0).clip(true))
        .column(Column::initial(110.0).clip(true))
        .column(Column::initial(110.0).clip(true))
        .column(Column::initial(100.0))
        .column(Column::remainder().clip(true))
        .header(row_height, |mut header| {
            for title in [
                "Label",
                "API name",
                "Type",
                "Flags",
                "Your access",
                "Details",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, shown.len(), |mut row| {
                let field = shown[row.index()];
                row.col(|ui| {
                    ui.label(&field.label);
                });
                row.col(|ui| {
                    ui.label(RichText::new(&field.name).monospace());
                });
                row.col(|ui| {
                    ui.label(type_text(field));
                });
                row.col(|ui| {
                    ui.label(flags(field));
                });
                row.col(|ui| {
                    let color = match field.access {
                        FieldAccess::Hidden => theme::DANGER,
                        FieldAccess::Read => theme::WARNING,
                        FieldAccess::Edit => theme::SUCCESS,
                    };
                    ui.label(RichText::new(field.access.text()).color(color))
                        .on_hover_text(access_hover(field.access));
                });
                row.col(|ui| {
                    let details = details(field);
                    ui.label(&details).on_hover_text(&details);
                });
            });
        });
}

fn type_text(field: &ExploredField) -> String {
    match (field.length, field.precision, field.scale) {
        (_, Some(precision), scale) => {
            format!("{}({precision}, {})", field.field_type, scale.unwrap_or(0))
        }
        (Some(length), _, _) => format!("{}({length})", field.field_type),
        _ => field.field_type.clone(),
    }
}

fn flags(field: &ExploredField) -> String {
    let mut flags = Vec::new();
    if field.required {
        flags.push("required");
    }
    if field.external_id {
        flags.push("external id");
    }
    if field.unique {
        flags.push("unique");
    }
    flags.join(", ")
}

fn access_hover(access: FieldAccess) -> &'static str {
    match access {
        FieldAccess::Hidden => {
            "The org has this field, but none of your permission sets lets you read it (field-level security). Ask your Salesforce admin for Read on it"
        }
        FieldAccess::Read => {
            "You may read this field but not edit it: a formula or system field, or field-level security grants you read only"
        }
        FieldAccess::Edit => "You may read and edit this field",
    }
}

/// Picklist values (inactive ones marked), formula and help text, as one line.
pub fn details(field: &ExploredField) -> String {
    let mut parts = Vec::new();
    if !field.picklist_values.is_empty() {
        let values: Vec<String> = field
            .picklist_values
            .iter()
            .map(|v| match v.active {
                true => v.value.clone(),
                false => format!("{} (inactive)", v.value),
            })
            .collect();
        parts.push(format!("values: {}", values.join(", ")));
    }
    if let Some(formula) = &field.formula {
        parts.push(format!("formula: {formula}"));
    }
    if let Some(help) = &field.help_text {
        parts.push(format!("help: {help}"));
    }
    parts.join(" · ")
}
