//! Wire values: turning what a client sends into what a real org stores, with its errors.
//!
//! Dates stay `YYYY-MM-DD` exactly as sent (no time-zone shift), datetimes are kept in UTC to
//! the millisecond and answered as `2024-01-31T10:00:00.000+0000`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde_json::{Number, Value};

use crate::error::SfError;
use crate::schema::{FieldDef, FieldType};
use tether_decimal::{Decimal, parse_decimal};

/// The datetime format of every response body.
pub fn format_datetime_ms(ms: i64) -> String {
    let dt = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    dt.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// Parses the datetime forms clients send: `Z`, `+hh:mm`, `+hhmm`, with or without
/// fractional seconds, and a bare local form taken as UTC.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    None
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "VALUE_NULL",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(n) if n.is_f64() => "VALUE_NUMBER_FLOAT",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn deserialize_error(field: &FieldDef, type_name: &str, v: &Value) -> SfError {
    let shown = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    SfError::new(
        "JSON_PARSER_ERROR",
        format!(
            "Cannot deserialize instance of {type_name} from {} value {shown} or request may be missing a required field",
            json_kind(v)
        ),
    )
    .with_fields([field.name.clone()])
}

fn too_long(field: &FieldDef, text: &str) -> SfError {
    SfError::new(
        "STRING_TOO_LONG",
        format!(
            "{}: data value too large: {} (max length={})",
            field.label, text, field.length
        ),
    )
    .with_fields([field.name.clone()])
}

fn check_length(field: &FieldDef, text: &str) -> Result<(), SfError> {
    if field.length > 0 && text.chars().count() > field.length as usize {
        return Err(too_long(field, text));
    }
    Ok(())
}

fn outside_range(field: &FieldDef, v: &Value) -> SfError {
    SfError::new(
        "NUMBER_OUTSIDE_VALID_RANGE",
        format!(
            "{}: value outside of valid range on numeric field: {}",
            field.label, v
        ),
    )
    .with_fields([field.name.clone()])
}

/// A client's number as an exact decimal: a real org stores numbers as decimals, so
/// `12345678901234567` stays itself and `1.005` rounds to `1.01` at two places.
fn decimal_from(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    parse_decimal(&text)
}

/// Salesforce answers numbers of double, currency and percent fields as doubles (`23.0`); a
/// number no double holds (a whole number past 2^53, a fraction of 16 to 18 digits) it answers
/// with all its digits, as it stores them.
pub fn number_value(d: Decimal) -> Value {
    let as_double = Number::from_f64(d.to_f64());
    if let Some(n) = as_double.filter(|n| parse_decimal(&n.to_string()) == Some(d)) {
        return Value::Number(n);
    }
    d.to_string()
        .parse::<Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A time of day as the API answers it, `10:30:00.000Z`.
fn time_value(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
        .map(|t| format!("{}Z", t.format("%H:%M:%S%.3f")))
}

/// A multi-select picklist's values once each, in the picklist's order (values it does not
/// define after them, as sent): the order a real org answers them in.
fn multi_picklist_value(field: &FieldDef, s: &str) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        if !chosen.contains(&part) {
            chosen.push(part);
        }
    }
    let position = |v: &str| {
        field
            .picklist
            .iter()
            .position(|p| p.value == v)
            .unwrap_or(usize::MAX)
    };
    chosen.sort_by_key(|v| position(v));
    chosen.join(";")
}

/// Converts a client value for a non-reference field to the stored wire value.
/// `Ok(Value::Null)` clears the field. References are resolved by the store.
pub fn coerce(field: &FieldDef, v: &Value) -> Result<Value, SfError> {
    if v.is_null() {
        return Ok(if field.kind == FieldType::Boolean {
            Value::Bool(false)
        } else {
            Value::Null
        });
    }
    use FieldType::*;
    match field.kind {
        Boolean => match v {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(deserialize_error(field, "boolean", v)),
        },
        Int | Long => {
            let d = decimal_from(v).ok_or_else(|| deserialize_error(field, "int", v))?;
            if d.scale() != 0 {
                return Err(deserialize_error(field, "int", v));
            }
            let max_digits = if field.digits > 0 { field.digits } else { 18 };
            let i = i64::try_from(d.units()).map_err(|_| outside_range(field, v))?;
            if d.whole_digits() > max_digits {
                return Err(outside_range(field, v));
            }
            Ok(Value::Number(Number::from(i)))
        }
        Currency | Double | Percent => {
            let d = decimal_from(v).ok_or_else(|| deserialize_error(field, "double", v))?;
            let d = d.rescale(field.scale).value;
            let integer_digits = field.precision.saturating_sub(field.scale);
            if field.precision > 0 && d.whole_digits() > integer_digits {
                return Err(outside_range(field, v));
            }
            Ok(number_value(d))
        }
        Date => {
            let s = v.as_str().ok_or_else(|| deserialize_error(field, "date", v))?;
            let d = parse_date(s).ok_or_else(|| deserialize_error(field, "date", v))?;
            Ok(Value::String(d.format("%Y-%m-%d").to_string()))
        }
        DateTime => {
            let s = v.as_str().ok_or_else(|| deserialize_error(field, "datetime", v))?;
            let dt = parse_datetime(s).ok_or_else(|| deserialize_error(field, "datetime", v))?;
            Ok(Value::String(format_datetime_ms(dt.timestamp_millis())))
        }
        Time => {
            let s = v.as_str().ok_or_else(|| deserialize_error(field, "time", v))?;
            time_value(s)
                .map(Value::String)
                .ok_or_else(|| deserialize_error(field, "time", v))
        }
        Picklist | Multipicklist => {
            let s = text_of(field, v)?;
            check_length(field, &s)?;
            if field.restricted_picklist {
                let values: Vec<&str> = if field.kind == Multipicklist {
                    s.split(';').map(str::trim).collect()
                } else {
                    vec![s.as_str()]
                };
                if let Some(bad) = values.iter().find(|x| !field.is_active_picklist_value(x)) {
                    return Err(SfError::new(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        format!("{}: bad value for restricted picklist field: {}", field.label, bad),
                    )
                    .with_fields([field.name.clone()]));
                }
            }
            if field.kind == Multipicklist {
                return Ok(Value::String(multi_picklist_value(field, &s)));
            }
            Ok(Value::String(s))
        }
        Email => {
            let s = text_of(field, v)?;
            check_length(field, &s)?;
            if !looks_like_email(&s) {
                return Err(SfError::new(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {}", field.label, s),
                )
                .with_fields([field.name.clone()]));
            }
            Ok(Value::String(s))
        }
        Address | Location | Base64 | AnyType => Err(SfError::new(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!("Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", field.name),
        )
        .with_fields([field.name.clone()])),
        _ => {
            let s = text_of(field, v)?;
            check_length(field, &s)?;
            Ok(Value::String(s))
        }
    }
}

fn text_of(field: &FieldDef, v: &Value) -> Result<String, SfError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(deserialize_error(field, "string", v)),
    }
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;
    use serde_json::json;

    fn field(object: &str, name: &str) -> FieldDef {
        Schema::standard()
            .unwrap()
            .object(object)
            .unwrap()
            .field(name)
            .unwrap()
            .clone()
    }

    #[test]
    fn values_are_coerced_as_a_real_org_stores_them() {
        let cases: &[(&str, &str, Value, Value)] = &[
            ("Opportunity", "Amount", json!("1200.505"), json!(1200.51)),
            ("Opportunity", "Amount", json!(5), json!(5.0)),
            (
                "Opportunity",
                "CloseDate",
                json!("2024-03-04"),
                json!("2024-03-04"),
            ),
            ("Account", "Name", json!(42), json!("42")),
            ("Account", "NumberOfEmployees", json!("12"), json!(12)),
            ("Lead", "V4_Deprioritize__c", json!(null), json!(false)),
            ("Lead", "V4_Deprioritize__c", json!("TRUE"), json!(true)),
            (
                "Lead",
                "Lead_Scored_At__c",
                json!("2024-01-31T10:00:00+02:00"),
                json!("2024-01-31T08:00:00.000+0000"),
            ),
            (
                "Lead",
                "Lead_Scored_At__c",
                json!("2024-01-31T10:00:00.123Z"),
                json!("2024-01-31T10:00:00.123+0000"),
            ),
            (
                "Account",
                "Health_Trend__c",
                json!("Growing"),
                json!("Growing"),
            ),
        ];
        for (object, name, input, want) in cases {
            assert_eq!(
                &coerce(&field(object, name), input).unwrap(),
                want,
                "{object}.{name} <- {input}"
            );
        }
    }

    #[test]
    fn bad_values_get_the_org_error_codes() {
        let cases: &[(&str, &str, Value, &str)] = &[
            (
                "Opportunity",
                "Name",
                json!("x".repeat(121)),
                "STRING_TOO_LONG",
            ),
            (
                "Opportunity",
                "CloseDate",
                json!("03/04/2024"),
                "JSON_PARSER_ERROR",
            ),
            ("Opportunity", "Amount", json!("lots"), "JSON_PARSER_ERROR"),
            (
                "Opportunity",
                "Amount",
                json!(1e20),
                "NUMBER_OUTSIDE_VALID_RANGE",
            ),
            (
                "Account",
                "Health_Trend__c",
                json!("Up"),
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ),
            (
                "Contact",
                "Email",
                json!("not-an-email"),
                "INVALID_EMAIL_ADDRESS",
            ),
            (
                "Account",
                "NumberOfEmployees",
                json!(1.5),
                "JSON_PARSER_ERROR",
            ),
            (
                "Lead",
                "V4_Deprioritize__c",
                json!("maybe"),
                "JSON_PARSER_ERROR",
            ),
            (
                "Account",
                "BillingAddress",
                json!({}),
                "INVALID_FIELD_FOR_INSERT_UPDATE",
            ),
        ];
        for (object, name, input, code) in cases {
            let err = coerce(&field(object, name), input).unwrap_err();
            assert_eq!(
                err.code, *code,
                "{object}.{name} <- {input}: {}",
                err.message
            );
            assert!(err.fields.iter().any(|f| f == name), "{err:?}");
        }
    }

    #[test]
    fn datetimes_format_to_the_millisecond() {
        assert_eq!(
            format_datetime_ms(1_706_695_200_123),
            "2024-01-31T10:00:00.123+0000"
        );
    }
}
