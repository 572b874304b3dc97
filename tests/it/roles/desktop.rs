//! The desktop service signed in as the sandbox org's viewer: it tells the window the role,
//! refuses syncs, link edits and record writes with the reason, and Verify speaks of
//! field-level security.

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use sandbox_org::config::{DEMO_USERNAME, VIEWER_USERNAME};
use serde_json::Value;
use tether::access::Role;
use tether::desktop::{DesktopConfig, Event, RecordRequest, RecordsRequest, Request, Topic};
use tether::sync::link::Link;
use tether::sync::templates;
use tether::workspace::Workspace;

use super::signed_in_as;
use crate::support::desktop::Window;
use crate::support::org::start;

const CONNECTION: &str = "acme";

fn config(dir: &std::path::Path) -> DesktopConfig {
    DesktopConfig {
        data_dir: dir.join("data"),
        workspace: dir.join("workspace.sqlite"),
        secrets: None,
        open_url: Arc::new(|_| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(60),
        sandbox: None,
    }
}

fn health_link(dir: &std::path::Path) -> Link {
    let mut ws = Workspace::open(&dir.join("workspace.sqlite")).unwrap();
    let template = templates::find("customer-health").unwrap();
    templates::install(&mut ws, &template, CONNECTION).unwrap();
    ws.link("customer-health").unwrap().link
}

async fn failure(window: &mut Window, topic: Topic) -> String {
    window
        .wait(&format!("a failure under {topic:?}"), |e| match e {
            Event::Failed { topic: t, message } if *t == topic => Some(message.clone()),
            _ => None,
        })
        .await
}

async fn verified(window: &mut Window, link: &Link) -> Vec<String> {
    window.send(Request::VerifyLink { link: link.clone() });
    window
        .wait("the verify", |e| match e {
            Event::Verified { problems, .. } => Some(
                problems
                    .iter()
                    .filter(|p| p.field.as_deref() == Some("Health_Score__c"))
                    .map(ToString::to_string)
                    .collect(),
            ),
            _ => None,
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_is_told_its_role_and_refused_with_the_reason() {
    let org = start().await;
    let dir = tempfile::tempdir().unwrap();
    let link = health_link(dir.path());
    let viewer = signed_in_as(&org.base, VIEWER_USERNAME).await;
    let mut window = Window::start_with(config(dir.path()), |service| {
        service.remember_client(CONNECTION, &viewer);
    });

    window.send(Request::SyncNow {
        link: link.name.clone(),
    });
    let refused = failure(&mut window, Topic::Sync).await;
    assert!(
        refused.starts_with("viewer on “acme”: running syncs of Account needs Edit on Account"),
        "{refused}"
    );
    // The role was read for the refusal, and the window told before it.
    let access = window
        .seen
        .iter()
        .find_map(|e| match e {
            Event::Access(access) => Some(access.clone()),
            _ => None,
        })
        .expect("the window is told the role");
    assert_eq!(access.role_on("Account"), Some(Role::Viewer));
    assert!(
        !window
            .seen
            .iter()
            .any(|e| matches!(e, Event::SyncStarted { .. } | Event::SyncFinished(_))),
        "no run is started or recorded"
    );

    window.send(Request::SaveLink { link: link.clone() });
    let refused = failure(&mut window, Topic::Mapping).await;
    assert!(
        refused.contains("editing links needs Customize Application or Modify All Data"),
        "{refused}"
    );

    window.send(Request::Records(RecordsRequest::Record(
        RecordRequest::Save {
            connection: CONNECTION.into(),
            object: "Account".into(),
            id: None,
            edits: vec![("Name".into(), "Refused Inc".into())],
        },
    )));
    let refused = failure(&mut window, Topic::Records).await;
    assert!(refused.contains("editing records of Account"), "{refused}");

    // Read Only's permission set grants read on the template's custom fields, not edit.
    let problems = verified(&mut window, &link).await;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("read-only for you by field-level security")),
        "{problems:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_whose_grant_is_taken_away_is_hidden_not_missing() {
    let org = start().await;
    let dir = tempfile::tempdir().unwrap();
    let link = health_link(dir.path());
    let viewer = signed_in_as(&org.base, VIEWER_USERNAME).await;
    let admin = signed_in_as(&org.base, DEMO_USERNAME).await;

    let sets = viewer.user_permissions().await.unwrap().permission_sets;
    let ids: Vec<String> = sets.iter().map(|(id, _)| format!("'{id}'")).collect();
    let soql = format!(
        "SELECT Id FROM FieldPermissions WHERE Field = 'Account.Health_Score__c' AND ParentId IN ({})",
        ids.join(", ")
    );
    let pages: Vec<_> = admin
        .query::<Value>(&soql, None)
        .try_collect()
        .await
        .unwrap();
    let grants: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.records)
        .map(|r| r["Id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !grants.is_empty(),
        "the viewer's profile is granted the field"
    );
    for id in &grants {
        admin.delete("FieldPermissions", id).await.unwrap();
    }
    let describe = viewer.describe("Account").await.unwrap();
    assert!(
        !describe.fields.iter().any(|f| f.name == "Health_Score__c"),
        "describe no longer shows the field to the viewer"
    );

    let mut window = Window::start_with(config(dir.path()), |service| {
        service.remember_client(CONNECTION, &viewer);
    });
    let problems = verified(&mut window, &link).await;
    assert!(
        problems
            .iter()
            .any(|p| p
                .contains("field `Health_Score__c` is hidden from you by field-level security")),
        "{problems:#?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("has no field")),
        "{problems:#?}"
    );

    window.send(Request::ExploreFields {
        connection: CONNECTION.into(),
        object: "Account".into(),
    });
    let fields = window
        .wait("the field explorer's fields", |e| match e {
            Event::FieldCatalog { fields, .. } => Some(fields.clone()),
            _ => None,
        })
        .await;
    let score = fields
        .iter()
        .find(|f| f.name == "Health_Score__c")
        .expect("the explorer lists the hidden field");
    assert_eq!(score.access, tether::desktop::FieldAccess::Hidden);
}
