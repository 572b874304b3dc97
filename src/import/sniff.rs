//! Guessing how a delimited text file is written, from its first bytes only.

/// How many bytes of a file the sniffer looks at.
pub const SAMPLE_LEN: usize = 64 * 1024;

/// How many records of the sample count when judging delimiters and headers.
const SAMPLE_RECORDS: usize = 50;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// UTF-8 in which a byte that is not UTF-8 reads as Windows-1252: the person's choice for a
    /// file pasted together from both, never a guess.
    Utf8With1252,
}

impl TextEncoding {
    /// Bytes of this encoding's byte-order mark at the start of `sample`; 0 when it has none.
    pub fn bom_len(self, sample: &[u8]) -> usize {
        let bom: &[u8] = match self {
            Self::Utf8 | Self::Utf8Bom | Self::Utf8With1252 => b"\xEF\xBB\xBF",
            Self::Utf16Le => b"\xFF\xFE",
            Self::Utf16Be => b"\xFE\xFF",
            Self::Windows1252 => b"",
        };
        if sample.starts_with(bom) {
            bom.len()
        } else {
            0
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 | Self::Utf8Bom => "UTF-8",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Windows1252 => "Windows-1252",
            Self::Utf8With1252 => "UTF-8 with Windows-1252 bytes",
        }
    }

    /// Reads a name as people write it: `utf-8`, `UTF8`, `utf-16le`, `windows-1252`, `cp1252`,
    /// `latin1`.
    pub fn parse(name: &str) -> Option<TextEncoding> {
        let n: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        match n.as_str() {
            "utf8" => Some(Self::Utf8),
            "utf8bom" | "utf8sig" => Some(Self::Utf8Bom),
            "utf16le" | "utf16" => Some(Self::Utf16Le),
            "utf16be" => Some(Self::Utf16Be),
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => Some(Self::Windows1252),
            "utf8windows1252" | "utf8cp1252" | "utf8latin1" | "utf8withwindows1252bytes" => {
                Some(Self::Utf8With1252)
            }
            _ => None,
        }
    }

    pub fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Self::Utf8 | Self::Utf8Bom | Self::Utf8With1252 => encoding_rs::UTF_8,
            Self::Utf16Le => encoding_rs::UTF_16LE,
            Self::Utf16Be => encoding_rs::UTF_16BE,
            Self::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Crlf,
    Lf,
    Cr,
    Mixed,
    /// The sample holds a single line.
    None,
}

/// How a delimited text file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub encoding: TextEncoding,
    pub delimiter: u8,
    /// `None` when quote marks in the file are plain text (as in `5" pipe`), never field quoting.
    pub quote: Option<u8>,
    pub line_ending: LineEnding,
    pub has_header: bool,
}

/// Why a sample is not a delimited text file at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    Empty,
    Binary(String),
}

/// Guesses the dialect of a file from its first bytes (up to [`SAMPLE_LEN`]; the sample may end
/// in the middle of a record).
pub fn sniff(sample: &[u8]) -> Result<Dialect, NotText> {
    if let Some(what) = known_binary(sample) {
        return Err(NotText::Binary(what.to_string()));
    }
    let encoding = detect_encoding(sample);
    let text = decode_sample(sample, encoding);
    if text.trim().is_empty() {
        return Err(NotText::Empty);
    }
    if looks_binary(&text) {
        return Err(NotText::Binary("binary data".to_string()));
    }
    let line_ending = detect_line_ending(&text);
    let quote = detect_quote(&text);
    let delimiter = detect_delimiter(&text, quote);
    let records = split_records(&text, delimiter, quote);
    let has_header = looks_like_header(&records);
    Ok(Dialect {
        encoding,
        delimiter,
        quote,
        line_ending,
        has_header,
    })
}

/// Decodes a sample for sniffing, dropping the byte-order mark; bad bytes become U+FFFD.
pub fn decode_sample(sample: &[u8], encoding: TextEncoding) -> String {
    let body = sample.get(encoding.bom_len(sample)..).unwrap_or_default();
    let (text, _) = encoding.codec().decode_without_bom_handling(body);
    text.into_owned()
}

fn known_binary(sample: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 7] = [
        (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"\xD0\xCF\x11\xE0", "an old-style Excel .xls workbook"),
        (b"SQLite format 3\0", "a SQLite database"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| sample.starts_with(magic))
        .map(|(_, what)| *what)
}

/// Encoding by byte-order mark; without one, UTF-16 by its telltale zero bytes, then UTF-8 when
/// the bytes are valid UTF-8, else Windows-1252 (what Excel writes on Western Windows).
pub fn detect_encoding(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return TextEncoding::Utf8Bom;
    }
    if sample.starts_with(b"\xFF\xFE") {
        return TextEncoding::Utf16Le;
    }
    if sample.starts_with(b"\xFE\xFF") {
        return TextEncoding::Utf16Be;
    }
    if let Some(utf16) = utf16_without_bom(sample) {
        return utf16;
    }
    let (characters, strays) = utf8_evidence(sample);
    // A file with any UTF-8 character in it stays UTF-8, so that its stray bytes are reported
    // with their row rather than every accented letter read wrongly: read as Windows-1252, its
    // UTF-8 letters would turn into others without a word. The person chooses how to read them.
    if strays == 0 || characters > 0 {
        TextEncoding::Utf8
    } else {
        TextEncoding::Windows1252
    }
}

/// Multi-byte UTF-8 characters in `sample`, and sequences that are not UTF-8. The sample may
/// stop in the middle of a character: that is not a wrong byte.
fn utf8_evidence(sample: &[u8]) -> (usize, usize) {
    let (mut characters, mut strays) = (0, 0);
    let mut rest = sample;
    loop {
        let (good, bad) = match std::str::from_utf8(rest) {
            Ok(text) => (text, None),
            Err(e) => (
                // Valid up to here by the error's own word.
                std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
                e.error_len(),
            ),
        };
        characters += good.chars().filter(|c| !c.is_ascii()).count();
        match bad {
            Some(len) => {
                strays += 1;
                rest = &rest[good.len() + len..];
            }
            None => return (characters, strays),
        }
    }
}

/// ASCII text in UTF-16 has a zero in every other byte; which half tells the byte order.
fn utf16_without_bom(sample: &[u8]) -> Option<TextEncoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zero_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let zero_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let mostly = |n: usize| n * 10 >= pairs * 7;
    let rarely = |n: usize| n * 10 <= pairs;
    if mostly(zero_odd) && rarely(zero_even) {
        Some(TextEncoding::Utf16Le)
    } else if mostly(zero_even) && rarely(zero_odd) {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Text has few control characters; more than one in twenty means this is not a text export.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if is_stray_control(c) || c == '\u{FFFD}' {
            control += 1;
        }
    }
    control * 20 > total
}

/// A control character that has no place in a spreadsheet cell.
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

pub fn detect_line_ending(text: &str) -> LineEnding {
    let bytes = text.as_bytes();
    let (mut crlf, mut lf, mut cr) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                crlf += 1;
                i += 1;
            }
            b'\r' => cr += 1,
            b'\n' => lf += 1,
            _ => {}
        }
        i += 1;
    }
    match (crlf > 0, lf > 0, cr > 0) {
        (false, false, false) => LineEnding::None,
        (true, false, false) => LineEnding::Crlf,
        (false, true, false) => LineEnding::Lf,
        (false, false, true) => LineEnding::Cr,
        _ => LineEnding::Mixed,
    }
}

/// `"` quotes fields unless it only ever shows up inside unquoted cells.
fn detect_quote(text: &str) -> Option<u8> {
    if !text.contains('"') {
        return Some(b'"');
    }
    let bytes = text.as_bytes();
    let opens_a_field = bytes.iter().enumerate().any(|(i, b)| {
        *b == b'"'
            && (i == 0
                || matches!(bytes[i - 1], b'\n' | b'\r')
                || DELIMITERS.contains(&bytes[i - 1]))
    });
    opens_a_field.then_some(b'"')
}

/// The delimiter that splits the sample's records into the same number of fields most often.
/// Ties go to the earlier of comma, semicolon, tab, pipe.
pub fn detect_delimiter(text: &str, quote: Option<u8>) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for delimiter in DELIMITERS {
        let counts: Vec<usize> = split_records(text, delimiter, quote)
            .iter()
            .map(Vec::len)
            .collect();
        let Some((fields, agreeing)) = most_common(&counts) else {
            continue;
        };
        if fields < 2 {
            continue;
        }
        // Consistency first (as a share of records, in thousandths), then how many fields.
        let consistency = agreeing * 1000 / counts.len();
        if (consistency, fields) > (best.1, best.2) {
            best = (delimiter, consistency, fields);
        }
    }
    best.0
}

fn most_common(counts: &[usize]) -> Option<(usize, usize)> {
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for &count in counts {
        match tally.iter_mut().find(|(value, _)| *value == count) {
            Some(entry) => entry.1 += 1,
            None => tally.push((count, 1)),
        }
    }
    tally
        .into_iter()
        .max_by_key(|&(value, agreeing)| (agreeing, value))
}

/// Splits up to [`SAMPLE_RECORDS`] records, honouring quotes. A last record that is not
/// terminated is dropped when others exist, since the sample may have cut it short.
pub fn split_records(text: &str, delimiter: u8, quote: Option<u8>) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quote(quote.unwrap_or(b'"'))
        .quoting(quote.is_some())
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut ends = Vec::new();
    for record in reader.records().take(SAMPLE_RECORDS + 1) {
        let Ok(record) = record else { break };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        ends.push(record.position().map(|p| p.byte()));
        records.push(record.iter().map(str::to_string).collect::<Vec<_>>());
    }
    let terminated = text.ends_with('\n') || text.ends_with('\r');
    if records.len() > 1 && (!terminated || records.len() > SAMPLE_RECORDS) {
        records.pop();
    }
    records
}

/// Header cells are non-empty, unique and mostly non-numeric, and look unlike the cells below.
pub fn looks_like_header(records: &[Vec<String>]) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    let filled: Vec<&str> = first
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if filled.is_empty() {
        return false;
    }
    let numeric = filled.iter().filter(|c| looks_numeric(c)).count();
    if numeric * 2 >= filled.len() {
        return false;
    }
    let rest = &records[1..];
    // A column whose first cell is text over cells that are mostly numbers: that is a header.
    let typed_column_below = first.iter().enumerate().any(|(col, cell)| {
        let cells: Vec<&str> = rest
            .iter()
            .filter_map(|r| r.get(col).map(|c| c.trim()))
            .filter(|c| !c.is_empty())
            .collect();
        !looks_numeric(cell.trim())
            && !cell.trim().is_empty()
            && !cells.is_empty()
            && cells.iter().filter(|c| looks_numeric(c)).count() * 2 > cells.len()
    });
    if typed_column_below {
        return true;
    }
    let all_filled = filled.len() == first.len();
    let unique = filled
        .iter()
        .enumerate()
        .all(|(i, c)| !filled[..i].contains(c));
    let repeated_below = first.iter().enumerate().any(|(col, cell)| {
        rest.iter()
            .any(|r| r.get(col).is_some_and(|c| c.trim() == cell.trim()))
    });
    all_filled && unique && !repeated_below
}

/// Numbers, money, percentages and dates as spreadsheets write them: `1,200.50`, `(500)`,
/// `12%`, `$3`, `1.200,50 €`, `03/04/2024`, `2024-03-04`.
pub fn looks_numeric(cell: &str) -> bool {
    let core = cell.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '$' | '€' | '£' | '%' | '(' | ')' | '+' | '-')
    });
    !core.is_empty()
        && core.chars().any(|c| c.is_ascii_digit())
        && core
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | '-' | ':' | ' ' | '\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_read_from_bom_bytes_or_validity() {
        let cases: [(&[u8], TextEncoding); 8] = [
            (b"a,b\n1,2\n", TextEncoding::Utf8),
            (b"\xEF\xBB\xBFa;b\n", TextEncoding::Utf8Bom),
            (b"\xFF\xFEa\0,\0b\0", TextEncoding::Utf16Le),
            (b"\xFE\xFF\0a\0,\0b", TextEncoding::Utf16Be),
            (b"a\0,\0b\0\n\0", TextEncoding::Utf16Le),
            (b"caf\xE9,\x80\n", TextEncoding::Windows1252),
            // A UTF-8 letter beside a stray byte: UTF-8, so that the stray is named.
            (b"M\xC3\xBCller\ncaf\xE9\n", TextEncoding::Utf8),
            // Cut in the middle of `é`: still UTF-8.
            (b"caf\xC3", TextEncoding::Utf8),
        ];
        for (sample, expected) in cases {
            assert_eq!(detect_encoding(sample), expected, "{sample:?}");
        }
    }

    #[test]
    fn delimiter_is_the_most_consistent_split() {
        let cases: [(&str, u8); 8] = [
            ("a,b,c\n1,2,3\n4,5,6\n", b','),
            ("a;b;c\n1;2;3\n", b';'),
            ("Name;Amount\nBob;1,5\nAl;2,5\n", b';'),
            ("a\tb\n1\t2\n", b'\t'),
            ("a|b|c\n1|2|3\n", b'|'),
            ("\"x;y\",b\n\"1;2\",3\n", b','),
            ("only\none\ncolumn\n", b','),
            ("a,b;c\n1,2;3\n4,5\n", b','),
        ];
        for (text, expected) in cases {
            assert_eq!(
                detect_delimiter(text, Some(b'"')) as char,
                expected as char,
                "{text:?}"
            );
        }
    }

    #[test]
    fn line_endings_are_counted_not_assumed() {
        let cases = [
            ("a\r\nb\r\n", LineEnding::Crlf),
            ("a\nb\n", LineEnding::Lf),
            ("a\rb\r", LineEnding::Cr),
            ("a\r\nb\nc\r", LineEnding::Mixed),
            ("a,b", LineEnding::None),
        ];
        for (text, expected) in cases {
            assert_eq!(detect_line_ending(text), expected, "{text:?}");
        }
    }

    #[test]
    fn header_row_is_recognised_by_its_cells() {
        let rows = |text: &str| split_records(text, b',', Some(b'"'));
        let cases = [
            ("Name,Amount\nAcme,100\nGlobex,200\n", true),
            ("Acme,100\nGlobex,200\n", false),
            ("2023,2024\n1,2\n", false),
            ("Name,City\nAlice,London\nBob,Paris\n", true),
            (",Amount\n,5\n", true),
            (",\n1,2\n", false),
            ("Name,Amount,Amount\nAcme,1,2\n", true),
            ("Stage,Stage\nOpen,Closed\n", false),
            ("yes,no\nyes,no\n", false),
        ];
        for (text, expected) in cases {
            assert_eq!(looks_like_header(&rows(text)), expected, "{text:?}");
        }
    }

    #[test]
    fn numbers_money_and_dates_look_numeric() {
        for cell in [
            "1",
            "1,200.50",
            "$1,200.50",
            "1.200,50 €",
            "(500)",
            "12%",
            "03/04/2024",
        ] {
            assert!(looks_numeric(cell), "{cell}");
        }
        for cell in ["Amount", "", "-", "Q1", "N/A"] {
            assert!(!looks_numeric(cell), "{cell}");
        }
    }

    #[test]
    fn whole_dialect_of_typical_exports() {
        let dialect = sniff(b"\xEF\xBB\xBFName;Amount\r\nAcme;\"1.200,50\"\r\n").unwrap();
        assert_eq!(
            dialect,
            Dialect {
                encoding: TextEncoding::Utf8Bom,
                delimiter: b';',
                quote: Some(b'"'),
                line_ending: LineEnding::Crlf,
                has_header: true,
            }
        );
        let dialect = sniff(b"Pipe,Size\nsteel,5\" wide\n").unwrap();
        assert_eq!(dialect.quote, None);
    }

    #[test]
    fn non_text_is_refused() {
        let cases: [(&[u8], NotText); 5] = [
            (b"", NotText::Empty),
            (b"\xEF\xBB\xBF \r\n\t", NotText::Empty),
            (
                b"PK\x03\x04rest",
                NotText::Binary("a ZIP archive (an .xlsx workbook is one)".into()),
            ),
            (
                b"\x01\x02\x03\x04\x05abc",
                NotText::Binary("binary data".into()),
            ),
            (b"%PDF-1.7", NotText::Binary("a PDF document".into())),
        ];
        for (sample, expected) in cases {
            assert_eq!(sniff(sample), Err(expected), "{sample:?}");
        }
    }
}
