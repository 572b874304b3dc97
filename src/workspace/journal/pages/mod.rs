//! The journal read a page at a time, for tables that scroll through a million runs or
//! errors: each query walks an index from the requested offset, and each total comes from the
//! running totals the schema keeps (or, for a full-text search, a count capped at
//! [`TEXT_COUNT_CAP`]).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Row, params, params_from_iter};
use serde::Serialize;

use super::lifecycle::{ErrorLifecycle, lifecycle_at};
use super::{ErrorRecord, RUN_COLUMNS, RunRecord, RunStatus, Trigger, row_to_run};
use crate::sync::hints;
use crate::sync::link::Link;
use crate::workspace::Result;

mod timeline;
pub use timeline::run_timeline;

/// A full-text search counts its matches up to this many; past it the total says "at least".
pub const TEXT_COUNT_CAP: u64 = 10_000;

/// The order of the runs table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum RunSort {
    #[default]
    Newest,
    Oldest,
    /// Most failed records first.
    MostFailed,
    /// By link name, newest first within a link.
    Link,
}

/// The order of the errors table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum ErrorSort {
    #[default]
    Newest,
    Oldest,
}

/// Which runs a page holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunQuery {
    pub link: Option<String>,
    pub status: Option<RunStatus>,
    pub trigger: Option<Trigger>,
    /// Runs started on or after this day (UTC).
    pub since: Option<NaiveDate>,
    /// Only runs with at least one failed record.
    pub with_errors: bool,
    pub sort: RunSort,
}

/// Which errors a page holds: each error once, with its last answer; with `run`, every
/// attempt of that run instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorQuery {
    /// Resolved errors too; by default only open ones (the record's last attempt failed).
    pub include_resolved: bool,
    /// Words looked for (as prefixes) in the message, code, record id, row key, fields and
    /// payload; every word must be found.
    pub text: String,
    pub link: Option<String>,
    /// The Salesforce object of the error's link.
    pub object: Option<String>,
    pub code: Option<String>,
    pub since: Option<NaiveDate>,
    pub run: Option<i64>,
    pub sort: ErrorSort,
}

/// Rows from an offset, and how many rows the whole filter matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    /// The total stopped counting at [`TEXT_COUNT_CAP`]: there are at least that many.
    pub capped: bool,
}

/// An attempt (an error's last answer, or an attempt of a run) with the link of its run and
/// where its error stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorEntry {
    pub error: ErrorRecord,
    pub link_name: String,
    pub lifecycle: ErrorLifecycle,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeCount {
    pub code: String,
    pub count: u64,
    /// What to do about errors with this code, in plain language.
    pub hint: String,
}

/// Records synced (created, updated or deleted) and failed on one day (UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct DayTotals {
    pub day: NaiveDate,
    pub synced: u64,
    pub failed: u64,
}

/// A page of runs in the query's order.
pub fn runs_page(
    conn: &Connection,
    query: &RunQuery,
    offset: u64,
    limit: u64,
) -> Result<Page<RunRecord>> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    let mut totals_conditions = Vec::new();
    let mut totals_values = Vec::new();
    let mut both = |column: &str, totals_column: &str, value: SqlValue| {
        conditions.push(format!("{column} = ?"));
        values.push(value.clone());
        totals_conditions.push(format!("{totals_column} = ?"));
        totals_values.push(value);
    };
    if let Some(link) = &query.link {
        both("link_name", "link_name", SqlValue::Text(link.clone()));
    }
    if let Some(status) = query.status {
        both("status", "status", sql_text(status.as_str()));
    }
    if let Some(trigger) = query.trigger {
        both("trigger", "trigger", sql_text(trigger.as_str()));
    }
    if query.with_errors {
        conditions.push("failed > 0".to_string());
        totals_conditions.push("with_errors = 1".to_string());
    }
    if let Some(since) = query.since {
        conditions.push("started_at >= ?".to_string());
        values.push(sql_text(&day_text(since)));
        totals_conditions.push("day >= ?".to_string());
        totals_values.push(sql_text(&day_text(since)));
    }
    let order = match query.sort {
        RunSort::Newest => "id DESC",
        RunSort::Oldest => "id ASC",
        RunSort::MostFailed => "failed DESC, id DESC",
        RunSort::Link => "link_name ASC, id DESC",
    };
    values.push(SqlValue::Integer(to_i64(limit)));
    values.push(SqlValue::Integer(to_i64(offset)));
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM tether_runs {} ORDER BY {order} LIMIT ? OFFSET ?",
        where_clause(&conditions)
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(values), row_to_run)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total: i64 = conn.query_row(
        &format!(
            "SELECT coalesce(sum(runs), 0) FROM tether_run_totals {}",
            where_clause(&totals_conditions)
        ),
        params_from_iter(totals_values),
        |r| r.get(0),
    )?;
    Ok(Page {
        rows,
        total: to_u64(total),
        capped: false,
    })
}

/// A page of failed records, newest first unless the query says otherwise.
pub fn errors_page(
    conn: &Connection,
    query: &ErrorQuery,
    offset: u64,
    limit: u64,
) -> Result<Page<ErrorEntry>> {
    let Some(filter) = ErrorConditions::of(conn, query)? else {
        return Ok(Page {
            rows: Vec::new(),
            total: 0,
            capped: false,
        });
    };
    let direction = match query.sort {
        ErrorSort::Newest => "DESC",
        ErrorSort::Oldest => "ASC",
    };
    let mut values = filter.values.clone();
    values.push(SqlValue::Integer(to_i64(limit)));
    values.push(SqlValue::Integer(to_i64(offset)));
    let sql = format!(
        "SELECT {ERROR_COLUMNS} {} ORDER BY {} {direction} LIMIT ? OFFSET ?",
        filter.tables_and_conditions(),
        filter.id_column()
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(values), row_to_entry)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (total, capped) = filter.count(conn)?;
    Ok(Page {
        rows,
        total,
        capped,
    })
}

/// Error codes with how many failed records have each, most first, and a hint for each.
pub fn error_groups(conn: &Connection, query: &ErrorQuery) -> Result<Vec<CodeCount>> {
    let Some(filter) = ErrorConditions::of(conn, query)? else {
        return Ok(Vec::new());
    };
    let counts: Vec<(String, i64)> = if filter.text.is_none() {
        let code = if filter.query.run.is_some() {
            "e.code"
        } else {
            "x.code"
        };
        let sql = format!(
            "SELECT {code}, count(*) {} GROUP BY 1 ORDER BY 2 DESC, 1",
            filter.tables_and_conditions()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        stmt.query_map(params_from_iter(filter.values.clone()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    } else {
        // A search groups its first matches only, as it counts them.
        let mut values = filter.values.clone();
        values.push(SqlValue::Integer(to_i64(TEXT_COUNT_CAP)));
        let sql = format!(
            "SELECT code, count(*) FROM (SELECT e.code AS code {} LIMIT ?)
             GROUP BY code ORDER BY 2 DESC, code",
            filter.tables_and_conditions()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        stmt.query_map(params_from_iter(values), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut latest = conn.prepare_cached(
        "SELECT message FROM tether_run_errors WHERE code = ?1 ORDER BY id DESC LIMIT 1",
    )?;
    counts
        .into_iter()
        .map(|(code, count)| {
            let message: String = latest.query_row([&code], |r| r.get(0)).unwrap_or_default();
            Ok(CodeCount {
                hint: hints::hint(&code, &[], &message),
                code,
                count: to_u64(count),
            })
        })
        .collect()
}

/// These failed records, in the order of `ids`; unknown ids are left out.
pub fn errors_by_ids(conn: &Connection, ids: &[i64]) -> Result<Vec<ErrorEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ERROR_COLUMNS} FROM tether_run_errors e JOIN tether_errors x ON x.id = e.error_id
         WHERE e.id = ?1"
    ))?;
    let mut entries = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query_map([id], row_to_entry)?;
        if let Some(entry) = rows.next() {
            entries.push(entry?);
        }
    }
    Ok(entries)
}

/// Records synced and failed per day for the `days` days ending `today`, oldest first, with
/// days without runs present as zeros.
pub fn daily_totals(conn: &Connection, days: u32, today: NaiveDate) -> Result<Vec<DayTotals>> {
    if days == 0 {
        return Ok(Vec::new());
    }
    let first = today - Duration::days(i64::from(days) - 1);
    let mut stmt = conn.prepare_cached(
        "SELECT day, sum(synced), sum(failed) FROM tether_run_totals
         WHERE day >= ?1 AND day <= ?2 GROUP BY day",
    )?;
    let found: HashMap<String, (i64, i64)> = stmt
        .query_map(params![day_text(first), day_text(today)], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(first
        .iter_days()
        .take(days as usize)
        .map(|day| {
            let (synced, failed) = found.get(&day_text(day)).copied().unwrap_or((0, 0));
            DayTotals {
                day,
                synced: to_u64(synced),
                failed: to_u64(failed),
            }
        })
        .collect())
}

/// The Salesforce object of each link, by link name.
pub fn link_objects(conn: &Connection) -> Result<HashMap<String, Link>> {
    let mut stmt = conn.prepare_cached("SELECT name, definition FROM tether_links")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // A link whose definition no longer parses still has its errors shown, without object.
    Ok(rows
        .into_iter()
        .filter_map(|(name, definition)| {
            serde_json::from_str::<Link>(&definition)
                .ok()
                .map(|link| (name, link))
        })
        .collect())
}

/// `words` as an FTS5 query: each word a quoted prefix, all of them required.
pub fn match_expression(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split_whitespace()
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The attempt's columns, its link, then its error's lifecycle (`e` the attempt, `x` the error).
const ERROR_COLUMNS: &str = "e.id, e.run_id, e.side, e.sf_id, e.row_key, e.code, e.message,
    e.fields, e.payload, e.hint, e.at, coalesce(e.link_name, ''), x.id, x.status, x.attempts,
    x.first_run, x.first_seen, x.last_run, x.last_seen, x.resolved_run, x.resolved_at";

/// The WHERE clause of an error query, shared by its page, count and groups.
struct ErrorConditions {
    text: Option<String>,
    conditions: Vec<String>,
    values: Vec<SqlValue>,
    query: ErrorQuery,
}

impl ErrorConditions {
    /// `None` when nothing can match (an object no link syncs).
    ///
    /// Without `run` a query reads errors (`x`) with their last answer (`e`); with `run`, the
    /// attempts of that run with their errors.
    fn of(conn: &Connection, query: &ErrorQuery) -> Result<Option<ErrorConditions>> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let per_error = query.run.is_none();
        let text = match_expression(&query.text);
        if let Some(expression) = &text {
            conditions.push("tether_run_errors_text MATCH ?".to_string());
            values.push(SqlValue::Text(expression.clone()));
        }
        let (link_column, code_column, time_column) = if per_error {
            ("x.link_name", "x.code", "x.last_seen")
        } else {
            ("e.link_name", "e.code", "e.at")
        };
        if per_error && !query.include_resolved {
            conditions.push("x.status = 'open'".to_string());
        }
        if let Some(link) = &query.link {
            conditions.push(format!("{link_column} = ?"));
            values.push(SqlValue::Text(link.clone()));
        }
        if let Some(object) = &query.object {
            let mut names: Vec<String> = link_objects(conn)?
                .into_iter()
                .filter(|(_, link)| link.object.eq_ignore_ascii_case(object))
                .map(|(name, _)| name)
                .collect();
            if names.is_empty() {
                return Ok(None);
            }
            names.sort();
            conditions.push(format!("{link_column} IN ({})", placeholders(names.len())));
            values.extend(names.iter().cloned().map(SqlValue::Text));
        }
        if let Some(code) = &query.code {
            conditions.push(format!("{code_column} = ?"));
            values.push(SqlValue::Text(code.clone()));
        }
        if let Some(since) = query.since {
            conditions.push(format!("{time_column} >= ?"));
            values.push(sql_text(&day_text(since)));
        }
        if let Some(run) = query.run {
            conditions.push("e.run_id = ?".to_string());
            values.push(SqlValue::Integer(run));
        }
        Ok(Some(ErrorConditions {
            text,
            conditions,
            values,
            query: query.clone(),
        }))
    }

    fn tables_and_conditions(&self) -> String {
        let attempts = if self.text.is_some() {
            "tether_run_errors_text JOIN tether_run_errors e ON e.id = tether_run_errors_text.rowid"
        } else {
            "tether_run_errors e"
        };
        let from = if self.query.run.is_some() {
            format!("FROM {attempts} JOIN tether_errors x ON x.id = e.error_id")
        } else if self.text.is_some() {
            format!("FROM {attempts} JOIN tether_errors x ON x.last_attempt = e.id")
        } else {
            // Walks the errors by their index, then reads each last answer by its id.
            "FROM tether_errors x JOIN tether_run_errors e ON e.id = x.last_attempt".to_string()
        };
        format!("{from} {}", where_clause(&self.conditions))
    }

    /// The column a page is ordered by: the attempt's id, which a search reads from the text
    /// index in rowid order, and the error list from the errors' index.
    fn id_column(&self) -> &'static str {
        if self.text.is_some() {
            "tether_run_errors_text.rowid"
        } else if self.query.run.is_some() {
            "e.id"
        } else {
            "x.last_attempt"
        }
    }

    /// How many errors match, and whether counting stopped at the cap.
    fn count(&self, conn: &Connection) -> Result<(u64, bool)> {
        let mut values = self.values.clone();
        let cap = self.text.as_ref().map(|_| TEXT_COUNT_CAP);
        values.push(SqlValue::Integer(cap.map_or(-1, |c| to_i64(c) + 1)));
        let counted: i64 = conn.query_row(
            &format!(
                "SELECT count(*) FROM (SELECT 1 {} LIMIT ?)",
                self.tables_and_conditions()
            ),
            params_from_iter(values),
            |r| r.get(0),
        )?;
        let counted = to_u64(counted);
        Ok(match cap {
            Some(cap) if counted > cap => (cap, true),
            _ => (counted, false),
        })
    }
}

fn row_to_entry(r: &Row<'_>) -> rusqlite::Result<ErrorEntry> {
    Ok(ErrorEntry {
        error: super::errors::error_record(r)?,
        link_name: r.get(11)?,
        lifecycle: lifecycle_at(r, 12)?,
    })
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn sql_text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_string())
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

pub(super) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests;
