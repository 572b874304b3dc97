//! Limits checked before a workbook is parsed. An `.xlsx` is a ZIP archive, and a few kilobytes
//! of it can unpack to gigabytes; the parser holds some parts whole (the shared strings) and
//! each XML element of a sheet whole (a cell), so those are measured first, by unpacking into
//! nothing, and refused past a budget. Sheets themselves are streamed and may be large.

use std::io::{self, Read, Seek, SeekFrom};

use super::error::ImportError;

/// Unpacked bytes of a part the parser reads whole: far beyond what a sheet of a million rows
/// shares in strings, far below what would strain memory.
pub const PART_BUDGET: u64 = 32 << 20;

/// Bytes of one tag or one run of text in a sheet: a cell of Salesforce's longest field
/// (131,072 characters), escaped, fits many times over.
pub const ELEMENT_BUDGET: u64 = 4 << 20;

/// Cells of one sheet part: a million rows of fifty columns.
pub const CELL_BUDGET: u64 = 50_000_000;

/// Parts the parser reads whole, by the end of their names (lower case).
const READ_WHOLE: [&str; 5] = [
    "sharedstrings.xml",
    "styles.xml",
    "workbook.xml",
    ".rels",
    "[content_types].xml",
];

/// Measures the parts of the workbook in `source` and leaves `source` at its start. A file that
/// is not a ZIP archive passes, so that the parser says what it is.
pub fn check<RS: Read + Seek>(file: &str, source: &mut RS) -> Result<(), ImportError> {
    let outcome = measure(file, &mut *source);
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| ImportError::Io {
            file: file.to_string(),
            row: 1,
            source: e,
        })?;
    outcome
}

fn measure<RS: Read + Seek>(file: &str, source: RS) -> Result<(), ImportError> {
    let Ok(mut archive) = zip::ZipArchive::new(source) else {
        return Ok(());
    };
    for index in 0..archive.len() {
        // Parts that cannot be unpacked are left for the parser to report.
        let Ok(mut part) = archive.by_index(index) else {
            continue;
        };
        let Ok(name) = part.name().map(|n| n.into_owned()) else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        let outcome = if lower.contains("worksheets/") && lower.ends_with(".xml") {
            scan_sheet(&mut part)
        } else if READ_WHOLE.iter().any(|end| lower.ends_with(end)) {
            unpacked_size(&mut part)
        } else {
            continue;
        };
        let problem = match outcome {
            Ok(()) => continue,
            // A part that does not unpack is the parser's to report, with its own words.
            Err(Limit::Unreadable) => continue,
            Err(other) => other,
        };
        return Err(match problem {
            Limit::Part => ImportError::PartTooLarge {
                file: file.to_string(),
                part: name,
                limit_mb: PART_BUDGET >> 20,
            },
            Limit::Element => ImportError::ElementTooLarge {
                file: file.to_string(),
                part: name,
                limit_mb: ELEMENT_BUDGET >> 20,
            },
            Limit::Cells | Limit::Unreadable => ImportError::TooManyCells {
                file: file.to_string(),
                part: name,
                limit: CELL_BUDGET,
            },
        });
    }
    Ok(())
}

enum Limit {
    Part,
    Element,
    Cells,
    Unreadable,
}

impl From<io::Error> for Limit {
    fn from(_: io::Error) -> Self {
        Limit::Unreadable
    }
}

fn unpacked_size(part: &mut impl Read) -> Result<(), Limit> {
    let unpacked = io::copy(&mut part.take(PART_BUDGET + 1), &mut io::sink())?;
    if unpacked > PART_BUDGET {
        return Err(Limit::Part);
    }
    Ok(())
}

/// Reads a sheet part through once, keeping nothing: the longest tag or text between tags,
/// and the number of `<c>` (cell) elements, whatever their namespace prefix.
fn scan_sheet(part: &mut impl Read) -> Result<(), Limit> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut run: u64 = 0;
    let mut cells: u64 = 0;
    // The name of the tag being read, up to a few bytes; `None` once past it.
    let mut name: Option<Vec<u8>> = None;
    loop {
        let n = match part.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        for &byte in &buf[..n] {
            match byte {
                b'<' => {
                    run = 0;
                    name = Some(Vec::with_capacity(8));
                }
                b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n' => {
                    if let Some(tag) = name.take()
                        && is_cell(&tag)
                    {
                        cells += 1;
                        if cells > CELL_BUDGET {
                            return Err(Limit::Cells);
                        }
                    }
                    if byte == b'>' {
                        run = 0;
                    }
                }
                other => {
                    if let Some(tag) = name.as_mut()
                        && tag.len() < 16
                    {
                        tag.push(other);
                    }
                }
            }
            run += 1;
            if run > ELEMENT_BUDGET {
                return Err(Limit::Element);
            }
        }
    }
}

/// `c` or `prefix:c`.
fn is_cell(tag: &[u8]) -> bool {
    let local = match tag.iter().rposition(|b| *b == b':') {
        Some(colon) => &tag[colon + 1..],
        None => tag,
    };
    local == b"c"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_counted_whatever_their_prefix_and_rows_are_not() {
        let mut cells = 0;
        for tag in [&b"c"[..], b"x:c", b"row", b"col", b"cols", b"x:row"] {
            cells += usize::from(is_cell(tag));
        }
        assert_eq!(cells, 2);
    }

    #[test]
    fn a_long_text_run_is_an_element_past_the_budget() {
        let mut sheet = b"<sheetData><row><c><v>".to_vec();
        sheet.extend(std::iter::repeat_n(b'9', ELEMENT_BUDGET as usize + 1));
        assert!(matches!(scan_sheet(&mut &sheet[..]), Err(Limit::Element)));
        let fine = b"<sheetData><row><c r=\"A1\"><v>1</v></c><x:c/></row></sheetData>";
        assert!(scan_sheet(&mut &fine[..]).is_ok());
    }
}
