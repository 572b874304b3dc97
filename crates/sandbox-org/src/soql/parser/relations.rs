//! Parsing child subqueries, `FIELDS(…)`, `TYPEOF`, semi-joins and `INCLUDES`/`EXCLUDES`.

use super::Parser;
use crate::error::SfError;
use crate::soql::ast::*;
use crate::soql::lexer::TokenKind;

impl Parser<'_> {
    /// A select item that is not a plain field or COUNT: `(SELECT …)`, `FIELDS(…)` or
    /// `TYPEOF … END`; `None` when the next item is none of these.
    pub(super) fn relation_item(&mut self) -> Result<Option<SelectItem>, SfError> {
        if self.peek().kind == TokenKind::LParen && self.peek_at(1).is_keyword("SELECT") {
            self.advance();
            let query = self.query()?;
            self.expect(TokenKind::RParen)?;
            return Ok(Some(SelectItem::Subquery(Box::new(query))));
        }
        if self.at_keyword("FIELDS") && self.peek_at(1).kind == TokenKind::LParen {
            let pos = self.advance().pos;
            self.advance();
            let word = self.peek().clone();
            let group = FieldGroup::parse(&word.text)
                .filter(|_| word.kind == TokenKind::Ident)
                .ok_or_else(|| self.error_here())?;
            self.advance();
            self.expect(TokenKind::RParen)?;
            return Ok(Some(SelectItem::Fields { group, pos }));
        }
        if self.at_keyword("TYPEOF") && self.peek_at(1).kind == TokenKind::Ident {
            return self.type_of().map(Some);
        }
        Ok(None)
    }

    /// The FROM name; a subquery may write its relationship after the parent's name
    /// (`FROM Account.Contacts`), kept dotted for the plan to check.
    pub(super) fn object_name(&mut self) -> Result<Name, SfError> {
        let mut name = self.name()?;
        if self.peek().kind == TokenKind::Dot {
            self.advance();
            let relationship = self.name()?;
            name.text = format!("{}.{}", name.text, relationship.text);
        }
        Ok(name)
    }

    fn type_of(&mut self) -> Result<SelectItem, SfError> {
        let pos = self.advance().pos;
        let relationship = self.name()?;
        let mut whens = Vec::new();
        while self.eat_keyword("WHEN") {
            let object = self.name()?;
            self.expect_keyword("THEN")?;
            whens.push((object, self.path_list()?));
        }
        if whens.is_empty() {
            return Err(self.error_here());
        }
        let otherwise = if self.eat_keyword("ELSE") {
            self.path_list()?
        } else {
            Vec::new()
        };
        self.expect_keyword("END")?;
        Ok(SelectItem::TypeOf(TypeOf {
            relationship,
            whens,
            otherwise,
            pos,
        }))
    }

    fn path_list(&mut self) -> Result<Vec<FieldPath>, SfError> {
        let mut list = vec![self.path()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            list.push(self.path()?);
        }
        Ok(list)
    }

    /// The rest of `field [NOT] IN (SELECT …)`, the opening parenthesis read.
    pub(super) fn semi_join(
        &mut self,
        field: FieldPath,
        negated: bool,
    ) -> Result<Condition, SfError> {
        let pos = self.peek().pos;
        let query = self.query()?;
        self.expect(TokenKind::RParen)?;
        Ok(Condition::SemiJoin(SemiJoin {
            field,
            negated,
            query: Box::new(query),
            pos,
        }))
    }

    /// `field INCLUDES ('a;b', 'c')` or `EXCLUDES (…)`, the field read.
    pub(super) fn includes(&mut self, field: FieldPath) -> Result<Condition, SfError> {
        let excludes = self.at_keyword("EXCLUDES");
        self.advance();
        self.expect(TokenKind::LParen)?;
        let mut values = vec![self.literal()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            values.push(self.literal()?);
        }
        self.expect(TokenKind::RParen)?;
        Ok(Condition::Includes(Includes {
            field,
            excludes,
            values,
        }))
    }
}
