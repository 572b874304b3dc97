//! What can go wrong while reading a spreadsheet, said so that a person knows what to fix.

use std::fmt;

/// A 1-based column position, shown both as a number and as a spreadsheet letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column(pub usize);

impl Column {
    /// The column's spreadsheet letters: 1 → `A`, 27 → `AA`.
    pub fn letters(self) -> String {
        let mut n = self.0;
        let mut letters = Vec::new();
        while n > 0 {
            let rem = (n - 1) % 26;
            letters.push(b'A' + rem as u8);
            n = (n - 1) / 26;
        }
        letters.reverse();
        String::from_utf8_lossy(&letters).into_owned()
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.letters())
    }
}

/// An error while reading a CSV, TSV or XLSX file. `row` is the line (or sheet row) a person
/// sees when opening the file; `file` is the name the caller gave for it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot be opened ({source}). Check the path and that you may read the file.")]
    Open {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file}: reading stopped at row {row} ({source}). Check that the file is still there and readable, then try again."
    )]
    Io {
        file: String,
        row: u64,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} is empty: there is nothing to import. Choose the file that holds the data.")]
    Empty { file: String },
    #[error(
        "{file} is not a text spreadsheet: it looks like {what}. Export it as CSV, or open an .xlsx workbook as .xlsx."
    )]
    Binary { file: String, what: String },
    #[error(
        "{file} has a header row but no data rows. Choose the file that holds the data, or add rows below the header."
    )]
    HeaderOnly { file: String },
    #[error(
        "{file}: duplicate header `{name}` in columns {first} and {second}. Rename one of them so that every column has its own name."
    )]
    DuplicateHeader {
        file: String,
        name: String,
        first: Column,
        second: Column,
    },
    #[error(
        "{file}: the header of column {column} is empty. Give the column a name, or delete it if it holds nothing."
    )]
    BlankHeader { file: String, column: Column },
    #[error(
        "{file}: row {row} has {found} cells where the header has {expected}. Check that row for a missing or extra delimiter, or a cell that should have been quoted."
    )]
    RaggedRow {
        file: String,
        row: u64,
        found: usize,
        expected: usize,
        /// The row's cells as read, so that the row can still be shown and fixed.
        cells: Vec<String>,
    },
    #[error(
        "{file}: unclosed quote at row {row}, column {column}: the quoted cell runs to the end of the file. Add the missing closing quote (\"), or double any quote inside the cell (\"\")."
    )]
    UnclosedQuote {
        file: String,
        row: u64,
        column: Column,
    },
    #[error(
        "{file}: row {row} holds bytes that are not valid {encoding}, so the encoding was guessed wrong. Re-save the file as UTF-8, or choose its encoding (often Windows-1252 for Excel exports)."
    )]
    WrongEncoding {
        file: String,
        row: u64,
        encoding: &'static str,
    },
    #[error(
        "{file}: row {row}, column {column} contains the control character {code}, which Salesforce does not accept. Remove it from the cell; if many rows have it, the file may not be a text export."
    )]
    ControlCharacter {
        file: String,
        row: u64,
        column: Column,
        code: String,
    },
    #[error(
        "{file}: the row starting at row {row} is longer than {limit} bytes. A quote is probably left open there; close it, or split the oversized cell."
    )]
    RowTooLarge {
        file: String,
        row: u64,
        limit: usize,
    },
    #[error(
        "{file}: row {row} has a value in column {column}, which has no header. Give that column a header, or clear the stray value."
    )]
    ValueWithoutHeader {
        file: String,
        row: u64,
        column: Column,
    },
    #[error(
        "{file}: there is no sheet named `{sheet}`; the workbook has {available}. Choose one of those."
    )]
    SheetNotFound {
        file: String,
        sheet: String,
        available: String,
    },
    #[error(
        "{file}: the workbook cannot be read ({reason}). Open it in a spreadsheet program, save it again as .xlsx, and retry."
    )]
    Workbook { file: String, reason: String },
    #[error(
        "{file}: row {row} holds the byte 0x{byte:02X} (byte {offset} of the file), which is not UTF-8, though the file reads as UTF-8 before it. Choose how to read it: correct that cell and save the file as UTF-8; or read such bytes as Windows-1252 (0x{byte:02X} is `{as_1252}`) and the rest as UTF-8, with the encoding \"UTF-8 with Windows-1252 bytes\" (--encoding utf-8+windows-1252); or read the whole file as Windows-1252 (--encoding windows-1252)."
    )]
    NotUtf8 {
        file: String,
        row: u64,
        byte: u8,
        offset: u64,
        as_1252: char,
    },
    #[error(
        "{file}: the sheet has more than {limit} rows (row {row} is past that). Split it into files of at most {limit} rows, or raise the limit with --max-rows."
    )]
    TooManyRows { file: String, row: u64, limit: u64 },
    #[error(
        "{file}: the workbook part `{part}` unpacks to more than {limit_mb} MB, far more than a sheet to import needs, so it was not read (the workbook may be damaged, or built to exhaust memory). Open it in a spreadsheet program, save the sheet as CSV, and import that."
    )]
    PartTooLarge {
        file: String,
        part: String,
        limit_mb: u64,
    },
    #[error(
        "{file}: the workbook part `{part}` holds a single cell or tag longer than {limit_mb} MB, which no Salesforce field takes, so it was not read. Open the workbook in a spreadsheet program, clear that cell, save, and import again."
    )]
    ElementTooLarge {
        file: String,
        part: String,
        limit_mb: u64,
    },
    #[error(
        "{file}: the workbook part `{part}` holds more than {limit} cells, more than one import reads. Split the sheet into smaller workbooks or CSV files and import them one by one."
    )]
    TooManyCells {
        file: String,
        part: String,
        limit: u64,
    },
    #[error(
        "{file}: cell {cell} lies past column XFD, the last column a sheet has, so the workbook is damaged. Open it in a spreadsheet program, save it again as .xlsx, and retry."
    )]
    CellPastLastColumn { file: String, cell: String },
    #[error(
        "{file}: row {row} holds more than {limit} bytes of text, more than a Salesforce record takes. Check that row for cells filled by mistake, and clear or shorten them."
    )]
    RowOverBudget {
        file: String,
        row: u64,
        limit: usize,
    },
    #[error(
        "{file}: row {row}, column {column} holds the Excel error {value}, not a value. Fix the formula behind it (or clear the cell) in the workbook, save, and import again."
    )]
    ExcelError {
        file: String,
        row: u64,
        column: Column,
        value: String,
    },
    #[error(
        "{file}: row {row}, column {column} holds a formula whose result was never saved (the workbook was written by a program that does not calculate). Open the workbook in a spreadsheet program and save it, so that every formula keeps its value, then import again."
    )]
    FormulaWithoutValue {
        file: String,
        row: u64,
        column: Column,
    },
}

impl ImportError {
    /// The row the error is about, when it is about one row.
    pub fn row(&self) -> Option<u64> {
        match self {
            Self::Io { row, .. }
            | Self::RaggedRow { row, .. }
            | Self::UnclosedQuote { row, .. }
            | Self::WrongEncoding { row, .. }
            | Self::ControlCharacter { row, .. }
            | Self::RowTooLarge { row, .. }
            | Self::ValueWithoutHeader { row, .. }
            | Self::NotUtf8 { row, .. }
            | Self::TooManyRows { row, .. }
            | Self::RowOverBudget { row, .. }
            | Self::ExcelError { row, .. }
            | Self::FormulaWithoutValue { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// Whether reading can go on with the next row after this error. Errors about the file as a
    /// whole, or about where one row ends, stop the reader.
    pub fn is_row_local(&self) -> bool {
        matches!(
            self,
            Self::RaggedRow { .. }
                | Self::ControlCharacter { .. }
                | Self::ValueWithoutHeader { .. }
                | Self::RowOverBudget { .. }
                | Self::ExcelError { .. }
                | Self::FormulaWithoutValue { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheet_naming() {
        for (n, letters) in [
            (1, "A"),
            (3, "C"),
            (26, "Z"),
            (27, "AA"),
            (52, "AZ"),
            (703, "AAA"),
        ] {
            assert_eq!(Column(n).letters(), letters, "column {n}");
        }
    }

    #[test]
    fn duplicate_header_message_names_both_columns() {
        let err = ImportError::DuplicateHeader {
            file: "deals.csv".into(),
            name: "Amount".into(),
            first: Column(3),
            second: Column(7),
        };
        let text = err.to_string();
        assert!(text.contains("deals.csv"), "{text}");
        assert!(
            text.contains("`Amount` in columns 3 (C) and 7 (G)"),
            "{text}"
        );
    }
}
