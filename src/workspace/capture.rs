//! Change capture: triggers on a user table log every insert, update and delete into
//! `tether_changes`, whoever makes the write.
//!
//! The triggers are generated from the table's current columns and regenerated whenever a
//! link is saved or run, so a column added later is captured too. They must never make another
//! program's write fail, which is why BLOB values are logged as hex rather than refused by
//! `json_object`, and why a row whose key is empty (NULL) or binary is accepted and not
//! logged: the log names rows by key, and such a row has none to name it by. The engine finds
//! those rows by rowid instead (see [`crate::sync::engine::local`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::{Result, WorkspaceError};

/// `"name"` with embedded quotes doubled: safe for any table or column name.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with embedded quotes doubled.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The table's column names in declaration order; an error if the table does not exist.
pub fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let names = stmt
        .query_map([table], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if names.is_empty() {
        return Err(WorkspaceError::NoSuchTable(table.to_string()));
    }
    Ok(names)
}

fn trigger_name(table: &str, op: &str) -> String {
    quote_ident(&format!("tether_capture_{table}_{op}"))
}

/// The row's key as the log names it, or NULL when it has none that text can name: empty, or
/// binary (which as text could be anything, even bytes that are not UTF-8).
fn key_text(row: &str, key: &str) -> String {
    let k = format!("{row}.{}", quote_ident(key));
    format!("(CASE WHEN typeof({k}) IN ('null', 'blob') THEN NULL ELSE CAST({k} AS TEXT) END)")
}

fn json_safe(row: &str, column: &str) -> String {
    let c = format!("{row}.{}", quote_ident(column));
    format!("CASE typeof({c}) WHEN 'blob' THEN hex({c}) ELSE {c} END")
}

/// (Re)creates the capture triggers of `table`, keyed by its `key` column. Returns true when
/// they were already there exactly as generated: then every write to the table since they were
/// made is in the log. False when one was missing or different (the table was dropped and made
/// again, a column was added, they were never made): writes may have gone unlogged.
pub fn install(conn: &Connection, table: &str, key: &str) -> Result<bool> {
    let cols = columns(conn, table)?;
    if !cols.iter().any(|c| c == key) {
        return Err(WorkspaceError::NoSuchColumn {
            table: table.to_string(),
            column: key.to_string(),
        });
    }
    let t = quote_ident(table);
    let lit = quote_literal(table);
    let (new_key, old_key) = (key_text("NEW", key), key_text("OLD", key));
    // A key set or cleared by the update names the row by whichever side has one.
    let either_key = format!("coalesce({new_key}, {old_key})");
    let writer = "(SELECT run_id FROM tether_writer WHERE id = 1)";
    let before = format!(
        "json_object({})",
        cols.iter()
            .map(|c| format!("{}, {}", quote_literal(c), json_safe("OLD", c)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let changed = cols
        .iter()
        .map(|c| format!("OLD.{0} IS NOT NEW.{0}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(" OR ");
    let changed_list = format!(
        "(SELECT json_group_array(value) FROM json_each(json_array({})) WHERE value IS NOT NULL)",
        cols.iter()
            .map(|c| format!(
                "CASE WHEN OLD.{0} IS NOT NEW.{0} THEN {1} END",
                quote_ident(c),
                quote_literal(c)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let triggers = [
        (
            "insert",
            format!(
                "CREATE TRIGGER {ins} AFTER INSERT ON {t} WHEN {new_key} IS NOT NULL BEGIN
             INSERT INTO tether_changes (table_name, row_key, op, run_id)
             VALUES ({lit}, {new_key}, 'insert', {writer});
         END",
                ins = trigger_name(table, "insert"),
            ),
        ),
        (
            "update",
            format!(
                "CREATE TRIGGER {upd} AFTER UPDATE ON {t}
         WHEN ({changed}) AND {either_key} IS NOT NULL BEGIN
             INSERT INTO tether_changes (table_name, row_key, op, columns, before, run_id)
             VALUES ({lit}, {either_key}, 'update', {changed_list}, {before}, {writer});
         END",
                upd = trigger_name(table, "update"),
            ),
        ),
        (
            "delete",
            format!(
                "CREATE TRIGGER {del} AFTER DELETE ON {t} WHEN {old_key} IS NOT NULL BEGIN
             INSERT INTO tether_changes (table_name, row_key, op, before, run_id)
             VALUES ({lit}, {old_key}, 'delete', {before}, {writer});
         END",
                del = trigger_name(table, "delete"),
            ),
        ),
    ];
    let mut intact = true;
    for (op, create) in &triggers {
        // SQLite keeps a trigger's statement as it was written.
        let stored: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [format!("tether_capture_{table}_{op}")],
                |r| r.get(0),
            )
            .optional()?;
        intact &= stored.as_deref() == Some(create.as_str());
    }
    if intact {
        return Ok(true);
    }
    for (op, create) in &triggers {
        conn.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS {}; {create};",
            trigger_name(table, op)
        ))?;
    }
    Ok(false)
}

/// Marks the writes that follow, until `None`, as made by sync run `run`. Call it inside the
/// run's write transaction and clear it before commit: SQLite has one writer at a time, so no
/// other program's write can be mislabelled.
pub fn set_writer(conn: &Connection, run: Option<i64>) -> Result<()> {
    conn.execute("UPDATE tether_writer SET run_id = ?1 WHERE id = 1", [run])?;
    Ok(())
}

/// One logged write.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub table: String,
    pub row_key: String,
    pub op: String,
    pub columns: Vec<String>,
    pub before: Option<Map<String, Value>>,
    pub run_id: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

/// When a row was last written by anyone but a sync run: as a whole, and per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowChanges {
    /// The last write of any kind.
    pub row: Option<DateTime<Utc>>,
    /// The last insert, which sets every column.
    pub inserted: Option<DateTime<Utc>>,
    /// Per column, the last update that changed it.
    pub updated: BTreeMap<String, DateTime<Utc>>,
}

impl RowChanges {
    /// The last write that changed `column`.
    pub fn column(&self, column: &str) -> Option<DateTime<Utc>> {
        self.updated.get(column).copied().max(self.inserted)
    }
}

/// How each of these rows was last written by anyone but a sync run; rows nobody else wrote
/// are left out.
pub fn external_changes(
    conn: &Connection,
    table: &str,
    keys: &[String],
) -> Result<BTreeMap<String, RowChanges>> {
    // One group per kind of write and changed column: an insert or a delete has no column.
    let mut stmt = conn.prepare_cached(
        "SELECT c.op, j.value, MAX(c.changed_at)
         FROM tether_changes AS c LEFT JOIN json_each(c.columns) AS j
         WHERE c.table_name = ?1 AND c.row_key = ?2 AND c.run_id IS NULL
         GROUP BY c.op, j.value",
    )?;
    let mut out = BTreeMap::new();
    for key in keys {
        let groups = stmt.query_map(params![table, key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut changes = RowChanges::default();
        for group in groups {
            let (op, column, at) = group?;
            let at = parse_time(&at);
            changes.row = changes.row.max(Some(at));
            match (op.as_str(), column) {
                ("insert", _) => changes.inserted = changes.inserted.max(Some(at)),
                ("update", Some(column)) => {
                    let slot = changes.updated.entry(column).or_insert(at);
                    *slot = (*slot).max(at);
                }
                _ => {}
            }
        }
        if changes.row.is_some() {
            out.insert(key.clone(), changes);
        }
    }
    Ok(out)
}

/// Every write sync run `run` made to local tables, oldest first.
pub fn changes_of_run(conn: &Connection, run: i64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT seq, table_name, row_key, op, columns, before, run_id, changed_at
         FROM tether_changes WHERE run_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([run], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<i64>>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, table, row_key, op, columns, before, run_id, at) = row?;
        out.push(Change {
            seq,
            table,
            row_key,
            op,
            columns: columns
                .and_then(|c| serde_json::from_str(&c).ok())
                .unwrap_or_default(),
            before: before.and_then(|b| serde_json::from_str(&b).ok()),
            run_id,
            changed_at: parse_time(&at),
        });
    }
    Ok(out)
}

/// Times the triggers wrote; anything unreadable counts as the oldest possible, so that it
/// never wins a "most recent" comparison by accident.
fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;

    fn at(text: &str) -> DateTime<Utc> {
        parse_time(text)
    }

    #[test]
    fn each_column_knows_the_last_write_that_changed_it() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
        let conn = ws.conn();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT)")
            .unwrap();
        install(conn, "t", "id").unwrap();
        conn.execute_batch(
            "INSERT INTO t (id, name, note) VALUES (1, 'a', 'x'), (2, 'b', 'y');
             UPDATE t SET name = 'a2' WHERE id = 1;
             UPDATE t SET note = 'x2' WHERE id = 1;",
        )
        .unwrap();
        set_writer(conn, Some(7)).unwrap();
        conn.execute("UPDATE t SET name = 'a3', note = 'x3' WHERE id = 1", [])
            .unwrap();
        set_writer(conn, None).unwrap();
        // The triggers stamp the wall clock; fixed times make the order certain.
        conn.execute(
            "UPDATE tether_changes SET changed_at = printf('2026-01-01T00:00:%02dZ', seq)",
            [],
        )
        .unwrap();
        let keys = vec!["1".to_string(), "2".to_string(), "3".to_string()];
        let changes = external_changes(conn, "t", &keys).unwrap();
        let one = &changes["1"];
        assert_eq!(
            one.row,
            Some(at("2026-01-01T00:00:04Z")),
            "the sync's write is no one's edit"
        );
        assert_eq!(one.column("name"), Some(at("2026-01-01T00:00:03Z")));
        assert_eq!(one.column("note"), Some(at("2026-01-01T00:00:04Z")));
        assert_eq!(
            one.column("id"),
            Some(at("2026-01-01T00:00:01Z")),
            "the insert"
        );
        assert_eq!(
            changes["2"].column("note"),
            Some(at("2026-01-01T00:00:02Z"))
        );
        assert!(!changes.contains_key("3"));
    }

    fn logged(conn: &Connection, table: &str) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT row_key, op FROM tether_changes WHERE table_name = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_row_with_an_empty_or_binary_key_is_written_and_left_out_of_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
        let conn = ws.conn();
        conn.execute_batch(
            "CREATE TABLE people (code TEXT PRIMARY KEY, name TEXT);
             CREATE TABLE tags (label TEXT, name TEXT, n INTEGER PRIMARY KEY) WITHOUT ROWID;",
        )
        .unwrap();
        install(conn, "people", "code").unwrap();
        install(conn, "tags", "label").unwrap();
        for sql in [
            "INSERT INTO people (code, name) VALUES (NULL, 'no key')",
            "INSERT INTO people (code, name) VALUES (x'ff00', 'binary key')",
            "INSERT INTO people (code, name) VALUES ('p-1', 'keyed')",
            "UPDATE people SET name = 'still no key' WHERE code IS NULL",
            "UPDATE people SET name = 'still binary' WHERE typeof(code) = 'blob'",
            "UPDATE people SET code = 'p-2' WHERE code IS NULL",
            "UPDATE people SET code = NULL WHERE code = 'p-1'",
            "DELETE FROM people WHERE code IS NULL OR typeof(code) = 'blob'",
            "INSERT INTO tags (label, name, n) VALUES (NULL, 'no key', 1)",
            "UPDATE tags SET label = 't-1' WHERE n = 1",
        ] {
            conn.execute_batch(sql)
                .unwrap_or_else(|e| panic!("{sql}: capture refused a write the table takes: {e}"));
        }
        let text = |rows: &[(&str, &str)]| -> Vec<(String, String)> {
            rows.iter()
                .map(|(k, op)| (k.to_string(), op.to_string()))
                .collect()
        };
        assert_eq!(
            logged(conn, "people"),
            text(&[("p-1", "insert"), ("p-2", "update"), ("p-1", "update"),]),
            "a row is logged by the key it has, or had, and only then"
        );
        assert_eq!(logged(conn, "tags"), text(&[("t-1", "update")]));
    }
}
