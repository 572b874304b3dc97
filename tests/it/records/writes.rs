//! Each write from the Records page is a run (trigger `records`) with its images, undone by
//! the undo every run has, with the same refusals.

use reqwest::Method;
use serde_json::json;
use tether::records_write::RecordsError;
use tether::records_write::undo::undo_record_run;
use tether::records_write::write;
use tether::records_write::write::Target;
use tether::run::RunError;
use tether::run::undo::UndoOptions;
use tether::workspace::Workspace;
use tether::workspace::journal::{self, RunStatus, Trigger};

use super::{Bench, account, edits};

fn run(bench: &Bench, run_id: i64) -> journal::RunRecord {
    let ws = Workspace::open(&bench.workspace()).unwrap();
    journal::run(ws.conn(), run_id).unwrap().unwrap()
}

#[tokio::test]
async fn an_edit_is_a_records_run_and_its_undo_puts_the_old_values_back() {
    let bench = Bench::new().await;
    let id = bench
        .org
        .create("Account", json!({ "Name": "Acme", "Health_Score__c": 40 }))
        .await;
    let written = write::update(
        &bench.workspace(),
        &bench.client,
        account(),
        &id,
        &edits(&[("Name", "Acme Solar"), ("Health_Score__c", "75.25")]),
    )
    .await
    .unwrap();
    assert!(
        written
            .answer
            .starts_with("Salesforce saved 2 field(s) of Account"),
        "{}",
        written.answer
    );
    assert!(written.answer.contains(&format!("run {}", written.run_id)));
    let now = bench.org.get("Account", &id).await;
    assert_eq!(now["Name"], "Acme Solar");
    assert_eq!(now["Health_Score__c"], json!(75.25));

    let record = run(&bench, written.run_id);
    assert_eq!(record.trigger, Trigger::Records);
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(record.counts.updated, 1);
    assert_eq!(record.link_name, format!("Account {id}"));

    let undone = undo_record_run(
        &bench.workspace(),
        written.run_id,
        &bench.client,
        UndoOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(undone.status, RunStatus::Succeeded);
    let back = bench.org.get("Account", &id).await;
    assert_eq!(back["Name"], "Acme");
    assert_eq!(back["Health_Score__c"], json!(40.0));
    assert_eq!(run(&bench, written.run_id).undone_by, Some(undone.run_id));

    let again = undo_record_run(
        &bench.workspace(),
        written.run_id,
        &bench.client,
        UndoOptions::default(),
    )
    .await;
    assert!(
        matches!(&again, Err(RunError::Undo(m)) if m.contains("already undone")),
        "{again:?}"
    );
}

#[tokio::test]
async fn the_undo_of_an_edit_refuses_when_salesforce_changed_the_record_since() {
    let bench = Bench::new().await;
    let id = bench.org.create("Account", json!({ "Name": "Acme" })).await;
    let written = write::update(
        &bench.workspace(),
        &bench.client,
        account(),
        &id,
        &edits(&[("Name", "Acme Solar")]),
    )
    .await
    .unwrap();
    let r = bench
        .org
        .api(Method::PATCH, &format!("/sobjects/Account/{id}"))
        .json(&json!({ "Name": "Acme Heat" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    let refused = undo_record_run(
        &bench.workspace(),
        written.run_id,
        &bench.client,
        UndoOptions::default(),
    )
    .await;
    match refused {
        Err(RunError::LaterSalesforceEdits(edits)) => {
            let text = edits.to_string();
            assert!(text.contains(&format!("Account {id}: Name")), "{text}");
        }
        other => panic!("the undo went ahead over a later edit: {other:?}"),
    }
    assert_eq!(bench.org.get("Account", &id).await["Name"], "Acme Heat");

    let forced = undo_record_run(
        &bench.workspace(),
        written.run_id,
        &bench.client,
        UndoOptions {
            overwrite_salesforce_edits: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(forced.status, RunStatus::Succeeded);
    assert_eq!(bench.org.get("Account", &id).await["Name"], "Acme");
}

#[tokio::test]
async fn a_create_is_undone_by_deleting_the_record_and_a_delete_by_creating_it_again() {
    let bench = Bench::new().await;
    let contact = Target {
        connection: "sandbox",
        object: "Contact",
    };
    let created = write::create(
        &bench.workspace(),
        &bench.client,
        contact.clone(),
        &edits(&[("LastName", "Lovelace"), ("FirstName", "Ada")]),
    )
    .await
    .unwrap();
    assert!(created.answer.starts_with("Salesforce created Contact"));
    assert_eq!(
        run(&bench, created.run_id).link_name,
        format!("Contact {}", created.sf_id)
    );
    assert_eq!(
        bench.org.get("Contact", &created.sf_id).await["LastName"],
        "Lovelace"
    );

    let deleted = write::delete(&bench.workspace(), &bench.client, contact, &created.sf_id)
        .await
        .unwrap();
    assert_eq!(run(&bench, deleted.run_id).counts.deleted, 1);
    let gone = bench
        .org
        .api(Method::GET, &format!("/sobjects/Contact/{}", created.sf_id))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    // The create cannot be undone before the later delete of the same record.
    let early = undo_record_run(
        &bench.workspace(),
        created.run_id,
        &bench.client,
        UndoOptions::default(),
    )
    .await;
    assert!(
        matches!(&early, Err(RunError::Undo(m)) if m.contains(&deleted.run_id.to_string())),
        "{early:?}"
    );

    let undone = undo_record_run(
        &bench.workspace(),
        deleted.run_id,
        &bench.client,
        UndoOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(undone.counts.created, 1);
    let message = undone.message.unwrap_or_default();
    let new_id = message.rsplit(' ').next().unwrap_or_default().to_string();
    assert!(message.contains("was created again as"), "{message}");
    let back = bench.org.get("Contact", &new_id).await;
    assert_eq!(back["LastName"], "Lovelace");
    assert_eq!(back["FirstName"], "Ada");
}

#[tokio::test]
async fn a_refused_write_is_a_failed_run_with_salesforces_answer_and_the_hint() {
    let bench = Bench::new().await;
    bench
        .org
        .create(
            "Account",
            json!({ "Name": "Acme", "External_Id__c": "A-1" }),
        )
        .await;
    let id = bench
        .org
        .create("Account", json!({ "Name": "Acme Two" }))
        .await;
    let refused = write::update(
        &bench.workspace(),
        &bench.client,
        account(),
        &id,
        &edits(&[("External_Id__c", "A-1")]),
    )
    .await;
    let Err(RecordsError::Refused {
        run_id, code, hint, ..
    }) = &refused
    else {
        panic!("a duplicate external id went through: {refused:?}");
    };
    assert_eq!(code, "DUPLICATE_VALUE");
    assert!(hint.contains("another record already has"), "{hint}");
    let text = refused.as_ref().unwrap_err().to_string();
    assert!(text.starts_with("Salesforce refused the write"), "{text}");
    let failed = run(&bench, *run_id);
    assert_eq!(failed.trigger, Trigger::Records);
    assert_eq!(failed.status, RunStatus::Failed);
    assert_eq!(failed.counts.failed, 1);
    let ws = Workspace::open(&bench.workspace()).unwrap();
    let errors: Vec<(String, String)> = ws
        .conn()
        .prepare("SELECT code, hint FROM tether_run_errors WHERE run_id = ?1")
        .unwrap()
        .query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(errors, [("DUPLICATE_VALUE".to_string(), hint.clone())]);
}
