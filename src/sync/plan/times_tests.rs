//! `most_recent_wins` by the change times of the field itself.

use serde_json::json;

use super::*;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// One conflicting field `Name` (base "A", local "L", Salesforce "S") under
/// `most_recent_wins`, Salesforce's record last modified at 200.
struct Case {
    name: &'static str,
    /// Per-field local change times; `None`: the local side knows only one time, 300.
    local_fields: Option<&'static [(&'static str, i64)]>,
    local_wins: bool,
}

#[test]
fn most_recent_wins_compares_the_fields_own_change_times() {
    let cases = [
        Case {
            name: "a later edit of another field does not make Name more recent",
            local_fields: Some(&[("Name", 100), ("Phone", 300)]),
            local_wins: false,
        },
        Case {
            name: "a later local edit of Name wins",
            local_fields: Some(&[("Name", 300), ("Phone", 100)]),
            local_wins: true,
        },
        Case {
            name: "a tie goes to Salesforce",
            local_fields: Some(&[("Name", 200)]),
            local_wins: false,
        },
        Case {
            name: "no known local change of Name: Salesforce's is the one known",
            local_fields: Some(&[("Phone", 300)]),
            local_wins: false,
        },
        Case {
            name: "a side without field times is compared as a whole",
            local_fields: None,
            local_wins: true,
        },
    ];
    let rules = [FieldRule {
        field: "Name".into(),
        direction: Direction::Both,
        policy: ConflictPolicy::MostRecentWins,
    }];
    let values = |name: &str| -> Values { [("Name".to_string(), json!(name))].into() };
    let (base, local, remote) = (values("A"), values("L"), values("S"));
    for case in cases {
        let times: FieldTimes = case
            .local_fields
            .unwrap_or_default()
            .iter()
            .map(|(field, secs)| (field.to_string(), at(*secs)))
            .collect();
        let local_side = match case.local_fields {
            Some(_) => Side::with_field_times(&local, &times),
            None => Side::present(&local, Some(at(300))),
        };
        let plan = plan_record(
            &rules,
            Some(&base),
            local_side,
            Side::present(&remote, Some(at(200))),
            DeletePolicy::Ignore,
        );
        let (pushed, pulled) = (plan.push.get("Name"), plan.pull.get("Name"));
        if case.local_wins {
            assert_eq!((pushed, pulled), (Some(&json!("L")), None), "{}", case.name);
        } else {
            assert_eq!((pushed, pulled), (None, Some(&json!("S"))), "{}", case.name);
        }
    }
}
