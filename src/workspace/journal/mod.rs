//! The run journal: every sync run with its trigger, status and counts, the records that
//! failed in it, and the audit log read back.
//!
//! The engine writes a run in three steps: [`start_run`] when it begins, [`update_counts`] as it
//! goes (so a progress view and a killed run both show how far it got) and [`finish_run`] at
//! the end. A run still `running` in the journal after its process died is turned into
//! `interrupted` by [`mark_interrupted`].

use std::ops::{Add, AddAssign};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

mod errors;
mod lifecycle;
pub mod pages;
mod rows;
pub mod scope;

pub use errors::{
    AuditEntry, ErrorRecord, RecordFailure, Side, audit_log, errors, record_error, row_name,
};
pub use lifecycle::{
    ErrorLifecycle, ErrorStatus, FailedRecord, open_error_counts, open_errors, resolve_errors,
};
pub(in crate::workspace) use rows::{atomically, json_at, optional_time_at, parsed, time_at};

use super::{Result, WorkspaceError, audit, now_text};

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The Sync button in the app.
    Button,
    /// The link's own schedule.
    Schedule,
    /// `tether sync`.
    Cli,
    /// `tether undo`: the run reverses another one.
    Undo,
    /// A write from the Records page (or `tether records`): one record created, edited or
    /// deleted.
    Records,
}

impl Trigger {
    pub const ALL: [Trigger; 5] = [
        Trigger::Button,
        Trigger::Schedule,
        Trigger::Cli,
        Trigger::Undo,
        Trigger::Records,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Button => "button",
            Trigger::Schedule => "schedule",
            Trigger::Cli => "cli",
            Trigger::Undo => "undo",
            Trigger::Records => "records",
        }
    }

    pub fn parse(text: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    /// Every record went through.
    Succeeded,
    /// The run finished but some records failed; they are retried by the next run.
    Partial,
    /// The run stopped on an error that concerns the whole link.
    Failed,
    /// A person stopped the run; it stopped at a consistent point.
    Cancelled,
    /// The process died while the run was going; the next run resumes it.
    Interrupted,
    /// The run stopped before writing because it would delete more than the guard allows;
    /// it waits for a person to allow the deletes.
    NeedsConfirmation,
}

impl RunStatus {
    pub const ALL: [RunStatus; 7] = [
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Partial,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Interrupted,
        RunStatus::NeedsConfirmation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
            RunStatus::NeedsConfirmation => "needs_confirmation",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How much a run did. Counts are of records, except `api_calls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RunCounts {
    pub processed: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub failed: u64,
    pub conflicts: u64,
    pub api_calls: u64,
    /// Rows left unsynced because their key column is empty: not failures of the run, but
    /// rows the user should give a key.
    pub keyless: u64,
    /// Deletes a run planned but did not make, because they exceed the mass-delete guard.
    pub deletes_waiting: u64,
}

impl RunCounts {
    fn as_array(&self) -> [u64; 9] {
        [
            self.processed,
            self.created,
            self.updated,
            self.deleted,
            self.failed,
            self.conflicts,
            self.api_calls,
            self.keyless,
            self.deletes_waiting,
        ]
    }

    fn from_array(a: [u64; 9]) -> RunCounts {
        RunCounts {
            processed: a[0],
            created: a[1],
            updated: a[2],
            deleted: a[3],
            failed: a[4],
            conflicts: a[5],
            api_calls: a[6],
            keyless: a[7],
            deletes_waiting: a[8],
        }
    }
}

impl AddAssign for RunCounts {
    fn add_assign(&mut self, other: RunCounts) {
        let mut sum = self.as_array();
        for (s, o) in sum.iter_mut().zip(other.as_array()) {
            *s = s.saturating_add(o);
        }
        *self = RunCounts::from_array(sum);
    }
}

impl Add for RunCounts {
    type Output = RunCounts;

    fn add(mut self, other: RunCounts) -> RunCounts {
        self += other;
        self
    }
}

/// One run as the journal holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: i64,
    /// `None` once the link has been deleted; `link_name` still says which it was.
    pub link_id: Option<i64>,
    pub link_name: String,
    pub trigger: Trigger,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    /// `None` while running, and for an interrupted run, whose end nobody saw.
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub counts: RunCounts,
    pub message: Option<String>,
    /// For an undo run, the run it reverses.
    pub undo_of: Option<i64>,
    /// The undo run that reversed this one.
    pub undone_by: Option<i64>,
    /// For a run of some records only, which: "key ACME-1", "3 records: …".
    pub scope: Option<String>,
}

impl RunRecord {
    pub fn duration(&self) -> Option<chrono::Duration> {
        self.ended_at.map(|end| end - self.started_at)
    }
}

/// Records a new run as `running` and returns its id.
pub fn start_run(
    conn: &Connection,
    link_id: i64,
    link_name: &str,
    trigger: Trigger,
    undo_of: Option<i64>,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO tether_runs (link_id, link_name, trigger, status, started_at, undo_of)
         VALUES (?1, ?2, ?3, 'running', ?4, ?5)",
        params![link_id, link_name, trigger.as_str(), now_text(), undo_of],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records a new run that belongs to no link (a spreadsheet import, or its undo) as
/// `running`; `name` is what the history shows in place of a link.
pub fn start_unlinked_run(
    conn: &Connection,
    name: &str,
    trigger: Trigger,
    undo_of: Option<i64>,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO tether_runs (link_id, link_name, trigger, status, started_at, undo_of)
         VALUES (NULL, ?1, ?2, 'running', ?3, ?4)",
        params![name, trigger.as_str(), now_text(), undo_of],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records the counts so far of a run that is still going.
pub fn update_counts(conn: &Connection, run_id: i64, counts: &RunCounts) -> Result<()> {
    let c = counts_params(counts);
    let changed = conn.execute(
        "UPDATE tether_runs SET processed = ?2, created = ?3, updated = ?4, deleted = ?5,
             failed = ?6, conflicts = ?7, api_calls = ?8, keyless = ?9,
             deletes_waiting = ?10
         WHERE id = ?1",
        params![run_id, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]],
    )?;
    if changed == 0 {
        return Err(WorkspaceError::NoSuchRun(run_id));
    }
    Ok(())
}

/// Ends a run with its final status and counts, and logs it in the audit log.
pub fn finish_run(
    conn: &Connection,
    run_id: i64,
    status: RunStatus,
    counts: &RunCounts,
    message: Option<&str>,
) -> Result<()> {
    atomically(conn, |conn| {
        let c = counts_params(counts);
        let changed = conn.execute(
            "UPDATE tether_runs SET status = ?2, ended_at = ?3, processed = ?4, created = ?5,
                 updated = ?6, deleted = ?7, failed = ?8, conflicts = ?9, api_calls = ?10,
                 message = ?11, keyless = ?12, deletes_waiting = ?13
             WHERE id = ?1",
            params![
                run_id,
                status.as_str(),
                now_text(),
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5],
                c[6],
                message,
                c[7],
                c[8]
            ],
        )?;
        if changed == 0 {
            return Err(WorkspaceError::NoSuchRun(run_id));
        }
        let (link_name, trigger): (String, String) = conn.query_row(
            "SELECT link_name, trigger FROM tether_runs WHERE id = ?1",
            [run_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let detail = serde_json::json!({
            "run": run_id,
            "status": status.as_str(),
            "counts": counts,
            "message": message,
        });
        audit(
            conn,
            &trigger,
            "run.finish",
            &link_name,
            Some(&detail.to_string()),
        )
    })
}

/// What an interrupted run says about itself.
pub const INTERRUPTED_MESSAGE: &str = "The process stopped before this run finished. Nothing is lost: \
     the next sync of this link picks up every change this run had not committed.";

/// Turns every run still `running` into `interrupted` and returns how many there were.
///
/// The journal does not know which process a run belongs to, so this treats every `running`
/// run as dead. The engine calls it only while it holds the link's lock, when no other run of
/// that link can be going; calling it anywhere else would mark live runs as interrupted.
pub fn mark_interrupted(conn: &Connection) -> Result<usize> {
    atomically(conn, |conn| {
        let mut stmt = conn.prepare(
            "SELECT id, link_name, trigger FROM tether_runs WHERE status = 'running' ORDER BY id",
        )?;
        let running = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, link_name, trigger) in &running {
            conn.execute(
                "UPDATE tether_runs SET status = 'interrupted', message = ?2 WHERE id = ?1",
                params![id, INTERRUPTED_MESSAGE],
            )?;
            let detail = serde_json::json!({ "run": id, "status": "interrupted" });
            audit(
                conn,
                trigger,
                "run.interrupted",
                link_name,
                Some(&detail.to_string()),
            )?;
        }
        Ok(running.len())
    })
}

/// Records that `undo_run` reversed `run_id`.
pub fn set_undone_by(conn: &Connection, run_id: i64, undo_run: i64) -> Result<()> {
    let changed = conn.execute(
        "UPDATE tether_runs SET undone_by = ?2 WHERE id = ?1",
        params![run_id, undo_run],
    )?;
    if changed == 0 {
        return Err(WorkspaceError::NoSuchRun(run_id));
    }
    Ok(())
}

const RUN_COLUMNS: &str = "id, link_id, link_name, trigger, status, started_at, ended_at,
    processed, created, updated, deleted, failed, conflicts, api_calls, message, undo_of,
    undone_by, keyless, deletes_waiting, scope";

/// The latest runs, newest first, of one link (by name) or of all.
pub fn runs(conn: &Connection, link: Option<&str>, limit: usize) -> Result<Vec<RunRecord>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM tether_runs
         WHERE ?1 IS NULL OR link_name = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt
        .query_map(params![link, limit], row_to_run)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn run(conn: &Connection, id: i64) -> Result<Option<RunRecord>> {
    Ok(conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM tether_runs WHERE id = ?1"),
            [id],
            row_to_run,
        )
        .optional()?)
}

fn row_to_run(r: &Row<'_>) -> rusqlite::Result<RunRecord> {
    // The counts sit at 7..=13, and those added later (`keyless`, `deletes_waiting`) at the end.
    let mut counts = [0u64; 9];
    for (i, count) in counts.iter_mut().enumerate() {
        let at = if i < 7 { 7 + i } else { 10 + i };
        *count = u64::try_from(r.get::<_, i64>(at)?).unwrap_or(0);
    }
    Ok(RunRecord {
        id: r.get(0)?,
        link_id: r.get(1)?,
        link_name: r.get(2)?,
        trigger: parsed(r, 3, Trigger::parse)?,
        status: parsed(r, 4, RunStatus::parse)?,
        started_at: time_at(r, 5)?,
        ended_at: optional_time_at(r, 6)?,
        counts: RunCounts::from_array(counts),
        message: r.get(14)?,
        undo_of: r.get(15)?,
        undone_by: r.get(16)?,
        scope: r.get(19)?,
    })
}

fn counts_params(counts: &RunCounts) -> [i64; 9] {
    counts
        .as_array()
        .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::Value;

    use super::*;
    use crate::sync::link::{FieldMapping, Link, MatchKey};
    use crate::sync::plan::Direction;
    use crate::workspace::Workspace;

    /// A workspace in a temporary directory with a `customers` table and a link `customers`
    /// on it; returns the link's id.
    pub(crate) fn workspace_with_link() -> (tempfile::TempDir, Workspace, i64) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut ws = Workspace::open(&dir.path().join("workspace.sqlite")).expect("workspace");
        ws.conn()
            .execute_batch(
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, sf_id TEXT);
                 INSERT INTO customers (id, name, sf_id) VALUES (1, 'Acme', '001000000000001AAA');",
            )
            .expect("table");
        let link = Link {
            name: "customers".into(),
            connection: "main".into(),
            table: "customers".into(),
            key: "id".into(),
            object: "Account".into(),
            id_column: "sf_id".into(),
            match_on: MatchKey::SalesforceId,
            create_unmatched: false,
            fields: vec![FieldMapping::column("name", "Name", Direction::Both)],
            pull_filter: None,
            push_filter: None,
            policy: Default::default(),
            deletes: Default::default(),
            archive_column: None,
            schedule: Default::default(),
            strategy: Default::default(),
            time_zone: None,
        };
        let id = ws.save_link(&link, "test").expect("link saved");
        (dir, ws, id)
    }

    #[test]
    fn names_match_the_schema_check_constraints() {
        for t in Trigger::ALL {
            assert_eq!(Trigger::parse(t.as_str()), Some(t));
        }
        for s in RunStatus::ALL {
            assert_eq!(RunStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(Trigger::parse("manual"), None);
        assert_eq!(RunStatus::parse("done"), None);
        // Every name is accepted by the CHECK constraints.
        let (_dir, ws, link) = workspace_with_link();
        for t in Trigger::ALL {
            let run = start_run(ws.conn(), link, "customers", t, None).expect("start");
            for s in RunStatus::ALL {
                finish_run(ws.conn(), run, s, &RunCounts::default(), None).expect("finish");
            }
        }
    }

    #[test]
    fn counts_add_field_by_field() {
        let a = RunCounts {
            processed: 3,
            created: 1,
            api_calls: 2,
            ..Default::default()
        };
        let b = RunCounts {
            processed: 4,
            failed: 1,
            conflicts: 2,
            api_calls: u64::MAX,
            ..Default::default()
        };
        let sum = a + b;
        assert_eq!(sum.processed, 7);
        assert_eq!(sum.created, 1);
        assert_eq!(sum.failed, 1);
        assert_eq!(sum.conflicts, 2);
        assert_eq!(sum.api_calls, u64::MAX, "saturates rather than wrapping");
    }

    #[test]
    fn a_run_is_started_updated_finished_and_audited() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let run = start_run(conn, link, "customers", Trigger::Cli, None).expect("start");
        let started = super::run(conn, run).expect("read").expect("exists");
        assert_eq!(started.status, RunStatus::Running);
        assert_eq!(started.ended_at, None);
        assert_eq!(started.link_id, Some(link));

        let progress = RunCounts {
            processed: 10,
            api_calls: 1,
            ..Default::default()
        };
        update_counts(conn, run, &progress).expect("progress");
        assert_eq!(super::run(conn, run).unwrap().unwrap().counts, progress);

        let done = RunCounts {
            processed: 12,
            created: 2,
            updated: 5,
            deleted: 1,
            failed: 1,
            conflicts: 3,
            api_calls: 4,
            keyless: 2,
            deletes_waiting: 0,
        };
        finish_run(
            conn,
            run,
            RunStatus::Partial,
            &done,
            Some("1 record failed"),
        )
        .expect("end");
        let finished = super::run(conn, run).unwrap().unwrap();
        assert_eq!(finished.status, RunStatus::Partial);
        assert_eq!(finished.counts, done);
        assert_eq!(finished.message.as_deref(), Some("1 record failed"));
        assert!(
            finished
                .duration()
                .is_some_and(|d| d >= chrono::Duration::zero())
        );

        let entry = &audit_log(conn, 1).expect("audit")[0];
        assert_eq!(entry.action, "run.finish");
        assert_eq!(entry.actor, "cli");
        assert_eq!(entry.subject, "customers");
        let detail: Value = serde_json::from_str(entry.detail.as_deref().unwrap()).unwrap();
        assert_eq!(detail["run"], run);
        assert_eq!(detail["counts"]["conflicts"], 3);
    }

    #[test]
    fn unknown_runs_are_reported() {
        let (_dir, ws, _link) = workspace_with_link();
        let conn = ws.conn();
        let counts = RunCounts::default();
        assert!(matches!(
            update_counts(conn, 99, &counts),
            Err(WorkspaceError::NoSuchRun(99))
        ));
        assert!(matches!(
            finish_run(conn, 99, RunStatus::Failed, &counts, None),
            Err(WorkspaceError::NoSuchRun(99))
        ));
        assert!(matches!(
            set_undone_by(conn, 99, 1),
            Err(WorkspaceError::NoSuchRun(99))
        ));
        assert_eq!(super::run(conn, 99).unwrap(), None);
    }

    #[test]
    fn running_runs_become_interrupted_and_finished_ones_stay() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let done = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        finish_run(
            conn,
            done,
            RunStatus::Succeeded,
            &RunCounts::default(),
            None,
        )
        .unwrap();
        let killed = start_run(conn, link, "customers", Trigger::Schedule, None).unwrap();

        assert_eq!(mark_interrupted(conn).unwrap(), 1);
        let run = super::run(conn, killed).unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Interrupted);
        assert!(run.message.unwrap().contains("next sync"));
        assert_eq!(
            super::run(conn, done).unwrap().unwrap().status,
            RunStatus::Succeeded
        );
        assert_eq!(audit_log(conn, 1).unwrap()[0].action, "run.interrupted");
        assert_eq!(mark_interrupted(conn).unwrap(), 0, "nothing left running");
    }

    #[test]
    fn runs_are_listed_newest_first_and_by_link() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let first = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let second = start_run(conn, link, "customers", Trigger::Button, None).unwrap();
        let undo = start_run(conn, link, "customers", Trigger::Undo, Some(first)).unwrap();
        set_undone_by(conn, first, undo).unwrap();

        let ids: Vec<i64> = runs(conn, None, 10).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![undo, second, first]);
        assert_eq!(runs(conn, Some("customers"), 2).unwrap().len(), 2);
        assert!(runs(conn, Some("leads"), 10).unwrap().is_empty());

        let first = super::run(conn, first).unwrap().unwrap();
        assert_eq!(first.undone_by, Some(undo));
        assert_eq!(
            super::run(conn, undo).unwrap().unwrap().undo_of,
            Some(first.id)
        );
    }
}
