//! The import reader against a corpus of bad and awkward files, each built here, each with the
//! exact rows or errors a person should get.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use tether::import::{
    CsvRows, ImportError, LineEnding, ReadOptions, Rows, TextEncoding, XlsxRows, sheet_names, sniff,
};

/// One line per outcome: `open: <error>` when the file is refused, else the headers and then
/// each row (`<number>: <cells joined by |>`) or row error.
fn read_file(path: &Path, options: &ReadOptions) -> Vec<String> {
    let name = path.display().to_string();
    let rows = match Rows::open(path, options) {
        Ok(rows) => rows,
        Err(err) => return vec![format!("open: {}", describe(&err, &name))],
    };
    let mut lines = vec![match rows.headers() {
        Some(names) => format!("headers: {}", names.join("|")),
        None => "no headers".to_string(),
    }];
    for item in rows {
        lines.push(match item {
            Ok(row) => format!("{}: {}", row.number, row.cells.join("|")),
            Err(err) => describe(&err, &name),
        });
    }
    lines
}

/// The error's kind and positions; also checks that its message names the file.
fn describe(err: &ImportError, file: &str) -> String {
    assert!(
        err.to_string().contains(file),
        "message does not name the file: {err}"
    );
    match err {
        ImportError::Open { .. } => "Open".into(),
        ImportError::Io { row, .. } => format!("Io row={row}"),
        ImportError::Empty { .. } => "Empty".into(),
        ImportError::Binary { what, .. } => format!("Binary({what})"),
        ImportError::HeaderOnly { .. } => "HeaderOnly".into(),
        ImportError::DuplicateHeader {
            name,
            first,
            second,
            ..
        } => format!("DuplicateHeader {name} in {} and {}", first.0, second.0),
        ImportError::BlankHeader { column, .. } => format!("BlankHeader column={}", column.0),
        ImportError::RaggedRow {
            row,
            found,
            expected,
            ..
        } => format!("RaggedRow row={row} found={found} expected={expected}"),
        ImportError::UnclosedQuote { row, column, .. } => {
            format!("UnclosedQuote row={row} column={}", column.0)
        }
        ImportError::WrongEncoding { row, encoding, .. } => {
            format!("WrongEncoding row={row} {encoding}")
        }
        ImportError::ControlCharacter {
            row, column, code, ..
        } => format!("ControlCharacter row={row} column={} {code}", column.0),
        ImportError::RowTooLarge { row, limit, .. } => {
            format!("RowTooLarge row={row} limit={limit}")
        }
        ImportError::ValueWithoutHeader { row, column, .. } => {
            format!("ValueWithoutHeader row={row} column={}", column.0)
        }
        ImportError::SheetNotFound {
            sheet, available, ..
        } => format!("SheetNotFound {sheet} among {available}"),
        ImportError::Workbook { .. } => "Workbook".into(),
        ImportError::NotUtf8 { row, byte, .. } => format!("NotUtf8 row={row} byte={byte:02X}"),
        other => format!("{other}"),
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let pair = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

fn many_rows(count: usize) -> String {
    let mut text = String::from("Id,Name,Amount\n");
    for i in 0..count {
        text.push_str(&format!("{i},Account {i},{}.50\n", i * 3));
    }
    text
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    expected: Vec<String>,
}

fn case(name: &'static str, bytes: impl Into<Vec<u8>>, expected: &[&str]) -> Case {
    Case {
        name,
        bytes: bytes.into(),
        expected: expected.iter().map(|s| s.to_string()).collect(),
    }
}

fn corpus() -> Vec<Case> {
    let ten_headers = "c1,c2,c3,c4,c5,c6,c7,c8,c9,c10\n";
    let twelve_cells = "1,2,3,4,5,6,7,8,9,10,11,12\n";
    let ten_cells = "1,2,3,4,5,6,7,8,9,10\n";
    let mut binary = Vec::new();
    for round in 0..8u8 {
        binary.extend((0..=255u8).map(|b| b.wrapping_mul(31).wrapping_add(round)));
    }
    vec![
        case(
            "plain.csv",
            "Name,Amount\nAcme,100\nGlobex,200\n",
            &["headers: Name|Amount", "2: Acme|100", "3: Globex|200"],
        ),
        case(
            "crlf.csv",
            "Name,Amount\r\nAcme,100\r\nGlobex,200\r\n",
            &["headers: Name|Amount", "2: Acme|100", "3: Globex|200"],
        ),
        case(
            "cr-only.csv",
            "Name,Amount\rAcme,100\rGlobex,200\r",
            &["headers: Name|Amount", "2: Acme|100", "3: Globex|200"],
        ),
        case(
            "mixed-endings.csv",
            "Name,Amount\r\nAcme,100\nGlobex,200\rInitech,300",
            &[
                "headers: Name|Amount",
                "2: Acme|100",
                "3: Globex|200",
                "4: Initech|300",
            ],
        ),
        case(
            "bom-semicolons.csv",
            b"\xEF\xBB\xBFName;Amount\r\nAcme;1.200,50\r\nGlobex;\"3,5\"\r\n".to_vec(),
            &["headers: Name|Amount", "2: Acme|1.200,50", "3: Globex|3,5"],
        ),
        case(
            "utf16le-bom.csv",
            utf16("Name,Amount\r\nCafé,€5\r\n", false),
            &["headers: Name|Amount", "2: Café|€5"],
        ),
        case(
            "utf16be-bom.tsv",
            utf16("Name\tAmount\nNaïve\t7\n", true),
            &["headers: Name|Amount", "2: Naïve|7"],
        ),
        case(
            "utf16le-no-bom.csv",
            utf16("Name,Amount\nAcme,5\n", false)[2..].to_vec(),
            &["headers: Name|Amount", "2: Acme|5"],
        ),
        case(
            "windows-1252.csv",
            b"Name,Amount\r\nCaf\xE9,\x80 5\r\nM\xFCller,6\r\n".to_vec(),
            &["headers: Name|Amount", "2: Café|€ 5", "3: Müller|6"],
        ),
        case(
            "ragged-short.csv",
            "a,b,c\n1,2,3\n4,5\n6,7,8\n",
            &[
                "headers: a|b|c",
                "2: 1|2|3",
                "RaggedRow row=3 found=2 expected=3",
                "4: 6|7|8",
            ],
        ),
        case(
            "twelve-for-ten.csv",
            format!("{ten_headers}{ten_cells}{twelve_cells}"),
            &[
                "headers: c1|c2|c3|c4|c5|c6|c7|c8|c9|c10",
                "2: 1|2|3|4|5|6|7|8|9|10",
                "RaggedRow row=3 found=12 expected=10",
            ],
        ),
        case(
            "trailing-delimiter.csv",
            "a,b,\n1,2,\n3,4,\n",
            &["headers: a|b", "2: 1|2", "3: 3|4"],
        ),
        case(
            "unclosed-quote.csv",
            "a,b\n1,\"two\n3,4\n",
            &["headers: a|b", "UnclosedQuote row=2 column=2"],
        ),
        case(
            "unclosed-quote-later.csv",
            "a,b\n1,2\n3,4\n5,\"six\n7,8\n",
            &[
                "headers: a|b",
                "2: 1|2",
                "3: 3|4",
                "UnclosedQuote row=4 column=2",
            ],
        ),
        case(
            "unclosed-quote-in-header.csv",
            "\"a,b\n1,2\n",
            &["open: UnclosedQuote row=1 column=1"],
        ),
        case(
            "quoted-newlines.csv",
            "Name,Note\nAcme,\"line one\nline two\"\nGlobex,x\n",
            &[
                "headers: Name|Note",
                "2: Acme|line one\nline two",
                "4: Globex|x",
            ],
        ),
        case(
            "quoted-crlf.csv",
            "Name,Note\r\nAcme,\"one\r\ntwo\"\r\nGlobex,x\r\n",
            &["headers: Name|Note", "2: Acme|one\ntwo", "4: Globex|x"],
        ),
        case(
            "escaped-quotes.csv",
            "Name,Quote\nAcme,\"say \"\"hi\"\"\"\n",
            &["headers: Name|Quote", "2: Acme|say \"hi\""],
        ),
        case("empty.csv", "", &["open: Empty"]),
        case("blank-lines.csv", "\r\n\r\n   \n", &["open: Empty"]),
        case("bom-only.csv", b"\xEF\xBB\xBF".to_vec(), &["open: Empty"]),
        case("header-only.csv", "Name,Amount\n", &["open: HeaderOnly"]),
        case(
            "header-then-blank-rows.csv",
            "Name,Amount\r\n,\r\n\r\n",
            &["open: HeaderOnly"],
        ),
        case(
            "duplicate-headers.csv",
            "Id,Name,Amount,Stage,Close,Owner,Amount\n1,Acme,5,Open,2024-01-01,Bob,6\n",
            &["open: DuplicateHeader Amount in 3 and 7"],
        ),
        case(
            "blank-header.csv",
            ",Amount\nx,5\n",
            &["open: BlankHeader column=1"],
        ),
        case("binary.csv", binary, &["open: Binary(binary data)"]),
        case(
            "image.csv",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            &["open: Binary(a PNG image)"],
        ),
        case(
            "workbook-named-csv.csv",
            b"PK\x03\x04\x14\0\0\0".to_vec(),
            &["open: Binary(a ZIP archive (an .xlsx workbook is one))"],
        ),
        case(
            "nul-byte.csv",
            b"Name,Note\nAcme,x\0y\nGlobex,plain text here\n".to_vec(),
            &[
                "headers: Name|Note",
                "ControlCharacter row=2 column=2 U+0000",
                "3: Globex|plain text here",
            ],
        ),
        case(
            "pipes.csv",
            "Name|Amount\nAcme|1,200.50\n",
            &["headers: Name|Amount", "2: Acme|1,200.50"],
        ),
        case(
            "tabs.tsv",
            "Name\tAmount\tClose\nAcme\t$1,200.50\t03/04/2024\n",
            &["headers: Name|Amount|Close", "2: Acme|$1,200.50|03/04/2024"],
        ),
        case(
            "no-header.csv",
            "Acme,100\nGlobex,200\n",
            &["no headers", "1: Acme|100", "2: Globex|200"],
        ),
        case(
            "formula-cell.csv",
            "Name,Link\nAcme,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n",
            &[
                "headers: Name|Link",
                "2: Acme|=HYPERLINK(\"http://x\",\"y\")",
            ],
        ),
        case(
            "blank-lines-inside.csv",
            "a,b\n1,2\n\n   \n3,4\n",
            &["headers: a|b", "2: 1|2", "5: 3|4"],
        ),
        case(
            "no-final-newline.csv",
            "a,b\n1,2",
            &["headers: a|b", "2: 1|2"],
        ),
        case(
            "inch-marks.csv",
            "Pipe,Size\nsteel,5\" wide\n",
            &["headers: Pipe|Size", "2: steel|5\" wide"],
        ),
        case(
            "one-column.csv",
            "Email\na@example.com\nb@example.com\n",
            &["headers: Email", "2: a@example.com", "3: b@example.com"],
        ),
        case(
            "euro-semicolons.csv",
            "Account;Amount;Close\r\n\"Acme; Inc\";1.200,50 €;03/04/2024\r\nGlobex;(500);\r\n",
            &[
                "headers: Account|Amount|Close",
                "2: Acme; Inc|1.200,50 €|03/04/2024",
                "3: Globex|(500)|",
            ],
        ),
    ]
}

#[test]
fn corpus_of_awkward_files_gives_exact_rows_or_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = corpus();
    assert!(cases.len() >= 30, "the corpus has {} files", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let path = dir.path().join(case.name);
        std::fs::write(&path, &case.bytes).unwrap();
        let got = read_file(&path, &ReadOptions::default());
        if got != case.expected {
            failures.push(format!(
                "{}:\n  expected {:?}\n  got      {:?}",
                case.name, case.expected, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sniffed_dialects_of_typical_exports() {
    let dialect = sniff::sniff(b"\xEF\xBB\xBFName;Amount\r\nAcme;5\r\n").unwrap();
    assert_eq!(
        (
            dialect.encoding,
            dialect.delimiter,
            dialect.line_ending,
            dialect.has_header
        ),
        (TextEncoding::Utf8Bom, b';', LineEnding::Crlf, true)
    );
    let dialect = sniff::sniff(&utf16("a\tb\r1\t2\r", false)).unwrap();
    assert_eq!(
        (dialect.encoding, dialect.delimiter, dialect.line_ending),
        (TextEncoding::Utf16Le, b'\t', LineEnding::Cr)
    );
}

#[test]
fn bytes_past_the_sample_that_are_not_utf8_name_the_row_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late-1252.csv");
    let mut bytes = many_rows(5_000).into_bytes();
    assert!(bytes.len() > sniff::SAMPLE_LEN);
    bytes.extend_from_slice(b"5000,Caf\xE9,1\n");
    std::fs::write(&path, bytes).unwrap();
    let lines = read_file(&path, &ReadOptions::default());
    assert_eq!(lines.len(), 1 + 5_000 + 1);
    assert_eq!(lines[5_000], "5001: 4999|Account 4999|14997.50");
    assert_eq!(lines[5_001], "NotUtf8 row=5002 byte=E9");

    let options = ReadOptions {
        encoding: Some(TextEncoding::Windows1252),
        ..ReadOptions::default()
    };
    let lines = read_file(&path, &options);
    assert_eq!(lines.last().map(String::as_str), Some("5002: 5000|Café|1"));
}

#[test]
fn a_character_split_by_the_sample_boundary_reads_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("boundary.csv");
    let mut text = String::from("Name,Note\n");
    let filler = "x".repeat(sniff::SAMPLE_LEN - text.len() - 3);
    text.push_str(&format!("a,{filler}é\nb,ok\n"));
    assert!(!text.is_char_boundary(sniff::SAMPLE_LEN));
    std::fs::write(&path, text).unwrap();
    let rows: Vec<_> = CsvRows::open(&path, &ReadOptions::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].cells[1].ends_with("xé"));
    assert_eq!(rows[1].number, 3);
}

#[test]
fn a_huge_single_cell_is_read_whole_and_a_limit_stops_runaway_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge-cell.csv");
    let huge = "y".repeat(5 * 1024 * 1024);
    std::fs::write(&path, format!("Name,Note\nAcme,\"{huge}\"\nGlobex,small\n")).unwrap();
    let rows: Vec<_> = CsvRows::open(&path, &ReadOptions::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].cells[1].len(), huge.len());
    assert_eq!(rows[1].cells, ["Globex", "small"]);

    let options = ReadOptions {
        max_row_bytes: 1024 * 1024,
        ..ReadOptions::default()
    };
    let lines = read_file(&path, &options);
    assert_eq!(lines, ["open: RowTooLarge row=2 limit=1048576"]);
}

/// A reader that makes a large CSV as it is read, and counts the bytes handed out.
struct Generated {
    next_row: u64,
    rows: u64,
    pending: Vec<u8>,
    served: Arc<AtomicU64>,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() && self.next_row <= self.rows {
            if self.next_row == 0 {
                self.pending.extend_from_slice(b"Id,Name,Amount,Close\r\n");
            } else {
                let i = self.next_row;
                write!(
                    self.pending,
                    "{i},\"Account {}\",{}.25,2024-03-04\r\n",
                    i % 97,
                    i * 7
                )?;
            }
            self.next_row += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.served.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn a_million_rows_stream_through_with_bounded_read_ahead() {
    const ROWS: u64 = 1_000_000;
    let served = Arc::new(AtomicU64::new(0));
    let source = Generated {
        next_row: 0,
        rows: ROWS,
        pending: Vec::new(),
        served: served.clone(),
    };
    let rows = CsvRows::from_reader("million.csv", source, &ReadOptions::default()).unwrap();
    let mut count = 0u64;
    let mut consumed = 0u64;
    let mut max_ahead = 0u64;
    for row in rows {
        let row = row.unwrap();
        count += 1;
        assert_eq!(row.number, count + 1);
        // Bytes of the rows handed out so far, with their quotes, commas and CRLF.
        consumed += row.cells.iter().map(|c| c.len() as u64).sum::<u64>() + 2 + 3 + 2;
        max_ahead = max_ahead.max(served.load(Ordering::Relaxed).saturating_sub(consumed));
    }
    assert_eq!(count, ROWS);
    // The reader never holds more than its sample and a few buffers beyond what it handed out.
    assert!(
        max_ahead < 256 * 1024,
        "read {max_ahead} bytes ahead of the rows handed out"
    );
    assert!(served.load(Ordering::Relaxed) > 40 * ROWS);
}

#[test]
fn a_million_row_file_on_disk_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.csv");
    let mut out = io::BufWriter::new(std::fs::File::create(&path).unwrap());
    out.write_all(b"Id,Amount\n").unwrap();
    for i in 0..1_000_000u32 {
        writeln!(out, "{i},{}", i % 1000).unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let mut count = 0u64;
    let mut last = 0u64;
    for row in Rows::open(&path, &ReadOptions::default()).unwrap() {
        last = row.unwrap().number;
        count += 1;
    }
    assert_eq!((count, last), (1_000_000, 1_000_001));
}

#[test]
fn caller_choices_override_the_sniffer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.csv");
    std::fs::write(&path, "Alice,London\nBob,Paris\n").unwrap();
    assert_eq!(
        read_file(&path, &ReadOptions::default()),
        ["headers: Alice|London", "2: Bob|Paris"]
    );
    let options = ReadOptions {
        has_header: Some(false),
        ..ReadOptions::default()
    };
    assert_eq!(
        read_file(&path, &options),
        ["no headers", "1: Alice|London", "2: Bob|Paris"]
    );
    let options = ReadOptions {
        delimiter: Some(b';'),
        has_header: Some(false),
        ..ReadOptions::default()
    };
    assert_eq!(
        read_file(&path, &options),
        ["no headers", "1: Alice,London", "2: Bob,Paris"]
    );
}

#[test]
fn a_missing_file_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone.csv");
    assert_eq!(read_file(&path, &ReadOptions::default()), ["open: Open"]);
}

mod fuzz;
mod hostile;
mod workbooks;
