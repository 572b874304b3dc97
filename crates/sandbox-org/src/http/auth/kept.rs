//! Refresh-token grants kept in the org's data file, as digests: a real org's connections
//! survive its maintenance windows, so the sandbox org's survive a restart on the same file.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::sessions::Grantee;
use super::tokens::SecretKey;

const GRANTS_TABLE: &str = "CREATE TABLE IF NOT EXISTS refresh_grants (
    id INTEGER PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL
)";

/// A grant as kept: its id, its token's digest and to whom it was granted.
pub(super) type Kept = (u64, SecretKey, Grantee);

/// Opens the grants table in `path`: the connection to write changes with, and the grants
/// kept there.
pub(super) fn open(path: &Path) -> rusqlite::Result<(Connection, Vec<Kept>)> {
    let db = Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(10))?;
    db.execute_batch(GRANTS_TABLE)?;
    let grants = {
        let mut stmt =
            db.prepare("SELECT id, token_digest, user_id, client_id, scope FROM refresh_grants")?;
        stmt.query_map([], |r| {
            Ok((
                u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                SecretKey::from_digest(r.get(1)?),
                Grantee {
                    user_id: r.get(2)?,
                    client_id: r.get(3)?,
                    scope: r.get(4)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok((db, grants))
}

pub(super) fn keep(
    db: &Connection,
    id: u64,
    token: &SecretKey,
    grantee: &Grantee,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO refresh_grants (id, token_digest, user_id, client_id, scope)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![
            id as i64,
            token.digest(),
            grantee.user_id,
            grantee.client_id,
            grantee.scope
        ],
    )
    .map(drop)
}

/// A rotated grant keeps its id and takes the new token's digest.
pub(super) fn rotate(db: &Connection, id: u64, token: &SecretKey) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE refresh_grants SET token_digest = ?2 WHERE id = ?1",
        rusqlite::params![id as i64, token.digest()],
    )
    .map(drop)
}

pub(super) fn forget(db: &Connection, id: u64) -> rusqlite::Result<()> {
    db.execute("DELETE FROM refresh_grants WHERE id = ?1", [id as i64])
        .map(drop)
}
