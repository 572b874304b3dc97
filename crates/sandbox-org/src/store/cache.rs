//! Read indexes built from the stored records and kept until the next write: the sort order
//! of an object's records for keyset pages, and their search tokens for SOSL. Each is built by
//! one scan and dropped by any committed write (or direct use of the connection), so an
//! answer read through one is the answer a scan gives.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

type Entry = (u64, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct ReadCache {
    /// Bumped by every write: an entry built at another generation is stale.
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

/// Indexes kept at most; the least useful are dropped first when more are asked for.
const MAX_ENTRIES: usize = 16;

impl ReadCache {
    /// Marks every index stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The index named `key`, built by `build` when missing or stale. One built while a write
    /// lands is answered once and not kept.
    pub fn get_or_build<T, E>(
        &self,
        key: &str,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
    {
        let generation = self.generation.load(Ordering::SeqCst);
        let found = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .filter(|(g, _)| *g == generation)
            .and_then(|(_, value)| value.clone().downcast::<T>().ok());
        if let Some(found) = found {
            return Ok(found);
        }
        let built = Arc::new(build()?);
        if self.generation.load(Ordering::SeqCst) == generation {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key.to_string(), (generation, built.clone()));
        }
        Ok(built)
    }
}
