//! The desktop service and the mass-delete guard, driven as the window drives it against the
//! sandbox org: Sync Now stops before a mass delete, and "Delete them" runs it allowing the
//! deletes.

use std::path::Path;

use serde_json::json;
use tether::desktop::{Event, Request, SANDBOX_CONNECTION};
use tether::sync::link::Link;
use tether::workspace::Workspace;
use tether::workspace::journal::RunStatus;

use crate::support::desktop::{Window, empty_sandbox_config};

fn count(workspace: &Path, sql: &str) -> i64 {
    let ws = Workspace::open(workspace).expect("workspace");
    ws.conn().query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_them_runs_again_allowing_the_deletes_the_guard_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace.sqlite");
    {
        let mut ws = Workspace::open(&workspace).expect("workspace");
        ws.conn()
            .execute_batch("CREATE TABLE members (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT)")
            .unwrap();
        for n in 1..=30 {
            ws.conn()
                .execute(
                    "INSERT INTO members (id, name) VALUES (?1, ?2)",
                    rusqlite::params![n, format!("Member {n}")],
                )
                .unwrap();
        }
        let link: Link = serde_json::from_value(json!({
            "name": "members",
            "connection": SANDBOX_CONNECTION,
            "table": "members",
            "key": "id",
            "object": "Account",
            "id_column": "sf_id",
            "create_unmatched": true,
            "deletes": "propagate",
            "fields": [{"local": {"column": "name"}, "remote": "Name", "direction": "both"}]
        }))
        .expect("link");
        ws.save_link(&link, "test").expect("link saves");
    }
    let config = empty_sandbox_config(dir.path(), workspace.clone());
    let mut window = Window::start(config);
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
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.counts.created, 30, "{first:?}");

    Workspace::open(&workspace)
        .unwrap()
        .conn()
        .execute("DELETE FROM members WHERE id > 5", [])
        .unwrap();
    window.send(Request::SyncNow {
        link: "members".into(),
    });
    let stopped = window.finished("members").await;
    assert_eq!(stopped.status, RunStatus::NeedsConfirmation, "{stopped:?}");
    assert_eq!(stopped.counts.deletes_waiting, 25, "{stopped:?}");
    assert_eq!(
        count(&workspace, "SELECT count(*) FROM tether_base"),
        30,
        "nothing was written"
    );

    window.send(Request::SyncAllowingDeletes {
        link: "members".into(),
    });
    let allowed = window.finished("members").await;
    assert_eq!(allowed.status, RunStatus::Succeeded, "{allowed:?}");
    assert_eq!(allowed.counts.deleted, 25, "{allowed:?}");
    assert_eq!(count(&workspace, "SELECT count(*) FROM tether_base"), 5);
}
