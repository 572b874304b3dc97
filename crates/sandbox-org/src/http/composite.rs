//! Composite: up to 25 subrequests in one call (one API call against the limits), later ones
//! referring to earlier results with `@{referenceId.path}`. Under `allOrNone` a failure undoes
//! what earlier subrequests wrote, from before-images taken as they ran.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tower::ServiceExt;

use super::auth::Session;
use super::{AppState, api_routes, api_version_since, body};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::Record;

pub const MAX_SUBREQUESTS: usize = 25;
pub const MAX_QUERIES_OR_COLLECTIONS: usize = 5;
const MAX_SUBRESPONSE_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/data/{v}/composite", post(composite))
        .route("/services/data/{v}/composite/", post(composite))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompositeRequest {
    #[serde(default)]
    all_or_none: bool,
    #[serde(default)]
    #[allow(dead_code)]
    collate_subrequests: bool,
    composite_request: Vec<Subrequest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subrequest {
    method: String,
    url: String,
    reference_id: String,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    http_headers: Option<Map<String, Value>>,
}

struct SubResult {
    reference_id: String,
    status: StatusCode,
    body: Value,
    headers: Map<String, Value>,
}

impl SubResult {
    fn to_json(&self) -> Value {
        json!({
            "body": self.body,
            "httpHeaders": self.headers,
            "httpStatusCode": self.status.as_u16(),
            "referenceId": self.reference_id,
        })
    }

    fn halted(reference_id: &str, message: String) -> SubResult {
        SubResult {
            reference_id: reference_id.to_string(),
            status: StatusCode::BAD_REQUEST,
            body: json!([{ "errorCode": "PROCESSING_HALTED", "message": message }]),
            headers: Map::new(),
        }
    }
}

/// The subrequest's HTTP method, when it is one Composite accepts.
fn subrequest_method(sub: &Subrequest) -> Option<Method> {
    let method = Method::from_bytes(sub.method.to_ascii_uppercase().as_bytes()).ok()?;
    [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ]
    .contains(&method)
    .then_some(method)
}

fn is_query_or_collection(url: &str) -> bool {
    url.contains("/query") || url.contains("/composite/sobjects")
}

fn validate(req: &CompositeRequest) -> ApiResult<()> {
    let n = req.composite_request.len();
    if n == 0 {
        return Err(ApiError::bad_request(
            "INVALID_API_INPUT",
            "compositeRequest must contain at least one subrequest",
        ));
    }
    if n > MAX_SUBREQUESTS {
        return Err(ApiError::bad_request(
            "LIMIT_EXCEEDED",
            format!(
                "The composite request has {n} subrequests; the maximum is {MAX_SUBREQUESTS}. Split it into several calls."
            ),
        ));
    }
    let heavy = req
        .composite_request
        .iter()
        .filter(|s| is_query_or_collection(&s.url))
        .count();
    if heavy > MAX_QUERIES_OR_COLLECTIONS {
        return Err(ApiError::bad_request(
            "LIMIT_EXCEEDED",
            format!(
                "The composite request has {heavy} query or collection subrequests; the maximum is {MAX_QUERIES_OR_COLLECTIONS}."
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for sub in &req.composite_request {
        if sub.reference_id.is_empty()
            || !sub
                .reference_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!(
                    "Invalid referenceId '{}': use letters, digits and underscores",
                    sub.reference_id
                ),
            ));
        }
        if !seen.insert(sub.reference_id.as_str()) {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!(
                    "Duplicate referenceId provided in the request: {}",
                    sub.reference_id
                ),
            ));
        }
        if subrequest_method(sub).is_none() {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!(
                    "Invalid method '{}' in subrequest '{}': use GET, POST, PUT, PATCH or DELETE",
                    sub.method, sub.reference_id
                ),
            ));
        }
        if !sub.url.starts_with("/services/data/") {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!(
                    "Invalid url '{}': it must start with /services/data/",
                    sub.url
                ),
            ));
        }
        if sub.url.contains("/composite") && !sub.url.contains("/composite/sobjects") {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                "A composite subrequest cannot itself be a composite request",
            ));
        }
    }
    Ok(())
}

/// Follows `records[0].Id` style paths into an earlier result body.
fn lookup(body: &Value, path: &str) -> Option<Value> {
    let mut current = body;
    for part in path.split('.') {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            current = current.get(name)?;
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            let n: usize = index.trim_end_matches(']').parse().ok()?;
            current = current.get(n)?;
        }
    }
    Some(current.clone())
}

/// Replaces every `@{ref.path}` in `text`; `Err(message)` names the first unresolvable one.
fn substitute(text: &str, results: &HashMap<String, SubResult>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("Unterminated reference in '{text}'"));
        };
        let expr = &after[..end];
        let (reference, path) = expr.split_once('.').unwrap_or((expr, ""));
        let value = results
            .get(reference)
            .filter(|r| r.status.is_success())
            .and_then(|r| if path.is_empty() { Some(r.body.clone()) } else { lookup(&r.body, path) })
            .ok_or_else(|| format!("Invalid reference specified. No value for {expr} found in {reference}. Provided referenceId ({reference}) must match a successful, earlier subrequest."))?;
        match value {
            Value::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn substitute_value(v: &Value, results: &HashMap<String, SubResult>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(substitute(s, results)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substitute_value(x, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), substitute_value(x, results)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Records a write may change, read before it runs.
fn before_images(
    state: &AppState,
    method: &Method,
    url: &str,
    body: Option<&Value>,
) -> Vec<(String, Option<Record>)> {
    if method == Method::GET {
        return Vec::new();
    }
    let path = url.split('?').next().unwrap_or(url);
    let mut ids_touched: Vec<String> = Vec::new();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if let Some(pos) = segments.iter().position(|s| *s == "sobjects") {
        match &segments[pos + 1..] {
            [_, id] => ids_touched.push(id.to_string()),
            [object, field, value] if !segments.contains(&"composite") => {
                ids_touched.extend(state.org.store.find_by_key(object, field, value));
            }
            _ => {}
        }
    }
    if let Some(records) = body
        .and_then(|b| b.get("records"))
        .and_then(Value::as_array)
    {
        for r in records {
            if let Some(id) = r.get("Id").and_then(Value::as_str) {
                ids_touched.push(id.to_string());
            }
        }
    }
    if let Some(query) = url
        .split_once("ids=")
        .map(|(_, q)| q.split('&').next().unwrap_or(""))
    {
        ids_touched.extend(query.split(',').map(str::to_string));
    }
    ids_touched
        .into_iter()
        .filter_map(|id| ids::to_18(&id))
        .map(|id| {
            let before = state.org.store.get(&id);
            (id, before)
        })
        .collect()
}

/// Ids a successful write answered with (creates), for undo.
fn answered_ids(body: &Value, out: &mut Vec<String>) {
    match body {
        Value::Object(m) => {
            if let Some(id) = m.get("id").and_then(Value::as_str) {
                out.push(id.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| answered_ids(x, out)),
        _ => {}
    }
}

async fn composite(
    State(state): State<AppState>,
    Path(v): Path<String>,
    _session: Session,
    headers: HeaderMap,
    raw: Bytes,
) -> ApiResult<Response> {
    // Composite first appeared in v38.0.
    api_version_since(&v, 38)?;
    let req: CompositeRequest = serde_json::from_value(body::json(&raw)?).map_err(|e| {
        ApiError::json_parse(format!("Cannot deserialize the composite request: {e}"))
    })?;
    validate(&req)?;
    let inner = api_routes().with_state(state.clone());
    let auth = headers.get(header::AUTHORIZATION).cloned();
    let mut results: HashMap<String, SubResult> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut undo: Vec<(String, Option<Record>)> = Vec::new();
    let mut failed_at: Option<usize> = None;
    for (index, sub) in req.composite_request.iter().enumerate() {
        order.push(sub.reference_id.clone());
        let prepared = substitute(&sub.url, &results).and_then(|url| {
            Ok((
                url,
                sub.body
                    .as_ref()
                    .map(|b| substitute_value(b, &results))
                    .transpose()?,
            ))
        });
        let (url, body) = match prepared {
            Ok(x) => x,
            Err(message) => {
                results.insert(
                    sub.reference_id.clone(),
                    SubResult::halted(&sub.reference_id, message),
                );
                if req.all_or_none {
                    failed_at = Some(index);
                    break;
                }
                continue;
            }
        };
        // `validate` refused every other method, so this always has one.
        let Some(method) = subrequest_method(sub) else {
            continue;
        };
        let befores = before_images(&state, &method, &url, body.as_ref());
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&url)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(a) = &auth {
            request = request.header(header::AUTHORIZATION, a.clone());
        }
        for (k, v) in sub.http_headers.iter().flatten() {
            if let Some(s) = v.as_str() {
                request = request.header(k.as_str(), s);
            }
        }
        let payload = body.as_ref().map(|b| b.to_string()).unwrap_or_default();
        let request = request.body(Body::from(payload)).map_err(|e| {
            ApiError::bad_request(
                "INVALID_API_INPUT",
                format!("Invalid subrequest '{}': {e}", sub.reference_id),
            )
        })?;
        let response = match inner.clone().oneshot(request).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = response.status();
        let mut sub_headers = Map::new();
        if let Some(loc) = response
            .headers()
            .get(header::LOCATION)
            .and_then(|h| h.to_str().ok())
        {
            sub_headers.insert("Location".into(), json!(loc));
        }
        let bytes = axum::body::to_bytes(response.into_body(), MAX_SUBRESPONSE_BYTES)
            .await
            .unwrap_or_default();
        let answer: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        if status.is_success() && method != Method::GET {
            let mut created = Vec::new();
            answered_ids(&answer, &mut created);
            for id in created {
                if !befores.iter().any(|(b, _)| *b == id) {
                    undo.push((id, None));
                }
            }
            undo.extend(befores);
        }
        if status == StatusCode::CREATED
            && sub_headers.is_empty()
            && let Some(id) = answer.get("id").and_then(Value::as_str)
        {
            let object = state
                .org
                .schema()
                .object_for_id(id)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            sub_headers.insert(
                "Location".into(),
                json!(format!("/services/data/{v}/sobjects/{object}/{id}")),
            );
        }
        results.insert(
            sub.reference_id.clone(),
            SubResult {
                reference_id: sub.reference_id.clone(),
                status,
                body: answer,
                headers: sub_headers,
            },
        );
        if !status.is_success() && req.all_or_none {
            failed_at = Some(index);
            break;
        }
    }
    if let Some(failed) = failed_at {
        roll_back(&state, undo);
        let message = "The transaction was rolled back since another operation in the same transaction failed.".to_string();
        for (index, sub) in req.composite_request.iter().enumerate() {
            if index != failed {
                results.insert(
                    sub.reference_id.clone(),
                    SubResult::halted(&sub.reference_id, message.clone()),
                );
            }
        }
        order = req
            .composite_request
            .iter()
            .map(|s| s.reference_id.clone())
            .collect();
    }
    let responses: Vec<Value> = order
        .iter()
        .filter_map(|r| results.get(r))
        .map(SubResult::to_json)
        .collect();
    Ok(axum::Json(json!({ "compositeResponse": responses })).into_response())
}

/// Undoes in reverse order: created records are removed, changed ones restored.
fn roll_back(state: &AppState, undo: Vec<(String, Option<Record>)>) {
    let result: Result<(), crate::error::SfError> = state.org.store.write(|w| {
        for (id, before) in undo.into_iter().rev() {
            match before {
                Some(record) => w.restore(&record)?,
                None => {
                    let _ = w.hard_delete(&id);
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        tracing::error!(
            "sandbox org could not roll back a composite request: {}",
            e.message
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_into_earlier_bodies() {
        let mut results = HashMap::new();
        results.insert(
            "acct".to_string(),
            SubResult {
                reference_id: "acct".into(),
                status: StatusCode::CREATED,
                body: json!({"id": "001A"}),
                headers: Map::new(),
            },
        );
        results.insert(
            "q".to_string(),
            SubResult {
                reference_id: "q".into(),
                status: StatusCode::OK,
                body: json!({"records": [{"Id": "003B"}]}),
                headers: Map::new(),
            },
        );
        assert_eq!(
            substitute("/x/@{acct.id}/y", &results).unwrap(),
            "/x/001A/y"
        );
        assert_eq!(substitute("@{q.records[0].Id}", &results).unwrap(), "003B");
        assert!(
            substitute("@{missing.id}", &results)
                .unwrap_err()
                .contains("missing.id")
        );
        assert!(substitute("@{acct.id", &results).is_err());
    }
}
