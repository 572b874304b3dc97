//! Every intent of the window, as one typed enum. Widgets return commands; the app applies
//! them in one place per frame ([`super::TetherApp`]), so no widget reaches into far state.

use crate::desktop::Request;

use super::Page;
use super::panels::{conflicts, errors, history, import, mapping};
use super::prefs::ThemeChoice;

// A frame makes a handful of commands; boxing the large requests would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Shows a page of the navigation rail.
    Navigate(Page),
    /// Opens the command palette, or closes it when open (Ctrl+K).
    TogglePalette,
    ClosePalette,
    SetTheme(ThemeChoice),
    /// Hides a toast before it fades by itself.
    DismissToast(u64),
    /// Selects a link on the dashboard (Ctrl+Enter syncs the selected link).
    SelectLink(String),
    /// Opens the connect wizard on the Connections page.
    OpenConnectWizard,
    CloseConnectWizard,
    /// "Don't delete": puts away the question of a run stopped before a mass delete (the run
    /// stays recorded as needing confirmation).
    KeepRecords(String),
    /// Work for the desktop service; the app also notes what it now waits for.
    Send(Request),
    Mapping(mapping::MappingCommand),
    History(history::HistoryCommand),
    Errors(errors::ErrorsCommand),
    Conflicts(conflicts::ConflictsCommand),
    Import(import::ImportCommand),
}

/// Commands collected while a frame is drawn.
#[derive(Debug, Default)]
pub struct Commands(Vec<Command>);

impl Commands {
    pub fn push(&mut self, command: Command) {
        self.0.push(command);
    }

    pub fn send(&mut self, request: Request) {
        self.0.push(Command::Send(request));
    }

    pub fn take(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
