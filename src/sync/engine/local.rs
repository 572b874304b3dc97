//! Reading and writing the link's local table. Mapped values are read by SQLite itself, so a
//! computed push field is any SQL expression over the row.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::values::{BadValue, Kind, bind, canonical, from_sql, to_sql};
use crate::salesforce::{IdError, check_id};
use crate::sync::link::{Link, LocalSource, MatchKey};
use crate::sync::plan::{FieldTimes, Values};
use crate::workspace::capture::{self, quote_ident};
use crate::workspace::journal::{self, RecordFailure};

/// How a row is found again to write to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locator {
    /// By its key: the usual case.
    Key,
    /// By its rowid: its key column is empty (NULL) or binary, which no key text can name.
    Rowid(i64),
    /// Not at all: its key column is empty and its table is `WITHOUT ROWID`.
    Nowhere,
}

/// A local row as the planner sees it, its values named by Salesforce field.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalRow {
    /// The key as text; empty for a row without one (see `locator`).
    pub key: String,
    pub locator: Locator,
    /// The Salesforce Id the row holds, in its 18-character form.
    pub sf_id: Option<String>,
    /// The external-id value, for links matched on one.
    pub match_value: Option<String>,
    pub values: Values,
    /// False when the link's push filter excludes the row.
    pub pushable: bool,
    /// False when a value could not be read as its field's type (listed in
    /// [`LocalRead::bad`]): the row's record is left alone this run, neither written nor
    /// mistaken for a deleted row.
    pub readable: bool,
    /// Checkbox fields read from an empty (NULL) value: `false` to Salesforce, but no value
    /// of the row's own until both sides have agreed on one.
    pub empty_checkboxes: Vec<String>,
}

impl LocalRow {
    /// The values to plan with against `base`, and against a Salesforce record when
    /// `record_exists`: there, a checkbox left empty has no value of its own while the base
    /// holds none for it (a first sync), so Salesforce's value fills it instead of `false`
    /// overwriting it. Once both sides agreed, and for a record still to create, empty is
    /// `false`: Salesforce checkboxes are never empty, so clearing one means unticking it.
    pub fn planned_values(&self, base: Option<&Values>, record_exists: bool) -> Cow<'_, Values> {
        let unagreed: Vec<&String> = self
            .empty_checkboxes
            .iter()
            .filter(|f| record_exists && base.and_then(|b| b.get(*f)).is_none_or(Value::is_null))
            .collect();
        if unagreed.is_empty() {
            return Cow::Borrowed(&self.values);
        }
        let mut values = self.values.clone();
        for field in unagreed {
            values.insert(field.clone(), Value::Null);
        }
        Cow::Owned(values)
    }
}

/// A local value that cannot be sent: which row, which column, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadCell {
    pub row_key: String,
    pub field: String,
    pub source: String,
    pub problem: BadValue,
}

/// A row whose Id column holds something that is not a Salesforce Id.
#[derive(Debug, Clone, PartialEq)]
pub struct BadId {
    pub row_key: String,
    pub column: String,
    pub problem: IdError,
}

impl BadId {
    /// The row's error: the row is left out of the run, the rest of the link syncs.
    pub fn failure(&self, table: &str) -> RecordFailure {
        RecordFailure {
            side: journal::Side::Local,
            sf_id: None,
            row_key: Some(self.row_key.clone()),
            code: "INVALID_ID".into(),
            message: format!(
                "row {} of `{table}`: the column `{}` holds `{}`, which is not a Salesforce Id: {}",
                self.row_key,
                self.column,
                self.problem.shown,
                self.problem.reason()
            ),
            fields: vec![self.column.clone()],
            payload: None,
            hint: format!(
                "Correct `{}` in row {} (copy the Id from the record in Salesforce) or clear it, then sync again. The row is left out of this run; nothing was sent.",
                self.column, self.row_key
            ),
        }
    }
}

impl LocalRow {
    /// The key that names the row in the journal, the bases and the change log; `None` for a
    /// row without one.
    pub fn row_key(&self) -> Option<&str> {
        (self.locator == Locator::Key).then_some(self.key.as_str())
    }

    /// The row as a person finds it in the table: "row 12", or "the row with rowid 7".
    pub fn named(&self) -> String {
        match self.locator {
            Locator::Key => format!("row {}", self.key),
            Locator::Rowid(rowid) => format!("the row with rowid {rowid}"),
            Locator::Nowhere => "a row".to_string(),
        }
    }
}

pub struct LocalRead {
    pub rows: Vec<LocalRow>,
    /// Rows whose key column is empty or binary, kept apart: nothing that joins rows by key
    /// may meet them.
    pub keyless: Vec<LocalRow>,
    pub bad: Vec<BadCell>,
    pub bad_ids: Vec<BadId>,
}

fn source_sql(source: &LocalSource) -> String {
    match source {
        LocalSource::Column(c) => quote_ident(c),
        LocalSource::Expression(e) => format!("({e})"),
    }
}

fn describe_source(source: &LocalSource) -> String {
    match source {
        LocalSource::Column(c) => format!("column `{c}`"),
        LocalSource::Expression(e) => format!("expression `{e}`"),
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Every row of the link's table. Rows with a value that cannot be read as its field's type
/// are marked unreadable and listed in `bad`, so that nothing half-read is ever sent; rows
/// whose Id column holds no Salesforce Id likewise, listed in `bad_ids`, so that the Id is
/// never sent in anyone's query.
pub fn read_rows(
    conn: &Connection,
    link: &Link,
    kinds: &HashMap<String, Kind>,
) -> rusqlite::Result<LocalRead> {
    read_rows_where(conn, link, kinds, None)
}

/// The rows of a record-scoped run: those whose key is one of `keys`, or whose Id column
/// holds one of `ids` (compared on 15 characters).
pub fn read_some_rows(
    conn: &Connection,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    keys: &[String],
    ids: &[String],
) -> rusqlite::Result<LocalRead> {
    let only = Only {
        keys,
        ids,
        matches: &[],
        keyless: false,
    };
    read_rows_where(conn, link, kinds, Some(only))
}

/// The rows a run that reads only what changed needs: those named by key, by Id or by
/// external-id value, and every row without a usable key (the change log cannot name those).
pub fn read_candidate_rows(
    conn: &Connection,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    keys: &[String],
    ids: &[String],
    matches: &[String],
) -> rusqlite::Result<LocalRead> {
    let only = Only {
        keys,
        ids,
        matches,
        keyless: true,
    };
    read_rows_where(conn, link, kinds, Some(only))
}

/// The rows a batch of Salesforce's records needs: those named by key, by Id or by
/// external-id value. Rows without a usable key are read once for the run, not per batch.
pub fn read_record_rows(
    conn: &Connection,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    keys: &[String],
    ids: &[String],
    matches: &[String],
) -> rusqlite::Result<LocalRead> {
    let only = Only {
        keys,
        ids,
        matches,
        keyless: false,
    };
    read_rows_where(conn, link, kinds, Some(only))
}

/// Which rows a read takes.
#[derive(Clone, Copy)]
struct Only<'a> {
    keys: &'a [String],
    ids: &'a [String],
    matches: &'a [String],
    keyless: bool,
}

fn read_rows_where(
    conn: &Connection,
    link: &Link,
    kinds: &HashMap<String, Kind>,
    only: Option<Only<'_>>,
) -> rusqlite::Result<LocalRead> {
    let mut select = vec![
        format!("CAST({} AS TEXT)", quote_ident(&link.key)),
        format!("CAST({} AS TEXT)", quote_ident(&link.id_column)),
    ];
    if let MatchKey::ExternalId { column, .. } = &link.match_on {
        select.push(format!("CAST({} AS TEXT)", quote_ident(column)));
    } else {
        select.push("NULL".into());
    }
    select.push(
        match link.push_filter.as_deref().filter(|f| !f.trim().is_empty()) {
            Some(filter) => format!("CASE WHEN ({filter}) THEN 1 ELSE 0 END"),
            None => "1".into(),
        },
    );
    select.push(format!("typeof({})", quote_ident(&link.key)));
    select.push(rowid_name(conn, &link.table)?.unwrap_or_else(|| "NULL".into()));
    for mapping in &link.fields {
        select.push(source_sql(&mapping.local));
    }
    // The table is not aliased: expressions may name it, e.g. in a correlated subquery.
    let mut sql = format!(
        "SELECT {} FROM {}",
        select.join(", "),
        quote_ident(&link.table)
    );
    let mut bound = Vec::new();
    if let Some(only) = only {
        // One pass over the table: each list is made into a lookup once.
        let mut wanted = vec![
            format!(
                "CAST({} AS TEXT) IN (SELECT value FROM json_each(?1))",
                quote_ident(&link.key)
            ),
            format!(
                "substr(CAST({} AS TEXT), 1, 15) IN (SELECT substr(value, 1, 15) FROM json_each(?2))",
                quote_ident(&link.id_column)
            ),
        ];
        bound.push(serde_json::to_string(only.keys).unwrap_or_default());
        bound.push(serde_json::to_string(only.ids).unwrap_or_default());
        if let MatchKey::ExternalId { column, .. } = &link.match_on
            && !only.matches.is_empty()
        {
            wanted.push(format!(
                "CAST({} AS TEXT) IN (SELECT value FROM json_each(?3))",
                quote_ident(column)
            ));
            bound.push(serde_json::to_string(only.matches).unwrap_or_default());
        }
        if only.keyless {
            wanted.push(format!(
                "typeof({}) IN ('null', 'blob')",
                quote_ident(&link.key)
            ));
        }
        sql.push_str(&format!(" WHERE {}", wanted.join(" OR ")));
    }
    let mut stmt = conn.prepare(&sql)?;
    let mut result = stmt.query(rusqlite::params_from_iter(bound.iter()))?;
    let mut read = LocalRead {
        rows: Vec::new(),
        keyless: Vec::new(),
        bad: Vec::new(),
        bad_ids: Vec::new(),
    };
    while let Some(row) = result.next()? {
        let key_type: String = row.get(4)?;
        let key_text = match key_type.as_str() {
            "null" | "blob" => None,
            // Text that is not UTF-8 names no row either.
            _ => row.get_ref(0)?.as_str().ok().map(str::to_string),
        };
        let (key, locator) = match key_text {
            Some(key) => (key, Locator::Key),
            None => match row.get::<_, Option<i64>>(5)? {
                Some(rowid) => (String::new(), Locator::Rowid(rowid)),
                None => (String::new(), Locator::Nowhere),
            },
        };
        let mut bad_id = None;
        let id_text = row.get::<_, Option<String>>(1)?;
        let sf_id = match id_text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => match check_id(text) {
                Ok(id) => Some(id),
                Err(problem) => {
                    bad_id = Some(BadId {
                        row_key: key.clone(),
                        column: link.id_column.clone(),
                        problem,
                    });
                    None
                }
            },
        };
        let match_value: Option<String> =
            row.get::<_, Option<String>>(2)?.filter(|s| !s.is_empty());
        let pushable = row.get::<_, i64>(3)? != 0;
        let mut values = Values::new();
        let mut empty_checkboxes = Vec::new();
        let mut bad = Vec::new();
        for (i, mapping) in link.fields.iter().enumerate() {
            let raw = from_sql(row.get_ref(FIRST_VALUE + i)?);
            let kind = kinds.get(&mapping.remote).copied().unwrap_or(Kind::Text);
            if kind == Kind::Boolean && raw.is_null() {
                empty_checkboxes.push(mapping.remote.clone());
            }
            match canonical(kind, &raw) {
                Ok(v) => {
                    values.insert(mapping.remote.clone(), v);
                }
                Err(problem) => {
                    bad.push(BadCell {
                        row_key: key.clone(),
                        field: mapping.remote.clone(),
                        source: describe_source(&mapping.local),
                        problem,
                    });
                }
            }
        }
        let row = LocalRow {
            key,
            locator,
            sf_id,
            match_value,
            values,
            pushable,
            readable: bad.is_empty() && bad_id.is_none(),
            empty_checkboxes,
        };
        // A row without a key is listed as such; its values wait until it has one.
        if locator == Locator::Key {
            read.bad.extend(bad);
            read.bad_ids.extend(bad_id);
            read.rows.push(row);
        } else {
            read.keyless.push(row);
        }
    }
    Ok(read)
}

/// A write of a run to one local row.
#[derive(Debug, Clone, Copy)]
pub enum LocalWrite<'a> {
    Update(&'a Values),
    /// The record was deleted in Salesforce.
    Delete,
    Archive,
}

/// The error of a row whose table refused a write (a CHECK, UNIQUE, NOT NULL or foreign-key
/// constraint, a trigger): that row's alone.
pub fn refused(
    link: &Link,
    key: &str,
    sf_id: &str,
    write: LocalWrite<'_>,
    error: &rusqlite::Error,
) -> RecordFailure {
    let table = &link.table;
    let (code, message, fields, payload, hint) = match write {
        LocalWrite::Update(pulled) => (
            "LOCAL_UPDATE_FAILED",
            format!("cannot write {sf_id} to row {key} of `{table}`: {error}"),
            pulled.keys().cloned().collect(),
            Some(Value::Object(pulled.clone().into_iter().collect())),
            format!(
                "Check the constraints and triggers of `{table}` (CHECK, UNIQUE or NOT NULL columns the pulled values break), then sync again. Nothing of this record was written on either side."
            ),
        ),
        LocalWrite::Delete => (
            "LOCAL_DELETE_FAILED",
            format!(
                "cannot delete row {key} of `{table}`, whose record {sf_id} was deleted in Salesforce: {error}"
            ),
            Vec::new(),
            None,
            format!(
                "Delete row {key} yourself once nothing refers to it (a foreign key from another table, or a trigger of `{table}`, refused it)."
            ),
        ),
        LocalWrite::Archive => (
            "LOCAL_UPDATE_FAILED",
            format!(
                "cannot mark row {key} of `{table}` archived, whose record {sf_id} was deleted in Salesforce: {error}"
            ),
            link.archive_column.iter().cloned().collect(),
            None,
            format!(
                "Mark row {key} archived yourself once `{table}` allows it (a constraint or trigger refused it)."
            ),
        ),
    };
    RecordFailure {
        side: journal::Side::Local,
        sf_id: Some(sf_id.to_string()),
        row_key: Some(key.to_string()),
        code: code.into(),
        message,
        fields,
        payload,
        hint,
    }
}

/// When each field of these rows was last changed by anyone but a sync run: a field mapped
/// from a column, by the last write that changed that column (an insert changes them all);
/// a field computed by an expression, by the row's last write, as it may read any column.
pub fn change_times(
    conn: &Connection,
    link: &Link,
    keys: &[String],
) -> crate::workspace::Result<BTreeMap<String, FieldTimes>> {
    let changes = capture::external_changes(conn, &link.table, keys)?;
    Ok(changes
        .into_iter()
        .map(|(key, row)| {
            let times = link
                .fields
                .iter()
                .filter_map(|m| {
                    let at: Option<DateTime<Utc>> = match &m.local {
                        LocalSource::Column(c) => row.column(c),
                        LocalSource::Expression(_) => row.row,
                    };
                    at.map(|at| (m.remote.clone(), at))
                })
                .collect();
            (key, times)
        })
        .collect())
}

/// Where [`read_rows`] puts the first mapped value: after the key, Id, match value, push
/// filter, key type and rowid.
const FIRST_VALUE: usize = 6;

/// The name that reads the table's rowid, or `None` for a `WITHOUT ROWID` table (or one whose
/// columns take every name of the rowid).
fn rowid_name(conn: &Connection, table: &str) -> rusqlite::Result<Option<String>> {
    let without_rowid: bool = conn
        .query_row(
            "SELECT wr FROM pragma_table_list WHERE name = ?1 AND schema = 'main'",
            [table],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if without_rowid {
        return Ok(None);
    }
    let mut stmt = conn.prepare("SELECT lower(name) FROM pragma_table_info(?1)")?;
    let columns = stmt
        .query_map([table], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(["rowid", "_rowid_", "oid"]
        .into_iter()
        .find(|name| !columns.iter().any(|c| c == name))
        .map(str::to_string))
}

/// The local columns a set of pulled Salesforce values goes to.
fn columns_for<'a>(
    conn: &Connection,
    link: &'a Link,
    values: &'a Values,
) -> rusqlite::Result<Vec<(&'a str, SqlValue)>> {
    let mut columns = Vec::new();
    for m in &link.fields {
        let (Some(column), Some(value)) = (m.local_column(), values.get(&m.remote)) else {
            continue;
        };
        columns.push((column, bind(conn, &link.table, column, value)?));
    }
    Ok(columns)
}

/// Whether the link's key is the table's rowid (an `INTEGER PRIMARY KEY`): then SQLite gives
/// each new row its key, and the key is the rowid it answers.
pub fn key_is_rowid(conn: &Connection, link: &Link) -> rusqlite::Result<bool> {
    match is_rowid_alias(conn, &link.table, &link.key) {
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(false),
        answer => answer,
    }
}

/// Inserts a row for a Salesforce record and returns its key. `rowid_key` is what
/// [`key_is_rowid`] says of the link's table, asked once for a run's many inserts.
pub fn insert_row(
    conn: &Connection,
    link: &Link,
    rowid_key: bool,
    sf_id: &str,
    match_value: Option<&Value>,
    values: &Values,
) -> rusqlite::Result<String> {
    let mut columns: Vec<(&str, SqlValue)> = vec![(&link.id_column, SqlValue::Text(sf_id.into()))];
    if let (MatchKey::ExternalId { column, .. }, Some(v)) = (&link.match_on, match_value)
        && column != &link.id_column
    {
        columns.push((column, to_sql(v)));
    }
    for (column, value) in columns_for(conn, link, values)? {
        if !columns.iter().any(|(c, _)| *c == column) {
            columns.push((column, value));
        }
    }
    let keyed = columns.iter().any(|(c, _)| *c == link.key);
    if !keyed && !rowid_key {
        // A text key nobody supplies: the Salesforce Id is as good a key as any.
        columns.push((&link.key, SqlValue::Text(sf_id.into())));
    }
    let names: Vec<String> = columns.iter().map(|(c, _)| quote_ident(c)).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote_ident(&link.table),
        names.join(", "),
        marks.join(", ")
    );
    let params: Vec<&SqlValue> = columns.iter().map(|(_, v)| v).collect();
    // Cached: a pull adds rows by the thousand with the same statement, and preparing it
    // again compiles the table's capture triggers again each time.
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(params))?;
    if rowid_key && !keyed {
        return Ok(conn.last_insert_rowid().to_string());
    }
    let key_sql = format!(
        "SELECT CAST({} AS TEXT) FROM {} WHERE rowid = ?1",
        quote_ident(&link.key),
        quote_ident(&link.table)
    );
    conn.prepare_cached(&key_sql)?
        .query_row([conn.last_insert_rowid()], |r| r.get(0))
}

fn is_rowid_alias(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    let (declared, pk): (String, i64) = conn
        .prepare_cached("SELECT type, pk FROM pragma_table_info(?1) WHERE name = ?2")?
        .query_row([table, column], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(pk == 1 && declared.eq_ignore_ascii_case("INTEGER"))
}

/// Writes pulled values (and, when given, the Salesforce Id) to one row.
pub fn update_row(
    conn: &Connection,
    link: &Link,
    key: &str,
    sf_id: Option<&str>,
    values: &Values,
) -> rusqlite::Result<usize> {
    let mut columns = columns_for(conn, link, values)?;
    if let Some(id) = sf_id {
        columns.push((&link.id_column, SqlValue::Text(id.into())));
    }
    if columns.is_empty() {
        return Ok(0);
    }
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{} = ?{}", quote_ident(c), i + 2))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {} = ?1",
        quote_ident(&link.table),
        sets.join(", "),
        quote_ident(&link.key)
    );
    let mut params: Vec<SqlValue> = vec![SqlValue::Text(key.into())];
    params.extend(columns.into_iter().map(|(_, v)| v));
    // Cached as the insert is: each prepare compiles the table's capture triggers again.
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(params))
}

/// Writes a new Salesforce Id to the row, found by key or, for a row without one, by rowid.
/// The statement is prepared once a connection, not once a row: preparing it compiles the
/// table's capture triggers again, which cost more than the write itself when a push
/// creates thousands of records.
pub fn write_id(
    conn: &Connection,
    link: &Link,
    row: &LocalRow,
    id: &str,
) -> rusqlite::Result<usize> {
    let set = |by: &str| {
        format!(
            "UPDATE {} SET {} = ?2 WHERE {by} = ?1",
            quote_ident(&link.table),
            quote_ident(&link.id_column)
        )
    };
    match row.locator {
        Locator::Key => conn
            .prepare_cached(&set(&quote_ident(&link.key)))?
            .execute(rusqlite::params![row.key, id]),
        Locator::Rowid(rowid) => {
            let Some(rowid_name) = rowid_name(conn, &link.table)? else {
                return Ok(0);
            };
            conn.prepare_cached(&set(&rowid_name))?
                .execute(rusqlite::params![rowid, id])
        }
        Locator::Nowhere => Ok(0),
    }
}

pub fn delete_row(conn: &Connection, link: &Link, key: &str) -> rusqlite::Result<usize> {
    let sql = format!(
        "DELETE FROM {} WHERE {} = ?1",
        quote_ident(&link.table),
        quote_ident(&link.key)
    );
    conn.execute(&sql, [key])
}

pub fn archive_row(conn: &Connection, link: &Link, key: &str) -> rusqlite::Result<usize> {
    let Some(column) = &link.archive_column else {
        return Ok(0);
    };
    let sql = format!(
        "UPDATE {} SET {} = 1 WHERE {} = ?1",
        quote_ident(&link.table),
        quote_ident(column),
        quote_ident(&link.key)
    );
    conn.execute(&sql, [key])
}

/// The match value of a Salesforce record, as text, for joining it to a local row.
pub fn match_text(link: &Link, values: &Values) -> Option<String> {
    match &link.match_on {
        MatchKey::ExternalId { field, .. } => values.get(field).and_then(text_of),
        MatchKey::SalesforceId => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(table: &str) -> Link {
        serde_json::from_value(serde_json::json!({
            "name": table, "connection": "c", "table": table, "key": "code",
            "object": "Account", "id_column": "sf_id",
            "fields": [{"local": {"column": "name"}, "remote": "Name", "direction": "both"}],
        }))
        .unwrap()
    }

    #[test]
    fn rows_without_a_usable_key_are_read_apart_and_found_by_rowid() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, name TEXT);
             INSERT INTO people VALUES ('p-1', NULL, 'keyed'), (NULL, NULL, 'empty'),
                                       (x'ff', '001000000000001AAA', 'binary');
             CREATE TABLE tags (code TEXT, sf_id TEXT, name TEXT, n INTEGER PRIMARY KEY)
                 WITHOUT ROWID;
             INSERT INTO tags VALUES (NULL, NULL, 'empty', 1);",
        )
        .unwrap();
        let kinds = HashMap::new();
        let read = read_rows(&conn, &link("people"), &kinds).unwrap();
        assert_eq!(read.rows.len(), 1);
        assert_eq!(read.rows[0].row_key(), Some("p-1"));
        let found: Vec<(Locator, Option<&str>)> = read
            .keyless
            .iter()
            .map(|r| (r.locator, r.sf_id.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (Locator::Rowid(2), None),
                (Locator::Rowid(3), Some("001000000000001AAA"))
            ]
        );
        assert_eq!(read.keyless[0].row_key(), None);

        write_id(
            &conn,
            &link("people"),
            &read.keyless[0],
            "001000000000002AAA",
        )
        .unwrap();
        let written: String = conn
            .query_row("SELECT sf_id FROM people WHERE name = 'empty'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(written, "001000000000002AAA");

        let tags = read_rows(&conn, &link("tags"), &kinds).unwrap();
        assert_eq!(tags.keyless[0].locator, Locator::Nowhere);
    }
}
