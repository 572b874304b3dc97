//! The sandbox org's own control surface under `/__sandbox/`: faults, limits, forced session
//! expiry and health. No OAuth: it answers loopback peers only, and refuses everyone else
//! (and callers whose address is unknown) with 403.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::AppState;
use super::limits::Usage;
use crate::config::FaultConfig;
use crate::error::{ApiError, ApiResult};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox", get(index))
        .route("/__sandbox/", get(index))
        .route("/__sandbox/health", get(health))
        .route("/__sandbox/faults", get(get_faults).put(put_faults))
        .route("/__sandbox/limits", get(get_limits).put(put_limits))
        .route("/__sandbox/sessions/expire", post(expire_sessions))
        .route("/__sandbox/records/age", post(age_records))
        .route_layer(from_fn(loopback_only))
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match peer {
        Some(addr) if addr.ip().is_loopback() => next.run(request).await,
        _ => ApiError::rest(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS",
            "The sandbox admin endpoint answers connections from this machine only: call it over 127.0.0.1",
        )
        .into_response(),
    }
}

/// A JSON body of the admin endpoint; unknown fields are refused so that typos show.
fn parse<T: DeserializeOwned>(body: &Bytes, expected: &str) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::json_parse(format!("The body must be {expected}: {e}")))
}

/// What the printed admin URL offers, for a person who opens it.
async fn index() -> Response {
    axum::Json(json!({
        "endpoints": [
            {"method": "GET", "path": "/__sandbox/health", "does": "the org's id, name, instance URL and API use"},
            {"method": "GET", "path": "/__sandbox/faults", "does": "the fault dice now in force"},
            {"method": "PUT", "path": "/__sandbox/faults", "does": "sets the fault dice (JSON body)"},
            {"method": "GET", "path": "/__sandbox/limits", "does": "the API limits and their use"},
            {"method": "PUT", "path": "/__sandbox/limits", "does": "sets the API limits (JSON body)"},
            {"method": "POST", "path": "/__sandbox/sessions/expire", "does": "expires every session, so clients must renew their tokens"},
            {"method": "POST", "path": "/__sandbox/records/age", "does": "moves an object's records into the past, as existing data ({\"object\":\"Account\",\"seconds\":86400})"}
        ]
    }))
    .into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    let org = &state.org;
    axum::Json(json!({
        "status": "ok",
        "orgId": org.config.org_id,
        "orgName": org.config.org_name,
        "instanceUrl": org.base_url,
        "apiUsage": org.limits.usage(),
    }))
    .into_response()
}

async fn get_faults(State(state): State<AppState>) -> Response {
    axum::Json(state.org.faults.config()).into_response()
}

async fn put_faults(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let config: FaultConfig = parse(
        &body,
        "a fault configuration such as {\"latency_ms\":0,\"jitter_ms\":0,\"server_unavailable_rate\":0.1,\"lock_error_rate\":0,\"drop_connection_rate\":0,\"session_expiry_secs\":null,\"seed\":1}",
    )?;
    let session_expiry_secs = config.session_expiry_secs;
    state
        .org
        .faults
        .set(config)
        .map_err(|e| ApiError::bad_request("FIELD_INTEGRITY_EXCEPTION", e.to_string()))?;
    state.org.auth.set_session_expiry_secs(session_expiry_secs);
    Ok(axum::Json(state.org.faults.config()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsChange {
    max: Option<u64>,
    used: Option<u64>,
}

async fn get_limits(State(state): State<AppState>) -> Response {
    axum::Json(state.org.limits.usage()).into_response()
}

async fn put_limits(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let change: LimitsChange = parse(&body, "{\"max\":N,\"used\":N} (either may be left out)")?;
    let usage: Usage = state.org.limits.set(change.max, change.used);
    Ok(axum::Json(usage).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgeRecords {
    object: String,
    seconds: u64,
}

/// Moves every record of an object into the past: `{"moved": N}`.
async fn age_records(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let age: AgeRecords = parse(&body, "{\"object\":\"Account\",\"seconds\":86400}")?;
    let by_ms = i64::try_from(age.seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    let moved = state
        .org
        .store
        .age_records(&age.object, by_ms)
        .map_err(|e| ApiError::bad_request(&e.code, e.message))?;
    Ok(axum::Json(json!({ "moved": moved })).into_response())
}

async fn expire_sessions(State(state): State<AppState>) -> StatusCode {
    state.org.auth.expire_all_sessions();
    StatusCode::NO_CONTENT
}
