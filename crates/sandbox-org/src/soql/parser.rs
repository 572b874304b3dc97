//! Recursive-descent parser for the SOQL subset integrations use.
//!
//! Grammar (keywords in any case):
//! ```text
//! query     := SELECT item {, item} FROM name [WHERE condition]
//!              [group_by [HAVING condition]] [ORDER BY key {, key}] [LIMIT n] [OFFSET n]
//! item      := COUNT ( ) | call [alias] | path [alias]     -- calls: see `calls`
//! condition := unary {AND unary} | unary {OR unary}     -- mixing needs parentheses, as in SOQL
//! unary     := NOT unary | ( condition ) | path op literal | path [NOT] IN ( literal {, literal} )
//!              | path LIKE literal | call op literal | call [NOT] IN ( literal {, literal} )
//! key       := term [ASC | DESC] [NULLS FIRST | NULLS LAST]
//! ```

mod calls;
mod relations;
mod usage;

use super::ast::*;
use super::error::unexpected;
use super::lexer::{Token, TokenKind, tokenize};
use crate::error::SfError;

/// Words that end a field list or clause and therefore cannot be names or aliases.
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC",
    "NULLS", "LIMIT", "OFFSET", "GROUP", "HAVING", "WITH", "FOR", "USING", "INCLUDES", "EXCLUDES",
    "NULL", "TRUE", "FALSE",
];

/// Parses one statement. Errors are `MALFORMED_QUERY` with the org's row/column text.
pub fn parse(source: &str) -> Result<Query, SfError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        source,
        tokens,
        at: 0,
    };
    let mut query = parser.query()?;
    query.usage = parser.usage()?;
    parser.expect_eof()?;
    Ok(query)
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // `tokenize` always ends with Eof, and `advance` never moves past it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if token.kind != TokenKind::Eof {
            self.at += 1;
        }
        token
    }

    fn error_here(&self) -> SfError {
        let token = self.peek();
        unexpected(self.source, token.pos, &token.text)
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        self.peek().is_keyword(keyword)
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.at_keyword(keyword);
        if found {
            self.advance();
        }
        found
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), SfError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn expect(&mut self, kind: TokenKind) -> Result<Token, SfError> {
        if self.peek().kind == kind {
            Ok(self.advance())
        } else {
            Err(self.error_here())
        }
    }

    fn expect_eof(&self) -> Result<(), SfError> {
        if self.peek().kind == TokenKind::Eof {
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn name(&mut self) -> Result<Name, SfError> {
        let token = self.peek();
        let reserved = RESERVED.iter().any(|r| token.text.eq_ignore_ascii_case(r));
        if token.kind != TokenKind::Ident || reserved {
            return Err(self.error_here());
        }
        let token = self.advance();
        Ok(Name {
            text: token.text,
            pos: token.pos,
        })
    }

    fn query(&mut self) -> Result<Query, SfError> {
        self.expect_keyword("SELECT")?;
        let mut select = vec![self.select_item()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            select.push(self.select_item()?);
        }
        self.expect_keyword("FROM")?;
        let from = self.object_name()?;
        let filter = if self.eat_keyword("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let mut group_by = None;
        let mut having = None;
        if self.eat_keyword("GROUP") {
            self.expect_keyword("BY")?;
            group_by = Some(self.group_by()?);
            if self.eat_keyword("HAVING") {
                having = Some(self.condition()?);
            }
        }
        let mut order_by = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            order_by.push(self.order_key()?);
            while self.peek().kind == TokenKind::Comma {
                self.advance();
                order_by.push(self.order_key()?);
            }
        }
        let limit = if self.eat_keyword("LIMIT") {
            Some(self.counted()?)
        } else {
            None
        };
        let offset = if self.eat_keyword("OFFSET") {
            Some(self.counted()?)
        } else {
            None
        };
        Ok(Query {
            select,
            from,
            filter,
            group_by,
            having,
            order_by,
            limit,
            offset,
            usage: Vec::new(),
        })
    }

    fn select_item(&mut self) -> Result<SelectItem, SfError> {
        if let Some(item) = self.relation_item()? {
            return Ok(item);
        }
        if self.at_call().is_none() {
            let field = self.path()?;
            return Ok(match self.alias()? {
                Some(alias) => SelectItem::AliasedField { field, alias },
                None => SelectItem::Field(field),
            });
        }
        let mut call = self.call()?;
        if call.argument.is_none() {
            return Ok(SelectItem::CountAll { pos: call.pos });
        }
        call.alias = self.alias()?;
        Ok(SelectItem::Call(call))
    }

    fn at_reserved(&self) -> bool {
        RESERVED.iter().any(|r| self.at_keyword(r))
    }

    fn path(&mut self) -> Result<FieldPath, SfError> {
        let mut parts = vec![self.name()?];
        while self.peek().kind == TokenKind::Dot {
            self.advance();
            parts.push(self.name()?);
        }
        Ok(FieldPath { parts })
    }

    fn counted(&mut self) -> Result<Counted, SfError> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Number(n)
                if n >= 0.0 && n.fract() == 0.0 && !token.text.contains('.') && n < 1e15 =>
            {
                self.advance();
                Ok(Counted {
                    value: n as u64,
                    pos: token.pos,
                })
            }
            _ => Err(self.error_here()),
        }
    }

    fn order_key(&mut self) -> Result<OrderKey, SfError> {
        let field = self.term()?;
        let descending = if self.eat_keyword("DESC") {
            true
        } else {
            self.eat_keyword("ASC");
            false
        };
        let nulls_last = if self.eat_keyword("NULLS") {
            if self.eat_keyword("LAST") {
                Some(true)
            } else {
                self.expect_keyword("FIRST")?;
                Some(false)
            }
        } else {
            None
        };
        Ok(OrderKey {
            field,
            descending,
            nulls_last,
        })
    }

    /// A run of conditions joined by one operator: SOQL refuses `a AND b OR c` unparenthesised.
    fn condition(&mut self) -> Result<Condition, SfError> {
        let first = self.unary()?;
        let joiner = if self.at_keyword("AND") {
            "AND"
        } else if self.at_keyword("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let mut parts = vec![first];
        while self.eat_keyword(joiner) {
            parts.push(self.unary()?);
        }
        let other = if joiner == "AND" { "OR" } else { "AND" };
        if self.at_keyword(other) {
            return Err(self.error_here());
        }
        Ok(if joiner == "AND" {
            Condition::And(parts)
        } else {
            Condition::Or(parts)
        })
    }

    fn unary(&mut self) -> Result<Condition, SfError> {
        if self.eat_keyword("NOT") {
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        if self.peek().kind == TokenKind::LParen {
            self.advance();
            let inner = self.condition()?;
            self.expect(TokenKind::RParen)?;
            return Ok(inner);
        }
        if self.at_call().is_some() {
            return self.call_condition();
        }
        let field = self.path()?;
        if self.eat_keyword("LIKE") {
            let pattern = self.literal()?;
            return Ok(Condition::Like { field, pattern });
        }
        if self.at_keyword("INCLUDES") || self.at_keyword("EXCLUDES") {
            return self.includes(field);
        }
        let negated_in = self.at_keyword("NOT") && self.peek_at(1).is_keyword("IN");
        if negated_in {
            self.advance();
        }
        if self.eat_keyword("IN") {
            return self.in_list(field, negated_in);
        }
        let op = match self.peek().kind {
            TokenKind::Eq => CompareOp::Eq,
            TokenKind::Ne => CompareOp::Ne,
            TokenKind::Lt => CompareOp::Lt,
            TokenKind::Le => CompareOp::Le,
            TokenKind::Gt => CompareOp::Gt,
            TokenKind::Ge => CompareOp::Ge,
            _ => return Err(self.error_here()),
        };
        self.advance();
        let value = self.literal()?;
        Ok(Condition::Compare { field, op, value })
    }

    fn in_list(&mut self, field: FieldPath, negated: bool) -> Result<Condition, SfError> {
        self.expect(TokenKind::LParen)?;
        if self.at_keyword("SELECT") {
            return self.semi_join(field, negated);
        }
        let mut values = vec![self.literal()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            values.push(self.literal()?);
        }
        self.expect(TokenKind::RParen)?;
        Ok(Condition::In {
            field,
            negated,
            values,
        })
    }

    fn literal(&mut self) -> Result<Literal, SfError> {
        let token = self.peek().clone();
        let value = match &token.kind {
            TokenKind::Str(s) => LiteralValue::Text(s.clone()),
            TokenKind::Number(n) => LiteralValue::Number(*n),
            TokenKind::Date(d) => LiteralValue::Date(*d),
            TokenKind::DateTime(ms) => LiteralValue::DateTime(*ms),
            TokenKind::Ident if token.is_keyword("null") => LiteralValue::Null,
            TokenKind::Ident if token.is_keyword("true") => LiteralValue::Bool(true),
            TokenKind::Ident if token.is_keyword("false") => LiteralValue::Bool(false),
            TokenKind::Ident => {
                if let Some(fixed) = RelativeDate::fixed(&token.text) {
                    LiteralValue::Relative(fixed)
                } else if let Some(make) = RelativeDate::with_n(&token.text) {
                    self.advance();
                    self.expect(TokenKind::Colon)?;
                    let n = self.peek().clone();
                    let count = match n.kind {
                        TokenKind::Number(v)
                            if v >= 0.0
                                && v.fract() == 0.0
                                && v <= f64::from(u32::MAX)
                                && !n.text.contains(['.', '-', '+']) =>
                        {
                            v as u32
                        }
                        _ => return Err(self.error_here()),
                    };
                    self.advance();
                    return Ok(Literal {
                        value: LiteralValue::Relative(make(count)),
                        pos: token.pos,
                    });
                } else {
                    return Err(self.error_here());
                }
            }
            _ => return Err(self.error_here()),
        };
        self.advance();
        Ok(Literal {
            value,
            pos: token.pos,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse_and_print_back() {
        let cases: &[(&str, &str)] = &[
            (
                "select id, name from account",
                "SELECT id, name FROM account",
            ),
            ("SELECT COUNT() FROM Contact", "SELECT COUNT() FROM Contact"),
            (
                "SELECT count(Id) n FROM Contact",
                "SELECT COUNT(Id) n FROM Contact",
            ),
            (
                "SELECT Id FROM Contact WHERE Account.Owner.Name = 'Ann' AND (Email != null OR Phone LIKE '555%')",
                "SELECT Id FROM Contact WHERE Account.Owner.Name = 'Ann' AND (Email != null OR Phone LIKE '555%')",
            ),
            (
                "SELECT Id FROM Lead WHERE NOT Status IN ('Open', 'Closed') AND Rank__c NOT IN (1, 2.5)",
                "SELECT Id FROM Lead WHERE NOT Status IN ('Open', 'Closed') AND Rank__c NOT IN (1, 2.5)",
            ),
            (
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00Z ORDER BY SystemModstamp, Id",
                "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-31T10:00:00.000Z ORDER BY SystemModstamp ASC, Id ASC",
            ),
            (
                "SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30 OR CloseDate < TODAY",
                "SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30 OR CloseDate < TODAY",
            ),
            (
                "SELECT Id FROM Account ORDER BY Name DESC NULLS FIRST LIMIT 10 OFFSET 20",
                "SELECT Id FROM Account ORDER BY Name DESC NULLS FIRST LIMIT 10 OFFSET 20",
            ),
            (
                "SELECT Id FROM Account WHERE Name <> 'It\\'s'",
                "SELECT Id FROM Account WHERE Name != 'It\\'s'",
            ),
            (
                "SELECT Id FROM Account WHERE IsDeleted = TRUE",
                "SELECT Id FROM Account WHERE IsDeleted = true",
            ),
            (
                "select LeadSource, count(Name) cnt from Lead group by rollup(LeadSource) having count(Name) > 1 order by count(Name) desc limit 5",
                "SELECT LeadSource, COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource) HAVING COUNT(Name) > 1 ORDER BY COUNT(Name) DESC LIMIT 5",
            ),
            (
                "SELECT Name n, calendar_year(CreatedDate) FROM Account WHERE day_only(convertTimezone(CreatedDate)) IN (2024-01-01) GROUP BY CUBE(Name, CALENDAR_YEAR(CreatedDate))",
                "SELECT Name n, CALENDAR_YEAR(CreatedDate) FROM Account WHERE DAY_ONLY(convertTimezone(CreatedDate)) IN (2024-01-01) GROUP BY CUBE(Name, CALENDAR_YEAR(CreatedDate))",
            ),
        ];
        for (source, printed) in cases {
            let query = parse(source).unwrap_or_else(|e| panic!("{source}: {}", e.message));
            assert_eq!(&query.to_string(), printed, "{source}");
            assert_eq!(parse(printed).unwrap().to_string(), *printed);
        }
    }

    #[test]
    fn malformed_statements_name_the_row_column_and_token() {
        let cases: &[(&str, u32, u32, &str)] = &[
            ("SELECT Name FROM Account WHER", 1, 26, "WHER"),
            ("SELECT Id FROM Account WHERE", 1, 29, "<EOF>"),
            ("SELEC Id FROM Account", 1, 1, "SELEC"),
            ("SELECT FROM Account", 1, 8, "FROM"),
            ("SELECT Id,\nName FROM\nAccount LIMIT x", 3, 15, "x"),
            (
                "SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3",
                1,
                46,
                "OR",
            ),
            ("SELECT Id FROM Account WHERE Name = ", 1, 37, "<EOF>"),
            (
                "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS",
                1,
                55,
                "<EOF>",
            ),
            (
                "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:x",
                1,
                56,
                "x",
            ),
            ("SELECT Id FROM Account WHERE Name = BOGUS", 1, 37, "BOGUS"),
            ("SELECT Id FROM Account ORDER Name", 1, 30, "Name"),
            ("SELECT Id FROM Account LIMIT -1", 1, 30, "-1"),
            ("SELECT Id FROM Account GROUP Name", 1, 30, "Name"),
            ("SELECT Id FROM Account)", 1, 23, ")"),
        ];
        for (source, row, col, token) in cases {
            let err = parse(source).unwrap_err();
            assert_eq!(err.code, "MALFORMED_QUERY", "{source}");
            let tail = format!("ERROR at Row:{row}:Column:{col}\nunexpected token: {token}");
            assert!(err.message.ends_with(&tail), "{source}: {:?}", err.message);
        }
    }

    #[test]
    fn the_org_message_shape_is_exact() {
        let err = parse("SELECT Nme FROM Account WHER").unwrap_err();
        assert_eq!(
            err.message,
            "\nSELECT Nme FROM Account WHER\n                        ^\nERROR at Row:1:Column:25\nunexpected token: WHER"
        );
    }
}
