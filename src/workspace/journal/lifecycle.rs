//! Errors with a lifecycle: a record that fails is one open error, whatever the number of runs
//! it fails in, until a run of its link syncs it.
//!
//! Attempts are recorded by [`super::record_error`] as before; the schema's trigger
//! (`schema_v9.sql`) joins each to its record's open error or opens one. A run that
//! finishes (succeeded or partial) resolves the open errors of the records it did not fail.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::rows::{optional_time_at, time_at};
use crate::workspace::{Result, now_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorStatus {
    /// The record's last attempt failed.
    Open,
    /// A later run synced the record.
    Resolved,
}

impl ErrorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorStatus::Open => "open",
            ErrorStatus::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<ErrorStatus> {
        [ErrorStatus::Open, ErrorStatus::Resolved]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Where an error stands: how often and when its record failed, and what resolved it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorLifecycle {
    /// The error's id (`tether_errors.id`), shared by all its attempts.
    pub error_id: i64,
    pub status: ErrorStatus,
    /// Runs the record failed in.
    pub attempts: u64,
    pub first_run: i64,
    pub first_seen: DateTime<Utc>,
    pub last_run: i64,
    pub last_seen: DateTime<Utc>,
    /// The run that synced the record.
    pub resolved_run: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The lifecycle read from `tether_errors`' id, status, attempts, first_run, first_seen,
/// last_run, last_seen, resolved_run and resolved_at, starting at column `at`.
pub(crate) fn lifecycle_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ErrorLifecycle> {
    Ok(ErrorLifecycle {
        error_id: r.get(at)?,
        status: super::parsed(r, at + 1, ErrorStatus::parse)?,
        attempts: u64::try_from(r.get::<_, i64>(at + 2)?).unwrap_or(0),
        first_run: r.get(at + 3)?,
        first_seen: time_at(r, at + 4)?,
        last_run: r.get(at + 5)?,
        last_seen: time_at(r, at + 6)?,
        resolved_run: r.get(at + 7)?,
        resolved_at: optional_time_at(r, at + 8)?,
    })
}

/// A record whose last attempt failed, by what names it: its row key, its Salesforce Id, or
/// both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FailedRecord {
    pub sf_id: Option<String>,
    pub row_key: Option<String>,
}

/// The records of a link whose last attempt failed (its open errors), oldest first: what
/// `tether sync LINK --failed` runs again.
pub fn open_errors(conn: &Connection, link: &str) -> Result<Vec<FailedRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sf_id, row_key FROM tether_errors
         WHERE link_name = ?1 AND status = 'open' AND (sf_id IS NOT NULL OR row_key IS NOT NULL)
         ORDER BY first_run, id",
    )?;
    let rows = stmt
        .query_map([link], |r| {
            Ok(FailedRecord {
                sf_id: r.get(0)?,
                row_key: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// How many errors of each link are open, by link name.
pub fn open_error_counts(conn: &Connection) -> Result<std::collections::HashMap<String, u64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT link_name, count(*) FROM tether_errors WHERE status = 'open' GROUP BY link_name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Resolves, as done by `run_id`, the open errors of `link` that did not fail again in that
/// run: all of them, or with `only` those of these records (a run that read only some records
/// can speak only for those). Call it once the run has finished its records, and only for a
/// run that did (succeeded or partial): a run that stopped early saw nothing resolve. Returns
/// how many errors it resolved.
pub fn resolve_errors(
    conn: &Connection,
    link: &str,
    run_id: i64,
    only: Option<&[FailedRecord]>,
) -> Result<usize> {
    let now = now_text();
    let Some(records) = only else {
        return Ok(conn.execute(
            "UPDATE tether_errors SET status = 'resolved', resolved_run = ?2, resolved_at = ?3
             WHERE link_name = ?1 AND status = 'open' AND last_run <> ?2
               AND first_run < ?2",
            params![link, run_id, now],
        )?);
    };
    let mut stmt = conn.prepare_cached(
        "UPDATE tether_errors SET status = 'resolved', resolved_run = ?2, resolved_at = ?3
         WHERE link_name = ?1 AND status = 'open' AND last_run <> ?2 AND first_run < ?2
           AND ((?4 IS NOT NULL AND row_key = ?4)
             OR (?5 IS NOT NULL AND substr(sf_id, 1, 15) = substr(?5, 1, 15)))",
    )?;
    let mut resolved = 0;
    for record in records {
        resolved += stmt.execute(params![link, run_id, now, record.row_key, record.sf_id])?;
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::journal::tests::workspace_with_link;
    use crate::workspace::journal::{RecordFailure, Side, Trigger, record_error, start_run};

    fn failure(row_key: Option<&str>, sf_id: Option<&str>) -> RecordFailure {
        RecordFailure {
            side: Side::Salesforce,
            sf_id: sf_id.map(str::to_string),
            row_key: row_key.map(str::to_string),
            code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
            message: "no".into(),
            fields: Vec::new(),
            payload: None,
            hint: "h".into(),
        }
    }

    fn statuses(conn: &Connection) -> Vec<(String, String, i64, Option<i64>)> {
        conn.prepare("SELECT record, status, attempts, resolved_run FROM tether_errors ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn attempts_join_the_open_error_of_their_record_and_a_scoped_run_resolves_only_its_own() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let one = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        record_error(conn, one, &failure(Some("7"), None)).unwrap();
        record_error(conn, one, &failure(None, Some("001000000000001AAA"))).unwrap();
        record_error(conn, one, &failure(Some("8"), None)).unwrap();
        let two = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        // Twice in one run is one attempt; the 18-character Id names the 15-character one.
        record_error(conn, two, &failure(Some("7"), None)).unwrap();
        record_error(conn, two, &failure(Some("7"), None)).unwrap();
        record_error(conn, two, &failure(None, Some("001000000000001"))).unwrap();
        assert_eq!(
            statuses(conn),
            vec![
                ("key 7".into(), "open".into(), 2, None),
                ("id 001000000000001".into(), "open".into(), 2, None),
                ("key 8".into(), "open".into(), 1, None),
            ]
        );
        // A run scoped to row 8 resolves row 8 only.
        let three = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let only = [FailedRecord {
            sf_id: None,
            row_key: Some("8".into()),
        }];
        assert_eq!(
            resolve_errors(conn, "customers", three, Some(&only)).unwrap(),
            1
        );
        // The run that failed a record does not resolve it.
        assert_eq!(resolve_errors(conn, "customers", two, None).unwrap(), 0);
        assert_eq!(open_errors(conn, "customers").unwrap().len(), 2);
        let four = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        assert_eq!(resolve_errors(conn, "customers", four, None).unwrap(), 2);
        assert!(open_errors(conn, "customers").unwrap().is_empty());
        assert_eq!(
            statuses(conn).into_iter().map(|s| s.3).collect::<Vec<_>>(),
            vec![Some(four), Some(four), Some(three)]
        );
        // Failing again opens a new error and keeps the resolved one.
        let five = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        record_error(conn, five, &failure(Some("7"), None)).unwrap();
        assert_eq!(statuses(conn).len(), 4);
        assert_eq!(open_error_counts(conn).unwrap()["customers"], 1);
    }

    #[test]
    fn errors_recorded_before_the_lifecycle_become_one_open_error_per_record() {
        use crate::workspace::{MIGRATIONS, Workspace};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("workspace.sqlite");
        let before = MIGRATIONS.len() - 1;
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", true).unwrap();
            let tx = conn.transaction().unwrap();
            for (number, sql) in MIGRATIONS.iter().enumerate().take(before) {
                tx.execute_batch(sql).unwrap();
                tx.pragma_update(None, "user_version", number as i64 + 1)
                    .unwrap();
            }
            tx.execute_batch(
                "INSERT INTO tether_links (id, name, definition, created_at, updated_at)
                     VALUES (1, 'customers', '{}', 'x', 'x');
                 INSERT INTO tether_runs (id, link_id, link_name, trigger, status, started_at)
                     VALUES (1, 1, 'customers', 'cli', 'partial', '2026-01-01T00:00:00Z'),
                            (2, 1, 'customers', 'cli', 'partial', '2026-01-02T00:00:00Z'),
                            (3, NULL, 'Import a.csv', 'button', 'partial', '2026-01-03T00:00:00Z');
                 INSERT INTO tether_run_errors (id, run_id, side, row_key, code, message, hint, at)
                     VALUES (10, 1, 'local', '7', 'A', 'first', 'h', '2026-01-01T00:00:01Z'),
                            (11, 1, 'local', '8', 'A', 'other', 'h', '2026-01-01T00:00:02Z'),
                            (12, 2, 'local', '7', 'B', 'second', 'h', '2026-01-02T00:00:01Z'),
                            (13, 3, 'salesforce', 'row 2', 'C', 'import', 'h', '2026-01-03T00:00:01Z'),
                            (14, 3, 'salesforce', 'row 2', 'C', 'import', 'h', '2026-01-03T00:00:02Z');",
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let ws = Workspace::open(&path).unwrap();
        let conn = ws.conn();
        let kept: Vec<(i64, i64, String)> = conn
            .prepare("SELECT id, run_id, message FROM tether_run_errors ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            kept.len(),
            5,
            "every attempt stays in the history: {kept:?}"
        );
        assert_eq!(kept[2], (12, 2, "second".to_string()));
        let errors: Vec<(String, i64, i64, i64, String, String, String)> = conn
            .prepare(
                "SELECT link_name, attempts, first_run, last_attempt, code, first_seen, last_seen
                 FROM tether_errors ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            errors,
            vec![
                (
                    "customers".into(),
                    2,
                    1,
                    12,
                    "B".into(),
                    "2026-01-01T00:00:01Z".into(),
                    "2026-01-02T00:00:01Z".into()
                ),
                (
                    "customers".into(),
                    1,
                    1,
                    11,
                    "A".into(),
                    "2026-01-01T00:00:02Z".into(),
                    "2026-01-01T00:00:02Z".into()
                ),
                // An import's rows are its own: each attempt is an error.
                (
                    "Import a.csv".into(),
                    1,
                    3,
                    13,
                    "C".into(),
                    "2026-01-03T00:00:01Z".into(),
                    "2026-01-03T00:00:01Z".into()
                ),
                (
                    "Import a.csv".into(),
                    1,
                    3,
                    14,
                    "C".into(),
                    "2026-01-03T00:00:02Z".into(),
                    "2026-01-03T00:00:02Z".into()
                ),
            ]
        );
        let search: i64 = conn
            .query_row(
                "SELECT count(*) FROM tether_run_errors_text WHERE tether_run_errors_text MATCH 'second'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(search, 1, "the text index still finds every attempt");
        let totals: i64 = conn
            .query_row("SELECT sum(errors) FROM tether_error_totals", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(totals, 5);
        // Deleting a run takes its attempts, and an error left with none.
        conn.execute("DELETE FROM tether_runs WHERE id = 3", [])
            .unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM tether_errors", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 2);
    }
}
