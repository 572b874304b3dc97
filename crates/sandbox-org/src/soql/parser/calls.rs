//! Parsing function calls, aliases, GROUP BY and HAVING.
//!
//! ```text
//! call     := FUNCTION ( [term] )
//! term     := call | path
//! group_by := GROUP BY term {, term} | GROUP BY (ROLLUP | CUBE) ( term {, term} )
//! ```

use super::Parser;
use crate::error::SfError;
use crate::soql::ast::{CompareOp, Condition, Name};
use crate::soql::functions::{Call, Function, GroupBy, Grouping, Term};
use crate::soql::lexer::TokenKind;

impl Parser<'_> {
    /// The function about to be called, when the next tokens are `NAME (`.
    pub(super) fn at_call(&self) -> Option<Function> {
        let token = self.peek();
        if token.kind != TokenKind::Ident || self.peek_at(1).kind != TokenKind::LParen {
            return None;
        }
        Function::named(&token.text)
    }

    /// `FUNCTION ( [term] )`, without its alias.
    pub(super) fn call(&mut self) -> Result<Call, SfError> {
        let Some(function) = self.at_call() else {
            return Err(self.error_here());
        };
        let pos = self.advance().pos;
        self.expect(TokenKind::LParen)?;
        let argument = if self.peek().kind == TokenKind::RParen
            && function == Function::Aggregate(crate::soql::functions::AggregateFunction::Count)
        {
            None
        } else {
            Some(self.term()?)
        };
        self.expect(TokenKind::RParen)?;
        Ok(Call {
            function,
            argument,
            alias: None,
            pos,
        })
    }

    pub(super) fn term(&mut self) -> Result<Term, SfError> {
        if self.at_call().is_some() {
            return Ok(Term::Call(Box::new(self.call()?)));
        }
        Ok(Term::Field(self.path()?))
    }

    /// A name after a select item, unless it is a keyword that ends the item.
    pub(super) fn alias(&mut self) -> Result<Option<Name>, SfError> {
        if self.peek().kind == TokenKind::Ident && !self.at_reserved() {
            return self.name().map(Some);
        }
        Ok(None)
    }

    /// What follows `GROUP BY`.
    pub(super) fn group_by(&mut self) -> Result<GroupBy, SfError> {
        let pos = self.peek().pos;
        let wrapped = [("ROLLUP", Grouping::Rollup), ("CUBE", Grouping::Cube)]
            .into_iter()
            .find(|(word, _)| self.at_keyword(word) && self.peek_at(1).kind == TokenKind::LParen)
            .map(|(_, grouping)| grouping);
        if wrapped.is_some() {
            self.advance();
            self.advance();
        }
        let mut terms = vec![self.term()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            terms.push(self.term()?);
        }
        if wrapped.is_some() {
            self.expect(TokenKind::RParen)?;
        }
        Ok(GroupBy {
            grouping: wrapped.unwrap_or(Grouping::Plain),
            terms,
            pos,
        })
    }

    /// `call op literal` or `call [NOT] IN (literal, ...)`.
    pub(super) fn call_condition(&mut self) -> Result<Condition, SfError> {
        let call = self.call()?;
        let negated = self.at_keyword("NOT") && self.peek_at(1).is_keyword("IN");
        if negated {
            self.advance();
        }
        if self.eat_keyword("IN") {
            self.expect(TokenKind::LParen)?;
            let mut values = vec![self.literal()?];
            while self.peek().kind == TokenKind::Comma {
                self.advance();
                values.push(self.literal()?);
            }
            self.expect(TokenKind::RParen)?;
            return Ok(Condition::CallIn {
                call,
                negated,
                values,
            });
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
        Ok(Condition::Call { call, op, value })
    }
}
