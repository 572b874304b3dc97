//! The org's profiles and their permission sets, each user's assignment, and the object and
//! field permissions a fresh org gives them: the admin everything, the Standard User read,
//! create, edit and delete, the Read Only user read.
//!
//! Objects and custom fields are granted once, the first time the org sees them in its schema
//! files; the data file remembers which, so that a grant a client deleted stays deleted and a
//! field created later through the Tooling API is never granted by the org itself.

use serde_json::{Map, Value, json};

use crate::access::is_permission_object;
use crate::config::{ADMIN_PROFILE, READ_ONLY_PROFILE, STANDARD_USER_PROFILE};
use crate::error::SfError;
use crate::schema::{Schema, is_secured_field};
use crate::store::{Record, Store, Writer};

const GRANTED_OBJECT: &str = "granted-object:";
const GRANTED_FIELD: &str = "granted-field:";

/// What a profile may do: `(name, customises the org, object rights)`.
#[derive(Clone, Copy)]
enum Role {
    Admin,
    Standard,
    ReadOnly,
}

impl Role {
    const ALL: [Role; 3] = [Role::Admin, Role::Standard, Role::ReadOnly];

    fn profile(self) -> &'static str {
        match self {
            Role::Admin => ADMIN_PROFILE,
            Role::Standard => STANDARD_USER_PROFILE,
            Role::ReadOnly => READ_ONLY_PROFILE,
        }
    }

    fn permissions(self) -> Value {
        let admin = matches!(self, Role::Admin);
        json!({
            "PermissionsApiEnabled": true,
            "PermissionsCustomizeApplication": admin,
            "PermissionsModifyAllData": admin,
            "PermissionsViewAllData": admin,
            "PermissionsViewSetup": admin,
        })
    }

    fn object_permissions(self) -> Value {
        let (write, all) = match self {
            Role::Admin => (true, true),
            Role::Standard => (true, false),
            Role::ReadOnly => (false, false),
        };
        json!({
            "PermissionsRead": true,
            "PermissionsCreate": write,
            "PermissionsEdit": write,
            "PermissionsDelete": write,
            "PermissionsViewAllRecords": all,
            "PermissionsModifyAllRecords": all,
        })
    }

    fn edits_fields(self) -> bool {
        !matches!(self, Role::ReadOnly)
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn text<'a>(record: &'a Record, key: &str) -> Option<&'a str> {
    record.get(key).and_then(Value::as_str)
}

/// Makes the three profiles, their permission sets and the grants of `schema` (the org's
/// schema files) exist, and gives each of `users` (`(user id, profile name)`) its profile
/// the first time the org sees the user.
pub fn ensure_permission_records(
    store: &Store,
    schema: &Schema,
    users: &[(String, String)],
) -> Result<(), SfError> {
    let granted_objects = store.marks(GRANTED_OBJECT);
    let granted_fields = store.marks(GRANTED_FIELD);
    let profiles = store.live_records("Profile");
    let sets = store.live_records("PermissionSet");
    let user_records = store.live_records("User");
    store.write(|w| {
        let mut owned_sets = Vec::new();
        let mut profile_ids = Vec::new();
        for role in Role::ALL {
            let (profile_id, set_id) = ensure_profile(w, role, &profiles, &sets)?;
            profile_ids.push((role.profile(), profile_id, set_id.clone()));
            owned_sets.push((role, set_id));
        }
        for (user_id, profile) in users {
            let Some(record) = user_records
                .iter()
                .find(|u| text(u, "Id") == Some(user_id.as_str()))
            else {
                continue;
            };
            if text(record, "ProfileId").is_some() {
                continue;
            }
            let Some((_, profile_id, set_id)) = profile_ids
                .iter()
                .find(|(name, _, _)| name.eq_ignore_ascii_case(profile))
            else {
                tracing::warn!(
                    "sandbox org user {user_id} names profile {profile:?}, which the org does not have; use {ADMIN_PROFILE:?}, {STANDARD_USER_PROFILE:?} or {READ_ONLY_PROFILE:?}"
                );
                continue;
            };
            w.update("User", user_id, &object(json!({"ProfileId": profile_id})), "")
                .map_err(first)?;
            w.create(
                "PermissionSetAssignment",
                &object(json!({"AssigneeId": user_id, "PermissionSetId": set_id})),
                "",
            )
            .map_err(first)?;
        }
        for governed in schema.objects() {
            let name = governed.name.as_str();
            if !granted_objects.contains(name) && !is_setup_object(name) && governed.queryable {
                for (role, set_id) in &owned_sets {
                    let mut fields = object(role.object_permissions());
                    fields.insert("ParentId".into(), json!(set_id));
                    fields.insert("SobjectType".into(), json!(name));
                    w.create("ObjectPermissions", &fields, "").map_err(first)?;
                }
                w.mark(&format!("{GRANTED_OBJECT}{name}"))?;
            }
            for field in governed.fields.iter().filter(|f| is_secured_field(&f.name)) {
                let full_name = format!("{name}.{}", field.name);
                if granted_fields.contains(&full_name) {
                    continue;
                }
                let editable = field.createable || field.updateable;
                for (role, set_id) in &owned_sets {
                    let grant = json!({
                        "ParentId": set_id,
                        "SobjectType": name,
                        "Field": full_name,
                        "PermissionsRead": true,
                        "PermissionsEdit": editable && role.edits_fields(),
                    });
                    w.create("FieldPermissions", &object(grant), "")
                        .map_err(first)?;
                }
                w.mark(&format!("{GRANTED_FIELD}{full_name}"))?;
            }
        }
        Ok(())
    })
}

fn is_setup_object(name: &str) -> bool {
    is_permission_object(name) || matches!(name, "User" | "Organization" | "RecordType")
}

fn first(mut errors: Vec<SfError>) -> SfError {
    if errors.is_empty() {
        SfError::unknown_exception()
    } else {
        errors.remove(0)
    }
}

/// The profile `role` names and the permission set it owns, made when missing.
fn ensure_profile(
    w: &mut Writer<'_>,
    role: Role,
    profiles: &[Record],
    sets: &[Record],
) -> Result<(String, String), SfError> {
    let name = role.profile();
    let profile_id = match profiles.iter().find(|p| text(p, "Name") == Some(name)) {
        Some(p) => text(p, "Id").unwrap_or_default().to_string(),
        None => {
            let mut fields = object(role.permissions());
            fields.insert("Name".into(), json!(name));
            w.create("Profile", &fields, "").map_err(first)?
        }
    };
    let owned = sets
        .iter()
        .find(|s| text(s, "ProfileId") == Some(profile_id.as_str()));
    if let Some(set) = owned {
        return Ok((profile_id, text(set, "Id").unwrap_or_default().to_string()));
    }
    let mut fields = object(role.permissions());
    fields.insert("Name".into(), json!(format!("X{profile_id}")));
    fields.insert("Label".into(), json!(name));
    let set_id = w.create("PermissionSet", &fields, "").map_err(first)?;
    // Ownership is the org's to set: clients cannot write these fields.
    if let Some(mut record) = w.get(&set_id) {
        record.insert("IsOwnedByProfile".into(), json!(true));
        record.insert("ProfileId".into(), json!(profile_id));
        w.restore(&record)?;
    }
    Ok((profile_id, set_id))
}
