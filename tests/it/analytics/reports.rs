//! The library's reports against a seeded org.

use sandbox_org::OrgConfig;
use tether::analytics::{AnalyticsError, Filters, MAX_CALLS, Report, run_report};

use super::expected::{Keep, all, answered, assert_same, expected};
use crate::support::client::{TestOrg, client_for, fast_config, start_with};

async fn seeded() -> TestOrg {
    start_with(OrgConfig {
        seed_records: Some(1_200),
        ..OrgConfig::default()
    })
    .await
}

fn total(chart: &tether::analytics::Chart, series: usize) -> f64 {
    chart
        .rows
        .iter()
        .filter_map(|r| r.values.get(series).copied().flatten())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_matches_a_record_by_record_count() {
    let org = seeded().await;
    let client = client_for(&org, fast_config()).await;
    for report in Report::ALL {
        let chart = run_report(&client, report, &Filters::default())
            .await
            .unwrap_or_else(|e| panic!("{report:?}: {e}"));
        assert!(
            !chart.rows.is_empty(),
            "{report:?} has rows on the demo data"
        );
        assert_eq!(chart.calls, 1, "{report:?} unfiltered is one call");
        let want = expected(&client, report, &Keep::default()).await;
        assert_same(report, &answered(&chart), &want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_data_spans_two_years_of_owners_sources_and_conversions() {
    let org = seeded().await;
    let client = client_for(&org, fast_config()).await;
    let chart = run_report(&client, Report::WinRateByQuarter, &Filters::default())
        .await
        .unwrap();
    assert!(
        chart.rows.len() >= 8,
        "closed deals over two years: {:?}",
        chart.rows
    );
    let rates: Vec<f64> = chart.rows.iter().filter_map(|r| r.values[2]).collect();
    assert!(
        rates.iter().all(|r| (5.0..=95.0).contains(r)),
        "win rates look like a sales team's: {rates:?}"
    );
    let owners = run_report(&client, Report::ByOwner, &Filters::default())
        .await
        .unwrap();
    assert!(
        owners.rows.len() >= 5,
        "deals are spread over a team: {:?}",
        owners.rows
    );
    let funnel = run_report(&client, Report::LeadFunnel, &Filters::default())
        .await
        .unwrap();
    let rate = |source: &str| funnel.value(source, "Conversion rate %").unwrap();
    assert!(
        rate("Partner Referral") > rate("Purchased List"),
        "referrals convert better than bought lists"
    );
    let converted = all(
        &client,
        "SELECT Id, ConvertedDate, ConvertedAccountId, ConvertedOpportunityId, Status FROM Lead WHERE IsConverted = true",
    )
    .await;
    assert!(!converted.is_empty());
    for lead in &converted {
        assert_eq!(lead["Status"], "Closed - Converted", "{lead:?}");
        assert!(
            lead["ConvertedDate"].is_string() && lead["ConvertedAccountId"].is_string(),
            "{lead:?}"
        );
    }
    let open_in_past = all(
        &client,
        "SELECT Id FROM Opportunity WHERE IsClosed = false AND CloseDate < 2025-06-02",
    )
    .await;
    let closed_ahead = all(
        &client,
        "SELECT Id FROM Opportunity WHERE IsClosed = true AND CloseDate > 2025-06-02",
    )
    .await;
    assert!(
        open_in_past.is_empty() && closed_ahead.is_empty(),
        "closed deals closed before the demo's today, open ones close after it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_every_report_to_the_records_they_name() {
    let org = seeded().await;
    let client = client_for(&org, fast_config()).await;
    let owner_id = all(&client, "SELECT Id FROM User WHERE Name = 'Maria Santos'").await[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let renewal_id = all(
        &client,
        "SELECT Id FROM RecordType WHERE SobjectType = 'Opportunity' AND DeveloperName = 'Renewal'",
    )
    .await[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    for report in Report::ALL {
        let opportunity = report.object() == "Opportunity";
        let filters = Filters {
            from: "2024-01-01".into(),
            to: "2025-03-31".into(),
            owner: "Maria Santos".into(),
            record_type: if opportunity {
                "Renewal".into()
            } else {
                String::new()
            },
        };
        let keep = Keep {
            from: Some("2024-01-01"),
            to: Some("2025-03-31"),
            owner_id: Some(owner_id.clone()),
            record_type_id: opportunity.then(|| renewal_id.clone()),
        };
        let chart = run_report(&client, report, &filters)
            .await
            .unwrap_or_else(|e| panic!("{report:?}: {e}"));
        let unfiltered = run_report(&client, report, &Filters::default())
            .await
            .unwrap();
        let count = match report {
            Report::DealSizes | Report::AccountsByIndustry => 0,
            Report::PipelineByStage | Report::PipelineByMonth => 1,
            Report::ByOwner => 3,
            _ => 0,
        };
        let (narrow, whole) = if report == Report::WinRateByQuarter {
            (
                total(&chart, 0) + total(&chart, 1),
                total(&unfiltered, 0) + total(&unfiltered, 1),
            )
        } else if report == Report::LeadsByStatus {
            let all = |c: &tether::analytics::Chart| {
                (0..c.series.len()).map(|s| total(c, s)).sum::<f64>()
            };
            (all(&chart), all(&unfiltered))
        } else {
            (total(&chart, count), total(&unfiltered, count))
        };
        if report != Report::PipelineByMonth && report != Report::AccountsByIndustry {
            assert!(narrow > 0.0, "{report:?}: the filters leave some records");
        }
        assert!(
            narrow < whole,
            "{report:?}: {narrow} of {whole} once filtered"
        );
        let want = expected(&client, report, &keep).await;
        assert_same(report, &answered(&chart), &want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_report_costs_at_most_three_calls_as_the_org_counts_them() {
    let org = seeded().await;
    let client = client_for(&org, fast_config()).await;
    for report in Report::ALL {
        let filters = Filters {
            owner: "Devon Clarke".into(),
            record_type: if report.object() == "Lead" {
                String::new()
            } else if report.object() == "Account" {
                "Household".into()
            } else {
                "New Business".into()
            },
            ..Filters::default()
        };
        let before = org.api_used().await;
        let chart = run_report(&client, report, &filters)
            .await
            .unwrap_or_else(|e| panic!("{report:?}: {e}"));
        let used = org.api_used().await - before;
        assert_eq!(
            chart.calls, used,
            "{report:?}: the chart says what the org counted"
        );
        assert!(used <= MAX_CALLS, "{report:?} made {used} calls");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_filter_input_is_named_before_any_report_is_sent() {
    let org = seeded().await;
    let client = client_for(&org, fast_config()).await;
    let run = |filters: Filters, report: Report| {
        let client = client.clone();
        async move { run_report(&client, report, &filters).await.unwrap_err() }
    };
    let before = org.api_used().await;
    let e = run(
        Filters {
            from: "2025-13-01".into(),
            ..Filters::default()
        },
        Report::PipelineByStage,
    )
    .await;
    assert!(
        matches!(e, AnalyticsError::BadDate { flag: "from", .. }),
        "{e}"
    );
    assert!(
        e.to_string().contains("2025-13-01") && e.to_string().contains("YYYY-MM-DD"),
        "{e}"
    );
    let e = run(
        Filters {
            from: "2025-05-01".into(),
            to: "2025-04-01".into(),
            ..Filters::default()
        },
        Report::LeadFunnel,
    )
    .await;
    assert!(matches!(e, AnalyticsError::FromAfterTo { .. }), "{e}");
    assert_eq!(org.api_used().await, before, "bad dates cost no call");

    let e = run(
        Filters {
            owner: "Nobody O'Brien".into(),
            ..Filters::default()
        },
        Report::ByOwner,
    )
    .await;
    assert!(
        e.to_string().contains("no user is named `Nobody O'Brien`"),
        "{e}"
    );
    let e = run(
        Filters {
            record_type: "Upsell".into(),
            ..Filters::default()
        },
        Report::DealSizes,
    )
    .await;
    assert_eq!(
        e.to_string(),
        "Opportunity has no record type named `Upsell`; its record types are New Business, Renewal"
    );
    let e = run(
        Filters {
            record_type: "Renewal".into(),
            ..Filters::default()
        },
        Report::LeadsByStatus,
    )
    .await;
    assert!(
        e.to_string()
            .starts_with("Lead has no record type named `Renewal`; it has none"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_created_without_a_record_type_gets_its_objects_default() {
    let org = start_with(OrgConfig::default()).await;
    let deal = |record_type: Option<&str>| {
        let mut body = serde_json::json!({
            "Name": "Boiler", "StageName": "Prospecting", "CloseDate": "2025-09-01"
        });
        if let Some(id) = record_type {
            body["RecordTypeId"] = id.into();
        }
        body
    };
    let plain = org.create("Opportunity", deal(None)).await;
    let renewal = org
        .create("Opportunity", deal(Some("0125g000001RnwLAAS")))
        .await;
    let account = org
        .create("Account", serde_json::json!({"Name": "Acme"}))
        .await;
    let lead = org
        .create(
            "Lead",
            serde_json::json!({"LastName": "Ng", "Company": "Acme"}),
        )
        .await;
    assert_eq!(
        org.get("Opportunity", &plain).await["RecordTypeId"],
        "0125g000001NBzQAAW",
        "the describe's default, New Business"
    );
    assert_eq!(
        org.get("Opportunity", &renewal).await["RecordTypeId"],
        "0125g000001RnwLAAS"
    );
    assert_eq!(
        org.get("Account", &account).await["RecordTypeId"],
        "01254000001upcKAAQ",
        "Household, the Account describe's default"
    );
    assert!(
        org.get("Lead", &lead).await.get("RecordTypeId").is_none(),
        "Lead has no record types in this org"
    );
}
