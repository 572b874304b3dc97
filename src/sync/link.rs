//! A link: one local table kept in sync with one Salesforce object.
//!
//! Links are plain data. They are stored in the workspace, exported and imported as versioned
//! JSON, checked against the object's describe by [`crate::sync::verify`], and run by the engine.

use serde::{Deserialize, Serialize};

pub use super::plan::{ConflictPolicy, DeletePolicy, Direction};

/// The version written into exported link files. Bump it with a migration in
/// [`crate::sync::link_file`] whenever the shape below changes.
pub const LINK_FORMAT_VERSION: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Unique within a workspace; used on the command line (`tether sync NAME`).
    pub name: String,
    /// The connection (see `tether connections`) whose org this link syncs with.
    pub connection: String,
    /// The local SQLite table.
    pub table: String,
    /// The local table's primary-key column.
    pub key: String,
    /// The Salesforce object's API name, e.g. `Account` or `Customer_Health__c`.
    pub object: String,
    /// The local column that holds the record's Salesforce Id. Tether writes it after a create.
    pub id_column: String,
    /// How a local row finds its Salesforce record.
    #[serde(default)]
    pub match_on: MatchKey,
    /// For a link matched on the Salesforce Id: create a record for each local row without an
    /// Id, and write the new Id back to the row. Links stored or exported before this setting
    /// existed read as `false`, which keeps what they did: such rows are left alone. Links
    /// matched on an external id always upsert, whatever this says.
    #[serde(default)]
    pub create_unmatched: bool,
    pub fields: Vec<FieldMapping>,
    /// A SOQL condition: only these records are pulled, e.g. `IsDeleted = false AND Type = 'Customer'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_filter: Option<String>,
    /// A SQL condition over the local row: only these rows are pushed,
    /// e.g. `scored_at >= datetime('now', '-7 days')`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_filter: Option<String>,
    /// The conflict policy of every `both` field that does not set its own.
    #[serde(default)]
    pub policy: ConflictPolicy,
    #[serde(default)]
    pub deletes: DeletePolicy,
    /// Under `mark_archived`, the local column set to 1 when the Salesforce record is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_column: Option<String>,
    #[serde(default)]
    pub schedule: Schedule,
    #[serde(default)]
    pub strategy: Strategy,
    /// The IANA time zone (`Europe/Berlin`, `UTC`) in which a local datetime written without
    /// an offset is read. A link saved without one takes the machine's zone when it is first
    /// stored; links stored before this setting existed were given `UTC`, what they assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// How local rows and Salesforce records are matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum MatchKey {
    /// By the Salesforce Id in [`Link::id_column`]. Local rows without an Id are created in
    /// Salesforce only under [`Link::create_unmatched`].
    #[default]
    SalesforceId,
    /// By an external-id field. Local rows without a Salesforce Id are upserted on it, so a
    /// retried or resumed push never creates a duplicate.
    ExternalId {
        /// The Salesforce external-id field, e.g. `ServiceTitan_Account_Id__c`.
        field: String,
        /// The local column holding the same value.
        column: String,
    },
}

/// Where a mapped value comes from on the local side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LocalSource {
    Column(String),
    /// A SQL expression over the local row, evaluated by SQLite; push only.
    /// e.g. `printf('%.2f%%', expected_conversion_rate * 100)`.
    Expression(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMapping {
    pub local: LocalSource,
    /// The Salesforce field's API name. A parent reference by external id is written
    /// `Account.ServiceTitan_Account_Id__c` (push only).
    pub remote: String,
    pub direction: Direction,
    /// Overrides the link's conflict policy for this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<ConflictPolicy>,
}

impl FieldMapping {
    pub fn column(local: &str, remote: &str, direction: Direction) -> Self {
        FieldMapping {
            local: LocalSource::Column(local.into()),
            remote: remote.into(),
            direction,
            policy: None,
        }
    }

    pub fn expression(sql: &str, remote: &str) -> Self {
        FieldMapping {
            local: LocalSource::Expression(sql.into()),
            remote: remote.into(),
            direction: Direction::Push,
            policy: None,
        }
    }

    /// The local column written by pulls, if any.
    pub fn local_column(&self) -> Option<&str> {
        match &self.local {
            LocalSource::Column(c) => Some(c),
            LocalSource::Expression(_) => None,
        }
    }

    /// `Account.ServiceTitan_Account_Id__c` → `Some(("Account", "ServiceTitan_Account_Id__c"))`.
    pub fn parent_reference(&self) -> Option<(&str, &str)> {
        self.remote.split_once('.')
    }
}

/// When a link runs by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "every", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// Only from the Sync Now button or `tether sync`.
    #[default]
    Manual,
    Minutes {
        minutes: u32,
    },
    /// Every day at `HH:MM` local time.
    Day {
        at: String,
    },
}

/// How many records make a run switch from REST to Bulk API 2.0, and how far back each pull
/// looks before its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Strategy {
    /// Pulls of more records than this run as a Bulk 2.0 query.
    pub bulk_pull_above: u64,
    /// Pushes of more rows than this run as a Bulk 2.0 ingest job.
    pub bulk_push_above: u64,
    /// Seconds before the cursor that each pull re-reads, for records whose transaction
    /// committed after a later SystemModstamp was already seen.
    pub overlap_seconds: u32,
}

impl Default for Strategy {
    fn default() -> Self {
        Strategy {
            bulk_pull_above: 20_000,
            bulk_push_above: 5_000,
            overlap_seconds: 300,
        }
    }
}

impl Link {
    /// Whether a local row with no Salesforce record gets one: always by upsert on an external
    /// id, and by create under [`Link::create_unmatched`].
    pub fn creates_records(&self) -> bool {
        match self.match_on {
            MatchKey::ExternalId { .. } => true,
            MatchKey::SalesforceId => self.create_unmatched,
        }
    }

    /// The per-field rules the planner uses, named by the Salesforce field.
    pub fn rules(&self) -> Vec<super::plan::FieldRule> {
        self.fields
            .iter()
            .map(|f| super::plan::FieldRule {
                field: f.remote.clone(),
                direction: f.direction,
                policy: f.policy.unwrap_or(self.policy),
            })
            .collect()
    }
}

/// The machine's IANA time zone, `UTC` when it cannot be told.
pub fn machine_time_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|name| name.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

impl Link {
    /// The zone of [`Link::time_zone`]; `None` names a zone no time-zone database knows.
    pub fn zone(&self) -> Result<chrono_tz::Tz, String> {
        match self.time_zone.as_deref() {
            None => Ok(chrono_tz::Tz::UTC),
            Some(name) => name.parse::<chrono_tz::Tz>().map_err(|_| {
                format!(
                    "`{name}` is not a time zone: use an IANA name such as `Europe/Berlin` or `UTC`"
                )
            }),
        }
    }
}
