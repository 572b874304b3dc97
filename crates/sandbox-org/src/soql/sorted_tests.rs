//! Keyset pages read through the kept order answer exactly what a scan answers, before and
//! after writes move, add and remove records.

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
        let plan = compile(statement, &store.schema(), Utc::now()).unwrap();
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

fn assert_kept_is_scanned(store: &Store, statements: &[&str], when: &str) {
    for statement in statements {
        let plan = compile(statement, &store.schema(), Utc::now()).unwrap();
        for include_deleted in [false, true] {
            assert_eq!(
                matching_ids(&plan, store, include_deleted).unwrap(),
                matching_ids(&plan, &Scanning(store), include_deleted).unwrap(),
                "{statement} (deleted too: {include_deleted}) {when}"
            );
        }
    }
}

#[test]
fn writes_keep_the_kept_order_the_scans_answer() {
    let (store, ids) = store_with_ties_and_nulls();
    let statements = [
        "SELECT Id FROM Account ORDER BY Name DESC, Id LIMIT 3",
        "SELECT Id FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC",
        "SELECT Id FROM Account ORDER BY Industry DESC NULLS LAST, Id ASC LIMIT 50",
        "SELECT Id FROM Account WHERE Name LIKE 'acme%' ORDER BY AnnualRevenue, Id LIMIT 9",
    ];
    assert_kept_is_scanned(&store, &statements, "before any write");
    let fields = |v: Value| -> Map<String, Value> { v.as_object().cloned().unwrap() };

    let plan = compile(statements[0], &store.schema(), Utc::now()).unwrap();
    store
        .write(|w| w.update("Account", &ids[0], &fields(json!({"Name": "Zulu"})), OWNER))
        .unwrap();
    assert_eq!(
        matching_ids(&plan, &store, false).unwrap()[0],
        ids[0],
        "the renamed account comes first"
    );
    assert_kept_is_scanned(&store, &statements, "after a rename");

    let created = store
        .write(|w| {
            w.create(
                "Account",
                &fields(json!({"Name": "acme", "Industry": null})),
                OWNER,
            )
        })
        .unwrap();
    assert_kept_is_scanned(&store, &statements, "after a create");

    let before = store.get(&ids[3]).unwrap();
    store
        .write(|w| w.delete(&ids[3], OWNER).map_err(|e| vec![e]))
        .unwrap();
    assert!(
        !matching_ids(&plan, &store, false)
            .unwrap()
            .contains(&ids[3])
    );
    assert_kept_is_scanned(&store, &statements, "after a delete");

    store.write(|w| w.restore(&before)).unwrap();
    store.write(|w| w.hard_delete(&created)).unwrap();
    assert_kept_is_scanned(&store, &statements, "after a restore and a hard delete");

    // A transaction that rolls back leaves every order as it was.
    let refused: Result<(), Vec<SfError>> = store.write(|w| {
        w.update(
            "Account",
            &ids[1],
            &fields(json!({"Name": "Aardvark"})),
            OWNER,
        )?;
        Err(vec![SfError::new("REFUSED", "rolled back")])
    });
    assert!(refused.is_err());
    assert_kept_is_scanned(&store, &statements, "after a rollback");
}

#[test]
fn the_name_order_is_kept_from_the_start() {
    let (store, _) = store_with_ties_and_nulls();
    let plan = compile(
        "SELECT Id FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC LIMIT 5",
        &store.schema(),
        Utc::now(),
    )
    .unwrap();
    let built = std::cell::Cell::new(false);
    let kept = store
        .reads()
        .get_or_build("order|Account|false|Name:false:false", || {
            built.set(true);
            Err::<super::sorted::Order, SfError>(SfError::new("BUILT", "built on demand"))
        });
    assert!(
        kept.is_ok() && !built.get(),
        "the name order is kept before it is asked for"
    );
    assert_eq!(
        matching_ids(&plan, &store, false).unwrap(),
        matching_ids(&plan, &Scanning(&store), false).unwrap()
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

mod skipping {
    use proptest::prelude::*;

    use super::*;

    const ORDERS: &[&str] = &[
        "Name ASC NULLS FIRST, Id ASC",
        "Name DESC NULLS LAST, Id ASC",
        "Name DESC NULLS FIRST",
        "Industry ASC NULLS LAST, Id",
        "Industry DESC NULLS FIRST, Name, Id DESC",
        "AnnualRevenue DESC, Id",
    ];
    const FIELDS: &[&str] = &["Name", "Industry", "AnnualRevenue", "Id"];
    const OPERATORS: &[&str] = &["=", "!=", "<", "<=", ">", ">="];
    const TEXTS: &[&str] = &["'acme'", "'Acme 1'", "'acme 2'", "'banking'", "'b'", "null"];

    fn comparison() -> impl Strategy<Value = (usize, usize, usize, usize)> {
        (
            0..FIELDS.len(),
            0..OPERATORS.len(),
            0..TEXTS.len(),
            0..23usize,
        )
    }

    fn written((field, op, text, id): (usize, usize, usize, usize), ids: &[String]) -> String {
        let value = match FIELDS[field] {
            "Id" => format!("'{}'", ids[id]),
            "AnnualRevenue" => (id % 3).to_string(),
            _ => TEXTS[text].to_string(),
        };
        let op = if value == "null" {
            ["=", "!="][op % 2]
        } else {
            OPERATORS[op]
        };
        format!("{} {op} {value}", FIELDS[field])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Records a walk skips before the first one its filter can keep are never ones the
        /// scan keeps.
        #[test]
        fn skipped_records_are_never_kept_by_the_filter(
            order in 0..ORDERS.len(),
            parts in prop::collection::vec((comparison(), comparison(), any::<bool>()), 1..4),
            joined_by_and in any::<bool>(),
            limit in prop::option::of(1..30usize),
        ) {
            let (store, ids) = store_with_ties_and_nulls();
            let conditions: Vec<String> = parts
                .iter()
                .map(|(a, b, and)| {
                    let inner = if *and { "AND" } else { "OR" };
                    format!("({} {inner} {})", written(*a, &ids), written(*b, &ids))
                })
                .collect();
            let filter = conditions.join(if joined_by_and { " AND " } else { " OR " });
            let limit = limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
            let statement = format!(
                "SELECT Id FROM Account WHERE {filter} ORDER BY {}{limit}",
                ORDERS[order]
            );
            let plan = compile(&statement, &store.schema(), Utc::now()).unwrap();
            prop_assert_eq!(
                matching_ids(&plan, &store, false).unwrap(),
                matching_ids(&plan, &Scanning(&store), false).unwrap(),
                "{}",
                statement
            );
        }
    }
}

#[test]
fn records_moved_into_the_past_keep_the_kept_orders_instead_of_dropping_them() {
    let (store, ids) = store_with_ties_and_nulls();
    let statements = [
        "SELECT Id FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC",
        "SELECT Id FROM Account ORDER BY CreatedDate DESC, Id ASC LIMIT 10",
    ];
    assert_kept_is_scanned(&store, &statements, "before the move");
    // A deleted record is moved too, and read by the answers that include deleted ones.
    store.write(|w| w.delete(&ids[3], OWNER)).unwrap();
    assert_kept_is_scanned(&store, &statements, "after a delete");
    assert!(store.reads().follows("Account"));

    store.age_records("Account", 86_400_000).unwrap();

    assert!(
        store.reads().follows("Account"),
        "the kept indexes follow the move instead of being dropped"
    );
    assert_kept_is_scanned(&store, &statements, "after the move");
}
