//! Local tables stay current in the New link form: tables another program makes while the
//! window is open appear, the object picker filters as one types, and the form can make the
//! local table from the chosen object's fields, on the real service and the sandbox org.

use std::path::Path;
use std::time::Instant;

use crate::support::live::{DEADLINE, click, nav, wait_for, wait_until, window};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tether::ui::TetherApp;

/// Another program writing to the workspace file, as a user's script or a DB browser would.
fn other_program(dir: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(dir.join("workspace.sqlite")).expect("workspace file");
    conn.execute_batch(statement).expect(statement);
}

/// Whether the New link form's table picker offers `table`; the picker is closed again after.
fn table_offered(h: &mut Harness<'static, TetherApp>, table: &str) -> bool {
    h.get_by_role_and_label(Role::ComboBox, "Local table")
        .click();
    for _ in 0..3 {
        h.step();
    }
    let offered = h.query_by_label(table).is_some();
    h.key_press(egui::Key::Escape);
    for _ in 0..3 {
        h.step();
    }
    offered
}

/// Whether the picker offers `table` once the service has answered, within the deadline.
fn offered_soon(h: &mut Harness<'static, TetherApp>, table: &str) -> bool {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        if table_offered(h, table) {
            return true;
        }
    }
    false
}

/// The sandbox org connected, and the New link form open.
fn new_link_form(dir: &Path) -> Harness<'static, TetherApp> {
    let mut h = window(dir, 50, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    nav(&mut h, "Mappings");
    wait_for(&mut h, "Local columns · accounts");
    h
}

fn open_form(h: &mut Harness<'static, TetherApp>) {
    h.get_by_role_and_label(Role::ComboBox, "Link").click();
    for _ in 0..3 {
        h.step();
    }
    click(h, "New link…");
    wait_for(h, "Local table");
}

#[test]
fn a_table_made_while_the_window_runs_was_missing_from_the_new_link_form() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = new_link_form(dir);

    // The studio has read the tables once; another program now makes one.
    other_program(
        dir,
        "CREATE TABLE field_visits (id INTEGER PRIMARY KEY, sf_id TEXT, note TEXT)",
    );
    open_form(&mut h);
    assert!(
        offered_soon(&mut h, "field_visits"),
        "a table made after the window read the tables is offered once the form opens"
    );

    // With the form open, Refresh reads them again.
    other_program(
        dir,
        "CREATE TABLE site_audits (id INTEGER PRIMARY KEY, sf_id TEXT)",
    );
    assert!(!table_offered(&mut h, "site_audits"), "not read yet");
    click(&mut h, "Refresh");
    assert!(
        offered_soon(&mut h, "site_audits"),
        "Refresh shows a table made while the form was open"
    );
}

#[test]
fn the_object_picker_filters_by_label_or_api_name_as_one_types() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = new_link_form(dir.path());
    open_form(&mut h);
    wait_until(&mut h, "the org's objects", |h| {
        h.query_by_role_and_label(Role::ComboBox, "Salesforce object")
            .is_some()
    });
    h.get_by_role_and_label(Role::ComboBox, "Salesforce object")
        .click();
    wait_for(&mut h, "Account (Account)");
    let search = h.get_by_label("Search objects");
    assert!(search.is_focused(), "the search box takes the keyboard");
    let before = search.rect();
    assert!(h.query_by_label("Contact (Contact)").is_some());

    // Part of an API name, in any case: only the objects it names stay.
    search.type_text("LINEITEM");
    wait_until(&mut h, "the list to filter", |h| {
        h.query_by_label("Account (Account)").is_none()
    });
    let left: Vec<String> = h
        .query_all_by_label_contains(" (")
        .filter_map(|n| {
            use egui_kittest::kittest::NodeT;
            n.accesskit_node().label()
        })
        .filter(|l| l.ends_with(')'))
        .collect();
    assert!(
        left.iter().any(|l| l.ends_with("(OpportunityLineItem)")),
        "{left:?}"
    );
    assert!(
        left.iter().all(|l| l.to_lowercase().contains("lineitem")),
        "only matches stay: {left:?}"
    );
    assert_eq!(
        h.get_by_label("Search objects").rect(),
        before,
        "the search box keeps its place"
    );

    // Part of a label; Enter picks the first match and closes the list.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label("Search objects").type_text("contac");
    wait_until(&mut h, "contacts only", |h| {
        h.query_by_label("Contact (Contact)").is_some()
            && h.query_by_label_contains("(OpportunityLineItem)").is_none()
    });
    h.key_press(egui::Key::Enter);
    wait_until(&mut h, "the list to close", |h| {
        h.query_by_label("Search objects").is_none()
    });
    assert_eq!(
        h.get_by_role_and_label(Role::ComboBox, "Salesforce object")
            .value()
            .as_deref(),
        Some("Contact (Contact)"),
        "Enter chose the first match"
    );
}

fn count(dir: &Path, query: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("workspace.sqlite")).expect("workspace file");
    conn.query_row(query, [], |r| r.get(0)).unwrap_or(-1)
}

#[test]
fn create_table_from_contact_goes_from_nothing_to_a_first_sync_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 50, false, 900.0);
    click(&mut h, "Explore the sandbox org");
    nav(&mut h, "Mappings");
    click(&mut h, "New link…");
    wait_for(&mut h, "Local table");
    crate::e2e::type_into(&mut h, "Name", "contacts-local");

    wait_until(&mut h, "the org's objects", |h| {
        h.query_by_role_and_label(Role::ComboBox, "Salesforce object")
            .is_some()
    });
    h.get_by_role_and_label(Role::ComboBox, "Salesforce object")
        .click();
    wait_for(&mut h, "Search objects");
    h.get_by_label("Search objects").type_text("Contact");
    click(&mut h, "Contact (Contact)");

    click(&mut h, "Create table from Contact");
    wait_for(&mut h, "Create table");
    assert!(
        h.query_by_label("last_name").is_some(),
        "the proposal lists the columns"
    );
    assert_eq!(
        count(dir, "SELECT count(*) FROM contact"),
        -1,
        "nothing made before the confirmation"
    );
    click(&mut h, "Create table");
    wait_until(&mut h, "the table in the workspace", |_| {
        count(
            dir,
            "SELECT count(*) FROM pragma_table_info('contact') WHERE name IN ('id', 'sf_id', 'last_name', 'email')",
        ) == 4
    });
    // The new table is chosen, with its key and Id columns: the link can be made at once.
    click(&mut h, "Create link");
    wait_for(&mut h, "Auto-match");
    click(&mut h, "Auto-match");
    h.get_by_role_and_label(Role::Button, "Save").click();
    wait_until(&mut h, "the saved link", |_| {
        count(
            dir,
            "SELECT count(*) FROM tether_links WHERE name = 'contacts-local'",
        ) == 1
    });
    nav(&mut h, "Dashboard");
    click(&mut h, "Sync Now");
    wait_until(&mut h, "the first sync to fill the table", |_| {
        count(
            dir,
            "SELECT count(*) FROM contact WHERE sf_id IS NOT NULL AND last_name IS NOT NULL",
        ) > 0
    });
}
