//! The Analytics page: pipeline, leads and accounts charted from aggregate SOQL, filtered by
//! date range, owner and record type. A chart is asked for when it is opened or refreshed;
//! its answer arrives as an event, so the page never waits.

mod plot;

use std::collections::HashMap;
use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::analytics::{Chart, Filters, Report};
use crate::desktop::{AnalyticsEvent, AnalyticsRequest, Event, Request};
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::{FileFor, PathPrompt, PromptAnswer};
use crate::ui::model::Model;
use crate::ui::theme::GRID;
use crate::ui::widgets;

/// Wide enough for its "YYYY-MM-DD" hint.
const DATE_WIDTH: f32 = 118.0;

/// Intents of the Analytics page.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsCommand {
    /// Show this chart, computing it when it has not been for the current filters.
    Open(Report),
    /// Compute the shown chart again with the filters as typed.
    Refresh,
    /// Save the shown chart's data as CSV at this path.
    Export(PathBuf),
    /// No file dialog opens here: show a field for the path.
    TypeExportPath,
    CloseExportPath,
}

/// The last answer for one chart, and what it was asked with.
#[derive(Debug, Clone, Default)]
struct Slot {
    asked: Option<(String, Filters)>,
    chart: Option<Chart>,
    refused: Option<String>,
    waiting: bool,
}

#[derive(Default)]
pub struct AnalyticsState {
    report: Option<Report>,
    connection: Option<String>,
    /// The filters as typed; a refresh sends them.
    filters: Filters,
    slots: HashMap<Report, Slot>,
    export_prompt: Option<PathPrompt>,
    saved: Option<String>,
}

pub const EXPORT_FILE_NAME: &str = "chart.csv";

impl AnalyticsState {
    fn shown(&self) -> Report {
        self.report.unwrap_or(Report::PipelineByStage)
    }

    pub fn on_event(&mut self, event: &Event) {
        let Event::Analytics(event) = event else {
            return;
        };
        match event {
            AnalyticsEvent::Chart {
                connection,
                filters,
                chart,
            } => {
                let slot = self.slots.entry(chart.report).or_default();
                if slot.asked.as_ref() == Some(&(connection.clone(), filters.clone())) {
                    slot.chart = Some((**chart).clone());
                    slot.refused = None;
                    slot.waiting = false;
                }
            }
            AnalyticsEvent::Refused {
                report,
                filters,
                message,
            } => {
                let slot = self.slots.entry(*report).or_default();
                if slot.asked.as_ref().is_some_and(|(_, f)| f == filters) {
                    slot.refused = Some(message.clone());
                    slot.waiting = false;
                }
            }
            AnalyticsEvent::Exported { path, .. } => {
                self.saved = Some(format!("Saved the chart's data to {}", path.display()));
            }
        }
    }

    pub fn apply(&mut self, command: AnalyticsCommand, out: &mut Vec<Request>) {
        match command {
            AnalyticsCommand::Open(report) => {
                self.report = Some(report);
                self.saved = None;
                let fresh = self.slots.get(&report).is_some_and(|s| {
                    s.asked.as_ref().is_some_and(|(c, f)| {
                        Some(c) == self.connection.as_ref() && f == &self.filters
                    })
                });
                if !fresh {
                    self.refresh(out);
                }
            }
            AnalyticsCommand::Refresh => self.refresh(out),
            AnalyticsCommand::Export(path) => {
                self.export_prompt = None;
                if let Some(chart) = self.slots.get(&self.shown()).and_then(|s| s.chart.clone()) {
                    out.push(Request::Analytics(AnalyticsRequest::Export {
                        path,
                        chart: Box::new(chart),
                    }));
                }
            }
            AnalyticsCommand::TypeExportPath => {
                self.export_prompt = Some(PathPrompt::save("Save here", EXPORT_FILE_NAME));
            }
            AnalyticsCommand::CloseExportPath => self.export_prompt = None,
        }
    }

    fn refresh(&mut self, out: &mut Vec<Request>) {
        let Some(connection) = self.connection.clone() else {
            return;
        };
        let report = self.shown();
        let slot = self.slots.entry(report).or_default();
        slot.asked = Some((connection.clone(), self.filters.clone()));
        slot.waiting = true;
        out.push(Request::Analytics(AnalyticsRequest::Refresh {
            connection,
            report,
            filters: self.filters.clone(),
        }));
    }
}

pub fn show(ui: &mut Ui, state: &mut AnalyticsState, model: &Model, commands: &mut Commands) {
    widgets::page_header(
        ui,
        "Analytics",
        Some("Pipeline, leads and accounts from aggregate queries"),
    );
    let names: Vec<String> = model.connections.iter().map(|c| c.name.clone()).collect();
    if names.is_empty() {
        widgets::empty_state(
            ui,
            "No org connected",
            "Connect an org, or use the sandbox org, on the Connections page to chart its data.",
            |_| {},
        );
        return;
    }
    if state.connection.as_ref().is_none_or(|c| !names.contains(c)) {
        state.connection = names.first().cloned();
    }
    let report = state.shown();
    // A chart of another org (its connection gone or renamed) is asked for again.
    let other_org = state.slots.get(&report).is_some_and(|s| {
        s.asked
            .as_ref()
            .is_some_and(|(c, _)| Some(c) != state.connection.as_ref())
    });
    if state.report.is_none() || other_org {
        commands.push(Command::Analytics(AnalyticsCommand::Open(report)));
    }
    ui.horizontal_wrapped(|ui| {
        for tab in Report::ALL {
            if ui
                .selectable_label(tab == report, tab.short_name())
                .on_hover_text(tab.title())
                .clicked()
                && tab != report
            {
                commands.push(Command::Analytics(AnalyticsCommand::Open(tab)));
            }
        }
    });
    ui.add_space(GRID / 2.0);
    filter_bar(ui, state, &names, report, model, commands);
    if let Some(prompt) = &mut state.export_prompt
        && let Some(answer) = prompt.show(ui)
    {
        commands.push(Command::Analytics(match answer {
            PromptAnswer::Path(path) => AnalyticsCommand::Export(path),
            PromptAnswer::Cancel => AnalyticsCommand::CloseExportPath,
        }));
    }
    if let Some(message) = model.failures.get(&crate::desktop::Topic::Analytics) {
        widgets::failure_banner(ui, Some(message));
    }
    if let Some(saved) = &state.saved {
        ui.label(RichText::new(saved).weak());
    }
    ui.add_space(GRID / 2.0);
    let slot = state.slots.get(&report).cloned().unwrap_or_default();
    if let Some(message) = &slot.refused {
        widgets::failure_banner(ui, Some(message));
        return;
    }
    match &slot.chart {
        Some(chart) => plot::show(ui, chart, slot.waiting),
        None => {
            ui.label(RichText::new(format!("Computing {}…", report.title().to_lowercase())).weak());
        }
    }
}

fn filter_bar(
    ui: &mut Ui,
    state: &mut AnalyticsState,
    names: &[String],
    report: Report,
    model: &Model,
    commands: &mut Commands,
) {
    let mut submitted = false;
    ui.horizontal_wrapped(|ui| {
        if names.len() > 1 {
            let current = state.connection.clone().unwrap_or_default();
            egui::ComboBox::from_id_salt("analytics_connection")
                .selected_text(current.clone())
                .show_ui(ui, |ui| {
                    for name in names {
                        if ui.selectable_label(*name == current, name).clicked() {
                            state.connection = Some(name.clone());
                            submitted = true;
                        }
                    }
                });
        }
        let dates = if report.object() == "Opportunity" {
            "Close date"
        } else {
            "Created"
        };
        let mut field = |ui: &mut Ui, label: &str, text: &mut String, hint: &str, width: f32| {
            let name = ui.label(label);
            let response = ui.add(
                egui::TextEdit::singleline(text)
                    .hint_text(hint)
                    .desired_width(width),
            );
            let response = response.labelled_by(name.id);
            if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                submitted = true;
            }
        };
        field(
            ui,
            &format!("{dates} from"),
            &mut state.filters.from,
            "YYYY-MM-DD",
            DATE_WIDTH,
        );
        field(ui, "to", &mut state.filters.to, "YYYY-MM-DD", DATE_WIDTH);
        field(ui, "Owner", &mut state.filters.owner, "Anyone", 110.0);
        field(
            ui,
            "Record type",
            &mut state.filters.record_type,
            "Any",
            96.0,
        );
        if ui.button("Refresh").clicked() {
            submitted = true;
        }
        let has_chart = state.slots.get(&report).is_some_and(|s| s.chart.is_some());
        let dialog_open = model
            .dialogs
            .iter()
            .any(|d| d.page() == crate::ui::Page::Analytics);
        if ui
            .add_enabled(has_chart && !dialog_open, egui::Button::new("Export CSV"))
            .on_hover_text("Save this chart's data as a CSV file")
            .clicked()
        {
            commands.push(Command::AskFile(FileFor::ChartExport(
                report.title().to_string(),
            )));
        }
    });
    if submitted {
        commands.push(Command::Analytics(AnalyticsCommand::Refresh));
    }
}
