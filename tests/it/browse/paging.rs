use std::collections::HashSet;

use serde_json::Value;
use tether::browse::{self, Sort};

use super::*;
use crate::support::client::org_and_client;

/// Ties and nulls in the sort column, around page boundaries of 4 rows.
async fn seeded(client: &Client) -> Vec<String> {
    let industries = [Some("Energy"), None, Some("Banking"), Some("Energy"), None];
    let revenues = [Some(100.0), Some(100.0), None, Some(5.5), None, Some(-3.0)];
    let records: Vec<Value> = (0..37)
        .map(|i| {
            // Names repeat in other cases: text sorts and compares case aside.
            let name = if i % 3 == 0 {
                "acme"
            } else if i % 3 == 1 {
                "Acme"
            } else {
                "Bolt's"
            };
            account(name, industries[i % 5], revenues[i % 6])
        })
        .collect();
    create(client, "Account", records).await
}

/// The ids of the whole list in the org's own order, read in one query.
async fn reference_order(client: &Client, soql: &str) -> Vec<String> {
    use futures_util::StreamExt;
    let mut pages = Box::pin(client.query::<Map<String, Value>>(soql, None));
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        for record in page.unwrap().records {
            ids.push(record["Id"].as_str().unwrap().to_string());
        }
    }
    ids
}

#[tokio::test]
async fn no_row_is_lost_or_repeated_across_pages_with_ties_and_nulls_in_the_sort_column() {
    let (_org, client) = org_and_client().await;
    let created = seeded(&client).await;
    let catalog = browse::catalog(&client, "Account").await.unwrap();
    let sorts = [
        ("Industry", false, "Industry ASC NULLS FIRST, Id ASC"),
        ("Industry", true, "Industry DESC NULLS LAST, Id ASC"),
        (
            "AnnualRevenue",
            false,
            "AnnualRevenue ASC NULLS FIRST, Id ASC",
        ),
        (
            "AnnualRevenue",
            true,
            "AnnualRevenue DESC NULLS LAST, Id ASC",
        ),
        ("Name", false, "Name ASC NULLS FIRST, Id ASC"),
        ("CreatedDate", true, "CreatedDate DESC NULLS LAST, Id ASC"),
        ("Id", true, "Id DESC"),
    ];
    for (path, descending, order) in sorts {
        let mut spec = spec("Account", &["Name", "Industry", "AnnualRevenue"], 4);
        spec.sort = Some(Sort {
            path: path.to_string(),
            descending,
        });
        let pages = all_pages(&client, &catalog, &spec).await;
        let ids: Vec<String> = pages
            .iter()
            .flat_map(|p| p.rows.iter().map(|r| r.id.clone()))
            .collect();
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "{path} {descending}: a row came twice"
        );
        assert_eq!(
            ids.len(),
            created.len(),
            "{path} {descending}: rows were lost"
        );
        let expected =
            reference_order(&client, &format!("SELECT Id FROM Account ORDER BY {order}")).await;
        assert_eq!(ids, expected, "{path} {descending}: not in the org's order");
        assert_eq!(pages.len(), 10, "37 rows make 10 pages of 4");
        assert!(pages.iter().all(|p| !p.statement.contains("OFFSET")));
        assert!(pages.last().unwrap().next.is_none());
    }
}

#[tokio::test]
async fn previous_shows_the_same_rows_again() {
    let (_org, client) = org_and_client().await;
    seeded(&client).await;
    let catalog = browse::catalog(&client, "Account").await.unwrap();
    let spec = spec("Account", &["Name", "Industry"], 6);
    let plan = browse::ListPlan::new(&spec, &catalog).unwrap();
    let mut pager = browse::Pager::default();
    let first = browse::fetch_page(&client, &plan, pager.start())
        .await
        .unwrap();
    pager.next(first.next.clone().unwrap());
    let second = browse::fetch_page(&client, &plan, pager.start())
        .await
        .unwrap();
    assert_ne!(first.rows, second.rows);
    assert!(pager.previous());
    let again = browse::fetch_page(&client, &plan, pager.start())
        .await
        .unwrap();
    assert_eq!(again.rows, first.rows);
}

#[tokio::test]
async fn lookups_show_the_parents_name_never_its_id() {
    let (_org, client) = org_and_client().await;
    let account = create(&client, "Account", vec![account("Globex Corp", None, None)]).await;
    create(
        &client,
        "Contact",
        vec![serde_json::json!({"LastName": "Simpson", "AccountId": account[0]})],
    )
    .await;
    let catalog = browse::catalog(&client, "Contact").await.unwrap();
    let columns = catalog.default_columns();
    assert!(columns.contains(&"Account.Name".to_string()), "{columns:?}");
    assert!(!columns.iter().any(|c| c.ends_with("Id")), "{columns:?}");
    // A lookup named by its field is its parent's name too.
    let spec = spec("Contact", &["Name", "AccountId", "Owner.Name"], 10);
    let pages = all_pages(&client, &catalog, &spec).await;
    let row = &pages[0].rows[0];
    let plan = browse::ListPlan::new(&spec, &catalog).unwrap();
    let paths: Vec<&str> = plan.columns.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["Name", "Account.Name", "Owner.Name"]);
    assert_eq!(row.cells[1], "Globex Corp");
    assert!(
        !row.cells[2].is_empty() && !row.cells[2].starts_with("005"),
        "{row:?}"
    );
}
