//! The desktop service driven as the window drives it: requests in, events out, against the
//! sandbox org over real HTTP on loopback, with a workspace and data folder per test.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg};
use serde_json::{Map, Value, json};
use tether::connect::{
    Connection, ConnectionDb, ConnectionSecret, KeyringStore, SecretError, SecretStore,
};
use tether::desktop::{
    ConnectionStatus, DEMO_ACCOUNTS_LINK, DesktopConfig, Event, LoginTarget, Request,
    SANDBOX_CONNECTION, SandboxOptions, Topic,
};
use tether::salesforce::{BatchSize, Client};
use tether::workspace::Workspace;
use tether::workspace::journal::{self, RunStatus, Trigger};

use crate::support::desktop::{Window, org_client};

fn config(dir: &Path, sandbox: Option<SandboxOptions>) -> DesktopConfig {
    DesktopConfig {
        data_dir: dir.join("data"),
        workspace: dir.join("workspace.sqlite"),
        secrets: None,
        open_url: Arc::new(|_| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(60),
        sandbox,
    }
}

fn demo_sandbox(seed_records: usize) -> Option<SandboxOptions> {
    Some(SandboxOptions {
        starter: tether_bench::embedded::sandbox_starter(),
        start: tether::desktop::SandboxStart {
            data_file: None,
            seed_records: Some(seed_records),
        },
        connect_at_start: true,
        demo_links: true,
    })
}

async fn ids(client: &Client, soql: &str) -> Vec<String> {
    let mut pages = Box::pin(client.query::<Map<String, Value>>(soql, Some(BatchSize(2000))));
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        for record in page.expect("query page").records {
            ids.push(record["Id"].as_str().expect("an Id").to_string());
        }
    }
    ids
}

fn count(workspace: &Path, sql: &str) -> usize {
    let ws = Workspace::open(workspace).expect("workspace");
    let n: i64 = ws.conn().query_row(sql, [], |r| r.get(0)).expect(sql);
    usize::try_from(n).expect("a count")
}

async fn connected_sandbox(window: &mut Window) -> String {
    let view = window
        .wait("the sandbox connection", |e| match e {
            Event::Connected(v) => Some(v.clone()),
            _ => None,
        })
        .await;
    assert_eq!(view.name, SANDBOX_CONNECTION);
    assert!(view.embedded);
    assert_eq!(view.username, DEMO_USERNAME);
    view.instance_url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sandbox_connects_at_start_and_sync_now_pulls_and_pushes_what_the_org_has() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace.sqlite");
    let mut window = Window::start(config(dir.path(), demo_sandbox(400)));
    let base = connected_sandbox(&mut window).await;
    let cards = window
        .wait("the demo links", |e| match e {
            Event::Links(cards) if !cards.is_empty() => Some(cards.clone()),
            _ => None,
        })
        .await;
    let names: Vec<&str> = cards.iter().map(|c| c.link.name.as_str()).collect();
    assert!(names.contains(&DEMO_ACCOUNTS_LINK), "{names:?}");
    assert!(names.contains(&"customer-health"), "{names:?}");
    assert!(
        cards
            .iter()
            .all(|c| c.last_run.is_none() && c.next_run.is_none())
    );

    window.send(Request::ListConnections);
    let listed = window
        .wait("the connections", |e| match e {
            Event::Connections(views) => Some(views.clone()),
            _ => None,
        })
        .await;
    assert!(
        listed
            .iter()
            .any(|v| v.name == SANDBOX_CONNECTION && v.embedded)
    );
    let checked = window
        .wait("the sandbox checked", |e| match e {
            Event::ConnectionChecked(v) if v.name == SANDBOX_CONNECTION => Some(v.clone()),
            _ => None,
        })
        .await;
    assert_eq!(checked.status, ConnectionStatus::Ok);
    let (used, max) = checked.api_usage.expect("API usage");
    assert!(used > 0 && max >= used, "{used}/{max}");

    window.send(Request::SyncNow {
        link: DEMO_ACCOUNTS_LINK.to_string(),
    });
    let run_id = window
        .wait("the start of the Accounts sync", |e| match e {
            Event::SyncStarted { link, run_id } if link == DEMO_ACCOUNTS_LINK => Some(*run_id),
            _ => None,
        })
        .await;
    let summary = window.finished(DEMO_ACCOUNTS_LINK).await;
    assert_eq!(summary.run_id, run_id);
    assert_eq!(summary.status, RunStatus::Succeeded, "{summary:?}");
    // The gauge follows the sync's own calls, without another check.
    let (after, of) = window
        .seen
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::ApiUsage {
                connection,
                used,
                max,
            } if connection == SANDBOX_CONNECTION => Some((*used, *max)),
            _ => None,
        })
        .expect("the API usage is reported before the sync's end");
    assert_eq!(of, max);
    assert!(
        after >= used + summary.counts.api_calls,
        "{used} before, {} spent, {after} after",
        summary.counts.api_calls
    );
    assert!(window.seen.iter().any(|e| matches!(
        e,
        Event::SyncProgress(p) if p.link == DEMO_ACCOUNTS_LINK && p.run_id == run_id
    )));
    let client = org_client(&base).await;
    let in_org = ids(&client, "SELECT Id FROM Account").await.len();
    assert!(in_org > 0);
    assert_eq!(count(&workspace, "SELECT COUNT(*) FROM accounts"), in_org);
    assert_eq!(summary.counts.created as usize, in_org, "{summary:?}");
    let toast = window
        .wait("the toast", |e| match e {
            Event::Notice(text) if text.starts_with("Account ⇄ accounts") => Some(text.clone()),
            _ => None,
        })
        .await;
    assert!(
        toast.contains(&format!("{in_org} created")) || in_org >= 1000,
        "{toast}"
    );
    let card = window
        .wait("the card after the run", |e| match e {
            Event::Links(cards) => cards
                .iter()
                .find(|c| c.link.name == DEMO_ACCOUNTS_LINK && c.last_run.is_some())
                .cloned(),
            _ => None,
        })
        .await;
    assert_eq!(card.last_run.map(|r| r.id), Some(run_id));
    assert!(card.last_success.is_some());

    // The customer-health demo pushes its scored customers' health to their Accounts.
    let scored: Vec<(String, f64)> = {
        let ws = Workspace::open(&workspace).unwrap();
        let mut stmt = ws
            .conn()
            .prepare(
                "SELECT customer_id, health_score FROM customers WHERE health_score IS NOT NULL",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert!(!scored.is_empty(), "the demo scores some customers");
    window.send(Request::SyncNow {
        link: "customer-health".to_string(),
    });
    let summary = window.finished("customer-health").await;
    assert_eq!(summary.status, RunStatus::Succeeded, "{summary:?}");
    let quoted: Vec<String> = scored.iter().map(|(id, _)| format!("'{id}'")).collect();
    let soql = format!(
        "SELECT Id, Health_Score__c FROM Account WHERE Id IN ({})",
        quoted.join(", ")
    );
    let mut pages = Box::pin(client.query::<Map<String, Value>>(&soql, None));
    let mut in_org = HashMap::new();
    while let Some(page) = pages.next().await {
        for r in page.unwrap().records {
            in_org.insert(
                r["Id"].as_str().unwrap().to_string(),
                r["Health_Score__c"].as_f64(),
            );
        }
    }
    for (id, score) in &scored {
        assert_eq!(in_org.get(id), Some(&Some(*score)), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn syncs_queue_a_second_sync_now_is_refused_and_a_waiting_sync_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace.sqlite");
    let mut window = Window::start(config(dir.path(), demo_sandbox(200)));
    let base = connected_sandbox(&mut window).await;
    window
        .wait("the demo links", |e| match e {
            Event::Links(cards) if !cards.is_empty() => Some(()),
            _ => None,
        })
        .await;
    // Slow answers keep the first sync going while the others queue behind it.
    let answer = reqwest::Client::new()
        .put(format!("{base}/__sandbox/faults"))
        .json(&json!({"latency_ms": 400}))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());

    window.send(Request::SyncNow {
        link: DEMO_ACCOUNTS_LINK.to_string(),
    });
    window
        .wait("the start of the Accounts sync", |e| match e {
            Event::SyncStarted { link, .. } if link == DEMO_ACCOUNTS_LINK => Some(()),
            _ => None,
        })
        .await;
    let waiting = "customer-health";
    window.send(Request::SyncNow {
        link: waiting.to_string(),
    });
    let phase = window
        .wait("the waiting sync", |e| match e {
            Event::SyncProgress(p) if p.link == waiting => Some(p.phase.clone()),
            _ => None,
        })
        .await;
    assert_eq!(phase, format!("Waiting for {DEMO_ACCOUNTS_LINK}"));
    window.send(Request::SyncNow {
        link: waiting.to_string(),
    });
    let refused = window
        .wait("the refusal", |e| match e {
            Event::Failed {
                topic: Topic::Sync,
                message,
            } => Some(message.clone()),
            _ => None,
        })
        .await;
    assert!(refused.contains("already syncing"), "{refused}");
    // A link cannot be deleted while its sync is under way or waiting.
    window.send(Request::DeleteLink {
        name: waiting.to_string(),
    });
    let kept = window
        .wait("the refused deletion", |e| match e {
            Event::Failed {
                topic: Topic::Mapping,
                message,
            } => Some(message.clone()),
            _ => None,
        })
        .await;
    assert!(
        kept.contains("is syncing; cancel the sync or wait for it to finish"),
        "{kept}"
    );
    window.send(Request::CancelSync {
        link: waiting.to_string(),
    });

    let first = window.finished(DEMO_ACCOUNTS_LINK).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    let cancelled = window.finished(waiting).await;
    assert_eq!(cancelled.status, RunStatus::Cancelled, "{cancelled:?}");
    let ws = Workspace::open(&workspace).unwrap();
    let recorded = journal::run(ws.conn(), cancelled.run_id).unwrap().unwrap();
    assert_eq!(recorded.status, RunStatus::Cancelled);
    assert_eq!(recorded.trigger, Trigger::Button);
    // Each accepted Sync Now ran exactly once.
    let runs = journal::runs(ws.conn(), Some(waiting), 10).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(
        ws.link(waiting).is_ok(),
        "the link whose deletion was refused is kept"
    );
}

/// A keychain in memory, for connections whose org is never reached.
#[derive(Default)]
struct MemoryStore(Mutex<HashMap<String, ConnectionSecret>>);

impl SecretStore for MemoryStore {
    fn put(&self, connection: &str, secret: &ConnectionSecret) -> Result<(), SecretError> {
        self.0
            .lock()
            .unwrap()
            .insert(connection.to_string(), secret.clone());
        Ok(())
    }
    fn get(&self, connection: &str) -> Result<Option<ConnectionSecret>, SecretError> {
        Ok(self.0.lock().unwrap().get(connection).cloned())
    }
    fn delete(&self, connection: &str) -> Result<(), SecretError> {
        self.0.lock().unwrap().remove(connection);
        Ok(())
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sync_whose_org_cannot_be_reached_is_recorded_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), None);
    let store = Arc::new(MemoryStore::default());
    store
        .put(
            "Gone",
            &ConnectionSecret {
                access_token: "not-a-real-token".into(),
                refresh_token: None,
                key_path: None,
                client_secret: None,
            },
        )
        .unwrap();
    config.secrets = Some(store);
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let nobody = format!("http://127.0.0.1:{}", free_port());
    ConnectionDb::open(&config.data_dir.join("tether.db"))
        .unwrap()
        .save(&Connection {
            name: "Gone".into(),
            login_url: nobody.clone(),
            instance_url: nobody,
            org_id: "00D000000000001AAA".into(),
            user_id: "005000000000001AAA".into(),
            username: "gone@example.com".into(),
            client_id: "x".into(),
            connected_at: chrono::Utc::now(),
        })
        .unwrap();
    let mut link = tether::desktop::demo_accounts_link();
    link.connection = "Gone".into();
    {
        let mut ws = Workspace::open(&config.workspace).unwrap();
        ws.conn()
            .execute_batch("CREATE TABLE accounts (sf_id TEXT PRIMARY KEY, name TEXT, industry TEXT, phone TEXT, annual_revenue REAL, website TEXT)")
            .unwrap();
        ws.save_link(&link, "test").unwrap();
    }
    let workspace = config.workspace.clone();
    let mut window = Window::start(config);
    window.send(Request::SyncNow {
        link: link.name.clone(),
    });
    let summary = window.finished(&link.name).await;
    assert_eq!(summary.status, RunStatus::Failed, "{summary:?}");
    let message = summary.message.clone().unwrap_or_default();
    assert!(message.contains("could not start"), "{message}");
    let ws = Workspace::open(&workspace).unwrap();
    let recorded = journal::run(ws.conn(), summary.run_id).unwrap().unwrap();
    assert_eq!(recorded.status, RunStatus::Failed);
    assert_eq!(recorded.link_name, link.name);
    // A failed run's toast is a warning, never one that looks like a success.
    let toast = window
        .wait("the warning toast", |e| match e {
            Event::Warning(text) => Some(text.clone()),
            _ => None,
        })
        .await;
    assert!(toast.contains("sync failed"), "{toast}");
    assert!(
        !window.seen.iter().any(|e| matches!(e, Event::Notice(_))),
        "no success toast for a failed run"
    );
}

/// Completes the org's login form as a person would in the browser: the form's hidden fields
/// come from the authorize URL; the org then redirects to the service's callback listener.
fn browser_signs_in(url: &str) -> bool {
    let url = url.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let parsed = url::Url::parse(&url).expect("authorize URL");
            let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
            form.push(("username".into(), DEMO_USERNAME.into()));
            form.push(("password".into(), DEMO_PASSWORD.into()));
            form.push(("decision".into(), "allow".into()));
            let action = format!(
                "{}://{}/services/oauth2/authorize",
                parsed.scheme(),
                parsed
                    .host_str()
                    .zip(parsed.port())
                    .map(|(h, p)| format!("{h}:{p}"))
                    .expect("host")
            );
            let browser = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::limited(2))
                .build()
                .expect("browser");
            let landed = browser
                .post(action)
                .form(&form)
                .send()
                .await
                .expect("login form");
            assert_eq!(landed.status(), 200, "the callback page");
        });
    });
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_browser_sign_in_is_kept_in_the_keychain_and_disconnect_removes_it() {
    let keychain = KeyringStore::open().expect(
        "a Secret Service must be running (run the tests in a D-Bus session with gnome-keyring)",
    );
    let port = free_port();
    let client_id = "TetherDesktopTest";
    let mut org_config = OrgConfig::default();
    org_config.apps.push(ConnectedApp {
        client_id: client_id.to_string(),
        client_secret: None,
        callbacks: vec![format!("http://localhost:{port}/OauthRedirect")],
        jwt_certificate_pem: None,
    });
    let org = SandboxOrg::start(org_config).await.expect("org starts");
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), None);
    config.secrets = Some(Arc::new(keychain));
    config.callback_port = port;
    config.open_url = Arc::new(browser_signs_in);
    let name = format!("Browser org {}", std::process::id());
    let mut window = Window::start(config);

    window.send(Request::Connect {
        target: LoginTarget::Custom(org.base_url()),
        client_id: client_id.to_string(),
        name: Some(name.clone()),
    });
    let view = window
        .wait("the connection", |e| match e {
            Event::Connected(v) => Some(v.clone()),
            _ => None,
        })
        .await;
    assert_eq!(view.name, name);
    assert_eq!(view.username, DEMO_USERNAME);
    assert!(!view.embedded);
    assert!(
        window
            .seen
            .iter()
            .any(|e| matches!(e, Event::SignInUrl(u) if u.contains("code_challenge")))
    );
    assert!(
        window
            .seen
            .iter()
            .any(|e| matches!(e, Event::ConnectProgress(_)))
    );
    let stored = keychain
        .get(&name)
        .unwrap()
        .expect("tokens in the keychain");
    let checked = window
        .wait("the check", |e| match e {
            Event::ConnectionChecked(v) if v.name == name => Some(v.clone()),
            _ => None,
        })
        .await;
    assert_eq!(checked.status, ConnectionStatus::Ok);
    assert!(checked.api_usage.is_some());
    for entry in std::fs::read_dir(dir.path().join("data")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let token = stored.access_token.as_bytes();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token),
            "a token on disk"
        );
    }

    window.send(Request::Disconnect { name: name.clone() });
    window
        .wait("the disconnection", |e| match e {
            Event::Disconnected { name: gone } if *gone == name => Some(()),
            _ => None,
        })
        .await;
    assert_eq!(keychain.get(&name).unwrap(), None);
    window.send(Request::ListConnections);
    let listed = window
        .wait("the connections", |e| match e {
            Event::Connections(views) => Some(views.clone()),
            _ => None,
        })
        .await;
    assert!(listed.iter().all(|v| v.name != name), "{listed:?}");
    org.shutdown().await;
}

#[test]
fn without_a_keychain_connect_says_what_to_install() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut window = Window::start(config(dir.path(), None));
        window.send(Request::Connect {
            target: LoginTarget::Production,
            client_id: "x".into(),
            name: None,
        });
        let message = window
            .wait("the failure", |e| match e {
                Event::Failed {
                    topic: Topic::Connections,
                    message,
                } => Some(message.clone()),
                _ => None,
            })
            .await;
        assert!(message.contains("gnome-keyring"), "{message}");
        assert!(!window.seen.iter().any(|e| matches!(e, Event::SignInUrl(_))));
    });
}

/// A handler that panics (here the system's URL opener) used to leave the window waiting for
/// an answer that never came.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_handler_panics_is_answered_with_its_failure() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), None);
    config.open_url = Arc::new(|url| panic!("the opener broke on {url}"));
    let mut window = Window::start(config);
    window.send(Request::OpenUrl {
        url: "https://example.invalid/record".into(),
    });
    let message = window
        .wait("the failure of the panicking request", |e| match e {
            Event::Failed {
                topic: Topic::Errors,
                message,
            } => Some(message.clone()),
            _ => None,
        })
        .await;
    assert!(message.contains("inside Tether"), "{message}");
    assert!(message.contains("logs/tether.log"), "{message}");
    // The service keeps answering after one of its handlers panicked.
    window.send(Request::ListLinks);
    window
        .wait("the links", |e| matches!(e, Event::Links(_)).then_some(()))
        .await;
}
