//! `/services/oauth2/authorize`: the first leg of the web-server flow.
//!
//! Errors about the app or its callback are shown as a page, never redirected: the callback
//! is not trusted yet. Every later error goes back to the callback as `?error=...`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use url::form_urlencoded;

use super::consent::{self, AuthorizeRequest};
use super::pkce::{Challenge, Method};
use super::sessions::Grantee;
use super::users::OrgUser;
use super::{AuthState, granted_scope};
use crate::config::ConnectedApp;
use crate::http::AppState;

/// What the person submitted on the login and consent page.
#[derive(Debug, Default, serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    decision: String,
}

const LOGIN_FAILED: &str = "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";

/// An authorize request whose app and callback are known good.
struct Checked<'a> {
    app: &'a ConnectedApp,
    redirect_uri: String,
    challenge: Option<Challenge>,
}

pub async fn show(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let request: AuthorizeRequest = match serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
    {
        Ok(r) => r,
        Err(_) => return consent::error_page("invalid_request", "bad request"),
    };
    let auth = &state.org.auth;
    let checked = match check(auth, &request) {
        Ok(c) => c,
        Err(response) => return *response,
    };
    let prompt = request.prompt.as_deref().unwrap_or("");
    let must_ask = prompt
        .split_whitespace()
        .any(|p| p == "login" || p == "consent" || p == "select_account");
    if auth.auto_approve && !must_ask {
        let store = &state.org.store;
        let hinted = request
            .login_hint
            .as_deref()
            .and_then(|hint| auth.users.by_username(hint));
        let user = hinted
            .filter(|u| auth.users.is_active(u, store))
            .or_else(|| auth.users.first_active(store));
        return match user {
            Some(user) => approve(auth, &request, checked, user),
            None => redirect_error(
                &checked.redirect_uri,
                "access_denied",
                "no active user can approve this app",
                &request,
            ),
        };
    }
    if prompt.split_whitespace().any(|p| p == "none") {
        return redirect_error(
            &checked.redirect_uri,
            "login_required",
            "user must log in first",
            &request,
        );
    }
    let username = request.login_hint.clone().unwrap_or_default();
    page(&state, &request, &username, None)
}

pub async fn submit(State(state): State<AppState>, body: Bytes) -> Response {
    let (request, form) = match (
        serde_urlencoded::from_bytes::<AuthorizeRequest>(&body),
        serde_urlencoded::from_bytes::<LoginForm>(&body),
    ) {
        (Ok(r), Ok(f)) => (r, f),
        _ => return consent::error_page("invalid_request", "bad request"),
    };
    let auth = &state.org.auth;
    let checked = match check(auth, &request) {
        Ok(c) => c,
        Err(response) => return *response,
    };
    if form.decision == "deny" {
        return redirect_error(
            &checked.redirect_uri,
            "access_denied",
            "end-user denied authorization",
            &request,
        );
    }
    match auth
        .users
        .login(&form.username, &form.password, &state.org.store)
    {
        Ok(user) => approve(auth, &request, checked, user),
        Err(refusal) => {
            tracing::info!("sandbox org login refused: {}", refusal.description());
            page(&state, &request, &form.username, Some(LOGIN_FAILED))
        }
    }
}

fn page(
    state: &AppState,
    request: &AuthorizeRequest,
    username: &str,
    error: Option<&str>,
) -> Response {
    let scope = granted_scope(request.scope.as_deref(), super::DEFAULT_SCOPE);
    let scopes: Vec<&str> = scope.split(' ').collect();
    consent::login_page(request, &state.org.auth.org_name, &scopes, username, error)
}

/// The request's app and callback, or the answer refusing it.
fn check<'a>(
    auth: &'a AuthState,
    request: &AuthorizeRequest,
) -> Result<Checked<'a>, Box<Response>> {
    let page = |error: &str, description: &str| Box::new(consent::error_page(error, description));
    let app = request
        .client_id
        .as_deref()
        .and_then(|id| auth.app(id))
        .ok_or_else(|| page("invalid_client_id", "client identifier invalid"))?;
    let redirect_uri = request
        .redirect_uri
        .clone()
        .filter(|uri| app.callbacks.iter().any(|cb| cb == uri))
        .ok_or_else(|| {
            page(
                "redirect_uri_mismatch",
                "redirect_uri must match configuration",
            )
        })?;
    let back = |error: &str, description: &str| {
        Box::new(redirect_error(&redirect_uri, error, description, request))
    };
    if request.response_type.as_deref() != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "response type not supported",
        ));
    }
    let challenge = match (
        &request.code_challenge,
        Method::parse(request.code_challenge_method.as_deref()),
    ) {
        (_, None) => return Err(back("invalid_request", "invalid code_challenge_method")),
        (Some(value), Some(method)) if !value.is_empty() => Some(Challenge {
            method,
            value: value.clone(),
        }),
        // A public client has no secret to prove itself with at the token endpoint.
        _ if app.client_secret.is_none() => {
            return Err(back("invalid_request", "missing required code challenge"));
        }
        _ => None,
    };
    Ok(Checked {
        app,
        redirect_uri,
        challenge,
    })
}

fn approve(
    auth: &AuthState,
    request: &AuthorizeRequest,
    checked: Checked<'_>,
    user: &OrgUser,
) -> Response {
    let grantee = Grantee {
        user_id: user.id.clone(),
        client_id: checked.app.client_id.clone(),
        scope: granted_scope(request.scope.as_deref(), super::DEFAULT_SCOPE),
    };
    let code = auth
        .sessions
        .issue_code(grantee, &checked.redirect_uri, checked.challenge);
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = &request.state {
        params.push(("state", state));
    }
    redirect(&checked.redirect_uri, &params)
}

fn redirect_error(
    redirect_uri: &str,
    error: &str,
    description: &str,
    request: &AuthorizeRequest,
) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = &request.state {
        params.push(("state", state));
    }
    redirect(redirect_uri, &params)
}

/// A 302 to the callback with `params` appended to its query.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    match HeaderValue::from_str(&format!("{redirect_uri}{separator}{query}")) {
        Ok(location) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, location);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => consent::error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ),
    }
}
