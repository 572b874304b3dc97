//! The review queue: fields that both sides changed under the manual-review policy.
//!
//! While a conflict is open the engine writes neither side of that field. A person resolves
//! it by choosing a side; the choice is carried out by the next sync, through the base (see
//! [`resolve`]), so that it goes through the same confirmed-write path as every other change.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::journal::{atomically, json_at, optional_time_at, parsed, time_at};
use super::{Result, WorkspaceError, audit, base, now_text, reread};
use crate::sync::plan::{Conflict, WHOLE_RECORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStatus {
    Open,
    KeptLocal,
    KeptSalesforce,
    /// Both sides came to the same value before anyone decided.
    Agreed,
}

impl ConflictStatus {
    pub const ALL: [ConflictStatus; 4] = [
        ConflictStatus::Open,
        ConflictStatus::KeptLocal,
        ConflictStatus::KeptSalesforce,
        ConflictStatus::Agreed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConflictStatus::Open => "open",
            ConflictStatus::KeptLocal => "kept_local",
            ConflictStatus::KeptSalesforce => "kept_salesforce",
            ConflictStatus::Agreed => "agreed",
        }
    }

    pub fn parse(text: &str) -> Option<ConflictStatus> {
        ConflictStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Which side's value a person keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Local,
    Salesforce,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictRecord {
    pub id: i64,
    pub link_id: i64,
    pub sf_id: String,
    pub row_key: Option<String>,
    /// The Salesforce field.
    pub field: String,
    /// `None` when the side has no value at all (not even null).
    pub base: Option<Value>,
    pub local: Option<Value>,
    pub remote: Option<Value>,
    pub detected_run: Option<i64>,
    pub detected_at: DateTime<Utc>,
    pub status: ConflictStatus,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl ConflictRecord {
    /// One side as people read it: "(deleted)" for the side that deleted the record, or the
    /// value (the edited fields, for the side that kept a deleted record).
    pub fn side_text(&self, side: Keep) -> String {
        if self.deleted_side() == Some(side) {
            return "(deleted)".to_string();
        }
        match side {
            Keep::Local => value_text(self.local.as_ref()),
            Keep::Salesforce => value_text(self.remote.as_ref()),
        }
    }

    /// The two choices as buttons and messages name them, in the order (local, Salesforce).
    pub fn choices(&self) -> [(Keep, &'static str); 2] {
        match self.deleted_side() {
            Some(Keep::Local) => [
                (Keep::Local, "the delete"),
                (Keep::Salesforce, "the record"),
            ],
            Some(Keep::Salesforce) => [
                (Keep::Local, "the record"),
                (Keep::Salesforce, "the delete"),
            ],
            None => [(Keep::Local, "local"), (Keep::Salesforce, "Salesforce")],
        }
    }

    /// For a record one side deleted while the other edited it, the side that deleted it.
    pub fn deleted_side(&self) -> Option<Keep> {
        if self.field != WHOLE_RECORD {
            return None;
        }
        match (&self.local, &self.remote) {
            (None, Some(_)) => Some(Keep::Local),
            (Some(_), None) => Some(Keep::Salesforce),
            _ => None,
        }
    }
}

/// A value as people read it: text unquoted, nothing as "(no value)", null as "(empty)",
/// several fields as `Field: value` pairs.
pub fn value_text(value: Option<&Value>) -> String {
    match value {
        None => "(no value)".to_string(),
        Some(Value::Null) => "(empty)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(fields)) => fields
            .iter()
            .map(|(field, v)| format!("{field}: {}", value_text(Some(v))))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

const COLUMNS: &str = "id, link_id, sf_id, row_key, field, base, local, remote, detected_run,
    detected_at, status, resolved_at";

fn json_text(value: Option<&Value>) -> Option<String> {
    value.map(Value::to_string)
}

/// Queues a conflict, or refreshes the values of the one already open for the same record
/// and field. A refreshed conflict keeps the run and time it was first detected in.
pub fn record_open(
    conn: &Connection,
    link_id: i64,
    sf_id: &str,
    row_key: Option<&str>,
    conflict: &Conflict,
    run_id: Option<i64>,
) -> Result<i64> {
    let id = conn
        .prepare_cached(
            "INSERT INTO tether_conflicts
                 (link_id, sf_id, row_key, field, base, local, remote, detected_run, detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (link_id, sf_id, field) WHERE status = 'open' DO UPDATE SET
                 row_key = excluded.row_key, base = excluded.base, local = excluded.local,
                 remote = excluded.remote
             RETURNING id",
        )?
        .query_row(
            params![
                link_id,
                sf_id,
                row_key,
                conflict.field,
                json_text(conflict.base.as_ref()),
                json_text(conflict.local.as_ref()),
                json_text(conflict.remote.as_ref()),
                run_id,
                now_text()
            ],
            |r| r.get(0),
        )?;
    Ok(id)
}

/// Open conflicts, oldest first, of one link or of all.
pub fn open(conn: &Connection, link_id: Option<i64>) -> Result<Vec<ConflictRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM tether_conflicts
         WHERE status = 'open' AND (?1 IS NULL OR link_id = ?1) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([link_id], row_to_conflict)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ConflictRecord>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM tether_conflicts WHERE id = ?1"),
            [id],
            row_to_conflict,
        )
        .optional()?)
}

/// The (Salesforce Id, field) pairs of a link that the engine must not write.
pub fn open_keys(conn: &Connection, link_id: i64) -> Result<HashSet<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sf_id, field FROM tether_conflicts WHERE link_id = ?1 AND status = 'open'",
    )?;
    let keys = stmt
        .query_map([link_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<HashSet<_>>>()?;
    Ok(keys)
}

/// Closes every open conflict of a record that is gone from both sides: nothing is left to
/// disagree on.
pub fn close_record(conn: &Connection, link_id: i64, sf_id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tether_conflicts SET status = 'agreed', resolved_at = ?3
         WHERE link_id = ?1 AND sf_id = ?2 AND status = 'open'",
    )?
    .execute(params![link_id, sf_id, now_text()])?;
    Ok(())
}

/// Closes the open conflict on a field whose two sides now hold the same value. Returns
/// whether there was one.
pub fn mark_agreed(conn: &Connection, link_id: i64, sf_id: &str, field: &str) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE tether_conflicts SET status = 'agreed', resolved_at = ?4
         WHERE link_id = ?1 AND sf_id = ?2 AND field = ?3 AND status = 'open'",
        params![link_id, sf_id, field, now_text()],
    )?;
    Ok(changed > 0)
}

/// Records a person's decision and returns the resolved conflict.
///
/// Nothing is written to either side here. Instead the base of the field is set so that only
/// the kept side looks changed: keeping local sets the base to the Salesforce value, so the
/// next sync sees a local change and pushes it; keeping Salesforce sets it to the local value,
/// so the next sync pulls. The record is queued to be read again by Id, so the next sync
/// compares with Salesforce's current value however long ago it changed. Should either side
/// change again meanwhile, the next sync sees a new conflict rather than overwriting it. The engine must not move this base itself until the
/// decision has been carried out by a confirmed write.
pub fn resolve(conn: &Connection, id: i64, keep: Keep, actor: &str) -> Result<ConflictRecord> {
    atomically(conn, |conn| {
        let conflict = get(conn, id)?.ok_or(WorkspaceError::NoSuchConflict(id))?;
        if conflict.status != ConflictStatus::Open {
            return Err(WorkspaceError::ConflictNotOpen {
                id,
                status: conflict.status.as_str().replace('_', " "),
            });
        }
        let (status, agreed) = match keep {
            Keep::Local => (ConflictStatus::KeptLocal, conflict.remote.as_ref()),
            Keep::Salesforce => (ConflictStatus::KeptSalesforce, conflict.local.as_ref()),
        };
        let reason = match conflict.deleted_side() {
            None => {
                move_base(conn, &conflict, agreed)?;
                reread::Reason::Decision
            }
            // Keeping the delete: the edits count as agreed, so the next run carries the
            // delete over to the side that still has the record.
            Some(deleter) if deleter == keep => {
                let edited = conflict.local.as_ref().or(conflict.remote.as_ref());
                for (field, value) in edited.and_then(Value::as_object).into_iter().flatten() {
                    base::set_field(conn, conflict.link_id, &conflict.sf_id, field, Some(value))?;
                }
                reread::Reason::Decision
            }
            Some(_) => reread::Reason::KeepRecord,
        };
        // The base now says which side is kept; the next run must compare it with what
        // Salesforce holds now, not with what it held when the conflict was found.
        reread::queue(conn, conflict.link_id, &conflict.sf_id, reason)?;
        conn.execute(
            "UPDATE tether_conflicts SET status = ?2, resolved_at = ?3 WHERE id = ?1",
            params![id, status.as_str(), now_text()],
        )?;
        let detail = serde_json::json!({
            "conflict": id,
            "link_id": conflict.link_id,
            "sf_id": conflict.sf_id,
            "field": conflict.field,
            "kept": status.as_str(),
        });
        audit(
            conn,
            actor,
            "conflict.resolve",
            &format!("{}.{}", conflict.sf_id, conflict.field),
            Some(&detail.to_string()),
        )?;
        get(conn, id)?.ok_or(WorkspaceError::NoSuchConflict(id))
    })
}

/// Sets the base of the conflict's field. A record first matched with a conflict may have no
/// base yet; it gets one holding just this field, so the decision is not lost. Its other
/// fields then compare with no agreed value: a side without a value counts as unchanged.
fn move_base(conn: &Connection, conflict: &ConflictRecord, agreed: Option<&Value>) -> Result<()> {
    if base::get(conn, conflict.link_id, &conflict.sf_id)?.is_none() {
        let fields = [(
            conflict.field.clone(),
            agreed.cloned().unwrap_or(Value::Null),
        )]
        .into_iter()
        .collect();
        let record = base::BaseRecord {
            sf_id: conflict.sf_id.clone(),
            row_key: conflict.row_key.clone(),
            fields,
            remote_modstamp: None,
            remote_deleted: false,
        };
        return base::put(conn, conflict.link_id, &record);
    }
    base::set_field(
        conn,
        conflict.link_id,
        &conflict.sf_id,
        &conflict.field,
        agreed,
    )
}

fn row_to_conflict(r: &Row<'_>) -> rusqlite::Result<ConflictRecord> {
    Ok(ConflictRecord {
        id: r.get(0)?,
        link_id: r.get(1)?,
        sf_id: r.get(2)?,
        row_key: r.get(3)?,
        field: r.get(4)?,
        base: json_at(r, 5)?,
        local: json_at(r, 6)?,
        remote: json_at(r, 7)?,
        detected_run: r.get(8)?,
        detected_at: time_at(r, 9)?,
        status: parsed(r, 10, ConflictStatus::parse)?,
        resolved_at: optional_time_at(r, 11)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sync::plan::Values;
    use crate::workspace::base::BaseRecord;
    use crate::workspace::journal::tests::workspace_with_link;
    use crate::workspace::journal::{self, Trigger};

    const SF_ID: &str = "001000000000001AAA";

    fn name_conflict(local: &str, remote: &str) -> Conflict {
        Conflict {
            field: "Name".into(),
            base: Some(json!("Acme")),
            local: Some(json!(local)),
            remote: Some(json!(remote)),
        }
    }

    fn put_base(conn: &Connection, link: i64) {
        let fields: Values = [("Name".to_string(), json!("Acme"))].into_iter().collect();
        base::put(
            conn,
            link,
            &BaseRecord {
                sf_id: SF_ID.into(),
                row_key: Some("1".into()),
                fields,
                remote_modstamp: None,
                remote_deleted: false,
            },
        )
        .unwrap();
    }

    #[test]
    fn one_open_conflict_per_record_and_field() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let run = journal::start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let first = record_open(
            conn,
            link,
            SF_ID,
            Some("1"),
            &name_conflict("Acme Ltd", "ACME"),
            Some(run),
        )
        .unwrap();
        let again = record_open(
            conn,
            link,
            SF_ID,
            Some("1"),
            &name_conflict("Acme Ltd.", "ACME"),
            None,
        )
        .unwrap();
        assert_eq!(
            first, again,
            "the open conflict is refreshed, not duplicated"
        );

        let queued = open(conn, Some(link)).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].local, Some(json!("Acme Ltd.")), "latest values");
        assert_eq!(queued[0].detected_run, Some(run), "first detection kept");
        assert_eq!(queued[0].status, ConflictStatus::Open);
        assert_eq!(
            open_keys(conn, link).unwrap(),
            HashSet::from([(SF_ID.to_string(), "Name".to_string())])
        );

        let other_field = Conflict {
            field: "Industry".into(),
            base: None,
            local: Some(Value::Null),
            remote: Some(json!("Energy")),
        };
        record_open(conn, link, SF_ID, Some("1"), &other_field, None).unwrap();
        let queued = open(conn, None).unwrap();
        assert_eq!(queued.len(), 2);
        assert_eq!(queued[1].base, None, "absent stays distinct from null");
        assert_eq!(queued[1].local, Some(Value::Null));
    }

    #[test]
    fn an_agreed_conflict_leaves_the_queue_and_a_new_one_can_open() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let first = record_open(conn, link, SF_ID, None, &name_conflict("a", "b"), None).unwrap();
        assert!(mark_agreed(conn, link, SF_ID, "Name").unwrap());
        assert!(
            !mark_agreed(conn, link, SF_ID, "Name").unwrap(),
            "only once"
        );
        assert!(open(conn, Some(link)).unwrap().is_empty());
        assert!(open_keys(conn, link).unwrap().is_empty());
        let closed = get(conn, first).unwrap().unwrap();
        assert_eq!(closed.status, ConflictStatus::Agreed);
        assert!(closed.resolved_at.is_some());

        let second = record_open(conn, link, SF_ID, None, &name_conflict("c", "d"), None).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn keeping_a_side_moves_the_base_to_the_other_side() {
        let cases = [
            (Keep::Local, ConflictStatus::KeptLocal, "ACME"),
            (Keep::Salesforce, ConflictStatus::KeptSalesforce, "Acme Ltd"),
        ];
        for (keep, status, new_base) in cases {
            let (_dir, ws, link) = workspace_with_link();
            let conn = ws.conn();
            put_base(conn, link);
            let id = record_open(
                conn,
                link,
                SF_ID,
                Some("1"),
                &name_conflict("Acme Ltd", "ACME"),
                None,
            )
            .unwrap();

            let resolved = resolve(conn, id, keep, "alice").unwrap();
            assert_eq!(resolved.status, status);
            assert!(resolved.resolved_at.is_some());
            let base = base::get(conn, link, SF_ID).unwrap().unwrap();
            assert_eq!(base.fields["Name"], json!(new_base), "{keep:?}");
            assert!(open_keys(conn, link).unwrap().is_empty());

            let entry = &journal::audit_log(conn, 1).unwrap()[0];
            assert_eq!(entry.action, "conflict.resolve");
            assert_eq!(entry.actor, "alice");
            assert!(entry.detail.as_deref().unwrap().contains(status.as_str()));
        }
    }

    #[test]
    fn a_record_without_a_base_gets_one_holding_the_decision() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let first_match = Conflict {
            base: None,
            ..name_conflict("Acme Ltd", "ACME")
        };
        let id = record_open(conn, link, SF_ID, Some("1"), &first_match, None).unwrap();
        resolve(conn, id, Keep::Salesforce, "alice").unwrap();
        let base = base::get(conn, link, SF_ID).unwrap().expect("a base now");
        assert_eq!(base.row_key.as_deref(), Some("1"));
        assert_eq!(
            base.fields,
            [("Name".to_string(), json!("Acme Ltd"))]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn only_open_conflicts_can_be_resolved() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        put_base(conn, link);
        let id = record_open(conn, link, SF_ID, None, &name_conflict("a", "b"), None).unwrap();
        resolve(conn, id, Keep::Local, "alice").unwrap();

        let err = resolve(conn, id, Keep::Salesforce, "bob").unwrap_err();
        assert!(
            matches!(err, WorkspaceError::ConflictNotOpen { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("kept local"), "{err}");
        let base = base::get(conn, link, SF_ID).unwrap().unwrap();
        assert_eq!(base.fields["Name"], json!("b"), "the first decision stands");

        assert!(matches!(
            resolve(conn, 404, Keep::Local, "bob"),
            Err(WorkspaceError::NoSuchConflict(404))
        ));
    }
}
