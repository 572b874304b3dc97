//! Composite: up to 25 subrequests in one call, later ones referring to earlier results.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{Call, Client};
use super::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subrequest {
    pub method: String,
    /// A path such as `/services/data/v60.0/sobjects/Account`; see [`Client::data_path`].
    pub url: String,
    pub reference_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subresponse {
    pub body: Value,
    #[serde(default)]
    pub http_headers: Map<String, Value>,
    pub http_status_code: u16,
    pub reference_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    all_or_none: bool,
    composite_request: &'a [Subrequest],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    composite_response: Vec<Subresponse>,
}

impl Client {
    /// The path of a REST resource in this client's API version, for composite subrequests.
    pub fn data_path(&self, path: &str) -> String {
        format!("/services/data/v{}{}", self.api_version(), path)
    }

    /// `POST /composite`: the subresponses in request order.
    pub async fn composite(
        &self,
        all_or_none: bool,
        subrequests: &[Subrequest],
    ) -> Result<Vec<Subresponse>> {
        let call = Call::new(Method::POST, self.data_url("/composite")).json(&Request {
            all_or_none,
            composite_request: subrequests,
        })?;
        let answer: Answer = self.json(call).await?;
        Ok(answer.composite_response)
    }
}
