//! Who may see and change what: a user's grants, read from the org's own setup records
//! (`PermissionSetAssignment`, `PermissionSet`, `ObjectPermissions`, `FieldPermissions` and
//! `User.ProfileId`), kept per user until any of those records is written, and the view of
//! the schema they give the user (fields it cannot read gone, fields it cannot edit neither
//! createable nor updateable).

mod rules;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::schema::{Schema, SchemaAccess};
use crate::store::Record;

pub use rules::{WriteOp, check_write};

/// The objects whose records hold grants: a write to any of them changes someone's access.
pub const GRANT_OBJECTS: [&str; 6] = [
    "Profile",
    "PermissionSet",
    "PermissionSetAssignment",
    "ObjectPermissions",
    "FieldPermissions",
    "User",
];

/// The objects only a user who may customise the org writes.
pub const PERMISSION_OBJECTS: [&str; 5] = [
    "Profile",
    "PermissionSet",
    "PermissionSetAssignment",
    "ObjectPermissions",
    "FieldPermissions",
];

/// Setup objects object permissions do not govern: their own describe flags rule them.
const SETUP_OBJECTS: [&str; 3] = ["Organization", "User", "RecordType"];

pub fn is_grant_object(object: &str) -> bool {
    GRANT_OBJECTS.iter().any(|o| o.eq_ignore_ascii_case(object))
}

pub fn is_permission_object(object: &str) -> bool {
    PERMISSION_OBJECTS
        .iter()
        .any(|o| o.eq_ignore_ascii_case(object))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectRights {
    pub read: bool,
    pub create: bool,
    pub edit: bool,
    pub delete: bool,
}

/// One user's grants: the OR of its permission sets.
#[derive(Debug, Default)]
pub struct Grants {
    /// The org acting for itself (setup, seeding): no user record or a user given no
    /// profile, no limits.
    pub unrestricted: bool,
    pub api_enabled: bool,
    pub customize_application: bool,
    pub modify_all_data: bool,
    pub view_all_data: bool,
    pub view_setup: bool,
    /// By lower-case object name.
    objects: HashMap<String, ObjectRights>,
    /// `(read, edit)` by lower-case `object.field`.
    fields: HashMap<String, (bool, bool)>,
}

impl Grants {
    fn unrestricted() -> Grants {
        Grants {
            unrestricted: true,
            ..Grants::default()
        }
    }

    /// Whether the user may create, update and delete the permission objects.
    pub fn may_customize(&self) -> bool {
        self.unrestricted || self.customize_application || self.modify_all_data
    }

    pub fn object(&self, object: &str) -> ObjectRights {
        if self.unrestricted || SETUP_OBJECTS.iter().any(|o| o.eq_ignore_ascii_case(object)) {
            return ObjectRights {
                read: true,
                create: true,
                edit: true,
                delete: true,
            };
        }
        if is_permission_object(object) {
            let write = self.may_customize();
            return ObjectRights {
                read: true,
                create: write,
                edit: write,
                delete: write,
            };
        }
        let mut rights = self
            .objects
            .get(&object.to_ascii_lowercase())
            .copied()
            .unwrap_or_default();
        if self.modify_all_data {
            rights = ObjectRights {
                read: true,
                create: true,
                edit: true,
                delete: true,
            };
        } else if self.view_all_data {
            rights.read = true;
        }
        rights
    }

    /// `(read, edit)` on a custom field.
    pub fn field(&self, object: &str, field: &str) -> (bool, bool) {
        if self.unrestricted {
            return (true, true);
        }
        self.fields
            .get(&format!("{object}.{field}").to_ascii_lowercase())
            .copied()
            .unwrap_or((false, false))
    }

    /// Reads the grants of `user_id` from the setup records `records` answers (every live
    /// record of an object).
    pub fn load(user_id: &str, records: &dyn Fn(&str) -> Vec<Record>) -> Grants {
        let text = |r: &Record, k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
        let flag = |r: &Record, k: &str| r.get(k) == Some(&Value::Bool(true));
        let Some(user) = records("User")
            .into_iter()
            .find(|u| text(u, "Id").as_deref() == Some(user_id))
        else {
            return Grants::unrestricted();
        };
        let profile = text(&user, "ProfileId");
        let mut sets: Vec<String> = records("PermissionSetAssignment")
            .iter()
            .filter(|a| text(a, "AssigneeId").as_deref() == Some(user_id))
            .filter_map(|a| text(a, "PermissionSetId"))
            .collect();
        // The org's own users (the demo data's sales reps) sign in nowhere and act for it.
        if profile.is_none() && sets.is_empty() {
            return Grants::unrestricted();
        }
        let mut grants = Grants::default();
        for set in records("PermissionSet") {
            let id = text(&set, "Id").unwrap_or_default();
            let owned_by_profile = profile.is_some() && text(&set, "ProfileId") == profile;
            if !(owned_by_profile || sets.contains(&id)) {
                continue;
            }
            sets.push(id);
            grants.api_enabled |= flag(&set, "PermissionsApiEnabled");
            grants.customize_application |= flag(&set, "PermissionsCustomizeApplication");
            grants.modify_all_data |= flag(&set, "PermissionsModifyAllData");
            grants.view_all_data |= flag(&set, "PermissionsViewAllData");
            grants.view_setup |= flag(&set, "PermissionsViewSetup");
        }
        let mine = |r: &Record| text(r, "ParentId").is_some_and(|p| sets.contains(&p));
        for perm in records("ObjectPermissions").iter().filter(|r| mine(r)) {
            let Some(object) = text(perm, "SobjectType") else {
                continue;
            };
            let rights = grants
                .objects
                .entry(object.to_ascii_lowercase())
                .or_default();
            let all = flag(perm, "PermissionsModifyAllRecords");
            rights.read |= flag(perm, "PermissionsRead") || all;
            rights.create |= flag(perm, "PermissionsCreate");
            rights.edit |= flag(perm, "PermissionsEdit") || all;
            rights.delete |= flag(perm, "PermissionsDelete") || all;
        }
        for perm in records("FieldPermissions").iter().filter(|r| mine(r)) {
            let Some(field) = text(perm, "Field") else {
                continue;
            };
            let edit = flag(perm, "PermissionsEdit");
            let rights = grants.fields.entry(field.to_ascii_lowercase()).or_default();
            rights.0 |= edit || flag(perm, "PermissionsRead");
            rights.1 |= edit;
        }
        grants
    }
}

impl SchemaAccess for Grants {
    fn object_rights(&self, object: &str) -> (bool, bool, bool) {
        let rights = self.object(object);
        (rights.create, rights.edit, rights.delete)
    }

    fn field_rights(&self, object: &str, field: &str) -> (bool, bool) {
        self.field(object, field)
    }
}

/// One user's view of the schema, with the org schema it was made from.
struct View {
    base: Arc<Schema>,
    view: Arc<Schema>,
}

/// Users' grants and schema views, kept until a grant record is written.
#[derive(Default)]
pub struct Access {
    grants: RwLock<HashMap<String, Arc<Grants>>>,
    views: RwLock<HashMap<String, View>>,
    /// Moves on every change of grants.
    generation: AtomicU64,
}

impl Access {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Forgets every user's grants and views: a grant record was written.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        write_lock(&self.grants).clear();
        write_lock(&self.views).clear();
    }

    /// The grants of `user_id`, loaded through `records` the first time they are asked for.
    pub fn grants(&self, user_id: &str, records: &dyn Fn(&str) -> Vec<Record>) -> Arc<Grants> {
        if user_id.is_empty() {
            return Arc::new(Grants::unrestricted());
        }
        if let Some(found) = read_lock(&self.grants).get(user_id) {
            return found.clone();
        }
        let generation = self.generation();
        let grants = Arc::new(Grants::load(user_id, records));
        // Grants read while a grant record was being written may be stale: used, not kept.
        let mut kept = write_lock(&self.grants);
        if self.generation() == generation {
            kept.insert(user_id.to_string(), grants.clone());
        }
        grants
    }

    /// `schema` as `user_id` sees it, made once per user and schema.
    pub fn schema_for(
        &self,
        schema: Arc<Schema>,
        user_id: &str,
        records: &dyn Fn(&str) -> Vec<Record>,
    ) -> Arc<Schema> {
        if let Some(kept) = read_lock(&self.views).get(user_id)
            && Arc::ptr_eq(&kept.base, &schema)
        {
            return kept.view.clone();
        }
        let generation = self.generation();
        let grants = self.grants(user_id, records);
        if grants.unrestricted {
            return schema;
        }
        let view = Arc::new(schema.restricted(&*grants));
        let mut kept = write_lock(&self.views);
        if self.generation() == generation {
            kept.insert(
                user_id.to_string(),
                View {
                    base: schema,
                    view: view.clone(),
                },
            );
        }
        view
    }
}

fn read_lock<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write_lock<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether `user_id` may customise the org (create fields, write the permission objects):
/// `PermissionsCustomizeApplication` or `PermissionsModifyAllData` in one of its permission sets.
pub fn may_customize(org: &crate::http::Org, user_id: &str) -> bool {
    org.store.grants(user_id).may_customize()
}

#[cfg(test)]
mod tests;
