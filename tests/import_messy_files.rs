//! The messy opportunity sheets of the import acceptance test, read back through the import
//! reader and parsed under the import's rules: every row is what its ground truth says it is.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "import_support/messy.rs"]
mod messy;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use messy::{Expect, HEADERS, MessyFiles, Problem};
use tether::import::parse::{DateFormat, DateOrder, DateSeparator, NumberLocale};
use tether::import::{Dialect, LineEnding, ReadOptions, Row, Rows, TextEncoding};

const SEED: u64 = 7;

fn build(seed: u64) -> (tempfile::TempDir, MessyFiles) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = messy::build(dir.path(), seed);
    (dir, files)
}

struct Read {
    dialect: Dialect,
    headers: Vec<String>,
    rows: Vec<Row>,
}

fn read(path: &Path) -> Read {
    let rows = Rows::open(path, &ReadOptions::default()).expect("the sheet opens");
    let dialect = *rows.dialect().expect("a text file has a dialect");
    let headers = rows.headers().expect("the sheet has a header").to_vec();
    let rows = rows
        .map(|row| row.unwrap_or_else(|e| panic!("every row reads: {e}")))
        .collect();
    Read {
        dialect,
        headers,
        rows,
    }
}

/// How each file writes numbers and dates.
fn rules(file: usize) -> (NumberLocale, DateFormat) {
    let (locale, order, separator) = match file {
        0 => (
            NumberLocale::English,
            DateOrder::MonthDayYear,
            DateSeparator::Slash,
        ),
        _ => (
            NumberLocale::German,
            DateOrder::DayMonthYear,
            DateSeparator::Dot,
        ),
    };
    (locale, DateFormat::Ordered { order, separator })
}

fn stage_of(cell: &str) -> Option<String> {
    let his = messy::stage_value_map()
        .into_iter()
        .find(|(his, _)| his.eq_ignore_ascii_case(cell.trim()))
        .map(|(_, stage)| stage.to_string());
    his.or_else(|| {
        messy::SALESFORCE_STAGES
            .contains(&cell)
            .then(|| cell.to_string())
    })
}

fn description_of(cell: &str) -> String {
    messy::product_value_map()
        .into_iter()
        .find(|(spelling, _)| spelling == cell)
        .map_or_else(|| cell.to_string(), |(_, canonical)| canonical)
}

/// Every rule but duplicate keys, which need the whole import.
fn problems_of(cells: &[String], file: usize, known: &HashSet<String>) -> Vec<Problem> {
    let (locale, dates) = rules(file);
    let mut problems = Vec::new();
    if cells[0].trim().is_empty() {
        problems.push(Problem::BlankKey);
    }
    if cells[2].trim().is_empty() {
        problems.push(Problem::BlankAccount);
    } else if !known.contains(&messy::normalize_account(&cells[2])) {
        problems.push(Problem::UnknownAccount);
    }
    if stage_of(&cells[3]).is_none() {
        problems.push(Problem::UnknownStage);
    }
    if locale.parse(&cells[4]).is_err() {
        problems.push(Problem::BadAmount);
    }
    match dates.parse_date(&cells[5]) {
        Ok(None) => problems.push(Problem::BlankCloseDate),
        Err(_) => problems.push(Problem::BadDate),
        Ok(Some(_)) => {}
    }
    problems
}

#[test]
fn both_sheets_sniff_as_written_and_rows_line_up_with_the_truth() {
    let (_dir, messy) = build(SEED);
    let expected = [
        (TextEncoding::Utf8, b','),
        (TextEncoding::Windows1252, b';'),
    ];
    for (file, (path, (encoding, delimiter))) in messy.files.iter().zip(expected).enumerate() {
        let sheet = read(path);
        assert_eq!(sheet.dialect.encoding, encoding, "file {file}");
        assert_eq!(sheet.dialect.delimiter, delimiter, "file {file}");
        assert_eq!(sheet.dialect.line_ending, LineEnding::Crlf, "file {file}");
        assert!(sheet.dialect.has_header, "file {file}");
        assert_eq!(sheet.headers, HEADERS, "file {file}");
        let truth: Vec<_> = messy.rows.iter().filter(|r| r.file == file).collect();
        assert_eq!(sheet.rows.len(), truth.len(), "file {file}");
        for (row, truth) in sheet.rows.iter().zip(truth) {
            assert_eq!(row.number, truth.row, "file {file}");
            assert_eq!(row.cells[0], truth.key, "file {file} row {}", row.number);
        }
    }
}

#[test]
fn every_row_breaks_exactly_the_rules_its_truth_says() {
    let (_dir, messy) = build(SEED);
    let known: HashSet<String> = messy
        .accounts
        .iter()
        .map(|a| messy::normalize_account(a))
        .collect();
    let sheets: Vec<Read> = messy.files.iter().map(|p| read(p)).collect();
    let mut key_count: HashMap<&str, usize> = HashMap::new();
    for row in sheets.iter().flat_map(|s| &s.rows) {
        if !row.cells[0].trim().is_empty() {
            *key_count.entry(row.cells[0].as_str()).or_default() += 1;
        }
    }
    let mut truth = messy.rows.iter();
    for (file, sheet) in sheets.iter().enumerate() {
        let (locale, dates) = rules(file);
        for row in &sheet.rows {
            let truth = truth.next().expect("a truth per row");
            let at = format!("file {file} row {}: {:?}", row.number, row.cells);
            let mut found = problems_of(&row.cells, file, &known);
            if key_count.get(row.cells[0].as_str()).is_some_and(|n| *n > 1) {
                found.push(Problem::DuplicateKey);
            }
            let valid = match &truth.expect {
                Expect::Invalid(problem) => {
                    assert_eq!(found, [*problem], "{at}");
                    continue;
                }
                Expect::Valid(valid) => valid,
            };
            assert_eq!(found, [], "{at}");
            assert_eq!(row.cells[1], valid.name, "{at}");
            assert_eq!(
                messy::normalize_account(&row.cells[2]),
                messy::normalize_account(&valid.account),
                "{at}"
            );
            assert_eq!(stage_of(&row.cells[3]).as_ref(), Some(&valid.stage), "{at}");
            let amount = locale.parse(&row.cells[4]).expect("checked above");
            assert_eq!(amount.map(|a| a.value.to_f64()), valid.amount, "{at}");
            let date = dates.parse_date(&row.cells[5]).expect("checked above");
            assert_eq!(
                date.map(|d| d.format("%Y-%m-%d").to_string()).as_ref(),
                Some(&valid.close_date),
                "{at}"
            );
            assert_eq!(description_of(&row.cells[6]), valid.description, "{at}");
        }
    }
    assert!(truth.next().is_none(), "a truth without a row");
}

#[test]
fn the_sheets_have_the_size_and_mix_of_the_acceptance_scenario() {
    let (_dir, messy) = build(SEED);
    let per_file = |file| messy.rows.iter().filter(|r| r.file == file).count();
    assert!((5_900..=6_100).contains(&per_file(0)));
    assert!((2_900..=3_100).contains(&per_file(1)));
    assert_eq!(messy.accounts.len(), 100);

    let mut problems: HashMap<(usize, Problem), usize> = HashMap::new();
    let mut valid_per_account: HashMap<&str, usize> = HashMap::new();
    for row in &messy.rows {
        match &row.expect {
            Expect::Invalid(problem) => *problems.entry((row.file, *problem)).or_default() += 1,
            Expect::Valid(valid) => *valid_per_account.entry(&valid.account).or_default() += 1,
        }
    }
    let invalid: usize = problems.values().sum();
    let share = invalid as f64 / messy.rows.len() as f64;
    assert!((0.08..=0.10).contains(&share), "{invalid} invalid rows");
    use Problem::*;
    let every_kind = [
        BlankKey,
        DuplicateKey,
        BlankAccount,
        UnknownAccount,
        BlankCloseDate,
        UnknownStage,
        BadAmount,
        BadDate,
    ];
    for kind in every_kind {
        let in_file = |file| problems.get(&(file, kind)).copied().unwrap_or(0);
        assert!(in_file(0) > 0 && in_file(1) > 0, "{kind:?} in both files");
        assert!(in_file(0) + in_file(1) >= 5, "{kind:?} at least five times");
    }
    let duplicates = problems.get(&(0, DuplicateKey)).unwrap_or(&0)
        + problems.get(&(1, DuplicateKey)).unwrap_or(&0);
    assert!(duplicates >= 6, "at least three pairs");

    assert_eq!(valid_per_account.len(), messy.accounts.len());
    let fewest = valid_per_account.values().min().copied().unwrap_or(0);
    let most = valid_per_account.values().max().copied().unwrap_or(0);
    assert!(fewest >= 3, "every account has a few valid rows");
    assert!(most >= 10 * fewest, "some accounts have many more rows");
}

#[test]
fn accounts_dates_and_products_are_written_many_ways() {
    let (_dir, messy) = build(SEED);
    let sheets: Vec<Read> = messy.files.iter().map(|p| read(p)).collect();
    let cells = sheets.iter().flat_map(|s| &s.rows).zip(&messy.rows);
    let (mut exact, mut case_or_space, mut legal_form) = (0, 0, 0);
    let (mut early_days, mut late_days) = ([0; 2], [0; 2]);
    let mut spellings = HashSet::new();
    for (row, truth) in cells {
        let Expect::Valid(valid) = &truth.expect else {
            continue;
        };
        let cell = &row.cells[2];
        let loose = |s: &str| {
            s.to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        if *cell == valid.account {
            exact += 1;
        } else if loose(cell) == loose(&valid.account) {
            case_or_space += 1;
        } else {
            legal_form += 1;
        }
        let day: u32 = valid.close_date[8..].parse().expect("an ISO day");
        if day <= 12 {
            early_days[truth.file] += 1;
        } else {
            late_days[truth.file] += 1;
        }
        spellings.insert(row.cells[6].clone());
    }
    assert!(exact > 1_000 && case_or_space > 500 && legal_form > 500);
    for file in 0..2 {
        assert!(early_days[file] > late_days[file] / 2, "ambiguous dates");
        assert!(late_days[file] > 100, "dates that settle the format");
    }
    let typos = spellings
        .iter()
        .filter(|s| {
            description_of(s) == **s && !messy::product_value_map().iter().any(|(_, c)| c == *s)
        })
        .count();
    assert!(spellings.len() > 40, "{spellings:?}");
    assert!(typos >= 2, "misspelt products pass through");
}

#[test]
fn the_export_keeps_accented_account_names_in_windows_1252() {
    let (_dir, messy) = build(SEED);
    let bytes = std::fs::read(&messy.files[1]).expect("the export");
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    let muller = b"M\xFCller Maschinenbau GmbH";
    assert!(bytes.windows(muller.len()).any(|w| w == muller));
    assert!(bytes.windows(3).any(|w| w == b" \x80;"), "amounts in euros");

    let export = read(&messy.files[1]);
    let accented: Vec<&String> = messy.accounts.iter().filter(|a| !a.is_ascii()).collect();
    assert!(accented.len() >= 3);
    for account in accented {
        let written = export
            .rows
            .iter()
            .any(|row| row.cells[1].contains(account.as_str()));
        assert!(written, "{account} in a deal name of the export");
        let looked_up = export.rows.iter().any(|row| {
            messy::normalize_account(&row.cells[2]) == messy::normalize_account(account)
        });
        assert!(looked_up, "{account} in the account column of the export");
    }
}

#[test]
fn a_seed_always_writes_the_same_bytes() {
    let bytes = |seed| {
        let (_dir, messy) = build(seed);
        messy
            .files
            .iter()
            .map(|p| std::fs::read(p).expect("a sheet"))
            .collect::<Vec<_>>()
    };
    let first = bytes(SEED);
    assert_eq!(first, bytes(SEED));
    assert_ne!(first, bytes(SEED + 1));
}
