//! Writing to Salesforce: Collections (200 records a call, several calls at once) or a Bulk
//! API 2.0 ingest job above the link's threshold. Bulk results are joined back to rows by
//! key (Id or external id), never by position. Plain creates have no key Bulk could give
//! back, so they never go by Bulk ([`super::write_cost`] leaves it out for them): Collections
//! and Composite answer in the order they were asked.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use serde_json::{Map, Value};

use super::RunError;
use crate::salesforce::{
    BulkOperation, Client, CollectionOptions, IngestResults, JobInfo, JobKind, RecordError,
    SaveResult,
};
use crate::sync::engine::values::to_csv_cell;
use crate::sync::plan::Values;

/// One record to write.
#[derive(Debug, Clone, PartialEq)]
pub struct PushItem {
    /// Index of the record in the run's plan, carried through to the outcome.
    pub unit: usize,
    pub op: PushOp,
    /// Flat field names; `Account.X__c` is a parent reference by external id.
    pub fields: Values,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PushOp {
    /// Upsert on the external-id field with this value: creates or finds the record.
    Upsert {
        field: String,
        value: String,
    },
    /// A new record, for a row of a link matched on the Salesforce Id (`create_unmatched`).
    /// Its intent is journaled before it is sent, so that a lost answer is looked for rather
    /// than sent again.
    Create,
    Update {
        id: String,
    },
    Delete {
        id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Written { id: String, created: bool },
    Failed(RecordError),
}

/// Which API wrote the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritePath {
    Collections,
    /// Composite requests of five Collections subrequests: 1,000 records a call.
    Composite,
    Bulk,
}

impl WritePath {
    /// The path for `records` writes, `bulk_above` being the link's `bulk_push_above`: Bulk
    /// above it (a handful of calls whatever the count), Collections for one call's worth
    /// (200), and Composite in between, which writes five Collections calls' records in one
    /// call and one round trip.
    pub fn for_push(records: u64, bulk_above: u64) -> WritePath {
        if records > bulk_above {
            WritePath::Bulk
        } else if records > crate::salesforce::COLLECTION_CHUNK as u64 {
            WritePath::Composite
        } else {
            WritePath::Collections
        }
    }

    /// The fewest calls this path writes `records` of one kind in.
    pub fn calls_for(self, records: u64) -> u64 {
        match self {
            WritePath::Collections => records.div_ceil(crate::salesforce::COLLECTION_CHUNK as u64),
            WritePath::Composite => {
                records.div_ceil(super::composite_push::RECORDS_PER_CALL as u64)
            }
            WritePath::Bulk if records == 0 => 0,
            WritePath::Bulk => 5,
        }
    }
}

/// The JSON body of one record: parent references nested, as the REST API wants them.
pub fn record_body(fields: &Values) -> Map<String, Value> {
    let mut body = Map::new();
    for (name, value) in fields {
        match name.split_once('.') {
            Some((relationship, key)) => {
                if value.is_null() {
                    continue;
                }
                let parent = body
                    .entry(relationship.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(parent) = parent {
                    parent.insert(key.to_string(), value.clone());
                }
            }
            None => {
                body.insert(name.clone(), value.clone());
            }
        }
    }
    body
}

pub fn outcome(result: SaveResult, fallback_id: Option<&str>) -> Outcome {
    if result.success {
        Outcome::Written {
            id: result
                .id
                .or_else(|| fallback_id.map(str::to_string))
                .unwrap_or_default(),
            created: result.created.unwrap_or(false),
        }
    } else {
        Outcome::Failed(result.errors.into_iter().next().unwrap_or(RecordError {
            status_code: "UNKNOWN_ERROR".into(),
            message: "Salesforce refused the record without saying why".into(),
            fields: Vec::new(),
        }))
    }
}

/// Writes one group of items through Collections. Outcomes come back in item order, which is
/// how the Collections API answers; updates are checked against their Id as well.
pub async fn through_collections(
    client: &Client,
    object: &str,
    items: &[PushItem],
) -> Result<Vec<(usize, Outcome)>, RunError> {
    let options = CollectionOptions {
        all_or_none: false,
        concurrency: 5,
    };
    let mut out = Vec::with_capacity(items.len());
    let mut upserts: HashMap<&str, Vec<&PushItem>> = HashMap::new();
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut deletes = Vec::new();
    for item in items {
        match &item.op {
            PushOp::Upsert { field, .. } => upserts.entry(field.as_str()).or_default().push(item),
            PushOp::Create => creates.push(item),
            PushOp::Update { .. } => updates.push(item),
            PushOp::Delete { .. } => deletes.push(item),
        }
    }
    if !creates.is_empty() {
        let bodies: Vec<Map<String, Value>> = creates.iter().map(|item| body_of(item)).collect();
        let results = client.create_many(object, &bodies, options).await?;
        out.extend(creates.iter().zip(results).map(|(i, r)| interpret(i, r)));
    }
    for (field, group) in upserts {
        let bodies: Vec<Map<String, Value>> = group.iter().map(|item| body_of(item)).collect();
        let results = client.upsert_many(object, field, &bodies, options).await?;
        out.extend(group.iter().zip(results).map(|(i, r)| interpret(i, r)));
    }
    if !updates.is_empty() {
        let bodies: Vec<Map<String, Value>> = updates.iter().map(|item| body_of(item)).collect();
        let results = client.update_many(object, &bodies, options).await?;
        out.extend(updates.iter().zip(results).map(|(i, r)| interpret(i, r)));
    }
    if !deletes.is_empty() {
        let ids: Vec<String> = deletes
            .iter()
            .filter_map(|item| match &item.op {
                PushOp::Delete { id } => Some(id.clone()),
                _ => None,
            })
            .collect();
        let results = client.delete_many(&ids, options).await?;
        out.extend(deletes.iter().zip(results).map(|(i, r)| interpret(i, r)));
    }
    Ok(out)
}

/// The record body a Collections or Composite write sends for `item`: its fields, with the
/// external id of an upsert and the Id of an update.
pub(crate) fn body_of(item: &PushItem) -> Map<String, Value> {
    let mut body = record_body(&item.fields);
    match &item.op {
        PushOp::Upsert { field, value } => {
            body.insert(field.clone(), Value::String(value.clone()));
        }
        PushOp::Update { id } => {
            body.insert("Id".into(), Value::String(id.clone()));
        }
        PushOp::Create | PushOp::Delete { .. } => {}
    }
    body
}

/// What one answer of a Collections write means for its item: a create is created, an
/// update must answer for its own Id, and a delete of a record already gone did its job.
pub(crate) fn interpret(item: &PushItem, result: SaveResult) -> (usize, Outcome) {
    let outcome = match &item.op {
        PushOp::Create => outcome(
            SaveResult {
                created: Some(true),
                ..result
            },
            None,
        ),
        PushOp::Upsert { .. } => outcome(result, None),
        PushOp::Update { id } => {
            let result = match &result.id {
                Some(answered) if result.success && !same_id(answered, id) => SaveResult {
                    success: false,
                    id: None,
                    created: None,
                    errors: vec![RecordError {
                        status_code: "MISMATCHED_RESULT".into(),
                        message: format!("Salesforce answered for {answered} instead of {id}"),
                        fields: Vec::new(),
                    }],
                },
                _ => result,
            };
            outcome(result, Some(id))
        }
        PushOp::Delete { id } => {
            let result = match result.errors.first() {
                // Already gone is what a delete wants.
                Some(e) if e.status_code == "ENTITY_IS_DELETED" => SaveResult {
                    success: true,
                    id: Some(id.clone()),
                    created: None,
                    errors: Vec::new(),
                },
                _ => result,
            };
            outcome(result, Some(id))
        }
    };
    (item.unit, outcome)
}

/// 15- and 18-character forms of one Id are the same record.
fn same_id(a: &str, b: &str) -> bool {
    a.get(..15) == b.get(..15)
}

/// Writes items of one kind (all upserts on one field, all updates, or all deletes) through
/// a Bulk API 2.0 ingest job, and joins both result files back to items by key. Creates go
/// through Collections instead.
pub async fn through_bulk(
    client: &Client,
    object: &str,
    items: &[PushItem],
) -> Result<Vec<(usize, Outcome)>, RunError> {
    let Some(first) = items.first() else {
        return Ok(Vec::new());
    };
    let (operation, key_column) = match &first.op {
        // An insert's results carry no key to join them to rows by.
        PushOp::Create => return through_collections(client, object, items).await,
        PushOp::Upsert { field, .. } => (
            BulkOperation::Upsert {
                external_id_field: field.clone(),
            },
            field.clone(),
        ),
        PushOp::Update { .. } => (BulkOperation::Update, "Id".to_string()),
        PushOp::Delete { .. } => (BulkOperation::Delete, "Id".to_string()),
    };
    let key_of = |item: &PushItem| match &item.op {
        PushOp::Upsert { value, .. } => value.clone(),
        PushOp::Update { id } | PushOp::Delete { id } => id.clone(),
        PushOp::Create => String::new(),
    };
    let mut columns: Vec<String> = vec![key_column.clone()];
    for item in items {
        for name in item.fields.keys() {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer
        .write_record(&columns)
        .map_err(|e| RunError::BadCsv(e.to_string()))?;
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for item in items {
        let key = key_of(item);
        by_key.insert(key_for_join(&key_column, &key), item.unit);
        let row: Vec<String> = columns
            .iter()
            .map(|c| {
                if *c == key_column {
                    key.clone()
                } else {
                    // A field this record does not change stays as it is: an empty cell.
                    item.fields.get(c).map(to_csv_cell).unwrap_or_default()
                }
            })
            .collect();
        writer
            .write_record(&row)
            .map_err(|e| RunError::BadCsv(e.to_string()))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| RunError::BadCsv(e.to_string()))?;
    let job = client.bulk_create_ingest(object, &operation).await?;
    client
        .bulk_upload_bytes(&job.id, bytes::Bytes::from(body))
        .await?;
    client.bulk_close(&job.id).await?;
    let info = wait_for_job(client, JobKind::Ingest, &job.id, items.len()).await?;
    if info.state == "Failed" || info.state == "Aborted" {
        return Err(RunError::BulkJob {
            job: job.id,
            state: info.state,
            message: info.error_message.unwrap_or_default(),
        });
    }
    let mut out = Vec::with_capacity(items.len());
    // A result set the job reports empty is not fetched: each fetch is an API call.
    let failed = info.number_records_failed;
    let succeeded = info
        .number_records_processed
        .zip(failed)
        .map(|(processed, failed)| processed.saturating_sub(failed));
    let wanted = [
        (IngestResults::Successful, succeeded),
        (IngestResults::Failed, failed),
    ]
    .into_iter()
    .filter(|(_, count)| *count != Some(0))
    .map(|(which, _)| which);
    for which in wanted {
        let bytes: Vec<u8> = client
            .bulk_ingest_results(&job.id, which)
            .await?
            .try_fold(Vec::new(), |mut acc, piece| async move {
                acc.extend_from_slice(&piece);
                Ok(acc)
            })
            .await?;
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader
            .headers()
            .map_err(|e| RunError::BadCsv(e.to_string()))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let (id_at, created_at, error_at, key_at) = (
            column("sf__Id"),
            column("sf__Created"),
            column("sf__Error"),
            column(&key_column),
        );
        for row in reader.records() {
            let row = row.map_err(|e| RunError::BadCsv(e.to_string()))?;
            let cell = |at: Option<usize>| at.and_then(|i| row.get(i)).unwrap_or_default();
            let key = match cell(key_at) {
                "" => cell(id_at),
                key => key,
            };
            let Some(&unit) = by_key.get(&key_for_join(&key_column, key)) else {
                continue;
            };
            let result = match which {
                IngestResults::Successful => Outcome::Written {
                    id: cell(id_at).to_string(),
                    created: cell(created_at).eq_ignore_ascii_case("true"),
                },
                _ => Outcome::Failed(bulk_error(cell(error_at))),
            };
            out.push((unit, result));
        }
    }
    Ok(out)
}

/// Waits for a Bulk job to finish, reading its state on the schedule of [`super::poll`]: soon
/// after it was closed, every half second while it is young, then less often.
pub(crate) async fn wait_for_job(
    client: &Client,
    kind: JobKind,
    job_id: &str,
    rows: usize,
) -> Result<JobInfo, RunError> {
    let started = Instant::now();
    let deadline = started + JOB_TIMEOUT;
    let mut wait = super::poll::first_wait(rows);
    loop {
        tokio::time::sleep(wait).await;
        let info = client.bulk_job(kind, job_id).await?;
        if info.is_finished() {
            return Ok(info);
        }
        if Instant::now() >= deadline {
            return Err(RunError::BulkJob {
                job: job_id.to_string(),
                state: info.state,
                message: format!("still running after {} minutes", JOB_TIMEOUT.as_secs() / 60),
            });
        }
        wait = super::poll::next_wait(started.elapsed());
    }
}

const JOB_TIMEOUT: Duration = Duration::from_secs(3600);

/// Ids join on their 15-character form; external ids as written.
fn key_for_join(key_column: &str, key: &str) -> String {
    if key_column == "Id" {
        key.get(..15).unwrap_or(key).to_string()
    } else {
        key.to_string()
    }
}

/// `FIELD_CUSTOM_VALIDATION_EXCEPTION:Score must be positive:Score__c` → code, message, fields.
fn bulk_error(text: &str) -> RecordError {
    let mut parts = text.splitn(3, ':');
    let code = parts.next().unwrap_or_default().trim();
    let message = parts.next().unwrap_or_default().trim();
    let fields = parts
        .next()
        .map(|f| {
            f.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    RecordError {
        status_code: if code.is_empty() {
            "UNKNOWN_ERROR".into()
        } else {
            code.into()
        },
        message: if message.is_empty() {
            text.to_string()
        } else {
            message.to_string()
        },
        fields,
    }
}
