//! Base snapshots: per synced record, the last field values both sides agreed on. The three-way
//! merge compares each side with its base; a base moves only after a confirmed write.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{Result, now_text};
use crate::sync::plan::Values;

#[derive(Debug, Clone, PartialEq)]
pub struct BaseRecord {
    pub sf_id: String,
    pub row_key: Option<String>,
    pub fields: Values,
    pub remote_modstamp: Option<String>,
    pub remote_deleted: bool,
}

fn parse_fields(text: &str) -> Values {
    serde_json::from_str(text).unwrap_or_default()
}

pub fn get(conn: &Connection, link_id: i64, sf_id: &str) -> Result<Option<BaseRecord>> {
    // Cached: a run asks for bases one record at a time, by the thousand.
    Ok(conn
        .prepare_cached(
            "SELECT sf_id, row_key, fields, remote_modstamp, remote_deleted FROM tether_base
             WHERE link_id = ?1 AND sf_id = ?2",
        )?
        .query_row(params![link_id, sf_id], row_to_base)
        .optional()?)
}

/// Every base of a link, by Salesforce Id.
pub fn all(conn: &Connection, link_id: i64) -> Result<HashMap<String, BaseRecord>> {
    let mut stmt = conn.prepare(
        "SELECT sf_id, row_key, fields, remote_modstamp, remote_deleted FROM tether_base WHERE link_id = ?1",
    )?;
    let rows = stmt.query_map([link_id], row_to_base)?;
    let mut out = HashMap::new();
    for row in rows {
        let base = row?;
        out.insert(base.sf_id.clone(), base);
    }
    Ok(out)
}

/// The bases of a link whose record is one of `ids` (compared on 15 characters) or whose row
/// is one of `row_keys`, by Salesforce Id: what a run that reads only what changed needs.
pub fn some(
    conn: &Connection,
    link_id: i64,
    ids: &[String],
    row_keys: &[String],
) -> Result<HashMap<String, BaseRecord>> {
    let mut out = HashMap::new();
    // Bounded batches: each a lookup in the primary key or the row index per item. CROSS JOIN
    // keeps the list outside: SQLite would otherwise scan the list once per base.
    for chunk in ids.chunks(BATCH) {
        let short: Vec<&str> = chunk.iter().map(|id| id.get(..15).unwrap_or(id)).collect();
        let mut stmt = conn.prepare_cached(
            "SELECT b.sf_id, b.row_key, b.fields, b.remote_modstamp, b.remote_deleted
             FROM json_each(?2) AS j CROSS JOIN tether_base AS b
             WHERE b.link_id = ?1 AND b.sf_id >= j.value AND b.sf_id < j.value || '~'",
        )?;
        let ids = serde_json::to_string(&short).unwrap_or_default();
        for base in stmt.query_map(params![link_id, ids], row_to_base)? {
            let base = base?;
            out.insert(base.sf_id.clone(), base);
        }
    }
    for chunk in row_keys.chunks(BATCH) {
        let mut stmt = conn.prepare_cached(
            "SELECT b.sf_id, b.row_key, b.fields, b.remote_modstamp, b.remote_deleted
             FROM json_each(?2) AS j CROSS JOIN tether_base AS b
             WHERE b.link_id = ?1 AND b.row_key = j.value",
        )?;
        let keys = serde_json::to_string(chunk).unwrap_or_default();
        for base in stmt.query_map(params![link_id, keys], row_to_base)? {
            let base = base?;
            out.insert(base.sf_id.clone(), base);
        }
    }
    Ok(out)
}

/// How many records the link has synced (each has a base).
pub fn count(conn: &Connection, link_id: i64) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM tether_base WHERE link_id = ?1",
        [link_id],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

const BATCH: usize = 5_000;

fn row_to_base(r: &rusqlite::Row<'_>) -> rusqlite::Result<BaseRecord> {
    Ok(BaseRecord {
        sf_id: r.get(0)?,
        row_key: r.get(1)?,
        fields: parse_fields(&r.get::<_, String>(2)?),
        remote_modstamp: r.get(3)?,
        remote_deleted: r.get(4)?,
    })
}

pub fn put(conn: &Connection, link_id: i64, base: &BaseRecord) -> Result<()> {
    let fields = Value::Object(base.fields.clone().into_iter().collect()).to_string();
    conn.prepare_cached(
        "INSERT INTO tether_base
             (link_id, sf_id, row_key, fields, remote_modstamp, remote_deleted, agreed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (link_id, sf_id) DO UPDATE SET row_key = excluded.row_key,
             fields = excluded.fields, remote_modstamp = excluded.remote_modstamp,
             remote_deleted = excluded.remote_deleted, agreed_at = excluded.agreed_at",
    )?
    .execute(params![
        link_id,
        base.sf_id,
        base.row_key,
        fields,
        base.remote_modstamp,
        base.remote_deleted,
        now_text()
    ])?;
    Ok(())
}

/// Sets one agreed value, e.g. when a person resolves a conflict.
pub fn set_field(
    conn: &Connection,
    link_id: i64,
    sf_id: &str,
    field: &str,
    value: Option<&Value>,
) -> Result<()> {
    if let Some(mut base) = get(conn, link_id, sf_id)? {
        base.fields
            .insert(field.to_string(), value.cloned().unwrap_or(Value::Null));
        put(conn, link_id, &base)?;
    }
    Ok(())
}

pub fn remove(conn: &Connection, link_id: i64, sf_id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM tether_base WHERE link_id = ?1 AND sf_id = ?2",
        params![link_id, sf_id],
    )?;
    Ok(())
}

fn to_json(base: &BaseRecord) -> Value {
    serde_json::json!({
        "sf_id": base.sf_id,
        "row_key": base.row_key,
        "fields": Value::Object(base.fields.clone().into_iter().collect()),
        "remote_modstamp": base.remote_modstamp,
        "remote_deleted": base.remote_deleted,
    })
}

fn from_json(value: &Value) -> Option<BaseRecord> {
    Some(BaseRecord {
        sf_id: value.get("sf_id")?.as_str()?.to_string(),
        row_key: value
            .get("row_key")
            .and_then(Value::as_str)
            .map(str::to_string),
        fields: value
            .get("fields")?
            .as_object()?
            .clone()
            .into_iter()
            .collect(),
        remote_modstamp: value
            .get("remote_modstamp")
            .and_then(Value::as_str)
            .map(str::to_string),
        remote_deleted: value
            .get("remote_deleted")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Keeps the base of `sf_id` as it was before run `run` first changed it.
pub fn remember_before(conn: &Connection, run: i64, link_id: i64, sf_id: &str) -> Result<()> {
    let before = get(conn, link_id, sf_id)?.map(|b| to_json(&b).to_string());
    conn.prepare_cached(
        "INSERT OR IGNORE INTO tether_base_images (run_id, link_id, sf_id, before)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run, link_id, sf_id, before])?;
    Ok(())
}

/// Puts back every base run `run` changed, as it was before the run.
pub fn restore_run(conn: &Connection, run: i64, link_id: i64) -> Result<usize> {
    let mut stmt = conn.prepare(
        "SELECT sf_id, before FROM tether_base_images WHERE run_id = ?1 AND link_id = ?2",
    )?;
    let rows = stmt
        .query_map(params![run, link_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (sf_id, before) in &rows {
        match before
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|v| from_json(&v))
        {
            Some(base) => put(conn, link_id, &base)?,
            None => remove(conn, link_id, sf_id)?,
        }
    }
    Ok(rows.len())
}
