//! A run's timeline, from its row, the change log, the Salesforce images and the audit log.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::parse_time;
use crate::workspace::Result;
use crate::workspace::journal::rows::time_at;
use crate::workspace::journal::{RunRecord, Trigger};

/// What happened in a run, oldest first: start, local writes, records sent, failures, end
/// and undo, from the run row, the change log, the Salesforce images and the audit log.
pub fn run_timeline(conn: &Connection, run: &RunRecord) -> Result<Vec<(DateTime<Utc>, String)>> {
    let mut events = vec![(
        run.started_at,
        format!("Started ({})", trigger_phrase(run.trigger)),
    )];
    if let Some(undone) = run.undo_of {
        events.push((run.started_at, format!("Reverses run #{undone}")));
    }
    let (written, last_write): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), max(changed_at) FROM tether_changes WHERE run_id = ?1",
        [run.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(at) = last_write.as_deref().and_then(parse_time) {
        events.push((
            at,
            format!("Read from Salesforce: {} local rows written", written),
        ));
    }
    let (errors, first_error): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), min(at) FROM tether_run_errors WHERE run_id = ?1",
        [run.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(at) = first_error.as_deref().and_then(parse_time) {
        let noun = if errors == 1 { "record" } else { "records" };
        events.push((at, format!("{errors} {noun} failed")));
    }
    let sent: i64 = conn.query_row(
        "SELECT count(*) FROM tether_remote_images WHERE run_id = ?1 AND confirmed = 1",
        [run.id],
        |r| r.get(0),
    )?;
    let end = run.ended_at.unwrap_or(run.started_at);
    if sent > 0 {
        events.push((end, format!("Pushed {sent} records to Salesforce")));
    }
    let mut audit = conn.prepare_cached(
        "SELECT at, action, detail FROM tether_audit
         WHERE action IN ('run.finish', 'run.interrupted')
           AND (CASE WHEN json_valid(detail) THEN json_extract(detail, '$.run') END) = ?1
         ORDER BY id",
    )?;
    let entries = audit
        .query_map([run.id], |r| {
            Ok((
                time_at(r, 0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut finished = false;
    for (at, action, detail) in entries {
        let status = detail
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .and_then(|d| d["status"].as_str().map(str::to_string))
            .unwrap_or_default();
        if action == "run.interrupted" {
            events.push((at, "Interrupted: the process stopped".to_string()));
        } else {
            finished = true;
            events.push((at, format!("Finished: {}", status_phrase(&status))));
        }
    }
    if let (false, Some(ended)) = (finished, run.ended_at) {
        events.push((
            ended,
            format!("Finished: {}", status_phrase(run.status.as_str())),
        ));
    }
    if let Some(undo) = run.undone_by {
        let at: Option<String> = conn
            .query_row(
                "SELECT coalesce(ended_at, started_at) FROM tether_runs WHERE id = ?1",
                [undo],
                |r| r.get(0),
            )
            .ok();
        let at = at.as_deref().and_then(parse_time).unwrap_or(end);
        events.push((at, format!("Undone by run #{undo}")));
    }
    // Stable: what happened at the same instant keeps the order above.
    events.sort_by_key(|(at, _)| *at);
    Ok(events)
}

fn trigger_phrase(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Button => "Sync Now",
        Trigger::Schedule => "on schedule",
        Trigger::Cli => "from the command line",
        Trigger::Undo => "undo",
        Trigger::Records => "from the Records page",
    }
}

fn status_phrase(status: &str) -> String {
    match status {
        "succeeded" => "every record went through".to_string(),
        "partial" => "some records failed".to_string(),
        "failed" => "the run failed".to_string(),
        "cancelled" => "cancelled".to_string(),
        "interrupted" => "interrupted".to_string(),
        other => other.replace('_', " "),
    }
}
