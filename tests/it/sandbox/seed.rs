//! The demo data set: identical from one org to the next, and valid by the describes.

use std::collections::BTreeMap;

use sandbox_org::testing::FieldType;
use sandbox_org::testing::Record;
use sandbox_org::testing::{DEMO_RECORDS, STAGES};
use sandbox_org::{OrgConfig, SandboxOrg};
use serde_json::{Map, Value};

const OBJECTS: [&str; 10] = [
    "Account",
    "Contact",
    "Opportunity",
    "Lead",
    "Product2",
    "PricebookEntry",
    "OpportunityLineItem",
    "Campaign",
    "CampaignMember",
    "Task",
];
/// Set by the org from the clock, so they differ between two seedings.
const AUDIT_FIELDS: [&str; 4] = [
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "LastActivityDate",
];

async fn seeded(records: usize) -> SandboxOrg {
    SandboxOrg::start(OrgConfig {
        seed_records: Some(records),
        ..Default::default()
    })
    .await
    .unwrap()
}

fn records_of(org: &SandboxOrg, object: &str) -> Vec<Record> {
    let mut out = Vec::new();
    org.org()
        .store
        .scan(object, true, &mut |r| {
            out.push(r);
            true
        })
        .expect("the store reads back");
    out
}

fn without_audit_fields(mut record: Record) -> Map<String, Value> {
    for field in AUDIT_FIELDS {
        record.remove(field);
    }
    record
}

#[tokio::test]
async fn two_seeded_orgs_hold_the_same_data() {
    let (a, b) = (seeded(DEMO_RECORDS).await, seeded(DEMO_RECORDS).await);
    let mut total = 0;
    for object in OBJECTS {
        let left: Vec<_> = records_of(&a, object)
            .into_iter()
            .map(without_audit_fields)
            .collect();
        let right: Vec<_> = records_of(&b, object)
            .into_iter()
            .map(without_audit_fields)
            .collect();
        assert!(!left.is_empty(), "{object} seeded");
        assert_eq!(left, right, "{object} differs between two seedings");
        total += left.len();
    }
    assert!(
        (2_000..=3_000).contains(&total),
        "{total} records in the demo set"
    );
    assert_eq!(records_of(&a, "Account").len(), 300);
}

#[tokio::test]
async fn seeded_records_follow_the_describes() {
    let org = seeded(800).await;
    let schema = org.org().store.schema();
    for object in OBJECTS {
        let describe = schema.object(object).unwrap();
        for record in records_of(&org, object) {
            let id = record["Id"].as_str().unwrap_or_default().to_string();
            for field in &describe.fields {
                let value = record.get(&field.name).unwrap_or(&Value::Null);
                if field.required_on_create() {
                    assert!(
                        !value.is_null(),
                        "{object} {id}: required {} is empty",
                        field.name
                    );
                }
                let Some(text) = value.as_str() else { continue };
                if field.length > 0 && field.kind != FieldType::Reference {
                    assert!(
                        text.chars().count() <= field.length as usize,
                        "{object}.{} too long: {text}",
                        field.name
                    );
                }
                // Only values a client may write: fields the org derives are the store's concern.
                if field.kind == FieldType::Picklist
                    && field.restricted_picklist
                    && field.createable
                {
                    assert!(
                        field.is_active_picklist_value(text),
                        "{object}.{} = {text}",
                        field.name
                    );
                }
            }
            for name in record.keys() {
                assert!(
                    describe.field(name).is_some(),
                    "{object} has no field {name}"
                );
            }
        }
    }
    let mut stages = BTreeMap::new();
    for opportunity in records_of(&org, "Opportunity") {
        let stage = opportunity["StageName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let probability = opportunity["Probability"].as_f64();
        assert!(probability.is_some(), "{stage} has a probability");
        *stages.entry(stage).or_insert(0) += 1;
    }
    assert_eq!(stages.len(), STAGES.len(), "{stages:?}");
    let contacts = records_of(&org, "Contact");
    let accounts = records_of(&org, "Account");
    assert!(
        contacts
            .iter()
            .all(|c| accounts.iter().any(|a| a["Id"] == c["AccountId"])),
        "every contact has its account"
    );
    let first = org
        .org()
        .store
        .find_by_key("Account", "External_Id__c", "ACME-0001");
    assert_eq!(first.len(), 1);
}

/// A schema file without the demo's custom fields: the org a template's setup starts from.
fn schema_without(fields: &[&str]) -> String {
    let mut schema: Value =
        serde_json::from_str(include_str!("../../../assets/sandbox-schema.json")).unwrap();
    for declared in schema["fields"].as_object_mut().unwrap().values_mut() {
        declared
            .as_array_mut()
            .unwrap()
            .retain(|f| !fields.contains(&f["name"].as_str().unwrap()));
    }
    schema.to_string()
}

#[tokio::test]
async fn an_org_without_the_demos_custom_fields_still_seeds_its_records() {
    let org = SandboxOrg::start(OrgConfig {
        seed_records: Some(200),
        schema_json: Some(schema_without(&["Health_Score__c", "Health_Trend__c"])),
        ..Default::default()
    })
    .await
    .expect("the demo records are seeded without the fields the schema lacks");
    let accounts = records_of(&org, "Account");
    assert!(!accounts.is_empty());
    assert!(
        accounts.iter().all(|a| !a.contains_key("Health_Score__c")),
        "no account holds a field its object lacks"
    );
    let with_scores = seeded(200).await;
    assert!(
        records_of(&with_scores, "Account")
            .iter()
            .any(|a| a["Health_Score__c"] != Value::Null),
        "the full schema's accounts keep their scores"
    );
}
