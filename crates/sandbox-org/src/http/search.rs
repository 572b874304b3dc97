//! `GET .../search?q=FIND {…}` and `GET|POST .../parameterizedSearch`: SOSL over the store.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use serde::Deserialize;

use super::{AppState, api_version, auth};
use crate::error::{ApiError, ApiResult, SfError};
use crate::sosl::{self, MAX_RESULTS, Returning, Scope, Search};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/data/{v}/search", get(search))
        .route("/services/data/{v}/search/", get(search))
        .route(
            "/services/data/{v}/parameterizedSearch",
            get(parameterized_get).post(parameterized_post),
        )
        .route(
            "/services/data/{v}/parameterizedSearch/",
            get(parameterized_get).post(parameterized_post),
        )
}

fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|r| serde_urlencoded::from_str(r).ok())
        .unwrap_or_default()
}

async fn search(
    State(state): State<AppState>,
    Path(v): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let session = auth::authenticate(&state, &headers)?;
    let major = api_version(&v)?;
    let text = pairs(raw.as_deref())
        .into_iter()
        .find(|(k, v)| k == "q" && !v.trim().is_empty())
        .map(|(_, v)| v)
        .ok_or_else(|| {
            ApiError::bad_request(
                "MALFORMED_SEARCH",
                "No search term found. The search term must be enclosed in braces.",
            )
        })?;
    let parsed = sosl::parse(&text)?;
    respond(state, &session.user_id, v, major, parsed).await
}

async fn respond(
    state: AppState,
    user_id: &str,
    v: String,
    major: u32,
    search: Search,
) -> ApiResult<Response> {
    let org = state.org.clone();
    let schema = org.schema_for(user_id);
    // Matching reads SQLite synchronously: keep it off the async workers.
    let records = tokio::task::spawn_blocking(move || {
        sosl::run(&search, &schema, &org.store, &v, chrono::Utc::now())
    })
    .await
    .map_err(|e| {
        tracing::error!("search task failed: {e}");
        ApiError::rest(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: sandbox-search",
        )
    })??;
    Ok(axum::Json(sosl::answer(major, records)).into_response())
}

/// The parameters both forms of parameterized search share.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Parameters {
    q: Option<String>,
    #[serde(rename = "in")]
    scope: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    sobjects: Vec<SObjectSpec>,
    overall_limit: Option<usize>,
    default_limit: Option<usize>,
    offset: Option<usize>,
    spell_correction: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SObjectSpec {
    name: String,
    #[serde(default)]
    fields: Vec<String>,
    limit: Option<usize>,
    #[serde(rename = "where")]
    filter: Option<String>,
    order_by: Option<String>,
}

async fn parameterized_get(
    State(state): State<AppState>,
    Path(v): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let session = auth::authenticate(&state, &headers)?;
    let major = api_version(&v)?;
    let parameters = from_query(&pairs(raw.as_deref()))?;
    respond(state, &session.user_id, v, major, parameters.into_search()?).await
}

async fn parameterized_post(
    State(state): State<AppState>,
    Path(v): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let session = auth::authenticate(&state, &headers)?;
    let major = api_version(&v)?;
    let parameters: Parameters = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "JSON_PARSER_ERROR",
            format!("The request body is not a parameterized search: {e}"),
        )
    })?;
    respond(state, &session.user_id, v, major, parameters.into_search()?).await
}

/// `q`, `in`, `fields`, `sobject` (repeatable or comma-separated), `Object.fields`,
/// `Object.limit`, `Object.where`, `Object.orderBy`, `overallLimit`, `defaultLimit`, `offset`.
fn from_query(pairs: &[(String, String)]) -> Result<Parameters, SfError> {
    let mut p = Parameters::default();
    let number = |key: &str, value: &str| -> Result<usize, SfError> {
        value.trim().parse().map_err(|_| {
            SfError::new(
                "INVALID_SEARCH",
                format!("{key} takes a whole number, not '{value}'"),
            )
        })
    };
    let list = |value: &str| -> Vec<String> {
        value
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "q" => p.q = Some(value.clone()),
            "in" => p.scope = Some(value.clone()),
            "fields" => p.fields = list(value),
            "sobject" => {
                for name in list(value) {
                    if !p
                        .sobjects
                        .iter()
                        .any(|s| s.name.eq_ignore_ascii_case(&name))
                    {
                        p.sobjects.push(SObjectSpec {
                            name,
                            ..SObjectSpec::default()
                        });
                    }
                }
            }
            "overallLimit" => p.overall_limit = Some(number(key, value)?),
            "defaultLimit" => p.default_limit = Some(number(key, value)?),
            "offset" => p.offset = Some(number(key, value)?),
            "spellCorrection" => p.spell_correction = Some(value.eq_ignore_ascii_case("true")),
            _ => {}
        }
    }
    for (key, value) in pairs {
        let Some((object, option)) = key.split_once('.') else {
            continue;
        };
        let Some(spec) = p
            .sobjects
            .iter_mut()
            .find(|s| s.name.eq_ignore_ascii_case(object))
        else {
            return Err(SfError::new(
                "INVALID_SEARCH",
                format!("{key} names {object}, which is not among the sobject parameters"),
            ));
        };
        match option {
            "fields" => spec.fields = list(value),
            "limit" => spec.limit = Some(number(key, value)?),
            "where" => spec.filter = Some(value.clone()),
            "orderBy" => spec.order_by = Some(value.clone()),
            _ => {
                return Err(SfError::new(
                    "INVALID_SEARCH",
                    format!("unknown parameter {key}: use fields, limit, where or orderBy"),
                ));
            }
        }
    }
    Ok(p)
}

impl Parameters {
    fn into_search(self) -> Result<Search, SfError> {
        // Without a spelling index there is nothing to correct, either way.
        let _ = self.spell_correction;
        let q = self
            .q
            .filter(|q| !q.trim().is_empty())
            .ok_or_else(|| SfError::new("MISSING_ARGUMENT", "q parameter is required"))?;
        let scope = match self.scope.as_deref() {
            None => Scope::All,
            Some(word) => Scope::parse(word).ok_or_else(|| {
                SfError::new(
                    "INVALID_SEARCH",
                    format!("in takes ALL, NAME, EMAIL, PHONE or SIDEBAR, not '{word}'"),
                )
            })?,
        };
        if self.offset.is_some() && self.sobjects.len() != 1 {
            return Err(SfError::new(
                "INVALID_SEARCH",
                "offset needs exactly one sobject",
            ));
        }
        let returning = self
            .sobjects
            .into_iter()
            .map(|spec| {
                let fields = if !spec.fields.is_empty() {
                    spec.fields
                } else if !self.fields.is_empty() {
                    self.fields.clone()
                } else {
                    vec!["Id".to_string()]
                };
                let mut clauses = String::new();
                if let Some(filter) = spec.filter {
                    clauses.push_str("WHERE ");
                    clauses.push_str(&filter);
                }
                if let Some(order) = spec.order_by {
                    clauses.push_str(" ORDER BY ");
                    clauses.push_str(&order);
                }
                Returning {
                    object: spec.name,
                    fields: fields.join(", "),
                    clauses,
                    limit: spec.limit.or(self.default_limit),
                    offset: self.offset.unwrap_or(0),
                }
            })
            .collect();
        Ok(Search {
            terms: sosl::terms::parse(&q)?,
            scope,
            returning,
            limit: self.overall_limit.unwrap_or(MAX_RESULTS).min(MAX_RESULTS),
        })
    }
}
