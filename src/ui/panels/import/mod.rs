//! The Import page: a wizard in four steps. **File** shows how Tether reads the sheet and
//! where it goes; **Map** edits the proposed mapping in the two-column editor; **Check** runs
//! every row against the org and shows the report, sending nothing; **Import** sends the rows
//! once the person confirms, with progress, Cancel, retry of the failed rows and undo.

mod check;
mod columns;
mod draft;
mod events;
mod file;
mod load;
mod options;
mod pairs;
mod wizard;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::desktop::{ImportReport, ObjectSummary, Request};
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::FileFor;
use crate::ui::model::Model;
use crate::ui::theme::{self, GRID};
use crate::ui::{Page, widgets};

pub use draft::{Draft, Edit};
pub use wizard::{
    Ahead, Check, CheckStep, FileStep, Finished, ImportStep, Load, MapStep, Mapped, PathEntry,
    Read, Sheet, Undo, Wizard,
};

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
    /// A CSV or XLSX file chosen, typed or dropped on the window.
    Open(PathBuf),
    /// No file dialog can open on this desktop: the typed path takes the keyboard.
    NoDialog,
    /// Reads another sheet of the workbook.
    SelectSheet(String),
    /// The connection the rows go to.
    SetConnection(String),
    /// The object the rows become, chosen from the connection's list.
    SetObject(String),
    /// Asks for a first mapping of the sheet ("Map columns").
    Propose,
    /// Returns to a step already reached.
    GoTo(Step),
    /// A change to the mapping being edited.
    Edit(Edit),
    /// Opens the "Save as template" form.
    NameTemplate,
    /// Closes the "Save as template" form without saving.
    CloseTemplateForm,
    /// Saves the mapping under this name for the next sheet with these headers.
    SaveTemplate(String),
    /// Checks every row and sends nothing.
    Check,
    /// Sends the checked rows: the person confirmed.
    Load,
    /// Stops the load after the rows being sent.
    Cancel,
    /// Sends again only the rows the last import could not send.
    Retry,
    /// Asks "Undo this import?".
    AskUndo,
    /// Puts the question away: no undo.
    CloseUndo,
    /// Undoes the import: the person confirmed.
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
    /// The step shown, holding its data and its work under way.
    pub wizard: Wizard,
    pub failure: Option<String>,
    /// No file dialog can open on this desktop: the typed path is the way in.
    no_dialog: bool,
    /// Where rows go: kept from one file to the next.
    pub connection: String,
    pub object: String,
    objects: HashMap<String, Vec<ObjectSummary>>,
    objects_asked: HashSet<String>,
    /// The report tables show only the rows that need attention.
    pub only_attention: bool,
}

impl ImportState {
    pub fn current_step(&self) -> Step {
        self.wizard.step()
    }

    /// Whether the stepper may return to `step` now.
    pub fn reachable(&self, step: Step) -> bool {
        self.wizard.reachable(step)
    }

    /// Rows the check says a load would send.
    pub fn to_send(report: &ImportReport) -> u64 {
        report.summary.to_create + report.summary.to_update
    }

    pub fn apply(&mut self, command: ImportCommand, out: &mut Vec<Request>) {
        match command {
            ImportCommand::Open(path) => {
                self.failure = None;
                self.wizard = Wizard::File(Box::new(FileStep {
                    file: path.clone(),
                    read: Read::Reading { before: None },
                }));
                out.push(Request::PreviewFile { path, sheet: None });
            }
            ImportCommand::NoDialog => {
                self.no_dialog = true;
                match &mut self.wizard {
                    Wizard::NoFile(entry) => entry.focus = true,
                    _ => {
                        self.failure = None;
                        self.wizard = Wizard::NoFile(PathEntry {
                            typed: String::new(),
                            focus: true,
                        });
                    }
                }
            }
            ImportCommand::SelectSheet(sheet) => {
                if let Wizard::File(step) = &mut self.wizard {
                    let before = match std::mem::replace(&mut step.read, Read::Unread) {
                        Read::Read { preview, .. } => Some(preview),
                        Read::Reading { before } => before,
                        Read::Unread => None,
                    };
                    step.read = Read::Reading { before };
                    out.push(Request::PreviewFile {
                        path: step.file.clone(),
                        sheet: Some(sheet),
                    });
                }
            }
            ImportCommand::SetConnection(name) => self.connection = name,
            ImportCommand::SetObject(name) => self.object = name,
            ImportCommand::Propose => self.propose(out),
            ImportCommand::GoTo(step) => self.wizard.go_to(step),
            ImportCommand::Edit(edit) => {
                if let Wizard::Map(step) = &mut self.wizard {
                    step.mapped.draft.apply(edit);
                    step.mapped.template_saved = None;
                }
            }
            ImportCommand::NameTemplate => {
                if let Wizard::Map(step) = &mut self.wizard {
                    step.mapped.template_name = Some(String::new());
                }
            }
            ImportCommand::CloseTemplateForm => {
                if let Wizard::Map(step) = &mut self.wizard {
                    step.mapped.template_name = None;
                }
            }
            ImportCommand::SaveTemplate(name) => {
                if let Wizard::Map(step) = &mut self.wizard {
                    step.mapped.template_name = None;
                    out.push(Request::SaveImportTemplate {
                        name,
                        headers: step.mapped.proposal.headers.clone(),
                        mapping: step.mapped.draft.mapping(),
                    });
                }
            }
            ImportCommand::Check => self.check(out),
            ImportCommand::Load => self.load(out),
            ImportCommand::Retry => {
                if let Wizard::Import(step) = &mut self.wizard
                    && let Load::Finished { report, undo } = &step.load
                    && !matches!(undo, Undo::Running)
                    && let Some(run) = report.summary.run_id
                {
                    let mut request = step.request.clone();
                    request.retry_of = Some(run);
                    self.failure = None;
                    step.request = request.clone();
                    step.load = Load::Sending {
                        progress: None,
                        cancelling: false,
                    };
                    out.push(Request::LoadImport(Box::new(request)));
                }
            }
            ImportCommand::Cancel => {
                if let Some(Load::Sending { cancelling, .. }) = self.load_mut() {
                    *cancelling = true;
                    out.push(Request::CancelImport);
                }
            }
            ImportCommand::AskUndo => {
                if let Some(undo) = self.undo_mut()
                    && matches!(undo, Undo::Offered)
                {
                    *undo = Undo::Confirming;
                }
            }
            ImportCommand::CloseUndo => {
                if let Some(undo) = self.undo_mut()
                    && matches!(undo, Undo::Confirming)
                {
                    *undo = Undo::Offered;
                }
            }
            ImportCommand::Undo | ImportCommand::UndoAnyway => {
                let overwrite_salesforce_edits = command == ImportCommand::UndoAnyway;
                if let Wizard::Import(step) = &mut self.wizard
                    && let Load::Finished { report, undo } = &mut step.load
                    && matches!(undo, Undo::Confirming | Undo::LaterEdits(_))
                {
                    *undo = Undo::Offered;
                    if let Some(run_id) = report.summary.run_id {
                        *undo = Undo::Running;
                        self.failure = None;
                        out.push(Request::UndoImport {
                            run_id,
                            overwrite_salesforce_edits,
                        });
                    }
                }
            }
            ImportCommand::KeepLaterEdits => {
                if let Some(undo) = self.undo_mut()
                    && matches!(undo, Undo::LaterEdits(_))
                {
                    *undo = Undo::Offered;
                }
            }
            ImportCommand::StartOver => {
                self.failure = None;
                self.wizard = Wizard::default();
            }
        }
    }

    /// "Map columns": back to the mapping made before when nothing here changed, else a
    /// fresh proposal.
    fn propose(&mut self, out: &mut Vec<Request>) {
        if self.connection.is_empty() {
            return;
        }
        let object = self.object_or_default();
        let Wizard::File(step) = &mut self.wizard else {
            return;
        };
        let Read::Read {
            preview,
            proposing,
            ahead,
        } = &mut step.read
        else {
            return;
        };
        if let Some(ahead) = ahead
            && ahead.mapped.proposal.connection == self.connection
            && ahead
                .mapped
                .draft
                .current()
                .object
                .eq_ignore_ascii_case(&object)
        {
            // Back from the Map step with nothing changed here: keep the edits.
            self.wizard.go_to(Step::Map);
            return;
        }
        *proposing = true;
        self.failure = None;
        out.push(Request::ProposeImport {
            path: step.file.clone(),
            sheet: preview.sheet.clone(),
            connection: self.connection.clone(),
            object,
        });
    }

    /// Checks every row of the mapping being edited; nothing is sent.
    fn check(&mut self, out: &mut Vec<Request>) {
        if !matches!(self.wizard, Wizard::Map(_)) {
            return;
        }
        let Wizard::Map(step) = std::mem::take(&mut self.wizard) else {
            return;
        };
        let MapStep { sheet, mapped, .. } = *step;
        let request = mapped.request(&sheet);
        self.failure = None;
        self.wizard = Wizard::Check(Box::new(CheckStep {
            sheet,
            mapped,
            check: Check::Running,
        }));
        out.push(Request::CheckImport(Box::new(request)));
    }

    /// Sends the checked rows: the person confirmed.
    fn load(&mut self, out: &mut Vec<Request>) {
        if !matches!(
            &self.wizard,
            Wizard::Check(step) if matches!(step.check, Check::Report { .. })
        ) {
            return;
        }
        let Wizard::Check(step) = std::mem::take(&mut self.wizard) else {
            return;
        };
        let CheckStep {
            sheet,
            mapped,
            check,
        } = *step;
        let Check::Report { report, .. } = check else {
            return;
        };
        let request = mapped.request(&sheet);
        self.failure = None;
        self.wizard = Wizard::Import(Box::new(ImportStep {
            sheet,
            mapped,
            report,
            request: request.clone(),
            load: Load::Sending {
                progress: None,
                cancelling: false,
            },
        }));
        out.push(Request::LoadImport(Box::new(request)));
    }

    pub fn object_or_default(&self) -> String {
        let typed = self.object.trim();
        if typed.is_empty() {
            DEFAULT_OBJECT.to_string()
        } else {
            typed.to_string()
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
    if state.connection.is_empty()
        && let Some(first) = model.connections.first()
    {
        state.connection = first.name.clone();
    }
    if state.object.is_empty() {
        state.object = DEFAULT_OBJECT.to_string();
    }
    state.want_objects(commands);
    if state.wizard.working() {
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
        if let Wizard::File(_) = state.wizard {
            widgets::right_aligned(ui, |ui| {
                let busy = model.dialog_open(Page::Import);
                let button = ui.add_enabled(!busy, egui::Button::new("Choose another file…"));
                if button.clicked() {
                    commands.push(Command::AskFile(FileFor::Spreadsheet));
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
    if !matches!(state.wizard, Wizard::NoFile(_)) {
        stepper(ui, &state.wizard, commands);
        ui.add_space(GRID);
    }
    widgets::failure_banner(ui, state.failure.as_ref());
    if let Wizard::NoFile(_) | Wizard::File(_) = state.wizard {
        file::show(ui, state, model, commands);
        return;
    }
    let only_attention = &mut state.only_attention;
    match &mut state.wizard {
        Wizard::NoFile(_) | Wizard::File(_) => {}
        Wizard::Map(step) => options::show_map_step(ui, step, commands),
        Wizard::Check(step) => {
            let proposal = &step.mapped.proposal;
            let refusal = model.refusal(
                &proposal.connection,
                crate::access::Action::Import,
                Some(&proposal.mapping.object),
            );
            check::show(ui, step, only_attention, refusal, commands)
        }
        Wizard::Import(step) => load::show(ui, step, only_attention, commands),
    }
}

/// A step's buttons in one row under the stepper, always in view (and never under a toast,
/// which rises from the bottom corner), then its content.
fn with_actions<S>(
    ui: &mut Ui,
    step: &mut S,
    commands: &mut Commands,
    body: impl FnOnce(&mut Ui, &mut S, &mut Commands),
    actions: impl FnOnce(&mut Ui, &mut S, &mut Commands),
) {
    actions(ui, step, commands);
    ui.separator();
    body(ui, step, commands);
}

/// "1 File · 2 Map · 3 Check · 4 Import": the current step stands out, steps already reached
/// take the person back.
fn stepper(ui: &mut Ui, wizard: &Wizard, commands: &mut Commands) {
    let current = wizard.step();
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
            let enabled = step != current && wizard.reachable(step);
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

#[cfg(test)]
mod tests;
