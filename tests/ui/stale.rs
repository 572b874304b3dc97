//! No alarm outlives its cause: the studio waits for its connection before asking, a failure
//! banner goes once the connection comes, and the conflicts count follows the inbox.

use crate::layout::{card, connection, fields};
use crate::support::Scripted;
use egui_kittest::kittest::Queryable;
use tether::desktop::{ConflictRow, Event, Request, Topic};
use tether::ui::Page;
use tether::workspace::conflicts::{ConflictRecord, ConflictStatus};
use tether::workspace::journal::RunStatus;

const NOT_CONNECTED: &str = "the sandbox org is not connected in this session";

#[test]
fn reopening_on_the_mappings_page_waits_for_the_connection_and_drops_the_banner_once_it_comes() {
    let mut app = Scripted::start();
    // The links are known before the connection: the sandbox org is still starting.
    app.send(Event::Links(vec![card("customers", RunStatus::Succeeded)]));
    app.send(Event::Connections(vec![]));
    app.send(Event::ConnectProgress("Starting the sandbox org…".into()));
    app.frames(2);
    app.harness.get_by_label("Mappings").click();
    app.frames(4);
    assert_eq!(app.harness.state().page(), Page::Mappings);
    let asked = app.requests();
    assert!(
        !asked
            .iter()
            .any(|r| matches!(r, Request::DescribeObject { .. })),
        "the describe waits for the connection: {asked:?}"
    );

    // A failure from before the connection came shows, then goes when the connection does.
    app.send(Event::Failed {
        topic: Topic::Mapping,
        message: NOT_CONNECTED.into(),
    });
    app.wait_for_label(NOT_CONNECTED);
    app.send(Event::Connected(connection()));
    app.frames(4);
    let asked = app.requests();
    assert!(
        asked.contains(&Request::DescribeObject {
            connection: "Acme".into(),
            object: "Account".into(),
        }),
        "{asked:?}"
    );
    // The banner is drawn from this; the toast of the same words fades on its own.
    assert!(
        !app.harness
            .state()
            .model()
            .failures
            .contains_key(&Topic::Mapping),
        "the banner went with its cause"
    );
    app.send(Event::ObjectFields {
        connection: "Acme".into(),
        object: "Account".into(),
        fields: fields(),
    });
    app.frames(3);
    assert!(app.harness.state().model().failures.is_empty());
}

fn conflict(id: i64) -> ConflictRow {
    ConflictRow {
        conflict: ConflictRecord {
            id,
            link_id: 1,
            sf_id: format!("001{id:0>15}"),
            row_key: Some(id.to_string()),
            field: "Name".into(),
            base: None,
            local: None,
            remote: None,
            detected_run: Some(7),
            detected_at: chrono::Utc::now(),
            status: ConflictStatus::Open,
            resolved_at: None,
        },
        link: "customers".into(),
        object: "Account".into(),
        column: None,
        name: Some(format!("Company {id}")),
        record_url: None,
    }
}

#[test]
fn the_conflicts_badge_follows_a_resolved_conflict() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![card("customers", RunStatus::Succeeded)]));
    app.frames(3);
    let open = |app: &Scripted| app.harness.state().model().links[0].open_conflicts;
    assert_eq!(open(&app), 3);
    app.send(Event::Conflicts(vec![conflict(1), conflict(2)]));
    app.frames(3);
    assert_eq!(open(&app), 2, "one conflict resolved: the badge says 2");
}

#[test]
fn the_connections_page_shows_api_usage_once() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![card("customers", RunStatus::Succeeded)]));
    app.frames(3);
    app.harness.get_by_label("Connections").click();
    app.wait_for_label("API usage today");
    let named = app.harness.query_all_by_label("API usage").count();
    let numbers = app.harness.query_all_by_label("1,234 / 15,000").count();
    assert_eq!(
        (named, numbers),
        (1, 2),
        "the top bar names its gauge; the page's row has its own title"
    );
}
