//! Checks the current local values of pushed fields against the lengths and restricted
//! picklists of their Salesforce fields, naming the rows Salesforce would refuse.

use rusqlite::types::ValueRef;

use super::describe::FieldFacts;
use super::{Severity, Verifier, field};
use crate::sync::link::{Direction, FieldMapping, LocalSource};
use crate::workspace::capture::quote_ident;

/// Rows named in one problem; the rest are counted.
const LISTED_ROWS: usize = 5;

pub(super) fn check(v: &mut Verifier<'_>) {
    if v.columns.is_empty() || !v.columns.contains_key(&v.link.key) {
        return;
    }
    let link = v.link;
    for mapping in &link.fields {
        if mapping.direction == Direction::Pull || mapping.parent_reference().is_some() {
            continue;
        }
        let Some(remote) = field(v.describe, &mapping.remote) else {
            continue;
        };
        let facts = FieldFacts::of(remote);
        if !facts.has_length() && !facts.is_restricted_picklist() {
            continue;
        }
        let Some(values) = local_values(v, mapping) else {
            continue;
        };
        let too_long: Vec<(String, String)> = values
            .iter()
            .filter(|(_, value)| {
                facts.has_length() && value.chars().count() > facts.length as usize
            })
            .cloned()
            .collect();
        if !too_long.is_empty() {
            let rows = listing(&too_long, |value| {
                format!("{} characters", value.chars().count())
            });
            v.push(
                Severity::Error,
                Some(&remote.name),
                format!(
                    "{} row(s) hold values longer than the field's {} characters, which Salesforce refuses (STRING_TOO_LONG): {rows}",
                    too_long.len(),
                    facts.length
                ),
                format!(
                    "shorten those values in `{}`, or widen `{}` in Salesforce Setup",
                    link.table, remote.name
                ),
            );
        }
        if facts.is_restricted_picklist() {
            let allowed = &facts.active_picklist_values;
            let outside: Vec<(String, String)> = values
                .iter()
                .filter(|(_, value)| !picklist_fits(&facts, allowed, value))
                .cloned()
                .collect();
            if !outside.is_empty() {
                let rows = listing(&outside, |value| format!("`{value}`"));
                v.push(
                    Severity::Error,
                    Some(&remote.name),
                    format!(
                        "{} row(s) hold values that are not in the restricted picklist ({}): {rows}",
                        outside.len(),
                        allowed.join(", ")
                    ),
                    "change those values to allowed ones (spelling and case must match), or add the values to the picklist in Salesforce Setup".into(),
                );
            }
        }
    }
}

fn picklist_fits(facts: &FieldFacts, allowed: &[String], value: &str) -> bool {
    if facts.field_type == "multipicklist" {
        value
            .split(';')
            .all(|part| allowed.iter().any(|a| a == part))
    } else {
        allowed.iter().any(|a| a == value)
    }
}

fn listing(rows: &[(String, String)], describe: impl Fn(&str) -> String) -> String {
    let mut listed: Vec<String> = rows
        .iter()
        .take(LISTED_ROWS)
        .map(|(key, value)| format!("row {key} ({})", describe(value)))
        .collect();
    if rows.len() > LISTED_ROWS {
        listed.push(format!("and {} more", rows.len() - LISTED_ROWS));
    }
    listed.join(", ")
}

/// `(row key, value as text)` of every non-null value the mapping would push. `None` when
/// the query cannot run (a missing column or a broken expression, already reported).
fn local_values(v: &Verifier<'_>, mapping: &FieldMapping) -> Option<Vec<(String, String)>> {
    let source = match &mapping.local {
        LocalSource::Column(column) => quote_ident(column),
        LocalSource::Expression(sql) => format!("({sql})"),
    };
    let filter = v
        .link
        .push_filter
        .as_ref()
        .map(|f| format!(" WHERE ({f})"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT CAST({} AS TEXT), {source} FROM {}{filter}",
        quote_ident(&v.link.key),
        quote_ident(&v.link.table)
    );
    let mut stmt = v.conn.prepare(&sql).ok()?;
    let rows = stmt
        .query_map([], |r| {
            let key: Option<String> = r.get(0)?;
            let value = match r.get_ref(1)? {
                ValueRef::Null | ValueRef::Blob(_) => None,
                ValueRef::Integer(i) => Some(i.to_string()),
                ValueRef::Real(f) => Some(f.to_string()),
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            };
            Ok(value.map(|value| (key.unwrap_or_default(), value)))
        })
        .ok()?;
    Some(rows.flatten().flatten().collect())
}
