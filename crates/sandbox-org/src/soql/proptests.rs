//! Property tests: no input makes the parser or the checker panic, and printed statements
//! parse back to themselves.

use std::sync::LazyLock;

use proptest::prelude::*;

use super::{compile, parse};
use crate::schema::Schema;

static SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::standard().expect("standard schema loads"));

const CORPUS: &[&str] = &[
    "SELECT Id, Name, Owner.Name FROM Account WHERE Name LIKE 'Ac%' AND NumberOfEmployees > 10 ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 2",
    "SELECT COUNT() FROM Contact WHERE Account.Industry IN ('Energy', 'Retail') OR Email = null",
    "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00.000Z ORDER BY SystemModstamp, Id",
    "SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30 AND (NOT StageName = 'Closed Won')",
    "SELECT COUNT(Id) total FROM Lead WHERE CreatedDate < TODAY AND Status NOT IN ('Open')",
];

const PIECES: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "ORDER BY",
    "LIMIT",
    "OFFSET",
    "(",
    ")",
    ",",
    ".",
    "=",
    "!=",
    "<",
    ">=",
    "'",
    "\\",
    "null",
    "TODAY",
    "LAST_N_DAYS:",
    ":",
    "2024-01-31",
    "T10:00:00Z",
    "-",
    "1.5",
    "COUNT()",
    "Name",
    "Account",
    "é",
    "\n",
    " ",
];

fn mutate(source: &str, edits: &[(usize, usize, usize)]) -> String {
    let mut chars: Vec<char> = source.chars().collect();
    for (at, kind, piece) in edits {
        let at = at % (chars.len() + 1);
        match kind % 3 {
            0 => {
                let end = (at + piece % 6).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let text = PIECES[piece % PIECES.len()];
                for (i, c) in text.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("TRUE".to_string()),
        (-10_000i64..10_000).prop_map(|n| n.to_string()),
        (-1000.0f64..1000.0).prop_map(|x| format!("{x:.3}")),
        "[a-zA-Z0-9 %_'\\\\]{0,8}".prop_map(|s| {
            let escaped: String = s
                .chars()
                .map(|c| match c {
                    '\'' => "\\'".to_string(),
                    '\\' => "\\\\".to_string(),
                    c => c.to_string(),
                })
                .collect();
            format!("'{escaped}'")
        }),
        Just("2024-02-29".to_string()),
        Just("2024-01-31T10:00:00+02:00".to_string()),
        (0u32..500).prop_map(|n| format!("NEXT_N_DAYS:{n}")),
        Just("THIS_QUARTER".to_string()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Id",
        "Name",
        "Account.Name",
        "Owner.Profile.Name",
        "x__c",
        "A.B.C.D",
    ])
    .prop_map(str::to_string)
}

fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (
            path(),
            prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]),
            literal()
        )
            .prop_map(|(p, op, v)| format!("{p} {op} {v}")),
        (
            path(),
            any::<bool>(),
            prop::collection::vec(literal(), 1..4)
        )
            .prop_map(|(p, not, vs)| format!(
                "{p} {}IN ({})",
                if not { "NOT " } else { "" },
                vs.join(", ")
            )),
        (path(), "[a-z%_]{0,5}").prop_map(|(p, s)| format!("{p} LIKE '{s}'")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 2..4), any::<bool>()).prop_map(|(parts, and)| {
                let parts: Vec<String> = parts.into_iter().map(|p| format!("({p})")).collect();
                parts.join(if and { " AND " } else { " OR " })
            }),
            inner.prop_map(|c| format!("NOT ({c})")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(path(), 1..4),
        prop::option::of(condition()),
        prop::collection::vec((path(), any::<bool>(), 0u8..3), 0..3),
        prop::option::of(0u32..3000),
    )
        .prop_map(|(fields, filter, order, limit)| {
            let mut s = format!("select {} from Account", fields.join(", "));
            if let Some(f) = filter {
                s.push_str(&format!(" where {f}"));
            }
            if !order.is_empty() {
                let keys: Vec<String> = order
                    .iter()
                    .map(|(p, desc, nulls)| {
                        let nulls = ["", " NULLS FIRST", " NULLS LAST"][*nulls as usize];
                        format!("{p}{}{nulls}", if *desc { " desc" } else { "" })
                    })
                    .collect();
                s.push_str(&format!(" order by {}", keys.join(", ")));
            }
            if let Some(l) = limit {
                s.push_str(&format!(" limit {l}"));
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let _ = compile(&text, &SCHEMA, chrono::Utc::now());
    }

    #[test]
    fn mutated_statements_never_panic(
        which in 0..CORPUS.len(),
        edits in prop::collection::vec((0usize..400, 0usize..3, 0usize..64), 1..5),
    ) {
        let text = mutate(CORPUS[which], &edits);
        if let Err(e) = compile(&text, &SCHEMA, chrono::Utc::now()) {
            prop_assert!(e.message.contains("ERROR at Row:"), "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn printed_statements_parse_back(text in statement()) {
        let query = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {}", e.message)))?;
        let printed = query.to_string();
        let again = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {}", e.message)))?;
        prop_assert_eq!(again.to_string(), printed);
    }
}
