//! The Bulk API 1.0 wire formats: XML in the `asyncapi/dataload` namespace or JSON, for job
//! infos, batch infos, result lists and errors.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::xml::escape;

pub const NAMESPACE: &str = "http://www.force.com/2009/06/asyncapi/dataload";

/// How an answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// The request's own format: JSON when its body or its `Accept` says so, else `fallback`.
    pub fn of_request(headers: &HeaderMap, fallback: Format) -> Format {
        let says_json = |name| {
            headers
                .get(name)
                .and_then(|h: &HeaderValue| h.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().contains("json"))
        };
        let says_xml = |name| {
            headers
                .get(name)
                .and_then(|h: &HeaderValue| h.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().contains("xml"))
        };
        if says_json(header::CONTENT_TYPE) || says_json(header::ACCEPT) {
            Format::Json
        } else if says_xml(header::CONTENT_TYPE) || says_xml(header::ACCEPT) {
            Format::Xml
        } else {
            fallback
        }
    }
}

/// A Bulk API 1.0 error: `<error><exceptionCode>…` or `{"exceptionCode",…}`.
#[derive(Debug, Clone, PartialEq)]
pub struct V1Error {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl V1Error {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        V1Error {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// Salesforce answers an invalid or expired session with 400 here, not 401: clients
    /// (jsforce among them) look for this code in a 400 body to refresh their token.
    pub fn invalid_session() -> Self {
        V1Error::new("InvalidSessionId", "Invalid session id")
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        V1Error {
            status: StatusCode::NOT_FOUND,
            ..V1Error::new(code, message)
        }
    }

    pub fn render(&self, format: Format) -> Response {
        match format {
            Format::Json => (
                self.status,
                axum::Json(json!({
                    "exceptionCode": self.code,
                    "exceptionMessage": self.message,
                })),
            )
                .into_response(),
            Format::Xml => xml_response(
                self.status,
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error\n   xmlns=\"{NAMESPACE}\">\n <exceptionCode>{}</exceptionCode>\n <exceptionMessage>{}</exceptionMessage>\n</error>",
                    self.code,
                    escape(&self.message)
                ),
            ),
        }
    }
}

pub type V1Result<T> = Result<T, V1Error>;

pub fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

/// An ordered set of simple members, written as a flat XML element or a JSON object.
pub struct Info {
    root: &'static str,
    members: Vec<(&'static str, Value)>,
}

impl Info {
    pub fn new(root: &'static str) -> Self {
        Info {
            root,
            members: Vec::new(),
        }
    }

    pub fn add(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.members.push((key, value.into()));
        self
    }

    pub fn add_some(self, key: &'static str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.add(key, v),
            None => self,
        }
    }

    pub fn to_json(&self) -> Value {
        let m: Map<String, Value> = self
            .members
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Value::Object(m)
    }

    fn xml_members(&self, out: &mut String) {
        for (key, value) in &self.members {
            let text = match value {
                Value::String(s) => escape(s),
                // apiVersion is a number in JSON and `59.0` in XML.
                Value::Number(n) if n.is_f64() => format!("{:.1}", n.as_f64().unwrap_or(0.0)),
                other => other.to_string(),
            };
            out.push_str(&format!("\n <{key}>{text}</{key}>"));
        }
    }

    pub fn to_xml_element(&self) -> String {
        let mut out = format!("<{}>", self.root);
        self.xml_members(&mut out);
        out.push_str(&format!("\n</{}>", self.root));
        out
    }

    pub fn to_xml_document(&self) -> String {
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{}\n   xmlns=\"{NAMESPACE}\">",
            self.root
        );
        self.xml_members(&mut out);
        out.push_str(&format!("\n</{}>", self.root));
        out
    }

    pub fn render(&self, status: StatusCode, format: Format) -> Response {
        match format {
            Format::Json => (status, axum::Json(self.to_json())).into_response(),
            Format::Xml => xml_response(status, self.to_xml_document()),
        }
    }
}

/// `GET /job/{id}/batch`: `<batchInfoList>` or `{"batchInfo":[…]}`.
pub fn batch_list(infos: &[Info], format: Format) -> Response {
    match format {
        Format::Json => {
            let list: Vec<Value> = infos.iter().map(Info::to_json).collect();
            axum::Json(json!({ "batchInfo": list })).into_response()
        }
        Format::Xml => {
            let mut out = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfoList\n   xmlns=\"{NAMESPACE}\">"
            );
            for info in infos {
                out.push('\n');
                out.push_str(&info.to_xml_element());
            }
            out.push_str("\n</batchInfoList>");
            xml_response(StatusCode::OK, out)
        }
    }
}

/// The result ids of a query batch: `<result-list>` or a JSON array.
pub fn result_list(ids: &[String], format: Format) -> Response {
    match format {
        Format::Json => axum::Json(json!(ids)).into_response(),
        Format::Xml => {
            let mut out = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><result-list xmlns=\"{NAMESPACE}\">"
            );
            for id in ids {
                out.push_str(&format!("<result>{id}</result>"));
            }
            out.push_str("</result-list>");
            xml_response(StatusCode::OK, out)
        }
    }
}

/// A JSON value as XML element content: objects become nested elements, null `xsi:nil`.
pub fn value_to_xml(name: &str, value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str(&format!("<{name} xsi:nil=\"true\"/>")),
        Value::Object(m) => {
            out.push_str(&format!("<{name}>"));
            for (key, inner) in m {
                if key == "attributes" {
                    if let Some(kind) = inner.get("type").and_then(Value::as_str) {
                        out.push_str(&format!("<type>{}</type>", escape(kind)));
                    }
                    continue;
                }
                value_to_xml(key, inner, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infos_write_numbers_and_versions_as_salesforce_does() {
        assert_eq!(V1Error::invalid_session().status, StatusCode::BAD_REQUEST);
        let info = Info::new("jobInfo")
            .add("id", "750x")
            .add("apiVersion", 59.0)
            .add("numberBatchesTotal", 2);
        let xml = info.to_xml_document();
        assert!(xml.contains("<id>750x</id>"), "{xml}");
        assert!(xml.contains("<apiVersion>59.0</apiVersion>"), "{xml}");
        assert!(
            xml.contains("<numberBatchesTotal>2</numberBatchesTotal>"),
            "{xml}"
        );
        assert_eq!(info.to_json()["apiVersion"], json!(59.0));
    }

    #[test]
    fn the_request_format_follows_its_content_type_then_accept() {
        let mut h = HeaderMap::new();
        assert_eq!(Format::of_request(&h, Format::Xml), Format::Xml);
        assert_eq!(Format::of_request(&h, Format::Json), Format::Json);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(Format::of_request(&h, Format::Xml), Format::Json);
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        );
        assert_eq!(Format::of_request(&h, Format::Xml), Format::Json);
    }

    #[test]
    fn records_become_elements() {
        let mut out = String::new();
        value_to_xml(
            "records",
            &json!({"attributes": {"type": "Contact"}, "LastName": "O'Neil & Co", "Email": null, "Account": {"attributes": {"type": "Account"}, "Name": "Acme"}}),
            &mut out,
        );
        assert_eq!(
            out,
            "<records><type>Contact</type><LastName>O&apos;Neil &amp; Co</LastName><Email xsi:nil=\"true\"/><Account><type>Account</type><Name>Acme</Name></Account></records>"
        );
    }
}
