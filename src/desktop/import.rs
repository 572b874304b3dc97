//! The import page's preview: the first rows of a spreadsheet and how it is written.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use super::service::Service;
use super::{Event, FilePreview};
use crate::import::{Dialect, LineEnding, ReadOptions, Rows, TextEncoding, sheet_names};

/// Rows shown before "and more".
pub const PREVIEW_ROWS: usize = 50;

impl Service {
    pub(super) async fn preview_file(
        self: &Arc<Self>,
        path: PathBuf,
        sheet: Option<String>,
    ) -> anyhow::Result<()> {
        let preview = tokio::task::spawn_blocking(move || read_preview(path, sheet))
            .await
            .context("the preview stopped unexpectedly")??;
        self.outbox.send(Event::FilePreview(Box::new(preview)));
        Ok(())
    }
}

/// Reads the head of the file; the error names the file, row and column, and what to do.
pub fn read_preview(path: PathBuf, sheet: Option<String>) -> anyhow::Result<FilePreview> {
    let is_workbook = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let sheets = if is_workbook {
        sheet_names(&path)?
    } else {
        Vec::new()
    };
    let options = ReadOptions {
        sheet: sheet.clone(),
        ..ReadOptions::default()
    };
    let mut rows = Rows::open(&path, &options)?;
    let format = match rows.dialect() {
        Some(dialect) => describe(dialect),
        None => "Excel workbook (.xlsx)".to_string(),
    };
    let headers = rows.headers().map(<[String]>::to_vec).unwrap_or_default();
    let mut head = Vec::new();
    let mut more = false;
    for row in rows.by_ref() {
        if head.len() == PREVIEW_ROWS {
            more = true;
            break;
        }
        head.push(row?);
    }
    Ok(FilePreview {
        path,
        format,
        sheet: sheet.or_else(|| sheets.first().cloned()),
        sheets,
        headers,
        rows: head,
        more,
    })
}

/// "CSV · Windows-1252 · semicolons · CRLF line endings · header row".
pub fn describe(dialect: &Dialect) -> String {
    let kind = if dialect.delimiter == b'\t' {
        "TSV"
    } else {
        "CSV"
    };
    let encoding = match dialect.encoding {
        TextEncoding::Utf8Bom => "UTF-8 with BOM".to_string(),
        other => other.name().to_string(),
    };
    let delimiter = match dialect.delimiter {
        b',' => "commas".to_string(),
        b';' => "semicolons".to_string(),
        b'\t' => "tabs".to_string(),
        b'|' => "pipes".to_string(),
        other => format!("'{}' between cells", other as char),
    };
    let endings = match dialect.line_ending {
        LineEnding::Crlf => "Windows line endings (CRLF)",
        LineEnding::Lf => "LF line endings",
        LineEnding::Cr => "old Mac line endings (CR)",
        LineEnding::Mixed => "mixed line endings",
        LineEnding::None => "one line",
    };
    let header = if dialect.has_header {
        "header row"
    } else {
        "no header row"
    };
    format!("{kind} · {encoding} · {delimiter} · {endings} · {header}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_windows_export_is_described_and_previewed_with_its_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"Account;Amount;Close date\r\n".to_vec();
        bytes.extend_from_slice(b"Caf\xe9 Nord;1.200,50 \x80;03/04/2024\r\n");
        bytes.extend_from_slice(b"Acme;(500);\r\n");
        let path = write(&dir, "deals.csv", &bytes);
        let preview = read_preview(path.clone(), None).unwrap();
        assert_eq!(
            preview.format,
            "CSV · Windows-1252 · semicolons · Windows line endings (CRLF) · header row"
        );
        assert_eq!(preview.headers, ["Account", "Amount", "Close date"]);
        assert_eq!(preview.rows.len(), 2);
        assert_eq!(preview.rows[0].number, 2);
        assert_eq!(
            preview.rows[0].cells,
            ["Café Nord", "1.200,50 €", "03/04/2024"]
        );
        assert_eq!(preview.rows[1].cells, ["Acme", "(500)", ""]);
        assert!(!preview.more);
        assert!(preview.sheets.is_empty());
    }

    #[test]
    fn the_preview_stops_at_its_limit_and_says_there_is_more() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id\tname\n");
        for i in 0..(PREVIEW_ROWS + 10) {
            text.push_str(&format!("{i}\tname {i}\n"));
        }
        let preview = read_preview(write(&dir, "many.tsv", text.as_bytes()), None).unwrap();
        assert_eq!(preview.rows.len(), PREVIEW_ROWS);
        assert!(preview.more);
        assert!(
            preview.format.starts_with("TSV · UTF-8 · tabs"),
            "{}",
            preview.format
        );
    }

    #[test]
    fn a_binary_file_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "photo.csv",
            &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0],
        );
        let message = format!("{:#}", read_preview(path, None).unwrap_err());
        assert!(message.contains("photo.csv"), "{message}");
    }
}
