//! Shaping matched records as a real org answers them: `attributes` first, fields in SELECT
//! order, parent fields nested under their relationship name (`"Account": null` when unset).

mod nested;

use serde_json::{Map, Value, json};

use super::display::Display;
use super::eval::Lookups;
use super::plan::{ChildQuery, Column, Hop, Plan, TypeOfPlan};
use crate::store::Record;

pub use nested::shape_for;

/// The select list as a tree: fields of this record, and parents with their own fields.
#[derive(Debug, Clone)]
pub enum Shape {
    Field(String),
    /// `toLabel(f)`, `FORMAT(f) alias`: the field's value rewritten, under `key`.
    Display {
        key: String,
        field: String,
        display: Display,
    },
    Parent {
        hop: Hop,
        children: Vec<Shape>,
    },
    Children(Box<ChildQuery>),
    TypeOf(Box<TypeOfPlan>),
    /// An aliased display of a parent's field (`toLabel(Account.Type) t`), read at the top.
    Through {
        key: String,
        path: Box<super::plan::ResolvedPath>,
        display: Display,
    },
}

/// Builds the tree, each relationship placed where it first appears in the select list.
pub fn shape(columns: &[Column]) -> Vec<Shape> {
    let mut roots = Vec::new();
    for column in columns {
        insert_column(&mut roots, column);
    }
    roots
}

/// Places one selected column: a plain field under its relationships, a display too unless
/// aliased (an alias answers at the top level, even for `toLabel(Account.Type) t`).
pub(super) fn insert_column(roots: &mut Vec<Shape>, column: &Column) {
    let path = &column.path;
    let Some(display) = &column.display else {
        insert(roots, &path.hops, &path.field);
        return;
    };
    let aliased = column.alias.is_some();
    let hops = if aliased { &[][..] } else { &path.hops[..] };
    let leaf = Shape::Display {
        key: column.alias.clone().unwrap_or_else(|| path.field.clone()),
        field: path.field.clone(),
        display: display.clone(),
    };
    insert_leaf(roots, hops, leaf, aliased.then_some(path));
}

pub(super) fn insert(level: &mut Vec<Shape>, hops: &[Hop], field: &str) {
    insert_leaf(level, hops, Shape::Field(field.to_string()), None);
}

/// Places `leaf` under its relationships; an aliased display reads through `through`.
fn insert_leaf(
    level: &mut Vec<Shape>,
    hops: &[Hop],
    leaf: Shape,
    through: Option<&super::plan::ResolvedPath>,
) {
    let leaf = match (leaf, through) {
        (Shape::Display { key, display, .. }, Some(path)) if !path.hops.is_empty() => {
            Shape::Through {
                key,
                path: Box::new(path.clone()),
                display,
            }
        }
        (leaf, _) => leaf,
    };
    let Some((hop, rest)) = hops.split_first() else {
        level.push(leaf);
        return;
    };
    for existing in level.iter_mut() {
        if let Shape::Parent { hop: h, children } = existing
            && h.lookup == hop.lookup
        {
            insert_leaf(children, rest, leaf, None);
            return;
        }
    }
    let mut children = Vec::new();
    insert_leaf(&mut children, rest, leaf, None);
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
            Shape::Display {
                key,
                field,
                display,
            } => {
                let value = record.get(field).cloned().unwrap_or(Value::Null);
                out.insert(key.clone(), display.apply(&value));
            }
            Shape::Through { key, path, display } => {
                let value = lookups.value(record, path);
                out.insert(key.clone(), display.apply(&value));
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
        .map(|c| {
            let value = lookups.value(record, &c.path);
            match &c.display {
                Some(display) => display.apply(&value),
                None => value,
            }
        })
        .collect()
}
