//! The SOQL page on the real service and the built-in sandbox org: a query written with
//! completion picked by keyboard, run, and exported through a scripted file dialog.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx, open_workbook};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tether::desktop::{DesktopConfig, SandboxOptions};
use tether::ui::file_dialog::{FileQuestion, Picked};
use tether::ui::{Launch, Prefs, TetherApp};

use crate::support::live::{click, nav, wait_for, wait_for_containing, wait_until};

const EDITOR: &str = "SOQL statement";

fn window(dir: &Path, export_to: PathBuf) -> Harness<'static, TetherApp> {
    let config = DesktopConfig {
        data_dir: dir.join("data"),
        workspace: dir.join("workspace.sqlite"),
        secrets: None,
        open_url: Arc::new(|_: &str| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(30),
        sandbox: Some(SandboxOptions {
            starter: tether_bench::embedded::sandbox_starter(),
            start: tether::desktop::SandboxStart {
                data_file: None,
                seed_records: Some(200),
            },
            connect_at_start: false,
            demo_links: true,
        }),
    };
    let launch = Launch::service(config, tether::ui::APP_TITLE, None).with_picker(Arc::new(
        move |question: &FileQuestion| {
            assert_eq!(question.title, "Export query result");
            Picked::Path(export_to.clone())
        },
    ));
    Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()))
}

fn editor_text(h: &Harness<'static, TetherApp>) -> String {
    h.get_by_label(EDITOR).value().unwrap_or_default()
}

fn type_text(h: &mut Harness<'static, TetherApp>, text: &str) {
    h.get_by_label(EDITOR).type_text(text);
    h.step();
    h.step();
}

fn press(h: &mut Harness<'static, TetherApp>, key: Key) {
    h.key_press_modifiers(Modifiers::NONE, key);
    h.step();
    h.step();
}

#[test]
fn a_query_written_with_completion_runs_and_exports_to_a_typed_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("accounts.xlsx");
    let mut h = window(dir.path(), export.clone());
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    nav(&mut h, "SOQL");
    wait_for(&mut h, EDITOR);
    h.get_by_label(EDITOR).focus();
    h.step();

    // Objects after FROM: the list opens, Enter takes the first.
    type_text(&mut h, "SELECT Name, NumberOfEmployees FROM Accou");
    wait_until(&mut h, "object suggestions", |h| {
        h.query_all_by_label("Object").next().is_some()
    });
    press(&mut h, Key::Enter);
    assert_eq!(
        editor_text(&h),
        "SELECT Name, NumberOfEmployees FROM Account"
    );

    // A parent's fields through the lookup's relationship: ArrowDown then ArrowUp come back
    // to the first, Tab takes it.
    type_text(&mut h, " WHERE Owner.Nam");
    wait_until(&mut h, "User's fields", |h| {
        h.query_all_by_label("Name").count() > 0 && h.query_all_by_label("string").count() > 0
    });
    press(&mut h, Key::ArrowDown);
    press(&mut h, Key::ArrowUp);
    press(&mut h, Key::Tab);
    assert_eq!(
        editor_text(&h),
        "SELECT Name, NumberOfEmployees FROM Account WHERE Owner.Name"
    );

    // Esc closes the list without changing the text.
    type_text(&mut h, " != null ORDER BY Numb");
    wait_until(&mut h, "field suggestions", |h| {
        h.query_by_label("NumberOfEmployees").is_some() && h.query_all_by_label("int").count() > 0
    });
    press(&mut h, Key::Escape);
    assert_eq!(
        h.query_all_by_label("int").count(),
        0,
        "Esc closed the list"
    );
    type_text(&mut h, "erOfEmployees DESC");
    let soql = editor_text(&h);
    assert_eq!(
        soql,
        "SELECT Name, NumberOfEmployees FROM Account WHERE Owner.Name != null ORDER BY NumberOfEmployees DESC"
    );

    click(&mut h, "Run");
    wait_for_containing(&mut h, " records, ");
    let status = h
        .query_all_by_label_contains(" records, ")
        .find_map(|n| n.value())
        .expect("the result's status");
    let records: usize = status.split_whitespace().next().unwrap().parse().unwrap();
    assert!(records > 0, "{status}");

    click(&mut h, "Export…");
    wait_for_containing(&mut h, "Exported ");
    let mut book: Xlsx<_> = open_workbook(&export).expect("the export is a workbook");
    let sheet = book.worksheet_range("Query").unwrap();
    assert_eq!(
        sheet.height(),
        records + 1,
        "a header and one row per record"
    );
    assert_eq!(
        sheet.rows().next().unwrap(),
        &[
            Data::String("Name".into()),
            Data::String("NumberOfEmployees".into())
        ]
    );
    let employees: Vec<f64> = sheet
        .rows()
        .skip(1)
        .filter_map(|r| match &r[1] {
            Data::Float(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert!(!employees.is_empty(), "employee counts are numbers");
    assert!(
        employees.windows(2).all(|w| w[0] >= w[1]),
        "in the query's order"
    );

    // Saved under a name, listed beside the editor.
    h.query_all_by_label_contains("Saved queries (")
        .next()
        .expect("the saved queries")
        .click();
    h.step();
    h.get_by_label("Save as").focus();
    h.step();
    h.get_by_label("Save as").type_text("big accounts");
    h.step();
    click(&mut h, "Save query");
    wait_for(&mut h, "★ big accounts");

    // A refused statement: the org's message under the editor, placed where it points.
    h.get_by_label(EDITOR).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    type_text(&mut h, "SELECT Id FROM Account WHERE Nmae = 'x'");
    press(&mut h, Key::Escape);
    click(&mut h, "Run");
    wait_for_containing(&mut h, "(row 1, column 30)");
    let said = h
        .query_all_by_label_contains("(row 1, column 30)")
        .find_map(|n| n.value())
        .expect("the refusal");
    assert!(
        said.starts_with("INVALID_FIELD: No such column 'Nmae'"),
        "{said}"
    );

    // The saved statement comes back with a click; the refusal is in the history.
    click(&mut h, "★ big accounts");
    assert_eq!(editor_text(&h), soql);
    wait_for(&mut h, "INVALID_FIELD");
}

#[test]
fn ctrl_enter_in_the_editor_runs_the_statement_and_syncs_no_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(dir.path(), dir.path().join("unused.xlsx"));
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    assert!(
        h.state().model().selected_link.is_some(),
        "a link is selected, so Ctrl+Enter elsewhere would sync it"
    );
    nav(&mut h, "SOQL");
    wait_for(&mut h, EDITOR);
    h.get_by_label(EDITOR).focus();
    h.step();
    type_text(&mut h, "SELECT Name FROM Account LIMIT 3");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.step();
    wait_for_containing(&mut h, " records, ");
    assert!(
        h.state().model().syncs.is_empty(),
        "Ctrl+Enter while typing a statement started a sync: {:?}",
        h.state().model().syncs
    );
}
