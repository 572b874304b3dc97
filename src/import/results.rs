//! The files an import writes: the per-row report of a check, and after a load the annotated
//! copy of the sheet (every row with its Salesforce Id, status and error), the successes and
//! the errors. Rows carry their row number, so they join to the sheet by number, never by
//! position. Cells a spreadsheet would run as formulas are written as text.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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
}

impl ResultFile {
    pub fn create(path: &Path, headers: &[String]) -> Result<ResultFile, WriteError> {
        let fail = |source| WriteError {
            path: path.to_path_buf(),
            source,
        };
        // `--out` may name a folder that does not exist yet.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut file = BufWriter::new(File::create(path).map_err(fail)?);
        file.write_all(b"\xEF\xBB\xBF").map_err(fail)?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
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

    pub fn finish(mut self) -> Result<PathBuf, WriteError> {
        self.writer.flush().map_err(|source| WriteError {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.path)
    }
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
        let mut file = ResultFile::create(&path, &headers).unwrap();
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
