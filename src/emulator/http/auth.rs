//! OAuth 2.0 endpoints and sessions.

use axum::Router;

use crate::emulator::config::OrgConfig;
use crate::emulator::store::Store;

use super::AppState;

/// Sessions, authorization codes, refresh tokens.
pub struct AuthState {}

impl AuthState {
    pub fn new(_config: &OrgConfig, _store: &Store) -> anyhow::Result<AuthState> {
        Ok(AuthState {})
    }

    /// The id of the org's first (admin) user, owner of seeded records.
    pub fn admin_user_id(&self) -> String {
        crate::emulator::ids::mint("005", 1)
    }
}

/// The authenticated caller of a REST request.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
}

impl axum::extract::FromRequestParts<AppState> for Session {
    type Rejection = crate::emulator::error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, &parts.headers)
    }
}

/// Checks the `Authorization: Bearer` (or `OAuth`) header of a REST request.
pub fn authenticate(
    _state: &AppState,
    _headers: &axum::http::HeaderMap,
) -> Result<Session, crate::emulator::error::ApiError> {
    Ok(Session {
        user_id: crate::emulator::ids::mint("005", 1),
    })
}
