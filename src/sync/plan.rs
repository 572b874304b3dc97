//! Three-way planning of one record: what to pull, what to push, what conflicts.
//!
//! Pure: no I/O, no clock. The base is the last value both sides agreed on; a side "changed"
//! a field when its value differs from the base. Each field has its own direction and
//! conflict policy, so one record can pull some fields and push others.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// A field both sides changed, held for a person under [`ConflictPolicy::ManualReview`].
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
}

impl RecordPlan {
    pub fn is_noop(&self) -> bool {
        *self == RecordPlan::default()
    }
}

/// Equal as a person would read them: `1` and `1.0` are the same number.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (x, y) => x == y,
    }
}

fn get<'a>(values: Option<&'a Values>, field: &str) -> Option<&'a Value> {
    values.and_then(|v| v.get(field))
}

fn value_or_null(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

fn pick(rules: &[FieldRule], values: &Values, wanted: impl Fn(Direction) -> bool) -> Values {
    rules
        .iter()
        .filter(|r| wanted(r.direction))
        .filter_map(|r| values.get(&r.field).map(|v| (r.field.clone(), v.clone())))
        .collect()
}

/// Plans one record from its base (last agreed values, `None` before the first sync), its
/// local row and its Salesforce record.
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
            if base.is_none() {
                // A create sends what the row has: an empty column is no value to send, and
                // an upsert that lands on an existing record must not clear its fields.
                let mut values = pick(rules, l, |d| d != Direction::Pull);
                values.retain(|_, v| !v.is_null());
                plan.create_remote = (!values.is_empty()).then_some(values);
            } else {
                match deletes {
                    DeletePolicy::Ignore => {}
                    DeletePolicy::Propagate => plan.delete_local = true,
                    DeletePolicy::MarkArchived => plan.archive_local = true,
                }
            }
            return plan;
        }
        (None, Some(r)) => {
            if base.is_none() {
                let values = pick(rules, r, |d| d != Direction::Push);
                plan.create_local = (!values.is_empty()).then_some(values);
            } else if deletes == DeletePolicy::Propagate {
                plan.delete_remote = true;
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
mod tests {
    use super::*;
    use serde_json::json;

    fn values(v: Value) -> Values {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn rule(field: &str, direction: Direction, policy: ConflictPolicy) -> FieldRule {
        FieldRule {
            field: field.into(),
            direction,
            policy,
        }
    }

    fn at(secs: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(secs, 0)
    }

    struct Case {
        name: &'static str,
        direction: Direction,
        policy: ConflictPolicy,
        base: Option<Value>,
        local: Value,
        remote: Value,
        local_at: i64,
        remote_at: i64,
        pull: Option<Value>,
        push: Option<Value>,
        conflict: bool,
    }

    #[test]
    fn one_field_three_ways() {
        use ConflictPolicy::*;
        use Direction::*;
        let case =
            |name, direction, policy, base: Option<Value>, local: Value, remote: Value| Case {
                name,
                direction,
                policy,
                base,
                local,
                remote,
                local_at: 100,
                remote_at: 200,
                pull: None,
                push: None,
                conflict: false,
            };
        let cases = vec![
            Case {
                ..case(
                    "unchanged",
                    Both,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(1),
                    json!(1),
                )
            },
            Case {
                ..case(
                    "1 and 1.0 are the same",
                    Both,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(1.0),
                    json!(1),
                )
            },
            Case {
                push: Some(json!(2)),
                ..case(
                    "local edit pushes",
                    Both,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(2),
                    json!(1),
                )
            },
            Case {
                pull: Some(json!(3)),
                ..case(
                    "remote edit pulls",
                    Both,
                    LocalWins,
                    Some(json!(1)),
                    json!(1),
                    json!(3),
                )
            },
            Case {
                pull: Some(json!(3)),
                ..case(
                    "conflict, Salesforce wins",
                    Both,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                push: Some(json!(2)),
                ..case(
                    "conflict, local wins",
                    Both,
                    LocalWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                pull: Some(json!(3)),
                ..case(
                    "conflict, remote more recent",
                    Both,
                    MostRecentWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                push: Some(json!(2)),
                local_at: 300,
                ..case(
                    "conflict, local more recent",
                    Both,
                    MostRecentWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                pull: Some(json!(3)),
                local_at: 200,
                ..case(
                    "a tie goes to Salesforce",
                    Both,
                    MostRecentWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                conflict: true,
                ..case(
                    "conflict held for review",
                    Both,
                    ManualReview,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                ..case(
                    "both made the same edit",
                    Both,
                    ManualReview,
                    Some(json!(1)),
                    json!(2),
                    json!(2),
                )
            },
            Case {
                pull: Some(json!(3)),
                ..case(
                    "pull-only overwrites local edits",
                    Pull,
                    LocalWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                ..case(
                    "pull-only ignores an unchanged remote",
                    Pull,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(1),
                    json!(1),
                )
            },
            Case {
                push: Some(json!(2)),
                ..case(
                    "push-only overwrites remote edits",
                    Push,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(2),
                    json!(3),
                )
            },
            Case {
                ..case(
                    "pull-only keeps a local edit until Salesforce changes",
                    Pull,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(2),
                    json!(1),
                )
            },
            Case {
                ..case(
                    "push-only keeps a Salesforce edit until the local value changes",
                    Push,
                    SalesforceWins,
                    Some(json!(1)),
                    json!(1),
                    json!(3),
                )
            },
            Case {
                pull: Some(json!(3)),
                ..case(
                    "first sync fills an empty local side",
                    Both,
                    LocalWins,
                    None,
                    Value::Null,
                    json!(3),
                )
            },
            Case {
                push: Some(json!(2)),
                ..case(
                    "first sync fills an empty Salesforce side",
                    Both,
                    SalesforceWins,
                    None,
                    json!(2),
                    Value::Null,
                )
            },
            Case {
                ..case(
                    "first sync of a push-only field leaves an empty local value alone",
                    Push,
                    SalesforceWins,
                    None,
                    Value::Null,
                    json!(3),
                )
            },
            Case {
                pull: Some(json!(3)),
                ..case(
                    "first sync, values differ: policy decides",
                    Both,
                    SalesforceWins,
                    None,
                    json!(2),
                    json!(3),
                )
            },
            Case {
                push: Some(Value::Null),
                ..case(
                    "a local clear pushes null",
                    Both,
                    SalesforceWins,
                    Some(json!(1)),
                    Value::Null,
                    json!(1),
                )
            },
        ];
        for c in cases {
            let base = c.base.clone().map(|b| values(json!({ "f": b })));
            let local = values(json!({ "f": c.local }));
            let remote = values(json!({ "f": c.remote }));
            let plan = plan_record(
                &[rule("f", c.direction, c.policy)],
                base.as_ref(),
                Side::present(&local, at(c.local_at)),
                Side::present(&remote, at(c.remote_at)),
                DeletePolicy::Ignore,
            );
            assert_eq!(plan.pull.get("f"), c.pull.as_ref(), "{}: pull", c.name);
            assert_eq!(plan.push.get("f"), c.push.as_ref(), "{}: push", c.name);
            assert_eq!(
                plan.conflicts.len(),
                usize::from(c.conflict),
                "{}: conflicts",
                c.name
            );
        }
    }

    #[test]
    fn the_next_base_is_what_both_sides_hold_once_writes_are_confirmed() {
        let rules = [
            rule("Name", Direction::Both, ConflictPolicy::SalesforceWins),
            rule("Score", Direction::Push, ConflictPolicy::SalesforceWins),
            rule("Stage", Direction::Pull, ConflictPolicy::SalesforceWins),
            rule("Tier", Direction::Both, ConflictPolicy::ManualReview),
        ];
        let base = values(json!({"Name": "A", "Score": 1, "Stage": "x", "Tier": "t0"}));
        let local = values(json!({"Name": "A", "Score": 2, "Stage": "edited", "Tier": "t1"}));
        let remote = values(json!({"Name": "B", "Score": 1, "Stage": "x", "Tier": "t2"}));
        let plan = plan_record(
            &rules,
            Some(&base),
            Side::present(&local, None),
            Side::present(&remote, None),
            DeletePolicy::Ignore,
        );
        let before_push = next_base(
            &rules,
            Some(&base),
            Some(&local),
            Some(&remote),
            &plan,
            false,
        );
        assert_eq!(
            before_push,
            values(json!({"Name": "B", "Score": 1, "Stage": "x", "Tier": "t0"}))
        );
        let after_push = next_base(
            &rules,
            Some(&base),
            Some(&local),
            Some(&remote),
            &plan,
            true,
        );
        assert_eq!(
            after_push,
            values(json!({"Name": "B", "Score": 2, "Stage": "x", "Tier": "t0"}))
        );
    }

    #[test]
    fn a_conflict_under_review_writes_neither_side() {
        let rules = [
            rule("Score", Direction::Both, ConflictPolicy::ManualReview),
            rule("Name", Direction::Both, ConflictPolicy::SalesforceWins),
        ];
        let base = values(json!({"Score": 50, "Name": "Acme"}));
        let local = values(json!({"Score": 70, "Name": "Acme"}));
        let remote = values(json!({"Score": 40, "Name": "Acme Corp"}));
        let plan = plan_record(
            &rules,
            Some(&base),
            Side::present(&local, None),
            Side::present(&remote, None),
            DeletePolicy::Ignore,
        );
        assert_eq!(
            plan.conflicts,
            vec![Conflict {
                field: "Score".into(),
                base: Some(json!(50)),
                local: Some(json!(70)),
                remote: Some(json!(40))
            }]
        );
        assert!(!plan.push.contains_key("Score") && !plan.pull.contains_key("Score"));
        assert_eq!(plan.pull.get("Name"), Some(&json!("Acme Corp")));
    }

    #[test]
    fn new_records_are_created_with_the_fields_that_flow_their_way() {
        let rules = [
            rule("Name", Direction::Both, ConflictPolicy::SalesforceWins),
            rule("Score", Direction::Push, ConflictPolicy::SalesforceWins),
            rule("Stage", Direction::Pull, ConflictPolicy::SalesforceWins),
        ];
        let row = values(json!({"Name": "A", "Score": 9, "Stage": "x"}));
        let plan = plan_record(
            &rules,
            None,
            Side::present(&row, None),
            Side::absent(),
            DeletePolicy::Propagate,
        );
        assert_eq!(
            plan.create_remote,
            Some(values(json!({"Name": "A", "Score": 9})))
        );
        let plan = plan_record(
            &rules,
            None,
            Side::absent(),
            Side::present(&row, None),
            DeletePolicy::Propagate,
        );
        assert_eq!(
            plan.create_local,
            Some(values(json!({"Name": "A", "Stage": "x"})))
        );
    }

    #[test]
    fn deletes_follow_the_delete_policy() {
        let rules = [rule(
            "Name",
            Direction::Both,
            ConflictPolicy::SalesforceWins,
        )];
        let base = values(json!({"Name": "A"}));
        let cases = [
            (DeletePolicy::Ignore, false, false, false),
            (DeletePolicy::Propagate, true, false, false),
            (DeletePolicy::MarkArchived, false, false, true),
        ];
        for (policy, delete_local, delete_remote, archive) in cases {
            let plan = plan_record(
                &rules,
                Some(&base),
                Side::present(&base, None),
                Side::absent(),
                policy,
            );
            assert_eq!(
                (plan.delete_local, plan.delete_remote, plan.archive_local),
                (delete_local, delete_remote, archive),
                "{policy:?}"
            );
        }
        let plan = plan_record(
            &rules,
            Some(&base),
            Side::absent(),
            Side::present(&base, None),
            DeletePolicy::Propagate,
        );
        assert!(plan.delete_remote);
        let plan = plan_record(
            &rules,
            Some(&base),
            Side::absent(),
            Side::absent(),
            DeletePolicy::Propagate,
        );
        assert!(plan.is_noop());
    }
}
