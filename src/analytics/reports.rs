//! Each report's queries: one aggregate query, or for the deal size bands one Composite call
//! holding a count per band.

use serde_json::{Map, Value};

use super::filters::{Filters, records};
use super::shape;
use super::{AnalyticsError, Chart, Report};
use crate::salesforce::Client;
use crate::salesforce::Subrequest;

/// The deal size bands, in dollars: each from its lower bound up to the next one's. Five,
/// as a Composite call holds at most five queries.
pub const DEAL_BANDS: [(f64, &str); 5] = [
    (0.0, "Under $10k"),
    (10_000.0, "$10k to $25k"),
    (25_000.0, "$25k to $50k"),
    (50_000.0, "$50k to $100k"),
    (100_000.0, "$100k and over"),
];

/// Runs one report: the filters' look-ups, then its own query.
pub async fn run_report(
    client: &Client,
    report: Report,
    filters: &Filters,
) -> Result<Chart, AnalyticsError> {
    let mut queries = Vec::new();
    let resolved = filters.resolve(client, report, &mut queries).await?;
    let conditions = resolved.conditions(report);
    let lookups = queries.len() as u64;
    let mut chart = if report == Report::DealSizes {
        let (rows, composite) = deal_sizes(client, &conditions).await?;
        queries.extend(composite);
        shape::deal_sizes(&rows)?
    } else {
        let soql = soql(report, &conditions);
        let rows = records(client, &soql, &mut queries).await?;
        shape::chart_of(report, &rows)?
    };
    // Look-ups and aggregates are one page each; the deal sizes' queries go in one Composite.
    chart.calls = lookups + 1;
    chart.queries = queries;
    Ok(chart)
}

fn where_clause(fixed: &[&str], conditions: &[String]) -> String {
    let all: Vec<&str> = fixed
        .iter()
        .copied()
        .chain(conditions.iter().map(String::as_str))
        .collect();
    if all.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", all.join(" AND "))
    }
}

/// The aggregate query of every report but the deal size bands.
pub fn soql(report: Report, conditions: &[String]) -> String {
    let w = |fixed: &[&str]| where_clause(fixed, conditions);
    match report {
        Report::PipelineByStage => format!(
            "SELECT StageName, SUM(Amount) amount, COUNT(Id) deals FROM Opportunity{} GROUP BY StageName",
            w(&[])
        ),
        Report::PipelineByMonth => format!(
            "SELECT CALENDAR_YEAR(CloseDate) y, CALENDAR_MONTH(CloseDate) m, SUM(Amount) amount, COUNT(Id) deals \
             FROM Opportunity{} GROUP BY CALENDAR_YEAR(CloseDate), CALENDAR_MONTH(CloseDate) \
             ORDER BY CALENDAR_YEAR(CloseDate), CALENDAR_MONTH(CloseDate)",
            w(&["IsClosed = false"])
        ),
        Report::WinRateByQuarter => format!(
            "SELECT CALENDAR_YEAR(CloseDate) y, CALENDAR_QUARTER(CloseDate) q, IsWon, SUM(Amount) amount, COUNT(Id) deals \
             FROM Opportunity{} GROUP BY CALENDAR_YEAR(CloseDate), CALENDAR_QUARTER(CloseDate), IsWon \
             ORDER BY CALENDAR_YEAR(CloseDate), CALENDAR_QUARTER(CloseDate)",
            w(&["IsClosed = true"])
        ),
        Report::ByOwner => format!(
            "SELECT OwnerId, Owner.Name, IsClosed, IsWon, SUM(Amount) amount, COUNT(Id) deals \
             FROM Opportunity{} GROUP BY OwnerId, Owner.Name, IsClosed, IsWon",
            w(&[])
        ),
        Report::LeadFunnel => format!(
            "SELECT LeadSource, Status, IsConverted, COUNT(Id) leads FROM Lead{} \
             GROUP BY LeadSource, Status, IsConverted",
            w(&[])
        ),
        Report::LeadsByStatus => format!(
            "SELECT CALENDAR_YEAR(CreatedDate) y, CALENDAR_MONTH(CreatedDate) m, Status, COUNT(Id) leads \
             FROM Lead{} GROUP BY CALENDAR_YEAR(CreatedDate), CALENDAR_MONTH(CreatedDate), Status \
             ORDER BY CALENDAR_YEAR(CreatedDate), CALENDAR_MONTH(CreatedDate)",
            w(&[])
        ),
        Report::AccountsByIndustry => format!(
            "SELECT Industry, COUNT(Id) accounts, SUM(AnnualRevenue) revenue FROM Account{} GROUP BY Industry",
            w(&[])
        ),
        Report::DealSizes => deal_band_soql(0, conditions),
    }
}

fn deal_band_soql(band: usize, conditions: &[String]) -> String {
    let low = DEAL_BANDS.get(band).map_or(0.0, |b| b.0);
    let mut fixed = vec![if band == 0 {
        "Amount != null".to_string()
    } else {
        format!("Amount >= {low}")
    }];
    if let Some((high, _)) = DEAL_BANDS.get(band + 1) {
        fixed.push(format!("Amount < {high}"));
    }
    let fixed: Vec<&str> = fixed.iter().map(String::as_str).collect();
    format!(
        "SELECT COUNT(Id) deals, SUM(Amount) amount FROM Opportunity{}",
        where_clause(&fixed, conditions)
    )
}

/// One Composite call: a count and sum per band, in band order.
async fn deal_sizes(
    client: &Client,
    conditions: &[String],
) -> Result<(Vec<Map<String, Value>>, Vec<String>), AnalyticsError> {
    let queries: Vec<String> = (0..DEAL_BANDS.len())
        .map(|band| deal_band_soql(band, conditions))
        .collect();
    let subrequests: Vec<Subrequest> = queries
        .iter()
        .enumerate()
        .map(|(band, soql)| {
            let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
            Subrequest {
                method: "GET".into(),
                url: client.data_path(&format!("/query?q={q}")),
                reference_id: format!("band{band}"),
                body: None,
            }
        })
        .collect();
    let answers = client.composite(false, &subrequests).await?;
    let mut rows = Vec::new();
    for answer in answers {
        if answer.http_status_code != 200 {
            return Err(AnalyticsError::Refused {
                report: Report::DealSizes.title(),
                message: refusal(&answer.body),
            });
        }
        let row = answer
            .body
            .get("records")
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        rows.push(row);
    }
    Ok((rows, queries))
}

fn refusal(body: &Value) -> String {
    body.as_array()
        .and_then(|errors| errors.first())
        .map(|e| {
            format!(
                "{}: {}",
                e.get("errorCode")
                    .and_then(Value::as_str)
                    .unwrap_or("ERROR"),
                e.get("message").and_then(Value::as_str).unwrap_or("")
            )
        })
        .unwrap_or_else(|| body.to_string())
}
