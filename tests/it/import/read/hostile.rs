//! Hostile workbooks and mixed bytes: files built to exhaust memory or time, and text files
//! that are UTF-8 but for one byte, each with the exact message a person gets.

use super::*;

use tether_bench::hostile;

/// The headers and rows, or the full message of each error.
fn messages(path: &Path, options: &ReadOptions) -> Vec<String> {
    let rows = match Rows::open(path, options) {
        Ok(rows) => rows,
        Err(err) => return vec![format!("open: {err}")],
    };
    let mut lines = vec![match rows.headers() {
        Some(names) => format!("headers: {}", names.join("|")),
        None => "no headers".to_string(),
    }];
    for item in rows {
        lines.push(match item {
            Ok(row) => format!("{}: {}", row.number, row.cells.join("|")),
            Err(err) => err.to_string(),
        });
    }
    lines
}

#[test]
fn hostile_workbook_whose_shared_strings_unpack_past_the_budget_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strings-bomb.xlsx");
    hostile::shared_strings_bomb(&path, 40).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let file = path.display().to_string();
    let refused = format!(
        "{file}: the workbook part `xl/sharedStrings.xml` unpacks to more than 32 MB, far more than a sheet to import needs, so it was not read (the workbook may be damaged, or built to exhaust memory). Open it in a spreadsheet program, save the sheet as CSV, and import that."
    );
    assert_eq!(
        messages(&path, &ReadOptions::default()),
        [format!("open: {refused}")]
    );
    assert_eq!(sheet_names(&path).map_err(|e| e.to_string()), Err(refused));
}

#[test]
fn hostile_workbook_with_one_huge_cell_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge-cell.xlsx");
    hostile::huge_cell(&path, 5).unwrap();
    let file = path.display().to_string();
    assert_eq!(
        messages(&path, &ReadOptions::default()),
        [format!(
            "open: {file}: the workbook part `xl/worksheets/sheet1.xml` holds a single cell or tag longer than 4 MB, which no Salesforce field takes, so it was not read. Open the workbook in a spreadsheet program, clear that cell, save, and import again."
        )]
    );
}

#[test]
fn hostile_workbook_claiming_more_rows_than_max_rows_stops_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let options = ReadOptions {
        max_rows: 10,
        ..ReadOptions::default()
    };
    let path = dir.path().join("many-rows.xlsx");
    hostile::many_rows(&path, 30).unwrap();
    let file = path.display().to_string();
    let mut expected = vec!["headers: Name".to_string()];
    expected.extend((2..=11).map(|n| format!("{n}: Acme")));
    expected.push(format!(
        "{file}: the sheet has more than 10 rows (row 12 is past that). Split it into files of at most 10 rows, or raise the limit with --max-rows."
    ));
    assert_eq!(messages(&path, &options), expected);

    // A text file has the same limit.
    let path = dir.path().join("many-rows.csv");
    std::fs::write(&path, many_rows(30)).unwrap();
    let file = path.display().to_string();
    let lines = messages(&path, &options);
    assert_eq!(lines.len(), 1 + 10 + 1, "{lines:?}");
    assert_eq!(lines[10], "11: 9|Account 9|27.50");
    assert_eq!(
        lines[11],
        format!(
            "{file}: the sheet has more than 10 rows (row 12 is past that). Split it into files of at most 10 rows, or raise the limit with --max-rows."
        )
    );
}

#[test]
fn hostile_workbook_rows_past_the_row_budget_are_invalid_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide-rows.xlsx");
    // Each row shows one 300 KB shared string five times: 1.5 MB of text per row.
    hostile::wide_rows(&path, 3, 5, 300).unwrap();
    let file = path.display().to_string();
    let mut expected = vec!["headers: Name|Note 1|Note 2|Note 3|Note 4".to_string()];
    expected.extend((2..=4).map(|n| {
        format!(
            "{file}: row {n} holds more than 1048576 bytes of text, more than a Salesforce record takes. Check that row for cells filled by mistake, and clear or shorten them."
        )
    }));
    assert_eq!(messages(&path, &ReadOptions::default()), expected);
}

#[test]
fn excel_error_cells_are_invalid_values_and_formulas_without_a_cached_value_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("formulas.xlsx");
    hostile::write_workbook(
        &path,
        &mut |out| {
            out.write_all(
                br#"<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Amount</t></is></c></row>
                <row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c><c r="B2" t="e"><v>#REF!</v></c></row>
                <row r="3"><c r="A3" t="inlineStr"><is><t>Globex</t></is></c><c r="B3"><f>SUM(C3:D3)</f></c></row>
                <row r="4"><c r="A4" t="inlineStr"><is><t>Initech</t></is></c><c r="B4"><f>SUM(C4:D4)</f><v>12</v></c></row>
                <row r="5"><c r="A5" t="e"><v>#N/A</v></c><c r="B5"><v>7</v></c></row>"#,
            )
        },
        None,
    )
    .unwrap();
    let file = path.display().to_string();
    assert_eq!(
        messages(&path, &ReadOptions::default()),
        [
            "headers: Name|Amount".to_string(),
            format!(
                "{file}: row 2, column 2 (B) holds the Excel error #REF!, not a value. Fix the formula behind it (or clear the cell) in the workbook, save, and import again."
            ),
            format!(
                "{file}: row 3, column 2 (B) holds a formula whose result was never saved (the workbook was written by a program that does not calculate). Open the workbook in a spreadsheet program and save it, so that every formula keeps its value, then import again."
            ),
            "4: Initech|12".to_string(),
            format!(
                "{file}: row 5, column 1 (A) holds the Excel error #N/A, not a value. Fix the formula behind it (or clear the cell) in the workbook, save, and import again."
            ),
        ]
    );
}

fn mixed_bytes() -> Vec<u8> {
    let mut bytes = "Name,City\nMüller,Köln\nÜnal,Zürich\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"Caf\xE9,Paris\nLast,Row\n");
    bytes
}

#[test]
fn a_utf8_file_with_one_latin1_byte_names_the_row_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    let bytes = mixed_bytes();
    let offset = bytes.iter().position(|b| *b == 0xE9).unwrap() + 1;
    std::fs::write(&path, &bytes).unwrap();
    let file = path.display().to_string();
    assert_eq!(
        messages(&path, &ReadOptions::default()),
        [
            "headers: Name|City".to_string(),
            "2: Müller|Köln".to_string(),
            "3: Ünal|Zürich".to_string(),
            format!(
                "{file}: row 4 holds the byte 0xE9 (byte {offset} of the file), which is not UTF-8, though the file reads as UTF-8 before it. Choose how to read it: correct that cell and save the file as UTF-8; or read such bytes as Windows-1252 (0xE9 is `é`) and the rest as UTF-8, with the encoding \"UTF-8 with Windows-1252 bytes\" (--encoding utf-8+windows-1252); or read the whole file as Windows-1252 (--encoding windows-1252)."
            ),
        ]
    );
}

#[test]
fn a_utf8_letter_and_as_many_latin1_bytes_are_not_read_as_windows_1252() {
    // One UTF-8 letter, one Windows-1252 byte: read whole as Windows-1252, `ü` would become
    // `Ã¼` without a word.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    std::fs::write(
        &path,
        b"Name;Phone\nM\xC3\xBCller GmbH;1\nCaf\xE9 Paris;2\n",
    )
    .unwrap();
    let read = messages(&path, &ReadOptions::default());
    assert_eq!(read[1], "2: Müller GmbH|1", "{read:?}");
    assert!(
        read[2].contains("row 3 holds the byte 0xE9") && read[2].contains("--encoding"),
        "the stray byte is named and the choice offered: {read:?}"
    );
}

#[test]
fn the_choice_of_utf8_with_windows_1252_bytes_reads_both_kinds_of_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    std::fs::write(&path, mixed_bytes()).unwrap();
    let options = ReadOptions {
        encoding: TextEncoding::parse("utf-8+windows-1252"),
        ..ReadOptions::default()
    };
    assert_eq!(
        messages(&path, &options),
        [
            "headers: Name|City",
            "2: Müller|Köln",
            "3: Ünal|Zürich",
            "4: Café|Paris",
            "5: Last|Row",
        ]
    );
    // A stray byte split across reads is still one character.
    let mut bytes = many_rows(5_000).into_bytes();
    bytes.extend_from_slice("5000,Zürich\u{20AC},Caf\u{E9}".as_bytes());
    bytes.extend_from_slice(b"\xE9\x80\n");
    let path = dir.path().join("late-mixed.csv");
    std::fs::write(&path, bytes).unwrap();
    let lines = messages(&path, &options);
    assert_eq!(lines.last().unwrap(), "5002: 5000|Zürich€|Caféé€");
}

#[test]
fn a_windows_1252_file_is_still_read_as_windows_1252() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain-1252.csv");
    std::fs::write(&path, b"Name,City\nM\xFCller,K\xF6ln\nCaf\xE9,Paris\n").unwrap();
    assert_eq!(
        messages(&path, &ReadOptions::default()),
        ["headers: Name|City", "2: Müller|Köln", "3: Café|Paris"]
    );
}
