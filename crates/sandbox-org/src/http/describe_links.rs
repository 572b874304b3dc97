//! The describe's remaining links: `quickActions`, `defaultValues`, and the record pages a
//! browser opens (`uiDetailTemplate` `/{ID}`, `uiEditTemplate` `/{ID}/e`, `uiNewRecord`
//! `/{prefix}/e`), so that every link a describe advertises answers.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::{self, Session};
use super::rest::object_of;
use super::{AppState, api_version};
use crate::error::{ApiError, ApiResult};

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for (path, route) in [
        (
            "/services/data/{v}/sobjects/{object}/quickActions",
            get(quick_actions),
        ),
        (
            "/services/data/{v}/sobjects/{object}/defaultValues",
            get(default_values),
        ),
    ] {
        r = r
            .route(path, route.clone())
            .route(&format!("{path}/"), route);
    }
    r
}

/// The browser pages, outside the API: merged beside the OAuth routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/{id}", get(record_page))
        .route("/{id}/e", get(record_page))
}

/// The sandbox org defines no quick actions, so every object lists none.
async fn quick_actions(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    object_of(&state, &session.user_id, &object)?;
    Ok(axum::Json(json!([])).into_response())
}

#[derive(Deserialize)]
struct DefaultsQuery {
    fields: Option<String>,
}

/// What a new record of the object starts with: each createable field's default from the
/// describe, or null.
async fn default_values(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    Query(query): Query<DefaultsQuery>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let wanted: Option<Vec<String>> = query.fields.filter(|f| !f.is_empty()).map(|f| {
        f.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .collect()
    });
    let mut body = Map::new();
    body.insert("attributes".into(), json!({ "type": object.name }));
    for field in object.fields.iter().filter(|f| f.createable) {
        if wanted
            .as_ref()
            .is_some_and(|w| !w.contains(&field.name.to_ascii_lowercase()))
        {
            continue;
        }
        let value = field
            .default_value
            .clone()
            .or_else(|| field.default_picklist_value().map(|p| json!(p)))
            .unwrap_or(Value::Null);
        body.insert(field.name.clone(), value);
    }
    Ok(axum::Json(Value::Object(body)).into_response())
}

/// A record page: the record's fields when the caller has a session, a sign-in page when not,
/// and the org's JSON 404 for anything that is not a record id or key prefix.
async fn record_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let schema = &state.org.schema();
    let record = state.org.store.get(&id);
    let object = match &record {
        Some(r) => r
            .get("Id")
            .and_then(Value::as_str)
            .and_then(|i| schema.object_for_id(i)),
        None => schema.object_by_prefix(&id),
    };
    let Some(object) = object else {
        return ApiError::resource_not_found().into_response();
    };
    if auth::authenticate(&state, &headers).is_err() {
        return html(
            StatusCode::UNAUTHORIZED,
            &format!("Sign in to {}", object.label),
            "<p>Sign in to the sandbox org to see this page.</p>",
        );
    }
    let Some(record) = record else {
        return html(
            StatusCode::OK,
            &format!("New {}", object.label),
            "<p>Create records through the API or in Tether.</p>",
        );
    };
    let rows: String = object
        .fields
        .iter()
        .filter_map(|f| {
            let value = record.get(&f.name)?;
            let shown = match value {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(&f.label),
                escape(&shown)
            ))
        })
        .collect();
    let title = record
        .get("Name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| id.clone());
    html(
        StatusCode::OK,
        &format!("{}: {}", object.label, title),
        &format!("<table>{rows}</table>"),
    )
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
