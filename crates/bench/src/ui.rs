//! The window's own numbers: how long from launch to the first frame, and how long frames
//! take with a long history stored while a large sync runs in the background.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::sync::{ScratchDir, seed_accounts};
use sandbox_org::{OrgConfig, SandboxOrg};
use tether::desktop::{DesktopConfig, SandboxOptions, SandboxStart};
use tether::salesforce::{Client, ClientConfig, Credentials};
use tether::ui::frame_bench::{self, FramePlan, FrameReport};

#[derive(Debug, Clone)]
pub struct UiOptions {
    /// Launches timed for the cold start.
    pub launches: usize,
    /// Runs and failed records stored in the workspace (each).
    pub history: u64,
    /// Accounts the background sync pulls.
    pub sync_records: usize,
}

#[derive(Debug, Clone)]
pub struct UiReport {
    /// Launch to first frame as the process itself measured it, per launch, in ms.
    pub first_frame_ms: Vec<f64>,
    /// Launch to the log line of the first frame, seen from outside, per launch, in ms.
    pub first_frame_seen_ms: Vec<f64>,
    pub frames: FrameReport,
    pub history: u64,
    pub sync_records: usize,
    pub seed_seconds: f64,
}

pub fn run(options: &UiOptions) -> anyhow::Result<UiReport> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        anyhow::bail!(
            "the window benchmark needs a display: run it in a graphical session, or under Xvfb (Xvfb :99 & DISPLAY=:99 tether bench --ui)"
        );
    }
    let scratch = ScratchDir::new()?;
    let (first_frame_ms, first_frame_seen_ms) = cold_starts(&scratch.0, options.launches)?;

    let seeded = Instant::now();
    let org_file = scratch.0.join("org.sqlite");
    let runtime = tokio::runtime::Runtime::new().context("starting the benchmark's runtime")?;
    runtime.block_on(seed_org(&org_file, options.sync_records))?;
    let workspace = scratch.0.join("workspace.sqlite");
    super::history::fill(&workspace, options.history, options.history, 60)?;
    let seed_seconds = seeded.elapsed().as_secs_f64();
    drop(runtime);

    let config = DesktopConfig {
        data_dir: scratch.0.join("data"),
        workspace,
        secrets: None,
        open_url: std::sync::Arc::new(|_: &str| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(60),
        sandbox: Some(SandboxOptions {
            starter: crate::embedded::sandbox_starter(),
            start: SandboxStart {
                data_file: Some(org_file),
                seed_records: None,
            },
            connect_at_start: true,
            demo_links: true,
        }),
    };
    let plan = FramePlan {
        max_frames: 20_000,
        timeout: Duration::from_secs(600),
        frames_per_page: 120,
    };
    let launch = tether::ui::Launch::service(config, tether::ui::APP_TITLE, None);
    let frames = frame_bench::measure(launch, plan)
        .map_err(|e| anyhow::anyhow!("the benchmark window failed: {e}"))?;
    Ok(UiReport {
        first_frame_ms,
        first_frame_seen_ms,
        frames,
        history: options.history,
        sync_records: options.sync_records,
        seed_seconds,
    })
}

/// Starts `tether demo` `launches` times and reads when its first frame was drawn.
fn cold_starts(dir: &Path, launches: usize) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let exe = std::env::current_exe().context("finding the tether executable")?;
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    for n in 0..launches {
        let home = dir.join(format!("launch-{n}"));
        let started = Instant::now();
        let mut child = Command::new(&exe)
            .args(["demo", "--data-dir"])
            .arg(home.join("data"))
            .env("XDG_DATA_HOME", home.join("xdg"))
            .env("RUST_LOG", "warn,tether=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting tether demo")?;
        let stderr = child.stderr.take().context("reading tether demo's log")?;
        let mut reported = None;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(ms) = line
                .split("first frame after ")
                .nth(1)
                .and_then(|rest| rest.trim_end_matches(" ms").trim().parse::<f64>().ok())
            {
                reported = Some(ms);
                outside.push(started.elapsed().as_secs_f64() * 1000.0);
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        inside.push(reported.context("tether demo exited before drawing its first frame")?);
    }
    Ok((inside, outside))
}

/// An org file holding `accounts` Accounts, for the service to start from.
async fn seed_org(file: &Path, accounts: usize) -> anyhow::Result<()> {
    let org = SandboxOrg::start(OrgConfig {
        data_file: Some(file.to_path_buf()),
        daily_api_limit: 5_000_000,
        ..OrgConfig::default()
    })
    .await
    .context("starting the sandbox org for the window benchmark")?;
    let seeded = async {
        let base = org.base_url();
        let token = super::login(&reqwest::Client::new(), &base).await?;
        let client = Client::connect(
            &base,
            Credentials::access_token(token),
            ClientConfig::default(),
        )
        .await?;
        seed_accounts(&client, accounts).await
    }
    .await;
    org.shutdown().await;
    seeded
}

pub fn render(report: &UiReport) -> String {
    let mut out = String::new();
    fn row(out: &mut String, what: &str, value: String) {
        out.push_str(&format!("{what:<58} {value:>20}\n"));
    }
    out.push_str(&format!(
        "{:<58} {:>20}\n{}\n",
        "window measurement",
        "value",
        "-".repeat(79)
    ));
    if let Some((median, max)) = median_max(&report.first_frame_ms) {
        row(
            &mut out,
            &format!(
                "launch to first frame, in process (median of {})",
                report.first_frame_ms.len()
            ),
            format!("{median:.0} ms (max {max:.0})"),
        );
    }
    if let Some((median, max)) = median_max(&report.first_frame_seen_ms) {
        row(
            &mut out,
            "launch to first frame, seen from outside",
            format!("{median:.0} ms (max {max:.0})"),
        );
    }
    row(
        &mut out,
        "stored history (runs / failed records)",
        format!("{} / {}", report.history, report.history),
    );
    row(
        &mut out,
        "seeding the org and the history",
        format!("{:.1} s", report.seed_seconds),
    );
    let frames = &report.frames;
    match frame_bench::percentiles(&frames.during_sync) {
        Some((median, p99)) => row(
            &mut out,
            &format!(
                "frames while syncing {} accounts ({} frames)",
                report.sync_records,
                frames.during_sync.len()
            ),
            format!("median {median:.1} ms, p99 {p99:.1} ms"),
        ),
        None => row(
            &mut out,
            "frames while syncing",
            "none measured".to_string(),
        ),
    }
    for page in [
        tether::ui::Page::Dashboard,
        tether::ui::Page::History,
        tether::ui::Page::Errors,
        tether::ui::Page::Conflicts,
    ] {
        let times: Vec<f32> = frames
            .by_page
            .iter()
            .filter(|(p, _)| *p == page)
            .map(|(_, t)| *t)
            .collect();
        if let Some((median, p99)) = frame_bench::percentiles(&times) {
            row(
                &mut out,
                &format!("  on {} ({} frames)", page.title(), times.len()),
                format!("median {median:.1} ms, p99 {p99:.1} ms"),
            );
        }
    }
    if let Some((median, p99)) = frame_bench::percentiles(&frames.idle) {
        row(
            &mut out,
            &format!("frames otherwise ({})", frames.idle.len()),
            format!("median {median:.1} ms, p99 {p99:.1} ms"),
        );
    }
    match frames.sync_seconds {
        Some(s) => row(&mut out, "the background sync took", format!("{s:.1} s")),
        None => row(
            &mut out,
            "the background sync",
            "did not finish".to_string(),
        ),
    }
    out.push_str("targets: first frame under 500 ms; p99 frame under 16 ms\n");
    out
}

fn median_max(values: &[f64]) -> Option<(f64, f64)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some((*sorted.get(sorted.len() / 2)?, *sorted.last()?))
}
