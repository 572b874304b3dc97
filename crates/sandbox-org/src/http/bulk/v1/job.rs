//! A Bulk API 1.0 job and its batches: states, counters and their job and batch infos.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::super::Outcome;
use super::super::job::Operation;
use super::super::query_exec::BulkQuery;
use super::wire::Info;
use crate::values::format_datetime_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Open,
    Closed,
    Aborted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Open => "Open",
            JobState::Closed => "Closed",
            JobState::Aborted => "Aborted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchState {
    Queued,
    InProgress,
    Completed,
    Failed,
    NotProcessed,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Queued => "Queued",
            BatchState::InProgress => "InProgress",
            BatchState::Completed => "Completed",
            BatchState::Failed => "Failed",
            BatchState::NotProcessed => "NotProcessed",
        }
    }
}

/// What a job's batches hold, and how its results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    Csv,
    Json,
    Xml,
}

impl ContentType {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "CSV" => Some(ContentType::Csv),
            "JSON" => Some(ContentType::Json),
            "XML" => Some(ContentType::Xml),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Csv => "CSV",
            ContentType::Json => "JSON",
            ContentType::Xml => "XML",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    Parallel,
    Serial,
}

impl Concurrency {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "Parallel" => Some(Concurrency::Parallel),
            "Serial" => Some(Concurrency::Serial),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Concurrency::Parallel => "Parallel",
            Concurrency::Serial => "Serial",
        }
    }
}

/// One result file of a query batch: its id and the ids of its records.
#[derive(Debug, Clone)]
pub struct ResultSet {
    pub id: String,
    pub records: Arc<Vec<String>>,
    pub query: Arc<BulkQuery>,
}

pub struct Batch {
    pub id: String,
    pub job_id: String,
    pub state: BatchState,
    pub state_message: Option<String>,
    pub created_ms: i64,
    pub modstamp_ms: i64,
    /// The body as uploaded, answered by `/request`.
    pub request: Bytes,
    pub processed: usize,
    pub failed: usize,
    pub processing_ms: u64,
    /// Ingest batches: one per row, in row order.
    pub outcomes: Vec<Outcome>,
    /// Query batches: the result files.
    pub results: Vec<ResultSet>,
}

impl Batch {
    pub fn new(id: String, job_id: String, request: Bytes) -> Self {
        let now = crate::store::now_ms();
        Batch {
            id,
            job_id,
            state: BatchState::Queued,
            state_message: None,
            created_ms: now,
            modstamp_ms: now,
            request,
            processed: 0,
            failed: 0,
            processing_ms: 0,
            outcomes: Vec::new(),
            results: Vec::new(),
        }
    }

    pub fn set_state(&mut self, state: BatchState, message: Option<String>) {
        self.state = state;
        if message.is_some() {
            self.state_message = message;
        }
        self.modstamp_ms = crate::store::now_ms();
    }

    pub fn info(&self) -> Info {
        Info::new("batchInfo")
            .add("id", self.id.as_str())
            .add("jobId", self.job_id.as_str())
            .add("state", self.state.as_str())
            .add_some("stateMessage", self.state_message.as_deref())
            .add("createdDate", format_datetime_ms(self.created_ms))
            .add("systemModstamp", format_datetime_ms(self.modstamp_ms))
            .add("numberRecordsProcessed", self.processed)
            .add("numberRecordsFailed", self.failed)
            .add("totalProcessingTime", self.processing_ms)
            .add("apiActiveProcessingTime", self.processing_ms)
            .add("apexProcessingTime", 0)
    }
}

pub struct Job {
    pub id: String,
    pub operation: Operation,
    pub object: String,
    pub created_by: String,
    pub created_ms: i64,
    pub modstamp_ms: i64,
    pub state: JobState,
    pub external_id_field: Option<String>,
    pub concurrency: Concurrency,
    pub content_type: ContentType,
    pub api_version: u32,
    /// `Sforce-Enable-PKChunking`: the chunk size when a query job splits by Id.
    pub pk_chunk_size: Option<usize>,
    pub batches: Vec<Arc<Mutex<Batch>>>,
    /// A Serial job's batches, waiting for one worker that runs them in the order added.
    pub serial_queue: Option<tokio::sync::mpsc::UnboundedSender<super::run::Queued>>,
}

impl Job {
    pub fn set_state(&mut self, state: JobState) {
        self.state = state;
        self.modstamp_ms = crate::store::now_ms();
    }

    pub fn info(&self) -> Info {
        let mut counts = [0usize; 4];
        let (mut processed, mut failed, mut time) = (0usize, 0usize, 0u64);
        for batch in &self.batches {
            let b = super::super::lock(batch);
            let slot = match b.state {
                BatchState::Queued => Some(0),
                BatchState::InProgress => Some(1),
                BatchState::Completed => Some(2),
                BatchState::Failed => Some(3),
                BatchState::NotProcessed => None,
            };
            if let Some(slot) = slot {
                counts[slot] += 1;
            }
            processed += b.processed;
            failed += b.failed;
            time += b.processing_ms;
        }
        Info::new("jobInfo")
            .add("id", self.id.as_str())
            .add("operation", self.operation.as_str())
            .add("object", self.object.as_str())
            .add_some("externalIdFieldName", self.external_id_field.as_deref())
            .add("createdById", self.created_by.as_str())
            .add("createdDate", format_datetime_ms(self.created_ms))
            .add("systemModstamp", format_datetime_ms(self.modstamp_ms))
            .add("state", self.state.as_str())
            .add("concurrencyMode", self.concurrency.as_str())
            .add("contentType", self.content_type.as_str())
            .add("numberBatchesQueued", counts[0])
            .add("numberBatchesInProgress", counts[1])
            .add("numberBatchesCompleted", counts[2])
            .add("numberBatchesFailed", counts[3])
            .add("numberBatchesTotal", self.batches.len())
            .add("numberRecordsProcessed", processed)
            .add("numberRetries", 0)
            .add("apiVersion", f64::from(self.api_version))
            .add("numberRecordsFailed", failed)
            .add("totalProcessingTime", time)
            .add("apiActiveProcessingTime", time)
            .add("apexProcessingTime", 0)
    }
}
