//! The eframe application: drains events, draws the frame, turns clicks into commands.

use std::sync::Arc;
use std::time::Duration;

use egui::{Margin, Ui};

use super::pages::{self, Intents};
use super::state::{OrgView, Page};
use super::theme::{self, GRID};
use super::{Backend, Launch, SANDBOX_TITLE, link};

pub struct TetherApp {
    page: Page,
    org: Option<OrgView>,
    demo: Option<Backend>,
}

impl TetherApp {
    pub fn new(cc: &eframe::CreationContext<'_>, launch: Launch) -> TetherApp {
        Self::with_context(&cc.egui_ctx, launch)
    }

    /// Builds the app on a context; starts the demo backend at once when asked.
    pub fn with_context(ctx: &egui::Context, launch: Launch) -> TetherApp {
        theme::install(ctx);
        let mut app = TetherApp {
            page: Page::Dashboard,
            org: None,
            demo: launch.demo,
        };
        if launch.start_demo {
            app.start_demo(ctx);
        }
        app
    }

    fn start_demo(&mut self, ctx: &egui::Context) {
        let Some(backend) = self.demo.take() else {
            return;
        };
        let repaint_ctx = ctx.clone();
        let (backend_end, window_end) = link(Arc::new(move || repaint_ctx.request_repaint()));
        self.org = Some(OrgView::new(window_end));
        self.page = Page::Dashboard;
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(SANDBOX_TITLE.to_string()));
        backend(backend_end);
    }

    /// The page shown and the org view, for tests.
    pub fn page(&self) -> Page {
        self.page
    }

    pub fn org_view(&self) -> Option<&OrgView> {
        self.org.as_ref()
    }

    fn apply(&mut self, ctx: &egui::Context, intents: Intents) {
        if let Some(page) = intents.navigate {
            self.page = page;
        }
        if intents.refresh
            && let Some(org) = &mut self.org
        {
            org.request_refresh();
        }
        if intents.explore_sandbox {
            self.start_demo(ctx);
        }
    }
}

impl eframe::App for TetherApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        if let Some(org) = &mut self.org {
            org.drain_events();
        }
        let mut intents = Intents::default();

        let top_frame = pages::chrome_frame(ui, Margin::symmetric(16, 8));
        egui::Panel::top("top_bar")
            .frame(top_frame)
            .exact_size(7.0 * GRID)
            .show(ui, |ui| {
                pages::top_bar(ui, self.org.as_ref());
            });
        let rail_frame = pages::chrome_frame(ui, Margin::symmetric(8, 8));
        egui::Panel::left("nav_rail")
            .frame(rail_frame)
            .resizable(false)
            .exact_size(200.0)
            .show(ui, |ui| {
                pages::nav_rail(ui, self.page, &mut intents);
            });
        let content_frame = egui::Frame::central_panel(ui.style()).inner_margin(Margin::same(24));
        egui::CentralPanel::default()
            .frame(content_frame)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| match (self.page, &self.org) {
                        (Page::Dashboard, Some(org)) => pages::org_dashboard(ui, org, &mut intents),
                        (Page::Dashboard, None) => {
                            pages::no_connections(ui, self.demo.is_some(), &mut intents)
                        }
                        (page, _) => pages::placeholder(ui, page),
                    });
            });

        let ctx = ui.ctx().clone();
        self.apply(&ctx, intents);
        // "Updated 3 s ago" must keep counting without input.
        if self.org.as_ref().is_some_and(|o| o.refreshed_at.is_some()) {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }
}
