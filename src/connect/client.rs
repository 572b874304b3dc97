//! A typed API client for a saved connection: the access token from the keychain, renewed
//! through the keychain (refresh token or JWT key) whenever the org refuses it. The command
//! line and the desktop app both build their clients here.

use std::sync::Arc;

use super::flows::{ConnectError, http_client, renew, secret_of};
use super::metadata::Connection;
use super::secrets::SecretStore;
use crate::salesforce::{
    Client, ClientConfig, Credentials, RefreshFuture, SalesforceError, Secret, TokenRefresher,
};

/// Renews a connection's access token through the keychain when the org refuses it.
struct KeychainRefresher {
    http: reqwest::Client,
    secrets: Arc<dyn SecretStore>,
    connection: Connection,
}

impl TokenRefresher for KeychainRefresher {
    fn refresh(&self) -> RefreshFuture<'_> {
        Box::pin(async move {
            let secret = renew(&self.http, self.secrets.clone(), &self.connection)
                .await
                .map_err(|e| SalesforceError::SessionExpired(e.to_string()))?;
            Ok(Secret::new(secret.access_token))
        })
    }
}

/// Signs in to `connection`'s org with the tokens the keychain holds for it.
///
/// Fails with [`ConnectError::SignInAgain`] when the keychain has no tokens for it, and with
/// [`ConnectError::Salesforce`] when the org cannot be reached or refuses the session.
pub async fn saved_client(
    connection: &Connection,
    secrets: Arc<dyn SecretStore>,
    config: ClientConfig,
) -> Result<Client, ConnectError> {
    let secret = secret_of(secrets.clone(), &connection.name)
        .await?
        .ok_or_else(|| ConnectError::SignInAgain(connection.name.clone()))?;
    let refresher = KeychainRefresher {
        http: http_client()?,
        secrets,
        connection: connection.clone(),
    };
    let credentials =
        Credentials::access_token(secret.access_token).with_refresher(Arc::new(refresher));
    Ok(Client::connect(&connection.instance_url, credentials, config).await?)
}
