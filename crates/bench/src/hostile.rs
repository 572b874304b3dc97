//! Hostile workbooks: small `.xlsx` files built to unpack to gigabytes or to claim millions of
//! rows. The benchmark reads each and prints the peak memory it took; the reader's tests build
//! the same shapes at a smaller scale and check the error each gets.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";

/// Writes what a part holds, a piece at a time, so that a gigabyte part never sits in memory.
type Body<'a> = &'a mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

/// A one-sheet workbook (`Sheet1`) whose sheet data and shared strings come from the callers.
pub fn write_workbook(
    path: &Path,
    sheet_data: Body<'_>,
    shared_strings: Option<Body<'_>>,
) -> io::Result<()> {
    let file = BufWriter::new(File::create(path)?);
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default().large_file(true);
    let mut types = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{CONTENT_TYPE}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CONTENT_TYPE}.worksheet+xml"/>"#
    );
    let mut rels = format!(
        r#"<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>"#
    );
    zip.start_file("xl/worksheets/sheet1.xml", options)?;
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>"#
    )?;
    sheet_data(&mut zip)?;
    zip.write_all(b"</sheetData></worksheet>")?;
    if let Some(shared) = shared_strings {
        types.push_str(&format!(
            r#"<Override PartName="/xl/sharedStrings.xml" ContentType="{CONTENT_TYPE}.sharedStrings+xml"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>"#
        ));
        zip.start_file("xl/sharedStrings.xml", options)?;
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">"#
        )?;
        shared(&mut zip)?;
        zip.write_all(b"</sst>")?;
    }
    types.push_str("</Types>");
    let small = [
        ("[Content_Types].xml", types),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}">{rels}</Relationships>"#
            ),
        ),
    ];
    for (name, body) in small {
        zip.start_file(name, options)?;
        zip.write_all(body.as_bytes())?;
    }
    zip.finish()?.flush()
}

/// A header row (`Name`) and one data row, both inline strings.
fn header_and_row(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(
        br#"<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row>"#,
    )
}

/// Writes `byte` `count` times, a megabyte at a time.
fn repeat(out: &mut dyn Write, byte: u8, count: usize) -> io::Result<()> {
    let block = vec![byte; 1 << 20];
    let mut left = count;
    while left > 0 {
        let n = left.min(block.len());
        out.write_all(&block[..n])?;
        left -= n;
    }
    Ok(())
}

/// Shared strings of `unpacked_mb` MB (strings of a kilobyte of `A`), which a reader that
/// loads the shared-string table whole holds in memory.
pub fn shared_strings_bomb(path: &Path, unpacked_mb: usize) -> io::Result<()> {
    let item = format!("<si><t>{}</t></si>", "A".repeat(1000));
    let count = unpacked_mb * (1 << 20) / item.len() + 1;
    write_workbook(
        path,
        &mut header_and_row,
        Some(&mut |out| {
            for _ in 0..count {
                out.write_all(item.as_bytes())?;
            }
            Ok(())
        }),
    )
}

/// One cell of `unpacked_mb` MB of text, which an XML parser reads as one piece.
pub fn huge_cell(path: &Path, unpacked_mb: usize) -> io::Result<()> {
    write_workbook(
        path,
        &mut |out| {
            out.write_all(
                br#"<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>"#,
            )?;
            repeat(out, b'B', unpacked_mb << 20)?;
            out.write_all(b"</t></is></c></row>")
        },
        None,
    )
}

/// A header and `rows` identical rows without row numbers, so that they pack to almost
/// nothing: millions of rows in a few megabytes.
pub fn many_rows(path: &Path, rows: usize) -> io::Result<()> {
    write_workbook(
        path,
        &mut |out| {
            out.write_all(br#"<row><c t="inlineStr"><is><t>Name</t></is></c></row>"#)?;
            for _ in 0..rows {
                out.write_all(br#"<row><c t="s"><v>0</v></c></row>"#)?;
            }
            Ok(())
        },
        Some(&mut |out| out.write_all(b"<si><t>Acme</t></si>")),
    )
}

/// `rows` rows of `refs` cells that all show one shared string of `string_kb` KB: each row's
/// text is far larger than the file.
pub fn wide_rows(path: &Path, rows: usize, refs: usize, string_kb: usize) -> io::Result<()> {
    write_workbook(
        path,
        &mut |out| {
            out.write_all(br#"<row><c t="inlineStr"><is><t>Name</t></is></c>"#)?;
            for i in 1..refs {
                write!(out, r#"<c t="inlineStr"><is><t>Note {i}</t></is></c>"#)?;
            }
            out.write_all(b"</row>")?;
            for _ in 0..rows {
                out.write_all(b"<row>")?;
                for _ in 0..refs {
                    out.write_all(br#"<c t="s"><v>0</v></c>"#)?;
                }
                out.write_all(b"</row>")?;
            }
            Ok(())
        },
        Some(&mut |out| {
            out.write_all(b"<si><t>")?;
            repeat(out, b'C', string_kb << 10)?;
            out.write_all(b"</t></si>")
        }),
    )
}
