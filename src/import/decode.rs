//! Byte-stream stages between a file and the CSV parser: decoding to UTF-8, then one line
//! ending, while keeping track of lines and quotes so errors can name a row.

use std::io::{self, Read};

/// Raised (inside an `io::Error`) when bytes do not fit the encoding the reader was given:
/// the first such byte and where it is in the file (from 0), when it is known.
#[derive(Debug)]
pub struct Malformed {
    pub byte: Option<u8>,
    pub offset: u64,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bytes that do not fit the file's encoding")
    }
}

impl std::error::Error for Malformed {}

/// Raised (inside an `io::Error`) when one record grows past the reader's limit.
#[derive(Debug)]
pub struct TooLarge {
    pub line: u64,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the record starting at line {} is too large", self.line)
    }
}

impl std::error::Error for TooLarge {}

/// Decodes any supported encoding into UTF-8 as it is read, refusing (rather than replacing)
/// malformed input so that a wrong encoding guess is reported instead of hidden.
pub struct DecodeReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    input_done: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// Where `input` starts in the file.
    input_offset: u64,
    malformed: Option<(Option<u8>, u64)>,
    finished: bool,
}

impl<R: Read> DecodeReader<R> {
    /// `inner` must already be past any byte-order mark, which is `offset` bytes long.
    pub fn new(inner: R, encoding: &'static encoding_rs::Encoding, offset: u64) -> Self {
        Self {
            inner,
            input_offset: offset,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 16 * 1024],
            in_start: 0,
            in_end: 0,
            input_done: false,
            output: vec![0; 64 * 1024],
            out_start: 0,
            out_end: 0,
            malformed: None,
            finished: false,
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if let Some((byte, offset)) = self.malformed {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Malformed { byte, offset },
                ));
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.input_done {
                let n = match self.inner.read(&mut self.input) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                self.input_offset += self.in_end as u64;
                self.in_start = 0;
                self.in_end = n;
                self.input_done = n == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.input_done,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                encoding_rs::DecoderResult::InputEmpty => self.finished = self.input_done,
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(length, after) => {
                    // The bad sequence ends `after` bytes before what was read; it may have
                    // begun in the previous buffer, whose bytes are gone.
                    let end = self.in_start - usize::from(after);
                    let start = end.checked_sub(usize::from(length));
                    let byte = start.and_then(|i| self.input.get(i).copied());
                    let offset = (self.input_offset + end as u64).saturating_sub(u64::from(length));
                    self.malformed = Some((byte, offset));
                }
            }
        }
    }
}

/// Reads UTF-8, and each byte that is not UTF-8 as the Windows-1252 character it stands for:
/// for a file pasted together from both, when the person chose to read it so.
pub struct Utf8Or1252<R> {
    inner: R,
    /// Bytes read but not decoded yet: a character cut by the end of a read.
    pending: Vec<u8>,
    output: Vec<u8>,
    out_start: usize,
    finished: bool,
}

impl<R: Read> Utf8Or1252<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            output: Vec::new(),
            out_start: 0,
            finished: false,
        }
    }

    fn push_1252(&mut self, bytes: &[u8]) {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        self.output.extend_from_slice(text.as_bytes());
    }

    /// Decodes what is pending; an incomplete character at the end waits for the next read,
    /// unless the file ends there.
    fn decode_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let mut rest = &pending[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.output.extend_from_slice(text.as_bytes());
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    self.output.extend_from_slice(&rest[..good]);
                    match e.error_len() {
                        Some(bad) => {
                            self.push_1252(&rest[good..good + bad]);
                            rest = &rest[good + bad..];
                        }
                        None if self.finished => {
                            self.push_1252(&rest[good..]);
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = &rest[good..];
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
    }
}

impl<R: Read> Read for Utf8Or1252<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.output.len() {
                let n = buf.len().min(self.output.len() - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            self.output.clear();
            self.out_start = 0;
            let mut chunk = [0u8; 16 * 1024];
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.finished = n == 0;
            self.pending.extend_from_slice(&chunk[..n]);
            self.decode_pending();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Turns every line ending (CRLF, lone CR, LF) into LF, so that the parser's line count is the
/// line a person sees, and follows the quoting the way the CSV parser does: it knows where an
/// unclosed quote opened and stops a record that grows without bound.
pub struct LineTracker<R> {
    inner: R,
    delimiter: u8,
    quote: Option<u8>,
    max_record_bytes: usize,
    after_cr: bool,
    state: QuoteState,
    line: u64,
    field: usize,
    record_line: u64,
    record_bytes: usize,
    quote_opened_at: (u64, usize),
}

impl<R: Read> LineTracker<R> {
    pub fn new(inner: R, delimiter: u8, quote: Option<u8>, max_record_bytes: usize) -> Self {
        Self {
            inner,
            delimiter,
            quote,
            max_record_bytes,
            after_cr: false,
            state: QuoteState::FieldStart,
            line: 1,
            field: 0,
            record_line: 1,
            record_bytes: 0,
            quote_opened_at: (1, 0),
        }
    }

    pub fn max_record_bytes(&self) -> usize {
        self.max_record_bytes
    }

    /// The line the tracker has read up to (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Where a quote that is still open was opened: (line, 0-based field).
    pub fn open_quote(&self) -> Option<(u64, usize)> {
        (self.state == QuoteState::Quoted).then_some(self.quote_opened_at)
    }

    fn end_of_line(&mut self) {
        self.line += 1;
        self.field = 0;
        self.record_line = self.line;
        self.record_bytes = 0;
        self.state = QuoteState::FieldStart;
    }

    fn track(&mut self, byte: u8) {
        let is_quote = self.quote == Some(byte);
        let is_delimiter = byte == self.delimiter;
        let is_newline = byte == b'\n';
        match self.state {
            QuoteState::FieldStart | QuoteState::Unquoted | QuoteState::QuoteInQuoted
                if is_newline =>
            {
                self.end_of_line();
            }
            QuoteState::FieldStart | QuoteState::Unquoted | QuoteState::QuoteInQuoted
                if is_delimiter =>
            {
                self.field += 1;
                self.state = QuoteState::FieldStart;
            }
            QuoteState::FieldStart if is_quote => {
                self.state = QuoteState::Quoted;
                self.quote_opened_at = (self.line, self.field);
            }
            QuoteState::FieldStart => self.state = QuoteState::Unquoted,
            QuoteState::Unquoted => {}
            QuoteState::Quoted if is_quote => self.state = QuoteState::QuoteInQuoted,
            QuoteState::Quoted => {
                if is_newline {
                    self.line += 1;
                }
            }
            QuoteState::QuoteInQuoted if is_quote => self.state = QuoteState::Quoted,
            QuoteState::QuoteInQuoted => self.state = QuoteState::Unquoted,
        }
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for i in 0..n {
                let byte = match buf[i] {
                    b'\r' => {
                        self.after_cr = true;
                        b'\n'
                    }
                    b'\n' if self.after_cr => {
                        self.after_cr = false;
                        continue;
                    }
                    other => {
                        self.after_cr = false;
                        other
                    }
                };
                buf[kept] = byte;
                kept += 1;
                self.track(byte);
                self.record_bytes += 1;
                if self.record_bytes > self.max_record_bytes {
                    let line = self.record_line;
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        TooLarge { line },
                    ));
                }
            }
            // A read that held only the LF of a CRLF split across reads yields nothing: read on,
            // since returning 0 would mean end of file.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_tracker(input: &[u8], chunk: usize) -> (Vec<u8>, u64) {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut tracker = LineTracker::new(Chunked(input, chunk), b',', Some(b'"'), 1 << 20);
        let mut out = Vec::new();
        tracker.read_to_end(&mut out).unwrap();
        (out, tracker.line())
    }

    #[test]
    fn every_line_ending_becomes_lf_even_split_across_reads() {
        let cases: [(&[u8], &[u8], u64); 4] = [
            (b"a\r\nb\r\n", b"a\nb\n", 3),
            (b"a\rb\r", b"a\nb\n", 3),
            (b"a\r\nb\nc\rd", b"a\nb\nc\nd", 4),
            (b"\r\n\r\n", b"\n\n", 3),
        ];
        for (input, expected, lines) in cases {
            for chunk in [1, 2, 3, 64] {
                assert_eq!(
                    through_tracker(input, chunk),
                    (expected.to_vec(), lines),
                    "{input:?} by {chunk}"
                );
            }
        }
    }

    #[test]
    fn open_quote_is_located() {
        let mut tracker = LineTracker::new(&b"a,b\n1,\"two\n3"[..], b',', Some(b'"'), 1 << 20);
        let mut out = Vec::new();
        tracker.read_to_end(&mut out).unwrap();
        assert_eq!(tracker.open_quote(), Some((2, 1)));
        let mut closed = LineTracker::new(&b"a,\"b\"\"c\"\n"[..], b',', Some(b'"'), 1 << 20);
        closed.read_to_end(&mut out).unwrap();
        assert_eq!(closed.open_quote(), None);
    }

    #[test]
    fn malformed_utf8_is_refused_after_the_good_bytes() {
        let mut reader = DecodeReader::new(&b"ok\nbad \xE9 byte"[..], encoding_rs::UTF_8, 3);
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        let malformed = err.get_ref().and_then(|e| e.downcast_ref::<Malformed>());
        assert!(
            malformed.is_some_and(|m| m.byte == Some(0xE9) && m.offset == 10),
            "{malformed:?}"
        );
        assert_eq!(out, b"ok\nbad ");
    }

    #[test]
    fn windows_1252_and_utf16_decode_to_utf8() {
        let mut out = String::new();
        DecodeReader::new(&b"\x80 caf\xE9"[..], encoding_rs::WINDOWS_1252, 0)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "€ café");
        let mut out = String::new();
        DecodeReader::new(&b"a\0\xAC\x20"[..], encoding_rs::UTF_16LE, 0)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a€");
    }
}
