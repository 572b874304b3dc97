//! Spreadsheet imports in the workspace: which file and mapping each import run used, what
//! became of every row, and the mapping templates offered again for the same headers.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::journal::{self, Trigger, atomically};
use super::{Result, audit, now_text};

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Created,
    Updated,
    /// The record already held the row's values; nothing was sent.
    Unchanged,
    /// Salesforce refused it.
    Failed,
    /// It did not pass the checks, so it was not sent.
    Invalid,
    /// The import was cancelled before it was sent.
    NotSent,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Created => "created",
            RowStatus::Updated => "updated",
            RowStatus::Unchanged => "unchanged",
            RowStatus::Failed => "failed",
            RowStatus::Invalid => "invalid",
            RowStatus::NotSent => "not_sent",
        }
    }

    pub fn parse(text: &str) -> Option<RowStatus> {
        use RowStatus::*;
        [Created, Updated, Unchanged, Failed, Invalid, NotSent]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// How the annotated sheet says it.
    pub fn label(self) -> &'static str {
        match self {
            RowStatus::Created => "Created",
            RowStatus::Updated => "Updated",
            RowStatus::Unchanged => "Unchanged",
            RowStatus::Failed => "Failed",
            RowStatus::Invalid => "Invalid",
            RowStatus::NotSent => "Not sent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    pub row: u64,
    pub key: Option<String>,
    pub status: RowStatus,
    pub sf_id: Option<String>,
    pub message: Option<String>,
}

/// An import run as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    pub run_id: i64,
    pub file: String,
    pub connection: String,
    pub object: String,
    /// The mapping as JSON.
    pub mapping: String,
    pub retry_of: Option<i64>,
}

/// The name an import run has in the history.
pub fn run_name(file_name: &str) -> String {
    format!("Import {file_name}")
}

/// An import about to start.
pub struct NewImport<'a> {
    /// The path the rows are read from.
    pub file: &'a str,
    /// The file's name, for the history.
    pub file_name: &'a str,
    pub connection: &'a str,
    pub object: &'a str,
    /// The mapping as JSON.
    pub mapping: &'a str,
    pub trigger: Trigger,
    pub retry_of: Option<i64>,
}

/// Records the start of an import: a run with no link, and the file and mapping it reads.
pub fn start(conn: &Connection, import: &NewImport<'_>) -> Result<i64> {
    atomically(conn, |conn| {
        let run =
            journal::start_unlinked_run(conn, &run_name(import.file_name), import.trigger, None)?;
        conn.execute(
            "INSERT INTO tether_imports (run_id, file, connection, object, mapping, retry_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                run,
                import.file,
                import.connection,
                import.object,
                import.mapping,
                import.retry_of
            ],
        )?;
        Ok(run)
    })
}

/// Writes the outcomes of a batch of rows in one transaction.
pub fn record_rows(conn: &Connection, run_id: i64, outcomes: &[RowOutcome]) -> Result<()> {
    atomically(conn, |conn| {
        let mut stmt = conn.prepare_cached(
            "INSERT OR REPLACE INTO tether_import_rows (run_id, row, key, status, sf_id, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for o in outcomes {
            stmt.execute(params![
                run_id,
                o.row as i64,
                o.key,
                o.status.as_str(),
                o.sf_id,
                o.message
            ])?;
        }
        Ok(())
    })
}

pub fn set_row_counts(conn: &Connection, run_id: i64, rows: u64, invalid: u64) -> Result<()> {
    conn.execute(
        "UPDATE tether_imports SET rows = ?2, invalid = ?3 WHERE run_id = ?1",
        params![run_id, rows as i64, invalid as i64],
    )?;
    Ok(())
}

pub fn import_of(conn: &Connection, run_id: i64) -> Result<Option<ImportRecord>> {
    Ok(conn
        .query_row(
            "SELECT run_id, file, connection, object, mapping, retry_of FROM tether_imports
             WHERE run_id = ?1",
            [run_id],
            |r| {
                Ok(ImportRecord {
                    run_id: r.get(0)?,
                    file: r.get(1)?,
                    connection: r.get(2)?,
                    object: r.get(3)?,
                    mapping: r.get(4)?,
                    retry_of: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Row numbers of an import with one of `statuses`.
pub fn rows_with(conn: &Connection, run_id: i64, statuses: &[RowStatus]) -> Result<BTreeSet<u64>> {
    let mut stmt =
        conn.prepare("SELECT row, status FROM tether_import_rows WHERE run_id = ?1 ORDER BY row")?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter(|(_, s)| RowStatus::parse(s).is_some_and(|s| statuses.contains(&s)))
        .map(|(row, _)| row as u64)
        .collect())
}

/// Every row outcome of an import, in row order.
pub fn outcomes(conn: &Connection, run_id: i64) -> Result<Vec<RowOutcome>> {
    let mut stmt = conn.prepare(
        "SELECT row, key, status, sf_id, message FROM tether_import_rows
         WHERE run_id = ?1 ORDER BY row",
    )?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(row, key, status, sf_id, message)| {
            Some(RowOutcome {
                row: row as u64,
                key,
                status: RowStatus::parse(&status)?,
                sf_id,
                message,
            })
        })
        .collect())
}

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub name: String,
    pub object: String,
    pub headers: Vec<String>,
    /// The mapping as JSON.
    pub mapping: String,
    pub saved_at: String,
}

/// Headers compared without case, order or surrounding spaces.
pub fn header_key(headers: &[String]) -> String {
    let mut names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    names.sort();
    names.join("\t")
}

/// Saves (or replaces) the template `name`.
pub fn save_template(
    conn: &Connection,
    name: &str,
    object: &str,
    headers: &[String],
    mapping: &str,
) -> Result<()> {
    let headers_json = serde_json::to_string(headers).unwrap_or_else(|_| "[]".into());
    atomically(conn, |conn| {
        conn.execute(
            "INSERT OR REPLACE INTO tether_import_templates
                 (name, object, headers, header_key, mapping, saved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                object,
                headers_json,
                header_key(headers),
                mapping,
                now_text()
            ],
        )?;
        audit(conn, "user", "import.template.save", name, None)
    })
}

/// Templates saved for a sheet with these headers, newest first.
pub fn templates_for(conn: &Connection, headers: &[String]) -> Result<Vec<Template>> {
    templates_where(conn, Some(&header_key(headers)))
}

pub fn templates(conn: &Connection) -> Result<Vec<Template>> {
    templates_where(conn, None)
}

fn templates_where(conn: &Connection, key: Option<&str>) -> Result<Vec<Template>> {
    let mut stmt = conn.prepare(
        "SELECT name, object, headers, mapping, saved_at FROM tether_import_templates
         WHERE ?1 IS NULL OR header_key = ?1 ORDER BY saved_at DESC, name",
    )?;
    let rows = stmt
        .query_map([key], |r| {
            let headers: String = r.get(2)?;
            Ok(Template {
                name: r.get(0)?,
                object: r.get(1)?,
                headers: serde_json::from_str(&headers).unwrap_or_default(),
                mapping: r.get(3)?,
                saved_at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.sqlite")).unwrap();
        (dir, ws)
    }

    #[test]
    fn an_import_keeps_its_rows_and_finds_the_failed_ones() {
        let (_dir, ws) = workspace();
        let conn = ws.conn();
        let import = NewImport {
            file: "/x/opps.csv",
            file_name: "opps.csv",
            connection: "Sandbox org",
            object: "Opportunity",
            mapping: "{}",
            trigger: Trigger::Cli,
            retry_of: None,
        };
        let run = start(conn, &import).unwrap();
        let outcome = |row, status| RowOutcome {
            row,
            key: Some(format!("K{row}")),
            status,
            sf_id: None,
            message: None,
        };
        record_rows(
            conn,
            run,
            &[
                outcome(2, RowStatus::Created),
                outcome(3, RowStatus::Failed),
                outcome(4, RowStatus::Invalid),
                outcome(5, RowStatus::NotSent),
            ],
        )
        .unwrap();
        let retry = rows_with(conn, run, &[RowStatus::Failed, RowStatus::NotSent]).unwrap();
        assert_eq!(retry.into_iter().collect::<Vec<_>>(), vec![3, 5]);
        let record = import_of(conn, run).unwrap().unwrap();
        assert_eq!(record.object, "Opportunity");
        let run_record = journal::run(conn, run).unwrap().unwrap();
        assert_eq!(run_record.link_name, "Import opps.csv");
        assert_eq!(run_record.link_id, None);
        assert_eq!(outcomes(conn, run).unwrap().len(), 4);
    }

    #[test]
    fn templates_are_found_by_headers_in_any_order_and_case() {
        let (_dir, ws) = workspace();
        let conn = ws.conn();
        let headers: Vec<String> = ["Opp #", "Stage", "Amount"].map(String::from).to_vec();
        save_template(conn, "Old sheets", "Opportunity", &headers, "{\"a\":1}").unwrap();
        let other: Vec<String> = [" amount", "STAGE", "Opp #"].map(String::from).to_vec();
        let found = templates_for(conn, &other).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].headers, headers);
        let different: Vec<String> = ["Opp", "Stage"].map(String::from).to_vec();
        assert!(templates_for(conn, &different).unwrap().is_empty());
    }
}
