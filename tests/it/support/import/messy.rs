//! A sales manager's opportunity sheets as they really look, written from a seed together with
//! the truth about every row: what a correct import stores for it, or the one reason it is refused.
//!
//! Two files: an older UTF-8 sheet (comma, US dates and dollars) and a later Excel export in
//! Windows-1252 (semicolon, German dates and euros), both with Windows line endings. Accounts are
//! written three ways, stages in the manager's own words, products in many spellings; a few rows
//! in every hundred are wrong in exactly one way.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

#[path = "messy_rng.rs"]
mod rng;
#[path = "messy_words.rs"]
mod words;

use rng::Rng;
use words::{
    DEAL_KINDS, HIS_STAGES, LEGAL_FORMS, NAMED_ACCOUNTS, PRODUCT_TYPOS, PRODUCTS, SECTORS,
    STAGE_TYPOS, STAGE_WEIGHTS, STEMS, check_word_lists,
};
pub use words::{SALESFORCE_STAGES, SUFFIX_WORDS};

pub const HEADERS: [&str; 7] = [
    "Opp #",
    "Deal Name",
    "Account",
    "Stage",
    "Amount",
    "Close Date",
    "Product",
];

pub const FILE_NAMES: [&str; 2] = [
    "opportunities-2019-2023.csv",
    "opportunities-2024-export.csv",
];

pub struct MessyFiles {
    /// [0] = the older sheet, [1] = the Windows-1252 Excel export.
    pub files: Vec<PathBuf>,
    /// The canonical account names that exist in Salesforce before the import.
    pub accounts: Vec<String>,
    /// One entry per data row of every file, in file order.
    pub rows: Vec<ExpectedRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedRow {
    pub file: usize,
    /// The line as a person sees it: the header is 1, the first data row 2.
    pub row: u64,
    /// The `Opp #` cell as written (may be blank).
    pub key: String,
    pub expect: Expect,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Valid(Valid),
    Invalid(Problem),
}

/// What the import stores for a valid row.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub name: String,
    /// The canonical account name.
    pub account: String,
    /// The Salesforce `StageName`.
    pub stage: String,
    pub amount: Option<f64>,
    /// ISO `yyyy-mm-dd`.
    pub close_date: String,
    /// The canonical product name, or the cell as written when no spelling maps it.
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    BlankKey,
    DuplicateKey,
    BlankAccount,
    UnknownAccount,
    BlankCloseDate,
    UnknownStage,
    BadAmount,
    BadDate,
    /// More or fewer cells than the header (planted by the load tests, never by [`build`]).
    Ragged,
}

/// An account name as the lookup compares it: lowercase, without `. , ' " & ( )`, single spaces,
/// trailing legal-form words dropped.
pub fn normalize_account(name: &str) -> String {
    let lower: String = name
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | '\'' | '"' | '&' | '(' | ')'))
        .collect();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    while words.last().is_some_and(|w| SUFFIX_WORDS.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// The 100 accounts that exist before the import.
pub fn canonical_accounts() -> Vec<String> {
    let mut names: Vec<String> = NAMED_ACCOUNTS.iter().map(|n| n.to_string()).collect();
    for (i, stem) in STEMS.iter().enumerate() {
        let sector = SECTORS[i % SECTORS.len()];
        let form = LEGAL_FORMS[i % LEGAL_FORMS.len()];
        names.push(format!("{stem} {sector} {form}").trim_end().to_string());
    }
    names
}

/// His stage names → Salesforce StageName, for the mapping's value map.
pub fn stage_value_map() -> Vec<(&'static str, &'static str)> {
    HIS_STAGES.to_vec()
}

/// Product spellings → canonical product, for the Description column's value map.
pub fn product_value_map() -> Vec<(String, String)> {
    PRODUCTS
        .iter()
        .flat_map(|(canonical, _)| {
            spellings(canonical)
                .into_iter()
                .map(move |s| (s, canonical.to_string()))
        })
        .collect()
}

/// `Widget Pro`, `widget pro`, `WIDGET PRO`, `WidgetPro`, `Widget-Pro`, `Widget pro`.
fn spellings(canonical: &str) -> Vec<String> {
    let (first, rest) = canonical.split_once(' ').unwrap_or((canonical, ""));
    vec![
        canonical.to_string(),
        canonical.to_lowercase(),
        canonical.to_uppercase(),
        canonical.replace(' ', ""),
        canonical.replace(' ', "-"),
        format!("{first} {}", rest.to_lowercase()),
    ]
}

/// Builds both files in `dir` (created if missing); the same seed always gives the same bytes.
pub fn build(dir: &Path, seed: u64) -> MessyFiles {
    let accounts: Vec<Account> = canonical_accounts()
        .iter()
        .map(|n| Account::new(n))
        .collect();
    let known: HashSet<String> = accounts.iter().map(|a| a.normalized.clone()).collect();
    assert_eq!(
        known.len(),
        accounts.len(),
        "two accounts look the same to the lookup"
    );
    check_word_lists(&known);

    let mut rng = Rng(seed);
    let counts = [5_900 + rng.below(201), 2_900 + rng.below(201)];
    let weights = account_weights(&mut rng, accounts.len());
    let mut sheets: Vec<Vec<Line>> = [Sheet::Older, Sheet::Export]
        .into_iter()
        .zip(counts)
        .map(|(sheet, n)| draft_sheet(&mut rng, sheet, n as usize, &accounts, &weights))
        .collect();
    for (sheet, lines) in [Sheet::Older, Sheet::Export].into_iter().zip(&mut sheets) {
        break_rows(&mut rng, sheet, lines, &accounts, &known);
    }
    duplicate_keys(&mut rng, &mut sheets);
    check_truth(&sheets, &accounts);

    std::fs::create_dir_all(dir).expect("create the directory for the sheets");
    let mut files = Vec::new();
    let mut rows = Vec::new();
    for (file, (sheet, lines)) in [Sheet::Older, Sheet::Export]
        .into_iter()
        .zip(&sheets)
        .enumerate()
    {
        let path = dir.join(FILE_NAMES[file]);
        std::fs::write(&path, sheet.encode(lines)).expect("write a sheet");
        files.push(path);
        rows.extend(lines.iter().enumerate().map(|(i, line)| ExpectedRow {
            file,
            row: i as u64 + 2,
            key: line.cells[0].clone(),
            expect: match line.problem {
                Some(problem) => Expect::Invalid(problem),
                None => Expect::Valid(line.valid.clone()),
            },
        }));
    }
    MessyFiles {
        files,
        accounts: accounts.into_iter().map(|a| a.name).collect(),
        rows,
    }
}

struct Account {
    name: String,
    /// The name without its trailing legal-form words, and those words.
    core: String,
    legal_form: Option<String>,
    normalized: String,
}

impl Account {
    fn new(name: &str) -> Self {
        let mut words: Vec<&str> = name.split_whitespace().collect();
        let mut form = Vec::new();
        while words.len() > 1
            && words
                .last()
                .is_some_and(|w| normalize_account(w).is_empty())
        {
            form.insert(0, words.pop().unwrap_or_default());
        }
        Self {
            name: name.to_string(),
            core: words.join(" "),
            legal_form: (!form.is_empty()).then(|| legal_form_key(&form.join(" "))),
            normalized: normalize_account(name),
        }
    }
}

fn legal_form_key(form: &str) -> String {
    form.to_lowercase().replace(['.', ','], "")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sheet {
    /// UTF-8, comma, `MM/DD/YYYY`, `$1,200.50`, 2019 to 2023.
    Older,
    /// Windows-1252, semicolon, `DD.MM.YYYY`, `1.200,50 €`, 2024.
    Export,
}

impl Sheet {
    fn index(self) -> usize {
        match self {
            Self::Older => 0,
            Self::Export => 1,
        }
    }

    fn years(self) -> (i32, i32) {
        match self {
            Self::Older => (2019, 2023),
            Self::Export => (2024, 2024),
        }
    }

    fn date(self, year: i32, month: u32, day: u32) -> String {
        match self {
            Self::Older => format!("{month:02}/{day:02}/{year}"),
            Self::Export => format!("{day:02}.{month:02}.{year}"),
        }
    }

    fn amount(self, rng: &mut Rng, cents: u64) -> String {
        let (whole, fraction) = (cents / 100, cents % 100);
        let style = rng.unit();
        match self {
            Self::Older if style < 0.7 && fraction == 0 => format!("${}", group(whole, ',')),
            Self::Older if style < 0.7 => format!("${}.{fraction:02}", group(whole, ',')),
            Self::Older if style < 0.9 => format!("{}.{fraction:02}", group(whole, ',')),
            Self::Older => format!("{whole}.{fraction:02}"),
            Self::Export if fraction == 0 && style < 0.8 => format!("{} €", group(whole, '.')),
            Self::Export => format!("{},{fraction:02} €", group(whole, '.')),
        }
    }

    fn bad_amounts(self) -> &'static [&'static str] {
        match self {
            Self::Older => &["TBD", "n/a", "call me", "tbc", "see email", "?"],
            Self::Export => &["TBD", "k.A.", "offen", "n/a", "siehe Mail"],
        }
    }

    fn encode(self, lines: &[Line]) -> Vec<u8> {
        let delimiter = match self {
            Self::Older => b',',
            Self::Export => b';',
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(HEADERS).expect("write the header");
        for line in lines {
            writer.write_record(&line.cells).expect("write a row");
        }
        let text = writer.into_inner().expect("finish the sheet");
        match self {
            Self::Older => text,
            Self::Export => windows_1252(&String::from_utf8(text).expect("cells are UTF-8")),
        }
    }
}

/// Encodes text that only uses characters Windows-1252 has (ASCII, Latin-1 letters, `€`).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match u32::from(c) {
            code @ (0..=0x7F | 0xA0..=0xFF) => code as u8,
            _ if c == '€' => 0x80,
            _ => panic!("{c:?} has no byte in Windows-1252"),
        })
        .collect()
}

fn group(whole: u64, separator: char) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// One data row: its cells in [`HEADERS`] order, what a clean import stores, and what breaks it.
struct Line {
    cells: [String; 7],
    account: usize,
    year: i32,
    valid: Valid,
    problem: Option<Problem>,
}

/// Some accounts buy far more than others: weights fall with a seeded rank.
fn account_weights(rng: &mut Rng, count: usize) -> Vec<f64> {
    let mut ranks: Vec<usize> = (0..count).collect();
    rng.shuffle(&mut ranks);
    ranks
        .iter()
        .map(|&rank| 1.0 / ((rank + 1) as f64).powf(0.9))
        .collect()
}

/// Rows in key order, every one valid; [`break_rows`] then spoils some.
fn draft_sheet(
    rng: &mut Rng,
    sheet: Sheet,
    n: usize,
    accounts: &[Account],
    weights: &[f64],
) -> Vec<Line> {
    // Every account shows up in both files; the rest follows the weights.
    let mut owners: Vec<usize> = (0..accounts.len()).flat_map(|a| [a, a]).collect();
    while owners.len() < n {
        owners.push(rng.weighted_f64(weights));
    }
    rng.shuffle(&mut owners);
    let (first_year, last_year) = sheet.years();
    let years = (last_year - first_year + 1) as usize;
    let mut sequence = 0;
    let mut current_year = 0;
    let mut lines = Vec::with_capacity(n);
    for (i, &owner) in owners.iter().enumerate().take(n) {
        let year = first_year + (i * years / n) as i32;
        if year != current_year {
            current_year = year;
            sequence = 0;
        }
        sequence += 1;
        let account = &accounts[owner];
        let stage = SALESFORCE_STAGES[rng.weighted(&STAGE_WEIGHTS[sheet.index()])];
        let (amount_cell, amount) = if rng.chance(0.04) {
            (String::new(), None)
        } else {
            let cents = amount_cents(rng);
            (sheet.amount(rng, cents), Some(cents as f64 / 100.0))
        };
        let date = close_date(rng, year);
        let product = PRODUCTS[rng.weighted(&PRODUCTS.map(|p| p.1))].0;
        let (product_cell, description) = product_cell(rng, product);
        let name = deal_name(rng, sheet, &account.name, product);
        let cells = [
            format!("OPP-{:02}-{sequence:05}", year % 100),
            name.clone(),
            account_cell(rng, account),
            stage_cell(rng, stage),
            amount_cell,
            sheet.date(year, date.0, date.1),
            product_cell,
        ];
        lines.push(Line {
            cells,
            account: owner,
            year,
            valid: Valid {
                name,
                account: account.name.clone(),
                stage: stage.to_string(),
                amount,
                close_date: format!("{year:04}-{:02}-{:02}", date.0, date.1),
                description,
            },
            problem: None,
        });
    }
    lines
}

/// Between $500 and $250,000, spread evenly over orders of magnitude; often round.
fn amount_cents(rng: &mut Rng) -> u64 {
    let (low, high) = (500f64.ln(), 250_000f64.ln());
    let dollars = (low + rng.unit() * (high - low)).exp() as u64;
    let style = rng.unit();
    if style < 0.35 {
        (dollars / 100).max(5) * 100 * 100
    } else if style < 0.55 {
        dollars * 100
    } else {
        dollars * 100 + rng.below(100)
    }
}

/// Month and day in `year`; days up to 12 are common, so month and day can be mistaken.
fn close_date(rng: &mut Rng, year: i32) -> (u32, u32) {
    let month = 1 + rng.below(12) as u32;
    let days = days_in_month(year, month);
    let day = if rng.chance(0.55) {
        1 + rng.below(12) as u32
    } else {
        13 + rng.below(u64::from(days - 12)) as u32
    };
    (month, day)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    (28..=31)
        .rev()
        .find(|&d| NaiveDate::from_ymd_opt(year, month, d).is_some())
        .unwrap_or(28)
}

fn account_cell(rng: &mut Rng, account: &Account) -> String {
    let name = &account.name;
    let style = rng.unit();
    if style < 0.55 {
        return name.clone();
    }
    if style < 0.70 && name.is_ascii() {
        return if rng.chance(0.5) {
            name.to_uppercase()
        } else {
            name.to_lowercase()
        };
    }
    if style < 0.80 {
        return match rng.below(3) {
            0 => format!(" {name}"),
            1 => format!("{name} "),
            _ => name.replacen(' ', "  ", 1),
        };
    }
    let alternatives: &[&str] = match account.legal_form.as_deref() {
        Some("inc" | "incorporated") => &["Inc.", "Inc", "INC", "Incorporated"],
        Some("corp" | "corporation") => &["Corp.", "Corp", "Corporation", "CORP"],
        Some("co" | "company") => &["Co.", "Co", "Company", "& Co."],
        Some("ltd" | "limited") => &["Ltd.", "Ltd", "Limited", "LTD"],
        Some("llc") => &["L.L.C.", "LLC", "llc"],
        Some("gmbh") => &["GMBH", "Gmbh"],
        Some("ag") => &["A.G."],
        Some(_) => &["Inc."],
        None => &["Inc.", "Ltd", "LLC"],
    };
    if account.legal_form.is_some() && rng.chance(0.3) {
        account.core.clone()
    } else {
        format!("{} {}", account.core, rng.pick(alternatives))
    }
}

/// A misspelt account: a letter of the name swapped, dropped, doubled or changed.
fn account_typo(rng: &mut Rng, account: &Account, known: &HashSet<String>) -> String {
    let rest = account.name.strip_prefix(&account.core).unwrap_or_default();
    for _ in 0..50 {
        let mut core: Vec<char> = account.core.chars().collect();
        // Inside a word, so the typo is a letter and not a space or an apostrophe.
        let inner: Vec<usize> = (1..core.len().saturating_sub(1))
            .filter(|&i| (i - 1..=i + 1).all(|j| core[j].is_alphabetic()))
            .collect();
        let at = *rng.pick(&inner);
        match rng.below(4) {
            0 => core.swap(at, at + 1),
            1 => {
                core.remove(at);
            }
            2 => core.insert(at, core[at]),
            _ => core[at] = *rng.pick(&['a', 'e', 'i', 'o', 'u', 'r', 'n']),
        }
        let typo = format!("{}{rest}", core.into_iter().collect::<String>());
        let normalized = normalize_account(&typo);
        if !normalized.is_empty() && !known.contains(&normalized) {
            return typo;
        }
    }
    panic!("no typo found for {}", account.name)
}

fn stage_cell(rng: &mut Rng, stage: &str) -> String {
    let his = HIS_STAGES.iter().find(|(_, sf)| *sf == stage);
    match his {
        Some((his, _)) if rng.chance(0.7) => {
            let style = rng.unit();
            if style < 0.75 {
                his.to_string()
            } else if style < 0.85 {
                his.to_lowercase()
            } else if style < 0.93 {
                his.to_uppercase()
            } else {
                format!("{his} ")
            }
        }
        _ => stage.to_string(),
    }
}

/// The product cell and the description it becomes.
fn product_cell(rng: &mut Rng, product: &str) -> (String, String) {
    if rng.chance(0.02) {
        let typo = rng.pick(&PRODUCT_TYPOS).to_string();
        return (typo.clone(), typo);
    }
    let spelling = spellings(product).swap_remove(rng.weighted(&[55, 10, 8, 10, 10, 7]));
    (spelling, product.to_string())
}

fn deal_name(rng: &mut Rng, sheet: Sheet, account: &str, product: &str) -> String {
    let kind = rng.pick(&DEAL_KINDS);
    let style = rng.unit();
    let name = if style < 0.78 {
        format!("{account} - {product} {kind}")
    } else if style < 0.88 {
        format!("{account}, {product} {kind}")
    } else if style < 0.94 {
        format!("{product} for {account}")
    } else if style < 0.97 || sheet == Sheet::Older {
        format!("{account} - \"{product}\" {kind}")
    } else {
        format!("{account} - {product}; {kind}")
    };
    assert!(name.chars().count() <= 120, "deal name too long: {name}");
    name
}

/// Spoils about one row in twelve, each in exactly one way, every kind at least three times.
fn break_rows(
    rng: &mut Rng,
    sheet: Sheet,
    lines: &mut [Line],
    accounts: &[Account],
    known: &HashSet<String>,
) {
    use Problem::*;
    const KINDS: [(Problem, u32); 7] = [
        (BlankAccount, 24),
        (BlankCloseDate, 24),
        (UnknownAccount, 16),
        (UnknownStage, 12),
        (BadAmount, 10),
        (BadDate, 8),
        (BlankKey, 6),
    ];
    let target = lines.len() * 85 / 1000;
    let mut problems: Vec<Problem> = KINDS.iter().flat_map(|(k, _)| [*k; 3]).collect();
    while problems.len() < target {
        problems.push(KINDS[rng.weighted(&KINDS.map(|k| k.1))].0);
    }
    let mut positions: Vec<usize> = (0..lines.len()).collect();
    rng.shuffle(&mut positions);
    for (&at, problem) in positions.iter().zip(problems) {
        let line = &mut lines[at];
        line.problem = Some(problem);
        let cells = &mut line.cells;
        match problem {
            BlankKey => cells[0].clear(),
            BlankAccount => cells[2].clear(),
            UnknownAccount => cells[2] = account_typo(rng, &accounts[line.account], known),
            UnknownStage => cells[3] = rng.pick(&STAGE_TYPOS).to_string(),
            BadAmount => cells[4] = rng.pick(sheet.bad_amounts()).to_string(),
            BlankCloseDate => cells[5].clear(),
            BadDate => {
                let mut impossible = vec![(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31)];
                if days_in_month(line.year, 2) == 28 {
                    impossible.push((2, 29));
                }
                let (month, day) = *rng.pick(&impossible);
                cells[5] = sheet.date(line.year, month, day);
            }
            DuplicateKey => unreachable!("duplicates are made afterwards"),
            Ragged => unreachable!("ragged rows are planted by the load tests"),
        }
    }
}

/// Copies keys between otherwise valid rows of one sheet: three pairs in each. A key shared
/// by two sheets is not a duplicate: the second sheet's row updates the first one's record.
fn duplicate_keys(rng: &mut Rng, sheets: &mut [Vec<Line>]) {
    for (first_file, second_file) in [(0, 0), (0, 0), (0, 0), (1, 1), (1, 1), (1, 1)] {
        let first = pick_valid(rng, &sheets[first_file]);
        sheets[first_file][first].problem = Some(Problem::DuplicateKey);
        let second = pick_valid(rng, &sheets[second_file]);
        let key = sheets[first_file][first].cells[0].clone();
        let line = &mut sheets[second_file][second];
        line.cells[0] = key;
        line.problem = Some(Problem::DuplicateKey);
    }
}

fn pick_valid(rng: &mut Rng, lines: &[Line]) -> usize {
    loop {
        let at = rng.below(lines.len() as u64) as usize;
        if lines[at].problem.is_none() {
            return at;
        }
    }
}

/// What the acceptance test relies on, checked once here rather than hoped for.
fn check_truth(sheets: &[Vec<Line>], accounts: &[Account]) {
    let mut valid_rows = vec![0usize; accounts.len()];
    let mut keys = HashSet::new();
    for line in sheets.iter().flatten() {
        if line.problem.is_none() {
            valid_rows[line.account] += 1;
        }
        if !matches!(
            line.problem,
            Some(Problem::DuplicateKey | Problem::BlankKey)
        ) {
            assert!(
                keys.insert(&line.cells[0]),
                "key {} repeated",
                line.cells[0]
            );
        }
    }
    for (account, count) in accounts.iter().zip(valid_rows) {
        assert!(count >= 3, "{} has only {count} valid rows", account.name);
    }
}
