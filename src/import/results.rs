//! The files an import writes: the per-row report of a check, and after a load the annotated
//! copy of the sheet (every row with its Salesforce Id, status and error), the successes and
//! the errors. Rows carry their row number, so they join to the sheet by number, never by
//! position. Cells a spreadsheet would run as formulas are written as text. They are written
//! in the sheet's own delimiter and encoding, so a spreadsheet program opens them as it opened
//! the sheet.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::sniff::{Dialect, TextEncoding};

/// How result files are written: the sheet's delimiter and encoding; a workbook's results, and
/// any when UTF-8 is asked for, are UTF-8 with a byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultStyle {
    pub delimiter: u8,
    pub encoding: TextEncoding,
}

impl Default for ResultStyle {
    fn default() -> Self {
        ResultStyle {
            delimiter: b',',
            encoding: TextEncoding::Utf8Bom,
        }
    }
}

impl ResultStyle {
    pub fn for_sheet(dialect: Option<&Dialect>, utf8: bool) -> ResultStyle {
        let Some(dialect) = dialect else {
            return ResultStyle::default();
        };
        ResultStyle {
            delimiter: dialect.delimiter,
            encoding: match dialect.encoding {
                _ if utf8 => TextEncoding::Utf8Bom,
                // Stray bytes were read as Windows-1252; written back, everything is UTF-8.
                TextEncoding::Utf8With1252 => TextEncoding::Utf8Bom,
                other => other,
            },
        }
    }

    /// Written as UTF-8 first, then turned into the sheet's encoding once complete.
    fn needs_transcoding(self) -> bool {
        matches!(
            self.encoding,
            TextEncoding::Windows1252 | TextEncoding::Utf16Le | TextEncoding::Utf16Be
        )
    }
}

/// A finished result file, and what to tell the person about it.
pub struct Finished {
    pub path: PathBuf,
    pub note: Option<String>,
}

/// A cell a spreadsheet would not run as a formula: text starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`.
pub fn neutralised(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// Columns added after the sheet's own.
pub const ADDED_COLUMNS: [&str; 4] = ["Row", "Status", "Salesforce Id", "Message"];

#[derive(Debug, thiserror::Error)]
#[error(
    "cannot write {path}: {source}. Choose a folder you may write to (--out), and check there is space"
)]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// One result file, written row by row: UTF-8 with a byte-order mark and CRLF line ends, which
/// is what spreadsheet programs open without asking.
pub struct ResultFile {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    rows: u64,
    style: ResultStyle,
    /// The UTF-8 text of a file to be turned into the sheet's encoding at the end.
    staging: Option<PathBuf>,
}

impl ResultFile {
    pub fn create(
        path: &Path,
        headers: &[String],
        style: ResultStyle,
    ) -> Result<ResultFile, WriteError> {
        let fail = |source| WriteError {
            path: path.to_path_buf(),
            source,
        };
        // `--out` may name a folder that does not exist yet.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let staging = style.needs_transcoding().then(|| {
            let mut name = path.as_os_str().to_owned();
            name.push(".partial");
            PathBuf::from(name)
        });
        let target = staging.as_deref().unwrap_or(path);
        let mut file = BufWriter::new(File::create(target).map_err(fail)?);
        if style.encoding == TextEncoding::Utf8Bom {
            file.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
        }
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .delimiter(style.delimiter)
            .from_writer(file);
        let names = headers
            .iter()
            .map(String::as_str)
            .chain(ADDED_COLUMNS)
            .map(neutralised);
        writer.write_record(names).map_err(|e| csv_error(path, e))?;
        Ok(ResultFile {
            path: path.to_path_buf(),
            writer,
            rows: 0,
            style,
            staging,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The sheet's cells (blank when the row could not be read), then the row's result.
    pub fn write(
        &mut self,
        width: usize,
        cells: Option<&[String]>,
        row: u64,
        status: &str,
        sf_id: Option<&str>,
        message: &str,
    ) -> Result<(), WriteError> {
        let mut record: Vec<String> = (0..width)
            .map(|i| {
                cells
                    .and_then(|c| c.get(i))
                    .map_or_else(String::new, |c| neutralised(c))
            })
            .collect();
        record.push(row.to_string());
        record.push(status.to_string());
        record.push(sf_id.unwrap_or_default().to_string());
        record.push(neutralised(message));
        self.writer
            .write_record(&record)
            .map_err(|e| csv_error(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Finished, WriteError> {
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |source| WriteError { path, source }
        };
        self.writer.flush().map_err(fail(&self.path))?;
        drop(self.writer);
        let Some(staging) = self.staging else {
            return Ok(Finished {
                path: self.path,
                note: None,
            });
        };
        let unwritable =
            transcode(&staging, &self.path, self.style.encoding).map_err(fail(&self.path))?;
        let note = match unwritable {
            None => None,
            Some(c) => {
                let mut out = BufWriter::new(File::create(&self.path).map_err(fail(&self.path))?);
                out.write_all(b"\xEF\xBB\xBF").map_err(fail(&self.path))?;
                std::io::copy(&mut File::open(&staging).map_err(fail(&staging))?, &mut out)
                    .map_err(fail(&self.path))?;
                out.flush().map_err(fail(&self.path))?;
                Some(format!(
                    "{} holds characters {} cannot write (such as `{c}`), so it is written as UTF-8 with a byte-order mark",
                    self.path.display(),
                    self.style.encoding.name()
                ))
            }
        };
        std::fs::remove_file(&staging).map_err(fail(&staging))?;
        Ok(Finished {
            path: self.path,
            note,
        })
    }
}

/// Writes the UTF-8 text of `from` to `to` in `encoding` (UTF-16 with its byte-order mark).
/// Stops at the first character Windows-1252 has no byte for, and returns it.
fn transcode(from: &Path, to: &Path, encoding: TextEncoding) -> std::io::Result<Option<char>> {
    let mut input = BufReader::new(File::open(from)?);
    let mut out = BufWriter::new(File::create(to)?);
    match encoding {
        TextEncoding::Utf16Le => out.write_all(b"\xFF\xFE")?,
        TextEncoding::Utf16Be => out.write_all(b"\xFE\xFF")?,
        _ => {}
    }
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        match encoding {
            TextEncoding::Utf16Le => {
                for unit in line.encode_utf16() {
                    out.write_all(&unit.to_le_bytes())?;
                }
            }
            TextEncoding::Utf16Be => {
                for unit in line.encode_utf16() {
                    out.write_all(&unit.to_be_bytes())?;
                }
            }
            _ => {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&line);
                if unmappable {
                    let first = line
                        .chars()
                        .find(|c| {
                            let mut buf = [0u8; 4];
                            encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf)).2
                        })
                        .unwrap_or(char::REPLACEMENT_CHARACTER);
                    return Ok(Some(first));
                }
                out.write_all(&bytes)?;
            }
        }
    }
    out.flush()?;
    Ok(None)
}

fn csv_error(path: &Path, e: csv::Error) -> WriteError {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    WriteError {
        path: path.to_path_buf(),
        source,
    }
}

/// `opps.csv` in `dir` → `dir/opps.<suffix>.csv`.
pub fn beside(file: &Path, dir: &Path, suffix: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    dir.join(format!("{stem}.{suffix}.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for (cell, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Acme", "Acme"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralised(cell), expected);
        }
    }

    #[test]
    fn result_files_keep_the_sheet_and_add_the_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let headers = vec!["Name".to_string(), "Link".to_string()];
        let mut file = ResultFile::create(&path, &headers, ResultStyle::default()).unwrap();
        let cells = vec!["Acme, Inc.".to_string(), "=HYPERLINK(\"x\")".to_string()];
        file.write(2, Some(&cells), 2, "Created", Some("006A"), "")
            .unwrap();
        file.write(2, None, 3, "Invalid", None, "row 3 has 3 cells")
            .unwrap();
        file.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        assert_eq!(
            text,
            "Name,Link,Row,Status,Salesforce Id,Message\r\n\"Acme, Inc.\",\"'=HYPERLINK(\"\"x\"\")\",2,Created,006A,\r\n,,3,Invalid,,row 3 has 3 cells\r\n"
        );
    }
}
