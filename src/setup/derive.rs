//! The custom fields a link needs that its object lacks, and a spec for each: the template's
//! when the field is a template's, otherwise guessed from the local column's declared type and
//! the values in the table.

use std::collections::BTreeMap;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::plan::{FieldAction, PlannedField};
use super::spec::{FieldSpec, FieldType, LONG_TEXT_LENGTHS, MAX_PRECISION, MAX_TEXT_LENGTH};
use super::template_fields;
use crate::salesforce::ObjectDescribe;
use crate::sync::link::{Link, LocalSource, MatchKey};
use crate::sync::verify::columns::declared_types;
use crate::workspace::capture::quote_ident;

/// Rows read to size a field: enough to see the longest value of a real table's column.
const SAMPLE_ROWS: usize = 50_000;
/// More distinct values than this and an expression's text is Text, not a picklist.
const MAX_PICKLIST_VALUES: usize = 30;
/// Lengths a text field is rounded up to, so that a slightly longer value still fits.
const TEXT_LENGTHS: [u32; 7] = [10, 20, 50, 80, 100, 150, 255];

/// Where a missing field's values come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source<'a> {
    Column(&'a str),
    Expression(&'a str),
}

fn has_field(describe: &ObjectDescribe, name: &str) -> bool {
    describe
        .fields
        .iter()
        .any(|f| f.name.eq_ignore_ascii_case(name))
}

fn relationship_object(describe: &ObjectDescribe, relationship: &str) -> Option<String> {
    describe
        .fields
        .iter()
        .find(|f| {
            f.other
                .get("relationshipName")
                .and_then(|v| v.as_str())
                .is_some_and(|r| r.eq_ignore_ascii_case(relationship))
        })
        .and_then(|f| f.reference_to.first().cloned())
}

/// Every custom field `link` names that `describe` (or a referenced parent's) does not show:
/// Verify's "has no field" problems that creating a field fixes. Standard fields cannot be
/// created, so they are left to Verify.
pub fn missing_fields(
    link: &Link,
    describe: &ObjectDescribe,
    parents: &BTreeMap<String, ObjectDescribe>,
    conn: &Connection,
) -> Vec<PlannedField> {
    let mut wanted: Vec<(String, String, Source<'_>, bool)> = Vec::new();
    if let MatchKey::ExternalId { field, column } = &link.match_on {
        wanted.push((
            link.object.clone(),
            field.clone(),
            Source::Column(column),
            true,
        ));
    }
    for mapping in &link.fields {
        let source = match &mapping.local {
            LocalSource::Column(c) => Source::Column(c),
            LocalSource::Expression(sql) => Source::Expression(sql),
        };
        match mapping.parent_reference() {
            Some((relationship, field)) => {
                // A parent is matched on its field: that field is the parent's external id.
                if let Some(object) = relationship_object(describe, relationship) {
                    wanted.push((object, field.to_string(), source, true));
                }
            }
            None => wanted.push((link.object.clone(), mapping.remote.clone(), source, false)),
        }
    }
    let declared = declared_types(conn, &link.table);
    let mut planned: Vec<PlannedField> = Vec::new();
    for (object, field, source, key) in wanted {
        let known = if object.eq_ignore_ascii_case(&link.object) {
            Some(describe)
        } else {
            parents.get(&object)
        };
        let exists = known.is_some_and(|d| has_field(d, &field));
        let duplicate = planned
            .iter()
            .any(|p| p.object == object && p.spec.api_name.eq_ignore_ascii_case(&field));
        if exists || duplicate || !field.ends_with("__c") {
            continue;
        }
        let spec = template_fields::known(&object, &field).unwrap_or_else(|| {
            let declared = match source {
                Source::Column(c) => declared.get(c).map(String::as_str),
                Source::Expression(_) => None,
            };
            let values = sample(conn, &link.table, &source);
            let mut spec = derive_spec(&field, declared, &values, &source);
            if key {
                spec = key_spec(spec);
            }
            spec.description = describe_source(link, &source);
            spec
        });
        planned.push(PlannedField {
            object,
            spec,
            action: FieldAction::Create,
        });
    }
    planned
}

fn describe_source(link: &Link, source: &Source<'_>) -> String {
    match source {
        Source::Column(c) => format!(
            "Synced by Tether from `{}.{c}` (link {}).",
            link.table, link.name
        ),
        Source::Expression(_) => format!(
            "Computed by Tether from `{}` (link {}).",
            link.table, link.name
        ),
    }
}

/// A field records are matched on: Text (or Number) as it was, marked external id and unique.
fn key_spec(spec: FieldSpec) -> FieldSpec {
    let spec = if spec.field_type.may_be_key() {
        spec
    } else {
        FieldSpec {
            label: spec.label.clone(),
            ..FieldSpec::text(&spec.api_name, 50)
        }
    };
    spec.key()
}

/// The values of `source` over the table's rows, nulls left out.
fn sample(conn: &Connection, table: &str, source: &Source<'_>) -> Vec<Value> {
    let expression = match source {
        Source::Column(c) => quote_ident(c),
        Source::Expression(sql) => format!("({sql})"),
    };
    let sql = format!(
        "SELECT {expression} FROM {} LIMIT {SAMPLE_ROWS}",
        quote_ident(table)
    );
    let Ok(mut stmt) = conn.prepare(&sql) else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get::<_, Value>(0))
        .map(|rows| {
            rows.filter_map(Result::ok)
                .filter(|v| *v != Value::Null)
                .collect()
        })
        .unwrap_or_default()
}

/// The string results of a `CASE … THEN 'a' … ELSE 'b' END` expression, in order: the values a
/// picklist needs even when the table holds only some of them yet.
pub fn case_results(sql: &str) -> Option<Vec<String>> {
    let upper = sql.to_ascii_uppercase();
    if !upper.trim_start().starts_with("CASE") {
        return None;
    }
    let mut results = Vec::new();
    let mut rest = sql;
    while let Some(at) = find_keyword(rest, &["THEN", "ELSE"]) {
        let after = rest[at..].trim_start();
        let (value, after) = string_literal(after)?;
        if !results.contains(&value) {
            results.push(value);
        }
        rest = after;
    }
    (!results.is_empty()).then_some(results)
}

/// The SQL string literal `text` starts with (`'it''s'` is "it's"), and what follows it.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let mut rest = text.strip_prefix('\'')?;
    let mut value = String::new();
    loop {
        let end = rest.find('\'')?;
        value.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(more) => {
                value.push('\'');
                rest = more;
            }
            None => return Some((value, rest)),
        }
    }
}

/// Byte offset just past the first of `words` that stands as a word in `text`.
fn find_keyword(text: &str, words: &[&str]) -> Option<usize> {
    let upper = text.to_ascii_uppercase();
    words
        .iter()
        .filter_map(|w| {
            let mut from = 0;
            while let Some(i) = upper[from..].find(w) {
                let start = from + i;
                let end = start + w.len();
                let before = upper[..start].chars().last();
                let after = upper[end..].chars().next();
                let word =
                    |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                if !word(before) && !word(after) {
                    return Some(end);
                }
                from = end;
            }
            None
        })
        .min()
}

fn rounded_text_length(longest: usize) -> u32 {
    let longest = u32::try_from(longest).unwrap_or(u32::MAX);
    TEXT_LENGTHS
        .into_iter()
        .find(|l| *l >= longest)
        .unwrap_or(MAX_TEXT_LENGTH)
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_datetime(text: &str) -> bool {
    text.len() >= 16
        && is_date(&text[..10])
        && matches!(text.as_bytes()[10], b'T' | b' ')
        && text[11..].starts_with(|c: char| c.is_ascii_digit())
        && text.as_bytes().get(13) == Some(&b':')
}

fn is_email(text: &str) -> bool {
    let Some((user, domain)) = text.split_once('@') else {
        return false;
    };
    !user.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
}

/// Digits before and after the point of a number as written.
fn digits(text: &str) -> Option<(u32, u32)> {
    let t = text.trim().trim_start_matches(['-', '+']);
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((whole.len() as u32, fraction.len() as u32))
}

fn number_spec(api_name: &str, whole: u32, scale: u32) -> FieldSpec {
    // Two more whole digits than the table holds today: room for it to grow.
    let scale = scale.min(8);
    let precision = (whole.max(1) + 2 + scale).min(MAX_PRECISION);
    FieldSpec::number(api_name, FieldType::Number, precision, scale.min(precision))
}

/// A spec for `api_name` from the local column's declared type (when a column), its values, and
/// the expression's form. Pure: table-tested.
pub fn derive_spec(
    api_name: &str,
    declared: Option<&str>,
    values: &[Value],
    source: &Source<'_>,
) -> FieldSpec {
    let declared = declared.unwrap_or("").to_ascii_uppercase();
    if let Source::Expression(sql) = source
        && let Some(results) = case_results(sql)
        && results.len() <= MAX_PICKLIST_VALUES
    {
        let values: Vec<&str> = results.iter().map(String::as_str).collect();
        return FieldSpec::picklist(api_name, &values);
    }
    let texts: Vec<String> = values
        .iter()
        .filter_map(|v| match v {
            Value::Text(t) => Some(t.clone()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Real(r) => Some(r.to_string()),
            _ => None,
        })
        .collect();
    let all_integers = !values.is_empty() && values.iter().all(|v| matches!(v, Value::Integer(_)));
    let zero_or_one = all_integers
        && values
            .iter()
            .all(|v| matches!(v, Value::Integer(0) | Value::Integer(1)));
    if declared.contains("BOOL") || (zero_or_one && !declared.contains("TEXT")) {
        return FieldSpec::new(api_name, FieldType::Checkbox);
    }
    if declared.contains("DATETIME") || declared.contains("TIMESTAMP") {
        return FieldSpec::new(api_name, FieldType::DateTime);
    }
    if declared == "DATE" {
        return FieldSpec::new(api_name, FieldType::Date);
    }
    let numeric = values
        .iter()
        .all(|v| matches!(v, Value::Integer(_) | Value::Real(_)));
    let numeric_declared = declared.contains("INT")
        || declared.contains("REAL")
        || declared.contains("FLOA")
        || declared.contains("DOUB")
        || declared.contains("NUM")
        || declared.contains("DEC");
    if (numeric && !values.is_empty()) || (values.is_empty() && numeric_declared) {
        let (whole, scale) = texts
            .iter()
            .filter_map(|t| digits(t))
            .fold((0, 0), |(w, s), (dw, ds)| (w.max(dw), s.max(ds)));
        let scale = if values.is_empty() && !declared.contains("INT") {
            2
        } else {
            scale
        };
        let whole = if values.is_empty() { 16 } else { whole };
        return number_spec(api_name, whole, scale);
    }
    if !texts.is_empty() && texts.iter().all(|t| is_date(t)) {
        return FieldSpec::new(api_name, FieldType::Date);
    }
    if !texts.is_empty() && texts.iter().all(|t| is_datetime(t)) {
        return FieldSpec::new(api_name, FieldType::DateTime);
    }
    if !texts.is_empty() && texts.iter().all(|t| is_email(t)) {
        return FieldSpec::new(api_name, FieldType::Email);
    }
    let longest = texts.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    if longest > MAX_TEXT_LENGTH as usize {
        let length = (9..=17)
            .map(|power| 1u32 << power)
            .find(|l| *l as usize >= longest)
            .unwrap_or(*LONG_TEXT_LENGTHS.end());
        return FieldSpec {
            length: Some(length),
            ..FieldSpec::new(api_name, FieldType::LongTextArea)
        };
    }
    if texts.is_empty() {
        return FieldSpec::text(api_name, MAX_TEXT_LENGTH);
    }
    FieldSpec::text(api_name, rounded_text_length(longest))
}
