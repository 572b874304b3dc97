//! Which link the studio edits: a saved one, one read from a file, or a new one.

use egui::{ComboBox, RichText, Ui};

use super::{Catalog, MappingCommand, MappingState};
use crate::sync::link::{Link, MatchKey};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::{theme, widgets};

/// The new link's choices while they are made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLinkForm {
    pub name: String,
    pub connection: String,
    pub object: String,
    pub table: String,
    pub key: String,
    pub id_column: String,
    /// Match on an external-id field instead of the Salesforce Id.
    pub by_external_id: bool,
    pub external_field: String,
    pub external_column: String,
    /// What is typed in the object picker's search box.
    pub object_search: String,
    /// A local table proposed from the object's fields, waiting for the person to confirm.
    pub proposal: Option<crate::desktop::new_table::TableProposal>,
}

impl NewLinkForm {
    /// The link, once every choice is made; else what is missing.
    pub fn link(&self) -> Result<Link, &'static str> {
        let missing = [
            (self.name.trim(), "Give the link a name"),
            (self.connection.as_str(), "Choose a connection"),
            (self.object.as_str(), "Choose a Salesforce object"),
            (self.table.as_str(), "Choose a local table"),
            (self.key.as_str(), "Choose the table's key column"),
            (
                self.id_column.as_str(),
                "Choose the column that holds the Salesforce Id",
            ),
        ];
        if let Some((_, why)) = missing.iter().find(|(v, _)| v.is_empty()) {
            return Err(why);
        }
        let match_on = if self.by_external_id {
            if self.external_field.is_empty() || self.external_column.is_empty() {
                return Err("Choose the external-id field and the column that holds it");
            }
            MatchKey::ExternalId {
                field: self.external_field.clone(),
                column: self.external_column.clone(),
            }
        } else {
            MatchKey::SalesforceId
        };
        Ok(Link {
            name: self.name.trim().to_string(),
            connection: self.connection.clone(),
            table: self.table.clone(),
            key: self.key.clone(),
            object: self.object.clone(),
            id_column: self.id_column.clone(),
            match_on,
            create_unmatched: false,
            fields: Vec::new(),
            pull_filter: None,
            push_filter: None,
            policy: Default::default(),
            deletes: Default::default(),
            archive_column: None,
            schedule: Default::default(),
            strategy: Default::default(),
            time_zone: None,
        })
    }
}

pub(super) fn link_picker(
    ui: &mut Ui,
    state: &MappingState,
    model: &Model,
    commands: &mut Commands,
) {
    let current = match (&state.new_link, &state.draft) {
        (Some(_), _) => "New link".to_string(),
        (None, Some(d)) => d.name.clone(),
        (None, None) => "Choose a link".to_string(),
    };
    ComboBox::from_label("Link")
        .selected_text(current)
        .width(200.0)
        .show_ui(ui, |ui| {
            for card in &model.links {
                let chosen = state
                    .draft
                    .as_ref()
                    .is_some_and(|d| d.name == card.link.name);
                if ui.selectable_label(chosen, &card.link.name).clicked() {
                    commands.push(Command::Mapping(MappingCommand::Open(Box::new(
                        card.link.clone(),
                    ))));
                }
            }
            for link in state
                .imported
                .iter()
                .filter(|l| model.link(&l.name).is_none())
            {
                let text = format!("{} (imported, not saved)", link.name);
                if ui.selectable_label(false, text).clicked() {
                    commands.push(Command::Mapping(MappingCommand::Open(Box::new(
                        link.clone(),
                    ))));
                }
            }
            if ui
                .selectable_label(state.new_link.is_some(), "New link…")
                .clicked()
            {
                commands.push(Command::Mapping(MappingCommand::NewLink));
            }
        });
}

/// A labelled combo box over `options`; the choice is written into `value`.
fn choose(ui: &mut Ui, label: &str, value: &mut String, options: &[(String, String)]) {
    ui.label(label);
    choose_box(ui, label, value, options);
    ui.end_row();
}

/// The combo box of [`choose`], without its label and row.
fn choose_box(ui: &mut Ui, label: &str, value: &mut String, options: &[(String, String)]) {
    let shown = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("Choose…".to_string(), |(_, text)| text.clone());
    ComboBox::from_id_salt(("new_link", label))
        .selected_text(shown)
        .width(260.0)
        .show_ui(ui, |ui| {
            for (option, text) in options {
                ui.selectable_value(value, option.clone(), text);
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
}

pub(super) fn new_link_form(
    ui: &mut Ui,
    form: &mut NewLinkForm,
    catalog: &mut Catalog,
    model: &Model,
    commands: &mut Commands,
) {
    if form.connection.is_empty()
        && let Some(first) = model.connections.first()
    {
        form.connection = first.name.clone();
    }
    catalog.want_objects(&form.connection, commands);
    catalog.want_fields(&form.connection, &form.object, commands);
    widgets::card(ui, |ui| {
        ui.label(RichText::new("New link").strong().size(16.0));
        ui.label(RichText::new("One Salesforce object kept in sync with one local table").weak());
        ui.add_space(theme::GRID);
        egui::Grid::new("new_link_grid")
            .num_columns(2)
            .spacing([2.0 * theme::GRID, theme::GRID])
            .show(ui, |ui| {
                let label = ui.label("Name");
                ui.add(egui::TextEdit::singleline(&mut form.name).hint_text("e.g. accounts"))
                    .labelled_by(label.id);
                ui.end_row();
                let connections: Vec<(String, String)> = model
                    .connections
                    .iter()
                    .map(|c| (c.name.clone(), c.name.clone()))
                    .collect();
                choose(ui, "Connection", &mut form.connection, &connections);
                let objects: Vec<(String, String)> = catalog
                    .objects
                    .get(&form.connection)
                    .map(|list| {
                        list.iter()
                            .map(|o| (o.name.clone(), format!("{} ({})", o.label, o.name)))
                            .collect()
                    })
                    .unwrap_or_default();
                ui.label("Salesforce object");
                super::object_search::object_picker(
                    ui,
                    &mut form.object,
                    &mut form.object_search,
                    &objects,
                );
                ui.end_row();
                let tables: Vec<(String, String)> = catalog
                    .tables
                    .iter()
                    .flatten()
                    .map(|t| (t.name.clone(), t.name.clone()))
                    .collect();
                ui.label("Local table");
                ui.horizontal(|ui| {
                    choose_box(ui, "Local table", &mut form.table, &tables);
                    if ui
                        .button("Refresh")
                        .on_hover_text("Read the workspace's tables again")
                        .clicked()
                    {
                        commands.push(Command::Mapping(MappingCommand::RefreshTables));
                    }
                });
                ui.end_row();
                let columns: Vec<(String, String)> = catalog
                    .table(&form.table)
                    .map(|t| {
                        t.columns
                            .iter()
                            .map(|c| (c.name.clone(), c.name.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                choose(ui, "Key column", &mut form.key, &columns);
                choose(ui, "Salesforce Id column", &mut form.id_column, &columns);
                ui.label("Match records on");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut form.by_external_id, false, "Salesforce Id");
                    ui.radio_value(&mut form.by_external_id, true, "External ID");
                });
                ui.end_row();
                if form.by_external_id {
                    let external: Vec<(String, String)> = catalog
                        .fields
                        .get(&(form.connection.clone(), form.object.clone()))
                        .map(|fields| {
                            fields
                                .iter()
                                .filter(|f| f.external_id)
                                .map(|f| (f.name.clone(), format!("{} ({})", f.label, f.name)))
                                .collect()
                        })
                        .unwrap_or_default();
                    choose(ui, "External ID field", &mut form.external_field, &external);
                    choose(
                        ui,
                        "Column with the external ID",
                        &mut form.external_column,
                        &columns,
                    );
                }
            });
        super::table_proposal::create_table_from_object(ui, form, commands);
        ui.add_space(theme::GRID);
        let ready = form.link();
        ui.horizontal(|ui| {
            let create = widgets::primary_button(ui, "Create link", ready.is_ok());
            if let Err(why) = &ready {
                create.on_disabled_hover_text(*why);
                ui.label(RichText::new(*why).weak());
            } else if create.clicked()
                && let Ok(link) = ready
            {
                commands.push(Command::Mapping(MappingCommand::Create(Box::new(link))));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Mapping(MappingCommand::CancelNewLink));
            }
        });
    });
}
