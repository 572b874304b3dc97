//! Browsing an org's records: which columns an object offers (from describe), the SOQL and
//! SOSL of one page of a list, its filters checked against the fields' types, and keyset
//! paging. The window's Records page, `tether records list` and the benchmark share it; it
//! knows nothing of the window.
//!
//! A page is always one call. Pages follow each other by the sort key of the last row shown
//! (`WHERE (Sort > last OR (Sort = last AND Id > lastId)) ORDER BY Sort, Id LIMIT n`), never
//! by OFFSET, which Salesforce caps at 2,000 rows and which rereads every row skipped.

mod catalog;
mod fetch;
mod filter;
mod keyset;
mod plan;

pub use catalog::name_field;
pub use catalog::{Catalog, Column, FieldKind};
pub use fetch::{FetchError, catalog, fetch_page};
pub use filter::{Filter, Operator};
pub use keyset::{Key, Pager};
pub use plan::{ListPlan, ListSpec, Page, Row, Sort};

/// Rows a page shows unless asked otherwise.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Most rows a page may ask for: a query answers up to 2,000 records in one call.
pub const MAX_PAGE_SIZE: usize = 1_999;

/// Why a list cannot be asked for as given. Each says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowseError {
    #[error(
        "{object} has no field `{field}`; choose one of its fields (the column picker lists them)"
    )]
    UnknownField { object: String, field: String },
    #[error("{field} cannot be filtered in Salesforce ({kind}); filter on another field")]
    NotFilterable { field: String, kind: String },
    #[error("{field} cannot be sorted in Salesforce ({kind}); sort by another column")]
    NotSortable { field: String, kind: String },
    #[error(
        "the filter `{text}` is not `Field operator value`; write e.g. `Name = Acme`, `Amount >= 1000` or `Email like example.com`"
    )]
    FilterShape { text: String },
    #[error("`{operator}` is not an operator; use one of =, !=, <, <=, >, >=, like or starts")]
    UnknownOperator { operator: String },
    #[error("`{operator}` does not apply to {field} ({kind}); use {allowed}")]
    OperatorNotForField {
        field: String,
        kind: String,
        operator: String,
        allowed: String,
    },
    #[error("`{value}` is not a value of {field} ({kind}): {why}")]
    BadValue {
        field: String,
        kind: String,
        value: String,
        why: String,
    },
    #[error("search for at least 2 letters or digits; `{text}` has fewer")]
    SearchTooShort { text: String },
    #[error("a page shows 1 to {MAX_PAGE_SIZE} rows, not {0}")]
    PageSize(usize),
}
