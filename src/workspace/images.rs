//! Before- and after-images of the writes a run makes in Salesforce, kept so the run can be
//! undone.
//!
//! An image is written as an intent, in one transaction with the rest of its batch, before
//! the request is sent; it is confirmed once Salesforce has answered. A run killed between the
//! two leaves unconfirmed intents, which tell the undo which records the run may have touched.

use rusqlite::{Connection, Row, params};
use serde::Serialize;

use chrono::{DateTime, Utc};

use super::journal::{atomically, json_at, parsed, time_at};
use super::{Result, WorkspaceError};
use crate::sync::plan::Values;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteOp {
    Create,
    Update,
    Delete,
}

impl RemoteOp {
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteOp::Create => "create",
            RemoteOp::Update => "update",
            RemoteOp::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<RemoteOp> {
        [RemoteOp::Create, RemoteOp::Update, RemoteOp::Delete]
            .into_iter()
            .find(|op| op.as_str() == text)
    }
}

/// A write about to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewImage {
    pub object: String,
    /// `None` for a create, until [`confirm`] records the new Id.
    pub sf_id: Option<String>,
    pub row_key: Option<String>,
    pub op: RemoteOp,
    /// The record's values before the write (`None` for a create).
    pub before: Option<Values>,
    /// The values written (`None` for a delete).
    pub after: Option<Values>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteImage {
    pub id: i64,
    pub run_id: i64,
    pub object: String,
    pub sf_id: Option<String>,
    pub row_key: Option<String>,
    pub op: RemoteOp,
    pub before: Option<Values>,
    pub after: Option<Values>,
    /// Salesforce acknowledged the write.
    pub confirmed: bool,
}

fn values_text(values: Option<&Values>) -> Option<String> {
    values.map(|v| serde_json::Value::Object(v.clone().into_iter().collect()).to_string())
}

/// Writes the intents of a batch in one transaction and returns their ids, in order.
pub fn record_intents(conn: &Connection, run_id: i64, images: &[NewImage]) -> Result<Vec<i64>> {
    atomically(conn, |conn| {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO tether_remote_images (run_id, object, sf_id, row_key, op, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut ids = Vec::with_capacity(images.len());
        for image in images {
            stmt.execute(params![
                run_id,
                image.object,
                image.sf_id,
                image.row_key,
                image.op.as_str(),
                values_text(image.before.as_ref()),
                values_text(image.after.as_ref()),
            ])?;
            ids.push(conn.last_insert_rowid());
        }
        Ok(ids)
    })
}

/// Marks a write as acknowledged; for a create, `sf_id` is the Id Salesforce gave the record.
pub fn confirm(conn: &Connection, image_id: i64, sf_id: Option<&str>) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE tether_remote_images SET confirmed = 1, sf_id = COALESCE(?2, sf_id)
             WHERE id = ?1",
        )?
        .execute(params![image_id, sf_id])?;
    if changed == 0 {
        return Err(WorkspaceError::Sqlite(rusqlite::Error::QueryReturnedNoRows));
    }
    Ok(())
}

/// Records the rowid of the row a write is for, when that row has no key to name it by.
pub fn set_row_id(conn: &Connection, image_id: i64, row_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE tether_remote_images SET row_id = ?2 WHERE id = ?1")?
        .execute(params![image_id, row_id])?;
    Ok(())
}

/// Settles a write that did not happen (Salesforce refused it, or no record it could have
/// made was found), so that it is never looked for again.
pub fn mark_not_written(conn: &Connection, image_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE tether_remote_images SET not_written = 1 WHERE id = ?1")?
        .execute([image_id])?;
    Ok(())
}

/// A create an earlier run of a link sent without hearing back: journaled before it was
/// sent, then neither confirmed nor settled.
#[derive(Debug, Clone, PartialEq)]
pub struct UnheardCreate {
    pub image: i64,
    pub run_id: i64,
    /// When that run started: the create was sent after it.
    pub run_started: DateTime<Utc>,
    pub row_key: Option<String>,
    pub row_id: Option<i64>,
    /// The values sent.
    pub sent: Values,
}

/// The creates of `object` that runs of link `link_id` other than `run_id`, none of them
/// still running, sent without hearing back; oldest first.
pub fn unheard_creates(
    conn: &Connection,
    link_id: i64,
    object: &str,
    run_id: i64,
) -> Result<Vec<UnheardCreate>> {
    let mut stmt = conn.prepare(
        "SELECT i.id, i.run_id, r.started_at, i.row_key, i.row_id, i.after
         FROM tether_remote_images AS i JOIN tether_runs AS r ON r.id = i.run_id
         WHERE i.op = 'create' AND i.confirmed = 0 AND i.not_written = 0 AND i.object = ?2
           AND r.link_id = ?1 AND i.run_id <> ?3 AND r.status <> 'running'
         ORDER BY i.id",
    )?;
    let rows = stmt
        .query_map(params![link_id, object, run_id], |r| {
            Ok(UnheardCreate {
                image: r.get(0)?,
                run_id: r.get(1)?,
                run_started: time_at(r, 2)?,
                row_key: r.get(3)?,
                row_id: r.get(4)?,
                sent: values_at(r, 5)?.unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The images of a run in the order they were written.
pub fn of_run(conn: &Connection, run_id: i64) -> Result<Vec<RemoteImage>> {
    let mut stmt = conn.prepare(
        "SELECT id, run_id, object, sf_id, row_key, op, before, after, confirmed
         FROM tether_remote_images WHERE run_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([run_id], row_to_image)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn values_at(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<Values>> {
    Ok(json_at(r, column)?.map(|value| match value {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        _ => Values::new(),
    }))
}

fn row_to_image(r: &Row<'_>) -> rusqlite::Result<RemoteImage> {
    Ok(RemoteImage {
        id: r.get(0)?,
        run_id: r.get(1)?,
        object: r.get(2)?,
        sf_id: r.get(3)?,
        row_key: r.get(4)?,
        op: parsed(r, 5, RemoteOp::parse)?,
        before: values_at(r, 6)?,
        after: values_at(r, 7)?,
        confirmed: r.get::<_, i64>(8)? != 0,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::workspace::journal::tests::workspace_with_link;
    use crate::workspace::journal::{self, Trigger};

    fn values(pairs: &[(&str, serde_json::Value)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn intents_are_recorded_then_confirmed() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let run = journal::start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let intents = vec![
            NewImage {
                object: "Account".into(),
                sf_id: None,
                row_key: Some("2".into()),
                op: RemoteOp::Create,
                before: None,
                after: Some(values(&[("Name", json!("Globex"))])),
            },
            NewImage {
                object: "Account".into(),
                sf_id: Some("001000000000001AAA".into()),
                row_key: Some("1".into()),
                op: RemoteOp::Update,
                before: Some(values(&[("Name", json!("Acme")), ("Rating", json!(null))])),
                after: Some(values(&[("Name", json!("Acme Ltd"))])),
            },
            NewImage {
                object: "Account".into(),
                sf_id: Some("001000000000003AAA".into()),
                row_key: None,
                op: RemoteOp::Delete,
                before: Some(values(&[("Name", json!("Initech"))])),
                after: None,
            },
        ];
        let ids = record_intents(conn, run, &intents).unwrap();
        assert_eq!(ids.len(), 3);

        let stored = of_run(conn, run).unwrap();
        assert!(stored.iter().all(|i| !i.confirmed), "intents only");
        for (image, intent) in stored.iter().zip(&intents) {
            assert_eq!(image.op, intent.op);
            assert_eq!(image.sf_id, intent.sf_id);
            assert_eq!(image.before, intent.before);
            assert_eq!(image.after, intent.after);
        }

        confirm(conn, ids[0], Some("001000000000002AAA")).unwrap();
        confirm(conn, ids[1], None).unwrap();
        let stored = of_run(conn, run).unwrap();
        assert_eq!(stored[0].sf_id.as_deref(), Some("001000000000002AAA"));
        assert_eq!(
            stored[1].sf_id.as_deref(),
            Some("001000000000001AAA"),
            "an update keeps its Id"
        );
        assert_eq!(
            stored.iter().map(|i| i.confirmed).collect::<Vec<_>>(),
            vec![true, true, false]
        );
        assert!(confirm(conn, 999, None).is_err());
    }

    #[test]
    fn a_failed_batch_records_no_intent() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        let run = journal::start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
        let good = NewImage {
            object: "Account".into(),
            sf_id: None,
            row_key: None,
            op: RemoteOp::Create,
            before: None,
            after: None,
        };
        // A trigger refuses the second insert of the next batch; its first insert must not
        // stay behind.
        let batch = [good.clone(), good];
        assert!(record_intents(conn, run, &batch[..1]).is_ok());
        conn.execute_batch(
            "CREATE TEMP TRIGGER refuse_second AFTER INSERT ON tether_remote_images
             WHEN (SELECT count(*) FROM tether_remote_images) > 2
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
        assert!(record_intents(conn, run, &batch).is_err());
        assert_eq!(of_run(conn, run).unwrap().len(), 1, "all or nothing");
    }
}
