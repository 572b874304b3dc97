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

fn compact(value: Option<&serde_json::Value>) -> String {
    value.map_or_else(|| "—".to_string(), |v| v.to_string())
}

pub(super) fn show(ui: &mut Ui, changes: &RunChanges) {
    ui.label(RichText::new("What changed").strong());
    ui.label(side_line("Salesforce", &changes.salesforce, false));
    ui.label(side_line("Local", &changes.local, true));
    for record in &changes.records {
        ui.add_space(theme::GRID / 2.0);
        ui.label(format!("{} {} {}", record.side, record.what, record.record));
        ui.label(
            RichText::new(format!(
                "before {} → after {}",
                compact(record.before.as_ref()),
                compact(record.after.as_ref())
            ))
            .small()
            .monospace()
            .color(MUTED),
        );
    }
}
