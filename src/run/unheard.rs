//! Finding what a write sent without hearing back made. A run killed (or cut off) after it
//! sent a write and before it stored Salesforce's answer leaves the write journaled as an
//! intent, neither confirmed nor refused. Before such a write is sent again, or undone, the
//! record it may have written is looked for: by its key when it carried one, which is exact, or
//! else (a create) by the values it carried. One rule, [`find_by_key`], for the sync engine's
//! lost creates, an import whose call failed part-way and an interrupted import's undo.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client, FieldDescribe, ObjectDescribe, SalesforceError};
use crate::sync::plan::Values;
use crate::workspace::{WorkspaceError, images};

/// A record a key already names in Salesforce.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub id: String,
    /// Its current values of the fields asked for.
    pub values: Values,
}

/// A write sent without hearing back, by the key it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Unheard {
    /// Its intent in the journal.
    pub image: i64,
    pub key: String,
    /// The values an update sent; `None` for a create.
    pub update: Option<Values>,
}

/// The records that `keys` name in `key_field`, by lower-cased key (Salesforce compares
/// external ids without case), with their values of `fields`, as few queries as the keys fit in.
pub async fn records_by_key(
    client: &Client,
    object: &str,
    key_field: &str,
    fields: &[String],
    keys: &[String],
) -> Result<HashMap<String, Existing>, SalesforceError> {
    let mut select = vec!["Id".to_string(), key_field.to_string()];
    for f in fields {
        if !select.contains(f) {
            select.push(f.clone());
        }
    }
    let mut out = HashMap::new();
    let mut unique: Vec<&String> = keys.iter().collect();
    unique.sort();
    unique.dedup();
    for list in soql_text::in_lists(key_field, &unique, IN_LIST_BYTES) {
        let soql = format!("SELECT {} FROM {object} WHERE {list}", select.join(", "));
        for record in query_all(client, &soql).await? {
            let Some(id) = record.get("Id").and_then(Value::as_str) else {
                continue;
            };
            let key = match record.get(key_field) {
                Some(Value::String(key)) => key.clone(),
                Some(Value::Number(key)) => key.to_string(),
                _ => continue,
            };
            let values = fields
                .iter()
                .map(|f| (f.clone(), record.get(f).cloned().unwrap_or(Value::Null)))
                .collect();
            out.insert(
                key.to_lowercase(),
                Existing {
                    id: id.to_string(),
                    values,
                },
            );
        }
    }
    Ok(out)
}

/// What each unheard write wrote, found by its key: image → the Id of the record it wrote.
///
/// A create wrote when a record holds its key: external ids are unique and the key named no
/// record before, so that record is the one it made (values changed since are a later edit,
/// which an undo reports rather than leaving the record behind). An update wrote only when its
/// record also holds every value it sent, since its key named that record before it was sent.
pub async fn find_by_key(
    client: &Client,
    object: &str,
    key_field: &str,
    unheard: &[Unheard],
) -> Result<HashMap<i64, String>, SalesforceError> {
    let mut fields: Vec<String> = Vec::new();
    for sent in unheard.iter().filter_map(|u| u.update.as_ref()) {
        for field in sent.keys() {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
    }
    let keys: Vec<String> = unheard.iter().map(|u| u.key.clone()).collect();
    let found = records_by_key(client, object, key_field, &fields, &keys).await?;
    Ok(unheard
        .iter()
        .filter_map(|u| {
            let record = found.get(&u.key.to_lowercase())?;
            let wrote = u.update.as_ref().is_none_or(|sent| {
                sent.iter()
                    .all(|(f, v)| record.values.get(f).is_some_and(|now| same_value(now, v)))
            });
            wrote.then(|| (u.image, record.id.clone()))
        })
        .collect())
}

/// Values equal for a field once both are read the same way: `1200.5` and `1200.50`,
/// `Closed Won` and `closed won` stay different (Salesforce keeps case).
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y || same_moment(x, y),
        (Value::Null, Value::String(s)) | (Value::String(s), Value::Null) => s.is_empty(),
        _ => a == b,
    }
}

fn same_moment(a: &str, b: &str) -> bool {
    use crate::sync::engine::values::parse_datetime;
    match (parse_datetime(a), parse_datetime(b)) {
        (Some(x), Some(y)) => x == y && a.contains('T') && b.contains('T'),
        _ => false,
    }
}

/// Confirms each found write's intent with the Id of the record it wrote, so that undoing
/// its run takes it back.
pub fn confirm(conn: &Connection, found: &HashMap<i64, String>) -> Result<usize, WorkspaceError> {
    for (image, id) in found {
        images::confirm(conn, *image, Some(id))?;
    }
    Ok(found.len())
}

/// Records that may be what a create without a key made: created by `user` since `since`
/// and holding every value `sent` that a query can compare, oldest first. `None` when no sent
/// value can be compared, so that nothing tells the record from any other.
///
/// Values a query cannot compare exactly are left out: long text, multi-select picklists,
/// times and date-times, parent references, and numbers with more decimals than the field
/// keeps (Salesforce rounds them) or written with an exponent (SOQL has none).
pub async fn find_by_values(
    client: &Client,
    describe: &ObjectDescribe,
    sent: &Values,
    user: &str,
    since: DateTime<Utc>,
) -> Result<Option<Vec<String>>, SalesforceError> {
    let conditions: Vec<String> = sent
        .iter()
        .filter_map(|(name, value)| {
            let field = describe
                .fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))?;
            Some(format!("{} = {}", field.name, comparable(field, value)?))
        })
        .collect();
    if conditions.is_empty() {
        return Ok(None);
    }
    let soql = format!(
        "SELECT Id FROM {} WHERE CreatedById = {} AND CreatedDate >= {} AND {} ORDER BY CreatedDate, Id LIMIT 200",
        describe.name,
        soql_text::quote(user),
        since.to_rfc3339_opts(SecondsFormat::Secs, true),
        conditions.join(" AND ")
    );
    let ids = query_all(client, &soql)
        .await?
        .into_iter()
        .filter_map(|r| r.get("Id").and_then(Value::as_str).map(str::to_string))
        .collect();
    Ok(Some(ids))
}

/// `value` as a SOQL literal a `=` compares exactly with what `field` holds, if there is one.
fn comparable(field: &FieldDescribe, value: &Value) -> Option<String> {
    if !field.flag("filterable") {
        return None;
    }
    match (field.field_type.as_str(), value) {
        (
            "string" | "picklist" | "email" | "phone" | "url" | "textarea" | "reference" | "id"
            | "combobox",
            Value::String(text),
        ) => Some(soql_text::quote(text)),
        ("boolean", Value::Bool(b)) => Some(b.to_string()),
        ("int" | "long" | "double" | "currency" | "percent", Value::Number(n)) => {
            let text = n.to_string();
            if text.contains(['e', 'E']) {
                return None;
            }
            let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
            let scale = field
                .other
                .get("scale")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            (decimals as u64 <= scale || field.field_type == "int" || field.field_type == "long")
                .then_some(text)
        }
        ("date", Value::String(day)) => soql_text::date(day),
        _ => None,
    }
}

async fn query_all(
    client: &Client,
    soql: &str,
) -> Result<Vec<Map<String, Value>>, SalesforceError> {
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, Some(BatchSize(2000)))
        .try_collect()
        .await?;
    Ok(pages.into_iter().flat_map(|p| p.records).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(describe: Value) -> FieldDescribe {
        serde_json::from_value(describe).unwrap()
    }

    #[test]
    fn only_values_a_query_compares_exactly_are_looked_for() {
        let text = field(json!({"name": "LastName", "type": "string", "filterable": true}));
        let long = field(json!({"name": "Notes__c", "type": "textarea", "filterable": false}));
        let score =
            field(json!({"name": "Score__c", "type": "double", "scale": 2, "filterable": true}));
        let flag = field(json!({"name": "Active__c", "type": "boolean", "filterable": true}));
        let day = field(json!({"name": "Due__c", "type": "date", "filterable": true}));
        let at = field(json!({"name": "At__c", "type": "datetime", "filterable": true}));
        let cases = [
            (&text, json!("O'Brien"), Some("'O\\'Brien'")),
            (&long, json!("a long story"), None),
            (&score, json!(81.5), Some("81.5")),
            (&score, json!(81.555), None),
            (&score, json!(1e21), None),
            (&flag, json!(true), Some("true")),
            (&day, json!("2024-11-20"), Some("2024-11-20")),
            (&day, json!("2024-11-20' OR Name != '"), None),
            (&at, json!("2024-11-20T10:00:00Z"), None),
            (&text, json!(5), None),
        ];
        for (field, value, expected) in cases {
            assert_eq!(
                comparable(field, &value).as_deref(),
                expected,
                "{} = {value}",
                field.name
            );
        }
    }
}
