//! `toLabel(f)` and `FORMAT(f)`: a field's value as a user reads it.
//!
//! The sandbox org's user is en_US in the GMT time zone with one currency (USD), so a label is
//! the describe's `label` as recorded, and FORMAT writes numbers with `,` thousands and the
//! field's scale, currency with `$`, dates `M/D/YYYY`, times `h:mm AM` and dateTimes
//! `M/D/YYYY, h:mm AM`, as Salesforce's FORMAT() documentation shows them.

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde_json::Value;

use crate::schema::FieldType;
use crate::values::parse_datetime;

/// How a selected value is rewritten before it is answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Display {
    /// `(value, label)` pairs of the picklist, in describe order.
    Label(Vec<(String, String)>),
    /// FORMAT of a field of this type, numbers with `scale` decimals.
    Format { kind: FieldType, scale: u32 },
}

impl Display {
    /// Whether FORMAT applies to a field of `kind`.
    pub fn formats(kind: FieldType) -> bool {
        use FieldType::*;
        matches!(
            kind,
            Int | Long | Double | Currency | Percent | Date | DateTime | Time
        )
    }

    /// Whether toLabel applies to a field of `kind`.
    pub fn labels(kind: FieldType) -> bool {
        matches!(kind, FieldType::Picklist | FieldType::Multipicklist)
    }

    pub fn apply(&self, value: &Value) -> Value {
        match self {
            Display::Label(pairs) => match value.as_str() {
                Some(text) => Value::String(label_of(pairs, text)),
                None => value.clone(),
            },
            Display::Format { kind, scale } => format_value(*kind, *scale, value)
                .map(Value::String)
                .unwrap_or_else(|| value.clone()),
        }
    }
}

/// The label of each `;`-separated value; a value no longer in the picklist reads as itself.
fn label_of(pairs: &[(String, String)], text: &str) -> String {
    text.split(';')
        .map(|one| {
            pairs
                .iter()
                .find(|(value, _)| value == one)
                .map(|(_, label)| label.as_str())
                .unwrap_or(one)
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The picklist values whose label is `label` (case-insensitive), for `WHERE toLabel(f) = …`.
pub fn values_labelled<'a>(pairs: &'a [(String, String)], label: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(_, l)| l.eq_ignore_ascii_case(label))
        .map(|(v, _)| v.as_str())
        .collect()
}

fn format_value(kind: FieldType, scale: u32, value: &Value) -> Option<String> {
    use FieldType::*;
    match kind {
        Int | Long | Double => value.as_f64().map(|n| grouped(n, scale)),
        Percent => value.as_f64().map(|n| format!("{}%", grouped(n, scale))),
        Currency => value.as_f64().map(|n| {
            let sign = if n < 0.0 { "-" } else { "" };
            format!("{sign}${}", grouped(n.abs(), scale))
        }),
        Date => {
            let date = NaiveDate::parse_from_str(value.as_str()?, "%Y-%m-%d").ok()?;
            Some(short_date(date))
        }
        DateTime => {
            let at = parse_datetime(value.as_str()?)?;
            Some(format!(
                "{}, {}",
                short_date(at.date_naive()),
                short_time(at.time())
            ))
        }
        Time => {
            let text = value.as_str()?.trim_end_matches('Z');
            let time = NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
                .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
                .ok()?;
            Some(short_time(time))
        }
        _ => None,
    }
}

fn short_date(date: NaiveDate) -> String {
    date.format("%-m/%-d/%Y").to_string()
}

fn short_time(time: NaiveTime) -> String {
    let (pm, hour) = time.hour12();
    let half = if pm { "PM" } else { "AM" };
    format!("{hour}:{:02} {half}", time.minute())
}

/// `1234567.5` with scale 2: `1,234,567.50`.
pub fn grouped(n: f64, scale: u32) -> String {
    // Halves round away from zero, as the user interface shows them ($1,201 for 1200.5).
    let factor = 10f64.powi(scale as i32);
    let fixed = format!("{:.*}", scale as usize, (n.abs() * factor).round() / factor);
    let (whole, fraction) = match fixed.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (fixed.clone(), None),
    };
    let mut out = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(&fraction);
    }
    let negative = n < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn format_writes_values_as_an_en_us_user_reads_them() {
        let cases: &[(FieldType, u32, Value, &str)] = &[
            (FieldType::Currency, 2, json!(44000), "$44,000.00"),
            (FieldType::Currency, 2, json!(1200.5), "$1,200.50"),
            (FieldType::Currency, 2, json!(-7.25), "-$7.25"),
            (FieldType::Int, 0, json!(1234567), "1,234,567"),
            (FieldType::Double, 2, json!(999.999), "1,000.00"),
            (FieldType::Currency, 0, json!(1200.5), "$1,201"),
            (FieldType::Currency, 0, json!(0.5), "$1"),
            (FieldType::Percent, 2, json!(12.5), "12.50%"),
            (FieldType::Date, 0, json!("2015-12-28"), "12/28/2015"),
            (
                FieldType::DateTime,
                0,
                json!("2025-04-10T15:31:37.000+0000"),
                "4/10/2025, 3:31 PM",
            ),
            (
                FieldType::DateTime,
                0,
                json!("2015-07-02T00:11:00.000+0000"),
                "7/2/2015, 12:11 AM",
            ),
            (FieldType::Time, 0, json!("09:05:00.000Z"), "9:05 AM"),
        ];
        for (kind, scale, value, shown) in cases {
            let display = Display::Format {
                kind: *kind,
                scale: *scale,
            };
            assert_eq!(display.apply(value), json!(shown), "{kind:?} {value}");
        }
        let currency = Display::Format {
            kind: FieldType::Currency,
            scale: 2,
        };
        assert_eq!(currency.apply(&Value::Null), Value::Null);
    }

    #[test]
    fn to_label_reads_each_value_label_and_keeps_unknown_values() {
        let pairs = vec![
            ("Prospect".to_string(), "Prospect".to_string()),
            ("Other".to_string(), "Something else".to_string()),
        ];
        let label = Display::Label(pairs.clone());
        assert_eq!(label.apply(&json!("Other")), json!("Something else"));
        assert_eq!(label.apply(&json!("Retired")), json!("Retired"));
        assert_eq!(
            label.apply(&json!("Prospect;Other")),
            json!("Prospect;Something else")
        );
        assert_eq!(label.apply(&Value::Null), Value::Null);
        assert_eq!(values_labelled(&pairs, "something ELSE"), vec!["Other"]);
    }
}
