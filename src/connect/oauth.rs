//! Plain OAuth 2.0 calls to an org's login host: the web-server flow with PKCE (through the
//! `oauth2` crate), JWT bearer, username-password, refresh and revoke.

use std::fmt;
use std::path::Path;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, ResourceOwnerPassword, ResourceOwnerUsername,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::login_url::LoginUrl;
use super::secrets::ConnectionSecret;

/// The fields Salesforce adds to a token answer (which has no `expires_in`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SalesforceTokenFields {
    pub instance_url: String,
    /// The identity URL, `https://login…/id/{org id}/{user id}`.
    pub id: String,
    #[serde(default)]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
}

impl ExtraTokenFields for SalesforceTokenFields {}

pub type SalesforceTokenResponse = StandardTokenResponse<SalesforceTokenFields, BasicTokenType>;

type SalesforceClient<HasAuthUrl> = Client<
    BasicErrorResponse,
    SalesforceTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuthUrl,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What a successful sign-in yields. `Debug` hides the tokens.
#[derive(Clone)]
pub struct Tokens {
    pub secret: ConnectionSecret,
    pub instance_url: String,
    pub identity_url: String,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("secret", &self.secret)
            .field("instance_url", &self.instance_url)
            .field("identity_url", &self.identity_url)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("the org refused the sign-in: {error}{}. Check the client id, the user and the connected app's settings", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    #[error("cannot reach the login host: {0}. Check the login URL and the network, then retry")]
    Network(String),
    #[error(
        "the login host answered something that is not a Salesforce token answer: {0}. Check that the login URL points at a Salesforce org"
    )]
    Unexpected(String),
    #[error(
        "cannot read the private key {path}: {reason}. Give the PEM file of the key whose certificate is uploaded to the connected app"
    )]
    Key { path: String, reason: String },
}

/// Sends oauth2's requests with Tether's own reqwest client.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error(transparent)]
    Http(#[from] oauth2::http::Error),
}

async fn send(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, SendError> {
    let response = http.execute(reqwest::Request::try_from(request)?).await?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(answer.body(body)?)
}

fn client(
    login: &LoginUrl,
    client_id: &str,
) -> Result<SalesforceClient<EndpointNotSet>, OAuthError> {
    client_with_secret(login, client_id, None)
}

/// The client, sending `client_secret` (when given) in the form body, as Salesforce's
/// documentation shows it.
fn client_with_secret(
    login: &LoginUrl,
    client_id: &str,
    client_secret: Option<&str>,
) -> Result<SalesforceClient<EndpointNotSet>, OAuthError> {
    let token_url = TokenUrl::new(login.endpoint("token")).map_err(bad_url)?;
    let client = Client::new(ClientId::new(client_id.to_string()))
        .set_token_uri(token_url)
        .set_auth_type(AuthType::RequestBody);
    Ok(match client_secret {
        Some(secret) => client.set_client_secret(ClientSecret::new(secret.to_string())),
        None => client,
    })
}

/// Keeps the consumer secret with the tokens, so that refreshes can send it.
fn with_client_secret(mut tokens: Tokens, client_secret: Option<&str>) -> Tokens {
    tokens.secret.client_secret = client_secret.map(str::to_string);
    tokens
}

fn bad_url(error: url::ParseError) -> OAuthError {
    OAuthError::Unexpected(format!("an endpoint URL does not parse: {error}"))
}

fn tokens(answer: SalesforceTokenResponse, key_path: Option<&Path>) -> Tokens {
    let extra = answer.extra_fields();
    Tokens {
        secret: ConnectionSecret {
            access_token: answer.access_token().secret().clone(),
            refresh_token: answer.refresh_token().map(|t| t.secret().clone()),
            key_path: key_path.map(Path::to_path_buf),
            client_secret: None,
        },
        instance_url: extra.instance_url.clone(),
        identity_url: extra.id.clone(),
    }
}

fn classify<E: std::error::Error>(error: RequestTokenError<E, BasicErrorResponse>) -> OAuthError {
    match error {
        RequestTokenError::ServerResponse(r) => OAuthError::Refused {
            error: r.error().to_string(),
            description: r.error_description().cloned(),
        },
        RequestTokenError::Request(e) => OAuthError::Network(e.to_string()),
        RequestTokenError::Parse(e, _) => OAuthError::Unexpected(e.to_string()),
        RequestTokenError::Other(e) => OAuthError::Unexpected(e),
    }
}

/// The browser half of the web-server flow: where to send the user, and what the code
/// exchange needs afterwards. `Debug` hides the verifier.
pub struct Authorization {
    pub url: url::Url,
    pub state: CsrfToken,
    verifier: PkceCodeVerifier,
    redirect_uri: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// Builds the authorize URL with a fresh `state` and PKCE (S256) challenge.
pub fn authorize(
    login: &LoginUrl,
    client_id: &str,
    redirect_uri: &str,
) -> Result<Authorization, OAuthError> {
    let client = client(login, client_id)?
        .set_auth_uri(AuthUrl::new(login.endpoint("authorize")).map_err(bad_url)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string()).map_err(bad_url)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    Ok(Authorization {
        url,
        state,
        verifier,
        redirect_uri: redirect_uri.to_string(),
    })
}

/// Trades the authorization code from the callback for tokens.
pub async fn exchange_code(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    client_secret: Option<&str>,
    authorization: Authorization,
    code: String,
) -> Result<Tokens, OAuthError> {
    let redirect = RedirectUrl::new(authorization.redirect_uri).map_err(bad_url)?;
    let sender = |request| send(http.clone(), request);
    let answer = client_with_secret(login, client_id, client_secret)?
        .set_redirect_uri(redirect)
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(authorization.verifier)
        .request_async(&sender)
        .await
        .map_err(classify)?;
    Ok(with_client_secret(tokens(answer, None), client_secret))
}

/// The username-password flow. Discouraged: the password passes through Tether, and orgs
/// increasingly block it. Only for legacy orgs that allow nothing else.
pub async fn password_login(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<Tokens, OAuthError> {
    password_login_with_secret(http, login, client_id, None, username, password).await
}

/// [`password_login`] for a connected app that requires its consumer secret (the default
/// for a new connected app).
pub async fn password_login_with_secret(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    client_secret: Option<&str>,
    username: &str,
    password: &str,
) -> Result<Tokens, OAuthError> {
    let sender = |request| send(http.clone(), request);
    let username = ResourceOwnerUsername::new(username.to_string());
    let password = ResourceOwnerPassword::new(password.to_string());
    let answer = client_with_secret(login, client_id, client_secret)?
        .exchange_password(&username, &password)
        .request_async(&sender)
        .await
        .map_err(classify)?;
    Ok(with_client_secret(tokens(answer, None), client_secret))
}

/// A new access token from a refresh token; the refresh token is kept when the org does
/// not rotate it.
pub async fn refresh(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    client_secret: Option<&str>,
    refresh_token: &str,
) -> Result<Tokens, OAuthError> {
    let sender = |request| send(http.clone(), request);
    let token = RefreshToken::new(refresh_token.to_string());
    let answer = client_with_secret(login, client_id, client_secret)?
        .exchange_refresh_token(&token)
        .request_async(&sender)
        .await
        .map_err(classify)?;
    let mut tokens = with_client_secret(tokens(answer, None), client_secret);
    if tokens.secret.refresh_token.is_none() {
        tokens.secret.refresh_token = Some(refresh_token.to_string());
    }
    Ok(tokens)
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Salesforce accepts assertions that expire within a few minutes.
const ASSERTION_LIFETIME_SECS: i64 = 180;

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
}

/// The JWT bearer flow: an RS256 assertion signed with the private key at `key_path`, for
/// headless and scheduled use. The org checks it against the connected app's certificate.
pub async fn jwt_login(
    http: &reqwest::Client,
    login: &LoginUrl,
    client_id: &str,
    username: &str,
    key_path: &Path,
) -> Result<Tokens, OAuthError> {
    let key_error = |reason: String| OAuthError::Key {
        path: key_path.display().to_string(),
        reason,
    };
    let pem = std::fs::read(key_path).map_err(|e| key_error(e.to_string()))?;
    let key =
        jsonwebtoken::EncodingKey::from_rsa_pem(&pem).map_err(|e| key_error(e.to_string()))?;
    let claims = Assertion {
        iss: client_id,
        sub: username,
        aud: login.as_str(),
        exp: chrono::Utc::now().timestamp() + ASSERTION_LIFETIME_SECS,
    };
    let assertion = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .map_err(|e| key_error(e.to_string()))?;
    let response = http
        .post(login.endpoint("token"))
        .form(&[
            ("grant_type", JWT_BEARER),
            ("assertion", assertion.as_str()),
        ])
        .send()
        .await
        .map_err(|e| OAuthError::Network(e.to_string()))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| OAuthError::Network(e.to_string()))?;
    if !status.is_success() {
        return Err(match serde_json::from_slice::<BasicErrorResponse>(&body) {
            Ok(r) => OAuthError::Refused {
                error: r.error().to_string(),
                description: r.error_description().cloned(),
            },
            Err(_) => OAuthError::Unexpected(format!("HTTP {status}")),
        });
    }
    let answer: SalesforceTokenResponse =
        serde_json::from_slice(&body).map_err(|e| OAuthError::Unexpected(e.to_string()))?;
    Ok(tokens(answer, Some(key_path)))
}

/// Revokes a token (`POST /services/oauth2/revoke`). A token the org no longer knows counts
/// as revoked.
pub async fn revoke(
    http: &reqwest::Client,
    login: &LoginUrl,
    token: &str,
) -> Result<(), OAuthError> {
    let response = http
        .post(login.endpoint("revoke"))
        .form(&[("token", token)])
        .send()
        .await
        .map_err(|e| OAuthError::Network(e.to_string()))?;
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<BasicErrorResponse>(&body) {
        Ok(r) if r.error().to_string() == "invalid_token" => Ok(()),
        Ok(r) => Err(OAuthError::Refused {
            error: r.error().to_string(),
            description: r.error_description().cloned(),
        }),
        Err(_) => Err(OAuthError::Unexpected(format!("HTTP {status}"))),
    }
}
