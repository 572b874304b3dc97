//! A delete against an edit, decided in the window as a person would: the Conflicts page
//! shows the deleted record, "Keep the record" brings it back on the next Sync Now.

use std::path::Path;

use serde_json::json;
use tether::desktop::{Event, Request, SANDBOX_CONNECTION};
use tether::sync::link::Link;
use tether::workspace::Workspace;
use tether::workspace::conflicts::Keep;
use tether::workspace::journal::RunStatus;

use crate::support::desktop::{Window, empty_sandbox_config, org_client};

fn execute(workspace: &Path, sql: &str) {
    Workspace::open(workspace)
        .expect("workspace")
        .conn()
        .execute_batch(sql)
        .expect(sql);
}

fn rows(workspace: &Path) -> Vec<(i64, String)> {
    let ws = Workspace::open(workspace).expect("workspace");
    let mut stmt = ws
        .conn()
        .prepare("SELECT id, phone FROM members ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keep_the_record_in_the_window_restores_a_row_deleted_against_a_salesforce_edit() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace.sqlite");
    execute(
        &workspace,
        "CREATE TABLE members (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, phone TEXT);
         INSERT INTO members (id, name, phone) VALUES (1, 'Acme', '111'), (2, 'Globex', '222');",
    );
    let link: Link = serde_json::from_value(json!({
        "name": "members",
        "connection": SANDBOX_CONNECTION,
        "table": "members",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "create_unmatched": true,
        "deletes": "propagate",
        "policy": "manual_review",
        "strategy": {"overlap_seconds": 0},
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
    let config = empty_sandbox_config(dir.path(), workspace.clone());
    let mut window = Window::start(config);
    let org = window
        .wait("the sandbox connection", |e| match e {
            Event::Connected(v) => Some(v.instance_url.clone()),
            _ => None,
        })
        .await;
    let client = org_client(&org).await;
    window.send(Request::SyncNow {
        link: "members".into(),
    });
    assert_eq!(
        window.finished("members").await.status,
        RunStatus::Succeeded
    );

    // Acme's row is deleted here while someone changes its phone in Salesforce.
    let ws = Workspace::open(&workspace).unwrap();
    let acme: String = ws
        .conn()
        .query_row("SELECT sf_id FROM members WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    drop(ws);
    execute(&workspace, "DELETE FROM members WHERE id = 1");
    let mut edit = serde_json::Map::new();
    edit.insert("Phone".into(), json!("999"));
    client
        .update("Account", &acme, &edit)
        .await
        .expect("the edit saves");
    // Past the second of the edit, as a later run would be.
    let second = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == second {
        std::thread::yield_now();
    }

    window.send(Request::SyncNow {
        link: "members".into(),
    });
    let asked = window.finished("members").await;
    assert_eq!(asked.counts.conflicts, 1, "{asked:?}");
    window.send(Request::ListConflicts);
    let listed = window
        .wait("the conflicts", |e| match e {
            Event::Conflicts(rows) if !rows.is_empty() => Some(rows.clone()),
            _ => None,
        })
        .await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let conflict = &listed[0].conflict;
    assert_eq!(conflict.deleted_side(), Some(Keep::Local), "{conflict:?}");
    assert_eq!(conflict.side_text(Keep::Local), "(deleted)");
    assert_eq!(conflict.side_text(Keep::Salesforce), "Phone: 999");
    assert_eq!(
        conflict.choices(),
        [
            (Keep::Local, "the delete"),
            (Keep::Salesforce, "the record")
        ]
    );

    window.send(Request::ResolveConflicts {
        ids: vec![conflict.id],
        keep: Keep::Salesforce,
    });
    window
        .wait("the decision", |e| match e {
            Event::Conflicts(rows) if rows.is_empty() => Some(()),
            _ => None,
        })
        .await;
    window.send(Request::SyncNow {
        link: "members".into(),
    });
    let restored = window.finished("members").await;
    assert_eq!(restored.status, RunStatus::Succeeded, "{restored:?}");
    assert_eq!(
        rows(&workspace),
        vec![(1, "999".to_string()), (2, "222".to_string())],
        "Acme is back at its key with the Salesforce edit"
    );
}
