//! `FORMAT(MIN(CloseDate)) Amt` and `toLabel(Type)` on a grouped picklist: an
//! AggregateResult value written as the user reads it.

use super::{Rows, Slot};
use crate::error::SfError;
use crate::schema::FieldType;
use crate::soql::display::Display;
use crate::soql::error::{invalid_field, malformed};
use crate::soql::functions::{AggregateFunction, Call, Function, Term};
use crate::soql::plan::{Resolver, label_pairs};

impl Resolver<'_> {
    /// The slot FORMAT reads (an aggregate or a grouped field) and how it is written.
    pub(super) fn display_slot(
        &self,
        call: &Call,
        rows: &mut Rows,
    ) -> Result<(Slot, Display), SfError> {
        if let (Function::ToLabel, Some(Term::Field(written))) = (call.function, &call.argument) {
            let path = self.path(written)?;
            if path.kind != FieldType::Picklist {
                return Err(invalid_field(
                    self.source,
                    call.pos,
                    format!(
                        "toLabel() can only be used with picklist fields: {}",
                        path.field
                    ),
                ));
            }
            let slot = self.field_slot(written, rows)?;
            return Ok((slot, Display::Label(label_pairs(self.field_def(&path)))));
        }
        if call.function != Function::Format {
            return Err(malformed(
                self.source,
                call.pos,
                format!("unexpected token: {}", call.function.name()),
            ));
        }
        let (slot, path) = match &call.argument {
            Some(Term::Call(inner)) if inner.function.is_aggregate() => {
                let slot = self.call_slot(inner, rows)?;
                let path = match &inner.argument {
                    Some(Term::Field(written)) => Some(self.path(written)?),
                    _ => None,
                };
                (slot, path)
            }
            Some(Term::Field(written)) => {
                (self.field_slot(written, rows)?, Some(self.path(written)?))
            }
            _ => {
                return Err(malformed(
                    self.source,
                    call.pos,
                    format!("unexpected token: {}", call.function.name()),
                ));
            }
        };
        let kind = rows.kind(slot);
        if !Display::formats(kind) {
            return Err(invalid_field(
                self.source,
                call.pos,
                format!(
                    "FORMAT() can only be used with number, currency, percent, date, time and dateTime fields: {}",
                    path.as_ref().map(|p| p.field.as_str()).unwrap_or("COUNT()")
                ),
            ));
        }
        let counted = matches!(
            call.argument,
            Some(Term::Call(ref inner)) if matches!(
                inner.function,
                Function::Aggregate(AggregateFunction::Count | AggregateFunction::CountDistinct)
            )
        );
        let scale = match &path {
            Some(path) if !counted => self.field_def(path).map(|f| f.scale).unwrap_or(0),
            _ => 0,
        };
        Ok((slot, Display::Format { kind, scale }))
    }
}
