//! Local rows that are gone: what they held when they were deleted, as the change log kept it.
//!
//! A local delete reaches Salesforce only for a row the link's push filter took in. The row no
//! longer exists, so the filter is evaluated on its last values: the change log's before-image
//! of the delete, offered to the filter under the table's own name.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use crate::sync::link::Link;
use crate::sync::workspace::capture::{quote_ident, quote_literal};

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
    let mut last_delete = conn.prepare(
        "SELECT before FROM tether_changes
         WHERE table_name = ?1 AND row_key = ?2 AND op = 'delete'
         ORDER BY seq DESC LIMIT 1",
    )?;
    let mut judge = conn.prepare(&judge)?;
    let mut left_out = HashSet::new();
    for key in keys {
        let before: Option<String> = last_delete
            .query_row(params![link.table, key], |r| r.get(0))
            .optional()?
            .flatten();
        let taken_in = match before {
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
