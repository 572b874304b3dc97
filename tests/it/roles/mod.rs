//! Roles from Salesforce end to end, against the sandbox org's three users (admin, operator,
//! viewer): the permissions the client reads, the service's refusals and the CLI's.

mod cli;
mod client;
mod desktop;

use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD};
use tether::connect::oauth::password_login;
use tether::connect::{LoginUrl, http_client};
use tether::salesforce::{Client, ClientConfig, Credentials};

/// A client of the org at `base`, signed in as `username` (the three users share a password).
pub async fn signed_in_as(base: &str, username: &str) -> Client {
    let login = LoginUrl::parse(base).expect("login URL");
    let tokens = password_login(
        &http_client().expect("http"),
        &login,
        DEMO_CLIENT_ID,
        username,
        DEMO_PASSWORD,
    )
    .await
    .unwrap_or_else(|e| panic!("{username} signs in: {e}"));
    Client::connect(
        &tokens.instance_url,
        Credentials::access_token(tokens.secret.access_token),
        ClientConfig::default(),
    )
    .await
    .expect("client")
}
