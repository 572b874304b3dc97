//! Connection secrets against a real Secret Service (gnome-keyring in a private D-Bus
//! session, as `scripts/test.sh` starts it). These tests fail, never skip, without one.

use std::path::Path;

use tether::connect::{
    Connection, ConnectionDb, ConnectionSecret, KeyringStore, SecretError, SecretStore,
};

fn unique(name: &str) -> String {
    format!("test-{name}-{}", std::process::id())
}

fn secret(tag: &str) -> ConnectionSecret {
    ConnectionSecret {
        access_token: format!("00D000000000001!AQ-access-{tag}-7f3a9c"),
        refresh_token: Some(format!("5Aep861-refresh-{tag}-2b8e4d")),
        key_path: None,
        client_secret: None,
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every file under `dir` (the database and its journal, logs) must be free of the tokens.
fn assert_no_token_bytes(dir: &Path, secret: &ConnectionSecret) {
    let mut tokens = vec![secret.access_token.as_str()];
    tokens.extend(secret.refresh_token.as_deref());
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        scanned += 1;
        for token in &tokens {
            assert!(!contains(&bytes, token), "{} holds a token", path.display());
        }
    }
    assert!(scanned > 0, "nothing to scan in {}", dir.display());
}

#[test]
fn tokens_round_trip_through_the_secret_service() {
    let store = KeyringStore::open()
        .expect("a Secret Service must be running for this test (run it through scripts/test.sh)");
    let name = unique("round-trip");
    assert_eq!(store.get(&name).unwrap(), None);

    let first = secret("one");
    store.put(&name, &first).unwrap();
    assert_eq!(store.get(&name).unwrap(), Some(first));

    let second = ConnectionSecret {
        key_path: Some("/keys/app.key".into()),
        client_secret: Some("consumer-secret".into()),
        refresh_token: None,
        ..secret("two")
    };
    store.put(&name, &second).unwrap();
    assert_eq!(store.get(&name).unwrap(), Some(second));

    store.delete(&name).unwrap();
    assert_eq!(store.get(&name).unwrap(), None);
    store.delete(&name).expect("deleting twice is fine");
}

#[test]
fn entries_are_filed_under_the_tether_service() {
    let store = KeyringStore::open().expect("a Secret Service must be running");
    let name = unique("lookup");
    let s = secret("lookup");
    store.put(&name, &s).unwrap();
    // secret-tool reads the same item the way any other keychain client would.
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "tether", "username", &name])
        .output();
    store.delete(&name).unwrap();
    let out = out.expect("secret-tool (libsecret-tools) must be installed");
    let stored: ConnectionSecret = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "keychain item is not the connection JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(stored, s);
}

#[test]
fn metadata_database_never_holds_token_bytes() {
    let store = KeyringStore::open().expect("a Secret Service must be running");
    let dir = tempfile::tempdir().unwrap();
    let db = ConnectionDb::open(&dir.path().join("tether.db")).unwrap();
    let name = unique("scan");
    let s = secret("scan");
    store.put(&name, &s).unwrap();
    db.save(&Connection {
        name: name.clone(),
        login_url: "https://login.salesforce.com".into(),
        instance_url: "https://acme.my.salesforce.com".into(),
        org_id: "00D000000000001AAA".into(),
        user_id: "005000000000001AAA".into(),
        username: "a@acme.example".into(),
        client_id: "TetherDesktop".into(),
        connected_at: chrono::Utc::now(),
    })
    .unwrap();
    drop(db);
    store.delete(&name).unwrap();
    assert_no_token_bytes(dir.path(), &s);
}

const NO_BUS_MARKER: &str = "TETHER_TEST_WITHOUT_SESSION_BUS";

/// The keychain state is settled once per process, so this test reruns itself in a child
/// process whose session bus address leads nowhere.
#[test]
fn without_a_session_bus_the_keychain_is_unavailable_with_advice() {
    if std::env::var_os(NO_BUS_MARKER).is_some() {
        let error = KeyringStore::open().expect_err("no bus, so no keychain");
        assert!(matches!(error, SecretError::Unavailable(_)), "{error:?}");
        let text = error.to_string();
        assert!(
            text.contains("gnome-keyring") && text.contains("D-Bus"),
            "{text}"
        );
        return;
    }
    let empty = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "without_a_session_bus_the_keychain_is_unavailable_with_advice",
        ])
        .env(NO_BUS_MARKER, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", empty.path().display()),
        )
        .env("XDG_RUNTIME_DIR", empty.path())
        .output()
        .unwrap();
    assert!(
        child.status.success(),
        "the child test failed: {}",
        String::from_utf8_lossy(&child.stdout)
    );
}

/// Each process (the test binary run again as a child) opens the keychain, writes, reads and
/// deletes entries of its own, as many `tether` processes started by one schedule would.
const HAMMER: &str = "TETHER_TEST_KEYCHAIN_HAMMER";

fn hammer(tag: &str) -> Result<(), String> {
    let store = KeyringStore::open().map_err(|e| format!("open: {e}"))?;
    for round in 0..5 {
        let name = unique(&format!("{tag}-{round}"));
        let value = secret(&format!("{tag}-{round}"));
        store.put(&name, &value).map_err(|e| format!("put: {e}"))?;
        let back = store.get(&name).map_err(|e| format!("get: {e}"))?;
        if back != Some(value) {
            return Err(format!("read back another value for {name}"));
        }
        store.delete(&name).map_err(|e| format!("delete: {e}"))?;
    }
    Ok(())
}

#[test]
fn many_processes_reach_the_keychain_at_once() {
    if let Ok(tag) = std::env::var(HAMMER) {
        if let Err(e) = hammer(&tag) {
            panic!("keychain access failed under load: {e}");
        }
        return;
    }
    KeyringStore::open().expect("a Secret Service must be running for this test");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..12)
        .map(|n| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "many_processes_reach_the_keychain_at_once",
                    "--nocapture",
                ])
                .env(HAMMER, format!("p{n}"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut failures = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stdout).into_owned());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 12 processes failed: {failures:#?}",
        failures.len()
    );
}
