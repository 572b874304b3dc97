//! Saved queries and the history of runs, beside the editor: a click puts a statement back
//! in the editor; the current statement is saved under a name.

use egui::Ui;

use super::{QueryCommand, QueryState};
use crate::desktop::{QueryRequest, Request};
use crate::ui::command::{Command, Commands};
use crate::ui::theme;

pub fn show(ui: &mut Ui, state: &mut QueryState, commands: &mut Commands) {
    egui::CollapsingHeader::new(format!(
        "Saved queries ({}) and history ({})",
        state.saved.len(),
        state.history.len()
    ))
    .id_salt("query-library")
    .show(ui, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("Save as");
            ui.add(
                egui::TextEdit::singleline(&mut state.save_name)
                    .hint_text("name")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            let can = !state.save_name.trim().is_empty() && !state.soql.trim().is_empty();
            if ui
                .add_enabled(can, egui::Button::new("Save query"))
                .clicked()
            {
                commands.send(Request::Query(QueryRequest::Save {
                    name: state.save_name.trim().to_string(),
                    soql: state.soql.trim().to_string(),
                }));
                state.save_name.clear();
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("query-library-list")
            .max_height(180.0)
            .show(ui, |ui| {
                for saved in &state.saved {
                    ui.horizontal(|ui| {
                        if ui
                            .button(format!("★ {}", saved.name))
                            .on_hover_text(&saved.soql)
                            .clicked()
                        {
                            commands.push(Command::Query(QueryCommand::Load(saved.soql.clone())));
                        }
                        if ui
                            .small_button("✖")
                            .on_hover_text(format!("Forget the saved query {}", saved.name))
                            .clicked()
                        {
                            commands.send(Request::Query(QueryRequest::DeleteSaved {
                                name: saved.name.clone(),
                            }));
                        }
                    });
                }
                for entry in &state.history {
                    ui.horizontal(|ui| {
                        let outcome = match (&entry.error, entry.records) {
                            (Some(code), _) => (theme::DANGER, code.clone()),
                            (None, Some(n)) => {
                                (ui.visuals().weak_text_color(), format!("{n} records"))
                            }
                            (None, None) => (ui.visuals().weak_text_color(), String::new()),
                        };
                        let line: String =
                            entry.soql.split_whitespace().collect::<Vec<_>>().join(" ");
                        if ui
                            .link(truncated(&line, 90))
                            .on_hover_text(format!("{} on {}", entry.ran_at, entry.connection))
                            .clicked()
                        {
                            commands.push(Command::Query(QueryCommand::Load(entry.soql.clone())));
                        }
                        ui.colored_label(outcome.0, outcome.1);
                    });
                }
            });
    });
}

fn truncated(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
