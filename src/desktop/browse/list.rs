//! The list side of the Records page: objects, columns and pages, each asked of the org in the
//! service so the window never waits.

use std::sync::Arc;

use anyhow::Context;

use super::super::Event;
use super::super::service::Service;
use super::RecordsEvent;
use crate::browse::{self, Catalog, Key, ListPlan, ListSpec};

/// An object the picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChoice {
    pub name: String,
    pub label: String,
}

impl Service {
    pub(super) async fn record_objects(self: &Arc<Self>, connection: &str) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let global = client.describe_global().await.with_context(|| {
            format!("Salesforce did not list the objects of {connection}; check the connection on the Connections page")
        })?;
        let mut objects: Vec<ObjectChoice> = global
            .sobjects
            .iter()
            // Objects that cannot be queried (feeds of some kinds, settings) have no list.
            .filter(|o| o.other.get("queryable").and_then(|q| q.as_bool()) != Some(false))
            .map(|o| ObjectChoice {
                name: o.name.clone(),
                label: o.label.clone(),
            })
            .collect();
        objects.sort_by(|a, b| {
            a.label
                .to_lowercase()
                .cmp(&b.label.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
        });
        self.outbox.send(Event::Records(RecordsEvent::Objects {
            connection: connection.to_string(),
            objects,
        }));
        Ok(())
    }

    pub(super) async fn record_columns(
        self: &Arc<Self>,
        connection: &str,
        object: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let catalog = browse::catalog(&client, object)
            .await
            .map(Box::new)
            .map_err(|e| e.to_string());
        self.outbox.send(Event::Records(RecordsEvent::Columns {
            connection: connection.to_string(),
            object: object.to_string(),
            catalog,
        }));
        Ok(())
    }

    pub(super) async fn record_page(
        self: &Arc<Self>,
        ticket: u64,
        connection: &str,
        catalog: &Catalog,
        spec: &ListSpec,
        after: Option<&Key>,
    ) -> anyhow::Result<()> {
        let page = match ListPlan::new(spec, catalog) {
            Err(e) => Err(e.to_string()),
            Ok(plan) => {
                let client = self.client(connection).await?;
                browse::fetch_page(&client, &plan, after)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string())
            }
        };
        self.outbox
            .send(Event::Records(RecordsEvent::Page { ticket, page }));
        Ok(())
    }
}
