//! HAVING: conditions on the grouped fields and aggregates of each result row.

use super::{RowFilter, Rows, written_at};
use crate::error::SfError;
use crate::soql::ast::{self, Condition, LiteralValue};
use crate::soql::plan::{ResolvedPath, Resolver, like_pattern};

impl Resolver<'_> {
    pub(super) fn row_filter(
        &self,
        condition: &Condition,
        rows: &mut Rows,
    ) -> Result<RowFilter, SfError> {
        let all = |parts: &[Condition], rows: &mut Rows| {
            parts
                .iter()
                .map(|p| self.row_filter(p, rows))
                .collect::<Result<Vec<_>, _>>()
        };
        let (slot, written) = match condition {
            Condition::And(parts) => return Ok(RowFilter::And(all(parts, rows)?)),
            Condition::Or(parts) => return Ok(RowFilter::Or(all(parts, rows)?)),
            Condition::Not(inner) => {
                return Ok(RowFilter::Not(Box::new(self.row_filter(inner, rows)?)));
            }
            Condition::Compare { field, .. }
            | Condition::In { field, .. }
            | Condition::Like { field, .. } => (self.field_slot(field, rows)?, field.clone()),
            Condition::Call { call, .. } | Condition::CallIn { call, .. } => {
                let written = call
                    .field()
                    .cloned()
                    .unwrap_or_else(|| written_at(call.function.name(), call.pos));
                (self.call_slot(call, rows)?, written)
            }
            Condition::SemiJoin(_) | Condition::Includes(_) => {
                return Err(SfError::new(
                    "MALFORMED_QUERY",
                    "HAVING takes conditions on grouped fields and aggregate functions, not semi-joins or INCLUDES/EXCLUDES",
                ));
            }
        };
        let kind = rows.kind(slot);
        let typed = ResolvedPath {
            hops: Vec::new(),
            field: written
                .parts
                .last()
                .map(|n| n.text.clone())
                .unwrap_or_default(),
            kind,
            filterable: true,
            sortable: true,
            function: None,
        };
        let operand = |literal: &ast::Literal| self.operand(&written, &typed, literal);
        Ok(match condition {
            Condition::Compare { op, value, .. } | Condition::Call { op, value, .. } => {
                RowFilter::Compare {
                    slot,
                    kind,
                    op: *op,
                    operand: operand(value)?,
                }
            }
            Condition::In {
                negated, values, ..
            }
            | Condition::CallIn {
                negated, values, ..
            } => RowFilter::In {
                slot,
                kind,
                negated: *negated,
                operands: values.iter().map(operand).collect::<Result<_, _>>()?,
            },
            Condition::Like { pattern, .. } => {
                let LiteralValue::Text(text) = &pattern.value else {
                    return Err(self.not_grouped(pattern.pos, &typed.field));
                };
                RowFilter::Like {
                    slot,
                    pattern: like_pattern(text),
                }
            }
            _ => return Err(self.not_grouped(written.pos(), &typed.field)),
        })
    }
}
