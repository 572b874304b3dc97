//! One meaning for each direction arrow: a field mapped with the mouse shows the arrow, the
//! word and the tooltip of a pull, is saved as a pull, the card and the toast draw the link as
//! the saved directions say, History shows the run's direction the same way, and the sync fills the local column from Salesforce.

use crate::e2e::{count, drag, sql, type_into};
use crate::support::live::{click, nav, wait_for, wait_for_containing, wait_until, window};
use egui_kittest::kittest::Queryable;
use tether::sync::arrows;
use tether::sync::link::Direction;
use tether::workspace::Workspace;

#[test]
fn a_field_mapped_with_the_mouse_pulls_as_its_arrow_tooltip_card_and_data_say() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 200, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");

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

    // The arrow and its word: a new pair pulls, drawn Salesforce (left) → local (right).
    wait_for(&mut h, "Direction of Account Rating: → Pull");
    let toggle = h.get_by_label("Direction of Account Rating: → Pull");
    toggle.scroll_to_me();
    for _ in 0..3 {
        h.step();
    }
    let toggle = h.get_by_label("Direction of Account Rating: → Pull").rect();
    // The tooltip says the same as the arrow.
    h.hover_at(toggle.center());
    wait_for_containing(&mut h, "Pull: Salesforce fills the local column");
    assert!(
        h.query_by_label_contains("push to Salesforce").is_none(),
        "no tooltip contradicts the arrow"
    );

    // Saved as shown.
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
    assert_eq!(rating.direction, Direction::Pull, "saved as the arrow said");

    // The card draws the saved link with the same arrows, and so does the toast after Sync Now.
    let title = arrows::title_with_word(&saved);
    nav(&mut h, "Dashboard");
    wait_for(&mut h, &title);
    h.get_all_by_label("Sync Now").next().unwrap().click();
    wait_for_containing(&mut h, &format!("{title}: "));

    // History draws the run's link with the same arrow and word, in its Direction column.
    nav(&mut h, "History");
    wait_for(&mut h, "Direction");
    wait_for(&mut h, &arrows::labelled(arrows::of_link(&saved)));

    // The column filled the way the arrow said: from Salesforce into the local table.
    let rows = count(dir, "SELECT count(*) FROM accounts");
    assert!(rows > 0, "the pull filled the table");
    assert_eq!(
        count(
            dir,
            "SELECT count(*) FROM accounts WHERE rating IN ('Hot', 'Warm', 'Cold')"
        ),
        rows,
        "every pulled account has its Salesforce rating in the local column"
    );
}
