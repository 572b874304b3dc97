//! Setting an org up through the client, against the sandbox org: every field type created from
//! its spec reaches describe with its shape, a field hidden by field-level security is granted
//! rather than created, and a user without Customize Application creates nothing.

use reqwest::Method;
use serde_json::Value;
use tether::salesforce::{Client, Credentials};
use tether::setup::{
    self, FieldAction, FieldSpec, FieldType, SetupError, SetupPlan, Step, object_plan,
};

use crate::support::client::{client_for, fast_config, start};
use crate::support::org::answer;

/// A spec, and what describe says of it: type, length, precision, scale.
type Case = (
    FieldSpec,
    &'static str,
    Option<u64>,
    Option<u64>,
    Option<u64>,
);

#[tokio::test]
async fn each_field_type_reaches_describe_with_its_shape() {
    let org = start().await;
    let client = client_for(&org, fast_config()).await;
    let long = FieldSpec {
        length: Some(32_768),
        ..FieldSpec::new("Setup_Notes__c", FieldType::LongTextArea)
    };
    let multi = FieldSpec {
        field_type: FieldType::MultiselectPicklist,
        ..FieldSpec::picklist("Setup_Channels__c", &["Web", "Phone"])
    };
    let cases: Vec<Case> = vec![
        (
            FieldSpec::text("Setup_Code__c", 40).key(),
            "string",
            Some(40),
            None,
            None,
        ),
        (
            FieldSpec::new("Setup_Summary__c", FieldType::TextArea),
            "textarea",
            None,
            None,
            None,
        ),
        (long, "textarea", Some(32_768), None, None),
        (
            FieldSpec::number("Setup_Score__c", FieldType::Number, 5, 2),
            "double",
            None,
            Some(5),
            Some(2),
        ),
        (
            FieldSpec::number("Setup_Amount__c", FieldType::Currency, 16, 2),
            "currency",
            None,
            Some(16),
            Some(2),
        ),
        (
            FieldSpec::number("Setup_Share__c", FieldType::Percent, 5, 1),
            "percent",
            None,
            Some(5),
            Some(1),
        ),
        (
            FieldSpec::new("Setup_Flag__c", FieldType::Checkbox),
            "boolean",
            None,
            None,
            None,
        ),
        (
            FieldSpec::new("Setup_Day__c", FieldType::Date),
            "date",
            None,
            None,
            None,
        ),
        (
            FieldSpec::new("Setup_At__c", FieldType::DateTime),
            "datetime",
            None,
            None,
            None,
        ),
        (
            FieldSpec::new("Setup_Mail__c", FieldType::Email),
            "email",
            None,
            None,
            None,
        ),
        (
            FieldSpec::new("Setup_Phone__c", FieldType::Phone),
            "phone",
            None,
            None,
            None,
        ),
        (
            FieldSpec::new("Setup_Site__c", FieldType::Url),
            "url",
            None,
            None,
            None,
        ),
        (
            FieldSpec::picklist("Setup_Tier__c", &["Gold", "Silver"]),
            "picklist",
            None,
            None,
            None,
        ),
        (multi, "multipicklist", None, None, None),
    ];
    let plan = object_plan("Account", cases.iter().map(|c| c.0.clone()).collect());
    let plan = plan.settle(&client).await.expect("settled");
    assert_eq!(plan.fields.len(), cases.len(), "none exists yet");
    let mut seen = Vec::new();
    let steps = setup::execute(&client, &plan, |s| seen.push(s.clone()))
        .await
        .expect("set up");
    assert_eq!(steps, seen, "each step is reported as it is done");
    assert!(steps.contains(&Step::PermissionSet { created: true }));
    assert!(steps.contains(&Step::Assigned { already: false }));
    let describe = client.describe("Account").await.expect("describe");
    for (spec, kind, length, precision, scale) in &cases {
        let field = describe
            .fields
            .iter()
            .find(|f| f.name == spec.api_name)
            .unwrap_or_else(|| panic!("{} is described", spec.api_name));
        assert_eq!(field.field_type, *kind, "{}", spec.api_name);
        assert!(field.updateable, "{} is granted edit", spec.api_name);
        let attr = |name: &str| field.other.get(name).and_then(Value::as_u64);
        if let Some(length) = length {
            assert_eq!(u64::from(field.length), *length, "{}", spec.api_name);
        }
        assert_eq!(
            attr("precision").filter(|_| precision.is_some()),
            *precision,
            "{}",
            spec.api_name
        );
        assert_eq!(
            attr("scale").filter(|_| scale.is_some()),
            *scale,
            "{}",
            spec.api_name
        );
        if spec.field_type.has_values() {
            assert_eq!(
                field.active_picklist_values(),
                spec.picklist_values,
                "{}",
                spec.api_name
            );
        }
        assert_eq!(field.external_id, spec.external_id, "{}", spec.api_name);
    }

    // A second setup finds the permission set and the assignment already there.
    let again = object_plan("Account", vec![FieldSpec::text("Setup_Other__c", 10)]);
    let steps = setup::execute(&client, &again, |_| {})
        .await
        .expect("set up");
    assert!(steps.contains(&Step::PermissionSet { created: false }));
    assert!(steps.contains(&Step::Assigned { already: true }));
}

#[tokio::test]
async fn a_field_hidden_by_field_level_security_is_granted_not_created() {
    let org = start().await;
    let client = client_for(&org, fast_config()).await;
    let grants: Value = answer(
        org.api(Method::GET, "/query")
            .query(&[(
                "q",
                "SELECT Id FROM FieldPermissions WHERE Field = 'Account.Health_Score__c'",
            )])
            .send()
            .await
            .unwrap(),
    )
    .await
    .1;
    for grant in grants["records"].as_array().expect("grants") {
        let id = grant["Id"].as_str().unwrap();
        let (status, body) = answer(
            org.api(Method::DELETE, &format!("/sobjects/FieldPermissions/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 204, "{body}");
    }
    client.forget_describe("Account");
    let before = client
        .custom_fields("Account")
        .await
        .expect("custom fields")
        .len();

    let plan = setup::template_plan("customer-health")
        .settle(&client)
        .await
        .expect("settled");
    let names: Vec<(&str, FieldAction)> = plan
        .fields
        .iter()
        .map(|f| (f.spec.api_name.as_str(), f.action))
        .collect();
    assert_eq!(
        names,
        [("Health_Score__c", FieldAction::Grant)],
        "Health_Trend__c is seen"
    );
    let steps = setup::execute(&client, &plan, |_| {})
        .await
        .expect("set up");
    assert!(
        steps.contains(&Step::Existed {
            field: "Account.Health_Score__c".into()
        }),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|s| matches!(s, Step::Created { .. })),
        "{steps:?}"
    );
    let after = client
        .custom_fields("Account")
        .await
        .expect("custom fields")
        .len();
    assert_eq!(before, after, "nothing created");
    let describe = client.describe("Account").await.expect("describe");
    assert!(
        describe
            .fields
            .iter()
            .any(|f| f.name == "Health_Score__c" && f.updateable)
    );
}

#[tokio::test]
async fn a_user_who_may_not_customise_creates_nothing() {
    let org = start().await;
    let admin = client_for(&org, fast_config()).await;
    let answer: Value = org
        .http
        .post(format!("{}/services/oauth2/token", org.base))
        .form(&[
            ("grant_type", "password"),
            ("client_id", sandbox_org::config::DEMO_CLIENT_ID),
            ("username", "operator@tether-sandbox.example"),
            ("password", sandbox_org::config::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["access_token"]
        .as_str()
        .expect("the operator signs in");
    let operator = Client::connect(&org.base, Credentials::access_token(token), fast_config())
        .await
        .unwrap();
    assert!(!setup::may_customize(&operator).await.unwrap());
    assert!(setup::may_customize(&admin).await.unwrap());

    let plan: SetupPlan = object_plan("Account", vec![FieldSpec::text("Operator_Note__c", 40)]);
    let refused = setup::execute(&operator, &plan, |_| {}).await.unwrap_err();
    assert!(matches!(refused, SetupError::NotPermitted), "{refused}");
    assert!(
        refused.to_string().contains("nothing was created"),
        "{refused}"
    );
    let defined = admin.field_definitions("Account").await.unwrap();
    assert!(
        !defined
            .iter()
            .any(|d| d.qualified_api_name == "Operator_Note__c")
    );
    let zip = setup::package_zip(&plan).expect("a package for an admin");
    assert!(!zip.is_empty());
}
