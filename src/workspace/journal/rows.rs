//! Reading the journal's columns: times, names and JSON, with a conversion error rather than
//! a panic when a row holds something unexpected.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row};
use serde_json::Value;

use crate::workspace::Result;

/// Runs `f` in a transaction of its own, or inside the caller's when one is open, so that a
/// multi-statement write is never half done.
pub(in crate::workspace) fn atomically<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    if !conn.is_autocommit() {
        return f(conn);
    }
    let tx = conn.unchecked_transaction()?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

fn conversion_error(column: usize, text: &str, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("`{text}` is not a valid {what}").into(),
    )
}

pub(in crate::workspace) fn parsed<T>(
    r: &Row<'_>,
    column: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(column)?;
    parse(&text).ok_or_else(|| conversion_error(column, &text, "value for this column"))
}

pub(in crate::workspace) fn time_at(r: &Row<'_>, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = r.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| conversion_error(column, &text, "time"))
}

pub(in crate::workspace) fn optional_time_at(
    r: &Row<'_>,
    column: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match r.get::<_, Option<String>>(column)? {
        None => Ok(None),
        Some(_) => time_at(r, column).map(Some),
    }
}

/// A JSON column: NULL is `None`; text that is not JSON is kept as a string rather than lost.
pub(in crate::workspace) fn json_at(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<Value>> {
    Ok(r.get::<_, Option<String>>(column)?
        .map(|text| serde_json::from_str(&text).unwrap_or(Value::String(text))))
}
