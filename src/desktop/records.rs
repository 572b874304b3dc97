//! Record-scoped runs from the window: a record the palette names, Retry of chosen errors,
//! and a conflict's decision carried out at once. Each runs only its records (see
//! `sync::engine::scope`), queued behind any other sync like Sync Now.

use std::collections::BTreeMap;
use std::sync::Arc;

use rusqlite::{OptionalExtension, params_from_iter};

use super::clients::blocking;
use super::service::Service;
use crate::sync::engine::{Records, RunScope};
use crate::sync::link::LocalSource;
use crate::workspace::Workspace;
use crate::workspace::capture::quote_ident;
use crate::workspace::journal::Trigger;

/// How many rows a failure names when a name fits several.
const ROWS_NAMED: usize = 5;

impl Service {
    pub(super) async fn sync_records(
        self: &Arc<Self>,
        link: &str,
        records: Records,
    ) -> anyhow::Result<()> {
        self.run_sync(link, Trigger::Button, false, RunScope::Records(records))
            .await
    }

    /// The one row `name` names, by its key or a mapped column's value, synced alone.
    pub(super) async fn sync_named_record(
        self: &Arc<Self>,
        link: &str,
        name: &str,
    ) -> anyhow::Result<()> {
        let path = self.config.workspace.clone();
        let (link_name, name_owned) = (link.to_string(), name.to_string());
        let key = blocking(move || row_named(&path, &link_name, &name_owned)).await?;
        self.sync_records(
            link,
            Records {
                keys: vec![key],
                ids: Vec::new(),
            },
        )
        .await
    }

    /// Syncs the records of these errors again, each link's in one run of those records only.
    /// An error that names no record (neither Id nor key) retries its whole link.
    pub(super) async fn retry_errors(self: &Arc<Self>, ids: Vec<i64>) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let path = self.config.workspace.clone();
        let per_link: BTreeMap<String, Option<Records>> = blocking(move || {
            let ws = Workspace::open(&path)?;
            let marks = vec!["?"; ids.len()].join(", ");
            let mut stmt = ws.conn().prepare(&format!(
                "SELECT r.link_name, e.sf_id, e.row_key FROM tether_run_errors e
                 JOIN tether_runs r ON r.id = e.run_id
                 JOIN tether_links l ON l.name = r.link_name
                 WHERE e.id IN ({marks}) ORDER BY r.link_name, e.id"
            ))?;
            let rows = stmt
                .query_map(params_from_iter(ids.iter()), |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut per_link: BTreeMap<String, Option<Records>> = BTreeMap::new();
            for (link, sf_id, row_key) in rows {
                let entry = per_link
                    .entry(link)
                    .or_insert_with(|| Some(Records::default()));
                let Some(records) = entry else {
                    continue;
                };
                // The Id when the error knows it: it finds the record on both sides.
                match (sf_id.filter(|s| !s.is_empty()), row_key) {
                    (Some(id), _) if !records.ids.contains(&id) => records.ids.push(id),
                    (Some(_), _) => {}
                    (None, Some(key)) if !key.is_empty() => {
                        if !records.keys.contains(&key) {
                            records.keys.push(key);
                        }
                    }
                    (None, _) => *entry = None,
                }
            }
            Ok(per_link)
        })
        .await?;
        if per_link.is_empty() {
            anyhow::bail!(
                "the links of those errors no longer exist, so there is nothing to retry. Create the link again, then sync it"
            );
        }
        for (link, records) in per_link {
            if self.is_syncing(&link) {
                continue;
            }
            let scope = records.map_or(RunScope::Link, RunScope::Records);
            self.spawn_scoped_sync(link, Trigger::Button, scope);
        }
        Ok(())
    }

    /// After conflicts were decided: a run of their records carries the decisions out now.
    pub(super) fn sync_decided(self: &Arc<Self>, decided: Vec<(String, String)>) {
        let mut per_link: BTreeMap<String, Records> = BTreeMap::new();
        for (link, sf_id) in decided {
            let records = per_link.entry(link).or_default();
            if !records.ids.contains(&sf_id) {
                records.ids.push(sf_id);
            }
        }
        for (link, records) in per_link {
            self.spawn_scoped_sync(link, Trigger::Button, RunScope::Records(records));
        }
    }
}

/// The key of the one row of the link's table whose key, or a mapped column, is `name`
/// (compared without case); failing that, whose mapped column starts with `name` as a word.
fn row_named(path: &std::path::Path, link: &str, name: &str) -> anyhow::Result<String> {
    let ws = Workspace::open(path)?;
    let link = ws.link(link)?.link;
    let key = quote_ident(&link.key);
    let columns: Vec<String> = link
        .fields
        .iter()
        .filter_map(|f| match &f.local {
            LocalSource::Column(c) => Some(quote_ident(c)),
            LocalSource::Expression(_) => None,
        })
        .collect();
    // "ACME" also names "Acme Corp": the name as a first word, its wildcards taken literally.
    let prefix = format!(
        "{} %",
        name.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let find = |condition: &dyn Fn(&str) -> String, value: &str| -> anyhow::Result<Vec<String>> {
        let mut tests = vec![condition(&format!("CAST({key} AS TEXT)"))];
        tests.extend(columns.iter().map(|c| condition(c)));
        let sql = format!(
            "SELECT CAST({key} AS TEXT) FROM {} WHERE {key} IS NOT NULL AND ({}) LIMIT {}",
            quote_ident(&link.table),
            tests.join(" OR "),
            ROWS_NAMED + 1
        );
        let mut stmt = ws.conn().prepare(&sql)?;
        let keys = stmt
            .query_map([value], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(keys)
    };
    let mut keys = find(&|c| format!("lower({c}) = lower(?1)"), name)?;
    if keys.is_empty() {
        keys = find(
            &|c| format!("lower({c}) LIKE lower(?1) ESCAPE '\\'"),
            &prefix,
        )?;
    }
    match keys.len() {
        1 => Ok(keys.remove(0)),
        0 => {
            let any: Option<i64> = ws
                .conn()
                .query_row(
                    &format!("SELECT 1 FROM {} LIMIT 1", quote_ident(&link.table)),
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            anyhow::bail!(
                "no row of `{}` is named “{name}”{}: check the name, or sync the whole link {}",
                link.table,
                if any.is_some() {
                    format!(" (by its `{}` or a mapped column)", link.key)
                } else {
                    " (the table is empty)".to_string()
                },
                link.name
            )
        }
        _ => {
            let shown: Vec<&str> = keys.iter().take(ROWS_NAMED).map(String::as_str).collect();
            anyhow::bail!(
                "“{name}” names several rows of `{}` ({} {}{}): sync one with `tether sync {} --key KEY`",
                link.table,
                link.key,
                shown.join(", "),
                if keys.len() > ROWS_NAMED { ", …" } else { "" },
                link.name
            )
        }
    }
}
