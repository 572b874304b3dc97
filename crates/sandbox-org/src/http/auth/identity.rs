//! The identity URL (`/id/{orgId}/{userId}`), OpenID user info, and token revocation.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::users::OrgUser;
use super::{bearer_token, token};
use crate::error::ApiError;
use crate::http::{AppState, MAX_API_VERSION};
use crate::ids;

/// What a real org answers the identity service for a missing, expired or revoked token.
fn bad_token() -> Response {
    (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response()
}

/// The caller of the identity service: the token comes as a Bearer header or, as the identity
/// URL also allows, an `oauth_token` parameter.
fn caller<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    query: &token::Params,
) -> Option<&'a OrgUser> {
    let presented =
        bearer_token(headers).or_else(|| query.get("oauth_token").map(String::as_str))?;
    let grantee = state.org.auth.sessions.authenticate(presented)?;
    state.org.auth.users.by_id(&grantee.user_id)
}

pub async fn identity(
    State(state): State<AppState>,
    Path((org_id, user_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = token::params(query.as_deref(), b"").unwrap_or_default();
    let Some(user) = caller(&state, &headers, &query) else {
        return bad_token();
    };
    let same_org = ids::to_18(&org_id).is_some_and(|id| id == state.org.config.org_id);
    let same_user = ids::to_18(&user_id).is_some_and(|id| id == user.id);
    if !same_org || !same_user {
        return (StatusCode::FORBIDDEN, "Bad_Id").into_response();
    }
    let version = match query.get("version").map(String::as_str) {
        Some("latest") => Some(format!("{MAX_API_VERSION}.0")),
        Some(v) if v.parse::<f32>().is_ok() => Some(v.to_string()),
        _ => None,
    };
    let mut body = identity_json(&state, user);
    if let Some(version) = version
        && let Ok(text) = serde_json::to_string(&body)
    {
        body = serde_json::from_str(&text.replace("{version}", &version)).unwrap_or(body);
    }
    axum::Json(body).into_response()
}

pub async fn userinfo(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = token::params(query.as_deref(), b"").unwrap_or_default();
    let Some(user) = caller(&state, &headers, &query) else {
        return bad_token();
    };
    let identity = identity_json(&state, user);
    let org = &state.org;
    axum::Json(json!({
        "sub": super::identity_url(&state, &user.id),
        "user_id": user.id,
        "organization_id": org.config.org_id,
        "preferred_username": user.username,
        "nickname": nickname(user),
        "name": user.display_name(),
        "email": user.email,
        "email_verified": true,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": "GMT",
        "photos": identity["photos"],
        "profile": format!("{}/{}", org.base_url, user.id),
        "picture": identity["photos"]["picture"],
        "address": {},
        "urls": identity["urls"],
        "active": identity["active"],
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "updated_at": identity["last_modified_date"],
    }))
    .into_response()
}

fn nickname(user: &OrgUser) -> String {
    user.username
        .split('@')
        .next()
        .unwrap_or(&user.username)
        .to_string()
}

/// The identity service's answer. URLs keep `{version}` placeholders, as a real org's do.
fn identity_json(state: &AppState, user: &OrgUser) -> Value {
    let org = &state.org;
    let base = &org.base_url;
    let org_id = &org.config.org_id;
    let last_modified = org
        .store
        .get(&user.id)
        .and_then(|r| r.get("LastModifiedDate").cloned())
        .unwrap_or(Value::Null);
    json!({
        "id": super::identity_url(state, &user.id),
        "asserted_user": true,
        "user_id": user.id,
        "organization_id": org_id,
        "username": user.username,
        "nick_name": nickname(user),
        "display_name": user.display_name(),
        "email": user.email,
        "email_verified": true,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": "GMT",
        "photos": {
            "picture": format!("{base}/profilephoto/005/F"),
            "thumbnail": format!("{base}/profilephoto/005/T"),
        },
        "addr_street": null,
        "addr_city": null,
        "addr_state": null,
        "addr_country": null,
        "addr_zip": null,
        "mobile_phone": null,
        "mobile_phone_verified": false,
        "is_lightning_login_user": false,
        "status": { "created_date": null, "body": null },
        "urls": {
            "enterprise": format!("{base}/services/Soap/c/{{version}}/{org_id}"),
            "metadata": format!("{base}/services/Soap/m/{{version}}/{org_id}"),
            "partner": format!("{base}/services/Soap/u/{{version}}/{org_id}"),
            "rest": format!("{base}/services/data/v{{version}}/"),
            "sobjects": format!("{base}/services/data/v{{version}}/sobjects/"),
            "search": format!("{base}/services/data/v{{version}}/search/"),
            "query": format!("{base}/services/data/v{{version}}/query/"),
            "recent": format!("{base}/services/data/v{{version}}/recent/"),
            "tooling_soap": format!("{base}/services/Soap/T/{{version}}/{org_id}"),
            "tooling_rest": format!("{base}/services/data/v{{version}}/tooling/"),
            "profile": format!("{base}/{}", user.id),
            "feeds": format!("{base}/services/data/v{{version}}/chatter/feeds"),
            "groups": format!("{base}/services/data/v{{version}}/chatter/groups"),
            "users": format!("{base}/services/data/v{{version}}/chatter/users"),
            "feed_items": format!("{base}/services/data/v{{version}}/chatter/feed-items"),
            "feed_elements": format!("{base}/services/data/v{{version}}/chatter/feed-elements"),
            "custom_domain": base,
        },
        "active": org.auth.users.is_active(user, &org.store),
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "last_modified_date": last_modified,
        "is_app_installed": true,
    })
}

/// `POST /services/oauth2/revoke` (form `token=`) and `GET ...?token=`.
pub async fn revoke(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = token::params(query.as_deref(), &body).unwrap_or_default();
    let revoked = params
        .get("token")
        .is_some_and(|t| !t.is_empty() && state.org.auth.sessions.revoke(t));
    let mut response = if revoked {
        StatusCode::OK.into_response()
    } else {
        ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_token", "invalid token").into_response()
    };
    token::no_store(response.headers_mut());
    response
}
