//! Child records of subqueries (`"Contacts": {"totalSize", "done", "records"}`) in the
//! output: a JSON array under the relationship's name, and in CSV one row per child record
//! with its parent's columns repeated.
//!
//! A parent with children under two relationships gets one row per child of each, the other
//! relationship's columns left empty, so no row pairs records that are not related; a parent
//! without children gets one row with empty child columns.

use serde_json::{Map, Value};

use super::columns::value_at;

/// The child records under `value`, when it is a subquery's answer.
pub fn child_records(value: &Value) -> Option<&Vec<Value>> {
    let nested = value.as_object()?;
    if nested.contains_key("attributes") {
        return None;
    }
    nested.get("records")?.as_array()
}

/// The CSV cells of `record` for `header`: one row, or one per child record.
pub fn rows(record: &Map<String, Value>, header: &[Vec<String>]) -> Vec<Vec<Option<Value>>> {
    let mut relationships: Vec<&str> = Vec::new();
    for path in header.iter().filter(|p| p.len() > 1) {
        let first = path[0].as_str();
        let is_child = value_at(record, &path[..1]).is_some_and(|v| child_records(v).is_some());
        if is_child && !relationships.contains(&first) {
            relationships.push(first);
        }
    }
    let parent_row = |only: Option<(&str, &Map<String, Value>)>| -> Vec<Option<Value>> {
        header
            .iter()
            .map(|path| {
                let in_child = path.len() > 1 && relationships.contains(&path[0].as_str());
                match (in_child, only) {
                    (false, _) => value_at(record, path).cloned(),
                    (true, Some((name, child))) if path[0] == name => {
                        value_at(child, &path[1..]).cloned()
                    }
                    (true, _) => None,
                }
            })
            .collect()
    };
    let mut out = Vec::new();
    for name in &relationships {
        let children = value_at(record, &[name.to_string()])
            .and_then(child_records)
            .cloned()
            .unwrap_or_default();
        for child in children.iter().filter_map(Value::as_object) {
            out.push(parent_row(Some((name, child))));
        }
    }
    if out.is_empty() {
        out.push(parent_row(None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    fn cells(rows: Vec<Vec<Option<Value>>>) -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| {
                        c.and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn each_child_is_a_row_under_its_parents_columns() {
        let record = json!({
            "attributes": {"type": "Account"}, "Name": "Acme",
            "Contacts": {"totalSize": 2, "done": true, "records": [
                {"attributes": {"type": "Contact"}, "LastName": "Ng"},
                {"attributes": {"type": "Contact"}, "LastName": "Ortiz"}]},
            "Cases": {"totalSize": 1, "done": true, "records": [
                {"attributes": {"type": "Case"}, "Subject": "Broken"}]},
            "Owner": {"attributes": {"type": "User"}, "Name": "Ann"}
        });
        let header = vec![
            path("Name"),
            path("Contacts.LastName"),
            path("Owner.Name"),
            path("Cases.Subject"),
        ];
        assert_eq!(
            cells(rows(record.as_object().unwrap(), &header)),
            [
                ["Acme", "Ng", "Ann", ""],
                ["Acme", "Ortiz", "Ann", ""],
                ["Acme", "", "Ann", "Broken"],
            ]
        );
        let lonely = json!({"Name": "Solo", "Contacts": null, "Cases": null, "Owner": null});
        assert_eq!(
            cells(rows(lonely.as_object().unwrap(), &header)),
            [["Solo", "", "", ""]]
        );
    }
}
