//! Connecting to a sandbox org over real HTTP with every flow, keeping the tokens in a real
//! Secret Service (see `scripts/test.sh`), then disconnecting and reconnecting.

use std::path::Path;
use std::sync::Arc;

use sandbox_org::config::{ConnectedApp, DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{OrgConfig, SandboxOrg};
use tether::connect::oauth::{jwt_login, password_login};
use tether::connect::{
    CallbackListener, ConnectError, ConnectionDb, KeyringStore, LoginUrl, NewConnection,
    OAuthError, SecretStore, Tokens, disconnect, http_client, renew, save, secret_of, web_login,
};

const WAIT: std::time::Duration = std::time::Duration::from_secs(30);
const JWT_CERT: &str = include_str!("../../fixtures/jwt/test-app.crt");

fn keychain() -> Arc<dyn SecretStore> {
    Arc::new(KeyringStore::open().expect("a Secret Service must be running (scripts/test.sh)"))
}

fn unique(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

/// An org that approves sign-ins at once and knows `callback`, plus a JWT app.
async fn org_with_callback(callback: String) -> SandboxOrg {
    let mut config = OrgConfig {
        auto_approve: true,
        ..OrgConfig::default()
    };
    config.apps[0].callbacks.push(callback);
    config.apps.push(ConnectedApp {
        client_id: "TetherJwt".into(),
        client_secret: None,
        callbacks: vec![],
        jwt_certificate_pem: Some(JWT_CERT.into()),
    });
    SandboxOrg::start(config).await.expect("sandbox org starts")
}

/// Plays the browser: asks the org to authorize, then follows its redirect to the listener.
async fn browse(authorize: url::Url) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(authorize).send().await.unwrap();
    assert_eq!(answer.status(), 302, "authorize did not redirect");
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let landed = http.get(&location).send().await.unwrap();
    assert_eq!(landed.status(), 200, "the listener refused {location}");
}

async fn browser_sign_in(
    http: &reqwest::Client,
    login: &LoginUrl,
    listener: CallbackListener,
) -> Tokens {
    web_login(http, login, DEMO_CLIENT_ID, listener, WAIT, |url| {
        tokio::spawn(browse(url.clone()));
    })
    .await
    .expect("web-server flow signs in")
}

async fn api_status(http: &reqwest::Client, instance: &str, token: &str) -> u16 {
    http.get(format!("{instance}/services/data/v60.0/limits"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn assert_no_token_bytes(dir: &Path, tokens: &[&str]) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for token in tokens {
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                "{} holds a token",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_flow_connects_disconnect_revokes_and_reconnect_works() {
    let secrets = keychain();
    let listener = CallbackListener::bind(0).await.unwrap();
    let org = org_with_callback(listener.redirect_uri()).await;
    let port = listener.local_addr().unwrap().port();
    let login = LoginUrl::parse(&org.base_url()).unwrap();
    let http = http_client().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = ConnectionDb::open(&dir.path().join("tether.db")).unwrap();
    let name = unique("web");
    let new = NewConnection {
        name: Some(name.clone()),
        login: login.clone(),
        client_id: DEMO_CLIENT_ID.into(),
    };

    let tokens = browser_sign_in(&http, &login, listener).await;
    let secret = tokens.secret.clone();
    let refresh = secret.refresh_token.clone().expect("a refresh token");
    let connection = save(&http, &db, secrets.clone(), new.clone(), tokens)
        .await
        .unwrap();
    assert_eq!(connection.username, DEMO_USERNAME);
    assert_eq!(connection.instance_url, org.base_url());
    assert!(connection.org_id.starts_with("00D") && connection.user_id.starts_with("005"));
    assert_eq!(
        secret_of(secrets.clone(), &name).await.unwrap(),
        Some(secret.clone())
    );
    assert_eq!(
        api_status(&http, &connection.instance_url, &secret.access_token).await,
        200
    );
    assert_no_token_bytes(dir.path(), &[&secret.access_token, &refresh]);

    let renewed = renew(&http, secrets.clone(), &connection).await.unwrap();
    assert_ne!(renewed.access_token, secret.access_token);
    assert_eq!(renewed.refresh_token.as_deref(), Some(refresh.as_str()));
    assert_eq!(
        secret_of(secrets.clone(), &name).await.unwrap(),
        Some(renewed.clone())
    );
    assert_eq!(
        api_status(&http, &connection.instance_url, &renewed.access_token).await,
        200
    );

    let outcome = disconnect(&http, &db, secrets.clone(), &name)
        .await
        .unwrap();
    assert!(outcome.revoked);
    assert_eq!(
        api_status(&http, &connection.instance_url, &secret.access_token).await,
        401
    );
    assert_eq!(secret_of(secrets.clone(), &name).await.unwrap(), None);
    assert_eq!(db.get(&name).unwrap(), None);
    assert!(matches!(
        disconnect(&http, &db, secrets.clone(), &name).await,
        Err(ConnectError::UnknownConnection(_))
    ));

    // Reconnecting uses a new listener on the same registered port.
    let listener = CallbackListener::bind(port).await.unwrap();
    let again = browser_sign_in(&http, &login, listener).await;
    let token = again.secret.access_token.clone();
    save(&http, &db, secrets.clone(), new, again).await.unwrap();
    assert_eq!(api_status(&http, &org.base_url(), &token).await, 200);
    disconnect(&http, &db, secrets, &name).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_bearer_signs_in_with_the_key_file_and_a_wrong_key_is_refused() {
    let org = org_with_callback("http://localhost:1/unused".into()).await;
    let login = LoginUrl::parse(&org.base_url()).unwrap();
    let http = http_client().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwt");
    let key = fixtures.join("test-app.key");

    let tokens = jwt_login(&http, &login, "TetherJwt", DEMO_USERNAME, &key)
        .await
        .unwrap();
    assert_eq!(tokens.secret.key_path.as_deref(), Some(key.as_path()));
    assert_eq!(
        api_status(&http, &tokens.instance_url, &tokens.secret.access_token).await,
        200
    );

    let secrets = keychain();
    let dir = tempfile::tempdir().unwrap();
    let db = ConnectionDb::open(&dir.path().join("tether.db")).unwrap();
    let name = unique("jwt");
    let new = NewConnection {
        name: Some(name.clone()),
        login: login.clone(),
        client_id: "TetherJwt".into(),
    };
    let access = tokens.secret.access_token.clone();
    save(&http, &db, secrets.clone(), new, tokens)
        .await
        .unwrap();
    let stored = secret_of(secrets.clone(), &name).await.unwrap().unwrap();
    assert_eq!(stored.key_path.as_deref(), Some(key.as_path()));
    assert_no_token_bytes(dir.path(), &[&access]);
    disconnect(&http, &db, secrets, &name).await.unwrap();
    assert_eq!(api_status(&http, &org.base_url(), &access).await, 401);

    let wrong = jwt_login(
        &http,
        &login,
        "TetherJwt",
        DEMO_USERNAME,
        &fixtures.join("other.key"),
    )
    .await;
    assert!(
        matches!(&wrong, Err(OAuthError::Refused { error, .. }) if error == "invalid_grant"),
        "{wrong:?}"
    );
    let missing = jwt_login(
        &http,
        &login,
        "TetherJwt",
        DEMO_USERNAME,
        &fixtures.join("absent.key"),
    )
    .await;
    assert!(
        matches!(missing, Err(OAuthError::Key { .. })),
        "{missing:?}"
    );
}

#[tokio::test]
async fn username_password_flow_signs_in_and_bad_passwords_are_refused() {
    let org = org_with_callback("http://localhost:1/unused".into()).await;
    let login = LoginUrl::parse(&org.base_url()).unwrap();
    let http = http_client().unwrap();
    let tokens = password_login(&http, &login, DEMO_CLIENT_ID, DEMO_USERNAME, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        api_status(&http, &tokens.instance_url, &tokens.secret.access_token).await,
        200
    );
    let refused = password_login(&http, &login, DEMO_CLIENT_ID, DEMO_USERNAME, "wrong").await;
    assert!(
        matches!(&refused, Err(OAuthError::Refused { error, .. }) if error == "invalid_grant"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_refusing_the_sign_in_ends_it_at_once_with_its_error() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let org = org_with_callback(listener.redirect_uri()).await;
    let login = LoginUrl::parse(&org.base_url()).unwrap();
    let http = http_client().unwrap();
    let started = std::time::Instant::now();
    let mut shown = false;
    let answer = web_login(&http, &login, "NoSuchApp", listener, WAIT, |_| shown = true).await;
    match answer {
        Err(ConnectError::OAuth(OAuthError::Refused { error, description })) => {
            assert_eq!(error, "invalid_client_id");
            assert_eq!(description.as_deref(), Some("client identifier invalid"));
        }
        other => panic!("expected the org's refusal, got {other:?}"),
    }
    assert!(
        !shown,
        "the browser was sent to a page that can only show an error"
    );
    assert!(
        started.elapsed() < WAIT / 2,
        "the sign-in waited {:?} for a callback that could never come",
        started.elapsed()
    );
    org.shutdown().await;
}
