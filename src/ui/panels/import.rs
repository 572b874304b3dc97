//! The Import page: choose or drop a CSV, TSV or XLSX file and see how Tether reads it.

use std::path::PathBuf;
use std::sync::mpsc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::desktop::{Event, FilePreview, Request, Topic};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::theme::GRID;
use crate::ui::widgets;

/// Intents of the Import page.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportCommand {
    /// A CSV or XLSX file chosen or dropped on the window.
    Open(PathBuf),
    /// Opens the system's file dialog.
    ChooseFile,
    SelectSheet(String),
}

#[derive(Default)]
pub struct ImportState {
    pub file: Option<PathBuf>,
    pub preview: Option<FilePreview>,
    pub loading: bool,
    pub failure: Option<String>,
    /// The file dialog runs on its own thread; its answer arrives here.
    chosen: Option<mpsc::Receiver<Option<PathBuf>>>,
    /// To wake the window when the dialog answers.
    ctx: Option<egui::Context>,
}

impl ImportState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::FilePreview(preview) if Some(&preview.path) == self.file.as_ref() => {
                self.preview = Some((**preview).clone());
                self.loading = false;
                self.failure = None;
            }
            Event::Failed {
                topic: Topic::Import,
                message,
            } => {
                self.loading = false;
                self.failure = Some(message.clone());
            }
            _ => {}
        }
    }

    pub fn apply(&mut self, command: ImportCommand, out: &mut Vec<Request>) {
        match command {
            ImportCommand::Open(path) => {
                self.file = Some(path.clone());
                self.preview = None;
                self.failure = None;
                self.loading = true;
                out.push(Request::PreviewFile { path, sheet: None });
            }
            ImportCommand::SelectSheet(sheet) => {
                if let Some(path) = self.file.clone() {
                    self.loading = true;
                    out.push(Request::PreviewFile {
                        path,
                        sheet: Some(sheet),
                    });
                }
            }
            ImportCommand::ChooseFile => {
                if self.chosen.is_some() {
                    return;
                }
                let (tx, rx) = mpsc::channel();
                let ctx = self.ctx.clone();
                let spawned = std::thread::Builder::new()
                    .name("tether-file-dialog".into())
                    .spawn(move || {
                        let path = rfd::FileDialog::new()
                            .set_title("Choose a spreadsheet to import")
                            .add_filter("Spreadsheets", &["csv", "tsv", "txt", "xlsx"])
                            .pick_file();
                        let _ = tx.send(path);
                        if let Some(ctx) = ctx {
                            ctx.request_repaint();
                        }
                    });
                if spawned.is_ok() {
                    self.chosen = Some(rx);
                } else {
                    self.failure = Some(
                        "Tether could not open the file dialog. Drop the file on the window instead"
                            .to_string(),
                    );
                }
            }
        }
    }

    fn poll_dialog(&mut self, commands: &mut Commands) {
        let Some(rx) = &self.chosen else { return };
        match rx.try_recv() {
            Ok(path) => {
                self.chosen = None;
                if let Some(path) = path {
                    commands.push(Command::Import(ImportCommand::Open(path)));
                }
            }
            Err(mpsc::TryRecvError::Empty) => {}
            Err(mpsc::TryRecvError::Disconnected) => self.chosen = None,
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut ImportState, _model: &Model, commands: &mut Commands) {
    state.ctx = Some(ui.ctx().clone());
    state.poll_dialog(commands);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new("Import").heading().strong());
            ui.label(
                RichText::new("Bring spreadsheets into Salesforce: CSV, TSV or Excel (.xlsx), in any common encoding.")
                    .weak(),
            );
        });
        widgets::right_aligned(ui, |ui| {
            let busy = state.chosen.is_some();
            if widgets::primary_button(ui, "Choose a file…", !busy).clicked() {
                commands.push(Command::Import(ImportCommand::ChooseFile));
            }
        });
    });
    ui.add_space(GRID);
    widgets::failure_banner(ui, state.failure.as_ref());
    let Some(file) = &state.file else {
        widgets::empty_state(
            ui,
            "No file yet",
            "Drop a CSV or XLSX file on this window, or choose one. Tether shows how it reads the file before anything is sent.",
            |_| {},
        );
        return;
    };
    ui.label(RichText::new(file.display().to_string()).strong());
    if state.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Reading the file…").weak());
        });
        return;
    }
    let Some(preview) = &state.preview else {
        return;
    };
    ui.label(RichText::new(&preview.format).weak());
    if preview.sheets.len() > 1 {
        ui.horizontal(|ui| {
            let label = ui.label("Sheet");
            let current = preview.sheet.clone().unwrap_or_default();
            egui::ComboBox::from_id_salt("import_sheet")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for sheet in &preview.sheets {
                        if ui.selectable_label(sheet == &current, sheet).clicked()
                            && sheet != &current
                        {
                            commands
                                .push(Command::Import(ImportCommand::SelectSheet(sheet.clone())));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }
    ui.add_space(GRID);
    preview_table(ui, preview);
    ui.add_space(GRID);
    let shown = preview.rows.len();
    let more = if preview.more {
        " (the file has more)"
    } else {
        ""
    };
    ui.label(RichText::new(format!("The first {shown} rows{more}. Cells are shown as text, exactly as read; formulas are never run.")).small().weak());
}

fn preview_table(ui: &mut Ui, preview: &FilePreview) {
    let width = preview.headers.len().max(
        preview
            .rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0),
    );
    if width == 0 {
        ui.label(RichText::new("The file has no cells.").weak());
        return;
    }
    egui::ScrollArea::horizontal().show(ui, |ui| {
        let height = ui.available_height() - 3.0 * GRID;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(48.0))
            .columns(Column::auto().at_least(90.0).clip(true), width)
            .max_scroll_height(height)
            .header(24.0, |mut header| {
                header.col(|ui| {
                    ui.label(RichText::new("Row").strong());
                });
                for i in 0..width {
                    header.col(|ui| {
                        let name = preview.headers.get(i).map(String::as_str).unwrap_or("");
                        ui.label(RichText::new(name).strong());
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, preview.rows.len(), |mut row| {
                    let data = &preview.rows[row.index()];
                    row.col(|ui| {
                        ui.label(RichText::new(data.number.to_string()).weak());
                    });
                    for i in 0..width {
                        row.col(|ui| {
                            ui.label(data.cells.get(i).map(String::as_str).unwrap_or(""));
                        });
                    }
                });
            });
    });
}
