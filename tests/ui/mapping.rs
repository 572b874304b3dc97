//! The mapping studio driven through the real window's accessibility tree, against a scripted
//! service that answers like the desktop service and records what it is asked to save.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::{Pos2, Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tether::desktop::{
    Event, FieldInfo, LinkCard, LocalColumn, LocalTable, ObjectSummary, Request, channels,
};
use tether::sync::link::{Direction, FieldMapping, Link};
use tether::sync::verify::{Problem, Severity};
use tether::ui::file_dialog::{FileQuestion, Picked, Picker};
use tether::ui::{About, Launch, TetherApp};

fn field(name: &str, label: &str, field_type: &str, required: bool, read_only: bool) -> FieldInfo {
    FieldInfo {
        name: name.into(),
        label: label.into(),
        field_type: field_type.into(),
        length: None,
        required,
        external_id: false,
        read_only,
        picklist_values: vec![],
        restricted_picklist: false,
        reference_to: Vec::new(),
    }
}

fn column(name: &str, declared: &str) -> LocalColumn {
    LocalColumn {
        name: name.into(),
        declared_type: declared.into(),
        primary_key: name == "id",
        not_null: false,
    }
}

fn saved_link(fields: Vec<FieldMapping>) -> Link {
    let mut link: Link = serde_json::from_value(serde_json::json!({
        "name": "accounts",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "fields": [],
    }))
    .expect("link parses");
    link.fields = fields;
    link
}

/// What verify says of read-only fields that are pushed, in its words.
fn read_only_pushed(link: &Link) -> Vec<Problem> {
    link.fields
        .iter()
        .filter(|m| m.remote == "CreatedDate" && m.direction != Direction::Pull)
        .map(|m| Problem {
            severity: Severity::Error,
            field: Some(m.remote.clone()),
            message: format!("`{}` is read-only in Salesforce (a formula, system or locked field), so it cannot be pushed", m.remote),
            fix: "set the direction to `pull`, or remove the mapping".into(),
        })
        .collect()
}

/// Answers the studio's requests; every saved link lands in `saved`, every request in `asked`.
/// A second link, `accounts-eu`, is listed after `link`.
fn scripted(link: Link, saved: Arc<Mutex<Vec<Link>>>, asked: Arc<Mutex<Vec<Request>>>) -> Launch {
    Launch::with_starter(
        Box::new(move |wake| {
            let (mut service, window) = channels(wake);
            std::thread::spawn(move || {
                while let Some(request) = service.requests.blocking_recv() {
                    asked.lock().unwrap().push(request.clone());
                    let card = |link: Link| LinkCard {
                        link,
                        last_run: None,
                        last_success: None,
                        next_run: None,
                        open_conflicts: 0,
                        open_errors: 0,
                    };
                    let answer = match request {
                        Request::ListConnections => Some(Event::Connections(vec![])),
                        Request::ListLinks => {
                            let mut other = link.clone();
                            other.name = "accounts-eu".into();
                            Some(Event::Links(vec![card(link.clone()), card(other)]))
                        }
                        Request::DeleteLink { name } => Some(Event::LinkDeleted { link: name }),
                        Request::ListObjects { connection } => Some(Event::Objects {
                            connection,
                            objects: vec![ObjectSummary {
                                name: "Account".into(),
                                label: "Account".into(),
                                custom: false,
                            }],
                        }),
                        Request::DescribeObject { connection, object } => {
                            Some(Event::ObjectFields {
                                connection,
                                object,
                                fields: vec![
                                    field("Id", "Account ID", "id", false, true),
                                    field("Name", "Account Name", "string", true, false),
                                    field("Industry", "Industry", "picklist", false, false),
                                    field("Phone", "Account Phone", "phone", false, false),
                                    field(
                                        "AnnualRevenue",
                                        "Annual Revenue",
                                        "currency",
                                        false,
                                        false,
                                    ),
                                    field("CreatedDate", "Created Date", "datetime", false, true),
                                ],
                            })
                        }
                        Request::ListLocalTables => Some(Event::LocalTables(vec![LocalTable {
                            name: "customers".into(),
                            columns: vec![
                                column("id", "INTEGER"),
                                column("name", "TEXT"),
                                column("industry", "TEXT"),
                                column("rating", "REAL"),
                                column("telephone", "TEXT"),
                                column("revenue", "REAL"),
                                column("sf_id", "TEXT"),
                            ],
                            rows: 3,
                        }])),
                        Request::VerifyLink { link } => Some(Event::Verified {
                            problems: read_only_pushed(&link),
                            link: link.name,
                        }),
                        Request::PreviewExpression { expression, .. } => {
                            Some(Event::ExpressionPreview {
                                result: Ok(vec![("1".into(), format!("preview of {expression}"))]),
                                expression,
                            })
                        }
                        Request::SaveLink { link } => {
                            let name = link.name.clone();
                            saved.lock().unwrap().push(link);
                            Some(Event::LinkSaved {
                                link: name,
                                problems: vec![],
                            })
                        }
                        _ => None,
                    };
                    if let Some(event) = answer {
                        service.outbox.send(event);
                    }
                }
            });
            Ok(window)
        }),
        About::default(),
    )
}

fn studio(link: Link) -> (Harness<'static, TetherApp>, Arc<Mutex<Vec<Link>>>) {
    let (harness, saved, _) = studio_asked(link);
    (harness, saved)
}

/// [`studio`], with every request the window sent.
type Asked = Arc<Mutex<Vec<Request>>>;

fn studio_asked(link: Link) -> (Harness<'static, TetherApp>, Arc<Mutex<Vec<Link>>>, Asked) {
    studio_with_picker(link, Arc::new(|_: &FileQuestion| Picked::Cancelled))
}

/// [`studio_asked`], with file dialogs answered by `picker`.
fn studio_with_picker(
    link: Link,
    picker: Picker,
) -> (Harness<'static, TetherApp>, Arc<Mutex<Vec<Link>>>, Asked) {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let launch = scripted(link, saved.clone(), asked.clone()).with_picker(picker);
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 1000.0))
        .build_eframe(|cc| TetherApp::new(cc, launch));
    wait_until(&mut harness, "the links", |h| {
        h.state().model().links_loaded
    });
    harness
        .get_by_role_and_label(Role::Button, "Mappings")
        .click();
    wait_until(&mut harness, "the fields and columns", |h| {
        h.query_by_label("Salesforce field Industry").is_some()
            && h.query_by_label("Local column industry").is_some()
    });
    (harness, saved, asked)
}

/// Steps the window until `done`, or fails after a deadline.
fn wait_until(
    harness: &mut Harness<'static, TetherApp>,
    what: &str,
    done: impl Fn(&Harness<'static, TetherApp>) -> bool,
) {
    // A guard against a hang, not a bound on speed: a loaded machine draws frames slowly.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(Instant::now() < deadline, "the window never showed {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn center(harness: &Harness<'static, TetherApp>, label: &str) -> Pos2 {
    harness.get_by_label(label).rect().center()
}

/// Presses on `from`, moves to `to` in steps, and releases there; `while_over` runs while
/// the pointer is over the target with the button still down.
fn drag(
    harness: &mut Harness<'static, TetherApp>,
    from: &str,
    to: &str,
    while_over: impl Fn(&Harness<'static, TetherApp>),
) {
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
    harness.step();
    while_over(harness);
    harness.drop_at(end);
    harness.step();
    harness.step();
}

fn save(harness: &mut Harness<'static, TetherApp>, saved: &Arc<Mutex<Vec<Link>>>) -> Link {
    harness.get_by_role_and_label(Role::Button, "Save").click();
    wait_until(harness, "the save", |_| !saved.lock().unwrap().is_empty());
    let links = saved.lock().unwrap();
    assert_eq!(links.len(), 1, "one save, one link");
    links[0].clone()
}

#[test]
fn a_dragged_field_maps_its_direction_toggles_and_the_link_saves() {
    let name = FieldMapping::column("name", "Name", Direction::Both);
    let (mut harness, saved) = studio(saved_link(vec![name.clone()]));

    drag(
        &mut harness,
        "Salesforce field Industry",
        "Local column industry",
        |h| {
            assert!(
                h.query_by_label("Drop onto a highlighted row to map it")
                    .is_some(),
                "dragging says where to drop"
            );
        },
    );
    // A new pair pulls until the person opts into push.
    wait_until(&mut harness, "the new pair", |h| {
        h.query_by_label("Direction of Industry: → Pull").is_some()
    });

    harness
        .get_by_label("Direction of Industry: → Pull")
        .click();
    wait_until(&mut harness, "the toggled direction", |h| {
        h.query_by_label("Direction of Industry: ⇄ Both").is_some()
    });

    let link = save(&mut harness, &saved);
    assert_eq!(
        link,
        saved_link(vec![
            name,
            FieldMapping::column("industry", "Industry", Direction::Both),
        ])
    );
    wait_until(&mut harness, "the saved state", |h| {
        h.query_by_label_contains("Saved").is_some()
    });
}

#[test]
fn a_pair_dropped_on_a_link_that_only_pushes_starts_as_push() {
    let name = FieldMapping::column("name", "Name", Direction::Push);
    let (mut harness, saved) = studio(saved_link(vec![name.clone()]));
    drag(
        &mut harness,
        "Salesforce field Industry",
        "Local column industry",
        |_| {},
    );
    wait_until(&mut harness, "the new pair", |h| {
        h.query_by_label("Direction of Industry: ← Push").is_some()
    });
    let link = save(&mut harness, &saved);
    assert_eq!(
        link.fields,
        vec![
            name,
            FieldMapping::column("industry", "Industry", Direction::Push)
        ]
    );
}

#[test]
fn the_studio_says_and_sets_whether_rows_without_an_id_are_created() {
    let name = FieldMapping::column("name", "Name", Direction::Both);
    let (mut harness, saved) = studio(saved_link(vec![name]));
    let label = "Create records for rows without a Salesforce Id";
    wait_until(&mut harness, "the create setting", |h| {
        h.query_by_label(label).is_some()
    });
    harness.get_by_label(label).click();
    harness.step();
    let link = save(&mut harness, &saved);
    assert!(link.create_unmatched, "the box turns creates on: {link:?}");
}

#[test]
fn a_column_dragged_onto_a_field_maps_too() {
    let (mut harness, saved) = studio(saved_link(vec![]));
    drag(
        &mut harness,
        "Local column telephone",
        "Salesforce field Account Phone",
        |_| {},
    );
    wait_until(&mut harness, "the new pair", |h| {
        h.query_by_label("Direction of Account Phone: → Pull")
            .is_some()
    });
    let link = save(&mut harness, &saved);
    assert_eq!(
        link.fields,
        vec![FieldMapping::column("telephone", "Phone", Direction::Pull)]
    );
}

#[test]
fn auto_match_maps_columns_by_name_label_and_synonym() {
    let (mut harness, saved) = studio(saved_link(vec![]));
    harness
        .get_by_role_and_label(Role::Button, "Auto-match")
        .click();
    wait_until(&mut harness, "the matched pairs", |h| {
        h.query_by_label("Direction of Annual Revenue: → Pull")
            .is_some()
    });
    let link = save(&mut harness, &saved);
    assert_eq!(
        link.fields,
        vec![
            FieldMapping::column("name", "Name", Direction::Pull),
            FieldMapping::column("industry", "Industry", Direction::Pull),
            FieldMapping::column("telephone", "Phone", Direction::Pull),
            FieldMapping::column("revenue", "AnnualRevenue", Direction::Pull),
        ]
    );
}

#[test]
fn an_invalid_drop_is_refused_with_its_reason() {
    let (mut harness, saved) = studio(saved_link(vec![]));
    let reason = "Type mismatch: Industry is a picklist field, but rating stores numbers (REAL)";
    drag(
        &mut harness,
        "Salesforce field Industry",
        "Local column rating",
        |h| {
            assert!(
                h.query_by_label(&format!("Cannot drop here: {reason}"))
                    .is_some(),
                "the target says why it refuses while the field is over it"
            );
        },
    );
    wait_until(&mut harness, "the refusal", |h| {
        h.query_by_label(&format!("Not mapped: {reason}")).is_some()
    });
    assert!(
        harness
            .query_by_label_contains("Direction of Industry")
            .is_none()
    );
    assert!(
        harness
            .query_by_label("Nothing mapped yet. Drag a Salesforce field onto a local column, or press Auto-match")
            .is_some()
    );
    assert!(saved.lock().unwrap().is_empty());
}

#[test]
fn keyboard_picks_a_field_then_its_column() {
    let (mut harness, saved) = studio(saved_link(vec![]));
    harness.get_by_label("Salesforce field Industry").focus();
    harness.step();
    harness.key_press(egui::Key::Enter);
    wait_until(&mut harness, "the pick", |h| {
        h.query_by_label("Now choose the column for Industry")
            .is_some()
    });
    harness.key_press(egui::Key::Escape);
    wait_until(&mut harness, "the pick cancelled", |h| {
        h.query_by_label("Now choose the column for Industry")
            .is_none()
    });
    harness.get_by_label("Salesforce field Industry").focus();
    harness.step();
    harness.key_press(egui::Key::Enter);
    wait_until(&mut harness, "the pick again", |h| {
        h.query_by_label("Now choose the column for Industry")
            .is_some()
    });
    harness.get_by_label("Local column industry").focus();
    harness.step();
    harness.key_press(egui::Key::Enter);
    wait_until(&mut harness, "the new pair", |h| {
        h.query_by_label("Direction of Industry: → Pull").is_some()
    });
    let link = save(&mut harness, &saved);
    assert_eq!(
        link.fields,
        vec![FieldMapping::column(
            "industry",
            "Industry",
            Direction::Pull
        )]
    );
}

#[test]
fn verify_shows_problems_inline_with_a_one_click_fix() {
    let pushed = FieldMapping::column("name", "CreatedDate", Direction::Push);
    let (mut harness, saved) = studio(saved_link(vec![pushed]));
    harness
        .get_by_role_and_label(Role::Button, "Verify")
        .click();
    // The field is set as code, without the backticks verify writes it with.
    let message = "⛔ CreatedDate is read-only in Salesforce (a formula, system or locked field), so it cannot be pushed";
    wait_until(&mut harness, "the problem", |h| {
        h.query_by_label(message).is_some()
    });
    assert!(
        harness
            .query_by_label("Fix: set the direction to pull, or remove the mapping")
            .is_some(),
        "the fix reads without backticks"
    );
    assert!(
        harness.query_all_by_label_contains("`").next().is_none(),
        "a text in the studio shows backticks"
    );
    harness
        .get_by_role_and_label(Role::Button, "Set to → Pull")
        .click();
    wait_until(&mut harness, "the fixed direction", |h| {
        h.query_by_label("Direction of Created Date: → Pull")
            .is_some()
    });
    let link = save(&mut harness, &saved);
    assert_eq!(
        link.fields,
        vec![FieldMapping::column("name", "CreatedDate", Direction::Pull)]
    );
}

#[test]
fn a_computed_field_previews_on_sample_rows_and_saves_its_expression() {
    let (mut harness, saved) = studio(saved_link(vec![]));
    harness
        .get_by_role_and_label(Role::Button, "Add computed field…")
        .click();
    wait_until(&mut harness, "the field menu", |h| {
        h.query_by_label("Account Phone (Phone)").is_some()
    });
    harness.get_by_label("Account Phone (Phone)").click();
    wait_until(&mut harness, "the expression editor", |h| {
        h.query_by_label("SQL expression for Account Phone")
            .is_some()
    });
    harness
        .get_by_label("SQL expression for Account Phone")
        .click();
    harness.step();
    harness
        .get_by_label("SQL expression for Account Phone")
        .type_text("upper(name)");
    wait_until(&mut harness, "the preview", |h| {
        h.query_by_label("preview of upper(name)").is_some()
    });
    let link = save(&mut harness, &saved);
    assert_eq!(
        link.fields,
        vec![FieldMapping::expression("upper(name)", "Phone")]
    );
}

/// Opens the link picker and chooses `name`.
fn pick_link(harness: &mut Harness<'static, TetherApp>, name: &str) {
    harness
        .get_by_role_and_label(Role::ComboBox, "Link")
        .click();
    wait_until(harness, "the link list", |h| {
        h.query_by_label(name).is_some()
    });
    harness.get_by_label(name).click();
    harness.step();
    harness.step();
}

fn open_link_title(harness: &Harness<'static, TetherApp>) -> Option<String> {
    harness
        .query_all_by_label_contains(" customers (")
        .next()
        .and_then(|n| {
            use egui_kittest::kittest::NodeT;
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
}

#[test]
fn switching_links_asks_before_dropping_unsaved_changes() {
    let (mut harness, _, _) = studio_asked(saved_link(vec![]));
    drag(
        &mut harness,
        "Salesforce field Industry",
        "Local column industry",
        |_| {},
    );
    wait_until(&mut harness, "the unsaved changes", |h| {
        h.query_by_label("Unsaved changes").is_some()
    });

    // The link already open: nothing to ask, the edits stay.
    pick_link(&mut harness, "accounts");
    assert!(harness.query_by_label("Discard unsaved changes?").is_none());
    assert!(harness.query_by_label("Unsaved changes").is_some());

    pick_link(&mut harness, "accounts-eu");
    wait_until(&mut harness, "the question", |h| {
        h.query_by_label("Discard unsaved changes?").is_some()
    });
    harness.get_by_label("Keep editing").click();
    wait_until(&mut harness, "the question to close", |h| {
        h.query_by_label("Discard unsaved changes?").is_none()
    });
    assert!(
        harness.query_by_label("Unsaved changes").is_some(),
        "the edits are still there"
    );
    assert_eq!(
        open_link_title(&harness).as_deref(),
        Some("Account → customers (Pull) · accounts on sandbox")
    );

    pick_link(&mut harness, "accounts-eu");
    wait_until(&mut harness, "the question", |h| {
        h.query_by_label("Discard changes").is_some()
    });
    harness.get_by_label("Discard changes").click();
    wait_until(&mut harness, "the other link", |h| {
        open_link_title(h).as_deref() == Some("Account ⇄ customers (Both) · accounts-eu on sandbox")
    });
    assert!(harness.query_by_label("Unsaved changes").is_none());
}

#[test]
fn a_saved_link_is_deleted_only_after_confirmation() {
    let (mut harness, _, asked) = studio_asked(saved_link(vec![]));
    let deletes = |asked: &Asked| {
        asked
            .lock()
            .unwrap()
            .iter()
            .filter(|r| matches!(r, Request::DeleteLink { .. }))
            .cloned()
            .collect::<Vec<_>>()
    };
    harness.get_by_label("Delete…").click();
    wait_until(&mut harness, "the question", |h| {
        h.query_by_label("Delete the link accounts?").is_some()
    });
    harness.get_by_label("Keep editing").click();
    wait_until(&mut harness, "the question to close", |h| {
        h.query_by_label("Delete the link accounts?").is_none()
    });
    assert!(deletes(&asked).is_empty(), "nothing is deleted unasked");

    harness.get_by_label("Delete…").click();
    wait_until(&mut harness, "the question", |h| {
        h.query_by_label("Delete link").is_some()
    });
    harness.get_by_label("Delete link").click();
    wait_until(&mut harness, "the deletion", |h| {
        h.query_all_by_label_contains("Deleted the link accounts")
            .next()
            .is_some()
    });
    assert_eq!(
        deletes(&asked),
        vec![Request::DeleteLink {
            name: "accounts".into()
        }]
    );
}

/// Where no file dialog can open, Export… and Import… take a typed path instead of doing
/// nothing.
#[test]
fn without_a_file_dialog_links_export_to_and_import_from_a_typed_path() {
    let (mut harness, _, asked) = studio_with_picker(
        saved_link(vec![]),
        Arc::new(|_: &FileQuestion| Picked::Unavailable),
    );
    let sent = |asked: &Asked, wanted: fn(&Request) -> bool| {
        asked
            .lock()
            .unwrap()
            .iter()
            .filter(|r| wanted(r))
            .cloned()
            .collect::<Vec<_>>()
    };
    harness.get_by_label("Export…").click();
    wait_until(&mut harness, "the path to save to", |h| {
        h.query_by_role_and_label(Role::TextInput, "Path").is_some()
    });
    let suggested = harness
        .get_by_role_and_label(Role::TextInput, "Path")
        .value()
        .unwrap_or_default();
    let home = std::env::home_dir().expect("a home folder");
    assert_eq!(
        suggested,
        home.join("accounts.json").display().to_string(),
        "the link's name in the home folder"
    );
    harness.get_by_label("Save here").click();
    wait_until(&mut harness, "the export", |_| {
        !sent(&asked, |r| matches!(r, Request::ExportLink { .. })).is_empty()
    });
    assert_eq!(
        sent(&asked, |r| matches!(r, Request::ExportLink { .. })),
        vec![Request::ExportLink {
            name: "accounts".into(),
            path: home.join("accounts.json"),
        }]
    );
    wait_until(&mut harness, "the prompt to close", |h| {
        h.query_by_role_and_label(Role::TextInput, "Path").is_none()
    });

    harness.get_by_label("Import…").click();
    wait_until(&mut harness, "the path to open", |h| {
        h.query_by_role_and_label(Role::TextInput, "Path").is_some()
    });
    let field = harness.get_by_role_and_label(Role::TextInput, "Path");
    assert_eq!(field.value().unwrap_or_default(), "", "nothing to suggest");
    field.focus();
    harness.run_steps(1);
    harness
        .get_by_role_and_label(Role::TextInput, "Path")
        .type_text("file:///tmp/shared%20links.json");
    harness.run_steps(1);
    harness.get_by_label("Open this file").click();
    wait_until(&mut harness, "the import", |_| {
        !sent(&asked, |r| matches!(r, Request::ImportLink { .. })).is_empty()
    });
    assert_eq!(
        sent(&asked, |r| matches!(r, Request::ImportLink { .. })),
        vec![Request::ImportLink {
            path: std::path::PathBuf::from("/tmp/shared links.json"),
        }]
    );

    // Cancel closes the prompt and asks for nothing.
    harness.get_by_label("Import…").click();
    wait_until(&mut harness, "the path to open", |h| {
        h.query_by_role_and_label(Role::TextInput, "Path").is_some()
    });
    harness.get_by_label("Cancel").click();
    wait_until(&mut harness, "the prompt to close", |h| {
        h.query_by_role_and_label(Role::TextInput, "Path").is_none()
    });
    assert_eq!(
        sent(&asked, |r| matches!(r, Request::ImportLink { .. })).len(),
        1
    );
}
