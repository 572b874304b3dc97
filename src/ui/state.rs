//! What the window knows, updated only from events: no drawing here.

use std::time::SystemTime;

use super::{Command, Event, WindowLink};

/// Pages of the navigation rail, in order; Settings sits at the bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Dashboard,
    Connections,
    Mappings,
    History,
    Errors,
    Conflicts,
    Import,
    Settings,
}

impl Page {
    pub const MAIN: [Page; 7] = [
        Page::Dashboard,
        Page::Connections,
        Page::Mappings,
        Page::History,
        Page::Errors,
        Page::Conflicts,
        Page::Import,
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
            Page::Settings => "⚙",
        }
    }

    /// What the page will hold, shown until it exists.
    pub fn placeholder(self) -> &'static str {
        match self {
            Page::Dashboard => "Your links and their last runs will appear here.",
            Page::Connections => "Orgs you connect will be listed here, with their API budget.",
            Page::Mappings => "Map Salesforce fields to your own columns here.",
            Page::History => "Every sync run will be listed here.",
            Page::Errors => "Records Salesforce rejected will be listed here, with what to do.",
            Page::Conflicts => "Records changed on both sides will wait here for your choice.",
            Page::Import => "Import a CSV or spreadsheet into a mapped object here.",
            Page::Settings => "Theme, schedule and storage settings will live here.",
        }
    }
}

/// Who and where the window is connected to.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSummary {
    pub org_name: String,
    /// The user's display name, e.g. "Avery Admin".
    pub user_name: String,
    pub username: String,
    pub instance_url: String,
    pub api_version: String,
    pub is_sandbox: bool,
}

/// The number of records of one object, or why it could not be counted.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectCount {
    /// Plural label, e.g. "Accounts".
    pub label: String,
    /// API name, e.g. "Account".
    pub api_name: String,
    pub count: Result<u64, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// Under way: which step.
    Connecting(String),
    Connected(OrgSummary),
    /// What happened and what to do.
    Failed(String),
}

/// The window's view of one org connection, fed by its backend.
pub struct OrgView {
    link: WindowLink,
    pub connection: Connection,
    /// Kept across a failed refresh, so the numbers do not vanish.
    pub summary: Option<OrgSummary>,
    pub counts: Vec<ObjectCount>,
    pub refreshing: bool,
    pub api_usage: Option<(u64, u64)>,
    pub refreshed_at: Option<SystemTime>,
    /// False once the backend has gone away; commands are then pointless.
    pub backend_alive: bool,
}

impl OrgView {
    pub fn new(link: WindowLink) -> OrgView {
        OrgView {
            link,
            connection: Connection::Connecting("Starting…".to_string()),
            summary: None,
            counts: Vec::new(),
            refreshing: true,
            api_usage: None,
            refreshed_at: None,
            backend_alive: true,
        }
    }

    /// Applies every event waiting in the channel without blocking. True when any arrived.
    pub fn drain_events(&mut self) -> bool {
        let mut any = false;
        loop {
            match self.link.events.try_recv() {
                Ok(event) => {
                    self.apply(event);
                    any = true;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return any,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    if self.backend_alive && self.refreshing {
                        self.connection = Connection::Failed(
                            "The background connection stopped unexpectedly. Restart Tether; if it happens again, run it with RUST_LOG=debug and look at the log".to_string(),
                        );
                        self.refreshing = false;
                    }
                    self.backend_alive = false;
                    return any;
                }
            }
        }
    }

    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Progress(step) => {
                self.refreshing = true;
                if !matches!(self.connection, Connection::Connected(_)) {
                    self.connection = Connection::Connecting(step);
                }
            }
            Event::Connected(summary) => {
                self.summary = Some(summary.clone());
                self.connection = Connection::Connected(summary);
            }
            Event::Counts(counts) => {
                self.counts = counts;
                self.refreshing = false;
                self.refreshed_at = Some(SystemTime::now());
            }
            Event::ApiUsage { used, max } => self.api_usage = Some((used, max)),
            Event::Failed(message) => {
                self.connection = Connection::Failed(message);
                self.refreshing = false;
            }
        }
    }

    /// Asks for a refresh; ignored while one is running. True when it was sent.
    pub fn request_refresh(&mut self) -> bool {
        if self.refreshing || !self.backend_alive {
            return false;
        }
        if self.link.commands.send(Command::Refresh).is_err() {
            self.backend_alive = false;
            return false;
        }
        self.refreshing = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::ui::link;

    fn summary() -> OrgSummary {
        OrgSummary {
            org_name: "Org".into(),
            user_name: "Avery Admin".into(),
            username: "a@example".into(),
            instance_url: "http://127.0.0.1:1".into(),
            api_version: "v62.0".into(),
            is_sandbox: true,
        }
    }

    fn count(label: &str, n: u64) -> ObjectCount {
        ObjectCount {
            label: label.into(),
            api_name: label.trim_end_matches('s').into(),
            count: Ok(n),
        }
    }

    #[test]
    fn events_from_the_backend_reach_the_view_and_wake_it() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let (backend, window) = link(Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        let mut view = OrgView::new(window);
        assert!(!view.drain_events(), "nothing sent yet");

        assert!(backend.send(Event::Progress("Signing in…".into())));
        assert!(backend.send(Event::Connected(summary())));
        assert!(backend.send(Event::ApiUsage {
            used: 3,
            max: 15_000
        }));
        assert!(backend.send(Event::Counts(vec![count("Accounts", 300)])));
        assert_eq!(wakes.load(Ordering::SeqCst), 4);

        assert!(view.drain_events());
        assert_eq!(view.connection, Connection::Connected(summary()));
        assert_eq!(view.counts, vec![count("Accounts", 300)]);
        assert_eq!(view.api_usage, Some((3, 15_000)));
        assert!(!view.refreshing);
        assert!(view.refreshed_at.is_some());
    }

    #[test]
    fn refresh_is_sent_once_until_the_counts_come_back() {
        let (mut backend, window) = link(Arc::new(|| {}));
        let mut view = OrgView::new(window);
        view.apply(Event::Connected(summary()));
        view.apply(Event::Counts(vec![]));

        assert!(view.request_refresh());
        assert!(
            !view.request_refresh(),
            "a second click while refreshing sends nothing"
        );
        assert_eq!(backend.commands.try_recv().ok(), Some(Command::Refresh));
        assert!(backend.commands.try_recv().is_err());

        view.apply(Event::Counts(vec![count("Leads", 5)]));
        assert!(view.request_refresh());
    }

    #[test]
    fn progress_after_connecting_keeps_the_connection_shown() {
        let (_backend, window) = link(Arc::new(|| {}));
        let mut view = OrgView::new(window);
        view.apply(Event::Connected(summary()));
        view.apply(Event::Progress("Counting records…".into()));
        assert_eq!(view.connection, Connection::Connected(summary()));
        assert!(view.refreshing);
    }

    #[test]
    fn a_failure_stops_the_spinner_and_keeps_the_last_numbers() {
        let (_backend, window) = link(Arc::new(|| {}));
        let mut view = OrgView::new(window);
        view.apply(Event::Connected(summary()));
        view.apply(Event::Counts(vec![count("Accounts", 1)]));
        view.apply(Event::Progress("Counting records…".into()));
        view.apply(Event::Failed("cannot reach the org".into()));
        assert_eq!(
            view.connection,
            Connection::Failed("cannot reach the org".into())
        );
        assert!(!view.refreshing);
        assert_eq!(view.counts, vec![count("Accounts", 1)]);
        assert_eq!(view.summary, Some(summary()));
    }

    #[test]
    fn a_vanished_backend_is_reported_instead_of_spinning_forever() {
        let (backend, window) = link(Arc::new(|| {}));
        let mut view = OrgView::new(window);
        drop(backend);
        view.drain_events();
        assert!(matches!(view.connection, Connection::Failed(_)));
        assert!(!view.refreshing);
        assert!(!view.request_refresh());
    }
}
