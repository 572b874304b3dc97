//! Whole runs against a model, for deletes: random interleavings of edits and deletes on both
//! sides, syncs, time passing beyond the overlap window and decisions either way, under every
//! conflict policy, with the second field pulled, pushed or both, and with rows the push filter
//! leaves out.
//!
//! The model is the specification. Name (both ways, never edited) tells the records apart;
//! Phone flows both ways and Website as the case says. When both sides have a record, its
//! fields merge as in the model of edits alone. When one side deleted it, the delete travels
//! to the other side unless an edit there outranks it: only edits that would flow to the
//! deleting side count, and a row the push filter leaves out neither deletes its record nor
//! sends edits. Under the edited fields' policy, Salesforce wins keeps a Salesforce edit and
//! lets a Salesforce delete go through, local wins the reverse, the later of the delete and
//! the edit wins (a tie goes to Salesforce), and manual review asks a person, who keeps the
//! delete or the record. A record kept comes back on the side that deleted it: a local row
//! as it was, with Salesforce's values in the fields that flow to it; a Salesforce record
//! created again from the fields that flow to it. A record gone from both sides takes its open
//! conflicts with it.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::sync::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use tether::workspace::conflicts::{self, Keep};
use tether::workspace::journal::RunStatus;

const RECORDS: usize = 2;
/// Phone, then Website: (local column, Salesforce field).
const FIELDS: [(&str, &str); 2] = [("phone", "Phone"), ("website", "Website")];
const VALUES: [&str; 3] = ["a", "b", "c"];
/// The field a conflict over the whole record goes by in the model's queue.
const WHOLE: usize = usize::MAX;

#[derive(Debug, Clone)]
enum Op {
    LocalEdit {
        record: usize,
        field: usize,
        value: usize,
    },
    RemoteEdit {
        record: usize,
        field: usize,
        value: usize,
    },
    LocalDelete {
        record: usize,
    },
    RemoteDelete {
        record: usize,
    },
    Sync,
    /// Every Salesforce write so far falls behind the cursor of the next run.
    Age,
    /// Decides the `pick`-th open conflict (in record and field order), if any.
    Resolve {
        pick: usize,
        keep_local: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..RECORDS, 0..FIELDS.len(), 0..VALUES.len())
            .prop_map(|(record, field, value)| Op::LocalEdit { record, field, value }),
        4 => (0..RECORDS, 0..FIELDS.len(), 0..VALUES.len())
            .prop_map(|(record, field, value)| Op::RemoteEdit { record, field, value }),
        2 => (0..RECORDS).prop_map(|record| Op::LocalDelete { record }),
        2 => (0..RECORDS).prop_map(|record| Op::RemoteDelete { record }),
        3 => Just(Op::Sync),
        1 => Just(Op::Age),
        3 => (0..4usize, any::<bool>())
            .prop_map(|(pick, keep_local)| Op::Resolve { pick, keep_local }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Direction {
    Pull,
    Push,
    Both,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Pull => "pull",
            Direction::Push => "push",
            Direction::Both => "both",
        }
    }
}

/// A record's mapped values on one side: Phone, then Website (`None` for empty).
type Values = [Option<String>; 2];

#[derive(Debug, Clone)]
enum Conflict {
    /// Both sides changed a field: the values the last run saw.
    Field {
        local: Option<String>,
        remote: Option<String>,
    },
    /// One side deleted the record: the edited fields' values on the other side.
    Record {
        deleted_locally: bool,
        edited: BTreeMap<usize, Option<String>>,
    },
}

#[derive(Debug)]
struct Case {
    policy: Policy,
    website: Direction,
    /// Rows the push filter leaves out, by record.
    left_out: [bool; RECORDS],
}

impl Case {
    fn direction(&self, field: usize) -> Direction {
        if field == 0 {
            Direction::Both
        } else {
            self.website
        }
    }

    fn flows_to_salesforce(&self, field: usize) -> bool {
        self.direction(field) != Direction::Pull
    }

    fn flows_to_local(&self, field: usize) -> bool {
        self.direction(field) != Direction::Push
    }
}

/// The expected state of both sides.
#[derive(Debug)]
struct Model {
    local: [Option<Values>; RECORDS],
    remote: [Option<Values>; RECORDS],
    /// `None` once the record is gone from both sides.
    base: [Option<Values>; RECORDS],
    /// The local row as it was when it was deleted.
    deleted_row: [Option<Values>; RECORDS],
    /// Step of each cell's last local edit, of each record's last Salesforce write, and of
    /// each row's delete.
    local_at: BTreeMap<(usize, usize), u64>,
    remote_at: [u64; RECORDS],
    deleted_at: [u64; RECORDS],
    conflicts: BTreeMap<(usize, usize), Conflict>,
    /// Records a person chose to keep; the next run brings them back.
    kept: BTreeSet<usize>,
    clock: u64,
}

fn start() -> Values {
    [Some("p0".to_string()), Some("w0".to_string())]
}

impl Model {
    /// After the first run: rows pulled from the records, so a field that only pushes starts
    /// empty locally, agreed as empty.
    fn new(case: &Case) -> Model {
        let mut pulled = start();
        if !case.flows_to_local(1) {
            pulled[1] = None;
        }
        Model {
            local: [Some(pulled.clone()), Some(pulled.clone())],
            remote: [Some(start()), Some(start())],
            base: [Some(pulled.clone()), Some(pulled)],
            deleted_row: [None, None],
            local_at: BTreeMap::new(),
            remote_at: [0; RECORDS],
            deleted_at: [0; RECORDS],
            conflicts: BTreeMap::new(),
            kept: BTreeSet::new(),
            clock: 0,
        }
    }

    fn sync(&mut self, case: &Case) {
        for record in 0..RECORDS {
            let kept = self.kept.remove(&record);
            let Some(base) = self.base[record].clone() else {
                continue;
            };
            match (self.local[record].clone(), self.remote[record].clone()) {
                (Some(local), Some(remote)) => self.merge(case, record, &base, local, remote),
                (None, Some(remote)) => {
                    if kept {
                        self.restore_row(case, record, &base, &remote);
                    } else if !case.left_out[record] {
                        self.local_delete(case, record, &base, &remote);
                    }
                }
                (Some(local), None) => {
                    if kept {
                        self.create_again(case, record, &local);
                    } else {
                        self.remote_delete(case, record, &base, &local);
                    }
                }
                (None, None) => self.gone(record),
            }
        }
    }

    fn gone(&mut self, record: usize) {
        self.base[record] = None;
        self.conflicts.retain(|(r, _), _| *r != record);
    }

    fn merge(&mut self, case: &Case, record: usize, base: &Values, local: Values, remote: Values) {
        self.conflicts.remove(&(record, WHOLE));
        let mut next = base.clone();
        let (mut local, mut remote) = (local, remote);
        for field in 0..FIELDS.len() {
            let key = (record, field);
            self.conflicts.remove(&key);
            let (b, l, r) = (&base[field], local[field].clone(), remote[field].clone());
            if l == r {
                next[field] = l;
                continue;
            }
            let (local_changed, remote_changed) = (l != *b, r != *b);
            let pushable = !case.left_out[record];
            let winner_local = match case.direction(field) {
                Direction::Pull => {
                    next[field] = r.clone();
                    if remote_changed {
                        local[field] = r;
                    }
                    continue;
                }
                Direction::Push => {
                    if local_changed && pushable {
                        remote[field] = l.clone();
                        self.remote_at[record] = self.clock;
                    }
                    next[field] = l;
                    continue;
                }
                Direction::Both => match (local_changed, remote_changed) {
                    (true, false) => Some(true),
                    (false, true) => Some(false),
                    _ => match case.policy {
                        Policy::SalesforceWins => Some(false),
                        Policy::LocalWins => Some(true),
                        Policy::MostRecentWins => Some(
                            self.local_at.get(&key).copied().unwrap_or(0) > self.remote_at[record],
                        ),
                        Policy::ManualReview => None,
                    },
                },
            };
            match winner_local {
                // A row the push filter leaves out sends nothing; its base waits.
                Some(true) if !pushable => {}
                Some(true) => {
                    remote[field] = l.clone();
                    self.remote_at[record] = self.clock;
                    next[field] = l;
                }
                Some(false) => {
                    local[field] = r.clone();
                    next[field] = r;
                }
                None => {
                    self.conflicts.insert(
                        key,
                        Conflict::Field {
                            local: l,
                            remote: r,
                        },
                    );
                }
            }
        }
        self.local[record] = Some(local);
        self.remote[record] = Some(remote);
        self.base[record] = Some(next);
    }

    /// The edited fields of the side that kept the record, judged under the policy.
    fn judge(
        &self,
        case: &Case,
        record: usize,
        deleted_locally: bool,
        edited: &BTreeMap<usize, Option<String>>,
    ) -> Option<bool> {
        if edited.is_empty() {
            return Some(true);
        }
        let local_later = |field: usize| {
            if deleted_locally {
                self.deleted_at[record] > self.remote_at[record]
            } else {
                self.local_at.get(&(record, field)).copied().unwrap_or(0) > self.remote_at[record]
            }
        };
        let mut keep_delete = true;
        for &field in edited.keys() {
            let salesforce_side_wins = match case.policy {
                Policy::ManualReview => return None,
                Policy::SalesforceWins => true,
                Policy::LocalWins => false,
                Policy::MostRecentWins => !local_later(field),
            };
            keep_delete &= salesforce_side_wins != deleted_locally;
        }
        Some(keep_delete)
    }

    fn local_delete(&mut self, case: &Case, record: usize, base: &Values, remote: &Values) {
        let edited: BTreeMap<usize, Option<String>> = (0..FIELDS.len())
            .filter(|&f| case.flows_to_local(f) && remote[f] != base[f])
            .map(|f| (f, remote[f].clone()))
            .collect();
        match self.judge(case, record, true, &edited) {
            Some(true) => {
                self.remote[record] = None;
                self.gone(record);
            }
            Some(false) => self.restore_row(case, record, base, remote),
            None => {
                self.conflicts.insert(
                    (record, WHOLE),
                    Conflict::Record {
                        deleted_locally: true,
                        edited,
                    },
                );
            }
        }
    }

    fn remote_delete(&mut self, case: &Case, record: usize, base: &Values, local: &Values) {
        let edited: BTreeMap<usize, Option<String>> = (0..FIELDS.len())
            .filter(|&f| {
                !case.left_out[record] && case.flows_to_salesforce(f) && local[f] != base[f]
            })
            .map(|f| (f, local[f].clone()))
            .collect();
        match self.judge(case, record, false, &edited) {
            Some(true) => {
                self.local[record] = None;
                self.gone(record);
            }
            Some(false) => self.create_again(case, record, local),
            None => {
                self.conflicts.insert(
                    (record, WHOLE),
                    Conflict::Record {
                        deleted_locally: false,
                        edited,
                    },
                );
            }
        }
    }

    /// The row comes back as it was, with Salesforce's values in the fields that flow to it.
    fn restore_row(&mut self, case: &Case, record: usize, base: &Values, remote: &Values) {
        let mut row = self.deleted_row[record].clone().expect("a deleted row");
        let mut next = base.clone();
        // A field that only pushes keeps its agreed value: an edit made before the delete
        // still counts as one.
        for field in (0..FIELDS.len()).filter(|&f| case.flows_to_local(f)) {
            row[field] = remote[field].clone();
            next[field] = remote[field].clone();
        }
        self.local[record] = Some(row);
        self.base[record] = Some(next);
        self.conflicts.remove(&(record, WHOLE));
    }

    /// A new record from the fields that flow to Salesforce; the old one's conflicts go.
    fn create_again(&mut self, case: &Case, record: usize, local: &Values) {
        let mut created: Values = [None, None];
        for field in 0..FIELDS.len() {
            if case.flows_to_salesforce(field) {
                created[field] = local[field].clone();
            }
        }
        self.remote[record] = Some(created.clone());
        self.remote_at[record] = self.clock;
        self.base[record] = Some(created);
        self.conflicts.retain(|(r, _), _| *r != record);
    }

    /// The `pick`-th open conflict, decided as asked: its key and whether it is the record's.
    fn resolve(&mut self, pick: usize, keep_local: bool) -> Option<(usize, usize)> {
        let key = *self
            .conflicts
            .keys()
            .nth(pick % self.conflicts.len().max(1))?;
        let conflict = self.conflicts.remove(&key)?;
        let (record, field) = key;
        let Some(base) = self.base[record].as_mut() else {
            return Some(key);
        };
        match conflict {
            Conflict::Field { local, remote } => {
                base[field] = if keep_local { remote } else { local };
            }
            Conflict::Record {
                deleted_locally,
                edited,
            } => {
                if keep_local == deleted_locally {
                    for (field, value) in edited {
                        base[field] = value;
                    }
                } else {
                    self.kept.insert(record);
                }
            }
        }
        Some(key)
    }
}

fn link(case: &Case) -> Value {
    json!({
        "name": "merge",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": case.policy.name(),
        "deletes": "propagate",
        "push_filter": "active = 1",
        "strategy": {"overlap_seconds": 0},
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "phone"}, "remote": "Phone", "direction": "both"},
            {"local": {"column": "website"}, "remote": "Website", "direction": case.website.name()}
        ]
    })
}

fn name(record: usize) -> String {
    format!("R{record}")
}

/// The Salesforce Id of a record now, found by its Name.
async fn remote_id(bench: &Bench, record: usize) -> Option<String> {
    let found = bench
        .soql(&format!(
            "SELECT Id FROM Account WHERE Name = '{}'",
            name(record)
        ))
        .await;
    found["records"][0]["Id"].as_str().map(str::to_string)
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

async fn run_case(case: Case, ops: Vec<Op>) {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, phone TEXT,
            website TEXT, active INTEGER)",
    );
    for record in 0..RECORDS {
        bench
            .create(
                "Account",
                json!({"Name": name(record), "Phone": "p0", "Website": "w0"}),
            )
            .await;
    }
    bench.add_link(link(&case));
    let first = bench.sync("merge").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    for record in 0..RECORDS {
        let active = i32::from(!case.left_out[record]);
        bench.execute(&format!(
            "UPDATE customers SET active = {active} WHERE name = '{}'",
            name(record)
        ));
    }
    let keys: BTreeMap<String, usize> = bench
        .rows("SELECT id, name FROM customers")
        .into_iter()
        .map(|r| {
            (
                r[0].to_string(),
                (0..RECORDS).find(|&i| r[1] == json!(name(i))).unwrap(),
            )
        })
        .collect();
    let mut model = Model::new(&case);
    let context = |ops: &[Op]| format!("{case:?} after {ops:?}");

    for op in ops.iter().chain([Op::Sync].iter()) {
        model.clock += 1;
        match *op {
            Op::LocalEdit {
                record,
                field,
                value,
            } => {
                let Some(local) = model.local[record].as_mut() else {
                    continue;
                };
                let (column, _) = FIELDS[field];
                bench.execute(&format!(
                    "UPDATE customers SET {column} = '{}' WHERE name = '{}'",
                    VALUES[value],
                    name(record)
                ));
                if local[field].as_deref() != Some(VALUES[value]) {
                    local[field] = Some(VALUES[value].to_string());
                    model.local_at.insert((record, field), model.clock);
                }
            }
            Op::RemoteEdit {
                record,
                field,
                value,
            } => {
                let Some(remote) = model.remote[record].as_mut() else {
                    continue;
                };
                let id = remote_id(&bench, record).await.expect("the record exists");
                let (_, field_name) = FIELDS[field];
                bench
                    .update("Account", &id, json!({ field_name: VALUES[value] }))
                    .await;
                remote[field] = Some(VALUES[value].to_string());
                model.remote_at[record] = model.clock;
            }
            Op::LocalDelete { record } => {
                let Some(row) = model.local[record].take() else {
                    continue;
                };
                bench.execute(&format!(
                    "DELETE FROM customers WHERE name = '{}'",
                    name(record)
                ));
                model.deleted_row[record] = Some(row);
                model.deleted_at[record] = model.clock;
            }
            Op::RemoteDelete { record } => {
                if model.remote[record].take().is_none() {
                    continue;
                }
                let id = remote_id(&bench, record).await.expect("the record exists");
                bench.delete("Account", &id).await;
                model.remote_at[record] = model.clock;
            }
            Op::Sync => {
                let run = bench.sync("merge").await;
                assert_eq!(
                    run.status,
                    RunStatus::Succeeded,
                    "{}: {run:?}",
                    context(&ops)
                );
                model.sync(&case);
            }
            Op::Age => next_second(),
            Op::Resolve { pick, keep_local } => {
                if let Some((record, field)) = model.resolve(pick, keep_local) {
                    let conn = bench.db();
                    let open = conflicts::open(&conn, None).unwrap();
                    let wanted = if field == WHOLE {
                        tether::sync::plan::WHOLE_RECORD
                    } else {
                        FIELDS[field].1
                    };
                    let conflict = open
                        .iter()
                        .find(|c| {
                            c.field == wanted
                                && c.row_key.as_ref().and_then(|k| keys.get(k)) == Some(&record)
                        })
                        .unwrap_or_else(|| {
                            panic!(
                                "{}: no open conflict on {record}/{wanted}: {open:?}",
                                context(&ops)
                            )
                        });
                    let keep = if keep_local {
                        Keep::Local
                    } else {
                        Keep::Salesforce
                    };
                    conflicts::resolve(&conn, conflict.id, keep, "model").unwrap();
                }
            }
        }
        next_tick();
    }

    let accounts = bench
        .soql("SELECT Name, Phone, Website FROM Account ORDER BY Name")
        .await;
    let remote: BTreeMap<String, Values> = accounts["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Name"].as_str().unwrap().to_string(),
                [text(&r["Phone"]), text(&r["Website"])],
            )
        })
        .collect();
    let local: BTreeMap<String, Values> = bench
        .rows("SELECT name, phone, website FROM customers")
        .into_iter()
        .map(|r| (text(&r[0]).unwrap(), [text(&r[1]), text(&r[2])]))
        .collect();
    for record in 0..RECORDS {
        assert_eq!(
            local.get(&name(record)),
            model.local[record].as_ref(),
            "local row of record {record}: {}",
            context(&ops)
        );
        assert_eq!(
            remote.get(&name(record)),
            model.remote[record].as_ref(),
            "Salesforce record {record}: {}",
            context(&ops)
        );
    }
    let queued: BTreeSet<(usize, usize)> = conflicts::open(&bench.db(), None)
        .unwrap()
        .into_iter()
        .map(|c| {
            let record = *c
                .row_key
                .as_ref()
                .and_then(|k| keys.get(k))
                .expect("a row key");
            let field = if c.field == tether::sync::plan::WHOLE_RECORD {
                WHOLE
            } else {
                FIELDS.iter().position(|(_, f)| *f == c.field).unwrap()
            };
            (record, field)
        })
        .collect();
    assert_eq!(
        queued,
        model.conflicts.keys().copied().collect::<BTreeSet<_>>(),
        "the review queue holds exactly the true conflicts: {}",
        context(&ops)
    );
}

fn check(policy: Policy) {
    let runtime = property_runtime();
    let config = property_config();
    let direction = prop_oneof![
        Just(Direction::Both),
        Just(Direction::Pull),
        Just(Direction::Push)
    ];
    let left_out = proptest::array::uniform2(prop::bool::weighted(0.25));
    proptest!(config, |(website in direction, left_out in left_out, ops in proptest::collection::vec(op(), 1..16))| {
        let case = Case { policy, website, left_out };
        runtime.block_on(run_case(case, ops));
    });
}

#[test]
fn salesforce_wins_settles_deletes_against_edits() {
    check(Policy::SalesforceWins);
}

#[test]
fn local_wins_settles_deletes_against_edits() {
    check(Policy::LocalWins);
}

#[test]
fn most_recent_wins_settles_deletes_against_edits() {
    check(Policy::MostRecentWins);
}

#[test]
fn manual_review_queues_exactly_the_deletes_against_edits() {
    check(Policy::ManualReview);
}
