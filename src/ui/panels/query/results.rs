//! The answer under the editor: a table of at most [`PAGE_ROWS`] rows a page (parents as
//! `Account.Name` columns, each child record of a subquery a row with its parent repeated,
//! aggregates by alias or `expr0`), the org's plans when asked, and the export's outcome.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::{PAGE_ROWS, QueryCommand, QueryState};
use crate::explore::table::Cell;
use crate::ui::command::{Command, Commands};
use crate::ui::theme;

pub fn show(ui: &mut Ui, state: &QueryState, commands: &mut Commands) {
    if let Some((path, rows)) = &state.exported {
        ui.colored_label(
            theme::SUCCESS,
            format!("Exported {rows} rows to {}", path.display()),
        );
    }
    if let Some(plans) = &state.plans {
        plans_table(ui, plans);
    }
    if state.headers.is_empty() && !state.running {
        return;
    }
    ui.add_space(8.0);
    let pages = state.rows.len().div_ceil(PAGE_ROWS).max(1);
    let page = state.page.min(pages - 1);
    ui.horizontal(|ui| {
        let status = if state.running {
            format!("Reading… {} of {} records", state.records, state.total)
        } else {
            format!(
                "{} records, {} rows",
                state.total.max(state.records),
                state.rows.len()
            )
        };
        ui.label(status);
        if pages > 1 {
            ui.separator();
            if ui
                .add_enabled(page > 0, egui::Button::new("Previous"))
                .clicked()
            {
                commands.push(Command::Query(QueryCommand::Page(page - 1)));
            }
            ui.label(format!("Page {} of {pages}", page + 1));
            if ui
                .add_enabled(page + 1 < pages, egui::Button::new("Next"))
                .clicked()
            {
                commands.push(Command::Query(QueryCommand::Page(page + 1)));
            }
        }
    });
    let start = page * PAGE_ROWS;
    let shown = &state.rows[start.min(state.rows.len())..(start + PAGE_ROWS).min(state.rows.len())];
    egui::ScrollArea::horizontal()
        .id_salt("query-results")
        .show(ui, |ui| {
            // Columns share the width, and scroll sideways when there are too many to read.
            let columns = state.headers.len().max(1) as f32;
            let width = ((ui.available_width() - 8.0) / columns).max(140.0);
            let mut table = TableBuilder::new(ui)
                .striped(true)
                .resizable(true)
                .min_scrolled_height(120.0)
                .max_scroll_height(f32::INFINITY);
            for _ in &state.headers {
                table = table.column(Column::initial(width).at_least(60.0).clip(true));
            }
            table
                .header(22.0, |mut header| {
                    for name in &state.headers {
                        header.col(|ui| {
                            ui.strong(name);
                        });
                    }
                })
                .body(|body| {
                    body.rows(20.0, shown.len(), |mut row| {
                        let cells = &shown[row.index()];
                        for i in 0..state.headers.len() {
                            row.col(|ui| {
                                let text = match cells.get(i) {
                                    Some(Cell::Number(raw)) => {
                                        crate::numbers::field_value("double", raw)
                                    }
                                    Some(cell) => cell.text(),
                                    None => String::new(),
                                };
                                ui.label(text);
                            });
                        }
                    });
                });
        });
}

fn plans_table(ui: &mut Ui, plans: &crate::salesforce::QueryPlans) {
    ui.add_space(8.0);
    ui.strong("Query plan");
    egui::Grid::new("query-plans").striped(true).show(ui, |ui| {
        for title in [
            "Leading operation",
            "Cost",
            "Rows",
            "Of",
            "Object",
            "Fields",
        ] {
            ui.strong(title);
        }
        ui.end_row();
        for plan in &plans.plans {
            ui.label(&plan.leading_operation_type);
            let cost = format!("{:.3}", plan.relative_cost);
            if plan.relative_cost < 1.0 {
                ui.colored_label(theme::SUCCESS, cost)
                    .on_hover_text("Below 1: selective");
            } else {
                ui.colored_label(theme::WARNING, cost)
                    .on_hover_text("1 or more: the org reads every row");
            }
            ui.label(format!("{}", plan.cardinality));
            ui.label(format!("{}", plan.sobject_cardinality));
            ui.label(&plan.sobject_type);
            ui.label(plan.fields.join(", "));
            ui.end_row();
            for note in &plan.notes {
                ui.label("");
                ui.weak(format!("{} ({})", note.description, note.fields.join(", ")));
                ui.end_row();
            }
        }
    });
}
