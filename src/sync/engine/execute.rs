//! One run of one link, step by step: read both sides, plan, write locally, write remotely.

mod lost;
mod send;
mod unmatched;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::batches::{Held, Pool};
use super::changes::ChangeReader;
use super::deleted;
use super::describes;
use super::guard::MassDelete;
use super::incremental;
use super::local::{self, LocalRead, LocalWrite};
use super::remote;
use super::remote::RemoteRecord;
use super::scope;
use super::settle;
use super::units::{LocalTimes, Unit, assemble, id15, plan_unit};
use super::values::{self, Kind};
use super::{Progress, RunOptions, SyncError};
use crate::run::ReadPath;
use crate::run::push::WritePath;
use crate::salesforce::{Client, ObjectDescribe};
use crate::sync::expression;
use crate::sync::link::{Link, MatchKey};
use crate::sync::plan::{self, FieldRule, RecordPlan, Values, WHOLE_RECORD};
use crate::sync::verify;
use crate::workspace::base::{self, BaseRecord};
use crate::workspace::journal::{self, RecordFailure, RunCounts};
use crate::workspace::marks::{self, Mark};
use crate::workspace::reread::{self, Reason};
use crate::workspace::{StoredLink, Workspace, capture, conflicts, managed};

/// What a run read: records, bases, rows, where the cursor may move and the queued re-reads
/// it settles.
type Scanned = (
    Vec<RemoteRecord>,
    HashMap<String, BaseRecord>,
    LocalRead,
    Option<DateTime<Utc>>,
    Vec<String>,
);

pub(super) struct Run<'a> {
    run_id: i64,
    stored: StoredLink,
    client: &'a Client,
    options: &'a RunOptions,
    pub counts: RunCounts,
    pub read_path: Option<ReadPath>,
    pub write_path: Option<WritePath>,
    pub write_choice: Option<String>,
    /// The queued re-reads this run read: settled once its local writes commit.
    settled: Vec<String>,
    /// For a run of some records, the records it covered: only their open errors may be
    /// resolved by it.
    pub covered_records: Option<Vec<journal::FailedRecord>>,
    /// The capture triggers were in place before the run: the change log holds every write.
    pub capture_intact: bool,
    /// Where this run read the change log from: the link's mark once the run finishes.
    pub local_mark: Option<Mark>,
    /// True when the run read only what changed, not every row and base.
    pub(super) partial_read: bool,
    /// The link's records before a run read in batches wrote any.
    bases_before: Option<usize>,
}

/// A column that would store some of its field's values changed would make the next run see
/// edits nobody made: the link does not run until the column can hold them.
fn check_columns(
    conn: &Connection,
    link: &Link,
    describe: &ObjectDescribe,
) -> Result<(), SyncError> {
    let declared = verify::columns::declared_types(conn, &link.table);
    for mapping in &link.fields {
        let Some(column) = mapping.local_column() else {
            continue;
        };
        let (Some(field), Some(declared)) = (
            describe
                .fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(&mapping.remote)),
            declared.get(column),
        ) else {
            continue;
        };
        if let Some(unfit) = verify::columns::unfit(field, column, declared, mapping.direction) {
            let ours = managed::created_by(conn, &link.table)?.is_some();
            return Err(SyncError::Link {
                link: link.name.clone(),
                problem: format!("{}. Fix: {}", unfit.message(), unfit.fix(&link.name, ours)),
            });
        }
    }
    Ok(())
}

impl<'a> Run<'a> {
    pub(super) fn new(
        run_id: i64,
        stored: StoredLink,
        client: &'a Client,
        options: &'a RunOptions,
    ) -> Self {
        Run {
            run_id,
            stored,
            client,
            options,
            counts: RunCounts::default(),
            read_path: None,
            write_path: None,
            write_choice: None,
            settled: Vec::new(),
            covered_records: None,
            capture_intact: false,
            local_mark: None,
            partial_read: false,
            bases_before: None,
        }
    }

    pub(super) async fn execute(&mut self, ws: &mut Workspace) -> Result<(), SyncError> {
        let link = self.stored.link.clone();
        let link_id = self.stored.id;
        let mut described = describes::for_run(self.client, ws.conn(), &link.object).await?;
        if described.kept && describes::misses_a_field(&link, &described.describe) {
            described = describes::refresh(self.client, ws.conn(), &link.object).await?;
        }
        let describe = described.describe.clone();
        let zone = link.zone().map_err(|problem| SyncError::Link {
            link: link.name.clone(),
            problem,
        })?;
        let mut kinds = values::kinds(&describe, zone);
        self.check_fields(&link, &mut kinds)?;
        check_columns(ws.conn(), &link, &describe)?;
        let cursor = load_cursor(ws.conn(), link_id)?;
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        // Before the read that evaluates them all at once: an expression that never ends or
        // does more than read is named rather than hanging or failing the read.
        if let Some(e) = expression::check_link(ws.conn(), &link).into_iter().next() {
            return Err(SyncError::Expression(e));
        }
        let mut covered = None;
        let (records, bases, mut read, newest, queued) = match self.options.scope.records() {
            None => match self.read_link(ws, &link, &kinds, cursor).await {
                // The kept describe is out of date: read it again and retry the read once.
                Err(e) if described.kept && describes::says_schema_changed(&e) => {
                    let fresh = describes::refresh(self.client, ws.conn(), &link.object).await?;
                    kinds = values::kinds(&fresh.describe, zone);
                    self.check_fields(&link, &mut kinds)?;
                    check_columns(ws.conn(), &link, &fresh.describe)?;
                    self.read_link(ws, &link, &kinds, cursor).await?
                }
                other => other?,
            },
            Some(scope) => {
                let scoped =
                    scope::read(self.client, ws.conn(), &link, link_id, &kinds, scope).await?;
                self.read_path = Some(ReadPath::Rest);
                self.options.report(Progress::Read {
                    records: scoped.records.len() as u64,
                    path: ReadPath::Rest,
                });
                let queued: Vec<String> = reread::queued(ws.conn(), link_id)?
                    .into_iter()
                    .filter(|id| scoped.covered.contains(&id15(id)))
                    .collect();
                covered = Some(scoped.covered);
                // The cursor stays where it is: `None` leaves it alone.
                (scoped.records, scoped.bases, scoped.rows, None, queued)
            }
        };
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        for bad in &read.bad {
            self.counts.failed += 1;
            journal::record_error(
                ws.conn(),
                self.run_id,
                &RecordFailure {
                    side: journal::Side::Local,
                    sf_id: None,
                    row_key: Some(bad.row_key.clone()),
                    code: "INVALID_LOCAL_VALUE".into(),
                    message: format!(
                        "row {} of `{}`: the {} holds `{}`, which is not {} as {} needs",
                        bad.row_key,
                        link.table,
                        bad.source,
                        bad.problem.found,
                        bad.problem.expected,
                        bad.field
                    ),
                    fields: vec![bad.field.clone()],
                    payload: None,
                    hint: format!(
                        "Correct the value in row {} (or change the mapping of {}), then sync again. The row is left out of this run; nothing was sent.",
                        bad.row_key, bad.field
                    ),
                },
            )?;
        }
        tracing::debug!(
            rows = read.bad.len(),
            "rows skipped: a value does not fit its field"
        );
        for bad in &read.bad_ids {
            self.failure(ws.conn(), bad.failure(&link.table))?;
        }
        self.find_lost_creates(ws, &link, &bases, &mut read).await?;
        let waiting = unmatched::waiting(&link, &read.rows);
        let mut units = assemble(&link, records, bases, read.rows);
        if let Some(covered) = &covered {
            // Asked for by Id and not in the answer, deleted ones included: Salesforce has no
            // such record any more (as `settle::reread` concludes), and reading it again, or
            // the whole link, would tell nothing new.
            for unit in units.iter_mut().filter(|u| {
                !u.remote_fresh
                    && u.sf_id
                        .as_deref()
                        .is_some_and(|id| covered.contains(&id15(id)))
            }) {
                unit.remote = None;
                unit.remote_deleted = unit.base.is_some();
                unit.remote_fresh = true;
            }
        }
        if covered.is_some() {
            self.covered_records = Some(
                units
                    .iter()
                    .map(|u| journal::FailedRecord {
                        sf_id: u.sf_id.clone(),
                        row_key: u
                            .local
                            .as_ref()
                            .map(|row| row.key.clone())
                            .or_else(|| u.base.as_ref().and_then(|b| b.row_key.clone())),
                    })
                    .collect(),
            );
        }
        self.join_unmatched(ws.conn(), &link, &mut units, waiting, read.keyless)?;
        let times = self.local_times(ws.conn(), &link, &units)?;
        let kept: HashSet<String> = reread::kept_records(ws.conn(), link_id)?
            .iter()
            .map(|id| id15(id))
            .collect();
        let rules = link.rules();
        let planning = units.len() as u64;
        for (done, unit) in units.iter_mut().enumerate() {
            unit.plan = plan_unit(&link, &rules, unit, &times, &kept);
            if done % super::REPORT_EVERY == 0 {
                let done = done as u64;
                self.options.report(Progress::Planning {
                    done,
                    total: planning,
                });
            }
        }
        self.options.report(Progress::Planning {
            done: planning,
            total: planning,
        });
        let open: HashSet<String> = conflicts::open_keys(ws.conn(), link_id)?
            .into_iter()
            .map(|(sf_id, _)| id15(&sf_id))
            .collect();
        // Before the re-reads: a deleted row the filter leaves out plans nothing, and a record
        // it names is not read again on every run.
        self.keep_records_the_push_filter_leaves_out(ws.conn(), &link, &mut units)?;
        let stale = settle::stale(&units, &open);
        settle::reread(
            self.client,
            &link,
            &kinds,
            &mut units,
            &stale,
            &self.options.cancel,
        )
        .await?;
        let new_rows = settle::match_new_rows(self.client, &link, &kinds, &mut units).await?;
        for index in stale.into_iter().chain(new_rows.changed) {
            units[index].plan = plan_unit(&link, &rules, &units[index], &times, &kept);
        }
        for failure in new_rows.refused {
            self.failure(ws.conn(), failure)?;
        }
        for index in new_rows.keyless {
            if let Some(row) = units[index].local.take() {
                self.not_synced(ws.conn(), &link, &row)?;
            }
        }
        // Plans made again from fresh values may delete again.
        self.keep_records_the_push_filter_leaves_out(ws.conn(), &link, &mut units)?;
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        // A record kept by a person stays queued until Salesforce confirms it created it again.
        self.settled = queued
            .into_iter()
            .filter(|id| {
                !units.iter().any(|u| {
                    u.plan.restores
                        && u.plan.create_remote.is_some()
                        && u.sf_id.as_deref().map(id15) == Some(id15(id))
                })
            })
            .collect();
        let (pulls, pushes, conflicts) = units.iter().fold((0, 0, 0), |acc, u| {
            (
                acc.0 + u64::from(!u.plan.pull.is_empty() || u.plan.create_local.is_some()),
                acc.1
                    + u64::from(
                        !u.plan.push.is_empty()
                            || u.plan.create_remote.is_some()
                            || u.plan.delete_remote,
                    ),
                acc.2 + u.plan.conflicts.len() as u64,
            )
        });
        tracing::debug!(records = units.len(), pulls, pushes, conflicts, "planned");
        self.options.report(Progress::Planned {
            pulls,
            pushes,
            conflicts,
        });
        // The guard counts the link's records only when the deletes could be too many: a
        // run that deletes a few never counts the link.
        let most_deletes = units
            .iter()
            .filter(|u| u.plan.delete_local)
            .count()
            .max(units.iter().filter(|u| u.plan.delete_remote).count());
        if !self.options.allow_mass_delete
            && most_deletes > super::guard::FLOOR
            && let Some(guard) = MassDelete::check(&units, self.records(ws.conn(), &units)?, &link)
        {
            // Before any write: the cursor stays, so the next run plans the same deletes.
            tracing::debug!(
                local = guard.local.len(),
                remote = guard.remote.len(),
                "stopped by the mass-delete guard"
            );
            self.counts.deletes_waiting = (guard.local.len() + guard.remote.len()) as u64;
            return Err(SyncError::MassDelete(guard));
        }
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        let cursor = newest.map(|newest| newest.max(cursor.unwrap_or(newest)));
        self.apply_local(ws, &link, &rules, &mut units, cursor)?;
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        self.push(ws, &link, &rules, &units).await
    }

    /// The link's records, each with a base: every run's denominator for the mass-delete guard,
    /// whatever it read.
    fn records(&self, conn: &Connection, units: &[Unit]) -> Result<usize, SyncError> {
        if let Some(before) = self.bases_before {
            return Ok(before);
        }
        if self.partial_read {
            return Ok(base::count(conn, self.stored.id)?);
        }
        Ok(units.iter().filter(|u| u.base.is_some()).count())
    }

    /// When local rows and the fields of each changed, and when gone rows were deleted: only
    /// the later-edit-wins policy asks.
    pub(super) fn local_times(
        &self,
        conn: &Connection,
        link: &Link,
        units: &[Unit],
    ) -> Result<LocalTimes, SyncError> {
        if !uses_most_recent(link) {
            return Ok(LocalTimes::default());
        }
        let keys: Vec<String> = units
            .iter()
            .filter_map(|u| u.local.as_ref().map(|l| l.key.clone()))
            .collect();
        let gone: Vec<String> = units
            .iter()
            .filter(|u| u.local.is_none())
            .filter_map(|u| u.base.as_ref()?.row_key.clone())
            .collect();
        Ok(LocalTimes {
            fields: local::change_times(conn, link, &keys)?,
            deletes: deleted::delete_times(conn, &link.table, &gone)?,
        })
    }

    /// Everything a run of the whole link reads: the records changed since the cursor and
    /// those queued to read again, the bases and rows they need (every one, or what changed
    /// since the link's mark), and where the cursor may move. When the changes are more than
    /// one batch, batches whose plans settle alone are carried out as they are read (see
    /// [`super::batches`]) and only what waits comes back.
    #[tracing::instrument(name = "read", level = "debug", skip_all)]
    async fn read_link(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        kinds: &HashMap<String, Kind>,
        cursor: Option<DateTime<Utc>>,
    ) -> Result<Scanned, SyncError> {
        let since = cursor.map(|c| c - Duration::seconds(i64::from(link.strategy.overlap_seconds)));
        // Even a read that finds nothing moves the cursor, or every later run would read
        // everything again (and never see deletes, which only incremental reads include).
        // Clock skew up to the overlap window is harmless.
        let read_started = Utc::now();
        let options = self.options;
        let read = |done, total| options.report(Progress::Reading { done, total });
        let mut reader =
            ChangeReader::open(self.client, link, kinds, since, &options.cancel, &read).await?;
        self.read_path = Some(reader.path());
        let size = options.batch_records.max(1);
        let first = reader.next_batch(size).await?;
        let link_id = self.stored.id;
        let queued = reread::queued(ws.conn(), link_id)?;
        if reader.is_exhausted() {
            return self
                .read_one_batch(
                    ws,
                    link,
                    kinds,
                    first,
                    queued,
                    reader.newest(),
                    read_started,
                )
                .await;
        }
        // Taken before the local read: whatever is logged after it is read by the next run.
        let now = marks::now(ws.conn())?;
        let mark = match self.capture_intact {
            true => marks::get(ws.conn(), link_id, &definition(link))?,
            false => None,
        };
        // The guard's denominator: the link's records before any batch wrote.
        self.bases_before = Some(base::count(ws.conn(), link_id)?);
        self.partial_read = true;
        let side = incremental::read(ws.conn(), link, link_id, kinds, &[], mark.as_ref())?;
        let held = Held::read(ws.conn(), link_id, &queued)?;
        let rules = link.rules();
        let mut pool = Pool::new(side);
        let mut seen_queued = HashSet::new();
        let mut batch = first;
        loop {
            seen_queued.extend(
                batch
                    .iter()
                    .map(|r| id15(&r.id))
                    .filter(|id| held.queued.contains(id)),
            );
            self.run_batch(ws, link, kinds, &rules, &mut pool, batch, &held)?;
            crate::run::stop_if_cancelled(&options.cancel)?;
            if reader.is_exhausted() {
                break;
            }
            batch = reader.next_batch(size).await?;
        }
        self.options.report(Progress::Read {
            records: reader.count(),
            path: reader.path(),
        });
        let newest = reader.newest().max(Some(read_started));
        let unread: Vec<String> = queued
            .iter()
            .filter(|id| !seen_queued.contains(&id15(id)))
            .cloned()
            .collect();
        let by_id = remote::fetch_by_ids(self.client, link, kinds, &unread).await?;
        pool.wait_with(ws.conn(), link, link_id, kinds, by_id)?;
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        self.local_mark = Some(now);
        let (records, bases, read) = pool.finish();
        Ok((records, bases, read, newest, queued))
    }

    /// The read of a run whose changes fit in one batch: planned all together.
    #[allow(clippy::too_many_arguments)]
    async fn read_one_batch(
        &mut self,
        ws: &Workspace,
        link: &Link,
        kinds: &HashMap<String, Kind>,
        mut records: Vec<RemoteRecord>,
        queued: Vec<String>,
        newest: Option<DateTime<Utc>>,
        read_started: DateTime<Utc>,
    ) -> Result<Scanned, SyncError> {
        self.options.report(Progress::Read {
            records: records.len() as u64,
            path: self.read_path.unwrap_or(ReadPath::Rest),
        });
        // Only the changes query moves the cursor: a record read by Id may be newer than
        // changes that query has not seen yet.
        let newest = newest.max(Some(read_started));
        let link_id = self.stored.id;
        let read_now: HashSet<String> = records.iter().map(|r| id15(&r.id)).collect();
        let unread: Vec<String> = queued
            .iter()
            .filter(|id| !read_now.contains(&id15(id)))
            .cloned()
            .collect();
        records.extend(remote::fetch_by_ids(self.client, link, kinds, &unread).await?);
        crate::run::stop_if_cancelled(&self.options.cancel)?;
        // Taken before the local read: whatever is logged after it is read by the next run.
        let now = marks::now(ws.conn())?;
        let mark = match self.capture_intact {
            true => marks::get(ws.conn(), link_id, &definition(link))?,
            false => None,
        };
        let side = incremental::read(ws.conn(), link, link_id, kinds, &records, mark.as_ref())?;
        self.partial_read = side.partial;
        self.local_mark = Some(now);
        Ok((records, side.bases, side.read, newest, queued))
    }

    pub(super) fn link_id(&self) -> i64 {
        self.stored.id
    }

    /// A local delete reaches Salesforce only for a row the push filter took in.
    fn keep_records_the_push_filter_leaves_out(
        &self,
        conn: &Connection,
        link: &Link,
        units: &mut [Unit],
    ) -> Result<(), SyncError> {
        if link
            .push_filter
            .as_deref()
            .is_none_or(|f| f.trim().is_empty())
        {
            return Ok(());
        }
        // Whatever a local delete set off: the delete itself, or its contest with an edit.
        let follows_local_delete = |u: &Unit| {
            u.local.is_none()
                && (u.plan.delete_remote
                    || u.plan.holds_delete_conflict()
                    || (u.plan.restores && u.plan.create_local.is_some()))
        };
        let keys: Vec<String> = units
            .iter()
            .filter(|u| follows_local_delete(u))
            .filter_map(|u| u.base.as_ref()?.row_key.clone())
            .collect();
        let left_out = deleted::left_out_by_push_filter(conn, link, &keys)?;
        for unit in units.iter_mut().filter(|u| follows_local_delete(u)) {
            let key = unit.base.as_ref().and_then(|b| b.row_key.as_ref());
            if key.is_none_or(|k| left_out.contains(k)) {
                unit.plan = RecordPlan::default();
            }
        }
        Ok(())
    }

    /// Every mapped field must exist; parent references are text.
    fn check_fields(
        &self,
        link: &Link,
        kinds: &mut HashMap<String, Kind>,
    ) -> Result<(), SyncError> {
        let mut fields: Vec<&str> = link.fields.iter().map(|f| f.remote.as_str()).collect();
        if let MatchKey::ExternalId { field, .. } = &link.match_on {
            fields.push(field);
        }
        for field in fields {
            if field.contains('.') {
                kinds.insert(field.to_string(), Kind::Text);
            } else if !kinds.contains_key(field) {
                return Err(SyncError::Link {
                    link: link.name.clone(),
                    problem: format!("{} has no field `{field}`", link.object),
                });
            }
        }
        Ok(())
    }

    /// Every base change of a run keeps the base's earlier state first, for undo.
    fn base_put(&self, conn: &Connection, record: &BaseRecord) -> Result<(), SyncError> {
        base::remember_before(conn, self.run_id, self.stored.id, &record.sf_id)?;
        base::put(conn, self.stored.id, record)?;
        Ok(())
    }

    /// The base of a row the run added. When the record had no base before, none is kept
    /// for undo: undoing the run deletes the row it added and that row's base with it (see
    /// [`super::undo`]), so a first pull writes the row, its base and the log's line only.
    fn base_of_new_row(&self, conn: &Connection, record: &BaseRecord) -> Result<(), SyncError> {
        if base::get(conn, self.stored.id, &record.sf_id)?.is_some() {
            return self.base_put(conn, record);
        }
        base::put(conn, self.stored.id, record)?;
        Ok(())
    }

    fn base_remove(&self, conn: &Connection, sf_id: &str) -> Result<(), SyncError> {
        base::remember_before(conn, self.run_id, self.stored.id, sf_id)?;
        base::remove(conn, self.stored.id, sf_id)?;
        Ok(())
    }

    fn failure(&mut self, conn: &Connection, failure: RecordFailure) -> Result<(), SyncError> {
        self.counts.failed += 1;
        journal::record_error(conn, self.run_id, &failure)?;
        Ok(())
    }

    /// A write the local table refused is that row's error: the failed statement was undone
    /// and the transaction goes on, unless a trigger rolled all of it back.
    fn refused(
        &mut self,
        tx: &Connection,
        link: &Link,
        key: &str,
        sf_id: &str,
        write: local::LocalWrite<'_>,
        error: rusqlite::Error,
    ) -> Result<(), SyncError> {
        if tx.is_autocommit() {
            return Err(error.into());
        }
        self.failure(tx, local::refused(link, key, sf_id, write, &error))
    }

    /// Queues (or refreshes) the unit's conflicts and notes them as still open.
    fn queue_conflicts(
        &mut self,
        tx: &Connection,
        unit: &Unit,
        sf_id: &str,
        row_key: Option<&str>,
        still_open: &mut HashSet<(String, String)>,
    ) -> Result<(), SyncError> {
        for conflict in &unit.plan.conflicts {
            still_open.insert((sf_id.to_string(), conflict.field.clone()));
            let run = Some(self.run_id);
            conflicts::record_open(tx, self.stored.id, sf_id, row_key, conflict, run)?;
            tracing::debug!(sf_id, field = %conflict.field, policy = ?self.stored.link.policy, "conflict queued for a decision");
            self.counts.conflicts += 1;
        }
        Ok(())
    }

    /// Local writes, base updates, conflicts and the pull cursor, in one transaction.
    #[tracing::instrument(name = "write_local", level = "debug", skip_all)]
    pub(super) fn apply_local(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        rules: &[FieldRule],
        units: &mut [Unit],
        cursor: Option<DateTime<Utc>>,
    ) -> Result<(), SyncError> {
        let link_id = self.stored.id;
        let tx = ws.conn_mut().transaction()?;
        capture::set_writer(&tx, Some(self.run_id))?;
        reread::clear(&tx, link_id, &self.settled)?;
        let open = conflicts::open_keys(&tx, link_id)?;
        let rowid_key = local::key_is_rowid(&tx, link)?;
        let mut still_open = HashSet::new();
        let writing = units.len() as u64;
        for (done, unit) in units.iter_mut().enumerate() {
            if done % super::REPORT_EVERY == 0 {
                let done = done as u64;
                self.options.report(Progress::Writing {
                    done,
                    total: writing,
                });
            }
            if !unit.plan.is_noop() {
                self.counts.processed += 1;
            }
            let Some(sf_id) = unit.sf_id.clone() else {
                continue;
            };
            let remote = unit.remote.clone();
            if let Some(values) = unit.plan.create_local.clone() {
                let match_value = match &link.match_on {
                    MatchKey::ExternalId { field, .. } => {
                        remote.as_ref().and_then(|r| r.get(field)).cloned()
                    }
                    MatchKey::SalesforceId => None,
                };
                let restored = match unit.base.as_ref().and_then(|b| b.row_key.as_deref()) {
                    Some(key) if unit.plan.restores => {
                        restore_then_pull(&tx, link, key, &sf_id, &values)
                    }
                    _ => Ok(None),
                };
                let written = restored.and_then(|key| match key {
                    Some(key) => Ok((key, true)),
                    None => local::insert_row(
                        &tx,
                        link,
                        rowid_key,
                        &sf_id,
                        match_value.as_ref(),
                        &values,
                    )
                    .map(|key| (key, false)),
                });
                match written {
                    Ok((key, restored)) => {
                        self.counts.created += 1;
                        // A restored row holds its old values in the fields Salesforce did
                        // not send, so they keep their agreed values: an edit made before the
                        // delete still counts as one.
                        let old = unit.base.as_ref().filter(|_| restored).map(|b| &b.fields);
                        let mut row_values = old.cloned().unwrap_or_default();
                        row_values.extend(values.clone());
                        let fields = plan::next_base(
                            rules,
                            old,
                            Some(&row_values),
                            remote.as_ref(),
                            &unit.plan,
                            false,
                        );
                        let record = BaseRecord {
                            sf_id: sf_id.clone(),
                            row_key: Some(key),
                            fields,
                            remote_modstamp: unit.remote_modstamp.map(|t| t.to_rfc3339()),
                            remote_deleted: false,
                        };
                        match restored {
                            true => self.base_put(&tx, &record)?,
                            false => self.base_of_new_row(&tx, &record)?,
                        }
                    }
                    Err(e) => {
                        let reason = if unit.plan.restores {
                            Reason::KeepRecord
                        } else {
                            Reason::LocalInsertFailed
                        };
                        reread::queue(&tx, link_id, &sf_id, reason)?;
                        self.failure(
                        &tx,
                        RecordFailure {
                            side: journal::Side::Local,
                            sf_id: Some(sf_id.clone()),
                            row_key: None,
                            code: "LOCAL_INSERT_FAILED".into(),
                            message: format!("cannot add {sf_id} to `{}`: {e}", link.table),
                            fields: Vec::new(),
                            payload: Some(values_json(&values)),
                            hint: format!(
                                "Check the constraints of `{}` (NOT NULL or UNIQUE columns the link does not fill), then sync again.",
                                link.table
                            ),
                        },
                    )?;
                    }
                }
                continue;
            }
            if unit.plan.holds_delete_conflict() {
                // Neither side is written and the base stays, so every run sees the contest
                // again until a person decides it.
                let row_key = unit
                    .local
                    .as_ref()
                    .map(|row| row.key.clone())
                    .or_else(|| unit.base.as_ref().and_then(|b| b.row_key.clone()));
                self.queue_conflicts(&tx, unit, &sf_id, row_key.as_deref(), &mut still_open)?;
                continue;
            }
            let Some(row) = unit.local.clone() else {
                if unit.remote_deleted && unit.base.is_some() {
                    self.base_remove(&tx, &sf_id)?;
                    conflicts::close_record(&tx, link_id, &sf_id)?;
                }
                continue;
            };
            if !row.readable {
                // What Salesforce sent this run waits with the row: read again once it is fixed.
                reread::queue(&tx, link_id, &sf_id, Reason::UnreadableRow)?;
                // Left out of this run: its open conflicts stay open.
                still_open.extend(open.iter().filter(|(id, _)| *id == sf_id).cloned());
                continue;
            }
            if unit.plan.delete_local {
                match local::delete_row(&tx, link, &row.key) {
                    Ok(_) => {
                        self.base_remove(&tx, &sf_id)?;
                        conflicts::close_record(&tx, link_id, &sf_id)?;
                        self.counts.deleted += 1;
                    }
                    Err(e) => self.refused(&tx, link, &row.key, &sf_id, LocalWrite::Delete, e)?,
                }
                continue;
            }
            if unit.remote_deleted {
                if unit.plan.archive_local {
                    if let Err(e) = local::archive_row(&tx, link, &row.key) {
                        self.refused(&tx, link, &row.key, &sf_id, LocalWrite::Archive, e)?;
                        continue;
                    }
                    self.counts.updated += 1;
                }
                if let Some(old) = &unit.base {
                    self.base_put(
                        &tx,
                        &BaseRecord {
                            remote_deleted: true,
                            ..old.clone()
                        },
                    )?;
                }
                continue;
            }
            let link_id_now = row.sf_id.is_none();
            if !unit.plan.pull.is_empty() || link_id_now {
                let id = link_id_now.then_some(sf_id.as_str());
                if let Err(e) = local::update_row(&tx, link, &row.key, id, &unit.plan.pull) {
                    let pulled = LocalWrite::Update(&unit.plan.pull);
                    self.refused(&tx, link, &row.key, &sf_id, pulled, e)?;
                    // Nothing of its plan is carried out, so its base stays where it was.
                    unit.plan = RecordPlan::default();
                    still_open.extend(open.iter().filter(|(id, _)| *id == sf_id).cloned());
                    continue;
                }
                if !unit.plan.pull.is_empty() {
                    self.counts.updated += 1;
                }
            }
            self.queue_conflicts(&tx, unit, &sf_id, Some(&row.key), &mut still_open)?;
            if remote.is_some() {
                let fields = plan::next_base(
                    rules,
                    unit.base.as_ref().map(|b| &b.fields),
                    Some(&row.values),
                    remote.as_ref(),
                    &unit.plan,
                    false,
                );
                let modstamp = unit
                    .remote_modstamp
                    .map(|t| t.to_rfc3339())
                    .or_else(|| unit.base.as_ref().and_then(|b| b.remote_modstamp.clone()));
                let changed = unit.base.as_ref().is_none_or(|b| {
                    b.fields != fields || b.row_key.as_deref() != Some(row.key.as_str())
                });
                if changed {
                    self.base_put(
                        &tx,
                        &BaseRecord {
                            sf_id: sf_id.clone(),
                            row_key: Some(row.key.clone()),
                            fields,
                            remote_modstamp: modstamp,
                            remote_deleted: false,
                        },
                    )?;
                }
            }
        }
        for (sf_id, field) in open {
            if field == WHOLE_RECORD {
                // Closed once a fresh read of both sides no longer finds the contest.
                let planned = units.iter().any(|u| {
                    u.sf_id.as_deref().map(id15) == Some(id15(&sf_id))
                        && u.remote_fresh
                        && u.local.as_ref().is_none_or(|row| row.readable)
                });
                if planned && !still_open.contains(&(sf_id.clone(), field.clone())) {
                    conflicts::mark_agreed(&tx, link_id, &sf_id, &field)?;
                }
                continue;
            }
            if !rules.iter().any(|r| r.field == field) {
                // No longer mapped: the conflict waits for a person or for the field to return.
                continue;
            }
            // Only a comparison of both sides as they are now may close a conflict.
            let planned = units.iter().any(|u| {
                u.sf_id.as_deref().map(id15) == Some(id15(&sf_id))
                    && u.remote_fresh
                    && u.remote.is_some()
                    && u.local.as_ref().is_some_and(|row| row.readable)
            });
            if planned && !still_open.contains(&(sf_id.clone(), field.clone())) {
                conflicts::mark_agreed(&tx, link_id, &sf_id, &field)?;
            }
        }
        if let Some(cursor) = cursor {
            tx.execute(
                "INSERT OR IGNORE INTO tether_cursor_images (run_id, link_id, pulled_through)
                 VALUES (?1, ?2, (SELECT pulled_through FROM tether_cursors WHERE link_id = ?2))",
                params![self.run_id, link_id],
            )?;
            tx.execute(
                "INSERT INTO tether_cursors (link_id, pulled_through) VALUES (?1, ?2)
                 ON CONFLICT (link_id) DO UPDATE SET pulled_through = excluded.pulled_through",
                params![link_id, cursor.to_rfc3339()],
            )?;
        }
        capture::set_writer(&tx, None)?;
        tx.commit()?;
        journal::update_counts(ws.conn(), self.run_id, &self.counts)?;
        Ok(())
    }
}

/// Puts a deleted row back from the change log and writes Salesforce's values over it.
/// Returns its key, or `None` when the change log cannot give the row back.
fn restore_then_pull(
    tx: &Connection,
    link: &Link,
    key: &str,
    sf_id: &str,
    values: &Values,
) -> rusqlite::Result<Option<String>> {
    if !deleted::restore_row(tx, link, key, sf_id)? {
        return Ok(None);
    }
    local::update_row(tx, link, key, None, values)?;
    Ok(Some(key.to_string()))
}

pub(super) fn values_json(values: &Values) -> Value {
    Value::Object(values.clone().into_iter().collect())
}

/// The link as its mark records it: a mark is trusted only by a run of the same link.
pub(super) fn definition(link: &Link) -> String {
    serde_json::to_string(link).unwrap_or_default()
}

fn uses_most_recent(link: &Link) -> bool {
    use crate::sync::plan::ConflictPolicy::MostRecentWins;
    link.policy == MostRecentWins || link.fields.iter().any(|f| f.policy == Some(MostRecentWins))
}

fn load_cursor(conn: &Connection, link_id: i64) -> Result<Option<DateTime<Utc>>, SyncError> {
    let text: Option<Option<String>> = conn
        .query_row(
            "SELECT pulled_through FROM tether_cursors WHERE link_id = ?1",
            [link_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.flatten().and_then(|t| values::parse_datetime(&t)))
}
