//! What a run changed, by side: Salesforce created/updated/deleted, local created/updated/
//! deleted/archived, then the records with their values before and after.

use egui::{RichText, Ui};

use super::MUTED;
use crate::desktop::{RunChanges, SideCounts};
use crate::ui::theme;

/// "Salesforce: 1 created · 2 updated · 0 deleted".
pub fn side_line(side: &str, counts: &SideCounts, archived: bool) -> String {
    let mut parts = vec![
        format!("{} created", counts.created),
        format!("{} updated", counts.updated),
        format!("{} deleted", counts.deleted),
    ];
    if archived {
        parts.push(format!("{} archived", counts.archived));
    }
    format!("{side}: {}", parts.join(" · "))
}

/// A value as a person reads it: text without quotes, an empty value as "empty", and "—"
/// where the side had no such value (a record created or deleted).
fn plain(value: Option<&serde_json::Value>) -> String {
    match value {
        None => "—".to_string(),
        Some(serde_json::Value::Null) => "empty".to_string(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "empty".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The most fields a record's lines show; a created record can have many.
const FIELDS_SHOWN: usize = 8;

/// "phone: 555-0100 → 555-0142", one line per changed field, before and after.
pub fn field_lines(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<String> {
    let fields = |v: Option<&serde_json::Value>| {
        v.and_then(|v| v.as_object())
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut names = fields(before);
    for name in fields(after) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut lines: Vec<String> = names
        .iter()
        .take(FIELDS_SHOWN)
        .map(|name| {
            format!(
                "{name}: {} → {}",
                plain(before.and_then(|v| v.get(name))),
                plain(after.and_then(|v| v.get(name)))
            )
        })
        .collect();
    if names.len() > FIELDS_SHOWN {
        lines.push(format!(
            "… and {}",
            crate::numbers::count((names.len() - FIELDS_SHOWN) as u64, "more field")
        ));
    }
    lines
}

pub(super) fn show(ui: &mut Ui, changes: &RunChanges) {
    ui.label(RichText::new("What changed").strong());
    ui.label(side_line("Salesforce", &changes.salesforce, false));
    ui.label(side_line("Local", &changes.local, true));
    if !changes.records.is_empty() {
        ui.label(
            RichText::new("Each field before → after")
                .small()
                .color(MUTED),
        );
    }
    for record in &changes.records {
        ui.add_space(theme::GRID / 2.0);
        ui.label(format!("{} {} {}", record.side, record.what, record.record));
        for line in field_lines(record.before.as_ref(), record.after.as_ref()) {
            ui.label(RichText::new(line).small().monospace().color(MUTED));
        }
    }
}
