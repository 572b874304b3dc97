use super::*;

fn fields(texts: &[&str]) -> Vec<Vec<String>> {
    texts.iter().map(|t| terms::split(t, false)).collect()
}

#[test]
fn search_terms_match_as_the_documented_examples_say() {
    // (search query, a record's searchable field values, matches)
    let cases: &[(&str, &[&str], bool)] = &[
        ("joe", &["Joe Smith"], true),
        ("JOE", &["joe smith"], true),
        ("jo", &["Joe Smith"], false),
        ("Joe Smith", &["Smith", "Joe"], true),
        ("Joe Smith", &["Joe Smythe"], false),
        ("\"Joe Smith\"", &["Smith, Joe"], false),
        ("\"Joe Smith\"", &["Mr Joe Smith Jr"], true),
        ("\"Joe Smith\" OR \"Joe Smythe\"", &["Joe Smythe"], true),
        ("Joe Sm*", &["Joe Smythe"], true),
        ("Joe Sm?th*", &["Joe Smithers"], true),
        ("Joe Sm?th*", &["Joe Smooth"], false),
        ("acme AND NOT inc", &["Acme Inc."], false),
        ("acme AND NOT inc", &["Acme Ltd"], true),
        ("(acme OR globex) AND corp", &["Globex Corp"], true),
        ("(acme OR globex) AND corp", &["Globex Ltd"], false),
        ("jane@acme.com", &["jane@acme.com"], true),
        ("acme", &["jane@acme.com"], true),
        ("(336)", &["(336) 555-0100"], true),
        ("555-0100", &["+1 336 555 0100"], true),
        ("\"and\" or \"or\"", &["rock and roll"], true),
        ("Tokyo", &["TokyoPrefecture"], false),
        ("r2d2", &["R2-D2"], true),
    ];
    for (query, values, want) in cases {
        let parsed = terms::parse(query).unwrap_or_else(|e| panic!("{query}: {e:?}"));
        assert_eq!(
            parsed.matches(&fields(values)),
            *want,
            "FIND {{{query}}} against {values:?}"
        );
    }
}

#[test]
fn search_terms_shorter_than_two_characters_are_refused() {
    for query in ["a", "", "  ", "*", "a*", "\"\""] {
        let err = terms::parse(query).expect_err(query);
        assert_eq!(err.code, "INVALID_SEARCH", "{query}");
        assert!(
            err.message
                .starts_with("search term must be longer than one character"),
            "{query}: {}",
            err.message
        );
    }
}

#[test]
fn statements_parse_as_the_reference_writes_them() {
    let search = parse("FIND {Joe Smith} IN Name Fields RETURNING lead(name, phone)").unwrap();
    assert_eq!(search.scope, Scope::Name);
    assert_eq!(
        search.returning,
        vec![Returning {
            object: "lead".into(),
            fields: "name, phone".into(),
            clauses: String::new(),
            limit: None,
            offset: 0
        }]
    );

    let search = parse(
        "find {acme} returning Account(Name, Phone WHERE Industry = 'Energy' ORDER BY Name LIMIT 5 OFFSET 2), Contact, Lead(Email) LIMIT 20",
    )
    .unwrap();
    assert_eq!(search.scope, Scope::All);
    assert_eq!(search.limit, 20);
    assert_eq!(
        search.returning[0],
        Returning {
            object: "Account".into(),
            fields: "Name, Phone".into(),
            clauses: "WHERE Industry = 'Energy' ORDER BY Name".into(),
            limit: Some(5),
            offset: 2
        }
    );
    assert_eq!(search.returning[1], Returning::ids_of("Contact".into()));
    assert_eq!(search.returning[2].fields, "Email");

    // A LIMIT inside a string literal is data, not a clause.
    let search = parse("FIND {x1} RETURNING Account(Name WHERE Name = 'NO LIMIT 5')").unwrap();
    assert_eq!(search.returning[0].clauses, "WHERE Name = 'NO LIMIT 5'");
    assert_eq!(search.returning[0].limit, None);

    // Escaped braces belong to the term.
    let search =
        parse(r"FIND {right\}brace} WITH SPELL_CORRECTION = false UPDATE TRACKING").unwrap();
    assert!(matches!(search.terms, Terms::Phrase(ref p) if p.len() == 2));

    assert_eq!(parse("FIND {acme} LIMIT 5000").unwrap().limit, MAX_RESULTS);
}

#[test]
fn malformed_statements_answer_malformed_search() {
    let cases: &[(&str, &str)] = &[
        (
            "FIND acme",
            "No search term found. The search term must be enclosed in braces.",
        ),
        (
            "FIND {acme",
            "No search term found. The search term must be enclosed in braces.",
        ),
        (
            "SELECT Id FROM Account",
            "A SOSL statement starts with FIND",
        ),
        ("FIND {acme} IN EVERY FIELDS", "unexpected token: 'EVERY'"),
        ("FIND {acme} IN NAME", "expecting FIELDS"),
        (
            "FIND {acme} RETURNING Account(WHERE Name = 'x')",
            "start with the fields",
        ),
        (
            "FIND {acme} RETURNING Account(Name",
            "unbalanced parentheses",
        ),
        (
            "FIND {acme} RETURNING Account(Name LIMIT many)",
            "LIMIT takes a whole number",
        ),
        ("FIND {acme} WITH SNIPPET", "WITH SNIPPET is not supported"),
        (
            "FIND {acme} LIMIT 5 nonsense",
            "unexpected token: 'nonsense'",
        ),
    ];
    for (text, wanted) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!(err.code, "MALFORMED_SEARCH", "{text}: {}", err.message);
        assert!(err.message.contains(wanted), "{text}: {}", err.message);
    }
}

#[test]
fn the_answer_is_a_bare_array_before_v37_and_search_records_after() {
    let record = json!({"Id": "001"});
    assert_eq!(answer(36, vec![record.clone()]), json!([record]));
    assert_eq!(
        answer(37, vec![record.clone()]),
        json!({ "searchRecords": [record] })
    );
}

mod kept_tokens {
    use std::sync::Arc;

    use chrono::Utc;
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::schema::Schema;

    const OWNER: &str = "0055g0000000001AAA";

    fn account(store: &Store, values: Value) -> String {
        let fields: Map<String, Value> = values.as_object().cloned().unwrap();
        store
            .write(|w| w.create("Account", &fields, OWNER))
            .unwrap()
    }

    /// The search's answer, read through the kept tokens.
    fn searched(store: &Store, find: &str) -> Vec<String> {
        let statement =
            format!("FIND {{{find}}} IN ALL FIELDS RETURNING Account(Id ORDER BY Name, Id)");
        let search = parse(&statement).unwrap();
        run(&search, &store.schema(), store, "60.0", Utc::now())
            .unwrap()
            .iter()
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .collect()
    }

    /// The answer of a search whose RETURNING filters, skips and limits.
    fn searched_after(store: &Store, find: &str, name: &str, offset: usize) -> Vec<String> {
        let statement = format!(
            "FIND {{{find}}} IN ALL FIELDS RETURNING Account(Id WHERE Name > '{name}' ORDER BY Name, Id LIMIT 2 OFFSET {offset})"
        );
        let search = parse(&statement).unwrap();
        run(&search, &store.schema(), store, "60.0", Utc::now())
            .unwrap()
            .iter()
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .collect()
    }

    /// The same answer from a scan of whole records.
    fn scanned(store: &Store, find: &str) -> Vec<String> {
        let terms = terms::parse(find).unwrap();
        let schema = store.schema();
        let object = schema.object("Account").unwrap();
        let fields = searched_fields(object, Scope::All);
        let mut records = Vec::new();
        store
            .scan("Account", false, &mut |r| {
                records.push(r);
                true
            })
            .unwrap();
        records.sort_by_key(|r| r["Name"].as_str().unwrap().to_lowercase());
        records
            .iter()
            .filter(|r| {
                let tokens: Vec<Vec<String>> = fields
                    .iter()
                    .filter_map(|f| r.get(*f).and_then(Value::as_str))
                    .map(|t| terms::split(t, false))
                    .collect();
                terms.matches(&tokens)
            })
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .collect()
    }

    fn assert_searched_is_scanned(store: &Store, when: &str) {
        // Rare words place their few records in the order; wildcards and NOT walk it.
        for find in [
            "acme",
            "acme AND NOT energy",
            "\"acme widgets\"",
            "555*",
            "glob*",
            "(initech OR widgets) AND acme",
            "NOT globex",
            "nowhere OR acme",
            "nowhere",
        ] {
            assert_eq!(searched(store, find), scanned(store, find), "{find} {when}");
            for (name, offset) in [("acme", 0), ("acme", 1), ("b", 0)] {
                let after: Vec<String> = scanned(store, find)
                    .into_iter()
                    .filter(|id| {
                        let record = store.get(id).unwrap();
                        record["Name"].as_str().unwrap().to_lowercase().as_str() > name
                    })
                    .skip(offset)
                    .take(2)
                    .collect();
                assert_eq!(
                    searched_after(store, find, name, offset),
                    after,
                    "{find} after {name}, offset {offset}, {when}"
                );
            }
        }
    }

    #[test]
    fn writes_keep_the_search_tokens_the_scans_answer() {
        let store = Store::open(None, Arc::new(Schema::standard().unwrap())).unwrap();
        let energy = account(&store, json!({"Name": "Acme Energy", "Phone": "555 0100"}));
        let widgets = account(&store, json!({"Name": "acme widgets", "Site": "Globe"}));
        let globex = account(&store, json!({"Name": "Globex", "Description": "not acme"}));
        assert_searched_is_scanned(&store, "after the first writes");
        assert_eq!(
            searched(&store, "acme"),
            [energy.clone(), widgets.clone(), globex.clone()]
        );

        let renamed: Map<String, Value> = json!({"Name": "Initech", "Description": null})
            .as_object()
            .cloned()
            .unwrap();
        store
            .write(|w| w.update("Account", &globex, &renamed, OWNER))
            .unwrap();
        assert_searched_is_scanned(&store, "after an update");
        assert!(!searched(&store, "acme").contains(&globex));

        store
            .write(|w| w.delete(&energy, OWNER).map_err(|e| vec![e]))
            .unwrap();
        assert_searched_is_scanned(&store, "after a delete");
        assert_eq!(searched(&store, "acme"), [widgets]);

        account(&store, json!({"Name": "Acme Globex", "Phone": "555 0199"}));
        assert_searched_is_scanned(&store, "after a create");
    }
}
