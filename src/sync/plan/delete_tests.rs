//! Table-driven cases of a delete on one side against an edit on the other.

use super::tests::{at, values};
use super::*;
use serde_json::json;

/// What became of a record one side deleted.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The delete reached the other side.
    Deleted,
    /// The record came back on the side that deleted it.
    Restored,
    /// A person decides.
    Asked,
    Nothing,
}

fn outcome(plan: &RecordPlan) -> Outcome {
    match plan {
        p if p.delete_local || p.delete_remote || p.archive_local => Outcome::Deleted,
        p if p.restores && (p.create_local.is_some() || p.create_remote.is_some()) => {
            Outcome::Restored
        }
        p if p.holds_delete_conflict() => Outcome::Asked,
        p if p.is_noop() => Outcome::Nothing,
        p => panic!("unexpected plan {p:?}"),
    }
}

struct Case {
    deleted_locally: bool,
    direction: Direction,
    policy: ConflictPolicy,
    edited: bool,
    /// Seconds: the delete's time and the edit's.
    delete_at: i64,
    edit_at: i64,
    expect: Outcome,
}

fn run(case: &Case) -> RecordPlan {
    let rules = [
        FieldRule {
            field: "Name".into(),
            direction: Direction::Both,
            policy: ConflictPolicy::LocalWins,
        },
        FieldRule {
            field: "Phone".into(),
            direction: case.direction,
            policy: case.policy,
        },
    ];
    let base = values(json!({"Name": "A", "Phone": "1"}));
    let kept = values(json!({"Name": "A", "Phone": if case.edited { "2" } else { "1" }}));
    let deleter = Side {
        changed_at: at(case.delete_at),
        ..Side::absent()
    };
    let editor = Side::present(&kept, at(case.edit_at));
    let (local, remote) = if case.deleted_locally {
        (deleter, editor)
    } else {
        (editor, deleter)
    };
    plan_record(&rules, Some(&base), local, remote, DeletePolicy::Propagate)
}

#[test]
fn a_delete_against_an_edit_follows_the_edited_fields_policy() {
    use ConflictPolicy::*;
    use Direction::*;
    use Outcome::*;
    let case = |deleted_locally, direction, policy, expect| Case {
        deleted_locally,
        direction,
        policy,
        edited: true,
        delete_at: 100,
        edit_at: 200,
        expect,
    };
    let cases = [
        // Deleted locally, edited in Salesforce.
        case(true, Both, SalesforceWins, Restored),
        case(true, Both, LocalWins, Deleted),
        case(true, Both, ManualReview, Asked),
        case(true, Both, MostRecentWins, Restored),
        Case {
            delete_at: 300,
            ..case(true, Both, MostRecentWins, Deleted)
        },
        Case {
            delete_at: 200,
            ..case(true, Both, MostRecentWins, Restored)
        },
        case(true, Pull, SalesforceWins, Restored),
        case(true, Pull, ManualReview, Asked),
        // An edit to a field that does not flow to the deleting side is no contest.
        case(true, Push, ManualReview, Deleted),
        case(true, Push, SalesforceWins, Deleted),
        // Deleted in Salesforce, edited locally.
        case(false, Both, SalesforceWins, Deleted),
        case(false, Both, LocalWins, Restored),
        case(false, Both, ManualReview, Asked),
        case(false, Both, MostRecentWins, Restored),
        Case {
            delete_at: 300,
            ..case(false, Both, MostRecentWins, Deleted)
        },
        Case {
            delete_at: 200,
            ..case(false, Both, MostRecentWins, Deleted)
        },
        case(false, Push, LocalWins, Restored),
        case(false, Push, ManualReview, Asked),
        case(false, Pull, ManualReview, Deleted),
        case(false, Pull, LocalWins, Deleted),
        // No edit: the delete travels whatever the policy.
        Case {
            edited: false,
            ..case(true, Both, ManualReview, Deleted)
        },
        Case {
            edited: false,
            ..case(false, Both, LocalWins, Deleted)
        },
    ];
    for (i, c) in cases.iter().enumerate() {
        let plan = run(c);
        assert_eq!(
            outcome(&plan),
            c.expect,
            "case {i}: deleted locally {}, {:?} {:?}, edited {}, delete at {} edit at {}: {plan:?}",
            c.deleted_locally,
            c.direction,
            c.policy,
            c.edited,
            c.delete_at,
            c.edit_at
        );
    }
}

#[test]
fn a_delete_conflict_names_the_deleted_side_and_the_edits() {
    let plan = run(&Case {
        deleted_locally: true,
        direction: Direction::Both,
        policy: ConflictPolicy::ManualReview,
        edited: true,
        delete_at: 1,
        edit_at: 2,
        expect: Outcome::Asked,
    });
    assert_eq!(
        plan.conflicts,
        vec![Conflict {
            field: WHOLE_RECORD.into(),
            base: Some(json!({"Phone": "1"})),
            local: None,
            remote: Some(json!({"Phone": "2"})),
        }]
    );
}

#[test]
fn restoring_a_record_copies_what_flows_to_the_side_that_deleted_it() {
    let plan = run(&Case {
        deleted_locally: false,
        direction: Direction::Both,
        policy: ConflictPolicy::LocalWins,
        edited: true,
        delete_at: 1,
        edit_at: 2,
        expect: Outcome::Restored,
    });
    assert_eq!(
        plan.create_remote,
        Some(values(json!({"Name": "A", "Phone": "2"})))
    );
    let plan = run(&Case {
        deleted_locally: true,
        direction: Direction::Pull,
        policy: ConflictPolicy::SalesforceWins,
        edited: true,
        delete_at: 1,
        edit_at: 2,
        expect: Outcome::Restored,
    });
    assert_eq!(
        plan.create_local,
        Some(values(json!({"Name": "A", "Phone": "2"})))
    );
}
