//! What a write needs: the right on the object, edit on every custom field it sets, and,
//! for the permission objects, no duplicate of a permission set's name, an assignment or a
//! field permission.

use serde_json::{Map, Value};

use super::{Grants, is_permission_object};
use crate::error::SfError;
use crate::schema::{ObjectSchema, is_secured_field};
use crate::store::{Record, no_such_column, not_writable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp {
    Create,
    Update,
    Delete,
}

fn insufficient_access() -> SfError {
    SfError::new(
        "INSUFFICIENT_ACCESS_OR_READONLY",
        "insufficient access rights on object id",
    )
}

/// Refuses what `grants` do not allow of a write of `input` (`None` for a delete) to
/// `object`; `records` reads the live records of an object inside the write.
pub fn check_write(
    grants: &Grants,
    object: &ObjectSchema,
    input: Option<&Map<String, Value>>,
    op: WriteOp,
    records: &dyn Fn(&str) -> Vec<Record>,
) -> Result<(), Vec<SfError>> {
    // The org's own setup writes what it knows to be new.
    if grants.unrestricted {
        return Ok(());
    }
    if op == WriteOp::Create
        && is_permission_object(&object.name)
        && let Some(input) = input
    {
        check_duplicate(object, input, records)?;
    }
    let rights = grants.object(&object.name);
    let allowed = match op {
        WriteOp::Create => rights.create,
        WriteOp::Update => rights.edit,
        WriteOp::Delete => rights.delete,
    };
    if !allowed {
        return Err(vec![insufficient_access()]);
    }
    let Some(input) = input else {
        return Ok(());
    };
    let mut errors = Vec::new();
    let mut read_only = Vec::new();
    for key in input.keys() {
        let by_relationship = key.len() > 3 && key[key.len() - 3..].eq_ignore_ascii_case("__r");
        // Standard fields and their relationships are never secured: no lookup for them.
        if !(is_secured_field(key) || by_relationship) {
            continue;
        }
        let field = object
            .field(key)
            .or_else(|| object.relationship(key))
            .map_or(key.as_str(), |f| f.name.as_str());
        if !is_secured_field(field) {
            continue;
        }
        match grants.field(&object.name, field) {
            (false, _) => errors.push(no_such_column(object, key)),
            (true, false) => read_only.push(field.to_string()),
            (true, true) => {}
        }
    }
    if !read_only.is_empty() {
        errors.insert(0, not_writable(&read_only));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The keys that make a permission record unique, and the error a duplicate is.
fn check_duplicate(
    object: &ObjectSchema,
    input: &Map<String, Value>,
    records: &dyn Fn(&str) -> Vec<Record>,
) -> Result<(), Vec<SfError>> {
    let (keys, code): (&[&str], &str) = match object.name.as_str() {
        "PermissionSet" => (&["Name"], "DUPLICATE_DEVELOPER_NAME"),
        "PermissionSetAssignment" => (&["AssigneeId", "PermissionSetId"], "DUPLICATE_VALUE"),
        "FieldPermissions" => (&["ParentId", "Field"], "DUPLICATE_VALUE"),
        "ObjectPermissions" => (&["ParentId", "SobjectType"], "DUPLICATE_VALUE"),
        _ => return Ok(()),
    };
    let given = |key: &str| {
        input
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.as_str())
            .map(|v| crate::ids::to_18(v).unwrap_or_else(|| v.to_string()))
    };
    let wanted: Vec<Option<String>> = keys.iter().map(|k| given(k)).collect();
    if wanted.iter().any(Option::is_none) {
        return Ok(());
    }
    let same = |r: &Record| {
        keys.iter().zip(&wanted).all(|(k, w)| {
            r.get(*k)
                .and_then(Value::as_str)
                .zip(w.as_deref())
                .is_some_and(|(have, want)| have.eq_ignore_ascii_case(want))
        })
    };
    match records(&object.name).iter().find(|r| same(r)) {
        None => Ok(()),
        Some(existing) => {
            let id = existing.get("Id").and_then(Value::as_str).unwrap_or("");
            let message = if code == "DUPLICATE_DEVELOPER_NAME" {
                "The API name you entered is already in use. Enter a unique API name.".to_string()
            } else {
                format!(
                    "duplicate value found: {} duplicates value on record with id: {id}",
                    keys.join(", ")
                )
            };
            Err(vec![
                SfError::new(code, message).with_fields(keys.iter().map(|k| k.to_string())),
            ])
        }
    }
}
