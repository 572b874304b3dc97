//! `/jobs/ingest`: create, upload, close or abort, poll, list, delete, and the result files.

use std::io::Read;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::Value;

use super::dialect::{ColumnDelimiter, Dialect, LineEnding};
use super::job::{JobCore, Operation};
use super::results::{ResultKind, render};
use super::{
    IngestJob, MAX_UPLOAD_BYTES, both, caller, find_job, invalid_job, invalid_state, list_answer,
    lock, process,
};
use crate::error::{ApiError, ApiResult};
use crate::http::{AppState, body};
use crate::schema::FieldType;

pub fn routes(r: Router<AppState>) -> Router<AppState> {
    let base = "/services/data/{v}/jobs/ingest";
    let r = both(r, base, get(list).post(create));
    let r = both(
        r,
        &format!("{base}/{{id}}"),
        get(info).patch(change_state).delete(remove),
    );
    let r = both(
        r,
        &format!("{base}/{{id}}/batches"),
        put(upload).layer(DefaultBodyLimit::disable()),
    );
    let r = both(
        r,
        &format!("{base}/{{id}}/successfulResults"),
        get(successful),
    );
    let r = both(r, &format!("{base}/{{id}}/failedResults"), get(failed));
    both(
        r,
        &format!("{base}/{{id}}/unprocessedrecords"),
        get(unprocessed),
    )
}

fn job_of(state: &AppState, id: &str) -> ApiResult<Arc<Mutex<IngestJob>>> {
    find_job(&state.org.bulk.ingest, id)
}

/// A string member of a request body; absent or null is `None`, any other type an error.
fn text_member<'a>(body: &'a Value, key: &str) -> ApiResult<Option<&'a str>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(invalid_job(format!("{key} must be a string, not {other}"))),
    }
}

/// `lineEnding` and `columnDelimiter` of a create request (both jobs kinds take them).
pub(super) fn dialect_of(body: &Value) -> ApiResult<Dialect> {
    let mut dialect = Dialect::default();
    if let Some(name) = text_member(body, "lineEnding")? {
        dialect.line_ending = LineEnding::parse(name).ok_or_else(|| {
            invalid_job(format!("lineEnding {name} is not valid: use LF or CRLF"))
        })?;
    }
    if let Some(name) = text_member(body, "columnDelimiter")? {
        dialect.delimiter = ColumnDelimiter::parse(name).ok_or_else(|| {
            invalid_job(format!(
                "columnDelimiter {name} is not valid: use COMMA, TAB, PIPE, SEMICOLON, CARET or BACKQUOTE"
            ))
        })?;
    }
    if let Some(kind) = text_member(body, "contentType")?
        && kind != "CSV"
    {
        return Err(invalid_job(format!(
            "contentType {kind} is not supported: Bulk API 2.0 jobs take CSV"
        )));
    }
    Ok(dialect)
}

async fn create(
    State(state): State<AppState>,
    Path(v): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> ApiResult<Response> {
    let (session, version) = caller(&state, &headers, &v)?;
    let body = body::json(&raw)?;
    let operation = match text_member(&body, "operation")? {
        None => {
            return Err(invalid_job(
                "operation is required: use insert, update, upsert, delete or hardDelete",
            ));
        }
        Some(name) => Operation::parse_ingest(name).ok_or_else(|| {
            invalid_job(format!(
                "operation {name} is not valid: use insert, update, upsert, delete or hardDelete"
            ))
        })?,
    };
    let object_name = text_member(&body, "object")?.ok_or_else(|| {
        invalid_job("object is required: name the sObject to load, for example Account")
    })?;
    let schema = state.org.schema();
    let object = schema.object(object_name).ok_or_else(|| {
        ApiError::bad_request(
            "INVALIDENTITY",
            format!(
                "sObject type '{object_name}' is not supported by the Bulk API: check the object's API name (custom objects end in __c)"
            ),
        )
    })?;
    let dialect = dialect_of(&body)?;
    let external_id = match (operation, text_member(&body, "externalIdFieldName")?) {
        (Operation::Upsert, None | Some("")) => {
            return Err(invalid_job(format!(
                "External ID was blank for {}. An External ID must be specified for upsert.",
                object.name
            )));
        }
        (Operation::Upsert, Some(name)) => {
            let field = object
                .field(name)
                .filter(|f| f.external_id || f.kind == FieldType::Id || (f.id_lookup && f.unique))
                .ok_or_else(|| {
                    invalid_job(format!(
                        "The field {name} on {} is not an External ID field or Id: choose a field marked External ID",
                        object.name
                    ))
                })?;
            Some(field.name.clone())
        }
        _ => None,
    };
    let id = state.org.bulk.next_id();
    let mut core = JobCore::new(
        id.clone(),
        operation,
        object.name.clone(),
        session.user_id,
        version,
        dialect,
    );
    core.external_id_field = external_id;
    let info = core.info();
    let job = IngestJob {
        core,
        uploads: Vec::new(),
        upload_bytes: 0,
        input: None,
        outcomes: Vec::new(),
    };
    lock(&state.org.bulk.ingest).insert(id, Arc::new(Mutex::new(job)));
    Ok(axum::Json(info).into_response())
}

async fn list(
    State(state): State<AppState>,
    Path(v): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    Ok(axum::Json(list_answer(&state.org.bulk.ingest)).into_response())
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

async fn change_state(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Bytes,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let body = body::json(&raw)?;
    let job = job_of(&state, &id)?;
    let info = {
        let mut j = lock(&job);
        match text_member(&body, "state")? {
            Some("UploadComplete") => j.core.close(),
            Some("Aborted") => j.core.abort(),
            Some(other) => return Err(invalid_job(format!("state {other} cannot be set: use UploadComplete or Aborted"))),
            None => return Err(invalid_job("state is required: send {\"state\":\"UploadComplete\"} or {\"state\":\"Aborted\"}")),
        }
        .map_err(|e| invalid_state(e.to_string()))?;
        j.core.info()
    };
    if info["state"] == "UploadComplete" {
        process::spawn(state.org.clone(), job);
    }
    Ok(axum::Json(info).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let job = job_of(&state, &id)?;
    let mut jobs = lock(&state.org.bulk.ingest);
    let mut j = lock(&job);
    if !j.core.state.is_deletable() {
        return Err(invalid_state(format!(
            "Job {} is {}: close it with UploadComplete or abort it, and wait until it has finished, before deleting it",
            j.core.id,
            j.core.state.as_str()
        )));
    }
    j.core.removed = true;
    jobs.remove(&j.core.id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn too_large() -> ApiError {
    ApiError::rest(
        StatusCode::PAYLOAD_TOO_LARGE,
        "EXCEEDED_MAX_SIZE_REQUEST",
        format!(
            "A Bulk API 2.0 job takes at most {} MB of CSV: split the data across several jobs",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

/// Reads a request body of at most `room` bytes, whatever its transfer encoding.
async fn read_capped(body: Body, room: usize) -> ApiResult<Vec<u8>> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            invalid_job(format!("the upload could not be read: {e}. Send it again"))
        })?;
        if out.len() + chunk.len() > room {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Inflates a gzip body that reached the handler still compressed, within the same cap.
fn gunzip_capped(data: &[u8], room: usize) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .take(room as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            invalid_job(format!(
                "the upload says Content-Encoding: gzip but cannot be inflated: {e}"
            ))
        })?;
    if out.len() > room {
        return Err(too_large());
    }
    Ok(out)
}

fn check_open(job: &IngestJob) -> ApiResult<()> {
    if job.core.state != super::JobState::Open {
        return Err(invalid_state(format!(
            "Job {} is {}: data can only be uploaded while the job is Open. Create a new job to load more data",
            job.core.id,
            job.core.state.as_str()
        )));
    }
    Ok(())
}

async fn upload(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller(&state, &headers, &v)?;
    let job = job_of(&state, &id)?;
    let room = {
        let j = lock(&job);
        check_open(&j)?;
        MAX_UPLOAD_BYTES.saturating_sub(j.upload_bytes)
    };
    let mut data = read_capped(body, room).await?;
    let gzipped = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|enc| enc.trim().eq_ignore_ascii_case("gzip"));
    if gzipped {
        data = gunzip_capped(&data, room)?;
    }
    // An empty file is accepted, as a real org accepts it: the job then finishes with 0
    // records (see `process::run`).
    let mut j = lock(&job);
    check_open(&j)?;
    if j.upload_bytes + data.len() > MAX_UPLOAD_BYTES {
        return Err(too_large());
    }
    j.upload_bytes += data.len();
    j.uploads.push(Bytes::from(data));
    state.org.limits.count_bulk_batch();
    Ok(StatusCode::CREATED.into_response())
}

fn result_file(
    state: &AppState,
    v: &str,
    id: &str,
    headers: &HeaderMap,
    kind: ResultKind,
) -> ApiResult<Response> {
    caller(state, headers, v)?;
    let job = job_of(state, id)?;
    let j = lock(&job);
    if !j.core.state.is_finished() {
        return Err(invalid_state(format!(
            "Job {} is {}: results are available once it is JobComplete, Failed or Aborted. Poll the job until then",
            j.core.id,
            j.core.state.as_str()
        )));
    }
    let csv = render(&j, kind);
    drop(j);
    let mut response = csv.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
    Ok(response)
}

async fn successful(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    result_file(&state, &v, &id, &headers, ResultKind::Successful)
}

async fn failed(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    result_file(&state, &v, &id, &headers, ResultKind::Failed)
}

async fn unprocessed(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    result_file(&state, &v, &id, &headers, ResultKind::Unprocessed)
}
