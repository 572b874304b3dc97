//! The filters a person types (dates as text, an owner's name, a record type's name), checked
//! and turned into the ids the reports' WHERE clauses compare.

use chrono::{Days, NaiveDate};
use futures_util::TryStreamExt;
use serde_json::{Map, Value};

use super::{AnalyticsError, Report};
use crate::salesforce::Client;
use crate::salesforce::soql_text::quote;

/// What the person asked for; empty texts mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub from: String,
    pub to: String,
    pub owner: String,
    pub record_type: String,
}

/// Filters checked against the org: dates parsed, the owner and record type found by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedFilters {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub owner_id: Option<String>,
    pub record_type_id: Option<String>,
}

impl Filters {
    /// The dates, checked without asking the org: a bad date costs no call.
    pub fn dates(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), AnalyticsError> {
        let from = parse_day("from", &self.from)?;
        let to = parse_day("to", &self.to)?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AnalyticsError::FromAfterTo {
                from: f.to_string(),
                to: t.to_string(),
            });
        }
        Ok((from, to))
    }

    /// Checks the filters for `report`, looking the owner and the record type up (a call
    /// each, only when given).
    pub async fn resolve(
        &self,
        client: &Client,
        report: Report,
        queries: &mut Vec<String>,
    ) -> Result<ResolvedFilters, AnalyticsError> {
        let (from, to) = self.dates()?;
        let owner = self.owner.trim();
        let owner_id = if owner.is_empty() {
            None
        } else {
            let q = quote(owner);
            let soql = format!(
                "SELECT Id, Name FROM User WHERE Name = {q} OR Alias = {q} OR Username = {q} LIMIT 1"
            );
            let rows = records(client, &soql, queries).await?;
            let id = rows
                .first()
                .and_then(|r| r.get("Id"))
                .and_then(Value::as_str)
                .map(str::to_string);
            Some(id.ok_or_else(|| AnalyticsError::UnknownOwner {
                name: owner.to_string(),
            })?)
        };
        let wanted = self.record_type.trim();
        let record_type_id = if wanted.is_empty() {
            None
        } else {
            let object = report.object();
            let soql = format!(
                "SELECT Id, Name, DeveloperName FROM RecordType WHERE SobjectType = {} ORDER BY Name",
                quote(object)
            );
            let rows = records(client, &soql, queries).await?;
            let text = |r: &Map<String, Value>, f: &str| {
                r.get(f).and_then(Value::as_str).unwrap_or("").to_string()
            };
            let found = rows.iter().find(|r| {
                text(r, "Name").eq_ignore_ascii_case(wanted)
                    || text(r, "DeveloperName").eq_ignore_ascii_case(wanted)
            });
            match found {
                Some(r) => Some(text(r, "Id")),
                None => {
                    return Err(AnalyticsError::UnknownRecordType {
                        name: wanted.to_string(),
                        object,
                        known: rows.iter().map(|r| text(r, "Name")).collect(),
                    });
                }
            }
        };
        Ok(ResolvedFilters {
            from,
            to,
            owner_id,
            record_type_id,
        })
    }
}

impl ResolvedFilters {
    /// The WHERE conditions for `report` (joined with AND by the caller).
    pub fn conditions(&self, report: Report) -> Vec<String> {
        let field = report.date_field();
        let datetime = field != "CloseDate";
        let mut out = Vec::new();
        if let Some(from) = self.from {
            out.push(if datetime {
                format!("{field} >= {from}T00:00:00Z")
            } else {
                format!("{field} >= {from}")
            });
        }
        if let Some(to) = self.to {
            out.push(if datetime {
                // The whole last day: before the next day's midnight.
                let next = to.checked_add_days(Days::new(1)).unwrap_or(to);
                format!("{field} < {next}T00:00:00Z")
            } else {
                format!("{field} <= {to}")
            });
        }
        if let Some(owner) = &self.owner_id {
            out.push(format!("OwnerId = {}", quote(owner)));
        }
        if let Some(record_type) = &self.record_type_id {
            out.push(format!("RecordTypeId = {}", quote(record_type)));
        }
        out
    }
}

fn parse_day(flag: &'static str, text: &str) -> Result<Option<NaiveDate>, AnalyticsError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AnalyticsError::BadDate {
            flag,
            value: text.to_string(),
        })
}

/// Every record of `soql` (aggregate answers come in one page), the query noted.
pub(super) async fn records(
    client: &Client,
    soql: &str,
    queries: &mut Vec<String>,
) -> Result<Vec<Map<String, Value>>, AnalyticsError> {
    queries.push(soql.to_string());
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, None)
        .try_collect()
        .await?;
    Ok(pages.into_iter().flat_map(|p| p.records).collect())
}
