//! What a card says while its link syncs: never "Never synced" under a running bar.

use chrono::{DateTime, Utc};

use crate::desktop::LinkCard;
use crate::ui::relative_time;

/// "Syncing… · last sync 3 min ago", or "Syncing… · first sync".
pub fn line(card: &LinkCard, now: DateTime<Utc>) -> String {
    match &card.last_run {
        None => "Syncing… · first sync".to_string(),
        Some(run) => {
            let ago = (now - run.started_at).to_std().unwrap_or_default();
            format!("Syncing… · last sync {}", relative_time(ago))
        }
    }
}
