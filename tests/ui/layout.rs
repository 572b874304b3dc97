//! Every page fits the smallest window the app allows and a large one: each button, text field
//! and table header a page shows lies inside the window and on no other.

use std::time::{Duration, Instant};

use chrono::{Days, TimeZone, Utc};
use egui::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use serde_json::json;
use tether::desktop::{
    ConflictRow, ConnectionStatus, ConnectionView, DayStats, ErrorGroup, ErrorRow, Event,
    FieldInfo, LinkCard, LocalColumn, LocalTable, ObjectSummary, Request, channels,
};
use tether::sync::link::{Direction, FieldMapping};
use tether::ui::{About, Launch, Page, Prefs, TetherApp, ThemeChoice};
use tether::workspace::conflicts::{ConflictRecord, ConflictStatus};
use tether::workspace::journal::{
    ErrorLifecycle, ErrorRecord, ErrorStatus, RunCounts, RunRecord, RunStatus, Side, Trigger,
};

pub const SMALL: egui::Vec2 = egui::vec2(1024.0, 700.0);
pub const LARGE: egui::Vec2 = egui::vec2(1920.0, 1080.0);

pub fn connection() -> ConnectionView {
    ConnectionView {
        name: "Acme".into(),
        username: "admin@acme.example".into(),
        org_id: "00D000000000001AAA".into(),
        instance_url: "http://127.0.0.1:9".into(),
        login_url: "http://127.0.0.1:9".into(),
        embedded: false,
        status: ConnectionStatus::Ok,
        api_usage: Some((1_234, 15_000)),
        connected_at: Utc::now(),
    }
}

const FIELDS: [(&str, &str, &str); 14] = [
    ("Name", "Account Name", "string"),
    ("Industry", "Industry", "picklist"),
    ("Phone", "Account Phone", "phone"),
    ("Website", "Website", "url"),
    ("AnnualRevenue", "Annual Revenue", "currency"),
    ("NumberOfEmployees", "Employees", "int"),
    ("BillingCity", "Billing City", "string"),
    ("BillingState", "Billing State/Province", "string"),
    ("BillingCountry", "Billing Country", "string"),
    ("Rating", "Account Rating", "picklist"),
    ("Type", "Account Type", "picklist"),
    ("Description", "Account Description", "textarea"),
    ("AccountNumber", "Account Number", "string"),
    ("Site", "Account Site", "string"),
];

pub fn card(name: &str, last: RunStatus) -> LinkCard {
    let mut link = tether::sync::templates::lead_scores_link("Acme", 7);
    link.name = name.into();
    link.object = "Account".into();
    link.table = "accounts".into();
    link.key = "id".into();
    link.id_column = "sf_id".into();
    link.fields = FIELDS
        .iter()
        .map(|(field, _, _)| FieldMapping::column(&field.to_lowercase(), field, Direction::Pull))
        .collect();
    LinkCard {
        link,
        last_run: Some(run(7, last)),
        last_success: None,
        next_run: None,
        open_conflicts: 3,
        open_errors: 2,
    }
}

fn run(id: i64, status: RunStatus) -> RunRecord {
    let started = Utc
        .timestamp_opt(1_700_000_000 + id * 60, 0)
        .single()
        .expect("time");
    RunRecord {
        id,
        link_id: Some(1),
        link_name: "customers".into(),
        trigger: Trigger::Schedule,
        status,
        started_at: started,
        ended_at: Some(started + chrono::Duration::seconds(3)),
        counts: RunCounts {
            processed: 1_210,
            updated: 1_204,
            failed: 2,
            conflicts: 1,
            api_calls: 12,
            ..Default::default()
        },
        message: None,
        undo_of: None,
        undone_by: None,
        scope: None,
    }
}

fn error(id: i64) -> ErrorRow {
    ErrorRow {
        error: ErrorRecord {
            id,
            run_id: 7,
            side: Side::Salesforce,
            sf_id: Some(format!("001{id:015}")),
            row_key: Some(id.to_string()),
            code: "REQUIRED_FIELD_MISSING".into(),
            message: "Required fields are missing: [Name]".into(),
            fields: vec!["Name".into()],
            payload: Some(json!({"Name": format!("Company {id}")})),
            hint: "Fill in the required field, then sync again.".into(),
            at: Utc::now(),
        },
        lifecycle: ErrorLifecycle {
            error_id: id,
            status: ErrorStatus::Open,
            attempts: 1,
            first_run: 7,
            first_seen: Utc::now(),
            last_run: 7,
            last_seen: Utc::now(),
            resolved_run: None,
            resolved_at: None,
        },
        link: "customers".into(),
        object: "Account".into(),
        name: Some(format!("Company {id}")),
        record_url: Some(format!("https://acme.test/001{id:015}")),
        response: json!({"statusCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}),
    }
}

fn conflict(id: i64, field: &str) -> ConflictRow {
    ConflictRow {
        conflict: ConflictRecord {
            id,
            link_id: 1,
            sf_id: format!("001{id:0>15}"),
            row_key: Some(id.to_string()),
            field: field.into(),
            base: Some(json!("Acme")),
            local: Some(json!(format!("A longer local value of {field} {id}"))),
            remote: Some(json!(format!("A longer Salesforce value of {field} {id}"))),
            detected_run: Some(7),
            detected_at: Utc::now(),
            status: ConflictStatus::Open,
            resolved_at: None,
        },
        link: "customers".into(),
        object: "Account".into(),
        column: Some(field.to_lowercase()),
        name: Some(format!("Company {id}")),
        record_url: None,
    }
}

pub fn fields() -> Vec<FieldInfo> {
    FIELDS
        .iter()
        .map(|(name, label, kind)| FieldInfo {
            name: (*name).into(),
            label: (*label).into(),
            field_type: (*kind).into(),
            length: Some(255),
            required: *name == "Name",
            external_id: false,
            read_only: false,
            picklist_values: vec![],
            restricted_picklist: false,
            reference_to: vec![],
        })
        .collect()
}

fn tables() -> Vec<LocalTable> {
    let mut columns: Vec<LocalColumn> = ["id", "sf_id"]
        .iter()
        .chain(FIELDS.iter().map(|(f, _, _)| f))
        .map(|name| LocalColumn {
            name: name.to_lowercase(),
            declared_type: "TEXT".into(),
            primary_key: *name == "id",
            not_null: false,
        })
        .collect();
    columns.dedup();
    vec![LocalTable {
        name: "accounts".into(),
        columns,
        rows: 964,
    }]
}

/// What a workspace with one connection, two links and some history answers.
pub fn answer(request: Request) -> Vec<Event> {
    match request {
        Request::ListConnections => vec![Event::Connections(vec![connection()])],
        Request::ListLinks => vec![Event::Links(vec![
            card("customers", RunStatus::Partial),
            card("prospects", RunStatus::Succeeded),
        ])],
        Request::DailyStats { days } => {
            let today = Utc::now().date_naive();
            vec![Event::DailyStats(
                (0..u64::from(days))
                    .filter(|d| d % 4 != 1)
                    .map(|d| DayStats {
                        day: today.checked_sub_days(Days::new(d)).expect("day"),
                        synced: 400 + d * 37 % 900,
                        errors: d % 5,
                    })
                    .collect(),
            )]
        }
        Request::ListObjects { connection } => vec![Event::Objects {
            connection,
            objects: (0..300)
                .map(|i| ObjectSummary {
                    name: format!("Object{i}__c"),
                    label: format!("Object {i}"),
                    custom: true,
                })
                .chain([ObjectSummary {
                    name: "Account".into(),
                    label: "Account".into(),
                    custom: false,
                }])
                .collect(),
        }],
        Request::DescribeObject { connection, object } => vec![Event::ObjectFields {
            connection,
            object,
            fields: fields(),
        }],
        Request::ListLocalTables => vec![Event::LocalTables(tables())],
        Request::RunsPage {
            filter,
            offset,
            limit,
        } => vec![Event::RunsPage {
            filter,
            offset,
            total: 500,
            rows: (offset..(offset + limit).min(500))
                .map(|i| run(500 - i as i64, RunStatus::Partial))
                .collect(),
        }],
        Request::ErrorsPage { filter, offset, .. } => vec![Event::ErrorsPage {
            filter,
            offset,
            total: 40,
            rows: (1..=40).map(error).collect(),
        }],
        Request::ErrorGroups { filter } => vec![Event::ErrorGroups {
            filter,
            groups: vec![ErrorGroup {
                code: "REQUIRED_FIELD_MISSING".into(),
                count: 40,
                hint: "Fill in the required field.".into(),
            }],
        }],
        Request::ListConflicts => vec![Event::Conflicts(vec![
            conflict(1, "Name"),
            conflict(2, "Phone"),
            conflict(3, "Industry"),
        ])],
        Request::Analytics(tether::desktop::AnalyticsRequest::Refresh {
            connection,
            report,
            filters,
        }) => vec![Event::Analytics(tether::desktop::AnalyticsEvent::Chart {
            connection,
            filters,
            chart: Box::new(crate::analytics::sample_chart(report)),
        })],
        _ => vec![],
    }
}

/// The real window of `size` over a service thread answering with [`answer`].
pub fn window(size: egui::Vec2, dark: bool) -> Harness<'static, TetherApp> {
    let start = Box::new(move |wake| {
        let (mut service, window) = channels(wake);
        std::thread::spawn(move || {
            while let Some(request) = service.requests.blocking_recv() {
                for event in answer(request) {
                    service.outbox.send(event);
                }
            }
        });
        Ok(window)
    });
    let launch = Launch::with_starter(start, About::default());
    let prefs = Prefs {
        theme: if dark {
            ThemeChoice::Dark
        } else {
            ThemeChoice::Light
        },
        ..Prefs::default()
    };
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, prefs))
}

/// Steps until `done` holds, then a few frames more so that sizes settle.
pub fn step_until(
    harness: &mut Harness<'_, TetherApp>,
    what: &str,
    done: impl Fn(&Harness<'_, TetherApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..6 {
        harness.step();
    }
}

/// Opens `page` through the navigation rail, as a person would, with what it shows by default.
pub fn open(harness: &mut Harness<'_, TetherApp>, page: Page) {
    step_until(harness, "the links", |h| {
        h.query_all_by_label_contains("customers").next().is_some()
    });
    if page != Page::Dashboard {
        harness.get_by_label(page.title()).click();
    }
    step_until(harness, page.title(), |h| h.state().page() == page);
    match page {
        Page::Mappings => {
            // The studio with a link open, its pairs listed.
            harness.get_by_label("Link").click();
            step_until(harness, "the link list", |h| {
                h.query_all_by_label("prospects").next().is_some()
            });
            harness.get_by_label("prospects").click();
            step_until(harness, "the studio", |h| {
                h.query_all_by_label_contains("Account Phone")
                    .next()
                    .is_some()
            });
        }
        Page::History => step_until(harness, "the runs", |h| {
            h.query_all_by_label_contains("Run #500").next().is_some()
        }),
        Page::Analytics => step_until(harness, "the chart", |h| {
            h.query_all_by_label_contains(" categories")
                .next()
                .is_some()
        }),
        Page::Conflicts => step_until(harness, "the conflicts", |h| {
            h.query_all_by_label_contains("Keep Salesforce")
                .next()
                .is_some()
        }),
        _ => {}
    }
}

/// A widget the layout check holds to account: where it is, and the part of it drawn.
#[derive(Debug)]
struct Placed {
    role: Role,
    label: String,
    rect: egui::Rect,
    shown: egui::Rect,
}

/// The buttons, text fields and column headers drawn, with what of each is visible: a widget
/// scrolled out of its area is not shown, one cut by a scroll area's top or bottom is shown in
/// part.
fn placed(harness: &Harness<'_, TetherApp>, width: f32) -> Vec<Placed> {
    harness
        .root()
        .children_recursive()
        .filter_map(|node| {
            let node = node.accesskit_node();
            let role = node.role();
            if !matches!(role, Role::Button | Role::TextInput | Role::ColumnHeader)
                || node.is_hidden()
            {
                return None;
            }
            let (local, _) = node.locate();
            // An egui `Id` is the accesskit id's number; serde turns one into the other safely.
            let id: egui::Id = serde_json::from_value(json!(local.0)).ok()?;
            let response = harness.ctx.read_response(id)?;
            let shown = response.interact_rect;
            let visible = shown.width() > 0.5 && shown.height() > 0.5;
            // Out of sight sideways is a column cut off, not a row scrolled away.
            let beside = response.rect.min.x < 0.0 || response.rect.max.x > width;
            (visible || beside).then(|| Placed {
                role,
                label: node.label().unwrap_or_default(),
                rect: response.rect,
                shown,
            })
        })
        .collect()
}

/// Widgets that stick out of the window or are cut at the side, and pairs that lie on each
/// other.
pub fn misplaced(harness: &Harness<'_, TetherApp>, size: egui::Vec2) -> Vec<String> {
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size).expand(0.5);
    let all = placed(harness, size.x);
    let mut wrong = Vec::new();
    for (i, a) in all.iter().enumerate() {
        let cut_sideways = a.shown.min.x > a.rect.min.x + 1.0 || a.shown.max.x < a.rect.max.x - 1.0;
        if !window.contains_rect(a.shown) || cut_sideways {
            wrong.push(format!(
                "{:?} `{}` at {:?} is cut to {:?} or outside the window",
                a.role, a.label, a.rect, a.shown
            ));
        }
        for b in &all[i + 1..] {
            let overlap = a.shown.intersect(b.shown);
            if overlap.width() > 1.0 && overlap.height() > 1.0 {
                wrong.push(format!(
                    "{:?} `{}` at {:?} overlaps {:?} `{}` at {:?}",
                    a.role, a.label, a.shown, b.role, b.label, b.shown
                ));
            }
        }
    }
    wrong
}

fn check(size: egui::Vec2) {
    let mut pages = Page::MAIN.to_vec();
    pages.push(Page::Settings);
    let mut wrong = Vec::new();
    for page in pages {
        let mut harness = window(size, false);
        open(&mut harness, page);
        wrong.extend(
            misplaced(&harness, size)
                .into_iter()
                .map(|w| format!("{}: {w}", page.title())),
        );
    }
    assert!(wrong.is_empty(), "at {size:?}:\n{}", wrong.join("\n"));
}

#[test]
fn every_page_fits_the_smallest_window() {
    check(SMALL);
}

#[test]
fn every_page_fits_a_large_window() {
    check(LARGE);
}
