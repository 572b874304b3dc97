//! The record view reads its fields by the layout's sections, parents by name and related
//! lists whose rows name the child records.

use serde_json::json;
use tether::records_write::read::{new_record_form, read_record};

use super::Bench;

#[tokio::test]
async fn an_account_reads_by_layout_sections_with_its_parent_by_name_and_its_contacts() {
    let bench = Bench::new().await;
    let parent = bench
        .org
        .create("Account", json!({ "Name": "Acme Group" }))
        .await;
    let id = bench
        .org
        .create(
            "Account",
            json!({ "Name": "Acme Solar", "ParentId": parent, "Health_Trend__c": "Stable" }),
        )
        .await;
    let contact = bench
        .org
        .create(
            "Contact",
            json!({ "LastName": "Lovelace", "AccountId": id }),
        )
        .await;

    let page = read_record(&bench.client, "Account", &id).await.unwrap();
    assert_eq!(page.name, "Acme Solar");
    assert!(page.sections.len() > 1, "{:?}", page.sections);
    let name = page.fields().find(|f| f.name == "Name").unwrap();
    assert_eq!(name.text, "Acme Solar");
    assert!(name.updateable && name.required);
    let parent_field = page.fields().find(|f| f.name == "ParentId").unwrap();
    let shown = parent_field
        .parent
        .as_ref()
        .expect("the parent is shown by name");
    assert_eq!(shown.name, "Acme Group");
    assert_eq!(shown.object, "Account");
    assert_eq!(shown.id.get(..15), parent.get(..15));
    let trend = page.fields().find(|f| f.name == "Health_Trend__c").unwrap();
    assert_eq!(trend.picklist, ["Growing", "Stable", "Declining"]);

    let contacts = page
        .related
        .iter()
        .find(|l| l.object == "Contact")
        .expect("a Contacts related list");
    assert_eq!(contacts.rows.len(), 1);
    assert_eq!(contacts.rows[0].id.get(..15), contact.get(..15));
    assert!(
        contacts.rows[0]
            .cells
            .iter()
            .any(|c| c.contains("Lovelace")),
        "{contacts:?}"
    );

    let form = new_record_form(&bench.client, "Contact").await.unwrap();
    assert_eq!(form[0].name, "LastName");
    assert!(form[0].required);
}
