//! One user's view of the schema: the fields field-level security hides from it removed, the
//! fields it may read but not edit neither createable nor updateable, and each object's
//! create, edit and delete flags narrowed to the user's object permissions.

use serde_json::json;

use super::{ObjectSchema, Schema};

impl Schema {
    /// This schema as one user sees it: `access` says, per object and custom field, what the
    /// user may do; fields it hides are gone, fields it leaves read-only are neither
    /// createable nor updateable, and objects follow its create, edit and delete rights.
    pub fn restricted(&self, access: &dyn SchemaAccess) -> Schema {
        let mut view = self.clone();
        for object in &mut view.objects {
            object.restrict(access);
        }
        view
    }
}

/// What one user may do with the org's objects and custom fields.
pub trait SchemaAccess {
    /// `(create, edit, delete)` on `object`.
    fn object_rights(&self, object: &str) -> (bool, bool, bool);
    /// `(read, edit)` on a custom field `object.field`.
    fn field_rights(&self, object: &str, field: &str) -> (bool, bool);
}

/// Whether field-level security governs a field: custom fields only.
pub fn is_secured_field(name: &str) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case("__c")
}

impl ObjectSchema {
    fn restrict(&mut self, access: &dyn SchemaAccess) {
        let (create, edit, delete) = access.object_rights(&self.name);
        for (flag, allowed) in [
            ("createable", create),
            ("updateable", edit),
            ("deletable", delete),
        ] {
            let narrowed = self.describe[flag] == true && !allowed;
            if narrowed {
                self.describe[flag] = json!(false);
                self.global_entry[flag] = json!(false);
            }
        }
        self.createable &= create;
        self.updateable &= edit;
        self.deletable &= delete;
        let name = self.name.clone();
        let rights = |field: &str| {
            if is_secured_field(field) {
                access.field_rights(&name, field)
            } else {
                (true, true)
            }
        };
        if !self.fields.iter().any(|f| rights(&f.name) != (true, true)) {
            return;
        }
        self.fields.retain(|f| rights(&f.name).0);
        for f in &mut self.fields {
            if !rights(&f.name).1 {
                f.createable = false;
                f.updateable = false;
            }
        }
        if let Some(fields) = self.describe["fields"].as_array_mut() {
            fields.retain(|f| rights(f["name"].as_str().unwrap_or_default()).0);
            for f in fields.iter_mut() {
                if !rights(f["name"].as_str().unwrap_or_default()).1 {
                    f["createable"] = json!(false);
                    f["updateable"] = json!(false);
                }
            }
        }
        self.field_index.clear();
        self.relationship_index.clear();
        for (i, f) in self.fields.iter().enumerate() {
            self.field_index.insert(f.name.to_ascii_lowercase(), i);
            if let Some(rel) = &f.relationship_name {
                self.relationship_index.insert(rel.to_ascii_lowercase(), i);
            }
        }
    }
}
