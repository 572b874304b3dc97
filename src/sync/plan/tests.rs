//! Table-driven cases of the planner: one field three ways, under every direction and policy.

use super::*;
use serde_json::json;

pub(super) fn values(v: Value) -> Values {
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

pub(super) fn at(secs: i64) -> Option<DateTime<Utc>> {
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
    let case = |name, direction, policy, base: Option<Value>, local: Value, remote: Value| Case {
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

#[test]
fn deletes_travel_only_where_data_travels() {
    let base = values(json!({"Name": "A"}));
    // (direction, deleted in Salesforce → local delete, deleted locally → Salesforce delete)
    let cases = [
        (Direction::Pull, true, false),
        (Direction::Push, false, true),
        (Direction::Both, true, true),
    ];
    for (direction, local_follows, remote_follows) in cases {
        let rules = [rule("Name", direction, ConflictPolicy::SalesforceWins)];
        let gone_remotely = plan_record(
            &rules,
            Some(&base),
            Side::present(&base, None),
            Side::absent(),
            DeletePolicy::Propagate,
        );
        assert_eq!(gone_remotely.delete_local, local_follows, "{direction:?}");
        let archived = plan_record(
            &rules,
            Some(&base),
            Side::present(&base, None),
            Side::absent(),
            DeletePolicy::MarkArchived,
        );
        assert_eq!(archived.archive_local, local_follows, "{direction:?}");
        let gone_locally = plan_record(
            &rules,
            Some(&base),
            Side::absent(),
            Side::present(&base, None),
            DeletePolicy::Propagate,
        );
        assert_eq!(gone_locally.delete_remote, remote_follows, "{direction:?}");
    }
}
