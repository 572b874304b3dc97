//! The syntax tree of a SOQL statement, as written (names not yet checked against the schema).
//!
//! `Display` prints a statement back as SOQL that parses to the same tree.

use std::fmt;

use chrono::NaiveDate;

pub use super::functions::{Call, GroupBy, Term};
use super::lexer::Pos;
pub use super::rel_ast::{FieldGroup, Includes, SemiJoin, TypeOf, Usage};

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Vec<SelectItem>,
    pub from: Name,
    pub filter: Option<Condition>,
    pub group_by: Option<GroupBy>,
    pub having: Option<Condition>,
    pub order_by: Vec<OrderKey>,
    pub limit: Option<Counted>,
    pub offset: Option<Counted>,
    /// `FOR VIEW`, `UPDATE TRACKING`...: only on the outer statement.
    pub usage: Vec<Usage>,
}

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub pos: Pos,
}

/// `Account.Owner.Name`: relationship names, then a field name.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    pub parts: Vec<Name>,
}

impl FieldPath {
    pub fn pos(&self) -> Pos {
        self.parts.first().map(|p| p.pos).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    Field(FieldPath),
    /// `COUNT()`: the answer is only `totalSize`.
    CountAll {
        pos: Pos,
    },
    /// `SUM(Amount) total`, `CALENDAR_YEAR(CreatedDate)`: answered as AggregateResult rows.
    Call(Call),
    /// `Name n`: an alias is only allowed in an aggregate query.
    AliasedField {
        field: FieldPath,
        alias: Name,
    },
    /// `(SELECT … FROM Contacts …)`: a child relationship's records.
    Subquery(Box<Query>),
    /// `FIELDS(ALL)`, `FIELDS(STANDARD)`, `FIELDS(CUSTOM)`.
    Fields {
        group: FieldGroup,
        pos: Pos,
    },
    TypeOf(TypeOf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        field: FieldPath,
        op: CompareOp,
        value: Literal,
    },
    In {
        field: FieldPath,
        negated: bool,
        values: Vec<Literal>,
    },
    Like {
        field: FieldPath,
        pattern: Literal,
    },
    SemiJoin(SemiJoin),
    Includes(Includes),
    /// `CALENDAR_YEAR(CreatedDate) = 2024`, or in HAVING `COUNT(Id) > 1`.
    Call {
        call: Call,
        op: CompareOp,
        value: Literal,
    },
    CallIn {
        call: Call,
        negated: bool,
        values: Vec<Literal>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub value: LiteralValue,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiteralValue {
    Null,
    Bool(bool),
    Number(f64),
    /// Decoded text; `\\`, `\%` and `\_` are kept escaped for LIKE (see `lexer::unescape_like`).
    Text(String),
    Date(NaiveDate),
    /// Milliseconds since the epoch, UTC.
    DateTime(i64),
    Relative(RelativeDate),
}

/// Date literals relative to today (UTC in the sandbox org).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeDate {
    Yesterday,
    Today,
    Tomorrow,
    LastWeek,
    ThisWeek,
    NextWeek,
    LastMonth,
    ThisMonth,
    NextMonth,
    LastQuarter,
    ThisQuarter,
    NextQuarter,
    LastYear,
    ThisYear,
    NextYear,
    Last90Days,
    Next90Days,
    LastNDays(u32),
    NextNDays(u32),
    NDaysAgo(u32),
    LastNMonths(u32),
    NextNMonths(u32),
}

/// Builds a literal that takes `:n` from its `n`.
pub type WithCount = fn(u32) -> RelativeDate;

impl RelativeDate {
    const FIXED: &'static [(&'static str, RelativeDate)] = &[
        ("YESTERDAY", RelativeDate::Yesterday),
        ("TODAY", RelativeDate::Today),
        ("TOMORROW", RelativeDate::Tomorrow),
        ("LAST_WEEK", RelativeDate::LastWeek),
        ("THIS_WEEK", RelativeDate::ThisWeek),
        ("NEXT_WEEK", RelativeDate::NextWeek),
        ("LAST_MONTH", RelativeDate::LastMonth),
        ("THIS_MONTH", RelativeDate::ThisMonth),
        ("NEXT_MONTH", RelativeDate::NextMonth),
        ("LAST_QUARTER", RelativeDate::LastQuarter),
        ("THIS_QUARTER", RelativeDate::ThisQuarter),
        ("NEXT_QUARTER", RelativeDate::NextQuarter),
        ("LAST_YEAR", RelativeDate::LastYear),
        ("THIS_YEAR", RelativeDate::ThisYear),
        ("NEXT_YEAR", RelativeDate::NextYear),
        ("LAST_90_DAYS", RelativeDate::Last90Days),
        ("NEXT_90_DAYS", RelativeDate::Next90Days),
    ];
    const WITH_N: &'static [(&'static str, WithCount)] = &[
        ("LAST_N_DAYS", RelativeDate::LastNDays),
        ("NEXT_N_DAYS", RelativeDate::NextNDays),
        ("N_DAYS_AGO", RelativeDate::NDaysAgo),
        ("LAST_N_MONTHS", RelativeDate::LastNMonths),
        ("NEXT_N_MONTHS", RelativeDate::NextNMonths),
    ];

    /// A literal without a number (`TODAY`), by name in any case.
    pub fn fixed(name: &str) -> Option<RelativeDate> {
        Self::FIXED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, d)| *d)
    }

    /// A literal that takes `:n` (`LAST_N_DAYS`), by name in any case.
    pub fn with_n(name: &str) -> Option<WithCount> {
        Self::WITH_N
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, f)| *f)
    }

    fn name_and_n(self) -> (&'static str, Option<u32>) {
        use RelativeDate::*;
        let (name, n) = match self {
            LastNDays(n) => ("LAST_N_DAYS", n),
            NextNDays(n) => ("NEXT_N_DAYS", n),
            NDaysAgo(n) => ("N_DAYS_AGO", n),
            LastNMonths(n) => ("LAST_N_MONTHS", n),
            NextNMonths(n) => ("NEXT_N_MONTHS", n),
            fixed => {
                let name = Self::FIXED
                    .iter()
                    .find(|(_, d)| *d == fixed)
                    .map(|(n, _)| *n)
                    .unwrap_or("TODAY");
                return (name, None);
            }
        };
        (name, Some(n))
    }
}

/// A LIMIT or OFFSET number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counted {
    pub value: u64,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    pub field: Term,
    pub descending: bool,
    /// `Some(true)` for NULLS LAST, `Some(false)` for NULLS FIRST, `None` for the default.
    pub nulls_last: Option<bool>,
}

impl OrderKey {
    /// Salesforce's default: ascending puts nulls first, descending puts them last.
    pub fn effective_nulls_last(&self) -> bool {
        self.nulls_last.unwrap_or(self.descending)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.parts.iter().map(|p| p.text.as_str()).collect();
        f.write_str(&names.join("."))
    }
}

impl fmt::Display for SelectItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectItem::Field(path) => write!(f, "{path}"),
            SelectItem::CountAll { .. } => f.write_str("COUNT()"),
            SelectItem::Subquery(query) => write!(f, "({query})"),
            SelectItem::Fields { group, .. } => write!(f, "FIELDS({})", group.name()),
            SelectItem::TypeOf(typeof_) => write!(f, "{typeof_}"),
            SelectItem::Call(call) => write!(f, "{call}"),
            SelectItem::AliasedField { field, alias } => write!(f, "{field} {}", alias.text),
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        })
    }
}

fn write_text(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("'")?;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            '"' => f.write_str("\\\"")?,
            // Backslash escapes were kept as written (`\\`, `\%`, `\_`).
            '\\' => {
                f.write_str("\\")?;
                if let Some(escaped) = chars.next() {
                    write!(f, "{escaped}")?;
                }
            }
            other => write!(f, "{other}")?,
        }
    }
    f.write_str("'")
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            LiteralValue::Null => f.write_str("null"),
            LiteralValue::Bool(b) => write!(f, "{b}"),
            LiteralValue::Number(n) => write!(f, "{n}"),
            LiteralValue::Text(t) => write_text(f, t),
            LiteralValue::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            LiteralValue::DateTime(ms) => {
                let dt = chrono::DateTime::from_timestamp_millis(*ms).unwrap_or_default();
                write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
            }
            LiteralValue::Relative(r) => match r.name_and_n() {
                (name, Some(n)) => write!(f, "{name}:{n}"),
                (name, None) => f.write_str(name),
            },
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, parts: &[Condition], op: &str) -> fmt::Result {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            write!(f, " {op} ")?;
        }
        match part {
            Condition::And(_) | Condition::Or(_) => write!(f, "({part})")?,
            _ => write!(f, "{part}")?,
        }
    }
    Ok(())
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::And(parts) => write_joined(f, parts, "AND"),
            Condition::Or(parts) => write_joined(f, parts, "OR"),
            Condition::Not(inner) => match inner.as_ref() {
                Condition::And(_) | Condition::Or(_) | Condition::Not(_) => {
                    write!(f, "NOT ({inner})")
                }
                _ => write!(f, "NOT {inner}"),
            },
            Condition::Compare { field, op, value } => write!(f, "{field} {op} {value}"),
            Condition::In {
                field,
                negated,
                values,
            } => {
                let list: Vec<String> = values.iter().map(ToString::to_string).collect();
                let not = if *negated { "NOT " } else { "" };
                write!(f, "{field} {not}IN ({})", list.join(", "))
            }
            Condition::Like { field, pattern } => write!(f, "{field} LIKE {pattern}"),
            Condition::SemiJoin(join) => write!(f, "{join}"),
            Condition::Includes(includes) => write!(f, "{includes}"),
            Condition::Call { call, op, value } => write!(f, "{call} {op} {value}"),
            Condition::CallIn {
                call,
                negated,
                values,
            } => {
                let list: Vec<String> = values.iter().map(ToString::to_string).collect();
                let not = if *negated { "NOT " } else { "" };
                write!(f, "{call} {not}IN ({})", list.join(", "))
            }
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.select.iter().map(ToString::to_string).collect();
        write!(f, "SELECT {} FROM {}", items.join(", "), self.from.text)?;
        if let Some(filter) = &self.filter {
            write!(f, " WHERE {filter}")?;
        }
        if let Some(group_by) = &self.group_by {
            write!(f, " {group_by}")?;
        }
        if let Some(having) = &self.having {
            write!(f, " HAVING {having}")?;
        }
        if !self.order_by.is_empty() {
            let keys: Vec<String> = self
                .order_by
                .iter()
                .map(|k| {
                    let dir = if k.descending { "DESC" } else { "ASC" };
                    match k.nulls_last {
                        Some(true) => format!("{} {dir} NULLS LAST", k.field),
                        Some(false) => format!("{} {dir} NULLS FIRST", k.field),
                        None => format!("{} {dir}", k.field),
                    }
                })
                .collect();
            write!(f, " ORDER BY {}", keys.join(", "))?;
        }
        if let Some(limit) = self.limit {
            write!(f, " LIMIT {}", limit.value)?;
        }
        if let Some(offset) = self.offset {
            write!(f, " OFFSET {}", offset.value)?;
        }
        f.write_str(&super::rel_ast::usage_text(&self.usage))
    }
}
