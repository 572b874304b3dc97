//! A sandbox org, a client signed in to it and a workspace in a fresh temporary directory,
//! for the sync engine tests.

use std::path::PathBuf;

use rusqlite::Connection;
use serde_json::{Value, json};
use tether::run::RunSummary;
use tether::salesforce::Client;
use tether::sync::engine::{self, RunOptions};
use tether::sync::link::Link;
use tether::workspace::Workspace;
use tether::workspace::journal::Trigger;

pub use crate::support::client::*;

pub struct Bench {
    pub org: TestOrg,
    pub client: Client,
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Bench {
    pub async fn new() -> Bench {
        let (org, client) = org_and_client().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("workspace.sqlite");
        Workspace::open(&path).expect("workspace opens");
        Bench {
            org,
            client,
            dir,
            path,
        }
    }

    /// Another program's connection to the workspace file.
    pub fn db(&self) -> Connection {
        let conn = Connection::open(&self.path).expect("workspace file opens");
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        conn
    }

    pub fn add_link(&self, link: Value) -> Link {
        let link: Link = serde_json::from_value(link).expect("link parses");
        let mut ws = Workspace::open(&self.path).unwrap();
        ws.save_link(&link, "test").expect("link saves");
        link
    }

    pub async fn sync(&self, link: &str) -> RunSummary {
        engine::sync_link(
            &self.path,
            link,
            &self.client,
            &RunOptions::new(Trigger::Cli),
        )
        .await
        .expect("the run starts")
    }

    pub async fn create(&self, object: &str, body: Value) -> String {
        self.org.create(object, body).await
    }

    pub async fn get(&self, object: &str, id: &str) -> Value {
        self.org.get(object, id).await
    }

    pub async fn update(&self, object: &str, id: &str, body: Value) {
        let r = self
            .org
            .api(reqwest::Method::PATCH, &format!("/sobjects/{object}/{id}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "update {object} {id}: {}",
            r.status()
        );
    }

    pub async fn delete(&self, object: &str, id: &str) {
        let r = self
            .org
            .api(reqwest::Method::DELETE, &format!("/sobjects/{object}/{id}"))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "delete {object} {id}: {}",
            r.status()
        );
    }

    /// Rows of a query on the workspace, each as a JSON array of its columns.
    pub fn rows(&self, sql: &str) -> Vec<Vec<Value>> {
        let conn = self.db();
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(x) => json!(x),
                        rusqlite::types::ValueRef::Real(x) => json!(x),
                        rusqlite::types::ValueRef::Text(t) => {
                            json!(String::from_utf8_lossy(t))
                        }
                        rusqlite::types::ValueRef::Blob(_) => json!("<blob>"),
                    })
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    pub fn execute(&self, sql: &str) {
        self.db().execute_batch(sql).expect("workspace SQL runs");
    }

    /// The answer of a SOQL query to the org, as another client would get it.
    pub async fn soql(&self, soql: &str) -> Value {
        let answer: Value = self
            .org
            .api(reqwest::Method::GET, "/query")
            .query(&[("q", soql)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer["totalSize"].is_u64(), "{soql}: {answer}");
        answer
    }
}

/// Waits until the wall clock is in a later second than when called. SOQL compares
/// SystemModstamp to the second, so a run started from then on takes a cursor that later runs
/// compare past every Salesforce write made before the call.
pub fn next_second() {
    let start = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == start {
        std::thread::yield_now();
    }
}

/// A conflict policy as links name it, for the model-based tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Policy {
    SalesforceWins,
    LocalWins,
    MostRecentWins,
    ManualReview,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::SalesforceWins => "salesforce_wins",
            Policy::LocalWins => "local_wins",
            Policy::MostRecentWins => "most_recent_wins",
            Policy::ManualReview => "manual_review",
        }
    }
}

/// Waits until the wall clock has moved on, so that two edits never share a millisecond and
/// "the later edit" is well defined for both clocks (SQLite's and the org's).
pub fn next_tick() {
    let start = chrono::Utc::now();
    while chrono::Utc::now() - start < chrono::Duration::milliseconds(3) {
        std::hint::spin_loop();
    }
}

/// The runtime a property's cases run on, one after the other.
pub fn property_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// [`proptest_cases`] cases, and no failure files written into the tree.
pub fn property_config() -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: proptest_cases(),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// Cases per property: `PROPTEST_CASES` when set (600 before a change to the engine lands),
/// otherwise few enough for every test run.
pub fn proptest_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

/// A customers table and a link Account ↔ customers: name both ways, industry pulled,
/// health score pushed.
pub fn customers_link(policy: &str) -> Value {
    json!({
        "name": "customers",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": policy,
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "industry"}, "remote": "Industry", "direction": "pull"},
            {"local": {"column": "health_score"}, "remote": "Health_Score__c", "direction": "push"}
        ]
    })
}

pub const CUSTOMERS_TABLE: &str = "CREATE TABLE customers (
    id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, industry TEXT, health_score REAL)";
