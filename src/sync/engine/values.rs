//! One canonical form per Salesforce field type, so that a local value and a remote value can
//! be compared: `1` in SQLite and `true` from Salesforce are the same checkbox, `''` and null
//! are the same empty text, and `2026-01-02 03:04:05` is `2026-01-02T03:04:05.000Z`.
//!
//! Without this, a value that only looks different would be pushed and pulled forever.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Number, Value};

use crate::salesforce::ObjectDescribe;

/// How a field's values are compared and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Boolean,
    Number,
    /// A number that Salesforce rounds to this many decimal places when it saves it.
    Scaled(u32),
    Date,
    DateTime,
}

impl Kind {
    pub fn of(salesforce_type: &str) -> Kind {
        match salesforce_type {
            "boolean" => Kind::Boolean,
            "double" | "currency" | "percent" | "int" | "long" => Kind::Number,
            "date" => Kind::Date,
            "datetime" => Kind::DateTime,
            _ => Kind::Text,
        }
    }
}

/// Field kinds of an object by API name; parent references (`Account.X__c`) are text.
pub fn kinds(describe: &ObjectDescribe) -> HashMap<String, Kind> {
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
                // Beyond 15 places an f64 holds no more digits to round.
                (Kind::Number, Some(scale)) if scale <= 15 => Kind::Scaled(scale),
                (kind, _) => kind,
            };
            (f.name.clone(), kind)
        })
        .collect()
}

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

/// The canonical form of a value of `kind`, from either side.
pub fn canonical(kind: Kind, value: &Value) -> Result<Value, BadValue> {
    if let Kind::Scaled(scale) = kind {
        // Salesforce keeps `0.1 + 0.2` in a two-place field as 0.30: compared unrounded, the
        // local value would differ from the saved one and be pushed again on every run.
        return canonical(Kind::Number, value).map(|v| match v.as_f64() {
            Some(f) => {
                let factor = 10f64.powi(i32::try_from(scale).unwrap_or(15));
                Number::from_f64((f * factor).round() / factor).map_or(v, Value::Number)
            }
            None => v,
        });
    }
    match (kind, value) {
        (_, Value::Null) => Ok(if kind == Kind::Boolean {
            Value::Bool(false)
        } else {
            Value::Null
        }),
        (Kind::Text, Value::String(s)) if s.is_empty() => Ok(Value::Null),
        (Kind::Text, Value::String(_)) => Ok(value.clone()),
        (Kind::Text, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (Kind::Text, Value::Bool(b)) => Ok(Value::String(b.to_string())),
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
        (Kind::Number, Value::Number(_)) => Ok(value.clone()),
        (Kind::Number, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::Number, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("a number", s)),
        (Kind::Date, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::Date, Value::String(s)) => parse_date(s)
            .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
            .ok_or_else(|| bad("a date (YYYY-MM-DD)", s)),
        (Kind::DateTime, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::DateTime, Value::String(s)) => parse_datetime(s)
            .map(|t| Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true)))
            .ok_or_else(|| bad("a date and time (ISO 8601)", s)),
        (Kind::Boolean, other) => Err(bad("a checkbox", other)),
        (Kind::Number | Kind::Scaled(_), other) => Err(bad("a number", other)),
        (Kind::Date | Kind::DateTime, other) => Err(bad("a date", other)),
        (Kind::Text, other) => Ok(Value::String(other.to_string())),
    }
}

/// Whether two values of a field of `kind` are the same once both are in canonical form:
/// `1` and `1.0`, `''` and null, or one instant written in two time zones. A value that cannot
/// be read as its kind is compared as it is.
pub fn same(kind: Kind, a: &Value, b: &Value) -> bool {
    let a = canonical(kind, a).unwrap_or_else(|_| a.clone());
    let b = canonical(kind, b).unwrap_or_else(|_| b.clone());
    match (&a, &b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_datetime(s).map(|t| t.date_naive()))
}

/// Salesforce writes `2026-01-02T03:04:05.000+0000`; SQLite's `datetime()` writes
/// `2026-01-02 03:04:05`, which is UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc());
        }
    }
    None
}

/// A canonical value as SQLite stores it: checkboxes as 0/1, whole numbers as integers.
pub fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => SqlValue::Integer(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => SqlValue::Integer(f as i64),
            (None, Some(f)) => SqlValue::Real(f),
            (None, None) => SqlValue::Null,
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
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
            (Kind::Scaled(0), json!(4.4), json!(4.0)),
            (Kind::Scaled(2), json!(null), json!(null)),
            (Kind::Date, json!("2026-01-02"), json!("2026-01-02")),
            (
                Kind::DateTime,
                json!("2026-01-02 03:04:05"),
                json!("2026-01-02T03:04:05.000Z"),
            ),
            (
                Kind::DateTime,
                json!("2026-01-02T03:04:05.000+0000"),
                json!("2026-01-02T03:04:05.000Z"),
            ),
            (
                Kind::DateTime,
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
                Kind::DateTime,
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
                Kind::DateTime,
                json!("2026-02-03T10:00:00.000Z"),
                json!("2026-02-03T10:00:01.000Z"),
            ),
            (Kind::Number, json!("twelve"), json!(12)),
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
                Kind::DateTime,
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
