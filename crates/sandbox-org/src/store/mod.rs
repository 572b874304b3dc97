//! The org's records, in SQLite (in memory, or a file so that a demo org survives restarts).
//!
//! Records are kept in their wire form (`serde_json::Map` with the describe's field names) so
//! that every reader (SOQL, REST, Bulk) sees exactly what a client would. External-id and
//! unique fields are indexed in `field_keys` so that upserts and duplicate checks never scan.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value};

use crate::error::SfError;
use crate::ids;
use crate::schema::{ObjectSchema, Schema};
use crate::values::format_datetime_ms;

mod age;
mod cache;
mod custom_fields;
mod derived;
mod guard;
mod partial;
mod write;

pub use cache::{Change, KeptIndex, ReadCache, Stored};
pub use custom_fields::{AddedField, CUSTOM_FIELD_PREFIX};
pub(crate) use write::{no_such_column, not_writable};

/// One record: field API name (describe case) → wire value. Always has `Id`, `IsDeleted`,
/// `CreatedDate`, `CreatedById`, `LastModifiedDate`, `LastModifiedById` and `SystemModstamp`.
pub type Record = Map<String, Value>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the sandbox org's data file: {0}. Check that the folder exists and is writable"
    )]
    Open(#[source] rusqlite::Error),
    #[error("the sandbox org's data file is damaged: {0}. Move it away to start with a fresh org")]
    Sqlite(#[from] rusqlite::Error),
}

/// The outcome of a successful upsert.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertOutcome {
    pub id: String,
    pub created: bool,
}

/// Why an upsert failed.
#[derive(Debug, Clone)]
pub enum UpsertError {
    /// Several records match the external id: their ids (answered with HTTP 300).
    MultipleMatches(Vec<String>),
    Errors(Vec<SfError>),
}

impl From<SfError> for UpsertError {
    fn from(e: SfError) -> Self {
        UpsertError::Errors(vec![e])
    }
}

impl From<Vec<SfError>> for UpsertError {
    fn from(e: Vec<SfError>) -> Self {
        UpsertError::Errors(e)
    }
}

const MIGRATION: &str = "
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    object TEXT NOT NULL,
    data TEXT NOT NULL,
    modstamp INTEGER NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0,
    deleted_at INTEGER
);
CREATE INDEX IF NOT EXISTS records_by_object ON records(object, is_deleted, id);
CREATE INDEX IF NOT EXISTS records_by_modstamp ON records(object, modstamp);
CREATE TABLE IF NOT EXISTS field_keys (
    object TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (object, field, value, id)
);
CREATE INDEX IF NOT EXISTS field_keys_by_id ON field_keys(id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
";

/// How many rows a scan reads per lock, so that visitors may call back into the store.
const SCAN_CHUNK: usize = 500;

pub struct Store {
    conn: Mutex<Connection>,
    /// Replaced whole when the org's fields change (Tooling API), so that a reader holding
    /// the previous one finishes with a consistent view.
    schema: RwLock<Arc<Schema>>,
    /// Held across a read-change-replace of the schema, so that two changes never lose one.
    schema_changes: Mutex<()>,
    serial: AtomicU64,
    /// Sort orders and search tokens, brought up to date by every write.
    reads: ReadCache,
    /// Users' grants, forgotten when a transaction writes a grant record.
    access: crate::access::Access,
}

/// Writes inside one transaction; see [`Store::transaction`].
pub struct Writer<'a> {
    tx: &'a Transaction<'a>,
    store: &'a Store,
    /// The records written, for the kept indexes once the transaction commits.
    changes: std::cell::RefCell<Vec<Change>>,
    /// Whether a grant record was written, so that users' grants are read again.
    wrote_grants: std::cell::Cell<bool>,
}

impl Writer<'_> {
    /// Notes `key` in the data file for good: what the org did once and must not do again
    /// (a field it granted, whose grant a client may have deleted since).
    pub fn mark(&self, key: &str) -> Result<(), SfError> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, 1)",
                params![key],
            )
            .map(|_| ())
            .map_err(write::sql_error)
    }
}

impl Store {
    pub fn open(path: Option<&Path>, schema: Arc<Schema>) -> Result<Store, StoreError> {
        let conn = match path {
            Some(p) => Connection::open(p).map_err(StoreError::Open)?,
            None => Connection::open_in_memory().map_err(StoreError::Open)?,
        };
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(MIGRATION)?;
        conn.execute_batch(custom_fields::MIGRATION)?;
        let schema = custom_fields::apply_added(&conn, schema)?;
        conn.set_prepared_statement_cache_capacity(64);
        let serial: i64 = conn
            .query_row("SELECT value FROM meta WHERE key = 'serial'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0);
        let store = Store {
            conn: Mutex::new(conn),
            schema: RwLock::new(schema),
            schema_changes: Mutex::new(()),
            serial: AtomicU64::new(serial as u64),
            reads: ReadCache::default(),
            access: crate::access::Access::default(),
        };
        store.keep_standard_indexes();
        Ok(store)
    }

    /// Builds the indexes a real org keeps on every object, the order of its name field and
    /// its search tokens, so that no request pays for them; writes keep them up to date.
    fn keep_standard_indexes(&self) {
        let schema = self.schema();
        for object in schema.objects() {
            crate::soql::keep_name_order(self, object);
            crate::sosl::keep_search_tokens(self, object);
        }
    }

    /// The org's schema as it is now; fields added later are in the next call's answer.
    pub fn schema(&self) -> Arc<Schema> {
        self.schema
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Makes `schema` the org's schema for every request that starts after this call.
    pub fn replace_schema(&self, schema: Arc<Schema>) {
        *self
            .schema
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = schema;
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent: its transaction
        // rolls back when dropped, so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the store's own connection, under its lock: how tests break storage on
    /// purpose (a commit hook that refuses, a transaction left open, a damaged row).
    #[doc(hidden)]
    pub fn with_connection<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> R {
        let mut conn = self.lock();
        self.reads.invalidate();
        let result = f(&mut conn);
        self.reads.invalidate();
        result
    }

    /// Indexes read from the records, brought up to date by every write.
    pub fn reads(&self) -> &ReadCache {
        &self.reads
    }

    /// Id and `fields` of every record of `object` in id order (as [`Store::scan`] visits
    /// them), read by SQLite from the stored JSON without decoding whole records; `None` when
    /// a name is not a plain API name or storage cannot read them so.
    pub fn field_values(
        &self,
        object: &str,
        include_deleted: bool,
        fields: &[&str],
    ) -> Option<Vec<Record>> {
        let schema = self.schema();
        let object = schema.object(object)?;
        let plain =
            |f: &&str| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !fields.iter().all(plain) {
            return None;
        }
        let columns: Vec<String> = fields.iter().map(|f| format!("data -> '$.{f}'")).collect();
        let live = if include_deleted {
            ""
        } else {
            " AND is_deleted = 0"
        };
        let sql = format!(
            "SELECT {} FROM records WHERE object = ?1{live} ORDER BY id",
            columns.join(", ")
        );
        let conn = self.lock();
        let mut st = conn.prepare(&sql).ok()?;
        let rows = st
            .query_map(params![object.name], |row| {
                let mut record = Record::new();
                for (i, field) in fields.iter().enumerate() {
                    if let Some(text) = row.get::<_, Option<String>>(i)? {
                        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        record.insert(field.to_string(), value);
                    }
                }
                Ok(record)
            })
            .ok()?;
        rows.collect::<rusqlite::Result<Vec<Record>>>().ok()
    }

    fn next_id(&self, object: &ObjectSchema) -> String {
        let serial = self.serial.fetch_add(1, Ordering::SeqCst) + 1;
        ids::mint(&object.key_prefix, serial)
    }

    /// The marks (see [`Writer::mark`]) whose key starts with `prefix`, without it.
    pub fn marks(&self, prefix: &str) -> std::collections::HashSet<String> {
        let conn = self.lock();
        let read = || -> rusqlite::Result<std::collections::HashSet<String>> {
            let mut st = conn.prepare("SELECT key FROM meta WHERE key >= ?1 AND key < ?2")?;
            let rows = st.query_map(params![prefix, format!("{prefix}\u{10FFFF}")], |r| {
                r.get::<_, String>(0)
            })?;
            rows.map(|k| k.map(|k| k[prefix.len()..].to_string()))
                .collect()
        };
        read().unwrap_or_else(|e| {
            tracing::error!("sandbox org could not read its marks: {e}");
            Default::default()
        })
    }

    /// Users' grants and their views of the schema.
    pub fn access(&self) -> &crate::access::Access {
        &self.access
    }

    /// Every live record of `object`, for the few records of setup objects.
    pub fn live_records(&self, object: &str) -> Vec<Record> {
        let mut out = Vec::new();
        let outcome = self.scan(object, false, &mut |r| {
            out.push(r);
            true
        });
        if let Err(e) = outcome {
            tracing::error!(
                "sandbox org could not read its {object} records: {}",
                e.message
            );
        }
        out
    }

    /// The grants of `user_id` (the org itself for an empty id).
    pub fn grants(&self, user_id: &str) -> std::sync::Arc<crate::access::Grants> {
        self.access
            .grants(user_id, &|object| self.live_records(object))
    }

    /// The schema as `user_id` sees it; see [`crate::access::Access::schema_for`].
    pub fn schema_for(&self, user_id: &str) -> Arc<Schema> {
        self.access
            .schema_for(self.schema(), user_id, &|object| self.live_records(object))
    }

    /// A record of any object by its 15- or 18-character id, deleted ones included.
    pub fn get(&self, id: &str) -> Option<Record> {
        let id = ids::to_18(id)?;
        let conn = self.lock();
        read_record(&conn, &id).ok().flatten()
    }

    /// Records by id in the order given, under one lock; ids that no longer exist are skipped.
    pub fn get_many(&self, ids: &[String]) -> Vec<Record> {
        let conn = self.lock();
        ids.iter()
            .filter_map(|id| ids::to_18(id))
            .filter_map(|id| read_record(&conn, &id).ok().flatten())
            .collect()
    }

    /// Visits every record of `object` in id order until `visit` returns false. The lock is
    /// released between chunks, so `visit` may read the store.
    /// A storage error part-way is an error, never a shorter scan.
    pub fn scan(
        &self,
        object: &str,
        include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError> {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return Ok(());
        };
        let mut after = String::new();
        loop {
            let chunk = {
                let conn = self.lock();
                read_chunk(&conn, &object.name, include_deleted, &after)
                    .map_err(write::sql_error)?
            };
            let Some((last_id, _)) = chunk.last() else {
                return Ok(());
            };
            after = last_id.clone();
            let full = chunk.len() == SCAN_CHUNK;
            for (_, record) in chunk {
                if !visit(record) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back on `Err`.
    /// `Err(UNKNOWN_EXCEPTION)` when storage fails to begin or commit it: nothing `f` wrote
    /// is kept then, so its outcome must not be reported.
    pub fn transaction<R>(
        &self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<R, R>,
    ) -> Result<R, SfError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(write::sql_error)?;
        let outcome = {
            let mut writer = Writer {
                tx: &tx,
                store: self,
                changes: Default::default(),
                wrote_grants: Default::default(),
            };
            let outcome = f(&mut writer);
            let wrote_grants = writer.wrote_grants.get();
            (outcome, (writer.changes.into_inner(), wrote_grants))
        };
        match outcome {
            (Ok(r), (changes, wrote_grants)) => {
                let serial = self.serial.load(Ordering::SeqCst) as i64;
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES ('serial', ?1)
                     ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                    params![serial],
                )
                .and_then(|_| tx.commit())
                .map_err(write::sql_error)?;
                // Under the connection's lock, so that indexes take writes in commit order.
                self.reads.apply(&changes);
                if wrote_grants {
                    self.access.invalidate();
                }
                Ok(r)
            }
            (Err(r), _) => {
                // Ids minted inside a rolled-back transaction are not reused: the counter stays.
                let _ = tx.rollback();
                Ok(r)
            }
        }
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`; a storage failure comes
    /// back as `f`'s own error type.
    pub fn write<T, E: From<SfError>>(
        &self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let done = self.transaction(|w| match f(w) {
            Ok(v) => Ok(Ok(v)),
            Err(e) => Err(Err(e)),
        });
        done.unwrap_or_else(|e| Err(E::from(e)))
    }

    /// Ids of records of `object` whose SystemModstamp is in `[start_ms, end_ms)`, not deleted.
    pub fn updated_ids(&self, object: &str, start_ms: i64, end_ms: i64) -> Vec<String> {
        self.ids_in_modstamp_window(object, false, start_ms, end_ms)
    }

    /// Ids of records of `object` whose SystemModstamp is in `[start_ms, end_ms)`, ordered by
    /// it then by id; soft-deleted ones too when `include_deleted` (`queryAll`). Both read the
    /// `(object, modstamp)` index, so an incremental `queryAll` costs what changed, as
    /// `query` does.
    pub fn ids_in_modstamp_window(
        &self,
        object: &str,
        include_deleted: bool,
        start_ms: i64,
        end_ms: i64,
    ) -> Vec<String> {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return Vec::new();
        };
        let conn = self.lock();
        let rows = conn
            .prepare_cached(
                "SELECT id FROM records WHERE object = ?1 AND (?4 OR is_deleted = 0)
                 AND modstamp >= ?2 AND modstamp < ?3 ORDER BY modstamp, id",
            )
            .and_then(|mut st| {
                st.query_map(
                    params![object.name, start_ms, end_ms, include_deleted],
                    |r| r.get::<_, String>(0),
                )?
                .collect::<Result<Vec<_>, _>>()
            });
        rows.unwrap_or_default()
    }

    /// `(id, deleted_ms)` of records of `object` deleted in `[start_ms, end_ms)`.
    pub fn deleted(&self, object: &str, start_ms: i64, end_ms: i64) -> Vec<(String, i64)> {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return Vec::new();
        };
        let conn = self.lock();
        let rows = conn
            .prepare_cached(
                "SELECT id, deleted_at FROM records WHERE object = ?1 AND is_deleted = 1
                 AND deleted_at >= ?2 AND deleted_at < ?3 ORDER BY deleted_at, id",
            )
            .and_then(|mut st| {
                st.query_map(params![object.name, start_ms, end_ms], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()
            });
        rows.unwrap_or_default()
    }

    /// Number of live records of `object`.
    pub fn count(&self, object: &str) -> usize {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return 0;
        };
        let conn = self.lock();
        conn.query_row(
            "SELECT count(*) FROM records WHERE object = ?1 AND is_deleted = 0",
            params![object.name],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as usize)
        .unwrap_or(0)
    }

    /// Number of records of `object`, soft-deleted ones too when `include_deleted`; `None`
    /// when storage cannot say, or holds a record it could not read (which a scan answers
    /// as a failure, never as a count).
    pub fn count_records(&self, object: &str, include_deleted: bool) -> Option<usize> {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return Some(0);
        };
        let conn = self.lock();
        let (rows, unreadable) = conn
            .query_row(
                "SELECT count(*), count(CASE WHEN typeof(data) != 'text' THEN 1 END)
                 FROM records WHERE object = ?1 AND (?2 OR is_deleted = 0)",
                params![object.name, include_deleted],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .ok()?;
        (unreadable == 0).then_some(rows as usize)
    }

    /// Ids of live records of `object` whose `field` (an external-id or unique field) equals
    /// `value` under the field's case rule.
    /// Ids of live records whose external-id or unique `field` equals one of `values`
    /// (lower-cased); `None` when the field is not indexed, or compares with case.
    pub fn ids_by_indexed_field(
        &self,
        object: &str,
        field: &str,
        values: &[String],
    ) -> Option<Vec<String>> {
        let schema = self.schema();
        let object = schema.object(object)?;
        let field = object.field(field)?;
        if !(field.external_id || field.unique) || field.case_sensitive {
            return None;
        }
        let conn = self.lock();
        let mut ids = Vec::new();
        for value in values {
            ids.extend(keyed_ids(&conn, &object.name, &field.name, value).ok()?);
        }
        Some(ids)
    }

    pub fn find_by_key(&self, object: &str, field: &str, value: &str) -> Vec<String> {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return Vec::new();
        };
        let Some(field) = object.field(field) else {
            return Vec::new();
        };
        let conn = self.lock();
        keyed_ids(
            &conn,
            &object.name,
            &field.name,
            &key_text(field.case_sensitive, value),
        )
        .unwrap_or_default()
    }
}

fn key_text(case_sensitive: bool, value: &str) -> String {
    if case_sensitive {
        value.to_string()
    } else {
        value.to_lowercase()
    }
}

fn keyed_ids(
    conn: &Connection,
    object: &str,
    field: &str,
    key: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT k.id FROM field_keys k JOIN records r ON r.id = k.id
         WHERE k.object = ?1 AND k.field = ?2 AND k.value = ?3 AND r.is_deleted = 0 ORDER BY k.id",
    )?;
    let rows = st.query_map(params![object, field, key], |r| r.get::<_, String>(0))?;
    rows.collect()
}

fn read_record(conn: &Connection, id: &str) -> rusqlite::Result<Option<Record>> {
    let data: Option<String> = conn
        .prepare_cached("SELECT data FROM records WHERE id = ?1")?
        .query_row(params![id], |r| r.get(0))
        .optional()?;
    Ok(data.and_then(|text| serde_json::from_str(&text).ok()))
}

fn read_chunk(
    conn: &Connection,
    object: &str,
    include_deleted: bool,
    after: &str,
) -> rusqlite::Result<Vec<(String, Record)>> {
    let sql = if include_deleted {
        "SELECT id, data FROM records WHERE object = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
    } else {
        "SELECT id, data FROM records WHERE object = ?1 AND is_deleted = 0 AND id > ?2 ORDER BY id LIMIT ?3"
    };
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map(params![object, after, SCAN_CHUNK as i64], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::with_capacity(SCAN_CHUNK);
    for row in rows {
        let (id, text) = row?;
        match serde_json::from_str(&text) {
            Ok(record) => out.push((id, record)),
            Err(e) => tracing::error!("sandbox org record {id} is unreadable: {e}"),
        }
    }
    Ok(out)
}

/// Milliseconds since the epoch, the resolution of SystemModstamp.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn stamp(ms: i64) -> Value {
    Value::String(format_datetime_ms(ms))
}
