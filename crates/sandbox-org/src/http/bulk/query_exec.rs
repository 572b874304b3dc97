//! Running the SOQL of a Bulk query job with the org's SOQL engine.
//!
//! A statement is checked when the job is created, with the errors the REST query endpoint
//! gives, plus the refusals of Bulk API 2.0 (aggregates, `OFFSET`, compound fields). A job
//! keeps only the matching ids; rows are rendered a page at a time, so that a 100k-record
//! result never sits in memory as one string.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::dialect::Dialect;
use super::writer::CsvWriter;
use crate::error::SfError;
use crate::schema::{FieldType, Schema};
use crate::soql::{self, Column, Lookups, Output, Plan, RecordSource};
use crate::store::Record;
use crate::values::parse_datetime;

/// Error code of statements the REST endpoint runs but Bulk API 2.0 does not.
pub const UNSUPPORTED_CODE: &str = "API_ERROR";

/// A statement checked for a query job.
#[derive(Debug, Clone)]
pub struct BulkQuery {
    plan: Plan,
    /// Column names of the result file, in describe case (`Id`, `Account.Name`).
    pub headers: Vec<String>,
}

fn unsupported(what: &str, instead: &str) -> SfError {
    SfError::new(
        UNSUPPORTED_CODE,
        format!("{what} not supported by Bulk API 2.0 query jobs: {instead}"),
    )
}

impl BulkQuery {
    /// Checks `text` against the schema as the REST query endpoint does, then refuses what
    /// Bulk API 2.0 does not run. Relative dates (`TODAY`...) are resolved against `now`.
    pub fn prepare(schema: &Schema, text: &str, now: DateTime<Utc>) -> Result<Self, SfError> {
        let statement = soql::parse(text)?;
        let plan = soql::plan::resolve(text, &statement, schema, now)?;
        let Output::Records(columns) = &plan.output else {
            return Err(unsupported(
                "Aggregate queries such as COUNT() are",
                "select the fields themselves, or count through the REST query endpoint",
            ));
        };
        if !plan.nested.is_empty() {
            return Err(unsupported(
                "Child relationship subqueries and TYPEOF are",
                "query the child object with its lookup field, or the parent fields by relationship name",
            ));
        }
        if statement.offset.is_some() {
            return Err(unsupported(
                "OFFSET is",
                "remove it and read the result pages with locators",
            ));
        }
        if let Some(compound) = columns
            .iter()
            .find(|c| matches!(c.path.kind, FieldType::Address | FieldType::Location))
        {
            return Err(unsupported(
                &format!("Selecting compound field {} is", compound.path.dotted()),
                "select its component fields instead (BillingStreet, BillingCity...)",
            ));
        }
        let headers = columns.iter().map(|c| c.key()).collect();
        Ok(BulkQuery { plan, headers })
    }

    /// The queried object, in describe case.
    pub fn object(&self) -> &str {
        &self.plan.object
    }

    fn columns(&self) -> &[Column] {
        match &self.plan.output {
            Output::Records(columns) => columns,
            Output::Count | Output::Aggregates(_) => &[],
        }
    }

    /// Ids of the records the query returns, in result order.
    pub fn matching_ids(
        &self,
        source: &dyn RecordSource,
        include_deleted: bool,
    ) -> Result<Vec<String>, SfError> {
        soql::matching_ids(&self.plan, source, include_deleted)
    }

    /// The CSV rows of `ids`, every value quoted as a real org's result files are. A record
    /// deleted for good since the job ran is left out.
    pub fn render_rows(
        &self,
        source: &dyn RecordSource,
        ids: &[String],
        dialect: Dialect,
    ) -> String {
        let columns = self.columns();
        let mut lookups = Lookups::new(source);
        let mut out = CsvWriter::with_capacity(dialect, ids.len() * 16 * columns.len().max(1));
        // A column reads its own field, or the lookup its first hop starts from: those
        // fields alone give every column the value the whole record gives it.
        let read: Vec<&str> = columns
            .iter()
            .map(|c| {
                c.path
                    .hops
                    .first()
                    .map_or(&c.path.field, |hop| &hop.lookup)
                    .as_str()
            })
            .collect();
        let records: Box<dyn Iterator<Item = Record>> = match source.records_with_fields(ids, &read)
        {
            Some(partial) => Box::new(partial.into_iter()),
            None => Box::new(ids.iter().filter_map(|id| source.get(id))),
        };
        for record in records {
            let values = soql::column_values(columns, &record, &mut lookups);
            let cells = columns
                .iter()
                .zip(&values)
                .map(|(column, value)| cell(column.path.kind, value));
            out.row(cells, true);
        }
        out.finish()
    }
}

impl BulkQuery {
    /// The records of `ids` as JSON, shaped as the REST query endpoint shapes them (the
    /// results of a Bulk API 1.0 JSON or XML query batch).
    pub fn render_records(
        &self,
        source: &dyn RecordSource,
        ids: &[String],
        version: &str,
    ) -> Vec<Value> {
        let shapes = soql::project::shape(self.columns());
        let mut lookups = Lookups::new(source);
        ids.iter()
            .filter_map(|id| source.get(id))
            .map(|record| soql::project(&self.plan, &shapes, &record, &mut lookups, version))
            .collect()
    }
}

/// One value as Bulk API 2.0 writes it: datetimes in UTC with a `Z`, booleans as
/// `true`/`false`, null as an empty cell.
fn cell(kind: FieldType, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) if kind == FieldType::DateTime => parse_datetime(text)
            .map(|at| at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_else(|| text.clone()),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::http::bulk::dialect::{ColumnDelimiter, LineEnding};
    use crate::store::Store;

    const USER: &str = "005000000000001";

    fn schema() -> Schema {
        Schema::standard().unwrap()
    }

    #[test]
    fn headers_are_the_select_list_in_describe_case() {
        let q = BulkQuery::prepare(
            &schema(),
            "select id, name, account.name, account.owner.name from contact where name != null order by name limit 5",
            Utc::now(),
        )
        .unwrap();
        assert_eq!(q.object(), "Contact");
        assert_eq!(
            q.headers,
            ["Id", "Name", "Account.Name", "Account.Owner.Name"]
        );
    }

    #[test]
    fn refuses_with_the_rest_codes_and_the_bulk_ones() {
        let schema = schema();
        let cases = [
            ("SELECT Foo FROM Account", "INVALID_FIELD"),
            ("SELECT Id FROM Acount", "INVALID_TYPE"),
            ("SELECT Id Account", "MALFORMED_QUERY"),
            ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
            ("", "MALFORMED_QUERY"),
            ("SELECT COUNT() FROM Account", UNSUPPORTED_CODE),
            ("SELECT COUNT(Id) FROM Account", UNSUPPORTED_CODE),
            ("SELECT Id FROM Account OFFSET 0", UNSUPPORTED_CODE),
            ("SELECT Id, BillingAddress FROM Account", UNSUPPORTED_CODE),
            (
                "SELECT Name, (SELECT LastName FROM Contacts) FROM Account",
                UNSUPPORTED_CODE,
            ),
            (
                "SELECT TYPEOF What WHEN Account THEN Name END FROM Event",
                UNSUPPORTED_CODE,
            ),
            (
                "SELECT Name, (SELECT LastName FROM Contactz) FROM Account",
                "INVALID_TYPE",
            ),
        ];
        for (text, code) in cases {
            let got = BulkQuery::prepare(&schema, text, Utc::now()).map(|q| q.headers);
            assert_eq!(got.unwrap_err().code, code, "{text}");
            if code != UNSUPPORTED_CODE {
                let rest = soql::compile(text, &schema, Utc::now()).unwrap_err();
                let bulk = BulkQuery::prepare(&schema, text, Utc::now()).unwrap_err();
                assert_eq!(bulk.message, rest.message, "{text}");
            }
        }
    }

    #[test]
    fn cells_are_written_as_bulk_results_are() {
        use FieldType::*;
        let cases = [
            (
                DateTime,
                json!("2024-01-31T10:00:00.000+0000"),
                "2024-01-31T10:00:00.000Z",
            ),
            (
                DateTime,
                json!("2024-01-31T12:00:00.5+02:00"),
                "2024-01-31T10:00:00.500Z",
            ),
            (Date, json!("2024-01-31"), "2024-01-31"),
            (Boolean, json!(true), "true"),
            (Boolean, json!(false), "false"),
            (Int, json!(42), "42"),
            (String, Value::Null, ""),
            (String, json!("a \"quoted\", text"), "a \"quoted\", text"),
        ];
        for (kind, value, want) in cases {
            assert_eq!(cell(kind, &value), want, "{kind:?} {value}");
        }
    }

    #[test]
    fn rows_follow_parents_and_skip_records_gone_for_good() {
        let schema = schema();
        let store = Store::open(None, Arc::new(schema.clone())).unwrap();
        let (contact, gone) = store
            .write(|w| {
                let account = w.create(
                    "Account",
                    json!({"Name": "Acme, Inc."}).as_object().unwrap(),
                    USER,
                )?;
                let contact = w.create(
                    "Contact",
                    json!({"LastName": "Doe", "AccountId": account})
                        .as_object()
                        .unwrap(),
                    USER,
                )?;
                let gone = w.create(
                    "Contact",
                    json!({"LastName": "Roe"}).as_object().unwrap(),
                    USER,
                )?;
                Ok::<_, Vec<SfError>>((contact, gone))
            })
            .unwrap();
        store.write(|w| w.hard_delete(&gone)).unwrap();
        let q = BulkQuery::prepare(
            &schema,
            "SELECT Id, LastName, IsDeleted, Email, Account.Name FROM Contact",
            Utc::now(),
        )
        .unwrap();
        let dialect = Dialect {
            delimiter: ColumnDelimiter::Pipe,
            line_ending: LineEnding::Lf,
        };
        let text = q.render_rows(&store, &[contact.clone(), gone], dialect);
        assert_eq!(
            text,
            format!("\"{contact}\"|\"Doe\"|\"false\"|\"\"|\"Acme, Inc.\"\n")
        );
    }
}
