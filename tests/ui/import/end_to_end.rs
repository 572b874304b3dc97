//! The wizard on the real desktop service and the built-in sandbox org: a small opportunity
//! sheet opened, mapped, checked (its invalid row shown), imported, found in the org, edited
//! there by someone else, undone once the person chose to overwrite that edit.

use crate::support::live::{org_client, wait_for, wait_for_containing, wait_until, window};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use futures_util::StreamExt;
use serde_json::{Map, Value};
use tether::ui::TetherApp;

fn click(harness: &mut Harness<'static, TetherApp>, label: &str) {
    wait_for(harness, label);
    let rect = harness.get_by_label(label).rect();
    if rect.bottom() > 990.0 || rect.top() < 0.0 {
        harness.get_by_label(label).scroll_to_me();
        for _ in 0..3 {
            harness.step();
        }
    }
    harness.get_by_label(label).click();
    harness.step();
    harness.step();
}

/// The Legacy ids of the opportunities the org holds among `ids`.
fn legacy_ids_in_org(instance: &str, ids: &[&str]) -> Vec<String> {
    let (runtime, client) = org_client(instance);
    runtime.block_on(async {
        let quoted: Vec<String> = ids.iter().map(|id| format!("'{id}'")).collect();
        let soql = format!(
            "SELECT Id, Legacy_Opportunity_Id__c FROM Opportunity WHERE Legacy_Opportunity_Id__c IN ({})",
            quoted.join(", ")
        );
        let mut pages = Box::pin(client.query::<Map<String, Value>>(&soql, None));
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            for record in page.unwrap().records {
                if let Some(id) = record
                    .get("Legacy_Opportunity_Id__c")
                    .and_then(Value::as_str)
                {
                    found.push(id.to_string());
                }
            }
        }
        found.sort();
        found
    })
}

/// Another user edits the opportunity with legacy id `legacy`; returns its Id.
fn edit_in_org(instance: &str, legacy: &str, body: Value) -> String {
    let (runtime, client) = org_client(instance);
    runtime.block_on(async {
        let soql =
            format!("SELECT Id FROM Opportunity WHERE Legacy_Opportunity_Id__c = '{legacy}'");
        let mut pages = Box::pin(client.query::<Map<String, Value>>(&soql, None));
        let page = pages.next().await.expect("a page").expect("the query runs");
        let id = page.records[0]["Id"].as_str().expect("an Id").to_string();
        client
            .update("Opportunity", &id, &body)
            .await
            .expect("the edit is saved");
        id
    })
}

#[test]
fn a_sheet_is_mapped_checked_imported_and_undone_in_the_sandbox_org() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let sheet = dir.join("deals.csv");
    std::fs::write(
        &sheet,
        "Opp #,Deal Name,Stage,Amount,Close Date\r\n\
         IMP-1,Wizard deal one,Prospecting,1200.50,2024-03-01\r\n\
         IMP-2,Wizard deal two,Closed Won,300,2024-04-02\r\n\
         IMP-3,Wizard deal three,Qualification,75,2024-05-03\r\n\
         IMP-4,Wizard deal without a date,Prospecting,10,\r\n",
    )
    .unwrap();
    let ids = ["IMP-1", "IMP-2", "IMP-3", "IMP-4"];
    let mut h = window(dir, 200, false, 1000.0);

    click(&mut h, "Explore the sandbox org");
    wait_until(&mut h, "the sandbox connection", |h| {
        h.state().model().connections.iter().any(|c| c.embedded)
    });
    let instance = h
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .map(|c| c.instance_url.clone())
        .unwrap();

    // Open: the file dropped on the window.
    h.input_mut().dropped_files.push(super::dropped(&sheet));
    wait_for_containing(&mut h, "CSV · UTF-8");
    click(&mut h, "Map columns");

    // Map: the proposal pairs the columns and keys the rows on the legacy id.
    wait_for(&mut h, "Sheet column Opp #");
    wait_for_containing(
        &mut h,
        "Rows are upserted on Legacy Opportunity Id from Opp #",
    );
    wait_for(&mut h, "Remove pair of Stage");
    wait_for(&mut h, "Remove pair of Close Date");

    // Check: the row without a close date is reported, and nothing is sent.
    click(&mut h, "Check rows");
    wait_for(&mut h, "Import 3 rows");
    wait_for(&mut h, "⛔ Invalid");
    wait_for(&mut h, "Invalid: 1");
    assert!(
        legacy_ids_in_org(&instance, &ids).is_empty(),
        "the check sends nothing"
    );

    // Import.
    click(&mut h, "Import 3 rows");
    wait_for(&mut h, "Undo import…");
    wait_for(&mut h, "Created: 3");
    assert_eq!(
        legacy_ids_in_org(&instance, &ids),
        vec!["IMP-1", "IMP-2", "IMP-3"],
        "every valid row is in the org, once"
    );

    // Someone edits a deal in Salesforce: the undo asks before deleting it with their edit.
    let edited = edit_in_org(&instance, "IMP-2", serde_json::json!({"Amount": 999}));
    click(&mut h, "Undo import…");
    wait_for(&mut h, "Undo this import?");
    click(&mut h, "Undo import");
    wait_for(&mut h, "Salesforce changed records since this import");
    wait_for_containing(&mut h, &format!("Opportunity {edited} (row IMP-2): Amount"));
    assert_eq!(
        legacy_ids_in_org(&instance, &ids),
        vec!["IMP-1", "IMP-2", "IMP-3"],
        "nothing is deleted before the person answers"
    );
    click(&mut h, "Undo anyway");
    wait_for_containing(&mut h, "Import undone: 3 deleted");
    assert!(
        legacy_ids_in_org(&instance, &ids).is_empty(),
        "the undo removed what the import created"
    );
}
