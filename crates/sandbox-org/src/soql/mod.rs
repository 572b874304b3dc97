//! SOQL: parser and evaluator for the subset integrations use.
//!
//! [`compile`] parses a statement and checks it against the schema, with the errors a real
//! org sends (`MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`...). The resulting [`Plan`]
//! runs over any [`RecordSource`]: [`matching_ids`] gives the ordered ids of the answer (what a
//! query cursor keeps), [`project`] shapes one record as the REST API answers it, and
//! [`column_values`] gives flat values for CSV answers.

pub mod ast;
pub mod dates;
pub mod error;
pub mod eval;
pub mod lexer;
pub mod parser;
pub mod plan;
pub mod project;

#[cfg(test)]
mod index_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

pub use eval::{Lookups, RecordSource, aggregate_counts, count_matching, matching_ids};
pub use parser::parse;
pub use plan::{Aggregate, Column, Output, Plan, ResolvedPath};
pub use project::{column_values, project, shape};

use crate::error::SfError;
use crate::schema::Schema;

/// Largest OFFSET a real org accepts.
pub const MAX_OFFSET: u64 = 2000;

/// Parses `text` and checks it against `schema`; relative date literals (`TODAY`...) are
/// resolved against `now`.
pub fn compile(text: &str, schema: &Schema, now: DateTime<Utc>) -> Result<Plan, SfError> {
    let query = parse(text)?;
    plan::resolve(text, &query, schema, now)
}

/// The one AggregateResult row of a `COUNT(field)` query.
pub fn aggregate_row(
    plan: &Plan,
    aggregates: &[Aggregate],
    source: &dyn RecordSource,
    include_deleted: bool,
) -> Result<Value, SfError> {
    let paths: Vec<&ResolvedPath> = aggregates.iter().map(|a| &a.path).collect();
    let (_, counts) = aggregate_counts(plan, source, include_deleted, &paths)?;
    let mut row = Map::new();
    row.insert("attributes".into(), json!({ "type": "AggregateResult" }));
    for (aggregate, count) in aggregates.iter().zip(counts) {
        row.insert(aggregate.label.clone(), json!(count));
    }
    Ok(Value::Object(row))
}

/// The whole answer in one page: `{"totalSize","done":true,"records"}`. For small results and
/// tests; the REST endpoint pages through [`matching_ids`] instead.
pub fn execute(
    plan: &Plan,
    source: &dyn RecordSource,
    include_deleted: bool,
    version: &str,
) -> Result<Value, SfError> {
    Ok(match &plan.output {
        Output::Count => {
            let n = count_matching(plan, source, include_deleted)?;
            json!({ "totalSize": n, "done": true, "records": [] })
        }
        Output::Aggregates(aggregates) => {
            let row = aggregate_row(plan, aggregates, source, include_deleted)?;
            json!({ "totalSize": 1, "done": true, "records": [row] })
        }
        Output::Records(columns) => {
            let ids = matching_ids(plan, source, include_deleted)?;
            let shapes = shape(columns);
            let mut lookups = Lookups::new(source);
            let records: Vec<Value> = ids
                .iter()
                .filter_map(|id| {
                    let record = source.get(id)?;
                    Some(project(plan, &shapes, &record, &mut lookups, version))
                })
                .collect();
            json!({ "totalSize": records.len(), "done": true, "records": records })
        }
    })
}
