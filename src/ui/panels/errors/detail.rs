//! The side panel of one error: the code, the hint and what to do, the payload sent and the
//! response, and what can be done about it.

use egui::{RichText, Ui};
use serde_json::{Value, json};

use super::ErrorsCommand;
use crate::desktop::{ErrorRow, Request};
use crate::ui::command::{Command, Commands};
use crate::ui::panels::history::MUTED;
use crate::ui::{theme, widgets};

/// "Open · failed in 3 runs since 2026-12-01 10:00" or "Resolved by run #12 · failed in 1 run".
pub fn lifecycle_line(row: &ErrorRow) -> String {
    use crate::workspace::journal::ErrorStatus;
    let life = &row.lifecycle;
    let runs = match life.attempts {
        1 => "1 run".to_string(),
        n => format!("{n} runs"),
    };
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let seen = format!(
        "failed in {runs}, first {}, last {}",
        local(life.first_seen),
        local(life.last_seen)
    );
    match (life.status, life.resolved_run) {
        (ErrorStatus::Resolved, Some(run)) => format!("Resolved by run #{run} · {seen}"),
        (ErrorStatus::Resolved, None) => format!("Resolved · {seen}"),
        (ErrorStatus::Open, _) => format!("Open · {seen}"),
    }
}

pub(super) fn show(
    ui: &mut Ui,
    row: &ErrorRow,
    checked: usize,
    open_here: Option<Command>,
    commands: &mut Commands,
) {
    let e = &row.error;
    ui.horizontal(|ui| {
        ui.heading(RichText::new(&e.code).monospace());
        widgets::right_aligned(ui, |ui| {
            if ui.button("Close").on_hover_text("Esc").clicked() {
                commands.push(Command::Errors(ErrorsCommand::Close));
            }
        });
    });
    let id = e.row_key.as_deref().map_or_else(
        || e.sf_id.clone().unwrap_or_default(),
        crate::workspace::journal::row_name,
    );
    let record = match &row.name {
        Some(name) => format!("{name} ({})", e.sf_id.as_deref().unwrap_or(&id)),
        None => id,
    };
    ui.label(
        RichText::new(format!(
            "{} · {} · {record} · run #{}",
            row.link, row.object, e.run_id
        ))
        .color(MUTED),
    );
    ui.label(RichText::new(lifecycle_line(row)).color(MUTED));
    ui.add_space(theme::GRID);
    ui.horizontal_wrapped(|ui| {
        let open = ui
            .add_enabled(
                row.record_url.is_some(),
                egui::Button::new("Open in Salesforce"),
            )
            .on_disabled_hover_text(
                "This record has no Salesforce Id yet, or its org is not connected",
            );
        if open.clicked()
            && let Some(url) = &row.record_url
        {
            commands.send(Request::OpenUrl { url: url.clone() });
        }
        if let Some(command) = open_here
            && ui
                .button("Open record")
                .on_hover_text("Open the record on the Records page")
                .clicked()
        {
            commands.push(command);
        }
        let retry = if checked > 0 {
            format!("Retry {checked} selected")
        } else {
            "Retry".to_string()
        };
        if ui.button(retry).clicked() {
            commands.push(Command::Errors(ErrorsCommand::Retry));
        }
        if ui.button("Copy as JSON").clicked() {
            ui.ctx().copy_text(as_json(row));
        }
    });
    ui.add_space(theme::GRID);
    egui::ScrollArea::vertical()
        .id_salt("error_detail_scroll")
        .show(ui, |ui| {
            // A row the import's offline check refused was never sent: say so, in its words.
            let checked = e.code == CHECKED;
            if checked {
                ui.label(RichText::new("What the check found").strong());
                ui.label(plain(&format!("The check found: {}", e.message)));
            } else {
                ui.label(RichText::new("What happened").strong());
                ui.label(plain(&e.message));
            }
            ui.add_space(theme::GRID);
            ui.label(RichText::new("What to do").strong());
            let hint = if e.hint.trim().is_empty() {
                crate::sync::hints::hint(&e.code, &e.fields, &e.message)
            } else {
                e.hint.clone()
            };
            ui.label(plain(&hint));
            ui.add_space(theme::GRID);
            if checked {
                if let Some(row) = &e.payload {
                    code_block(ui, "Row as read (checked, not sent)", row);
                }
                return;
            }
            match &e.payload {
                Some(payload) => code_block(ui, "Payload sent", payload),
                None => {
                    ui.label(RichText::new("Payload sent").strong());
                    ui.label(
                        RichText::new("Nothing was sent: the record failed before it was.")
                            .color(MUTED),
                    );
                }
            }
            ui.add_space(theme::GRID);
            code_block(ui, "Salesforce response", &row.response);
        });
}

/// The code of a row the import's offline check refused before anything was sent.
const CHECKED: &str = "INVALID_ROW";

/// Messages and hints name fields and commands in backticks, as the CLI prints them; the
/// window shows them without.
pub(super) fn plain(text: &str) -> String {
    crate::ui::code_words::plain(text)
}

/// JSON in a monospace, selectable block.
fn code_block(ui: &mut Ui, name: &str, value: &Value) {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    let label = ui.label(RichText::new(name).strong());
    ui.add(
        egui::TextEdit::multiline(&mut text)
            .code_editor()
            .interactive(true)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
}

/// The error as one JSON object, for pasting into a support ticket.
pub fn as_json(row: &ErrorRow) -> String {
    let e = &row.error;
    let value = json!({
        "id": e.id,
        "run": e.run_id,
        "link": row.link,
        "object": row.object,
        "side": e.side,
        "salesforce_id": e.sf_id,
        "row_key": e.row_key,
        "code": e.code,
        "message": e.message,
        "fields": e.fields,
        "payload": e.payload,
        "response": row.response,
        "hint": e.hint,
        "at": e.at,
        "record_url": row.record_url,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
