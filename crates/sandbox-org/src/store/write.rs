//! Creates, updates, upserts and deletes with a real org's rules: required fields, types,
//! lengths, restricted picklists, unique and external-id duplicates, references, defaults and
//! system fields.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use super::{
    Change, Record, Stored, UpsertError, UpsertOutcome, Writer, key_text, keyed_ids, now_ms,
    read_record, stamp,
};
use crate::access::WriteOp;
use crate::error::SfError;
use crate::ids;
use crate::schema::{FieldDef, FieldType, ObjectSchema};
use crate::values::coerce;

/// Fields the org sets itself on every write.
const AUDIT_FIELDS: &[&str] = &[
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "IsDeleted",
];

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Create,
    Update,
}

pub(super) fn sql_error(e: rusqlite::Error) -> SfError {
    tracing::error!("sandbox org storage error: {e}");
    SfError::unknown_exception()
}

pub(crate) fn no_such_column(object: &ObjectSchema, name: &str) -> SfError {
    SfError::new(
        "INVALID_FIELD",
        format!("No such column '{name}' on sobject of type {}", object.name),
    )
    .with_fields([name.to_string()])
}

pub(crate) fn not_writable(names: &[String]) -> SfError {
    SfError::new(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        format!(
            "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            names.join(", ")
        ),
    )
    .with_fields(names.iter().cloned())
}

fn entity_deleted() -> SfError {
    SfError::new("ENTITY_IS_DELETED", "entity is deleted")
}

fn not_found() -> SfError {
    SfError::new("NOT_FOUND", "The requested resource does not exist")
}

impl Writer<'_> {
    /// Creates a record from a client's JSON body (field names in any case; `attributes`
    /// ignored; parent references by external id allowed). Returns the new 18-character id.
    pub fn create(
        &mut self,
        object: &str,
        input: &Map<String, Value>,
        user_id: &str,
    ) -> Result<String, Vec<SfError>> {
        let schema = self.store.schema();
        let object = schema
            .object(object)
            .ok_or_else(|| vec![invalid_type(object)])?;
        if !object.createable {
            return Err(vec![SfError::new(
                "INVALID_TYPE",
                format!("sObject type '{}' is not createable", object.name),
            )]);
        }
        self.check_access(user_id, object, Some(input), WriteOp::Create)?;
        let changes = self.normalize(object, input, Mode::Create)?;
        let mut record = Record::new();
        let id = self.store.next_id(object);
        record.insert("Id".into(), Value::String(id.clone()));
        for (name, value) in changes {
            record.insert(name, value);
        }
        apply_defaults(object, &mut record, user_id);
        let missing: Vec<String> = object
            .fields
            .iter()
            .filter(|f| f.required_on_create() && record.get(&f.name).is_none_or(Value::is_null))
            .map(|f| f.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(vec![
                SfError::new(
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{}]", missing.join(", ")),
                )
                .with_fields(missing),
            ]);
        }
        let now = now_ms();
        record.insert("IsDeleted".into(), Value::Bool(false));
        record.insert("CreatedDate".into(), stamp(now));
        record.insert("CreatedById".into(), Value::String(user_id.to_string()));
        stamp_modified(&mut record, user_id, now);
        derive_fields(object, &mut record, None);
        let ordered = in_describe_order(object, record);
        self.check_unique(object, &ordered, None)
            .map_err(|e| vec![e])?;
        self.save(object, &id, &ordered, now).map_err(|e| vec![e])?;
        Ok(id)
    }

    pub fn update(
        &mut self,
        object: &str,
        id: &str,
        input: &Map<String, Value>,
        user_id: &str,
    ) -> Result<(), Vec<SfError>> {
        let schema = self.store.schema();
        let object = schema
            .object(object)
            .ok_or_else(|| vec![invalid_type(object)])?;
        let id = ids::to_18(id).ok_or_else(|| vec![malformed_id(id)])?;
        let existing = self.live_record(object, &id).map_err(|e| vec![e])?;
        self.check_access(user_id, object, Some(input), WriteOp::Update)?;
        let changes = self.normalize(object, input, Mode::Update)?;
        let mut record = existing.clone();
        let probability_given = changes.iter().any(|(k, _)| k == "Probability");
        for (name, value) in changes {
            if name == "Id" {
                continue;
            }
            if let Some(field) = object.field(&name)
                && value.is_null()
                && field.required_on_create()
            {
                return Err(vec![
                    SfError::new(
                        "REQUIRED_FIELD_MISSING",
                        format!("Required fields are missing: [{}]", field.name),
                    )
                    .with_fields([field.name.clone()]),
                ]);
            }
            record.insert(name, value);
        }
        let now = now_ms();
        stamp_modified(&mut record, user_id, now);
        derive_fields(
            object,
            &mut record,
            (!probability_given).then_some(&existing),
        );
        let ordered = in_describe_order(object, record);
        self.check_unique(object, &ordered, Some(&id))
            .map_err(|e| vec![e])?;
        self.save(object, &id, &ordered, now).map_err(|e| vec![e])?;
        Ok(())
    }

    /// Upsert by `ext_field` = `ext_value` (`Id` allowed as the field).
    pub fn upsert(
        &mut self,
        object: &str,
        ext_field: &str,
        ext_value: &str,
        input: &Map<String, Value>,
        user_id: &str,
    ) -> Result<UpsertOutcome, UpsertError> {
        let schema = self.store.schema();
        let object = schema
            .object(object)
            .ok_or_else(|| vec![invalid_type(object)])?;
        let field = object
            .field(ext_field)
            .filter(|f| f.external_id || f.kind == FieldType::Id || (f.id_lookup && f.unique))
            .filter(|f| self.may_read(user_id, object, &f.name))
            .ok_or_else(|| {
                vec![SfError::new(
                    "NOT_FOUND",
                    format!("Provided external ID field does not exist or is not accessible: {ext_field}"),
                )]
            })?;
        let mut body = input.clone();
        if let Some(key) = body
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&field.name))
            .cloned()
        {
            body.remove(&key);
        }
        if field.kind == FieldType::Id {
            let id = ids::to_18(ext_value).ok_or_else(|| vec![malformed_id(ext_value)])?;
            self.update(&object.name, &id, &body, user_id)?;
            return Ok(UpsertOutcome { id, created: false });
        }
        let matches = keyed_ids(
            self.tx,
            &object.name,
            &field.name,
            &key_text(field.case_sensitive, ext_value),
        )
        .map_err(|e| vec![sql_error(e)])?;
        match matches.as_slice() {
            [] => {
                body.insert(field.name.clone(), Value::String(ext_value.to_string()));
                let id = self.create(&object.name, &body, user_id)?;
                Ok(UpsertOutcome { id, created: true })
            }
            [id] => {
                self.update(&object.name, id, &body, user_id)?;
                Ok(UpsertOutcome {
                    id: id.clone(),
                    created: false,
                })
            }
            many => Err(UpsertError::MultipleMatches(many.to_vec())),
        }
    }

    /// Soft-deletes a record (IsDeleted = true, kept for queryAll and getDeleted).
    pub fn delete(&mut self, id: &str, user_id: &str) -> Result<(), SfError> {
        let id18 = ids::to_18(id).ok_or_else(|| malformed_id(id))?;
        let object = self
            .store
            .schema()
            .object_for_id(&id18)
            .ok_or_else(not_found)?
            .clone();
        if !object.deletable {
            return Err(SfError::new(
                "INSUFFICIENT_ACCESS_OR_READONLY",
                "insufficient access rights on object id",
            ));
        }
        let record = self.live_record(&object, &id18)?;
        self.check_access(user_id, &object, None, WriteOp::Delete)
            .map_err(|mut errors| errors.remove(0))?;
        self.soft_delete(&object, record, user_id, 0)
    }

    /// Marks a record deleted and takes its cascade-delete children with it (an Account's
    /// Contacts and Opportunities, as a real org does).
    fn soft_delete(
        &mut self,
        object: &ObjectSchema,
        mut record: Record,
        user_id: &str,
        depth: usize,
    ) -> Result<(), SfError> {
        let id = record
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let now = now_ms();
        record.insert("IsDeleted".into(), Value::Bool(true));
        stamp_modified(&mut record, user_id, now);
        let text = serde_json::to_string(&record).map_err(|_| not_found())?;
        self.tx
            .execute(
                "UPDATE records SET data = ?2, modstamp = ?3, is_deleted = 1, deleted_at = ?3 WHERE id = ?1",
                params![id, text, now],
            )
            .map_err(sql_error)?;
        self.wrote(&object.name, &id, Some((&record, true)));
        if depth > 4 {
            return Ok(());
        }
        let schema = self.store.schema();
        for (child_name, field) in &object.cascade_children {
            let Some(child) = schema.object(child_name) else {
                continue;
            };
            let children: Vec<String> = self
                .tx
                .prepare_cached(
                    "SELECT data FROM records WHERE object = ?1 AND is_deleted = 0 AND json_extract(data, '$.' || ?2) = ?3",
                )
                .and_then(|mut st| st.query_map(params![child.name, field, id], |r| r.get(0))?.collect())
                .map_err(sql_error)?;
            for text in children {
                if let Ok(child_record) = serde_json::from_str::<Record>(&text) {
                    self.soft_delete(child, child_record, user_id, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// Deletes a record for good (Bulk `hardDelete`).
    pub fn hard_delete(&mut self, id: &str) -> Result<(), SfError> {
        let id18 = ids::to_18(id).ok_or_else(|| malformed_id(id))?;
        let gone = self
            .tx
            .execute("DELETE FROM records WHERE id = ?1", params![id18])
            .map_err(sql_error)?;
        if gone > 0
            && let Some(object) = self.store.schema().object_for_id(&id18)
        {
            self.wrote(&object.name, &id18, None);
        }
        self.tx
            .execute("DELETE FROM field_keys WHERE id = ?1", params![id18])
            .map_err(sql_error)?;
        if gone == 0 { Err(not_found()) } else { Ok(()) }
    }

    /// A record as this transaction sees it, deleted ones included.
    pub fn get(&self, id: &str) -> Option<Record> {
        read_record(self.tx, &ids::to_18(id)?).ok().flatten()
    }

    fn live_record(&self, object: &ObjectSchema, id: &str) -> Result<Record, SfError> {
        let row: Option<(String, String, bool)> = self
            .tx
            .prepare_cached("SELECT object, data, is_deleted FROM records WHERE id = ?1")
            .and_then(|mut st| {
                st.query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(sql_error)?;
        match row {
            None => Err(not_found()),
            Some((owner, _, _)) if owner != object.name => Err(not_found()),
            Some((_, _, true)) => Err(entity_deleted()),
            Some((_, data, false)) => serde_json::from_str(&data).map_err(|_| not_found()),
        }
    }

    /// Resolves field names, coerces values and resolves references. All problems of the
    /// body are reported together, as a real org does for field errors.
    fn normalize(
        &self,
        object: &ObjectSchema,
        input: &Map<String, Value>,
        mode: Mode,
    ) -> Result<Vec<(String, Value)>, Vec<SfError>> {
        let mut out = Vec::with_capacity(input.len());
        let mut errors = Vec::new();
        let mut read_only = Vec::new();
        for (key, value) in input {
            if key == "attributes" {
                continue;
            }
            if let Some(field) = object.field(key) {
                if field.kind == FieldType::Id {
                    if mode == Mode::Create {
                        errors.push(
                            SfError::new(
                                "INVALID_FIELD",
                                "Record ID: cannot specify Id in an insert call",
                            )
                            .with_fields(["Id"]),
                        );
                    }
                    continue;
                }
                let writable = match mode {
                    Mode::Create => field.createable,
                    Mode::Update => field.updateable,
                };
                if !writable {
                    read_only.push(field.name.clone());
                    continue;
                }
                match self.field_value(field, value) {
                    Ok(v) => out.push((field.name.clone(), v)),
                    Err(e) => errors.push(e),
                }
            } else if let Some(field) = object.relationship(key).filter(|_| value.is_object()) {
                match self.resolve_parent(field, value) {
                    Ok(id) => out.push((field.name.clone(), Value::String(id))),
                    Err(e) => errors.push(e),
                }
            } else {
                errors.push(no_such_column(object, key));
            }
        }
        if !read_only.is_empty() {
            errors.insert(0, not_writable(&read_only));
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    fn field_value(&self, field: &FieldDef, value: &Value) -> Result<Value, SfError> {
        if field.kind != FieldType::Reference {
            return coerce(field, value);
        }
        let Some(text) = value.as_str() else {
            return if value.is_null() {
                Ok(Value::Null)
            } else {
                coerce(field, value)
            };
        };
        let incorrect = || {
            SfError::new(
                "MALFORMED_ID",
                format!("{}: id value of incorrect type: {}", field.label, text),
            )
            .with_fields([field.name.clone()])
        };
        let id = ids::to_18(text).ok_or_else(incorrect)?;
        let schema = self.store.schema();
        let target = schema.object_for_id(&id).ok_or_else(incorrect)?;
        if !field
            .reference_to
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&target.name))
        {
            return Err(SfError::new(
                "FIELD_INTEGRITY_EXCEPTION",
                format!("{}: id value of incorrect type: {}", field.label, text),
            )
            .with_fields([field.name.clone()]));
        }
        match self.get(&id) {
            Some(r) if r.get("IsDeleted") == Some(&Value::Bool(true)) => {
                Err(SfError::new("ENTITY_IS_DELETED", "entity is deleted")
                    .with_fields([field.name.clone()]))
            }
            Some(_) => Ok(Value::String(id)),
            None => Err(SfError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                format!("invalid cross reference id: {text}"),
            )
            .with_fields([field.name.clone()])),
        }
    }

    /// `"Account": {"External_Id__c": "A-1"}` → the parent's id.
    fn resolve_parent(&self, field: &FieldDef, value: &Value) -> Result<String, SfError> {
        let parent_name = field.reference_to.first().cloned().unwrap_or_default();
        let schema = self.store.schema();
        let parent = schema
            .object(&parent_name)
            .ok_or_else(|| invalid_type(&parent_name))?;
        let spec = value.as_object().cloned().unwrap_or_default();
        let keys: Vec<(&String, &Value)> =
            spec.iter().filter(|(k, _)| *k != "attributes").collect();
        let [(key, key_value)] = keys.as_slice() else {
            return Err(SfError::new(
                "INVALID_FIELD",
                format!(
                    "The foreign key reference {} must name exactly one external ID field",
                    field.relationship_name.as_deref().unwrap_or("")
                ),
            ));
        };
        let ext = parent
            .field(key)
            .filter(|f| f.external_id || f.id_lookup)
            .ok_or_else(|| {
                SfError::new(
                    "INVALID_FIELD",
                    format!(
                        "Foreign key external ID: {key} not found for field {} in entity {}",
                        key, parent.name
                    ),
                )
            })?;
        let text = match key_value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let matches = if ext.kind == FieldType::Id {
            ids::to_18(&text)
                .filter(|id| self.get(id).is_some())
                .into_iter()
                .collect()
        } else {
            keyed_ids(
                self.tx,
                &parent.name,
                &ext.name,
                &key_text(ext.case_sensitive, &text),
            )
            .map_err(sql_error)?
        };
        match matches.as_slice() {
            [id] => Ok(id.clone()),
            [] => Err(SfError::new(
                "INVALID_FIELD",
                format!("Foreign key external ID: {text} not found for field {} in entity {}", ext.name, parent.name),
            )
            .with_fields([field.name.clone()])),
            _ => Err(SfError::new(
                "INVALID_FIELD",
                format!("Foreign key external ID: {text} refers to multiple {} records through field {}", parent.name, ext.name),
            )
            .with_fields([field.name.clone()])),
        }
    }

    fn check_unique(
        &self,
        object: &ObjectSchema,
        record: &Record,
        own_id: Option<&str>,
    ) -> Result<(), SfError> {
        for field in object.fields.iter().filter(|f| f.unique) {
            let Some(text) = record.get(&field.name).and_then(Value::as_str) else {
                continue;
            };
            let holders = keyed_ids(
                self.tx,
                &object.name,
                &field.name,
                &key_text(field.case_sensitive, text),
            )
            .map_err(sql_error)?;
            if let Some(other) = holders.iter().find(|h| Some(h.as_str()) != own_id) {
                return Err(SfError::new(
                    "DUPLICATE_VALUE",
                    format!(
                        "duplicate value found: {} duplicates value on record with id: {}",
                        field.name, other
                    ),
                )
                .with_fields([field.name.clone()]));
            }
        }
        Ok(())
    }

    fn save(
        &self,
        object: &ObjectSchema,
        id: &str,
        record: &Record,
        now: i64,
    ) -> Result<(), SfError> {
        let text = serde_json::to_string(record).map_err(|_| not_found())?;
        let mut upsert_row = self
            .tx
            .prepare_cached(
                "INSERT INTO records(id, object, data, modstamp, is_deleted) VALUES (?1, ?2, ?3, ?4, 0)
                 ON CONFLICT(id) DO UPDATE SET data = excluded.data, modstamp = excluded.modstamp",
            )
            .map_err(sql_error)?;
        upsert_row
            .execute(params![id, object.name, text, now])
            .map_err(sql_error)?;
        // Only live records are saved; `restore` then says whether it put back a deleted one.
        self.wrote(&object.name, id, Some((record, false)));
        self.tx
            .prepare_cached("DELETE FROM field_keys WHERE id = ?1")
            .and_then(|mut st| st.execute(params![id]))
            .map_err(sql_error)?;
        let mut insert_key = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO field_keys(object, field, value, id) VALUES (?1, ?2, ?3, ?4)")
            .map_err(sql_error)?;
        for field in object.fields.iter().filter(|f| f.external_id || f.unique) {
            if let Some(text) = record.get(&field.name).and_then(Value::as_str) {
                insert_key
                    .execute(params![
                        object.name,
                        field.name,
                        key_text(field.case_sensitive, text),
                        id
                    ])
                    .map_err(sql_error)?;
            }
        }
        Ok(())
    }
}

fn invalid_type(object: &str) -> SfError {
    SfError::new(
        "NOT_FOUND",
        format!("The requested resource does not exist: sObject type '{object}' is not supported."),
    )
}

fn malformed_id(id: &str) -> SfError {
    SfError::new("MALFORMED_ID", format!("malformed id {id}"))
}

fn stamp_modified(record: &mut Record, user_id: &str, now: i64) {
    record.insert("LastModifiedDate".into(), stamp(now));
    record.insert(
        "LastModifiedById".into(),
        Value::String(user_id.to_string()),
    );
    record.insert("SystemModstamp".into(), stamp(now));
}

/// Defaults a real org applies on create: owner, record type, picklist and checkbox defaults.
fn apply_defaults(object: &ObjectSchema, record: &mut Record, user_id: &str) {
    for field in &object.fields {
        if record.contains_key(&field.name) || AUDIT_FIELDS.contains(&field.name.as_str()) {
            continue;
        }
        if field.name == "OwnerId" && field.createable {
            record.insert(field.name.clone(), Value::String(user_id.to_string()));
        } else if field.name == "RecordTypeId"
            && let Some(default) = object.default_record_type()
        {
            record.insert(field.name.clone(), Value::String(default.to_string()));
        } else if field.kind == FieldType::Boolean && field.createable {
            let default = field
                .default_value
                .as_ref()
                .and_then(Value::as_bool)
                .unwrap_or(false);
            record.insert(field.name.clone(), Value::Bool(default));
        } else if field.defaulted_on_create && matches!(field.kind, FieldType::Picklist) {
            if let Some(v) = field.default_picklist_value() {
                record.insert(field.name.clone(), Value::String(v.to_string()));
            }
        } else if let Some(v) = field.default_value.as_ref().filter(|_| field.createable) {
            record.insert(field.name.clone(), v.clone());
        }
    }
}

/// Opportunity stage probability (%) and forecast category, as the default sales process sets.
fn stage_defaults(stage: &str) -> Option<(f64, &'static str)> {
    Some(match stage {
        "Prospecting" | "Qualification" => (10.0, "Pipeline"),
        "Needs Analysis" => (20.0, "Pipeline"),
        "Value Proposition" => (50.0, "Pipeline"),
        "Id. Decision Makers" => (60.0, "Pipeline"),
        "Perception Analysis" => (70.0, "Pipeline"),
        "Proposal/Price Quote" => (75.0, "Pipeline"),
        "Negotiation/Review" => (90.0, "Commit"),
        "Closed Won" => (100.0, "Closed"),
        "Closed Lost" => (0.0, "Omitted"),
        _ => return None,
    })
}

/// Values a real org derives: compound names, stage probability and flags.
fn derive_fields(object: &ObjectSchema, record: &mut Record, before: Option<&Record>) {
    if object.field("FirstName").is_some()
        && object.field("LastName").is_some()
        && object.field("Name").is_some_and(|f| !f.createable)
    {
        let first = record
            .get("FirstName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let last = record.get("LastName").and_then(Value::as_str).unwrap_or("");
        let name = format!("{first} {last}").trim().to_string();
        record.insert("Name".into(), Value::String(name));
    }
    if object.name == "Opportunity" {
        let stage = record
            .get("StageName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let stage_changed = before.is_none_or(|b| b.get("StageName") != record.get("StageName"));
        if let Some((probability, category)) = stage.as_deref().and_then(stage_defaults) {
            if stage_changed
                && (before.is_some() || record.get("Probability").is_none_or(Value::is_null))
            {
                record.insert("Probability".into(), serde_json::json!(probability));
            }
            record.insert(
                "ForecastCategoryName".into(),
                Value::String(category.into()),
            );
            let category_value = match category {
                "Commit" => "Forecast",
                "Best Case" => "BestCase",
                other => other,
            };
            record.insert(
                "ForecastCategory".into(),
                Value::String(category_value.into()),
            );
            record.insert(
                "IsClosed".into(),
                Value::Bool(stage.as_deref().is_some_and(|s| s.starts_with("Closed"))),
            );
            record.insert(
                "IsWon".into(),
                Value::Bool(stage.as_deref() == Some("Closed Won")),
            );
        }
        let amount = record.get("Amount").and_then(Value::as_f64);
        let probability = record.get("Probability").and_then(Value::as_f64);
        if let (Some(a), Some(p)) = (amount, probability) {
            record.insert(
                "ExpectedRevenue".into(),
                serde_json::json!((a * p / 100.0 * 100.0).round() / 100.0),
            );
        }
    }
    super::derived::derive(&object.name, record);
}

/// Keys in describe order, so that records read back like a real org's, and only fields the
/// object has (derived fields an object lacks are dropped).
fn in_describe_order(object: &ObjectSchema, mut record: Record) -> Record {
    let mut ordered = Record::new();
    for field in &object.fields {
        if let Some(v) = record.remove(&field.name) {
            ordered.insert(field.name.clone(), v);
        }
    }
    ordered
}

impl Writer<'_> {
    /// Puts a record back exactly as it was read (a before-image), live or deleted: how the
    /// org undoes the work of a failed all-or-none request.
    pub fn restore(&mut self, record: &Record) -> Result<(), SfError> {
        let id = record
            .get("Id")
            .and_then(Value::as_str)
            .ok_or_else(not_found)?
            .to_string();
        let schema = self.store.schema();
        let object = schema.object_for_id(&id).ok_or_else(not_found)?;
        let modstamp = record
            .get("SystemModstamp")
            .and_then(Value::as_str)
            .and_then(crate::values::parse_datetime)
            .map(|d| d.timestamp_millis())
            .unwrap_or_else(now_ms);
        self.save(object, &id, record, modstamp)?;
        let deleted = record.get("IsDeleted") == Some(&Value::Bool(true));
        self.tx
            .execute(
                "UPDATE records SET is_deleted = ?2, deleted_at = CASE WHEN ?2 THEN ?3 ELSE NULL END WHERE id = ?1",
                params![id, deleted, modstamp],
            )
            .map_err(sql_error)?;
        self.wrote(&object.name, &id, Some((record, deleted)));
        Ok(())
    }

    /// Notes a record this transaction wrote, for the indexes kept on its object.
    fn wrote(&self, object: &str, id: &str, now: Option<(&Record, bool)>) {
        if crate::access::is_grant_object(object) {
            self.wrote_grants.set(true);
        }
        if !self.store.reads.follows(object) {
            return;
        }
        self.changes.borrow_mut().push(Change {
            object: object.to_string(),
            id: id.to_string(),
            stored: now.map(|(record, deleted)| Stored {
                record: record.clone(),
                deleted,
            }),
        });
    }
}
