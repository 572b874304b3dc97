//! The performance targets: each row of the call-and-time target table, measured in one run
//! against the in-process sandbox org at the benchmark's latency, with a per-record baseline
//! and the three write paths side by side.
//!
//! Calls are the org's own count (its `DailyApiRequests`), the limits reads themselves left
//! out. Memory is the growth of this process's peak resident set during the row: the org
//! runs in the same process and its stored records are in the resident set before the row
//! starts, so the absolute figure would count them; the growth counts what the run held
//! (plus the org's own buffers for its answers, which makes it an upper bound).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use sandbox_org::{OrgConfig, SandboxOrg};
use tether::run::push::WritePath;
use tether::salesforce::{Client, ClientConfig, Credentials};
use tether::sync::link::Link;
use tether::workspace::Workspace;

use crate::sync::{BudgetRun, LINK, ScratchDir, org_requests, seed_accounts, sync_once};

/// How big each row's work is (the table at scale 1).
#[derive(Debug, Clone)]
pub struct TargetOptions {
    pub latency_ms: u64,
    /// New Accounts pushed, then changed in part and pushed by each write path.
    pub push_records: usize,
    /// Accounts of the first pull and of the sync with nothing to do.
    pub pull_records: usize,
    /// Records of the large Bulk pull (0 leaves the row out).
    pub big_pull_records: usize,
    /// One-record-per-call writes measured for the baseline, then extrapolated.
    pub baseline_sample: usize,
}

impl Default for TargetOptions {
    fn default() -> Self {
        TargetOptions {
            latency_ms: crate::DEFAULT_LATENCY_MS,
            push_records: 10_000,
            pull_records: 100_000,
            big_pull_records: 1_000_000,
            baseline_sample: 50,
        }
    }
}

/// One row of the target table.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub work: String,
    pub elapsed: Duration,
    /// The org's count of the calls the row made.
    pub calls: u64,
    /// The fewest calls the chosen paths need for the work, when the row has one.
    pub bound: Option<u64>,
    pub path: String,
    pub rss_growth_mb: Option<f64>,
    pub target_seconds: Option<f64>,
    pub target_mb: Option<f64>,
    /// The call target: a count, or a factor of the bound.
    pub target_calls: Option<CallTarget>,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CallTarget {
    AtMost(u64),
    TimesBound(f64),
}

impl TargetRow {
    pub(crate) fn from_run(run: &BudgetRun, work: String, rss: Option<f64>) -> TargetRow {
        let path = match (run.read_path, run.write_path) {
            (_, Some(write)) => format!("{write:?} {}", run.records_written),
            (Some(read), None) => format!("{read:?} read {}", run.records_read),
            (None, None) => "-".into(),
        };
        TargetRow {
            work,
            elapsed: run.elapsed,
            calls: run.org_calls,
            bound: Some(run.lower_bound),
            path,
            rss_growth_mb: rss,
            target_seconds: None,
            target_mb: None,
            target_calls: None,
            note: run
                .write_choice
                .as_ref()
                .map(|why| format!("write path: {why}"))
                .unwrap_or_default(),
        }
    }

    /// Measured time over the target time.
    pub fn time_ratio(&self) -> Option<f64> {
        self.target_seconds.map(|t| self.elapsed.as_secs_f64() / t)
    }

    /// Measured calls over the call target (the bound times its factor, or the count).
    pub fn calls_ratio(&self) -> Option<f64> {
        let allowed = match self.target_calls? {
            CallTarget::AtMost(n) => n as f64,
            CallTarget::TimesBound(f) => self.bound? as f64 * f,
        };
        (allowed > 0.0).then(|| self.calls as f64 / allowed)
    }

    pub fn memory_ratio(&self) -> Option<f64> {
        Some(self.rss_growth_mb? / self.target_mb?)
    }

    /// Whether every target of the row is met (rows without targets meet them).
    pub fn meets(&self) -> bool {
        [self.time_ratio(), self.calls_ratio(), self.memory_ratio()]
            .into_iter()
            .flatten()
            .all(|r| r <= 1.0)
    }
}

/// Linux: the peak resident set restarts from the current one (`clear_refs` 5).
pub(crate) fn reset_peak_rss() -> Option<f64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    crate::peak_rss_mb()
}

pub(crate) fn growth_since(start: Option<f64>) -> Option<f64> {
    Some((crate::peak_rss_mb()? - start?).max(0.0))
}

pub(crate) async fn start_org(latency_ms: u64) -> anyhow::Result<(SandboxOrg, Client)> {
    let mut config = OrgConfig {
        daily_api_limit: 50_000_000,
        ..OrgConfig::default()
    };
    config.faults.latency_ms = latency_ms;
    let org = SandboxOrg::start(config)
        .await
        .context("starting the sandbox org for the targets")?;
    let token = crate::login(&reqwest::Client::new(), &org.base_url()).await?;
    let client = Client::connect(
        &org.base_url(),
        Credentials::access_token(token),
        ClientConfig::default(),
    )
    .await
    .context("connecting the benchmark's client to the sandbox org")?;
    Ok((org, client))
}

fn link() -> anyhow::Result<Link> {
    serde_json::from_value(json!({
        "name": LINK,
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": "salesforce_wins",
        "create_unmatched": true,
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "industry"}, "remote": "Industry", "direction": "pull"},
            {"local": {"column": "health_score"}, "remote": "Health_Score__c", "direction": "push"}
        ]
    }))
    .context("the benchmark's link definition")
}

pub(crate) fn new_workspace(dir: &Path, rows: usize) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.join("workspace.sqlite");
    let mut ws = Workspace::open(&path)?;
    ws.conn().execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, \
         industry TEXT, health_score REAL)",
    )?;
    if rows > 0 {
        let tx = ws.conn().unchecked_transaction()?;
        {
            let mut insert =
                tx.prepare("INSERT INTO customers (name, health_score) VALUES (?1, ?2)")?;
            for i in 0..rows {
                insert.execute(rusqlite::params![
                    format!("New Account {i:06}"),
                    (i % 100) as i64
                ])?;
            }
        }
        tx.commit()?;
    }
    ws.save_link(&link()?, "bench")?;
    Ok(path)
}

fn change_scores(path: &Path, every: u32, round: u32) -> anyhow::Result<usize> {
    let ws = Workspace::open(path)?;
    Ok(ws.conn().execute(
        "UPDATE customers SET health_score = health_score + ?2 WHERE id % ?1 = 0",
        [every, round],
    )?)
}

/// Runs the Records list rows alone, on an org seeded with the pulls' Accounts, as the whole
/// table runs them after its pulls; `progress` hears each row as it ends.
pub async fn run_records_list(
    options: &TargetOptions,
    mut progress: impl FnMut(&TargetRow),
) -> anyhow::Result<Vec<TargetRow>> {
    let p = options.pull_records;
    let (org, client) = start_org(options.latency_ms).await?;
    seed_accounts(&client, p).await?;
    let rows = crate::browse::rows(&client, p).await?;
    rows.iter().for_each(&mut progress);
    org.shutdown().await;
    Ok(rows)
}

/// Runs every row of the table; `progress` hears each row as it ends.
pub async fn run(
    options: &TargetOptions,
    mut progress: impl FnMut(&TargetRow),
) -> anyhow::Result<Vec<TargetRow>> {
    let mut rows = Vec::new();
    let mut emit = |row: TargetRow| {
        progress(&row);
        rows.push(row);
    };
    let n = options.push_records;

    // Pushes: new Accounts, then a tenth of them changed, then the three paths.
    {
        let (org, client) = start_org(options.latency_ms).await?;
        let scratch = ScratchDir::new()?;
        let path = new_workspace(&scratch.0, n)?;
        let rss = reset_peak_rss();
        let run = sync_once(&client, &path, "push new", 0, None).await?;
        let mut row =
            TargetRow::from_run(&run, format!("push {n} new Accounts"), growth_since(rss));
        if n == 10_000 {
            row.target_seconds = Some(2.5);
        }
        row.target_calls = Some(CallTarget::TimesBound(1.2));
        emit(row);

        let changed = change_scores(&path, 10, 1)?;
        let rss = reset_peak_rss();
        let run = sync_once(&client, &path, "push changed", 0, None).await?;
        let mut row = TargetRow::from_run(
            &run,
            format!("push {changed} changed of {n}"),
            growth_since(rss),
        );
        if n == 10_000 {
            row.target_seconds = Some(1.5);
        }
        emit(row);

        // The per-record baseline: one PATCH a record on a sample, scaled to every record.
        let ids = sample_ids(&path, options.baseline_sample)?;
        if !ids.is_empty() {
            let before = org_requests(&client).await?;
            let started = Instant::now();
            for (i, id) in ids.iter().enumerate() {
                client
                    .update("Account", id, &json!({"Health_Score__c": 50.5 + i as f64}))
                    .await?;
            }
            let elapsed = started.elapsed();
            let after = org_requests(&client).await?;
            let probe = org_requests(&client).await? - after;
            let sample_calls = (after - before).saturating_sub(probe);
            let scale = n as f64 / ids.len() as f64;
            emit(TargetRow {
                work: format!("push {n} changed: one REST call a record"),
                elapsed: elapsed.mul_f64(scale),
                calls: (sample_calls as f64 * scale).round() as u64,
                bound: Some(n as u64),
                path: "PATCH each".into(),
                rss_growth_mb: None,
                target_seconds: None,
                target_mb: None,
                target_calls: None,
                note: format!(
                    "baseline: {} records measured ({:.2} s, {sample_calls} calls), \
                         extrapolated ×{scale:.0}",
                    ids.len(),
                    elapsed.as_secs_f64()
                ),
            });
        }

        for (round, write) in [
            WritePath::Collections,
            WritePath::Composite,
            WritePath::Bulk,
        ]
        .into_iter()
        .enumerate()
        {
            let changed = change_scores(&path, 1, 2 + round as u32)?;
            let rss = reset_peak_rss();
            let run = sync_once(&client, &path, "path", 0, Some(write)).await?;
            let mut row = TargetRow::from_run(
                &run,
                format!("push {changed} changed: {write:?} forced"),
                growth_since(rss),
            );
            row.note = "write path side by side".into();
            emit(row);
        }
        drop(scratch);
        org.shutdown().await;
    }

    crate::pulls::rows(options, &mut emit).await?;

    let big = options.big_pull_records;
    if big > 0 {
        let (org, client) = start_org(options.latency_ms).await?;
        seed_accounts(&client, big).await?;
        let scratch = ScratchDir::new()?;
        let path = new_workspace(&scratch.0, 0)?;
        let rss = reset_peak_rss();
        let run = sync_once(&client, &path, "big pull", big as u64, None).await?;
        let mut row = TargetRow::from_run(
            &run,
            format!("pull of {big} records (Bulk)"),
            growth_since(rss),
        );
        if big == 1_000_000 {
            row.target_seconds = Some(60.0);
            row.target_mb = Some(200.0);
        } else {
            row.note = "scaled down from 1,000,000 by --big-pull: no target".into();
        }
        emit(row);
        drop(scratch);
        org.shutdown().await;
    } else {
        emit(TargetRow {
            work: "pull of 1000000 records (Bulk)".into(),
            elapsed: Duration::ZERO,
            calls: 0,
            bound: None,
            path: "-".into(),
            rss_growth_mb: None,
            target_seconds: None,
            target_mb: None,
            target_calls: None,
            note: "skipped (--big-pull 0)".into(),
        });
    }
    Ok(rows)
}

fn sample_ids(path: &Path, n: usize) -> anyhow::Result<Vec<String>> {
    let ws = Workspace::open(path)?;
    let mut stmt = ws
        .conn()
        .prepare("SELECT sf_id FROM customers WHERE sf_id IS NOT NULL ORDER BY id LIMIT ?1")?;
    let ids = stmt
        .query_map([n as i64], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

fn opt(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

/// The table: measured figures, targets and the ratio measured/target.
pub fn render(rows: &[TargetRow]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<44} {:>8} {:>7} {:>7} {:>6} {:>16} {:>8} {:>7} {:>6} {:>8} {:>7} {:>6}  {}\n",
        "work",
        "seconds",
        "target",
        "ratio",
        "calls",
        "path",
        "bound",
        "target",
        "ratio",
        "RSS+ MiB",
        "target",
        "ratio",
        "note"
    ));
    out.push_str(&format!("{}\n", "-".repeat(150)));
    for row in rows {
        let call_target = match row.target_calls {
            Some(CallTarget::AtMost(n)) => format!("≤{n}"),
            Some(CallTarget::TimesBound(f)) => format!("≤{f}×"),
            None => "-".into(),
        };
        let ok = if row.meets() { "" } else { "MISSES TARGET " };
        out.push_str(&format!(
            "{:<44} {:>8.3} {:>7} {:>7} {:>6} {:>16} {:>8} {:>7} {:>6} {:>8} {:>7} {:>6}  {}{}\n",
            row.work,
            row.elapsed.as_secs_f64(),
            opt(row.target_seconds, 1),
            opt(row.time_ratio(), 2),
            row.calls,
            row.path,
            row.bound.map_or_else(|| "-".into(), |b| b.to_string()),
            call_target,
            opt(row.calls_ratio(), 2),
            opt(row.rss_growth_mb, 1),
            opt(row.target_mb, 0),
            opt(row.memory_ratio(), 2),
            ok,
            row.note
        ));
    }
    out.push_str(
        "calls: the org's own count (DailyApiRequests); bound: the fewest calls the chosen \
         paths need for the work; RSS+: growth of the process's peak resident set during the \
         row (the in-process org's stored records excluded)\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_compare_measured_with_target() {
        let row = TargetRow {
            work: "w".into(),
            elapsed: Duration::from_secs(3),
            calls: 12,
            bound: Some(6),
            path: "Bulk 10".into(),
            rss_growth_mb: Some(30.0),
            target_seconds: Some(2.0),
            target_mb: Some(60.0),
            target_calls: Some(CallTarget::TimesBound(1.2)),
            note: String::new(),
        };
        assert_eq!(row.time_ratio(), Some(1.5));
        let calls = row.calls_ratio().unwrap();
        assert!((calls - 12.0 / 7.2).abs() < 1e-9, "{calls}");
        assert_eq!(row.memory_ratio(), Some(0.5));
        assert!(!row.meets());
        assert!(render(&[row]).contains("MISSES TARGET"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_row_of_the_table_is_measured_at_a_small_scale() {
        let options = TargetOptions {
            latency_ms: 0,
            push_records: 300,
            pull_records: 400,
            big_pull_records: 0,
            baseline_sample: 5,
        };
        let mut heard = 0;
        let rows = run(&options, |_| heard += 1)
            .await
            .expect("the targets run");
        assert_eq!(heard, rows.len());
        let works: Vec<&str> = rows.iter().map(|r| r.work.as_str()).collect();
        assert_eq!(
            works,
            vec![
                "push 300 new Accounts",
                "push 30 changed of 300",
                "push 300 changed: one REST call a record",
                "push 300 changed: Collections forced",
                "push 300 changed: Composite forced",
                "push 300 changed: Bulk forced",
                "first pull of 400 Accounts",
                "sync with nothing to do, 400 link",
                "records list: open Account (400)",
                "records list: page to the end, 500 a page",
                "records search: one name in 400",
                "records search: every name matches, 5 pages",
                "sync right after a mass load, 400 link",
                "pull of 1000000 records (Bulk)",
            ]
        );
        assert_eq!(rows[2].calls, 300, "one call a record: {:?}", rows[2]);
        let paths: Vec<&str> = rows[3..6].iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, vec!["Collections 300", "Composite 300", "Bulk 300"]);
        for row in rows.iter().filter(|r| r.bound.is_some()) {
            assert!(row.calls >= row.bound.unwrap(), "{row:?}");
        }
        assert!(render(&rows).contains("skipped (--big-pull 0)"));
    }
}
