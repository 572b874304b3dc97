//! The shipped templates end to end, as a new user runs them from the command line: list the
//! templates, install one for a connection, verify its links, let another program fill the
//! local tables, then `tether sync --all` against a sandbox org that drops requests and locks
//! rows, and check both sides record by record.
//!
//! Every expectation is computed from the rows the test wrote, never written out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../cli_support/mod.rs"]
mod cli_support;
mod customer_health;
mod lead_scores;
mod service_customers;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration as Days, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use rusqlite::params;
use serde_json::{Value, json};
use tether::connect::KeyringStore;
use tether::sync::templates::LEAD_SCORE_DAYS;

use cli_support::{Org, Running, Setup, connect, free_port, start_org, succeeded, text};

/// Syncs allowed before the injected faults must have been worked through.
const ATTEMPTS: usize = 8;

/// One template test at a time: concurrent `tether` processes writing the one session keychain
/// make its Secret Service daemon drop requests, which is not what these tests are about.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A connected user with an empty workspace, and the org as the test reaches it.
struct User {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    /// Each test names its connection: tests running together share the keychain.
    connection: String,
    setup: Setup,
    org: Org,
    rng: StdRng,
    _org_process: Running,
    _dir: tempfile::TempDir,
}

async fn new_user(template: &str) -> User {
    let turn = ONE_AT_A_TIME.lock().await;
    KeyringStore::open().expect("a Secret Service must be running (scripts/test.sh)");
    let seed: u64 = std::env::var("TETHER_TEMPLATE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("{template}: seed {seed} (rerun with TETHER_TEMPLATE_SEED={seed})");
    let port = free_port();
    let (org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(template)).await;
    let org = Org::sign_in(&login).await;
    User {
        _turn: turn,
        connection: template.to_string(),
        setup,
        org,
        rng: StdRng::seed_from_u64(seed),
        _org_process: org_process,
        _dir: dir,
    }
}

impl User {
    fn run(&self, args: &[&str]) -> String {
        let what = format!("tether {}", args.join(" "));
        succeeded(
            &what,
            self.setup.command(args).output().expect("tether runs"),
        )
    }

    /// Lists the templates, installs `template` and verifies each link it installed.
    fn install(&self, template: &str) -> Vec<String> {
        let listed = self.run(&["link", "template"]);
        assert!(
            listed.contains(template),
            "{template} not listed:\n{listed}"
        );
        let installed = self.run(&[
            "link",
            "template",
            template,
            "--connection",
            &self.connection,
        ]);
        let links: Vec<String> = self
            .setup
            .db()
            .prepare("SELECT name FROM tether_links ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!links.is_empty(), "no link installed:\n{installed}");
        let list = self.run(&["link", "list"]);
        for link in &links {
            assert!(list.contains(link.as_str()), "{link} not in:\n{list}");
            let verified = self.run(&["link", "verify", link]);
            assert!(
                !verified.to_lowercase().contains("error"),
                "{link} verifies with errors:\n{verified}"
            );
        }
        links
    }

    async fn set_faults(&mut self, unavailable: f64, locks: f64, dropped: f64) {
        let seed: u64 = self.rng.random();
        self.org
            .set_faults(json!({
                "latency_ms": 2,
                "jitter_ms": 8,
                "server_unavailable_rate": unavailable,
                "lock_error_rate": locks,
                "drop_connection_rate": dropped,
                "session_expiry_secs": null,
                "seed": seed,
            }))
            .await;
    }

    /// Every write refused with `UNABLE_TO_LOCK_ROW`: the sync fails, some run ends failed or
    /// partial, and the refused records are in the run errors.
    async fn lock_every_write(&mut self, runs_before: i64) {
        self.set_faults(0.0, 1.0, 0.0).await;
        let printed = self.failing_sync("while every write was refused");
        let locked_runs = self.setup.runs_after(runs_before);
        assert!(
            locked_runs.iter().any(|(_, status)| status != "succeeded"),
            "runs while every write was refused: {locked_runs:?}\n{printed}"
        );
        let locked: i64 = self
            .setup
            .db()
            .query_row(
                "SELECT COUNT(*) FROM tether_run_errors WHERE run_id > ?1 AND code = 'UNABLE_TO_LOCK_ROW'",
                [runs_before],
                |r| r.get(0),
            )
            .unwrap();
        assert!(locked > 0, "no lock error recorded:\n{printed}");
    }

    /// `tether sync --all`, which must fail; returns what it printed.
    fn failing_sync(&self, why: &str) -> String {
        let out = self
            .setup
            .command(&["sync", "--all"])
            .output()
            .expect("tether sync runs");
        let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success(), "a sync succeeded {why}:\n{printed}");
        printed
    }

    /// Three phases of faults. An outage (every request answered 503): the sync fails, and each
    /// link's attempt is recorded as a failed run. Every write refused (when there are writes). Then 503s, row locks, dropped
    /// connections and latency at rates: every link is synced again until a sync of all of
    /// them succeeds. The faults go off before the test looks at the result.
    /// `writes`: whether the sync has anything to write to Salesforce (the lock phase needs it).
    async fn sync_through_faults(&mut self, writes: bool) -> Vec<String> {
        let runs_before = self.setup.last_run_id();
        self.set_faults(1.0, 0.0, 0.0).await;
        let printed = self.failing_sync("while every request failed");
        assert!(printed.contains("SERVER_UNAVAILABLE"), "{printed}");
        // Every link was attempted, and each attempt is in the history as a failed run.
        let links: i64 = self
            .setup
            .db()
            .query_row("SELECT COUNT(*) FROM tether_links", [], |r| r.get(0))
            .unwrap();
        let outage_runs = self.setup.runs_after(runs_before);
        assert_eq!(
            outage_runs.len() as i64,
            links,
            "one run per link: {outage_runs:?}"
        );
        assert!(
            outage_runs.iter().all(|(_, status)| status == "failed"),
            "runs during the outage: {outage_runs:?}"
        );

        if writes {
            // Only the runs of the lock phase count there, not the failed outage runs.
            let outage_end = self.setup.last_run_id();
            self.lock_every_write(outage_end).await;
        }

        self.set_faults(0.2, 0.3, 0.05).await;
        let mut outputs = Vec::new();
        let mut done = false;
        for _ in 0..ATTEMPTS {
            let out = self
                .setup
                .command(&["sync", "--all"])
                .output()
                .expect("tether sync runs");
            outputs.push(format!("{}{}", text(&out.stdout), text(&out.stderr)));
            if out.status.success() {
                done = true;
                break;
            }
        }
        self.org
            .set_faults(json!({
                "latency_ms": 0, "jitter_ms": 0, "server_unavailable_rate": 0.0,
                "lock_error_rate": 0.0, "drop_connection_rate": 0.0,
                "session_expiry_secs": null, "seed": 0,
            }))
            .await;
        assert!(
            done,
            "no sync succeeded in {ATTEMPTS} attempts:\n{}",
            outputs.join("\n---\n")
        );
        let errors: Vec<(String, i64)> = self
            .setup
            .db()
            .prepare("SELECT code, COUNT(*) FROM tether_run_errors WHERE run_id > ?1 GROUP BY code")
            .unwrap()
            .query_map([runs_before], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        println!(
            "{} attempts; errors recorded {errors:?}; runs {:?}\n{}",
            outputs.len(),
            self.setup.runs_after(runs_before),
            outputs.join("---\n")
        );
        outputs
    }

    /// A sync without faults that must find nothing left to do.
    fn sync_is_idle(&self) {
        let runs_before = self.setup.last_run_id();
        let out = self.run(&["sync", "--all"]);
        for line in out.lines().filter(|l| l.starts_with("run ")) {
            assert!(
                line.contains(" 0 created, 0 updated, 0 deleted, 0 failed, 0 in conflict"),
                "a sync after the last one still had work: {line}\nwrites: {:#?}",
                self.writes_after(runs_before)
            );
        }
    }

    /// What runs after `run` wrote to Salesforce, before and after, to explain a failure.
    fn writes_after(&self, run: i64) -> Vec<String> {
        let db = self.setup.db();
        let mut stmt = db
            .prepare(
                "SELECT run_id, op, row_key, before, after FROM tether_remote_images
                 WHERE run_id > ?1 ORDER BY id",
            )
            .unwrap();
        stmt.query_map([run], |r| {
            Ok(format!(
                "run {} {} {:?}: {:?} -> {:?}",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }
}

fn opt_text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn id15(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

/// Records by their 15-character id.
fn by_id(records: Vec<Value>) -> BTreeMap<String, Value> {
    records
        .into_iter()
        .map(|r| (id15(r["Id"].as_str().unwrap()).to_string(), r))
        .collect()
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}
