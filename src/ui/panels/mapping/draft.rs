//! The link being edited and the rules of mapping by hand: what may be dropped where, the
//! direction toggle, auto-match and verify's one-click fixes. No drawing here.

use crate::desktop::{FieldInfo, LocalColumn};
use crate::sync::automatch::{self, FieldFacts, Purpose};
use crate::sync::link::{ConflictPolicy, Direction, FieldMapping, Link, LocalSource};
use crate::sync::verify::Problem;

/// Why `field` may not be mapped onto `column` in `link`, in words for a tooltip.
pub fn refusal(link: &Link, field: &FieldInfo, column: &LocalColumn) -> Option<String> {
    if matches!(
        field.field_type.as_str(),
        "address" | "location" | "base64" | "complexvalue"
    ) {
        return Some(format!(
            "{} is a compound {} field: map its parts instead (e.g. BillingCity)",
            field.label, field.field_type
        ));
    }
    if column.name == link.id_column {
        return Some(format!(
            "{} holds the Salesforce Id, which Tether writes itself",
            column.name
        ));
    }
    if let Some(m) = link.fields.iter().find(|m| m.remote == field.name) {
        return Some(format!(
            "{} is already mapped to {}: remove that mapping first",
            field.label,
            local_text(m)
        ));
    }
    if let Some(m) = link
        .fields
        .iter()
        .find(|m| m.local_column() == Some(column.name.as_str()))
    {
        return Some(format!(
            "{} is already mapped to {}: remove that mapping first",
            column.name, m.remote
        ));
    }
    type_mismatch(field, column)
}

fn type_mismatch(field: &FieldInfo, column: &LocalColumn) -> Option<String> {
    let declared = column.declared_type.to_ascii_uppercase();
    let numeric_column = declared.contains("INT")
        || declared.contains("REAL")
        || declared.contains("FLOA")
        || declared.contains("DOUB")
        || declared.contains("NUMERIC")
        || declared.contains("DECIMAL");
    if !numeric_column {
        return None;
    }
    let text_like = matches!(
        field.field_type.as_str(),
        "string"
            | "textarea"
            | "picklist"
            | "multipicklist"
            | "email"
            | "phone"
            | "url"
            | "id"
            | "reference"
            | "combobox"
            | "encryptedstring"
    );
    let temporal = matches!(field.field_type.as_str(), "date" | "datetime" | "time");
    if text_like || temporal {
        Some(format!(
            "Type mismatch: {} is a {} field, but {} stores numbers ({})",
            field.label, field.field_type, column.name, column.declared_type
        ))
    } else {
        None
    }
}

/// The local side of a mapping as the studio shows it.
pub fn local_text(mapping: &FieldMapping) -> String {
    match &mapping.local {
        LocalSource::Column(c) => c.clone(),
        LocalSource::Expression(sql) => format!("= {sql}"),
    }
}

/// The mapping a drop or auto-match makes: Pull until the person opts into push (see
/// [`crate::sync::arrows::new_pair`]).
pub fn mapping_for(link: &Link, field: &FieldInfo, column: &str) -> FieldMapping {
    let local = LocalSource::Column(column.to_string());
    let direction = crate::sync::arrows::new_pair(link, &local, field.read_only);
    FieldMapping::column(column, &field.name, direction)
}

/// Whether records created from `link` would set every field Salesforce requires on create
/// (createable, not nillable, not defaulted): what a new link's `create_unmatched` follows
/// until the person sets it. A link that pushes nothing creates nothing.
pub fn fills_required(link: &Link, fields: &[FieldInfo]) -> bool {
    let set: Vec<String> = link
        .fields
        .iter()
        .filter(|m| m.direction != Direction::Pull)
        .map(|m| match m.parent_reference() {
            // The lookup a parent reference sets: `Account` → AccountId, `Parent__r` → Parent__c.
            Some((relationship, _)) => match relationship.strip_suffix("__r") {
                Some(custom) => format!("{custom}__c"),
                None => format!("{relationship}Id"),
            },
            None => m.remote.clone(),
        })
        .map(|name| name.to_ascii_lowercase())
        .collect();
    !set.is_empty()
        && fields
            .iter()
            .filter(|f| f.required)
            .all(|f| set.contains(&f.name.to_ascii_lowercase()))
}

/// The directions a mapping may take, in the toggle's order.
pub fn directions(mapping: &FieldMapping, field: Option<&FieldInfo>) -> Vec<Direction> {
    if matches!(mapping.local, LocalSource::Expression(_)) {
        return vec![Direction::Push];
    }
    if field.is_some_and(|f| f.read_only) {
        return vec![Direction::Pull];
    }
    vec![Direction::Pull, Direction::Both, Direction::Push]
}

/// The next direction of the toggle.
pub fn next_direction(current: Direction, allowed: &[Direction]) -> Direction {
    let at = allowed.iter().position(|d| *d == current);
    match at {
        Some(i) => allowed[(i + 1) % allowed.len()],
        None => allowed.first().copied().unwrap_or(current),
    }
}

pub const POLICIES: [Option<ConflictPolicy>; 5] = [
    None,
    Some(ConflictPolicy::SalesforceWins),
    Some(ConflictPolicy::LocalWins),
    Some(ConflictPolicy::MostRecentWins),
    Some(ConflictPolicy::ManualReview),
];

/// A policy's name, in sentence case wherever it is shown.
pub fn policy_word(policy: Option<ConflictPolicy>) -> &'static str {
    match policy {
        None => "Link default",
        Some(ConflictPolicy::SalesforceWins) => "Salesforce wins",
        Some(ConflictPolicy::LocalWins) => "Local wins",
        Some(ConflictPolicy::MostRecentWins) => "Most recent wins",
        Some(ConflictPolicy::ManualReview) => "Manual review",
    }
}

/// Auto-match's suggestions that may be dropped as they are, as mappings.
pub fn auto_mappings(
    link: &Link,
    fields: &[FieldInfo],
    columns: &[LocalColumn],
) -> Vec<FieldMapping> {
    let free_columns: Vec<&LocalColumn> = columns
        .iter()
        .filter(|c| c.name != link.id_column)
        .filter(|c| {
            !link
                .fields
                .iter()
                .any(|m| m.local_column() == Some(c.name.as_str()))
        })
        .collect();
    let free_fields: Vec<&FieldInfo> = fields
        .iter()
        .filter(|f| f.name != "Id")
        .filter(|f| !link.fields.iter().any(|m| m.remote == f.name))
        .collect();
    let names: Vec<&str> = free_columns.iter().map(|c| c.name.as_str()).collect();
    let facts: Vec<FieldFacts> = free_fields
        .iter()
        .map(|f| FieldFacts::new(&f.name, &f.label, f.read_only))
        .collect();
    automatch::auto_match(&names, &facts, Purpose::Sync)
        .into_iter()
        .filter_map(|m| {
            let field = free_fields.iter().find(|f| f.name == m.field)?;
            let column = free_columns.iter().find(|c| c.name == m.column)?;
            refusal(link, field, column)
                .is_none()
                .then(|| mapping_for(link, field, &column.name))
        })
        .collect()
}

/// A one-click fix for a verify problem.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    SetDirection { field: String, direction: Direction },
    Rename { from: String, to: String },
    Remove { field: String },
}

impl Fix {
    pub fn label(&self) -> String {
        match self {
            Fix::SetDirection { direction, .. } => {
                format!("Set to {}", crate::sync::arrows::labelled(*direction))
            }
            Fix::Rename { to, .. } => format!("Use {to}"),
            Fix::Remove { .. } => "Remove mapping".to_string(),
        }
    }

    /// Applies the fix; false when the mapping it names is gone.
    pub fn apply(&self, link: &mut Link) -> bool {
        match self {
            Fix::SetDirection { field, direction } => {
                match link.fields.iter_mut().find(|m| &m.remote == field) {
                    Some(m) => {
                        m.direction = *direction;
                        true
                    }
                    None => false,
                }
            }
            Fix::Rename { from, to } => match link.fields.iter_mut().find(|m| &m.remote == from) {
                Some(m) => {
                    m.remote = to.clone();
                    true
                }
                None => false,
            },
            Fix::Remove { field } => {
                let before = link.fields.len();
                link.fields.retain(|m| &m.remote != field);
                link.fields.len() != before
            }
        }
    }
}

/// The fix verify's words point at, when the problem's field is mapped.
pub fn fix_for(problem: &Problem, link: &Link) -> Option<Fix> {
    let field = problem.field.clone()?;
    link.fields.iter().find(|m| m.remote == field)?;
    let fix = problem.fix.as_str();
    if fix.starts_with("set the direction to `pull`") {
        return Some(Fix::SetDirection {
            field,
            direction: Direction::Pull,
        });
    }
    if fix.starts_with("set the direction to `push`") {
        return Some(Fix::SetDirection {
            field,
            direction: Direction::Push,
        });
    }
    if let Some(rest) = problem.message.split("did you mean `").nth(1)
        && let Some(to) = rest.split('`').next()
    {
        return Some(Fix::Rename {
            from: field,
            to: to.to_string(),
        });
    }
    if fix.starts_with("keep one mapping per Salesforce field") {
        return Some(Fix::Remove { field });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::MatchKey;
    use crate::sync::verify::Severity;

    fn field(name: &str, field_type: &str, read_only: bool) -> FieldInfo {
        FieldInfo {
            name: name.into(),
            label: name.into(),
            field_type: field_type.into(),
            length: None,
            required: false,
            external_id: false,
            read_only,
            picklist_values: vec![],
            restricted_picklist: false,
            reference_to: Vec::new(),
        }
    }

    fn column(name: &str, declared: &str) -> LocalColumn {
        LocalColumn {
            name: name.into(),
            declared_type: declared.into(),
            primary_key: false,
            not_null: false,
        }
    }

    fn link() -> Link {
        Link {
            name: "accounts".into(),
            connection: "sandbox".into(),
            table: "customers".into(),
            key: "id".into(),
            object: "Account".into(),
            id_column: "sf_id".into(),
            match_on: MatchKey::SalesforceId,
            create_unmatched: false,
            fields: vec![FieldMapping::column("name", "Name", Direction::Both)],
            pull_filter: None,
            push_filter: None,
            policy: Default::default(),
            deletes: Default::default(),
            archive_column: None,
            schedule: Default::default(),
            strategy: Default::default(),
            time_zone: None,
        }
    }

    #[test]
    fn drops_are_refused_with_a_reason() {
        let cases: &[(FieldInfo, LocalColumn, Option<&str>)] = &[
            (
                field("Industry", "picklist", false),
                column("industry", "TEXT"),
                None,
            ),
            (
                field("Industry", "picklist", false),
                column("rating", "REAL"),
                Some("Type mismatch"),
            ),
            (
                field("CloseDate", "date", false),
                column("n", "INTEGER"),
                Some("Type mismatch"),
            ),
            (
                field("AnnualRevenue", "currency", false),
                column("rev", "REAL"),
                None,
            ),
            (
                field("BillingAddress", "address", false),
                column("a", "TEXT"),
                Some("compound"),
            ),
            (
                field("Phone", "phone", false),
                column("sf_id", "TEXT"),
                Some("Salesforce Id"),
            ),
            (
                field("Name", "string", false),
                column("other", "TEXT"),
                Some("already mapped to name"),
            ),
            (
                field("Phone", "phone", false),
                column("name", "TEXT"),
                Some("already mapped to Name"),
            ),
            (
                field("CreatedDate", "datetime", true),
                column("created", "TEXT"),
                None,
            ),
        ];
        for (f, c, expected) in cases {
            let got = refusal(&link(), f, c);
            match expected {
                None => assert_eq!(got, None, "{} onto {}", f.name, c.name),
                Some(words) => assert!(
                    got.as_deref().is_some_and(|g| g.contains(words)),
                    "{} onto {}: {got:?}",
                    f.name,
                    c.name
                ),
            }
        }
    }

    #[test]
    fn the_toggle_cycles_only_through_allowed_directions() {
        let m = FieldMapping::column("a", "A", Direction::Both);
        let all = directions(&m, Some(&field("A", "string", false)));
        assert_eq!(next_direction(Direction::Both, &all), Direction::Push);
        assert_eq!(next_direction(Direction::Push, &all), Direction::Pull);
        assert_eq!(next_direction(Direction::Pull, &all), Direction::Both);
        let read_only = directions(&m, Some(&field("A", "string", true)));
        assert_eq!(next_direction(Direction::Both, &read_only), Direction::Pull);
        let expression = directions(&FieldMapping::expression("1", "A"), None);
        assert_eq!(expression, vec![Direction::Push]);
    }

    #[test]
    fn auto_mappings_skip_mapped_refused_and_id_columns() {
        let fields = [
            field("Name", "string", false),
            field("Phone", "phone", false),
            field("Industry", "picklist", false),
            field("LastModifiedDate", "datetime", true),
        ];
        let columns = [
            column("company", "TEXT"),
            column("telephone", "TEXT"),
            column("industry", "REAL"),
            column("last_modified_date", "TEXT"),
            column("sf_id", "TEXT"),
        ];
        let got = auto_mappings(&link(), &fields, &columns);
        assert_eq!(
            got,
            vec![
                FieldMapping::column("telephone", "Phone", Direction::Pull),
                FieldMapping::column("last_modified_date", "LastModifiedDate", Direction::Pull),
            ]
        );
    }

    #[test]
    fn a_new_link_creates_records_once_its_pushes_fill_every_required_field() {
        let required = |name: &str| FieldInfo {
            required: true,
            ..field(name, "string", false)
        };
        let fields = [
            required("LastName"),
            required("AccountId"),
            field("Email", "email", false),
        ];
        let mut l = link();
        l.fields = vec![FieldMapping::column("last", "LastName", Direction::Both)];
        assert!(!fills_required(&l, &fields), "AccountId is not set");
        l.fields.push(FieldMapping::column(
            "acct",
            "Account.External_Id__c",
            Direction::Push,
        ));
        assert!(
            fills_required(&l, &fields),
            "the parent reference sets AccountId"
        );
        l.fields[0].direction = Direction::Pull;
        assert!(!fills_required(&l, &fields), "a pulled field sets nothing");
        l.fields.clear();
        assert!(
            !fills_required(&l, &[field("Email", "email", false)]),
            "a link that pushes nothing creates nothing"
        );
    }

    #[test]
    fn fixes_follow_verify_words() {
        let problem = |field: &str, message: &str, fix: &str| Problem {
            severity: Severity::Error,
            field: Some(field.into()),
            message: message.into(),
            fix: fix.into(),
        };
        let mut l = link();
        let read_only = problem(
            "Name",
            "`Name` is read-only",
            "set the direction to `pull`, or remove the mapping",
        );
        let fix = fix_for(&read_only, &l);
        assert_eq!(
            fix,
            Some(Fix::SetDirection {
                field: "Name".into(),
                direction: Direction::Pull
            })
        );
        let typo = problem(
            "Name",
            "`Account` has no field `Name` (did you mean `Name__c`?)",
            "correct it",
        );
        let rename = fix_for(&typo, &l);
        assert_eq!(
            rename,
            Some(Fix::Rename {
                from: "Name".into(),
                to: "Name__c".into()
            })
        );
        assert!(rename.is_some_and(|f| f.apply(&mut l)));
        assert_eq!(l.fields[0].remote, "Name__c");
        assert_eq!(
            fix_for(&problem("Other", "x", "set the direction to `pull`"), &l),
            None
        );
    }
}
