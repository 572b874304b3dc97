//! Collections results joined to rows by key. The Collections API answers in request order,
//! but an annotated sheet must not depend on that: after the write, the records the sent keys
//! name are read back, and each answered Id goes to the row whose key names it.

use std::collections::HashMap;

use crate::run::push::Outcome;
use crate::salesforce::RecordError;

/// The code of a row Salesforce answered for, but whose key names no record it wrote.
pub const UNCONFIRMED: &str = "UNCONFIRMED_BY_KEY";

/// The outcome of each sent row, by its place in `keys`.
///
/// - `keys`: the key each sent row upserted on, by unit.
/// - `answers`: what Salesforce answered, by the unit it was sent as.
/// - `ids_by_key`: the records the keys name after the write (lower-cased key → Id).
///
/// A row is written only when the record its key names is one Salesforce answered as
/// written. A row not written takes the refusal answered at its own place; the text of a
/// refusal is all Salesforce gives without a key. Anything else is reported as unconfirmed,
/// so the row is retried rather than trusted.
pub fn join_by_key(
    keys: &[String],
    answers: Vec<(usize, Outcome)>,
    ids_by_key: &HashMap<String, String>,
) -> Vec<(usize, Outcome)> {
    let unit_by_key: HashMap<String, usize> = keys
        .iter()
        .enumerate()
        .map(|(unit, key)| (key.to_lowercase(), unit))
        .collect();
    let unit_by_id: HashMap<&str, usize> = ids_by_key
        .iter()
        .filter_map(|(key, id)| Some((short_id(id), *unit_by_key.get(key)?)))
        .collect();
    let mut joined: Vec<Option<Outcome>> = vec![None; keys.len()];
    let mut refusals: HashMap<usize, RecordError> = HashMap::new();
    for (unit, answer) in answers {
        match answer {
            Outcome::Written { id, created } => {
                if let Some(&owner) = unit_by_id.get(short_id(&id))
                    && joined[owner].is_none()
                {
                    joined[owner] = Some(Outcome::Written { id, created });
                }
            }
            Outcome::Failed(error) => {
                refusals.insert(unit, error);
            }
        }
    }
    joined
        .into_iter()
        .enumerate()
        .map(|(unit, outcome)| {
            let outcome = outcome.unwrap_or_else(|| {
                Outcome::Failed(
                    refusals
                        .remove(&unit)
                        .unwrap_or_else(|| unconfirmed(&keys[unit])),
                )
            });
            (unit, outcome)
        })
        .collect()
}

fn unconfirmed(key: &str) -> RecordError {
    RecordError {
        status_code: UNCONFIRMED.into(),
        message: format!(
            "Salesforce answered for this row, but no record it wrote has the key {key}; check that record in Salesforce and retry the row"
        ),
        fields: Vec::new(),
    }
}

/// 15- and 18-character forms of one Id name the same record.
fn short_id(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "006000000000001AAA";
    const B: &str = "006000000000002AAA";
    const C: &str = "006000000000003AAA";

    fn written(id: &str, created: bool) -> Outcome {
        Outcome::Written {
            id: id.into(),
            created,
        }
    }

    fn refused(code: &str) -> Outcome {
        Outcome::Failed(RecordError {
            status_code: code.into(),
            message: format!("{code} message"),
            fields: Vec::new(),
        })
    }

    fn created(id: &str) -> String {
        format!("{id} created")
    }

    fn updated(id: &str) -> String {
        format!("{id} updated")
    }

    fn code(outcome: &Outcome) -> String {
        match outcome {
            Outcome::Written { id, created } => {
                format!("{id} {}", if *created { "created" } else { "updated" })
            }
            Outcome::Failed(e) => e.status_code.clone(),
        }
    }

    #[test]
    fn answers_go_to_the_row_their_key_names() {
        struct Case {
            name: &'static str,
            answers: Vec<(usize, Outcome)>,
            after: &'static [(&'static str, &'static str)],
            expected: [String; 3],
        }
        let cases = [
            Case {
                name: "answers in request order",
                answers: vec![
                    (0, written(A, true)),
                    (1, written(B, false)),
                    (2, refused("REQUIRED_FIELD_MISSING")),
                ],
                after: &[("k-1", A), ("k-2", B)],
                expected: [created(A), updated(B), "REQUIRED_FIELD_MISSING".to_string()],
            },
            Case {
                name: "answers out of order are joined by the Id each key names",
                answers: vec![
                    (0, written(B, false)),
                    (1, written(A, true)),
                    (2, written(C, true)),
                ],
                after: &[("K-1", A), ("k-2", B), ("k-3", C)],
                expected: [created(A), updated(B), created(C)],
            },
            Case {
                name: "a 15-character Id names the same record as its 18-character form",
                answers: vec![
                    (0, written(&A[..15], true)),
                    (1, refused("X")),
                    (2, refused("Y")),
                ],
                after: &[("k-1", A)],
                expected: [created(&A[..15]), "X".to_string(), "Y".to_string()],
            },
            Case {
                name: "a row answered as written whose key names no such record is unconfirmed",
                answers: vec![
                    (0, written(A, true)),
                    (1, written(C, true)),
                    (2, refused("Z")),
                ],
                after: &[("k-1", A), ("k-2", B)],
                expected: [created(A), UNCONFIRMED.to_string(), "Z".to_string()],
            },
            Case {
                name: "a refusal at the place of a row its key shows written goes to no row",
                answers: vec![
                    (0, refused("LOST")),
                    (1, written(A, true)),
                    (2, written(B, false)),
                ],
                after: &[("k-1", A), ("k-2", B)],
                expected: [created(A), updated(B), UNCONFIRMED.to_string()],
            },
            Case {
                name: "one Id answered twice is given to its key's row once",
                answers: vec![
                    (0, written(A, true)),
                    (1, written(A, true)),
                    (2, refused("Q")),
                ],
                after: &[("k-1", A)],
                expected: [created(A), UNCONFIRMED.to_string(), "Q".to_string()],
            },
            Case {
                name: "a missing answer is unconfirmed",
                answers: vec![(0, written(A, true))],
                after: &[("k-1", A)],
                expected: [created(A), UNCONFIRMED.to_string(), UNCONFIRMED.to_string()],
            },
        ];
        let keys: Vec<String> = ["k-1", "k-2", "k-3"].map(String::from).to_vec();
        for case in cases {
            let after: HashMap<String, String> = case
                .after
                .iter()
                .map(|(k, id)| (k.to_lowercase(), id.to_string()))
                .collect();
            let joined = join_by_key(&keys, case.answers, &after);
            let got: Vec<String> = joined.iter().map(|(_, o)| code(o)).collect();
            assert_eq!(got, case.expected, "{}", case.name);
            let units: Vec<usize> = joined.iter().map(|(u, _)| *u).collect();
            assert_eq!(units, [0, 1, 2], "{}", case.name);
        }
    }

    #[test]
    fn an_unconfirmed_row_names_its_key_and_says_to_retry() {
        let joined = join_by_key(&["LEG-7".to_string()], vec![], &HashMap::new());
        let Outcome::Failed(error) = &joined[0].1 else {
            panic!("{joined:?}");
        };
        assert!(error.message.contains("LEG-7"), "{}", error.message);
        assert!(error.message.contains("retry the row"), "{}", error.message);
    }
}
