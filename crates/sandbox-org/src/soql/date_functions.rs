//! Date functions (`CALENDAR_YEAR(CreatedDate)`...) applied to a record's value.
//!
//! Users of the sandbox org live in UTC and its fiscal year is the calendar year, so
//! `convertTimezone()` changes nothing and `FISCAL_*` equal `CALENDAR_*`.

use chrono::{Datelike, NaiveDate, Timelike};
use serde_json::{Value, json};

use super::functions::DateFunction;
use crate::schema::FieldType;
use crate::values::{parse_date, parse_datetime};

impl DateFunction {
    /// Whether the function applies to a field of `kind`: `DAY_ONLY` and `HOUR_IN_DAY` need
    /// a time of day, the others take dates too.
    pub fn accepts(self, kind: FieldType) -> bool {
        match self {
            DateFunction::DayOnly | DateFunction::HourInDay => kind == FieldType::DateTime,
            _ => matches!(kind, FieldType::Date | FieldType::DateTime),
        }
    }

    /// The type of what the function returns.
    pub fn result_kind(self) -> FieldType {
        match self {
            DateFunction::DayOnly => FieldType::Date,
            _ => FieldType::Int,
        }
    }

    /// The function of a wire value (`"2024-03-13"` or `"2024-03-13T09:30:00.000+0000"`).
    pub fn apply(self, value: &Value) -> Value {
        let Some(text) = value.as_str() else {
            return Value::Null;
        };
        let (date, hour) = match parse_datetime(text) {
            Some(at) if text.len() > 10 => (at.date_naive(), at.hour()),
            _ => match parse_date(text) {
                Some(date) => (date, 0),
                None => return Value::Null,
            },
        };
        match self {
            DateFunction::DayOnly => json!(date.format("%Y-%m-%d").to_string()),
            other => json!(other.number(date, hour)),
        }
    }

    fn number(self, date: NaiveDate, hour: u32) -> i64 {
        use DateFunction::*;
        let n = match self {
            CalendarYear | FiscalYear => return i64::from(date.year()),
            CalendarQuarter | FiscalQuarter => date.month0() / 3 + 1,
            CalendarMonth | FiscalMonth => date.month(),
            DayInMonth => date.day(),
            // 1 for Sunday through 7 for Saturday.
            DayInWeek => date.weekday().num_days_from_sunday() + 1,
            DayInYear => date.ordinal(),
            // Weeks count from the first of the month (or year): days 1-7 are week 1.
            WeekInMonth => date.day0() / 7 + 1,
            WeekInYear => date.ordinal0() / 7 + 1,
            HourInDay => hour,
            DayOnly => 0,
        };
        i64::from(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of Salesforce's table of date functions.
    #[test]
    fn functions_answer_the_documented_examples() {
        use DateFunction::*;
        let cases: &[(DateFunction, &str, Value)] = &[
            (CalendarMonth, "2009-01-15", json!(1)),
            (CalendarMonth, "2009-12-15", json!(12)),
            (CalendarQuarter, "2009-03-31", json!(1)),
            (CalendarQuarter, "2009-04-01", json!(2)),
            (CalendarQuarter, "2009-09-30", json!(3)),
            (CalendarQuarter, "2009-10-01", json!(4)),
            (CalendarYear, "2009-06-01", json!(2009)),
            (DayInMonth, "2009-02-20", json!(20)),
            // 2009-09-20 was a Sunday, 2009-09-26 a Saturday.
            (DayInWeek, "2009-09-20", json!(1)),
            (DayInWeek, "2009-09-26", json!(7)),
            (DayInYear, "2009-02-01", json!(32)),
            (DayOnly, "2009-09-22T13:45:00.000+0000", json!("2009-09-22")),
            (HourInDay, "2009-09-22T18:10:00.000+0000", json!(18)),
            (WeekInMonth, "2009-04-10", json!(2)),
            (WeekInYear, "2009-01-01", json!(1)),
            (WeekInYear, "2009-01-08", json!(2)),
            (FiscalYear, "2009-06-01", json!(2009)),
            (FiscalQuarter, "2009-07-15", json!(3)),
            (FiscalMonth, "2009-02-10", json!(2)),
            (CalendarYear, "2009-12-31T23:30:00.000+0000", json!(2009)),
            (CalendarYear, "2010-01-01T00:30:00.000-0500", json!(2010)),
        ];
        for (function, input, want) in cases {
            assert_eq!(
                &function.apply(&json!(input)),
                want,
                "{function:?}({input})"
            );
        }
        assert_eq!(CalendarYear.apply(&Value::Null), Value::Null);
    }

    #[test]
    fn time_of_day_functions_need_a_datetime() {
        assert!(DateFunction::CalendarYear.accepts(FieldType::Date));
        assert!(!DateFunction::DayOnly.accepts(FieldType::Date));
        assert!(!DateFunction::HourInDay.accepts(FieldType::Date));
        assert!(DateFunction::HourInDay.accepts(FieldType::DateTime));
        assert!(!DateFunction::CalendarYear.accepts(FieldType::String));
    }
}
