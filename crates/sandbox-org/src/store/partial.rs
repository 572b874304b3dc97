//! Some fields of many records at once, read by SQLite from the stored JSON: what a Bulk
//! result page renders, without decoding each record whole.

use std::collections::HashMap;

use rusqlite::params;
use serde_json::Value;

use super::{Record, Store};

/// Whether `name` can be put in a JSON path as it is.
fn plain(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Store {
    /// `fields` of the records of `ids`, in the order of `ids`, each record holding the
    /// fields it has (a record without one reads as it would whole: the field absent). A
    /// record gone for good is left out. `None` when a name is not a plain API name or
    /// storage cannot read them so; the caller then reads whole records.
    pub fn records_with_fields(&self, ids: &[String], fields: &[&str]) -> Option<Vec<Record>> {
        if !fields.iter().all(|f| plain(f)) {
            return None;
        }
        let columns: Vec<String> = fields.iter().map(|f| format!("data -> '$.{f}'")).collect();
        let sql = format!(
            "SELECT id, {} FROM records WHERE id IN (SELECT value FROM json_each(?1))",
            columns.join(", ")
        );
        let wanted = serde_json::to_string(ids).ok()?;
        let mut found: HashMap<String, Record> = HashMap::with_capacity(ids.len());
        {
            let conn = self.lock();
            let mut st = conn.prepare_cached(&sql).ok()?;
            let rows = st
                .query_map(params![wanted], |row| {
                    let id: String = row.get(0)?;
                    let mut record = Record::new();
                    for (i, field) in fields.iter().enumerate() {
                        if let Some(text) = row.get::<_, Option<String>>(i + 1)? {
                            let value = serde_json::from_str(&text).unwrap_or(Value::Null);
                            record.insert(field.to_string(), value);
                        }
                    }
                    Ok((id, record))
                })
                .ok()?;
            for row in rows {
                let (id, record) = row.ok()?;
                found.insert(id, record);
            }
        }
        Some(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}
