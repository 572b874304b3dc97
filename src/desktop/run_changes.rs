//! What a run changed on each side, for History: Salesforce's writes from the run's remote
//! images (confirmed ones only), the local table's from the change log the run's writes left,
//! counted by side and listed with the values before and after.

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::sync::link::Link;
use crate::workspace::images;

/// The most records a run's detail lists; the counts cover them all.
const LISTED: usize = 50;

/// One side's counts. `archived` is only ever set on the local side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideCounts {
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub archived: u64,
}

/// A record a run changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedRecord {
    /// "Salesforce" or "Local".
    pub side: &'static str,
    /// "created", "updated", "deleted" or "archived".
    pub what: &'static str,
    /// The Salesforce Id or the local key.
    pub record: String,
    /// The changed fields' values before, when there was a before.
    pub before: Option<Value>,
    /// Their values after, when known.
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunChanges {
    pub salesforce: SideCounts,
    pub local: SideCounts,
    pub records: Vec<ChangedRecord>,
}

fn object(map: Option<&crate::sync::plan::Values>) -> Option<Value> {
    map.map(|m| Value::Object(m.clone().into_iter().collect::<Map<_, _>>()))
}

pub(super) fn run_changes(
    conn: &Connection,
    run_id: i64,
    link: Option<&Link>,
) -> anyhow::Result<RunChanges> {
    let mut changes = RunChanges::default();
    for image in images::of_run(conn, run_id)?
        .into_iter()
        .filter(|i| i.confirmed)
    {
        let what = match image.op {
            images::RemoteOp::Create => {
                changes.salesforce.created += 1;
                "created"
            }
            images::RemoteOp::Update => {
                changes.salesforce.updated += 1;
                "updated"
            }
            images::RemoteOp::Delete => {
                changes.salesforce.deleted += 1;
                "deleted"
            }
        };
        if changes.records.len() < LISTED {
            changes.records.push(ChangedRecord {
                side: "Salesforce",
                what,
                record: image
                    .sf_id
                    .clone()
                    .or(image.row_key.clone())
                    .unwrap_or_default(),
                before: object(image.before.as_ref()),
                after: object(image.after.as_ref()),
            });
        }
    }
    let Some(link) = link else {
        return Ok(changes);
    };
    let mut stmt = conn.prepare(
        "SELECT row_key, op, columns, before, seq FROM tether_changes
         WHERE run_id = ?1 AND table_name = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(rusqlite::params![run_id, link.table], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (key, op, columns, before, seq) = row?;
        let columns: Vec<String> = columns
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default();
        let before: Option<Map<String, Value>> = before.and_then(|b| serde_json::from_str(&b).ok());
        let archived = op == "update"
            && link
                .archive_column
                .as_ref()
                .is_some_and(|a| columns.len() == 1 && &columns[0] == a);
        let what = match (op.as_str(), archived) {
            ("insert", _) => {
                changes.local.created += 1;
                "created"
            }
            (_, true) => {
                changes.local.archived += 1;
                "archived"
            }
            ("update", _) => {
                changes.local.updated += 1;
                "updated"
            }
            _ => {
                changes.local.deleted += 1;
                "deleted"
            }
        };
        if changes.records.len() < LISTED {
            // The changed columns only, where the log names them.
            let changed = |row: Map<String, Value>| {
                let kept: Map<String, Value> = row
                    .into_iter()
                    .filter(|(c, _)| columns.is_empty() || columns.contains(c))
                    .collect();
                Value::Object(kept)
            };
            let after = match op.as_str() {
                "delete" => None,
                _ => local_after(conn, link, &key, seq)?,
            };
            changes.records.push(ChangedRecord {
                side: "Local",
                what,
                record: key,
                before: before.map(changed),
                after: after.map(changed),
            });
        }
    }
    Ok(changes)
}

/// The local row as the change at `seq` left it: what the row's next change found before it,
/// or, when nothing changed the row since, the row as it is now. `None` when the row is gone
/// or the log cannot say.
fn local_after(
    conn: &Connection,
    link: &Link,
    key: &str,
    seq: i64,
) -> rusqlite::Result<Option<Map<String, Value>>> {
    use rusqlite::OptionalExtension;
    let next: Option<Option<String>> = conn
        .query_row(
            "SELECT before FROM tether_changes
             WHERE table_name = ?1 AND row_key = ?2 AND seq > ?3 ORDER BY seq LIMIT 1",
            rusqlite::params![link.table, key, seq],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(before) = next {
        return Ok(before.and_then(|b| serde_json::from_str(&b).ok()));
    }
    // A bound text compares with an integer key by the column's affinity, so the key's
    // index serves whatever its type.
    let sql = format!(
        "SELECT * FROM {} WHERE {} = ?1",
        crate::workspace::capture::quote_ident(&link.table),
        crate::workspace::capture::quote_ident(&link.key)
    );
    let mut stmt = conn.prepare(&sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    stmt.query_row([key], |r| {
        let mut row = Map::new();
        for (i, name) in names.iter().enumerate() {
            row.insert(
                name.clone(),
                crate::sync::engine::values::from_sql(r.get_ref(i)?),
            );
        }
        Ok(row)
    })
    .optional()
}
