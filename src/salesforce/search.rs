//! SOSL `search`: the records a `FIND {…}` statement returns, as one answer.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::client::{Call, Client};
use super::error::Result;

#[derive(Deserialize)]
#[serde(untagged)]
enum SearchAnswer {
    /// API v37.0 and later.
    Wrapped {
        #[serde(rename = "searchRecords")]
        search_records: Vec<Map<String, Value>>,
    },
    /// Before v37.0: a bare array.
    Bare(Vec<Map<String, Value>>),
}

impl Client {
    /// `GET /search/?q=…`: the records of a SOSL statement, every object's in the order the
    /// statement names them (each record's `attributes.type` says which).
    pub async fn search(&self, sosl: &str) -> Result<Vec<Map<String, Value>>> {
        let call = Call::new(Method::GET, self.data_url("/search/")).query("q", sosl);
        let answer: SearchAnswer = self.json(call).await?;
        Ok(match answer {
            SearchAnswer::Wrapped { search_records } => search_records,
            SearchAnswer::Bare(records) => records,
        })
    }
}
