//! Processing a batch as soon as it is added: rows written through the Bulk API 2.0 row
//! writer, or a query run by the Bulk query engine. A Parallel job's batches run side by
//! side; a Serial job's run one at a time, in the order they were added.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;

use super::super::columns::ColumnPlan;
use super::super::dialect::Dialect;
use super::super::job::{JobCore, Operation};
use super::super::process::write_row;
use super::super::query_exec::BulkQuery;
use super::super::{Outcome, lock};
use super::input;
use super::job::{Batch, BatchState, Concurrency, Job, ResultSet};
use super::{BATCH_KEY_PREFIX, MAX_BATCH_ROWS, RESULT_KEY_PREFIX};
use crate::http::Org;

/// Rows written between two looks at the batch, as Bulk API 2.0 does.
const CHUNK_ROWS: usize = 200;

/// A batch waiting for its turn.
pub struct Queued {
    job: Arc<Mutex<Job>>,
    batch: Arc<Mutex<Batch>>,
}

/// Starts a batch: at once for a Parallel job, after the job's earlier batches for a Serial one.
pub fn start(org: Arc<Org>, job: Arc<Mutex<Job>>, batch: Arc<Mutex<Batch>>) {
    let mut j = lock(&job);
    if j.concurrency == Concurrency::Parallel {
        drop(j);
        tokio::spawn(process(org, job, batch));
        return;
    }
    let queued = Queued {
        job: job.clone(),
        batch,
    };
    let sender = j.serial_queue.get_or_insert_with(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(serial_worker(org, rx));
        tx
    });
    if let Err(mpsc::error::SendError(queued)) = sender.send(queued) {
        // The worker only stops when the job is gone; never leave a batch Queued for good.
        lock(&queued.batch).set_state(
            BatchState::Failed,
            Some("InternalServerError : the batch could not be queued: add it again".into()),
        );
    }
}

async fn serial_worker(org: Arc<Org>, mut rx: mpsc::UnboundedReceiver<Queued>) {
    while let Some(Queued { job, batch }) = rx.recv().await {
        process(org.clone(), job, batch).await;
    }
}

fn fail(batch: &Mutex<Batch>, started: Instant, message: String) {
    let mut b = lock(batch);
    b.processing_ms = started.elapsed().as_millis() as u64;
    b.set_state(BatchState::Failed, Some(message));
}

async fn process(org: Arc<Org>, job: Arc<Mutex<Job>>, batch: Arc<Mutex<Batch>>) {
    let started = Instant::now();
    let body = {
        let mut b = lock(&batch);
        // An aborted job's queued batches are already NotProcessed.
        if b.state != BatchState::Queued {
            return;
        }
        b.set_state(BatchState::InProgress, None);
        b.request.clone()
    };
    let core = {
        let j = lock(&job);
        let mut core = JobCore::new(
            j.id.clone(),
            j.operation,
            j.object.clone(),
            j.created_by.clone(),
            j.api_version,
            Dialect::default(),
        );
        core.external_id_field = j.external_id_field.clone();
        (core, j.content_type, j.pk_chunk_size)
    };
    let (core, content_type, pk_chunk_size) = core;
    if core.operation.is_query() {
        let soql = String::from_utf8_lossy(&body).trim().to_string();
        query(&org, &job, &batch, &core, &soql, pk_chunk_size, started).await;
        return;
    }
    let prepared = {
        let org = org.clone();
        let core = core.clone();
        tokio::task::spawn_blocking(move || prepare(&org, &core, &body, content_type)).await
    };
    let (rows, plan) = match prepared {
        Ok(Ok(ready)) => ready,
        Ok(Err(message)) => return fail(&batch, started, message),
        Err(e) => {
            return fail(
                &batch,
                started,
                format!("InternalServerError : processing stopped: {e}"),
            );
        }
    };
    let (core, rows, plan) = (Arc::new(core), Arc::new(rows), Arc::new(plan));
    let mut next = 0;
    while next < rows.len() {
        let end = (next + CHUNK_ROWS).min(rows.len());
        let written = {
            let (org, core, plan, rows) = (org.clone(), core.clone(), plan.clone(), rows.clone());
            tokio::task::spawn_blocking(move || {
                rows[next..end]
                    .iter()
                    .map(|row| write_row(&org, &core, &plan, row))
                    .collect::<Vec<_>>()
            })
            .await
        };
        let outcomes = match written {
            Ok(outcomes) => outcomes,
            Err(e) => {
                return fail(
                    &batch,
                    started,
                    format!("InternalServerError : processing stopped: {e}"),
                );
            }
        };
        let mut b = lock(&batch);
        b.processed += outcomes.len();
        b.failed += outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failure { .. }))
            .count();
        b.outcomes.extend(outcomes);
        next = end;
    }
    let mut b = lock(&batch);
    b.processing_ms = started.elapsed().as_millis() as u64;
    b.set_state(BatchState::Completed, None);
}

/// Reads the body and checks its header; the error is the batch's `stateMessage`.
fn prepare(
    org: &Org,
    core: &JobCore,
    body: &[u8],
    content_type: super::job::ContentType,
) -> Result<(Vec<super::super::dialect::Row>, ColumnPlan), String> {
    let table = input::read(body, content_type)?;
    if table.rows.len() > MAX_BATCH_ROWS {
        return Err(format!(
            "InvalidBatch : Exceeded number of records : {}. Number of records should be less than or equal to {MAX_BATCH_ROWS}",
            table.rows.len()
        ));
    }
    let schema = org.schema();
    let object = schema.object(&core.object).ok_or_else(|| {
        format!(
            "InvalidBatch : Entity '{}' is not supported by the Bulk API.",
            core.object
        )
    })?;
    let plan = ColumnPlan::new(
        &org.schema(),
        object,
        &table.header,
        core.operation,
        core.external_id_field.as_deref(),
    )?;
    Ok((table.rows, plan))
}

async fn query(
    org: &Arc<Org>,
    job: &Arc<Mutex<Job>>,
    batch: &Arc<Mutex<Batch>>,
    core: &JobCore,
    soql: &str,
    pk_chunk_size: Option<usize>,
    started: Instant,
) {
    let schema = org.schema_for(&core.created_by);
    let prepared = BulkQuery::prepare(&schema, soql, chrono::Utc::now()).and_then(|q| {
        if q.object().eq_ignore_ascii_case(&core.object) {
            Ok(q)
        } else {
            Err(crate::error::SfError::new(
                "INVALID_TYPE_FOR_OPERATION",
                format!(
                    "The root entity of the requested query ({}) does not match the entity of the requested Bulk API Job ({})",
                    q.object(),
                    core.object
                ),
            ))
        }
    });
    let query = match prepared {
        Ok(q) => Arc::new(q),
        Err(e) => {
            return fail(
                batch,
                started,
                format!(
                    "InvalidBatch : Failed to process query: {}: {}",
                    e.code, e.message
                ),
            );
        }
    };
    let include_deleted = core.operation == Operation::QueryAll;
    let found = {
        let (org, query) = (org.clone(), query.clone());
        tokio::task::spawn_blocking(move || query.matching_ids(&org.store, include_deleted)).await
    };
    let mut ids = match found {
        Ok(Ok(ids)) => ids,
        Ok(Err(e)) => {
            return fail(
                batch,
                started,
                format!(
                    "InvalidBatch : Failed to process query: {}: {}",
                    e.code, e.message
                ),
            );
        }
        Err(e) => {
            return fail(
                batch,
                started,
                format!("InternalServerError : the query stopped: {e}"),
            );
        }
    };
    let elapsed = started.elapsed().as_millis() as u64;
    let Some(chunk) = pk_chunk_size else {
        let mut b = lock(batch);
        b.processed = ids.len();
        b.results.push(ResultSet {
            id: org.bulk.v1.next(RESULT_KEY_PREFIX),
            records: Arc::new(ids),
            query: query.clone(),
        });
        b.processing_ms = elapsed;
        b.set_state(BatchState::Completed, None);
        return;
    };
    // PK chunking: the batch itself is not processed; one batch per range of ids is, as
    // Salesforce splits the table by primary key.
    ids.sort();
    let request = lock(batch).request.clone();
    let mut chunks: Vec<Arc<Mutex<Batch>>> = Vec::new();
    let mut pieces: Vec<Vec<String>> = ids.chunks(chunk).map(<[String]>::to_vec).collect();
    if pieces.is_empty() {
        pieces.push(Vec::new());
    }
    for piece in pieces {
        let mut b = Batch::new(
            org.bulk.v1.next(BATCH_KEY_PREFIX),
            core.id.clone(),
            request.clone(),
        );
        b.processed = piece.len();
        b.results.push(ResultSet {
            id: org.bulk.v1.next(RESULT_KEY_PREFIX),
            records: Arc::new(piece),
            query: query.clone(),
        });
        b.set_state(BatchState::Completed, None);
        chunks.push(Arc::new(Mutex::new(b)));
    }
    lock(job).batches.extend(chunks);
    let mut b = lock(batch);
    b.processing_ms = elapsed;
    b.set_state(BatchState::NotProcessed, None);
}
