//! Errors people can act on: a row the import's offline check refused reads as checked, not
//! sent, named once as "row 6"; hints, rows and Settings speak without the CLI's backticks.

use crate::support::Scripted;
use chrono::Utc;
use egui_kittest::kittest::Queryable;
use serde_json::json;
use tether::desktop::{ErrorRow, Event, Request};
use tether::workspace::journal::{ErrorLifecycle, ErrorRecord, ErrorStatus, Side};

fn checked_row() -> ErrorRow {
    let message = "Amount: `abc` is not a number";
    ErrorRow {
        error: ErrorRecord {
            id: 4,
            run_id: 9,
            side: Side::Local,
            sf_id: None,
            row_key: Some("row 6".into()),
            code: "INVALID_ROW".into(),
            message: message.into(),
            fields: vec![],
            payload: Some(json!({"Amount": "abc"})),
            hint: "Fix row 6 in `deals.csv` and import the file again".into(),
            at: Utc::now(),
        },
        lifecycle: ErrorLifecycle {
            error_id: 4,
            status: ErrorStatus::Open,
            attempts: 1,
            first_run: 9,
            first_seen: Utc::now(),
            last_run: 9,
            last_seen: Utc::now(),
            resolved_run: None,
            resolved_at: None,
        },
        link: "import".into(),
        object: "Opportunity".into(),
        name: None,
        record_url: None,
        response: json!({"statusCode": "INVALID_ROW", "message": message}),
    }
}

#[test]
fn a_row_the_check_refused_reads_as_checked_not_sent() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![]));
    app.send(Event::Links(vec![]));
    app.frames(2);
    app.harness.get_by_label("Errors").click();
    app.frames(3);
    let (filter, offset) = app
        .requests()
        .into_iter()
        .find_map(|r| match r {
            Request::ErrorsPage { filter, offset, .. } => Some((filter, offset)),
            _ => None,
        })
        .expect("the page asks for its errors");
    app.send(Event::ErrorsPage {
        filter,
        offset,
        total: 1,
        rows: vec![checked_row()],
    });
    // The table's row, as the detail, reads without the CLI's backticks.
    app.wait_for_label("Amount: abc is not a number");
    app.harness
        .get_by_label("Amount: abc is not a number")
        .click();
    app.wait_for_label("What the check found");
    assert!(
        app.harness
            .query_by_label("The check found: Amount: abc is not a number")
            .is_some(),
        "what the check found, without backticks"
    );
    assert!(
        app.harness
            .query_by_label("Fix row 6 in deals.csv and import the file again")
            .is_some(),
        "the hint without backticks"
    );
    assert!(
        app.harness.query_by_label("Payload sent").is_none(),
        "nothing was sent"
    );
    assert!(
        app.harness
            .query_by_label("Row as read (checked, not sent)")
            .is_some()
    );
    assert!(
        app.harness.query_by_label_contains("row row").is_none()
            && app.harness.query_by_label_contains("Row row").is_none(),
        "the row is named once"
    );
    let quoted: Vec<String> = app
        .harness
        .query_all_by_label_contains("`")
        .filter_map(|n| {
            use egui_kittest::kittest::NodeT;
            n.accesskit_node().label()
        })
        .collect();
    assert!(quoted.is_empty(), "texts with backticks: {quoted:?}");
}

#[test]
fn settings_names_the_command_without_backticks() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![]));
    app.send(Event::Links(vec![]));
    app.frames(2);
    app.harness.get_by_label("Settings").click();
    app.frames(3);
    let text = "While Tether is open, links sync on their schedule. For syncs while it is closed, run tether sync --due from cron or a systemd timer.";
    app.wait_for_label(text);
    assert!(
        app.harness
            .query_all_by_label_contains("`")
            .next()
            .is_none(),
        "a text on Settings shows backticks"
    );
}
