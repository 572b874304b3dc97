//! The mapping studio's service handlers against the sandbox org and a temporary workspace.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::support::client::*;
use tether::desktop::{
    DesktopConfig, Event, FieldInfo, LocalColumn, LocalTable, Request, Service, Topic, WindowEnd,
    channels,
};
use tether::sync::link::{Direction, FieldMapping, Link, MatchKey};
use tether::sync::verify::Severity;
use tether::workspace::Workspace;

struct Studio {
    _org: TestOrg,
    service: Arc<Service>,
    window: WindowEnd,
    dir: tempfile::TempDir,
    workspace: PathBuf,
}

impl Studio {
    async fn new() -> Studio {
        let (org, client) = org_and_client().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let workspace = dir.path().join("workspace.sqlite");
        let ws = Workspace::open(&workspace).expect("workspace opens");
        ws.conn()
            .execute_batch(
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, industry TEXT, rating REAL, sf_id TEXT);
                 INSERT INTO customers (id, name, industry, rating) VALUES (1, 'Acme', 'Energy', 4.5), (2, 'Globex', 'Retail', 3.0), (3, 'Initech', NULL, NULL);",
            )
            .expect("customers table");
        let (service_end, window) = channels(Arc::new(|| {}));
        let config = DesktopConfig {
            data_dir: dir.path().to_path_buf(),
            workspace: workspace.clone(),
            secrets: None,
            open_url: Arc::new(|_| false),
            callback_port: 0,
            sign_in_timeout: Duration::from_secs(5),
            sandbox: None,
        };
        let service = Service::new(config, service_end.outbox);
        service.remember_client("sandbox", &client);
        Studio {
            _org: org,
            service,
            window,
            dir,
            workspace,
        }
    }

    /// Runs one request to the end and returns every event it sent.
    async fn ask(&self, request: Request) -> Vec<Event> {
        self.service.clone().handle(request).await;
        let mut events = Vec::new();
        while let Ok(event) = self.window.try_recv() {
            // The role the service reads on the way is news for the window's controls, not
            // the request's answer.
            if !matches!(event, Event::Access(_)) {
                events.push(event);
            }
        }
        events
    }

    async fn fields(&self, object: &str) -> Vec<FieldInfo> {
        let events = self
            .ask(Request::DescribeObject {
                connection: "sandbox".into(),
                object: object.into(),
            })
            .await;
        match events.as_slice() {
            [
                Event::ObjectFields {
                    fields, object: o, ..
                },
            ] if o == object => fields.clone(),
            other => panic!("expected the fields of {object}, got {other:?}"),
        }
    }

    async fn preview(&self, expression: &str) -> Result<Vec<(String, String)>, String> {
        let events = self
            .ask(Request::PreviewExpression {
                table: "customers".into(),
                key: "id".into(),
                expression: expression.into(),
            })
            .await;
        match events.as_slice() {
            [
                Event::ExpressionPreview {
                    expression: e,
                    result,
                },
            ] if e == expression => result.clone(),
            other => panic!("expected a preview of {expression}, got {other:?}"),
        }
    }

    fn customer_count(&self) -> i64 {
        let ws = Workspace::open(&self.workspace).unwrap();
        ws.conn()
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .unwrap()
    }
}

fn link(fields: Vec<FieldMapping>) -> Link {
    serde_json::from_value::<Link>(serde_json::json!({
        "name": "accounts",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "fields": [],
    }))
    .map(|mut l| {
        l.fields = fields;
        // What saving a link without a zone gives it.
        l.time_zone = Some(tether::sync::link::machine_time_zone());
        l
    })
    .expect("link parses")
}

#[tokio::test]
async fn objects_are_sorted_by_label_with_custom_ones_flagged() {
    let studio = Studio::new().await;
    let events = studio
        .ask(Request::ListObjects {
            connection: "sandbox".into(),
        })
        .await;
    let [
        Event::Objects {
            connection,
            objects,
        },
    ] = events.as_slice()
    else {
        panic!("expected objects, got {events:?}");
    };
    assert_eq!(connection, "sandbox");
    let labels: Vec<String> = objects.iter().map(|o| o.label.to_lowercase()).collect();
    let mut sorted = labels.clone();
    sorted.sort();
    assert_eq!(labels, sorted);
    let account = objects
        .iter()
        .find(|o| o.name == "Account")
        .expect("Account listed");
    assert!(!account.custom);
    let health = objects
        .iter()
        .find(|o| o.name == "Customer_Health__c")
        .expect("custom object listed");
    assert!(health.custom);
}

#[tokio::test]
async fn fields_carry_type_length_and_badges_from_describe() {
    let studio = Studio::new().await;
    let fields = studio.fields("Account").await;
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} in the describe"))
            .clone()
    };
    let name = field("Name");
    assert!(name.required, "Name must be set on create");
    assert!(!name.read_only);
    assert_eq!(name.field_type, "string");
    assert!(name.length.is_some_and(|l| l > 0));
    let external = field("External_Id__c");
    assert!(external.external_id);
    assert_eq!(external.label, "External Id");
    assert_eq!(external.length, Some(80));
    assert!(!external.required);
    let id = field("Id");
    assert!(id.read_only);
    assert!(!id.required);
    assert!(field("CreatedDate").read_only);
    assert_eq!(
        field("Health_Trend__c").picklist_values,
        ["Growing", "Stable", "Declining"]
    );
    assert!(!field("Health_Score__c").read_only);
}

#[tokio::test]
async fn local_tables_are_the_users_own_with_columns_and_row_counts() {
    let studio = Studio::new().await;
    let events = studio.ask(Request::ListLocalTables).await;
    let column = |name: &str, declared: &str, primary_key: bool, not_null: bool| LocalColumn {
        name: name.into(),
        declared_type: declared.into(),
        primary_key,
        not_null,
    };
    assert_eq!(
        events,
        vec![Event::LocalTables(vec![LocalTable {
            name: "customers".into(),
            columns: vec![
                column("id", "INTEGER", true, false),
                column("name", "TEXT", false, true),
                column("industry", "TEXT", false, false),
                column("rating", "REAL", false, false),
                column("sf_id", "TEXT", false, false),
            ],
            rows: 3,
        }])]
    );
}

#[tokio::test]
async fn expressions_preview_on_sample_rows_and_never_write() {
    let studio = Studio::new().await;
    let good = studio
        .preview("upper(name) || ' ' || coalesce(rating, '-')")
        .await;
    assert_eq!(
        good,
        Ok(vec![
            ("1".into(), "ACME 4.5".into()),
            ("2".into(), "GLOBEX 3.0".into()),
            ("3".into(), "INITECH -".into()),
        ])
    );
    let bad = studio.preview("no_such_function(name)").await;
    assert!(
        bad.as_ref().is_err_and(|e| e.contains("no such function")),
        "{bad:?}"
    );
    let unknown_column = studio.preview("nickname").await;
    assert!(
        unknown_column
            .as_ref()
            .is_err_and(|e| e.contains("nickname")),
        "{unknown_column:?}"
    );
    for writing in [
        "1; DELETE FROM customers",
        "1) FROM customers; DELETE FROM customers; SELECT (1",
        "(DELETE FROM customers RETURNING id)",
        "1 -- ) FROM customers",
    ] {
        let refused = studio.preview(writing).await;
        assert!(refused.is_err(), "{writing} was not refused: {refused:?}");
    }
    assert_eq!(studio.customer_count(), 3, "a preview wrote to the table");
}

#[tokio::test]
async fn verify_finds_problems_and_save_refuses_errors() {
    let studio = Studio::new().await;
    let typo = link(vec![
        FieldMapping::column("name", "Name", Direction::Both),
        FieldMapping::column("industry", "Industri", Direction::Both),
    ]);
    let events = studio.ask(Request::VerifyLink { link: typo.clone() }).await;
    let [
        Event::Verified {
            link: name,
            problems,
        },
    ] = events.as_slice()
    else {
        panic!("expected problems, got {events:?}");
    };
    assert_eq!(name, "accounts");
    let industri = problems
        .iter()
        .find(|p| p.field.as_deref() == Some("Industri"))
        .expect("the misspelt field is reported");
    assert_eq!(industri.severity, Severity::Error);
    assert!(
        industri.message.contains("Industry"),
        "{}",
        industri.message
    );

    let refused = studio.ask(Request::SaveLink { link: typo }).await;
    assert!(
        matches!(refused.as_slice(), [Event::Verified { problems, .. }] if problems.iter().any(|p| p.severity == Severity::Error)),
        "{refused:?}"
    );
    let ws = Workspace::open(&studio.workspace).unwrap();
    assert!(
        ws.links().unwrap().is_empty(),
        "a link with errors was saved"
    );

    let good = link(vec![
        FieldMapping::column("name", "Name", Direction::Both),
        FieldMapping::column("industry", "Industry", Direction::Pull),
    ]);
    let saved = studio.ask(Request::SaveLink { link: good.clone() }).await;
    assert!(
        matches!(saved.as_slice(), [Event::LinkSaved { link, .. }] if link == "accounts"),
        "{saved:?}"
    );
    assert_eq!(ws.link("accounts").unwrap().link, good);

    let deleted = studio
        .ask(Request::DeleteLink {
            name: "accounts".into(),
        })
        .await;
    assert_eq!(
        deleted,
        vec![Event::LinkDeleted {
            link: "accounts".into()
        }]
    );
    assert!(ws.links().unwrap().is_empty());
}

#[tokio::test]
async fn a_link_exports_and_imports_as_it_was() {
    let studio = Studio::new().await;
    let mut original = link(vec![
        FieldMapping::column("name", "Name", Direction::Both),
        FieldMapping::expression("upper(industry)", "Industry"),
    ]);
    original.match_on = MatchKey::SalesforceId;
    let saved = studio
        .ask(Request::SaveLink {
            link: original.clone(),
        })
        .await;
    assert!(
        matches!(saved.as_slice(), [Event::LinkSaved { .. }]),
        "{saved:?}"
    );
    let path = studio.dir.path().join("accounts.json");
    let exported = studio
        .ask(Request::ExportLink {
            name: "accounts".into(),
            path: path.clone(),
        })
        .await;
    assert!(
        matches!(exported.as_slice(), [Event::Notice(_)]),
        "{exported:?}"
    );
    let imported = studio.ask(Request::ImportLink { path: path.clone() }).await;
    assert_eq!(imported, vec![Event::LinkImported(Box::new(original))]);

    std::fs::write(
        &path,
        "{\"format\": \"tether-links\", \"version\": 1, \"links\": [{\"nmae\": 1}]}",
    )
    .unwrap();
    let broken = studio.ask(Request::ImportLink { path }).await;
    assert!(
        matches!(broken.as_slice(), [Event::Failed { topic: Topic::Mapping, message }] if message.contains("nmae")),
        "{broken:?}"
    );
}

#[tokio::test]
async fn an_unconnected_org_says_where_to_connect() {
    let studio = Studio::new().await;
    let events = studio
        .ask(Request::ListObjects {
            connection: "production".into(),
        })
        .await;
    assert!(
        matches!(events.as_slice(), [Event::Failed { topic: Topic::Mapping, message }]
            if message.contains("“production”") && message.contains("Connections")),
        "{events:?}"
    );
}
