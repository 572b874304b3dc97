//! sObject Collections: many records per call, chunked at 200 (the API's ceiling) and sent
//! with bounded concurrency, results joined back in input order.

use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::client::{Call, Client};
use super::error::{Result, SalesforceError};
use super::rest::segment;
use super::wire::SaveResult;

/// Records per Collections call: Salesforce refuses more.
pub const COLLECTION_CHUNK: usize = 200;

const LOCKED: &str = "UNABLE_TO_LOCK_ROW";

#[derive(Debug, Clone, Copy)]
pub struct CollectionOptions {
    /// Roll back the whole chunk (not the whole input) when one record fails.
    pub all_or_none: bool,
    /// Chunks in flight at once.
    pub concurrency: usize,
}

impl Default for CollectionOptions {
    fn default() -> Self {
        Self {
            all_or_none: false,
            concurrency: 4,
        }
    }
}

#[derive(Clone, Copy)]
enum Op<'a> {
    Create,
    Update,
    Upsert(&'a str),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Batch<'a> {
    all_or_none: bool,
    records: &'a [Value],
}

impl Client {
    /// Creates every record; `results[i]` is the outcome of `records[i]`.
    pub async fn create_many(
        &self,
        object: &str,
        records: &[Map<String, Value>],
        options: CollectionOptions,
    ) -> Result<Vec<SaveResult>> {
        self.write_many(Op::Create, object, records, options).await
    }

    /// Updates every record by its `Id`.
    pub async fn update_many(
        &self,
        object: &str,
        records: &[Map<String, Value>],
        options: CollectionOptions,
    ) -> Result<Vec<SaveResult>> {
        self.write_many(Op::Update, object, records, options).await
    }

    /// Upserts every record by the external id field; results say which were created.
    pub async fn upsert_many(
        &self,
        object: &str,
        external_id_field: &str,
        records: &[Map<String, Value>],
        options: CollectionOptions,
    ) -> Result<Vec<SaveResult>> {
        let op = Op::Upsert(external_id_field);
        self.write_many(op, object, records, options).await
    }

    /// Deletes every id; `results[i]` is the outcome of `ids[i]`.
    pub async fn delete_many(
        &self,
        ids: &[String],
        options: CollectionOptions,
    ) -> Result<Vec<SaveResult>> {
        let chunks = ids
            .chunks(COLLECTION_CHUNK)
            .map(|chunk| self.delete_chunk(chunk, options.all_or_none));
        join_in_order(chunks, options.concurrency).await
    }

    /// One chunk of deletes, retried as writes are: the ids refused with `UNABLE_TO_LOCK_ROW`
    /// were not deleted, so they alone are sent again with backoff.
    async fn delete_chunk(&self, chunk: &[String], all_or_none: bool) -> Result<Vec<SaveResult>> {
        let mut results: Vec<Option<SaveResult>> = vec![None; chunk.len()];
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        let retry = self.retry_policy();
        for attempt in 1..=retry.max_attempts {
            let ids: Vec<&str> = pending.iter().map(|&i| chunk[i].as_str()).collect();
            let call = Call::new(Method::DELETE, self.data_url("/composite/sobjects"))
                .query("ids", ids.join(","))
                .query("allOrNone", all_or_none.to_string());
            let answers = expect_len(self.json(call).await?, pending.len())?;
            let locked = take_answers(&mut results, &pending, answers);
            if locked.is_empty() || attempt == retry.max_attempts {
                break;
            }
            tracing::debug!(
                attempt,
                locked = locked.len(),
                "records locked by another save: sending them again"
            );
            if !all_or_none {
                pending = locked;
            }
            tokio::time::sleep(retry.delay(attempt)).await;
        }
        all_answered(results)
    }

    async fn write_many(
        &self,
        op: Op<'_>,
        object: &str,
        records: &[Map<String, Value>],
        options: CollectionOptions,
    ) -> Result<Vec<SaveResult>> {
        let typed: Vec<Value> = records
            .iter()
            .map(|fields| {
                let mut record = Map::new();
                record.insert("attributes".into(), json!({ "type": object }));
                record.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                Value::Object(record)
            })
            .collect();
        let chunks = typed
            .chunks(COLLECTION_CHUNK)
            .map(|chunk| self.write_chunk(op, object, chunk, options.all_or_none));
        join_in_order(chunks, options.concurrency).await
    }

    /// One chunk. Records refused with `UNABLE_TO_LOCK_ROW` were not written, so they alone
    /// are sent again with backoff, as a whole call's transient failures are.
    async fn write_chunk(
        &self,
        op: Op<'_>,
        object: &str,
        chunk: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>> {
        let (method, path) = match op {
            Op::Create => (Method::POST, "/composite/sobjects".to_string()),
            Op::Update => (Method::PATCH, "/composite/sobjects".to_string()),
            Op::Upsert(field) => (
                Method::PATCH,
                format!("/composite/sobjects/{}/{}", segment(object), segment(field)),
            ),
        };
        let mut results: Vec<Option<SaveResult>> = vec![None; chunk.len()];
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        let retry = self.retry_policy();
        for attempt in 1..=retry.max_attempts {
            let records: Vec<Value> = pending.iter().map(|&i| chunk[i].clone()).collect();
            let call = Call::new(method.clone(), self.data_url(&path)).json(&Batch {
                all_or_none,
                records: &records,
            })?;
            let answers = expect_len(self.json(call).await?, pending.len())?;
            let locked = take_answers(&mut results, &pending, answers);
            if locked.is_empty() || attempt == retry.max_attempts {
                break;
            }
            tracing::debug!(
                attempt,
                locked = locked.len(),
                "records locked by another save: sending them again"
            );
            // Under allOrNone a lock rolled back the whole chunk: all of it goes again.
            if !all_or_none {
                pending = locked;
            }
            tokio::time::sleep(retry.delay(attempt)).await;
        }
        all_answered(results)
    }
}

/// Stores the answers to the `pending` records and returns those refused for a lock.
fn take_answers(
    results: &mut [Option<SaveResult>],
    pending: &[usize],
    answers: Vec<SaveResult>,
) -> Vec<usize> {
    let mut locked = Vec::new();
    for (index, answer) in pending.iter().copied().zip(answers) {
        if answer.errors.iter().any(|e| e.status_code == LOCKED) {
            locked.push(index);
        }
        results[index] = Some(answer);
    }
    locked
}

fn all_answered(results: Vec<Option<SaveResult>>) -> Result<Vec<SaveResult>> {
    results
        .into_iter()
        .map(|r| {
            r.ok_or_else(|| SalesforceError::decode("collection answer", "a record has no result"))
        })
        .collect()
}

fn expect_len(results: Vec<SaveResult>, sent: usize) -> Result<Vec<SaveResult>> {
    if results.len() == sent {
        Ok(results)
    } else {
        Err(SalesforceError::decode(
            "collection answer",
            format!("{} results for {sent} records", results.len()),
        ))
    }
}

/// Runs the chunk futures at most `concurrency` at a time and concatenates their results in
/// the chunks' order, whatever order they finish in.
async fn join_in_order<F>(
    chunks: impl Iterator<Item = F>,
    concurrency: usize,
) -> Result<Vec<SaveResult>>
where
    F: Future<Output = Result<Vec<SaveResult>>>,
{
    let mut done: Vec<(usize, Vec<SaveResult>)> = stream::iter(chunks.enumerate())
        .map(|(index, chunk)| async move { chunk.await.map(|r| (index, r)) })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    done.sort_by_key(|(index, _)| *index);
    Ok(done.into_iter().flat_map(|(_, r)| r).collect())
}
