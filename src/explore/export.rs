//! A query's answer written to a file: CSV (text a spreadsheet would run as a formula is
//! neutralised, as in every CSV Tether writes) or XLSX with typed cells (numbers as numbers,
//! dates and datetimes as dates), row by row so a large answer never sits in memory twice.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::table::{Cell, Table};
use crate::import::results::neutralised;

/// The most rows a worksheet holds, the header included.
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// `.xlsx` is XLSX; anything else is CSV.
    pub fn of(path: &Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("xlsx") => FileFormat::Xlsx,
            _ => FileFormat::Csv,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "cannot write {path}: {source}. Choose a folder you may write to, and check there is space"
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the workbook {path}: {source}. Choose another file, or export as CSV")]
    Xlsx { path: PathBuf, source: XlsxError },
    #[error(
        "the result has more rows than a worksheet holds ({} at most); export it as CSV, or narrow the query with WHERE or LIMIT",
        XLSX_MAX_ROWS - 1
    )]
    TooManyRows,
}

/// Writes `table` to `path` in the format its extension names; returns the rows written.
pub fn export(table: &Table, path: &Path) -> Result<usize, ExportError> {
    let mut sink = Sink::create(path, &table.headers)?;
    for row in &table.rows {
        sink.row(row)?;
    }
    sink.finish()?;
    Ok(table.rows.len())
}

/// A file being written, one row at a time.
pub enum Sink {
    Csv {
        path: PathBuf,
        out: std::io::BufWriter<std::fs::File>,
    },
    Xlsx(Box<XlsxSheet>),
}

impl Sink {
    pub fn create(path: &Path, headers: &[String]) -> Result<Sink, ExportError> {
        match FileFormat::of(path) {
            FileFormat::Xlsx => Ok(Sink::Xlsx(Box::new(XlsxSheet::create(path, headers)?))),
            FileFormat::Csv => {
                let io = |source| ExportError::Io {
                    path: path.to_path_buf(),
                    source,
                };
                let file = std::fs::File::create(path).map_err(io)?;
                let mut out = std::io::BufWriter::new(file);
                writeln!(out, "{}", csv_line(headers.iter().cloned())).map_err(io)?;
                Ok(Sink::Csv {
                    path: path.to_path_buf(),
                    out,
                })
            }
        }
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        match self {
            Sink::Xlsx(sheet) => sheet.row(cells),
            Sink::Csv { path, out } => {
                writeln!(out, "{}", csv_row(cells)).map_err(|source| ExportError::Io {
                    path: path.clone(),
                    source,
                })
            }
        }
    }

    pub fn finish(self) -> Result<(), ExportError> {
        match self {
            Sink::Xlsx(sheet) => (*sheet).finish(),
            Sink::Csv { path, mut out } => out.flush().map_err(|source| ExportError::Io {
                path: path.clone(),
                source,
            }),
        }
    }
}

/// One CSV line of `cells`.
pub fn csv_row(cells: &[Cell]) -> String {
    csv_line(cells.iter().map(|c| match c {
        Cell::Text(s) => neutralised(s),
        other => other.text(),
    }))
}

pub fn csv_line(cells: impl Iterator<Item = String>) -> String {
    cells
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A workbook of one sheet, its header row bold and frozen.
pub struct XlsxSheet {
    path: PathBuf,
    workbook: Workbook,
    next_row: u32,
    date: Format,
    datetime: Format,
}

impl XlsxSheet {
    pub fn create(path: &Path, headers: &[String]) -> Result<XlsxSheet, ExportError> {
        let xlsx = |source| ExportError::Xlsx {
            path: path.to_path_buf(),
            source,
        };
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        sheet.set_name("Query").map_err(xlsx)?;
        for (col, header) in headers.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| xlsx(XlsxError::RowColumnLimitError))?;
            sheet
                .write_string_with_format(0, col, header, &bold)
                .map_err(xlsx)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
        Ok(XlsxSheet {
            path: path.to_path_buf(),
            workbook,
            next_row: 1,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        })
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        if self.next_row >= XLSX_MAX_ROWS {
            return Err(ExportError::TooManyRows);
        }
        let row = self.next_row;
        let path = self.path.clone();
        let xlsx = |source| ExportError::Xlsx {
            path: path.clone(),
            source,
        };
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx)?;
        for (col, cell) in cells.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| xlsx(XlsxError::RowColumnLimitError))?;
            match cell {
                Cell::Empty => continue,
                Cell::Bool(b) => sheet.write_boolean(row, col, *b),
                Cell::Number(text) => match cell.number().filter(|n| n.is_finite()) {
                    Some(n) => sheet.write_number(row, col, n),
                    None => sheet.write_string(row, col, text),
                },
                Cell::Date(d) => match excel_date(d) {
                    Some(at) => sheet.write_datetime_with_format(row, col, &at, &self.date),
                    None => sheet.write_string(row, col, cell.text()),
                },
                Cell::DateTime(t) => match excel_datetime(t) {
                    Some(at) => sheet.write_datetime_with_format(row, col, &at, &self.datetime),
                    None => sheet.write_string(row, col, cell.text()),
                },
                Cell::Text(s) | Cell::Json(s) => sheet.write_string(row, col, s),
            }
            .map_err(xlsx)?;
        }
        self.next_row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        let path = self.path.clone();
        self.workbook
            .save(&self.path)
            .map_err(|source| ExportError::Xlsx { path, source })
    }
}

/// Excel's dates start in 1900; earlier ones are written as text.
fn excel_date(d: &chrono::NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

fn excel_datetime(t: &chrono::NaiveDateTime) -> Option<ExcelDateTime> {
    let seconds = f64::from(t.second()) + f64::from(t.nanosecond() / 1_000_000) / 1000.0;
    excel_date(&t.date())?
        .and_hms(t.hour() as u16, t.minute() as u8, seconds)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use serde_json::json;

    fn table() -> Table {
        let mut table =
            Table::new("SELECT Name, Amount, CloseDate, CreatedDate, IsWon FROM Opportunity");
        table.push(
            json!({"Name": "=cmd()", "Amount": 1200.5, "CloseDate": "2024-02-29",
                "CreatedDate": "2024-01-31T10:00:00.000+0000", "IsWon": true})
            .as_object()
            .unwrap(),
        );
        table.push(
            json!({"Name": "Plain, \"quoted\"", "Amount": null})
                .as_object()
                .unwrap(),
        );
        table
    }

    #[test]
    fn csv_neutralises_formulas_and_quotes_commas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        assert_eq!(export(&table(), &path).unwrap(), 2);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "Name,Amount,CloseDate,CreatedDate,IsWon\n'=cmd(),1200.5,2024-02-29,2024-01-31T10:00:00.000Z,true\n\"Plain, \"\"quoted\"\"\",,,,\n"
        );
    }

    #[test]
    fn xlsx_cells_are_typed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.XLSX");
        export(&table(), &path).unwrap();
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let range = book.worksheet_range("Query").unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("Amount".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::String("=cmd()".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(1200.5)));
        assert_eq!(range.get((1, 4)), Some(&Data::Bool(true)));
        let Some(Data::DateTime(date)) = range.get((1, 2)) else {
            panic!("{:?}", range.get((1, 2)));
        };
        assert_eq!(
            date.as_datetime().map(|d| d.date().to_string()),
            Some("2024-02-29".into())
        );
        let Some(Data::DateTime(at)) = range.get((1, 3)) else {
            panic!("{:?}", range.get((1, 3)));
        };
        assert_eq!(
            at.as_datetime().map(|d| d.to_string()),
            Some("2024-01-31 10:00:00".into())
        );
        assert_eq!(range.get((2, 1)), Some(&Data::Empty));
    }
}
