//! The desktop service: everything the window asks for that touches the network, the
//! keychain or the workspace, run on its own thread with a tokio runtime.
//!
//! The window sends [`Request`]s and receives [`Event`]s; it never waits on either. The
//! service knows nothing of the window toolkit: it is woken by channels and wakes the window through a
//! callback the window passes in (the toolkit's repaint request).

mod access;
mod analytics;
mod background;
mod browse;
mod clients;
mod connections;
mod explorer;
mod fields;
mod history;
mod import;
mod importing;
mod links;
mod lock_wait;
mod mapping;
pub mod new_table;
pub mod protocol;
mod rate;
mod record_names;
mod records;
mod run_changes;
pub use run_changes::{ChangedRecord, RunChanges, SideCounts};
mod sandbox;
mod service;
mod setup;
mod starter;
mod undo_run;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

pub use analytics::{AnalyticsEvent, AnalyticsRequest};
pub use browse::record::{RecordEvent, RecordRequest, made_a_run};
pub use browse::{ObjectChoice, PageRequest, RecordsEvent, RecordsRequest};
pub use clients::NO_KEYCHAIN;
pub use explorer::{QueryEvent, QueryRequest};
pub use fields::{ExploredField, FieldAccess, PicklistValue, explored_fields};
pub use import::read_preview;
pub use importing::read_report;
pub use lock_wait::WAITING_FOR_LOCK;
pub use protocol::*;
pub use rate::RateMeter;
pub use sandbox::{DEMO_ACCOUNTS_LINK, SANDBOX_CONNECTION, demo_accounts_link};
pub use service::Service;
pub use setup::{SetupEvent, SetupRequest, SetupTarget};
pub use starter::{DemoLogin, SandboxStart, SandboxStarter, StartedSandbox};

use crate::connect::SecretStore;

/// Opens a URL in the user's browser; false when it could not.
pub type UrlOpener = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// What the service needs to know about its surroundings.
#[derive(Clone)]
pub struct DesktopConfig {
    /// Where connections are listed (`tether.db`) and logs are kept.
    pub data_dir: PathBuf,
    /// The workspace file: links, runs, errors, conflicts and the user's tables.
    pub workspace: PathBuf,
    /// The keychain; `None` when the system has none, which the Connections panel explains.
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// How a browser sign-in is shown to the user; tests sign in with a script instead.
    pub open_url: UrlOpener,
    /// Loopback port of the OAuth callback (must match the connected app's callback URL).
    pub callback_port: u16,
    /// How long a browser sign-in may take.
    pub sign_in_timeout: std::time::Duration,
    /// The built-in sandbox org, when the window offers it.
    pub sandbox: Option<SandboxOptions>,
}

/// How the built-in sandbox org starts.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Starts the org: the program passes it in, since the library does not link the org.
    pub starter: SandboxStarter,
    /// Its data file and seed size.
    pub start: SandboxStart,
    /// Connect to it as soon as the service starts (`tether demo`).
    pub connect_at_start: bool,
    /// Install the demo links into an empty workspace once connected.
    pub demo_links: bool,
}

/// The service's way back to the window: events plus a wake-up call.
#[derive(Clone)]
pub struct Outbox {
    events: mpsc::Sender<Event>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Outbox {
    /// Sends an event and wakes the window. False once the window is gone.
    pub fn send(&self, event: Event) -> bool {
        let delivered = self.events.send(event).is_ok();
        (self.wake)();
        delivered
    }

    pub fn failed(&self, topic: Topic, message: impl Into<String>) -> bool {
        self.send(Event::Failed {
            topic,
            message: message.into(),
        })
    }
}

/// The window's end: requests out, events in. Neither ever blocks.
pub struct WindowEnd {
    requests: tokio::sync::mpsc::UnboundedSender<Request>,
    events: mpsc::Receiver<Event>,
}

impl WindowEnd {
    /// False once the service has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.requests.send(request).is_ok()
    }

    /// The next waiting event, if any; `Err(Disconnected)` once the service has stopped.
    pub fn try_recv(&self) -> Result<Event, mpsc::TryRecvError> {
        self.events.try_recv()
    }
}

/// The service's end of the channel pair.
pub struct ServiceEnd {
    pub requests: tokio::sync::mpsc::UnboundedReceiver<Request>,
    pub outbox: Outbox,
}

/// Two linked ends; `wake` is called after every event.
pub fn channels(wake: Arc<dyn Fn() + Send + Sync>) -> (ServiceEnd, WindowEnd) {
    let (event_tx, event_rx) = mpsc::channel();
    let (request_tx, request_rx) = tokio::sync::mpsc::unbounded_channel();
    (
        ServiceEnd {
            requests: request_rx,
            outbox: Outbox {
                events: event_tx,
                wake,
            },
        },
        WindowEnd {
            requests: request_tx,
            events: event_rx,
        },
    )
}

/// Lowers the calling thread's scheduling priority, so that on a busy machine a large sync
/// waits for the window's frames rather than the other way round. Linux gives each thread its
/// own nice value; elsewhere this does nothing.
fn yield_to_the_window() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `setpriority` only reads its integer arguments; `who = 0` is the calling thread.
        let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
        if result != 0 {
            tracing::debug!(
                "cannot lower the background threads' priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// Starts the service on its own thread and returns the window's end at once.
pub fn start(
    config: DesktopConfig,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<WindowEnd> {
    let (service_end, window_end) = channels(wake);
    std::thread::Builder::new()
        .name("tether-service".to_string())
        .spawn(move || {
            yield_to_the_window();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("tether-worker")
                .on_thread_start(yield_to_the_window)
                .enable_all()
                .build();
            match runtime {
                Ok(runtime) => runtime.block_on(Service::new(config, service_end.outbox.clone()).serve(service_end.requests)),
                Err(e) => {
                    service_end.outbox.failed(
                        Topic::Connections,
                        format!("Tether could not start its background runtime ({e}). Close other programs to free memory, then restart Tether"),
                    );
                }
            }
        })?;
    Ok(window_end)
}
