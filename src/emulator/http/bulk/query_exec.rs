//! Running the SOQL of a Bulk query job.
//!
//! Everything a query job needs from SOQL goes through [`prepare`], [`matching_ids`] and
//! [`row`]. Until the org's SOQL engine (`crate::emulator::soql`) is wired in here, this
//! reads the subset `SELECT field, Parent.field, ... FROM Object [LIMIT n]` in id order and
//! refuses anything else with `MALFORMED_QUERY`.
//!
//! A job keeps only the matching ids; rows are projected a page at a time, so that a
//! 100k-record result never sits in memory as one string.

use serde_json::Value;

use crate::emulator::error::SfError;
use crate::emulator::schema::{FieldType, Schema};
use crate::emulator::store::{Record, Store};

/// One selected column: the lookup fields to follow, then the field to read.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    lookups: Vec<String>,
    field: String,
    kind: FieldType,
}

/// A checked query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    pub object: String,
    /// Column names of the result file, in describe case (`Id`, `Account.Name`).
    pub headers: Vec<String>,
    columns: Vec<Column>,
    limit: Option<usize>,
}

fn malformed(soql: &str, what: &str) -> SfError {
    SfError::new(
        "MALFORMED_QUERY",
        format!(
            "\n{soql}\n{what}: Bulk query jobs of this sandbox org read SELECT field, ... FROM Object [LIMIT n]"
        ),
    )
}

fn no_such_column(name: &str, object: &str) -> SfError {
    SfError::new(
        "INVALID_FIELD",
        format!(
            "No such column '{name}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
}

/// Splits on whitespace, keeping commas as their own tokens.
fn tokens(soql: &str) -> Vec<String> {
    soql.replace(',', " , ")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Checks `soql` against the schema.
pub fn prepare(schema: &Schema, soql: &str) -> Result<QueryPlan, SfError> {
    let toks = tokens(soql);
    if !toks
        .first()
        .is_some_and(|t| t.eq_ignore_ascii_case("SELECT"))
    {
        return Err(malformed(soql, "expected SELECT"));
    }
    let from = toks
        .iter()
        .position(|t| t.eq_ignore_ascii_case("FROM"))
        .ok_or_else(|| malformed(soql, "expected FROM"))?;
    let object_name = toks
        .get(from + 1)
        .ok_or_else(|| malformed(soql, "expected an object after FROM"))?;
    let object = schema.object(object_name).ok_or_else(|| {
        SfError::new(
            "INVALID_TYPE",
            format!(
                "sObject type '{object_name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
            ),
        )
    })?;
    let limit = match &toks[from + 2..] {
        [] => None,
        [kw, n] if kw.eq_ignore_ascii_case("LIMIT") => Some(
            n.parse::<usize>()
                .map_err(|_| malformed(soql, "LIMIT takes a whole number"))?,
        ),
        _ => return Err(malformed(soql, "unexpected text after the object name")),
    };
    let selected = &toks[1..from];
    if selected.is_empty() {
        return Err(malformed(soql, "expected at least one field after SELECT"));
    }
    let mut headers = Vec::new();
    let mut columns = Vec::new();
    for (i, tok) in selected.iter().enumerate() {
        let is_comma = tok == ",";
        if is_comma != (i % 2 == 1) || (is_comma && i + 1 == selected.len()) {
            return Err(malformed(soql, "fields are separated by single commas"));
        }
        if is_comma {
            continue;
        }
        let mut current = object;
        let mut lookups = Vec::new();
        let mut names = Vec::new();
        let mut parts = tok.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                let field = current
                    .field(part)
                    .ok_or_else(|| no_such_column(tok, &object.name))?;
                names.push(field.name.clone());
                headers.push(names.join("."));
                columns.push(Column {
                    lookups: lookups.clone(),
                    field: field.name.clone(),
                    kind: field.kind,
                });
                break;
            }
            let lookup = current
                .relationship(part)
                .ok_or_else(|| no_such_column(tok, &object.name))?;
            names.push(
                lookup
                    .relationship_name
                    .clone()
                    .unwrap_or_else(|| part.to_string()),
            );
            lookups.push(lookup.name.clone());
            current = lookup
                .reference_to
                .first()
                .and_then(|p| schema.object(p))
                .ok_or_else(|| no_such_column(tok, &object.name))?;
        }
    }
    Ok(QueryPlan {
        object: object.name.clone(),
        headers,
        columns,
        limit,
    })
}

/// Ids of the records the query returns, in result order.
pub fn matching_ids(store: &Store, plan: &QueryPlan, include_deleted: bool) -> Vec<String> {
    let limit = plan.limit.unwrap_or(usize::MAX);
    let mut ids = Vec::new();
    if limit == 0 {
        return ids;
    }
    store.scan(&plan.object, include_deleted, &mut |record| {
        if let Some(id) = record.get("Id").and_then(Value::as_str) {
            ids.push(id.to_string());
        }
        ids.len() < limit
    });
    ids
}

/// One result row as CSV cell texts; `None` when the record is gone since the job ran.
pub fn row(store: &Store, plan: &QueryPlan, id: &str) -> Option<Vec<String>> {
    let record = store.get(id)?;
    Some(
        plan.columns
            .iter()
            .map(|c| cell(store, &record, c))
            .collect(),
    )
}

fn cell(store: &Store, record: &Record, column: &Column) -> String {
    let mut parent: Option<Record> = None;
    for lookup in &column.lookups {
        let source = parent.as_ref().unwrap_or(record);
        match source
            .get(lookup)
            .and_then(Value::as_str)
            .and_then(|id| store.get(id))
        {
            Some(next) => parent = Some(next),
            None => return String::new(),
        }
    }
    let current = parent.as_ref().unwrap_or(record);
    match current.get(&column.field) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if column.kind == FieldType::DateTime => {
            // Bulk result files write datetimes in UTC with a Z.
            s.strip_suffix("+0000")
                .map(|t| format!("{t}Z"))
                .unwrap_or_else(|| s.clone())
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_fields_and_parent_fields_in_describe_case() {
        let schema = Schema::standard().unwrap();
        let plan = prepare(&schema, "select id, name,account.name from contact limit 5").unwrap();
        assert_eq!(plan.object, "Contact");
        assert_eq!(plan.headers, ["Id", "Name", "Account.Name"]);
        assert_eq!(plan.limit, Some(5));
    }

    #[test]
    fn refuses_with_the_org_codes() {
        let schema = Schema::standard().unwrap();
        let cases = [
            ("SELECT Foo FROM Account", "INVALID_FIELD"),
            ("SELECT Id FROM Acount", "INVALID_TYPE"),
            ("SELECT Id Account", "MALFORMED_QUERY"),
            ("SELECT FROM Account", "MALFORMED_QUERY"),
            ("SELECT Id,, Name FROM Account", "MALFORMED_QUERY"),
            ("SELECT Id, FROM Account", "MALFORMED_QUERY"),
            ("SELECT Id FROM Account WHERE Name = 'x'", "MALFORMED_QUERY"),
            ("SELECT Id FROM Account LIMIT many", "MALFORMED_QUERY"),
            ("DELETE Account", "MALFORMED_QUERY"),
            ("", "MALFORMED_QUERY"),
        ];
        for (soql, code) in cases {
            assert_eq!(prepare(&schema, soql).unwrap_err().code, code, "{soql}");
        }
    }
}
