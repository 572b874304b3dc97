//! Aggregate statements through the query endpoints of a running sandbox org: every row in one
//! page whatever the batch size, no locator, and the org's refusal past 2,000 rows.

use reqwest::Method;
use sandbox_org::testing::SfError;
use serde_json::{Map, Value, json};

use crate::support::org::{TestOrg, answer, error_code, start};

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// `count` accounts named `Account 0000`..., in the industries given in turn.
fn seed_accounts(t: &TestOrg, count: usize, industries: &[&str]) {
    let owner = t.org.org().auth.admin_user_id();
    t.org
        .org()
        .store
        .write(|w| {
            (0..count)
                .map(|i| {
                    let industry = industries[i % industries.len()];
                    let record = json!({"Name": format!("Account {i:04}"), "Industry": industry, "NumberOfEmployees": i});
                    w.create("Account", &fields(record), &owner)
                })
                .collect::<Result<Vec<String>, Vec<SfError>>>()
        })
        .expect("accounts are created");
}

async fn query(t: &TestOrg, resource: &str, soql: &str, batch: Option<u32>) -> (u16, Value) {
    let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    let mut request = t.api(Method::GET, &format!("/{resource}?q={q}"));
    if let Some(n) = batch {
        request = request.header("Sforce-Query-Options", format!("batchSize={n}"));
    }
    answer(request.send().await.expect("query request")).await
}

#[tokio::test]
async fn aggregate_rows_come_in_one_page_whatever_the_batch_size() {
    let t = start().await;
    seed_accounts(&t, 450, &["Energy", "Banking", "Retail"]);
    for resource in ["query", "queryAll"] {
        let (status, body) = query(
            &t,
            resource,
            "SELECT Name, MAX(NumberOfEmployees) most FROM Account GROUP BY Name ORDER BY Name",
            Some(200),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (
                &body["totalSize"],
                &body["done"],
                body.get("nextRecordsUrl")
            ),
            (&json!(450), &json!(true), None),
            "{resource}: an aggregate answer is never paged"
        );
        let records = body["records"].as_array().expect("records");
        assert_eq!(records.len(), 450);
        assert_eq!(
            records[449],
            json!({"attributes": {"type": "AggregateResult"}, "Name": "Account 0449", "most": 449})
        );
    }
    let (_, body) = query(
        &t,
        "query",
        "SELECT Industry, COUNT(Id), SUM(NumberOfEmployees) FROM Account GROUP BY ROLLUP(Industry) ORDER BY Industry NULLS LAST",
        None,
    )
    .await;
    assert_eq!(
        body["records"],
        json!([
            {"attributes": {"type": "AggregateResult"}, "Industry": "Banking", "expr0": 150, "expr1": 33675},
            {"attributes": {"type": "AggregateResult"}, "Industry": "Energy", "expr0": 150, "expr1": 33525},
            {"attributes": {"type": "AggregateResult"}, "Industry": "Retail", "expr0": 150, "expr1": 33825},
            {"attributes": {"type": "AggregateResult"}, "Industry": null, "expr0": 450, "expr1": 101025},
        ])
    );
}

#[tokio::test]
async fn more_than_two_thousand_aggregate_rows_are_refused() {
    let t = start().await;
    seed_accounts(&t, 2001, &["Energy"]);
    let (status, body) = query(
        &t,
        "query",
        "SELECT Name, COUNT(Id) FROM Account GROUP BY Name",
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "EXCEEDED_ID_LIMIT");
    assert_eq!(
        body[0]["message"],
        "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
    );
    let (status, body) = query(
        &t,
        "query",
        "SELECT Name, COUNT(Id) FROM Account GROUP BY Name LIMIT 2000",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["totalSize"], &body["done"]),
        (&json!(2000), &json!(true))
    );
}
