//! The real app driven through its accessibility tree, with a scripted backend.

use std::sync::{Arc, Mutex};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;

fn summary() -> OrgSummary {
    OrgSummary {
        org_name: "Acme Sandbox".into(),
        user_name: "Avery Admin".into(),
        username: "admin@acme.example".into(),
        instance_url: "http://127.0.0.1:4242".into(),
        api_version: "v62.0".into(),
        is_sandbox: true,
    }
}

fn counts(accounts: u64) -> Vec<ObjectCount> {
    vec![
        ObjectCount {
            label: "Accounts".into(),
            api_name: "Account".into(),
            count: Ok(accounts),
        },
        ObjectCount {
            label: "Leads".into(),
            api_name: "Lead".into(),
            count: Err("INVALID_TYPE".into()),
        },
    ]
}

/// A backend that answers at once from the calling thread and keeps its end of the link,
/// so the test can read the commands the window sent.
fn scripted_backend(kept: Arc<Mutex<Option<BackendLink>>>) -> Backend {
    Box::new(move |link: BackendLink| {
        link.send(Event::Progress("Signing in…".into()));
        link.send(Event::Connected(summary()));
        link.send(Event::ApiUsage {
            used: 1_234,
            max: 15_000,
        });
        link.send(Event::Counts(counts(1_204)));
        if let Ok(mut slot) = kept.lock() {
            *slot = Some(link);
        }
    })
}

fn harness(launch: Launch) -> Harness<'static, TetherApp> {
    Harness::builder()
        .with_size(egui::vec2(1120.0, 720.0))
        .build_eframe(move |cc| TetherApp::new(cc, launch))
}

#[test]
fn without_a_connection_the_empty_state_teaches_the_next_step() {
    let mut harness = harness(Launch::empty(None));
    harness.run();
    harness.get_by_label("No connections yet");
    harness.get_by_label("No org connected");
    harness.get_by_label("tether demo");
    assert!(
        harness.query_by_label("Explore the sandbox org").is_none(),
        "no button without a demo to start"
    );
    assert!(harness.state().org_view().is_none());
}

#[test]
fn exploring_the_sandbox_org_connects_and_shows_counts() {
    let kept = Arc::new(Mutex::new(None));
    let mut harness = harness(Launch::empty(Some(scripted_backend(kept.clone()))));
    harness.run();
    harness.get_by_label("Explore the sandbox org").click();
    harness.run();

    assert!(
        kept.lock().expect("lock").is_some(),
        "the click started the backend"
    );
    harness.get_by_label("Connected");
    harness.get_by_label("Sandbox");
    harness.get_by_label("1,204");
    harness.get_by_label("1,234 / 15,000");
    harness.get_by_label("Could not count");
    assert_eq!(
        harness.query_all_by_label("Acme Sandbox").count(),
        2,
        "org name in the top bar and the card"
    );
    assert!(harness.query_by_label("No connections yet").is_none());
}

#[test]
fn refresh_sends_one_command_and_shows_new_counts() {
    let kept = Arc::new(Mutex::new(None));
    let mut harness = harness(Launch::demo(scripted_backend(kept.clone())));
    harness.run();
    harness.get_by_label_contains("Refresh").click();
    harness.run_steps(2);

    let mut slot = kept.lock().expect("lock");
    let link = slot.as_mut().expect("backend started with the window");
    assert_eq!(link.commands.try_recv().ok(), Some(Command::Refresh));
    assert!(
        link.commands.try_recv().is_err(),
        "exactly one command per click"
    );
    assert!(harness.state().org_view().is_some_and(|v| v.refreshing));

    link.send(Event::Counts(counts(1_205)));
    drop(slot);
    harness.run();
    harness.get_by_label("1,205");
    assert!(harness.state().org_view().is_some_and(|v| !v.refreshing));
}

#[test]
fn a_failed_connection_says_what_to_do_and_offers_retry() {
    let backend: Backend = Box::new(|link: BackendLink| {
        link.send(Event::Failed(
            "Signing in failed: check the password".into(),
        ));
        std::mem::forget(link);
    });
    let mut harness = harness(Launch::demo(backend));
    harness.run();
    harness.get_by_label("Not connected");
    harness.get_by_label("Signing in failed: check the password");
    harness.get_by_label_contains("Retry");
}

#[test]
fn the_rail_switches_pages() {
    let mut harness = harness(Launch::empty(None));
    harness.run();
    for page in [
        Page::History,
        Page::Mappings,
        Page::Settings,
        Page::Dashboard,
    ] {
        harness
            .get_by_role_and_label(egui::Role::Button, page.title())
            .click();
        harness.run();
        assert_eq!(harness.state().page(), page);
    }
    harness
        .get_by_role_and_label(egui::Role::Button, "Errors")
        .click();
    harness.run();
    harness.get_by_label("Nothing in Errors yet");
}
