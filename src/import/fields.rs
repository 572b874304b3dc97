//! What the importer knows of a Salesforce field, from describe, and how one cell becomes its
//! value: pure, so each rule is tested on its own.

use std::collections::HashMap;

use chrono::{FixedOffset, SecondsFormat, Utc};
use serde_json::{Number, Value};

use super::mapping::Formats;
use super::parse::{
    BlankMeans, DateFormat, NumberLocale, PercentTarget, Rounding, fit_to_field, parse_boolean,
};
use crate::salesforce::FieldDescribe;

#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    Text {
        max_len: usize,
    },
    Email {
        max_len: usize,
    },
    Picklist {
        values: Vec<String>,
        multi: bool,
        /// Salesforce refuses a value the list does not have; an unrestricted picklist keeps
        /// it as an inactive value.
        restricted: bool,
    },
    Boolean,
    Number {
        precision: u32,
        scale: u32,
        percent: bool,
    },
    Date,
    DateTime,
    /// A record Id (a reference or Id field written as an Id).
    Id,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    pub label: String,
    pub kind: FieldType,
    /// Salesforce refuses to create a record without it.
    pub required: bool,
    pub createable: bool,
    pub updateable: bool,
    pub external_id: bool,
    pub reference_to: Vec<String>,
}

impl FieldSpec {
    pub fn from_describe(field: &FieldDescribe) -> FieldSpec {
        let number = |key: &str| {
            field
                .other
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0)
        };
        let max_len = if field.length == 0 {
            usize::MAX
        } else {
            field.length as usize
        };
        let kind = match field.field_type.as_str() {
            "boolean" => FieldType::Boolean,
            "int" => FieldType::Number {
                precision: number("digits").max(9),
                scale: 0,
                percent: false,
            },
            "double" | "currency" | "percent" => FieldType::Number {
                precision: match number("precision") {
                    0 => 18,
                    p => p,
                },
                scale: number("scale"),
                percent: field.field_type == "percent",
            },
            "long" => FieldType::Number {
                precision: 18,
                scale: 0,
                percent: false,
            },
            "date" => FieldType::Date,
            "datetime" => FieldType::DateTime,
            "picklist" | "multipicklist" => FieldType::Picklist {
                values: field.active_picklist_values(),
                multi: field.field_type == "multipicklist",
                restricted: field.flag("restrictedPicklist"),
            },
            "email" => FieldType::Email { max_len },
            "reference" | "id" => FieldType::Id,
            _ => FieldType::Text { max_len },
        };
        let createable = field.flag("createable");
        FieldSpec {
            name: field.name.clone(),
            label: field.label.clone(),
            kind,
            required: field.required_on_create(),
            createable,
            updateable: field.updateable,
            external_id: field.external_id,
            reference_to: field.reference_to.clone(),
        }
    }

    /// `Close Date (CloseDate)`: how messages name a field.
    pub fn named(&self) -> String {
        if self.label.is_empty() || self.label == self.name {
            self.name.clone()
        } else {
            format!("{} ({})", self.label, self.name)
        }
    }
}

/// How one column's cells are read.
#[derive(Debug, Clone)]
pub struct CellRules {
    pub date: DateFormat,
    pub number: NumberLocale,
    pub blank_checkbox: BlankMeans,
    pub zone: FixedOffset,
    pub rounding: Rounding,
    /// Lower-cased, trimmed cell → value.
    pub values: HashMap<String, String>,
    pub default: Option<String>,
    /// An unrestricted picklist's column keeps values its list does not have.
    pub keep_unlisted: bool,
}

impl CellRules {
    pub fn new(formats: &Formats, zone: FixedOffset) -> CellRules {
        CellRules {
            date: formats.date,
            number: formats.number,
            blank_checkbox: formats.blank_checkbox,
            zone,
            rounding: if formats.round_numbers {
                Rounding::Round
            } else {
                Rounding::Refuse
            },
            values: HashMap::new(),
            default: None,
            keep_unlisted: false,
        }
    }

    /// The cell after the value map and the default: what is read.
    pub fn effective<'a>(&'a self, cell: &'a str) -> &'a str {
        let trimmed = cell.trim();
        if trimmed.is_empty() {
            return self.default.as_deref().unwrap_or("");
        }
        if self.values.is_empty() {
            return cell;
        }
        self.values
            .get(&trimmed.to_lowercase())
            .map_or(cell, String::as_str)
    }
}

/// Reads `cell` as a value of `field`. `Ok(None)` is a blank cell (the field is left out).
/// Errors are sentences about the value, for the row report.
pub fn read_cell(
    field: &FieldSpec,
    rules: &CellRules,
    cell: &str,
) -> Result<Option<Value>, String> {
    let text = rules.effective(cell);
    let value = text.trim();
    if value.is_empty() && field.kind != FieldType::Boolean {
        return Ok(None);
    }
    match &field.kind {
        FieldType::Text { max_len } => text_value(field, text, *max_len).map(Some),
        FieldType::Email { max_len } => {
            let ok = value
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                && !value.contains(char::is_whitespace);
            if !ok {
                return Err(format!(
                    "`{value}` is not an email address for {}; write it like name@example.com",
                    field.named()
                ));
            }
            text_value(field, value, *max_len).map(Some)
        }
        FieldType::Picklist {
            values,
            multi,
            restricted,
        } => {
            let parts: Vec<&str> = if *multi {
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect()
            } else {
                vec![value]
            };
            let mut chosen = Vec::with_capacity(parts.len());
            for part in parts {
                match values.iter().find(|v| {
                    v.eq_ignore_ascii_case(part) || v.to_lowercase() == part.to_lowercase()
                }) {
                    Some(known) => chosen.push(known.clone()),
                    None if rules.keep_unlisted && !restricted => {
                        text_value(field, part, PICKLIST_VALUE_MAX_LEN)?;
                        chosen.push(part.to_string());
                    }
                    None => return Err(not_in_picklist(field, part, values, *restricted)),
                }
            }
            Ok(Some(Value::String(chosen.join(";"))))
        }
        FieldType::Boolean => parse_boolean(value, rules.blank_checkbox)
            .map(|b| b.map(Value::Bool))
            .map_err(|e| format!("{} for {}", e, field.named())),
        FieldType::Number {
            precision,
            scale,
            percent,
        } => {
            let amount = match rules.number.parse(value) {
                Ok(Some(amount)) => amount,
                Ok(None) => return Ok(None),
                Err(e) => return Err(format!("{e} ({})", field.named())),
            };
            if amount.percent && !percent {
                return Err(format!(
                    "`{value}` is a percentage, but {} is not a percent field; remove the %, or map the column to a percent field",
                    field.named()
                ));
            }
            let decimal = amount.value_for(PercentTarget::Points);
            let fitted = fit_to_field(decimal, *precision, *scale, rules.rounding)
                .map_err(|e| format!("{e} ({})", field.named()))?;
            let number = fitted.value.to_string();
            number
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(|n| Some(Value::Number(n)))
                .ok_or_else(|| {
                    format!("`{value}` cannot be sent as a number for {}", field.named())
                })
        }
        FieldType::Date => match rules.date.parse_date(value) {
            Ok(Some(date)) => Ok(Some(Value::String(date.format("%Y-%m-%d").to_string()))),
            Ok(None) => Ok(None),
            Err(e) => Err(format!("{e} ({})", field.named())),
        },
        FieldType::DateTime => match rules.date.parse_datetime(value, rules.zone) {
            Ok(Some(moment)) => Ok(Some(Value::String(
                moment
                    .with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Millis, true),
            ))),
            Ok(None) => Ok(None),
            Err(e) => Err(format!("{e} ({})", field.named())),
        },
        FieldType::Id => match crate::salesforce::check_id(value) {
            Ok(_) => Ok(Some(Value::String(value.to_string()))),
            Err(e) => Err(format!(
                "`{}` is not a Salesforce Id for {} ({}); map the column as a lookup to find the record by name",
                e.shown,
                field.named(),
                e.reason()
            )),
        },
    }
}

fn text_value(field: &FieldSpec, text: &str, max_len: usize) -> Result<Value, String> {
    let length = text.chars().count();
    if length > max_len {
        return Err(format!(
            "the value is {length} characters long, and {} holds at most {max_len}; shorten it",
            field.named()
        ));
    }
    Ok(Value::String(text.to_string()))
}

/// The longest value a picklist's list holds.
const PICKLIST_VALUE_MAX_LEN: usize = 255;

fn not_in_picklist(field: &FieldSpec, value: &str, values: &[String], restricted: bool) -> String {
    const SHOWN: usize = 12;
    let mut known = values
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > SHOWN {
        known.push_str(&format!(" and {} more", values.len() - SHOWN));
    }
    if restricted {
        format!(
            "`{value}` is not a {} value; add it to the column's value map, or use one of: {known}",
            field.named()
        )
    } else {
        format!(
            "`{value}` is not a {} value; add it to the column's value map, use one of: {known}, or let the column keep values the list does not have",
            field.named()
        )
    }
}

/// Reads `+01:00`, `-05:30`, `Z` or `UTC`.
pub fn parse_zone(text: &str) -> Option<FixedOffset> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") || t.is_empty() {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse::{DateOrder, DateSeparator};

    fn spec(kind: FieldType) -> FieldSpec {
        FieldSpec {
            name: "F__c".into(),
            label: "F".into(),
            kind,
            required: false,
            createable: true,
            updateable: true,
            external_id: false,
            reference_to: Vec::new(),
        }
    }

    fn rules() -> CellRules {
        let formats = Formats {
            date: DateFormat::Ordered {
                order: DateOrder::MonthDayYear,
                separator: DateSeparator::Slash,
            },
            ..Formats::default()
        };
        CellRules::new(&formats, FixedOffset::east_opt(3600).unwrap())
    }

    #[test]
    fn cells_read_as_their_field_types() {
        let amount = FieldType::Number {
            precision: 18,
            scale: 2,
            percent: false,
        };
        let stage = FieldType::Picklist {
            values: vec!["Prospecting".into(), "Closed Won".into()],
            multi: false,
            restricted: false,
        };
        type Case<'a> = (FieldType, &'a str, Result<Option<Value>, &'a str>);
        let cases: Vec<Case> = vec![
            (
                amount.clone(),
                "$1,200.50",
                Ok(Some(serde_json::json!(1200.5))),
            ),
            (amount.clone(), "(500)", Ok(Some(serde_json::json!(-500.0)))),
            (amount.clone(), "  ", Ok(None)),
            (
                amount.clone(),
                "TBD",
                Err("does not fit the English number format"),
            ),
            (amount.clone(), "1.005", Err("more decimal places")),
            (
                FieldType::Date,
                "03/04/2024",
                Ok(Some(serde_json::json!("2024-03-04"))),
            ),
            (FieldType::Date, "02/30/2023", Err("not a date")),
            (
                FieldType::DateTime,
                "03/04/2024 14:30",
                Ok(Some(serde_json::json!("2024-03-04T13:30:00.000Z"))),
            ),
            (
                stage.clone(),
                "closed won",
                Ok(Some(serde_json::json!("Closed Won"))),
            ),
            (stage.clone(), "Wonn", Err("`Wonn` is not a F (F__c) value")),
            (
                FieldType::Text { max_len: 3 },
                "abcd",
                Err("4 characters long, and F (F__c) holds at most 3"),
            ),
            (FieldType::Text { max_len: 3 }, "=1+1", Err("4 characters")),
            (
                FieldType::Text { max_len: 4 },
                "=1+1",
                Ok(Some(serde_json::json!("=1+1"))),
            ),
            (
                FieldType::Email { max_len: 80 },
                "a@b.example",
                Ok(Some(serde_json::json!("a@b.example"))),
            ),
            (
                FieldType::Email { max_len: 80 },
                "a at b",
                Err("not an email address"),
            ),
            (FieldType::Boolean, "x", Ok(Some(serde_json::json!(true)))),
            (FieldType::Boolean, "", Ok(None)),
            (FieldType::Boolean, "maybe", Err("not a yes/no value")),
            (
                FieldType::Id,
                "001000000000001AAA",
                Ok(Some(serde_json::json!("001000000000001AAA"))),
            ),
            (FieldType::Id, "Acme", Err("not a Salesforce Id")),
        ];
        for (kind, cell, expected) in cases {
            let got = read_cell(&spec(kind.clone()), &rules(), cell);
            match (&got, &expected) {
                (Ok(g), Ok(e)) => assert_eq!(g, e, "{kind:?} {cell:?}"),
                (Err(g), Err(e)) => assert!(g.contains(e), "{kind:?} {cell:?}: {g}"),
                _ => panic!("{kind:?} {cell:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn value_maps_and_defaults_apply_before_reading() {
        let stage = spec(FieldType::Picklist {
            values: vec!["Closed Won".into()],
            multi: false,
            restricted: false,
        });
        let mut rules = rules();
        rules.values.insert("won".into(), "Closed Won".into());
        rules.default = Some("Closed Won".into());
        assert_eq!(
            read_cell(&stage, &rules, " WON").unwrap(),
            Some(serde_json::json!("Closed Won"))
        );
        assert_eq!(
            read_cell(&stage, &rules, "").unwrap(),
            Some(serde_json::json!("Closed Won"))
        );
    }

    /// Values a picklist's list does not have: refused unless the column keeps them, and
    /// never kept for a restricted picklist, which Salesforce would refuse.
    #[test]
    fn unlisted_picklist_values_are_kept_only_when_asked_and_allowed() {
        let picklist = |restricted, multi| {
            spec(FieldType::Picklist {
                values: vec!["Web".into(), "Phone".into()],
                multi,
                restricted,
            })
        };
        let long = "x".repeat(256);
        for (restricted, multi, keep, cell, expected) in [
            (
                false,
                false,
                false,
                "Trade show",
                Err("use one of: Web, Phone, or let the column keep values the list does not have"),
            ),
            (false, false, true, "Trade show", Ok("Trade show")),
            (false, false, true, " web ", Ok("Web")),
            (false, true, true, "web; Trade show", Ok("Web;Trade show")),
            (
                true,
                false,
                true,
                "Trade show",
                Err("add it to the column's value map, or use one of: Web, Phone"),
            ),
            (
                false,
                false,
                true,
                long.as_str(),
                Err("256 characters long"),
            ),
        ] {
            let mut rules = rules();
            rules.keep_unlisted = keep;
            let got = read_cell(&picklist(restricted, multi), &rules, cell);
            match (&got, expected) {
                (Ok(Some(g)), Ok(e)) => assert_eq!(g, &serde_json::json!(e), "{cell}"),
                (Err(g), Err(e)) => assert!(g.contains(e), "{cell}: {g}"),
                _ => panic!("{cell}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn zones_are_read_as_offsets() {
        assert_eq!(parse_zone("Z"), FixedOffset::east_opt(0));
        assert_eq!(parse_zone("+05:30"), FixedOffset::east_opt(19800));
        assert_eq!(parse_zone("-08:00"), FixedOffset::east_opt(-28800));
        assert_eq!(parse_zone("Europe/Berlin"), None);
    }
}
