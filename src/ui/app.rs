//! The eframe application: drains events, draws the frame, applies the frame's commands.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Key, KeyboardShortcut, Margin, Modifiers, Ui};

use super::command::{self, Command, Commands};
use super::file_dialog::{self, Picker};
use super::inbox::Inbox;
use super::model::{Model, SyncState};
use super::panels::{
    analytics, conflicts, connections, dashboard, errors, fields, history, import, mapping,
    palette, query, records, settings,
};
use super::prefs::Prefs;
use super::theme::{self, GRID};
use super::{About, Launch, Page, chrome};
use crate::desktop::{Request, WindowEnd};

pub const PALETTE_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::K);
pub const SYNC_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);

pub struct TetherApp {
    service: Option<WindowEnd>,
    /// Commands posted from other threads (file dialogs' answers).
    inbox: Inbox,
    /// Answers file dialogs: the system's, or a scripted one in tests.
    picker: Picker,
    pub(crate) model: Model,
    page: Page,
    prefs: Prefs,
    about: About,
    palette: Option<palette::PaletteState>,
    connections: connections::ConnectionsState,
    mapping: mapping::MappingState,
    history: history::HistoryState,
    errors: errors::ErrorsState,
    conflicts: conflicts::ConflictsState,
    import: import::ImportState,
    records: records::RecordsState,
    query: query::QueryState,
    analytics: analytics::AnalyticsState,
    settings: settings::SettingsState,
    fields: fields::FieldsState,
    first_frame_logged: bool,
}

impl TetherApp {
    pub fn new(cc: &eframe::CreationContext<'_>, launch: Launch) -> TetherApp {
        let prefs = Prefs::load(cc.storage);
        Self::with_prefs(&cc.egui_ctx, launch, prefs)
    }

    /// Builds the app on a context and starts its service.
    pub fn with_prefs(ctx: &egui::Context, launch: Launch, prefs: Prefs) -> TetherApp {
        theme::install(ctx);
        prefs.apply_theme(ctx);
        let repaint_ctx = ctx.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || repaint_ctx.request_repaint());
        let mut model = Model::default();
        let service = match (launch.start)(wake) {
            Ok(service) => Some(service),
            Err(e) => {
                model.service_gone = true;
                model.toast(
                    format!("Tether could not start its background worker ({e}). Restart Tether; if it happens again, free some memory first"),
                    true,
                );
                None
            }
        };
        let mut app = TetherApp {
            service,
            inbox: Inbox::default(),
            picker: launch.picker,
            model,
            page: prefs.last_page,
            prefs,
            about: launch.about,
            palette: None,
            connections: Default::default(),
            mapping: Default::default(),
            history: Default::default(),
            errors: Default::default(),
            conflicts: Default::default(),
            import: Default::default(),
            records: Default::default(),
            query: Default::default(),
            analytics: Default::default(),
            settings: Default::default(),
            fields: Default::default(),
            first_frame_logged: false,
        };
        app.records.list.remembered = app.prefs.records_objects.clone();
        for request in [
            Request::ListConnections,
            Request::ListLinks,
            Request::DailyStats { days: 30 },
        ] {
            app.send(request);
        }
        app
    }

    pub fn page(&self) -> Page {
        self.page
    }

    /// Posts `command` to the window's inbox, as another thread would: it is applied on the
    /// next frame.
    pub fn post(&self, ctx: &egui::Context, command: Command) {
        self.inbox.postbox(ctx).post(command);
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The Records page's state: the list and the record open over it.
    pub fn records(&self) -> &records::RecordsState {
        &self.records
    }

    fn send(&mut self, request: Request) {
        self.model.on_request(&request);
        let sent = self.service.as_ref().is_some_and(|s| s.send(request));
        if !sent {
            self.service_lost();
        }
    }

    fn service_lost(&mut self) {
        if !self.model.service_gone {
            self.model.service_gone = true;
            self.model.toast(
                "Tether's background worker stopped. Restart Tether; if it happens again, run it with RUST_LOG=debug and look at the log",
                true,
            );
        }
    }

    /// Applies everything that arrived since the last frame, without blocking: the
    /// service's events, then the commands posted to the inbox.
    fn drain_inbox(&mut self, ctx: &egui::Context) {
        self.drain_events();
        for command in self.inbox.drain() {
            self.apply(ctx, command);
        }
    }

    /// Applies every waiting event without blocking.
    fn drain_events(&mut self) {
        let Some(service) = &self.service else {
            return;
        };
        let mut events = Vec::new();
        let mut lost = false;
        loop {
            match service.try_recv() {
                Ok(event) => events.push(event),
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    lost = true;
                    break;
                }
            }
        }
        for event in events {
            let refresh = matches!(
                event,
                crate::desktop::Event::SyncFinished(_)
                    | crate::desktop::Event::RunUndone(_)
                    | crate::desktop::Event::LinkSaved { .. }
                    | crate::desktop::Event::LinkDeleted { .. }
            );
            log_milestone(&event, self.model.links_loaded);
            self.model.on_event(&event);
            self.connections.on_event(&event);
            self.mapping.on_event(&event);
            self.history.on_event(&event);
            self.errors.on_event(&event);
            self.conflicts.on_event(&event);
            self.import.on_event(&event);
            self.records.on_event(&event);
            self.query.on_event(&event);
            self.analytics.on_event(&event);
            self.settings.on_event(&event);
            self.fields.on_event(&event);
            if refresh {
                self.send(Request::ListLinks);
                self.send(Request::DailyStats { days: 30 });
            }
            if let crate::desktop::Event::Connected(view) = &event {
                // The gauge and the status want a check, which the sign-in did not do.
                self.send(Request::CheckConnection {
                    name: view.name.clone(),
                });
                self.send(Request::ListLinks);
            }
        }
        if lost {
            self.service_lost();
        }
    }

    /// Applies a command from outside the frame (benchmark scripts).
    pub(crate) fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        self.apply(ctx, command);
    }

    /// Applies one command: the only place the frame's intents change state.
    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let mut requests = Vec::new();
        match command {
            Command::Navigate(page) => {
                self.page = page;
                self.prefs.last_page = page;
                self.palette = None;
            }
            Command::TogglePalette => {
                self.palette = match self.palette.take() {
                    Some(_) => None,
                    None => Some(palette::PaletteState::new(&self.prefs.palette_history)),
                }
            }
            Command::ClosePalette => {
                if let Some(palette) = self.palette.take() {
                    self.prefs.palette_history = palette.history;
                }
            }
            Command::SetTheme(choice) => {
                self.prefs.theme = choice;
                self.prefs.apply_theme(ctx);
            }
            Command::DismissToast(id) => self.model.dismiss(id),
            Command::SelectLink(name) => self.model.selected_link = Some(name),
            Command::OpenConnectWizard => {
                self.page = Page::Connections;
                self.connections.open_wizard();
            }
            Command::CloseConnectWizard => self.connections.close_wizard(),
            Command::KeepRecords(link) => {
                self.model.delete_questions.remove(&link);
            }
            Command::Send(request) => requests.push(request),
            Command::AskFile(what) => self.ask_file(ctx, what),
            Command::FileChosen(what, picked) => {
                self.model.dialogs.retain(|open| *open != what);
                if let Some(next) = command::answered(what, picked) {
                    self.apply(ctx, next);
                }
            }
            Command::Mapping(c) => self.mapping.apply(c, &mut requests),
            Command::History(c) => self.history.apply(c, &mut requests),
            Command::Errors(c) => self.errors.apply(c, &mut requests),
            Command::Conflicts(c) => self.conflicts.apply(c, &mut requests),
            Command::Import(c) => self.import.apply(c, &mut requests),
            Command::Records(c) => {
                if matches!(
                    c,
                    records::RecordsCommand::Open { .. } | records::RecordsCommand::New { .. }
                ) {
                    self.page = Page::Records;
                }
                self.records.apply(c, &mut requests);
                self.prefs.records_objects = self.records.list.remembered.clone();
            }
            Command::Query(c) => self.query.apply(c, &mut requests),
            Command::Analytics(c) => self.analytics.apply(c, &mut requests),
            Command::Fields(c) => self.fields.apply(c, &mut requests),
        }
        for request in requests {
            self.send(request);
        }
    }

    /// Opens a dialog whose answer comes back through the inbox.
    fn ask_file(&mut self, ctx: &egui::Context, what: file_dialog::FileFor) {
        if self.model.dialog_open(what.page()) {
            return;
        }
        self.model.dialogs.push(what.clone());
        let postbox = self.inbox.postbox(ctx);
        let question = what.question();
        file_dialog::ask(self.picker.clone(), question, move |picked| {
            postbox.post(Command::FileChosen(what, picked));
        });
    }

    fn shortcuts(&self, ctx: &egui::Context, commands: &mut Commands) {
        // Ctrl+Enter in a text field belongs to the field (the SOQL editor runs its statement).
        let typing = ctx.egui_wants_keyboard_input();
        ctx.input_mut(|input| {
            if input.consume_shortcut(&PALETTE_SHORTCUT) {
                commands.push(Command::TogglePalette);
            }
            if self.palette.is_none()
                && !typing
                && input.consume_shortcut(&SYNC_SHORTCUT)
                && let Some(link) = &self.model.selected_link
                && !self.model.is_syncing(link)
            {
                commands.send(Request::SyncNow { link: link.clone() });
            }
            if self.palette.is_some() && input.consume_key(Modifiers::NONE, Key::Escape) {
                commands.push(Command::ClosePalette);
            }
            for file in &input.raw.dropped_files {
                commands.push(Command::Navigate(Page::Import));
                commands.push(Command::Import(import::ImportCommand::Open(
                    file.path().to_path_buf(),
                )));
            }
        });
    }

    fn log_first_frame(&mut self) {
        if !self.first_frame_logged {
            self.first_frame_logged = true;
            let since_start = crate::process_age();
            tracing::info!("first frame after {} ms", since_start.as_millis());
        }
    }
}

/// What scripts and people watching the log wait for.
fn log_milestone(event: &crate::desktop::Event, links_loaded: bool) {
    use crate::desktop::Event;
    match event {
        Event::Links(cards) if !links_loaded || !cards.is_empty() => {
            tracing::info!("the dashboard shows {} links", cards.len());
        }
        Event::SyncFinished(summary) => tracing::info!(
            "run {} of {} finished: {}",
            summary.run_id,
            summary.link,
            summary.status.as_str()
        ),
        Event::Failed { topic, message } => tracing::warn!("{topic:?}: {message}"),
        _ => {}
    }
}

impl eframe::App for TetherApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.log_first_frame();
        let ctx = ui.ctx().clone();
        self.drain_inbox(&ctx);
        let mut commands = Commands::default();
        self.shortcuts(&ctx, &mut commands);

        let top_frame = chrome::chrome_frame(ui, Margin::symmetric(16, 8));
        egui::Panel::top("top_bar")
            .frame(top_frame)
            .exact_size(7.0 * GRID)
            .show(ui, |ui| chrome::top_bar(ui, &self.model, &mut commands));
        let rail_frame = chrome::chrome_frame(ui, Margin::symmetric(8, 8));
        egui::Panel::left("nav_rail")
            .frame(rail_frame)
            .resizable(false)
            .exact_size(200.0)
            .show(ui, |ui| {
                chrome::nav_rail(ui, self.page, &self.model, &mut commands)
            });
        let content_frame = egui::Frame::central_panel(ui.style()).inner_margin(Margin::same(24));
        egui::CentralPanel::default()
            .frame(content_frame)
            .show(ui, |ui| match self.page {
                Page::Dashboard => dashboard::show(ui, &self.model, &mut commands),
                Page::Connections => {
                    connections::show(ui, &mut self.connections, &self.model, &mut commands)
                }
                Page::Mappings => mapping::show(ui, &mut self.mapping, &self.model, &mut commands),
                Page::History => history::show(ui, &mut self.history, &self.model, &mut commands),
                Page::Errors => errors::show(ui, &mut self.errors, &self.model, &mut commands),
                Page::Conflicts => {
                    conflicts::show(ui, &mut self.conflicts, &self.model, &mut commands)
                }
                Page::Import => import::show(ui, &mut self.import, &self.model, &mut commands),
                Page::Records => records::show(ui, &mut self.records, &self.model, &mut commands),
                Page::Query => query::show(ui, &mut self.query, &self.model, &mut commands),
                Page::Analytics => {
                    analytics::show(ui, &mut self.analytics, &self.model, &mut commands)
                }
                Page::Settings => settings::show(
                    ui,
                    &mut self.settings,
                    &self.prefs,
                    &self.about,
                    &self.model,
                    &mut commands,
                ),
            });
        fields::show(&ctx, &mut self.fields, &self.model, &mut commands);
        if let Some(palette) = &mut self.palette {
            palette::show(&ctx, palette, &self.model, &mut commands);
        }
        chrome::toasts(&ctx, &self.model, &mut commands);

        for command in commands.take() {
            self.apply(&ctx, command);
        }
        if self.model.expire_toasts(Instant::now())
            || self
                .model
                .syncs
                .values()
                .any(|s| matches!(s, SyncState::Running(_)))
        {
            ctx.request_repaint_after(Duration::from_millis(250));
        } else {
            // "Last sync 3 min ago" keeps counting without input.
            ctx.request_repaint_after(Duration::from_secs(30));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.prefs.save(storage);
    }
}
