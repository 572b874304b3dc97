//! What relationship queries read while filtering and shaping: the ids a semi-join's
//! subquery selects, and each parent's child records, both read once per answer.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Lookups, Typed, matching_ids, typed};
use crate::soql::plan::{ChildQuery, ResolvedPath, SemiJoinPlan};
use crate::store::Record;

/// Results kept for the life of one [`Lookups`], keyed by the address of the plan part
/// they answer (which outlives it).
#[derive(Default)]
pub struct NestedCache {
    joins: HashMap<usize, HashSet<String>>,
    children: HashMap<usize, HashMap<String, Vec<Record>>>,
}

impl Lookups<'_> {
    /// Whether `record` passes `field [NOT] IN (SELECT …)`.
    pub(super) fn semi_join(&mut self, record: &Record, join: &SemiJoinPlan) -> bool {
        let key = join as *const SemiJoinPlan as usize;
        if !self.nested.joins.contains_key(&key) {
            let ids = self.selected_ids(join);
            self.nested.joins.insert(key, ids);
        }
        let found = match typed(join.path.kind, &self.value(record, &join.path)) {
            Typed::Id(id) => self
                .nested
                .joins
                .get(&key)
                .is_some_and(|ids| ids.contains(&id)),
            _ => false,
        };
        found != join.negated
    }

    fn selected_ids(&mut self, join: &SemiJoinPlan) -> HashSet<String> {
        let Some(selected) = join.selected().cloned() else {
            return HashSet::new();
        };
        // A storage error reads as no rows here; the outer scan reports its own.
        let ids = matching_ids(&join.plan, self.source, false).unwrap_or_default();
        ids.iter()
            .filter_map(|id| {
                let record = self.source.get(id)?;
                self.value(&record, &selected).as_str().map(str::to_string)
            })
            .collect()
    }

    /// Whether `record` passes `field INCLUDES (…)` (or EXCLUDES): a set matches when the
    /// field selects every value of it.
    pub(super) fn includes(
        &mut self,
        record: &Record,
        path: &ResolvedPath,
        excludes: bool,
        sets: &[Vec<String>],
    ) -> bool {
        let selected: HashSet<String> = match self.value(record, path) {
            Value::String(s) => s
                .split(';')
                .map(|v| v.trim().to_lowercase())
                .filter(|v| !v.is_empty())
                .collect(),
            _ => HashSet::new(),
        };
        let any = sets
            .iter()
            .any(|set| !set.is_empty() && set.iter().all(|v| selected.contains(v)));
        any != excludes
    }

    /// The child records of `parent_id` the subquery selects, in its order and within its
    /// LIMIT and OFFSET.
    pub fn children_of(&mut self, child: &ChildQuery, parent_id: &str) -> Vec<Record> {
        let key = child as *const ChildQuery as usize;
        if !self.nested.children.contains_key(&key) {
            let grouped = self.read_children(child);
            self.nested.children.insert(key, grouped);
        }
        self.nested
            .children
            .get(&key)
            .and_then(|g| g.get(parent_id))
            .cloned()
            .unwrap_or_default()
    }

    fn read_children(&mut self, child: &ChildQuery) -> HashMap<String, Vec<Record>> {
        // LIMIT and OFFSET count per parent, so the whole ordered answer is read first.
        let mut every = child.plan.clone();
        every.limit = None;
        every.offset = 0;
        let ids = matching_ids(&every, self.source, false).unwrap_or_default();
        let mut grouped: HashMap<String, Vec<Record>> = HashMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for id in ids {
            let Some(record) = self.source.get(&id) else {
                continue;
            };
            let Some(parent) = record.get(&child.lookup).and_then(Value::as_str) else {
                continue;
            };
            let position = seen.entry(parent.to_string()).or_default();
            *position += 1;
            if *position <= child.plan.offset {
                continue;
            }
            let kept = grouped.entry(parent.to_string()).or_default();
            if child.plan.limit.is_none_or(|l| kept.len() < l) {
                kept.push(record);
            }
        }
        grouped
    }
}
