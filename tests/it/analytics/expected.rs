//! What each report should answer, computed one record at a time from plain queries.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use serde_json::{Map, Value};
use tether::analytics::{Chart, Report};
use tether::salesforce::Client;

pub type Expected = BTreeMap<String, Vec<Option<f64>>>;

/// The filters a test applies, by id, to records read whole.
#[derive(Default, Clone)]
pub struct Keep {
    pub from: Option<&'static str>,
    pub to: Option<&'static str>,
    pub owner_id: Option<String>,
    pub record_type_id: Option<String>,
}

impl Keep {
    fn keeps(&self, report: Report, r: &Map<String, Value>) -> bool {
        let day = match report.object() {
            "Opportunity" => s(r, "CloseDate"),
            _ => s(r, "CreatedDate")[..10].to_string(),
        };
        self.from.is_none_or(|f| day.as_str() >= f)
            && self.to.is_none_or(|t| day.as_str() <= t)
            && self.owner_id.as_ref().is_none_or(|o| &s(r, "OwnerId") == o)
            && self
                .record_type_id
                .as_ref()
                .is_none_or(|t| &s(r, "RecordTypeId") == t)
    }
}

pub async fn all(client: &Client, soql: &str) -> Vec<Map<String, Value>> {
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, None)
        .try_collect()
        .await
        .unwrap();
    pages.into_iter().flat_map(|p| p.records).collect()
}

fn s(r: &Map<String, Value>, f: &str) -> String {
    match r.get(f) {
        Some(Value::String(v)) if !v.is_empty() => v.clone(),
        _ => "(none)".into(),
    }
}

fn n(r: &Map<String, Value>, f: &str) -> f64 {
    r.get(f).and_then(Value::as_f64).unwrap_or(0.0)
}

fn b(r: &Map<String, Value>, f: &str) -> bool {
    r.get(f).and_then(Value::as_bool).unwrap_or(false)
}

fn pct(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part / whole * 1000.0).round() / 10.0)
}

/// Adds `values` to the row `label`, growing it to `width` values.
fn add(out: &mut BTreeMap<String, Vec<f64>>, label: String, values: &[(usize, f64)], width: usize) {
    let row = out.entry(label).or_insert_with(|| vec![0.0; width]);
    for (i, v) in values {
        row[*i] += v;
    }
}

pub async fn expected(client: &Client, report: Report, keep: &Keep) -> Expected {
    let soql = match report.object() {
        "Opportunity" => {
            "SELECT Id, StageName, Amount, CloseDate, OwnerId, Owner.Name, IsClosed, IsWon, RecordTypeId FROM Opportunity"
        }
        "Lead" => "SELECT Id, LeadSource, Status, IsConverted, CreatedDate, OwnerId FROM Lead",
        _ => "SELECT Id, Industry, AnnualRevenue, OwnerId, CreatedDate, RecordTypeId FROM Account",
    };
    let records: Vec<_> = all(client, soql)
        .await
        .into_iter()
        .filter(|r| keep.keeps(report, r))
        .collect();
    let mut sums: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &records {
        let amount = n(r, "Amount");
        match report {
            Report::PipelineByStage => {
                add(&mut sums, s(r, "StageName"), &[(0, amount), (1, 1.0)], 2)
            }
            Report::PipelineByMonth => {
                if !b(r, "IsClosed") {
                    add(
                        &mut sums,
                        s(r, "CloseDate")[..7].to_string(),
                        &[(0, amount), (1, 1.0)],
                        2,
                    )
                }
            }
            Report::WinRateByQuarter => {
                if b(r, "IsClosed") {
                    let day = s(r, "CloseDate");
                    let month: u32 = day[5..7].parse().unwrap();
                    let label = format!("{} Q{}", &day[..4], (month - 1) / 3 + 1);
                    if b(r, "IsWon") {
                        add(&mut sums, label, &[(0, 1.0), (2, amount)], 3)
                    } else {
                        add(&mut sums, label, &[(1, 1.0)], 3)
                    }
                }
            }
            Report::DealSizes => {
                if r.get("Amount").is_some_and(|a| !a.is_null()) {
                    let bounds = [10_000.0, 25_000.0, 50_000.0, 100_000.0];
                    let band = bounds.iter().filter(|b| amount >= **b).count();
                    let labels = [
                        "Under $10k",
                        "$10k to $25k",
                        "$25k to $50k",
                        "$50k to $100k",
                        "$100k and over",
                    ];
                    add(&mut sums, labels[band].into(), &[(0, 1.0), (1, amount)], 2)
                }
            }
            Report::ByOwner => {
                let owner = r["Owner"]["Name"].as_str().unwrap().to_string();
                let slot = match (b(r, "IsClosed"), b(r, "IsWon")) {
                    (false, _) => 0,
                    (true, true) => 1,
                    (true, false) => 2,
                };
                let won = f64::from(u8::from(slot == 1));
                let closed = f64::from(u8::from(slot > 0));
                add(
                    &mut sums,
                    owner,
                    &[(slot, amount), (3, 1.0), (4, won), (5, closed)],
                    6,
                )
            }
            Report::LeadFunnel => {
                let converted = b(r, "IsConverted");
                let contacted = converted || !s(r, "Status").starts_with("Open");
                add(
                    &mut sums,
                    s(r, "LeadSource"),
                    &[
                        (0, 1.0),
                        (1, f64::from(u8::from(contacted))),
                        (2, f64::from(u8::from(converted))),
                    ],
                    3,
                )
            }
            Report::LeadsByStatus => {
                // One column per status, named in the label so the chart's order does not matter.
                let label = format!("{}|{}", &s(r, "CreatedDate")[..7], s(r, "Status"));
                add(&mut sums, label, &[(0, 1.0)], 1)
            }
            Report::AccountsByIndustry => add(
                &mut sums,
                s(r, "Industry"),
                &[(0, 1.0), (1, n(r, "AnnualRevenue"))],
                2,
            ),
        }
    }
    sums.into_iter()
        .map(|(label, v)| {
            let values = match report {
                Report::WinRateByQuarter => vec![
                    Some(v[0]),
                    Some(v[1]),
                    pct(v[0], v[0] + v[1]),
                    (v[0] > 0.0).then(|| (v[2] / v[0] * 100.0).round() / 100.0),
                ],
                Report::ByOwner => vec![
                    Some(v[0]),
                    Some(v[1]),
                    Some(v[2]),
                    Some(v[3]),
                    pct(v[4], v[5]),
                ],
                Report::LeadFunnel => vec![Some(v[0]), Some(v[1]), Some(v[2]), pct(v[2], v[0])],
                _ => v.into_iter().map(Some).collect(),
            };
            (label, values)
        })
        .collect()
}

/// The chart's rows in the form [`expected`] computes (leads by status: a row per month and
/// status, zero counts left out as a record-by-record count has none).
pub fn answered(chart: &Chart) -> Expected {
    let mut out = Expected::new();
    for row in &chart.rows {
        if chart.report == Report::LeadsByStatus {
            for (status, value) in chart.series.iter().zip(&row.values) {
                if value.is_some_and(|v| v > 0.0) {
                    out.insert(format!("{}|{status}", row.label), vec![*value]);
                }
            }
        } else if chart.report == Report::DealSizes && row.values[0] == Some(0.0) {
            continue;
        } else {
            out.insert(row.label.clone(), row.values.clone());
        }
    }
    out
}

/// Compares with a cent's tolerance (sums of money are added in another order).
pub fn assert_same(report: Report, got: &Expected, want: &Expected) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{report:?}: the chart's categories"
    );
    for (label, values) in want {
        let answered = &got[label];
        assert_eq!(answered.len(), values.len(), "{report:?} {label}");
        for (a, w) in answered.iter().zip(values) {
            match (a, w) {
                (Some(a), Some(w)) => assert!(
                    (a - w).abs() < 0.011,
                    "{report:?} {label}: answered {answered:?}, counted {values:?}"
                ),
                _ => assert_eq!(a, w, "{report:?} {label}"),
            }
        }
    }
}
