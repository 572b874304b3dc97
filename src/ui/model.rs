//! What every page may read: connections, links, syncs under way, toasts and failures.
//! Updated only from service events and the app's own commands; no drawing here.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::desktop::{ConnectionView, DayStats, Event, LinkCard, Request, SyncProgress, Topic};
use crate::run::RunSummary;
use crate::workspace::journal::RunStatus;

use super::Page;
use super::file_dialog::FileFor;

/// How long a toast stays before it fades.
pub const TOAST_LIFETIME: Duration = Duration::from_secs(6);

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub error: bool,
    pub shown_at: Instant,
}

/// A sync the window asked for, from the click until its summary arrives.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncState {
    /// Asked for; the service has not started it yet.
    Starting,
    Running(SyncProgress),
}

#[derive(Default)]
pub struct Model {
    pub connections: Vec<ConnectionView>,
    pub connections_loaded: bool,
    /// The step of a browser sign-in under way.
    pub connecting: Option<String>,
    pub sign_in_url: Option<String>,
    pub links: Vec<LinkCard>,
    pub links_loaded: bool,
    pub selected_link: Option<String>,
    pub syncs: HashMap<String, SyncState>,
    /// The last finished run of each link in this session, for the card's summary line.
    pub finished: HashMap<String, RunSummary>,
    /// Links whose sync a person asked for and that have not finished yet: only their runs
    /// ask a question, a scheduled run never does.
    asked: HashSet<String>,
    /// Runs a person started that stopped before a mass delete, waiting for "Delete them" or
    /// "Don't delete".
    pub delete_questions: HashMap<String, RunSummary>,
    pub daily: Vec<DayStats>,
    pub toasts: Vec<Toast>,
    next_toast: u64,
    /// The last failure of each area, shown on its page until the next success there.
    pub failures: HashMap<Topic, String>,
    /// False once the service has stopped; the window then says so instead of waiting.
    pub service_gone: bool,
    /// File dialogs open, from the window's `AskFile` until their answer reaches the inbox.
    pub dialogs: Vec<FileFor>,
    /// The signed-in user's access per connection, as the service read it from the org.
    pub access: HashMap<String, crate::access::Access>,
}

impl Model {
    /// Whether `page` has a file dialog open; its buttons that open one wait meanwhile.
    pub fn dialog_open(&self, page: Page) -> bool {
        self.dialogs.iter().any(|d| d.page() == page)
    }

    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        self.next_toast += 1;
        self.toasts.push(Toast {
            id: self.next_toast,
            text: text.into(),
            error,
            shown_at: Instant::now(),
        });
    }

    pub fn dismiss(&mut self, id: u64) {
        self.toasts.retain(|t| t.id != id);
    }

    /// Drops toasts older than their lifetime; true while some remain (so the window keeps
    /// repainting to fade them).
    pub fn expire_toasts(&mut self, now: Instant) -> bool {
        self.toasts
            .retain(|t| now.duration_since(t.shown_at) < TOAST_LIFETIME);
        !self.toasts.is_empty()
    }

    pub fn connection(&self, name: &str) -> Option<&ConnectionView> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// Why `action` (on `object`) is not allowed on `connection`, when the role read from its
    /// org says so; `None` while the role is unknown, since the service checks again.
    pub fn refusal(
        &self,
        connection: &str,
        action: crate::access::Action,
        object: Option<&str>,
    ) -> Option<String> {
        let access = self.access.get(connection)?;
        access.check(action, object).err().map(|r| r.to_string())
    }

    /// [`Model::refusal`] for an action on a saved link's connection and object.
    pub fn link_refusal(&self, link: &str, action: crate::access::Action) -> Option<String> {
        let card = self.link(link)?;
        self.refusal(&card.link.connection, action, Some(&card.link.object))
    }

    pub fn link(&self, name: &str) -> Option<&LinkCard> {
        self.links.iter().find(|l| l.link.name == name)
    }

    pub fn is_syncing(&self, link: &str) -> bool {
        self.syncs.contains_key(link)
    }

    /// Notes what a request makes the window wait for, before it is sent.
    pub fn on_request(&mut self, request: &Request) {
        match request {
            Request::SyncNow { link } | Request::SyncAllowingDeletes { link } => {
                self.syncs.insert(link.clone(), SyncState::Starting);
                self.asked.insert(link.clone());
                self.delete_questions.remove(link);
            }
            Request::SyncAll => {
                for card in &self.links {
                    self.syncs
                        .entry(card.link.name.clone())
                        .or_insert(SyncState::Starting);
                    self.asked.insert(card.link.name.clone());
                }
            }
            Request::Connect { .. } | Request::ConnectSandbox | Request::Reconnect { .. } => {
                self.connecting = Some("Starting…".to_string());
                self.sign_in_url = None;
                self.failures.remove(&Topic::Connections);
            }
            Request::CancelConnect => {
                self.connecting = None;
                self.sign_in_url = None;
            }
            _ => {}
        }
    }

    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Failed { topic, message } => {
                if *topic == Topic::Connections {
                    self.connecting = None;
                }
                if *topic == Topic::Sync {
                    self.syncs
                        .retain(|_, state| !matches!(state, SyncState::Starting));
                    let syncs = &self.syncs;
                    self.asked.retain(|link| syncs.contains_key(link));
                }
                self.failures.insert(*topic, message.clone());
                self.toast(message.clone(), true);
            }
            Event::Notice(text) => self.toast(text.clone(), false),
            Event::Warning(text) => self.toast(text.clone(), true),
            Event::Connections(list) => {
                self.connections = list.clone();
                self.connections_loaded = true;
            }
            Event::ConnectionChecked(view) => self.upsert_connection(view.clone()),
            Event::ApiUsage {
                connection,
                used,
                max,
            } => {
                if let Some(view) = self.connections.iter_mut().find(|c| &c.name == connection) {
                    view.api_usage = Some((*used, *max));
                }
            }
            Event::ConnectProgress(step) => self.connecting = Some(step.clone()),
            Event::SignInUrl(url) => self.sign_in_url = Some(url.clone()),
            Event::Connected(view) => {
                self.connecting = None;
                self.sign_in_url = None;
                self.failures.remove(&Topic::Connections);
                // What failed for want of the connection is asked again now.
                self.failures.remove(&Topic::Mapping);
                // Another user may have signed in: the service tells the new role.
                self.access.remove(&view.name);
                self.upsert_connection(view.clone());
                self.toast(format!("Connected to {}", view.name), false);
            }
            Event::Access(access) => {
                self.access
                    .insert(access.connection.clone(), (**access).clone());
            }
            Event::Disconnected { name } => {
                self.access.remove(name);
                self.connections.retain(|c| &c.name != name);
                self.toast(format!("Disconnected {name}"), false);
            }
            Event::LinkDeleted { link } => {
                self.links.retain(|c| &c.link.name != link);
                if self.selected_link.as_ref() == Some(link) {
                    self.selected_link = self.links.first().map(|c| c.link.name.clone());
                }
                self.toast(format!("Deleted the link {link}"), false);
            }
            Event::Links(cards) => {
                self.links = cards.clone();
                self.links_loaded = true;
                if self
                    .selected_link
                    .as_ref()
                    .is_none_or(|s| self.link(s).is_none())
                {
                    self.selected_link = self.links.first().map(|c| c.link.name.clone());
                }
            }
            Event::SyncStarted { link, run_id } => {
                self.syncs.insert(
                    link.clone(),
                    SyncState::Running(SyncProgress {
                        link: link.clone(),
                        run_id: *run_id,
                        phase: "Reading".to_string(),
                        done: 0,
                        total: None,
                        records_per_second: 0.0,
                        eta_seconds: None,
                    }),
                );
            }
            Event::SyncProgress(progress) => {
                self.syncs
                    .insert(progress.link.clone(), SyncState::Running(progress.clone()));
            }
            Event::SyncFinished(summary) => {
                self.syncs.remove(&summary.link);
                self.failures.remove(&Topic::Sync);
                self.finished.insert(summary.link.clone(), summary.clone());
                let asked = self.asked.remove(&summary.link);
                if asked && summary.status == RunStatus::NeedsConfirmation {
                    self.delete_questions
                        .insert(summary.link.clone(), summary.clone());
                }
            }
            Event::SyncNotStarted { link, message } => {
                self.syncs.remove(link);
                self.asked.remove(link);
                self.toast(message.clone(), true);
            }
            Event::DailyStats(days) => self.daily = days.clone(),
            Event::Objects { .. }
            | Event::ObjectFields { .. }
            | Event::LocalTables(_)
            | Event::TableCreated(_) => {
                self.failures.remove(&Topic::Mapping);
            }
            Event::Conflicts(rows) => super::stale::count_conflicts(&mut self.links, rows),
            _ => {}
        }
    }

    fn upsert_connection(&mut self, view: ConnectionView) {
        match self.connections.iter_mut().find(|c| c.name == view.name) {
            Some(slot) => *slot = view,
            None => self.connections.push(view),
        }
    }

    /// The connection the top bar shows: the selected link's, else the first.
    pub fn current_connection(&self) -> Option<&ConnectionView> {
        self.selected_link
            .as_ref()
            .and_then(|l| self.link(l))
            .and_then(|card| self.connection(&card.link.connection))
            .or_else(|| self.connections.first())
    }
}
