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
