//! A chart's data as CSV (one chart, as the window exports it; or several in long form, as
//! `tether analytics --format csv` prints them) and as a text table.

use super::Chart;
use crate::import::results::neutralised;

fn cell(value: Option<f64>) -> String {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) => format!("{v:.2}"),
        None => String::new(),
    }
}

fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            let c = neutralised(c);
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect();
    quoted.join(",") + "\r\n"
}

/// One chart: its category and series as columns, one line per row. Labels that a
/// spreadsheet would read as formulas are neutralised.
pub fn to_csv(chart: &Chart) -> String {
    let mut header = vec![chart.category.clone()];
    header.extend(chart.series.iter().cloned());
    let mut out = csv_line(&header);
    for row in &chart.rows {
        let mut cells = vec![row.label.clone()];
        cells.extend(row.values.iter().map(|v| cell(*v)));
        out.push_str(&csv_line(&cells));
    }
    out
}

/// Several charts in one table: `chart,category,series,value`, a line per value.
pub fn long_csv(charts: &[Chart]) -> String {
    let header = ["chart", "category", "series", "value"].map(str::to_string);
    let mut out = csv_line(&header);
    for chart in charts {
        for row in &chart.rows {
            for (series, value) in chart.series.iter().zip(&row.values) {
                out.push_str(&csv_line(&[
                    chart.title.clone(),
                    row.label.clone(),
                    series.clone(),
                    cell(*value),
                ]));
            }
        }
    }
    out
}

/// A chart as aligned text, with its title and the calls it cost.
pub fn table_text(chart: &Chart) -> String {
    let mut header = vec![chart.category.clone()];
    header.extend(chart.series.iter().cloned());
    let rows: Vec<Vec<String>> = chart
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.label.clone()];
            cells.extend(r.values.iter().map(|v| cell(*v)));
            cells
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .chain(header.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let calls = if chart.calls == 1 { "call" } else { "calls" };
    let mut out = format!("{} ({} API {calls})\n", chart.title, chart.calls);
    out.push_str(&line(&header));
    for row in &rows {
        out.push_str(&line(row));
    }
    if rows.is_empty() {
        out.push_str("(no records match the filters)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{ChartRow, PlotHint, Report};

    fn chart() -> Chart {
        Chart {
            report: Report::AccountsByIndustry,
            title: "Accounts by industry".into(),
            category: "Industry".into(),
            series: vec!["Accounts".into(), "Annual revenue".into()],
            rows: vec![
                ChartRow {
                    label: "=HYPERLINK(\"http://x\")".into(),
                    values: vec![Some(2.0), Some(1_500.5)],
                },
                ChartRow {
                    label: "Food, Beverage".into(),
                    values: vec![Some(1.0), None],
                },
            ],
            plot: PlotHint {
                bars: vec![1],
                stacked: false,
                line: None,
            },
            calls: 1,
            queries: vec![],
        }
    }

    #[test]
    fn exported_labels_never_run_as_formulas_and_commas_stay_in_their_cell() {
        assert_eq!(
            to_csv(&chart()),
            "Industry,Accounts,Annual revenue\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\",2,1500.50\r\n\
             \"Food, Beverage\",1,\r\n"
        );
        let long = long_csv(&[chart()]);
        assert!(
            long.starts_with("chart,category,series,value\r\n"),
            "{long}"
        );
        assert!(long.contains("Accounts by industry,\"Food, Beverage\",Annual revenue,\r\n"));
    }

    #[test]
    fn the_table_says_its_calls_and_when_nothing_matched() {
        let mut empty = chart();
        empty.rows.clear();
        empty.calls = 3;
        let text = table_text(&empty);
        assert!(
            text.starts_with("Accounts by industry (3 API calls)\n"),
            "{text}"
        );
        assert!(text.ends_with("(no records match the filters)\n"), "{text}");
    }
}
