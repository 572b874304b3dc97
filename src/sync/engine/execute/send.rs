//! The Salesforce half of a run: the plans' writes sent in groups, each logged as an intent
//! first, and what Salesforce answered applied to the local table, the bases and the journal.

use std::collections::{HashMap, HashSet};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use rusqlite::Connection;
use serde_json::Value;

use super::super::local::{self, Locator};
use super::super::units::{Unit, id15, push_item};
use super::super::{Progress, SyncError};
use super::{Run, values_json};
use crate::run::composite_push::{RECORDS_PER_CALL, through_composite};
use crate::run::push::{self, Outcome, PushItem, PushOp, WritePath};
use crate::salesforce::COLLECTION_CHUNK;
use crate::sync::link::Link;
use crate::sync::plan::{self, FieldRule, RecordPlan};
use crate::workspace::base::BaseRecord;
use crate::workspace::images::{self, NewImage, RemoteOp};
use crate::workspace::journal::{self, RecordFailure};
use crate::workspace::{Workspace, capture, conflicts, reread};

// Collections groups are one call each (200 records), Composite groups one call of 1,000, at
// most `crate::run::window`'s calls in flight: a cancel or a crash loses at most their confirmations (which the next run
// re-establishes). A Bulk job is one group per kind of write.

impl Run<'_> {
    #[tracing::instrument(name = "push", level = "debug", skip_all)]
    pub(super) async fn push(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        rules: &[FieldRule],
        units: &[Unit],
    ) -> Result<(), SyncError> {
        let mut items = Vec::new();
        for (index, unit) in units.iter().enumerate() {
            if let Some(item) = push_item(link, index, unit) {
                items.push(item);
            } else if unit.plan.create_remote.is_some()
                && let Some(row) = &unit.local
                && let Some(id) = &row.sf_id
            {
                self.failure(
                    ws.conn(),
                    RecordFailure {
                        side: journal::Side::Salesforce,
                        sf_id: Some(id.clone()),
                        row_key: Some(row.key.clone()),
                        code: "NOT_FOUND".into(),
                        message: format!(
                            "row {} of `{}` names {} record {id}, which does not exist or is not visible",
                            row.key, link.table, link.object
                        ),
                        fields: vec![link.id_column.clone()],
                        payload: None,
                        hint: format!(
                            "If the record was deleted in Salesforce, clear `{}` in row {} or delete the row.",
                            link.id_column, row.key
                        ),
                    },
                )?;
            }
        }
        if items.is_empty() {
            return Ok(());
        }
        let total = items.len() as u64;
        let creates = items
            .iter()
            .filter(|item| item.op == PushOp::Create)
            .count() as u64;
        let (path, creates_path) = match self.options.write_path {
            Some(forced) => {
                let mut why = format!("{forced:?} for {total} records, as asked");
                let creates_path = if forced == WritePath::Bulk {
                    let rest = WritePath::for_push(creates, u64::MAX);
                    if creates > 0 {
                        why.push_str(&format!(
                            "; its {creates} new records by {rest:?}, as Bulk's results would \
                             not say which row each came from"
                        ));
                    }
                    rest
                } else {
                    forced
                };
                self.write_choice = Some(why);
                (forced, creates_path)
            }
            None => {
                let choice = crate::run::write_cost::choose(
                    total,
                    creates,
                    self.client.round_trip(),
                    self.client.api_usage().map(|u| u.remaining()),
                    link.strategy.bulk_push_above,
                );
                self.write_choice = Some(choice.why);
                (choice.path, choice.creates_path)
            }
        };
        if path != WritePath::Bulk {
            self.write_path = Some(path);
            let groups = rest_groups(items, path);
            return self
                .push_pipelined(ws, link, rules, units, groups, path, (0, total))
                .await;
        }
        // New records without a key go by REST beside the Bulk job: Bulk's results could not
        // say which row each came from.
        let (new, keyed): (Vec<PushItem>, Vec<PushItem>) = items
            .into_iter()
            .partition(|item| item.op == PushOp::Create);
        self.write_path = Some(if keyed.is_empty() {
            creates_path
        } else {
            WritePath::Bulk
        });
        let mut by_kind: Vec<Vec<PushItem>> = vec![Vec::new(); 3];
        for item in keyed {
            let slot = match item.op {
                PushOp::Upsert { .. } => 0,
                PushOp::Update { .. } => 1,
                PushOp::Delete { .. } | PushOp::Create => 2,
            };
            by_kind[slot].push(item);
        }
        let mut done = 0;
        for group in by_kind.into_iter().filter(|g| !g.is_empty()) {
            crate::run::stop_if_cancelled(&self.options.cancel)?;
            let image_ids = self.record_intents(ws.conn_mut(), link, units, &group)?;
            let outcomes = push::through_bulk(self.client, &link.object, &group).await?;
            self.apply_outcomes(ws, link, rules, units, &group, outcomes, &image_ids)?;
            done += group.len() as u64;
            self.options.report(Progress::Pushed { done, total });
        }
        if new.is_empty() {
            return Ok(());
        }
        let groups = rest_groups(new, creates_path);
        self.push_pipelined(ws, link, rules, units, groups, creates_path, (done, total))
            .await
    }

    /// Collections or Composite calls in a sliding window ([`crate::run::window`]): each
    /// call's intents are journaled before it is sent, and the answers are applied in the
    /// order the calls were sent, while the calls after them are in flight.
    #[allow(clippy::too_many_arguments)]
    async fn push_pipelined(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        rules: &[FieldRule],
        units: &[Unit],
        groups: Vec<Vec<PushItem>>,
        path: WritePath,
        (mut done, total): (u64, u64),
    ) -> Result<(), SyncError> {
        let client = self.client;
        let object = link.object.as_str();
        let mut window = crate::run::window::Window::default();
        let mut in_flight = FuturesOrdered::new();
        let mut groups = groups.into_iter();
        loop {
            while in_flight.len() < window.size()
                && let Some(group) = groups.next()
            {
                crate::run::stop_if_cancelled(&self.options.cancel)?;
                let image_ids = self.record_intents(ws.conn_mut(), link, units, &group)?;
                in_flight.push_back(async move {
                    let outcomes = match path {
                        WritePath::Composite => through_composite(client, object, &group).await,
                        _ => push::through_collections(client, object, &group).await,
                    };
                    (group, image_ids, outcomes)
                });
            }
            let Some((group, image_ids, outcomes)) = in_flight.next().await else {
                break;
            };
            let outcomes = outcomes?;
            window.answered(&outcomes);
            self.apply_outcomes(ws, link, rules, units, &group, outcomes, &image_ids)?;
            done += group.len() as u64;
            self.options.report(Progress::Pushed { done, total });
        }
        Ok(())
    }

    fn record_intents(
        &self,
        conn: &mut Connection,
        link: &Link,
        units: &[Unit],
        group: &[PushItem],
    ) -> Result<HashMap<usize, i64>, SyncError> {
        let images: Vec<NewImage> = group
            .iter()
            .map(|item| {
                let unit = &units[item.unit];
                let before = unit.remote.as_ref().map(|r| match item.op {
                    PushOp::Delete { .. } => r.clone(),
                    _ => item
                        .fields
                        .keys()
                        .map(|k| (k.clone(), r.get(k).cloned().unwrap_or(Value::Null)))
                        .collect(),
                });
                let (op, before) = match item.op {
                    PushOp::Create => (RemoteOp::Create, None),
                    PushOp::Upsert { .. } if unit.sf_id.is_none() => (RemoteOp::Create, None),
                    PushOp::Upsert { .. } | PushOp::Update { .. } => (RemoteOp::Update, before),
                    PushOp::Delete { .. } => (RemoteOp::Delete, before),
                };
                NewImage {
                    object: link.object.clone(),
                    sf_id: unit.sf_id.clone(),
                    row_key: unit
                        .local
                        .as_ref()
                        .and_then(|l| l.row_key())
                        .map(str::to_string),
                    op,
                    before,
                    after: match item.op {
                        PushOp::Delete { .. } => None,
                        _ => Some(item.fields.clone()),
                    },
                }
            })
            .collect();
        let tx = conn.transaction()?;
        let ids = images::record_intents(&tx, self.run_id, &images)?;
        for (item, image) in group.iter().zip(&ids) {
            // A row without a key is found again by its rowid.
            if let Some(Locator::Rowid(rowid)) = units[item.unit].local.as_ref().map(|l| l.locator)
            {
                images::set_row_id(&tx, *image, rowid)?;
            }
        }
        tx.commit()?;
        Ok(group.iter().map(|i| i.unit).zip(ids).collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_outcomes(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        rules: &[FieldRule],
        units: &[Unit],
        group: &[PushItem],
        outcomes: Vec<(usize, Outcome)>,
        image_ids: &HashMap<usize, i64>,
    ) -> Result<(), SyncError> {
        let tx = ws.conn_mut().transaction()?;
        capture::set_writer(&tx, Some(self.run_id))?;
        let mut answered = HashSet::new();
        let items: HashMap<usize, &PushItem> = group.iter().map(|i| (i.unit, i)).collect();
        for (index, outcome) in outcomes {
            answered.insert(index);
            let unit = &units[index];
            let item = items.get(&index);
            match outcome {
                Outcome::Written { id, created } => {
                    if let Some(image) = image_ids.get(&index) {
                        images::confirm(&tx, *image, Some(&id))?;
                    }
                    if unit.plan.delete_remote {
                        self.base_remove(&tx, &id)?;
                        conflicts::close_record(&tx, self.stored.id, &id)?;
                        self.counts.deleted += 1;
                        continue;
                    }
                    if unit.plan.restores
                        && let Some(old) =
                            unit.sf_id.as_deref().filter(|old| id15(old) != id15(&id))
                    {
                        // The record deleted in Salesforce is replaced by the one created from
                        // the row: what the workspace knew of the old one goes with it.
                        self.base_remove(&tx, old)?;
                        conflicts::close_record(&tx, self.stored.id, old)?;
                        reread::clear(&tx, self.stored.id, &[old.to_string()])?;
                    }
                    let Some(row) = &unit.local else { continue };
                    if row.sf_id.as_deref().map(id15) != Some(id15(&id)) {
                        local::write_id(&tx, link, row, &id)?;
                    }
                    let fields = plan::next_base(
                        rules,
                        unit.base
                            .as_ref()
                            .filter(|_| !unit.plan.restores)
                            .map(|b| &b.fields),
                        Some(&row.values),
                        unit.remote.as_ref(),
                        &confirmed_plan(&unit.plan),
                        true,
                    );
                    self.base_put(
                        &tx,
                        &BaseRecord {
                            sf_id: id.clone(),
                            // A table keyed by its Id column is keyed by the new Id now.
                            row_key: if link.key == link.id_column {
                                Some(id.clone())
                            } else {
                                row.row_key().map(str::to_string)
                            },
                            fields,
                            remote_modstamp: unit
                                .base
                                .as_ref()
                                .and_then(|b| b.remote_modstamp.clone()),
                            remote_deleted: false,
                        },
                    )?;
                    if created {
                        self.counts.created += 1;
                    } else {
                        self.counts.updated += 1;
                    }
                }
                Outcome::Failed(error) => {
                    if let Some(image) = image_ids.get(&index) {
                        images::mark_not_written(&tx, *image)?;
                    }
                    let fields = item.map(|i| i.fields.clone()).unwrap_or_default();
                    self.failure(
                        &tx,
                        RecordFailure {
                            side: journal::Side::Salesforce,
                            sf_id: unit.sf_id.clone(),
                            row_key: unit
                                .local
                                .as_ref()
                                .and_then(|l| l.row_key())
                                .map(str::to_string),
                            hint: crate::sync::hints::hint_on(
                                match unit.sf_id {
                                    Some(_) => crate::sync::hints::Operation::Update,
                                    None => crate::sync::hints::Operation::Create,
                                },
                                &error.status_code,
                                &error.fields,
                                &error.message,
                            ),
                            code: error.status_code,
                            message: error.message,
                            fields: error.fields,
                            payload: Some(values_json(&fields)),
                        },
                    )?;
                }
            }
        }
        for item in group {
            if !answered.contains(&item.unit) {
                let unit = &units[item.unit];
                self.failure(
                    &tx,
                    RecordFailure {
                        side: journal::Side::Salesforce,
                        sf_id: unit.sf_id.clone(),
                        row_key: unit.local.as_ref().and_then(|l| l.row_key()).map(str::to_string),
                        code: "NO_RESULT".into(),
                        message: "Salesforce returned no result for this record".into(),
                        fields: Vec::new(),
                        payload: Some(values_json(&item.fields)),
                        hint: "Sync again: the record is compared with Salesforce afresh and sent again if needed.".into(),
                    },
                )?;
            }
        }
        capture::set_writer(&tx, None)?;
        tx.commit()?;
        journal::update_counts(ws.conn(), self.run_id, &self.counts)?;
        Ok(())
    }
}

/// One call's records each: 1,000 for Composite, 200 for Collections.
fn rest_groups(items: Vec<PushItem>, path: WritePath) -> Vec<Vec<PushItem>> {
    let size = match path {
        WritePath::Composite => RECORDS_PER_CALL,
        WritePath::Collections | WritePath::Bulk => COLLECTION_CHUNK,
    };
    items.chunks(size).map(<[PushItem]>::to_vec).collect()
}

/// After a create is confirmed, its values count as pushed.
fn confirmed_plan(plan: &RecordPlan) -> RecordPlan {
    let mut confirmed = plan.clone();
    if let Some(created) = &plan.create_remote {
        confirmed.push.extend(created.clone());
    }
    confirmed
}
