//! The desktop service and the mass-delete guard, driven as the window drives it against the
//! sandbox org: Sync Now stops before a mass delete, and "Delete them" runs it allowing the
//! deletes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tether::desktop::{
    self, DesktopConfig, Event, Request, SANDBOX_CONNECTION, SandboxOptions, Service, WindowEnd,
};
use tether::sync::engine::RunSummary;
use tether::sync::link::Link;
use tether::sync::workspace::Workspace;
use tether::sync::workspace::journal::RunStatus;

const DEADLINE: Duration = Duration::from_secs(120);

struct Window {
    end: WindowEnd,
    seen: Vec<Event>,
}

impl Window {
    fn start(config: DesktopConfig) -> Window {
        let (service_end, end) = desktop::channels(Arc::new(|| {}));
        let service = Service::new(config, service_end.outbox);
        tokio::spawn(service.serve(service_end.requests));
        Window {
            end,
            seen: Vec::new(),
        }
    }

    fn send(&self, request: Request) {
        assert!(self.end.send(request), "the service stopped");
    }

    async fn wait<T>(&mut self, what: &str, wanted: impl Fn(&Event) -> Option<T>) -> T {
        let deadline = Instant::now() + DEADLINE;
        loop {
            while let Ok(event) = self.end.try_recv() {
                self.seen.push(event.clone());
                if let Some(found) = wanted(&event) {
                    return found;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {DEADLINE:?}; events: {:#?}",
                self.seen
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn finished(&mut self, link: &str) -> RunSummary {
        self.wait(&format!("end of the sync of {link}"), |e| match e {
            Event::SyncFinished(s) if s.link == link => Some(s.clone()),
            _ => None,
        })
        .await
    }
}

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
    let config = DesktopConfig {
        data_dir: dir.path().join("data"),
        workspace: workspace.clone(),
        secrets: None,
        open_url: Arc::new(|_| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(60),
        sandbox: Some(SandboxOptions {
            data_file: None,
            seed_records: Some(0),
            connect_at_start: true,
            demo_links: false,
        }),
    };
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
