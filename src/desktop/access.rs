//! The signed-in user's role per connection: read from the org once per session (again after
//! a reconnect), told to the window as [`Event::Access`], and checked before every request
//! that edits configuration, syncs, imports, resolves conflicts or writes a record.

use std::sync::Arc;

use anyhow::Context;

use super::clients::lock;
use super::service::Service;
use super::*;
use crate::access::{Access, Action, describe_says_editable};
use crate::salesforce::{Client, SalesforceError};

impl Service {
    /// The connection's access, read once per session; `None` when the org keeps no
    /// permission objects (an org that answers neither `PermissionSetAssignment` nor its
    /// relationships), where Salesforce's own answers are the only check.
    pub(super) async fn access(&self, connection: &str) -> anyhow::Result<Option<Arc<Access>>> {
        if let Some(known) = lock(&self.access).get(connection) {
            return Ok(known.clone());
        }
        let client = self.client(connection).await?;
        let read = match client.user_permissions().await {
            Ok(permissions) => {
                let mut access = Access::new(connection, permissions);
                for object in self.linked_objects(connection).await? {
                    let edits = edits_object(&client, &object).await;
                    access.editable.insert(object, edits);
                }
                Some(Arc::new(access))
            }
            Err(SalesforceError::Api { code, .. }) if code == "INVALID_TYPE" => {
                tracing::info!(
                    "the org of {connection} lists no permission sets: its own answers decide access"
                );
                None
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "Tether could not read your permissions in the org of “{connection}”; check the connection on the Connections page"
                    )
                });
            }
        };
        self.keep_access(connection, read.clone());
        Ok(read)
    }

    /// Reads the connection's access in the background, for the window's controls.
    pub(super) fn announce_access(self: &Arc<Self>, connection: &str) {
        if lock(&self.access).contains_key(connection) {
            return;
        }
        let (service, connection) = (self.clone(), connection.to_string());
        tokio::spawn(async move {
            if let Err(e) = service.access(&connection).await {
                tracing::warn!("{e:#}");
            }
        });
    }

    /// Refuses `action` (on `object`) when the connection's role does not allow it; reads the
    /// object's access first when it is not known yet. Only a role read from the org refuses:
    /// when the org cannot be reached the request goes on, and fails or is recorded as the
    /// request's own handler does it (Salesforce checks every call it answers).
    pub(super) async fn authorize(
        &self,
        connection: &str,
        action: Action,
        object: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(access) = self.access_with(connection, object).await {
            access.check(action, object)?;
        }
        Ok(())
    }

    /// The connection's access with `object`'s read too; `None` when it cannot be known.
    async fn access_with(&self, connection: &str, object: Option<&str>) -> Option<Arc<Access>> {
        let access = match self.access(connection).await {
            Ok(access) => access?,
            Err(e) => {
                tracing::warn!("{e:#}");
                return None;
            }
        };
        let Some(object) = object.filter(|o| !access.editable.contains_key(*o)) else {
            return Some(access);
        };
        let client = self.cached_client(connection)?;
        let edits = edits_object(&client, object).await;
        let mut more = (*access).clone();
        more.editable.insert(object.to_string(), edits);
        let more = Arc::new(more);
        self.keep_access(connection, Some(more.clone()));
        Some(more)
    }

    /// Reads the access to an object the window shows (the Records page's, the studio's) in
    /// the background, so that its controls know before the person acts.
    fn learn_access(self: &Arc<Self>, connection: &str, object: &str) {
        let (service, connection, object) =
            (self.clone(), connection.to_string(), object.to_string());
        tokio::spawn(async move {
            service.access_with(&connection, Some(&object)).await;
        });
    }

    /// Forgets the connection's access: the next request reads it again (after a reconnect,
    /// another user may be signed in).
    pub(super) fn forget_access(&self, connection: &str) {
        lock(&self.access).remove(connection);
    }

    fn keep_access(&self, connection: &str, access: Option<Arc<Access>>) {
        lock(&self.access).insert(connection.to_string(), access.clone());
        if let Some(access) = access {
            self.outbox.send(Event::Access(Box::new((*access).clone())));
        }
    }

    /// The objects of the connection's links, whose access the window's controls need.
    async fn linked_objects(&self, connection: &str) -> anyhow::Result<Vec<String>> {
        let connection = connection.to_string();
        self.workspace(move |ws| {
            let mut objects: Vec<String> = ws
                .links()?
                .into_iter()
                .filter(|stored| stored.link.connection == connection)
                .map(|stored| stored.link.object)
                .collect();
            objects.sort();
            objects.dedup();
            Ok(objects)
        })
        .await
    }

    /// Checks a request before it runs; the sync paths check in `run_sync`.
    pub(super) async fn authorize_request(
        self: &Arc<Self>,
        request: &Request,
    ) -> anyhow::Result<()> {
        match request {
            Request::DescribeObject { connection, object }
            | Request::Records(RecordsRequest::Columns { connection, object })
            | Request::Records(RecordsRequest::Record(RecordRequest::Read {
                connection,
                object,
                ..
            })) => {
                self.learn_access(connection, object);
                Ok(())
            }
            Request::SaveLink { link } => {
                self.authorize(&link.connection, Action::EditLinks, Some(&link.object))
                    .await
            }
            Request::DeleteLink { name } | Request::SetSchedule { link: name, .. } => {
                let action = match request {
                    Request::DeleteLink { .. } => Action::EditLinks,
                    _ => Action::EditSchedules,
                };
                let Some((connection, object)) = self.link_target(name).await? else {
                    return Ok(());
                };
                self.authorize(&connection, action, Some(&object)).await
            }
            Request::LoadImport(import) => {
                self.authorize(
                    &import.connection,
                    Action::Import,
                    Some(&import.mapping.object),
                )
                .await
            }
            Request::ResolveConflicts { ids, .. } => {
                let ids = ids.clone();
                let targets = self
                    .workspace(move |ws| {
                        let links = ws.links()?;
                        let mut targets = Vec::new();
                        for id in ids {
                            let Some(conflict) = crate::workspace::conflicts::get(ws.conn(), id)?
                            else {
                                continue;
                            };
                            if let Some(stored) = links.iter().find(|l| l.id == conflict.link_id) {
                                targets.push((
                                    stored.link.connection.clone(),
                                    stored.link.object.clone(),
                                ));
                            }
                        }
                        targets.sort();
                        targets.dedup();
                        Ok(targets)
                    })
                    .await?;
                for (connection, object) in targets {
                    self.authorize(&connection, Action::ResolveConflicts, Some(&object))
                        .await?;
                }
                Ok(())
            }
            Request::Records(RecordsRequest::Record(
                RecordRequest::Save {
                    connection, object, ..
                }
                | RecordRequest::Delete {
                    connection, object, ..
                },
            )) => {
                self.authorize(connection, Action::WriteRecords, Some(object))
                    .await
            }
            _ => Ok(()),
        }
    }

    /// Why the signed-in user may not sync `link`, when its role is known to refuse it.
    pub(super) async fn sync_refusal(&self, link: &str) -> Option<String> {
        let (connection, object) = self.link_target(link).await.ok()??;
        self.authorize(&connection, Action::RunSyncs, Some(&object))
            .await
            .err()
            .map(|e| e.to_string())
    }

    /// The connection and object of a saved link; `None` when there is no such link (the
    /// request's own handler says so).
    pub(super) async fn link_target(&self, name: &str) -> anyhow::Result<Option<(String, String)>> {
        let name = name.to_string();
        self.workspace(move |ws| {
            Ok(ws
                .links()?
                .into_iter()
                .find(|stored| stored.link.name == name)
                .map(|stored| (stored.link.connection, stored.link.object)))
        })
        .await
    }
}

/// Whether the signed-in user may edit `object`'s records: its describe's `updateable`, which
/// follows the user's object permissions. An object the user cannot describe is not editable.
async fn edits_object(client: &Client, object: &str) -> bool {
    match client.describe(object).await {
        Ok(describe) => describe_says_editable(&describe),
        Err(e) => {
            tracing::debug!("cannot describe {object} for its access: {e}");
            false
        }
    }
}
