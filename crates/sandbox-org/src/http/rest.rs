//! sObject REST resources: versions, describes, CRUD, upsert by external id, getUpdated and
//! getDeleted.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Session;
use super::{AppState, MAX_API_VERSION, MIN_API_VERSION, api_version, body, wire};
use crate::error::{ApiError, ApiResult, SfError};
use crate::ids;
use crate::schema::{ObjectRef, ObjectSchema};
use crate::store::{Record, UpsertError};
use crate::values::{format_datetime_ms, parse_datetime};

pub fn routes() -> Router<AppState> {
    let mut r = Router::new()
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions));
    for (path, route) in [
        ("/services/data/{v}", get(resources)),
        ("/services/data/{v}/sobjects", get(global_describe)),
        ("/services/data/{v}/recent", get(recent)),
        (
            "/services/data/{v}/sobjects/{object}",
            get(object_info).post(create),
        ),
        (
            "/services/data/{v}/sobjects/{object}/describe",
            get(describe),
        ),
        ("/services/data/{v}/sobjects/{object}/updated", get(updated)),
        ("/services/data/{v}/sobjects/{object}/deleted", get(deleted)),
        (
            "/services/data/{v}/sobjects/{object}/{id}",
            get(retrieve).patch(update).delete(remove),
        ),
        (
            "/services/data/{v}/sobjects/{object}/{field}/{value}",
            get(retrieve_by_key).patch(upsert).delete(remove_by_key),
        ),
    ] {
        r = r
            .route(path, route.clone())
            .route(&format!("{path}/"), route);
    }
    r
}

/// `GET /services/data/`: no authentication, every served version.
async fn versions() -> Response {
    let list: Vec<Value> = (MIN_API_VERSION..=MAX_API_VERSION)
        .map(|v| {
            json!({
                "label": release_label(v),
                "url": format!("/services/data/v{v}.0"),
                "version": format!("{v}.0"),
            })
        })
        .collect();
    axum::Json(list).into_response()
}

fn release_label(version: u32) -> String {
    // v20.0 was Winter '11; three releases a year since.
    let index = version.saturating_sub(20);
    let season = ["Winter", "Spring", "Summer"][(index % 3) as usize];
    let year = 11 + index / 3;
    format!("{season} '{year:02}")
}

async fn resources(
    State(state): State<AppState>,
    Path(v): Path<String>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let base = format!("/services/data/{v}");
    let body = json!({
        "sobjects": format!("{base}/sobjects"),
        "query": format!("{base}/query"),
        "queryAll": format!("{base}/queryAll"),
        "recent": format!("{base}/recent"),
        "composite": format!("{base}/composite"),
        "jobs": format!("{base}/jobs"),
        "limits": format!("{base}/limits"),
        "identity": format!("{}/id/{}/{}", state.org.base_url, session.org_id, session.user_id),
    });
    Ok(axum::Json(body).into_response())
}

fn not_modified_since(headers: &HeaderMap, last_modified: DateTime<Utc>) -> bool {
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|h| h.to_str().ok())
        .and_then(|s| DateTime::parse_from_rfc2822(s).ok())
        .is_some_and(|since| {
            since.with_timezone(&Utc)
                >= last_modified
                    .duration_trunc(Duration::seconds(1))
                    .unwrap_or(last_modified)
        })
}

fn with_last_modified(body: Value, last_modified: DateTime<Utc>) -> Response {
    let mut response = axum::Json(body).into_response();
    let stamp = last_modified
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(h) = HeaderValue::from_str(&stamp) {
        response.headers_mut().insert(header::LAST_MODIFIED, h);
    }
    response
}

async fn global_describe(
    State(state): State<AppState>,
    Path(v): Path<String>,
    session: Session,
    headers: HeaderMap,
) -> ApiResult<Response> {
    api_version(&v)?;
    let last_modified = state.org.schema_modified();
    if not_modified_since(&headers, last_modified) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(with_last_modified(
        wire::on_this_org(
            state.org.schema_for(&session.user_id).global_json(&v),
            &state.org.base_url,
        ),
        last_modified,
    ))
}

/// The object named in a path, or the org's 404 for a name it does not know.
pub(super) fn object_of(state: &AppState, user_id: &str, name: &str) -> ApiResult<ObjectRef> {
    state
        .org
        .schema_for(user_id)
        .object_ref(name)
        .ok_or_else(|| ApiError::not_found("NOT_FOUND", "The requested resource does not exist"))
}

async fn describe(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
    headers: HeaderMap,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let last_modified = state.org.schema_modified();
    if not_modified_since(&headers, last_modified) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(with_last_modified(
        wire::on_this_org(object.describe_json(&v), &state.org.base_url),
        last_modified,
    ))
}

async fn object_info(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    Ok(axum::Json(json!({
        "objectDescribe": wire::on_this_org(object.global_json(&v), &state.org.base_url),
        "recentItems": [],
    }))
    .into_response())
}

/// The `attributes` every record answer starts with.
pub fn attributes(version: &str, object: &str, id: &str) -> Value {
    json!({ "type": object, "url": format!("/services/data/{version}/sobjects/{object}/{id}") })
}

fn with_attributes(
    version: &str,
    object: &ObjectSchema,
    record: &Record,
    fields: Option<&[String]>,
) -> ApiResult<Value> {
    let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert("attributes".into(), attributes(version, &object.name, id));
    match fields {
        None => {
            for field in &object.fields {
                out.insert(
                    field.name.clone(),
                    record.get(&field.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        Some(names) => {
            for name in names {
                let field = object.field(name).ok_or_else(|| {
                    ApiError::bad_request(
                        "INVALID_FIELD",
                        format!("No such column '{name}' on sobject of type {}", object.name),
                    )
                })?;
                out.insert(
                    field.name.clone(),
                    record.get(&field.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    Ok(Value::Object(out))
}

#[derive(Deserialize)]
struct FieldsParam {
    fields: Option<String>,
}

fn field_list(p: &FieldsParam) -> Option<Vec<String>> {
    p.fields.as_ref().map(|f| {
        f.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// sObject subresources of a real org that the sandbox org does not serve.
const SUBRESOURCES: &[&str] = &[
    "namedLayouts",
    "rowTemplate",
    "eventSeriesUpdates",
    "suggestedArticles",
    "richTextImageFields",
    "relationships",
    "platformaction",
    "search",
    "password",
];

fn live_record_of(state: &AppState, object: &ObjectSchema, id: &str) -> ApiResult<Record> {
    // A path segment that is no id is read as an external-id field name, as a real org does,
    // unless it names a subresource a real org has and this one does not serve.
    let id18 = ids::to_18(id).ok_or_else(|| {
        if SUBRESOURCES.iter().any(|s| s.eq_ignore_ascii_case(id)) {
            return ApiError::resource_not_found();
        }
        ApiError::not_found(
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {id}"),
        )
    })?;
    let record = state.org.store.get(&id18);
    match record {
        Some(r)
            if state
                .org
                .schema()
                .object_for_id(&id18)
                .is_some_and(|o| o.name == object.name) =>
        {
            if r.get("IsDeleted") == Some(&Value::Bool(true)) {
                Err(ApiError::not_found(
                    "ENTITY_IS_DELETED",
                    "entity is deleted",
                ))
            } else {
                Ok(r)
            }
        }
        _ => Err(ApiError::resource_not_found()),
    }
}

async fn retrieve(
    State(state): State<AppState>,
    Path((v, object, id)): Path<(String, String, String)>,
    Query(params): Query<FieldsParam>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let record = live_record_of(&state, &object, &id)?;
    let fields = field_list(&params);
    let answer = with_attributes(&v, &object, &record, fields.as_deref())?;
    if let Some(id) = record.get("Id").and_then(Value::as_str) {
        state.org.viewed.record(id);
    }
    Ok(axum::Json(answer).into_response())
}

async fn create(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let input = body::json_object(&raw)?;
    let result = state
        .org
        .store
        .write(|w| w.create(&object.name, &input, &session.user_id));
    match result {
        Ok(id) => Ok((
            StatusCode::CREATED,
            axum::Json(json!({ "id": id, "success": true, "errors": [] })),
        )
            .into_response()),
        Err(errors) => Err(ApiError::from_errors(status_for(&errors), errors)),
    }
}

fn status_for(errors: &[SfError]) -> StatusCode {
    match errors.first().map(|e| e.code.as_str()) {
        Some("NOT_FOUND" | "ENTITY_IS_DELETED") => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    }
}

async fn update(
    State(state): State<AppState>,
    Path((v, object, id)): Path<(String, String, String)>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let input = body::json_object(&raw)?;
    live_record_of(&state, &object, &id)?;
    let result: Result<(), Vec<SfError>> = state
        .org
        .store
        .write(|w| w.update(&object.name, &id, &input, &session.user_id));
    result.map_err(|errors| ApiError::from_errors(status_for(&errors), errors))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path((v, object, id)): Path<(String, String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    live_record_of(&state, &object, &id)?;
    let result: Result<(), SfError> = state.org.store.write(|w| w.delete(&id, &session.user_id));
    result.map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn external_field<'a>(
    object: &'a ObjectSchema,
    field: &str,
) -> ApiResult<&'a crate::schema::FieldDef> {
    object
        .field(field)
        .filter(|f| f.external_id || f.id_lookup)
        .ok_or_else(|| {
            ApiError::not_found(
                "NOT_FOUND",
                format!("Provided external ID field does not exist or is not accessible: {field}"),
            )
        })
}

fn multiple_matches(v: &str, object: &str, ids: &[String]) -> Response {
    let urls: Vec<String> = ids
        .iter()
        .map(|id| format!("/services/data/{v}/sobjects/{object}/{id}"))
        .collect();
    (StatusCode::MULTIPLE_CHOICES, axum::Json(urls)).into_response()
}

async fn retrieve_by_key(
    State(state): State<AppState>,
    Path((v, object, field, value)): Path<(String, String, String, String)>,
    Query(params): Query<FieldsParam>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let field = external_field(&object, &field)?;
    let matches = state
        .org
        .store
        .find_by_key(&object.name, &field.name, &value);
    match matches.as_slice() {
        [] => Err(ApiError::resource_not_found()),
        [id] => {
            let record = live_record_of(&state, &object, id)?;
            state.org.viewed.record(id);
            let fields = field_list(&params);
            Ok(
                axum::Json(with_attributes(&v, &object, &record, fields.as_deref())?)
                    .into_response(),
            )
        }
        many => Ok(multiple_matches(&v, &object.name, many)),
    }
}

async fn upsert(
    State(state): State<AppState>,
    Path((v, object, field, value)): Path<(String, String, String, String)>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    let version = api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let input = body::json_object(&raw)?;
    let result = state
        .org
        .store
        .write(|w| w.upsert(&object.name, &field, &value, &input, &session.user_id));
    match result {
        Ok(outcome) => {
            let status = if outcome.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            if !outcome.created && version < 46 {
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            let body = json!({ "id": outcome.id, "success": true, "errors": [], "created": outcome.created });
            Ok((status, axum::Json(body)).into_response())
        }
        Err(UpsertError::MultipleMatches(ids)) => Ok(multiple_matches(&v, &object.name, &ids)),
        Err(UpsertError::Errors(errors)) => Err(ApiError::from_errors(status_for(&errors), errors)),
    }
}

async fn remove_by_key(
    State(state): State<AppState>,
    Path((v, object, field, value)): Path<(String, String, String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let field = external_field(&object, &field)?;
    let matches = state
        .org
        .store
        .find_by_key(&object.name, &field.name, &value);
    match matches.as_slice() {
        [] => Err(ApiError::resource_not_found()),
        [id] => {
            let result: Result<(), SfError> =
                state.org.store.write(|w| w.delete(id, &session.user_id));
            result.map_err(ApiError::from)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        many => Ok(multiple_matches(&v, &object.name, many)),
    }
}

#[derive(Deserialize)]
struct RecentParams {
    limit: Option<usize>,
}

/// `GET /recent`: recently viewed live records with their Id and Name, latest first.
async fn recent(
    State(state): State<AppState>,
    Path(v): Path<String>,
    Query(p): Query<RecentParams>,
    _session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let limit = p.limit.unwrap_or(200).clamp(1, 200);
    let items: Vec<Value> = state
        .org
        .viewed
        .latest()
        .iter()
        .filter_map(|id| state.org.store.get(id))
        .filter(|r| r.get("IsDeleted") != Some(&Value::Bool(true)))
        .take(limit)
        .filter_map(|r| {
            let id = r.get("Id")?.as_str()?;
            let schema = state.org.schema();
            let object = schema.object_for_id(id)?;
            Some(json!({
                "attributes": attributes(&v, &object.name, id),
                "Id": id,
                "Name": r.get("Name").cloned().unwrap_or(Value::Null),
            }))
        })
        .collect();
    Ok(axum::Json(items).into_response())
}

#[derive(Deserialize)]
struct Window {
    start: Option<String>,
    end: Option<String>,
}

fn replication_window(w: &Window, days_back: i64) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let parse = |name: &str, v: &Option<String>| -> ApiResult<DateTime<Utc>> {
        let text = v.as_deref().ok_or_else(|| {
            ApiError::bad_request("MISSING_ARGUMENT", format!("{name} parameter is required"))
        })?;
        parse_datetime(text).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_REPLICATION_DATE",
                format!("{name} is not a valid date time: {text}"),
            )
        })
    };
    let start = parse("start", &w.start)?;
    let end = parse("end", &w.end)?;
    let now = Utc::now();
    if start >= end {
        return Err(ApiError::bad_request(
            "INVALID_REPLICATION_DATE",
            "start date must be before end date",
        ));
    }
    if start < now - Duration::days(days_back) {
        return Err(ApiError::bad_request(
            "INVALID_REPLICATION_DATE",
            format!("startDate cannot be more than {days_back} days ago"),
        ));
    }
    // A window reaching now covers up to now, so that a change made seconds ago is listed;
    // an end in the past covers whole minutes, as a real org's does.
    let end = if end >= now {
        now
    } else {
        end.duration_trunc(Duration::minutes(1)).unwrap_or(end)
    };
    Ok((start, end))
}

async fn updated(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    Query(window): Query<Window>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let (start, end) = replication_window(&window, 30)?;
    let ids = state.org.store.updated_ids(
        &object.name,
        start.timestamp_millis(),
        end.timestamp_millis(),
    );
    Ok(axum::Json(
        json!({ "ids": ids, "latestDateCovered": format_datetime_ms(end.timestamp_millis()) }),
    )
    .into_response())
}

async fn deleted(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    Query(window): Query<Window>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let (start, end) = replication_window(&window, 15)?;
    let rows = state.org.store.deleted(
        &object.name,
        start.timestamp_millis(),
        end.timestamp_millis(),
    );
    let records: Vec<Value> = rows
        .iter()
        .map(|(id, at)| json!({ "id": id, "deletedDate": format_datetime_ms(*at) }))
        .collect();
    let earliest = (Utc::now() - Duration::days(15))
        .duration_trunc(Duration::minutes(1))
        .unwrap_or(start);
    Ok(axum::Json(json!({
        "deletedRecords": records,
        "earliestDateAvailable": format_datetime_ms(earliest.timestamp_millis()),
        "latestDateCovered": format_datetime_ms(end.timestamp_millis()),
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::release_label;

    #[test]
    fn release_labels_follow_salesforce_naming() {
        assert_eq!(release_label(20), "Winter '11");
        assert_eq!(release_label(21), "Spring '11");
        assert_eq!(release_label(48), "Spring '20");
        assert_eq!(release_label(60), "Spring '24");
        assert_eq!(release_label(61), "Summer '24");
        assert_eq!(release_label(62), "Winter '25");
    }
}
