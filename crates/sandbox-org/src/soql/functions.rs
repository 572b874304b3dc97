//! Function calls as written in a statement: aggregates (`SUM(Amount) total`), date functions
//! (`CALENDAR_YEAR(CreatedDate)`), `GROUPING(f)` and `convertTimezone(f)`, and the GROUP BY
//! clause they are grouped by.

use std::fmt;

use super::ast::{FieldPath, Name};
use super::lexer::Pos;

/// What a call computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Aggregate(AggregateFunction),
    Date(DateFunction),
    /// `GROUPING(f)`: 1 on a ROLLUP or CUBE subtotal row for `f`, 0 otherwise.
    Grouping,
    /// `convertTimezone(f)`: a dateTime in the user's time zone, only inside a date function.
    ConvertTimezone,
    /// `toLabel(f)`: a picklist value's label (see `display`).
    ToLabel,
    /// `FORMAT(f)`: a number, date or time as the user's locale shows it (see `display`).
    Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFunction {
    CalendarYear,
    CalendarQuarter,
    CalendarMonth,
    DayOnly,
    DayInMonth,
    DayInWeek,
    DayInYear,
    WeekInMonth,
    WeekInYear,
    HourInDay,
    FiscalYear,
    FiscalQuarter,
    FiscalMonth,
}

const NAMES: &[(&str, Function)] = &[
    ("COUNT", Function::Aggregate(AggregateFunction::Count)),
    (
        "COUNT_DISTINCT",
        Function::Aggregate(AggregateFunction::CountDistinct),
    ),
    ("SUM", Function::Aggregate(AggregateFunction::Sum)),
    ("AVG", Function::Aggregate(AggregateFunction::Avg)),
    ("MIN", Function::Aggregate(AggregateFunction::Min)),
    ("MAX", Function::Aggregate(AggregateFunction::Max)),
    ("GROUPING", Function::Grouping),
    ("CONVERTTIMEZONE", Function::ConvertTimezone),
    ("TOLABEL", Function::ToLabel),
    ("FORMAT", Function::Format),
    ("CALENDAR_YEAR", Function::Date(DateFunction::CalendarYear)),
    (
        "CALENDAR_QUARTER",
        Function::Date(DateFunction::CalendarQuarter),
    ),
    (
        "CALENDAR_MONTH",
        Function::Date(DateFunction::CalendarMonth),
    ),
    ("DAY_ONLY", Function::Date(DateFunction::DayOnly)),
    ("DAY_IN_MONTH", Function::Date(DateFunction::DayInMonth)),
    ("DAY_IN_WEEK", Function::Date(DateFunction::DayInWeek)),
    ("DAY_IN_YEAR", Function::Date(DateFunction::DayInYear)),
    ("WEEK_IN_MONTH", Function::Date(DateFunction::WeekInMonth)),
    ("WEEK_IN_YEAR", Function::Date(DateFunction::WeekInYear)),
    ("HOUR_IN_DAY", Function::Date(DateFunction::HourInDay)),
    ("FISCAL_YEAR", Function::Date(DateFunction::FiscalYear)),
    (
        "FISCAL_QUARTER",
        Function::Date(DateFunction::FiscalQuarter),
    ),
    ("FISCAL_MONTH", Function::Date(DateFunction::FiscalMonth)),
];

impl Function {
    /// The function called `name`, in any case.
    pub fn named(name: &str) -> Option<Function> {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, f)| *f)
    }

    /// The name as Salesforce's documentation writes it.
    pub fn name(self) -> &'static str {
        match self {
            Function::ConvertTimezone => return "convertTimezone",
            Function::ToLabel => return "toLabel",
            _ => {}
        }
        NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("COUNT")
    }

    pub fn is_aggregate(self) -> bool {
        matches!(self, Function::Aggregate(_))
    }

    /// `toLabel` and `FORMAT`: they change how a field's value reads, not which rows answer.
    pub fn is_display(self) -> bool {
        matches!(self, Function::ToLabel | Function::Format)
    }
}

/// What a call is applied to.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Field(FieldPath),
    Call(Box<Call>),
}

impl Term {
    pub fn pos(&self) -> Pos {
        match self {
            Term::Field(path) => path.pos(),
            Term::Call(call) => call.pos,
        }
    }
}

/// `FUNCTION(argument) [alias]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub function: Function,
    /// `None` only for `COUNT()`.
    pub argument: Option<Term>,
    pub alias: Option<Name>,
    pub pos: Pos,
}

impl Call {
    /// The field the call reads, through any nested call.
    pub fn field(&self) -> Option<&FieldPath> {
        match self.argument.as_ref()? {
            Term::Field(path) => Some(path),
            Term::Call(inner) => inner.field(),
        }
    }

    /// Whether an aggregate is called here or in the argument.
    pub fn has_aggregate(&self) -> bool {
        self.function.is_aggregate()
            || matches!(&self.argument, Some(Term::Call(inner)) if inner.has_aggregate())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Plain,
    Rollup,
    Cube,
}

/// `GROUP BY a, b`, `GROUP BY ROLLUP(a, b)` or `GROUP BY CUBE(a, b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBy {
    pub grouping: Grouping,
    pub terms: Vec<Term>,
    pub pos: Pos,
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Field(path) => write!(f, "{path}"),
            Term::Call(call) => write!(f, "{call}"),
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.function.name())?;
        match &self.argument {
            Some(argument) => write!(f, "({argument})")?,
            None => f.write_str("()")?,
        }
        if let Some(alias) = &self.alias {
            write!(f, " {}", alias.text)?;
        }
        Ok(())
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let terms: Vec<String> = self.terms.iter().map(ToString::to_string).collect();
        let terms = terms.join(", ");
        match self.grouping {
            Grouping::Plain => write!(f, "GROUP BY {terms}"),
            Grouping::Rollup => write!(f, "GROUP BY ROLLUP({terms})"),
            Grouping::Cube => write!(f, "GROUP BY CUBE({terms})"),
        }
    }
}
