//! Proof Key for Code Exchange (RFC 7636), with the tolerance a real org shows: verifiers
//! longer than the RFC's 128 characters (jsforce sends 171) are accepted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::tokens::same_secret;

/// Shortest verifier accepted (RFC 7636).
const MIN_VERIFIER: usize = 43;
/// Longest verifier accepted: above the RFC's 128 so that jsforce's 171 characters pass.
const MAX_VERIFIER: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    S256,
    Plain,
}

impl Method {
    /// `None` for an unknown method. An absent method means S256, as a real org assumes.
    pub fn parse(method: Option<&str>) -> Option<Method> {
        match method {
            None | Some("") | Some("S256") => Some(Method::S256),
            Some("plain") => Some(Method::Plain),
            Some(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub method: Method,
    pub value: String,
}

/// Whether `verifier` answers `challenge`.
pub fn verifies(challenge: &Challenge, verifier: &str) -> bool {
    let well_formed = (MIN_VERIFIER..=MAX_VERIFIER).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c));
    if !well_formed {
        return false;
    }
    let expected = match challenge.method {
        Method::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        Method::Plain => verifier.to_string(),
    };
    same_secret(&expected, &challenge.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s256(verifier: &str) -> Challenge {
        Challenge {
            method: Method::S256,
            value: URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        }
    }

    #[test]
    fn rfc_7636_appendix_b_example() {
        let challenge = Challenge {
            method: Method::S256,
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_string(),
        };
        assert!(verifies(
            &challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!verifies(
            &challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"
        ));
    }

    #[test]
    fn verifier_lengths() {
        let cases = [
            (42, false),
            (43, true),
            (128, true),
            (171, true),
            (256, true),
            (257, false),
        ];
        for (len, ok) in cases {
            let verifier = "a".repeat(len);
            assert_eq!(verifies(&s256(&verifier), &verifier), ok, "length {len}");
        }
    }

    #[test]
    fn plain_method_compares_verbatim() {
        let verifier = "x".repeat(50);
        let challenge = Challenge {
            method: Method::Plain,
            value: verifier.clone(),
        };
        assert!(verifies(&challenge, &verifier));
        assert!(!verifies(&challenge, &"y".repeat(50)));
        // An S256 challenge is not satisfied by sending the challenge itself as a verifier.
        let hashed = s256(&verifier);
        assert!(!verifies(&hashed, &hashed.value.clone()));
    }

    #[test]
    fn methods() {
        assert_eq!(Method::parse(None), Some(Method::S256));
        assert_eq!(Method::parse(Some("S256")), Some(Method::S256));
        assert_eq!(Method::parse(Some("plain")), Some(Method::Plain));
        assert_eq!(Method::parse(Some("s256")), None);
    }

    #[test]
    fn odd_characters_are_refused() {
        let verifier = format!("{}%", "a".repeat(50));
        assert!(!verifies(&s256(&verifier), &verifier));
    }
}
