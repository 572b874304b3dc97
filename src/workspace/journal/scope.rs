//! Which records a run covered, when it did not cover its whole link, and which records failed
//! their last attempt.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::super::Result;

/// Some records of a link: by the value of its local key column, or by Salesforce Id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Records {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

/// How many records a label names one by one before it counts the rest.
const NAMED_IN_LABEL: usize = 5;

impl Records {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.ids.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len() + self.ids.len()
    }

    /// What the history shows: "key ACME-1", "Ids 001…, 001…", "7 records: 12, 14, …".
    pub fn label(&self) -> String {
        let names: Vec<&str> = self
            .keys
            .iter()
            .chain(&self.ids)
            .map(String::as_str)
            .collect();
        let (one, many) = match (self.keys.is_empty(), self.ids.is_empty()) {
            (false, true) => ("key", "keys"),
            (true, false) => ("Id", "Ids"),
            _ => ("record", "records"),
        };
        match names.len() {
            1 => format!("{one} {}", names[0]),
            n if n <= NAMED_IN_LABEL => format!("{many} {}", names.join(", ")),
            n => format!("{n} records: {}, …", names[..NAMED_IN_LABEL - 1].join(", ")),
        }
    }
}

/// Marks a run as covering only `records`.
pub fn set_scope(conn: &Connection, run_id: i64, records: &Records) -> Result<()> {
    let json = serde_json::to_string(records).unwrap_or_default();
    conn.execute(
        "UPDATE tether_runs SET scope = ?2, scope_records = ?3 WHERE id = ?1",
        params![run_id, records.label(), json],
    )?;
    Ok(())
}

/// The records of a link whose last attempt failed: its open errors. A record is named by its
/// Salesforce Id when the error knows it, else by its key.
pub fn failed_records(conn: &Connection, link: &str) -> Result<Records> {
    let mut records = Records::default();
    for failed in super::open_errors(conn, link)? {
        match (failed.sf_id.filter(|s| !s.is_empty()), failed.row_key) {
            (Some(id), _) if !records.ids.contains(&id) => records.ids.push(id),
            (None, Some(key)) if !key.is_empty() && !records.keys.contains(&key) => {
                records.keys.push(key)
            }
            _ => {}
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Records {
        Records {
            keys: names.iter().map(|s| s.to_string()).collect(),
            ids: Vec::new(),
        }
    }

    #[test]
    fn a_label_names_a_few_records_and_counts_many() {
        assert_eq!(keys(&["ACME-1"]).label(), "key ACME-1");
        assert_eq!(keys(&["1", "2"]).label(), "keys 1, 2");
        assert_eq!(
            keys(&["1", "2", "3", "4", "5", "6", "7"]).label(),
            "7 records: 1, 2, 3, 4, …"
        );
        let mixed = Records {
            keys: vec!["7".into()],
            ids: vec!["001000000000001AAA".into()],
        };
        assert_eq!(mixed.label(), "records 7, 001000000000001AAA");
    }
}
