//! History, the error browser and the conflicts inbox, driven through the real window's
//! accessibility tree against a scripted service that answers from in-memory lists.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use egui::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use serde_json::json;
use tether::desktop::{ConflictRow, ErrorGroup, ErrorRow, Event, Request, RunDetail, channels};
use tether::ui::file_dialog::{FileQuestion, Picked, Picker};
use tether::ui::{About, Launch, TetherApp};
use tether::workspace::conflicts::{ConflictRecord, ConflictStatus, Keep};
use tether::workspace::journal::{
    ErrorLifecycle, ErrorRecord, ErrorStatus, RunCounts, RunRecord, RunStatus, Side, Trigger,
};

const RUNS: i64 = 5_000;

fn run(id: i64) -> RunRecord {
    let started = Utc
        .timestamp_opt(1_700_000_000 + id * 60, 0)
        .single()
        .expect("time");
    RunRecord {
        id,
        link_id: Some(1),
        link_name: "customers".into(),
        trigger: Trigger::Schedule,
        status: if id % 7 == 0 {
            RunStatus::Partial
        } else {
            RunStatus::Succeeded
        },
        started_at: started,
        ended_at: Some(started + chrono::Duration::seconds(3)),
        counts: RunCounts {
            processed: 10,
            updated: 9,
            failed: (id % 7 == 0) as u64,
            api_calls: 2,
            ..Default::default()
        },
        message: None,
        undo_of: None,
        undone_by: None,
        scope: None,
    }
}

fn error(id: i64, code: &str, message: &str) -> ErrorRow {
    ErrorRow {
        error: ErrorRecord {
            id,
            run_id: 7,
            side: Side::Salesforce,
            sf_id: Some(format!("001{id:015}")),
            row_key: Some(id.to_string()),
            code: code.into(),
            message: message.into(),
            fields: vec!["Name".into()],
            payload: Some(json!({"Name": format!("Payload company {id}")})),
            hint: format!("Fix record {id}, then sync again."),
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
        // Error 1's record has no name in the local table: its row stands in.
        name: (id != 1).then(|| format!("Company {id}")),
        record_url: Some(format!("https://acme.test/001{id:015}")),
        response: json!({"statusCode": code, "message": message, "fields": ["Name"]}),
    }
}

fn errors() -> Vec<ErrorRow> {
    vec![
        error(
            3,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
        ),
        error(2, "STRING_TOO_LONG", "Name: data value too large"),
        error(
            1,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [LastName]",
        ),
    ]
}

fn conflict(id: i64, key: &str, field: &str) -> ConflictRow {
    ConflictRow {
        conflict: ConflictRecord {
            id,
            link_id: 1,
            sf_id: format!("001{key:0>15}"),
            row_key: Some(key.into()),
            field: field.into(),
            base: Some(json!("Acme")),
            local: Some(json!(format!("Local {field} {key}"))),
            remote: Some(json!(format!("Remote {field} {key}"))),
            detected_run: Some(7),
            detected_at: Utc::now(),
            status: ConflictStatus::Open,
            resolved_at: None,
        },
        link: "customers".into(),
        object: "Account".into(),
        // Row 8 has no name in the local table.
        name: (key == "7").then(|| "Acme Corp".to_string()),
        column: Some(field.to_lowercase()),
        record_url: None,
    }
}

/// Every request the window sent, in order.
type Log = Arc<Mutex<Vec<Request>>>;

/// The real window over a service thread that answers from in-memory lists.
fn app() -> (Harness<'static, TetherApp>, Log) {
    app_with_picker(Arc::new(|_: &FileQuestion| Picked::Cancelled))
}

/// [`app`], with file dialogs answered by `picker`.
fn app_with_picker(picker: Picker) -> (Harness<'static, TetherApp>, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let start = Box::new(move |wake| {
        let (mut service, window) = channels(wake);
        std::thread::spawn(move || {
            let mut conflicts = vec![
                conflict(1, "7", "Name"),
                conflict(2, "7", "Phone"),
                conflict(3, "8", "Name"),
            ];
            while let Some(request) = service.requests.blocking_recv() {
                seen.lock().expect("log").push(request.clone());
                let events = answer(request, &mut conflicts);
                for event in events {
                    service.outbox.send(event);
                }
            }
        });
        Ok(window)
    });
    let launch = Launch::with_starter(start, About::default()).with_picker(picker);
    let harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|cc| TetherApp::new(cc, launch));
    (harness, log)
}

fn answer(request: Request, conflicts: &mut Vec<ConflictRow>) -> Vec<Event> {
    match request {
        Request::ListConnections => vec![Event::Connections(vec![])],
        Request::ListLinks => vec![Event::Links(vec![])],
        Request::RunsPage {
            filter,
            offset,
            limit,
        } => {
            let rows = (0..limit as i64)
                .map(|i| RUNS - offset as i64 - i)
                .take_while(|id| *id > 0)
                .map(run)
                .collect();
            vec![Event::RunsPage {
                filter,
                offset,
                total: RUNS as u64,
                rows,
            }]
        }
        Request::RunDetail { run_id } => vec![Event::RunDetail(Box::new(RunDetail {
            run: RunRecord {
                message: Some(format!(
                    "1 record failed: see `tether errors --run {run_id}`"
                )),
                ..run(run_id)
            },
            errors: vec![error(
                9,
                "STRING_TOO_LONG",
                "Industry: data value too large",
            )],
            total_errors: 1,
            timeline: vec![(run(run_id).started_at, "Started (on schedule)".into())],
            changes: Default::default(),
        }))],
        Request::ErrorsPage { filter, offset, .. } => {
            let words = filter.text.to_lowercase();
            let rows: Vec<ErrorRow> = errors()
                .into_iter()
                .filter(|e| e.error.message.to_lowercase().contains(&words))
                .filter(|e| filter.code.as_ref().is_none_or(|c| *c == e.error.code))
                .collect();
            vec![Event::ErrorsPage {
                filter,
                offset,
                total: rows.len() as u64,
                rows,
            }]
        }
        Request::ErrorGroups { filter } => vec![Event::ErrorGroups {
            filter,
            groups: vec![
                ErrorGroup {
                    code: "REQUIRED_FIELD_MISSING".into(),
                    count: 2,
                    hint: "Fill in the required field.".into(),
                },
                ErrorGroup {
                    code: "STRING_TOO_LONG".into(),
                    count: 1,
                    hint: "Shorten the value.".into(),
                },
            ],
        }],
        Request::ListConflicts => vec![Event::Conflicts(conflicts.clone())],
        Request::ResolveConflicts { ids, .. } => {
            conflicts.retain(|c| !ids.contains(&c.conflict.id));
            vec![Event::Conflicts(conflicts.clone())]
        }
        _ => vec![],
    }
}

/// Steps the window until `done` holds, or fails after a deadline.
fn step_until(
    harness: &mut Harness<'_, TetherApp>,
    what: &str,
    done: impl Fn(&Harness<'_, TetherApp>) -> bool,
) {
    // A guard against a hang, not a bound on speed: a loaded machine draws frames slowly.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The ids of the runs whose rows are drawn.
fn shown_runs(harness: &Harness<'_, TetherApp>) -> Vec<i64> {
    harness
        .query_all_by_label_contains("Run #")
        .filter_map(|node| {
            node.accesskit_node()
                .label()?
                .strip_prefix("Run #")?
                .parse()
                .ok()
        })
        .collect()
}

fn has(harness: &Harness<'_, TetherApp>, label: &str) -> bool {
    harness.query_by_label(label).is_some()
}

fn sent(log: &Log, matches: impl Fn(&Request) -> bool) -> bool {
    log.lock().expect("log").iter().any(matches)
}

fn go_to(harness: &mut Harness<'_, TetherApp>, page: &str) {
    harness.get_by_role_and_label(Role::Button, page).click();
    harness.step();
}

#[test]
fn history_pages_through_the_runs_and_opens_one() {
    let (mut harness, log) = app();
    go_to(&mut harness, "History");
    step_until(&mut harness, "the newest run", |h| has(h, "Run #5000"));
    assert!(has(&harness, "5,000 runs"));
    assert!(sent(&log, |r| matches!(
        r,
        Request::RunsPage { offset: 0, .. }
    )));
    assert!(
        !sent(
            &log,
            |r| matches!(r, Request::RunsPage { offset, .. } if *offset >= 1_000)
        ),
        "only pages near the top"
    );

    // Scroll far down: the page under the view is asked for, once, and its rows appear.
    let table = harness.get_by_label("Run #4995").rect().center();
    // The wheel turns until the rows far down are drawn: a frame that lays the table out
    // anew (a page arriving) may take a turn without moving it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !shown_runs(&harness).iter().any(|id| *id <= RUNS - 1_000) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for rows far down"
        );
        harness.hover_at(table);
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Page,
            delta: egui::vec2(0.0, -20.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    // Let the scrolling settle, then every row shown must come from a page asked for.
    harness.run_steps(20);
    step_until(&mut harness, "the rows to settle", |h| {
        !shown_runs(h).is_empty()
    });
    let shown = shown_runs(&harness);
    let mut far: Vec<u64> = log
        .lock()
        .expect("log")
        .iter()
        .filter_map(|r| match r {
            Request::RunsPage { offset, .. } => Some(*offset),
            _ => None,
        })
        .collect();
    assert!(far.iter().all(|o| o % 200 == 0), "whole pages: {far:?}");
    for id in &shown {
        let page = (RUNS - id) as u64 / 200 * 200;
        assert!(
            far.contains(&page),
            "run {id} shown without page {page}: {far:?}"
        );
    }
    let asked = far.len();
    far.sort_unstable();
    far.dedup();
    assert_eq!(far.len(), asked, "each page asked once");
    assert!(!has(&harness, "Run #5000"), "the top scrolled away");

    // Opening a run shows its counts, timeline and errors; Esc closes it.
    let visible = shown[shown.len() / 2];
    harness.get_by_label(&format!("Run #{visible}")).click();
    step_until(&mut harness, "the run's detail", |h| {
        has(h, "Started (on schedule)")
    });
    assert!(sent(&log, |r| *r == Request::RunDetail { run_id: visible }));
    assert!(has(&harness, "Processed"), "its counts");
    assert!(
        has(&harness, "STRING_TOO_LONG · 9"),
        "its errors are listed"
    );
    assert!(
        has(
            &harness,
            &format!("1 record failed: see tether errors --run {visible}")
        ),
        "the run's message names the command without backticks"
    );
    harness.key_press(egui::Key::Escape);
    step_until(&mut harness, "the panel to close", |h| {
        !has(h, "Started (on schedule)")
    });
}

#[test]
fn the_error_browser_groups_searches_shows_details_and_retries() {
    let (mut harness, log) = app();
    go_to(&mut harness, "Errors");
    step_until(&mut harness, "the groups", |h| {
        has(h, "REQUIRED_FIELD_MISSING · 2")
    });
    assert!(has(&harness, "STRING_TOO_LONG · 1"));
    assert!(
        has(&harness, "Fill in the required field."),
        "each group has its hint"
    );
    step_until(&mut harness, "the errors", |h| {
        has(h, "Name: data value too large")
    });
    // Records by name, their Id secondary beside it.
    assert!(has(&harness, "Company 2"), "the record's name");
    assert!(has(&harness, "001000000000000002"), "its Id beside it");

    // Ctrl+F focuses the search box; typing sends the words as the filter.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.step();
    let search = harness.get_by_label("Search");
    assert!(search.is_focused(), "Ctrl+F focuses the search");
    search.type_text("lastname");
    step_until(&mut harness, "the search to apply", |h| {
        !has(h, "Name: data value too large") && has(h, "Required fields are missing: [LastName]")
    });
    assert!(sent(
        &log,
        |r| matches!(r, Request::ErrorsPage { filter, .. } if filter.text == "lastname")
    ));
    assert!(has(&harness, "Required fields are missing: [LastName]"));

    // Opening an error shows what was sent and what Salesforce answered.
    harness
        .get_by_label("Required fields are missing: [LastName]")
        .click();
    step_until(&mut harness, "the error's detail", |h| {
        has(h, "Payload sent")
    });
    let payload = harness.get_by_role_and_label(Role::MultilineTextInput, "Payload sent");
    assert!(
        payload
            .value()
            .is_some_and(|v| v.contains("Payload company 1")),
        "{:?}",
        payload.value()
    );
    let response = harness.get_by_role_and_label(Role::MultilineTextInput, "Salesforce response");
    assert!(
        response
            .value()
            .is_some_and(|v| v.contains("\"statusCode\": \"REQUIRED_FIELD_MISSING\""))
    );
    assert!(
        has(&harness, "Fix record 1, then sync again."),
        "what to do"
    );

    // Retry sends the checked errors.
    harness.get_by_label("Select error 1").click();
    harness.run_steps(3);
    harness.get_by_label("Retry 1 failed record").click();
    step_until(&mut harness, "the retry", |h| {
        let _ = h;
        sent(&log, |r| *r == Request::RetryErrors { ids: vec![1] })
    });
    harness.get_by_label("Open in Salesforce").click();
    step_until(&mut harness, "the record to open", |_| {
        sent(&log, |r| {
            *r == Request::OpenUrl {
                url: "https://acme.test/001000000000000001".into(),
            }
        })
    });
}

#[test]
fn conflicts_resolve_per_field_and_in_bulk() {
    let (mut harness, log) = app();
    go_to(&mut harness, "Conflicts");
    step_until(&mut harness, "the conflicts", |h| has(h, "Local Phone 7"));
    assert!(has(&harness, "3 fields wait for a decision"));
    assert!(has(&harness, "Remote Phone 7"), "both sides side by side");
    assert!(
        has(&harness, "customers · Acme Corp"),
        "the record by its name"
    );
    assert!(
        has(&harness, "Account 001000000000000007"),
        "its Id beside it"
    );

    harness
        .get_by_label("Keep Salesforce Phone of Acme Corp")
        .click();
    step_until(&mut harness, "the field to leave", |h| {
        !has(h, "Local Phone 7")
    });
    assert!(sent(&log, |r| *r
        == Request::ResolveConflicts {
            ids: vec![2],
            keep: Keep::Salesforce
        }));

    harness.get_by_label("Select Name of Acme Corp").click();
    harness.run_steps(3);
    harness.get_by_label("Select Name of row 8").click();
    harness.run_steps(3);
    harness.get_by_label("Keep local for 2 selected").click();
    step_until(&mut harness, "the inbox to empty", |h| {
        has(h, "No conflicts")
    });
    assert!(sent(&log, |r| *r
        == Request::ResolveConflicts {
            ids: vec![1, 3],
            keep: Keep::Local
        }));
}

/// The export's place is asked of the file dialog; where none can open, a typed path stands
/// in, suggested in the home folder.
#[test]
fn errors_export_where_the_dialog_says_or_to_a_typed_path_without_one() {
    for unavailable in [false, true] {
        let asked: Arc<Mutex<Vec<FileQuestion>>> = Arc::default();
        let seen = asked.clone();
        let picker: Picker = Arc::new(move |q: &FileQuestion| {
            seen.lock().unwrap().push(q.clone());
            if unavailable {
                Picked::Unavailable
            } else {
                Picked::Path(std::path::PathBuf::from("/tmp/chosen-errors.csv"))
            }
        });
        let (mut harness, log) = app_with_picker(picker);
        go_to(&mut harness, "Errors");
        step_until(&mut harness, "the errors", |h| {
            has(h, "Name: data value too large")
        });
        harness.get_by_label("Select error 1").click();
        harness.run_steps(3);
        harness.get_by_label("Export CSV…").click();
        let expected = if unavailable {
            step_until(&mut harness, "the typed path", |h| {
                h.query_by_role_and_label(Role::TextInput, "Path").is_some()
            });
            let home = std::env::home_dir().expect("a home folder");
            let field = harness.get_by_role_and_label(Role::TextInput, "Path");
            assert_eq!(
                field.value().unwrap_or_default(),
                home.join("tether-errors.csv").display().to_string()
            );
            harness.get_by_label("Save here").click();
            home.join("tether-errors.csv")
        } else {
            std::path::PathBuf::from("/tmp/chosen-errors.csv")
        };
        step_until(&mut harness, "the export", |_| {
            sent(&log, |r| matches!(r, Request::ExportErrors { .. }))
        });
        assert!(
            sent(&log, |r| *r
                == Request::ExportErrors {
                    ids: vec![1],
                    path: expected.clone()
                }),
            "unavailable: {unavailable}"
        );
        let asked = asked.lock().unwrap();
        assert_eq!(asked.len(), 1, "one dialog asked");
        assert_eq!(asked[0].save_as.as_deref(), Some("tether-errors.csv"));
    }
}
