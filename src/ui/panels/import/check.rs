//! Step 3, Check: what a load would do, row by row, before anything is sent. The report's
//! rows in a virtualised table; the load starts only from "Import N rows".

use std::path::Path;

use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::{Check, CheckStep, ImportCommand, ImportState, Step};
use crate::desktop::{REPORT_ROWS, ReportRow, Request};
use crate::ui::command::{Command, Commands};
use crate::ui::theme::{self, GRID};
use crate::ui::{group_thousands, widgets};

pub(super) fn show(
    ui: &mut Ui,
    step: &mut CheckStep,
    only_attention: &mut bool,
    refusal: Option<String>,
    commands: &mut Commands,
) {
    super::with_actions(
        ui,
        step,
        commands,
        |ui, step, commands| body(ui, step, only_attention, commands),
        |ui, step, commands| actions(ui, step, refusal.as_deref(), commands),
    );
}

fn body(ui: &mut Ui, step: &CheckStep, only_attention: &mut bool, commands: &mut Commands) {
    let object = step.mapped.draft.current().object.clone();
    if let Check::Running = step.check {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(
                RichText::new(format!(
                    "Checking every row against {object}… Nothing is sent to Salesforce."
                ))
                .weak(),
            );
        });
        return;
    }
    let Check::Report { report, .. } = &step.check else {
        return;
    };
    let s = &report.summary;
    ui.label(
        RichText::new(format!(
            "{} rows checked: {} valid, {} invalid. Nothing has been sent yet.",
            group_thousands(s.rows),
            group_thousands(s.valid),
            group_thousands(s.invalid)
        ))
        .strong(),
    );
    ui.add_space(GRID);
    ui.horizontal_wrapped(|ui| {
        tile(ui, "Valid", s.valid, theme::SUCCESS);
        tile(ui, "To create", s.to_create, theme::ACCENT);
        tile(ui, "To update", s.to_update, theme::ACCENT);
        tile(ui, "Unchanged", s.unchanged, ui.visuals().weak_text_color());
        tile(ui, "Invalid", s.invalid, theme::DANGER);
        tile(ui, "Parents to create", s.parents_to_create, theme::ACCENT);
        tile(ui, "Duplicate keys", s.duplicated_keys, theme::WARNING);
    });
    if let Some(message) = &s.message {
        ui.label(RichText::new(message).color(theme::WARNING));
    }
    for note in &s.notes {
        ui.label(RichText::new(format!("{note}.")).weak());
    }
    ui.add_space(GRID);
    if let Some(path) = &s.report {
        file_row(ui, "Report", "Open report", path, commands);
    }
    ui.add_space(GRID);
    report_table(ui, &report.rows, only_attention, "import_check_table");
}

fn actions(ui: &mut Ui, step: &mut CheckStep, refusal: Option<&str>, commands: &mut Commands) {
    ui.horizontal(|ui| {
        if ui.button("Back to mapping").clicked() {
            commands.push(Command::Import(ImportCommand::GoTo(Step::Map)));
        }
        widgets::right_aligned(ui, |ui| {
            let report = match &step.check {
                Check::Report { report, .. } => Some(report),
                Check::Running | Check::Failed => None,
            };
            let n = report.map_or(0, |r| ImportState::to_send(r));
            let text = match n {
                0 => "Nothing to import".to_string(),
                1 => "Import 1 row".to_string(),
                n => format!("Import {} rows", group_thousands(n)),
            };
            let ready = n > 0;
            let button = widgets::primary_permitted(ui, &text, ready, refusal);
            let button = if ready {
                button.on_hover_text("Sends the valid rows to Salesforce; you can undo the import later")
            } else {
                button.on_disabled_hover_text("No row to send: fix the invalid rows in the sheet or the mapping, then check again")
            };
            if button.clicked() {
                commands.push(Command::Import(ImportCommand::Load));
            }
        });
    });
}

/// A number with its name under it.
pub(super) fn tile(ui: &mut Ui, name: &str, value: u64, color: Color32) {
    let visuals = ui.visuals().clone();
    egui::Frame::new()
        .fill(theme::card_fill(&visuals))
        .stroke(theme::hairline(&visuals))
        .corner_radius(8)
        .inner_margin(egui::Margin::symmetric(12, 8))
        .show(ui, |ui| {
            ui.set_min_width(96.0);
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.y = 0.0;
                let number = if value == 0 {
                    RichText::new("0").size(20.0).strong().weak()
                } else {
                    RichText::new(group_thousands(value))
                        .size(20.0)
                        .strong()
                        .color(color)
                };
                let response = ui.label(number);
                let name_text = format!("{name}: {}", group_thousands(value));
                response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &name_text));
                ui.label(RichText::new(name).small().weak());
            });
        });
}

/// A file the import wrote, with a button that opens it.
pub(super) fn file_row(ui: &mut Ui, what: &str, open: &str, path: &Path, commands: &mut Commands) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(what).weak());
        ui.monospace(path.display().to_string());
        if ui.small_button(open).clicked() {
            commands.send(Request::OpenUrl {
                url: file_url(path),
            });
        }
    });
}

/// A `file://` URL the system's handler opens.
pub(super) fn file_url(path: &Path) -> String {
    let text = path.display().to_string();
    let encoded = text
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23");
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Whether a row's status asks the person to act.
fn needs_attention(status: &str) -> bool {
    matches!(status, "Invalid" | "Failed" | "Not sent")
}

fn status_look(status: &str) -> (&'static str, Color32) {
    match status {
        "Invalid" | "Failed" => ("⛔", theme::DANGER),
        "Not sent" => ("⏸", theme::WARNING),
        "Created" | "Updated" => ("✔", theme::SUCCESS),
        "Will create" | "Will update" => ("➕", theme::ACCENT),
        _ => ("•", Color32::GRAY),
    }
}

/// The report's rows: row number, status (icon and word), Salesforce Id and message.
pub(super) fn report_table(ui: &mut Ui, rows: &[ReportRow], only_attention: &mut bool, id: &str) {
    let attention = rows.iter().filter(|r| needs_attention(&r.status)).count();
    ui.horizontal(|ui| {
        let text = format!(
            "Only rows that need attention ({})",
            group_thousands(attention as u64)
        );
        ui.checkbox(only_attention, text);
        if rows.len() >= REPORT_ROWS {
            ui.label(
                RichText::new(format!(
                    "The first {} rows are shown; the report file has them all",
                    group_thousands(rows.len() as u64)
                ))
                .small()
                .weak(),
            );
        }
    });
    let shown: Vec<&ReportRow> = rows
        .iter()
        .filter(|r| !*only_attention || needs_attention(&r.status))
        .collect();
    if shown.is_empty() {
        let text = if rows.is_empty() {
            "The report has no rows"
        } else {
            "✔ No row needs attention"
        };
        ui.label(RichText::new(text).weak());
        return;
    }
    ui.push_id(id, |ui| {
        let height = ui.available_height().max(120.0);
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .column(Column::exact(64.0))
            .column(Column::exact(120.0))
            .column(Column::exact(170.0))
            .column(Column::remainder().clip(true))
            .max_scroll_height(height)
            .header(24.0, |mut header| {
                for name in ["Row", "Status", "Salesforce Id", "Message"] {
                    header.col(|ui| {
                        crate::ui::fit::column_header(ui, name);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, shown.len(), |mut row| {
                    let data = shown[row.index()];
                    row.col(|ui| {
                        ui.label(RichText::new(group_thousands(data.row)).weak());
                    });
                    row.col(|ui| {
                        let (icon, color) = status_look(&data.status);
                        ui.label(RichText::new(format!("{icon} {}", data.status)).color(color));
                    });
                    row.col(|ui| {
                        ui.monospace(data.sf_id.as_deref().unwrap_or(""));
                    });
                    row.col(|ui| {
                        ui.label(&data.message).on_hover_text(&data.message);
                    });
                });
            });
    });
}
