//! Planning `toLabel(f)` and `FORMAT(f)` in the select list, and `toLabel(f)` in WHERE.

use super::{Column, Filter, Operand, ResolvedPath, Resolver};
use crate::error::SfError;
use crate::schema::{FieldDef, FieldType};
use crate::soql::ast::{CompareOp, Condition, FieldPath, Literal, LiteralValue};
use crate::soql::display::{Display, values_labelled};
use crate::soql::error::{invalid_field, malformed};
use crate::soql::functions::{Call, Function, Term};

impl Column {
    /// A field selected as it is stored.
    pub fn plain(path: ResolvedPath) -> Column {
        Column {
            path,
            display: None,
            alias: None,
        }
    }

    /// The name the answer uses: the alias, else the dotted path.
    pub fn key(&self) -> String {
        self.alias.clone().unwrap_or_else(|| self.path.dotted())
    }
}

impl Resolver<'_> {
    /// `toLabel(Type)` or `FORMAT(Amount) amt` in a select list without aggregates.
    pub(in crate::soql) fn display_column(&self, call: &Call) -> Result<Column, SfError> {
        let written = self.display_argument(call)?;
        let path = self.path(written)?;
        let field = self.field_def(&path);
        let display = match call.function {
            Function::ToLabel => {
                if !Display::labels(path.kind) {
                    return Err(invalid_field(
                        self.source,
                        call.pos,
                        format!(
                            "toLabel() can only be used with picklist fields: {}",
                            path.field
                        ),
                    ));
                }
                Display::Label(label_pairs(field))
            }
            _ => {
                if !Display::formats(path.kind) {
                    return Err(invalid_field(
                        self.source,
                        call.pos,
                        format!(
                            "FORMAT() can only be used with number, currency, percent, date, time and dateTime fields: {}",
                            path.field
                        ),
                    ));
                }
                Display::Format {
                    kind: path.kind,
                    scale: field.map(|f| f.scale).unwrap_or(0),
                }
            }
        };
        Ok(Column {
            path,
            display: Some(display),
            alias: call.alias.as_ref().map(|a| a.text.clone()),
        })
    }

    fn display_argument<'c>(&self, call: &'c Call) -> Result<&'c FieldPath, SfError> {
        match &call.argument {
            Some(Term::Field(written)) => Ok(written),
            Some(Term::Call(inner)) => Err(malformed(
                self.source,
                inner.pos,
                format!("unexpected token: {}", inner.function.name()),
            )),
            None => Err(malformed(
                self.source,
                call.pos,
                format!("unexpected token: {}", call.function.name()),
            )),
        }
    }

    /// The describe entry of the field a path ends at.
    pub(in crate::soql) fn field_def(&self, path: &ResolvedPath) -> Option<&FieldDef> {
        let object = match path.hops.last() {
            None => self.root,
            Some(hop) => {
                let (_, name) = hop.targets.first()?;
                self.schema.object(name)?
            }
        };
        object.field(&path.field)
    }

    /// `WHERE toLabel(Status) = 'Working'`: the literal is a label, compared as the values
    /// that carry it (a text no label matches is compared as a value).
    pub(in crate::soql) fn label_filter(&self, condition: &Condition) -> Result<Filter, SfError> {
        let (call, op, negated, literals): (&Call, Option<CompareOp>, bool, Vec<&Literal>) =
            match condition {
                Condition::Call { call, op, value } => (call, Some(*op), false, vec![value]),
                Condition::CallIn {
                    call,
                    negated,
                    values,
                } => (call, None, *negated, values.iter().collect()),
                _ => return Err(malformed(self.source, Default::default(), String::new())),
            };
        if call.function != Function::ToLabel {
            return Err(malformed(
                self.source,
                call.pos,
                format!("unexpected token: {}", call.function.name()),
            ));
        }
        let written = self.display_argument(call)?;
        let path = self.path(written)?;
        if !path.filterable || path.kind != FieldType::Picklist {
            return Err(invalid_field(
                self.source,
                call.pos,
                format!(
                    "toLabel() can only be used with picklist fields: {}",
                    path.field
                ),
            ));
        }
        let pairs = label_pairs(self.field_def(&path));
        let mut operands = Vec::new();
        for literal in &literals {
            match &literal.value {
                LiteralValue::Text(label) => {
                    let values = values_labelled(&pairs, label);
                    if values.is_empty() {
                        operands.push(self.operand(written, &path, literal)?);
                    }
                    operands.extend(values.iter().map(|v| Operand::Text(v.to_lowercase())));
                }
                _ => operands.push(self.operand(written, &path, literal)?),
            }
        }
        Ok(match op {
            Some(op @ (CompareOp::Eq | CompareOp::Ne)) => Filter::In {
                path,
                negated: op == CompareOp::Ne,
                operands,
            },
            Some(op) => Filter::Compare {
                operand: operands.into_iter().next().unwrap_or(Operand::Null),
                path,
                op,
            },
            None => Filter::In {
                path,
                negated,
                operands,
            },
        })
    }
}

/// The `(value, label)` pairs of a picklist field, in describe order.
pub(in crate::soql) fn label_pairs(field: Option<&FieldDef>) -> Vec<(String, String)> {
    field
        .map(|f| {
            f.picklist
                .iter()
                .map(|p| (p.value.clone(), p.label.clone()))
                .collect()
        })
        .unwrap_or_default()
}
