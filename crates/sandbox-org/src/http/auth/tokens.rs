//! Secrets the org hands out: access tokens, refresh tokens and authorization codes, and the
//! `signature` of a token answer.
//!
//! Secrets are kept only as SHA-256 digests, so that no table, log or debug print of the org
//! ever holds a usable token.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

/// The digest a secret is looked up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey(String);

impl SecretKey {
    pub fn of(secret: &str) -> SecretKey {
        SecretKey(URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes())))
    }

    /// A digest as stored; it is no secret, and cannot be turned back into one.
    pub fn from_digest(digest: String) -> SecretKey {
        SecretKey(digest)
    }

    pub fn digest(&self) -> &str {
        &self.0
    }
}

fn random_text(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// An access token shaped like a real org's: the 15-character org id, `!AQ`, then a long
/// random tail with the dots and underscores real tokens carry.
pub fn access_token(org_id: &str) -> String {
    let org15 = org_id.get(..15).unwrap_or(org_id);
    let tail = random_text(94);
    format!(
        "{org15}!AQ{}.{}_{}",
        &tail[..40],
        &tail[40..80],
        &tail[80..]
    )
}

/// A refresh token shaped like a real org's (`5Aep861...`).
pub fn refresh_token() -> String {
    let tail = random_text(80);
    format!("5Aep861{}.{}", &tail[..60], &tail[60..])
}

/// An authorization code shaped like a real org's (`aPrx...==`): clients must URL-decode it.
pub fn authorization_code() -> String {
    format!("aPrx{}==", random_text(80))
}

/// `signature` of a token answer: base64 HMAC-SHA256 of `id` + `issued_at`, keyed by the
/// client secret (an empty key for public clients).
pub fn signature(client_secret: Option<&str>, identity_url: &str, issued_at: &str) -> String {
    let key = client_secret.unwrap_or("").as_bytes();
    // HMAC accepts keys of any length, so this never fails; the fallback keeps it panic-free.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(identity_url.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two secrets in time independent of where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_carry_the_org_id_and_are_unique() {
        let org = crate::ids::mint("00D", 1);
        let a = access_token(&org);
        let b = access_token(&org);
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("{}!AQ", &org[..15])), "{a}");
        assert!(a.len() > 100);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"!._".contains(&c))
        );
    }

    #[test]
    fn signature_is_keyed_hmac_of_id_and_issued_at() {
        let with_secret = signature(Some("s3cret"), "https://x/id/a/b", "1700000000000");
        let again = signature(Some("s3cret"), "https://x/id/a/b", "1700000000000");
        let other_key = signature(Some("other"), "https://x/id/a/b", "1700000000000");
        let public = signature(None, "https://x/id/a/b", "1700000000000");
        assert_eq!(with_secret, again);
        assert_ne!(with_secret, other_key);
        assert_ne!(with_secret, public);
        assert_eq!(STANDARD.decode(&public).map(|b| b.len()).ok(), Some(32));
    }

    #[test]
    fn rfc_4231_vector_matches() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = signature(Some("Jefe"), "what do ya want ", "for nothing?");
        let hex: String = STANDARD
            .decode(sig)
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn secret_keys_hide_the_secret() {
        let token = refresh_token();
        let key = SecretKey::of(&token);
        assert_eq!(key, SecretKey::of(&token));
        assert!(!format!("{key:?}").contains(&token));
        assert!(same_secret(&token, &token.clone()));
        assert!(!same_secret(&token, "x"));
    }
}
