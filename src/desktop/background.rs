//! What the service does by itself while it runs: connect to the sandbox org at start when
//! asked, and sync the links whose schedules are due.

use std::sync::Arc;
use std::time::Duration;

use super::clients::{blocking, lock};
use super::links::due_links;
use super::service::Service;
use super::*;
use crate::workspace::journal::Trigger;

/// How often schedules are looked at.
const SCHEDULE_CHECK: Duration = Duration::from_secs(30);

impl Service {
    /// Called once when the service starts serving.
    pub(super) fn started(self: &Arc<Self>) {
        let mut tasks = lock(&self.background);
        if self
            .config
            .sandbox
            .as_ref()
            .is_some_and(|s| s.connect_at_start)
        {
            let service = self.clone();
            tasks.push(tokio::spawn(async move {
                service.handle(Request::ConnectSandbox).await;
            }));
        }
        let service = self.clone();
        tasks.push(tokio::spawn(async move { service.run_schedules().await }));
    }

    /// Called once when the window has gone: background work stops, the sandbox org too.
    pub(super) async fn stopped(self: &Arc<Self>) {
        for task in lock(&self.background).drain(..) {
            task.abort();
        }
        for cancel in lock(&self.running).values() {
            cancel.cancel();
        }
        self.stop_sandbox().await;
    }

    async fn run_schedules(self: Arc<Self>) {
        let mut ticks = tokio::time::interval(SCHEDULE_CHECK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let path = self.config.workspace.clone();
            match blocking(move || due_links(&path)).await {
                Ok(due) => {
                    for link in due {
                        if self.is_syncing(&link) {
                            continue;
                        }
                        // A role that may not sync would fail each tick: the schedule waits
                        // for one that may, and Sync Now says why.
                        if let Some(reason) = self.sync_refusal(&link).await {
                            tracing::debug!("the schedule of {link} waits: {reason}");
                            continue;
                        }
                        self.spawn_sync(link, Trigger::Schedule);
                    }
                }
                Err(e) => tracing::warn!("cannot read the schedules: {e:#}"),
            }
        }
    }
}
