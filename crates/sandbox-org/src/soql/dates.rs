//! Relative date literals as day ranges, in UTC (the sandbox org's users all live in UTC).

use chrono::{Datelike, Days, Months, NaiveDate};

use super::ast::RelativeDate;

/// Days `[start, end)` covered by a date literal. Compared with a datetime field the range
/// covers whole UTC days, from `start` 00:00:00 to `end` 00:00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let shifted = if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    shifted.unwrap_or(if n >= 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let shifted = if n >= 0 {
        d.checked_add_months(Months::new(n as u32))
    } else {
        d.checked_sub_months(Months::new(n.unsigned_abs()))
    };
    shifted.unwrap_or(if n >= 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn quarter_start(d: NaiveDate) -> NaiveDate {
    let month = (d.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d)
}

fn year_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d)
}

/// Weeks start on Sunday, the default locale of an org.
fn week_start(d: NaiveDate) -> NaiveDate {
    add_days(d, -i64::from(d.weekday().num_days_from_sunday()))
}

fn range(start: NaiveDate, end: NaiveDate) -> DayRange {
    DayRange { start, end }
}

/// The days `literal` means when today is `today`.
pub fn day_range(literal: RelativeDate, today: NaiveDate) -> DayRange {
    use RelativeDate::*;
    let day = |offset: i64| range(add_days(today, offset), add_days(today, offset + 1));
    let months = |from: i32, count: i32| {
        let start = add_months(month_start(today), from);
        range(start, add_months(start, count))
    };
    let quarters = |from: i32| {
        let start = add_months(quarter_start(today), 3 * from);
        range(start, add_months(start, 3))
    };
    let years = |from: i32| {
        let start = add_months(year_start(today), 12 * from);
        range(start, add_months(start, 12))
    };
    let weeks = |from: i64| {
        let start = add_days(week_start(today), 7 * from);
        range(start, add_days(start, 7))
    };
    match literal {
        Yesterday => day(-1),
        Today => day(0),
        Tomorrow => day(1),
        LastWeek => weeks(-1),
        ThisWeek => weeks(0),
        NextWeek => weeks(1),
        LastMonth => months(-1, 1),
        ThisMonth => months(0, 1),
        NextMonth => months(1, 1),
        LastQuarter => quarters(-1),
        ThisQuarter => quarters(0),
        NextQuarter => quarters(1),
        LastYear => years(-1),
        ThisYear => years(0),
        NextYear => years(1),
        // "Starts with the current day and continues for the past n days": today included.
        Last90Days => range(add_days(today, -90), add_days(today, 1)),
        LastNDays(n) => range(add_days(today, -i64::from(n)), add_days(today, 1)),
        // "Starts 00:00:00 of the next day and continues for the next n days".
        Next90Days => range(add_days(today, 1), add_days(today, 91)),
        NextNDays(n) => range(add_days(today, 1), add_days(today, 1 + i64::from(n))),
        NDaysAgo(n) => day(-i64::from(n)),
        LastNMonths(n) => months(-(n.min(100_000) as i32), n.min(100_000) as i32),
        NextNMonths(n) => months(1, n.min(100_000) as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn literals_cover_the_days_salesforce_documents() {
        use RelativeDate::*;
        // 2024-03-13 is a Wednesday.
        let today = d("2024-03-13");
        let cases: &[(RelativeDate, &str, &str)] = &[
            (Today, "2024-03-13", "2024-03-14"),
            (Yesterday, "2024-03-12", "2024-03-13"),
            (Tomorrow, "2024-03-14", "2024-03-15"),
            (LastNDays(7), "2024-03-06", "2024-03-14"),
            (NextNDays(7), "2024-03-14", "2024-03-21"),
            (NDaysAgo(3), "2024-03-10", "2024-03-11"),
            (ThisWeek, "2024-03-10", "2024-03-17"),
            (LastWeek, "2024-03-03", "2024-03-10"),
            (ThisMonth, "2024-03-01", "2024-04-01"),
            (LastMonth, "2024-02-01", "2024-03-01"),
            (NextMonth, "2024-04-01", "2024-05-01"),
            (ThisQuarter, "2024-01-01", "2024-04-01"),
            (NextQuarter, "2024-04-01", "2024-07-01"),
            (LastYear, "2023-01-01", "2024-01-01"),
            (LastNMonths(2), "2024-01-01", "2024-03-01"),
            (NextNMonths(2), "2024-04-01", "2024-06-01"),
            (Last90Days, "2023-12-14", "2024-03-14"),
        ];
        for (literal, start, end) in cases {
            assert_eq!(
                day_range(*literal, today),
                range(d(start), d(end)),
                "{literal:?}"
            );
        }
    }

    #[test]
    fn huge_counts_saturate_instead_of_panicking() {
        let r = day_range(RelativeDate::LastNDays(u32::MAX), d("2024-01-01"));
        assert!(r.start < r.end);
        let r = day_range(RelativeDate::NextNMonths(u32::MAX), d("2024-01-01"));
        assert!(r.start < r.end);
    }
}
