//! Wire types of the REST API answers the client reads.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One entry of `GET /services/data/`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiVersion {
    pub label: String,
    pub url: String,
    pub version: String,
}

impl ApiVersion {
    /// The version as a number for ordering ("9.0" < "60.0").
    pub fn number(&self) -> f64 {
        self.version.parse().unwrap_or(0.0)
    }
}

/// A page of `query`/`queryAll`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T = Map<String, Value>> {
    pub total_size: u64,
    pub done: bool,
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<T>,
}

/// The answer to a create (`201`): the new id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SaveResult {
    #[serde(default)]
    pub id: Option<String>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<RecordError>,
    /// Upsert answers say whether the record was created.
    #[serde(default)]
    pub created: Option<bool>,
}

/// A record-level error in Collections and save results (`statusCode`, not `errorCode`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordError {
    #[serde(alias = "errorCode")]
    pub status_code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// `getUpdated`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedIds {
    pub ids: Vec<String>,
    pub latest_date_covered: String,
}

/// `getDeleted`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRecords {
    pub deleted_records: Vec<DeletedRecord>,
    pub earliest_date_available: String,
    pub latest_date_covered: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRecord {
    pub id: String,
    pub deleted_date: String,
}

/// One allocation of `/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Limit {
    pub max: i64,
    pub remaining: i64,
}

/// `GET /sobjects/`: every object, with the rest of the answer kept as it came.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalDescribe {
    #[serde(default)]
    pub max_batch_size: Option<u32>,
    pub sobjects: Vec<ObjectSummary>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectSummary {
    pub name: String,
    pub label: String,
    pub custom: bool,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `GET /sobjects/{object}/describe/`: the fields, with the rest kept as it came.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDescribe {
    pub name: String,
    pub fields: Vec<FieldDescribe>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub reference_to: Vec<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl FieldDescribe {
    /// A boolean describe attribute kept in `other` (`createable`, `defaultedOnCreate`, …);
    /// false when absent.
    pub fn flag(&self, name: &str) -> bool {
        self.other
            .get(name)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }

    /// Salesforce's rule for a field a create must set.
    pub fn required_on_create(&self) -> bool {
        self.flag("createable") && !self.nillable && !self.flag("defaultedOnCreate")
    }

    /// The label, or the API name when the describe has none.
    pub fn shown_label(&self) -> String {
        if self.label.is_empty() {
            self.name.clone()
        } else {
            self.label.clone()
        }
    }

    /// The picklist's values that are active, in describe order.
    pub fn active_picklist_values(&self) -> Vec<String> {
        self.other
            .get("picklistValues")
            .and_then(serde_json::Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter(|v| {
                        v.get("active")
                            .and_then(serde_json::Value::as_bool)
                            .unwrap_or(true)
                    })
                    .filter_map(|v| v.get("value").and_then(serde_json::Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}
