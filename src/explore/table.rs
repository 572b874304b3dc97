//! A query's answer as a table: one column per item of the SELECT list (parents as
//! `Account.Name`, aggregates by alias or `expr0`), one row per record, or per child record
//! of a subquery with its parent's cells repeated (see [`super::nested`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use super::columns::{Columns, columns};
use super::nested;

/// One cell, typed as the answer gave it, so an export keeps numbers as numbers and dates
/// as dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// The number as answered (exact text) and as a float for spreadsheets.
    Number(String),
    Bool(bool),
    Date(NaiveDate),
    /// In UTC, as Salesforce answers datetimes.
    DateTime(NaiveDateTime),
    /// A subquery or compound value this table does not flatten, as JSON.
    Json(String),
}

impl Cell {
    pub fn from_value(value: Option<&Value>) -> Cell {
        match value {
            None | Some(Value::Null) => Cell::Empty,
            Some(Value::Bool(b)) => Cell::Bool(*b),
            Some(Value::Number(n)) => Cell::Number(n.to_string()),
            Some(Value::String(s)) => typed_text(s),
            Some(Value::Object(nested)) => {
                Cell::Json(nested.get("records").unwrap_or(&Value::Null).to_string())
            }
            Some(other @ Value::Array(_)) => Cell::Json(other.to_string()),
        }
    }

    /// The cell as people read it (and as CSV writes it).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Number(s) | Cell::Json(s) => s.clone(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(s) => s.parse().ok(),
            _ => None,
        }
    }
}

/// Salesforce answers dates as `2024-01-31` and datetimes as `2024-01-31T10:00:00.000+0000`;
/// any other text stays text.
fn typed_text(s: &str) -> Cell {
    if s.len() == 10
        && let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
    {
        return Cell::Date(date);
    }
    if s.len() >= 20
        && s.as_bytes().get(10) == Some(&b'T')
        && let Ok(at) = chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
    {
        return Cell::DateTime(at.naive_utc());
    }
    Cell::Text(s.to_string())
}

/// A query's answer, filled a page at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Records the org counted (`totalSize`); for `SELECT COUNT()`, the count itself.
    pub total: u64,
    /// Records read so far (rows may be more: one per child record).
    pub records: u64,
    columns: Columns,
    paths: Option<Vec<Vec<String>>>,
}

impl Table {
    pub fn new(soql: &str) -> Table {
        let columns = columns(soql);
        let mut table = Table {
            headers: Vec::new(),
            rows: Vec::new(),
            total: 0,
            records: 0,
            columns,
            paths: None,
        };
        match &table.columns {
            Columns::Listed(listed) => {
                table.headers = listed.iter().map(|c| c.header.clone()).collect();
                table.paths = Some(listed.iter().map(|c| c.path.clone()).collect());
            }
            Columns::Count => {
                table.headers = vec!["count".to_string()];
                table.paths = Some(Vec::new());
            }
            Columns::FromFirstRecord => {}
        }
        table
    }

    pub fn is_count(&self) -> bool {
        self.columns == Columns::Count
    }

    /// The org's `totalSize`; a `SELECT COUNT()` answer is this one number.
    pub fn set_total(&mut self, total: u64) {
        self.total = total;
        if self.is_count() {
            self.rows = vec![vec![Cell::Number(total.to_string())]];
        }
    }

    /// Adds `record`'s rows and returns them.
    pub fn push(&mut self, record: &Map<String, Value>) -> &[Vec<Cell>] {
        let start = self.rows.len();
        let paths = self
            .paths
            .get_or_insert_with(|| first_record_paths(record))
            .clone();
        if self.headers.is_empty() {
            self.headers = paths.iter().map(|p| p.join(".")).collect();
        }
        for row in nested::rows(record, &paths) {
            self.rows
                .push(row.iter().map(|v| Cell::from_value(v.as_ref())).collect());
        }
        self.records += 1;
        &self.rows[start..]
    }
}

/// The columns of a record when the SELECT list could not be read: its fields in order,
/// parents' fields dotted, a subquery's fields under its relationship, without `attributes`.
fn first_record_paths(record: &Map<String, Value>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    paths_into(&[], record, &mut out);
    out
}

fn paths_into(prefix: &[String], record: &Map<String, Value>, out: &mut Vec<Vec<String>>) {
    for (key, value) in record.iter().filter(|(k, _)| *k != "attributes") {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        if let Some(children) = nested::child_records(value) {
            match children.first().and_then(Value::as_object) {
                Some(child) if prefix.is_empty() => paths_into(&path, child, out),
                _ => out.push(path),
            }
            continue;
        }
        match value {
            Value::Object(parent) => paths_into(&path, parent, out),
            _ => out.push(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(table: &Table) -> Vec<Vec<String>> {
        table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect()
    }

    #[test]
    fn cells_keep_their_types() {
        let cases = [
            (json!(null), Cell::Empty),
            (
                serde_json::from_str("12.50").unwrap(),
                Cell::Number("12.50".into()),
            ),
            (json!(true), Cell::Bool(true)),
            (
                json!("2024-02-29"),
                Cell::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            ),
            (
                json!("2024-01-31T10:00:00.000+0200"),
                Cell::DateTime(
                    NaiveDate::from_ymd_opt(2024, 1, 31)
                        .unwrap()
                        .and_hms_opt(8, 0, 0)
                        .unwrap(),
                ),
            ),
            (json!("2024-13-01"), Cell::Text("2024-13-01".into())),
            (json!("00123"), Cell::Text("00123".into())),
        ];
        for (value, want) in cases {
            assert_eq!(Cell::from_value(Some(&value)), want, "{value}");
        }
    }

    #[test]
    fn unreadable_lists_take_the_first_records_fields() {
        let mut table = Table::new("SELECT FIELDS(STANDARD) FROM Account");
        table.push(
            json!({"attributes": {}, "Name": "Acme", "Owner": {"attributes": {}, "Name": "Ann"},
                "Contacts": {"totalSize": 1, "done": true, "records": [{"attributes": {}, "LastName": "Ng"}]}})
            .as_object()
            .unwrap(),
        );
        assert_eq!(table.headers, ["Name", "Owner.Name", "Contacts.LastName"]);
        assert_eq!(texts(&table), [["Acme", "Ann", "Ng"]]);
    }

    #[test]
    fn count_is_one_cell() {
        let mut table = Table::new("SELECT COUNT() FROM Account");
        table.set_total(42);
        assert_eq!(table.headers, ["count"]);
        assert_eq!(texts(&table), [["42"]]);
    }
}
