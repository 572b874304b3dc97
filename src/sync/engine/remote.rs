//! Reading Salesforce: the records changed since the cursor, through REST `queryAll` pages or a
//! Bulk API 2.0 query job when there are many.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde_json::{Map, Value};

use super::SyncError;
use super::values::{Kind, canonical, parse_datetime};
use crate::run::ReadPath;
use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client};
use crate::sync::link::Link;
use crate::sync::plan::Values;
use tokio_util::sync::CancellationToken;

/// A Salesforce record as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteRecord {
    pub id: String,
    pub values: Values,
    pub modstamp: Option<DateTime<Utc>>,
    pub deleted: bool,
}

pub struct Fetched {
    pub records: Vec<RemoteRecord>,
    pub path: ReadPath,
    /// The newest SystemModstamp read: where the next pull may start.
    pub newest: Option<DateTime<Utc>>,
}

/// The fields a link reads: Id, SystemModstamp, every mapped field and the match key.
pub fn select_list(link: &Link, with_deleted: bool) -> Vec<String> {
    let mut fields = vec!["Id".to_string(), "SystemModstamp".to_string()];
    if with_deleted {
        fields.push("IsDeleted".to_string());
    }
    let mut add = |name: &str| {
        if !fields.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            fields.push(name.to_string());
        }
    };
    for mapping in &link.fields {
        add(&mapping.remote);
    }
    if let crate::sync::link::MatchKey::ExternalId { field, .. } = &link.match_on {
        add(field);
    }
    fields
}

pub fn changes_query(link: &Link, since: Option<DateTime<Utc>>) -> String {
    let fields = select_list(link, since.is_some()).join(", ");
    let mut soql = format!("SELECT {fields} FROM {}", link.object);
    soql.push_str(&changes_where(link, since));
    soql.push_str(" ORDER BY SystemModstamp, Id");
    soql
}

/// `SELECT COUNT()` of what [`changes_query`] reads: one call that answers with a number,
/// where a first page would carry 2,000 records only to learn the read is for Bulk.
pub fn count_query(link: &Link, since: Option<DateTime<Utc>>) -> String {
    format!(
        "SELECT COUNT() FROM {}{}",
        link.object,
        changes_where(link, since)
    )
}

fn changes_where(link: &Link, since: Option<DateTime<Utc>>) -> String {
    let mut conditions = Vec::new();
    if let Some(since) = since {
        conditions.push(format!("SystemModstamp >= {}", soql_text::datetime(since)));
    }
    if let Some(filter) = link.pull_filter.as_deref().filter(|f| !f.trim().is_empty()) {
        conditions.push(format!("({filter})"));
    }
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// Reads one record into canonical values: a REST record, where relationship fields such as
/// `Account.ServiceTitan_Account_Id__c` come nested as `{"Account": {"ServiceTitan…": …}}`, or
/// a Bulk CSV row, where they are flat columns and every cell is text.
pub fn from_json(
    link: &Link,
    kinds: &HashMap<String, Kind>,
    record: &Map<String, Value>,
) -> Option<RemoteRecord> {
    let id = record.get("Id")?.as_str()?.to_string();
    let mut values = Values::new();
    for name in select_list(link, false).into_iter().skip(2) {
        let raw = lookup(record, &name).cloned().unwrap_or(Value::Null);
        values.insert(name.clone(), canonical_or_raw(kinds, &name, raw));
    }
    Some(RemoteRecord {
        id,
        values,
        modstamp: record
            .get("SystemModstamp")
            .and_then(Value::as_str)
            .and_then(parse_datetime),
        deleted: match record.get("IsDeleted") {
            Some(Value::Bool(deleted)) => *deleted,
            Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
            _ => false,
        },
    })
}

fn lookup<'a>(record: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(flat) = record.get(path) {
        return Some(flat);
    }
    let mut parts = path.split('.');
    let mut current = record.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

fn canonical_or_raw(kinds: &HashMap<String, Kind>, field: &str, raw: Value) -> Value {
    let kind = kinds.get(field).copied().unwrap_or(Kind::Text);
    canonical(kind, &raw).unwrap_or(raw)
}

/// Every record changed since `since` (all records when `None`), oldest first, held whole:
/// for reads that need them all at once. A run of a link reads them in batches instead
/// (see `changes.rs`).
pub async fn fetch_changes(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    since: Option<DateTime<Utc>>,
    cancel: &CancellationToken,
    read: super::ReadSink<'_>,
) -> Result<Fetched, SyncError> {
    let mut reader =
        super::changes::ChangeReader::open(client, link, kinds, since, cancel, read).await?;
    let mut records = Vec::new();
    while !reader.is_exhausted() {
        records.extend(reader.next_batch(usize::MAX - 1).await?);
    }
    Ok(Fetched {
        records,
        path: reader.path(),
        newest: reader.newest(),
    })
}

/// About how many Ids one by-Id query holds (see [`soql_text::in_lists`]): for estimates only.
pub const IDS_PER_QUERY: usize = 300;

/// The current values of records by Id, whatever the cursor and the pull filter say. Deleted
/// records come back marked `deleted`; a record that no longer exists at all is absent. Texts
/// that are not Ids are not asked about (local rows holding one are left out of the run before
/// this), so one bad Id never fails the query of the others.
pub async fn fetch_by_ids(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    ids: &[String],
) -> Result<Vec<RemoteRecord>, SyncError> {
    let fields = select_list(link, true).join(", ");
    let ids: Vec<String> = ids
        .iter()
        .filter_map(|id| soql_text::check_id(id).ok())
        .collect();
    let mut out = Vec::new();
    for list in soql_text::in_lists("Id", &ids, IN_LIST_BYTES) {
        let soql = format!("SELECT {fields} FROM {} WHERE {list}", link.object);
        out.extend(query_records(client, link, kinds, &soql, true).await?);
    }
    Ok(out)
}

/// The records whose external id is one of `values`, and which of them the pull filter takes
/// in (by Id). Without a pull filter every record found is inside it.
pub async fn fetch_by_external_ids(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    field: &str,
    values: &[String],
) -> Result<(Vec<RemoteRecord>, std::collections::HashSet<String>), SyncError> {
    let fields = select_list(link, false).join(", ");
    let mut found = Vec::new();
    for list in soql_text::in_lists(field, values, IN_LIST_BYTES) {
        let soql = format!("SELECT {fields} FROM {} WHERE {list}", link.object);
        found.extend(query_records(client, link, kinds, &soql, false).await?);
    }
    let mut inside = std::collections::HashSet::new();
    match link.pull_filter.as_deref().filter(|f| !f.trim().is_empty()) {
        None => inside.extend(found.iter().map(|r| r.id.clone())),
        Some(filter) => {
            let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
            for list in soql_text::in_lists("Id", &ids, IN_LIST_BYTES) {
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
                            .map(str::to_string),
                    );
                }
            }
        }
    }
    Ok((found, inside))
}

async fn query_records(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    soql: &str,
    with_deleted: bool,
) -> Result<Vec<RemoteRecord>, SyncError> {
    let pages: Vec<_> = if with_deleted {
        client
            .query_all::<Map<String, Value>>(soql, Some(BatchSize(2000)))
            .try_collect()
            .await?
    } else {
        client
            .query::<Map<String, Value>>(soql, Some(BatchSize(2000)))
            .try_collect()
            .await?
    };
    Ok(pages
        .iter()
        .flat_map(|page| page.records.iter())
        .filter_map(|r| from_json(link, kinds, r))
        .collect())
}
