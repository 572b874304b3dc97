//! Records by name in Errors and Conflicts: the value the local table holds for the object's
//! name field (Name, or CaseNumber, Subject… for the objects whose name field is another),
//! found through the link's mapping. The Id stays beside it, secondary.

use rusqlite::{Connection, OptionalExtension};

use crate::sync::link::Link;
use crate::workspace::capture::quote_ident;

/// The name field of an object, as describe reports it (`nameField`) for the standard objects
/// whose name is not `Name`; custom objects and the rest use `Name`.
fn name_field(object: &str) -> &'static str {
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

/// The SQL that reads a record's name from the link's table: the mapped name column, or a
/// person's first and last names where only those are mapped.
fn name_sql(link: &Link) -> Option<String> {
    let column = |remote: &str| {
        link.fields
            .iter()
            .find(|f| f.remote.eq_ignore_ascii_case(remote))
            .and_then(|f| f.local_column())
            .map(quote_ident)
    };
    if let Some(name) = column(name_field(&link.object)) {
        return Some(name);
    }
    match (column("FirstName"), column("LastName")) {
        (Some(first), Some(last)) => Some(format!("trim(coalesce({first}, '') || ' ' || {last})")),
        (None, Some(last)) => Some(last),
        _ => None,
    }
}

/// The record's name, by its Salesforce Id or else its local key; `None` when the link maps
/// no name or the row is gone.
pub(super) fn record_name(
    conn: &Connection,
    link: &Link,
    sf_id: Option<&str>,
    row_key: Option<&str>,
) -> Option<String> {
    let name = name_sql(link)?;
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
            record_name(&conn, &account, Some("001A"), None).as_deref(),
            Some("Acme Corp")
        );
        assert_eq!(
            record_name(&conn, &account, None, Some("7")).as_deref(),
            Some("Acme Corp")
        );
        let contact = link("Contact", &[("first", "FirstName"), ("last", "LastName")]);
        assert_eq!(
            record_name(&conn, &contact, Some("001A"), None).as_deref(),
            Some("Ada Lovelace")
        );
        let case = link("Case", &[("num", "CaseNumber")]);
        assert_eq!(
            record_name(&conn, &case, Some("001A"), None).as_deref(),
            Some("00001026")
        );
        assert_eq!(
            record_name(&conn, &link("Account", &[]), Some("001A"), None),
            None
        );
        assert_eq!(record_name(&conn, &account, Some("001Z"), None), None);
    }
}
