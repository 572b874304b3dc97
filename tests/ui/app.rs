//! The window's own pages (dashboard, connections, settings, palette) driven through the
//! accessibility tree, with a scripted service.

use crate::support::Scripted;
use chrono::Utc;
use egui_kittest::kittest::Queryable;
use tether::desktop::{
    ConnectionStatus, ConnectionView, Event, LinkCard, LoginTarget, Request, SyncProgress,
};
use tether::run::RunSummary;
use tether::sync::link::{Direction, FieldMapping};
use tether::ui::Page;
use tether::workspace::journal::{RunCounts, RunRecord, RunStatus, Trigger};

fn connection() -> ConnectionView {
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

fn card(name: &str, last: Option<RunStatus>) -> LinkCard {
    let mut link = tether::sync::templates::lead_scores_link("Acme", 7);
    link.name = name.into();
    link.object = "Account".into();
    link.table = "accounts".into();
    link.fields = vec![FieldMapping::column(
        "industry",
        "Industry",
        Direction::Both,
    )];
    LinkCard {
        link,
        last_run: last.map(|status| RunRecord {
            id: 7,
            link_id: Some(1),
            link_name: name.into(),
            trigger: Trigger::Button,
            status,
            started_at: Utc::now() - chrono::Duration::minutes(3),
            ended_at: Some(Utc::now()),
            counts: RunCounts {
                updated: 1_204,
                failed: 2,
                ..Default::default()
            },
            message: None,
            undo_of: None,
            undone_by: None,
            scope: None,
        }),
        last_success: None,
        next_run: None,
        open_conflicts: 0,
        open_errors: 2,
    }
}

fn connected(app: &mut Scripted, cards: Vec<LinkCard>) {
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(cards));
}

#[test]
fn the_window_asks_for_its_data_at_start() {
    let mut app = Scripted::start();
    app.frames(1);
    let requests = app.requests();
    for expected in [
        Request::ListConnections,
        Request::ListLinks,
        Request::DailyStats { days: 30 },
    ] {
        assert!(
            requests.contains(&expected),
            "{expected:?} not in {requests:?}"
        );
    }
}

#[test]
fn without_connections_the_dashboard_offers_the_sandbox_org_and_the_wizard() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![]));
    app.send(Event::Links(vec![]));
    app.wait_for_label("No connections yet");
    app.requests();
    app.harness.get_by_label("Explore the sandbox org").click();
    app.frames(2);
    assert_eq!(app.requests(), vec![Request::ConnectSandbox]);

    app.send(Event::ConnectProgress("Starting the sandbox org…".into()));
    app.wait_for_label("Starting the sandbox org…");
    app.harness.get_by_label("Connect org…").click();
    app.frames(2);
    assert_eq!(app.harness.state().page(), Page::Connections);
}

#[test]
fn sync_now_sends_the_link_then_shows_progress_and_cancel() {
    let mut app = Scripted::start();
    connected(&mut app, vec![card("accounts", Some(RunStatus::Partial))]);
    app.wait_for_label("Sync Now");
    app.harness
        .get_by_label_contains("Last sync 3 min ago · 1,204 updated · 2 failed");
    app.harness
        .get_by_label("Status of accounts: 2 open errors");
    app.requests();

    app.harness.get_by_label("Sync Now").click();
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::SyncNow {
            link: "accounts".into()
        }]
    );
    assert!(
        app.harness.query_by_label("Sync Now").is_none(),
        "no second Sync Now while the first is starting"
    );

    app.send(Event::SyncStarted {
        link: "accounts".into(),
        run_id: 8,
    });
    app.send(Event::SyncProgress(SyncProgress {
        link: "accounts".into(),
        run_id: 8,
        phase: "Sending".into(),
        done: 4_000,
        total: Some(10_000),
        records_per_second: 2_100.0,
        eta_seconds: Some(3.0),
    }));
    app.wait_for_label("Sending 4,000 / 10,000 · 2,100 rec/s · ETA 3 s");
    app.harness.get_by_label("Cancel sync of accounts").click();
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::CancelSync {
            link: "accounts".into()
        }]
    );

    app.send(Event::SyncFinished(RunSummary {
        run_id: 8,
        link: "accounts".into(),
        status: RunStatus::Cancelled,
        counts: RunCounts::default(),
        read_path: None,
        write_path: None,
        message: None,
        write_choice: None,
    }));
    app.wait_for_label("Sync Now");
    let refreshed = app.requests();
    assert!(
        refreshed.contains(&Request::ListLinks),
        "a finished run refreshes the cards: {refreshed:?}"
    );
}

#[test]
fn ctrl_enter_syncs_the_selected_link() {
    let mut app = Scripted::start();
    connected(
        &mut app,
        vec![card("accounts", None), card("contacts", None)],
    );
    app.wait_for_label("Status of contacts: Not synced yet");
    app.requests();
    app.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::SyncNow {
            link: "accounts".into()
        }],
        "the first link is selected at start"
    );
}

#[test]
fn a_failed_run_turns_the_light_red() {
    let mut app = Scripted::start();
    connected(&mut app, vec![card("accounts", Some(RunStatus::Failed))]);
    app.wait_for_label("Status of accounts: The last run failed");
}

#[test]
fn the_palette_understands_plain_phrases() {
    let cases = [
        ("show salesforce sync errors", Page::Errors),
        ("what's the salesforce sync status?", Page::Dashboard),
        ("go to history", Page::History),
    ];
    for (phrase, page) in cases {
        let mut app = Scripted::start();
        connected(&mut app, vec![card("accounts", Some(RunStatus::Succeeded))]);
        app.wait_for_label("Sync Now");
        app.harness.get_by_label("Settings").click();
        app.frames(2);
        app.harness
            .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
        app.wait_for_label("Command palette input");
        app.harness
            .get_by_label("Command palette input")
            .type_text(phrase);
        app.frames(2);
        app.harness.key_press(egui::Key::Enter);
        app.frames(3);
        assert_eq!(app.harness.state().page(), page, "{phrase}");
        assert!(
            app.harness
                .query_by_label("Command palette input")
                .is_none()
        );
    }
}

#[test]
fn the_palette_syncs_the_named_record_of_the_link_that_pushes_a_named_field() {
    let mut app = Scripted::start();
    let mut health = card("customer-health", None);
    health.link.fields = vec![FieldMapping::column(
        "health_score",
        "Health_Score__c",
        Direction::Push,
    )];
    connected(&mut app, vec![card("accounts", None), health]);
    app.wait_for_label("Status of accounts: Not synced yet");
    app.harness.get_by_label("Command palette").click();
    app.wait_for_label("Command palette input");
    app.harness
        .get_by_label("Command palette input")
        .type_text("update ACME health score in salesforce");
    app.wait_for_label("Sync customer-health now: sends ACME's health score to Salesforce");
    app.requests();
    app.harness
        .get_by_label("Sync customer-health now: sends ACME's health score to Salesforce")
        .click();
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::SyncNamedRecord {
            link: "customer-health".into(),
            name: "ACME".into(),
        }]
    );
}

#[test]
fn the_connect_wizard_builds_the_sign_in_request() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![]));
    app.send(Event::Links(vec![]));
    app.wait_for_label("Connections");
    app.harness.get_by_label("Connections").click();
    app.wait_for_label("Connect org…");
    app.harness.get_by_label("Connect org…").click();
    app.wait_for_label("My Domain");
    app.harness.get_by_label("My Domain").click();
    app.wait_for_label("Host");
    app.type_into("Host", "acme.my.salesforce.com");
    app.type_into("Consumer key", "3MVG9-key");
    app.frames(2);
    app.requests();
    app.harness.get_by_label("Sign in with the browser").click();
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::Connect {
            target: LoginTarget::MyDomain("acme.my.salesforce.com".into()),
            client_id: "3MVG9-key".into(),
            name: None,
        }]
    );
    app.send(Event::ConnectProgress(
        "Waiting for you to sign in in the browser…".into(),
    ));
    app.send(Event::SignInUrl("http://127.0.0.1:9/authorize".into()));
    app.wait_for_label("Waiting for you to sign in in the browser…");
    app.harness.get_by_label("Sign-in address");
    app.harness.get_by_label("Cancel sign-in").click();
    app.frames(2);
    assert_eq!(app.requests(), vec![Request::CancelConnect]);
}

#[test]
fn disconnect_asks_for_confirmation_first() {
    let mut app = Scripted::start();
    connected(&mut app, vec![]);
    app.harness.get_by_label("Connections").click();
    app.wait_for_label("Disconnect Acme");
    assert_eq!(
        app.harness.query_all_by_label("1,234 / 15,000").count(),
        2,
        "the API usage shows in the top bar and on the card"
    );
    app.requests();
    app.harness.get_by_label("Disconnect Acme").click();
    app.frames(2);
    assert!(
        app.requests().is_empty(),
        "nothing is sent before confirming"
    );
    app.harness.get_by_label("Confirm disconnect Acme").click();
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::Disconnect {
            name: "Acme".into()
        }]
    );
}

#[test]
fn a_failure_is_shown_on_its_page_with_what_to_do() {
    let mut app = Scripted::start();
    connected(&mut app, vec![]);
    app.send(Event::Failed {
        topic: tether::desktop::Topic::Connections,
        message: "The org refused the consumer key: check it in Setup > App Manager".into(),
    });
    app.harness.get_by_label("Connections").click();
    app.wait_for_label("The org refused the consumer key: check it in Setup > App Manager");
}

#[test]
fn schedules_are_edited_in_settings() {
    let mut app = Scripted::start();
    connected(&mut app, vec![card("accounts", None)]);
    app.wait_for_label("Sync Now");
    app.harness.get_by_label("Settings").click();
    app.wait_for_label("Save schedule of accounts");
    app.requests();
    app.harness.get_by_label("Theme: Dark").click();
    app.frames(2);
    assert_eq!(app.harness.ctx.theme(), egui::Theme::Dark);
}

#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_spreadsheet_opens_the_import_page_with_its_preview() {
    let mut app = Scripted::start();
    connected(&mut app, vec![]);
    app.frames(1);
    app.requests();
    let path = std::path::PathBuf::from("/data/deals.csv");
    app.harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.clone())));
    app.frames(2);
    assert_eq!(app.harness.state().page(), Page::Import);
    // The preview, and the objects the wizard offers to import into.
    assert_eq!(
        app.requests(),
        vec![
            Request::PreviewFile {
                path: path.clone(),
                sheet: None
            },
            Request::ListObjects {
                connection: "Acme".into()
            }
        ]
    );
    app.wait_for_label("Reading the file…");
    app.send(Event::FilePreview(Box::new(tether::desktop::FilePreview {
        path,
        format: "CSV · Windows-1252 · semicolons · Windows line endings (CRLF) · header row".into(),
        sheets: vec![],
        sheet: None,
        headers: vec!["Account".into(), "Amount".into()],
        rows: vec![tether::import::Row {
            number: 2,
            cells: vec!["=HYPERLINK(\"http://x\")".into(), "1.200,50 €".into()],
        }],
        more: false,
    })));
    app.wait_for_label(
        "CSV · Windows-1252 · semicolons · Windows line endings (CRLF) · header row",
    );
    app.harness.get_by_label("=HYPERLINK(\"http://x\")");
    app.harness.get_by_label("1.200,50 €");
}

#[test]
fn a_new_connection_is_checked_for_its_api_usage() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![]));
    app.frames(1);
    app.requests();
    app.send(Event::Connected(connection()));
    app.frames(2);
    let requests = app.requests();
    assert!(
        requests.contains(&Request::CheckConnection {
            name: "Acme".into()
        }),
        "{requests:?}"
    );
}

#[test]
fn the_api_gauge_follows_the_usage_a_sync_reports() {
    let mut app = Scripted::start();
    connected(&mut app, vec![card("accounts", None)]);
    app.wait_for_label("1,234 / 15,000");
    app.send(Event::ApiUsage {
        connection: "Acme".into(),
        used: 1_301,
        max: 15_000,
    });
    app.wait_for_label("1,301 / 15,000");
    // Usage of a connection the window does not list changes nothing.
    app.send(Event::ApiUsage {
        connection: "Other".into(),
        used: 9,
        max: 100,
    });
    app.settle();
    assert!(app.harness.query_by_label("1,301 / 15,000").is_some());
}

fn stopped_by_the_guard(link: &str) -> RunSummary {
    RunSummary {
        run_id: 9,
        link: link.into(),
        status: RunStatus::NeedsConfirmation,
        counts: RunCounts {
            deletes_waiting: 25,
            ..Default::default()
        },
        read_path: None,
        write_path: None,
        message: Some(
            "this run would delete 25 Account record(s) in Salesforce (001A, 001B and 23 more)"
                .into(),
        ),
        write_choice: None,
    }
}

#[test]
fn a_sync_now_stopped_by_the_mass_delete_guard_asks_before_deleting() {
    let mut app = Scripted::start();
    connected(&mut app, vec![card("accounts", Some(RunStatus::Succeeded))]);
    app.wait_for_label("Sync Now");
    app.harness.get_by_label("Sync Now").click();
    app.frames(2);
    app.requests();
    app.send(Event::SyncFinished(stopped_by_the_guard("accounts")));
    app.wait_for_label("Delete 25 records?");
    app.requests();
    app.harness
        .get_by_label_contains("25 Account record(s) in Salesforce (001A, 001B and 23 more)");
    app.harness
        .get_by_label("Delete them: sync accounts allowing 25 deletes")
        .click();
    app.frames(2);
    assert_eq!(
        app.requests(),
        vec![Request::SyncAllowingDeletes {
            link: "accounts".into()
        }]
    );
    assert!(
        app.harness.query_by_label("Delete 25 records?").is_none(),
        "the question goes once answered"
    );

    // Asked again, "Don't delete" puts the question away and sends nothing.
    app.send(Event::SyncFinished(stopped_by_the_guard("accounts")));
    app.wait_for_label("Delete 25 records?");
    app.harness.get_by_label("Don't delete").click();
    app.frames(2);
    assert!(app.harness.query_by_label("Delete 25 records?").is_none());
    assert!(
        !app.requests()
            .iter()
            .any(|r| matches!(r, Request::SyncAllowingDeletes { .. })),
        "nothing is deleted"
    );
    app.wait_for_label("Sync Now");
}

#[test]
fn a_scheduled_run_stopped_by_the_guard_never_asks() {
    let mut app = Scripted::start();
    connected(&mut app, vec![card("accounts", Some(RunStatus::Succeeded))]);
    app.wait_for_label("Sync Now");
    app.send(Event::SyncFinished(stopped_by_the_guard("accounts")));
    app.frames(3);
    assert!(app.harness.query_by_label("Delete 25 records?").is_none());
    app.wait_for_label("Sync Now");
}
