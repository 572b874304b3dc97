//! Layers around the whole router: gzip both ways and the request body cap.

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http_body_util::{BodyExt, BodyStream, LengthLimitError, Limited, StreamBody};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

use crate::error::ApiError;
use crate::http::AppState;

/// Wraps `router` (outermost first): the request log, response compression when the client accepts gzip,
/// decompression of `Content-Encoding: gzip` request bodies, then the body cap, which counts
/// decompressed bytes so that a small gzip bomb cannot get through.
pub fn outer_layers(router: Router, state: &AppState) -> Router {
    let max = state.org.config.max_body_bytes;
    router
        .layer(DefaultBodyLimit::max(max))
        .layer(from_fn_with_state(max, capped_body))
        .layer(map_response(fused))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(from_fn(logged))
}

/// One debug line per request (`RUST_LOG=sandbox_org=debug`): method, path, status and time. The
/// query string is left out: an OAuth callback carries its code there.
async fn logged(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        "{method} {path} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// Streamed answers end for good: the gzip encoder polls a body once more after its end,
/// which some streams (`futures_util::stream::unfold`) do not survive. Bodies of known size
/// are left as they are, so they keep their `Content-Length`.
async fn fused(response: Response) -> Response {
    if response.body().size_hint().exact().is_some() {
        return response;
    }
    response.map(|body| Body::new(StreamBody::new(StreamExt::fuse(BodyStream::new(body)))))
}

/// Reads the whole body up to `max` bytes, answering 413 beyond it. Handlers then see a
/// complete body, however it was sent (chunked, gzip).
async fn capped_body(State(max): State<usize>, request: Request, next: Next) -> Response {
    // Bulk uploads have their own, larger cap, enforced per job by the Bulk handler.
    let path = request.uri().path().trim_end_matches('/');
    let max = if path.ends_with("/batches") {
        max.max(crate::http::bulk::MAX_UPLOAD_BYTES)
    } else {
        max
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large(max);
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, max).collect().await {
        Ok(collected) => next.run(Request::from_parts(parts, Body::from(collected.to_bytes()))).await,
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => too_large(max),
        Err(e) => ApiError::bad_request(
            "JSON_PARSER_ERROR",
            format!(
                "The request body could not be read: {e}. Send the whole body; compress it with gzip only when Content-Encoding says gzip"
            ),
        )
        .into_response(),
    }
}

/// 413 with the REST error array (unverified against a live org: the code is the one the
/// SOAP API documents for oversized requests).
fn too_large(max: usize) -> Response {
    ApiError::rest(
        StatusCode::PAYLOAD_TOO_LARGE,
        "EXCEEDED_MAX_SIZE_REQUEST",
        format!("Exceeded max size limit of {max} bytes for a request body. Send fewer records per request"),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::io::Read;

    use axum::routing::get;
    use bytes::Bytes;
    use tower::ServiceExt;

    use super::*;
    use crate::config::OrgConfig;

    /// A streamed answer whose stream panics when polled after its end, like `unfold`.
    async fn streamed() -> Body {
        let pieces = futures_util::stream::unfold(0u32, |n| async move {
            (n < 3).then(|| {
                (
                    Ok::<_, Infallible>(Bytes::from(format!("piece {n};").repeat(20))),
                    n + 1,
                )
            })
        });
        Body::from_stream(pieces)
    }

    #[tokio::test]
    async fn streamed_answers_survive_gzip() {
        let state = AppState::new(OrgConfig::default(), ([127, 0, 0, 1], 0).into()).unwrap();
        let app = outer_layers(Router::new().route("/stream", get(streamed)), &state);
        let request = Request::get("/stream")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        let zipped = response.into_body().collect().await.unwrap().to_bytes();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(
            text,
            (0..3)
                .map(|n| format!("piece {n};").repeat(20))
                .collect::<String>()
        );
    }
}
