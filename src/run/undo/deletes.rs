//! Deleting what a run created. Only the records Salesforce still holds are sent, so that the
//! count says what this undo deleted: an earlier attempt (or someone else) removed the rest.
//! A delete sent again after its answer was lost finds its records already gone, and those
//! count as deleted, since they were there when the undo began.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::{RunError, count};
use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client, CollectionOptions, SaveResult};
use crate::workspace::images::RemoteImage;
use crate::workspace::journal::RunCounts;

/// Deletes the records of `created`, counting them in `counts`; returns how many were gone
/// before the undo began (processed, neither deleted nor failed).
pub(super) async fn delete_created(
    conn: &Connection,
    undo: i64,
    client: &Client,
    created: &[&RemoteImage],
    counts: &mut RunCounts,
) -> Result<u64, RunError> {
    let mut objects: Vec<&str> = Vec::new();
    for image in created {
        if !objects.contains(&image.object.as_str()) {
            objects.push(&image.object);
        }
    }
    let mut already_gone = 0;
    for object in objects {
        let of_object: Vec<&RemoteImage> = created
            .iter()
            .copied()
            .filter(|i| i.object == object)
            .collect();
        let there = existing_ids(client, object, &of_object).await?;
        let (to_delete, gone): (Vec<&RemoteImage>, Vec<&RemoteImage>) =
            of_object.into_iter().partition(|i| {
                i.sf_id
                    .as_deref()
                    .is_some_and(|id| there.contains(id15(id)))
            });
        counts.processed += gone.len() as u64;
        already_gone += gone.len() as u64;
        let ids: Vec<String> = to_delete.iter().filter_map(|i| i.sf_id.clone()).collect();
        if ids.is_empty() {
            continue;
        }
        let results = client
            .delete_many(&ids, CollectionOptions::default())
            .await?;
        for (image, result) in to_delete.iter().zip(&results) {
            let gone = result
                .errors
                .iter()
                .any(|e| e.status_code == "ENTITY_IS_DELETED");
            let result = if gone {
                SaveResult {
                    success: true,
                    id: result.id.clone(),
                    created: None,
                    errors: Vec::new(),
                }
            } else {
                result.clone()
            };
            count(conn, undo, image, &result, counts, |c| c.deleted += 1)?;
        }
    }
    Ok(already_gone)
}

/// What the undo says of records gone before it began.
pub(crate) fn gone_note(already_gone: u64) -> Option<String> {
    (already_gone > 0).then(|| {
        format!(
            "{already_gone} record(s) were already deleted (by an earlier undo, or in Salesforce) and are not counted as deleted by this one"
        )
    })
}

fn id15(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

/// Which of the records of `images` Salesforce still holds, by 15-character Id.
async fn existing_ids(
    client: &Client,
    object: &str,
    images: &[&RemoteImage],
) -> Result<HashSet<String>, RunError> {
    let ids: Vec<&str> = images.iter().filter_map(|i| i.sf_id.as_deref()).collect();
    let mut there = HashSet::new();
    for list in soql_text::in_lists("Id", &ids, IN_LIST_BYTES) {
        let soql = format!("SELECT Id FROM {object} WHERE {list}");
        let pages: Vec<_> = client
            .query::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
            .try_collect()
            .await?;
        for record in pages.into_iter().flat_map(|p| p.records) {
            if let Some(id) = record.get("Id").and_then(Value::as_str) {
                there.insert(id15(id).to_string());
            }
        }
    }
    Ok(there)
}
