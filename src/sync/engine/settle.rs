//! Settling: before a plan may write to Salesforce, decide a conflict or close one, the
//! record's Salesforce side must be what Salesforce holds now.
//!
//! A run reads what changed since its cursor. A record it did not read is first planned from
//! its base, which is enough to learn that nothing needs doing; every record whose plan does
//! something, that has an open conflict, or that a local row names without a base, is then read
//! by Id and planned again. New rows that upsert on an external id first look that id up, so an
//! upsert never lands blindly on a record the link cannot see.

use std::collections::{HashMap, HashSet};

use super::SyncError;
use super::remote::{self, RemoteRecord};
use super::units::{Unit, id15};
use super::values::Kind;
use crate::salesforce::Client;
use crate::sync::link::{Link, MatchKey};
use crate::workspace::journal::{self, RecordFailure};
use tokio_util::sync::CancellationToken;

/// Indices of the units whose Salesforce side must be read before their plan can stand.
pub(super) fn stale(units: &[Unit], open_conflicts: &HashSet<String>) -> Vec<usize> {
    units
        .iter()
        .enumerate()
        .filter(|(_, u)| !u.remote_fresh && !u.remote_deleted && u.sf_id.is_some())
        .filter(|(_, u)| u.local.as_ref().is_none_or(|row| row.readable))
        .filter(|(_, u)| {
            let id = u.sf_id.as_deref().map(id15).unwrap_or_default();
            !u.plan.is_noop()
                || open_conflicts.contains(&id)
                || (u.base.is_none() && u.remote.is_none())
        })
        .map(|(i, _)| i)
        .collect()
}

/// Reads the units at `indices` by Id and puts what Salesforce holds now in their place. A
/// record Salesforce deleted, or no longer has at all, becomes a deleted record.
pub(super) async fn reread(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    units: &mut [Unit],
    indices: &[usize],
    cancel: &CancellationToken,
) -> Result<(), SyncError> {
    if indices.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = indices
        .iter()
        .filter_map(|&i| units[i].sf_id.clone())
        .collect();
    let mut found: HashMap<String, RemoteRecord> = HashMap::new();
    let mut by_id = ids;
    // Reading the whole link costs a page per 2,000 records (or one Bulk job); by Id, a query
    // per few hundred. Many stale records are cheaper to read all at once.
    let link_pages = units.len().div_ceil(2_000);
    if link_pages < by_id.len().div_ceil(remote::IDS_PER_QUERY) {
        let wanted: HashSet<String> = by_id.iter().map(|id| id15(id)).collect();
        let all = remote::fetch_changes(client, link, kinds, None, cancel, &|_, _| {}).await?;
        found.extend(
            all.records
                .into_iter()
                .map(|r| (id15(&r.id), r))
                .filter(|(id, _)| wanted.contains(id)),
        );
        // Records outside the pull filter, and deleted ones, are not in a full read.
        by_id.retain(|id| !found.contains_key(&id15(id)));
    }
    found.extend(
        remote::fetch_by_ids(client, link, kinds, &by_id)
            .await?
            .into_iter()
            .map(|r| (id15(&r.id), r)),
    );
    for &i in indices {
        let unit = &mut units[i];
        let Some(id) = unit.sf_id.clone() else {
            continue;
        };
        unit.remote_fresh = true;
        match found.get(&id15(&id)) {
            Some(record) if !record.deleted => {
                unit.sf_id = Some(record.id.clone());
                unit.remote = Some(record.values.clone());
                unit.remote_modstamp = record.modstamp;
            }
            Some(record) => {
                unit.remote = None;
                unit.remote_modstamp = record.modstamp;
                unit.remote_deleted = unit.base.is_some();
            }
            None => {
                unit.remote = None;
                unit.remote_deleted = unit.base.is_some();
            }
        }
    }
    Ok(())
}

/// New rows of an external-id link that would be upserted: those whose key names an existing
/// record are joined to it (inside the pull filter) or refused (outside it); a row without a
/// key is left to wait for one. Returns what was found.
pub(super) async fn match_new_rows(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    units: &mut [Unit],
) -> Result<NewRows, SyncError> {
    let MatchKey::ExternalId { field, column } = &link.match_on else {
        return Ok(NewRows::default());
    };
    let candidates: Vec<usize> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.plan.create_remote.is_some() && u.sf_id.is_none() && u.base.is_none())
        .filter(|(_, u)| {
            u.local
                .as_ref()
                .is_some_and(|row| row.match_value.is_some())
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return Ok(NewRows::default());
    }
    let keys: Vec<String> = candidates
        .iter()
        .filter_map(|&i| units[i].local.as_ref()?.match_value.clone())
        .collect();
    let (found, inside) = remote::fetch_by_external_ids(client, link, kinds, field, &keys).await?;
    // External ids compare without regard to case, as Salesforce compares them.
    let by_key: HashMap<String, &RemoteRecord> = found
        .iter()
        .filter_map(|r| Some((super::local::match_text(link, &r.values)?.to_lowercase(), r)))
        .collect();
    let unit_of_id: HashMap<String, usize> = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| Some((id15(u.sf_id.as_deref()?), i)))
        .collect();
    let mut changed = Vec::new();
    let mut failures = Vec::new();
    let mut absorbed = Vec::new();
    let mut keyless = Vec::new();
    for i in candidates {
        let Some(row) = units[i].local.clone() else {
            continue;
        };
        let Some(key) = row.match_value.clone() else {
            continue;
        };
        let Some(record) = by_key.get(&key.to_lowercase()) else {
            continue;
        };
        if row.row_key().is_none() {
            // A row without a key is created where the link creates, and otherwise waits for
            // its key: it is never joined to a record it could not be written back from.
            units[i].plan = Default::default();
            keyless.push(i);
            continue;
        }
        let refuse = |code: &str, message: String, hint: String| RecordFailure {
            side: journal::Side::Salesforce,
            sf_id: Some(record.id.clone()),
            row_key: Some(row.key.clone()),
            code: code.into(),
            message,
            fields: vec![field.clone()],
            payload: None,
            hint,
        };
        if !inside.contains(&record.id) {
            failures.push(refuse(
                "OUTSIDE_PULL_FILTER",
                format!(
                    "row {} of `{}`: its {column} `{key}` names {} {}, which is outside the link's pull filter; nothing was sent",
                    row.key, link.table, link.object, record.id
                ),
                format!(
                    "Widen the link's pull filter to take {} in, or correct `{column}` in row {}.",
                    record.id, row.key
                ),
            ));
            units[i].plan = Default::default();
            continue;
        }
        match unit_of_id.get(&id15(&record.id)) {
            Some(&other) if units[other].local.is_some() => {
                let other_key = units[other]
                    .local
                    .as_ref()
                    .map(|r| r.key.clone())
                    .unwrap_or_default();
                failures.push(refuse(
                    "DUPLICATE_EXTERNAL_ID",
                    format!(
                        "row {} of `{}`: its {column} `{key}` names {} {}, which row {other_key} is already synced with; nothing was sent",
                        row.key, link.table, link.object, record.id
                    ),
                    format!(
                        "Give row {} its own `{column}`, or delete one of the two rows.",
                        row.key
                    ),
                ));
                units[i].plan = Default::default();
            }
            Some(&other) => {
                // The record's row was deleted and a new row took its external id. The base
                // was agreed with the old row: the new one is matched as on a first sync.
                let unit = &mut units[other];
                unit.base = None;
                unit.local = Some(row);
                unit.remote = Some(record.values.clone());
                unit.remote_modstamp = record.modstamp;
                unit.remote_fresh = true;
                unit.remote_deleted = false;
                changed.push(other);
                absorbed.push(i);
            }
            None => {
                let unit = &mut units[i];
                unit.sf_id = Some(record.id.clone());
                unit.remote = Some(record.values.clone());
                unit.remote_modstamp = record.modstamp;
                unit.remote_fresh = true;
                changed.push(i);
            }
        }
    }
    // Absorbed units are emptied rather than removed, so that indices stay valid.
    for i in absorbed {
        units[i].local = None;
        units[i].plan = Default::default();
    }
    Ok(NewRows {
        changed,
        refused: failures,
        keyless,
    })
}

/// What looking up new rows' external ids found.
#[derive(Default)]
pub(super) struct NewRows {
    /// Units joined to the record their key names: to plan again.
    pub(super) changed: Vec<usize>,
    pub(super) refused: Vec<RecordFailure>,
    /// Units of rows without a key whose key names a record: left out, not synced.
    pub(super) keyless: Vec<usize>,
}
