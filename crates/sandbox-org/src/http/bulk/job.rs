//! What every Bulk API 2.0 job has: its operation, its state machine and its job info.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::dialect::Dialect;
use crate::values::format_datetime_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Insert,
    Update,
    Upsert,
    Delete,
    HardDelete,
    Query,
    QueryAll,
}

impl Operation {
    pub fn parse_ingest(name: &str) -> Option<Self> {
        [
            Operation::Insert,
            Operation::Update,
            Operation::Upsert,
            Operation::Delete,
            Operation::HardDelete,
        ]
        .into_iter()
        .find(|op| op.as_str() == name)
    }

    pub fn parse_query(name: &str) -> Option<Self> {
        [Operation::Query, Operation::QueryAll]
            .into_iter()
            .find(|op| op.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Insert => "insert",
            Operation::Update => "update",
            Operation::Upsert => "upsert",
            Operation::Delete => "delete",
            Operation::HardDelete => "hardDelete",
            Operation::Query => "query",
            Operation::QueryAll => "queryAll",
        }
    }

    pub fn is_query(self) -> bool {
        matches!(self, Operation::Query | Operation::QueryAll)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Open => "Open",
            JobState::UploadComplete => "UploadComplete",
            JobState::InProgress => "InProgress",
            JobState::JobComplete => "JobComplete",
            JobState::Failed => "Failed",
            JobState::Aborted => "Aborted",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }

    /// A real org deletes jobs that are closed or finished, never one being filled or run.
    pub fn is_deletable(self) -> bool {
        matches!(
            self,
            JobState::UploadComplete | JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }
}

/// Why a state change asked by a client is refused: the text of `INVALIDJOBSTATE`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateChangeError {
    #[error("Job {id} is {from}, not Open: only an Open job can be closed with UploadComplete")]
    NotOpen { id: String, from: &'static str },
    #[error("Job {id} is already {from} and cannot be aborted")]
    AlreadyFinished { id: String, from: &'static str },
}

/// The part of a job every kind shares: identity, state and counters.
#[derive(Debug, Clone)]
pub struct JobCore {
    pub id: String,
    pub operation: Operation,
    pub object: String,
    pub created_by: String,
    pub created_ms: i64,
    pub modstamp_ms: i64,
    pub state: JobState,
    pub api_version: u32,
    pub dialect: Dialect,
    pub external_id_field: Option<String>,
    pub error_message: Option<String>,
    pub processed: usize,
    pub failed: usize,
    pub started: Option<Instant>,
    pub processing_ms: u64,
    /// Set when a client deleted the job, so that its processing stops early.
    pub removed: bool,
}

impl JobCore {
    pub fn new(
        id: String,
        operation: Operation,
        object: String,
        created_by: String,
        api_version: u32,
        dialect: Dialect,
    ) -> Self {
        let now = crate::store::now_ms();
        JobCore {
            id,
            operation,
            object,
            created_by,
            created_ms: now,
            modstamp_ms: now,
            state: if operation.is_query() {
                JobState::UploadComplete
            } else {
                JobState::Open
            },
            api_version,
            dialect,
            external_id_field: None,
            error_message: None,
            processed: 0,
            failed: 0,
            started: None,
            processing_ms: 0,
            removed: false,
        }
    }

    fn set_state(&mut self, state: JobState) {
        self.state = state;
        self.modstamp_ms = crate::store::now_ms();
    }

    /// `Open → UploadComplete`, asked by the client.
    pub fn close(&mut self) -> Result<(), StateChangeError> {
        if self.state != JobState::Open {
            return Err(StateChangeError::NotOpen {
                id: self.id.clone(),
                from: self.state.as_str(),
            });
        }
        self.set_state(JobState::UploadComplete);
        Ok(())
    }

    /// Any unfinished state → Aborted, asked by the client.
    pub fn abort(&mut self) -> Result<(), StateChangeError> {
        if self.state.is_finished() {
            return Err(StateChangeError::AlreadyFinished {
                id: self.id.clone(),
                from: self.state.as_str(),
            });
        }
        self.finish_timing();
        self.set_state(JobState::Aborted);
        Ok(())
    }

    /// `UploadComplete → InProgress` when processing starts; false when the job was aborted or
    /// deleted meanwhile, and must not run.
    pub fn start(&mut self) -> bool {
        if self.state != JobState::UploadComplete || self.removed {
            return false;
        }
        self.started = Some(Instant::now());
        self.set_state(JobState::InProgress);
        true
    }

    /// `InProgress → JobComplete`, unless the client aborted meanwhile.
    pub fn complete(&mut self) {
        if self.state == JobState::InProgress {
            self.finish_timing();
            self.set_state(JobState::JobComplete);
        }
    }

    /// `InProgress → Failed` with the reason the whole job could not run.
    pub fn fail(&mut self, message: impl Into<String>) {
        if self.state == JobState::InProgress {
            self.finish_timing();
            self.error_message = Some(message.into());
            self.set_state(JobState::Failed);
        }
    }

    fn finish_timing(&mut self) {
        if let Some(started) = self.started.take() {
            self.processing_ms = started.elapsed().as_millis() as u64;
        }
    }

    fn job_type(&self) -> &'static str {
        if self.operation.is_query() {
            "V2Query"
        } else {
            "V2Ingest"
        }
    }

    fn content_url(&self) -> Option<String> {
        (!self.operation.is_query()).then(|| {
            format!(
                "services/data/v{}.0/jobs/ingest/{}/batches",
                self.api_version, self.id
            )
        })
    }

    /// The job info answered on creation and state changes.
    pub fn info(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("operation".into(), json!(self.operation.as_str()));
        m.insert("object".into(), json!(self.object));
        m.insert("createdById".into(), json!(self.created_by));
        m.insert(
            "createdDate".into(),
            json!(format_datetime_ms(self.created_ms)),
        );
        m.insert(
            "systemModstamp".into(),
            json!(format_datetime_ms(self.modstamp_ms)),
        );
        m.insert("state".into(), json!(self.state.as_str()));
        if let Some(ext) = &self.external_id_field {
            m.insert("externalIdFieldName".into(), json!(ext));
        }
        m.insert("concurrencyMode".into(), json!("Parallel"));
        m.insert("contentType".into(), json!("CSV"));
        m.insert("apiVersion".into(), json!(f64::from(self.api_version)));
        if let Some(url) = self.content_url() {
            m.insert("contentUrl".into(), json!(url));
        }
        m.insert(
            "lineEnding".into(),
            json!(self.dialect.line_ending.as_str()),
        );
        m.insert(
            "columnDelimiter".into(),
            json!(self.dialect.delimiter.as_str()),
        );
        Value::Object(m)
    }

    /// The full job info of `GET .../jobs/{kind}/{id}`, with counters and timings.
    pub fn detail(&self) -> Value {
        let mut v = self.info();
        let processing_ms = match self.started {
            Some(started) => started.elapsed().as_millis() as u64,
            None => self.processing_ms,
        };
        if let Value::Object(m) = &mut v {
            m.insert("jobType".into(), json!(self.job_type()));
            m.insert("numberRecordsProcessed".into(), json!(self.processed));
            if !self.operation.is_query() {
                m.insert("numberRecordsFailed".into(), json!(self.failed));
            }
            m.insert("retries".into(), json!(0));
            m.insert("totalProcessingTime".into(), json!(processing_ms));
            if !self.operation.is_query() {
                m.insert("apiActiveProcessingTime".into(), json!(processing_ms));
                m.insert("apexProcessingTime".into(), json!(0));
            }
            if let Some(message) = &self.error_message {
                m.insert("errorMessage".into(), json!(message));
            }
        }
        v
    }

    /// The entry of a job list (`GET .../jobs/ingest`).
    pub fn list_entry(&self) -> Value {
        let mut v = self.info();
        if let Value::Object(m) = &mut v {
            m.insert("jobType".into(), json!(self.job_type()));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(operation: Operation) -> JobCore {
        JobCore::new(
            "750x".into(),
            operation,
            "Account".into(),
            "005x".into(),
            60,
            Dialect::default(),
        )
    }

    #[test]
    fn an_ingest_job_runs_open_to_complete() {
        let mut j = job(Operation::Insert);
        assert_eq!(j.state, JobState::Open);
        assert!(!j.start(), "nothing runs before UploadComplete");
        j.close().unwrap();
        assert_eq!(j.state, JobState::UploadComplete);
        assert!(j.start());
        assert_eq!(j.state, JobState::InProgress);
        j.complete();
        assert_eq!(j.state, JobState::JobComplete);
        assert!(j.abort().is_err());
        assert!(j.close().is_err());
    }

    #[test]
    fn a_query_job_starts_closed() {
        let mut j = job(Operation::Query);
        assert_eq!(j.state, JobState::UploadComplete);
        assert!(j.start());
    }

    #[test]
    fn abort_stops_a_job_that_has_not_started() {
        let mut j = job(Operation::Insert);
        j.close().unwrap();
        j.abort().unwrap();
        assert!(!j.start());
        j.complete();
        assert_eq!(
            j.state,
            JobState::Aborted,
            "completion never overrides an abort"
        );
    }

    #[test]
    fn a_deleted_job_never_starts() {
        let mut j = job(Operation::Delete);
        j.close().unwrap();
        j.removed = true;
        assert!(!j.start());
    }

    #[test]
    fn failure_keeps_its_message() {
        let mut j = job(Operation::Upsert);
        j.close().unwrap();
        j.start();
        j.fail("InvalidBatch : Field name not found : Foo");
        assert_eq!(j.state, JobState::Failed);
        assert_eq!(
            j.detail()["errorMessage"],
            "InvalidBatch : Field name not found : Foo"
        );
    }

    #[test]
    fn info_has_the_documented_shape() {
        let mut j = job(Operation::Upsert);
        j.external_id_field = Some("External_Id__c".into());
        let info = j.info();
        let keys: Vec<&str> = info
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "operation",
                "object",
                "createdById",
                "createdDate",
                "systemModstamp",
                "state",
                "externalIdFieldName",
                "concurrencyMode",
                "contentType",
                "apiVersion",
                "contentUrl",
                "lineEnding",
                "columnDelimiter"
            ]
        );
        assert_eq!(
            info["contentUrl"],
            "services/data/v60.0/jobs/ingest/750x/batches"
        );
        assert_eq!(info["apiVersion"], json!(60.0));
        let detail = j.detail();
        for key in [
            "jobType",
            "numberRecordsProcessed",
            "numberRecordsFailed",
            "retries",
            "totalProcessingTime",
        ] {
            assert!(detail.get(key).is_some(), "{key}");
        }
        assert_eq!(detail["jobType"], "V2Ingest");
    }
}
