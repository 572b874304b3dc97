//! Rows of one sheet of an `.xlsx` workbook, streamed cell by cell from the sheet's XML.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader, Xlsx};

use super::error::{Column, ImportError};
use super::{ReadOptions, Row, check_headers, clean_cells, sniff, unpack};

/// Rows in flight between the sheet parser and the consumer: enough to keep both busy, few
/// enough that memory stays flat even when each row is at its budget.
const CHANNEL_ROWS: usize = 32;

/// Text of one workbook row. A shared string can be shown by thousands of cells, so a row of
/// a small file can hold gigabytes; no Salesforce record takes more than this.
pub const ROW_BUDGET: usize = 1 << 20;

/// Columns of a sheet (`A` to `XFD`).
const MAX_COLUMNS: u32 = 16_384;

/// Rows looked at to decide whether the first one is a header.
const HEADER_SAMPLE_ROWS: usize = 20;

/// The names of a workbook's sheets, in workbook order.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    let file = path.display().to_string();
    let mut source = open_file(&file, path)?;
    unpack::check(&file, &mut source)?;
    let workbook = open_workbook(&file, source)?;
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
    max_rows: u64,
    data_rows: u64,
    finished: bool,
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
        mut source: RS,
        options: &ReadOptions,
    ) -> Result<Self, ImportError> {
        unpack::check(&file, &mut source)?;
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
        let row_budget = options.max_row_bytes.min(ROW_BUDGET);
        std::thread::Builder::new()
            .name("xlsx-rows".into())
            .spawn(move || stream_sheet(worker_file, workbook, worker_sheet, row_budget, sender))
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
            max_rows: options.max_rows,
            data_rows: 0,
            finished: false,
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
        if self.finished {
            return None;
        }
        let item = match self.buffered.pop_front() {
            Some(item) => item,
            None => self.receiver.recv().ok()?,
        };
        let number = match &item {
            Ok(row) => Some(row.number),
            Err(e) if e.is_row_local() => e.row(),
            Err(_) => None,
        };
        if let Some(row) = number {
            self.data_rows += 1;
            if self.data_rows > self.max_rows {
                // Dropping the receiver stops the parser at its next row.
                self.finished = true;
                let (_, closed) = sync_channel(0);
                self.receiver = closed;
                self.buffered.clear();
                return Some(Err(ImportError::TooManyRows {
                    file: self.file.clone(),
                    row,
                    limit: self.max_rows,
                }));
            }
        }
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

/// A row being gathered by the worker: its cells, or what makes it invalid.
struct Gathering {
    row: Row,
    bytes: usize,
    problem: Option<ImportError>,
}

impl Gathering {
    fn fail(&mut self, problem: ImportError) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
        // The cells of an invalid row are not kept, so a row past its budget frees its text.
        self.row.cells = Vec::new();
    }
}

/// Runs on the worker thread: sends each non-blank row, or the error that makes it invalid,
/// or the error that stopped reading. It stops early when the consumer goes away.
fn stream_sheet<RS: Read + Seek>(
    file: String,
    mut workbook: Xlsx<RS>,
    sheet: String,
    row_budget: usize,
    sender: SyncSender<Result<Row, ImportError>>,
) {
    let failed = |reason: String| ImportError::Workbook {
        file: file.clone(),
        reason,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), ImportError> {
        let mut cells = workbook
            .worksheet_cells_reader(&sheet)
            .map_err(|e| failed(e.to_string()))?;
        let mut current: Option<Gathering> = None;
        while let Some(cell) = cells
            .next_cell_with_formula_metadata()
            .map_err(|e| failed(e.to_string()))?
        {
            let (row, col) = cell.pos;
            let number = u64::from(row) + 1;
            if current.as_ref().is_some_and(|r| r.row.number != number)
                && let Some(done) = current.take()
                && !send_row(&sender, done)
            {
                return Ok(());
            }
            if col >= MAX_COLUMNS {
                return Err(ImportError::CellPastLastColumn {
                    file: file.clone(),
                    cell: format!("{}{number}", Column(col as usize + 1).letters()),
                });
            }
            let column = Column(col as usize + 1);
            let problem = match &cell.value {
                DataRef::Error(e) => Some(ImportError::ExcelError {
                    file: file.clone(),
                    row: number,
                    column,
                    value: e.to_string(),
                }),
                DataRef::Empty if cell.formula.is_some() => {
                    Some(ImportError::FormulaWithoutValue {
                        file: file.clone(),
                        row: number,
                        column,
                    })
                }
                _ => None,
            };
            let text = match problem {
                Some(_) => String::new(),
                None => cell_text(&cell.value),
            };
            if text.is_empty() && problem.is_none() {
                continue;
            }
            let gathering = current.get_or_insert_with(|| Gathering {
                row: Row {
                    number,
                    cells: Vec::new(),
                },
                bytes: 0,
                problem: None,
            });
            if let Some(problem) = problem {
                gathering.fail(problem);
                continue;
            }
            if gathering.problem.is_some() {
                continue;
            }
            gathering.bytes += text.len();
            if gathering.bytes > row_budget {
                gathering.fail(ImportError::RowOverBudget {
                    file: file.clone(),
                    row: number,
                    limit: row_budget,
                });
                continue;
            }
            let cells = &mut gathering.row.cells;
            if cells.len() < column.0 {
                cells.resize(column.0, String::new());
            }
            cells[column.0 - 1] = text;
        }
        if let Some(done) = current {
            send_row(&sender, done);
        }
        Ok(())
    }));
    let error = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(error)) => error,
        Err(_) => failed("its contents are malformed".to_string()),
    };
    let _ = sender.send(Err(error));
}

/// False when nobody reads any more.
fn send_row(sender: &SyncSender<Result<Row, ImportError>>, done: Gathering) -> bool {
    if let Some(problem) = done.problem {
        return sender.send(Err(problem)).is_ok();
    }
    if done.row.cells.iter().all(|c| c.trim().is_empty()) {
        return true;
    }
    sender.send(Ok(done.row)).is_ok()
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
