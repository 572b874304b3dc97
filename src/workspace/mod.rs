//! The workspace: one SQLite file holding the user's own tables and Tether's bookkeeping
//! (`tether_*` tables: links, change log, base snapshots, cursors, runs, errors, conflicts,
//! before-images and the audit log).
//!
//! Other programs may read and write the user tables at any time. Triggers installed by
//! [`capture`] log every write, whoever makes it.

pub mod base;
pub mod capture;
pub mod conflicts;
pub mod describes;
pub mod images;
pub mod imports;
pub mod journal;
pub mod managed;
pub mod marks;
pub mod queries;
pub mod record_writes;
pub mod reread;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::sync::link::Link;

/// Numbered migrations; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
    include_str!("schema_v7.sql"),
    include_str!("schema_v8.sql"),
    include_str!("schema_v9.sql"),
    include_str!("schema_v10.sql"),
    include_str!("schema_v11.sql"),
    include_str!("schema_v12.sql"),
    include_str!("schema_v13.sql"),
];

/// The migration that changed what the capture triggers log: a workspace migrated past it
/// gets every link's triggers regenerated at once, not at the link's next save or run, so that
/// no other program's write meets the old triggers in between.
const CAPTURE_CHANGED_AT: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(
        "the workspace {path} was written by a newer Tether (schema {found}, this one knows {known}): upgrade Tether"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("no link named `{0}`: list them with `tether link list`")]
    NoSuchLink(String),
    #[error("the local table `{0}` does not exist in the workspace: create it first")]
    NoSuchTable(String),
    #[error("the table `{table}` has no column `{column}`: add it or fix the link")]
    NoSuchColumn { table: String, column: String },
    #[error(
        "the link definition of `{name}` in the workspace is unreadable ({reason}): import it again"
    )]
    BadDefinition { name: String, reason: String },
    #[error("workspace database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("no run {0} in this workspace: list the runs with `tether runs`")]
    NoSuchRun(i64),
    #[error("no conflict {0} in this workspace: list the open ones with `tether conflicts`")]
    NoSuchConflict(i64),
    #[error(
        "conflict {id} is no longer open (it is {status}): list the open ones with `tether conflicts`"
    )]
    ConflictNotOpen { id: i64, status: String },
}

pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;

/// Now as the workspace writes times: RFC 3339, UTC, milliseconds.
pub fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A link as stored, with its row id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLink {
    pub id: i64,
    pub link: Link,
    pub updated_at: String,
}

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
}

impl Workspace {
    /// Opens (creating if needed) the workspace file, in WAL mode with foreign keys on, and
    /// runs any migrations it lacks.
    pub fn open(path: &Path) -> Result<Workspace> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // Switching a new file to WAL while another connection opens it can report "busy"
        // without waiting on the busy timeout; it settles within moments.
        when_not_busy(|| conn.pragma_update(None, "journal_mode", "WAL"))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        when_not_busy(|| migrate(&mut conn, path))?;
        Ok(Workspace {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn links(&self) -> Result<Vec<StoredLink>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, definition, updated_at FROM tether_links ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut links = Vec::new();
        for row in rows {
            let (id, name, definition, updated_at) = row?;
            links.push(StoredLink {
                id,
                link: parse_definition(&name, &definition)?,
                updated_at,
            });
        }
        Ok(links)
    }

    pub fn link(&self, name: &str) -> Result<StoredLink> {
        let row = self
            .conn
            .query_row(
                "SELECT id, definition, updated_at FROM tether_links WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?;
        let (id, definition, updated_at) =
            row.ok_or_else(|| WorkspaceError::NoSuchLink(name.to_string()))?;
        Ok(StoredLink {
            id,
            link: parse_definition(name, &definition)?,
            updated_at,
        })
    }

    /// Creates or replaces a link by name, installs change capture on its table and writes the
    /// change to the audit log.
    pub fn save_link(&mut self, link: &Link, actor: &str) -> Result<i64> {
        let now = now_text();
        let tx = self.conn.transaction()?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM tether_links WHERE name = ?1",
                [&link.name],
                |r| r.get(0),
            )
            .optional()?;
        let link = &with_time_zone(&tx, link, existing)?;
        let definition =
            serde_json::to_string(link).map_err(|e| WorkspaceError::BadDefinition {
                name: link.name.clone(),
                reason: e.to_string(),
            })?;
        if let Some(id) = existing {
            let before: String = tx.query_row(
                "SELECT definition FROM tether_links WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            let widened = serde_json::from_str::<Link>(&before)
                .map_or(true, |old| needs_backfill(&old, link));
            if widened {
                // The cursor proves only that records the old link read have not changed
                // since; records the new filter or fields take in were never read.
                tx.execute("DELETE FROM tether_cursors WHERE link_id = ?1", [id])?;
            }
        }
        let id = match existing {
            Some(id) => {
                tx.execute(
                    "UPDATE tether_links SET definition = ?2, updated_at = ?3 WHERE id = ?1",
                    params![id, definition, now],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO tether_links (name, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                    params![link.name, definition, now],
                )?;
                tx.last_insert_rowid()
            }
        };
        capture::install(&tx, &link.table, &link.key)?;
        audit(
            &tx,
            actor,
            if existing.is_some() {
                "link.update"
            } else {
                "link.create"
            },
            &link.name,
            Some(&definition),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Forgets a link with its base snapshots, cursor and open conflicts. Its runs stay in the
    /// history.
    pub fn delete_link(&mut self, name: &str, actor: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM tether_links WHERE name = ?1", [name])?;
        if removed == 0 {
            return Err(WorkspaceError::NoSuchLink(name.to_string()));
        }
        audit(&tx, actor, "link.delete", name, None)?;
        tx.commit()?;
        Ok(())
    }
}

/// Whether a changed link reads records or fields the old one did not (or reads a field in a
/// new direction), so that its next run must read every record again rather than what changed
/// since the cursor.
pub fn needs_backfill(old: &Link, new: &Link) -> bool {
    let fields = |link: &Link| -> std::collections::BTreeSet<(String, String)> {
        link.fields
            .iter()
            .map(|f| (f.remote.to_ascii_lowercase(), format!("{:?}", f.direction)))
            .collect()
    };
    old.object != new.object
        || old.pull_filter != new.pull_filter
        || old.match_on != new.match_on
        || !fields(new).is_subset(&fields(old))
}

/// Appends to the audit log. `detail` must never hold a secret.
pub fn audit(
    conn: &Connection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO tether_audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now_text(), actor, action, subject, detail],
    )?;
    Ok(())
}

fn parse_definition(name: &str, definition: &str) -> Result<Link> {
    serde_json::from_str(definition).map_err(|e| WorkspaceError::BadDefinition {
        name: name.to_string(),
        reason: e.to_string(),
    })
}

/// Runs `work` again while SQLite answers "busy" without having waited (up to ten seconds).
fn when_not_busy<T, E>(
    mut work: impl FnMut() -> std::result::Result<T, E>,
) -> std::result::Result<T, E>
where
    E: BusyCheck,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match work() {
            Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

trait BusyCheck {
    fn is_busy(&self) -> bool;
}

impl BusyCheck for rusqlite::Error {
    fn is_busy(&self) -> bool {
        matches!(
            self.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

impl BusyCheck for WorkspaceError {
    fn is_busy(&self) -> bool {
        match self {
            WorkspaceError::Sqlite(e) => e.is_busy(),
            _ => false,
        }
    }
}

/// A link saved without a time zone keeps the one it was stored with, or, new, takes the
/// machine's: what a person writing a time without an offset means.
fn with_time_zone(conn: &Connection, link: &Link, existing: Option<i64>) -> Result<Link> {
    let mut link = link.clone();
    if link.time_zone.is_some() {
        return Ok(link);
    }
    let stored: Option<String> = match existing {
        Some(id) => conn
            .query_row(
                "SELECT json_extract(definition, '$.time_zone') FROM tether_links WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten(),
        None => None,
    };
    link.time_zone = Some(stored.unwrap_or_else(crate::sync::link::machine_time_zone));
    Ok(link)
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let version = |conn: &Connection| -> Result<i64> {
        let done: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if done > known {
            return Err(WorkspaceError::TooNew {
                path: path.to_path_buf(),
                found: done,
                known,
            });
        }
        Ok(done)
    };
    if version(conn)? == known {
        return Ok(());
    }
    // Several openers may find a new file at once (the app opens the workspace from more than
    // one task): the write lock makes them take turns, and each looks again once it holds it.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let done = version(&tx)?;
    for (number, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", number as i64 + 1)?;
    }
    if (done as usize) < CAPTURE_CHANGED_AT {
        reinstall_capture(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// Regenerates the capture triggers of every stored link whose table exists.
fn reinstall_capture(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("SELECT name, definition FROM tether_links")?;
    let stored = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (name, definition) in stored {
        let link = match parse_definition(&name, &definition) {
            Ok(link) => link,
            Err(e) => {
                tracing::warn!("{e}; its capture triggers are regenerated when it is saved");
                continue;
            }
        };
        match capture::install(conn, &link.table, &link.key) {
            Ok(_) => {}
            Err(e @ (WorkspaceError::NoSuchTable(_) | WorkspaceError::NoSuchColumn { .. })) => {
                tracing::warn!("link `{name}`: {e}");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_an_older_workspace_regenerates_its_capture_triggers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("workspace.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            for (number, sql) in MIGRATIONS.iter().enumerate().take(CAPTURE_CHANGED_AT - 1) {
                tx.execute_batch(sql).unwrap();
                tx.pragma_update(None, "user_version", number as i64 + 1)
                    .unwrap();
            }
            // A link and the trigger an earlier Tether made for it, which refused empty keys.
            tx.execute_batch(
                r#"CREATE TABLE customers (id TEXT PRIMARY KEY, sf_id TEXT, name TEXT);
                   INSERT INTO tether_links (name, definition, created_at, updated_at) VALUES
                   ('customers', '{"name":"customers","connection":"c","table":"customers","key":"id","object":"Account","id_column":"sf_id","fields":[]}', 'x', 'x');
                   CREATE TRIGGER "tether_capture_customers_insert" AFTER INSERT ON customers BEGIN
                       INSERT INTO tether_changes (table_name, row_key, op)
                       VALUES ('customers', CAST(NEW.id AS TEXT), 'insert');
                   END;"#,
            )
            .unwrap();
            tx.commit().unwrap();
            assert!(
                conn.execute("INSERT INTO customers (id) VALUES (NULL)", [])
                    .is_err()
            );
        }
        let ws = Workspace::open(&path).unwrap();
        ws.conn()
            .execute(
                "INSERT INTO customers (id, name) VALUES (NULL, 'no key')",
                [],
            )
            .expect("the regenerated trigger accepts a row without a key");
    }

    #[test]
    fn runs_recorded_before_the_guard_survive_and_a_run_may_then_need_confirmation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("workspace.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", true).unwrap();
            let tx = conn.transaction().unwrap();
            for (number, sql) in MIGRATIONS.iter().enumerate().take(5) {
                tx.execute_batch(sql).unwrap();
                tx.pragma_update(None, "user_version", number as i64 + 1)
                    .unwrap();
            }
            tx.execute_batch(
                "INSERT INTO tether_runs (id, link_name, trigger, status, started_at, deleted)
                     VALUES (7, 'customers', 'cli', 'partial', '2026-01-01T00:00:00Z', 3);
                 INSERT INTO tether_run_errors (run_id, side, code, message, hint, fields, at)
                     VALUES (7, 'local', 'X', 'm', 'h', '[]', 'x');",
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let ws = Workspace::open(&path).unwrap();
        let kept: (String, i64, i64) = ws
            .conn()
            .query_row(
                "SELECT status, deleted, (SELECT count(*) FROM tether_run_errors WHERE run_id = 7)
                 FROM tether_runs WHERE id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(kept, ("partial".to_string(), 3, 1));
        ws.conn()
            .execute(
                "UPDATE tether_runs SET status = 'needs_confirmation', deletes_waiting = 25 WHERE id = 7",
                [],
            )
            .expect("the new status is allowed");
        assert!(
            ws.conn()
                .execute("UPDATE tether_runs SET status = 'done' WHERE id = 7", [])
                .is_err(),
            "the CHECK still refuses unknown statuses"
        );
        let check: String = ws
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }

    #[test]
    fn a_new_workspace_opened_by_many_at_once_is_migrated_once() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("workspace.sqlite");
            let start = std::sync::Arc::new(std::sync::Barrier::new(8));
            let openers: Vec<_> = (0..8)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        Workspace::open(&path).map(|_| ())
                    })
                })
                .collect();
            for opener in openers {
                opener
                    .join()
                    .unwrap()
                    .expect("every opener gets the workspace");
            }
            let ws = Workspace::open(&path).unwrap();
            let version: i64 = ws
                .conn()
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, MIGRATIONS.len() as i64);
        }
    }
}
