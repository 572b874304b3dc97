//! Aggregate rows into chart rows: categories in a meaningful order (the sales process's
//! stages, months and quarters in time), the series each chart draws, and rates computed
//! from the counts.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::reports::DEAL_BANDS;
use super::{AnalyticsError, Chart, ChartRow, PlotHint, Report};

/// The default sales process's stages, in order; other stages follow alphabetically.
const STAGE_ORDER: [&str; 10] = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

/// The default lead statuses, in order; other statuses follow alphabetically.
const STATUS_ORDER: [&str; 4] = [
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
];

const NONE: &str = "(none)";

type Row = Map<String, Value>;

fn number(report: Report, row: &Row, field: &str) -> Result<f64, AnalyticsError> {
    match row.get(field) {
        None | Some(Value::Null) => Ok(0.0),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| not_a_number(report, field)),
        Some(Value::String(s)) => s.parse().map_err(|_| not_a_number(report, field)),
        Some(_) => Err(not_a_number(report, field)),
    }
}

fn not_a_number(report: Report, field: &str) -> AnalyticsError {
    AnalyticsError::NotANumber {
        report: report.title(),
        field: field.to_string(),
    }
}

fn text(row: &Row, field: &str) -> String {
    match row.get(field) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => NONE.to_string(),
    }
}

fn flag(row: &Row, field: &str) -> bool {
    row.get(field).and_then(Value::as_bool).unwrap_or(false)
}

/// A position for `name` in `order`, unknown names after them alphabetically.
fn ordered(order: &[&str], name: &str) -> (usize, String) {
    let at = order.iter().position(|s| *s == name).unwrap_or(order.len());
    (at, name.to_string())
}

fn rate(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part / whole * 1000.0).round() / 10.0)
}

fn chart(
    report: Report,
    category: &str,
    series: &[&str],
    rows: Vec<ChartRow>,
    plot: PlotHint,
) -> Chart {
    Chart {
        report,
        title: report.title().to_string(),
        category: category.to_string(),
        series: series.iter().map(|s| s.to_string()).collect(),
        rows,
        plot,
        calls: 0,
        queries: Vec::new(),
    }
}

fn bars(bars: &[usize]) -> PlotHint {
    PlotHint {
        bars: bars.to_vec(),
        stacked: false,
        line: None,
    }
}

/// Amount as bars, the number of deals in the chart under them.
fn amount_over_deals() -> PlotHint {
    PlotHint {
        line: Some(1),
        ..bars(&[0])
    }
}

fn period(report: Report, row: &Row, sub: &str) -> Result<String, AnalyticsError> {
    let year = number(report, row, "y")? as i64;
    let part = number(report, row, sub)? as i64;
    Ok(if sub == "q" {
        format!("{year} Q{part}")
    } else {
        format!("{year}-{part:02}")
    })
}

pub fn chart_of(report: Report, rows: &[Row]) -> Result<Chart, AnalyticsError> {
    match report {
        Report::PipelineByStage => {
            let mut out: Vec<((usize, String), ChartRow)> = Vec::new();
            for row in rows {
                let stage = text(row, "StageName");
                out.push((
                    ordered(&STAGE_ORDER, &stage),
                    ChartRow {
                        label: stage,
                        values: vec![
                            Some(number(report, row, "amount")?),
                            Some(number(report, row, "deals")?),
                        ],
                    },
                ));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            let rows = out.into_iter().map(|(_, r)| r).collect();
            Ok(chart(
                report,
                "Stage",
                &["Amount", "Deals"],
                rows,
                amount_over_deals(),
            ))
        }
        Report::PipelineByMonth => {
            let mut out = Vec::new();
            for row in rows {
                out.push(ChartRow {
                    label: period(report, row, "m")?,
                    values: vec![
                        Some(number(report, row, "amount")?),
                        Some(number(report, row, "deals")?),
                    ],
                });
            }
            out.sort_by(|a, b| a.label.cmp(&b.label));
            Ok(chart(
                report,
                "Close month",
                &["Amount", "Deals"],
                out,
                amount_over_deals(),
            ))
        }
        Report::WinRateByQuarter => {
            // quarter → (won, lost, won amount)
            let mut by: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
            for row in rows {
                let entry = by.entry(period(report, row, "q")?).or_default();
                let deals = number(report, row, "deals")?;
                if flag(row, "IsWon") {
                    entry.0 += deals;
                    entry.2 += number(report, row, "amount")?;
                } else {
                    entry.1 += deals;
                }
            }
            let out = by
                .into_iter()
                .map(|(label, (won, lost, amount))| ChartRow {
                    label,
                    values: vec![
                        Some(won),
                        Some(lost),
                        rate(won, won + lost),
                        (won > 0.0).then(|| (amount / won * 100.0).round() / 100.0),
                    ],
                })
                .collect();
            let plot = PlotHint {
                bars: vec![3],
                stacked: false,
                line: Some(2),
            };
            Ok(chart(
                report,
                "Quarter",
                &["Won", "Lost", "Win rate %", "Average won deal"],
                out,
                plot,
            ))
        }
        Report::ByOwner => {
            // owner id → (name, open, won, lost amounts, deals, won deals, closed deals)
            let mut by: BTreeMap<String, (String, [f64; 6])> = BTreeMap::new();
            for row in rows {
                let name = row
                    .get("Owner")
                    .and_then(Value::as_object)
                    .map(|o| text(o, "Name"))
                    .unwrap_or_else(|| text(row, "Name"));
                let entry = by
                    .entry(text(row, "OwnerId"))
                    .or_insert_with(|| (name, [0.0; 6]));
                let amount = number(report, row, "amount")?;
                let deals = number(report, row, "deals")?;
                let v = &mut entry.1;
                match (flag(row, "IsClosed"), flag(row, "IsWon")) {
                    (false, _) => v[0] += amount,
                    (true, true) => {
                        v[1] += amount;
                        v[4] += deals;
                        v[5] += deals;
                    }
                    (true, false) => {
                        v[2] += amount;
                        v[5] += deals;
                    }
                }
                v[3] += deals;
            }
            let mut out: Vec<ChartRow> = by
                .into_values()
                .map(|(label, v)| ChartRow {
                    label,
                    values: vec![
                        Some(v[0]),
                        Some(v[1]),
                        Some(v[2]),
                        Some(v[3]),
                        rate(v[4], v[5]),
                    ],
                })
                .collect();
            out.sort_by(|a, b| a.label.cmp(&b.label));
            let plot = PlotHint {
                bars: vec![0, 1, 2],
                stacked: true,
                line: Some(4),
            };
            Ok(chart(
                report,
                "Owner",
                &[
                    "Open amount",
                    "Won amount",
                    "Lost amount",
                    "Deals",
                    "Win rate %",
                ],
                out,
                plot,
            ))
        }
        Report::LeadFunnel => {
            // source → (leads, contacted, converted)
            let mut by: BTreeMap<String, [f64; 3]> = BTreeMap::new();
            for row in rows {
                let v = by.entry(text(row, "LeadSource")).or_default();
                let leads = number(report, row, "leads")?;
                let converted = flag(row, "IsConverted");
                // Statuses are the org's own; the standard ones name the open ones "Open - …".
                let contacted = converted || !text(row, "Status").starts_with("Open");
                v[0] += leads;
                if contacted {
                    v[1] += leads;
                }
                if converted {
                    v[2] += leads;
                }
            }
            let out = by
                .into_iter()
                .map(|(label, v)| ChartRow {
                    label,
                    values: vec![Some(v[0]), Some(v[1]), Some(v[2]), rate(v[2], v[0])],
                })
                .collect();
            let plot = PlotHint {
                bars: vec![0, 1, 2],
                stacked: false,
                line: Some(3),
            };
            Ok(chart(
                report,
                "Lead source",
                &["Leads", "Contacted", "Converted", "Conversion rate %"],
                out,
                plot,
            ))
        }
        Report::LeadsByStatus => {
            let mut statuses: Vec<(usize, String)> = Vec::new();
            let mut by: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
            for row in rows {
                let status = text(row, "Status");
                let key = ordered(&STATUS_ORDER, &status);
                if !statuses.contains(&key) {
                    statuses.push(key);
                }
                *by.entry(period(report, row, "m")?)
                    .or_default()
                    .entry(status)
                    .or_default() += number(report, row, "leads")?;
            }
            statuses.sort();
            let series: Vec<&str> = statuses.iter().map(|(_, s)| s.as_str()).collect();
            let out = by
                .into_iter()
                .map(|(label, counts)| ChartRow {
                    label,
                    values: series
                        .iter()
                        .map(|s| Some(counts.get(*s).copied().unwrap_or(0.0)))
                        .collect(),
                })
                .collect();
            let plot = PlotHint {
                bars: (0..series.len()).collect(),
                stacked: true,
                line: None,
            };
            Ok(chart(report, "Month created", &series, out, plot))
        }
        Report::AccountsByIndustry => {
            let mut out = Vec::new();
            for row in rows {
                out.push(ChartRow {
                    label: text(row, "Industry"),
                    values: vec![
                        Some(number(report, row, "accounts")?),
                        Some(number(report, row, "revenue")?),
                    ],
                });
            }
            out.sort_by(|a, b| {
                let revenue = |r: &ChartRow| r.values.get(1).copied().flatten().unwrap_or(0.0);
                revenue(b)
                    .total_cmp(&revenue(a))
                    .then(a.label.cmp(&b.label))
            });
            Ok(chart(
                report,
                "Industry",
                &["Accounts", "Annual revenue"],
                out,
                bars(&[1]),
            ))
        }
        Report::DealSizes => deal_sizes(rows),
    }
}

/// The deal size bands' rows, one per band in band order.
pub fn deal_sizes(rows: &[Row]) -> Result<Chart, AnalyticsError> {
    let report = Report::DealSizes;
    let mut out = Vec::new();
    for ((_, label), row) in DEAL_BANDS.iter().zip(rows) {
        out.push(ChartRow {
            label: label.to_string(),
            values: vec![
                Some(number(report, row, "deals")?),
                Some(number(report, row, "amount")?),
            ],
        });
    }
    Ok(chart(
        report,
        "Deal size",
        &["Deals", "Amount"],
        out,
        bars(&[0]),
    ))
}
