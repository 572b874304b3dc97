//! The mapping studio's data: objects and fields from describe, local tables, previews, verify and save.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::service::Service;
use super::*;
use crate::salesforce::FieldDescribe;
use crate::sync::link::Link;
use crate::sync::link_file;
use crate::sync::verify;
use crate::workspace::Workspace;
use crate::workspace::capture::quote_ident;

/// Who the audit log names for changes made in the window.
const ACTOR: &str = "desktop";
/// Rows an expression preview shows.
const PREVIEW_ROWS: usize = 5;

impl Service {
    /// Makes a signed-in client available to the handlers under a connection name.
    pub(super) async fn workspace<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Workspace) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let path = self.config.workspace.clone();
        tokio::task::spawn_blocking(move || {
            let mut ws = Workspace::open(&path).with_context(|| {
                format!("Tether could not open the workspace {}", path.display())
            })?;
            work(&mut ws)
        })
        .await
        .context("the workspace task stopped unexpectedly; try again")?
    }

    pub(super) async fn list_objects(self: &Arc<Self>, connection: &str) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let global = client.describe_global().await.with_context(|| {
            format!("Salesforce did not list the objects of {connection}; check the connection on the Connections page")
        })?;
        let mut objects: Vec<ObjectSummary> = global
            .sobjects
            .iter()
            .map(|o| ObjectSummary {
                name: o.name.clone(),
                label: o.label.clone(),
                custom: o.custom,
            })
            .collect();
        objects.sort_by(|a, b| {
            a.label
                .to_lowercase()
                .cmp(&b.label.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
        });
        self.outbox.send(Event::Objects {
            connection: connection.to_string(),
            objects,
        });
        Ok(())
    }

    pub(super) async fn describe_object(
        self: &Arc<Self>,
        connection: &str,
        object: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let describe = client.describe(object).await.with_context(|| {
            format!("Salesforce did not describe `{object}`; check the object's API name and that the integration user can read it")
        })?;
        let fields = describe.fields.iter().map(field_info).collect();
        self.outbox.send(Event::ObjectFields {
            connection: connection.to_string(),
            object: object.to_string(),
            fields,
        });
        Ok(())
    }

    pub(super) async fn list_local_tables(self: &Arc<Self>) -> anyhow::Result<()> {
        let tables = self.workspace(|ws| local_tables(ws.conn())).await?;
        self.outbox.send(Event::LocalTables(tables));
        Ok(())
    }

    pub(super) async fn preview_expression(
        self: &Arc<Self>,
        table: &str,
        key: &str,
        expression: &str,
    ) -> anyhow::Result<()> {
        let path = self.config.workspace.clone();
        let (table, key, sql) = (table.to_string(), key.to_string(), expression.to_string());
        let result = tokio::task::spawn_blocking(move || preview(&path, &table, &key, &sql))
            .await
            .context("the preview task stopped unexpectedly; try again")?;
        self.outbox.send(Event::ExpressionPreview {
            expression: expression.to_string(),
            result,
        });
        Ok(())
    }

    /// Every problem of `link`, against its object's describe and the local table.
    pub(super) async fn problems(&self, link: &Link) -> anyhow::Result<Vec<verify::Problem>> {
        let client = self.client(&link.connection).await?;
        let (describe, parents) = verify::describes_for(&client, link)
            .await
            .with_context(|| {
                format!(
                    "Salesforce did not describe `{}`; check the object's API name and the connection {}",
                    link.object, link.connection
                )
            })?;
        let hidden = verify::hidden_fields(&client, link, &describe).await;
        let link = link.clone();
        self.workspace(move |ws| {
            Ok(verify::verify_seeing(
                &link,
                &describe,
                &parents,
                ws.conn(),
                &hidden,
            ))
        })
        .await
    }

    pub(super) async fn verify_link(self: &Arc<Self>, link: Link) -> anyhow::Result<()> {
        let problems = self.problems(&link).await?;
        self.outbox.send(Event::Verified {
            link: link.name,
            problems,
        });
        Ok(())
    }

    pub(super) async fn save_link(self: &Arc<Self>, link: Link) -> anyhow::Result<()> {
        if link.name.trim().is_empty() {
            anyhow::bail!("The link has no name: give it one, e.g. accounts, then save again");
        }
        let problems = self.problems(&link).await?;
        if verify::has_errors(&problems) {
            self.outbox.send(Event::Verified {
                link: link.name,
                problems,
            });
            return Ok(());
        }
        let saved = link.clone();
        self.workspace(move |ws| {
            ws.save_link(&saved, ACTOR)
                .with_context(|| format!("Tether could not save the link {}", saved.name))?;
            Ok(())
        })
        .await?;
        self.outbox.send(Event::LinkSaved {
            link: link.name,
            problems,
        });
        Ok(())
    }

    pub(super) async fn delete_link(self: &Arc<Self>, name: &str) -> anyhow::Result<()> {
        if super::clients::lock(&self.running).contains_key(name) {
            anyhow::bail!(
                "“{name}” is syncing; cancel the sync or wait for it to finish, then delete the link"
            );
        }
        let owned = name.to_string();
        self.workspace(move |ws| Ok(ws.delete_link(&owned, ACTOR)?))
            .await?;
        self.outbox.send(Event::LinkDeleted {
            link: name.to_string(),
        });
        Ok(())
    }

    pub(super) async fn export_link(
        self: &Arc<Self>,
        name: &str,
        path: &std::path::Path,
    ) -> anyhow::Result<()> {
        let (owned, target) = (name.to_string(), path.to_path_buf());
        self.workspace(move |ws| {
            let stored = ws.link(&owned)?;
            std::fs::write(&target, link_file::export(&[stored.link])).with_context(|| {
                format!(
                    "Tether could not write {}; choose a folder you can write to",
                    target.display()
                )
            })
        })
        .await?;
        self.outbox.send(Event::Notice(format!(
            "Exported {name} to {}",
            path.display()
        )));
        Ok(())
    }

    pub(super) async fn import_link(
        self: &Arc<Self>,
        path: &std::path::Path,
    ) -> anyhow::Result<()> {
        let source = path.to_path_buf();
        let links = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Link>> {
            let text = std::fs::read_to_string(&source).with_context(|| {
                format!(
                    "Tether could not read {}; check that the file exists and is a links file",
                    source.display()
                )
            })?;
            Ok(link_file::parse(&text)?)
        })
        .await
        .context("the import task stopped unexpectedly; try again")??;
        if links.is_empty() {
            anyhow::bail!(
                "{} holds no links: export a link from Tether, then import that file",
                path.display()
            );
        }
        for link in links {
            self.outbox.send(Event::LinkImported(Box::new(link)));
        }
        Ok(())
    }
}

/// A describe field as the studio's left column shows it.
pub fn field_info(field: &FieldDescribe) -> FieldInfo {
    let createable = field.flag("createable");
    let picklist_values = field.active_picklist_values();
    FieldInfo {
        name: field.name.clone(),
        label: field.shown_label(),
        field_type: field.field_type.clone(),
        length: (field.length > 0).then_some(field.length),
        required: field.required_on_create(),
        external_id: field.external_id,
        read_only: !createable && !field.updateable,
        picklist_values,
        restricted_picklist: field.flag("restrictedPicklist"),
        reference_to: field.reference_to.clone(),
    }
}

/// The user's own tables: not Tether's bookkeeping, not SQLite's.
fn local_tables(conn: &Connection) -> anyhow::Result<Vec<LocalTable>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'tether\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY name COLLATE NOCASE",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let mut info = conn.prepare(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid",
        )?;
        let columns = info
            .query_map([&name], |r| {
                Ok(LocalColumn {
                    name: r.get(0)?,
                    declared_type: r.get(1)?,
                    not_null: r.get::<_, i64>(2)? != 0,
                    primary_key: r.get::<_, i64>(3)? != 0,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let rows: i64 = conn.query_row(
            &format!("SELECT count(*) FROM {}", quote_ident(&name)),
            [],
            |r| r.get(0),
        )?;
        tables.push(LocalTable {
            name,
            columns,
            rows: u64::try_from(rows).unwrap_or(0),
        });
    }
    Ok(tables)
}

/// Why `expression` is not one SQL expression, if it is not: statements, comments and
/// unbalanced parentheses could reach outside the `( … )` the preview puts it in.
fn not_an_expression(expression: &str) -> Option<String> {
    if expression.trim().is_empty() {
        return Some("Write an expression over the row, e.g. upper(name)".into());
    }
    let mut depth: i64 = 0;
    let mut quote: Option<char> = None;
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '[' => quote = Some(']'),
            ';' => {
                return Some("Write one expression, not statements: remove the `;`".into());
            }
            '-' if chars.peek() == Some(&'-') => {
                return Some("Remove the `--` comment: write only the expression".into());
            }
            '/' if chars.peek() == Some(&'*') => {
                return Some("Remove the `/*` comment: write only the expression".into());
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Some("A `)` has no `(` before it: balance the parentheses".into());
                }
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Some("A quote is not closed: close every quote".into());
    }
    if depth > 0 {
        return Some("A `(` is not closed: balance the parentheses".into());
    }
    None
}

/// `(key, value)` of the expression over the table's first rows, read through a read-only
/// connection; or what is wrong, in words.
fn preview(
    path: &Path,
    table: &str,
    key: &str,
    expression: &str,
) -> Result<Vec<(String, String)>, String> {
    if let Some(why) = not_an_expression(expression) {
        return Err(why);
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("Tether could not open the workspace to preview ({e}); try again"))?;
    // The same budget a run gives each row, for all the rows previewed: a recursive WITH
    // without end is stopped, not left running on a thread of the service.
    let started = std::time::Instant::now();
    let steps = std::sync::atomic::AtomicU64::new(0);
    conn.progress_handler(
        10_000,
        Some(move || {
            let taken = steps.fetch_add(10_000, std::sync::atomic::Ordering::Relaxed);
            taken >= crate::sync::expression::STEPS_PER_ROW
                || started.elapsed() >= crate::sync::expression::TIME_PER_ROW
        }),
    )
    .map_err(|e| format!("Tether could not open the workspace to preview ({e}); try again"))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| format!("Tether could not open the workspace read-only ({e}); try again"))?;
    let sql = format!(
        "SELECT {}, ({expression}) FROM {} LIMIT {PREVIEW_ROWS}",
        quote_ident(key),
        quote_ident(table)
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| {
        format!(
            "SQLite cannot evaluate the expression: {}",
            sqlite_reason(&e)
        )
    })?;
    if !stmt.readonly() || stmt.column_count() != 2 {
        return Err("Write one expression that reads the row; it may not change anything".into());
    }
    let mut rows = stmt.query([]).map_err(|e| {
        format!(
            "SQLite cannot evaluate the expression: {}",
            sqlite_reason(&e)
        )
    })?;
    let mut out = Vec::new();
    loop {
        match rows.next() {
            Ok(Some(row)) => {
                let key = row.get_ref(0).map(text).unwrap_or_default();
                let value = row.get_ref(1).map(text).unwrap_or_default();
                out.push((key, value));
            }
            Ok(None) => break,
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => {
                return Err("The expression ran past its budget: it may recurse without end or read far too much. Simplify it (a recursive WITH needs a stopping condition)".into());
            }
            Err(e) => {
                return Err(format!(
                    "SQLite cannot evaluate the expression: {}",
                    sqlite_reason(&e)
                ));
            }
        }
    }
    Ok(out)
}

fn sqlite_reason(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        other => other.to_string(),
    }
}

/// A value as the preview shows it.
fn text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => r.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_of_a_recursive_expression_stops_on_its_budget() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("workspace.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
            .unwrap();
        let started = std::time::Instant::now();
        let answer = preview(
            &path,
            "t",
            "id",
            "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c)",
        );
        assert!(
            answer.as_ref().is_err_and(|e| e.contains("budget")),
            "{answer:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(
            preview(&path, "t", "id", "id + 1"),
            Ok(vec![("1".to_string(), "2".to_string())])
        );
    }

    #[test]
    fn only_single_expressions_pass() {
        let cases: &[(&str, bool)] = &[
            ("upper(name)", true),
            ("printf('%.2f%%', score * 100)", true),
            ("'a;b' || name", true),
            ("\"odd;name\"", true),
            ("(SELECT count(*) FROM customers)", true),
            ("", false),
            ("   ", false),
            ("1; DELETE FROM customers", false),
            ("1) FROM other --", false),
            ("1 /* x */", false),
            ("1) FROM other WHERE (1", false),
            ("(1", false),
            ("'open", false),
        ];
        for (expression, ok) in cases {
            assert_eq!(
                not_an_expression(expression).is_none(),
                *ok,
                "{expression:?}"
            );
        }
    }
}
