//! Rows of a long table, fetched a page at a time around what is visible and kept in a
//! bounded cache, so a million rows cost a few pages of memory.

use std::collections::{HashMap, HashSet};

/// Rows per page request.
pub const PAGE_SIZE: u64 = 200;
/// Pages kept; the ones farthest from the latest arrival go first.
const KEEP_PAGES: usize = 32;

pub struct Paged<T> {
    total: Option<u64>,
    pages: HashMap<u64, Vec<T>>,
    asked: HashSet<u64>,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            total: None,
            pages: HashMap::new(),
            asked: HashSet::new(),
        }
    }
}

impl<T> Paged<T> {
    /// Forgets every row (the filter changed, or the data did).
    pub fn clear(&mut self) {
        *self = Paged::default();
    }

    /// How many rows the filter matches; `None` until the first page arrives.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    pub fn row(&self, index: u64) -> Option<&T> {
        let offset = index - index % PAGE_SIZE;
        let page = self.pages.get(&offset)?;
        page.get(usize::try_from(index - offset).ok()?)
    }

    /// The offsets of the pages covering rows `first..=last` that are neither here nor asked
    /// for yet; they count as asked from now on, so each page is requested once.
    pub fn wanted(&mut self, first: u64, last: u64) -> Vec<u64> {
        let last = match self.total {
            Some(0) => return Vec::new(),
            Some(total) => last.min(total.saturating_sub(1)),
            None => first,
        };
        let mut offsets = Vec::new();
        let mut offset = first - first % PAGE_SIZE;
        while offset <= last {
            if !self.pages.contains_key(&offset) && self.asked.insert(offset) {
                offsets.push(offset);
            }
            offset += PAGE_SIZE;
        }
        offsets
    }

    /// Lets the pages asked for but never answered (after a failure) be asked again.
    pub fn forget_asked(&mut self) {
        self.asked.clear();
    }

    pub fn insert(&mut self, offset: u64, total: u64, rows: Vec<T>) {
        self.total = Some(total);
        self.asked.remove(&offset);
        self.pages.insert(offset, rows);
        while self.pages.len() > KEEP_PAGES {
            let farthest = self
                .pages
                .keys()
                .copied()
                .max_by_key(|o| o.abs_diff(offset));
            match farthest {
                Some(o) => self.pages.remove(&o),
                None => break,
            };
        }
    }

    /// Every row held, in no particular order.
    pub fn held(&self) -> impl Iterator<Item = &T> {
        self.pages.values().flatten()
    }

    /// Whether a page was asked for and has not arrived.
    pub fn loading(&self) -> bool {
        !self.asked.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_asked_once_and_rows_found_by_index() {
        let mut paged: Paged<u64> = Paged::default();
        assert_eq!(
            paged.wanted(0, 30),
            vec![0],
            "only the first page before a total"
        );
        assert!(paged.wanted(0, 30).is_empty(), "asked once");
        paged.insert(0, 1_000, (0..PAGE_SIZE).collect());
        assert_eq!(paged.row(5), Some(&5));
        assert_eq!(paged.row(PAGE_SIZE), None);
        assert_eq!(paged.wanted(150, 450), vec![200, 400]);
        assert_eq!(paged.wanted(990, 5_000), vec![800], "clamped to the total");
        paged.insert(800, 1_000, (800..1_000).collect());
        assert_eq!(paged.row(999), Some(&999));
        assert!(paged.loading());
        paged.forget_asked();
        assert!(!paged.loading());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let mut paged: Paged<u64> = Paged::default();
        for page in 0..100 {
            paged.insert(page * PAGE_SIZE, 1_000_000, vec![page; 3]);
        }
        assert_eq!(paged.pages.len(), KEEP_PAGES);
        assert!(paged.row(99 * PAGE_SIZE).is_some(), "the latest page stays");
        assert!(paged.row(0).is_none(), "the farthest page went");
    }
}
