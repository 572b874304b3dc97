//! The middleware around the API routes: faults, the daily allocation and `Sforce-Limit-Info`.

use std::io;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::lock;
use crate::error::ApiError;
use crate::http::limits::{self, LIMIT_INFO_HEADER};
use crate::http::{AppState, auth};

/// Puts the fault, limit and `Sforce-Limit-Info` middleware around every route of `api`
/// (not its fallback: unknown paths answer 404 without counting).
pub fn wrap(api: Router<AppState>, state: AppState) -> Router<AppState> {
    api.route_layer(from_fn_with_state(state, api_call))
}

/// `GET /services/data/`: answered without authentication and never counted.
fn is_version_list(path: &str) -> bool {
    path.trim_end_matches('/') == "/services/data"
}

async fn api_call(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let org = &state.org;
    let fate = org.faults.roll();
    if !fate.latency.is_zero() {
        tokio::time::sleep(fate.latency).await;
    }
    if fate.unavailable {
        return ApiError::rest(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_UNAVAILABLE",
            "Server temporarily unavailable",
        )
        .into_response();
    }
    let counted = !is_version_list(request.uri().path())
        && auth::authenticate(&state, request.headers()).is_ok();
    let usage = if counted {
        match org.limits.try_consume() {
            Ok(usage) => Some(usage),
            Err(usage) => return limits::over_limit(usage),
        }
    } else {
        None
    };
    let mut response = if fate.lock_error {
        match lock::refuse(request).await {
            Ok(refused) => refused,
            Err(request) => next.run(request).await,
        }
    } else {
        next.run(request).await
    };
    if let Some(usage) = usage {
        response
            .headers_mut()
            .insert(LIMIT_INFO_HEADER, usage.header_value());
    }
    if fate.drop_connection {
        broken(response)
    } else {
        response
    }
}

/// A response whose body fails before its first byte. The server then closes the
/// connection without writing the (still buffered) status line, so the client gets a
/// transport error rather than an answer.
fn broken(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let failing = futures_util::stream::once(async {
        Err::<Bytes, io::Error>(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection dropped by the fault settings",
        ))
    });
    Response::from_parts(parts, Body::from_stream(failing))
}
