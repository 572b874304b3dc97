//! Filters by field, `Field operator value`, checked against the field's type and written as
//! SOQL with the value quoted and escaped as that type wants.

use super::BrowseError;
use super::catalog::{Catalog, Column, FieldKind};
use crate::salesforce::soql_text::{check_id, quote};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equals,
    NotEquals,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    /// Contains the text.
    Like,
    /// Starts with the text.
    Starts,
}

impl Operator {
    pub const ALL: [Operator; 8] = [
        Operator::Equals,
        Operator::NotEquals,
        Operator::Less,
        Operator::LessOrEqual,
        Operator::Greater,
        Operator::GreaterOrEqual,
        Operator::Like,
        Operator::Starts,
    ];

    pub fn parse(text: &str) -> Option<Operator> {
        Some(match text.to_ascii_lowercase().as_str() {
            "=" | "==" => Operator::Equals,
            "!=" | "<>" => Operator::NotEquals,
            "<" => Operator::Less,
            "<=" => Operator::LessOrEqual,
            ">" => Operator::Greater,
            ">=" => Operator::GreaterOrEqual,
            "like" | "contains" => Operator::Like,
            "starts" => Operator::Starts,
            _ => return None,
        })
    }

    /// As a filter is written.
    pub fn text(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
            Operator::Like => "like",
            Operator::Starts => "starts",
        }
    }

    fn allowed(self, kind: FieldKind) -> bool {
        use Operator::*;
        match kind {
            FieldKind::Text => true,
            FieldKind::Id | FieldKind::Boolean => matches!(self, Equals | NotEquals),
            FieldKind::Number | FieldKind::Date | FieldKind::DateTime => {
                !matches!(self, Like | Starts)
            }
            FieldKind::Other => false,
        }
    }
}

/// One filter as typed: `Industry = Energy`, `Amount >= 1000`, `Owner.Name like smith`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: String,
    pub operator: String,
    /// `null` (unquoted) matches an empty field; quotes around a value are dropped.
    pub value: String,
}

impl Filter {
    /// Reads `Field operator value`; the spaces around the operator may be left out.
    pub fn parse(text: &str) -> Result<Filter, BrowseError> {
        let shape = || BrowseError::FilterShape {
            text: text.to_string(),
        };
        let trimmed = text.trim();
        let field_end = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .ok_or_else(shape)?;
        let field = &trimmed[..field_end];
        let rest = trimmed[field_end..].trim_start();
        let op_end = if rest.starts_with(['=', '!', '<', '>']) {
            rest.find(|c: char| !matches!(c, '=' | '!' | '<' | '>'))
                .unwrap_or(rest.len())
        } else {
            rest.find(char::is_whitespace).unwrap_or(rest.len())
        };
        let operator = &rest[..op_end];
        let value = rest[op_end..].trim();
        if field.is_empty() || operator.is_empty() || value.is_empty() {
            return Err(shape());
        }
        Ok(Filter {
            field: field.to_string(),
            operator: operator.to_string(),
            value: value.to_string(),
        })
    }

    /// The SOQL condition, after checking the field, the operator and the value.
    pub fn condition(&self, catalog: &Catalog) -> Result<String, BrowseError> {
        let column = catalog
            .column(&self.field)
            .ok_or_else(|| BrowseError::UnknownField {
                object: catalog.object.clone(),
                field: self.field.clone(),
            })?;
        if !column.filterable || column.kind == FieldKind::Other {
            return Err(BrowseError::NotFilterable {
                field: column.label.clone(),
                kind: column.describe_type.clone(),
            });
        }
        let operator =
            Operator::parse(&self.operator).ok_or_else(|| BrowseError::UnknownOperator {
                operator: self.operator.clone(),
            })?;
        let not_for_field = || BrowseError::OperatorNotForField {
            field: column.label.clone(),
            kind: column.describe_type.clone(),
            operator: self.operator.clone(),
            allowed: Operator::ALL
                .iter()
                .filter(|o| o.allowed(column.kind))
                .map(|o| o.text())
                .collect::<Vec<_>>()
                .join(", "),
        };
        if !operator.allowed(column.kind) {
            return Err(not_for_field());
        }
        let path = &column.path;
        let unquoted = unquote(&self.value);
        if self.value.eq_ignore_ascii_case("null") {
            return match operator {
                Operator::Equals => Ok(format!("{path} = null")),
                Operator::NotEquals => Ok(format!("{path} != null")),
                _ => Err(not_for_field()),
            };
        }
        let value = literal(column, unquoted).map_err(|why| BrowseError::BadValue {
            field: column.label.clone(),
            kind: column.describe_type.clone(),
            value: self.value.clone(),
            why,
        })?;
        Ok(match operator {
            Operator::Like => format!("{path} LIKE {}", like(unquoted, true)),
            Operator::Starts => format!("{path} LIKE {}", like(unquoted, false)),
            other => format!("{path} {} {value}", other.text()),
        })
    }
}

fn unquote(value: &str) -> &str {
    for q in ['\'', '"'] {
        if value.len() >= 2
            && let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q))
        {
            return inner;
        }
    }
    value
}

/// A `LIKE` pattern: the text's own `%` and `_` match only themselves.
fn like(text: &str, anywhere: bool) -> String {
    let quoted = quote(text);
    let inner = quoted[1..quoted.len() - 1]
        .replace('%', "\\%")
        .replace('_', "\\_");
    if anywhere {
        format!("'%{inner}%'")
    } else {
        format!("'{inner}%'")
    }
}

/// `value` as a literal of the column's type, or why it is not one.
fn literal(column: &Column, value: &str) -> Result<String, String> {
    match column.kind {
        // A picklist's value is not checked against its active values: a retired value
        // still matches the records that hold it.
        FieldKind::Text => Ok(quote(value)),
        FieldKind::Id => check_id(value).map(|id| quote(&id)).map_err(|e| e.reason()),
        FieldKind::Boolean => match value.to_ascii_lowercase().as_str() {
            "true" => Ok("true".to_string()),
            "false" => Ok("false".to_string()),
            _ => Err("write true or false".to_string()),
        },
        FieldKind::Number => {
            let plain = value.replace(',', "");
            let digits = plain.strip_prefix('-').unwrap_or(&plain);
            let ok = !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
                && digits.matches('.').count() <= 1
                && digits != ".";
            if ok {
                Ok(plain)
            } else {
                Err("write a number, e.g. 1000 or -12.5".to_string())
            }
        }
        FieldKind::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|d| d.to_string())
            .map_err(|_| "write a date as YYYY-MM-DD, e.g. 2024-01-31".to_string()),
        FieldKind::DateTime => {
            if let Some(t) = super::keyset::parse_datetime(value) {
                return Ok(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            }
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S")))
                .ok_or_else(|| {
                    "write a date and time, e.g. 2024-01-31T09:30:00Z, or a date (midnight UTC)"
                        .to_string()
                })
        }
        FieldKind::Other => Err("this field is not compared in queries".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_with_or_without_spaces_and_keep_the_value_whole() {
        let f = Filter::parse("Amount>=1000").unwrap();
        assert_eq!(
            (f.field.as_str(), f.operator.as_str(), f.value.as_str()),
            ("Amount", ">=", "1000")
        );
        let f = Filter::parse("  Owner.Name like  'van der Berg' ").unwrap();
        assert_eq!(
            (f.field.as_str(), f.operator.as_str(), f.value.as_str()),
            ("Owner.Name", "like", "'van der Berg'")
        );
        for bad in ["", "Name", "Name =", "= Acme"] {
            assert!(
                matches!(Filter::parse(bad), Err(BrowseError::FilterShape { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn like_patterns_match_percent_and_underscore_literally() {
        assert_eq!(like("50%_o'k", true), "'%50\\%\\_o\\'k%'");
        assert_eq!(like("ab", false), "'ab%'");
    }
}
