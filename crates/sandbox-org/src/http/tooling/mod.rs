//! The Tooling API: custom fields created, read and deleted while the org runs
//! (`/tooling/sobjects/CustomField`), and `/tooling/query` over CustomField, EntityDefinition
//! and FieldDefinition.

mod describe;
mod query;
mod records;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::auth::Session;
use super::{AppState, Org, api_version, body};
use crate::error::{ApiError, ApiResult, SfError};
use crate::schema::metadata;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/services/data/{v}/tooling/sobjects/CustomField",
            get(describe::custom_field_info).post(create_field),
        )
        .route(
            "/services/data/{v}/tooling/sobjects/CustomField/",
            get(describe::custom_field_info).post(create_field),
        )
        .route(
            "/services/data/{v}/tooling/sobjects/CustomField/{id}",
            get(read_field).delete(delete_field),
        )
        .route("/services/data/{v}/tooling/sobjects", get(describe::global))
        .route(
            "/services/data/{v}/tooling/sobjects/",
            get(describe::global),
        )
        .route(
            "/services/data/{v}/tooling/sobjects/{object}/describe",
            get(describe::object),
        )
        .route("/services/data/{v}/tooling/query", get(query::query))
        .route("/services/data/{v}/tooling/query/", get(query::query))
}

/// Errors with `fields` always present, as the Tooling API sends them.
fn refused(status: StatusCode, errors: Vec<SfError>) -> Response {
    let status = if errors
        .iter()
        .any(|e| e.code == crate::error::UNKNOWN_EXCEPTION)
    {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    let body: Vec<Value> = errors
        .iter()
        .map(|e| json!({"message": e.message, "errorCode": e.code, "fields": e.fields}))
        .collect();
    (status, axum::Json(Value::Array(body))).into_response()
}

fn insufficient_access() -> Response {
    refused(
        StatusCode::BAD_REQUEST,
        vec![SfError::new(
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "insufficient access rights on object id: ask an administrator for the Customize Application permission",
        )],
    )
}

async fn create_field(
    State(state): State<AppState>,
    Path(v): Path<String>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version(&v)?;
    let input = body::json_object(&raw)?;
    if !crate::access::may_customize(&state.org, &session.user_id) {
        return Ok(insufficient_access());
    }
    let key = |name: &str| {
        input
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let full_name = key("FullName").and_then(|v| v.as_str().map(str::to_string));
    let field_metadata = key("Metadata").filter(Value::is_object);
    let (Some(full_name), Some(field_metadata)) = (full_name, field_metadata) else {
        let missing = if key("FullName").is_none() {
            "FullName"
        } else {
            "Metadata"
        };
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            vec![
                SfError::new(
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{missing}]"),
                )
                .with_fields([missing]),
            ],
        ));
    };
    let org = state.org.clone();
    let added = tokio::task::spawn_blocking(move || {
        let (object, field) = metadata::split_full_name(&full_name)?;
        let id = org.store.add_field(object, field, &field_metadata)?;
        org.describes_changed();
        Ok::<_, SfError>(id)
    })
    .await
    .map_err(|_| {
        ApiError::from_errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            vec![SfError::unknown_exception()],
        )
    })?;
    Ok(match added {
        Ok(id) => (
            StatusCode::CREATED,
            axum::Json(
                json!({"id": id, "success": true, "errors": [], "warnings": [], "infos": []}),
            ),
        )
            .into_response(),
        Err(e) => refused(StatusCode::BAD_REQUEST, vec![e]),
    })
}

fn not_found() -> Response {
    refused(
        StatusCode::NOT_FOUND,
        vec![SfError::new(
            "NOT_FOUND",
            "The requested resource does not exist",
        )],
    )
}

async fn read_field(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    _session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let org = &state.org;
    if id.eq_ignore_ascii_case("describe") {
        return Ok(describe::object_describe(org, &v, "CustomField"));
    }
    let fields = records::custom_fields(org, &v)?;
    let wanted = crate::ids::to_18(&id);
    let Some(record) = fields
        .into_iter()
        .find(|r| r["Id"].as_str() == wanted.as_deref())
    else {
        return Ok(not_found());
    };
    Ok(axum::Json(Value::Object(record)).into_response())
}

async fn delete_field(
    State(state): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    if !crate::access::may_customize(&state.org, &session.user_id) {
        return Ok(insufficient_access());
    }
    let org = state.org.clone();
    let removed = tokio::task::spawn_blocking(move || {
        let removed = org.store.remove_field(&id, &session.user_id)?;
        if removed {
            org.describes_changed();
        }
        Ok::<_, SfError>(removed)
    })
    .await
    .map_err(|_| {
        ApiError::from_errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            vec![SfError::unknown_exception()],
        )
    })?;
    Ok(match removed {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => not_found(),
        Err(e) => refused(StatusCode::BAD_REQUEST, vec![e]),
    })
}
