//! Three-way planning of one record: what to pull, what to push, what conflicts.
//!
//! Pure: no I/O, no clock. The base is the last value both sides agreed on; a side "changed"
//! a field when its value differs from the base. Each field has its own direction and
//! conflict policy, so one record can pull some fields and push others.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use tether_decimal::parse_decimal;

/// Field values of one record, keyed by the mapping's field name.
pub type Values = BTreeMap<String, Value>;

/// Which way a mapped field flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Salesforce → local only.
    Pull,
    /// Local → Salesforce only.
    Push,
    Both,
}

/// Who wins when both sides changed the same field to different values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    #[default]
    SalesforceWins,
    LocalWins,
    /// The later of the field's local change time and SystemModstamp; a tie goes to
    /// Salesforce.
    MostRecentWins,
    /// Neither side is written until a person decides.
    ManualReview,
}

/// What happens when a record that both sides had disappears from one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletePolicy {
    #[default]
    Ignore,
    Propagate,
    MarkArchived,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldRule {
    pub field: String,
    pub direction: Direction,
    pub policy: ConflictPolicy,
}

/// When each field of one side last changed, by field name.
pub type FieldTimes = BTreeMap<String, DateTime<Utc>>;

/// One side of a record as the planner sees it: absent, or its values and when it changed.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub values: Option<&'a Values>,
    /// When the record last changed as a whole (Salesforce's SystemModstamp).
    pub changed_at: Option<DateTime<Utc>>,
    /// When each field last changed, for a side that knows (a local row knows which columns
    /// each write changed). A field missing here has no known change, whatever `changed_at`
    /// says: an edit to another column does not make this field's value more recent.
    pub field_changed_at: Option<&'a FieldTimes>,
}

impl<'a> Side<'a> {
    pub fn absent() -> Self {
        Side {
            values: None,
            changed_at: None,
            field_changed_at: None,
        }
    }

    pub fn present(values: &'a Values, changed_at: Option<DateTime<Utc>>) -> Self {
        Side {
            values: Some(values),
            changed_at,
            field_changed_at: None,
        }
    }

    /// A present side whose change times are known field by field.
    pub fn with_field_times(values: &'a Values, times: &'a FieldTimes) -> Self {
        Side {
            values: Some(values),
            changed_at: None,
            field_changed_at: Some(times),
        }
    }

    /// When `field` last changed on this side, as far as it knows.
    pub fn changed_at(&self, field: &str) -> Option<DateTime<Utc>> {
        match self.field_changed_at {
            Some(times) => times.get(field).copied(),
            None => self.changed_at,
        }
    }
}

/// The field name a conflict over the whole record goes by: one side deleted the record while
/// the other edited it. Not a name Salesforce gives a field, so it never meets a real one.
pub const WHOLE_RECORD: &str = "(record)";

/// A field both sides changed, held for a person under [`ConflictPolicy::ManualReview`]; or,
/// under [`WHOLE_RECORD`], a record one side deleted and the other edited: the deleted side
/// is `None` and the other holds the edited fields' values as an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub field: String,
    pub base: Option<Value>,
    pub local: Option<Value>,
    pub remote: Option<Value>,
}

/// What to do with one record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordPlan {
    /// Create the record in Salesforce with these values.
    pub create_remote: Option<Values>,
    /// Create the record locally with these values.
    pub create_local: Option<Values>,
    /// Fields to write to the local row.
    pub pull: Values,
    /// Fields to write to Salesforce.
    pub push: Values,
    pub conflicts: Vec<Conflict>,
    pub delete_local: bool,
    pub delete_remote: bool,
    pub archive_local: bool,
    /// The create brings back a record its side deleted, because an edit on the other side
    /// outranks the delete: the local row is restored as it was, or the Salesforce record
    /// is created again and the local row pointed at it.
    pub restores: bool,
}

impl RecordPlan {
    pub fn is_noop(&self) -> bool {
        *self == RecordPlan::default()
    }

    /// Whether a person must choose between a delete and an edit before anything is written.
    pub fn holds_delete_conflict(&self) -> bool {
        self.conflicts.iter().any(|c| c.field == WHOLE_RECORD)
    }
}

/// The plan that keeps a record one side deleted: the side that has it is copied to the side
/// that deleted it. `None` when both sides have the record, or neither.
pub fn keep_record(
    rules: &[FieldRule],
    local: Option<&Values>,
    remote: Option<&Values>,
) -> Option<RecordPlan> {
    let mut plan = RecordPlan {
        restores: true,
        ..RecordPlan::default()
    };
    match (local, remote) {
        (None, Some(r)) => plan.create_local = Some(pick(rules, r, |d| d != Direction::Push)),
        (Some(l), None) => {
            let mut values = pick(rules, l, |d| d != Direction::Pull);
            values.retain(|_, v| !v.is_null());
            plan.create_remote = Some(values);
        }
        _ => return None,
    }
    Some(plan)
}

/// How the edits on the side that kept a record judge the other side's delete of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    KeepDelete,
    KeepRecord,
    Ask,
}

/// Judges a delete against the edits the other side made since the base, field by field
/// under each field's policy. Only edits that would flow to the deleting side count. The
/// delete goes ahead only when every edited field's policy lets it, so nothing is lost that
/// a policy keeps; one field under manual review is enough to ask. Returns the verdict and
/// the edited fields' values.
fn judge_delete(
    rules: &[FieldRule],
    base: &Values,
    kept: Side<'_>,
    deleter: Side<'_>,
    deleted_locally: bool,
) -> (Verdict, Values) {
    let mut verdict = Verdict::KeepDelete;
    let mut edited = Values::new();
    for rule in rules {
        let flows_to_deleter = if deleted_locally {
            rule.direction != Direction::Push
        } else {
            rule.direction != Direction::Pull
        };
        let field = rule.field.as_str();
        let value = get(kept.values, field);
        if !flows_to_deleter || same(value, base.get(field)) {
            continue;
        }
        edited.insert(field.to_string(), value_or_null(value));
        let (edit_at, delete_at) = (kept.changed_at(field), deleter.changed_at(field));
        let (local_at, remote_at) = if deleted_locally {
            (delete_at, edit_at)
        } else {
            (edit_at, delete_at)
        };
        // As between two edits: the local side wins only when it is known to be later, so a
        // tie goes to Salesforce.
        let local_later = match (local_at, remote_at) {
            (Some(l), Some(r)) => l > r,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let salesforce_side_wins = match rule.policy {
            ConflictPolicy::ManualReview => {
                verdict = Verdict::Ask;
                continue;
            }
            ConflictPolicy::SalesforceWins => true,
            ConflictPolicy::LocalWins => false,
            ConflictPolicy::MostRecentWins => !local_later,
        };
        // The delete wins when the side that deleted is the side that wins.
        let field_verdict = if salesforce_side_wins != deleted_locally {
            Verdict::KeepDelete
        } else {
            Verdict::KeepRecord
        };
        verdict = verdict.max(field_verdict);
    }
    (verdict, edited)
}

fn object(values: Values) -> Value {
    Value::Object(values.into_iter().collect())
}

/// Equal as a person would read them: `1` and `1.0` are the same number.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        // Numbers past 2^53 and 18-digit fractions differ in digits no f64 holds.
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            match (parse_decimal(&x.to_string()), parse_decimal(&y.to_string())) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (x, y) => x == y,
    }
}

fn get<'a>(values: Option<&'a Values>, field: &str) -> Option<&'a Value> {
    values.and_then(|v| v.get(field))
}

fn value_or_null(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

/// The base values of the fields in `edited`.
fn base_of(base: &Values, edited: &Values) -> Values {
    edited
        .keys()
        .map(|f| (f.clone(), value_or_null(base.get(f))))
        .collect()
}

fn pick(rules: &[FieldRule], values: &Values, wanted: impl Fn(Direction) -> bool) -> Values {
    rules
        .iter()
        .filter(|r| wanted(r.direction))
        .filter_map(|r| values.get(&r.field).map(|v| (r.field.clone(), v.clone())))
        .collect()
}

/// Whether any field flows from Salesforce to the local table.
fn pulls(rules: &[FieldRule]) -> bool {
    rules.iter().any(|r| r.direction != Direction::Push)
}

/// Whether any field flows from the local table to Salesforce.
fn pushes(rules: &[FieldRule]) -> bool {
    rules.iter().any(|r| r.direction != Direction::Pull)
}

/// Plans one record from its base (last agreed values, `None` before the first sync), its
/// local row and its Salesforce record. A side that deleted a record it had is absent, with
/// the time of the delete as its change time when known.
pub fn plan_record(
    rules: &[FieldRule],
    base: Option<&Values>,
    local: Side<'_>,
    remote: Side<'_>,
    deletes: DeletePolicy,
) -> RecordPlan {
    let mut plan = RecordPlan::default();
    match (local.values, remote.values) {
        (None, None) => return plan,
        (Some(l), None) => {
            match base {
                None => {
                    // A create sends what the row has: an empty column is no value to send,
                    // and an upsert that lands on an existing record must not clear its fields.
                    let mut values = pick(rules, l, |d| d != Direction::Pull);
                    values.retain(|_, v| !v.is_null());
                    plan.create_remote = (!values.is_empty()).then_some(values);
                }
                // A delete travels only where data travels: into the local table only when a
                // field comes from Salesforce.
                Some(base) if pulls(rules) && deletes != DeletePolicy::Ignore => {
                    match judge_delete(rules, base, local, remote, false) {
                        (Verdict::KeepDelete, _) => match deletes {
                            DeletePolicy::Propagate => plan.delete_local = true,
                            _ => plan.archive_local = true,
                        },
                        (Verdict::KeepRecord, _) => {
                            return keep_record(rules, Some(l), None).unwrap_or_default();
                        }
                        (Verdict::Ask, edited) => plan.conflicts.push(Conflict {
                            field: WHOLE_RECORD.to_string(),
                            base: Some(object(base_of(base, &edited))),
                            local: Some(object(edited)),
                            remote: None,
                        }),
                    }
                }
                Some(_) => {}
            }
            return plan;
        }
        (None, Some(r)) => {
            match base {
                None => {
                    let values = pick(rules, r, |d| d != Direction::Push);
                    plan.create_local = (!values.is_empty()).then_some(values);
                }
                Some(base) if deletes == DeletePolicy::Propagate && pushes(rules) => {
                    match judge_delete(rules, base, remote, local, true) {
                        (Verdict::KeepDelete, _) => plan.delete_remote = true,
                        (Verdict::KeepRecord, _) => {
                            return keep_record(rules, None, Some(r)).unwrap_or_default();
                        }
                        (Verdict::Ask, edited) => plan.conflicts.push(Conflict {
                            field: WHOLE_RECORD.to_string(),
                            base: Some(object(base_of(base, &edited))),
                            local: None,
                            remote: Some(object(edited)),
                        }),
                    }
                }
                Some(_) => {}
            }
            return plan;
        }
        (Some(_), Some(_)) => {}
    }
    for rule in rules {
        let field = rule.field.as_str();
        let (b, l, r) = (
            get(base, field),
            get(local.values, field),
            get(remote.values, field),
        );
        if same(l, r) {
            continue;
        }
        // Before the first sync there is no base: a side with a value counts as changed, so
        // an empty side is filled in rather than emptying the other.
        let changed = |v: Option<&Value>| match base {
            None => v.is_some_and(|v| !v.is_null()),
            Some(_) => !same(v, b),
        };
        let (local_changed, remote_changed) = (changed(l), changed(r));
        let pull = |plan: &mut RecordPlan| {
            plan.pull.insert(field.to_string(), value_or_null(r));
        };
        let push = |plan: &mut RecordPlan| {
            plan.push.insert(field.to_string(), value_or_null(l));
        };
        match rule.direction {
            // The owning side's changes flow; an edit on the other side stays where it was
            // made until the owner changes the field again.
            Direction::Pull if remote_changed => pull(&mut plan),
            Direction::Push if local_changed => push(&mut plan),
            Direction::Pull | Direction::Push => {}
            Direction::Both => match (local_changed, remote_changed) {
                (true, false) => push(&mut plan),
                (false, true) => pull(&mut plan),
                (false, false) => {}
                (true, true) => match rule.policy {
                    ConflictPolicy::SalesforceWins => pull(&mut plan),
                    ConflictPolicy::LocalWins => push(&mut plan),
                    ConflictPolicy::MostRecentWins => {
                        match (local.changed_at(field), remote.changed_at(field)) {
                            (Some(lt), Some(rt)) if lt > rt => push(&mut plan),
                            (Some(_), None) => push(&mut plan),
                            _ => pull(&mut plan),
                        }
                    }
                    ConflictPolicy::ManualReview => plan.conflicts.push(Conflict {
                        field: field.to_string(),
                        base: b.cloned(),
                        local: l.cloned(),
                        remote: r.cloned(),
                    }),
                },
            },
        }
    }
    plan
}

/// The base to keep after carrying out `plan`: per field, the value both sides now hold, or
/// the owning side's value for a one-way field. Fields still in conflict, and pushes not yet
/// confirmed (`pushed == false`), keep their old base so that the next run sees them again.
pub fn next_base(
    rules: &[FieldRule],
    base: Option<&Values>,
    local: Option<&Values>,
    remote: Option<&Values>,
    plan: &RecordPlan,
    pushed: bool,
) -> Values {
    // A field the link no longer maps keeps its last agreed value: mapped again, it is
    // compared with what both sides last agreed, not taken for a first sync.
    let mut next = base.cloned().unwrap_or_default();
    for rule in rules {
        let field = rule.field.as_str();
        let old = get(base, field);
        let (l, r) = (get(local, field), get(remote, field));
        let value = if plan.conflicts.iter().any(|c| c.field == field) {
            old
        } else if let Some(v) = plan.pull.get(field) {
            Some(v)
        } else if let Some(v) = plan.push.get(field) {
            if pushed { Some(v) } else { old }
        } else if same(l, r) {
            l.or(r)
        } else {
            match rule.direction {
                Direction::Pull => r,
                Direction::Push => l,
                Direction::Both => old,
            }
        };
        next.insert(field.to_string(), value_or_null(value));
    }
    next
}

#[cfg(test)]
mod times_tests;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod delete_tests;
