//! The real window on the real desktop service and the built-in sandbox org, driven through
//! its accessibility tree as a person would: connect, map a field by drag and drop and toggle
//! its direction, Sync Now, find the run in History, open one of its errors, resolve a
//! conflict, and use the command palette.

use std::path::Path;

use crate::support::live::{
    click, nav, org_client, wait_for, wait_for_containing, wait_until, window,
};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tether::sync::link::Direction;
use tether::ui::{Page, TetherApp};
use tether::workspace::Workspace;

pub(crate) fn type_into(harness: &mut Harness<'static, TetherApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
    harness.step();
}

fn center(harness: &Harness<'static, TetherApp>, label: &str) -> egui::Pos2 {
    harness.get_by_label(label).rect().center()
}

pub(crate) fn drag(harness: &mut Harness<'static, TetherApp>, from: &str, to: &str) {
    let start = center(harness, from);
    let end = center(harness, to);
    harness.hover_at(start);
    harness.step();
    harness.drag_at(start);
    harness.step();
    for i in 1..=6 {
        harness.hover_at(start + (end - start) * (i as f32 / 6.0));
        harness.step();
    }
    harness.drop_at(end);
    harness.step();
    harness.step();
}

/// The accessible name of a mapped field's direction toggle, e.g. "Direction of Industry: → Pull".
fn direction_shown(harness: &Harness<'static, TetherApp>, field: &str) -> String {
    ["→ Pull", "← Push", "⇄ Both"]
        .iter()
        .map(|word| format!("Direction of {field}: {word}"))
        .find(|label| harness.query_by_label(label).is_some())
        .unwrap_or_else(|| panic!("no direction toggle for {field}"))
}

pub(crate) fn sql(dir: &Path, statement: &str) {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn().execute_batch(statement).expect(statement);
}

pub(crate) fn count(dir: &Path, query: &str) -> i64 {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn().query_row(query, [], |r| r.get(0)).expect(query)
}

#[test]
fn a_person_connects_maps_syncs_and_follows_up_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 400, true, 900.0);

    // Connect: the built-in sandbox org, one click from the empty dashboard.
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");

    // Map a field by drag and drop, then toggle its direction, and save.
    sql(dir, "ALTER TABLE accounts ADD COLUMN rating TEXT");
    nav(&mut h, "Mappings");
    wait_for(&mut h, "Local column rating");
    type_into(&mut h, "Salesforce fields · Account", "Rating");
    type_into(&mut h, "Local columns · accounts", "rating");
    wait_for(&mut h, "Salesforce field Account Rating");
    drag(
        &mut h,
        "Salesforce field Account Rating",
        "Local column rating",
    );
    wait_for_containing(&mut h, "Direction of Account Rating");
    let toggle = direction_shown(&h, "Account Rating");
    h.get_by_label(&toggle).scroll_to_me();
    for _ in 0..3 {
        h.step();
    }
    h.get_by_label(&toggle).click();
    h.step();
    h.step();
    let toggled = direction_shown(&h, "Account Rating");
    assert_ne!(
        toggle, toggled,
        "the direction toggle changes the direction"
    );
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Save")
        .click();
    wait_until(&mut h, "the saved link", |_| {
        let ws = Workspace::open(&dir.join("workspace.sqlite")).unwrap();
        ws.link("Accounts")
            .map(|s| s.link.fields.iter().any(|f| f.remote == "Rating"))
            .unwrap_or(false)
    });
    let saved = Workspace::open(&dir.join("workspace.sqlite"))
        .unwrap()
        .link("Accounts")
        .unwrap()
        .link;
    let rating = saved.fields.iter().find(|f| f.remote == "Rating").unwrap();
    assert!(
        toggled.ends_with(match rating.direction {
            Direction::Pull => "Pull",
            Direction::Push => "Push",
            Direction::Both => "Both",
        }),
        "the saved direction is the one shown: {toggled} vs {:?}",
        rating.direction
    );

    // Sync Now from the dashboard card.
    nav(&mut h, "Dashboard");
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    let sync_now = h
        .query_all_by_label("Sync Now")
        .next()
        .unwrap()
        .rect()
        .center();
    h.hover_at(sync_now);
    h.step();
    h.get_all_by_label("Sync Now").next().unwrap().click();
    wait_for_containing(&mut h, "Account ⇄ accounts (Both):");
    assert!(
        count(dir, "SELECT count(*) FROM accounts") > 0,
        "the pull filled the table"
    );
    assert!(
        count(
            dir,
            "SELECT count(*) FROM tether_runs WHERE trigger = 'button' AND status = 'succeeded'"
        ) >= 1,
        "the click became a recorded run"
    );

    // A record Salesforce will refuse, and a phone changed on both sides.
    let ids: Vec<String> = {
        let ws = Workspace::open(&dir.join("workspace.sqlite")).unwrap();
        let mut statement = ws
            .conn()
            .prepare("SELECT sf_id FROM accounts ORDER BY sf_id LIMIT 2")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let (refused, disputed) = (&ids[0], &ids[1]);
    sql(
        dir,
        &format!(
            "UPDATE accounts SET phone = '{}' WHERE sf_id = '{refused}';
             UPDATE accounts SET phone = '555-0101' WHERE sf_id = '{disputed}';",
            "9".repeat(46)
        ),
    );
    let instance = h
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .map(|c| c.instance_url.clone())
        .expect("the sandbox org is connected");
    set_remote_phone(&instance, disputed, "555-0199");

    nav(&mut h, "Dashboard");
    h.get_all_by_label("Sync Now").next().unwrap().click();
    wait_until(&mut h, "the second run", |_| {
        count(
            dir,
            "SELECT count(*) FROM tether_runs WHERE trigger = 'button' AND status != 'running'",
        ) >= 2
    });
    assert_eq!(
        count(
            dir,
            "SELECT failed FROM tether_runs ORDER BY id DESC LIMIT 1"
        ),
        1,
        "the long phone was refused"
    );

    // The run in History, opened.
    nav(&mut h, "History");
    let run = count(dir, "SELECT max(id) FROM tether_runs");
    click(&mut h, &format!("Run #{run}"));
    wait_for(&mut h, "Timeline");
    wait_for(&mut h, "Processed");

    // One of its errors, opened: what happened, what to do, the payload sent.
    nav(&mut h, "Errors");
    wait_for_containing(&mut h, "STRING_TOO_LONG");
    wait_for_containing(&mut h, "data value too large");
    h.get_all_by_label_contains("data value too large")
        .next()
        .unwrap()
        .click();
    wait_for(&mut h, "Payload sent");
    wait_for(&mut h, "What to do");
    wait_for(&mut h, "Open in Salesforce");

    // The conflict, resolved for Salesforce's value.
    nav(&mut h, "Conflicts");
    let name: String = {
        let ws = Workspace::open(&dir.join("workspace.sqlite")).unwrap();
        ws.conn()
            .query_row(
                "SELECT name FROM accounts WHERE sf_id = ?1",
                [disputed],
                |r| r.get(0),
            )
            .unwrap()
    };
    let keep = format!("Keep Salesforce Phone of {name}");
    click(&mut h, &keep);
    wait_until(&mut h, "the conflict resolved", |_| {
        count(
            dir,
            "SELECT count(*) FROM tether_conflicts WHERE status = 'open'",
        ) == 0
    });
    assert_eq!(
        count(
            dir,
            "SELECT count(*) FROM tether_conflicts WHERE status != 'open'"
        ),
        1
    );

    // The command palette.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    wait_for(&mut h, "Command palette input");
    type_into(
        &mut h,
        "Command palette input",
        "show salesforce sync errors",
    );
    h.key_press(egui::Key::Enter);
    wait_until(&mut h, "the errors page", |h| {
        h.state().page() == Page::Errors
    });
}

/// Changes an Account's phone in the org, as a Salesforce user would.
pub(crate) fn set_remote_phone(instance: &str, id: &str, phone: &str) {
    let (runtime, client) = org_client(instance);
    runtime.block_on(async {
        let mut record = serde_json::Map::new();
        record.insert("Id".into(), id.into());
        record.insert("Phone".into(), phone.into());
        let results = client
            .update_many("Account", &[record], Default::default())
            .await
            .unwrap();
        assert!(results[0].success, "{results:?}");
    });
}
