//! `tether analytics pipeline|leads|accounts|owners`: the Analytics page's reports in a
//! terminal, through the same library code.

use std::io::Write;

use clap::{Args, ValueEnum};

use super::CliError;
use super::connect::{DataDirArg, runtime};
use super::query::client_for;
use crate::analytics::{self, AnalyticsError, Filters, Group};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reports {
    /// Pipeline by stage, open pipeline by close month, win rate and average deal size by
    /// quarter, deal size distribution.
    Pipeline,
    /// Lead funnel by source with conversion rate, leads by status over time.
    Leads,
    /// Accounts by industry with their annual revenue.
    Accounts,
    /// Opportunities by owner: open, won and lost amounts and win rate.
    Owners,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct AnalyticsArgs {
    /// Which reports to compute.
    #[arg(value_enum)]
    pub reports: Reports,
    /// The connection to read (see `tether connections`).
    #[arg(long, value_name = "NAME")]
    pub connection: String,
    /// First day counted (YYYY-MM-DD): close date for opportunities, created date otherwise.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day counted (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only records owned by this user (full name, alias or username).
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Only records of this record type (its name or developer name).
    #[arg(long, value_name = "NAME")]
    pub record_type: Option<String>,
    /// Output format on standard output (CSV: one line per value, `chart,category,series,value`).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub data: DataDirArg,
}

pub fn analytics(args: AnalyticsArgs) -> Result<(), CliError> {
    let filters = Filters {
        from: args.from.clone().unwrap_or_default(),
        to: args.to.clone().unwrap_or_default(),
        owner: args.owner.clone().unwrap_or_default(),
        record_type: args.record_type.clone().unwrap_or_default(),
    };
    // Dates are checked before anything is asked of the org or the keychain.
    filters.dates().map_err(failed)?;
    let group = match args.reports {
        Reports::Pipeline => Group::Pipeline,
        Reports::Leads => Group::Leads,
        Reports::Accounts => Group::Accounts,
        Reports::Owners => Group::Owners,
    };
    let charts = runtime()?.block_on(async {
        let client = client_for(&args.connection, &args.data).await?;
        analytics::run_reports(&client, group.reports(), &filters)
            .await
            .map_err(failed)
    })?;
    let text = match args.format {
        Format::Table => charts
            .iter()
            .map(analytics::table_text)
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Csv => analytics::long_csv(&charts),
        Format::Json => {
            serde_json::to_string_pretty(&charts).map_err(|e| CliError::Usage(e.to_string()))?
                + "\n"
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                CliError::ClosedPipe
            } else {
                CliError::Usage(format!("cannot write the report: {e}"))
            }
        })
}

fn failed(e: AnalyticsError) -> CliError {
    match e {
        AnalyticsError::Salesforce(e) => CliError::Salesforce(e.to_string()),
        AnalyticsError::Refused { .. } | AnalyticsError::NotANumber { .. } => {
            CliError::Salesforce(e.to_string())
        }
        other => CliError::Usage(other.to_string()),
    }
}
