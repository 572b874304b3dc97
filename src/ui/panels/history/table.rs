//! The runs table: one row per run over the whole total, drawn only where visible.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::{HistoryCommand, HistoryState, MUTED, duration_text, status_text, time_label};
use crate::desktop::RunSort;
use crate::ui::command::{Command, Commands};
use crate::ui::group_thousands;
use crate::ui::model::Model;

const ROW_HEIGHT: f32 = 28.0;

/// The width every column needs; below it the secondary ones (trigger, duration, conflicts,
/// API calls) are left out rather than cut off at the window's edge.
const ALL_COLUMNS_WIDTH: f32 = 1_080.0;

/// Draws the table; returns the first and last row indexes drawn.
pub(super) fn show(
    ui: &mut Ui,
    state: &HistoryState,
    model: &Model,
    selected: Option<i64>,
    commands: &mut Commands,
) -> (u64, u64) {
    let total = state.runs.total().unwrap_or(0);
    let rows = usize::try_from(total).unwrap_or(usize::MAX);
    let mut drawn: Option<(u64, u64)> = None;
    let sort = state.filter.sort;
    let all = ui.available_width() >= ALL_COLUMNS_WIDTH;
    // A wide window gives its room to the link's name rather than to empty space at the end.
    let link_width = (150.0 + ui.available_width() - ALL_COLUMNS_WIDTH).clamp(150.0, 380.0);
    let mut table = TableBuilder::new(ui)
        .id_salt(("runs_table", all))
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(130.0))
        .column(Column::exact(90.0))
        .column(Column::initial(link_width).at_least(80.0).clip(true))
        .column(Column::exact(80.0));
    if all {
        table = table.column(Column::exact(110.0));
    }
    table = table.column(Column::exact(100.0));
    if all {
        table = table.column(Column::exact(90.0));
    }
    table = table.columns(Column::exact(80.0), 2);
    if all {
        table = table.columns(Column::exact(80.0), 2);
    }
    table
        .column(Column::remainder().at_least(60.0))
        .header(32.0, |mut header| {
            header.col(|ui| {
                crate::ui::fit::column_header(ui, "Status");
            });
            header.col(|ui| {
                crate::ui::fit::column_header(ui, "Run");
            });
            header.col(|ui| sort_header(ui, "Link", sort, RunSort::Link, None, state, commands));
            header.col(|ui| {
                crate::ui::fit::column_header(ui, "Direction");
            });
            if all {
                header.col(|ui| {
                    crate::ui::fit::column_header(ui, "Trigger");
                });
            }
            header.col(|ui| {
                sort_header(
                    ui,
                    "Started",
                    sort,
                    RunSort::Newest,
                    Some(RunSort::Oldest),
                    state,
                    commands,
                )
            });
            if all {
                header.col(|ui| {
                    crate::ui::fit::column_header(ui, "Duration");
                });
            }
            header.col(|ui| {
                crate::ui::fit::column_header(ui, "Synced");
            });
            header.col(|ui| {
                sort_header(
                    ui,
                    "Failed",
                    sort,
                    RunSort::MostFailed,
                    None,
                    state,
                    commands,
                )
            });
            if all {
                header.col(|ui| {
                    crate::ui::fit::column_header(ui, "Conflicts");
                });
                header.col(|ui| {
                    crate::ui::fit::column_header(ui, "API calls");
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows, |mut row| {
                let index = row.index() as u64;
                drawn = Some(match drawn {
                    None => (index, index),
                    Some((first, last)) => (first.min(index), last.max(index)),
                });
                let Some(run) = state.runs.row(index) else {
                    row.col(|ui| {
                        ui.label(RichText::new("Loading…").color(MUTED));
                    });
                    return;
                };
                row.set_selected(selected == Some(run.id));
                row.col(|ui| {
                    ui.label(status_text(ui, run.status));
                });
                row.col(|ui| {
                    let open = ui
                        .add(egui::Button::new(format!("Run #{}", run.id)).frame(false))
                        .on_hover_text("Open this run");
                    if open.clicked() {
                        commands.push(Command::History(HistoryCommand::Open(run.id)));
                    }
                });
                row.col(|ui| {
                    // A record-scoped run says which records, after its link.
                    match &run.scope {
                        Some(scope) => ui.label(format!("{} · {scope}", run.link_name)),
                        None => ui.label(&run.link_name),
                    };
                });
                row.col(|ui| {
                    // The link's direction as it is now; a deleted link has none to show.
                    match model.link(&run.link_name) {
                        Some(card) => {
                            crate::ui::direction::label(
                                ui,
                                crate::sync::arrows::of_link(&card.link),
                            );
                        }
                        None => {
                            ui.label(RichText::new("—").color(MUTED))
                                .on_hover_text("This link no longer exists");
                        }
                    }
                });
                if all {
                    row.col(|ui| {
                        ui.label(super::trigger_word(run.trigger));
                    });
                }
                row.col(|ui| time_label(ui, run.started_at));
                if all {
                    row.col(|ui| {
                        ui.label(duration_text(run.duration()));
                    });
                }
                let c = run.counts;
                row.col(|ui| {
                    ui.label(group_thousands(c.created + c.updated + c.deleted));
                });
                row.col(|ui| {
                    let text = RichText::new(group_thousands(c.failed));
                    ui.label(if c.failed > 0 {
                        text.color(crate::ui::theme::DANGER)
                    } else {
                        text
                    });
                });
                if all {
                    row.col(|ui| {
                        ui.label(group_thousands(c.conflicts));
                    });
                    row.col(|ui| {
                        ui.label(group_thousands(c.api_calls));
                    });
                }
                if row.response().clicked() {
                    commands.push(Command::History(HistoryCommand::Open(run.id)));
                }
            });
        });
    drawn.unwrap_or((0, 0))
}

/// A header that sorts by `by` when clicked (or by `reverse` when already sorted by `by`).
fn sort_header(
    ui: &mut Ui,
    title: &str,
    current: RunSort,
    by: RunSort,
    reverse: Option<RunSort>,
    state: &HistoryState,
    commands: &mut Commands,
) {
    let arrow = if current == by {
        " ⏷"
    } else if Some(current) == reverse {
        " ⏶"
    } else {
        ""
    };
    let button = egui::Button::new(RichText::new(format!("{title}{arrow}")).strong()).frame(false);
    if ui
        .add(button)
        .on_hover_text(format!("Sort by {}", title.to_lowercase()))
        .clicked()
    {
        let next = match reverse {
            Some(reverse) if current == by => reverse,
            _ => by,
        };
        let mut filter = state.filter.clone();
        filter.sort = next;
        commands.push(Command::History(HistoryCommand::SetFilter(filter)));
    }
}
