//! What a link card says about its link: the status light, the title and the summary line.
//! Pure, so the rules are tested without drawing.

use chrono::{DateTime, Utc};

use crate::desktop::{ConnectionStatus, ConnectionView, LinkCard};
use crate::sync::link::{Link, Schedule};
use crate::ui::format::{group_thousands, relative_time};
use crate::workspace::journal::{RunStatus, Trigger};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// The last run succeeded.
    Green,
    /// Warnings: failed records, conflicts waiting, or a run older than twice the schedule.
    Yellow,
    /// The last run failed, or the org cannot be used.
    Red,
    /// Never synced.
    Grey,
}

/// "1 open error" / "1,204 open errors": records whose last attempt failed.
pub fn open_errors_phrase(open: u64) -> String {
    match open {
        1 => "1 open error".to_string(),
        n => format!("{} open errors", group_thousands(n)),
    }
}

/// The light and the reason a person reads beside it.
pub fn light(
    card: &LinkCard,
    connection: Option<&ConnectionView>,
    now: DateTime<Utc>,
) -> (Light, String) {
    match connection.map(|c| &c.status) {
        None => {
            return (
                Light::Red,
                format!(
                    "Connection {} is missing: connect it again",
                    card.link.connection
                ),
            );
        }
        Some(ConnectionStatus::SignInAgain(_)) => {
            return (Light::Red, "Sign in to the org again".to_string());
        }
        Some(ConnectionStatus::Unreachable(_)) => {
            return (Light::Red, "The org cannot be reached".to_string());
        }
        _ => {}
    }
    let Some(run) = &card.last_run else {
        return (Light::Grey, "Not synced yet".to_string());
    };
    match run.status {
        RunStatus::Failed | RunStatus::Interrupted => {
            return (Light::Red, "The last run failed".to_string());
        }
        RunStatus::Running => return (Light::Green, "Syncing".to_string()),
        // Until a person runs it again: a scheduled run never deletes past the guard.
        RunStatus::NeedsConfirmation => {
            let paused = if run.trigger == Trigger::Schedule {
                "; schedule paused until you sync"
            } else {
                ""
            };
            return (
                Light::Yellow,
                format!(
                    "needs confirmation: {} deletes waiting{paused}",
                    group_thousands(run.counts.deletes_waiting)
                ),
            );
        }
        _ => {}
    }
    // Open errors, not the last run's: a record failing for a week is one error, and one a
    // later run synced is no longer counted.
    if card.open_errors > 0 {
        return (Light::Yellow, open_errors_phrase(card.open_errors));
    }
    if run.status == RunStatus::Partial || run.counts.failed > 0 {
        return (
            Light::Yellow,
            match run.counts.failed {
                1 => "1 record failed".to_string(),
                n => format!("{} records failed", group_thousands(n)),
            },
        );
    }
    if run.counts.keyless > 0 {
        let why = match run.counts.keyless {
            1 => "1 row has no key and is not synced".to_string(),
            n => format!("{} rows have no key and are not synced", group_thousands(n)),
        };
        return (Light::Yellow, why);
    }
    if card.open_conflicts > 0 {
        return (
            Light::Yellow,
            match card.open_conflicts {
                1 => "1 conflict waits for you".to_string(),
                n => format!("{} conflicts wait for you", group_thousands(n)),
            },
        );
    }
    if let Some(interval) = interval(&card.link.schedule) {
        let age = now - run.started_at;
        if age > interval * 2 {
            return (
                Light::Yellow,
                "Stale: the schedule has missed runs".to_string(),
            );
        }
    }
    if run.status == RunStatus::Cancelled {
        return (Light::Yellow, "The last run was cancelled".to_string());
    }
    (Light::Green, "Healthy".to_string())
}

fn interval(schedule: &Schedule) -> Option<chrono::Duration> {
    match schedule {
        Schedule::Manual => None,
        Schedule::Minutes { minutes } => {
            Some(chrono::Duration::minutes(i64::from(*minutes.max(&1))))
        }
        Schedule::Day { .. } => Some(chrono::Duration::days(1)),
    }
}

/// "Account ⇄ accounts (Both)": the object, which way data flows, the local table.
pub fn title(link: &Link) -> String {
    crate::sync::arrows::title_with_word(link)
}

/// "Last sync 3 min ago · 1,204 updated · 2 failed".
pub fn last_sync_line(card: &LinkCard, now: DateTime<Utc>) -> String {
    let Some(run) = &card.last_run else {
        return "Never synced: press Sync Now".to_string();
    };
    let ago = (now - run.started_at).to_std().unwrap_or_default();
    let mut parts = vec![format!("Last sync {}", relative_time(ago))];
    let c = &run.counts;
    for (n, what) in [
        (c.created, "created"),
        (c.updated, "updated"),
        (c.deleted, "deleted"),
    ] {
        if n > 0 {
            parts.push(format!("{} {what}", group_thousands(n)));
        }
    }
    if c.created + c.updated + c.deleted == 0 && run.status == RunStatus::Succeeded {
        parts.push("nothing to change".to_string());
    }
    if c.failed > 0 {
        parts.push(format!("{} failed", group_thousands(c.failed)));
    }
    if c.keyless > 0 {
        parts.push(format!("{} without a key", group_thousands(c.keyless)));
    }
    parts.join(" · ")
}

/// "Next 14:30", "Next tomorrow 06:00", or "Manual".
pub fn next_line(card: &LinkCard, now: DateTime<Utc>) -> String {
    match (&card.link.schedule, card.next_run) {
        (Schedule::Manual, _) => "Runs when you press Sync Now".to_string(),
        (_, None) => "Next run when the app is open".to_string(),
        (_, Some(next)) if next <= now => "Next run due now".to_string(),
        (_, Some(next)) => {
            let local = next.with_timezone(&chrono::Local);
            if local.date_naive() == now.with_timezone(&chrono::Local).date_naive() {
                format!("Next {}", local.format("%H:%M"))
            } else {
                format!("Next {}", local.format("%a %H:%M"))
            }
        }
    }
}

/// "4,000 / 10,000 · 2,100 rec/s · ETA 3 s".
pub fn progress_line(p: &crate::desktop::SyncProgress) -> String {
    let mut parts = Vec::new();
    match p.total {
        Some(total) => parts.push(format!(
            "{} {} / {}",
            p.phase,
            group_thousands(p.done),
            group_thousands(total)
        )),
        None if p.done > 0 => parts.push(format!("{} {}", p.phase, group_thousands(p.done))),
        None => parts.push(format!("{}…", p.phase)),
    }
    if p.records_per_second >= 1.0 {
        parts.push(format!(
            "{} rec/s",
            group_thousands(p.records_per_second.round() as u64)
        ));
    }
    if let Some(eta) = p.eta_seconds {
        let eta = eta.max(0.0).round() as u64;
        parts.push(if eta < 60 {
            format!("ETA {eta} s")
        } else {
            format!("ETA {} min", eta.div_ceil(60))
        });
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::{Direction, FieldMapping};
    use crate::workspace::journal::{RunCounts, RunRecord};

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn link(schedule: Schedule, directions: &[Direction]) -> Link {
        let mut link = crate::sync::templates::lead_scores_link("Acme", 7);
        link.schedule = schedule;
        link.fields = directions
            .iter()
            .enumerate()
            .map(|(i, d)| FieldMapping::column(&format!("c{i}"), &format!("F{i}__c"), *d))
            .collect();
        link
    }

    fn run(status: RunStatus, minutes_ago: i64, failed: u64) -> RunRecord {
        RunRecord {
            id: 1,
            link_id: Some(1),
            link_name: "l".into(),
            trigger: Trigger::Button,
            status,
            started_at: now() - chrono::Duration::minutes(minutes_ago),
            ended_at: Some(now()),
            counts: RunCounts {
                updated: 1_204,
                failed,
                ..Default::default()
            },
            message: None,
            undo_of: None,
            undone_by: None,
            scope: None,
        }
    }

    fn card(schedule: Schedule, last: Option<RunRecord>, conflicts: u64) -> LinkCard {
        LinkCard {
            link: link(schedule, &[Direction::Both]),
            last_run: last,
            last_success: None,
            next_run: None,
            open_conflicts: conflicts,
            open_errors: 0,
        }
    }

    fn connection(status: ConnectionStatus) -> ConnectionView {
        ConnectionView {
            name: "Acme".into(),
            username: "u".into(),
            org_id: "o".into(),
            instance_url: "http://127.0.0.1:1".into(),
            login_url: "http://127.0.0.1:1".into(),
            embedded: false,
            status,
            api_usage: None,
            connected_at: now(),
        }
    }

    #[test]
    fn the_card_counts_open_errors_not_the_last_runs_failures() {
        let ok = connection(ConnectionStatus::Ok);
        let mut failing = card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 0);
        failing.open_errors = 3;
        assert_eq!(
            light(&failing, Some(&ok), now()),
            (Light::Yellow, "3 open errors".to_string())
        );
        let mut one = card(Schedule::Manual, Some(run(RunStatus::Partial, 3, 40)), 0);
        one.open_errors = 1;
        assert_eq!(light(&one, Some(&ok), now()).1, "1 open error");
    }

    #[test]
    fn a_scheduled_run_stopped_by_the_guard_says_how_many_deletes_wait() {
        let mut stopped = run(RunStatus::NeedsConfirmation, 3, 0);
        stopped.trigger = Trigger::Schedule;
        stopped.counts = RunCounts {
            deletes_waiting: 1_250,
            ..Default::default()
        };
        let ok = connection(ConnectionStatus::Ok);
        let (color, reason) = light(&card(Schedule::Manual, Some(stopped), 0), Some(&ok), now());
        assert_eq!(color, Light::Yellow);
        assert_eq!(
            reason,
            "needs confirmation: 1,250 deletes waiting; schedule paused until you sync"
        );
    }

    #[test]
    fn the_light_follows_the_ux_rules() {
        let every_10 = Schedule::Minutes { minutes: 10 };
        let cases: Vec<(&str, LinkCard, Option<ConnectionStatus>, Light)> = vec![
            (
                "never run",
                card(Schedule::Manual, None, 0),
                Some(ConnectionStatus::Ok),
                Light::Grey,
            ),
            (
                "succeeded",
                card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 0),
                Some(ConnectionStatus::Ok),
                Light::Green,
            ),
            (
                "unchecked connection still shows the run",
                card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 0),
                Some(ConnectionStatus::Unknown),
                Light::Green,
            ),
            (
                "failed run",
                card(Schedule::Manual, Some(run(RunStatus::Failed, 3, 0)), 0),
                Some(ConnectionStatus::Ok),
                Light::Red,
            ),
            (
                "interrupted run",
                card(Schedule::Manual, Some(run(RunStatus::Interrupted, 3, 0)), 0),
                Some(ConnectionStatus::Ok),
                Light::Red,
            ),
            (
                "partial run",
                card(Schedule::Manual, Some(run(RunStatus::Partial, 3, 2)), 0),
                Some(ConnectionStatus::Ok),
                Light::Yellow,
            ),
            (
                "conflicts waiting",
                card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 4),
                Some(ConnectionStatus::Ok),
                Light::Yellow,
            ),
            (
                "stale under a schedule",
                card(every_10.clone(), Some(run(RunStatus::Succeeded, 21, 0)), 0),
                Some(ConnectionStatus::Ok),
                Light::Yellow,
            ),
            (
                "on time under a schedule",
                card(every_10, Some(run(RunStatus::Succeeded, 19, 0)), 0),
                Some(ConnectionStatus::Ok),
                Light::Green,
            ),
            (
                "signed out",
                card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 0),
                Some(ConnectionStatus::SignInAgain("x".into())),
                Light::Red,
            ),
            (
                "unreachable",
                card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 0),
                Some(ConnectionStatus::Unreachable("x".into())),
                Light::Red,
            ),
            (
                "connection gone",
                card(Schedule::Manual, Some(run(RunStatus::Succeeded, 3, 0)), 0),
                None,
                Light::Red,
            ),
        ];
        for (name, card, status, expected) in cases {
            let connection = status.map(connection);
            assert_eq!(
                light(&card, connection.as_ref(), now()).0,
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn rows_without_a_key_light_the_card_and_join_its_summary() {
        let mut last = run(RunStatus::Succeeded, 3, 0);
        last.counts.keyless = 3;
        let c = card(Schedule::Manual, Some(last), 0);
        let (shown, why) = light(&c, Some(&connection(ConnectionStatus::Ok)), now());
        assert_eq!(
            (shown, why.as_str()),
            (Light::Yellow, "3 rows have no key and are not synced")
        );
        assert_eq!(
            last_sync_line(&c, now()),
            "Last sync 3 min ago · 1,204 updated · 3 without a key"
        );
    }

    #[test]
    fn the_title_arrow_says_which_way_data_flows() {
        let cases = [
            (vec![Direction::Pull, Direction::Pull], "→", "Pull"),
            (vec![Direction::Push], "←", "Push"),
            (vec![Direction::Pull, Direction::Push], "⇄", "Both"),
            (vec![Direction::Both], "⇄", "Both"),
        ];
        for (directions, arrow, word) in cases {
            let l = link(Schedule::Manual, &directions);
            assert_eq!(
                title(&l),
                format!("{} {arrow} {} ({word})", l.object, l.table),
                "{directions:?}"
            );
        }
    }

    #[test]
    fn the_summary_line_reads_like_the_guide() {
        let c = card(Schedule::Manual, Some(run(RunStatus::Partial, 3, 2)), 0);
        assert_eq!(
            last_sync_line(&c, now()),
            "Last sync 3 min ago · 1,204 updated · 2 failed"
        );
        let never = card(Schedule::Manual, None, 0);
        assert_eq!(
            last_sync_line(&never, now()),
            "Never synced: press Sync Now"
        );
    }

    #[test]
    fn progress_reads_as_counts_rate_and_eta() {
        let p = crate::desktop::SyncProgress {
            link: "l".into(),
            run_id: 1,
            phase: "Sending".into(),
            done: 4_000,
            total: Some(10_000),
            records_per_second: 2_100.4,
            eta_seconds: Some(2.8),
        };
        assert_eq!(
            progress_line(&p),
            "Sending 4,000 / 10,000 · 2,100 rec/s · ETA 3 s"
        );
        let reading = crate::desktop::SyncProgress {
            phase: "Reading".into(),
            done: 0,
            total: None,
            records_per_second: 0.0,
            eta_seconds: None,
            ..p
        };
        assert_eq!(progress_line(&reading), "Reading…");
    }
}
