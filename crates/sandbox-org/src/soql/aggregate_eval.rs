//! Running an aggregate statement: records into groups (and ROLLUP or CUBE subtotals), the
//! aggregates of each group, then HAVING, ORDER BY, OFFSET and LIMIT over the rows, answered as
//! `{"attributes":{"type":"AggregateResult"}, ...}` objects.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};
use tether_decimal::{Decimal, parse_decimal};

use super::aggregate::{Grouped, MAX_AGGREGATE_ROWS, Measure, RowFilter, Slot};
use super::ast::CompareOp;
use super::eval::{Lookups, RecordSource, Typed, compare, compare_typed, like, typed};
use super::functions::{AggregateFunction, Grouping};
use super::plan::Plan;
use crate::error::SfError;
use crate::schema::FieldType;

/// A running aggregate.
enum Acc {
    Count(u64),
    Distinct(HashSet<String>),
    /// Exact while every value is a plain decimal; `float` carries the sum otherwise.
    Sum {
        exact: Option<Decimal>,
        float: f64,
        count: u64,
    },
    Extreme(Option<(Typed, Value)>),
}

fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    let widen = |d: Decimal| {
        10i128
            .checked_pow(scale - d.scale())
            .and_then(|f| d.units().checked_mul(f))
    };
    Decimal::new(widen(a)?.checked_add(widen(b)?)?, scale)
}

impl Acc {
    fn new(measure: &Measure) -> Acc {
        match measure.function {
            AggregateFunction::Count => Acc::Count(0),
            AggregateFunction::CountDistinct => Acc::Distinct(HashSet::new()),
            AggregateFunction::Sum | AggregateFunction::Avg => Acc::Sum {
                exact: Some(Decimal::ZERO),
                float: 0.0,
                count: 0,
            },
            AggregateFunction::Min | AggregateFunction::Max => Acc::Extreme(None),
        }
    }

    fn feed(&mut self, measure: &Measure, value: &Value) {
        // COUNT() counts rows; every other aggregate skips nulls.
        if value.is_null() && measure.path.is_some() {
            return;
        }
        let kind = measure.path.as_ref().map_or(FieldType::Id, |p| p.kind);
        match self {
            Acc::Count(n) => *n += 1,
            Acc::Distinct(seen) => {
                seen.insert(format!("{:?}", typed(kind, value)));
            }
            Acc::Sum {
                exact,
                float,
                count,
            } => {
                let Value::Number(n) = value else { return };
                *count += 1;
                *float += n.as_f64().unwrap_or(0.0);
                *exact = exact.and_then(|sum| add(sum, parse_decimal(&n.to_string())?));
            }
            Acc::Extreme(best) => {
                let candidate = match typed(kind, value) {
                    Typed::Text(text) if !measure.picklist.is_empty() => {
                        // Values outside the picklist sort after it.
                        let at = measure.picklist.iter().position(|p| *p == text);
                        Typed::Number(at.unwrap_or(measure.picklist.len()) as f64)
                    }
                    other => other,
                };
                let better = match best {
                    None => true,
                    Some((current, _)) => {
                        let ordering = compare_typed(&candidate, current);
                        match measure.function {
                            AggregateFunction::Min => ordering == Ordering::Less,
                            _ => ordering == Ordering::Greater,
                        }
                    }
                };
                if better {
                    *best = Some((candidate, value.clone()));
                }
            }
        }
    }

    fn finish(&self, measure: &Measure) -> Value {
        match self {
            Acc::Count(n) => json!(n),
            Acc::Distinct(seen) => json!(seen.len()),
            Acc::Sum { count: 0, .. } => Value::Null,
            Acc::Sum {
                exact,
                float,
                count,
            } => {
                if measure.function == AggregateFunction::Avg {
                    let total = exact.map_or(*float, Decimal::to_f64);
                    return json!(total / *count as f64);
                }
                let integral = matches!(measure.kind(), FieldType::Int | FieldType::Long);
                match exact {
                    // Salesforce answers a sum of decimals as a double: `300.0`, not `300`.
                    Some(sum) => {
                        let mut text = sum.to_string();
                        if !integral && !text.contains('.') {
                            text.push_str(".0");
                        }
                        serde_json::from_str(&text).unwrap_or_else(|_| json!(float))
                    }
                    None => json!(float),
                }
            }
            Acc::Extreme(best) => best.as_ref().map_or(Value::Null, |(_, v)| v.clone()),
        }
    }
}

struct Group {
    /// Which keys this row totals over (`true`: a subtotal for that key).
    mask: Vec<bool>,
    values: Vec<Value>,
    accs: Vec<Acc>,
    /// First-seen rank of each key prefix, for the default row order.
    ranks: Vec<usize>,
}

/// The key subsets a grouping produces rows for: the groups themselves, then subtotals.
fn masks(grouping: Grouping, keys: usize) -> Vec<Vec<bool>> {
    match grouping {
        Grouping::Plain => vec![vec![false; keys]],
        Grouping::Rollup => (0..=keys)
            .rev()
            .map(|kept| (0..keys).map(|i| i >= kept).collect())
            .collect(),
        Grouping::Cube => {
            let mut all: Vec<Vec<bool>> = (0..1usize << keys)
                .map(|bits| (0..keys).map(|i| bits & (1 << i) != 0).collect())
                .collect();
            all.sort_by_key(|m| m.iter().filter(|b| **b).count());
            all
        }
    }
}

fn slot_value(group: &Group, grouped: &Grouped, slot: Slot) -> Value {
    match slot {
        Slot::Key(i) if group.mask.get(i).copied().unwrap_or(true) => Value::Null,
        Slot::Key(i) => group.values.get(i).cloned().unwrap_or(Value::Null),
        Slot::Measure(i) => match (group.accs.get(i), grouped.measures.get(i)) {
            (Some(acc), Some(measure)) => acc.finish(measure),
            _ => Value::Null,
        },
        Slot::Grouping(i) => json!(u8::from(group.mask.get(i).copied().unwrap_or(false))),
    }
}

fn passes(filter: &RowFilter, group: &Group, grouped: &Grouped) -> bool {
    match filter {
        RowFilter::And(parts) => parts.iter().all(|p| passes(p, group, grouped)),
        RowFilter::Or(parts) => parts.iter().any(|p| passes(p, group, grouped)),
        RowFilter::Not(inner) => !passes(inner, group, grouped),
        RowFilter::Compare {
            slot,
            kind,
            op,
            operand,
        } => compare(
            &typed(*kind, &slot_value(group, grouped, *slot)),
            *op,
            operand,
        ),
        RowFilter::In {
            slot,
            kind,
            negated,
            operands,
        } => {
            let value = typed(*kind, &slot_value(group, grouped, *slot));
            let found = operands.iter().any(|o| match (&value, o) {
                (Typed::Null, super::plan::Operand::Null) => true,
                (Typed::Null, _) | (_, super::plan::Operand::Null) => false,
                _ => compare(&value, CompareOp::Eq, o),
            });
            found != *negated
        }
        RowFilter::Like { slot, pattern } => match slot_value(group, grouped, *slot) {
            Value::String(s) => like(&s.to_lowercase(), pattern),
            _ => false,
        },
    }
}

/// Subtotals after the rows they total, groups in the order their values were first met.
fn default_order(a: &Group, b: &Group) -> Ordering {
    for i in 0..a.mask.len() {
        match (a.mask[i], b.mask[i]) {
            (true, true) => continue,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => match a.ranks[i].cmp(&b.ranks[i]) {
                Ordering::Equal => continue,
                other => return other,
            },
        }
    }
    Ordering::Equal
}

fn ordered(grouped: &Grouped, a: &Group, b: &Group) -> Ordering {
    for key in &grouped.order {
        let x = typed(key.kind, &slot_value(a, grouped, key.slot));
        let y = typed(key.kind, &slot_value(b, grouped, key.slot));
        let ordering = match (&x, &y) {
            (Typed::Null, Typed::Null) => Ordering::Equal,
            (Typed::Null, _) if key.nulls_last => Ordering::Greater,
            (Typed::Null, _) => Ordering::Less,
            (_, Typed::Null) if key.nulls_last => Ordering::Less,
            (_, Typed::Null) => Ordering::Greater,
            _ if key.descending => compare_typed(&x, &y).reverse(),
            _ => compare_typed(&x, &y),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// The answer's rows, HAVING, ORDER BY, OFFSET and LIMIT applied. More rows than one page
/// holds is refused as a real org does, since an aggregate answer cannot be paged.
pub fn aggregate_rows(
    plan: &Plan,
    grouped: &Grouped,
    source: &dyn RecordSource,
    include_deleted: bool,
) -> Result<Vec<Map<String, Value>>, SfError> {
    let masks = masks(grouping_of(grouped), grouped.keys.len());
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(usize, String), usize> = HashMap::new();
    let mut prefix_ranks: HashMap<String, usize> = HashMap::new();
    let mut lookups = Lookups::new(source);
    let new_group = |mask: &[bool], values: Vec<Value>, ranks: Vec<usize>| Group {
        mask: mask.to_vec(),
        values,
        accs: grouped.measures.iter().map(Acc::new).collect(),
        ranks,
    };
    if !grouped.grouped {
        groups.push(new_group(&[], Vec::new(), Vec::new()));
    }
    source.scan(&plan.object, include_deleted, &mut |record| {
        if !plan
            .filter
            .as_ref()
            .is_none_or(|f| lookups.matches(&record, f))
        {
            return true;
        }
        let values: Vec<Value> = grouped
            .keys
            .iter()
            .map(|k| lookups.value(&record, k))
            .collect();
        let normalized: Vec<String> = grouped
            .keys
            .iter()
            .zip(&values)
            .map(|(k, v)| format!("{:?}", typed(k.kind, v)))
            .collect();
        let ranks: Vec<usize> = (0..normalized.len())
            .map(|i| {
                let next = prefix_ranks.len();
                *prefix_ranks
                    .entry(normalized[..=i].join("\u{1}"))
                    .or_insert(next)
            })
            .collect();
        let measured: Vec<Value> = grouped
            .measures
            .iter()
            .map(|m| {
                m.path
                    .as_ref()
                    .map_or(json!(1), |p| lookups.value(&record, p))
            })
            .collect();
        for (m, mask) in masks.iter().enumerate() {
            let at = if grouped.grouped {
                let key: Vec<&str> = normalized
                    .iter()
                    .zip(mask)
                    .map(|(n, masked)| if *masked { "" } else { n.as_str() })
                    .collect();
                *index.entry((m, key.join("\u{1}"))).or_insert_with(|| {
                    groups.push(new_group(mask, values.clone(), ranks.clone()));
                    groups.len() - 1
                })
            } else {
                0
            };
            if let Some(group) = groups.get_mut(at) {
                for ((acc, measure), value) in
                    group.accs.iter_mut().zip(&grouped.measures).zip(&measured)
                {
                    acc.feed(measure, value);
                }
            }
        }
        true
    })?;
    if let Some(having) = &grouped.having {
        groups.retain(|g| passes(having, g, grouped));
    }
    if grouped.grouping != Grouping::Plain {
        groups.sort_by(default_order);
    }
    groups.sort_by(|a, b| ordered(grouped, a, b));
    let end = plan
        .limit
        .map_or(groups.len(), |l| plan.offset.saturating_add(l))
        .min(groups.len());
    let start = plan.offset.min(end);
    let shown = &groups[start..end];
    if shown.len() > MAX_AGGREGATE_ROWS && !grouped.count_only {
        return Err(SfError::new(
            "EXCEEDED_ID_LIMIT",
            "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch",
        ));
    }
    Ok(shown
        .iter()
        .map(|group| {
            let mut row = Map::new();
            row.insert("attributes".into(), json!({ "type": "AggregateResult" }));
            for (i, (label, slot)) in grouped.columns.iter().enumerate() {
                let value = slot_value(group, grouped, *slot);
                let value = match grouped.displays.iter().find(|(at, _)| *at == i) {
                    Some((_, display)) => display.apply(&value),
                    None => value,
                };
                row.insert(label.clone(), value);
            }
            row
        })
        .collect())
}

fn grouping_of(grouped: &Grouped) -> Grouping {
    if grouped.grouped {
        grouped.grouping
    } else {
        Grouping::Plain
    }
}
