use tether::browse::{self, BrowseError, Filter, ListPlan};

use super::*;
use crate::support::client::org_and_client;

fn filters(texts: &[&str]) -> Vec<Filter> {
    texts.iter().map(|t| Filter::parse(t).unwrap()).collect()
}

#[tokio::test]
async fn filters_are_checked_against_the_fields_type_and_name_the_field() {
    let (_org, client) = org_and_client().await;
    let catalog = browse::catalog(&client, "Account").await.unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "AnnualRevenue >= lots",
            "`lots` is not a value of Annual Revenue (currency): write a number",
        ),
        ("Nope__c = 1", "Account has no field `Nope__c`"),
        (
            "AnnualRevenue like 10",
            "`like` does not apply to Annual Revenue (currency); use =, !=, <, <=, >, >=",
        ),
        (
            "Id = 001X",
            "`001X` is not a value of Account ID (id): it has 4 characters",
        ),
        (
            "CreatedDate > 31/01/2024",
            "Created Date (datetime): write a date and time",
        ),
        ("Name ~ Acme", "`~` is not an operator"),
        (
            "Description = x",
            "Account Description cannot be filtered in Salesforce (textarea)",
        ),
        ("IsDeleted = maybe", "write true or false"),
    ];
    for (text, says) in cases {
        let mut spec = spec("Account", &["Name"], 10);
        spec.filters = filters(&[text]);
        let error = ListPlan::new(&spec, &catalog).expect_err(text).to_string();
        assert!(error.contains(says), "{text}: {error}");
    }
    let shape = Filter::parse("Name").unwrap_err();
    assert!(matches!(shape, BrowseError::FilterShape { .. }));
    assert!(shape.to_string().contains("write e.g. `Name = Acme`"));
}

#[tokio::test]
async fn filter_values_are_quoted_so_they_match_only_themselves() {
    let (_org, client) = org_and_client().await;
    create(
        &client,
        "Account",
        vec![
            account("O'Brien & Sons", Some("Energy"), Some(2500.0)),
            account("50% Off_Shop", Some("Retail"), Some(10.0)),
            account("500 Offices", None, Some(99999.0)),
            account("Plain", Some("Energy"), None),
        ],
    )
    .await;
    let catalog = browse::catalog(&client, "Account").await.unwrap();
    let names = |pages: Vec<browse::Page>| -> Vec<String> {
        let mut names: Vec<String> = pages
            .into_iter()
            .flat_map(|p| p.rows.into_iter().map(|r| r.cells[0].clone()))
            .collect();
        names.sort();
        names
    };
    let cases: &[(&[&str], &[&str])] = &[
        (&["Name = O'Brien & Sons"], &["O'Brien & Sons"]),
        (&["Name = 'x' OR Name != 'y'"], &[]),
        (&["Name like 50%"], &["50% Off_Shop"]),
        (&["Name starts 50"], &["50% Off_Shop", "500 Offices"]),
        (&["Industry = null"], &["500 Offices"]),
        (
            &["Industry = energy", "AnnualRevenue > 1,000"],
            &["O'Brien & Sons"],
        ),
        (
            &["AnnualRevenue != null", "AnnualRevenue<=2500"],
            &["50% Off_Shop", "O'Brien & Sons"],
        ),
        (
            &["CreatedDate >= 2000-01-01"],
            &["50% Off_Shop", "500 Offices", "O'Brien & Sons", "Plain"],
        ),
    ];
    for (texts, expected) in cases {
        let mut spec = spec("Account", &["Name"], 3);
        spec.filters = filters(texts);
        let found = names(all_pages(&client, &catalog, &spec).await);
        assert_eq!(found, *expected, "{texts:?}");
    }
}
