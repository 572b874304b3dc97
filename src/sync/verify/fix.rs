//! `tether link verify --fix`: a table Tether created (for a template or the demo) whose
//! column cannot hold its field is rebuilt with the column type that can, rows kept.
//!
//! SQLite cannot change a column's type in place; this is the rebuild its documentation
//! describes: create the table anew, copy the rows, drop the old one, rename, and put back
//! its indexes and triggers.

use rusqlite::Connection;

use super::columns::{Unfit, declared_types, unfit};
use crate::salesforce::ObjectDescribe;
use crate::sync::link::Link;
use crate::workspace::audit;
use crate::workspace::capture::quote_ident;
use crate::workspace::managed;

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(
        "`{table}` was not created by Tether, so its columns are left as they are: declare `{column}` as {use_type} yourself (create the table again with that type, copy the rows over, and rename it)"
    )]
    NotOurs {
        table: String,
        column: String,
        use_type: &'static str,
    },
    #[error(
        "the definition of `{table}` does not declare `{column}` as {declared} where Tether can find it: declare it as {use_type} yourself"
    )]
    Unreadable {
        table: String,
        column: String,
        declared: String,
        use_type: &'static str,
    },
    #[error("the workspace could not be changed: {0}. Nothing was changed; try again")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Workspace(#[from] crate::workspace::WorkspaceError),
}

/// The columns of the link's table that cannot hold their fields.
pub fn unfit_columns(conn: &Connection, link: &Link, describe: &ObjectDescribe) -> Vec<Unfit> {
    let declared = declared_types(conn, &link.table);
    link.fields
        .iter()
        .filter_map(|mapping| {
            let column = mapping.local_column()?;
            let field = describe
                .fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(&mapping.remote))?;
            unfit(field, column, declared.get(column)?, mapping.direction)
        })
        .collect()
}

/// Rebuilds the link's table with every unfit column retyped; returns what was changed.
/// Refuses, changing nothing, a table Tether did not create.
pub fn fix(
    conn: &mut Connection,
    link: &Link,
    describe: &ObjectDescribe,
) -> Result<Vec<Unfit>, FixError> {
    let unfit = unfit_columns(conn, link, describe);
    let Some(first) = unfit.first() else {
        return Ok(unfit);
    };
    if managed::created_by(conn, &link.table)?.is_none() {
        return Err(FixError::NotOurs {
            table: link.table.clone(),
            column: first.column.clone(),
            use_type: first.use_type,
        });
    }
    let table = &link.table;
    let mut sql: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )?;
    for column in &unfit {
        sql =
            retyped(&sql, &column.column, &column.declared, column.use_type).ok_or_else(|| {
                FixError::Unreadable {
                    table: table.clone(),
                    column: column.column.clone(),
                    declared: column.declared.clone(),
                    use_type: column.use_type,
                }
            })?;
    }
    let interim = format!("{table}__tether_fix");
    let body = sql.find('(').map(|at| &sql[at..]).unwrap_or_default();
    let create = format!("CREATE TABLE {} {body}", quote_ident(&interim));
    // A rename must not rewrite (or refuse over) views that name the table while it is away.
    conn.pragma_update(None, "legacy_alter_table", true)?;
    let outcome = rebuild(conn, table, &interim, &create, &unfit);
    conn.pragma_update(None, "legacy_alter_table", false)?;
    outcome?;
    Ok(unfit)
}

fn rebuild(
    conn: &mut Connection,
    table: &str,
    interim: &str,
    create: &str,
    unfit: &[Unfit],
) -> Result<(), FixError> {
    let tx = conn.transaction()?;
    let extras: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT sql FROM sqlite_schema WHERE tbl_name = ?1 AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        )?;
        stmt.query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    tx.execute_batch(create)?;
    tx.execute_batch(&format!(
        "INSERT INTO {} SELECT * FROM {}; DROP TABLE {}; ALTER TABLE {} RENAME TO {};",
        quote_ident(interim),
        quote_ident(table),
        quote_ident(table),
        quote_ident(interim),
        quote_ident(table)
    ))?;
    for sql in extras {
        tx.execute_batch(&sql)?;
    }
    let changed: Vec<String> = unfit
        .iter()
        .map(|u| format!("{} {} -> {}", u.column, u.declared, u.use_type))
        .collect();
    audit(&tx, "user", "table.fix", table, Some(&changed.join(", ")))?;
    tx.commit()?;
    Ok(())
}

/// `sql` with the first declaration `column declared` made `column use_type`.
fn retyped(sql: &str, column: &str, declared: &str, use_type: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    let names = [
        column.to_ascii_lowercase(),
        format!("\"{}\"", column.to_ascii_lowercase()),
        format!("`{}`", column.to_ascii_lowercase()),
        format!("[{}]", column.to_ascii_lowercase()),
    ];
    let declared = declared.to_ascii_lowercase();
    for name in &names {
        let mut from = 0;
        while let Some(found) = lower[from..].find(name.as_str()) {
            let at = from + found;
            from = at + name.len();
            let before_ok = lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| c == '(' || c == ',' || c.is_whitespace());
            let rest = &lower[from..];
            let gap = rest.len() - rest.trim_start().len();
            let after = &rest[gap..];
            let type_ends = after
                .get(declared.len()..)
                .and_then(|tail| tail.chars().next())
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '('));
            if before_ok && gap > 0 && after.starts_with(&declared) && type_ends {
                let start = from + gap;
                let end = start + declared.len();
                return Some(format!("{}{use_type}{}", &sql[..start], &sql[end..]));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::retyped;

    #[test]
    fn the_column_declaration_is_retyped_and_nothing_else() {
        let sql = "CREATE TABLE customers (\n    annual_revenue_real TEXT,\n    annual_revenue  REAL, -- REAL money\n    score REAL\n)";
        assert_eq!(
            retyped(sql, "annual_revenue", "REAL", "NUMERIC").as_deref(),
            Some(
                "CREATE TABLE customers (\n    annual_revenue_real TEXT,\n    annual_revenue  NUMERIC, -- REAL money\n    score REAL\n)"
            )
        );
        assert_eq!(
            retyped("CREATE TABLE t (\"v\" INTEGER)", "v", "INTEGER", "TEXT").as_deref(),
            Some("CREATE TABLE t (\"v\" TEXT)")
        );
        assert_eq!(
            retyped("CREATE TABLE t (v INTEGERX)", "v", "INTEGER", "TEXT"),
            None
        );
    }
}
