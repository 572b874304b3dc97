//! The mass-delete guard: a run whose plan deletes more on one side than a person would expect
//! stops before it writes anything, so that an emptied table or a wrong filter never empties
//! the other side unasked.

use std::fmt;

use super::units::Unit;
use crate::sync::link::Link;

/// Deletes up to this many on one side never stop a run, however small the link.
pub const FLOOR: usize = 20;
/// How many of the records a stopped run names; the rest are counted.
const NAMED: usize = 10;

/// True when `deletes` on one side exceed max(20, 10 % of `records`).
pub fn exceeds(deletes: usize, records: usize) -> bool {
    // In whole numbers, so that 10 % of 205 records allows 20.5, not 20 or 21.
    deletes > FLOOR && deletes * 10 > records
}

/// What a stopped run would have deleted on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassDelete {
    /// The link's records: every record a run has synced before (each has a base).
    pub records: usize,
    /// Keys of the local rows the run would delete.
    pub local: Vec<String>,
    /// Ids of the Salesforce records the run would delete.
    pub remote: Vec<String>,
    pub table: String,
    pub object: String,
}

impl MassDelete {
    /// The deletes the units' plans hold, when either side's exceed the guard for a link of
    /// `records` records.
    pub(super) fn check(units: &[Unit], records: usize, link: &Link) -> Option<MassDelete> {
        let (table, object) = (&link.table, &link.object);
        // Sorted, so that the records a stopped run names are the same from run to run.
        let mut local: Vec<String> = units
            .iter()
            .filter(|u| u.plan.delete_local)
            .filter_map(|u| u.local.as_ref().map(|row| row.key.clone()))
            .collect();
        let mut remote: Vec<String> = units
            .iter()
            .filter(|u| u.plan.delete_remote)
            .filter_map(|u| u.sf_id.clone())
            .collect();
        local.sort();
        remote.sort();
        (exceeds(local.len(), records) || exceeds(remote.len(), records)).then(|| MassDelete {
            records,
            local,
            remote,
            table: table.to_string(),
            object: object.to_string(),
        })
    }
}

fn named(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > NAMED {
        text.push_str(&format!(" and {} more", items.len() - NAMED));
    }
    text
}

impl fmt::Display for MassDelete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sides = Vec::new();
        if !self.remote.is_empty() {
            sides.push(format!(
                "{} {} record(s) in Salesforce ({})",
                self.remote.len(),
                self.object,
                named(&self.remote)
            ));
        }
        if !self.local.is_empty() {
            sides.push(format!(
                "{} row(s) of `{}` ({})",
                self.local.len(),
                self.table,
                named(&self.local)
            ));
        }
        write!(
            f,
            "this run would delete {}, more than the guard allows (over {FLOOR} and over 10 % of the link's {} records); nothing was written. Check why they are gone, then sync again allowing the deletes to delete them",
            sides.join(" and "),
            self.records
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_allows_twenty_deletes_or_ten_percent_whichever_is_more() {
        // Small links: the floor of 20 decides.
        assert!(!exceeds(20, 30));
        assert!(exceeds(21, 30));
        assert!(!exceeds(20, 0));
        // Large links: 10 % decides.
        assert!(!exceeds(100, 1000));
        assert!(exceeds(101, 1000));
        assert!(!exceeds(21, 210));
        assert!(exceeds(21, 209));
        // Nothing to delete never stops a run.
        assert!(!exceeds(0, 0));
    }

    #[test]
    fn a_stopped_run_names_ten_records_and_counts_the_rest() {
        let guard = MassDelete {
            records: 30,
            local: Vec::new(),
            remote: (1..=25).map(|n| format!("001{n:012}")).collect(),
            table: "contacts".into(),
            object: "Contact".into(),
        };
        let text = guard.to_string();
        assert!(
            text.contains("25 Contact record(s) in Salesforce"),
            "{text}"
        );
        assert!(text.contains("001000000000010 and 15 more"), "{text}");
        assert!(!text.contains("001000000000011"), "{text}");
        assert!(text.contains("30 records"), "{text}");
    }
}
