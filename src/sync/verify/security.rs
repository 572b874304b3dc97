//! Field-level security as Verify sees it: a field the org has but the user's describe leaves
//! out is hidden from the user, not missing.

use std::collections::BTreeSet;

use super::field;
use crate::salesforce::{Client, ObjectDescribe};
use crate::sync::link::Link;

/// Verify's problem for a field the org has but hides from the user: (message, fix).
pub(super) fn hidden(object: &str, name: &str) -> (String, String) {
    (
        format!(
            "field `{name}` is hidden from you by field-level security: `{object}` has it, but none of your permission sets lets you read it"
        ),
        format!(
            "ask your Salesforce admin to grant Read (and Edit, to push) on `{object}.{name}` in a permission set assigned to you (Setup → Permission Sets → Object Settings → {object}), then verify again"
        ),
    )
}

/// Verify's problem for a pushed field the user may read but not edit: (message, fix).
pub(super) fn read_only(object: &str, name: &str) -> (String, String) {
    (
        format!(
            "`{name}` is read-only for you by field-level security: your permission sets grant read on it, not edit, so it cannot be pushed"
        ),
        format!(
            "ask your Salesforce admin to grant Edit on `{object}.{name}` in a permission set assigned to you (Setup → Permission Sets → Object Settings → {object}), or set the direction to `pull`"
        ),
    )
}

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
