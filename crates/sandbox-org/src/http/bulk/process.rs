//! Running an ingest job once it is `UploadComplete`: parse the uploads, check the header,
//! then write the rows through the store, a chunk at a time, off the async threads.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::columns::{ColumnPlan, NULL_MARKER, render_errors};
use super::dialect::{self, Row};
use super::job::{JobCore, JobState, Operation};
use super::{IngestJob, Input, Outcome, lock};
use crate::error::SfError;
use crate::http::Org;
use crate::ids;
use crate::store::UpsertError;

/// Rows written between two looks at the job's state, so that an abort takes effect soon.
const CHUNK_ROWS: usize = 200;

/// Starts processing in the background; the client polls the job info meanwhile.
pub fn spawn(org: Arc<Org>, job: Arc<Mutex<IngestJob>>) {
    tokio::spawn(run(org, job));
}

async fn run(org: Arc<Org>, job: Arc<Mutex<IngestJob>>) {
    let (core, uploads) = {
        let mut j = lock(&job);
        if !j.core.start() {
            return;
        }
        (j.core.clone(), j.uploads.clone())
    };
    if !uploads.is_empty()
        && uploads
            .iter()
            .all(|u| u.iter().all(u8::is_ascii_whitespace))
    {
        let mut j = lock(&job);
        j.uploads.clear();
        return j.core.complete();
    }
    let prepared = {
        let org = org.clone();
        let core = core.clone();
        tokio::task::spawn_blocking(move || prepare(&org, &core, &uploads)).await
    };
    let (input, plan) = match prepared {
        Ok(Ok(ready)) => ready,
        Ok(Err(message)) => return lock(&job).core.fail(message),
        Err(e) => {
            return lock(&job)
                .core
                .fail(format!("InternalServerError : processing stopped: {e}"));
        }
    };
    let input = Arc::new(input);
    let plan = Arc::new(plan);
    {
        let mut j = lock(&job);
        // The parsed rows replace the raw uploads: results echo the rows from here on.
        j.uploads.clear();
        j.input = Some(input.clone());
    }
    let mut next = 0;
    while next < input.rows.len() {
        if lock(&job).core.state != JobState::InProgress {
            return;
        }
        let end = (next + CHUNK_ROWS).min(input.rows.len());
        let written = {
            let (org, core, plan, input) = (org.clone(), core.clone(), plan.clone(), input.clone());
            tokio::task::spawn_blocking(move || {
                input.rows[next..end]
                    .iter()
                    .map(|row| write_row(&org, &core, &plan, row))
                    .collect::<Vec<_>>()
            })
            .await
        };
        let outcomes = match written {
            Ok(outcomes) => outcomes,
            Err(e) => {
                return lock(&job)
                    .core
                    .fail(format!("InternalServerError : processing stopped: {e}"));
            }
        };
        // Rows already written are recorded even when the job was aborted meanwhile.
        let mut j = lock(&job);
        j.core.processed += outcomes.len();
        j.core.failed += outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failure { .. }))
            .count();
        j.outcomes.extend(outcomes);
        next = end;
    }
    lock(&job).core.complete();
}

/// Parses every upload and checks the header; the error is the job's `errorMessage`.
fn prepare(org: &Org, core: &JobCore, uploads: &[Bytes]) -> Result<(Input, ColumnPlan), String> {
    if uploads.is_empty() {
        return Err("ClientInputError : no data was uploaded: PUT the CSV to the job's contentUrl before closing the job".into());
    }
    let mut input: Option<Input> = None;
    for (n, upload) in uploads.iter().enumerate() {
        let table = dialect::parse(upload, core.dialect).map_err(|e| e.to_string())?;
        match &mut input {
            None => {
                input = Some(Input {
                    header: table.header,
                    rows: table.rows,
                })
            }
            Some(first) => {
                let same = first.header.len() == table.header.len()
                    && first
                        .header
                        .iter()
                        .zip(&table.header)
                        .all(|(a, b)| a.trim().eq_ignore_ascii_case(b.trim()));
                if !same {
                    return Err(format!(
                        "InvalidBatch : upload {} has a different header row from the first upload: every upload of a job must have the same columns",
                        n + 1
                    ));
                }
                first.rows.extend(table.rows);
            }
        }
    }
    let input = input.ok_or_else(|| "ClientInputError : no data was uploaded".to_string())?;
    let schema = org.schema();
    let object = schema.object(&core.object).ok_or_else(|| {
        format!(
            "InvalidBatch : sObject type '{}' is not supported",
            core.object
        )
    })?;
    let plan = ColumnPlan::new(
        &org.schema(),
        object,
        &input.header,
        core.operation,
        core.external_id_field.as_deref(),
    )?;
    Ok((input, plan))
}

fn missing_argument(what: &str, call: &str) -> Vec<SfError> {
    vec![SfError::new(
        "MISSING_ARGUMENT",
        format!("{what} not specified in {call} call"),
    )]
}

fn wrong_object(id: &str) -> SfError {
    SfError::new(
        "INVALID_CROSS_REFERENCE_KEY",
        format!("invalid cross reference id: {id}"),
    )
}

/// Writes one row in its own transaction, so that a failing row never undoes another.
pub(super) fn write_row(org: &Org, core: &JobCore, plan: &ColumnPlan, row: &Row) -> Outcome {
    let cell = |i: Option<usize>| {
        i.and_then(|i| row.cells.get(i))
            .map(|s| s.trim())
            .unwrap_or_default()
    };
    let given_id = cell(plan.id_column);
    let echo_id = match core.operation {
        Operation::Update | Operation::Delete | Operation::HardDelete => {
            ids::to_18(given_id).unwrap_or_else(|| given_id.to_string())
        }
        _ => String::new(),
    };
    if let Some(message) = &row.error {
        return Outcome::Failure {
            id: echo_id,
            error: format!("CSV_PARSE_ERROR:{message}:--"),
        };
    }
    match write(org, core, plan, row, given_id) {
        Ok((id, created)) => Outcome::Success { id, created },
        Err(errors) => Outcome::Failure {
            id: echo_id,
            error: render_errors(&errors),
        },
    }
}

fn write(
    org: &Org,
    core: &JobCore,
    plan: &ColumnPlan,
    row: &Row,
    given_id: &str,
) -> Result<(String, bool), Vec<SfError>> {
    let schema = org.schema();
    let object = schema.object(&core.object).ok_or_else(|| {
        vec![SfError::new(
            "INVALID_TYPE",
            "sObject type is not supported",
        )]
    })?;
    let user = core.created_by.as_str();
    let given_id = if given_id == NULL_MARKER {
        ""
    } else {
        given_id
    };
    let same_object = |id: &str| -> Result<String, Vec<SfError>> {
        let id18 = ids::to_18(id)
            .ok_or_else(|| vec![SfError::new("MALFORMED_ID", format!("malformed id {id}"))])?;
        if ids::key_prefix(&id18) != Some(object.key_prefix.as_str()) {
            return Err(vec![wrong_object(id)]);
        }
        Ok(id18)
    };
    match core.operation {
        Operation::Insert => {
            let record = plan.record(&row.cells, None)?;
            let id = org.store.write(|w| w.create(&object.name, &record, user))?;
            Ok((id, true))
        }
        Operation::Update => {
            if given_id.is_empty() {
                return Err(missing_argument("Id", "an update"));
            }
            let record = plan.record(&row.cells, plan.id_column)?;
            let id = same_object(given_id)?;
            org.store
                .write(|w| w.update(&object.name, &id, &record, user))?;
            Ok((id, false))
        }
        Operation::Upsert => {
            let key_field = plan.key_name().unwrap_or("Id").to_string();
            let key = row
                .cells
                .get(plan.key_column.unwrap_or(usize::MAX))
                .map(|s| s.trim())
                .unwrap_or_default();
            let record = plan.record(&row.cells, plan.key_column)?;
            if key.is_empty() || key == NULL_MARKER {
                if key_field.eq_ignore_ascii_case("Id") {
                    let id = org.store.write(|w| w.create(&object.name, &record, user))?;
                    return Ok((id, true));
                }
                return Err(missing_argument(&key_field, "an upsert"));
            }
            let outcome = org.store.write(|w| w.upsert(&object.name, &key_field, key, &record, user)).map_err(|e| match e {
                UpsertError::Errors(errors) => errors,
                UpsertError::MultipleMatches(found) => vec![SfError::new(
                    "DUPLICATE_EXTERNAL_ID",
                    format!("{key_field}: more than one record found for external id field: [{}]", found.join(", ")),
                )
                .with_fields([key_field.clone()])],
            })?;
            Ok((outcome.id, outcome.created))
        }
        Operation::Delete => {
            if given_id.is_empty() {
                return Err(missing_argument("Id", "a delete"));
            }
            let id = same_object(given_id)?;
            org.store
                .write(|w| w.delete(&id, user))
                .map_err(|e| vec![e])?;
            Ok((id, false))
        }
        Operation::HardDelete => {
            if given_id.is_empty() {
                return Err(missing_argument("Id", "a hardDelete"));
            }
            let id = same_object(given_id)?;
            org.store
                .write(|w| w.hard_delete(&id))
                .map_err(|e| vec![e])?;
            Ok((id, false))
        }
        Operation::Query | Operation::QueryAll => Err(vec![SfError::new(
            "INVALIDJOB",
            "a query job has no rows to write",
        )]),
    }
}
