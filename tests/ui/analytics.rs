//! The Analytics page on the real desktop service and the built-in sandbox org: each chart
//! opens with its numbers and API calls, a filter narrows it, a bad date is named, and the
//! shown chart's data is exported through the file dialog.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tether::desktop::{DesktopConfig, SandboxOptions};
use tether::ui::file_dialog::{FileQuestion, Picked};
use tether::ui::{Launch, Prefs, TetherApp};

use crate::support::live::{click, nav, wait_for_containing, wait_until};

const TABS: [(&str, &str); 8] = [
    ("Stages", "Pipeline by stage"),
    ("Close months", "Open pipeline by close month"),
    ("Win rate", "Win rate and average deal size by quarter"),
    ("Deal sizes", "Deal size distribution"),
    ("Owners", "Opportunities by owner"),
    ("Lead funnel", "Lead funnel by source"),
    ("Lead status", "Leads by status over time"),
    ("Industries", "Accounts by industry"),
];

fn window(dir: &std::path::Path, export_to: PathBuf) -> Harness<'static, TetherApp> {
    let config = DesktopConfig {
        data_dir: dir.join("data"),
        workspace: dir.join("workspace.sqlite"),
        secrets: None,
        open_url: Arc::new(|_: &str| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(30),
        sandbox: Some(SandboxOptions {
            starter: tether_bench::embedded::sandbox_starter(),
            start: tether::desktop::SandboxStart {
                data_file: None,
                seed_records: Some(800),
            },
            connect_at_start: false,
            demo_links: false,
        }),
    };
    let picker = Arc::new(move |_: &FileQuestion| Picked::Path(export_to.clone()));
    let launch = Launch::service(config, tether::ui::APP_TITLE, None).with_picker(picker);
    Harness::builder()
        .with_size(egui::vec2(1024.0, 700.0))
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()))
}

/// The chart's totals in words ("12 categories · amount $1,234 · deals 56").
fn summary(h: &Harness<'static, TetherApp>) -> Option<String> {
    h.query_all_by_label_contains(" categor")
        .filter_map(|n| {
            n.accesskit_node()
                .label()
                .or_else(|| n.accesskit_node().value())
        })
        .next()
}

fn set_field(h: &mut Harness<'static, TetherApp>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.step();
    if !text.is_empty() {
        h.get_by_role_and_label(Role::TextInput, label)
            .type_text(text);
    }
    h.step();
    h.step();
}

#[test]
fn each_chart_opens_narrows_with_its_filter_and_exports_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("chart.csv");
    let mut h = window(dir.path(), export.clone());
    click(&mut h, "Explore the sandbox org");
    wait_until(&mut h, "the sandbox org connected", |h| {
        !h.state().model().connections.is_empty()
    });
    nav(&mut h, "Analytics");
    for (tab, title) in TABS {
        click(&mut h, tab);
        wait_until(&mut h, &format!("{title} with its calls"), |h| {
            h.query_by_label(title).is_some()
                && h.query_by_label("1 API call").is_some()
                && summary(h).is_some()
        });
        let whole = summary(&h).unwrap();
        set_field(&mut h, "Owner", "Maria Santos");
        click(&mut h, "Refresh");
        wait_until(&mut h, &format!("{title} for one owner"), |h| {
            h.query_by_label("2 API calls").is_some() && summary(h).is_some_and(|s| s != whole)
        });
        let narrowed = summary(&h).unwrap();
        assert_ne!(
            narrowed, whole,
            "{title}: the owner filter narrows the chart"
        );
        set_field(&mut h, "Owner", "");
    }

    // Deal sizes, filtered by record type as well: the look-ups and the Composite call.
    click(&mut h, "Deal sizes");
    set_field(&mut h, "Owner", "Devon Clarke");
    set_field(&mut h, "Record type", "Renewal");
    click(&mut h, "Refresh");
    wait_until(&mut h, "deal sizes of one owner's renewals", |h| {
        h.query_by_label("3 API calls").is_some()
    });
    click(&mut h, "Export CSV");
    wait_for_containing(&mut h, "Saved the chart's data to");
    let csv = std::fs::read_to_string(&export).unwrap();
    assert!(
        csv.starts_with("Deal size,Deals,Amount\r\nUnder $10k,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 6, "a header and five bands: {csv}");

    set_field(&mut h, "Record type", "");
    set_field(&mut h, "Owner", "");
    set_field(&mut h, "Close date from", "2025-13-01");
    click(&mut h, "Refresh");
    // The hint names the value as code; the banner shows it without backticks.
    wait_for_containing(&mut h, "the from date 2025-13-01 is not a date");
}

/// A chart of `report` with two years of monthly rows and a rate, for the layout checks.
pub fn sample_chart(report: tether::analytics::Report) -> tether::analytics::Chart {
    use tether::analytics::{Chart, ChartRow, PlotHint};
    Chart {
        report,
        title: report.title().into(),
        category: "Month".into(),
        series: vec![
            "Open amount".into(),
            "Won amount".into(),
            "Win rate %".into(),
        ],
        rows: (0..24)
            .map(|m| ChartRow {
                label: format!("{}-{:02}", 2024 + m / 12, m % 12 + 1),
                values: vec![Some(1_000.0 * f64::from(m)), Some(500.0), Some(40.0)],
            })
            .collect(),
        plot: PlotHint {
            bars: vec![0, 1],
            stacked: true,
            line: Some(2),
        },
        calls: 1,
        queries: vec![],
    }
}
