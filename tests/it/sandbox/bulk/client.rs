//! A small Bulk API 2.0 client for the tests, and result-file parsing.

use std::time::{Duration, Instant};

use crate::support::org::password_login;
use sandbox_org::{OrgConfig, SandboxOrg};
use serde_json::{Map, Value, json};

pub const V: &str = "v60.0";

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A parsed result file: its header and rows.
#[derive(Debug)]
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn parse(text: &str, delimiter: u8) -> Csv {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        Csv { header, rows }
    }

    pub fn column(&self, name: &str) -> Vec<&str> {
        let i = self
            .header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header));
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}

pub async fn start() -> (SandboxOrg, Client) {
    let org = SandboxOrg::start(OrgConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let base = org.base_url();
    let token = password_login(&http, &base).await;
    (org, Client { http, base, token })
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}/services/data/{V}/{path}", self.base)
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let response = self.request(method, path).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    pub async fn create_ingest(&self, body: Value) -> String {
        let (status, job) = self
            .send_json(reqwest::Method::POST, "jobs/ingest", body)
            .await;
        assert_eq!(status, 200, "{job}");
        assert_eq!(job["state"], "Open");
        job["id"].as_str().unwrap().to_string()
    }

    pub async fn upload(&self, id: &str, csv: &str) -> (u16, String) {
        let response = self
            .request(reqwest::Method::PUT, &format!("jobs/ingest/{id}/batches"))
            .header("Content-Type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn set_state(&self, kind: &str, id: &str, state: &str) -> (u16, Value) {
        self.send_json(
            reqwest::Method::PATCH,
            &format!("jobs/{kind}/{id}"),
            json!({ "state": state }),
        )
        .await
    }

    /// Polls until the job has finished; returns the job info and the states seen on the way.
    pub async fn wait(&self, kind: &str, id: &str) -> (Value, Vec<String>) {
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

    pub async fn run_ingest(&self, job: Value, csv: &str) -> (String, Value) {
        let id = self.create_ingest(job).await;
        let (status, body) = self.upload(&id, csv).await;
        assert_eq!(status, 201, "{body}");
        let (status, closed) = self.set_state("ingest", &id, "UploadComplete").await;
        assert_eq!(
            (status, closed["state"].as_str()),
            (200, Some("UploadComplete")),
            "{closed}"
        );
        let (info, seen) = self.wait("ingest", &id).await;
        let order = ["UploadComplete", "InProgress", "JobComplete", "Failed"];
        let ranks: Vec<usize> = seen
            .iter()
            .map(|s| order.iter().position(|o| o == s).unwrap())
            .collect();
        assert!(
            ranks.windows(2).all(|w| w[0] < w[1]),
            "states went backwards: {seen:?}"
        );
        (id, info)
    }

    pub async fn result_text(&self, id: &str, which: &str) -> String {
        let response = self
            .request(reqwest::Method::GET, &format!("jobs/ingest/{id}/{which}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        response.text().await.unwrap()
    }

    pub async fn results(&self, id: &str, which: &str) -> Csv {
        Csv::parse(&self.result_text(id, which).await, b',')
    }
}

pub fn field(org: &SandboxOrg, id: &str, name: &str) -> Value {
    let record = org
        .org()
        .store
        .get(id)
        .unwrap_or_else(|| panic!("no record {id}"));
    record.get(name).cloned().unwrap_or(Value::Null)
}

pub fn create_accounts(org: &SandboxOrg, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            let mut body = Map::new();
            body.insert("Name".into(), json!(name));
            body.insert("Phone".into(), json!("555-0100"));
            body.insert("NumberOfEmployees".into(), json!(40));
            org.org()
                .store
                .write(|w| w.create("Account", &body, "005000000000001"))
                .unwrap()
        })
        .collect()
}
