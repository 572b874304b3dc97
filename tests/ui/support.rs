//! The real window with a scripted service: the test reads the requests the window sends and
//! answers with events, on the test's own thread.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tether::desktop::{Event, Request, ServiceEnd, channels};
use tether::ui::file_dialog::{FileQuestion, Picked, Picker};
use tether::ui::{About, Launch, Prefs, TetherApp};

pub struct Scripted {
    pub harness: Harness<'static, TetherApp>,
    service: ServiceEnd,
}

impl Scripted {
    /// The window, with default preferences, on a scripted service. File dialogs answer
    /// "cancelled", so a test never opens the system's.
    pub fn start() -> Scripted {
        Self::with_picker(Arc::new(|_: &FileQuestion| Picked::Cancelled))
    }

    /// The window, its file dialogs answered by `picker`.
    pub fn with_picker(picker: Picker) -> Scripted {
        let slot: Arc<Mutex<Option<ServiceEnd>>> = Arc::new(Mutex::new(None));
        let kept = slot.clone();
        let launch = Launch::with_starter(
            Box::new(move |wake| {
                let (service, window) = channels(wake);
                *kept.lock().expect("slot") = Some(service);
                Ok(window)
            }),
            About::default(),
        )
        .with_picker(picker);
        let harness = Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()));
        let service = slot
            .lock()
            .expect("slot")
            .take()
            .expect("the window started its service");
        Scripted { harness, service }
    }

    pub fn send(&mut self, event: Event) {
        self.service.outbox.send(event);
    }

    /// Every request the window has sent so far.
    pub fn requests(&mut self) -> Vec<Request> {
        let mut all = Vec::new();
        while let Ok(request) = self.service.requests.try_recv() {
            all.push(request);
        }
        all
    }

    /// Draws a few frames, so that events are applied and clicks land.
    pub fn frames(&mut self, n: usize) {
        for _ in 0..n {
            self.harness.step();
        }
    }

    /// Focuses the input known by `label`, then types into it.
    pub fn type_into(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).focus();
        self.frames(1);
        self.harness.get_by_label(label).type_text(text);
        self.frames(1);
    }

    /// A few more frames, so that areas sized from the previous frame (popups, modals) stop
    /// moving before anything is clicked.
    pub fn settle(&mut self) {
        self.frames(3);
    }

    /// Steps until `label` is on screen; panics with the labels seen when it never comes.
    pub fn wait_for_label(&mut self, label: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.harness.step();
            if self.harness.query_by_label(label).is_some() {
                self.settle();
                return;
            }
            assert!(Instant::now() < deadline, "`{label}` never appeared");
        }
    }
}
pub mod live;
