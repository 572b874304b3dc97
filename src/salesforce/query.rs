//! SOQL `query` and `queryAll` as a stream of pages that follows `nextRecordsUrl`.

use futures_util::Stream;
use futures_util::stream::try_unfold;
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::client::{Call, Client};
use super::error::Result;
use super::wire::QueryPage;

/// Rows per page a query asks for; the org may answer with other sizes (200..=2000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSize(pub u32);

enum Cursor {
    First {
        endpoint: &'static str,
        soql: String,
    },
    Next(String),
    Done,
}

impl Client {
    /// `query`: the records of `soql`, a page at a time.
    pub fn query<T: DeserializeOwned + Send + 'static>(
        &self,
        soql: &str,
        batch_size: Option<BatchSize>,
    ) -> impl Stream<Item = Result<QueryPage<T>>> + Send + 'static {
        self.pages("/query/", soql, batch_size)
    }

    /// `queryAll`: like `query`, deleted and archived records included.
    pub fn query_all<T: DeserializeOwned + Send + 'static>(
        &self,
        soql: &str,
        batch_size: Option<BatchSize>,
    ) -> impl Stream<Item = Result<QueryPage<T>>> + Send + 'static {
        self.pages("/queryAll/", soql, batch_size)
    }

    fn pages<T: DeserializeOwned + Send + 'static>(
        &self,
        endpoint: &'static str,
        soql: &str,
        batch_size: Option<BatchSize>,
    ) -> impl Stream<Item = Result<QueryPage<T>>> + Send + 'static {
        let client = self.clone();
        let first = Cursor::First {
            endpoint,
            soql: soql.to_string(),
        };
        try_unfold(first, move |cursor| {
            let client = client.clone();
            async move {
                let mut call = match cursor {
                    Cursor::Done => return Ok(None),
                    Cursor::First { endpoint, soql } => {
                        Call::new(Method::GET, client.data_url(endpoint)).query("q", soql)
                    }
                    Cursor::Next(path) => Call::new(Method::GET, client.instance_path(&path)?),
                };
                if let Some(BatchSize(size)) = batch_size {
                    call = call.header("sforce-query-options", &format!("batchSize={size}"))?;
                }
                let page: QueryPage<T> = client.json(call).await?;
                let next = match (&page.next_records_url, page.done) {
                    (Some(url), false) => Cursor::Next(url.clone()),
                    _ => Cursor::Done,
                };
                Ok(Some((page, next)))
            }
        })
    }
}
