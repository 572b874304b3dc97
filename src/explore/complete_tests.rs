use super::*;

fn field(name: &str, kind: &str) -> FieldInfo {
    FieldInfo {
        name: name.into(),
        kind: kind.into(),
        ..Default::default()
    }
}

fn lookup(name: &str, relationship: &str, to: &str) -> FieldInfo {
    FieldInfo {
        name: name.into(),
        kind: "reference".into(),
        relationship: Some(relationship.into()),
        reference_to: vec![to.into()],
    }
}

fn schema() -> Schema {
    let mut schema = Schema {
        objects: vec![
            "Account".into(),
            "Contact".into(),
            "AccountHistory".into(),
            "Lead".into(),
        ],
        ..Default::default()
    };
    schema.insert(ObjectInfo {
        name: "Account".into(),
        fields: vec![
            field("Id", "id"),
            field("Name", "string"),
            field("NumberOfEmployees", "int"),
            lookup("OwnerId", "Owner", "User"),
        ],
        children: vec![ChildInfo {
            relationship: "Contacts".into(),
            object: "Contact".into(),
        }],
    });
    schema.insert(ObjectInfo {
        name: "Contact".into(),
        fields: vec![
            field("Id", "id"),
            field("LastName", "string"),
            lookup("AccountId", "Account", "Account"),
        ],
        children: Vec::new(),
    });
    schema
}

/// `|` marks the cursor.
fn at(text: &str) -> Completion {
    let cursor = text.find('|').unwrap();
    let soql = text.replace('|', "");
    complete(&soql, cursor, &schema())
}

fn texts(completion: &Completion) -> Vec<&str> {
    match completion {
        Completion::Items { items, .. } => items.iter().map(|s| s.text.as_str()).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn suggestions_follow_the_clause_and_the_path() {
    let cases: &[(&str, &[&str])] = &[
        ("SELECT Id FROM Acc|", &["Account", "AccountHistory"]),
        (
            "SELECT Id FROM |",
            &["Account", "AccountHistory", "Contact", "Lead"],
        ),
        ("select id from acc|", &["Account", "AccountHistory"]),
        ("SELECT N| FROM Account", &["Name", "NumberOfEmployees"]),
        (
            "SELECT Id, | FROM Contact",
            &["Account", "AccountId", "Id", "LastName"],
        ),
        (
            "SELECT Account.N| FROM Contact",
            &["Name", "NumberOfEmployees"],
        ),
        (
            "SELECT account.| FROM Contact",
            &["Id", "Name", "NumberOfEmployees", "Owner", "OwnerId"],
        ),
        ("SELECT Id FROM Contact WHERE Las|", &["LastName"]),
        ("SELECT Id FROM Contact ORDER BY Account.Na|", &["Name"]),
        (
            "SELECT Name, (SELECT Id FROM Con|) FROM Account",
            &["Contacts"],
        ),
        (
            "SELECT Name, (SELECT Las| FROM Contacts) FROM Account",
            &["LastName"],
        ),
        (
            "SELECT Name, (SELECT Id FROM Contacts WHERE Account.Na|) FROM Account",
            &["Name"],
        ),
        (
            "SELECT Name, (SELECT | FROM Contacts) FROM Account",
            &["Account", "AccountId", "Id", "LastName"],
        ),
        (
            "SELECT Name, (SELECT Id FROM Contacts) FROM Account WHERE Nu|",
            &["NumberOfEmployees"],
        ),
        ("SELECT Id FROM Account WHERE Name = 'N|", &[]),
        ("SELECT Id FROM Account LIMIT 1|", &[]),
        ("SELECT Zz| FROM Account", &[]),
        ("SELECT Nope.| FROM Account", &[]),
    ];
    for (text, want) in cases {
        assert_eq!(texts(&at(text)), *want, "{text}");
    }
}

#[test]
fn the_replaced_text_is_the_word_being_typed() {
    let Completion::Items { replace, .. } = at("SELECT Account.Na| FROM Contact") else {
        panic!("items expected");
    };
    assert_eq!(&"SELECT Account.Na FROM Contact"[replace], "Na");
    let Completion::Items { replace, .. } = at("SELECT Id FROM |") else {
        panic!("items expected");
    };
    assert_eq!(replace, 15..15);
}

#[test]
fn a_missing_describe_is_asked_for() {
    let cases = [
        ("SELECT Id, Owner.| FROM Account", "User"),
        ("SELECT Id, | FROM Lead", "Lead"),
        ("SELECT Id, (SELECT | FROM Histories) FROM Lead", "Lead"),
    ];
    for (text, object) in cases {
        assert_eq!(at(text), Completion::Describe(object.into()), "{text}");
    }
}

#[test]
fn no_input_panics() {
    let texts = [
        "",
        "(",
        ")",
        "'",
        "((SELECT",
        "SELECT (SELECT FROM ( FROM",
        "é.ü.",
        "SELECT Id FROM Account)",
        "..",
        "SELECT .",
    ];
    let schema = schema();
    for text in texts {
        for cursor in 0..=text.len() {
            let _ = complete(text, cursor, &schema);
        }
    }
}
