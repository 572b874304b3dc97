//! A workspace with a long past: many runs and failed records spread over the last weeks, as
//! years of scheduled syncs leave them. Written straight into the journal's tables (their
//! layout is the documented contract of `schema_v1.sql`) because a million journal calls
//! would take longer than the measurement itself.

use std::path::Path;

use anyhow::Context;
use chrono::{Duration, Utc};
use rusqlite::params;

use tether::workspace::Workspace;

/// Error codes with a message and the field concerned, as Salesforce returns them.
const FAILURES: [(&str, &str, &str); 5] = [
    (
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [Name]",
        "Name",
    ),
    (
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "Industry: bad value for restricted picklist field: Aerospace",
        "Industry",
    ),
    (
        "STRING_TOO_LONG",
        "Phone: data value too large: 0123456789012345678901234567890123456789",
        "Phone",
    ),
    (
        "UNABLE_TO_LOCK_ROW",
        "unable to obtain exclusive access to this record",
        "Id",
    ),
    (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Health score must be between 0 and 100",
        "Health_Score__c",
    ),
];

const LINKS: [&str; 3] = [
    "archive-accounts",
    "archive-contacts",
    "archive-opportunities",
];

/// Adds `runs` runs and `errors` failed records, spread over the last `days` days.
pub fn fill(path: &Path, runs: u64, errors: u64, days: i64) -> anyhow::Result<()> {
    let mut ws = Workspace::open(path).context("cannot open the benchmark workspace")?;
    let tx = ws.conn_mut().transaction()?;
    {
        let mut insert_run = tx.prepare(
            "INSERT INTO tether_runs (link_id, link_name, trigger, status, started_at, ended_at,
                 processed, created, updated, deleted, failed, conflicts, api_calls, message)
             VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, 0, ?10, ?11)",
        )?;
        let mut insert_error = tx.prepare(
            "INSERT INTO tether_run_errors (run_id, side, sf_id, row_key, code, message, fields,
                 payload, hint, at)
             VALUES (?1, 'salesforce', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let hints: Vec<String> = FAILURES
            .iter()
            .map(|(code, message, field)| {
                tether::sync::hints::hint(code, &[field.to_string()], message)
            })
            .collect();
        let now = Utc::now();
        let span = Duration::days(days.max(1));
        let per_run_errors = errors.div_ceil(runs.max(1));
        let mut written_errors = 0u64;
        for n in 0..runs {
            let started = now - span + span * (n as i32) / (runs.max(1) as i32);
            let ended = started + Duration::seconds(4 + (n % 50) as i64);
            let failed = per_run_errors.min(errors - written_errors);
            let updated = 40 + n % 400;
            let status = if failed > 0 { "partial" } else { "succeeded" };
            let trigger = if n % 7 == 0 { "button" } else { "schedule" };
            insert_run.execute(params![
                LINKS[(n % 3) as usize],
                trigger,
                status,
                text(started),
                text(ended),
                (updated + failed) as i64,
                (n % 5) as i64,
                updated as i64,
                failed as i64,
                (3 + n % 4) as i64,
                (failed > 0).then(|| format!("{failed} records failed")),
            ])?;
            let run_id = tx.last_insert_rowid();
            for e in 0..failed {
                let which = ((n + e) % FAILURES.len() as u64) as usize;
                let (code, message, field) = FAILURES[which];
                let sf_id = format!("001{:015}", n * 16 + e);
                let key = format!("row-{}", written_errors + e);
                let payload = format!(r#"{{"Id":"{sf_id}","{field}":"value {e}"}}"#);
                insert_error.execute(params![
                    run_id,
                    sf_id,
                    key,
                    code,
                    message,
                    format!(r#"["{field}"]"#),
                    payload,
                    hints[which],
                    text(ended),
                ])?;
            }
            written_errors += failed;
        }
    }
    tx.commit()?;
    Ok(())
}

fn text(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
