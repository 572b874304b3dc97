//! The side panel of one run: counts, timeline, API calls, duration and its errors.

use egui::{RichText, Ui};

use super::{HistoryCommand, MUTED, duration_text, status_text};
use crate::desktop::RunDetail;
use crate::ui::command::{Command, Commands};
use crate::ui::panels::errors::ErrorsCommand;
use crate::ui::{Page, group_thousands, theme};

pub(super) fn show(
    ui: &mut Ui,
    run_id: i64,
    detail: Option<&RunDetail>,
    undo: &super::undo::UndoState,
    commands: &mut Commands,
) {
    ui.horizontal(|ui| {
        ui.heading(format!("Run #{run_id}"));
        crate::ui::widgets::right_aligned(ui, |ui| {
            if ui.button("Close").on_hover_text("Esc").clicked() {
                commands.push(Command::History(HistoryCommand::Close));
            }
        });
    });
    let Some(detail) = detail else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the run…");
        });
        return;
    };
    let run = &detail.run;
    ui.horizontal(|ui| {
        ui.label(status_text(ui, run.status));
        ui.label(RichText::new(format!("· {}", run.link_name)).color(MUTED));
        if let Some(scope) = &run.scope {
            ui.label(RichText::new(format!("· only {scope}")).color(MUTED));
        }
    });
    if let Some(message) = &run.message {
        let look = crate::ui::code_words::Look::default();
        ui.label(crate::ui::code_words::job(ui.style(), message, look));
    }
    super::undo::show(ui, run, undo, commands);
    ui.add_space(theme::GRID);
    egui::ScrollArea::vertical()
        .id_salt("run_detail_scroll")
        .show(ui, |ui| {
            egui::Grid::new("run_counts")
                .num_columns(2)
                .spacing([2.0 * theme::GRID, theme::GRID / 2.0])
                .show(ui, |ui| {
                    let c = run.counts;
                    for (label, value) in [
                        ("Processed", c.processed),
                        ("Created", c.created),
                        ("Updated", c.updated),
                        ("Deleted", c.deleted),
                        ("Deletes waiting for confirmation", c.deletes_waiting),
                        ("Failed", c.failed),
                        ("Conflicts", c.conflicts),
                        ("Rows without a key", c.keyless),
                        ("API calls", c.api_calls),
                    ] {
                        ui.label(RichText::new(label).color(MUTED));
                        ui.label(RichText::new(group_thousands(value)).strong());
                        ui.end_row();
                    }
                    ui.label(RichText::new("Duration").color(MUTED));
                    ui.label(RichText::new(duration_text(run.duration())).strong());
                    ui.end_row();
                });
            ui.add_space(theme::GRID);
            super::changes::show(ui, &detail.changes);
            ui.add_space(theme::GRID);
            ui.label(RichText::new("Timeline").strong());
            for (at, what) in &detail.timeline {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(at.format("%H:%M:%S").to_string())
                            .monospace()
                            .color(MUTED),
                    )
                    .on_hover_text(at.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string());
                    ui.label(what);
                });
            }
            ui.add_space(theme::GRID);
            ui.label(RichText::new("Errors").strong());
            if detail.total_errors == 0 {
                ui.label(RichText::new("No record failed in this run.").color(MUTED));
            }
            for row in &detail.errors {
                let text = format!(
                    "{} · {}",
                    row.error.code,
                    row.error.row_key.as_deref().unwrap_or("no key")
                );
                let open = ui
                    .add(egui::Button::new(text).frame(false))
                    .on_hover_text(crate::ui::code_words::plain(&row.error.message));
                if open.clicked() {
                    commands.push(Command::Navigate(Page::Errors));
                    commands.push(Command::Errors(ErrorsCommand::Open(Box::new(row.clone()))));
                }
            }
            if detail.total_errors > 0 {
                let label = match detail.total_errors {
                    1 => "Show the error of this run".to_string(),
                    n => format!("Show all {} errors of this run", group_thousands(n)),
                };
                if ui.button(label).clicked() {
                    commands.push(Command::Navigate(Page::Errors));
                    commands.push(Command::Errors(ErrorsCommand::ShowRun(run.id)));
                }
            }
        });
}
