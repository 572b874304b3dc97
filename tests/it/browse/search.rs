use std::collections::HashSet;

use tether::browse::{self, ListPlan};

use super::*;
use crate::support::client::org_and_client;

#[tokio::test]
async fn search_finds_records_by_name_a_page_at_a_time() {
    let (_org, client) = org_and_client().await;
    let mut records: Vec<Value> = (0..7)
        .map(|i| account(&format!("Zephyrine Holdings {i}"), Some("Energy"), None))
        .collect();
    records.push(account("Unrelated Ltd", Some("Energy"), None));
    records.push(account("Zephyrine (North) + Co", None, None));
    let created = create(&client, "Account", records).await;
    let catalog = browse::catalog(&client, "Account").await.unwrap();
    let mut spec = spec("Account", &["Name", "Industry"], 3);
    spec.search = "zephyrine".to_string();
    let pages = all_pages(&client, &catalog, &spec).await;
    assert!(
        pages[0]
            .statement
            .starts_with("FIND {zephyrine} IN ALL FIELDS RETURNING Account(")
    );
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.id.clone()))
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 8, "{pages:#?}");
    assert_eq!(unique.len(), 8);
    assert!(!ids.contains(&created[7]));
    assert_eq!(pages.len(), 3);

    // The search's own operators are searched for as typed, and filters still apply.
    spec.search = "Zephyrine (North) +".to_string();
    let found = all_pages(&client, &catalog, &spec).await;
    assert_eq!(found[0].rows.len(), 1, "{:?}", found[0].statement);
    assert_eq!(found[0].rows[0].cells[0], "Zephyrine (North) + Co");
    spec.search = "zephyrine".to_string();
    spec.filters = vec![browse::Filter::parse("Industry = null").unwrap()];
    let filtered = all_pages(&client, &catalog, &spec).await;
    assert_eq!(filtered[0].rows.len(), 1);

    spec.search = " a ".to_string();
    let error = ListPlan::new(&spec, &catalog).unwrap_err().to_string();
    assert!(error.contains("at least 2 letters or digits"), "{error}");
}
