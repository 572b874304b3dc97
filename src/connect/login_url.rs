//! Where a user signs in: production, sandbox, a My Domain, or any custom host (the sandbox
//! org on loopback included). HTTPS is required except on loopback.

use std::fmt;
use std::net::IpAddr;

use url::Url;

pub const PRODUCTION: &str = "https://login.salesforce.com";
pub const SANDBOX: &str = "https://test.salesforce.com";

/// A validated login URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginUrl(Url);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginUrlError {
    #[error(
        "`{0}` is not a login URL. Use `production`, `sandbox`, or a URL such as https://acme.my.salesforce.com"
    )]
    Invalid(String),
    #[error(
        "`{0}` is not HTTPS. Tokens are only sent over HTTPS (plain HTTP is allowed for 127.0.0.1 and localhost): use https://"
    )]
    NotHttps(String),
}

impl LoginUrl {
    /// Accepts `production`, `sandbox` or a URL; a bare host is taken as HTTPS.
    pub fn parse(text: &str) -> Result<LoginUrl, LoginUrlError> {
        let text = text.trim();
        let spelled = match text.to_ascii_lowercase().as_str() {
            "production" | "prod" | "login" => PRODUCTION.to_string(),
            "sandbox" | "test" => SANDBOX.to_string(),
            _ if text.contains("://") => text.to_string(),
            _ => format!("https://{text}"),
        };
        let invalid = || LoginUrlError::Invalid(text.to_string());
        let url = Url::parse(&spelled).map_err(|_| invalid())?;
        check_transport(&url)?;
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(invalid());
        }
        Ok(LoginUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// `{login}/services/oauth2/{name}`.
    pub fn endpoint(&self, name: &str) -> String {
        format!("{}/services/oauth2/{name}", self.as_str())
    }
}

/// Refuses any URL a token would travel to in clear text: HTTPS is required, except on
/// loopback addresses.
pub fn check_transport(url: &Url) -> Result<(), LoginUrlError> {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err(LoginUrlError::Invalid(url.to_string())),
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(LoginUrlError::NotHttps(url.to_string())),
        _ => Err(LoginUrlError::Invalid(url.to_string())),
    }
}

impl fmt::Display for LoginUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_and_enforces_https_off_loopback() {
        let cases: &[(&str, Result<&str, ()>)] = &[
            ("production", Ok(PRODUCTION)),
            ("sandbox", Ok(SANDBOX)),
            (
                "acme.my.salesforce.com",
                Ok("https://acme.my.salesforce.com"),
            ),
            (
                "https://acme--dev.sandbox.my.salesforce.com/",
                Ok("https://acme--dev.sandbox.my.salesforce.com"),
            ),
            ("http://127.0.0.1:8443", Ok("http://127.0.0.1:8443")),
            ("http://localhost:1717", Ok("http://localhost:1717")),
            ("http://[::1]:9", Ok("http://[::1]:9")),
            ("http://login.salesforce.com", Err(())),
            ("ftp://login.salesforce.com", Err(())),
            ("https://login.salesforce.com/?x=1", Err(())),
            ("", Err(())),
        ];
        for (input, expected) in cases {
            let got = LoginUrl::parse(input);
            match expected {
                Ok(url) => assert_eq!(got.as_ref().map(LoginUrl::as_str), Ok(*url), "{input}"),
                Err(()) => assert!(got.is_err(), "{input} accepted: {got:?}"),
            }
        }
        assert!(matches!(
            LoginUrl::parse("http://acme.example"),
            Err(LoginUrlError::NotHttps(_))
        ));
        let identity = |u: &str| check_transport(&Url::parse(u).unwrap());
        assert!(identity("https://login.salesforce.com/id/00D/005").is_ok());
        assert!(identity("http://127.0.0.1:9/id/00D/005").is_ok());
        assert!(identity("http://evil.example/id/00D/005").is_err());
    }
}
