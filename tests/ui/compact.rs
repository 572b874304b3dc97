//! The mapping studio shows a dozen pairs at the window's default size, and controls stay where
//! the pointer is when a selection or a search changes what is listed.

use egui_kittest::kittest::{NodeT, Queryable};
use tether::ui::Page;

use crate::layout::{open, window};

/// The size the window opens at.
const DEFAULT: egui::Vec2 = egui::vec2(1180.0, 760.0);

/// The pairs whose direction toggle lies wholly inside the window, scrolled as it opens.
fn visible_pairs(size: egui::Vec2) -> Vec<String> {
    let mut harness = window(size, false);
    open(&mut harness, Page::Mappings);
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
    harness
        .query_all_by_label_contains("Direction of ")
        .filter(|node| {
            let shown = node.rect();
            let clip = harness
                .ctx
                .read_response(
                    serde_json::from_value(serde_json::json!(node.accesskit_node().locate().0.0))
                        .unwrap(),
                )
                .map(|r| r.interact_rect);
            clip.is_some_and(|c| c.height() >= shown.height() - 1.0 && window.contains_rect(c))
        })
        .filter_map(|node| node.accesskit_node().label())
        .collect()
}

#[test]
fn the_studio_shows_twelve_pairs_at_the_default_size() {
    let shown = visible_pairs(DEFAULT);
    assert!(
        shown.len() >= 12,
        "{} pairs visible at {DEFAULT:?}: {shown:?}",
        shown.len()
    );
}

type Window = egui_kittest::Harness<'static, tether::ui::TetherApp>;

/// Where each of `labels` is now.
fn places(h: &Window, labels: &[&str]) -> Vec<(String, egui::Rect)> {
    labels
        .iter()
        .map(|l| ((*l).to_string(), h.get_by_label(l).rect()))
        .collect()
}

/// The controls of `labels` that moved since `before`.
fn moved(h: &Window, before: &[(String, egui::Rect)]) -> Vec<String> {
    before
        .iter()
        .filter_map(|(label, was)| {
            let now = h.get_by_label(label).rect();
            (now.min.distance(was.min) > 0.5)
                .then(|| format!("`{label}` moved from {was:?} to {now:?}"))
        })
        .collect()
}

fn settle(h: &mut Window) {
    for _ in 0..8 {
        h.step();
    }
}

#[test]
fn studio_controls_stay_put_when_a_field_is_picked_or_searched() {
    let mut h = window(DEFAULT, false);
    open(&mut h, Page::Mappings);
    let watched = [
        "Local column website",
        "Direction of Account Name: → Pull",
        "Direction of Industry: → Pull",
        "Remove mapping of Industry",
        "Create records for rows without a Salesforce Id",
    ];
    let before = places(&h, &watched);
    // A click picks a field for mapping without a mouse drag: a hint appears.
    h.get_by_label("Salesforce field Account Phone").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Now choose the column for Phone")
            .is_some(),
        "the pick is shown"
    );
    let mut wrong = moved(&h, &before);
    // A search that leaves one field: the lists keep their height.
    let search = || egui::accesskit::Role::TextInput;
    h.get_by_role_and_label(search(), "Salesforce fields · Account")
        .click();
    settle(&mut h);
    h.get_by_role_and_label(search(), "Salesforce fields · Account")
        .type_text("website");
    settle(&mut h);
    assert!(
        h.query_by_label("Salesforce field Account Phone").is_none(),
        "the search filters"
    );
    wrong.extend(moved(&h, &before));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn history_controls_stay_put_when_a_run_is_opened_or_filtered() {
    let mut h = window(DEFAULT, false);
    open(&mut h, Page::History);
    let watched = ["With failed records", "Run #498", "Run #497"];
    let before = places(&h, &watched);
    h.get_by_label("Run #499").click();
    // The detail's heading repeats the run's name.
    crate::layout::step_until(&mut h, "the run's detail", |h| {
        h.query_all_by_label("Run #499").count() > 1
    });
    let mut wrong = moved(&h, &before);
    h.get_by_label("With failed records").click();
    settle(&mut h);
    wrong.extend(moved(&h, &before[..1]));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn errors_controls_stay_put_when_an_error_is_selected_or_opened() {
    let mut h = window(DEFAULT, false);
    open(&mut h, Page::Errors);
    crate::layout::step_until(&mut h, "the errors", |h| {
        h.query_by_label("Select error 3").is_some()
    });
    let watched = [
        "Search",
        "Show resolved",
        "Select error 2",
        "Select error 3",
    ];
    let before = places(&h, &watched);
    h.get_by_label("Select error 2").click();
    settle(&mut h);
    let mut wrong = moved(&h, &before);
    h.query_all_by_label("Required fields are missing: [Name]")
        .nth(2)
        .expect("a third error row")
        .click();
    crate::layout::step_until(&mut h, "the error's detail", |h| {
        h.query_by_label_contains("Payload sent").is_some()
    });
    wrong.extend(moved(&h, &before));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn conflicts_controls_stay_put_when_fields_are_ticked() {
    let mut h = window(DEFAULT, false);
    open(&mut h, Page::Conflicts);
    let watched = [
        "Select all",
        "Select Phone of Company 2",
        "Select Industry of Company 3",
    ];
    let before = places(&h, &watched);
    h.get_by_label("Select Name of Company 1").click();
    settle(&mut h);
    assert!(h.query_by_label("Keep local for 1 selected").is_some());
    let mut wrong = moved(&h, &before);
    h.get_by_label("Select all").click();
    settle(&mut h);
    wrong.extend(moved(&h, &before));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
