//! Connections: the browser sign-in, checks and API usage, reconnect and disconnect. The
//! built-in sandbox org lives in [`super::sandbox`].

use std::sync::Arc;

use anyhow::Context;
use futures_util::future::join_all;

use super::clients::{blocking, lock, open_db, view_of};
use super::sandbox::SANDBOX_CONNECTION;
use super::service::Service;
use super::*;
use crate::connect::{
    CallbackListener, ConnectError, LoginUrl, NewConnection, http_client, web_login,
};
use crate::salesforce::SalesforceError;
use tokio_util::sync::CancellationToken;

impl Service {
    pub(super) async fn list_connections(self: &Arc<Self>) -> anyhow::Result<()> {
        let saved = self.saved_connections().await?;
        let mut views: Vec<ConnectionView> = saved.iter().map(|c| view_of(c, false)).collect();
        for c in &saved {
            self.note_instance_url(&c.name, &c.instance_url);
        }
        if let Some(sandbox) = self.sandbox_view().await {
            self.note_instance_url(&sandbox.name, &sandbox.instance_url);
            views.push(sandbox);
        }
        self.outbox.send(Event::Connections(views.clone()));
        join_all(views.into_iter().map(|view| async move {
            let checked = self.checked(view).await;
            self.outbox.send(Event::ConnectionChecked(checked));
        }))
        .await;
        Ok(())
    }

    pub(super) async fn check_connection(self: &Arc<Self>, name: &str) -> anyhow::Result<()> {
        let view = if name == SANDBOX_CONNECTION {
            self.sandbox_view().await.ok_or_else(|| {
                anyhow::anyhow!("the sandbox org is not connected. Choose Use the sandbox org")
            })?
        } else {
            view_of(&self.saved_connection(name).await?, false)
        };
        self.outbox.send(Event::ConnectionChecked(ConnectionView {
            status: ConnectionStatus::Checking,
            ..view.clone()
        }));
        let checked = self.checked(view).await;
        self.outbox.send(Event::ConnectionChecked(checked));
        Ok(())
    }

    /// The connection with its status and the org's daily API usage, from one cheap call.
    async fn checked(self: &Arc<Self>, mut view: ConnectionView) -> ConnectionView {
        let outcome = async {
            let client = self.client(&view.name).await?;
            let limits = client.limits().await?;
            anyhow::Ok(limits.get("DailyApiRequests").map(|l| {
                let max = u64::try_from(l.max).unwrap_or(0);
                let remaining = u64::try_from(l.remaining).unwrap_or(0);
                (max.saturating_sub(remaining), max)
            }))
        }
        .await;
        match outcome {
            Ok(usage) => {
                self.announce_access(&view.name);
                view.status = ConnectionStatus::Ok;
                view.api_usage = usage;
            }
            Err(e) => {
                view.status = status_of(&e);
                if matches!(view.status, ConnectionStatus::SignInAgain(_)) {
                    self.forget_client(&view.name);
                }
            }
        }
        view
    }

    pub(super) async fn connect(
        self: &Arc<Self>,
        target: LoginTarget,
        client_id: String,
        name: Option<String>,
    ) -> anyhow::Result<()> {
        let login = LoginUrl::parse(&target.login_text())?;
        self.sign_in(login, client_id, name).await
    }

    pub(super) async fn reconnect(self: &Arc<Self>, name: &str) -> anyhow::Result<()> {
        if name == SANDBOX_CONNECTION {
            return self.connect_sandbox().await;
        }
        let connection = self.saved_connection(name).await?;
        let login = LoginUrl::parse(&connection.login_url)?;
        self.sign_in(login, connection.client_id, Some(connection.name))
            .await
    }

    pub(super) async fn cancel_connect(self: &Arc<Self>) -> anyhow::Result<()> {
        if let Some(cancel) = lock(&self.sign_in).take() {
            cancel.cancel();
        }
        Ok(())
    }

    /// The browser sign-in, saved in the keychain under `name` (or the username).
    async fn sign_in(
        self: &Arc<Self>,
        login: LoginUrl,
        client_id: String,
        name: Option<String>,
    ) -> anyhow::Result<()> {
        // Before the browser opens: without a keychain the sign-in could not be kept.
        let secrets = self.secrets()?;
        let cancel = CancellationToken::new();
        if let Some(previous) = lock(&self.sign_in).replace(cancel.clone()) {
            previous.cancel();
        }
        let listener = CallbackListener::bind(self.config.callback_port).await?;
        let http = http_client()?;
        let outbox = self.outbox.clone();
        let open = self.config.open_url.clone();
        let login_done = web_login(
            &http,
            &login,
            &client_id,
            listener,
            self.config.sign_in_timeout,
            move |url| {
                outbox.send(Event::SignInUrl(url.to_string()));
                let step = if open(url.as_str()) {
                    "Waiting for you to sign in in the browser…"
                } else {
                    "Your browser did not open: open the sign-in link shown here, then sign in"
                };
                outbox.send(Event::ConnectProgress(step.to_string()));
            },
        );
        let tokens = tokio::select! {
            tokens = login_done => tokens,
            () = cancel.cancelled() => {
                self.outbox.send(Event::ConnectProgress("Sign-in cancelled".to_string()));
                return Ok(());
            }
        };
        if !cancel.is_cancelled() {
            lock(&self.sign_in).take();
        }
        let tokens = tokens.context("the sign-in did not complete")?;
        self.outbox.send(Event::ConnectProgress(
            "Saving the connection in the keychain…".to_string(),
        ));
        let path = self.connections_path();
        let runtime = tokio::runtime::Handle::current();
        let new = NewConnection {
            name,
            login,
            client_id,
        };
        let connection = blocking(move || {
            let db = open_db(&path)?;
            Ok(runtime.block_on(crate::connect::save(&http, &db, secrets, new, tokens))?)
        })
        .await?;
        // A reconnect replaces the tokens: the old client must not be used again.
        self.forget_client(&connection.name);
        self.note_instance_url(&connection.name, &connection.instance_url);
        let view = ConnectionView {
            status: ConnectionStatus::Ok,
            ..view_of(&connection, false)
        };
        self.outbox.send(Event::Connected(view.clone()));
        let checked = self.checked(view).await;
        self.outbox.send(Event::ConnectionChecked(checked));
        Ok(())
    }

    pub(super) async fn disconnect(self: &Arc<Self>, name: &str) -> anyhow::Result<()> {
        if name == SANDBOX_CONNECTION {
            self.forget_sandbox().await;
            self.outbox.send(Event::Disconnected {
                name: name.to_string(),
            });
            return Ok(());
        }
        let secrets = self.secrets()?;
        let http = http_client()?;
        let path = self.connections_path();
        let runtime = tokio::runtime::Handle::current();
        let owned = name.to_string();
        let done = blocking(move || {
            let db = open_db(&path)?;
            Ok(runtime.block_on(crate::connect::disconnect(&http, &db, secrets, &owned))?)
        })
        .await?;
        self.forget_client(name);
        self.outbox.send(Event::Disconnected {
            name: name.to_string(),
        });
        if !done.revoked {
            self.outbox.send(Event::Notice(format!(
                "Disconnected “{name}”. Its org could not be told, so its tokens were only forgotten here; they expire on their own"
            )));
        }
        Ok(())
    }
}

/// A refused session asks for a new sign-in; anything else is the org out of reach.
fn status_of(error: &anyhow::Error) -> ConnectionStatus {
    let message = format!("{error:#}");
    let refused = error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<SalesforceError>(),
            Some(SalesforceError::SessionExpired(_) | SalesforceError::OAuth { .. })
        ) || matches!(
            cause.downcast_ref::<ConnectError>(),
            Some(ConnectError::SignInAgain(_) | ConnectError::OAuth(_))
        )
    });
    if refused {
        ConnectionStatus::SignInAgain(format!("{message}. Choose Reconnect to sign in again"))
    } else {
        ConnectionStatus::Unreachable(format!(
            "{message}. Check the network connection, then choose Check again"
        ))
    }
}
