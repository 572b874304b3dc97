//! Shaping matched records as a real org answers them: `attributes` first, fields in SELECT
//! order, parent fields nested under their relationship name (`"Account": null` when unset).

mod nested;

use serde_json::{Map, Value, json};

use super::eval::Lookups;
use super::plan::{ChildQuery, Column, Hop, Plan, TypeOfPlan};
use crate::store::Record;

pub use nested::shape_for;

/// The select list as a tree: fields of this record, and parents with their own fields.
#[derive(Debug, Clone)]
pub enum Shape {
    Field(String),
    Parent { hop: Hop, children: Vec<Shape> },
    Children(Box<ChildQuery>),
    TypeOf(Box<TypeOfPlan>),
}

/// Builds the tree, each relationship placed where it first appears in the select list.
pub fn shape(columns: &[Column]) -> Vec<Shape> {
    let mut roots = Vec::new();
    for column in columns {
        insert(&mut roots, &column.path.hops, &column.path.field);
    }
    roots
}

pub(super) fn insert(level: &mut Vec<Shape>, hops: &[Hop], field: &str) {
    let Some((hop, rest)) = hops.split_first() else {
        level.push(Shape::Field(field.to_string()));
        return;
    };
    for existing in level.iter_mut() {
        if let Shape::Parent { hop: h, children } = existing
            && h.lookup == hop.lookup
        {
            insert(children, rest, field);
            return;
        }
    }
    let mut children = Vec::new();
    insert(&mut children, rest, field);
    level.push(Shape::Parent {
        hop: hop.clone(),
        children,
    });
}

fn attributes(object: &str, id: Option<&str>, version: &str) -> Value {
    match id {
        Some(id) => {
            json!({ "type": object, "url": format!("/services/data/{version}/sobjects/{object}/{id}") })
        }
        None => json!({ "type": object }),
    }
}

pub(super) fn project_level(
    object: &str,
    record: &Record,
    shapes: &[Shape],
    lookups: &mut Lookups<'_>,
    version: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    let id = record.get("Id").and_then(Value::as_str);
    out.insert("attributes".into(), attributes(object, id, version));
    for shape in shapes {
        match shape {
            Shape::Field(name) => {
                out.insert(
                    name.clone(),
                    record.get(name).cloned().unwrap_or(Value::Null),
                );
            }
            Shape::Parent { hop, children } => {
                let parent_id = record.get(&hop.lookup).and_then(Value::as_str);
                let nested = parent_id.and_then(|pid| {
                    let parent = lookups.get(pid)?.clone();
                    let target = hop.target_for(pid).to_string();
                    Some(Value::Object(project_level(
                        &target, &parent, children, lookups, version,
                    )))
                });
                out.insert(hop.relationship.clone(), nested.unwrap_or(Value::Null));
            }
            Shape::Children(child) => {
                let value = nested::children(child, record, lookups, version);
                out.insert(child.relationship.clone(), value);
            }
            Shape::TypeOf(plan) => {
                let value = nested::type_of(plan, record, lookups, version);
                out.insert(plan.hop.relationship.clone(), value);
            }
        }
    }
    out
}

/// One record of a query answer; `version` is the path segment, e.g. `v60.0`.
pub fn project(
    plan: &Plan,
    shapes: &[Shape],
    record: &Record,
    lookups: &mut Lookups<'_>,
    version: &str,
) -> Value {
    Value::Object(project_level(
        &plan.object,
        record,
        shapes,
        lookups,
        version,
    ))
}

/// The flat values of each column, for CSV answers (Bulk query results).
pub fn column_values(columns: &[Column], record: &Record, lookups: &mut Lookups<'_>) -> Vec<Value> {
    columns
        .iter()
        .map(|c| lookups.value(record, &c.path))
        .collect()
}
