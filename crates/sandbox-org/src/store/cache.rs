//! Read indexes kept beside the stored records: the sort order of an object's records for
//! keyset pages, and their search tokens for SOSL. Each is built by one scan, then brought up
//! to date by every committed write with the records it wrote, as a real org keeps its
//! indexes, so an answer read through one is the answer a scan gives and no request pays to
//! build one again. The org's standard indexes (the name order and the search tokens of each
//! object) are kept from the start; one asked for by a query is kept from its first use.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::Record;

/// A record as a committed write left it.
pub struct Stored {
    pub record: Record,
    pub deleted: bool,
}

/// One record written by a committed transaction; `stored` is `None` when it is gone.
pub struct Change {
    pub object: String,
    pub id: String,
    pub stored: Option<Stored>,
}

/// An index that follows the records of one object through writes.
pub trait KeptIndex: Any + Send + Sync {
    fn object(&self) -> &str;
    /// Takes the record `id` as it now is (`None`: gone from the store).
    fn apply(&self, id: &str, stored: Option<&Stored>);
}

struct Entry {
    index: Arc<dyn KeptIndex>,
    any: Arc<dyn Any + Send + Sync>,
    /// Standard indexes stay when others are dropped to make room.
    standard: bool,
}

#[derive(Default)]
pub struct ReadCache {
    /// Bumped by every write: an index built while one landed missed it and is not kept.
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

/// Indexes asked for by queries kept at most; all of them are dropped when more are asked for.
const MAX_ASKED_FOR: usize = 16;

impl ReadCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops every index, for writes the store cannot describe (direct use of its connection).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries().clear();
    }

    /// Whether any index follows the records of `object`, so its writes must be described.
    pub fn follows(&self, object: &str) -> bool {
        self.entries()
            .values()
            .any(|e| e.index.object().eq_ignore_ascii_case(object))
    }

    /// Brings every index up to date with a committed transaction's writes, in their order.
    pub fn apply(&self, changes: &[Change]) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if changes.is_empty() {
            return;
        }
        let written = |index: &Arc<dyn KeptIndex>| {
            changes
                .iter()
                .any(|c| index.object().eq_ignore_ascii_case(&c.object))
        };
        let indexes: Vec<Arc<dyn KeptIndex>> = self
            .entries()
            .values()
            .map(|e| e.index.clone())
            .filter(written)
            .collect();
        for change in changes {
            for index in &indexes {
                if index.object().eq_ignore_ascii_case(&change.object) {
                    index.apply(&change.id, change.stored.as_ref());
                }
            }
        }
    }

    /// Keeps `built` under `key` as a standard index.
    pub fn keep_standard<T: KeptIndex>(&self, key: &str, built: T) {
        let index = Arc::new(built);
        self.entries().insert(
            key.to_string(),
            Entry {
                index: index.clone(),
                any: index,
                standard: true,
            },
        );
    }

    /// The index named `key`, built by `build` when missing. One built while a write lands
    /// missed that write: it answers once and is not kept.
    pub fn get_or_build<T, E>(
        &self,
        key: &str,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E>
    where
        T: KeptIndex,
    {
        let found = self
            .entries()
            .get(key)
            .and_then(|e| e.any.clone().downcast::<T>().ok());
        if let Some(found) = found {
            return Ok(found);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let built = Arc::new(build()?);
        let mut entries = self.entries();
        if self.generation.load(Ordering::SeqCst) == generation {
            if entries.values().filter(|e| !e.standard).count() >= MAX_ASKED_FOR {
                entries.retain(|_, e| e.standard);
            }
            entries.insert(
                key.to_string(),
                Entry {
                    index: built.clone(),
                    any: built.clone(),
                    standard: false,
                },
            );
        }
        Ok(built)
    }
}
