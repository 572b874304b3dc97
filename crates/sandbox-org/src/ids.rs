//! Salesforce record ids: 15-character case-sensitive and 18-character case-insensitive forms.
//!
//! An id is a 3-character key prefix (`001` Account), a 2-character instance code, one reserved
//! character and a 9-character base-62 serial. The 18-character form appends three checksum
//! characters that encode, for each 5-character chunk, which characters are upper case.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const INSTANCE: &str = "5g";

/// Builds the 18-character id for the `serial`-th record with `key_prefix`.
pub fn mint(key_prefix: &str, serial: u64) -> String {
    let mut digits = [b'0'; 9];
    let mut rest = serial;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(rest % 62) as usize];
        rest /= 62;
    }
    let mut id15 = String::with_capacity(18);
    id15.push_str(key_prefix);
    id15.push_str(INSTANCE);
    id15.push('0');
    id15.push_str(std::str::from_utf8(&digits).unwrap_or("000000000"));
    to_18(&id15).unwrap_or(id15)
}

/// The three checksum characters of a 15-character id.
fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (chunk_index, chunk) in id15.chunks(5).enumerate().take(3) {
        let mut bits = 0usize;
        for (bit, c) in chunk.iter().enumerate() {
            if c.is_ascii_uppercase() {
                bits |= 1 << bit;
            }
        }
        out[chunk_index] = CHECKSUM_ALPHABET[bits];
    }
    out
}

fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Converts a 15- or 18-character id to its 18-character form, or `None` when it is malformed.
pub fn to_18(id: &str) -> Option<String> {
    let bytes = id.as_bytes();
    if !bytes.iter().all(|c| is_id_char(*c)) {
        return None;
    }
    match bytes.len() {
        15 => {
            let sum = checksum(bytes);
            let mut s = id.to_string();
            s.push_str(std::str::from_utf8(&sum).ok()?);
            Some(s)
        }
        18 => {
            // The 18-character form is case-insensitive: restore the case from the checksum.
            let mut restored = Vec::with_capacity(18);
            for (chunk_index, chunk) in bytes[..15].chunks(5).enumerate() {
                let code = bytes[15 + chunk_index].to_ascii_uppercase();
                let bits = CHECKSUM_ALPHABET.iter().position(|c| *c == code)?;
                for (bit, c) in chunk.iter().enumerate() {
                    if bits & (1 << bit) != 0 {
                        restored.push(c.to_ascii_uppercase());
                    } else if c.is_ascii_alphabetic() {
                        restored.push(c.to_ascii_lowercase());
                    } else {
                        restored.push(*c);
                    }
                }
            }
            let sum = checksum(&restored);
            restored.extend_from_slice(&sum);
            String::from_utf8(restored).ok()
        }
        _ => None,
    }
}

/// The key prefix of a well-formed id.
pub fn key_prefix(id: &str) -> Option<&str> {
    if id.len() == 15 || id.len() == 18 {
        id.get(0..3)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_ids_recorded_from_real_orgs() {
        for long in [
            "003q000000KvQ1tAAF",
            "a00D0000008pQRAIA2",
            "003q000000KwYFaAAN",
        ] {
            assert_eq!(to_18(&long[..15]).as_deref(), Some(long));
        }
    }

    #[test]
    fn eighteen_char_form_is_case_insensitive() {
        let id = mint("001", 123_456);
        assert_eq!(to_18(&id.to_lowercase()).as_deref(), Some(id.as_str()));
        assert_eq!(to_18(&id.to_uppercase()).as_deref(), Some(id.as_str()));
        assert_eq!(to_18(&id[..15]).as_deref(), Some(id.as_str()));
    }

    #[test]
    fn minted_ids_are_distinct_and_prefixed() {
        let a = mint("003", 1);
        let b = mint("003", 2);
        assert_ne!(a, b);
        assert_eq!(key_prefix(&a), Some("003"));
        assert_eq!(a.len(), 18);
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "001",
            "001A000001ABCD!",
            "001A000001ABCDEIA",
            "001A000001ABCDE!!!",
        ] {
            assert_eq!(to_18(bad), None, "{bad}");
        }
    }
}
