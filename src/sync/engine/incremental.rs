//! The local side of a run of the whole link, read for what changed: the rows other programs
//! wrote since the last finished run (from the change log, which triggers feed whoever
//! writes), the rows and bases of the records Salesforce sent, and the records still owed a
//! sync. A run reads the whole table instead when the log may be missing writes (its capture
//! triggers were missing or out of date, see [`capture::install`]), when the link changed
//! since the last run, and when a mapped expression or the push filter may read more than its
//! own row (another table, the clock), whose values change without a write to the row.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::SyncError;
use super::local::{self, LocalRead};
use super::remote::RemoteRecord;
use super::units::id15;
use super::values::Kind;
use crate::sync::link::{Link, LocalSource};
use crate::workspace::base::{self, BaseRecord};
use crate::workspace::marks::{self, Mark};

#[cfg(doc)]
use crate::workspace::capture;

/// What a run read of its own side.
pub(super) struct LocalSide {
    pub(super) bases: HashMap<String, BaseRecord>,
    pub(super) read: LocalRead,
    /// True when only what changed was read: counts over the link come from the workspace.
    pub(super) partial: bool,
}

/// Reads the local side for `records`, from `mark` on when there is one to trust.
pub(super) fn read(
    conn: &Connection,
    link: &Link,
    link_id: i64,
    kinds: &HashMap<String, Kind>,
    records: &[RemoteRecord],
    mark: Option<&Mark>,
) -> Result<LocalSide, SyncError> {
    let Some(mark) = mark.filter(|_| !reads_beyond_its_row(link)) else {
        return Ok(LocalSide {
            bases: base::all(conn, link_id)?,
            read: local::read_rows(conn, link, kinds)?,
            partial: false,
        });
    };
    let mut keys = marks::changed_keys(conn, &link.table, &link.key, mark.seq)?;
    let (owed_keys, owed_ids) = marks::owed(conn, &link.name, link_id, &mark.read_at)?;
    keys.extend(owed_keys);
    let mut ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    ids.extend(owed_ids);
    let (bases, read) = around(conn, link, link_id, kinds, records, ids, keys, true)?;
    tracing::debug!(
        since = mark.seq,
        rows = read.rows.len(),
        bases = bases.len(),
        "read what changed locally"
    );
    Ok(LocalSide {
        bases,
        read,
        partial: true,
    })
}

/// The bases and rows of a batch of Salesforce's records, in a run that reads only what
/// changed: its changed rows were read before the batches.
pub(super) fn read_for_records(
    conn: &Connection,
    link: &Link,
    link_id: i64,
    kinds: &HashMap<String, Kind>,
    records: &[RemoteRecord],
) -> Result<(HashMap<String, BaseRecord>, LocalRead), SyncError> {
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    around(conn, link, link_id, kinds, records, ids, Vec::new(), false)
}

/// The bases of `ids` and `keys`, the rows they name or the records match, and the bases
/// of those rows; with `keyless`, every row without a usable key too.
#[allow(clippy::too_many_arguments)]
fn around(
    conn: &Connection,
    link: &Link,
    link_id: i64,
    kinds: &HashMap<String, Kind>,
    records: &[RemoteRecord],
    ids: Vec<String>,
    keys: Vec<String>,
    keyless: bool,
) -> Result<(HashMap<String, BaseRecord>, LocalRead), SyncError> {
    let mut bases = base::some(conn, link_id, &ids, &keys)?;
    let mut row_keys = keys;
    row_keys.extend(bases.values().filter_map(|b| b.row_key.clone()));
    let mut row_ids = ids;
    row_ids.extend(bases.keys().cloned());
    let matches: Vec<String> = records
        .iter()
        .filter_map(|r| local::match_text(link, &r.values))
        .collect();
    let read = match keyless {
        true => local::read_candidate_rows(conn, link, kinds, &row_keys, &row_ids, &matches)?,
        false => local::read_record_rows(conn, link, kinds, &row_keys, &row_ids, &matches)?,
    };
    // A changed row may hold the Id of a record, or be named by a base, not asked for yet.
    let known_ids: HashSet<String> = bases.keys().map(|id| id15(id)).collect();
    let known_keys: HashSet<&str> = bases
        .values()
        .filter_map(|b| b.row_key.as_deref())
        .collect();
    let more_ids: Vec<String> = read
        .rows
        .iter()
        .filter_map(|r| r.sf_id.clone())
        .filter(|id| !known_ids.contains(&id15(id)))
        .collect();
    let more_keys: Vec<String> = read
        .rows
        .iter()
        .map(|r| r.key.clone())
        .filter(|k| !known_keys.contains(k.as_str()))
        .collect();
    let more = base::some(conn, link_id, &more_ids, &more_keys)?;
    bases.extend(more);
    Ok((bases, read))
}

/// True when a mapped expression or the push filter may take its value from something other
/// than its own row: a subquery, the clock, chance. Its value can change with no write to the
/// row, so the change log cannot say which rows to read.
fn reads_beyond_its_row(link: &Link) -> bool {
    let expressions = link
        .fields
        .iter()
        .filter_map(|f| match &f.local {
            LocalSource::Expression(e) => Some(e.as_str()),
            LocalSource::Column(_) => None,
        })
        .chain(link.push_filter.as_deref());
    let mut texts = expressions.map(str::to_ascii_lowercase);
    texts.any(|e| {
        [
            "select",
            "now",
            "current_",
            "random",
            "changes()",
            "last_insert_rowid",
        ]
        .iter()
        .any(|word| e.contains(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::FieldMapping;

    #[test]
    fn an_expression_that_reads_another_table_or_the_clock_reads_the_whole_table() {
        let mut link: Link = serde_json::from_value(serde_json::json!({
            "name": "l", "connection": "c", "object": "Account", "table": "t",
            "key": "k", "id_column": "sf_id", "fields": []
        }))
        .unwrap();
        assert!(!reads_beyond_its_row(&link));
        link.push_filter = Some("status = 'open'".into());
        assert!(!reads_beyond_its_row(&link));
        link.fields
            .push(FieldMapping::expression("upper(name)", "Name"));
        assert!(!reads_beyond_its_row(&link));
        link.push_filter = Some("updated > date('now', '-1 day')".into());
        assert!(reads_beyond_its_row(&link));
        link.push_filter = None;
        link.fields.push(FieldMapping::expression(
            "(SELECT region FROM zones WHERE zones.id = t.zone)",
            "Region__c",
        ));
        assert!(reads_beyond_its_row(&link));
    }
}
