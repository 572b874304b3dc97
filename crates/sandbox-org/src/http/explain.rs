//! `GET .../query?explain=SOQL`: the query plan feedback of a real org. Each plan says how
//! the org would lead (`Index` on a selective, indexed filter, else `TableScan`), how many
//! rows it expects (`cardinality`) of how many (`sobjectCardinality`), and its
//! `relativeCost` (below 1 is selective); unindexed filters are explained in `notes`.
//!
//! The sandbox org indexes what Salesforce indexes by default: Id, Name, OwnerId,
//! CreatedDate, SystemModstamp, RecordTypeId, lookups, and unique or external id fields.

use serde_json::{Value, json};

use super::Org;
use crate::error::ApiResult;
use crate::schema::FieldType;
use crate::soql::ast::CompareOp;
use crate::soql::plan::{Filter, ResolvedPath};
use crate::soql::{self, Plan};

/// A filter selects through an index when it matches fewer than this share of the rows.
const SELECTIVE_SHARE: f64 = 0.1;

/// The statement of `explain=`, when the query string has one.
pub fn explain_text(raw: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw?).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| k == "explain" && !v.trim().is_empty())
        .map(|(_, v)| v)
}

pub fn explain(org: &Org, user_id: &str, text: &str) -> ApiResult<Value> {
    let plan = soql::compile(text, &org.schema_for(user_id), chrono::Utc::now())?;
    let total = org.store.count(&plan.object);
    let matching = soql::count_matching(&plan, &org.store, false).unwrap_or(total);
    let mut indexed = Vec::new();
    let mut unindexed = Vec::new();
    if let Some(filter) = &plan.filter {
        leading_fields(org, &plan, filter, &mut indexed, &mut unindexed);
    }
    let object = plan.object.clone();
    let share = |rows: usize| {
        if total == 0 {
            0.0
        } else {
            rows as f64 / total as f64
        }
    };
    let scan_cost = if total == 0 {
        0.0
    } else {
        1.0 + share(matching)
    };
    let mut plans = Vec::new();
    if !indexed.is_empty() {
        let cost = share(matching) / SELECTIVE_SHARE;
        plans.push(json!({
            "cardinality": matching,
            "fields": indexed,
            "leadingOperationType": "Index",
            "notes": [],
            "relativeCost": round(cost),
            "sobjectCardinality": total,
            "sobjectType": object,
        }));
    }
    let notes: Vec<Value> = unindexed
        .iter()
        .map(|field| {
            json!({
                "description": "Not considering filter for optimization because unindexed",
                "fields": [field],
                "tableEnumOrId": object,
            })
        })
        .collect();
    plans.push(json!({
        "cardinality": matching,
        "fields": [],
        "leadingOperationType": "TableScan",
        "notes": notes,
        "relativeCost": round(scan_cost),
        "sobjectCardinality": total,
        "sobjectType": object,
    }));
    plans.sort_by(|a, b| {
        let cost = |p: &Value| p["relativeCost"].as_f64().unwrap_or(f64::MAX);
        cost(a).total_cmp(&cost(b))
    });
    Ok(json!({ "plans": plans, "sourceQuery": text }))
}

fn round(cost: f64) -> f64 {
    (cost * 1_000_000.0).round() / 1_000_000.0
}

/// Fields of the top-level conjunction an index could lead on, and the filters it cannot.
fn leading_fields(
    org: &Org,
    plan: &Plan,
    filter: &Filter,
    indexed: &mut Vec<String>,
    unindexed: &mut Vec<String>,
) {
    let mut note = |path: &ResolvedPath, usable: bool| {
        if !path.hops.is_empty() || path.function.is_some() {
            return;
        }
        let list = if usable && is_indexed(org, plan, path) {
            &mut *indexed
        } else {
            &mut *unindexed
        };
        if !list.contains(&path.field) {
            list.push(path.field.clone());
        }
    };
    match filter {
        Filter::And(all) => {
            for f in all {
                leading_fields(org, plan, f, indexed, unindexed);
            }
        }
        Filter::Compare { path, op, .. } => note(path, *op != CompareOp::Ne),
        Filter::In { path, negated, .. } => note(path, !negated),
        Filter::Like { path, .. } => note(path, false),
        _ => {}
    }
}

fn is_indexed(org: &Org, plan: &Plan, path: &ResolvedPath) -> bool {
    let standard = [
        "Id",
        "Name",
        "OwnerId",
        "CreatedDate",
        "SystemModstamp",
        "RecordTypeId",
    ];
    if standard.iter().any(|f| f.eq_ignore_ascii_case(&path.field)) {
        return true;
    }
    matches!(path.kind, FieldType::Reference | FieldType::Id)
        || org
            .schema()
            .object(&plan.object)
            .and_then(|o| o.field(&path.field))
            .is_some_and(|f| f.unique || f.external_id)
}
