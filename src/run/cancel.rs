//! Stopping a run from outside it: the window's Cancel, Ctrl+C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::RunError;

/// A flag a run checks between steps; once set, the run stops at the next consistent point.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub fn check(&self) -> Result<(), RunError> {
        if self.is_cancelled() {
            Err(RunError::Cancelled)
        } else {
            Ok(())
        }
    }
}
