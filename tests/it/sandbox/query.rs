//! The query endpoints of a running sandbox org, over real HTTP on 127.0.0.1.

use std::collections::HashSet;

use reqwest::StatusCode;
use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::testing::SfError;
use sandbox_org::{OrgConfig, SandboxOrg};
use serde_json::{Map, Value, json};

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn new(org: &SandboxOrg) -> Client {
        let http = reqwest::Client::new();
        let base = org.base_url();
        let response = http
            .post(format!("{base}/services/oauth2/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", DEMO_CLIENT_ID),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), StatusCode::OK, "the demo user signs in");
        let body: Value = response.json().await.expect("token JSON");
        let token = body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string();
        Client { http, base, token }
    }

    async fn get(&self, path: &str, batch: Option<u32>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(n) = batch {
            request = request.header("Sforce-Query-Options", format!("batchSize={n}"));
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn query(&self, resource: &str, soql: &str, batch: Option<u32>) -> (StatusCode, Value) {
        let q: String = url_encode(soql);
        self.get(&format!("/services/data/v60.0/{resource}?q={q}"), batch)
            .await
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn start() -> SandboxOrg {
    SandboxOrg::start(OrgConfig::default())
        .await
        .expect("sandbox org starts")
}

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// Creates `count` accounts named `Account 0000`, `Account 0001`...; returns their ids.
fn seed_accounts(org: &SandboxOrg, count: usize) -> Vec<String> {
    let owner = org.org().auth.admin_user_id();
    org.org()
        .store
        .write(|w| {
            (0..count)
                .map(|i| {
                    w.create(
                        "Account",
                        &fields(json!({"Name": format!("Account {i:04}")})),
                        &owner,
                    )
                })
                .collect::<Result<Vec<String>, Vec<SfError>>>()
        })
        .expect("accounts are created")
}

fn errors_of(body: &Value) -> (String, String) {
    (
        body[0]["errorCode"].as_str().unwrap_or("").to_string(),
        body[0]["message"].as_str().unwrap_or("").to_string(),
    )
}

#[tokio::test]
async fn pages_follow_next_records_url_until_done() {
    let org = start().await;
    let created = seed_accounts(&org, 450);
    let client = Client::new(&org).await;
    let (status, mut page) = client
        .query(
            "query",
            "SELECT Id, Name FROM Account ORDER BY Name DESC",
            Some(200),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut names = Vec::new();
    let mut sizes = Vec::new();
    loop {
        assert_eq!(page["totalSize"], 450);
        let records = page["records"].as_array().expect("records").clone();
        sizes.push(records.len());
        names.extend(
            records
                .iter()
                .map(|r| r["Name"].as_str().unwrap_or("").to_string()),
        );
        if page["done"] == true {
            assert!(page.get("nextRecordsUrl").is_none(), "{page}");
            break;
        }
        let next = page["nextRecordsUrl"]
            .as_str()
            .expect("nextRecordsUrl")
            .to_string();
        let locator = next
            .strip_prefix("/services/data/v60.0/query/")
            .expect("under /query/");
        let (cursor, offset) = locator.rsplit_once('-').expect("cursor-offset");
        assert!(cursor.starts_with("01g") && cursor.len() == 18, "{next}");
        assert_eq!(offset.parse::<usize>().ok(), Some(names.len()), "{next}");
        let (status, body) = client.get(&next, Some(200)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        page = body;
    }
    assert_eq!(sizes, [200, 200, 50]);
    let mut want: Vec<String> = (0..450).map(|i| format!("Account {i:04}")).collect();
    want.reverse();
    assert_eq!(names, want);
    assert_eq!(created.len(), 450);
}

#[tokio::test]
async fn default_batch_is_2000_and_small_batch_sizes_are_raised_to_200() {
    let org = start().await;
    seed_accounts(&org, 2100);
    let client = Client::new(&org).await;
    let (_, page) = client.query("query", "SELECT Id FROM Account", None).await;
    assert_eq!(
        (page["records"].as_array().map(Vec::len), &page["done"]),
        (Some(2000), &json!(false))
    );
    let (_, page) = client
        .query("query", "SELECT Id FROM Account", Some(5))
        .await;
    assert_eq!(page["records"].as_array().map(Vec::len), Some(200));
    let (_, page) = client
        .query("query", "SELECT Id FROM Account LIMIT 150", Some(200))
        .await;
    assert_eq!(
        (page["totalSize"].as_u64(), &page["done"]),
        (Some(150), &json!(true))
    );
}

#[tokio::test]
async fn query_all_adds_deleted_rows_and_pages_under_query() {
    let org = start().await;
    let ids = seed_accounts(&org, 260);
    let owner = org.org().auth.admin_user_id();
    org.org()
        .store
        .write(|w| w.delete(&ids[0], &owner))
        .expect("delete");
    let client = Client::new(&org).await;
    let soql = "SELECT Id, IsDeleted FROM Account ORDER BY Name";
    let (_, live) = client.query("query", soql, Some(200)).await;
    assert_eq!(live["totalSize"], 259);
    assert!(
        live["records"]
            .as_array()
            .expect("records")
            .iter()
            .all(|r| r["IsDeleted"] == false)
    );
    let (_, all) = client.query("queryAll/", soql, Some(200)).await;
    assert_eq!(all["totalSize"], 260);
    assert_eq!(all["records"][0]["Id"], ids[0].as_str());
    assert_eq!(all["records"][0]["IsDeleted"], true);
    let next = all["nextRecordsUrl"].as_str().expect("second page");
    assert!(next.starts_with("/services/data/v60.0/query/01g"), "{next}");
    let (status, rest) = client.get(next, None).await;
    assert_eq!(
        (status, rest["records"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(60))
    );
    let (_, deleted) = client
        .query(
            "queryAll",
            "SELECT Id FROM Account WHERE IsDeleted = true",
            None,
        )
        .await;
    assert_eq!(deleted["records"][0]["Id"], ids[0].as_str());
}

#[tokio::test]
async fn count_answers_only_the_total() {
    let org = start().await;
    seed_accounts(&org, 7);
    let client = Client::new(&org).await;
    let (status, body) = client
        .query(
            "query/",
            "select count() from account where name like 'account 000%'",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"totalSize": 7, "done": true, "records": []}));
    let (_, body) = client
        .query("query", "SELECT COUNT(Id) FROM Account", None)
        .await;
    assert_eq!(
        body["records"][0],
        json!({"attributes": {"type": "AggregateResult"}, "expr0": 7})
    );
}

#[tokio::test]
async fn records_have_the_real_shape_with_nested_parents() {
    let org = start().await;
    let owner = org.org().auth.admin_user_id();
    let account = seed_accounts(&org, 1).remove(0);
    org.org()
        .store
        .write(|w| {
            w.create(
                "Contact",
                &fields(json!({"LastName": "Ng", "AccountId": account})),
                &owner,
            )?;
            w.create("Contact", &fields(json!({"LastName": "Park"})), &owner)
        })
        .expect("contacts");
    let client = Client::new(&org).await;
    let (status, body) = client
        .query(
            "query",
            "select lastname, account.name from contact order by lastname",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = &body["records"][0];
    let keys: Vec<&String> = first.as_object().expect("record").keys().collect();
    assert_eq!(keys, ["attributes", "LastName", "Account"]);
    assert_eq!(first["attributes"]["type"], "Contact");
    let url = first["attributes"]["url"].as_str().unwrap_or("");
    assert!(
        url.starts_with("/services/data/v60.0/sobjects/Contact/003"),
        "{url}"
    );
    assert_eq!(
        first["Account"],
        json!({"attributes": {"type": "Account", "url": format!("/services/data/v60.0/sobjects/Account/{account}")}, "Name": "Account 0000"})
    );
    assert_eq!(body["records"][1]["Account"], Value::Null);
}

#[tokio::test]
async fn incremental_sync_reads_changes_in_modstamp_order() {
    let org = start().await;
    let ids = seed_accounts(&org, 30);
    let client = Client::new(&org).await;
    let (_, all) = client
        .query(
            "query",
            "SELECT Id, SystemModstamp FROM Account ORDER BY SystemModstamp, Id",
            None,
        )
        .await;
    let newest = all["records"][29]["SystemModstamp"]
        .as_str()
        .expect("stamp")
        .to_string();
    let owner = org.org().auth.admin_user_id();
    // The store stamps to the millisecond: wait until the clock has moved past the last stamp.
    while sandbox_org::testing::format_datetime_ms(chrono::Utc::now().timestamp_millis()) <= newest
    {
        tokio::task::yield_now().await;
    }
    org.org()
        .store
        .write(|w| {
            w.update(
                "Account",
                &ids[3],
                &fields(json!({"Name": "Renamed"})),
                &owner,
            )
        })
        .expect("update");
    let cursor = newest.replace(".000+0000", "Z").replace("+0000", "Z");
    let soql = format!(
        "SELECT Id, Name FROM Account WHERE SystemModstamp >= {cursor} ORDER BY SystemModstamp, Id"
    );
    let (status, changed) = client.query("query", &soql, None).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let records = changed["records"].as_array().expect("records");
    let last = records.last().expect("at least the update");
    assert_eq!(
        (last["Id"].as_str(), last["Name"].as_str()),
        (Some(ids[3].as_str()), Some("Renamed"))
    );
    let distinct: HashSet<&str> = records.iter().filter_map(|r| r["Id"].as_str()).collect();
    assert_eq!(distinct.len(), records.len());
    // The same rows through a full scan: `Name != null` holds for every account.
    let scanned = soql.replace(" ORDER BY", " AND Name != null ORDER BY");
    let (_, by_scan) = client.query("query", &scanned, None).await;
    assert_eq!(by_scan["records"], changed["records"]);
}

#[tokio::test]
async fn errors_have_the_org_codes() {
    let org = start().await;
    let client = Client::new(&org).await;
    let cases: &[(&str, StatusCode, &str, &str)] = &[
        (
            "SELECT Id FROM Account WHERE",
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token: <EOF>",
        ),
        (
            "SELECT Foo FROM Account",
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            "No such column 'Foo' on entity 'Account'",
        ),
        (
            "SELECT Id FROM Acount",
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            "sObject type 'Acount' is not supported",
        ),
        (
            "SELECT Id FROM Account OFFSET 2001",
            StatusCode::BAD_REQUEST,
            "NUMBER_OUTSIDE_VALID_RANGE",
            "Maximum SOQL offset",
        ),
    ];
    for (soql, status, code, fragment) in cases {
        let (got, body) = client.query("query", soql, None).await;
        let (got_code, message) = errors_of(&body);
        assert_eq!((got, got_code.as_str()), (*status, *code), "{soql}: {body}");
        assert!(message.contains(fragment), "{soql}: {message}");
    }
    let (status, body) = client.get("/services/data/v60.0/query", None).await;
    assert_eq!(
        (status, errors_of(&body).0.as_str()),
        (StatusCode::BAD_REQUEST, "MALFORMED_QUERY")
    );
    for locator in ["01g5g000000000AAAA-200", "nonsense", "01g5g000000000AAAA-x"] {
        let (status, body) = client
            .get(&format!("/services/data/v60.0/query/{locator}"), None)
            .await;
        assert_eq!(
            (status, errors_of(&body)),
            (
                StatusCode::BAD_REQUEST,
                (
                    "INVALID_QUERY_LOCATOR".to_string(),
                    "invalid query locator".to_string()
                )
            ),
            "{locator}"
        );
    }
    let (status, _) = client.query("query", "SELECT Id FROM Account", None).await;
    assert_eq!(status, StatusCode::OK);
    let anonymous = client
        .http
        .get(format!(
            "{}/services/data/v60.0/query?q=SELECT+Id+FROM+Account",
            client.base
        ))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = client
        .get("/services/data/v20.0/query?q=SELECT+Id+FROM+Account", None)
        .await;
    assert_eq!(
        (status, errors_of(&body).0.as_str()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
}

/// External ids are indexed, as in a real org: a lookup by external id reads only the records
/// it names, and answers exactly what a scan would (case ignored, deleted records left out,
/// the rest of the filter and the order applied).
#[tokio::test]
async fn lookups_by_external_id_answer_like_a_scan() {
    let org = start().await;
    let owner = org.org().auth.admin_user_id();
    let ids: Vec<String> = org
        .org()
        .store
        .write(|w| {
            (0..300)
                .map(|i| {
                    w.create(
                        "Account",
                        &fields(json!({"Name": format!("Account {:04}", 300 - i), "External_Id__c": format!("EXT-{i}")})),
                        &owner,
                    )
                })
                .collect::<Result<Vec<String>, Vec<SfError>>>()
        })
        .expect("accounts are created");
    org.org()
        .store
        .write(|w| w.delete(&ids[3], &owner))
        .expect("delete");
    let client = Client::new(&org).await;
    let names = |body: &Value| -> Vec<String> {
        body["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| r["External_Id__c"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let cases = [
        // Indexed, and the same filter written so that no index can answer it.
        (
            "External_Id__c IN ('ext-1', 'EXT-2', 'EXT-3', 'EXT-250', 'none') ORDER BY Name",
            vec!["EXT-250", "EXT-2", "EXT-1"],
        ),
        (
            "(External_Id__c IN ('ext-1', 'EXT-2', 'EXT-3', 'EXT-250', 'none') OR Name = 'x') ORDER BY Name",
            vec!["EXT-250", "EXT-2", "EXT-1"],
        ),
        (
            "External_Id__c = 'ext-7' AND Name = 'Account 0293'",
            vec!["EXT-7"],
        ),
        ("External_Id__c = 'ext-7' AND Name = 'Account 0001'", vec![]),
    ];
    for (condition, expected) in cases {
        let soql = format!("SELECT Id, External_Id__c FROM Account WHERE {condition}");
        let (status, body) = client.query("query", &soql, None).await;
        assert_eq!(status, StatusCode::OK, "{soql}: {body}");
        assert_eq!(names(&body), expected, "{soql}");
    }
}

/// Every user of the org has a User record; its full name is compound, written by the org from
/// the first and last names, and a client cannot set it.
#[tokio::test]
async fn users_have_records_with_a_compound_name() {
    let org = start().await;
    let client = Client::new(&org).await;
    let (status, body) = client
        .query("query", "SELECT Username, Name, Email FROM User", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["records"][0]["Username"], DEMO_USERNAME, "{body}");
    assert_eq!(body["records"][0]["Name"], "Avery Admin", "{body}");
    let (_, describe) = client
        .get("/services/data/v60.0/sobjects/User/describe", None)
        .await;
    let name = describe["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "Name")
        .expect("a Name field");
    assert_eq!(
        (name["createable"].clone(), name["updateable"].clone()),
        (json!(false), json!(false))
    );
}

/// `POST /__sandbox/records/age` moves an object's records into the past as existing data:
/// the incremental query from an hour ago finds none of them, from two days ago all of them.
#[tokio::test]
async fn aged_records_are_read_by_queryall_as_changed_in_the_past() {
    let org = start().await;
    let ids = seed_accounts(&org, 5);
    let client = Client::new(&org).await;
    let age = |body: Value| {
        client
            .http
            .post(format!("{}/__sandbox/records/age", client.base))
            .json(&body)
            .send()
    };
    let answer = age(json!({"object": "Account", "seconds": 86_400}))
        .await
        .expect("age request");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.json::<Value>().await.unwrap(), json!({"moved": 5}));
    let refused = age(json!({"object": "Account", "seconds": 0}))
        .await
        .expect("age request");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let since = |hours: i64| {
        let at = chrono::Utc::now() - chrono::Duration::hours(hours);
        format!(
            "SELECT Id, CreatedDate FROM Account WHERE SystemModstamp >= {} ORDER BY SystemModstamp, Id",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        )
    };
    let (_, recent) = client.query("queryAll", &since(1), None).await;
    assert_eq!(recent["totalSize"], json!(0), "{recent}");
    let (_, older) = client.query("queryAll", &since(48), None).await;
    let found: HashSet<&str> = older["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["Id"].as_str())
        .collect();
    assert_eq!(found, ids.iter().map(String::as_str).collect());
}
