//! Each user of the org, through the HTTP surface: what describe shows it, what SOQL and
//! writes let it do, and how grants written through REST change that.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::config::{DEMO_USERNAME, OPERATOR_USERNAME, OrgConfig, VIEWER_USERNAME};
use crate::http::{AppState, router};

const V: &str = "/services/data/v60.0";
const FIELD: &str = "Health_Score__c";
const NO_SUCH_COLUMN: &str = "No such column 'Health_Score__c' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

struct Org {
    state: AppState,
}

struct Answer {
    status: StatusCode,
    last_modified: Option<String>,
    body: Value,
}

impl Org {
    fn start(data_file: Option<&std::path::Path>) -> Org {
        let config = OrgConfig {
            data_file: data_file.map(std::path::Path::to_path_buf),
            ..OrgConfig::default()
        };
        Org {
            state: AppState::new(config, ([127, 0, 0, 1], 0).into()).unwrap(),
        }
    }

    async fn call(&self, user: &str, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call_with(user, method, path, body, None).await
    }

    async fn call_with(
        &self,
        user: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        if_modified_since: Option<&str>,
    ) -> Answer {
        let token = self.state.org.auth.session_of(user).unwrap();
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(since) = if_modified_since {
            request = request.header(header::IF_MODIFIED_SINCE, since);
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let response = router(self.state.clone())
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let last_modified = response
            .headers()
            .get(header::LAST_MODIFIED)
            .map(|h| h.to_str().unwrap().to_string());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            last_modified,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    async fn query(&self, user: &str, soql: &str) -> Answer {
        let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        self.call(user, "GET", &format!("{V}/query?q={q}"), None)
            .await
    }

    fn user_id(&self, username: &str) -> String {
        self.state.org.auth.user_id(username).unwrap()
    }

    /// The permission set the user's profile owns.
    async fn profile_set(&self, username: &str) -> String {
        let soql = format!(
            "SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '{}'",
            self.user_id(username)
        );
        let answer = self.query(DEMO_USERNAME, &soql).await;
        answer.body["records"][0]["PermissionSetId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The ids of the FieldPermissions of `Account.FIELD` for `username`'s profile.
    async fn field_grant(&self, username: &str) -> String {
        let soql = format!(
            "SELECT Id FROM FieldPermissions WHERE ParentId = '{}' AND Field = 'Account.{FIELD}'",
            self.profile_set(username).await
        );
        let answer = self.query(DEMO_USERNAME, &soql).await;
        answer.body["records"][0]["Id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn account_field(&self, user: &str) -> Option<Value> {
        let describe = self
            .call(user, "GET", &format!("{V}/sobjects/Account/describe"), None)
            .await;
        assert_eq!(describe.status, StatusCode::OK, "{}", describe.body);
        describe.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == FIELD)
            .cloned()
    }

    async fn an_account(&self) -> String {
        let created = self
            .call(
                DEMO_USERNAME,
                "POST",
                &format!("{V}/sobjects/Account"),
                Some(json!({"Name": "Grants Test", FIELD: 10})),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        created.body["id"].as_str().unwrap().to_string()
    }
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn each_user_sees_account_as_its_profile_allows() {
    run(async {
        let org = Org::start(None);
        // (user, object createable, field updateable)
        let table = [
            (DEMO_USERNAME, true, true),
            (OPERATOR_USERNAME, true, true),
            (VIEWER_USERNAME, false, false),
        ];
        for (user, createable, updateable) in table {
            let describe = org
                .call(user, "GET", &format!("{V}/sobjects/Account/describe"), None)
                .await;
            assert_eq!(describe.body["createable"], createable, "{user}");
            let field = org.account_field(user).await.expect(user);
            assert_eq!(field["updateable"], updateable, "{user}");
            assert_eq!(field["createable"], updateable, "{user}");
        }
    });
}

#[test]
fn permissions_read_as_a_client_reads_them() {
    run(async {
        let org = Org::start(None);
        // (user, profile, customize application, api enabled)
        let table = [
            (DEMO_USERNAME, "System Administrator", true, true),
            (OPERATOR_USERNAME, "Standard User", false, true),
            (VIEWER_USERNAME, "Read Only", false, true),
        ];
        for (user, profile, customize, api) in table {
            let soql = format!(
                "SELECT PermissionSet.Name, PermissionSet.PermissionsCustomizeApplication, PermissionSet.PermissionsModifyAllData, PermissionSet.PermissionsApiEnabled, PermissionSet.Profile.Name FROM PermissionSetAssignment WHERE AssigneeId = '{}'",
                org.user_id(user)
            );
            let answer = org.query(user, &soql).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            let set = &answer.body["records"][0]["PermissionSet"];
            assert_eq!(set["Profile"]["Name"], profile, "{user}");
            assert_eq!(set["PermissionsCustomizeApplication"], customize, "{user}");
            assert_eq!(set["PermissionsModifyAllData"], customize, "{user}");
            assert_eq!(set["PermissionsApiEnabled"], api, "{user}");
            let me = org
                .query(
                    user,
                    &format!(
                        "SELECT Profile.Name FROM User WHERE Id = '{}'",
                        org.user_id(user)
                    ),
                )
                .await;
            assert_eq!(me.body["records"][0]["Profile"]["Name"], profile);
        }
    });
}

#[test]
fn a_field_without_grant_is_gone_from_describe_soql_and_writes() {
    run(async {
        let org = Org::start(None);
        let account = org.an_account().await;
        let grant = org.field_grant(OPERATOR_USERNAME).await;
        let deleted = org
            .call(
                DEMO_USERNAME,
                "DELETE",
                &format!("{V}/sobjects/FieldPermissions/{grant}"),
                None,
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        assert!(org.account_field(OPERATOR_USERNAME).await.is_none());
        assert!(org.account_field(DEMO_USERNAME).await.is_some());
        let soql = format!("SELECT Id, {FIELD} FROM Account");
        let refused = org.query(OPERATOR_USERNAME, &soql).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.body[0]["errorCode"], "INVALID_FIELD");
        let located =
            "\nSELECT Id, Health_Score__c FROM Account\n           ^\nERROR at Row:1:Column:12\n";
        assert_eq!(
            refused.body[0]["message"],
            format!("{located}{NO_SUCH_COLUMN}")
        );
        let admin = org.query(DEMO_USERNAME, &soql).await;
        assert_eq!(admin.status, StatusCode::OK, "{}", admin.body);
        let encoded: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        let search: String = url::form_urlencoded::byte_serialize(
            format!("FIND {{Grants}} RETURNING Account({FIELD})").as_bytes(),
        )
        .collect();
        // (method, path, body): every other way of reading records refuses the field too.
        let paths = [
            ("GET", format!("{V}/queryAll?q={encoded}"), None),
            ("GET", format!("{V}/query?explain={encoded}"), None),
            ("GET", format!("{V}/search?q={search}"), None),
            (
                "POST",
                format!("{V}/jobs/query"),
                Some(json!({"operation": "query", "query": soql})),
            ),
        ];
        for (method, path, body) in paths {
            let refused = org
                .call(OPERATOR_USERNAME, method, &path, body.clone())
                .await;
            assert_eq!(
                refused.status,
                StatusCode::BAD_REQUEST,
                "{path}: {}",
                refused.body
            );
            assert_eq!(refused.body[0]["errorCode"], "INVALID_FIELD", "{path}");
            let allowed = org.call(DEMO_USERNAME, method, &path, body).await;
            assert!(allowed.status.is_success(), "{path}: {}", allowed.body);
        }
        let record = org
            .call(
                OPERATOR_USERNAME,
                "GET",
                &format!("{V}/sobjects/Account/{account}"),
                None,
            )
            .await;
        assert!(record.body.get("Name").is_some());
        assert!(record.body.get(FIELD).is_none(), "{}", record.body);
        let write = org
            .call(
                OPERATOR_USERNAME,
                "PATCH",
                &format!("{V}/sobjects/Account/{account}"),
                Some(json!({ FIELD: 20 })),
            )
            .await;
        assert_eq!(write.status, StatusCode::BAD_REQUEST);
        assert_eq!(write.body[0]["errorCode"], "INVALID_FIELD");
    });
}

#[test]
fn writing_a_read_only_field_is_refused_per_record() {
    run(async {
        let org = Org::start(None);
        let account = org.an_account().await;
        let grant = org.field_grant(OPERATOR_USERNAME).await;
        let narrowed = org
            .call(
                DEMO_USERNAME,
                "PATCH",
                &format!("{V}/sobjects/FieldPermissions/{grant}"),
                Some(json!({"PermissionsEdit": false})),
            )
            .await;
        assert_eq!(narrowed.status, StatusCode::NO_CONTENT, "{}", narrowed.body);
        let field = org.account_field(OPERATOR_USERNAME).await.unwrap();
        assert_eq!(field["updateable"], false);
        let write = org
            .call(
                OPERATOR_USERNAME,
                "PATCH",
                &format!("{V}/sobjects/Account/{account}"),
                Some(json!({ FIELD: 20 })),
            )
            .await;
        assert_eq!(write.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            write.body[0]["errorCode"],
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(write.body[0]["fields"], json!([FIELD]));
        let batch = org
            .call(
                OPERATOR_USERNAME,
                "PATCH",
                &format!("{V}/composite/sobjects"),
                Some(json!({"allOrNone": false, "records": [
                    {"attributes": {"type": "Account"}, "Id": account, "Name": "Renamed"},
                    {"attributes": {"type": "Account"}, "Id": account, FIELD: 30},
                ]})),
            )
            .await;
        assert_eq!(batch.status, StatusCode::OK, "{}", batch.body);
        assert_eq!(batch.body[0]["success"], true, "{}", batch.body);
        assert_eq!(batch.body[1]["success"], false);
        assert_eq!(
            batch.body[1]["errors"][0]["statusCode"],
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        // (user, status of an update of Name): the viewer may not edit Accounts at all.
        for (user, status) in [
            (OPERATOR_USERNAME, StatusCode::NO_CONTENT),
            (VIEWER_USERNAME, StatusCode::BAD_REQUEST),
        ] {
            let write = org
                .call(
                    user,
                    "PATCH",
                    &format!("{V}/sobjects/Account/{account}"),
                    Some(json!({"Name": "Renamed again"})),
                )
                .await;
            assert_eq!(write.status, status, "{user}: {}", write.body);
        }
    });
}

#[test]
fn a_grant_made_through_rest_shows_the_field_with_a_newer_last_modified() {
    run(async {
        let org = Org::start(None);
        let viewer_set = org.profile_set(VIEWER_USERNAME).await;
        let grant = org.field_grant(VIEWER_USERNAME).await;
        org.call(
            DEMO_USERNAME,
            "DELETE",
            &format!("{V}/sobjects/FieldPermissions/{grant}"),
            None,
        )
        .await;
        let path = format!("{V}/sobjects/Account/describe");
        let before = org.call(VIEWER_USERNAME, "GET", &path, None).await;
        let stamp = before.last_modified.clone().unwrap();
        assert!(org.account_field(VIEWER_USERNAME).await.is_none());
        let unchanged = org
            .call_with(VIEWER_USERNAME, "GET", &path, None, Some(&stamp))
            .await;
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
        let grant = json!({"ParentId": viewer_set, "SobjectType": "Account",
                           "Field": format!("Account.{FIELD}"), "PermissionsRead": true});
        let created = org
            .call(
                DEMO_USERNAME,
                "POST",
                &format!("{V}/sobjects/FieldPermissions"),
                Some(grant.clone()),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let after = org
            .call_with(VIEWER_USERNAME, "GET", &path, None, Some(&stamp))
            .await;
        assert_eq!(after.status, StatusCode::OK);
        let newer = chrono::DateTime::parse_from_rfc2822(&after.last_modified.unwrap()).unwrap();
        assert!(newer > chrono::DateTime::parse_from_rfc2822(&stamp).unwrap());
        assert!(org.account_field(VIEWER_USERNAME).await.is_some());
        let duplicate = org
            .call(
                DEMO_USERNAME,
                "POST",
                &format!("{V}/sobjects/FieldPermissions"),
                Some(grant),
            )
            .await;
        assert_eq!(duplicate.body[0]["errorCode"], "DUPLICATE_VALUE");
    });
}

#[test]
fn only_users_who_customize_write_permission_objects() {
    run(async {
        let org = Org::start(None);
        let set = |name: &str| json!({"Name": name, "Label": "Tether Sync"});
        // (user, object, body, status, error code)
        let table = [
            (
                OPERATOR_USERNAME,
                "PermissionSet",
                set("Tether_Sync"),
                StatusCode::BAD_REQUEST,
                "INSUFFICIENT_ACCESS_OR_READONLY",
            ),
            (
                VIEWER_USERNAME,
                "PermissionSet",
                set("Tether_Sync"),
                StatusCode::BAD_REQUEST,
                "INSUFFICIENT_ACCESS_OR_READONLY",
            ),
            (
                DEMO_USERNAME,
                "PermissionSet",
                set("Tether_Sync"),
                StatusCode::CREATED,
                "",
            ),
            (
                DEMO_USERNAME,
                "PermissionSet",
                set("Tether_Sync"),
                StatusCode::BAD_REQUEST,
                "DUPLICATE_DEVELOPER_NAME",
            ),
            (
                OPERATOR_USERNAME,
                "Profile",
                json!({"Name": "Mine"}),
                StatusCode::BAD_REQUEST,
                "INSUFFICIENT_ACCESS_OR_READONLY",
            ),
        ];
        for (user, object, body, status, code) in table {
            let answer = org
                .call(user, "POST", &format!("{V}/sobjects/{object}"), Some(body))
                .await;
            assert_eq!(answer.status, status, "{user} {object}: {}", answer.body);
            if !code.is_empty() {
                assert_eq!(answer.body[0]["errorCode"], code, "{user} {object}");
            }
        }
        let grant = org.field_grant(VIEWER_USERNAME).await;
        let deleted = org
            .call(
                VIEWER_USERNAME,
                "DELETE",
                &format!("{V}/sobjects/FieldPermissions/{grant}"),
                None,
            )
            .await;
        assert_eq!(
            deleted.body[0]["errorCode"],
            "INSUFFICIENT_ACCESS_OR_READONLY"
        );
        let org_of = &org.state.org;
        assert!(crate::access::may_customize(
            org_of,
            &org.user_id(DEMO_USERNAME)
        ));
        assert!(!crate::access::may_customize(
            org_of,
            &org.user_id(OPERATOR_USERNAME)
        ));
    });
}

#[test]
fn a_deleted_grant_stays_deleted_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.db");
    run(async {
        let org = Org::start(Some(&file));
        let grant = org.field_grant(OPERATOR_USERNAME).await;
        let deleted = org
            .call(
                DEMO_USERNAME,
                "DELETE",
                &format!("{V}/sobjects/FieldPermissions/{grant}"),
                None,
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    });
    run(async {
        let org = Org::start(Some(&file));
        assert!(org.account_field(OPERATOR_USERNAME).await.is_none());
        assert!(org.account_field(VIEWER_USERNAME).await.is_some());
        let soql = format!("SELECT COUNT() FROM FieldPermissions WHERE Field = 'Account.{FIELD}'");
        let grants = org.query(DEMO_USERNAME, &soql).await;
        assert_eq!(grants.body["totalSize"], 2, "{}", grants.body);
        let profiles = org
            .query(DEMO_USERNAME, "SELECT COUNT() FROM Profile")
            .await;
        assert_eq!(profiles.body["totalSize"], 3);
    });
}

#[test]
fn an_upsert_by_a_hidden_external_id_finds_no_such_field() {
    run(async {
        let org = Org::start(None);
        let soql = format!(
            "SELECT Id FROM FieldPermissions WHERE ParentId = '{}' AND Field = 'Account.External_Id__c'",
            org.profile_set(OPERATOR_USERNAME).await
        );
        let grant = org.query(DEMO_USERNAME, &soql).await.body["records"][0]["Id"].clone();
        let path = format!("{V}/sobjects/FieldPermissions/{}", grant.as_str().unwrap());
        org.call(DEMO_USERNAME, "DELETE", &path, None).await;
        let body = serde_json::Map::from_iter([("Name".to_string(), json!("By Key"))]);
        // (user, outcome): the store itself, under Bulk and every other write path.
        for (user, found) in [(DEMO_USERNAME, true), (OPERATOR_USERNAME, false)] {
            let user_id = org.user_id(user);
            let outcome = org
                .state
                .org
                .store
                .write(|w| w.upsert("Account", "External_Id__c", "KEY-1", &body, &user_id));
            match outcome {
                Ok(_) => assert!(found, "{user}"),
                Err(crate::store::UpsertError::Errors(errors)) => {
                    assert!(!found, "{user}: {errors:?}");
                    assert_eq!(errors[0].code, "NOT_FOUND");
                }
                Err(other) => panic!("{user}: {other:?}"),
            }
        }
        let rest = org
            .call(
                OPERATOR_USERNAME,
                "PATCH",
                &format!("{V}/sobjects/Account/External_Id__c/KEY-2"),
                Some(json!({"Name": "By Key"})),
            )
            .await;
        assert_eq!(rest.status, StatusCode::NOT_FOUND, "{}", rest.body);
    });
}
