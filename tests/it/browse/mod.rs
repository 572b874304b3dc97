//! The Records page's list against the sandbox org: keyset paging, filters, search, columns.

mod filters;
mod paging;
mod search;

use serde_json::{Map, Value, json};
use tether::browse::{self, Catalog, ListPlan, ListSpec, Page, Pager};
use tether::salesforce::{Client, CollectionOptions};

/// Creates `records` of `object` and gives their ids, in order.
pub async fn create(client: &Client, object: &str, records: Vec<Value>) -> Vec<String> {
    let maps: Vec<Map<String, Value>> = records
        .into_iter()
        .map(|r| r.as_object().cloned().unwrap())
        .collect();
    let mut ids = Vec::new();
    for chunk in maps.chunks(200) {
        let results = client
            .create_many(object, chunk, CollectionOptions::default())
            .await
            .unwrap();
        for r in results {
            assert!(r.success, "create {object}: {:?}", r.errors);
            ids.push(r.id.unwrap());
        }
    }
    ids
}

/// Every page of `spec` from the first to the last, each checked to be one call.
pub async fn all_pages(client: &Client, catalog: &Catalog, spec: &ListSpec) -> Vec<Page> {
    let plan = ListPlan::new(spec, catalog).unwrap();
    let mut pager = Pager::default();
    let mut pages = Vec::new();
    loop {
        let before = client.requests_answered();
        let page = browse::fetch_page(client, &plan, pager.start())
            .await
            .unwrap();
        assert_eq!(
            client.requests_answered() - before,
            1,
            "a page is one call: {}",
            page.statement
        );
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(key) => pager.next(key),
            None => return pages,
        }
        assert!(pages.len() < 1_000, "paging does not end");
    }
}

pub fn spec(object: &str, columns: &[&str], page_size: usize) -> ListSpec {
    ListSpec {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        page_size,
        ..ListSpec::new(object)
    }
}

pub fn account(name: &str, industry: Option<&str>, revenue: Option<f64>) -> Value {
    json!({ "Name": name, "Industry": industry, "AnnualRevenue": revenue })
}
