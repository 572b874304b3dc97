//! The Records page's list on the real service and the built-in sandbox org: pick an object,
//! find an account by search, open it, and come back to the same list.

use egui_kittest::kittest::Queryable;
use serde_json::{Map, Value};

use crate::e2e::type_into;
use crate::support::live::{click, nav, org_client, wait_for, wait_until, window};

#[test]
fn a_person_finds_an_account_by_search_and_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(dir.path(), 200, false, 800.0);
    click(&mut h, "Explore the sandbox org");
    wait_until(&mut h, "the sandbox connection", |h| {
        !h.state().model().connections.is_empty()
    });
    let instance = h.state().model().connections[0].instance_url.clone();
    let (runtime, client) = org_client(&instance);
    let id = runtime.block_on(async {
        let mut record = Map::new();
        record.insert("Name".into(), Value::from("Zephyrine Holdings"));
        record.insert("Industry".into(), Value::from("Energy"));
        let saved = client
            .create_many("Account", &[record], Default::default())
            .await
            .unwrap();
        saved[0].id.clone().unwrap()
    });

    nav(&mut h, "Records");
    click(&mut h, "Salesforce object");
    type_into(&mut h, "Search objects", "Account");
    click(&mut h, "Account (Account)");
    // The first page comes by itself, sorted by name, with the name and common columns.
    wait_for(&mut h, "Account Name ⏶");
    wait_for(&mut h, "Page 1");
    let first = h.state().records().list.page().unwrap().rows.len();
    assert!(first > 1, "every account is listed before the search");

    type_into(&mut h, "Search records", "zephyrine");
    click(&mut h, "Search");
    wait_for(&mut h, "Zephyrine Holdings");
    let found = h.state().records().list.page().unwrap();
    assert_eq!(found.rows.len(), 1, "the search keeps the one account");
    assert!(
        found.statement.starts_with("FIND {zephyrine}"),
        "{}",
        found.statement
    );
    click(&mut h, "Zephyrine Holdings");

    let open = h
        .state()
        .records()
        .record
        .as_ref()
        .expect("the record opened");
    assert_eq!(
        (open.object.as_str(), open.id.as_deref()),
        ("Account", Some(id.as_str())),
        "clicking the row opens its record"
    );
    assert!(
        h.query_by_label("Search records").is_none(),
        "the record replaces the list"
    );

    click(&mut h, "← Records");
    wait_for(&mut h, "Zephyrine Holdings");
    assert!(h.query_by_label("Search records").is_some());
}
