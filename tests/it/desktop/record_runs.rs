//! The desktop service's record-scoped runs, driven as the window drives them against the
//! built-in sandbox org: a record named the way a person names it (its key, or a mapped
//! column such as a name) is synced alone; a name that fits several rows, or none, is a
//! failure that says so.

use std::path::Path;

use serde_json::json;
use tether::desktop::{Event, Request, SANDBOX_CONNECTION, Topic};
use tether::sync::link::Link;
use tether::workspace::Workspace;
use tether::workspace::journal::RunStatus;

use crate::support::desktop::{Window, empty_sandbox_config};

fn sql(workspace: &Path, statement: &str) {
    Workspace::open(workspace)
        .expect("workspace")
        .conn()
        .execute_batch(statement)
        .expect(statement);
}

async fn failure(window: &mut Window) -> String {
    window
        .wait("a failure", |e| match e {
            Event::Failed {
                topic: Topic::Sync,
                message,
            } => Some(message.clone()),
            _ => None,
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_named_by_a_mapped_column_is_synced_alone() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace.sqlite");
    sql(
        &workspace,
        "CREATE TABLE members (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, phone TEXT);
         INSERT INTO members (id, name) VALUES (1, 'Acme Corp'), (2, 'Acme Ltd'), (3, 'Globex');",
    );
    let link: Link = serde_json::from_value(json!({
        "name": "members",
        "connection": SANDBOX_CONNECTION,
        "table": "members",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "create_unmatched": true,
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "phone"}, "remote": "Phone", "direction": "both"}
        ]
    }))
    .expect("link");
    Workspace::open(&workspace)
        .unwrap()
        .save_link(&link, "test")
        .expect("link saves");
    let mut window = Window::start(empty_sandbox_config(dir.path(), workspace.clone()));
    window
        .wait("the sandbox connection", |e| match e {
            Event::Connected(v) => Some(v.clone()),
            _ => None,
        })
        .await;
    window.send(Request::SyncNow {
        link: "members".into(),
    });
    let first = window.finished("members").await;
    assert_eq!(first.counts.created, 3, "{first:?}");
    sql(&workspace, "UPDATE members SET phone = '555-0100'");

    window.send(Request::SyncNamedRecord {
        link: "members".into(),
        name: "acme".into(),
    });
    let several = failure(&mut window).await;
    assert!(
        several.contains("“acme” names several rows of `members` (id 1, 2)"),
        "{several}"
    );
    window.send(Request::SyncNamedRecord {
        link: "members".into(),
        name: "Initech".into(),
    });
    let none = failure(&mut window).await;
    assert!(
        none.contains("no row of `members` is named “Initech”"),
        "{none}"
    );

    window.send(Request::SyncNamedRecord {
        link: "members".into(),
        name: "GLOBEX".into(),
    });
    let alone = window.finished("members").await;
    assert_eq!(alone.status, RunStatus::Succeeded, "{alone:?}");
    assert_eq!(alone.counts.processed, 1, "{alone:?}");
    let ws = Workspace::open(&workspace).unwrap();
    let scope: Option<String> = ws
        .conn()
        .query_row(
            "SELECT scope FROM tether_runs WHERE id = ?1",
            [alone.run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(scope.as_deref(), Some("key 3"));
    // The other rows' phones were neither read nor sent: their bases still hold none.
    let mut phones = ws
        .conn()
        .prepare(
            "SELECT row_key, json_extract(fields, '$.Phone') FROM tether_base ORDER BY row_key",
        )
        .unwrap();
    let phones: Vec<(String, Option<String>)> = phones
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        phones,
        [
            ("1".to_string(), None),
            ("2".to_string(), None),
            ("3".to_string(), Some("555-0100".to_string())),
        ]
    );
}
