//! The sync budget: how many API calls the sync engine spends on a large first pull and on
//! large pushes, against the lower bound of the strategy it chose (the call budget in the
//! README, which [`CallStrategy`] keeps in step).
//!
//! Like the rest of the benchmark, this measures and prints; it asserts nothing about time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use sandbox_org::{OrgConfig, SandboxOrg};
use tether::run::push::WritePath;
use tether::run::{ReadPath, RunSummary};
use tether::salesforce::{BulkOperation, Client, ClientConfig, Credentials, JobKind};
use tether::sync::engine::{self, Progress, RunOptions};
use tether::sync::link::Link;
use tether::workspace::Workspace;
use tether::workspace::journal::{RunStatus, Trigger};

pub(super) const LINK: &str = "customers";

/// One sync run of the budget section.
#[derive(Debug, Clone)]
pub struct BudgetRun {
    pub what: String,
    pub status: RunStatus,
    pub read_path: Option<ReadPath>,
    pub records_read: u64,
    pub write_path: Option<WritePath>,
    pub records_written: u64,
    /// Why the run wrote by its path, as the run says it.
    pub write_choice: Option<String>,
    /// Requests the engine's client had answered during the run.
    pub engine_calls: u64,
    /// Requests the org counted against its daily allocation during the run.
    pub org_calls: u64,
    pub lower_bound: u64,
    pub elapsed: Duration,
}

impl BudgetRun {
    /// Calls spent per call the strategy needs at least.
    pub fn ratio(&self) -> f64 {
        if self.lower_bound == 0 {
            return 0.0;
        }
        self.engine_calls as f64 / self.lower_bound as f64
    }
}

/// The ways a client can move records through the API, for the call budget the README
/// tabulates (a test there keeps the two in step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStrategy {
    /// One REST request per record: `GET` or `PATCH /sobjects/Account/{Id}`.
    OneRecordPerCall,
    /// REST query pages of 2,000 records to read; sObject Collections of 200 to write.
    Collections,
    /// Composite requests: 25 one-record reads a call, or five sObject Collections
    /// subrequests of 200 records (1,000 records) a write call.
    Composite,
    /// A Bulk API 2.0 query job ≈ 4 calls (the count that chooses it, create, poll, results);
    /// an ingest job ≈ 5 (create, upload, close, poll, results), whatever the number of
    /// records. A job still running at its first status read costs more polls
    /// (`tether::run::poll::reads_for`).
    Bulk,
}

impl CallStrategy {
    pub const ALL: [CallStrategy; 4] = [
        CallStrategy::OneRecordPerCall,
        CallStrategy::Collections,
        CallStrategy::Composite,
        CallStrategy::Bulk,
    ];

    /// The strategy's name in the README's table.
    pub fn label(self) -> &'static str {
        match self {
            CallStrategy::OneRecordPerCall => "One record per call",
            CallStrategy::Collections => "REST query / sObject Collections",
            CallStrategy::Composite => "Composite",
            CallStrategy::Bulk => "Bulk API 2.0",
        }
    }

    /// The fewest calls that read `records` (at least one, to learn there is nothing new).
    pub fn read_calls(self, records: u64) -> u64 {
        match self {
            CallStrategy::OneRecordPerCall => records.max(1),
            CallStrategy::Collections => records.div_ceil(2000).max(1),
            CallStrategy::Composite => records.div_ceil(25).max(1),
            CallStrategy::Bulk => 4,
        }
    }

    /// The fewest calls that write `records` (none for nothing to write).
    pub fn write_calls(self, records: u64) -> u64 {
        match self {
            CallStrategy::OneRecordPerCall => records,
            CallStrategy::Collections => records.div_ceil(200),
            CallStrategy::Composite => records.div_ceil(1000),
            CallStrategy::Bulk if records == 0 => 0,
            CallStrategy::Bulk => 5,
        }
    }
}

/// The fewest calls a run can spend on its reads and writes by the paths it chose: the engine
/// reads by REST query or a Bulk query job and writes by sObject Collections or a Bulk ingest
/// job (see [`CallStrategy`]). `records_needed` counts the records the run had to read
/// (changed in Salesforce since the last run), not the ones it re-read for its own safety: a
/// push of 10,000 records when nothing changed in Salesforce is bound by one read and the
/// write.
pub fn lower_bound(
    read: Option<ReadPath>,
    records_needed: u64,
    write: Option<WritePath>,
    records_written: u64,
) -> u64 {
    let reads = match read {
        Some(_) if records_needed <= 2000 => CallStrategy::Collections.read_calls(records_needed),
        Some(ReadPath::Rest) => CallStrategy::Collections.read_calls(records_needed),
        Some(ReadPath::Bulk) => CallStrategy::Bulk.read_calls(records_needed),
        None => 0,
    };
    let writes = match write {
        Some(WritePath::Collections) => CallStrategy::Collections.write_calls(records_written),
        Some(WritePath::Composite) => CallStrategy::Composite.write_calls(records_written),
        Some(WritePath::Bulk) => CallStrategy::Bulk.write_calls(records_written.max(1)),
        None => 0,
    };
    reads + writes
}

/// A directory of its own under the system's temp dir, removed when dropped.
pub(super) struct ScratchDir(pub(super) PathBuf);

impl ScratchDir {
    pub(super) fn new() -> anyhow::Result<ScratchDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("tether-sync-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the benchmark workspace in {}", dir.display()))?;
        Ok(ScratchDir(dir))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// On a fresh sandbox org with `records` Accounts and a workspace linking them to a
/// `customers` table: the first sync, a push of a health score on every row by the default
/// strategy, then the same push forced down the other write path.
pub async fn run(records: usize, latency_ms: u64) -> anyhow::Result<Vec<BudgetRun>> {
    let mut config = OrgConfig {
        daily_api_limit: 5_000_000,
        ..OrgConfig::default()
    };
    config.faults.latency_ms = latency_ms;
    let org = SandboxOrg::start(config)
        .await
        .context("starting the sandbox org for the sync benchmark")?;
    let outcome = measure(&org, records).await;
    org.shutdown().await;
    outcome
}

async fn measure(org: &SandboxOrg, records: usize) -> anyhow::Result<Vec<BudgetRun>> {
    let base = org.base_url();
    let token = super::login(&reqwest::Client::new(), &base).await?;
    let client = Client::connect(
        &base,
        Credentials::access_token(token),
        ClientConfig::default(),
    )
    .await
    .context("connecting the benchmark's client to the sandbox org")?;
    seed_accounts(&client, records).await?;

    let scratch = ScratchDir::new()?;
    let path = scratch.0.join("workspace.sqlite");
    let mut ws = Workspace::open(&path)?;
    ws.conn().execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, \
         industry TEXT, health_score REAL)",
    )?;
    ws.save_link(&customers_link()?, "bench")?;
    drop(ws);

    let mut report = Vec::new();
    report.push(
        sync_once(
            &client,
            &path,
            &format!("first sync: pull {records} accounts"),
            records as u64,
            None,
        )
        .await?,
    );

    set_health_scores(&path, 0)?;
    let default_push = sync_once(
        &client,
        &path,
        &format!("push {records} health scores (default)"),
        0,
        None,
    )
    .await?;
    // The engine writes through Bulk above the link's threshold and through Composite (or
    // Collections for 200 records or fewer) below it: the other side of the threshold.
    let other = match default_push.write_path {
        Some(WritePath::Bulk) => WritePath::Composite,
        _ => WritePath::Bulk,
    };
    report.push(default_push);

    force_write_path(&path, other)?;
    set_health_scores(&path, 1)?;
    report.push(
        sync_once(
            &client,
            &path,
            &format!("push {records} health scores ({other:?} forced)"),
            0,
            None,
        )
        .await?,
    );
    Ok(report)
}

fn customers_link() -> anyhow::Result<Link> {
    serde_json::from_value(json!({
        "name": LINK,
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": "salesforce_wins",
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "industry"}, "remote": "Industry", "direction": "pull"},
            {"local": {"column": "health_score"}, "remote": "Health_Score__c", "direction": "push"}
        ]
    }))
    .context("the benchmark's link definition")
}

/// Creates the Accounts with one Bulk insert job: a handful of calls, whatever the count.
pub(super) async fn seed_accounts(client: &Client, records: usize) -> anyhow::Result<()> {
    let mut csv = String::from("Name,Industry\n");
    for i in 0..records {
        let industry = ["Energy", "Banking", "Retail", "Technology"][i % 4];
        csv.push_str(&format!("Bench Account {i:06},{industry}\n"));
    }
    let job = client
        .bulk_create_ingest("Account", &BulkOperation::Insert)
        .await?;
    client.bulk_upload_bytes(&job.id, csv.into()).await?;
    client.bulk_close(&job.id).await?;
    let info = client
        .bulk_wait(
            JobKind::Ingest,
            &job.id,
            Duration::from_millis(50),
            Duration::from_secs(600),
        )
        .await?;
    match info.number_records_failed {
        Some(0) if info.state == "JobComplete" => Ok(()),
        failed => anyhow::bail!(
            "seeding {records} Accounts ended {} with {failed:?} failed rows",
            info.state
        ),
    }
}

/// A new score on every row: `round` makes each call's values differ from the last.
fn set_health_scores(path: &Path, round: u32) -> anyhow::Result<()> {
    let ws = Workspace::open(path)?;
    ws.conn().execute(
        "UPDATE customers SET health_score = (id % 100) + ?1 + 0.5",
        [round],
    )?;
    Ok(())
}

fn force_write_path(path: &Path, write: WritePath) -> anyhow::Result<()> {
    let mut ws = Workspace::open(path)?;
    let mut link = ws.link(LINK)?.link;
    link.strategy.bulk_push_above = match write {
        WritePath::Bulk => 0,
        WritePath::Collections | WritePath::Composite => u64::MAX,
    };
    ws.save_link(&link, "bench")?;
    Ok(())
}

/// API requests the org has counted so far, by its own limits resource.
pub(super) async fn org_requests(client: &Client) -> anyhow::Result<u64> {
    let limits = client.limits().await?;
    let daily = limits
        .get("DailyApiRequests")
        .context("the org's limits have no DailyApiRequests")?;
    Ok(u64::try_from(daily.max - daily.remaining).unwrap_or(0))
}

/// One sync of the link; `changed_remotely` is how many records changed in Salesforce since
/// the last run (what the run needs to read).
pub(super) async fn sync_once(
    client: &Client,
    path: &Path,
    what: &str,
    changed_remotely: u64,
    write_path: Option<WritePath>,
) -> anyhow::Result<BudgetRun> {
    // Reading the limits is a request too: measure what one costs and leave it out.
    let probe = org_requests(client).await?;
    let before = org_requests(client).await?;
    let limits_cost = before - probe;

    let seen = Arc::new(Mutex::new((0u64, 0u64)));
    let sink = seen.clone();
    let mut options = RunOptions::new(Trigger::Cli);
    options.write_path = write_path;
    options.progress = Some(Arc::new(move |progress| {
        let mut seen = sink.lock().unwrap_or_else(PoisonError::into_inner);
        match progress {
            Progress::Read { records, .. } => seen.0 = records,
            Progress::Pushed { total, .. } => seen.1 = total,
            _ => {}
        }
    }));
    let started = Instant::now();
    let summary: RunSummary = engine::sync_link(path, LINK, client, &options).await?;
    let elapsed = started.elapsed();
    let after = org_requests(client).await?;
    if summary.status != RunStatus::Succeeded {
        anyhow::bail!(
            "the benchmark's sync ended {:?}: {}",
            summary.status,
            summary.message.unwrap_or_default()
        );
    }
    let (records_read, records_written) = *seen.lock().unwrap_or_else(PoisonError::into_inner);
    Ok(BudgetRun {
        what: what.to_string(),
        status: summary.status,
        read_path: summary.read_path,
        records_read,
        write_path: summary.write_path,
        records_written,
        write_choice: summary.write_choice.clone(),
        engine_calls: summary.counts.api_calls,
        org_calls: after.saturating_sub(before).saturating_sub(limits_cost),
        lower_bound: lower_bound(
            summary.read_path,
            changed_remotely,
            summary.write_path,
            records_written,
        ),
        elapsed,
    })
}

fn path_name<T: std::fmt::Debug>(path: Option<T>, records: u64) -> String {
    match path {
        Some(path) => format!("{path:?} {records}"),
        None => "-".into(),
    }
}

/// The budget section as an aligned text table.
pub fn render(runs: &[BudgetRun]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<46} {:>16} {:>18} {:>7} {:>7} {:>6} {:>6} {:>9}\n",
        "sync run", "read", "write", "calls", "org", "bound", "ratio", "seconds"
    ));
    out.push_str(&format!("{}\n", "-".repeat(122)));
    for run in runs {
        out.push_str(&format!(
            "{:<46} {:>16} {:>18} {:>7} {:>7} {:>6} {:>6.2} {:>9.3}\n",
            run.what,
            path_name(run.read_path, run.records_read),
            path_name(run.write_path, run.records_written),
            run.engine_calls,
            run.org_calls,
            run.lower_bound,
            run.ratio(),
            run.elapsed.as_secs_f64()
        ));
    }
    out.push_str(
        "calls: the engine's answered requests; org: the org's own count (DailyApiRequests); \
         bound: the strategy's lower bound (read + write)\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds_follow_the_call_budget() {
        let cases = [
            (Some(ReadPath::Rest), 10_000, None, 0, 5),
            (Some(ReadPath::Rest), 0, None, 0, 1),
            (Some(ReadPath::Rest), 2_001, None, 0, 2),
            (Some(ReadPath::Bulk), 50_000, None, 0, 4),
            (Some(ReadPath::Bulk), 0, None, 0, 1),
            (
                Some(ReadPath::Rest),
                10_000,
                Some(WritePath::Collections),
                10_000,
                55,
            ),
            (
                Some(ReadPath::Rest),
                0,
                Some(WritePath::Collections),
                201,
                3,
            ),
            (Some(ReadPath::Rest), 0, Some(WritePath::Bulk), 10_000, 6),
        ];
        for (read, n_read, write, n_written, expected) in cases {
            assert_eq!(
                lower_bound(read, n_read, write, n_written),
                expected,
                "{read:?} {n_read} / {write:?} {n_written}"
            );
        }
    }

    /// The README's call-budget table: one row per strategy, its read and write columns
    /// equal to what the strategy needs for 10,000 records.
    #[test]
    fn readme_call_budget_table_matches_the_lower_bounds() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(&path).expect("README.md reads");
        let section = readme
            .split("\n## ")
            .find(|s| s.starts_with("API call budget"))
            .expect("README has an `## API call budget` section");
        // The first table: the strategies (the second tabulates a Bulk job's status reads).
        let rows: Vec<Vec<String>> = section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter(|l| !l.starts_with("|-") && !l.starts_with("| -"))
            .skip(1)
            .map(|l| {
                l.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect()
            })
            .collect();
        let number = |cell: &str| -> u64 {
            let digits: String = cell
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| *c != ',')
                .collect();
            digits
                .parse()
                .unwrap_or_else(|_| panic!("`{cell}` does not start with a number"))
        };
        assert_eq!(rows.len(), CallStrategy::ALL.len(), "{rows:?}");
        for strategy in CallStrategy::ALL {
            let row = rows
                .iter()
                .find(|r| r[0] == strategy.label())
                .unwrap_or_else(|| panic!("no README row `{}` in {rows:?}", strategy.label()));
            assert_eq!(
                (number(&row[1]), number(&row[2])),
                (strategy.read_calls(10_000), strategy.write_calls(10_000)),
                "README row {row:?}"
            );
        }
    }

    /// The README's table of a Bulk job's status reads is the client's poll schedule.
    #[test]
    fn readme_status_reads_follow_the_poll_schedule() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(&path).expect("README.md reads");
        let cells = |start: &str| -> Vec<String> {
            let line = readme
                .lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("README has no row `{start}`"));
            line.trim_matches('|')
                .split('|')
                .skip(1)
                .map(|c| c.trim().to_string())
                .collect()
        };
        let (runs, reads) = (
            cells("| A 10,000-row job that runs"),
            cells("| Status reads"),
        );
        assert_eq!(runs.len(), reads.len());
        for (run, read) in runs.iter().zip(&reads) {
            let seconds: f64 = match run.split_once(' ') {
                Some((n, "s")) => n.parse().unwrap(),
                Some((n, "min")) => n.parse::<f64>().unwrap() * 60.0,
                Some((n, "h")) => n.parse::<f64>().unwrap() * 3600.0,
                _ => panic!("`{run}` is not a duration"),
            };
            let expected = tether::run::poll::reads_for(10_000, Duration::from_secs_f64(seconds));
            assert_eq!(read.parse::<u64>().unwrap(), expected, "a job of {run}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sync_section_runs_both_write_paths_and_never_beats_the_lower_bound() {
        let runs = run(300, 0).await.expect("the sync benchmark runs");
        assert_eq!(runs.len(), 3, "{runs:?}");
        assert_eq!(runs[0].records_read, 300, "{:?}", runs[0]);
        assert_eq!(runs[0].write_path, None, "{:?}", runs[0]);
        let writes: Vec<_> = runs[1..]
            .iter()
            .map(|r| (r.write_path, r.records_written))
            .collect();
        assert_eq!(
            writes,
            vec![
                (Some(WritePath::Composite), 300),
                (Some(WritePath::Bulk), 300)
            ]
        );
        for run in &runs {
            assert!(
                run.engine_calls >= run.lower_bound && run.org_calls >= run.lower_bound,
                "{run:?}"
            );
            assert_eq!(run.org_calls, run.engine_calls, "{run:?}");
        }
        assert!(render(&runs).contains("Bulk 300"));
    }
}
