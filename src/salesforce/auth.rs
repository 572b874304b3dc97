//! Access tokens and how to renew them. Tokens are taken as input (where they are stored is
//! not this module's business) and never reach `Debug` output or logs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Deserialize;

use super::error::{Result, SalesforceError};

/// A secret string whose `Debug` shows only that it is there.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

pub type RefreshFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret>> + Send + 'a>>;

/// Renews an access token once the org has refused the current one.
pub trait TokenRefresher: Send + Sync {
    fn refresh(&self) -> RefreshFuture<'_>;
}

/// What a client signs its calls with: an access token and, optionally, a way to renew it.
#[derive(Clone)]
pub struct Credentials {
    pub access_token: Secret,
    pub refresher: Option<Arc<dyn TokenRefresher>>,
}

impl Credentials {
    /// Credentials that cannot be renewed: an expired session ends in an error.
    pub fn access_token(token: impl Into<String>) -> Self {
        Self {
            access_token: Secret::new(token),
            refresher: None,
        }
    }

    pub fn with_refresher(mut self, refresher: Arc<dyn TokenRefresher>) -> Self {
        self.refresher = Some(refresher);
        self
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &self.access_token)
            .field("refreshable", &self.refresher.is_some())
            .finish()
    }
}

/// Called with the new refresh token when the org rotates it, so that it can be stored.
pub type RotationHook = Arc<dyn Fn(&Secret) + Send + Sync>;

/// The OAuth 2.0 `refresh_token` grant against an org's token endpoint.
pub struct RefreshTokenGrant {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Option<Secret>,
    refresh_token: tokio::sync::Mutex<Secret>,
    on_rotation: Option<RotationHook>,
}

/// The token endpoint's answer to any grant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TokenResponse {
    pub access_token: Secret,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    pub instance_url: String,
    /// The identity URL, `.../id/{orgId}/{userId}`.
    pub id: String,
    #[serde(default)]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl RefreshTokenGrant {
    /// `login_url` is the host that issued the token (or the instance URL).
    pub fn new(
        http: reqwest::Client,
        login_url: &str,
        client_id: impl Into<String>,
        refresh_token: Secret,
    ) -> Self {
        Self {
            http,
            token_url: format!("{}/services/oauth2/token", login_url.trim_end_matches('/')),
            client_id: client_id.into(),
            client_secret: None,
            refresh_token: tokio::sync::Mutex::new(refresh_token),
            on_rotation: None,
        }
    }

    pub fn with_client_secret(mut self, secret: Secret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    pub fn on_rotation(mut self, hook: RotationHook) -> Self {
        self.on_rotation = Some(hook);
        self
    }

    async fn run(&self) -> Result<Secret> {
        let mut refresh_token = self.refresh_token.lock().await;
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("refresh_token", refresh_token.expose()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(SalesforceError::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(SalesforceError::Transport)?;
        if !status.is_success() {
            return Err(match SalesforceError::from_response(status, &body) {
                SalesforceError::OAuth { error, description } => {
                    SalesforceError::SessionExpired(format!("{error}: {description}"))
                }
                other => other,
            });
        }
        let answer: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| SalesforceError::decode("token answer", e))?;
        if let Some(rotated) = answer.refresh_token {
            *refresh_token = rotated;
            if let Some(hook) = &self.on_rotation {
                hook(&refresh_token);
            }
        }
        tracing::info!(token_url = %self.token_url, "access token renewed");
        Ok(answer.access_token)
    }
}

impl TokenRefresher for RefreshTokenGrant {
    fn refresh(&self) -> RefreshFuture<'_> {
        Box::pin(self.run())
    }
}
