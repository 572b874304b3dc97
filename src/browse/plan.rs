//! One list as asked for (object, columns, sort, filters, search) and the statement of each of
//! its pages.

use serde_json::{Map, Value};

use super::catalog::{Catalog, Column, FieldKind};
use super::filter::Filter;
use super::keyset::{self, Key};
use super::{BrowseError, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The sort column and its direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub path: String,
    pub descending: bool,
}

/// A list as the window or the command line asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSpec {
    pub object: String,
    /// Column paths or field names; empty for the object's default columns.
    pub columns: Vec<String>,
    /// `None`: by the name column, going up.
    pub sort: Option<Sort>,
    pub filters: Vec<Filter>,
    /// SOSL search text; blank for none.
    pub search: String,
    pub page_size: usize,
}

impl ListSpec {
    pub fn new(object: &str) -> ListSpec {
        ListSpec {
            object: object.to_string(),
            columns: Vec::new(),
            sort: None,
            filters: Vec::new(),
            search: String::new(),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// A list checked against its object's catalog: what each page's statement is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPlan {
    pub object: String,
    pub columns: Vec<Column>,
    pub sort: Sort,
    sort_kind: FieldKind,
    /// SOQL conditions, all of which hold.
    conditions: Vec<String>,
    /// SOSL search text, escaped; `None` for a plain list.
    search: Option<String>,
    pub page_size: usize,
}

/// One row of a page: the record's Id and one text per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub cells: Vec<String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<Row>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Key>,
    /// The statement sent, for the person who wants to run it elsewhere.
    pub statement: String,
}

impl ListPlan {
    pub fn new(spec: &ListSpec, catalog: &Catalog) -> Result<ListPlan, BrowseError> {
        if spec.page_size == 0 || spec.page_size > MAX_PAGE_SIZE {
            return Err(BrowseError::PageSize(spec.page_size));
        }
        let unknown = |field: &str| BrowseError::UnknownField {
            object: catalog.object.clone(),
            field: field.to_string(),
        };
        let names = if spec.columns.is_empty() {
            catalog.default_columns()
        } else {
            spec.columns.clone()
        };
        let mut columns: Vec<Column> = Vec::new();
        for name in &names {
            let column = catalog.column(name).ok_or_else(|| unknown(name))?;
            if !columns.iter().any(|c| c.path == column.path) {
                columns.push(column.clone());
            }
        }
        let sort = spec.sort.clone().unwrap_or_else(|| Sort {
            path: catalog.name_path.clone(),
            descending: false,
        });
        let sort_column = catalog
            .column(&sort.path)
            .ok_or_else(|| unknown(&sort.path))?;
        if !sort_column.sortable || matches!(sort_column.kind, FieldKind::Other) {
            return Err(BrowseError::NotSortable {
                field: sort_column.label.clone(),
                kind: sort_column.describe_type.clone(),
            });
        }
        let conditions = spec
            .filters
            .iter()
            .map(|f| f.condition(catalog))
            .collect::<Result<Vec<_>, _>>()?;
        let search = match spec.search.trim() {
            "" => None,
            text => Some(search_text(text)?),
        };
        Ok(ListPlan {
            object: catalog.object.clone(),
            columns,
            sort: Sort {
                path: sort_column.path.clone(),
                descending: sort.descending,
            },
            sort_kind: sort_column.kind,
            conditions,
            search,
            page_size: spec.page_size,
        })
    }

    /// The field list: Id, the columns, and the sort column when it is not shown.
    fn fields(&self) -> String {
        let mut fields = vec!["Id".to_string()];
        for path in self
            .columns
            .iter()
            .map(|c| &c.path)
            .chain(std::iter::once(&self.sort.path))
        {
            if !fields.iter().any(|f| f.eq_ignore_ascii_case(path)) {
                fields.push(path.clone());
            }
        }
        fields.join(", ")
    }

    /// WHERE, ORDER BY and LIMIT of the page after `after`; one row more than a page, which
    /// tells whether another page follows without asking again.
    fn clauses(&self, after: Option<&Key>) -> String {
        let mut conditions = self.conditions.clone();
        if let Some(key) = after {
            let sort = &self.sort;
            match keyset::after(&sort.path, self.sort_kind, sort.descending, key) {
                Some(condition) => conditions.push(condition),
                // A key that cannot be written (never from a page this plan read) ends the list.
                None => conditions.push("Id = null".to_string()),
            }
        }
        let mut clauses = String::new();
        if !conditions.is_empty() {
            let joined = conditions
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" AND ");
            clauses.push_str(&format!("WHERE {joined} "));
        }
        clauses.push_str(&keyset::order_by(&self.sort.path, self.sort.descending));
        clauses.push_str(&format!(" LIMIT {}", self.page_size + 1));
        clauses
    }

    /// The statement of the page after `after` (the first page without): SOQL for a list,
    /// SOSL when it searches.
    pub fn statement(&self, after: Option<&Key>) -> String {
        match &self.search {
            None => format!(
                "SELECT {} FROM {} {}",
                self.fields(),
                self.object,
                self.clauses(after)
            ),
            Some(text) => format!(
                "FIND {{{text}}} IN ALL FIELDS RETURNING {}({} {})",
                self.object,
                self.fields(),
                self.clauses(after)
            ),
        }
    }

    pub fn is_search(&self) -> bool {
        self.search.is_some()
    }

    /// The page the org answered with `records`, which asked for one row more than a page.
    pub fn page(&self, records: &[Map<String, Value>], statement: String) -> Page {
        let shown = &records[..records.len().min(self.page_size)];
        let rows: Vec<Row> = shown
            .iter()
            .map(|record| Row {
                id: text(value_at(record, "Id")),
                cells: self
                    .columns
                    .iter()
                    .map(|c| text(value_at(record, &c.path)))
                    .collect(),
            })
            .collect();
        let next = match shown.last() {
            Some(last) if records.len() > self.page_size => Some(Key {
                value: value_at(last, &self.sort.path).clone(),
                id: text(value_at(last, "Id")),
            }),
            _ => None,
        };
        Page {
            rows,
            next,
            statement,
        }
    }
}

/// The value at `Owner.Name` in a record as the REST API nests it; null when a parent on the
/// way is empty.
pub fn value_at<'a>(record: &'a Map<String, Value>, path: &str) -> &'a Value {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default();
    let mut value = record
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(first))
        .map_or(&Value::Null, |(_, v)| v);
    for part in parts {
        value = match value {
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(part))
                .map_or(&Value::Null, |(_, v)| v),
            _ => &Value::Null,
        };
    }
    value
}

/// A value as a cell shows it.
pub fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The characters SOSL reads as operators, escaped so the text is searched for as typed.
const SOSL_RESERVED: &[char] = &[
    '?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-',
];

fn search_text(text: &str) -> Result<String, BrowseError> {
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Err(BrowseError::SearchTooShort {
            text: text.to_string(),
        });
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if SOSL_RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}
