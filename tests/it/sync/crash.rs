//! Crash safety of `tether sync`: the CLI process is killed with SIGKILL at random points while
//! it reads, writes locally and pushes, and the next runs must reach exactly the state that the
//! edits on both sides call for, with no record created twice on either side.
//!
//! One `tether sandbox-org` process outlives every killed sync; `tether connect` signs in once
//! through the keychain of the test session (scripts/test.sh), as a user would.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tether::connect::KeyringStore;
use tether::sync::link::Link;
use tether::workspace::Workspace;

use crate::support::cli::{
    Org, Running, Setup, connect, free_port, start_org, succeeded, use_private_copy,
};

/// The connection of the trials: tests that run at the same time share the session keychain,
/// so each names its own.
const CONNECTION: &str = "crash-trials";
const LINK: &str = "customers";
const TRIALS: usize = 20;
const INDUSTRIES: [&str; 4] = ["Energy", "Banking", "Retail", "Technology"];

/// What one customer must look like on both sides once the syncs have finished.
#[derive(Debug, Clone, PartialEq)]
struct Want {
    name: String,
    industry: Option<String>,
    health: Option<f64>,
}

impl Setup {
    fn sync_command(&self) -> Command {
        self.command(&["sync", LINK])
    }

    /// A sync left to finish; it must succeed.
    fn sync(&self) -> String {
        succeeded(
            "tether sync",
            self.sync_command().output().expect("tether sync runs"),
        )
    }

    /// How far a killed run got, from what it committed: local writes and base moves commit
    /// together; pushes log their intents first and confirm them after Salesforce answers.
    fn phase_reached(&self, runs_before: i64) -> &'static str {
        let conn = self.db();
        let count =
            |sql: &str| -> i64 { conn.query_row(sql, [runs_before], |r| r.get(0)).unwrap() };
        if count("SELECT COUNT(*) FROM tether_runs WHERE id > ?1") == 0 {
            return "before its run was recorded";
        }
        if count("SELECT COUNT(*) FROM tether_runs WHERE id > ?1 AND status = 'succeeded'") > 0 {
            return "after the run finished";
        }
        let intents = count("SELECT COUNT(*) FROM tether_remote_images WHERE run_id > ?1");
        let confirmed =
            count("SELECT COUNT(*) FROM tether_remote_images WHERE run_id > ?1 AND confirmed = 1");
        let local = count("SELECT COUNT(*) FROM tether_base_images WHERE run_id > ?1");
        match (local, intents, confirmed) {
            (0, 0, _) => "while reading and planning",
            (_, 0, _) => "after the local writes, before any push",
            (_, _, 0) => "while pushing, nothing confirmed yet",
            _ => "while pushing, part confirmed",
        }
    }
}

fn customers_link() -> Value {
    json!({
        "name": LINK,
        "connection": CONNECTION,
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "match_on": {"by": "external_id", "field": "External_Id__c", "column": "code"},
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "industry"}, "remote": "Industry", "direction": "pull"},
            {"local": {"column": "health_score"}, "remote": "Health_Score__c", "direction": "push"}
        ]
    })
}

/// A score with at most two decimals, as Health_Score__c keeps it.
fn score(rng: &mut StdRng) -> f64 {
    f64::from(rng.random_range(0..10_000u32)) / 100.0
}

/// Edits on both sides for one trial, recorded in `want`: new local rows, local edits of
/// name and score, remote edits of name and industry (on other records than the local edits,
/// so that each field has one expected value whatever the conflict policy), new remote records.
async fn edit_both_sides(
    trial: usize,
    rng: &mut StdRng,
    setup: &Setup,
    org: &Org,
    want: &mut BTreeMap<String, Want>,
    ids: &HashMap<String, String>,
) {
    let existing: Vec<String> = want.keys().cloned().collect();
    let mut touched = HashSet::new();
    let conn = setup.db();
    let local_edits = existing.len().min(rng.random_range(40..80));
    for code in existing.choose_multiple(rng, local_edits) {
        touched.insert(code.clone());
        let name = format!("Local {trial} {code}");
        let health = score(rng);
        conn.execute(
            "UPDATE customers SET name = ?1, health_score = ?2 WHERE code = ?3",
            rusqlite::params![name, health, code],
        )
        .unwrap();
        let entry = want.get_mut(code).unwrap();
        entry.name = name;
        entry.health = Some(health);
    }
    let remote_candidates: Vec<&String> =
        existing.iter().filter(|c| !touched.contains(*c)).collect();
    let remote_edits = remote_candidates.len().min(rng.random_range(40..80));
    let mut patches = Vec::new();
    for code in remote_candidates.choose_multiple(rng, remote_edits) {
        let name = format!("Remote {trial} {code}");
        let industry = INDUSTRIES.choose(rng).unwrap().to_string();
        patches.push(json!({"Id": ids[*code], "Name": name, "Industry": industry}));
        let entry = want.get_mut(*code).unwrap();
        entry.name = name;
        entry.industry = Some(industry);
    }
    org.write_accounts(reqwest::Method::PATCH, patches).await;

    let new_local = rng.random_range(150..300);
    for i in 0..new_local {
        let code = format!("L{trial}-{i}");
        let name = format!("New local {code}");
        let health = score(rng);
        conn.execute(
            "INSERT INTO customers (code, name, health_score) VALUES (?1, ?2, ?3)",
            rusqlite::params![code, name, health],
        )
        .unwrap();
        want.insert(
            code,
            Want {
                name,
                industry: None,
                health: Some(health),
            },
        );
    }
    let new_remote = rng.random_range(20..60);
    let mut creates = Vec::new();
    for i in 0..new_remote {
        let code = format!("R{trial}-{i}");
        let name = format!("New remote {code}");
        let industry = INDUSTRIES.choose(rng).unwrap().to_string();
        creates.push(json!({"External_Id__c": code, "Name": name, "Industry": industry}));
        want.insert(
            code,
            Want {
                name,
                industry: Some(industry),
                health: None,
            },
        );
    }
    org.write_accounts(reqwest::Method::POST, creates).await;
}

fn opt_text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Both sides hold exactly `want`: one local row and one Account per external id, each with
/// the other's id, and nothing else. Returns the Salesforce id of every external id.
async fn check_both_sides(
    trial: usize,
    setup: &Setup,
    org: &Org,
    want: &BTreeMap<String, Want>,
) -> HashMap<String, String> {
    let conn = setup.db();
    let mut stmt = conn
        .prepare("SELECT code, sf_id, name, industry, health_score FROM customers")
        .unwrap();
    let local: Vec<(Option<String>, Option<String>, Want)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Want {
                    name: r.get(2)?,
                    industry: r.get(3)?,
                    health: r.get(4)?,
                },
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(local.len(), want.len(), "trial {trial}: local row count");
    let mut local_ids = HashMap::new();
    let mut seen_ids = HashSet::new();
    for (code, sf_id, row) in &local {
        let code = code.clone().unwrap_or_else(|| {
            panic!("trial {trial}: a local row without a code (a pulled duplicate?): {row:?}")
        });
        let sf_id = sf_id
            .clone()
            .unwrap_or_else(|| panic!("trial {trial}: local row {code} has no Salesforce id"));
        assert!(
            seen_ids.insert(sf_id.clone()),
            "trial {trial}: two local rows hold {sf_id}"
        );
        assert_eq!(
            Some(row),
            want.get(&code),
            "trial {trial}: local row {code}"
        );
        local_ids.insert(code, sf_id);
    }

    let accounts = org
        .query_all("SELECT Id, External_Id__c, Name, Industry, Health_Score__c FROM Account")
        .await;
    assert_eq!(accounts.len(), want.len(), "trial {trial}: Account count");
    let mut remote_ids = HashMap::new();
    for account in &accounts {
        let code = opt_text(&account["External_Id__c"]).unwrap_or_else(|| {
            panic!("trial {trial}: an Account without an external id: {account}")
        });
        let id = opt_text(&account["Id"]).unwrap();
        assert!(
            remote_ids.insert(code.clone(), id.clone()).is_none(),
            "trial {trial}: two Accounts with external id {code}"
        );
        let got = Want {
            name: opt_text(&account["Name"]).unwrap_or_default(),
            industry: opt_text(&account["Industry"]),
            health: account["Health_Score__c"].as_f64(),
        };
        assert_eq!(Some(&got), want.get(&code), "trial {trial}: Account {code}");
        let local_id = &local_ids[&code];
        assert_eq!(
            local_id.get(..15),
            id.get(..15),
            "trial {trial}: row {code} names another Account"
        );
    }
    remote_ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_syncs_resume_to_the_expected_state_without_duplicates() {
    KeyringStore::open().expect("a Secret Service must be running (scripts/test.sh)");
    let seed: u64 = std::env::var("TETHER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("crash trials seed: {seed} (rerun with TETHER_CRASH_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);

    let port = free_port();
    // Every step runs the same build of tether, even if the target directory is rebuilt
    // while the trials run.
    use_private_copy();
    // Some latency, so that a sync spends long enough in each step for a kill to land inside it.
    let (_org_process, login) = start_org(
        &format!("http://localhost:{port}/OauthRedirect"),
        &["--latency-ms", "15", "--jitter-ms", "15"],
    );
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let org = Org::sign_in(&login).await;

    let mut ws = Workspace::open(&setup.workspace).expect("workspace opens");
    ws.conn()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, code TEXT UNIQUE, sf_id TEXT,
                 name TEXT, industry TEXT, health_score REAL)",
        )
        .unwrap();
    let link: Link = serde_json::from_value(customers_link()).expect("link parses");
    ws.save_link(&link, "test").expect("link saves");
    drop(ws);

    let mut want = BTreeMap::new();
    let mut ids = HashMap::new();
    edit_both_sides(0, &mut rng, &setup, &org, &mut want, &ids).await;
    let started = Instant::now();
    setup.sync();
    // Kills are drawn over a little more than the last full sync took, which grows with the
    // records that each pull re-reads in its overlap window.
    let mut window = started.elapsed().mul_f64(1.3);
    ids = check_both_sides(0, &setup, &org, &want).await;
    let mut killed = 0;
    let mut phases: BTreeMap<&str, usize> = BTreeMap::new();
    for trial in 1..=TRIALS {
        edit_both_sides(trial, &mut rng, &setup, &org, &mut want, &ids).await;
        let runs_before = setup.last_run_id();
        let delay = window.mul_f64(rng.random_range(0.0..1.0));
        let said = setup.data.join(format!("trial-{trial}.stderr"));
        let mut command = setup.sync_command();
        if trial % 2 == 1 {
            // Forty records at a time: the kill may land between batches of one run.
            command.args(["--batch-records", "40"]);
        }
        let mut child = Running(
            command
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&said).expect("stderr file"))
                .spawn()
                .expect("tether sync starts"),
        );
        std::thread::sleep(delay);
        // The sync may finish between the delay and the signal; then it must have succeeded.
        child.0.kill().ok();
        let status = child.0.wait().unwrap();
        let was_killed = status.signal() == Some(9);
        killed += usize::from(was_killed);
        assert!(
            was_killed || status.success(),
            "trial {trial}: sync ended with {status} before the kill: {}",
            std::fs::read_to_string(&said).unwrap_or_default()
        );
        let killed_runs = setup.runs_after(runs_before);
        let phase = setup.phase_reached(runs_before);
        *phases.entry(phase).or_insert(0) += 1;
        let resume_started = Instant::now();
        let resumed = setup.sync();
        window = resume_started.elapsed().mul_f64(1.3);
        let again = setup.sync();
        assert!(
            again.contains(" 0 created, 0 updated, 0 deleted, 0 failed"),
            "trial {trial}: the run after the resumed one still had work: {again}"
        );
        let runs = setup.runs_after(runs_before);
        assert_eq!(
            runs.len(),
            killed_runs.len() + 2,
            "trial {trial}: runs {runs:?}"
        );
        for (i, (id, run_status)) in runs.iter().enumerate() {
            let allowed: &[&str] = if i < killed_runs.len() {
                &["interrupted", "succeeded"]
            } else {
                &["succeeded"]
            };
            assert!(
                allowed.contains(&run_status.as_str()),
                "trial {trial}: run {id} is {run_status}"
            );
        }
        ids = check_both_sides(trial, &setup, &org, &want).await;
        println!(
            "trial {trial}: kill after {delay:?}, {phase}, killed run {:?}; resumed: {}",
            (!killed_runs.is_empty()).then(|| runs[0].1.as_str()),
            resumed.lines().next().unwrap_or("")
        );
    }
    println!(
        "{killed} of {TRIALS} syncs were killed before they finished; kills landed {phases:?}"
    );
    assert!(
        killed >= TRIALS / 2,
        "only {killed} of {TRIALS} kills landed inside a sync: the kill window is too wide"
    );
}
