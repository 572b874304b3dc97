//! Waiting for the workspace lock another program holds: the CLI, a scheduled `tether sync`,
//! another window. Sync Now waits its turn, saying who holds the lock, rather than recording a
//! failed run; Cancel leaves the queue without a run.

use std::path::Path;
use std::sync::Arc;

use super::service::Service;
use super::{Event, SyncProgress};
use crate::run::{RunError, SyncLock};
use tokio_util::sync::CancellationToken;

/// What the card says while it waits, before who holds the lock.
pub const WAITING_FOR_LOCK: &str = "Waiting for another sync to finish";

impl Service {
    /// Returns once the workspace lock is free (true), or once `cancel` is set while another
    /// program holds it (false). The lock is not kept: the run takes it, and if another program takes it first
    /// the run says so and the caller waits again.
    pub(super) async fn wait_for_workspace(
        self: &Arc<Self>,
        path: &Path,
        link: &str,
        cancel: &CancellationToken,
    ) -> anyhow::Result<bool> {
        // A free lock goes to the run even when cancelled meanwhile: the run records its
        // cancellation, as for a sync cancelled while it waited behind another of this window.
        match SyncLock::acquire(path) {
            Ok(free) => {
                drop(free);
                return Ok(true);
            }
            Err(RunError::Busy(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let holder =
            SyncLock::holder(path).map_or_else(|| "another program".to_string(), |h| h.to_string());
        self.outbox.send(Event::SyncProgress(SyncProgress {
            link: link.to_string(),
            run_id: 0,
            phase: format!("{WAITING_FOR_LOCK} ({holder})"),
            done: 0,
            total: None,
            records_per_second: 0.0,
            eta_seconds: None,
        }));
        // The OS wakes a thread blocked on the lock when it frees: no polling. A waiter that
        // was cancelled meanwhile finds nobody to hand the lock to, and drops it at once.
        let (tx, mut got) = tokio::sync::oneshot::channel();
        let waiting_on = path.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(SyncLock::wait(&waiting_on));
        });
        loop {
            let cancelled = self.cancelled.notified();
            tokio::pin!(cancelled);
            cancelled.as_mut().enable();
            if cancel.is_cancelled() {
                return Ok(false);
            }
            tokio::select! {
                answer = &mut got => {
                    return match answer {
                        Ok(Ok(lock)) => {
                            drop(lock);
                            Ok(true)
                        }
                        Ok(Err(e)) => Err(e.into()),
                        Err(_) => anyhow::bail!(
                            "waiting for the workspace lock stopped unexpectedly; press Sync Now again"
                        ),
                    };
                }
                _ = &mut cancelled => {}
            }
        }
    }
}
