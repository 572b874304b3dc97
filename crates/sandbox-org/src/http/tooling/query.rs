//! `GET .../tooling/query?q=`: SOQL (the org's own parser) over the Tooling API's records,
//! filtered, ordered and projected by a small evaluator of its own.

use std::cmp::Ordering;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::records::{self, Record};
use super::{AppState, Org, api_version, refused};
use crate::error::{ApiResult, SfError};
use crate::http::auth::Session;
use crate::soql::ast::{CompareOp, Condition, FieldPath, LiteralValue, Query, SelectItem, Term};

const ENTITIES: &[&str] = &["CustomField", "EntityDefinition", "FieldDefinition"];

pub async fn query(
    State(state): State<AppState>,
    Path(v): Path<String>,
    RawQuery(raw): RawQuery,
    _session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let text = raw
        .as_deref()
        .map(serde_urlencoded::from_str::<Vec<(String, String)>>)
        .and_then(Result::ok)
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "q").map(|(_, q)| q))
        .filter(|q| !q.trim().is_empty());
    let Some(text) = text else {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            vec![SfError::new(
                "MALFORMED_QUERY",
                "A query string has to be specified",
            )],
        ));
    };
    let org = state.org.clone();
    let answer = tokio::task::spawn_blocking(move || answer(&org, &text, &v))
        .await
        .map_err(|_| {
            crate::error::ApiError::from_errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                vec![SfError::unknown_exception()],
            )
        })?;
    Ok(match answer {
        Ok(body) => axum::Json(body).into_response(),
        Err(e) => refused(StatusCode::BAD_REQUEST, vec![e]),
    })
}

fn malformed(message: impl Into<String>) -> SfError {
    SfError::new("MALFORMED_QUERY", message)
}

/// The whole answer to `text`.
pub fn answer(org: &Org, text: &str, v: &str) -> Result<Value, SfError> {
    let query = crate::soql::parse(text)?;
    let Some(entity) = ENTITIES
        .iter()
        .find(|e| e.eq_ignore_ascii_case(&query.from.text))
    else {
        return Err(SfError::new(
            "INVALID_TYPE",
            format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                query.from.text
            ),
        ));
    };
    let rows = match *entity {
        "CustomField" => records::custom_fields(org, v).map_err(|e| match e {
            crate::error::ApiError::Rest { mut errors, .. } if !errors.is_empty() => {
                errors.remove(0)
            }
            _ => SfError::unknown_exception(),
        })?,
        "EntityDefinition" => records::entity_definitions(org, v),
        _ => {
            if !query.filter.as_ref().is_some_and(names_an_entity) {
                return Err(malformed(
                    "FieldDefinition: a filter on a reified column is required [EntityDefinitionId,DurableId]",
                ));
            }
            records::field_definitions(org, v)
        }
    };
    let template = rows
        .first()
        .cloned()
        .unwrap_or_else(|| empty_shape(org, entity, v));
    let columns = columns(&query, &template, entity)?;
    check_condition_fields(query.filter.as_ref(), &template, entity)?;
    let mut matching: Vec<Record> = Vec::new();
    for row in rows {
        if query.filter.as_ref().is_none_or(|c| holds(c, &row)) {
            matching.push(row);
        }
    }
    sort(&mut matching, &query, &template, entity)?;
    let offset = query.offset.as_ref().map_or(0, |o| o.value as usize);
    let limit = query
        .limit
        .as_ref()
        .map_or(usize::MAX, |l| l.value as usize);
    let total = matching.len();
    let selected: Vec<Record> = matching.into_iter().skip(offset).take(limit).collect();
    let wants_metadata = columns
        .iter()
        .any(|c| c.len() == 1 && (c[0] == "Metadata" || c[0] == "FullName"));
    if wants_metadata && selected.len() > 1 {
        return Err(malformed(format!(
            "When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: {}",
            selected.len()
        )));
    }
    let records: Vec<Value> = selected.iter().map(|row| project(row, &columns)).collect();
    let total = if query.limit.is_some() || query.offset.is_some() {
        records.len()
    } else {
        total
    };
    Ok(json!({
        "size": records.len(),
        "totalSize": total,
        "done": true,
        "queryLocator": null,
        "entityTypeName": entity,
        "records": records,
    }))
}

/// A record of `entity` with every column, for checking names when no record matches.
fn empty_shape(org: &Org, entity: &str, v: &str) -> Record {
    match entity {
        "CustomField" => records::CUSTOM_FIELD_COLUMNS
            .iter()
            .map(|key| (key.to_string(), Value::Null))
            .collect(),
        "EntityDefinition" => records::entity_definitions(org, v)
            .into_iter()
            .next()
            .unwrap_or_default(),
        _ => records::field_definitions(org, v)
            .into_iter()
            .next()
            .unwrap_or_default(),
    }
}

fn names_an_entity(condition: &Condition) -> bool {
    let names = |path: &FieldPath| {
        let text: Vec<&str> = path.parts.iter().map(|p| p.text.as_str()).collect();
        let joined = text.join(".").to_ascii_lowercase();
        matches!(
            joined.as_str(),
            "entitydefinitionid"
                | "entitydefinition.qualifiedapiname"
                | "entitydefinition.durableid"
                | "durableid"
        )
    };
    match condition {
        Condition::And(parts) => parts.iter().any(names_an_entity),
        Condition::Compare { field, op, .. } => *op == CompareOp::Eq && names(field),
        Condition::In { field, negated, .. } => !negated && names(field),
        _ => false,
    }
}

/// The canonical key path of `path` in `template`, or Salesforce's `INVALID_FIELD`.
fn resolve(path: &FieldPath, template: &Record, entity: &str) -> Result<Vec<String>, SfError> {
    let mut out = Vec::new();
    let mut level = template;
    for (i, part) in path.parts.iter().enumerate() {
        let found = level
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&part.text) && k.as_str() != "attributes");
        let last = i + 1 == path.parts.len();
        match found {
            Some((key, value)) if last || value.is_object() => {
                out.push(key.clone());
                if let (Value::Object(next), false) = (value, last) {
                    level = next;
                }
            }
            _ => {
                let shown: Vec<&str> = path.parts.iter().map(|p| p.text.as_str()).collect();
                return Err(SfError::new(
                    "INVALID_FIELD",
                    format!(
                        "No such column '{}' on entity '{entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                        shown.join(".")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn columns(query: &Query, template: &Record, entity: &str) -> Result<Vec<Vec<String>>, SfError> {
    query
        .select
        .iter()
        .map(|item| match item {
            SelectItem::Field(path) => resolve(path, template, entity),
            _ => Err(malformed(format!(
                "The Tooling API's {entity} answers plain fields only: select fields by name"
            ))),
        })
        .collect()
}

fn check_condition_fields(
    condition: Option<&Condition>,
    template: &Record,
    entity: &str,
) -> Result<(), SfError> {
    let Some(condition) = condition else {
        return Ok(());
    };
    match condition {
        Condition::And(parts) | Condition::Or(parts) => parts
            .iter()
            .try_for_each(|c| check_condition_fields(Some(c), template, entity)),
        Condition::Not(inner) => check_condition_fields(Some(inner), template, entity),
        Condition::Compare { field, .. }
        | Condition::In { field, .. }
        | Condition::Like { field, .. } => resolve(field, template, entity).map(|_| ()),
        _ => Err(malformed(format!(
            "The Tooling API's {entity} filters with =, !=, <, >, IN, LIKE, AND, OR and NOT"
        ))),
    }
}

fn value_at<'a>(row: &'a Record, path: &FieldPath) -> &'a Value {
    let mut value: Option<&Value> = None;
    let mut level = row;
    for part in &path.parts {
        value = level
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&part.text))
            .map(|(_, v)| v);
        if let Some(Value::Object(next)) = value {
            level = next;
        }
    }
    value.unwrap_or(&Value::Null)
}

fn literal(value: &LiteralValue) -> Value {
    match value {
        LiteralValue::Null => Value::Null,
        LiteralValue::Bool(b) => json!(b),
        LiteralValue::Number(n) => json!(n),
        LiteralValue::Text(s) => json!(s),
        LiteralValue::Date(d) => json!(d.to_string()),
        LiteralValue::DateTime(ms) => json!(crate::values::format_datetime_ms(*ms)),
        LiteralValue::Relative(_) => Value::Null,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::String(x), Value::String(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        _ => None,
    }
}

fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let pattern: Vec<char> = crate::soql::lexer::unescape_like(pattern)
        .to_lowercase()
        .chars()
        .collect();
    fn go(t: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| go(&t[i..], rest)),
            Some(('_', rest)) => !t.is_empty() && go(&t[1..], rest),
            Some((c, rest)) => t.first() == Some(c) && go(&t[1..], rest),
        }
    }
    go(&text, &pattern)
}

fn holds(condition: &Condition, row: &Record) -> bool {
    match condition {
        Condition::And(parts) => parts.iter().all(|c| holds(c, row)),
        Condition::Or(parts) => parts.iter().any(|c| holds(c, row)),
        Condition::Not(inner) => !holds(inner, row),
        Condition::Compare { field, op, value } => {
            let ordering = compare(value_at(row, field), &literal(&value.value));
            match op {
                CompareOp::Eq => ordering == Some(Ordering::Equal),
                CompareOp::Ne => ordering != Some(Ordering::Equal),
                CompareOp::Lt => ordering == Some(Ordering::Less),
                CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
                CompareOp::Gt => ordering == Some(Ordering::Greater),
                CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
            }
        }
        Condition::In {
            field,
            negated,
            values,
        } => {
            let actual = value_at(row, field);
            let found = values
                .iter()
                .any(|v| compare(actual, &literal(&v.value)) == Some(Ordering::Equal));
            found != *negated
        }
        Condition::Like { field, pattern } => match (value_at(row, field), &pattern.value) {
            (Value::String(text), LiteralValue::Text(p)) => like(text, p),
            _ => false,
        },
        _ => false,
    }
}

fn sort(
    rows: &mut [Record],
    query: &Query,
    template: &Record,
    entity: &str,
) -> Result<(), SfError> {
    let mut keys = Vec::new();
    for key in &query.order_by {
        let Term::Field(path) = &key.field else {
            return Err(malformed(format!(
                "The Tooling API's {entity} orders by fields only"
            )));
        };
        resolve(path, template, entity)?;
        keys.push((path.clone(), key.descending, key.effective_nulls_last()));
    }
    rows.sort_by(|a, b| {
        for (path, descending, nulls_last) in &keys {
            let (x, y) = (value_at(a, path), value_at(b, path));
            let ordering = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if *nulls_last {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, true) => {
                    if *nulls_last {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                _ => {
                    let o = compare(x, y).unwrap_or(Ordering::Equal);
                    if *descending { o.reverse() } else { o }
                }
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
    Ok(())
}

/// `row` cut to `columns`, nested records keeping their `attributes`.
fn project(row: &Record, columns: &[Vec<String>]) -> Value {
    let mut out = Record::new();
    out.insert("attributes".into(), row["attributes"].clone());
    for column in columns {
        insert_path(&mut out, row, column);
    }
    Value::Object(out)
}

fn insert_path(out: &mut Record, row: &Record, path: &[String]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    let value = row.get(head).cloned().unwrap_or(Value::Null);
    if rest.is_empty() {
        out.insert(head.clone(), value);
        return;
    }
    let Value::Object(inner) = value else {
        out.insert(head.clone(), Value::Null);
        return;
    };
    let slot = out.entry(head.clone()).or_insert_with(
        || json!({"attributes": inner.get("attributes").cloned().unwrap_or(Value::Null)}),
    );
    if let Value::Object(slot) = slot {
        insert_path(slot, &inner, rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(soql: &str) -> Condition {
        crate::soql::parse(soql).unwrap().filter.unwrap()
    }

    #[test]
    fn field_definition_filters_name_an_entity() {
        let table = [
            ("WHERE EntityDefinition.QualifiedApiName = 'Account'", true),
            ("WHERE EntityDefinitionId IN ('Account', 'Lead')", true),
            ("WHERE DurableId = 'Account.Name' AND Label = 'X'", true),
            ("WHERE EntityDefinitionId != 'Account'", false),
            ("WHERE Label = 'X' OR EntityDefinitionId = 'Account'", false),
            ("WHERE QualifiedApiName = 'Name'", false),
        ];
        for (condition, expected) in table {
            let soql = format!("SELECT Id FROM FieldDefinition {condition}");
            assert_eq!(names_an_entity(&filter(&soql)), expected, "{soql}");
        }
    }

    #[test]
    fn conditions_hold_as_soql_says() {
        let row: Record = serde_json::from_value(json!({
            "DeveloperName": "Churn_Risk",
            "Length": 0,
            "Precision": 5,
            "Description": null,
            "EntityDefinition": {"QualifiedApiName": "Account"},
        }))
        .unwrap();
        let table = [
            ("DeveloperName = 'churn_risk'", true),
            ("DeveloperName LIKE 'Churn%'", true),
            ("DeveloperName LIKE 'C_urn\\_Risk'", true),
            ("DeveloperName LIKE 'Risk%'", false),
            ("Precision > 4 AND Precision <= 5", true),
            ("Description = null", true),
            ("Description != null", false),
            ("NOT (Length = 0)", false),
            (
                "EntityDefinition.QualifiedApiName IN ('Lead', 'Account')",
                true,
            ),
            (
                "EntityDefinition.QualifiedApiName NOT IN ('Account')",
                false,
            ),
        ];
        for (condition, expected) in table {
            let soql = format!("SELECT Id FROM CustomField WHERE {condition}");
            assert_eq!(holds(&filter(&soql), &row), expected, "{soql}");
        }
    }
}
