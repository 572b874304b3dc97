//! A link card at 1024 px shortens a long title, never the direction's word after it.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tether::desktop::{Event, Request, channels};
use tether::ui::{About, Launch, Page, Prefs, TetherApp};
use tether::workspace::journal::RunStatus;

use crate::layout::{self, SMALL};

const LONG: &str = "customer_health_stakeholders_archive_2026";

fn window() -> Harness<'static, TetherApp> {
    let start = Box::new(move |wake| {
        let (mut service, window) = channels(wake);
        std::thread::spawn(move || {
            while let Some(request) = service.requests.blocking_recv() {
                let events = match request {
                    Request::ListLinks => {
                        let mut long = layout::card("stakeholders", RunStatus::Succeeded);
                        long.link.object = "OpportunityContactRole".into();
                        long.link.table = LONG.into();
                        vec![Event::Links(vec![
                            long,
                            layout::card("customers", RunStatus::Partial),
                            layout::card("prospects", RunStatus::Succeeded),
                        ])]
                    }
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
    Harness::builder()
        .with_size(SMALL)
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()))
}

#[test]
fn a_long_link_title_keeps_its_direction_word_in_sight() {
    let mut h = window();
    layout::open(&mut h, Page::Dashboard);
    let full = format!("OpportunityContactRole → {LONG} (Pull)");
    // The title keeps its whole text for assistive technology and on hover.
    let title = h.get_by_label(&full).rect();
    let cards = h.query_all_by_label("(Pull)").count();
    assert_eq!(cards, 3, "each card shows its direction's word");
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, SMALL);
    let word = h
        .query_all_by_label("(Pull)")
        .map(|n| n.rect())
        .find(|r| (r.center().y - title.center().y).abs() < 4.0 && r.min.x >= title.max.x - 1.0)
        .expect("the word beside the long title");
    assert!(
        window.contains_rect(word),
        "the word at {word:?} is outside the window"
    );
    let next = h
        .query_all_by_label_contains("Status of customers")
        .next()
        .map(|n| n.rect())
        .expect("the next card's light");
    assert!(
        word.max.x < next.min.x,
        "the word at {word:?} runs into the next card (its light at {next:?})"
    );
}
