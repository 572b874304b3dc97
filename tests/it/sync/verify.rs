//! Links verified against the describes a running sandbox org serves over HTTP, as
//! `tether link verify` does.

use crate::support::client::org_and_client;
use tether::sync::link::{Direction, FieldMapping};
use tether::sync::templates;
use tether::sync::verify::{Severity, describes_for, has_errors, verify};
use tether::workspace::Workspace;

fn workspace(dir: &tempfile::TempDir, name: &str) -> Workspace {
    Workspace::open(&dir.path().join(format!("{name}.sqlite"))).expect("workspace opens")
}

#[tokio::test]
async fn every_template_verifies_without_errors_against_the_org() {
    let (_org, client) = org_and_client().await;
    let dir = tempfile::tempdir().expect("tempdir");
    for template in templates::all() {
        let mut ws = workspace(&dir, template.name);
        templates::install(&mut ws, &template, "sandbox").expect("installs");
        for stored in ws.links().expect("links") {
            let link = stored.link;
            let (describe, parents) = describes_for(&client, &link).await.expect("describes");
            assert_eq!(describe.name, link.object);
            if link.fields.iter().any(|f| f.parent_reference().is_some()) {
                assert!(
                    parents.contains_key("Account"),
                    "{}: {parents:?}",
                    link.name
                );
            }
            let problems = verify(&link, &describe, &parents, ws.conn());
            let errors: Vec<String> = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .map(ToString::to_string)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", link.name);
        }
    }
}

#[tokio::test]
async fn mistakes_and_unfit_values_are_found_with_the_live_describe() {
    let (_org, client) = org_and_client().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ws = workspace(&dir, "service");
    let template = templates::find("service-customers").expect("shipped");
    templates::install(&mut ws, &template, "sandbox").expect("installs");
    ws.conn()
        .execute(
            "INSERT INTO service_customers (st_id, name, last_name, zip) VALUES ('st_1', 'Pool Co', 'Smith', ?1)",
            ["9".repeat(30)],
        )
        .expect("row");

    let mut contacts = ws.link("service-contacts").expect("installed").link;
    contacts.fields.retain(|f| f.remote != "LastName");
    contacts
        .fields
        .push(FieldMapping::column("email", "Emial", Direction::Push));
    if let Some(account) = contacts
        .fields
        .iter_mut()
        .find(|f| f.remote == "Account.ServiceTitan_Account_Id__c")
    {
        account.remote = "Account.Name".into();
    }
    contacts
        .fields
        .push(FieldMapping::expression("last_name ||", "Description"));

    let (describe, parents) = describes_for(&client, &contacts).await.expect("describes");
    let problems = verify(&contacts, &describe, &parents, ws.conn());
    assert!(has_errors(&problems));
    // (field, words in the message)
    let expected = [
        ("LastName", "required to create a record"),
        ("Emial", "did you mean `Email`"),
        ("Account.Name", "not an external-id field"),
        ("Description", "does not compile"),
        ("MailingPostalCode", "row st_1 (30 characters)"),
    ];
    for (field, words) in expected {
        assert!(
            problems.iter().any(|p| p.severity == Severity::Error
                && p.field.as_deref() == Some(field)
                && p.message.contains(words)),
            "{field}: {words}: {:#?}",
            problems.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
    }
}
