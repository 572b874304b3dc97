//! Records by name in Errors and Conflicts: the value the local table holds for the object's
//! name field (the field the object's describe marks `nameField`, or, without a kept describe,
//! Name, CaseNumber, Subject… by object), found through the link's mapping. The Id stays
//! beside it, secondary.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::sync::link::Link;
use crate::workspace::capture::quote_ident;

/// The name field of an object when no describe of it is kept: describe's `nameField` for the
/// standard objects whose name is not `Name`; custom objects and the rest use `Name`.
fn known_name_field(object: &str) -> &'static str {
    match object {
        "Case" => "CaseNumber",
        "Task" | "Event" | "EmailMessage" => "Subject",
        "Contract" => "ContractNumber",
        "Order" => "OrderNumber",
        "Solution" => "SolutionName",
        "Idea" => "Title",
        _ => "Name",
    }
}

/// The field a kept describe of `object` marks `nameField`.
fn described_name_field(conn: &Connection, object: &str, instance: Option<&str>) -> Option<String> {
    let body = crate::workspace::describes::latest_of(conn, object, instance).ok()??;
    let describe: serde_json::Value = serde_json::from_str(&body).ok()?;
    describe
        .get("fields")?
        .as_array()?
        .iter()
        .find(|f| f.get("nameField").and_then(serde_json::Value::as_bool) == Some(true))
        .and_then(|f| f.get("name")?.as_str())
        .map(str::to_string)
}

/// The SQL that reads a record's name from the link's table: the mapped name column, or a
/// person's first and last names where only those are mapped.
fn name_sql(link: &Link, name_field: &str) -> Option<String> {
    let column = |remote: &str| {
        link.fields
            .iter()
            .find(|f| f.remote.eq_ignore_ascii_case(remote))
            .and_then(|f| f.local_column())
            .map(quote_ident)
    };
    if let Some(name) = column(name_field) {
        return Some(name);
    }
    match (column("FirstName"), column("LastName")) {
        (Some(first), Some(last)) => Some(format!("trim(coalesce({first}, '') || ' ' || {last})")),
        (None, Some(last)) => Some(last),
        _ => None,
    }
}

/// Names records of many links, reading each link's name field once.
pub(super) struct Names<'a> {
    conn: &'a Connection,
    /// Instance URL by connection name, to prefer the describe of the link's own org.
    instances: &'a HashMap<String, String>,
    /// The SQL naming a link's records, by link name.
    sql: HashMap<String, Option<String>>,
}

impl<'a> Names<'a> {
    pub fn new(conn: &'a Connection, instances: &'a HashMap<String, String>) -> Self {
        Names {
            conn,
            instances,
            sql: HashMap::new(),
        }
    }

    /// The record's name, by its Salesforce Id or else its local key; `None` when the link
    /// maps no name or the row is gone.
    pub fn of(
        &mut self,
        link: &Link,
        sf_id: Option<&str>,
        row_key: Option<&str>,
    ) -> Option<String> {
        let (conn, instances) = (self.conn, self.instances);
        let name = self
            .sql
            .entry(link.name.clone())
            .or_insert_with(|| {
                let instance = instances.get(&link.connection).map(String::as_str);
                let field = described_name_field(conn, &link.object, instance)
                    .unwrap_or_else(|| known_name_field(&link.object).to_string());
                name_sql(link, &field)
            })
            .clone()?;
        record_name(conn, link, &name, sf_id, row_key)
    }
}

fn record_name(
    conn: &Connection,
    link: &Link,
    name: &str,
    sf_id: Option<&str>,
    row_key: Option<&str>,
) -> Option<String> {
    let table = quote_ident(&link.table);
    let (column, value) = match (sf_id.filter(|s| !s.is_empty()), row_key) {
        (Some(id), _) => (&link.id_column, id),
        (None, Some(key)) => (&link.key, key),
        (None, None) => return None,
    };
    let sql = format!(
        "SELECT {name} FROM {table} WHERE {} = ?1 LIMIT 1",
        quote_ident(column)
    );
    let found: Option<Option<String>> = conn
        .query_row(&sql, [value], |r| r.get(0))
        .optional()
        .ok()?;
    found.flatten().filter(|n| !n.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::{Direction, FieldMapping};

    fn link(object: &str, fields: &[(&str, &str)]) -> Link {
        let mut l = crate::sync::templates::lead_scores_link("Acme", 7);
        l.object = object.into();
        l.table = "t".into();
        l.key = "id".into();
        l.id_column = "sf_id".into();
        l.fields = fields
            .iter()
            .map(|(local, remote)| FieldMapping::column(local, remote, Direction::Pull))
            .collect();
        l
    }

    fn name(
        conn: &Connection,
        link: &Link,
        sf_id: Option<&str>,
        key: Option<&str>,
    ) -> Option<String> {
        Names::new(conn, &HashMap::new()).of(link, sf_id, key)
    }

    #[test]
    fn a_record_is_named_by_its_name_field_through_the_mapping() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id TEXT, sf_id TEXT, company TEXT, first TEXT, last TEXT, num TEXT);
             INSERT INTO t VALUES ('7', '001A', 'Acme Corp', 'Ada', 'Lovelace', '00001026');",
        )
        .unwrap();
        let account = link("Account", &[("company", "Name")]);
        assert_eq!(
            name(&conn, &account, Some("001A"), None).as_deref(),
            Some("Acme Corp")
        );
        assert_eq!(
            name(&conn, &account, None, Some("7")).as_deref(),
            Some("Acme Corp")
        );
        let contact = link("Contact", &[("first", "FirstName"), ("last", "LastName")]);
        assert_eq!(
            name(&conn, &contact, Some("001A"), None).as_deref(),
            Some("Ada Lovelace")
        );
        let case = link("Case", &[("num", "CaseNumber")]);
        assert_eq!(
            name(&conn, &case, Some("001A"), None).as_deref(),
            Some("00001026")
        );
        assert_eq!(name(&conn, &link("Account", &[]), Some("001A"), None), None);
        assert_eq!(name(&conn, &account, Some("001Z"), None), None);
    }

    fn describe(conn: &Connection, url: &str, name_field: &str) {
        let body = serde_json::json!({
            "name": "x",
            "fields": [
                {"name": "Id", "type": "id", "nameField": false},
                {"name": name_field, "type": "string", "nameField": true},
            ],
        });
        crate::workspace::describes::save(conn, url, None, &body.to_string()).unwrap();
    }

    #[test]
    fn a_kept_describes_name_field_names_the_record_before_the_fixed_list() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../workspace/schema_v10.sql"))
            .unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id TEXT, sf_id TEXT, name TEXT, title TEXT, code TEXT);
             INSERT INTO t VALUES ('7', 'a01A', 'Row seven', 'Bridge survey', 'PRJ-7');",
        )
        .unwrap();
        let mapped = [("name", "Name"), ("title", "Title__c"), ("code", "Code__c")];
        let project = link("Project__c", &mapped);
        // No describe kept: the fixed list says Name.
        assert_eq!(
            name(&conn, &project, Some("a01A"), None).as_deref(),
            Some("Row seven")
        );
        // Two orgs' describes of the object: the link's own org names the field.
        describe(
            &conn,
            "http://127.0.0.1:1/services/data/v62.0/sobjects/Project__c/describe/",
            "Title__c",
        );
        describe(
            &conn,
            "http://127.0.0.1:2/services/data/v62.0/sobjects/Project__c/describe/",
            "Code__c",
        );
        // A name that LIKE would match (`_` is one character to it) is another object.
        describe(
            &conn,
            "http://127.0.0.1:1/services/data/v62.0/sobjects/ProjectX_c/describe/",
            "Code__c",
        );
        let instances: HashMap<String, String> =
            [("Acme".to_string(), "http://127.0.0.1:2".to_string())].into();
        assert_eq!(
            Names::new(&conn, &instances)
                .of(&project, Some("a01A"), None)
                .as_deref(),
            Some("PRJ-7"),
            "the describe of the link's org"
        );
        let elsewhere: HashMap<String, String> =
            [("Acme".to_string(), "http://127.0.0.1:1".to_string())].into();
        assert_eq!(
            Names::new(&conn, &elsewhere)
                .of(&project, None, Some("7"))
                .as_deref(),
            Some("Bridge survey")
        );
    }
}
