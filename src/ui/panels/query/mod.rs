//! The SOQL explorer: an editor with completion from describe, results in a table, the
//! query's plan and export to CSV or XLSX.

mod editor;
mod library;
mod results;

use std::collections::HashSet;
use std::path::PathBuf;

use egui::Ui;

use crate::desktop::{Event, QueryEvent, QueryRequest, Request};
use crate::explore::complete::Schema;
use crate::explore::syntax::{Marked, locate};
use crate::explore::table::Cell;
use crate::salesforce::QueryPlans;
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::FileFor;
use crate::ui::model::Model;
use crate::ui::widgets;
use crate::workspace::queries::{HistoryEntry, SavedQuery};

/// Rows shown per page of the results table.
pub const PAGE_ROWS: usize = 500;

/// Intents of the SOQL explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryCommand {
    /// Runs the editor's statement on `connection`.
    Run {
        connection: String,
    },
    /// Asks the org for the statement's plan.
    Explain {
        connection: String,
    },
    /// Writes the last run statement's result to `path` (its extension picks the format).
    ExportTo(PathBuf),
    /// No file dialog could open: the path is typed instead.
    NoDialog,
    Page(usize),
    /// Puts a saved or earlier statement in the editor.
    Load(String),
}

/// The org's refusal of a statement, placed in it when the message says where.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub soql: String,
    pub code: String,
    pub message: String,
    pub marked: Option<Marked>,
}

#[derive(Default)]
pub struct QueryState {
    pub soql: String,
    pub(crate) editor: editor::Editor,
    /// What completion knows, for `schema_of`'s connection.
    pub schema: Schema,
    schema_of: Option<String>,
    asked: HashSet<String>,
    /// The statement of the last run, and its connection (what Export writes).
    last_run: Option<(String, String)>,
    run: u64,
    pub running: bool,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub records: u64,
    pub total: u64,
    pub page: usize,
    pub refusal: Option<Refusal>,
    pub plans: Option<QueryPlans>,
    pub exported: Option<(PathBuf, usize)>,
    exporting: bool,
    typed_path: Option<String>,
    pub history: Vec<HistoryEntry>,
    pub saved: Vec<SavedQuery>,
    save_name: String,
}

impl QueryState {
    pub fn on_event(&mut self, event: &Event) {
        let Event::Query(event) = event else {
            return;
        };
        match event {
            QueryEvent::Objects {
                connection,
                objects,
            } if self.schema_of.as_deref() == Some(connection) => {
                self.schema.objects = objects.clone();
            }
            QueryEvent::Described { connection, info }
                if self.schema_of.as_deref() == Some(connection) =>
            {
                self.schema.insert(info.clone());
            }
            QueryEvent::Objects { .. } | QueryEvent::Described { .. } => {}
            QueryEvent::Columns { run, headers } if *run == self.run => {
                self.headers = headers.clone();
            }
            QueryEvent::Rows {
                run,
                rows,
                records,
                total,
            } if *run == self.run => {
                self.rows.extend(rows.iter().cloned());
                self.records = *records;
                self.total = *total;
            }
            QueryEvent::Done {
                run,
                records,
                total,
            } if *run == self.run => {
                self.running = false;
                self.records = *records;
                self.total = *total;
            }
            QueryEvent::Columns { .. } | QueryEvent::Rows { .. } | QueryEvent::Done { .. } => {}
            QueryEvent::Refused {
                run,
                soql,
                code,
                message,
            } => {
                if run.is_some_and(|r| r != self.run) {
                    return;
                }
                if run.is_some() {
                    self.running = false;
                }
                self.exporting = false;
                self.refusal = Some(Refusal {
                    soql: soql.clone(),
                    code: code.clone(),
                    message: message.clone(),
                    marked: locate(soql, message),
                });
            }
            QueryEvent::Plans { plans, .. } => self.plans = Some(plans.clone()),
            QueryEvent::Exported { path, rows } => {
                self.exporting = false;
                self.exported = Some((path.clone(), *rows));
            }
            QueryEvent::Library { history, saved } => {
                self.history = history.clone();
                self.saved = saved.clone();
            }
        }
    }

    pub fn apply(&mut self, command: QueryCommand, out: &mut Vec<Request>) {
        match command {
            QueryCommand::Run { connection } => {
                let soql = self.soql.trim().to_string();
                if soql.is_empty() {
                    return;
                }
                self.run += 1;
                self.running = true;
                self.headers.clear();
                self.rows.clear();
                self.records = 0;
                self.total = 0;
                self.page = 0;
                self.refusal = None;
                self.plans = None;
                self.exported = None;
                self.last_run = Some((connection.clone(), soql.clone()));
                out.push(Request::Query(QueryRequest::Run {
                    connection,
                    soql,
                    run: self.run,
                }));
            }
            QueryCommand::Explain { connection } => {
                let soql = self.soql.trim().to_string();
                if soql.is_empty() {
                    return;
                }
                self.refusal = None;
                out.push(Request::Query(QueryRequest::Explain { connection, soql }));
            }
            QueryCommand::ExportTo(path) => {
                self.typed_path = None;
                if let Some((connection, soql)) = self.last_run.clone() {
                    self.exporting = true;
                    self.exported = None;
                    out.push(Request::Query(QueryRequest::Export {
                        connection,
                        soql,
                        path,
                    }));
                }
            }
            QueryCommand::NoDialog => self.typed_path = Some(String::new()),
            QueryCommand::Page(page) => self.page = page,
            QueryCommand::Load(soql) => {
                self.soql = soql;
                self.refusal = None;
            }
        }
    }

    /// Completion follows the connection shown; another connection's describes are dropped.
    fn follow(&mut self, connection: &str, commands: &mut Commands) {
        if self.schema_of.as_deref() == Some(connection) {
            return;
        }
        self.schema = Schema::default();
        self.asked.clear();
        self.schema_of = Some(connection.to_string());
        commands.send(Request::Query(QueryRequest::Objects {
            connection: connection.to_string(),
        }));
        commands.send(Request::Query(QueryRequest::Library));
    }

    fn ask_describe(&mut self, object: &str, commands: &mut Commands) {
        let Some(connection) = self.schema_of.clone() else {
            return;
        };
        if self.asked.insert(object.to_ascii_lowercase()) {
            commands.send(Request::Query(QueryRequest::Describe {
                connection,
                object: object.to_string(),
            }));
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut QueryState, model: &Model, commands: &mut Commands) {
    widgets::page_header(
        ui,
        "SOQL",
        Some("Write a query with completion from the org's describe, run it, export it."),
    );
    let Some(connection) = model.current_connection().map(|c| c.name.clone()) else {
        widgets::empty_state(
            ui,
            "No connection yet",
            "Connect an org (or try the sandbox org) to query it.",
            |_| {},
        );
        return;
    };
    state.follow(&connection, commands);
    widgets::failure_banner(ui, model.failures.get(&crate::desktop::Topic::Query));
    let run = editor::show(ui, state, commands);
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let idle = !state.running && !state.soql.trim().is_empty();
        if widgets::primary_button(ui, "Run", idle).clicked() || (run && idle) {
            commands.push(Command::Query(QueryCommand::Run {
                connection: connection.clone(),
            }));
        }
        if ui
            .add_enabled(idle, egui::Button::new("Explain"))
            .on_hover_text("The org's query plan: how it would read the rows, and the cost")
            .clicked()
        {
            commands.push(Command::Query(QueryCommand::Explain {
                connection: connection.clone(),
            }));
        }
        let can_export = state.last_run.is_some() && !state.running && !state.exporting;
        if ui
            .add_enabled(can_export, egui::Button::new("Export…"))
            .on_hover_text("Write the result to a CSV or XLSX file")
            .clicked()
        {
            commands.push(Command::AskFile(FileFor::QueryExport));
        }
        ui.weak("Ctrl+Enter runs");
    });
    if let Some(typed) = state.typed_path.as_mut() {
        ui.horizontal(|ui| {
            ui.label("Save as");
            ui.add(egui::TextEdit::singleline(typed).hint_text("result.xlsx or result.csv"));
            if ui.button("Export").clicked() && !typed.trim().is_empty() {
                commands.push(Command::Query(QueryCommand::ExportTo(PathBuf::from(
                    typed.trim(),
                ))));
            }
        });
    }
    ui.add_space(4.0);
    library::show(ui, state, commands);
    results::show(ui, state, commands);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_run_ignores_the_answers_of_the_one_before() {
        let mut state = QueryState {
            soql: "SELECT Name FROM Account".into(),
            ..Default::default()
        };
        let mut out = Vec::new();
        let run = |state: &mut QueryState, out: &mut Vec<Request>| {
            state.apply(
                QueryCommand::Run {
                    connection: "org".into(),
                },
                out,
            );
            state.run
        };
        let first = run(&mut state, &mut out);
        let second = run(&mut state, &mut out);
        assert_eq!(out.len(), 2);
        let rows = |run: u64, name: &str| {
            Event::Query(QueryEvent::Rows {
                run,
                rows: vec![vec![Cell::Text(name.into())]],
                records: 1,
                total: 1,
            })
        };
        state.on_event(&rows(first, "stale"));
        state.on_event(&rows(second, "fresh"));
        state.on_event(&Event::Query(QueryEvent::Done {
            run: first,
            records: 9,
            total: 9,
        }));
        assert!(state.running, "the first run's end does not end the second");
        assert_eq!(state.rows, vec![vec![Cell::Text("fresh".into())]]);
        state.on_event(&Event::Query(QueryEvent::Refused {
            run: Some(second),
            soql: "SELECT Name FROM Account".into(),
            code: "MALFORMED_QUERY".into(),
            message: "\nSELECT Name FROM Account\n            ^\nERROR at Row:1:Column:13\nunexpected token: FROM".into(),
        }));
        assert!(!state.running);
        let marked = state.refusal.and_then(|r| r.marked).expect("placed");
        assert_eq!(&"SELECT Name FROM Account"[marked.span], "FROM");
    }
}
