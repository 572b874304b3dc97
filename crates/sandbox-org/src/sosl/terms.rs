//! The search query inside `FIND {…}`: words, quoted phrases, `*` and `?` wildcards, `AND`,
//! `OR`, `AND NOT` and parentheses, matched against the tokens of a record's searchable fields.
//!
//! Text is split into tokens as the search index does: at spaces and punctuation, and where
//! letters turn into digits or back, case-insensitively. A term with punctuation inside
//! (`jane@acme.com`, `(336)`) is the phrase of its tokens.

use crate::error::SfError;

/// A parsed search query.
#[derive(Debug, Clone, PartialEq)]
pub enum Terms {
    /// Consecutive tokens in one field.
    Phrase(Vec<Pattern>),
    And(Box<Terms>, Box<Terms>),
    Or(Box<Terms>, Box<Terms>),
    Not(Box<Terms>),
}

/// One token of a term, lower case, with its wildcards.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(String);

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Word(String),
    Quoted(String),
    Open,
    Close,
}

fn invalid(message: String) -> SfError {
    SfError::new("INVALID_SEARCH", message)
}

/// Parses the text between the braces (escapes already removed).
pub fn parse(text: &str) -> Result<Terms, SfError> {
    let meaningful = text.chars().filter(|c| c.is_alphanumeric()).count();
    if meaningful < 2 {
        return Err(invalid(format!(
            "search term must be longer than one character: {text}"
        )));
    }
    let lexemes = lex(text)?;
    let mut parser = Parser { lexemes, at: 0 };
    let terms = parser.or()?;
    if parser.at < parser.lexemes.len() {
        return Err(invalid(format!(
            "unbalanced parentheses in the search term: {text}"
        )));
    }
    terms.ok_or_else(|| {
        invalid(format!(
            "search term must be longer than one character: {text}"
        ))
    })
}

fn lex(text: &str) -> Result<Vec<Lexeme>, SfError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Lexeme::Open);
            }
            ')' => {
                chars.next();
                out.push(Lexeme::Close);
            }
            '"' => {
                chars.next();
                let mut phrase = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => phrase.extend(chars.next()),
                        '"' => {
                            closed = true;
                            break;
                        }
                        c => phrase.push(c),
                    }
                }
                if !closed {
                    return Err(invalid(format!(
                        "the search term has an unmatched quote: {text}"
                    )));
                }
                out.push(Lexeme::Quoted(phrase));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                        break;
                    }
                    chars.next();
                    if c == '\\' {
                        word.extend(chars.next());
                    } else {
                        word.push(c);
                    }
                }
                out.push(Lexeme::Word(word));
            }
        }
    }
    Ok(out)
}

struct Parser {
    lexemes: Vec<Lexeme>,
    at: usize,
}

impl Parser {
    fn peek_operator(&self) -> Option<String> {
        match self.lexemes.get(self.at) {
            Some(Lexeme::Word(w)) => {
                let upper = w.to_ascii_uppercase();
                matches!(upper.as_str(), "AND" | "OR" | "NOT").then_some(upper)
            }
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Option<Terms>, SfError> {
        let mut left = self.and()?;
        while self.peek_operator().as_deref() == Some("OR") {
            self.at += 1;
            let right = self.and()?;
            left = join(left, right, Terms::Or);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Option<Terms>, SfError> {
        let mut left = self.unary()?;
        loop {
            match self.peek_operator().as_deref() {
                Some("OR") => break,
                Some("AND") => self.at += 1,
                Some(_) => {}
                None if matches!(self.lexemes.get(self.at), None | Some(Lexeme::Close)) => break,
                None => {}
            }
            let right = self.unary()?;
            left = join(left, right, Terms::And);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Option<Terms>, SfError> {
        if self.peek_operator().as_deref() == Some("NOT") {
            self.at += 1;
            return Ok(self.unary()?.map(|t| Terms::Not(Box::new(t))));
        }
        let Some(lexeme) = self.lexemes.get(self.at).cloned() else {
            return Ok(None);
        };
        self.at += 1;
        match lexeme {
            Lexeme::Open => {
                let inner = self.or()?;
                if self.lexemes.get(self.at) != Some(&Lexeme::Close) {
                    return Err(invalid(
                        "unbalanced parentheses in the search term".to_string(),
                    ));
                }
                self.at += 1;
                Ok(inner)
            }
            Lexeme::Close => Err(invalid(
                "unbalanced parentheses in the search term".to_string(),
            )),
            Lexeme::Word(text) | Lexeme::Quoted(text) => Ok(phrase(&text)),
        }
    }
}

fn join(
    left: Option<Terms>,
    right: Option<Terms>,
    both: impl FnOnce(Box<Terms>, Box<Terms>) -> Terms,
) -> Option<Terms> {
    match (left, right) {
        (Some(a), Some(b)) => Some(both(Box::new(a), Box::new(b))),
        (a, b) => a.or(b),
    }
}

fn phrase(text: &str) -> Option<Terms> {
    let patterns: Vec<Pattern> = split(text, true).into_iter().map(Pattern).collect();
    (!patterns.is_empty()).then_some(Terms::Phrase(patterns))
}

/// The tokens of `text`: lower case, split at anything but letters and digits (and, in a
/// search term, wildcards) and where letters turn into digits or back.
pub fn split(text: &str, keep_wildcards: bool) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut last_digit: Option<bool> = None;
    for c in text.chars() {
        let wildcard = keep_wildcards && matches!(c, '*' | '?');
        if c.is_alphanumeric() || wildcard {
            let digit = c.is_numeric();
            if !wildcard && last_digit.is_some_and(|d| d != digit) && !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            if !wildcard {
                last_digit = Some(digit);
            }
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
            last_digit = None;
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .collect()
}

impl Pattern {
    /// The one token this pattern matches, when it has no wildcard.
    pub fn exact(&self) -> Option<&str> {
        (!self.0.contains(['*', '?'])).then_some(self.0.as_str())
    }

    fn matches(&self, token: &str) -> bool {
        if !self.0.contains(['*', '?']) {
            return self.0 == token;
        }
        let pattern: Vec<char> = self.0.chars().collect();
        let token: Vec<char> = token.chars().collect();
        glob(&pattern, &token)
    }
}

fn glob(pattern: &[char], token: &[char]) -> bool {
    match pattern.split_first() {
        None => token.is_empty(),
        Some(('*', rest)) => (0..=token.len()).any(|skip| glob(rest, &token[skip..])),
        Some(('?', rest)) => !token.is_empty() && glob(rest, &token[1..]),
        Some((c, rest)) => token.first() == Some(c) && glob(rest, &token[1..]),
    }
}

impl Terms {
    /// Whether a record whose searchable fields have these token lists matches.
    pub fn matches<T: AsRef<str>>(&self, fields: &[Vec<T>]) -> bool {
        match self {
            Terms::Phrase(patterns) => fields.iter().any(|tokens| contains(tokens, patterns)),
            Terms::And(a, b) => a.matches(fields) && b.matches(fields),
            Terms::Or(a, b) => a.matches(fields) || b.matches(fields),
            Terms::Not(a) => !a.matches(fields),
        }
    }
}

fn contains<T: AsRef<str>>(tokens: &[T], patterns: &[Pattern]) -> bool {
    tokens.len() >= patterns.len()
        && tokens.windows(patterns.len()).any(|window| {
            window
                .iter()
                .zip(patterns)
                .all(|(token, pattern)| pattern.matches(token.as_ref()))
        })
}
