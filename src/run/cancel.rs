//! Stopping a run from outside it (the window's Cancel, Ctrl+C) with a
//! [`CancellationToken`]: a run looks at it between steps, so that one cancelled part-way
//! stops at a consistent point and records what it did.

use tokio_util::sync::CancellationToken;

use super::RunError;

/// `Err(RunError::Cancelled)` once `cancel` is cancelled: the run stops here.
pub fn stop_if_cancelled(cancel: &CancellationToken) -> Result<(), RunError> {
    if cancel.is_cancelled() {
        Err(RunError::Cancelled)
    } else {
        Ok(())
    }
}
