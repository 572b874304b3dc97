//! One canonical form per Salesforce field type, so that a local value and a remote value can
//! be compared: `1` in SQLite and `true` from Salesforce are the same checkbox, `''` and null
//! are the same empty text, and `2026-01-02 03:04:05` is `2026-01-02T03:04:05.000Z`.
//!
//! Without this, a value that only looks different would be pushed and pulled forever.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Number, Value};

use crate::salesforce::ObjectDescribe;
use tether_decimal::{Decimal, parse_decimal};

/// How a field's values are compared and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Boolean,
    Number,
    /// A number that Salesforce rounds to this many decimal places when it saves it.
    Scaled(u32),
    Date,
    /// A date and time; one written without an offset is a wall-clock time in this zone.
    DateTime(Tz),
    /// A time of day, `HH:MM:SS.sssZ` on the wire.
    Time,
    /// `;`-separated picklist values, which Salesforce keeps in its own order.
    MultiPicklist,
}

impl Kind {
    pub fn of(salesforce_type: &str) -> Kind {
        match salesforce_type {
            "boolean" => Kind::Boolean,
            "double" | "currency" | "percent" | "int" | "long" => Kind::Number,
            "date" => Kind::Date,
            "datetime" => Kind::DateTime(Tz::UTC),
            "time" => Kind::Time,
            "multipicklist" => Kind::MultiPicklist,
            _ => Kind::Text,
        }
    }
}

/// Field kinds of an object by API name, datetimes without an offset read in `zone`; parent
/// references (`Account.X__c`) are text.
pub fn kinds(describe: &ObjectDescribe, zone: Tz) -> HashMap<String, Kind> {
    describe
        .fields
        .iter()
        .map(|f| {
            let scale = f
                .other
                .get("scale")
                .and_then(Value::as_u64)
                .and_then(|s| u32::try_from(s).ok());
            let kind = match (Kind::of(&f.field_type), scale) {
                (Kind::Number, Some(scale)) if scale <= MAX_SCALE => Kind::Scaled(scale),
                (Kind::Number, _) if f.field_type == "int" => Kind::Scaled(0),
                (Kind::DateTime(_), _) => Kind::DateTime(zone),
                (kind, _) => kind,
            };
            (f.name.clone(), kind)
        })
        .collect()
}

/// Salesforce numbers have at most 18 digits, so no scale beyond it is ever kept.
const MAX_SCALE: u32 = 18;

/// Why a value cannot be read as its field's kind.
#[derive(Debug, Clone, PartialEq)]
pub struct BadValue {
    pub expected: &'static str,
    pub found: String,
}

fn bad(expected: &'static str, found: impl std::fmt::Display) -> BadValue {
    let mut found = found.to_string();
    if found.chars().count() > 60 {
        found = found.chars().take(57).collect::<String>() + "...";
    }
    BadValue { expected, found }
}

/// A SQLite value as JSON, before it is given a kind.
pub fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
    }
}

/// The exact decimal of a JSON number: integers as they are, floats by their shortest text
/// (`1.005` stays `1.005`, never `1.00499999…`).
fn decimal_of(n: &Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        return Decimal::new(i128::from(i), 0);
    }
    if let Some(u) = n.as_u64() {
        return Decimal::new(i128::from(u), 0);
    }
    parse_decimal(&n.to_string())
}

/// A decimal as JSON: whole numbers that fit as integers, the rest as the decimal's own
/// digits, so an 18-digit fraction keeps every digit that a double would round away.
fn number_of(d: Decimal) -> Option<Value> {
    if d.scale() == 0
        && let Ok(i) = i64::try_from(d.units())
    {
        return Some(Value::from(i));
    }
    d.to_string().parse::<Number>().ok().map(Value::Number)
}

/// A fraction as a REAL when the double gives back the decimal, else as its text: a column
/// without a declared type keeps the text and so every digit.
fn fraction_to_sql(n: &Number) -> SqlValue {
    let Some(f) = n.as_f64() else {
        return SqlValue::Null;
    };
    let exact = Number::from_f64(f)
        .and_then(|x| parse_decimal(&x.to_string()))
        .is_some_and(|x| Some(x) == parse_decimal(&n.to_string()));
    if exact {
        SqlValue::Real(f)
    } else {
        SqlValue::Text(n.to_string())
    }
}

fn canonical_number(value: &Value, scale: Option<u32>) -> Result<Value, BadValue> {
    let decimal = match value {
        Value::Null => return Ok(Value::Null),
        Value::String(s) if s.trim().is_empty() => return Ok(Value::Null),
        Value::String(s) => parse_decimal(s).ok_or_else(|| bad("a number", s))?,
        Value::Number(n) => decimal_of(n).ok_or_else(|| bad("a number", n))?,
        other => return Err(bad("a number", other)),
    };
    // Salesforce keeps `0.1 + 0.2` in a two-place field as 0.30, rounding half away from zero
    // on the decimal as written: compared unrounded, the local value would differ from the
    // saved one and be pushed again on every run.
    let decimal = match scale {
        Some(scale) => decimal.rescale(scale).value,
        None => decimal,
    };
    number_of(decimal).ok_or_else(|| bad("a number", value))
}

/// The canonical form of a value of `kind`, from either side.
pub fn canonical(kind: Kind, value: &Value) -> Result<Value, BadValue> {
    match kind {
        Kind::Number => return canonical_number(value, None),
        Kind::Scaled(scale) => return canonical_number(value, Some(scale)),
        _ => {}
    }
    match (kind, value) {
        (_, Value::Null) => Ok(if kind == Kind::Boolean {
            Value::Bool(false)
        } else {
            Value::Null
        }),
        (Kind::Text | Kind::MultiPicklist, Value::String(s)) if s.is_empty() => Ok(Value::Null),
        (Kind::Text, Value::String(_)) => Ok(value.clone()),
        (Kind::Text, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (Kind::Text, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (Kind::MultiPicklist, Value::String(s)) => Ok(multi_picklist(s)),
        (Kind::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (Kind::Boolean, Value::Number(n)) => match n.as_f64() {
            Some(0.0) => Ok(Value::Bool(false)),
            Some(1.0) => Ok(Value::Bool(true)),
            _ => Err(bad("a checkbox (0 or 1, true or false)", n)),
        },
        (Kind::Boolean, Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Value::Bool(true)),
            "false" | "0" | "no" | "" => Ok(Value::Bool(false)),
            _ => Err(bad("a checkbox (0 or 1, true or false)", s)),
        },
        (Kind::Date, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::Date, Value::String(s)) => parse_date(s)
            .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
            .ok_or_else(|| bad("a date (YYYY-MM-DD)", s)),
        (Kind::DateTime(_), Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::DateTime(zone), Value::String(s)) => parse_datetime_in(s, zone)
            .map(|t| Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true)))
            .ok_or_else(|| bad("a date and time (ISO 8601)", s)),
        (Kind::Time, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::Time, Value::String(s)) => parse_time(s)
            .map(|t| Value::String(format!("{}Z", t.format("%H:%M:%S%.3f"))))
            .ok_or_else(|| bad("a time of day (HH:MM:SS)", s)),
        (Kind::Boolean, other) => Err(bad("a checkbox", other)),
        (Kind::Date | Kind::DateTime(_), other) => Err(bad("a date", other)),
        (Kind::Time, other) => Err(bad("a time of day (HH:MM:SS)", other)),
        (Kind::Text | Kind::MultiPicklist | Kind::Number | Kind::Scaled(_), other) => {
            Ok(Value::String(other.to_string()))
        }
    }
}

/// The chosen values once each, in one order: Salesforce answers them in the picklist's order
/// whatever order they were sent in.
fn multi_picklist(text: &str) -> Value {
    let mut parts: Vec<&str> = text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    parts.sort_unstable();
    parts.dedup();
    if parts.is_empty() {
        Value::Null
    } else {
        Value::String(parts.join(";"))
    }
}

/// Whether two values of a field of `kind` are the same once both are in canonical form:
/// `1` and `1.0`, `''` and null, or one instant written in two time zones. A value that cannot
/// be read as its kind is compared as it is.
pub fn same(kind: Kind, a: &Value, b: &Value) -> bool {
    let a = canonical(kind, a).unwrap_or_else(|_| a.clone());
    let b = canonical(kind, b).unwrap_or_else(|_| b.clone());
    match (&a, &b) {
        (Value::Number(x), Value::Number(y)) => decimal_of(x) == decimal_of(y),
        _ => a == b,
    }
}

/// The calendar day as written: `2026-03-08T23:30:00-08:00` is the 8th, whatever day it is
/// in UTC at that instant.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Some(t) = parse_with_offset(s) {
        return Some(t.date_naive());
    }
    parse_naive(s).map(|t| t.date())
}

fn parse_with_offset(s: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
}

fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(s, format).ok())
}

/// Salesforce writes `2026-01-02T03:04:05.000+0000`; SQLite's `datetime()` writes
/// `2026-01-02 03:04:05`, which is UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    parse_datetime_in(s, Tz::UTC)
}

/// A datetime with an offset is that instant; one without is a wall-clock time in `zone`. A
/// time that falls twice (when clocks go back) is the earlier; one that never happens (when
/// they go forward) is read an hour on.
pub fn parse_datetime_in(s: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = parse_with_offset(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = parse_naive(s)?;
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// `10:30`, `10:30:00`, `10:30:00.000Z`: a time of day, which Salesforce keeps without a zone.
fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(s, format).ok())
}

/// A canonical value as SQLite stores it: checkboxes as 0/1, whole numbers as integers.
pub fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match decimal_of(n) {
            Some(d) if d.scale() == 0 => {
                i64::try_from(d.units()).map_or_else(|_| fraction_to_sql(n), SqlValue::Integer)
            }
            _ => fraction_to_sql(n),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// A canonical value as the column should get it. A fraction bound as a REAL into a TEXT
/// column would be written with 15 digits; bound as its own text it keeps every digit.
pub fn bind(
    conn: &Connection,
    table: &str,
    column: &str,
    value: &Value,
) -> rusqlite::Result<SqlValue> {
    let sql = to_sql(value);
    if !matches!(sql, SqlValue::Real(_)) {
        return Ok(sql);
    }
    let declared: Option<String> = conn
        .prepare_cached("SELECT type FROM pragma_table_info(?1) WHERE name = ?2")?
        .query_row([table, column], |r| r.get(0))
        .optional()?;
    let declared = declared.unwrap_or_default().to_ascii_uppercase();
    let text_affinity = !declared.contains("INT")
        && ["CHAR", "CLOB", "TEXT"]
            .iter()
            .any(|t| declared.contains(t));
    Ok(if text_affinity {
        SqlValue::Text(value.to_string())
    } else {
        sql
    })
}

/// A canonical value as a Bulk API 2.0 CSV cell: `#N/A` clears a field.
pub fn to_csv_cell(value: &Value) -> String {
    match value {
        Value::Null => "#N/A".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A Bulk API 2.0 CSV cell as JSON before it is given a kind: empty is null.
pub fn from_csv_cell(cell: &str) -> Value {
    if cell.is_empty() {
        Value::Null
    } else {
        Value::String(cell.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_sides_meet_in_one_form() {
        let cases: &[(Kind, Value, Value)] = &[
            (Kind::Boolean, json!(1), json!(true)),
            (Kind::Boolean, json!(0), json!(false)),
            (Kind::Boolean, json!(null), json!(false)),
            (Kind::Boolean, json!("true"), json!(true)),
            (Kind::Text, json!(""), json!(null)),
            (Kind::Text, json!(42), json!("42")),
            (Kind::Number, json!("12.5"), json!(12.5)),
            (Kind::Number, json!(""), json!(null)),
            (Kind::Scaled(2), json!(7039.38 + 2500.0), json!(9539.38)),
            (Kind::Scaled(2), json!("12.345"), json!(12.35)),
            (Kind::Scaled(0), json!(4.4), json!(4)),
            (Kind::Scaled(2), json!(1.005), json!(1.01)),
            (Kind::Scaled(2), json!("-1.005"), json!(-1.01)),
            (
                Kind::Scaled(0),
                json!(12345678901234567i64),
                json!(12345678901234567i64),
            ),
            (
                Kind::Scaled(0),
                json!("12345678901234567"),
                json!(12345678901234567i64),
            ),
            (Kind::Number, json!("1e3"), json!(1000)),
            (Kind::Number, json!("1.50"), json!(1.5)),
            (Kind::Number, json!(111.0), json!(111)),
            (
                Kind::Date,
                json!("2026-03-08T23:30:00-08:00"),
                json!("2026-03-08"),
            ),
            (
                Kind::Date,
                json!("2026-03-08 23:30:00"),
                json!("2026-03-08"),
            ),
            (
                Kind::DateTime(chrono_tz::America::Los_Angeles),
                json!("2026-01-08 23:30:00"),
                json!("2026-01-09T07:30:00.000Z"),
            ),
            (
                Kind::DateTime(chrono_tz::America::Los_Angeles),
                json!("2026-01-08T23:30:00Z"),
                json!("2026-01-08T23:30:00.000Z"),
            ),
            (Kind::Time, json!("10:30"), json!("10:30:00.000Z")),
            (Kind::Time, json!("10:30:00.000Z"), json!("10:30:00.000Z")),
            (
                Kind::MultiPicklist,
                json!("Solar; Batteries;Solar"),
                json!("Batteries;Solar"),
            ),
            (Kind::MultiPicklist, json!(";"), json!(null)),
            (Kind::Scaled(2), json!(null), json!(null)),
            (Kind::Date, json!("2026-01-02"), json!("2026-01-02")),
            (
                Kind::DateTime(Tz::UTC),
                json!("2026-01-02 03:04:05"),
                json!("2026-01-02T03:04:05.000Z"),
            ),
            (
                Kind::DateTime(Tz::UTC),
                json!("2026-01-02T03:04:05.000+0000"),
                json!("2026-01-02T03:04:05.000Z"),
            ),
            (
                Kind::DateTime(Tz::UTC),
                json!("2026-01-02T05:04:05+02:00"),
                json!("2026-01-02T03:04:05.000Z"),
            ),
        ];
        for (kind, input, want) in cases {
            assert_eq!(
                canonical(*kind, input).as_ref(),
                Ok(want),
                "{kind:?} {input}"
            );
        }
    }

    #[test]
    fn values_are_the_same_in_any_form_of_their_kind() {
        let same_cases: &[(Kind, Value, Value)] = &[
            (Kind::Number, json!(1), json!(1.0)),
            (Kind::Number, json!("7"), json!(7.0)),
            (Kind::Scaled(2), json!(0.1 + 0.2), json!(0.3)),
            (Kind::Text, json!(""), json!(null)),
            (Kind::Boolean, json!(null), json!(false)),
            (Kind::Boolean, json!(1), json!(true)),
            (
                Kind::DateTime(Tz::UTC),
                json!("2026-02-03T10:00:00.000Z"),
                json!("2026-02-03T12:00:00.000+0200"),
            ),
            (Kind::Date, json!("2026-02-03"), json!("2026-02-03")),
        ];
        for (kind, a, b) in same_cases {
            assert!(same(*kind, a, b), "{kind:?}: {a} and {b}");
        }
        let different: &[(Kind, Value, Value)] = &[
            (Kind::Number, json!(1), json!(1.5)),
            (Kind::Number, json!(null), json!(0)),
            (Kind::Text, json!("Acme"), json!("acme")),
            (Kind::Boolean, json!(true), json!(false)),
            (
                Kind::DateTime(Tz::UTC),
                json!("2026-02-03T10:00:00.000Z"),
                json!("2026-02-03T10:00:01.000Z"),
            ),
            (Kind::Number, json!("twelve"), json!(12)),
            (
                Kind::Scaled(0),
                json!(12345678901234567i64),
                json!(12345678901234568i64),
            ),
        ];
        for (kind, a, b) in different {
            assert!(!same(*kind, a, b), "{kind:?}: {a} and {b}");
        }
    }

    #[test]
    fn unreadable_values_say_what_was_expected() {
        let cases: &[(Kind, Value, &str)] = &[
            (Kind::Number, json!("twelve"), "a number"),
            (
                Kind::Boolean,
                json!(2),
                "a checkbox (0 or 1, true or false)",
            ),
            (Kind::Date, json!("02/01/2026"), "a date (YYYY-MM-DD)"),
            (
                Kind::DateTime(Tz::UTC),
                json!("yesterday"),
                "a date and time (ISO 8601)",
            ),
        ];
        for (kind, input, expected) in cases {
            let err = canonical(*kind, input).unwrap_err();
            assert_eq!(err.expected, *expected, "{kind:?} {input}");
        }
    }

    #[test]
    fn sqlite_gets_integers_for_whole_numbers_and_checkboxes() {
        assert_eq!(to_sql(&json!(true)), SqlValue::Integer(1));
        assert_eq!(to_sql(&json!(72.0)), SqlValue::Integer(72));
        assert_eq!(to_sql(&json!(72.5)), SqlValue::Real(72.5));
        assert_eq!(to_sql(&json!(null)), SqlValue::Null);
        assert_eq!(to_csv_cell(&json!(null)), "#N/A");
    }
}
