//! The clauses that end a statement: `FOR VIEW`, `FOR REFERENCE`, `UPDATE TRACKING` and
//! `UPDATE VIEWSTAT`.
//!
//! ```text
//! usage := [FOR (VIEW | REFERENCE) {, (VIEW | REFERENCE)}] [UPDATE (TRACKING | VIEWSTAT) {, …}]
//! ```

use super::Parser;
use crate::error::SfError;
use crate::soql::lexer::TokenKind;
use crate::soql::rel_ast::Usage;

impl Parser<'_> {
    /// The usage clauses after LIMIT and OFFSET, in the order SOQL takes them.
    pub(super) fn usage(&mut self) -> Result<Vec<Usage>, SfError> {
        let mut usage = Vec::new();
        for (lead, words) in [
            (
                "FOR",
                [("VIEW", Usage::View), ("REFERENCE", Usage::Reference)],
            ),
            (
                "UPDATE",
                [("TRACKING", Usage::Tracking), ("VIEWSTAT", Usage::Viewstat)],
            ),
        ] {
            if !self.eat_keyword(lead) {
                continue;
            }
            loop {
                let found = words.iter().find(|(word, _)| self.at_keyword(word));
                let Some((_, what)) = found else {
                    return Err(self.error_here());
                };
                usage.push(*what);
                self.advance();
                if self.peek().kind != TokenKind::Comma {
                    break;
                }
                self.advance();
            }
        }
        Ok(usage)
    }
}

#[cfg(test)]
mod tests {
    use crate::soql::parse;
    use crate::soql::rel_ast::Usage;

    #[test]
    fn usage_clauses_parse_and_print_back() {
        let cases: &[(&str, &[Usage], &str)] = &[
            (
                "SELECT Name FROM Account LIMIT 1 FOR VIEW",
                &[Usage::View],
                "SELECT Name FROM Account LIMIT 1 FOR VIEW",
            ),
            (
                "select Id from Contact for reference",
                &[Usage::Reference],
                "SELECT Id FROM Contact FOR REFERENCE",
            ),
            (
                "SELECT Id FROM Account FOR VIEW, REFERENCE UPDATE TRACKING, VIEWSTAT",
                &[
                    Usage::View,
                    Usage::Reference,
                    Usage::Tracking,
                    Usage::Viewstat,
                ],
                "SELECT Id FROM Account FOR VIEW, REFERENCE UPDATE TRACKING, VIEWSTAT",
            ),
            (
                "SELECT Id FROM Account UPDATE VIEWSTAT",
                &[Usage::Viewstat],
                "SELECT Id FROM Account UPDATE VIEWSTAT",
            ),
        ];
        for (source, usage, printed) in cases {
            let query = parse(source).unwrap_or_else(|e| panic!("{source}: {}", e.message));
            assert_eq!(&query.usage, usage, "{source}");
            assert_eq!(&query.to_string(), printed, "{source}");
        }
        for (source, token) in [
            ("SELECT Id FROM Account FOR LUNCH", "LUNCH"),
            ("SELECT Id FROM Account UPDATE TRACKING FOR VIEW", "FOR"),
            ("SELECT Id FROM Account FOR", "<EOF>"),
        ] {
            let err = parse(source).unwrap_err();
            assert_eq!(err.code, "MALFORMED_QUERY", "{source}");
            assert!(
                err.message.ends_with(&format!("unexpected token: {token}")),
                "{source}: {}",
                err.message
            );
        }
    }
}
