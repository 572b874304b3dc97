//! Running a [`Plan`] over records in wire form: filtering, ordering and counting.

mod nested;

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::Value;

use super::ast::CompareOp;
use super::plan::{Filter, LikeToken, Operand, Plan, ResolvedPath, normalize_multi};
use crate::error::SfError;
use crate::schema::FieldType;
use crate::store::{ReadCache, Record, Store};
use crate::values::{parse_date, parse_datetime};

/// Where records come from: the store, or a plain list in tests.
pub trait RecordSource {
    /// Visits every record of `object` (soft-deleted ones too when asked) until `visit`
    /// returns false.
    /// A storage error stops the scan and is answered, so a short answer is never taken for
    /// a whole one.
    fn scan(
        &self,
        object: &str,
        include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError>;
    /// A record of any object by id, deleted ones included.
    fn get(&self, id: &str) -> Option<Record>;
    /// Ids of records of `object` (soft-deleted ones too when asked, as `queryAll` wants) with
    /// SystemModstamp in `[start_ms, end_ms)`, ordered by SystemModstamp then Id, when the
    /// source keeps an index for that; `None` otherwise.
    fn ids_by_modstamp(
        &self,
        object: &str,
        include_deleted: bool,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<Vec<String>> {
        let _ = (object, include_deleted, start_ms, end_ms);
        None
    }
    /// Ids of live records of `object` whose `field` equals one of `values` (lower-cased),
    /// when the source keeps an index of that field (external ids and unique fields, as
    /// Salesforce does); `None` otherwise.
    fn ids_by_key(&self, object: &str, field: &str, values: &[String]) -> Option<Vec<String>> {
        let _ = (object, field, values);
        None
    }
    /// Indexes the source keeps until its next write (sort orders, search tokens), if any.
    fn reads(&self) -> Option<&ReadCache> {
        None
    }
    /// `fields` of the records of `ids` in that order (records gone for good left out),
    /// when the source can read them without whole records.
    fn records_with_fields(&self, ids: &[String], fields: &[&str]) -> Option<Vec<Record>> {
        let _ = (ids, fields);
        None
    }
    /// How many records `object` has (soft-deleted ones too when asked), when the source
    /// keeps the count.
    fn count_records(&self, object: &str, include_deleted: bool) -> Option<usize> {
        let _ = (object, include_deleted);
        None
    }
    /// Id and `fields` of every record of `object`, in the order [`RecordSource::scan`]
    /// visits them, when the source can read them without whole records.
    fn field_values(
        &self,
        object: &str,
        include_deleted: bool,
        fields: &[&str],
    ) -> Option<Vec<Record>> {
        let _ = (object, include_deleted, fields);
        None
    }
}

impl RecordSource for Store {
    fn scan(
        &self,
        object: &str,
        include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError> {
        Store::scan(self, object, include_deleted, visit)
    }

    fn get(&self, id: &str) -> Option<Record> {
        Store::get(self, id)
    }

    fn ids_by_modstamp(
        &self,
        object: &str,
        include_deleted: bool,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<Vec<String>> {
        Some(self.ids_in_modstamp_window(object, include_deleted, start_ms, end_ms))
    }

    fn ids_by_key(&self, object: &str, field: &str, values: &[String]) -> Option<Vec<String>> {
        self.ids_by_indexed_field(object, field, values)
    }

    fn reads(&self) -> Option<&ReadCache> {
        Some(Store::reads(self))
    }

    fn field_values(
        &self,
        object: &str,
        include_deleted: bool,
        fields: &[&str],
    ) -> Option<Vec<Record>> {
        Store::field_values(self, object, include_deleted, fields)
    }

    fn records_with_fields(&self, ids: &[String], fields: &[&str]) -> Option<Vec<Record>> {
        Store::records_with_fields(self, ids, fields)
    }

    fn count_records(&self, object: &str, include_deleted: bool) -> Option<usize> {
        Store::count_records(self, object, include_deleted)
    }
}

/// Parent records fetched while following relationship paths, cached per query.
pub struct Lookups<'a> {
    source: &'a dyn RecordSource,
    cache: HashMap<String, Option<Record>>,
    nested: nested::NestedCache,
}

/// Parents kept per query before the cache starts over, so memory stays bounded.
const LOOKUP_CACHE_LIMIT: usize = 20_000;

impl<'a> Lookups<'a> {
    pub fn new(source: &'a dyn RecordSource) -> Self {
        Lookups {
            source,
            cache: HashMap::new(),
            nested: nested::NestedCache::default(),
        }
    }

    /// The record with `id`, fetched once.
    pub fn get(&mut self, id: &str) -> Option<&Record> {
        if !self.cache.contains_key(id) {
            if self.cache.len() >= LOOKUP_CACHE_LIMIT {
                self.cache.clear();
            }
            let record = self.source.get(id);
            self.cache.insert(id.to_string(), record);
        }
        self.cache.get(id).and_then(Option::as_ref)
    }

    /// The wire value at the end of `path` (null when a parent on the way is missing), with
    /// the path's date function applied.
    pub fn value(&mut self, record: &Record, path: &ResolvedPath) -> Value {
        let value = self.field_value(record, path);
        match path.function {
            Some(function) => function.apply(&value),
            None => value,
        }
    }

    fn field_value(&mut self, record: &Record, path: &ResolvedPath) -> Value {
        let Some((first, rest)) = path.hops.split_first() else {
            return record.get(&path.field).cloned().unwrap_or(Value::Null);
        };
        let Some(mut id) = record
            .get(&first.lookup)
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return Value::Null;
        };
        for hop in rest {
            let next = self
                .get(&id)
                .and_then(|parent| parent.get(&hop.lookup))
                .and_then(Value::as_str);
            match next {
                Some(next) => id = next.to_string(),
                None => return Value::Null,
            }
        }
        self.get(&id)
            .and_then(|parent| parent.get(&path.field))
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// A wire value read as its field type says, ready to compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Null,
    Bool(bool),
    Number(f64),
    /// Lower-cased text.
    Text(String),
    /// Ids compare exactly.
    Id(String),
    Date(chrono::NaiveDate),
    DateTime(i64),
}

pub fn typed(kind: FieldType, value: &Value) -> Typed {
    use FieldType::*;
    match (kind, value) {
        (_, Value::Null) => Typed::Null,
        (Boolean, Value::Bool(b)) => Typed::Bool(*b),
        (k, Value::Number(n)) if k.is_number() => {
            n.as_f64().map(Typed::Number).unwrap_or(Typed::Null)
        }
        (Date, Value::String(s)) => parse_date(s).map(Typed::Date).unwrap_or(Typed::Null),
        (DateTime, Value::String(s)) => parse_datetime(s)
            .map(|d| Typed::DateTime(d.timestamp_millis()))
            .unwrap_or(Typed::Null),
        (Id | Reference, Value::String(s)) => Typed::Id(s.clone()),
        (Multipicklist, Value::String(s)) => Typed::Text(normalize_multi(s)),
        (_, Value::String(s)) => Typed::Text(s.to_lowercase()),
        (_, other) => Typed::Text(other.to_string().to_lowercase()),
    }
}

fn day_start_ms(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(i64::MAX)
}

/// How `value` orders against `operand`, or `None` when they cannot be compared.
fn order_against(value: &Typed, operand: &Operand) -> Option<Ordering> {
    match (value, operand) {
        (Typed::Bool(a), Operand::Bool(b)) => Some(a.cmp(b)),
        (Typed::Number(a), Operand::Number(b)) => a.partial_cmp(b),
        (Typed::Text(a), Operand::Text(b)) => Some(a.as_str().cmp(b.as_str())),
        (Typed::Id(a), Operand::Id(b)) => Some(a.as_str().cmp(b.as_str())),
        (Typed::Date(a), Operand::Date(b)) => Some(a.cmp(b)),
        (Typed::DateTime(a), Operand::DateTime(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Where `value` falls against a day range: before it, inside it or after it.
fn against_days(value: &Typed, range: &super::dates::DayRange) -> Option<Ordering> {
    let (start, end, at) = match value {
        Typed::Date(d) => (
            day_start_ms(range.start),
            day_start_ms(range.end),
            day_start_ms(*d),
        ),
        Typed::DateTime(ms) => (day_start_ms(range.start), day_start_ms(range.end), *ms),
        _ => return None,
    };
    Some(if at < start {
        Ordering::Less
    } else if at >= end {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

pub(super) fn compare(value: &Typed, op: CompareOp, operand: &Operand) -> bool {
    match (value, operand) {
        (Typed::Null, Operand::Null) => op == CompareOp::Eq,
        (_, Operand::Null) => op == CompareOp::Ne,
        // SOQL's `!=` keeps rows whose field is null.
        (Typed::Null, _) => op == CompareOp::Ne,
        _ => {
            let ordering = match operand {
                Operand::Days(range) => against_days(value, range),
                _ => order_against(value, operand),
            };
            let Some(ordering) = ordering else {
                return op == CompareOp::Ne;
            };
            match op {
                CompareOp::Eq => ordering == Ordering::Equal,
                CompareOp::Ne => ordering != Ordering::Equal,
                CompareOp::Lt => ordering == Ordering::Less,
                CompareOp::Le => ordering != Ordering::Greater,
                CompareOp::Gt => ordering == Ordering::Greater,
                CompareOp::Ge => ordering != Ordering::Less,
            }
        }
    }
}

/// `%` any run, `_` one character; both sides already lower-cased.
pub(super) fn like(text: &str, pattern: &[LikeToken]) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let (mut t, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < chars.len() {
        match pattern.get(p) {
            Some(LikeToken::Any) => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(LikeToken::One) => {
                t += 1;
                p += 1;
            }
            Some(LikeToken::Char(c)) if *c == chars[t] => {
                t += 1;
                p += 1;
            }
            _ => match backtrack {
                Some((star, at)) => {
                    p = star + 1;
                    t = at + 1;
                    backtrack = Some((star, at + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|tok| *tok == LikeToken::Any)
}

impl Lookups<'_> {
    /// Whether `record` passes `filter`.
    pub fn matches(&mut self, record: &Record, filter: &Filter) -> bool {
        match filter {
            Filter::And(parts) => parts.iter().all(|p| self.matches(record, p)),
            Filter::Or(parts) => parts.iter().any(|p| self.matches(record, p)),
            Filter::Not(inner) => !self.matches(record, inner),
            Filter::Compare { path, op, operand } => {
                let value = typed(path.kind, &self.value(record, path));
                compare(&value, *op, operand)
            }
            Filter::In {
                path,
                negated,
                operands,
            } => {
                let value = typed(path.kind, &self.value(record, path));
                let found = operands.iter().any(|o| match (&value, o) {
                    (Typed::Null, Operand::Null) => true,
                    (Typed::Null, _) | (_, Operand::Null) => false,
                    _ => compare(&value, CompareOp::Eq, o),
                });
                found != *negated
            }
            Filter::Like { path, pattern } => match self.value(record, path) {
                Value::String(s) => like(&s.to_lowercase(), pattern),
                _ => false,
            },
            Filter::SemiJoin(join) => self.semi_join(record, join),
            Filter::Includes {
                path,
                excludes,
                sets,
            } => self.includes(record, path, *excludes, sets),
        }
    }
}

pub(super) fn compare_typed(a: &Typed, b: &Typed) -> Ordering {
    match (a, b) {
        (Typed::Bool(x), Typed::Bool(y)) => x.cmp(y),
        (Typed::Number(x), Typed::Number(y)) => x.total_cmp(y),
        (Typed::Text(x), Typed::Text(y)) | (Typed::Id(x), Typed::Id(y)) => x.cmp(y),
        (Typed::Date(x), Typed::Date(y)) => x.cmp(y),
        (Typed::DateTime(x), Typed::DateTime(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

pub(super) fn compare_keys(plan: &Plan, a: &[Typed], b: &[Typed]) -> Ordering {
    for ((key, x), y) in plan.order.iter().zip(a).zip(b) {
        let ordering = match (x, y) {
            (Typed::Null, Typed::Null) => Ordering::Equal,
            (Typed::Null, _) => {
                if key.nulls_last {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (_, Typed::Null) => {
                if key.nulls_last {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            _ => {
                let o = compare_typed(x, y);
                if key.descending { o.reverse() } else { o }
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

fn record_id(record: &Record) -> Option<String> {
    record.get("Id").and_then(Value::as_str).map(str::to_string)
}

/// `WHERE F = 'x'` or `WHERE F IN ('x', 'y')` on the record's own field, alone or as a part
/// of an AND: the field and the (lower-cased) values an index can look up.
fn key_condition(plan: &Plan) -> Option<(&str, Vec<String>)> {
    let parts: Vec<&Filter> = match plan.filter.as_ref()? {
        Filter::And(parts) => parts.iter().collect(),
        single => vec![single],
    };
    parts.into_iter().find_map(|part| match part {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            operand: Operand::Text(value),
        } if path.hops.is_empty() => Some((path.field.as_str(), vec![value.clone()])),
        Filter::In {
            path,
            negated: false,
            operands,
        } if path.hops.is_empty() => {
            let values: Option<Vec<String>> = operands
                .iter()
                .map(|o| match o {
                    Operand::Text(v) => Some(v.clone()),
                    _ => None,
                })
                .collect();
            values.map(|v| (path.field.as_str(), v))
        }
        _ => None,
    })
}

/// The `[start, end)` SystemModstamp window of the incremental-sync statement
/// `WHERE SystemModstamp >= X [AND SystemModstamp < Y] [AND ...] ORDER BY SystemModstamp[, Id]`,
/// which an index answers without reading the table, and whether other conditions (a link's
/// pull filter) remain for the records in it.
fn modstamp_window(plan: &Plan) -> Option<(i64, i64, bool)> {
    let is_stamp = |p: &ResolvedPath| p.hops.is_empty() && p.field == "SystemModstamp";
    let order_fits = match plan.order.as_slice() {
        [stamp] => is_stamp(&stamp.path) && !stamp.descending,
        [stamp, id] => {
            is_stamp(&stamp.path)
                && !stamp.descending
                && id.path.hops.is_empty()
                && id.path.field == "Id"
                && !id.descending
        }
        _ => false,
    };
    if !order_fits {
        return None;
    }
    let Some(filter) = plan.filter.as_ref() else {
        // Every record, in the index's own order.
        return Some((i64::MIN, i64::MAX, false));
    };
    let parts: Vec<&Filter> = match filter {
        Filter::And(parts) => parts.iter().collect(),
        single => vec![single],
    };
    let (mut start, mut end) = (i64::MIN, i64::MAX);
    let (mut bounded, mut rest) = (false, false);
    for part in parts {
        let Filter::Compare {
            path,
            op,
            operand: Operand::DateTime(ms),
        } = part
        else {
            rest = true;
            continue;
        };
        if !is_stamp(path) {
            rest = true;
            continue;
        }
        match op {
            CompareOp::Ge => start = start.max(*ms),
            CompareOp::Gt => start = start.max(ms.saturating_add(1)),
            CompareOp::Lt => end = end.min(*ms),
            CompareOp::Le => end = end.min(ms.saturating_add(1)),
            CompareOp::Eq | CompareOp::Ne => {
                rest = true;
                continue;
            }
        }
        bounded = true;
    }
    bounded.then_some((start, end, rest))
}

fn apply_offset_and_limit(plan: &Plan, mut ids: Vec<String>) -> Vec<String> {
    let end = plan
        .limit
        .map(|l| plan.offset.saturating_add(l))
        .unwrap_or(usize::MAX)
        .min(ids.len());
    let start = plan.offset.min(end);
    ids.truncate(end);
    ids.drain(..start);
    ids
}

/// Ids of the matching records in the plan's order, OFFSET and LIMIT applied. Only ids and
/// sort keys are held, never whole records, so that a 100k-row result stays small.
pub fn matching_ids(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
) -> Result<Vec<String>, SfError> {
    let mut lookups = Lookups::new(source);
    if let Some((start, end, rest)) = modstamp_window(plan)
        && let Some(mut ids) = source.ids_by_modstamp(&plan.object, include_deleted, start, end)
    {
        if rest {
            // The index names the only records that can match; the whole filter still decides.
            ids.retain(|id| {
                source.get(id).is_some_and(|record| {
                    plan.filter
                        .as_ref()
                        .is_none_or(|f| lookups.matches(&record, f))
                })
            });
        }
        return Ok(apply_offset_and_limit(plan, ids));
    }
    let wanted = plan.limit.map(|l| l.saturating_add(plan.offset));
    let mut ids = Vec::new();
    let candidates = match (include_deleted, key_condition(plan)) {
        (false, Some((field, values))) => source.ids_by_key(&plan.object, field, &values),
        _ => None,
    };
    if let Some(mut candidates) = candidates {
        // The index names the only records that can match; the whole filter still decides.
        candidates.sort();
        candidates.dedup();
        let mut keyed: Vec<(Vec<Typed>, String)> = Vec::new();
        for id in candidates {
            let Some(record) = source.get(&id) else {
                continue;
            };
            if plan
                .filter
                .as_ref()
                .is_none_or(|f| lookups.matches(&record, f))
            {
                let key = plan
                    .order
                    .iter()
                    .map(|k| typed(k.path.kind, &lookups.value(&record, &k.path)))
                    .collect();
                keyed.push((key, id));
            }
        }
        keyed.sort_by(|a, b| compare_keys(plan, &a.0, &b.0));
        return Ok(apply_offset_and_limit(
            plan,
            keyed.into_iter().map(|(_, id)| id).collect(),
        ));
    }
    if let Some(answer) = super::sorted::matching_ids(plan, source, include_deleted, &mut lookups) {
        return answer;
    }
    if plan.order.is_empty() {
        source.scan(&plan.object, include_deleted, &mut |record| {
            if plan
                .filter
                .as_ref()
                .is_none_or(|f| lookups.matches(&record, f))
                && let Some(id) = record_id(&record)
            {
                ids.push(id);
            }
            wanted.is_none_or(|w| ids.len() < w)
        })?;
    } else {
        let mut keyed: Vec<(Vec<Typed>, String)> = Vec::new();
        source.scan(&plan.object, include_deleted, &mut |record| {
            if plan
                .filter
                .as_ref()
                .is_none_or(|f| lookups.matches(&record, f))
                && let Some(id) = record_id(&record)
            {
                let key = plan
                    .order
                    .iter()
                    .map(|k| typed(k.path.kind, &lookups.value(&record, &k.path)))
                    .collect();
                keyed.push((key, id));
            }
            true
        })?;
        // Stable: ties keep the scan's id order.
        keyed.sort_by(|a, b| compare_keys(plan, &a.0, &b.0));
        ids = keyed.into_iter().map(|(_, id)| id).collect();
    }
    Ok(apply_offset_and_limit(plan, ids))
}

/// Number of matching rows, OFFSET and LIMIT applied (the answer to `COUNT()`).
pub fn count_matching(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
) -> Result<usize, SfError> {
    // Without a filter, every record counts: the source's own count, where it keeps one.
    if plan.filter.is_none()
        && let Some(rows) = source.count_records(&plan.object, include_deleted)
    {
        let visible = rows.saturating_sub(plan.offset);
        return Ok(plan.limit.map_or(visible, |l| visible.min(l)));
    }
    Ok(aggregate_counts(plan, source, include_deleted, &[])?.0)
}

/// Rows matching, and per path the number of matching rows where it is not null.
pub fn aggregate_counts(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    paths: &[&ResolvedPath],
) -> Result<(usize, Vec<usize>), SfError> {
    let mut lookups = Lookups::new(source);
    let mut rows = 0usize;
    let mut non_null = vec![0usize; paths.len()];
    source.scan(&plan.object, include_deleted, &mut |record| {
        if plan
            .filter
            .as_ref()
            .is_none_or(|f| lookups.matches(&record, f))
        {
            rows += 1;
            for (count, path) in non_null.iter_mut().zip(paths) {
                if !lookups.value(&record, path).is_null() {
                    *count += 1;
                }
            }
        }
        true
    })?;
    let visible = rows.saturating_sub(plan.offset);
    Ok((plan.limit.map_or(visible, |l| visible.min(l)), non_null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> Vec<LikeToken> {
        p.chars()
            .map(|c| match c {
                '%' => LikeToken::Any,
                '_' => LikeToken::One,
                c => LikeToken::Char(c),
            })
            .collect()
    }

    #[test]
    fn like_matches_as_sql() {
        let cases: &[(&str, &str, bool)] = &[
            ("acme", "acme", true),
            ("acme corp", "acme%", true),
            ("acme corp", "%corp", true),
            ("acme corp", "%e c%", true),
            ("acme", "ac_e", true),
            ("acme", "a%m%e", true),
            ("acme", "a_", false),
            ("", "%", true),
            ("", "_", false),
            ("abcabd", "%abd", true),
            ("mississippi", "%iss%ppi", true),
            ("acme", "acme_", false),
        ];
        for (text, p, want) in cases {
            assert_eq!(like(text, &pattern(p)), *want, "{text} LIKE {p}");
        }
    }

    #[test]
    fn only_the_sync_statements_take_the_modstamp_index() {
        let schema = crate::schema::Schema::standard().unwrap();
        let x = 1_706_695_200_000i64;
        type Window = Option<(i64, i64, bool)>;
        let cases: &[(&str, Window)] = &[
            (
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00Z ORDER BY SystemModstamp, Id",
                Some((x, i64::MAX, false)),
            ),
            (
                "SELECT Id FROM Account WHERE SystemModstamp > 2024-01-31T10:00:00Z AND SystemModstamp <= 2024-01-31T10:00:00Z ORDER BY SystemModstamp",
                Some((x + 1, x + 1, false)),
            ),
            (
                "SELECT Id, Name FROM Account ORDER BY SystemModstamp, Id",
                Some((i64::MIN, i64::MAX, false)),
            ),
            ("SELECT Id, Name FROM Account ORDER BY Name", None),
            (
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00Z ORDER BY SystemModstamp DESC",
                None,
            ),
            (
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00Z ORDER BY SystemModstamp, Name",
                None,
            ),
            (
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00Z AND Name = 'a' ORDER BY SystemModstamp",
                Some((x, i64::MAX, true)),
            ),
            (
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00Z",
                None,
            ),
            (
                "SELECT Id FROM Account WHERE SystemModstamp = TODAY ORDER BY SystemModstamp",
                None,
            ),
            (
                "SELECT Id FROM Account WHERE LastModifiedDate >= 2024-01-31T10:00:00Z ORDER BY SystemModstamp",
                None,
            ),
        ];
        for (soql, want) in cases {
            let plan = super::super::compile(soql, &schema, chrono::Utc::now()).unwrap();
            assert_eq!(modstamp_window(&plan), *want, "{soql}");
        }
    }

    #[test]
    fn date_ranges_cover_whole_utc_days() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let range = super::super::dates::DayRange {
            start: d("2024-01-31"),
            end: d("2024-02-01"),
        };
        let at = |s: &str| Typed::DateTime(parse_datetime(s).unwrap().timestamp_millis());
        assert_eq!(
            against_days(&at("2024-01-31T00:00:00Z"), &range),
            Some(Ordering::Equal)
        );
        assert_eq!(
            against_days(&at("2024-01-31T23:59:59.999Z"), &range),
            Some(Ordering::Equal)
        );
        assert_eq!(
            against_days(&at("2024-02-01T00:00:00Z"), &range),
            Some(Ordering::Greater)
        );
        assert_eq!(
            against_days(&at("2024-01-30T23:59:59Z"), &range),
            Some(Ordering::Less)
        );
        assert_eq!(
            against_days(&Typed::Date(d("2024-01-31")), &range),
            Some(Ordering::Equal)
        );
    }
}
