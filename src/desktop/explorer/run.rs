//! Running a query for the explorer: its rows a page at a time, so a large answer fills the
//! table while the window stays responsive; its plan; its export.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::QueryEvent;
use crate::desktop::Event;
use crate::desktop::service::Service;
use crate::explore::complete::{ChildInfo, FieldInfo, ObjectInfo};
use crate::explore::export::Sink;
use crate::explore::table::Table;
use crate::salesforce::{BatchSize, ObjectDescribe, SalesforceError};

const PAGE: BatchSize = BatchSize(2000);

impl Service {
    fn query_event(&self, event: QueryEvent) {
        self.outbox.send(Event::Query(event));
    }

    /// A refusal by the org is the explorer's to show under the editor, not a failure.
    async fn refused(
        self: &Arc<Self>,
        run: Option<(&str, u64)>,
        soql: &str,
        error: SalesforceError,
    ) -> anyhow::Result<()> {
        match error {
            SalesforceError::Api { code, message, .. } => {
                if let Some((connection, _)) = run {
                    self.remember_run(connection, soql, Err(code.clone())).await;
                }
                let run = run.map(|(_, run)| run);
                self.query_event(QueryEvent::Refused {
                    run,
                    soql: soql.to_string(),
                    code,
                    message,
                });
                Ok(())
            }
            other => Err(other.into()),
        }
    }

    pub(super) async fn query_objects(self: &Arc<Self>, connection: &str) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let global = client
            .describe_global()
            .await
            .context("Salesforce did not list its objects; check the connection")?;
        let objects = global.sobjects.iter().map(|o| o.name.clone()).collect();
        self.query_event(QueryEvent::Objects {
            connection: connection.to_string(),
            objects,
        });
        Ok(())
    }

    pub(super) async fn query_describe(
        self: &Arc<Self>,
        connection: &str,
        object: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let describe = client.describe(object).await.with_context(|| {
            format!("Salesforce did not describe `{object}`; check the object's API name")
        })?;
        self.query_event(QueryEvent::Described {
            connection: connection.to_string(),
            info: object_info(&describe),
        });
        Ok(())
    }

    pub(super) async fn query_run(
        self: &Arc<Self>,
        connection: &str,
        soql: &str,
        run: u64,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let mut pages = Box::pin(client.query::<Map<String, Value>>(soql, Some(PAGE)));
        let mut table = Table::new(soql);
        let mut announced = false;
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(e) => return self.refused(Some((connection, run)), soql, e).await,
            };
            table.set_total(page.total_size);
            for record in &page.records {
                table.push(record);
            }
            if !announced && (!table.headers.is_empty() || page.done) {
                announced = true;
                self.query_event(QueryEvent::Columns {
                    run,
                    headers: table.headers.clone(),
                });
            }
            self.query_event(QueryEvent::Rows {
                run,
                rows: std::mem::take(&mut table.rows),
                records: table.records,
                total: table.total,
            });
        }
        self.query_event(QueryEvent::Done {
            run,
            records: table.records,
            total: table.total,
        });
        self.remember_run(connection, soql, Ok(table.total)).await;
        Ok(())
    }

    pub(super) async fn query_explain(
        self: &Arc<Self>,
        connection: &str,
        soql: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        match client.explain(soql).await {
            Ok(plans) => {
                self.query_event(QueryEvent::Plans {
                    soql: soql.to_string(),
                    plans,
                });
                Ok(())
            }
            Err(e) => self.refused(None, soql, e).await,
        }
    }

    pub(super) async fn query_export(
        self: &Arc<Self>,
        connection: &str,
        soql: &str,
        path: &Path,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let mut pages = Box::pin(client.query::<Map<String, Value>>(soql, Some(PAGE)));
        let mut table = Table::new(soql);
        let mut sink: Option<Sink> = None;
        let mut written = 0;
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(e) => return self.refused(None, soql, e).await,
            };
            table.set_total(page.total_size);
            for record in &page.records {
                table.push(record);
            }
            if table.rows.is_empty() && !page.done {
                continue;
            }
            let out = match sink.as_mut() {
                Some(out) => out,
                None => sink.insert(Sink::create(path, &table.headers)?),
            };
            for row in table.rows.drain(..) {
                out.row(&row)?;
                written += 1;
            }
        }
        match sink {
            Some(out) => out.finish()?,
            None => Sink::create(path, &table.headers)?.finish()?,
        }
        self.query_event(QueryEvent::Exported {
            path: path.to_path_buf(),
            rows: written,
        });
        Ok(())
    }
}

/// What completion needs of a describe: fields with their lookups' relationship names, and
/// the child relationships subqueries read.
pub fn object_info(describe: &ObjectDescribe) -> ObjectInfo {
    let fields = describe
        .fields
        .iter()
        .map(|f| FieldInfo {
            name: f.name.clone(),
            kind: f.field_type.clone(),
            relationship: f
                .other
                .get("relationshipName")
                .and_then(Value::as_str)
                .map(str::to_string),
            reference_to: f.reference_to.clone(),
        })
        .collect();
    let children = describe
        .other
        .get("childRelationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(ChildInfo {
                relationship: c.get("relationshipName")?.as_str()?.to_string(),
                object: c.get("childSObject")?.as_str()?.to_string(),
            })
        })
        .collect();
    ObjectInfo {
        name: describe.name.clone(),
        fields,
        children,
    }
}
