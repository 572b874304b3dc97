//! The pull rows of the target table: a first pull of an org's existing Accounts, the sync
//! with nothing to do that follows it, and, without a target, the same sync right after a
//! mass load, whose overlap window reads every record again.
//!
//! An org's existing data was last changed long before a link's first pull. Records the
//! benchmark loads by Bulk a moment before the pull are not that: every one of them lies in
//! the overlap the next run reads again before its cursor (`overlap_seconds`, the safety
//! against records that commit late). So the steady-state rows age the loaded records a day
//! into the past first (the org's own control, as if the data had been there), and the
//! re-read after a fresh load is measured as a row of its own, so that its cost stays in sight.

use std::time::Duration;

use tether::salesforce::Client;

use crate::sync::{ScratchDir, seed_accounts, sync_once};
use crate::targets::{
    CallTarget, TargetOptions, TargetRow, growth_since, new_workspace, reset_peak_rss, start_org,
};

/// How far into the past the steady-state rows move the records they load: far beyond any
/// overlap window, as an org's data last changed the day before.
pub const EXISTING_DATA_AGE: Duration = Duration::from_secs(24 * 3600);

/// The pull rows, each handed to `emit` as it ends.
pub async fn rows(options: &TargetOptions, emit: &mut dyn FnMut(TargetRow)) -> anyhow::Result<()> {
    let p = options.pull_records;
    {
        let (org, client) = start_org(options.latency_ms).await?;
        seed_accounts(&client, p).await?;
        org.age_records("Account", EXISTING_DATA_AGE)
            .map_err(|e| anyhow::anyhow!("ageing the seeded Accounts: {}", e.message))?;
        let scratch = ScratchDir::new()?;
        let path = new_workspace(&scratch.0, 0)?;
        let rss = reset_peak_rss();
        let run = sync_once(&client, &path, "first pull", p as u64, None).await?;
        let mut row = TargetRow::from_run(
            &run,
            format!("first pull of {p} Accounts"),
            growth_since(rss),
        );
        if p == 100_000 {
            row.target_seconds = Some(5.0);
            row.target_mb = Some(150.0);
        }
        emit(row);

        let rss = reset_peak_rss();
        let run = sync_once(&client, &path, "nothing to do", 0, None).await?;
        let mut row = TargetRow::from_run(
            &run,
            format!("sync with nothing to do, {p} link"),
            growth_since(rss),
        );
        row.target_seconds = Some(0.5);
        row.target_mb = Some(80.0);
        row.target_calls = Some(CallTarget::AtMost(1));
        row.note = "records last changed a day before the first pull".into();
        emit(row);
        for row in crate::browse::rows(&client, p).await? {
            emit(row);
        }
        drop(scratch);
        org.shutdown().await;
    }

    let (org, client) = start_org(options.latency_ms).await?;
    emit(right_after_a_mass_load(&client, p).await?);
    org.shutdown().await;
    Ok(())
}

/// The sync after a first pull of records loaded moments before it: every record is inside
/// the overlap window and is read again. No target: it is the price of the overlap's safety.
async fn right_after_a_mass_load(client: &Client, p: usize) -> anyhow::Result<TargetRow> {
    seed_accounts(client, p).await?;
    let scratch = ScratchDir::new()?;
    let path = new_workspace(&scratch.0, 0)?;
    sync_once(client, &path, "first pull after a load", p as u64, None).await?;
    let rss = reset_peak_rss();
    let run = sync_once(client, &path, "overlap re-read", 0, None).await?;
    let mut row = TargetRow::from_run(
        &run,
        format!("sync right after a mass load, {p} link"),
        growth_since(rss),
    );
    row.note = "no target: the overlap window reads the just-loaded records again".into();
    Ok(row)
}
