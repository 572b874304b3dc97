//! Whole runs against a model, for the rows another program writes into linked tables: rows
//! with and without a key, rows holding a malformed Id, rows whose external id names a record
//! inside or outside the pull filter, and creates whose answer is lost to a dropped connection.
//!
//! Two links run side by side. `accounts` upserts Accounts on `External_Id__c` and pulls only
//! `Industry = 'Energy'`; its rows push that industry, so what they create is inside the
//! filter. `people` is matched on the Salesforce Id and creates Contacts for rows without one
//! (`create_unmatched`). The model says, after a clean run of both: a row with a malformed Id
//! is left alone and creates nothing; a row whose external id names a record outside the pull
//! filter is refused and the record untouched; one naming a record inside it is joined to it
//! (Salesforce wins the Name both hold), unless the row has no key, when both wait for one; any
//! other row is created exactly once, whether or not it has a key and however many runs died
//! before hearing Salesforce's answer, and its Id is written back; a record inside the filter
//! that no row names is pulled into a new row, and never into a second one.

use std::collections::BTreeMap;

use crate::support::sync::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use tether::workspace::journal::RunStatus;

const EXTS: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    /// Another program inserts an accounts row for external id `ext`.
    AccountRow {
        ext: usize,
        keyed: bool,
        bad_id: bool,
    },
    /// Someone creates the Account `ext` in Salesforce, inside the pull filter or not.
    AccountRecord { ext: usize, inside: bool },
    /// Another program inserts a people row.
    PersonRow { keyed: bool, bad_id: bool },
    /// Both links run.
    Sync,
    /// Both links run while the org drops a third of its connections after answering, then
    /// run again without faults.
    FlakySync,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..EXTS, any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(ext, keyed, bad_id)| Op::AccountRow { ext, keyed, bad_id }),
        2 => (0..EXTS, any::<bool>()).prop_map(|(ext, inside)| Op::AccountRecord { ext, inside }),
        3 => (any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(keyed, bad_id)| Op::PersonRow { keyed, bad_id }),
        2 => Just(Op::Sync),
        2 => Just(Op::FlakySync),
    ]
}

#[derive(Debug, Clone)]
struct Row {
    name: String,
    keyed: bool,
    bad_id: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Record {
    /// Created in Salesforce by someone, inside the pull filter or not.
    Theirs { inside: bool },
}

#[derive(Debug, Default)]
struct Model {
    /// Accounts rows by external id, as another program wrote them.
    rows: BTreeMap<usize, Row>,
    /// Accounts created in Salesforce by someone else, by external id.
    records: BTreeMap<usize, Record>,
    /// Accounts rows a run pulled in, by external id.
    pulled: BTreeMap<usize, ()>,
    people: Vec<Row>,
    next: usize,
}

impl Model {
    fn name(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    /// What a clean run of the accounts link leaves: records inside the filter that no row
    /// names are pulled.
    fn sync(&mut self) {
        for (&ext, record) in &self.records {
            if *record == (Record::Theirs { inside: true }) && !self.rows.contains_key(&ext) {
                self.pulled.insert(ext, ());
            }
        }
    }
}

const BAD_ID: &str = "001X";

async fn query(bench: &Bench, soql: &str) -> Vec<Value> {
    bench.soql(soql).await["records"]
        .as_array()
        .unwrap()
        .clone()
}

async fn sync_both(bench: &Bench) -> Vec<tether::run::RunSummary> {
    vec![bench.sync("accounts").await, bench.sync("people").await]
}

async fn run_case(ops: Vec<Op>) {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE accounts (code TEXT PRIMARY KEY, sf_id TEXT, ext TEXT, name TEXT,
             industry TEXT);
         CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, last_name TEXT);",
    );
    bench.add_link(json!({
        "name": "accounts",
        "connection": "sandbox",
        "table": "accounts",
        "key": "code",
        "object": "Account",
        "id_column": "sf_id",
        "match_on": {"by": "external_id", "field": "External_Id__c", "column": "ext"},
        "pull_filter": "Industry = 'Energy'",
        "policy": "salesforce_wins",
        "strategy": {"overlap_seconds": 0},
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "industry"}, "remote": "Industry", "direction": "push"}
        ]
    }));
    bench.add_link(json!({
        "name": "people",
        "connection": "sandbox",
        "table": "people",
        "key": "code",
        "object": "Contact",
        "id_column": "sf_id",
        "create_unmatched": true,
        "strategy": {"overlap_seconds": 0},
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"}
        ]
    }));
    let mut model = Model::default();
    let clean = [Op::Sync];
    for op in ops.iter().chain(clean.iter()) {
        match *op {
            Op::AccountRow { ext, keyed, bad_id } => {
                if model.rows.contains_key(&ext) || model.pulled.contains_key(&ext) {
                    continue;
                }
                let name = model.name("Row");
                let code = if keyed {
                    format!("'a{ext}'")
                } else {
                    "NULL".into()
                };
                let id = if bad_id {
                    format!("'{BAD_ID}'")
                } else {
                    "NULL".into()
                };
                bench.execute(&format!(
                    "INSERT INTO accounts (code, sf_id, ext, name, industry)
                     VALUES ({code}, {id}, 'E{ext}', '{name}', 'Energy')"
                ));
                model.rows.insert(
                    ext,
                    Row {
                        name,
                        keyed,
                        bad_id,
                    },
                );
            }
            Op::AccountRecord { ext, inside } => {
                // One record per external id: it is unique in Salesforce. A row that will
                // create its own record takes the id first.
                let taken = model.rows.get(&ext).is_some_and(|r| !r.bad_id);
                if model.records.contains_key(&ext) || taken {
                    continue;
                }
                let industry = if inside { "Energy" } else { "Banking" };
                bench
                    .create(
                        "Account",
                        json!({"Name": format!("SF{ext}"), "External_Id__c": format!("E{ext}"), "Industry": industry}),
                    )
                    .await;
                model.records.insert(ext, Record::Theirs { inside });
            }
            Op::PersonRow { keyed, bad_id } => {
                let name = model.name("Person");
                let code = if keyed {
                    format!("'{name}'")
                } else {
                    "NULL".into()
                };
                let id = if bad_id {
                    format!("'{BAD_ID}'")
                } else {
                    "NULL".into()
                };
                bench.execute(&format!(
                    "INSERT INTO people (code, sf_id, last_name) VALUES ({code}, {id}, '{name}')"
                ));
                model.people.push(Row {
                    name,
                    keyed,
                    bad_id,
                });
            }
            Op::Sync => {
                for run in sync_both(&bench).await {
                    assert!(
                        matches!(run.status, RunStatus::Succeeded | RunStatus::Partial),
                        "a bad row fails only itself, after {ops:?}: {run:?}"
                    );
                }
                model.sync();
            }
            Op::FlakySync => {
                bench
                    .org
                    .set_faults(json!({"drop_connection_rate": 0.3}))
                    .await;
                sync_both(&bench).await;
                bench
                    .org
                    .set_faults(json!({"drop_connection_rate": 0.0}))
                    .await;
                // Whatever a run that lost answers left, the next clean run settles.
                for run in sync_both(&bench).await {
                    assert!(
                        matches!(run.status, RunStatus::Succeeded | RunStatus::Partial),
                        "the run after lost answers settles them, after {ops:?}: {run:?}"
                    );
                }
                model.sync();
            }
        }
    }
    check_accounts(&bench, &model, &ops).await;
    check_people(&bench, &model, &ops).await;
}

async fn check_accounts(bench: &Bench, model: &Model, ops: &[Op]) {
    let records = query(
        bench,
        "SELECT Id, Name, External_Id__c FROM Account WHERE External_Id__c != null",
    )
    .await;
    let by_ext: BTreeMap<String, (String, String)> = records
        .iter()
        .map(|r| {
            (
                r["External_Id__c"].as_str().unwrap().to_string(),
                (
                    r["Id"].as_str().unwrap().to_string(),
                    r["Name"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    let rows = bench.rows("SELECT ext, sf_id, name FROM accounts ORDER BY ext");
    let local: BTreeMap<String, (Value, Value)> = rows
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                (r[1].clone(), r[2].clone()),
            )
        })
        .collect();
    assert_eq!(
        local.len(),
        rows.len(),
        "one accounts row per external id after {ops:?}: {rows:?}"
    );
    for ext in 0..EXTS {
        let key = format!("E{ext}");
        let record = by_ext.get(&key);
        let row = local.get(&key);
        let theirs = model.records.get(&ext).copied();
        let context = format!("E{ext} after {ops:?}: row {row:?}, record {record:?}");
        match (model.rows.get(&ext), theirs) {
            (Some(r), _) if r.bad_id => {
                assert_eq!(row.map(|r| r.0.clone()), Some(json!(BAD_ID)), "{context}");
                if theirs.is_none() {
                    assert!(record.is_none(), "a bad row creates nothing: {context}");
                } else {
                    assert_eq!(record.unwrap().1, format!("SF{ext}"), "{context}");
                }
            }
            (Some(r), Some(_)) if !r.keyed => {
                let (_, name) = record.expect(&context);
                assert_eq!(name, &format!("SF{ext}"), "left alone: {context}");
                assert_eq!(
                    row.cloned(),
                    Some((Value::Null, json!(r.name))),
                    "a row without a key waits for one: {context}"
                );
            }
            (Some(_), Some(Record::Theirs { inside: false })) => {
                let (id, name) = record.expect(&context);
                assert_eq!(
                    name,
                    &format!("SF{ext}"),
                    "refused, not upserted: {context}"
                );
                assert_ne!(row.map(|r| r.0.clone()), Some(json!(id)), "{context}");
            }
            (Some(_), Some(Record::Theirs { inside: true })) => {
                let (id, name) = record.expect(&context);
                assert_eq!(name, &format!("SF{ext}"), "Salesforce wins: {context}");
                assert_eq!(
                    row.cloned(),
                    Some((json!(id), json!(name))),
                    "joined: {context}"
                );
            }
            (Some(r), None) => {
                let (id, name) = record.expect(&context);
                assert_eq!(name, &r.name, "created from the row: {context}");
                assert_eq!(
                    row.map(|r| r.0.clone()),
                    Some(json!(id)),
                    "the Id is written back: {context}"
                );
            }
            (None, Some(Record::Theirs { inside })) => {
                let (id, name) = record.expect(&context);
                if inside {
                    assert_eq!(row.cloned(), Some((json!(id), json!(name))), "{context}");
                } else {
                    assert!(row.is_none(), "outside the filter: {context}");
                }
            }
            (None, None) => {
                assert!(row.is_none() && record.is_none(), "{context}");
            }
        }
    }
}

async fn check_people(bench: &Bench, model: &Model, ops: &[Op]) {
    let contacts = query(bench, "SELECT Id, LastName FROM Contact").await;
    let mut ids_by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &contacts {
        ids_by_name
            .entry(c["LastName"].as_str().unwrap().to_string())
            .or_default()
            .push(c["Id"].as_str().unwrap().to_string());
    }
    let rows = bench.rows("SELECT last_name, sf_id FROM people");
    assert_eq!(
        rows.len(),
        model.people.len(),
        "no row is pulled twice after {ops:?}: {rows:?}"
    );
    for person in &model.people {
        let row = rows
            .iter()
            .find(|r| r[0] == json!(person.name))
            .unwrap_or_else(|| panic!("{} kept its row after {ops:?}", person.name));
        let ids = ids_by_name.get(&person.name).cloned().unwrap_or_default();
        if person.bad_id {
            assert!(ids.is_empty(), "{}: a bad row creates nothing", person.name);
            assert_eq!(row[1], json!(BAD_ID));
        } else {
            assert_eq!(
                ids.len(),
                1,
                "{} (keyed: {}) is created exactly once after {ops:?}: {contacts:?}",
                person.name,
                person.keyed
            );
            assert_eq!(
                row[1],
                json!(ids[0]),
                "{}: the Id is written back",
                person.name
            );
        }
    }
    assert_eq!(
        contacts.len(),
        model.people.iter().filter(|p| !p.bad_id).count(),
        "no Contact beyond the rows' own after {ops:?}"
    );
}

#[test]
fn rows_another_program_writes_sync_once_or_fail_alone() {
    let runtime = property_runtime();
    let config = property_config();
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..12))| {
        runtime.block_on(run_case(ops));
    });
}
