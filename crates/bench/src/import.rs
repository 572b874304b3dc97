//! The import section of `tether bench`: a generated opportunity sheet of N rows (US dates
//! and dollars, stage names in a value map, accounts by name, a few bad rows), previewed,
//! parsed, validated offline, checked against the sandbox org and loaded, each phase with its
//! time and the peak memory it reached. Then hostile workbooks (`hostile.rs`), each read
//! through, with the peak memory that took and what the reader said.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde_json::{Map, Value};

use super::{Measurement, login, peak_rss_mb};
use sandbox_org::{OrgConfig, SandboxOrg};
use tether::import::lookup::{LookupTable, Parent, company_key};
use tether::import::mapping::{
    ColumnMapping, ImportMapping, KeyMapping, LookupMapping, date_format_from_label,
};
use tether::import::run::{ImportJob, run_import};
use tether::import::validate::Validator;
use tether::import::verdict::{Context as Decide, KeyCounts, decide};
use tether::import::{ReadOptions, Rows};
use tether::salesforce::{Client, ClientConfig, CollectionOptions, Credentials};
use tokio_util::sync::CancellationToken;

const ACCOUNTS: usize = 200;
const STAGES: [(&str, &str); 4] = [
    ("Won", "Closed Won"),
    ("Lost", "Closed Lost"),
    ("Proposal Sent", "Proposal/Price Quote"),
    ("Cold", "Prospecting"),
];

/// Forgets the peak so far, so the next phase's peak is its own (Linux; elsewhere the peak
/// stays that of the whole process).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn account_name(n: usize) -> String {
    format!("Company {n:03} Holdings")
}

/// Writes the sheet: about one row in twenty is wrong in one way.
pub fn write_sheet(path: &Path, rows: usize) -> anyhow::Result<()> {
    let mut out = String::with_capacity(rows * 90);
    out.push_str("Opp #,Deal Name,Account,Stage,Amount,Close Date\r\n");
    for i in 0..rows {
        let account = account_name(i % ACCOUNTS);
        let account = match i % 3 {
            0 => account,
            1 => account.to_uppercase(),
            _ => account.replace("Holdings", "Holdings Inc."),
        };
        let stage = STAGES[i % STAGES.len()].0;
        let (amount, date) = match i % 20 {
            7 => ("TBD".to_string(), "03/04/2024".to_string()),
            13 => (format!("${},{:03}.50", i % 90 + 1, i % 1000), String::new()),
            _ => (
                format!("${},{:03}.50", i % 90 + 1, i % 1000),
                format!("{:02}/{:02}/{}", i % 12 + 1, i % 28 + 1, 2019 + i % 6),
            ),
        };
        let _ = write!(
            out,
            "B-{i:07},Deal {i},{account},{stage},\"{amount}\",{date}\r\n"
        );
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

fn mapping() -> ImportMapping {
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    if let Some(format) = date_format_from_label("MM/DD/YYYY") {
        mapping.formats.date = format;
    }
    let mut stage = ColumnMapping::new("Stage", "StageName");
    stage.values = STAGES
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    mapping.columns = vec![
        ColumnMapping::new("Deal Name", "Name"),
        stage,
        ColumnMapping::new("Amount", "Amount"),
        ColumnMapping::new("Close Date", "CloseDate"),
    ];
    mapping.lookups.push(LookupMapping {
        required: true,
        ..LookupMapping::new("Account", "AccountId", "Account", &["Name"])
    });
    mapping
}

fn measure(what: &str, records: usize, calls: usize, started: Instant) -> Measurement {
    Measurement {
        what: what.into(),
        records,
        calls,
        elapsed: started.elapsed(),
        peak_rss_mb: peak_rss_mb(),
    }
}

/// Runs the import phases on a sheet of `rows` rows.
pub async fn run(rows: usize) -> anyhow::Result<Vec<Measurement>> {
    let dir = super::sync::ScratchDir::new()?;
    let sheet = dir.0.join("opportunities.csv");
    let mut report = Vec::new();
    let started = Instant::now();
    write_sheet(&sheet, rows)?;
    report.push(measure("import: write the sheet", rows, 0, started));

    let org = SandboxOrg::start(OrgConfig {
        daily_api_limit: 5_000_000,
        ..OrgConfig::default()
    })
    .await
    .context("starting the sandbox org for the import benchmark")?;
    let http = reqwest::Client::new();
    let token = login(&http, &org.base_url()).await?;
    let client = Client::connect(
        &org.base_url(),
        Credentials::access_token(&token),
        ClientConfig::default(),
    )
    .await?;
    let bodies: Vec<Map<String, Value>> = (0..ACCOUNTS)
        .map(|n| Map::from_iter([("Name".to_string(), Value::String(account_name(n)))]))
        .collect();
    let created = client
        .create_many("Account", &bodies, CollectionOptions::default())
        .await?;
    let describe = client.describe("Opportunity").await?;

    reset_peak();
    let started = Instant::now();
    let preview = tether::desktop::read_preview(sheet.clone(), None)?;
    report.push(measure(
        "import: preview (first 50 rows)",
        preview.rows.len(),
        0,
        started,
    ));

    reset_peak();
    let started = Instant::now();
    let parsed = Rows::open(&sheet, &ReadOptions::default())?
        .filter(Result::is_ok)
        .count();
    report.push(measure("import: parse every row", parsed, 0, started));

    reset_peak();
    let started = Instant::now();
    let mapping = mapping();
    let headers = Rows::open(&sheet, &ReadOptions::default())?
        .headers()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let validator = Validator::new(&describe, &mapping, &headers)?;
    let mut keys = KeyCounts::default();
    for row in Rows::open(&sheet, &ReadOptions::default())?.flatten() {
        if let Some(key) = validator.check(&row).key {
            keys.add(&key, row.number);
        }
    }
    let mut table = LookupTable::default();
    for (n, result) in created.iter().enumerate() {
        if let Some(id) = &result.id {
            table.found.insert(
                company_key(&account_name(n)),
                vec![Parent {
                    id: id.clone(),
                    name: account_name(n),
                }],
            );
        }
    }
    let tables = vec![table];
    let existing = HashMap::new();
    let context = Decide {
        validator: &validator,
        tables: &tables,
        keys: &keys,
        existing: &existing,
    };
    let mut valid = 0;
    for row in Rows::open(&sheet, &ReadOptions::default())?.flatten() {
        let texts = vec![validator.lookup_text(0, &row)];
        if decide(validator.check(&row), &texts, &context)
            .action
            .is_some()
        {
            valid += 1;
        }
    }
    report.push(measure(
        &format!("import: validate offline ({valid} valid)"),
        rows,
        0,
        started,
    ));

    reset_peak();
    let started = Instant::now();
    let workspace = dir.0.join("workspace.sqlite");
    let mut job = ImportJob::new(&sheet, "Sandbox org", mapping);
    job.dry_run = true;
    let check = run_import(&workspace, &client, &job, &CancellationToken::new(), None).await?;
    report.push(measure(
        "import: check against the org (dry run)",
        check.rows as usize,
        check.api_calls as usize,
        started,
    ));

    reset_peak();
    let started = Instant::now();
    job.dry_run = false;
    let load = run_import(&workspace, &client, &job, &CancellationToken::new(), None).await?;
    report.push(measure(
        &format!("import: load ({} created, Bulk API 2.0)", load.created),
        load.rows as usize,
        load.api_calls as usize,
        started,
    ));

    reset_peak();
    let started = Instant::now();
    let again = run_import(&workspace, &client, &job, &CancellationToken::new(), None).await?;
    report.push(measure(
        &format!("import: again ({} unchanged)", again.unchanged),
        again.rows as usize,
        again.api_calls as usize,
        started,
    ));
    org.shutdown().await;
    report.extend(hostile_workbooks(&dir.0)?);
    Ok(report)
}

/// Small workbooks that unpack to gigabytes or claim millions of rows, read through as an
/// import reads them: the peak memory is the figure to watch (under 256 MB).
fn hostile_workbooks(dir: &Path) -> anyhow::Result<Vec<Measurement>> {
    type Build = Box<dyn Fn(&Path) -> std::io::Result<()>>;
    let cases: [(&str, Build); 4] = [
        (
            "shared strings unpacking to 1.5 GB",
            Box::new(|p| super::hostile::shared_strings_bomb(p, 1_500)),
        ),
        (
            "one cell of 1 GB",
            Box::new(|p| super::hostile::huge_cell(p, 1_000)),
        ),
        (
            "20 M rows",
            Box::new(|p| super::hostile::many_rows(p, 20_000_000)),
        ),
        (
            "500 rows of 900 KB from one shared string",
            Box::new(|p| super::hostile::wide_rows(p, 500, 9, 100)),
        ),
    ];
    let mut report = Vec::new();
    for (n, (what, build)) in cases.iter().enumerate() {
        let path = dir.join(format!("hostile-{n}.xlsx"));
        build(&path).with_context(|| format!("writing {}", path.display()))?;
        let size_mb = std::fs::metadata(&path)?.len() as f64 / f64::from(1 << 20);
        reset_peak();
        let started = Instant::now();
        let (mut rows, mut invalid) = (0, 0);
        let outcome = match Rows::open(&path, &ReadOptions::default()) {
            Err(e) => kind_of(&e),
            Ok(read) => {
                let mut stopped = None;
                for item in read {
                    match item {
                        Ok(_) => rows += 1,
                        Err(e) if e.is_row_local() => invalid += 1,
                        Err(e) => stopped = Some(kind_of(&e)),
                    }
                }
                match stopped {
                    Some(kind) => format!("{rows} rows read, then {kind}"),
                    None => format!("{rows} rows read, {invalid} invalid"),
                }
            }
        };
        report.push(measure(
            &format!("import: hostile {size_mb:.1} MB xlsx, {what}: {outcome}"),
            rows + invalid,
            0,
            started,
        ));
    }
    Ok(report)
}

/// The error's name, for a line of the report.
fn kind_of(error: &tether::import::ImportError) -> String {
    let debug = format!("{error:?}");
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_string()
}
