//! Frame times of the real window while it works: a script syncs every link, then walks the
//! pages and scrolls the long tables, and every frame's time (build, paint and swap, as eframe
//! measures it) is recorded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::Ui;

use super::command::Command;
use super::{Launch, Page, TetherApp};
use crate::desktop::Request;

/// How long the script runs.
#[derive(Debug, Clone)]
pub struct FramePlan {
    /// Frames measured at most.
    pub max_frames: usize,
    /// The script stops after this, synced or not.
    pub timeout: Duration,
    /// Frames spent on each page before the next.
    pub frames_per_page: usize,
}

#[derive(Debug, Clone, Default)]
pub struct FrameReport {
    /// Seconds per frame while a sync was running.
    pub during_sync: Vec<f32>,
    /// The same frames by the page they showed.
    pub by_page: Vec<(Page, f32)>,
    /// Seconds per frame otherwise.
    pub idle: Vec<f32>,
    /// Time from the first frame to the sync's end, when it ended.
    pub sync_seconds: Option<f64>,
    /// Pages the script showed.
    pub pages: Vec<Page>,
}

const TOUR: [Page; 5] = [
    Page::Dashboard,
    Page::History,
    Page::Errors,
    Page::Conflicts,
    Page::History,
];

struct BenchApp {
    app: TetherApp,
    plan: FramePlan,
    report: Arc<Mutex<FrameReport>>,
    started: Option<Instant>,
    sync_asked: bool,
    sync_seen: bool,
    frames: usize,
}

impl eframe::App for BenchApp {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let started = *self.started.get_or_insert_with(Instant::now);
        let syncing = !self.app.model.syncs.is_empty();
        if let (Some(seconds), true) = (frame.info().cpu_usage, self.sync_asked)
            && let Ok(mut report) = self.report.lock()
        {
            if syncing {
                report.during_sync.push(seconds);
                report.by_page.push((self.app.page(), seconds));
            } else {
                report.idle.push(seconds);
            }
        }
        if !self.sync_asked && !self.app.model.links.is_empty() {
            self.app.run_command(&ctx, Command::Send(Request::SyncAll));
            self.sync_asked = true;
        }
        self.sync_seen |= syncing;
        let finished = self.sync_seen && !syncing;
        if self.sync_asked {
            self.frames += 1;
            let page = TOUR[(self.frames / self.plan.frames_per_page.max(1)) % TOUR.len()];
            if self.app.page() != page {
                self.app.run_command(&ctx, Command::Navigate(page));
                if let Ok(mut report) = self.report.lock() {
                    report.pages.push(page);
                }
            }
        }
        self.app.ui(ui, frame);
        if finished
            && let Ok(mut report) = self.report.lock()
            && report.sync_seconds.is_none()
        {
            report.sync_seconds = Some(started.elapsed().as_secs_f64());
        }
        let done = self.frames >= self.plan.max_frames
            || finished
            || started.elapsed() > self.plan.timeout;
        if done {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint();
        }
    }

    /// Scrolls the long tables as a person with a mouse wheel would.
    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if matches!(self.app.page(), Page::History | Page::Errors) && self.sync_asked {
            raw_input
                .events
                .push(egui::Event::PointerMoved(egui::pos2(700.0, 450.0)));
            raw_input.events.push(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -240.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            });
        }
    }
}

/// Opens the window on `launch`, runs the script and returns the frame times.
pub fn measure(launch: Launch, plan: FramePlan) -> Result<FrameReport, eframe::Error> {
    let report = Arc::new(Mutex::new(FrameReport::default()));
    let shared = report.clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Tether — frame benchmark")
            .with_inner_size([1180.0, 760.0]),
        ..Default::default()
    };
    eframe::run_native(
        "tether-bench",
        options,
        Box::new(move |cc| {
            let app = TetherApp::with_prefs(&cc.egui_ctx, launch, super::Prefs::default());
            Ok(Box::new(BenchApp {
                app,
                plan,
                report: shared,
                started: None,
                sync_asked: false,
                sync_seen: false,
                frames: 0,
            }))
        }),
    )?;
    let result = report.lock().map(|r| r.clone()).unwrap_or_default();
    Ok(result)
}

/// Median and 99th percentile, in milliseconds.
pub fn percentiles(seconds: &[f32]) -> Option<(f64, f64)> {
    if seconds.is_empty() {
        return None;
    }
    let mut ms: Vec<f64> = seconds.iter().map(|s| f64::from(*s) * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    Some((at(0.5), at(0.99)))
}

#[cfg(test)]
mod tests {
    use super::percentiles;

    #[test]
    fn percentiles_pick_the_ranked_frames() {
        let frames: Vec<f32> = (1..=100).map(|ms| ms as f32 / 1000.0).collect();
        let (median, p99) = percentiles(&frames).unwrap();
        assert!((median - 51.0).abs() < 0.01, "{median}");
        assert!((p99 - 99.0).abs() < 0.01, "{p99}");
        assert_eq!(percentiles(&[]), None);
    }
}
