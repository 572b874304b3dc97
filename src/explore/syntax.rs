//! Where a refused query went wrong. The org words its errors as
//! `"\n<row text>\n<caret>\nERROR at Row:1:Column:8\n<detail>"`; this finds the row and
//! column in the statement and the span of the token there, so the editor can mark it.

use std::ops::Range;

/// A refused query's error, placed in its statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// The org's reason, without the echoed row and caret.
    pub message: String,
    /// 1-based, as the org counts.
    pub row: usize,
    pub column: usize,
    /// Byte range in the statement of the token the org points at (never empty unless the
    /// statement is).
    pub span: Range<usize>,
}

/// Places `message` (the org's error text) in `soql`; `None` when it names no position.
pub fn locate(soql: &str, message: &str) -> Option<Marked> {
    let at = message.find("ERROR at Row:")?;
    let rest = &message[at + "ERROR at Row:".len()..];
    let (row, rest) = rest.split_once(":Column:")?;
    let row: usize = row.trim().parse().ok()?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let column: usize = digits.parse().ok()?;
    let detail = rest[digits.len()..].trim();
    let message = if detail.is_empty() {
        message[..at].trim().to_string()
    } else {
        detail.to_string()
    };
    Some(Marked {
        span: span_at(soql, row, column),
        message,
        row,
        column,
    })
}

/// The token at `row`:`column` (1-based, columns in characters); past the end of a row or of
/// the statement, the last token before it.
fn span_at(soql: &str, row: usize, column: usize) -> Range<usize> {
    let mut line_start = 0;
    for (i, line) in soql.split('\n').enumerate() {
        if i + 1 == row {
            let offset = line
                .char_indices()
                .nth(column.saturating_sub(1))
                .map(|(o, _)| line_start + o);
            return match offset {
                Some(start) => token_from(soql, start),
                None => last_token_before(soql, line_start + line.len()),
            };
        }
        line_start += line.len() + 1;
    }
    last_token_before(soql, soql.len())
}

fn token_from(soql: &str, start: usize) -> Range<usize> {
    let rest = &soql[start..];
    let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.');
    let len = match rest.chars().next() {
        Some(c) if word(c) => rest.find(|c: char| !word(c)).unwrap_or(rest.len()),
        Some('\'') => rest[1..].find('\'').map_or(rest.len(), |end| end + 2),
        Some(c) => c.len_utf8(),
        None => 0,
    };
    start..start + len
}

/// Past the end (`<EOF>`), the last token before it: what the statement stops on.
fn last_token_before(soql: &str, end: usize) -> Range<usize> {
    let trimmed = soql[..end].trim_end();
    let Some((last, c)) = trimmed.char_indices().next_back() else {
        return 0..0;
    };
    let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.');
    if !word(c) {
        return last..last + c.len_utf8();
    }
    let start = trimmed
        .char_indices()
        .rev()
        .find(|(_, c)| !word(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    start..trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_placed_on_their_token() {
        let cases: &[(&str, &str, &str, usize, usize)] = &[
            (
                "SELECT Id FORM Account",
                "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: FORM",
                "FORM",
                1,
                11,
            ),
            (
                "SELECT Id\nFROM Acount",
                "\nFROM Acount\n     ^\nERROR at Row:2:Column:6\nsObject type 'Acount' is not supported.",
                "Acount",
                2,
                6,
            ),
            (
                "SELECT Id FROM Account WHERE Name = 'x",
                "\nERROR at Row:1:Column:37\nunexpected token: 'x",
                "'x",
                1,
                37,
            ),
            (
                "SELECT Id FROM",
                "ERROR at Row:1:Column:15\nunexpected token: <EOF>",
                "FROM",
                1,
                15,
            ),
            ("", "ERROR at Row:3:Column:1\noops", "", 3, 1),
            (
                "SELECT é, Id FROM X",
                "ERROR at Row:1:Column:8\nbad",
                "é",
                1,
                8,
            ),
        ];
        for (soql, message, token, row, column) in cases {
            let marked = locate(soql, message).unwrap_or_else(|| panic!("{message}"));
            assert_eq!(&soql[marked.span.clone()], *token, "{soql}");
            assert_eq!((marked.row, marked.column), (*row, *column));
            assert!(!marked.message.contains("ERROR at"), "{}", marked.message);
        }
        assert_eq!(locate("SELECT", "A query string has to be specified"), None);
        assert_eq!(
            locate("x", "ERROR at Row:1:Column:1").map(|m| m.message),
            Some(String::new())
        );
    }

    #[test]
    fn no_statement_or_message_panics() {
        let statements = [
            "",
            "é",
            "SELECT\n",
            "\n\n'",
            "SELECT Id FROM Account WHERE Name = 'ü",
        ];
        let messages = [
            "ERROR at Row:0:Column:0",
            "ERROR at Row:9:Column:99\nx",
            "ERROR at Row:1:Column:2\nx",
            "ERROR at Row:2:Column:1",
            "ERROR at Row:-1:Column:3",
            "ERROR at Row:1:Column:",
            "ERROR at Row:18446744073709551616:Column:1",
        ];
        for soql in statements {
            for message in messages {
                if let Some(marked) = locate(soql, message) {
                    assert!(
                        soql.get(marked.span.clone()).is_some(),
                        "{soql:?} {message:?}"
                    );
                }
            }
        }
    }
}
