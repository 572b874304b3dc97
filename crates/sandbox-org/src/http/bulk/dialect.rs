//! The CSV dialects of Bulk API 2.0: a job's column delimiter and line ending, RFC 4180
//! quoting, and per-row parse errors that do not stop the rows after them.
//!
//! The scanner works on bytes: every delimiter, quote and line ending is ASCII, and no byte of
//! a multi-byte UTF-8 character is ever ASCII, so every slice it cuts is valid text.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnDelimiter {
    Comma,
    Tab,
    Pipe,
    Semicolon,
    Caret,
    Backquote,
}

impl ColumnDelimiter {
    const ALL: [ColumnDelimiter; 6] = [
        ColumnDelimiter::Comma,
        ColumnDelimiter::Tab,
        ColumnDelimiter::Pipe,
        ColumnDelimiter::Semicolon,
        ColumnDelimiter::Caret,
        ColumnDelimiter::Backquote,
    ];

    /// The wire name (`COMMA`), exactly as a real org spells it.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ColumnDelimiter::Comma => "COMMA",
            ColumnDelimiter::Tab => "TAB",
            ColumnDelimiter::Pipe => "PIPE",
            ColumnDelimiter::Semicolon => "SEMICOLON",
            ColumnDelimiter::Caret => "CARET",
            ColumnDelimiter::Backquote => "BACKQUOTE",
        }
    }

    pub fn byte(self) -> u8 {
        match self {
            ColumnDelimiter::Comma => b',',
            ColumnDelimiter::Tab => b'\t',
            ColumnDelimiter::Pipe => b'|',
            ColumnDelimiter::Semicolon => b';',
            ColumnDelimiter::Caret => b'^',
            ColumnDelimiter::Backquote => b'`',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    Crlf,
}

impl LineEnding {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "LF" => Some(LineEnding::Lf),
            "CRLF" => Some(LineEnding::Crlf),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "LF",
            LineEnding::Crlf => "CRLF",
        }
    }

    pub fn terminator(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::Crlf => "\r\n",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: ColumnDelimiter,
    pub line_ending: LineEnding,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: ColumnDelimiter::Comma,
            line_ending: LineEnding::Lf,
        }
    }
}

/// One data row: where it starts, its cells, and why it cannot be used, if it cannot.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line of the upload where the row starts.
    pub line: usize,
    pub cells: Vec<String>,
    pub error: Option<String>,
}

/// A parsed upload: the header row and the data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// Problems that make a whole upload unusable; the texts are the job's `errorMessage`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    #[error(
        "ClientInputError : the uploaded data is not UTF-8 text: save the file as UTF-8 and upload it again"
    )]
    NotUtf8,
    #[error(
        "ClientInputError : the upload has no header row: start the CSV with a row of field API names"
    )]
    Empty,
    #[error(
        "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is {0}: create the job with the line ending the file uses"
    )]
    LineEnding(&'static str),
    #[error("InvalidBatch : the header row cannot be read: {0}")]
    Header(String),
}

enum Scanned {
    Record(Vec<String>),
    Bad(Vec<String>, String),
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    dialect: Dialect,
}

enum Boundary {
    Delimiter,
    EndOfRecord(usize),
    EndOfInput,
    WrongLineEnding,
    Other,
}

impl<'a> Scanner<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn find(&self, from: usize, wanted: impl Fn(u8) -> bool) -> Option<usize> {
        self.bytes()
            .get(from..)?
            .iter()
            .position(|b| wanted(*b))
            .map(|i| from + i)
    }

    /// What follows a field ending at `at`.
    fn boundary(&self, at: usize) -> Boundary {
        let bytes = self.bytes();
        match (bytes.get(at), bytes.get(at + 1), self.dialect.line_ending) {
            (None, _, _) => Boundary::EndOfInput,
            (Some(b), _, _) if *b == self.dialect.delimiter.byte() => Boundary::Delimiter,
            (Some(b'\n'), _, LineEnding::Lf) => Boundary::EndOfRecord(1),
            (Some(b'\r'), Some(b'\n'), LineEnding::Crlf) => Boundary::EndOfRecord(2),
            (Some(b'\r'), Some(b'\n'), LineEnding::Lf) | (Some(b'\n'), _, LineEnding::Crlf) => {
                Boundary::WrongLineEnding
            }
            _ => Boundary::Other,
        }
    }

    /// Skips blank lines; true when a record starts at the current position.
    fn at_record(&mut self) -> bool {
        loop {
            match self.boundary(self.pos) {
                Boundary::EndOfInput => return false,
                Boundary::EndOfRecord(len) => {
                    self.pos += len;
                    self.line += 1;
                }
                _ => return true,
            }
        }
    }

    /// The raw text from `from` to the end of its physical line, split naively, for echoing a
    /// row that cannot be parsed; the scan resumes on the next line.
    fn recover(&mut self, from: usize, line_after: usize) -> Vec<String> {
        let end = self.find(from, |b| b == b'\n').unwrap_or(self.text.len());
        let raw = self.text.get(from..end).unwrap_or_default();
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        self.pos = (end + 1).min(self.text.len());
        self.line = line_after;
        raw.split(char::from(self.dialect.delimiter.byte()))
            .map(str::to_string)
            .collect()
    }

    fn next_record(&mut self) -> Option<Result<(usize, Scanned), CsvError>> {
        if !self.at_record() {
            return None;
        }
        let start = self.pos;
        let start_line = self.line;
        let mut cells = Vec::new();
        loop {
            let field_no = cells.len() + 1;
            let value_end;
            if self.bytes().get(self.pos) == Some(&b'"') {
                let mut value = String::new();
                let mut seg = self.pos + 1;
                loop {
                    let Some(q) = self.find(seg, |b| b == b'"') else {
                        let raw = self.recover(start, start_line + 1);
                        let message = format!(
                            "line {start_line}: field {field_no} opens a quote that is never closed: end the value with \" and double any quote inside it (\"\")"
                        );
                        return Some(Ok((start_line, Scanned::Bad(raw, message))));
                    };
                    let part = self.text.get(seg..q).unwrap_or_default();
                    self.line += part.matches('\n').count();
                    value.push_str(part);
                    if self.bytes().get(q + 1) == Some(&b'"') {
                        value.push('"');
                        seg = q + 2;
                    } else {
                        value_end = q + 1;
                        break;
                    }
                }
                cells.push(value);
            } else {
                let delimiter = self.dialect.delimiter.byte();
                let end = self
                    .find(self.pos, |b| b == delimiter || b == b'\n')
                    .unwrap_or(self.text.len());
                let mut cell_end = end;
                if self.bytes().get(end) == Some(&b'\n')
                    && end > self.pos
                    && self.bytes().get(end - 1) == Some(&b'\r')
                {
                    cell_end = end - 1;
                }
                cells.push(
                    self.text
                        .get(self.pos..cell_end)
                        .unwrap_or_default()
                        .to_string(),
                );
                value_end = cell_end;
            }
            match self.boundary(value_end) {
                Boundary::Delimiter => self.pos = value_end + 1,
                Boundary::EndOfRecord(len) => {
                    self.pos = value_end + len;
                    self.line += 1;
                    return Some(Ok((start_line, Scanned::Record(cells))));
                }
                Boundary::EndOfInput => {
                    self.pos = value_end;
                    return Some(Ok((start_line, Scanned::Record(cells))));
                }
                Boundary::WrongLineEnding => {
                    return Some(Err(CsvError::LineEnding(self.dialect.line_ending.as_str())));
                }
                Boundary::Other => {
                    let line = self.line;
                    let raw = self.recover(start, line + 1);
                    let message = format!(
                        "line {line}: unexpected text after the closing quote of field {field_no}: quote the whole value and double any quote inside it (\"\")"
                    );
                    return Some(Ok((start_line, Scanned::Bad(raw, message))));
                }
            }
        }
    }
}

/// Parses one upload in `dialect`. Rows that cannot be read, or whose width differs from the
/// header's, carry an error and are kept; only an unusable header or wrong line endings fail
/// the whole upload.
pub fn parse(data: &[u8], dialect: Dialect) -> Result<Table, CsvError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = std::str::from_utf8(data).map_err(|_| CsvError::NotUtf8)?;
    let mut scanner = Scanner {
        text,
        pos: 0,
        line: 1,
        dialect,
    };
    let header = match scanner.next_record().transpose()? {
        None => return Err(CsvError::Empty),
        Some((_, Scanned::Bad(_, message))) => return Err(CsvError::Header(message)),
        Some((_, Scanned::Record(cells))) => cells,
    };
    let mut rows = Vec::new();
    while let Some(scanned) = scanner.next_record() {
        let (line, scanned) = scanned?;
        let row = match scanned {
            Scanned::Bad(cells, message) => Row {
                line,
                cells,
                error: Some(message),
            },
            Scanned::Record(cells) if cells.len() != header.len() => {
                let error = Some(format!(
                    "line {line}: the row has {} values but the header row has {} columns: quote values that contain the column delimiter ({})",
                    cells.len(),
                    header.len(),
                    dialect.delimiter.as_str()
                ));
                Row { line, cells, error }
            }
            Scanned::Record(cells) => Row {
                line,
                cells,
                error: None,
            },
        };
        rows.push(row);
    }
    Ok(Table { header, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialect(delimiter: ColumnDelimiter, line_ending: LineEnding) -> Dialect {
        Dialect {
            delimiter,
            line_ending,
        }
    }

    fn cells(table: &Table) -> Vec<Vec<&str>> {
        table
            .rows
            .iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn every_delimiter_and_line_ending_splits_the_same_table() {
        for delimiter in ColumnDelimiter::ALL {
            for line_ending in [LineEnding::Lf, LineEnding::Crlf] {
                let d = char::from(delimiter.byte());
                let nl = line_ending.terminator();
                let text =
                    format!("Name{d}City{nl}Acme{d}\"Par{d}is\"{nl}\"Say \"\"hi\"\"\"{d}{nl}");
                let table = parse(text.as_bytes(), dialect(delimiter, line_ending)).unwrap();
                assert_eq!(
                    table.header,
                    ["Name", "City"],
                    "{delimiter:?} {line_ending:?}"
                );
                assert_eq!(
                    cells(&table),
                    [vec!["Acme", &format!("Par{d}is")], vec!["Say \"hi\"", ""]]
                );
                assert!(table.rows.iter().all(|r| r.error.is_none()));
            }
        }
    }

    #[test]
    fn quoted_values_keep_line_breaks_and_line_numbers_follow_them() {
        let table = parse(
            b"Name,Description\nA,\"two\nlines\"\nB,x\n",
            Dialect::default(),
        )
        .unwrap();
        assert_eq!(cells(&table), [vec!["A", "two\nlines"], vec!["B", "x"]]);
        assert_eq!(
            table.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 4]
        );
    }

    #[test]
    fn blank_lines_a_missing_final_newline_and_a_bom_are_accepted() {
        let table = parse(b"\xEF\xBB\xBFName\n\nA\n\nB", Dialect::default()).unwrap();
        assert_eq!(table.header, ["Name"]);
        assert_eq!(cells(&table), [vec!["A"], vec!["B"]]);
    }

    #[test]
    fn a_ragged_row_fails_alone() {
        let table = parse(
            b"Name,City\nA,Paris\nB\nC,Rome,extra\nD,Oslo\n",
            Dialect::default(),
        )
        .unwrap();
        let errors: Vec<Option<&str>> = table.rows.iter().map(|r| r.error.as_deref()).collect();
        assert!(errors[0].is_none() && errors[3].is_none(), "{errors:?}");
        let ragged = errors[1].unwrap();
        assert!(
            ragged.contains("line 3")
                && ragged.contains("1 values")
                && ragged.contains("2 columns"),
            "{ragged}"
        );
        assert!(errors[2].unwrap().contains("3 values"));
    }

    #[test]
    fn an_unclosed_quote_fails_its_row_and_the_rows_after_it_survive() {
        let table = parse(b"Name,City\n\"Acme,Paris\nB,Rome\n", Dialect::default()).unwrap();
        assert_eq!(table.rows.len(), 2);
        let bad = &table.rows[0];
        assert!(
            bad.error.as_deref().unwrap().contains("never closed"),
            "{bad:?}"
        );
        assert_eq!(bad.cells, ["\"Acme", "Paris"]);
        assert_eq!(
            table.rows[1],
            Row {
                line: 3,
                cells: vec!["B".into(), "Rome".into()],
                error: None
            }
        );
    }

    #[test]
    fn text_after_a_closing_quote_fails_that_row() {
        let table = parse(b"Name,City\n\"Ac\"me,Paris\nB,Rome\n", Dialect::default()).unwrap();
        assert!(
            table.rows[0]
                .error
                .as_deref()
                .unwrap()
                .contains("after the closing quote")
        );
        assert!(table.rows[1].error.is_none());
    }

    #[test]
    fn whole_upload_errors() {
        let lf = Dialect::default();
        let crlf = dialect(ColumnDelimiter::Comma, LineEnding::Crlf);
        let cases: &[(&[u8], Dialect, CsvError)] = &[
            (b"", lf, CsvError::Empty),
            (b"\n\n", lf, CsvError::Empty),
            (b"Name\r\nA\r\n", lf, CsvError::LineEnding("LF")),
            (b"Name\nA\n", crlf, CsvError::LineEnding("CRLF")),
            (b"Name\xff\nA\n", lf, CsvError::NotUtf8),
        ];
        for (input, d, want) in cases {
            assert_eq!(
                parse(input, *d).as_ref().err(),
                Some(want),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        assert!(matches!(parse(b"\"Name\n", lf), Err(CsvError::Header(_))));
    }

    #[test]
    fn names_round_trip() {
        for d in ColumnDelimiter::ALL {
            assert_eq!(ColumnDelimiter::parse(d.as_str()), Some(d));
        }
        assert_eq!(ColumnDelimiter::parse("comma"), None);
        assert_eq!(LineEnding::parse("CRLF"), Some(LineEnding::Crlf));
        assert_eq!(LineEnding::parse("CR"), None);
    }
}
