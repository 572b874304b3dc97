//! Aggregate statements checked against the schema: GROUP BY keys, the aggregates to compute,
//! the columns of each AggregateResult row, HAVING and ORDER BY over those rows, with the
//! org's rules and messages ("Field must be grouped or aggregated: Name").

mod display;
mod having;

use super::ast::{CompareOp, Condition, FieldPath, Name, Query, SelectItem};
use super::error::{invalid_field, malformed};
use super::functions::{AggregateFunction, Call, Function, Grouping, Term};
use super::lexer::Pos;
use super::plan::{Filter, LikeToken, Operand, ResolvedPath, Resolver};
use crate::error::SfError;
use crate::schema::FieldType;

/// Most fields a GROUP BY ROLLUP or CUBE takes.
pub const MAX_ROLLUP_FIELDS: usize = 3;
/// Most rows an aggregate answer may have: it cannot be paged with queryMore.
pub const MAX_AGGREGATE_ROWS: usize = 2000;

/// A checked aggregate statement.
#[derive(Debug, Clone)]
pub struct Grouped {
    /// Whether the statement has a GROUP BY (without one, the answer is always one row).
    pub grouped: bool,
    pub grouping: Grouping,
    /// The GROUP BY terms, date functions applied.
    pub keys: Vec<ResolvedPath>,
    /// Every aggregate the select list, HAVING and ORDER BY use, each once.
    pub measures: Vec<Measure>,
    /// The row's fields in select-list order: `Industry`, `expr0`, `total`...
    pub columns: Vec<(String, Slot)>,
    pub having: Option<RowFilter>,
    pub order: Vec<RowKey>,
    /// `SELECT COUNT() ... GROUP BY`: only the number of groups is answered.
    pub count_only: bool,
    /// `FORMAT(…)` columns: the index in `columns` and how the value is written.
    pub displays: Vec<(usize, super::display::Display)>,
}

/// Where a value of a result row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Key(usize),
    Measure(usize),
    /// `GROUPING(key)`: 1 on a subtotal row for that key.
    Grouping(usize),
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub function: AggregateFunction,
    /// `None` for `COUNT()`.
    pub path: Option<ResolvedPath>,
    /// A picklist's values in describe order: MIN and MAX follow it, not the alphabet.
    pub picklist: Vec<String>,
}

impl Measure {
    /// The type of the aggregate's value, for comparing and sorting.
    pub fn kind(&self) -> FieldType {
        use AggregateFunction::*;
        match (self.function, &self.path) {
            (Count | CountDistinct, _) | (_, None) => FieldType::Int,
            (Avg, _) => FieldType::Double,
            (Sum | Min | Max, Some(path)) => path.kind,
        }
    }
}

/// HAVING, over result rows.
#[derive(Debug, Clone)]
pub enum RowFilter {
    And(Vec<RowFilter>),
    Or(Vec<RowFilter>),
    Not(Box<RowFilter>),
    Compare {
        slot: Slot,
        kind: FieldType,
        op: CompareOp,
        operand: Operand,
    },
    In {
        slot: Slot,
        kind: FieldType,
        negated: bool,
        operands: Vec<Operand>,
    },
    Like {
        slot: Slot,
        pattern: Vec<LikeToken>,
    },
}

#[derive(Debug, Clone)]
pub struct RowKey {
    pub slot: Slot,
    pub kind: FieldType,
    pub descending: bool,
    pub nulls_last: bool,
}

/// Whether `query` answers AggregateResult rows rather than records.
pub fn is_aggregate(query: &Query) -> bool {
    query.group_by.is_some()
        || query.having.is_some()
        || query
            .select
            .iter()
            .any(|item| matches!(item, SelectItem::Call(c) if !c.function.is_display() || c.has_aggregate()))
}

/// Whether an aggregate function accepts a field of `kind` (Salesforce's table "Support for
/// Field Types in Aggregate Functions").
fn supports(function: AggregateFunction, kind: FieldType) -> bool {
    use FieldType::*;
    match function {
        AggregateFunction::Sum | AggregateFunction::Avg => kind.is_number(),
        _ => !matches!(
            kind,
            Boolean
                | Multipicklist
                | Base64
                | Address
                | Location
                | AnyType
                | EncryptedString
                | Time
        ),
    }
}

/// What a field's describe says under `groupable`: long numbers, dateTimes and long text are
/// not (a date function of a dateTime is).
fn groupable(kind: FieldType) -> bool {
    use FieldType::*;
    matches!(
        kind,
        Id | Reference
            | String
            | Picklist
            | Combobox
            | Email
            | Phone
            | Url
            | Boolean
            | Date
            | Int
            | Long
    )
}

fn same_key(a: &ResolvedPath, b: &ResolvedPath) -> bool {
    a.function == b.function && a.dotted().eq_ignore_ascii_case(&b.dotted())
}

/// A one-name path at `pos`, for messages about a call.
fn written_at(text: &str, pos: Pos) -> FieldPath {
    FieldPath {
        parts: vec![Name {
            text: text.to_string(),
            pos,
        }],
    }
}

/// What the select list, HAVING and ORDER BY have resolved so far.
struct Rows {
    keys: Vec<ResolvedPath>,
    measures: Vec<Measure>,
}

impl Rows {
    fn measure(
        &mut self,
        function: AggregateFunction,
        path: Option<ResolvedPath>,
        picklist: Vec<String>,
    ) -> Slot {
        let found = self.measures.iter().position(|m| {
            m.function == function
                && match (&m.path, &path) {
                    (Some(a), Some(b)) => same_key(a, b),
                    (None, None) => true,
                    _ => false,
                }
        });
        Slot::Measure(found.unwrap_or_else(|| {
            self.measures.push(Measure {
                function,
                path,
                picklist,
            });
            self.measures.len() - 1
        }))
    }

    fn kind(&self, slot: Slot) -> FieldType {
        match slot {
            Slot::Key(i) => self.keys.get(i).map_or(FieldType::Int, |k| k.kind),
            Slot::Measure(i) => self.measures.get(i).map_or(FieldType::Int, Measure::kind),
            Slot::Grouping(_) => FieldType::Int,
        }
    }
}

impl Resolver<'_> {
    /// A field with a date function applied: `CALENDAR_YEAR(CreatedDate)`.
    fn date_path(&self, call: &Call) -> Result<ResolvedPath, SfError> {
        let Function::Date(function) = call.function else {
            return Err(self.misplaced(call));
        };
        let written = match &call.argument {
            Some(Term::Field(path)) => path,
            Some(Term::Call(inner))
                if inner.function == Function::ConvertTimezone
                    && matches!(inner.argument, Some(Term::Field(_))) =>
            {
                inner.field().ok_or_else(|| self.misplaced(inner))?
            }
            _ => return Err(self.misplaced(call)),
        };
        let mut path = self.path(written)?;
        if !function.accepts(path.kind) {
            return Err(invalid_field(
                self.source,
                call.pos,
                format!(
                    "{} can only be used on a {} field, and {} is not one",
                    call.function.name(),
                    if function.accepts(FieldType::Date) {
                        "date or dateTime"
                    } else {
                        "dateTime"
                    },
                    path.field
                ),
            ));
        }
        path.function = Some(function);
        path.kind = function.result_kind();
        Ok(path)
    }

    fn misplaced(&self, call: &Call) -> SfError {
        malformed(
            self.source,
            call.pos,
            format!("unexpected token: {}", call.function.name()),
        )
    }

    /// WHERE `CALENDAR_YEAR(CreatedDate) = 2024`: a date function filters records; an
    /// aggregate belongs in HAVING.
    pub(super) fn call_filter(&self, condition: &Condition) -> Result<Filter, SfError> {
        let call = match condition {
            Condition::Call { call, .. } | Condition::CallIn { call, .. } => call,
            _ => return Err(malformed(self.source, Pos::default(), String::new())),
        };
        if call.has_aggregate() {
            return Err(malformed(
                self.source,
                call.pos,
                "Aggregate functions are not allowed in WHERE; filter on them with HAVING"
                    .to_string(),
            ));
        }
        let path = self.date_path(call)?;
        let written = call
            .field()
            .cloned()
            .unwrap_or_else(|| written_at("", call.pos));
        Ok(match condition {
            Condition::Call { op, value, .. } => Filter::Compare {
                operand: self.operand(&written, &path, value)?,
                path,
                op: *op,
            },
            Condition::CallIn {
                negated, values, ..
            } => Filter::In {
                operands: values
                    .iter()
                    .map(|v| self.operand(&written, &path, v))
                    .collect::<Result<_, _>>()?,
                path,
                negated: *negated,
            },
            _ => return Err(self.misplaced(call)),
        })
    }

    /// An ORDER BY term of a record query: a field, or a date function of one.
    pub(super) fn sort_path(&self, term: &Term) -> Result<ResolvedPath, SfError> {
        match term {
            Term::Field(path) => self.path(path),
            Term::Call(call) if !call.has_aggregate() => self.date_path(call),
            Term::Call(call) => Err(malformed(
                self.source,
                call.pos,
                format!(
                    "Ordered field must be grouped or aggregated: {}",
                    call.field().map(ToString::to_string).unwrap_or_default()
                ),
            )),
        }
    }

    /// The slot of a call in the select list, HAVING or ORDER BY.
    fn call_slot(&self, call: &Call, rows: &mut Rows) -> Result<Slot, SfError> {
        match call.function {
            Function::Aggregate(function) => {
                let path = match &call.argument {
                    None => None,
                    Some(Term::Field(written)) => {
                        let path = self.path(written)?;
                        if !supports(function, path.kind) {
                            return Err(malformed(
                                self.source,
                                written.pos(),
                                format!(
                                    "field {} does not support aggregate operator {}",
                                    path.field,
                                    call.function.name()
                                ),
                            ));
                        }
                        Some(path)
                    }
                    Some(Term::Call(inner)) => return Err(self.misplaced(inner)),
                };
                let picklist = path
                    .as_ref()
                    .filter(|p| p.kind == FieldType::Picklist)
                    .map(|p| self.picklist_values(p))
                    .unwrap_or_default();
                Ok(rows.measure(function, path, picklist))
            }
            Function::Date(_) => {
                let path = self.date_path(call)?;
                rows.keys
                    .iter()
                    .position(|k| same_key(k, &path))
                    .map(Slot::Key)
                    .ok_or_else(|| self.not_grouped(call.pos, &path.field))
            }
            Function::Grouping => {
                let path = match &call.argument {
                    Some(Term::Field(written)) => self.path(written)?,
                    Some(Term::Call(inner)) => self.date_path(inner)?,
                    None => return Err(self.misplaced(call)),
                };
                rows.keys
                    .iter()
                    .position(|k| same_key(k, &path))
                    .map(Slot::Grouping)
                    .ok_or_else(|| self.not_grouped(call.pos, &path.field))
            }
            Function::ConvertTimezone | Function::ToLabel | Function::Format => {
                Err(self.misplaced(call))
            }
        }
    }

    /// The values of the picklist at the end of `path`, in describe order.
    fn picklist_values(&self, path: &ResolvedPath) -> Vec<String> {
        let object = match path.hops.last() {
            Some(hop) => hop
                .targets
                .first()
                .and_then(|(_, name)| self.schema.object(name)),
            None => Some(self.root),
        };
        object
            .and_then(|o| o.field(&path.field))
            .map(|f| f.picklist.iter().map(|p| p.value.to_lowercase()).collect())
            .unwrap_or_default()
    }

    fn not_grouped(&self, pos: Pos, field: &str) -> SfError {
        malformed(
            self.source,
            pos,
            format!("Field must be grouped or aggregated: {field}"),
        )
    }

    fn field_slot(&self, written: &FieldPath, rows: &Rows) -> Result<Slot, SfError> {
        let path = self.path(written)?;
        rows.keys
            .iter()
            .position(|k| same_key(k, &path))
            .map(Slot::Key)
            .ok_or_else(|| self.not_grouped(written.pos(), &path.field))
    }

    fn group_key(&self, term: &Term) -> Result<ResolvedPath, SfError> {
        match term {
            Term::Field(written) => {
                let path = self.path(written)?;
                if !groupable(path.kind) {
                    return Err(invalid_field(
                        self.source,
                        written.pos(),
                        format!("field '{}' can not be grouped in a query call", path.field),
                    ));
                }
                Ok(path)
            }
            Term::Call(call) => self.date_path(call),
        }
    }

    /// Checks an aggregate statement.
    pub(super) fn grouped(&self, query: &Query) -> Result<Grouped, SfError> {
        let (grouping, keys) = match &query.group_by {
            Some(group_by) => {
                if group_by.grouping != Grouping::Plain && group_by.terms.len() > MAX_ROLLUP_FIELDS
                {
                    return Err(malformed(
                        self.source,
                        group_by.pos,
                        format!(
                            "GROUP BY ROLLUP and GROUP BY CUBE take at most {MAX_ROLLUP_FIELDS} fields"
                        ),
                    ));
                }
                let keys = group_by
                    .terms
                    .iter()
                    .map(|t| self.group_key(t))
                    .collect::<Result<Vec<_>, _>>()?;
                (group_by.grouping, keys)
            }
            None => (Grouping::Plain, Vec::new()),
        };
        let mut rows = Rows {
            keys,
            measures: Vec::new(),
        };
        let mut columns = Vec::new();
        let mut unnamed = 0;
        let mut count_only = false;
        let mut displays = Vec::new();
        for item in &query.select {
            let (slot, label) = match item {
                SelectItem::CountAll { pos } => {
                    if query.select.len() > 1 {
                        return Err(malformed(
                            self.source,
                            *pos,
                            "COUNT() must be the only element in the SELECT list".to_string(),
                        ));
                    }
                    count_only = true;
                    continue;
                }
                SelectItem::Field(written) => {
                    let slot = self.field_slot(written, &rows)?;
                    (slot, None)
                }
                SelectItem::AliasedField { field, alias } => {
                    (self.field_slot(field, &rows)?, Some(alias.text.clone()))
                }
                SelectItem::Call(call) => {
                    let slot = if call.function.is_display() {
                        let (slot, display) = self.display_slot(call, &mut rows)?;
                        displays.push((columns.len(), display));
                        slot
                    } else {
                        self.call_slot(call, &mut rows)?
                    };
                    let label = call.alias.as_ref().map(|a| a.text.clone()).or_else(|| {
                        // toLabel/FORMAT of a grouped field keep the field's name.
                        if call.function.is_display() && matches!(slot, Slot::Key(_)) {
                            return None;
                        }
                        unnamed += 1;
                        Some(format!("expr{}", unnamed - 1))
                    });
                    (slot, label)
                }
                SelectItem::Subquery(_) | SelectItem::Fields { .. } | SelectItem::TypeOf(_) => {
                    let pos = super::plan::item_pos(item);
                    return Err(malformed(
                        self.source,
                        pos,
                        format!("{item} cannot be used in an aggregate query"),
                    ));
                }
            };
            let label = label.unwrap_or_else(|| match slot {
                Slot::Key(i) => rows.keys[i].field.clone(),
                _ => String::new(),
            });
            columns.push((label, slot));
        }
        if let (None, Some(limit), false) = (&query.group_by, query.limit, count_only) {
            return Err(malformed(
                self.source,
                limit.pos,
                "An aggregate query without GROUP BY answers one row and takes no LIMIT; remove the LIMIT or add a GROUP BY".to_string(),
            ));
        }
        let having = query
            .having
            .as_ref()
            .map(|c| self.row_filter(c, &mut rows))
            .transpose()?;
        let mut order = Vec::new();
        for key in &query.order_by {
            let slot = self.order_slot(&key.field, &columns, &mut rows)?;
            order.push(RowKey {
                slot,
                kind: rows.kind(slot),
                descending: key.descending,
                nulls_last: key.effective_nulls_last(),
            });
        }
        Ok(Grouped {
            grouped: query.group_by.is_some(),
            grouping,
            keys: rows.keys,
            measures: rows.measures,
            columns,
            having,
            order,
            count_only,
            displays,
        })
    }

    /// ORDER BY in an aggregate statement: a grouped field, an aggregate, or a column's alias.
    fn order_slot(
        &self,
        term: &Term,
        columns: &[(String, Slot)],
        rows: &mut Rows,
    ) -> Result<Slot, SfError> {
        let written = match term {
            Term::Call(call) => return self.call_slot(call, rows),
            Term::Field(written) => written,
        };
        if let Ok(slot) = self.field_slot(written, rows) {
            return Ok(slot);
        }
        if let [name] = written.parts.as_slice()
            && let Some((_, slot)) = columns
                .iter()
                .find(|(label, _)| label.eq_ignore_ascii_case(&name.text))
        {
            return Ok(*slot);
        }
        let path = self.path(written)?;
        Err(malformed(
            self.source,
            written.pos(),
            format!(
                "Ordered field must be grouped or aggregated: {}",
                path.field
            ),
        ))
    }
}
