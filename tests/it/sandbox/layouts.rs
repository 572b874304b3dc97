//! Page layouts (`/describe/layouts`) and compact layouts over real HTTP: sections of fields
//! that exist, each carrying its own describe, and every advertised link answering.

use reqwest::Method;
use serde_json::Value;

use crate::support::org::{TestOrg, V, answer, error_code, start};

async fn get(t: &TestOrg, path: &str) -> (u16, Value) {
    let path = path
        .strip_prefix(&format!("/services/data/{V}"))
        .unwrap_or(path);
    answer(t.api(Method::GET, path).send().await.unwrap()).await
}

fn headings(sections: &Value) -> Vec<&str> {
    sections
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["heading"].as_str().unwrap())
        .collect()
}

/// Every field component of a section list, as (label, value, component).
fn field_items(sections: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for section in sections.as_array().unwrap() {
        assert_eq!(
            section["rows"],
            section["layoutRows"].as_array().unwrap().len(),
            "{section}"
        );
        for row in section["layoutRows"].as_array().unwrap() {
            let items = row["layoutItems"].as_array().unwrap();
            assert_eq!(row["numItems"], items.len());
            assert_eq!(items.len(), section["columns"].as_u64().unwrap() as usize);
            for item in items {
                for component in item["layoutComponents"].as_array().unwrap() {
                    if component["type"] == "Field" {
                        out.push((
                            item["label"].as_str().unwrap().to_string(),
                            component["value"].as_str().unwrap().to_string(),
                            item.clone(),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn an_account_layout_shows_real_fields_in_the_standard_sections() {
    let t = start().await;
    let (status, body) = get(&t, "/sobjects/Account/describe/layouts").await;
    assert_eq!(status, 200, "{body}");
    let (_, describe) = get(&t, "/sobjects/Account/describe").await;
    let described: Vec<&str> = describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();

    let layout = &body["layouts"][0];
    let detail = headings(&layout["detailLayoutSections"]);
    assert_eq!(
        &detail[..3],
        [
            "Account Information",
            "Address Information",
            "Description Information"
        ]
    );
    assert_eq!(detail.last(), Some(&"System Information"));
    assert!(!headings(&layout["editLayoutSections"]).contains(&"System Information"));

    let items = field_items(&layout["detailLayoutSections"]);
    for (_, value, item) in &items {
        assert!(
            described.contains(&value.as_str()),
            "{value} is not in the describe"
        );
        assert_eq!(
            item["layoutComponents"][0]["details"]["name"],
            value.as_str()
        );
    }
    let edit_items = field_items(&layout["editLayoutSections"]);
    let (label, _, name) = edit_items.iter().find(|(_, v, _)| v == "Name").unwrap();
    assert_eq!(label, "Account Name");
    assert_eq!(
        (name["required"].clone(), name["editableForNew"].clone()),
        (true.into(), true.into())
    );
    let (label, _, _) = items.iter().find(|(_, v, _)| v == "OwnerId").unwrap();
    assert_eq!(label, "Account Owner");
    let (_, _, billing) = items
        .iter()
        .find(|(_, v, _)| v == "BillingAddress")
        .unwrap();
    let parts: Vec<&str> = billing["layoutComponents"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert!(
        parts.contains(&"BillingStreet") && parts.contains(&"BillingCity"),
        "{parts:?}"
    );

    let contacts = layout["relatedLists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Contacts")
        .expect("a Contacts related list");
    assert_eq!(
        (contacts["sobject"].as_str(), contacts["field"].as_str()),
        (Some("Contact"), Some("AccountId"))
    );

    let mapping = &body["recordTypeMappings"][0];
    assert_eq!(mapping["master"], true);
    assert_eq!(mapping["layoutId"], layout["id"]);
    let (status, same) = get(&t, mapping["urls"]["layout"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(&same, layout);
    let (status, missing) = get(&t, "/sobjects/Account/describe/layouts/012000000000001AAA").await;
    assert_eq!(
        (status, error_code(&missing)),
        (404, "NOT_FOUND"),
        "{missing}"
    );
}

#[tokio::test]
async fn every_object_answers_its_advertised_layout_and_list_view_links() {
    let t = start().await;
    let (_, global) = get(&t, "/sobjects").await;
    for entry in global["sobjects"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let (status, describe) = get(&t, &format!("/sobjects/{name}/describe")).await;
        assert_eq!(status, 200, "{name}: {describe}");
        for link in ["layouts", "compactLayouts", "approvalLayouts", "listviews"] {
            let Some(url) = describe["urls"][link].as_str() else {
                continue;
            };
            let (status, body) = get(&t, url).await;
            assert_eq!(status, 200, "{name} {link} {url}: {body}");
        }
        let (_, layouts) = get(&t, &format!("/sobjects/{name}/describe/layouts")).await;
        let sections = &layouts["layouts"][0]["detailLayoutSections"];
        assert!(
            !field_items(sections).is_empty(),
            "{name}: a layout with no fields"
        );
    }
}
