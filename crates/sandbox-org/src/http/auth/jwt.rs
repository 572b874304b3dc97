//! The JWT bearer grant: an RS256 assertion signed by a connected app's private key and
//! checked against the certificate registered for the app.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

/// How far ahead `exp` may lie: a real org wants assertions that live only minutes.
const MAX_LIFETIME_SECS: i64 = 5 * 60;
/// Audiences a real org accepts besides its own login URL.
const LOGIN_HOSTS: [&str; 2] = [
    "https://login.salesforce.com",
    "https://test.salesforce.com",
];

#[derive(Debug, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub iss: String,
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    aud: Value,
    #[serde(default)]
    exp: Option<i64>,
}

/// Why an assertion was refused; the descriptions are a real org's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionRefusal {
    Invalid,
    Audience,
    Expired,
}

impl AssertionRefusal {
    pub fn description(self) -> &'static str {
        match self {
            AssertionRefusal::Invalid => "invalid assertion",
            AssertionRefusal::Audience => "audience is invalid",
            // A real org words an expired assertion like this too.
            AssertionRefusal::Expired => "expired authorization code",
        }
    }
}

/// The issuer (client id) an assertion claims, read before its signature is checked so that
/// the right app's certificate can be found.
pub fn claimed_issuer(assertion: &str) -> Option<String> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(assertion)
        .ok()
        .map(|c| c.iss)
}

/// Checks the signature against `certificate_pem` (a CERTIFICATE or PUBLIC KEY PEM), the
/// audience against `login_url`, and `exp` against `now_secs`.
pub fn verify(
    assertion: &str,
    certificate_pem: &str,
    login_url: &str,
    now_secs: i64,
) -> Result<Claims, AssertionRefusal> {
    let key = DecodingKey::from_rsa_pem(certificate_pem.as_bytes()).map_err(|e| {
        tracing::warn!("sandbox org cannot read a connected app's JWT certificate: {e}. Register a PEM certificate or RSA public key");
        AssertionRefusal::Invalid
    })?;
    let mut validation = Validation::new(Algorithm::RS256);
    // Time and audience are checked below against the org's own clock and login URLs.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(assertion, &key, &validation)
        .map_err(|_| AssertionRefusal::Invalid)?
        .claims;
    if !audience_matches(&claims.aud, login_url) {
        return Err(AssertionRefusal::Audience);
    }
    let exp = claims.exp.ok_or(AssertionRefusal::Invalid)?;
    if exp <= now_secs {
        return Err(AssertionRefusal::Expired);
    }
    if exp > now_secs + MAX_LIFETIME_SECS {
        return Err(AssertionRefusal::Invalid);
    }
    Ok(claims)
}

fn audience_matches(aud: &Value, login_url: &str) -> bool {
    let accepted = |candidate: &str| {
        let candidate = candidate.trim_end_matches('/');
        candidate == login_url.trim_end_matches('/') || LOGIN_HOSTS.contains(&candidate)
    };
    match aud {
        Value::String(s) => accepted(s),
        Value::Array(list) => list.iter().filter_map(Value::as_str).any(accepted),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const CERT: &str = include_str!("../../../../../tests/fixtures/jwt/test-app.crt");
    const KEY: &str = include_str!("../../../../../tests/fixtures/jwt/test-app.key");
    const OTHER_KEY: &str = include_str!("../../../../../tests/fixtures/jwt/other.key");
    const LOGIN: &str = "http://127.0.0.1:4000";
    const NOW: i64 = 1_800_000_000;

    fn sign(key: &str, claims: Value) -> String {
        let key =
            EncodingKey::from_rsa_pem(key.as_bytes()).unwrap_or_else(|e| panic!("test key: {e}"));
        encode(&Header::new(Algorithm::RS256), &claims, &key)
            .unwrap_or_else(|e| panic!("signing: {e}"))
    }

    fn claims(aud: Value, exp: i64) -> Value {
        json!({"iss": "app", "sub": "user@example.com", "aud": aud, "exp": exp})
    }

    #[test]
    fn assertions() {
        let cases = [
            ("good", KEY, claims(json!(LOGIN), NOW + 180), Ok(())),
            (
                "trailing slash",
                KEY,
                claims(json!(format!("{LOGIN}/")), NOW + 180),
                Ok(()),
            ),
            (
                "production host",
                KEY,
                claims(json!("https://login.salesforce.com"), NOW + 180),
                Ok(()),
            ),
            (
                "sandbox host in a list",
                KEY,
                claims(json!(["x", "https://test.salesforce.com"]), NOW + 60),
                Ok(()),
            ),
            (
                "other key",
                OTHER_KEY,
                claims(json!(LOGIN), NOW + 180),
                Err(AssertionRefusal::Invalid),
            ),
            (
                "wrong audience",
                KEY,
                claims(json!("https://evil.example"), NOW + 180),
                Err(AssertionRefusal::Audience),
            ),
            (
                "expired",
                KEY,
                claims(json!(LOGIN), NOW - 1),
                Err(AssertionRefusal::Expired),
            ),
            (
                "too far ahead",
                KEY,
                claims(json!(LOGIN), NOW + 3600),
                Err(AssertionRefusal::Invalid),
            ),
            (
                "no exp",
                KEY,
                json!({"iss": "app", "sub": "u", "aud": LOGIN}),
                Err(AssertionRefusal::Invalid),
            ),
        ];
        for (name, key, claims, expected) in cases {
            let got =
                verify(&sign(key, claims), CERT, LOGIN, NOW).map(|c| assert_eq!(c.iss, "app"));
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn garbage_is_refused_without_panic() {
        for assertion in ["", "a.b.c", "not a jwt", "e30.e30."] {
            assert_eq!(
                verify(assertion, CERT, LOGIN, NOW).map(|_| ()),
                Err(AssertionRefusal::Invalid)
            );
        }
        assert_eq!(
            verify(
                &sign(KEY, claims(json!(LOGIN), NOW + 60)),
                "junk",
                LOGIN,
                NOW
            )
            .map(|_| ()),
            Err(AssertionRefusal::Invalid)
        );
    }

    #[test]
    fn issuer_is_readable_before_verification() {
        assert_eq!(
            claimed_issuer(&sign(OTHER_KEY, claims(json!(LOGIN), NOW))).as_deref(),
            Some("app")
        );
        assert_eq!(claimed_issuer("junk"), None);
    }
}
