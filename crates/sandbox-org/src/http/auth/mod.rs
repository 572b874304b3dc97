//! OAuth 2.0 and sessions of the sandbox org.
//!
//! - [`authorize`]: the login and consent step of the web-server flow (PKCE);
//! - [`token`]: the token endpoint and its grants;
//! - [`identity`]: the identity URL, user info and revocation;
//! - [`sessions`]: what tokens are alive, and the clock that expires them;
//! - [`users`]: who can log in, mirrored as `User` records.
//!
//! REST handlers find their caller with [`authenticate`] or by taking a [`Session`].

mod authorize;
mod consent;
mod identity;
mod jwt;
mod kept;
mod pkce;
mod sessions;
mod soap;
mod token;
mod tokens;
mod users;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};

use crate::config::{ConnectedApp, OrgConfig};
use crate::error::ApiError;
use crate::store::Store;

use super::AppState;

/// Scope granted when an authorize request names none: what a connected app set up for
/// Tether (API access and a refresh token) is granted.
pub const DEFAULT_SCOPE: &str = "refresh_token api";

/// Sessions, authorization codes, refresh tokens, and the org's users.
pub struct AuthState {
    apps: Vec<ConnectedApp>,
    users: users::Directory,
    sessions: sessions::Sessions,
    org_name: String,
    auto_approve: bool,
}

impl AuthState {
    /// Reads apps and users from `config`; makes each user exist as a `User` record in `store`.
    pub fn new(config: &OrgConfig, store: &Store) -> Result<AuthState, crate::StartError> {
        if config.users.is_empty() {
            return Err(crate::StartError::NoUsers);
        }
        Ok(AuthState {
            apps: config.apps.clone(),
            users: users::Directory::load(&config.users, store, &config.org_id),
            sessions: sessions::Sessions::new(
                &config.org_id,
                config.session_timeout,
                config.faults.session_expiry_secs.map(Duration::from_secs),
                config.rotate_refresh_tokens,
                config.data_file.as_deref(),
            ),
            org_name: config.org_name.clone(),
            auto_approve: config.auto_approve,
        })
    }

    /// The id of the org's first (admin) user, owner of seeded records.
    pub fn admin_user_id(&self) -> String {
        self.users.admin_id()
    }

    /// Ends every access token now (refresh tokens stay valid), as when sessions time out.
    pub fn expire_all_sessions(&self) {
        self.sessions.expire_all();
    }

    /// Moves the org's clock forward: sessions, codes and assertions age without sleeping.
    pub fn advance_clock(&self, by: Duration) {
        self.sessions.clock().advance(by);
    }

    /// The early-expiry fault: sessions end this many seconds after issue (`None`: off).
    pub fn set_session_expiry_secs(&self, secs: Option<u64>) {
        self.sessions
            .set_early_expiry(secs.map(Duration::from_secs));
    }

    pub fn session_expiry_secs(&self) -> Option<u64> {
        self.sessions.early_expiry().map(|d| d.as_secs())
    }

    /// Live refresh tokens of a user for an app (at most [`REFRESH_TOKENS_PER_USER_AND_APP`]).
    pub fn refresh_token_count(&self, user_id: &str, client_id: &str) -> usize {
        self.sessions.refresh_tokens_of(user_id, client_id)
    }

    /// The security token of `username`, appended to the password by SOAP and
    /// username-password logins.
    pub fn security_token(&self, username: &str) -> Option<String> {
        self.users
            .by_username(username)
            .map(|u| u.security_token().to_string())
    }

    /// The id of the `User` record of `username`, when such a user can log in.
    pub fn user_id(&self, username: &str) -> Option<String> {
        self.users.by_username(username).map(|u| u.id.clone())
    }

    /// An access token of `username` for the demo app, as a sign-in would issue.
    #[cfg(test)]
    pub fn session_of(&self, username: &str) -> Option<String> {
        let user = self.users.by_username(username)?;
        let grantee = sessions::Grantee {
            user_id: user.id.clone(),
            client_id: crate::config::DEMO_CLIENT_ID.to_string(),
            scope: DEFAULT_SCOPE.to_string(),
        };
        Some(self.sessions.issue(&grantee, false).access_token)
    }

    fn app(&self, client_id: &str) -> Option<&ConnectedApp> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }
}

/// The authenticated caller of a REST request.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user_id: String,
    pub org_id: String,
    pub username: String,
    pub client_id: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/services/oauth2/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route("/services/oauth2/token", post(token::token))
        .route(
            "/services/oauth2/revoke",
            get(identity::revoke).post(identity::revoke),
        )
        .route(
            "/services/oauth2/userinfo",
            get(identity::userinfo).post(identity::userinfo),
        )
        .route("/id/{org_id}/{user_id}", get(identity::identity))
        .route("/services/Soap/u/{version}", post(soap::partner))
}

impl axum::extract::FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, &parts.headers)
    }
}

/// Checks the `Authorization: Bearer` (or `OAuth`) header of a REST request; a missing,
/// unknown, expired or revoked token is answered 401 `INVALID_SESSION_ID`.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let auth = &state.org.auth;
    let token = bearer_token(headers).ok_or_else(ApiError::invalid_session)?;
    let grantee = auth
        .sessions
        .authenticate(token)
        .ok_or_else(ApiError::invalid_session)?;
    let user = auth
        .users
        .by_id(&grantee.user_id)
        .ok_or_else(ApiError::invalid_session)?;
    Ok(Session {
        user_id: user.id.clone(),
        org_id: state.org.config.org_id.clone(),
        username: user.username.clone(),
        client_id: grantee.client_id,
    })
}

/// The token of an `Authorization: Bearer <token>` or `OAuth <token>` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth");
    let token = token.trim();
    (known && !token.is_empty()).then_some(token)
}

/// `{base}/id/{orgId}/{userId}`.
fn identity_url(state: &AppState, user_id: &str) -> String {
    format!(
        "{}/id/{}/{}",
        state.org.base_url, state.org.config.org_id, user_id
    )
}

/// The requested scopes, normalised (order kept, duplicates dropped), or `default`.
fn granted_scope(requested: Option<&str>, default: &str) -> String {
    let mut scopes: Vec<&str> = Vec::new();
    for s in requested.unwrap_or("").split([' ', '+', ',']) {
        if !s.is_empty() && !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    if scopes.is_empty() {
        default.to_string()
    } else {
        scopes.join(" ")
    }
}

/// A refresh token comes only with the `refresh_token` or `offline_access` scope.
fn allows_refresh(scope: &str) -> bool {
    scope
        .split(' ')
        .any(|s| s == "refresh_token" || s == "offline_access")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_and_oauth_schemes() {
        let cases = [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("OAuth 00D!AQ.x", Some("00D!AQ.x")),
            ("Basic abc", None),
            ("Bearer ", None),
            ("abc", None),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            assert_eq!(bearer_token(&headers), expected, "{value}");
        }
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn scopes() {
        let cases = [
            (None, DEFAULT_SCOPE, true),
            (Some(""), DEFAULT_SCOPE, true),
            (Some("api"), "api", false),
            (Some("api refresh_token api"), "api refresh_token", true),
            (Some("offline_access,api"), "offline_access api", true),
        ];
        for (requested, granted, refresh) in cases {
            let scope = granted_scope(requested, DEFAULT_SCOPE);
            assert_eq!(scope, granted, "{requested:?}");
            assert_eq!(allows_refresh(&scope), refresh, "{requested:?}");
        }
    }
}
