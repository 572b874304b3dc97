//! What every answer of the org shares, whatever route made it: unknown paths, methods a
//! resource does not take, `X-PrettyPrint`, and links that point at the org itself.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{AppState, auth};

/// Adds the fallback for unknown paths and the layer that words 405s and pretty-prints.
/// The layer goes around the whole router, as its fallback service: a layer on the router
/// itself would run inside each route's method filter, before the `Allow` header exists.
pub fn around(app: Router<AppState>, state: AppState) -> Router {
    let inner = app.fallback(unknown_path).with_state(state.clone());
    Router::new()
        .fallback_service(inner)
        .layer(from_fn_with_state(state, finish))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/services/data/v") || path.starts_with("/services/async/")
}

/// An unknown path under the API: a real org checks the session first (so a client with a
/// stale token refreshes it), then answers its JSON 404.
async fn unknown_path(State(state): State<AppState>, request: Request) -> Response {
    if is_api(request.uri().path())
        && let Err(refused) = auth::authenticate(&state, request.headers())
    {
        return refused.into_response();
    }
    ApiError::resource_not_found().into_response()
}

async fn finish(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let api = is_api(request.uri().path());
    let mut credentials = axum::http::HeaderMap::new();
    if let Some(v) = request.headers().get(header::AUTHORIZATION) {
        credentials.insert(header::AUTHORIZATION, v.clone());
    }
    let pretty = request
        .headers()
        .get("X-PrettyPrint")
        .is_some_and(|v| v.as_bytes() == b"1" || v.as_bytes().eq_ignore_ascii_case(b"true"));
    let response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        // A wrong method with a stale token: the client must hear about the token first.
        if api && let Err(refused) = auth::authenticate(&state, &credentials) {
            return refused.into_response();
        }
        return method_not_allowed(&method, &response);
    }
    if pretty && is_json(&response) {
        return indented(response).await;
    }
    response
}

/// Salesforce's 405 body, naming the methods the resource takes.
fn method_not_allowed(method: &axum::http::Method, response: &Response) -> Response {
    let allowed = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .replace(' ', "");
    let mut answer = ApiError::rest(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&allowed) {
        answer.headers_mut().insert(header::ALLOW, v);
    }
    answer
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Re-serialises a JSON body with indentation. Only bodies of known size are touched: a
/// streamed answer (Bulk results) is not read whole for the sake of whitespace.
async fn indented(response: Response) -> Response {
    use axum::body::HttpBody;
    if response.body().size_hint().exact().is_none() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let bytes = collected.to_bytes();
    let out = match serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| serde_json::to_vec_pretty(&v).ok())
    {
        Some(pretty) => pretty,
        None => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Points the absolute links of a describe (`urls.uiDetailTemplate` and the like, recorded
/// on the org they came from) at this org.
pub fn on_this_org(mut value: Value, base: &str) -> Value {
    fn walk(value: &mut Value, base: &str, in_urls: bool) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    walk(v, base, in_urls || key == "urls");
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, base, in_urls)),
            Value::String(text) if in_urls && text.starts_with("https://") => {
                let path_at = text["https://".len()..]
                    .find('/')
                    .map(|i| i + "https://".len());
                let path = path_at.map_or("", |i| &text[i..]);
                *text = format!("{base}{path}");
            }
            _ => {}
        }
    }
    walk(&mut value, base, false);
    value
}
