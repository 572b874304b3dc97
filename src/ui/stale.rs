//! Counts the window keeps current from what other pages learn, so that no badge outlives
//! its cause.

use crate::desktop::{ConflictRow, LinkCard};

/// The open conflicts of each link, from the conflicts inbox's latest list.
pub fn count_conflicts(links: &mut [LinkCard], rows: &[ConflictRow]) {
    for card in links {
        card.open_conflicts = rows.iter().filter(|row| row.link == card.link.name).count() as u64;
    }
}
