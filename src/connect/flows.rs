//! Connecting and disconnecting: sign in, learn who signed in, keep the tokens in the
//! keychain and the rest in SQLite; revoke and forget on disconnect.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::listener::{CallbackListener, ListenerError};
use super::login_url::{LoginUrl, check_transport};
use super::metadata::{Connection, ConnectionDb, MetadataError};
use super::oauth::{self, OAuthError, Tokens};
use super::secrets::{ConnectionSecret, SecretError, SecretStore};

/// How long `tether connect` waits for the browser by default.
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
const PREFLIGHT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Secrets(#[from] SecretError),
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error(transparent)]
    Listener(#[from] ListenerError),
    #[error("there is no connection named `{0}`. Run `tether connections` to see them")]
    UnknownConnection(String),
    #[error(
        "cannot read who signed in from the identity URL: {0}. Retry; if it persists, check the connected app's `id` scope"
    )]
    Identity(String),
    #[error(
        "connection `{0}` has no way to renew its session. Run `tether connect` again to sign in"
    )]
    SignInAgain(String),
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    #[error(
        "the org does not accept {redirect_uri} as a callback URL for client id `{client_id}`, so the sign-in could never come back: add that URL to the connected app's callback URLs, or sign in again on the port of a callback URL it has (`tether connect --port N`; the sandbox org prints its Callback URL)"
    )]
    CallbackRefused {
        client_id: String,
        redirect_uri: String,
    },
    #[error(transparent)]
    Salesforce(#[from] crate::salesforce::SalesforceError),
}

/// The HTTP client for login hosts: no redirects followed (a redirect from a token endpoint
/// is never right), bounded time.
pub fn http_client() -> Result<reqwest::Client, ConnectError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| ConnectError::Http(e.to_string()))
}

/// The web-server flow with PKCE: binds the listener first (so a busy port fails before the
/// browser opens), shows the authorize URL through `show`, waits for the callback and
/// trades the code for tokens.
pub async fn web_login(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    listener: CallbackListener,
    timeout: Duration,
    show: impl FnOnce(&url::Url),
) -> Result<Tokens, ConnectError> {
    web_login_with_secret(http, login, client_id, None, listener, timeout, show).await
}

/// [`web_login`] for a connected app that requires its consumer secret: the code exchange
/// sends it, and the connection keeps it in the keychain for its refreshes.
pub async fn web_login_with_secret(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    client_secret: Option<&str>,
    listener: CallbackListener,
    timeout: Duration,
    show: impl FnOnce(&url::Url),
) -> Result<Tokens, ConnectError> {
    let authorization = oauth::authorize(login, client_id, &listener.redirect_uri())?;
    if callback_refused(http, &authorization.url).await {
        return Err(ConnectError::CallbackRefused {
            client_id: client_id.to_string(),
            redirect_uri: listener.redirect_uri(),
        });
    }
    show(&authorization.url);
    let code = listener
        .wait_for_code(authorization.state.secret(), timeout)
        .await?;
    Ok(oauth::exchange_code(http, login, client_id, client_secret, authorization, code).await?)
}

/// Asks the authorize page once before the browser does: an org that refuses the callback
/// URL shows the browser an error page and never calls the listener, which would otherwise
/// wait out its whole timeout. Salesforce names that refusal `redirect_uri_mismatch`, in the
/// error page or in the address of the page it redirects to. No answer proves nothing, so the
/// sign-in goes on.
async fn callback_refused(http: &reqwest::Client, authorize: &url::Url) -> bool {
    const MISMATCH: &str = "redirect_uri_mismatch";
    let Ok(answer) = http
        .get(authorize.clone())
        .timeout(PREFLIGHT_TIMEOUT)
        .send()
        .await
    else {
        return false;
    };
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if answer.status().is_redirection() {
        return location.contains(MISMATCH);
    }
    answer
        .text()
        .await
        .is_ok_and(|body| body.contains(MISMATCH))
}

/// Who signed in, from the identity URL.
#[derive(Debug, Clone, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub organization_id: String,
    pub username: String,
}

/// The org's answer names the identity URL and instance URL; a token is only sent there over
/// HTTPS (or loopback).
pub async fn identity(http: &reqwest::Client, tokens: &Tokens) -> Result<Identity, ConnectError> {
    for url in [&tokens.identity_url, &tokens.instance_url] {
        let parsed =
            url::Url::parse(url).map_err(|e| ConnectError::Identity(format!("{url}: {e}")))?;
        check_transport(&parsed).map_err(|e| ConnectError::Identity(e.to_string()))?;
    }
    let failed = |e: reqwest::Error| ConnectError::Identity(e.to_string());
    http.get(&tokens.identity_url)
        .bearer_auth(&tokens.secret.access_token)
        .send()
        .await
        .map_err(failed)?
        .error_for_status()
        .map_err(failed)?
        .json()
        .await
        .map_err(failed)
}

/// What a new connection is called and where it signs in.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// `None` names the connection after the username that signed in.
    pub name: Option<String>,
    pub login: LoginUrl,
    pub client_id: String,
}

/// Stores a signed-in connection: tokens in the keychain, the rest in SQLite. Connecting
/// again under the same name replaces both.
///
/// Blocks on `db` (SQLite) between its requests: call it where blocking is allowed, as the
/// desktop service does with `block_on` on a blocking thread.
pub async fn save(
    http: &reqwest::Client,
    db: &ConnectionDb,
    secrets: Arc<dyn SecretStore>,
    new: NewConnection,
    tokens: Tokens,
) -> Result<Connection, ConnectError> {
    let who = identity(http, &tokens).await?;
    let connection = Connection {
        name: new.name.unwrap_or_else(|| who.username.clone()),
        login_url: new.login.to_string(),
        instance_url: tokens.instance_url.trim_end_matches('/').to_string(),
        org_id: who.organization_id,
        user_id: who.user_id,
        username: who.username,
        client_id: new.client_id,
        connected_at: chrono::Utc::now(),
    };
    let name = connection.name.clone();
    let secret = tokens.secret;
    let store = secrets.clone();
    blocking(move || store.put(&name, &secret)).await?;
    if let Err(e) = db.save(&connection) {
        let name = connection.name.clone();
        // Leave nothing behind that no connection refers to.
        let _ = blocking(move || secrets.delete(&name)).await;
        return Err(e.into());
    }
    tracing::info!(connection = %connection.name, org = %connection.org_id, "connected");
    Ok(connection)
}

/// The tokens of a connection, read from the keychain.
pub async fn secret_of(
    secrets: Arc<dyn SecretStore>,
    name: &str,
) -> Result<Option<ConnectionSecret>, ConnectError> {
    let name = name.to_string();
    blocking(move || secrets.get(&name)).await
}

/// A fresh access token for a connection whose token expired: from its refresh token, or
/// for a JWT bearer connection from a new assertion signed with its key. The keychain entry
/// is updated; the new secret is returned.
pub async fn renew(
    http: &reqwest::Client,
    secrets: Arc<dyn SecretStore>,
    connection: &Connection,
) -> Result<ConnectionSecret, ConnectError> {
    let name = connection.name.clone();
    let Some(old) = secret_of(secrets.clone(), &name).await? else {
        return Err(ConnectError::SignInAgain(name));
    };
    let login = LoginUrl::parse(&connection.login_url)
        .map_err(|e| OAuthError::Unexpected(e.to_string()))?;
    let client_id = &connection.client_id;
    let tokens = match (&old.refresh_token, &old.key_path) {
        (Some(refresh), _) => {
            let client_secret = old.client_secret.as_deref();
            oauth::refresh(http, &login, client_id, client_secret, refresh).await?
        }
        (None, Some(key)) => {
            oauth::jwt_login(http, &login, client_id, &connection.username, key).await?
        }
        (None, None) => return Err(ConnectError::SignInAgain(name)),
    };
    let secret = tokens.secret;
    let stored = secret.clone();
    blocking(move || secrets.put(&name, &stored)).await?;
    tracing::info!(connection = %connection.name, "access token renewed");
    Ok(secret)
}

/// What disconnecting did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnected {
    /// False when the org could not be told (offline); the tokens are forgotten anyway and
    /// expire on their own.
    pub revoked: bool,
}

/// Revokes the connection's tokens at its org, then removes them from the keychain and the
/// connection from SQLite.
///
/// Blocks on `db` (SQLite) between its requests: call it where blocking is allowed, as the
/// desktop service does with `block_on` on a blocking thread.
pub async fn disconnect(
    http: &reqwest::Client,
    db: &ConnectionDb,
    secrets: Arc<dyn SecretStore>,
    name: &str,
) -> Result<Disconnected, ConnectError> {
    let connection = db
        .get(name)?
        .ok_or_else(|| ConnectError::UnknownConnection(name.to_string()))?;
    let login = LoginUrl::parse(&connection.login_url)
        .map_err(|e| OAuthError::Unexpected(e.to_string()))?;
    let mut revoked = true;
    if let Some(secret) = secret_of(secrets.clone(), name).await? {
        // Revoking the refresh token ends its access tokens too; the access token is
        // revoked as well for connections that have no refresh token.
        let tokens = secret.refresh_token.iter().chain([&secret.access_token]);
        for token in tokens {
            if let Err(e) = oauth::revoke(http, &login, token).await {
                tracing::warn!(connection = %name, "cannot revoke a token: {e}");
                revoked = false;
            }
        }
    }
    let owned = name.to_string();
    blocking(move || secrets.delete(&owned)).await?;
    db.remove(name)?;
    tracing::info!(connection = %name, revoked, "disconnected");
    Ok(Disconnected { revoked })
}

/// Keychain calls block on D-Bus, so they run off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, ConnectError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SecretError::Failed(e.to_string()))?
        .map_err(ConnectError::from)
}
