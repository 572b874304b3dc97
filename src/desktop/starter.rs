//! How the program hands the service a sandbox org to start. The library never links the
//! org itself: `main` (and the tests) pass a [`SandboxStarter`] that does.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct SandboxStart {
    /// SQLite file that keeps the org between launches; in memory when `None`.
    pub data_file: Option<PathBuf>,
    /// About how many demo records to seed into an empty org.
    pub seed_records: Option<usize>,
}

/// The demo user the window signs in as: a connected app that needs no secret.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub client_id: String,
    pub username: String,
    pub password: String,
}

/// A running org: where it answers, who signs in, and how it stops.
pub struct StartedSandbox {
    pub base_url: String,
    pub login: DemoLogin,
    stop: Box<dyn FnOnce() -> BoxFuture<()> + Send + Sync>,
}

impl StartedSandbox {
    pub fn new<F, Fut>(base_url: String, login: DemoLogin, stop: F) -> Self
    where
        F: FnOnce() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        StartedSandbox {
            base_url,
            login,
            stop: Box::new(move || Box::pin(stop())),
        }
    }

    /// Stops accepting connections and waits for the server to finish.
    pub async fn stop(self) {
        (self.stop)().await;
    }
}

/// Starts the built-in sandbox org on loopback.
#[derive(Clone)]
pub struct SandboxStarter(
    Arc<dyn Fn(SandboxStart) -> BoxFuture<anyhow::Result<StartedSandbox>> + Send + Sync>,
);

impl SandboxStarter {
    pub fn new<F, Fut>(start: F) -> Self
    where
        F: Fn(SandboxStart) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<StartedSandbox>> + Send + 'static,
    {
        SandboxStarter(Arc::new(move |what| Box::pin(start(what))))
    }

    pub async fn start(&self, what: SandboxStart) -> anyhow::Result<StartedSandbox> {
        (self.0)(what).await
    }
}

impl fmt::Debug for SandboxStarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SandboxStarter")
    }
}
