//! `GET .../query?q=`, `.../queryAll?q=` and `.../query/{locator}`: SOQL over the store, paged
//! through query cursors as a real org does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::{AppState, Org, api_version, auth};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::soql::{self, Lookups, Output, Plan};

/// Rows per page when the client does not ask (also the most a page holds).
pub const DEFAULT_BATCH_SIZE: usize = 2000;
/// Fewest rows per page a client may ask for with `Sforce-Query-Options: batchSize=N`.
pub const MIN_BATCH_SIZE: usize = 200;
/// A cursor nobody read for this long is gone.
pub const CURSOR_IDLE_LIMIT: Duration = Duration::from_secs(15 * 60);
/// Open cursors per user: opening one more closes that user's least recently used.
pub const CURSORS_PER_USER: usize = 10;
/// Open cursors per org, whoever opened them.
pub const CURSORS_PER_ORG: usize = 200;

const ID_LEN: usize = 18;

/// Locators of answers with more than one page. A cursor keeps the ordered ids of the answer
/// (18 bytes each, so a 100k-row answer holds under 2 MB), never the records: each page is
/// read from the store when it is asked for.
#[derive(Default)]
pub struct Cursors {
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    serial: u64,
    open: HashMap<String, Cursor>,
}

struct Cursor {
    user_id: String,
    plan: Arc<Plan>,
    /// The answer's ids, concatenated: id `i` is `ids[18*i..18*i+18]`.
    ids: String,
    batch_size: usize,
    last_used: Instant,
}

impl Cursor {
    fn len(&self) -> usize {
        self.ids.len() / ID_LEN
    }

    fn ids_between(&self, start: usize, end: usize) -> Vec<String> {
        (start..end.min(self.len()))
            .filter_map(|i| {
                self.ids
                    .get(i * ID_LEN..(i + 1) * ID_LEN)
                    .map(str::to_string)
            })
            .collect()
    }
}

/// One page read from a cursor.
pub struct Page {
    pub plan: Arc<Plan>,
    pub ids: Vec<String>,
    pub total: usize,
    /// Where the next page starts, when there is one.
    pub next: Option<usize>,
}

fn invalid_locator() -> ApiError {
    ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator")
}

impl Cursors {
    fn lock(&self) -> MutexGuard<'_, Table> {
        // The table holds no invariant a panic could break halfway.
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps `ids` (the whole ordered answer) for `user_id`; returns the cursor id (`01g...`).
    pub fn open(
        &self,
        user_id: &str,
        plan: Arc<Plan>,
        ids: &[String],
        batch_size: usize,
        now: Instant,
    ) -> String {
        let mut table = self.lock();
        table
            .open
            .retain(|_, c| now.saturating_duration_since(c.last_used) < CURSOR_IDLE_LIMIT);
        let mine = table.open.values().filter(|c| c.user_id == user_id).count();
        if mine >= CURSORS_PER_USER {
            evict_oldest(&mut table, Some(user_id));
        }
        if table.open.len() >= CURSORS_PER_ORG {
            evict_oldest(&mut table, None);
        }
        table.serial += 1;
        let cursor_id = ids::mint("01g", table.serial);
        let mut packed = String::with_capacity(ids.len() * ID_LEN);
        for id in ids.iter().filter(|id| id.len() == ID_LEN && id.is_ascii()) {
            packed.push_str(id);
        }
        let cursor = Cursor {
            user_id: user_id.to_string(),
            plan,
            ids: packed,
            batch_size,
            last_used: now,
        };
        table.open.insert(cursor_id.clone(), cursor);
        cursor_id
    }

    /// The page of `cursor_id` starting at `offset`; `batch_size` overrides the cursor's own.
    pub fn page(
        &self,
        cursor_id: &str,
        user_id: &str,
        offset: usize,
        batch_size: Option<usize>,
        now: Instant,
    ) -> Result<Page, ApiError> {
        let mut table = self.lock();
        table
            .open
            .retain(|_, c| now.saturating_duration_since(c.last_used) < CURSOR_IDLE_LIMIT);
        let cursor = table
            .open
            .get_mut(cursor_id)
            .filter(|c| c.user_id == user_id)
            .ok_or_else(invalid_locator)?;
        let total = cursor.len();
        if offset > total {
            return Err(invalid_locator());
        }
        cursor.last_used = now;
        let end = offset
            .saturating_add(batch_size.unwrap_or(cursor.batch_size))
            .min(total);
        Ok(Page {
            plan: cursor.plan.clone(),
            ids: cursor.ids_between(offset, end),
            total,
            next: (end < total).then_some(end),
        })
    }

    /// Number of cursors open now.
    pub fn open_count(&self) -> usize {
        self.lock().open.len()
    }
}

fn evict_oldest(table: &mut Table, user_id: Option<&str>) {
    let oldest = table
        .open
        .iter()
        .filter(|(_, c)| user_id.is_none_or(|u| c.user_id == u))
        .min_by_key(|(_, c)| c.last_used)
        .map(|(id, _)| id.clone());
    if let Some(id) = oldest {
        table.open.remove(&id);
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/data/{v}/query", get(query))
        .route("/services/data/{v}/query/", get(query))
        .route("/services/data/{v}/queryAll", get(query_all))
        .route("/services/data/{v}/queryAll/", get(query_all))
        .route("/services/data/{v}/query/{locator}", get(more))
        .route("/services/data/{v}/queryAll/{locator}", get(more))
}

/// `Sforce-Query-Options: batchSize=N`: clamped to 200..=2000; unreadable means the default.
pub fn batch_size(headers: &HeaderMap) -> Option<usize> {
    let options = headers.get("sforce-query-options")?.to_str().ok()?;
    let value = options.split([',', ';']).find_map(|option| {
        let (key, value) = option.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("batchSize")
            .then(|| value.trim())
    })?;
    let n = value.parse::<u64>().ok()?;
    Some((n as usize).clamp(MIN_BATCH_SIZE, DEFAULT_BATCH_SIZE))
}

fn soql_text(raw: Option<&str>) -> Result<String, ApiError> {
    let pairs: Vec<(String, String)> = raw
        .map(serde_urlencoded::from_str)
        .transpose()
        .ok()
        .flatten()
        .unwrap_or_default();
    pairs
        .into_iter()
        .find(|(k, v)| k == "q" && !v.trim().is_empty())
        .map(|(_, v)| v)
        .ok_or_else(|| {
            ApiError::bad_request("MALFORMED_QUERY", "A query string has to be specified")
        })
}

fn internal(e: tokio::task::JoinError) -> ApiError {
    tracing::error!("query task failed: {e}");
    ApiError::rest(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if you contact support: sandbox-query",
    )
}

async fn query(
    State(state): State<AppState>,
    Path(v): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    start(state, v, raw, headers, false).await
}

async fn query_all(
    State(state): State<AppState>,
    Path(v): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    start(state, v, raw, headers, true).await
}

async fn start(
    state: AppState,
    v: String,
    raw: Option<String>,
    headers: HeaderMap,
    include_deleted: bool,
) -> ApiResult<Response> {
    let session = auth::authenticate(&state, &headers)?;
    api_version(&v)?;
    if let Some(text) = super::explain::explain_text(raw.as_deref()) {
        let org = state.org.clone();
        let user_id = session.user_id.clone();
        let body =
            tokio::task::spawn_blocking(move || super::explain::explain(&org, &user_id, &text))
                .await
                .map_err(internal)??;
        return Ok(axum::Json(body).into_response());
    }
    let text = soql_text(raw.as_deref())?;
    let batch = batch_size(&headers).unwrap_or(DEFAULT_BATCH_SIZE);
    let org = state.org.clone();
    // Scans read SQLite synchronously: keep them off the async workers.
    let body = tokio::task::spawn_blocking(move || {
        first_page(&org, &session.user_id, &v, &text, include_deleted, batch)
    })
    .await
    .map_err(internal)??;
    Ok(axum::Json(body).into_response())
}

fn first_page(
    org: &Org,
    user_id: &str,
    v: &str,
    text: &str,
    include_deleted: bool,
    batch: usize,
) -> ApiResult<Value> {
    let plan = soql::compile(text, &org.schema_for(user_id), chrono::Utc::now())?;
    let Output::Records(_) = &plan.output else {
        return Ok(soql::execute(&plan, &org.store, include_deleted, v)?);
    };
    let ids = soql::matching_ids(&plan, &org.store, include_deleted)?;
    if soql::parse(text).is_ok_and(|q| q.usage.contains(&soql::ast::Usage::View)) {
        // The first answered record is the latest viewed, as a record page opened last.
        ids.iter().rev().for_each(|id| org.viewed.record(id));
    }
    let total = ids.len();
    let plan = Arc::new(plan);
    let shown = &ids[..batch.min(total)];
    let next = (total > shown.len()).then(|| {
        let cursor = org
            .cursors
            .open(user_id, plan.clone(), &ids, batch, Instant::now());
        format!("/services/data/{v}/query/{cursor}-{}", shown.len())
    });
    Ok(page_body(org, &plan, shown, total, next, v))
}

fn page_body(
    org: &Org,
    plan: &Plan,
    ids: &[String],
    total: usize,
    next: Option<String>,
    v: &str,
) -> Value {
    let shapes = soql::shape_for(plan);
    let mut lookups = Lookups::new(&org.store);
    // A row deleted for good since the cursor was opened is skipped.
    let records: Vec<Value> = org
        .store
        .get_many(ids)
        .iter()
        .map(|record| soql::project(plan, &shapes, record, &mut lookups, v))
        .collect();
    let mut body = json!({ "totalSize": total, "done": next.is_none() });
    if let Some(next) = next {
        body["nextRecordsUrl"] = Value::String(next);
    }
    body["records"] = Value::Array(records);
    body
}

async fn more(
    State(state): State<AppState>,
    Path((v, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let session = auth::authenticate(&state, &headers)?;
    api_version(&v)?;
    let (cursor_id, offset) = locator
        .rsplit_once('-')
        .and_then(|(id, offset)| Some((id.to_string(), offset.parse::<usize>().ok()?)))
        .ok_or_else(invalid_locator)?;
    let batch = batch_size(&headers);
    let org = state.org.clone();
    let body = tokio::task::spawn_blocking(move || -> ApiResult<Value> {
        let page = org
            .cursors
            .page(&cursor_id, &session.user_id, offset, batch, Instant::now())?;
        // A queryAll cursor is read on under /query/ too, as a real org answers.
        let next = page
            .next
            .map(|n| format!("/services/data/{v}/query/{cursor_id}-{n}"));
        Ok(page_body(&org, &page.plan, &page.ids, page.total, next, &v))
    })
    .await
    .map_err(internal)??;
    Ok(axum::Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn plan() -> Arc<Plan> {
        let schema = crate::schema::Schema::standard().unwrap();
        Arc::new(soql::compile("SELECT Id FROM Account", &schema, chrono::Utc::now()).unwrap())
    }

    fn some_ids(n: u64) -> Vec<String> {
        (1..=n).map(|i| ids::mint("001", i)).collect()
    }

    #[test]
    fn batch_size_header_is_clamped_as_the_org_does() {
        let cases: &[(&str, Option<usize>)] = &[
            ("batchSize=500", Some(500)),
            ("batchSize=10", Some(200)),
            ("batchSize=5000", Some(2000)),
            (" BATCHSIZE = 300 ", Some(300)),
            ("batchSize=lots", None),
            ("other=1", None),
        ];
        for (value, want) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(
                "Sforce-Query-Options",
                HeaderValue::from_str(value).unwrap(),
            );
            assert_eq!(batch_size(&headers), *want, "{value}");
        }
        assert_eq!(batch_size(&HeaderMap::new()), None);
    }

    #[test]
    fn cursors_page_through_their_ids() {
        let cursors = Cursors::default();
        let now = Instant::now();
        let all = some_ids(450);
        let id = cursors.open("005A", plan(), &all, 200, now);
        assert!(id.starts_with("01g") && id.len() == 18, "{id}");
        let second = cursors.page(&id, "005A", 200, None, now).unwrap();
        assert_eq!(
            (second.ids.as_slice(), second.total, second.next),
            (&all[200..400], 450, Some(400))
        );
        let last = cursors.page(&id, "005A", 400, None, now).unwrap();
        assert_eq!((last.ids.as_slice(), last.next), (&all[400..], None));
        // Another user's locator, or one past the end, is not valid.
        assert!(cursors.page(&id, "005B", 200, None, now).is_err());
        assert!(cursors.page(&id, "005A", 451, None, now).is_err());
    }

    #[test]
    fn idle_cursors_expire() {
        let cursors = Cursors::default();
        let now = Instant::now();
        let id = cursors.open("005A", plan(), &some_ids(300), 200, now);
        let later = now + CURSOR_IDLE_LIMIT - Duration::from_secs(1);
        assert!(cursors.page(&id, "005A", 200, None, later).is_ok());
        let much_later = later + CURSOR_IDLE_LIMIT;
        let err = cursors
            .page(&id, "005A", 200, None, much_later)
            .err()
            .map(|e| e.code().to_string());
        assert_eq!(err.as_deref(), Some("INVALID_QUERY_LOCATOR"));
        assert_eq!(cursors.open_count(), 0);
    }

    #[test]
    fn a_user_keeps_at_most_ten_cursors() {
        let cursors = Cursors::default();
        let start = Instant::now();
        let opened: Vec<String> = (0..=CURSORS_PER_USER as u64)
            .map(|i| {
                cursors.open(
                    "005A",
                    plan(),
                    &some_ids(300),
                    200,
                    start + Duration::from_secs(i),
                )
            })
            .collect();
        let other = cursors.open("005B", plan(), &some_ids(300), 200, start);
        let at = start + Duration::from_secs(20);
        assert!(
            cursors.page(&opened[0], "005A", 0, None, at).is_err(),
            "the oldest is closed"
        );
        assert!(cursors.page(&opened[1], "005A", 0, None, at).is_ok());
        assert!(
            cursors.page(&other, "005B", 0, None, at).is_ok(),
            "other users keep theirs"
        );
    }
}
