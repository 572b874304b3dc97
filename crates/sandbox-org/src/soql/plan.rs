//! A parsed statement checked against the schema: canonical names, field types, typed literals.

use std::cell::RefCell;

use chrono::{DateTime, NaiveDate, Utc};

use super::aggregate::Grouped;
use super::ast::{self, CompareOp, Condition, FieldPath, LiteralValue, Query, SelectItem};
use super::dates::{DayRange, day_range};
use super::error::*;
use super::functions::DateFunction;
use super::lexer::Pos;
use crate::error::SfError;
use crate::ids;
use crate::schema::{FieldDef, FieldType, ObjectSchema, Schema};

mod display;
mod relations;
pub(super) use display::label_pairs;
pub use relations::{ChildQuery, Nested, NestedKind, SemiJoinPlan, TypeOfPlan};

/// Most relationship hops a field path may take from the queried object.
pub const MAX_RELATIONSHIP_DEPTH: usize = 5;

/// A checked statement, ready to run over any [`super::RecordSource`].
#[derive(Debug, Clone)]
pub struct Plan {
    /// The queried object, in describe case.
    pub object: String,
    pub output: Output,
    pub filter: Option<Filter>,
    pub order: Vec<SortKey>,
    pub limit: Option<usize>,
    pub offset: usize,
    /// Child subqueries and TYPEOF items, in SELECT order among the columns.
    pub nested: Vec<Nested>,
}

#[derive(Debug, Clone)]
pub enum Output {
    /// Records with these columns, in SELECT order.
    Records(Vec<Column>),
    /// `COUNT()`: only the number of rows.
    Count,
    /// Aggregates, date functions or GROUP BY: AggregateResult rows.
    Aggregates(Box<Grouped>),
}

/// One selected field.
#[derive(Debug, Clone)]
pub struct Column {
    pub path: ResolvedPath,
    /// `toLabel(f)` or `FORMAT(f)` around the field.
    pub display: Option<super::display::Display>,
    /// The name the value answers under instead of the field's (`FORMAT(Amount) amt`).
    pub alias: Option<String>,
}

/// One relationship hop: the lookup field to follow and the objects it may point to.
#[derive(Debug, Clone)]
pub struct Hop {
    /// Relationship name in describe case (`Account`, `Owner`, `Account__r`).
    pub relationship: String,
    /// The lookup field holding the parent id (`AccountId`).
    pub lookup: String,
    /// `(key prefix, object name)` of every object the lookup may point to.
    pub targets: Vec<(String, String)>,
}

impl Hop {
    /// The parent's object name, from its id's key prefix.
    pub fn target_for(&self, id: &str) -> &str {
        let prefix = ids::key_prefix(id).unwrap_or("");
        self.targets
            .iter()
            .find(|(p, _)| p == prefix)
            .or(self.targets.first())
            .map(|(_, name)| name.as_str())
            .unwrap_or("Name")
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedPath {
    pub hops: Vec<Hop>,
    /// Field name in describe case.
    pub field: String,
    pub kind: FieldType,
    pub filterable: bool,
    pub sortable: bool,
    /// A date function applied to the field (`kind` is then what the function returns).
    pub function: Option<DateFunction>,
}

impl ResolvedPath {
    /// `Account.Owner.Name`, in describe case: the column header of Bulk results.
    pub fn dotted(&self) -> String {
        let mut parts: Vec<&str> = self.hops.iter().map(|h| h.relationship.as_str()).collect();
        parts.push(&self.field);
        parts.join(".")
    }
}

#[derive(Debug, Clone)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare {
        path: ResolvedPath,
        op: CompareOp,
        operand: Operand,
    },
    In {
        path: ResolvedPath,
        negated: bool,
        operands: Vec<Operand>,
    },
    Like {
        path: ResolvedPath,
        pattern: Vec<LikeToken>,
    },
    SemiJoin(Box<SemiJoinPlan>),
    /// Each set holds lower-cased values that must all be selected.
    Includes {
        path: ResolvedPath,
        excludes: bool,
        sets: Vec<Vec<String>>,
    },
}

/// A literal converted to the type of the field it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Null,
    Bool(bool),
    Number(f64),
    /// Lower-cased: text compares case-insensitively (multi-select values also sorted).
    Text(String),
    /// An 18-character id: ids compare exactly.
    Id(String),
    Date(NaiveDate),
    DateTime(i64),
    Days(DayRange),
}

#[derive(Debug, Clone, PartialEq)]
pub enum LikeToken {
    /// `%`
    Any,
    /// `_`
    One,
    /// A lower-cased character.
    Char(char),
}

#[derive(Debug, Clone)]
pub struct SortKey {
    pub path: ResolvedPath,
    pub descending: bool,
    pub nulls_last: bool,
}

/// Checks `query` (parsed from `source`) against `schema`; relative dates are resolved
/// against `now`.
pub fn resolve(
    source: &str,
    query: &Query,
    schema: &Schema,
    now: DateTime<Utc>,
) -> Result<Plan, SfError> {
    let object = schema
        .object(&query.from.text)
        .filter(|o| o.queryable)
        .ok_or_else(|| unknown_object(source, query.from.pos, &query.from.text))?;
    let ctx = Resolver {
        source,
        schema,
        root: object,
        today: now.date_naive(),
        nested: RefCell::new(Vec::new()),
    };
    relations::check_fields_limit(source, query)?;
    if let Some(filter) = &query.filter {
        relations::check_semi_joins(source, filter)?;
    }
    let filter = query.filter.as_ref().map(|c| ctx.filter(c)).transpose()?;
    if let Some(offset) = query.offset.filter(|o| o.value > super::MAX_OFFSET) {
        return Err(offset_too_large(source, offset.pos));
    }
    let limit = query
        .limit
        .map(|l| usize::try_from(l.value).unwrap_or(usize::MAX));
    let offset = query.offset.map(|o| o.value as usize).unwrap_or(0);
    if super::aggregate::is_aggregate(query) {
        return Ok(Plan {
            object: object.name.clone(),
            output: Output::Aggregates(Box::new(ctx.grouped(query)?)),
            filter,
            order: Vec::new(),
            limit,
            offset,
            nested: ctx.nested.take(),
        });
    }
    let output = ctx.output(&query.select)?;
    let mut order = Vec::new();
    for key in &query.order_by {
        let path = ctx.sort_path(&key.field)?;
        if !path.sortable {
            return Err(not_sortable(source, key.field.pos(), &path.field));
        }
        order.push(SortKey {
            path,
            descending: key.descending,
            nulls_last: key.effective_nulls_last(),
        });
    }
    Ok(Plan {
        object: object.name.clone(),
        output,
        filter,
        order,
        limit,
        offset,
        nested: ctx.nested.take(),
    })
}

pub(super) struct Resolver<'a> {
    pub(super) source: &'a str,
    pub(super) schema: &'a Schema,
    pub(super) root: &'a ObjectSchema,
    today: NaiveDate,
    nested: RefCell<Vec<Nested>>,
}

impl Resolver<'_> {
    fn output(&self, items: &[SelectItem]) -> Result<Output, SfError> {
        let has_count_all = items
            .iter()
            .any(|i| matches!(i, SelectItem::CountAll { .. }));
        if has_count_all {
            if let Some(other) = items
                .iter()
                .find(|i| !matches!(i, SelectItem::CountAll { .. }))
                .or(items.get(1))
            {
                return Err(malformed(
                    self.source,
                    item_pos(other),
                    "COUNT() must be the only element in the SELECT list".to_string(),
                ));
            }
            return Ok(Output::Count);
        }
        let mut columns: Vec<Column> = Vec::new();
        for item in items {
            if let SelectItem::AliasedField { alias, .. } = item {
                return Err(unexpected(self.source, alias.pos, &alias.text));
            }
            let column = match item {
                SelectItem::Field(field) => Some((Column::plain(self.path(field)?), field.pos())),
                SelectItem::Call(call) => Some((self.display_column(call)?, call.pos)),
                _ => None,
            };
            if let Some((column, pos)) = column {
                let key = column.key();
                if columns.iter().any(|c| c.key().eq_ignore_ascii_case(&key)) {
                    return Err(malformed(
                        self.source,
                        pos,
                        format!("duplicate field selected: {key}"),
                    ));
                }
                columns.push(column);
            } else {
                self.relation_item(item, &mut columns)?;
            }
        }
        Ok(Output::Records(columns))
    }

    pub(super) fn path(&self, written: &FieldPath) -> Result<ResolvedPath, SfError> {
        let mut parts: &[ast::Name] = &written.parts;
        // `SELECT Account.Name FROM Account` names the queried object itself.
        if parts.len() > 1
            && parts[0].text.eq_ignore_ascii_case(&self.root.name)
            && self.root.relationship(&parts[0].text).is_none()
        {
            parts = &parts[1..];
        }
        if parts.len() > MAX_RELATIONSHIP_DEPTH + 1 {
            return Err(invalid_field(
                self.source,
                written.pos(),
                format!(
                    "SOQL statements cannot query relationships that are more than {MAX_RELATIONSHIP_DEPTH} levels away from the root entity object."
                ),
            ));
        }
        let (hops, field) = self.walk(self.root, parts)?;
        Ok(ResolvedPath {
            hops,
            field: field.name.clone(),
            kind: field.kind,
            filterable: field.filterable,
            sortable: field.sortable,
            function: None,
        })
    }

    fn walk<'s>(
        &'s self,
        object: &'s ObjectSchema,
        parts: &[ast::Name],
    ) -> Result<(Vec<Hop>, &'s FieldDef), SfError> {
        let (first, rest) = match parts.split_first() {
            Some(split) => split,
            None => return Err(unexpected(self.source, Pos::default(), "<EOF>")),
        };
        if rest.is_empty() {
            let field = object
                .field(&first.text)
                .ok_or_else(|| no_such_column(self.source, first.pos, &first.text, &object.name))?;
            return Ok((Vec::new(), field));
        }
        let lookup = object
            .relationship(&first.text)
            .ok_or_else(|| unknown_relationship(self.source, first.pos, &first.text))?;
        let targets: Vec<&ObjectSchema> = lookup
            .reference_to
            .iter()
            .filter_map(|t| self.schema.object(t))
            .collect();
        let hop = Hop {
            relationship: lookup
                .relationship_name
                .clone()
                .unwrap_or_else(|| first.text.clone()),
            lookup: lookup.name.clone(),
            targets: targets
                .iter()
                .map(|t| (t.key_prefix.clone(), t.name.clone()))
                .collect(),
        };
        let mut first_error = None;
        for target in &targets {
            match self.walk(target, rest) {
                Ok((mut hops, field)) => {
                    hops.insert(0, hop);
                    return Ok((hops, field));
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error
            .unwrap_or_else(|| unknown_relationship(self.source, first.pos, &first.text)))
    }

    pub(super) fn filter(&self, condition: &Condition) -> Result<Filter, SfError> {
        Ok(match condition {
            Condition::And(parts) => Filter::And(
                parts
                    .iter()
                    .map(|p| self.filter(p))
                    .collect::<Result<_, _>>()?,
            ),
            Condition::Or(parts) => Filter::Or(
                parts
                    .iter()
                    .map(|p| self.filter(p))
                    .collect::<Result<_, _>>()?,
            ),
            Condition::Not(inner) => Filter::Not(Box::new(self.filter(inner)?)),
            Condition::Compare { field, op, value } => {
                let path = self.filterable_path(field)?;
                let operand = self.operand(field, &path, value)?;
                Filter::Compare {
                    path,
                    op: *op,
                    operand,
                }
            }
            Condition::In {
                field,
                negated,
                values,
            } => {
                let path = self.filterable_path(field)?;
                let operands = values
                    .iter()
                    .map(|v| self.operand(field, &path, v))
                    .collect::<Result<_, _>>()?;
                Filter::In {
                    path,
                    negated: *negated,
                    operands,
                }
            }
            Condition::Like { field, pattern } => {
                let path = self.filterable_path(field)?;
                if !path.kind.is_text() {
                    return Err(invalid_operator(self.source, field.pos(), &path.field));
                }
                let LiteralValue::Text(text) = &pattern.value else {
                    return Err(wrong_literal(
                        self.source,
                        field.pos(),
                        &path.field,
                        "string",
                        true,
                    ));
                };
                Filter::Like {
                    path,
                    pattern: like_pattern(text),
                }
            }
            Condition::SemiJoin(join) => self.semi_join(join)?,
            Condition::Includes(includes) => self.includes(includes)?,
            Condition::Call { call, .. } | Condition::CallIn { call, .. }
                if call.function.is_display() =>
            {
                self.label_filter(condition)?
            }
            Condition::Call { .. } | Condition::CallIn { .. } => self.call_filter(condition)?,
        })
    }

    fn filterable_path(&self, written: &FieldPath) -> Result<ResolvedPath, SfError> {
        let path = self.path(written)?;
        if !path.filterable || path.kind.is_compound() {
            return Err(not_filterable(self.source, written.pos(), &path.field));
        }
        Ok(path)
    }

    pub(super) fn operand(
        &self,
        written: &FieldPath,
        path: &ResolvedPath,
        literal: &ast::Literal,
    ) -> Result<Operand, SfError> {
        use FieldType::*;
        let pos = written.pos();
        let field = path.field.as_str();
        let wrong = |type_name: &str, quoted: bool| {
            wrong_literal(self.source, pos, field, type_name, quoted)
        };
        if literal.value == LiteralValue::Null {
            return Ok(Operand::Null);
        }
        let days = |r| Operand::Days(day_range(r, self.today));
        Ok(match (path.kind, &literal.value) {
            (Id | Reference, LiteralValue::Text(t)) => {
                let plain = super::lexer::unescape_like(t);
                Operand::Id(
                    ids::to_18(&plain)
                        .ok_or_else(|| invalid_id(self.source, literal.pos, &plain))?,
                )
            }
            (Id | Reference, _) => return Err(wrong("id", true)),
            (Multipicklist, LiteralValue::Text(t)) => {
                Operand::Text(normalize_multi(&super::lexer::unescape_like(t)))
            }
            (kind, LiteralValue::Text(t)) if kind.is_text() => {
                Operand::Text(super::lexer::unescape_like(t).to_lowercase())
            }
            (kind, _) if kind.is_text() => return Err(wrong("string", true)),
            (Boolean, LiteralValue::Bool(b)) => Operand::Bool(*b),
            (Boolean, _) => return Err(wrong("boolean", false)),
            (kind, LiteralValue::Number(n)) if kind.is_number() => Operand::Number(*n),
            (Int, _) => return Err(wrong("integer", false)),
            (Long, _) => return Err(wrong("long", false)),
            (kind, _) if kind.is_number() => return Err(wrong("double", false)),
            (Date, LiteralValue::Date(d)) => Operand::Date(*d),
            (Date, LiteralValue::Relative(r)) => days(*r),
            (Date, _) => return Err(wrong("date", false)),
            (DateTime, LiteralValue::DateTime(ms)) => Operand::DateTime(*ms),
            (DateTime, LiteralValue::Relative(r)) => days(*r),
            (DateTime, _) => return Err(wrong("dateTime", false)),
            _ => return Err(invalid_operator(self.source, pos, field)),
        })
    }
}

pub(super) fn item_pos(item: &SelectItem) -> Pos {
    match item {
        SelectItem::Field(f) => f.pos(),
        SelectItem::CountAll { pos } | SelectItem::Fields { pos, .. } => *pos,
        SelectItem::Subquery(query) => query.from.pos,
        SelectItem::TypeOf(t) => t.pos,
        SelectItem::Call(call) => call.pos,
        SelectItem::AliasedField { field, .. } => field.pos(),
    }
}

/// Multi-select values compare as sets: `b;a` equals `A;B`.
pub fn normalize_multi(text: &str) -> String {
    let mut values: Vec<String> = text
        .split(';')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    values.sort();
    values.join(";")
}

pub(super) fn like_pattern(text: &str) -> Vec<LikeToken> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next().map(LikeToken::Char)),
            '%' => out.push(LikeToken::Any),
            '_' => out.push(LikeToken::One),
            other => out.extend(other.to_lowercase().map(LikeToken::Char)),
        }
    }
    out
}
