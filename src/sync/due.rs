//! Which scheduled links are due now, read from the workspace's links and runs.

use chrono::{DateTime, Local};

use super::link::Schedule;
use super::schedule::{self, BadTime};
use crate::workspace::journal::{self, RunStatus, Trigger};
use crate::workspace::{Result, Workspace};

/// The scheduled links as a timer sees them now.
#[derive(Debug, Default)]
pub struct Due {
    /// Due now, by name.
    pub links: Vec<String>,
    /// Not run again: the last scheduled run stopped before a mass delete, and every run
    /// would stop at the same deletes until a person confirms them.
    pub waiting_for_confirmation: Vec<String>,
    /// Links whose schedule cannot be read.
    pub unreadable: Vec<(String, BadTime)>,
}

pub fn due(ws: &Workspace, now: DateTime<Local>) -> Result<Due> {
    let mut due = Due::default();
    for stored in ws.links()? {
        if stored.link.schedule == Schedule::Manual {
            continue;
        }
        let name = stored.link.name;
        let last = journal::runs(ws.conn(), Some(&name), 1)?.into_iter().next();
        match schedule::is_due(
            &stored.link.schedule,
            last.as_ref().map(|r| r.started_at.with_timezone(&Local)),
            now,
        ) {
            Ok(false) => {}
            Ok(true)
                if last.as_ref().is_some_and(|r| {
                    r.status == RunStatus::NeedsConfirmation && r.trigger == Trigger::Schedule
                }) =>
            {
                due.waiting_for_confirmation.push(name)
            }
            Ok(true) => due.links.push(name),
            Err(e) => due.unreadable.push((name, e)),
        }
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::journal::tests::workspace_with_link;

    /// A link run every 5 minutes whose last run, an hour ago, ended as `status`.
    fn last_run_an_hour_ago(status: &str, trigger: Trigger) -> (tempfile::TempDir, Workspace) {
        let (dir, mut ws, link_id) = workspace_with_link();
        let mut link = ws.link("customers").unwrap().link;
        link.schedule = Schedule::Minutes { minutes: 5 };
        ws.save_link(&link, "test").unwrap();
        let run = journal::start_run(ws.conn(), link_id, "customers", trigger, None).unwrap();
        let started = (Local::now() - chrono::Duration::hours(1)).to_rfc3339();
        ws.conn()
            .execute(
                "UPDATE tether_runs SET status = ?2, started_at = ?3 WHERE id = ?1",
                rusqlite::params![run, status, started],
            )
            .unwrap();
        (dir, ws)
    }

    #[test]
    fn a_scheduled_run_that_needs_confirmation_is_not_repeated_every_due_time() {
        let (_dir, ws) = last_run_an_hour_ago("needs_confirmation", Trigger::Schedule);
        let due = due(&ws, Local::now()).unwrap();
        assert!(due.links.is_empty(), "{due:?}");
        assert_eq!(due.waiting_for_confirmation, vec!["customers"]);
    }

    #[test]
    fn a_link_runs_again_once_its_last_run_is_not_waiting() {
        for (status, trigger) in [
            ("succeeded", Trigger::Schedule),
            ("failed", Trigger::Schedule),
            // Stopped when a person ran it: the schedule still runs it, and stops again.
            ("needs_confirmation", Trigger::Button),
        ] {
            let (_dir, ws) = last_run_an_hour_ago(status, trigger);
            let due = due(&ws, Local::now()).unwrap();
            assert_eq!(due.links, vec!["customers"], "{status} {trigger:?}");
        }
    }
}
