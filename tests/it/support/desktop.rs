//! The window's side of the desktop service, for tests that drive the service as the window
//! does: requests in, events out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use tether::connect::oauth::password_login;
use tether::connect::{LoginUrl, http_client};
use tether::desktop::{self, DesktopConfig, Event, Request, SandboxOptions, Service, WindowEnd};
use tether::run::RunSummary;
use tether::salesforce::{Client, ClientConfig, Credentials};

pub const DEADLINE: Duration = Duration::from_secs(120);

/// The window's side: every event seen so far, and a way to wait for the next that fits.
pub struct Window {
    end: WindowEnd,
    pub seen: Vec<Event>,
}

impl Window {
    pub fn start(config: DesktopConfig) -> Window {
        Self::start_with(config, |_| {})
    }

    /// [`Window::start`], with `prepare` given the service before it answers (a test signs
    /// in its own clients with [`Service::remember_client`]).
    pub fn start_with(config: DesktopConfig, prepare: impl FnOnce(&Service)) -> Window {
        let (service_end, end) = desktop::channels(Arc::new(|| {}));
        let service = Service::new(config, service_end.outbox);
        prepare(&service);
        tokio::spawn(service.serve(service_end.requests));
        Window {
            end,
            seen: Vec::new(),
        }
    }

    pub fn send(&self, request: Request) {
        assert!(self.end.send(request), "the service stopped");
    }

    /// The first new event `wanted` accepts; fails on the deadline, listing what came.
    pub async fn wait<T>(&mut self, what: &str, wanted: impl Fn(&Event) -> Option<T>) -> T {
        let deadline = Instant::now() + DEADLINE;
        loop {
            while let Ok(event) = self.end.try_recv() {
                self.seen.push(event.clone());
                if let Some(found) = wanted(&event) {
                    return found;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {DEADLINE:?}; events: {:#?}",
                self.seen
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn finished(&mut self, link: &str) -> RunSummary {
        self.wait(&format!("end of the sync of {link}"), |e| match e {
            Event::SyncFinished(s) if s.link == link => Some(s.clone()),
            _ => None,
        })
        .await
    }
}

/// The test's own session with an org, beside the service's.
pub async fn org_client(base: &str) -> Client {
    let login = LoginUrl::parse(base).expect("login URL");
    let tokens = password_login(
        &http_client().expect("http"),
        &login,
        DEMO_CLIENT_ID,
        DEMO_USERNAME,
        DEMO_PASSWORD,
    )
    .await
    .expect("the demo user signs in");
    Client::connect(
        &tokens.instance_url,
        Credentials::access_token(tokens.secret.access_token),
        ClientConfig::default(),
    )
    .await
    .expect("client")
}

/// A window on `workspace` with the embedded sandbox org, empty and connected at start; no
/// keychain and no browser.
pub fn empty_sandbox_config(dir: &std::path::Path, workspace: std::path::PathBuf) -> DesktopConfig {
    DesktopConfig {
        data_dir: dir.join("data"),
        workspace,
        secrets: None,
        open_url: Arc::new(|_| false),
        callback_port: 0,
        sign_in_timeout: Duration::from_secs(60),
        sandbox: Some(SandboxOptions {
            starter: tether_bench::embedded::sandbox_starter(),
            start: tether::desktop::SandboxStart {
                data_file: None,
                seed_records: Some(0),
            },
            connect_at_start: true,
            demo_links: false,
        }),
    }
}
