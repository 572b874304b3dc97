//! Checks a link against the Salesforce object's describe and the local table before it runs,
//! so that a misspelt field, a read-only target or a value Salesforce would refuse is found by
//! `tether link verify` instead of by a failed run.
//!
//! Pure apart from reading the local table: expressions and filters are compiled by SQLite and
//! the current local values of pushed fields are read to check lengths and picklists.

pub mod columns;
mod creates;
mod describe;
pub mod fix;
mod security;
mod text;

pub(crate) use text::edit_distance;
mod values;

pub use security::hidden_fields;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rusqlite::Connection;

use super::link::{DeletePolicy, Direction, FieldMapping, Link, LocalSource, MatchKey, Schedule};
use crate::salesforce::soql_text::unbalanced;
use crate::salesforce::{Client, FieldDescribe, ObjectDescribe, SalesforceError};
use crate::workspace::capture::quote_ident;
use crate::workspace::managed;
use describe::{Affinity, FieldFacts};
use text::suggestion;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The link cannot run as defined, or Salesforce will refuse what it sends.
    Error,
    /// The link runs, but probably not as meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One thing wrong with a link, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    /// The Salesforce field or local column concerned; `None` for the link as a whole.
    pub field: Option<String>,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.severity)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}. Fix: {}", self.message, self.fix)
    }
}

/// True when any problem stops the link from running correctly.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

/// The objects whose describes [`verify`] needs besides the link's own: the parents of
/// `Account.ServiceTitan_Account_Id__c`-style references.
pub fn parent_objects(link: &Link, describe: &ObjectDescribe) -> BTreeSet<String> {
    link.fields
        .iter()
        .filter_map(FieldMapping::parent_reference)
        .filter_map(|(relationship, _)| relationship_field(describe, relationship))
        .filter_map(|f| f.reference_to.first().cloned())
        .collect()
}

/// When `object` is not an object of the org: a sentence naming it and the closest names, for
/// the 404 a describe of a mistyped name gets. `None` when the org has it (or cannot say).
pub async fn unknown_object(client: &Client, object: &str) -> Option<String> {
    let global = client.describe_global().await.ok()?;
    let names = global.sobjects.iter().map(|o| o.name.as_str());
    if names.clone().any(|n| n.eq_ignore_ascii_case(object)) {
        return None;
    }
    Some(match text::closest_names(object, names).as_slice() {
        [] => format!(
            "there is no object named `{object}` in this org: check the API name in Setup → Object Manager"
        ),
        near => format!(
            "there is no object named `{object}` in this org; the closest names are {}",
            near.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Describes the link's object and its referenced parents through `client`, then verifies.
pub async fn describes_for(
    client: &Client,
    link: &Link,
) -> Result<(ObjectDescribe, BTreeMap<String, ObjectDescribe>), SalesforceError> {
    let describe = client.describe(&link.object).await?;
    let mut parents = BTreeMap::new();
    for parent in parent_objects(link, &describe) {
        let parent_describe = client.describe(&parent).await?;
        parents.insert(parent, (*parent_describe).clone());
    }
    Ok(((*describe).clone(), parents))
}

/// Every problem of `link` against `describe` (its object), the describes of referenced parent
/// objects, and the local table in `conn`.
pub fn verify(
    link: &Link,
    describe: &ObjectDescribe,
    parent_describes: &BTreeMap<String, ObjectDescribe>,
    conn: &Connection,
) -> Vec<Problem> {
    verify_seeing(link, describe, parent_describes, conn, &BTreeSet::new())
}

/// [`verify`], knowing which of the link's fields the org has but hides from the user by
/// field-level security (see [`hidden_fields`]), so that those are not called missing.
pub fn verify_seeing(
    link: &Link,
    describe: &ObjectDescribe,
    parent_describes: &BTreeMap<String, ObjectDescribe>,
    conn: &Connection,
    hidden: &BTreeSet<String>,
) -> Vec<Problem> {
    let mut v = Verifier {
        link,
        describe,
        parents: parent_describes,
        hidden,
        conn,
        columns: describe::local_columns(conn, &link.table),
        declared: columns::declared_types(conn, &link.table),
        problems: Vec::new(),
    };
    v.object();
    v.table();
    v.match_key();
    v.mappings();
    v.filters();
    v.schedule();
    v.required_for_insert();
    v.creates();
    // The values check evaluates the expressions: only those that end and only read. One that
    // does not compile is reported with its mapping, and the values check passes it by.
    let runaway: Vec<_> = crate::sync::expression::check_link(conn, link)
        .into_iter()
        .filter(|e| !matches!(e, crate::sync::expression::ExpressionError::Invalid { .. }))
        .collect();
    if runaway.is_empty() {
        values::check(&mut v);
    }
    for e in runaway {
        v.problems.push(Problem {
            severity: Severity::Error,
            field: e.field().map(str::to_string),
            message: e.to_string(),
            fix: "correct the expression, then verify again".into(),
        });
    }
    v.problems.sort_by_key(|p| p.severity);
    v.problems
}

pub(crate) struct Verifier<'a> {
    link: &'a Link,
    describe: &'a ObjectDescribe,
    parents: &'a BTreeMap<String, ObjectDescribe>,
    /// The link's fields the org has (Setup's `FieldDefinition` lists them) that the user's
    /// describe leaves out: hidden by field-level security. Lowercase.
    hidden: &'a BTreeSet<String>,
    conn: &'a Connection,
    /// Local column name → declared type's affinity; empty when the table is missing.
    columns: BTreeMap<String, Affinity>,
    /// Local column name → declared type.
    declared: BTreeMap<String, String>,
    problems: Vec<Problem>,
}

fn relationship_field<'d>(
    describe: &'d ObjectDescribe,
    relationship: &str,
) -> Option<&'d FieldDescribe> {
    describe.fields.iter().find(|f| {
        f.other
            .get("relationshipName")
            .and_then(|v| v.as_str())
            .is_some_and(|r| r.eq_ignore_ascii_case(relationship))
    })
}

fn field<'d>(describe: &'d ObjectDescribe, name: &str) -> Option<&'d FieldDescribe> {
    describe
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

impl<'a> Verifier<'a> {
    fn error(&mut self, field: Option<&str>, message: String, fix: String) {
        self.push(Severity::Error, field, message, fix);
    }

    fn warning(&mut self, field: Option<&str>, message: String, fix: String) {
        self.push(Severity::Warning, field, message, fix);
    }

    fn push(&mut self, severity: Severity, field: Option<&str>, message: String, fix: String) {
        self.problems.push(Problem {
            severity,
            field: field.map(str::to_string),
            message,
            fix,
        });
    }

    fn object(&mut self) {
        if !self.describe.name.eq_ignore_ascii_case(&self.link.object) {
            self.error(
                None,
                format!(
                    "the describe given is of `{}`, but the link syncs `{}`",
                    self.describe.name, self.link.object
                ),
                format!("verify against the describe of `{}`", self.link.object),
            );
        }
    }

    fn has_column(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    fn require_column(&mut self, column: &str, role: &str) {
        if !self.columns.is_empty() && !self.has_column(column) {
            let table = self.link.table.clone();
            self.error(
                Some(column),
                format!("the local table `{table}` has no column `{column}` ({role})"),
                format!(
                    "add it (`ALTER TABLE {} ADD COLUMN {}`) or change the link",
                    quote_ident(&table),
                    quote_ident(column)
                ),
            );
        }
    }

    fn table(&mut self) {
        let link = self.link;
        if self.columns.is_empty() {
            self.error(
                None,
                format!("the local table `{}` does not exist", link.table),
                format!(
                    "create `{}` in the workspace, or install the template that defines it",
                    link.table
                ),
            );
            return;
        }
        self.require_column(&link.key, "the link's key");
        self.require_column(&link.id_column, "where the Salesforce Id is kept");
        match (&link.archive_column, link.deletes) {
            (Some(column), _) => self.require_column(column, "the archive flag"),
            (None, DeletePolicy::MarkArchived) => self.error(
                None,
                "deletes are `mark_archived` but no archive column is set".into(),
                "set `archive_column` to an INTEGER column of the table, or choose another delete policy".into(),
            ),
            (None, _) => {}
        }
    }

    fn match_key(&mut self) {
        let MatchKey::ExternalId {
            field: name,
            column,
        } = &self.link.match_on
        else {
            return;
        };
        self.require_column(column, "the external-id match column");
        let object = &self.link.object;
        match field(self.describe, name) {
            None => {
                let hint = suggestion(self.describe, name);
                self.error(
                    Some(name),
                    format!("`{object}` has no field `{name}` to match on{hint}"),
                    "match on an existing external-id field, or create the field in Salesforce"
                        .into(),
                );
            }
            Some(f) if !f.external_id && f.name != "Id" => {
                let fix =
                    "mark the field `External ID` in Salesforce Setup, or match on another field";
                self.error(
                    Some(name),
                    format!("`{object}.{name}` is not an external-id field, so records cannot be upserted on it"),
                    fix.into(),
                );
            }
            Some(_) => {}
        }
    }

    fn mappings(&mut self) {
        let mut seen_remote = BTreeSet::new();
        let mut pulled_into = BTreeSet::new();
        for mapping in &self.link.fields {
            if !seen_remote.insert(mapping.remote.to_ascii_lowercase()) {
                self.error(
                    Some(&mapping.remote),
                    "the field is mapped more than once".into(),
                    "keep one mapping per Salesforce field".into(),
                );
            }
            if mapping.direction != Direction::Push
                && let Some(column) = mapping.local_column()
                && !pulled_into.insert(column.to_string())
            {
                self.error(
                    Some(column),
                    "two pulled fields write the same local column".into(),
                    "pull each Salesforce field into its own column".into(),
                );
            }
            self.local_side(mapping);
            match mapping.parent_reference() {
                Some((relationship, parent_field)) => {
                    self.parent_reference(mapping, relationship, parent_field)
                }
                None => self.remote_side(mapping),
            }
        }
    }

    fn local_side(&mut self, mapping: &FieldMapping) {
        match &mapping.local {
            LocalSource::Column(column) => self.require_column(column, "mapped column"),
            LocalSource::Expression(sql) => {
                if mapping.direction != Direction::Push {
                    self.error(
                        Some(&mapping.remote),
                        "a SQL expression can only be pushed: there is no column to pull into"
                            .into(),
                        "set the direction to `push`, or map a column instead".into(),
                    );
                }
                if !self.columns.is_empty() {
                    let query = format!(
                        "SELECT ({sql}) FROM {} LIMIT 0",
                        quote_ident(&self.link.table)
                    );
                    if let Err(e) = self.conn.prepare(&query) {
                        self.error(
                            Some(&mapping.remote),
                            format!("the expression `{sql}` does not compile in SQLite: {e}"),
                            format!(
                                "correct the expression; it is evaluated over one row of `{}`",
                                self.link.table
                            ),
                        );
                    }
                }
            }
        }
    }

    fn remote_side(&mut self, mapping: &FieldMapping) {
        let object = &self.link.object;
        let Some(remote) = field(self.describe, &mapping.remote) else {
            if self.hidden.contains(&mapping.remote.to_lowercase()) {
                let (message, fix) = security::hidden(object, &mapping.remote);
                self.error(Some(&mapping.remote), message, fix);
                return;
            }
            let hint = suggestion(self.describe, &mapping.remote);
            self.error(
                Some(&mapping.remote),
                format!("`{object}` has no field `{}`{hint}", mapping.remote),
                "correct the field name, or create the field in Salesforce Setup (and give the integration user access to it)".into(),
            );
            return;
        };
        let facts = FieldFacts::of(remote);
        if facts.unsyncable() {
            self.error(
                Some(&remote.name),
                format!(
                    "`{}` is a {} field, which cannot be synced as one value",
                    remote.name, remote.field_type
                ),
                "map its component fields instead (e.g. BillingStreet, BillingCity)".into(),
            );
            return;
        }
        if mapping.direction != Direction::Pull {
            self.writable(mapping, &facts);
        }
        if let Some(column) = mapping.local_column()
            && let Some(declared) = self.declared.get(column)
            && let Some(unfit) = columns::unfit(remote, column, declared, mapping.direction)
        {
            let ours = managed::created_by(self.conn, &self.link.table)
                .ok()
                .flatten()
                .is_some();
            self.error(
                Some(&remote.name),
                unfit.message(),
                unfit.fix(&self.link.name, ours),
            );
        } else if let Some(column) = mapping.local_column()
            && matches!(
                self.columns.get(column),
                Some(Affinity::Integer | Affinity::Real)
            )
            && matches!(remote.field_type.as_str(), "date" | "datetime" | "time")
        {
            // The column keeps ISO text as it is, but its type says it was meant for numbers.
            self.warning(
                Some(&remote.name),
                format!(
                    "`{}` is a {} field but the local column `{column}` is numeric, and Salesforce expects ISO 8601 text for dates and times",
                    remote.name, remote.field_type
                ),
                format!(
                    "store ISO 8601 text (e.g. 2024-11-20) in `{column}`, declared TEXT, or convert it with an expression"
                ),
            );
        }
    }

    fn writable(&mut self, mapping: &FieldMapping, facts: &FieldFacts) {
        let name = &mapping.remote;
        if facts.read_only_by_security() {
            let (message, fix) = security::read_only(&self.link.object, name);
            self.error(Some(name), message, fix);
        } else if !facts.updateable && !facts.createable {
            self.error(
                Some(name),
                format!("`{name}` is read-only in Salesforce (a formula, system or locked field), so it cannot be pushed"),
                "set the direction to `pull`, or remove the mapping".into(),
            );
        } else if !facts.updateable {
            self.error(
                Some(name),
                format!("`{name}` can be set on create but not updated, so later pushes would fail"),
                "set the direction to `pull`, or give the integration user edit access to the field".into(),
            );
        } else if !facts.createable && self.creates_records() {
            self.warning(
                Some(name),
                format!(
                    "`{name}` cannot be set when a record is created; new records get it empty"
                ),
                "accept it, or push the field only to existing records".into(),
            );
        }
    }

    fn parent_reference(&mut self, mapping: &FieldMapping, relationship: &str, parent_field: &str) {
        let object = &self.link.object;
        let remote = &mapping.remote;
        if mapping.direction != Direction::Push {
            self.error(
                Some(remote),
                "a parent reference by external id can only be pushed".into(),
                format!("set the direction to `push`, or pull the lookup field itself (e.g. `{relationship}Id`)"),
            );
        }
        let Some(lookup) = relationship_field(self.describe, relationship) else {
            self.error(
                Some(remote),
                format!("`{object}` has no relationship named `{relationship}`"),
                "use the relationship name of a lookup field (e.g. `Account` for AccountId)".into(),
            );
            return;
        };
        let facts = FieldFacts::of(lookup);
        let lookup_mapping = FieldMapping {
            remote: lookup.name.clone(),
            ..mapping.clone()
        };
        self.writable(&lookup_mapping, &facts);
        let Some(parent) = lookup.reference_to.first() else {
            return;
        };
        let Some(parent_describe) = self.parents.get(parent) else {
            self.warning(
                Some(remote),
                format!("the describe of `{parent}` was not available, so `{parent_field}` was not checked"),
                "verify again with the parent object's describe".into(),
            );
            return;
        };
        match field(parent_describe, parent_field) {
            None => self.error(
                Some(remote),
                format!("`{parent}` has no field `{parent_field}`{}", suggestion(parent_describe, parent_field)),
                format!("reference an external-id field of `{parent}`"),
            ),
            Some(f) if !f.external_id => self.error(
                Some(remote),
                format!("`{parent}.{parent_field}` is not an external-id field, so Salesforce cannot find the parent by it"),
                format!("mark `{parent_field}` as External ID in Salesforce Setup, or reference another field"),
            ),
            Some(_) => {}
        }
    }

    fn filters(&mut self) {
        if let Some(filter) = &self.link.push_filter
            && !self.columns.is_empty()
        {
            let query = format!(
                "SELECT 1 FROM {} WHERE ({filter}) LIMIT 0",
                quote_ident(&self.link.table)
            );
            if let Err(e) = self.conn.prepare(&query) {
                self.error(
                    None,
                    format!("the push filter `{filter}` does not compile in SQLite: {e}"),
                    format!(
                        "correct it; it is a SQL condition over one row of `{}`",
                        self.link.table
                    ),
                );
            }
        }
        let Some(filter) = &self.link.pull_filter else {
            return;
        };
        if filter.trim().to_ascii_uppercase().starts_with("WHERE ") {
            self.error(
                None,
                "the pull filter starts with WHERE".into(),
                "write only the condition, e.g. `Type = 'Customer'`".into(),
            );
        }
        if let Some(why) = unbalanced(filter) {
            self.error(
                None,
                format!("the pull filter `{filter}` has {why}"),
                "close every quote and parenthesis; quotes inside text are written \\'".into(),
            );
        }
    }

    fn schedule(&mut self) {
        match &self.link.schedule {
            Schedule::Manual => {}
            Schedule::Minutes { minutes: 0 } => self.error(
                None,
                "the schedule runs every 0 minutes".into(),
                "give a number of minutes of 1 or more, or make the link manual".into(),
            ),
            Schedule::Minutes { .. } => {}
            Schedule::Day { at } => {
                if chrono::NaiveTime::parse_from_str(at, "%H:%M").is_err() {
                    self.error(
                        None,
                        format!("the daily schedule time `{at}` is not a time"),
                        "write it as HH:MM on a 24-hour clock, e.g. `06:30`".into(),
                    );
                }
            }
        }
    }

    /// Links matched by external id create the records Salesforce lacks, and links matched
    /// on the Salesforce Id under `create_unmatched`.
    fn creates_records(&self) -> bool {
        self.link.creates_records()
    }

    fn required_for_insert(&mut self) {
        if !self.creates_records() {
            return;
        }
        let covered: BTreeSet<String> = self
            .link
            .fields
            .iter()
            .filter(|m| m.direction != Direction::Pull)
            .map(|m| match m.parent_reference() {
                Some((relationship, _)) => relationship_field(self.describe, relationship)
                    .map(|f| f.name.to_ascii_lowercase())
                    .unwrap_or_default(),
                None => m.remote.to_ascii_lowercase(),
            })
            .chain(match &self.link.match_on {
                MatchKey::ExternalId { field, .. } => Some(field.to_ascii_lowercase()),
                MatchKey::SalesforceId => None,
            })
            .collect();
        let missing: Vec<String> = self
            .describe
            .fields
            .iter()
            .filter(|f| FieldFacts::of(f).required_on_create())
            .filter(|f| !covered.contains(&f.name.to_ascii_lowercase()))
            .map(|f| f.name.clone())
            .collect();
        for name in missing {
            let object = &self.link.object;
            self.error(
                Some(&name),
                format!(
                    "`{object}.{name}` is required to create a record, and no pushed field sets it"
                ),
                format!("map a column or expression to `{name}` with direction `push`"),
            );
        }
    }
}
