//! Pipeline, lead and account reports computed by aggregate SOQL: each report is a handful of
//! calls (at most three: the owner's and the record type's look-ups when filtered by them, and
//! the report's own query), counted on the client and answered with its chart's rows.
//!
//! The window's Analytics page and `tether analytics` both run these; this module draws nothing.

mod export;
mod filters;
mod reports;
mod shape;

use serde::Serialize;

use crate::salesforce::{Client, SalesforceError};

pub use export::{long_csv, table_text, to_csv};
pub use filters::{Filters, ResolvedFilters};
pub use reports::run_report;

/// Most calls a report may make: the owner's look-up, the record type's and the report.
pub const MAX_CALLS: u64 = 3;

/// One chart of the Analytics page (and one table of `tether analytics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Report {
    PipelineByStage,
    PipelineByMonth,
    WinRateByQuarter,
    DealSizes,
    ByOwner,
    LeadFunnel,
    LeadsByStatus,
    AccountsByIndustry,
}

/// The groups of reports `tether analytics` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Pipeline,
    Leads,
    Accounts,
    Owners,
}

impl Group {
    pub fn reports(self) -> &'static [Report] {
        use Report::*;
        match self {
            Group::Pipeline => &[
                PipelineByStage,
                PipelineByMonth,
                WinRateByQuarter,
                DealSizes,
            ],
            Group::Leads => &[LeadFunnel, LeadsByStatus],
            Group::Accounts => &[AccountsByIndustry],
            Group::Owners => &[ByOwner],
        }
    }
}

impl Report {
    pub const ALL: [Report; 8] = [
        Report::PipelineByStage,
        Report::PipelineByMonth,
        Report::WinRateByQuarter,
        Report::DealSizes,
        Report::ByOwner,
        Report::LeadFunnel,
        Report::LeadsByStatus,
        Report::AccountsByIndustry,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Report::PipelineByStage => "Pipeline by stage",
            Report::PipelineByMonth => "Open pipeline by close month",
            Report::WinRateByQuarter => "Win rate and average deal size by quarter",
            Report::DealSizes => "Deal size distribution",
            Report::ByOwner => "Opportunities by owner",
            Report::LeadFunnel => "Lead funnel by source",
            Report::LeadsByStatus => "Leads by status over time",
            Report::AccountsByIndustry => "Accounts by industry",
        }
    }

    /// A name of a word or two, for tabs and narrow tables.
    pub fn short_name(self) -> &'static str {
        match self {
            Report::PipelineByStage => "Stages",
            Report::PipelineByMonth => "Close months",
            Report::WinRateByQuarter => "Win rate",
            Report::DealSizes => "Deal sizes",
            Report::ByOwner => "Owners",
            Report::LeadFunnel => "Lead funnel",
            Report::LeadsByStatus => "Lead status",
            Report::AccountsByIndustry => "Industries",
        }
    }

    /// The object the report counts.
    pub fn object(self) -> &'static str {
        match self {
            Report::LeadFunnel | Report::LeadsByStatus => "Lead",
            Report::AccountsByIndustry => "Account",
            _ => "Opportunity",
        }
    }

    /// The date field the date range filters on.
    pub fn date_field(self) -> &'static str {
        match self.object() {
            "Opportunity" => "CloseDate",
            _ => "CreatedDate",
        }
    }
}

/// How a chart is drawn: which series are bars (stacked when more than one) and which is
/// drawn in a smaller chart under them on the same categories (a rate in percent, or a count
/// whose scale the bars' amounts would flatten).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlotHint {
    pub bars: Vec<usize>,
    pub stacked: bool,
    pub line: Option<usize>,
}

/// A report's answer: one row per category (a stage, a month, an owner), one value per
/// series, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub report: Report,
    pub title: String,
    /// The categories' heading: "Stage", "Month", "Owner"...
    pub category: String,
    pub series: Vec<String>,
    pub rows: Vec<ChartRow>,
    pub plot: PlotHint,
    /// API calls the report made, look-ups included.
    pub calls: u64,
    /// The queries sent, in order.
    pub queries: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartRow {
    pub label: String,
    /// `None` where a value has no meaning (a win rate without closed deals).
    pub values: Vec<Option<f64>>,
}

impl Chart {
    /// The value of `series` in `row`, when both exist.
    pub fn value(&self, row: &str, series: &str) -> Option<f64> {
        let column = self.series.iter().position(|s| s == series)?;
        self.rows
            .iter()
            .find(|r| r.label == row)
            .and_then(|r| r.values.get(column).copied().flatten())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("the {flag} date `{value}` is not a date; write it as YYYY-MM-DD, e.g. 2025-01-31")]
    BadDate { flag: &'static str, value: String },
    #[error(
        "the date range starts on {from} but ends before it, on {to}; swap the from and to dates"
    )]
    FromAfterTo { from: String, to: String },
    #[error(
        "no user is named `{name}`; give the owner's full name, alias or username as Salesforce shows it"
    )]
    UnknownOwner { name: String },
    #[error("{object} has no record type named `{name}`; {}", known_types(.known))]
    UnknownRecordType {
        name: String,
        object: &'static str,
        known: Vec<String>,
    },
    #[error("{report}: Salesforce answered with a value that is not a number in `{field}`")]
    NotANumber { report: &'static str, field: String },
    #[error("{report}: Salesforce refused a query ({message}); check the filters and try again")]
    Refused {
        report: &'static str,
        message: String,
    },
    #[error("{0}")]
    Salesforce(#[from] SalesforceError),
}

fn known_types(known: &[String]) -> String {
    if known.is_empty() {
        "it has none in this org, so leave the record type filter empty for it".into()
    } else {
        format!("its record types are {}", known.join(", "))
    }
}

/// Runs `reports` in order with the same filters, each with its own look-ups (so each chart's
/// calls are what refreshing it alone costs).
pub async fn run_reports(
    client: &Client,
    reports: &[Report],
    filters: &Filters,
) -> Result<Vec<Chart>, AnalyticsError> {
    let mut charts = Vec::new();
    for report in reports {
        charts.push(run_report(client, *report, filters).await?);
    }
    Ok(charts)
}
