//! History, the error browser and the conflicts inbox: pages read from the workspace journal.

use std::sync::Arc;

use super::service::Service;
use super::*;

impl Service {
    pub(super) async fn daily_stats(self: &Arc<Self>, _days: u32) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn runs_page(
        self: &Arc<Self>,
        _filter: RunFilter,
        _offset: u64,
        _limit: u64,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn run_detail(self: &Arc<Self>, _run_id: i64) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn errors_page(
        self: &Arc<Self>,
        _filter: ErrorFilter,
        _offset: u64,
        _limit: u64,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn error_groups(self: &Arc<Self>, _filter: ErrorFilter) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn export_errors(
        self: &Arc<Self>,
        _ids: Vec<i64>,
        _path: &std::path::Path,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn list_conflicts(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn resolve_conflicts(
        self: &Arc<Self>,
        _ids: Vec<i64>,
        _keep: crate::sync::workspace::conflicts::Keep,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }
}
