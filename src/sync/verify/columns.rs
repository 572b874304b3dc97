//! Which local column types give back every value of a Salesforce field as it was written.
//!
//! SQLite converts a value to its column's affinity on the way in: `007` in an INTEGER column
//! comes back as 7, `1.50` in a NUMERIC one as 1.5, an 18-digit number in a REAL one rounded.
//! A column that rewrites values makes the next run see an edit nobody made, so the link is
//! refused (by Verify and by the engine) until the column can hold the field.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::describe::Affinity;
use crate::salesforce::FieldDescribe;
use crate::sync::plan::Direction;

/// A REAL holds every whole number of up to 15 digits exactly.
const REAL_DIGITS: u32 = 15;
/// An INTEGER holds every whole number of up to 18 digits.
const INTEGER_DIGITS: u32 = 18;

/// A mapped column that cannot hold its field's values, and what to declare instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfit {
    pub column: String,
    pub declared: String,
    pub field: String,
    pub field_type: String,
    /// The column type to use instead.
    pub use_type: &'static str,
}

impl Unfit {
    pub fn message(&self) -> String {
        format!(
            "the local column `{}` is declared {}, which cannot hold every value of `{}` ({}) as written: SQLite would store some of them changed (e.g. {}), and the next run would send the change to Salesforce",
            self.column,
            self.declared_shown(),
            self.field,
            self.field_type,
            example(&self.field_type),
        )
    }

    /// What to do; for a table Tether created (`ours`), the command that does it.
    pub fn fix(&self, link: &str, ours: bool) -> String {
        if ours {
            return format!(
                "run `tether link verify {link} --fix`, which declares `{}` as {} and copies the rows over (Tether created this table), or map `{}` to a {} column",
                self.column, self.use_type, self.field, self.use_type
            );
        }
        format!(
            "declare `{}` as {} (SQLite cannot change a column's type in place: create the table again with `{}` {}, copy the rows over, and rename it), or map `{}` to a {} column",
            self.column, self.use_type, self.column, self.use_type, self.field, self.use_type
        )
    }

    fn declared_shown(&self) -> &str {
        if self.declared.is_empty() {
            "without a type"
        } else {
            &self.declared
        }
    }
}

fn example(field_type: &str) -> &'static str {
    match field_type {
        "double" | "currency" | "percent" | "int" | "long" => {
            "a number of more than 15 digits rounded"
        }
        _ => "`007` as 7, `1.50` as 1.5",
    }
}

/// Digits a number field holds: `precision`, or `digits` for an `int`; 18 when neither says.
fn digits(field: &FieldDescribe) -> u32 {
    let attribute = |name: &str| {
        field
            .other
            .get(name)
            .and_then(serde_json::Value::as_u64)
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| *d > 0)
    };
    attribute("precision")
        .or_else(|| attribute("digits"))
        .unwrap_or(INTEGER_DIGITS)
}

fn scale(field: &FieldDescribe) -> u32 {
    field
        .other
        .get("scale")
        .and_then(serde_json::Value::as_u64)
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(0)
}

/// Whether a column whose declared type has `affinity` gives back every value of `field`
/// (that `pulls` writes into it).
pub(super) fn holds(field: &FieldDescribe, affinity: Affinity, pulls: bool) -> bool {
    match affinity {
        Affinity::Text | Affinity::Blob => true,
        Affinity::Integer | Affinity::Numeric | Affinity::Real => {
            match field.field_type.as_str() {
                // 1.0 reads back as a ticked box; dates and times never look like numbers.
                "boolean" | "date" | "datetime" | "time" => true,
                // Whole numbers stay integers in INTEGER and NUMERIC columns; a REAL column
                // rounds those past 15 digits. A fraction becomes a REAL in all three, which
                // keeps 15 significant digits of the 18 a field may have; a column that only
                // sends holds doubles, which Salesforce keeps as they are.
                "double" | "currency" | "percent" | "int" | "long" => match scale(field) {
                    0 if affinity == Affinity::Real => digits(field) <= REAL_DIGITS,
                    0 => digits(field) <= INTEGER_DIGITS,
                    _ => !pulls || digits(field) <= REAL_DIGITS,
                },
                _ => false,
            }
        }
    }
}

/// The column type to declare for `field` when the one it has cannot hold it.
fn use_type(field: &FieldDescribe) -> &'static str {
    match field.field_type.as_str() {
        "double" | "currency" | "percent" | "int" | "long"
            if scale(field) == 0 || digits(field) <= REAL_DIGITS =>
        {
            "NUMERIC"
        }
        _ => "TEXT",
    }
}

/// The column type a new table declares for `field`: one that gives back every value, as
/// verify judges it. Whole numbers are INTEGER, other numbers NUMERIC, or TEXT when a double
/// would round them; ticked boxes are INTEGER 0/1; dates and times are ISO text.
pub fn type_for_new_column(field: &FieldDescribe) -> &'static str {
    match field.field_type.as_str() {
        "boolean" => "INTEGER",
        "int" | "long" | "double" | "currency" | "percent"
            if scale(field) == 0 && holds(field, Affinity::Integer, true) =>
        {
            "INTEGER"
        }
        "int" | "long" | "double" | "currency" | "percent" => use_type(field),
        _ => "TEXT",
    }
}

/// Whether `declared` (a column's declared type) holds `field`; `None` when it does.
pub fn unfit(
    field: &FieldDescribe,
    column: &str,
    declared: &str,
    direction: Direction,
) -> Option<Unfit> {
    let pulls = direction != Direction::Push;
    (!holds(field, Affinity::of_declared(declared), pulls)).then(|| Unfit {
        column: column.to_string(),
        declared: declared.to_string(),
        field: field.name.clone(),
        field_type: field.field_type.clone(),
        use_type: use_type(field),
    })
}

/// Declared types of a table's columns; empty when the table does not exist.
pub fn declared_types(conn: &Connection, table: &str) -> BTreeMap<String, String> {
    let Ok(mut stmt) = conn.prepare("SELECT name, type FROM pragma_table_info(?1)") else {
        return BTreeMap::new();
    };
    let Ok(rows) = stmt.query_map([table], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    }) else {
        return BTreeMap::new();
    };
    rows.flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a column declared `declared` holds values of a field of `field_type` with
    /// `precision` and `scale`: the table the README lists.
    fn accepts(field_type: &str, precision: u32, scale: u32, declared: &str) -> bool {
        let mut other = serde_json::Map::new();
        other.insert("precision".into(), precision.into());
        other.insert("scale".into(), scale.into());
        let field = FieldDescribe {
            name: String::new(),
            field_type: field_type.to_string(),
            label: String::new(),
            length: 0,
            nillable: true,
            updateable: true,
            external_id: false,
            reference_to: Vec::new(),
            other,
        };
        holds(&field, Affinity::of_declared(declared), true)
    }

    #[test]
    fn text_fields_need_a_column_that_keeps_text() {
        for declared in ["TEXT", "VARCHAR(40)", "", "BLOB"] {
            assert!(accepts("phone", 0, 0, declared), "{declared}");
        }
        for declared in ["INTEGER", "REAL", "NUMERIC", "DECIMAL(10,2)", "DOUBLE"] {
            assert!(!accepts("phone", 0, 0, declared), "{declared}");
            assert!(!accepts("id", 0, 0, declared), "{declared}");
        }
    }

    #[test]
    fn numbers_need_a_column_that_keeps_their_digits() {
        assert!(accepts("double", 18, 0, "INTEGER"));
        assert!(accepts("currency", 18, 0, "NUMERIC"));
        assert!(!accepts("currency", 18, 0, "REAL"));
        assert!(accepts("double", 15, 0, "REAL"));
        assert!(accepts("currency", 16, 2, "TEXT"));
        assert!(!accepts("currency", 16, 2, "NUMERIC"));
        assert!(!accepts("currency", 18, 2, "REAL"));
        assert!(accepts("currency", 15, 2, "REAL"));
        let mut field = FieldDescribe {
            name: String::new(),
            field_type: "currency".into(),
            label: String::new(),
            length: 0,
            nillable: true,
            updateable: true,
            external_id: false,
            reference_to: Vec::new(),
            other: serde_json::Map::new(),
        };
        field.other.insert("precision".into(), 18.into());
        field.other.insert("scale".into(), 2.into());
        assert!(unfit(&field, "c", "REAL", Direction::Push).is_none());
        let refused = unfit(&field, "c", "NUMERIC", Direction::Both).expect("refused");
        assert_eq!(refused.use_type, "TEXT");
        assert!(!accepts("double", 19, 0, "INTEGER"));
        assert!(accepts("percent", 5, 2, "NUMERIC"));
        assert!(accepts("boolean", 0, 0, "INTEGER"));
        assert!(accepts("date", 0, 0, "DATE"));
    }
}
