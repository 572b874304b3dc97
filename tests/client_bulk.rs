//! Bulk API 2.0 through the client: CSV streamed up from many small chunks and results read
//! back as streams.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use std::time::Duration;

use bytes::Bytes;
use client_support::*;
use futures_util::{TryStreamExt, stream};
use tether::salesforce::{BulkOperation, ByteStream, Client, IngestResults, JobKind};

async fn collect(stream: ByteStream) -> String {
    let chunks: Vec<Bytes> = stream.try_collect().await.unwrap();
    String::from_utf8(chunks.concat()).unwrap()
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .unwrap()
}

async fn wait(client: &Client, kind: JobKind, id: &str) -> tether::salesforce::JobInfo {
    client
        .bulk_wait(kind, id, Duration::from_millis(10), Duration::from_secs(60))
        .await
        .unwrap()
}

#[tokio::test]
async fn ingest_streams_the_upload_and_the_results() {
    let (_org, client) = org_and_client().await;
    let job = client
        .bulk_create_ingest("Account", &BulkOperation::Insert)
        .await
        .unwrap();
    assert_eq!(job.state, "Open");
    // One chunk per row: the body is never assembled in memory by the client.
    let rows = (0..1000).map(|i| {
        let name = if i == 500 {
            String::new()
        } else {
            format!("B{i:04}")
        };
        Ok::<_, std::io::Error>(Bytes::from(format!("{name},Bulk row\n")))
    });
    let csv = stream::iter(std::iter::once(Ok(Bytes::from("Name,Description\n"))).chain(rows));
    client.bulk_upload(&job.id, csv).await.unwrap();
    let closed = client.bulk_close(&job.id).await.unwrap();
    assert_eq!(closed.state, "UploadComplete");
    let done = wait(&client, JobKind::Ingest, &job.id).await;
    assert_eq!(done.state, "JobComplete");
    assert_eq!(
        (done.number_records_processed, done.number_records_failed),
        (Some(1000), Some(1))
    );

    let ok = collect(
        client
            .bulk_ingest_results(&job.id, IngestResults::Successful)
            .await
            .unwrap(),
    )
    .await;
    let ok_rows = csv_rows(&ok);
    assert_eq!(ok_rows.len(), 999);
    let failed = collect(
        client
            .bulk_ingest_results(&job.id, IngestResults::Failed)
            .await
            .unwrap(),
    )
    .await;
    assert!(failed.contains("REQUIRED_FIELD_MISSING"), "{failed}");
    assert_eq!(csv_rows(&failed).len(), 1);
}

#[tokio::test]
async fn query_results_stream_across_pages_with_one_header() {
    let (_org, client) = org_and_client().await;
    let load = client
        .bulk_create_ingest("Account", &BulkOperation::Insert)
        .await
        .unwrap();
    let body: String = std::iter::once("Name\n".to_string())
        .chain((0..750).map(|i| format!("Q{i:04}\n")))
        .collect();
    let upload = stream::iter([Ok::<_, std::io::Error>(Bytes::from(body))]);
    client.bulk_upload(&load.id, upload).await.unwrap();
    client.bulk_close(&load.id).await.unwrap();
    wait(&client, JobKind::Ingest, &load.id).await;

    let job = client
        .bulk_create_query("SELECT Id, Name FROM Account WHERE Name LIKE 'Q%'", false)
        .await
        .unwrap();
    let done = wait(&client, JobKind::Query, &job.id).await;
    assert_eq!(done.number_records_processed, Some(750));
    let text = collect(client.bulk_query_results(&job.id, Some(200))).await;
    // A header repeated by a later page would show up below as a row named "Name".
    let mut names: Vec<String> = csv_rows(&text).iter().map(|r| r[1].to_string()).collect();
    names.sort();
    let expected: Vec<String> = (0..750).map(|i| format!("Q{i:04}")).collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn a_missing_job_is_a_typed_error() {
    let (_org, client) = org_and_client().await;
    let err = client
        .bulk_job(JobKind::Query, "750000000000000AAA")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn upsert_reads_the_upload_from_a_file() {
    let (_org, client) = org_and_client().await;
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut csv = String::from("External_Id__c,Name\n");
    for i in 0..5000 {
        csv.push_str(&format!("F{i},File row {i}\n"));
    }
    std::fs::write(file.path(), &csv).unwrap();
    assert!(csv.len() > 64 * 1024, "more than one piece is read");

    let job = client
        .bulk_create_ingest(
            "Account",
            &BulkOperation::Upsert {
                external_id_field: "External_Id__c".into(),
            },
        )
        .await
        .unwrap();
    let reader = tokio::fs::File::open(file.path()).await.unwrap();
    client.bulk_upload_reader(&job.id, reader).await.unwrap();
    client.bulk_close(&job.id).await.unwrap();
    let done = wait(&client, JobKind::Ingest, &job.id).await;
    assert_eq!(
        (done.number_records_processed, done.number_records_failed),
        (Some(5000), Some(0))
    );
    let ok = collect(
        client
            .bulk_ingest_results(&job.id, IngestResults::Successful)
            .await
            .unwrap(),
    )
    .await;
    let created = csv_rows(&ok).iter().filter(|r| &r[1] == "true").count();
    assert_eq!(created, 5000, "sf__Created is true for every new row");
}
