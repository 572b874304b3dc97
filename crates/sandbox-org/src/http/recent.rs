//! Recently viewed records, which `/recent` lists: a record is viewed when a client reads it
//! (`GET /sobjects/{object}/{id}` or by external id), not when it changes.

use std::collections::VecDeque;
use std::sync::Mutex;

/// As many views as `/recent` can list.
const KEPT: usize = 200;

#[derive(Default)]
pub struct Viewed {
    ids: Mutex<VecDeque<String>>,
}

impl Viewed {
    /// Records a view of `id`, moving it to the front.
    pub fn record(&self, id: &str) {
        let mut ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        ids.retain(|seen| seen != id);
        ids.push_front(id.to_string());
        ids.truncate(KEPT);
    }

    /// The ids viewed, latest first.
    pub fn latest(&self) -> Vec<String> {
        let ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        ids.iter().cloned().collect()
    }
}
