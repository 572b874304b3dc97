//! The Tooling API's `FieldDefinition`: every field of an object whatever the user's
//! field-level security (it is Setup data), so that a field absent from the user's describe
//! can be told "hidden from you" rather than "missing".

use reqwest::Method;
use serde::Deserialize;

use super::client::{Call, Client};
use super::error::Result;
use super::soql_text::quote;
use super::wire::QueryPage;

/// One field as Setup lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FieldDefinition {
    pub qualified_api_name: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub data_type: Option<String>,
    #[serde(default)]
    pub length: Option<u32>,
}

/// The Tooling query of `object`'s field definitions.
pub fn field_definitions_soql(object: &str) -> String {
    format!(
        "SELECT QualifiedApiName, Label, DataType, Length FROM FieldDefinition \
         WHERE EntityDefinition.QualifiedApiName = {}",
        quote(object)
    )
}

impl Client {
    /// Every field of `object` as Setup lists it (`/tooling/query` over `FieldDefinition`).
    pub async fn field_definitions(&self, object: &str) -> Result<Vec<FieldDefinition>> {
        let mut call = Call::new(Method::GET, self.data_url("/tooling/query/"))
            .query("q", field_definitions_soql(object));
        let mut definitions = Vec::new();
        loop {
            let page: QueryPage<FieldDefinition> = self.json(call).await?;
            definitions.extend(page.records);
            match page.next_records_url {
                Some(next) if !page.done => {
                    call = Call::new(Method::GET, self.instance_path(&next)?);
                }
                _ => return Ok(definitions),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tooling_answer_decodes_with_its_attributes() {
        let page: QueryPage<FieldDefinition> = serde_json::from_value(serde_json::json!({
            "size": 1, "totalSize": 1, "done": true, "queryLocator": null,
            "entityTypeName": "FieldDefinition",
            "records": [{
                "attributes": {"type": "FieldDefinition", "url": "/services/data/v60.0/tooling/sobjects/FieldDefinition/Account.Health_Score__c"},
                "QualifiedApiName": "Health_Score__c", "Label": "Health Score",
                "DataType": "Number(5, 2)", "Length": 0
            }]
        }))
        .unwrap();
        assert_eq!(page.records[0].qualified_api_name, "Health_Score__c");
        assert_eq!(page.records[0].label.as_deref(), Some("Health Score"));
    }

    #[test]
    fn the_query_filters_on_the_object_quoted() {
        assert!(
            field_definitions_soql("Account")
                .ends_with("EntityDefinition.QualifiedApiName = 'Account'")
        );
    }
}
