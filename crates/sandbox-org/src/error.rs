//! Errors as a real org words them on the wire.
//!
//! REST errors are a JSON array `[{"message","errorCode","fields"?}]`; OAuth errors are an
//! object `{"error","error_description"}`. Inside sObject Collections the code key is
//! `statusCode` instead, see [`SfError::to_collection_json`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The code of a failure inside the org; always answered with HTTP 500.
pub const UNKNOWN_EXCEPTION: &str = "UNKNOWN_EXCEPTION";

/// One Salesforce error entry.
#[derive(Debug, Clone, PartialEq)]
pub struct SfError {
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

impl SfError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        SfError {
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A failure inside the org itself (its storage), which Salesforce answers with HTTP
    /// 500 and this code.
    pub fn unknown_exception() -> Self {
        SfError::new(
            UNKNOWN_EXCEPTION,
            "An unexpected error occurred. Please include this ErrorId if you contact support: sandbox-storage",
        )
    }

    pub fn with_fields(mut self, fields: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// The REST shape: `{"message","errorCode","fields"}` (fields only when present, as orgs do
    /// for query errors).
    pub fn to_rest_json(&self) -> Value {
        let mut v = json!({ "message": self.message, "errorCode": self.code });
        if !self.fields.is_empty() {
            v["fields"] = json!(self.fields);
        }
        v
    }

    /// The sObject Collections / Composite result shape, keyed by `statusCode`.
    pub fn to_collection_json(&self) -> Value {
        json!({ "statusCode": self.code, "message": self.message, "fields": self.fields })
    }
}

/// An HTTP error answer of the REST API.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// `status` with a JSON array body of errors.
    Rest {
        status: StatusCode,
        errors: Vec<SfError>,
    },
    /// An OAuth endpoint error: `{"error","error_description"}`.
    OAuth {
        status: StatusCode,
        error: String,
        description: String,
    },
}

impl ApiError {
    pub fn rest(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError::Rest {
            status,
            errors: vec![SfError::new(code, message)],
        }
    }

    /// `status` with `errors`; a failure inside the org among them makes it a 500 whatever
    /// the caller expected.
    pub fn from_errors(status: StatusCode, errors: Vec<SfError>) -> Self {
        let status = if errors.iter().any(|e| e.code == UNKNOWN_EXCEPTION) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            status
        };
        ApiError::Rest { status, errors }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::rest(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::rest(StatusCode::NOT_FOUND, code, message)
    }

    pub fn resource_not_found() -> Self {
        Self::not_found("NOT_FOUND", "The requested resource does not exist")
    }

    pub fn invalid_session() -> Self {
        Self::rest(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub fn json_parse(message: impl Into<String>) -> Self {
        Self::bad_request("JSON_PARSER_ERROR", message)
    }

    pub fn oauth(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            status,
            error: error.to_string(),
            description: description.into(),
        }
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::oauth(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Rest { status, .. } | ApiError::OAuth { status, .. } => *status,
        }
    }

    pub fn body(&self) -> Value {
        match self {
            ApiError::Rest { errors, .. } => {
                Value::Array(errors.iter().map(SfError::to_rest_json).collect())
            }
            ApiError::OAuth {
                error, description, ..
            } => {
                json!({ "error": error, "error_description": description })
            }
        }
    }

    /// The first error code, for logs and tests.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Rest { errors, .. } => errors.first().map(|e| e.code.as_str()).unwrap_or(""),
            ApiError::OAuth { error, .. } => error,
        }
    }
}

impl From<SfError> for ApiError {
    fn from(e: SfError) -> Self {
        let status = match e.code.as_str() {
            "NOT_FOUND" | "ENTITY_IS_DELETED" => StatusCode::NOT_FOUND,
            "INVALID_SESSION_ID" => StatusCode::UNAUTHORIZED,
            "REQUEST_LIMIT_EXCEEDED" | "INSUFFICIENT_ACCESS" => StatusCode::FORBIDDEN,
            "SERVER_UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
            UNKNOWN_EXCEPTION => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::Rest {
            status,
            errors: vec![e],
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), axum::Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A storage failure where a list of errors is expected (record writes answer several).
impl From<SfError> for Vec<SfError> {
    fn from(e: SfError) -> Self {
        vec![e]
    }
}
