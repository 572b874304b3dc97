//! The link's object describe, kept in the workspace across runs so that a run with nothing
//! to do spends no call on it. A kept describe is trusted until an answer says the object
//! changed: a mapped field it does not have, or Salesforce refusing the read with
//! `INVALID_FIELD` or `INVALID_TYPE`. Then it is fetched again (with `If-Modified-Since`, so
//! an unchanged one comes back as a short 304) and the step is tried once more.

use std::sync::Arc;

use rusqlite::Connection;

use super::SyncError;
use crate::run::RunError;
use crate::salesforce::{Client, ObjectDescribe, SalesforceError};
use crate::sync::link::{Link, MatchKey};
use crate::workspace::describes;

/// A describe, and whether it came from the workspace rather than from the org this run.
pub struct Described {
    pub describe: Arc<ObjectDescribe>,
    pub kept: bool,
}

/// The kept describe of `object`, or the org's (then kept) when there is none or it cannot be
/// read.
pub async fn for_run(
    client: &Client,
    conn: &Connection,
    object: &str,
) -> Result<Described, SyncError> {
    let url = client.describe_url(object);
    if let Some(stored) = describes::load(conn, &url)?
        && let Ok(describe) = serde_json::from_str::<ObjectDescribe>(&stored.body)
    {
        return Ok(Described {
            describe: Arc::new(describe),
            kept: true,
        });
    }
    refresh(client, conn, object).await
}

/// The org's describe of `object`, asked with the kept one's `Last-Modified`, and kept.
pub async fn refresh(
    client: &Client,
    conn: &Connection,
    object: &str,
) -> Result<Described, SyncError> {
    let url = client.describe_url(object);
    let stored = describes::load(conn, &url)?;
    let since = stored.as_ref().and_then(|s| s.last_modified.as_deref());
    let body = match client.describe_text(object, since).await? {
        Some((body, last_modified)) => {
            describes::save(conn, &url, last_modified.as_deref(), &body)?;
            body
        }
        None => {
            describes::touch(conn, &url)?;
            stored.map(|s| s.body).unwrap_or_default()
        }
    };
    let describe = serde_json::from_str::<ObjectDescribe>(&body)
        .map_err(|e| SalesforceError::decode(url.clone(), e))?;
    Ok(Described {
        describe: Arc::new(describe),
        kept: false,
    })
}

/// Whether `describe` lacks a field the link maps (relationship paths are not in it).
pub fn misses_a_field(link: &Link, describe: &ObjectDescribe) -> bool {
    let mut fields: Vec<&str> = link.fields.iter().map(|f| f.remote.as_str()).collect();
    if let MatchKey::ExternalId { field, .. } = &link.match_on {
        fields.push(field);
    }
    fields
        .into_iter()
        .filter(|f| !f.contains('.'))
        .any(|field| {
            !describe
                .fields
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case(field))
        })
}

/// Whether Salesforce refused a statement because the object is not what the describe said.
pub fn says_schema_changed(error: &SyncError) -> bool {
    matches!(
        error,
        SyncError::Run(RunError::Salesforce(e))
            if matches!(e.code(), Some("INVALID_FIELD" | "INVALID_TYPE"))
    )
}
