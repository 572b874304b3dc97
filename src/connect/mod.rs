//! Connections to orgs: signing in (web-server flow with PKCE over a loopback listener, JWT
//! bearer, username-password), where secrets live (the OS keychain) and where the rest lives
//! (SQLite).

pub mod client;
pub mod flows;
pub mod listener;
pub mod login_url;
pub mod metadata;
pub mod oauth;
pub mod secrets;

pub use client::saved_client;
pub use flows::{
    ConnectError, DEFAULT_SIGN_IN_TIMEOUT, Disconnected, Identity, NewConnection, disconnect,
    http_client, identity, renew, save, secret_of, web_login, web_login_with_secret,
};
pub use listener::{CallbackListener, DEFAULT_CALLBACK_PORT, ListenerError};
pub use login_url::{LoginUrl, LoginUrlError};
pub use metadata::{Connection, ConnectionDb, MetadataError};
pub use oauth::{OAuthError, Tokens};
pub use secrets::{ConnectionSecret, KEYCHAIN_SERVICE, KeyringStore, SecretError, SecretStore};
