//! Secrets of a connection (tokens, the path of a JWT signing key) in the OS keychain.
//!
//! One keychain entry per connection under the service [`KEYCHAIN_SERVICE`], holding a JSON
//! [`ConnectionSecret`]. There is deliberately no file fallback: without a keychain,
//! connecting fails and says what to install or start.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The keychain service every Tether entry is filed under.
pub const KEYCHAIN_SERVICE: &str = "tether";

/// What a connection needs to talk to its org again. `Debug` never shows the tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSecret {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Private key file of a JWT bearer connection, used to mint the next token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_path: Option<PathBuf>,
}

impl fmt::Debug for ConnectionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSecret")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("key_path", &self.key_path)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no keychain is available ({0}). Tether keeps tokens only in the system keychain: \
         start a Secret Service provider in your desktop session (install `gnome-keyring` or \
         KeePassXC with Secret Service enabled, and make sure a D-Bus session bus is running, \
         e.g. with `dbus-user-session`), then connect again"
    )]
    Unavailable(String),
    #[error(
        "the keychain refused access ({0}). Unlock your login keyring (for example by \
         logging in to the desktop again) and retry"
    )]
    Locked(String),
    #[error(
        "the keychain entry for connection `{0}` is damaged. Run `tether disconnect {0}` and connect again"
    )]
    Damaged(String),
    #[error("the keychain failed: {0}. Retry, or check the Secret Service provider's logs")]
    Failed(String),
}

/// Where connection secrets live. The production implementation is [`KeyringStore`].
pub trait SecretStore: Send + Sync {
    fn put(&self, connection: &str, secret: &ConnectionSecret) -> Result<(), SecretError>;
    /// `Ok(None)` when the connection has no entry.
    fn get(&self, connection: &str) -> Result<Option<ConnectionSecret>, SecretError>;
    /// Removing an entry that does not exist is not an error.
    fn delete(&self, connection: &str) -> Result<(), SecretError>;
}

/// The OS keychain (the Secret Service over D-Bus on Linux) through `keyring`.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyringStore;

impl KeyringStore {
    /// Checks that a keychain answers, so that a connection fails before the browser opens
    /// rather than after the user has signed in.
    pub fn open() -> Result<KeyringStore, SecretError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(SecretError::Unavailable(e.to_string()));
        }
        let store = KeyringStore;
        store.get("__tether_probe__")?;
        Ok(store)
    }

    fn entry(connection: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, connection).map_err(classify)
    }
}

fn classify(error: keyring::Error) -> SecretError {
    use keyring::Error as E;
    match error {
        E::NoDefaultStore => {
            SecretError::Unavailable("no Secret Service on the session bus".into())
        }
        E::NoStorageAccess(e) => SecretError::Locked(e.to_string()),
        E::PlatformFailure(e) => {
            let text = e.to_string();
            // zbus reports a missing bus or service as a platform failure.
            if text.contains("DBus") || text.contains("D-Bus") || text.contains("ServiceUnknown") {
                SecretError::Unavailable(text)
            } else {
                SecretError::Failed(text)
            }
        }
        other => SecretError::Failed(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn put(&self, connection: &str, secret: &ConnectionSecret) -> Result<(), SecretError> {
        let json = serde_json::to_string(secret).map_err(|e| SecretError::Failed(e.to_string()))?;
        Self::entry(connection)?
            .set_password(&json)
            .map_err(classify)
    }

    fn get(&self, connection: &str) -> Result<Option<ConnectionSecret>, SecretError> {
        match Self::entry(connection)?.get_password() {
            Ok(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|_| SecretError::Damaged(connection.to_string())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn delete(&self, connection: &str) -> Result<(), SecretError> {
        match Self::entry(connection)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_tokens() {
        let secret = ConnectionSecret {
            access_token: "00Dxx!AQ-secret-access".into(),
            refresh_token: Some("5Aep-secret-refresh".into()),
            key_path: None,
        };
        let shown = format!("{secret:?}");
        assert!(!shown.contains("secret-access"), "{shown}");
        assert!(!shown.contains("secret-refresh"), "{shown}");
    }

    #[test]
    fn unavailable_message_says_what_to_install() {
        let text = SecretError::Unavailable("no bus".into()).to_string();
        assert!(
            text.contains("gnome-keyring") && text.contains("D-Bus"),
            "{text}"
        );
    }
}
