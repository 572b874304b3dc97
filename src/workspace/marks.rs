//! How far a link's runs have read the local change log, and what a run that reads only what
//! changed must read besides: the rows other programs wrote since, and the records still owed
//! a sync (open errors, conflicts open or decided since).
//!
//! The change log is fed by triggers, so every program's write to the table is in it, as long
//! as the triggers were there: a run whose triggers were missing or out of date (see
//! [`super::capture::install`]) reads the whole table, as does a run of a link defined
//! differently from the mark's, and the first run after an undo.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, now_text};

/// Where the last finished run of a whole link had read the change log to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub seq: i64,
    pub read_at: String,
}

/// The link's mark, when it was made with the link defined as `definition` is.
pub fn get(conn: &Connection, link_id: i64, definition: &str) -> Result<Option<Mark>> {
    Ok(conn
        .query_row(
            "SELECT seq, read_at FROM tether_local_marks WHERE link_id = ?1 AND definition = ?2",
            params![link_id, definition],
            |r| {
                Ok(Mark {
                    seq: r.get(0)?,
                    read_at: r.get(1)?,
                })
            },
        )
        .optional()?)
}

pub fn put(conn: &Connection, link_id: i64, definition: &str, mark: &Mark) -> Result<()> {
    conn.execute(
        "INSERT INTO tether_local_marks (link_id, seq, definition, read_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (link_id) DO UPDATE SET seq = excluded.seq,
             definition = excluded.definition, read_at = excluded.read_at",
        params![link_id, mark.seq, definition, mark.read_at],
    )?;
    Ok(())
}

/// The next run of the link reads the whole table.
pub fn forget(conn: &Connection, link_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM tether_local_marks WHERE link_id = ?1",
        [link_id],
    )?;
    Ok(())
}

/// Where the change log stands now: a run reading from here on makes this its mark.
pub fn now(conn: &Connection) -> Result<Mark> {
    let seq: i64 = conn.query_row(
        "SELECT coalesce(max(seq), 0) FROM tether_changes",
        [],
        |r| r.get(0),
    )?;
    Ok(Mark {
        seq,
        read_at: now_text(),
    })
}

/// Keys of the rows of `table` anyone but a sync run wrote after `seq`, and the keys an update
/// among those took away (a row whose key changed is gone under its old key).
pub fn changed_keys(conn: &Connection, table: &str, key: &str, seq: i64) -> Result<Vec<String>> {
    let path = format!("$.\"{}\"", key.replace('"', "\\\""));
    let mut stmt = conn.prepare(
        "SELECT row_key FROM tether_changes
         WHERE seq > ?2 AND table_name = ?1 AND run_id IS NULL
         UNION
         SELECT CAST(json_extract(before, ?3) AS TEXT) FROM tether_changes
         WHERE seq > ?2 AND table_name = ?1 AND run_id IS NULL AND op = 'update'
           AND json_extract(before, ?3) IS NOT NULL",
    )?;
    let keys = stmt
        .query_map(params![table, seq, path], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(keys)
}

/// The records a run still owes a sync, as row keys and Salesforce Ids: open errors of the
/// link, and its conflicts open or decided since `since`.
pub fn owed(
    conn: &Connection,
    link_name: &str,
    link_id: i64,
    since: &str,
) -> Result<(Vec<String>, Vec<String>)> {
    let mut stmt = conn.prepare(
        "SELECT row_key, sf_id FROM tether_errors WHERE link_name = ?1 AND status = 'open'
         UNION
         SELECT row_key, sf_id FROM tether_conflicts
         WHERE link_id = ?2 AND (status = 'open' OR resolved_at >= ?3)",
    )?;
    let (mut keys, mut ids) = (Vec::new(), Vec::new());
    let rows = stmt.query_map(params![link_name, link_id, since], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ))
    })?;
    for row in rows {
        let (key, id) = row?;
        keys.extend(key);
        ids.extend(id);
    }
    Ok((keys, ids))
}
