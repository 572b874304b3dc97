//! The Records page's open record, on the real service and the built-in sandbox org: an
//! account opened, an edit stopped by describe and then saved, a related contact opened,
//! deleted (after asking) and brought back by History's Undo.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};
use tether::ui::Command;
use tether::ui::panels::records::RecordsCommand;

use crate::e2e::count;
use crate::support::live::{click, nav, org_client, wait_for, wait_for_containing, window};

#[test]
fn an_account_is_edited_past_a_describe_check_and_its_contact_deleted_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 50, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    let sandbox = h
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .cloned()
        .unwrap();
    let (runtime, org) = org_client(&sandbox.instance_url);
    let (account, contact) = runtime.block_on(async {
        let account = org
            .create("Account", &json!({ "Name": "Kittest Solar" }))
            .await
            .unwrap();
        let contact = org
            .create(
                "Contact",
                &json!({ "FirstName": "Ada", "LastName": "Lovelace", "AccountId": account }),
            )
            .await
            .unwrap();
        (account, contact)
    });

    let open = Command::Records(RecordsCommand::Open {
        connection: sandbox.name.clone(),
        object: "Account".into(),
        id: account.clone(),
    });
    h.state().post(&h.ctx, open);
    wait_for(&mut h, "Account · Kittest Solar");

    // 1234.567 does not fit Health Score's 5 digits, 2 after the point: nothing is sent.
    click(&mut h, "Edit");
    h.get_by_label("Health Score").focus();
    h.step();
    h.get_by_label("Health Score").type_text("1234.567");
    h.step();
    click(&mut h, "Save");
    wait_for_containing(&mut h, "Health Score (Health_Score__c)");
    assert_eq!(count(dir, "SELECT count(*) FROM tether_runs"), 0);

    // Fixed, it is saved as a run of its own.
    h.get_by_label("Health Score").focus();
    h.step();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.step();
    h.get_by_label("Health Score").type_text("88.5");
    h.step();
    click(&mut h, "Save");
    wait_for_containing(&mut h, "Salesforce saved 1 field(s) of Account");
    let score = runtime.block_on(async {
        org.get::<Value>("Account", &account, Some(&["Health_Score__c"]))
            .await
            .unwrap()
    });
    assert_eq!(score["Health_Score__c"], json!(88.5));
    assert_eq!(
        count(
            dir,
            "SELECT count(*) FROM tether_runs WHERE trigger = 'records'"
        ),
        1
    );

    // The related contact opens, and is deleted only once confirmed.
    wait_for(&mut h, "Ada Lovelace");
    h.get_by_label("Ada Lovelace").scroll_to_me();
    h.step();
    h.step();
    click(&mut h, "Ada Lovelace");
    wait_for(&mut h, "Contact · Ada Lovelace");
    click(&mut h, "Delete…");
    wait_for_containing(&mut h, "You can undo it from History");
    click(&mut h, "Delete Ada Lovelace");
    wait_for_containing(&mut h, "Salesforce deleted Contact");
    let delete_run = count(
        dir,
        "SELECT max(id) FROM tether_runs WHERE trigger = 'records'",
    );
    let gone =
        runtime.block_on(async { org.get::<Value>("Contact", &contact, None).await.is_err() });
    assert!(gone, "the contact is deleted in Salesforce");

    // History's Undo creates it again.
    nav(&mut h, "History");
    click(&mut h, &format!("Run #{delete_run}"));
    click(&mut h, "Undo this run…");
    click(&mut h, &format!("Undo run #{delete_run}"));
    wait_for_containing(&mut h, "Undone by run #");
    let back = runtime.block_on(async {
        use futures_util::TryStreamExt;
        let pages: Vec<_> = org
            .query::<Value>(
                &format!("SELECT Id, FirstName FROM Contact WHERE LastName = 'Lovelace' AND AccountId = '{account}'"),
                None,
            )
            .try_collect()
            .await
            .unwrap();
        pages.into_iter().flat_map(|p| p.records).collect::<Vec<_>>()
    });
    assert_eq!(back.len(), 1, "{back:?}");
    assert_eq!(back[0]["FirstName"], "Ada");
}
