//! Checking relationship queries against the schema: child subqueries through the describe's
//! child relationship names, `FIELDS(…)` with its LIMIT rule, `TYPEOF` on polymorphic
//! lookups, semi- and anti-joins and `INCLUDES`/`EXCLUDES`.

use std::cell::RefCell;

use chrono::NaiveTime;

use super::{Column, Filter, Hop, Plan, ResolvedPath, Resolver, normalize_multi};
use crate::error::SfError;
use crate::schema::FieldType;
use crate::soql::ast::{
    Condition, FieldGroup, Includes, LiteralValue, Query, SelectItem, SemiJoin, TypeOf,
};
use crate::soql::error::*;
use crate::soql::lexer::Pos;

/// Most rows `FIELDS(ALL)` and `FIELDS(CUSTOM)` may ask for.
pub const FIELDS_LIMIT: u64 = 200;
/// Most semi- and anti-joins one WHERE clause may hold.
pub const MAX_SEMI_JOINS: usize = 2;

/// Fields of the `Name` object, which ELSE reads from a polymorphic parent of any type.
const NAME_FIELDS: &[&str] = &[
    "Id",
    "Name",
    "Alias",
    "Email",
    "FirstName",
    "LastName",
    "Phone",
    "Title",
    "Type",
    "Username",
    "IsActive",
    "UserRoleId",
    "ProfileId",
    "RecordTypeId",
    "NameOrAlias",
];

/// A select item that is not a column: child records or a TYPEOF parent, placed after the
/// first `after` columns of the SELECT list.
#[derive(Debug, Clone)]
pub struct Nested {
    pub after: usize,
    pub kind: NestedKind,
}

#[derive(Debug, Clone)]
pub enum NestedKind {
    Children(Box<ChildQuery>),
    TypeOf(Box<TypeOfPlan>),
}

/// `(SELECT … FROM Contacts …)`: the child object's own plan and the lookup to its parent.
#[derive(Debug, Clone)]
pub struct ChildQuery {
    /// In describe case: `Contacts`.
    pub relationship: String,
    /// The child's lookup field: `AccountId`.
    pub lookup: String,
    pub plan: Plan,
}

/// `TYPEOF What WHEN Account THEN … ELSE … END`.
#[derive(Debug, Clone)]
pub struct TypeOfPlan {
    pub hop: Hop,
    /// `(object, columns)` per WHEN, object in describe case.
    pub whens: Vec<(String, Vec<Column>)>,
    pub otherwise: Vec<Column>,
}

/// `Id IN (SELECT AccountId FROM Contact …)`: the outer field and the inner plan whose one
/// column gives the ids.
#[derive(Debug, Clone)]
pub struct SemiJoinPlan {
    pub path: ResolvedPath,
    pub negated: bool,
    pub plan: Plan,
}

impl SemiJoinPlan {
    /// The inner plan's one column.
    pub fn selected(&self) -> Option<&ResolvedPath> {
        match &self.plan.output {
            super::Output::Records(columns) => columns.first().map(|c| &c.path),
            _ => None,
        }
    }
}

fn is_id(kind: FieldType) -> bool {
    matches!(kind, FieldType::Id | FieldType::Reference)
}

impl Resolver<'_> {
    /// Adds what `item` selects: columns for `FIELDS(…)`, a nested item otherwise.
    pub(super) fn relation_item(
        &self,
        item: &SelectItem,
        columns: &mut Vec<Column>,
    ) -> Result<(), SfError> {
        let kind = match item {
            SelectItem::Fields { group, pos } => {
                for field in self.root.fields.iter().filter(|f| match group {
                    FieldGroup::All => true,
                    FieldGroup::Standard => !f.custom,
                    FieldGroup::Custom => f.custom,
                }) {
                    let path = ResolvedPath {
                        hops: Vec::new(),
                        field: field.name.clone(),
                        kind: field.kind,
                        filterable: field.filterable,
                        sortable: field.sortable,
                        function: None,
                    };
                    push_column(self.source, *pos, columns, path)?;
                }
                return Ok(());
            }
            SelectItem::Subquery(query) => NestedKind::Children(Box::new(self.child_query(query)?)),
            SelectItem::TypeOf(typeof_) => NestedKind::TypeOf(Box::new(self.type_of(typeof_)?)),
            _ => return Ok(()),
        };
        self.nested.borrow_mut().push(Nested {
            after: columns.len(),
            kind,
        });
        Ok(())
    }

    fn child_query(&self, query: &Query) -> Result<ChildQuery, SfError> {
        // `FROM Account.Contacts` names the parent first.
        let written = match query.from.text.split_once('.') {
            Some((parent, name)) if parent.eq_ignore_ascii_case(&self.root.name) => name,
            _ => query.from.text.as_str(),
        };
        let relationship = self.root.child_relationship(written).ok_or_else(|| {
            unknown_child_relationship(self.source, query.from.pos, &query.from.text)
        })?;
        if let Some(pos) = query.select.iter().find_map(|i| match i {
            SelectItem::Subquery(inner) => Some(inner.from.pos),
            _ => None,
        }) {
            return Err(malformed(
                self.source,
                pos,
                "SOQL statements cannot query aggregate relationships more than 1 level away from the root entity object.".to_string(),
            ));
        }
        let mut inner = query.clone();
        inner.from.text = relationship.child_object.clone();
        let now = self.today.and_time(NaiveTime::MIN).and_utc();
        let plan = super::resolve(self.source, &inner, self.schema, now)?;
        if !matches!(plan.output, super::Output::Records(_)) {
            return Err(malformed(
                self.source,
                query.from.pos,
                "Aggregate functions are not supported in a child relationship subquery"
                    .to_string(),
            ));
        }
        Ok(ChildQuery {
            relationship: relationship.name,
            lookup: relationship.field,
            plan,
        })
    }

    fn type_of(&self, written: &TypeOf) -> Result<TypeOfPlan, SfError> {
        let name = &written.relationship;
        let lookup = self
            .root
            .relationship(&name.text)
            .ok_or_else(|| unknown_relationship(self.source, name.pos, &name.text))?;
        if lookup.reference_to.len() < 2 {
            return Err(invalid_field(
                self.source,
                name.pos,
                format!(
                    "TYPEOF is only supported on polymorphic relationship fields: '{}' is not one",
                    name.text
                ),
            ));
        }
        let targets: Vec<_> = lookup
            .reference_to
            .iter()
            .filter_map(|t| self.schema.object(t))
            .collect();
        let hop = Hop {
            relationship: lookup
                .relationship_name
                .clone()
                .unwrap_or_else(|| name.text.clone()),
            lookup: lookup.name.clone(),
            targets: targets
                .iter()
                .map(|t| (t.key_prefix.clone(), t.name.clone()))
                .collect(),
        };
        let mut whens = Vec::new();
        for (object, fields) in &written.whens {
            let target = targets
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&object.text))
                .ok_or_else(|| {
                    invalid_field(
                        self.source,
                        object.pos,
                        format!(
                            "'{}' is not a type the relationship '{}' can point to",
                            object.text, hop.relationship
                        ),
                    )
                })?;
            let at = self.at(target);
            let mut columns = Vec::new();
            for field in fields {
                push_column(self.source, field.pos(), &mut columns, at.path(field)?)?;
            }
            whens.push((target.name.clone(), columns));
        }
        let mut otherwise = Vec::new();
        for field in &written.otherwise {
            // ELSE reads the fields every type of the relationship shares; the first type
            // that has the field says what it is.
            let mut found = None;
            for target in &targets {
                match self.at(target).path(field) {
                    Ok(path) => {
                        found = Some(Ok(path));
                        break;
                    }
                    Err(e) => {
                        found.get_or_insert(Err(e));
                    }
                }
            }
            let name_field = NAME_FIELDS
                .iter()
                .find(|n| field.parts.len() == 1 && n.eq_ignore_ascii_case(&field.parts[0].text));
            let path = match (found, name_field) {
                (Some(Ok(path)), _) => path,
                (_, Some(name)) => ResolvedPath {
                    hops: Vec::new(),
                    field: name.to_string(),
                    kind: FieldType::String,
                    filterable: true,
                    sortable: true,
                    function: None,
                },
                (Some(Err(e)), None) => return Err(e),
                (None, None) => {
                    return Err(no_such_column(
                        self.source,
                        field.pos(),
                        &field.to_string(),
                        "Name",
                    ));
                }
            };
            push_column(self.source, field.pos(), &mut otherwise, path)?;
        }
        Ok(TypeOfPlan {
            hop,
            whens,
            otherwise,
        })
    }

    /// A resolver rooted at another object of the same statement.
    fn at<'s>(&'s self, root: &'s crate::schema::ObjectSchema) -> Resolver<'s> {
        Resolver {
            source: self.source,
            schema: self.schema,
            root,
            today: self.today,
            nested: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn semi_join(&self, join: &SemiJoin) -> Result<Filter, SfError> {
        let path = self.filterable_path(&join.field)?;
        if !is_id(path.kind) {
            return Err(invalid_field(
                self.source,
                join.field.pos(),
                format!(
                    "semi join sub selects are only supported on id fields, cannot use: '{}'",
                    path.field
                ),
            ));
        }
        if let Some(pos) = join.query.filter.as_ref().and_then(first_semi_join) {
            return Err(invalid_field(
                self.source,
                pos,
                "Nesting of semi join sub-selects is not supported".to_string(),
            ));
        }
        let written = match join.query.select.as_slice() {
            [SelectItem::Field(field)] => field,
            _ => {
                return Err(malformed(
                    self.source,
                    join.pos,
                    "semi join sub selects can select only one field".to_string(),
                ));
            }
        };
        let now = self.today.and_time(NaiveTime::MIN).and_utc();
        let plan = super::resolve(self.source, &join.query, self.schema, now)?;
        let selected = match &plan.output {
            super::Output::Records(columns) => columns.first().map(|c| c.path.clone()),
            _ => None,
        };
        match selected {
            Some(selected) if is_id(selected.kind) => {}
            Some(selected) => {
                return Err(invalid_field(
                    self.source,
                    written.pos(),
                    format!(
                        "semi join sub selects can only query id fields, cannot use: '{}'",
                        selected.field
                    ),
                ));
            }
            None => return Err(unexpected(self.source, join.pos, "SELECT")),
        }
        Ok(Filter::SemiJoin(Box::new(SemiJoinPlan {
            path,
            negated: join.negated,
            plan,
        })))
    }

    pub(super) fn includes(&self, written: &Includes) -> Result<Filter, SfError> {
        let path = self.filterable_path(&written.field)?;
        if path.kind != FieldType::Multipicklist {
            return Err(invalid_field(
                self.source,
                written.field.pos(),
                format!(
                    "INCLUDES/EXCLUDES operator only valid on multipicklist field: {}",
                    path.field
                ),
            ));
        }
        let mut sets = Vec::new();
        for literal in &written.values {
            let LiteralValue::Text(text) = &literal.value else {
                return Err(wrong_literal(
                    self.source,
                    written.field.pos(),
                    &path.field,
                    "string",
                    true,
                ));
            };
            let plain = crate::soql::lexer::unescape_like(text);
            sets.push(
                normalize_multi(&plain)
                    .split(';')
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
        }
        Ok(Filter::Includes {
            path,
            excludes: written.excludes,
            sets,
        })
    }
}

fn push_column(
    source: &str,
    pos: Pos,
    columns: &mut Vec<Column>,
    path: ResolvedPath,
) -> Result<(), SfError> {
    let dotted = path.dotted();
    if columns
        .iter()
        .any(|c| c.path.dotted().eq_ignore_ascii_case(&dotted))
    {
        return Err(malformed(
            source,
            pos,
            format!("duplicate field selected: {dotted}"),
        ));
    }
    columns.push(Column::plain(path));
    Ok(())
}

fn first_semi_join(condition: &Condition) -> Option<Pos> {
    match condition {
        Condition::SemiJoin(join) => Some(join.pos),
        Condition::And(parts) | Condition::Or(parts) => parts.iter().find_map(first_semi_join),
        Condition::Not(inner) => first_semi_join(inner),
        _ => None,
    }
}

/// The WHERE clause's own rules for joins: at most two, and none under OR.
pub(super) fn check_semi_joins(source: &str, condition: &Condition) -> Result<(), SfError> {
    fn walk(c: &Condition, under_or: bool, seen: &mut Vec<Pos>) -> Option<(Pos, &'static str)> {
        match c {
            Condition::SemiJoin(join) => {
                seen.push(join.pos);
                under_or.then_some((
                    join.pos,
                    "Semi join sub-selects are not allowed with the 'OR' operator",
                ))
            }
            Condition::And(parts) => parts.iter().find_map(|p| walk(p, under_or, seen)),
            Condition::Or(parts) => parts.iter().find_map(|p| walk(p, true, seen)),
            Condition::Not(inner) => walk(inner, under_or, seen),
            _ => None,
        }
    }
    let mut seen = Vec::new();
    if let Some((pos, detail)) = walk(condition, false, &mut seen) {
        return Err(malformed(source, pos, detail.to_string()));
    }
    if let Some(pos) = seen.get(MAX_SEMI_JOINS) {
        return Err(malformed(
            source,
            *pos,
            format!("Maximum of {MAX_SEMI_JOINS} semi join sub-selects are allowed"),
        ));
    }
    Ok(())
}

/// `FIELDS(ALL)` and `FIELDS(CUSTOM)` need `LIMIT 200` or less.
pub(super) fn check_fields_limit(source: &str, query: &Query) -> Result<(), SfError> {
    let unbounded = query.select.iter().find_map(|item| match item {
        SelectItem::Fields { group, pos } if *group != FieldGroup::Standard => Some(*pos),
        _ => None,
    });
    let Some(pos) = unbounded else {
        return Ok(());
    };
    if query.limit.is_some_and(|l| l.value <= FIELDS_LIMIT) {
        return Ok(());
    }
    Err(malformed(
        source,
        pos,
        format!("The SOQL FIELDS function must have a LIMIT of at most {FIELDS_LIMIT}"),
    ))
}

pub fn unknown_child_relationship(source: &str, pos: Pos, name: &str) -> SfError {
    SfError::new(
        "INVALID_TYPE",
        positioned(
            source,
            pos,
            &format!(
                "Didn't understand relationship '{name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
            ),
        ),
    )
}
