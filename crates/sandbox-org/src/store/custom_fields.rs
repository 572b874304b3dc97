//! Custom fields added while the org runs (Tooling API), kept as their Metadata JSON in the
//! org's data file and applied over the schema files at start: the user's schema file is
//! never rewritten.

use std::sync::Arc;

use rusqlite::{Connection, params};
use serde_json::Value;

use super::{Store, StoreError, now_ms, write};
use crate::error::SfError;
use crate::ids;
use crate::schema::{Schema, metadata};

pub(super) const MIGRATION: &str = "
CREATE TABLE IF NOT EXISTS custom_fields (
    serial INTEGER PRIMARY KEY AUTOINCREMENT,
    object TEXT NOT NULL,
    name TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    deleted_ms INTEGER
);
";

/// Key prefix of CustomField ids.
pub const CUSTOM_FIELD_PREFIX: &str = "00N";

/// One field added through the Tooling API.
#[derive(Debug, Clone)]
pub struct AddedField {
    pub id: String,
    pub object: String,
    pub name: String,
    pub metadata: Value,
    pub created_ms: i64,
}

fn read_added(conn: &Connection) -> rusqlite::Result<Vec<AddedField>> {
    let mut st = conn.prepare_cached(
        "SELECT serial, object, name, metadata, created_ms FROM custom_fields
         WHERE deleted_ms IS NULL ORDER BY serial",
    )?;
    let rows = st.query_map([], |r| {
        let serial: i64 = r.get(0)?;
        let text: String = r.get(3)?;
        Ok(AddedField {
            id: ids::mint(CUSTOM_FIELD_PREFIX, serial as u64),
            object: r.get(1)?,
            name: r.get(2)?,
            metadata: serde_json::from_str(&text).unwrap_or(Value::Null),
            created_ms: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// `schema` with the fields the data file holds; a field that no longer fits (its object is
/// gone from the schema file, or the file now declares it) is left out, with a warning.
pub(super) fn apply_added(
    conn: &Connection,
    schema: Arc<Schema>,
) -> Result<Arc<Schema>, StoreError> {
    let added = read_added(conn)?;
    let mut schema = schema;
    for field in added {
        let spec = match metadata::field_spec(&field.name, &field.metadata) {
            Ok(spec) => spec,
            Err(e) => {
                tracing::warn!(
                    "custom field {}.{} left out: {}",
                    field.object,
                    field.name,
                    e.message
                );
                continue;
            }
        };
        match schema.with_custom_field(&field.object, &spec) {
            Ok(next) => schema = Arc::new(next),
            Err(e) => tracing::warn!("custom field {}.{} left out: {e}", field.object, field.name),
        }
    }
    Ok(schema)
}

impl Store {
    /// The fields added through the Tooling API, oldest first.
    pub fn added_fields(&self) -> Result<Vec<AddedField>, SfError> {
        read_added(&self.lock()).map_err(write::sql_error)
    }

    /// The added field whose CustomField id is `id` (15 or 18 characters).
    pub fn added_field(&self, id: &str) -> Result<Option<AddedField>, SfError> {
        let id = ids::to_18(id);
        Ok(self
            .added_fields()?
            .into_iter()
            .find(|f| Some(&f.id) == id.as_ref()))
    }

    /// Adds `object.name` (checked by [`metadata::field_spec`]) to the schema and keeps it in
    /// the data file; answers its CustomField id.
    pub fn add_field(
        &self,
        object: &str,
        name: &str,
        field_metadata: &Value,
    ) -> Result<String, SfError> {
        let spec = metadata::field_spec(name, field_metadata)?;
        let _change = self
            .schema_changes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let schema = self.schema();
        let Some(target) = schema.object(object) else {
            return Err(SfError::new(
                "FIELD_INTEGRITY_EXCEPTION",
                format!(
                    "Entity Enumeration Or ID: bad value for restricted picklist field: {object}"
                ),
            )
            .with_fields(["FullName"]));
        };
        if let Some(existing) = target.field(name) {
            return Err(SfError::new(
                "DUPLICATE_DEVELOPER_NAME",
                format!(
                    "There is already a field named {} on {}.",
                    existing.name.trim_end_matches("__c"),
                    target.label
                ),
            )
            .with_fields(["FullName"]));
        }
        let object = target.name.clone();
        let next = schema
            .with_custom_field(&object, &spec)
            .map_err(|e| SfError::new("FIELD_INTEGRITY_EXCEPTION", e.to_string()))?;
        self.discard_deleted_values(&object, name)?;
        let serial = {
            let conn = self.lock();
            conn.execute(
                "INSERT INTO custom_fields(object, name, metadata, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![object, name, field_metadata.to_string(), now_ms()],
            )
            .map_err(write::sql_error)?;
            conn.last_insert_rowid()
        };
        self.replace_schema(Arc::new(next));
        Ok(ids::mint(CUSTOM_FIELD_PREFIX, serial as u64))
    }

    /// A new field starts empty: the values a deleted field of the same name left in the
    /// records (kept while it was deleted, unread) go, and so do its keys.
    fn discard_deleted_values(&self, object: &str, name: &str) -> Result<(), SfError> {
        let (names, ids) = {
            let conn = self.lock();
            let names = conn
                .prepare_cached(
                    "SELECT DISTINCT name FROM custom_fields
                     WHERE object = ?1 AND lower(name) = lower(?2) AND deleted_ms IS NOT NULL",
                )
                .and_then(|mut st| {
                    st.query_map(params![object, name], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .map_err(write::sql_error)?;
            let mut ids = Vec::new();
            for old in &names {
                let mut st = conn
                    .prepare_cached(
                        "SELECT id FROM records WHERE object = ?1 AND json_type(data, ?2) IS NOT NULL",
                    )
                    .map_err(write::sql_error)?;
                let found = st
                    .query_map(params![object, format!("$.\"{old}\"")], |r| {
                        r.get::<_, String>(0)
                    })
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
                    .map_err(write::sql_error)?;
                ids.extend(found);
            }
            (names, ids)
        };
        if names.is_empty() {
            return Ok(());
        }
        let records = self.get_many(&ids);
        self.write(|w| {
            for mut record in records {
                record.retain(|key, _| !key.eq_ignore_ascii_case(name));
                w.restore(&record)?;
            }
            for old in &names {
                w.tx.execute(
                    "DELETE FROM field_keys WHERE object = ?1 AND field = ?2",
                    params![object, old],
                )
                .map_err(write::sql_error)?;
                w.tx.execute(
                    "DELETE FROM custom_fields WHERE object = ?1 AND name = ?2 AND deleted_ms IS NOT NULL",
                    params![object, old],
                )
                .map_err(write::sql_error)?;
            }
            Ok::<_, SfError>(())
        })
    }

    /// Takes the added field `id` out of the schema and the data file, with the
    /// FieldPermissions that granted it (as deleting a field in Setup does, so that a field
    /// created again under its name starts hidden); its values stay in the records, unread.
    /// `false` when no added field has that id.
    pub fn remove_field(&self, id: &str, user_id: &str) -> Result<bool, SfError> {
        let _change = self
            .schema_changes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(field) = self.added_field(id)? else {
            return Ok(false);
        };
        let schema = self.schema();
        self.lock()
            .execute(
                "UPDATE custom_fields SET deleted_ms = ?3 WHERE object = ?1 AND name = ?2 AND deleted_ms IS NULL",
                params![field.object, field.name, now_ms()],
            )
            .map_err(write::sql_error)?;
        if let Some(next) = schema.without_field(&field.object, &field.name) {
            self.replace_schema(Arc::new(next));
        }
        let full_name = format!("{}.{}", field.object, field.name);
        let mut grants = Vec::new();
        self.scan("FieldPermissions", false, &mut |record| {
            let granted = record.get("Field").and_then(serde_json::Value::as_str);
            if granted.is_some_and(|f| f.eq_ignore_ascii_case(&full_name))
                && let Some(id) = record.get("Id").and_then(serde_json::Value::as_str)
            {
                grants.push(id.to_string());
            }
            true
        })?;
        self.write(|w| {
            for grant in &grants {
                w.delete(grant, user_id)?;
            }
            Ok::<_, SfError>(())
        })?;
        Ok(true)
    }
}
