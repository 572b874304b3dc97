//! Bulk API 2.0: ingest jobs fed from a stream of CSV bytes and query jobs whose results are
//! read as a stream, so memory stays flat whatever the size of the data.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::io::AsyncReadExt;

use super::client::{Call, Client};
use super::error::{Result, SalesforceError};
use super::rest::segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Ingest,
    Query,
}

impl JobKind {
    fn path(self) -> &'static str {
        match self {
            Self::Ingest => "ingest",
            Self::Query => "query",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOperation {
    Insert,
    Update,
    Upsert { external_id_field: String },
    Delete,
    HardDelete,
}

/// A job as `GET .../jobs/{kind}/{id}` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    pub id: String,
    pub operation: String,
    pub object: String,
    pub state: String,
    #[serde(default)]
    pub number_records_processed: Option<u64>,
    #[serde(default)]
    pub number_records_failed: Option<u64>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl JobInfo {
    pub fn is_finished(&self) -> bool {
        matches!(self.state.as_str(), "JobComplete" | "Failed" | "Aborted")
    }
}

/// Which rows of a finished ingest job to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestResults {
    Successful,
    Failed,
    Unprocessed,
}

impl IngestResults {
    fn path(self) -> &'static str {
        match self {
            Self::Successful => "successfulResults",
            Self::Failed => "failedResults",
            Self::Unprocessed => "unprocessedrecords",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewIngestJob<'a> {
    object: &'a str,
    operation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id_field_name: Option<&'a str>,
    content_type: &'static str,
    line_ending: &'static str,
}

const UPLOAD_PIECE: usize = 64 * 1024;

pub type ByteStream = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;

impl Client {
    fn job_url(&self, kind: JobKind, id: &str, rest: &str) -> String {
        self.data_url(&format!("/jobs/{}/{}{rest}", kind.path(), segment(id)))
    }

    /// Opens an ingest job for CSV with LF line endings.
    pub async fn bulk_create_ingest(
        &self,
        object: &str,
        operation: &BulkOperation,
    ) -> Result<JobInfo> {
        let (name, external_id_field_name) = match operation {
            BulkOperation::Insert => ("insert", None),
            BulkOperation::Update => ("update", None),
            BulkOperation::Upsert { external_id_field } => {
                ("upsert", Some(external_id_field.as_str()))
            }
            BulkOperation::Delete => ("delete", None),
            BulkOperation::HardDelete => ("hardDelete", None),
        };
        let body = NewIngestJob {
            object,
            operation: name,
            external_id_field_name,
            content_type: "CSV",
            line_ending: "LF",
        };
        let call = Call::new(Method::POST, self.data_url("/jobs/ingest")).json(&body)?;
        self.json(call).await
    }

    /// Uploads CSV data to an open ingest job as it is read. A stream cannot be sent twice,
    /// so the job is read first (renewing the session if need be) and the upload goes once.
    pub async fn bulk_upload<S>(&self, job_id: &str, csv: S) -> Result<()>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        self.bulk_job(JobKind::Ingest, job_id).await?;
        let url = self.job_url(JobKind::Ingest, job_id, "/batches");
        let body = reqwest::Body::wrap_stream(csv);
        self.execute_streamed(Method::PUT, url, body, "text/csv")
            .await
            .map(drop)
    }

    /// Uploads CSV held in memory. The body can be sent again, so the upload is one call,
    /// retried like any other, with no read of the job before it.
    pub async fn bulk_upload_bytes(&self, job_id: &str, csv: Bytes) -> Result<()> {
        let url = self.job_url(JobKind::Ingest, job_id, "/batches");
        self.execute(Call::new(Method::PUT, url).bytes(csv, "text/csv"))
            .await
            .map(drop)
    }

    /// Uploads CSV as it is read from `reader` (a file, a pipe), in pieces of 64 KiB.
    pub async fn bulk_upload_reader<R>(&self, job_id: &str, reader: R) -> Result<()>
    where
        R: tokio::io::AsyncRead + Send + Sync + Unpin + 'static,
    {
        let pieces = stream::unfold(Some(reader), |state| async move {
            let mut reader = state?;
            let mut piece = vec![0u8; UPLOAD_PIECE];
            match reader.read(&mut piece).await {
                Ok(0) => None,
                Ok(n) => {
                    piece.truncate(n);
                    Some((Ok(Bytes::from(piece)), Some(reader)))
                }
                Err(e) => Some((Err(e), None)),
            }
        });
        self.bulk_upload(job_id, pieces).await
    }

    /// Marks an ingest job's upload complete, which queues it for processing.
    pub async fn bulk_close(&self, job_id: &str) -> Result<JobInfo> {
        self.set_job_state(JobKind::Ingest, job_id, "UploadComplete")
            .await
    }

    pub async fn bulk_abort(&self, kind: JobKind, job_id: &str) -> Result<JobInfo> {
        self.set_job_state(kind, job_id, "Aborted").await
    }

    async fn set_job_state(&self, kind: JobKind, job_id: &str, state: &str) -> Result<JobInfo> {
        let call = Call::new(Method::PATCH, self.job_url(kind, job_id, ""))
            .json(&json!({ "state": state }))?;
        self.json(call).await
    }

    pub async fn bulk_job(&self, kind: JobKind, job_id: &str) -> Result<JobInfo> {
        self.json(Call::new(Method::GET, self.job_url(kind, job_id, "")))
            .await
    }

    /// Polls a job every `interval` until it finishes or `timeout` passes.
    pub async fn bulk_wait(
        &self,
        kind: JobKind,
        job_id: &str,
        interval: Duration,
        timeout: Duration,
    ) -> Result<JobInfo> {
        let deadline = Instant::now() + timeout;
        loop {
            let info = self.bulk_job(kind, job_id).await?;
            if info.is_finished() {
                return Ok(info);
            }
            if Instant::now() >= deadline {
                return Err(SalesforceError::decode(
                    format!("bulk job {job_id}"),
                    format!(
                        "still {} after {timeout:?}; check the job in Setup or wait longer",
                        info.state
                    ),
                ));
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// The CSV of one result set of a finished ingest job, as it arrives.
    pub async fn bulk_ingest_results(
        &self,
        job_id: &str,
        which: IngestResults,
    ) -> Result<ByteStream> {
        let url = self.job_url(JobKind::Ingest, job_id, &format!("/{}/", which.path()));
        let response = self.execute(Call::new(Method::GET, url)).await?;
        Ok(Box::pin(
            response.bytes_stream().map_err(SalesforceError::Transport),
        ))
    }

    /// Starts a query job (`queryAll` includes deleted and archived rows).
    pub async fn bulk_create_query(&self, soql: &str, all: bool) -> Result<JobInfo> {
        let operation = if all { "queryAll" } else { "query" };
        let call = Call::new(Method::POST, self.data_url("/jobs/query"))
            .json(&json!({ "operation": operation, "query": soql }))?;
        self.json(call).await
    }

    /// Every result row of a finished query job as one CSV stream: the header once, then
    /// the rows of each page, pages fetched one after another as the stream is read.
    pub fn bulk_query_results(&self, job_id: &str, max_records: Option<u32>) -> ByteStream {
        let client = self.clone();
        let url = self.job_url(JobKind::Query, job_id, "/results");
        let pages = stream::try_unfold(Some(None::<String>), move |next| {
            let client = client.clone();
            let url = url.clone();
            async move {
                let Some(locator) = next else {
                    return Ok(None);
                };
                let first = locator.is_none();
                let mut call = Call::new(Method::GET, url);
                if let Some(locator) = locator {
                    call = call.query("locator", locator);
                }
                if let Some(max) = max_records {
                    call = call.query("maxRecords", max.to_string());
                }
                let response = client.execute(call).await?;
                let following = response
                    .headers()
                    .get("sforce-locator")
                    .and_then(|v| v.to_str().ok())
                    .filter(|l| !l.is_empty() && *l != "null")
                    .map(|l| Some(l.to_string()));
                let body = response.bytes_stream().map_err(SalesforceError::Transport);
                let page: ByteStream = if first {
                    Box::pin(body)
                } else {
                    Box::pin(without_header(body))
                };
                Ok::<_, SalesforceError>(Some((page, following)))
            }
        });
        Box::pin(pages.try_flatten())
    }
}

/// Drops the first line (the header every page repeats). Column names hold no line breaks,
/// so the first `\n` ends it.
fn without_header(
    body: impl Stream<Item = Result<Bytes>> + Send + 'static,
) -> impl Stream<Item = Result<Bytes>> + Send + 'static {
    body.scan(false, |past_header, chunk| {
        let out = match chunk {
            Err(e) => Err(e),
            Ok(bytes) if *past_header => Ok(bytes),
            Ok(bytes) => match bytes.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    *past_header = true;
                    Ok(bytes.slice(end + 1..))
                }
                None => Ok(Bytes::new()),
            },
        };
        futures_util::future::ready(Some(out))
    })
}
