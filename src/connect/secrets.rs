//! Secrets of a connection (tokens, the path of a JWT signing key) in the OS keychain.
//!
//! One keychain entry per connection under the service [`KEYCHAIN_SERVICE`], holding a JSON
//! [`ConnectionSecret`]. There is deliberately no file fallback: without a keychain,
//! connecting fails and says what to install or start.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Consumer secret of the connected app, for apps that require one: kept here, in the
    /// keychain, and nowhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
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
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
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

/// Calls of one keychain operation at most, and the pause before the first retry (doubled
/// before each next one, with jitter so that processes that collided do not collide again).
const ATTEMPTS: u32 = 5;
const FIRST_PAUSE: Duration = Duration::from_millis(40);

/// Whether an error may pass if the call is made again: the Secret Service busy with other
/// processes (no reply in time, its limits reached) or still starting when several processes
/// activated it at once. A locked keyring, a damaged entry or no keychain at all stay as they are.
fn transient(error: &SecretError) -> bool {
    const BUSY: [&str; 6] = [
        "NoReply",
        "Timeout",
        "timed out",
        "LimitsExceeded",
        "ServiceUnknown",
        "temporarily unavailable",
    ];
    match error {
        SecretError::Failed(_) => true,
        SecretError::Unavailable(text) => BUSY.iter().any(|busy| text.contains(busy)),
        SecretError::Locked(_) | SecretError::Damaged(_) => false,
    }
}

/// Runs a keychain call, again after a growing pause while it fails in a way that may pass,
/// at most [`ATTEMPTS`] times; the last error is the answer.
fn with_retries<T>(
    mut call: impl FnMut() -> Result<T, SecretError>,
    pause: impl Fn(Duration),
) -> Result<T, SecretError> {
    let mut wait = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        match call() {
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                tracing::debug!("keychain call failed (attempt {attempt}), retrying: {e}");
                let jitter = rand::random_range(0..=wait.as_millis() as u64 / 2);
                pause(wait + Duration::from_millis(jitter));
                wait *= 2;
                attempt += 1;
            }
            answer => return answer,
        }
    }
}

impl SecretStore for KeyringStore {
    fn put(&self, connection: &str, secret: &ConnectionSecret) -> Result<(), SecretError> {
        let json = serde_json::to_string(secret).map_err(|e| SecretError::Failed(e.to_string()))?;
        with_retries(
            || {
                Self::entry(connection)?
                    .set_password(&json)
                    .map_err(classify)
            },
            std::thread::sleep,
        )
    }

    fn get(&self, connection: &str) -> Result<Option<ConnectionSecret>, SecretError> {
        let json = with_retries(
            || match Self::entry(connection)?.get_password() {
                Ok(json) => Ok(Some(json)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(classify(e)),
            },
            std::thread::sleep,
        )?;
        json.map(|json| {
            serde_json::from_str(&json).map_err(|_| SecretError::Damaged(connection.to_string()))
        })
        .transpose()
    }

    fn delete(&self, connection: &str) -> Result<(), SecretError> {
        with_retries(
            || match Self::entry(connection)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(classify(e)),
            },
            std::thread::sleep,
        )
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
            client_secret: Some("consumer-secret-value".into()),
        };
        let shown = format!("{secret:?}");
        assert!(!shown.contains("secret-access"), "{shown}");
        assert!(!shown.contains("secret-refresh"), "{shown}");
        assert!(!shown.contains("secret-value"), "{shown}");
    }

    /// A call that fails with `errors` in turn, then answers; the pauses it was given.
    fn flaky(errors: Vec<SecretError>) -> (Result<u32, SecretError>, Vec<Duration>, u32) {
        let errors = std::cell::RefCell::new(errors.into_iter());
        let calls = std::cell::Cell::new(0);
        let pauses = std::cell::RefCell::new(Vec::new());
        let answer = with_retries(
            || {
                calls.set(calls.get() + 1);
                match errors.borrow_mut().next() {
                    Some(e) => Err(e),
                    None => Ok(calls.get()),
                }
            },
            |d| pauses.borrow_mut().push(d),
        );
        (answer, pauses.into_inner(), calls.get())
    }

    #[test]
    fn a_busy_secret_service_is_asked_again_with_growing_pauses() {
        let busy = || SecretError::Failed("org.freedesktop.DBus.Error.NoReply".into());
        let (answer, pauses, calls) = flaky(vec![
            busy(),
            SecretError::Unavailable("org.freedesktop.DBus.Error.ServiceUnknown".into()),
            busy(),
        ]);
        assert_eq!(answer.unwrap(), 4, "the fourth call answers");
        assert_eq!(calls, 4);
        assert_eq!(pauses.len(), 3);
        for (n, pause) in pauses.iter().enumerate() {
            let base = FIRST_PAUSE * 2u32.pow(n as u32);
            assert!(
                *pause >= base && *pause <= base + base / 2,
                "pause {n}: {pause:?}"
            );
        }
    }

    #[test]
    fn retries_are_bounded_and_lasting_failures_are_not_retried() {
        let busy = || SecretError::Failed("Timeout".into());
        let (answer, pauses, calls) = flaky((0..10).map(|_| busy()).collect());
        assert!(matches!(answer, Err(SecretError::Failed(_))), "{answer:?}");
        assert_eq!(calls, ATTEMPTS, "gives up after {ATTEMPTS} calls");
        assert_eq!(pauses.len() as u32, ATTEMPTS - 1);

        for lasting in [
            SecretError::Locked("dismissed".into()),
            SecretError::Damaged("main".into()),
            SecretError::Unavailable("no Secret Service on the session bus".into()),
        ] {
            let (answer, pauses, calls) = flaky(vec![lasting]);
            assert!(answer.is_err());
            assert_eq!((calls, pauses.len()), (1, 0), "{answer:?}");
        }
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
