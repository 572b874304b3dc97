//! `GET /sobjects/{object}/describe/layouts`: the page layouts a record view draws.

use reqwest::Method;
use serde_json::Value;

use super::client::{Call, Client};
use super::error::Result;
use super::rest::segment;

impl Client {
    /// The object's layouts as the org sends them (`layouts`, `recordTypeMappings`, …).
    pub async fn describe_layouts(&self, object: &str) -> Result<Value> {
        let url = self.data_url(&format!("/sobjects/{}/describe/layouts", segment(object)));
        self.json(Call::new(Method::GET, url)).await
    }
}
