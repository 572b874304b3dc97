//! `POST /services/oauth2/token`: the authorization-code, refresh-token, password and JWT
//! bearer grants, answered in a real org's shape (no `expires_in`).

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Map, Value};

use super::jwt;
use super::sessions::{CodeRefusal, Grantee, Issued};
use super::{AuthState, allows_refresh, granted_scope};
use crate::config::ConnectedApp;
use crate::error::ApiError;
use crate::http::AppState;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Scope of grants that never carry a refresh token, when none is asked for.
const API_ONLY: &str = "api";

pub type Params = HashMap<String, String>;

pub async fn token(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = match params(query.as_deref(), &body) {
        Some(params) => grant(&state, &params, &headers),
        None => Err(invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )),
    };
    let mut response = match answer {
        Ok(json) => axum::Json(Value::Object(json)).into_response(),
        Err(e) => e.into_response(),
    };
    no_store(response.headers_mut());
    response
}

/// Token answers carry secrets: no cache may keep them.
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// Form parameters from the query string and the body; the body wins, as clients put their
/// parameters in either.
pub fn params(query: Option<&str>, body: &[u8]) -> Option<Params> {
    let mut params: Params =
        serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""))
            .ok()?
            .into_iter()
            .collect();
    params.extend(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).ok()?);
    Some(params)
}

fn grant(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Map<String, Value>, ApiError> {
    match param(params, "grant_type") {
        Some("authorization_code") => authorization_code(state, params, headers),
        Some("refresh_token") => refresh_token(state, params, headers),
        Some("password") => password(state, params, headers),
        Some(JWT_BEARER) => jwt_bearer(state, params),
        _ => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant type not supported",
        )),
    }
}

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn invalid_request(description: &str) -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_client_id() -> ApiError {
    ApiError::oauth(
        StatusCode::BAD_REQUEST,
        "invalid_client_id",
        "client identifier invalid",
    )
}

fn invalid_client() -> ApiError {
    ApiError::oauth(
        StatusCode::BAD_REQUEST,
        "invalid_client",
        "invalid client credentials",
    )
}

/// The client id and secret, from the body or an HTTP Basic header (how the `oauth2` crate
/// sends them by default).
fn client_credentials(params: &Params, headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            Some((decode(id), decode(secret)))
        });
    let id = param(params, "client_id")
        .map(str::to_string)
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()));
    let secret = param(params, "client_secret")
        .map(str::to_string)
        .or_else(|| basic.map(|(_, secret)| secret))
        .filter(|s| !s.is_empty());
    (id, secret)
}

/// The app named by the request, its supplied secret checked. With `secret_required`, an app
/// that has a secret must be sent it.
fn client<'a>(
    auth: &'a AuthState,
    params: &Params,
    headers: &HeaderMap,
    secret_required: bool,
) -> Result<(&'a ConnectedApp, bool), ApiError> {
    let (id, secret) = client_credentials(params, headers);
    let app = id
        .as_deref()
        .and_then(|id| auth.app(id))
        .ok_or_else(invalid_client_id)?;
    let proven = match (&app.client_secret, &secret) {
        (Some(expected), Some(given)) if super::tokens::same_secret(expected, given) => true,
        (_, Some(_)) => return Err(invalid_client()),
        (Some(_), None) if secret_required => return Err(invalid_client()),
        _ => false,
    };
    Ok((app, proven))
}

fn authorization_code(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Map<String, Value>, ApiError> {
    let auth = &state.org.auth;
    let (app, secret_proven) = client(auth, params, headers, false)?;
    let code = param(params, "code")
        .ok_or_else(|| ApiError::invalid_grant("invalid authorization code"))?;
    let redeemed = auth
        .sessions
        .redeem_code(
            code,
            &app.client_id,
            param(params, "redirect_uri"),
            param(params, "code_verifier"),
        )
        .map_err(|refusal| match refusal {
            CodeRefusal::Invalid => ApiError::invalid_grant("invalid authorization code"),
            CodeRefusal::Expired => ApiError::invalid_grant("expired authorization code"),
            CodeRefusal::VerifierMismatch => ApiError::invalid_grant("invalid code verifier"),
            CodeRefusal::RedirectMismatch => ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "redirect_uri_mismatch",
                "redirect_uri must match configuration",
            ),
        })?;
    if app.client_secret.is_some() && !redeemed.pkce && !secret_proven {
        return Err(invalid_client());
    }
    ensure_active(state, &redeemed.grantee.user_id)?;
    let issued = auth
        .sessions
        .issue(&redeemed.grantee, allows_refresh(&redeemed.grantee.scope));
    Ok(answer(state, app, &redeemed.grantee, issued))
}

fn refresh_token(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Map<String, Value>, ApiError> {
    let auth = &state.org.auth;
    let (app, _) = client(auth, params, headers, true)?;
    let expired = || ApiError::invalid_grant("expired access/refresh token");
    let presented = param(params, "refresh_token").ok_or_else(expired)?;
    let (grantee, issued) = auth
        .sessions
        .refresh(presented, &app.client_id)
        .ok_or_else(expired)?;
    if let Err(e) = ensure_active(state, &grantee.user_id) {
        auth.sessions.revoke(&issued.access_token);
        return Err(e);
    }
    Ok(answer(state, app, &grantee, issued))
}

fn password(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Map<String, Value>, ApiError> {
    let auth = &state.org.auth;
    let (app, _) = client(auth, params, headers, true)?;
    let user = auth
        .users
        .login(
            param(params, "username").unwrap_or(""),
            param(params, "password").unwrap_or(""),
            &state.org.store,
        )
        .map_err(|refusal| ApiError::invalid_grant(refusal.description()))?;
    let grantee = Grantee {
        user_id: user.id.clone(),
        client_id: app.client_id.clone(),
        scope: granted_scope(param(params, "scope"), API_ONLY),
    };
    // The username-password flow never issues refresh tokens.
    let issued = auth.sessions.issue(&grantee, false);
    Ok(answer(state, app, &grantee, issued))
}

fn jwt_bearer(state: &AppState, params: &Params) -> Result<Map<String, Value>, ApiError> {
    let auth = &state.org.auth;
    let invalid = || ApiError::invalid_grant(jwt::AssertionRefusal::Invalid.description());
    let assertion = param(params, "assertion").ok_or_else(invalid)?;
    let issuer = jwt::claimed_issuer(assertion).ok_or_else(invalid)?;
    let app = auth.app(&issuer).ok_or_else(invalid_client_id)?;
    let Some(certificate) = &app.jwt_certificate_pem else {
        tracing::info!(
            "sandbox org refused a JWT assertion: app {} has no certificate registered",
            app.client_id
        );
        return Err(invalid());
    };
    let now_secs = auth.sessions.clock().now_ms() / 1000;
    let claims = jwt::verify(assertion, certificate, &state.org.base_url, now_secs)
        .map_err(|refusal| ApiError::invalid_grant(refusal.description()))?;
    let user = auth.users.by_username(&claims.sub).ok_or_else(invalid)?;
    ensure_active(state, &user.id)?;
    let grantee = Grantee {
        user_id: user.id.clone(),
        client_id: app.client_id.clone(),
        scope: granted_scope(param(params, "scope"), API_ONLY),
    };
    let issued = auth.sessions.issue(&grantee, false);
    Ok(answer(state, app, &grantee, issued))
}

fn ensure_active(state: &AppState, user_id: &str) -> Result<(), ApiError> {
    let users = &state.org.auth.users;
    match users.by_id(user_id) {
        Some(user) if users.is_active(user, &state.org.store) => Ok(()),
        _ => Err(ApiError::invalid_grant("inactive user")),
    }
}

/// The token answer, keys in a real org's order.
fn answer(
    state: &AppState,
    app: &ConnectedApp,
    grantee: &Grantee,
    issued: Issued,
) -> Map<String, Value> {
    let identity_url = super::identity_url(state, &grantee.user_id);
    let issued_at = issued.issued_at_ms.to_string();
    let signature =
        super::tokens::signature(app.client_secret.as_deref(), &identity_url, &issued_at);
    let mut m = Map::new();
    m.insert("access_token".into(), Value::String(issued.access_token));
    if let Some(refresh) = issued.refresh_token {
        m.insert("refresh_token".into(), Value::String(refresh));
    }
    m.insert("signature".into(), Value::String(signature));
    m.insert("scope".into(), Value::String(grantee.scope.clone()));
    m.insert(
        "instance_url".into(),
        Value::String(state.org.base_url.clone()),
    );
    m.insert("id".into(), Value::String(identity_url));
    m.insert("token_type".into(), Value::String("Bearer".into()));
    m.insert("issued_at".into(), Value::String(issued_at));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::auth::DEFAULT_SCOPE;

    #[test]
    fn body_parameters_override_the_query() {
        let p = params(
            Some("grant_type=password&client_id=a"),
            b"client_id=b&scope=api+refresh_token",
        )
        .unwrap_or_default();
        assert_eq!(p.get("grant_type").map(String::as_str), Some("password"));
        assert_eq!(p.get("client_id").map(String::as_str), Some("b"));
        assert_eq!(
            p.get("scope").map(String::as_str),
            Some("api refresh_token")
        );
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode("my%20app:s%3Acret"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("")),
        );
        let (id, secret) = client_credentials(&Params::new(), &headers);
        assert_eq!(id.as_deref(), Some("my app"));
        assert_eq!(secret.as_deref(), Some("s:cret"));
    }

    #[test]
    fn default_scope_grants_refresh_and_api_only_does_not() {
        assert!(allows_refresh(DEFAULT_SCOPE));
        assert!(!allows_refresh(API_ONLY));
    }
}
