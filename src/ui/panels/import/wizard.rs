//! The wizard's state: one variant per step, each holding what it shows and what the steps
//! before it made. Work under way lives in the step that shows it (reading in File, the check
//! in Check, the load and the undo in Import), so no two can run at once, and a step's data
//! exists exactly when the step can be shown. Results of later steps stay when the person
//! steps back (`Ahead`, the `check` a Map step keeps), so the stepper can return to them.

use std::path::PathBuf;

use super::Step;
use super::draft::Draft;
use crate::desktop::{FilePreview, ImportProposal, ImportReport, ImportRequest, LaterEdits};
use crate::run::RunSummary;

pub enum Wizard {
    /// Step 1 before any file: the dialog button and the typed path.
    NoFile(PathEntry),
    /// Step 1 with a file: reading it, then its first rows and where they go.
    File(Box<FileStep>),
    /// Step 2: the mapping being edited.
    Map(Box<MapStep>),
    /// Step 3: every row checked against the org, nothing sent.
    Check(Box<CheckStep>),
    /// Step 4: the load under way, or what it did, and its undo.
    Import(Box<ImportStep>),
}

impl Default for Wizard {
    fn default() -> Self {
        Wizard::NoFile(PathEntry::default())
    }
}

/// A path typed where no file dialog is at hand.
#[derive(Debug, Default)]
pub struct PathEntry {
    pub typed: String,
    /// The field takes the keyboard once, when the dialog turned out not to open.
    pub focus: bool,
}

pub struct FileStep {
    pub file: PathBuf,
    pub read: Read,
}

/// How far reading the file has come.
pub enum Read {
    /// Reading it, or another of its sheets; the sheet read before comes back if this fails.
    Reading { before: Option<Box<FilePreview>> },
    /// Read. "Map columns" may be under way; a mapping made before stays ahead.
    Read {
        preview: Box<FilePreview>,
        proposing: bool,
        ahead: Option<Box<Ahead>>,
    },
    /// The file could not be read: the banner says why.
    Unread,
}

/// The sheet the later steps work on.
pub struct Sheet {
    pub file: PathBuf,
    pub preview: Box<FilePreview>,
}

/// A mapping proposed for the sheet and edited since.
pub struct Mapped {
    pub proposal: Box<ImportProposal>,
    pub draft: Draft,
    /// The template name being typed, while the "Save as template" form is open.
    pub template_name: Option<String>,
    /// The name the mapping was last saved under, until it is edited.
    pub template_saved: Option<String>,
}

impl Mapped {
    pub fn new(proposal: &ImportProposal, preview: &FilePreview) -> Mapped {
        Mapped {
            draft: Draft::new(proposal, Some(preview)),
            proposal: Box::new(proposal.clone()),
            template_name: None,
            template_saved: None,
        }
    }

    /// The sheet and mapping as they stand, for a check or a load.
    pub fn request(&self, sheet: &Sheet) -> ImportRequest {
        ImportRequest {
            path: self.proposal.path.clone(),
            sheet: sheet.preview.sheet.clone(),
            connection: self.proposal.connection.clone(),
            mapping: self.draft.mapping(),
            retry_of: None,
        }
    }
}

/// What the Map step and those after it made, kept while the person is back on File.
pub struct Ahead {
    pub mapped: Mapped,
    pub check: Option<Check>,
}

/// A check of every row against the org.
pub enum Check {
    Running,
    /// It failed before it had a report: the banner says why.
    Failed,
    /// Its report, and the import of what it found once one finished.
    Report {
        report: Box<ImportReport>,
        finished: Option<Box<Finished>>,
    },
}

/// An import that finished, kept for its step while the person looks at earlier ones.
pub struct Finished {
    pub request: ImportRequest,
    pub report: Box<ImportReport>,
    pub undo: Undo,
}

/// Where the undo of a finished import stands.
pub enum Undo {
    /// Not asked for (or asked and put away).
    Offered,
    /// "Undo this import?" waits for an answer.
    Confirming,
    Running,
    Done(Box<RunSummary>),
    /// It stopped before writing: Salesforce changed these records since the import.
    LaterEdits(Box<LaterEdits>),
}

pub struct MapStep {
    pub sheet: Sheet,
    pub mapped: Mapped,
    /// The last check, still running or answered, for the stepper's Check.
    pub check: Option<Check>,
}

pub struct CheckStep {
    pub sheet: Sheet,
    pub mapped: Mapped,
    pub check: Check,
}

pub struct ImportStep {
    pub sheet: Sheet,
    pub mapped: Mapped,
    /// The check the load followed.
    pub report: Box<ImportReport>,
    /// What this load sent, for a retry of its failed rows.
    pub request: ImportRequest,
    pub load: Load,
}

pub enum Load {
    Sending {
        progress: Option<(u64, u64, u64)>,
        cancelling: bool,
    },
    /// It failed before it had a report: the banner says why.
    Stopped,
    Finished {
        report: Box<ImportReport>,
        undo: Undo,
    },
}

/// A file's work from the Map step on, taken out of whichever step holds it to build another.
struct Parts {
    sheet: Sheet,
    mapped: Mapped,
    check: Option<Check>,
}

impl Wizard {
    pub fn step(&self) -> Step {
        match self {
            Wizard::NoFile(_) | Wizard::File(_) => Step::File,
            Wizard::Map(_) => Step::Map,
            Wizard::Check(_) => Step::Check,
            Wizard::Import(_) => Step::Import,
        }
    }

    /// A load or an undo under way: the person stays on the Import step until it ends.
    pub fn working(&self) -> bool {
        match self {
            Wizard::Import(step) => matches!(
                step.load,
                Load::Sending { .. }
                    | Load::Finished {
                        undo: Undo::Running,
                        ..
                    }
            ),
            _ => false,
        }
    }

    /// Whether the stepper may show `step` now.
    pub fn reachable(&self, step: Step) -> bool {
        if self.working() {
            return step == Step::Import;
        }
        let check = match self {
            Wizard::NoFile(_) => return step == Step::File,
            Wizard::File(file) => match &file.read {
                Read::Read {
                    ahead: Some(ahead), ..
                } => ahead.check.as_ref(),
                _ => return step == Step::File,
            },
            Wizard::Map(map) => map.check.as_ref(),
            Wizard::Check(check) => Some(&check.check),
            Wizard::Import(_) => return true,
        };
        match step {
            Step::File | Step::Map => true,
            Step::Check => matches!(check, Some(Check::Running | Check::Report { .. })),
            Step::Import => matches!(
                check,
                Some(Check::Report {
                    finished: Some(_),
                    ..
                })
            ),
        }
    }

    /// Shows another step already reached, keeping what every step made.
    pub fn go_to(&mut self, step: Step) {
        if step == self.step() || !self.reachable(step) {
            return;
        }
        let parts = match std::mem::take(self).into_parts() {
            Ok(parts) => parts,
            Err(unchanged) => {
                *self = unchanged;
                return;
            }
        };
        *self = parts.into_step(step);
    }

    fn into_parts(self) -> Result<Parts, Wizard> {
        match self {
            Wizard::File(file) => {
                let FileStep { file, read } = *file;
                match read {
                    Read::Read {
                        preview,
                        ahead: Some(ahead),
                        ..
                    } => {
                        let Ahead { mapped, check } = *ahead;
                        Ok(Parts {
                            sheet: Sheet { file, preview },
                            mapped,
                            check,
                        })
                    }
                    read => Err(Wizard::File(Box::new(FileStep { file, read }))),
                }
            }
            Wizard::Map(map) => {
                let MapStep {
                    sheet,
                    mapped,
                    check,
                } = *map;
                Ok(Parts {
                    sheet,
                    mapped,
                    check,
                })
            }
            Wizard::Check(step) => {
                let CheckStep {
                    sheet,
                    mapped,
                    check,
                } = *step;
                // A failed check is not a step to come back to.
                let check = (!matches!(check, Check::Failed)).then_some(check);
                Ok(Parts {
                    sheet,
                    mapped,
                    check,
                })
            }
            Wizard::Import(step) => {
                let ImportStep {
                    sheet,
                    mapped,
                    report,
                    request,
                    load,
                } = *step;
                let finished = match load {
                    Load::Finished { report, undo } => Some(Box::new(Finished {
                        request,
                        report,
                        undo,
                    })),
                    Load::Sending { .. } | Load::Stopped => None,
                };
                Ok(Parts {
                    sheet,
                    mapped,
                    check: Some(Check::Report { report, finished }),
                })
            }
            other => Err(other),
        }
    }
}

impl Parts {
    /// The step asked for when its data is here, else the Map step.
    fn into_step(self, step: Step) -> Wizard {
        let Parts {
            sheet,
            mapped,
            check,
        } = self;
        match (step, check) {
            (Step::File, check) => Wizard::File(Box::new(FileStep {
                file: sheet.file,
                read: Read::Read {
                    preview: sheet.preview,
                    proposing: false,
                    ahead: Some(Box::new(Ahead { mapped, check })),
                },
            })),
            (
                Step::Import,
                Some(Check::Report {
                    report,
                    finished: Some(finished),
                }),
            ) => {
                let Finished {
                    request,
                    report: done,
                    undo,
                } = *finished;
                Wizard::Import(Box::new(ImportStep {
                    sheet,
                    mapped,
                    report,
                    request,
                    load: Load::Finished { report: done, undo },
                }))
            }
            (Step::Check | Step::Import, Some(check)) if !matches!(check, Check::Failed) => {
                Wizard::Check(Box::new(CheckStep {
                    sheet,
                    mapped,
                    check,
                }))
            }
            (_, check) => Wizard::Map(Box::new(MapStep {
                sheet,
                mapped,
                check,
            })),
        }
    }
}
