//! `/job` and `/job/{id}`: create a job (XML or JSON job info), read it, close or abort it.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;

use super::super::job::Operation;
use super::job::{BatchState, Concurrency, ContentType, Job, JobState};
use super::wire::{Format, V1Error, V1Result};
use super::{caller, lock, xml};
use crate::http::AppState;
use crate::schema::FieldType;

/// Default and largest `chunkSize` of `Sforce-Enable-PKChunking`, as documented.
const DEFAULT_CHUNK: usize = 100_000;
const MAX_CHUNK: usize = 250_000;

/// The members of a job info request body, read from XML or JSON.
#[derive(Debug, Default)]
struct Request {
    operation: Option<String>,
    object: Option<String>,
    external_id: Option<String>,
    concurrency: Option<String>,
    content_type: Option<String>,
    state: Option<String>,
}

fn unparsable() -> V1Error {
    V1Error::new(
        "InvalidJob",
        "Unable to parse Job: send a jobInfo element (XML) or object (JSON)",
    )
}

fn read_request(raw: &Bytes, format: Format) -> V1Result<Request> {
    let text = std::str::from_utf8(raw).map_err(|_| unparsable())?;
    match format {
        Format::Json => {
            let v: Value = serde_json::from_str(text).map_err(|_| unparsable())?;
            if !v.is_object() {
                return Err(unparsable());
            }
            let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            Ok(Request {
                operation: s("operation"),
                object: s("object"),
                external_id: s("externalIdFieldName"),
                concurrency: s("concurrencyMode"),
                content_type: s("contentType"),
                state: s("state"),
            })
        }
        Format::Xml => {
            let doc = xml::parse(text).map_err(|e| {
                V1Error::new(
                    "InvalidXML",
                    format!("The job info is not well-formed XML: {e}"),
                )
            })?;
            if doc.name != "jobInfo" {
                return Err(unparsable());
            }
            let s = |k: &str| doc.child_text(k).map(str::to_string);
            Ok(Request {
                operation: s("operation"),
                object: s("object"),
                external_id: s("externalIdFieldName"),
                concurrency: s("concurrencyMode"),
                content_type: s("contentType"),
                state: s("state"),
            })
        }
    }
}

fn parse_operation(name: &str) -> Option<Operation> {
    Operation::parse_ingest(name).or_else(|| Operation::parse_query(name))
}

/// `Sforce-Enable-PKChunking: true` or `chunkSize=N; startRow=…`: the chunk size, if any.
fn pk_chunking(headers: &HeaderMap, operation: Operation) -> V1Result<Option<usize>> {
    let Some(value) = headers
        .get("sforce-enable-pkchunking")
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
    else {
        return Ok(None);
    };
    if value.eq_ignore_ascii_case("false") {
        return Ok(None);
    }
    if !operation.is_query() {
        return Err(V1Error::new(
            "InvalidJob",
            format!(
                "PK chunking is supported for query and queryAll jobs only, not {}: remove the Sforce-Enable-PKChunking header",
                operation.as_str()
            ),
        ));
    }
    if value.eq_ignore_ascii_case("true") {
        return Ok(Some(DEFAULT_CHUNK));
    }
    let mut size = DEFAULT_CHUNK;
    for part in value.split(';') {
        let Some((key, v)) = part.split_once('=') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("chunkSize") {
            size = v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=MAX_CHUNK).contains(n))
                .ok_or_else(|| {
                    V1Error::new(
                        "InvalidJob",
                        format!(
                            "Invalid chunkSize {}: use a whole number from 1 to {MAX_CHUNK}",
                            v.trim()
                        ),
                    )
                })?;
        }
    }
    Ok(Some(size))
}

pub async fn create(
    State(state): State<AppState>,
    Path(v): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let format = Format::of_request(&headers, Format::Xml);
    match create_job(&state, &v, &headers, &raw, format) {
        Ok(job) => lock(&job).info().render(StatusCode::CREATED, format),
        Err(e) => e.render(format),
    }
}

fn create_job(
    state: &AppState,
    v: &str,
    headers: &HeaderMap,
    raw: &Bytes,
    format: Format,
) -> V1Result<Arc<Mutex<Job>>> {
    let (session, version) = caller(state, headers, v)?;
    let request = read_request(raw, format)?;
    let operation_name = request.operation.as_deref().ok_or_else(|| {
        V1Error::new(
            "InvalidJob",
            "operation is required: use insert, update, upsert, delete, hardDelete, query or queryAll",
        )
    })?;
    let operation = parse_operation(operation_name).ok_or_else(|| {
        V1Error::new(
            "InvalidJob",
            format!("Invalid operation: {operation_name}: use insert, update, upsert, delete, hardDelete, query or queryAll"),
        )
    })?;
    let object_name = request.object.as_deref().ok_or_else(|| {
        V1Error::new(
            "InvalidJob",
            "object is required: name the sObject, for example Account",
        )
    })?;
    let schema = state.org.schema();
    let object = schema.object(object_name).ok_or_else(|| {
        V1Error::new(
            "InvalidJob",
            format!("Unable to find object: {object_name}. Check its API name (custom objects end in __c)"),
        )
    })?;
    let content_type = match request.content_type.as_deref() {
        None => ContentType::Xml,
        Some(name) => ContentType::parse(name).ok_or_else(|| {
            V1Error::new(
                "InvalidJob",
                format!("Invalid contentType: {name}: use CSV, JSON or XML"),
            )
        })?,
    };
    let concurrency = match request.concurrency.as_deref() {
        None => Concurrency::Parallel,
        Some(name) => Concurrency::parse(name).ok_or_else(|| {
            V1Error::new(
                "InvalidJob",
                format!("Invalid concurrencyMode: {name}: use Parallel or Serial"),
            )
        })?,
    };
    let external_id_field = match (operation, request.external_id.as_deref()) {
        (Operation::Upsert, None | Some("")) => {
            return Err(V1Error::new(
                "InvalidJob",
                format!(
                    "External ID was blank for {}. An External ID must be specified for upsert.",
                    object.name
                ),
            ));
        }
        (Operation::Upsert, Some(name)) => Some(
            object
                .field(name)
                .filter(|f| f.external_id || f.kind == FieldType::Id || (f.id_lookup && f.unique))
                .map(|f| f.name.clone())
                .ok_or_else(|| {
                    V1Error::new(
                        "InvalidJob",
                        format!(
                            "The field {name} on {} is not an External ID field or Id: choose a field marked External ID",
                            object.name
                        ),
                    )
                })?,
        ),
        _ => None,
    };
    let pk_chunk_size = pk_chunking(headers, operation)?;
    let now = crate::store::now_ms();
    let job = Job {
        id: state.org.bulk.next_id(),
        operation,
        object: object.name.clone(),
        created_by: session.user_id,
        created_ms: now,
        modstamp_ms: now,
        state: JobState::Open,
        external_id_field,
        concurrency,
        content_type,
        api_version: version,
        pk_chunk_size,
        batches: Vec::new(),
        serial_queue: None,
    };
    let id = job.id.clone();
    let job = Arc::new(Mutex::new(job));
    lock(&state.org.bulk.v1.jobs).insert(id, job.clone());
    Ok(job)
}

/// The format of answers about an existing job: the request's, else the job's content type.
pub(super) fn job_format(headers: &HeaderMap, job: &Job) -> Format {
    let fallback = match job.content_type {
        ContentType::Json => Format::Json,
        ContentType::Csv | ContentType::Xml => Format::Xml,
    };
    Format::of_request(headers, fallback)
}

pub async fn info(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let fallback = Format::of_request(&headers, Format::Xml);
    let found = caller(&state, &headers, &v).and_then(|_| state.org.bulk.v1.find(&id));
    match found {
        Ok(job) => {
            let j = lock(&job);
            j.info().render(StatusCode::OK, job_format(&headers, &j))
        }
        Err(e) => e.render(fallback),
    }
}

pub async fn change_state(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let format = Format::of_request(&headers, Format::Xml);
    let changed = (|| {
        caller(&state, &headers, &v)?;
        let job = state.org.bulk.v1.find(&id)?;
        let request = read_request(&raw, format)?;
        let mut j = lock(&job);
        match request.state.as_deref() {
            Some("Closed") if j.state == JobState::Open => j.set_state(JobState::Closed),
            Some("Aborted") if matches!(j.state, JobState::Open | JobState::Closed) => {
                j.set_state(JobState::Aborted);
                // Batches not started yet are never processed; running ones finish.
                for batch in &j.batches {
                    let mut b = lock(batch);
                    if b.state == BatchState::Queued {
                        b.set_state(BatchState::NotProcessed, None);
                    }
                }
            }
            Some(wanted @ ("Closed" | "Aborted")) => {
                return Err(V1Error::new(
                    "InvalidJobState",
                    format!(
                        "Job {} is {} and cannot be set to {wanted}",
                        j.id,
                        j.state.as_str()
                    ),
                ));
            }
            Some(other) => {
                return Err(V1Error::new(
                    "InvalidJob",
                    format!("Invalid state: {other}: set Closed or Aborted"),
                ));
            }
            None => {
                return Err(V1Error::new(
                    "InvalidJob",
                    "state is required: send <state>Closed</state> or <state>Aborted</state>",
                ));
            }
        }
        Ok(j.info())
    })();
    match changed {
        Ok(info) => info.render(StatusCode::OK, format),
        Err(e) => e.render(format),
    }
}
