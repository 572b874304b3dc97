//! Records every org has (the standard price book, the Account and Opportunity record types
//! their describes name) and the demo rows of the objects imports target: products with their standard
//! prices, campaigns with members, tasks on accounts and deals, and deal line items.

use serde_json::{Map, Value, json};

use super::SeedError;
use super::refused;
use crate::error::SfError;
use crate::store::{Store, Writer};

/// Ids a real org fixes: the recorded Account describe names this record type.
pub const HOUSEHOLD_RECORD_TYPE_ID: &str = "01254000001upcKAAQ";
const STANDARD_PRICE_BOOK_15: &str = "01s5g00000SBX01";

/// The standard price book's id, in its 18-character form.
pub fn standard_price_book_id() -> String {
    crate::ids::to_18(STANDARD_PRICE_BOOK_15).unwrap_or_else(|| STANDARD_PRICE_BOOK_15.into())
}

const PRODUCTS: [(&str, &str, &str, f64); 6] = [
    ("Tether Seat", "TS-SEAT", "Software", 600.0),
    ("Sync Gateway", "TS-GW", "Hardware", 2_400.0),
    ("Onboarding Package", "TS-ONB", "Services", 1_500.0),
    ("Premier Support", "TS-SUP", "Support", 900.0),
    ("Data Migration", "TS-MIG", "Services", 3_200.0),
    ("Field Kit", "TS-KIT", "Hardware", 180.0),
];

const CAMPAIGNS: [(&str, &str, &str); 3] = [
    ("Spring Webinar Series", "Webinar", "Completed"),
    ("Regional Trade Show", "Trade Show", "In Progress"),
    ("Partner Referral Drive", "Referral Program", "Planned"),
];

const TASK_SUBJECTS: [&str; 4] = ["Call", "Send Quote", "Follow up", "Email"];

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Records of the org's own setup, written as they are whatever the demo data: a real org
/// always has its standard price book.
pub fn ensure_setup_records(store: &Store) -> Result<(), SfError> {
    let now = crate::values::format_datetime_ms(crate::store::now_ms());
    let audit = |mut record: Map<String, Value>| {
        for key in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
            record.insert(key.into(), json!(now));
        }
        record.insert("IsDeleted".into(), json!(false));
        record
    };
    let wanted = [
        audit(object(json!({
            "Id": standard_price_book_id(),
            "Name": "Standard Price Book",
            "IsActive": true,
            "IsStandard": true,
            "IsArchived": false,
            "Description": "The price book every product's standard price belongs to",
        }))),
        audit(object(json!({
            "Id": HOUSEHOLD_RECORD_TYPE_ID,
            "Name": "Household",
            "DeveloperName": "Household",
            "SobjectType": "Account",
            "IsActive": true,
        }))),
        audit(object(json!({
            "Id": super::pipeline::NEW_BUSINESS_RECORD_TYPE_ID,
            "Name": "New Business",
            "DeveloperName": "New_Business",
            "SobjectType": "Opportunity",
            "IsActive": true,
        }))),
        audit(object(json!({
            "Id": super::pipeline::RENEWAL_RECORD_TYPE_ID,
            "Name": "Renewal",
            "DeveloperName": "Renewal",
            "SobjectType": "Opportunity",
            "IsActive": true,
        }))),
    ];
    for record in wanted {
        let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
        if store.get(id).is_none() {
            store.write(|w| w.restore(&record))?;
        }
    }
    Ok(())
}

/// Ids of the demo records the catalog rows hang from.
#[derive(Default)]
pub struct Parents {
    pub accounts: Vec<String>,
    pub contacts: Vec<String>,
    /// The first contact of each account, by account id.
    pub contact_of: std::collections::HashMap<String, String>,
    /// The first opportunity of each account, by account id.
    pub opportunity_of: std::collections::HashMap<String, String>,
    pub leads: Vec<String>,
    pub opportunities: Vec<String>,
}

/// Writes the demo catalog, campaigns and tasks; answers how many records were created.
pub fn seed(w: &mut Writer<'_>, owner: &str, parents: &Parents) -> Result<usize, SeedError> {
    let mut created = 0;
    let mut create = |w: &mut Writer<'_>, name: &str, fields: Value| -> Result<String, SeedError> {
        created += 1;
        w.create(name, &object(fields), owner)
            .map_err(refused(name, created))
    };
    let price_book = standard_price_book_id();
    let mut entries = Vec::new();
    for (name, code, family, price) in PRODUCTS {
        let product = create(
            w,
            "Product2",
            json!({"Name": name, "ProductCode": code, "Family": family, "IsActive": true,
                   "External_Id__c": code, "Description": format!("{name}, sold by the {} family", family.to_lowercase())}),
        )?;
        let entry = create(
            w,
            "PricebookEntry",
            json!({"Pricebook2Id": price_book, "Product2Id": product,
                   "UnitPrice": price, "IsActive": true}),
        )?;
        entries.push((product, entry, price));
    }
    for (n, opportunity) in parents.opportunities.iter().step_by(4).take(40).enumerate() {
        let (product, entry, price) = &entries[n % entries.len()];
        let quantity = (n % 5 + 1) as f64;
        create(
            w,
            "OpportunityLineItem",
            json!({"OpportunityId": opportunity, "PricebookEntryId": entry, "Product2Id": product,
                   "Quantity": quantity, "UnitPrice": price}),
        )?;
    }
    for (n, (name, kind, status)) in CAMPAIGNS.into_iter().enumerate() {
        let campaign = create(
            w,
            "Campaign",
            json!({"Name": name, "Type": kind, "Status": status, "IsActive": status != "Planned",
                   "StartDate": format!("2024-0{}-01", 3 + n), "BudgetedCost": 5_000 * (n + 1),
                   "External_Id__c": format!("CMP-{:02}", n + 1)}),
        )?;
        let members = parents.contacts.iter().skip(n).step_by(9).take(12);
        for (k, contact) in members.enumerate() {
            let status = if k % 3 == 0 { "Responded" } else { "Sent" };
            create(
                w,
                "CampaignMember",
                json!({"CampaignId": campaign, "ContactId": contact, "Status": status}),
            )?;
        }
        for lead in parents.leads.iter().skip(n).step_by(11).take(6) {
            create(
                w,
                "CampaignMember",
                json!({"CampaignId": campaign, "LeadId": lead, "Status": "Sent"}),
            )?;
        }
    }
    let targets = parents
        .accounts
        .iter()
        .step_by(5)
        .take(40)
        .chain(parents.opportunities.iter().step_by(7).take(30));
    for (n, what) in targets.enumerate() {
        let mut task = json!({
            "Subject": TASK_SUBJECTS[n % TASK_SUBJECTS.len()],
            "WhatId": what,
            "ActivityDate": format!("2024-{:02}-{:02}", n % 12 + 1, n % 27 + 1),
            "Status": if n % 3 == 0 { "Completed" } else { "Not Started" },
            "Priority": if n % 5 == 0 { "High" } else { "Normal" },
        });
        // An account's task names one of the account's people when one is at hand.
        if let Some(contact) = parents.contact_of.get(what) {
            task["WhoId"] = json!(contact);
        }
        create(w, "Task", task)?;
    }
    Ok(created)
}
