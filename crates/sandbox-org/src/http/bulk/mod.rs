//! Bulk API 2.0 of the sandbox org: ingest jobs (CSV uploads written through the store) and
//! query jobs (CSV results paged with locators).
//!
//! Jobs live in memory only, as a real org's expire: they do not survive a restart.

mod columns;
mod dialect;
mod ingest;
mod job;
mod process;
mod query_exec;
mod query_jobs;
mod results;
mod v1;
mod writer;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::MethodRouter;
use bytes::Bytes;

use super::auth::{Session, authenticate};
use super::{AppState, api_version_since};
use crate::error::ApiError;
use crate::ids;

pub use job::JobState;

/// Key prefix of Bulk job ids, for ingest and query jobs alike.
pub const JOB_KEY_PREFIX: &str = "750";

/// Largest amount of CSV one ingest job takes, over all its uploads.
pub const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

/// The org's Bulk jobs.
#[derive(Default)]
pub struct BulkJobs {
    ingest: JobTable<IngestJob>,
    query: JobTable<query_jobs::QueryJob>,
    serial: AtomicU64,
    /// Bulk API 1.0 jobs, whose ids come from the same sequence.
    v1: v1::Jobs,
}

impl BulkJobs {
    fn next_id(&self) -> String {
        ids::mint(
            JOB_KEY_PREFIX,
            self.serial.fetch_add(1, Ordering::SeqCst) + 1,
        )
    }

    /// State of a job of either kind, for tests and the admin surface.
    pub fn state(&self, id: &str) -> Option<JobState> {
        let id = ids::to_18(id)?;
        if let Some(job) = lock(&self.ingest).get(&id) {
            return Some(lock(job).core.state);
        }
        lock(&self.query).get(&id).map(|job| lock(job).core.state)
    }
}

/// An ingest job: its uploads until they are parsed, then its rows and their outcomes.
pub(crate) struct IngestJob {
    core: job::JobCore,
    uploads: Vec<Bytes>,
    upload_bytes: usize,
    input: Option<Arc<Input>>,
    /// One per processed row, in row order.
    outcomes: Vec<Outcome>,
}

/// The parsed uploads of a job.
pub(crate) struct Input {
    header: Vec<String>,
    rows: Vec<dialect::Row>,
}

#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Success { id: String, created: bool },
    Failure { id: String, error: String },
}

/// Jobs of one kind by 18-character id.
type JobTable<J> = Mutex<BTreeMap<String, Arc<Mutex<J>>>>;

/// What every job kind shares: its id, state and counters.
trait HasCore {
    fn core(&self) -> &job::JobCore;
}

impl HasCore for IngestJob {
    fn core(&self) -> &job::JobCore {
        &self.core
    }
}

impl HasCore for query_jobs::QueryJob {
    fn core(&self) -> &job::JobCore {
        &self.core
    }
}

/// A job by its 15- or 18-character id, or the org's not-found answer.
fn find_job<J>(table: &JobTable<J>, id: &str) -> Result<Arc<Mutex<J>>, ApiError> {
    ids::to_18(id)
        .and_then(|id| lock(table).get(&id).cloned())
        .ok_or_else(ApiError::resource_not_found)
}

/// The `GET .../jobs/ingest` or `.../jobs/query` answer: every job of the table.
fn list_answer<J: HasCore>(table: &JobTable<J>) -> serde_json::Value {
    let jobs: Vec<_> = lock(table).values().cloned().collect();
    let records: Vec<serde_json::Value> =
        jobs.iter().map(|j| lock(j).core().list_entry()).collect();
    serde_json::json!({ "done": true, "records": records, "nextRecordsUrl": null })
}

/// Locks a job or a job table. A panic while holding one cannot leave a job half-changed in
/// a way later requests could not read, so a poisoned lock is reused.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Authenticates a Bulk request and checks its API version.
fn caller(
    state: &AppState,
    headers: &HeaderMap,
    version: &str,
) -> Result<(Session, u32), ApiError> {
    let session = authenticate(state, headers)?;
    // Bulk API 2.0 first appeared in v41.0.
    Ok((session, api_version_since(version, 41)?))
}

fn invalid_job(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("INVALIDJOB", message)
}

fn invalid_state(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("INVALIDJOBSTATE", message)
}

/// Each path with and without a trailing slash, as clients send both.
fn both(r: Router<AppState>, path: &str, route: MethodRouter<AppState>) -> Router<AppState> {
    r.route(path, route.clone())
        .route(&format!("{path}/"), route)
}

pub fn routes() -> Router<AppState> {
    v1::routes(query_jobs::routes(ingest::routes(Router::new())))
}
