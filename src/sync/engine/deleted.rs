//! Local rows that are gone: what they held when they were deleted and when, as the change log
//! kept it.
//!
//! A local delete reaches Salesforce only for a row the link's push filter took in. The row no
//! longer exists, so the filter is evaluated on its last values: the change log's before-image
//! of the delete, offered to the filter under the table's own name.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::sync::link::Link;
use crate::workspace::capture::{quote_ident, quote_literal};

/// Of these deleted rows (by key), those the link's push filter leaves out. A row whose delete
/// the change log does not hold is left out too: nothing shows the filter took it in, and a
/// record kept is recoverable where a record deleted is not.
pub fn left_out_by_push_filter(
    conn: &Connection,
    link: &Link,
    keys: &[String],
) -> rusqlite::Result<HashSet<String>> {
    let Some(filter) = link.push_filter.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Ok(HashSet::new());
    };
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let columns = stmt
        .query_map([&link.table], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let names: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            format!(
                "(SELECT value FROM json_each(?1) WHERE key = {})",
                quote_literal(c)
            )
        })
        .collect();
    // The row stands in for the table, so the filter reads its columns as it would live.
    let judge = format!(
        "WITH {table} ({names}) AS (SELECT {values}) SELECT CASE WHEN ({filter}) THEN 1 ELSE 0 END FROM {table}",
        table = quote_ident(&link.table),
        names = names.join(", "),
        values = values.join(", "),
    );
    let mut judge = conn.prepare(&judge)?;
    let mut left_out = HashSet::new();
    for key in keys {
        let taken_in = match last_delete(conn, &link.table, key)? {
            Some(row) => judge
                .query_row([row], |r| r.get::<_, i64>(0))
                .is_ok_and(|v| v != 0),
            None => false,
        };
        if !taken_in {
            left_out.insert(key.clone());
        }
    }
    Ok(left_out)
}

/// The last before-image of the delete of the row with this key, made by someone other than
/// a sync run.
fn last_delete(conn: &Connection, table: &str, key: &str) -> rusqlite::Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT before FROM tether_changes
             WHERE table_name = ?1 AND row_key = ?2 AND op = 'delete' AND run_id IS NULL
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row(params![table, key], |r| r.get(0))
        .optional()?
        .flatten())
}

/// When the rows with these keys were deleted (by someone other than a sync run), for those
/// the change log holds.
pub fn delete_times(
    conn: &Connection,
    table: &str,
    keys: &[String],
) -> rusqlite::Result<HashMap<String, DateTime<Utc>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT changed_at FROM tether_changes
         WHERE table_name = ?1 AND row_key = ?2 AND op = 'delete' AND run_id IS NULL
         ORDER BY seq DESC LIMIT 1",
    )?;
    let mut times = HashMap::new();
    for key in keys {
        let at: Option<String> = stmt
            .query_row(params![table, key], |r| r.get(0))
            .optional()?;
        if let Some(at) = at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        {
            times.insert(key.clone(), at.with_timezone(&Utc));
        }
    }
    Ok(times)
}

/// Puts a deleted row back as the change log kept it when someone deleted it, pointing at
/// Salesforce record `sf_id`. Left alone when a row holds its key again, or when the change
/// log has no image of the delete. Returns whether the row came back.
pub fn restore_row(
    conn: &Connection,
    link: &Link,
    row_key: &str,
    sf_id: &str,
) -> rusqlite::Result<bool> {
    let table = quote_ident(&link.table);
    let taken: bool = conn.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE CAST({} AS TEXT) = ?1)",
            quote_ident(&link.key)
        ),
        [row_key],
        |r| r.get(0),
    )?;
    if taken {
        return Ok(false);
    }
    let Some(mut row) = last_delete(conn, &link.table, row_key)?
        .and_then(|b| serde_json::from_str::<Map<String, Value>>(&b).ok())
    else {
        return Ok(false);
    };
    row.insert(link.id_column.clone(), Value::String(sf_id.to_string()));
    let names: Vec<String> = row.keys().map(|c| quote_ident(c)).collect();
    let marks: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
    conn.execute(
        &format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ),
        rusqlite::params_from_iter(row.values().map(sql_of)),
    )?;
    Ok(true)
}

/// Before-rows hold what SQLite had: whole numbers stay integers, text stays text.
pub fn sql_of(value: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    match value {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => n.as_f64().map_or(Sql::Null, Sql::Real),
        },
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Text(other.to_string()),
    }
}
