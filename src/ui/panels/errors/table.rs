//! The errors table: a checkbox per row, drawn only where visible over the whole total.

use egui::{RichText, Ui, WidgetInfo};
use egui_extras::{Column, TableBuilder};

use super::{ErrorsCommand, ErrorsState};
use crate::desktop::ErrorSort;
use crate::ui::command::{Command, Commands};
use crate::ui::panels::history::{MUTED, time_label};
use crate::workspace::journal::{ErrorStatus, row_name};

const ROW_HEIGHT: f32 = 28.0;

/// Draws the table; returns the first and last row indexes drawn.
pub(super) fn show(
    ui: &mut Ui,
    state: &ErrorsState,
    open: Option<i64>,
    commands: &mut Commands,
) -> (u64, u64) {
    let total = state.errors.total().unwrap_or(0);
    let rows = usize::try_from(total).unwrap_or(usize::MAX);
    let mut drawn: Option<(u64, u64)> = None;
    // Narrower than every column needs, the link goes: the detail names it.
    let all = ui.available_width() >= 1_010.0;
    let mut table = TableBuilder::new(ui)
        .id_salt(("errors_table", all))
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(32.0))
        .column(
            Column::initial(if all { 200.0 } else { 170.0 })
                .at_least(120.0)
                .clip(true),
        )
        .column(
            Column::initial(if all { 320.0 } else { 200.0 })
                .at_least(120.0)
                .clip(true),
        );
    if all {
        table = table.column(Column::initial(120.0).clip(true));
    }
    let titles: &[&str] = if all {
        &["Code", "Message", "Link", "Record", "Run"]
    } else {
        &["Code", "Message", "Record", "Run"]
    };
    table
        .column(Column::initial(if all { 160.0 } else { 110.0 }).clip(true))
        .column(Column::exact(80.0))
        .column(Column::remainder().at_least(90.0))
        .header(32.0, |mut header| {
            header.col(|_| {});
            for title in titles {
                header.col(|ui| {
                    crate::ui::fit::column_header(ui, title);
                });
            }
            header.col(|ui| {
                let newest = state.filter.sort == ErrorSort::Newest;
                let title = if newest { "When ⏷" } else { "When ⏶" };
                let button = egui::Button::new(RichText::new(title).strong()).frame(false);
                if ui.add(button).on_hover_text("Sort by time").clicked() {
                    let mut filter = state.filter.clone();
                    filter.sort = if newest {
                        ErrorSort::Oldest
                    } else {
                        ErrorSort::Newest
                    };
                    commands.push(Command::Errors(ErrorsCommand::SetFilter(filter)));
                }
            });
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows, |mut row| {
                let index = row.index() as u64;
                drawn = Some(match drawn {
                    None => (index, index),
                    Some((first, last)) => (first.min(index), last.max(index)),
                });
                let Some(entry) = state.errors.row(index) else {
                    row.col(|_| {});
                    row.col(|ui| {
                        ui.label(RichText::new("Loading…").color(MUTED));
                    });
                    return;
                };
                let e = &entry.error;
                row.set_selected(open == Some(e.id));
                row.col(|ui| {
                    let mut checked = state.checked.contains(&e.id);
                    let response = ui.add(egui::Checkbox::without_text(&mut checked));
                    response.widget_info(|| {
                        WidgetInfo::selected(
                            egui::Role::CheckBox,
                            true,
                            checked,
                            format!("Select error {}", e.id),
                        )
                    });
                    if response.changed() {
                        commands.push(Command::Errors(ErrorsCommand::Toggle(e.id)));
                    }
                });
                row.col(|ui| {
                    let resolved = entry.lifecycle.status == ErrorStatus::Resolved;
                    let code = RichText::new(&e.code).monospace();
                    if resolved {
                        ui.label(code.color(MUTED).strikethrough())
                            .on_hover_text(super::detail::lifecycle_line(entry));
                    } else {
                        ui.label(code.color(crate::ui::theme::DANGER))
                            .on_hover_text(super::detail::lifecycle_line(entry));
                    }
                });
                row.col(|ui| {
                    let open = ui
                        .add(
                            egui::Button::new(super::detail::plain(&e.message))
                                .frame(false)
                                .truncate(),
                        )
                        .on_hover_text("Open this error");
                    if open.clicked() {
                        commands.push(Command::Errors(ErrorsCommand::Open(Box::new(
                            entry.clone(),
                        ))));
                    }
                });
                if all {
                    row.col(|ui| {
                        ui.label(&entry.link);
                    });
                }
                row.col(|ui| {
                    let record = match (&e.row_key, &e.sf_id) {
                        (Some(key), _) => capitalised(&row_name(key)),
                        (None, Some(id)) => id.clone(),
                        (None, None) => "—".to_string(),
                    };
                    // By name, the Id (or the local row) beside it, secondary.
                    match &entry.name {
                        Some(name) => {
                            ui.label(RichText::new(name).strong())
                                .on_hover_text(&record);
                            ui.label(
                                RichText::new(e.sf_id.as_deref().unwrap_or(&record))
                                    .small()
                                    .color(MUTED),
                            );
                        }
                        None => {
                            ui.label(record);
                        }
                    }
                });
                row.col(|ui| {
                    // The last run it failed in, and how many runs it failed in.
                    match entry.lifecycle.attempts {
                        0 | 1 => ui.label(format!("#{}", e.run_id)),
                        n => ui.label(format!("#{} · {n}×", e.run_id)),
                    };
                });
                row.col(|ui| time_label(ui, e.at));
                if row.response().clicked() {
                    commands.push(Command::Errors(ErrorsCommand::Open(Box::new(
                        entry.clone(),
                    ))));
                }
            });
        });
    drawn.unwrap_or((0, 0))
}

/// "row 11" as the first word of a cell: "Row 11".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
