//! Connections: the browser sign-in, the built-in sandbox org, checks and API usage.

use std::sync::Arc;

use super::service::Service;
use super::*;

impl Service {
    pub(super) async fn list_connections(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn connect(
        self: &Arc<Self>,
        _target: LoginTarget,
        _client_id: String,
        _name: Option<String>,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn cancel_connect(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn connect_sandbox(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn reconnect(self: &Arc<Self>, _name: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn disconnect(self: &Arc<Self>, _name: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn check_connection(self: &Arc<Self>, _name: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }
}
