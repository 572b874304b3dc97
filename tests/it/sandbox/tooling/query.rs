//! `/tooling/query` over CustomField, EntityDefinition and FieldDefinition, and the Tooling
//! API's describes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{create_field, health_score, tooling_query};
use crate::support::org::{V, answer, error_code, start};

#[tokio::test]
async fn tooling_query_lists_custom_fields_entities_and_field_definitions() {
    let t = start().await;
    let (_, body) = create_field(&t, "Account.Churn_Risk__c", health_score()).await;
    let id = body["id"].as_str().unwrap().to_string();

    let (status, body) = tooling_query(
        &t,
        "SELECT Id, DeveloperName, TableEnumOrId, FullName, Metadata FROM CustomField WHERE DeveloperName = 'Churn_Risk' AND TableEnumOrId = 'Account'",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["size"],
            &body["totalSize"],
            &body["done"],
            &body["queryLocator"],
            &body["entityTypeName"]
        ),
        (
            &json!(1),
            &json!(1),
            &json!(true),
            &Value::Null,
            &json!("CustomField")
        )
    );
    let record = &body["records"][0];
    assert_eq!(
        record["attributes"],
        json!({"type": "CustomField", "url": format!("/services/data/{V}/tooling/sobjects/CustomField/{id}")})
    );
    assert_eq!(
        (
            &record["Id"],
            &record["DeveloperName"],
            &record["TableEnumOrId"],
            &record["FullName"]
        ),
        (
            &json!(id),
            &json!("Churn_Risk"),
            &json!("Account"),
            &json!("Account.Churn_Risk__c")
        )
    );
    let metadata = &record["Metadata"];
    assert_eq!(
        (
            &metadata["type"],
            &metadata["precision"],
            &metadata["scale"],
            &metadata["label"],
            &metadata["description"]
        ),
        (
            &json!("Number"),
            &json!(5),
            &json!(2),
            &json!("Churn Risk"),
            &json!("How healthy the account is")
        )
    );

    let (status, body) = tooling_query(
        &t,
        "SELECT Id, DeveloperName FROM CustomField WHERE TableEnumOrId = 'Account'",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["DeveloperName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Churn_Risk") && names.contains(&"External_Id"),
        "{names:?}"
    );
    let (status, body) = tooling_query(
        &t,
        "SELECT Id, Metadata FROM CustomField WHERE TableEnumOrId = 'Account'",
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "MALFORMED_QUERY"),
        "{body}"
    );

    let (status, body) = tooling_query(
        &t,
        "SELECT QualifiedApiName, DeveloperName, Label, KeyPrefix, DurableId, IsCustomizable FROM EntityDefinition WHERE QualifiedApiName IN ('Account', 'Contact') ORDER BY QualifiedApiName",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["entityTypeName"], "EntityDefinition");
    assert_eq!(body["records"][0]["QualifiedApiName"], "Account");
    assert_eq!(body["records"][0]["KeyPrefix"], "001");
    assert_eq!(body["records"][0]["DurableId"], "Account");
    assert_eq!(body["records"][1]["Label"], "Contact");

    let (status, body) = tooling_query(
        &t,
        "SELECT QualifiedApiName, DataType, Label, Length, Precision, Scale, IsNillable, EntityDefinition.QualifiedApiName, EntityDefinitionId FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Account' AND QualifiedApiName LIKE 'Churn%'",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["size"], 1, "{body}");
    let field = &body["records"][0];
    assert_eq!(
        (
            &field["QualifiedApiName"],
            &field["DataType"],
            &field["Precision"],
            &field["Scale"],
            &field["IsNillable"]
        ),
        (
            &json!("Churn_Risk__c"),
            &json!("Number(3, 2)"),
            &json!(5),
            &json!(2),
            &json!(true)
        )
    );
    assert_eq!(field["EntityDefinition"]["QualifiedApiName"], "Account");
    assert_eq!(
        field["EntityDefinition"]["attributes"]["type"],
        "EntityDefinition"
    );
    assert_eq!(field["EntityDefinitionId"], "Account");

    let (status, body) = tooling_query(&t, "SELECT QualifiedApiName FROM FieldDefinition").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "MALFORMED_QUERY"),
        "{body}"
    );
    let (status, body) = tooling_query(&t, "SELECT Id FROM Account").await;
    assert_eq!((status, error_code(&body)), (400, "INVALID_TYPE"), "{body}");
    let (status, body) = tooling_query(&t, "SELECT Nope FROM CustomField").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_FIELD"),
        "{body}"
    );

    let (status, body) = answer(
        t.api(Method::GET, "/tooling/sobjects/")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<&str> = body["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["CustomField", "EntityDefinition", "FieldDefinition"]
    );
    let (status, body) = answer(
        t.api(Method::GET, "/tooling/sobjects/CustomField/describe")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "Metadata")
    );
}
