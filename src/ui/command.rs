//! Every intent of the window, as one typed enum. Widgets return commands; the app applies
//! them in one place per frame ([`super::TetherApp`]), so no widget reaches into far state.
//! Work that answers later from another thread (a file dialog) posts its answer as a command
//! too, into the window's inbox ([`super::inbox`]), drained beside the service's events.

use crate::desktop::Request;

use super::Page;
use super::file_dialog::{FileFor, Picked};
use super::panels::{
    analytics, conflicts, errors, fields, history, import, mapping, query, records,
};
use super::prefs::ThemeChoice;

// A frame makes a handful of commands; boxing the large requests would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Shows a page of the navigation rail.
    Navigate(Page),
    /// Opens the command palette, or closes it when open (Ctrl+K).
    TogglePalette,
    /// Closes the command palette, keeping what was typed in its history.
    ClosePalette,
    /// Light, dark or the system's look, kept between launches.
    SetTheme(ThemeChoice),
    /// Hides a toast before it fades by itself.
    DismissToast(u64),
    /// Selects a link on the dashboard (Ctrl+Enter syncs the selected link).
    SelectLink(String),
    /// Opens the connect wizard on the Connections page.
    OpenConnectWizard,
    /// Closes the connect wizard without connecting.
    CloseConnectWizard,
    /// "Don't delete": puts away the question of a run stopped before a mass delete (the run
    /// stays recorded as needing confirmation).
    KeepRecords(String),
    /// Work for the desktop service; the app also notes what it now waits for.
    Send(Request),
    /// Opens a file dialog on a thread of its own, unless the page that asks (see
    /// [`FileFor::page`]) has one open already. Its buttons wait meanwhile
    /// ([`Model::dialog_open`](super::model::Model::dialog_open)).
    AskFile(FileFor),
    /// A file dialog's answer, posted to the inbox by the dialog's thread; the app turns it
    /// into the asking page's command ([`answered`]).
    FileChosen(FileFor, Picked),
    /// An intent of the mapping studio.
    Mapping(mapping::MappingCommand),
    /// An intent of the run history.
    History(history::HistoryCommand),
    /// An intent of the error browser.
    Errors(errors::ErrorsCommand),
    /// An intent of the conflicts page.
    Conflicts(conflicts::ConflictsCommand),
    /// An intent of the import wizard.
    Import(import::ImportCommand),
    /// An intent of the Records page.
    Records(records::RecordsCommand),
    /// An intent of the SOQL explorer.
    Query(query::QueryCommand),
    /// An intent of the Analytics page.
    Analytics(analytics::AnalyticsCommand),
    /// An intent of the field explorer.
    Fields(fields::FieldsCommand),
}

/// The command a dialog's answer means for the page that asked, if any: a path chosen opens,
/// saves or reads it; where no dialog can open, the page offers a typed path instead.
pub fn answered(what: FileFor, picked: Picked) -> Option<Command> {
    Some(match (what, picked) {
        (_, Picked::Cancelled) => return None,
        (FileFor::Spreadsheet, Picked::Path(path)) => {
            Command::Import(import::ImportCommand::Open(path))
        }
        (FileFor::Spreadsheet, Picked::Unavailable) => {
            Command::Import(import::ImportCommand::NoDialog)
        }
        (FileFor::ErrorsExport, Picked::Path(path)) => {
            Command::Errors(errors::ErrorsCommand::Export(path))
        }
        (FileFor::ErrorsExport, Picked::Unavailable) => {
            Command::Errors(errors::ErrorsCommand::TypeExportPath)
        }
        (FileFor::LinkExport(_), Picked::Path(path)) => {
            Command::Mapping(mapping::MappingCommand::ExportTo(path))
        }
        (FileFor::LinksImport, Picked::Path(path)) => {
            Command::Mapping(mapping::MappingCommand::ImportFrom(path))
        }
        (FileFor::LinkExport(name), Picked::Unavailable) => {
            Command::Mapping(mapping::MappingCommand::DialogUnavailable {
                export_as: Some(name),
            })
        }
        (FileFor::LinksImport, Picked::Unavailable) => {
            Command::Mapping(mapping::MappingCommand::DialogUnavailable { export_as: None })
        }
        (FileFor::QueryExport, Picked::Path(path)) => {
            Command::Query(query::QueryCommand::ExportTo(path))
        }
        (FileFor::QueryExport, Picked::Unavailable) => {
            Command::Query(query::QueryCommand::NoDialog)
        }
        (FileFor::ChartExport(_), Picked::Path(path)) => {
            Command::Analytics(analytics::AnalyticsCommand::Export(path))
        }
        (FileFor::ChartExport(_), Picked::Unavailable) => {
            Command::Analytics(analytics::AnalyticsCommand::TypeExportPath)
        }
    })
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
