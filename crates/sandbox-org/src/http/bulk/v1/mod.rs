//! Bulk API 1.0 (`/services/async/NN.0/job`): jobs of batches in CSV, JSON or XML, as
//! Data Loader's Bulk mode, jsforce's `conn.bulk` and simple-salesforce's `bulk` use it.
//!
//! Rows are written by the same code as Bulk API 2.0 ([`super::process`]), and queries run
//! through the same checked statement ([`super::query_exec`]), so field-level security, value
//! conversion and error texts are those of Bulk API 2.0 and REST. Jobs live in memory only.

mod batches;
mod input;
mod job;
mod jobs;
mod run;
mod wire;
mod xml;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::routing::{get, post};

use super::lock;
use crate::http::auth::{Session, authenticate};
use crate::http::{AppState, api_version};
use crate::ids;

use wire::{V1Error, V1Result};

/// Key prefixes of batch ids and query result ids, as a real org mints them.
const BATCH_KEY_PREFIX: &str = "751";
const RESULT_KEY_PREFIX: &str = "752";

/// Largest batch body a real org takes (10 MB), and its row cap.
pub const MAX_BATCH_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_BATCH_ROWS: usize = 10_000;

/// The org's Bulk API 1.0 jobs.
#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<BTreeMap<String, Arc<Mutex<job::Job>>>>,
    serial: AtomicU64,
}

impl Jobs {
    fn next(&self, prefix: &str) -> String {
        ids::mint(prefix, self.serial.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn find(&self, id: &str) -> V1Result<Arc<Mutex<job::Job>>> {
        ids::to_18(id)
            .and_then(|id| lock(&self.jobs).get(&id).cloned())
            .ok_or_else(|| {
                V1Error::new(
                    "InvalidJob",
                    format!("Invalid job id: {id}. Use the id answered when the job was created"),
                )
            })
    }
}

/// The session of `X-SFDC-Session` (what Bulk API 1.0 clients send), or of an
/// `Authorization: Bearer` header, which Salesforce accepts here too.
fn caller(state: &AppState, headers: &HeaderMap, version: &str) -> V1Result<(Session, u32)> {
    let session = match headers
        .get("x-sfdc-session")
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(token) => {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| V1Error::invalid_session())?;
            let mut with_bearer = HeaderMap::new();
            with_bearer.insert(header::AUTHORIZATION, value);
            authenticate(state, &with_bearer)
        }
        None => authenticate(state, headers),
    }
    .map_err(|_| V1Error::invalid_session())?;
    let version = api_version(&format!("v{version}")).map_err(|_| {
        V1Error::not_found(
            "InvalidUrl",
            format!("Unsupported API version {version}: use a version such as 59.0"),
        )
    })?;
    Ok((session, version))
}

pub fn routes(r: Router<AppState>) -> Router<AppState> {
    let base = "/services/async/{v}/job";
    r.route(base, post(jobs::create))
        .route(
            &format!("{base}/{{id}}"),
            get(jobs::info).post(jobs::change_state),
        )
        .route(
            &format!("{base}/{{id}}/batch"),
            get(batches::list)
                .post(batches::add)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_BATCH_BYTES)),
        )
        .route(
            &format!("{base}/{{id}}/batch/{{batch}}"),
            get(batches::info),
        )
        .route(
            &format!("{base}/{{id}}/batch/{{batch}}/request"),
            get(batches::request),
        )
        .route(
            &format!("{base}/{{id}}/batch/{{batch}}/result"),
            get(batches::results),
        )
        .route(
            &format!("{base}/{{id}}/batch/{{batch}}/result/{{result}}"),
            get(batches::query_result),
        )
}
