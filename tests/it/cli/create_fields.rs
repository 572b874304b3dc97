//! Creating the fields a link needs, from the command line, against a sandbox org started with
//! `--schema-replace` and a schema without custom fields: each template's links fail Verify,
//! `--create-missing` (or `--setup-salesforce`) creates what they lack, Verify passes, and a
//! sync writes the new fields. Needs the session keychain (scripts/test.sh).

use std::process::Output;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::cli::{Org, Running, Setup, connect, free_port, start_org, text};

/// One org at a time: concurrent `tether` processes writing the one session keychain make its
/// Secret Service daemon drop requests.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Bare {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    connection: String,
    setup: Setup,
    org: Org,
    _process: Running,
    _dir: tempfile::TempDir,
}

/// The sandbox org's own schema without a custom field or custom object: the standard objects
/// it declares (Organization, User) stay, so that the org starts as usual.
fn schema_without_custom_fields() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sandbox-schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    schema["objects"]
        .as_array_mut()
        .unwrap()
        .retain(|o| !o["name"].as_str().unwrap().ends_with("__c"));
    schema.as_object_mut().unwrap().remove("fields");
    schema.to_string()
}

/// A connected user on an org whose objects have no custom field.
async fn bare_org(connection: &str) -> Bare {
    let turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, schema_without_custom_fields()).unwrap();
    let port = free_port();
    let (process, login) = start_org(
        &format!("http://localhost:{port}/OauthRedirect"),
        &["--schema-replace", schema.to_str().unwrap()],
    );
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(connection)).await;
    let org = Org::sign_in(&login).await;
    Bare {
        _turn: turn,
        connection: connection.to_string(),
        setup,
        org,
        _process: process,
        _dir: dir,
    }
}

impl Bare {
    fn output(&self, args: &[&str]) -> Output {
        self.setup.command(args).output().expect("tether runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.output(args);
        let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "tether {args:?} failed:\n{printed}");
        printed
    }

    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.output(args);
        let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(code), "tether {args:?}:\n{printed}");
        printed
    }

    fn install(&self, template: &str) {
        self.ok(&[
            "link",
            "template",
            template,
            "--connection",
            &self.connection,
        ]);
    }

    fn sql(&self, sql: &str) {
        self.setup.db().execute_batch(sql).expect("local rows");
    }

    /// Verify fails naming the missing field; without a terminal, `--create-missing` refuses
    /// and asks for --yes; with it, the fields are created, granted and verified again.
    fn create_missing(&self, link: &str, object: &str, field: &str) -> String {
        let failed = self.fails(&["link", "verify", link], 1);
        assert!(
            failed.contains(&format!("has no field `{field}`")),
            "{failed}"
        );
        assert!(
            failed.contains(&format!("`tether link verify {link} --create-missing`")),
            "{failed}"
        );
        let refused = self.fails(&["link", "verify", link, "--create-missing"], 2);
        assert!(refused.contains("--yes"), "{refused}");
        let done = self.ok(&["link", "verify", link, "--create-missing", "--yes"]);
        for expected in [
            format!("created {object}.{field}"),
            "created the permission set Tether_Sync".into(),
            "granted read and edit on".into(),
            "assigned Tether_Sync to you".into(),
            "until describe showed every field".into(),
            format!("The link `{link}` is ready: no problems found"),
        ] {
            assert!(done.contains(&expected), "{expected:?} missing:\n{done}");
        }
        done
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_health_gets_its_fields_and_syncs_them() {
    let user = bare_org("create-health").await;
    user.install("customer-health");
    let saved = user.setup.workspace.with_file_name("plan.json");
    let printed = user.fails(
        &[
            "link",
            "verify",
            "customer-health",
            "--create-missing",
            "--save-plan",
            saved.to_str().unwrap(),
        ],
        1,
    );
    assert!(printed.contains("tether fields create"), "{printed}");
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(plan[0]["apiName"], json!("Health_Score__c"));
    assert_eq!(plan[0]["precision"], json!(5));
    assert_eq!(
        plan[1]["picklistValues"],
        json!(["Growing", "Stable", "Declining"])
    );
    let done = user.create_missing("customer-health", "Account", "Health_Score__c");
    assert!(done.contains("created Account.Health_Score__c"), "{done}");
    assert!(done.contains("created Account.Health_Trend__c"), "{done}");
    // Made again: nothing left to create.
    let again = user.ok(&[
        "link",
        "verify",
        "customer-health",
        "--create-missing",
        "--yes",
    ]);
    assert!(again.contains("Nothing to create"), "{again}");
    user.ok(&["link", "verify", "customer-health-stakeholders"]);

    let ids = user
        .org
        .write_records("Account", Method::POST, vec![json!({"Name": "Acme Pools"})])
        .await;
    let id = &ids[0];
    user.sql(&format!(
        "INSERT INTO customers (customer_id, health_score) VALUES ('{id}', 81.5);
         INSERT INTO health_scores VALUES ('{id}', 70, '2024-01-01'), ('{id}', 81.5, '2024-02-01');"
    ));
    user.ok(&["sync", "customer-health"]);
    let account = user
        .org
        .query_all(&format!(
            "SELECT Health_Score__c, Health_Trend__c FROM Account WHERE Id = '{id}'"
        ))
        .await;
    assert_eq!(account[0]["Health_Score__c"], json!(81.5));
    assert_eq!(account[0]["Health_Trend__c"], json!("Growing"));
}

#[tokio::test(flavor = "multi_thread")]
async fn lead_scores_get_their_fields_and_sync_them() {
    let user = bare_org("create-leads").await;
    user.install("lead-scores");
    let done = user.create_missing("lead-scores", "Lead", "Lead_Score_Tier__c");
    assert!(done.contains("created Lead.V4_Deprioritize__c"), "{done}");
    let ids = user
        .org
        .write_records(
            "Lead",
            Method::POST,
            vec![json!({"LastName": "Rivera", "Company": "Blue Lagoon"})],
        )
        .await;
    let id = &ids[0];
    user.sql(&format!(
        "INSERT INTO lead_scores (lead_id, score_tier, expected_conversion_rate, v4_percentile, scored_at)
         VALUES ('{id}', 'TIER_1A_PRIME_MOVER_CFP', 0.1644, 12, datetime('now'));"
    ));
    user.ok(&["sync", "lead-scores"]);
    let lead = user
        .org
        .query_all(&format!(
            "SELECT Lead_Score_Tier__c, Expected_Conversion__c, V4_Deprioritize__c FROM Lead WHERE Id = '{id}'"
        ))
        .await;
    assert_eq!(
        lead[0]["Lead_Score_Tier__c"],
        json!("TIER_1A_PRIME_MOVER_CFP")
    );
    assert_eq!(lead[0]["Expected_Conversion__c"], json!("16.44%"));
    assert_eq!(lead[0]["V4_Deprioritize__c"], json!(true));
}

#[tokio::test(flavor = "multi_thread")]
async fn service_customers_set_up_in_one_step_and_upsert_on_the_new_ids() {
    let user = bare_org("create-service").await;
    user.install("service-customers");
    for link in ["service-accounts", "service-contacts"] {
        let failed = user.fails(&["link", "verify", link], 1);
        assert!(failed.contains("has no field"), "{failed}");
    }
    let done = user.ok(&[
        "link",
        "template",
        "service-customers",
        "--connection",
        &user.connection,
        "--setup-salesforce",
        "--yes",
    ]);
    for expected in [
        "created Account.ServiceTitan_Account_Id__c",
        "created Contact.ServiceTitan_Customer_Id__c",
        "created Account.Customer_Segment__c",
        "The link `service-accounts` is ready",
        "The link `service-contacts` is ready",
    ] {
        assert!(done.contains(expected), "{expected:?} missing:\n{done}");
    }
    let describe: Value = user
        .org
        .http
        .get(format!(
            "{}/services/data/v60.0/sobjects/Account/describe",
            user.org.base
        ))
        .bearer_auth(&user.org.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "ServiceTitan_Account_Id__c")
        .expect("the new field is described");
    assert_eq!(key["externalId"], json!(true));
    assert_eq!(key["unique"], json!(true));
    assert_eq!(key["length"], json!(50));

    user.sql(
        "INSERT INTO service_customers (st_id, name, first_name, last_name, lifetime_value, last_job_date, total_jobs)
         VALUES ('st_1001', 'Rivera Household', 'Ana', 'Rivera', 12500, date('now', '-3 days'), 7);",
    );
    user.ok(&["sync", "--all"]);
    let accounts = user
        .org
        .query_all("SELECT Id, Customer_Segment__c FROM Account WHERE ServiceTitan_Account_Id__c = 'st_1001'")
        .await;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["Customer_Segment__c"], json!("VIP"));
    let contacts = user
        .org
        .query_all("SELECT AccountId, Total_Jobs__c FROM Contact WHERE ServiceTitan_Customer_Id__c = 'st_1001'")
        .await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(contacts[0]["AccountId"], accounts[0]["Id"]);
    assert_eq!(contacts[0]["Total_Jobs__c"], json!(7.0));
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_create_reads_a_spec_file_and_refuses_a_bad_one() {
    let user = bare_org("create-spec").await;
    let spec = user.setup.workspace.with_file_name("fields.json");
    std::fs::write(
        &spec,
        json!([
            {"apiName": "Contract_Tier__c", "label": "Contract Tier", "type": "Picklist",
             "picklistValues": ["Bronze", "Silver", "Gold"]},
            {"apiName": "Seats__c", "label": "Seats", "type": "Number", "precision": 6, "scale": 0},
        ])
        .to_string(),
    )
    .unwrap();
    let spec_arg = spec.to_str().unwrap();
    let args = [
        "fields",
        "create",
        "--connection",
        &user.connection,
        "--object",
        "Account",
        "--spec",
        spec_arg,
    ];
    let refused = user.fails(&args, 2);
    assert!(refused.contains("--yes"), "{refused}");
    let done = user.ok(&[&args[..], &["--yes"]].concat());
    assert!(done.contains("created Account.Contract_Tier__c"), "{done}");
    let tiers = user
        .org
        .query_all("SELECT Contract_Tier__c, Seats__c FROM Account LIMIT 1")
        .await;
    assert!(tiers.len() <= 1, "the new fields can be queried");

    std::fs::write(
        &spec,
        json!([{"apiName": "Too_Precise__c", "label": "Too precise", "type": "Number", "precision": 19}]).to_string(),
    )
    .unwrap();
    let bad = user.fails(&[&args[..], &["--yes"]].concat(), 2);
    assert!(
        bad.contains("`Too_Precise__c` needs a precision of 1 to 18"),
        "{bad}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_gets_a_package_for_an_admin_and_nothing_is_created() {
    let user = bare_org("create-admin").await;
    let login = user.org.base.clone();
    let out = crate::support::cli::tether()
        .args(["connect", "--login-url", &login, "--client-id"])
        .arg(crate::support::cli::CLIENT_ID)
        .args(["--username", sandbox_org::config::OPERATOR_USERNAME])
        .args(["--password-flow", "--name", "create-operator", "--data-dir"])
        .arg(&user.setup.data)
        .env("TETHER_PASSWORD", sandbox_org::config::DEMO_PASSWORD)
        .env("RUST_LOG", "warn")
        .env_remove("TETHER_CLIENT_SECRET")
        .output()
        .expect("tether connect runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let spec = user.setup.workspace.with_file_name("fields.json");
    std::fs::write(
        &spec,
        json!([{"apiName": "Seats__c", "label": "Seats", "type": "Number", "precision": 6, "scale": 0}])
            .to_string(),
    )
    .unwrap();
    let package = user.setup.workspace.with_file_name("for-the-admin.zip");
    let refused = user.fails(
        &[
            "fields",
            "create",
            "--connection",
            "create-operator",
            "--object",
            "Account",
            "--spec",
            spec.to_str().unwrap(),
            "--package",
            package.to_str().unwrap(),
            "--yes",
        ],
        3,
    );
    assert!(
        refused.contains("you may not customise this org"),
        "{refused}"
    );
    assert!(
        refused.contains("Setup → Object Manager → Account"),
        "{refused}"
    );
    let zip = zip::ZipArchive::new(std::fs::File::open(&package).expect("the package is written"))
        .expect("a zip");
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a file name").into_owned())
        .collect();
    assert!(names.iter().any(|n| n == "package.xml"), "{names:?}");
    assert!(
        names.iter().any(|n| n == "objects/Account.object"),
        "{names:?}"
    );
    let defined = user
        .org
        .http
        .get(format!("{}/services/data/v60.0/tooling/query", user.org.base))
        .query(&[(
            "q",
            "SELECT QualifiedApiName FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Account'",
        )])
        .bearer_auth(&user.org.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!defined.contains("Seats__c"), "nothing was created");
}
