//! The Tooling API calls that set an org up for a link: custom fields created from their
//! `Metadata`, the Setup view of an object's fields, and the permission set that grants the
//! signed-in user access to what was created.

use futures_util::TryStreamExt;
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::client::{Call, Client};
use super::error::{Result, SalesforceError};
use super::soql_text::quote;
use super::wire::{QueryPage, SaveResult};

/// One row of the Tooling API's `CustomField`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomFieldRow {
    pub id: String,
    /// The API name without `__c`.
    pub developer_name: String,
    #[serde(default)]
    pub table_enum_or_id: Option<String>,
}

/// What a grant of edit on fields did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Granted {
    /// `Object.Field` names newly granted read and edit.
    pub granted: Vec<String>,
    /// Those that already had edit through this permission set.
    pub already: Vec<String>,
}

#[derive(Deserialize)]
struct IdRow {
    #[serde(rename = "Id")]
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FieldPermissionRow {
    id: String,
    field: String,
    #[serde(default)]
    permissions_edit: bool,
}

fn duplicate(e: &SalesforceError, code: &str) -> bool {
    e.code() == Some(code)
}

impl Client {
    /// `{instance}/services/data/v{version}/tooling{path}`.
    fn tooling_url(&self, path: &str) -> String {
        self.data_url(&format!("/tooling{path}"))
    }

    /// `GET /tooling/query?q=`: every record of `soql`, all pages read.
    pub async fn tooling_query<T: DeserializeOwned>(&self, soql: &str) -> Result<Vec<T>> {
        let mut records = Vec::new();
        let mut call = Call::new(Method::GET, self.tooling_url("/query/")).query("q", soql);
        loop {
            let page: QueryPage<T> = self.json(call).await?;
            records.extend(page.records);
            match (page.next_records_url, page.done) {
                (Some(next), false) => {
                    call = Call::new(Method::GET, self.instance_path(&next)?);
                }
                _ => return Ok(records),
            }
        }
    }

    /// `POST /tooling/sobjects/CustomField` with `FullName` `Object.Field__c` and its
    /// `Metadata`; the new field's id. An existing field is `DUPLICATE_DEVELOPER_NAME`.
    pub async fn create_custom_field(&self, full_name: &str, metadata: &Value) -> Result<String> {
        let body = json!({ "FullName": full_name, "Metadata": metadata });
        let url = self.tooling_url("/sobjects/CustomField/");
        let saved: SaveResult = self.json(Call::new(Method::POST, url).json(&body)?).await?;
        saved
            .id
            .ok_or_else(|| SalesforceError::decode("CustomField create answer", "no id"))
    }

    /// The custom fields of a standard `object` (`TableEnumOrId` is its name). `FullName` and
    /// `Metadata` are left out: Salesforce answers them only for a query of one record.
    pub async fn custom_fields(&self, object: &str) -> Result<Vec<CustomFieldRow>> {
        let soql = format!(
            "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId = {}",
            quote(object)
        );
        self.tooling_query(&soql).await
    }

    /// The id of the permission set named `name`, created with `label` and `description`
    /// when missing; true when it was created.
    pub async fn ensure_permission_set(
        &self,
        name: &str,
        label: &str,
        description: &str,
    ) -> Result<(String, bool)> {
        if let Some(id) = self.permission_set_id(name).await? {
            return Ok((id, false));
        }
        let body = json!({ "Name": name, "Label": label, "Description": description });
        match self.create("PermissionSet", &body).await {
            Ok(id) => Ok((id, true)),
            // Made by another client in between: use that one.
            Err(e) if duplicate(&e, "DUPLICATE_DEVELOPER_NAME") => {
                match self.permission_set_id(name).await? {
                    Some(id) => Ok((id, false)),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn permission_set_id(&self, name: &str) -> Result<Option<String>> {
        let soql = format!("SELECT Id FROM PermissionSet WHERE Name = {}", quote(name));
        let rows: Vec<IdRow> = self.all_records(&soql).await?;
        Ok(rows.into_iter().next().map(|r| r.id))
    }

    /// Grants read and edit on `fields` (API names of `object`) through the permission set,
    /// leaving those it already grants edit on as they are.
    pub async fn grant_field_edit(
        &self,
        permission_set_id: &str,
        object: &str,
        fields: &[String],
    ) -> Result<Granted> {
        let soql = format!(
            "SELECT Id, Field, PermissionsEdit FROM FieldPermissions WHERE ParentId = {} AND SobjectType = {}",
            quote(permission_set_id),
            quote(object)
        );
        let existing: Vec<FieldPermissionRow> = self.all_records(&soql).await?;
        let mut outcome = Granted::default();
        for field in fields {
            let qualified = format!("{object}.{field}");
            let row = existing
                .iter()
                .find(|r| r.field.eq_ignore_ascii_case(&qualified));
            let edit = json!({ "PermissionsRead": true, "PermissionsEdit": true });
            match row {
                Some(row) if row.permissions_edit => outcome.already.push(qualified),
                Some(row) => {
                    self.update("FieldPermissions", &row.id, &edit).await?;
                    outcome.granted.push(qualified);
                }
                None => {
                    let body = json!({
                        "ParentId": permission_set_id,
                        "SobjectType": object,
                        "Field": qualified,
                        "PermissionsRead": true,
                        "PermissionsEdit": true,
                    });
                    match self.create("FieldPermissions", &body).await {
                        Ok(_) => outcome.granted.push(qualified),
                        Err(e) if duplicate(&e, "DUPLICATE_VALUE") => {
                            outcome.already.push(qualified)
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(outcome)
    }

    /// Assigns the permission set to the user; false when it was assigned already.
    pub async fn assign_permission_set(
        &self,
        permission_set_id: &str,
        user_id: &str,
    ) -> Result<bool> {
        let soql = format!(
            "SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = {} AND PermissionSetId = {}",
            quote(user_id),
            quote(permission_set_id)
        );
        let rows: Vec<IdRow> = self.all_records(&soql).await?;
        if !rows.is_empty() {
            return Ok(false);
        }
        let body = json!({ "AssigneeId": user_id, "PermissionSetId": permission_set_id });
        match self.create("PermissionSetAssignment", &body).await {
            Ok(_) => Ok(true),
            Err(e) if duplicate(&e, "DUPLICATE_VALUE") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Drops the kept describe of `object` (and the global one), so that the next describe
    /// reads what the org has now rather than asking whether the kept one still holds.
    pub fn forget_describe(&self, object: &str) {
        self.inner_describes().forget(&self.describe_url(object));
        self.inner_describes().forget(&self.data_url("/sobjects/"));
    }

    async fn all_records<T: DeserializeOwned + Send + 'static>(
        &self,
        soql: &str,
    ) -> Result<Vec<T>> {
        let pages: Vec<QueryPage<T>> = self.query(soql, None).try_collect().await?;
        Ok(pages.into_iter().flat_map(|p| p.records).collect())
    }
}
