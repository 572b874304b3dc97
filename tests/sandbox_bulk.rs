//! Bulk API 2.0 of the sandbox org, over real HTTP on 127.0.0.1.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tether::emulator::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use tether::emulator::{OrgConfig, SandboxOrg};

const V: &str = "v60.0";

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A parsed result file: its header and rows.
#[derive(Debug)]
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn parse(text: &str, delimiter: u8) -> Csv {
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(str::to_string).collect();
        let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        Csv { header, rows }
    }

    fn column(&self, name: &str) -> Vec<&str> {
        let i = self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {:?}", self.header));
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}

async fn start() -> (SandboxOrg, Client) {
    let org = SandboxOrg::start(OrgConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let base = org.base_url();
    // Logs in like a legacy script; an org without the password grant accepts any bearer.
    let login = http
        .post(format!("{base}/services/oauth2/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let token = match login.json::<Value>().await {
        Ok(v) => v["access_token"].as_str().unwrap_or("sandbox").to_string(),
        Err(_) => "sandbox".to_string(),
    };
    (org, Client { http, base, token })
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}/services/data/{V}/{path}", self.base)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(&self.token)
    }

    async fn send_json(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let response = self.request(method, path).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.request(reqwest::Method::GET, path).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    async fn create_ingest(&self, body: Value) -> String {
        let (status, job) = self.send_json(reqwest::Method::POST, "jobs/ingest", body).await;
        assert_eq!(status, 200, "{job}");
        assert_eq!(job["state"], "Open");
        job["id"].as_str().unwrap().to_string()
    }

    async fn upload(&self, id: &str, csv: &str) -> (u16, String) {
        let response = self
            .request(reqwest::Method::PUT, &format!("jobs/ingest/{id}/batches"))
            .header("Content-Type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn set_state(&self, kind: &str, id: &str, state: &str) -> (u16, Value) {
        self.send_json(reqwest::Method::PATCH, &format!("jobs/{kind}/{id}"), json!({ "state": state })).await
    }

    /// Polls until the job has finished; returns the job info and the states seen on the way.
    async fn wait(&self, kind: &str, id: &str) -> (Value, Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen: Vec<String> = Vec::new();
        loop {
            let (status, info) = self.get_json(&format!("jobs/{kind}/{id}")).await;
            assert_eq!(status, 200, "{info}");
            let state = info["state"].as_str().unwrap().to_string();
            if seen.last() != Some(&state) {
                seen.push(state.clone());
            }
            if matches!(state.as_str(), "JobComplete" | "Failed" | "Aborted") {
                return (info, seen);
            }
            assert!(Instant::now() < deadline, "job {id} still {state}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn run_ingest(&self, job: Value, csv: &str) -> (String, Value) {
        let id = self.create_ingest(job).await;
        let (status, body) = self.upload(&id, csv).await;
        assert_eq!(status, 201, "{body}");
        let (status, closed) = self.set_state("ingest", &id, "UploadComplete").await;
        assert_eq!((status, closed["state"].as_str()), (200, Some("UploadComplete")), "{closed}");
        let (info, seen) = self.wait("ingest", &id).await;
        let order = ["UploadComplete", "InProgress", "JobComplete", "Failed"];
        let ranks: Vec<usize> = seen.iter().map(|s| order.iter().position(|o| o == s).unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "states went backwards: {seen:?}");
        (id, info)
    }

    async fn result_text(&self, id: &str, which: &str) -> String {
        let response = self.request(reqwest::Method::GET, &format!("jobs/ingest/{id}/{which}/")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        response.text().await.unwrap()
    }

    async fn results(&self, id: &str, which: &str) -> Csv {
        Csv::parse(&self.result_text(id, which).await, b',')
    }
}

fn field<'a>(org: &SandboxOrg, id: &str, name: &str) -> Value {
    let record = org.org().store.get(id).unwrap_or_else(|| panic!("no record {id}"));
    record.get(name).cloned().unwrap_or(Value::Null)
}

fn create_accounts(org: &SandboxOrg, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            let mut body = Map::new();
            body.insert("Name".into(), json!(name));
            body.insert("Phone".into(), json!("555-0100"));
            body.insert("NumberOfEmployees".into(), json!(40));
            org.org().store.write(|w| w.create("Account", &body, "005000000000001")).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn insert_with_one_failing_row_gives_three_result_files() {
    let (org, c) = start().await;
    let csv = "Name,External_Id__c,NumberOfEmployees\nAcme,ACME-1,10\n,NONAME-1,5\n\"Globex, Inc.\",GLX-1,7\n";
    let (id, info) = c.run_ingest(json!({"object":"Account","operation":"insert","lineEnding":"LF"}), csv).await;
    assert_eq!(info["state"], "JobComplete");
    assert_eq!((info["numberRecordsProcessed"].as_u64(), info["numberRecordsFailed"].as_u64()), (Some(3), Some(1)));
    assert_eq!(info["jobType"], "V2Ingest");
    assert!(id.starts_with("750") && id.len() == 18);

    let text = c.result_text(&id, "successfulResults").await;
    assert!(text.starts_with("\"sf__Id\",\"sf__Created\",Name,External_Id__c,NumberOfEmployees\n"), "{text}");
    let ok = c.results(&id, "successfulResults").await;
    assert_eq!(ok.header, ["sf__Id", "sf__Created", "Name", "External_Id__c", "NumberOfEmployees"]);
    assert_eq!(ok.column("sf__Created"), ["true", "true"]);
    assert_eq!(ok.column("Name"), ["Acme", "Globex, Inc."]);
    assert_eq!(ok.column("External_Id__c"), ["ACME-1", "GLX-1"]);
    assert_eq!(ok.column("NumberOfEmployees"), ["10", "7"]);
    for (new_id, name) in ok.column("sf__Id").iter().zip(["Acme", "Globex, Inc."]) {
        assert!(new_id.starts_with("001") && new_id.len() == 18, "{new_id}");
        assert_eq!(field(&org, new_id, "Name"), json!(name));
    }
    assert_eq!(field(&org, ok.column("sf__Id")[0], "NumberOfEmployees"), json!(10));

    let failed = c.results(&id, "failedResults").await;
    assert_eq!(failed.header, ["sf__Id", "sf__Error", "Name", "External_Id__c", "NumberOfEmployees"]);
    assert_eq!(failed.column("sf__Id"), [""]);
    assert_eq!(failed.column("sf__Error"), ["REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"]);
    assert_eq!(failed.rows[0][2..], ["", "NONAME-1", "5"]);

    let rest = c.results(&id, "unprocessedrecords").await;
    assert_eq!(rest.header, ["Name", "External_Id__c", "NumberOfEmployees"]);
    assert!(rest.rows.is_empty());
    assert_eq!(org.org().store.count("Account"), 2);
}

#[tokio::test]
async fn upsert_creates_then_updates_and_links_parents_by_external_id() {
    let (org, c) = start().await;
    let job = json!({"object":"Account","operation":"upsert","externalIdFieldName":"External_Id__c"});
    let (first, _) = c.run_ingest(job.clone(), "External_Id__c,Name,NumberOfEmployees\nA-1,Acme,10\nA-2,Initech,20\n").await;
    let created = c.results(&first, "successfulResults").await;
    assert_eq!(created.column("sf__Created"), ["true", "true"]);

    let (second, info) = c.run_ingest(job, "External_Id__c,Name,NumberOfEmployees\nA-1,,11\nA-3,Hooli,30\n").await;
    assert_eq!(info["externalIdFieldName"], "External_Id__c");
    let again = c.results(&second, "successfulResults").await;
    assert_eq!(again.column("sf__Created"), ["false", "true"]);
    assert_eq!(again.column("sf__Id")[0], created.column("sf__Id")[0], "A-1 is the same record");
    let acme = created.column("sf__Id")[0];
    assert_eq!(field(&org, acme, "NumberOfEmployees"), json!(11));
    assert_eq!(field(&org, acme, "Name"), json!("Acme"), "an empty cell leaves the field unchanged");

    let contacts = json!({"object":"Contact","operation":"insert"});
    let (cid, _) = c.run_ingest(contacts, "LastName,Account.External_Id__c\nDoe,A-2\nRoe,NOPE\n").await;
    let linked = c.results(&cid, "successfulResults").await;
    assert_eq!(field(&org, linked.column("sf__Id")[0], "AccountId"), json!(created.column("sf__Id")[1]));
    let unlinked = c.results(&cid, "failedResults").await;
    assert!(unlinked.column("sf__Error")[0].starts_with("INVALID_FIELD:Foreign key external ID: NOPE"), "{unlinked:?}");
}

#[tokio::test]
async fn update_with_na_sets_null_and_empty_leaves_unchanged() {
    let (org, c) = start().await;
    let ids = create_accounts(&org, &["Acme"]);
    let missing = tether::emulator::ids::mint("001", 9_999_999);
    let contact = {
        let body = json!({"LastName": "Doe"});
        org.org().store.write(|w| w.create("Contact", body.as_object().unwrap(), "005000000000001")).unwrap()
    };
    let csv = format!("Id,NumberOfEmployees,Phone\n{},#N/A,\n{missing},5,\n{contact},5,\n", ids[0]);
    let (id, info) = c.run_ingest(json!({"object":"Account","operation":"update"}), &csv).await;
    assert_eq!(info["numberRecordsFailed"], 2);
    assert_eq!(field(&org, &ids[0], "NumberOfEmployees"), Value::Null);
    assert_eq!(field(&org, &ids[0], "Phone"), json!("555-0100"));
    let ok = c.results(&id, "successfulResults").await;
    assert_eq!((ok.column("sf__Id"), ok.column("sf__Created")), (vec![ids[0].as_str()], vec!["false"]));
    assert_eq!(ok.column("NumberOfEmployees"), ["#N/A"], "values are echoed as uploaded");
    let failed = c.results(&id, "failedResults").await;
    assert_eq!(failed.column("sf__Id"), [missing.as_str(), contact.as_str()]);
    let errors = failed.column("sf__Error");
    assert!(errors[0].starts_with("NOT_FOUND:"), "{errors:?}");
    assert!(errors[1].starts_with("INVALID_CROSS_REFERENCE_KEY:"), "{errors:?}");
}

#[tokio::test]
async fn delete_soft_deletes_and_hard_delete_removes() {
    let (org, c) = start().await;
    let ids = create_accounts(&org, &["Soft", "Hard"]);
    let (soft, info) = c.run_ingest(json!({"object":"Account","operation":"delete"}), &format!("Id\n{}\n", ids[0])).await;
    assert_eq!(info["numberRecordsFailed"], 0);
    assert_eq!(c.results(&soft, "successfulResults").await.column("sf__Id"), [ids[0].as_str()]);
    assert_eq!(field(&org, &ids[0], "IsDeleted"), json!(true));

    let csv = format!("Id\n{}\n{}\n", ids[1], ids[0].to_lowercase());
    let (hard, _) = c.run_ingest(json!({"object":"Account","operation":"hardDelete"}), &csv).await;
    assert_eq!(c.results(&hard, "successfulResults").await.column("sf__Id"), [ids[1].as_str(), ids[0].as_str()]);
    assert!(org.org().store.get(&ids[1]).is_none());
    assert!(org.org().store.get(&ids[0]).is_none(), "a recycled record is hard-deleted too");

    let (again, info) = c.run_ingest(json!({"object":"Account","operation":"delete"}), &format!("Id\n{}\n\n", ids[1])).await;
    assert_eq!(info["numberRecordsFailed"], 1);
    assert!(c.results(&again, "failedResults").await.column("sf__Error")[0].starts_with("NOT_FOUND:"));
}

#[tokio::test]
async fn tab_and_crlf_dialect_round_trips() {
    let (org, c) = start().await;
    let job = json!({"object":"Account","operation":"insert","columnDelimiter":"TAB","lineEnding":"CRLF"});
    let csv = "Name\tDescription\r\nAcme\t\"two\r\nlines\tand a tab\"\r\nInitech\tplain, with comma\r\n";
    let (id, info) = c.run_ingest(job.clone(), csv).await;
    assert_eq!((info["columnDelimiter"].as_str(), info["lineEnding"].as_str()), (Some("TAB"), Some("CRLF")));
    assert_eq!(info["numberRecordsFailed"], 0);
    let text = c.result_text(&id, "successfulResults").await;
    assert!(text.starts_with("\"sf__Id\"\t\"sf__Created\"\tName\tDescription\r\n"), "{text:?}");
    let ok = Csv::parse(&text, b'\t');
    assert_eq!(ok.column("Description"), ["two\r\nlines\tand a tab", "plain, with comma"]);
    assert_eq!(field(&org, ok.column("sf__Id")[0], "Description"), json!("two\r\nlines\tand a tab"));

    let (_, failed) = c.run_ingest(job, "Name\tDescription\nAcme\tx\n").await;
    assert_eq!(failed["state"], "Failed");
    assert!(failed["errorMessage"].as_str().unwrap().contains("LineEnding is invalid on user data. Current LineEnding setting is CRLF"));
}

#[tokio::test]
async fn bad_csv_fails_rows_or_the_job_with_clear_messages() {
    let (org, c) = start().await;
    let insert = json!({"object":"Account","operation":"insert"});
    let csv = "Name,NumberOfEmployees\nAcme,1\nRagged\nHooli,many\n\"Unclosed,2\nInitech,3\n";
    let (id, info) = c.run_ingest(insert.clone(), csv).await;
    assert_eq!(info["state"], "JobComplete");
    assert_eq!((info["numberRecordsProcessed"].as_u64(), info["numberRecordsFailed"].as_u64()), (Some(5), Some(3)));
    assert_eq!(c.results(&id, "successfulResults").await.column("Name"), ["Acme", "Initech"]);
    let failed = c.results(&id, "failedResults").await;
    let errors = failed.column("sf__Error");
    assert!(errors[0].starts_with("CSV_PARSE_ERROR:line 3: the row has 1 values but the header row has 2 columns"), "{errors:?}");
    assert_eq!(
        errors[1],
        "INVALID_TYPE_ON_FIELD_IN_RECORD:Employees: value not of required type: many:NumberOfEmployees --"
    );
    assert!(errors[2].starts_with("CSV_PARSE_ERROR:line 5: field 1 opens a quote that is never closed"), "{errors:?}");
    assert_eq!(failed.column("Name"), ["Ragged", "Hooli", "\"Unclosed"]);
    assert_eq!(org.org().store.count("Account"), 2);

    let (_, unknown) = c.run_ingest(insert.clone(), "Name,Foo\nAcme,1\n").await;
    assert_eq!(unknown["state"], "Failed");
    assert_eq!(unknown["errorMessage"], "InvalidBatch : Field name not found : Foo");
    assert_eq!(unknown["numberRecordsProcessed"], 0);

    let empty = c.create_ingest(insert.clone()).await;
    let (status, body) = c.upload(&empty, "").await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body[0]["errorCode"], "INVALIDJOB");
    assert!(body[0]["message"].as_str().unwrap().contains("The CSV upload is empty"));
    c.set_state("ingest", &empty, "UploadComplete").await;
    let (nothing, _) = c.wait("ingest", &empty).await;
    assert_eq!(nothing["state"], "Failed");
    assert!(nothing["errorMessage"].as_str().unwrap().contains("no data was uploaded"));
}

#[tokio::test]
async fn job_requests_are_checked_like_a_real_org() {
    let (_org, c) = start().await;
    let cases = [
        (json!({"object":"Acount","operation":"insert"}), 400, "INVALIDENTITY"),
        (json!({"object":"Account","operation":"upsert"}), 400, "INVALIDJOB"),
        (json!({"object":"Account","operation":"upsert","externalIdFieldName":"Name"}), 400, "INVALIDJOB"),
        (json!({"object":"Account","operation":"merge"}), 400, "INVALIDJOB"),
        (json!({"object":"Account"}), 400, "INVALIDJOB"),
        (json!({"operation":"insert"}), 400, "INVALIDJOB"),
        (json!({"object":"Account","operation":"insert","columnDelimiter":"COLON"}), 400, "INVALIDJOB"),
        (json!({"object":"Account","operation":"insert","lineEnding":"CR"}), 400, "INVALIDJOB"),
        (json!({"object":"Account","operation":"insert","contentType":"JSON"}), 400, "INVALIDJOB"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = c.send_json(reqwest::Method::POST, "jobs/ingest", body.clone()).await;
        assert_eq!((got, answer[0]["errorCode"].as_str()), (status, Some(code)), "{body} → {answer}");
    }
    let (_, upsert) = c.send_json(reqwest::Method::POST, "jobs/ingest", json!({"object":"Account","operation":"upsert"})).await;
    assert_eq!(upsert[0]["message"], "External ID was blank for Account. An External ID must be specified for upsert.");
    let (status, _) = c.request(reqwest::Method::POST, "jobs/ingest").body("{oops").send().await.map(|r| (r.status().as_u16(), ())).unwrap();
    assert_eq!(status, 400);

    let id = c.create_ingest(json!({"object":"account","operation":"insert"})).await;
    let (_, info) = c.get_json(&format!("jobs/ingest/{id}")).await;
    assert_eq!(info["object"], "Account");
    assert_eq!(info["contentUrl"], format!("services/data/{V}/jobs/ingest/{id}/batches"));
    let (status, early) = c.get_json(&format!("jobs/ingest/{id}/successfulResults")).await;
    assert_eq!((status, early[0]["errorCode"].as_str()), (400, Some("INVALIDJOBSTATE")));
    let (status, _) = c.request(reqwest::Method::DELETE, &format!("jobs/ingest/{id}")).send().await.map(|r| (r.status().as_u16(), ())).unwrap();
    assert_eq!(status, 400, "an Open job cannot be deleted");
    assert_eq!(c.upload(&id, "Name\nA\n").await.0, 201);
    assert_eq!(c.upload(&id, "Name\nB\n").await.0, 201, "several uploads while Open");
    c.set_state("ingest", &id, "UploadComplete").await;
    let (status, late) = c.upload(&id, "Name\nC\n").await;
    assert_eq!(status, 400);
    assert!(late.contains("INVALIDJOBSTATE"), "{late}");
    let (done, _) = c.wait("ingest", &id).await;
    assert_eq!(done["numberRecordsProcessed"], 2);
    let (status, again) = c.set_state("ingest", &id, "UploadComplete").await;
    assert_eq!((status, again[0]["errorCode"].as_str()), (400, Some("INVALIDJOBSTATE")));

    let (_, listed) = c.get_json("jobs/ingest").await;
    assert!(listed["records"].as_array().unwrap().iter().any(|j| j["id"] == json!(id)));
    assert_eq!(listed["done"], true);
    let status = c.request(reqwest::Method::DELETE, &format!("jobs/ingest/{id}/")).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 204);
    let (status, gone) = c.get_json(&format!("jobs/ingest/{id}")).await;
    assert_eq!((status, gone[0]["errorCode"].as_str()), (404, Some("NOT_FOUND")));
}

#[tokio::test]
async fn an_aborted_job_writes_nothing_and_returns_its_upload_unprocessed() {
    let (org, c) = start().await;
    let id = c.create_ingest(json!({"object":"Account","operation":"insert"})).await;
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
    let id = c.create_ingest(json!({"object":"Account","operation":"insert"})).await;
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
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(pieces)))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 201);
    c.set_state("ingest", &id, "UploadComplete").await;
    c.wait("ingest", &id).await;
    assert_eq!(c.results(&id, "successfulResults").await.column("Name"), ["Zipped", "Chunked"]);
    assert_eq!(org.org().store.count("Account"), 2);
}

#[tokio::test]
async fn a_query_job_pages_with_locators() {
    let (org, c) = start().await;
    let names: Vec<String> = (0..1050).map(|i| format!("Account {i:04}")).collect();
    let ids = org.org().store.write(|w| {
        names
            .iter()
            .map(|n| w.create("Account", json!({"Name": n}).as_object().unwrap(), "005000000000001"))
            .collect::<Result<Vec<_>, _>>()
    });
    let mut ids = ids.unwrap();
    org.org().store.write(|w| w.delete(&ids[0], "005000000000001")).unwrap();

    let (status, job) = c
        .send_json(reqwest::Method::POST, "jobs/query", json!({"operation":"query","query":"SELECT Id, Name FROM Account"}))
        .await;
    assert_eq!((status, job["state"].as_str(), job["object"].as_str()), (200, Some("UploadComplete"), Some("Account")), "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let (info, _) = c.wait("query", &id).await;
    assert_eq!((info["state"].as_str(), info["numberRecordsProcessed"].as_u64()), (Some("JobComplete"), Some(1049)));

    let mut locator: Option<String> = None;
    let mut seen: Vec<String> = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let mut path = format!("jobs/query/{id}/results?maxRecords=400");
        if let Some(l) = &locator {
            path.push_str(&format!("&locator={l}"));
        }
        let response = c.request(reqwest::Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let count: usize = response.headers()["Sforce-NumberOfRecords"].to_str().unwrap().parse().unwrap();
        let next = response.headers()["Sforce-Locator"].to_str().unwrap().to_string();
        let text = response.text().await.unwrap();
        assert!(text.starts_with("\"Id\",\"Name\"\n"), "{}", &text[..40.min(text.len())]);
        let page = Csv::parse(&text, b',');
        assert_eq!(page.rows.len(), count);
        sizes.push(count);
        for row in &page.rows {
            assert_eq!(field(&org, &row[0], "Name"), json!(row[1]));
        }
        seen.extend(page.column("Id").into_iter().map(str::to_string));
        if next == "null" {
            break;
        }
        locator = Some(next);
    }
    assert_eq!(sizes, [400, 400, 249]);
    ids.remove(0);
    ids.sort();
    seen.sort();
    assert_eq!(seen, ids, "every live record once, the deleted one left out");

    let (_, all) = c
        .send_json(reqwest::Method::POST, "jobs/query", json!({"operation":"queryAll","query":"SELECT Id FROM Account"}))
        .await;
    let (info, _) = c.wait("query", all["id"].as_str().unwrap()).await;
    assert_eq!(info["numberRecordsProcessed"], 1050, "queryAll includes deleted records");

    let (status, bad) = c.send_json(reqwest::Method::POST, "jobs/query", json!({"operation":"query","query":"SELECT Nope FROM Account"})).await;
    assert_eq!((status, bad[0]["errorCode"].as_str()), (400, Some("INVALID_FIELD")));
    let (status, bad) = c.get_json(&format!("jobs/query/{id}/results?locator=bm9wZQ")).await;
    assert_eq!((status, bad[0]["errorCode"].as_str()), (400, Some("INVALID_QUERY_LOCATOR")));
}
