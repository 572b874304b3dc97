//! Workbooks: sheets listed, the chosen one read, and files that are not workbooks refused.

use super::*;

use crate::support::import::workbook;

use workbook::Cell::{Bool, Date, DateTime, Number, Shared, Text};

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
                    // Dates as Excel stores them: serial days, shown through a date format.
                    (
                        7,
                        vec![
                            ("A", Date("45352")),
                            ("B", DateTime("45352.75")),
                            ("C", Number("45352")),
                        ],
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
            "7: 2024-03-01|2024-03-01T18:00:00|45352",
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
