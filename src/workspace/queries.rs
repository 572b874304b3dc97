//! The SOQL explorer's history (every statement run, from the window or `tether query`,
//! the latest [`HISTORY_KEPT`] kept) and its saved queries, by name.

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::WorkspaceError;

/// Runs kept in the history; older ones are forgotten as new ones come.
pub const HISTORY_KEPT: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: i64,
    pub connection: String,
    pub soql: String,
    pub ran_at: String,
    /// The org's total; `None` when it refused the statement.
    pub records: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedQuery {
    pub name: String,
    pub soql: String,
    pub saved_at: String,
}

/// What came of a run: the org's total, or its error code.
pub type Outcome<'a> = Result<u64, &'a str>;

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn record_run(
    conn: &Connection,
    connection: &str,
    soql: &str,
    outcome: Outcome<'_>,
) -> Result<(), WorkspaceError> {
    let (records, error) = match outcome {
        Ok(n) => (Some(i64::try_from(n).unwrap_or(i64::MAX)), None),
        Err(code) => (None, Some(code)),
    };
    conn.execute(
        "INSERT INTO tether_query_history (connection, soql, ran_at, records, error)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![connection, soql, now(), records, error],
    )?;
    conn.execute(
        "DELETE FROM tether_query_history WHERE id <= (SELECT max(id) FROM tether_query_history) - ?1",
        [HISTORY_KEPT],
    )?;
    Ok(())
}

/// The latest runs, newest first.
pub fn history(conn: &Connection, limit: usize) -> Result<Vec<HistoryEntry>, WorkspaceError> {
    let mut stmt = conn.prepare(
        "SELECT id, connection, soql, ran_at, records, error FROM tether_query_history
         ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(HistoryEntry {
            id: r.get(0)?,
            connection: r.get(1)?,
            soql: r.get(2)?,
            ran_at: r.get(3)?,
            records: r.get::<_, Option<i64>>(4)?.map(|n| n.max(0) as u64),
            error: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Saves `soql` as `name` (a name is unique whatever its case; saving again replaces it).
pub fn save(conn: &Connection, name: &str, soql: &str) -> Result<(), WorkspaceError> {
    conn.execute(
        "INSERT INTO tether_saved_queries (name, soql, saved_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET soql = excluded.soql, saved_at = excluded.saved_at",
        params![name.trim(), soql, now()],
    )?;
    Ok(())
}

pub fn saved(conn: &Connection) -> Result<Vec<SavedQuery>, WorkspaceError> {
    let mut stmt = conn.prepare(
        "SELECT name, soql, saved_at FROM tether_saved_queries ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SavedQuery {
            name: r.get(0)?,
            soql: r.get(1)?,
            saved_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn saved_named(conn: &Connection, name: &str) -> Result<Option<SavedQuery>, WorkspaceError> {
    Ok(conn
        .query_row(
            "SELECT name, soql, saved_at FROM tether_saved_queries WHERE name = ?1",
            [name.trim()],
            |r| {
                Ok(SavedQuery {
                    name: r.get(0)?,
                    soql: r.get(1)?,
                    saved_at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Forgets the saved query `name`; false when there was none.
pub fn delete_saved(conn: &Connection, name: &str) -> Result<bool, WorkspaceError> {
    Ok(conn.execute(
        "DELETE FROM tether_saved_queries WHERE name = ?1",
        [name.trim()],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;

    #[test]
    fn history_keeps_the_latest_runs_and_saved_names_ignore_case() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
        let conn = ws.conn();
        for i in 0..HISTORY_KEPT + 5 {
            record_run(
                conn,
                "org",
                &format!("SELECT Id FROM Account LIMIT {i}"),
                Ok(1),
            )
            .unwrap();
        }
        record_run(
            conn,
            "org",
            "SELECT Nope FROM Account",
            Err("INVALID_FIELD"),
        )
        .unwrap();
        let all = history(conn, 1000).unwrap();
        assert_eq!(all.len() as i64, HISTORY_KEPT);
        assert_eq!(
            (
                all[0].soql.as_str(),
                all[0].records,
                all[0].error.as_deref()
            ),
            ("SELECT Nope FROM Account", None, Some("INVALID_FIELD"))
        );
        assert_eq!(all[1].records, Some(1));

        save(conn, "Big deals", "SELECT Id FROM Opportunity").unwrap();
        save(
            conn,
            "big DEALS",
            "SELECT Id FROM Opportunity WHERE Amount > 1",
        )
        .unwrap();
        save(conn, "accounts", "SELECT Id FROM Account").unwrap();
        let names: Vec<String> = saved(conn).unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["accounts", "Big deals"]);
        assert_eq!(
            saved_named(conn, "BIG deals").unwrap().map(|s| s.soql),
            Some("SELECT Id FROM Opportunity WHERE Amount > 1".into())
        );
        assert!(delete_saved(conn, "Accounts").unwrap());
        assert!(!delete_saved(conn, "accounts").unwrap());
    }
}
