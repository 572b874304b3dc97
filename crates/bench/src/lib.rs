//! `tether bench`: speed and memory figures of the sandbox org, printed as a table.
//!
//! Figures are measured, never asserted: tests check behaviour, this prints numbers.

mod analytics;
pub mod browse;
pub mod embedded;
pub mod history;
pub mod hostile;
pub mod import;
pub mod pulls;
pub mod sync;
pub mod targets;
#[cfg(feature = "gui")]
pub mod ui;

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::Value;

use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{OrgConfig, SandboxOrg};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Records seeded into the org before the queries run.
    pub records: usize,
    /// `Sforce-Query-Options: batchSize` for the paged queries.
    pub batch_size: u32,
    /// Accounts for the sync budget section (0 leaves the section out).
    pub sync_records: usize,
    /// Latency the org adds to every request, as a link to a real org has.
    pub latency_ms: u64,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            records: 100_000,
            batch_size: 2000,
            sync_records: 10_000,
            latency_ms: DEFAULT_LATENCY_MS,
        }
    }
}

/// The latency of a typical link to a real org, which the benchmark's figures assume.
pub const DEFAULT_LATENCY_MS: u64 = 100;

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub what: String,
    pub records: usize,
    pub calls: usize,
    pub elapsed: Duration,
    pub peak_rss_mb: Option<f64>,
}

impl Measurement {
    fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.records as f64 / secs
        } else {
            0.0
        }
    }
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the benchmark against a fresh in-process sandbox org and returns its measurements.
pub async fn run(options: &BenchOptions) -> anyhow::Result<Vec<Measurement>> {
    let mut report = Vec::new();
    let started = Instant::now();
    let mut config = OrgConfig {
        seed_records: Some(options.records),
        daily_api_limit: 5_000_000,
        ..OrgConfig::default()
    };
    config.faults.latency_ms = options.latency_ms;
    let org = SandboxOrg::start(config)
        .await
        .context("starting the sandbox org for the benchmark")?;
    let seeded = ["Account", "Contact", "Opportunity", "Lead"]
        .iter()
        .map(|o| org.org().store.count(o))
        .sum();
    report.push(Measurement {
        what: "seed demo data".into(),
        records: seeded,
        calls: 0,
        elapsed: started.elapsed(),
        peak_rss_mb: peak_rss_mb(),
    });

    let http = reqwest::Client::new();
    let base = org.base_url();
    let token = login(&http, &base).await?;
    // The incremental pull reads as the engine does: `queryAll`, deleted records included.
    for (what, endpoint, soql) in [
        (
            "query all contacts, paged",
            "query",
            "SELECT Id, FirstName, LastName, Email, AccountId FROM Contact".to_string(),
        ),
        (
            "incremental pull (queryAll, cursor)",
            "queryAll",
            "SELECT Id, Name, StageName, Amount, CloseDate, SystemModstamp FROM Opportunity \
             WHERE SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp, Id"
                .to_string(),
        ),
        (
            "parent fields (Account.Name)",
            "query",
            "SELECT Id, Name, Account.Name FROM Contact".to_string(),
        ),
        (
            "count()",
            "query",
            "SELECT COUNT() FROM Contact".to_string(),
        ),
    ] {
        let started = Instant::now();
        let (records, calls) =
            query_pages(&http, &base, &token, endpoint, &soql, options.batch_size).await?;
        report.push(Measurement {
            what: what.into(),
            records,
            calls,
            elapsed: started.elapsed(),
            peak_rss_mb: peak_rss_mb(),
        });
    }
    org.shutdown().await;
    Ok(report)
}

pub(crate) async fn login(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let answer: Value = http
        .post(format!("{base}/services/oauth2/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await?
        .json()
        .await?;
    answer["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the sandbox org refused the benchmark login: {}",
                answer["error_description"]
            )
        })
}

/// `endpoint` (`query` or `queryAll`) following `nextRecordsUrl` to the end; returns
/// (records seen, API calls made).
async fn query_pages(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    endpoint: &str,
    soql: &str,
    batch: u32,
) -> anyhow::Result<(usize, usize)> {
    let mut url = format!(
        "{base}/services/data/v60.0/{endpoint}?q={}",
        url::form_urlencoded::byte_serialize(soql.as_bytes()).collect::<String>()
    );
    let mut records = 0;
    let mut calls = 0;
    loop {
        let page: Value = http
            .get(&url)
            .bearer_auth(token)
            .header("Sforce-Query-Options", format!("batchSize={batch}"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        calls += 1;
        let n = page["records"].as_array().map_or(0, Vec::len);
        records += if n == 0 {
            page["totalSize"].as_u64().unwrap_or(0) as usize
        } else {
            n
        };
        match page["nextRecordsUrl"].as_str() {
            Some(next) if page["done"] == false => url = format!("{base}{next}"),
            _ => return Ok((records, calls)),
        }
    }
}

/// The report as an aligned text table.
pub fn render(report: &[Measurement]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<42} {:>10} {:>7} {:>10} {:>12} {:>13}\n",
        "measurement", "records", "calls", "seconds", "records/s", "peak RSS MiB"
    ));
    out.push_str(&format!("{}\n", "-".repeat(99)));
    for m in report {
        out.push_str(&format!(
            "{:<42} {:>10} {:>7} {:>10.3} {:>12.0} {:>13}\n",
            m.what,
            m.records,
            m.calls,
            m.elapsed.as_secs_f64(),
            m.per_second(),
            m.peak_rss_mb
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "n/a".into())
        ));
    }
    out
}

/// `tether bench`: what it measures and how big.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Records seeded into the org before the queries run.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub records: usize,
    /// Rows per query page (Sforce-Query-Options batchSize, 200 to 2000).
    #[arg(long, value_name = "N", default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(200..=2000))]
    pub batch_size: u32,
    /// Accounts for the sync budget section: API calls of a first pull and of pushes against
    /// the lower bound (0 leaves the section out).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub sync_records: usize,
    /// Latency the benchmark's org adds to every request (a link to a real org takes about
    /// 100 ms a request; 0 measures Tether and the org alone).
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_LATENCY_MS)]
    pub latency_ms: u64,
    /// Measure the window instead (needs a display): launch to first frame, and frame times
    /// with a long stored history while a large sync runs.
    #[arg(long)]
    pub ui: bool,
    /// With --ui: runs and failed records stored in the workspace (each).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub ui_history: u64,
    /// With --ui: accounts the background sync pulls.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub ui_sync_records: usize,
    /// Rows of the generated sheet for the import section: preview, parse, validate, check
    /// and load (0 leaves the section out).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub import_rows: usize,
    /// Measure only the import section.
    #[arg(long, conflicts_with = "ui")]
    pub import: bool,
    /// Measure only the target table: the pushes and pulls with targets and ratios,
    /// a per-record baseline and the three write paths side by side.
    #[arg(long, conflicts_with_all = ["ui", "import"])]
    pub targets: bool,
    /// Measure only the target table's Records list rows: open a list of 100,000 Accounts,
    /// page to its end, search it.
    #[arg(long, conflicts_with_all = ["ui", "import", "targets"])]
    pub records_list: bool,
    /// Records of the target table's large Bulk pull (1,000,000 is the target's size; a
    /// smaller count is printed without a target; 0 leaves the row out).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub big_pull: usize,
    /// Demo records of the org the target table refreshes each analytics chart on (0 leaves
    /// those rows out).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub analytics_records: usize,
}

/// Runs the sections `args` asks for and prints their tables.
pub fn run_command(args: BenchArgs) -> anyhow::Result<()> {
    if args.ui {
        return window_section(&args);
    }
    let options = BenchOptions {
        records: args.records,
        batch_size: args.batch_size,
        sync_records: args.sync_records,
        latency_ms: args.latency_ms,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the background runtime")?;
    let import_section = |runtime: &tokio::runtime::Runtime| -> anyhow::Result<()> {
        if args.import_rows > 0 {
            let report = runtime.block_on(import::run(args.import_rows))?;
            print!("{}", render(&report));
        }
        Ok(())
    };
    if args.import {
        return import_section(&runtime);
    }
    let target_options = targets::TargetOptions {
        latency_ms: args.latency_ms,
        big_pull_records: args.big_pull,
        ..targets::TargetOptions::default()
    };
    let heard = |row: &targets::TargetRow| {
        eprintln!(
            "measured: {} ({:.1} s)",
            row.work,
            row.elapsed.as_secs_f64()
        );
    };
    if args.records_list {
        let rows = runtime.block_on(targets::run_records_list(&target_options, heard))?;
        print!("{}", targets::render(&rows));
        return Ok(());
    }
    let mut rows = runtime.block_on(targets::run(&target_options, heard))?;
    rows.extend(runtime.block_on(analytics::rows(
        args.latency_ms,
        args.analytics_records,
        heard,
    ))?);
    print!("{}", targets::render(&rows));
    println!();
    if args.targets {
        return Ok(());
    }
    let report = runtime.block_on(run(&options))?;
    print!("{}", render(&report));
    if options.sync_records > 0 {
        let budget = runtime.block_on(sync::run(options.sync_records, options.latency_ms))?;
        println!();
        print!("{}", sync::render(&budget));
    }
    println!();
    import_section(&runtime)
}

#[cfg(feature = "gui")]
fn window_section(args: &BenchArgs) -> anyhow::Result<()> {
    let report = ui::run(&ui::UiOptions {
        launches: 5,
        history: args.ui_history,
        sync_records: args.ui_sync_records,
    })?;
    print!("{}", ui::render(&report));
    Ok(())
}

#[cfg(not(feature = "gui"))]
fn window_section(_: &BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!(
        "this tether was built without the window, so --ui cannot measure it; use a build with the gui feature"
    )
}
