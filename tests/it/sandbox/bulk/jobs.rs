//! Job requests and query jobs.

use serde_json::json;

use super::client::{Csv, V, field, start};

#[tokio::test]
async fn job_requests_are_checked_like_a_real_org() {
    let (_org, c) = start().await;
    let cases = [
        (
            json!({"object":"Acount","operation":"insert"}),
            400,
            "INVALIDENTITY",
        ),
        (
            json!({"object":"Account","operation":"upsert"}),
            400,
            "INVALIDJOB",
        ),
        (
            json!({"object":"Account","operation":"upsert","externalIdFieldName":"Name"}),
            400,
            "INVALIDJOB",
        ),
        (
            json!({"object":"Account","operation":"merge"}),
            400,
            "INVALIDJOB",
        ),
        (json!({"object":"Account"}), 400, "INVALIDJOB"),
        (json!({"operation":"insert"}), 400, "INVALIDJOB"),
        (
            json!({"object":"Account","operation":"insert","columnDelimiter":"COLON"}),
            400,
            "INVALIDJOB",
        ),
        (
            json!({"object":"Account","operation":"insert","lineEnding":"CR"}),
            400,
            "INVALIDJOB",
        ),
        (
            json!({"object":"Account","operation":"insert","contentType":"JSON"}),
            400,
            "INVALIDJOB",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = c
            .send_json(reqwest::Method::POST, "jobs/ingest", body.clone())
            .await;
        assert_eq!(
            (got, answer[0]["errorCode"].as_str()),
            (status, Some(code)),
            "{body} → {answer}"
        );
    }
    let (_, upsert) = c
        .send_json(
            reqwest::Method::POST,
            "jobs/ingest",
            json!({"object":"Account","operation":"upsert"}),
        )
        .await;
    assert_eq!(
        upsert[0]["message"],
        "External ID was blank for Account. An External ID must be specified for upsert."
    );
    let (status, _) = c
        .request(reqwest::Method::POST, "jobs/ingest")
        .body("{oops")
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 400);

    let id = c
        .create_ingest(json!({"object":"account","operation":"insert"}))
        .await;
    let (_, info) = c.get_json(&format!("jobs/ingest/{id}")).await;
    assert_eq!(info["object"], "Account");
    assert_eq!(
        info["contentUrl"],
        format!("services/data/{V}/jobs/ingest/{id}/batches")
    );
    let (status, early) = c
        .get_json(&format!("jobs/ingest/{id}/successfulResults"))
        .await;
    assert_eq!(
        (status, early[0]["errorCode"].as_str()),
        (400, Some("INVALIDJOBSTATE"))
    );
    let (status, _) = c
        .request(reqwest::Method::DELETE, &format!("jobs/ingest/{id}"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 400, "an Open job cannot be deleted");
    assert_eq!(c.upload(&id, "Name\nA\n").await.0, 201);
    assert_eq!(
        c.upload(&id, "Name\nB\n").await.0,
        201,
        "several uploads while Open"
    );
    c.set_state("ingest", &id, "UploadComplete").await;
    let (status, late) = c.upload(&id, "Name\nC\n").await;
    assert_eq!(status, 400);
    assert!(late.contains("INVALIDJOBSTATE"), "{late}");
    let (done, _) = c.wait("ingest", &id).await;
    assert_eq!(done["numberRecordsProcessed"], 2);
    let (status, again) = c.set_state("ingest", &id, "UploadComplete").await;
    assert_eq!(
        (status, again[0]["errorCode"].as_str()),
        (400, Some("INVALIDJOBSTATE"))
    );

    let (_, listed) = c.get_json("jobs/ingest").await;
    assert!(
        listed["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == json!(id))
    );
    assert_eq!(listed["done"], true);
    let status = c
        .request(reqwest::Method::DELETE, &format!("jobs/ingest/{id}/"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 204);
    let (status, gone) = c.get_json(&format!("jobs/ingest/{id}")).await;
    assert_eq!(
        (status, gone[0]["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );
}

#[tokio::test]
async fn a_query_job_pages_with_locators() {
    let (org, c) = start().await;
    let names: Vec<String> = (0..1050).map(|i| format!("Account {i:04}")).collect();
    let ids = org.org().store.write(|w| {
        names
            .iter()
            .map(|n| {
                w.create(
                    "Account",
                    json!({"Name": n}).as_object().unwrap(),
                    "005000000000001",
                )
            })
            .collect::<Result<Vec<_>, _>>()
    });
    let mut ids = ids.unwrap();
    org.org()
        .store
        .write(|w| w.delete(&ids[0], "005000000000001"))
        .unwrap();

    let (status, job) = c
        .send_json(
            reqwest::Method::POST,
            "jobs/query",
            json!({"operation":"query","query":"SELECT Id, Name FROM Account"}),
        )
        .await;
    assert_eq!(
        (status, job["state"].as_str(), job["object"].as_str()),
        (200, Some("UploadComplete"), Some("Account")),
        "{job}"
    );
    let id = job["id"].as_str().unwrap().to_string();
    let (info, _) = c.wait("query", &id).await;
    assert_eq!(
        (
            info["state"].as_str(),
            info["numberRecordsProcessed"].as_u64()
        ),
        (Some("JobComplete"), Some(1049))
    );

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
        let count: usize = response.headers()["Sforce-NumberOfRecords"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let next = response.headers()["Sforce-Locator"]
            .to_str()
            .unwrap()
            .to_string();
        let text = response.text().await.unwrap();
        assert!(
            text.starts_with("\"Id\",\"Name\"\n"),
            "{}",
            &text[..40.min(text.len())]
        );
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
    assert_eq!(
        seen, ids,
        "every live record once, the deleted one left out"
    );

    let (_, all) = c
        .send_json(
            reqwest::Method::POST,
            "jobs/query",
            json!({"operation":"queryAll","query":"SELECT Id FROM Account"}),
        )
        .await;
    let (info, _) = c.wait("query", all["id"].as_str().unwrap()).await;
    assert_eq!(
        info["numberRecordsProcessed"], 1050,
        "queryAll includes deleted records"
    );

    let (status, bad) = c
        .send_json(
            reqwest::Method::POST,
            "jobs/query",
            json!({"operation":"query","query":"SELECT Nope FROM Account"}),
        )
        .await;
    assert_eq!(
        (status, bad[0]["errorCode"].as_str()),
        (400, Some("INVALID_FIELD"))
    );
    let (status, bad) = c
        .get_json(&format!("jobs/query/{id}/results?locator=bm9wZQ"))
        .await;
    assert_eq!(
        (status, bad[0]["errorCode"].as_str()),
        (400, Some("INVALID_QUERY_LOCATOR"))
    );
}
