//! `GET /query?explain=SOQL`: how the org would run a query, and what it would cost.

use reqwest::Method;
use serde::Deserialize;

use super::client::{Call, Client};
use super::error::Result;

/// The org's plans for one statement, cheapest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPlans {
    pub plans: Vec<QueryPlan>,
    #[serde(default)]
    pub source_query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPlan {
    pub cardinality: f64,
    #[serde(default)]
    pub fields: Vec<String>,
    /// `Index`, `TableScan`, `Sharing`, `Other`.
    pub leading_operation_type: String,
    #[serde(default)]
    pub notes: Vec<PlanNote>,
    /// Below 1 the plan is selective.
    pub relative_cost: f64,
    pub sobject_cardinality: f64,
    pub sobject_type: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanNote {
    pub description: String,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub table_enum_or_id: String,
}

impl Client {
    /// The plans the org would choose between for `soql`, without running it.
    pub async fn explain(&self, soql: &str) -> Result<QueryPlans> {
        let call = Call::new(Method::GET, self.data_url("/query/")).query("explain", soql);
        self.json(call).await
    }
}
