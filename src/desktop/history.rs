//! History, the error browser and the conflicts inbox: pages read from the workspace journal.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use serde_json::json;

use super::service::Service;
use super::*;
use crate::connect::ConnectionDb;
use crate::import::results::neutralised;
use crate::sync::link::Link;
use crate::workspace::Workspace;
use crate::workspace::conflicts::{self, ConflictRecord, Keep};
use crate::workspace::journal::{self, pages};

/// How many of a run's errors its detail carries; the error browser has them all.
const DETAIL_ERRORS: u64 = 50;

impl Service {
    pub(super) async fn daily_stats(self: &Arc<Self>, days: u32) -> anyhow::Result<()> {
        let days = self
            .in_journal(move |ws| {
                let today = Utc::now().date_naive();
                Ok(pages::daily_totals(ws.conn(), days, today)?)
            })
            .await?;
        self.outbox.send(Event::DailyStats(
            days.into_iter()
                .map(|d| DayStats {
                    day: d.day,
                    synced: d.synced,
                    errors: d.failed,
                })
                .collect(),
        ));
        Ok(())
    }

    pub(super) async fn runs_page(
        self: &Arc<Self>,
        filter: RunFilter,
        offset: u64,
        limit: u64,
    ) -> anyhow::Result<()> {
        let query = filter.clone();
        let page = self
            .in_journal(move |ws| Ok(pages::runs_page(ws.conn(), &query, offset, limit)?))
            .await?;
        self.outbox.send(Event::RunsPage {
            filter,
            offset,
            total: page.total,
            rows: page.rows,
        });
        Ok(())
    }

    pub(super) async fn run_detail(self: &Arc<Self>, run_id: i64) -> anyhow::Result<()> {
        let urls = self.record_url_book();
        let detail = self
            .in_journal(move |ws| {
                let conn = ws.conn();
                let run = journal::run(conn, run_id)?.ok_or_else(|| {
                    anyhow::anyhow!(
                        "Run {run_id} is no longer in the history (its link's history may have been cleared). Refresh the list"
                    )
                })?;
                let query = pages::ErrorQuery {
                    run: Some(run_id),
                    sort: pages::ErrorSort::Oldest,
                    ..Default::default()
                };
                let errors = pages::errors_page(conn, &query, 0, DETAIL_ERRORS)?;
                let links = pages::link_objects(conn)?;
                let changes =
                    super::run_changes::run_changes(conn, run_id, links.get(&run.link_name))?;
                Ok(RunDetail {
                    changes,
                    timeline: pages::run_timeline(conn, &run)?,
                    run,
                    total_errors: errors.total,
                    errors: error_rows(conn, errors.rows, &links, &urls),
                })
            })
            .await?;
        self.outbox.send(Event::RunDetail(Box::new(detail)));
        Ok(())
    }

    pub(super) async fn errors_page(
        self: &Arc<Self>,
        filter: ErrorFilter,
        offset: u64,
        limit: u64,
    ) -> anyhow::Result<()> {
        let query = filter.clone();
        let urls = self.record_url_book();
        let (total, rows) = self
            .in_journal(move |ws| {
                let page = pages::errors_page(ws.conn(), &query, offset, limit)?;
                let links = pages::link_objects(ws.conn())?;
                Ok((page.total, error_rows(ws.conn(), page.rows, &links, &urls)))
            })
            .await?;
        self.outbox.send(Event::ErrorsPage {
            filter,
            offset,
            total,
            rows,
        });
        Ok(())
    }

    pub(super) async fn error_groups(self: &Arc<Self>, filter: ErrorFilter) -> anyhow::Result<()> {
        let query = filter.clone();
        let groups = self
            .in_journal(move |ws| Ok(pages::error_groups(ws.conn(), &query)?))
            .await?;
        self.outbox.send(Event::ErrorGroups {
            filter,
            groups: groups
                .into_iter()
                .map(|g| ErrorGroup {
                    code: g.code,
                    count: g.count,
                    hint: g.hint,
                })
                .collect(),
        });
        Ok(())
    }

    pub(super) async fn export_errors(
        self: &Arc<Self>,
        ids: Vec<i64>,
        path: &Path,
    ) -> anyhow::Result<()> {
        let urls = self.record_url_book();
        let target: PathBuf = path.to_path_buf();
        let rows = self
            .in_journal(move |ws| {
                let entries = pages::errors_by_ids(ws.conn(), &ids)?;
                let links = pages::link_objects(ws.conn())?;
                let rows = error_rows(ws.conn(), entries, &links, &urls);
                write_csv(&target, &rows).with_context(|| {
                    format!(
                        "Tether could not write {}. Choose a folder you can write to, or close the file if another program has it open",
                        target.display()
                    )
                })?;
                Ok(rows.len() as u64)
            })
            .await?;
        self.outbox.send(Event::Exported {
            path: path.to_path_buf(),
            rows,
        });
        self.outbox.send(Event::Notice(format!(
            "Exported {rows} errors to {}",
            path.display()
        )));
        Ok(())
    }

    pub(super) async fn list_conflicts(self: &Arc<Self>) -> anyhow::Result<()> {
        let urls = self.record_url_book();
        let rows = self.in_journal(move |ws| conflict_rows(&ws, &urls)).await?;
        self.outbox.send(Event::Conflicts(rows));
        Ok(())
    }

    pub(super) async fn resolve_conflicts(
        self: &Arc<Self>,
        ids: Vec<i64>,
        keep: Keep,
    ) -> anyhow::Result<()> {
        let urls = self.record_url_book();
        let (resolved, decided, failures, rows) = self
            .in_journal(move |ws| {
                let mut resolved = Vec::new();
                let mut failures = Vec::new();
                for id in &ids {
                    match conflicts::resolve(ws.conn(), *id, keep, "app") {
                        Ok(conflict) => resolved.push(conflict),
                        Err(e) => failures.push(e.to_string()),
                    }
                }
                let links = ws.links()?;
                let decided: Vec<(String, String)> = resolved
                    .iter()
                    .filter_map(|c| {
                        let link = links.iter().find(|l| l.id == c.link_id)?;
                        Some((link.link.name.clone(), c.sf_id.clone()))
                    })
                    .collect();
                Ok((resolved, decided, failures, conflict_rows(&ws, &urls)?))
            })
            .await?;
        self.outbox.send(Event::Conflicts(rows));
        // Carried out now, for those records only, rather than at the link's next run.
        self.sync_decided(decided);
        if !resolved.is_empty() {
            self.outbox
                .send(Event::Notice(decided_text(&resolved, keep)));
        }
        if let Some(first) = failures.first() {
            anyhow::bail!(
                "{} of the chosen conflicts could not be resolved: {first}",
                failures.len()
            );
        }
        Ok(())
    }

    /// Runs `work` on a blocking thread with the workspace open.
    async fn in_journal<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(Workspace) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let path = self.config.workspace.clone();
        tokio::task::spawn_blocking(move || {
            let ws = Workspace::open(&path).with_context(|| {
                format!(
                    "Tether could not open the workspace {}. Check that the file exists and that no other program locks it",
                    path.display()
                )
            })?;
            work(ws)
        })
        .await
        .context("the history reader stopped unexpectedly; try again")?
    }

    /// Where each connection's records live: this session's instance URLs, then the saved
    /// connections.
    fn record_url_book(&self) -> UrlBook {
        let mut urls = self
            .instance_urls
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        let saved = self.config.data_dir.join("tether.db");
        if saved.exists()
            && let Ok(list) = ConnectionDb::open(&saved).and_then(|db| db.list())
        {
            for c in list {
                urls.entry(c.name).or_insert(c.instance_url);
            }
        }
        UrlBook(urls)
    }
}

/// Instance URL by connection name.
#[derive(Debug, Clone, Default)]
pub struct UrlBook(pub HashMap<String, String>);

impl UrlBook {
    /// `<instance url>/<id>`, when the connection and the id are known.
    pub fn record_url(&self, connection: &str, sf_id: Option<&str>) -> Option<String> {
        let id = sf_id.filter(|id| !id.trim().is_empty())?;
        let base = self.0.get(connection)?;
        Some(format!("{}/{}", base.trim_end_matches('/'), id.trim()))
    }
}

fn error_rows(
    conn: &rusqlite::Connection,
    entries: Vec<pages::ErrorEntry>,
    links: &HashMap<String, Link>,
    urls: &UrlBook,
) -> Vec<ErrorRow> {
    let mut names = super::record_names::Names::new(conn, &urls.0);
    entries
        .into_iter()
        .map(|entry| {
            let link = links.get(&entry.link_name);
            let e = &entry.error;
            let response = json!({
                "statusCode": e.code,
                "message": e.message,
                "fields": e.fields,
            });
            ErrorRow {
                name: link.and_then(|l| names.of(l, e.sf_id.as_deref(), e.row_key.as_deref())),
                lifecycle: entry.lifecycle,
                object: link.map(|l| l.object.clone()).unwrap_or_default(),
                record_url: link.and_then(|l| urls.record_url(&l.connection, e.sf_id.as_deref())),
                link: entry.link_name,
                response,
                error: entry.error,
            }
        })
        .collect()
}

fn conflict_rows(ws: &Workspace, urls: &UrlBook) -> anyhow::Result<Vec<ConflictRow>> {
    let links: HashMap<i64, Link> = ws
        .links()?
        .into_iter()
        .map(|stored| (stored.id, stored.link))
        .collect();
    let mut names = super::record_names::Names::new(ws.conn(), &urls.0);
    Ok(conflicts::open(ws.conn(), None)?
        .into_iter()
        .map(|conflict| {
            let link = links.get(&conflict.link_id);
            ConflictRow {
                name: link
                    .and_then(|l| names.of(l, Some(&conflict.sf_id), conflict.row_key.as_deref())),
                link: link.map(|l| l.name.clone()).unwrap_or_default(),
                object: link.map(|l| l.object.clone()).unwrap_or_default(),
                column: link.and_then(|l| {
                    l.fields
                        .iter()
                        .find(|f| f.remote.eq_ignore_ascii_case(&conflict.field))
                        .and_then(|f| f.local_column().map(str::to_string))
                }),
                record_url: link
                    .and_then(|l| urls.record_url(&l.connection, Some(&conflict.sf_id))),
                conflict,
            }
        })
        .collect())
}

const CSV_HEADER: [&str; 19] = [
    "id",
    "run",
    "link",
    "object",
    "side",
    "code",
    "message",
    "fields",
    "salesforce_id",
    "row_key",
    "payload",
    "hint",
    "at",
    "record_url",
    "status",
    "attempts",
    "first_seen",
    "last_seen",
    "resolved_by_run",
];

fn write_csv(path: &Path, rows: &[ErrorRow]) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_path(path)?;
    out.write_record(CSV_HEADER)?;
    for row in rows {
        let e = &row.error;
        let cells = [
            e.id.to_string(),
            e.run_id.to_string(),
            row.link.clone(),
            row.object.clone(),
            e.side.as_str().to_string(),
            e.code.clone(),
            e.message.clone(),
            e.fields.join(", "),
            e.sf_id.clone().unwrap_or_default(),
            e.row_key.clone().unwrap_or_default(),
            e.payload
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            e.hint.clone(),
            e.at.to_rfc3339(),
            row.record_url.clone().unwrap_or_default(),
            row.lifecycle.status.as_str().to_string(),
            row.lifecycle.attempts.to_string(),
            row.lifecycle.first_seen.to_rfc3339(),
            row.lifecycle.last_seen.to_rfc3339(),
            row.lifecycle
                .resolved_run
                .map(|r| r.to_string())
                .unwrap_or_default(),
        ];
        out.write_record(cells.iter().map(|c| neutralised(c)))?;
    }
    out.flush()?;
    Ok(())
}

/// What the next sync does with the decisions just made, in one sentence per kind.
fn decided_text(resolved: &[ConflictRecord], keep: Keep) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let fields = resolved
        .iter()
        .filter(|c| c.deleted_side().is_none())
        .count();
    let deletes = resolved
        .iter()
        .filter(|c| c.deleted_side() == Some(keep))
        .count();
    let records = resolved.len() - fields - deletes;
    let mut sentences = Vec::new();
    if fields > 0 {
        let side = match keep {
            Keep::Local => "local",
            Keep::Salesforce => "Salesforce",
        };
        sentences.push(format!(
            "Kept the {side} value of {}. Syncing those records now writes it to the other side",
            plural(fields, "field", "fields")
        ));
    }
    if deletes > 0 {
        sentences.push(format!(
            "Kept the delete of {}. Syncing it now deletes it on the other side too",
            plural(deletes, "record", "records")
        ));
    }
    if records > 0 {
        sentences.push(format!(
            "Kept {}. Syncing it now brings it back where it was deleted",
            plural(records, "deleted record", "deleted records")
        ));
    }
    sentences.join(". ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_urls_need_a_known_connection_and_an_id() {
        let book = UrlBook(HashMap::from([(
            "main".to_string(),
            "https://acme.my.salesforce.com/".to_string(),
        )]));
        assert_eq!(
            book.record_url("main", Some("001A")).as_deref(),
            Some("https://acme.my.salesforce.com/001A")
        );
        assert_eq!(book.record_url("other", Some("001A")), None);
        assert_eq!(book.record_url("main", None), None);
        assert_eq!(book.record_url("main", Some(" ")), None);
    }
}
