//! The desktop service's History, error browser and conflicts inbox over a real workspace
//! filled through the journal API.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use tether::connect::{Connection, ConnectionDb};
use tether::desktop::{
    DesktopConfig, ErrorFilter, Event, Request, RunFilter, RunSort, Service, Topic, WindowEnd,
    channels,
};
use tether::sync::link::{FieldMapping, Link, MatchKey};
use tether::sync::plan::{Conflict, Direction};
use tether::workspace::Workspace;
use tether::workspace::conflicts::{self, Keep};
use tether::workspace::journal::{
    RecordFailure, RunCounts, RunStatus, Side, Trigger, finish_run, record_error, start_run,
};

const INSTANCE: &str = "https://acme.my.salesforce.com";

struct Fixture {
    dir: tempfile::TempDir,
    ws: Workspace,
    service: Arc<Service>,
    window: WindowEnd,
    links: Vec<i64>,
}

fn link(name: &str, object: &str) -> Link {
    Link {
        name: name.into(),
        connection: "main".into(),
        table: format!("{name}_table"),
        key: "id".into(),
        object: object.into(),
        id_column: "sf_id".into(),
        match_on: MatchKey::SalesforceId,
        create_unmatched: false,
        fields: vec![FieldMapping::column("name", "Name", Direction::Both)],
        pull_filter: None,
        push_filter: None,
        policy: Default::default(),
        deletes: Default::default(),
        archive_column: None,
        schedule: Default::default(),
        strategy: Default::default(),
        time_zone: None,
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("workspace.sqlite");
    let mut ws = Workspace::open(&workspace).expect("workspace");
    let mut links = Vec::new();
    for (name, object) in [("customers", "Account"), ("leads", "Lead")] {
        ws.conn()
            .execute_batch(&format!(
                "CREATE TABLE {name}_table (id INTEGER PRIMARY KEY, name TEXT, sf_id TEXT)"
            ))
            .expect("table");
        links.push(ws.save_link(&link(name, object), "test").expect("link"));
    }
    // The saved connection is where record links come from when this session knows none.
    ConnectionDb::open(&dir.path().join("tether.db"))
        .and_then(|db| {
            db.save(&Connection {
                name: "main".into(),
                login_url: "https://login.salesforce.com".into(),
                instance_url: INSTANCE.into(),
                org_id: "00D000000000001AAA".into(),
                user_id: "005000000000001AAA".into(),
                username: "admin@acme.test".into(),
                client_id: "client".into(),
                connected_at: Utc::now(),
            })
        })
        .expect("connection saved");
    let (service_end, window) = channels(Arc::new(|| {}));
    let config = DesktopConfig {
        data_dir: dir.path().to_path_buf(),
        workspace,
        secrets: None,
        open_url: Arc::new(|_| true),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(5),
        sandbox: None,
    };
    let service = Service::new(config, service_end.outbox);
    Fixture {
        dir,
        ws,
        service,
        window,
        links,
    }
}

impl Fixture {
    /// Runs one request and returns every event it sent.
    async fn ask(&self, request: Request) -> Vec<Event> {
        self.service.clone().handle(request).await;
        let mut events = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            match self.window.try_recv() {
                Ok(event) => events.push(event),
                Err(_) => break,
            }
        }
        events
    }

    fn run(&self, link: usize, status: RunStatus, counts: RunCounts) -> i64 {
        let name = ["customers", "leads"][link];
        let run = start_run(
            self.ws.conn(),
            self.links[link],
            name,
            Trigger::Button,
            None,
        )
        .expect("start");
        finish_run(self.ws.conn(), run, status, &counts, None).expect("finish");
        run
    }

    fn error(&self, run: i64, code: &str, message: &str, key: u32, payload: Value) -> i64 {
        record_error(
            self.ws.conn(),
            run,
            &RecordFailure {
                side: Side::Salesforce,
                sf_id: Some(format!("001{key:015}")),
                row_key: Some(key.to_string()),
                code: code.into(),
                message: message.into(),
                fields: vec!["Name".into()],
                payload: Some(payload),
                hint: tether::sync::hints::hint(code, &["Name".into()], message),
            },
        )
        .expect("error recorded")
    }
}

fn failed(events: &[Event]) -> Option<&String> {
    events.iter().find_map(|e| match e {
        Event::Failed { message, .. } => Some(message),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_come_in_pages_with_filters_sorts_and_totals() {
    let f = fixture();
    let mut ids = Vec::new();
    for i in 0..450u64 {
        let failed = if i % 10 == 0 { i } else { 0 };
        let status = if failed > 0 {
            RunStatus::Partial
        } else {
            RunStatus::Succeeded
        };
        let counts = RunCounts {
            created: 1,
            failed,
            ..Default::default()
        };
        ids.push(f.run((i % 3 == 0) as usize, status, counts));
    }
    let events = f
        .ask(Request::RunsPage {
            filter: RunFilter::default(),
            offset: 200,
            limit: 200,
        })
        .await;
    let Some(Event::RunsPage {
        offset,
        total,
        rows,
        ..
    }) = events.first()
    else {
        panic!("no page: {events:?}");
    };
    assert_eq!((*offset, *total, rows.len()), (200, 450, 200));
    assert_eq!(rows[0].id, ids[449 - 200], "newest first");

    let leads = RunFilter {
        link: Some("leads".into()),
        with_errors: true,
        sort: RunSort::MostFailed,
        ..Default::default()
    };
    let events = f
        .ask(Request::RunsPage {
            filter: leads.clone(),
            offset: 0,
            limit: 5,
        })
        .await;
    let Some(Event::RunsPage {
        filter,
        total,
        rows,
        ..
    }) = events.first()
    else {
        panic!("no page: {events:?}");
    };
    assert_eq!(*filter, leads, "the page says which filter it answers");
    // Runs 0, 30, 60, … 420 are leads (i % 3 == 0) with failures (i % 10 == 0), but run 0
    // failed nothing.
    assert_eq!(*total, (30..450).step_by(30).count() as u64);
    assert_eq!(rows[0].counts.failed, 420);
    assert!(
        rows.windows(2)
            .all(|w| w[0].counts.failed >= w[1].counts.failed)
    );

    let detail = f.ask(Request::RunDetail { run_id: ids[420] }).await;
    let Some(Event::RunDetail(detail)) = detail.first() else {
        panic!("no detail: {detail:?}");
    };
    assert_eq!(detail.run.id, ids[420]);
    assert!(
        detail
            .timeline
            .first()
            .is_some_and(|(_, w)| w.starts_with("Started"))
    );
    let missing = f.ask(Request::RunDetail { run_id: 999_999 }).await;
    assert!(
        failed(&missing).is_some_and(|m| m.contains("no longer")),
        "{missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_are_searched_filtered_grouped_and_linked_to_salesforce() {
    let f = fixture();
    let first = f.run(0, RunStatus::Partial, RunCounts::default());
    let second = f.run(1, RunStatus::Partial, RunCounts::default());
    let missing = f.error(
        first,
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [Name]",
        7,
        json!({"Name": null, "Industry": "Energy"}),
    );
    let long = f.error(
        first,
        "STRING_TOO_LONG",
        "Name: data value too large",
        8,
        json!({"Name": "Globex Corporation International"}),
    );
    let lead = f.error(
        second,
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [LastName]",
        9,
        json!({"Company": "Initech"}),
    );

    let page = |filter: ErrorFilter| Request::ErrorsPage {
        filter,
        offset: 0,
        limit: 50,
    };
    let events = f.ask(page(ErrorFilter::default())).await;
    let Some(Event::ErrorsPage { total, rows, .. }) = events.first() else {
        panic!("no page: {events:?}");
    };
    assert_eq!(*total, 3);
    assert_eq!(
        rows.iter().map(|r| r.error.id).collect::<Vec<_>>(),
        [lead, long, missing]
    );
    let row = &rows[2];
    assert_eq!(
        (row.link.as_str(), row.object.as_str()),
        ("customers", "Account")
    );
    assert_eq!(
        row.record_url.as_deref(),
        Some(format!("{INSTANCE}/001000000000000007").as_str())
    );
    assert_eq!(row.response["statusCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(
        row.response["message"],
        "Required fields are missing: [Name]"
    );
    assert_eq!(row.response["fields"], json!(["Name"]));

    for (filter, expected) in [
        (
            ErrorFilter {
                text: "globex".into(),
                ..Default::default()
            },
            vec![long],
        ),
        (
            ErrorFilter {
                text: "initech".into(),
                ..Default::default()
            },
            vec![lead],
        ),
        (
            ErrorFilter {
                text: "001000000000000007".into(),
                ..Default::default()
            },
            vec![missing],
        ),
        (
            ErrorFilter {
                text: "missing lastname".into(),
                ..Default::default()
            },
            vec![lead],
        ),
        (
            ErrorFilter {
                object: Some("Account".into()),
                ..Default::default()
            },
            vec![long, missing],
        ),
        (
            ErrorFilter {
                link: Some("leads".into()),
                ..Default::default()
            },
            vec![lead],
        ),
        (
            ErrorFilter {
                code: Some("STRING_TOO_LONG".into()),
                ..Default::default()
            },
            vec![long],
        ),
        (
            ErrorFilter {
                run: Some(second),
                ..Default::default()
            },
            vec![lead],
        ),
        (
            ErrorFilter {
                since: Some(Utc::now().date_naive().succ_opt().unwrap()),
                ..Default::default()
            },
            vec![],
        ),
    ] {
        let events = f.ask(page(filter.clone())).await;
        let Some(Event::ErrorsPage { total, rows, .. }) = events.first() else {
            panic!("no page for {filter:?}: {events:?}");
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.error.id).collect();
        assert_eq!(ids, expected, "{filter:?}");
        assert_eq!(*total, expected.len() as u64, "{filter:?}");
    }

    let events = f
        .ask(Request::ErrorGroups {
            filter: ErrorFilter::default(),
        })
        .await;
    let Some(Event::ErrorGroups { groups, .. }) = events.first() else {
        panic!("no groups: {events:?}");
    };
    let counts: Vec<(&str, u64)> = groups.iter().map(|g| (g.code.as_str(), g.count)).collect();
    assert_eq!(
        counts,
        [("REQUIRED_FIELD_MISSING", 2), ("STRING_TOO_LONG", 1)]
    );
    assert!(
        groups[1].hint.contains("longer than the field allows"),
        "{}",
        groups[1].hint
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_stats_have_every_day_with_gaps_as_zero() {
    let f = fixture();
    let today = Utc::now().date_naive();
    let old = f.run(
        0,
        RunStatus::Partial,
        RunCounts {
            created: 5,
            updated: 2,
            deleted: 1,
            failed: 3,
            ..Default::default()
        },
    );
    let three_days_ago = format!("{}T08:00:00.000Z", today - chrono::Duration::days(3));
    f.ws.conn()
        .execute(
            "UPDATE tether_runs SET started_at = ?2 WHERE id = ?1",
            (old, three_days_ago),
        )
        .expect("backdated");
    f.run(
        1,
        RunStatus::Succeeded,
        RunCounts {
            updated: 4,
            ..Default::default()
        },
    );

    let events = f.ask(Request::DailyStats { days: 5 }).await;
    let Some(Event::DailyStats(days)) = events.first() else {
        panic!("no stats: {events:?}");
    };
    let shape: Vec<(String, u64, u64)> = days
        .iter()
        .map(|d| (d.day.to_string(), d.synced, d.errors))
        .collect();
    let day = |n: i64| (today - chrono::Duration::days(n)).to_string();
    assert_eq!(
        shape,
        [
            (day(4), 0, 0),
            (day(3), 8, 3),
            (day(2), 0, 0),
            (day(1), 0, 0),
            (day(0), 4, 0)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_csv_with_formula_cells_neutralised() {
    let f = fixture();
    let run = f.run(0, RunStatus::Partial, RunCounts::default());
    let evil = f.error(
        run,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "=HYPERLINK(\"http://evil.invalid\",\"click\")",
        1,
        json!({"Name": "+1 555"}),
    );
    let plain = f.error(
        run,
        "STRING_TOO_LONG",
        "Name: data value too large",
        2,
        json!({}),
    );
    let path = f.dir.path().join("errors.csv");
    let events = f
        .ask(Request::ExportErrors {
            ids: vec![plain, evil],
            path: path.clone(),
        })
        .await;
    assert!(
        events.contains(&Event::Exported {
            path: path.clone(),
            rows: 2
        }),
        "{events:?}"
    );
    let mut reader = csv::Reader::from_path(&path).expect("csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(&header[..3], ["id", "run", "link"]);
    let message = header
        .iter()
        .position(|h| h == "message")
        .expect("message column");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][0], plain.to_string(), "in the order asked");
    assert_eq!(
        &records[1][message],
        "'=HYPERLINK(\"http://evil.invalid\",\"click\")"
    );
    for record in &records {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a live formula cell: {cell:?}"
            );
        }
    }

    let unwritable = f
        .ask(Request::ExportErrors {
            ids: vec![plain],
            path: f.dir.path().join("no/such/dir.csv"),
        })
        .await;
    assert!(
        failed(&unwritable).is_some_and(|m| m.contains("could not write")),
        "{unwritable:?}"
    );
}

fn open_conflict(ws: &Workspace, link: i64, sf_id: &str, key: &str, field: &str) -> i64 {
    conflicts::record_open(
        ws.conn(),
        link,
        sf_id,
        Some(key),
        &Conflict {
            field: field.into(),
            base: Some(json!("Acme")),
            local: Some(json!("Acme Ltd")),
            remote: Some(json!("ACME")),
        },
        None,
    )
    .expect("conflict")
}

#[tokio::test(flavor = "multi_thread")]
async fn conflicts_are_listed_with_names_and_resolved_in_bulk() {
    let f = fixture();
    let a = open_conflict(&f.ws, f.links[0], "001000000000001AAA", "1", "Name");
    let b = open_conflict(&f.ws, f.links[0], "001000000000001AAA", "1", "Industry");
    let c = open_conflict(&f.ws, f.links[1], "00Q000000000002AAA", "2", "Name");

    let events = f.ask(Request::ListConflicts).await;
    let Some(Event::Conflicts(rows)) = events.first() else {
        panic!("no conflicts: {events:?}");
    };
    assert_eq!(
        rows.iter().map(|r| r.conflict.id).collect::<Vec<_>>(),
        [a, b, c]
    );
    assert_eq!(
        (rows[0].link.as_str(), rows[0].object.as_str()),
        ("customers", "Account")
    );
    assert_eq!(rows[0].column.as_deref(), Some("name"), "the mapped column");
    assert_eq!(rows[1].column, None, "Industry is not mapped");
    assert_eq!(
        rows[2].record_url.as_deref(),
        Some(format!("{INSTANCE}/00Q000000000002AAA").as_str())
    );

    let events = f
        .ask(Request::ResolveConflicts {
            ids: vec![a, c],
            keep: Keep::Local,
        })
        .await;
    let Some(Event::Conflicts(left)) = events.first() else {
        panic!("no refreshed list: {events:?}");
    };
    assert_eq!(left.iter().map(|r| r.conflict.id).collect::<Vec<_>>(), [b]);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Notice(n) if n.contains("2 fields"))),
        "{events:?}"
    );
    let kept = conflicts::get(f.ws.conn(), a)
        .expect("read")
        .expect("exists");
    assert_eq!(kept.status.as_str(), "kept_local");
    // Each decided record is synced at once, alone (here without an org: recorded as a run
    // that could not start, marked with its record).
    let scopes = || -> Vec<(String, String)> {
        let mut stmt = f
            .ws
            .conn()
            .prepare("SELECT link_name, scope FROM tether_runs WHERE scope IS NOT NULL ORDER BY link_name")
            .expect("runs");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("runs")
            .collect::<Result<_, _>>()
            .expect("runs")
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while scopes().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        scopes(),
        vec![
            ("customers".to_string(), "Id 001000000000001AAA".to_string()),
            ("leads".to_string(), "Id 00Q000000000002AAA".to_string()),
        ]
    );
    while f.window.try_recv().is_ok() {}

    // Resolving again says which one and why, and still sends the list.
    let events = f
        .ask(Request::ResolveConflicts {
            ids: vec![a],
            keep: Keep::Salesforce,
        })
        .await;
    assert!(
        events.iter().any(|e| matches!(e, Event::Conflicts(_))),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Failed { topic: Topic::Conflicts, message } if message.contains("no longer open")
        )),
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn resolved_errors_are_found_when_asked_for_all_and_exported_with_their_lifecycle() {
    let f = fixture();
    let first = f.run(0, RunStatus::Partial, RunCounts::default());
    f.error(
        first,
        "STRING_TOO_LONG",
        "Name: data value too large",
        1,
        json!({}),
    );
    let fixed_later = f.error(
        first,
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [Name]",
        2,
        json!({}),
    );
    let second = f.run(0, RunStatus::Partial, RunCounts::default());
    let still = f.error(
        second,
        "STRING_TOO_LONG",
        "Name: data value too large",
        1,
        json!({}),
    );
    // A third run fails only record 1 again: record 2 synced.
    let third = f.run(0, RunStatus::Partial, RunCounts::default());
    let last = f.error(
        third,
        "STRING_TOO_LONG",
        "Name: data value too large",
        1,
        json!({}),
    );
    tether::workspace::journal::resolve_errors(f.ws.conn(), "customers", third, None)
        .expect("resolved");

    let page = |filter: ErrorFilter| Request::ErrorsPage {
        filter,
        offset: 0,
        limit: 50,
    };
    let ids_of = |events: &[Event]| match events.first() {
        Some(Event::ErrorsPage { rows, total, .. }) => {
            assert_eq!(*total, rows.len() as u64);
            rows.iter().map(|r| r.error.id).collect::<Vec<_>>()
        }
        other => panic!("no page: {other:?}"),
    };
    let open = f.ask(page(ErrorFilter::default())).await;
    assert_eq!(
        ids_of(&open),
        [last],
        "one open error, shown by its last answer"
    );
    let Some(Event::ErrorsPage { rows, .. }) = open.first() else {
        unreachable!()
    };
    assert_eq!(rows[0].lifecycle.attempts, 3);
    assert_ne!(still, last);
    let all = ErrorFilter {
        include_resolved: true,
        ..Default::default()
    };
    assert_eq!(ids_of(&f.ask(page(all.clone())).await), [last, fixed_later]);
    let search = ErrorFilter {
        text: "required".into(),
        ..all
    };
    assert_eq!(ids_of(&f.ask(page(search)).await), [fixed_later]);

    let path = f.dir.path().join("both.csv");
    f.ask(Request::ExportErrors {
        ids: vec![last, fixed_later],
        path: path.clone(),
    })
    .await;
    let mut reader = csv::Reader::from_path(&path).expect("csv");
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(&records[0][column("status")], "open");
    assert_eq!(&records[0][column("attempts")], "3");
    assert_eq!(&records[1][column("status")], "resolved");
    assert_eq!(&records[1][column("resolved_by_run")], third.to_string());
}
