//! Query jobs run the org's SOQL: the same answer as the REST query endpoint, as CSV.

use sandbox_org::SandboxOrg;
use serde_json::{Value, json};

use super::client::{Client, Csv, V, start};

const USER: &str = "005000000000001";

/// Creates a query job, checks it is accepted, and waits until it has run.
async fn run_job(c: &Client, operation: &str, soql: &str) -> (String, Value) {
    let (status, job) = c
        .send_json(
            reqwest::Method::POST,
            "jobs/query",
            json!({ "operation": operation, "query": soql }),
        )
        .await;
    assert_eq!(status, 200, "{soql} → {job}");
    let id = job["id"].as_str().unwrap().to_string();
    let (info, _) = c.wait("query", &id).await;
    assert_eq!(info["state"], "JobComplete", "{info}");
    (id, info)
}

/// Every result page of a job, `max_records` at a time: the header, the rows, and each
/// page's `Sforce-NumberOfRecords`.
async fn all_pages(
    c: &Client,
    id: &str,
    max_records: usize,
) -> (Vec<String>, Vec<Vec<String>>, Vec<usize>) {
    let mut locator: Option<String> = None;
    let (mut rows, mut sizes) = (Vec::new(), Vec::new());
    loop {
        let mut path = format!("jobs/query/{id}/results?maxRecords={max_records}");
        if let Some(l) = &locator {
            path.push_str(&format!("&locator={l}"));
        }
        let response = c.request(reqwest::Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let count: usize = response.headers()["Sforce-NumberOfRecords"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let next = response.headers()["Sforce-Locator"]
            .to_str()
            .unwrap()
            .to_string();
        let page = Csv::parse(&response.text().await.unwrap(), b',');
        assert_eq!(page.rows.len(), count);
        rows.extend(page.rows);
        sizes.push(count);
        if next == "null" {
            return (page.header, rows, sizes);
        }
        locator = Some(next);
    }
}

/// Every record the REST endpoint (`query` or `queryAll`) answers for `soql`, all pages.
async fn rest_records(c: &Client, endpoint: &str, soql: &str) -> Vec<Value> {
    let response = c
        .request(reqwest::Method::GET, endpoint)
        .query(&[("q", soql)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut body: Value = response.json().await.unwrap();
    let mut records = Vec::new();
    loop {
        records.extend(body["records"].as_array().unwrap().iter().cloned());
        let Some(next) = body["nextRecordsUrl"].as_str() else {
            return records;
        };
        let path = next.strip_prefix(&format!("/services/data/{V}/")).unwrap();
        let (status, page) = c.get_json(path).await;
        assert_eq!(status, 200, "{page}");
        body = page;
    }
}

/// What the result file holds for `header` (`Account.Name`) of a REST record: null as an
/// empty cell, datetimes in UTC with a `Z`.
fn expected_cell(record: &Value, header: &str, datetimes: &[&str]) -> String {
    let value = header
        .split('.')
        .try_fold(record, |at, part| at.get(part).filter(|v| !v.is_null()));
    match value {
        None => String::new(),
        Some(Value::String(s)) if datetimes.contains(&header) => {
            s.strip_suffix("+0000").map(|t| format!("{t}Z")).unwrap()
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn assert_same_answer(header: &[String], rows: &[Vec<String>], rest: &[Value], datetimes: &[&str]) {
    assert_eq!(rows.len(), rest.len());
    for (row, record) in rows.iter().zip(rest) {
        for (name, cell) in header.iter().zip(row) {
            assert_eq!(
                cell,
                &expected_cell(record, name, datetimes),
                "{name} of {record}"
            );
        }
    }
}

fn create(org: &SandboxOrg, object: &str, body: Value) -> String {
    org.org()
        .store
        .write(|w| w.create(object, body.as_object().unwrap(), USER))
        .unwrap()
}

#[tokio::test]
async fn a_filtered_sorted_query_with_parent_fields_matches_the_rest_answer() {
    let (org, c) = start().await;
    let accounts = [
        create(
            &org,
            "Account",
            json!({"Name": "Acme", "NumberOfEmployees": 10}),
        ),
        create(&org, "Account", json!({"Name": "Globex, \"the\" company"})),
        create(&org, "Account", json!({"Name": "Initech"})),
    ];
    for i in 0..660 {
        let last_name = if i % 13 == 0 {
            format!("Smith {i:03}")
        } else {
            format!("Doe {:03}", i % 300)
        };
        let mut body = json!({ "LastName": last_name, "Do_Not_Service__c": i % 3 == 0 });
        if let Some(account) = accounts.get(i % 4) {
            body["AccountId"] = json!(account);
        }
        if i % 2 == 0 {
            body["Email"] = json!(format!("doe{i}@example.com"));
        }
        if i % 5 == 0 {
            body["Last_Sync_DateTime__c"] = json!("2024-01-31T12:00:00.250+02:00");
        }
        create(&org, "Contact", body);
    }
    let soql = "SELECT Id, LastName, Email, Do_Not_Service__c, Last_Sync_DateTime__c, \
        Account.Name, Account.NumberOfEmployees, CreatedDate FROM Contact \
        WHERE LastName LIKE 'Doe%' AND CreatedDate = LAST_N_DAYS:1 \
        ORDER BY Account.Name DESC NULLS FIRST, LastName, Id";
    let (id, info) = run_job(&c, "query", soql).await;
    let rest = rest_records(&c, "query", soql).await;
    let expected = (0..660).filter(|i| i % 13 != 0).count();
    assert_eq!(rest.len(), expected);
    assert_eq!(info["numberRecordsProcessed"], expected);

    let (header, rows, sizes) = all_pages(&c, &id, 150).await;
    assert_eq!(
        header,
        [
            "Id",
            "LastName",
            "Email",
            "Do_Not_Service__c",
            "Last_Sync_DateTime__c",
            "Account.Name",
            "Account.NumberOfEmployees",
            "CreatedDate"
        ]
    );
    assert_eq!(sizes, [150, 150, 150, 150, expected - 600]);
    assert_same_answer(
        &header,
        &rows,
        &rest,
        &["Last_Sync_DateTime__c", "CreatedDate"],
    );

    // The cells a reader most often gets wrong, checked as plain text too.
    let first = &rows[0];
    assert_eq!(first[5..7], ["", ""], "no parent: empty cells");
    let created = &first[7];
    assert!(
        created.len() == 24 && created.ends_with('Z') && created.as_bytes()[19] == b'.',
        "{created}"
    );
    let column = |i: usize| -> Vec<&str> { rows.iter().map(|r| r[i].as_str()).collect() };
    assert!(column(3).contains(&"true") && column(3).contains(&"false"));
    assert!(column(4).contains(&"2024-01-31T10:00:00.250Z") && column(4).contains(&""));
    assert!(column(5).contains(&"Globex, \"the\" company"));
}

#[tokio::test]
async fn query_all_includes_soft_deleted_rows() {
    let (org, c) = start().await;
    let ids: Vec<String> = ["Q one", "Q two", "Q three", "Other"]
        .iter()
        .map(|name| create(&org, "Account", json!({ "Name": name })))
        .collect();
    org.org().store.write(|w| w.delete(&ids[1], USER)).unwrap();
    let soql = "SELECT Id, Name, IsDeleted FROM Account WHERE Name LIKE 'Q%' ORDER BY Name";

    let (live, _) = run_job(&c, "query", soql).await;
    let (_, rows, _) = all_pages(&c, &live, 1000).await;
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["Q one", "Q three"]);

    let (all, info) = run_job(&c, "queryAll", soql).await;
    assert_eq!(info["operation"], "queryAll");
    let (header, rows, _) = all_pages(&c, &all, 2).await;
    let deleted: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        deleted,
        [("Q one", "false"), ("Q three", "false"), ("Q two", "true")]
    );
    let rest = rest_records(&c, "queryAll", soql).await;
    assert_same_answer(&header, &rows, &rest, &[]);
}

#[tokio::test]
async fn a_bad_query_is_refused_when_the_job_is_created() {
    let (_org, c) = start().await;
    // The REST endpoint's own refusals, word for word.
    let rest_refused = [
        ("SELECT Nope FROM Account", "INVALID_FIELD"),
        ("SELECT Id, Account.Nope FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Acount", "INVALID_TYPE"),
        ("SELECT Id FROM Account WHERE Name = ", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account ORDER BY", "MALFORMED_QUERY"),
    ];
    // What Bulk API 2.0 alone refuses.
    let bulk_refused = [
        "SELECT COUNT() FROM Account",
        "SELECT COUNT(Id) FROM Account",
        "SELECT Id FROM Account LIMIT 5 OFFSET 1",
        "SELECT Id, BillingAddress FROM Account",
    ];
    for (soql, code) in rest_refused {
        let (status, refused) = c
            .send_json(
                reqwest::Method::POST,
                "jobs/query",
                json!({"operation": "query", "query": soql}),
            )
            .await;
        let (rest_status, rest) = {
            let response = c
                .request(reqwest::Method::GET, "query")
                .query(&[("q", soql)])
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        };
        assert_eq!(
            (status, refused[0]["errorCode"].as_str()),
            (400, Some(code)),
            "{soql}"
        );
        assert_eq!((status, &refused), (rest_status, &rest), "{soql}");
    }
    for soql in bulk_refused {
        let (status, refused) = c
            .send_json(
                reqwest::Method::POST,
                "jobs/query",
                json!({"operation": "queryAll", "query": soql}),
            )
            .await;
        assert_eq!(
            (status, refused[0]["errorCode"].as_str()),
            (400, Some("API_ERROR")),
            "{soql} → {refused}"
        );
    }
    let (_, count) = c
        .send_json(
            reqwest::Method::POST,
            "jobs/query",
            json!({"operation": "query", "query": "SELECT COUNT() FROM Account"}),
        )
        .await;
    assert_eq!(
        count[0]["message"],
        "Aggregate queries such as COUNT() are not supported by Bulk API 2.0 query jobs: \
         select the fields themselves, or count through the REST query endpoint"
    );
    let (_, listed) = c.get_json("jobs/query").await;
    assert_eq!(listed["records"], json!([]), "no job was created");
}
