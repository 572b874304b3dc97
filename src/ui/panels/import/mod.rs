//! The Import page: a wizard in four steps. **File** shows how Tether reads the sheet and
//! where it goes; **Map** edits the proposed mapping in the two-column editor; **Check** runs
//! every row against the org and shows the report, sending nothing; **Import** sends the rows
//! once the person confirms, with progress, Cancel, retry of the failed rows and undo.

mod check;
mod columns;
mod draft;
mod file;
mod load;
mod options;
mod pairs;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc;

use egui::{RichText, Ui};

use crate::desktop::{
    Event, FilePreview, ImportProposal, ImportReport, ImportRequest, LaterEdits, ObjectSummary,
    Request, Topic,
};
use crate::run::RunSummary;
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::{self, FileQuestion, Picked};
use crate::ui::model::Model;
use crate::ui::theme::{self, GRID};
use crate::ui::widgets;

pub use draft::{Draft, Edit};

/// The object rows become unless the person names another.
pub const DEFAULT_OBJECT: &str = "Opportunity";

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    File,
    Map,
    Check,
    Import,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::File, Step::Map, Step::Check, Step::Import];

    pub fn title(self) -> &'static str {
        match self {
            Step::File => "File",
            Step::Map => "Map",
            Step::Check => "Check",
            Step::Import => "Import",
        }
    }
}

/// Intents of the Import page.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportCommand {
    /// A CSV or XLSX file chosen or dropped on the window.
    Open(PathBuf),
    /// Opens the system's file dialog.
    ChooseFile,
    SelectSheet(String),
    SetConnection(String),
    SetObject(String),
    /// Asks for a first mapping of the sheet ("Map columns").
    Propose,
    /// Returns to a step already reached.
    GoTo(Step),
    /// A change to the mapping being edited.
    Edit(Edit),
    SaveTemplate(String),
    /// Checks every row and sends nothing.
    Check,
    /// Sends the checked rows: the person confirmed.
    Load,
    Cancel,
    /// Sends again only the rows the last import could not send.
    Retry,
    AskUndo,
    CloseUndo,
    Undo,
    /// The person saw what Salesforce changed since the import and undoes it anyway.
    UndoAnyway,
    /// The person keeps what Salesforce changed since the import: no undo.
    KeepLaterEdits,
    /// Starts again with another file, keeping the connection and object.
    StartOver,
}

#[derive(Default)]
pub struct ImportState {
    pub step: Option<Step>,
    pub file: Option<PathBuf>,
    pub preview: Option<FilePreview>,
    pub loading: bool,
    pub failure: Option<String>,
    /// The file dialog runs on its own thread; its answer arrives here.
    chosen: Option<mpsc::Receiver<Picked>>,
    /// No file dialog can open on this desktop: the typed path is the way in.
    no_dialog: bool,
    focus_typed_path: bool,
    /// To wake the window when the dialog answers.
    ctx: Option<egui::Context>,
    /// A path typed where no file dialog is at hand.
    pub typed_path: String,
    pub connection: String,
    pub object: String,
    objects: HashMap<String, Vec<ObjectSummary>>,
    objects_asked: HashSet<String>,
    pub proposing: bool,
    pub proposal: Option<ImportProposal>,
    pub draft: Option<Draft>,
    /// The template name being typed, while the "Save as template" form is open.
    pub template_name: Option<String>,
    pub template_saved: Option<String>,
    pub checking: bool,
    pub checked: Option<ImportReport>,
    pub only_attention: bool,
    /// A load under way, from the click until its report arrives.
    pub importing: bool,
    pub progress: Option<(u64, u64, u64)>,
    pub cancelling: bool,
    pub finished: Option<ImportReport>,
    /// What the last load sent, for a retry of its failed rows.
    last_load: Option<ImportRequest>,
    pub confirm_undo: bool,
    pub undoing: bool,
    pub undone: Option<RunSummary>,
    /// The undo stopped before writing: Salesforce changed these records since the import.
    pub later_edits: Option<LaterEdits>,
}

impl ImportState {
    pub fn current_step(&self) -> Step {
        self.step.unwrap_or(Step::File)
    }

    /// Whether the stepper may return to `step` now.
    pub fn reachable(&self, step: Step) -> bool {
        if self.importing || self.undoing {
            return step == Step::Import;
        }
        match step {
            Step::File => true,
            Step::Map => self.draft.is_some(),
            Step::Check => self.draft.is_some() && (self.checked.is_some() || self.checking),
            Step::Import => self.finished.is_some(),
        }
    }

    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::FilePreview(preview) if Some(&preview.path) == self.file.as_ref() => {
                self.preview = Some((**preview).clone());
                self.loading = false;
                self.failure = None;
            }
            Event::Objects {
                connection,
                objects,
            } => {
                self.objects.insert(connection.clone(), objects.clone());
            }
            Event::ImportProposal(proposal)
                if self.proposing && Some(&proposal.path) == self.file.as_ref() =>
            {
                self.proposing = false;
                self.failure = None;
                self.draft = Some(Draft::new(proposal, self.preview.as_ref()));
                self.proposal = Some((**proposal).clone());
                self.checked = None;
                self.step = Some(Step::Map);
            }
            Event::ImportChecked(report) if self.checking => {
                self.checking = false;
                self.failure = None;
                if let Some(draft) = &mut self.draft {
                    draft.unfound = report.summary.unresolved.clone();
                }
                self.checked = Some((**report).clone());
            }
            Event::ImportProgress {
                decided,
                sent,
                to_send,
            } if self.importing => {
                self.progress = Some((*decided, *sent, *to_send));
            }
            Event::ImportFinished(report) => {
                self.importing = false;
                self.cancelling = false;
                self.finished = Some((**report).clone());
                self.step = Some(Step::Import);
            }
            Event::ImportUndone(summary) => {
                self.undoing = false;
                self.undone = Some((**summary).clone());
            }
            Event::LaterSalesforceEdits(edits) if self.undoing => {
                self.undoing = false;
                self.later_edits = Some((**edits).clone());
            }
            Event::ImportTemplateSaved { name } => {
                self.template_saved = Some(name.clone());
            }
            Event::Failed {
                topic: Topic::Import,
                message,
            } => {
                self.loading = false;
                self.proposing = false;
                self.checking = false;
                self.importing = false;
                self.cancelling = false;
                self.undoing = false;
                self.failure = Some(message.clone());
            }
            _ => {}
        }
    }

    /// The sheet and mapping as they stand, for a check or a load.
    pub fn request(&self, retry_of: Option<i64>) -> Option<ImportRequest> {
        let proposal = self.proposal.as_ref()?;
        let draft = self.draft.as_ref()?;
        Some(ImportRequest {
            path: proposal.path.clone(),
            sheet: self.preview.as_ref().and_then(|p| p.sheet.clone()),
            connection: proposal.connection.clone(),
            mapping: draft.mapping(),
            retry_of,
        })
    }

    /// Rows the check says a load would send.
    pub fn to_send(&self) -> u64 {
        self.checked
            .as_ref()
            .map_or(0, |r| r.summary.to_create + r.summary.to_update)
    }

    pub fn apply(&mut self, command: ImportCommand, out: &mut Vec<Request>) {
        match command {
            ImportCommand::Open(path) => {
                self.forget_file();
                self.typed_path.clear();
                self.file = Some(path.clone());
                self.loading = true;
                out.push(Request::PreviewFile { path, sheet: None });
            }
            ImportCommand::SelectSheet(sheet) => {
                if let Some(path) = self.file.clone() {
                    self.loading = true;
                    self.draft = None;
                    self.proposal = None;
                    self.checked = None;
                    out.push(Request::PreviewFile {
                        path,
                        sheet: Some(sheet),
                    });
                }
            }
            ImportCommand::ChooseFile => self.choose_file(),
            ImportCommand::SetConnection(name) => self.connection = name,
            ImportCommand::SetObject(name) => self.object = name,
            ImportCommand::Propose => {
                let (Some(path), false) = (self.file.clone(), self.connection.is_empty()) else {
                    return;
                };
                let object = self.object_or_default();
                if let (Some(proposal), Some(draft)) = (&self.proposal, &self.draft)
                    && proposal.connection == self.connection
                    && draft.current().object.eq_ignore_ascii_case(&object)
                {
                    // Back from the Map step with nothing changed here: keep the edits.
                    self.step = Some(Step::Map);
                    return;
                }
                self.proposing = true;
                self.failure = None;
                out.push(Request::ProposeImport {
                    path,
                    sheet: self.preview.as_ref().and_then(|p| p.sheet.clone()),
                    connection: self.connection.clone(),
                    object,
                });
            }
            ImportCommand::GoTo(step) => {
                if self.reachable(step) {
                    self.step = Some(step);
                }
            }
            ImportCommand::Edit(edit) => {
                if let Some(draft) = &mut self.draft {
                    draft.apply(edit);
                    self.template_saved = None;
                }
            }
            ImportCommand::SaveTemplate(name) => {
                if let (Some(proposal), Some(draft)) = (&self.proposal, &self.draft) {
                    self.template_name = None;
                    out.push(Request::SaveImportTemplate {
                        name,
                        headers: proposal.headers.clone(),
                        mapping: draft.mapping(),
                    });
                }
            }
            ImportCommand::Check => {
                if let Some(request) = self.request(None) {
                    self.checking = true;
                    self.checked = None;
                    self.failure = None;
                    self.step = Some(Step::Check);
                    out.push(Request::CheckImport(Box::new(request)));
                }
            }
            ImportCommand::Load => {
                if self.checked.is_some()
                    && let Some(request) = self.request(None)
                {
                    self.start_load(request, out);
                }
            }
            ImportCommand::Retry => {
                let run = self.finished.as_ref().and_then(|r| r.summary.run_id);
                if let (Some(run), Some(last)) = (run, &self.last_load) {
                    let mut request = last.clone();
                    request.retry_of = Some(run);
                    self.start_load(request, out);
                }
            }
            ImportCommand::Cancel => {
                if self.importing {
                    self.cancelling = true;
                    out.push(Request::CancelImport);
                }
            }
            ImportCommand::AskUndo => self.confirm_undo = true,
            ImportCommand::CloseUndo => self.confirm_undo = false,
            ImportCommand::Undo | ImportCommand::UndoAnyway => {
                self.confirm_undo = false;
                self.later_edits = None;
                if let Some(run_id) = self.finished.as_ref().and_then(|r| r.summary.run_id) {
                    self.undoing = true;
                    self.failure = None;
                    out.push(Request::UndoImport {
                        run_id,
                        overwrite_salesforce_edits: command == ImportCommand::UndoAnyway,
                    });
                }
            }
            ImportCommand::KeepLaterEdits => self.later_edits = None,
            ImportCommand::StartOver => {
                self.forget_file();
                self.file = None;
                self.step = Some(Step::File);
            }
        }
    }

    fn start_load(&mut self, request: ImportRequest, out: &mut Vec<Request>) {
        self.importing = true;
        self.cancelling = false;
        self.progress = None;
        self.finished = None;
        self.undone = None;
        self.later_edits = None;
        self.failure = None;
        self.step = Some(Step::Import);
        self.last_load = Some(request.clone());
        out.push(Request::LoadImport(Box::new(request)));
    }

    /// Everything learnt about the last file; the connection and object stay.
    fn forget_file(&mut self) {
        self.preview = None;
        self.failure = None;
        self.loading = false;
        self.proposing = false;
        self.proposal = None;
        self.draft = None;
        self.template_name = None;
        self.template_saved = None;
        self.checking = false;
        self.checked = None;
        self.progress = None;
        self.finished = None;
        self.last_load = None;
        self.confirm_undo = false;
        self.undone = None;
        self.later_edits = None;
        self.step = Some(Step::File);
    }

    pub fn object_or_default(&self) -> String {
        let typed = self.object.trim();
        if typed.is_empty() {
            DEFAULT_OBJECT.to_string()
        } else {
            typed.to_string()
        }
    }

    fn choose_file(&mut self) {
        if self.chosen.is_some() {
            return;
        }
        // Before the first frame there is no window to ask from.
        let Some(ctx) = &self.ctx else { return };
        let (tx, rx) = mpsc::channel();
        let question = FileQuestion {
            title: "Choose a spreadsheet to import",
            filter: ("Spreadsheets", &["csv", "tsv", "txt", "xlsx"]),
            save_as: None,
        };
        file_dialog::ask(ctx, question, move |picked| {
            let _ = tx.send(picked);
        });
        self.chosen = Some(rx);
    }

    fn poll_dialog(&mut self, commands: &mut Commands) {
        let Some(rx) = &self.chosen else { return };
        match rx.try_recv() {
            Ok(picked) => {
                self.chosen = None;
                match picked {
                    Picked::Path(path) => commands.push(Command::Import(ImportCommand::Open(path))),
                    Picked::Cancelled => {}
                    Picked::Unavailable => {
                        self.no_dialog = true;
                        self.focus_typed_path = true;
                        if self.file.is_some() {
                            commands.push(Command::Import(ImportCommand::StartOver));
                        }
                    }
                }
            }
            Err(mpsc::TryRecvError::Empty) => {}
            Err(mpsc::TryRecvError::Disconnected) => self.chosen = None,
        }
    }

    /// Asks once per connection for its objects, for the object picker.
    fn want_objects(&mut self, commands: &mut Commands) {
        if !self.connection.is_empty()
            && !self.objects.contains_key(&self.connection)
            && self.objects_asked.insert(self.connection.clone())
        {
            commands.send(Request::ListObjects {
                connection: self.connection.clone(),
            });
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut ImportState, model: &Model, commands: &mut Commands) {
    state.ctx = Some(ui.ctx().clone());
    state.poll_dialog(commands);
    if state.connection.is_empty()
        && let Some(first) = model.connections.first()
    {
        state.connection = first.name.clone();
    }
    if state.object.is_empty() {
        state.object = DEFAULT_OBJECT.to_string();
    }
    state.want_objects(commands);
    if state.importing || state.undoing {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(250));
    }

    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new("Import").heading().strong());
            ui.label(
                RichText::new("Bring spreadsheets into Salesforce: CSV, TSV or Excel (.xlsx), checked row by row before anything is sent.")
                    .weak(),
            );
        });
        // Without a file, the empty state offers the button.
        if state.current_step() == Step::File && state.file.is_some() {
            widgets::right_aligned(ui, |ui| {
                let busy = state.chosen.is_some();
                let button = ui.add_enabled(!busy, egui::Button::new("Choose another file…"));
                if button.clicked() {
                    commands.push(Command::Import(ImportCommand::ChooseFile));
                }
                // Where no file dialog opens, the empty state takes a typed path.
                let by_path = ui
                    .button("Type a path…")
                    .on_hover_text("Open another file by typing or pasting its path");
                if by_path.clicked() {
                    commands.push(Command::Import(ImportCommand::StartOver));
                }
            });
        }
    });
    ui.add_space(GRID);
    if state.file.is_some() {
        stepper(ui, state, commands);
        ui.add_space(GRID);
    }
    widgets::failure_banner(ui, state.failure.as_ref());
    match state.current_step() {
        Step::File => file::show(ui, state, model, commands),
        Step::Map => options::show_map_step(ui, state, commands),
        Step::Check => check::show(ui, state, commands),
        Step::Import => load::show(ui, state, commands),
    }
}

/// A step's buttons in one row under the stepper, always in view (and never under a toast,
/// which rises from the bottom corner), then its content.
fn with_actions(
    ui: &mut Ui,
    state: &mut ImportState,
    commands: &mut Commands,
    body: impl FnOnce(&mut Ui, &mut ImportState, &mut Commands),
    actions: impl FnOnce(&mut Ui, &mut ImportState, &mut Commands),
) {
    actions(ui, state, commands);
    ui.separator();
    body(ui, state, commands);
}

/// "1 File · 2 Map · 3 Check · 4 Import": the current step stands out, steps already reached
/// take the person back.
fn stepper(ui: &mut Ui, state: &ImportState, commands: &mut Commands) {
    let current = state.current_step();
    ui.horizontal(|ui| {
        for (i, step) in Step::ALL.into_iter().enumerate() {
            if i > 0 {
                ui.label(RichText::new("·").weak());
            }
            let text = format!("{} {}", i + 1, step.title());
            let rich = if step == current {
                RichText::new(text).strong().color(theme::ACCENT)
            } else if step < current {
                RichText::new(text)
            } else {
                RichText::new(text).weak()
            };
            let enabled = step != current && state.reachable(step);
            let button = egui::Button::selectable(step == current, rich).frame_when_inactive(false);
            let response = ui.add_enabled(enabled || step == current, button);
            let name = format!("Step {}: {}", i + 1, step.title());
            response.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::Button, enabled, step == current, &name)
            });
            if response.clicked() && enabled {
                commands.push(Command::Import(ImportCommand::GoTo(step)));
            }
        }
    });
}
