//! Single-record REST calls, describes (cached with `If-Modified-Since`), getUpdated,
//! getDeleted and `/limits`.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::LAST_MODIFIED;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::client::{Call, Client};
use super::error::{Result, SalesforceError};
use super::wire::{DeletedRecords, GlobalDescribe, Limit, ObjectDescribe, SaveResult, UpdatedIds};

/// The outcome of an upsert by external id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    /// Absent when an API version before 46.0 answers an update with 204 and no body.
    pub id: Option<String>,
    pub created: bool,
}

/// A describe kept with the `Last-Modified` the org sent it with.
#[derive(Debug, Clone)]
pub(crate) struct CachedDescribe {
    last_modified: String,
    body: Arc<dyn Any + Send + Sync>,
}

/// Describes already fetched, by URL.
#[derive(Debug, Default)]
pub(crate) struct DescribeCache(std::sync::Mutex<BTreeMap<String, CachedDescribe>>);

impl DescribeCache {
    fn get(&self, url: &str) -> Option<CachedDescribe> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(url)
            .cloned()
    }

    pub(crate) fn forget(&self, url: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(url);
    }

    fn put(&self, url: String, entry: CachedDescribe) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(url, entry);
    }
}

/// Path segments (object names, ids, field names) never carry a `/`, `?` or `#`.
pub(crate) fn segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn sobject_path(object: &str, rest: &[&str]) -> String {
    let mut path = format!("/sobjects/{}", segment(object));
    for part in rest {
        path.push('/');
        path.push_str(&segment(part));
    }
    path
}

fn datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Client {
    /// `GET /sobjects/`: the global describe.
    pub async fn describe_global(&self) -> Result<Arc<GlobalDescribe>> {
        self.cached_describe(self.data_url("/sobjects/")).await
    }

    /// `GET /sobjects/{object}/describe/`.
    pub async fn describe(&self, object: &str) -> Result<Arc<ObjectDescribe>> {
        let url = self.data_url(&format!("{}/describe/", sobject_path(object, &[])));
        self.cached_describe(url).await
    }

    /// The URL of `object`'s describe: what names a describe kept across runs.
    pub fn describe_url(&self, object: &str) -> String {
        self.data_url(&format!("{}/describe/", sobject_path(object, &[])))
    }

    /// `GET /sobjects/{object}/describe/` as the org sent it, with its `Last-Modified`; with
    /// `if_modified_since`, `None` when the org answers 304 (the kept describe still holds).
    pub async fn describe_text(
        &self,
        object: &str,
        if_modified_since: Option<&str>,
    ) -> Result<Option<(String, Option<String>)>> {
        let url = self.describe_url(object);
        let mut call = Call::new(Method::GET, url.clone());
        if let Some(since) = if_modified_since {
            call = call.header("if-modified-since", since)?;
        }
        let response = self.execute(call).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let last_modified = response
            .headers()
            .get(LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response.text().await.map_err(SalesforceError::Transport)?;
        Ok(Some((text, last_modified)))
    }

    async fn cached_describe<T>(&self, url: String) -> Result<Arc<T>>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        let cached = self.inner_describes().get(&url);
        let mut call = Call::new(Method::GET, url.clone());
        if let Some(entry) = &cached {
            call = call.header("if-modified-since", &entry.last_modified)?;
        }
        let response = self.execute(call).await?;
        if response.status() == StatusCode::NOT_MODIFIED
            && let Some(body) = cached.and_then(|entry| entry.body.downcast::<T>().ok())
        {
            return Ok(body);
        }
        let last_modified = response
            .headers()
            .get(LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.bytes().await.map_err(SalesforceError::Transport)?;
        let body: Arc<T> =
            Arc::new(serde_json::from_slice(&bytes).map_err(|e| SalesforceError::decode(&url, e))?);
        if let Some(last_modified) = last_modified {
            let entry = CachedDescribe {
                last_modified,
                body: body.clone(),
            };
            self.inner_describes().put(url, entry);
        }
        Ok(body)
    }

    /// `POST /sobjects/{object}/`: the new record's id.
    pub async fn create(&self, object: &str, fields: &impl Serialize) -> Result<String> {
        let url = self.data_url(&format!("{}/", sobject_path(object, &[])));
        let saved: SaveResult = self
            .json(Call::new(Method::POST, url).json(fields)?)
            .await?;
        saved
            .id
            .ok_or_else(|| SalesforceError::decode("create answer", "no id"))
    }

    /// `GET /sobjects/{object}/{id}`, optionally only some fields.
    pub async fn get<T: DeserializeOwned>(
        &self,
        object: &str,
        id: &str,
        fields: Option<&[&str]>,
    ) -> Result<T> {
        let mut call = Call::new(Method::GET, self.data_url(&sobject_path(object, &[id])));
        if let Some(fields) = fields {
            call = call.query("fields", fields.join(","));
        }
        self.json(call).await
    }

    /// `PATCH /sobjects/{object}/{id}`.
    pub async fn update(&self, object: &str, id: &str, fields: &impl Serialize) -> Result<()> {
        let url = self.data_url(&sobject_path(object, &[id]));
        self.execute(Call::new(Method::PATCH, url).json(fields)?)
            .await
            .map(drop)
    }

    /// `DELETE /sobjects/{object}/{id}`.
    pub async fn delete(&self, object: &str, id: &str) -> Result<()> {
        let url = self.data_url(&sobject_path(object, &[id]));
        self.execute(Call::new(Method::DELETE, url)).await.map(drop)
    }

    /// `PATCH /sobjects/{object}/{field}/{value}`: creates or updates by external id. Several
    /// matches come back as [`SalesforceError::MultipleMatches`].
    pub async fn upsert(
        &self,
        object: &str,
        external_id_field: &str,
        external_id: &str,
        fields: &impl Serialize,
    ) -> Result<Upserted> {
        let url = self.data_url(&sobject_path(object, &[external_id_field, external_id]));
        let response = self
            .execute(Call::new(Method::PATCH, url).json(fields)?)
            .await?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(SalesforceError::Transport)?;
        if bytes.is_empty() {
            return Ok(Upserted {
                id: None,
                created: status == StatusCode::CREATED,
            });
        }
        let saved: SaveResult = serde_json::from_slice(&bytes)
            .map_err(|e| SalesforceError::decode("upsert answer", e))?;
        Ok(Upserted {
            id: saved.id,
            created: saved.created.unwrap_or(status == StatusCode::CREATED),
        })
    }

    /// `GET /sobjects/{object}/updated/?start=..&end=..`.
    pub async fn get_updated(
        &self,
        object: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<UpdatedIds> {
        let url = self.data_url(&format!("{}/", sobject_path(object, &["updated"])));
        let call = Call::new(Method::GET, url)
            .query("start", datetime(start))
            .query("end", datetime(end));
        self.json(call).await
    }

    /// `GET /sobjects/{object}/deleted/?start=..&end=..`.
    pub async fn get_deleted(
        &self,
        object: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<DeletedRecords> {
        let url = self.data_url(&format!("{}/", sobject_path(object, &["deleted"])));
        let call = Call::new(Method::GET, url)
            .query("start", datetime(start))
            .query("end", datetime(end));
        self.json(call).await
    }

    /// `GET /limits/`: every allocation by name (`DailyApiRequests`, ...).
    pub async fn limits(&self) -> Result<BTreeMap<String, Limit>> {
        let raw: Map<String, Value> = self
            .json(Call::new(Method::GET, self.data_url("/limits/")))
            .await?;
        raw.into_iter()
            .map(|(name, value)| {
                serde_json::from_value(value)
                    .map(|limit| (name.clone(), limit))
                    .map_err(|e| SalesforceError::decode(format!("limit {name}"), e))
            })
            .collect()
    }
}
