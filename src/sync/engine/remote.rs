//! Reading Salesforce: the records changed since the cursor, through REST `queryAll` pages or a
//! Bulk API 2.0 query job when there are many.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Map, Value};

use super::SyncError;
use super::values::{Kind, canonical, from_csv_cell, parse_datetime};
use crate::run::{ReadPath, RunError};
use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client, JobKind};
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

/// Every record changed since `since` (all records when `None`), oldest first. A first page
/// reporting more than the link's Bulk threshold switches to a Bulk API 2.0 query job.
pub async fn fetch_changes(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    since: Option<DateTime<Utc>>,
    cancel: &CancellationToken,
    read: super::ReadSink<'_>,
) -> Result<Fetched, SyncError> {
    let soql = changes_query(link, since);
    let with_deleted = since.is_some();
    if !with_deleted {
        // A first read is the whole table: count it before choosing the path.
        let expected = count(client, &count_query(link, since)).await?;
        if expected == 0 {
            return Ok(finish(Vec::new(), ReadPath::Rest));
        }
        if expected > link.strategy.bulk_pull_above {
            let expected_rows = usize::try_from(expected).unwrap_or(usize::MAX);
            return fetch_bulk(
                client,
                link,
                kinds,
                &soql,
                false,
                expected_rows,
                cancel,
                read,
            )
            .await;
        }
    }
    let mut pages = if with_deleted {
        client
            .query_all::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
            .boxed()
    } else {
        client
            .query::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
            .boxed()
    };
    let mut records = Vec::new();
    let mut first = true;
    while let Some(page) = pages.try_next().await? {
        if first && page.total_size > link.strategy.bulk_pull_above {
            drop(pages);
            let expected_rows = usize::try_from(page.total_size).unwrap_or(usize::MAX);
            return fetch_bulk(
                client,
                link,
                kinds,
                &soql,
                with_deleted,
                expected_rows,
                cancel,
                read,
            )
            .await;
        }
        first = false;
        crate::run::stop_if_cancelled(cancel)?;
        records.extend(
            page.records
                .iter()
                .filter_map(|r| from_json(link, kinds, r)),
        );
        read(records.len() as u64, Some(page.total_size));
    }
    Ok(finish(records, ReadPath::Rest))
}

async fn count(client: &Client, soql: &str) -> Result<u64, SyncError> {
    let mut pages = client.query::<Map<String, Value>>(soql, None).boxed();
    Ok(match pages.try_next().await? {
        Some(page) => page.total_size,
        None => 0,
    })
}

fn finish(records: Vec<RemoteRecord>, path: ReadPath) -> Fetched {
    let newest = records.iter().filter_map(|r| r.modstamp).max();
    Fetched {
        records,
        path,
        newest,
    }
}

#[allow(clippy::too_many_arguments)]
async fn fetch_bulk(
    client: &Client,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    soql: &str,
    with_deleted: bool,
    expected_rows: usize,
    cancel: &CancellationToken,
    read: super::ReadSink<'_>,
) -> Result<Fetched, SyncError> {
    read(0, Some(expected_rows as u64));
    let job = client.bulk_create_query(soql, with_deleted).await?;
    let info =
        crate::run::push::wait_for_job(client, JobKind::Query, &job.id, expected_rows).await?;
    if info.state != "JobComplete" {
        return Err(RunError::BulkJob {
            job: job.id,
            state: info.state,
            message: info.error_message.unwrap_or_default(),
        }
        .into());
    }
    crate::run::stop_if_cancelled(cancel)?;
    let total = info
        .number_records_processed
        .unwrap_or(expected_rows as u64);
    let mut bytes = Vec::new();
    let mut lines = 0u64;
    let mut stream = client.bulk_query_results(&job.id, None);
    while let Some(piece) = stream.try_next().await? {
        bytes.extend_from_slice(&piece);
        // Lines, less the header, count records closely enough to show how far the download is.
        lines += piece.iter().filter(|b| **b == b'\n').count() as u64;
        read(lines.saturating_sub(1).min(total), Some(total));
    }
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| RunError::BadCsv(e.to_string()))?
        .clone();
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| RunError::BadCsv(e.to_string()))?;
        let mut record = Map::new();
        for (name, cell) in headers.iter().zip(row.iter()) {
            record.insert(name.to_string(), from_csv_cell(cell));
        }
        records.extend(from_json(link, kinds, &record));
    }
    Ok(finish(records, ReadPath::Bulk))
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
