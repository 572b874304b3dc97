//! The changes query as a stream of bounded batches: a run holds one batch of Salesforce's
//! records at a time, however many the query answers. REST pages are read as the batches
//! need them; a Bulk job's CSV is downloaded and parsed by a task of its own, whole records
//! at a time, while the run writes the batches before: about [`PARSED_AHEAD`] records wait.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::remote::{RemoteRecord, changes_query, count_query, from_json};
use super::values::{Kind, from_csv_cell};
use super::{ReadSink, SyncError};
use crate::run::{ReadPath, RunError};
use crate::salesforce::{BatchSize, ByteStream, Client, JobKind, QueryPage, SalesforceError};
use crate::sync::link::Link;

type Pages = BoxStream<'static, Result<QueryPage<Map<String, Value>>, SalesforceError>>;

/// About how many records of a Bulk result the download task parses ahead of the run, in
/// parcels of [`PARCEL_RECORDS`] or a little more: what bounds the memory the overlap of
/// download and writes costs.
pub const PARSED_AHEAD: usize = 10_000;
const PARCEL_RECORDS: usize = 1_000;

type Parcel = Result<Vec<RemoteRecord>, SyncError>;

enum Source {
    Rest(Pages),
    Bulk(tokio::sync::mpsc::Receiver<Parcel>),
    Ended,
}

/// Reads the records changed since a time (every record when none), oldest first, a batch at
/// a time. A first read counts before choosing REST or Bulk; an incremental one switches to
/// a Bulk job when its first page reports more than the link's Bulk threshold.
pub struct ChangeReader<'a> {
    link: &'a Link,
    kinds: &'a HashMap<String, Kind>,
    cancel: &'a CancellationToken,
    read: ReadSink<'a>,
    source: Source,
    pending: VecDeque<RemoteRecord>,
    path: ReadPath,
    total: Option<u64>,
    done: u64,
    newest: Option<DateTime<Utc>>,
}

impl<'a> ChangeReader<'a> {
    pub async fn open(
        client: &Client,
        link: &'a Link,
        kinds: &'a HashMap<String, Kind>,
        since: Option<DateTime<Utc>>,
        cancel: &'a CancellationToken,
        read: ReadSink<'a>,
    ) -> Result<ChangeReader<'a>, SyncError> {
        let mut reader = ChangeReader {
            link,
            kinds,
            cancel,
            read,
            source: Source::Ended,
            pending: VecDeque::new(),
            path: ReadPath::Rest,
            total: None,
            done: 0,
            newest: None,
        };
        let soql = changes_query(link, since);
        let with_deleted = since.is_some();
        if !with_deleted {
            // A first read is the whole table: count it before choosing the path.
            let expected = count(client, &count_query(link, since)).await?;
            if expected == 0 {
                return Ok(reader);
            }
            if expected > link.strategy.bulk_pull_above {
                reader.open_bulk(client, &soql, false, expected).await?;
                return Ok(reader);
            }
            reader.source = Source::Rest(
                client
                    .query::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
                    .boxed(),
            );
            return Ok(reader);
        }
        let mut pages = client
            .query_all::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
            .boxed();
        let Some(first) = pages.try_next().await? else {
            return Ok(reader);
        };
        if first.total_size > link.strategy.bulk_pull_above {
            drop(pages);
            reader
                .open_bulk(client, &soql, true, first.total_size)
                .await?;
            return Ok(reader);
        }
        reader.total = Some(first.total_size);
        reader.take_page(first);
        reader.source = Source::Rest(pages);
        Ok(reader)
    }

    async fn open_bulk(
        &mut self,
        client: &Client,
        soql: &str,
        with_deleted: bool,
        expected: u64,
    ) -> Result<(), SyncError> {
        self.path = ReadPath::Bulk;
        (self.read)(0, Some(expected));
        let rows = usize::try_from(expected).unwrap_or(usize::MAX);
        let job = client.bulk_create_query(soql, with_deleted).await?;
        let info = crate::run::push::wait_for_job(client, JobKind::Query, &job.id, rows).await?;
        if info.state != "JobComplete" {
            return Err(RunError::BulkJob {
                job: job.id,
                state: info.state,
                message: info.error_message.unwrap_or_default(),
            }
            .into());
        }
        crate::run::stop_if_cancelled(self.cancel)?;
        self.total = Some(info.number_records_processed.unwrap_or(expected));
        let (parcels, received) = tokio::sync::mpsc::channel(PARSED_AHEAD / PARCEL_RECORDS);
        let bytes = client.bulk_query_results(&job.id, None);
        // Dropping the reader (a run cancelled or failed) closes the channel: the task stops.
        tokio::spawn(download(
            bytes,
            self.link.clone(),
            self.kinds.clone(),
            parcels,
        ));
        self.source = Source::Bulk(received);
        Ok(())
    }

    pub fn path(&self) -> ReadPath {
        self.path
    }

    /// The newest SystemModstamp read so far: where the next pull may start.
    pub fn newest(&self) -> Option<DateTime<Utc>> {
        self.newest
    }

    /// Records read so far.
    pub fn count(&self) -> u64 {
        self.done
    }

    /// True once every record was handed out.
    pub fn is_exhausted(&self) -> bool {
        matches!(self.source, Source::Ended) && self.pending.is_empty()
    }

    /// The next at most `size` records, or an empty batch once all were read.
    pub async fn next_batch(&mut self, size: usize) -> Result<Vec<RemoteRecord>, SyncError> {
        let size = size.max(1);
        // One past the batch: a reader that holds no more after this batch knows it ended.
        while self.pending.len() <= size && !matches!(self.source, Source::Ended) {
            crate::run::stop_if_cancelled(self.cancel)?;
            self.fill().await?;
        }
        let take = size.min(self.pending.len());
        Ok(self.pending.drain(..take).collect())
    }

    async fn fill(&mut self) -> Result<(), SyncError> {
        match &mut self.source {
            Source::Ended => {}
            Source::Rest(pages) => match pages.try_next().await? {
                Some(page) => {
                    self.total = Some(page.total_size);
                    self.take_page(page);
                }
                None => self.source = Source::Ended,
            },
            Source::Bulk(parcels) => {
                match parcels.recv().await {
                    Some(parcel) => {
                        for record in parcel? {
                            self.keep_record(record);
                        }
                    }
                    None => self.source = Source::Ended,
                }
                (self.read)(self.done, self.total);
            }
        }
        Ok(())
    }

    fn take_page(&mut self, page: QueryPage<Map<String, Value>>) {
        for record in &page.records {
            self.keep(record);
        }
        (self.read)(self.done, self.total);
    }

    fn keep(&mut self, record: &Map<String, Value>) {
        if let Some(record) = from_json(self.link, self.kinds, record) {
            self.keep_record(record);
        }
    }

    fn keep_record(&mut self, record: RemoteRecord) {
        self.newest = self.newest.max(record.modstamp);
        self.done += 1;
        self.pending.push_back(record);
    }
}

/// Downloads a Bulk result and sends its records in parcels, in order; an error is sent as
/// the last parcel. Ends early when the reader is gone.
async fn download(
    mut bytes: ByteStream,
    link: Link,
    kinds: HashMap<String, Kind>,
    parcels: tokio::sync::mpsc::Sender<Parcel>,
) {
    let mut csv = CsvRecords::default();
    let mut rows = Vec::new();
    let mut parcel = Vec::with_capacity(PARCEL_RECORDS);
    loop {
        let next = tokio::select! {
            // The reader is gone: stop downloading at once rather than at the next parcel.
            () = parcels.closed() => return,
            next = bytes.try_next() => next,
        };
        let step = match next {
            Ok(Some(piece)) => csv.push(&piece, &mut rows),
            Ok(None) => csv.finish(&mut rows),
            Err(e) => Err(RunError::from(e)),
        };
        let ended = match step {
            Ok(()) => csv.finished,
            Err(e) => {
                let _ = parcels.send(Err(e.into())).await;
                return;
            }
        };
        parcel.extend(
            rows.drain(..)
                .filter_map(|row| from_json(&link, &kinds, &row)),
        );
        if parcel.len() >= PARCEL_RECORDS || (ended && !parcel.is_empty()) {
            let full = std::mem::replace(&mut parcel, Vec::with_capacity(PARCEL_RECORDS));
            if parcels.send(Ok(full)).await.is_err() {
                return;
            }
        }
        if ended {
            return;
        }
    }
}

async fn count(client: &Client, soql: &str) -> Result<u64, SyncError> {
    let mut pages = client.query::<Map<String, Value>>(soql, None).boxed();
    Ok(match pages.try_next().await? {
        Some(page) => page.total_size,
        None => 0,
    })
}

/// A CSV document read in pieces: each piece's complete records are parsed at once, the
/// incomplete tail kept for the next. A line break inside quotes belongs to its field.
#[derive(Default)]
struct CsvRecords {
    buffer: Vec<u8>,
    /// How far `buffer` was scanned for record ends, and whether that point is in quotes.
    scanned: usize,
    in_quotes: bool,
    /// Where the last complete record in `buffer` ends.
    complete: usize,
    headers: Option<csv::StringRecord>,
    /// The document's end was read.
    finished: bool,
}

impl CsvRecords {
    fn push(&mut self, piece: &[u8], out: &mut Vec<Map<String, Value>>) -> Result<(), RunError> {
        self.buffer.extend_from_slice(piece);
        for (i, byte) in self.buffer.iter().enumerate().skip(self.scanned) {
            match byte {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => self.complete = i + 1,
                _ => {}
            }
        }
        self.scanned = self.buffer.len();
        let end = self.complete;
        self.parse(end, out)?;
        self.buffer.drain(..end);
        self.scanned -= end;
        self.complete = 0;
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<Map<String, Value>>) -> Result<(), RunError> {
        let end = self.buffer.len();
        self.parse(end, out)?;
        self.buffer.clear();
        self.scanned = 0;
        self.finished = true;
        Ok(())
    }

    fn parse(&mut self, end: usize, out: &mut Vec<Map<String, Value>>) -> Result<(), RunError> {
        if end == 0 {
            return Ok(());
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&self.buffer[..end]);
        for row in reader.records() {
            let row = row.map_err(|e| RunError::BadCsv(e.to_string()))?;
            let Some(headers) = &self.headers else {
                self.headers = Some(row);
                continue;
            };
            let mut record = Map::new();
            for (name, cell) in headers.iter().zip(row.iter()) {
                record.insert(name.to_string(), from_csv_cell(cell));
            }
            out.push(record);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_pieces(text: &str, piece: usize) -> Vec<Map<String, Value>> {
        let mut csv = CsvRecords::default();
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(piece) {
            csv.push(chunk, &mut out).unwrap();
        }
        csv.finish(&mut out).unwrap();
        out
    }

    #[test]
    fn records_split_across_pieces_are_read_whole_with_their_quoted_line_breaks() {
        let text = "\"Id\",\"Name\",\"Description\"\n\"001A\",\"Acme, Inc.\",\"two\nlines\"\n\"001B\",\"Say \"\"hi\"\"\",\"\"\n\"001C\",\"Last\",\"no newline at the end\"";
        let whole = parse_in_pieces(text, text.len());
        assert_eq!(whole.len(), 3);
        assert_eq!(whole[0]["Name"], "Acme, Inc.");
        assert_eq!(whole[0]["Description"], "two\nlines");
        assert_eq!(whole[1]["Name"], "Say \"hi\"");
        assert_eq!(whole[1]["Description"], Value::Null);
        assert_eq!(whole[2]["Id"], "001C");
        for piece in 1..text.len() {
            assert_eq!(
                parse_in_pieces(text, piece),
                whole,
                "pieces of {piece} bytes"
            );
        }
    }

    #[test]
    fn crlf_line_ends_read_as_the_same_records() {
        let text = "Id,Name\r\n001A,Acme\r\n001B,Globex\r\n";
        let records = parse_in_pieces(text, 3);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1]["Name"], "Globex");
    }
}
