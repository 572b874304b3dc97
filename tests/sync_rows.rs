//! Rows the engine must read as the user meant them, against the sandbox org: a malformed Id
//! in one row, an edit to another column, an empty checkbox.

mod sync_support;

use serde_json::{Value, json};
use sync_support::*;
use tether::sync::workspace::journal::{self, RunStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_id_in_one_row_fails_only_that_row() {
    let bench = Bench::new().await;
    let acme = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute(&format!(
        "INSERT INTO customers (id, sf_id, name, health_score) VALUES
           (1, '{acme}', 'Acme', 70), (2, '{globex}', 'Globex', 80), (3, '001X', 'Broken', 90)"
    ));
    bench.add_link(customers_link("salesforce_wins"));

    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Partial, "{run:?}");
    let errors = journal::errors(&bench.db(), Some(run.run_id), 10).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(error.code, "INVALID_ID");
    assert_eq!(error.row_key.as_deref(), Some("3"));
    for named in ["row 3", "`sf_id`", "`001X`"] {
        assert!(error.message.contains(named), "{named}: {}", error.message);
    }
    assert!(error.hint.contains("clear it"), "{}", error.hint);

    assert_eq!(
        bench.get("Account", &acme).await["Health_Score__c"],
        json!(70.0)
    );
    assert_eq!(
        bench.get("Account", &globex).await["Health_Score__c"],
        json!(80.0)
    );
    assert_eq!(
        bench.rows("SELECT id, sf_id, name, industry FROM customers ORDER BY id"),
        vec![
            vec![json!(1), json!(acme), json!("Acme"), json!("Energy")],
            vec![json!(2), json!(globex), json!("Globex"), Value::Null],
            vec![json!(3), json!("001X"), json!("Broken"), Value::Null],
        ],
        "the good rows synced, the bad one is left as it was"
    );

    bench.execute("UPDATE customers SET sf_id = NULL WHERE id = 3");
    let fixed = bench.sync("customers").await;
    assert_eq!(fixed.status, RunStatus::Succeeded, "{fixed:?}");
}
