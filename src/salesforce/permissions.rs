//! What the signed-in user may do in the org: the permission sets assigned to the user (the
//! profile's own among them), their flags OR'ed, as Salesforce decides access.

use futures_util::TryStreamExt;
use serde::Deserialize;

use super::client::Client;
use super::error::Result;
use super::soql_text::quote;

/// The signed-in user's system permissions, from every permission set assigned to the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPermissions {
    pub customize_application: bool,
    pub modify_all_data: bool,
    pub api_enabled: bool,
    /// `(Id, Name)` of each assigned permission set, the profile's own included.
    pub permission_sets: Vec<(String, String)>,
}

impl UserPermissions {
    /// May change the org's setup: create fields, permission sets and assignments.
    pub fn may_customize(&self) -> bool {
        self.customize_application || self.modify_all_data
    }

    /// The assigned permission sets' ids, for `ObjectPermissions`/`FieldPermissions` queries.
    pub fn permission_set_ids(&self) -> Vec<&str> {
        self.permission_sets
            .iter()
            .map(|(id, _)| id.as_str())
            .collect()
    }

    fn grant(&mut self, set: AssignedSet) {
        self.customize_application |= set.permissions_customize_application;
        self.modify_all_data |= set.permissions_modify_all_data;
        self.api_enabled |= set.permissions_api_enabled;
        if let Some(id) = set.id {
            self.permission_sets.push((id, set.name));
        }
    }
}

/// One user's access to one object, from `ObjectPermissions` over the user's permission sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectAccess {
    pub read: bool,
    pub create: bool,
    pub edit: bool,
    pub delete: bool,
}

#[derive(Deserialize)]
struct Assignment {
    #[serde(rename = "PermissionSetId", default)]
    permission_set_id: Option<String>,
    #[serde(rename = "PermissionSet")]
    permission_set: Option<AssignedSet>,
}

#[derive(Deserialize)]
struct AssignedSet {
    #[serde(rename = "Id", default)]
    id: Option<String>,
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "PermissionsCustomizeApplication", default)]
    permissions_customize_application: bool,
    #[serde(rename = "PermissionsModifyAllData", default)]
    permissions_modify_all_data: bool,
    #[serde(rename = "PermissionsApiEnabled", default)]
    permissions_api_enabled: bool,
}

#[derive(Deserialize)]
struct ObjectPermissionRow {
    #[serde(rename = "SobjectType")]
    sobject_type: String,
    #[serde(rename = "PermissionsRead", default)]
    read: bool,
    #[serde(rename = "PermissionsCreate", default)]
    create: bool,
    #[serde(rename = "PermissionsEdit", default)]
    edit: bool,
    #[serde(rename = "PermissionsDelete", default)]
    delete: bool,
}

/// The query for one user's assigned permission sets and their system permissions.
pub fn assignments_soql(user_id: &str) -> String {
    format!(
        "SELECT PermissionSetId, PermissionSet.Id, PermissionSet.Name, \
         PermissionSet.PermissionsCustomizeApplication, PermissionSet.PermissionsModifyAllData, \
         PermissionSet.PermissionsApiEnabled FROM PermissionSetAssignment WHERE AssigneeId = {}",
        quote(user_id)
    )
}

impl Client {
    /// The signed-in user's permissions (the user of the connection's identity).
    pub async fn user_permissions(&self) -> Result<UserPermissions> {
        let user = self.user_id().await?;
        self.permissions_of(&user).await
    }

    /// The permissions of the user `user_id`, from its permission set assignments; none at all
    /// (every flag false) when the org lists no assignment.
    pub async fn permissions_of(&self, user_id: &str) -> Result<UserPermissions> {
        let pages: Vec<_> = self
            .query::<Assignment>(&assignments_soql(user_id), None)
            .try_collect()
            .await?;
        let mut permissions = UserPermissions::default();
        for assignment in pages.into_iter().flat_map(|page| page.records) {
            let Some(mut set) = assignment.permission_set else {
                continue;
            };
            if set.id.is_none() {
                set.id = assignment.permission_set_id;
            }
            permissions.grant(set);
        }
        Ok(permissions)
    }

    /// The access `permissions`' sets give to `object`, OR'ed over the sets.
    pub async fn object_access(
        &self,
        permissions: &UserPermissions,
        object: &str,
    ) -> Result<ObjectAccess> {
        let ids: Vec<String> = permissions
            .permission_set_ids()
            .into_iter()
            .map(quote)
            .collect();
        if ids.is_empty() {
            return Ok(ObjectAccess::default());
        }
        let soql = format!(
            "SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, \
             PermissionsDelete FROM ObjectPermissions WHERE ParentId IN ({}) AND SobjectType = {}",
            ids.join(", "),
            quote(object)
        );
        let pages: Vec<_> = self
            .query::<ObjectPermissionRow>(&soql, None)
            .try_collect()
            .await?;
        let mut access = ObjectAccess::default();
        for row in pages.into_iter().flat_map(|page| page.records) {
            if !row.sobject_type.eq_ignore_ascii_case(object) {
                continue;
            }
            access.read |= row.read;
            access.create |= row.create;
            access.edit |= row.edit;
            access.delete |= row.delete;
        }
        Ok(access)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(id: &str, name: &str, customize: bool, modify: bool, api: bool) -> AssignedSet {
        AssignedSet {
            id: Some(id.into()),
            name: name.into(),
            permissions_customize_application: customize,
            permissions_modify_all_data: modify,
            permissions_api_enabled: api,
        }
    }

    #[test]
    fn flags_are_ored_over_every_assigned_set() {
        let mut permissions = UserPermissions::default();
        permissions.grant(set("0PS1", "X00ex_Standard", false, false, true));
        permissions.grant(set("0PS2", "Tether_Sync", true, false, false));
        assert!(permissions.customize_application);
        assert!(!permissions.modify_all_data);
        assert!(permissions.api_enabled);
        assert!(permissions.may_customize());
        assert_eq!(permissions.permission_set_ids(), vec!["0PS1", "0PS2"]);
    }

    #[test]
    fn the_assignment_query_quotes_the_user_id() {
        let soql = assignments_soql("005x'y");
        assert!(soql.ends_with("WHERE AssigneeId = '005x\\'y'"), "{soql}");
        assert!(soql.contains("PermissionSet.PermissionsModifyAllData"));
    }

    #[test]
    fn an_assignment_row_decodes_from_the_org_shape() {
        let row: Assignment = serde_json::from_value(serde_json::json!({
            "attributes": {"type": "PermissionSetAssignment"},
            "PermissionSetId": "0PS1",
            "PermissionSet": {
                "attributes": {"type": "PermissionSet"},
                "Id": "0PS1",
                "Name": "X00e_Admin",
                "PermissionsCustomizeApplication": true,
                "PermissionsModifyAllData": true,
                "PermissionsApiEnabled": true
            }
        }))
        .unwrap();
        let mut permissions = UserPermissions::default();
        permissions.grant(row.permission_set.unwrap());
        assert!(permissions.modify_all_data && permissions.api_enabled);
        assert_eq!(
            permissions.permission_sets,
            vec![("0PS1".to_string(), "X00e_Admin".to_string())]
        );
    }
}
