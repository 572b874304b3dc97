//! The deterministic demo data set: accounts with billing addresses, health scores and
//! external ids (`ACME-0001`), their contacts and opportunities across every sales stage,
//! and scored leads.
//!
//! Records go through the store's own create path, in one transaction, so they pass exactly
//! the validation a client's writes pass. Only the audit fields (`CreatedDate`...) carry the
//! real time; everything else depends on the requested size alone.

mod catalog;
mod permissions;
mod pipeline;
mod records;
mod words;

use serde_json::Value;

use crate::error::SfError;
use crate::store::{Store, Writer};

pub use catalog::ensure_setup_records;
pub use permissions::ensure_permission_records;
pub use records::{Generator, STAGES};

/// The size of the demo data set: about 300 accounts and 2,400 records in all.
pub const DEMO_RECORDS: usize = 2_400;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the demo {object} record #{index} was refused ({}): the demo data no longer fits the org's schema; adjust the schema file or the seed",
        describe(.errors)
    )]
    Refused {
        object: String,
        index: usize,
        errors: Vec<SfError>,
    },
    #[error(
        "the sandbox org could not save its demo data ({}: {}). Check the data file's disk, or start without --data",
        .0.code, .0.message
    )]
    Storage(SfError),
}

impl From<SfError> for SeedError {
    fn from(e: SfError) -> Self {
        SeedError::Storage(e)
    }
}

fn refused(object: &str, index: usize) -> impl FnOnce(Vec<SfError>) -> SeedError {
    let object = object.to_string();
    move |errors| SeedError::Refused {
        object,
        index,
        errors,
    }
}

fn describe(errors: &[SfError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.code, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Seeds about `records` records owned by `owner_id` into an org without accounts; an org
/// that has accounts is left alone. Answers how many records were created.
pub fn seed_if_empty(store: &Store, owner_id: &str, records: usize) -> Result<usize, SeedError> {
    if store.count("Account") > 0 || records == 0 {
        return Ok(0);
    }
    catalog::ensure_setup_records(store)?;
    let owners = owners(store, owner_id);
    let schema = store.schema();
    store.write(|w| {
        let mut parents = catalog::Parents::default();
        let mut created = 0;
        for (index, planned) in Generator::new(records).enumerate() {
            let mut fields = planned.fields;
            // An org started from a schema file without the demo's custom fields (a template's
            // fields left for Tether to create) still gets its demo records, without them.
            let object = schema.object(planned.object);
            fields.retain(|name, _| {
                !name.ends_with("__c") || object.is_some_and(|o| o.field(name).is_some())
            });
            let account = planned
                .account
                .and_then(|a| parents.accounts.get(a))
                .cloned();
            if let Some(id) = &account {
                fields.insert("AccountId".into(), Value::String(id.clone()));
            }
            let owner = owners.get(planned.owner).map_or(owner_id, String::as_str);
            if owner != owner_id {
                fields.insert("OwnerId".into(), Value::String(owner.to_string()));
            }
            let id = w
                .create(planned.object, &fields, owner_id)
                .map_err(refused(planned.object, index))?;
            match planned.object {
                "Account" => parents.accounts.push(id.clone()),
                "Contact" => {
                    if let Some(account) = account {
                        parents
                            .contact_of
                            .entry(account)
                            .or_insert_with(|| id.clone());
                    }
                    parents.contacts.push(id.clone());
                }
                "Lead" => parents.leads.push(id.clone()),
                "Opportunity" => {
                    if let Some(account) = account {
                        parents
                            .opportunity_of
                            .entry(account)
                            .or_insert_with(|| id.clone());
                    }
                    parents.opportunities.push(id.clone());
                }
                _ => {}
            }
            if !planned.later.is_empty() {
                let converted = planned.converted_into.and_then(|a| parents.accounts.get(a));
                set_later(w, &id, planned.later, converted, &parents)?;
            }
            created += 1;
        }
        created += catalog::seed(w, owner_id, &parents)?;
        Ok(created)
    })
}

/// The ids of the owners records are spread over: the seeding user, then the sales reps
/// (created when the org has a `User` object; without one, the seeding user owns all).
fn owners(store: &Store, owner_id: &str) -> Vec<String> {
    let mut owners = vec![owner_id.to_string()];
    if store.schema().object("User").is_none() {
        return owners;
    }
    for rep in pipeline::rep_users() {
        let username = rep.get("Username").and_then(Value::as_str).unwrap_or("");
        let existing = store
            .find_by_key("User", "Username", username)
            .into_iter()
            .next();
        let id = existing.or_else(|| store.write(|w| w.create("User", &rep, owner_id)).ok());
        match id {
            Some(id) => owners.push(id),
            None => return vec![owner_id.to_string()],
        }
    }
    owners
}

/// What the org sets itself after a create: a creation date kept by an import, and a lead's
/// conversion (into an account, its first contact and opportunity), as `convertLead` leaves it.
fn set_later(
    w: &mut Writer<'_>,
    id: &str,
    later: serde_json::Map<String, Value>,
    converted_into: Option<&String>,
    parents: &catalog::Parents,
) -> Result<(), SeedError> {
    let Some(mut record) = w.get(id) else {
        return Ok(());
    };
    record.extend(later);
    if let Some(account) = converted_into {
        record.insert("ConvertedAccountId".into(), Value::String(account.clone()));
        for (field, of) in [
            ("ConvertedContactId", &parents.contact_of),
            ("ConvertedOpportunityId", &parents.opportunity_of),
        ] {
            if let Some(child) = of.get(account) {
                record.insert(field.into(), Value::String(child.clone()));
            }
        }
    }
    w.restore(&record)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::records::{Planned, plan};
    use super::*;
    use crate::schema::Schema;

    const OWNER: &str = "0055g0000000001AAA";

    fn store() -> Store {
        Store::open(None, Arc::new(Schema::standard().unwrap())).unwrap()
    }

    fn of<'a>(plan: &'a [Planned], object: &str) -> Vec<&'a Planned> {
        plan.iter().filter(|p| p.object == object).collect()
    }

    #[test]
    fn the_plan_depends_on_the_size_alone() {
        assert_eq!(plan(DEMO_RECORDS), plan(DEMO_RECORDS));
        let (small, large) = (plan(DEMO_RECORDS), plan(DEMO_RECORDS * 2));
        let (small_accounts, large_accounts) = (of(&small, "Account"), of(&large, "Account"));
        assert_eq!(
            large_accounts[..300],
            small_accounts[..],
            "a larger set starts with the same accounts"
        );
        assert_ne!(large_accounts[300..600], large_accounts[..300]);
    }

    #[test]
    fn the_demo_size_is_about_three_hundred_accounts() {
        let demo = plan(DEMO_RECORDS);
        assert_eq!(of(&demo, "Account").len(), 300);
        assert!(
            (2_000..=3_000).contains(&demo.len()),
            "{} records",
            demo.len()
        );
        assert!((600..=1_200).contains(&of(&demo, "Contact").len()));
        assert!((300..=900).contains(&of(&demo, "Opportunity").len()));
        assert_eq!(of(&demo, "Lead").len(), DEMO_RECORDS / 4);
        let accounts = of(&demo, "Account").len();
        assert!(demo.iter().filter_map(|p| p.account).all(|a| a < accounts));
    }

    #[test]
    fn opportunities_cover_every_stage() {
        let demo = plan(DEMO_RECORDS);
        let stages: BTreeSet<&str> = demo
            .iter()
            .filter_map(|c| c.fields.get("StageName").and_then(Value::as_str))
            .collect();
        assert_eq!(stages, STAGES.into_iter().collect());
    }

    #[test]
    fn seeding_passes_validation_once() {
        let store = store();
        let created = seed_if_empty(&store, OWNER, 800).unwrap();
        let catalog = [
            "Product2",
            "PricebookEntry",
            "OpportunityLineItem",
            "Campaign",
            "CampaignMember",
            "Task",
        ];
        for object in catalog {
            assert!(store.count(object) > 0, "{object} seeded");
        }
        let counted: usize = ["Account", "Contact", "Opportunity", "Lead"]
            .iter()
            .chain(&catalog)
            .map(|o| store.count(o))
            .sum();
        assert_eq!(counted, created);
        assert!(created > plan(800).len());
        assert_eq!(
            seed_if_empty(&store, OWNER, 800).unwrap(),
            0,
            "a seeded org is left alone"
        );
        assert_eq!(
            store
                .find_by_key("Account", "External_Id__c", "ACME-0001")
                .len(),
            1
        );
    }
}
