//! Signed-in clients by connection name: saved connections through the keychain, the built-in
//! sandbox org through its in-memory session. Clients are cached for the whole session.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use super::sandbox::SANDBOX_CONNECTION;
use super::service::Service;
use super::*;
use crate::connect::{Connection, ConnectionDb, SecretStore, saved_client};
use crate::salesforce::{Client, ClientConfig};

/// What to do when the system has no keychain.
pub const NO_KEYCHAIN: &str = "Tether keeps sign-in tokens only in the system keychain, and none is \
     available. Install and start a Secret Service provider (gnome-keyring, or KeePassXC with \
     Secret Service enabled) in your desktop session, then restart Tether. The sandbox org works \
     without one";

impl Service {
    /// `<data_dir>/tether.db`, where saved connections are listed.
    pub(super) fn connections_path(&self) -> PathBuf {
        self.config.data_dir.join("tether.db")
    }

    /// The keychain, or an error that says what to install.
    pub(super) fn secrets(&self) -> anyhow::Result<Arc<dyn SecretStore>> {
        self.config
            .secrets
            .clone()
            .ok_or_else(|| anyhow::anyhow!(NO_KEYCHAIN))
    }

    /// Every saved connection, by name.
    pub(super) async fn saved_connections(&self) -> anyhow::Result<Vec<Connection>> {
        let path = self.connections_path();
        blocking(move || Ok(open_db(&path)?.list()?)).await
    }

    pub(super) async fn saved_connection(&self, name: &str) -> anyhow::Result<Connection> {
        let path = self.connections_path();
        let owned = name.to_string();
        blocking(move || Ok(open_db(&path)?.get(&owned)?))
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "there is no connection named “{name}”. Add it in Connections with Connect"
                )
            })
    }

    /// A signed-in client for the connection, cached for the session.
    pub(super) async fn client(&self, name: &str) -> anyhow::Result<Client> {
        if let Some(client) = self.cached_client(name) {
            return Ok(client);
        }
        let client = if name == SANDBOX_CONNECTION {
            self.sandbox_client().await?
        } else {
            let connection = self.saved_connection(name).await?;
            saved_client(&connection, self.secrets()?, ClientConfig::default())
                .await
                .with_context(|| format!("cannot reach the org of “{name}”"))?
        };
        self.remember_client(name, &client);
        Ok(client)
    }

    pub(super) fn cached_client(&self, name: &str) -> Option<Client> {
        lock(&self.clients).get(name).cloned()
    }

    /// Uses `client` for the connection from now on (tests sign in themselves).
    pub fn remember_client(&self, name: &str, client: &Client) {
        lock(&self.clients).insert(name.to_string(), client.clone());
        self.forget_access(name);
        self.note_instance_url(name, client.instance_url());
    }

    pub(super) fn forget_client(&self, name: &str) {
        lock(&self.clients).remove(name);
        self.forget_access(name);
    }

    /// The API usage `client`'s last answer reported, for the connection's gauge.
    pub(super) fn report_usage(&self, connection: &str, client: &Client) {
        if let Some(usage) = client.api_usage() {
            self.outbox.send(Event::ApiUsage {
                connection: connection.to_string(),
                used: usage.used,
                max: usage.max,
            });
        }
    }

    /// Reports the API usage the connection's client last heard, when it has one (a
    /// request that never reached the org has nothing new to say).
    pub(super) fn report_usage_of(&self, connection: &str) {
        if let Some(client) = self.cached_client(connection) {
            self.report_usage(connection, &client);
        }
    }

    pub(super) fn note_instance_url(&self, name: &str, url: &str) {
        lock(&self.instance_urls).insert(name.to_string(), url.trim_end_matches('/').to_string());
    }
}

/// A connection as the Connections panel shows it, not yet checked.
pub(super) fn view_of(connection: &Connection, embedded: bool) -> ConnectionView {
    ConnectionView {
        name: connection.name.clone(),
        username: connection.username.clone(),
        org_id: connection.org_id.clone(),
        instance_url: connection.instance_url.clone(),
        login_url: connection.login_url.clone(),
        embedded,
        status: ConnectionStatus::Unknown,
        api_usage: None,
        connected_at: connection.connected_at,
    }
}

pub(super) fn open_db(path: &std::path::Path) -> anyhow::Result<ConnectionDb> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the data folder {}: check its permissions",
                dir.display()
            )
        })?;
    }
    Ok(ConnectionDb::open(path)?)
}

/// SQLite and keychain work, off the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .context("a background task of Tether stopped unexpectedly; retry")?
}

/// A poisoned lock only means another task panicked mid-update of a cache; the data is
/// still usable.
pub(super) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
