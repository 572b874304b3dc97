//! The service loop: each request runs as its own task, and its failure is reported once,
//! as an [`Event::Failed`] under the request's topic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{DesktopConfig, Event, Outbox, Request, Topic};
use crate::salesforce::Client;
use crate::sync::engine::Cancel;

/// The state the request handlers share.
pub struct Service {
    pub(super) config: DesktopConfig,
    pub(super) outbox: Outbox,
    /// Signed-in clients by connection name, reused across requests.
    pub(super) clients: Mutex<HashMap<String, Client>>,
    /// Cancel flags of the syncs under way, by link name.
    pub(super) running: Mutex<HashMap<String, Cancel>>,
    /// The browser sign-in under way, if any.
    pub(super) sign_in: Mutex<Option<Cancel>>,
}

impl Service {
    pub fn new(config: DesktopConfig, outbox: Outbox) -> Arc<Service> {
        Arc::new(Service {
            config,
            outbox,
            clients: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            sign_in: Mutex::new(None),
        })
    }

    /// Answers requests until the window closes.
    pub async fn serve(
        self: Arc<Self>,
        mut requests: tokio::sync::mpsc::UnboundedReceiver<Request>,
    ) {
        while let Some(request) = requests.recv().await {
            let service = self.clone();
            tokio::spawn(async move { service.handle(request).await });
        }
    }

    /// Runs one request; its failure becomes an event.
    pub async fn handle(self: Arc<Self>, request: Request) {
        let topic = topic_of(&request);
        if let Err(e) = self.dispatch(request).await {
            self.outbox.send(Event::Failed {
                topic,
                message: format!("{e:#}"),
            });
        }
    }

    async fn dispatch(self: &Arc<Self>, request: Request) -> anyhow::Result<()> {
        match request {
            other => anyhow::bail!("{other:?} is not available yet in this version of Tether"),
        }
    }
}

/// Where a request's failure is shown.
pub fn topic_of(request: &Request) -> Topic {
    use Request::*;
    match request {
        ListConnections
        | Connect { .. }
        | CancelConnect
        | ConnectSandbox
        | Reconnect { .. }
        | Disconnect { .. }
        | CheckConnection { .. } => Topic::Connections,
        ListLinks | DailyStats { .. } | DeleteLink { .. } => Topic::Links,
        SyncNow { .. } | SyncAll | CancelSync { .. } | RetryErrors { .. } => Topic::Sync,
        SetSchedule { .. } => Topic::Settings,
        ListObjects { .. }
        | DescribeObject { .. }
        | ListLocalTables
        | PreviewExpression { .. }
        | VerifyLink { .. }
        | SaveLink { .. }
        | ExportLink { .. }
        | ImportLink { .. } => Topic::Mapping,
        RunsPage { .. } | RunDetail { .. } => Topic::History,
        ErrorsPage { .. } | ErrorGroups { .. } | ExportErrors { .. } | OpenUrl { .. } => {
            Topic::Errors
        }
        ListConflicts | ResolveConflicts { .. } => Topic::Conflicts,
    }
}
