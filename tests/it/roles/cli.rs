//! The command line signed in as each user of the sandbox org: a viewer's syncs, link and
//! template changes and record writes refused with exit code 3 and the reason, an operator's
//! record write done and its template install refused, an admin's install done.

use std::path::Path;
use std::process::Output;

use reqwest::Method;
use sandbox_org::config::{DEMO_PASSWORD, OPERATOR_USERNAME, VIEWER_USERNAME};
use serde_json::json;

use crate::support::cli::{
    CLIENT_ID, Org, Setup, connect, free_port, start_org, succeeded, tether, text,
};

fn password_connect(login: &str, data: &Path, username: &str, name: &str) {
    let out = tether()
        .args(["connect", "--login-url", login, "--client-id", CLIENT_ID])
        .args(["--username", username, "--password-flow", "--name", name])
        .arg("--data-dir")
        .arg(data)
        .env("TETHER_PASSWORD", DEMO_PASSWORD)
        .env("RUST_LOG", "warn")
        .env_remove("TETHER_CLIENT_SECRET")
        .output()
        .expect("tether connect runs");
    assert!(out.status.success(), "{username}: {}", text(&out.stderr));
}

/// The command's exit code 3 and its error text.
fn refused(what: &str, out: Output) -> String {
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{what}: {said}");
    said
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_is_refused_what_it_may_not_do_with_exit_code_3_and_the_reason() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    let org = Org::sign_in(&login).await;
    let acme = org
        .write_records("Account", Method::POST, vec![json!({"Name": "Acme"})])
        .await
        .remove(0);

    // Installed while the connection is not there yet: nothing can tell a role, so the
    // command goes on, as it does offline.
    succeeded(
        "template before connecting",
        setup
            .command(&[
                "link",
                "template",
                "customer-health",
                "--connection",
                "roles-viewer",
            ])
            .output()
            .unwrap(),
    );
    password_connect(&login, &setup.data, VIEWER_USERNAME, "roles-viewer");

    let said = refused(
        "viewer sync",
        setup
            .command(&["sync", "customer-health"])
            .output()
            .unwrap(),
    );
    assert!(
        said.contains("viewer on “roles-viewer”: running syncs of Account needs Edit on Account"),
        "{said}"
    );
    assert!(said.contains("ask your Salesforce admin"), "{said}");
    assert_eq!(setup.last_run_id(), 0, "a refused sync records no run");

    let said = refused(
        "viewer link delete",
        setup
            .command(&["link", "delete", "customer-health"])
            .output()
            .unwrap(),
    );
    assert!(
        said.contains("editing links needs Customize Application"),
        "{said}"
    );
    let said = refused(
        "viewer template",
        setup
            .command(&[
                "link",
                "template",
                "lead-scores",
                "--connection",
                "roles-viewer",
            ])
            .output()
            .unwrap(),
    );
    assert!(said.contains("installing templates needs"), "{said}");

    let record = |connection: &str, action: &str, more: &[&str]| {
        let mut args = vec!["records", action, "--connection", connection];
        args.extend_from_slice(&["--object", "Account", "--id", &acme]);
        args.extend_from_slice(more);
        setup.command(&args).output().unwrap()
    };
    succeeded("viewer reads", record("roles-viewer", "get", &[]));
    let said = refused(
        "viewer update",
        record("roles-viewer", "update", &["--set", "Name=Acme Solar"]),
    );
    assert!(said.contains("editing records of Account"), "{said}");

    password_connect(&login, &setup.data, OPERATOR_USERNAME, "roles-operator");
    succeeded(
        "operator update",
        record("roles-operator", "update", &["--set", "Name=Acme Solar"]),
    );
    let said = refused(
        "operator template",
        setup
            .command(&[
                "link",
                "template",
                "lead-scores",
                "--connection",
                "roles-operator",
            ])
            .output()
            .unwrap(),
    );
    assert!(said.contains("operator on “roles-operator”"), "{said}");

    connect(&login, port, &setup.data, Some("roles-admin")).await;
    succeeded(
        "admin template",
        setup
            .command(&[
                "link",
                "template",
                "lead-scores",
                "--connection",
                "roles-admin",
            ])
            .output()
            .unwrap(),
    );
}
