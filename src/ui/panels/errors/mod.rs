//! The error browser: full-text search, filters, errors grouped by code with their hint, a
//! virtualised table with selection, and a side panel with the payload and the response.

mod detail;
mod table;

use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::history::paged::{PAGE_SIZE, Paged};
use super::history::since_combo;
use crate::desktop::{ErrorFilter, ErrorGroup, ErrorRow, Event, Request, TEXT_COUNT_CAP, Topic};
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::{ERRORS_FILE_NAME, FileFor, PathPrompt, PromptAnswer};
use crate::ui::model::Model;
use crate::ui::{Page, group_thousands, theme, widgets};

pub const SEARCH_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);

/// Intents of the error browser.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorsCommand {
    /// Shows the errors this filter finds (search words, link, object, code, time).
    SetFilter(ErrorFilter),
    /// Shows the errors of one run.
    ShowRun(i64),
    /// Opens an error's side panel.
    Open(Box<ErrorRow>),
    /// Closes the side panel.
    Close,
    /// Checks or unchecks an error for Retry and Export.
    Toggle(i64),
    /// Checks every error loaded so far.
    CheckAll(Vec<i64>),
    /// Unchecks every error.
    ClearChecks,
    /// Retries the checked errors, or the open one when none is checked.
    Retry,
    /// Writes the checked errors to this file.
    Export(PathBuf),
    /// No file dialog can open on this desktop: offers a typed path to export to.
    TypeExportPath,
    /// Closes the typed path without exporting.
    CloseExportPath,
    /// Asks again for the pages and groups shown.
    Refresh,
}

#[derive(Default)]
pub struct ErrorsState {
    pub filter: ErrorFilter,
    /// The search box as typed.
    search: String,
    errors: Paged<ErrorRow>,
    groups: Option<Vec<ErrorGroup>>,
    groups_asked: bool,
    open: Option<Box<ErrorRow>>,
    checked: BTreeSet<i64>,
    visible: (u64, u64),
    /// Where to export, typed because no file dialog can open.
    export_prompt: Option<PathPrompt>,
}

impl ErrorsState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::ErrorsPage {
                filter,
                offset,
                total,
                rows,
            } if *filter == self.filter => self.errors.insert(*offset, *total, rows.clone()),
            Event::ErrorGroups { filter, groups } if *filter == self.groups_filter() => {
                self.groups = Some(groups.clone());
            }
            Event::SyncFinished(_) => self.refresh(),
            Event::Failed {
                topic: Topic::Errors,
                ..
            } => self.errors.forget_asked(),
            _ => {}
        }
    }

    pub fn apply(&mut self, command: ErrorsCommand, out: &mut Vec<Request>) {
        match command {
            ErrorsCommand::SetFilter(filter) => self.set_filter(filter),
            ErrorsCommand::ShowRun(run) => self.set_filter(ErrorFilter {
                run: Some(run),
                ..Default::default()
            }),
            ErrorsCommand::Open(row) => self.open = Some(row),
            ErrorsCommand::Close => self.open = None,
            ErrorsCommand::Toggle(id) => {
                if !self.checked.remove(&id) {
                    self.checked.insert(id);
                }
            }
            ErrorsCommand::CheckAll(ids) => self.checked.extend(ids),
            ErrorsCommand::ClearChecks => self.checked.clear(),
            ErrorsCommand::Retry => {
                let ids = self.chosen();
                if !ids.is_empty() {
                    out.push(Request::RetryErrors { ids });
                }
            }
            ErrorsCommand::Export(path) => {
                self.export_prompt = None;
                let ids = self.chosen();
                if !ids.is_empty() {
                    out.push(Request::ExportErrors { ids, path });
                }
            }
            ErrorsCommand::TypeExportPath => {
                self.export_prompt = Some(PathPrompt::save("Save here", ERRORS_FILE_NAME));
            }
            ErrorsCommand::CloseExportPath => self.export_prompt = None,
            ErrorsCommand::Refresh => self.refresh(),
        }
    }

    fn set_filter(&mut self, filter: ErrorFilter) {
        if filter != self.filter {
            let groups_change = ErrorFilter {
                code: None,
                ..filter.clone()
            } != self.groups_filter();
            self.search = filter.text.clone();
            self.filter = filter;
            self.errors.clear();
            self.checked.clear();
            if groups_change {
                self.groups = None;
                self.groups_asked = false;
            }
        }
    }

    fn refresh(&mut self) {
        self.errors.clear();
        self.groups = None;
        self.groups_asked = false;
    }

    /// Groups are counted without the code filter, so every code stays in view.
    fn groups_filter(&self) -> ErrorFilter {
        ErrorFilter {
            code: None,
            ..self.filter.clone()
        }
    }

    /// The checked errors, or the open one when none is checked.
    fn chosen(&self) -> Vec<i64> {
        if self.checked.is_empty() {
            self.open.iter().map(|row| row.error.id).collect()
        } else {
            self.checked.iter().copied().collect()
        }
    }

    fn requests(&mut self, commands: &mut Commands) {
        let (first, last) = self.visible;
        for offset in self
            .errors
            .wanted(first, last.saturating_add(PAGE_SIZE / 2))
        {
            commands.send(Request::ErrorsPage {
                filter: self.filter.clone(),
                offset,
                limit: PAGE_SIZE,
            });
        }
        if !self.groups_asked {
            self.groups_asked = true;
            commands.send(Request::ErrorGroups {
                filter: self.groups_filter(),
            });
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut ErrorsState, model: &Model, commands: &mut Commands) {
    let focus_search = ui.input_mut(|i| i.consume_shortcut(&SEARCH_SHORTCUT));
    if ui.input(|i| i.key_pressed(Key::Escape)) && state.open.is_some() {
        commands.push(Command::Errors(ErrorsCommand::Close));
    }
    let subtitle = match state.errors.total() {
        Some(total) if total >= TEXT_COUNT_CAP && !state.filter.text.trim().is_empty() => {
            format!(
                "More than {} matches: add words to narrow the search",
                group_thousands(total)
            )
        }
        Some(total) if state.filter.run.is_some() => {
            format!(
                "{} in this run",
                crate::numbers::count(total, "failed record")
            )
        }
        Some(total) if state.filter.include_resolved => {
            format!(
                "{}, open and resolved",
                crate::numbers::count(total, "error")
            )
        }
        Some(total) => crate::numbers::count(total, "open error"),
        None => "Loading errors…".to_string(),
    };
    widgets::page_header(ui, "Errors", Some(&subtitle));
    if let Some(message) = model.failures.get(&Topic::Errors) {
        widgets::failure_banner(ui, Some(message));
        if ui.button("Try again").clicked() {
            commands.push(Command::Errors(ErrorsCommand::Refresh));
        }
    }
    filter_bar(ui, state, model, focus_search, commands);
    groups(ui, state, commands);
    toolbar(ui, state, model, commands);
    if let Some(prompt) = &mut state.export_prompt
        && let Some(answer) = prompt.show(ui)
    {
        commands.push(Command::Errors(match answer {
            PromptAnswer::Path(path) => ErrorsCommand::Export(path),
            PromptAnswer::Cancel => ErrorsCommand::CloseExportPath,
        }));
    }

    let open = state.open.clone();
    let checked = state.checked.len();
    let body = |ui: &mut Ui, state: &mut ErrorsState, commands: &mut Commands| match state
        .errors
        .total()
    {
        Some(0) => empty(ui, &state.filter, commands),
        _ => {
            let open = state.open.as_ref().map(|row| row.error.id);
            state.visible = egui::ScrollArea::horizontal()
                .id_salt("table_width")
                .show(ui, |ui| table::show(ui, state, open, commands))
                .inner;
        }
    };
    match open {
        // The detail sits beside the table, which keeps the rest of the width.
        Some(row) => crate::ui::widgets::with_side_panel(
            ui,
            400.0,
            commands,
            |ui, commands| body(ui, state, commands),
            |ui, commands| {
                let open =
                    row.error.sf_id.as_deref().and_then(|id| {
                        super::records::open_command(model, &row.link, &row.object, id)
                    });
                detail::show(ui, &row, checked, open, commands)
            },
        ),
        None => body(ui, state, commands),
    }
    state.requests(commands);
}

fn filter_bar(
    ui: &mut Ui,
    state: &mut ErrorsState,
    model: &Model,
    focus_search: bool,
    commands: &mut Commands,
) {
    let mut next = state.filter.clone();
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Search");
        let search = ui.add(
            egui::TextEdit::singleline(&mut state.search)
                .hint_text("Message, code, record id, key, field or value")
                .desired_width(320.0),
        );
        let search = search.labelled_by(label.id).on_hover_text("Ctrl+F");
        if focus_search {
            search.request_focus();
        }
        if search.changed() {
            next.text = state.search.clone();
        }
        crate::ui::panels::history::link_combo(ui, &mut next.link, model);
        let objects: BTreeSet<&str> = model.links.iter().map(|c| c.link.object.as_str()).collect();
        widgets::combo(
            ui,
            "Object",
            next.object.clone().unwrap_or_else(|| "All objects".into()),
            |ui| {
                ui.selectable_value(&mut next.object, None, "All objects");
                for object in objects {
                    ui.selectable_value(&mut next.object, Some(object.to_string()), object);
                }
            },
        );
        since_combo(ui, "Since", &mut next.since);
        if next.run.is_none() {
            ui.checkbox(&mut next.include_resolved, "Show resolved")
                .on_hover_text("Also show errors a later run synced");
        }
        if let Some(run) = next.run
            && ui
                .button(format!("Run #{run} ✖"))
                .on_hover_text("Show the errors of every run")
                .clicked()
        {
            next.run = None;
        }
    });
    if next != state.filter {
        commands.push(Command::Errors(ErrorsCommand::SetFilter(next)));
    }
}

/// One card per error code: the count, the hint, and a click to show only that code.
fn groups(ui: &mut Ui, state: &ErrorsState, commands: &mut Commands) {
    let Some(groups) = &state.groups else {
        return;
    };
    if groups.is_empty() {
        return;
    }
    ui.add_space(theme::GRID / 2.0);
    egui::ScrollArea::vertical()
        .id_salt("error_groups")
        .max_height(150.0)
        .show(ui, |ui| {
            for group in groups {
                let chosen = state.filter.code.as_deref() == Some(group.code.as_str());
                ui.horizontal_wrapped(|ui| {
                    let title = format!("{} · {}", group.code, group_thousands(group.count));
                    let button = egui::Button::selectable(chosen, RichText::new(title).strong());
                    let clicked = ui
                        .add(button)
                        .on_hover_text(if chosen {
                            "Show every code"
                        } else {
                            "Show only this code"
                        })
                        .clicked();
                    if clicked {
                        let mut filter = state.filter.clone();
                        filter.code = (!chosen).then(|| group.code.clone());
                        commands.push(Command::Errors(ErrorsCommand::SetFilter(filter)));
                    }
                    ui.label(RichText::new(detail::plain(&group.hint)).weak());
                });
            }
        });
    ui.add_space(theme::GRID / 2.0);
}

fn toolbar(ui: &mut Ui, state: &ErrorsState, model: &Model, commands: &mut Commands) {
    ui.horizontal(|ui| {
        let checked = state.checked.len();
        let held: Vec<i64> = state.errors.held().map(|row| row.error.id).collect();
        if ui
            .add_enabled(!held.is_empty(), egui::Button::new("Select all loaded"))
            .clicked()
        {
            commands.push(Command::Errors(ErrorsCommand::CheckAll(held)));
        }
        if checked > 0 {
            if ui.button("Clear selection").clicked() {
                commands.push(Command::Errors(ErrorsCommand::ClearChecks));
            }
            let noun = if checked == 1 { "record" } else { "records" };
            let retry = format!("Retry {} failed {noun}", group_thousands(checked as u64));
            if widgets::primary_button(ui, &retry, true).clicked() {
                commands.push(Command::Errors(ErrorsCommand::Retry));
            }
        }
        let asking = model.dialog_open(Page::Errors);
        let exporting = asking || state.export_prompt.is_some();
        let export = ui
            .add_enabled(checked > 0 && !exporting, egui::Button::new("Export CSV…"))
            .on_disabled_hover_text("Select the errors to export first");
        if export.clicked() {
            commands.push(Command::AskFile(FileFor::ErrorsExport));
        }
        if asking {
            ui.spinner();
        }
    });
}

fn empty(ui: &mut Ui, filter: &ErrorFilter, commands: &mut Commands) {
    if *filter != ErrorFilter::default() {
        widgets::empty_state(
            ui,
            "No errors match",
            "Try other words, or clear the filters to see every failed record.",
            |ui| {
                if ui.button("Clear filters").clicked() {
                    commands.push(Command::Errors(ErrorsCommand::SetFilter(
                        ErrorFilter::default(),
                    )));
                }
            },
        );
    } else {
        widgets::empty_state(
            ui,
            "No open errors",
            "Every record's last attempt went through. Records that fail show up here with what to do, until a run syncs them.",
            |ui| {
                if ui.button("See the run history").clicked() {
                    commands.push(Command::Navigate(Page::History));
                }
            },
        );
    }
}
