//! The SOSL statement around the search query:
//! `FIND {…} [IN scope FIELDS] [RETURNING Object[(fields [WHERE …] [ORDER BY …] [LIMIT n]
//! [OFFSET n])], …] [WITH …] [LIMIT n] [UPDATE TRACKING|VIEWSTAT]`.

use super::terms;
use super::{MAX_RESULTS, Returning, Scope, Search};
use crate::error::SfError;

fn malformed(message: impl Into<String>) -> SfError {
    SfError::new("MALFORMED_SEARCH", message)
}

fn no_search_term() -> SfError {
    malformed("No search term found. The search term must be enclosed in braces.")
}

/// Parses a whole SOSL statement.
pub fn parse(text: &str) -> Result<Search, SfError> {
    let mut cursor = Cursor { text, at: 0 };
    if !cursor.keyword("FIND") {
        return Err(malformed(format!(
            "A SOSL statement starts with FIND {{search term}}: {text}"
        )));
    }
    let raw = cursor.braced().ok_or_else(no_search_term)?;
    let mut search = Search {
        terms: terms::parse(&raw)?,
        scope: Scope::All,
        returning: Vec::new(),
        limit: MAX_RESULTS,
    };
    if cursor.keyword("IN") {
        let word = cursor.word().unwrap_or_default();
        search.scope = Scope::parse(&word).ok_or_else(|| {
            malformed(format!(
                "unexpected token: '{word}'. The search group is one of ALL, NAME, EMAIL, PHONE or SIDEBAR FIELDS"
            ))
        })?;
        if !cursor.keyword("FIELDS") {
            return Err(malformed(format!(
                "expecting FIELDS after IN {word}: {text}"
            )));
        }
    }
    if cursor.keyword("RETURNING") {
        loop {
            search.returning.push(cursor.returning()?);
            if !cursor.symbol(',') {
                break;
            }
        }
    }
    while cursor.keyword("WITH") {
        cursor.with_clause()?;
    }
    if cursor.keyword("LIMIT") {
        search.limit = cursor.number("LIMIT")?.min(MAX_RESULTS);
    }
    if cursor.keyword("UPDATE") {
        // Tracking and view statistics change nothing a client can read back.
        let word = cursor.word().unwrap_or_default().to_ascii_uppercase();
        if word != "TRACKING" && word != "VIEWSTAT" {
            return Err(malformed(format!(
                "unexpected token: '{word}'. UPDATE takes TRACKING or VIEWSTAT"
            )));
        }
        while cursor.symbol(',') {
            cursor.word();
        }
    }
    cursor.skip_space();
    if cursor.at < text.len() {
        return Err(malformed(format!(
            "unexpected token: '{}'",
            cursor.rest().split_whitespace().next().unwrap_or_default()
        )));
    }
    Ok(search)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn word(&mut self) -> Option<String> {
        self.skip_space();
        let rest = self.rest();
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| {
            self.at += end;
            rest[..end].to_string()
        })
    }

    fn keyword(&mut self, keyword: &str) -> bool {
        let saved = self.at;
        match self.word() {
            Some(w) if w.eq_ignore_ascii_case(keyword) => true,
            _ => {
                self.at = saved;
                false
            }
        }
    }

    fn symbol(&mut self, symbol: char) -> bool {
        self.skip_space();
        if self.rest().starts_with(symbol) {
            self.at += symbol.len_utf8();
            true
        } else {
            false
        }
    }

    fn number(&mut self, clause: &str) -> Result<usize, SfError> {
        let word = self.word().unwrap_or_default();
        word.parse()
            .map_err(|_| malformed(format!("{clause} takes a whole number, not '{word}'")))
    }

    /// The search query between braces, with its escapes removed (`\}` stays in the query).
    fn braced(&mut self) -> Option<String> {
        self.skip_space();
        let rest = self.rest();
        let inner = rest.strip_prefix('{')?;
        let mut out = String::new();
        let mut chars = inner.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    let (_, next) = chars.next()?;
                    // Escaped characters stay escaped for the term parser.
                    out.push('\\');
                    out.push(next);
                }
                '}' => {
                    self.at += 1 + i + 1;
                    return Some(out);
                }
                c => out.push(c),
            }
        }
        None
    }

    /// `Object` or `Object(field list and clauses)`.
    fn returning(&mut self) -> Result<Returning, SfError> {
        let object = self
            .word()
            .ok_or_else(|| malformed("RETURNING needs an object name"))?;
        self.skip_space();
        if !self.rest().starts_with('(') {
            return Ok(Returning::ids_of(object));
        }
        let inner = self.parenthesised()?;
        Returning::parse(object, inner)
    }

    fn parenthesised(&mut self) -> Result<&'a str, SfError> {
        let rest = self.rest();
        let mut depth = 0usize;
        let mut quoted = false;
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            if quoted {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '\'') => quoted = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '\'' => quoted = true,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.at += i + 1;
                        return Ok(&rest[1..i]);
                    }
                }
                _ => {}
            }
        }
        Err(malformed("unbalanced parentheses after RETURNING"))
    }

    fn with_clause(&mut self) -> Result<(), SfError> {
        let word = self.word().unwrap_or_default().to_ascii_uppercase();
        match word.as_str() {
            // Without a spelling index there is nothing to correct.
            "SPELL_CORRECTION" => {
                if !self.symbol('=') {
                    return Err(malformed("WITH SPELL_CORRECTION takes = true or = false"));
                }
                let value = self.word().unwrap_or_default();
                if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                    return Err(malformed(format!(
                        "WITH SPELL_CORRECTION takes true or false, not '{value}'"
                    )));
                }
                Ok(())
            }
            other => Err(malformed(format!(
                "WITH {other} is not supported by the sandbox org: remove the clause"
            ))),
        }
    }
}

/// The inside of `Object(…)`: the field list, the WHERE and ORDER BY clauses (as SOQL), and
/// the LIMIT and OFFSET, which apply after the search term matched.
pub struct ReturningParts {
    pub fields: String,
    pub clauses: String,
    pub limit: Option<usize>,
    pub offset: usize,
}

pub fn split_returning(inner: &str) -> Result<ReturningParts, SfError> {
    let words = top_level_words(inner);
    let mut limit = None;
    let mut offset = 0;
    let mut cut = inner.len();
    let mut clauses_start = None;
    for (i, (start, word)) in words.iter().enumerate() {
        let upper = word.to_ascii_uppercase();
        match upper.as_str() {
            "WHERE" | "ORDER" => {
                clauses_start.get_or_insert(*start);
                continue;
            }
            "USING" => {
                return Err(malformed(
                    "USING ListView is not supported by the sandbox org: filter with WHERE instead",
                ));
            }
            "LIMIT" | "OFFSET" => {}
            _ => continue,
        }
        let value = words
            .get(i + 1)
            .map(|(_, w)| w.as_str())
            .unwrap_or_default();
        let n: usize = value
            .parse()
            .map_err(|_| malformed(format!("{upper} takes a whole number, not '{value}'")))?;
        if upper == "LIMIT" {
            limit = Some(n);
        } else {
            offset = n;
        }
        cut = cut.min(*start);
    }
    let clauses_start = clauses_start.unwrap_or(cut).min(cut);
    let fields = inner[..clauses_start].trim().to_string();
    if fields.is_empty() {
        return Err(malformed(
            "a RETURNING object's parentheses start with the fields to return",
        ));
    }
    Ok(ReturningParts {
        fields,
        clauses: inner[clauses_start..cut].trim().to_string(),
        limit,
        offset,
    })
}

/// Words outside quotes and parentheses, with where each starts.
fn top_level_words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    let mut word_start: Option<usize> = None;
    let flush = |start: &mut Option<usize>, end: usize, out: &mut Vec<(usize, String)>| {
        if let Some(s) = start.take() {
            out.push((s, text[s..end].to_string()));
        }
    };
    for (i, c) in text.char_indices() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '\'') => quoted = false,
                _ => {}
            }
            continue;
        }
        let in_word = c.is_alphanumeric() || c == '_';
        if in_word && depth == 0 {
            word_start.get_or_insert(i);
            continue;
        }
        flush(&mut word_start, i, &mut out);
        match c {
            '\'' => quoted = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    flush(&mut word_start, text.len(), &mut out);
    out
}
