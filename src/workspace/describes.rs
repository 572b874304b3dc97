//! Object describes kept in the workspace across runs (`tether_describes`), by URL: the org's
//! instance, the API version and the object. What the rows mean, and when they are refreshed,
//! is the sync engine's business (`sync::engine::describes`).

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::WorkspaceError;

/// One kept describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDescribe {
    pub last_modified: Option<String>,
    pub body: String,
}

pub fn load(conn: &Connection, url: &str) -> Result<Option<StoredDescribe>, WorkspaceError> {
    Ok(conn
        .query_row(
            "SELECT last_modified, body FROM tether_describes WHERE url = ?1",
            [url],
            |r| {
                Ok(StoredDescribe {
                    last_modified: r.get(0)?,
                    body: r.get(1)?,
                })
            },
        )
        .optional()?)
}

pub fn save(
    conn: &Connection,
    url: &str,
    last_modified: Option<&str>,
    body: &str,
) -> Result<(), WorkspaceError> {
    conn.execute(
        "INSERT INTO tether_describes (url, last_modified, body, fetched_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(url) DO UPDATE SET last_modified = excluded.last_modified,
             body = excluded.body, fetched_at = excluded.fetched_at",
        params![
            url,
            last_modified,
            body,
            Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?;
    Ok(())
}

/// Marks the kept describe as fetched again without a change (the org answered 304).
pub fn touch(conn: &Connection, url: &str) -> Result<(), WorkspaceError> {
    conn.execute(
        "UPDATE tether_describes SET fetched_at = ?2 WHERE url = ?1",
        params![url, Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)],
    )?;
    Ok(())
}

/// The kept describe of `object` most recently fetched, preferring one from the org at
/// `instance` (its instance URL) when there is one; any org's otherwise.
pub fn latest_of(
    conn: &Connection,
    object: &str,
    instance: Option<&str>,
) -> Result<Option<String>, WorkspaceError> {
    // Compared by their end, not LIKE: object names hold `_`, which LIKE reads as a wildcard.
    let suffix = format!("/sobjects/{object}/describe/");
    let prefix = instance.map(|i| i.trim_end_matches('/')).unwrap_or("");
    Ok(conn
        .query_row(
            "SELECT body FROM tether_describes
             WHERE substr(url, -length(?1)) = ?1
             ORDER BY (?2 <> '' AND substr(url, 1, length(?2)) = ?2) DESC, fetched_at DESC
             LIMIT 1",
            params![suffix, prefix],
            |r| r.get(0),
        )
        .optional()?)
}
