//! A sandbox org kept in a SQLite file survives restarts.

use sandbox_org::OrgConfig;
use serde_json::json;

#[tokio::test]
async fn an_org_in_a_file_keeps_its_records_and_ids_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let config = || OrgConfig {
        data_file: Some(dir.path().join("org.db")),
        ..OrgConfig::default()
    };

    let t = crate::support::org::start_with(config()).await;
    let first = t
        .create(
            "Account",
            json!({"Name": "Durable", "External_Id__c": "D-1"}),
        )
        .await;
    let org_id = t.org.org().config.org_id.clone();
    let users_before = t.org.org().store.count("User");
    t.org.shutdown().await;

    let t = crate::support::org::start_with(config()).await;
    let record = t.get("Account", &first).await;
    assert_eq!(record["Name"], "Durable");
    assert_eq!(
        t.org
            .org()
            .store
            .find_by_key("Account", "External_Id__c", "d-1"),
        vec![first.clone()]
    );
    let second = t.create("Account", json!({"Name": "Later"})).await;
    assert_ne!(second, first, "ids minted after a restart never repeat");
    assert_eq!(
        t.org.org().store.count("User"),
        users_before,
        "restarting does not add users again"
    );
    assert!(t.org.org().store.get(&org_id).is_some());
}

#[tokio::test]
async fn a_data_file_in_a_missing_folder_is_an_actionable_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = OrgConfig {
        data_file: Some(dir.path().join("no/such/folder/org.db")),
        ..OrgConfig::default()
    };
    let err = match sandbox_org::SandboxOrg::start(config).await {
        Ok(_) => panic!("a data file in a missing folder must be refused"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("data file") && err.contains("folder"), "{err}");
}
