//! Undo of an import that Salesforce changed since: the window names the changed records and
//! fields, and sends the undo again, allowed to overwrite them, only when the person says so.

use egui_kittest::kittest::Queryable;
use tether::desktop::{Event, LaterEdit, LaterEdits, Request};
use tether::run::RunSummary;
use tether::workspace::journal::{RunCounts, RunStatus};

use super::{at_check_step, finished, press, wait_containing, wait_request};
use crate::support::Scripted;

const HEADING: &str = "Salesforce changed records since this import";

/// Asks for the undo of the finished import through its confirmation; returns the request.
fn ask_undo(app: &mut Scripted) -> Request {
    press(app, "Undo import…");
    app.wait_for_label("Undo this import?");
    press(app, "Undo import");
    wait_request(app, "the undo", |r| matches!(r, Request::UndoImport { .. })).0
}

/// Twelve deals changed since the import: the first deleted, the others edited.
fn later_edits() -> Event {
    let edits = (0..12)
        .map(|n| LaterEdit {
            object: "Opportunity".into(),
            sf_id: format!("0065g00000000{n:02}AAA"),
            row_key: Some(format!("A-{n}")),
            fields: if n == 0 {
                vec![]
            } else {
                vec!["Amount".into(), "StageName".into()]
            },
            deleted: n == 0,
        })
        .collect();
    Event::LaterSalesforceEdits(Box::new(LaterEdits { run_id: 8, edits }))
}

fn undo_requests(app: &mut Scripted) -> usize {
    app.frames(5);
    app.requests()
        .iter()
        .filter(|r| matches!(r, Request::UndoImport { .. }))
        .count()
}

#[test]
fn an_undo_over_later_salesforce_edits_asks_before_overwriting_them() {
    let (mut app, _) = at_check_step();
    press(&mut app, "Import 2 rows");
    wait_request(&mut app, "the load", |r| {
        matches!(r, Request::LoadImport(_))
    });
    app.send(finished(8, 2, 0));
    app.wait_for_label("Undo import…");

    assert_eq!(
        ask_undo(&mut app),
        Request::UndoImport {
            run_id: 8,
            overwrite_salesforce_edits: false
        },
        "the first undo never overwrites"
    );
    app.send(later_edits());
    app.wait_for_label(HEADING);
    wait_containing(
        &mut app,
        "Opportunity 0065g0000000000AAA (row A-0) was deleted",
    );
    wait_containing(
        &mut app,
        "Opportunity 0065g0000000001AAA (row A-1): Amount, StageName",
    );
    wait_containing(&mut app, "and 2 more");
    assert_eq!(undo_requests(&mut app), 0, "the window waits for an answer");

    // Keeping the changes sends nothing and closes the question.
    press(&mut app, "Keep them");
    assert_eq!(undo_requests(&mut app), 0);
    assert!(app.harness.query_by_label(HEADING).is_none());
    assert!(
        app.harness
            .query_by_label_contains("Import undone")
            .is_none()
    );

    // Asked again, the person undoes anyway.
    assert_eq!(
        ask_undo(&mut app),
        Request::UndoImport {
            run_id: 8,
            overwrite_salesforce_edits: false
        }
    );
    app.send(later_edits());
    app.wait_for_label(HEADING);
    press(&mut app, "Undo anyway");
    let (request, _) = wait_request(&mut app, "the undo anyway", |r| {
        matches!(r, Request::UndoImport { .. })
    });
    assert_eq!(
        request,
        Request::UndoImport {
            run_id: 8,
            overwrite_salesforce_edits: true
        }
    );
    assert!(app.harness.query_by_label(HEADING).is_none());
    app.send(Event::ImportUndone(Box::new(RunSummary {
        run_id: 9,
        link: "import".into(),
        status: RunStatus::Succeeded,
        counts: RunCounts {
            deleted: 2,
            ..Default::default()
        },
        read_path: None,
        write_path: None,
        message: None,
        write_choice: None,
    })));
    wait_containing(&mut app, "Import undone: 2 deleted");
}
