//! The columns an object offers, read from its describe: each field once, a lookup as its
//! parent's name (`Owner.Name`, `Account.Name`) wherever the relationship gives one.

use std::collections::HashMap;

use crate::salesforce::{FieldDescribe, ObjectDescribe};

/// How a field's values are compared and written in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Record Ids: the Id field, and lookups without a name to show.
    Id,
    Boolean,
    Number,
    Date,
    DateTime,
    /// Compound or binary fields (address, location, base64, time): shown, never compared.
    Other,
}

impl FieldKind {
    pub fn of(describe_type: &str) -> FieldKind {
        match describe_type {
            "string" | "textarea" | "email" | "phone" | "url" | "picklist" | "multipicklist"
            | "combobox" | "encryptedstring" => FieldKind::Text,
            "id" | "reference" => FieldKind::Id,
            "boolean" => FieldKind::Boolean,
            "int" | "double" | "currency" | "percent" | "long" => FieldKind::Number,
            "date" => FieldKind::Date,
            "datetime" => FieldKind::DateTime,
            _ => FieldKind::Other,
        }
    }
}

/// One column a list may show.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// As selected: `Name`, `Owner.Name`.
    pub path: String,
    /// For the header: the field's label, a lookup's without its trailing "ID".
    pub label: String,
    /// The object's own field behind the column (`OwnerId` for `Owner.Name`).
    pub field: String,
    /// The describe's type of that field (`reference` for `Owner.Name`).
    pub describe_type: String,
    pub kind: FieldKind,
    pub sortable: bool,
    pub filterable: bool,
}

/// Every column of one object, in describe order, Id first.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub object: String,
    pub label: String,
    pub columns: Vec<Column>,
    /// The path of the field a record is known by (`Name`, `CaseNumber`).
    pub name_path: String,
}

/// Fields a list shows after the name, when the object has them, in this order.
const COMMON: &[&str] = &[
    "Account.Name",
    "Title",
    "Email",
    "Phone",
    "Company",
    "StageName",
    "Amount",
    "CloseDate",
    "Status",
    "Industry",
    "Type",
    "BillingCity",
    "Owner.Name",
];
/// Columns a new list shows at most.
const DEFAULT_COLUMNS: usize = 5;

impl Catalog {
    /// `object`'s columns. `parent_names` gives, per parent object, the field it is known by;
    /// a lookup to a parent missing there (not describable) shows as its Id.
    pub fn new(object: &ObjectDescribe, parent_names: &HashMap<String, String>) -> Catalog {
        let mut columns: Vec<Column> = object
            .fields
            .iter()
            .map(|f| column(f, parent_names))
            .collect();
        if let Some(at) = columns.iter().position(|c| c.path == "Id") {
            let id = columns.remove(at);
            columns.insert(0, id);
        }
        let name_path = object
            .fields
            .iter()
            .find(|f| f.flag("nameField"))
            .or_else(|| object.fields.iter().find(|f| f.name == "Name"))
            .map_or_else(|| "Id".to_string(), |f| f.name.clone());
        let label = object
            .other
            .get("label")
            .and_then(serde_json::Value::as_str)
            .unwrap_or(&object.name)
            .to_string();
        Catalog {
            object: object.name.clone(),
            label,
            columns,
            name_path,
        }
    }

    /// The column `name` means: its path or field name, case aside. A lookup named by its
    /// field (`OwnerId`) is its parent's name, as the list shows it.
    pub fn column(&self, name: &str) -> Option<&Column> {
        let name = name.trim();
        self.columns
            .iter()
            .find(|c| c.path.eq_ignore_ascii_case(name))
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|c| c.field.eq_ignore_ascii_case(name))
            })
    }

    /// What a new list shows: the name, then a few fields most lists of the object want.
    pub fn default_columns(&self) -> Vec<String> {
        let mut chosen = vec![self.name_path.clone()];
        for path in COMMON {
            if chosen.len() >= DEFAULT_COLUMNS {
                break;
            }
            if let Some(column) = self.columns.iter().find(|c| c.path == *path)
                && !chosen.contains(&column.path)
            {
                chosen.push(column.path.clone());
            }
        }
        chosen
    }

    /// The parent objects whose name field the columns need: one describe each.
    pub fn parents(object: &ObjectDescribe) -> Vec<String> {
        let mut parents: Vec<String> = object
            .fields
            .iter()
            .filter(|f| f.field_type == "reference" && relationship(f).is_some())
            .flat_map(|f| f.reference_to.iter().cloned())
            .collect();
        parents.sort();
        parents.dedup();
        parents
    }
}

fn relationship(field: &FieldDescribe) -> Option<&str> {
    field
        .other
        .get("relationshipName")
        .and_then(serde_json::Value::as_str)
        .filter(|r| !r.is_empty())
}

fn column(field: &FieldDescribe, parent_names: &HashMap<String, String>) -> Column {
    let sortable = field.flag("sortable");
    let filterable = field.flag("filterable");
    let base = Column {
        path: field.name.clone(),
        label: field.label.clone(),
        field: field.name.clone(),
        describe_type: field.field_type.clone(),
        kind: FieldKind::of(&field.field_type),
        sortable,
        filterable,
    };
    if field.field_type != "reference" {
        return base;
    }
    let Some(relationship) = relationship(field) else {
        return base;
    };
    // A lookup to several objects (Owner: User or Group) reaches their names through the
    // polymorphic Name, which every one of them answers.
    let name = match field.reference_to.as_slice() {
        [one] => parent_names.get(one).cloned(),
        [] => None,
        _ => Some("Name".to_string()),
    };
    let Some(name) = name else {
        return base;
    };
    let label = field
        .label
        .strip_suffix(" ID")
        .unwrap_or(&field.label)
        .to_string();
    Column {
        path: format!("{relationship}.{name}"),
        label,
        kind: FieldKind::Text,
        ..base
    }
}

/// The field a describe says a record is known by, or `Name` when it names none.
pub fn name_field(object: &ObjectDescribe) -> Option<String> {
    object
        .fields
        .iter()
        .find(|f| f.flag("nameField"))
        .or_else(|| object.fields.iter().find(|f| f.name == "Name"))
        .map(|f| f.name.clone())
}
