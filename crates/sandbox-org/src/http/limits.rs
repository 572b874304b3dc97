//! The org's API allocation: a rolling 24-hour count of authenticated API requests, the
//! `Sforce-Limit-Info` header and the `/limits` resource.
//!
//! Requests are counted in one-minute buckets, so a day of traffic costs at most 1,440
//! entries however many calls a benchmark makes. A request refused for being over the
//! allocation is not counted: the used count never passes the maximum by itself.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::auth::Session;
use super::{AppState, api_version};
use crate::error::{ApiError, ApiResult};

/// The response header every counted API answer carries.
pub const LIMIT_INFO_HEADER: &str = "Sforce-Limit-Info";

const WINDOW_MINUTES: u64 = 24 * 60;

/// Allocations of the other daily limits, as a Developer Edition org reports them.
const DAILY_BULK_API_BATCHES: u64 = 15_000;
const DAILY_BULK_V2_QUERY_JOBS: u64 = 10_000;
/// Storage the org pretends to have; used storage follows the record count at the 2 KB a
/// record that Salesforce charges for most objects.
const DATA_STORAGE_MB: u64 = 1_024;
const RECORD_STORAGE_KB: u64 = 2;

/// How much of an allocation is used, as `Sforce-Limit-Info` and the admin endpoint show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub used: u64,
    pub max: u64,
}

impl Usage {
    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }

    /// `api-usage=USED/MAX`.
    pub fn header_value(&self) -> HeaderValue {
        // Digits and ASCII punctuation only: always a valid header value.
        HeaderValue::from_str(&format!("api-usage={}/{}", self.used, self.max))
            .unwrap_or_else(|_| HeaderValue::from_static("api-usage=0/0"))
    }
}

/// One rolling 24-hour counter with an allocation.
#[derive(Debug)]
struct RollingCount {
    max: u64,
    /// `(minute since the org started, requests in that minute)`, oldest first.
    buckets: VecDeque<(u64, u64)>,
}

impl RollingCount {
    fn new(max: u64) -> Self {
        RollingCount {
            max,
            buckets: VecDeque::new(),
        }
    }

    fn forget_before(&mut self, minute: u64) {
        let oldest_kept = minute.saturating_sub(WINDOW_MINUTES - 1);
        while self.buckets.front().is_some_and(|(m, _)| *m < oldest_kept) {
            self.buckets.pop_front();
        }
    }

    fn usage(&mut self, minute: u64) -> Usage {
        self.forget_before(minute);
        Usage {
            used: self.buckets.iter().map(|(_, n)| n).sum(),
            max: self.max,
        }
    }

    fn add(&mut self, minute: u64, n: u64) {
        match self.buckets.back_mut() {
            Some((m, count)) if *m == minute => *count += n,
            _ => self.buckets.push_back((minute, n)),
        }
    }

    /// Counts one request unless the allocation is used up; either way answers the usage
    /// after the decision.
    fn try_consume(&mut self, minute: u64) -> Result<Usage, Usage> {
        let usage = self.usage(minute);
        if usage.used >= usage.max {
            return Err(usage);
        }
        self.add(minute, 1);
        Ok(Usage {
            used: usage.used + 1,
            max: usage.max,
        })
    }

    /// Replaces the history by `used` requests made now.
    fn reset_used(&mut self, minute: u64, used: u64) {
        self.buckets.clear();
        if used > 0 {
            self.buckets.push_back((minute, used));
        }
    }
}

struct Counters {
    api: RollingCount,
    bulk_batches: RollingCount,
    bulk_query_jobs: RollingCount,
}

/// The org's daily allocations, held by [`super::Org`].
pub struct Limits {
    started: Instant,
    counters: Mutex<Counters>,
}

impl Limits {
    pub fn new(daily: u64) -> Limits {
        Limits {
            started: Instant::now(),
            counters: Mutex::new(Counters {
                api: RollingCount::new(daily),
                bulk_batches: RollingCount::new(DAILY_BULK_API_BATCHES),
                bulk_query_jobs: RollingCount::new(DAILY_BULK_V2_QUERY_JOBS),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Counters> {
        // Counters are plain numbers: a panic elsewhere cannot leave them half-updated.
        self.counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn minute(&self) -> u64 {
        self.started.elapsed().as_secs() / 60
    }

    /// Current use of `DailyApiRequests`.
    pub fn usage(&self) -> Usage {
        let minute = self.minute();
        self.lock().api.usage(minute)
    }

    /// Counts one API request. `Err` when the allocation is used up: the request must then be
    /// refused with [`over_limit`] and not run.
    pub fn try_consume(&self) -> Result<Usage, Usage> {
        let minute = self.minute();
        self.lock().api.try_consume(minute)
    }

    /// Sets the allocation and/or the used count (as if `used` requests had just been made).
    pub fn set(&self, max: Option<u64>, used: Option<u64>) -> Usage {
        let minute = self.minute();
        let mut counters = self.lock();
        if let Some(max) = max {
            counters.api.max = max;
        }
        if let Some(used) = used {
            counters.api.reset_used(minute, used);
        }
        counters.api.usage(minute)
    }

    /// Counts one Bulk API batch (an ingest job's upload) against `DailyBulkApiBatches`.
    pub fn count_bulk_batch(&self) {
        let minute = self.minute();
        self.lock().bulk_batches.add(minute, 1);
    }

    /// Counts one Bulk API 2.0 query job against `DailyBulkV2QueryJobs`.
    pub fn count_bulk_query_job(&self) {
        let minute = self.minute();
        self.lock().bulk_query_jobs.add(minute, 1);
    }

    /// The `/limits` body: every limit as `{"Max","Remaining"}`.
    pub fn to_json(&self, stored_records: u64) -> Value {
        let minute = self.minute();
        let mut counters = self.lock();
        let api = counters.api.usage(minute);
        let batches = counters.bulk_batches.usage(minute);
        let query_jobs = counters.bulk_query_jobs.usage(minute);
        drop(counters);
        let used_mb = (stored_records * RECORD_STORAGE_KB).div_ceil(1024);
        let entries: [(&str, u64, u64); 20] = [
            ("ActiveScratchOrgs", 3, 3),
            ("AnalyticsExternalDataSizeMB", 40_960, 40_960),
            ("ConcurrentAsyncGetReportInstances", 200, 200),
            ("ConcurrentSyncReportRuns", 20, 20),
            ("DailyAnalyticsDataflowJobExecutions", 60, 60),
            ("DailyApiRequests", api.max, api.remaining()),
            ("DailyAsyncApexExecutions", 250_000, 250_000),
            ("DailyBulkApiBatches", batches.max, batches.remaining()),
            ("DailyBulkV2QueryFileStorageMB", 976_562, 976_562),
            (
                "DailyBulkV2QueryJobs",
                query_jobs.max,
                query_jobs.remaining(),
            ),
            ("DailyGenericStreamingApiEvents", 10_000, 10_000),
            ("DailyStreamingApiEvents", 10_000, 10_000),
            ("DailyWorkflowEmails", 390, 390),
            (
                "DataStorageMB",
                DATA_STORAGE_MB,
                DATA_STORAGE_MB.saturating_sub(used_mb),
            ),
            ("FileStorageMB", 20, 20),
            ("HourlyAsyncReportRuns", 1_200, 1_200),
            ("HourlyTimeBasedWorkflow", 50, 50),
            ("MassEmail", 10, 10),
            ("SingleEmail", 15, 15),
            ("StreamingApiConcurrentClients", 20, 20),
        ];
        let mut body = Map::new();
        for (name, max, remaining) in entries {
            body.insert(
                name.to_string(),
                json!({ "Max": max, "Remaining": remaining }),
            );
        }
        Value::Object(body)
    }
}

/// The answer to a request over the daily allocation.
pub fn over_limit(usage: Usage) -> Response {
    let mut response = ApiError::rest(
        StatusCode::FORBIDDEN,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
    )
    .into_response();
    response
        .headers_mut()
        .insert(LIMIT_INFO_HEADER, usage.header_value());
    response
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/data/{v}/limits", get(limits))
        .route("/services/data/{v}/limits/", get(limits))
}

async fn limits(
    State(state): State<AppState>,
    Path(v): Path<String>,
    _session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let store = &state.org.store;
    let records: u64 = store
        .schema()
        .objects()
        .map(|o| store.count(&o.name) as u64)
        .sum();
    Ok(axum::Json(state.org.limits.to_json(records)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_leave_the_window_a_day_later() {
        let mut count = RollingCount::new(10);
        for minute in [0, 0, 5, 700] {
            count.try_consume(minute).unwrap();
        }
        let cases = [
            (0, 4),
            (WINDOW_MINUTES - 1, 4),
            (WINDOW_MINUTES, 2),
            (WINDOW_MINUTES + 5, 1),
            (700 + WINDOW_MINUTES, 0),
        ];
        for (minute, used) in cases {
            assert_eq!(count.usage(minute).used, used, "at minute {minute}");
        }
    }

    #[test]
    fn over_the_allocation_requests_are_refused_and_not_counted() {
        let mut count = RollingCount::new(2);
        assert_eq!(count.try_consume(1), Ok(Usage { used: 1, max: 2 }));
        assert_eq!(count.try_consume(1), Ok(Usage { used: 2, max: 2 }));
        assert_eq!(count.try_consume(1), Err(Usage { used: 2, max: 2 }));
        assert_eq!(count.try_consume(2), Err(Usage { used: 2, max: 2 }));
        assert_eq!(
            count.try_consume(1 + WINDOW_MINUTES),
            Ok(Usage { used: 1, max: 2 })
        );
    }

    #[test]
    fn used_and_max_can_be_set() {
        let limits = Limits::new(100);
        limits.try_consume().unwrap();
        assert_eq!(limits.set(None, Some(97)), Usage { used: 97, max: 100 });
        assert_eq!(limits.try_consume(), Ok(Usage { used: 98, max: 100 }));
        assert_eq!(limits.set(Some(98), None), Usage { used: 98, max: 98 });
        assert!(limits.try_consume().is_err());
        assert_eq!(limits.usage().header_value(), "api-usage=98/98");
    }

    #[test]
    fn limits_body_reports_usage_and_storage() {
        let limits = Limits::new(15_000);
        limits.try_consume().unwrap();
        limits.count_bulk_query_job();
        let body = limits.to_json(2_048);
        assert_eq!(
            body["DailyApiRequests"],
            json!({ "Max": 15_000, "Remaining": 14_999 })
        );
        assert_eq!(
            body["DailyBulkV2QueryJobs"],
            json!({ "Max": 10_000, "Remaining": 9_999 })
        );
        assert_eq!(
            body["DataStorageMB"],
            json!({ "Max": 1_024, "Remaining": 1_020 })
        );
    }
}
