//! Text that goes into SOQL: record Ids checked before they are sent, string, date and `LIKE`
//! literals written the way Salesforce reads them, field names checked, conditions checked for
//! balance, and `IN` lists cut to fit in a query URL.
//!
//! Every value a query names goes through here. A value spliced in raw can break the whole
//! query (`WHERE Id IN ('001X')` is refused as a whole), so a bad value is found before the
//! query is built and stays the problem of the row that holds it.

use chrono::{DateTime, SecondsFormat, Utc};

/// The characters that encode, per 5-character chunk of an Id, which characters are upper case.
const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// How much of a value an error message shows.
const SHOWN_CHARS: usize = 40;

/// Why a text is not a Salesforce record Id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` is not a Salesforce Id: {}; correct it or clear it", self.reason())]
pub struct IdError {
    /// The text, cut short when long.
    pub shown: String,
    pub problem: IdProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    Length(usize),
    Character { character: char, position: usize },
    Checksum { found: String, expected: String },
}

impl IdError {
    fn new(text: &str, problem: IdProblem) -> IdError {
        let shown = if text.chars().count() > SHOWN_CHARS {
            text.chars().take(SHOWN_CHARS - 3).collect::<String>() + "..."
        } else {
            text.to_string()
        };
        IdError { shown, problem }
    }

    /// What is wrong with the text, for messages that say what to do in their own words.
    pub fn reason(&self) -> String {
        match &self.problem {
            IdProblem::Length(length) => {
                format!("it has {length} characters, and an Id has 15 or 18 letters and digits")
            }
            IdProblem::Character {
                character,
                position,
            } => format!("`{character}` (character {position}) is not a letter or digit"),
            IdProblem::Checksum { found, expected } => format!(
                "its last three characters `{found}` are not the checksum of the first 15 (`{expected}`), so it was not copied whole"
            ),
        }
    }
}

/// The three checksum characters of the first 15 characters of an Id.
fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut out = [b'A'; 3];
    for (slot, chunk) in out.iter_mut().zip(id15.chunks(5)) {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |bits, (bit, _)| bits | 1 << bit);
        *slot = CHECKSUM_ALPHABET[bits];
    }
    out
}

/// `text` as a Salesforce record Id, in its 18-character form.
///
/// A 15-character Id is case-sensitive and any 15 letters and digits will do. An 18-character
/// Id is case-insensitive: its last three characters say which of the first 15 are upper
/// case, so they must be checksum characters whose case marks fall on letters only; an Id
/// whose letters lost their case (`001q000000kvq1taaf`) is the same record, given back with
/// its case restored.
pub fn check_id(text: &str) -> Result<String, IdError> {
    let length = text.chars().count();
    if let Some((position, character)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(IdError::new(
            text,
            IdProblem::Character {
                character,
                position: position + 1,
            },
        ));
    }
    let bytes = text.as_bytes();
    match length {
        15 => {
            let mut id = text.to_string();
            id.push_str(std::str::from_utf8(&checksum(bytes)).unwrap_or("AAA"));
            Ok(id)
        }
        18 => {
            let (head, sum) = bytes.split_at(15);
            let bad_checksum = || {
                let found = text[15..].to_string();
                let expected = String::from_utf8_lossy(&checksum(head)).into_owned();
                IdError::new(text, IdProblem::Checksum { found, expected })
            };
            let mut restored = Vec::with_capacity(18);
            for (chunk, code) in head.chunks(5).zip(sum) {
                let bits = CHECKSUM_ALPHABET
                    .iter()
                    .position(|c| *c == code.to_ascii_uppercase())
                    .ok_or_else(bad_checksum)?;
                for (bit, c) in chunk.iter().enumerate() {
                    let upper = bits & (1 << bit) != 0;
                    if upper && !c.is_ascii_alphabetic() {
                        return Err(bad_checksum());
                    }
                    restored.push(if upper {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    });
                }
            }
            restored.extend(sum.iter().map(u8::to_ascii_uppercase));
            Ok(String::from_utf8_lossy(&restored).into_owned())
        }
        _ => Err(IdError::new(text, IdProblem::Length(length))),
    }
}

/// `text` as a SOQL string literal, quotes included: backslash, both quotes and the control
/// characters SOQL has escapes for are escaped, everything else is kept as it is.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            other => out.push(other),
        }
    }
    out.push('\'');
    out
}

/// A `LIKE` pattern matching every text that starts with `prefix`: its own `%` and `_` match
/// only themselves.
pub fn quote_like_prefix(prefix: &str) -> String {
    let quoted = quote(prefix);
    let inner = &quoted[1..quoted.len() - 1];
    format!("'{}%'", inner.replace('%', "\\%").replace('_', "\\_"))
}

/// A datetime literal. SOQL has no fractional seconds in them: the time is floored to the
/// second, which keeps `>=` inclusive.
pub fn datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What is unbalanced in a SOQL condition, outside its string literals (read with the escapes
/// [`quote`] writes).
pub fn unbalanced(soql: &str) -> Option<&'static str> {
    let mut depth: i64 = 0;
    let mut in_text = false;
    let mut escaped = false;
    for c in soql.chars() {
        match (in_text, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (true, '\'') => in_text = false,
            (true, _) => {}
            (false, '\'') => in_text = true,
            (false, '(') => depth += 1,
            (false, ')') => {
                depth -= 1;
                if depth < 0 {
                    return Some("a `)` without its `(`");
                }
            }
            (false, _) => {}
        }
    }
    if in_text {
        Some("an unclosed quote")
    } else if depth > 0 {
        Some("an unclosed parenthesis")
    } else {
        None
    }
}

/// `day` as a SOQL date literal, when it is one (`YYYY-MM-DD`); anything else could reach
/// outside the comparison it is put in.
pub fn date(day: &str) -> Option<String> {
    day.chars()
        .all(|c| c.is_ascii_digit() || c == '-')
        .then(|| day.to_string())
}

/// Whether `name` can be put in a query as a field: an API name of letters, digits and
/// underscores, or a path of them through relationships (`Account.Owner.Name`).
pub fn is_field_path(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// How much of a query URL one `IN` list may take, in bytes as sent. Salesforce refuses a URI
/// and headers over 16,384 bytes together; the rest of the query and the headers need room.
pub const IN_LIST_BYTES: usize = 8_000;

/// Bytes a character takes in a URL query value (`application/x-www-form-urlencoded`).
fn url_bytes(c: char) -> usize {
    if c.is_ascii_alphanumeric() || matches!(c, '*' | '-' | '.' | '_' | ' ') {
        1
    } else {
        3 * c.len_utf8()
    }
}

fn url_len(text: &str) -> usize {
    text.chars().map(url_bytes).sum()
}

/// The longest text SOQL takes in a WHERE clause. No filterable field holds a longer one.
pub const MAX_FILTER_CHARS: usize = 4_000;

/// `field IN ('a','b')` conditions that between them name every value once, in order, each
/// at most `max_bytes` long as sent in a query URL (where a quote takes three bytes). A value
/// too long to share a list gets one of its own. A value longer than [`MAX_FILTER_CHARS`] is
/// left out: it matches no record, and sent it would fail the query of every other value.
pub fn in_lists<S: AsRef<str>>(field: &str, values: &[S], max_bytes: usize) -> Vec<String> {
    let open = format!("{field} IN (");
    let fixed = url_len(&open) + url_len(")");
    let mut seen = std::collections::HashSet::new();
    let mut lists = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut used = fixed;
    let mut close = |current: &mut Vec<String>| {
        if !current.is_empty() {
            lists.push(format!("{open}{})", current.join(",")));
            current.clear();
        }
    };
    for value in values {
        let value = value.as_ref();
        if value.chars().count() > MAX_FILTER_CHARS || !seen.insert(value) {
            continue;
        }
        let literal = quote(value);
        // Each value counts its comma, the last one's included: a list ends up to three
        // bytes under its budget, never over.
        let cost = url_len(&literal) + url_len(",");
        if !current.is_empty() && used + cost > max_bytes {
            close(&mut current);
            used = fixed;
        }
        used += cost;
        current.push(literal);
    }
    close(&mut current);
    lists
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbalanced_soql_is_told_apart_from_quoted_text() {
        let cases = [
            ("Type = 'Customer'", None),
            ("Name = 'O\\'Brien (Ltd)'", None),
            ("(A = 1 OR B = 2) AND C = 'x'", None),
            ("Type = 'Customer", Some("an unclosed quote")),
            ("(A = 1 OR B = 2", Some("an unclosed parenthesis")),
            ("A = 1)", Some("a `)` without its `(`")),
        ];
        for (soql, expected) in cases {
            assert_eq!(unbalanced(soql), expected, "{soql}");
        }
    }

    #[test]
    fn only_dates_and_api_names_go_into_a_query_unquoted() {
        assert_eq!(date("2024-11-20").as_deref(), Some("2024-11-20"));
        assert_eq!(date("2024-11-20' OR Name != '"), None);
        assert!(is_field_path("Legacy_Id__c"));
        assert!(is_field_path("Account.Owner.Name"));
        for bad in ["", "Account.", "Name)", "Name, Id", "Name FROM User"] {
            assert!(!is_field_path(bad), "{bad}");
        }
    }

    #[test]
    fn ids_recorded_from_real_orgs_pass_in_both_forms() {
        for long in [
            "003q000000KvQ1tAAF",
            "a00D0000008pQRAIA2",
            "003q000000KwYFaAAN",
        ] {
            assert_eq!(check_id(long).as_deref(), Ok(long));
            assert_eq!(check_id(&long[..15]).as_deref(), Ok(long));
            assert_eq!(check_id(&long.to_lowercase()).as_deref(), Ok(long));
            assert_eq!(check_id(&long.to_uppercase()).as_deref(), Ok(long));
        }
    }

    #[test]
    fn malformed_ids_say_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            ("001X", "it has 4 characters"),
            ("", "it has 0 characters"),
            ("001q000000KvQ1tAA", "it has 17 characters"),
            ("001q000000KvQ1 t", "` ` (character 15)"),
            ("001q00000'KvQ1t", "`'` (character 10)"),
            ("003q000000KvQ1t999", "`999` are not the checksum"),
            // A case mark on a digit: no record's Id looks like that.
            (
                "003q000000KvQ1tBAF",
                "are not the checksum of the first 15 (`AAF`)",
            ),
        ];
        for (text, says) in cases {
            let error = check_id(text).expect_err(text).to_string();
            assert!(error.contains(says), "{text}: {error}");
            assert!(error.contains("clear it"), "{text}: {error}");
        }
        let long = "x".repeat(500);
        assert!(check_id(&long).unwrap_err().to_string().len() < 200);
    }

    #[test]
    fn literals_escape_what_soql_escapes() {
        assert_eq!(quote("O'Brien \\ Co"), "'O\\'Brien \\\\ Co'");
        assert_eq!(quote("say \"hi\"\n\r\t"), "'say \\\"hi\\\"\\n\\r\\t'");
        assert_eq!(quote("\u{8}\u{c}é"), "'\\b\\fé'");
        assert_eq!(quote_like_prefix("50%_off's"), "'50\\%\\_off\\'s%'");
    }

    #[test]
    fn in_lists_fit_the_budget_and_name_each_value_once() {
        let ids: Vec<String> = (0..1000).map(|i| format!("001000000{i:06}AAA")).collect();
        let mut doubled = ids.clone();
        doubled.extend(ids.iter().take(10).cloned());
        let lists = in_lists("Id", &doubled, 2_000);
        assert!(lists.len() > 1);
        let mut named = Vec::new();
        for list in &lists {
            assert!(url_len(list) <= 2_000, "{}", url_len(list));
            let inner = list
                .strip_prefix("Id IN (")
                .and_then(|l| l.strip_suffix(')'))
                .expect("an IN list");
            named.extend(inner.split(',').map(|v| v.trim_matches('\'').to_string()));
        }
        assert_eq!(named, ids);
        let wide = "é".repeat(400);
        let lists = in_lists("Name", &["a", wide.as_str(), "b"], 1_000);
        assert_eq!(
            lists.len(),
            3,
            "a value too long to share gets a list of its own"
        );
        assert!(in_lists::<&str>("Id", &[], 1_000).is_empty());
        let too_long = "x".repeat(MAX_FILTER_CHARS + 1);
        assert_eq!(
            in_lists("Name", &[too_long.as_str(), "a"], IN_LIST_BYTES),
            vec!["Name IN ('a')".to_string()]
        );
    }
}
