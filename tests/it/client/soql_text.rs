//! The client's Id checks and SOQL literals against the sandbox org: its Ids pass the client's
//! checks as the org reads them, and quoted text finds the record that holds it.

use crate::support::client::*;
use futures_util::TryStreamExt;
use proptest::prelude::*;
use sandbox_org::testing as ids;
use serde_json::{Map, Value, json};
use tether::salesforce::soql_text::{IN_LIST_BYTES, in_lists, quote, quote_like_prefix};
use tether::salesforce::{BatchSize, check_id};

proptest! {
    #[test]
    fn the_client_reads_every_id_the_org_mints_as_the_org_does(
        prefix in "[0-9a-zA-Z]{3}",
        serial in 0u64..u64::MAX / 2,
        lower in any::<bool>(),
    ) {
        let id = ids::mint(&prefix, serial);
        prop_assert_eq!(check_id(&id), Ok(id.clone()));
        prop_assert_eq!(check_id(&id[..15]), Ok(id.clone()));
        let recased = if lower { id.to_lowercase() } else { id.to_uppercase() };
        prop_assert_eq!(check_id(&recased).ok(), ids::to_18(&recased));
    }

    #[test]
    fn an_id_the_client_accepts_is_the_same_record_to_the_org(text in "[0-9a-zA-Z]{18}|[0-9a-zA-Z]{15}|.{0,20}") {
        match check_id(&text) {
            Ok(id) => prop_assert_eq!(Some(id), ids::to_18(&text)),
            Err(_) if text.len() == 18 => {}
            Err(_) => prop_assert_eq!(ids::to_18(&text), None),
        }
    }
}

async fn names(client: &tether::salesforce::Client, soql: &str) -> Vec<String> {
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, Some(BatchSize(2000)))
        .try_collect()
        .await
        .expect("the query runs");
    let mut names: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.records)
        .filter_map(|r| r.get("Name").and_then(Value::as_str).map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quoted_text_finds_the_record_that_holds_it() {
    let (org, client) = org_and_client().await;
    let awkward = [
        "O'Brien \\ Sons",
        "The \"Best\" Co",
        "Two\nlines\tand\ra\u{8}bell\u{c}",
        "50% off_sale",
        "Zoë Ltd",
    ];
    for name in awkward {
        org.create("Account", json!({"Name": name})).await;
    }
    org.create("Account", json!({"Name": "50 percent"})).await;
    for name in awkward {
        let soql = format!("SELECT Name FROM Account WHERE Name = {}", quote(name));
        assert_eq!(
            names(&client, &soql).await,
            vec![name.to_string()],
            "{soql}"
        );
    }
    let like = format!(
        "SELECT Name FROM Account WHERE Name LIKE {}",
        quote_like_prefix("50%")
    );
    assert_eq!(
        names(&client, &like).await,
        vec!["50% off_sale".to_string()]
    );

    let mut wanted: Vec<String> = awkward.iter().map(|n| n.to_string()).collect();
    wanted.extend((0..300).map(|i| format!("Nobody {i}")));
    let lists = in_lists("Name", &wanted, IN_LIST_BYTES / 4);
    assert!(lists.len() > 1, "{} lists", lists.len());
    let mut found = Vec::new();
    for list in lists {
        found.extend(names(&client, &format!("SELECT Name FROM Account WHERE {list}")).await);
    }
    found.sort();
    let mut expected: Vec<String> = awkward.iter().map(|n| n.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
}
