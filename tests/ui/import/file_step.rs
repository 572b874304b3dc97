//! The File step: a sheet chosen in the file dialog or opened without one, and a click on
//! "Map columns" that must not be lost while the object list arrives.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tether::desktop::{Event, ObjectSummary, Request};
use tether::ui::file_dialog::{FileQuestion, Picked};

use super::{center, connection, drop_file, press, preview, wait_containing, wait_request};
use crate::support::Scripted;

/// The file the window asks to preview next.
fn previewed(app: &mut Scripted, what: &str) -> PathBuf {
    let (request, _) = wait_request(app, what, |r| matches!(r, Request::PreviewFile { .. }));
    match request {
        Request::PreviewFile { path, sheet: None } => path,
        other => panic!("{what}: a first preview names no sheet, not {other:?}"),
    }
}

/// Where no file dialog opens (a desktop without a portal), a typed or pasted path opens
/// the file.
#[test]
fn a_pasted_path_opens_the_file_without_a_dialog() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.frames(2);
    app.wait_for_label("Import");
    press(&mut app, "Import");
    app.wait_for_label("Or type the path of a file");
    app.type_into("Or type the path of a file", "'/tmp/my%20deals.csv'");
    press(&mut app, "Open this file");
    assert_eq!(
        previewed(&mut app, "the preview"),
        PathBuf::from("/tmp/my%20deals.csv"),
        "a plain path is taken as typed; only file URLs are decoded"
    );

    // With a sheet open, another one is opened the same way.
    app.send(Event::FilePreview(Box::new(preview(&PathBuf::from(
        "/tmp/my%20deals.csv",
    )))));
    app.wait_for_label("Type a path…");
    press(&mut app, "Type a path…");
    app.wait_for_label("Or type the path of a file");
    app.type_into("Or type the path of a file", "/tmp/other.csv");
    press(&mut app, "Open this file");
    assert_eq!(
        previewed(&mut app, "the second preview"),
        PathBuf::from("/tmp/other.csv")
    );
}

/// A person's click spans frames: pressed in one, released in a later one. The object list
/// arriving between the two once shifted the ids of the widgets after the object box, and the
/// click on "Map columns" was lost.
#[test]
fn a_click_on_map_columns_survives_the_object_list_arriving_mid_click() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.frames(2);
    let path = PathBuf::from("/tmp/deals.csv");
    drop_file(&mut app, &path);
    app.send(Event::FilePreview(Box::new(preview(&path))));
    app.wait_for_label("Map columns");
    app.settle();
    app.requests();

    let at = center(&app, "Map columns");
    app.harness.hover_at(at);
    app.harness.step();
    // Pressed here, released below: `drag_at` and `drop_at` do no more than that.
    app.harness.drag_at(at);
    app.harness.step();
    app.send(Event::Objects {
        connection: "Acme".into(),
        objects: vec![ObjectSummary {
            name: "Opportunity".into(),
            label: "Opportunity".into(),
            custom: false,
        }],
    });
    app.harness.step();
    app.harness.drop_at(at);
    app.frames(2);
    assert!(
        app.requests()
            .iter()
            .any(|r| matches!(r, Request::ProposeImport { .. })),
        "the click asked for a proposal"
    );
}

/// The dialog's answer arrives on its own thread; the chosen sheet is then previewed.
#[test]
fn a_file_chosen_in_the_dialog_is_previewed() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    let mut app = Scripted::with_picker(Arc::new(move |q: &FileQuestion| {
        seen.lock().unwrap().push(q.clone());
        Picked::Path(PathBuf::from("/tmp/chosen.xlsx"))
    }));
    app.send(Event::Connections(vec![connection()]));
    app.frames(2);
    app.wait_for_label("Import");
    press(&mut app, "Import");
    app.wait_for_label("Choose a file…");
    press(&mut app, "Choose a file…");
    assert_eq!(
        previewed(&mut app, "the preview"),
        PathBuf::from("/tmp/chosen.xlsx")
    );
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].save_as, None,
        "a file to open, not a place to save"
    );
    assert!(asked[0].filter.1.contains(&"xlsx"), "{:?}", asked[0]);
}

/// Where no dialog can open, "Choose another file…" says so and leads to the typed path,
/// instead of doing nothing.
#[test]
fn without_a_file_dialog_choosing_a_file_leads_to_the_typed_path() {
    let mut app = Scripted::with_picker(Arc::new(|_: &FileQuestion| Picked::Unavailable));
    app.send(Event::Connections(vec![connection()]));
    app.frames(2);
    let path = PathBuf::from("/tmp/deals.csv");
    drop_file(&mut app, &path);
    app.send(Event::FilePreview(Box::new(preview(&path))));
    app.wait_for_label("Choose another file…");
    press(&mut app, "Choose another file…");
    wait_containing(&mut app, "No file dialog can open on this desktop");
    app.wait_for_label("Or type the path of a file");
    app.requests();
    app.type_into("Or type the path of a file", "/tmp/other.csv");
    press(&mut app, "Open this file");
    assert_eq!(
        previewed(&mut app, "the preview"),
        PathBuf::from("/tmp/other.csv")
    );
}
