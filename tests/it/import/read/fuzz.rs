//! No input panics: arbitrary bytes, CSV-like bytes and damaged workbooks.

use super::workbooks::deals_workbook;
use super::*;

/// Bytes from an alphabet that hits quoting, line endings, encodings and control characters.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            b'a', b'1', b',', b';', b'\t', b'|', b'"', b'\r', b'\n', b' ', 0u8, 0xE9, 0xC3, 0xA9,
            0xFF, 0xFE, 0xEF, 0xBB, 0xBF, b'P', b'K',
        ]),
        0..600,
    )
}

fn drain(bytes: Vec<u8>) {
    let _ = sniff::sniff(&bytes);
    if let Ok(rows) = CsvRows::from_reader(
        "fuzz.csv",
        io::Cursor::new(bytes.clone()),
        &ReadOptions::default(),
    ) {
        let mut last = 0;
        for item in rows {
            match item {
                Ok(row) => {
                    assert!(row.number > last, "row numbers go forward");
                    last = row.number;
                }
                Err(err) => assert!(err.to_string().contains("fuzz.csv")),
            }
        }
    }
    if let Ok(rows) = XlsxRows::from_bytes("fuzz.xlsx", bytes, &ReadOptions::default()) {
        rows.for_each(drop);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        drain(bytes);
    }

    #[test]
    fn csv_like_bytes_never_panic(bytes in csvish()) {
        drain(bytes);
    }

    #[test]
    fn damaged_workbooks_never_panic(at in 0usize..4096, byte in any::<u8>()) {
        let mut bytes = deals_workbook();
        let at = at % bytes.len();
        bytes[at] = byte;
        drain(bytes);
    }
}
