//! Streaming rows out of a CSV or TSV file, whatever its encoding and dialect.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use super::decode::{DecodeReader, LineTracker, Malformed, TooLarge, Utf8Or1252};
use super::error::{Column, ImportError};
use super::sniff::{self, Dialect, NotText, SAMPLE_LEN, TextEncoding};
use super::{ReadOptions, Row, check_headers, clean_cells};

type Source = Box<dyn Read + Send>;
type Parser = csv::Reader<LineTracker<Source>>;

/// Rows of a delimited text file, read one at a time: the file is never held whole in memory.
///
/// Items are rows, or errors about one row. Errors that say where rows end can no longer be
/// trusted (unclosed quote, wrong encoding, I/O) are yielded last.
pub struct CsvRows {
    file: String,
    dialect: Dialect,
    parser: Parser,
    headers: Option<Vec<String>>,
    width: usize,
    record: csv::StringRecord,
    /// The record after the one being returned: an unclosed quote shows only at end of file.
    next: Option<Result<Row, ImportError>>,
    finished: bool,
    max_rows: u64,
    data_rows: u64,
}

impl CsvRows {
    /// Opens and sniffs a file; `options` override what sniffing would guess.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Self, ImportError> {
        let file = path.display().to_string();
        let handle = File::open(path).map_err(|source| ImportError::Open {
            file: file.clone(),
            source,
        })?;
        Self::from_reader(file, handle, options)
    }

    /// Reads from any byte source; `file` is the name used in error messages.
    pub fn from_reader<R: Read + Send + 'static>(
        file: impl Into<String>,
        mut source: R,
        options: &ReadOptions,
    ) -> Result<Self, ImportError> {
        let file = file.into();
        let sample = read_sample(&mut source).map_err(|source| ImportError::Io {
            file: file.clone(),
            row: 1,
            source,
        })?;
        let dialect = dialect_for(&file, &sample, options)?;
        // The byte-order mark is not part of the first cell.
        let bom_len = dialect.encoding.bom_len(&sample);
        let mut body: Source = Box::new(Cursor::new(sample).chain(source));
        io::copy(&mut (&mut body).take(bom_len as u64), &mut io::sink()).map_err(|source| {
            ImportError::Io {
                file: file.clone(),
                row: 1,
                source,
            }
        })?;
        let decoded: Source = if dialect.encoding == TextEncoding::Utf8With1252 {
            Box::new(Utf8Or1252::new(body))
        } else {
            Box::new(DecodeReader::new(
                body,
                dialect.encoding.codec(),
                bom_len as u64,
            ))
        };
        let tracked = LineTracker::new(
            decoded,
            dialect.delimiter,
            dialect.quote,
            options.max_row_bytes,
        );
        let parser = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(dialect.delimiter)
            .quote(dialect.quote.unwrap_or(b'"'))
            .quoting(dialect.quote.is_some())
            .from_reader(tracked);
        let mut rows = Self {
            file,
            dialect,
            parser,
            headers: None,
            width: 0,
            record: csv::StringRecord::new(),
            next: None,
            finished: false,
            max_rows: options.max_rows,
            data_rows: 0,
        };
        rows.start()?;
        Ok(rows)
    }

    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// The header row's names, when the file has one.
    pub fn headers(&self) -> Option<&[String]> {
        self.headers.as_deref()
    }

    /// Reads the header (when there is one) and the first data row, so that a file with no data
    /// is refused at once.
    fn start(&mut self) -> Result<(), ImportError> {
        let first = match self.read_record() {
            Some(first) => first?,
            None => return Err(self.end_of_file_error(true)),
        };
        if self.dialect.has_header {
            let mut names = first.cells;
            while names.last().is_some_and(|n| n.trim().is_empty()) {
                names.pop();
            }
            check_headers(&self.file, &names)?;
            self.width = names.len();
            self.headers = Some(names);
            match self.read_record() {
                Some(Ok(row)) => self.next = Some(Ok(row)),
                Some(Err(e)) => return Err(e),
                None => return Err(self.end_of_file_error(false)),
            }
        } else {
            self.width = first.cells.len();
            self.next = Some(Ok(first));
        }
        Ok(())
    }

    fn end_of_file_error(&self, no_rows_at_all: bool) -> ImportError {
        if let Some(err) = self.unclosed_quote() {
            return err;
        }
        if no_rows_at_all {
            ImportError::Empty {
                file: self.file.clone(),
            }
        } else {
            ImportError::HeaderOnly {
                file: self.file.clone(),
            }
        }
    }

    fn unclosed_quote(&self) -> Option<ImportError> {
        let (row, field) = self.parser.get_ref().open_quote()?;
        Some(ImportError::UnclosedQuote {
            file: self.file.clone(),
            row,
            column: Column(field + 1),
        })
    }

    /// The next non-blank record as a row, or `None` at end of file.
    fn read_record(&mut self) -> Option<Result<Row, ImportError>> {
        loop {
            match self.parser.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let number = self.record.position().map_or(0, |p| p.line());
                    if self.record.iter().all(|cell| cell.trim().is_empty()) {
                        continue;
                    }
                    let cells = self.record.iter().map(str::to_string).collect();
                    return Some(Ok(Row { number, cells }));
                }
                Err(err) => return Some(Err(self.parse_error(err))),
            }
        }
    }

    fn parse_error(&self, err: csv::Error) -> ImportError {
        let row = self.parser.get_ref().line();
        let file = self.file.clone();
        match err.into_kind() {
            csv::ErrorKind::Io(source) => {
                if let Some(too_large) = source.get_ref().and_then(|e| e.downcast_ref::<TooLarge>())
                {
                    ImportError::RowTooLarge {
                        file,
                        row: too_large.line,
                        limit: self.parser.get_ref().max_record_bytes(),
                    }
                } else if let Some(malformed) =
                    source.get_ref().and_then(|e| e.downcast_ref::<Malformed>())
                {
                    match (self.dialect.encoding, malformed.byte) {
                        (TextEncoding::Utf8 | TextEncoding::Utf8Bom, Some(byte)) => {
                            ImportError::NotUtf8 {
                                file,
                                row,
                                byte,
                                offset: malformed.offset + 1,
                                as_1252: windows_1252_char(byte),
                            }
                        }
                        _ => ImportError::WrongEncoding {
                            file,
                            row,
                            encoding: self.dialect.encoding.name(),
                        },
                    }
                } else {
                    ImportError::Io { file, row, source }
                }
            }
            // The decoder hands the parser UTF-8 only, so this is bytes the decoder let through.
            other => ImportError::Io {
                file,
                row,
                source: io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
            },
        }
    }

    fn finish_row(&self, row: Row) -> Result<Row, ImportError> {
        clean_cells(&self.file, row, self.width)
    }
}

impl Iterator for CsvRows {
    type Item = Result<Row, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let current = match self.next.take() {
            Some(current) => current,
            None => {
                self.finished = true;
                return None;
            }
        };
        let Ok(row) = current else {
            self.finished = true;
            return Some(current);
        };
        self.data_rows += 1;
        if self.data_rows > self.max_rows {
            self.finished = true;
            return Some(Err(ImportError::TooManyRows {
                file: self.file.clone(),
                row: row.number,
                limit: self.max_rows,
            }));
        }
        self.next = self.read_record();
        if self.next.is_none()
            && let Some(err) = self.unclosed_quote()
        {
            self.finished = true;
            return Some(Err(err));
        }
        Some(self.finish_row(row))
    }
}

/// What a byte means in Windows-1252, for a person choosing how to read it.
fn windows_1252_char(byte: u8) -> char {
    let bytes = [byte];
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
    text.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn read_sample(source: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut sample = Vec::with_capacity(SAMPLE_LEN);
    source.take(SAMPLE_LEN as u64).read_to_end(&mut sample)?;
    Ok(sample)
}

fn dialect_for(file: &str, sample: &[u8], options: &ReadOptions) -> Result<Dialect, ImportError> {
    let mut dialect = match sniff::sniff(sample) {
        Ok(dialect) => dialect,
        Err(NotText::Empty) => {
            return Err(ImportError::Empty {
                file: file.to_string(),
            });
        }
        Err(NotText::Binary(what)) => {
            return Err(ImportError::Binary {
                file: file.to_string(),
                what,
            });
        }
    };
    if let Some(encoding) = options.encoding {
        dialect = rederive(sample, encoding, dialect);
    }
    if let Some(delimiter) = options.delimiter {
        dialect.delimiter = delimiter;
    }
    if let Some(has_header) = options.has_header {
        dialect.has_header = has_header;
    }
    Ok(dialect)
}

/// When the caller names the encoding, the rest of the dialect is judged on text decoded that way.
fn rederive(sample: &[u8], encoding: TextEncoding, sniffed: Dialect) -> Dialect {
    let encoding = match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom if encoding.bom_len(sample) > 0 => {
            TextEncoding::Utf8Bom
        }
        TextEncoding::Utf8Bom => TextEncoding::Utf8,
        other => other,
    };
    let text = sniff::decode_sample(sample, encoding);
    let delimiter = sniff::detect_delimiter(&text, sniffed.quote);
    let records = sniff::split_records(&text, delimiter, sniffed.quote);
    Dialect {
        encoding,
        delimiter,
        quote: sniffed.quote,
        line_ending: sniff::detect_line_ending(&text),
        has_header: sniff::looks_like_header(&records),
    }
}
