//! The few REST calls the demo window makes: sign in, who am I, and record counts.

use std::time::Duration;

use serde::Deserialize;

/// The API version the demo speaks.
pub const API_VERSION: &str = "v62.0";

/// Why a call to the org failed, worded for the person looking at the window.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach {url}: {source}. Check that the org is running and the URL is right")]
    Unreachable { url: String, source: reqwest::Error },
    #[error(
        "the org refused to sign in ({code}: {description}). Check the username, password and client id"
    )]
    SignInRefused { code: String, description: String },
    #[error("the org answered {status} with {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the org sent an answer Tether cannot read ({what}): {detail}")]
    Unreadable { what: &'static str, detail: String },
}

/// An access token for one org. `Debug` leaves the token out: it is a secret.
pub struct OrgSession {
    http: reqwest::Client,
    instance_url: String,
    access_token: String,
    identity_url: String,
}

impl std::fmt::Debug for OrgSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgSession")
            .field("instance_url", &self.instance_url)
            .field("identity_url", &self.identity_url)
            .finish_non_exhaustive()
    }
}

/// Who signed in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Identity {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
}

/// The answer to a count query, with the org's API usage when it said so.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountAnswer {
    pub count: u64,
    pub api_usage: Option<(u64, u64)>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    instance_url: String,
    id: String,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

#[derive(Deserialize)]
struct RestError {
    #[serde(rename = "errorCode")]
    error_code: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryAnswer {
    total_size: u64,
}

impl OrgSession {
    /// Signs in with the OAuth username-password grant.
    pub async fn sign_in_with_password(
        login_url: &str,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<OrgSession, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| unreachable(login_url, e))?;
        let url = format!("{}/services/oauth2/token", login_url.trim_end_matches('/'));
        let form = [
            ("grant_type", "password"),
            ("client_id", client_id),
            ("username", username),
            ("password", password),
        ];
        let response = http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| unreachable(&url, e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| unreachable(&url, e))?;
        if !status.is_success() {
            return Err(match serde_json::from_slice::<OAuthError>(&body) {
                Ok(e) => ClientError::SignInRefused {
                    code: e.error,
                    description: e.error_description,
                },
                Err(_) => unreadable("token error", status, &body),
            });
        }
        let token: TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| unreadable("token", status, &body))?;
        Ok(OrgSession {
            http,
            instance_url: token.instance_url.trim_end_matches('/').to_string(),
            access_token: token.access_token,
            identity_url: token.id,
        })
    }

    pub fn instance_url(&self) -> &str {
        &self.instance_url
    }

    /// The signed-in user, from the identity URL of the token answer.
    pub async fn identity(&self) -> Result<Identity, ClientError> {
        let response = self.get(&self.identity_url, &[]).await?;
        serde_json::from_slice(&response.1)
            .map_err(|_| unreadable("identity", response.0, &response.1))
    }

    /// `SELECT COUNT() FROM {object}`.
    pub async fn count(&self, object: &str) -> Result<CountAnswer, ClientError> {
        let url = format!("{}/services/data/{API_VERSION}/query", self.instance_url);
        let soql = format!("SELECT COUNT() FROM {object}");
        let (status, body, api_usage) = self.get(&url, &[("q", &soql)]).await?;
        let answer: QueryAnswer =
            serde_json::from_slice(&body).map_err(|_| unreadable("query", status, &body))?;
        Ok(CountAnswer {
            count: answer.total_size,
            api_usage,
        })
    }

    async fn get(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<(reqwest::StatusCode, bytes::Bytes, Option<(u64, u64)>), ClientError> {
        let response = self
            .http
            .get(url)
            .query(query)
            .bearer_auth(&self.access_token)
            .send()
            .await
            .map_err(|e| unreachable(url, e))?;
        let status = response.status();
        let api_usage = response
            .headers()
            .get("Sforce-Limit-Info")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_api_usage);
        let body = response.bytes().await.map_err(|e| unreachable(url, e))?;
        if !status.is_success() {
            return Err(rest_error(status, &body));
        }
        Ok((status, body, api_usage))
    }
}

/// Reads `api-usage=18/15000` from a `Sforce-Limit-Info` header.
pub fn parse_api_usage(header: &str) -> Option<(u64, u64)> {
    header.split(',').find_map(|part| {
        let (used, max) = part.trim().strip_prefix("api-usage=")?.split_once('/')?;
        Some((used.trim().parse().ok()?, max.trim().parse().ok()?))
    })
}

fn rest_error(status: reqwest::StatusCode, body: &[u8]) -> ClientError {
    match serde_json::from_slice::<Vec<RestError>>(body) {
        Ok(errors) if !errors.is_empty() => {
            let first = &errors[0];
            ClientError::Api {
                status: status.as_u16(),
                code: first.error_code.clone(),
                message: first.message.clone(),
            }
        }
        _ => unreadable("error", status, body),
    }
}

fn unreachable(url: &str, source: reqwest::Error) -> ClientError {
    ClientError::Unreachable {
        url: url.to_string(),
        source,
    }
}

fn unreadable(what: &'static str, status: reqwest::StatusCode, body: &[u8]) -> ClientError {
    let text = String::from_utf8_lossy(body);
    let excerpt: String = text.chars().take(200).collect();
    ClientError::Unreadable {
        what,
        detail: format!("HTTP {status}, body {excerpt:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_usage_is_read_from_the_limit_header() {
        let cases = [
            ("api-usage=18/15000", Some((18, 15_000))),
            ("api-usage=0/100", Some((0, 100))),
            (
                "per-app-api-usage=2/250(appName=x), api-usage=7/9",
                Some((7, 9)),
            ),
            ("api-usage=18", None),
            ("api-usage=a/b", None),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(parse_api_usage(header), expected, "{header:?}");
        }
    }

    #[test]
    fn rest_errors_keep_the_salesforce_code() {
        let body =
            br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        match rest_error(reqwest::StatusCode::UNAUTHORIZED, body) {
            ClientError::Api { status, code, .. } => {
                assert_eq!(status, 401);
                assert_eq!(code, "INVALID_SESSION_ID");
            }
            other => panic!("expected an API error, got {other:?}"),
        }
        assert!(matches!(
            rest_error(reqwest::StatusCode::BAD_GATEWAY, b"<html>"),
            ClientError::Unreadable { what: "error", .. }
        ));
    }
}
