//! Whole runs against a model: random interleavings of edits on both sides, syncs, time
//! passing beyond the overlap window, conflicts decided either way, records leaving and
//! re-entering the pull filter and a field unmapped and mapped again, checked against a model
//! of each conflict policy.
//!
//! The model is the specification. A record takes part in a run when the pull filter takes it
//! in, when a mapped field was edited locally, when it has an open conflict or when a decision
//! on one waits; otherwise the run leaves both its sides alone. In a run, a mapped field changed
//! on one side since the last agreed value flows to the other; changed on both sides to
//! different values, the policy decides (Salesforce wins, local wins, the later edit wins, or a
//! person decides while neither side is written). An unmapped field keeps its agreed value.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::sync::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use tether::run::RunError;
use tether::sync::engine::undo;
use tether::workspace::conflicts::{self, Keep};
use tether::workspace::journal::RunStatus;

const RECORDS: usize = 2;
const FIELDS: [(&str, &str); 2] = [("phone", "Phone"), ("website", "Website")];
/// The field the `Remap` step unmaps and maps again.
const REMAPPED: usize = 1;
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
    /// Every Salesforce write so far falls behind the cursor of the next run.
    Age,
    /// Decides the `pick`-th open conflict (in record and field order), if any.
    Resolve {
        pick: usize,
        keep_local: bool,
    },
    /// Salesforce moves the record out of the pull filter, or back in.
    Refile {
        record: usize,
        inside: bool,
    },
    /// The link stops mapping Website, or maps it again.
    Remap,
    /// `tether undo` of the latest run that changed records and is not undone yet.
    Undo,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..RECORDS, 0..FIELDS.len(), 0..VALUES.len())
            .prop_map(|(record, field, value)| Op::Local { record, field, value }),
        4 => (0..RECORDS, 0..FIELDS.len(), 0..VALUES.len())
            .prop_map(|(record, field, value)| Op::Remote { record, field, value }),
        3 => Just(Op::Sync),
        1 => Just(Op::Age),
        2 => (0..4usize, any::<bool>())
            .prop_map(|(pick, keep_local)| Op::Resolve { pick, keep_local }),
        1 => (0..RECORDS, any::<bool>())
            .prop_map(|(record, inside)| Op::Refile { record, inside }),
        1 => Just(Op::Remap),
        2 => Just(Op::Undo),
    ]
}

type Cell = (usize, usize);

/// What a run that changed records did, for its undo.
#[derive(Debug)]
struct RunEntry {
    run_id: i64,
    local_before: BTreeMap<Cell, String>,
    remote_before: BTreeMap<Cell, String>,
    base_before: BTreeMap<Cell, String>,
    /// Records whose local row the run wrote.
    pulled: BTreeSet<usize>,
    /// Salesforce cells the run wrote, with the value it wrote.
    pushed: BTreeMap<Cell, String>,
    /// Records whose agreed values the run moved.
    based: BTreeSet<usize>,
    /// Records whose local row someone edited after the run.
    edited_since: BTreeSet<usize>,
    undone: bool,
}

/// What `tether undo` of the latest run must do.
#[derive(Debug, PartialEq)]
enum UndoExpect {
    Nothing,
    /// Refused for a later local edit, a later Salesforce edit, or both.
    Refused {
        local: bool,
        remote: bool,
    },
    Undone(i64),
}

/// The expected state of both sides, per record and field.
#[derive(Debug)]
struct Model {
    base: BTreeMap<Cell, String>,
    local: BTreeMap<Cell, String>,
    remote: BTreeMap<Cell, String>,
    /// When each cell was last edited locally, and each record in Salesforce (SystemModstamp
    /// is per record), by step number.
    local_at: BTreeMap<Cell, u64>,
    remote_at: BTreeMap<usize, u64>,
    /// Open conflicts, with the local and Salesforce values their last run saw.
    conflicts: BTreeMap<Cell, (String, String)>,
    /// Records with a decision the next run carries out.
    decided: BTreeSet<usize>,
    inside: [bool; RECORDS],
    remapped_field_mapped: bool,
    clock: u64,
    runs: Vec<RunEntry>,
}

impl Model {
    fn new() -> Model {
        let mut model = Model {
            base: BTreeMap::new(),
            local: BTreeMap::new(),
            remote: BTreeMap::new(),
            local_at: BTreeMap::new(),
            remote_at: BTreeMap::new(),
            conflicts: BTreeMap::new(),
            decided: BTreeSet::new(),
            inside: [true; RECORDS],
            remapped_field_mapped: true,
            clock: 0,
            runs: Vec::new(),
        };
        for record in 0..RECORDS {
            for (field, initial) in [(0, "p0"), (1, "w0")] {
                for side in [&mut model.base, &mut model.local, &mut model.remote] {
                    side.insert((record, field), initial.to_string());
                }
            }
        }
        model
    }

    fn mapped(&self, field: usize) -> bool {
        field != REMAPPED || self.remapped_field_mapped
    }

    fn takes_part(&self, record: usize) -> bool {
        self.inside[record]
            || self.decided.contains(&record)
            || self.conflicts.keys().any(|(r, _)| *r == record)
            || (0..FIELDS.len())
                .any(|f| self.mapped(f) && self.local[&(record, f)] != self.base[&(record, f)])
    }

    /// Carries out a run; returns whether it changed records (pulled, pushed or found a
    /// conflict), as the run's `processed` count says.
    fn sync(&mut self, policy: Policy, run_id: i64) -> bool {
        let mut entry = RunEntry {
            run_id,
            local_before: self.local.clone(),
            remote_before: self.remote.clone(),
            base_before: self.base.clone(),
            pulled: BTreeSet::new(),
            pushed: BTreeMap::new(),
            based: BTreeSet::new(),
            edited_since: BTreeSet::new(),
            undone: false,
        };
        let mut processed = false;
        for record in 0..RECORDS {
            if !self.takes_part(record) {
                continue;
            }
            processed |= (0..FIELDS.len())
                .any(|f| self.mapped(f) && self.local[&(record, f)] != self.remote[&(record, f)]);
            let fields: Vec<usize> = (0..FIELDS.len()).filter(|&f| self.mapped(f)).collect();
            for field in fields {
                let key = (record, field);
                self.conflicts.remove(&key);
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
                        entry.pushed.insert(key, l.clone());
                        self.remote.insert(key, l.clone());
                        self.base.insert(key, l);
                    }
                    Some(false) => {
                        entry.pulled.insert(record);
                        self.local.insert(key, r.clone());
                        self.base.insert(key, r);
                    }
                    None => {
                        self.conflicts.insert(key, (l, r));
                    }
                }
            }
        }
        self.decided.clear();
        for record in 0..RECORDS {
            if (0..FIELDS.len()).any(|f| entry.base_before[&(record, f)] != self.base[&(record, f)])
            {
                entry.based.insert(record);
            }
        }
        if processed {
            self.runs.push(entry);
        }
        processed
    }

    fn local_edit(&mut self, record: usize) {
        for run in self.runs.iter_mut().filter(|r| !r.undone) {
            run.edited_since.insert(record);
        }
    }

    /// Undoes the latest run that changed records, unless what it wrote was changed since.
    fn undo(&mut self) -> UndoExpect {
        let Some(run) = self.runs.iter_mut().rev().find(|r| !r.undone) else {
            return UndoExpect::Nothing;
        };
        let local_edited = run.pulled.iter().any(|r| run.edited_since.contains(r));
        let remote_edited = run
            .pushed
            .iter()
            .any(|(cell, wrote)| self.remote[cell] != *wrote);
        if local_edited || remote_edited {
            return UndoExpect::Refused {
                local: local_edited,
                remote: remote_edited,
            };
        }
        for &record in &run.pulled {
            for field in 0..FIELDS.len() {
                let cell = (record, field);
                self.local.insert(cell, run.local_before[&cell].clone());
            }
        }
        for cell in run.pushed.keys() {
            self.remote.insert(*cell, run.remote_before[cell].clone());
            self.remote_at.insert(cell.0, self.clock);
        }
        for &record in &run.based {
            for field in 0..FIELDS.len() {
                let cell = (record, field);
                self.base.insert(cell, run.base_before[&cell].clone());
            }
        }
        run.undone = true;
        UndoExpect::Undone(run.run_id)
    }

    /// The cell of the `pick`-th open conflict, decided as asked.
    fn resolve(&mut self, pick: usize, keep_local: bool) -> Option<Cell> {
        let key = *self
            .conflicts
            .keys()
            .nth(pick % self.conflicts.len().max(1))?;
        let (l, r) = self.conflicts.remove(&key)?;
        self.base.insert(key, if keep_local { r } else { l });
        self.decided.insert(key.0);
        Some(key)
    }
}

fn link(policy: Policy, remapped_field_mapped: bool) -> Value {
    let mut fields =
        vec![json!({"local": {"column": "name"}, "remote": "Name", "direction": "pull"})];
    for (i, (column, remote)) in FIELDS.iter().enumerate() {
        if i != REMAPPED || remapped_field_mapped {
            fields
                .push(json!({"local": {"column": column}, "remote": remote, "direction": "both"}));
        }
    }
    json!({
        "name": "merge",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": policy.name(),
        "pull_filter": "Industry = 'Energy'",
        "strategy": {"overlap_seconds": 0},
        "fields": fields
    })
}

async fn run_case(policy: Policy, ops: Vec<Op>) {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, phone TEXT, website TEXT)",
    );
    let mut ids = Vec::new();
    let mut model = Model::new();
    for record in 0..RECORDS {
        let id = bench
            .create(
                "Account",
                json!({"Name": format!("R{record}"), "Phone": "p0", "Website": "w0", "Industry": "Energy"}),
            )
            .await;
        ids.push(id);
    }
    bench.add_link(link(policy, true));
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
                // value again is no edit and does not make the cell more recent.
                let previous = model
                    .local
                    .insert((record, field), VALUES[value].to_string());
                if previous.as_deref() != Some(VALUES[value]) {
                    model.local_at.insert((record, field), model.clock);
                    model.local_edit(record);
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
                let changed = model.sync(policy, run.run_id);
                assert_eq!(
                    run.counts.processed > 0,
                    changed,
                    "{policy:?}: whether run {} changed records, after {ops:?}: {run:?}",
                    run.run_id
                );
            }
            Op::Undo => {
                let expect = model.undo();
                let target = match &expect {
                    UndoExpect::Nothing => continue,
                    UndoExpect::Undone(id) => *id,
                    UndoExpect::Refused { .. } => model
                        .runs
                        .iter()
                        .rev()
                        .find(|r| !r.undone)
                        .map(|r| r.run_id)
                        .unwrap(),
                };
                let outcome = undo::undo_run(&bench.path, target, &bench.client).await;
                match (&expect, &outcome) {
                    (UndoExpect::Refused { local: true, .. }, Err(RunError::Undo(message)))
                        if message.contains("edited since") => {}
                    (
                        UndoExpect::Refused { remote: true, .. },
                        Err(RunError::LaterSalesforceEdits(_)),
                    ) => {}
                    (UndoExpect::Undone(_), Ok(run)) => {
                        assert!(
                            matches!(run.status, RunStatus::Succeeded),
                            "{policy:?}: undo of run {target} after {ops:?}: {run:?}"
                        );
                    }
                    _ => panic!(
                        "{policy:?}: undo of run {target} should be {expect:?} after {ops:?}, was {outcome:?}"
                    ),
                }
            }
            Op::Age => next_second(),
            Op::Resolve { pick, keep_local } => {
                if let Some((record, field)) = model.resolve(pick, keep_local) {
                    let conn = bench.db();
                    let open = conflicts::open(&conn, None).unwrap();
                    let conflict = open
                        .iter()
                        .find(|c| c.sf_id[..15] == ids[record][..15] && c.field == FIELDS[field].1)
                        .unwrap_or_else(|| {
                            panic!("{policy:?}: no open conflict on {record}/{field}: {open:?}")
                        });
                    let keep = if keep_local {
                        Keep::Local
                    } else {
                        Keep::Salesforce
                    };
                    conflicts::resolve(&conn, conflict.id, keep, "model").unwrap();
                }
            }
            Op::Refile { record, inside } => {
                let industry = if inside { "Energy" } else { "Banking" };
                bench
                    .update("Account", &ids[record], json!({ "Industry": industry }))
                    .await;
                model.inside[record] = inside;
                model.remote_at.insert(record, model.clock);
            }
            Op::Remap => {
                model.remapped_field_mapped = !model.remapped_field_mapped;
                bench.add_link(link(policy, model.remapped_field_mapped));
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
    let queued: BTreeSet<Cell> = conflicts::open(&conn, None)
        .unwrap()
        .into_iter()
        .map(|c| {
            let record = ids.iter().position(|id| id[..15] == c.sf_id[..15]).unwrap();
            let field = FIELDS.iter().position(|(_, f)| *f == c.field).unwrap();
            (record, field)
        })
        .collect();
    assert_eq!(
        queued,
        model.conflicts.keys().copied().collect::<BTreeSet<_>>(),
        "{policy:?}: the review queue holds exactly the true conflicts after {ops:?}"
    );
}

fn check(policy: Policy) {
    let runtime = property_runtime();
    let config = property_config();
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..14))| {
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
