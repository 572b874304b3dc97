//! `/jobs/query`: create, poll, list, abort, delete, and the result pages with locators.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::Value;

use super::ingest::dialect_of;
use super::job::{JobCore, JobState, Operation};
use super::query_exec::BulkQuery;
use super::writer::{Cell, CsvWriter};
use super::{both, caller, find_job, invalid_job, invalid_state, list_answer, lock};
use crate::error::{ApiError, ApiResult};
use crate::http::{AppState, Org, body};

/// Rows rendered per piece of a streamed result page.
const ROWS_PER_PIECE: usize = 500;

pub(crate) struct QueryJob {
    pub(super) core: JobCore,
    query: Arc<BulkQuery>,
    /// The matching ids once the job has run.
    ids: Arc<Vec<String>>,
}

pub fn routes(r: Router<AppState>) -> Router<AppState> {
    let base = "/services/data/{v}/jobs/query";
    let r = both(r, base, get(list).post(create));
    let r = both(
        r,
        &format!("{base}/{{id}}"),
        get(info).patch(abort).delete(remove),
    );
    both(r, &format!("{base}/{{id}}/results"), get(results))
}

fn job_of(state: &AppState, id: &str) -> ApiResult<Arc<Mutex<QueryJob>>> {
    find_job(&state.org.bulk.query, id)
}

async fn create(
    State(state): State<AppState>,
    Path(v): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> ApiResult<Response> {
    let (session, version) = caller(&state, &headers, &v)?;
    let body = body::json(&raw)?;
    let operation = match body.get("operation").and_then(Value::as_str) {
        None => return Err(invalid_job("operation is required: use query or queryAll")),
        Some(name) => Operation::parse_query(name).ok_or_else(|| {
            invalid_job(format!(
                "operation {name} is not valid for a query job: use query or queryAll"
            ))
        })?,
    };
    let soql = body
        .get("query")
        .and_then(Value::as_str)
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| {
            invalid_job(
                "query is required: send the SOQL to run, for example SELECT Id FROM Account",
            )
        })?;
    let dialect = dialect_of(&body)?;
    let query = Arc::new(BulkQuery::prepare(
        &state.org.schema_for(&session.user_id),
        soql,
        chrono::Utc::now(),
    )?);
    let id = state.org.bulk.next_id();
    let core = JobCore::new(
        id.clone(),
        operation,
        query.object().to_string(),
        session.user_id,
        version,
        dialect,
    );
    let info = core.info();
    let job = Arc::new(Mutex::new(QueryJob {
        core,
        query,
        ids: Arc::new(Vec::new()),
    }));
    lock(&state.org.bulk.query).insert(id, job.clone());
    tokio::spawn(run(state.org.clone(), job));
    state.org.limits.count_bulk_query_job();
    Ok(axum::Json(info).into_response())
}

async fn run(org: Arc<Org>, job: Arc<Mutex<QueryJob>>) {
    let (query, include_deleted) = {
        let mut j = lock(&job);
        if !j.core.start() {
            return;
        }
        (j.query.clone(), j.core.operation == Operation::QueryAll)
    };
    let found =
        tokio::task::spawn_blocking(move || query.matching_ids(&org.store, include_deleted)).await;
    let mut j = lock(&job);
    match found {
        Ok(Ok(ids)) => {
            j.core.processed = ids.len();
            j.ids = Arc::new(ids);
            j.core.complete();
        }
        Ok(Err(e)) => j
            .core
            .fail(format!("InternalServerError : {}: {}", e.code, e.message)),
        Err(e) => j
            .core
            .fail(format!("InternalServerError : the query stopped: {e}")),
    }
}

async fn list(
    State(state): State<AppState>,
    Path(v): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    Ok(axum::Json(list_answer(&state.org.bulk.query)).into_response())
}

async fn info(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let job = job_of(&state, &id)?;
    let detail = lock(&job).core.detail();
    Ok(axum::Json(detail).into_response())
}

async fn abort(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Bytes,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let body = body::json(&raw)?;
    let job = job_of(&state, &id)?;
    match body.get("state").and_then(Value::as_str) {
        Some("Aborted") => {}
        _ => {
            return Err(invalid_job(
                "a query job can only be set to {\"state\":\"Aborted\"}",
            ));
        }
    }
    let mut j = lock(&job);
    j.core.abort().map_err(|e| invalid_state(e.to_string()))?;
    Ok(axum::Json(j.core.info()).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let job = job_of(&state, &id)?;
    let mut jobs = lock(&state.org.bulk.query);
    let mut j = lock(&job);
    if !j.core.state.is_deletable() {
        return Err(invalid_state(format!(
            "Job {} is {}: abort it or wait until it has finished before deleting it",
            j.core.id,
            j.core.state.as_str()
        )));
    }
    j.core.removed = true;
    jobs.remove(&j.core.id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn locator_of(offset: usize) -> String {
    STANDARD.encode(offset.to_string())
}

fn offset_of(locator: &str) -> Option<usize> {
    let bytes = STANDARD.decode(locator).ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

/// The page a results request asks for: `[start, end)` of the job's ids.
fn page(params: &HashMap<String, String>, total: usize) -> ApiResult<(usize, usize)> {
    let start = match params.get("locator").map(String::as_str) {
        None | Some("") => 0,
        Some(locator) => offset_of(locator).filter(|o| *o <= total).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_QUERY_LOCATOR",
                format!("Locator {locator} is not valid for this job: pass the Sforce-Locator of the previous page"),
            )
        })?,
    };
    let size = match params.get("maxRecords") {
        None => total - start,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "INVALIDJOB",
                    format!("maxRecords {text} is not valid: use a whole number above 0"),
                )
            })?,
    };
    Ok((start, start.saturating_add(size).min(total)))
}

async fn results(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let job = job_of(&state, &id)?;
    let (query, found, dialect) = {
        let j = lock(&job);
        if j.core.state != JobState::JobComplete {
            return Err(invalid_state(format!(
                "Job {} is {}: results are available once it is JobComplete. Poll the job until then",
                j.core.id,
                j.core.state.as_str()
            )));
        }
        (j.query.clone(), j.ids.clone(), j.core.dialect)
    };
    let (start, end) = page(&params, found.len())?;
    let next = if end < found.len() {
        locator_of(end)
    } else {
        "null".to_string()
    };
    let mut header_row = CsvWriter::new(dialect);
    header_row.row(query.headers.iter().map(|h| Cell::Always(h)), true);
    let first = Bytes::from(header_row.finish());
    let org = state.org.clone();
    let pieces = futures_util::stream::unfold(None::<usize>, move |at| {
        let (org, query, found) = (org.clone(), query.clone(), found.clone());
        let first = first.clone();
        async move {
            let pos = match at {
                None => return Some((Ok::<Bytes, Infallible>(first), Some(start))),
                Some(pos) if pos >= end => return None,
                Some(pos) => pos,
            };
            let stop = (pos + ROWS_PER_PIECE).min(end);
            let piece = tokio::task::spawn_blocking(move || {
                query.render_rows(&org.store, &found[pos..stop], dialect)
            })
            .await
            .unwrap_or_default();
            Some((Ok(Bytes::from(piece)), Some(stop)))
        }
    });
    let mut response = Body::from_stream(pieces).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
    h.insert("Sforce-NumberOfRecords", HeaderValue::from(end - start));
    if let Ok(value) = HeaderValue::from_str(&next) {
        h.insert("Sforce-Locator", value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn locators_page_through_every_record_once() {
        let total = 1003;
        let mut seen = 0;
        let mut locator: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut p = vec![("maxRecords", "250")];
            if let Some(l) = &locator {
                p.push(("locator", l));
            }
            let (start, end) = page(&params(&p), total).unwrap();
            assert_eq!(start, seen);
            seen = end;
            pages += 1;
            if end == total {
                break;
            }
            locator = Some(locator_of(end));
        }
        assert_eq!((seen, pages), (total, 5));
    }

    #[test]
    fn bad_page_requests_are_refused() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("maxRecords", "0")], "INVALIDJOB"),
            (&[("maxRecords", "-3")], "INVALIDJOB"),
            (&[("locator", "not base64!")], "INVALID_QUERY_LOCATOR"),
            (&[("locator", "OTk5OQ==")], "INVALID_QUERY_LOCATOR"),
        ];
        for (p, code) in cases {
            assert_eq!(page(&params(p), 10).unwrap_err().code(), *code, "{p:?}");
        }
        assert_eq!(page(&params(&[]), 10).unwrap(), (0, 10));
    }
}
