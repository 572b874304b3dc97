//! Keyset pages without a scan: an object's records in a statement's ORDER BY, kept as ids
//! with the sorted fields only, until the next write.
//!
//! A list page (`WHERE (Name > 'x' OR (Name = 'x' AND Id > '…')) ORDER BY Name, Id LIMIT 51`)
//! then walks the order from the top and stops after its rows: a filter on the sorted fields
//! and Id is decided on the kept fields alone, any other filter on each record read by id.
//! The answer is the scan's: the order is built from one scan, stably sorted as the scan's
//! answer is, and every record it skips or keeps is decided by the same filter.

use serde_json::Value;

use super::eval::{Lookups, RecordSource, Typed, compare_keys, typed};
use super::plan::{Filter, Plan};
use crate::error::SfError;
use crate::store::Record;

/// One object's records in one order.
struct Order {
    /// Id and the sorted fields of each record, in the order.
    records: Vec<Record>,
}

/// Whether the ORDER BY can be kept: fields of the object itself, as stored.
fn keepable(plan: &Plan) -> bool {
    !plan.order.is_empty()
        && plan
            .order
            .iter()
            .all(|k| k.path.hops.is_empty() && k.path.function.is_none())
}

/// Whether `filter` reads only `fields` of the record itself.
fn reads_only(filter: &Filter, fields: &[&str]) -> bool {
    let own = |path: &super::plan::ResolvedPath| {
        path.hops.is_empty() && fields.iter().any(|f| f.eq_ignore_ascii_case(&path.field))
    };
    match filter {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().all(|p| reads_only(p, fields)),
        Filter::Not(inner) => reads_only(inner, fields),
        Filter::Compare { path, .. }
        | Filter::In { path, .. }
        | Filter::Like { path, .. }
        | Filter::Includes { path, .. } => own(path),
        Filter::SemiJoin(_) => false,
    }
}

/// The ids `plan` answers, OFFSET and LIMIT applied, read through the kept order; `None` when
/// the source keeps no indexes or the plan is not one this answers (then the caller scans).
pub fn matching_ids(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    lookups: &mut Lookups<'_>,
) -> Option<Result<Vec<String>, SfError>> {
    let reads = source.reads()?;
    if !keepable(plan) {
        return None;
    }
    let mut fields: Vec<&str> = vec!["Id"];
    fields.extend(plan.order.iter().map(|k| k.path.field.as_str()));
    let on_kept = plan.filter.as_ref().is_none_or(|f| reads_only(f, &fields));
    // Reading every other record by id costs more than a scan unless the page is short.
    if !on_kept && plan.limit.is_none() {
        return None;
    }
    let signature: Vec<String> = plan
        .order
        .iter()
        .map(|k| format!("{}:{}:{}", k.path.field, k.descending, k.nulls_last))
        .collect();
    let key = format!(
        "order|{}|{include_deleted}|{}",
        plan.object,
        signature.join(",")
    );
    let order = reads.get_or_build(&key, || build(plan, source, include_deleted, &fields));
    let order = match order {
        Ok(order) => order,
        Err(e) => return Some(Err(e)),
    };
    let wanted = plan
        .limit
        .map(|l| l.saturating_add(plan.offset))
        .unwrap_or(usize::MAX);
    let mut ids = Vec::new();
    for kept in &order.records {
        if ids.len() >= wanted {
            break;
        }
        let matched = match &plan.filter {
            None => true,
            Some(filter) if on_kept => lookups.matches(kept, filter),
            Some(filter) => {
                let id = kept.get("Id").and_then(Value::as_str).unwrap_or_default();
                source
                    .get(id)
                    .filter(|r| include_deleted || !is_deleted(r))
                    .is_some_and(|record| lookups.matches(&record, filter))
            }
        };
        if matched && let Some(id) = kept.get("Id").and_then(Value::as_str) {
            ids.push(id.to_string());
        }
    }
    let start = plan.offset.min(ids.len());
    ids.drain(..start);
    Some(Ok(ids))
}

fn is_deleted(record: &Record) -> bool {
    record
        .get("IsDeleted")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn build(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    fields: &[&str],
) -> Result<Order, SfError> {
    let key = |record: &Record| -> Vec<Typed> {
        plan.order
            .iter()
            .map(|k| {
                typed(
                    k.path.kind,
                    record.get(&k.path.field).unwrap_or(&Value::Null),
                )
            })
            .collect()
    };
    let mut keyed: Vec<(Vec<Typed>, Record)> = Vec::new();
    // Only the kept fields are read when the source can: decoding every whole record is most
    // of a scan's time.
    if let Some(records) = source.field_values(&plan.object, include_deleted, fields) {
        keyed = records.into_iter().map(|r| (key(&r), r)).collect();
    } else {
        source.scan(&plan.object, include_deleted, &mut |record| {
            let kept: Record = fields
                .iter()
                .filter_map(|f| record.get(*f).map(|v| (f.to_string(), v.clone())))
                .collect();
            keyed.push((key(&record), kept));
            true
        })?;
    }
    // Stable, as the scan's answer is sorted: ties keep the id order.
    keyed.sort_by(|a, b| compare_keys(plan, &a.0, &b.0));
    Ok(Order {
        records: keyed.into_iter().map(|(_, r)| r).collect(),
    })
}
