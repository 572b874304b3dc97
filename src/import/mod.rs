//! Reading spreadsheets to import: CSV and TSV in any common encoding and dialect, and `.xlsx`
//! workbooks, as one stream of rows with errors that name the file, row and column.

pub mod auto;
mod decode;
pub mod error;
pub mod fields;
pub mod lookup;
pub mod mapping;
pub mod parse;
pub mod reader;
pub mod results;
pub mod run;
pub mod sniff;
mod unpack;
pub mod validate;
pub mod verdict;
pub mod xlsx;

use std::path::Path;

pub use error::{Column, ImportError};
pub use reader::CsvRows;
pub use sniff::{Dialect, LineEnding, TextEncoding};
pub use xlsx::{XlsxRows, sheet_names};

/// One row of data. `number` is the line (or sheet row) where it starts, counted from 1 the way
/// a person sees the file, header included; quoted line breaks make later rows skip numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// What the caller knows better than sniffing. `None` means guess.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<u8>,
    pub has_header: Option<bool>,
    /// The sheet of a workbook; the first sheet when `None`.
    pub sheet: Option<String>,
    /// A record longer than this is refused, so an unclosed quote cannot swallow memory.
    pub max_row_bytes: usize,
    /// More data rows than this stop the reading with an error, so a sheet that claims
    /// millions of rows cannot run for minutes and fill the disk with a report.
    pub max_rows: u64,
}

/// The default of [`ReadOptions::max_rows`] (and of `--max-rows`).
pub const DEFAULT_MAX_ROWS: u64 = 1_000_000;

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            encoding: None,
            delimiter: None,
            has_header: None,
            sheet: None,
            max_row_bytes: 16 * 1024 * 1024,
            max_rows: DEFAULT_MAX_ROWS,
        }
    }
}

/// Rows of any supported file.
pub enum Rows {
    Csv(Box<CsvRows>),
    Xlsx(XlsxRows),
}

impl Rows {
    /// Opens `path` as a workbook when it ends in `.xlsx`, as delimited text otherwise.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Self, ImportError> {
        let is_workbook = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if is_workbook {
            XlsxRows::open(path, options).map(Self::Xlsx)
        } else {
            CsvRows::open(path, options).map(|rows| Self::Csv(Box::new(rows)))
        }
    }

    /// How a text file is written, for the preview; workbooks have no dialect.
    pub fn dialect(&self) -> Option<&Dialect> {
        match self {
            Self::Csv(rows) => Some(rows.dialect()),
            Self::Xlsx(_) => None,
        }
    }

    pub fn headers(&self) -> Option<&[String]> {
        match self {
            Self::Csv(rows) => rows.headers(),
            Self::Xlsx(rows) => rows.headers(),
        }
    }
}

impl Iterator for Rows {
    type Item = Result<Row, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Csv(rows) => rows.next(),
            Self::Xlsx(rows) => rows.next(),
        }
    }
}

/// Every column needs its own, non-blank name.
fn check_headers(file: &str, names: &[String]) -> Result<(), ImportError> {
    for (i, name) in names.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            return Err(ImportError::BlankHeader {
                file: file.to_string(),
                column: Column(i + 1),
            });
        }
        if let Some(first) = names[..i].iter().position(|n| n.trim() == name) {
            return Err(ImportError::DuplicateHeader {
                file: file.to_string(),
                name: name.to_string(),
                first: Column(first + 1),
                second: Column(i + 1),
            });
        }
    }
    Ok(())
}

/// Checks a row against the expected width (empty cells past it are dropped, since they hold
/// nothing) and refuses control characters.
fn clean_cells(file: &str, mut row: Row, width: usize) -> Result<Row, ImportError> {
    if row.cells.len() > width && row.cells[width..].iter().all(|c| c.trim().is_empty()) {
        row.cells.truncate(width);
    }
    if row.cells.len() != width {
        return Err(ImportError::RaggedRow {
            file: file.to_string(),
            row: row.number,
            found: row.cells.len(),
            expected: width,
            cells: row.cells,
        });
    }
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(c) = cell.chars().find(|c| sniff::is_stray_control(*c)) {
            return Err(ImportError::ControlCharacter {
                file: file.to_string(),
                row: row.number,
                column: Column(i + 1),
                code: format!("U+{:04X}", c as u32),
            });
        }
    }
    Ok(row)
}
