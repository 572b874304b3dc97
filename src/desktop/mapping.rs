//! The mapping studio's data: objects and fields from describe, local tables, previews, verify and save.

use std::sync::Arc;

use super::service::Service;
use super::*;

impl Service {
    pub(super) async fn list_objects(self: &Arc<Self>, _connection: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn describe_object(
        self: &Arc<Self>,
        _connection: &str,
        _object: &str,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn list_local_tables(self: &Arc<Self>) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn preview_expression(
        self: &Arc<Self>,
        _table: &str,
        _key: &str,
        _expression: &str,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn verify_link(
        self: &Arc<Self>,
        _link: crate::sync::link::Link,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn save_link(
        self: &Arc<Self>,
        _link: crate::sync::link::Link,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn delete_link(self: &Arc<Self>, _name: &str) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn export_link(
        self: &Arc<Self>,
        _name: &str,
        _path: &std::path::Path,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }

    pub(super) async fn import_link(
        self: &Arc<Self>,
        _path: &std::path::Path,
    ) -> anyhow::Result<()> {
        anyhow::bail!("this part of Tether is not built yet")
    }
}
