//! The first mapping proposed for a sheet, against the sandbox org's describes, and the names
//! a check suggests for a parent it cannot find.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tether::import::auto::propose;
use tether::import::parse::NumberLocale;

#[path = "sync_support/mod.rs"]
mod sync_support;
use sync_support::*;

#[path = "import_support/messy.rs"]
mod messy;

#[path = "import_support/load.rs"]
mod load;
use load::*;

fn owned(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_proposals_account_names_an_account_customer_and_rep_are_lookups() {
    let bench = Bench::new().await;

    // On an accounts sheet, `Account` is the account's own name.
    let accounts = bench.client.describe("Account").await.unwrap();
    let headers = owned(&["Account", "Phone", "Website"]);
    let sample = vec![owned(&["Acme", "555-0100", "acme.example"])];
    let proposal = propose(&accounts, &headers, &sample);
    let columns: Vec<(&str, &str)> = proposal
        .mapping
        .columns
        .iter()
        .map(|c| (c.column.as_str(), c.field.as_str()))
        .collect();
    assert!(columns.contains(&("Account", "Name")), "{proposal:#?}");
    assert!(proposal.mapping.lookups.is_empty(), "{proposal:#?}");

    // On a deals sheet, the customer is the Account and the rep the Owner.
    let deals = bench.client.describe("Opportunity").await.unwrap();
    let headers = owned(&["Deal Name", "Customer", "Rep", "Amount", "Close Date"]);
    let sample = vec![owned(&[
        "Big deal",
        "Acme",
        "Jane Doe",
        "$1,200.00",
        "03/04/2024",
    ])];
    let proposal = propose(&deals, &headers, &sample);
    let lookups: Vec<(&str, &str, &str)> = proposal
        .mapping
        .lookups
        .iter()
        .map(|l| (l.column.as_str(), l.field.as_str(), l.object.as_str()))
        .collect();
    assert_eq!(
        lookups,
        [
            ("Customer", "AccountId", "Account"),
            ("Rep", "OwnerId", "User")
        ],
        "{proposal:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_proposals_similar_names_ignore_accents_and_case() {
    let bench = Bench::new().await;
    create_accounts(
        &bench.client,
        &owned(&["Sönron Energie", "Sonnenschein GmbH", "Globex Inc"]),
    )
    .await;
    let file = write(
        bench.dir.path(),
        "near.csv",
        "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
         S-1,First,SONRON Energy,Won,$10,01/02/2024,Widget Pro\r\n\
         S-2,Second,sönron energi,Won,$20,01/03/2024,Widget Pro\r\n",
    );
    let check = import(
        &bench,
        &file,
        &mapping("MM/DD/YYYY", NumberLocale::English),
        true,
    )
    .await;
    assert_eq!(check.invalid, 2, "{check:?}");
    assert_eq!(
        check.unresolved["AccountId"],
        [
            ("SONRON Energy".to_string(), owned(&["Sönron Energie"])),
            ("sönron energi".to_string(), owned(&["Sönron Energie"])),
        ]
        .into()
    );
}
