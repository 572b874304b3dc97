//! A local table made from a Salesforce object's fields, for the New link form: the columns
//! proposed from describe, then created in the workspace, as templates create theirs.

use std::sync::Arc;

use anyhow::Context;
use rusqlite::Connection;

use super::Event;
use super::service::Service;

use crate::salesforce::FieldDescribe;
use crate::sync::verify::columns::type_for_new_column;
use crate::workspace::capture::quote_ident;

/// One proposed column, and the field it mirrors (none for the table's own key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedColumn {
    pub name: String,
    pub declared_type: String,
    pub field: Option<String>,
}

/// A table proposed for an object: its name, key column, Salesforce Id column and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProposal {
    pub table: String,
    pub key: String,
    pub id_column: String,
    pub columns: Vec<ProposedColumn>,
}

#[derive(Debug, thiserror::Error)]
pub enum NewTableError {
    #[error(
        "the workspace already has a table named `{0}`: choose it as the local table, or give the new one another name"
    )]
    Exists(String),
    #[error("could not create table `{table}`: {source}")]
    Sql {
        table: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("could not create table `{table}`: {source}")]
    Workspace {
        table: String,
        #[source]
        source: crate::workspace::WorkspaceError,
    },
}

impl Service {
    pub(super) async fn propose_table(
        self: &Arc<Self>,
        connection: &str,
        object: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let describe = client.describe(object).await.with_context(|| {
            format!("Salesforce did not describe `{object}`; check that the integration user can read it")
        })?;
        self.outbox.send(Event::TableProposed {
            object: object.to_string(),
            proposal: propose(object, &describe.fields),
        });
        Ok(())
    }

    pub(super) async fn create_table(
        self: &Arc<Self>,
        proposal: TableProposal,
    ) -> anyhow::Result<()> {
        let made = proposal.clone();
        self.workspace(move |ws| Ok(create(ws.conn_mut(), &made)?))
            .await?;
        self.outbox.send(Event::TableCreated(proposal));
        self.list_local_tables().await
    }
}

/// `AnnualRevenue` → `annual_revenue`, `Custom_Field__c` → `custom_field_c`.
pub fn snake_case(api_name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = api_name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let lower_before =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let upper_run_ends = i > 0
                && chars[i - 1].is_ascii_uppercase()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if c.is_ascii_uppercase() && (lower_before || upper_run_ends) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// The table proposed for `object`: `id INTEGER PRIMARY KEY`, `sf_id` for the Salesforce Id,
/// then a column per field, named in snake_case and typed as verify would accept.
pub fn propose(object: &str, fields: &[FieldDescribe]) -> TableProposal {
    let mut columns = vec![
        ProposedColumn {
            name: "id".into(),
            declared_type: "INTEGER".into(),
            field: None,
        },
        ProposedColumn {
            name: "sf_id".into(),
            declared_type: "TEXT".into(),
            field: Some("Id".into()),
        },
    ];
    for field in fields.iter().filter(|f| f.name != "Id") {
        let mut name = snake_case(&field.name);
        if name.is_empty() || columns.iter().any(|c| c.name == name) {
            name = format!("{name}_{}", columns.len());
        }
        columns.push(ProposedColumn {
            name,
            declared_type: type_for_new_column(field).into(),
            field: Some(field.name.clone()),
        });
    }
    TableProposal {
        table: snake_case(object),
        key: "id".into(),
        id_column: "sf_id".into(),
        columns,
    }
}

/// The `CREATE TABLE` statement of `proposal`.
pub fn create_sql(proposal: &TableProposal) -> String {
    let columns: Vec<String> = proposal
        .columns
        .iter()
        .map(|c| {
            let extra = if c.name == proposal.key {
                " PRIMARY KEY"
            } else if c.name == proposal.id_column {
                " UNIQUE"
            } else {
                ""
            };
            format!("    {} {}{extra}", quote_ident(&c.name), c.declared_type)
        })
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n{}\n);",
        quote_ident(&proposal.table),
        columns.join(",\n")
    )
}

/// Creates the proposed table in one transaction, recorded as made by Tether; refuses a name
/// the workspace already has.
pub fn create(conn: &mut Connection, proposal: &TableProposal) -> Result<(), NewTableError> {
    let table = proposal.table.clone();
    let sql_error = |source| NewTableError::Sql {
        table: table.clone(),
        source,
    };
    let tx = conn.transaction().map_err(sql_error)?;
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE)",
            [&proposal.table],
            |r| r.get(0),
        )
        .map_err(sql_error)?;
    if exists {
        return Err(NewTableError::Exists(proposal.table.clone()));
    }
    crate::workspace::managed::create_tables(&tx, &create_sql(proposal), "new link").map_err(
        |source| NewTableError::Workspace {
            table: table.clone(),
            source,
        },
    )?;
    tx.commit().map_err(sql_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, field_type: &str, precision: u32, scale: u32) -> FieldDescribe {
        serde_json::from_value(serde_json::json!({
            "name": name, "type": field_type, "label": name,
            "precision": precision, "scale": scale, "digits": if field_type == "int" { 9 } else { 0 },
        }))
        .unwrap()
    }

    #[test]
    fn api_names_become_snake_case() {
        assert_eq!(snake_case("AnnualRevenue"), "annual_revenue");
        assert_eq!(snake_case("Custom_Field__c"), "custom_field_c");
        assert_eq!(snake_case("HTMLBody"), "html_body");
        assert_eq!(snake_case("Contact"), "contact");
    }

    #[test]
    fn types_follow_describe_keeping_exact_numbers_exact() {
        let fields = [
            field("Id", "id", 0, 0),
            field("LastName", "string", 0, 0),
            field("NumberOfEmployees", "int", 0, 0),
            field("AnnualRevenue", "currency", 18, 0),
            field("Amount", "currency", 18, 2),
            field("Probability", "percent", 3, 0),
            field("Score__c", "double", 5, 2),
            field("Birthdate", "date", 0, 0),
            field("LastModifiedDate", "datetime", 0, 0),
            field("DoNotCall", "boolean", 0, 0),
        ];
        let proposal = propose("Contact", &fields);
        let types: Vec<(&str, &str)> = proposal
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.declared_type.as_str()))
            .collect();
        assert_eq!(
            types,
            vec![
                ("id", "INTEGER"),
                ("sf_id", "TEXT"),
                ("last_name", "TEXT"),
                ("number_of_employees", "INTEGER"),
                ("annual_revenue", "INTEGER"),
                // 18 digits with a fraction would round in a double: kept as text.
                ("amount", "TEXT"),
                ("probability", "INTEGER"),
                ("score_c", "NUMERIC"),
                ("birthdate", "TEXT"),
                ("last_modified_date", "TEXT"),
                ("do_not_call", "INTEGER"),
            ]
        );
        assert_eq!(proposal.table, "contact");
    }

    #[test]
    fn creating_a_table_the_workspace_has_is_refused_and_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tether_managed_tables (name TEXT PRIMARY KEY, created_by TEXT);
             CREATE TABLE Contact (x TEXT);",
        )
        .unwrap();
        let proposal = propose("Contact", &[field("LastName", "string", 0, 0)]);
        let refused = create(&mut conn, &proposal).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("already has a table named `contact`"),
            "{refused}"
        );
        let mut renamed = proposal.clone();
        renamed.table = "contacts".into();
        create(&mut conn, &renamed).unwrap();
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('contacts')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(columns, ["id", "sf_id", "last_name"]);
        let by: String = conn
            .query_row(
                "SELECT created_by FROM tether_managed_tables WHERE name = 'contacts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(by, "new link");
    }
}
