//! The desktop window. Only this module names egui and eframe.
//!
//! The UI thread never blocks: work runs on a background thread (a "backend") that sends
//! [`Event`]s over a channel and wakes the window; the window drains them with `try_recv`
//! and sends [`Command`]s back.

mod app;
mod format;
mod pages;
mod state;
mod theme;
mod widgets;

use std::sync::Arc;
use std::sync::mpsc;

pub use app::TetherApp;
pub use format::{group_thousands, relative_time};
pub use state::{Connection, ObjectCount, OrgSummary, OrgView, Page};

/// Title of the window while it shows the sandbox org.
pub const SANDBOX_TITLE: &str = "Tether — Sandbox org";
/// Title of the window without a connection.
pub const APP_TITLE: &str = "Tether";

/// What the background work tells the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Work is under way; the text says which step.
    Progress(String),
    Connected(OrgSummary),
    /// Record counts per object, in display order.
    Counts(Vec<ObjectCount>),
    /// Daily API requests used and allowed, from the org's `Sforce-Limit-Info`.
    ApiUsage {
        used: u64,
        max: u64,
    },
    /// The connection failed; the text says what happened and what to do.
    Failed(String),
}

/// What the window asks the background work to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Fetch the counts again (or sign in again after a failure).
    Refresh,
}

/// The background side of the channel pair.
pub struct BackendLink {
    events: mpsc::Sender<Event>,
    commands: tokio::sync::mpsc::UnboundedReceiver<Command>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl BackendLink {
    /// Sends an event and wakes the window. False once the window is gone.
    pub fn send(&self, event: Event) -> bool {
        let delivered = self.events.send(event).is_ok();
        (self.wake)();
        delivered
    }

    /// The next command; `None` once the window is gone.
    pub async fn next_command(&mut self) -> Option<Command> {
        self.commands.recv().await
    }
}

/// The window side of the channel pair.
pub struct WindowLink {
    pub(crate) events: mpsc::Receiver<Event>,
    pub(crate) commands: tokio::sync::mpsc::UnboundedSender<Command>,
}

/// Two linked ends; `wake` is called after every event (the window passes its repaint).
pub fn link(wake: Arc<dyn Fn() + Send + Sync>) -> (BackendLink, WindowLink) {
    let (event_tx, event_rx) = mpsc::channel();
    let (command_tx, command_rx) = tokio::sync::mpsc::unbounded_channel();
    (
        BackendLink {
            events: event_tx,
            commands: command_rx,
            wake,
        },
        WindowLink {
            events: event_rx,
            commands: command_tx,
        },
    )
}

/// Starts background work that talks to the window through the link, without blocking.
pub type Backend = Box<dyn FnOnce(BackendLink) + Send>;

/// How the window starts.
pub struct Launch {
    pub(crate) demo: Option<Backend>,
    pub(crate) start_demo: bool,
}

impl Launch {
    /// No connection yet; `demo`, when given, backs the "Explore the sandbox org" button.
    pub fn empty(demo: Option<Backend>) -> Launch {
        Launch {
            demo,
            start_demo: false,
        }
    }

    /// Connected to the sandbox org from the first frame.
    pub fn demo(backend: Backend) -> Launch {
        Launch {
            demo: Some(backend),
            start_demo: true,
        }
    }
}

/// Opens the window and returns when it is closed.
pub fn run(launch: Launch) -> Result<(), eframe::Error> {
    let title = if launch.start_demo {
        SANDBOX_TITLE
    } else {
        APP_TITLE
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("tether")
        .with_inner_size([1120.0, 720.0])
        .with_min_inner_size([760.0, 480.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/tether.png")) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "tether",
        options,
        Box::new(move |cc| Ok(Box::new(TetherApp::new(cc, launch)))),
    )
}

#[cfg(test)]
mod tests;
