//! Records that failed in a run, and the audit log read back.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;

use super::rows::{json_at, parsed, time_at};
use crate::workspace::{Result, now_text};

/// Which system refused a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Salesforce,
    Local,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Salesforce => "salesforce",
            Side::Local => "local",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        [Side::Salesforce, Side::Local]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A row as a person reads it: key `11` is "row 11"; an import names its rows "row 11" already,
/// so that key is kept as it is.
pub fn row_name(key: &str) -> String {
    if key.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("row ")) {
        key.to_string()
    } else {
        format!("row {key}")
    }
}

/// A record that failed in a run, as the engine reports it.
///
/// `payload` is what was sent for the record: its field values and nothing else. The engine
/// builds it from record values only, never from request headers or connection settings, so
/// it never holds a token or a password.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFailure {
    pub side: Side,
    pub sf_id: Option<String>,
    pub row_key: Option<String>,
    /// The Salesforce error code (`REQUIRED_FIELD_MISSING`, …) or a local one.
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
    pub payload: Option<Value>,
    /// What to do about it, in plain language.
    pub hint: String,
}

/// A failed record as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorRecord {
    pub id: i64,
    pub run_id: i64,
    pub side: Side,
    pub sf_id: Option<String>,
    pub row_key: Option<String>,
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
    pub payload: Option<Value>,
    pub hint: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: Option<String>,
}

/// Keeps a record that failed in a run.
pub fn record_error(conn: &Connection, run_id: i64, failure: &RecordFailure) -> Result<i64> {
    let fields = serde_json::to_string(&failure.fields).unwrap_or_else(|_| "[]".into());
    let payload = failure.payload.as_ref().map(Value::to_string);
    conn.prepare_cached(
        "INSERT INTO tether_run_errors
             (run_id, side, sf_id, row_key, code, message, fields, payload, hint, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        run_id,
        failure.side.as_str(),
        failure.sf_id,
        failure.row_key,
        failure.code,
        failure.message,
        fields,
        payload,
        failure.hint,
        now_text()
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The errors of one run in the order they happened, or the latest of all runs, newest first.
pub fn errors(conn: &Connection, run: Option<i64>, limit: usize) -> Result<Vec<ErrorRecord>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let order = if run.is_some() { "ASC" } else { "DESC" };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, run_id, side, sf_id, row_key, code, message, fields, payload, hint, at
         FROM tether_run_errors WHERE ?1 IS NULL OR run_id = ?1 ORDER BY id {order} LIMIT ?2"
    ))?;
    let rows = stmt
        .query_map(params![run, limit], error_record)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// An error row read in the column order `id, run_id, side, sf_id, row_key, code, message,
/// fields, payload, hint, at`; columns after those are left to the caller.
pub(crate) fn error_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<ErrorRecord> {
    Ok(ErrorRecord {
        id: r.get(0)?,
        run_id: r.get(1)?,
        side: parsed(r, 2, Side::parse)?,
        sf_id: r.get(3)?,
        row_key: r.get(4)?,
        code: r.get(5)?,
        message: r.get(6)?,
        fields: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
        payload: json_at(r, 8)?,
        hint: r.get(9)?,
        at: time_at(r, 10)?,
    })
}

/// The latest audit entries, newest first.
pub fn audit_log(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, subject, detail FROM tether_audit ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: time_at(r, 1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                detail: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::journal::tests::workspace_with_link;
    use crate::workspace::journal::{Trigger, start_run};

    #[test]
    fn a_row_is_named_once() {
        assert_eq!(row_name("11"), "row 11");
        assert_eq!(row_name("row 11"), "row 11");
        assert_eq!(row_name("Row 3"), "Row 3");
        assert_eq!(row_name("rowan"), "row rowan");
    }

    #[test]
    fn errors_keep_code_fields_payload_and_hint() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let run = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let other = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let failure = RecordFailure {
            side: Side::Salesforce,
            sf_id: None,
            row_key: Some("7".into()),
            code: "REQUIRED_FIELD_MISSING".into(),
            message: "Required fields are missing: [Name]".into(),
            fields: vec!["Name".into()],
            payload: Some(serde_json::json!({"Name": null, "Industry": "Energy"})),
            hint: "Fill in `name` for row 7, then sync again.".into(),
        };
        record_error(conn, run, &failure).unwrap();
        record_error(
            conn,
            run,
            &RecordFailure {
                side: Side::Local,
                code: "CONSTRAINT".into(),
                payload: None,
                ..failure.clone()
            },
        )
        .unwrap();
        record_error(conn, other, &failure).unwrap();

        let of_run = errors(conn, Some(run), 10).unwrap();
        assert_eq!(of_run.len(), 2);
        assert_eq!(
            of_run[0].code, "REQUIRED_FIELD_MISSING",
            "in order of occurrence"
        );
        assert_eq!(of_run[0].side, Side::Salesforce);
        assert_eq!(of_run[0].fields, vec!["Name".to_string()]);
        assert_eq!(of_run[0].payload, failure.payload);
        assert_eq!(of_run[0].hint, failure.hint);
        assert_eq!(of_run[1].side, Side::Local);
        assert_eq!(of_run[1].payload, None);

        let latest = errors(conn, None, 2).unwrap();
        assert_eq!(latest.len(), 2);
        assert_eq!(latest[0].run_id, other, "newest first");
    }
}
