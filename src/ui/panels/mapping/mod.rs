//! The Mapping page: the mapping studio. Salesforce fields on the left, local columns on the
//! right; drag one onto the other to map it. Below, the mapped pairs with their direction and
//! conflict policy, computed push fields with a live preview, and verify's problems inline.

mod columns;
mod confirm;
pub(crate) mod create_fields;
mod draft;
pub(crate) mod object_search;
mod pairs;
mod picker;
mod table_proposal;
#[cfg(test)]
mod tests;
mod toolbar;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use egui::{RichText, Ui};

use crate::access::Action;
use crate::desktop::{Event, FieldInfo, LocalTable, ObjectSummary, Request, Topic};
use crate::sync::link::{ConflictPolicy, Direction, FieldMapping, Link};
use crate::sync::verify::{Problem, has_errors};
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::PathPrompt;
use crate::ui::model::Model;
use crate::ui::{theme, widgets};

pub use create_fields::CreateFieldsCommand;
pub use draft::Fix;
pub use picker::NewLinkForm;

/// Intents of the Mapping page.
#[derive(Debug, Clone, PartialEq)]
pub enum MappingCommand {
    /// Edits a link (a saved one, or one read from a file).
    Open(Box<Link>),
    /// Starts editing a new link, not saved yet.
    Create(Box<Link>),
    /// Shows the form of a new link.
    NewLink,
    CancelNewLink,
    /// Reads the workspace's local tables again: tables made while the window is open appear.
    RefreshTables,
    /// Maps a Salesforce field to a local column.
    Map {
        field: String,
        column: String,
    },
    /// Adds a computed push field: a SQL expression sent to `field`.
    AddExpression {
        field: String,
    },
    SetExpression {
        field: String,
        sql: String,
    },
    SetDirection {
        field: String,
        direction: Direction,
    },
    SetPolicy {
        field: String,
        policy: Option<ConflictPolicy>,
    },
    /// Whether rows without a Salesforce Id are created (links matched on the Id).
    SetCreateUnmatched(bool),
    Unmap {
        field: String,
    },
    /// Adds auto-match's suggestions.
    AutoMatch,
    ApplyFix(Fix),
    Verify,
    Save,
    /// Chosen in the save dialog, or typed: export the link there.
    ExportTo(PathBuf),
    /// Chosen in the open dialog, or typed: read a link from there.
    ImportFrom(PathBuf),
    /// No file dialog can open on this desktop: a typed path stands in. `export_as` is the
    /// link to export, or `None` to import one.
    DialogUnavailable {
        export_as: Option<String>,
    },
    /// Closes the typed path without using it (a dialog opening replaces it too).
    ClosePathPrompt,
    /// Opens the confirmation to delete the link being edited.
    AskDelete,
    /// Deletes the link: the person confirmed.
    Delete,
    /// Closes the confirmation to delete, or to discard unsaved changes, doing nothing.
    KeepEditing,
    /// Drops the unsaved changes and opens the link that was waiting for it.
    DiscardChanges,
    /// An intent of the Create missing fields dialog.
    CreateFields(CreateFieldsCommand),
}

/// What replaces the link being edited once its unsaved changes may go.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Waiting {
    /// Another link, and its saved form (none for one not saved yet).
    Open(Box<(Link, Option<Link>)>),
    /// The form of a new link.
    NewLink,
}

/// Describes and tables the page has asked for or received.
#[derive(Default)]
pub(crate) struct Catalog {
    pub objects: HashMap<String, Vec<ObjectSummary>>,
    /// Fields by (connection, object).
    pub fields: HashMap<(String, String), Vec<FieldInfo>>,
    pub tables: Option<Vec<LocalTable>>,
    requested: HashSet<String>,
}

impl Catalog {
    pub fn fields_of(&self, link: &Link) -> Option<&Vec<FieldInfo>> {
        self.fields
            .get(&(link.connection.clone(), link.object.clone()))
    }

    pub fn table(&self, name: &str) -> Option<&LocalTable> {
        self.tables.as_ref()?.iter().find(|t| t.name == name)
    }

    /// Asks once for what is not here yet.
    fn ensure(&mut self, key: String, request: Request, commands: &mut Commands) {
        if self.requested.insert(key) {
            commands.send(request);
        }
    }

    pub fn want_tables(&mut self, commands: &mut Commands) {
        if self.tables.is_none() {
            self.ensure("tables".into(), Request::ListLocalTables, commands);
        }
    }

    pub fn want_objects(&mut self, connection: &str, commands: &mut Commands) {
        if !connection.is_empty() && !self.objects.contains_key(connection) {
            let request = Request::ListObjects {
                connection: connection.to_string(),
            };
            self.ensure(format!("objects {connection}"), request, commands);
        }
    }

    pub fn want_fields(&mut self, connection: &str, object: &str, commands: &mut Commands) {
        let key = (connection.to_string(), object.to_string());
        if !connection.is_empty() && !object.is_empty() && !self.fields.contains_key(&key) {
            let request = Request::DescribeObject {
                connection: connection.to_string(),
                object: object.to_string(),
            };
            self.ensure(format!("fields {connection} {object}"), request, commands);
        }
    }

    /// Describes `object` again when next shown: fields were created or granted.
    fn forget_fields(&mut self, connection: &str, object: &str) {
        self.fields
            .remove(&(connection.to_string(), object.to_string()));
        self.requested
            .remove(&format!("fields {connection} {object}"));
    }

    /// Lets the page ask again after a failure.
    fn forget_requests(&mut self) {
        self.requested.clear();
    }
}

/// A computed field's text while it is typed, and whether its preview was asked for.
pub(crate) struct ExpressionEdit {
    pub text: String,
    pub changed: Instant,
    pub previewed: bool,
}

#[derive(Default)]
pub struct MappingState {
    /// The link being edited.
    pub(crate) draft: Option<Link>,
    /// The draft as the workspace has it; `None` until it is saved.
    pub(crate) saved: Option<Link>,
    pub(crate) new_link: Option<NewLinkForm>,
    pub(crate) catalog: Catalog,
    pub(crate) field_search: String,
    pub(crate) column_search: String,
    /// The field or column picked with a click or Enter, for mapping without a mouse.
    pub(crate) picked: Option<columns::Dragged>,
    /// Why the last drop was refused, until the next one.
    pub(crate) refused: Option<String>,
    pub(crate) problems: Option<Vec<Problem>>,
    pub(crate) verifying: bool,
    pub(crate) saving: bool,
    pub(crate) save_refused: bool,
    pub(crate) saved_at: Option<Instant>,
    pub(crate) expressions: HashMap<String, ExpressionEdit>,
    pub(crate) previews: HashMap<String, Result<Vec<(String, String)>, String>>,
    /// Links read from files and not saved yet, offered by the picker.
    pub(crate) imported: Vec<Link>,
    /// What waits for the person to agree to drop the unsaved changes.
    pub(crate) waiting: Option<Waiting>,
    pub(crate) confirm_delete: bool,
    /// The person set `create_unmatched` of the draft; until then a new link follows
    /// [`draft::fills_required`].
    pub(crate) create_unmatched_chosen: bool,
    /// The path typed where no file dialog opens, and whether it is to export the link.
    pub(crate) path_prompt: Option<(PathPrompt, bool)>,
    /// The Create missing fields dialog, while open.
    pub(crate) create_fields: Option<create_fields::Dialog>,
}

impl MappingState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Objects {
                connection,
                objects,
            } => {
                self.catalog
                    .objects
                    .insert(connection.clone(), objects.clone());
            }
            Event::ObjectFields {
                connection,
                object,
                fields,
            } => {
                self.catalog
                    .fields
                    .insert((connection.clone(), object.clone()), fields.clone());
                self.follow_create_default();
            }
            Event::LocalTables(tables) => self.catalog.tables = Some(tables.clone()),
            Event::TableProposed { object, proposal } => {
                if let Some(form) = self.new_link.as_mut().filter(|f| &f.object == object) {
                    form.proposal = Some(proposal.clone());
                }
            }
            Event::TableCreated(made) => {
                if let Some(form) = &mut self.new_link {
                    form.proposal = None;
                    form.table = made.table.clone();
                    form.key = made.key.clone();
                    form.id_column = made.id_column.clone();
                }
            }
            Event::ExpressionPreview { expression, result } => {
                self.previews.insert(expression.clone(), result.clone());
            }
            Event::Verified { link, problems } if self.is_draft(link) => {
                self.verifying = false;
                if self.saving {
                    self.saving = false;
                    self.save_refused = has_errors(problems);
                }
                self.problems = Some(problems.clone());
            }
            Event::LinkSaved { link, problems } if self.is_draft(link) => {
                self.saving = false;
                self.save_refused = false;
                self.problems = Some(problems.clone());
                self.saved = self.draft.clone();
                self.saved_at = Some(Instant::now());
                self.imported.retain(|l| &l.name != link);
            }
            Event::LinkDeleted { link } if self.is_draft(link) => {
                self.draft = None;
                self.saved = None;
                self.problems = None;
            }
            Event::LinkImported(link) => {
                self.imported.retain(|l| l.name != link.name);
                self.imported.push((**link).clone());
                self.open_unless_dirty((**link).clone(), None);
            }
            Event::Setup(event) => self.on_setup_event(event),
            Event::Failed {
                topic: Topic::Mapping,
                message,
            } => {
                self.on_setup_failure(message);
                self.verifying = false;
                self.saving = false;
                self.catalog.forget_requests();
            }
            _ => {}
        }
    }

    fn is_draft(&self, name: &str) -> bool {
        self.draft.as_ref().is_some_and(|d| d.name == name)
    }

    /// Opens `link`, or, with changes not saved, asks first.
    fn open_unless_dirty(&mut self, link: Link, saved: Option<Link>) {
        if self.dirty() {
            self.new_link = None;
            self.waiting = Some(Waiting::Open(Box::new((link, saved))));
        } else {
            self.open(link, saved);
        }
    }

    fn open(&mut self, link: Link, saved: Option<Link>) {
        self.draft = Some(link);
        self.saved = saved;
        self.new_link = None;
        self.problems = None;
        self.refused = None;
        self.picked = None;
        self.save_refused = false;
        self.saved_at = None;
        self.expressions.clear();
        self.create_unmatched_chosen = false;
        self.follow_create_default();
    }

    /// A link never saved nor imported creates records for rows without a Salesforce Id when
    /// its pushes fill every field Salesforce requires, until the person decides. Saved and
    /// imported links keep what they say.
    fn follow_create_default(&mut self) {
        let Some(link) = &self.draft else {
            return;
        };
        let new = self.saved.is_none() && !self.imported.iter().any(|l| l.name == link.name);
        if !new || self.create_unmatched_chosen {
            return;
        }
        let by_id = link.match_on == crate::sync::link::MatchKey::SalesforceId;
        if let Some(fields) = self.catalog.fields_of(link) {
            // Links matched on an external id upsert whatever the setting says.
            let fills = by_id && draft::fills_required(link, fields);
            if let Some(link) = &mut self.draft {
                link.create_unmatched = fills;
            }
        }
    }

    /// Unsaved changes.
    pub(crate) fn dirty(&self) -> bool {
        self.draft.is_some() && self.draft != self.saved
    }

    pub fn apply(&mut self, command: MappingCommand, out: &mut Vec<Request>) {
        use MappingCommand::*;
        match command {
            // Choosing the link already open keeps its edits.
            Open(link) if self.dirty() && self.is_draft(&link.name) => {}
            Open(link) => {
                let saved = (!self.imported.contains(&link)).then(|| (*link).clone());
                self.open_unless_dirty(*link, saved);
            }
            Create(link) => self.open_unless_dirty(*link, None),
            NewLink if self.dirty() => self.waiting = Some(Waiting::NewLink),
            NewLink => {
                self.new_link = Some(NewLinkForm::default());
                out.push(Request::ListLocalTables);
            }
            CancelNewLink => self.new_link = None,
            RefreshTables => out.push(Request::ListLocalTables),
            CreateFields(command) => self.apply_create_fields(command, out),
            Verify => {
                if let Some(link) = &self.draft {
                    self.verifying = true;
                    out.push(Request::VerifyLink { link: link.clone() });
                }
            }
            Save => {
                if let Some(link) = &self.draft {
                    self.saving = true;
                    self.save_refused = false;
                    out.push(Request::SaveLink { link: link.clone() });
                }
            }
            ExportTo(path) => {
                self.path_prompt = None;
                if let Some(link) = &self.draft {
                    out.push(Request::ExportLink {
                        name: link.name.clone(),
                        path,
                    });
                }
            }
            ImportFrom(path) => {
                self.path_prompt = None;
                out.push(Request::ImportLink { path });
            }
            ClosePathPrompt => self.path_prompt = None,
            DialogUnavailable { export_as } => {
                self.path_prompt = Some(match export_as {
                    Some(name) => (PathPrompt::save("Save here", &format!("{name}.json")), true),
                    None => (PathPrompt::open("Open this file"), false),
                });
            }
            AskDelete => self.confirm_delete = self.saved.is_some(),
            Delete => {
                self.confirm_delete = false;
                if let Some(saved) = &self.saved {
                    out.push(Request::DeleteLink {
                        name: saved.name.clone(),
                    });
                }
            }
            KeepEditing => {
                self.confirm_delete = false;
                self.waiting = None;
            }
            DiscardChanges => {
                match self.waiting.take() {
                    Some(Waiting::Open(next)) => {
                        let (link, saved) = *next;
                        self.open(link, saved);
                    }
                    Some(Waiting::NewLink) => {
                        // What was saved stays the link being edited behind the form.
                        match self.saved.clone() {
                            Some(saved) => self.open(saved.clone(), Some(saved)),
                            None => self.draft = None,
                        }
                        self.new_link = Some(NewLinkForm::default());
                        out.push(Request::ListLocalTables);
                    }
                    None => {}
                }
            }
            other => {
                self.edit(other);
                self.follow_create_default();
            }
        }
    }

    /// Changes to the draft itself.
    fn edit(&mut self, command: MappingCommand) {
        use MappingCommand::*;
        let fields = self
            .draft
            .as_ref()
            .and_then(|d| self.catalog.fields_of(d))
            .cloned()
            .unwrap_or_default();
        let columns = self
            .draft
            .as_ref()
            .and_then(|d| self.catalog.table(&d.table))
            .map(|t| t.columns.clone())
            .unwrap_or_default();
        let Some(link) = &mut self.draft else {
            return;
        };
        match command {
            Map { field, column } => {
                let info = fields.iter().find(|f| f.name == field);
                let col = columns.iter().find(|c| c.name == column);
                if let (Some(info), Some(col)) = (info, col) {
                    match draft::refusal(link, info, col) {
                        Some(why) => self.refused = Some(why),
                        None => {
                            link.fields.push(draft::mapping_for(link, info, &column));
                            self.refused = None;
                        }
                    }
                }
                self.picked = None;
            }
            AddExpression { field } if !link.fields.iter().any(|m| m.remote == field) => {
                link.fields.push(FieldMapping::expression("", &field));
            }
            SetExpression { field, sql } => {
                if let Some(m) = link.fields.iter_mut().find(|m| m.remote == field) {
                    m.local = crate::sync::link::LocalSource::Expression(sql);
                }
            }
            SetDirection { field, direction } => {
                if let Some(m) = link.fields.iter_mut().find(|m| m.remote == field) {
                    m.direction = direction;
                }
            }
            SetPolicy { field, policy } => {
                if let Some(m) = link.fields.iter_mut().find(|m| m.remote == field) {
                    m.policy = policy;
                }
            }
            SetCreateUnmatched(on) => {
                link.create_unmatched = on;
                self.create_unmatched_chosen = true;
            }
            Unmap { field } => {
                link.fields.retain(|m| m.remote != field);
                self.expressions.remove(&field);
            }
            AutoMatch => {
                let found = draft::auto_mappings(link, &fields, &columns);
                self.refused = found
                    .is_empty()
                    .then(|| "Auto-match found no more columns whose names match a field".into());
                link.fields.extend(found);
            }
            ApplyFix(fix) if fix.apply(link) => self.problems = None,
            _ => {}
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut MappingState, model: &Model, commands: &mut Commands) {
    state.catalog.want_tables(commands);
    if state.draft.is_none()
        && state.new_link.is_none()
        && let Some(card) = model
            .selected_link
            .as_ref()
            .and_then(|s| model.link(s))
            .or_else(|| model.links.first())
    {
        commands.push(Command::Mapping(MappingCommand::Open(Box::new(
            card.link.clone(),
        ))));
    }
    widgets::page_header(
        ui,
        "Mappings",
        Some("Which Salesforce field goes with which local column, and which way it syncs"),
    );
    widgets::failure_banner(ui, model.failures.get(&Topic::Mapping));
    toolbar::show(ui, state, model, commands);
    confirm::show(ui, state, commands);
    create_fields::show(ui, state, commands);
    ui.add_space(theme::GRID);

    if let Some(form) = &mut state.new_link {
        picker::new_link_form(ui, form, &mut state.catalog, model, commands);
        return;
    }
    let Some(link) = state.draft.clone() else {
        toolbar::empty(ui, model, commands);
        return;
    };
    // While a connection is made (the sandbox org starts with the window), asking would only
    // fail: the studio asks once it is done.
    let waiting = model.connecting.is_some() && model.connection(&link.connection).is_none();
    if !waiting {
        state
            .catalog
            .want_fields(&link.connection, &link.object, commands);
    }
    ui.label(
        RichText::new(format!(
            "{} · {} on {}",
            crate::sync::arrows::title_with_word(&link),
            link.name,
            link.connection
        ))
        .strong(),
    );
    pairs::problems_summary(ui, state, &link, commands);
    // The studio takes what a dozen pairs leave, within bounds: both the columns and the pairs
    // stay in sight without scrolling the page.
    let mapped = link
        .fields
        .iter()
        .filter(|m| m.local_column().is_some())
        .count()
        .min(pairs::IN_SIGHT) as f32;
    let room = ui.available_height() - pairs::height(mapped);
    // A tall window gives the lists what the computed fields under the pairs leave.
    let studio = room
        .clamp(MIN_STUDIO, MAX_STUDIO)
        .max(room - COMPUTED_FIELDS);
    let refusal = model.refusal(&link.connection, Action::EditLinks, Some(&link.object));
    if let Some(refusal) = &refusal {
        ui.label(
            RichText::new(format!(
                "You may look at this link but not change it: {refusal}"
            ))
            .color(theme::WARNING),
        );
    }
    ui.add_enabled_ui(refusal.is_none(), |ui| {
        let status = columns::show(ui, state, &link, columns::list_height(studio), commands);
        pairs::show(ui, state, &link, status, commands);
    });
}

/// The studio's height (headings, lists and the line under them) when space is short, and
/// when there is plenty.
const MIN_STUDIO: f32 = 160.0;
const MAX_STUDIO: f32 = 480.0;
/// The computed push fields' heading and hint under the pairs.
const COMPUTED_FIELDS: f32 = 12.0 * theme::GRID;
