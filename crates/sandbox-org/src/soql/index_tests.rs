//! The incremental-sync statement answered from the store's SystemModstamp index, for
//! `query` and `queryAll` alike.

use std::cell::Cell;
use std::sync::Arc;

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::*;
use crate::store::{Record, Store};

const OWNER: &str = "0055g0000000001AAA";

/// The store, counting the full scans made through it.
struct Counting<'a> {
    store: &'a Store,
    scans: Cell<usize>,
}

impl RecordSource for Counting<'_> {
    fn scan(
        &self,
        object: &str,
        include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError> {
        self.scans.set(self.scans.get() + 1);
        self.store.scan(object, include_deleted, visit)
    }

    fn get(&self, id: &str) -> Option<Record> {
        self.store.get(id)
    }

    fn ids_by_modstamp(
        &self,
        object: &str,
        include_deleted: bool,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<Vec<String>> {
        self.store
            .ids_by_modstamp(object, include_deleted, start_ms, end_ms)
    }
}

fn fields(name: &str) -> Map<String, Value> {
    json!({ "Name": name })
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// Five accounts, the third one deleted.
fn store_with_a_deleted_account() -> (Store, Vec<String>) {
    let store = Store::open(None, Arc::new(Schema::standard().unwrap())).unwrap();
    let ids: Vec<String> = store
        .write(|w| {
            (0..5)
                .map(|n| w.create("Account", &fields(&format!("Acme {n}")), OWNER))
                .collect::<Result<Vec<_>, Vec<SfError>>>()
        })
        .unwrap();
    store
        .write(|w| w.delete(&ids[2], OWNER).map_err(|e| vec![e]))
        .unwrap();
    (store, ids)
}

const SINCE: &str = "SELECT Id FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp, Id";

#[test]
fn query_all_since_a_modstamp_reads_the_index_not_the_table() {
    let (store, ids) = store_with_a_deleted_account();
    let source = Counting {
        store: &store,
        scans: Cell::new(0),
    };
    let plan = compile(SINCE, &store.schema(), Utc::now()).unwrap();

    let all = matching_ids(&plan, &source, true).unwrap();
    assert_eq!(
        source.scans.get(),
        0,
        "queryAll since a SystemModstamp scanned the whole table instead of reading its index"
    );
    assert_eq!(all.len(), 5, "queryAll answers the deleted account too");
    assert_eq!(
        all.last(),
        Some(&ids[2]),
        "the delete moved the account's SystemModstamp last"
    );

    let live = matching_ids(&plan, &source, false).unwrap();
    assert_eq!(source.scans.get(), 0);
    assert_eq!(live.len(), 4);
    assert!(
        !live.contains(&ids[2]),
        "query leaves the deleted account out"
    );
}

#[test]
fn the_index_and_a_scan_give_the_same_answer_to_query_all() {
    let (store, _) = store_with_a_deleted_account();
    // A plan the index cannot answer (descending) is scanned, then reversed to compare.
    let plan = compile(SINCE, &store.schema(), Utc::now()).unwrap();
    let descending = compile(
        "SELECT Id FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp DESC, Id DESC",
        &store.schema(),
        Utc::now(),
    )
    .unwrap();
    let indexed = matching_ids(&plan, &store, true).unwrap();
    let mut scanned = matching_ids(&descending, &store, true).unwrap();
    scanned.reverse();
    assert_eq!(indexed, scanned);
}

#[test]
fn a_pull_filter_beside_the_modstamp_bound_is_still_applied_to_the_indexed_records() {
    let (store, ids) = store_with_a_deleted_account();
    let source = Counting {
        store: &store,
        scans: Cell::new(0),
    };
    let plan = compile(
        "SELECT Id FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00Z AND (Name LIKE 'Acme 1%' OR Name = 'Acme 2') ORDER BY SystemModstamp, Id",
        &store.schema(),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(
        matching_ids(&plan, &source, true).unwrap(),
        vec![ids[1].clone(), ids[2].clone()]
    );
    assert_eq!(
        matching_ids(&plan, &source, false).unwrap(),
        vec![ids[1].clone()]
    );
    assert_eq!(
        source.scans.get(),
        0,
        "the filtered statement scanned the table"
    );
}
