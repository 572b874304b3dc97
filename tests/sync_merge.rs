//! Merge properties against the sandbox org: random interleavings of edits on both sides and
//! syncs, checked against a model of each conflict policy.
//!
//! The model is the specification: a field changed on one side since the last agreed value
//! flows to the other; changed on both sides to different values, the policy decides
//! (Salesforce wins, local wins, the later edit wins, or a person decides while neither side
//! is written).

mod sync_support;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::json;
use sync_support::*;
use tether::sync::workspace::conflicts;
use tether::sync::workspace::journal::RunStatus;

const RECORDS: usize = 2;
const FIELDS: [(&str, &str); 2] = [("phone", "Phone"), ("website", "Website")];
const VALUES: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
enum Op {
    Local {
        record: usize,
        field: usize,
        value: usize,
    },
    Remote {
        record: usize,
        field: usize,
        value: usize,
    },
    Sync,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..RECORDS, 0..FIELDS.len(), 0..VALUES.len())
            .prop_map(|(record, field, value)| Op::Local { record, field, value }),
        3 => (0..RECORDS, 0..FIELDS.len(), 0..VALUES.len())
            .prop_map(|(record, field, value)| Op::Remote { record, field, value }),
        2 => Just(Op::Sync),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Policy {
    SalesforceWins,
    LocalWins,
    MostRecentWins,
    ManualReview,
}

impl Policy {
    fn name(self) -> &'static str {
        match self {
            Policy::SalesforceWins => "salesforce_wins",
            Policy::LocalWins => "local_wins",
            Policy::MostRecentWins => "most_recent_wins",
            Policy::ManualReview => "manual_review",
        }
    }
}

/// The expected state of both sides, per record and field.
#[derive(Debug, Default)]
struct Model {
    base: BTreeMap<(usize, usize), String>,
    local: BTreeMap<(usize, usize), String>,
    remote: BTreeMap<(usize, usize), String>,
    /// Sequence number of the last edit since the last sync: locally per field (the capture
    /// triggers know which column a write changed), in Salesforce per record (SystemModstamp).
    local_at: BTreeMap<(usize, usize), u64>,
    remote_at: BTreeMap<usize, u64>,
    conflicts: BTreeSet<(usize, usize)>,
    clock: u64,
}

impl Model {
    fn sync(&mut self, policy: Policy) {
        self.conflicts.clear();
        for record in 0..RECORDS {
            for field in 0..FIELDS.len() {
                let key = (record, field);
                let (b, l, r) = (
                    self.base[&key].clone(),
                    self.local[&key].clone(),
                    self.remote[&key].clone(),
                );
                if l == r {
                    self.base.insert(key, l);
                    continue;
                }
                let winner_local = match (l != b, r != b) {
                    (true, false) => Some(true),
                    (false, true) => Some(false),
                    _ => match policy {
                        Policy::SalesforceWins => Some(false),
                        Policy::LocalWins => Some(true),
                        Policy::MostRecentWins => Some(
                            self.local_at.get(&key).copied().unwrap_or(0)
                                > self.remote_at.get(&record).copied().unwrap_or(0),
                        ),
                        Policy::ManualReview => None,
                    },
                };
                match winner_local {
                    Some(true) => {
                        self.remote.insert(key, l.clone());
                        self.base.insert(key, l);
                    }
                    Some(false) => {
                        self.local.insert(key, r.clone());
                        self.base.insert(key, r);
                    }
                    None => {
                        self.conflicts.insert(key);
                    }
                }
            }
        }
        self.local_at.clear();
        self.remote_at.clear();
    }
}

/// Waits until the wall clock has moved on, so that two edits never share a millisecond and
/// "the later edit" is well defined for both clocks (SQLite's and the org's).
fn next_tick() {
    let start = chrono::Utc::now();
    while chrono::Utc::now() - start < chrono::Duration::milliseconds(3) {
        std::hint::spin_loop();
    }
}

async fn run_case(policy: Policy, ops: Vec<Op>) {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, phone TEXT, website TEXT)",
    );
    let mut ids = Vec::new();
    let mut model = Model::default();
    for record in 0..RECORDS {
        let id = bench
            .create(
                "Account",
                json!({"Name": format!("R{record}"), "Phone": "p0", "Website": "w0"}),
            )
            .await;
        ids.push(id);
        for (field, initial) in [(0, "p0"), (1, "w0")] {
            for side in [&mut model.base, &mut model.local, &mut model.remote] {
                side.insert((record, field), initial.to_string());
            }
        }
    }
    bench.add_link(json!({
        "name": "merge",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": policy.name(),
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "pull"},
            {"local": {"column": "phone"}, "remote": "Phone", "direction": "both"},
            {"local": {"column": "website"}, "remote": "Website", "direction": "both"}
        ]
    }));
    let first = bench.sync("merge").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");

    for op in ops.iter().chain([Op::Sync].iter()) {
        model.clock += 1;
        match *op {
            Op::Local {
                record,
                field,
                value,
            } => {
                let (column, _) = FIELDS[field];
                bench.execute(&format!(
                    "UPDATE customers SET {column} = '{}' WHERE sf_id = '{}'",
                    VALUES[value], ids[record]
                ));
                // The capture triggers log changes, not writes: writing a column's current
                // value again is no edit and does not make the field more recent.
                let previous = model
                    .local
                    .insert((record, field), VALUES[value].to_string());
                if previous.as_deref() != Some(VALUES[value]) {
                    model.local_at.insert((record, field), model.clock);
                }
            }
            Op::Remote {
                record,
                field,
                value,
            } => {
                let (_, remote) = FIELDS[field];
                bench
                    .update("Account", &ids[record], json!({ remote: VALUES[value] }))
                    .await;
                model
                    .remote
                    .insert((record, field), VALUES[value].to_string());
                model.remote_at.insert(record, model.clock);
            }
            Op::Sync => {
                let run = bench.sync("merge").await;
                assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
                model.sync(policy);
            }
        }
        next_tick();
    }

    for (record, id) in ids.iter().enumerate() {
        let remote = bench.get("Account", id).await;
        let local = bench.rows(&format!(
            "SELECT phone, website FROM customers WHERE sf_id = '{id}'"
        ));
        assert_eq!(local.len(), 1, "one local row per record: {local:?}");
        for (field, (_, name)) in FIELDS.iter().enumerate() {
            let key = (record, field);
            assert_eq!(
                local[0][field],
                json!(model.local[&key]),
                "{policy:?}: local {name} of record {record} after {ops:?}"
            );
            assert_eq!(
                remote[*name],
                json!(model.remote[&key]),
                "{policy:?}: Salesforce {name} of record {record} after {ops:?}"
            );
        }
    }
    let conn = bench.db();
    let queued: BTreeSet<(usize, usize)> = conflicts::open(&conn, None)
        .unwrap()
        .into_iter()
        .map(|c| {
            let record = ids.iter().position(|id| id[..15] == c.sf_id[..15]).unwrap();
            let field = FIELDS.iter().position(|(_, f)| *f == c.field).unwrap();
            (record, field)
        })
        .collect();
    assert_eq!(
        queued, model.conflicts,
        "{policy:?}: the review queue holds exactly the true conflicts after {ops:?}"
    );
}

fn check(policy: Policy) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..10))| {
        runtime.block_on(run_case(policy, ops));
    });
}

#[test]
fn salesforce_wins_resolves_every_interleaving() {
    check(Policy::SalesforceWins);
}

#[test]
fn local_wins_resolves_every_interleaving() {
    check(Policy::LocalWins);
}

#[test]
fn most_recent_wins_resolves_every_interleaving() {
    check(Policy::MostRecentWins);
}

#[test]
fn manual_review_queues_exactly_the_true_conflicts() {
    check(Policy::ManualReview);
}
