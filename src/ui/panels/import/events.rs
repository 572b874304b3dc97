//! What the service's answers do to the wizard: each lands in the step waiting for it, and
//! a failure ends the work under way, keeping what was made before.

use super::{Check, FileStep, ImportState, Load, MapStep, Mapped, Read, Sheet, Undo, Wizard};
use crate::desktop::{Event, ImportProposal, Topic};

impl ImportState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::FilePreview(preview) => {
                if let Wizard::File(step) = &mut self.wizard
                    && step.file == preview.path
                {
                    let fresh = Box::new((**preview).clone());
                    match &mut step.read {
                        Read::Read { preview, .. } => *preview = fresh,
                        read => {
                            *read = Read::Read {
                                preview: fresh,
                                proposing: false,
                                ahead: None,
                            }
                        }
                    }
                    self.failure = None;
                }
            }
            Event::Objects {
                connection,
                objects,
            } => {
                self.objects.insert(connection.clone(), objects.clone());
            }
            Event::ImportProposal(proposal) => self.proposed(proposal),
            Event::ImportChecked(report) => {
                let (mapped, check) = match &mut self.wizard {
                    Wizard::Check(step) => (&mut step.mapped, Some(&mut step.check)),
                    Wizard::Map(step) => (&mut step.mapped, step.check.as_mut()),
                    Wizard::File(step) => match &mut step.read {
                        Read::Read {
                            ahead: Some(ahead), ..
                        } => (&mut ahead.mapped, ahead.check.as_mut()),
                        _ => return,
                    },
                    _ => return,
                };
                if let Some(check) = check
                    && matches!(check, Check::Running)
                {
                    mapped.draft.unfound = report.summary.unresolved.clone();
                    *check = Check::Report {
                        report: report.clone(),
                        finished: None,
                    };
                    self.failure = None;
                }
            }
            Event::ImportProgress {
                decided,
                sent,
                to_send,
            } => {
                if let Some(Load::Sending { progress, .. }) = self.load_mut() {
                    *progress = Some((*decided, *sent, *to_send));
                }
            }
            Event::ImportFinished(report) => {
                if let Some(load) = self.load_mut() {
                    *load = Load::Finished {
                        report: report.clone(),
                        undo: Undo::Offered,
                    };
                }
            }
            Event::ImportUndone(summary) => {
                if let Some(undo) = self.undo_mut() {
                    *undo = Undo::Done(summary.clone());
                }
            }
            Event::LaterSalesforceEdits(edits) => {
                if let Some(undo) = self.undo_mut()
                    && matches!(undo, Undo::Running)
                {
                    *undo = Undo::LaterEdits(edits.clone());
                }
            }
            Event::ImportTemplateSaved { name } => {
                if let Wizard::Map(step) = &mut self.wizard {
                    step.mapped.template_saved = Some(name.clone());
                }
            }
            Event::Failed {
                topic: Topic::Import,
                message,
            } => {
                self.failure = Some(message.clone());
                self.stop_work();
            }
            _ => {}
        }
    }

    /// A proposal for the file being read becomes the mapping to edit.
    fn proposed(&mut self, proposal: &ImportProposal) {
        let Wizard::File(step) = &mut self.wizard else {
            return;
        };
        let Read::Read {
            preview,
            proposing: true,
            ..
        } = &step.read
        else {
            return;
        };
        if step.file != proposal.path {
            return;
        }
        let mapped = Mapped::new(proposal, preview);
        let Wizard::File(step) = std::mem::take(&mut self.wizard) else {
            return;
        };
        let FileStep { file, read } = *step;
        if let Read::Read { preview, .. } = read {
            self.failure = None;
            self.wizard = Wizard::Map(Box::new(MapStep {
                sheet: Sheet { file, preview },
                mapped,
                check: None,
            }));
        }
    }

    /// A failure ends whatever was under way; what was made before stays.
    fn stop_work(&mut self) {
        match &mut self.wizard {
            Wizard::NoFile(_) => {}
            Wizard::File(step) => match &mut step.read {
                Read::Reading { before } => {
                    step.read = match before.take() {
                        Some(preview) => Read::Read {
                            preview,
                            proposing: false,
                            ahead: None,
                        },
                        None => Read::Unread,
                    }
                }
                Read::Read {
                    proposing, ahead, ..
                } => {
                    *proposing = false;
                    if let Some(ahead) = ahead
                        && matches!(ahead.check, Some(Check::Running))
                    {
                        ahead.check = None;
                    }
                }
                Read::Unread => {}
            },
            Wizard::Map(step) => {
                if matches!(step.check, Some(Check::Running)) {
                    step.check = None;
                }
            }
            Wizard::Check(step) => {
                if matches!(step.check, Check::Running) {
                    step.check = Check::Failed;
                }
            }
            Wizard::Import(step) => match &mut step.load {
                load @ Load::Sending { .. } => *load = Load::Stopped,
                Load::Finished { undo, .. } => {
                    if matches!(undo, Undo::Running) {
                        *undo = Undo::Offered;
                    }
                }
                Load::Stopped => {}
            },
        }
    }

    pub(super) fn load_mut(&mut self) -> Option<&mut Load> {
        match &mut self.wizard {
            Wizard::Import(step) => Some(&mut step.load),
            _ => None,
        }
    }

    pub(super) fn undo_mut(&mut self) -> Option<&mut Undo> {
        match self.load_mut()? {
            Load::Finished { undo, .. } => Some(undo),
            _ => None,
        }
    }
}
