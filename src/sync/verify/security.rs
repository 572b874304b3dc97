//! Field-level security as Verify sees it: a field the org has but the user's describe leaves
//! out is hidden from the user, not missing.

use std::collections::BTreeSet;

use super::field;
use crate::salesforce::{Client, ObjectDescribe};
use crate::sync::link::Link;

/// The link's fields (lowercase) that `describe` leaves out but the org's Setup lists
/// (`FieldDefinition`): hidden from the signed-in user by field-level security. Empty when
/// every mapped field is described, or when Setup cannot be read (the user then hears the
/// field is missing, as before).
pub async fn hidden_fields(
    client: &Client,
    link: &Link,
    describe: &ObjectDescribe,
) -> BTreeSet<String> {
    let absent: BTreeSet<String> = link
        .fields
        .iter()
        .filter(|mapping| mapping.parent_reference().is_none())
        .filter(|mapping| field(describe, &mapping.remote).is_none())
        .map(|mapping| mapping.remote.to_lowercase())
        .collect();
    if absent.is_empty() {
        return BTreeSet::new();
    }
    match client.field_definitions(&link.object).await {
        Ok(definitions) => definitions
            .into_iter()
            .map(|d| d.qualified_api_name.to_lowercase())
            .filter(|name| absent.contains(name))
            .collect(),
        Err(e) => {
            tracing::debug!("Setup's field list of {} is not readable: {e}", link.object);
            BTreeSet::new()
        }
    }
}
