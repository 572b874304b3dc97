//! Step 4, Import: the load's progress with Cancel, then what it did, its files, a retry of
//! the rows it could not send, and undo after a confirmation (and a second question when
//! Salesforce changed records the import wrote since).

use egui::{RichText, Ui};

use super::check::{file_row, report_table, tile};
use super::{ImportCommand, ImportStep, Load, Undo};
use crate::desktop::LaterEdits;
use crate::import::run::ImportSummary;
use crate::ui::command::{Command, Commands};
use crate::ui::theme::{self, GRID};
use crate::ui::{group_thousands, widgets};
use crate::workspace::journal::RunStatus;

fn push(commands: &mut Commands, command: ImportCommand) {
    commands.push(Command::Import(command));
}

pub(super) fn show(
    ui: &mut Ui,
    step: &ImportStep,
    only_attention: &mut bool,
    commands: &mut Commands,
) {
    let (report, undo) = match &step.load {
        Load::Sending {
            progress: sent,
            cancelling,
        } => {
            progress(ui, *sent, *cancelling, commands);
            return;
        }
        Load::Stopped => {
            // The load failed before it had a report: the banner says why.
            ui.horizontal(|ui| {
                if ui.button("Back to the check").clicked() {
                    push(commands, ImportCommand::GoTo(super::Step::Check));
                }
                if ui.button("Import another file").clicked() {
                    push(commands, ImportCommand::StartOver);
                }
            });
            return;
        }
        Load::Finished { report, undo } => (report, undo),
    };
    let undoing = matches!(undo, Undo::Running);
    let s = &report.summary;
    let unsent = s.failed + s.not_sent;
    let (color, word) = match s.status {
        Some(RunStatus::Succeeded) => (theme::SUCCESS, "Imported"),
        Some(RunStatus::Partial) if unsent > 0 => (theme::WARNING, "Imported with failures"),
        Some(RunStatus::Partial) => (theme::WARNING, "Imported; invalid rows left out"),
        Some(RunStatus::Cancelled) => (theme::WARNING, "Cancelled"),
        Some(RunStatus::Failed) => (theme::DANGER, "Failed"),
        _ => (theme::WARNING, "Stopped"),
    };
    ui.horizontal(|ui| {
        widgets::status(ui, color, word);
        if let Some(run) = s.run_id {
            ui.label(RichText::new(format!("Run #{run}")).weak());
        }
    });
    for line in outcome_lines(s) {
        ui.label(RichText::new(line).color(color));
    }
    ui.add_space(GRID);
    ui.horizontal_wrapped(|ui| {
        tile(ui, "Created", s.created, theme::SUCCESS);
        tile(ui, "Updated", s.updated, theme::SUCCESS);
        tile(ui, "Unchanged", s.unchanged, ui.visuals().weak_text_color());
        tile(ui, "Failed", s.failed, theme::DANGER);
        tile(ui, "Not sent", s.not_sent, theme::WARNING);
        tile(ui, "Invalid", s.invalid, theme::DANGER);
        tile(ui, "Parents created", s.parents_created, theme::ACCENT);
    });
    ui.add_space(GRID);
    if let Some(path) = &s.report {
        file_row(ui, "Annotated copy", "Open annotated copy", path, commands);
    }
    if let Some(path) = &s.error_file {
        file_row(ui, "Errors", "Open errors file", path, commands);
    }
    ui.add_space(GRID);
    ui.horizontal(|ui| {
        if unsent > 0 && s.run_id.is_some() {
            let text = format!(
                "Retry {} failed {}",
                group_thousands(unsent),
                if unsent == 1 { "row" } else { "rows" }
            );
            if widgets::primary_button(ui, &text, !undoing).clicked() {
                push(commands, ImportCommand::Retry);
            }
        }
        let undone = matches!(undo, Undo::Done(_));
        if s.run_id.is_some()
            && ui
                .add_enabled(!undoing && !undone, egui::Button::new("Undo import…"))
                .on_hover_text(
                    "Deletes the records this import created and restores those it updated",
                )
                .clicked()
        {
            push(commands, ImportCommand::AskUndo);
        }
        if ui.button("Import another file").clicked() {
            push(commands, ImportCommand::StartOver);
        }
    });
    undo_result(ui, undo);
    ui.add_space(GRID);
    report_table(ui, &report.rows, only_attention, "import_result_table");
    match undo {
        Undo::Confirming => confirm_undo(ui, s, commands),
        Undo::LaterEdits(edits) => confirm_over_later_edits(ui, edits, commands),
        Undo::Offered | Undo::Running | Undo::Done(_) => {}
    }
}

fn progress(ui: &mut Ui, sent: Option<(u64, u64, u64)>, cancelling: bool, commands: &mut Commands) {
    let (decided, sent, to_send) = sent.unwrap_or((0, 0, 0));
    ui.label(RichText::new("Importing…").strong());
    let fraction = if to_send == 0 {
        0.0
    } else {
        (sent as f32 / to_send as f32).clamp(0.0, 1.0)
    };
    let text = if to_send == 0 {
        format!("{} rows decided", group_thousands(decided))
    } else {
        format!(
            "{} / {} rows sent",
            group_thousands(sent),
            group_thousands(to_send)
        )
    };
    ui.add(
        egui::ProgressBar::new(fraction)
            .text(text)
            .desired_width(ui.available_width().min(560.0))
            .animate(true),
    );
    ui.add_space(GRID);
    ui.horizontal(|ui| {
        let cancel = ui
            .add_enabled(!cancelling, egui::Button::new("Cancel"))
            .on_hover_text(
                "Stops after the rows being sent; what was sent stays and can be undone",
            );
        if cancel.clicked() {
            push(commands, ImportCommand::Cancel);
        }
        if cancelling {
            ui.spinner();
            ui.label(RichText::new("Stopping after the rows being sent…").weak());
        }
    });
}

/// What the person should know about rows that did not go in, in the window's words.
fn outcome_lines(s: &ImportSummary) -> Vec<String> {
    let were = |n: u64| if n == 1 { "row was" } else { "rows were" };
    let mut lines = Vec::new();
    if s.status == Some(RunStatus::Failed)
        && let Some(message) = &s.message
    {
        lines.push(message.clone());
    }
    lines.extend(s.notes.iter().map(|note| format!("{note}.")));
    if s.invalid > 0 {
        lines.push(format!(
            "{} invalid {} left out: correct the sheet (the annotated copy says why) and import it again.",
            group_thousands(s.invalid),
            were(s.invalid)
        ));
    }
    let unsent = s.failed + s.not_sent;
    if unsent > 0 {
        lines.push(format!(
            "{} {} not sent: retry, or see the errors file.",
            group_thousands(unsent),
            were(unsent)
        ));
    }
    lines
}

fn undo_result(ui: &mut Ui, undo: &Undo) {
    if let Undo::Running = undo {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Undoing the import…").weak());
        });
    }
    if let Undo::Done(summary) = undo {
        let c = &summary.counts;
        let ok = summary.status == RunStatus::Succeeded;
        let mut parts = vec![format!("{} deleted", group_thousands(c.deleted))];
        if c.updated > 0 {
            parts.push(format!("{} restored", group_thousands(c.updated)));
        }
        if c.failed > 0 {
            parts.push(format!("{} failed", group_thousands(c.failed)));
        }
        let text = if ok {
            format!("✔ Import undone: {}", parts.join(", "))
        } else {
            format!("⚠ The undo did not finish: {}", parts.join(", "))
        };
        let color = if ok { theme::SUCCESS } else { theme::DANGER };
        ui.label(RichText::new(text).color(color));
        if let Some(message) = &summary.message {
            ui.label(RichText::new(message).weak());
        }
    }
}

fn confirm_undo(ui: &mut Ui, s: &ImportSummary, commands: &mut Commands) {
    let mut text = format!(
        "The {} records it created are deleted from Salesforce",
        group_thousands(s.created)
    );
    if s.parents_created > 0 {
        text.push_str(&format!(
            ", with the {} parent records it created for them",
            group_thousands(s.parents_created)
        ));
    }
    if s.updated > 0 {
        text.push_str(&format!(
            ", and the {} it updated get their values back",
            group_thousands(s.updated)
        ));
    }
    text.push('.');
    let modal = egui::Modal::new(egui::Id::unique("import_undo")).show(ui.ctx(), |ui| {
        ui.set_width(420.0);
        ui.label(RichText::new("Undo this import?").size(18.0).strong());
        ui.add_space(GRID);
        ui.label(text);
        ui.add_space(2.0 * GRID);
        ui.horizontal(|ui| {
            if ui
                .add(
                    egui::Button::new(RichText::new("Undo import").color(egui::Color32::WHITE))
                        .fill(theme::DANGER),
                )
                .clicked()
            {
                push(commands, ImportCommand::Undo);
            }
            if ui.button("Keep it").clicked() {
                push(commands, ImportCommand::CloseUndo);
            }
        });
    });
    if modal.should_close() {
        push(commands, ImportCommand::CloseUndo);
    }
}

/// The undo stopped before writing anything: Salesforce changed records the import wrote
/// since. The person chooses between their changes and the undo.
fn confirm_over_later_edits(ui: &mut Ui, edits: &LaterEdits, commands: &mut Commands) {
    let (named, more) = edits.named();
    let modal = egui::Modal::new(egui::Id::unique("import_undo_later_edits")).show(ui.ctx(), |ui| {
        ui.set_width(480.0);
        ui.label(
            RichText::new("Salesforce changed records since this import")
                .size(18.0)
                .strong(),
        );
        ui.add_space(GRID);
        ui.label(
            "Nothing was undone yet. Undoing now would overwrite what was changed in these records after the import:",
        );
        ui.add_space(GRID);
        egui::ScrollArea::vertical()
            .max_height(200.0)
            .show(ui, |ui| {
                for edit in named {
                    ui.label(RichText::new(edit.to_string()).monospace());
                }
                if more > 0 {
                    ui.label(format!("and {} more", group_thousands(more as u64)));
                }
            });
        ui.add_space(2.0 * GRID);
        ui.horizontal(|ui| {
            if ui
                .add(
                    egui::Button::new(RichText::new("Undo anyway").color(egui::Color32::WHITE))
                        .fill(theme::DANGER),
                )
                .clicked()
            {
                push(commands, ImportCommand::UndoAnyway);
            }
            if ui.button("Keep them").clicked() {
                push(commands, ImportCommand::KeepLaterEdits);
            }
        });
    });
    if modal.should_close() {
        push(commands, ImportCommand::KeepLaterEdits);
    }
}
