//! sObject Collections: create, update, upsert, delete and retrieve up to 200 records a call.
//! Results come back in input order, errors keyed by `statusCode`; under `allOrNone` one
//! failure rolls every record back.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::Session;
use super::{AppState, api_version_since, body};

/// sObject Collections first appeared in v42.0, their upsert in v46.0.
const SINCE: u32 = 42;
const UPSERT_SINCE: u32 = 46;
use crate::error::{ApiError, ApiResult, SfError};
use crate::store::{UpsertError, Writer};

pub const MAX_RECORDS: usize = 200;

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for (path, route) in [
        (
            "/services/data/{v}/composite/sobjects",
            axum::routing::post(create).patch(update).delete(remove),
        ),
        (
            "/services/data/{v}/composite/sobjects/{object}",
            get(retrieve).post(retrieve_post),
        ),
        (
            "/services/data/{v}/composite/sobjects/{object}/{field}",
            axum::routing::patch(upsert),
        ),
    ] {
        r = r
            .route(path, route.clone())
            .route(&format!("{path}/"), route);
    }
    r
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    #[serde(default)]
    all_or_none: bool,
    records: Vec<Value>,
}

fn parse_batch(raw: &Bytes) -> ApiResult<Batch> {
    let value = body::json(raw)?;
    let batch: Batch = serde_json::from_value(value)
        .map_err(|e| ApiError::json_parse(format!("Cannot deserialize the request body: {e}")))?;
    check_size(batch.records.len())?;
    Ok(batch)
}

fn check_size(n: usize) -> ApiResult<()> {
    if n > MAX_RECORDS {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            format!(
                "record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
            ),
        ));
    }
    Ok(())
}

/// One record's outcome before rendering.
enum Outcome {
    Done { id: String, created: Option<bool> },
    Failed(Vec<SfError>),
}

fn render(outcomes: Vec<Outcome>, all_or_none: bool) -> Vec<Value> {
    let any_failed = outcomes.iter().any(|o| matches!(o, Outcome::Failed(_)));
    outcomes
        .into_iter()
        .map(|o| match o {
            Outcome::Done { .. } if all_or_none && any_failed => json!({
                "success": false,
                "errors": [SfError::new(
                    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                    "Record rolled back because not all records were valid and the request was using AllOrNone header",
                ).to_collection_json()],
            }),
            Outcome::Done { id, created } => {
                let mut v = json!({ "id": id, "success": true, "errors": [] });
                if let Some(c) = created {
                    v["created"] = json!(c);
                }
                v
            }
            Outcome::Failed(errors) => json!({
                "success": false,
                "errors": errors.iter().map(SfError::to_collection_json).collect::<Vec<_>>(),
            }),
        })
        .collect()
}

/// Runs `each` over the records in one transaction, rolled back under allOrNone when any
/// record failed.
fn run(
    state: &AppState,
    all_or_none: bool,
    records: &[Value],
    mut each: impl FnMut(&mut Writer<'_>, &Value) -> Outcome,
) -> ApiResult<Vec<Value>> {
    let outcomes = state.org.store.transaction(|w| {
        let outcomes: Vec<Outcome> = records.iter().map(|r| each(w, r)).collect();
        let failed = outcomes.iter().any(|o| matches!(o, Outcome::Failed(_)));
        if all_or_none && failed {
            Err(outcomes)
        } else {
            Ok(outcomes)
        }
    })?;
    Ok(render(outcomes, all_or_none))
}

fn record_type(record: &Value) -> Result<(String, Map<String, Value>), SfError> {
    let map = record
        .as_object()
        .cloned()
        .ok_or_else(|| SfError::new("JSON_PARSER_ERROR", "Each record must be a JSON object"))?;
    let object = map
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            SfError::new(
                "INVALID_FIELD",
                "No SObject Type defined in the attributes of the record",
            )
        })?;
    Ok((object, map))
}

fn id_of(map: &Map<String, Value>) -> Option<String> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Id"))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_string)
}

async fn create(
    State(state): State<AppState>,
    Path(v): Path<String>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version_since(&v, SINCE)?;
    let batch = parse_batch(&raw)?;
    let results = run(&state, batch.all_or_none, &batch.records, |w, record| {
        let (object, map) = match record_type(record) {
            Ok(x) => x,
            Err(e) => return Outcome::Failed(vec![e]),
        };
        if state.org.schema().object(&object).is_none() {
            return Outcome::Failed(vec![SfError::new(
                "INVALID_TYPE",
                format!("sObject type '{object}' is not supported."),
            )]);
        }
        match w.create(&object, &map, &session.user_id) {
            Ok(id) => Outcome::Done { id, created: None },
            Err(e) => Outcome::Failed(e),
        }
    })?;
    Ok(axum::Json(results).into_response())
}

async fn update(
    State(state): State<AppState>,
    Path(v): Path<String>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version_since(&v, SINCE)?;
    let batch = parse_batch(&raw)?;
    let results = run(&state, batch.all_or_none, &batch.records, |w, record| {
        let (object, mut map) = match record_type(record) {
            Ok(x) => x,
            Err(e) => return Outcome::Failed(vec![e]),
        };
        let Some(id) = id_of(&map) else {
            return Outcome::Failed(vec![
                SfError::new("MISSING_ARGUMENT", "Id not specified in an update call")
                    .with_fields(["Id"]),
            ]);
        };
        map.retain(|k, _| !k.eq_ignore_ascii_case("Id"));
        let schema = state.org.schema();
        let owner = schema.object_for_id(&id).map(|o| o.name.clone());
        if owner
            .as_deref()
            .is_some_and(|o| !o.eq_ignore_ascii_case(&object))
        {
            return Outcome::Failed(vec![
                SfError::new(
                    "MALFORMED_ID",
                    format!("{object} ID: id value of incorrect type: {id}"),
                )
                .with_fields(["Id"]),
            ]);
        }
        match w.update(&object, &id, &map, &session.user_id) {
            Ok(()) => Outcome::Done {
                id: crate::ids::to_18(&id).unwrap_or(id),
                created: None,
            },
            Err(e) => Outcome::Failed(e),
        }
    })?;
    Ok(axum::Json(results).into_response())
}

async fn upsert(
    State(state): State<AppState>,
    Path((v, object, field)): Path<(String, String, String)>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version_since(&v, UPSERT_SINCE)?;
    let schema_object = state
        .org
        .schema_for(&session.user_id)
        .object_ref(&object)
        .ok_or_else(ApiError::resource_not_found)?;
    let ext = schema_object
        .field(&field)
        .filter(|f| f.external_id || f.kind == crate::schema::FieldType::Id)
        .ok_or_else(|| {
            ApiError::not_found(
                "NOT_FOUND",
                format!("Provided external ID field does not exist or is not accessible: {field}"),
            )
        })?;
    let batch = parse_batch(&raw)?;
    let results = run(&state, batch.all_or_none, &batch.records, |w, record| {
        let (_, map) = match record_type(record) {
            Ok(x) => x,
            Err(e) => return Outcome::Failed(vec![e]),
        };
        let key = map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&ext.name))
            .map(|(_, v)| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        let Some(key) = key.filter(|k| !k.is_empty() && k != "null") else {
            return Outcome::Failed(vec![
                SfError::new("MISSING_ARGUMENT", format!("{} not specified", ext.name))
                    .with_fields([ext.name.clone()]),
            ]);
        };
        match w.upsert(&schema_object.name, &ext.name, &key, &map, &session.user_id) {
            Ok(o) => Outcome::Done {
                id: o.id,
                created: Some(o.created),
            },
            Err(UpsertError::MultipleMatches(ids)) => Outcome::Failed(vec![
                SfError::new(
                    "DUPLICATE_EXTERNAL_ID",
                    format!(
                        "{}: more than one record found for external id field: {}",
                        ext.label,
                        ids.join(", ")
                    ),
                )
                .with_fields([ext.name.clone()]),
            ]),
            Err(UpsertError::Errors(e)) => Outcome::Failed(e),
        }
    })?;
    Ok(axum::Json(results).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteParams {
    ids: Option<String>,
    #[serde(default)]
    all_or_none: Option<String>,
}

async fn remove(
    State(state): State<AppState>,
    Path(v): Path<String>,
    Query(p): Query<DeleteParams>,
    session: Session,
) -> ApiResult<Response> {
    api_version_since(&v, SINCE)?;
    let ids: Vec<Value> = p
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "ids parameter is required: list the record ids to delete",
        ));
    }
    check_size(ids.len())?;
    let all_or_none = p
        .all_or_none
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("true"));
    let results = run(&state, all_or_none, &ids, |w, id| {
        let id = id.as_str().unwrap_or_default();
        match w.delete(id, &session.user_id) {
            Ok(()) => Outcome::Done {
                id: crate::ids::to_18(id).unwrap_or_else(|| id.to_string()),
                created: None,
            },
            Err(e) => Outcome::Failed(vec![e]),
        }
    })?;
    Ok(axum::Json(results).into_response())
}

#[derive(Deserialize)]
struct RetrieveParams {
    ids: Option<String>,
    fields: Option<String>,
}

fn retrieve_many(
    state: &AppState,
    user_id: &str,
    v: &str,
    object: &str,
    ids: &[String],
    fields: &[String],
) -> ApiResult<Response> {
    let schema_object = state
        .org
        .schema_for(user_id)
        .object_ref(object)
        .ok_or_else(ApiError::resource_not_found)?;
    check_size(ids.len())?;
    if fields.is_empty() {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "fields parameter is required: list the fields to return",
        ));
    }
    for f in fields {
        if schema_object.field(f).is_none() {
            return Err(ApiError::bad_request(
                "INVALID_FIELD",
                format!(
                    "No such column '{f}' on sobject of type {}",
                    schema_object.name
                ),
            ));
        }
    }
    let out: Vec<Value> = ids
        .iter()
        .map(|id| {
            let record = crate::ids::to_18(id)
                .and_then(|id18| state.org.store.get(&id18))
                .filter(|r| r.get("IsDeleted") != Some(&Value::Bool(true)))
                .filter(|r| {
                    r.get("Id")
                        .and_then(Value::as_str)
                        .and_then(crate::ids::key_prefix)
                        .is_some_and(|prefix| prefix == schema_object.key_prefix)
                });
            match record {
                None => Value::Null,
                Some(r) => {
                    let id = r
                        .get("Id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let mut m = Map::new();
                    m.insert(
                        "attributes".into(),
                        super::rest::attributes(v, &schema_object.name, &id),
                    );
                    for f in fields {
                        if let Some(def) = schema_object.field(f) {
                            m.insert(
                                def.name.clone(),
                                r.get(&def.name).cloned().unwrap_or(Value::Null),
                            );
                        }
                    }
                    Value::Object(m)
                }
            }
        })
        .collect();
    Ok(axum::Json(out).into_response())
}

fn split_list(s: Option<&str>) -> Vec<String> {
    s.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

async fn retrieve(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    Query(p): Query<RetrieveParams>,
    session: Session,
) -> ApiResult<Response> {
    api_version_since(&v, SINCE)?;
    retrieve_many(
        &state,
        &session.user_id,
        &v,
        &object,
        &split_list(p.ids.as_deref()),
        &split_list(p.fields.as_deref()),
    )
}

#[derive(Deserialize)]
struct RetrieveBody {
    ids: Vec<String>,
    fields: Vec<String>,
}

async fn retrieve_post(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
    raw: Bytes,
) -> ApiResult<Response> {
    api_version_since(&v, SINCE)?;
    let req: RetrieveBody = serde_json::from_value(body::json(&raw)?)
        .map_err(|e| ApiError::json_parse(format!("Cannot deserialize the request body: {e}")))?;
    retrieve_many(&state, &session.user_id, &v, &object, &req.ids, &req.fields)
}
