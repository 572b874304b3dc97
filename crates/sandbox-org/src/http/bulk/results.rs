//! The three result files of an ingest job, in input order and in the job's dialect.
//!
//! Like a real org's, `sf__` headers and every value are quoted while the input column names
//! are echoed as uploaded; values are echoed as uploaded, one column per header column.

use super::writer::{Cell, CsvWriter};
use super::{IngestJob, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    Successful,
    Failed,
    Unprocessed,
}

fn padded<'a>(cells: &'a [String], width: usize) -> impl Iterator<Item = &'a str> + 'a {
    (0..width).map(move |i| cells.get(i).map(String::as_str).unwrap_or(""))
}

pub fn render(job: &IngestJob, kind: ResultKind) -> String {
    let dialect = job.core.dialect;
    let Some(input) = &job.input else {
        return match kind {
            ResultKind::Unprocessed => raw_uploads(job),
            ResultKind::Successful => header_only(job, "sf__Created"),
            ResultKind::Failed => header_only(job, "sf__Error"),
        };
    };
    let width = input.header.len();
    let mut out = CsvWriter::with_capacity(dialect, 64 * (job.outcomes.len() + 1));
    let second = match kind {
        ResultKind::Successful => Some("sf__Created"),
        ResultKind::Failed => Some("sf__Error"),
        ResultKind::Unprocessed => None,
    };
    let header = second
        .map(|s| [Cell::Always("sf__Id"), Cell::Always(s)])
        .into_iter()
        .flatten()
        .chain(input.header.iter().map(|h| Cell::Plain(h)));
    out.row(header, false);
    if kind == ResultKind::Unprocessed {
        for row in input.rows.iter().skip(job.outcomes.len()) {
            out.row(padded(&row.cells, width), true);
        }
        return out.finish();
    }
    for (row, outcome) in input.rows.iter().zip(&job.outcomes) {
        let lead = match (kind, outcome) {
            (ResultKind::Successful, Outcome::Success { id, created }) => {
                [id.as_str(), if *created { "true" } else { "false" }]
            }
            (ResultKind::Failed, Outcome::Failure { id, error }) => [id.as_str(), error.as_str()],
            _ => continue,
        };
        out.row(lead.into_iter().chain(padded(&row.cells, width)), true);
    }
    out.finish()
}

fn header_only(job: &IngestJob, second: &str) -> String {
    let mut out = CsvWriter::new(job.core.dialect);
    out.row([Cell::Always("sf__Id"), Cell::Always(second)], false);
    out.finish()
}

/// What was uploaded, when it never got parsed (the job failed or was aborted first): the
/// first upload whole, later ones without their header row.
fn raw_uploads(job: &IngestJob) -> String {
    let mut out = String::new();
    for (n, upload) in job.uploads.iter().enumerate() {
        let text = String::from_utf8_lossy(upload);
        let body = if n == 0 {
            &text[..]
        } else {
            text.split_once('\n').map(|(_, rest)| rest).unwrap_or("")
        };
        out.push_str(body);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(job.core.dialect.line_ending.terminator());
        }
    }
    out
}
