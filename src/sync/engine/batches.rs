//! A run of a whole link whose changes query answers more than one batch: each batch of
//! Salesforce's records is planned with its bases and rows (the same planner, base, local and
//! remote in, actions and conflicts out) and, when every action of a record's plan is a
//! local write of what Salesforce sent, carried out at once and forgotten. Whatever else a
//! plan holds (a Salesforce write, a delete, a conflict, a record owed a re-read or joined
//! to a row by value) waits, with its base and row, for the run's last step, which plans it
//! again with the rest of the run as a run of one batch does.
//!
//! So a run holds one batch of records, the rows and bases that changed locally, and the
//! records that wait, whatever the size of the link. Guarantees stay those of one batch:
//! deletes all wait for the mass-delete guard, Salesforce writes for the last step, and each
//! batch commits its rows and bases together, the cursor only with the last step, so a run
//! stopped between batches leaves the records it wrote agreed with their bases and the next
//! run reads the rest again.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::SyncError;
use super::execute::Run;
use super::incremental::{self, LocalSide};
use super::local::{self, BadCell, BadId, LocalRead, LocalRow};
use super::remote::RemoteRecord;
use super::units::{Unit, assemble, id15, plan_unit};
use super::values::Kind;
use crate::sync::link::Link;
use crate::sync::plan::FieldRule;
use crate::workspace::base::BaseRecord;
use crate::workspace::{Workspace, conflicts, reread};

/// Records in a batch unless [`super::RunOptions::batch_records`] says otherwise.
pub const BATCH_RECORDS: usize = 5_000;

/// The records no batch may settle on its own, by 15-character Id.
pub(super) struct Held {
    open_conflicts: HashSet<String>,
    kept: HashSet<String>,
    pub(super) queued: HashSet<String>,
}

impl Held {
    pub(super) fn read(
        conn: &Connection,
        link_id: i64,
        queued: &[String],
    ) -> Result<Held, SyncError> {
        Ok(Held {
            open_conflicts: conflicts::open_keys(conn, link_id)?
                .into_iter()
                .map(|(id, _)| id15(&id))
                .collect(),
            kept: reread::kept_records(conn, link_id)?
                .iter()
                .map(|id| id15(id))
                .collect(),
            queued: queued.iter().map(|id| id15(id)).collect(),
        })
    }
}

/// The local side of a batched run: the bases and rows read and not yet planned, the records
/// that wait for the last step, and what the batches settled (never read into it again).
pub(super) struct Pool {
    partial: bool,
    bases: HashMap<String, BaseRecord>,
    rows: Vec<Option<LocalRow>>,
    by_sf: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
    by_match: HashMap<String, usize>,
    keyless: Vec<LocalRow>,
    bad: Vec<BadCell>,
    bad_ids: Vec<BadId>,
    bad_seen: HashSet<String>,
    settled_ids: HashSet<String>,
    settled_keys: HashSet<String>,
    waiting: Vec<RemoteRecord>,
}

impl Pool {
    pub(super) fn new(side: LocalSide) -> Pool {
        let mut pool = Pool {
            partial: side.partial,
            bases: HashMap::new(),
            rows: Vec::new(),
            by_sf: HashMap::new(),
            by_key: HashMap::new(),
            by_match: HashMap::new(),
            keyless: side.read.keyless,
            bad: Vec::new(),
            bad_ids: Vec::new(),
            bad_seen: HashSet::new(),
            settled_ids: HashSet::new(),
            settled_keys: HashSet::new(),
            waiting: Vec::new(),
        };
        pool.add(
            side.bases,
            LocalRead {
                keyless: Vec::new(),
                ..side.read
            },
        );
        pool
    }

    /// Adds what a read found, leaving out what the pool holds or a batch settled.
    fn add(&mut self, bases: HashMap<String, BaseRecord>, read: LocalRead) {
        for base in bases.into_values() {
            let id = id15(&base.sf_id);
            if !self.settled_ids.contains(&id) {
                self.bases.entry(id).or_insert(base);
            }
        }
        for row in read.rows {
            self.put_row(row);
        }
        for bad in read.bad {
            if self
                .bad_seen
                .insert(format!("{}\u{1}{}", bad.row_key, bad.field))
            {
                self.bad.push(bad);
            }
        }
        for bad in read.bad_ids {
            if self.bad_seen.insert(format!("{}\u{2}", bad.row_key)) {
                self.bad_ids.push(bad);
            }
        }
    }

    fn put_row(&mut self, row: LocalRow) {
        if self.settled_keys.contains(&row.key)
            || self
                .by_key
                .get(&row.key)
                .is_some_and(|&i| self.rows[i].is_some())
        {
            return;
        }
        let i = self.rows.len();
        if let Some(id) = &row.sf_id {
            self.by_sf.insert(id15(id), i);
        } else if let Some(value) = &row.match_value {
            self.by_match.insert(value.clone(), i);
        }
        self.by_key.insert(row.key.clone(), i);
        self.rows.push(Some(row));
    }

    fn put_base(&mut self, base: BaseRecord) {
        self.bases.entry(id15(&base.sf_id)).or_insert(base);
    }

    fn row_at(&self, index: Option<&usize>) -> Option<usize> {
        index.copied().filter(|&i| self.rows[i].is_some())
    }

    /// The bases and rows of `records`, taken out of the pool: joined as `assemble` joins
    /// them (by Id, by the base's row, by external-id value), never a row that names another
    /// record.
    fn take(
        &mut self,
        link: &Link,
        records: &[RemoteRecord],
    ) -> (HashMap<String, BaseRecord>, Vec<LocalRow>) {
        let mut bases = HashMap::new();
        let mut rows = Vec::new();
        for record in records {
            let id = id15(&record.id);
            let base = self.bases.remove(&id);
            let unlinked = |row: &LocalRow| row.sf_id.is_none();
            let mut at = self.row_at(self.by_sf.get(&id));
            if at.is_none()
                && let Some(key) = base.as_ref().and_then(|b| b.row_key.as_ref())
            {
                at = self
                    .row_at(self.by_key.get(key))
                    .filter(|&i| self.rows[i].as_ref().is_some_and(unlinked));
            }
            if at.is_none()
                && let Some(value) = local::match_text(link, &record.values)
            {
                at = self
                    .row_at(self.by_match.get(&value))
                    .filter(|&i| self.rows[i].as_ref().is_some_and(unlinked));
            }
            if let Some(row) = at.and_then(|i| self.rows[i].take()) {
                rows.push(row);
            }
            if let Some(base) = base {
                bases.insert(base.sf_id.clone(), base);
            }
        }
        (bases, rows)
    }

    /// What the last step plans: the records that waited, every base and row no batch
    /// settled, and the rows that could not be read.
    pub(super) fn finish(self) -> (Vec<RemoteRecord>, HashMap<String, BaseRecord>, LocalRead) {
        let bases = self
            .bases
            .into_values()
            .map(|b| (b.sf_id.clone(), b))
            .collect();
        let read = LocalRead {
            rows: self.rows.into_iter().flatten().collect(),
            keyless: self.keyless,
            bad: self.bad,
            bad_ids: self.bad_ids,
        };
        (self.waiting, bases, read)
    }

    /// Records read by Id after the batches (queued re-reads the changes query did not
    /// bring): they wait for the last step with their bases and rows.
    pub(super) fn wait_with(
        &mut self,
        conn: &Connection,
        link: &Link,
        link_id: i64,
        kinds: &HashMap<String, Kind>,
        records: Vec<RemoteRecord>,
    ) -> Result<(), SyncError> {
        if records.is_empty() {
            return Ok(());
        }
        if self.partial {
            let (bases, read) =
                incremental::read_for_records(conn, link, link_id, kinds, &records)?;
            self.add(bases, read);
        }
        self.waiting.extend(records);
        Ok(())
    }
}

/// True when carrying out the unit's plan in its batch is what the last step would do: a
/// record read fresh, known to no conflict, queue or kept choice, whose plan only writes what
/// Salesforce sent to a row linked to it by Id (or adds the row).
fn settles_alone(unit: &Unit, batch: &HashSet<String>, held: &Held) -> bool {
    let Some(id) = unit.sf_id.as_deref().map(id15) else {
        return false;
    };
    let plan = &unit.plan;
    batch.contains(&id)
        && unit.remote_fresh
        && !unit.remote_deleted
        && unit.remote.is_some()
        && !held.open_conflicts.contains(&id)
        && !held.queued.contains(&id)
        && !held.kept.contains(&id)
        && match &unit.local {
            Some(row) => row.readable && row.sf_id.is_some(),
            None => unit.base.is_none(),
        }
        && plan.push.is_empty()
        && plan.create_remote.is_none()
        && !plan.delete_remote
        && !plan.delete_local
        && !plan.archive_local
        && !plan.restores
        && plan.conflicts.is_empty()
}

impl Run<'_> {
    /// Plans one batch of Salesforce's records and writes the plans that settle alone, in one
    /// transaction; the rest wait in `pool` for the last step.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_batch(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        kinds: &HashMap<String, Kind>,
        rules: &[FieldRule],
        pool: &mut Pool,
        records: Vec<RemoteRecord>,
        held: &Held,
    ) -> Result<(), SyncError> {
        if pool.partial {
            let (bases, read) =
                incremental::read_for_records(ws.conn(), link, self.link_id(), kinds, &records)?;
            pool.add(bases, read);
        }
        let (bases, rows) = pool.take(link, &records);
        let ids: HashSet<String> = records.iter().map(|r| id15(&r.id)).collect();
        let mut originals: HashMap<String, RemoteRecord> =
            records.iter().map(|r| (id15(&r.id), r.clone())).collect();
        let mut units = assemble(link, records, bases, rows);
        let times = self.local_times(ws.conn(), link, &units)?;
        let mut alone = Vec::new();
        for unit in &mut units {
            unit.plan = plan_unit(link, rules, unit, &times, &held.kept);
        }
        for unit in units {
            if settles_alone(&unit, &ids, held) {
                let id = unit.sf_id.as_deref().map(id15).unwrap_or_default();
                originals.remove(&id);
                pool.settled_ids.insert(id);
                if let Some(row) = &unit.local {
                    pool.settled_keys.insert(row.key.clone());
                }
                alone.push(unit);
                continue;
            }
            if let Some(record) = unit
                .sf_id
                .as_deref()
                .and_then(|id| originals.remove(&id15(id)))
            {
                pool.waiting.push(record);
            }
            if let Some(base) = unit.base {
                pool.put_base(base);
            }
            if let Some(row) = unit.local {
                pool.put_row(row);
            }
        }
        // A record no unit took (none today) waits rather than being lost.
        pool.waiting.extend(originals.into_values());
        tracing::debug!(
            settled = alone.len(),
            waiting = pool.waiting.len(),
            "batch planned"
        );
        if alone.is_empty() {
            return Ok(());
        }
        self.apply_local(ws, link, rules, &mut alone, None)
    }
}
