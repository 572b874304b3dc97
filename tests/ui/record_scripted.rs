//! The open record on a scripted service: Errors open their record here, and a new record's
//! form lists required fields first, shows what describe refused under the field, and sends
//! only what was typed.

use chrono::Utc;
use egui_kittest::kittest::Queryable;
use serde_json::json;
use tether::desktop::ConflictRow;
use tether::desktop::{
    ConnectionStatus, ConnectionView, ErrorRow, Event, RecordEvent, RecordRequest, RecordsEvent,
    RecordsRequest, Request,
};
use tether::records_write::EditProblem;
use tether::records_write::read::FieldShown;
use tether::records_write::write::Written;
use tether::ui::Command;
use tether::ui::panels::records::RecordsCommand;
use tether::workspace::conflicts::{ConflictRecord, ConflictStatus};
use tether::workspace::journal::{ErrorLifecycle, ErrorRecord, ErrorStatus, Side};

use crate::support::Scripted;

fn connection() -> ConnectionView {
    ConnectionView {
        name: "Acme".into(),
        username: "admin@acme.example".into(),
        org_id: "00D000000000001AAA".into(),
        instance_url: "http://127.0.0.1:9".into(),
        login_url: "http://127.0.0.1:9".into(),
        embedded: false,
        status: ConnectionStatus::Ok,
        api_usage: None,
        connected_at: Utc::now(),
    }
}

fn refused_row() -> ErrorRow {
    let message = "Phone: value too long";
    ErrorRow {
        error: ErrorRecord {
            id: 4,
            run_id: 9,
            side: Side::Salesforce,
            sf_id: Some("001000000000042AAA".into()),
            row_key: Some("42".into()),
            code: "STRING_TOO_LONG".into(),
            message: message.into(),
            fields: vec!["Phone".into()],
            payload: None,
            hint: "Shorten it".into(),
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
        link: "customers".into(),
        object: "Account".into(),
        name: Some("Acme".into()),
        record_url: None,
        response: json!({"statusCode": "STRING_TOO_LONG", "message": message}),
    }
}

fn record_requests(app: &mut Scripted) -> Vec<RecordRequest> {
    app.requests()
        .into_iter()
        .filter_map(|r| match r {
            Request::Records(RecordsRequest::Record(r)) => Some(r),
            _ => None,
        })
        .collect()
}

fn answer(app: &mut Scripted, event: RecordEvent) {
    app.send(Event::Records(RecordsEvent::Record(event)));
}

#[test]
fn an_error_opens_its_record_on_the_records_page() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
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
        rows: vec![refused_row()],
    });
    app.wait_for_label("Phone: value too long");
    app.harness.get_by_label("Phone: value too long").click();
    app.wait_for_label("Open record");
    app.harness.get_by_label("Open record").click();
    app.frames(3);
    assert_eq!(
        record_requests(&mut app),
        [RecordRequest::Read {
            connection: "Acme".into(),
            object: "Account".into(),
            id: "001000000000042AAA".into(),
        }]
    );
    assert_eq!(app.harness.state().page(), tether::ui::Page::Records);
}

#[test]
fn a_conflict_opens_its_record_on_the_records_page() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![]));
    app.frames(2);
    app.harness.get_by_label("Conflicts").click();
    app.frames(3);
    app.send(Event::Conflicts(vec![ConflictRow {
        conflict: ConflictRecord {
            id: 1,
            link_id: 1,
            sf_id: "001000000000043AAA".into(),
            row_key: Some("43".into()),
            field: "Phone".into(),
            base: Some(json!("555-0100")),
            local: Some(json!("555-0101")),
            remote: Some(json!("555-0102")),
            detected_run: Some(7),
            detected_at: Utc::now(),
            status: ConflictStatus::Open,
            resolved_at: None,
        },
        link: "customers".into(),
        object: "Account".into(),
        column: Some("phone".into()),
        name: Some("Acme".into()),
        record_url: None,
    }]));
    app.wait_for_label("Open record");
    app.requests();
    app.harness.get_by_label("Open record").click();
    app.frames(3);
    assert_eq!(
        record_requests(&mut app),
        [RecordRequest::Read {
            connection: "Acme".into(),
            object: "Account".into(),
            id: "001000000000043AAA".into(),
        }]
    );
}

fn field(name: &str, label: &str, required: bool) -> FieldShown {
    FieldShown {
        name: name.into(),
        label: label.into(),
        field_type: "string".into(),
        text: String::new(),
        updateable: true,
        createable: true,
        required,
        picklist: vec![],
        parent: None,
    }
}

#[test]
fn a_new_record_shows_what_describe_refused_and_sends_only_what_was_typed() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![]));
    app.frames(2);
    let new = Command::Records(RecordsCommand::New {
        connection: "Acme".into(),
        object: "Contact".into(),
    });
    app.harness.state().post(&app.harness.ctx, new);
    app.frames(3);
    assert_eq!(
        record_requests(&mut app),
        [RecordRequest::NewForm {
            connection: "Acme".into(),
            object: "Contact".into(),
        }]
    );
    answer(
        &mut app,
        RecordEvent::NewForm {
            object: "Contact".into(),
            fields: vec![
                field("LastName", "Last Name", true),
                field("FirstName", "First Name", false),
            ],
        },
    );
    app.wait_for_label("New Contact");
    let last = app.harness.get_by_label("Last Name *").rect();
    let first = app.harness.get_by_label("First Name").rect();
    assert!(last.top() < first.top(), "the required field comes first");

    app.type_into("First Name", "Ada");
    app.harness.get_by_label("Save").click();
    app.frames(3);
    assert_eq!(
        record_requests(&mut app),
        [RecordRequest::Save {
            connection: "Acme".into(),
            object: "Contact".into(),
            id: None,
            edits: vec![("FirstName".into(), "Ada".into())],
        }]
    );
    let refused = EditProblem::Required {
        field: "Last Name (LastName)".into(),
    };
    let said = refused.to_string();
    answer(&mut app, RecordEvent::Invalid(vec![refused]));
    app.wait_for_label(&said);

    app.type_into("Last Name *", "Lovelace");
    app.harness.get_by_label("Save").click();
    app.frames(3);
    let sent = record_requests(&mut app);
    assert!(
        matches!(&sent[..], [RecordRequest::Save { edits, .. }]
            if edits.contains(&("LastName".to_string(), "Lovelace".to_string()))),
        "{sent:?}"
    );
    answer(
        &mut app,
        RecordEvent::Written {
            written: Written {
                run_id: 12,
                object: "Contact".into(),
                sf_id: "003000000000007AAA".into(),
                answer: "Salesforce created Contact 003000000000007AAA; undo it with run 12".into(),
            },
            deleted: false,
        },
    );
    app.wait_for_label("✔ Salesforce created Contact 003000000000007AAA; undo it with run 12");
    app.frames(2);
    assert_eq!(
        record_requests(&mut app),
        [RecordRequest::Read {
            connection: "Acme".into(),
            object: "Contact".into(),
            id: "003000000000007AAA".into(),
        }],
        "the new record is read to be shown"
    );
}
