//! SOAP `login` of the partner API (`POST /services/Soap/u/NN.0`): how most Python scripts
//! and Node clients without a consumer secret sign in, with username, password and the
//! user's security token appended to it.
//!
//! The session it answers is an ordinary access token: REST, Bulk and the identity URL take
//! it as `Authorization: Bearer`, as a real org takes a SOAP session id.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::sessions::Grantee;
use crate::http::{AppState, api_version};

/// The client a SOAP session is recorded under: it belongs to no connected app.
pub const SOAP_CLIENT: &str = "SOAP API";

const BAD_LOGIN: &str = "Invalid username, password, security token; or user locked out.";

/// `POST /services/Soap/u/{version}`: the `login` call, or a fault.
pub async fn partner(
    State(state): State<AppState>,
    Path(version): Path<String>,
    raw: Bytes,
) -> Response {
    // The SOAP endpoint names its version without the `v`.
    let Ok(major) = api_version(&format!("v{version}")) else {
        return fault(
            StatusCode::NOT_FOUND,
            "UNSUPPORTED_API_VERSION",
            &format!("Invalid Api version specified on URL: {version}"),
        );
    };
    let Ok(body) = std::str::from_utf8(&raw) else {
        return client_fault("Unable to parse the request body as XML");
    };
    if element(body, "login").is_none() {
        let operation = first_body_element(body).unwrap_or_default();
        return client_fault(&format!(
            "No operation available for request {{urn:partner.soap.sforce.com}}{operation}"
        ));
    }
    let username = element(body, "username").unwrap_or_default();
    let password = element(body, "password").unwrap_or_default();
    let auth = &state.org.auth;
    // An inactive user hears the same as a wrong password, as from a real org.
    let Ok(user) = auth.users.login(&username, &password, &state.org.store) else {
        return login_fault("INVALID_LOGIN", BAD_LOGIN);
    };
    let grantee = Grantee {
        user_id: user.id.clone(),
        client_id: SOAP_CLIENT.to_string(),
        scope: "api web".to_string(),
    };
    let issued = auth.sessions.issue(&grantee, false);
    let org = &state.org;
    let org_id = &org.config.org_id;
    let base = &org.base_url;
    let timeout_secs = org.config.session_timeout.as_secs();
    let info = [
        ("accessibilityMode", "false".to_string()),
        ("chatterExternal", "false".to_string()),
        ("currencySymbol", "$".to_string()),
        ("orgAttachmentFileSizeLimit", "5242880".to_string()),
        ("orgDefaultCurrencyIsoCode", "USD".to_string()),
        ("orgDefaultCurrencyLocale", "en_US".to_string()),
        ("orgDisallowHtmlAttachments", "false".to_string()),
        ("orgHasPersonAccounts", "false".to_string()),
        ("organizationId", escape(org_id)),
        ("organizationMultiCurrency", "false".to_string()),
        ("organizationName", escape(&org.config.org_name)),
        ("profileId", crate::ids::mint("00e", 1)),
        ("sessionSecondsValid", timeout_secs.to_string()),
        ("userEmail", escape(&user.email)),
        ("userFullName", escape(&user.display_name())),
        ("userId", escape(&user.id)),
        ("userLanguage", "en_US".to_string()),
        ("userLocale", "en_US".to_string()),
        ("userName", escape(&user.username)),
        ("userTimeZone", "GMT".to_string()),
        ("userType", "Standard".to_string()),
        ("userUiSkin", "Theme3".to_string()),
    ];
    let mut user_info = String::new();
    for (name, value) in info {
        user_info.push_str(&format!("<{name}>{value}</{name}>"));
        if name == "profileId" {
            user_info.push_str(r#"<roleId xsi:nil="true"/>"#);
        }
        if name == "sessionSecondsValid" {
            user_info.push_str(r#"<userDefaultCurrencyIsoCode xsi:nil="true"/>"#);
        }
    }
    let result = format!(
        "<metadataServerUrl>{base}/services/Soap/m/{major}.0/{org_id}</metadataServerUrl>\
         <passwordExpired>false</passwordExpired>\
         <sandbox>true</sandbox>\
         <serverUrl>{base}/services/Soap/u/{major}.0/{org_id}</serverUrl>\
         <sessionId>{session}</sessionId>\
         <userId>{user_id}</userId>\
         <userInfo>{user_info}</userInfo>",
        session = escape(&issued.access_token),
        user_id = escape(&user.id),
    );
    xml(
        StatusCode::OK,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>{result}</result></loginResponse></soapenv:Body></soapenv:Envelope>"#
        ),
    )
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A `LoginFault`, answered with HTTP 500 as a real org answers every SOAP fault.
fn login_fault(code: &str, message: &str) -> Response {
    let message = escape(message);
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
        ),
    )
}

fn fault(status: StatusCode, code: &str, message: &str) -> Response {
    let message = escape(message);
    xml(
        status,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
        ),
    )
}

/// A malformed request or an operation the org does not offer.
fn client_fault(message: &str) -> Response {
    let message = escape(message);
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>{message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
        ),
    )
}

/// The text of the first element whose local name is `name`, whatever its prefix,
/// unescaped. `Some("")` for an empty or self-closing element.
fn element(xml: &str, name: &str) -> Option<String> {
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with(['/', '?', '!']) {
            continue;
        }
        let tag_name = tag.split([' ', '\t', '\r', '\n', '/']).next().unwrap_or("");
        let local = tag_name.rsplit(':').next().unwrap_or(tag_name);
        if local != name {
            continue;
        }
        if tag.ends_with('/') {
            return Some(String::new());
        }
        let text = &rest[..rest.find('<').unwrap_or(rest.len())];
        return Some(unescape(text));
    }
    None
}

/// The local name of the first element inside the SOAP body: the operation asked for.
fn first_body_element(xml: &str) -> Option<String> {
    let body_start = xml.find("Body")?;
    let after = &xml[body_start..];
    let open = after.find('>')?;
    let inner = after[open + 1..].trim_start();
    let tag = inner.strip_prefix('<')?;
    let name = tag.split([' ', '>', '/', '\t', '\r', '\n']).next()?;
    Some(name.rsplit(':').next().unwrap_or(name).to_string())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{element, first_body_element, unescape};

    #[test]
    fn elements_are_found_by_local_name_whatever_their_prefix() {
        let body = r#"<env:Envelope xmlns:env="e"><env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>a&amp;b@x.example</n1:username><n1:password>p&lt;w</n1:password></n1:login></env:Body></env:Envelope>"#;
        assert_eq!(element(body, "username").as_deref(), Some("a&b@x.example"));
        assert_eq!(element(body, "password").as_deref(), Some("p<w"));
        assert_eq!(element(body, "login").as_deref(), Some(""));
        assert_eq!(element(body, "missing"), None);
        assert_eq!(first_body_element(body).as_deref(), Some("login"));
    }

    #[test]
    fn numeric_entities_and_stray_ampersands_are_read_as_written() {
        assert_eq!(unescape("a&#233;&#x41;&b"), "aéA&b");
    }
}
