//! A run shows how far it got in every phase, and the card says it syncs while it does.

use crate::layout::{card, connection};
use crate::support::Scripted;
use egui_kittest::kittest::Queryable;
use tether::desktop::{Event, LinkCard, SyncProgress};
use tether::workspace::journal::RunStatus;

fn never_synced() -> LinkCard {
    LinkCard {
        last_run: None,
        open_conflicts: 0,
        open_errors: 0,
        ..card("contacts", RunStatus::Succeeded)
    }
}

fn progress(phase: &str, done: u64, total: Option<u64>, rate: f64, eta: Option<f64>) -> Event {
    Event::SyncProgress(SyncProgress {
        link: "contacts".into(),
        run_id: 9,
        phase: phase.into(),
        done,
        total,
        records_per_second: rate,
        eta_seconds: eta,
    })
}

#[test]
fn a_first_run_says_syncing_and_counts_reading_planning_and_writing() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![never_synced()]));
    app.wait_for_label("Never synced: press Sync Now");

    app.send(Event::SyncStarted {
        link: "contacts".into(),
        run_id: 9,
    });
    app.wait_for_label("Syncing… · first sync");
    assert!(
        app.harness
            .query_all_by_label_contains("Never synced")
            .next()
            .is_none(),
        "a running card never says it never synced"
    );
    app.harness.get_by_label_contains("Reading…");

    app.send(progress("Reading", 4_000, Some(22_533), 2_100.0, Some(8.8)));
    app.wait_for_label("Reading 4,000 / 22,533 · 2,100 rec/s · ETA 9 s");
    app.send(progress("Planning", 22_533, Some(22_533), 0.0, None));
    app.wait_for_label("Planning 22,533 / 22,533");
    app.send(progress("Writing locally", 500, Some(22_533), 0.0, None));
    app.wait_for_label("Writing locally 500 / 22,533");
    app.harness.get_by_label("Syncing… · first sync");
}
