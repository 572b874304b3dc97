//! Shaping child records (`"Contacts": {"totalSize", "done", "records"}` or null) and TYPEOF
//! parents (the fields of the branch the parent's type picks).

use serde_json::{Value, json};

use super::{Shape, insert_column, project_level, shape};
use crate::soql::eval::Lookups;
use crate::soql::plan::{ChildQuery, NestedKind, Output, Plan, TypeOfPlan};
use crate::store::Record;

/// The select list of `plan` as a tree, child subqueries and TYPEOF items in SELECT order.
pub fn shape_for(plan: &Plan) -> Vec<Shape> {
    let Output::Records(columns) = &plan.output else {
        return Vec::new();
    };
    let mut roots = Vec::new();
    let mut next = 0;
    for nested in &plan.nested {
        let upto = nested.after.min(columns.len());
        for column in columns.get(next..upto).unwrap_or_default() {
            insert_column(&mut roots, column);
        }
        next = upto.max(next);
        roots.push(match &nested.kind {
            NestedKind::Children(child) => Shape::Children(child.clone()),
            NestedKind::TypeOf(t) => Shape::TypeOf(t.clone()),
        });
    }
    for column in columns.get(next..).unwrap_or_default() {
        insert_column(&mut roots, column);
    }
    roots
}

/// A parent's child records as a real org nests them; null when there are none.
pub(super) fn children(
    child: &ChildQuery,
    record: &Record,
    lookups: &mut Lookups<'_>,
    version: &str,
) -> Value {
    let Some(parent_id) = record.get("Id").and_then(Value::as_str) else {
        return Value::Null;
    };
    let rows = lookups.children_of(child, parent_id);
    if rows.is_empty() {
        return Value::Null;
    }
    let shapes = shape_for(&child.plan);
    let records: Vec<Value> = rows
        .iter()
        .map(|row| {
            Value::Object(project_level(
                &child.plan.object,
                row,
                &shapes,
                lookups,
                version,
            ))
        })
        .collect();
    json!({ "totalSize": records.len(), "done": true, "records": records })
}

/// The polymorphic parent with the fields of its type's WHEN (or of ELSE); null when unset.
pub(super) fn type_of(
    plan: &TypeOfPlan,
    record: &Record,
    lookups: &mut Lookups<'_>,
    version: &str,
) -> Value {
    let Some(parent_id) = record.get(&plan.hop.lookup).and_then(Value::as_str) else {
        return Value::Null;
    };
    let Some(parent) = lookups.get(parent_id).cloned() else {
        return Value::Null;
    };
    let object = plan.hop.target_for(parent_id).to_string();
    let columns = plan
        .whens
        .iter()
        .find(|(name, _)| *name == object)
        .map(|(_, columns)| columns)
        .unwrap_or(&plan.otherwise);
    let shapes = shape(columns);
    Value::Object(project_level(&object, &parent, &shapes, lookups, version))
}
