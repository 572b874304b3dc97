//! Tables Tether created itself, for a template or the demo: the only tables whose column
//! types `tether link verify --fix` may change, since nobody else's programs were written
//! against them.

use rusqlite::{Connection, OptionalExtension};

use super::Result;

fn tables(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// Runs `sql` (`CREATE TABLE IF NOT EXISTS …`) and records the tables it created as made by
/// `created_by`; a table that existed before is someone else's and stays unrecorded.
pub fn create_tables(conn: &Connection, sql: &str, created_by: &str) -> Result<Vec<String>> {
    let before = tables(conn)?;
    conn.execute_batch(sql)?;
    let created: Vec<String> = tables(conn)?
        .into_iter()
        .filter(|t| !before.contains(t))
        .collect();
    for table in &created {
        conn.execute(
            "INSERT OR IGNORE INTO tether_managed_tables (name, created_by) VALUES (?1, ?2)",
            [table, created_by],
        )?;
    }
    Ok(created)
}

/// Who created `table` (`template`, `demo`), or `None` for a table Tether did not create.
pub fn created_by(conn: &Connection, table: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT created_by FROM tether_managed_tables WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .optional()?)
}
