//! The syntax of relationship queries and field groups: `FIELDS(…)`, `TYPEOF … END`, child
//! subqueries, semi- and anti-joins and `INCLUDES`/`EXCLUDES`, as written.

use std::fmt;

use super::ast::{FieldPath, Literal, Name, Query};
use super::lexer::Pos;

/// The group of `FIELDS(ALL)`, `FIELDS(STANDARD)` or `FIELDS(CUSTOM)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldGroup {
    All,
    Standard,
    Custom,
}

impl FieldGroup {
    pub fn parse(word: &str) -> Option<FieldGroup> {
        [
            ("ALL", FieldGroup::All),
            ("STANDARD", FieldGroup::Standard),
            ("CUSTOM", FieldGroup::Custom),
        ]
        .into_iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, g)| g)
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldGroup::All => "ALL",
            FieldGroup::Standard => "STANDARD",
            FieldGroup::Custom => "CUSTOM",
        }
    }
}

/// `TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeOf {
    pub relationship: Name,
    pub whens: Vec<(Name, Vec<FieldPath>)>,
    pub otherwise: Vec<FieldPath>,
    pub pos: Pos,
}

/// `Id IN (SELECT AccountId FROM Contact …)`, or `NOT IN` (an anti-join).
#[derive(Debug, Clone, PartialEq)]
pub struct SemiJoin {
    pub field: FieldPath,
    pub negated: bool,
    pub query: Box<Query>,
    pub pos: Pos,
}

/// `Interests__c INCLUDES ('Solar;Batteries', 'Heat Pumps')`, or EXCLUDES.
#[derive(Debug, Clone, PartialEq)]
pub struct Includes {
    pub field: FieldPath,
    pub excludes: bool,
    pub values: Vec<Literal>,
}

fn paths(list: &[FieldPath]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for TypeOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TYPEOF {}", self.relationship.text)?;
        for (object, fields) in &self.whens {
            write!(f, " WHEN {} THEN {}", object.text, paths(fields))?;
        }
        if !self.otherwise.is_empty() {
            write!(f, " ELSE {}", paths(&self.otherwise))?;
        }
        f.write_str(" END")
    }
}

impl fmt::Display for SemiJoin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        write!(f, "{} {not}IN ({})", self.field, self.query)
    }
}

impl fmt::Display for Includes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.excludes {
            "EXCLUDES"
        } else {
            "INCLUDES"
        };
        let list: Vec<String> = self.values.iter().map(ToString::to_string).collect();
        write!(f, "{} {op} ({})", self.field, list.join(", "))
    }
}

/// What a statement tells the org about its use: `FOR VIEW` marks the answered records as
/// viewed (what `/recent` lists); the others are accepted and change nothing here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    View,
    Reference,
    Tracking,
    Viewstat,
}

/// ` FOR VIEW, REFERENCE UPDATE TRACKING`, or nothing.
pub fn usage_text(usage: &[Usage]) -> String {
    let words = |wanted: &[(Usage, &'static str)]| -> Vec<&'static str> {
        usage
            .iter()
            .filter_map(|u| wanted.iter().find(|(w, _)| w == u).map(|(_, t)| *t))
            .collect()
    };
    let mut out = String::new();
    let fors = words(&[(Usage::View, "VIEW"), (Usage::Reference, "REFERENCE")]);
    if !fors.is_empty() {
        out.push_str(&format!(" FOR {}", fors.join(", ")));
    }
    let updates = words(&[(Usage::Tracking, "TRACKING"), (Usage::Viewstat, "VIEWSTAT")]);
    if !updates.is_empty() {
        out.push_str(&format!(" UPDATE {}", updates.join(", ")));
    }
    out
}
