//! The typed error of every client call, and the wire shapes Salesforce uses for errors.

use reqwest::StatusCode;
use serde::Deserialize;

/// One entry of the REST error array `[{"message","errorCode","fields"?}]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiErrorItem {
    pub message: String,
    #[serde(rename = "errorCode", alias = "statusCode")]
    pub error_code: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// The OAuth token endpoint's error shape: `{"error","error_description"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OAuthErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

/// Whether a failure may go away by itself: transient ones are retried with backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retryability {
    Transient,
    Permanent,
}

/// Error codes that come and go with the org's load rather than with the request.
const TRANSIENT_CODES: &[&str] = &["SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"];

#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    /// Salesforce answered with an error array (or an unreadable error body).
    #[error("Salesforce refused the request ({status}, {code}): {message}{}", fields_note(.fields))]
    Api {
        status: StatusCode,
        code: String,
        message: String,
        fields: Vec<String>,
    },
    /// The org's daily API allocation (or concurrent request limit) is used up.
    #[error(
        "The org's API request limit is exceeded ({message}); wait for the rolling 24-hour allocation to free up or ask the org's admin to raise it"
    )]
    QuotaExceeded { message: String },
    /// An external-id upsert or lookup matched several records (HTTP 300).
    #[error(
        "The external id matches {} records; make the field unique or update one of them by id",
        .urls.len()
    )]
    MultipleMatches { urls: Vec<String> },
    /// The session is invalid and could not be refreshed.
    #[error("The session expired and could not be renewed ({0}); connect the org again")]
    SessionExpired(String),
    /// The token endpoint refused a grant.
    #[error("Salesforce refused to sign in ({error}): {description}; connect the org again")]
    OAuth { error: String, description: String },
    /// The connection failed or was reset before an answer arrived.
    #[error("Could not reach the org: {0}; check the network and try again")]
    Transport(#[source] reqwest::Error),
    /// Too many consecutive transient failures: calls are paused to spare the org.
    #[error(
        "Calls to this org are paused after {failures} failures in a row; they resume by themselves in a few seconds"
    )]
    CircuitOpen { failures: u32 },
    /// The URL is plain HTTP to a non-loopback host.
    #[error(
        "{0} is not HTTPS; Salesforce orgs must be reached over https:// (plain http only for 127.0.0.1 or localhost)"
    )]
    InsecureUrl(String),
    #[error(
        "{0} is not a valid URL; give the org's address such as https://example.my.salesforce.com"
    )]
    InvalidUrl(String),
    /// An answer did not have the expected shape.
    #[error(
        "Salesforce answered in an unexpected shape ({context}): {detail}; this may be an unsupported API version"
    )]
    Decode { context: String, detail: String },
    /// Reading an upload stream failed.
    #[error("Could not read the data to upload: {0}")]
    Io(#[from] std::io::Error),
}

fn fields_note(fields: &[String]) -> String {
    if fields.is_empty() {
        String::new()
    } else {
        format!(" (fields: {})", fields.join(", "))
    }
}

impl SalesforceError {
    /// Builds the error for an unsuccessful answer from its status and body.
    pub fn from_response(status: StatusCode, body: &[u8]) -> Self {
        if status == StatusCode::MULTIPLE_CHOICES
            && let Ok(urls) = serde_json::from_slice::<Vec<String>>(body)
        {
            return Self::MultipleMatches { urls };
        }
        if let Ok(items) = serde_json::from_slice::<Vec<ApiErrorItem>>(body)
            && let Some(first) = items.into_iter().next()
        {
            return Self::api(status, first);
        }
        if let Ok(item) = serde_json::from_slice::<ApiErrorItem>(body) {
            return Self::api(status, item);
        }
        if let Ok(oauth) = serde_json::from_slice::<OAuthErrorBody>(body) {
            return Self::OAuth {
                error: oauth.error,
                description: oauth.error_description,
            };
        }
        let text = String::from_utf8_lossy(body);
        let message: String = text.chars().take(300).collect();
        Self::Api {
            status,
            code: status_code_name(status).to_string(),
            message: if message.trim().is_empty() {
                "the answer had no body".into()
            } else {
                message
            },
            fields: Vec::new(),
        }
    }

    fn api(status: StatusCode, item: ApiErrorItem) -> Self {
        if item.error_code == "REQUEST_LIMIT_EXCEEDED" {
            return Self::QuotaExceeded {
                message: item.message,
            };
        }
        Self::Api {
            status,
            code: item.error_code,
            message: item.message,
            fields: item.fields,
        }
    }

    pub fn retryability(&self) -> Retryability {
        match self {
            Self::Api { status, code, .. }
                if status.is_server_error() || TRANSIENT_CODES.contains(&code.as_str()) =>
            {
                Retryability::Transient
            }
            Self::Transport(_) => Retryability::Transient,
            _ => Retryability::Permanent,
        }
    }

    pub fn is_transient(&self) -> bool {
        self.retryability() == Retryability::Transient
    }

    /// The Salesforce error code, when Salesforce gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            Self::QuotaExceeded { .. } => Some("REQUEST_LIMIT_EXCEEDED"),
            Self::SessionExpired(_) => Some("INVALID_SESSION_ID"),
            _ => None,
        }
    }

    pub(crate) fn is_invalid_session(&self) -> bool {
        matches!(self, Self::Api { status, code, .. }
            if *status == StatusCode::UNAUTHORIZED || code == "INVALID_SESSION_ID")
    }

    pub(crate) fn decode(context: impl Into<String>, detail: impl ToString) -> Self {
        Self::Decode {
            context: context.into(),
            detail: detail.to_string(),
        }
    }
}

fn status_code_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "INVALID_SESSION_ID",
        503 => "SERVER_UNAVAILABLE",
        s if s >= 500 => "SERVER_ERROR",
        _ => "UNKNOWN_ERROR",
    }
}

pub type Result<T, E = SalesforceError> = std::result::Result<T, E>;
