//! Undo in the run's side panel: asked once, run by the desktop service (as `tether undo`,
//! with its refusals, which come back as the page's failure), and asked again when Salesforce
//! changed what the run wrote since.

use egui::{RichText, Ui};

use super::HistoryCommand;
use crate::desktop::{Event, Request, Topic};
use crate::run::RunSummary;
use crate::run::later_edits::LaterEdits;
use crate::ui::command::{Command, Commands};
use crate::ui::theme;
use crate::workspace::journal::{RunRecord, RunStatus, Trigger};

/// Where the open run's undo stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum UndoState {
    #[default]
    Idle,
    /// "Undo run #5?" waits for an answer.
    Asking(i64),
    Running(i64),
    /// Salesforce changed records the run wrote since: undo anyway, or keep them.
    LaterEdits(Box<LaterEdits>),
    Done(Box<RunSummary>),
}

impl UndoState {
    pub fn on_event(&mut self, event: &Event) {
        match (&*self, event) {
            (UndoState::Running(_), Event::RunUndone(summary)) => {
                *self = UndoState::Done(summary.clone());
            }
            (UndoState::Running(id), Event::LaterSalesforceEdits(edits)) if edits.run_id == *id => {
                *self = UndoState::LaterEdits(edits.clone());
            }
            // A refusal is the page's failure, shown in its banner; the panel offers Undo again.
            (
                UndoState::Running(_),
                Event::Failed {
                    topic: Topic::History,
                    ..
                },
            ) => *self = UndoState::Idle,
            _ => {}
        }
    }

    /// Applies an undo intent; the request to send, if any.
    pub fn apply(&mut self, command: &HistoryCommand, out: &mut Vec<Request>) {
        match command {
            HistoryCommand::AskUndo(run_id) => *self = UndoState::Asking(*run_id),
            HistoryCommand::KeepRun => *self = UndoState::Idle,
            HistoryCommand::Undo { run_id, overwrite } => {
                *self = UndoState::Running(*run_id);
                out.push(Request::UndoRun {
                    run_id: *run_id,
                    overwrite_salesforce_edits: *overwrite,
                });
            }
            HistoryCommand::Open(_) | HistoryCommand::Close => *self = UndoState::Idle,
            _ => {}
        }
    }
}

/// Whether a run can be offered for undo: a finished run that is not an undo, not undone.
fn undoable(run: &RunRecord) -> bool {
    run.trigger != Trigger::Undo
        && run.undone_by.is_none()
        && !matches!(run.status, RunStatus::Running | RunStatus::Failed)
}

pub(super) fn show(ui: &mut Ui, run: &RunRecord, state: &UndoState, commands: &mut Commands) {
    let id = run.id;
    if let Some(by) = run.undone_by {
        ui.label(RichText::new(format!("Undone by run #{by}")).color(super::MUTED));
        return;
    }
    match state {
        UndoState::Done(summary) => {
            ui.label(
                RichText::new(format!("Undone by run #{}", summary.run_id)).color(theme::SUCCESS),
            );
        }
        UndoState::Running(running) if *running == id => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Undoing…");
            });
        }
        UndoState::Asking(asked) if *asked == id => {
            ui.label(
                "Put back what this run changed, in Salesforce and in the local table? Tether stops before writing if either side changed those records since.",
            );
            ui.horizontal(|ui| {
                if ui.button(format!("Undo run #{id}")).clicked() {
                    commands.push(Command::History(HistoryCommand::Undo {
                        run_id: id,
                        overwrite: false,
                    }));
                }
                if ui.button("Keep").clicked() {
                    commands.push(Command::History(HistoryCommand::KeepRun));
                }
            });
        }
        UndoState::LaterEdits(edits) if edits.run_id == id => {
            ui.label(RichText::new(edits.to_string()).color(theme::WARNING));
            ui.horizontal(|ui| {
                if ui.button("Undo anyway").clicked() {
                    commands.push(Command::History(HistoryCommand::Undo {
                        run_id: id,
                        overwrite: true,
                    }));
                }
                if ui.button("Keep their changes").clicked() {
                    commands.push(Command::History(HistoryCommand::KeepRun));
                }
            });
        }
        _ => {
            let offered = undoable(run)
                && ui
                    .button("Undo this run…")
                    .on_hover_text("Puts back what this run changed, as tether undo does")
                    .clicked();
            if offered {
                commands.push(Command::History(HistoryCommand::AskUndo(id)));
            }
        }
    }
}
