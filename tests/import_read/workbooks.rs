//! Workbooks: sheets listed, the chosen one read, and files that are not workbooks refused.

use super::*;

mod workbook {
    use super::*;

    pub enum Cell {
        Text(&'static str),
        Number(&'static str),
        Bool(bool),
        Shared(usize),
    }

    /// A minimal `.xlsx` package: sheets of rows given as (row number, [(column letter, cell)]).
    /// A sheet row: its number and its cells by column letter.
    pub type SheetRow = (u32, Vec<(&'static str, Cell)>);

    pub fn build(sheets: &[(&str, Vec<SheetRow>)], shared: &[&str]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut put = |name: &str, body: String| {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        };
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let mut types = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
        );
        let mut listed = String::new();
        let mut rels = String::new();
        for (i, (name, rows)) in sheets.iter().enumerate() {
            let n = i + 1;
            types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
            listed.push_str(&format!(
                r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
            ));
            rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
            let mut data = String::new();
            for (number, cells) in rows {
                data.push_str(&format!(r#"<row r="{number}">"#));
                for (col, cell) in cells {
                    let at = format!("{col}{number}");
                    data.push_str(&match cell {
                        Cell::Text(t) => {
                            format!(r#"<c r="{at}" t="inlineStr"><is><t>{t}</t></is></c>"#)
                        }
                        Cell::Number(v) => format!(r#"<c r="{at}"><v>{v}</v></c>"#),
                        Cell::Bool(b) => {
                            format!(r#"<c r="{at}" t="b"><v>{}</v></c>"#, u8::from(*b))
                        }
                        Cell::Shared(i) => format!(r#"<c r="{at}" t="s"><v>{i}</v></c>"#),
                    });
                }
                data.push_str("</row>");
            }
            put(
                &format!("xl/worksheets/sheet{n}.xml"),
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{data}</sheetData></worksheet>"#
                ),
            );
        }
        let mut workbook_rels = rels;
        if !shared.is_empty() {
            types.push_str(r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#);
            workbook_rels.push_str(&format!(
                r#"<Relationship Id="rIdS" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>"#
            ));
            let items: String = shared
                .iter()
                .map(|s| format!("<si><t>{s}</t></si>"))
                .collect();
            put(
                "xl/sharedStrings.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{0}" uniqueCount="{0}">{items}</sst>"#,
                    shared.len()
                ),
            );
        }
        types.push_str("</Types>");
        put("[Content_Types].xml", types);
        put(
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        );
        put(
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{listed}</sheets></workbook>"#
            ),
        );
        put(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{workbook_rels}</Relationships>"#
            ),
        );
        zip.finish().unwrap().into_inner()
    }
}

use workbook::Cell::{Bool, Number, Shared, Text};

pub(crate) fn deals_workbook() -> Vec<u8> {
    workbook::build(
        &[
            (
                "Notes",
                vec![
                    (1, vec![("A", Text("Note"))]),
                    (2, vec![("A", Text("scratch"))]),
                ],
            ),
            (
                "Deals",
                vec![
                    (
                        1,
                        vec![("A", Shared(0)), ("B", Shared(1)), ("C", Text("Won"))],
                    ),
                    (
                        2,
                        vec![
                            ("A", Text("Acme")),
                            ("B", Number("1200.5")),
                            ("C", Bool(true)),
                        ],
                    ),
                    // Row 3 is blank; row 4 leaves B out.
                    (4, vec![("A", Text("Globex")), ("C", Bool(false))]),
                    (
                        5,
                        vec![
                            ("A", Text("Initech")),
                            ("B", Number("7")),
                            ("E", Text("stray")),
                        ],
                    ),
                    (
                        6,
                        vec![("A", Text("=HYPERLINK(&quot;x&quot;)")), ("B", Number("3"))],
                    ),
                ],
            ),
            (
                "Only header",
                vec![(1, vec![("A", Text("Name")), ("B", Text("Amount"))])],
            ),
            (
                "Twin headers",
                vec![
                    (
                        1,
                        vec![
                            ("A", Text("Amount")),
                            ("B", Text("Name")),
                            ("C", Text("Amount")),
                        ],
                    ),
                    (
                        2,
                        vec![("A", Number("1")), ("B", Text("x")), ("C", Number("2"))],
                    ),
                ],
            ),
            ("Empty", vec![]),
        ],
        &["Name", "Amount"],
    )
}

#[test]
fn workbook_sheets_are_listed_and_the_chosen_one_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deals.xlsx");
    std::fs::write(&path, deals_workbook()).unwrap();
    assert_eq!(
        sheet_names(&path).unwrap(),
        ["Notes", "Deals", "Only header", "Twin headers", "Empty"]
    );
    let sheet = |name: &str| ReadOptions {
        sheet: Some(name.to_string()),
        ..ReadOptions::default()
    };
    assert_eq!(
        read_file(&path, &sheet("Deals")),
        [
            "headers: Name|Amount|Won",
            "2: Acme|1200.5|TRUE",
            "4: Globex||FALSE",
            "ValueWithoutHeader row=5 column=5",
            "6: =HYPERLINK(\"x\")|3|",
        ]
    );
    assert_eq!(
        read_file(&path, &sheet("Only header")),
        ["open: HeaderOnly"]
    );
    assert_eq!(
        read_file(&path, &sheet("Twin headers")),
        ["open: DuplicateHeader Amount in 1 and 3"]
    );
    assert_eq!(read_file(&path, &sheet("Empty")), ["open: Empty"]);
    assert_eq!(
        read_file(&path, &sheet("Pipeline")),
        [
            "open: SheetNotFound Pipeline among `Notes`, `Deals`, `Only header`, `Twin headers`, `Empty`"
        ]
    );
    // Without a choice, the first sheet.
    let first = XlsxRows::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(first.sheet(), "Notes");
}

#[test]
fn files_that_are_not_workbooks_are_refused_as_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "text.xlsx",
            b"Name,Amount\n".to_vec(),
            "open: Binary(something other than an .xlsx workbook)",
        ),
        (
            "cut.xlsx",
            deals_workbook()[..200].to_vec(),
            "open: Binary(something other than an .xlsx workbook)",
        ),
        (
            "empty.xlsx",
            Vec::new(),
            "open: Binary(something other than an .xlsx workbook)",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(
            read_file(&path, &ReadOptions::default()),
            [expected],
            "{name}"
        );
    }
}
