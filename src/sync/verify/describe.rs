//! What verification needs to know about a describe field and a local column.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::salesforce::FieldDescribe;

/// SQLite's type affinity of a declared column type (the rules of "Datatypes In SQLite" §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Affinity {
    Integer,
    Text,
    Real,
    Numeric,
    /// No declared type: any value goes, so nothing is checked.
    Blob,
}

impl Affinity {
    pub(super) fn of_declared(declared: &str) -> Affinity {
        let t = declared.to_ascii_uppercase();
        if t.contains("INT") {
            Affinity::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Affinity::Text
        } else if t.is_empty() || t.contains("BLOB") {
            Affinity::Blob
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }
}

/// The table's columns and their affinities; empty when the table does not exist.
pub(super) fn local_columns(conn: &Connection, table: &str) -> BTreeMap<String, Affinity> {
    let Ok(mut stmt) = conn.prepare("SELECT name, type FROM pragma_table_info(?1)") else {
        return BTreeMap::new();
    };
    let Ok(rows) = stmt.query_map([table], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    }) else {
        return BTreeMap::new();
    };
    rows.flatten()
        .map(|(name, declared)| (name, Affinity::of_declared(&declared)))
        .collect()
}

/// The parts of a describe field that decide what a link may do with it.
#[derive(Debug, Clone)]
pub(super) struct FieldFacts {
    pub field_type: String,
    pub length: u32,
    pub createable: bool,
    pub updateable: bool,
    pub nillable: bool,
    pub defaulted_on_create: bool,
    pub restricted_picklist: bool,
    pub active_picklist_values: Vec<String>,
    /// A custom field whose value people type (not a formula, roll-up or auto number).
    pub custom_input: bool,
}

impl FieldFacts {
    pub(super) fn of(field: &FieldDescribe) -> FieldFacts {
        let active_picklist_values = field.active_picklist_values();
        FieldFacts {
            field_type: field.field_type.clone(),
            length: field.length,
            createable: field.flag("createable"),
            updateable: field.updateable,
            nillable: field.nillable,
            defaulted_on_create: field.flag("defaultedOnCreate"),
            restricted_picklist: field.flag("restrictedPicklist"),
            active_picklist_values,
            custom_input: field.name.to_ascii_lowercase().ends_with("__c")
                && !field.flag("calculated")
                && !field.flag("autoNumber"),
        }
    }

    /// Readable but neither createable nor updateable though people type its values: only
    /// field-level security makes a custom input field so.
    pub(super) fn read_only_by_security(&self) -> bool {
        self.custom_input && !self.createable && !self.updateable
    }

    /// Salesforce's rule for a field an insert must set.
    pub(super) fn required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create
    }

    /// Compound and binary fields have no single value to sync.
    pub(super) fn unsyncable(&self) -> bool {
        matches!(
            self.field_type.as_str(),
            "address" | "location" | "base64" | "complexvalue"
        )
    }

    /// Text-valued types whose `length` Salesforce enforces.
    pub(super) fn has_length(&self) -> bool {
        self.length > 0
            && matches!(
                self.field_type.as_str(),
                "string"
                    | "textarea"
                    | "email"
                    | "phone"
                    | "url"
                    | "picklist"
                    | "multipicklist"
                    | "encryptedstring"
                    | "combobox"
            )
    }

    pub(super) fn is_restricted_picklist(&self) -> bool {
        self.restricted_picklist && matches!(self.field_type.as_str(), "picklist" | "multipicklist")
    }
}
