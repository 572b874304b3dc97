//! Records a link creates: rows without a Salesforce Id of a link matched on it, which are
//! created only under `create_unmatched`, and how exactly a lost create is found again.

use super::Verifier;
use super::describe::FieldFacts;
use crate::sync::link::{Direction, MatchKey};
use crate::workspace::capture::quote_ident;

impl Verifier<'_> {
    pub(super) fn creates(&mut self) {
        if self.link.match_on != MatchKey::SalesforceId || self.columns.is_empty() {
            return;
        }
        if self.link.create_unmatched {
            self.exactly_once();
        } else {
            self.rows_not_created();
        }
    }

    /// A link that does not create records says how many rows it leaves out. A link that
    /// pushes nothing would create nothing either.
    fn rows_not_created(&mut self) {
        let link = self.link;
        let pushes = link.fields.iter().any(|m| m.direction != Direction::Pull);
        if !pushes || !self.has_column(&link.id_column) {
            return;
        }
        let filter = link
            .push_filter
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .map_or(String::new(), |f| format!(" AND ({f})"));
        let id = quote_ident(&link.id_column);
        let sql = format!(
            "SELECT count(*) FROM {} WHERE ({id} IS NULL OR {id} = ''){filter}",
            quote_ident(&link.table)
        );
        let Ok(rows) = self.conn.query_row(&sql, [], |r| r.get::<_, i64>(0)) else {
            return;
        };
        if rows == 0 {
            return;
        }
        let (rows_text, verb) = if rows == 1 {
            ("1 row".to_string(), "has")
        } else {
            (format!("{rows} rows"), "have")
        };
        self.warning(
            Some(&link.id_column),
            format!(
                "{rows_text} of `{}` {verb} no Salesforce Id in `{}` and would be created if the link created records; this link matches on the Salesforce Id and creates none, so they are not synced",
                link.table, link.id_column
            ),
            format!(
                "set `create_unmatched` to true (in the studio: \"Create records for rows without a Salesforce Id\") to create them, or fill `{}` with their records' Ids",
                link.id_column
            ),
        );
    }

    /// Creates are exactly once only when a lost answer can be told by a key.
    fn exactly_once(&mut self) {
        let pushed_key = self.link.fields.iter().any(|m| {
            m.direction != Direction::Pull
                && m.parent_reference().is_none()
                && super::field(self.describe, &m.remote).is_some_and(|f| f.external_id)
        });
        if pushed_key {
            return;
        }
        let keys: Vec<String> = self
            .describe
            .fields
            .iter()
            .filter(|f| f.external_id && FieldFacts::of(f).createable)
            .map(|f| format!("`{}`", f.name))
            .collect();
        let fix = if keys.is_empty() {
            format!(
                "create an External ID field on `{}` in Salesforce Setup and push a unique value of each row to it",
                self.link.object
            )
        } else {
            format!(
                "push a unique value of each row to an external-id field ({})",
                keys.join(", ")
            )
        };
        self.warning(
            None,
            "records are created without an external id: if Salesforce's answer to a create is lost, the record is found again only by the values it was sent with, which another record created since with the same values could match".into(),
            format!("{fix}, so that each record is created exactly once"),
        );
    }
}
