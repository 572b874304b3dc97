//! Keyset pages read through the kept order answer exactly what a scan answers, and a write
//! drops the order.

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::*;
use crate::store::{Record, Store};

const OWNER: &str = "0055g0000000001AAA";

/// The store with its indexes hidden: every answer comes from a scan.
struct Scanning<'a>(&'a Store);

impl RecordSource for Scanning<'_> {
    fn scan(
        &self,
        object: &str,
        include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError> {
        self.0.scan(object, include_deleted, visit)
    }

    fn get(&self, id: &str) -> Option<Record> {
        self.0.get(id)
    }
}

fn store_with_ties_and_nulls() -> (Store, Vec<String>) {
    let store = Store::open(None, Arc::new(Schema::standard().unwrap())).unwrap();
    let industries = [
        json!("Energy"),
        Value::Null,
        json!("banking"),
        json!("Banking"),
    ];
    let ids = store
        .write(|w| {
            (0..23)
                .map(|n| {
                    let fields: Map<String, Value> = json!({
                        "Name": if n % 3 == 0 { "acme".to_string() } else { format!("Acme {}", n % 4) },
                        "Industry": industries[n % 4],
                        "AnnualRevenue": if n % 5 == 0 { Value::Null } else { json!((n % 3) as f64) },
                    })
                    .as_object()
                    .cloned()
                    .unwrap();
                    w.create("Account", &fields, OWNER)
                })
                .collect::<Result<Vec<_>, Vec<SfError>>>()
        })
        .unwrap();
    (store, ids)
}

#[test]
fn pages_read_through_the_kept_order_are_the_scans_answer() {
    let (store, ids) = store_with_ties_and_nulls();
    let last = &ids[7];
    let statements = [
        "SELECT Id FROM Account ORDER BY Industry ASC NULLS FIRST, Id ASC LIMIT 5".to_string(),
        "SELECT Id FROM Account ORDER BY Industry DESC NULLS LAST, Id ASC LIMIT 50".to_string(),
        format!(
            "SELECT Id FROM Account WHERE (Industry > 'banking' OR (Industry = 'banking' AND Id > '{last}')) ORDER BY Industry ASC NULLS FIRST, Id ASC LIMIT 4"
        ),
        format!(
            "SELECT Id FROM Account WHERE ((Industry = null AND Id > '{last}') OR Industry != null) ORDER BY Industry ASC NULLS FIRST, Id ASC LIMIT 6"
        ),
        format!(
            "SELECT Id, Name FROM Account WHERE (AnnualRevenue < 2 OR (AnnualRevenue = 2 AND Id > '{last}') OR AnnualRevenue = null) ORDER BY AnnualRevenue DESC NULLS LAST, Id ASC LIMIT 7"
        ),
        // A filter on a field outside the order: each record is read.
        "SELECT Id FROM Account WHERE Name LIKE 'acme%' ORDER BY Industry, Id LIMIT 3 OFFSET 2"
            .to_string(),
        "SELECT Id FROM Account WHERE Industry = 'banking' ORDER BY Name LIMIT 100".to_string(),
        "SELECT Id FROM Account ORDER BY Name".to_string(),
    ];
    for statement in &statements {
        let plan = compile(statement, store.schema(), Utc::now()).unwrap();
        let scanned = matching_ids(&plan, &Scanning(&store), false).unwrap();
        let kept = matching_ids(&plan, &store, false).unwrap();
        assert_eq!(kept, scanned, "{statement}");
        // Asked again, the kept order answers the same.
        assert_eq!(
            matching_ids(&plan, &store, false).unwrap(),
            scanned,
            "{statement}"
        );
    }
}

#[test]
fn a_write_drops_the_kept_order() {
    let (store, ids) = store_with_ties_and_nulls();
    let statement = "SELECT Id FROM Account ORDER BY Name DESC, Id LIMIT 3";
    let plan = compile(statement, store.schema(), Utc::now()).unwrap();
    let before = matching_ids(&plan, &store, false).unwrap();
    let renamed: Map<String, Value> = json!({"Name": "Zulu"}).as_object().cloned().unwrap();
    store
        .write(|w| w.update("Account", &ids[0], &renamed, OWNER))
        .unwrap();
    let after = matching_ids(&plan, &store, false).unwrap();
    assert_eq!(
        after[0], ids[0],
        "the renamed account comes first: {before:?} then {after:?}"
    );
    assert_eq!(
        after,
        matching_ids(&plan, &Scanning(&store), false).unwrap()
    );
    store
        .write(|w| w.delete(&ids[0], OWNER).map_err(|e| vec![e]))
        .unwrap();
    assert!(
        !matching_ids(&plan, &store, false)
            .unwrap()
            .contains(&ids[0])
    );
}

#[test]
fn kept_fields_read_by_sqlite_are_the_scans_values() {
    let (store, _) = store_with_ties_and_nulls();
    let fields = [
        "Id",
        "Name",
        "AnnualRevenue",
        "Industry",
        "IsDeleted",
        "Nope__c",
    ];
    let read = store
        .field_values("Account", false, &fields)
        .expect("SQLite reads the fields");
    let mut scanned = Vec::new();
    store
        .scan("Account", false, &mut |record| {
            let kept: Record = fields
                .iter()
                .filter_map(|f| record.get(*f).map(|v| (f.to_string(), v.clone())))
                .collect();
            scanned.push(kept);
            true
        })
        .unwrap();
    assert_eq!(read, scanned);
    assert_eq!(store.field_values("Account", false, &["Name'"]), None);
}
