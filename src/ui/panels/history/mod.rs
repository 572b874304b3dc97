//! The History page: every run in a virtualised table with a filter bar, and a side panel
//! with the counts, timeline and errors of the run that is open.

mod changes;
mod detail;
pub mod paged;
mod table;
mod undo;

use chrono::{Duration, NaiveDate, Utc};
use egui::{Color32, RichText, Ui};

use crate::desktop::{Event, Request, RunDetail, RunFilter, Topic};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::{Page, theme, widgets};
use crate::workspace::journal::{RunRecord, RunStatus, Trigger};
use paged::{PAGE_SIZE, Paged};

/// Intents of the History page.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryCommand {
    /// Shows the runs this filter matches, from the top.
    SetFilter(RunFilter),
    /// Opens a run's side panel.
    Open(i64),
    Close,
    /// Reads the runs again (after a failure, or to see new runs).
    Refresh,
    /// Asks whether to undo a run ([`undo`]).
    AskUndo(i64),
    /// Undoes a run, over later Salesforce edits too when `overwrite`.
    Undo {
        run_id: i64,
        overwrite: bool,
    },
    /// Leaves the run as it is.
    KeepRun,
}

#[derive(Default)]
pub struct HistoryState {
    pub filter: RunFilter,
    runs: Paged<RunRecord>,
    /// The run whose side panel is open, and its detail once it arrived.
    open: Option<(i64, Option<Box<RunDetail>>)>,
    /// Rows drawn in the last frame, for the pages to fetch.
    visible: (u64, u64),
    undo: undo::UndoState,
}

impl HistoryState {
    pub fn on_event(&mut self, event: &Event) {
        self.undo.on_event(event);
        match event {
            Event::RunsPage {
                filter,
                offset,
                total,
                rows,
            } if *filter == self.filter => self.runs.insert(*offset, *total, rows.clone()),
            Event::RunDetail(detail) => {
                if let Some((id, slot)) = &mut self.open
                    && *id == detail.run.id
                {
                    *slot = Some(detail.clone());
                }
            }
            // New runs shift every page.
            Event::SyncFinished(_) | Event::RunUndone(_) => self.runs.clear(),
            event if crate::desktop::made_a_run(event) => self.runs.clear(),
            Event::Failed {
                topic: Topic::History,
                ..
            } => self.runs.forget_asked(),
            _ => {}
        }
    }

    pub fn apply(&mut self, command: HistoryCommand, out: &mut Vec<Request>) {
        self.undo.apply(&command, out);
        match command {
            HistoryCommand::SetFilter(filter) => {
                if filter != self.filter {
                    self.filter = filter;
                    self.runs.clear();
                }
            }
            HistoryCommand::Open(run_id) => {
                self.open = Some((run_id, None));
                out.push(Request::RunDetail { run_id });
            }
            HistoryCommand::Close => self.open = None,
            HistoryCommand::Refresh => self.runs.clear(),
            HistoryCommand::AskUndo(_) | HistoryCommand::Undo { .. } | HistoryCommand::KeepRun => {}
        }
    }

    /// The requests for the pages around the visible rows that are still missing.
    fn page_requests(&mut self, commands: &mut Commands) {
        let (first, last) = self.visible;
        for offset in self.runs.wanted(first, last.saturating_add(PAGE_SIZE / 2)) {
            commands.send(Request::RunsPage {
                filter: self.filter.clone(),
                offset,
                limit: PAGE_SIZE,
            });
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut HistoryState, model: &Model, commands: &mut Commands) {
    if ui.input(|i| i.key_pressed(egui::Key::Escape)) && state.open.is_some() {
        commands.push(Command::History(HistoryCommand::Close));
    }
    let subtitle = match state.runs.total() {
        Some(total) => crate::numbers::count(total, "run"),
        None => "Loading runs…".to_string(),
    };
    widgets::page_header(ui, "History", Some(&subtitle));
    if let Some(message) = model.failures.get(&Topic::History) {
        widgets::failure_banner(ui, Some(message));
        if ui.button("Try again").clicked() {
            commands.push(Command::History(HistoryCommand::Refresh));
        }
    }
    filter_bar(ui, &state.filter, model, commands);
    ui.add_space(theme::GRID);

    let open = state
        .open
        .as_ref()
        .map(|(id, detail)| (*id, detail.as_deref().cloned()));
    let undo = state.undo.clone();
    let body =
        |ui: &mut Ui, state: &mut HistoryState, commands: &mut Commands| match state.runs.total() {
            Some(0) => empty(ui, &state.filter, model, commands),
            _ => {
                let selected = state.open.as_ref().map(|(id, _)| *id);
                state.visible = egui::ScrollArea::horizontal()
                    .id_salt("table_width")
                    .show(ui, |ui| table::show(ui, state, model, selected, commands))
                    .inner;
            }
        };
    match open {
        // The detail sits beside the table, which keeps the rest of the width.
        Some((run_id, detail)) => crate::ui::widgets::with_side_panel(
            ui,
            360.0,
            commands,
            |ui, commands| body(ui, state, commands),
            |ui, commands| detail::show(ui, run_id, detail.as_ref(), &undo, commands),
        ),
        None => body(ui, state, commands),
    }
    state.page_requests(commands);
}

fn empty(ui: &mut Ui, filter: &RunFilter, model: &Model, commands: &mut Commands) {
    if *filter != RunFilter::default() {
        widgets::empty_state(
            ui,
            "No runs match these filters",
            "Widen the filters to see more runs.",
            |ui| {
                if ui.button("Clear filters").clicked() {
                    commands.push(Command::History(HistoryCommand::SetFilter(
                        RunFilter::default(),
                    )));
                }
            },
        );
    } else if model.links.is_empty() {
        widgets::empty_state(
            ui,
            "No runs yet",
            "Runs appear here once a link syncs. Map a Salesforce object to a table first.",
            |ui| {
                if widgets::primary_button(ui, "Create a link…", true).clicked() {
                    commands.push(Command::Navigate(Page::Mappings));
                }
            },
        );
    } else {
        widgets::empty_state(
            ui,
            "No runs yet",
            "Sync a link from the dashboard and its run shows up here.",
            |ui| {
                if widgets::primary_button(ui, "Go to the dashboard", true).clicked() {
                    commands.push(Command::Navigate(Page::Dashboard));
                }
            },
        );
    }
}

/// "All links" or one of them, for the filter bars of History and Errors.
pub(crate) fn link_combo(ui: &mut Ui, selected: &mut Option<String>, model: &Model) {
    let shown = selected.clone().unwrap_or_else(|| "All links".into());
    widgets::combo(ui, "Link", shown, |ui| {
        ui.selectable_value(selected, None, "All links");
        for card in &model.links {
            let name = card.link.name.clone();
            ui.selectable_value(selected, Some(name.clone()), name);
        }
    });
}

fn filter_bar(ui: &mut Ui, filter: &RunFilter, model: &Model, commands: &mut Commands) {
    let mut next = filter.clone();
    ui.horizontal_wrapped(|ui| {
        link_combo(ui, &mut next.link, model);
        widgets::combo(
            ui,
            "Status",
            next.status.map_or("Any status", status_word),
            |ui| {
                ui.selectable_value(&mut next.status, None, "Any status");
                for status in RunStatus::ALL {
                    ui.selectable_value(&mut next.status, Some(status), status_word(status));
                }
            },
        );
        widgets::combo(
            ui,
            "Trigger",
            next.trigger.map_or("Any trigger", trigger_word),
            |ui| {
                ui.selectable_value(&mut next.trigger, None, "Any trigger");
                for trigger in Trigger::ALL {
                    ui.selectable_value(&mut next.trigger, Some(trigger), trigger_word(trigger));
                }
            },
        );
        since_combo(ui, "Since", &mut next.since);
        ui.checkbox(&mut next.with_errors, "With failed records");
    });
    if next != *filter {
        commands.push(Command::History(HistoryCommand::SetFilter(next)));
    }
}

/// A "since" choice: any time, today, the last 7 or 30 days.
pub(crate) fn since_combo(ui: &mut Ui, label: &str, since: &mut Option<NaiveDate>) {
    let today = Utc::now().date_naive();
    let choices = [
        (None, "Any time"),
        (Some(today), "Today"),
        (Some(today - Duration::days(6)), "Last 7 days"),
        (Some(today - Duration::days(29)), "Last 30 days"),
    ];
    let current = choices.iter().find(|(day, _)| day == since).map_or_else(
        || since.map(|d| format!("Since {d}")).unwrap_or_default(),
        |(_, word)| word.to_string(),
    );
    widgets::combo(ui, label, current, |ui| {
        for (day, word) in choices {
            ui.selectable_value(since, day, word);
        }
    });
}

pub(crate) fn status_word(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "Running",
        RunStatus::Succeeded => "Succeeded",
        RunStatus::Partial => "Partial",
        RunStatus::Failed => "Failed",
        RunStatus::Cancelled => "Cancelled",
        RunStatus::Interrupted => "Interrupted",
        RunStatus::NeedsConfirmation => "Needs confirmation",
    }
}

fn trigger_word(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Button => "Sync Now",
        Trigger::Schedule => "Schedule",
        Trigger::Cli => "Command line",
        Trigger::Undo => "Undo",
        Trigger::Records => "Records page",
    }
}

/// A status as an icon and a word in its colour: never colour alone.
pub(crate) fn status_text(ui: &Ui, status: RunStatus) -> RichText {
    let (icon, color) = match status {
        RunStatus::Running => ("⟳", theme::ACCENT),
        RunStatus::Succeeded => ("✔", theme::SUCCESS),
        RunStatus::Partial => ("⚠", theme::WARNING),
        RunStatus::Failed => ("✖", theme::DANGER),
        RunStatus::Cancelled => ("⏹", ui.visuals().weak_text_color()),
        RunStatus::Interrupted => ("⏸", theme::WARNING),
        RunStatus::NeedsConfirmation => ("?", theme::WARNING),
    };
    RichText::new(format!("{icon} {}", status_word(status)))
        .color(color)
        .strong()
}

/// "3 min 4 s", "12 s", "850 ms".
pub(crate) fn duration_text(duration: Option<chrono::Duration>) -> String {
    let Some(d) = duration else {
        return "—".to_string();
    };
    let ms = d.num_milliseconds().max(0);
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1_000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1_000),
    }
}

/// Relative time with the exact time in a tooltip.
pub(crate) fn time_label(ui: &mut Ui, at: chrono::DateTime<Utc>) {
    let elapsed = (Utc::now() - at).to_std().unwrap_or_default();
    ui.label(crate::ui::relative_time(elapsed))
        .on_hover_text(at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
}

pub(crate) const MUTED: Color32 = Color32::from_gray(140);
