//! Bulk API 1.0 of the sandbox org (`/services/async/NN.0/job`), over real HTTP on 127.0.0.1:
//! XML and JSON job infos, CSV and JSON batches, results, serial jobs, PK chunking and the v1
//! error shapes.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sandbox_org::{OrgConfig, SandboxOrg};
use serde_json::{Value, json};

use crate::support::org::password_login;

const NS: &str = "http://www.force.com/2009/06/asyncapi/dataload";

struct V1 {
    org: SandboxOrg,
    http: reqwest::Client,
    base: String,
    token: String,
}

async fn start() -> V1 {
    let org = SandboxOrg::start(OrgConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let base = org.base_url();
    let token = password_login(&http, &base).await;
    V1 {
        org,
        http,
        base,
        token,
    }
}

/// The text of the first `<name>` element of an XML answer.
fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at + open.len()..];
        if let Some(end) = rest.find(&format!("</{name}>")) {
            out.push(&rest[..end]);
        }
    }
    out
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

impl V1 {
    fn url(&self, path: &str) -> String {
        format!("{}/services/async/60.0/job{path}", self.base)
    }

    fn xml(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header("X-SFDC-Session", &self.token)
    }

    async fn text(&self, r: reqwest::RequestBuilder) -> (StatusCode, String) {
        let r = r.send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn json(&self, r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let r = r.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {status}: {text}"));
        (status, body)
    }

    /// Creates a job from an XML job info; answers its id.
    async fn create_xml(&self, members: &str) -> String {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"{NS}\">{members}</jobInfo>"
        );
        let (status, text) = self
            .text(
                self.xml(reqwest::Method::POST, "")
                    .header("Content-Type", "application/xml; charset=UTF-8")
                    .body(body),
            )
            .await;
        assert_eq!(status, 201, "{text}");
        assert_eq!(tag(&text, "state"), Some("Open"), "{text}");
        tag(&text, "id").unwrap().to_string()
    }

    async fn create_json(&self, job: Value) -> Value {
        let (status, info) = self
            .json(self.xml(reqwest::Method::POST, "").json(&job))
            .await;
        assert_eq!(status, 201, "{info}");
        info
    }

    async fn add_batch(&self, job: &str, content_type: &str, body: String) -> String {
        let (status, text) = self
            .text(
                self.xml(reqwest::Method::POST, &format!("/{job}/batch"))
                    .header("Content-Type", content_type)
                    .body(body),
            )
            .await;
        assert_eq!(status, 201, "{text}");
        if content_type.contains("json") {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["state"], "Queued", "{text}");
            return v["id"].as_str().unwrap().to_string();
        }
        tag(&text, "id").unwrap().to_string()
    }

    /// Polls a batch (XML answers) until it has finished; answers its batch info.
    async fn wait_batch(&self, job: &str, batch: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, text) = self
                .text(
                    self.xml(reqwest::Method::GET, &format!("/{job}/batch/{batch}"))
                        .header("Accept", "application/xml"),
                )
                .await;
            assert_eq!(status, 200, "{text}");
            let state = tag(&text, "state").unwrap_or_default();
            if ["Completed", "Failed", "NotProcessed"].contains(&state) {
                return text;
            }
            assert!(Instant::now() < deadline, "batch never finished: {text}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn result_text(&self, job: &str, batch: &str) -> String {
        let (status, text) = self
            .text(self.xml(
                reqwest::Method::GET,
                &format!("/{job}/batch/{batch}/result"),
            ))
            .await;
        assert_eq!(status, 200, "{text}");
        text
    }

    fn name_of(&self, id: &str) -> Value {
        self.org
            .org()
            .store
            .get(id)
            .and_then(|r| r.get("Name").cloned())
            .unwrap_or(Value::Null)
    }
}

#[tokio::test]
async fn a_csv_insert_job_reports_each_row_and_closes() {
    let c = start().await;
    let job = c
        .create_xml(
            "<operation>insert</operation><object>Account</object><contentType>CSV</contentType>",
        )
        .await;
    assert!(job.starts_with("750") && job.len() == 18, "{job}");
    let csv = "Name,NumberOfEmployees,CreatedDate\r\nAcme,10,\r\n,5,\r\nGlobex,7,2020-01-01T00:00:00Z\r\n\"Initech, Inc.\",3,\r\n";
    let batch = c.add_batch(&job, "text/csv", csv.to_string()).await;
    assert!(batch.starts_with("751"), "{batch}");
    let info = c.wait_batch(&job, &batch).await;
    assert_eq!(tag(&info, "state"), Some("Completed"), "{info}");
    assert_eq!(tag(&info, "numberRecordsProcessed"), Some("4"), "{info}");
    assert_eq!(tag(&info, "numberRecordsFailed"), Some("2"), "{info}");

    let rows = csv_rows(&c.result_text(&job, &batch).await);
    assert_eq!(rows[0], ["Id", "Success", "Created", "Error"]);
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("true", "true"));
    assert_eq!(c.name_of(&rows[1][0]), json!("Acme"));
    assert_eq!(c.name_of(&rows[4][0]), json!("Initech, Inc."));
    assert_eq!(rows[2][1], "false");
    assert!(
        rows[2][3].starts_with("REQUIRED_FIELD_MISSING:"),
        "{rows:?}"
    );
    // Field-level security: CreatedDate is not createable, as over REST and Bulk API 2.0.
    assert_eq!(rows[3][1], "false");
    assert!(
        rows[3][3].starts_with("INVALID_FIELD_FOR_INSERT_UPDATE:"),
        "{rows:?}"
    );

    let (status, request) = c
        .text(c.xml(
            reqwest::Method::GET,
            &format!("/{job}/batch/{batch}/request"),
        ))
        .await;
    assert_eq!((status.as_u16(), request.as_str()), (200, csv));

    let (_, list) = c
        .text(c.xml(reqwest::Method::GET, &format!("/{job}/batch")))
        .await;
    assert!(list.contains("<batchInfoList"), "{list}");
    assert_eq!(tags(&list, "id"), [batch.as_str()]);

    let close = format!("<jobInfo xmlns=\"{NS}\"><state>Closed</state></jobInfo>");
    let (status, closed) = c
        .text(
            c.xml(reqwest::Method::POST, &format!("/{job}"))
                .header("Content-Type", "application/xml")
                .body(close),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(tag(&closed, "state"), Some("Closed"));
    assert_eq!(tag(&closed, "numberBatchesCompleted"), Some("1"));
    assert_eq!(tag(&closed, "numberRecordsProcessed"), Some("4"));
    assert_eq!(tag(&closed, "numberRecordsFailed"), Some("2"));
    assert_eq!(tag(&closed, "apiVersion"), Some("60.0"));

    let (status, refused) = c
        .text(
            c.xml(reqwest::Method::POST, &format!("/{job}/batch"))
                .header("Content-Type", "text/csv")
                .body("Name\nLate\n"),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        tag(&refused, "exceptionCode"),
        Some("InvalidJobState"),
        "{refused}"
    );
}

#[tokio::test]
async fn json_jobs_insert_update_upsert_delete_and_query() {
    let c = start().await;
    let insert = c
        // simple-salesforce sends concurrencyMode as 0 or 1, which Salesforce takes.
        .create_json(json!({"operation": "insert", "object": "Account", "contentType": "JSON", "concurrencyMode": 0}))
        .await;
    assert_eq!(insert["contentType"], "JSON");
    assert_eq!(insert["concurrencyMode"], "Parallel");
    assert_eq!(insert["apiVersion"], json!(60.0));
    let job = insert["id"].as_str().unwrap();
    let records = json!([
        {"Name": "J1", "External_Id__c": "J-1", "NumberOfEmployees": 4},
        {"Name": "J2", "External_Id__c": "J-2", "Phone": null},
    ]);
    let batch = c
        .add_batch(job, "application/json", records.to_string())
        .await;
    c.wait_batch(job, &batch).await;
    let (_, results) = c
        .json(c.xml(
            reqwest::Method::GET,
            &format!("/{job}/batch/{batch}/result"),
        ))
        .await;
    let ids: Vec<String> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(
                (r["success"].clone(), r["created"].clone()),
                (json!(true), json!(true)),
                "{r}"
            );
            r["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(c.name_of(&ids[0]), json!("J1"));

    let update = c
        .create_json(json!({"operation": "update", "object": "Account", "contentType": "JSON"}))
        .await;
    let job = update["id"].as_str().unwrap();
    let body = json!([{"Id": ids[0], "Name": "J1 renamed"}, {"Id": "001000000000000AAA", "Name": "nobody"}]);
    let batch = c.add_batch(job, "application/json", body.to_string()).await;
    c.wait_batch(job, &batch).await;
    let (_, results) = c
        .json(c.xml(
            reqwest::Method::GET,
            &format!("/{job}/batch/{batch}/result"),
        ))
        .await;
    assert_eq!(results[0]["success"], true, "{results}");
    assert_eq!(results[1]["success"], false, "{results}");
    assert!(
        results[1]["errors"][0]["statusCode"].as_str().is_some(),
        "{results}"
    );
    assert_eq!(c.name_of(&ids[0]), json!("J1 renamed"));

    let upsert = c
        .create_json(json!({"operation": "upsert", "object": "Account", "contentType": "JSON", "externalIdFieldName": "External_Id__c"}))
        .await;
    assert_eq!(upsert["externalIdFieldName"], "External_Id__c");
    let job = upsert["id"].as_str().unwrap();
    let body = json!([{"External_Id__c": "J-2", "Name": "J2 upserted"}, {"External_Id__c": "J-3", "Name": "J3"}]);
    let batch = c.add_batch(job, "application/json", body.to_string()).await;
    c.wait_batch(job, &batch).await;
    let (_, results) = c
        .json(c.xml(
            reqwest::Method::GET,
            &format!("/{job}/batch/{batch}/result"),
        ))
        .await;
    assert_eq!(results[0]["created"], false, "{results}");
    assert_eq!(results[0]["id"], json!(ids[1]));
    assert_eq!(results[1]["created"], true, "{results}");
    assert_eq!(c.name_of(&ids[1]), json!("J2 upserted"));

    let delete = c
        .create_json(json!({"operation": "delete", "object": "Account", "contentType": "JSON"}))
        .await;
    let job = delete["id"].as_str().unwrap();
    let body = json!([{"Id": ids[0]}]);
    let batch = c.add_batch(job, "application/json", body.to_string()).await;
    c.wait_batch(job, &batch).await;
    assert_eq!(
        c.org
            .org()
            .store
            .get(&ids[0])
            .and_then(|r| r.get("IsDeleted").cloned()),
        Some(json!(true))
    );

    for (operation, expected) in [("query", 1), ("queryAll", 2)] {
        let query = c
            .create_json(
                json!({"operation": operation, "object": "Account", "contentType": "JSON"}),
            )
            .await;
        let job = query["id"].as_str().unwrap();
        let batch = c
            .add_batch(
                job,
                "application/json",
                "SELECT Id, Name FROM Account WHERE Name LIKE 'J1%' OR Name = 'J3' ORDER BY Name"
                    .into(),
            )
            .await;
        c.wait_batch(job, &batch).await;
        let (_, list) = c
            .json(c.xml(
                reqwest::Method::GET,
                &format!("/{job}/batch/{batch}/result"),
            ))
            .await;
        let result = list[0].as_str().unwrap();
        assert!(result.starts_with("752"), "{list}");
        let (_, records) = c
            .json(c.xml(
                reqwest::Method::GET,
                &format!("/{job}/batch/{batch}/result/{result}"),
            ))
            .await;
        let names: Vec<&str> = records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), expected, "{operation}: {records}");
        assert!(names.contains(&"J3"), "{records}");
        assert_eq!(records[0]["attributes"]["type"], "Account");
    }
}

#[tokio::test]
async fn a_serial_job_runs_its_batches_in_order() {
    let c = start().await;
    let job = c
        .create_xml("<operation>upsert</operation><object>Account</object><externalIdFieldName>External_Id__c</externalIdFieldName><concurrencyMode>Serial</concurrencyMode><contentType>CSV</contentType>")
        .await;
    // Each batch upserts the same keys: run side by side, two batches would both create.
    let mut batches = Vec::new();
    for round in 0..4 {
        let mut csv = String::from("External_Id__c,Name\n");
        for k in 0..300 {
            csv.push_str(&format!("S-{k},Round {round}\n"));
        }
        batches.push(c.add_batch(&job, "text/csv", csv).await);
    }
    for (round, batch) in batches.iter().enumerate() {
        let info = c.wait_batch(&job, batch).await;
        assert_eq!(tag(&info, "state"), Some("Completed"), "{info}");
        assert_eq!(tag(&info, "numberRecordsFailed"), Some("0"), "{info}");
        let rows = csv_rows(&c.result_text(&job, batch).await);
        let created = rows[1..].iter().filter(|r| r[2] == "true").count();
        assert_eq!(created, if round == 0 { 300 } else { 0 }, "round {round}");
    }
    let (_, info) = c
        .text(c.xml(reqwest::Method::GET, &format!("/{job}")))
        .await;
    assert_eq!(tag(&info, "concurrencyMode"), Some("Serial"));
    assert_eq!(tag(&info, "numberRecordsProcessed"), Some("1200"));
}

#[tokio::test]
async fn pk_chunking_splits_a_query_into_batches_by_id() {
    let c = start().await;
    let body = format!(
        "<jobInfo xmlns=\"{NS}\"><operation>query</operation><object>Account</object><contentType>CSV</contentType></jobInfo>"
    );
    let (status, text) = c
        .text(
            c.xml(reqwest::Method::POST, "")
                .header("Content-Type", "application/xml")
                .header("Sforce-Enable-PKChunking", "chunkSize=2")
                .body(body.clone()),
        )
        .await;
    assert_eq!(status, 201, "{text}");
    let job = tag(&text, "id").unwrap().to_string();
    for name in ["P1", "P2", "P3", "P4", "P5"] {
        c.org
            .org()
            .store
            .write(|w| {
                let mut record = serde_json::Map::new();
                record.insert("Name".into(), json!(name));
                w.create("Account", &record, "005000000000001")
            })
            .unwrap();
    }
    let original = c
        .add_batch(
            &job,
            "text/csv",
            "SELECT Id, Name FROM Account WHERE Name LIKE 'P%'".into(),
        )
        .await;
    let info = c.wait_batch(&job, &original).await;
    assert_eq!(tag(&info, "state"), Some("NotProcessed"), "{info}");

    let (_, list) = c
        .text(c.xml(reqwest::Method::GET, &format!("/{job}/batch")))
        .await;
    let chunk_ids: Vec<String> = tags(&list, "id")
        .into_iter()
        .filter(|id| *id != original)
        .map(str::to_string)
        .collect();
    assert_eq!(chunk_ids.len(), 3, "{list}");
    let mut seen: Vec<String> = Vec::new();
    for chunk in &chunk_ids {
        let list = c.result_text(&job, chunk).await;
        let result = tag(&list, "result").unwrap().to_string();
        let (_, csv) = c
            .text(c.xml(
                reqwest::Method::GET,
                &format!("/{job}/batch/{chunk}/result/{result}"),
            ))
            .await;
        let rows = csv_rows(&csv);
        assert_eq!(rows[0], ["Id", "Name"]);
        seen.extend(rows[1..].iter().map(|r| r[0].clone()));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        5,
        "every record in exactly one chunk: {seen:?}"
    );
    assert_eq!(seen, sorted, "chunks follow the Id order");

    let (status, refused) = c
        .text(
            c.xml(reqwest::Method::POST, "")
                .header("Content-Type", "application/xml")
                .header("Sforce-Enable-PKChunking", "true")
                .body(body.replace("query", "insert")),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        tag(&refused, "exceptionCode"),
        Some("InvalidJob"),
        "{refused}"
    );
}

#[tokio::test]
async fn errors_have_the_v1_shapes_and_bearer_is_accepted() {
    let c = start().await;
    let (status, text) = c
        .text(
            c.http
                .post(c.url(""))
                .header("X-SFDC-Session", "not-a-session")
                .header("Content-Type", "application/xml")
                .body("<jobInfo><operation>insert</operation><object>Account</object></jobInfo>"),
        )
        .await;
    assert_eq!(status, 400);
    assert!(text.contains(&format!("xmlns=\"{NS}\"")), "{text}");
    assert_eq!(
        tag(&text, "exceptionCode"),
        Some("InvalidSessionId"),
        "{text}"
    );

    let (status, body) = c
        .json(
            c.http
                .post(c.url(""))
                .header("X-SFDC-Session", "not-a-session")
                .json(&json!({"operation": "insert", "object": "Account"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["exceptionCode"], "InvalidSessionId", "{body}");
    assert!(body["exceptionMessage"].is_string(), "{body}");

    let (status, body) = c
        .json(
            c.http
                .post(c.url(""))
                .bearer_auth(&c.token)
                .json(&json!({"operation": "insert", "object": "Nope__c", "contentType": "CSV"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["exceptionCode"], "InvalidJob", "{body}");
    assert!(
        body["exceptionMessage"]
            .as_str()
            .unwrap()
            .contains("Nope__c"),
        "{body}"
    );

    let info = c
        .create_json(json!({"operation": "query", "object": "Account", "contentType": "CSV"}))
        .await;
    let job = info["id"].as_str().unwrap();
    let batch = c
        .add_batch(job, "text/csv", "SELECT Id FROM Contact".into())
        .await;
    let info = c.wait_batch(job, &batch).await;
    assert_eq!(tag(&info, "state"), Some("Failed"));
    assert!(
        tag(&info, "stateMessage")
            .unwrap()
            .contains("INVALID_TYPE_FOR_OPERATION"),
        "{info}"
    );

    let (status, aborted) = c
        .json(
            c.xml(reqwest::Method::POST, &format!("/{job}"))
                .json(&json!({"state": "Aborted"})),
        )
        .await;
    assert_eq!(status, 200, "{aborted}");
    assert_eq!(aborted["state"], "Aborted");
    let (status, again) = c
        .json(
            c.xml(reqwest::Method::POST, &format!("/{job}"))
                .json(&json!({"state": "Closed"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(again["exceptionCode"], "InvalidJobState", "{again}");
}
