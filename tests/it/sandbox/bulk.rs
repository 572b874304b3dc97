//! Bulk API 2.0 of the sandbox org, over real HTTP on 127.0.0.1.

pub(super) mod client;
mod jobs;
mod query;

use std::io::Write;

use serde_json::{Value, json};

use client::{Csv, create_accounts, field, start};

#[tokio::test]
async fn insert_with_one_failing_row_gives_three_result_files() {
    let (org, c) = start().await;
    let csv = "Name,External_Id__c,NumberOfEmployees\nAcme,ACME-1,10\n,NONAME-1,5\n\"Globex, Inc.\",GLX-1,7\n";
    let (id, info) = c
        .run_ingest(
            json!({"object":"Account","operation":"insert","lineEnding":"LF"}),
            csv,
        )
        .await;
    assert_eq!(info["state"], "JobComplete");
    assert_eq!(
        (
            info["numberRecordsProcessed"].as_u64(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some(3), Some(1))
    );
    assert_eq!(info["jobType"], "V2Ingest");
    assert!(id.starts_with("750") && id.len() == 18);

    let text = c.result_text(&id, "successfulResults").await;
    assert!(
        text.starts_with("\"sf__Id\",\"sf__Created\",Name,External_Id__c,NumberOfEmployees\n"),
        "{text}"
    );
    let ok = c.results(&id, "successfulResults").await;
    assert_eq!(
        ok.header,
        [
            "sf__Id",
            "sf__Created",
            "Name",
            "External_Id__c",
            "NumberOfEmployees"
        ]
    );
    assert_eq!(ok.column("sf__Created"), ["true", "true"]);
    assert_eq!(ok.column("Name"), ["Acme", "Globex, Inc."]);
    assert_eq!(ok.column("External_Id__c"), ["ACME-1", "GLX-1"]);
    assert_eq!(ok.column("NumberOfEmployees"), ["10", "7"]);
    for (new_id, name) in ok.column("sf__Id").iter().zip(["Acme", "Globex, Inc."]) {
        assert!(new_id.starts_with("001") && new_id.len() == 18, "{new_id}");
        assert_eq!(field(&org, new_id, "Name"), json!(name));
    }
    assert_eq!(
        field(&org, ok.column("sf__Id")[0], "NumberOfEmployees"),
        json!(10)
    );

    let failed = c.results(&id, "failedResults").await;
    assert_eq!(
        failed.header,
        [
            "sf__Id",
            "sf__Error",
            "Name",
            "External_Id__c",
            "NumberOfEmployees"
        ]
    );
    assert_eq!(failed.column("sf__Id"), [""]);
    assert_eq!(
        failed.column("sf__Error"),
        ["REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"]
    );
    assert_eq!(failed.rows[0][2..], ["", "NONAME-1", "5"]);

    let rest = c.results(&id, "unprocessedrecords").await;
    assert_eq!(rest.header, ["Name", "External_Id__c", "NumberOfEmployees"]);
    assert!(rest.rows.is_empty());
    assert_eq!(org.org().store.count("Account"), 2);
}

#[tokio::test]
async fn an_upsert_on_id_without_an_id_column_inserts_the_rows() {
    let (org, c) = start().await;
    let job = json!({"object":"Account","operation":"upsert","externalIdFieldName":"Id"});
    let (id, info) = c.run_ingest(job, "Name\nFresh One\nFresh Two\n").await;
    assert_eq!(info["state"], "JobComplete", "{info}");
    let results = c.results(&id, "successfulResults").await;
    assert_eq!(results.column("sf__Created"), ["true", "true"]);
    assert_eq!(
        field(&org, results.column("sf__Id")[1], "Name"),
        json!("Fresh Two")
    );
}

#[tokio::test]
async fn upsert_creates_then_updates_and_links_parents_by_external_id() {
    let (org, c) = start().await;
    let job =
        json!({"object":"Account","operation":"upsert","externalIdFieldName":"External_Id__c"});
    let (first, _) = c
        .run_ingest(
            job.clone(),
            "External_Id__c,Name,NumberOfEmployees\nA-1,Acme,10\nA-2,Initech,20\n",
        )
        .await;
    let created = c.results(&first, "successfulResults").await;
    assert_eq!(created.column("sf__Created"), ["true", "true"]);

    let (second, info) = c
        .run_ingest(
            job,
            "External_Id__c,Name,NumberOfEmployees\nA-1,,11\nA-3,Hooli,30\n",
        )
        .await;
    assert_eq!(info["externalIdFieldName"], "External_Id__c");
    let again = c.results(&second, "successfulResults").await;
    assert_eq!(again.column("sf__Created"), ["false", "true"]);
    assert_eq!(
        again.column("sf__Id")[0],
        created.column("sf__Id")[0],
        "A-1 is the same record"
    );
    let acme = created.column("sf__Id")[0];
    assert_eq!(field(&org, acme, "NumberOfEmployees"), json!(11));
    assert_eq!(
        field(&org, acme, "Name"),
        json!("Acme"),
        "an empty cell leaves the field unchanged"
    );

    let contacts = json!({"object":"Contact","operation":"insert"});
    let (cid, _) = c
        .run_ingest(
            contacts,
            "LastName,Account.External_Id__c\nDoe,A-2\nRoe,NOPE\n",
        )
        .await;
    let linked = c.results(&cid, "successfulResults").await;
    assert_eq!(
        field(&org, linked.column("sf__Id")[0], "AccountId"),
        json!(created.column("sf__Id")[1])
    );
    let unlinked = c.results(&cid, "failedResults").await;
    assert!(
        unlinked.column("sf__Error")[0].starts_with("INVALID_FIELD:Foreign key external ID: NOPE"),
        "{unlinked:?}"
    );
}

#[tokio::test]
async fn update_with_na_sets_null_and_empty_leaves_unchanged() {
    let (org, c) = start().await;
    let ids = create_accounts(&org, &["Acme"]);
    let missing = sandbox_org::testing::mint("001", 9_999_999);
    let contact = {
        let body = json!({"LastName": "Doe"});
        org.org()
            .store
            .write(|w| w.create("Contact", body.as_object().unwrap(), "005000000000001"))
            .unwrap()
    };
    let csv = format!(
        "Id,NumberOfEmployees,Phone\n{},#N/A,\n{missing},5,\n{contact},5,\n",
        ids[0]
    );
    let (id, info) = c
        .run_ingest(json!({"object":"Account","operation":"update"}), &csv)
        .await;
    assert_eq!(info["numberRecordsFailed"], 2);
    assert_eq!(field(&org, &ids[0], "NumberOfEmployees"), Value::Null);
    assert_eq!(field(&org, &ids[0], "Phone"), json!("555-0100"));
    let ok = c.results(&id, "successfulResults").await;
    assert_eq!(
        (ok.column("sf__Id"), ok.column("sf__Created")),
        (vec![ids[0].as_str()], vec!["false"])
    );
    assert_eq!(
        ok.column("NumberOfEmployees"),
        ["#N/A"],
        "values are echoed as uploaded"
    );
    let failed = c.results(&id, "failedResults").await;
    assert_eq!(
        failed.column("sf__Id"),
        [missing.as_str(), contact.as_str()]
    );
    let errors = failed.column("sf__Error");
    assert!(errors[0].starts_with("NOT_FOUND:"), "{errors:?}");
    assert!(
        errors[1].starts_with("INVALID_CROSS_REFERENCE_KEY:"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn delete_soft_deletes_and_hard_delete_removes() {
    let (org, c) = start().await;
    let ids = create_accounts(&org, &["Soft", "Hard"]);
    let (soft, info) = c
        .run_ingest(
            json!({"object":"Account","operation":"delete"}),
            &format!("Id\n{}\n", ids[0]),
        )
        .await;
    assert_eq!(info["numberRecordsFailed"], 0);
    assert_eq!(
        c.results(&soft, "successfulResults").await.column("sf__Id"),
        [ids[0].as_str()]
    );
    assert_eq!(field(&org, &ids[0], "IsDeleted"), json!(true));

    let csv = format!("Id\n{}\n{}\n", ids[1], ids[0].to_lowercase());
    let (hard, _) = c
        .run_ingest(json!({"object":"Account","operation":"hardDelete"}), &csv)
        .await;
    assert_eq!(
        c.results(&hard, "successfulResults").await.column("sf__Id"),
        [ids[1].as_str(), ids[0].as_str()]
    );
    assert!(org.org().store.get(&ids[1]).is_none());
    assert!(
        org.org().store.get(&ids[0]).is_none(),
        "a recycled record is hard-deleted too"
    );

    let (again, info) = c
        .run_ingest(
            json!({"object":"Account","operation":"delete"}),
            &format!("Id\n{}\n\n", ids[1]),
        )
        .await;
    assert_eq!(info["numberRecordsFailed"], 1);
    assert!(
        c.results(&again, "failedResults").await.column("sf__Error")[0].starts_with("NOT_FOUND:")
    );
}

#[tokio::test]
async fn tab_and_crlf_dialect_round_trips() {
    let (org, c) = start().await;
    let job = json!({"object":"Account","operation":"insert","columnDelimiter":"TAB","lineEnding":"CRLF"});
    let csv =
        "Name\tDescription\r\nAcme\t\"two\r\nlines\tand a tab\"\r\nInitech\tplain, with comma\r\n";
    let (id, info) = c.run_ingest(job.clone(), csv).await;
    assert_eq!(
        (
            info["columnDelimiter"].as_str(),
            info["lineEnding"].as_str()
        ),
        (Some("TAB"), Some("CRLF"))
    );
    assert_eq!(info["numberRecordsFailed"], 0);
    let text = c.result_text(&id, "successfulResults").await;
    assert!(
        text.starts_with("\"sf__Id\"\t\"sf__Created\"\tName\tDescription\r\n"),
        "{text:?}"
    );
    let ok = Csv::parse(&text, b'\t');
    assert_eq!(
        ok.column("Description"),
        ["two\r\nlines\tand a tab", "plain, with comma"]
    );
    assert_eq!(
        field(&org, ok.column("sf__Id")[0], "Description"),
        json!("two\r\nlines\tand a tab")
    );

    let (_, failed) = c.run_ingest(job, "Name\tDescription\nAcme\tx\n").await;
    assert_eq!(failed["state"], "Failed");
    assert!(
        failed["errorMessage"]
            .as_str()
            .unwrap()
            .contains("LineEnding is invalid on user data. Current LineEnding setting is CRLF")
    );
}

#[tokio::test]
async fn bad_csv_fails_rows_or_the_job_with_clear_messages() {
    let (org, c) = start().await;
    let insert = json!({"object":"Account","operation":"insert"});
    let csv = "Name,NumberOfEmployees\nAcme,1\nRagged\nHooli,many\n\"Unclosed,2\nInitech,3\n";
    let (id, info) = c.run_ingest(insert.clone(), csv).await;
    assert_eq!(info["state"], "JobComplete");
    assert_eq!(
        (
            info["numberRecordsProcessed"].as_u64(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some(5), Some(3))
    );
    assert_eq!(
        c.results(&id, "successfulResults").await.column("Name"),
        ["Acme", "Initech"]
    );
    let failed = c.results(&id, "failedResults").await;
    let errors = failed.column("sf__Error");
    assert!(
        errors[0].starts_with(
            "CSV_PARSE_ERROR:line 3: the row has 1 values but the header row has 2 columns"
        ),
        "{errors:?}"
    );
    assert_eq!(
        errors[1],
        "INVALID_TYPE_ON_FIELD_IN_RECORD:Employees: value not of required type: many:NumberOfEmployees --"
    );
    assert!(
        errors[2].starts_with("CSV_PARSE_ERROR:line 5: field 1 opens a quote that is never closed"),
        "{errors:?}"
    );
    assert_eq!(failed.column("Name"), ["Ragged", "Hooli", "\"Unclosed"]);
    assert_eq!(org.org().store.count("Account"), 2);

    let (_, unknown) = c.run_ingest(insert.clone(), "Name,Foo\nAcme,1\n").await;
    assert_eq!(unknown["state"], "Failed");
    assert_eq!(
        unknown["errorMessage"],
        "InvalidBatch : Field name not found : Foo"
    );
    assert_eq!(unknown["numberRecordsProcessed"], 0);

    // An empty file is accepted, and the job finishes with 0 records.
    let empty = c.create_ingest(insert.clone()).await;
    let (status, body) = c.upload(&empty, "").await;
    assert_eq!(status, 201, "{body}");
    c.set_state("ingest", &empty, "UploadComplete").await;
    let (finished, _) = c.wait("ingest", &empty).await;
    assert_eq!(finished["state"], "JobComplete", "{finished}");
    assert_eq!(finished["numberRecordsProcessed"], 0);
    assert_eq!(finished["numberRecordsFailed"], 0);

    // A job closed without any upload has nothing to do and fails saying so.
    let never = c.create_ingest(insert.clone()).await;
    c.set_state("ingest", &never, "UploadComplete").await;
    let (nothing, _) = c.wait("ingest", &never).await;
    assert_eq!(nothing["state"], "Failed");
    assert!(
        nothing["errorMessage"]
            .as_str()
            .unwrap()
            .contains("no data was uploaded")
    );
}

#[tokio::test]
async fn an_aborted_job_writes_nothing_and_returns_its_upload_unprocessed() {
    let (org, c) = start().await;
    let id = c
        .create_ingest(json!({"object":"Account","operation":"insert"}))
        .await;
    let csv = "Name\nAcme\nInitech\n";
    c.upload(&id, csv).await;
    let (status, aborted) = c.set_state("ingest", &id, "Aborted").await;
    assert_eq!((status, aborted["state"].as_str()), (200, Some("Aborted")));
    assert_eq!(c.result_text(&id, "unprocessedrecords").await, csv);
    assert_eq!(org.org().store.count("Account"), 0);
    let (status, _) = c.set_state("ingest", &id, "UploadComplete").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn gzip_and_chunked_uploads_are_accepted() {
    let (org, c) = start().await;
    let id = c
        .create_ingest(json!({"object":"Account","operation":"insert"}))
        .await;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"Name\nZipped\n").unwrap();
    let status = c
        .request(reqwest::Method::PUT, &format!("jobs/ingest/{id}/batches"))
        .header("Content-Type", "text/csv")
        .header("Content-Encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 201);
    let pieces: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"Name\nChun"), Ok(b"ked\n")];
    let status = c
        .request(reqwest::Method::PUT, &format!("jobs/ingest/{id}/batches"))
        .header("Content-Type", "text/csv")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            pieces,
        )))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 201);
    c.set_state("ingest", &id, "UploadComplete").await;
    c.wait("ingest", &id).await;
    assert_eq!(
        c.results(&id, "successfulResults").await.column("Name"),
        ["Zipped", "Chunked"]
    );
    assert_eq!(org.org().store.count("Account"), 2);
}
