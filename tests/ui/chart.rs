//! The dashboard's 30-day chart: every day on the axis, empty ones empty, the y axis from 0, the
//! legend off the bars and toasts off the chart.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tether::desktop::{Event, Request, channels};
use tether::ui::{About, Launch, Page, Prefs, TetherApp};

use crate::layout::{self, SMALL};

/// The navigation rail's width: toasts stay over it.
const RAIL_WIDTH: f32 = 200.0;

/// Four toasts long enough to wrap, for the run that Sync all starts.
fn answer(request: Request) -> Vec<Event> {
    match request {
        Request::SyncAll => (1..=4)
            .map(|i| {
                Event::Notice(format!(
                    "Synced customers ({i}): 1,204 records updated in Salesforce, 3 created locally"
                ))
            })
            .collect(),
        other => layout::answer(other),
    }
}

fn window() -> Harness<'static, TetherApp> {
    let start = Box::new(move |wake| {
        let (mut service, window) = channels(wake);
        std::thread::spawn(move || {
            while let Some(request) = service.requests.blocking_recv() {
                for event in answer(request) {
                    service.outbox.send(event);
                }
            }
        });
        Ok(window)
    });
    let launch = Launch::with_starter(start, About::default());
    Harness::builder()
        .with_size(SMALL)
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()))
}

fn chart_rect(h: &Harness<'_, TetherApp>) -> egui::Rect {
    h.get_by_label_contains("Records per day:").rect()
}

#[test]
fn the_chart_shows_thirty_days_empty_ones_included_from_zero() {
    let mut h = window();
    layout::open(&mut h, Page::Dashboard);
    let chart = h.get_by_label_contains("Records per day:");
    let said = chart.accesskit_node().label().unwrap_or_default();
    // The scripted journal leaves out every day d with d % 4 == 1 of the last 30: 8 days.
    assert!(
        said.contains("30 days, 8 without records"),
        "the chart says: {said}"
    );
    assert!(said.contains("y axis from 0 to"), "the chart says: {said}");
    // The whole chart is in sight at 1024 × 700 without scrolling.
    let rect = chart.rect();
    assert!(
        rect.max.y <= SMALL.y && rect.min.y >= 0.0 && rect.height() > 100.0,
        "chart at {rect:?}"
    );
}

#[test]
fn the_legend_lies_off_the_bars() {
    let mut h = window();
    layout::open(&mut h, Page::Dashboard);
    let chart = chart_rect(&h);
    for name in ["Synced", "Failed"] {
        let legend = h.get_by_label(name).rect();
        assert!(
            !legend.intersects(chart),
            "legend `{name}` at {legend:?} lies on the plot at {chart:?}"
        );
    }
}

#[test]
fn toasts_never_cover_the_chart() {
    let mut h = window();
    layout::open(&mut h, Page::Dashboard);
    h.get_by_label("Sync all").click();
    layout::step_until(&mut h, "the toasts", |h| {
        h.query_all_by_label_contains("Synced customers (").count() == 4
    });
    let chart = chart_rect(&h);
    for toast in h.query_all_by_label_contains("Synced customers (") {
        let rect = toast.rect();
        assert!(
            rect.max.x <= RAIL_WIDTH,
            "toast at {rect:?} reaches past the navigation rail"
        );
        assert!(
            !rect.intersects(chart),
            "toast `{}` at {rect:?} covers the chart at {chart:?}",
            toast.accesskit_node().label().unwrap_or_default()
        );
    }
}

#[test]
fn sync_all_stays_clear_of_the_scroll_bar() {
    let mut h = window();
    layout::open(&mut h, Page::Dashboard);
    let button = h.get_by_label("Sync all").rect();
    let bar = h.ctx.global_style().spacing.scroll.bar_width;
    assert!(
        button.max.x <= SMALL.x - 24.0 - bar,
        "Sync all at {button:?} runs under the scroll bar ({bar} px) at the right edge"
    );
}

/// A sync that made today's bar taller than the axis drew it cut off at the top: the plot kept
/// the bounds of its first frame.
#[test]
fn the_y_axis_grows_when_a_sync_raises_todays_bar() {
    let start = Box::new(move |wake| {
        let (mut service, window) = channels(wake);
        std::thread::spawn(move || {
            while let Some(request) = service.requests.blocking_recv() {
                let events = match request {
                    Request::SyncAll => vec![Event::DailyStats(vec![tether::desktop::DayStats {
                        day: chrono::Utc::now().date_naive(),
                        synced: 40_000,
                        errors: 0,
                    }])],
                    other => layout::answer(other),
                };
                for event in events {
                    service.outbox.send(event);
                }
            }
        });
        Ok(window)
    });
    let launch = Launch::with_starter(start, About::default());
    let mut h = Harness::builder()
        .with_size(SMALL)
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()));
    layout::open(&mut h, Page::Dashboard);
    let before = h
        .get_by_label_contains("Records per day:")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    assert!(!before.contains("to 45,000"), "the chart says: {before}");
    h.get_by_label("Sync all").click();
    // The cards spin while the run goes, so the window never settles: step until the new
    // stats are drawn, a bounded number of frames.
    let mut after = String::new();
    for _ in 0..500 {
        h.step();
        after = h
            .get_by_label_contains("Records per day:")
            .accesskit_node()
            .label()
            .unwrap_or_default();
        if after.contains("45,000") {
            break;
        }
        std::thread::yield_now();
    }
    assert!(
        after.ends_with("y axis from 0 to 45,000"),
        "the axis reaches above today's 40,000 records: {after}"
    );
}
