//! SOQL: parser and evaluator for the subset integrations use.
//!
//! [`compile`] parses a statement and checks it against the schema, with the errors a real
//! org sends (`MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`...). The resulting [`Plan`]
//! runs over any [`RecordSource`]: [`matching_ids`] gives the ordered ids of the answer (what a
//! query cursor keeps), [`project`] shapes one record as the REST API answers it, and
//! [`column_values`] gives flat values for CSV answers. Aggregate statements (GROUP BY, SUM,
//! date functions...) answer all their AggregateResult rows at once: [`aggregate_rows`].

pub mod aggregate;
pub mod aggregate_eval;
pub mod ast;
pub mod date_functions;
pub mod dates;
pub mod display;
pub mod error;
pub mod eval;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod plan;
pub mod project;
pub mod rel_ast;
mod sorted;

#[cfg(test)]
mod aggregate_tests;
#[cfg(test)]
mod index_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod sorted_tests;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub use aggregate_eval::aggregate_rows;
pub use eval::{Lookups, RecordSource, count_matching, matching_ids};
pub use parser::parse;
pub use plan::{Column, Output, Plan};
pub use project::{column_values, project, shape_for};
pub use sorted::{keep_name_order, order_matching_ids, visit_matching_ids};

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
        Output::Aggregates(grouped) => {
            let rows = aggregate_rows(plan, grouped, source, include_deleted)?;
            if grouped.count_only {
                json!({ "totalSize": rows.len(), "done": true, "records": [] })
            } else {
                json!({ "totalSize": rows.len(), "done": true, "records": rows })
            }
        }
        Output::Records(_) => {
            let ids = matching_ids(plan, source, include_deleted)?;
            let shapes = shape_for(plan);
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
