//! Draws the record list: the connection and object pickers, search, filters, the columns
//! menu, the table (headers sort, a row opens its record) and the pager.

use egui::{RichText, Ui};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::RecordsCommand;
use super::list::{ListCommand, ListState};
use crate::browse::{Catalog, Filter, Operator, Page, Sort};
use crate::desktop::Topic;
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::panels::mapping::object_search;
use crate::ui::theme::GRID;
use crate::ui::widgets;

const ROW_HEIGHT: f32 = 28.0;
const HEADER_HEIGHT: f32 = 32.0;
/// The pager's line with the space above it, and a horizontal scroll bar.
const PAGER_HEIGHT: f32 = 7.0 * GRID;
/// Narrower than this, columns scroll sideways rather than squeeze.
const MIN_COLUMN_WIDTH: f32 = 140.0;

fn list(command: ListCommand) -> Command {
    Command::Records(RecordsCommand::List(command))
}

pub(super) fn show(ui: &mut Ui, state: &mut ListState, model: &Model, commands: &mut Commands) {
    widgets::page_header(
        ui,
        "Records",
        Some("An org's records: find, sort, filter and open them"),
    );
    let Some(current) = model.current_connection().map(|c| c.name.clone()) else {
        widgets::empty_state(
            ui,
            "No org connected",
            "Connect an org on the Connections page to browse its records.",
            |_| {},
        );
        return;
    };
    let connection = match &state.connection {
        Some(c) if model.connection(c).is_some() => c.clone(),
        _ => {
            commands.push(list(ListCommand::ChooseConnection(current.clone())));
            current
        }
    };
    if state.connection.as_ref() == Some(&connection)
        && state.objects_for.as_ref() != Some(&connection)
    {
        commands.push(list(ListCommand::LoadObjects));
        state.objects_for = Some(connection.clone());
    }
    if state.want_page {
        state.want_page = false;
        commands.push(list(ListCommand::Refresh));
    }
    if let Some(object) = state.object_to_open() {
        commands.push(list(ListCommand::ChooseObject(object)));
    }

    ui.horizontal_wrapped(|ui| {
        if model.connections.len() > 1 {
            let mut chosen = connection.clone();
            widgets::combo(ui, "Connection", chosen.clone(), |ui| {
                for c in &model.connections {
                    ui.selectable_value(&mut chosen, c.name.clone(), &c.name);
                }
            });
            if chosen != connection {
                commands.push(list(ListCommand::ChooseConnection(chosen)));
            }
        }
        let options: Vec<(String, String)> = state
            .objects
            .iter()
            .map(|o| (o.name.clone(), format!("{} ({})", o.label, o.name)))
            .collect();
        object_search::picker(
            ui,
            "records",
            &mut state.picked,
            &mut state.object_search,
            &options,
        );
        if !state.picked.is_empty() && state.picked != state.object {
            commands.push(list(ListCommand::ChooseObject(state.picked.clone())));
        }
        if state.catalog.is_some() {
            search_box(ui, state, commands);
            super::record::new_record_button(ui, model, &connection, &state.object, commands);
            if ui
                .button("Fields…")
                .on_hover_text("Every field of the object, with your access to each")
                .clicked()
            {
                commands.push(crate::ui::panels::fields::open(&connection, &state.object));
            }
        }
        if state.loading {
            ui.spinner();
        }
    });
    ui.add_space(GRID);
    widgets::failure_banner(
        ui,
        state.error.as_ref().or(model.failures.get(&Topic::Records)),
    );

    if state.catalog.is_none() {
        if state.object.is_empty() {
            ui.weak("Choose an object to list its records.");
        } else if state.loading {
            ui.weak(format!("Reading the columns of {}…", state.object));
        }
        return;
    }
    filters(ui, state, commands);
    ui.add_space(GRID);
    table(ui, state, &connection, commands);
    pager(ui, state, commands);
}

fn search_box(ui: &mut Ui, state: &mut ListState, commands: &mut Commands) {
    let field = ui.add(
        egui::TextEdit::singleline(&mut state.search_input)
            .hint_text("Search records")
            .desired_width(220.0),
    );
    field
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Search records"));
    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if enter || ui.button("Search").clicked() {
        commands.push(list(ListCommand::Search(state.search_input.clone())));
    }
    if !state.search.is_empty() && ui.button("Clear search").clicked() {
        commands.push(list(ListCommand::Search(String::new())));
    }
}

fn filters(ui: &mut Ui, state: &mut ListState, commands: &mut Commands) {
    // Out of the state while drawing, so the inputs can borrow the state.
    let Some(catalog) = state.catalog.take() else {
        return;
    };
    ui.horizontal_wrapped(|ui| {
        for (index, filter) in state.filters.iter().enumerate() {
            let text = format!("{} {} {}  ✕", filter.field, filter.operator, filter.value);
            if ui
                .button(text)
                .on_hover_text("Remove this filter")
                .clicked()
            {
                commands.push(list(ListCommand::RemoveFilter(index)));
            }
        }
        let label = |path: &str| {
            catalog
                .column(path)
                .map_or(path.to_string(), |c| c.label.clone())
        };
        let shown = if state.filter_field.is_empty() {
            "Filter by…".to_string()
        } else {
            label(&state.filter_field)
        };
        widgets::combo(ui, "Field", shown, |ui| {
            egui::ScrollArea::vertical()
                .max_height(300.0)
                .show(ui, |ui| {
                    for column in catalog.columns.iter().filter(|c| c.filterable) {
                        ui.selectable_value(
                            &mut state.filter_field,
                            column.path.clone(),
                            &column.label,
                        );
                    }
                });
        });
        if state.filter_operator.is_empty() {
            state.filter_operator = "=".to_string();
        }
        widgets::combo(ui, "Operator", state.filter_operator.clone(), |ui| {
            for op in Operator::ALL {
                ui.selectable_value(&mut state.filter_operator, op.text().to_string(), op.text());
            }
        });
        let value = ui.add(
            egui::TextEdit::singleline(&mut state.filter_value)
                .hint_text("Value, or null")
                .desired_width(160.0),
        );
        value
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Filter value"));
        let enter = value.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let ready = !state.filter_field.is_empty() && !state.filter_value.trim().is_empty();
        if (ui
            .add_enabled(ready, egui::Button::new("Add filter"))
            .clicked()
            || enter)
            && ready
        {
            commands.push(list(ListCommand::AddFilter(Filter {
                field: state.filter_field.clone(),
                operator: state.filter_operator.clone(),
                value: state.filter_value.trim().to_string(),
            })));
        }
        columns_menu(ui, state, &catalog, commands);
    });
    state.catalog = Some(catalog);
}

fn columns_menu(ui: &mut Ui, state: &mut ListState, catalog: &Catalog, commands: &mut Commands) {
    ui.menu_button("Columns", |ui| {
        let field = ui.add(
            egui::TextEdit::singleline(&mut state.column_search)
                .hint_text("Find a field")
                .desired_width(220.0),
        );
        field.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Find a column")
        });
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .show(ui, |ui| {
                for column in &catalog.columns {
                    let text = format!("{} ({})", column.label, column.path);
                    if !object_search::matches(&text, &state.column_search) {
                        continue;
                    }
                    let mut shown = state.columns.contains(&column.path);
                    if ui.checkbox(&mut shown, text).changed() {
                        commands.push(list(if shown {
                            ListCommand::AddColumn(column.path.clone())
                        } else {
                            ListCommand::RemoveColumn(column.path.clone())
                        }));
                    }
                }
            });
    });
}

fn table(ui: &mut Ui, state: &ListState, connection: &str, commands: &mut Commands) {
    let (Some(catalog), Some(page)) = (state.catalog.as_ref(), state.page.as_ref()) else {
        return;
    };
    if page.rows.is_empty() {
        ui.weak(if state.search.is_empty() && state.filters.is_empty() {
            format!("{} has no records.", catalog.label)
        } else {
            "No record matches the search and filters.".to_string()
        });
        return;
    }
    let sort = state.shown_sort();
    // The pager and a horizontal scroll bar stay in the window below the rows.
    let height = ui.available_height() - HEADER_HEIGHT - PAGER_HEIGHT;
    let columns = state.page_columns.len().max(1);
    let width = ((ui.available_width() - GRID) / columns as f32).max(MIN_COLUMN_WIDTH);
    egui::ScrollArea::horizontal()
        .id_salt("records_list_wide")
        .show(ui, |ui| {
            let mut builder = TableBuilder::new(ui)
                .id_salt(("records_list", state.page_columns.len()))
                .striped(true)
                .resizable(true)
                .sense(egui::Sense::click())
                .max_scroll_height(height.max(120.0))
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
            for _ in 0..columns {
                builder = builder.column(TableColumn::initial(width).at_least(60.0).clip(true));
            }
            rows(builder, state, catalog, page, sort, connection, commands);
        });
}

#[allow(clippy::too_many_arguments)]
fn rows(
    builder: TableBuilder<'_>,
    state: &ListState,
    catalog: &Catalog,
    page: &Page,
    sort: Option<Sort>,
    connection: &str,
    commands: &mut Commands,
) {
    builder
        .header(HEADER_HEIGHT, |mut header| {
            for path in &state.page_columns {
                header.col(|ui| {
                    let column = catalog.column(path);
                    let label = column.map_or(path.as_str(), |c| c.label.as_str());
                    let arrow = match &sort {
                        Some(s) if s.path == *path && s.descending => " ⏷",
                        Some(s) if s.path == *path => " ⏶",
                        _ => "",
                    };
                    let title = format!("{label}{arrow}");
                    if column.is_some_and(|c| c.sortable) {
                        let button = egui::Button::new(RichText::new(&title).strong()).frame(false);
                        let response = ui
                            .add(button)
                            .on_hover_text("Sort by this column; again to turn it around");
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::ColumnHeader, true, &title)
                        });
                        if response.clicked() {
                            commands.push(list(ListCommand::SortBy(path.clone())));
                        }
                    } else {
                        crate::ui::fit::column_header(ui, &title);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, page.rows.len(), |mut row| {
                let Some(record) = page.rows.get(row.index()) else {
                    return;
                };
                let mut open = false;
                for (index, cell) in record.cells.iter().enumerate() {
                    row.col(|ui| {
                        // The first cell is a link, so the keyboard and screen readers reach it.
                        let shown = if cell.is_empty() && index == 0 {
                            "(no name)"
                        } else {
                            cell.as_str()
                        };
                        let shown = match state
                            .page_columns
                            .get(index)
                            .and_then(|p| catalog.column(p))
                        {
                            Some(column) => {
                                crate::numbers::field_value(&column.describe_type, shown)
                            }
                            None => shown.to_string(),
                        };
                        let shown = shown.as_str();
                        if index == 0 {
                            open |= ui.link(shown).clicked();
                        } else {
                            ui.label(shown);
                        }
                    });
                }
                if open || row.response().clicked() {
                    commands.push(Command::Records(RecordsCommand::Open {
                        connection: connection.to_string(),
                        object: catalog.object.clone(),
                        id: record.id.clone(),
                    }));
                }
            });
        });
}

fn pager(ui: &mut Ui, state: &ListState, commands: &mut Commands) {
    let Some(page) = state.page.as_ref() else {
        return;
    };
    ui.add_space(GRID);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                state.pager.has_previous() && !state.loading,
                egui::Button::new("← Previous"),
            )
            .clicked()
        {
            commands.push(list(ListCommand::Previous));
        }
        ui.label(format!("Page {}", state.pager.number()));
        if ui
            .add_enabled(
                page.next.is_some() && !state.loading,
                egui::Button::new("Next →"),
            )
            .clicked()
        {
            commands.push(list(ListCommand::Next));
        }
        ui.weak(format!("{} rows", page.rows.len()));
    });
}
