//! The shipped templates end to end, as a new user runs them from the command line: list the
//! templates, install one for a connection, verify its links, let another program fill the
//! local tables, then `tether sync --all` against a sandbox org that drops requests and locks
//! rows, and check both sides record by record.
//!
//! Every expectation is computed from the rows the test wrote, never written out by hand.

mod cli_support;

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

const INDUSTRIES: [&str; 5] = ["Energy", "Banking", "Retail", "Technology", "Healthcare"];
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

    /// Three phases of faults. An outage (every request answered 503): the sync fails before
    /// it starts a run. Every write refused (when there are writes). Then 503s, row locks, dropped
    /// connections and latency at rates: every link is synced again until a sync of all of
    /// them succeeds. The faults go off before the test looks at the result.
    /// `writes`: whether the sync has anything to write to Salesforce (the lock phase needs it).
    async fn sync_through_faults(&mut self, writes: bool) -> Vec<String> {
        let runs_before = self.setup.last_run_id();
        self.set_faults(1.0, 0.0, 0.0).await;
        let printed = self.failing_sync("while every request failed");
        assert!(printed.contains("SERVER_UNAVAILABLE"), "{printed}");
        assert_eq!(
            self.setup.runs_after(runs_before),
            [],
            "runs during the outage"
        );

        if writes {
            self.lock_every_write(runs_before).await;
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

// ---------------------------------------------------------------------------------------------
// Customer health

/// The trend rule, written again here from its description: the two latest scores, five
/// points or more up or down.
fn trend(history: &[f64]) -> &'static str {
    match history {
        [.., previous, latest] if latest - previous >= 5.0 => "Growing",
        [.., previous, latest] if previous - latest >= 5.0 => "Declining",
        _ => "Stable",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_health_pulls_accounts_and_pushes_scores_with_their_trend() {
    let mut user = new_user("customer-health").await;
    let links = user.install("customer-health");
    assert_eq!(links.len(), 2, "{links:?}");

    // The customers already exist in Salesforce, with their people.
    let accounts: Vec<Value> = (0..40)
        .map(|i| {
            json!({
                "Name": format!("Customer {i:03}"),
                "Industry": INDUSTRIES.choose(&mut user.rng).unwrap(),
                "AnnualRevenue": f64::from(user.rng.random_range(1..500u32)) * 10_000.0,
            })
        })
        .collect();
    let account_ids = user
        .org
        .write_records("Account", Method::POST, accounts.clone())
        .await;
    let contacts: Vec<Value> = account_ids
        .iter()
        .enumerate()
        .flat_map(|(i, account)| {
            (0..(i % 3)).map(move |j| {
                json!({
                    "AccountId": account,
                    "FirstName": format!("Ada{j}"),
                    "LastName": format!("Person {i}-{j}"),
                    "Email": format!("p{i}.{j}@customer{i}.example.com"),
                    "Title": if j == 0 { "CFO" } else { "Operations Lead" },
                    "Phone": format!("+1 555 01{i:02}{j}"),
                })
            })
        })
        .collect();
    user.org
        .write_records("Contact", Method::POST, contacts.clone())
        .await;

    // The health tool writes its score history; the latest score is the customer's score.
    // A few customers have no score yet.
    let mut histories: HashMap<String, Vec<f64>> = HashMap::new();
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for id in &account_ids {
            if !user.rng.random_bool(0.85) {
                continue;
            }
            let months = user.rng.random_range(1..=4u32);
            let mut scores = Vec::new();
            let mut score = f64::from(user.rng.random_range(3_000..9_000u32)) / 100.0;
            for month in 0..months {
                score = (score + f64::from(user.rng.random_range(-1_000..1_000i32)) / 100.0)
                    .clamp(0.0, 100.0);
                score = (score * 100.0).round() / 100.0;
                let day = NaiveDate::from_ymd_opt(2026, 1 + month, 1).unwrap();
                tx.execute(
                    "INSERT INTO health_scores (customer_id, score, measured_on) VALUES (?1, ?2, ?3)",
                    params![id, score, day.to_string()],
                )
                .unwrap();
                scores.push(score);
            }
            tx.execute(
                "INSERT INTO customers (customer_id, health_score) VALUES (?1, ?2)",
                params![id, score],
            )
            .unwrap();
            histories.insert(id15(id).to_string(), scores);
        }
        tx.commit().unwrap();
    }

    user.sync_through_faults(true).await;
    user.sync_is_idle();
    check_customer_health(&user, &account_ids, &accounts, &histories, &contacts).await;

    // A month later: Salesforce users edit some Accounts, the health tool scores some
    // customers again; each side's change must reach the other.
    let mut accounts = accounts;
    let mut patches = Vec::new();
    for (id, account) in account_ids.iter().zip(accounts.iter_mut()) {
        if user.rng.random_bool(0.3) {
            let industry = INDUSTRIES.choose(&mut user.rng).unwrap();
            account["Industry"] = json!(industry);
            account["Name"] = json!(format!("{} Group", account["Name"].as_str().unwrap()));
            patches.push(json!({"Id": id, "Industry": industry, "Name": account["Name"]}));
        }
    }
    user.org
        .write_records("Account", Method::PATCH, patches)
        .await;
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for (id, scores) in histories.iter_mut() {
            if !user.rng.random_bool(0.5) {
                continue;
            }
            let last = *scores.last().unwrap();
            // Never the same score again, so that the customer's row changes.
            let step = f64::from(user.rng.random_range(1..1_200u32)) / 100.0;
            let score = if last + step <= 100.0 {
                last + step
            } else {
                last - step
            };
            let score = (score * 100.0).round() / 100.0;
            let month = u32::try_from(scores.len()).unwrap() + 1;
            let day = NaiveDate::from_ymd_opt(2026, month, 1).unwrap();
            let full_id: String = tx
                .query_row(
                    "SELECT customer_id FROM customers WHERE substr(customer_id, 1, 15) = ?1",
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            tx.execute(
                "INSERT INTO health_scores (customer_id, score, measured_on) VALUES (?1, ?2, ?3)",
                params![full_id, score, day.to_string()],
            )
            .unwrap();
            tx.execute(
                "UPDATE customers SET health_score = ?1 WHERE customer_id = ?2",
                params![score, full_id],
            )
            .unwrap();
            scores.push(score);
        }
        tx.commit().unwrap();
    }
    user.sync_through_faults(true).await;
    user.sync_is_idle();
    check_customer_health(&user, &account_ids, &accounts, &histories, &contacts).await;

    // A customer leaves and a person moves on: the Account (one without Contacts) and a
    // Contact are deleted in Salesforce. The customer is kept locally, marked archived; the
    // stakeholder goes.
    let gone_account = account_ids[0].clone();
    let gone_contact = user
        .org
        .query_all("SELECT Id FROM Contact ORDER BY LastName LIMIT 1")
        .await[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    user.org
        .delete_records(&[gone_account.clone(), gone_contact.clone()])
        .await;
    user.sync_through_faults(false).await;
    user.sync_is_idle();
    let db = user.setup.db();
    let archived: Vec<(String, i64)> = db
        .prepare("SELECT customer_id, archived FROM customers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(archived.len(), account_ids.len(), "archived customers stay");
    for (id, flag) in archived {
        let want = i64::from(id15(&id) == id15(&gone_account));
        assert_eq!(flag, want, "archived flag of {id}");
    }
    let stakeholders: Vec<String> = db
        .prepare("SELECT stakeholder_id FROM stakeholders")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stakeholders.len(), contacts.len() - 1, "{stakeholders:?}");
    assert!(
        stakeholders
            .iter()
            .all(|id| id15(id) != id15(&gone_contact)),
        "the deleted Contact's stakeholder is still there"
    );
}

/// One local customer row.
#[derive(Debug)]
struct Customer {
    id: String,
    name: Option<String>,
    industry: Option<String>,
    revenue: Option<f64>,
    score: Option<f64>,
    archived: i64,
}

/// Both sides hold what was written: Accounts' names, industries and revenues pulled, the
/// latest score and its trend pushed, every Contact pulled as a stakeholder.
async fn check_customer_health(
    user: &User,
    account_ids: &[String],
    accounts: &[Value],
    histories: &HashMap<String, Vec<f64>>,
    contacts: &[Value],
) {
    let remote = by_id(
        user.org
            .query_all(
                "SELECT Id, Name, Industry, AnnualRevenue, Health_Score__c, Health_Trend__c FROM Account",
            )
            .await,
    );
    assert_eq!(remote.len(), accounts.len(), "no Account created or lost");
    let db = user.setup.db();
    let mut stmt = db
        .prepare("SELECT customer_id, name, industry, annual_revenue, health_score, archived FROM customers")
        .unwrap();
    let local: Vec<Customer> = stmt
        .query_map([], |r| {
            Ok(Customer {
                id: r.get(0)?,
                name: r.get(1)?,
                industry: r.get(2)?,
                revenue: r.get(3)?,
                score: r.get(4)?,
                archived: r.get(5)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        local.len(),
        accounts.len(),
        "one local customer per Account"
    );
    for (id, written) in account_ids.iter().zip(accounts) {
        let account = &remote[id15(id)];
        let row = local
            .iter()
            .find(|r| id15(&r.id) == id15(id))
            .unwrap_or_else(|| panic!("Account {id} not pulled"));
        assert_eq!(
            row.name.as_deref(),
            written["Name"].as_str(),
            "name of {id}"
        );
        assert_eq!(
            row.industry.as_deref(),
            written["Industry"].as_str(),
            "industry of {id}"
        );
        assert_eq!(
            row.revenue,
            written["AnnualRevenue"].as_f64(),
            "revenue of {id}"
        );
        assert_eq!(row.archived, 0, "{id} archived");
        match histories.get(id15(id)) {
            Some(scores) => {
                assert_eq!(
                    account["Health_Score__c"].as_f64(),
                    scores.last().copied(),
                    "{id}"
                );
                assert_eq!(row.score, scores.last().copied(), "local score of {id}");
                assert_eq!(
                    opt_text(&account["Health_Trend__c"]).as_deref(),
                    Some(trend(scores)),
                    "trend of {id} from {scores:?}"
                );
            }
            None => {
                assert_eq!(account["Health_Score__c"], Value::Null, "{id}");
                assert_eq!(account["Health_Trend__c"], Value::Null, "{id}");
            }
        }
    }

    let mut stmt = db
        .prepare("SELECT stakeholder_id, customer_id, first_name, last_name, email, title, phone FROM stakeholders")
        .unwrap();
    let stakeholders: BTreeMap<String, Vec<Option<String>>> = stmt
        .query_map([], |r| {
            Ok((
                id15(&r.get::<_, String>(0)?).to_string(),
                (1..7).map(|i| r.get(i)).collect::<Result<Vec<_>, _>>()?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let remote_contacts = user
        .org
        .query_all("SELECT Id, AccountId, FirstName, LastName, Email, Title, Phone FROM Contact")
        .await;
    assert_eq!(
        remote_contacts.len(),
        contacts.len(),
        "no Contact created or lost"
    );
    assert_eq!(
        stakeholders.len(),
        contacts.len(),
        "one stakeholder per Contact"
    );
    for contact in &remote_contacts {
        let id = contact["Id"].as_str().unwrap();
        let row = &stakeholders[id15(id)];
        let written = contacts
            .iter()
            .find(|c| c["LastName"] == contact["LastName"])
            .unwrap();
        assert_eq!(
            row[0].as_deref().map(id15),
            written["AccountId"].as_str().map(id15),
            "account of {id}"
        );
        for (i, field) in ["FirstName", "LastName", "Email", "Title", "Phone"]
            .iter()
            .enumerate()
        {
            assert_eq!(
                row[i + 1].as_deref(),
                written[field].as_str(),
                "{field} of {id}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lead scores

struct Score {
    tier: String,
    display: String,
    conversion: f64,
    lift: f64,
    rank: i64,
    action: String,
    explanation: String,
    model: String,
    scored_at: DateTime<Utc>,
    v4_score: f64,
    percentile: i64,
}

fn random_score(rng: &mut StdRng, i: usize, now: DateTime<Utc>, days_ago: i64) -> Score {
    let tiers = [
        ("TIER_1A_PRIME_MOVER_CFP", "Tier 1A · Prime mover"),
        ("TIER_2_PROVEN_MOVER", "Tier 2 · Proven mover"),
        ("TIER_3_MODERATE", "Tier 3 · Moderate"),
        ("TIER_4_LOW", "Tier 4 · Low"),
    ];
    let (tier, display) = tiers.choose(rng).unwrap();
    Score {
        tier: (*tier).into(),
        display: (*display).into(),
        conversion: f64::from(rng.random_range(1..3_000u32)) / 10_000.0,
        lift: f64::from(rng.random_range(50..900u32)) / 100.0,
        rank: i64::try_from(i).unwrap() + 1,
        action: ["Call this week", "Nurture", "Hand to SDR"]
            .choose(rng)
            .unwrap()
            .to_string(),
        explanation: format!("Lead {i}: recent funding, hiring, and a pricing page visit."),
        model: "v3.2".into(),
        scored_at: now - Days::days(days_ago) - Days::minutes(rng.random_range(0..600)),
        v4_score: f64::from(rng.random_range(0..1_000_000u32)) / 1_000_000.0,
        percentile: rng.random_range(1..=100),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_scores_push_formatted_fields_for_recent_scores_only() {
    let mut user = new_user("lead-scores").await;
    user.install("lead-scores");

    let leads: Vec<Value> = (0..60)
        .map(|i| json!({"LastName": format!("Lead {i:03}"), "Company": format!("Company {i}")}))
        .collect();
    let lead_ids = user.org.write_records("Lead", Method::POST, leads).await;

    // The scoring job writes a score for most leads; some were scored too long ago to push.
    let now = Utc::now();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for (i, id) in lead_ids.iter().enumerate().filter(|(i, _)| i % 6 != 5) {
            let recent = user.rng.random_bool(0.75);
            let days_ago = if recent {
                user.rng.random_range(0..i64::from(LEAD_SCORE_DAYS) - 1)
            } else {
                user.rng.random_range(i64::from(LEAD_SCORE_DAYS) + 1..90)
            };
            let s = random_score(&mut user.rng, i, now, days_ago);
            let at = s.scored_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            tx.execute(
                "INSERT INTO lead_scores (lead_id, score_tier, tier_display, expected_conversion_rate,
                     expected_lift, priority_rank, action_recommended, tier_explanation, model_version,
                     scored_at, v4_score, v4_percentile, v4_model_version, v4_scored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?10)",
                params![
                    id, s.tier, s.display, s.conversion, s.lift, s.rank, s.action,
                    s.explanation, s.model, at, s.v4_score, s.percentile, "v4.0"
                ],
            )
            .unwrap();
            scores.insert(id15(id).to_string(), s);
        }
        tx.commit().unwrap();
    }
    let local_before = dump(&user.setup, "lead_scores");

    user.sync_through_faults(true).await;
    user.sync_is_idle();

    let remote = by_id(
        user.org
            .query_all(
                "SELECT Id, Lead_Score_Tier__c, Lead_Tier_Display__c, Expected_Conversion__c,
                        Expected_Lift__c, Lead_Priority_Rank__c, Lead_Action__c,
                        Lead_Score_Explanation__c, Lead_Model_Version__c, Lead_Scored_At__c,
                        V4_Score__c, V4_Score_Percentile__c, V4_Deprioritize__c,
                        V4_Model_Version__c, V4_Scored_At__c FROM Lead",
            )
            .await,
    );
    assert_eq!(remote.len(), lead_ids.len(), "no Lead created or lost");
    let cutoff = now - Days::days(i64::from(LEAD_SCORE_DAYS));
    let mut pushed = 0;
    for (id, lead) in &remote {
        let due = scores.get(id).filter(|s| s.scored_at >= cutoff);
        let Some(s) = due else {
            for (field, value) in lead.as_object().unwrap() {
                if field != "Id" && field != "attributes" && field != "V4_Deprioritize__c" {
                    assert_eq!(
                        value,
                        &Value::Null,
                        "{field} of {id} pushed without a due score"
                    );
                }
            }
            assert_ne!(lead["V4_Deprioritize__c"], json!(true), "{id}");
            continue;
        };
        pushed += 1;
        let expected = [
            ("Lead_Score_Tier__c", json!(s.tier)),
            ("Lead_Tier_Display__c", json!(s.display)),
            (
                "Expected_Conversion__c",
                json!(format!("{:.2}%", s.conversion * 100.0)),
            ),
            ("Expected_Lift__c", json!(format!("{:.2}x", s.lift))),
            ("Lead_Priority_Rank__c", json!(s.rank as f64)),
            ("Lead_Action__c", json!(s.action)),
            ("Lead_Score_Explanation__c", json!(s.explanation)),
            ("Lead_Model_Version__c", json!(s.model)),
            ("V4_Score__c", json!(s.v4_score)),
            ("V4_Score_Percentile__c", json!(s.percentile as f64)),
            ("V4_Deprioritize__c", json!(s.percentile <= 20)),
            ("V4_Model_Version__c", json!("v4.0")),
        ];
        for (field, want) in expected {
            let got = &lead[field];
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == &want,
            };
            assert!(same, "{field} of {id}: got {got}, want {want}");
        }
        for field in ["Lead_Scored_At__c", "V4_Scored_At__c"] {
            let got = lead[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} of {id}"));
            assert_eq!(
                instant(got).timestamp(),
                s.scored_at.timestamp(),
                "{field} of {id}"
            );
        }
    }
    assert!(pushed > 0, "no score was due");
    assert_eq!(
        dump(&user.setup, "lead_scores"),
        local_before,
        "a push-only link changed the local scores"
    );
}

/// Every row of a table as text, in key order, to compare whole tables.
fn dump(setup: &Setup, table: &str) -> Vec<String> {
    let db = setup.db();
    let mut stmt = db
        .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
        .unwrap();
    let width = stmt.column_count();
    stmt.query_map([], |r| {
        (0..width)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Service customers

struct ServiceCustomer {
    st_id: String,
    tenant: i64,
    name: String,
    kind: &'static str,
    first: Option<String>,
    last: Option<String>,
    email: String,
    phone: String,
    line1: String,
    line2: Option<String>,
    city: &'static str,
    state: &'static str,
    zip: String,
    balance: f64,
    lifetime_value: f64,
    total_jobs: i64,
    completed_jobs: i64,
    first_job_days_ago: i64,
    last_job_days_ago: i64,
    active: bool,
    do_not_service: bool,
    modified: DateTime<Utc>,
}

impl ServiceCustomer {
    fn street(&self) -> String {
        match &self.line2 {
            Some(line2) => format!("{} {line2}", self.line1),
            None => self.line1.clone(),
        }
    }

    /// The segment rule of the template, from its description: first match wins.
    fn segment(&self) -> &'static str {
        let idle = self.last_job_days_ago;
        if self.lifetime_value >= 10_000.0 && idle < 180 {
            "VIP"
        } else if self.lifetime_value >= 5_000.0 {
            "High Value"
        } else if idle > 365 {
            "Churning"
        } else if idle > 180 {
            "At Risk"
        } else {
            "Standard"
        }
    }
}

fn service_customer(rng: &mut StdRng, i: usize) -> ServiceCustomer {
    let commercial = i.is_multiple_of(5);
    let company_only = commercial && i.is_multiple_of(10);
    // Days since the last job, kept away from the 180 and 365 day edges.
    let last_job_days_ago = *[5, 40, 120, 200, 300, 420, 700].choose(rng).unwrap();
    let total_jobs = rng.random_range(1..40);
    ServiceCustomer {
        st_id: format!("st_{}", 10_000 + i),
        tenant: 4_201,
        name: if commercial {
            format!("Harbor Foods {i}")
        } else {
            format!("Rivera Household {i}")
        },
        kind: if commercial {
            "Commercial"
        } else {
            "Residential"
        },
        first: (!company_only).then(|| format!("Dana{i}")),
        last: (!company_only).then(|| format!("Rivera{i}")),
        email: format!("customer{i}@example.com"),
        phone: format!("(512) 555-{:04}", 1_000 + i),
        line1: format!("{} Oak Street", 100 + i),
        line2: rng
            .random_bool(0.4)
            .then(|| format!("Suite {}", rng.random_range(1..400))),
        city: ["Austin", "Round Rock", "Cedar Park"].choose(rng).unwrap(),
        state: "TX",
        zip: format!("787{:02}", rng.random_range(0..99)),
        balance: f64::from(rng.random_range(0..50_000u32)) / 100.0,
        lifetime_value: f64::from(
            *[50_000u32, 300_000, 700_000, 1_500_000]
                .choose(rng)
                .unwrap()
                + rng.random_range(0..5_000u32),
        ) / 100.0,
        total_jobs,
        completed_jobs: total_jobs - i64::from(total_jobs > 3),
        first_job_days_ago: last_job_days_ago + rng.random_range(30..900),
        last_job_days_ago,
        active: rng.random_bool(0.9),
        do_not_service: rng.random_bool(0.05),
        modified: DateTime::from_timestamp(
            (Utc::now() - Days::days(rng.random_range(0..30))).timestamp(),
            0,
        )
        .unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_customers_upsert_accounts_and_linked_contacts_on_external_ids() {
    let mut user = new_user("service-customers").await;
    let links = user.install("service-customers");
    assert_eq!(links.len(), 2, "{links:?}");

    let today = Utc::now().date_naive();
    let customers: Vec<ServiceCustomer> = (0..45)
        .map(|i| service_customer(&mut user.rng, i))
        .collect();
    // Some customers were entered in Salesforce by hand before the integration: the upsert
    // must update those Accounts, not create second ones.
    let existing: Vec<Value> = customers
        .iter()
        .step_by(7)
        .map(
            |c| json!({"Name": format!("{} (old)", c.name), "ServiceTitan_Account_Id__c": c.st_id}),
        )
        .collect();
    let existing_ids = user
        .org
        .write_records("Account", Method::POST, existing.clone())
        .await;

    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for c in &customers {
            tx.execute(
                "INSERT INTO service_customers (st_id, tenant_id, name, type, first_name, last_name,
                     email, phone, address_line1, address_line2, city, state, zip, country,
                     active, do_not_service, balance, lifetime_value, total_jobs, completed_jobs,
                     first_job_date, last_job_date, st_modified_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'US', ?14, ?15,
                     ?16, ?17, ?18, ?19, date('now', ?20), date('now', ?21), ?22)",
                params![
                    c.st_id, c.tenant, c.name, c.kind, c.first, c.last, c.email, c.phone,
                    c.line1, c.line2, c.city, c.state, c.zip, c.active, c.do_not_service,
                    c.balance, c.lifetime_value, c.total_jobs, c.completed_jobs,
                    format!("-{} days", c.first_job_days_ago),
                    format!("-{} days", c.last_job_days_ago),
                    c.modified.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    user.sync_through_faults(true).await;
    check_service_customers(&user, &customers, &existing_ids, today).await;
    // Another sync creates nothing twice.
    user.sync_is_idle();
    check_service_customers(&user, &customers, &existing_ids, today).await;

    // The operations system moves some customers and books new jobs for others: the changed
    // rows are upserted again, onto the same records, with their segment recomputed.
    let mut customers = customers;
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for c in customers.iter_mut() {
            if user.rng.random_bool(0.3) {
                c.line1 = format!("{} Elm Avenue", user.rng.random_range(1..999));
                c.line2 = None;
                c.city = "Georgetown";
                tx.execute(
                    "UPDATE service_customers SET address_line1 = ?1, address_line2 = NULL, city = ?2
                     WHERE st_id = ?3",
                    params![c.line1, c.city, c.st_id],
                )
                .unwrap();
            }
            if user.rng.random_bool(0.3) {
                c.last_job_days_ago = 2;
                c.lifetime_value += 2_500.0;
                c.total_jobs += 1;
                c.completed_jobs += 1;
                tx.execute(
                    "UPDATE service_customers SET last_job_date = date('now', '-2 days'),
                         lifetime_value = ?1, total_jobs = ?2, completed_jobs = ?3
                     WHERE st_id = ?4",
                    params![c.lifetime_value, c.total_jobs, c.completed_jobs, c.st_id],
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    user.sync_through_faults(true).await;
    user.sync_is_idle();
    check_service_customers(&user, &customers, &existing_ids, today).await;
}

async fn check_service_customers(
    user: &User,
    customers: &[ServiceCustomer],
    existing_ids: &[String],
    today: NaiveDate,
) {
    let accounts = user
        .org
        .query_all(
            "SELECT Id, ServiceTitan_Account_Id__c, Name, Type, Phone, BillingStreet, BillingCity,
                    BillingState, BillingPostalCode, BillingCountry, Account_Balance__c,
                    Lifetime_Value__c, Customer_Segment__c FROM Account",
        )
        .await;
    assert_eq!(accounts.len(), customers.len(), "one Account per customer");
    let accounts: HashMap<String, &Value> = accounts
        .iter()
        .map(|a| {
            (
                opt_text(&a["ServiceTitan_Account_Id__c"]).expect("external id"),
                a,
            )
        })
        .collect();
    let contacts = user
        .org
        .query_all(
            "SELECT Id, AccountId, ServiceTitan_Customer_Id__c, ServiceTitan_Tenant_Id__c,
                    FirstName, LastName, Email, Phone, MailingStreet, MailingCity, MailingState,
                    MailingPostalCode, MailingCountry, Active__c, Do_Not_Service__c,
                    Total_Jobs__c, Completed_Jobs__c, First_Service_Date__c,
                    Last_Service_Date__c, ServiceTitan_Last_Modified__c FROM Contact",
        )
        .await;
    let people = customers.iter().filter(|c| c.last.is_some()).count();
    assert_eq!(
        contacts.len(),
        people,
        "one Contact per customer with a person"
    );
    let contacts: HashMap<String, &Value> = contacts
        .iter()
        .map(|c| {
            (
                opt_text(&c["ServiceTitan_Customer_Id__c"]).expect("external id"),
                c,
            )
        })
        .collect();
    for (c, id) in customers.iter().step_by(7).zip(existing_ids) {
        assert_eq!(
            accounts[&c.st_id]["Id"].as_str().map(id15),
            Some(id15(id)),
            "the Account made by hand for {} was updated in place",
            c.st_id
        );
    }
    let db = user.setup.db();
    let local: HashMap<String, (Option<String>, Option<String>)> = db
        .prepare("SELECT st_id, account_sf_id, contact_sf_id FROM service_customers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for c in customers {
        let account = accounts
            .get(&c.st_id)
            .unwrap_or_else(|| panic!("no Account for {}", c.st_id));
        let account_id = account["Id"].as_str().unwrap();
        let expected = [
            ("Name", json!(c.name)),
            ("Type", json!(c.kind)),
            ("Phone", json!(c.phone)),
            ("BillingStreet", json!(c.street())),
            ("BillingCity", json!(c.city)),
            ("BillingState", json!(c.state)),
            ("BillingPostalCode", json!(c.zip)),
            ("BillingCountry", json!("US")),
            ("Account_Balance__c", json!(c.balance)),
            // A currency field keeps two places, whatever the sum a program wrote locally.
            (
                "Lifetime_Value__c",
                json!((c.lifetime_value * 100.0).round() / 100.0),
            ),
            ("Customer_Segment__c", json!(c.segment())),
        ];
        for (field, want) in expected {
            let got = &account[field];
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == &want,
            };
            assert!(
                same,
                "{field} of Account {}: got {got}, want {want}",
                c.st_id
            );
        }
        let (local_account, local_contact) = &local[&c.st_id];
        assert_eq!(
            local_account.as_deref().map(id15),
            Some(id15(account_id)),
            "account id written back for {}",
            c.st_id
        );
        let Some(last) = &c.last else {
            assert!(
                !contacts.contains_key(&c.st_id),
                "{}: a Contact without a person",
                c.st_id
            );
            assert_eq!(local_contact, &None, "{}", c.st_id);
            continue;
        };
        let contact = contacts
            .get(&c.st_id)
            .unwrap_or_else(|| panic!("no Contact for {}", c.st_id));
        assert_eq!(
            contact["AccountId"].as_str().map(id15),
            Some(id15(account_id)),
            "Contact {} linked to its Account",
            c.st_id
        );
        assert_eq!(
            local_contact.as_deref().map(id15),
            contact["Id"].as_str().map(id15),
            "contact id written back for {}",
            c.st_id
        );
        let date = |days: i64| (today - Days::days(days)).to_string();
        let expected = [
            ("ServiceTitan_Tenant_Id__c", json!(c.tenant as f64)),
            ("FirstName", json!(c.first)),
            ("LastName", json!(last)),
            ("Email", json!(c.email)),
            ("Phone", json!(c.phone)),
            ("MailingStreet", json!(c.street())),
            ("MailingCity", json!(c.city)),
            ("MailingState", json!(c.state)),
            ("MailingPostalCode", json!(c.zip)),
            ("MailingCountry", json!("US")),
            ("Active__c", json!(c.active)),
            ("Do_Not_Service__c", json!(c.do_not_service)),
            ("Total_Jobs__c", json!(c.total_jobs as f64)),
            ("Completed_Jobs__c", json!(c.completed_jobs as f64)),
            ("First_Service_Date__c", json!(date(c.first_job_days_ago))),
            ("Last_Service_Date__c", json!(date(c.last_job_days_ago))),
        ];
        for (field, want) in expected {
            let got = &contact[field];
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == &want,
            };
            assert!(
                same,
                "{field} of Contact {}: got {got}, want {want}",
                c.st_id
            );
        }
        let modified = contact["ServiceTitan_Last_Modified__c"]
            .as_str()
            .unwrap_or_else(|| panic!("ServiceTitan_Last_Modified__c of {}", c.st_id));
        assert_eq!(instant(modified), c.modified, "{}", c.st_id);
    }
}
