//! Keyset pages without a scan: an object's records in a statement's ORDER BY, kept as ids
//! with the sorted fields only and brought up to date by every write.
//!
//! A list page (`WHERE (Name > 'x' OR (Name = 'x' AND Id > '…')) ORDER BY Name, Id LIMIT 51`)
//! then walks the order from the top and stops after its rows: a filter on the sorted fields
//! and Id is decided on the kept fields alone, any other filter on each record read by id.
//! The answer is the scan's: the scan's answer is stably sorted from id order, so its order is
//! the ORDER BY then the id, which is how the kept order ranks records, and every record it
//! skips or keeps is decided by the same filter.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use serde_json::Value;

use super::ast::CompareOp;
use super::eval::{Lookups, RecordSource, Typed, compare_typed, typed};
use super::plan::{Filter, Operand, Plan};
use crate::error::SfError;
use crate::schema::{FieldType, ObjectSchema};
use crate::store::{KeptIndex, Record, Store, Stored};

/// Records whose ids a page reads before letting writes in again, when its filter reads
/// fields outside the order.
const CHUNK: usize = 500;

/// One sorted field of a kept order.
#[derive(Debug, Clone)]
struct OrderField {
    field: String,
    kind: FieldType,
    descending: bool,
    nulls_last: bool,
}

/// A typed value ranked as ORDER BY ranks it; values of different types (never in one
/// stored field) rank by type so that the ranking stays total.
#[derive(Debug, Clone)]
struct Ranked(Typed);

fn type_rank(value: &Typed) -> u8 {
    match value {
        Typed::Null => 0,
        Typed::Bool(_) => 1,
        Typed::Number(_) => 2,
        Typed::Text(_) => 3,
        Typed::Id(_) => 4,
        Typed::Date(_) => 5,
        Typed::DateTime(_) => 6,
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        type_rank(&self.0)
            .cmp(&type_rank(&other.0))
            .then_with(|| compare_typed(&self.0, &other.0))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// One sorted field's value, placed as its ORDER BY key places it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    NullFirst,
    Ascending(Ranked),
    Descending(Reverse<Ranked>),
    NullLast,
}

/// A record's place: its sorted values, then its id, the scan's order among ties.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    slots: Box<[Slot]>,
    id: Arc<str>,
}

#[derive(Default)]
struct Rows {
    /// Id and the sorted fields of each record, in the order.
    by_place: BTreeMap<Place, Record>,
    slots_of: HashMap<Arc<str>, Box<[Slot]>>,
}

/// One object's records in one order.
pub struct Order {
    object: String,
    include_deleted: bool,
    keys: Vec<OrderField>,
    /// `Id` then the sorted fields: what each kept record holds.
    fields: Vec<String>,
    rows: RwLock<Rows>,
}

impl Order {
    fn new(object: &str, include_deleted: bool, keys: Vec<OrderField>) -> Order {
        let mut fields = vec!["Id".to_string()];
        fields.extend(keys.iter().map(|k| k.field.clone()));
        Order {
            object: object.to_string(),
            include_deleted,
            keys,
            fields,
            rows: RwLock::new(Rows::default()),
        }
    }

    fn key(&self) -> String {
        let signature: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{}:{}:{}", k.field, k.descending, k.nulls_last))
            .collect();
        format!(
            "order|{}|{}|{}",
            self.object,
            self.include_deleted,
            signature.join(",")
        )
    }

    fn read(&self) -> RwLockReadGuard<'_, Rows> {
        self.rows.read().unwrap_or_else(|p| p.into_inner())
    }

    fn slots(&self, kept: &Record) -> Box<[Slot]> {
        self.keys
            .iter()
            .map(
                |k| match typed(k.kind, kept.get(&k.field).unwrap_or(&Value::Null)) {
                    Typed::Null if k.nulls_last => Slot::NullLast,
                    Typed::Null => Slot::NullFirst,
                    value if k.descending => Slot::Descending(Reverse(Ranked(value))),
                    value => Slot::Ascending(Ranked(value)),
                },
            )
            .collect()
    }

    fn kept_fields(&self, record: &Record) -> Record {
        self.fields
            .iter()
            .filter_map(|f| record.get(f).map(|v| (f.clone(), v.clone())))
            .collect()
    }

    fn insert(&self, rows: &mut Rows, kept: Record) {
        let Some(id) = kept.get("Id").and_then(Value::as_str) else {
            return;
        };
        let id: Arc<str> = Arc::from(id);
        let slots = self.slots(&kept);
        rows.slots_of.insert(id.clone(), slots.clone());
        rows.by_place.insert(Place { slots, id }, kept);
    }

    /// Reads every record of the object from `source`.
    fn fill(&self, source: &dyn RecordSource) -> Result<(), SfError> {
        let fields: Vec<&str> = self.fields.iter().map(String::as_str).collect();
        let mut rows = Rows::default();
        // Only the kept fields are read when the source can: decoding every whole record is
        // most of a scan's time.
        if let Some(records) = source.field_values(&self.object, self.include_deleted, &fields) {
            for kept in records {
                self.insert(&mut rows, kept);
            }
        } else {
            source.scan(&self.object, self.include_deleted, &mut |record| {
                self.insert(&mut rows, self.kept_fields(&record));
                true
            })?;
        }
        *self.rows.write().unwrap_or_else(|p| p.into_inner()) = rows;
        Ok(())
    }
}

impl Order {
    /// A place no record before which `filter` keeps; `None` when the filter bounds nothing.
    fn first_possible(&self, filter: &Filter) -> Option<Place> {
        let first = self.first_slot_bound(filter)?;
        let mut slots = vec![first];
        slots.resize(self.keys.len(), Slot::NullFirst);
        Some(Place {
            slots: slots.into_boxed_slice(),
            id: Arc::from(""),
        })
    }

    /// The least first-key slot a record `filter` keeps can have. A comparison with a value
    /// keeps no null and no value of another type, so only `=` and the comparisons that look
    /// past the value in the order's direction bound it.
    fn first_slot_bound(&self, filter: &Filter) -> Option<Slot> {
        let key = self.keys.first()?;
        match filter {
            Filter::And(parts) => parts.iter().filter_map(|p| self.first_slot_bound(p)).max(),
            Filter::Or(parts) => parts
                .iter()
                .map(|p| self.first_slot_bound(p))
                .collect::<Option<Vec<Slot>>>()?
                .into_iter()
                .min(),
            Filter::Compare { path, op, operand }
                if path.hops.is_empty()
                    && path.function.is_none()
                    && path.field.eq_ignore_ascii_case(&key.field) =>
            {
                let onward = match op {
                    CompareOp::Eq => true,
                    CompareOp::Gt | CompareOp::Ge => !key.descending,
                    CompareOp::Lt | CompareOp::Le => key.descending,
                    CompareOp::Ne => false,
                };
                let value = onward.then(|| typed_operand(operand)).flatten()?;
                Some(if key.descending {
                    Slot::Descending(Reverse(Ranked(value)))
                } else {
                    Slot::Ascending(Ranked(value))
                })
            }
            _ => None,
        }
    }
}

/// A comparison's operand as the order ranks values; numbers are left out, as the order
/// ranks them totally (-0 before 0) where a comparison does not.
fn typed_operand(operand: &Operand) -> Option<Typed> {
    Some(match operand {
        Operand::Bool(b) => Typed::Bool(*b),
        Operand::Text(t) => Typed::Text(t.clone()),
        Operand::Id(id) => Typed::Id(id.clone()),
        Operand::Date(d) => Typed::Date(*d),
        Operand::DateTime(ms) => Typed::DateTime(*ms),
        Operand::Null | Operand::Number(_) | Operand::Days(_) => return None,
    })
}

impl KeptIndex for Order {
    fn object(&self) -> &str {
        &self.object
    }

    fn apply(&self, id: &str, stored: Option<&Stored>) {
        let mut rows = self.rows.write().unwrap_or_else(|p| p.into_inner());
        if let Some((id, slots)) = rows.slots_of.remove_entry(id) {
            rows.by_place.remove(&Place { slots, id });
        }
        if let Some(stored) = stored
            && (self.include_deleted || !stored.deleted)
        {
            let kept = self.kept_fields(&stored.record);
            self.insert(&mut rows, kept);
        }
    }
}

/// The order's keys for `plan`, when it can be kept: fields of the object itself, as stored.
/// Keys after Id change nothing (ids are unique), and a last `Id ASC` is the ties' own order.
fn kept_keys(plan: &Plan) -> Option<Vec<OrderField>> {
    let mut keys = Vec::new();
    for k in &plan.order {
        if !k.path.hops.is_empty() || k.path.function.is_some() {
            return None;
        }
        keys.push(OrderField {
            field: k.path.field.clone(),
            kind: k.path.kind,
            descending: k.descending,
            nulls_last: k.nulls_last,
        });
        if k.path.field.eq_ignore_ascii_case("Id") {
            if !k.descending && keys.len() > 1 {
                keys.pop();
            }
            break;
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// Keeps the order of `object`'s name field (ascending, nulls first), as a list shows it.
pub fn keep_name_order(store: &Store, object: &ObjectSchema) {
    if !object.queryable {
        return;
    }
    let Some(name) = object.fields.iter().find(|f| f.name_field && f.sortable) else {
        return;
    };
    let keys = vec![OrderField {
        field: name.name.clone(),
        kind: name.kind,
        descending: false,
        nulls_last: false,
    }];
    let order = Order::new(&object.name, false, keys);
    // An order that cannot be read is built when first asked for, and fails then.
    if order.fill(store).is_ok() {
        store.reads().keep_standard(&order.key(), order);
    }
}

/// Whether `filter` reads only `fields` of the record itself.
fn reads_only(filter: &Filter, fields: &[String]) -> bool {
    let own = |path: &super::plan::ResolvedPath| {
        path.hops.is_empty() && fields.iter().any(|f| f.eq_ignore_ascii_case(&path.field))
    };
    match filter {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().all(|p| reads_only(p, fields)),
        Filter::Not(inner) => reads_only(inner, fields),
        Filter::Compare { path, .. }
        | Filter::In { path, .. }
        | Filter::Like { path, .. }
        | Filter::Includes { path, .. } => own(path),
        Filter::SemiJoin(_) => false,
    }
}

/// The kept order `plan` reads, and whether its filter reads only the kept fields; `None`
/// when the source keeps no indexes or the ORDER BY cannot be kept.
fn kept_order(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
) -> Option<Result<(Arc<Order>, bool), SfError>> {
    let reads = source.reads()?;
    let wanted = Order::new(&plan.object, include_deleted, kept_keys(plan)?);
    let on_kept = plan
        .filter
        .as_ref()
        .is_none_or(|f| reads_only(f, &wanted.fields));
    // Reading every other record by id costs more than a scan unless the page is short.
    if !on_kept && plan.limit.is_none() {
        return None;
    }
    let order = reads.get_or_build(&wanted.key(), || {
        wanted.fill(source)?;
        Ok::<_, SfError>(wanted)
    });
    Some(order.map(|order| (order, on_kept)))
}

/// Where a walk of `order` for `filter` starts: records before the first one the filter can
/// keep are skipped unread, so a deep keyset page starts where its key is, not at the top.
fn start(order: &Order, filter: Option<&Filter>) -> Bound<Place> {
    filter
        .and_then(|f| order.first_possible(f))
        .map_or(Bound::Unbounded, Bound::Included)
}

/// The ids `plan` answers, OFFSET and LIMIT applied, read through the kept order; `None` when
/// the source keeps no indexes or the plan is not one this answers (then the caller scans).
pub fn matching_ids(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    lookups: &mut Lookups<'_>,
) -> Option<Result<Vec<String>, SfError>> {
    let (order, on_kept) = match kept_order(plan, source, include_deleted)? {
        Ok(kept) => kept,
        Err(e) => return Some(Err(e)),
    };
    let count = plan
        .limit
        .map(|l| l.saturating_add(plan.offset))
        .unwrap_or(usize::MAX);
    let from = start(&order, plan.filter.as_ref());
    let mut ids = match &plan.filter {
        Some(filter) if !on_kept => read_each(
            &order,
            from,
            source,
            include_deleted,
            filter,
            lookups,
            count,
        ),
        filter => {
            // The kept fields decide: nothing is read from the source while the order is held.
            let rows = order.read();
            rows.by_place
                .range((from, Bound::Unbounded))
                .filter(|(_, kept)| filter.as_ref().is_none_or(|f| lookups.matches(kept, f)))
                .take(count)
                .map(|(place, _)| place.id.to_string())
                .collect()
        }
    };
    let start = plan.offset.min(ids.len());
    ids.drain(..start);
    Some(Ok(ids))
}

/// Hands `visit` the ids `plan` answers, in order, until it answers false, when the kept order
/// decides them on its kept fields alone and the plan has no LIMIT or OFFSET; `None`
/// otherwise. `visit` runs while the order is held, so it must not read the store.
pub fn visit_matching_ids(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    visit: &mut dyn FnMut(&str) -> bool,
) -> Option<Result<(), SfError>> {
    if plan.limit.is_some() || plan.offset > 0 {
        return None;
    }
    let (order, on_kept) = match kept_order(plan, source, include_deleted)? {
        Ok(kept) => kept,
        Err(e) => return Some(Err(e)),
    };
    if !on_kept {
        return None;
    }
    let mut lookups = Lookups::new(source);
    let rows = order.read();
    let walked = rows
        .by_place
        .range((start(&order, plan.filter.as_ref()), Bound::Unbounded))
        .filter(|(_, kept)| {
            plan.filter
                .as_ref()
                .is_none_or(|f| lookups.matches(kept, f))
        });
    for (place, _) in walked {
        if !visit(&place.id) {
            break;
        }
    }
    Some(Ok(()))
}

/// The ids among `ids` (no repeats) that `plan` answers, in its order, when the kept order
/// decides them on its kept fields alone and the plan has no LIMIT or OFFSET; `None`
/// otherwise. For a few ids picked by another index: they are placed, not walked to.
pub fn order_matching_ids(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    ids: &[String],
) -> Option<Result<Vec<String>, SfError>> {
    if plan.limit.is_some() || plan.offset > 0 {
        return None;
    }
    let (order, on_kept) = match kept_order(plan, source, include_deleted)? {
        Ok(kept) => kept,
        Err(e) => return Some(Err(e)),
    };
    if !on_kept {
        return None;
    }
    let mut lookups = Lookups::new(source);
    let rows = order.read();
    let mut placed: Vec<&Place> = ids
        .iter()
        .filter_map(|id| {
            let (id, slots) = rows.slots_of.get_key_value(id.as_str())?;
            let place = Place {
                slots: slots.clone(),
                id: id.clone(),
            };
            rows.by_place.get_key_value(&place)
        })
        .filter(|(_, kept)| {
            plan.filter
                .as_ref()
                .is_none_or(|f| lookups.matches(kept, f))
        })
        .map(|(place, _)| place)
        .collect();
    placed.sort();
    Some(Ok(placed.iter().map(|p| p.id.to_string()).collect()))
}

/// The first `count` records in the order that `filter` keeps, each read by id; the order is
/// let go while they are read, so that a write waiting for it can land.
fn read_each(
    order: &Order,
    from: Bound<Place>,
    source: &dyn RecordSource,
    include_deleted: bool,
    filter: &Filter,
    lookups: &mut Lookups<'_>,
    count: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut from = from;
    while ids.len() < count {
        let chunk: Vec<Arc<str>> = {
            let rows = order.read();
            let places: Vec<&Place> = rows
                .by_place
                .range((from.clone(), Bound::Unbounded))
                .take(CHUNK)
                .map(|(place, _)| place)
                .collect();
            if let Some(last) = places.last() {
                from = Bound::Excluded((*last).clone());
            }
            places.iter().map(|p| p.id.clone()).collect()
        };
        if chunk.is_empty() {
            break;
        }
        for id in chunk {
            if ids.len() >= count {
                break;
            }
            let matched = source
                .get(&id)
                .filter(|r| include_deleted || !is_deleted(r))
                .is_some_and(|record| lookups.matches(&record, filter));
            if matched {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

fn is_deleted(record: &Record) -> bool {
    record
        .get("IsDeleted")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}
