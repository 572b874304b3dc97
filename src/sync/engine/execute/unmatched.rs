//! Rows that `assemble` joins to no record: rows without a Salesforce Id of a link that
//! creates records for them, and rows without a key, which nothing may join by key.

use std::collections::HashSet;

use rusqlite::Connection;

use super::{Run, values_json};
use crate::sync::engine::SyncError;
use crate::sync::engine::local::{self, LocalRow, Locator};
use crate::sync::engine::units::{Unit, id15};
use crate::sync::link::{Link, MatchKey};
use crate::sync::plan::RecordPlan;
use crate::workspace::journal::{self, RecordFailure};

/// The rows a link matched on the Salesforce Id creates records for: those without an Id,
/// taken before `assemble` consumes the rows. Those it joins to no record become creates.
pub(super) fn waiting(link: &Link, rows: &[LocalRow]) -> Vec<LocalRow> {
    if link.match_on != MatchKey::SalesforceId || !link.create_unmatched {
        return Vec::new();
    }
    rows.iter().filter(|r| r.sf_id.is_none()).cloned().collect()
}

fn create_unit(row: LocalRow) -> Unit {
    Unit {
        sf_id: None,
        base: None,
        local: Some(row),
        remote: None,
        remote_modstamp: None,
        remote_deleted: false,
        remote_fresh: false,
        plan: RecordPlan::default(),
    }
}

impl Run<'_> {
    /// Adds a create for each waiting row `assemble` left alone, and for each row without a
    /// key that the link creates a record for; every other row without a key is counted and
    /// listed as not synced, and its record (if it has one) left as it is.
    pub(super) fn join_unmatched(
        &mut self,
        conn: &Connection,
        link: &Link,
        units: &mut Vec<Unit>,
        waiting: Vec<LocalRow>,
        keyless: Vec<LocalRow>,
    ) -> Result<(), SyncError> {
        let joined: HashSet<String> = units
            .iter()
            .filter_map(|u| u.local.as_ref()?.row_key().map(str::to_string))
            .collect();
        for row in waiting {
            if !joined.contains(&row.key) {
                units.push(create_unit(row));
            }
        }
        let mut matched: HashSet<String> = units
            .iter()
            .filter_map(|u| match (&u.local, &u.remote) {
                (Some(row), _) if row.match_value.is_some() => row.match_value.clone(),
                (_, Some(remote)) => local::match_text(link, remote),
                _ => None,
            })
            .collect();
        for row in keyless {
            if let Some(id) = &row.sf_id {
                // Its record is left as it is: neither written from a row that cannot be
                // written back to, nor taken for a record whose row was deleted.
                if let Some(unit) = units
                    .iter_mut()
                    .find(|u| u.local.is_none() && u.sf_id.as_deref().map(id15) == Some(id15(id)))
                {
                    unit.local = Some(LocalRow {
                        readable: false,
                        ..row.clone()
                    });
                }
                self.not_synced(conn, link, &row)?;
                continue;
            }
            // A record this row's external id names is the row's, waiting for its key: it is
            // neither pulled into a second row nor written from this one.
            if let Some(value) = &row.match_value
                && let Some(unit) = units.iter_mut().find(|u| {
                    u.local.is_none()
                        && u.remote
                            .as_ref()
                            .and_then(|r| local::match_text(link, r))
                            .is_some_and(|text| text.eq_ignore_ascii_case(value))
                })
            {
                unit.local = Some(LocalRow {
                    readable: false,
                    ..row.clone()
                });
                self.not_synced(conn, link, &row)?;
                continue;
            }
            let creates = matches!(row.locator, Locator::Rowid(_))
                && row.readable
                && row.pushable
                && match &link.match_on {
                    MatchKey::SalesforceId => link.create_unmatched,
                    // Upserted, unless its external id is another row's or record's.
                    MatchKey::ExternalId { .. } => row
                        .match_value
                        .as_ref()
                        .is_some_and(|value| matched.insert(value.clone())),
                };
            if creates {
                units.push(create_unit(row));
            } else {
                self.not_synced(conn, link, &row)?;
            }
        }
        Ok(())
    }

    /// Counts and lists a row left unsynced for want of a key: a notice, not a failure.
    pub(super) fn not_synced(
        &mut self,
        conn: &Connection,
        link: &Link,
        row: &LocalRow,
    ) -> Result<(), SyncError> {
        self.counts.keyless += 1;
        let linked = row
            .sf_id
            .as_ref()
            .map(|id| {
                format!(
                    " It is linked to {} {id}, which is left as it is.",
                    link.object
                )
            })
            .unwrap_or_default();
        let findable = match row.locator {
            Locator::Nowhere => format!(
                " `{}` is a WITHOUT ROWID table, so Tether cannot write to the row until it has a key.",
                link.table
            ),
            _ => String::new(),
        };
        journal::record_error(
            conn,
            self.run_id,
            &RecordFailure {
                side: journal::Side::Local,
                sf_id: row.sf_id.clone(),
                row_key: None,
                code: "NO_KEY".into(),
                message: format!(
                    "{} of `{}` has no value in `{}`, the column that names rows for this link, so it is not synced.{linked}{findable}",
                    row.named(),
                    link.table,
                    link.key
                ),
                fields: vec![link.key.clone()],
                payload: (!row.values.is_empty()).then(|| values_json(&row.values)),
                hint: format!(
                    "Give the row a value in `{}` (the payload shows its values), then sync again.",
                    link.key
                ),
            },
        )?;
        Ok(())
    }
}
