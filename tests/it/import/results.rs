//! Result files in the sheet's own dialect: a Windows-1252 semicolon sheet gets Windows-1252
//! semicolon results, unless a value cannot be written so, and `results_utf8` asks for UTF-8.

use tether::import::mapping::{ColumnMapping, ImportMapping, LookupMapping};
use tether::import::run::{ImportJob, run_import};
use tokio_util::sync::CancellationToken;

use crate::support::sync::*;

use crate::support::import::load;
use load::*;

fn accounts_mapping() -> ImportMapping {
    let mut mapping = ImportMapping::new("Account");
    mapping.columns = vec![ColumnMapping::new("Account", "Name")];
    mapping.lookups.push(LookupMapping::new(
        "Parent",
        "ParentId",
        "Account",
        &["Name"],
    ));
    mapping
}

fn job(bench: &Bench, file: &std::path::Path, out: &str) -> ImportJob {
    let mut job = ImportJob::new(file, "Sandbox org", accounts_mapping());
    job.out_dir = Some(bench.dir.path().join(out));
    job
}

const HEADER: &[u8] = b"Account;Parent;Row;Status;Salesforce Id;Message\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_files_in_the_sheets_own_dialect_or_utf8_when_a_value_cannot_be() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Sonron Łask".to_string()]).await;
    let file = bench.dir.path().join("accounts.csv");
    std::fs::write(
        &file,
        b"Account;Parent\r\nM\xFCller GmbH;\r\nSonron Nord;Sonron Lask\r\n",
    )
    .unwrap();

    let summary = run_import(
        &bench.path,
        &bench.client,
        &job(&bench, &file, "out"),
        &CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!((summary.created, summary.invalid), (1, 1), "{summary:?}");

    // Only Müller's row went in: its success file is Windows-1252 with semicolons, as the sheet.
    let success = std::fs::read(summary.success_file.as_ref().unwrap()).unwrap();
    assert!(
        success.starts_with(HEADER),
        "{:?}",
        String::from_utf8_lossy(&success)
    );
    let row: &[u8] = b"M\xFCller GmbH;;2;Created;001";
    assert!(success.windows(row.len()).any(|w| w == row), "{success:?}");

    // The error names the account it may mean, `Sonron Łask`, which Windows-1252 cannot write:
    // that file is UTF-8 with a byte-order mark, and the run says so.
    let errors = std::fs::read(summary.error_file.as_ref().unwrap()).unwrap();
    let text = String::from_utf8(errors[3..].to_vec()).unwrap();
    assert!(errors.starts_with(b"\xEF\xBB\xBF"), "{errors:?}");
    assert!(text.starts_with("Account;Parent;Row;Status"), "{text}");
    assert!(
        text.contains("Sonron Nord;Sonron Lask;3;Invalid;;"),
        "{text}"
    );
    assert!(text.contains("Sonron Łask"), "{text}");
    let said = summary.notes.join("\n");
    assert!(
        said.contains(&format!(
            "{} holds characters Windows-1252 cannot write (such as `Ł`), so it is written as UTF-8 with a byte-order mark",
            summary.error_file.as_ref().unwrap().display()
        )),
        "{said}"
    );
    assert!(
        !said.contains(&summary.success_file.as_ref().unwrap().display().to_string()),
        "{said}"
    );

    // The window reads the reports back whatever their dialect.
    let annotated = tether::desktop::read_report(summary.report.as_ref().unwrap()).unwrap();
    let seen: Vec<(u64, &str)> = annotated
        .iter()
        .map(|r| (r.row, r.status.as_str()))
        .collect();
    assert_eq!(seen, [(3, "Invalid"), (2, "Created")]);
    let success = tether::desktop::read_report(summary.success_file.as_ref().unwrap()).unwrap();
    assert_eq!(success.len(), 1);

    // Asked for UTF-8, every file is UTF-8 with a byte-order mark.
    let mut utf8 = job(&bench, &file, "utf8");
    utf8.dry_run = true;
    utf8.results_utf8 = true;
    let check = run_import(
        &bench.path,
        &bench.client,
        &utf8,
        &CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    let report = std::fs::read(check.report.as_ref().unwrap()).unwrap();
    let text = String::from_utf8(report[3..].to_vec()).unwrap();
    assert!(report.starts_with(b"\xEF\xBB\xBF"));
    assert!(text.contains("Müller GmbH;;2;"), "{text}");
    assert!(check.notes.is_empty(), "{:?}", check.notes);
}
