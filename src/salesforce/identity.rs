//! Who the client is signed in as.

use reqwest::Method;
use serde::Deserialize;

use super::client::{Call, Client};
use super::error::Result;

#[derive(Deserialize)]
struct UserInfo {
    user_id: String,
}

impl Client {
    /// The signed-in user's Id (the OpenID user info of the org): the `CreatedById` of every
    /// record this client creates.
    pub async fn user_id(&self) -> Result<String> {
        let url = format!("{}/services/oauth2/userinfo", self.instance_url());
        let info: UserInfo = self.json(Call::new(Method::GET, url)).await?;
        Ok(info.user_id)
    }
}
