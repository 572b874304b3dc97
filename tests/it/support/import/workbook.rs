//! Minimal `.xlsx` packages built in the tests: sheets of cells by column letter, shared
//! strings, and the two number formats Excel gives dates and date/times, so that a date cell
//! is a serial number shown as a date, as in a workbook saved by Excel.

use std::io::{self, Write};

pub enum Cell {
    Text(&'static str),
    Number(&'static str),
    Bool(bool),
    Shared(usize),
    /// A day as Excel stores it: days since 1899-12-30, shown with format 14 (`m/d/yyyy`).
    Date(&'static str),
    /// A moment as Excel stores it, shown with format 22 (`m/d/yyyy h:mm`).
    DateTime(&'static str),
}

/// A sheet row: its number and its cells by column letter.
pub type SheetRow = (u32, Vec<(&'static str, Cell)>);

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";

fn cell_xml(at: &str, cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => format!(r#"<c r="{at}" t="inlineStr"><is><t>{t}</t></is></c>"#),
        Cell::Number(v) => format!(r#"<c r="{at}"><v>{v}</v></c>"#),
        Cell::Bool(b) => format!(r#"<c r="{at}" t="b"><v>{}</v></c>"#, u8::from(*b)),
        Cell::Shared(i) => format!(r#"<c r="{at}" t="s"><v>{i}</v></c>"#),
        // Style indexes into `cellXfs` of the styles part below.
        Cell::Date(v) => format!(r#"<c r="{at}" s="1"><v>{v}</v></c>"#),
        Cell::DateTime(v) => format!(r#"<c r="{at}" s="2"><v>{v}</v></c>"#),
    }
}

fn sheet_xml(rows: &[SheetRow]) -> String {
    let mut data = String::new();
    for (number, cells) in rows {
        data.push_str(&format!(r#"<row r="{number}">"#));
        for (column, cell) in cells {
            data.push_str(&cell_xml(&format!("{column}{number}"), cell));
        }
        data.push_str("</row>");
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{data}</sheetData></worksheet>"#
    )
}

pub fn build(sheets: &[(&str, Vec<SheetRow>)], shared: &[&str]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut put = |name: &str, body: String| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let mut types = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{CONTENT_TYPE}.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="{CONTENT_TYPE}.styles+xml"/>"#,
    );
    let mut listed = String::new();
    let mut rels =
        format!(r#"<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>"#);
    for (i, (name, rows)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{CONTENT_TYPE}.worksheet+xml"/>"#
        ));
        listed.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        put(&format!("xl/worksheets/sheet{n}.xml"), sheet_xml(rows));
    }
    if !shared.is_empty() {
        types.push_str(&format!(
            r#"<Override PartName="/xl/sharedStrings.xml" ContentType="{CONTENT_TYPE}.sharedStrings+xml"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rIdShared" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>"#
        ));
        let items: String = shared
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect();
        put(
            "xl/sharedStrings.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{0}" uniqueCount="{0}">{items}</sst>"#,
                shared.len()
            ),
        );
    }
    put(
        "xl/styles.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>"#
        ),
    );
    types.push_str("</Types>");
    put("[Content_Types].xml", types);
    put(
        "_rels/.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    put(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{listed}</sheets></workbook>"#
        ),
    );
    put(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}">{rels}</Relationships>"#
        ),
    );
    zip.finish().unwrap().into_inner()
}
