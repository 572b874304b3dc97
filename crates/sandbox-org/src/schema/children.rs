//! Child relationships, read from the describe's `childRelationships` (what a subquery's
//! FROM names, e.g. `Contacts` on Account).

use super::ObjectSchema;

/// One entry of `childRelationships` that has a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRelationship {
    /// In describe case: `Contacts`.
    pub name: String,
    /// `Contact`.
    pub child_object: String,
    /// The child's lookup field: `AccountId`.
    pub field: String,
}

impl ObjectSchema {
    /// The named child relationship, case-insensitively; entries without a
    /// `relationshipName` cannot be queried and are not found.
    pub fn child_relationship(&self, name: &str) -> Option<ChildRelationship> {
        self.describe["childRelationships"]
            .as_array()?
            .iter()
            .find(|c| {
                c["relationshipName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .and_then(|c| {
                let text = |k: &str| c[k].as_str().map(str::to_string);
                Some(ChildRelationship {
                    name: text("relationshipName")?,
                    child_object: text("childSObject")?,
                    field: text("field")?,
                })
            })
    }
}
