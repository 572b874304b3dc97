//! Request bodies as a real org reads them: JSON parse errors become `JSON_PARSER_ERROR`.

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Parses a JSON request body, answering malformed input the way Salesforce does.
pub fn json(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::json_parse(
            "No content to map to Object due to end of input",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::json_parse(format!(
            "Unexpected character in request body: {e} at [line:{}, column:{}]",
            e.line(),
            e.column()
        ))
    })
}

/// A JSON object body (the record of a create, update or upsert).
pub fn json_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match json(body)? {
        Value::Object(m) => Ok(m),
        other => Err(ApiError::json_parse(format!(
            "Cannot deserialize instance of SObject from {} value or request may be missing a required field at [line:1, column:1]",
            if other.is_array() {
                "START_ARRAY"
            } else {
                "VALUE_STRING"
            }
        ))),
    }
}
