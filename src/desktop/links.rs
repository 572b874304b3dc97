//! Links on the dashboard and their syncs: Sync Now, progress, cancel, schedules, retries.

use std::sync::Arc;

use super::service::Service;
use super::*;

impl Service {
    pub(super) async fn list_links(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn sync_now(self: &Arc<Self>, _link: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn sync_all(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn cancel_sync(self: &Arc<Self>, _link: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn set_schedule(
        self: &Arc<Self>,
        _link: &str,
        _schedule: crate::sync::link::Schedule,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn retry_errors(self: &Arc<Self>, _ids: Vec<i64>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }
}
