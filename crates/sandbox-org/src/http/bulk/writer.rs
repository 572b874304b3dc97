//! Writing CSV in a job's dialect, quoted the way a real org's result files are.

use super::dialect::Dialect;

/// Writes CSV in a job's dialect: every value quoted, as result files of a real org are.
pub struct CsvWriter {
    out: String,
    dialect: Dialect,
}

impl CsvWriter {
    pub fn new(dialect: Dialect) -> Self {
        CsvWriter {
            out: String::new(),
            dialect,
        }
    }

    pub fn with_capacity(dialect: Dialect, bytes: usize) -> Self {
        CsvWriter {
            out: String::with_capacity(bytes),
            dialect,
        }
    }

    /// One row; `quote_all` quotes every value, otherwise only values that need it.
    pub fn row<I, S>(&mut self, cells: I, quote_all: bool)
    where
        I: IntoIterator<Item = S>,
        S: Quoted,
    {
        let delimiter = char::from(self.dialect.delimiter.byte());
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(delimiter);
            }
            cell.write_to(&mut self.out, quote_all || cell.needs_quotes(delimiter));
        }
        self.out.push_str(self.dialect.line_ending.terminator());
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// A cell value with its own quoting rule: `Always` cells are quoted whatever the row asks.
pub trait Quoted {
    fn text(&self) -> &str;

    fn forced(&self) -> bool {
        false
    }

    fn needs_quotes(&self, delimiter: char) -> bool {
        self.forced() || self.text().contains([delimiter, '"', '\n', '\r'])
    }

    fn write_to(&self, out: &mut String, quoted: bool) {
        if quoted {
            out.push('"');
            out.push_str(&self.text().replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(self.text());
        }
    }
}

impl Quoted for &str {
    fn text(&self) -> &str {
        self
    }
}

impl Quoted for &String {
    fn text(&self) -> &str {
        self
    }
}

impl Quoted for String {
    fn text(&self) -> &str {
        self
    }
}

/// A header or data cell of either kind, so one row can mix them.
pub enum Cell<'a> {
    Plain(&'a str),
    Always(&'a str),
}

impl Quoted for Cell<'_> {
    fn text(&self) -> &str {
        match self {
            Cell::Plain(s) | Cell::Always(s) => s,
        }
    }

    fn forced(&self) -> bool {
        matches!(self, Cell::Always(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::bulk::dialect::{ColumnDelimiter, LineEnding};

    #[test]
    fn writer_quotes_like_a_result_file() {
        let mut w = CsvWriter::new(Dialect {
            delimiter: ColumnDelimiter::Tab,
            line_ending: LineEnding::Crlf,
        });
        w.row(
            [
                Cell::Always("sf__Id"),
                Cell::Plain("Name"),
                Cell::Plain("a\tb"),
            ],
            false,
        );
        w.row(["x\"y", ""], true);
        assert_eq!(
            w.finish(),
            "\"sf__Id\"\tName\t\"a\tb\"\r\n\"x\"\"y\"\t\"\"\r\n"
        );
    }
}
