//! The desktop window. Only this module names egui and eframe.
//!
//! The UI thread never blocks: the desktop service ([`crate::desktop`]) runs on its own
//! thread, receives [`Request`](crate::desktop::Request)s, and sends
//! [`Event`](crate::desktop::Event)s back, waking the window with `request_repaint`. The window
//! drains them with `try_recv` at the start of each frame, with the commands other threads
//! posted to its one inbox (file dialogs' answers), draws, and applies the frame's
//! [`Command`]s in one place.

mod app;
mod chrome;
pub mod code_words;
pub mod command;
mod direction;
mod environment;
pub mod file_dialog;
mod fit;
mod format;
pub mod frame_bench;
mod inbox;
pub mod model;
pub mod panels;
mod prefs;
mod stale;
mod theme;
mod widgets;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use app::TetherApp;
pub use command::Command;
pub use format::{group_thousands, relative_time};
pub use prefs::{Prefs, ThemeChoice};

use crate::desktop::{DesktopConfig, WindowEnd};

/// Title of the window.
pub const APP_TITLE: &str = "Tether";
/// Title of the window of `tether demo`.
pub const SANDBOX_TITLE: &str = "Tether — Sandbox org";

/// Pages of the navigation rail, in order; Settings sits at the bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Page {
    Dashboard,
    Connections,
    Mappings,
    History,
    Errors,
    Conflicts,
    Import,
    Records,
    Query,
    Analytics,
    Settings,
}

impl Page {
    pub const MAIN: [Page; 10] = [
        Page::Dashboard,
        Page::Connections,
        Page::Mappings,
        Page::History,
        Page::Errors,
        Page::Conflicts,
        Page::Import,
        Page::Records,
        Page::Query,
        Page::Analytics,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Page::Dashboard => "Dashboard",
            Page::Connections => "Connections",
            Page::Mappings => "Mappings",
            Page::History => "History",
            Page::Errors => "Errors",
            Page::Conflicts => "Conflicts",
            Page::Import => "Import",
            Page::Records => "Records",
            Page::Query => "SOQL",
            Page::Analytics => "Analytics",
            Page::Settings => "Settings",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            Page::Dashboard => "🏠",
            Page::Connections => "🔌",
            Page::Mappings => "🔀",
            Page::History => "🕘",
            Page::Errors => "⚠",
            Page::Conflicts => "⚡",
            Page::Import => "📥",
            Page::Records => "📄",
            Page::Query => "🔍",
            Page::Analytics => "📈",
            Page::Settings => "⚙",
        }
    }
}

/// Connects the window to its service once the window can be woken.
pub type Starter = Box<dyn FnOnce(Arc<dyn Fn() + Send + Sync>) -> std::io::Result<WindowEnd>>;

/// How the window starts.
pub struct Launch {
    pub(crate) start: Starter,
    pub(crate) title: &'static str,
    /// Facts the Settings page shows (data folder, log file, workspace).
    pub(crate) about: About,
    pub(crate) picker: file_dialog::Picker,
}

/// Where things live, for the Settings page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct About {
    pub data_dir: std::path::PathBuf,
    pub workspace: std::path::PathBuf,
    pub log_file: Option<std::path::PathBuf>,
}

impl Launch {
    /// The real service on its own thread.
    pub fn service(
        config: DesktopConfig,
        title: &'static str,
        log_file: Option<std::path::PathBuf>,
    ) -> Launch {
        let about = About {
            data_dir: config.data_dir.clone(),
            workspace: config.workspace.clone(),
            log_file,
        };
        Launch {
            start: Box::new(move |wake| crate::desktop::start(config, wake)),
            title,
            about,
            picker: file_dialog::system_picker(),
        }
    }

    /// Any starter, e.g. a scripted service in tests.
    pub fn with_starter(start: Starter, about: About) -> Launch {
        Launch {
            start,
            title: APP_TITLE,
            about,
            picker: file_dialog::system_picker(),
        }
    }

    /// Answers file dialogs with `picker` instead of the system's, e.g. a scripted one.
    pub fn with_picker(mut self, picker: file_dialog::Picker) -> Launch {
        self.picker = picker;
        self
    }
}

/// Opens the window and returns when it is closed.
pub fn run(launch: Launch) -> Result<(), eframe::Error> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(launch.title)
        .with_app_id("tether")
        .with_inner_size([1180.0, 760.0])
        .with_min_inner_size([1024.0, 700.0])
        .with_drag_and_drop(true);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/tether.png")) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "tether",
        options,
        Box::new(move |cc| Ok(Box::new(TetherApp::new(cc, launch)))),
    )
}
