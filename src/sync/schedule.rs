//! When a scheduled link is due. Pure: the last run and the time are arguments, so a timer
//! (the app's, or cron calling `tether sync --due`) only has to ask.

use chrono::{DateTime, NaiveTime, TimeZone};

use super::link::Schedule;

/// Why a daily time cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the daily time `{0}` is not HH:MM (24-hour clock, e.g. 06:30): fix the link's schedule")]
pub struct BadTime(pub String);

pub fn daily_time(at: &str) -> Result<NaiveTime, BadTime> {
    NaiveTime::parse_from_str(at.trim(), "%H:%M").map_err(|_| BadTime(at.to_string()))
}

/// Whether a link with `schedule`, last started at `last_run`, should run at `now`.
pub fn is_due<Tz: TimeZone>(
    schedule: &Schedule,
    last_run: Option<DateTime<Tz>>,
    now: DateTime<Tz>,
) -> Result<bool, BadTime> {
    match schedule {
        Schedule::Manual => Ok(false),
        Schedule::Minutes { minutes } => Ok(match last_run {
            None => true,
            Some(last) => now - last >= chrono::Duration::minutes(i64::from(*minutes.max(&1))),
        }),
        Schedule::Day { at } => {
            let at = daily_time(at)?;
            let today = now.date_naive().and_time(at);
            let Some(slot) = now.timezone().from_local_datetime(&today).earliest() else {
                // The time does not exist today (a daylight-saving gap): run at the next check.
                return Ok(last_run.is_none_or(|last| last.date_naive() < now.date_naive()));
            };
            Ok(now >= slot && last_run.is_none_or(|last| last < slot))
        }
    }
}

/// When a link with `schedule`, last started at `last_run`, runs next as seen at `now`: `now`
/// itself when it is due, `None` for a manual link. Agrees with [`is_due`].
pub fn next_run<Tz: TimeZone>(
    schedule: &Schedule,
    last_run: Option<DateTime<Tz>>,
    now: DateTime<Tz>,
) -> Result<Option<DateTime<Tz>>, BadTime> {
    if is_due(schedule, last_run.clone(), now.clone())? {
        return Ok(match schedule {
            Schedule::Manual => None,
            _ => Some(now),
        });
    }
    match schedule {
        Schedule::Manual => Ok(None),
        Schedule::Minutes { minutes } => {
            let every = chrono::Duration::minutes(i64::from(*minutes.max(&1)));
            Ok(last_run.map(|last| last + every))
        }
        Schedule::Day { at } => {
            let at = daily_time(at)?;
            let today = now.date_naive();
            // Not due now: today's slot is still ahead, or today's run already happened.
            for day in [Some(today), today.succ_opt()].into_iter().flatten() {
                if let Some(slot) = local_slot(&now.timezone(), day.and_time(at))
                    && slot > now
                {
                    return Ok(Some(slot));
                }
            }
            Ok(today
                .succ_opt()
                .and_then(|d| d.succ_opt())
                .and_then(|d| local_slot(&now.timezone(), d.and_time(at))))
        }
    }
}

/// The local time `at` on its day; in a daylight-saving gap, the first moment after it.
fn local_slot<Tz: TimeZone>(zone: &Tz, at: chrono::NaiveDateTime) -> Option<DateTime<Tz>> {
    zone.from_local_datetime(&at).earliest().or_else(|| {
        zone.from_local_datetime(&(at + chrono::Duration::hours(1)))
            .earliest()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn due_or_not() {
        let every_15 = Schedule::Minutes { minutes: 15 };
        let daily = Schedule::Day { at: "06:30".into() };
        let cases: &[(&str, &Schedule, Option<&str>, &str, bool)] = &[
            (
                "manual never",
                &Schedule::Manual,
                None,
                "2026-05-01T10:00:00Z",
                false,
            ),
            (
                "first interval run",
                &every_15,
                None,
                "2026-05-01T10:00:00Z",
                true,
            ),
            (
                "too soon",
                &every_15,
                Some("2026-05-01T09:50:00Z"),
                "2026-05-01T10:00:00Z",
                false,
            ),
            (
                "interval passed",
                &every_15,
                Some("2026-05-01T09:45:00Z"),
                "2026-05-01T10:00:00Z",
                true,
            ),
            (
                "before the daily time",
                &daily,
                None,
                "2026-05-01T06:29:00Z",
                false,
            ),
            (
                "at the daily time",
                &daily,
                None,
                "2026-05-01T06:30:00Z",
                true,
            ),
            (
                "already ran today",
                &daily,
                Some("2026-05-01T06:31:00Z"),
                "2026-05-01T18:00:00Z",
                false,
            ),
            (
                "ran yesterday",
                &daily,
                Some("2026-04-30T06:31:00Z"),
                "2026-05-01T07:00:00Z",
                true,
            ),
            (
                "ran today before the slot",
                &daily,
                Some("2026-05-01T05:00:00Z"),
                "2026-05-01T07:00:00Z",
                true,
            ),
        ];
        for (name, schedule, last, now, want) in cases {
            let got = is_due(schedule, last.map(t), t(now)).unwrap();
            assert_eq!(got, *want, "{name}");
        }
    }

    #[test]
    fn next_runs() {
        let every_15 = Schedule::Minutes { minutes: 15 };
        let daily = Schedule::Day { at: "06:30".into() };
        // (name, schedule, last run, now, next run)
        type Case<'a> = (
            &'a str,
            &'a Schedule,
            Option<&'a str>,
            &'a str,
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            (
                "manual never",
                &Schedule::Manual,
                None,
                "2026-05-01T10:00:00Z",
                None,
            ),
            (
                "manual after a run",
                &Schedule::Manual,
                Some("2026-05-01T09:00:00Z"),
                "2026-05-01T10:00:00Z",
                None,
            ),
            (
                "interval never ran: now",
                &every_15,
                None,
                "2026-05-01T10:00:00Z",
                Some("2026-05-01T10:00:00Z"),
            ),
            (
                "interval: after the last run",
                &every_15,
                Some("2026-05-01T09:50:00Z"),
                "2026-05-01T10:00:00Z",
                Some("2026-05-01T10:05:00Z"),
            ),
            (
                "interval overdue: now",
                &every_15,
                Some("2026-05-01T08:00:00Z"),
                "2026-05-01T10:00:00Z",
                Some("2026-05-01T10:00:00Z"),
            ),
            (
                "daily, before today's slot",
                &daily,
                None,
                "2026-05-01T05:00:00Z",
                Some("2026-05-01T06:30:00Z"),
            ),
            (
                "daily, ran today: tomorrow",
                &daily,
                Some("2026-05-01T06:31:00Z"),
                "2026-05-01T18:00:00Z",
                Some("2026-05-02T06:30:00Z"),
            ),
            (
                "daily, slot passed without a run: now",
                &daily,
                Some("2026-04-30T06:31:00Z"),
                "2026-05-01T07:00:00Z",
                Some("2026-05-01T07:00:00Z"),
            ),
        ];
        for (name, schedule, last, now, want) in cases {
            let got = next_run(schedule, last.map(t), t(now)).unwrap();
            assert_eq!(got, want.map(t), "{name}");
            // A run that is due now is exactly what is_due says.
            let due = is_due(schedule, last.map(t), t(now)).unwrap();
            assert_eq!(due, got == Some(t(now)), "{name}: agrees with is_due");
        }
    }

    #[test]
    fn an_unreadable_daily_time_names_itself() {
        let err = is_due(
            &Schedule::Day {
                at: "6.30pm".into(),
            },
            None,
            Utc::now(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`6.30pm`"), "{err}");
    }
}
