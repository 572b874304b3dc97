//! What the import tests share: the mapping a person builds for the messy opportunity sheets,
//! running an import into a test org, and reading what it wrote.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use tether::import::mapping::{ColumnMapping, ImportMapping, KeyMapping, LookupMapping};
use tether::import::parse::NumberLocale;
use tether::import::run::{ImportJob, ImportSummary, run_import};
use tether::salesforce::{BatchSize, Client, CollectionOptions};
use tokio_util::sync::CancellationToken;

use super::messy;
use crate::support::sync::Bench;

/// The mapping a person builds for the manager's sheets: his stage names and product
/// spellings in value maps, the account found by name, his opportunity number as the key.
pub fn mapping(dates: &str, numbers: NumberLocale) -> ImportMapping {
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    mapping.formats.date = tether::import::mapping::date_format_from_label(dates).unwrap();
    mapping.formats.number = numbers;
    let mut stage = ColumnMapping::new("Stage", "StageName");
    stage.values = messy::stage_value_map()
        .into_iter()
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .collect();
    let mut product = ColumnMapping::new("Product", "Description");
    product.values = messy::product_value_map().into_iter().collect();
    mapping.columns = vec![
        ColumnMapping::new("Deal Name", "Name"),
        stage,
        ColumnMapping::new("Amount", "Amount"),
        ColumnMapping::new("Close Date", "CloseDate"),
        product,
    ];
    mapping.lookups.push(LookupMapping {
        required: true,
        ..LookupMapping::new("Account", "AccountId", "Account", &["Name"])
    });
    mapping
}

pub fn mappings() -> [ImportMapping; 2] {
    [
        mapping("MM/DD/YYYY", NumberLocale::English),
        mapping("DD.MM.YYYY", NumberLocale::German),
    ]
}

pub async fn import(
    bench: &Bench,
    file: &Path,
    mapping: &ImportMapping,
    dry_run: bool,
) -> ImportSummary {
    let mut job = ImportJob::new(file, "Sandbox org", mapping.clone());
    job.dry_run = dry_run;
    job.out_dir = Some(bench.dir.path().join("out"));
    std::fs::create_dir_all(job.out_dir.as_ref().unwrap()).unwrap();
    run_import(
        &bench.path,
        &bench.client,
        &job,
        &CancellationToken::new(),
        None,
    )
    .await
    .expect("the import runs")
}

pub async fn query(client: &Client, soql: &str) -> Vec<Map<String, Value>> {
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, Some(BatchSize(2000)))
        .try_collect()
        .await
        .expect("query runs");
    pages.into_iter().flat_map(|p| p.records).collect()
}

pub async fn imported(client: &Client) -> Vec<Map<String, Value>> {
    query(
        client,
        "SELECT Id, Legacy_Opportunity_Id__c, Name, StageName, Amount, CloseDate, AccountId, Description
         FROM Opportunity WHERE Legacy_Opportunity_Id__c != null",
    )
    .await
}

pub async fn create_accounts(client: &Client, names: &[String]) -> HashMap<String, String> {
    let bodies: Vec<Map<String, Value>> = names
        .iter()
        .map(|n| json!({ "Name": n }).as_object().unwrap().clone())
        .collect();
    let results = client
        .create_many("Account", &bodies, CollectionOptions::default())
        .await
        .unwrap();
    results
        .into_iter()
        .zip(names)
        .map(|(r, n)| {
            assert!(r.success, "account {n}: {:?}", r.errors);
            (r.id.unwrap(), n.clone())
        })
        .collect()
}

/// A result file as rows of column → cell. Result files are in the sheet's own dialect: UTF-8
/// (with or without a byte-order mark) or Windows-1252, commas or semicolons.
pub fn read_results(path: &Path) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(utf8) => String::from_utf8(utf8.to_vec()).unwrap(),
        None => match String::from_utf8(bytes.clone()) {
            Ok(text) => text,
            Err(_) => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
        },
    };
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Accounts keyed by their old system's id (`Account Id`), each naming its parent account by
/// name (`Parent`); parents no record and no row has are created first.
pub fn accounts_mapping() -> ImportMapping {
    let mut mapping = ImportMapping::new("Account");
    mapping.key = Some(KeyMapping {
        column: "Account Id".into(),
        field: "External_Id__c".into(),
    });
    mapping.columns = vec![ColumnMapping::new("Account Name", "Name")];
    mapping.lookups.push(LookupMapping {
        create_missing: true,
        ..LookupMapping::new("Parent", "ParentId", "Account", &["Name"])
    });
    mapping
}

/// A sheet of regional accounts under `existing` accounts: for each, a holding under the
/// existing account, East and West offices under the holding and a Boston branch under the
/// East office, children written before their parents and parents spelled several ways.
/// Returns the sheet and, per row, its account's name and its parent's.
pub fn family_sheet(dir: &Path, existing: &[String]) -> (PathBuf, Vec<(String, String)>) {
    let mut text = String::from("Account Id,Account Name,Parent\r\n");
    let mut rows = Vec::new();
    for (n, account) in existing.iter().enumerate() {
        let stem = account.split_whitespace().next().unwrap_or("Unnamed");
        let holding = format!("{stem} Regional Holdings");
        let east = format!("{stem} Regional East");
        let family = [
            (format!("{east} Boston"), east.clone(), east.to_lowercase()),
            (east.clone(), holding.clone(), holding.clone()),
            (
                format!("{stem} Regional West"),
                holding.clone(),
                format!("{} Inc.", holding.to_uppercase()),
            ),
            (holding, account.clone(), account.clone()),
        ];
        for (i, (name, parent, written)) in family.into_iter().enumerate() {
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            writer
                .write_record([format!("F-{n}-{i}"), name.clone(), written])
                .unwrap();
            text.push_str(&String::from_utf8(writer.into_inner().unwrap()).unwrap());
            rows.push((name, parent));
        }
    }
    (write(dir, "regional-accounts.csv", &text), rows)
}

/// Appends to the older messy sheet a row with one cell too many and a row with one too few,
/// each carrying the key of a valid row above: both rows of each pair are then refused, and
/// the truth says so.
pub fn plant_ragged_twins(files: &mut messy::MessyFiles) {
    let path = files.files[0].clone();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let in_first: Vec<usize> = (0..files.rows.len())
        .filter(|&i| files.rows[i].file == 0)
        .collect();
    let valid: Vec<usize> = in_first
        .iter()
        .copied()
        .filter(|&i| matches!(files.rows[i].expect, messy::Expect::Valid(_)))
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut planted = Vec::new();
    let twins = [(valid[0], true), (valid[valid.len() / 2], false)];
    // The planted rows follow the sheet's last row.
    for (row, (twin, extra)) in (in_first.len() as u64 + 2..).zip(twins) {
        let original = &mut files.rows[twin];
        original.expect = messy::Expect::Invalid(messy::Problem::DuplicateKey);
        let mut cells: Vec<String> = records[(original.row - 2) as usize]
            .iter()
            .map(String::from)
            .collect();
        if extra {
            cells.push("call back Tuesday".into());
        } else {
            cells.pop();
        }
        writer.write_record(&cells).unwrap();
        planted.push(messy::ExpectedRow {
            file: 0,
            row,
            key: cells[0].clone(),
            expect: messy::Expect::Invalid(messy::Problem::Ragged),
        });
    }
    let at = in_first.last().map_or(0, |i| i + 1);
    files.rows.splice(at..at, planted);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, &writer.into_inner().unwrap()).unwrap();
}
