//! A sandbox org kept in a SQLite file survives restarts, and a failure of its storage is
//! answered as one (500 `UNKNOWN_EXCEPTION`), never as a success or a short complete answer.

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

async fn account_names(t: &crate::support::org::TestOrg, name: &str) -> (u16, serde_json::Value) {
    let soql = format!("SELECT Id FROM Account WHERE Name = '{name}'");
    crate::support::org::answer(
        t.api(reqwest::Method::GET, "/query")
            .query(&[("q", soql.as_str())])
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn create_answer(t: &crate::support::org::TestOrg, name: &str) -> (u16, serde_json::Value) {
    crate::support::org::answer(
        t.api(reqwest::Method::POST, "/sobjects/Account/")
            .json(&json!({ "Name": name }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_write_whose_commit_fails_is_answered_500_and_not_reported_saved() {
    let t = crate::support::org::start().await;
    // SQLite turns the COMMIT into a rollback and fails it, as a full disk would.
    t.org
        .org()
        .store
        .with_connection(|conn| conn.commit_hook(Some(|| true)))
        .unwrap();
    let (status, body) = create_answer(&t, "Never committed").await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(
        crate::support::org::error_code(&body),
        "UNKNOWN_EXCEPTION",
        "{body}"
    );

    t.org
        .org()
        .store
        .with_connection(|conn| conn.commit_hook(None::<fn() -> bool>))
        .unwrap();
    let (status, body) = account_names(&t, "Never committed").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalSize"], 0, "nothing was kept: {body}");
    let (status, body) = create_answer(&t, "Committed").await;
    assert_eq!(
        status, 201,
        "writes succeed again once storage does: {body}"
    );
}

#[tokio::test]
async fn a_write_whose_begin_fails_is_answered_500_and_the_org_keeps_answering() {
    let t = crate::support::org::start().await;
    // A transaction left open on the store's connection makes its next BEGIN fail.
    t.org
        .org()
        .store
        .with_connection(|conn| conn.execute_batch("BEGIN"))
        .unwrap();
    let (status, body) = create_answer(&t, "No transaction").await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(
        crate::support::org::error_code(&body),
        "UNKNOWN_EXCEPTION",
        "{body}"
    );

    t.org
        .org()
        .store
        .with_connection(|conn| conn.execute_batch("ROLLBACK"))
        .unwrap();
    let (status, body) = create_answer(&t, "After the failure").await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_query_whose_scan_fails_part_way_is_answered_500_not_a_short_complete_page() {
    let t = crate::support::org::start().await;
    let store = &t.org.org().store;
    let ids: Vec<String> = store
        .write(|w| {
            (0..700)
                .map(|i| {
                    let record = json!({ "Name": format!("Scanned {i:03}") });
                    w.create("Account", record.as_object().unwrap(), "")
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    // Damage a row past the scan's first chunk: its data can no longer be read as text.
    let mut sorted = ids.clone();
    sorted.sort();
    let damaged = sorted[650].clone();
    store
        .with_connection(|conn| {
            conn.execute(
                "UPDATE records SET data = x'00ff' WHERE id = ?1",
                [damaged.as_str()],
            )
        })
        .unwrap();

    let (status, body) = crate::support::org::answer(
        t.api(reqwest::Method::GET, "/query")
            .query(&[("q", "SELECT Id, Name FROM Account")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status, 500,
        "totalSize {} done {}",
        body["totalSize"], body["done"]
    );
    assert_eq!(
        crate::support::org::error_code(&body),
        "UNKNOWN_EXCEPTION",
        "{body}"
    );

    let (status, body) = crate::support::org::answer(
        t.api(reqwest::Method::GET, "/query")
            .query(&[("q", "SELECT COUNT() FROM Account")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 500, "a count over the damaged rows: {body}");
}

#[tokio::test]
async fn a_collection_write_whose_commit_fails_is_answered_500_not_per_record_success() {
    let t = crate::support::org::start().await;
    t.org
        .org()
        .store
        .with_connection(|conn| conn.commit_hook(Some(|| true)))
        .unwrap();
    let (status, body) = crate::support::org::answer(
        t.api(reqwest::Method::POST, "/composite/sobjects")
            .json(&json!({
                "allOrNone": false,
                "records": [
                    { "attributes": { "type": "Account" }, "Name": "Batch one" },
                    { "attributes": { "type": "Account" }, "Name": "Batch two" },
                ],
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(
        crate::support::org::error_code(&body),
        "UNKNOWN_EXCEPTION",
        "{body}"
    );
}
