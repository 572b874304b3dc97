//! What the sandbox-org tests of faults, limits and seeding share: starting an org and
//! calling it over real HTTP as a signed-in client.

use reqwest::{Client, Method, RequestBuilder};
use sandbox_org::{FaultConfig, OrgConfig, SandboxOrg};

pub const V: &str = "v60.0";

pub struct Api {
    pub org: SandboxOrg,
    pub client: Client,
    pub token: String,
}

impl Api {
    pub async fn start(config: OrgConfig) -> Api {
        let org = SandboxOrg::start(config)
            .await
            .expect("the sandbox org starts");
        let client = Client::builder().build().expect("an HTTP client");
        let token = sign_in(&client, &org.base_url()).await;
        Api { org, client, token }
    }

    pub async fn with_faults(faults: FaultConfig) -> Api {
        Api::start(OrgConfig {
            faults,
            ..Default::default()
        })
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.org.base_url())
    }

    /// `path` under `/services/data/v60.0`, signed in.
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(&format!("/services/data/{V}{path}")))
            .bearer_auth(&self.token)
    }

    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(&format!("/__sandbox{path}")))
    }

    pub async fn set_faults(&self, faults: &FaultConfig) {
        let response = self
            .admin(Method::PUT, "/faults")
            .json(faults)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }
}

/// Signs in with the OAuth password grant as the demo user.
async fn sign_in(client: &Client, base: &str) -> String {
    crate::support::org::password_login(client, base).await
}

pub use crate::support::org::error_code;
