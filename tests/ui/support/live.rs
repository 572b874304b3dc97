//! The real window on the real desktop service and the built-in sandbox org, for end-to-end
//! tests: the service works on its own thread while the test steps the window.

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tether::desktop::{DesktopConfig, SandboxOptions};
use tether::ui::{Launch, Prefs, TetherApp};

/// How long a step may take before the test gives up: generous, since CI machines are busy.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// The window on a service whose sandbox org is seeded with about `seed_records` records.
pub fn window(
    dir: &Path,
    seed_records: usize,
    demo_links: bool,
    height: f32,
) -> Harness<'static, TetherApp> {
    let starter = tether_bench::embedded::sandbox_starter();
    window_on(dir, starter, seed_records, demo_links, height)
}

/// The window on a service whose sandbox org `starter` starts.
pub fn window_on(
    dir: &Path,
    starter: tether::desktop::SandboxStarter,
    seed_records: usize,
    demo_links: bool,
    height: f32,
) -> Harness<'static, TetherApp> {
    let config = DesktopConfig {
        data_dir: dir.join("data"),
        workspace: dir.join("workspace.sqlite"),
        secrets: None,
        open_url: std::sync::Arc::new(|_: &str| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(30),
        sandbox: Some(SandboxOptions {
            starter,
            start: tether::desktop::SandboxStart {
                data_file: None,
                seed_records: Some(seed_records),
            },
            connect_at_start: false,
            demo_links,
        }),
    };
    let launch = Launch::service(config, tether::ui::APP_TITLE, None);
    Harness::builder()
        .with_size(egui::vec2(1280.0, height))
        .build_eframe(move |cc| TetherApp::with_prefs(&cc.egui_ctx, launch, Prefs::default()))
}

/// Steps the window until `done` holds; on time-out, says what was on screen and what failed.
pub fn wait_until(
    harness: &mut Harness<'static, TetherApp>,
    what: &str,
    done: impl Fn(&Harness<'static, TetherApp>) -> bool,
) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        harness.step();
        if done(harness) {
            for _ in 0..3 {
                harness.step();
            }
            return;
        }
        if Instant::now() >= deadline {
            let labels: Vec<String> = harness
                .query_all_by_label_contains("")
                .filter_map(|n| {
                    let node = n.accesskit_node();
                    node.label().or_else(|| node.value())
                })
                .take(200)
                .collect();
            panic!(
                "waited {DEADLINE:?} for {what}; failures: {:?}; on screen: {labels:?}",
                harness.state().model().failures
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn wait_for(harness: &mut Harness<'static, TetherApp>, label: &str) {
    wait_until(harness, label, |h| {
        h.query_all_by_label(label).next().is_some()
    });
}

pub fn wait_for_containing(harness: &mut Harness<'static, TetherApp>, text: &str) {
    wait_until(harness, text, |h| {
        h.query_all_by_label_contains(text).next().is_some()
    });
}

/// A client of the built-in org at `instance`, signed in as its demo user the way another
/// Salesforce user would be, and a runtime to drive it from a test's thread.
pub fn org_client(instance: &str) -> (tokio::runtime::Runtime, tether::salesforce::Client) {
    use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = runtime.block_on(async {
        let http = tether::connect::http_client().unwrap();
        let login = tether::connect::LoginUrl::parse(instance).unwrap();
        let tokens = tether::connect::oauth::password_login(
            &http,
            &login,
            DEMO_CLIENT_ID,
            DEMO_USERNAME,
            DEMO_PASSWORD,
        )
        .await
        .unwrap();
        tether::salesforce::Client::connect(
            instance,
            tether::salesforce::Credentials::access_token(tokens.secret.access_token.clone()),
            tether::salesforce::ClientConfig::default(),
        )
        .await
        .unwrap()
    });
    (runtime, client)
}

/// Clicks the widget labelled `label` once it is there, and lets the window answer.
pub fn click(harness: &mut Harness<'static, TetherApp>, label: &str) {
    wait_for(harness, label);
    harness.get_by_label(label).click();
    harness.step();
    harness.step();
}

/// Opens a page from the navigation rail (its title also heads the page).
pub fn nav(harness: &mut Harness<'static, TetherApp>, page: &str) {
    wait_until(harness, page, |h| {
        h.query_by_role_and_label(egui::accesskit::Role::Button, page)
            .is_some()
    });
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, page)
        .click();
    harness.step();
    harness.step();
}
