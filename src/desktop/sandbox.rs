//! The built-in sandbox org: started once per service on loopback, signed in as its demo user
//! with a session kept in memory only (never the keychain, never a file), and, for a
//! newcomer's empty workspace, demo links whose first Sync Now does something real.

use std::sync::Arc;

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::clients::{blocking, lock};
use super::service::Service;
use super::*;
use crate::connect::oauth::password_login;
use crate::connect::{LoginUrl, http_client, identity};
use crate::salesforce::{
    BatchSize, Client, ClientConfig, Credentials, RefreshFuture, SalesforceError, Secret,
    TokenRefresher,
};
use crate::sync::link::{ConflictPolicy, Direction, FieldMapping, Link, MatchKey};
use crate::sync::templates;
use crate::workspace::{Workspace, managed};

/// The name links use for the built-in sandbox org.
pub const SANDBOX_CONNECTION: &str = "Sandbox org";
/// The demo link of Accounts.
pub const DEMO_ACCOUNTS_LINK: &str = "Accounts";
/// How many customers get a health score to push on the first sync.
const DEMO_SCORED_CUSTOMERS: usize = 5;

/// The running sandbox org, and the connection to it while the user keeps it.
pub struct EmbeddedOrg {
    org: StartedSandbox,
    connected: Option<ConnectionView>,
}

/// Signs in again with the demo user when the session expires.
struct DemoRefresher {
    login: LoginUrl,
    user: DemoLogin,
}

impl TokenRefresher for DemoRefresher {
    fn refresh(&self) -> RefreshFuture<'_> {
        Box::pin(async move {
            let tokens = demo_tokens(&self.login, &self.user)
                .await
                .map_err(|e| SalesforceError::SessionExpired(format!("{e:#}")))?;
            Ok(Secret::new(tokens.secret.access_token))
        })
    }
}

async fn demo_tokens(login: &LoginUrl, user: &DemoLogin) -> anyhow::Result<crate::connect::Tokens> {
    let http = http_client()?;
    Ok(password_login(
        &http,
        login,
        &user.client_id,
        &user.username,
        &user.password,
    )
    .await?)
}

impl Service {
    pub(super) async fn connect_sandbox(self: &Arc<Self>) -> anyhow::Result<()> {
        let options = self.config.sandbox.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "this window does not offer the sandbox org. Start Tether with `tether demo` to try it"
            )
        })?;
        let (base, user) = {
            let mut embedded = self.sandbox.lock().await;
            if embedded.is_none() {
                self.outbox.send(Event::ConnectProgress(
                    "Starting the sandbox org…".to_string(),
                ));
                let org = options.starter.start(options.start.clone()).await.context(
                    "the sandbox org could not start. Check that the data folder is writable, then try again",
                )?;
                *embedded = Some(EmbeddedOrg {
                    org,
                    connected: None,
                });
            }
            embedded
                .as_ref()
                .map(|e| (e.org.base_url.clone(), e.org.login.clone()))
                .ok_or_else(|| anyhow::anyhow!("the sandbox org stopped; restart Tether"))?
        };
        self.outbox.send(Event::ConnectProgress(
            "Signing in to the sandbox org…".to_string(),
        ));
        let login = LoginUrl::parse(&base)?;
        let tokens = demo_tokens(&login, &user)
            .await
            .context("the sandbox org refused its demo user; restart Tether")?;
        let who = identity(&http_client()?, &tokens).await?;
        let credentials = Credentials::access_token(tokens.secret.access_token.clone())
            .with_refresher(Arc::new(DemoRefresher {
                login: login.clone(),
                user,
            }));
        let client = Client::connect(&tokens.instance_url, credentials, ClientConfig::default())
            .await
            .context("the sandbox org does not answer; restart Tether")?;
        self.remember_client(SANDBOX_CONNECTION, &client);
        let view = ConnectionView {
            name: SANDBOX_CONNECTION.to_string(),
            username: who.username,
            org_id: who.organization_id,
            instance_url: client.instance_url().to_string(),
            login_url: login.to_string(),
            embedded: true,
            status: ConnectionStatus::Ok,
            api_usage: client.api_usage().map(|u| (u.used, u.max)),
            connected_at: chrono::Utc::now(),
        };
        if let Some(embedded) = self.sandbox.lock().await.as_mut() {
            embedded.connected = Some(view.clone());
        }
        self.outbox.send(Event::Connected(view));
        if options.demo_links {
            self.install_demo_links(&client).await?;
        }
        self.announce_access(SANDBOX_CONNECTION);
        self.list_links().await
    }

    /// A fresh session with the running sandbox org.
    pub(super) async fn sandbox_client(&self) -> anyhow::Result<Client> {
        let (base, user) = self
            .sandbox
            .lock()
            .await
            .as_ref()
            .filter(|e| e.connected.is_some())
            .map(|e| (e.org.base_url.clone(), e.org.login.clone()))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the sandbox org is not connected in this session. Open Connections and choose Use the sandbox org"
                )
            })?;
        let login = LoginUrl::parse(&base)?;
        let tokens = demo_tokens(&login, &user).await?;
        let credentials = Credentials::access_token(tokens.secret.access_token)
            .with_refresher(Arc::new(DemoRefresher { login, user }));
        Ok(Client::connect(&tokens.instance_url, credentials, ClientConfig::default()).await?)
    }

    /// The sandbox connection, while connected.
    pub(super) async fn sandbox_view(&self) -> Option<ConnectionView> {
        self.sandbox
            .lock()
            .await
            .as_ref()
            .and_then(|e| e.connected.clone())
    }

    /// Forgets the sandbox connection; the org keeps running so that connecting again finds
    /// its data.
    pub(super) async fn forget_sandbox(&self) {
        if let Some(embedded) = self.sandbox.lock().await.as_mut() {
            embedded.connected = None;
        }
        self.forget_client(SANDBOX_CONNECTION);
    }

    /// Stops the sandbox org, when the service stops.
    pub(super) async fn stop_sandbox(&self) {
        let embedded = self.sandbox.lock().await.take();
        if let Some(embedded) = embedded {
            lock(&self.clients).remove(SANDBOX_CONNECTION);
            embedded.org.stop().await;
        }
    }

    /// Into a workspace without links: an Accounts link, and the customer-health template with
    /// a few scored customers to push.
    async fn install_demo_links(&self, client: &Client) -> anyhow::Result<()> {
        let path = self.config.workspace.clone();
        let empty = blocking({
            let path = path.clone();
            move || Ok(Workspace::open(&path)?.links()?.is_empty())
        })
        .await?;
        if !empty {
            return Ok(());
        }
        let soql =
            format!("SELECT Id, Name FROM Account ORDER BY Name LIMIT {DEMO_SCORED_CUSTOMERS}");
        let mut pages = Box::pin(client.query::<Map<String, Value>>(&soql, Some(BatchSize(200))));
        let customers: Vec<(String, String)> = match pages.next().await {
            Some(page) => page?
                .records
                .iter()
                .filter_map(|r| {
                    let id = r.get("Id")?.as_str()?.to_string();
                    let name = r.get("Name").and_then(Value::as_str).unwrap_or_default();
                    Some((id, name.to_string()))
                })
                .collect(),
            None => Vec::new(),
        };
        blocking(move || {
            let mut ws = Workspace::open(&path)?;
            managed::create_tables(ws.conn(), DEMO_ACCOUNTS_SQL, "demo")?;
            ws.save_link(&demo_accounts_link(), "demo")?;
            let template = templates::find("customer-health")
                .context("the customer-health template is missing from this build")?;
            templates::install(&mut ws, &template, SANDBOX_CONNECTION)?;
            let tx = ws.conn_mut().transaction()?;
            for (i, (id, name)) in customers.iter().enumerate() {
                let score = 55.0 + 8.0 * i as f64;
                tx.execute(
                    "INSERT OR IGNORE INTO customers (customer_id, name, health_score) VALUES (?1, ?2, ?3)",
                    rusqlite::params![id, name, score],
                )?;
                tx.execute(
                    "INSERT OR IGNORE INTO health_scores (customer_id, score, measured_on)
                     VALUES (?1, ?2, date('now', '-30 days')), (?1, ?3, date('now'))",
                    rusqlite::params![id, score - 6.0 + 4.0 * i as f64, score],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
}

const DEMO_ACCOUNTS_SQL: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    sf_id           TEXT PRIMARY KEY,   -- the Salesforce Account Id
    name            TEXT,
    industry        TEXT,
    phone           TEXT,
    annual_revenue  NUMERIC,
    website         TEXT
);
";

/// Accounts into `accounts`: names and phones both ways (a phone changed on both sides waits
/// for review), the rest pulled.
pub fn demo_accounts_link() -> Link {
    let both = |c: &str, f: &str| FieldMapping::column(c, f, Direction::Both);
    let pull = |c: &str, f: &str| FieldMapping::column(c, f, Direction::Pull);
    Link {
        name: DEMO_ACCOUNTS_LINK.to_string(),
        connection: SANDBOX_CONNECTION.to_string(),
        table: "accounts".to_string(),
        key: "sf_id".to_string(),
        object: "Account".to_string(),
        id_column: "sf_id".to_string(),
        match_on: MatchKey::SalesforceId,
        // Its pushes fill Name, all that an Account requires: a row added without an Id is
        // created, and takes the new Id as its key.
        create_unmatched: true,
        fields: vec![
            both("name", "Name"),
            pull("industry", "Industry"),
            // Phones are edited on both sides: a person decides, so the inbox has a use.
            FieldMapping {
                policy: Some(ConflictPolicy::ManualReview),
                ..both("phone", "Phone")
            },
            pull("annual_revenue", "AnnualRevenue"),
            pull("website", "Website"),
        ],
        pull_filter: None,
        push_filter: None,
        policy: Default::default(),
        deletes: Default::default(),
        archive_column: None,
        schedule: Default::default(),
        strategy: Default::default(),
        time_zone: None,
    }
}
