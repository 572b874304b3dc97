//! Asking the org: the catalog of an object (its describe and its parents' name fields) and
//! one page, in one call.

use std::collections::HashMap;

use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::{Map, Value};

use super::catalog::{Catalog, name_field};
use super::keyset::Key;
use super::plan::{ListPlan, Page};
use crate::salesforce::{Client, SalesforceError};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "Salesforce did not describe {object}: {source}. Check the object's API name and that the connection's user can read it"
    )]
    Describe {
        object: String,
        source: SalesforceError,
    },
    #[error("Salesforce refused the list: {source}")]
    Query { source: SalesforceError },
}

/// The columns `object` offers. One describe of the object, then one of each parent its
/// lookups reach (in parallel, and answered from the client's cache after the first list).
pub async fn catalog(client: &Client, object: &str) -> Result<Catalog, FetchError> {
    let describe = client
        .describe(object)
        .await
        .map_err(|source| FetchError::Describe {
            object: object.to_string(),
            source,
        })?;
    let parents = Catalog::parents(&describe);
    let described = join_all(parents.iter().map(|p| client.describe(p))).await;
    let mut names = HashMap::new();
    for (parent, answer) in parents.into_iter().zip(described) {
        // A parent the user cannot describe shows as its Id rather than failing the list.
        if let Ok(parent_describe) = answer
            && let Some(name) = name_field(&parent_describe)
        {
            names.insert(parent, name);
        }
    }
    Ok(Catalog::new(&describe, &names))
}

/// The page of `plan` after `after` (the first page without one): one query or one search.
pub async fn fetch_page(
    client: &Client,
    plan: &ListPlan,
    after: Option<&Key>,
) -> Result<Page, FetchError> {
    let statement = plan.statement(after);
    let records: Vec<Map<String, Value>> = if plan.is_search() {
        client
            .search(&statement)
            .await
            .map_err(|source| FetchError::Query { source })?
    } else {
        // LIMIT keeps the answer to one batch: the stream ends after its first page.
        let mut pages = Box::pin(client.query::<Map<String, Value>>(&statement, None));
        let mut records = Vec::new();
        if let Some(page) = pages.next().await {
            records = page.map_err(|source| FetchError::Query { source })?.records;
        }
        records
    };
    Ok(plan.page(&records, statement))
}
