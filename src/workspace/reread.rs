//! The re-read queue: records the next run of a link reads by Id before it plans them.
//!
//! A run reads what changed since its cursor, and a record it does not read is planned from
//! what the workspace last knew of it. That is only safe while the last read was settled. A
//! record whose read could not be acted on (a conflict decided since, an unreadable local row,
//! a local insert that failed) is queued here, and the next run reads it afresh.

use rusqlite::{Connection, params};

use super::{Result, now_text};

/// Why a record waits to be read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A person decided a conflict; the next run carries the decision out.
    Decision,
    /// The local row held a value that could not be read as its field's type.
    UnreadableRow,
    /// The record could not be added to the local table.
    LocalInsertFailed,
    /// A person chose to keep a record one side deleted and the other edited; the next run
    /// brings it back on the side that deleted it. It stays queued until that write is done.
    KeepRecord,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Decision => "decision",
            Reason::UnreadableRow => "unreadable_row",
            Reason::LocalInsertFailed => "local_insert_failed",
            Reason::KeepRecord => "keep_record",
        }
    }
}

pub fn queue(conn: &Connection, link_id: i64, sf_id: &str, reason: Reason) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO tether_reread (link_id, sf_id, reason, queued_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (link_id, sf_id) DO UPDATE SET reason = excluded.reason,
             queued_at = excluded.queued_at",
    )?
    .execute(params![link_id, sf_id, reason.as_str(), now_text()])?;
    Ok(())
}

/// The Ids queued for a link, oldest first.
pub fn queued(conn: &Connection, link_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sf_id FROM tether_reread WHERE link_id = ?1 ORDER BY queued_at, sf_id",
    )?;
    let ids = stmt
        .query_map([link_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// The Ids a person chose to keep, queued for a link.
pub fn kept_records(conn: &Connection, link_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sf_id FROM tether_reread WHERE link_id = ?1 AND reason = 'keep_record'",
    )?;
    let ids = stmt
        .query_map([link_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Takes these Ids off the queue: the run that read them settled them, or queued them again.
pub fn clear(conn: &Connection, link_id: i64, ids: &[String]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("DELETE FROM tether_reread WHERE link_id = ?1 AND sf_id = ?2")?;
    for id in ids {
        stmt.execute(params![link_id, id])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::journal::tests::workspace_with_link;

    #[test]
    fn a_record_is_queued_once_and_cleared() {
        let (_dir, ws, link) = workspace_with_link();
        let conn = ws.conn();
        queue(conn, link, "001000000000001AAA", Reason::Decision).unwrap();
        queue(conn, link, "001000000000001AAA", Reason::UnreadableRow).unwrap();
        queue(conn, link, "001000000000002AAA", Reason::LocalInsertFailed).unwrap();
        let ids = queued(conn, link).unwrap();
        assert_eq!(ids.len(), 2, "{ids:?}");
        clear(conn, link, &["001000000000001AAA".to_string()]).unwrap();
        assert_eq!(queued(conn, link).unwrap(), vec!["001000000000002AAA"]);
    }
}
