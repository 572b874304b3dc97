//! One open record: its fields by label in the layout's sections, related lists, and edit,
//! create, clone and delete. What it holds and how commands and answers change it; drawn by
//! [`super::record_view`].

use std::collections::BTreeMap;

use crate::desktop::{Event, RecordEvent, RecordRequest, RecordsEvent, RecordsRequest, Request};
use crate::records_write::EditProblem;
use crate::records_write::read::{FieldShown, RecordPage};

pub use super::record_view::{new_record_button, show};

/// Intents of the open record.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordCommand {
    /// Reads the record again.
    Reload,
    /// Starts editing the record's fields.
    Edit,
    /// Starts a new record from this one's values.
    Clone,
    SetDraft {
        field: String,
        text: String,
    },
    CancelEdit,
    Save,
    /// Asks before deleting.
    Delete,
    ConfirmDelete,
    KeepRecord,
}

/// What the view is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Viewing,
    /// Editing the open record: changed fields' texts by API name.
    Editing(BTreeMap<String, String>),
    /// A new record: its form (once read) and the texts typed.
    Creating {
        fields: Option<Vec<FieldShown>>,
        drafts: BTreeMap<String, String>,
    },
    /// The record was deleted from here.
    Deleted,
}

/// Salesforce's answer to the last write.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Saved(String),
    Refused(String),
}

pub struct RecordView {
    pub connection: String,
    pub object: String,
    /// `None` for a record not created yet.
    pub id: Option<String>,
    pub page: Option<RecordPage>,
    pub mode: Mode,
    pub problems: Vec<EditProblem>,
    pub answer: Option<Answer>,
    pub asking_delete: bool,
    pub sending: bool,
    /// Read again on the next frame (after an undo, or once a create has its Id).
    pub stale: bool,
    pub failure: Option<String>,
}

fn request(r: RecordRequest) -> Request {
    Request::Records(RecordsRequest::Record(r))
}

impl RecordView {
    pub fn open(connection: String, object: String, id: String, out: &mut Vec<Request>) -> Self {
        out.push(request(RecordRequest::Read {
            connection: connection.clone(),
            object: object.clone(),
            id: id.clone(),
        }));
        RecordView {
            connection,
            object,
            id: Some(id),
            page: None,
            mode: Mode::Viewing,
            problems: Vec::new(),
            answer: None,
            asking_delete: false,
            sending: false,
            stale: false,
            failure: None,
        }
    }

    /// A new record of `object`, its form asked for.
    pub fn new_record(connection: String, object: String, out: &mut Vec<Request>) -> Self {
        out.push(request(RecordRequest::NewForm {
            connection: connection.clone(),
            object: object.clone(),
        }));
        RecordView {
            connection,
            object,
            id: None,
            page: None,
            mode: Mode::Creating {
                fields: None,
                drafts: BTreeMap::new(),
            },
            problems: Vec::new(),
            answer: None,
            asking_delete: false,
            sending: false,
            stale: false,
            failure: None,
        }
    }

    /// The text an edit box shows for `field`: what was typed, or the record's value.
    pub fn draft<'a>(&'a self, field: &'a FieldShown) -> &'a str {
        let drafts = match &self.mode {
            Mode::Editing(drafts) => drafts,
            Mode::Creating { drafts, .. } => drafts,
            _ => return &field.text,
        };
        drafts.get(&field.name).map_or(&field.text, String::as_str)
    }

    pub fn problem(&self, field: &str) -> Option<&EditProblem> {
        self.problems.iter().find(|p| p.field() == field)
    }

    fn is_this(&self, page: &RecordPage) -> bool {
        let same = |a: &str, b: &str| a.get(..15) == b.get(..15);
        page.object == self.object && self.id.as_deref().is_some_and(|id| same(id, &page.id))
    }

    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Records(RecordsEvent::Record(answer)) => self.on_answer(answer),
            // An undo from History may have changed (or brought back) what is shown.
            Event::RunUndone(_) if self.mode == Mode::Viewing => self.stale = true,
            Event::Failed {
                topic: crate::desktop::Topic::Records,
                message,
            } => {
                self.failure = Some(message.clone());
                self.sending = false;
            }
            _ => {}
        }
    }

    fn on_answer(&mut self, answer: &RecordEvent) {
        match answer {
            RecordEvent::Read(page) if self.is_this(page) => {
                self.page = Some((**page).clone());
                self.failure = None;
            }
            RecordEvent::Read(_) => {}
            RecordEvent::NewForm { object, fields } if *object == self.object => {
                if let Mode::Creating { fields: form, .. } = &mut self.mode {
                    *form = Some(fields.clone());
                }
            }
            RecordEvent::NewForm { .. } => {}
            RecordEvent::Invalid(problems) if self.sending => {
                self.sending = false;
                self.problems = problems.clone();
            }
            RecordEvent::Written { written, deleted } if self.sending => {
                self.sending = false;
                self.problems.clear();
                self.answer = Some(Answer::Saved(written.answer.clone()));
                if *deleted {
                    self.mode = Mode::Deleted;
                } else {
                    self.mode = Mode::Viewing;
                    self.object = written.object.clone();
                    self.id = Some(written.sf_id.clone());
                    self.stale = true;
                }
            }
            RecordEvent::Refused(text) if self.sending => {
                self.sending = false;
                self.answer = Some(Answer::Refused(text.clone()));
            }
            _ => {}
        }
    }

    pub fn apply(&mut self, command: RecordCommand, out: &mut Vec<Request>) {
        match command {
            RecordCommand::Reload => {
                self.stale = false;
                if let Some(id) = &self.id {
                    out.push(request(RecordRequest::Read {
                        connection: self.connection.clone(),
                        object: self.object.clone(),
                        id: id.clone(),
                    }));
                }
            }
            RecordCommand::Edit => {
                self.mode = Mode::Editing(BTreeMap::new());
                self.problems.clear();
                self.answer = None;
            }
            RecordCommand::Clone => {
                let drafts = self
                    .page
                    .iter()
                    .flat_map(RecordPage::fields)
                    .filter(|f| f.createable && !f.text.is_empty())
                    .map(|f| (f.name.clone(), f.text.clone()))
                    .collect();
                out.push(request(RecordRequest::NewForm {
                    connection: self.connection.clone(),
                    object: self.object.clone(),
                }));
                self.mode = Mode::Creating {
                    fields: None,
                    drafts,
                };
                self.id = None;
                self.page = None;
                self.problems.clear();
                self.answer = None;
            }
            RecordCommand::SetDraft { field, text } => match &mut self.mode {
                Mode::Editing(drafts) | Mode::Creating { drafts, .. } => {
                    drafts.insert(field, text);
                }
                _ => {}
            },
            RecordCommand::CancelEdit => {
                self.problems.clear();
                self.mode = Mode::Viewing;
            }
            RecordCommand::Save => self.save(out),
            RecordCommand::Delete => self.asking_delete = true,
            RecordCommand::KeepRecord => self.asking_delete = false,
            RecordCommand::ConfirmDelete => {
                self.asking_delete = false;
                if let Some(id) = &self.id {
                    self.sending = true;
                    self.answer = None;
                    out.push(request(RecordRequest::Delete {
                        connection: self.connection.clone(),
                        object: self.object.clone(),
                        id: id.clone(),
                    }));
                }
            }
        }
    }

    fn save(&mut self, out: &mut Vec<Request>) {
        let (id, edits) = match &self.mode {
            Mode::Editing(drafts) => {
                // Only what changed is sent.
                let edits: Vec<(String, String)> = drafts
                    .iter()
                    .filter(|(name, text)| {
                        self.page
                            .iter()
                            .flat_map(RecordPage::fields)
                            .find(|f| &f.name == *name)
                            .is_none_or(|f| f.text != **text)
                    })
                    .map(|(n, t)| (n.clone(), t.clone()))
                    .collect();
                if edits.is_empty() {
                    self.mode = Mode::Viewing;
                    return;
                }
                (self.id.clone(), edits)
            }
            Mode::Creating { drafts, .. } => (
                None,
                drafts
                    .iter()
                    .filter(|(_, t)| !t.trim().is_empty())
                    .map(|(n, t)| (n.clone(), t.clone()))
                    .collect(),
            ),
            _ => return,
        };
        self.sending = true;
        self.answer = None;
        out.push(request(RecordRequest::Save {
            connection: self.connection.clone(),
            object: self.object.clone(),
            id,
            edits,
        }));
    }
}
