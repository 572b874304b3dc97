//! Record-scoped runs: a run of some records of a link, named by key or by Salesforce Id.
//!
//! It reads each side of its records only: Salesforce by Id (whatever the cursor says, so it
//! is always current), the local table by key, and their bases. From there it is a run like
//! any other, with the same plan, policies, journal and undo. It does not move the link's
//! cursor: what it read by Id says nothing about the records it did not read.

use std::collections::{HashMap, HashSet};

use futures_util::TryStreamExt;
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::SyncError;
use super::local::{self, LocalRead};
use super::remote::{self, RemoteRecord};
use super::units::id15;
use super::values::Kind;
use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client};
use crate::sync::link::Link;
use crate::workspace::base::{self, BaseRecord};
use crate::workspace::capture::quote_ident;
use crate::workspace::journal::scope::Records;

/// Which records a run reads and writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RunScope {
    /// Every record of the link, from its cursor on.
    #[default]
    Link,
    /// These records only.
    Records(Records),
}

impl RunScope {
    pub fn records(&self) -> Option<&Records> {
        match self {
            RunScope::Link => None,
            RunScope::Records(records) => Some(records),
        }
    }
}

/// Records a scoped run cannot find: named, with what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub link: String,
    pub table: String,
    pub key: String,
    /// Keys no row of the table holds.
    pub keys: Vec<String>,
    /// Texts that are not Salesforce Ids, with why.
    pub malformed: Vec<(String, String)>,
    /// Ids neither side of the link knows (absent from Salesforce, or outside the pull filter
    /// and never synced).
    pub ids: Vec<String>,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if !self.keys.is_empty() {
            parts.push(format!(
                "no row of `{}` has `{}` = {}: check the key{} (the values of the link's key column `{}`)",
                self.table,
                self.key,
                quoted(&self.keys),
                if self.keys.len() == 1 { "" } else { "s" },
                self.key
            ));
        }
        for (text, why) in &self.malformed {
            parts.push(format!("`{text}` is not a Salesforce Id: {why}"));
        }
        if !self.ids.is_empty() {
            parts.push(format!(
                "{} {} not a record of the link `{}`: it is not in Salesforce (or outside the link's pull filter) and no row of `{}` holds it",
                quoted(&self.ids),
                if self.ids.len() == 1 { "is" } else { "are" },
                self.link,
                self.table
            ));
        }
        write!(f, "{}; nothing was read or written", parts.join("; "))
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks what can be checked without Salesforce before the run starts: there are records,
/// every key names a row and every Id is an Id.
pub(super) fn check(conn: &Connection, link: &Link, records: &Records) -> Result<(), SyncError> {
    if records.is_empty() {
        return Err(SyncError::Link {
            link: link.name.clone(),
            problem: "no record was named: give a key or a Salesforce Id".into(),
        });
    }
    let sql = format!(
        "SELECT value FROM json_each(?1)
         WHERE value NOT IN (SELECT CAST({key} AS TEXT) FROM {table} WHERE {key} IS NOT NULL)",
        key = quote_ident(&link.key),
        table = quote_ident(&link.table),
    );
    let keys_json = serde_json::to_string(&records.keys).unwrap_or_default();
    let mut stmt = conn.prepare(&sql)?;
    let keys = stmt
        .query_map([keys_json], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let malformed: Vec<(String, String)> = records
        .ids
        .iter()
        .filter_map(|id| {
            soql_text::check_id(id)
                .err()
                .map(|e| (id.clone(), e.reason().to_string()))
        })
        .collect();
    if keys.is_empty() && malformed.is_empty() {
        return Ok(());
    }
    Err(SyncError::UnknownRecords(unknown(
        link,
        keys,
        malformed,
        Vec::new(),
    )))
}

fn unknown(
    link: &Link,
    keys: Vec<String>,
    malformed: Vec<(String, String)>,
    ids: Vec<String>,
) -> Box<Unknown> {
    Box::new(Unknown {
        link: link.name.clone(),
        table: link.table.clone(),
        key: link.key.clone(),
        keys,
        malformed,
        ids,
    })
}

/// Both sides of a scoped run's records, and the Ids it covers (15 characters).
pub(super) struct Read {
    pub(super) records: Vec<RemoteRecord>,
    pub(super) bases: HashMap<String, BaseRecord>,
    pub(super) rows: LocalRead,
    pub(super) covered: HashSet<String>,
}

/// Reads the records of `scope`: their bases and rows, then Salesforce by Id.
#[tracing::instrument(name = "read", level = "debug", skip_all, fields(ids = scope.ids.len(), keys = scope.keys.len()))]
pub(super) async fn read(
    client: &Client,
    conn: &Connection,
    link: &Link,
    link_id: i64,
    kinds: &HashMap<String, Kind>,
    scope: &Records,
) -> Result<Read, SyncError> {
    let asked: HashSet<String> = scope.ids.iter().map(|id| id15(id)).collect();
    let keys: HashSet<&String> = scope.keys.iter().collect();
    let bases: HashMap<String, BaseRecord> = base::all(conn, link_id)?
        .into_iter()
        .filter(|(id, b)| {
            asked.contains(&id15(id)) || b.row_key.as_ref().is_some_and(|k| keys.contains(k))
        })
        .collect();
    // A record's row may hold its Id or only be named by its base.
    let mut row_keys = scope.keys.clone();
    row_keys.extend(bases.values().filter_map(|b| b.row_key.clone()));
    let rows = local::read_some_rows(conn, link, kinds, &row_keys, &scope.ids)?;
    let mut ids: Vec<String> = scope.ids.clone();
    ids.extend(bases.keys().cloned());
    ids.extend(rows.rows.iter().filter_map(|r| r.sf_id.clone()));
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(id15(id)));
    let records = remote::fetch_by_ids(client, link, kinds, &ids).await?;
    let known_locally: HashSet<String> = bases
        .keys()
        .map(|id| id15(id))
        .chain(
            rows.rows
                .iter()
                .filter_map(|r| r.sf_id.as_deref().map(id15)),
        )
        .collect();
    // An Id only Salesforce knows is the link's only when its pull filter takes it in.
    let only_remote: Vec<String> = records
        .iter()
        .filter(|r| !r.deleted && !known_locally.contains(&id15(&r.id)))
        .map(|r| r.id.clone())
        .collect();
    let outside = outside_pull_filter(client, link, &only_remote).await?;
    let found: HashSet<String> = records
        .iter()
        .filter(|r| !r.deleted && !outside.contains(&id15(&r.id)))
        .map(|r| id15(&r.id))
        .collect();
    let missing: Vec<String> = scope
        .ids
        .iter()
        .filter(|id| !known_locally.contains(&id15(id)) && !found.contains(&id15(id)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(SyncError::UnknownRecords(unknown(
            link,
            Vec::new(),
            Vec::new(),
            missing,
        )));
    }
    let records: Vec<RemoteRecord> = records
        .into_iter()
        .filter(|r| !outside.contains(&id15(&r.id)))
        .collect();
    let covered = ids.iter().map(|id| id15(id)).collect();
    Ok(Read {
        records,
        bases,
        rows,
        covered,
    })
}

/// Which of `ids` the link's pull filter leaves out (15 characters).
async fn outside_pull_filter(
    client: &Client,
    link: &Link,
    ids: &[String],
) -> Result<HashSet<String>, SyncError> {
    let Some(filter) = link.pull_filter.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Ok(HashSet::new());
    };
    let mut inside = HashSet::new();
    for list in soql_text::in_lists("Id", ids, IN_LIST_BYTES) {
        let soql = format!("SELECT Id FROM {} WHERE {list} AND ({filter})", link.object);
        let pages: Vec<_> = client
            .query::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
            .try_collect()
            .await?;
        for page in pages {
            inside.extend(
                page.records
                    .iter()
                    .filter_map(|r| r.get("Id").and_then(Value::as_str))
                    .map(id15),
            );
        }
    }
    Ok(ids
        .iter()
        .map(|id| id15(id))
        .filter(|id| !inside.contains(id))
        .collect())
}
