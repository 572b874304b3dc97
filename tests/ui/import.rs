//! The import wizard driven through the window's accessibility tree: against a scripted
//! service (every request it sends, and nothing before the person confirms), and once end to
//! end against the real desktop service and the built-in sandbox org.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::Scripted;
use chrono::Utc;
use egui::Pos2;
use egui_kittest::kittest::{NodeT, Queryable};
use tether::desktop::{
    ConnectionStatus, ConnectionView, Event, FieldInfo, FilePreview, ImportProposal, ImportReport,
    ImportRequest, ReportRow, Request,
};
use tether::import::Row;
use tether::import::mapping::{ColumnMapping, ImportMapping, KeyMapping};
use tether::import::run::ImportSummary;
use tether::run::RunSummary;
use tether::workspace::journal::{RunCounts, RunStatus};

const HEADERS: [&str; 5] = ["Opp #", "Deal Name", "Stage", "Amount", "Close Date"];

fn connection() -> ConnectionView {
    ConnectionView {
        name: "Acme".into(),
        username: "admin@acme.example".into(),
        org_id: "00D000000000001AAA".into(),
        instance_url: "http://127.0.0.1:9".into(),
        login_url: "http://127.0.0.1:9".into(),
        embedded: false,
        status: ConnectionStatus::Ok,
        api_usage: None,
        connected_at: Utc::now(),
    }
}

fn field(name: &str, label: &str, field_type: &str) -> FieldInfo {
    FieldInfo {
        name: name.into(),
        label: label.into(),
        field_type: field_type.into(),
        length: None,
        required: matches!(name, "Name" | "StageName" | "CloseDate"),
        external_id: name.ends_with("__c"),
        read_only: name == "Id",
        picklist_values: if name == "StageName" {
            vec![
                "Prospecting".into(),
                "Closed Won".into(),
                "Closed Lost".into(),
            ]
        } else {
            vec![]
        },
        restricted_picklist: false,
        reference_to: match name {
            "AccountId" => vec!["Account".into()],
            "OwnerId" => vec!["User".into()],
            _ => vec![],
        },
    }
}

fn preview(path: &Path) -> FilePreview {
    let rows = [
        ["A-1", "Big deal", "Prospecting", "1200.50", "2024-03-01"],
        ["A-2", "Small deal", "Won", "300", "2024-04-02"],
        ["A-3", "No date", "Prospecting", "10", ""],
    ];
    FilePreview {
        path: path.to_path_buf(),
        format: "CSV · UTF-8 · commas · CRLF line endings".into(),
        sheets: vec![],
        sheet: None,
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                number: i as u64 + 2,
                cells: cells.iter().map(|c| c.to_string()).collect(),
            })
            .collect(),
        more: false,
    }
}

/// What the service would propose: the key and the name, the rest left to the person.
fn proposal(path: &Path) -> ImportProposal {
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    mapping
        .columns
        .push(ColumnMapping::new("Deal Name", "Name"));
    ImportProposal {
        path: path.to_path_buf(),
        connection: "Acme".into(),
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        fields: vec![
            field("Id", "Opportunity ID", "id"),
            field("Name", "Opportunity Name", "string"),
            field("StageName", "Stage", "picklist"),
            field("Amount", "Amount", "currency"),
            field("CloseDate", "Close Date", "date"),
            field("AccountId", "Account ID", "reference"),
            field(
                "Legacy_Opportunity_Id__c",
                "Legacy Opportunity Id",
                "string",
            ),
        ],
        mapping,
        notes: vec!["rows are upserted on Legacy_Opportunity_Id__c from `Opp #`".into()],
        template: None,
    }
}

fn summary(to_create: u64, invalid: u64) -> ImportSummary {
    ImportSummary {
        dry_run: true,
        rows: to_create + invalid,
        valid: to_create,
        invalid,
        to_create,
        report: Some(PathBuf::from("/tmp/deals.report.csv")),
        ..Default::default()
    }
}

fn report_row(row: u64, status: &str, message: &str) -> ReportRow {
    ReportRow {
        row,
        status: status.into(),
        sf_id: None,
        message: message.into(),
    }
}

fn center(app: &Scripted, label: &str) -> Pos2 {
    app.harness.get_by_label(label).rect().center()
}

/// Steps until a label containing `text` is on screen; lists what is there when it never comes.
fn wait_containing(app: &mut Scripted, text: &str) {
    // A guard against a hang, not a bound on speed: a loaded machine draws frames slowly.
    let deadline = Instant::now() + Duration::from_secs(60);
    while app
        .harness
        .query_all_by_label_contains(text)
        .next()
        .is_none()
    {
        app.harness.step();
        if Instant::now() > deadline {
            let labels: Vec<String> = app
                .harness
                .query_all_by_label_contains("")
                .filter_map(|n| n.accesskit_node().label())
                .collect();
            panic!("nothing labelled with `{text}` appeared; on screen: {labels:?}");
        }
    }
    app.settle();
}

/// Scrolls `label` into view when it is below the window's edge.
fn into_view(app: &mut Scripted, label: &str) {
    let rect = app.harness.get_by_label(label).rect();
    let screen = app.harness.ctx.content_rect();
    if rect.bottom() > screen.bottom() - 10.0 || rect.top() < 0.0 {
        app.harness.get_by_label(label).scroll_to_me();
        app.settle();
    }
}

/// Scrolls `label` into view if needed, then clicks it, as a person would.
fn press(app: &mut Scripted, label: &str) {
    into_view(app, label);
    app.harness.get_by_label(label).click();
    app.frames(2);
}

fn drag(app: &mut Scripted, from: &str, to: &str) {
    // Rows sit in lists of their own, which may need to scroll.
    for label in [from, to] {
        app.harness.get_by_label(label).scroll_to_me();
        app.settle();
    }
    let start = center(app, from);
    let end = center(app, to);
    app.harness.hover_at(start);
    app.harness.step();
    app.harness.drag_at(start);
    app.harness.step();
    for i in 1..=6 {
        app.harness
            .hover_at(start + (end - start) * (i as f32 / 6.0));
        app.harness.step();
    }
    app.harness.drop_at(end);
    app.frames(3);
}

/// A file dropped on the window, as the windowing integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn dropped(path: &Path) -> egui::DroppedFileHandle {
    std::sync::Arc::new(Dropped(path.to_path_buf()))
}

fn drop_file(app: &mut Scripted, path: &Path) {
    app.harness.input_mut().dropped_files.push(dropped(path));
    app.frames(2);
}

/// Steps until a request matching `wanted` is sent; returns it and every request before it.
fn wait_request(
    app: &mut Scripted,
    what: &str,
    wanted: impl Fn(&Request) -> bool,
) -> (Request, Vec<Request>) {
    // A guard against a hang, not a bound on speed: a loaded machine draws frames slowly.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut before = Vec::new();
    loop {
        app.harness.step();
        for request in app.requests() {
            if wanted(&request) {
                return (request, before);
            }
            before.push(request);
        }
        assert!(
            Instant::now() < deadline,
            "the window never sent {what}; it sent {before:?}"
        );
    }
}

fn import_request(request: Request) -> ImportRequest {
    match request {
        Request::CheckImport(r) | Request::LoadImport(r) => *r,
        other => panic!("not an import request: {other:?}"),
    }
}

/// The window on the Map step of a previewed sheet.
fn at_map_step() -> (Scripted, PathBuf) {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.frames(2);
    let path = PathBuf::from("/tmp/deals.csv");
    drop_file(&mut app, &path);
    let (request, _) = wait_request(&mut app, "the preview", |r| {
        matches!(r, Request::PreviewFile { .. })
    });
    assert_eq!(
        request,
        Request::PreviewFile {
            path: path.clone(),
            sheet: None
        }
    );
    app.send(Event::FilePreview(Box::new(preview(&path))));
    app.wait_for_label("Map columns");
    press(&mut app, "Map columns");
    let (request, _) = wait_request(&mut app, "the proposal request", |r| {
        matches!(r, Request::ProposeImport { .. })
    });
    assert_eq!(
        request,
        Request::ProposeImport {
            path: path.clone(),
            sheet: None,
            connection: "Acme".into(),
            object: "Opportunity".into(),
        }
    );
    app.send(Event::ImportProposal(Box::new(proposal(&path))));
    app.wait_for_label("Sheet column Stage");
    (app, path)
}

#[test]
fn a_dragged_column_and_a_value_map_are_in_the_checked_mapping() {
    let (mut app, _) = at_map_step();
    wait_containing(&mut app, "Rows are upserted on Legacy_Opportunity_Id__c");

    drag(&mut app, "Sheet column Stage", "Salesforce field Stage");
    app.wait_for_label("Remove pair of Stage");

    // The value map offers the stage the picklist does not know, to be mapped to one it does.
    press(&mut app, "Value map of Stage");
    app.wait_for_label("Value for Won in Stage");
    press(&mut app, "Value for Won in Stage");
    app.wait_for_label("Closed Won");
    press(&mut app, "Closed Won");
    app.settle();
    // Stage is not a restricted picklist, so other words may be kept as written.
    press(&mut app, "Keep unlisted values of Stage");
    app.settle();

    press(&mut app, "Check rows");
    let (request, _) = wait_request(&mut app, "the check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    let request = import_request(request);
    let stage = request
        .mapping
        .columns
        .iter()
        .find(|c| c.field == "StageName")
        .expect("the dragged pair is in the mapping");
    assert_eq!(stage.column, "Stage");
    assert_eq!(
        stage.values.get("Won").map(String::as_str),
        Some("Closed Won")
    );
    assert!(stage.keep_unlisted, "{stage:?}");
    assert_eq!(request.connection, "Acme");
    assert_eq!(request.retry_of, None);
    assert_eq!(
        request.mapping.key,
        Some(KeyMapping {
            column: "Opp #".into(),
            field: "Legacy_Opportunity_Id__c".into()
        })
    );
}

#[test]
fn how_cells_are_read_per_column_and_for_the_sheet_is_in_the_checked_mapping() {
    let (mut app, _) = at_map_step();
    drag(
        &mut app,
        "Sheet column Close Date",
        "Salesforce field Close Date",
    );
    drag(&mut app, "Sheet column Amount", "Salesforce field Amount");
    app.wait_for_label("Date format of Close Date");
    press(&mut app, "Date format of Close Date");
    app.wait_for_label("DD.MM.YYYY (e.g. 03.04.2024)");
    press(&mut app, "DD.MM.YYYY (e.g. 03.04.2024)");
    app.wait_for_label("Number format of Amount");
    press(&mut app, "Number format of Amount");
    app.wait_for_label("German (e.g. 1.200,50)");
    press(&mut app, "German (e.g. 1.200,50)");
    app.settle();
    app.type_into("Blank cells of Close Date", "2024-12-31");
    press(
        &mut app,
        "Round numbers with more decimals than their field keeps",
    );

    press(&mut app, "Check rows");
    let (request, _) = wait_request(&mut app, "the check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    let mapping = import_request(request).mapping;
    let column = |field: &str| {
        mapping
            .columns
            .iter()
            .find(|c| c.field == field)
            .unwrap_or_else(|| panic!("{field} is paired: {mapping:?}"))
            .clone()
    };
    assert_eq!(
        column("CloseDate")
            .date_format
            .map(|f| f.label())
            .as_deref(),
        Some("DD.MM.YYYY")
    );
    assert_eq!(
        column("Amount").number_format.map(|l| l.name()),
        Some("German")
    );
    assert_eq!(column("CloseDate").default.as_deref(), Some("2024-12-31"));
    assert_eq!(column("Amount").default, None);
    assert!(mapping.formats.round_numbers);
    // The sheet's own formats are untouched.
    assert_eq!(mapping.formats.date.label(), "ISO 8601");
}

#[test]
fn a_field_dragged_onto_a_reference_makes_a_lookup_with_its_spellings_and_a_removed_pair_is_gone() {
    let (mut app, _) = at_map_step();
    // Tall enough for the lookup's row under the two columns.
    app.harness.set_size(egui::vec2(1280.0, 1200.0));
    app.settle();
    drag(
        &mut app,
        "Salesforce field Account ID",
        "Sheet column Deal Name",
    );
    // Deal Name already fills the name, so the drop is refused with its reason.
    wait_containing(
        &mut app,
        "Not paired: Deal Name already fills Opportunity Name",
    );
    app.harness
        .get_by_label("Remove pair of Opportunity Name")
        .click();
    app.settle();
    drag(
        &mut app,
        "Salesforce field Account ID",
        "Sheet column Deal Name",
    );
    app.wait_for_label("Create missing Account for Account ID");
    app.harness
        .get_by_label("Create missing Account for Account ID")
        .click();
    app.settle();
    // A spelling no rule can guess is told which account it means.
    press(&mut app, "Spellings of Account ID");
    app.wait_for_label("Add spelling to Account ID");
    press(&mut app, "Add spelling to Account ID");
    app.wait_for_label("Cell text 1 of Account ID");
    app.type_into("Cell text 1 of Account ID", "Acme Crop");
    app.wait_for_label("Value for Acme Crop in Account ID");
    app.type_into("Value for Acme Crop in Account ID", "Acme Corporation");
    app.settle();
    press(&mut app, "Check rows");
    let (request, _) = wait_request(&mut app, "the check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    let mapping = import_request(request).mapping;
    assert!(
        mapping.columns.iter().all(|c| c.field != "Name"),
        "{mapping:?}"
    );
    let lookup = &mapping.lookups[0];
    assert_eq!(
        (
            lookup.column.as_str(),
            lookup.field.as_str(),
            lookup.object.as_str()
        ),
        ("Deal Name", "AccountId", "Account")
    );
    assert_eq!(lookup.match_on, vec!["Name".to_string()]);
    assert!(lookup.create_missing);
    assert_eq!(
        lookup.values,
        [("Acme Crop".to_string(), "Acme Corporation".to_string())].into()
    );
}

/// Accounts the check could not find are offered as spellings when the person goes back,
/// with the records the check found like them.
#[test]
fn accounts_the_check_could_not_find_are_offered_as_spellings_with_records_like_them() {
    let (mut app, _) = at_map_step();
    app.harness.set_size(egui::vec2(1280.0, 1200.0));
    app.settle();
    app.harness
        .get_by_label("Remove pair of Opportunity Name")
        .click();
    app.settle();
    drag(
        &mut app,
        "Salesforce field Account ID",
        "Sheet column Deal Name",
    );
    app.wait_for_label("Spellings of Account ID");
    press(&mut app, "Check rows");
    wait_request(&mut app, "the check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    let mut checked = summary(0, 2);
    checked.unresolved = [(
        "AccountId".to_string(),
        [
            (
                "Acme Crop".to_string(),
                vec!["Acme Corporation".to_string(), "Acme Rockets".to_string()],
            ),
            ("Globx".to_string(), vec![]),
        ]
        .into(),
    )]
    .into();
    app.send(Event::ImportChecked(Box::new(ImportReport {
        summary: checked,
        rows: vec![
            report_row(2, "Invalid", "Account: no Account is named `Acme Crop`"),
            report_row(3, "Invalid", "Account: no Account is named `Globx`"),
        ],
    })));
    app.wait_for_label("Back to mapping");
    press(&mut app, "Back to mapping");
    wait_containing(&mut app, "2 names not found by the last check");
    press(&mut app, "Spellings of Account ID");
    app.wait_for_label("Cell text 2 of Account ID");
    let offered: Vec<String> = (1..=2)
        .map(|n| {
            app.harness
                .get_by_label(&format!("Cell text {n} of Account ID"))
                .value()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(offered, ["Acme Crop", "Globx"]);
    // The records the check found like it are one click away; none are offered for Globx.
    assert!(
        app.harness
            .query_by_label("Records like Globx for Account ID")
            .is_none()
    );
    press(&mut app, "Records like Acme Crop for Account ID");
    app.wait_for_label("Acme Rockets");
    press(&mut app, "Acme Corporation");
    app.settle();
    assert_eq!(
        app.harness
            .get_by_label("Value for Acme Crop in Account ID")
            .value()
            .unwrap_or_default(),
        "Acme Corporation"
    );
    press(&mut app, "Check rows");
    let (request, _) = wait_request(&mut app, "the second check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    assert_eq!(
        import_request(request).mapping.lookups[0].values,
        [("Acme Crop".to_string(), "Acme Corporation".to_string())].into(),
        "the spelling left blank is not sent"
    );
}

/// The window on the Check step with a report of two rows to create and one invalid.
fn at_check_step() -> (Scripted, ImportRequest) {
    let (mut app, _) = at_map_step();
    press(&mut app, "Check rows");
    let (request, _) = wait_request(&mut app, "the check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    let checked = import_request(request);
    app.send(Event::ImportChecked(Box::new(ImportReport {
        summary: summary(2, 1),
        rows: vec![
            report_row(4, "Invalid", "Close Date is blank; Salesforce requires it"),
            report_row(2, "Will create", ""),
            report_row(3, "Will create", ""),
        ],
    })));
    app.wait_for_label("Import 2 rows");
    (app, checked)
}

#[test]
fn the_check_shows_invalid_rows_and_nothing_is_sent_before_import_is_clicked() {
    let (mut app, checked) = at_check_step();
    app.wait_for_label("⛔ Invalid");
    app.wait_for_label("Close Date is blank; Salesforce requires it");
    app.wait_for_label("Invalid: 1");
    app.wait_for_label("To create: 2");

    // Only the rows that need attention.
    app.harness
        .get_by_label_contains("Only rows that need attention")
        .click();
    app.settle();
    assert!(app.harness.query_by_label("➕ Will create").is_none());
    assert!(app.harness.query_by_label("⛔ Invalid").is_some());

    app.frames(10);
    let early: Vec<Request> = app.requests();
    assert!(
        !early.iter().any(|r| matches!(r, Request::LoadImport(_))),
        "nothing is sent before the click: {early:?}"
    );

    press(&mut app, "Import 2 rows");
    let (request, _) = wait_request(&mut app, "the load", |r| {
        matches!(r, Request::LoadImport(_))
    });
    assert_eq!(
        import_request(request),
        checked,
        "the load sends what was checked"
    );
}

#[test]
fn back_to_mapping_keeps_the_edits() {
    let (mut app, _) = at_check_step();
    press(&mut app, "Back to mapping");
    app.wait_for_label("Sheet column Stage");
    drag(&mut app, "Sheet column Amount", "Salesforce field Amount");
    app.wait_for_label("Remove pair of Amount");
    press(&mut app, "Check rows");
    let (request, _) = wait_request(&mut app, "the check", |r| {
        matches!(r, Request::CheckImport(_))
    });
    let mapping = import_request(request).mapping;
    let fields: Vec<&str> = mapping.columns.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["Name", "Amount"]);
}

fn finished(run_id: i64, created: u64, not_sent: u64) -> Event {
    Event::ImportFinished(Box::new(ImportReport {
        summary: ImportSummary {
            run_id: Some(run_id),
            status: Some(if not_sent > 0 {
                RunStatus::Cancelled
            } else {
                RunStatus::Succeeded
            }),
            rows: 3,
            valid: 2,
            invalid: 1,
            created,
            not_sent,
            report: Some(PathBuf::from("/tmp/deals.annotated.csv")),
            error_file: Some(PathBuf::from("/tmp/deals.errors.csv")),
            ..Default::default()
        },
        rows: vec![report_row(3, "Not sent", "the import was cancelled")],
    }))
}

#[test]
fn progress_cancel_retry_and_undo_each_ask_the_service() {
    let (mut app, checked) = at_check_step();
    press(&mut app, "Import 2 rows");
    wait_request(&mut app, "the load", |r| {
        matches!(r, Request::LoadImport(_))
    });

    app.send(Event::ImportProgress {
        decided: 3,
        sent: 1,
        to_send: 2,
    });
    app.wait_for_label("1 / 2 rows sent");
    press(&mut app, "Cancel");
    wait_request(&mut app, "the cancel", |r| {
        matches!(r, Request::CancelImport)
    });

    app.send(finished(7, 1, 1));
    app.wait_for_label("Retry 1 failed row");
    app.wait_for_label("Open errors file");
    press(&mut app, "Retry 1 failed row");
    let (request, _) = wait_request(&mut app, "the retry", |r| {
        matches!(r, Request::LoadImport(_))
    });
    let retry = import_request(request);
    assert_eq!(retry.retry_of, Some(7));
    assert_eq!(
        retry.mapping, checked.mapping,
        "the retry keeps the mapping"
    );

    app.send(finished(8, 1, 0));
    app.wait_for_label("Undo import…");
    assert!(
        app.harness.query_by_label_contains("Retry").is_none(),
        "nothing left to retry"
    );
    press(&mut app, "Undo import…");
    app.wait_for_label("Undo this import?");
    app.frames(5);
    assert!(
        !app.requests()
            .iter()
            .any(|r| matches!(r, Request::UndoImport { .. })),
        "the undo waits for the confirmation"
    );
    press(&mut app, "Undo import");
    let (request, _) = wait_request(&mut app, "the undo", |r| {
        matches!(r, Request::UndoImport { .. })
    });
    assert_eq!(
        request,
        Request::UndoImport {
            run_id: 8,
            overwrite_salesforce_edits: false
        }
    );
    app.send(Event::ImportUndone(Box::new(RunSummary {
        run_id: 9,
        link: "import".into(),
        status: RunStatus::Succeeded,
        counts: RunCounts {
            deleted: 1,
            ..Default::default()
        },
        read_path: None,
        write_path: None,
        message: None,
        write_choice: None,
    })));
    wait_containing(&mut app, "Import undone: 1 deleted");

    press(&mut app, "Import another file");
    app.wait_for_label("No file yet");
}

#[test]
fn save_as_template_sends_the_name_headers_and_mapping() {
    let (mut app, _) = at_map_step();
    press(&mut app, "Save as template…");
    app.wait_for_label("Template name");
    app.type_into("Template name", "Old CRM export");
    press(&mut app, "Save template");
    let (request, _) = wait_request(&mut app, "the template", |r| {
        matches!(r, Request::SaveImportTemplate { .. })
    });
    let Request::SaveImportTemplate {
        name,
        headers,
        mapping,
    } = request
    else {
        unreachable!()
    };
    assert_eq!(name, "Old CRM export");
    assert_eq!(headers, HEADERS.to_vec());
    assert_eq!(mapping.object, "Opportunity");
    app.send(Event::ImportTemplateSaved { name });
    app.wait_for_label("✔ Saved as “Old CRM export”");
}

mod end_to_end;

mod file_step;

mod undo;
