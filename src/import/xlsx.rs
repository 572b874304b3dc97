//! Rows of one sheet of an `.xlsx` workbook, streamed cell by cell from the sheet's XML.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader, Xlsx};

use super::error::{Column, ImportError};
use super::{ReadOptions, Row, check_headers, clean_cells, sniff};

/// Rows in flight between the sheet parser and the consumer: enough to keep both busy, few
/// enough that memory stays flat.
const CHANNEL_ROWS: usize = 256;

/// Rows looked at to decide whether the first one is a header.
const HEADER_SAMPLE_ROWS: usize = 20;

/// The names of a workbook's sheets, in workbook order.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    let file = path.display().to_string();
    let workbook = open_workbook(&file, open_file(&file, path)?)?;
    Ok(workbook.sheet_names())
}

/// Rows of one sheet. The sheet is parsed on its own thread and handed over through a small
/// bounded channel, so the whole sheet is never in memory (its shared-string table is).
pub struct XlsxRows {
    file: String,
    sheet: String,
    headers: Option<Vec<String>>,
    width: usize,
    buffered: VecDeque<Result<Row, ImportError>>,
    receiver: Receiver<Result<Row, ImportError>>,
}

impl XlsxRows {
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Self, ImportError> {
        let file = path.display().to_string();
        let source = open_file(&file, path)?;
        Self::start(file, source, options)
    }

    /// Reads a workbook held in memory; `file` is the name used in error messages.
    pub fn from_bytes(
        file: impl Into<String>,
        bytes: Vec<u8>,
        options: &ReadOptions,
    ) -> Result<Self, ImportError> {
        Self::start(file.into(), Cursor::new(bytes), options)
    }

    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    pub fn headers(&self) -> Option<&[String]> {
        self.headers.as_deref()
    }

    fn start<RS: Read + Seek + Send + 'static>(
        file: String,
        source: RS,
        options: &ReadOptions,
    ) -> Result<Self, ImportError> {
        let workbook = open_workbook(&file, source)?;
        let names = workbook.sheet_names();
        let sheet = match &options.sheet {
            Some(wanted) if names.contains(wanted) => wanted.clone(),
            Some(wanted) => {
                return Err(ImportError::SheetNotFound {
                    file,
                    sheet: wanted.clone(),
                    available: describe_sheets(&names),
                });
            }
            None => match names.first() {
                Some(first) => first.clone(),
                None => return Err(ImportError::Empty { file }),
            },
        };
        let (sender, receiver) = sync_channel(CHANNEL_ROWS);
        let worker_file = file.clone();
        let worker_sheet = sheet.clone();
        std::thread::Builder::new()
            .name("xlsx-rows".into())
            .spawn(move || stream_sheet(worker_file, workbook, worker_sheet, sender))
            .map_err(|e| ImportError::Workbook {
                file: file.clone(),
                reason: format!("cannot start reading: {e}"),
            })?;
        let mut rows = Self {
            file,
            sheet,
            headers: None,
            width: 0,
            buffered: VecDeque::new(),
            receiver,
        };
        rows.read_header(options.has_header)?;
        Ok(rows)
    }

    fn read_header(&mut self, has_header: Option<bool>) -> Result<(), ImportError> {
        while self.buffered.len() < HEADER_SAMPLE_ROWS {
            match self.receiver.recv() {
                Ok(Err(e)) if self.buffered.is_empty() => return Err(e),
                Ok(item) => self.buffered.push_back(item),
                Err(_) => break,
            }
        }
        let sample: Vec<Vec<String>> = self
            .buffered
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|r| r.cells.clone()))
            .collect();
        if sample.is_empty() {
            return Err(ImportError::Empty {
                file: self.file.clone(),
            });
        }
        let has_header = has_header.unwrap_or_else(|| sniff::looks_like_header(&sample));
        if has_header {
            let Some(Ok(header)) = self.buffered.pop_front() else {
                return Err(ImportError::Empty {
                    file: self.file.clone(),
                });
            };
            let mut names = header.cells;
            while names.last().is_some_and(|n| n.trim().is_empty()) {
                names.pop();
            }
            check_headers(&self.file, &names)?;
            if self.buffered.is_empty() {
                return Err(ImportError::HeaderOnly {
                    file: self.file.clone(),
                });
            }
            self.width = names.len();
            self.headers = Some(names);
        } else {
            self.width = sample.iter().map(Vec::len).max().unwrap_or(0);
        }
        Ok(())
    }

    /// Cells a spreadsheet leaves out are empty, so short rows are filled; a value past the last
    /// column is an error.
    fn shape(&self, mut row: Row) -> Result<Row, ImportError> {
        if let Some(stray) = row
            .cells
            .iter()
            .enumerate()
            .skip(self.width)
            .find(|(_, c)| !c.trim().is_empty())
        {
            return Err(ImportError::ValueWithoutHeader {
                file: self.file.clone(),
                row: row.number,
                column: Column(stray.0 + 1),
            });
        }
        row.cells.resize(self.width, String::new());
        clean_cells(&self.file, row, self.width)
    }
}

impl Iterator for XlsxRows {
    type Item = Result<Row, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match self.buffered.pop_front() {
            Some(item) => item,
            None => self.receiver.recv().ok()?,
        };
        Some(item.and_then(|row| self.shape(row)))
    }
}

fn open_file(file: &str, path: &Path) -> Result<BufReader<File>, ImportError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| ImportError::Open {
            file: file.to_string(),
            source,
        })
}

fn open_workbook<RS: Read + Seek>(file: &str, source: RS) -> Result<Xlsx<RS>, ImportError> {
    let opened = catch_unwind(AssertUnwindSafe(|| Xlsx::new(source)));
    match opened {
        Ok(Ok(workbook)) => Ok(workbook),
        Ok(Err(calamine::XlsxError::Zip(_))) => Err(ImportError::Binary {
            file: file.to_string(),
            what: "something other than an .xlsx workbook".to_string(),
        }),
        Ok(Err(e)) => Err(ImportError::Workbook {
            file: file.to_string(),
            reason: e.to_string(),
        }),
        Err(_) => Err(ImportError::Workbook {
            file: file.to_string(),
            reason: "its contents are malformed".to_string(),
        }),
    }
}

fn describe_sheets(names: &[String]) -> String {
    if names.is_empty() {
        return "no sheets".to_string();
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

/// Runs on the worker thread: sends each non-blank row, or the error that stopped reading.
/// It stops early when the consumer goes away.
fn stream_sheet<RS: Read + Seek>(
    file: String,
    mut workbook: Xlsx<RS>,
    sheet: String,
    sender: SyncSender<Result<Row, ImportError>>,
) {
    let failed = |reason: String| {
        Err(ImportError::Workbook {
            file: file.clone(),
            reason,
        })
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let mut cells = workbook
            .worksheet_cells_reader(&sheet)
            .map_err(|e| e.to_string())?;
        let mut current: Option<Row> = None;
        while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
            let (row, col) = cell.get_position();
            let number = u64::from(row) + 1;
            if current.as_ref().is_some_and(|r| r.number != number)
                && let Some(done) = current.take()
                && !send_row(&sender, done)
            {
                return Ok(());
            }
            let text = cell_text(cell.get_value());
            if text.is_empty() {
                continue;
            }
            let row = current.get_or_insert_with(|| Row {
                number,
                cells: Vec::new(),
            });
            let col = col as usize;
            if row.cells.len() <= col {
                row.cells.resize(col + 1, String::new());
            }
            row.cells[col] = text;
        }
        if let Some(done) = current {
            send_row(&sender, done);
        }
        Ok(())
    }));
    let error = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(reason)) => reason,
        Err(_) => "its contents are malformed".to_string(),
    };
    let _ = sender.send(failed(error));
}

/// False when nobody reads any more.
fn send_row(sender: &SyncSender<Result<Row, ImportError>>, row: Row) -> bool {
    if row.cells.iter().all(|c| c.trim().is_empty()) {
        return true;
    }
    sender.send(Ok(row)).is_ok()
}

/// A cell as the text a person sees in it, dates in ISO 8601.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(moment) if !dt.is_duration() => {
                if moment.time() == chrono::NaiveTime::MIN {
                    moment.format("%Y-%m-%d").to_string()
                } else {
                    moment.format("%Y-%m-%dT%H:%M:%S").to_string()
                }
            }
            _ => float_text(dt.as_f64()),
        },
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Whole numbers without a trailing `.0`, others in their shortest exact form.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        for (value, text) in [
            (3.0, "3"),
            (1200.5, "1200.5"),
            (-0.25, "-0.25"),
            (1e20, "100000000000000000000"),
        ] {
            assert_eq!(float_text(value), text);
        }
    }
}
