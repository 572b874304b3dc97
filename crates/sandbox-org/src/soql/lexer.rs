//! Tokens of a SOQL statement, each with the row and column a real org reports in errors.

use chrono::NaiveDate;

use super::error::malformed;
use crate::error::SfError;
use crate::values::parse_datetime;

/// A 1-based row and column (columns count characters, as the org's messages do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub row: u32,
    pub col: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A name or keyword; keywords are recognised by the parser, case-insensitively.
    Ident,
    /// A quoted string, already decoded.
    Str(String),
    Number(f64),
    Date(NaiveDate),
    /// Milliseconds since the epoch, UTC.
    DateTime(i64),
    Comma,
    Dot,
    LParen,
    RParen,
    Colon,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    /// The token as written, quotes and escapes included (`<EOF>` at the end).
    pub text: String,
    pub pos: Pos,
}

impl Token {
    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Ident && self.text.eq_ignore_ascii_case(keyword)
    }
}

struct Cursor<'a> {
    chars: Vec<char>,
    at: usize,
    pos: Pos,
    source: &'a str,
}

impl Cursor<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.at).copied()?;
        self.at += 1;
        if c == '\n' {
            self.pos.row += 1;
            self.pos.col = 1;
        } else {
            self.pos.col += 1;
        }
        Some(c)
    }

    fn text_from(&self, start: usize) -> String {
        self.chars[start..self.at].iter().collect()
    }
}

/// Splits `source` into tokens, ending with one `Eof` token.
pub fn tokenize(source: &str) -> Result<Vec<Token>, SfError> {
    let mut cur = Cursor {
        chars: source.chars().collect(),
        at: 0,
        pos: Pos { row: 1, col: 1 },
        source,
    };
    let mut tokens = Vec::new();
    loop {
        while cur.peek(0).is_some_and(char::is_whitespace) {
            cur.bump();
        }
        let pos = cur.pos;
        let start = cur.at;
        let Some(c) = cur.peek(0) else {
            tokens.push(Token {
                kind: TokenKind::Eof,
                text: "<EOF>".to_string(),
                pos,
            });
            return Ok(tokens);
        };
        let kind = match c {
            'a'..='z' | 'A'..='Z' | '_' => {
                while cur
                    .peek(0)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    cur.bump();
                }
                TokenKind::Ident
            }
            '\'' => string(&mut cur, pos)?,
            '0'..='9' => number_or_date(&mut cur, pos, start)?,
            '-' | '+' if cur.peek(1).is_some_and(|c| c.is_ascii_digit() || c == '.') => {
                cur.bump();
                number_or_date(&mut cur, pos, start)?
            }
            '.' if cur.peek(1).is_some_and(|c| c.is_ascii_digit()) => {
                number_or_date(&mut cur, pos, start)?
            }
            _ => punctuation(&mut cur, pos)?,
        };
        let text = cur.text_from(start);
        tokens.push(Token { kind, text, pos });
    }
}

fn punctuation(cur: &mut Cursor<'_>, pos: Pos) -> Result<TokenKind, SfError> {
    let c = cur.bump().unwrap_or_default();
    let next = cur.peek(0);
    let two = |cur: &mut Cursor<'_>, kind| {
        cur.bump();
        kind
    };
    Ok(match (c, next) {
        (',', _) => TokenKind::Comma,
        ('.', _) => TokenKind::Dot,
        ('(', _) => TokenKind::LParen,
        (')', _) => TokenKind::RParen,
        (':', _) => TokenKind::Colon,
        ('=', _) => TokenKind::Eq,
        ('!', Some('=')) => two(cur, TokenKind::Ne),
        ('<', Some('>')) => two(cur, TokenKind::Ne),
        ('<', Some('=')) => two(cur, TokenKind::Le),
        ('>', Some('=')) => two(cur, TokenKind::Ge),
        ('<', _) => TokenKind::Lt,
        ('>', _) => TokenKind::Gt,
        _ => return Err(malformed(cur.source, pos, format!("unexpected token: {c}"))),
    })
}

fn string(cur: &mut Cursor<'_>, pos: Pos) -> Result<TokenKind, SfError> {
    cur.bump();
    let mut value = String::new();
    loop {
        match cur.bump() {
            None => {
                return Err(malformed(
                    cur.source,
                    pos,
                    "mismatched character '<EOF>' expecting '''".to_string(),
                ));
            }
            Some('\'') => return Ok(TokenKind::Str(value)),
            Some('\\') => {
                let escaped = cur.bump();
                let decoded = match escaped {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('r') => '\r',
                    Some('b') => '\u{8}',
                    Some('f') => '\u{c}',
                    Some(c @ ('\'' | '"')) => c,
                    // Backslashes and LIKE wildcards stay escaped so that the pattern compiler can
                    // tell `\%` from `%`; everywhere else they are plain (see `unescape_like`).
                    Some(c @ ('%' | '_' | '\\')) => {
                        value.push('\\');
                        c
                    }
                    other => {
                        let shown = other.map(String::from).unwrap_or_default();
                        return Err(malformed(
                            cur.source,
                            pos,
                            format!(
                                "Invalid string literal. Illegal character sequence '\\{shown}' in string literal."
                            ),
                        ));
                    }
                };
                value.push(decoded);
            }
            Some(c) => value.push(c),
        }
    }
}

/// The plain value of a decoded string whose `\\`, `\%` and `\_` were kept for LIKE.
pub fn unescape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            other => out.push(other),
        }
    }
    out
}

fn take_digits(cur: &mut Cursor<'_>) -> usize {
    let mut n = 0;
    while cur.peek(0).is_some_and(|c| c.is_ascii_digit()) {
        cur.bump();
        n += 1;
    }
    n
}

/// A number, date or datetime whose first character (a sign, if any) is at `begin`.
fn number_or_date(cur: &mut Cursor<'_>, pos: Pos, begin: usize) -> Result<TokenKind, SfError> {
    let start = cur.at;
    let signed = begin != start;
    let int_digits = take_digits(cur);
    let is_date_shape = !signed
        && int_digits == 4
        && cur.peek(0) == Some('-')
        && cur.peek(1).is_some_and(|c| c.is_ascii_digit());
    if is_date_shape {
        return date_or_datetime(cur, pos, start);
    }
    if cur.peek(0) == Some('.') && cur.peek(1).is_some_and(|c| c.is_ascii_digit()) {
        cur.bump();
        take_digits(cur);
    }
    let text: String = cur.chars[begin..cur.at].iter().collect();
    if cur
        .peek(0)
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        while cur
            .peek(0)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            cur.bump();
        }
        let shown: String = cur.chars[begin..cur.at].iter().collect();
        return Err(malformed(
            cur.source,
            pos,
            format!("unexpected token: {shown}"),
        ));
    }
    let value = text.parse::<f64>().ok().filter(|v| v.is_finite());
    value
        .map(TokenKind::Number)
        .ok_or_else(|| malformed(cur.source, pos, format!("unexpected token: {text}")))
}

fn date_or_datetime(cur: &mut Cursor<'_>, pos: Pos, start: usize) -> Result<TokenKind, SfError> {
    while cur
        .peek(0)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+'))
    {
        // A datetime's fraction needs the dot, but a trailing `.` belongs to no literal.
        if cur.peek(0) == Some('.') && !cur.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            break;
        }
        cur.bump();
    }
    let text = cur.text_from(start);
    let invalid = || malformed(cur.source, pos, format!("unexpected token: {text}"));
    if text.len() == 10 {
        return NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(TokenKind::Date)
            .map_err(|_| invalid());
    }
    let shaped = text.len() > 19
        && text.as_bytes().get(10) == Some(&b'T')
        && (text.ends_with('Z') || text[19..].contains(['+', '-']));
    if !shaped {
        return Err(invalid());
    }
    parse_datetime(&text)
        .map(|dt| TokenKind::DateTime(dt.timestamp_millis()))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokens_carry_rows_and_columns() {
        let tokens = tokenize("SELECT Id\n  FROM Account").unwrap();
        let positions: Vec<(String, u32, u32)> = tokens
            .iter()
            .map(|t| (t.text.clone(), t.pos.row, t.pos.col))
            .collect();
        assert_eq!(
            positions,
            vec![
                ("SELECT".into(), 1, 1),
                ("Id".into(), 1, 8),
                ("FROM".into(), 2, 3),
                ("Account".into(), 2, 8),
                ("<EOF>".into(), 2, 15),
            ]
        );
    }

    #[test]
    fn literals_are_decoded() {
        use TokenKind::*;
        let cases: &[(&str, TokenKind)] = &[
            ("'it\\'s'", Str("it's".into())),
            ("'a\\nb'", Str("a\nb".into())),
            ("'50\\%'", Str("50\\%".into())),
            ("'a\\\\b'", Str("a\\\\b".into())),
            ("42", Number(42.0)),
            ("-1.5", Number(-1.5)),
            (
                "2024-01-31",
                Date(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()),
            ),
            ("2024-01-31T10:00:00Z", DateTime(1_706_695_200_000)),
            ("2024-01-31T10:00:00.000Z", DateTime(1_706_695_200_000)),
            ("2024-01-31T12:00:00+02:00", DateTime(1_706_695_200_000)),
            ("2024-01-31T05:00:00-05:00", DateTime(1_706_695_200_000)),
            ("<>", Ne),
            ("!=", Ne),
            ("<=", Le),
        ];
        for (source, want) in cases {
            assert_eq!(kinds(source), vec![want.clone(), Eof], "{source}");
        }
    }

    #[test]
    fn bad_literals_are_malformed() {
        for source in [
            "'open",
            "'bad \\q escape'",
            "2024-13-01",
            "2024-01-31T10:00:00",
            "12abc",
            "#",
        ] {
            let err = tokenize(source).unwrap_err();
            assert_eq!(err.code, "MALFORMED_QUERY", "{source}");
        }
    }

    #[test]
    fn like_escapes_survive_until_asked() {
        assert_eq!(unescape_like("50\\%_x\\\\"), "50%_x\\");
    }
}
