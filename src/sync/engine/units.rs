//! Units: one record as Salesforce, the local table and the base know it. Joining the three
//! sides, planning each unit and turning its plan into a Salesforce write.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::local::{self, LocalRow};
use super::remote::RemoteRecord;
use crate::run::push::{PushItem, PushOp};
use crate::sync::link::{Link, MatchKey};
use crate::sync::plan::{self, FieldRule, FieldTimes, RecordPlan, Side, Values};
use crate::workspace::base::BaseRecord;

/// One record as both sides and the base know it, with its plan.
#[derive(Debug)]
pub(super) struct Unit {
    pub(super) sf_id: Option<String>,
    pub(super) base: Option<BaseRecord>,
    pub(super) local: Option<LocalRow>,
    pub(super) remote: Option<Values>,
    pub(super) remote_modstamp: Option<DateTime<Utc>>,
    pub(super) remote_deleted: bool,
    /// True when `remote` was read from Salesforce in this run. Otherwise it is what the base
    /// last agreed, which is only good enough to find out that nothing needs doing: see
    /// [`super::settle`].
    pub(super) remote_fresh: bool,
    pub(super) plan: RecordPlan,
}

/// Ids compare on their first 15 characters: the 18-character form only adds a checksum.
pub(super) fn id15(id: &str) -> String {
    id.get(..15).unwrap_or(id).to_string()
}

/// Joins the records read from Salesforce, the bases and the local rows into units.
pub(super) fn assemble(
    link: &Link,
    fetched: Vec<RemoteRecord>,
    bases: HashMap<String, BaseRecord>,
    rows: Vec<LocalRow>,
) -> Vec<Unit> {
    let mut remote_by_id: HashMap<String, RemoteRecord> = HashMap::new();
    for record in fetched {
        remote_by_id.insert(id15(&record.id), record);
    }
    let bases: HashMap<String, BaseRecord> =
        bases.into_values().map(|b| (id15(&b.sf_id), b)).collect();
    let mut by_sf: HashMap<String, usize> = HashMap::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut by_match: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(id) = &row.sf_id {
            by_sf.insert(id15(id), i);
        } else if let Some(value) = &row.match_value {
            by_match.insert(value.clone(), i);
        }
        by_key.insert(row.key.clone(), i);
    }
    let mut ids: Vec<String> = remote_by_id.keys().cloned().collect();
    ids.extend(bases.keys().cloned());
    ids.extend(by_sf.keys().cloned());
    ids.sort();
    ids.dedup();
    let mut used = vec![false; rows.len()];
    let mut units = Vec::new();
    for id in ids {
        let mut base = bases.get(&id).cloned();
        let fetched = remote_by_id.get(&id);
        let mut row = by_sf
            .get(&id)
            .copied()
            .or_else(|| {
                base.as_ref()
                    .and_then(|b| b.row_key.as_ref())
                    .and_then(|k| by_key.get(k).copied())
                    .filter(|&i| rows[i].sf_id.is_none())
            })
            .filter(|&i| !used[i]);
        if row.is_none()
            && let Some(record) = fetched
            && let Some(value) = local::match_text(link, &record.values)
        {
            row = by_match.get(&value).copied().filter(|&i| !used[i]);
        }
        if let Some(i) = row {
            used[i] = true;
        }
        let (remote, modstamp, deleted) = match fetched {
            Some(r) if r.deleted => (None, r.modstamp, true),
            Some(r) => (Some(r.values.clone()), r.modstamp, false),
            None => match &base {
                Some(b) if b.remote_deleted => continue,
                Some(b) => (Some(b.fields.clone()), None, false),
                None => (None, None, false),
            },
        };
        let fresh = fetched.is_some();
        if base.as_ref().is_some_and(|b| b.remote_deleted) {
            // Back from the recycle bin: matched afresh, as on a first sync.
            base = None;
        }
        let sf_id = fetched
            .map(|r| r.id.clone())
            .or_else(|| base.as_ref().map(|b| b.sf_id.clone()))
            .or_else(|| row.and_then(|i| rows[i].sf_id.clone()));
        units.push(Unit {
            sf_id,
            base,
            local: row.map(|i| rows[i].clone()),
            remote,
            remote_modstamp: modstamp,
            remote_deleted: deleted,
            remote_fresh: fresh,
            plan: RecordPlan::default(),
        });
    }
    if matches!(link.match_on, MatchKey::ExternalId { .. }) {
        for (i, row) in rows.iter().enumerate() {
            if !used[i] && row.sf_id.is_none() && row.match_value.is_some() {
                units.push(Unit {
                    sf_id: None,
                    base: None,
                    local: Some(row.clone()),
                    remote: None,
                    remote_modstamp: None,
                    remote_deleted: false,
                    remote_fresh: false,
                    plan: RecordPlan::default(),
                });
            }
        }
    }
    units
}

/// When the local side last changed, for the later-edit-wins policy: each row's fields by row
/// key, and the deletes of rows that are gone, by the key they had.
#[derive(Debug, Default)]
pub(super) struct LocalTimes {
    pub(super) fields: BTreeMap<String, FieldTimes>,
    pub(super) deletes: HashMap<String, DateTime<Utc>>,
}

pub(super) fn plan_unit(
    link: &Link,
    rules: &[FieldRule],
    unit: &Unit,
    times: &LocalTimes,
    kept: &HashSet<String>,
) -> RecordPlan {
    if unit.local.as_ref().is_some_and(|row| !row.readable) {
        return RecordPlan::default();
    }
    // A person chose to keep a record one side deleted: that side gets it back.
    if unit.base.is_some()
        && let Some(id) = &unit.sf_id
        && kept.contains(&id15(id))
        && unit.remote_fresh
        && let Some(plan) = plan::keep_record(
            rules,
            unit.local.as_ref().map(|row| &row.values),
            unit.remote.as_ref(),
        )
    {
        return plan;
    }
    let base = unit.base.as_ref().map(|b| &b.fields);
    let local_values = unit
        .local
        .as_ref()
        .map(|row| row.planned_values(base, unit.remote.is_some()));
    let no_times = FieldTimes::new();
    let local_side = match (&unit.local, &local_values) {
        (Some(row), Some(values)) => {
            Side::with_field_times(values, times.fields.get(&row.key).unwrap_or(&no_times))
        }
        _ => Side {
            changed_at: unit
                .base
                .as_ref()
                .and_then(|b| b.row_key.as_ref())
                .and_then(|key| times.deletes.get(key))
                .copied(),
            ..Side::absent()
        },
    };
    let remote_side = match &unit.remote {
        Some(values) => Side::present(values, unit.remote_modstamp),
        // A deleted record's SystemModstamp is the time of its delete.
        None => Side {
            changed_at: unit.remote_modstamp,
            ..Side::absent()
        },
    };
    let unpushable = unit.local.as_ref().is_some_and(|row| !row.pushable);
    // A row the push filter leaves out sends nothing to Salesforce, so its edits cannot
    // outrank a delete there: judged as if every field only pulled.
    let pull_only: Vec<FieldRule>;
    let rules = if unpushable && unit.remote.is_none() {
        pull_only = rules
            .iter()
            .filter(|r| r.direction != plan::Direction::Push)
            .map(|r| FieldRule {
                direction: plan::Direction::Pull,
                ..r.clone()
            })
            .collect();
        &pull_only
    } else {
        rules
    };
    let mut planned = plan::plan_record(rules, base, local_side, remote_side, link.deletes);
    // A record deleted in Salesforce before it was ever synced is not recreated from the
    // local side, and a missing remote with no base is only recreated for upserting links.
    if unit.remote_deleted && unit.base.is_none() {
        planned.create_remote = None;
    }
    if unpushable {
        planned.push.clear();
        planned.create_remote = None;
    }
    planned
}

pub(super) fn push_item(link: &Link, index: usize, unit: &Unit) -> Option<PushItem> {
    let plan = &unit.plan;
    if plan.delete_remote {
        return Some(PushItem {
            unit: index,
            op: PushOp::Delete {
                id: unit.sf_id.clone()?,
            },
            fields: Values::new(),
        });
    }
    if let Some(values) = &plan.create_remote {
        let row = unit.local.as_ref()?;
        if row.sf_id.is_some() && !plan.restores {
            return None;
        }
        let MatchKey::ExternalId { field, .. } = &link.match_on else {
            // A plain create sends only the values the row has: an empty one would wipe the
            // default Salesforce gives a field it is not sent.
            return (link.create_unmatched || plan.restores)
                .then(|| PushItem {
                    unit: index,
                    op: PushOp::Create,
                    fields: values
                        .iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                })
                .filter(|item| !item.fields.is_empty());
        };
        return Some(PushItem {
            unit: index,
            op: PushOp::Upsert {
                field: field.clone(),
                value: row.match_value.clone()?,
            },
            fields: values.clone(),
        });
    }
    if plan.push.is_empty() {
        return None;
    }
    Some(PushItem {
        unit: index,
        op: PushOp::Update {
            id: unit.sf_id.clone()?,
        },
        fields: plan.push.clone(),
    })
}
