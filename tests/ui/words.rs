//! The window's words: counts in the right number, schedules listed by the link's label and
//! direction, policy names in one case, and the sandbox org never badged Production.

use crate::support::Scripted;
use chrono::Utc;
use egui_kittest::kittest::Queryable;
use tether::desktop::{ConnectionStatus, ConnectionView, Event, LinkCard, Request};
use tether::sync::link::{Direction, FieldMapping};
use tether::workspace::journal::{RunCounts, RunRecord, RunStatus, Trigger};

/// The built-in sandbox org as `tether connect` saved it: at its loopback address, not
/// embedded in this window.
fn saved_sandbox() -> ConnectionView {
    ConnectionView {
        name: "sandbox".into(),
        username: "demo@tether.example".into(),
        org_id: "00D000000000001AAA".into(),
        instance_url: "http://127.0.0.1:9".into(),
        login_url: "http://127.0.0.1:9".into(),
        embedded: false,
        status: ConnectionStatus::Ok,
        api_usage: None,
        connected_at: Utc::now(),
    }
}

fn one_run() -> RunRecord {
    RunRecord {
        id: 1,
        link_id: Some(1),
        link_name: "customers".into(),
        trigger: Trigger::Button,
        status: RunStatus::Partial,
        started_at: Utc::now() - chrono::Duration::minutes(3),
        ended_at: Some(Utc::now()),
        counts: RunCounts {
            updated: 4,
            failed: 1,
            ..Default::default()
        },
        message: None,
        undo_of: None,
        undone_by: None,
        scope: None,
    }
}

fn card() -> LinkCard {
    let mut link = tether::sync::templates::lead_scores_link("sandbox", 7);
    link.name = "customers".into();
    link.object = "Account".into();
    link.table = "customers".into();
    link.fields = vec![
        FieldMapping::column("name", "Name", Direction::Pull),
        FieldMapping::column("score", "Score__c", Direction::Push),
    ];
    LinkCard {
        link,
        last_run: Some(one_run()),
        last_success: None,
        next_run: None,
        open_conflicts: 1,
        open_errors: 0,
    }
}

fn started() -> Scripted {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![saved_sandbox()]));
    app.send(Event::Links(vec![card()]));
    app.wait_for_label("Sync Now");
    app
}

#[test]
fn one_failed_record_and_one_run_read_in_the_singular() {
    let mut app = started();
    app.wait_for_label("Status of customers: 1 record failed");

    app.harness.get_by_label("History").click();
    app.frames(2);
    let asked = app
        .requests()
        .into_iter()
        .find_map(|r| match r {
            Request::RunsPage { filter, offset, .. } => Some((filter, offset)),
            _ => None,
        })
        .expect("History asks for its runs");
    app.send(Event::RunsPage {
        filter: asked.0,
        offset: asked.1,
        total: 1,
        rows: vec![one_run()],
    });
    app.wait_for_label("1 run");
    assert!(app.harness.query_by_label("1 runs").is_none());
}

#[test]
fn settings_lists_schedules_by_the_links_label_and_direction() {
    let mut app = started();
    app.harness.get_by_label("Settings").click();
    app.wait_for_label("Account ⇄ customers (Both)");
    assert!(
        app.harness.query_by_label("customers").is_none(),
        "the internal name is not the row's label"
    );
}

#[test]
fn the_sandbox_org_saved_at_its_loopback_address_is_badged_sandbox() {
    let app = started();
    assert!(app.harness.query_by_label("Sandbox").is_some());
    assert!(
        app.harness.query_by_label("Production").is_none(),
        "the sandbox org shown as Production"
    );
}
