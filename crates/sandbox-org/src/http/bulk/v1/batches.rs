//! `/job/{id}/batch…`: add a batch, list them, read one, its request and its results.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::super::dialect::Dialect;
use super::super::writer::{Cell, CsvWriter};
use super::super::{Outcome, lock};
use super::job::{Batch, BatchState, ContentType, Job, JobState};
use super::jobs::job_format;
use super::wire::{self, Format, Info, NAMESPACE, V1Error, V1Result, xml_response};
use super::{BATCH_KEY_PREFIX, caller, run};
use crate::http::AppState;
use crate::ids;

/// What a real org answers for a query that matched nothing, instead of an empty CSV file.
const NO_RECORDS: &str = "Records not found for this query";

type SharedJob = Arc<Mutex<Job>>;

/// The job of a request, checked, and the format to answer in.
fn job_of(
    state: &AppState,
    v: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(SharedJob, Format), (V1Error, Format)> {
    let fallback = Format::of_request(headers, Format::Xml);
    let checked = caller(state, headers, v).and_then(|_| state.org.bulk.v1.find(id));
    match checked {
        Ok(job) => {
            let format = job_format(headers, &lock(&job));
            Ok((job, format))
        }
        Err(e) => Err((e, fallback)),
    }
}

fn batch_of(job: &Job, batch_id: &str) -> V1Result<Arc<Mutex<Batch>>> {
    let wanted = ids::to_18(batch_id);
    job.batches
        .iter()
        .find(|b| Some(&lock(b).id) == wanted.as_ref())
        .cloned()
        .ok_or_else(|| {
            V1Error::new(
                "InvalidBatch",
                format!(
                    "Invalid batch id: {batch_id} is not a batch of job {}",
                    job.id
                ),
            )
        })
}

fn answer(result: V1Result<Response>, format: Format) -> Response {
    result.unwrap_or_else(|e| e.render(format))
}

pub async fn add(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (job, format) = match job_of(&state, &v, &id, &headers) {
        Ok(found) => found,
        Err((e, format)) => return e.render(format),
    };
    let added = (|| {
        let mut j = lock(&job);
        if j.state != JobState::Open {
            return Err(V1Error::new(
                "InvalidJobState",
                format!(
                    "Job {} is {}: batches can only be added to an Open job. Create a new job",
                    j.id,
                    j.state.as_str()
                ),
            ));
        }
        let batch = Batch::new(state.org.bulk.v1.next(BATCH_KEY_PREFIX), j.id.clone(), body);
        let info = batch.info();
        let batch = Arc::new(Mutex::new(batch));
        j.batches.push(batch.clone());
        Ok((info, batch))
    })();
    match added {
        Ok((info, batch)) => {
            state.org.limits.count_bulk_batch();
            run::start(state.org.clone(), job, batch);
            info.render(StatusCode::CREATED, format)
        }
        Err(e) => e.render(format),
    }
}

pub async fn list(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match job_of(&state, &v, &id, &headers) {
        Ok((job, format)) => {
            let batches = lock(&job).batches.clone();
            let infos: Vec<Info> = batches.iter().map(|b| lock(b).info()).collect();
            wire::batch_list(&infos, format)
        }
        Err((e, format)) => e.render(format),
    }
}

pub async fn info(
    State(state): State<AppState>,
    Path((v, id, batch_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (job, format) = match job_of(&state, &v, &id, &headers) {
        Ok(found) => found,
        Err((e, format)) => return e.render(format),
    };
    let found = batch_of(&lock(&job), &batch_id);
    answer(
        found.map(|b| lock(&b).info().render(StatusCode::OK, format)),
        format,
    )
}

fn with_type(mut response: Response, content_type: &'static str) -> Response {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub async fn request(
    State(state): State<AppState>,
    Path((v, id, batch_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (job, format) = match job_of(&state, &v, &id, &headers) {
        Ok(found) => found,
        Err((e, format)) => return e.render(format),
    };
    let (found, content_type, is_query) = {
        let j = lock(&job);
        (
            batch_of(&j, &batch_id),
            j.content_type,
            j.operation.is_query(),
        )
    };
    answer(
        found.map(|b| {
            let body = lock(&b).request.clone();
            let kind = match content_type {
                _ if is_query => "text/plain",
                ContentType::Csv => "text/csv",
                ContentType::Json => "application/json",
                ContentType::Xml => "application/xml",
            };
            with_type(body.into_response(), kind)
        }),
        format,
    )
}

fn not_completed(batch: &Batch) -> V1Error {
    V1Error::new(
        "InvalidBatch",
        format!(
            "Batch not completed: batch {} is {}. Poll the batch until it is Completed",
            batch.id,
            batch.state.as_str()
        ),
    )
}

pub async fn results(
    State(state): State<AppState>,
    Path((v, id, batch_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (job, format) = match job_of(&state, &v, &id, &headers) {
        Ok(found) => found,
        Err((e, format)) => return e.render(format),
    };
    let rendered = (|| {
        let (batch, content_type, is_query) = {
            let j = lock(&job);
            (
                batch_of(&j, &batch_id)?,
                j.content_type,
                j.operation.is_query(),
            )
        };
        let b = lock(&batch);
        let done = b.state == BatchState::Completed
            || (b.state == BatchState::Failed && !b.outcomes.is_empty());
        if !done {
            return Err(not_completed(&b));
        }
        if is_query {
            let ids: Vec<String> = b.results.iter().map(|r| r.id.clone()).collect();
            let list_format = match content_type {
                ContentType::Json => Format::Json,
                ContentType::Csv | ContentType::Xml => Format::Xml,
            };
            return Ok(wire::result_list(&ids, list_format));
        }
        Ok(ingest_results(&b.outcomes, content_type))
    })();
    answer(rendered, format)
}

/// `"Id","Success","Created","Error"` (CSV), or the JSON and XML result lists.
fn ingest_results(outcomes: &[Outcome], content_type: ContentType) -> Response {
    let fields = |o: &Outcome| match o {
        Outcome::Success { id, created } => (id.clone(), true, *created, None),
        Outcome::Failure { id, error } => (id.clone(), false, false, Some(error.clone())),
    };
    match content_type {
        ContentType::Csv => {
            let mut out = CsvWriter::new(Dialect::default());
            out.row(
                ["Id", "Success", "Created", "Error"].map(Cell::Always),
                true,
            );
            for o in outcomes {
                let (id, ok, created, error) = fields(o);
                out.row(
                    [
                        id,
                        ok.to_string(),
                        created.to_string(),
                        error.unwrap_or_default(),
                    ],
                    true,
                );
            }
            with_type(out.finish().into_response(), "text/csv")
        }
        ContentType::Json => {
            let list: Vec<Value> = outcomes
                .iter()
                .map(|o| {
                    let (id, ok, created, error) = fields(o);
                    json!({
                        "success": ok,
                        "created": created,
                        "id": if id.is_empty() { Value::Null } else { json!(id) },
                        "errors": error.map(|e| vec![error_json(&e)]).unwrap_or_default(),
                    })
                })
                .collect();
            axum::Json(list).into_response()
        }
        ContentType::Xml => {
            let mut out = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><results xmlns=\"{NAMESPACE}\">"
            );
            for o in outcomes {
                let (id, ok, created, error) = fields(o);
                out.push_str("<result>");
                if !id.is_empty() {
                    out.push_str(&format!("<id>{id}</id>"));
                }
                out.push_str(&format!(
                    "<success>{ok}</success><created>{created}</created>"
                ));
                if let Some(e) = error {
                    let e = error_json(&e);
                    out.push_str("<errors>");
                    for field in e["fields"].as_array().into_iter().flatten() {
                        wire::value_to_xml("fields", field, &mut out);
                    }
                    wire::value_to_xml("message", &e["message"], &mut out);
                    wire::value_to_xml("statusCode", &e["statusCode"], &mut out);
                    out.push_str("</errors>");
                }
                out.push_str("</result>");
            }
            out.push_str("</results>");
            xml_response(StatusCode::OK, out)
        }
    }
}

/// A row error as written in a result file (`CODE:message:fields --`) back into its parts.
fn error_json(text: &str) -> Value {
    let trimmed = text.trim_end_matches("--").trim_end();
    let (code, rest) = trimmed
        .split_once(':')
        .unwrap_or(("UNKNOWN_EXCEPTION", trimmed));
    let (message, fields) = rest.rsplit_once(':').unwrap_or((rest, ""));
    let fields: Vec<&str> = fields
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    json!({ "message": message, "fields": fields, "statusCode": code })
}

pub async fn query_result(
    State(state): State<AppState>,
    Path((v, id, batch_id, result_id)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (job, format) = match job_of(&state, &v, &id, &headers) {
        Ok(found) => found,
        Err((e, format)) => return e.render(format),
    };
    let rendered = (|| {
        let (batch, content_type, version) = {
            let j = lock(&job);
            (batch_of(&j, &batch_id)?, j.content_type, j.api_version)
        };
        let wanted = ids::to_18(&result_id);
        let set = lock(&batch)
            .results
            .iter()
            .find(|r| Some(&r.id) == wanted.as_ref())
            .cloned()
            .ok_or_else(|| {
                V1Error::new(
                    "InvalidBatch",
                    format!("Invalid result id: {result_id} is not a result of batch {batch_id}"),
                )
            })?;
        let store = &state.org.store;
        let version = format!("v{version}.0");
        Ok(match content_type {
            ContentType::Csv => {
                if set.records.is_empty() {
                    return Ok(with_type(NO_RECORDS.into_response(), "text/csv"));
                }
                let mut out = CsvWriter::new(Dialect::default());
                out.row(set.query.headers.iter().map(|h| Cell::Always(h)), true);
                let mut text = out.finish();
                text.push_str(
                    &set.query
                        .render_rows(store, &set.records, Dialect::default()),
                );
                with_type(text.into_response(), "text/csv")
            }
            ContentType::Json => {
                axum::Json(set.query.render_records(store, &set.records, &version)).into_response()
            }
            ContentType::Xml => {
                let mut out = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><queryResult xmlns=\"{NAMESPACE}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                );
                for record in set.query.render_records(store, &set.records, &version) {
                    wire::value_to_xml("records", &record, &mut out);
                }
                out.push_str("</queryResult>");
                xml_response(StatusCode::OK, out)
            }
        })
    })();
    answer(rendered, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_error_splits_into_code_message_and_fields() {
        assert_eq!(
            error_json("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"),
            json!({"message": "Required fields are missing: [Name]", "fields": ["Name"], "statusCode": "REQUIRED_FIELD_MISSING"})
        );
        assert_eq!(
            error_json("ENTITY_IS_DELETED:entity is deleted:--"),
            json!({"message": "entity is deleted", "fields": [], "statusCode": "ENTITY_IS_DELETED"})
        );
    }
}
