//! `UNABLE_TO_LOCK_ROW` answers, shaped per resource as a real org shapes them (see the
//! parent module for which writes get which shape).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::{ApiError, SfError};
use crate::http::collections::MAX_RECORDS;
use crate::http::composite::MAX_SUBREQUESTS;
use crate::ids;

const CODE: &str = "UNABLE_TO_LOCK_ROW";
const MESSAGE: &str = "unable to obtain exclusive access to this record";

/// Which kind of write a request is, as far as lock errors go.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Write {
    /// `POST/PATCH/DELETE .../sobjects/...`; the record id when the path names one.
    Record(Option<String>),
    /// sObject Collections create, update, upsert or delete.
    Collection,
    /// `POST .../composite`.
    Composite,
}

impl Write {
    pub(super) fn of(method: &Method, path: &str) -> Option<Write> {
        if !matches!(
            *method,
            Method::POST | Method::PATCH | Method::PUT | Method::DELETE
        ) {
            return None;
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let rest = match segments.as_slice() {
            ["services", "data", _version, rest @ ..] => rest,
            _ => return None,
        };
        match rest {
            ["sobjects", _object, ..] => {
                let id = match rest {
                    [_, _, id] => ids::to_18(id),
                    _ => None,
                };
                Some(Write::Record(id))
            }
            ["composite", "sobjects"] => Some(Write::Collection),
            ["composite", "sobjects", _object, _field] if *method == Method::PATCH => {
                Some(Write::Collection)
            }
            ["composite"] if *method == Method::POST => Some(Write::Composite),
            _ => None,
        }
    }
}

/// Answers `request` with a lock error when it is a write that can get one; otherwise hands
/// the request back, intact, to be run.
pub(super) async fn refuse(request: Request) -> Result<Response, Request> {
    let Some(write) = Write::of(request.method(), request.uri().path()) else {
        return Err(request);
    };
    match write {
        Write::Record(id) => {
            let message = match id {
                Some(id) => format!("{MESSAGE} or 1 records: {id}"),
                None => MESSAGE.to_string(),
            };
            Ok(ApiError::rest(StatusCode::BAD_REQUEST, CODE, message).into_response())
        }
        Write::Collection if *request.method() == Method::DELETE => {
            let count = request.uri().query().map(ids_in_query).unwrap_or(0);
            if (1..=MAX_RECORDS).contains(&count) {
                Ok(collection_failure(count))
            } else {
                Err(request)
            }
        }
        Write::Collection => {
            let (request, body) = buffered(request).await?;
            match body.get("records").and_then(Value::as_array).map(Vec::len) {
                Some(count @ 1..=MAX_RECORDS) => Ok(collection_failure(count)),
                _ => Err(request),
            }
        }
        Write::Composite => {
            let (request, body) = buffered(request).await?;
            let subrequests = body
                .get("compositeRequest")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let all_writes = subrequests.iter().all(|s| {
                s.get("method").and_then(Value::as_str).is_some_and(|m| {
                    ["POST", "PATCH", "PUT", "DELETE"].contains(&m.to_ascii_uppercase().as_str())
                })
            });
            if subrequests.is_empty() || subrequests.len() > MAX_SUBREQUESTS || !all_writes {
                return Err(request);
            }
            Ok(composite_failure(&subrequests))
        }
    }
}

fn ids_in_query(query: &str) -> usize {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.split(',').filter(|id| !id.trim().is_empty()).count())
        .sum()
}

/// Reads the (already size-capped) body as JSON and rebuilds the request around it. A body
/// that is not JSON hands the request back so the handler answers its own parse error.
async fn buffered(request: Request) -> Result<(Request, Value), Request> {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return Err(Request::from_parts(parts, Body::empty())),
    };
    let value = serde_json::from_slice::<Value>(&bytes).ok();
    let request = Request::from_parts(parts, Body::from(bytes));
    match value {
        Some(value) => Ok((request, value)),
        None => Err(request),
    }
}

fn collection_failure(count: usize) -> Response {
    let error = SfError::new(CODE, MESSAGE).to_collection_json();
    let results: Vec<Value> = (0..count)
        .map(|_| json!({ "success": false, "errors": [error] }))
        .collect();
    axum::Json(results).into_response()
}

fn composite_failure(subrequests: &[Value]) -> Response {
    let responses: Vec<Value> = subrequests
        .iter()
        .map(|s| {
            json!({
                "body": [SfError::new(CODE, MESSAGE).to_rest_json()],
                "httpHeaders": {},
                "httpStatusCode": 400,
                "referenceId": s.get("referenceId").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    axum::Json(json!({ "compositeResponse": responses })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_told_apart_from_reads() {
        let id = ids::mint("001", 1);
        let cases = [
            (
                Method::POST,
                "/services/data/v60.0/sobjects/Account",
                Some(Write::Record(None)),
            ),
            (
                Method::PATCH,
                &format!("/services/data/v60.0/sobjects/Account/{id}") as &str,
                Some(Write::Record(Some(id.clone()))),
            ),
            (
                Method::PATCH,
                "/services/data/v60.0/sobjects/Account/External_Id__c/ACME-1",
                Some(Write::Record(None)),
            ),
            (
                Method::DELETE,
                "/services/data/v60.0/composite/sobjects/",
                Some(Write::Collection),
            ),
            (
                Method::PATCH,
                "/services/data/v60.0/composite/sobjects/Account/External_Id__c",
                Some(Write::Collection),
            ),
            (
                Method::POST,
                "/services/data/v60.0/composite/sobjects/Account",
                None,
            ),
            (
                Method::POST,
                "/services/data/v60.0/composite",
                Some(Write::Composite),
            ),
            (Method::GET, "/services/data/v60.0/sobjects/Account", None),
            (Method::POST, "/services/data/v60.0/jobs/ingest", None),
            (
                Method::PUT,
                "/services/data/v60.0/jobs/ingest/750000000000001AAA/batches",
                None,
            ),
        ];
        for (method, path, want) in cases {
            assert_eq!(Write::of(&method, path), want, "{method} {path}");
        }
    }

    #[test]
    fn ids_are_counted_in_a_delete_query() {
        assert_eq!(ids_in_query("ids=a,b,c&allOrNone=false"), 3);
        assert_eq!(ids_in_query("allOrNone=true"), 0);
        assert_eq!(ids_in_query("ids=a%2Cb"), 2);
    }
}
