//! Links on the dashboard and their syncs: Sync Now, progress, cancel, schedules.
//!
//! Syncs take the workspace lock, so they run one at a time: each waits its turn on
//! `Service::sync_queue`, and says which link it waits for.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Local, Utc};

use super::clients::{blocking, lock};
use super::rate::RateMeter;
use super::service::Service;
use super::*;
use crate::access::Action;
use crate::run::{RunError, RunSummary};
use crate::sync::engine::{self, Progress, ProgressSink, RunOptions, RunScope, SyncError};
use crate::sync::link::{Link, Schedule};
use crate::sync::schedule;
use crate::workspace::journal::{self, RunStatus, Trigger};
use crate::workspace::{Workspace, conflicts};
use tokio_util::sync::CancellationToken;

/// The shortest gap between two progress events of one phase: the window repaints on each.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl Service {
    pub(super) async fn list_links(self: &Arc<Self>) -> anyhow::Result<()> {
        let path = self.config.workspace.clone();
        let cards = blocking(move || link_cards(&path)).await?;
        self.outbox.send(Event::Links(cards));
        Ok(())
    }

    pub(super) async fn sync_now(self: &Arc<Self>, link: &str) -> anyhow::Result<()> {
        self.run_sync(link, Trigger::Button, false, RunScope::Link)
            .await
    }

    /// Sync Now again after a person allowed the deletes the guard stopped.
    pub(super) async fn sync_allowing_deletes(self: &Arc<Self>, link: &str) -> anyhow::Result<()> {
        self.run_sync(link, Trigger::Button, true, RunScope::Link)
            .await
    }

    pub(super) async fn sync_all(self: &Arc<Self>) -> anyhow::Result<()> {
        let path = self.config.workspace.clone();
        let names: Vec<String> = blocking(move || {
            Ok(Workspace::open(&path)?
                .links()?
                .into_iter()
                .map(|s| s.link.name)
                .collect())
        })
        .await?;
        if names.is_empty() {
            anyhow::bail!("there are no links to sync yet. Create one in the mapping studio");
        }
        for name in names {
            if !self.is_syncing(&name) {
                self.spawn_sync(name, Trigger::Button);
            }
        }
        Ok(())
    }

    pub(super) async fn cancel_sync(self: &Arc<Self>, link: &str) -> anyhow::Result<()> {
        // A sync that just finished has nothing left to cancel: that is not a failure.
        if let Some(cancel) = lock(&self.running).get(link) {
            cancel.cancel();
        }
        self.cancelled.notify_waiters();
        Ok(())
    }

    pub(super) async fn set_schedule(
        self: &Arc<Self>,
        link: &str,
        schedule: Schedule,
    ) -> anyhow::Result<()> {
        if let Schedule::Day { at } = &schedule {
            schedule::daily_time(at)?;
        }
        let path = self.config.workspace.clone();
        let name = link.to_string();
        blocking(move || {
            let mut ws = Workspace::open(&path)?;
            let mut link = ws.link(&name)?.link;
            link.schedule = schedule;
            ws.save_link(&link, "desktop")?;
            Ok(())
        })
        .await?;
        self.list_links().await
    }

    pub(super) fn is_syncing(&self, link: &str) -> bool {
        lock(&self.running).contains_key(link)
    }

    /// Starts a sync in its own task; its failure is reported under the Sync topic.
    pub(super) fn spawn_sync(self: &Arc<Self>, link: String, trigger: Trigger) {
        self.spawn_scoped_sync(link, trigger, RunScope::Link);
    }

    /// Starts a sync of the whole link or of some of its records, in its own task.
    pub(super) fn spawn_scoped_sync(
        self: &Arc<Self>,
        link: String,
        trigger: Trigger,
        scope: RunScope,
    ) {
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(e) = service.run_sync(&link, trigger, false, scope).await {
                service.outbox.failed(Topic::Sync, format!("{e:#}"));
            }
        });
    }

    /// One sync of `link`, queued behind any other, always ending in [`Event::SyncFinished`]
    /// once it has been accepted.
    pub(super) async fn run_sync(
        self: &Arc<Self>,
        name: &str,
        trigger: Trigger,
        allow_mass_delete: bool,
        scope: RunScope,
    ) -> anyhow::Result<()> {
        let cancel = CancellationToken::new();
        {
            let mut running = lock(&self.running);
            if running.contains_key(name) {
                anyhow::bail!(
                    "“{name}” is already syncing. Wait for it to finish, or cancel it first"
                );
            }
            running.insert(name.to_string(), cancel.clone());
        }
        let registered = Registered {
            service: self.clone(),
            link: name.to_string(),
        };
        let path = self.config.workspace.clone();
        let link = blocking({
            let (path, name) = (path.clone(), name.to_string());
            move || Ok(Workspace::open(&path)?.link(&name)?.link)
        })
        .await?;
        self.authorize(&link.connection, Action::RunSyncs, Some(&link.object))
            .await?;

        let turn = match self.sync_queue.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                let other = lock(&self.syncing)
                    .clone()
                    .unwrap_or_else(|| "another link".to_string());
                self.outbox.send(Event::SyncProgress(SyncProgress {
                    link: name.to_string(),
                    run_id: 0,
                    phase: format!("Waiting for {other}"),
                    done: 0,
                    total: None,
                    records_per_second: 0.0,
                    eta_seconds: None,
                }));
                self.sync_queue.lock().await
            }
        };
        *lock(&self.syncing) = Some(name.to_string());
        let holder = Holder(self.clone());

        let summary = match self.client(&link.connection).await {
            Err(e) => {
                let reason = format!("{e:#}");
                unstarted(&path, name, trigger, scope, &reason).await?
            }
            Ok(client) => {
                let reporter = client.clone();
                let options = RunOptions {
                    trigger,
                    cancel: cancel.clone(),
                    progress: Some(progress_sink(self.outbox.clone(), name)),
                    allow_mass_delete,
                    scope: scope.clone(),
                    write_path: None,
                    batch_records: crate::sync::engine::BATCH_RECORDS,
                };
                loop {
                    // The CLI, a schedule or another window may hold the workspace: wait.
                    if !self.wait_for_workspace(&path, name, &cancel).await? {
                        self.outbox.send(Event::SyncNotStarted {
                            link: name.to_string(),
                            message: format!(
                                "{name}: cancelled before it started; nothing was read or written"
                            ),
                        });
                        return Ok(());
                    }
                    let runtime = tokio::runtime::Handle::current();
                    let (run_path, run_name) = (path.clone(), name.to_string());
                    let (client, options) = (client.clone(), options.clone());
                    // The engine keeps SQLite connections across its awaits: it runs on a
                    // thread of its own rather than on the shared workers.
                    let outcome = tokio::task::spawn_blocking(move || {
                        runtime.block_on(engine::sync_link(&run_path, &run_name, &client, &options))
                    })
                    .await
                    .context("the sync stopped unexpectedly; run it again")?;
                    self.report_usage(&link.connection, &reporter);
                    match outcome {
                        Ok(summary) => break summary,
                        // Another program took the lock between the wait and the start.
                        Err(SyncError::Run(RunError::Busy(_))) => continue,
                        Err(e) => {
                            break unstarted(&path, name, trigger, scope, &e.to_string()).await?;
                        }
                    }
                }
            }
        };
        // Released before the window hears of the end, so that an answer given at once (the
        // mass-delete question's "Delete them") is not refused as a sync still running.
        drop(holder);
        drop(turn);
        drop(registered);
        self.outbox.send(Event::SyncFinished(summary.clone()));
        let text = toast(&link, &summary);
        self.outbox.send(match summary.status {
            RunStatus::Succeeded => Event::Notice(text),
            _ => Event::Warning(text),
        });
        self.list_links().await
    }
}

/// Removes a sync from `Service::running` however it ends.
struct Registered {
    service: Arc<Service>,
    link: String,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&self.service.running).remove(&self.link);
    }
}

/// Clears the name of the link holding the queue when its turn ends.
struct Holder(Arc<Service>);

impl Drop for Holder {
    fn drop(&mut self) {
        lock(&self.0.syncing).take();
    }
}

async fn unstarted(
    path: &std::path::Path,
    link: &str,
    trigger: Trigger,
    scope: RunScope,
    reason: &str,
) -> anyhow::Result<RunSummary> {
    let (path, link, reason) = (path.to_path_buf(), link.to_string(), reason.to_string());
    blocking(move || {
        Ok(engine::record_unstarted(
            &path, &link, trigger, &scope, &reason,
        )?)
    })
    .await
}

/// Turns the engine's progress into window events: a start, then throttled progress with
/// the rate and time left.
fn progress_sink(outbox: Outbox, link: &str) -> ProgressSink {
    struct State {
        run_id: i64,
        started: Instant,
        meter: RateMeter,
        last: Option<(String, Instant)>,
    }
    let link = link.to_string();
    let state = Mutex::new(State {
        run_id: 0,
        started: Instant::now(),
        meter: RateMeter::new(),
        last: None,
    });
    Arc::new(move |progress: Progress| {
        let mut state = lock(&state);
        let (phase, done, total) = match progress {
            Progress::Started { run_id } => {
                state.run_id = run_id;
                outbox.send(Event::SyncStarted {
                    link: link.clone(),
                    run_id,
                });
                return;
            }
            Progress::Reading { done, total } => ("Reading", done, total),
            Progress::Read { records, .. } => ("Reading", records, Some(records)),
            Progress::Planning { done, total } => ("Planning", done, Some(total)),
            // The planning counts said it all; the next phase's first count follows.
            Progress::Planned { .. } => return,
            Progress::Writing { done, total } => ("Writing locally", done, Some(total)),
            Progress::Pushed { done, total } => ("Sending", done, Some(total)),
        };
        let now = Instant::now();
        let at = now.duration_since(state.started).as_secs_f64();
        let same_phase = state.last.as_ref().is_some_and(|(p, _)| p == phase);
        if !same_phase {
            state.meter.reset();
        }
        state.meter.record(at, done);
        let finished = total.is_some_and(|t| done >= t);
        let recent = state
            .last
            .as_ref()
            .is_some_and(|(_, when)| now.duration_since(*when) < PROGRESS_EVERY);
        if same_phase && recent && !finished {
            return;
        }
        state.last = Some((phase.to_string(), now));
        outbox.send(Event::SyncProgress(SyncProgress {
            link: link.clone(),
            run_id: state.run_id,
            phase: phase.to_string(),
            done,
            total,
            records_per_second: state.meter.per_second(),
            eta_seconds: total.and_then(|t| state.meter.eta_seconds(t)),
        }));
    })
}

fn link_cards(path: &std::path::Path) -> anyhow::Result<Vec<LinkCard>> {
    let ws = Workspace::open(path)?;
    let now = Local::now();
    let open_errors = journal::open_error_counts(ws.conn())?;
    let mut cards = Vec::new();
    for stored in ws.links()? {
        let name = stored.link.name.clone();
        let last_run = journal::runs(ws.conn(), Some(&name), 1)?.into_iter().next();
        let last_success: Option<String> = ws.conn().query_row(
            "SELECT MAX(COALESCE(ended_at, started_at)) FROM tether_runs
             WHERE link_name = ?1 AND status IN ('succeeded', 'partial')",
            [&name],
            |r| r.get(0),
        )?;
        let last_success = last_success
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc));
        // An unreadable daily time has no next run; verifying the link says why.
        let next_run = schedule::next_run(
            &stored.link.schedule,
            last_run
                .as_ref()
                .map(|r| r.started_at.with_timezone(&Local)),
            now,
        )
        .ok()
        .flatten()
        .map(|t| t.with_timezone(&Utc));
        let open_conflicts = conflicts::open(ws.conn(), Some(stored.id))?.len() as u64;
        let open_errors = open_errors.get(&name).copied().unwrap_or(0);
        cards.push(LinkCard {
            link: stored.link,
            last_run,
            last_success,
            next_run,
            open_conflicts,
            open_errors,
        });
    }
    Ok(cards)
}

/// The links due now, by their schedules and last starts.
pub(super) fn due_links(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let ws = Workspace::open(path)?;
    let due = crate::sync::due::due(&ws, Local::now())?;
    for (link, e) in &due.unreadable {
        tracing::warn!(link = %link, "not scheduled: {e}");
    }
    Ok(due.links)
}

/// "Account ⇄ accounts (Both): 1,204 updated · 2 failed".
pub fn toast(link: &Link, summary: &RunSummary) -> String {
    let head = crate::sync::arrows::title_with_word(link);
    let c = &summary.counts;
    let counts: Vec<String> = [
        (c.created, "created"),
        (c.updated, "updated"),
        (c.deleted, "deleted"),
        (
            c.conflicts,
            if c.conflicts == 1 {
                "conflict"
            } else {
                "conflicts"
            },
        ),
        (c.failed, "failed"),
        (c.keyless, "without a key"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", thousands(n)))
    .collect();
    let counts = if counts.is_empty() {
        "no changes".to_string()
    } else {
        counts.join(" · ")
    };
    match summary.status {
        RunStatus::Failed => format!(
            "{head}: sync failed. {}",
            summary.message.as_deref().unwrap_or("See History for why")
        ),
        RunStatus::Cancelled => format!("{head}: cancelled after {counts}"),
        RunStatus::NeedsConfirmation => format!(
            "{head}: stopped before deleting {} records; nothing was written",
            thousands(c.deletes_waiting)
        ),
        _ => format!("{head}: {counts}"),
    }
}

/// 1204 → "1,204".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::Direction;
    use crate::workspace::journal::RunCounts;

    #[test]
    fn toasts_say_what_a_run_did() {
        let link = super::super::sandbox::demo_accounts_link();
        let summary = |status, counts| RunSummary {
            run_id: 1,
            link: link.name.clone(),
            status,
            counts,
            read_path: None,
            write_path: None,
            message: Some("the org did not answer".into()),
            write_choice: None,
        };
        let cases = [
            (
                RunStatus::Partial,
                RunCounts {
                    updated: 1204,
                    failed: 2,
                    ..Default::default()
                },
                "Account ⇄ accounts (Both): 1,204 updated · 2 failed",
            ),
            (
                RunStatus::Succeeded,
                RunCounts::default(),
                "Account ⇄ accounts (Both): no changes",
            ),
            (
                RunStatus::Failed,
                RunCounts::default(),
                "Account ⇄ accounts (Both): sync failed. the org did not answer",
            ),
        ];
        for (status, counts, want) in cases {
            assert_eq!(toast(&link, &summary(status, counts)), want);
        }
        // A link that only pulls draws the arrow the card draws: Salesforce on the left.
        let mut pulled = link.clone();
        for f in &mut pulled.fields {
            f.direction = Direction::Pull;
        }
        assert_eq!(
            toast(
                &pulled,
                &summary(RunStatus::Succeeded, RunCounts::default())
            ),
            "Account → accounts (Pull): no changes"
        );
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
