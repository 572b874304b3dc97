//! The sandbox org: a Salesforce-compatible server on loopback.
//!
//! It stands beside the product: product code never imports it. Tests, `tether demo`,
//! `tether sandbox-org` and `tether bench` start it, in-process or standalone.
//!
//! Its surface is the org ([`SandboxOrg`]), its configuration ([`config`]) and, for tests,
//! [`testing`]: what a test reads back or builds without going through HTTP.

mod access;
pub mod config;
mod error;
mod http;
mod ids;
mod schema;
mod seed;
mod soql;
mod sosl;
mod store;
mod values;

/// What tests reach without HTTP: the org's state behind [`SandboxOrg::org`], its record
/// store, Id minting, the demo data set and the wire formats.
pub mod testing {
    pub use crate::access::may_customize;
    pub use crate::error::SfError;
    pub use crate::http::{AppState, Org, router};
    pub use crate::ids::{mint, to_18};
    pub use crate::schema::FieldType;
    pub use crate::seed::{DEMO_RECORDS, STAGES};
    pub use crate::store::{Record, Store};
    pub use crate::values::format_datetime_ms;
}

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::{ConnectedApp, FaultConfig, OrgConfig, SandboxUser};

/// Why the org did not start. Each says what to change.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "cannot listen on {addr}: {source}. Choose another port with --port, or stop the program using it"
    )]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error("the sandbox org needs at least one user: add one to its configuration")]
    NoUsers,
    #[error(
        "cannot create the Organization record: {0}. Move the data file away to start with a fresh org"
    )]
    Organization(String),
}

/// A running sandbox org.
pub struct SandboxOrg {
    addr: SocketAddr,
    state: http::AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SandboxOrg {
    /// Opens the store, seeds it when asked and the store is empty, binds and serves.
    pub async fn start(config: OrgConfig) -> Result<SandboxOrg, StartError> {
        let bind = config.bind;
        let listen_error = |source| StartError::Listen { addr: bind, source };
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(listen_error)?;
        let addr = listener.local_addr().map_err(listen_error)?;
        let state = http::AppState::new(config, addr)?;
        let app = http::router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("sandbox org stopped: {e}");
            }
        });
        Ok(SandboxOrg {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the login host and the instance URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state, for tests and the admin surface.
    pub fn state(&self) -> &http::AppState {
        &self.state
    }

    pub fn org(&self) -> &Arc<http::Org> {
        &self.state.org
    }

    /// The security token of `username`, which SOAP and username-password logins append
    /// to the password; `None` for no such user.
    pub fn security_token(&self, username: &str) -> Option<String> {
        self.state.org.auth.security_token(username)
    }

    /// Moves every record of `object` `by` into the past (CreatedDate, LastModifiedDate and
    /// SystemModstamp alike), as an org's existing data: records a test or the benchmark
    /// loaded stand for records last changed long before a client's first read. Returns how
    /// many records moved. The same control is `POST /__sandbox/records/age`.
    pub fn age_records(
        &self,
        object: &str,
        by: std::time::Duration,
    ) -> Result<usize, error::SfError> {
        let by_ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.state.org.store.age_records(object, by_ms)
    }

    /// Stops accepting connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
