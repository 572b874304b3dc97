//! Runs that wrote one record from the Records page: which connection and record each wrote,
//! so that the run can be undone against the right org.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// A Records page run as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordWrite {
    pub run_id: i64,
    pub connection: String,
    pub object: String,
    /// `None` until a create has its Id.
    pub sf_id: Option<String>,
}

/// The name a record's runs carry in History: runs of one record are undone newest first,
/// as runs of one link are.
pub fn run_name(object: &str, sf_id: &str) -> String {
    format!("{object} {sf_id}")
}

pub fn record(conn: &Connection, write: &RecordWrite) -> Result<()> {
    conn.execute(
        "INSERT INTO tether_record_writes (run_id, connection, object, sf_id)
         VALUES (?1, ?2, ?3, ?4)",
        params![write.run_id, write.connection, write.object, write.sf_id],
    )?;
    Ok(())
}

/// Gives a create's run the new record's Id, and the name that goes with it.
pub fn set_created_id(conn: &Connection, run_id: i64, object: &str, sf_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE tether_record_writes SET sf_id = ?2 WHERE run_id = ?1",
        params![run_id, sf_id],
    )?;
    conn.execute(
        "UPDATE tether_runs SET link_name = ?2 WHERE id = ?1",
        params![run_id, run_name(object, sf_id)],
    )?;
    Ok(())
}

/// The record write of run `run_id`, when it is one.
pub fn of_run(conn: &Connection, run_id: i64) -> Result<Option<RecordWrite>> {
    Ok(conn
        .query_row(
            "SELECT run_id, connection, object, sf_id FROM tether_record_writes WHERE run_id = ?1",
            [run_id],
            |r| {
                Ok(RecordWrite {
                    run_id: r.get(0)?,
                    connection: r.get(1)?,
                    object: r.get(2)?,
                    sf_id: r.get(3)?,
                })
            },
        )
        .optional()?)
}
