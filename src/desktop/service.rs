//! The service loop: each request runs as its own task, and its failure (an error, or a
//! panic in its handler) is reported once, as an [`Event::Failed`] under the request's topic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{DesktopConfig, Event, Outbox, Request, Topic};
use crate::salesforce::Client;
use tokio_util::sync::CancellationToken;

/// The state the request handlers share.
pub struct Service {
    pub(super) config: DesktopConfig,
    pub(super) outbox: Outbox,
    /// Signed-in clients by connection name, reused across requests.
    pub(super) clients: Mutex<HashMap<String, Client>>,
    /// Cancel flags of the syncs under way, by link name.
    pub(super) running: Mutex<HashMap<String, CancellationToken>>,
    /// Woken whenever a sync is cancelled, for those waiting on another program's lock.
    pub(super) cancelled: tokio::sync::Notify,
    /// The browser sign-in under way, if any.
    pub(super) sign_in: Mutex<Option<CancellationToken>>,
    /// Instance URL of every connection known in this session (the built-in sandbox org's
    /// changes with each launch), for links that open a record in Salesforce.
    pub(super) instance_urls: Mutex<HashMap<String, String>>,
    /// The built-in sandbox org, once started.
    pub(super) sandbox: tokio::sync::Mutex<Option<super::sandbox::EmbeddedOrg>>,
    /// Syncs take the workspace lock, so they take turns here.
    pub(super) sync_queue: tokio::sync::Mutex<()>,
    /// The link whose turn it is, for the "Waiting for …" of the others.
    pub(super) syncing: Mutex<Option<String>>,
    /// The cancel flag of the import under way, if any.
    pub(super) importing: Mutex<Option<CancellationToken>>,
    /// The signed-in user's access per connection, read once per session; `None` for an org
    /// that keeps no permission objects.
    pub(super) access: Mutex<HashMap<String, Option<Arc<crate::access::Access>>>>,
    /// Work the service does by itself (schedules), stopped with it.
    pub(super) background: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Service {
    pub fn new(config: DesktopConfig, outbox: Outbox) -> Arc<Service> {
        Arc::new(Service {
            config,
            outbox,
            clients: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            cancelled: tokio::sync::Notify::new(),
            sign_in: Mutex::new(None),
            instance_urls: Mutex::new(HashMap::new()),
            sandbox: tokio::sync::Mutex::new(None),
            sync_queue: tokio::sync::Mutex::new(()),
            importing: Mutex::new(None),
            syncing: Mutex::new(None),
            background: Mutex::new(Vec::new()),
            access: Mutex::new(HashMap::new()),
        })
    }

    /// Answers requests until the window closes.
    pub async fn serve(
        self: Arc<Self>,
        mut requests: tokio::sync::mpsc::UnboundedReceiver<Request>,
    ) {
        self.started();
        while let Some(request) = requests.recv().await {
            let service = self.clone();
            let topic = topic_of(&request);
            spawn_answered(self.outbox.clone(), topic, async move {
                service.handle(request).await
            });
        }
        self.stopped().await;
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
        self.authorize_request(&request).await?;
        use Request::*;
        match request {
            Records(request) => self.records(request).await,
            Query(request) => self.query(request).await,
            Analytics(request) => self.analytics(request).await,
            Setup(request) => self.setup(request).await,

            ListConnections => self.list_connections().await,
            Connect {
                target,
                client_id,
                name,
            } => self.connect(target, client_id, name).await,
            CancelConnect => self.cancel_connect().await,
            ConnectSandbox => self.connect_sandbox().await,
            Reconnect { name } => self.reconnect(&name).await,
            Disconnect { name } => self.disconnect(&name).await,
            CheckConnection { name } => self.check_connection(&name).await,

            ListLinks => self.list_links().await,
            SyncNow { link } => self.sync_now(&link).await,
            SyncAll => self.sync_all().await,
            SyncAllowingDeletes { link } => self.sync_allowing_deletes(&link).await,
            CancelSync { link } => self.cancel_sync(&link).await,
            SetSchedule { link, schedule } => self.set_schedule(&link, schedule).await,
            RetryErrors { ids } => self.retry_errors(ids).await,
            SyncRecords { link, records } => self.sync_records(&link, records).await,
            SyncNamedRecord { link, name } => self.sync_named_record(&link, &name).await,

            ListObjects { connection } => self.list_objects(&connection).await,
            DescribeObject { connection, object } => {
                self.describe_object(&connection, &object).await
            }
            ExploreFields { connection, object } => self.explore_fields(&connection, &object).await,
            ListLocalTables => self.list_local_tables().await,
            ProposeTable { connection, object } => self.propose_table(&connection, &object).await,
            CreateTable { proposal } => self.create_table(proposal).await,
            PreviewExpression {
                table,
                key,
                expression,
            } => self.preview_expression(&table, &key, &expression).await,
            VerifyLink { link } => self.verify_link(link).await,
            SaveLink { link } => self.save_link(link).await,
            DeleteLink { name } => self.delete_link(&name).await,
            ExportLink { name, path } => self.export_link(&name, &path).await,
            ImportLink { path } => self.import_link(&path).await,

            DailyStats { days } => self.daily_stats(days).await,
            RunsPage {
                filter,
                offset,
                limit,
            } => self.runs_page(filter, offset, limit).await,
            RunDetail { run_id } => self.run_detail(run_id).await,
            ErrorsPage {
                filter,
                offset,
                limit,
            } => self.errors_page(filter, offset, limit).await,
            ErrorGroups { filter } => self.error_groups(filter).await,
            ExportErrors { ids, path } => self.export_errors(ids, &path).await,

            ListConflicts => self.list_conflicts().await,
            ResolveConflicts { ids, keep } => self.resolve_conflicts(ids, keep).await,

            PreviewFile { path, sheet } => self.preview_file(path, sheet).await,
            ProposeImport {
                path,
                sheet,
                connection,
                object,
            } => self.propose_import(path, sheet, &connection, &object).await,
            CheckImport(request) => self.check_import(*request).await,
            LoadImport(request) => self.load_import(*request).await,
            CancelImport => self.cancel_import(),
            UndoImport {
                run_id,
                overwrite_salesforce_edits,
            } => self.undo_import(run_id, overwrite_salesforce_edits).await,
            SaveImportTemplate {
                name,
                headers,
                mapping,
            } => self.save_import_template(name, headers, mapping).await,
            UndoRun {
                run_id,
                overwrite_salesforce_edits,
            } => self.undo_run(run_id, overwrite_salesforce_edits).await,

            OpenUrl { url } => {
                if (self.config.open_url)(&url) {
                    Ok(())
                } else {
                    anyhow::bail!(
                        "Tether could not open {url}: no browser or file handler answered. Open it by hand"
                    )
                }
            }
        }
    }
}

/// What the window shows when a request's handler panicked: a bug, not something the
/// person did. The panic hook has written the details to the log.
pub const PANICKED: &str = "Something went wrong inside Tether and this request stopped. The details are in logs/tether.log in Tether's data folder (Settings shows where); please report it with that file. Retrying may work";

/// Runs one request's work as its own task, watched by another, so that a panic in it is
/// answered with the request's failure rather than leaving the window waiting.
pub(super) fn spawn_answered(
    outbox: Outbox,
    topic: Topic,
    work: impl Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let task = tokio::spawn(work);
    tokio::spawn(async move {
        match task.await {
            Err(e) if e.is_panic() => {
                outbox.failed(topic, PANICKED);
            }
            // Cancelled only when the runtime shuts down: nobody is left to tell.
            Ok(()) | Err(_) => {}
        }
    })
}

/// Where a request's failure is shown.
pub fn topic_of(request: &Request) -> Topic {
    use Request::*;
    match request {
        Records(_) => Topic::Records,
        Query(_) => Topic::Query,
        Analytics(_) => Topic::Analytics,
        Setup(_) => Topic::Mapping,
        ListConnections
        | Connect { .. }
        | CancelConnect
        | ConnectSandbox
        | Reconnect { .. }
        | Disconnect { .. }
        | CheckConnection { .. } => Topic::Connections,
        ListLinks | DailyStats { .. } => Topic::Links,
        SyncNow { .. }
        | SyncAll
        | SyncAllowingDeletes { .. }
        | CancelSync { .. }
        | RetryErrors { .. }
        | SyncRecords { .. }
        | SyncNamedRecord { .. } => Topic::Sync,
        SetSchedule { .. } => Topic::Settings,
        ListObjects { .. }
        | DescribeObject { .. }
        | ExploreFields { .. }
        | ListLocalTables
        | ProposeTable { .. }
        | CreateTable { .. }
        | PreviewExpression { .. }
        | VerifyLink { .. }
        | SaveLink { .. }
        | DeleteLink { .. }
        | ExportLink { .. }
        | ImportLink { .. } => Topic::Mapping,
        RunsPage { .. } | RunDetail { .. } | UndoRun { .. } => Topic::History,
        ErrorsPage { .. } | ErrorGroups { .. } | ExportErrors { .. } | OpenUrl { .. } => {
            Topic::Errors
        }
        ListConflicts | ResolveConflicts { .. } => Topic::Conflicts,
        PreviewFile { .. }
        | ProposeImport { .. }
        | CheckImport(_)
        | LoadImport(_)
        | CancelImport
        | UndoImport { .. }
        | SaveImportTemplate { .. } => Topic::Import,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_whose_work_panics_is_answered_with_a_failure_naming_the_log() {
        let (service_end, window) = super::super::channels(Arc::new(|| {}));
        let answered = spawn_answered(service_end.outbox, Topic::Sync, async {
            panic!("a bug in a handler");
        });
        let _ = answered.await;
        match window.try_recv() {
            Ok(Event::Failed { topic, message }) => {
                assert_eq!(topic, Topic::Sync);
                assert!(message.contains("inside Tether"), "{message}");
                assert!(message.contains("logs/tether.log"), "{message}");
                assert!(message.contains("report"), "{message}");
            }
            other => panic!("expected the request's failure, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn work_that_ends_normally_adds_no_event() {
        let (service_end, window) = super::super::channels(Arc::new(|| {}));
        let answered = spawn_answered(service_end.outbox, Topic::Sync, async {});
        answered.await.expect("the supervising task ends");
        assert!(window.try_recv().is_err());
    }
}
